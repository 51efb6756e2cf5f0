"""Philox-4x32-10, the counter-based generator behind TF's stateless random ops, and TF's
mappings from its 32-bit words to numbers (shared by the CPU and the CUDA kernels).

Plain Python functions over numpy unsigned integers: kernels/cpu/random.py compiles them
with `numba.njit`, kernels/cuda/random.py with `cuda.jit(device=True)`, so both devices
draw the same bits. 32-bit words are carried in uint64 values and masked, which keeps
numba's integer typing in unsigned 64-bit arithmetic on both targets.

TF's layout (stateless ops): the seed pair (s0, s1), as 64-bit words, is scrambled by one
Philox call under a fixed key: its words (m0, m1, m2, m3) give the key (m0, m1) and the
counter (0, 0, m2, m3). Output group i (4 floats or int32s, 2 doubles or int64s per call)
is drawn by a generator whose counter was advanced by i: group i reads
Philox(counter + i, key). A tf.random.Generator's state [counter_lo, counter_hi, key] is
used as is, without the scramble. The truncated normal, which needs a variable
number of words per output group, reserves 256 calls per group of 4 and reads the words of
those calls one by one.
"""
__toolkit__ = True   # shared machinery for the random kernels: registers no kernels

import math

import numpy as np

# numba types global scalars as int64: constants are written np.uint64(...) where used,
# so that every operation stays in uint64.



def make(jit):
    """The generator and the mappings compiled with `jit` (numba.njit, or cuda.jit(device=
    True)); each function calls the others' compiled versions. Returns a namespace."""
    import types

    def philox(c0, c1, c2, c3, k0, k1):
        """The 4 output words of Philox-4x32-10 for counter (c0..c3) and key (k0, k1)."""
        for r in range(10):
            p0 = np.uint64(0xD2511F53) * c0
            p1 = np.uint64(0xCD9E8D57) * c2
            n0 = ((p1 >> np.uint64(32)) ^ c1 ^ k0) & np.uint64(0xFFFFFFFF)
            n1 = p1 & np.uint64(0xFFFFFFFF)
            n2 = ((p0 >> np.uint64(32)) ^ c3 ^ k1) & np.uint64(0xFFFFFFFF)
            n3 = p0 & np.uint64(0xFFFFFFFF)
            c0, c1, c2, c3 = n0, n1, n2, n3
            k0 = (k0 + np.uint64(0x9E3779B9)) & np.uint64(0xFFFFFFFF)
            k1 = (k1 + np.uint64(0xBB67AE85)) & np.uint64(0xFFFFFFFF)
        return c0, c1, c2, c3


    def skip(c0, c1, c2, c3, n):
        """The 128-bit counter advanced by n (a uint64), with TF's carries."""
        lo = n & np.uint64(0xFFFFFFFF)
        hi = n >> np.uint64(32)
        c0 = c0 + lo
        if c0 > np.uint64(0xFFFFFFFF):
            c0 = c0 & np.uint64(0xFFFFFFFF)
            hi = hi + np.uint64(1)
        c1 = c1 + hi
        if c1 > np.uint64(0xFFFFFFFF):
            c1 = c1 & np.uint64(0xFFFFFFFF)
            c2 = c2 + np.uint64(1)
            if c2 > np.uint64(0xFFFFFFFF):
                c2 = np.uint64(0)
                c3 = (c3 + np.uint64(1)) & np.uint64(0xFFFFFFFF)
        return c0, c1, c2, c3


    def uint32_to_float(x):
        """TF's Uint32ToFloat: the low 23 bits as the mantissa of a float in [1, 2), minus 1,
        which is exactly mantissa * 2**-23."""
        return np.float32(x & np.uint64(0x7FFFFF)) * np.float32(1.1920928955078125e-07)

    def uint64_to_double(x0, x1):
        """TF's Uint64ToDouble: 20 bits of x0 above the 32 of x1 as the mantissa of a
        double in [1, 2), minus 1: exactly mantissa * 2**-52."""
        man = ((x0 & np.uint64(0xFFFFF)) << np.uint64(32)) | x1
        return np.float64(man) * 2.220446049250313e-16

    def box_muller_float(x0, x1):
        """TF's BoxMullerFloat: two float32 normals from two words (u1 clamped to 1e-7)."""
        u1 = uint32_to_float(x0)
        if u1 < np.float32(1e-7):
            u1 = np.float32(1e-7)
        # 2 * M_PI is a double in TF's C++: the product is rounded to float once
        v1 = np.float32(6.283185307179586 * np.float64(uint32_to_float(x1)))
        u2 = np.float32(math.sqrt(np.float32(np.float32(-2.0) * np.float32(math.log(u1)))))
        return np.float32(np.float32(math.sin(v1)) * u2), np.float32(np.float32(math.cos(v1)) * u2)


    def box_muller_double(x0, x1, x2, x3):
        """TF's BoxMullerDouble: two float64 normals from four words."""
        u1 = uint64_to_double(x0, x1)
        if u1 < 1e-7:
            u1 = 1e-7
        v1 = 6.283185307179586 * uint64_to_double(x2, x3)
        u2 = math.sqrt(-2.0 * math.log(u1))
        return math.sin(v1) * u2, math.cos(v1) * u2

    philox, skip = jit(philox), jit(skip)
    uint32_to_float, uint64_to_double = jit(uint32_to_float), jit(uint64_to_double)
    box_muller_float, box_muller_double = jit(box_muller_float), jit(box_muller_double)

    @jit
    def seed_to_key_counter(s0, s1):
        """TF's GenerateKey: the seed pair (as uint64) scrambled by one Philox call under a
        fixed key into the key and the counter the op draws from."""
        m0, m1, m2, m3 = philox(s0 & np.uint64(0xFFFFFFFF), s0 >> np.uint64(32), s1 & np.uint64(0xFFFFFFFF), s1 >> np.uint64(32),
                                np.uint64(0x3EC8F720), np.uint64(0x02461E29))
        return m0, m1, np.uint64(0), np.uint64(0), m2, m3

    return types.SimpleNamespace(
        philox=philox, skip=skip, uint32_to_float=uint32_to_float,
        uint64_to_double=uint64_to_double, box_muller_float=box_muller_float,
        box_muller_double=box_muller_double, seed_to_key_counter=seed_to_key_counter)
