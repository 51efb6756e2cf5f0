"""tf.linalg decompositions (svd, qr, eigh, cholesky, triangular_solve) and
reduce_std/reduce_variance against TF 2.21 (see tests/tfcases.py). Singular and eigen
vectors are fixed only up to sign, so the cases compare sign-free quantities where TF's
Eigen and tfteach's LAPACK may choose differently."""
import re

import numpy as np

MODE = "v2"

A = np.array([[4., 1., 2.], [1., 3., 0.5], [2., 0.5, 5.]])           # symmetric PD
M = np.array([[1., 2.], [3., 4.], [5., 7.]])                          # tall
W = M.T.copy()                                                        # wide


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        msg = re.sub(r"\{\{.*?\}\}\s*", "", str(e)).split(" [Op:")[0]
        return type(e).__name__, msg[:80]
    return None


def _op_types(tf, fn, *args):
    specs = [tf.TensorSpec(np.shape(a), tf.float64) for a in args]
    g = tf.function(fn).get_concrete_function(*specs).graph
    return sorted({op.type for op in g.get_operations()} - {"Placeholder", "Identity",
                                                              "NoOp", "Const"})


def _grad(tf, fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(x)
    return t.gradient(y, x)


def case_cholesky(tf, tmp):
    l = tf.linalg.cholesky(A)
    batch = tf.linalg.cholesky(np.stack([A, 2 * A]).astype(np.float32))
    lower_only = tf.linalg.cholesky(np.triu(A, 1) * 100 + np.tril(A))   # reads the lower half
    g = _grad(tf, lambda x: tf.reduce_sum(tf.linalg.cholesky(x) * [[1., 0, 0], [2, 3, 0],
                                                                    [4, 5, 6]]), A)
    # not positive definite: TF fills the lower triangle with NaN (no error)
    bad = tf.linalg.band_part(tf.linalg.cholesky(np.array([[1., 2.], [2., 1.]])), -1, 0)
    not_square = _err(lambda: tf.linalg.cholesky(np.ones((2, 3))))
    rank1 = _err(lambda: tf.linalg.svd(np.ones((2,))))
    return [l, batch, batch.dtype, lower_only, g, bad, not_square, rank1,
            _op_types(tf, tf.linalg.cholesky, A), tf.cholesky(A) if hasattr(tf, "cholesky")
            else None]


def case_qr(tf, tmp):
    q, r = tf.linalg.qr(M)
    qf, rf = tf.linalg.qr(M, full_matrices=True)
    qw, rw = tf.linalg.qr(W)
    weights = np.arange(6.).reshape(3, 2)
    g = _grad(tf, lambda x: tf.reduce_sum(tf.abs(tf.linalg.qr(x)[1]) * [[1., 2.], [0., 3.]])
              + tf.reduce_sum(tf.square(tf.linalg.qr(x)[0]) * weights), M)
    gw = _grad(tf, lambda x: tf.reduce_sum(tf.matmul(*tf.linalg.qr(x)) * W), W)
    full_grad = _err(lambda: _grad(tf, lambda x: tf.reduce_sum(
        tf.linalg.qr(x, full_matrices=True)[0]), M))
    return [q.shape, r.shape, qf.shape, rf.shape, tf.abs(r), tf.matmul(q, r),
            tf.matmul(qf, rf), tf.abs(rw), tf.matmul(qw, rw), g, gw, full_grad,
            _op_types(tf, lambda x: tf.linalg.qr(x), M)]


def case_svd(tf, tmp):
    s = tf.linalg.svd(M, compute_uv=False)
    s2, u, v = tf.linalg.svd(M)
    sf, uf, vf = tf.linalg.svd(M, full_matrices=True)
    sw, uw, vw = tf.linalg.svd(W)
    recon = tf.matmul(u * s2, v, adjoint_b=True)
    wts = np.array([[1., 2.], [3., 4.], [5., 6.]])
    g_s = _grad(tf, lambda x: tf.reduce_sum(tf.linalg.svd(x, compute_uv=False) * [1., 3.]), M)
    g_uv = _grad(tf, lambda x: tf.reduce_sum(tf.square(tf.linalg.svd(x)[1]) * wts) +
                 tf.reduce_sum(tf.square(tf.linalg.svd(x)[2]) * [[1., 2.], [3., 4.]]), M)
    g_w = _grad(tf, lambda x: tf.reduce_sum(tf.square(tf.linalg.svd(x)[1]) * [[1., 2.],
                                                                               [3., 4.]]), W)
    return [s, s2, u.shape, v.shape, uf.shape, vf.shape, sf, sw, uw.shape, vw.shape,
            recon, tf.abs(u), tf.abs(v), g_s, g_uv, g_w,
            _op_types(tf, lambda x: tf.linalg.svd(x), M)]


def case_eigh(tf, tmp):
    e, v = tf.linalg.eigh(A)
    ev = tf.linalg.eigvalsh(A)
    e32 = tf.linalg.eigh(A.astype(np.float32))[0]
    upper_ignored = tf.linalg.eigvalsh(np.tril(A) + np.triu(np.ones((3, 3)), 1) * 9)
    g_e = _grad(tf, lambda x: tf.reduce_sum(tf.linalg.eigvalsh(x) * [1., 2., 3.]), A)
    g_v = _grad(tf, lambda x: tf.reduce_sum(tf.square(tf.linalg.eigh(x)[1]) *
                                            np.arange(9.).reshape(3, 3)), A)
    return [e, ev, e32, e32.dtype, tf.abs(v), tf.matmul(v * e, v, adjoint_b=True),
            upper_ignored, g_e, g_v, _op_types(tf, lambda x: tf.linalg.eigh(x), A),
            _op_types(tf, tf.linalg.eigvalsh, A)]


def case_triangular_solve(tf, tmp):
    L = np.tril(A)
    b = np.array([[1., 2.], [3., 4.], [5., 6.]])
    x = tf.linalg.triangular_solve(L, b)
    xu = tf.linalg.triangular_solve(L.T, b, lower=False)
    xa = tf.linalg.triangular_solve(L, b, adjoint=True)
    ga = _grad(tf, lambda m: tf.reduce_sum(tf.linalg.triangular_solve(m, b) * b), L)
    return [x, xu, xa, ga, _op_types(tf, lambda m: tf.linalg.triangular_solve(m, b), L)]


def case_reduce_std_variance(tf, tmp):
    x = np.array([[1., 2., 4.], [3., 5., 9.]], np.float32)
    out = [tf.math.reduce_std(x), tf.math.reduce_variance(x), tf.math.reduce_std(x, 0),
           tf.math.reduce_variance(x, axis=1, keepdims=True),
           tf.math.reduce_variance(tf.constant([1, 2], tf.float64))]
    bad = _err(lambda: tf.math.reduce_std(tf.constant([1, 2])))
    g = _grad(tf, lambda v: tf.math.reduce_std(v, axis=1), x.astype(np.float64))
    return [out, [t.dtype for t in out], bad, g,
            _op_types(tf, lambda v: tf.math.reduce_variance(v), x)]
