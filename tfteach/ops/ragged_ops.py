"""The ragged family's op: RaggedTensorToTensor (`RaggedTensor.to_tensor`).

Everything else a RaggedTensor does is composed from ordinary ops on its parts (see
`ops/ragged/`); this op is TF's single kernel that pads the rows into a dense tensor.
Kernel in `kernels/cpu/ragged.py`, gradient in `ragged_grad.py`.
"""
from ..framework import registry
from ..framework.tensor_shape import TensorShape, unknown_shape
from . import shape_rules


def _to_tensor_shape(op):
    values = op.inputs[1].shape
    k = len(op.inputs) - 3
    splits0 = op.inputs[3].shape if k else unknown_shape()
    if values.rank is None:
        return [unknown_shape()]
    nrows = None
    if splits0.rank == 1 and splits0.as_tuple()[0] is not None:
        nrows = splits0.as_tuple()[0] - 1
    dims = [nrows] + [None] * k + list(values.as_tuple()[1:])
    want = shape_rules.const_input(op, 0)
    if want is not None and getattr(want, "ndim", 0) == 1:
        if len(want) != len(dims):
            raise op.shape_error(f"rt_input.shape and shape={list(want)} are incompatible: "
                                 f"rt_input.rank = {len(dims)} but shape.rank = {len(want)}")
        dims = [d if int(w) < 0 else int(w) for d, w in zip(dims, want)]
    return [TensorShape(dims)]


registry.register_op(
    "RaggedTensorToTensor",
    inputs=(("shape", "Tshape"), ("values", "T"), ("default_value", "T"),
            ("*row_partition_tensors", "Tindex")),
    outputs=(("result", "T"),), shape=_to_tensor_shape,
    doc="Pads a ragged tensor's rows with default_value into a dense tensor of `shape`.")
