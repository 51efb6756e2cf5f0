"""float32 exp, log, tanh, sigmoid and softplus written so LLVM vectorises the loops calling them.

numba's `math.exp` on a float32 is a call to libm's scalar expf per element, which no loop
vectoriser can turn into SIMD code; TF uses Eigen's vectorised polynomials and NumPy its
own SIMD loops (numba's other route, Intel's SVML, needs an SVML-patched LLVM, which the
llvmlite wheels are not: `numba -s` reports it unavailable). Here each function is
branch-free arithmetic, integer bit operations (bitcasts, as llvmlite intrinsics) and
selects, so a numba ufunc over a contiguous array runs 8 or 16 lanes at a time.

Accuracy (tools/unary_math_accuracy.py, pinned by tests/test_unary_math_accuracy.py):
- exp and tanh work in float32 (16 lanes): max 0.98 and 1.85 ulp (libm's expf is 0.502,
  TF's exp 1.2; libm's tanh rule was 2.15, TF's is 5.1; tanh is one expm1 and a quotient
  on the whole range, not a polynomial beside an exp that both run and one is selected);
  sigmoid takes that float32 exp and a float32 quotient with its residual corrected:
  max 1.46 ulp (libm's rule 1.38, TF's 5.8);
- log and softplus work in float64 (the input widened, one rounding to float32 at the end)
  with polynomials accurate to 1e-13 and 3e-13: within 0.5001 ulp of the exact value, i.e.
  the correctly rounded float32 but for inputs within 1e-4 ulp of a rounding boundary
  (libm's softplus rule was 1.46 ulp, TF's is 6.8).

Edges follow TF's CPU kernels, which run with the x86 flush-to-zero and denormals-are-zero
modes on: a subnormal input counts as a zero of its sign and a result below the smallest
normal float32 (1.18e-38) is a zero (exp(-88) is 0, log of a subnormal is -inf);
inf, -inf and NaN as IEEE says (tests/data/unary_math_tf221.npz, recorded from TF 2.21).

Polynomials: Chebyshev interpolants (NumPy's Chebyshev.interpolate, converted to the
monomial basis) of the smooth remainder of each function on its reduced interval, measured
against long-double references. The fused multiply-adds are explicit (`llvm.fma`), so the
vector body and the scalar remainder loop round identically: no result depends on the
array's length, alignment or blocking.
"""
__toolkit__ = True   # shared arithmetic for the family modules: registers no kernels

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def _f64_bits(typingctx, x):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _bits_f64(typingctx, i):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _f32_bits(typingctx, x):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(32))
    return types.int32(types.float32), codegen


@intrinsic
def _bits_f32(typingctx, i):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (llvm.fma: one instruction where the CPU has FMA)."""
    def codegen(context, builder, sig, args):
        return builder.fma(*args)
    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def _fma32(typingctx, a, b, c):
    def codegen(context, builder, sig, args):
        return builder.fma(*args)
    return types.float32(types.float32, types.float32, types.float32), codegen


_F32 = np.float32
_FLT_MIN = _F32(np.finfo(np.float32).tiny)      # smallest normal float32
_ZERO32 = _F32(0.0)

# exp(d) = 2**k * exp(r), k = rint(d / ln2), r = d - k*ln2 in two steps (Cody and Waite):
# _LN2_HI has 32 significant bits, so k*_LN2_HI is exact for |k| < 2**21.
_LOG2E = 1.4426950408889634
_SHIFT = 6755399441055744.0          # 2**52 + 2**51: adding it rounds to an integer
_SHIFT_BITS = 0x4338000000000000
_LN2_HI = 0.6931471803691238         # ln2's leading 32 bits
_LN2_LO = 1.9082149292705877e-10     # ln2 - _LN2_HI
_LN2 = 0.6931471805599453
# exp(r) = 1 + r + r*r*q(r): 4.3e-12 relative
_Q0, _Q1, _Q2, _Q3, _Q4, _Q5, _Q6 = (
    0.4999999999999999, 0.1666666671902895, 0.04166666671902511, 0.008333298469798424,
    0.0013888854032857154, 0.00019899285578588968, 2.4859591400324122e-05)
# log(m) = 2*atanh(s) = 2s + 2s*z*p(z), s = (m-1)/(m+1), z = s*s: 1.1e-13 relative
_P0, _P1, _P2, _P3, _P4 = (0.333333333336879, 0.1999999939819133, 0.14285877365874275,
                           0.11095694181548027, 0.09681448197526506)


@njit(inline="always")
def exp64(d):
    """exp of a float64 in [-1000, 1000] (or NaN) to 4e-12 relative; the caller clamps."""
    t = _fma(d, _LOG2E, _SHIFT)
    k = t - _SHIFT
    r = _fma(k, -_LN2_HI, d)
    r = _fma(k, -_LN2_LO, r)
    q = _fma(_fma(_fma(_fma(_fma(_fma(_Q6, r, _Q5), r, _Q4), r, _Q3), r, _Q2), r, _Q1), r, _Q0)
    y = 1.0 + _fma(r * r, q, r)
    # 2**k from k's bits: t's low mantissa bits hold k (NaN's garbage scale meets y = NaN)
    scale = _bits_f64((_f64_bits(t) - _SHIFT_BITS + 1023) << 52)
    return y * scale


@njit(inline="always")
def _flush(y):
    """TF's flush-to-zero: a subnormal float32 result is a zero of its sign."""
    return y * _ZERO32 if abs(y) < _FLT_MIN else y


@njit(inline="always")
def log_f32(x):
    ix = _f32_bits(x)
    # m in [sqrt(1/2), sqrt(2)) and e with x = m * 2**e, from the bits of a normal x
    # (0x3f3504f3 is sqrt(1/2)'s bit pattern)
    u = ix - 0x3f3504f3
    e = u >> 23
    m = np.float64(_bits_f32(np.int32((u & 0x007fffff) + 0x3f3504f3)))
    f = m - 1.0
    s = f / (m + 1.0)
    z = s * s
    p = _fma(_fma(_fma(_fma(_P4, z, _P3), z, _P2), z, _P1), z, _P0)
    two_s = 2.0 * s
    y = np.float32(_fma(np.float64(e), _LN2, _fma(two_s * z, p, two_s)))
    mag = ix & 0x7fffffff
    neg_inf = _F32(-np.inf)
    y = neg_inf if mag < 0x00800000 else y             # +-0 and subnormals (TF's DAZ)
    y = _F32(np.nan) if ix < 0 and mag >= 0x00800000 else y
    y = x if mag >= 0x7f800000 and (ix > 0 or mag > 0x7f800000) else y   # inf, NaN
    return y


# log1p(t) = 2*atanh(s) = 2s + 2s*z*w(z), s = t/(2+t) <= 1/3, z = s*s: 2.6e-13 relative
_W0, _W1, _W2, _W3, _W4, _W5, _W6 = (0.3333333333354941, 0.19999999809653932,
                                     0.1428574154679256, 0.11109654572195524,
                                     0.09127676609477682, 0.0722282806831267,
                                     0.09533613371667381)


@njit(inline="always")
def softplus_f32(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), in float64."""
    d = np.float64(x)
    a = abs(d)
    a = 104.0 if a > 104.0 else a         # NaN passes
    t = exp64(-a)
    s = t / (2.0 + t)
    z = s * s
    w = _fma(_fma(_fma(_fma(_fma(_fma(_W6, z, _W5), z, _W4), z, _W3), z, _W2), z, _W1), z, _W0)
    two_s = 2.0 * s
    y = np.float32((d if d > 0.0 else 0.0) + _fma(two_s * z, w, two_s))
    return _ZERO32 if y < _FLT_MIN else y


# float32 arithmetic (16 lanes to the 8 of float64): exp(v) = 2**k * exp(r), |r| <= ln2/2,
# exp(r) = 1 + r + r*r*q(r) with q of degree 5 (Chebyshev, coefficients in float32:
# 6.9e-10 relative); the caller keeps v in [-87, 88], so 2**k is a normal float32.
_LOG2E32, _SHIFT32, _SHIFT32_BITS = _F32(1.4426950408889634), _F32(12582912.0), 0x4b400000
_LN2_HI32, _LN2_LO32 = _F32(0.693359375), _F32(-2.12194440e-4)
_E0, _E1, _E2, _E3, _E4, _E5 = (_F32(0.5000000013465808), _F32(0.16666666681623196),
                                _F32(0.04166646492529931), _F32(0.008333310925493047),
                                _F32(0.0013933649994898347), _F32(0.00019890990815546128))
_ONE32, _TWO32 = _F32(1.0), _F32(2.0)


@njit(inline="always")
def _exp32_parts(v):
    """exp(v) = y * 2**k for float32 v in [-88, 89]: (y in [0.7, 1.42], k)."""
    t = _fma32(v, _LOG2E32, _SHIFT32)
    k = t - _SHIFT32
    r = _fma32(k, -_LN2_HI32, v)
    r = _fma32(k, -_LN2_LO32, r)
    q = _fma32(_fma32(_fma32(_fma32(_fma32(_E5, r, _E4), r, _E3), r, _E2), r, _E1), r, _E0)
    return _ONE32 + _fma32(r * r, q, r), _f32_bits(t) - _SHIFT32_BITS


@njit(inline="always")
def exp32(v):
    """exp(v) for v in [-87, 88] (2**k a normal float32)."""
    y, k = _exp32_parts(v)
    return y * _bits_f32(np.int32((k + 127) << 23))


@njit(inline="always")
def exp_f32(x):
    v = _F32(-88.0) if x < _F32(-88.0) else x    # exp(-88) is below float32's normals
    v = _F32(89.0) if v > _F32(89.0) else v      # exp(89) overflows to inf; NaN passes
    y, k = _exp32_parts(v)
    # 2**k in two factors: k runs from -127 to 128, past a float32 exponent's range
    k1 = k >> 1
    y = (y * _bits_f32(np.int32((k1 + 127) << 23))) * _bits_f32(np.int32((k - k1 + 127) << 23))
    return _ZERO32 if y < _FLT_MIN else y


@njit(inline="always")
def tanh_f32(x):
    """tanh(a) = m / (m + 2) with m = expm1(2a): one exp-like polynomial on the whole range
    (a polynomial for small a beside 1 - 2/(exp(2a) + 1) computed both, then selected: a
    third more work per element). m = 2**k (1 + p) - 1 is one fma of p = expm1(r), so m keeps
    p's accuracy where k = 0 or 1 (a < 0.35), where the quotient's own roundings would add up
    to 2.4 ulps: there the quotient q is refined as h - h*q with h = m/2 (tanh = h (1 - tanh)),
    which damps q's error by h <= 1/2. Max 1.85 ulp."""
    a = abs(x)
    a = _F32(9.1) if a > _F32(9.1) else a     # tanh(9.1) is 1 in float32; NaN passes
    v = a + a
    t = _fma32(v, _LOG2E32, _SHIFT32)
    k = t - _SHIFT32
    r = _fma32(k, -_LN2_HI32, v)
    r = _fma32(k, -_LN2_LO32, r)
    q = _fma32(_fma32(_fma32(_fma32(_fma32(_E5, r, _E4), r, _E3), r, _E2), r, _E1), r, _E0)
    p = _fma32(r * r, q, r)                   # expm1(r)
    s = _bits_f32(np.int32((_f32_bits(t) - _SHIFT32_BITS + 127) << 23))    # 2**k, k <= 27
    m = _fma32(s, p, s - _ONE32)
    y = m / (m + _TWO32)
    h = m * _F32(0.5)
    y = _fma32(-h, y, h) if h < _F32(0.5) else y
    return _flush(np.float32(math.copysign(y, x)))


@njit(inline="always")
def sigmoid_f32(x):
    """e / (1 + e) for x < 0, 1 / (1 + e) otherwise, e = exp(-|x|), in float32 (16 lanes; a
    float64 quotient ran 8 and cost 40% more): one reciprocal of d = 1 + e, then the quotient's
    residual with d's rounding error lo (1 + e = d + lo exactly, as e <= 1) corrected in one
    fma, so the error left is exp's, scaled by at most 1: max 1.46 ulp, as the float64 one."""
    a = abs(x)
    a = _F32(88.0) if a > _F32(88.0) else a
    e = exp32(-a)
    num = e if x < 0 else _ONE32
    d = _ONE32 + e
    lo = (_ONE32 - d) + e
    rcp = _ONE32 / d
    y = num * rcp
    y = _fma32(_fma32(-y, d, num) - y * lo, rcp, y)
    return _ZERO32 if y < _FLT_MIN else y


# The scalar rules the ufuncs (and the fusion pass) compile: plain functions defined here, so
# numba's on-disk cache of a ufunc is keyed on this file, whose edits then recompile it.
def exp_rule(x): return exp_f32(x)
def log_rule(x): return log_f32(x)
def tanh_rule(x): return tanh_f32(x)
def sigmoid_rule(x): return sigmoid_f32(x)
def softplus_rule(x): return softplus_f32(x)
