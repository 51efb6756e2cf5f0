"""Shared pieces of the CUDA kernels: the numba.cuda module, launch sizes, allocation from
tfteach's GPU memory pool, and the conditional kernel registration.

Conventions every GPU kernel follows: inputs and outputs are numba device arrays (a host
array handed in is copied to the device once, which is what eager code relies on); inputs
listed in `host_inputs` (axes, shapes, permutations: TF's host-memory inputs) are read on
the host; a kernel with `host_outputs` returns host values (Shape, Size, Rank).
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import math

import numpy as np
from numba import cuda

from ...framework import registry
from .. import gpu_memory

SIM = gpu_memory.is_simulated()
# The simulator runs every thread as a Python thread: small blocks keep tests quick.
TPB = 32 if SIM else 256

empty = gpu_memory.empty
to_device = gpu_memory.to_device
to_host = gpu_memory.to_host
is_device = gpu_memory.is_device_array

FLOATS = ("float32", "float64")


def blocks_for(n, tpb=TPB):
    return max(1, min(int(math.ceil(n / tpb)), 2 ** 31 - 1))


def jit(**kw):
    """cuda.jit that drops the options the simulator does not know (launch_bounds)."""
    if SIM:
        kw.pop("launch_bounds", None)
        kw.pop("lineinfo", None)
    return cuda.jit(**kw)


def dtype_name(dt):
    return np.dtype(dt).name if np.dtype(dt) != np.bool_ else "boolean"


def op_dtype(op, attr="T"):
    """The op's element type as a numpy dtype: its `T` attr, else its first input's."""
    t = getattr(op, "_attrs", {}).get(attr)
    if t is not None and hasattr(t, "np_dtype"):
        return t.np_dtype
    if op.inputs:
        return op.inputs[0].dtype.base_dtype.np_dtype
    return op.get_attr(attr).np_dtype


def register(op_type, dtypes=None, host_inputs=(), host_outputs=False, check=None,
             host_memory=()):
    """Registers `fn` as `op_type`'s GPU kernel (`registry.register_kernel`, which raises for
    an undeclared op or a second registration).

    `dtypes`: names of the element types the kernel handles (None: any); `check(op)` an
    extra condition; placement puts the op on the CPU when either says no.
    `host_memory`: TF's `HostMemory(...)` argument names (inputs or outputs of the op's
    declaration) that stay in host memory; `host_inputs` / `host_outputs` say the same by
    position (`host_outputs=True`: every output).
    """
    def deco(fn):
        ins, outs = _host_positions(op_type, host_memory)
        fn.host_inputs = host_inputs if callable(host_inputs) else tuple(host_inputs) + ins
        fn.host_outputs = True if host_outputs is True or outs is True else \
            (tuple(host_outputs or ()) + outs) or False
        fn.host_memory = tuple(host_memory)
        fn.dtypes = tuple(dtypes) if dtypes is not None else None

        def supports(op):
            if dtypes is not None and dtype_name(op_dtype(op)) not in dtypes:
                return False
            return check is None or bool(check(op))
        fn.supports = supports
        registry.register_kernel(op_type, "GPU")(fn)
        return fn
    return deco


def _host_positions(op_type, names):
    """TF's host-memory argument names -> (input positions, output positions)."""
    if not names:
        return (), ()
    registry._import_declarations(_family_of_caller())
    opdef = registry.get(op_type)
    in_names = [n.lstrip("*") for n, _ in opdef.inputs]
    out_names = [] if callable(opdef.outputs) else [n.lstrip("*") for n, _ in opdef.outputs]
    ins, outs = [], []
    for n in names:
        if n in in_names:
            i = in_names.index(n)
            # a position after a list input counts from the end (ConcatV2's axis)
            ins.append(i if not any(a.startswith("*") for a, _ in opdef.inputs[:i])
                       else i - len(in_names))
        elif n in out_names:
            outs.append(out_names.index(n))
        elif callable(opdef.outputs) or len(out_names) == 1 and \
                opdef.outputs[0][0].startswith("*"):
            return tuple(ins), True     # a variadic output list is one TF argument
        else:
            raise ValueError(f"HostMemory({n!r}) of {op_type}: no such argument "
                             f"(inputs {in_names}, outputs {out_names})")
    return tuple(ins), tuple(outs)


def _family_of_caller():
    import sys
    f = sys._getframe(1)
    while f.f_globals.get("__toolkit__"):
        f = f.f_back
    return f.f_globals.get("__name__", "").rsplit(".", 1)[-1]


class HostKernel:
    """A GPU kernel whose every input and output stays in host memory: TF's GPU
    registrations of int32 bookkeeping ops (InvertPermutation, BroadcastGradientArgs,
    ConcatOffset, ShapeN, ...) are `HostMemory` for all their arguments, so the op is placed
    on the GPU device while its CPU code runs on host values, and no copy is made."""
    host_inputs = "all"
    host_outputs = True

    def __init__(self, op_type, dtypes):
        self.op_type = op_type
        self.types = dtypes
        self.cpu = registry.get(op_type).kernel_for("CPU")
        import inspect
        self.__signature__ = inspect.signature(self.cpu)
        self.host_memory = "all"

    def supports(self, op):
        return self.types is None or dtype_name(op_dtype(op)) in self.types

    def for_op(self, op):
        cpu = self.cpu.for_op(op) if hasattr(self.cpu, "for_op") else self.cpu
        return _on_host(cpu)

    def __call__(self, *args, **kwargs):
        return self.cpu(*[to_host(a) if is_device(a) else a for a in args], **kwargs)


def _type_name(dt):
    try:
        return dtype_name(dt.np_dtype)
    except (TypeError, AttributeError):
        return dt.name


def _on_host(cpu):
    def call(*args, **kwargs):
        return cpu(*[to_host(a) if is_device(a) else a for a in args], **kwargs)
    return call


def register_host(op_type, dtypes=None):
    """Registers op_type's host-memory GPU kernel (see HostKernel)."""
    k = HostKernel(op_type, dtypes)
    registry.register_kernel(op_type, "GPU")(k)
    return k


def dev(x):
    """A device array for a kernel input (copies host data once)."""
    return x if is_device(x) else to_device(np.asarray(x))


def slot_value(slot):
    """A variable's value as a device array: a slot that keeps a device copy
    (`device_value`, a resource variable's storage when a GPU is present) hands it out,
    anything else is copied once."""
    get = getattr(slot, "device_value", None)
    v = get() if get is not None else slot.value
    return None if v is None else dev(v)


def host_int_list(x):
    """A host-memory input (axes, shape, perm) as a list of Python ints."""
    return [int(v) for v in np.asarray(to_host(x)).reshape(-1)]


def size_of(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def flat(a):
    """A 1-D view of a contiguous device array (0-d and empty arrays included)."""
    n = size_of(a.shape)
    return a if tuple(a.shape) == (n,) else a.reshape(n)


def contiguous(a):
    """Our kernels write C-contiguous outputs; anything else is copied once."""
    if getattr(a, "is_c_contiguous", lambda: True)():
        return a
    return to_device(np.asarray(to_host(a)).copy(order="C"))


def c_strides(shape):
    st = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        st[i] = st[i + 1] * int(shape[i + 1])
    return st


def device_value(v):
    """A kernel's data output in device memory: numeric host values are copied there once;
    strings and handles (iterators, optionals, queues: objects, not buffers) stay on the
    host, where TF keeps DT_STRING and DT_RESOURCE in every kernel."""
    if is_device(v) or v is None:
        return v
    if isinstance(v, (np.ndarray, np.generic, bool, int, float, complex)):
        a = np.asarray(v)
        if a.dtype.kind in "biufc":
            return to_device(a)
    return v


def register_via_cpu(op_type, host_memory=(), check=None):
    """Registers a GPU kernel that runs `op_type`'s CPU code: TF's GPU kernels of the
    stateful bookkeeping ops (iterators, queues, optionals, Python functions) are host code
    too, placed on the GPU device so that the data they hand out lands in device memory.
    Inputs arriving in device memory are read on the host; outputs not in `host_memory`
    (TF's HostMemory names) are copied to the device (`device_value`). The kernel has the
    CPU kernel's signature (its attrs, `ctx`, `op`)."""
    import inspect
    cpu = registry.get(op_type).kernel_for("CPU")
    ins, outs = _host_positions(op_type, host_memory)

    def on_host(i):
        return outs is True or i in outs

    def kernel(*args, **kwargs):
        out = cpu(*[to_host(a) for a in args], **kwargs)
        if type(out) in (tuple, list):
            return tuple(o if on_host(i) else device_value(o) for i, o in enumerate(out))
        return out if on_host(0) else device_value(out)
    kernel.__signature__ = inspect.signature(cpu)
    kernel.__name__ = getattr(cpu, "__name__", op_type)
    kernel.__doc__ = f"{op_type} on a GPU device: the CPU kernel's code, data outputs moved " \
                     f"to device memory."
    return register(op_type, host_memory=host_memory, check=check)(kernel)
