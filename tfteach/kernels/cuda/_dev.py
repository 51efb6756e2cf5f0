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


def register(op_type, dtypes=None, host_inputs=(), host_outputs=False, check=None):
    """Registers `fn` as `op_type`'s GPU kernel (`registry.register_kernel`, which raises for
    an undeclared op or a second kernel).

    `dtypes`: names of the element types the kernel handles (None: any); `check(op)` an
    extra condition; placement puts the op on the CPU when either says no.
    """
    def deco(fn):
        fn.host_inputs = tuple(host_inputs)
        fn.host_outputs = host_outputs

        def supports(op):
            if dtypes is not None and dtype_name(op_dtype(op)) not in dtypes:
                return False
            return check is None or bool(check(op))
        fn.supports = supports
        registry.register_kernel(op_type, "GPU")(fn)
        return fn
    return deco


def dev(x):
    """A device array for a kernel input (copies host data once)."""
    return x if is_device(x) else to_device(np.asarray(x))


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
