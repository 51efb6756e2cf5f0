"""The string hashes TF's kernels use, bit for bit: FarmHash's Fingerprint64 (farmhashna's
Hash64: StringToHashBucketFast, SparseCrossHashed, StaticVocabularyTable's OOV buckets),
SipHash-2-4 (StringToHashBucketStrong), TF's own seeded Hash64 (the legacy
StringToHashBucket) and FingerprintCat64 (how SparseCrossHashed combines features).

Strings come as one byte buffer and the offsets of each string in it (`pack`), so numba
hashes a whole tensor in one compiled loop. All arithmetic is on uint64 and wraps as C's:
every constant is a np.uint64, since numba would turn a mix of uint64 and int64 into floats.
"""
__toolkit__ = True   # shared machinery: registers no kernels

import numpy as np
from numba import njit

_U = np.uint64
K0 = _U(0xc3a5c85c97cb3127)
K1 = _U(0xb492b66fbe98f273)
K2 = _U(0x9ae16a3b2f90404f)
_MURMUR = _U(0xc6a4a7935bd1e995)


def pack(strings):
    """A flat sequence of bytes objects as (uint8 buffer, int64 offsets of n + 1)."""
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    offsets = np.zeros(len(strings) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    buf = np.frombuffer(b"".join(strings), dtype=np.uint8)
    if buf.size == 0:
        buf = np.zeros(1, np.uint8)     # numba wants a real array even when all are empty
    return buf, offsets


@njit(cache=True, inline="always")
def _rot(v, s):
    # farmhash's Rotate: a right rotation (s is never 0 here)
    return (v >> _U(s)) | (v << _U(64 - s))


@njit(cache=True, inline="always")
def _fetch64(b, i):
    v = _U(0)
    for k in range(8):
        v |= _U(b[i + k]) << _U(8 * k)
    return v


@njit(cache=True, inline="always")
def _fetch32(b, i):
    v = _U(0)
    for k in range(4):
        v |= _U(b[i + k]) << _U(8 * k)
    return v


@njit(cache=True, inline="always")
def _shift_mix(v):
    return v ^ (v >> _U(47))


@njit(cache=True, inline="always")
def _len16(u, v, mul):
    a = (u ^ v) * mul
    a ^= a >> _U(47)
    b = (v ^ a) * mul
    b ^= b >> _U(47)
    return b * mul


@njit(cache=True, inline="always")
def _weak32(b, i, a, c):
    w, x, y, z = _fetch64(b, i), _fetch64(b, i + 8), _fetch64(b, i + 16), _fetch64(b, i + 24)
    a += w
    c = _rot(c + a + z, 21)
    d = a
    a += x
    a += y
    c += _rot(a, 44)
    return a + z, c + d


@njit(cache=True)
def _fp64(b, s, n):
    """farmhashna::Hash64 of the n bytes of b from s."""
    k0, k1, k2 = K0, K1, K2
    un = _U(n)
    if n <= 16:
        if n >= 8:
            mul = k2 + un * _U(2)
            a = _fetch64(b, s) + k2
            bb = _fetch64(b, s + n - 8)
            c = _rot(bb, 37) * mul + a
            d = (_rot(a, 25) + bb) * mul
            return _len16(c, d, mul)
        if n >= 4:
            mul = k2 + un * _U(2)
            a = _fetch32(b, s)
            return _len16(un + (a << _U(3)), _fetch32(b, s + n - 4), mul)
        if n > 0:
            a = _U(b[s])
            bb = _U(b[s + (n >> 1)])
            c = _U(b[s + n - 1])
            y = (a + (bb << _U(8))) & _U(0xffffffff)
            z = (un + (c << _U(2))) & _U(0xffffffff)
            return _shift_mix(y * k2 ^ z * k0) * k2
        return k2
    if n <= 32:
        mul = k2 + un * _U(2)
        a = _fetch64(b, s) * k1
        bb = _fetch64(b, s + 8)
        c = _fetch64(b, s + n - 8) * mul
        d = _fetch64(b, s + n - 16) * k2
        return _len16(_rot(a + bb, 43) + _rot(c, 30) + d, a + _rot(bb + k2, 18) + c, mul)
    if n <= 64:
        mul = k2 + un * _U(2)
        a = _fetch64(b, s) * k2
        bb = _fetch64(b, s + 8)
        c = _fetch64(b, s + n - 8) * mul
        d = _fetch64(b, s + n - 16) * k2
        y = _rot(a + bb, 43) + _rot(c, 30) + d
        z = _len16(y, a + _rot(bb + k2, 18) + c, mul)
        e = _fetch64(b, s + 16) * mul
        f = _fetch64(b, s + 24)
        g = (y + _fetch64(b, s + n - 32)) * mul
        h = (z + _fetch64(b, s + n - 24)) * mul
        return _len16(_rot(e + f, 43) + _rot(g, 30) + h, e + _rot(f + a, 18) + g, mul)
    seed = _U(81)
    x = seed
    y = seed * k1 + _U(113)
    z = _shift_mix(y * k2 + _U(113)) * k2
    v0, v1, w0, w1 = _U(0), _U(0), _U(0), _U(0)
    x = x * k2 + _fetch64(b, s)
    end = s + ((n - 1) // 64) * 64
    last64 = s + n - 64
    p = s
    while True:
        x = _rot(x + y + v0 + _fetch64(b, p + 8), 37) * k1
        y = _rot(y + v1 + _fetch64(b, p + 48), 42) * k1
        x ^= w1
        y += v0 + _fetch64(b, p + 40)
        z = _rot(z + w0, 33) * k1
        v0, v1 = _weak32(b, p, v1 * k1, x + w0)
        w0, w1 = _weak32(b, p + 32, z + w1, y + _fetch64(b, p + 16))
        z, x = x, z
        p += 64
        if p == end:
            break
    mul = k1 + ((z & _U(0xff)) << _U(1))
    p = last64
    w0 += _U((n - 1) & 63)
    v0 += w0
    w0 += v0
    x = _rot(x + y + v0 + _fetch64(b, p + 8), 37) * mul
    y = _rot(y + v1 + _fetch64(b, p + 48), 42) * mul
    x ^= w1 * _U(9)
    y += v0 * _U(9) + _fetch64(b, p + 40)
    z = _rot(z + w0, 33) * mul
    v0, v1 = _weak32(b, p, v1 * mul, x + w0)
    w0, w1 = _weak32(b, p + 32, z + w1, y + _fetch64(b, p + 16))
    z, x = x, z
    return _len16(_len16(v0, w0, mul) + _shift_mix(y) * K0 + z, _len16(v1, w1, mul) + x, mul)


@njit(cache=True)
def _fingerprint_all(buf, offsets, out):
    for i in range(out.size):
        out[i] = _fp64(buf, offsets[i], offsets[i + 1] - offsets[i])


def fingerprint64(strings):
    """FarmHash Fingerprint64 of each bytes object (a uint64 array)."""
    buf, offsets = pack(strings)
    out = np.empty(len(strings), np.uint64)
    _fingerprint_all(buf, offsets, out)
    return out


@njit(cache=True, inline="always")
def _sip_round(v0, v1, v2, v3):
    v0 += v1
    v1 = (v1 << _U(13)) | (v1 >> _U(51))
    v1 ^= v0
    v0 = (v0 << _U(32)) | (v0 >> _U(32))
    v2 += v3
    v3 = (v3 << _U(16)) | (v3 >> _U(48))
    v3 ^= v2
    v0 += v3
    v3 = (v3 << _U(21)) | (v3 >> _U(43))
    v3 ^= v0
    v2 += v1
    v1 = (v1 << _U(17)) | (v1 >> _U(47))
    v1 ^= v2
    v2 = (v2 << _U(32)) | (v2 >> _U(32))
    return v0, v1, v2, v3


@njit(cache=True)
def _siphash_all(buf, offsets, k0, k1, out):
    for i in range(out.size):
        s, n = offsets[i], offsets[i + 1] - offsets[i]
        v0 = k0 ^ _U(0x736f6d6570736575)
        v1 = k1 ^ _U(0x646f72616e646f6d)
        v2 = k0 ^ _U(0x6c7967656e657261)
        v3 = k1 ^ _U(0x7465646279746573)
        full = n - n % 8
        for p in range(s, s + full, 8):
            m = _fetch64(buf, p)
            v3 ^= m
            v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
            v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
            v0 ^= m
        last = _U(n & 255) << _U(56)
        for k in range(n - full):
            last |= _U(buf[s + full + k]) << _U(8 * k)
        v3 ^= last
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        v0 ^= last
        v2 ^= _U(0xff)
        for _ in range(4):
            v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        out[i] = v0 ^ v1 ^ v2 ^ v3


def siphash(strings, key):
    """SipHash-2-4 of each bytes object under the 128-bit key (two uint64 halves)."""
    buf, offsets = pack(strings)
    out = np.empty(len(strings), np.uint64)
    _siphash_all(buf, offsets, _U(int(key[0]) & 0xFFFFFFFFFFFFFFFF),
                 _U(int(key[1]) & 0xFFFFFFFFFFFFFFFF), out)
    return out


@njit(cache=True)
def _tf_hash64_all(buf, offsets, seed, out):
    m = _MURMUR
    for i in range(out.size):
        s, n = offsets[i], offsets[i + 1] - offsets[i]
        h = seed ^ (_U(n) * m)
        p = s
        while n - (p - s) >= 8:
            k = _fetch64(buf, p) * m
            k ^= k >> _U(47)
            h ^= k * m
            h *= m
            p += 8
        rest = n - (p - s)
        if rest > 0:
            for k in range(rest - 1, -1, -1):
                h ^= _U(buf[p + k]) << _U(8 * k)
            h *= m
        h ^= h >> _U(47)
        h *= m
        h ^= h >> _U(47)
        out[i] = h


def tf_hash64(strings, seed=0xDECAFCAFFE):
    """TF's own Hash64 (a MurmurHash2 variant), seeded as StringToHashBucket seeds it."""
    buf, offsets = pack(strings)
    out = np.empty(len(strings), np.uint64)
    _tf_hash64_all(buf, offsets, _U(seed), out)
    return out


@njit(cache=True)
def fingerprint_cat64(fp1, fp2):
    """Combines two fingerprints (order matters), as TF's FingerprintCat64."""
    m = _MURMUR
    r = fp1 ^ m
    r ^= _shift_mix(fp2 * m) * m
    r *= m
    r = _shift_mix(r) * m
    return _shift_mix(r)
