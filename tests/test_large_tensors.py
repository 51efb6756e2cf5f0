"""Big tensors (issue 19): element-wise ops and reductions above the size at which they run in
blocks on all threads, NumPy inputs converted without copies, and the one thread policy.

Oracles: float32 add/sub/mul/div/sqrt are correctly rounded, so they equal the float64 result
rounded to float32 (53 >= 2 * 24 + 2 bits); comparisons equal NumPy's; sums are checked
against float64 sums. Results must not depend on the thread count: the same script runs in
fresh processes with 1, 2 and 3 intra-op threads and must print the same digests."""
import hashlib
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

F = np.float32
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = 600_011          # above the split size (2**17), not a multiple of the block


def _data(n=N, seed=0):
    rs = np.random.RandomState(seed)
    return rs.uniform(0.1, 3.0, n).astype(F), rs.uniform(-2.0, 2.0, n).astype(F)


def _r64(v):
    return np.asarray(v, np.float64).astype(F)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide"])
def test_big_binary_ops_correctly_rounded(tf2, name):
    a, b = _data()
    got = getattr(tf2.math, name)(tf2.constant(a), tf2.constant(b)).numpy()
    want = _r64(getattr(np, name)(a.astype(np.float64), b.astype(np.float64)))
    np.testing.assert_array_equal(got, want)


def test_big_unary_and_comparisons(tf2):
    a, b = _data()
    x, y = tf2.constant(a), tf2.constant(b)
    np.testing.assert_array_equal(tf2.sqrt(x).numpy(), _r64(np.sqrt(a.astype(np.float64))))
    np.testing.assert_array_equal(tf2.square(y).numpy(), _r64(np.square(b.astype(np.float64))))
    np.testing.assert_array_equal(tf2.negative(y).numpy(), -b)
    np.testing.assert_array_equal((x > y).numpy(), a > b)
    np.testing.assert_array_equal(tf2.equal(x, x).numpy(), np.ones(N, bool))


def test_big_broadcasts_scalar_and_row(tf2):
    a, b = _data(1000 * 700)
    m = a.reshape(1000, 700)
    row = b[:700].copy()
    got = (tf2.constant(m) + tf2.constant(row)).numpy()
    np.testing.assert_array_equal(got, _r64(m.astype(np.float64) + row.astype(np.float64)))
    got = (tf2.constant(row) * tf2.constant(m)).numpy()       # the row first
    np.testing.assert_array_equal(got, _r64(row.astype(np.float64) * m.astype(np.float64)))
    got = (tf2.constant(a) * 2.5).numpy()
    np.testing.assert_array_equal(got, _r64(a.astype(np.float64) * 2.5))
    col = b[:1000].reshape(1000, 1).copy()                      # a column: rows split
    got = (tf2.constant(m) - tf2.constant(col)).numpy()
    np.testing.assert_array_equal(got, _r64(m.astype(np.float64) - col.astype(np.float64)))


def test_big_numba_rule_is_blocking_independent(tf2):
    """exp keeps numba's rule: a big call (blocks on threads) equals small calls (one
    ufunc call each, below the split size) element for element, and is within 1 ulp of
    the float64 value."""
    a, _ = _data()
    big = tf2.exp(tf2.constant(a)).numpy()
    small = np.concatenate([tf2.exp(tf2.constant(a[i:i + 50_000])).numpy()
                            for i in range(0, N, 50_000)])
    np.testing.assert_array_equal(big, small)
    np.testing.assert_array_max_ulp(big, _r64(np.exp(a.astype(np.float64))), maxulp=1)


def test_big_reductions(tf2):
    a, b = _data()
    s = tf2.reduce_sum(tf2.constant(b)).numpy()
    assert s.dtype == F and abs(float(s) - b.astype(np.float64).sum()) <= 1e-3
    mean = tf2.reduce_mean(tf2.constant(a)).numpy()
    assert abs(float(mean) - a.astype(np.float64).mean()) <= 1e-6
    m = b[:600_000].reshape(-1, 12)      # many short rows
    np.testing.assert_allclose(tf2.reduce_sum(tf2.constant(m), axis=1).numpy(),
                               m.astype(np.float64).sum(axis=1), rtol=1e-6, atol=1e-6)
    assert tf2.reduce_max(tf2.constant(b)).numpy() == b.max()


def test_numpy_inputs_not_aliased(tf2):
    """The conversion may skip the copy for a kernel that only reads its inputs, but no
    tensor may change when the caller's array changes afterwards (as in TF)."""
    a, b = _data()
    a0 = a.copy()
    r = tf2.add(a, b)
    c = tf2.constant(a)
    t = tf2.convert_to_tensor(a)
    i = tf2.identity(a)
    a[:] = 7.0
    want = _r64(a0.astype(np.float64) + b.astype(np.float64))
    np.testing.assert_array_equal(r.numpy(), want)
    for x in (c, t, i):
        np.testing.assert_array_equal(x.numpy(), a0)
    # a GradientTape keeps the op's inputs: those are copies
    w = tf2.Variable(np.ones(N, F))
    a[:] = a0
    with tf2.GradientTape() as tape:
        y = tf2.reduce_sum(tf2.multiply(a, w))
    a[:] = -1.0
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), a0)


_SCRIPT = textwrap.dedent("""
    import hashlib, json, sys
    import numpy as np
    import tfteach as tf
    n = int(sys.argv[1])
    if n:
        tf.config.threading.set_intra_op_parallelism_threads(n)
    rs = np.random.RandomState(3)
    a = tf.constant(rs.uniform(-1, 1, 1_200_000).astype(np.float32))
    b = tf.constant(rs.uniform(0.5, 2, 1_200_000).astype(np.float32))
    m = tf.constant(rs.uniform(-1, 1, (600, 700)).astype(np.float32))
    k = tf.constant(rs.uniform(-1, 1, (700, 900)).astype(np.float32))
    x = tf.constant(rs.uniform(-1, 1, (16, 20, 20, 8)).astype(np.float32))
    f = tf.constant(rs.uniform(-1, 1, (3, 3, 8, 16)).astype(np.float32))
    dy = tf.constant(rs.uniform(-1, 1, (16, 20, 20, 16)).astype(np.float32))
    w = tf.Variable(rs.uniform(-1, 1, 1_200_000).astype(np.float32))
    opt = tf.keras.optimizers.Adam(0.01)

    @tf.function
    def step(g):
        opt.apply_gradients([(g, w)])
    step(a)
    step(b)
    xv, fv = tf.Variable(x), tf.Variable(f)
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(xv, fv, 1, "SAME")
        loss = tf.reduce_sum(y * dy)
    dx, df = tape.gradient(loss, [xv, fv])
    outs = {"add": a + b, "exp": tf.exp(a), "div": a / b, "sum": tf.reduce_sum(a),
            "mean": tf.reduce_mean(b), "rowsum": tf.reduce_sum(m, axis=1),
            "matmul": tf.matmul(m, k), "conv": y, "conv_dw": df, "conv_dx": dx, "adam": w}
    from tfteach.kernels.cpu import threads
    digests = {k: hashlib.sha1(np.ascontiguousarray(v.numpy()).tobytes()).hexdigest()
               for k, v in outs.items()}
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n + 1)
        late = "no error"
    except RuntimeError as e:
        late = str(e)
    print(json.dumps({"digests": digests, "threads": threads.intra_op_threads(),
                      "numba": threads.numba_threads(), "late": late,
                      "get": tf.config.threading.get_intra_op_parallelism_threads()}))
""")


def _run_with_threads(n):
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-c", _SCRIPT, str(n)], capture_output=True,
                       text=True, env=env, cwd=ROOT, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_results_do_not_depend_on_thread_count():
    runs = {n: _run_with_threads(n) for n in (1, 2)}
    for n, r in runs.items():
        assert r["threads"] == n and r["get"] == n
        assert r["numba"] == min(n, r["numba"]) and r["numba"] >= 1
        # TF refuses a change once ops have run
        assert r["late"] == "Intra op parallelism cannot be modified after initialization."
    assert runs[1]["digests"] == runs[2]["digests"]


def test_session_config_threads_apply_to_its_runs(tf1):
    from tfteach.kernels.cpu import threads
    seen = []

    def probe(x):
        seen.append(threads.intra_op_threads())
        return x
    x = tf1.constant(np.arange(3, dtype=F))
    y = tf1.py_func(probe, [x], tf1.float32)
    with tf1.Session(config=tf1.ConfigProto(intra_op_parallelism_threads=1)) as s:
        s.run(y)
    with tf1.Session(config=tf1.ConfigProto(intra_op_parallelism_threads=3)) as s:
        s.run(y)
    with tf1.Session() as s:
        s.run(y)
    assert seen == [1, 3, threads.intra_op_threads()]
    assert seen[2] == (tf1.config.threading.get_intra_op_parallelism_threads() or
                       threads.cores())
