"""MatMul [-> Reshape] -> BiasAdd [-> Relu] run as one kernel in a plan (runtime/epilogue.py),
as TF's remapper fuses them: same values as the unfused ops, same graph, same errors."""
import numpy as np
import pytest

from tfteach.runtime import executor

pytestmark = pytest.mark.mode("v1")


def _plan(sess):
    (plan,) = [p for p in sess._plans.values()]
    return plan


def _dense(tf, x, w, b, relu=True, rank3=False):
    if rank3:
        flat = tf.reshape(x, [-1, w.shape[0]])
        y = tf.reshape(tf.matmul(flat, tf.constant(w)), [-1, 4, w.shape[1]])
    else:
        y = tf.matmul(x, tf.constant(w))
    y = tf.nn.bias_add(y, tf.constant(b))
    return tf.nn.relu(y) if relu else y


@pytest.mark.parametrize("relu,rank3", [(True, False), (False, False), (True, True)])
def test_fused_values_equal_the_unfused_ops(tf1, monkeypatch, relu, rank3):
    tf = tf1
    rs = np.random.RandomState(0)
    w = rs.randn(30, 70).astype(np.float32)
    b = rs.randn(70).astype(np.float32)
    xv = rs.randn(12, 30).astype(np.float32)
    xv[3, 5] = np.nan                      # Relu keeps NaN, as its own kernel does
    x = tf.placeholder(tf.float32, [None, 4, 30] if rank3 else [None, 30])
    y = _dense(tf, x, w, b, relu, rank3)
    feed = {x: xv.reshape(3, 4, 30) if rank3 else xv}
    with tf.Session() as s:
        fused = s.run(y, feed)
        plan = _plan(s)
    assert [o.type for o in plan.epilogues[0].ops][0] == "MatMul"
    assert plan.epilogues[0].root is y.op
    monkeypatch.setenv("TFTEACH_FUSION", "0")
    with tf.Session() as s:
        plain = s.run(y, feed)
        assert not _plan(s).epilogues
    np.testing.assert_array_equal(fused, plain)
    assert np.isnan(fused.reshape(12, 70)[3]).all()


def test_no_fusion_when_an_intermediate_is_seen(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [None, 3])
    mm = tf.matmul(x, tf.ones([3, 2]))
    y = tf.nn.relu(tf.nn.bias_add(mm, tf.constant([1.0, -5.0])))
    other = mm * 2.0
    with tf.Session() as s:          # `other` is not in this plan: mm has one consumer
        s.run(y, {x: np.ones((2, 3), np.float32)})
        assert _plan(s).epilogues
    with tf.Session() as s:
        a, b = s.run([y, other], {x: np.ones((2, 3), np.float32)})
        assert not _plan(s).epilogues
    with tf.Session() as s:
        c, d = s.run([y, mm], {x: np.ones((2, 3), np.float32)})
        assert not _plan(s).epilogues
    np.testing.assert_array_equal(d, [[3.0, 3.0], [3.0, 3.0]])
    np.testing.assert_array_equal(c, a)
    np.testing.assert_array_equal(a, [[4.0, 0.0], [4.0, 0.0]])
    np.testing.assert_array_equal(b, [[6.0, 6.0], [6.0, 6.0]])


def test_errors_still_name_the_member_that_failed(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, tf.ones([3, 2]), name="prod"),
                                  tf.constant([1.0, 2.0]), name="bias"))
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            s.run(y, {x: np.ones((2, 4), np.float32)})
        assert e.value.op.name == "prod" and "Matrix size-incompatible" in e.value.message
        assert _plan(s).epilogues


def test_variables_feed_the_fused_kernel_their_current_value(tf1):
    tf = tf1
    w = tf.Variable(np.eye(3, dtype=np.float32))
    b = tf.Variable(np.zeros(3, np.float32))
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b))
    step = tf.assign_add(b, [1.0, -2.0, 0.5])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        feed = {x: [[1.0, 1.0, 1.0]]}
        np.testing.assert_array_equal(s.run(y, feed), [[1.0, 1.0, 1.0]])
        s.run(step)
        np.testing.assert_array_equal(s.run(y, feed), [[2.0, 0.0, 1.5]])


def test_a_traced_run_still_times_every_op(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, tf.ones([3, 2])), tf.constant([1.0, 2.0])))
    with tf.Session() as s:
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        meta = tf.RunMetadata()
        s.run(y, {x: np.ones((1, 3), np.float32)}, options=opts, run_metadata=meta)
    names = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
    assert {"MatMul", "BiasAdd", "Relu"} <= names


@pytest.mark.parametrize("relu,rank3,transpose_b", [(True, False, False), (False, False, True),
                                                    (True, True, False)])
def test_big_products_take_the_gemm_epilogue_with_the_same_bits(tf1, monkeypatch, relu,
                                                                 rank3, transpose_b):
    """From 2**23 multiply-adds the own GEMM adds the bias (and applies Relu) to each tile
    as it finishes it: bit for bit the unfused ops' result (TFTEACH_FUSION=0)."""
    from tfteach.kernels.cpu import gemm, linalg
    if not gemm.available():
        pytest.skip("needs a CPU with AVX-512 (the own GEMM)")
    tf = tf1
    rs = np.random.RandomState(1)
    w = rs.randn(300, 190).astype(np.float32)
    b = rs.randn(190).astype(np.float32)
    b[7] = -np.inf                         # a column Relu turns to 0
    xv = rs.randn(240, 300).astype(np.float32)
    xv[3, 5] = np.nan                      # a row that stays NaN through Relu
    calls = []
    real = linalg.mat_mul_epilogue
    monkeypatch.setattr(linalg, "mat_mul_epilogue",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    x = tf.placeholder(tf.float32, [None, 4, 300] if rank3 else [None, 300])
    flat = tf.reshape(x, [-1, 300]) if rank3 else x
    wt = tf.constant(w.T.copy() if transpose_b else w)
    y = tf.matmul(flat, wt, transpose_b=transpose_b)
    if rank3:
        y = tf.reshape(y, [-1, 4, 190])
    y = tf.nn.bias_add(y, tf.constant(b))
    y = tf.nn.relu(y) if relu else y
    feed = {x: xv.reshape(60, 4, 300) if rank3 else xv}
    with tf.Session() as s:
        fused = s.run(y, feed)
    assert calls and calls[0] == 1
    monkeypatch.setenv("TFTEACH_FUSION", "0")
    with tf.Session() as s:
        plain = s.run(y, feed)
    np.testing.assert_array_equal(fused, plain)
    ref = xv.astype(np.float64) @ w.astype(np.float64) + b
    ref = np.where(ref < 0, 0, ref) if relu else ref
    np.testing.assert_allclose(fused.reshape(240, 190), ref, rtol=1e-4, atol=1e-3)


# --- Conv2D -> BiasAdd [-> Relu] ----------------------------------------------------------------

def _conv_layer(tf, x, f, b, relu, data_format="NHWC", name=None):
    y = tf.nn.conv2d(x, tf.constant(f), strides=[1, 1, 1, 1], padding="SAME",
                     data_format=data_format, name=name)
    y = tf.nn.bias_add(y, tf.constant(b), data_format=data_format, name="bias")
    return tf.nn.relu(y) if relu else y


def _conv_reference(xv, f, b, relu):
    """SAME, stride 1, in float64 from the definition."""
    n, h, w, c = xv.shape
    kh, kw, _, o = f.shape
    pad = np.zeros((n, h + kh - 1, w + kw - 1, c))
    pad[:, (kh - 1) // 2:(kh - 1) // 2 + h, (kw - 1) // 2:(kw - 1) // 2 + w] = xv
    y = np.zeros((n, h, w, o))
    for a in range(kh):
        for bb in range(kw):
            y += pad[:, a:a + h, bb:bb + w] @ f[a, bb].astype(np.float64)
    y += b
    return np.where(y < 0, 0, y) if relu else y


# the seed CNN's two layers: one input channel (im2col blocks, 32 outputs: the 12x32 tile),
# 32 channels (the padding-free classes), and ragged output channel counts
@pytest.mark.parametrize("shape,o,relu", [((3, 28, 28, 1), 32, True), ((2, 14, 14, 32), 64, True),
                                          ((2, 14, 14, 32), 64, False), ((2, 9, 11, 16), 40, True),
                                          ((2, 7, 8, 3), 10, True)])
def test_conv_layers_fuse_with_the_same_bits(tf1, monkeypatch, shape, o, relu):
    tf = tf1
    rs = np.random.RandomState(o + shape[3])
    f = rs.randn(5, 5, shape[3], o).astype(np.float32) * 0.3
    b = rs.randn(o).astype(np.float32)
    b[1] = -np.inf                         # a channel Relu turns to 0
    xv = rs.randn(*shape).astype(np.float32)
    xv[0, 3, 4, 0] = np.nan                # the outputs whose window holds it stay NaN
    x = tf.placeholder(tf.float32, [None] + list(shape[1:]))
    y = _conv_layer(tf, x, f, b, relu)
    with tf.Session() as s:
        fused = s.run(y, {x: xv})
        (g,) = _plan(s).epilogues
    assert [o_.type for o_ in g.ops] == ["Conv2D", "BiasAdd"] + (["Relu"] if relu else [])
    monkeypatch.setenv("TFTEACH_FUSION", "0")
    with tf.Session() as s:
        plain = s.run(y, {x: xv})
        assert not _plan(s).epilogues
    np.testing.assert_array_equal(fused, plain)
    assert np.isnan(fused[0, 3, 4, 2:]).all() and not np.isnan(fused[1]).any()
    ref = _conv_reference(np.nan_to_num(xv), f, b, relu)
    finite = ~np.isnan(fused)
    np.testing.assert_allclose(fused[finite], ref[finite], rtol=1e-4, atol=1e-3)
    if relu:
        assert (fused[1, ..., 1] == 0).all()


def test_conv_fusion_keeps_errors_and_nchw_unfused(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [None, 6, 6, None])
    f = np.ones((3, 3, 4, 8), np.float32)
    y = _conv_layer(tf, x, f, np.zeros(8, np.float32), True, name="conv")
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            s.run(y, {x: np.ones((1, 6, 6, 5), np.float32)})      # 5 channels, filter has 4
        assert e.value.op.name == "conv" and _plan(s).epilogues
    # a bias that does not match the channels: BiasAdd's own error, from the fused group
    x2 = tf.placeholder(tf.float32, [None, 6, 6, 4])
    bias = tf.placeholder(tf.float32, [None])
    z = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x2, f, [1, 1, 1, 1], "SAME"), bias,
                                  name="badbias"))
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            s.run(z, {x2: np.ones((1, 6, 6, 4), np.float32), bias: np.ones(3, np.float32)})
        assert e.value.op.name == "badbias" and _plan(s).epilogues
    # NCHW stays three ops
    x3 = tf.placeholder(tf.float32, [None, 4, 6, 6])
    w = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x3, f, [1, 1, 1, 1], "SAME", data_format="NCHW"),
                                  np.zeros(8, np.float32), data_format="NCHW"))
    with tf.Session() as s:
        s.run(w, {x3: np.ones((1, 4, 6, 6), np.float32)})
        assert not _plan(s).epilogues


# --- MaxPoolGrad -> ReluGrad ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype,ksize,stride,padding,data_format", [
    ("float32", 2, 2, "VALID", "NHWC"),        # the seed CNN's pools
    ("float32", 3, 2, "SAME", "NHWC"),         # overlapping windows: sums, then the mask
    ("float64", 2, 1, "VALID", "NHWC"),
    ("float32", 2, 2, "SAME", "NCHW")])
def test_relu_then_max_pool_gradient_fuses_with_the_same_bits(tf1, monkeypatch, dtype, ksize,
                                                              stride, padding, data_format):
    tf = tf1
    rs = np.random.RandomState(ksize + stride)
    shape = (2, 7, 9, 5) if data_format == "NHWC" else (2, 5, 7, 9)
    xv = rs.randn(*shape).astype(dtype)
    xv.reshape(-1)[::7] = 0.0                  # ties at 0: Relu's output is 0 there
    x = tf.placeholder(dtype, shape)
    r = tf.nn.relu(x)
    ks = [1, ksize, ksize, 1] if data_format == "NHWC" else [1, 1, ksize, ksize]
    st = [1, stride, stride, 1] if data_format == "NHWC" else [1, 1, stride, stride]
    p = tf.nn.max_pool(r, ks, st, padding, data_format=data_format)
    wv = rs.randn(*p.shape.as_list()).astype(dtype)
    wv.reshape(-1)[3] = np.nan                 # a NaN gradient: ReluGrad keeps g * 0 = NaN
    wv.reshape(-1)[5] = -2.0
    (gx,) = tf.gradients(tf.reduce_sum(p * wv), [x])
    with tf.Session() as s:
        fused = s.run(gx, {x: xv})
        assert [[o.type for o in g.ops] for g in _plan(s).epilogues] == [["MaxPoolGrad",
                                                                        "ReluGrad"]]
    monkeypatch.setenv("TFTEACH_FUSION", "0")
    with tf.Session() as s:
        plain = s.run(gx, {x: xv})
    assert fused.dtype == plain.dtype
    np.testing.assert_array_equal(fused, plain)
    np.testing.assert_array_equal(np.signbit(fused), np.signbit(plain))
    # independent check: each window's gradient goes to its first maximum, where > 0
    xn = xv if data_format == "NHWC" else xv.transpose(0, 2, 3, 1)
    wn = wv if data_format == "NHWC" else wv.transpose(0, 2, 3, 1)
    want = np.zeros(xn.shape)
    rn = np.maximum(xn, 0)
    h, w = xn.shape[1:3]
    oh, ow = wn.shape[1:3]
    pt = max(0, ((oh - 1) * stride + ksize - h) // 2) if padding == "SAME" else 0
    pl = max(0, ((ow - 1) * stride + ksize - w) // 2) if padding == "SAME" else 0
    for n in range(xn.shape[0]):
        for i in range(oh):
            for j in range(ow):
                y0, x0 = i * stride - pt, j * stride - pl
                win = rn[n, max(0, y0):y0 + ksize, max(0, x0):x0 + ksize]
                for c in range(xn.shape[3]):
                    a = np.argmax(win[:, :, c])
                    yy, xx = divmod(a, win.shape[1])
                    want[n, max(0, y0) + yy, max(0, x0) + xx, c] += wn[n, i, j, c]
    want = np.where(xn > 0, want, want * 0)
    got = fused if data_format == "NHWC" else fused.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_pool_gradient_of_another_tensor_is_not_fused(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [1, 4, 4, 2])
    p = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")       # no Relu before the pool
    (gx,) = tf.gradients(tf.reduce_sum(tf.nn.relu(p) * 2.0), [x])
    with tf.Session() as s:
        s.run(gx, {x: np.ones((1, 4, 4, 2), np.float32)})
        assert not any(g.ops[0].type == "MaxPoolGrad" for g in _plan(s).epilogues)
