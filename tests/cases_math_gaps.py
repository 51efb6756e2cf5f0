"""tf.math names filled in by the mathgaps branch, against TF 2.21 (recorded by
tools/record_math_gaps.py into tests/data/math_gaps_tf.json; see tests/tfcases.py): special
functions at ordinary points, edges and poles, their gradients, the segment reductions,
bincount, cumulative_logsumexp, confusion_matrix and the other compositions, with TF's errors.
"""
import re

import numpy as np

MODE = "v2"

X32 = np.array([0.25, 1.0, 2.5, 7.0], np.float32)
A64 = np.array([0.5, 1.0, 3.0, 10.0, 100.0], np.float64)
B64 = np.array([2.0, 0.1, 1.0, 20.0, 90.0], np.float64)


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        msg = re.sub(r"\{\{.*?\}\}\s*", "", str(e)).split(" [Op:")[0]
        return type(e).__name__, msg[:60]
    return None


def _grads(tf, fn, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as t:
        for x in xs:
            t.watch(x)
        y = fn(*xs)
    return t.gradient(y, xs)


def _op_types(tf, fn, *args):
    specs = [tf.TensorSpec(np.shape(a), tf.as_dtype(np.asarray(a).dtype)) for a in args]
    g = tf.function(fn).get_concrete_function(*specs).graph
    return sorted({op.type for op in g.get_operations()} - {"Placeholder", "Identity",
                                                              "NoOp", "Const"})


def case_igamma(tf, tmp):
    m = tf.math
    edges = m.igamma(np.array([1., 0., -1., 2., np.inf, 2.]), np.array([0., 1., 1., -1., 1.,
                                                                         np.inf]))
    return [m.igamma(A64, B64), m.igammac(A64, B64), m.igamma(X32, X32[::-1].copy()),
            m.igammac(np.float32(2.0), X32), edges,
            m.igammac(np.array([1., 0., 2., 2.]), np.array([0., 1., -1., np.inf])),
            _grads(tf, lambda a, x: m.igamma(a, x), A64, B64),
            _grads(tf, lambda a, x: m.igammac(a, x), A64, B64),
            _op_types(tf, m.igamma, A64, B64)]


def case_betainc(tf, tmp):
    m = tf.math
    a = np.array([0.5, 1.0, 2.0, 5.0, 30.0])
    b = np.array([0.5, 3.0, 2.0, 1.0, 40.0])
    x = np.array([0.2, 0.5, 0.9, 0.99, 0.4])
    edges = m.betainc(np.array([1., -1., 1., 1., 2.]), np.array([1., 1., 0., 1., 2.]),
                      np.array([0., 0.5, 0.5, 1.5, 1.]))
    shapes = _err(lambda: m.betainc(np.ones((2, 3)), np.ones((3,)), np.ones((2, 3))))
    return [m.betainc(a, b, x), m.betainc(a.astype(np.float32), b.astype(np.float32),
                                          x.astype(np.float32)),
            m.betainc(2.0, 3.0, x), edges, shapes,
            _grads(tf, lambda x_: m.betainc(a, b, x_), x)]


def case_zeta_polygamma(tf, tmp):
    m = tf.math
    z = m.zeta(np.array([2., 3., 1.5, 10., 2., 1., 0.5, 2., 3.]),
               np.array([1., 2., 0.5, 3., -0.5, 1., 1., -2., -1.5]))
    p = m.polygamma(np.array([0., 1., 2., 3., 1., 0.5, -1.]),
                    np.array([1., 1., 0.5, 4., -1.5, 1., 1.]))
    return [z, p, m.zeta(np.float32(2.0), X32), m.polygamma(np.float32(1.0), X32),
            _grads(tf, lambda q: m.zeta(np.array([2., 3.]), q), np.array([1.5, 4.])),
            _grads(tf, lambda x: m.polygamma(np.array([0., 2.]), x), np.array([1.5, 4.])),
            m.digamma(X32)]


def case_bessel(tf, tmp):
    m = tf.math
    x = np.array([0., 0.1, -1., 2.5, -10., 29.5, 30.5, 60., -200.])
    small = x[np.abs(x) < 100]
    return [m.bessel_i0e(x), m.bessel_i1e(x), m.bessel_i0(small), m.bessel_i1(small),
            m.bessel_i0e(x.astype(np.float32)), m.bessel_i1e(x.astype(np.float32)),
            _grads(tf, m.bessel_i0e, x), _grads(tf, m.bessel_i1e, x),
            _grads(tf, m.bessel_i0, small), _grads(tf, m.bessel_i1, small)]


def case_erfinv_ndtri(tf, tmp):
    m = tf.math
    y = np.array([-1., -0.999, -0.5, 0., 1e-8, 0.3, 0.9, 0.999999, 1., 1.5])
    p = np.array([0., 1e-300, 1e-10, 0.01, 0.3, 0.5, 0.9, 0.999, 1., -0.5])
    c = np.array([0., 1e-10, 0.3, 1., 1.7, 2., 2.5])
    return [m.erfinv(y), m.erfinv(y.astype(np.float32)), m.ndtri(p),
            m.ndtri(p.astype(np.float32)), m.erfcinv(c),
            _grads(tf, m.erfinv, np.array([-0.5, 0., 0.7])),
            _grads(tf, m.ndtri, np.array([0.1, 0.5, 0.7])),
            _op_types(tf, m.erfcinv, c)]


def case_nextafter_xlog1py(tf, tmp):
    m = tf.math
    one = np.float32(1.0)
    n32 = m.nextafter(np.array([1., 1., 0., 0., -1., 8.], np.float32),
                      np.array([2., 0., 1., -1., -2., 0.], np.float32))
    n64 = m.nextafter(np.array([1., 1., 0., np.inf, 1.]), np.array([2., 0., -1., 0., np.nan]))
    ulp = (m.nextafter(one, np.float32(2.0)) - one)
    return [n32, n64, ulp, m.xlog1py(np.array([0., 0., 2., 3.]), np.array([-1., 5., 1., -0.5])),
            _grads(tf, lambda x, y: m.xlog1py(x, y), np.array([0., 2., 3.]),
                   np.array([1., 1., -0.5])),
            _grads(tf, lambda x, y: m.nextafter(x, y), np.array([1., 2.]), np.array([3., 0.]))]


def case_segments(tf, tmp):
    m = tf.math
    d = np.array([[1., 2.], [3., 0.], [5., 6.], [7., 8.], [0., 0.]])
    ids = np.array([0, 0, 2, 2, 3])
    uids = np.array([1, 1, -1, 0, 1])
    out = [m.segment_max(d, ids), m.segment_min(d, ids), m.segment_prod(d, ids),
           m.unsorted_segment_prod(d, uids, 3), m.unsorted_segment_sqrt_n(d, uids, 3),
           m.segment_max(np.array([3, 1, 2], np.int32), [0, 0, 1]),
           m.unsorted_segment_prod(np.array([2, 3, 4], np.int32), [0, 0, 2], 4)]
    out += [_grads(tf, lambda x: m.segment_max(x, ids), d),
            _grads(tf, lambda x: m.segment_min(x, ids), d),
            _grads(tf, lambda x: m.segment_prod(x, ids), d),
            _grads(tf, lambda x: m.unsorted_segment_prod(x, uids, 3), d),
            _grads(tf, lambda x: m.unsorted_segment_sqrt_n(x, uids, 3), d)]
    out += [_err(lambda: m.segment_max(d, [1, 0, 2, 2, 3])),
            _err(lambda: m.unsorted_segment_prod(d, [0, 5, 0, 0, 0], 3)),
            _op_types(tf, lambda x: m.unsorted_segment_sqrt_n(x, uids, 3), d)]
    return out


def case_bincount(tf, tmp):
    m = tf.math
    v = np.array([1, 1, 2, 5, 3, 1], np.int32)
    w = np.array([0.5, 1., 2., 3., 4., 5.], np.float32)
    rows = np.array([[1, 3, 1], [0, 4, 4]], np.int32)
    return [m.bincount(v), m.bincount(v, minlength=8), m.bincount(v, maxlength=3),
            m.bincount(v, weights=w), m.bincount(v, weights=w, maxlength=2),
            m.bincount(v, binary_output=True), m.bincount(rows), m.bincount(rows, axis=-1),
            m.bincount(rows, axis=-1, binary_output=True, minlength=6),
            m.bincount(np.array([], np.int32)), m.bincount(v, dtype=tf.float64),
            m.bincount(np.array([[1, 2], [2, 2]], np.int64), axis=-1),
            _err(lambda: m.bincount(np.array([1, -1, 2], np.int32))),
            _err(lambda: m.bincount(v, axis=1)),
            _op_types(tf, m.bincount, v)]


def case_cumulative_logsumexp(tf, tmp):
    m = tf.math
    x = np.array([[1., 2., 3.], [0.5, -1., 4.]])
    w = np.array([[1., -2., 3.]])
    outs = []
    for ex in (False, True):
        for rev in (False, True):
            outs.append(m.cumulative_logsumexp(x, axis=1, exclusive=ex, reverse=rev))
            outs.append(_grads(tf, lambda t: m.cumulative_logsumexp(
                t, axis=1, exclusive=ex, reverse=rev) * w, x))
    outs.append(m.cumulative_logsumexp(x.astype(np.float32), axis=0))
    outs.append(m.cumulative_logsumexp(np.array([-np.inf, -np.inf, 0.]), axis=0))
    outs.append(_err(lambda: m.cumulative_logsumexp(x, axis=2)))
    return outs


def case_reductions(tf, tmp):
    m = tf.math
    x = np.array([[3., 4., 0.], [1., -2., 2.]])
    return [m.reduce_euclidean_norm(x), m.reduce_euclidean_norm(x, 1),
            m.reduce_euclidean_norm(x, 0, keepdims=True),
            m.reduce_euclidean_norm(np.array([[3, 4], [6, 8]], np.int32), 1),
            m.reduce_euclidean_norm(x.astype(np.float32), [0, 1]),
            _grads(tf, lambda t: m.reduce_euclidean_norm(t, 1), x),
            _grads(tf, lambda t: m.reduce_euclidean_norm(t), x),
            m.zero_fraction(x), m.zero_fraction(np.array([0, 0, 1], np.int32)),
            m.count_nonzero(x), _op_types(tf, m.reduce_euclidean_norm, x)]


def case_compositions(tf, tmp):
    m = tf.math
    x = np.array([1., 2., 2., 3.])
    return [m.lbeta(np.array([[1., 2.], [3., 4.], [0.5, 0.5]])), m.lbeta(np.array([2., 3., 4.])),
            m.lbeta(np.zeros((2, 0))),
            m.polyval([np.float64(1.), np.float64(2.), np.float64(3.)], np.array([0., 2., -1.])),
            m.polyval([1., 2., 3.], np.array([0., 2., -1.], np.float32)),
            _err(lambda: m.polyval([1., 2., 3.], np.array([0., 2., -1.]))),
            m.polyval([np.float32(2.0)], np.float32(5.0)),
            m.polyval([], np.array([1., 2.])),
            _err(lambda: m.polyval(np.array([1., 2.]), 1.0)),
            m.reciprocal_no_nan(np.array([2., 0., -4.])),
            _err(lambda: m.reciprocal_no_nan(np.array([1, 2], np.int32))),
            m.is_non_decreasing(x), m.is_strictly_increasing(x),
            m.is_strictly_increasing(np.array([[1, 2], [3, 4]], np.int32)),
            m.is_non_decreasing(np.array([5.])), m.is_non_decreasing(np.array([3., 1.])),
            _err(lambda: m.is_non_decreasing(np.array([True, False]))),
            m.accumulate_n([np.array([1., 2.]), np.array([3., 4.]), np.array([5., 6.])]),
            m.invert_permutation(np.array([3, 4, 0, 2, 1], np.int32)),
            m.invert_permutation(np.array([2, 0, 1], np.int64)),
            m.l2_normalize(np.array([[3., 4.], [0., 0.]]), axis=1),
            _grads(tf, lambda t: m.lbeta(t), np.array([[1., 2.], [3., 4.]])),
            _op_types(tf, m.lbeta, np.ones((2, 2)))]


def case_confusion_matrix(tf, tmp):
    m = tf.math
    labels = np.array([1, 2, 4, 1])
    preds = np.array([2, 2, 4, 0])
    return [m.confusion_matrix(labels, preds), m.confusion_matrix(labels, preds, num_classes=6),
            m.confusion_matrix(labels, preds, weights=np.array([0.5, 1., 2., 3.]),
                               dtype=tf.float32),
            m.confusion_matrix(labels.reshape(4, 1), preds),
            _err(lambda: m.confusion_matrix(np.array([1, -1]), np.array([1, 1]))),
            _err(lambda: m.confusion_matrix(labels, preds, num_classes=3))]


def case_v1_twins(tf, tmp):
    v1 = tf.compat.v1
    names = ["bincount", "confusion_matrix", "cumulative_logsumexp", "segment_max",
             "segment_min", "segment_prod", "unsorted_segment_prod", "unsorted_segment_sqrt_n",
             "igamma", "igammac", "betainc", "zeta", "polygamma", "bessel_i0e", "bessel_i1e",
             "bessel_i0", "bessel_i1", "lbeta", "polyval", "xlog1py", "nextafter", "erfinv",
             "ndtri", "erfcinv", "reduce_euclidean_norm", "reciprocal_no_nan",
             "is_non_decreasing", "is_strictly_increasing", "invert_permutation",
             "accumulate_n", "zero_fraction"]
    have_math = [n for n in names if hasattr(v1.math, n)]
    have_top = [n for n in names if hasattr(v1, n)]
    return [have_math, have_top]
