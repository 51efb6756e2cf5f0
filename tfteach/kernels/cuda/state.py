"""GPU kernels of the v1 variable ops. A variable placed on the GPU keeps its value in its
VariableSlot as a device array; writes still go through `ctx.write` (new array, old one
logged), so a failed run is undone exactly as on the CPU."""
import numpy as np

from ... import errors
from . import _dev
from ._dev import register
from .elementwise import apply

_ALL = None     # any dtype numba can hold on the device


def _identity(x):
    return x


def _add(x, y):
    return x + y


def _sub(x, y):
    return x - y


def device_copy(x):
    """A fresh device array equal to x (values are never shared with a variable)."""
    x = _dev.dev(x)
    if not _dev.size_of(x.shape):
        return _dev.empty(tuple(x.shape), x.dtype)
    return apply(_identity, [x], x.dtype)


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


@register("VariableV2")
def variable_v2(*, ctx, op, shared_name):
    slot = ctx.variable(shared_name or op.name)
    if slot.value is not None and not _dev.is_device(slot.value):
        # Another plan left it on the host: it moves (not a write: same value).
        slot.value = _dev.to_device(np.asarray(slot.value))
    return slot


@register("Assign")
def assign(ref, value, *, ctx, validate_shape):
    value = _dev.dev(value)
    old = ref.value
    if validate_shape and old is not None and tuple(old.shape) != tuple(value.shape):
        raise errors.InvalidArgumentError(
            None, None, f"Assign requires shapes of both tensors to match. lhs shape= "
                        f"{_dims(old.shape)} rhs shape= {_dims(value.shape)}")
    ctx.write(ref, device_copy(value))
    return ref


def _update(ref, value, fn, op_type, ctx):
    old = ref.value
    if old is None:
        raise errors.FailedPreconditionError(
            None, None, f"Attempting to use uninitialized value {ref.name}")
    old = _dev.dev(old)
    value = _dev.dev(value)
    if tuple(old.shape) != tuple(value.shape):
        raise errors.InvalidArgumentError(
            None, None, f"Must have the same number of elements for {op_type}: "
                        f"{_dims(old.shape)} vs. {_dims(value.shape)}")
    ctx.write(ref, apply(fn, [old, value], old.dtype, op_type))
    return ref


_NUM = ("float32", "float64", "int32", "int64")


@register("AssignAdd", dtypes=_NUM)
def assign_add(ref, value, *, ctx):
    return _update(ref, value, _add, "AssignAdd", ctx)


@register("AssignSub", dtypes=_NUM)
def assign_sub(ref, value, *, ctx):
    return _update(ref, value, _sub, "AssignSub", ctx)


@register("IsVariableInitialized", host_outputs=True)
def is_variable_initialized(ref):
    return np.array(ref.value is not None)
