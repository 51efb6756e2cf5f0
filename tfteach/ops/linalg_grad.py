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
