"""tf.nn in graph mode: op types and names, values against NumPy, gradients against finite
differences, TF's errors."""
import numpy as np
import pytest

from tfteach import errors
from tfteach.ops import math_ops

pytestmark = pytest.mark.mode("v1")


def _run(tf, fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _numeric_grad(tf, y, x, xv, feed=None, eps=1e-3):
    """d sum(y) / dx by central differences (float64 feeds)."""
    feed = dict(feed or {})
    g = np.zeros_like(xv)
    with tf.Session() as sess:
        for idx in np.ndindex(*xv.shape):
            xp = xv.copy()
            xp[idx] += eps
            feed[x] = xp
            fp = sess.run(y, feed).sum()
            xp[idx] -= 2 * eps
            feed[x] = xp
            fm = sess.run(y, feed).sum()
            g[idx] = (fp - fm) / (2 * eps)
    return g


def _check_grad(tf, fn, xv, feed=None, tol=1e-5, dtype=None):
    dtype = dtype or tf.float64
    x = tf.placeholder(dtype, xv.shape)
    y = fn(x)
    (g,) = tf.gradients(math_ops.reduce_sum(y), [x])
    feed = dict(feed or {})
    feed[x] = xv
    got = _run(tf, g, feed)
    want = _numeric_grad(tf, y, x, xv, feed)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    return g


def test_activations_values(tf1):
    x = np.array([[-3.0, -0.5, 0.0, 0.5, 7.0]], np.float32)
    out = _run(tf1, [tf1.nn.relu(x), tf1.nn.relu6(x), tf1.nn.elu(x), tf1.nn.selu(x),
                     tf1.nn.leaky_relu(x), tf1.nn.leaky_relu(x, alpha=0.1)])
    np.testing.assert_allclose(out[0], np.maximum(x, 0))
    np.testing.assert_allclose(out[1], np.clip(x, 0, 6))
    np.testing.assert_allclose(out[2], np.where(x > 0, x, np.expm1(x)), rtol=1e-6)
    a, s = 1.6732632423543772, 1.0507009873554805
    np.testing.assert_allclose(out[3], np.where(x > 0, s * x, s * a * np.expm1(x)), rtol=1e-6)
    np.testing.assert_allclose(out[4], np.where(x > 0, x, 0.2 * x), rtol=1e-6)
    np.testing.assert_allclose(out[5], np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    assert out[0].dtype == np.float32


def test_op_types_and_names(tf1):
    x = tf1.placeholder(tf1.float32, [None, 10])
    assert tf1.nn.relu(x).op.type == "Relu"
    assert tf1.nn.relu6(x).name == "Relu6:0"
    assert tf1.nn.leaky_relu(x).op.type == "LeakyRelu"
    assert tf1.nn.softmax(x).name == "Softmax:0"
    assert tf1.nn.log_softmax(x).op.type == "LogSoftmax"
    b = tf1.nn.bias_add(x, np.zeros(10, np.float32))
    assert b.name == "BiasAdd:0" and b.shape.as_list() == [None, 10]
    assert tf1.nn.l2_loss(x).shape.as_list() == []
    y = tf1.placeholder(tf1.int32, [None])
    loss = tf1.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
    assert loss.op.name == ("SparseSoftmaxCrossEntropyWithLogits/"
                            "SparseSoftmaxCrossEntropyWithLogits")
    assert [str(t.shape) for t in loss.op.outputs] == ["(?,)", "(?, 10)"]


def test_softmax_values_and_grad(tf1):
    rs = np.random.RandomState(0)
    xv = rs.randn(3, 5)
    sm, lsm = _run(tf1, [tf1.nn.softmax(xv), tf1.nn.log_softmax(xv)])
    e = np.exp(xv - xv.max(1, keepdims=True))
    want = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(sm, want, rtol=1e-12)
    np.testing.assert_allclose(lsm, np.log(want), rtol=1e-12)
    w = rs.randn(3, 5)
    _check_grad(tf1, lambda x: tf1.nn.softmax(x) * w, xv)
    _check_grad(tf1, lambda x: tf1.nn.log_softmax(x) * w, xv)


def test_activation_grads(tf1):
    rs = np.random.RandomState(1)
    xv = rs.randn(4, 3) * 3
    xv[np.abs(xv) < 0.05] = 0.3      # keep away from kinks
    xv[np.abs(xv - 6) < 0.05] = 5.5
    for fn in (tf1.nn.relu, tf1.nn.relu6, tf1.nn.elu, tf1.nn.selu, tf1.nn.leaky_relu):
        g = _check_grad(tf1, fn, xv)
        assert g.op.type in ("ReluGrad", "Relu6Grad", "EluGrad", "SeluGrad", "LeakyReluGrad")


def test_bias_add_and_grad(tf1):
    rs = np.random.RandomState(2)
    xv, bv = rs.randn(2, 3, 4), rs.randn(4)
    x = tf1.placeholder(tf1.float64, [2, 3, 4])
    b = tf1.placeholder(tf1.float64, [4])
    y = tf1.nn.bias_add(x, b)
    gx, gb = tf1.gradients(math_ops.reduce_sum(y * y), [x, b])
    assert gb.op.type == "BiasAddGrad"
    out = _run(tf1, [y, gx, gb], {x: xv, b: bv})
    np.testing.assert_allclose(out[0], xv + bv)
    np.testing.assert_allclose(out[1], 2 * (xv + bv))
    np.testing.assert_allclose(out[2], (2 * (xv + bv)).sum((0, 1)))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf1.nn.bias_add(x, np.zeros(3))


def _ref_conv(x, f, stride, pad):
    from tfteach.kernels.shapes import conv_padding
    n, h, w, c = x.shape
    kh, kw, _, o = f.shape
    oh, pt = conv_padding(h, kh, stride, 1, pad)
    ow, pl = conv_padding(w, kw, stride, 1, pad)
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    y, xx = i * stride - pt + a, j * stride - pl + b
                    if 0 <= y < h and 0 <= xx < w:
                        out[:, i, j] += x[:, y, xx] @ f[a, b]
    return out


@pytest.mark.parametrize("stride,pad", [(1, "SAME"), (2, "VALID"), (2, "SAME")])
def test_conv2d_values_and_grads(tf1, stride, pad):
    rs = np.random.RandomState(3)
    xv, fv = rs.randn(2, 6, 5, 3), rs.randn(3, 3, 3, 2)
    x = tf1.placeholder(tf1.float64, xv.shape)
    f = tf1.placeholder(tf1.float64, fv.shape)
    y = tf1.nn.conv2d(x, f, strides=stride, padding=pad)
    assert y.op.type == "Conv2D"
    want = _ref_conv(xv, fv, stride, pad)
    assert y.shape.as_list() == list(want.shape)
    w = rs.randn(*want.shape)
    gx, gf = tf1.gradients(math_ops.reduce_sum(y * w), [x, f])
    assert gx.op.type == "Conv2DBackpropInput" and gf.op.type == "Conv2DBackpropFilter"
    assert gx.op.name == "gradients/Conv2D_grad/Conv2DBackpropInput"
    out = _run(tf1, [y, gx, gf], {x: xv, f: fv})
    np.testing.assert_allclose(out[0], want, rtol=1e-10)
    with tf1.Session() as sess:
        eps = 1e-4
        for arr, t, got in ((xv, x, out[1]), (fv, f, out[2])):
            for idx in [(0,) * arr.ndim, tuple(d - 1 for d in arr.shape), (1, 1, 1, 1)]:
                p = arr.copy()
                p[idx] += eps
                m = arr.copy()
                m[idx] -= eps
                feeds = {x: xv, f: fv}
                feeds[t] = p
                fp = (sess.run(y, feeds) * w).sum()
                feeds[t] = m
                fm = (sess.run(y, feeds) * w).sum()
                assert abs((fp - fm) / (2 * eps) - got[idx]) < 1e-6


def test_conv2d_float32_batch_and_errors(tf1):
    rs = np.random.RandomState(4)
    xv = rs.rand(3, 8, 8, 2).astype(np.float32)
    fv = rs.rand(5, 5, 2, 4).astype(np.float32)
    y = tf1.nn.conv2d(xv, fv, strides=[1, 1, 1, 1], padding="SAME")
    got = _run(tf1, y)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _ref_conv(xv.astype(float), fv.astype(float), 1, "SAME"),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="Depth of input"):
        tf1.nn.conv2d(xv, rs.rand(3, 3, 3, 1).astype(np.float32), 1, "SAME")
    with pytest.raises(ValueError, match="rank 4"):
        tf1.nn.conv2d(xv[0], fv, 1, "SAME")
    with pytest.raises(ValueError, match="padding"):
        tf1.nn.conv2d(xv, fv, 1, "FULL")


def test_max_pool_first_maximum_and_avg_pool(tf1):
    xv = np.zeros((1, 4, 4, 1))
    xv[0, 0, 0, 0] = xv[0, 0, 1, 0] = xv[0, 1, 0, 0] = 5.0     # tie inside one window
    xv[0, 3, 3, 0] = -1.0
    x = tf1.placeholder(tf1.float64, xv.shape)
    p = tf1.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID")
    a = tf1.nn.avg_pool2d(x, ksize=2, strides=2, padding="VALID")
    (gp,) = tf1.gradients(math_ops.reduce_sum(p), [x])
    (ga,) = tf1.gradients(math_ops.reduce_sum(a), [x])
    assert gp.op.type == "MaxPoolGrad" and ga.op.type == "AvgPoolGrad"
    out = _run(tf1, [p, a, gp, ga], {x: xv})
    np.testing.assert_array_equal(out[0][0, :, :, 0], [[5, 0], [0, 0]])
    np.testing.assert_allclose(out[1][0, :, :, 0], [[3.75, 0], [0, -0.25]])
    want = np.zeros((4, 4))
    want[0, 0] = 1          # only the first maximum of the tied window
    want[0, 2] = want[2, 0] = want[2, 2] = 1
    np.testing.assert_array_equal(out[2][0, :, :, 0], want)
    np.testing.assert_allclose(out[3], np.full(xv.shape, 0.25))


def test_pool_same_padding_grads(tf1):
    rs = np.random.RandomState(5)
    xv = rs.randn(2, 5, 5, 3)
    _check_grad(tf1, lambda x: tf1.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME") * 1.5,
                xv)
    p = tf1.nn.max_pool(xv, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert p.shape.as_list() == [2, 3, 3, 3]
    want = np.full((2, 3, 3, 3), -np.inf)
    for i in range(3):
        for j in range(3):
            want[:, i, j] = xv[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max((1, 2))
    np.testing.assert_allclose(_run(tf1, p), want)


def test_sparse_softmax_cross_entropy(tf1):
    rs = np.random.RandomState(6)
    logits = rs.randn(4, 10)
    labels = np.array([1, 0, 9, 3], np.int32)
    loss = tf1.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    e = np.exp(logits - logits.max(1, keepdims=True))
    p = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(_run(tf1, loss), -np.log(p[np.arange(4), labels]), rtol=1e-12)
    w = rs.randn(4)
    _check_grad(tf1, lambda x: tf1.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=x) * w, logits)
    bad = tf1.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 10], logits=logits[:2])
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Received a label value of 10 which is outside the valid "
                             r"range of \[0, 10\)"):
        _run(tf1, bad)
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf1.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1]], logits=logits)


def test_softmax_cross_entropy_and_l2_loss(tf1):
    rs = np.random.RandomState(7)
    logits = rs.randn(3, 4)
    labels = rs.dirichlet(np.ones(4), size=3)
    loss = tf1.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    lsm = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    np.testing.assert_allclose(_run(tf1, loss), -(labels * lsm).sum(1), rtol=1e-12)
    _check_grad(tf1, lambda x: tf1.nn.softmax_cross_entropy_with_logits_v2(
        labels=labels, logits=x), logits)
    xv = rs.randn(3, 2)
    np.testing.assert_allclose(_run(tf1, tf1.nn.l2_loss(xv)), (xv ** 2).sum() / 2)
    _check_grad(tf1, tf1.nn.l2_loss, xv)


def test_in_top_k(tf1):
    pred = np.array([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], np.float32)
    got = _run(tf1, tf1.nn.in_top_k(pred, np.array([1, 1]), 2))
    np.testing.assert_array_equal(got, [True, False])


def test_rnn_cell_gone_with_keras3(tf1):
    with pytest.raises(AttributeError, match="not available with Keras 3"):
        tf1.nn.rnn_cell.BasicLSTMCell(4)


def test_dropout_scales_and_zeroes(tf1):
    x = np.ones((200, 50), np.float32)
    y = tf1.nn.dropout(x, rate=0.25, seed=3)
    assert [op.type for op in tf1.get_default_graph().get_operations()][-3:] == [
        "GreaterEqual", "Const", "SelectV2"]
    assert y.op.name == "dropout/SelectV2"
    v = _run(tf1, y)
    assert set(np.unique(v)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < (v == 0).mean() < 0.3
    v1 = tf1.nn.dropout(x, keep_prob=0.5)
    assert 0.4 < (_run(tf1, v1) == 0).mean() < 0.6
    with pytest.raises(ValueError, match="rate"):
        tf1.nn.dropout(x, rate=1.5)
    xt = tf1.constant(x)
    d = tf1.nn.dropout(xt, rate=0.5, seed=1)
    (g,) = tf1.gradients(math_ops.reduce_sum(d), [xt])
    dv, gv = _run(tf1, [d, g])
    np.testing.assert_array_equal(gv, np.where(dv == 0, 0, 2).astype(np.float32))


def test_bias_add_of_a_big_layer_matches_broadcast_add(tf1):
    # >= 2**20 elements take the parallel kernel
    rs = np.random.RandomState(3)
    v = rs.rand(600, 2000).astype(np.float32)
    b = rs.rand(2000).astype(np.float32)
    with tf1.Session() as s:
        got = s.run(tf1.nn.bias_add(tf1.constant(v), tf1.constant(b)))
        got64 = s.run(tf1.nn.bias_add(tf1.constant(v.astype(np.float64)),
                                      tf1.constant(b.astype(np.float64))))
    np.testing.assert_array_equal(got, v + b)
    np.testing.assert_array_equal(got64, v.astype(np.float64) + b)


def test_big_softmax_split_over_threads_matches_reference(tf1):
    # >= 2**20 elements run as row blocks on threads; a NaN still poisons only its row
    rs = np.random.RandomState(4)
    x = (rs.randn(700, 1600) * 4).astype(np.float32)
    x[123, 7] = np.nan
    with tf1.Session() as s:
        got = s.run(tf1.nn.softmax(tf1.constant(x)))
    z = x.astype(np.float64) - x.max(axis=-1, keepdims=True)
    ref = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    assert np.isnan(got[123]).all()
    mask = np.ones(700, bool)
    mask[123] = False
    np.testing.assert_allclose(got[mask], ref[mask], rtol=2e-5, atol=1e-7)


def test_softmax_float32_exp_within_one_ulp_and_exact_zeros(tf1):
    """The float32 softmax computes exp with its own vectorisable polynomial: < 1 ulp from
    the correctly rounded exp over the whole range a shifted logit takes; exp(-inf) and
    anything below float32's normal range exactly 0; short and long rows alike."""
    from numba import njit
    from tfteach.kernels.cpu import nn as nn_kernels
    exp_nonpos = nn_kernels._exp_nonpos

    @njit
    def exp_all(v, out):
        for j in range(v.shape[0]):
            out[j] = exp_nonpos(v[j])

    v = np.linspace(-87.3, 0.0, 1_000_001).astype(np.float32)
    got = np.empty_like(v)
    exp_all(v, got)
    want = np.exp(v.astype(np.float64))
    assert (np.abs(got - want) / np.spacing(want.astype(np.float32))).max() < 1.0
    for n in (3, 1000):                  # short rows (numba's max) and long (NumPy's)
        x = v[:v.size // n * n].reshape(-1, n)
        z = x.astype(np.float64) - x.max(axis=1, keepdims=True)
        ref = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(_run(tf1, tf1.nn.softmax(tf1.constant(x))), ref,
                                   rtol=4e-7, atol=1e-38)
    x = np.array([[0.0, -np.inf, -88.0, -100.0, np.float32(-3.4e38)]], np.float32)
    got = _run(tf1, tf1.nn.softmax(tf1.constant(x)))
    np.testing.assert_array_equal(got, [[1.0, 0.0, 0.0, 0.0, 0.0]])


@pytest.mark.parametrize("o,w,c", [(32, 28, 1), (16, 12, 3), (8, 9, 2), (48, 10, 4),
                                   (64, 7, 32), (32, 7, 1), (4, 8, 1), (32, 9, 40)])
def test_conv2d_float32_all_kernel_paths(tf1, o, w, c):
    # float32 takes the own-GEMM path where available: o < 32 dividing 32 with a row width
    # that splits evenly groups 32/o pixels per GEMM row (kron(I, filter)); o = 32 fills the
    # 12x32 tile; others do not.
    # One input channel takes im2col's whole-window-row copy. Gradients ride along.
    rs = np.random.RandomState(o + w + c)
    xv = rs.randn(3, w + 1, w, c).astype(np.float32)
    fv = rs.randn(5, 5, c, o).astype(np.float32)
    x = tf1.constant(xv)
    f = tf1.constant(fv)
    y = tf1.nn.conv2d(x, f, strides=1, padding="SAME")
    gw = rs.randn(*y.shape.as_list()).astype(np.float32)
    gx, gf = tf1.gradients(math_ops.reduce_sum(y * gw), [x, f])
    got, gxv, gfv = _run(tf1, [y, gx, gf], {})
    want = _ref_conv(xv.astype(np.float64), fv.astype(np.float64), 1, "SAME")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    x64, f64 = tf1.constant(xv.astype(np.float64)), tf1.constant(fv.astype(np.float64))
    y64 = tf1.nn.conv2d(x64, f64, strides=1, padding="SAME")
    gx64, gf64 = tf1.gradients(math_ops.reduce_sum(y64 * gw.astype(np.float64)), [x64, f64])
    rx, rf = _run(tf1, [gx64, gf64], {})
    np.testing.assert_allclose(gxv, rx, rtol=1e-4, atol=1e-4 * np.abs(rx).max())
    np.testing.assert_allclose(gfv, rf, rtol=1e-4, atol=1e-4 * np.abs(rf).max())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_and_relu6_on_ieee_specials_as_tf(tf1, dtype):
    """Eigen's max(x, 0): NaN and -0.0 pass, -inf and negatives become +0 (TF 2.21's values)."""
    tf = tf1
    xv = np.array([np.nan, -np.inf, np.inf, -0.0, -1.0, 2.0, 7.0], dtype)
    r, r6 = _run(tf, [tf.nn.relu(tf.constant(xv)), tf.nn.relu6(tf.constant(xv))])
    np.testing.assert_array_equal(r, np.array([np.nan, 0, np.inf, -0.0, 0, 2, 7], dtype))
    np.testing.assert_array_equal(r6, np.array([np.nan, 0, 6, -0.0, 0, 2, 6], dtype))
    assert np.signbit(r[3]) and not np.signbit(r[4]) and not np.signbit(r6[4])
    np.testing.assert_array_equal(_run(tf, tf.nn.relu6(tf.constant([-3, 4, 9]))), [0, 4, 6])


def test_ieee_results_raise_no_numpy_warnings():
    """TF returns inf and NaN silently; NumPy's ufunc flag checks must not leak through
    tfteach's kernels, eager or in a plan, while a user's own NumPy code still warns."""
    import subprocess
    import sys
    code = ("import warnings, numpy as np, tfteach as tf, tfteach.v1 as v1\n"
            "x = tf.constant([np.nan, -1.0, 0.0])\n"
            "tf.nn.relu(x); tf.math.log(x); x / 0.0; tf.sqrt(x)\n"
            "with v1.Graph().as_default():\n"
            "    p = v1.placeholder(v1.float32)\n"
            "    y = v1.log(v1.nn.relu(p)) / 0.0\n"
            "    with v1.Session() as s: s.run(y, {p: [np.nan, -1.0, 0.0]})\n"
            "np.log(np.array([-1.0]))\n")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, check=True)
    lines = [ln for ln in out.stderr.splitlines() if "RuntimeWarning" in ln]
    assert len(lines) == 1 and "<string>" in lines[0] and "in log" in lines[0], out.stderr
