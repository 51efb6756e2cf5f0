"""tf.TensorArray against TF 2.21 (values, op names and messages measured with TF 2.21 and
written in here; TF itself is never imported)."""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")


# --- TF1 graphs ------------------------------------------------------------------------------

def test_graph_ops_and_names_as_tf(tf1):
    tf = tf1
    ta = tf.TensorArray(tf.float32, size=3)
    assert ta.handle.name == "TensorArray:0" and str(ta.handle.dtype.name) == "resource"
    assert ta.handle.shape.as_list() == [2] and ta.flow.dtype == tf.float32
    x = tf.constant([[1., 2.], [3., 4.], [5., 6.]])
    s = tf.TensorArray(tf.float32, size=3).unstack(x).stack()
    g = tf.gradients(tf.reduce_sum(s * s), x)[0]
    ops = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert ops["TensorArray/size"] == "Const" and ops["TensorArray"] == "TensorArrayV3"
    assert ops["TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3"] == \
        "TensorArrayScatterV3"
    assert ops["TensorArrayStack/TensorArrayGatherV3"] == "TensorArrayGatherV3"
    assert ops["gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/"
               "TensorArrayGradV3"] == "TensorArrayGradV3"
    assert ops["gradients/TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3_grad/"
               "TensorArrayGatherV3"] == "TensorArrayGatherV3"
    assert s.shape.as_list() == [3, 2]
    with tf.Session() as sess:
        sv, gv = sess.run([s, g])
    np.testing.assert_array_equal(sv, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(gv, [[2, 4], [6, 8], [10, 12]])


def test_graph_write_read_and_flow(tf1):
    tf = tf1
    ta = tf.TensorArray(tf.float32, size=2)
    w = ta.write(0, [1., 2.])
    assert w.flow.op.name == "TensorArrayWrite/TensorArrayWriteV3"
    assert w.flow.op.inputs[1].op.name == "TensorArrayWrite/TensorArrayWriteV3/index"
    r = w.read(0)
    assert r.op.type == "TensorArrayReadV3" and r.op.inputs[2] is w.flow
    assert w.element_shape.as_list() == [2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(r), [1, 2])
        np.testing.assert_array_equal(sess.run(w.read(1)), [0, 0])   # unwritten: zeros
        np.testing.assert_array_equal(sess.run(w.stack()), [[1, 2], [0, 0]])
        assert sess.run(tf.TensorArray(tf.float32, size=0, dynamic_size=True)
                        .write(3, [1., 2.]).size()) == 4
        np.testing.assert_array_equal(sess.run(tf.TensorArray(
            tf.float32, size=3).unstack([[1., 2], [3, 4], [5, 6]]).gather([2, 0])),
            [[5, 6], [1, 2]])
        np.testing.assert_array_equal(sess.run(tf.TensorArray(tf.int32, size=3).scatter(
            [2, 0], [[1, 2], [3, 4]]).read(2)), [1, 2])
        c = tf.TensorArray(tf.float32, size=2, infer_shape=False).write(0, [1.]) \
            .write(1, [1., 2])
        np.testing.assert_array_equal(sess.run(c.concat()), [1, 1, 2])
        np.testing.assert_array_equal(sess.run(tf.TensorArray(tf.float32, size=0,
                                                              element_shape=[2]).stack()),
                                      np.zeros((0, 2)))
        assert sess.run(tf.TensorArray(tf.float32, size=2, clear_after_read=False)
                        .write(0, [1.]).read(0)) == [1.]
    t = tf.TensorArray(tf.float32, size=2)
    assert t.close().type == "TensorArrayCloseV3"
    assert t.identity().flow.op.type == "Identity"
    assert t.size().op.type == "Const"


def test_graph_errors_as_tf(tf1):
    tf = tf1
    w = tf.TensorArray(tf.float32, size=2).write(0, [1., 2.])
    with pytest.raises(ValueError, match=r"^Inconsistent shapes: saw \(3,\) but expected "
                                         r"\(2,\) $"):
        w.write(1, [1., 2., 3.])
    with pytest.raises(ValueError, match="^Size must be provided if handle is not provided$"):
        tf.TensorArray(tf.float32)
    sess = tf.Session()
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"TensorArray TensorArray_\d+: Could not write to TensorArray "
                             r"index 0 because it has already been written to\."):
        sess.run(w.write(0, [1., 2.]).flow)
    with pytest.raises(errors.InvalidArgumentError,
                       match="Tried to write to index 5 but array is not resizeable and "
                             "size is: 2"):
        sess.run(w.write(5, [1., 2.]).flow)
    with pytest.raises(errors.InvalidArgumentError,
                       match="Tried to read from index 7 but array size is: 2"):
        sess.run(w.read(7))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Could not read index 0 twice because it was cleared after a "
                             r"previous read \(perhaps try setting clear_after_read = false"):
        sess.run([w.read(0), w.read(0)])
    with pytest.raises(errors.UnimplementedError,
                       match="TensorArray has size zero, but element shape <unknown> is not "
                             "fully defined. Currently only static shapes are supported when "
                             "packing zero-size TensorArrays."):
        sess.run(tf.TensorArray(tf.float32, size=0).stack())
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Max scatter index must be < array size \(2 vs\. 2\)"):
        sess.run(tf.TensorArray(tf.float32, size=2).unstack([[1., 2], [3, 4], [5, 6]]).flow)
    with pytest.raises(errors.InvalidArgumentError,
                       match="Expected sum of lengths to be equal to values.shape\\[0\\], but "
                             "sum of lengths is 4 and value's shape is: \\[5\\]"):
        sess.run(tf.TensorArray(tf.float32, size=2).split([1., 2, 3, 4, 5], [2, 2]).flow)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"TensorArray's size is not equal to the size of lengths \(3 vs\. "
                             r"2\), and the TensorArray is not marked as dynamically "
                             r"resizeable"):
        sess.run(tf.TensorArray(tf.float32, size=3).split([1., 2, 3, 4, 5], [2, 3]).flow)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Could not write to TensorArray index 1 because the value shape "
                             r"is \[3\] which is incompatible with the TensorArray's inferred "
                             r"element shape: \[2\] \(consider setting infer_shape=False\)\."):
        sess.run(tf.TensorArray(tf.float32, size=2).split([1., 2, 3, 4, 5], [2, 3]).flow)


def test_graph_tensor_array_in_while_loop(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [None])
    n = tf.shape(x)[0]
    ta_in = tf.TensorArray(tf.float32, size=n).unstack(x)

    def body(i, t):
        return i + 1, t.write(i, ta_in.read(i) * 2.)
    i, t = tf.while_loop(lambda i, t: i < n, body, [0, tf.TensorArray(tf.float32, size=n)])
    assert isinstance(t, tf.TensorArray)
    assert t.flow.op.type == "Exit"
    y = t.stack()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1., 2., 3.]}), [2, 4, 6])
        np.testing.assert_array_equal(sess.run(y, {x: [4.]}), [8])
    (gx,) = tf.gradients(y * x, x)       # through the loop's TensorArrays: d(2x*x) = 4x
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(gx, {x: [1., 2., 3.]}), [4, 8, 12])


def test_graph_gradient_write_read(tf1):
    tf = tf1
    x = tf.constant([1., 2.])
    ta = tf.TensorArray(tf.float32, size=2).write(0, x).write(1, 3. * x)
    y = ta.read(0) * ta.read(1)
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g), [6., 12.])


# --- TF2 -------------------------------------------------------------------------------------

def test_eager_tensor_array(tf2):
    tf = tf2
    ta = tf.TensorArray(tf.float32, size=2)
    assert int(ta.size()) == 2 and ta.dtype == tf.float32 and not ta.dynamic_size
    assert ta.element_shape.rank is None and ta.handle is None
    assert ta.flow.dtype == tf.int32 and int(ta.flow) == 0
    ta = ta.write(0, [1., 2.])
    ta.write(0, [3., 4.])          # eagerly a rewrite replaces the element, as in TF
    np.testing.assert_array_equal(ta.read(1).numpy(), [0, 0])
    np.testing.assert_array_equal(ta.stack().numpy(), [[3, 4], [0, 0]])
    assert tf.TensorArray(tf.float32, size=0).stack().shape.as_list() == [0]
    assert tf.TensorArray(tf.float32, size=0, element_shape=[2]).stack().shape.as_list() == \
        [0, 2]
    t = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(3, [1., 2.])
    assert int(t.size()) == 4 and t.stack().shape.as_list() == [4, 2]
    t = tf.TensorArray(tf.float32, size=3).unstack([[1., 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(t.gather([2, 0]).numpy(), [[5, 6], [1, 2]])
    np.testing.assert_array_equal(t.concat().numpy(), [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(t.read(1).numpy(), [3, 4])
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"^Could not read index 1 twice because it was cleared after a "
                             r"previous read \(perhaps try setting clear_after_read = false\?\)$"):
        t.read(1)
    t = tf.TensorArray(tf.float32, size=2).split([1., 2, 3, 4, 5], [2, 3])
    np.testing.assert_array_equal(t.read(1).numpy(), [3, 4, 5])
    t = tf.TensorArray(tf.int32, size=3).scatter([2, 0], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(t.read(2).numpy(), [1, 2])
    np.testing.assert_array_equal(t.read(1).numpy(), [0, 0])
    assert t.close() is None and t.identity() is t
    assert tf.TensorArray(tf.float32, size=2).write(0, [1.]).element_shape.as_list() == [1]


def test_eager_errors_as_tf(tf2):
    tf = tf2
    ta = tf.TensorArray(tf.float32, size=2).write(0, [1., 2.])
    with pytest.raises(errors.OutOfRangeError, match=r"^Tried to write to index 5 but array "
                                                     r"is not resizeable and size is: 2 $"):
        ta.write(5, [1., 2.])
    with pytest.raises(ValueError, match=r"^Incompatible shape for value \(\(3,\)\), "
                                         r"expected \(\(2,\)\)$"):
        ta.write(1, [1., 2., 3.])
    with pytest.raises(ValueError, match=r"^Incompatible shape for value \(\(\)\), expected "
                                         r"\(\(2,\)\)$"):
        ta.write(1, 3.)
    with pytest.raises(errors.OutOfRangeError,
                       match="^Tried to read from index 7 but array size is: 2 $"):
        ta.read(7)
    with pytest.raises(ValueError, match="^Size must be declared for TensorArrays when eager "
                                         "execution is enabled.$"):
        tf.TensorArray(tf.float32)
    with pytest.raises(ValueError, match="^Cannot unstack 3 tensors into a TensorArray of "
                                         "static size 2 $"):
        tf.TensorArray(tf.float32, size=2).unstack([[1., 2], [3, 4], [5, 6]])
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"^Expected sum of lengths to be equal to values.shape\[0\], but "
                             r"sum of lengths is 4 and value's shape is: \[5\] $"):
        tf.TensorArray(tf.float32, size=2).split([1., 2, 3, 4, 5], [2, 2])


def test_eager_tape_gradient(tf2):
    tf = tf2
    x = tf.constant([[1., 2.], [3., 4.]])
    with tf.GradientTape() as g:
        g.watch(x)
        t = tf.TensorArray(tf.float32, size=2).unstack(x)
        y = tf.reduce_sum(t.stack() ** 2) + t.read(0)[0]
    np.testing.assert_array_equal(g.gradient(y, x).numpy(), [[3, 4], [6, 8]])


def test_tensor_array_in_tf_function_loop(tf2):
    tf = tf2

    @tf.function
    def f(x):
        def body(i, ta):
            return i + 1, ta.write(i, x[i] * 3.)
        _, ta = tf.while_loop(lambda i, ta: i < tf.shape(x)[0], body,
                              [tf.constant(0), tf.TensorArray(tf.float32, size=tf.shape(x)[0])])
        return ta.stack()
    np.testing.assert_array_equal(f(tf.constant([1., 2.])).numpy(), [3, 6])
    np.testing.assert_array_equal(f(tf.constant([1., 2., 5.])).numpy(), [3, 6, 15])
