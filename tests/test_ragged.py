"""tf.RaggedTensor as TF 2.21: construction, shape, parts, to_tensor, element-wise ops,
reductions, indexing, reprs and errors, replayed from tools/record_kinds.py's recording;
ragged tensors in TF1 graphs and sessions; RaggedTensorToTensor's gradient against finite
differences (tests/test_gradients_registry.py) and here against a hand derivation."""
import numpy as np
import pytest

import kinds_oracle

pytestmark = pytest.mark.mode("both")


@pytest.mark.parametrize("name", kinds_oracle.names("ragged"))
def test_as_tf(tf2, name):
    kinds_oracle.check("ragged", name)


def test_ragged_in_a_session_fed_and_fetched(tf1):
    rt = tf1.ragged.placeholder(tf1.float32, ragged_rank=1)
    total = tf1.reduce_sum(rt, axis=1)
    dense = (rt * 2.0).to_tensor(default_value=-1.0)
    with tf1.Session() as sess:
        value = tf1.ragged.RaggedTensorValue(np.array([1.0, 2.0, 3.0], np.float32),
                                              np.array([0, 2, 2, 3]))
        t, d = sess.run([total, dense], {rt: value})
        back = sess.run(rt * 1.0, {rt: value})
    np.testing.assert_array_equal(t, [3.0, 0.0, 3.0])
    np.testing.assert_array_equal(d, [[2.0, 4.0], [-1.0, -1.0], [6.0, -1.0]])
    assert back.to_list() == [[1.0, 2.0], [], [3.0]]


def test_to_tensor_gradient_reaches_values_and_default(tf2):
    v = tf2.constant([1.0, 2.0, 3.0])
    d = tf2.constant(0.5)
    w = tf2.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf2.GradientTape() as tape:
        tape.watch([v, d])
        dense = tf2.RaggedTensor.from_row_splits(v, [0, 1, 3]).to_tensor(default_value=d,
                                                                       shape=[2, 3])
        y = tf2.reduce_sum(dense * w)
    gv, gd = tape.gradient(y, [v, d])
    # v lands at (0,0), (1,0), (1,1); the default fills (0,1), (0,2), (1,2)
    np.testing.assert_array_equal(gv.numpy(), [1.0, 4.0, 5.0])
    assert gd.numpy() == 2.0 + 3.0 + 6.0


def test_elementwise_op_without_ragged_support_says_what_to_do(tf2):
    rt = tf2.ragged.constant([[1.0], [2.0, 3.0]])
    with pytest.raises(TypeError, match="map_flat_values"):
        tf2.matmul(rt, rt)
