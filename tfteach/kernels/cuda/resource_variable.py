"""GPU kernels of the resource-variable ops. The handle (the variable's storage slot) is host
memory, as in TF's registrations; the value is a device array. With a GPU present a
variable's storage keeps the copy on the side it was last written (eager/variables.py), so a
traced training step reads and writes the device copy and nothing crosses to the host."""
from ... import errors
from . import _dev
from ._dev import register
from .state import _add, _sub, device_copy
from .elementwise import apply

_NUM = ("float32", "float64", "int32", "int64", "float16")


def _dtype_ok(op):
    dt = op.get_attr("dtype")
    return _dev.dtype_name(dt.base_dtype.np_dtype) in _NUM


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


@register("ReadVariableOp", check=_dtype_ok, host_memory=("resource",))
def read_variable(handle):
    v = _dev.slot_value(handle)
    if v is None:
        raise errors.FailedPreconditionError(
            None, None, f"Could not find variable {handle.name}. This could mean that the "
                        f"variable has been deleted.")
    return v


@register("AssignVariableOp", check=_dtype_ok, host_memory=("resource",))
def assign_variable(handle, value, *, ctx):
    value = _dev.dev(value)
    old = _dev.slot_value(handle)
    if old is not None and tuple(old.shape) != tuple(value.shape) and \
            getattr(handle, "fixed_shape", True):
        raise errors.InvalidArgumentError(
            None, None, f"Trying to assign variable with wrong shape. Expected "
                        f"{_dims(old.shape)} got {_dims(value.shape)}")
    ctx.write(handle, device_copy(value))


def _update(fn, op_type):
    def kernel(handle, value, *, ctx):
        old = _dev.slot_value(handle)
        if old is None:
            raise errors.FailedPreconditionError(None, None,
                                                 f"Could not find variable {handle.name}.")
        value = _dev.dev(value)
        if tuple(old.shape) != tuple(value.shape):
            raise errors.InvalidArgumentError(
                None, None, f"Cannot update variable with shape {_dims(old.shape)} using a "
                            f"Tensor with shape {_dims(value.shape)}, shapes must be equal.")
        ctx.write(handle, apply(fn, [old, value], old.dtype, op_type))
    kernel.__name__ = op_type
    return kernel


register("AssignAddVariableOp", check=_dtype_ok, host_memory=("resource",))(
    _update(_add, "AssignAddVariableOp"))
register("AssignSubVariableOp", check=_dtype_ok, host_memory=("resource",))(
    _update(_sub, "AssignSubVariableOp"))


@register("VariableShape", host_memory=("input", "output"))
def variable_shape(handle, *, out_type):
    # the shape of whichever copy the slot keeps: no value crosses to the host
    v = _dev.slot_value(handle)
    if v is None:
        raise errors.FailedPreconditionError(
            None, None, f"Could not find variable {handle.name}. This could mean that the "
                        f"variable has been deleted.")
    import numpy as np
    return np.array(tuple(v.shape), out_type.np_dtype)
