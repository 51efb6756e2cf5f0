"""Clipping, scans, the math composites and the extra array/sort ops.

Expected op names, values and error texts were measured with TF 2.21 (`tf.compat.v1` with
v2 behaviour disabled for graphs, TF2 eager for values) and are hard-coded here.
"""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

X = np.array([[1., -2., 3.], [0.5, 4., -6.]], np.float32)


def _ops(g):
    return [(o.name, o.type) for o in g.get_operations()]


def _close(t, want, **kw):
    np.testing.assert_allclose(t.numpy(), want, rtol=kw.get("rtol", 1e-6), atol=1e-7)


# --- clip ops ------------------------------------------------------------------------------

def test_clip_graphs_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 3], name="x")
    c = tf1.clip_by_value(x, -1., 1.)
    assert c.name == "clip_by_value:0"
    assert _ops(tf1.get_default_graph())[1:] == [
        ("clip_by_value/Minimum/y", "Const"), ("clip_by_value/Minimum", "Minimum"),
        ("clip_by_value/y", "Const"), ("clip_by_value", "Maximum")]
    n = tf1.clip_by_norm(x, 1.)
    assert n.name == "clip_by_norm:0"
    types = [t for name, t in _ops(tf1.get_default_graph()) if name.startswith("clip_by_norm")]
    assert types == ["Mul", "Const", "Sum", "Const", "Greater", "Const", "Const", "Fill",
                     "Select", "Sqrt", "Select", "Const", "Mul", "Const", "Maximum",
                     "RealDiv", "Identity"]
    clipped, gn = tf1.clip_by_global_norm([x, x], 1.)
    assert gn.name == "global_norm/global_norm:0"
    assert [t.name for t in clipped] == ["clip_by_global_norm/clip_by_global_norm/_0:0",
                                         "clip_by_global_norm/clip_by_global_norm/_1:0"]
    names = [n for n, _ in _ops(tf1.get_default_graph())]
    assert ["global_norm/L2Loss", "global_norm/L2Loss_1", "global_norm/stack"] == \
        [n for n in names if n.startswith("global_norm/") and
         n.split("/")[1] in ("L2Loss", "L2Loss_1", "stack")]
    a = tf1.clip_by_average_norm(x, 1.)
    assert a.name == "clip_by_average_norm:0" and a.op.type == "Identity"


def test_clip_values_like_tf(tf2):
    x = tf2.constant(X)
    _close(tf2.clip_by_value(x, 2., 1.), np.full((2, 3), 2.))
    assert tf2.clip_by_value(tf2.constant([1, 5, 9]), 2, 6).numpy().tolist() == [2, 5, 6]
    _close(tf2.clip_by_norm(x, 2.), [[0.2457180619239807, -0.4914361238479614,
                                      0.7371541857719421],
                                     [0.12285903096199036, 0.9828722476959229,
                                      -1.4743083715438843]])
    _close(tf2.clip_by_norm(x, 2., axes=[1]),
           [[0.5345224738121033, -1.0690449476242065, 1.603567361831665],
            [0.13834290206432343, 1.1067432165145874, -1.6601147651672363]])
    _close(tf2.clip_by_norm(tf2.zeros([3]), 2.), [0., 0., 0.])
    _close(tf2.linalg.global_norm([x, tf2.constant([3.])]), 8.674675941467285)
    clipped, norm = tf2.clip_by_global_norm([x, None, tf2.constant([3.])], 2.)
    assert clipped[1] is None
    _close(clipped[2], [0.6916685])
    _close(clipped[0], [[0.23055616, -0.46111232, 0.6916685],
                        [0.11527808, 0.92222464, -1.383337]])
    _close(norm, 8.674675941467285)
    clipped, norm = tf2.clip_by_global_norm([tf2.constant([np.inf, 1.])], 2.)
    assert np.isnan(clipped[0].numpy()).all() and norm.numpy() == np.inf
    import tfteach.compat.v1 as v1
    _close(v1.clip_by_average_norm(x, 0.5),
           [[0.36857709288597107, -0.7371541857719421, 1.1057312488555908],
            [0.18428854644298553, 1.4743083715438843, -2.2114624977111816]])


def test_clip_errors_like_tf(tf2):
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(2, 2\) are incompatible"):
        tf2.clip_by_value(tf2.constant([1., 2.]), [[0.], [1.]], 3.)
    msg = ("`t_list` should be a sequence of tensors. Received "
           "<class 'tfteach.eager.tensor.EagerTensor'>.")
    with pytest.raises(TypeError, match=msg):
        tf2.linalg.global_norm(tf2.constant(X))
    with pytest.raises(TypeError, match=msg):
        tf2.clip_by_global_norm(tf2.constant(X), 2.)


def test_clip_gradients(tf1):
    x = tf1.constant([[3.0, 4.0]])
    g = tf1.gradients(tf1.reduce_sum(tf1.clip_by_value(x, 0., 3.5)), x)[0]
    with tf1.Session() as s:
        assert s.run(g).tolist() == [[1.0, 0.0]]


# --- scans and math composites ----------------------------------------------------------------

def test_scan_graphs_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 3], name="x")
    c = tf1.cumsum(x, axis=1, exclusive=True, reverse=True)
    p = tf1.cumprod(x)
    assert (c.name, c.op.type, c.op.inputs[1].name) == ("Cumsum:0", "Cumsum", "Cumsum/axis:0")
    assert c.op.get_attr("exclusive") and c.op.get_attr("reverse")
    assert (p.name, p.op.type) == ("Cumprod:0", "Cumprod")
    assert c.shape.as_list() == [2, 3]


def test_scan_values_and_errors(tf2):
    x = tf2.constant(X)
    _close(tf2.cumsum(x, axis=1, exclusive=True, reverse=True), [[1., 3., 0.], [-2., -6., 0.]])
    assert tf2.cumsum([1, 2, 3]).numpy().tolist() == [1, 3, 6]
    _close(tf2.math.cumprod(x, axis=0, exclusive=True), [[1., 1., 1.], [1., -2., 3.]])
    _close(tf2.math.cumprod(x, axis=1, reverse=True), [[-6., -6., 3.], [-12., -24., -6.]])
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"ScanOp: Expected scan axis in the range \[-2, 2\), but got 2"):
        tf2.cumsum(x, axis=2)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Expected scan axis in the range \[0, 0\), but got 0"):
        tf2.cumsum(3.)
    with pytest.raises(errors.InvalidArgumentError,
                       match="Value for attr 'T' of bool is not in the list"):
        tf2.cumsum([True, False])


def test_logsumexp_norm_graphs_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 3], name="x")
    r = tf1.reduce_logsumexp(x, axis=1)
    assert (r.name, r.shape.as_list()) == ("ReduceLogSumExp:0", [2])
    assert [t for _, t in _ops(tf1.get_default_graph())[1:]] == [
        "Const", "Max", "IsFinite", "Const", "SelectV2", "StopGradient", "Sub", "Exp",
        "Const", "Sum", "Log", "Shape", "Reshape", "AddV2"]
    n = tf1.norm(x, ord=3, axis=1)
    assert (n.name, n.shape.as_list()) == ("norm/Squeeze:0", [2])
    assert [nm for nm, _ in _ops(tf1.get_default_graph()) if nm.startswith("norm/")] == [
        "norm/Abs", "norm/Pow/y", "norm/Pow", "norm/Sum/reduction_indices", "norm/Sum",
        "norm/Pow_1/y", "norm/Pow_1", "norm/Squeeze"]
    s = tf1.log_sigmoid(x)
    assert (s.name, s.op.type, s.op.inputs[0].op.name) == ("LogSigmoid:0", "Neg",
                                                           "LogSigmoid/Softplus")
    for fn, t in ((tf1.acosh, "Acosh"), (tf1.asinh, "Asinh"), (tf1.atanh, "Atanh"),
                  (tf1.erfc, "Erfc"), (tf1.lgamma, "Lgamma")):
        assert fn(x).op.type == t


def test_math_values_like_tf(tf2):
    x = tf2.constant(X)
    _close(tf2.reduce_logsumexp(x, axis=1), [3.132845163345337, 4.029794692993164])
    _close(tf2.reduce_logsumexp(x), 4.371830940246582)
    assert tf2.reduce_logsumexp([-np.inf, -np.inf]).numpy() == -np.inf
    _close(tf2.reduce_logsumexp(x, axis=0, keepdims=True),
           [[1.4740769863128662, 4.002475738525391, 3.0001232624053955]])
    _close(tf2.norm(x), 8.139410018920898)
    _close(tf2.norm(x, ord=1, axis=1), [6.0, 10.5])
    _close(tf2.norm(x, ord=np.inf), 6.0)
    _close(tf2.norm(x, ord=3, axis=0, keepdims=True),
           [[1.0400419235229492, 4.160167694091797, 6.2402520179748535]], rtol=1e-5)
    _close(tf2.norm(x, ord=1, axis=[0, 1]), 9.0)
    _close(tf2.norm(x, ord=np.inf, axis=[-2, -1]), 10.5)
    _close(tf2.linalg.norm(x, ord="fro", axis=[0, 1]), 8.139410018920898)
    _close(tf2.math.log_sigmoid(tf2.constant([-100., 0., 3.])),
           [-100.0, -0.6931471824645996, -0.04858735203742981])
    _close(tf2.acosh(tf2.constant([1., 2., 0.5])), [0.0, 1.316957950592041, np.nan])
    _close(tf2.asinh(tf2.constant([-1., 2.])), [-0.8813735842704773, 1.4436354637145996])
    _close(tf2.atanh(tf2.constant([-0.5, 1., 2.])), [-0.5493061542510986, np.inf, np.nan])
    _close(tf2.math.erfc(tf2.constant([-1., 0., 2.])),
           [1.842700719833374, 1.0, 0.004677735269069672])
    _close(tf2.math.lgamma(tf2.constant([0.5, 1., 3., -0.5, 0., -1.])),
           [0.5723649263381958, 0.0, 0.6931471824645996, 1.2655121088027954, np.inf, np.inf])
    _close(tf2.math.digamma(tf2.constant([0.5, 1., 3., -0.5, 0., -1.])),
           [-1.9635107517242432, -0.5772159099578857, 0.9227842092514038,
            0.03648996353149414, np.nan, np.nan], rtol=1e-6)
    with tf2.GradientTape() as t:
        v = tf2.constant([0.5, 3.])
        t.watch(v)
        y = tf2.math.lgamma(v)
    _close(t.gradient(y, v), [-1.9635107517242432, 0.9227842092514038])


def test_norm_errors_like_tf(tf2):
    x = tf2.constant(X)
    for kw, msg in ((dict(ord="fro"), "'ord' must be a supported vector norm, got fro"),
                    (dict(ord=-1), "'ord' must be a supported vector norm, got -1"),
                    (dict(ord=0), "'ord' must be a supported vector norm, got 0"),
                    (dict(ord=3, axis=[0, 1]), "'ord' must be a supported matrix norm in "
                                               "['euclidean', 'fro', 1, 2, inf], got 3"),
                    (dict(axis=[0, 0]), "'axis' must be None, an integer, or a tuple of 2 "
                                        "unique integers, got (0, 0)"),
                    (dict(axis=[0, 1, 2]), "'axis' must be None, an integer, or a tuple of "
                                           "2 unique integers, got [0, 1, 2]")):
        with pytest.raises(ValueError) as e:
            tf2.norm(x, **kw)
        assert str(e.value) == msg


# --- N-d gather/scatter, segments, Roll, Unique, ShapeN, DynamicPartition -----------------------

M = np.arange(1., 13., dtype=np.float32).reshape(4, 3)


def test_array_graphs_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [4, 3], name="x")
    g = tf1.gather_nd(x, [[0, 1], [2, 2]])
    assert (g.name, g.shape.as_list(), g.op.inputs[1].name) == \
        ("GatherNd:0", [2], "GatherNd/indices:0")
    s = tf1.scatter_nd([[0], [2]], [1., 2.], [4])
    assert (s.name, s.shape.as_list()) == ("ScatterNd:0", [4])
    assert [t.name for t in s.op.inputs] == ["ScatterNd/indices:0", "ScatterNd/updates:0",
                                             "ScatterNd/shape:0"]
    for fn, t in ((tf1.tensor_scatter_nd_update, "TensorScatterUpdate"),
                  (tf1.tensor_scatter_nd_add, "TensorScatterAdd"),
                  (tf1.tensor_scatter_nd_sub, "TensorScatterSub")):
        out = fn(x, [[0], [2]], tf1.ones([2, 3]))
        assert (out.name, out.shape.as_list()) == (f"{t}:0", [4, 3])
    u = tf1.unsorted_segment_sum(x, [0, 1, 0, 1], 2)
    assert (u.name, u.shape.as_list()) == ("UnsortedSegmentSum:0", [2, 3])
    assert [t.name for t in u.op.inputs[1:]] == ["UnsortedSegmentSum/segment_ids:0",
                                                 "UnsortedSegmentSum/num_segments:0"]
    assert tf1.unsorted_segment_max(x, [0, 1, 0, 1], 2).name == "UnsortedSegmentMax:0"
    seg = tf1.segment_sum(x, [0, 0, 1, 1])
    assert (seg.name, seg.shape.as_list()) == ("SegmentSum:0", [None, 3])
    assert tf1.segment_mean(x, [0, 0, 1, 1]).name == "SegmentMean:0"
    parts = tf1.dynamic_partition(x, [0, 1, 0, 1], 2)
    assert [(p.name, p.shape.as_list()) for p in parts] == [("DynamicPartition:0", [None, 3]),
                                                          ("DynamicPartition:1", [None, 3])]
    r = tf1.roll(x, 1, 0)
    assert [t.name for t in r.op.inputs] == ["x:0", "Roll/shift:0", "Roll/axis:0"]
    i = tf1.placeholder(tf1.int32, [4], name="i")
    y, idx = tf1.unique(i)
    assert (y.name, y.shape.as_list(), idx.name, idx.shape.as_list()) == \
        ("Unique:0", [None], "Unique:1", [4])
    sn = tf1.shape_n([x, x])
    assert [(t.name, t.shape.as_list()) for t in sn] == [("ShapeN:0", [2]), ("ShapeN:1", [2])]


def test_sequence_mask_graph_like_tf(tf1):
    m = tf1.sequence_mask([1, 3, 2], 4)
    assert (m.name, m.shape.as_list(), m.dtype) == ("SequenceMask/Less:0", [3, 4], tf1.bool)
    assert [n for n, _ in _ops(tf1.get_default_graph())] == [
        "SequenceMask/Const", "SequenceMask/Const_1", "SequenceMask/Const_2",
        "SequenceMask/Const_3", "SequenceMask/Range", "SequenceMask/ExpandDims/dim",
        "SequenceMask/ExpandDims", "SequenceMask/Cast", "SequenceMask/Less"]


def test_array_values_like_tf(tf2):
    x = tf2.constant(M)
    _close(tf2.gather_nd(x, [[0, 1], [2, 2]]), [2., 9.])
    _close(tf2.gather_nd(x, [[3], [1]]), [[10., 11., 12.], [4., 5., 6.]])
    _close(tf2.scatter_nd([[0], [2], [0]], [1., 2., 3.], [4]), [4., 0., 2., 0.])
    _close(tf2.tensor_scatter_nd_update(x, [[0], [2]], tf2.ones([2, 3])),
           [[1, 1, 1], [4, 5, 6], [1, 1, 1], [10, 11, 12]])
    _close(tf2.tensor_scatter_nd_add(x, [[0, 0], [0, 0]], [1., 2.]),
           [[4, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]])
    _close(tf2.tensor_scatter_nd_sub(x, [[1, 1]], [5.]),
           [[1, 2, 3], [4, 0, 6], [7, 8, 9], [10, 11, 12]])
    _close(tf2.math.unsorted_segment_sum(x, [0, 1, 0, 1], 3),
           [[8, 10, 12], [14, 16, 18], [0, 0, 0]])
    lo = -3.4028234663852886e+38
    _close(tf2.math.unsorted_segment_max(x, [0, 1, 0, 1], 3),
           [[7, 8, 9], [10, 11, 12], [lo, lo, lo]])
    _close(tf2.math.unsorted_segment_min(x, [0, 1, 0, 1], 3),
           [[1, 2, 3], [4, 5, 6], [-lo, -lo, -lo]])
    _close(tf2.math.unsorted_segment_mean(x, [0, 1, 0, 1], 3),
           [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    _close(tf2.math.unsorted_segment_sum(x, [0, -1, 0, 1], 3),
           [[8, 10, 12], [10, 11, 12], [0, 0, 0]])
    _close(tf2.math.segment_sum(x, [0, 0, 2, 2]), [[5, 7, 9], [0, 0, 0], [17, 19, 21]])
    _close(tf2.math.segment_mean(x, [0, 0, 1, 1]), [[2.5, 3.5, 4.5], [8.5, 9.5, 10.5]])
    _close(tf2.roll(x, 1, 0), [[10, 11, 12], [1, 2, 3], [4, 5, 6], [7, 8, 9]])
    _close(tf2.roll(x, [1, -1], [0, 1]), [[11, 12, 10], [2, 3, 1], [5, 6, 4], [8, 9, 7]])
    y, idx = tf2.unique([4, 1, 4, 2, 1])
    assert (y.numpy().tolist(), idx.numpy().tolist()) == ([4, 1, 2], [0, 1, 0, 2, 1])
    assert [s.numpy().tolist() for s in tf2.shape_n([x, tf2.zeros([2])])] == [[4, 3], [2]]
    assert tf2.sequence_mask([1, 3, 2], 4).numpy().tolist() == [
        [True, False, False, False], [True, True, True, False], [True, True, False, False]]
    assert tf2.sequence_mask([[1], [2]]).numpy().tolist() == [[[True, False]], [[True, True]]]
    _close(tf2.dynamic_stitch([[0, 2], [1, 3]], [[1., 2.], [3., 4.]]), [1., 3., 2., 4.])
    parts = tf2.dynamic_partition(x, [0, 1, 0, 1], 2)
    assert [p.numpy().tolist() for p in parts] == [[[1, 2, 3], [7, 8, 9]],
                                                   [[4, 5, 6], [10, 11, 12]]]


@pytest.mark.parametrize("build, msg", [
    (lambda tf, x: tf.gather_nd(x, [[0, 1], [4, 2]]),
     r"indices\[1\] = \[4, 2\] does not index into param shape \[4,3\]"),
    (lambda tf, x: tf.gather_nd(x, [[0, 1, 2]]),
     r"index innermost dimension length must be <= params rank; saw: 3 vs. 2"),
    (lambda tf, x: tf.scatter_nd([[5]], [1.], [4]),
     r"indices\[0\] = \[5\] does not index into shape \[4\]"),
    (lambda tf, x: tf.tensor_scatter_nd_update(x, [[7]], tf.ones([1, 3])),
     r"indices\[0\] = \[7\] does not index into shape \[4,3\]"),
    (lambda tf, x: tf.math.unsorted_segment_sum(x, [0, 5, 0, 1], 3),
     r"segment_ids\[1\] = 5 is out of range \[0, 3\)"),
    (lambda tf, x: tf.math.segment_sum(x, [0, 1, 0, 1]), "segment ids are not increasing"),
    (lambda tf, x: tf.math.segment_sum(x, [0, 0, 1]),
     "segment_ids should be the same size as dimension 0 of input."),
    (lambda tf, x: tf.roll(x, [1, 2], [0]), "shift and axis must have the same size"),
    (lambda tf, x: tf.roll(x, 1, 3), "axis 3 is out of range"),
    (lambda tf, x: tf.unique([[1, 2]]), "unique expects a 1D vector."),
    (lambda tf, x: tf.dynamic_partition(x, [0, 3, 0, 1], 2),
     r"partitions\[1\] = 3 is not in \[0, 2\)"),
])
def test_array_errors_like_tf(tf2, build, msg):
    with pytest.raises(errors.InvalidArgumentError, match=msg):
        build(tf2, tf2.constant(M))


def test_gather_nd_error_in_a_session(tf1):
    g = tf1.gather_nd(tf1.constant(M), [[4, 0]])
    with tf1.Session() as s, pytest.raises(errors.InvalidArgumentError,
                                           match=r"indices\[0\] = \[4, 0\] does not index"):
        s.run(g)


# --- UniqueWithCounts, UnravelIndex, TensorScatterMax/Min, ReverseSequence ----------------------

def test_unique_with_counts_unravel_index_values(tf2):
    y, idx, count = tf2.unique_with_counts(tf2.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    assert y.numpy().tolist() == [1, 2, 4, 7, 8]
    assert idx.numpy().tolist() == [0, 0, 1, 2, 2, 2, 3, 4, 4]
    assert count.numpy().tolist() == [2, 1, 3, 1, 2] and count.dtype == tf2.int32
    u = tf2.unique_with_counts([3., 1., 3.], out_idx=tf2.int64)
    assert u.y.numpy().tolist() == [3., 1.] and u.count.numpy().tolist() == [2, 1]
    assert u.idx.dtype == tf2.int64 and u.count.dtype == tf2.int64
    assert tf2.unravel_index([22, 41, 37], [7, 6]).numpy().tolist() == [[3, 6, 6], [4, 5, 1]]
    assert tf2.unravel_index(22, [7, 6]).numpy().tolist() == [3, 4]
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"index is out of bound as with dims \[Op:UnravelIndex\]"):
        tf2.unravel_index([50], [7, 6])


def test_tensor_scatter_max_min_reverse_sequence_values(tf2):
    t = tf2.constant([[1., 5.], [3., 2.]])
    _close(tf2.tensor_scatter_nd_max(t, [[0], [1]], [[2., 2.], [2., 2.]]), [[2., 5.], [3., 2.]])
    _close(tf2.tensor_scatter_nd_min(t, [[0, 1], [0, 1]], [4., 3.]), [[1., 3.], [3., 2.]])
    x = tf2.reshape(tf2.range(24.), [2, 3, 4])
    _close(tf2.reverse_sequence(x, [2, 3], seq_axis=2, batch_axis=0),
           [[[1., 0., 2., 3.], [5., 4., 6., 7.], [9., 8., 10., 11.]],
            [[14., 13., 12., 15.], [18., 17., 16., 19.], [22., 21., 20., 23.]]])
    _close(tf2.reverse_sequence(tf2.reshape(tf2.range(12.), [4, 3]), [1, 2, 3], seq_axis=0,
                                batch_axis=1),
           [[0., 4., 8.], [3., 1., 5.], [6., 7., 2.], [9., 10., 11.]])
    for lens, seq, batch, msg in (
            ([2, 5], 2, 0, r"seq_lens\(1\) > input.dims\(2\) \[Op:ReverseSequence\]"),
            ([2], 2, 0, r"Length of seq_lengths != input.dims\(0\), \(1 vs. 2\)"),
            ([2, 3], 0, 0, r"batch_dim == seq_dim == 0")):
        with pytest.raises(errors.InvalidArgumentError, match=msg):
            tf2.reverse_sequence(x, lens, seq_axis=seq, batch_axis=batch)


def test_unique_with_counts_and_friends_graphs_like_tf(tf1):
    u = tf1.unique_with_counts(tf1.placeholder(tf1.float32, [None]))
    assert [t.name for t in u] == ["UniqueWithCounts:0", "UniqueWithCounts:1",
                                   "UniqueWithCounts:2"]
    assert u.idx.dtype == tf1.int32 and u.y.shape.as_list() == [None]
    ui = tf1.unravel_index(tf1.constant([3, 4]), [2, 3])
    assert ui.name == "UnravelIndex:0" and ui.shape.as_list() == [2, 2]
    assert ui.op.inputs[1].op.name == "UnravelIndex/dims"
    p2 = tf1.placeholder(tf1.float32, [4, 2], name="p2")
    u2 = tf1.placeholder(tf1.float32, [2, 2], name="u2")
    o2 = tf1.tensor_scatter_nd_max(p2, [[0], [2]], u2)
    assert o2.name == "TensorScatterMax:0"
    assert tf1.tensor_scatter_nd_min(p2, [[0]], [[1., 1.]]).name == "TensorScatterMin:0"
    rs = tf1.reverse_sequence(tf1.placeholder(tf1.float32, [2, 3, 4]), [2, 3], seq_dim=1,
                              batch_dim=0)
    assert rs.name == "ReverseSequence:0" and rs.op.get_attr("seq_dim") == 1
    g = tf1.get_default_graph()
    n = len(g.get_operations())
    gp, gu = tf1.gradients(o2, [p2, u2])
    assert [(o.name, o.type) for o in g.get_operations()[n:] if "_grad/" in o.name] == [
        ("gradients/TensorScatterMax_grad/Equal", "Equal"),
        ("gradients/TensorScatterMax_grad/Cast", "Cast"),
        ("gradients/TensorScatterMax_grad/GatherNd", "GatherNd"),
        ("gradients/TensorScatterMax_grad/Equal_1", "Equal"),
        ("gradients/TensorScatterMax_grad/Cast_1", "Cast"),
        ("gradients/TensorScatterMax_grad/Shape", "Const"),
        ("gradients/TensorScatterMax_grad/ScatterNd", "ScatterNd"),
        ("gradients/TensorScatterMax_grad/add", "AddV2"),
        ("gradients/TensorScatterMax_grad/mul", "Mul"),
        ("gradients/TensorScatterMax_grad/truediv", "RealDiv"),
        ("gradients/TensorScatterMax_grad/truediv_1", "RealDiv"),
        ("gradients/TensorScatterMax_grad/GatherNd_1", "GatherNd"),
        ("gradients/TensorScatterMax_grad/mul_1", "Mul")]
    with tf1.Session() as s:
        a, b = s.run([gp, gu], {p2: [[1, 5], [3, 2], [0, 0], [2, 2]], u2: [[1, 6], [2, 2]]})
    # ties split the gradient equally between the old value and the update
    np.testing.assert_allclose(a, [[0.5, 0.], [1., 1.], [0., 0.], [1., 1.]])
    np.testing.assert_allclose(b, [[0.5, 1.], [1., 1.]])
    gr = tf1.gradients(rs, rs.op.inputs[0])[0]
    assert gr.op.type == "ReverseSequence" and gr.op.get_attr("seq_dim") == 1
