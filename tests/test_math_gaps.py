"""tf.math and tf.linalg names of the mathgaps branch against TF 2.21's recorded results
(tools/record_math_gaps.py runs tests/cases_math_gaps.py and tests/cases_linalg_gaps.py under
TF into tests/data/math_gaps_tf.json). Tolerance: 1e-5 relative and absolute for float32
results, 1e-8 relative for float64 (special functions are TF's Eigen/Cephes values to that);
dtypes, shapes, error classes and message fragments must match exactly. Plus the TF1
spellings in a session and finite-difference checks of gradients TF's cases do not pin."""
import json
import os

import numpy as np
import pytest

import tfcases

pytestmark = pytest.mark.mode("both")

with open(os.path.join(os.path.dirname(__file__), "data", "math_gaps_tf.json")) as _f:
    REC = json.load(_f)["modules"]
MODULES = {name: tfcases.load_cases(name) for name in REC}
PARAMS = [(m, c) for m in sorted(REC) for c in tfcases.case_names(MODULES[m])]


# TF's float64 expm of [[1, 2], [3, 40]] is 1e-7 off the exact value (its Pade step); ours
# is within 1e-13 of it (test_expm_is_exact), so that item compares at 1e-6.
LOOSER = {("expm_pinv_rank", 1): (1e-6, 0.0)}


def _tol(want):
    """float64 arrays compare to 1e-8 relative, anything holding float32 to 1e-5."""
    text = json.dumps(want)
    return (1e-5, 1e-5) if "float32" in text or "complex64" in text else (1e-8, 1e-10)


def test_every_case_was_recorded():
    for m, mod in MODULES.items():
        assert sorted(REC[m]) == tfcases.case_names(mod)


def _with_imag(x):
    """tfcases.compare reads a complex array's real part only: the imaginary part becomes an
    array of its own beside it."""
    if isinstance(x, dict) and "imag" in x:
        return [{"array": x["array"], "dtype": x["dtype"]},
                {"array": x["imag"], "dtype": x["dtype"]}]
    if isinstance(x, dict):
        return {k: _with_imag(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_with_imag(v) for v in x]
    return x


@pytest.mark.parametrize("module,name", PARAMS)
def test_case(tf2, tmp_path, module, name):
    got = _with_imag(tfcases.normalize(getattr(MODULES[module], "case_" + name)(
        tf2, str(tmp_path))))
    want = _with_imag(REC[module][name])
    if isinstance(want, list):       # item by item: a float32 item does not loosen the rest
        assert isinstance(got, list) and len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            rtol, atol = LOOSER.get((name, i)) or _tol(w)
            tfcases.compare(g, w, f"{name}[{i}]", rtol=rtol, atol=atol)
    else:
        rtol, atol = _tol(want)
        tfcases.compare(got, want, name, rtol=rtol, atol=atol)


def test_v1_spellings_in_a_session(tf1):
    x = tf1.placeholder(tf1.float64, [None])
    seg = tf1.math.segment_prod(x, [0, 0, 1])
    z = tf1.math.zeta(x + 1.0, x)
    counts = tf1.math.bincount(tf1.cast(x, tf1.int32))
    s, ld = tf1.linalg.slogdet(tf1.reshape(tf1.concat([x, [1., 5., 3., 4., 5., 7.]], 0),
                                           [3, 3]))
    g = tf1.gradients(tf1.reduce_sum(seg) + tf1.reduce_sum(z) + ld, x)[0]
    with tf1.Session() as sess:
        sv, zv, cv, ldv, gv = sess.run([seg, z, counts, ld, g], {x: [2., 3., 4.]})
    np.testing.assert_allclose(sv, [6., 4.])
    # zeta(3, 2) = zeta(3) - 1, zeta(4, 3) = zeta(4) - 1 - 1/16, zeta(5, 4) likewise
    np.testing.assert_allclose(zv, [1.2020569031595943 - 1, 1.0823232337111382 - 1.0625,
                                    1.0369277551433699 - 1 - 1 / 32 - 1 / 243], rtol=1e-10)
    assert cv.tolist() == [0, 0, 1, 1, 1]
    m = np.array([[2., 3., 4.], [1., 5., 3.], [4., 5., 7.]])
    np.testing.assert_allclose(ldv, np.linalg.slogdet(m)[1])
    assert gv.shape == (3,) and np.all(np.isfinite(gv))


def _numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        p, q = x.copy(), x.copy()
        p[i] += eps
        q[i] -= eps
        g[i] = (f(p) - f(q)) / (2 * eps)
    return g


@pytest.mark.parametrize("which", ["igamma_a", "igammac_a", "cumlse", "tridiag_solve",
                                   "slogdet", "cross"])
def test_gradients_by_finite_differences(tf2, which):
    """float64, central differences, 1e-6 relative."""
    tf = tf2
    rng = np.random.default_rng(3)
    if which in ("igamma_a", "igammac_a"):
        fn = tf.math.igamma if which == "igamma_a" else tf.math.igammac
        x = np.array([0.3, 2., 5., 40.])
        a0 = np.array([0.7, 3., 4., 35.])
        f = lambda a: float(tf.reduce_sum(fn(tf.constant(a), x)).numpy())   # noqa: E731
        xs, make = a0, lambda t: tf.reduce_sum(fn(t, x))
    elif which == "cumlse":
        w = rng.normal(size=(2, 5))
        f = lambda v: float(tf.reduce_sum(tf.math.cumulative_logsumexp(v, 1) * w))  # noqa
        xs, make = rng.normal(size=(2, 5)), lambda t: tf.reduce_sum(
            tf.math.cumulative_logsumexp(t, 1) * w)
    elif which == "tridiag_solve":
        r = rng.normal(size=(5, 2))
        d0 = rng.normal(size=(3, 5)) + np.array([[0.], [4.], [0.]])
        f = lambda d: float(tf.reduce_sum(tf.linalg.tridiagonal_solve(   # noqa: E731
            tf.constant(d), tf.constant(r)) ** 2))
        xs, make = d0, lambda t: tf.reduce_sum(tf.linalg.tridiagonal_solve(t, r) ** 2)
    elif which == "slogdet":
        f = lambda a: float(tf.linalg.slogdet(a)[1])      # noqa: E731
        xs, make = rng.normal(size=(4, 4)), lambda t: tf.linalg.slogdet(t)[1]
    else:
        b = rng.normal(size=(4, 3))
        f = lambda a: float(tf.reduce_sum(tf.linalg.cross(a, b) ** 2))    # noqa: E731
        xs, make = rng.normal(size=(4, 3)), lambda t: tf.reduce_sum(tf.linalg.cross(t, b) ** 2)
    t_x = tf.constant(xs)
    with tf.GradientTape() as tape:
        tape.watch(t_x)
        y = make(t_x)
    got = tape.gradient(y, t_x).numpy()
    want = _numeric_grad(f, xs)
    if which == "tridiag_solve":         # the unused corners of the compact form
        want[0, -1] = want[2, 0] = 0.0
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_nextafter_float32_steps_one_float32_ulp(tf2):
    x = np.array([1., -1., 1e-40, 3.4028235e38], np.float32)
    got = tf2.math.nextafter(x, np.float32(np.inf)).numpy()
    np.testing.assert_array_equal(got, np.nextafter(x, np.float32(np.inf)))
    got = tf2.math.nextafter(x, np.float32(-np.inf)).numpy()
    np.testing.assert_array_equal(got, np.nextafter(x, np.float32(-np.inf)))
    y = np.array([1., 0.5, 5e-324, -2.], np.float64)
    got = tf2.math.nextafter(tf2.constant(y), tf2.constant(0.0, tf2.float64)).numpy()
    np.testing.assert_array_equal(got, np.nextafter(y, 0.0))
    # NumPy float64 arrays take the op's default type, float32, as in TF
    assert tf2.math.nextafter(y, 0.0).dtype == tf2.float32


def test_expm_is_exact(tf2):
    """exp([[1, 2], [3, 40]]) in closed form: (e^l1 (A - l2 I) - e^l2 (A - l1 I)) / (l1 - l2)
    with the eigenvalues l1, l2 (digits from 50-digit decimal arithmetic)."""
    exact = np.array([[1069674296893492.7867652605, 13960406251440959.129342185],
                      [20940609377161438.694013277, 273297596199992195.80893787]])
    got = tf2.linalg.expm(np.array([[1., 2.], [3., 40.]])).numpy()
    np.testing.assert_allclose(got, exact, rtol=1e-13)
