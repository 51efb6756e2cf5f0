"""The reduction machinery of the GPU kernels (Sum, Mean, Prod, Max, Min, All, Any in
kernels/cuda/math.py, and softmax/xent rows in nn.py).

One generated kernel per (reduction, accumulator type) covers every set of axes without
moving data: a block owns one output element (or one slice of it when there are few
outputs and many inputs, finished by a second pass over the partial results); each thread
walks its share of the reduced coordinates, turning an index into an offset with the
kept/reduced shapes and strides, and the block combines its threads' values in shared memory
(a tree: log2(threads) steps).

ArgMax/ArgMin use one thread per output element scanning its axis: the first extreme value
wins and NaN never wins, as on the CPU.
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import math

import numpy as np

from ..cpu import reduction as cpu_reduce
from . import _dev
from ._dev import cuda, register

SUM, PROD, MAX, MIN, ALL, ANY = (cpu_reduce.SUM, cpu_reduce.PROD, cpu_reduce.MAX,
                                 cpu_reduce.MIN, cpu_reduce.ALL, cpu_reduce.ANY)
MEAN = 100

_COMBINE = {
    SUM: "a = a + v", MEAN: "a = a + v", PROD: "a = a * v",
    MAX: "a = v if (v > a or v != v) else a", MIN: "a = v if (v < a or v != v) else a",
    ALL: "a = a and v", ANY: "a = a or v",
}
_KERNELS = {}


def _kernel(kind, acc_dt, finish):
    """finish: 'none' | 'mean_f' (acc / count) | 'mean_i' (C-style truncating division)."""
    key = (kind, acc_dt, finish)
    k = _KERNELS.get(key)
    if k is not None:
        return k
    comb = _COMBINE[kind]
    if finish == "mean_f":
        fin = "res = res / count"
    elif finish == "mean_i":
        fin = ("q = (res if res >= 0 else -res) // count\n"
               "            res = q if res >= 0 else -q")
    else:
        fin = "pass"
    src = f"""


def kernel(x, out, kshape, kstr, rshape, rstr, K, P, init, count):
    sm = cuda.shared.array(TPB, SDT)
    b = cuda.blockIdx.x
    tid = cuda.threadIdx.x
    m = b // P
    p = b % P
    rem = m
    base = 0
    for d in range(len(kshape) - 1, -1, -1):
        c = rem % kshape[d]
        rem //= kshape[d]
        base += c * kstr[d]
    chunk = (K + P - 1) // P
    lo = p * chunk
    hi = min(K, lo + chunk)
    a = init
    r = lo + tid
    while r < hi:
        rem = r
        off = base
        for d in range(len(rshape) - 1, -1, -1):
            c = rem % rshape[d]
            rem //= rshape[d]
            off += c * rstr[d]
        v = x[off]
        {comb}
        r += TPB
    sm[tid] = a
    cuda.syncthreads()
    s = TPB // 2
    while s > 0:
        if tid < s:
            a = sm[tid]
            v = sm[tid + s]
            {comb}
            sm[tid] = a
        cuda.syncthreads()
        s //= 2
    if tid == 0:
        res = sm[0]
        if P == 1:
            {fin}
        out[cuda.blockIdx.x] = res
"""
    from numba import from_dtype
    ns = {"cuda": cuda, "TPB": _dev.TPB, "min": min, "SDT": from_dtype(np.dtype(acc_dt))}
    exec(compile(src, f"<tfteach cuda reduce {kind}>", "exec"), ns)
    k = _KERNELS[key] = cuda.jit(ns["kernel"])
    return k


def _acc_dtype(kind, dt):
    if kind in (ALL, ANY, MAX, MIN) or dt.kind == "f":
        return dt
    return np.dtype(np.uint64) if dt.kind == "u" else np.dtype(np.int64)


def _coords(shape, strides):
    return (tuple(int(d) for d in shape) or (1,)), (tuple(int(s) for s in strides) or (0,))


def reduce(x, axes, kind, keep_dims, op_type):
    x = _dev.contiguous(_dev.dev(x))
    dt = np.dtype(x.dtype)
    rank = len(x.shape)
    red = cpu_reduce._canonical_axes(axes, rank, op_type)
    kept = [i for i in range(rank) if i not in red]
    out_shape = tuple(1 if i in red else d for i, d in enumerate(x.shape)) if keep_dims \
        else tuple(x.shape[i] for i in kept)
    st = _dev.c_strides(x.shape)
    M = _dev.size_of(x.shape[i] for i in kept)
    K = _dev.size_of(x.shape[i] for i in red)
    base_kind = SUM if kind == MEAN else kind
    acc_dt = _acc_dtype(base_kind, dt)
    if kind == MEAN:
        finish = "mean_f" if dt.kind == "f" else "mean_i"
    else:
        finish = "none"
    if M == 0:
        return _dev.empty(out_shape, dt)
    if K == 0:
        if kind == MEAN:
            fill = np.nan if dt.kind == "f" else 0
        else:
            fill = cpu_reduce._identity(base_kind, dt)
        return _dev.to_device(np.full(out_shape, fill, dtype=dt))
    init = np.array(cpu_reduce._identity(base_kind, acc_dt)).astype(acc_dt)[()]
    P = 1
    if M < 64 and K >= 8 * _dev.TPB:
        P = int(min(1024, math.ceil(K / (8 * _dev.TPB))))
    kshape, kstr = _coords([x.shape[i] for i in kept], [st[i] for i in kept])
    rshape, rstr = _coords([x.shape[i] for i in red], [st[i] for i in red])
    count = np.float64(K) if finish == "mean_f" else np.int64(K)
    fin_dt = acc_dt
    flat_x = _dev.flat(x)
    if P == 1:
        out = _dev.empty((M,), fin_dt)
        _kernel(kind, acc_dt, finish)[M, _dev.TPB](flat_x, out, kshape, kstr, rshape, rstr,
                                                   K, 1, init, count)
    else:
        part = _dev.empty((M * P,), acc_dt)
        _kernel(base_kind, acc_dt, "none")[M * P, _dev.TPB](
            flat_x, part, kshape, kstr, rshape, rstr, K, P, init, count)
        out = _dev.empty((M,), fin_dt)
        _kernel(kind, acc_dt, finish)[M, _dev.TPB](part, out, (M,), (P,), (P,), (1,), P, 1,
                                                   init, count)
    if fin_dt != dt:
        out = _cast(out, dt)
    return out.reshape(out_shape)


def _cast(x, dt):
    from .elementwise import apply
    return apply(_identity, [x], dt)


def _identity(v):
    return v


def _make(op_type, kind, dtypes):
    @register(op_type, dtypes=dtypes, host_inputs=(1,))
    def kernel(x, axes, *, keep_dims):
        return reduce(x, _dev.host_int_list(axes), kind, keep_dims, op_type)
    kernel.__name__ = kernel.__qualname__ = op_type.lower() + "_gpu"
    return kernel
