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


# --- writing rows: Scatter{Mul,Div,Min,Max} (row indices) and ScatterNd{Update,Add,Sub} ------
# The new value is computed whole and swapped in with ctx.write, so an index out of range
# leaves the variable as it was (TF's CPU kernels have written the rows before it).

def _slot_value(slot, resource):
    value = slot.value
    if value is None:
        raise errors.FailedPreconditionError(
            None, None, f"Could not find variable {slot.name}." if resource else
            f"Attempting to use uninitialized value {slot.name}")
    return value


def nd_shape_error(xshape, ishape, ushape):
    """TF's InvalidArgumentError text when updates do not fit ScatterNd*'s
    updates.shape == indices.shape[:-1] + ref.shape[indices.shape[-1]:], else None."""
    k = ishape[-1] if len(ishape) > 1 else 1
    batch = len(ishape) - 1 if len(ishape) > 1 else 1
    prefix = (f"Dimensions [0,{batch}) of indices[shape={_dims(ishape)}] must match "
              f"dimensions [0,{batch}) of updates[shape={_dims(ushape)}]")
    suffix = (f"Dimensions [{k},{len(xshape)}) of input[shape={_dims(xshape)}] must match "
              f"dimensions [{k},{len(ushape)}) of updates[shape={_dims(ushape)}]")
    if len(ushape) < batch:
        return prefix
    if len(ushape) != batch + len(xshape) - k:
        return suffix
    if tuple(ushape[:batch]) != tuple(ishape[:batch]):
        return prefix
    if tuple(ushape[batch:]) != tuple(xshape[k:]):
        return suffix
    return None


def nd_update_values(x, indices, updates, how):
    """x with `updates` written (how: update / add / sub) at the N-d index tuples on the
    last axis of `indices`, in order; TF's errors for shapes and positions that do not fit."""
    from .array import _nd_positions
    x, idx, upd = np.asarray(x), np.asarray(indices), np.asarray(updates)
    why = nd_shape_error(x.shape, idx.shape, upd.shape)
    if why:
        raise errors.InvalidArgumentError(None, None, why)
    k = idx.shape[-1] if idx.ndim > 1 else 1
    tuples = idx if idx.ndim > 1 else idx.reshape(-1, 1)
    flat = _nd_positions(tuples, x.shape, "shape")
    out = np.array(x, copy=True)
    rows = out.reshape((-1,) + x.shape[k:])
    upd = upd.astype(x.dtype, copy=False).reshape((flat.size,) + x.shape[k:])
    if how == "add":
        np.add.at(rows, flat, upd)
    elif how == "sub":
        np.subtract.at(rows, flat, upd)
    else:
        for j, i in enumerate(flat.tolist()):
            rows[i] = upd[j]
    return out


def scatter_values(op_type, x, indices, updates):
    """The variable's value after the Scatter*/ResourceScatter* op `op_type`."""
    from .training import scatter_update_values
    how = op_type.replace("Resource", "").replace("Scatter", "")
    if how.startswith("Nd"):
        return nd_update_values(x, indices, updates, how[2:].lower())
    return scatter_update_values(op_type, np.asarray(x), indices, updates, how.lower())


def _ref_kernel(op_type):
    def kernel(ref, indices, updates, *, ctx):
        ctx.write(ref, scatter_values(op_type, _slot_value(ref, False), indices, updates))
        return ref
    kernel.__name__ = op_type
    return kernel


def _resource_kernel(op_type):
    def kernel(resource, indices, updates, *, ctx):
        ctx.write(resource, scatter_values(op_type, _slot_value(resource, True), indices,
                                           updates))
    kernel.__name__ = op_type
    return kernel


for _k in ("Mul", "Div", "Min", "Max", "NdUpdate", "NdAdd", "NdSub"):
    register_kernel(f"Scatter{_k}")(atomic(_ref_kernel(f"Scatter{_k}")))
    register_kernel(f"ResourceScatter{_k}")(atomic(_resource_kernel(f"ResourceScatter{_k}")))
