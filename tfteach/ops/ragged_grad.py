"""Gradient of RaggedTensorToTensor: each value's gradient is read back from the dense
position it was written to; default_value gets the sum over the padded positions."""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import array_ops, math_ops, ragged_ops  # noqa: F401 - declares the op


@registry.RegisterGradient("RaggedTensorToTensor")
def _ragged_tensor_to_tensor_grad(op, grad):
    shape, values, default = op.inputs[0], op.inputs[1], op.inputs[2]
    splits = list(op.inputs[3:])
    k = len(splits)
    # Where each value landed: the same op run on the values' indices, -1 elsewhere.
    n = array_ops.shape(values, out_type=_dt.int64)[0]
    ids = math_ops.range(np.int64(0), n, np.int64(1))
    outer_shape = shape if shape.shape.rank == 0 else shape[:k + 1]
    where = apply_op("RaggedTensorToTensor",
                     [outer_shape, ids, np.int64(-1), splits],
                     {"row_partition_types": op.get_attr("row_partition_types")},
                     name="RaggedTensorToTensorGrad")[0]
    values_grad = apply_op("UnsortedSegmentSum", [grad, where, n],
                           name="UnsortedSegmentSum")[0]
    padded = math_ops.cast(math_ops.equal(where, np.int64(-1)), grad.dtype.base_dtype)
    inner = values.shape.rank - 1 if values.shape.rank is not None else 0
    for _ in range(inner):
        padded = array_ops.expand_dims(padded, -1)
    default_grad = math_ops.reduce_sum(grad * padded, axis=list(range(k + 1)))
    if default.shape.rank is not None and default.shape.rank < inner:
        default_grad = math_ops.reduce_sum(default_grad,
                                           axis=list(range(inner - default.shape.rank)))
    return [None, values_grad, default_grad] + [None] * k
