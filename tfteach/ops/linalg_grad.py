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
