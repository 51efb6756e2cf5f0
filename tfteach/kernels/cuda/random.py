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
from ._dev import cuda, register, register_host

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


# --- stateless: TF's Philox4x32-10, a thread per 4-word block ------------------------------------
# The same generator as the CPU kernels (kernels/cpu/random.py), so a seed gives the same
# numbers on either device, and TF's. Block b of the stream uses counter + b; its four
# words make four 32-bit numbers or two 64-bit ones. Uniform floats are the words' low
# mantissa bits scaled by 2**-23 (float16: 2**-10, float64: 52 bits and 2**-52), which is
# exactly TF's "mantissa under the exponent of 1.0, minus 1".

register_host("StatelessRandomGetKeyCounter")


def _philox_kernels():
    ks = _KERNELS.get("philox")
    if ks is None:
        @cuda.jit(device=True)
        def block(b, c0, c1, c2, c3, k0, k1, words):
            lo = np.uint64(0xFFFFFFFF)
            s = c0 + b
            w0 = s & lo
            s = c1 + (s >> np.uint64(32))
            w1 = s & lo
            s = c2 + (s >> np.uint64(32))
            w2 = s & lo
            w3 = (c3 + (s >> np.uint64(32))) & lo
            for _ in range(10):
                p0 = np.uint64(0xD2511F53) * w0
                p1 = np.uint64(0xCD9E8D57) * w2
                n0 = (p1 >> np.uint64(32)) ^ w1 ^ k0
                n2 = (p0 >> np.uint64(32)) ^ w3 ^ k1
                w0, w1, w2, w3 = n0, p1 & lo, n2, p0 & lo
                k0 = (k0 + np.uint64(0x9E3779B9)) & lo
                k1 = (k1 + np.uint64(0xBB67AE85)) & lo
            words[0], words[1], words[2], words[3] = w0, w1, w2, w3

        def make(kind):
            @cuda.jit
            def fill(out, n, c0, c1, c2, c3, k0, k1, lo_v, span):
                b = cuda.grid(1)
                per = 2 if kind in ("f64", "i64") else 4
                if b * per < n:
                    words = cuda.local.array(4, np.uint64)
                    block(np.uint64(b), c0, c1, c2, c3, k0, k1, words)
                    for j in range(per):
                        i = b * per + j
                        if i < n:
                            if kind == "f32":
                                out[i] = np.float32(words[j] & np.uint64(0x7FFFFF)) * \
                                    np.float32(1.1920928955078125e-07)
                            elif kind == "f16":
                                out[i] = np.float32(words[j] & np.uint64(0x3FF)) * \
                                    np.float32(0.0009765625)
                            elif kind == "f64":
                                man = ((words[2 * j] & np.uint64(0xFFFFF)) << np.uint64(32)) \
                                    | words[2 * j + 1]
                                out[i] = np.float64(man) * 2.220446049250313e-16
                            elif kind == "i32":
                                out[i] = lo_v + np.int64(words[j] % span)
                            else:
                                bits = words[2 * j] | (words[2 * j + 1] << np.uint64(32))
                                out[i] = lo_v + np.int64(bits % span)
            return fill
        ks = _KERNELS["philox"] = {k: make(k) for k in ("f32", "f16", "f64", "i32", "i64")}
    return ks


def _philox_fill(kind, dims, dtype, key, counter, lo=0, span=1):
    k = int(np.asarray(_dev.to_host(key)).reshape(-1)[0])
    c0, c1 = (int(v) for v in np.asarray(_dev.to_host(counter)).reshape(-1)[:2])
    out = _dev.empty(dims, dtype)
    n = _dev.size_of(dims)
    if n:
        per = 2 if kind in ("f64", "i64") else 4
        blocks = (n + per - 1) // per
        u = np.uint64
        _philox_kernels()[kind][_dev.blocks_for(blocks), _dev.TPB](
            _dev.flat(out), n, u(c0 & 0xFFFFFFFF), u(c0 >> 32), u(c1 & 0xFFFFFFFF),
            u(c1 >> 32), u(k & 0xFFFFFFFF), u(k >> 32), np.int64(lo), u(span))
    return out


def _alg(alg):
    a = int(np.asarray(_dev.to_host(alg)))
    if a != 1:
        raise errors.InvalidArgumentError(None, None, f"Unsupported algorithm id: {a} "
                                                      f"(tfteach implements Philox, id 1)")


_STATELESS_FLOAT = {"float32": "f32", "float16": "f16", "float64": "f64"}


# float16 stays on the CPU: the kernels write float32 and float64 arrays only
def _out_dtype_in(*names):
    # the element type is the `dtype` attr (the first input is the shape)
    return lambda op: _dev.dtype_name(op.get_attr("dtype").np_dtype) in names


@register("StatelessRandomUniformV2", check=_out_dtype_in("float32", "float64"),
          host_memory=("shape", "alg"))
def stateless_random_uniform_v2(shape, key, counter, alg, *, dtype):
    _alg(alg)
    nd = dtype.np_dtype if hasattr(dtype, "np_dtype") else np.dtype(dtype)
    return _philox_fill(_STATELESS_FLOAT[np.dtype(nd).name], _shape(shape), nd, key, counter)


@register("StatelessRandomUniformIntV2", check=_out_dtype_in("int32", "int64"),
          host_memory=("shape", "alg", "minval", "maxval"))
def stateless_random_uniform_int_v2(shape, key, counter, alg, minval, maxval, *, dtype):
    _alg(alg)
    lo, hi = np.asarray(_dev.to_host(minval)), np.asarray(_dev.to_host(maxval))
    if lo.ndim or hi.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"minval must be 0-D, got shape {list(lo.shape)}" if lo.ndim
            else f"maxval must be 0-D, got shape {list(hi.shape)}")
    if not lo < hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi}")
    nd = dtype.np_dtype if hasattr(dtype, "np_dtype") else np.dtype(dtype)
    kind = "i64" if np.dtype(nd).itemsize == 8 else "i32"
    return _philox_fill(kind, _shape(shape), nd, key, counter, int(lo), int(hi) - int(lo))
