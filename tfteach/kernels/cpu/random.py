"""CPU kernels of the random ops: numba loops drawing from a NumPy Philox generator.

Generator state: one `np.random.Generator(Philox)` per op in `ctx.state.random` (the
session's state), keyed by the op's name and seeds and created on the op's first run from
(seed, seed2), or from fresh entropy when both are 0. numba accepts NumPy Generators in
nopython code and advances their state in place, so successive runs continue the sequence.

Floats: uniform float32 values are k * 2**-24 for a uniform integer k in [0, 2**24) (so 1.0
can never appear, as in TF), float64 ones k * 2**-53. Normals are NumPy's ziggurat;
TruncatedNormal redraws values beyond 2 standard deviations, as TF's kernel does.
"""
import numpy as np
from numba import njit

from ... import errors
from ...framework.registry import register_kernel


def _generator(ctx, op, seed, seed2):
    state = getattr(getattr(ctx, "state", None), "random", None)
    if state is None:
        state = _FALLBACK
    key = (getattr(op, "name", None), getattr(op, "type", None), seed, seed2)
    g = state.get(key)
    if g is None:
        if seed == 0 and seed2 == 0:
            bitgen = np.random.Philox()
        else:
            bitgen = np.random.Philox(key=[int(seed) & 0xFFFFFFFFFFFFFFFF,
                                           int(seed2) & 0xFFFFFFFFFFFFFFFF])
        g = state[key] = np.random.Generator(bitgen)
    return g


_FALLBACK = {}


def _shape(shape):
    dims = [int(d) for d in np.reshape(np.asarray(shape), -1)]
    for d in dims:
        if d < 0:
            raise errors.InvalidArgumentError(None, None, f"Dimension {d} must be >= 0")
    return dims


@njit(cache=True)
def _uniform24(g, out):
    for i in range(out.size):
        out[i] = g.integers(0, 16777216) * (1.0 / 16777216.0)


@njit(cache=True)
def _uniform53(g, out):
    for i in range(out.size):
        out[i] = g.integers(0, 9007199254740992) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _normal(g, out):
    for i in range(out.size):
        out[i] = g.standard_normal()


@njit(cache=True)
def _truncated(g, out):
    for i in range(out.size):
        v = g.standard_normal()
        while v < -2.0 or v > 2.0:
            v = g.standard_normal()
        out[i] = v


@njit(cache=True)
def _uniform_int(g, lo, hi, out):
    for i in range(out.size):
        out[i] = g.integers(lo, hi)


@njit(cache=True)
def _shuffle_order(g, n, order):
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        j = g.integers(0, i + 1)
        t = order[i]
        order[i] = order[j]
        order[j] = t


def _float_out(dims, dtype):
    np_dt = dtype.np_dtype
    work = np.empty(int(np.prod(dims, dtype=np.int64)),
                    np.float64 if np_dt == np.float64 else np.float32)
    return work, np_dt


@register_kernel("RandomUniform")
def random_uniform(shape, *, dtype, seed, seed2, ctx, op):
    dims = _shape(shape)
    work, np_dt = _float_out(dims, dtype)
    g = _generator(ctx, op, seed, seed2)
    (_uniform53 if work.dtype == np.float64 else _uniform24)(g, work)
    if np_dt == np.float16:     # keep 11 bits so that rounding to half never gives 1.0
        work = np.floor(work * 2048) * np.float32(1 / 2048)
    return work.astype(np_dt, copy=False).reshape(dims)


@register_kernel("RandomStandardNormal")
def random_standard_normal(shape, *, dtype, seed, seed2, ctx, op):
    dims = _shape(shape)
    work, np_dt = _float_out(dims, dtype)
    _normal(_generator(ctx, op, seed, seed2), work)
    return work.astype(np_dt, copy=False).reshape(dims)


@register_kernel("TruncatedNormal")
def truncated_normal(shape, *, dtype, seed, seed2, ctx, op):
    dims = _shape(shape)
    work, np_dt = _float_out(dims, dtype)
    _truncated(_generator(ctx, op, seed, seed2), work)
    return work.astype(np_dt, copy=False).reshape(dims)


@register_kernel("RandomUniformInt")
def random_uniform_int(shape, minval, maxval, *, seed, seed2, ctx, op):
    dims = _shape(shape)
    lo, hi = np.asarray(minval), np.asarray(maxval)
    if lo.ndim or hi.ndim:
        raise errors.InvalidArgumentError(None, None, "minval must be 0-D, got shape "
                                          f"{list(lo.shape)}" if lo.ndim else
                                          f"maxval must be 0-D, got shape {list(hi.shape)}")
    if not lo < hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi}")
    out = np.empty(int(np.prod(dims, dtype=np.int64)), np.int64)
    _uniform_int(_generator(ctx, op, seed, seed2), int(lo), int(hi), out)
    return out.astype(lo.dtype).reshape(dims)


@register_kernel("RandomShuffle")
def random_shuffle(value, *, seed, seed2, ctx, op):
    x = np.asarray(value)
    if x.ndim == 0 or x.shape[0] <= 1:
        return x
    order = np.empty(x.shape[0], np.int64)
    _shuffle_order(_generator(ctx, op, seed, seed2), x.shape[0], order)
    return x[order]


@njit(cache=True)
def _multinomial(g, logits, out):
    b, k = logits.shape
    cdf = np.empty(k)
    for r in range(b):
        m = -np.inf
        for j in range(k):
            if logits[r, j] > m:
                m = logits[r, j]
        total = 0.0
        for j in range(k):
            v = logits[r, j]
            total += np.exp(v - m) if v == v and v > -np.inf else 0.0
            cdf[j] = total
        for s in range(out.shape[1]):
            u = g.random() * total
            j = 0
            while j < k - 1 and cdf[j] <= u:
                j += 1
            out[r, s] = j


@register_kernel("Multinomial")
def multinomial(logits, num_samples, *, seed, seed2, output_dtype, ctx, op):
    x = np.asarray(logits, dtype=np.float64)
    n = int(num_samples)
    if x.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "logits should be a matrix, got shape "
                                          f"{list(x.shape)}")
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"num_samples should be nonnegative, got "
                                          f"{n}")
    if x.shape[1] == 0 and x.shape[0] and n:
        raise errors.InvalidArgumentError(None, None, "num_classes should be positive, got 0")
    out = np.empty((x.shape[0], n), np.int64)
    if out.size:
        _multinomial(_generator(ctx, op, seed, seed2), np.ascontiguousarray(x), out)
    return out.astype(output_dtype.np_dtype)
