"""The vectorised float32 Exp, Log, Tanh, Sigmoid and Softplus kernels (kernels/cpu/vecmath.py).

Oracles: NumPy's float64 functions of the widened input (the float32 value that is nearest
them is the correctly rounded result, and the error is measured in float32 ulps at the
float64 value), and TensorFlow 2.21's own outputs on a dense grid with the edge cases
(tests/data/unary_math_tf221.npz, from tools/record_unary_math_tf.py). TF's CPU kernels run
with flush-to-zero / denormals-are-zero, so a subnormal input is a zero and a subnormal
result is zero there, and here. No result may depend on the array's length, offset, stride,
blocking or thread count: the vector body and the scalar remainder compute the same."""
import os

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")    # eager kernels (tf2) and a fused v1 graph (tf1)

F = np.float32
TINY = np.finfo(F).tiny
DATA = os.path.join(os.path.dirname(__file__), "data", "unary_math_tf221.npz")
OPS = ("Exp", "Log", "Tanh", "Sigmoid", "Softplus")
# measured maxima (tools/unary_math_accuracy.py) with a little room; the bar is 2 ulps
MAX_ULP = {"Exp": 1.0, "Log": 0.501, "Tanh": 1.9, "Sigmoid": 1.5, "Softplus": 0.501}
# farthest from TF's own outputs, which are up to 1.2 (exp), 2.1 (log), 5.1 (tanh), 5.8
# (sigmoid) and 6.8 (softplus) ulps from the correctly rounded value: the old libm kernels
# were as far
MAX_FROM_TF = {"Exp": 1, "Log": 2, "Tanh": 5, "Sigmoid": 6, "Softplus": 7}


def _fn(tf, op):
    return {"Exp": tf.exp, "Log": tf.math.log, "Tanh": tf.tanh, "Sigmoid": tf.sigmoid,
            "Softplus": tf.nn.softplus}[op]


def _ref(op, x):
    with np.errstate(all="ignore"):
        d = x.astype(np.float64)
        return {"Exp": np.exp, "Log": np.log, "Tanh": np.tanh,
                "Sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
                "Softplus": lambda v: np.logaddexp(0.0, v)}[op](d)


def _ulp_err(y, ref):
    """|y - ref| in float32 ulps at ref; where ref rounds to +-inf, 0 if y is that inf."""
    with np.errstate(all="ignore"):
        ulp = np.spacing(np.minimum(np.abs(ref).astype(F), np.finfo(F).max)).astype(np.float64)
        err = np.abs(y.astype(np.float64) - ref) / ulp
    over = np.abs(ref) >= 3.4028235677973366e38        # float32's max + half an ulp
    return np.where(over, np.where(np.isinf(y) & (np.sign(y) == np.sign(ref)), 0.0, np.inf),
                    err)


def _sweep(op, stride=4099):
    """Every stride-th float32 of the range where the function is not saturated."""
    hi = {"Exp": 88.7, "Log": 3.4e38, "Tanh": 9.1, "Sigmoid": 88.0, "Softplus": 1e9}[op]
    pos = np.arange(int(np.float32(TINY).view(np.int32)), int(np.float32(hi).view(np.int32)),
                    stride, dtype=np.int64).astype(np.int32).view(F)
    return pos if op == "Log" else np.concatenate([pos, -pos])


def _run(tf, op, x):
    with np.errstate(all="ignore"):
        return _fn(tf, op)(tf.constant(x)).numpy()


@pytest.mark.parametrize("op", OPS)
def test_within_bound_of_correctly_rounded(tf2, op):
    rec = np.load(DATA)
    x = np.concatenate([_sweep(op), rec["float32/x"]])
    x = x[np.isfinite(x) & ~((x != 0) & (np.abs(x) < TINY))]
    if op == "Log":
        x = x[x > 0]
    ref = _ref(op, x)
    keep = ~((ref != 0) & (np.abs(ref) < TINY))     # subnormal results: TF's flush, below
    y = _run(tf2, op, x)
    err = _ulp_err(y, ref)[keep]
    assert y.dtype == F
    assert err.max() <= MAX_ULP[op], (op, err.max(), x[keep][np.argmax(err)])


def _same(a, b):
    """Bit for bit, NaN equal to NaN, the sign of zero included."""
    return (a.view(np.int32) == b.view(np.int32)) | (np.isnan(a) & np.isnan(b))


@pytest.mark.parametrize("op", OPS)
def test_edges_equal_tensorflow(tf2, op):
    """Where TF's result is inf, -inf, NaN or a zero, or where its flush of subnormals
    decides (subnormal input, subnormal exact result), tfteach gives TF's value, bit for
    bit. (TF's tanh is 1 from |x| = 7.9 on and its sigmoid 1 from x = 16.6: approximation
    errors of up to 5 ulps, the correctly rounded values there are 1 - 2**-24 and the
    like; tfteach keeps those, within MAX_FROM_TF of TF, below.)"""
    rec = np.load(DATA)
    x, want = rec["float32/x"], rec[f"float32/{op}"]
    got = _run(tf2, op, x)
    ref = _ref(op, x)
    edge = (~np.isfinite(want) | (want == 0) | ~np.isfinite(x)
            | ((x != 0) & (np.abs(x) < TINY)) | ((ref != 0) & (np.abs(ref) < TINY)))
    bad = edge & ~_same(got, want)
    assert not bad.any(), list(zip(x[bad][:5], got[bad][:5], want[bad][:5]))
    assert edge.sum() > 40


@pytest.mark.parametrize("op", OPS)
def test_no_farther_from_tensorflow_than_libm_was(tf2, op):
    rec = np.load(DATA)
    x, want = rec["float32/x"], rec[f"float32/{op}"]
    got = _run(tf2, op, x)
    ig, iw = got.view(np.int32).astype(np.int64), want.view(np.int32).astype(np.int64)
    ig = np.where(ig < 0, -(2 ** 31) - ig, ig)
    iw = np.where(iw < 0, -(2 ** 31) - iw, iw)
    d = np.where(np.isnan(got) & np.isnan(want), 0, np.abs(ig - iw))
    assert d.max() <= MAX_FROM_TF[op]


def test_exact_values_and_special_cases(tf2):
    x = np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan], F)
    e, lg, th, sg, sp = (_run(tf2, op, x) for op in OPS)
    assert list(e[:5]) == [1, 1, F(np.e), np.inf, 0] and np.isnan(e[5])
    assert list(lg[:4]) == [-np.inf, -np.inf, 0, np.inf] and np.isnan(lg[4:]).all()
    assert list(th[:5]) == [0, 0, F(np.tanh(1.0)), 1, -1] and np.signbit(th[1])
    assert list(sg[:5]) == [0.5, 0.5, F(1 / (1 + np.exp(-1.0))), 1, 0]
    assert list(sp[:5]) == [F(np.log(2.0)), F(np.log(2.0)), F(np.log1p(np.e)), np.inf, 0]
    assert np.isnan(th[5]) and np.isnan(sg[5]) and np.isnan(sp[5])
    # overflow to inf at float32's limit, and TF's flush of what would be subnormal
    assert _run(tf2, "Exp", np.array([88.72283, 88.7229, -87.33, -87.34], F)).tolist() == \
        [F(3.4027985e38), np.inf, F(np.exp(np.float64(F(-87.33)))), 0.0]


@pytest.mark.parametrize("op", OPS)
def test_independent_of_length_offset_stride(tf2, op):
    """Lengths 1..70 at offsets 0..3 (the vector body and the scalar remainder split each
    differently), strided views, 0-d tensors and a big call on threads all agree."""
    from tfteach.framework import registry
    rs = np.random.RandomState(7)
    base = np.concatenate([rs.uniform(-12, 12, 700), rs.uniform(-100, 100, 300),
                           np.array([0, -0.0, 1e-40, -1e-40, np.inf, -np.inf, np.nan])])
    base = base.astype(F)
    if op == "Log":
        base = np.abs(base)
    _run(tf2, op, base[:1])          # declares the op (nn_ops loads on first use)
    u = registry.all_ops()[op].kernel_for("CPU").ufunc(np.dtype(F))
    with np.errstate(all="ignore"):
        whole = u(base)
        for n in range(1, 71):
            for off in range(4):
                part = u(base[off:off + n])
                assert _same(part, whole[off:off + n]).all(), (n, off)
        for step in (2, 3, 7):
            assert _same(u(base[1::step]), whole[1::step]).all()
        for i in (0, 5, 701, len(base) - 1):
            assert _same(_run(tf2, op, base[i]).reshape(1), whole[i:i + 1]).all()
        big = np.tile(base, 400)[1:]                   # over the split size, odd offset
        assert _same(_run(tf2, op, big), np.tile(whole, 400)[1:]).all()


def test_fused_graph_computes_what_the_kernels_do(tf1, monkeypatch):
    """The fusion pass compiles each op's float32 rule: a fused chain equals the unfused."""
    from tfteach.runtime import executor
    tf = tf1
    x = tf.compat.v1.placeholder(tf.float32, [1001])   # fusion needs static shapes
    y = tf.sigmoid(tf.tanh(tf.exp(x * 0.5)) + tf.math.log(tf.abs(x) + 1.0))
    feed = np.random.RandomState(3).uniform(-40, 40, 1001).astype(F)
    with tf.Session() as s:
        first = s.run(y, {x: feed})
        monkeypatch.setattr(executor.Plan, "FUSE_AFTER", 2)
        with tf.Session() as fs:
            for _ in range(3):
                fused = fs.run(y, {x: feed})
            plan = [p for p in fs._plans.values() if p.fetch_tensors][0]
            assert plan.fused_groups and len(plan.fused_groups[0].ops) >= 4
    assert _same(fused, first).all()
