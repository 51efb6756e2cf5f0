"""CPU kernels of the v1 variable ops. A variable's value lives in a VariableSlot of the
session; writes swap in a new array through `ctx.write`, so a failed run can be undone."""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from ._build import atomic


@register_kernel("VariableV2")
def variable_v2(*, ctx, op, shared_name):
    return ctx.variable(shared_name or op.name)


@register_kernel("Assign")
@atomic
def assign(ref, value, *, ctx, validate_shape):
    value = np.asarray(value)
    old = ref.value
    if validate_shape and old is not None and old.shape != value.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Assign requires shapes of both tensors to match. lhs shape= "
                        f"{_dims(old.shape)} rhs shape= {_dims(value.shape)}")
    ctx.write(ref, np.array(value, copy=True))
    return ref


def _update(ref, value, sign, op_type, ctx):
    old = ref.value
    if old is None:
        raise errors.FailedPreconditionError(
            None, None, f"Attempting to use uninitialized value {ref.name}")
    value = np.asarray(value)
    if old.shape != value.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Must have the same number of elements for {op_type}: "
                        f"{_dims(old.shape)} vs. {_dims(value.shape)}")
    ctx.write(ref, old + value if sign > 0 else old - value)
    return ref


@register_kernel("AssignAdd")
@atomic
def assign_add(ref, value, *, ctx):
    return _update(ref, value, 1, "AssignAdd", ctx)


@register_kernel("AssignSub")
@atomic
def assign_sub(ref, value, *, ctx):
    return _update(ref, value, -1, "AssignSub", ctx)


@register_kernel("CountUpTo")
@atomic
def count_up_to(ref, *, ctx, limit):
    old = ref.value
    if old is None:
        raise errors.FailedPreconditionError(
            None, None, f"Attempting to use uninitialized value {ref.name}")
    if old >= limit:
        raise errors.OutOfRangeError(None, None, f"Reached limit of {limit}")
    ctx.write(ref, np.array(old + 1, dtype=old.dtype))
    return np.array(old, copy=True)


@register_kernel("IsVariableInitialized")
def is_variable_initialized(ref):
    return np.array(ref.value is not None)


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"
