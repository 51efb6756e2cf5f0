"""tf.linalg names filled in by the mathgaps branch, against TF 2.21 (recorded by
tools/record_math_gaps.py into tests/data/math_gaps_tf.json; see tests/tfcases.py). LU's
pivots and the determinant are unique; eigenvectors are compared through A v - v e and
eigenvalues sorted, as TF's Eigen and tfteach's LAPACK order and scale them differently."""
import re

import numpy as np

MODE = "v2"

A = np.array([[4., 1., 2.], [1., 3., 0.5], [2., 0.5, 5.]])            # symmetric PD
G = np.array([[1., 2., 3.], [4., 5., 6.5], [7., 8.5, 10.]])           # general, pivots
N = np.array([[1., 2., 0.], [-3., 1., 1.], [0.5, 0., 2.]])            # complex eigenvalues
M = np.array([[1., 2.], [3., 4.], [5., 7.]])                           # tall


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        msg = re.sub(r"\{\{.*?\}\}\s*", "", str(e)).split(" [Op:")[0]
        return type(e).__name__, msg[:60]
    return None


def _grad(tf, fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(x)
    return t.gradient(y, x)


def _op_types(tf, fn, *args):
    specs = [tf.TensorSpec(np.shape(a), tf.as_dtype(np.asarray(a).dtype)) for a in args]
    g = tf.function(fn).get_concrete_function(*specs).graph
    return sorted({op.type for op in g.get_operations()} - {"Placeholder", "Identity",
                                                              "NoOp", "Const"})


def case_slogdet_logdet(tf, tmp):
    L = tf.linalg
    batch = np.stack([G, -A, np.array([[1., 2., 3.], [2., 4., 6.], [0., 1., 1.]])])
    s, ld = L.slogdet(batch)
    s32, ld32 = L.slogdet(G.astype(np.float32))
    return [s, ld, s32, ld32, L.logdet(A), L.logdet(np.stack([A, 2 * A]).astype(np.float32)),
            _grad(tf, lambda x: L.slogdet(x)[1], G), _grad(tf, L.logdet, A),
            _err(lambda: L.slogdet(np.ones((2, 3)))), _op_types(tf, L.logdet, A)]


def case_lu(tf, tmp):
    L = tf.linalg
    lu, p = L.lu(G)
    lub, pb = L.lu(np.stack([G, A]))
    p64 = L.lu(np.stack([G, A]), output_idx_type=tf.int64)[1]
    rhs = np.array([[1., 0.], [2., 1.], [3., -1.]])
    w = np.arange(9.).reshape(3, 3)
    return [lu, p, lub, pb, p64, L.lu_reconstruct(lu, p), L.lu_reconstruct(lub, pb),
            L.lu_solve(lu, p, rhs), L.lu_solve(lub, pb, np.stack([rhs, rhs])),
            L.lu_matrix_inverse(lu, p), L.lu_matrix_inverse(lub, pb),
            _err(lambda: _grad(tf, lambda x: tf.reduce_sum(L.lu(x)[0] * w), G)),
            _err(lambda: L.lu(np.ones((2, 3)))), _op_types(tf, lambda x: L.lu(x), G)]


def case_eig(tf, tmp):
    L = tf.linalg
    e, v = L.eig(N)
    order = np.lexsort((np.imag(e.numpy()), np.real(e.numpy())))
    residual = float(np.abs(N @ v.numpy() - v.numpy() * e.numpy()).max() < 1e-10)
    norms = np.linalg.norm(v.numpy(), axis=0)
    ev = L.eigvals(N.astype(np.float32))
    ev_sorted = np.sort_complex(ev.numpy())
    g = _grad(tf, lambda x: tf.reduce_sum(tf.math.real(L.eigvals(x)) ** 2 +
                                          tf.math.imag(L.eigvals(x)) * [1., 2., 3.]), N)
    sym_e = np.sort(np.real(L.eigvals(A).numpy()))
    return [e.numpy()[order], e.dtype, v.dtype, residual, norms, ev.dtype, ev_sorted,
            tf.reduce_sum(tf.math.real(L.eigvals(N)) ** 2), sym_e,
            _op_types(tf, L.eigvals, N), g,
            _grad(tf, lambda x: tf.reduce_sum(tf.math.real(L.eig(x)[0]) * [1., 2., 3.]), A)]


def case_cross_matvec_adjoint(tf, tmp):
    L = tf.linalg
    a = np.array([[1., 0., 0.], [1., 2., 3.]])
    b = np.array([[0., 1., 0.], [-1., 0.5, 2.]])
    c = np.array([[1 + 2j, 3j], [4, 5 - 1j]])
    return [L.cross(a, b), L.cross(np.array([1, 2, 3], np.int32), np.array([4, 5, 6], np.int32)),
            _grad(tf, lambda x: tf.reduce_sum(L.cross(x, b) * [[1., 2., 3.], [4., 5., 6.]]), a),
            _err(lambda: L.cross(np.ones((2, 2)), np.ones((2, 2)))),
            L.matvec(G, np.array([1., 2., 3.])), L.matvec(np.stack([G, A]), np.ones((2, 3))),
            L.matvec(G, np.array([1., 2., 3.]), transpose_a=True),
            L.adjoint(c), L.adjoint(G), L.matrix_transpose(c, conjugate=True),
            L.l2_normalize(np.array([[3., 4.], [1., 0.]]), axis=-1),
            _op_types(tf, lambda x: L.matvec(x, np.ones(3)), G)]


def case_solvers(tf, tmp):
    L = tf.linalg
    chol = L.cholesky(A)
    rhs = np.array([[1., 2.], [0., 1.], [3., -1.]])
    b = np.array([[1.], [2.], [4.]])
    return [L.cholesky_solve(chol, rhs), L.lstsq(M, b), L.lstsq(M, b, l2_regularizer=0.5),
            L.lstsq(M.T.copy(), np.array([[1.], [2.]])),
            L.lstsq(M.astype(np.float32), b.astype(np.float32)),
            _grad(tf, lambda x: tf.reduce_sum(L.lstsq(x, b)), M),
            _op_types(tf, lambda x: L.lstsq(x, b), M),
            _op_types(tf, lambda x: L.cholesky_solve(x, rhs), A)]


def case_tridiagonal(tf, tmp):
    L = tf.linalg
    diags = np.array([[2., 1., -1., 0.], [1., 3., 0.5, 4.], [0., 1., 2., -2.]])
    rhs = np.array([[1., 0.], [2., 1.], [0., 3.], [-1., 1.]])
    dense = np.diag(diags[1]) + np.diag(diags[0][:-1], 1) + np.diag(diags[2][1:], -1)
    w = np.array([[1., 2.], [3., 4.], [5., 6.], [7., 8.]])
    dense = tf.constant(dense)
    rhs_t = tf.constant(rhs.T.copy())
    diags, rhs = tf.constant(diags), tf.constant(rhs)       # TF's compact path needs tensors
    return [L.tridiagonal_solve(diags, rhs), L.tridiagonal_solve(diags, rhs[:, 0]),
            L.tridiagonal_solve(diags, rhs, partial_pivoting=False),
            L.tridiagonal_solve(dense, rhs, diagonals_format="matrix"),
            L.tridiagonal_solve(diags, rhs_t, transpose_rhs=True),
            L.tridiagonal_matmul(diags, rhs),
            L.tridiagonal_matmul(tuple(diags[i] for i in range(3)), rhs,
                                 diagonals_format="sequence"),
            _grad(tf, lambda d: tf.reduce_sum(L.tridiagonal_solve(d, rhs) * w), diags),
            _grad(tf, lambda r: tf.reduce_sum(L.tridiagonal_solve(diags, r) * w), rhs),
            _grad(tf, lambda d: tf.reduce_sum(L.tridiagonal_matmul(d, rhs) * w), diags),
            _grad(tf, lambda r: tf.reduce_sum(L.tridiagonal_matmul(diags, r) * w), rhs),
            _err(lambda: L.tridiagonal_solve(tf.constant([[1., 1.], [0., 0.], [1., 1.]]),
                                             tf.ones((2, 1)), partial_pivoting=False)),
            _err(lambda: L.tridiagonal_solve(tf.constant([[1., 1.], [1., 1.], [1., 1.]]),
                                             tf.ones((2, 1)))),
            _op_types(tf, lambda d: L.tridiagonal_solve(d, rhs), diags.numpy())]


def case_expm_pinv_rank(tf, tmp):
    L = tf.linalg
    big = np.array([[1., 2.], [3., 40.]])
    rot = np.array([[0., 1.], [-1., 0.]])
    sing = np.array([[1., 2.], [2., 4.]])
    return [L.expm(rot), L.expm(big), L.expm(np.zeros((2, 2))),
            L.expm(np.stack([rot, 0.01 * big]).astype(np.float32)),
            L.expm(G * 0.3), L.pinv(sing), L.pinv(M), L.pinv(M.astype(np.float32)),
            L.pinv(sing, rcond=0.5), L.matrix_rank(sing), L.matrix_rank(G),
            L.matrix_rank(np.stack([A, np.ones((3, 3))])),
            L.matrix_rank(G, tol=3.0),
            _grad(tf, lambda x: tf.reduce_sum(L.expm(x)), rot * 0.5),
            _err(lambda: L.pinv(np.array([[1, 2], [3, 4]], np.int32)))]


def case_normalize(tf, tmp):
    L = tf.linalg
    x = np.array([[3., 4.], [6., 8.]])
    n, nrm = L.normalize(x)
    n1, nrm1 = L.normalize(x, ord=1, axis=1)
    n2, nrm2 = L.normalize(x, axis=[0, 1], ord="fro")
    return [n, nrm, n1, nrm1, n2, nrm2, L.norm(x, ord=2, axis=[0, 1]),
            L.norm(G, ord=2, axis=[-2, -1]), L.global_norm([x, np.ones(3)])]


def case_v1_twins(tf, tmp):
    v1 = tf.compat.v1
    names = ["adjoint", "cholesky_solve", "cross", "einsum", "expm", "global_norm",
             "l2_normalize", "logdet", "lstsq", "lu", "lu_matrix_inverse", "lu_reconstruct",
             "lu_solve", "matrix_rank", "matvec", "norm", "normalize", "pinv", "slogdet",
             "tridiagonal_matmul", "tridiagonal_solve", "eig", "eigvals"]
    have = [n for n in names if hasattr(v1.linalg, n)]
    top = [n for n in ["cross", "einsum", "global_norm", "norm", "matrix_solve_ls", "lbeta",
                       "log_matrix_determinant", "self_adjoint_eig", "cholesky_solve",
                       "bincount", "confusion_matrix", "segment_max", "invert_permutation",
                       "igamma", "zeta", "polygamma", "betainc"] if hasattr(v1, n)]
    x = np.array([[3., 4.], [6., 8.]])
    return [have, top, v1.linalg.adjoint(x), v1.linalg.norm(x), v1.linalg.einsum("ij->ji", x)]
