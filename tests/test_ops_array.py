"""Array ops: names/types as TF 2.21 builds them, values as NumPy computes them, and the
errors TF raises (ValueError when the graph is built, InvalidArgumentError at run time)."""
import numpy as np
import pytest

from tfteach import errors

X = np.array([[1., 2, 3], [4, 5, 6]], np.float32)


def _run(tf, t, feed=None):
    with tf.Session() as s:
        return s.run(t, feed)


def _desc(t):
    return t.name, t.op.type, [i.name for i in t.op.inputs]


def test_graph_names_like_tf(tf1):
    x = tf1.constant(X, name="x")
    assert _desc(tf1.transpose(x)) == ("transpose:0", "Transpose", ["x:0", "transpose/perm:0"])
    assert _desc(tf1.matrix_transpose(x)) == (
        "matrix_transpose/transpose:0", "Transpose",
        ["x:0", "matrix_transpose/transpose/perm:0"])
    assert _desc(tf1.reshape(x, [-1])) == ("Reshape:0", "Reshape", ["x:0", "Reshape/shape:0"])
    assert _desc(tf1.concat([x, x], 0)) == ("concat:0", "ConcatV2",
                                            ["x:0", "x:0", "concat/axis:0"])
    assert _desc(tf1.stack([x, x])) == ("stack:0", "Pack", ["x:0", "x:0"])
    assert tf1.stack([1, 2]).op.type == "Const"
    assert [t.name for t in tf1.unstack(x)] == ["unstack:0", "unstack:1"]
    assert _desc(tf1.gather(x, [1, 0])) == ("GatherV2:0", "GatherV2",
                                            ["x:0", "GatherV2/indices:0", "GatherV2/axis:0"])
    assert _desc(tf1.slice(x, [0, 1], [1, 2]))[:2] == ("Slice:0", "Slice")
    assert _desc(x[0]) == ("strided_slice:0", "StridedSlice",
                           ["x:0", "strided_slice/stack:0", "strided_slice/stack_1:0",
                            "strided_slice/stack_2:0"])
    s = x[:, 1:]
    assert (s.op.get_attr("begin_mask"), s.op.get_attr("end_mask"),
            s.op.get_attr("shrink_axis_mask")) == (1, 3, 0)
    assert _desc(tf1.tile(x, [2, 1]))[:2] == ("Tile:0", "Tile")
    assert _desc(tf1.expand_dims(x, 0)) == ("ExpandDims:0", "ExpandDims",
                                            ["x:0", "ExpandDims/dim:0"])
    assert tf1.squeeze(tf1.zeros([1, 2, 1])).op.get_attr("squeeze_dims") == []
    assert tf1.pad(x, [[1, 1], [0, 0]]).op.type == "Pad"
    assert tf1.pad(x, [[1, 1], [0, 0]], constant_values=7).op.type == "PadV2"
    assert _desc(tf1.reverse(x, [0]))[:2] == ("ReverseV2:0", "ReverseV2")
    assert tf1.where(x > 2, x, x).op.type == "Select"
    w = tf1.where(x > 2)
    assert (w.op.type, w.dtype.name, w.shape.as_list()) == ("Where", "int64", [None, 2])
    assert tf1.where_v2(x > 2, x, 0.).op.type == "SelectV2"
    oh = tf1.one_hot([1, 2], 3)
    assert _desc(oh) == ("one_hot:0", "OneHot", ["one_hot/indices:0", "one_hot/depth:0",
                                                 "one_hot/on_value:0", "one_hot/off_value:0"])
    sp = tf1.split(x, 3, axis=1)
    assert [t.name for t in sp] == ["split:0", "split:1", "split:2"]
    assert sp[0].op.type == "Split" and sp[0].op.inputs[0].name == "split/split_dim:0"
    sv = tf1.split(x, [1, 2], 1)
    assert sv[0].op.type == "SplitV" and [t.shape.as_list() for t in sv] == [[2, 1], [2, 2]]
    assert _desc(tf1.fill([2, 3], 1.0)) == ("Fill:0", "Fill", ["Fill/dims:0", "Fill/value:0"])


def test_zeros_ones_like_tf(tf1):
    g = tf1.get_default_graph()
    z = tf1.zeros([2, 3])
    assert (z.name, z.op.type) == ("zeros:0", "Const")       # small: a Const
    big = tf1.ones([30, 40])
    assert (big.name, big.op.type) == ("ones:0", "Fill")      # >= 1000 elements: Fill
    assert [t.name for t in big.op.inputs] == ["ones/shape_as_tensor:0", "ones/Const:0"]
    zl = tf1.zeros_like(tf1.constant(X))
    assert (zl.name, zl.op.type) == ("zeros_like:0", "Const")
    ol = tf1.ones_like(tf1.constant(X))
    assert (ol.name, ol.op.type) == ("ones_like:0", "Fill")
    assert [t.name for t in ol.op.inputs] == ["ones_like/Shape/shape_as_tensor:0",
                                              "ones_like/Const:0"]
    p = tf1.placeholder(tf1.float32, [None, 2])
    zp = tf1.zeros_like(p)
    assert zp.op.type == "ZerosLike"
    got = _run(tf1, [z, big, zl, ol, zp, tf1.ones([2], tf1.int32), tf1.zeros([2], tf1.bool)],
               {p: np.ones((3, 2), np.float32)})
    assert got[0].shape == (2, 3) and not got[0].any()
    assert got[1].shape == (30, 40) and (got[1] == 1).all()
    assert (got[3] == 1).all() and got[4].shape == (3, 2) and not got[4].any()
    assert got[5].dtype == np.int32 and got[6].dtype == np.bool_
    assert g.get_operation_by_name("ones/shape_as_tensor").type == "Const"


def test_values_match_numpy(tf1):
    x = tf1.constant(X)
    c = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    ct = tf1.constant(c)
    t = {
        "transpose": tf1.transpose(x), "perm3": tf1.transpose(ct, [1, 2, 0]),
        "reshape": tf1.reshape(x, [3, -1]), "concat": tf1.concat([x, x], -1),
        "stack1": tf1.stack([x, x], axis=1), "unstack": tf1.unstack(x, axis=1),
        "gather": tf1.gather(x, [[2], [0]], axis=1), "slice": tf1.slice(x, [0, 1], [-1, 1]),
        "tile": tf1.tile(x, [2, 1]), "exp": tf1.expand_dims(x, -1),
        "sq": tf1.squeeze(tf1.zeros([1, 2, 1]), [2]),
        "pad": tf1.pad(x, [[1, 1], [0, 2]]), "padv2": tf1.pad(x, [[1, 0], [0, 1]],
                                                              constant_values=7),
        "reflect": tf1.pad(x, [[1, 1], [2, 2]], mode="REFLECT"),
        "sym": tf1.pad(x, [[1, 1], [2, 2]], mode="SYMMETRIC"),
        "rev": tf1.reverse(ct, [0, 2]), "sel": tf1.where(x > 2, x, -x),
        "selrow": tf1.where([True, False], x, -x), "where": tf1.where(x > 2),
        "selv2": tf1.where_v2(x > 2, x, 0.), "oh": tf1.one_hot([1, 2, 5, -1], 3),
        "oh0": tf1.one_hot([1, 0], 3, on_value=5, off_value=-1, axis=0),
        "split": tf1.split(ct, [1, -1], 2), "fill": tf1.fill([2, 2], 7),
        "bcast": tf1.broadcast_to([1, 2], [2, 2]), "mask": tf1.boolean_mask(x, [True, False]),
    }
    v = _run(tf1, t)
    np.testing.assert_array_equal(v["transpose"], X.T)
    np.testing.assert_array_equal(v["perm3"], c.transpose(1, 2, 0))
    np.testing.assert_array_equal(v["reshape"], X.reshape(3, -1))
    np.testing.assert_array_equal(v["concat"], np.concatenate([X, X], -1))
    np.testing.assert_array_equal(v["stack1"], np.stack([X, X], 1))
    np.testing.assert_array_equal(v["unstack"][2], X[:, 2])
    np.testing.assert_array_equal(v["gather"], np.take(X, [[2], [0]], axis=1))
    np.testing.assert_array_equal(v["slice"], X[0:, 1:2])
    np.testing.assert_array_equal(v["tile"], np.tile(X, [2, 1]))
    assert v["exp"].shape == (2, 3, 1) and v["sq"].shape == (1, 2)
    np.testing.assert_array_equal(v["pad"], np.pad(X, [[1, 1], [0, 2]]))
    np.testing.assert_array_equal(v["padv2"], np.pad(X, [[1, 0], [0, 1]], constant_values=7))
    np.testing.assert_array_equal(v["reflect"], np.pad(X, [[1, 1], [2, 2]], mode="reflect"))
    np.testing.assert_array_equal(v["sym"], np.pad(X, [[1, 1], [2, 2]], mode="symmetric"))
    np.testing.assert_array_equal(v["rev"], c[::-1, :, ::-1])
    np.testing.assert_array_equal(v["sel"], np.where(X > 2, X, -X))
    np.testing.assert_array_equal(v["selrow"], np.stack([X[0], -X[1]]))
    np.testing.assert_array_equal(v["where"], np.argwhere(X > 2))
    np.testing.assert_array_equal(v["selv2"], np.where(X > 2, X, 0))
    np.testing.assert_array_equal(v["oh"], [[0, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(v["oh0"], [[-1, 5], [5, -1], [-1, -1]])
    assert [a.shape for a in v["split"]] == [(2, 3, 1), (2, 3, 3)]
    assert v["fill"].tolist() == [[7, 7], [7, 7]] and v["fill"].dtype == np.int32
    np.testing.assert_array_equal(v["bcast"], [[1, 2], [1, 2]])
    np.testing.assert_array_equal(v["mask"], X[:1])


@pytest.mark.parametrize("key", [
    (0,), (slice(None), slice(1, None)), (Ellipsis, slice(None, None, -1)),
    (None, 1, -1), (slice(1, None), None, slice(None, 2)), (-1, Ellipsis),
    (slice(None, None, 2), slice(None, None, -2)), (slice(5, -7, -1),), (1, 2),
    (slice(-100, 100),), (Ellipsis, None),
])
def test_getitem_matches_numpy(tf1, key):
    c = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    t = tf1.constant(c)[key]
    want = c[key]
    assert t.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(_run(tf1, t), want)


def test_getitem_with_tensor_index_and_errors(tf1):
    c = tf1.constant([1, 2, 3])
    i = tf1.placeholder(tf1.int32, [])
    t = c[i]
    assert t.op.type == "StridedSlice" and t.shape.as_list() == []
    assert _run(tf1, t, {i: 2}) == 3
    assert _run(tf1, t, {i: -3}) == 1
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"slice index 5 of dimension 0 out of bounds"):
        _run(tf1, t, {i: 5})
    with pytest.raises(ValueError, match="slice index 5 of dimension 0 out of bounds"):
        c[5]
    with pytest.raises(ValueError, match="Index out of range using input dim 1"):
        c[1, 2]
    with pytest.raises(TypeError, match="Only integers, slices"):
        c[1.5]


def test_shape_errors_at_graph_build(tf1):
    z = tf1.zeros
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 4 but "
                                         "is 6"):
        tf1.reshape(z([6]), [4, -1])
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape "
                                         r"\[4,2\] \(8 elements\)"):
        tf1.reshape(z([6]), [4, 2])
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 3 "
                                         "and 2. Shapes are \\[3\\] and \\[2\\]"):
        tf1.concat([z([2, 3]), z([2, 2])], 0)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf1.concat([z([2, 3]), z([2])], 0)
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal"):
        tf1.stack([z([2, 3]), z([2, 2])])
    with pytest.raises(ValueError, match="Dimension must be 2 but is 1"):
        tf1.transpose(z([2, 3]), [0])
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf1.tile(z([2, 3]), [2])
    with pytest.raises(ValueError, match="Can not squeeze dim\\[0\\], expected a dimension of "
                                         "1, got 2"):
        tf1.squeeze(z([2, 3]), [0])
    with pytest.raises(ValueError, match="dim 4 not in the interval \\[-3, 2\\]"):
        tf1.expand_dims(z([2, 3]), 4)
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 2 but "
                                         "is 3"):
        tf1.split(z([2, 3]), 2, 1)
    with pytest.raises(ValueError, match="Argument `axis` = 2 not in range \\[-2, 2\\)"):
        tf1.unstack(z([2, 3]), axis=2)
    with pytest.raises(ValueError, match="Cannot infer argument `num`"):
        tf1.unstack(tf1.placeholder(tf1.float32, [None, 2]))
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 2 "
                                         "and 3"):
        tf1.where(z([2], tf1.bool), z([3]), z([3]))
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf1.fill([2, 3], [1.0, 2.0])
    n_ops = len(tf1.get_default_graph().get_operations())
    with pytest.raises(ValueError):
        tf1.reshape(z([6]), [5])
    # the failed op is not added (its shape Const and input are)
    assert all(o.type != "Reshape" or o.name != "Reshape_3"
               for o in tf1.get_default_graph().get_operations()[n_ops:])


def test_run_time_errors(tf1):
    def pwd(v, shape):
        return tf1.placeholder_with_default(v, shape)
    cases = [
        (tf1.reshape(pwd(np.zeros(6, np.float32), [None]), [4, -1]),
         "Input to reshape is a tensor with 6 values, but the requested shape requires a "
         "multiple of 4"),
        (tf1.reshape(pwd(np.zeros(6, np.float32), [None]), [4, 2]),
         "Input to reshape is a tensor with 6 values, but the requested shape has 8"),
        (tf1.gather(tf1.zeros([3]), pwd([5], [None])), r"indices\[0\] = 5 is not in \[0, 3\)"),
        (tf1.gather(tf1.zeros([3, 2]), pwd([[0, 7]], [None, None])),
         r"indices\[0,1\] = 7 is not in \[0, 3\)"),
        (tf1.gather(tf1.zeros([3, 2]), pwd([[0, -1]], [None, None])),
         r"indices\[0,1\] = -1 is not in \[0, 3\)"),
        (tf1.concat([pwd(np.zeros((2, 3), np.float32), [None, None]), tf1.zeros([2, 2])], 0),
         "ConcatOp : Dimension 1 in both shapes must be equal"),
        (tf1.slice(pwd(np.zeros((2, 3), np.float32), [None, None]), [0, 2], [1, 2]),
         r"Expected size\[1\] in \[0, 1\], but got 2"),
        (tf1.split(pwd(np.zeros((2, 3), np.float32), None), 2, 1),
         "Number of ways to split should evenly divide the split dimension"),
        (tf1.fill(pwd([2, -1], [2]), 1.0), "Dimension -1 must be >= 0"),   # TF 2.21, in a Session too
        (tf1.transpose(pwd(np.zeros((2, 3), np.float32), None), [0, 0]), "duplicated"),
    ]
    with tf1.Session() as s:
        for t, msg in cases:
            with pytest.raises(errors.InvalidArgumentError, match=msg):
                s.run(t)


def test_eager_array_ops(tf2):
    from tfteach.ops import array_ops as A
    x = tf2.constant(X)
    np.testing.assert_array_equal(A.transpose(x).numpy(), X.T)
    np.testing.assert_array_equal(x[:, ::-1].numpy(), X[:, ::-1])
    assert A.zeros([2, 2]).numpy().tolist() == [[0, 0], [0, 0]]
    assert A.ones_like(x).numpy().sum() == 6
    np.testing.assert_array_equal(A.concat([x, x], 0).numpy(), np.concatenate([X, X]))
    assert [t.numpy().tolist() for t in A.unstack(x)] == X.tolist()
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[0\] = 5 is not in"):
        A.gather(x, [5])


def test_lists_holding_tensors_are_packed(tf1):
    x = tf1.placeholder(tf1.float32, [None, 6])
    n = tf1.shape(x)[0]
    r = tf1.reshape(x, [n, 2, -1])
    packed = r.op.inputs[1]
    assert (packed.name, packed.op.type) == ("Reshape/shape:0", "Pack")
    assert [t.name for t in packed.op.inputs][1:] == ["Reshape/shape/1:0", "Reshape/shape/2:0"]
    z = tf1.zeros([n, 3])
    assert z.op.type == "Fill" and z.shape.as_list() == [None, 3]
    v = _run(tf1, [r, z], {x: np.arange(12, dtype=np.float32).reshape(2, 6)})
    assert v[0].shape == (2, 2, 3) and v[1].shape == (2, 3)
    # lists without graph tensors still become Consts, with dtype hints honoured
    assert _run(tf1, tf1.constant([1.0, 2.0]) / [1, 2]).tolist() == [1.0, 1.0]


def test_eager_reshape_and_slicing_use_each_calls_values(tf2):
    from tfteach.ops import array_ops as A
    x = tf2.constant(np.arange(12, dtype=np.float32))
    assert A.reshape(x, [3, 4]).shape == (3, 4)
    assert A.reshape(x, [2, -1]).shape == (2, 6)          # not the first call's shape
    assert x[1].numpy() == 1 and x[5].numpy() == 5
    assert x[2:4].numpy().tolist() == [2, 3]


def test_plan_specialised_kernels_check_shapes(tf1):
    p = tf1.placeholder(tf1.float32, [None])
    r = tf1.reshape(p, [2, -1])
    s = p[3]
    with tf1.Session() as sess:
        assert sess.run(r, {p: np.arange(6)}).shape == (2, 3)
        assert sess.run(r, {p: np.arange(8)}).shape == (2, 4)
        with pytest.raises(errors.InvalidArgumentError, match="requires a multiple of 2"):
            sess.run(r, {p: np.arange(5)})
        assert sess.run(s, {p: np.arange(5)}) == 3
        with pytest.raises(errors.InvalidArgumentError, match="slice index 3 of dimension 0 "
                                                              "out of bounds"):
            sess.run(s, {p: np.arange(2)})


_TF_BOOLEAN_MASK_2D = [
    "Placeholder", "Greater/y", "Greater", "boolean_mask/Shape",
    "boolean_mask/strided_slice/stack", "boolean_mask/strided_slice/stack_1",
    "boolean_mask/strided_slice/stack_2", "boolean_mask/strided_slice",
    "boolean_mask/Prod/reduction_indices", "boolean_mask/Prod", "boolean_mask/Shape_1",
    "boolean_mask/strided_slice_1/stack", "boolean_mask/strided_slice_1/stack_1",
    "boolean_mask/strided_slice_1/stack_2", "boolean_mask/strided_slice_1",
    "boolean_mask/Shape_2", "boolean_mask/strided_slice_2/stack",
    "boolean_mask/strided_slice_2/stack_1", "boolean_mask/strided_slice_2/stack_2",
    "boolean_mask/strided_slice_2", "boolean_mask/concat/values_1",
    "boolean_mask/concat/axis", "boolean_mask/concat", "boolean_mask/Reshape",
    "boolean_mask/Reshape_1/shape", "boolean_mask/Reshape_1", "boolean_mask/Where",
    "boolean_mask/Squeeze", "boolean_mask/GatherV2/axis", "boolean_mask/GatherV2"]


def test_boolean_index_is_boolean_mask_with_tfs_graph(tf1):
    # x[x > 0] on a rank-2 tensor: TF 2.21's op names, recorded from tf.compat.v1
    p = tf1.placeholder(tf1.float32, [None, 3])
    m = p[p > 0]
    assert [o.name for o in tf1.get_default_graph().get_operations()] == _TF_BOOLEAN_MASK_2D
    assert m.shape.as_list() == [None]
    with tf1.Session() as s:
        np.testing.assert_array_equal(s.run(m, {p: [[1, -1, 2], [-3, 4, -5]]}), [1, 2, 4])


def test_boolean_index_eager(tf2):
    tf = tf2
    x = tf.constant([[1, 5, 3], [7, 2, 9]])
    np.testing.assert_array_equal(x[x > 2].numpy(), [5, 3, 7, 9])
    np.testing.assert_array_equal(x[np.array([True, False])].numpy(), [[1, 5, 3]])
    v = tf.Variable([1.0, 4.0, 6.0])
    np.testing.assert_array_equal(v[v > 2.0].numpy(), [4.0, 6.0])
    np.testing.assert_array_equal(tf.boolean_mask(x, [False, True], axis=0).numpy(),
                                  [[7, 2, 9]])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(x, [True, False, True])
