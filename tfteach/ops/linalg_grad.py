"""Gradient functions of the linalg family (ops/linalg_ops.py): matrix products, Einsum, band
and diagonal ops, decompositions and solvers. Built from ordinary ops, as TF 2.21 builds
them, so graphs and the eager tape share them."""
import numpy as np

from ..framework import registry
from . import array_ops, linalg_ops
from .math_grad import (_int32, _op1, _shape_tuple, batch_matmul, broadcast_gradient_args,
                        matmul, reduce_sum, reshape, shape)


def _align(op):
    a = op.get_attr("align")
    return a.decode() if isinstance(a, bytes) else a


@registry.RegisterGradient("MatrixBandPart")
def _matrix_band_part_grad(op, grad):
    return [_op1("MatrixBandPart", [grad, op.inputs[1], op.inputs[2]]), None, None]


@registry.RegisterGradient("MatrixDiagV3")
def _matrix_diag_v3_grad(op, grad):
    return [linalg_ops.matrix_diag_part(grad, k=op.inputs[1], align=_align(op)),
            None, None, None, None]


@registry.RegisterGradient("MatrixDiagPartV3")
def _matrix_diag_part_v3_grad(op, grad):
    x = op.inputs[0]
    dims = x.shape.as_tuple() if x.shape.rank is not None else None
    if dims is not None and None not in dims:
        return [linalg_ops.matrix_diag(grad, k=op.inputs[1], num_rows=dims[-2],
                                       num_cols=dims[-1], align=_align(op)), None, None]
    return [linalg_ops.matrix_set_diag(array_ops.zeros_like(x), grad, k=op.inputs[1],
                                       align=_align(op)), None, None]


@registry.RegisterGradient("MatrixSetDiagV3")
def _matrix_set_diag_v3_grad(op, grad):
    diagonal = op.inputs[1]
    dims = diagonal.shape.as_tuple() if diagonal.shape.rank is not None else None
    zeros = (array_ops.zeros(list(dims), dtype=grad.dtype.base_dtype)
             if dims is not None and None not in dims else array_ops.zeros_like(diagonal))
    k = op.inputs[2]
    return [linalg_ops.matrix_set_diag(grad, zeros, k=k, align=_align(op)),
            linalg_ops.matrix_diag_part(grad, k=k, align=_align(op)), None]


@registry.RegisterGradient("Diag")
def _diag_grad(op, grad):
    return _op1("DiagPart", [grad])


@registry.RegisterGradient("DiagPart")
def _diag_part_grad(op, grad):
    return _op1("Diag", [grad])


@registry.RegisterGradient("MatrixSolve")
def _matrix_solve_grad(op, grad):
    a, c = op.inputs[0], op.outputs[0]
    adj = op.get_attr("adjoint")
    grad_b = _op1("MatrixSolve", [a, grad], {"adjoint": not adj})
    if adj:
        grad_a = -linalg_ops.matmul(c, grad_b, adjoint_b=True)
    else:
        grad_a = -linalg_ops.matmul(grad_b, c, adjoint_b=True)
    return [grad_a, grad_b]


# --- matrix products, determinant, inverse, Einsum -------------------------------------------

@registry.RegisterGradient("MatMul")
def _matmul_grad(op, grad):
    t_a = op.get_attr("transpose_a")
    t_b = op.get_attr("transpose_b")
    a, b = op.inputs[0], op.inputs[1]
    if a.dtype.base_dtype.is_complex:      # TF differentiates through the conjugates
        a, b = _op1("Conj", [a]), _op1("Conj", [b])
    if not t_a and not t_b:
        return matmul(grad, b, transpose_b=True), matmul(a, grad, transpose_a=True)
    if not t_a and t_b:
        return matmul(grad, b), matmul(grad, a, transpose_a=True)
    if t_a and not t_b:
        return matmul(b, grad, transpose_b=True), matmul(a, grad)
    return (matmul(b, grad, transpose_a=True, transpose_b=True),
            matmul(grad, a, transpose_a=True, transpose_b=True))


@registry.RegisterGradient("BatchMatMulV2")
def _batch_matmul_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    if not adj_x:
        if not adj_y:
            gx = batch_matmul(grad, y, False, True)
            gy = batch_matmul(x, grad, True, False)
        else:
            gx = batch_matmul(grad, y, False, False)
            gy = batch_matmul(grad, x, True, False)
    else:
        if not adj_y:
            gx = batch_matmul(y, grad, False, True)
            gy = batch_matmul(x, grad, False, False)
        else:
            gx = batch_matmul(y, grad, True, True)
            gy = batch_matmul(grad, x, True, True)
    if op.type == "BatchMatMul":
        return gx, gy
    # Batch dimensions broadcast: sum the gradient over the broadcast ones.
    xs, ys = _shape_tuple(x), _shape_tuple(y)
    if xs is not None and ys is not None and None not in xs and None not in ys and \
            xs[:-2] == ys[:-2]:
        return gx, gy
    sx, sy = shape(x), shape(y)
    bx = _op1("StridedSlice", [sx, _int32([0]), _int32([-2]), _int32([1])],
              {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
               "shrink_axis_mask": 0})
    by = _op1("StridedSlice", [sy, _int32([0]), _int32([-2]), _int32([1])],
              {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
               "shrink_axis_mask": 0})
    rx, ry = broadcast_gradient_args(bx, by)
    gx = reshape(reduce_sum(gx, rx), sx)
    gy = reshape(reduce_sum(gy, ry), sy)
    return gx, gy


@registry.RegisterGradient("MatrixDeterminant")
def _matrix_determinant_grad(op, grad):
    # d det(A) / dA = det(A) * inv(A)^T
    a, c = op.inputs[0], op.outputs[0]
    a_adj_inv = _op1("MatrixInverse", [a], {"adjoint": True})
    multipliers = reshape(grad * c, _op1("ConcatV2", [[shape(c), _int32([1, 1])],
                                                      np.int32(0)], name="concat"))
    return multipliers * a_adj_inv


@registry.RegisterGradient("MatrixInverse")
def _matrix_inverse_grad(op, grad):
    ainv = op.outputs[0]
    try:
        adj = op.get_attr("adjoint")
    except (ValueError, KeyError):
        adj = False
    inner = batch_matmul(grad, ainv, adj, not adj) if len(ainv.shape.as_tuple() or ()) > 2 \
        else matmul(grad, ainv, adj, not adj)
    if len(ainv.shape.as_tuple() or ()) > 2:
        return -batch_matmul(ainv, inner, not adj, False)
    return -matmul(ainv, inner, transpose_a=not adj)


def _einsum_grad_for(op, grad, labels, others, out_labels, x):
    """The gradient of one operand: an Einsum from the output's gradient (and the other
    operand) back to the operand's labels; labels summed away inside this operand alone come
    back by broadcasting, ellipsis dims the operand broadcast come back by summing."""
    from . import array_ops
    if len(set(labels)) != len(labels):
        raise NotImplementedError(f"tfteach's Einsum gradient does not support a label "
                                  f"repeated within one operand ({op.get_attr('equation')})")
    present = set(out_labels).union(*[set(o) for o, _ in others])
    kept = [lab for lab in labels if lab in present]
    eq = ",".join(["".join(out_labels)] + ["".join(o) for o, _ in others]) + "->" + \
        "".join(kept)
    g = _op1("Einsum", [[grad] + [t for _, t in others]], {"equation": eq})
    x_dims = _shape_tuple(x)
    if kept != labels or "..." in labels:
        if x_dims is None or None in x_dims:
            raise NotImplementedError("tfteach's Einsum gradient needs the operands' static "
                                      "shapes when labels are summed or broadcast")
        g_dims = list(_shape_tuple(g))
        n_named = len([lab for lab in labels if lab != "..."])
        n_ell_x = len(x_dims) - n_named
        if "..." in labels:
            pos = labels.index("...")
            kpos = kept.index("...")
            n_ell_g = len(g_dims) - (len(kept) - 1)
            extra = n_ell_g - n_ell_x
            axes = list(range(kpos, kpos + extra))
            for i in range(n_ell_x):
                if x_dims[pos + i] == 1 and g_dims[kpos + extra + i] != 1:
                    axes.append(kpos + extra + i)
            if axes:
                g = array_ops.reshape(reduce_sum(g, _int32(axes), keepdims=True),
                                      _int32([1 if i in axes else d
                                              for i, d in enumerate(g_dims)
                                              if not (kpos <= i < kpos + extra)]))
        if kept != labels:
            # a size-1 axis for each summed label, then broadcast to the operand's shape
            newshape = []
            gi = iter(_shape_tuple(g))
            for lab in labels:
                if lab == "...":
                    for _ in range(n_ell_x):
                        newshape.append(next(gi))
                elif lab in present:
                    newshape.append(next(gi))
                else:
                    newshape.append(1)
            g = array_ops.broadcast_to(array_ops.reshape(g, _int32(newshape)),
                                       _int32(list(x_dims)))
    return g


@registry.RegisterGradient("Einsum")
def _einsum_grad(op, grad):
    from ..kernels.shapes import parse_equation
    in_labels, out_labels = parse_equation(op.get_attr("equation"))
    xs = list(op.inputs)
    grads = []
    for i, x in enumerate(xs):
        others = [(in_labels[j], xs[j]) for j in range(len(xs)) if j != i]
        grads.append(_einsum_grad_for(op, grad, in_labels[i], others, out_labels, x))
    return grads


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


@registry.RegisterGradient("Cholesky")
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


@registry.RegisterGradient("Qr")
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


@registry.RegisterGradient("Svd")
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


@registry.RegisterGradient("SelfAdjointEigV2")
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


@registry.RegisterGradient("MatrixTriangularSolve")
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


@registry.RegisterGradient("Cross")
def _cross_grad(op, grad):
    u, v = op.inputs
    return [_op1("Cross", [v, grad]), _op1("Cross", [grad, u])]


@registry.RegisterGradient("LogMatrixDeterminant")
def _log_matrix_determinant_grad(op, _, grad_b):
    """d log|det A| / dA = A^-H, scaled by each matrix's incoming gradient."""
    from . import array_ops
    a = op.inputs[0]
    a_adj_inv = _op1("MatrixInverse", [a], {"adjoint": True})
    multipliers = array_ops.expand_dims(array_ops.expand_dims(grad_b, -1), -1)
    return multipliers * a_adj_inv


def _transposed_compact(diags):
    """The compact diagonals of A^T: A^T's superdiagonal is A's subdiagonal moved one left,
    its subdiagonal A's superdiagonal moved one right."""
    from . import array_ops
    sup, main, sub = diags[..., 0, :], diags[..., 1, :], diags[..., 2, :]
    zero = array_ops.zeros_like(sup[..., :1])
    new_sup = array_ops.concat([sub[..., 1:], zero], -1)
    new_sub = array_ops.concat([zero, sup[..., :-1]], -1)
    return array_ops.stack([new_sup, main, new_sub], axis=-2)


def _shifted_products(a, b):
    """sum_k a[i, k] b[i+1, k] (last 0), sum_k a[i, k] b[i, k], sum_k a[i, k] b[i-1, k]
    (first 0): the three diagonals of a @ b^T."""
    from . import array_ops, math_ops
    zero = array_ops.zeros_like(a[..., :1, :])
    up = math_ops.reduce_sum(a * array_ops.concat([b[..., 1:, :], zero], -2), -1)
    mid = math_ops.reduce_sum(a * b, -1)
    down = math_ops.reduce_sum(a * array_ops.concat([zero, b[..., :-1, :]], -2), -1)
    return up, mid, down


@registry.RegisterGradient("TridiagonalSolve")
def _tridiagonal_solve_grad(op, grad):
    """rhs: A^-T grad; the diagonals: minus the tridiagonal band of (A^-T grad) x^T."""
    from . import array_ops
    diags = op.inputs[0]
    x = op.outputs[0]
    grad_rhs = _op1("TridiagonalSolve", [_transposed_compact(diags), grad],
                    {"partial_pivoting": op.get_attr("partial_pivoting"),
                     "perturb_singular": False})
    up, mid, down = _shifted_products(grad_rhs, x)
    grad_diags = -array_ops.stack([up, mid, down], axis=-2)
    return [grad_diags, grad_rhs]


@registry.RegisterGradient("TridiagonalMatMul")
def _tridiagonal_matmul_grad(op, grad):
    from . import array_ops
    sup, main, sub, rhs = op.inputs
    up, mid, down = _shifted_products(grad, rhs)
    compact = array_ops.concat([sup, main, sub], -2)
    t = _transposed_compact(compact)
    rhs_grad = _op1("TridiagonalMatMul", [t[..., 0:1, :], t[..., 1:2, :], t[..., 2:3, :],
                                          grad])
    return [array_ops.expand_dims(up, -2), array_ops.expand_dims(mid, -2),
            array_ops.expand_dims(down, -2), rhs_grad]


@registry.RegisterGradient("Eig")
def _eig_grad(op, grad_e, grad_v):
    """A = V diag(e) V^-1. With W = V^H: dA = W^-1 (diag(de) + F o (W dV - W V
    diag(Re(diag(W dV))))) W, F_ij = conj(1 / (e_j - e_i)) off the diagonal (the last term
    keeps the eigenvectors' unit norm); without vectors, W^-1 diag(de) W."""
    from . import math_ops
    a = op.inputs[0]
    e, v = op.outputs
    if not op.get_attr("compute_v"):
        _, v = linalg_ops.eig(a)
    vt = linalg_ops.adjoint(v)
    if grad_e is None:
        grad_e = array_ops.zeros_like(e)
    mid = linalg_ops.matrix_diag(grad_e)
    if op.get_attr("compute_v") and grad_v is not None:
        diff = array_ops.expand_dims(e, -2) - array_ops.expand_dims(e, -1)
        zero = array_ops.zeros_like(diff)
        one = array_ops.ones_like(diff)
        is_zero = math_ops.equal(diff, zero)
        f = array_ops.where_v2(is_zero, zero, one / array_ops.where_v2(is_zero, one, diff))
        f = math_ops.conj(linalg_ops.matrix_set_diag(f, array_ops.zeros_like(e)))
        vgv = linalg_ops.matmul(vt, grad_v)
        real_diag = linalg_ops.matrix_diag(math_ops.cast(
            math_ops.real(linalg_ops.matrix_diag_part(vgv)), vgv.dtype))
        mid = mid + f * (vgv - linalg_ops.matmul(linalg_ops.matmul(vt, v), real_diag))
    grad_a = linalg_ops.matrix_solve(vt, linalg_ops.matmul(mid, vt))
    if not a.dtype.is_complex:
        grad_a = math_ops.real(grad_a)
    return math_ops.cast(grad_a, a.dtype)
