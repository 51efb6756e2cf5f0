"""Const: a value fixed when the graph is built."""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import op_def_library, registry, tensor_util
from ..framework import ops as _ops
from ..framework.tensor_shape import TensorShape

__all__ = ["constant"]

registry.register_op(
    "Const", inputs=(), outputs=(("output", "dtype"),),
    shape=lambda op: [TensorShape(np.shape(op.get_attr("value")))],
    doc="A constant tensor; its value is an attr of the op.",
    family="array")     # TF's array family; declared here, below array_ops, which needs it


@registry.api("Const")
def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """tf.constant: a tensor with a fixed value (v1 `verify_shape` accepted)."""
    if getattr(value, "_is_eager", False) and dtype is None and shape is None:
        if _ops.executing_eagerly():
            return value
        value = value.numpy()
    arr, dt = tensor_util.make_ndarray_like_tf(value, dtype)
    if shape is not None:
        shape = tuple(int(s) for s in (shape if isinstance(shape, (list, tuple))
                                       else TensorShape(shape).as_list()))
        n = int(np.prod(shape)) if shape else 1
        if arr.size == n:
            arr = arr.reshape(shape)
        elif arr.size == 1:
            if verify_shape:
                raise TypeError(f"Expected Tensor's shape: {shape}, got {arr.shape}.")
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                            f"{value!r} (converted from {value!r}) has {arr.size} elements, "
                            f"but got `shape` {shape} with {n} elements).")
    if isinstance(value, np.ndarray) and np.may_share_memory(arr, value):
        # a tensor holds its own copy: a later change to the caller's array must not show
        # (TF copies too), and the graph's read-only flag must not land on the caller's array
        arr = arr.copy()
    if _ops.executing_eagerly():
        return _ops.EAGER_CONSTANT(arr, dt)
    arr.flags.writeable = False
    return op_def_library.apply_op("Const", [], {"value": arr, "dtype": dt}, name=name)[0]


_ops.CONSTANT = constant      # framework/ops.py converts Python values with it


def _tensor_shape_to_tensor(s, dtype=None, name=None, as_ref=False):
    """A fully known TensorShape converts to its dims (int32, or int64 when they need it),
    as TF registers it."""
    if not s.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {s} to a Tensor.")
    dims = s.as_list()
    if dtype is None:
        dtype = _dt.int64 if any(d >= 2 ** 31 for d in dims) else _dt.int32
    return constant(np.asarray(dims, dtype=_dt.as_dtype(dtype).np_dtype), dtype=dtype,
                    name=name or "Const")


def _register_tensor_shape_conversion():
    _ops.register_tensor_conversion_function(TensorShape, _tensor_shape_to_tensor)


_register_tensor_shape_conversion()
