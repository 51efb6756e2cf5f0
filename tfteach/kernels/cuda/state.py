"""GPU kernels of the v1 variable ops. A variable placed on the GPU keeps its value in its
VariableSlot as a device array; writes still go through `ctx.write` (new array, old one
logged), so a failed run is undone exactly as on the CPU."""
import numpy as np

from ... import errors
from . import _dev
from ._dev import cuda, register
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


# --- writing rows: Scatter{Mul,Div,Min,Max} and ScatterNd{Update,Add,Sub}, ref and resource --
# Row ops: a thread per element of a row walks the indices in order, so a row named twice is
# written twice, one after the other, as on the CPU. An index outside the variable is
# skipped: TF's GPU scatter kernels ignore it (its CPU ones fail).
_MUL, _DIV, _MIN, _MAX = range(4)
_KERNELS = {}


def _row_kernel():
    k = _KERNELS.get("rows")
    if k is None:
        @_dev.jit()
        def rows(out, indices, updates, n_rows, inner, scalar, mode, int_div):
            j = cuda.grid(1)
            if j < inner:
                for r in range(indices.shape[0]):
                    i = indices[r]
                    if i < 0 or i >= n_rows:
                        continue
                    p = i * inner + j
                    v = updates[0] if scalar else updates[r * inner + j]
                    a = out[p]
                    if mode == 0:
                        out[p] = a * v
                    elif mode == 1:
                        if int_div:      # C++ integer division: rounds toward zero
                            q = a // v
                            if q * v != a and (a < 0) != (v < 0):
                                q += 1
                            out[p] = q
                        else:
                            out[p] = a / v
                    elif mode == 2:
                        out[p] = min(a, v)
                    else:
                        out[p] = max(a, v)
        k = _KERNELS["rows"] = rows
    return k


def _row_values(v, indices, updates, mode):
    idx = _dev.contiguous(_dev.dev(indices))
    upd = _dev.contiguous(_dev.dev(updates))
    vshape, ishape, ushape = tuple(v.shape), tuple(idx.shape), tuple(upd.shape)
    if ushape and ushape != ishape + vshape[1:]:
        raise errors.InvalidArgumentError(
            None, None, f"Must have updates.shape = indices.shape + params.shape[1:] or "
                        f"updates.shape = [], got updates.shape {_dims(ushape)}, "
                        f"indices.shape {_dims(ishape)}, params.shape {_dims(vshape)}")
    out = device_copy(v)
    inner = _dev.size_of(vshape[1:]) if vshape else 1
    if inner and _dev.size_of(ishape) and vshape:
        _row_kernel()[_dev.blocks_for(inner), _dev.TPB](
            _dev.flat(out), _dev.flat(idx), _dev.flat(upd), vshape[0], inner, not ushape,
            mode, np.dtype(v.dtype).kind in "iu")
    return out


def _nd_values(v, indices, updates, mode):
    from ..cpu.state import nd_shape_error
    from .array import _scatter_nd_into
    idx, upd = _dev.dev(indices), _dev.dev(updates)
    why = nd_shape_error(tuple(v.shape), tuple(idx.shape), tuple(upd.shape))
    if why:
        raise errors.InvalidArgumentError(None, None, why)
    if len(idx.shape) < 2:          # a vector of indices: one position per tuple
        idx = idx.reshape(_dev.size_of(idx.shape), 1)
    return _scatter_nd_into(device_copy(v), idx, upd, mode)


def _slot(slot, resource):
    v = _dev.slot_value(slot)
    if v is None:
        raise errors.FailedPreconditionError(
            None, None, f"Could not find variable {slot.name}." if resource else
            f"Attempting to use uninitialized value {slot.name}")
    return v


def _ref_kernel(values, mode):
    def kernel(ref, indices, updates, *, ctx):
        ctx.write(ref, values(_slot(ref, False), indices, updates, mode))
        return ref
    return kernel


def _resource_kernel(values, mode):
    def kernel(resource, indices, updates, *, ctx):
        ctx.write(resource, values(_slot(resource, True), indices, updates, mode))
    return kernel


_F = _dev.FLOATS
_ND_TYPES = ("float32", "float64", "int32", "int64")


def _var_dtype_in(types, attr):
    return lambda op: _dev.dtype_name(op.get_attr(attr).np_dtype) in types


for _k, _m in (("Mul", _MUL), ("Div", _DIV), ("Min", _MIN), ("Max", _MAX)):
    # TF's GPU registrations: floating types for the ref ops; int64 too for the resource
    # ones (int32 stays on the host)
    register(f"Scatter{_k}", dtypes=_F)(_ref_kernel(_row_values, _m))
    register(f"ResourceScatter{_k}", check=_var_dtype_in(_F + ("int64",), "dtype"),
             host_memory=("resource",))(_resource_kernel(_row_values, _m))
for _k, _m in (("NdUpdate", 0), ("NdAdd", 1), ("NdSub", 2)):   # cuda/array.py's modes
    register(f"Scatter{_k}", dtypes=_ND_TYPES)(_ref_kernel(_nd_values, _m))
    register(f"ResourceScatter{_k}", check=_var_dtype_in(_ND_TYPES, "T"),
             host_memory=("ref",))(_resource_kernel(_nd_values, _m))
