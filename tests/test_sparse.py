"""tf.SparseTensor as TF 2.21: construction, reprs, to_dense, add, sparse_dense_matmul,
reorder, reduce_sum, from_dense, errors, op names and gradients, replayed from
tools/record_kinds.py's recording; SparseTensorValue fetched and fed in TF1 sessions."""
import numpy as np
import pytest

import kinds_oracle

pytestmark = pytest.mark.mode("both")


@pytest.mark.parametrize("name", kinds_oracle.names("sparse"))
def test_as_tf(tf2, name):
    kinds_oracle.check("sparse", name)


def test_sparse_dense_matmul_against_numpy_all_adjoints(tf2):
    rng = np.random.RandomState(3)
    dense_a = np.where(rng.rand(4, 3) > 0.5, rng.randn(4, 3), 0.0)
    idx = np.argwhere(dense_a)
    sp = tf2.SparseTensor(idx, dense_a[tuple(idx.T)], [4, 3])
    for adj_a in (False, True):
        for adj_b in (False, True):
            a = dense_a.T if adj_a else dense_a
            b = rng.randn(a.shape[1], 2)
            got = tf2.sparse.sparse_dense_matmul(sp, b.T if adj_b else b,
                                                 adjoint_a=adj_a, adjoint_b=adj_b)
            np.testing.assert_allclose(got.numpy(), a @ b, rtol=1e-12)


def test_sparse_add_gradient_reaches_both_operands(tf1):
    a = tf1.placeholder(tf1.float64, [2])
    b = tf1.placeholder(tf1.float64, [2])
    s = tf1.sparse.add(tf1.SparseTensor([[0, 0], [1, 1]], a, [2, 2]),
                       tf1.SparseTensor([[0, 0], [0, 1]], b, [2, 2]))
    loss = tf1.reduce_sum(tf1.sparse.to_dense(s) * tf1.constant([[1.0, 2.0], [3.0, 4.0]],
                                                                tf1.float64))
    ga, gb = tf1.gradients(loss, [a, b])
    assert any(op.type == "SparseAddGrad" for op in tf1.get_default_graph().get_operations())
    with tf1.Session() as sess:
        va, vb = sess.run([ga, gb], {a: [1.0, 2.0], b: [3.0, 4.0]})
    np.testing.assert_array_equal(va, [1.0, 4.0])
    np.testing.assert_array_equal(vb, [1.0, 2.0])


def test_non_sparse_input_is_a_type_error(tf2):
    with pytest.raises(TypeError, match="SparseTensor"):
        tf2.sparse.to_dense(tf2.constant([1.0]))


def test_sparse_names_never_fall_back_to_the_dense_ops(tf2):
    """tf.sparse.concat is not tf.concat: a name tfteach lacks says so."""
    for name in ("concat", "slice", "maximum", "reshape", "softmax"):
        with pytest.raises(AttributeError, match="does not implement"):
            getattr(tf2.sparse, name)
    assert tf2.sparse.add is not tf2.add
    with pytest.raises(AttributeError, match="does not implement"):
        tf2.ragged.stack


def test_reorder_is_lexicographic_and_stable_beyond_the_shape(tf2):
    """TF 2.21's SparseReorder (recorded by hand with the oracle venv) orders index rows
    lexicographically even when they lie outside dense_shape, and keeps repeated rows in
    their given order."""
    out = tf2.sparse.reorder(tf2.SparseTensor([[3, 1], [0, 5], [0, 2]], [1.0, 2.0, 3.0],
                                              [2, 3]))
    np.testing.assert_array_equal(out.indices.numpy(), [[0, 2], [0, 5], [3, 1]])
    np.testing.assert_array_equal(out.values.numpy(), [3.0, 2.0, 1.0])
    out = tf2.sparse.reorder(tf2.SparseTensor([[1, 1], [0, 2], [1, 0], [0, 2]],
                                              [1.0, 2.0, 3.0, 4.0], [2, 3]))
    np.testing.assert_array_equal(out.indices.numpy(), [[0, 2], [0, 2], [1, 0], [1, 1]])
    np.testing.assert_array_equal(out.values.numpy(), [2.0, 4.0, 3.0, 1.0])
