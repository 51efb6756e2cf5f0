"""Gradient functions of the matrix ops that live in linalg_ops.py (band and diagonal ops,
decompositions and solvers). Built from ordinary ops, as TF 2.21 builds them, so graphs and
the eager tape share them."""
from . import array_ops, linalg_ops
from .math_grad import _op1, not_differentiable, register  # noqa: F401


def _align(op):
    a = op.get_attr("align")
    return a.decode() if isinstance(a, bytes) else a


@register("MatrixBandPart")
def _matrix_band_part_grad(op, grad):
    return [_op1("MatrixBandPart", [grad, op.inputs[1], op.inputs[2]]), None, None]


@register("MatrixDiagV3")
def _matrix_diag_v3_grad(op, grad):
    return [linalg_ops.matrix_diag_part(grad, k=op.inputs[1], align=_align(op)),
            None, None, None, None]


@register("MatrixDiagPartV3")
def _matrix_diag_part_v3_grad(op, grad):
    x = op.inputs[0]
    dims = x.shape.as_tuple() if x.shape.rank is not None else None
    if dims is not None and None not in dims:
        return [linalg_ops.matrix_diag(grad, k=op.inputs[1], num_rows=dims[-2],
                                       num_cols=dims[-1], align=_align(op)), None, None]
    return [linalg_ops.matrix_set_diag(array_ops.zeros_like(x), grad, k=op.inputs[1],
                                       align=_align(op)), None, None]


@register("MatrixSetDiagV3")
def _matrix_set_diag_v3_grad(op, grad):
    diagonal = op.inputs[1]
    dims = diagonal.shape.as_tuple() if diagonal.shape.rank is not None else None
    zeros = (array_ops.zeros(list(dims), dtype=grad.dtype.base_dtype)
             if dims is not None and None not in dims else array_ops.zeros_like(diagonal))
    k = op.inputs[2]
    return [linalg_ops.matrix_set_diag(grad, zeros, k=k, align=_align(op)),
            linalg_ops.matrix_diag_part(grad, k=k, align=_align(op)), None]


@register("Diag")
def _diag_grad(op, grad):
    return _op1("DiagPart", [grad])


@register("DiagPart")
def _diag_part_grad(op, grad):
    return _op1("Diag", [grad])


@register("MatrixSolve")
def _matrix_solve_grad(op, grad):
    a, c = op.inputs[0], op.outputs[0]
    adj = op.get_attr("adjoint")
    grad_b = _op1("MatrixSolve", [a, grad], {"adjoint": not adj})
    if adj:
        grad_a = -linalg_ops.matmul(c, grad_b, adjoint_b=True)
    else:
        grad_a = -linalg_ops.matmul(grad_b, c, adjoint_b=True)
    return [grad_a, grad_b]


# --- decompositions ----------------------------------------------------------------------------
# The rules are the standard matrix-calculus results (as TF 2.21 uses them), built from
# ordinary ops so tf.gradients and the tape share them.

def _adj(x):
    return linalg_ops.matrix_transpose(x, conjugate=True)


def _mm(a, b, **kw):
    return linalg_ops.matmul(a, b, **kw)


def _band(x, lower, upper):
    return linalg_ops.matrix_band_part(x, lower, upper)


def _off_diagonal_reciprocal(values):
    """F[..., i, j] = 1 / (values[j] - values[i]) off the diagonal, 0 on it."""
    from . import math_ops
    diff = array_ops.expand_dims(values, -2) - array_ops.expand_dims(values, -1)
    return linalg_ops.matrix_set_diag(math_ops.reciprocal(diff), array_ops.zeros_like(values))


@register("Cholesky")
def _cholesky_grad(op, grad):
    # A = L L^H, with only A's lower triangle read: symmetrised Phi(L^H dL) sandwiched by
    # L^{-1}; the result is symmetric, half on each side
    l = op.outputs[0]
    eye = linalg_ops.matrix_diag(array_ops.ones_like(linalg_ops.matrix_diag_part(l)))
    l_inv = linalg_ops.matrix_triangular_solve(l, eye)
    middle = _mm(l, grad, adjoint_a=True)
    middle = linalg_ops.matrix_set_diag(middle, 0.5 * linalg_ops.matrix_diag_part(middle))
    middle = _band(middle, -1, 0)
    grad_a = _mm(_mm(l_inv, middle, adjoint_a=True), l_inv)
    grad_a = grad_a + _adj(grad_a)
    return grad_a * 0.5


def _triangular_solve_right(x, r):
    """x r^{-H} for upper-triangular r."""
    return _adj(linalg_ops.matrix_triangular_solve(r, _adj(x), lower=False, adjoint=False))


def _qr_grad_tall(q, r, dq, dr):
    # m >= n (reduced): dA = Q (dR + copyltu(M) R^{-H}) + (dQ - Q Q^H dQ) R^{-H}
    qdq = _mm(q, dq, adjoint_a=True)
    rdr = _mm(r, dr, adjoint_b=True)
    tril = _band((qdq - _adj(qdq)) + (rdr - _adj(rdr)), -1, 0)
    grad_a = _mm(q, dr + _triangular_solve_right(tril, r))
    grad_b = _triangular_solve_right(dq - _mm(q, qdq), r)
    return grad_a + grad_b


@register("Qr")
def _qr_grad(op, dq, dr):
    a = op.inputs[0]
    q, r = op.outputs
    if a.shape.rank is None or None in a.shape.as_tuple()[-2:]:
        raise NotImplementedError("QrGrad not implemented with dynamic shapes. Received "
                                  f"{a.shape}.")
    m, n = a.shape.as_tuple()[-2:]
    if m > n and op.get_attr("full_matrices"):
        raise NotImplementedError("QrGrad not implemented when nrows > ncols and "
                                  "full_matrices is true. Received r.")
    if dq is None:
        dq = array_ops.zeros_like(q)
    if dr is None:
        dr = array_ops.zeros_like(r)
    if m >= n:
        return _qr_grad_tall(q, r, dq, dr)
    # m < n: A = Q [U | V] with U square; the V block gives Y = Q V its own term
    y = a[..., :, m:]
    u = r[..., :, :m]
    dv = dr[..., :, m:]
    du = dr[..., :, :m]
    dy = _mm(q, dv)
    dx = _qr_grad_tall(q, u, dq + _mm(y, dv, adjoint_b=True), du)
    return array_ops.concat([dx, dy], axis=-1)


@register("Svd")
def _svd_grad(op, grad_s, grad_u, grad_v):
    from . import math_ops
    a = op.inputs[0]
    s = op.outputs[0]
    dt = s.dtype.base_dtype
    if grad_s is None:
        grad_s = array_ops.zeros_like(s)
    if not op.get_attr("compute_uv"):
        _, u, v = linalg_ops.svd(a, compute_uv=True)
        return _mm(u, _mm(linalg_ops.matrix_diag(grad_s), v, adjoint_b=True))
    u, v = op.outputs[1], op.outputs[2]
    if a.shape.rank is None or None in a.shape.as_tuple()[-2:]:
        raise NotImplementedError("SVD gradient has not been implemented for input with "
                                  "unknown inner matrix shape.")
    m, n = a.shape.as_tuple()[-2:]
    k = min(m, n)
    if op.get_attr("full_matrices") and abs(m - n) > 1:
        raise NotImplementedError("svd gradient is not implemented for abs(m - n) > 1 when "
                                  f"full_matrices is True. Received m={m}, n={n}.")
    u1, v1 = u[..., :, :k], v[..., :, :k]
    gu = array_ops.zeros_like(u1) if grad_u is None else grad_u[..., :, :k]
    gv = array_ops.zeros_like(v1) if grad_v is None else grad_v[..., :, :k]
    # A = U S V^H (thin): dA = U [diag(dS) + (F o (U^H dU - dU^H U)) S
    #                            + S (F o (V^H dV - dV^H V))] V^H
    #                      + (I - U U^H) dU S^{-1} V^H + U S^{-1} dV^H (I - V V^H)
    f = _off_diagonal_reciprocal(math_ops.square(s))
    s_mat = linalg_ops.matrix_diag(s)
    s_inv = linalg_ops.matrix_diag(math_ops.reciprocal(s))
    utgu = _mm(u1, gu, adjoint_a=True)
    vtgv = _mm(v1, gv, adjoint_a=True)
    inner = (linalg_ops.matrix_diag(math_ops.cast(grad_s, dt)) +
             _mm(f * (utgu - _adj(utgu)), s_mat) + _mm(s_mat, f * (vtgv - _adj(vtgv))))
    grad_a = _mm(u1, _mm(inner, v1, adjoint_b=True))
    if m > k:
        grad_a = grad_a + _mm(gu - _mm(u1, utgu), _mm(s_inv, v1, adjoint_b=True))
    if n > k:
        grad_a = grad_a + _mm(_mm(u1, s_inv), _adj(gv - _mm(v1, vtgv)))
    return grad_a


@register("SelfAdjointEigV2")
def _self_adjoint_eig_grad(op, grad_e, grad_v):
    a = op.inputs[0]
    e, v = op.outputs
    if grad_e is None:
        grad_e = array_ops.zeros_like(e)
    if op.get_attr("compute_v"):
        # dA = V (diag(dE) + F o (V^H dV)) V^H, F[i, j] = 1 / (e_j - e_i)
        f = _off_diagonal_reciprocal(e)
        inner = linalg_ops.matrix_diag(grad_e)
        if grad_v is not None:
            inner = inner + f * _mm(v, grad_v, adjoint_a=True)
        grad_a = _mm(v, _mm(inner, v, adjoint_b=True))
    else:
        _, v = linalg_ops.eigh(a)
        grad_a = _mm(v, _mm(linalg_ops.matrix_diag(grad_e), v, adjoint_b=True))
    # only the lower triangle is read: symmetrise onto it, the diagonal counted once
    grad_a = _band(grad_a + _adj(grad_a), -1, 0)
    return linalg_ops.matrix_set_diag(grad_a, 0.5 * linalg_ops.matrix_diag_part(grad_a))


@register("MatrixTriangularSolve")
def _matrix_triangular_solve_grad(op, grad):
    a, c = op.inputs[0], op.outputs[0]
    adj, lower = op.get_attr("adjoint"), op.get_attr("lower")
    grad_b = linalg_ops.matrix_triangular_solve(a, grad, lower=lower, adjoint=not adj)
    if adj:
        grad_a = -_mm(c, grad_b, adjoint_b=True)
    else:
        grad_a = -_mm(grad_b, c, adjoint_b=True)
    grad_a = _band(grad_a, -1, 0) if lower else _band(grad_a, 0, -1)
    return [grad_a, grad_b]
