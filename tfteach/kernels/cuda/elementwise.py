"""GPU kernels of the element-wise ops, generated from the CPU kernels' scalar functions.

Every CPU element-wise kernel (`kernels/cpu/_build.Elementwise`: Add, Mul, Relu, ReluGrad,
comparisons, ...) is a scalar Python function; here the same function becomes a CUDA device
function and one generated kernel per arity applies it:

* `flat`: all operands have the output's shape: out[i] = f(a[i], b[i]) (one thread per
  element, coalesced: the bandwidth-bound case the benchmark measures);
* `strided`: broadcasting. Each operand carries one stride per output dimension, 0 where
  it is broadcast; a thread turns its output index into coordinates and each coordinate
  into an operand offset.

So a new element-wise CPU op gets its GPU kernel (and parity test) with no GPU code.
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import math

import numpy as np

from ... import errors
from ...framework import registry
from ..cpu._build import NB, Elementwise
from . import _dev
from ._dev import cuda

_DEVICE_FUNCS = {}
_KERNELS = {}
_NP = {v: k for k, v in NB.items()}


def device_function(pyfunc):
    f = _DEVICE_FUNCS.get(pyfunc)
    if f is None:
        f = _DEVICE_FUNCS[pyfunc] = cuda.jit(device=True)(pyfunc)
    return f


def _flat_kernel(pyfunc, nargs, nscalars=0):
    key = (pyfunc, nargs, nscalars, "flat")
    k = _KERNELS.get(key)
    if k is None:
        args = ", ".join([f"a{i}" for i in range(nargs)] + [f"p{i}" for i in range(nscalars)])
        loads = ", ".join([f"a{i}[i]" for i in range(nargs)] +
                          [f"p{i}" for i in range(nscalars)])
        src = (f"def kernel(out, {args}):\n"
               f"    i = cuda.grid(1)\n"
               f"    if i < out.shape[0]:\n"
               f"        out[i] = f({loads})\n")
        k = _KERNELS[key] = _compile(src, pyfunc)
    return k


def _strided_kernel(pyfunc, nargs, nscalars=0):
    key = (pyfunc, nargs, nscalars, "strided")
    k = _KERNELS.get(key)
    if k is None:
        args = ", ".join([f"a{i}, s{i}" for i in range(nargs)] +
                         [f"p{i}" for i in range(nscalars)])
        offs = "\n".join(f"        o{i} = 0" for i in range(nargs))
        acc = "\n".join(f"            o{i} += c * s{i}[d]" for i in range(nargs))
        loads = ", ".join([f"a{i}[o{i}]" for i in range(nargs)] +
                          [f"p{i}" for i in range(nscalars)])
        src = (f"def kernel(out, shape, {args}):\n"
               f"    i = cuda.grid(1)\n"
               f"    if i < out.shape[0]:\n"
               f"        rem = i\n{offs}\n"
               f"        for d in range(len(shape) - 1, -1, -1):\n"
               f"            c = rem % shape[d]\n"
               f"            rem //= shape[d]\n{acc}\n"
               f"        out[i] = f({loads})\n")
        k = _KERNELS[key] = _compile(src, pyfunc)
    return k


def _compile(src, pyfunc):
    ns = {"cuda": cuda, "f": device_function(pyfunc)}
    exec(compile(src, f"<tfteach cuda elementwise {pyfunc.__name__}>", "exec"), ns)
    return cuda.jit(ns["kernel"])


def broadcast_shape(shapes, op_type="op"):
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, "Incompatible shapes: " + " vs. ".join(
                "[" + ",".join(str(d) for d in s) + "]" for s in shapes)) from None


def apply(pyfunc, args, out_dtype, op_type="op", scalars=()):
    """Runs scalar `pyfunc` over device arrays `args` with broadcasting -> device array.
    `scalars` (host numbers) are passed to every call after the array elements."""
    args = [_dev.contiguous(_dev.dev(a)) for a in args]
    shapes = [tuple(a.shape) for a in args]
    shape = shapes[0] if all(s == shapes[0] for s in shapes) else broadcast_shape(shapes,
                                                                                   op_type)
    out = _dev.empty(shape, out_dtype)
    n = _dev.size_of(shape)
    if n == 0:
        return out
    flat_out = _dev.flat(out)
    grid = (_dev.blocks_for(n), _dev.TPB)
    if all(s == shape for s in shapes):
        _flat_kernel(pyfunc, len(args), len(scalars))[grid](
            flat_out, *[_dev.flat(a) for a in args], *scalars)
        return out
    rank = len(shape)
    launch = [flat_out, tuple(int(d) for d in shape)]
    for a, s in zip(args, shapes):
        padded = (1,) * (rank - len(s)) + s
        st = _dev.c_strides(padded)
        launch += [_dev.flat(a), tuple(0 if padded[d] == 1 else st[d] for d in range(rank))]
    _strided_kernel(pyfunc, len(args), len(scalars))[grid](*launch, *scalars)
    return out


class GpuElementwise:
    """The GPU twin of a CPU `Elementwise` kernel: same scalar function, same dtypes."""
    host_inputs = ()
    host_outputs = False

    def __init__(self, cpu):
        self.cpu = cpu
        self.op_type = cpu.op_type
        self.pyfunc = cpu.pyfunc
        self.types = cpu.types
        self.out = cpu.out

    def supports(self, op):
        return _dev.dtype_name(_dev.op_dtype(op)) in self.types

    def out_dtype(self, dt):
        return _NP[self.out(_dev.dtype_name(dt))]

    def for_op(self, op):
        dt = _dev.op_dtype(op)
        out_dt, f, name = self.out_dtype(dt), self.pyfunc, self.op_type
        return lambda *args: apply(f, args, out_dt, name)

    def __call__(self, *args):
        dt = np.dtype(args[0].dtype)
        if _dev.dtype_name(dt) not in self.types:
            raise errors.NotFoundError(
                None, None, f"No GPU kernel for {self.op_type} with dtype {dt}")
        return apply(self.pyfunc, args, self.out_dtype(dt), self.op_type)


def _any_zero_kernel():
    k = _KERNELS.get("any_zero")
    if k is None:
        @cuda.jit
        def any_zero(x, flag):
            i = cuda.grid(1)
            if i < x.shape[0] and x[i] == 0:
                flag[0] = 1
        k = _KERNELS["any_zero"] = any_zero
    return k


class GpuIntOrFloat:
    """FloorDiv / FloorMod / Pow: integer and float scalar functions, and TF's check that an
    integer divisor has no zero (one flag read back from the device)."""
    host_inputs = ()
    host_outputs = False

    def __init__(self, cpu):
        self.op_type = cpu.op_type
        self.i, self.f = GpuElementwise(cpu.i), GpuElementwise(cpu.f)
        self.f.pyfunc = GPU_SCALAR.get(cpu.op_type, self.f.pyfunc)
        self.check_zero = cpu.check_zero

    def supports(self, op):
        return self.i.supports(op) or self.f.supports(op)

    def for_op(self, op):
        return self.__call__

    def __call__(self, x, y):
        dt = np.dtype(x.dtype)
        if dt.kind == "f":
            return self.f(x, y)
        if self.check_zero:
            y = _dev.contiguous(_dev.dev(y))
            flag = _dev.to_device(np.zeros(1, np.int32))
            n = _dev.size_of(y.shape)
            if n:
                _any_zero_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(y), flag)
                if flag.copy_to_host()[0]:
                    raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        return self.i(x, y)


def _sign(x):
    # The CPU's `(x > 0) - (x < 0)` subtracts booleans, which the simulator refuses.
    return 1 if x > 0 else (-1 if x < 0 else x * 0)


def _floormod_f(x, y):
    # numba.cuda has neither math.fmod nor np.fmod: x - trunc(x / y) * y is C's fmod.
    q = x / y
    r = x - (math.floor(q) if q >= 0 else math.ceil(q)) * y
    if r != 0 and ((r < 0) != (y < 0)):
        r += y
    return r


# Scalar functions the GPU computes differently (same results, GPU-friendly form).
GPU_SCALAR = {"Sign": _sign, "FloorMod": _floormod_f}


def register_elementwise(family):
    """A GPU kernel for every op of `family` whose CPU kernel is element-wise (see the module
    docstring) and that has no hand-written one; the family's GPU module calls this last."""
    registry.load_kernels("CPU", [family])
    n = 0
    for op_type, opdef in registry.all_ops().items():
        if opdef.family != family or "GPU" in opdef.kernels:
            continue
        k = opdef.kernel_for("CPU")
        if isinstance(k, Elementwise):
            g = GpuElementwise(k)
            if op_type in GPU_SCALAR and op_type != "FloorMod":
                g.pyfunc = GPU_SCALAR[op_type]
            registry.register_kernel(op_type, "GPU")(g)
            n += 1
        elif k is not None and hasattr(k, "check_zero") and isinstance(
                getattr(k, "i", None), Elementwise):
            registry.register_kernel(op_type, "GPU")(GpuIntOrFloat(k))
            n += 1
    return n
