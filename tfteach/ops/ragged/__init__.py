"""Ragged tensors: the composite (`ragged_tensor.py`) and `tf.ragged.*` (`ragged_ops.py`).
The one op type of its own, RaggedTensorToTensor, is the ragged family in
`ops/ragged_ops.py`."""
from .. import ragged_ops as _family  # noqa: F401 - declares RaggedTensorToTensor
from . import ragged_ops, ragged_tensor  # noqa: F401
from .ragged_tensor import RaggedTensor, RaggedTensorValue  # noqa: F401
