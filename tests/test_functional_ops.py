"""tf.map_fn / scan / foldl / foldr against TF 2.21 (values, op names and messages measured
with TF 2.21 and written in here; TF itself is never imported)."""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")


def test_eager_values(tf2):
    tf = tf2
    x = tf.constant([1., 2., 3.])
    np.testing.assert_array_equal(tf.map_fn(lambda e: e * 2, x).numpy(), [2, 4, 6])
    a, b = tf.map_fn(lambda e: (e, e * 2), x, fn_output_signature=(tf.float32, tf.float32))
    np.testing.assert_array_equal(b.numpy(), [2, 4, 6])
    r = tf.map_fn(lambda e: tf.cast(e, tf.int32), x, fn_output_signature=tf.int32)
    assert r.dtype == tf.int32 and r.numpy().tolist() == [1, 2, 3]
    np.testing.assert_array_equal(tf.scan(lambda a, e: a + e, x).numpy(), [1, 3, 6])
    np.testing.assert_array_equal(
        tf.scan(lambda a, e: a + e, x, initializer=10., reverse=True).numpy(), [16, 15, 13])
    assert float(tf.foldl(lambda a, e: a + e, x)) == 6.0
    assert float(tf.foldr(lambda a, e: a - e, x, initializer=0.)) == -6.0
    s, p = tf.scan(lambda a, e: (a[0] + e, a[1] * e), x, initializer=(0., 1.))
    np.testing.assert_array_equal(p.numpy(), [1, 2, 6])
    assert float(tf.foldl(lambda a, e: a + e[0] * e[1], (x, x), initializer=0.)) == 14.0
    assert tf.map_fn(lambda e: e, tf.zeros([0])).shape.as_list() == [0]


def test_errors_as_tf(tf2):
    tf = tf2
    x = tf.constant([1., 2., 3.])
    with pytest.raises(ValueError, match="^Elements in elems must be 1\\+ dimensional "
                                         "Tensors, not scalars$"):
        tf.map_fn(lambda e: e * 2, tf.constant(1.))
    with pytest.raises(ValueError, match="^Dimensions 3 and 2 are not compatible$"):
        tf.map_fn(lambda e: e[0] * e[1], (x, tf.constant([1., 2.])))
    with pytest.raises(errors.InvalidArgumentError,
                       match="^TensorArray dtype is float32 but Op is trying to write dtype "
                             "int32 $"):
        tf.map_fn(lambda e: tf.cast(e, tf.int32), x)
    for f in (tf.foldl, tf.scan):
        with pytest.raises(errors.OutOfRangeError,
                           match="^Tried to read from index 0 but array size is: 0 $"):
            f(lambda a, e: a + e, tf.zeros([0]))
    with pytest.raises(ValueError, match=r"^elems must be a Tensor or \(possibly nested\) "
                                         r"sequence of Tensors. Got \[\], which does not "
                                         r"contain any Tensors.$"):
        tf.map_fn(lambda e: e, [])
    with pytest.raises(AttributeError, match="'int' object has no attribute '__name__'"):
        tf.map_fn(3, x)


def test_eager_tape_gradient(tf2):
    tf = tf2
    x = tf.constant([1., 2., 3.])
    with tf.GradientTape(persistent=True) as g:
        g.watch(x)
        m = tf.reduce_sum(tf.map_fn(lambda e: e * e, x))
        f = tf.foldl(lambda a, e: a * e, x)
        s = tf.reduce_sum(tf.scan(lambda a, e: a + e, x))
    np.testing.assert_array_equal(g.gradient(m, x).numpy(), [2, 4, 6])
    np.testing.assert_array_equal(g.gradient(f, x).numpy(), [6, 3, 2])
    np.testing.assert_array_equal(g.gradient(s, x).numpy(), [3, 2, 1])


def test_tf_function(tf2):
    tf = tf2

    @tf.function
    def f(x):
        return (tf.map_fn(lambda e: e * 2, x), tf.scan(lambda a, e: a + e, x),
                tf.foldr(lambda a, e: a - e, x))
    g = f.get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
    # TF 2.21's tf.function records the arrays as TensorLists (its graph holds
    # TensorListFromTensor, TensorListReserve, TensorListGetItem, TensorListSetItem and
    # TensorListStack, and no TensorArrayV3)
    types = {op.type for op in g.get_operations()}
    assert {"TensorListFromTensor", "TensorListReserve", "TensorListGetItem",
            "TensorListSetItem", "TensorListStack"} <= types
    assert "TensorArrayV3" not in types
    m, s, r = f(tf.constant([1., 2., 3.]))
    np.testing.assert_array_equal(m.numpy(), [2, 4, 6])
    np.testing.assert_array_equal(s.numpy(), [1, 3, 6])
    assert float(r) == 0.0


def test_v1_graph_as_tf(tf1):
    tf = tf1
    x = tf.constant([1., 2., 3.])
    y = tf.map_fn(lambda e: e * 2., x)
    names = [(op.name, op.type) for op in tf.get_default_graph().get_operations()]
    for expected in [("map/TensorArray", "TensorArrayV3"),
                     ("map/TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3",
                      "TensorArrayScatterV3"),
                     ("map/Const", "Const"), ("map/TensorArray_1", "TensorArrayV3"),
                     ("map/while/maximum_iterations", "Const"),
                     ("map/while/LoopCond", "LoopCond"),
                     ("map/while/TensorArrayReadV3", "TensorArrayReadV3"),
                     ("map/while/TensorArrayReadV3/Enter", "Enter"),
                     ("map/while/TensorArrayWrite/TensorArrayWriteV3", "TensorArrayWriteV3"),
                     ("map/while/Exit_2", "Exit"),
                     ("map/TensorArrayStack/TensorArrayGatherV3", "TensorArrayGatherV3")]:
        assert expected in names
    assert y.shape.as_list() == [3]
    p = tf.placeholder(tf.float32, [None, 2])
    z = tf.scan(lambda a, e: a + e, p, reverse=True)
    f = tf.foldl(lambda a, e: a * e, p, initializer=tf.ones([2]))
    r = tf.foldr(lambda a, e: a - e, p)
    assert z.shape.as_list() == [None, 2] and f.shape.as_list() == [2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [2, 4, 6])
        zv, fv, rv = sess.run([z, f, r], {p: [[1, 2], [3, 4]]})
        np.testing.assert_array_equal(zv, [[4, 6], [3, 4]])
        np.testing.assert_array_equal(fv, [3, 8])
        np.testing.assert_array_equal(rv, [2, 2])
        with pytest.raises(errors.InvalidArgumentError,
                           match="Tried to read from index 0 but array size is: 0"):
            sess.run(tf.foldl(lambda a, e: a + e, p), {p: np.zeros((0, 2))})
    # a gradient through the graph form is one through a while loop
    # gradients through the graph form (a while loop over TensorArrays); TF 2.21's values
    (gz,) = tf.gradients(z, p)
    (gm,) = tf.gradients(tf.map_fn(lambda e: e * e, p), p)
    (gf,) = tf.gradients(tf.foldl(lambda a, e: a * e, p, initializer=tf.ones([2])), p)
    with tf.Session() as sess:
        got = sess.run([gz, gm, gf], {p: [[1, 2], [3, 4]]})
    np.testing.assert_array_equal(got[0], [[1, 1], [2, 2]])
    np.testing.assert_array_equal(got[1], [[2, 4], [6, 8]])
    np.testing.assert_array_equal(got[2], [[3, 4], [1, 2]])
    assert tf.map_fn(lambda e: e, x, back_prop=False, parallel_iterations=3,
                     swap_memory=True, dtype=tf.float32).shape.as_list() == [3]


# --- small ops ---------------------------------------------------------------------------------

def test_ensure_shape_saturate_cast_timestamp(tf2):
    tf = tf2
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Shape of tensor input \[2\] is not compatible with expected "
                             r"shape \[3\]\."):
        tf.ensure_shape(tf.constant([1., 2.]), [3])
    np.testing.assert_array_equal(tf.ensure_shape(tf.constant([1., 2.]), [None]).numpy(),
                                  [1, 2])

    @tf.function
    def f(x):
        return tf.ensure_shape(x, [None, 2])
    g = f.get_concrete_function(tf.TensorSpec([None, None])).graph
    assert [o.type for o in g.get_operations()] == ["Placeholder", "EnsureShape", "Identity"]
    assert g.get_operations()[1].outputs[0].shape.as_list() == [None, 2]
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Shape of tensor x \[2,3\] is not compatible with expected "
                             r"shape \[\?,2\]\."):
        f.get_concrete_function(tf.TensorSpec([None, None]))(tf.zeros([2, 3]))
    r = tf.saturate_cast(tf.constant([-1., 300., 5.5]), tf.uint8)
    assert r.dtype == tf.uint8 and r.numpy().tolist() == [0, 255, 5]
    assert tf.timestamp().dtype == tf.float64 and float(tf.timestamp()) > 1.7e9
