"""CPU kernels of the resource_variable family: a handle is the variable's value slot, and
writes go through the run context so a failing run puts every variable back."""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from ._build import atomic


def _read_kernel(handle):
    value = handle.value
    if value is None:
        raise errors.FailedPreconditionError(
            None, None, f"Could not find variable {handle.name}. This could mean that the "
                        f"variable has been deleted.")
    return value


def _assign_kernel(handle, value, *, ctx):
    old = handle.value
    value = np.asarray(value)
    if old is not None and old.shape != value.shape and getattr(handle, "fixed_shape", True):
        raise errors.InvalidArgumentError(
            None, None, f"Trying to assign variable with wrong shape. Expected "
                        f"{_dims(old.shape)} got {_dims(value.shape)}")
    ctx.write(handle, _own(value))


def _update_kernel(sign):
    def kernel(handle, value, *, ctx):
        old = handle.value
        if old is None:
            raise errors.FailedPreconditionError(None, None,
                                                 f"Could not find variable {handle.name}.")
        value = np.asarray(value)
        if old.shape != value.shape:
            raise errors.InvalidArgumentError(
                None, None, f"Cannot update variable with shape {_dims(old.shape)} using a "
                            f"Tensor with shape {_dims(value.shape)}, shapes must be equal.")
        ctx.write(handle, np.add(old, value) if sign > 0 else np.subtract(old, value))
    return kernel


register_kernel("ReadVariableOp")(_read_kernel)
# writes run under the variable lock: read, compute and store as one step across threads
register_kernel("AssignVariableOp")(atomic(_assign_kernel))
register_kernel("AssignAddVariableOp")(atomic(_update_kernel(1)))
register_kernel("AssignSubVariableOp")(atomic(_update_kernel(-1)))


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _own(value):
    """A value the variable may keep: arrays are copied unless already private."""
    if isinstance(value, np.ndarray):
        return value.copy() if value.ndim else value[()]
    return value


@register_kernel("VariableShape")
def variable_shape(handle, *, out_type):
    return np.array(_read_kernel(handle).shape, out_type.np_dtype)
