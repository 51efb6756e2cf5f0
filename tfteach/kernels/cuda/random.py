"""GPU kernels of the random ops, drawing from numba.cuda's xoroshiro128+ generators.

Each op keeps its generator states (one per thread of a fixed-size grid that strides over
the output) in the session's `ctx.state.random`, seeded from (seed, seed2) on its first
run, or from fresh entropy when both are 0; successive runs continue the sequence. The
numbers differ from the CPU kernels' (TF's GPU and CPU streams differ too): the parity
test compares their distributions, not their values.
"""
import math

import numpy as np

from ... import errors
from . import _dev
from ._dev import cuda, register

_KERNELS = {}
_THREADS = 32 if _dev.SIM else 16384


def _make_states(n, seed):
    """n xoroshiro128+ states seeded from a NumPy generator. (numba's own
    create_xoroshiro128p_states jumps each state ahead 2**64 steps in a CPU function that
    numba 0.68 compiles in object mode: ~10 s on first use.)"""
    from numba.cuda.random import xoroshiro128p_dtype
    host = np.empty(n, dtype=xoroshiro128p_dtype)
    words = np.random.Generator(np.random.PCG64(seed)).integers(
        1, 2 ** 63, size=(n, 2), dtype=np.int64).view(np.uint64)
    host["s0"], host["s1"] = words[:, 0], words[:, 1]
    d = _dev.empty((n,), xoroshiro128p_dtype)
    d.copy_to_device(host)
    return d


def _states(ctx, op, seed, seed2):
    store = getattr(getattr(ctx, "state", None), "random", None)
    if store is None:
        store = _FALLBACK
    key = ("GPU", getattr(op, "name", None), seed, seed2)
    st = store.get(key)
    if st is None:
        if seed == 0 and seed2 == 0:
            s = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        else:
            s = (int(seed) * 0x9E3779B97F4A7C15 + int(seed2)) & 0xFFFFFFFFFFFFFFFF
        st = store[key] = _make_states(_THREADS, s)
    return st


_FALLBACK = {}


def _shape(shape):
    dims = _dev.host_int_list(shape)
    for d in dims:
        if d < 0:
            raise errors.InvalidArgumentError(None, None, f"Dimension {d} must be >= 0")
    return tuple(dims)


def _kernel(kind):
    k = _KERNELS.get(kind)
    if k is not None:
        return k
    from numba.cuda.random import (xoroshiro128p_normal_float32, xoroshiro128p_normal_float64,
                                   xoroshiro128p_uniform_float32,
                                   xoroshiro128p_uniform_float64)

    def draw(states, out, f64):
        t = cuda.grid(1)
        stride = cuda.gridsize(1)
        i = t
        while i < out.shape[0]:
            if kind == 0:
                v = xoroshiro128p_uniform_float64(states, t) if f64 else \
                    xoroshiro128p_uniform_float32(states, t)
            else:
                v = xoroshiro128p_normal_float64(states, t) if f64 else \
                    xoroshiro128p_normal_float32(states, t)
                if kind == 2:
                    while v < -2.0 or v > 2.0:
                        v = xoroshiro128p_normal_float64(states, t) if f64 else \
                            xoroshiro128p_normal_float32(states, t)
            out[i] = v
            i += stride
    k = _KERNELS[kind] = cuda.jit(draw)
    return k


def _draw(kind, shape, dtype, ctx, op, seed, seed2):
    dims = _shape(shape)
    out = _dev.empty(dims, dtype.np_dtype)
    n = _dev.size_of(dims)
    if n:
        st = _states(ctx, op, seed, seed2)
        tpb = _dev.TPB
        _kernel(kind)[_THREADS // tpb, tpb](st, _dev.flat(out),
                                            dtype.np_dtype == np.float64)
    return out


_F = ("float32", "float64")


def _out_float(op):
    return op.get_attr("dtype").np_dtype in (np.float32, np.float64)


for _t, _kind in (("RandomUniform", 0), ("RandomStandardNormal", 1), ("TruncatedNormal", 2)):
    def _make(kind, name):
        @register(name, host_inputs=(0,), check=_out_float)
        def kernel(shape, *, dtype, seed, seed2, ctx, op):
            return _draw(kind, shape, dtype, ctx, op, seed, seed2)
        kernel.__name__ = kernel.__qualname__ = name.lower() + "_gpu"
        return kernel
    _make(_kind, _t)


def _uniform_int_kernel():
    k = _KERNELS.get("int")
    if k is None:
        from numba.cuda.random import xoroshiro128p_uniform_float64

        def draw_int(states, out, lo, span):
            t = cuda.grid(1)
            stride = cuda.gridsize(1)
            i = t
            while i < out.shape[0]:
                v = int(xoroshiro128p_uniform_float64(states, t) * span)
                out[i] = lo + (v if v < span else span - 1)
                i += stride
        k = _KERNELS["int"] = cuda.jit(draw_int)
    return k


@register("RandomUniformInt", host_inputs=(0, 1, 2),
          check=lambda op: op.inputs[1].dtype.base_dtype.name in ("int32", "int64"))


def random_uniform_int(shape, minval, maxval, *, seed, seed2, ctx, op):
    dims = _shape(shape)
    lo, hi = np.asarray(_dev.to_host(minval)), np.asarray(_dev.to_host(maxval))
    if lo.ndim or hi.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"minval must be 0-D, got shape {list(lo.shape)}" if lo.ndim
            else f"maxval must be 0-D, got shape {list(hi.shape)}")
    if not lo < hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi}")
    out = _dev.empty(dims, lo.dtype)
    n = _dev.size_of(dims)
    if n:
        st = _states(ctx, op, seed, seed2)
        _uniform_int_kernel()[_THREADS // _dev.TPB, _dev.TPB](
            st, _dev.flat(out), np.int64(lo), np.int64(hi) - np.int64(lo))
    return out


# --- Multinomial: a CDF per row, then each draw searches its row's ---------------------------
def _multinomial_kernels():
    ks = _KERNELS.get("multinomial")
    if ks is None:
        from numba.cuda.random import xoroshiro128p_uniform_float64

        # as the CPU kernel: exp(logit - max) summed in float64, NaN and -inf weigh 0
        @cuda.jit
        def cdf_rows(logits, cdf, total, k):
            r = cuda.grid(1)
            if r < total.shape[0]:
                m = -math.inf
                for j in range(k):
                    if logits[r * k + j] > m:
                        m = logits[r * k + j]
                t = 0.0
                for j in range(k):
                    v = logits[r * k + j]
                    if v == v and v > -math.inf:
                        t += math.exp(v - m)
                    cdf[r * k + j] = t
                total[r] = t

        @cuda.jit
        def sample(states, cdf, total, out, k, n):
            t = cuda.grid(1)
            stride = cuda.gridsize(1)
            i = t
            while i < out.shape[0]:
                r = i // n
                u = xoroshiro128p_uniform_float64(states, t) * total[r]
                j = 0
                while j < k - 1 and cdf[r * k + j] <= u:
                    j += 1
                out[i] = j
                i += stride
        ks = _KERNELS["multinomial"] = (cdf_rows, sample)
    return ks


@register("Multinomial", dtypes=_F, host_memory=("num_samples",),
          check=lambda op: op.get_attr("output_dtype").np_dtype in (np.int32, np.int64))
def multinomial(logits, num_samples, *, seed, seed2, output_dtype, ctx, op):
    x = _dev.contiguous(_dev.dev(logits))
    n = int(np.asarray(_dev.to_host(num_samples)))
    shape = tuple(x.shape)
    if len(shape) != 2:
        raise errors.InvalidArgumentError(None, None, "logits should be a matrix, got shape "
                                                      f"{list(shape)}")
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"num_samples should be nonnegative, "
                                                      f"got {n}")
    b, k = shape
    if k == 0 and b and n:
        raise errors.InvalidArgumentError(None, None, "num_classes should be positive, got 0")
    out = _dev.empty((b, n), output_dtype.np_dtype)
    if b and n:
        cdf_rows, sample = _multinomial_kernels()
        cdf = _dev.empty((b * k,), np.float64)
        total = _dev.empty((b,), np.float64)
        cdf_rows[_dev.blocks_for(b), _dev.TPB](_dev.flat(x), cdf, total, k)
        st = _states(ctx, op, seed, seed2)
        sample[_THREADS // _dev.TPB, _dev.TPB](st, cdf, total, _dev.flat(out), k, n)
    return out


# --- stateless ops: TF's Philox-4x32-10 (kernels/philox.py) on the device ---------------------
# One thread per output group, as TF's GPU kernels: group g reads Philox(counter + g, key)
# (the truncated normal: from counter + 256 * g for 4 floats, 128 * g for 2 doubles). The
# key and counter stay in device memory (TF keeps only shape, alg and the int bounds on the
# host). The words are TF's bits on both devices; the normals go through the device's
# log/sin/cos, which may round the last bit differently from the CPU's libm (TF's GPU and
# CPU kernels differ in the same way).

_STATELESS = {}


def _stateless_kernels():
    if _STATELESS:
        return _STATELESS
    from .. import philox as toolkit
    K = toolkit.make(cuda.jit(device=True))
    philox, skip = K.philox, K.skip
    u32f, u64d = K.uint32_to_float, K.uint64_to_double
    bmf, bmd = K.box_muller_float, K.box_muller_double

    @cuda.jit(device=True)
    def start(key, counter):
        m = np.uint64(0xFFFFFFFF)
        k, c0, c1 = key[0], counter[0], counter[1]
        return k & m, k >> np.uint64(32), c0 & m, c0 >> np.uint64(32), c1 & m, \
            c1 >> np.uint64(32)

    @cuda.jit
    def uniform(key, counter, out, kind):
        g = cuda.grid(1)
        n = out.shape[0]
        per = 2 if kind == 1 else 4
        if g * per < n:
            k0, k1, c0, c1, c2, c3 = start(key, counter)
            d0, d1, d2, d3 = skip(c0, c1, c2, c3, np.uint64(g))
            w0, w1, w2, w3 = philox(d0, d1, d2, d3, k0, k1)
            if kind == 1:
                out[g * 2] = u64d(w0, w1)
                if g * 2 + 1 < n:
                    out[g * 2 + 1] = u64d(w2, w3)
            else:
                for j in range(4):
                    w = w0 if j == 0 else w1 if j == 1 else w2 if j == 2 else w3
                    if g * 4 + j < n:
                        if kind == 0:
                            out[g * 4 + j] = u32f(w)
                        else:
                            out[g * 4 + j] = np.float64(w & np.uint64(0x3FF)) * (1.0 / 1024.0)

    @cuda.jit
    def normal(key, counter, out, f64):
        g = cuda.grid(1)
        n = out.shape[0]
        per = 2 if f64 else 4
        if g * per < n:
            k0, k1, c0, c1, c2, c3 = start(key, counter)
            d0, d1, d2, d3 = skip(c0, c1, c2, c3, np.uint64(g))
            w0, w1, w2, w3 = philox(d0, d1, d2, d3, k0, k1)
            if f64:
                a, b = bmd(w0, w1, w2, w3)
                out[g * 2] = a
                if g * 2 + 1 < n:
                    out[g * 2 + 1] = b
            else:
                a, b = bmf(w0, w1)
                e, f = bmf(w2, w3)
                for j in range(4):
                    v = a if j == 0 else b if j == 1 else e if j == 2 else f
                    if g * 4 + j < n:
                        out[g * 4 + j] = v

    @cuda.jit
    def truncated(key, counter, out, f64):
        g = cuda.grid(1)
        n = out.shape[0]
        per = 2 if f64 else 4
        if g * per < n:
            k0, k1, c0, c1, c2, c3 = start(key, counter)
            reserve = np.uint64(128) if f64 else np.uint64(256)
            d0, d1, d2, d3 = skip(c0, c1, c2, c3, np.uint64(g) * reserve)
            w0, w1, w2, w3 = philox(d0, d1, d2, d3, k0, k1)
            d0, d1, d2, d3 = skip(d0, d1, d2, d3, np.uint64(1))
            used = 0
            got = 0
            while got < per:
                # the next 2 (float) or 4 (double) words of the reserved stream
                x0 = x1 = x2 = x3 = np.uint64(0)
                need = 4 if f64 else 2
                for t in range(need):
                    if used == 4:
                        w0, w1, w2, w3 = philox(d0, d1, d2, d3, k0, k1)
                        d0, d1, d2, d3 = skip(d0, d1, d2, d3, np.uint64(1))
                        used = 0
                    w = w0 if used == 0 else w1 if used == 1 else w2 if used == 2 else w3
                    used += 1
                    if t == 0:
                        x0 = w
                    elif t == 1:
                        x1 = w
                    elif t == 2:
                        x2 = w
                    else:
                        x3 = w
                if f64:
                    a, b = bmd(x0, x1, x2, x3)
                else:
                    fa, fb = bmf(x0, x1)
                    a, b = np.float64(fa), np.float64(fb)
                for v in (a, b):
                    if got < per and abs(v) < 2.0:
                        if g * per + got < n:
                            out[g * per + got] = v
                        got += 1

    @cuda.jit
    def ints(key, counter, out, lo, span, wide, full):
        g = cuda.grid(1)
        n = out.shape[0]
        per = 2 if wide else 4
        if g * per < n:
            k0, k1, c0, c1, c2, c3 = start(key, counter)
            d0, d1, d2, d3 = skip(c0, c1, c2, c3, np.uint64(g))
            w0, w1, w2, w3 = philox(d0, d1, d2, d3, k0, k1)
            for j in range(per):
                if wide:
                    bits = (w0 | (w1 << np.uint64(32))) if j == 0 else \
                        (w2 | (w3 << np.uint64(32)))
                else:
                    bits = w0 if j == 0 else w1 if j == 1 else w2 if j == 2 else w3
                if g * per + j < n:
                    v = bits if full else lo + bits % span
                    out[g * per + j] = v if wide else v & np.uint64(0xFFFFFFFF)
    _STATELESS.update(uniform=uniform, normal=normal, truncated=truncated, ints=ints)
    return _STATELESS


_dev.register_host("StatelessRandomGetKeyCounter")


def _key_counter(key, counter, alg):
    """TF's checks on (key, counter, alg) from their shapes and the host alg; the arrays
    themselves stay on the device."""
    a = int(np.asarray(_dev.to_host(alg)))
    if a not in (1, 3):
        if a == 2:
            raise NotImplementedError("tfteach's stateless kernels implement Philox, not "
                                      "ThreeFry (alg 2)")
        raise errors.InvalidArgumentError(None, None, f"Unsupported algorithm id: {a}")
    k, c = _dev.flat(_dev.dev(key)), _dev.flat(_dev.dev(counter))
    if k.shape[0] != 1:
        raise errors.InvalidArgumentError(None, None, "key must have shape [1], not "
                                          f"[{k.shape[0]}]. (Note that batched keys are not "
                                          "supported yet.)")
    if c.shape[0] < 2:
        raise errors.InvalidArgumentError(None, None, "The size of the counter must be at "
                                          f"least 2, not {c.shape[0]}")
    return k, c


def _groups(n, per):
    g = (n + per - 1) // per
    return _dev.blocks_for(g), _dev.TPB


_SF = ("float16", "float32", "float64")


def _stateless_float(kind):
    def kernel(shape, key, counter, alg, *, dtype):
        dims = _shape(shape)
        np_dt = np.dtype(dtype.np_dtype)
        k, c = _key_counter(key, counter, alg)
        n = _dev.size_of(dims)
        out = _dev.empty((n,), np_dt)     # float32 values are stored exactly; float16
        if n:                               # ones round to nearest even, as TF's casts
            f64 = np_dt == np.float64
            ks = _stateless_kernels()
            if kind == "uniform":
                mode = 1 if f64 else 2 if np_dt == np.float16 else 0
                ks["uniform"][_groups(n, 2 if f64 else 4)](k, c, out, mode)
            else:
                ks[kind][_groups(n, 2 if f64 else 4)](k, c, out, f64)
        return out.reshape(dims)
    return kernel


for _t, _kind in (("StatelessRandomUniformV2", "uniform"), ("StatelessRandomNormalV2", "normal"),
                  ("StatelessTruncatedNormalV2", "truncated")):
    _fn = _stateless_float(_kind)
    _fn.__name__ = _fn.__qualname__ = _t.lower() + "_gpu"
    register(_t, host_memory=("shape", "alg"),
             check=lambda op: op.get_attr("dtype").name in _SF)(_fn)


def _int_out(dims, np_dt, k, c, lo, span, full):
    n = _dev.size_of(dims)
    wide = np_dt.itemsize == 8
    # the words are written as unsigned integers of the output's width and read back as
    # its dtype: TF's modular arithmetic, no conversion of values
    out = _dev.empty((n,), np.uint64 if wide else np.uint32)
    if n:
        _stateless_kernels()["ints"][_groups(n, 2 if wide else 4)](
            k, c, out, np.uint64(lo), np.uint64(span), wide, full)
    return out.view(np_dt).reshape(dims)


@register("StatelessRandomUniformIntV2", host_memory=("shape", "alg", "minval", "maxval"),
          check=lambda op: op.get_attr("dtype").name in ("int32", "int64"))
def stateless_random_uniform_int_v2(shape, key, counter, alg, minval, maxval):
    dims = _shape(shape)
    lo, hi = np.asarray(_dev.to_host(minval)), np.asarray(_dev.to_host(maxval))
    if lo.ndim:
        raise errors.InvalidArgumentError(None, None, "minval must be 0-D, got shape "
                                          f"{list(lo.shape)}")
    if hi.ndim:
        raise errors.InvalidArgumentError(None, None, "maxval must be 0-D, got shape "
                                          f"{list(hi.shape)}")
    k, c = _key_counter(key, counter, alg)
    if _dev.size_of(dims) and not lo < hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {lo} >= {hi}")
    mask = (1 << (64 if lo.dtype.itemsize == 8 else 32)) - 1
    return _int_out(dims, lo.dtype, k, c, int(lo) & 0xFFFFFFFFFFFFFFFF,
                    (int(hi) - int(lo)) & mask, False)


@register("StatelessRandomUniformFullIntV2", host_memory=("shape", "alg"),
          check=lambda op: op.get_attr("dtype").name in ("int32", "int64", "uint32", "uint64"))
def stateless_random_uniform_full_int_v2(shape, key, counter, alg, *, dtype):
    dims = _shape(shape)
    k, c = _key_counter(key, counter, alg)
    return _int_out(dims, np.dtype(dtype.np_dtype), k, c, 0, 1, True)


# RngReadAndSkip: TF's GPU kernel keeps the resource, alg and delta in host memory and hands
# the old state to the device; the update itself is host bookkeeping on three words.
_dev.register_via_cpu("RngReadAndSkip", host_memory=("resource", "alg", "delta"))

# StatelessMultinomial: TF's CPU stream runs sequentially through the rows, so the GPU kernel
# runs that code on the host (TF keeps num_samples and seed in host memory) and puts the
# indices in device memory; TF's own GPU kernel samples differently.
_dev.register_via_cpu("StatelessMultinomial", host_memory=("num_samples", "seed"))
