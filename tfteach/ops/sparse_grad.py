"""Gradients of the sparse ops, with respect to the values and the dense operands (never
the indices or shapes, which are integers), built from ordinary ops as TF builds them."""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import registry
from ..framework import tensor_util
from ..framework.op_def_library import apply_op
from . import array_ops, math_ops, sparse_ops  # noqa: F401 - declares the sparse ops

registry.NotDifferentiable("SparseAddGrad")


@registry.RegisterGradient("SparseToDense")
def _sparse_to_dense_grad(op, grad):
    indices = op.inputs[0]
    values_grad = array_ops.gather_nd(grad, indices)
    default_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(values_grad)
    return [None, None, values_grad, default_grad]


@registry.RegisterGradient("SparseAdd")
def _sparse_add_grad(op, *grads):
    val_grad = grads[1]
    a_grad, b_grad = sparse_ops.sparse_add_grad(val_grad, op.inputs[0], op.inputs[3],
                                                op.outputs[0])
    return [None, a_grad, None, None, b_grad, None, None]


@registry.RegisterGradient("SparseTensorDenseAdd")
def _sparse_tensor_dense_add_grad(op, grad):
    return [None, array_ops.gather_nd(grad, op.inputs[0]), None, grad]


@registry.RegisterGradient("SparseTensorDenseMatMul")
def _sparse_tensor_dense_matmul_grad(op, grad):
    """d values[k] = sum_j grad[row_k, j] * B[col_k, j] (rows and columns swapped for an
    adjointed A); d B = A^T grad (or A grad), transposed back for an adjointed B."""
    indices, values, shape, b = op.inputs
    adj_a, adj_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")
    b_grad = apply_op("SparseTensorDenseMatMul", [indices, values, shape, grad],
                      {"adjoint_a": not adj_a, "adjoint_b": False},
                      name="SparseTensorDenseMatMul")[0]
    if adj_b:
        b_grad = array_ops.transpose(b_grad)
    rows = indices[:, 1] if adj_a else indices[:, 0]
    cols = indices[:, 0] if adj_a else indices[:, 1]
    b_used = array_ops.transpose(b) if adj_b else b
    parts = array_ops.gather(grad, rows) * array_ops.gather(b_used, cols)
    values_grad = math_ops.reduce_sum(parts, axis=1)
    return [None, values_grad, None, b_grad]


@registry.RegisterGradient("SparseReorder")
def _sparse_reorder_grad(op, unused_indices_grad, values_grad):
    """The values' gradient is read back through the inverse of the reordering (found by
    reordering the entries' positions)."""
    indices, shape = op.inputs[0], op.inputs[2]
    n = array_ops.shape(indices, out_type=_dt.int64)[0]
    positions = math_ops.range(np.int64(0), n, np.int64(1))
    _, order = apply_op("SparseReorder", [indices, positions, shape], name="SparseReorder")
    inverse = apply_op("InvertPermutation", [order], name="InvertPermutation")[0]
    return [None, array_ops.gather(values_grad, inverse), None]


@registry.RegisterGradient("SparseReduceSum")
def _sparse_reduce_sum_grad(op, grad):
    """Each entry gets the gradient of the output cell it was summed into: its index with
    the reduced coordinates set to 0, in the gradient reshaped with kept dims."""
    indices, shape, axes = op.inputs[0], op.inputs[2], op.inputs[3]
    rank = indices.shape.as_tuple()[1] if indices.shape.rank == 2 else None
    axes_v = tensor_util.constant_value(axes)
    if rank is None or axes_v is None:
        raise NotImplementedError("tfteach differentiates SparseReduceSum when the rank and "
                                  "the reduction axes are known when the graph is built")
    red = {int(a) % rank for a in np.reshape(axes_v, -1)}
    keep = np.array([0 if i in red else 1 for i in range(rank)], np.int64)
    kept_shape = shape * keep + (1 - keep)
    grad = array_ops.reshape(grad, kept_shape)
    return [None, array_ops.gather_nd(grad, indices * keep), None, None]
