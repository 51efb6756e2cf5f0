"""Reductions, arg-reductions, range/linspace, cast and the Python operators on tensors.

Expected op names/types/dtypes were recorded from TF 2.21 (`tf.compat.v1`, v2 behaviour
disabled); values are compared with NumPy.
"""
import numpy as np
import pytest

from tfteach import errors
from tfteach.framework import registry

X = np.array([[1., 2, 3], [4, 5, 6]], np.float32)
I = np.array([[1, 2, 3], [-4, 5, -6]], np.int32)


def _run(tf, t, feed=None):
    with tf.Session() as s:
        return s.run(t, feed)


def test_reduction_graph_names_like_tf(tf1):
    x = tf1.constant(X, name="x")
    i = tf1.constant(I, name="i")
    s0 = tf1.reduce_sum(x)
    assert (s0.name, s0.op.type, [t.name for t in s0.op.inputs]) == \
        ("Sum:0", "Sum", ["x:0", "Const:0"])
    s1 = tf1.reduce_sum(x, 1)
    assert [t.name for t in s1.op.inputs] == ["x:0", "Sum_1/reduction_indices:0"]
    assert s1.shape.as_list() == [2]
    m = tf1.reduce_mean(i, axis=[0], keepdims=True)
    assert (m.name, m.dtype.name, m.shape.as_list()) == ("Mean:0", "int32", [1, 3])
    mx = tf1.reduce_max(x, keep_dims=True)
    assert (mx.name, mx.shape.as_list(), mx.op.get_attr("keep_dims")) == ("Max:0", [1, 1], True)
    a = tf1.reduce_all(tf1.constant([True]))
    assert (a.op.type, a.dtype.name) == ("All", "bool")
    c = tf1.count_nonzero(x)
    assert (c.name, c.dtype.name) == ("count_nonzero/Sum:0", "int64")
    ops = [o.name for o in tf1.get_default_graph().get_operations()]
    assert ["count_nonzero/zeros", "count_nonzero/NotEqual", "count_nonzero/Cast",
            "count_nonzero/Const", "count_nonzero/Sum"] == [n for n in ops
                                                           if n.startswith("count_nonzero")]


def test_reduction_values(tf1):
    x = tf1.constant(X)
    i = tf1.constant(I)
    b = tf1.constant([[True, False], [True, True]])
    cube = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    c = tf1.constant(cube)
    got = _run(tf1, {
        "sum": tf1.reduce_sum(x), "sum1": tf1.reduce_sum(x, 1), "sum0": tf1.reduce_sum(x, 0),
        "mean_int": tf1.reduce_mean(tf1.constant([-3, -4, 1])),      # -2: truncates
        "mean_int0": tf1.reduce_mean(i, 0), "mean": tf1.reduce_mean(x, 0),
        "prod": tf1.reduce_prod(i, 0), "min": tf1.reduce_min(i), "max": tf1.reduce_max(x, 1),
        "all": tf1.reduce_all(b, 1), "any": tf1.reduce_any(b, 0), "all0": tf1.reduce_all(b),
        "mid": tf1.reduce_sum(c, [1], keepdims=True), "ends": tf1.reduce_min(c, [0, 2]),
        "neg": tf1.reduce_sum(x, -1), "v1": tf1.reduce_sum(x, reduction_indices=[0]),
        "cnz": tf1.count_nonzero(tf1.constant([[0., 1.], [2., 0.]]), axis=1),
    })
    assert got["sum"] == 21.0 and got["sum"].dtype == np.float32
    np.testing.assert_array_equal(got["sum1"], X.sum(1))
    np.testing.assert_array_equal(got["sum0"], X.sum(0))
    assert got["mean_int"] == -2 and got["mean_int"].dtype == np.int32
    np.testing.assert_array_equal(got["mean_int0"], [-1, 3, -1])
    np.testing.assert_allclose(got["mean"], X.mean(0))
    np.testing.assert_array_equal(got["prod"], I.prod(0))
    assert got["min"] == -6
    np.testing.assert_array_equal(got["max"], [3, 6])
    np.testing.assert_array_equal(got["all"], [False, True])
    np.testing.assert_array_equal(got["any"], [True, True])
    assert not got["all0"]
    np.testing.assert_array_equal(got["mid"], cube.sum(1, keepdims=True))
    np.testing.assert_array_equal(got["ends"], cube.min((0, 2)))
    np.testing.assert_array_equal(got["neg"], X.sum(-1))
    np.testing.assert_array_equal(got["v1"], X.sum(0))
    np.testing.assert_array_equal(got["cnz"], [1, 1])


def test_reduction_nan_empty_and_large(tf1):
    nan = tf1.constant([[1., np.nan, 3.]])
    empty = tf1.zeros([0])
    got = _run(tf1, [tf1.reduce_max(nan), tf1.reduce_min(nan), tf1.argmax(nan, 1),
                     tf1.reduce_max(empty), tf1.reduce_prod(empty), tf1.reduce_sum(empty)])
    assert np.isnan(got[0]) and np.isnan(got[1])
    assert got[2].tolist() == [2]                 # TF: NaN never wins argmax
    assert got[3] == -np.inf and got[4] == 1.0 and got[5] == 0.0
    rng = np.random.default_rng(0)
    big = rng.random((1200, 1000), dtype=np.float32)   # above the parallel threshold
    p = tf1.placeholder(tf1.float32)
    v = _run(tf1, [tf1.reduce_sum(p), tf1.reduce_sum(p, 1), tf1.reduce_max(p, 1),
                   tf1.reduce_mean(p, 0)], {p: big})
    np.testing.assert_allclose(v[0], big.sum(dtype=np.float64), rtol=1e-6)
    np.testing.assert_allclose(v[1], big.sum(1), rtol=1e-5)
    np.testing.assert_array_equal(v[2], big.max(1))
    np.testing.assert_allclose(v[3], big.mean(0), rtol=1e-5)


def test_reduction_errors(tf1):
    x = tf1.zeros([2, 3])
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 "
                                         "dimensions"):
        tf1.reduce_sum(x, 2)
    with pytest.raises(ValueError, match="Cannot specify both 'keep_dims' and 'keepdims'"):
        tf1.reduce_mean(x, keepdims=True, keep_dims=True)
    with pytest.raises(ValueError, match="must be in the range \\[-2, 2\\)"):
        tf1.argmax(x, 2)
    p = tf1.placeholder(tf1.float32)
    with pytest.raises(errors.InvalidArgumentError, match="Invalid reduction dimension"):
        _run(tf1, tf1.reduce_sum(p, 3), {p: np.zeros((2, 2))})
    with pytest.raises(errors.InvalidArgumentError, match="Reduction axis 1 is empty"):
        _run(tf1, tf1.argmax(p, 1), {p: np.zeros((2, 0))})


def test_argmax_argmin(tf1):
    x = tf1.constant(X)
    am = tf1.argmax(x, 1)
    assert (am.name, am.dtype.name, [t.name for t in am.op.inputs]) == \
        ("ArgMax:0", "int64", ["Const:0", "ArgMax/dimension:0"])
    an = tf1.argmin(x)
    assert an.shape.as_list() == [3]
    i32 = tf1.argmax(tf1.constant([[1, 5, 5], [7, 0, 7]]), 1, output_type=tf1.int32)
    got = _run(tf1, [am, an, i32])
    assert got[0].tolist() == [2, 2] and got[1].tolist() == [0, 0, 0]
    assert got[2].tolist() == [1, 0] and got[2].dtype == np.int32   # first max wins


def test_range_and_linspace(tf1):
    r = tf1.range(5)
    assert (r.name, r.dtype.name, [t.name for t in r.op.inputs]) == \
        ("range:0", "int32", ["range/start:0", "range/limit:0", "range/delta:0"])
    rf = tf1.range(1, 5, 0.5)
    assert rf.dtype.name == "float32" and rf.shape.as_list() == [8]
    assert [t.name for t in rf.op.inputs] == ["range_1/Cast:0", "range_1/Cast_1:0",
                                              "range_1/delta:0"]
    r64 = tf1.range(tf1.constant(3, tf1.int64))
    down = tf1.range(10, 2, -3)
    lin = tf1.linspace(0., 1., 5)
    got = _run(tf1, [r, rf, r64, down, lin])
    assert got[0].tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(got[1], np.arange(1, 5, 0.5))
    assert got[2].dtype == np.int64 and got[2].tolist() == [0, 1, 2]
    assert got[3].tolist() == [10, 7, 4]
    np.testing.assert_allclose(got[4], [0, 0.25, 0.5, 0.75, 1])
    with pytest.raises(ValueError, match="Requires delta != 0"):
        tf1.range(0, 5, 0)
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/0"):
        tf1.range(5, 0, 1)


def test_cast_conversions_like_tf(tf1):
    f = tf1.constant([-1.7, 2.7, 0.0])
    got = _run(tf1, [tf1.cast(f, tf1.int32), tf1.cast(f, tf1.bool),
                     tf1.cast(tf1.constant([True, False]), tf1.float32),
                     tf1.cast(tf1.constant([3, 0]), tf1.bool)])
    assert got[0].tolist() == [-1, 2, 0]          # truncation toward zero
    assert got[1].tolist() == [True, True, False]
    assert got[2].tolist() == [1.0, 0.0]
    assert got[3].tolist() == [True, False]


def test_operator_table(tf1):
    """The seed's operator table (conformance case s2_p11): op types, names, values."""
    x = tf1.constant([-3, 2, 7], name="x")
    y = tf1.constant([2, 2, 3], name="y")
    f = tf1.constant([1.5, -2.0, 4.0], name="f")
    p = tf1.constant([True, True, False], name="p")
    q = tf1.constant([True, False, False], name="q")
    exprs = {"-x": -x, "~p": ~p, "abs(x)": abs(x), "x // y": x // y, "x % y": x % y,
             "x ** y": x ** y, "x < y": x < y, "x >= y": x >= y, "p ^ q": p ^ q,
             "-f": -f, "abs(f)": abs(f), "2 - f": 2 - f, "x[1]": x[1]}
    want = {"-x": ("Neg", "Neg", [3, -2, -7]), "~p": ("LogicalNot", "LogicalNot",
                                                     [False, False, True]),
            "abs(x)": ("Abs", "Abs", [3, 2, 7]), "x // y": ("FloorDiv", "floordiv", [-2, 1, 2]),
            "x % y": ("FloorMod", "mod", [1, 0, 1]), "x ** y": ("Pow", "pow", [9, 4, 343]),
            "x < y": ("Less", "Less", [True, False, False]),
            "x >= y": ("GreaterEqual", "GreaterEqual", [False, True, True]),
            "p ^ q": ("LogicalAnd", "xor", [False, True, False]),
            "-f": ("Neg", "Neg_1", [-1.5, 2.0, -4.0]), "abs(f)": ("Abs", "Abs_1", [1.5, 2, 4]),
            "2 - f": ("Sub", "sub", [0.5, 4.0, -2.0]),
            "x[1]": ("StridedSlice", "strided_slice", 2)}
    vals = _run(tf1, exprs)
    for k, (typ, name, value) in want.items():
        t = exprs[k]
        assert (t.op.type, t.op.name) == (typ, name), k
        assert np.asarray(vals[k]).tolist() == value, k


def test_matmul_operator_name(tf1):
    x = tf1.constant(X, name="x")
    a = tf1.matmul(x, x, transpose_b=True)
    b = x @ tf1.transpose(x)
    assert (a.name, b.name, b.op.type) == ("MatMul:0", "matmul_1:0", "MatMul")  # TF: case-
    # insensitive uniquification makes the operator's "matmul" scope "matmul_1"
    np.testing.assert_allclose(_run(tf1, b), X @ X.T)


def test_eager_reductions(tf2):
    from tfteach.ops import math_ops
    x = tf2.constant(X)
    np.testing.assert_array_equal(math_ops.reduce_sum(x, 1).numpy(), X.sum(1))
    assert math_ops.reduce_mean(tf2.constant([-3, -4, 1])).numpy() == -2
    assert math_ops.argmax(x, 1).numpy().tolist() == [2, 2]
    assert math_ops.range(3).numpy().tolist() == [0, 1, 2]


def test_my_ops_have_kernels_and_shape_rules():
    import tfteach.v1  # noqa: F401 - registers every op
    mine = ["Sum", "Mean", "Prod", "Max", "Min", "All", "Any", "ArgMax", "ArgMin", "Range",
            "LinSpace", "MatMul", "BatchMatMulV2", "MatrixInverse", "MatrixDeterminant",
            "Reshape", "Transpose", "ConcatV2", "Pack", "Unpack", "GatherV2", "Slice",
            "StridedSlice", "Tile", "ExpandDims", "Squeeze", "Pad", "PadV2", "MirrorPad",
            "ReverseV2", "Select", "SelectV2", "Where", "OneHot", "Split", "SplitV", "Fill",
            "ZerosLike", "OnesLike", "BroadcastTo", "RandomUniform", "RandomStandardNormal",
            "TruncatedNormal", "RandomUniformInt", "RandomShuffle", "Multinomial"]
    for t in mine:
        opdef = registry.get(t)
        assert opdef.shape is not None, t
        assert opdef.kernel_for("CPU") is not None, t


def test_reduction_of_unknown_rank_is_scalar(tf1):
    p = tf1.placeholder(tf1.float32)
    m = tf1.reduce_mean(tf1.square(p))
    assert repr(m) == "<tf.Tensor 'Mean:0' shape=() dtype=float32>"
    assert [(o.name, o.type) for o in tf1.get_default_graph().get_operations()] == [
        ("Placeholder", "Placeholder"), ("Square", "Square"), ("Rank", "Rank"),
        ("range/start", "Const"), ("range/delta", "Const"), ("range", "Range"),
        ("Mean", "Mean")]          # as TF 2.21 builds it
    assert _run(tf1, m, {p: np.array([[1., 2.], [3., 4.]])}) == 7.5
    assert tf1.reduce_sum(p, keepdims=True).shape.rank is None


def test_parallel_reduction_path(tf1, monkeypatch):
    """The parallel row loop (normally only from 2**24 elements) gives the serial results."""
    from tfteach.kernels.cpu import reduction as R
    monkeypatch.setattr(R, "_PARALLEL_MIN", 1000)
    rng = np.random.default_rng(3)
    x = rng.random((40, 300)).astype(np.float32)
    x[3, 7] = np.nan
    p = tf1.placeholder(tf1.float32)
    got = _run(tf1, [tf1.reduce_sum(p, 1), tf1.reduce_max(p, 1), tf1.reduce_sum(p),
                     tf1.reduce_min(p, 0)], {p: x})
    np.testing.assert_allclose(got[0], x.sum(1), rtol=1e-5)
    np.testing.assert_array_equal(got[1], x.max(1))          # NaN row stays NaN
    assert np.isnan(got[2])
    np.testing.assert_array_equal(got[3], x.min(0))
    y = rng.random(12345).astype(np.float32)                  # few long rows: blocked
    np.testing.assert_allclose(_run(tf1, tf1.reduce_sum(p), {p: y}), y.sum(dtype=np.float64),
                               rtol=1e-6)
    np.testing.assert_array_equal(_run(tf1, tf1.reduce_max(p), {p: y}), y.max())


def test_python_inputs_and_dtype_lists_like_tf(tf1):
    tf1.reduce_mean([1., 2.])
    assert [(o.name, o.type) for o in tf1.get_default_graph().get_operations()] == [
        ("Rank/Const", "Const"), ("Rank", "Const"), ("range/start", "Const"),
        ("range/delta", "Const"), ("range", "Range"), ("Mean/input", "Const"),
        ("Mean", "Mean")]
    assert tf1.argmax([1, 3]).op.inputs[0].name == "ArgMax/input:0"
    assert tf1.matrix_inverse([[1., 0], [0, 1]]).op.inputs[0].name == "MatrixInverse/input:0"
    with pytest.raises(TypeError, match="Value passed to parameter 'input' has DataType bool "
                                        "not in list of allowed values: float32, float64"):
        tf1.reduce_sum([True])
    with pytest.raises(TypeError, match="parameter 'a' has DataType int8 not in list"):
        tf1.matmul(tf1.zeros([2, 2], tf1.int8), tf1.zeros([2, 2], tf1.int8))
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values: "
                                        "float64, float32, float16"):
        tf1.matrix_inverse(tf1.zeros([2, 2], tf1.int32))
    with pytest.raises(TypeError, match="Input 'input' of 'All' Op has type int32 that does "
                                        "not match expected type of bool"):
        tf1.reduce_all(tf1.constant([1]))


def test_eager_dtype_list_error(tf2):
    from tfteach.ops import math_ops
    with pytest.raises(errors.InvalidArgumentError, match="Value for attr 'T' of bool is not "
                                                          "in the list of allowed values"):
        math_ops.reduce_sum(tf2.constant([True]))
