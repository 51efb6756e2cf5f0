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


# --- stateless: TF's Philox4x32-10, counter-based ------------------------------------------------
# One Philox block turns a 128-bit counter and a 64-bit key into four 32-bit words; block i
# of a stream uses counter + i. Ten rounds, each multiplying two words by fixed constants
# (the high and low halves of the products are mixed with the other words and the key),
# the key bumped by the Weyl constants between rounds. Vectorised over the blocks.

PHILOX_M = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
PHILOX_W = (0x9E3779B9, 0xBB67AE85)
_LO = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)


def philox_blocks(counter, key, n):
    """[n, 4] uint32: the blocks of counters counter, counter + 1, ... (counter four
    32-bit words, low first; key two)."""
    c = [np.full(n, int(v), np.uint64) for v in counter]
    # the 128-bit counter plus the block index, carried word to word
    add = np.arange(n, dtype=np.uint64)
    for w in range(4):
        s = c[w] + add
        add = s >> _32
        c[w] = s & _LO
    k0, k1 = int(key[0]), int(key[1])
    for r in range(10):
        p0 = PHILOX_M[0] * c[0]
        p1 = PHILOX_M[1] * c[2]
        c = [(p1 >> _32) ^ c[1] ^ np.uint64(k0), p1 & _LO,
             (p0 >> _32) ^ c[3] ^ np.uint64(k1), p0 & _LO]
        k0, k1 = (k0 + PHILOX_W[0]) & 0xFFFFFFFF, (k1 + PHILOX_W[1]) & 0xFFFFFFFF
    return np.stack(c, axis=1).astype(np.uint32)


def philox_words(key, counter, n):
    """The first n 32-bit words of the stream of (key, counter) in TF's layout: key a
    uint64 [1] (low word the first key word), counter a uint64 [2]."""
    k = int(np.asarray(key).reshape(-1)[0])
    c0, c1 = (int(v) for v in np.asarray(counter).reshape(-1)[:2])
    ctr = (c0 & 0xFFFFFFFF, c0 >> 32, c1 & 0xFFFFFFFF, c1 >> 32)
    return philox_blocks(ctr, (k & 0xFFFFFFFF, k >> 32), (n + 3) // 4).reshape(-1)[:n]


def words_to_uniform(words, dtype):
    """TF's conversions: mantissa bits under the exponent of 1.0, minus 1 (float64 takes
    two words per number, the first giving the high mantissa bits)."""
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return ((words & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) \
            - np.float32(1)
    if dtype == np.float16:
        h = ((words & np.uint32(0x3FF)) | np.uint32(0x3C00)).astype(np.uint16)
        return h.view(np.float16) - np.float16(1)
    pairs = words.reshape(-1, 2).astype(np.uint64)
    man = ((pairs[:, 0] & np.uint64(0xFFFFF)) << _32) | pairs[:, 1]
    return (man | (np.uint64(1023) << np.uint64(52))).view(np.float64) - 1.0


def words_per_number(dtype):
    return 2 if np.dtype(dtype).itemsize == 8 else 1


def _check_alg(alg):
    a = int(np.asarray(alg))
    if a != 1:
        raise errors.InvalidArgumentError(None, None, f"Unsupported algorithm id: {a} "
                                                      f"(tfteach implements Philox, id 1)")


@register_kernel("StatelessRandomGetKeyCounter")
def stateless_random_get_key_counter(seed):
    s = np.asarray(seed)
    if s.shape != (2,):
        raise errors.InvalidArgumentError(None, None, f"seed must have shape [2], not "
                                                      f"{list(s.shape)}")
    s0, s1 = (int(v) & 0xFFFFFFFFFFFFFFFF for v in s)
    mix = philox_blocks((s0 & 0xFFFFFFFF, s0 >> 32, s1 & 0xFFFFFFFF, s1 >> 32),
                        (0x3EC8F720, 0x02461E29), 1)[0].astype(np.uint64)
    key = np.array([int(mix[0]) | int(mix[1]) << 32], np.uint64)
    counter = np.array([0, int(mix[2]) | int(mix[3]) << 32], np.uint64)
    return key, counter


@register_kernel("StatelessRandomUniformV2")
def stateless_random_uniform_v2(shape, key, counter, alg, *, dtype):
    _check_alg(alg)
    dims = _shape(shape)
    n = int(np.prod(dims, dtype=np.int64))
    nd = dtype.np_dtype if hasattr(dtype, "np_dtype") else np.dtype(dtype)
    words = philox_words(key, counter, n * words_per_number(nd))
    return words_to_uniform(words, nd).reshape(dims)


@register_kernel("StatelessRandomUniformIntV2")
def stateless_random_uniform_int_v2(shape, key, counter, alg, minval, maxval, *, dtype):
    _check_alg(alg)
    if np.asarray(minval).ndim or np.asarray(maxval).ndim:
        bad = np.asarray(minval) if np.asarray(minval).ndim else np.asarray(maxval)
        which = "minval" if np.asarray(minval).ndim else "maxval"
        raise errors.InvalidArgumentError(None, None, f"{which} must be 0-D, got shape "
                                                      f"{list(bad.shape)}")
    lo, hi = int(np.asarray(minval)), int(np.asarray(maxval))
    if lo >= hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi}")
    dims = _shape(shape)
    n = int(np.prod(dims, dtype=np.int64))
    nd = dtype.np_dtype if hasattr(dtype, "np_dtype") else np.dtype(dtype)
    per = words_per_number(nd)
    words = philox_words(key, counter, n * per).astype(np.uint64)
    if per == 2:       # the first word is the low half of the 64 random bits
        bits = words[0::2] | (words[1::2] << _32)
    else:
        bits = words
    rng = np.uint64(hi - lo)
    return (np.int64(lo) + (bits % rng).astype(np.int64)).astype(nd).reshape(dims)
