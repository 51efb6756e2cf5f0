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


# --- stateless ops: TF's Philox-4x32-10 bits (kernels/philox.py), one call per output group --

_P = {}


def _philox():
    """The Philox toolkit compiled for the CPU on first use, with the fill loops."""
    if _P:
        return _P
    from .. import philox as toolkit
    K = toolkit.make(njit)
    philox, skip = K.philox, K.skip
    u32f, u64d = K.uint32_to_float, K.uint64_to_double
    bmf, bmd = K.box_muller_float, K.box_muller_double

    @njit
    def words(k0, k1, c0, c1, c2, c3, g):
        d0, d1, d2, d3 = skip(c0, c1, c2, c3, np.uint64(g))
        return philox(d0, d1, d2, d3, k0, k1)

    @njit
    def uniform(k0, k1, c0, c1, c2, c3, out, kind):
        # kind 0: float32 (23 bits a word), 1: float64 (52 bits from two words),
        # 2: float16 (10 bits a word; TF's Uint16ToHalf)
        n = out.size
        per = 2 if kind == 1 else 4
        for g in range((n + per - 1) // per):
            w = words(k0, k1, c0, c1, c2, c3, g)
            for j in range(per):
                i = g * per + j
                if i < n:
                    if kind == 0:
                        out[i] = u32f(w[j])
                    elif kind == 1:
                        out[i] = u64d(w[2 * j], w[2 * j + 1])
                    else:
                        out[i] = np.float64(w[j] & np.uint64(0x3FF)) * (1.0 / 1024.0)

    @njit
    def normal(k0, k1, c0, c1, c2, c3, out, f64):
        n = out.size
        per = 2 if f64 else 4
        for g in range((n + per - 1) // per):
            w = words(k0, k1, c0, c1, c2, c3, g)
            if f64:
                a, b = bmd(w[0], w[1], w[2], w[3])
                vals = (a, b, 0.0, 0.0)
            else:
                a, b = bmf(w[0], w[1])
                e, f = bmf(w[2], w[3])
                vals = (np.float64(a), np.float64(b), np.float64(e), np.float64(f))
            for j in range(per):
                i = g * per + j
                if i < n:
                    out[i] = vals[j]

    @njit
    def truncated(k0, k1, c0, c1, c2, c3, out, f64):
        # TF reserves 256 Philox calls per output group (4 floats or 2 doubles) and reads
        # their words one at a time, keeping the Box-Muller values strictly within 2.
        n = out.size
        per = 2 if f64 else 4
        reserve = 256 * per // 4
        for g in range((n + per - 1) // per):
            d0, d1, d2, d3 = skip(c0, c1, c2, c3, np.uint64(g) * np.uint64(reserve))
            buf = np.zeros(4, np.uint64)
            used = 4
            got = 0
            while got < per:
                need = 4 if f64 else 2
                x = np.zeros(4, np.uint64)
                for t in range(need):
                    if used == 4:
                        w0, w1, w2, w3 = philox(d0, d1, d2, d3, k0, k1)
                        buf[0], buf[1], buf[2], buf[3] = w0, w1, w2, w3
                        d0, d1, d2, d3 = skip(d0, d1, d2, d3, np.uint64(1))
                        used = 0
                    x[t] = buf[used]
                    used += 1
                if f64:
                    a, b = bmd(x[0], x[1], x[2], x[3])
                else:
                    fa, fb = bmf(x[0], x[1])
                    a, b = np.float64(fa), np.float64(fb)
                for v in (a, b):
                    if got < per and abs(v) < 2.0:
                        i = g * per + got
                        if i < n:
                            out[i] = v
                        got += 1

    @njit
    def uniform_int(k0, k1, c0, c1, c2, c3, out, lo, span, wide):
        # TF: lo + word % span (int32/uint32), lo + (w0 | w1 << 32) % span (64-bit);
        # everything modulo 2**64 so that the sum wraps as TF's unsigned arithmetic does
        n = out.size
        per = 2 if wide else 4
        for g in range((n + per - 1) // per):
            w = words(k0, k1, c0, c1, c2, c3, g)
            for j in range(per):
                i = g * per + j
                if i < n:
                    if wide:
                        bits = w[2 * j] | (w[2 * j + 1] << np.uint64(32))
                    else:
                        bits = w[j]
                    out[i] = lo + bits % span

    @njit
    def full_int(k0, k1, c0, c1, c2, c3, out, wide):
        n = out.size
        per = 2 if wide else 4
        for g in range((n + per - 1) // per):
            w = words(k0, k1, c0, c1, c2, c3, g)
            for j in range(per):
                i = g * per + j
                if i < n:
                    out[i] = (w[2 * j] | (w[2 * j + 1] << np.uint64(32))) if wide else w[j]

    _P.update(K=K, uniform=uniform, normal=normal, truncated=truncated,
              uniform_int=uniform_int, full_int=full_int)
    return _P


def key_counter_from_seed(seed):
    """TF's StatelessRandomGetKeyCounter: ([key], [counter0, counter1]) as uint64."""
    s = np.asarray(seed)
    if s.shape != (2,):
        raise errors.InvalidArgumentError(None, None, "seed must have shape [2], not "
                                          f"[{', '.join(str(d) for d in s.shape)}]")
    s0, s1 = (np.uint64(int(v) & 0xFFFFFFFFFFFFFFFF) for v in s)
    m = [int(v) for v in _philox()["K"].seed_to_key_counter(s0, s1)]
    key = np.array([m[0] | m[1] << 32], np.uint64)
    counter = np.array([m[2] | m[3] << 32, m[4] | m[5] << 32], np.uint64)
    return key, counter


def unpack_key_counter(key, counter, alg):
    """The six 32-bit words (k0, k1, c0..c3) the fill loops take, after TF's checks."""
    key, counter = np.asarray(key).reshape(-1), np.asarray(counter).reshape(-1)
    a = int(np.asarray(alg))
    if a not in (1, 3):
        if a == 2:
            raise NotImplementedError("tfteach's stateless kernels implement Philox, not "
                                      "ThreeFry (alg 2)")
        raise errors.InvalidArgumentError(None, None, f"Unsupported algorithm id: {a}")
    if key.size != 1:
        raise errors.InvalidArgumentError(None, None, "key must have shape [1], not "
                                          f"[{key.size}]. (Note that batched keys are not "
                                          "supported yet.)")
    if counter.size < 2:
        raise errors.InvalidArgumentError(None, None, "The size of the counter must be at "
                                          f"least 2, not {counter.size}")
    M = 0xFFFFFFFF
    k, c0, c1 = int(key[0]), int(counter[0]), int(counter[1])
    return tuple(np.uint64(v) for v in (k & M, k >> 32, c0 & M, c0 >> 32, c1 & M, c1 >> 32))


def philox_words(key, counter, n):
    """The first n 32-bit words (as uint32) of the Philox stream of a stateless (key,
    counter): TF's order, word j of call g at 4 * g + j, for kernels that draw word by word
    (StatelessSampleDistortedBoundingBox)."""
    out = np.empty(n, np.uint64)
    _philox()["full_int"](*unpack_key_counter(key, counter, np.int32(1)), out, False)
    return out.astype(np.uint32)


@register_kernel("StatelessRandomGetKeyCounter")
def stateless_random_get_key_counter(seed):
    return key_counter_from_seed(seed)


def _stateless_out(shape, dtype):
    dims = _shape(shape)
    np_dt = dtype.np_dtype
    if dtype.name == "bfloat16":
        raise NotImplementedError("tfteach's stateless random kernels do not draw bfloat16 "
                                  "yet (float16, float32 and float64 are TF's bits)")
    return dims, np_dt, np.empty(int(np.prod(dims, dtype=np.int64)), np.float64)


@register_kernel("StatelessRandomUniformV2")
def stateless_random_uniform_v2(shape, key, counter, alg, *, dtype):
    dims, np_dt, work = _stateless_out(shape, dtype)
    w = unpack_key_counter(key, counter, alg)
    kind = 1 if np_dt == np.float64 else 2 if np_dt == np.float16 else 0
    _philox()["uniform"](*w, work, kind)
    return work.astype(np_dt).reshape(dims)


@register_kernel("StatelessRandomNormalV2")
def stateless_random_normal_v2(shape, key, counter, alg, *, dtype):
    dims, np_dt, work = _stateless_out(shape, dtype)
    _philox()["normal"](*unpack_key_counter(key, counter, alg), work, np_dt == np.float64)
    return work.astype(np_dt).reshape(dims)


@register_kernel("StatelessTruncatedNormalV2")
def stateless_truncated_normal_v2(shape, key, counter, alg, *, dtype):
    dims, np_dt, work = _stateless_out(shape, dtype)
    _philox()["truncated"](*unpack_key_counter(key, counter, alg), work, np_dt == np.float64)
    return work.astype(np_dt).reshape(dims)


@register_kernel("StatelessRandomUniformIntV2")
def stateless_random_uniform_int_v2(shape, key, counter, alg, minval, maxval):
    dims = _shape(shape)
    lo, hi = np.asarray(minval), np.asarray(maxval)
    if lo.ndim:
        raise errors.InvalidArgumentError(None, None, "minval must be 0-D, got shape "
                                          f"{list(lo.shape)}")
    if hi.ndim:
        raise errors.InvalidArgumentError(None, None, "maxval must be 0-D, got shape "
                                          f"{list(hi.shape)}")
    n = int(np.prod(dims, dtype=np.int64))
    if n and not lo < hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {lo} >= {hi}")
    wide = lo.dtype.itemsize == 8
    mask = (1 << (64 if wide else 32)) - 1
    span = (int(hi) - int(lo)) & mask
    out = np.empty(n, np.uint64)
    _philox()["uniform_int"](*unpack_key_counter(key, counter, alg), out,
                             np.uint64(int(lo) & 0xFFFFFFFFFFFFFFFF), np.uint64(span), wide)
    if not wide:
        out &= np.uint64(0xFFFFFFFF)
        return out.astype(np.uint32).view(np.dtype(lo.dtype)).reshape(dims)
    return out.view(np.dtype(lo.dtype)).reshape(dims)


@register_kernel("StatelessRandomUniformFullIntV2")
def stateless_random_uniform_full_int_v2(shape, key, counter, alg, *, dtype):
    dims = _shape(shape)
    np_dt = np.dtype(dtype.np_dtype)
    out = np.empty(int(np.prod(dims, dtype=np.int64)), np.uint64)
    _philox()["full_int"](*unpack_key_counter(key, counter, alg), out, np_dt.itemsize == 8)
    if np_dt.itemsize == 4:
        return out.astype(np.uint32).view(np_dt).reshape(dims)
    return out.view(np_dt).reshape(dims)


# --- RngReadAndSkip: tf.random.Generator's state, read and advanced ---------------------------

def skip_state(state, delta):
    """A Philox state [counter_lo, counter_hi, key] (int64 words) with its 128-bit counter
    advanced by 256 * delta (TF reserves 256 words per output: a Generator draw of n values
    advances by n, whichever distribution it samples)."""
    words = [int(v) & 0xFFFFFFFFFFFFFFFF for v in np.asarray(state).reshape(-1)]
    counter = (words[0] | words[1] << 64) + 256 * int(delta)
    counter &= (1 << 128) - 1
    new = [counter & 0xFFFFFFFFFFFFFFFF, counter >> 64] + words[2:]
    return np.array(new, np.uint64).view(np.int64)


def rng_read_and_skip(handle, alg, delta, *, ctx):
    if isinstance(handle, np.ndarray):      # an eager handle: the storage in a 0-d array
        handle = handle[()]
    state = handle.value
    if state is None:
        raise errors.FailedPreconditionError(None, None,
                                             f"Could not find variable {handle.name}.")
    state = np.asarray(state)
    a = int(np.asarray(alg))
    if a != 1:
        if a == 2:
            raise NotImplementedError("tfteach's Generator implements Philox, not ThreeFry")
        raise errors.InvalidArgumentError(None, None, f"Unsupported algorithm id: {a}")
    if state.dtype != np.int64 or state.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "RNG state must have one and only one "
                                          "dimension, not " + str(state.ndim))
    if state.shape[0] < 3:
        raise errors.InvalidArgumentError(None, None, "The size of the state must be at "
                                          f"least 3; got {state.shape[0]}")
    ctx.write(handle, skip_state(state, int(np.asarray(delta))))
    return state[:3].copy()


from ._build import atomic  # noqa: E402 - writes under the variable lock, like AssignAdd

register_kernel("RngReadAndSkip")(atomic(rng_read_and_skip))


# --- StatelessMultinomial: TF's CPU order, one Philox stream through the rows -----------------

_MN = {}


def _multinomial_stream():
    if _MN:
        return _MN["fill"]
    K = _philox()["K"]
    philox, skip, u64d = K.philox, K.skip, K.uint64_to_double

    @njit
    def fill(k0, k1, c0, c1, c2, c3, logits, out):
        # TF's kernel: each row's cdf of exp(logit - max finite logit) over its finite
        # logits, in double; each draw takes two words (a double in [0, 1)) from a stream
        # that runs on through the rows, and is the first class whose cdf exceeds it.
        b, k = logits.shape
        cdf = np.empty(k)
        buf = np.zeros(4, np.uint64)
        used = 4
        for r in range(b):
            m = -np.inf
            for j in range(k):
                v = logits[r, j]
                if np.isfinite(v) and v > m:
                    m = v
            total = 0.0
            for j in range(k):
                v = logits[r, j]
                if np.isfinite(v):
                    total += np.exp(np.float64(v) - np.float64(m))
                cdf[j] = total
            for s in range(out.shape[1]):
                x = np.zeros(2, np.uint64)
                for t in range(2):
                    if used == 4:
                        w0, w1, w2, w3 = philox(c0, c1, c2, c3, k0, k1)
                        buf[0], buf[1], buf[2], buf[3] = w0, w1, w2, w3
                        c0, c1, c2, c3 = skip(c0, c1, c2, c3, np.uint64(1))
                        used = 0
                    x[t] = buf[used]
                    used += 1
                to_find = u64d(x[0], x[1]) * total
                j = 0
                while j < k and cdf[j] <= to_find:
                    j += 1
                out[r, s] = j
    _MN["fill"] = fill
    return fill


@register_kernel("StatelessMultinomial")
def stateless_multinomial(logits, num_samples, seed, *, output_dtype):
    x = np.asarray(logits)
    n = int(np.asarray(num_samples))
    if x.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "logits should be a matrix, got shape "
                                          f"{list(x.shape)}")
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"num_samples should be nonnegative, got "
                                          f"{n}")
    if x.shape[1] == 0 and x.shape[0] and n:
        raise errors.InvalidArgumentError(None, None, "num_classes should be positive, got 0")
    key, counter = key_counter_from_seed(seed)
    words = unpack_key_counter(key, counter, np.int32(1))
    out = np.empty((x.shape[0], n), np.int64)
    if out.size:
        work = x if x.dtype in (np.float32, np.float64) else x.astype(np.float32)
        _multinomial_stream()(*words, np.ascontiguousarray(work), out)
    return out.astype(output_dtype.np_dtype)
