"""CPU kernels of the element-wise math ops: each a scalar function made into a ufunc.

Broadcasting, strides and output allocation come from the ufunc machinery; numba compiles
the loop body per dtype on first use.
"""
import cmath
import math

import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from numba import njit

from . import vecmath
from ._build import FLOATS, INTS, NUMERIC, SIGNED, Elementwise
from .reduction import _KIND, _make

_BOOL = lambda t: "boolean"  # noqa: E731


def _add(x, y): return x + y
def _sub(x, y): return x - y
def _mul(x, y): return x * y
def _realdiv(x, y): return x / y
def _maximum(x, y): return x if x >= y or x != x else y
def _minimum(x, y): return x if x <= y or x != x else y
def _sqdiff(x, y): return (x - y) * (x - y)
def _less(x, y): return x < y
def _less_equal(x, y): return x <= y
def _greater(x, y): return x > y
def _greater_equal(x, y): return x >= y
def _equal(x, y): return x == y
def _not_equal(x, y): return x != y
def _and(x, y): return x and y
def _or(x, y): return x or y


def _floordiv_f(x, y):
    q = x / y
    if not abs(q) < 4503599627370496.0:     # inf, NaN, or integral already (see _floor)
        return q
    r = math.floor(q)
    return r if r != 0 else q * 0          # keeps the sign of a zero, as IEEE floor


def _floormod_f(x, y):
    r = np.fmod(x, y)  # numba has no math.fmod
    if r != 0 and ((r < 0) != (y < 0)):
        r += y
    return r


def _floordiv_i(x, y):
    q = x // y
    return q


def _floormod_i(x, y):
    return x % y


def _pow_f(x, y): return x ** y


def _pow_i(x, y):
    r = 1
    b = x
    e = y
    while e > 0:
        if e & 1:
            r *= b
        b *= b
        e >>= 1
    return r


class _WithStrings(Elementwise):
    """An element-wise kernel that also takes string tensors (NumPy object arrays of bytes,
    which numba cannot compile): those run NumPy's object loop, `obj(x, y)`. `types` keeps
    the numeric dtypes only, for the fusion pass and the GPU twin."""

    def __init__(self, op_type, pyfunc, types, nargs, obj, out=None):
        super().__init__(op_type, pyfunc, types, nargs, out)
        self.obj = obj

    def ufunc(self, np_dtype):
        if np_dtype.kind == "O":
            return self.obj
        return super().ufunc(np_dtype)


def _string_add(x, y):
    return np.add(np.asarray(x, object), np.asarray(y, object))


def _string_equal(x, y):
    return np.equal(np.asarray(x, object), np.asarray(y, object)).astype(np.bool_)


def _string_not_equal(x, y):
    return np.not_equal(np.asarray(x, object), np.asarray(y, object)).astype(np.bool_)


register_kernel("AddV2")(Elementwise("AddV2", _add, NUMERIC + ("complex64", "complex128"), 2))
# TF's older Add: the same sum, and the only one of the two that concatenates strings
register_kernel("Add")(_WithStrings("Add", _add, NUMERIC + ("complex64", "complex128"), 2,
                                    _string_add))
register_kernel("Sub")(Elementwise("Sub", _sub, NUMERIC + ("complex64", "complex128"), 2))
register_kernel("Mul")(Elementwise("Mul", _mul, NUMERIC + ("complex64", "complex128"), 2))
register_kernel("RealDiv")(Elementwise("RealDiv", _realdiv, FLOATS + ("complex64",
                                                                        "complex128"), 2))
register_kernel("Maximum")(Elementwise("Maximum", _maximum, NUMERIC, 2))
register_kernel("Minimum")(Elementwise("Minimum", _minimum, NUMERIC, 2))

for _t, _f in (("Less", _less), ("LessEqual", _less_equal), ("Greater", _greater),
               ("GreaterEqual", _greater_equal)):
    register_kernel(_t)(Elementwise(_t, _f, NUMERIC, 2, out=_BOOL))
for _t, _f, _o in (("Equal", _equal, _string_equal),
                   ("NotEqual", _not_equal, _string_not_equal)):
    register_kernel(_t)(_WithStrings(_t, _f, NUMERIC + ("boolean", "complex64", "complex128"),
                                     2, _o, out=_BOOL))
register_kernel("LogicalAnd")(Elementwise("LogicalAnd", _and, ("boolean",), 2))
register_kernel("LogicalOr")(Elementwise("LogicalOr", _or, ("boolean",), 2))


class _IntOrFloat:
    """Integer and float versions of one op (floor division, modulo, pow differ by kind)."""

    def __init__(self, op_type, ints, floats, check_zero=False):
        self.i, self.f, self.check_zero = ints, floats, check_zero
        self.op_type = op_type

    def for_op(self, op):
        dt = op.inputs[0].dtype.base_dtype.np_dtype
        if dt.kind in "fc":
            return self.f.ufunc(dt)
        u = self.i.ufunc(dt)
        if self.check_zero:
            return lambda x, y: self._checked(u, x, y)
        return u

    def _checked(self, u, x, y):
        # only a zero that divides something counts: an empty result (a rank-0 input's
        # reduction axes, mod its rank 0) divides nothing, as in TF
        if np.any(np.asarray(y) == 0) and np.size(x) != 0:
            raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        return u(x, y)

    def __call__(self, x, y):
        dt = np.asarray(x).dtype
        if dt.kind in "fc":
            return self.f.ufunc(dt)(x, y)
        u = self.i.ufunc(dt)
        return self._checked(u, x, y) if self.check_zero else u(x, y)


register_kernel("FloorDiv")(_IntOrFloat("FloorDiv", Elementwise("FloorDiv", _floordiv_i, INTS, 2),
                                        Elementwise("FloorDiv", _floordiv_f, FLOATS, 2), True))
register_kernel("FloorMod")(_IntOrFloat("FloorMod", Elementwise("FloorMod", _floormod_i, INTS, 2),
                                        Elementwise("FloorMod", _floormod_f, FLOATS, 2), True))



# --- C-style (truncating) division, and the "no NaN" / "x is zero" variants ------------------
def _truncdiv_i(x, y):
    q = x // y
    if q < 0 and q * y != x:     # Python floors; C rounds toward zero
        q += 1
    return q


def _truncmod_i(x, y):
    q = x // y
    if q < 0 and q * y != x:
        q += 1
    return x - q * y


def _truncdiv_f(x, y):
    q = x / y
    if not abs(q) < 4503599627370496.0:     # inf, NaN, or integral already (see _floor)
        return q
    r = math.floor(q) if q >= 0 else math.ceil(q)   # math.trunc: not on the GPU
    return r if r != 0 else q * 0
def _truncmod_f(x, y): return np.fmod(x, y)
def _div_no_nan(x, y): return x / y if y != 0 else x * 0
def _mul_no_nan(x, y): return x * y if y != 0 else y * 0
def _xdivy(x, y): return x / y if x != 0 else x * 0
def _xlogy(x, y): return x * math.log(y) if x != 0 else x * 0
def _atan2(y, x): return math.atan2(y, x)


# TF's `Div` truncates integers (-7 / 2 == -3) and divides floats; `TruncateDiv` rounds
# floats toward zero too. Integer division by zero is TF's InvalidArgumentError.
register_kernel("Div")(_IntOrFloat("Div", Elementwise("Div", _truncdiv_i, INTS, 2),
                                   Elementwise("Div", _realdiv, FLOATS, 2), True))
register_kernel("TruncateDiv")(_IntOrFloat(
    "TruncateDiv", Elementwise("TruncateDiv", _truncdiv_i, INTS, 2),
    Elementwise("TruncateDiv", _truncdiv_f, FLOATS, 2), True))
register_kernel("TruncateMod")(_IntOrFloat(
    "TruncateMod", Elementwise("TruncateMod", _truncmod_i, INTS, 2),
    Elementwise("TruncateMod", _truncmod_f, FLOATS, 2), True))
for _t, _f in (("DivNoNan", _div_no_nan), ("MulNoNan", _mul_no_nan)):
    register_kernel(_t)(Elementwise(_t, _f, FLOATS + ("complex64", "complex128"), 2))
for _t, _f in (("Xdivy", _xdivy), ("Xlogy", _xlogy), ("Atan2", _atan2)):
    register_kernel(_t)(Elementwise(_t, _f, FLOATS, 2))


# --- unary ---------------------------------------------------------------------------------
def _neg(x): return -x
def _abs(x): return abs(x)
def _sqrt(x): return math.sqrt(x) if x >= 0 else math.nan
def _rsqrt(x): return 1.0 / math.sqrt(x) if x > 0 else (math.copysign(math.inf, x) if x == 0
                                                         else math.nan)   # rsqrt(-0) = -inf
def _square(x): return x * x
def _exp(x): return math.exp(x)
def _expm1(x): return math.expm1(x)
def _log(x): return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
def _log1p(x): return math.log1p(x) if x > -1 else (-math.inf if x == -1 else math.nan)
def _sin(x): return math.sin(x)
def _cos(x): return math.cos(x)
def _tan(x): return math.tan(x)
def _asin(x): return math.asin(x) if -1 <= x <= 1 else math.nan
def _acos(x): return math.acos(x) if -1 <= x <= 1 else math.nan
def _atan(x): return math.atan(x)
def _sinh(x): return math.sinh(x)
def _cosh(x): return math.cosh(x)
def _tanh(x): return math.tanh(x)


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# float32 rules that LLVM vectorises (vecmath.py: float64 inside, one rounding at the end,
# TF's flush of subnormals); libm's scalar expf & co. would leave the loop scalar
_VECTOR_RULES = {"Exp": {"float32": vecmath.exp_rule}, "Log": {"float32": vecmath.log_rule},
                 "Tanh": {"float32": vecmath.tanh_rule},
                 "Sigmoid": {"float32": vecmath.sigmoid_rule}}


def _sign(x): return (x > 0) - (x < 0) if x == x else x    # sign(NaN) is NaN
# numba's math.floor/ceil return int64, which would turn +-inf and NaN into -9.2e18 (TF passes
# them through); a float at or above 2**52 in magnitude is already integral, so anything not
# below it (inf, NaN included) is returned as it is. The same code compiles for the GPU.
def _floor(x):
    if not abs(x) < 4503599627370496.0:     # 2**52
        return x
    r = math.floor(x)
    return r if r != 0 else x * 0    # floor(-0.0) is -0.0


def _ceil(x):
    if not abs(x) < 4503599627370496.0:
        return x
    r = math.ceil(x)
    return r if r != 0 else x * 0    # ceil(-0.5) is -0.0


def _round_half_even(x):
    if not abs(x) < 4503599627370496.0:
        return x
    r = math.floor(x + 0.5)
    if r - x == 0.5 and r % 2 != 0:
        r -= 1
    return r if r != 0 else x * 0    # round(-0.4) is -0.0


def _reciprocal(x): return 1.0 / x if x != 0 else math.copysign(math.inf, x)
def _erf(x): return math.erf(x)


def _acosh(x): return math.acosh(x) if x >= 1 else math.nan
def _asinh(x): return math.asinh(x)


def _atanh(x):
    if abs(x) == 1:
        return math.copysign(math.inf, x)
    return math.atanh(x) if abs(x) < 1 else math.nan


def _erfc(x): return math.erfc(x)
# lgamma has poles at 0, -1, -2, ...: +inf there, as Eigen gives
def _lgamma(x): return math.inf if x <= 0 and x == math.floor(x) else math.lgamma(x)


def _digamma(x):
    """psi(x): reflection below 0.5, the recurrence up to 6, then the asymptotic series
    (a pole, NaN as in Eigen, at 0, -1, -2, ...)."""
    if x != x:
        return x
    if x <= 0 and x == math.floor(x):
        return math.nan
    r = 0.0
    if x < 0.5:
        r = -math.pi / math.tan(math.pi * x)
        x = 1.0 - x
    while x < 6.0:
        r -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (
        -1.0 / 132 + f * (691.0 / 32760 - f / 12.0))))))
    return r + math.log(x) - 0.5 / x + t
def _isnan(x): return x != x
def _isinf(x): return math.isinf(x)
def _isfinite(x): return math.isfinite(x)
def _not(x): return not x


class _WithComplex(Elementwise):
    """An element-wise kernel whose complex64/complex128 loop is another scalar function
    (cmath's instead of math's). `types` keeps the real dtypes only, so the fusion pass and
    the GPU twin, which compile `pyfunc`, never see a complex input."""

    def __init__(self, op_type, pyfunc, types, nargs, cfunc, out=None, rules=None):
        super().__init__(op_type, pyfunc, types, nargs, out, rules)
        self.cfunc = cfunc

    def ufunc(self, np_dtype):
        if np_dtype.kind != "c":
            return super().ufunc(np_dtype)
        u = self._ufuncs.get(np_dtype)
        if u is None:
            import numba
            name = str(np_dtype)
            sig = f"{self.out(name)}({', '.join([name] * self.nargs)})"
            u = numba.vectorize([sig], cache=True, nopython=True)(self.cfunc)
            self._ufuncs[np_dtype] = u
        return u


def _c_sqrt(x): return cmath.sqrt(x)
def _c_rsqrt(x): return 1.0 / cmath.sqrt(x)
def _c_exp(x): return cmath.exp(x)
def _c_expm1(x): return cmath.exp(x) - 1.0
def _c_log(x): return cmath.log(x)
def _c_log1p(x): return cmath.log(1.0 + x)
def _c_sin(x): return cmath.sin(x)
def _c_cos(x): return cmath.cos(x)
def _c_tan(x): return cmath.tan(x)
def _c_asin(x): return cmath.asin(x)
def _c_acos(x): return cmath.acos(x)
def _c_atan(x): return cmath.atan(x)
def _c_sinh(x): return cmath.sinh(x)
def _c_cosh(x): return cmath.cosh(x)
def _c_tanh(x): return cmath.tanh(x)
def _c_asinh(x): return cmath.asinh(x)
def _c_acosh(x): return cmath.acosh(x)
def _c_atanh(x): return cmath.atanh(x)
def _c_sigmoid(x): return 1.0 / (1.0 + cmath.exp(-x))
def _c_sign(x): return x / abs(x) if x != 0 else x * 0   # TF: x / |x|, 0 at 0
def _c_reciprocal(x): return 1.0 / x
def _c_pow(x, y): return x ** y
def _c_sqdiff(x, y): return (x - y) * (x - y).conjugate()   # TF: |x - y|^2 as a complex


_COMPLEX = ("complex64", "complex128")
_CFUNC = {"Sqrt": _c_sqrt, "Rsqrt": _c_rsqrt, "Exp": _c_exp, "Expm1": _c_expm1,
          "Log": _c_log, "Log1p": _c_log1p, "Sin": _c_sin, "Cos": _c_cos, "Tan": _c_tan,
          "Asin": _c_asin, "Acos": _c_acos, "Atan": _c_atan, "Sinh": _c_sinh,
          "Cosh": _c_cosh, "Tanh": _c_tanh, "Asinh": _c_asinh, "Acosh": _c_acosh,
          "Atanh": _c_atanh, "Sigmoid": _c_sigmoid, "Sign": _c_sign,
          "Reciprocal": _c_reciprocal, "Inv": _c_reciprocal}

register_kernel("Pow")(_IntOrFloat("Pow", Elementwise("Pow", _pow_i, SIGNED, 2),
                                   _WithComplex("Pow", _pow_f, FLOATS, 2, _c_pow)))
register_kernel("SquaredDifference")(_WithComplex("SquaredDifference", _sqdiff,
                                                  FLOATS + ("int32", "int64"), 2, _c_sqdiff))

_SIGNED_NUM = FLOATS + SIGNED
for _t, _f, _types in (
        ("Neg", _neg, _SIGNED_NUM), ("Abs", _abs, _SIGNED_NUM), ("Sqrt", _sqrt, FLOATS),
        ("Rsqrt", _rsqrt, FLOATS), ("Square", _square, NUMERIC), ("Exp", _exp, FLOATS),
        ("Expm1", _expm1, FLOATS), ("Log", _log, FLOATS), ("Log1p", _log1p, FLOATS),
        ("Sin", _sin, FLOATS), ("Cos", _cos, FLOATS), ("Tan", _tan, FLOATS),
        ("Asin", _asin, FLOATS), ("Acos", _acos, FLOATS), ("Atan", _atan, FLOATS),
        ("Sinh", _sinh, FLOATS), ("Cosh", _cosh, FLOATS), ("Tanh", _tanh, FLOATS),
        ("Sigmoid", _sigmoid, FLOATS), ("Sign", _sign, _SIGNED_NUM),
        ("Floor", _floor, FLOATS), ("Ceil", _ceil, FLOATS), ("Round", _round_half_even, FLOATS),
        ("Rint", _round_half_even, FLOATS), ("Reciprocal", _reciprocal, FLOATS),
        ("Inv", _reciprocal, FLOATS), ("Erf", _erf, FLOATS), ("Acosh", _acosh, FLOATS),
        ("Asinh", _asinh, FLOATS), ("Atanh", _atanh, FLOATS), ("Erfc", _erfc, FLOATS),
        ("Lgamma", _lgamma, FLOATS), ("Digamma", _digamma, FLOATS)):
    if _t in _CFUNC:
        register_kernel(_t)(_WithComplex(_t, _f, _types, 1, _CFUNC[_t],
                                         rules=_VECTOR_RULES.get(_t)))
    elif _t in ("Neg", "Square"):       # the same Python arithmetic on complex numbers
        register_kernel(_t)(Elementwise(_t, _f, _types + _COMPLEX, 1))
    else:
        register_kernel(_t)(Elementwise(_t, _f, _types, 1))
for _t, _f in (("IsNan", _isnan), ("IsInf", _isinf), ("IsFinite", _isfinite)):
    register_kernel(_t)(Elementwise(_t, _f, FLOATS, 1, out=_BOOL))
register_kernel("LogicalNot")(Elementwise("LogicalNot", _not, ("boolean",), 1))


@register_kernel("AddN")
def add_n(*inputs):
    first = inputs[0][()] if isinstance(inputs[0], np.ndarray) and inputs[0].ndim == 0 and \
        inputs[0].dtype == object else inputs[0]
    if type(first).__name__ == "TensorList":      # gradients of a list add element-wise
        from .list import add_lists
        out = first
        for x in inputs[1:]:
            out = add_lists(out, x[()] if isinstance(x, np.ndarray) else x)
        return out
    out = np.array(inputs[0], copy=True)
    for x in inputs[1:]:
        out += x
    return out


@register_kernel("Cast")
def cast(x, *, DstT):
    x = np.asarray(x)
    if (x.dtype.kind == "O") != (DstT.np_dtype.kind == "O"):
        src = "string" if x.dtype.kind == "O" else str(x.dtype)
        raise errors.UnimplementedError(None, None, f"Cast {src} to {DstT.name} is not "
                                                    f"supported")
    if x.dtype.kind == "c" and DstT.np_dtype.kind != "c":
        x = x.real          # TF keeps the real part; NumPy would warn first
    return x.astype(DstT.np_dtype)


# --- complex numbers: parts, modulus, argument, conjugate, construction ----------------------
def _complex_in(x, op_type):
    x = np.asarray(x)
    if x.dtype.kind != "c":
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'T' of {x.dtype} is not in the list of allowed "
                        f"values: complex64, complex128\n\t; NodeDef: {{{{node {op_type}}}}}")
    return x


@register_kernel("ComplexAbs")
def complex_abs(x):
    return np.abs(_complex_in(x, "ComplexAbs"))


@register_kernel("Real")
def real(x):
    return np.array(_complex_in(x, "Real").real)


@register_kernel("Imag")
def imag(x):
    return np.array(_complex_in(x, "Imag").imag)


@register_kernel("Angle")
def angle(x):
    return np.angle(_complex_in(x, "Angle"))


@register_kernel("Conj")
def conj(x):
    return np.conj(_complex_in(x, "Conj"))


@register_kernel("Complex")
def complex_(real, imag, *, Tout):
    out = np.empty(np.broadcast_shapes(np.shape(real), np.shape(imag)), Tout.np_dtype)
    out.real = real
    out.imag = imag
    return out


def _scan(x, axis, exclusive, reverse, op_type, np_scan):
    x = np.asarray(x)
    ax = int(axis)
    if not -x.ndim <= ax < x.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"ScanOp: Expected scan axis in the range [{-x.ndim}, {x.ndim}), "
                        f"but got {ax}")
    ax %= x.ndim
    if reverse:
        x = np.flip(x, ax)
    out = np_scan(x, axis=ax, dtype=x.dtype)
    if exclusive:
        # shift by one along the axis, the scan's identity first
        ident = np.zeros_like if np_scan is np.cumsum else np.ones_like
        first = ident(np.take(x, [0], axis=ax)) if x.shape[ax] else np.take(x, [], axis=ax)
        out = np.concatenate([first, np.take(out, np.arange(x.shape[ax] - 1), axis=ax)],
                             axis=ax)[tuple(slice(None) if i != ax else slice(0, x.shape[ax])
                                            for i in range(x.ndim))]
    return np.ascontiguousarray(np.flip(out, ax) if reverse else out)


@register_kernel("Cumsum")
def cumsum(x, axis, *, exclusive, reverse):
    return _scan(x, axis, exclusive, reverse, "Cumsum", np.cumsum)


@register_kernel("Cumprod")
def cumprod(x, axis, *, exclusive, reverse):
    return _scan(x, axis, exclusive, reverse, "Cumprod", np.cumprod)


def _cum_logaddexp(x, axis, dtype):
    return np.logaddexp.accumulate(x, axis=axis, dtype=dtype)


@register_kernel("CumulativeLogsumexp")
def cumulative_logsumexp(x, axis, *, exclusive, reverse):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        raise errors.NotFoundError(None, None, "Could not find device for node: "
                                   "CumulativeLogsumexp: float types only")
    out = _scan(x, axis, False, reverse, "CumulativeLogsumexp", _cum_logaddexp)
    if exclusive:       # shifted by one, log(0) = -inf first
        ax = int(axis) % x.ndim
        idx = [slice(None)] * x.ndim
        src = [slice(None)] * x.ndim
        res = np.full_like(out, -np.inf)
        if reverse:
            idx[ax], src[ax] = slice(0, -1), slice(1, None)
        else:
            idx[ax], src[ax] = slice(1, None), slice(0, -1)
        res[tuple(idx)] = out[tuple(src)]
        out = res
    return out


@register_kernel("EuclideanNorm")
def euclidean_norm(x, axes, *, keep_dims):
    x = np.asarray(x)
    sq = (x * np.conj(x)).real.astype(x.real.dtype) if x.dtype.kind == "c" else x * x
    from .reduction import reduce as _reduce, SUM
    r = np.asarray(_reduce(sq, axes, SUM, keep_dims, "Sum"))
    if x.dtype.kind in "iu":
        return np.sqrt(r.astype(np.float64)).astype(x.dtype)
    return np.sqrt(r).astype(x.dtype)


@register_kernel("DenseBincount")
def dense_bincount(input, size, weights, *, binary_output):  # noqa: A002 - TF's name
    arr, w = np.asarray(input), np.asarray(weights)
    n = int(size)
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"size ({n}) must be non-negative")
    if arr.ndim > 2:
        raise errors.InvalidArgumentError(None, None, "Shape must be at most rank 2 but is "
                                          f"rank {arr.ndim}")
    if w.size and w.shape != arr.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Input and weights must have the same shape. Input shape: "
                        f"[{','.join(map(str, arr.shape))}], weights shape: "
                        f"[{','.join(map(str, w.shape))}]")
    if arr.size and arr.min() < 0:
        raise errors.InvalidArgumentError(None, None, "Input arr must be non-negative!")
    rows = arr.reshape(-1, arr.shape[-1] if arr.ndim else 1) if arr.ndim == 2 else \
        arr.reshape(1, -1)
    wr = w.reshape(rows.shape) if w.size else None
    out = np.zeros((rows.shape[0], n), dtype=w.dtype)
    for r in range(rows.shape[0]):
        keep = rows[r] < n          # values at or above size are dropped (maxlength)
        v = rows[r][keep]
        if binary_output:
            out[r, v] = 1
        elif wr is None:
            np.add.at(out[r], v, 1)
        else:
            np.add.at(out[r], v, wr[r][keep])
    return out if arr.ndim == 2 else out.reshape(n)


# --- helper ops of gradients: y' from the forward output y and the incoming dy ------------

def _sqrt_grad(y, dy): return dy * 0.5 / y
def _rsqrt_grad(y, dy): return dy * -0.5 * y * y * y
def _tanh_grad(y, dy): return dy * (1 - y * y)
def _sigmoid_grad(y, dy): return dy * y * (1 - y)
def _reciprocal_grad(y, dy): return -dy * y * y


for _t, _f in (("SqrtGrad", _sqrt_grad), ("RsqrtGrad", _rsqrt_grad), ("TanhGrad", _tanh_grad),
               ("SigmoidGrad", _sigmoid_grad), ("ReciprocalGrad", _reciprocal_grad)):
    register_kernel(_t)(Elementwise(_t, _f, FLOATS, 2))


# --- reductions (the machinery is the toolkit's reduction.py) ----------------------------------

for _t in _KIND:
    register_kernel(_t)(_make(_t))


# --- ArgMax / ArgMin ---------------------------------------------------------------------------

@njit(cache=True)
def _arg_rows(x, want_max, out):
    """Index of the first max (min) of each row of x (M, K); NaN never wins a comparison."""
    m, k = x.shape
    for i in range(m):
        best = x[i, 0]
        idx = 0
        for j in range(1, k):
            v = x[i, j]
            if (v > best) if want_max else (v < best):
                best = v
                idx = j
        out[i] = idx


def _arg(x, axis, output_type, want_max):
    x = np.asarray(x)
    a = int(axis)
    if not -x.ndim <= a < max(x.ndim, 1):
        raise errors.InvalidArgumentError(
            None, None, f"Expected dimension in the range [{-x.ndim}, {x.ndim}), but got {a}")
    a %= max(x.ndim, 1)
    if x.ndim == 0:
        raise errors.InvalidArgumentError(None, None, "Expected dimension in the range [0, 0)")
    if x.shape[a] == 0:
        raise errors.InvalidArgumentError(
            None, None, f"Reduction axis {a} is empty in shape "
                        f"[{','.join(str(d) for d in x.shape)}]")
    if x.dtype == np.float16:
        x = x.astype(np.float32)
    elif x.dtype == np.bool_:
        x = x.view(np.uint8)
    moved = np.ascontiguousarray(np.moveaxis(x, a, -1))
    rows = moved.reshape(-1, x.shape[a])
    out = np.empty(rows.shape[0], dtype=np.int64)
    _arg_rows(rows, want_max, out)
    return out.reshape(moved.shape[:-1]).astype(output_type.np_dtype)


@register_kernel("ArgMax")
def arg_max(x, axis, *, output_type):
    return _arg(x, axis, output_type, True)


@register_kernel("ArgMin")
def arg_min(x, axis, *, output_type):
    return _arg(x, axis, output_type, False)


# --- Range, LinSpace ---------------------------------------------------------------------------

@register_kernel("Range")
def range_(start, limit, delta):
    from ..shapes import range_error as _range_error, range_size as _range_size
    s, l_, d = (np.asarray(v).item() for v in (start, limit, delta))
    err = _range_error(s, l_, d)
    if err:
        raise errors.InvalidArgumentError(None, None, err)
    dt = np.asarray(start).dtype
    n = _range_size(s, l_, d)
    return (np.arange(n, dtype=np.float64 if dt.kind == "f" else np.int64) * d + s).astype(dt)


@register_kernel("LinSpace")
def lin_space(start, stop, num):
    n = int(num)
    if n <= 0:
        raise errors.InvalidArgumentError(None, None, f"Requires num > 0: {n}")
    dt = np.asarray(start).dtype
    return np.linspace(float(start), float(stop), n).astype(dt)


# --- histograms --------------------------------------------------------------------------------

def histogram_bins(values, value_range, nbins):
    """Checks the arguments as TF does; returns (lo, step): a value's bin is
    min(trunc((max(v, lo) - lo) / step), nbins - 1), with the difference taken in the
    values' dtype and the division in double."""
    n = int(np.asarray(nbins))
    if n <= 0:
        raise errors.InvalidArgumentError(
            None, None, f"nbins should be a positive number, but got '{n}'")
    rng = np.asarray(value_range).reshape(-1)
    lo, hi = rng[0], rng[1]
    if not lo < hi:
        raise errors.InvalidArgumentError(
            None, None, f"value_range should satisfy value_range[0] < value_range[1], but "
                        f"got '[{lo:g}, {hi:g}]'")
    return lo, (float(hi) - float(lo)) / n


@register_kernel("HistogramFixedWidth")
def histogram_fixed_width(values, value_range, nbins, *, dtype):
    values = np.asarray(values).reshape(-1)
    lo, step = histogram_bins(values, value_range, nbins)
    n = int(np.asarray(nbins))
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise errors.InvalidArgumentError(None, None, "Histogram values must not contain NaN")
    shifted = (np.maximum(values, lo) - lo).astype(np.float64)
    bins = np.minimum((shifted / step).astype(np.int64), n - 1)
    return np.bincount(bins, minlength=n).astype(dtype.np_dtype)

# --- special functions (tf.math.igamma, zeta, bessel_i0e, ...) -----------------------------
# Each scalar rule is self-contained (only `math`): the GPU compiles the same function as a
# device function, which can call no other Python function. Domains and poles follow TF's
# (Eigen's, from Cephes): NaN outside the domain, inf at a pole.

def _xlog1py(x, y): return x * math.log1p(y) if x != 0 else x * 0


def _nextafter_rule(width):
    bits = 24 if width == 32 else 53
    tiny = 1.401298464324817e-45 if width == 32 else 5e-324
    big = 3.4028234663852886e+38 if width == 32 else 1.7976931348623157e+308

    def nextafter(x, y):
        if x != x or y != y:
            return x + y
        if x == y:
            return y
        if x == 0:
            return tiny if y > 0 else -tiny
        if x == math.inf or x == -math.inf:      # toward a finite y: the largest float
            return big if x > 0 else -big
        m, e = math.frexp(x)
        if e - bits < (-148 if width == 32 else -1073):     # subnormal: a fixed ulp
            ulp = tiny
        else:
            ulp = math.ldexp(1.0, e - bits)
        if (y > x) == (x > 0):                  # away from zero
            return x + ulp if x > 0 else x - ulp
        if abs(m) == 0.5 and e - bits > (-148 if width == 32 else -1073):
            ulp *= 0.5                          # below a power of two the ulp halves
        return x - ulp if x > 0 else x + ulp
    return nextafter


def _ndtri_rule(erfinv32):
    """ndtri's scalar rule; with erfinv32, float32 erfinv as TF's float kernel computes it:
    ndtri((y + 1) / 2) / sqrt(2), the halving rounded to float32 (so tiny y give 0)."""
    def ndtri(p):
        if erfinv32:
            p = (p + np.float32(1.0)) * np.float32(0.5)
        if p != p or p < 0 or p > 1:
            return math.nan
        if p == 0:
            return -math.inf
        if p == 1:
            return math.inf
        if p < 0.02425:
            q = math.sqrt(-2 * math.log(p))
            x = (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q
                    - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
                  + 4.374664141464968e+00) * q + 2.938163982698783e+00) / \
                ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q
                   + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1)
        elif p > 1 - 0.02425:
            q = math.sqrt(-2 * math.log1p(-p))
            x = -(((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q
                     - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
                   + 4.374664141464968e+00) * q + 2.938163982698783e+00) / \
                ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q
                   + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1)
        else:
            q = p - 0.5
            r = q * q
            x = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r
                    - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
                  - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q / \
                (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
                    - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r
                  - 1.328068155288572e+01) * r + 1)
        for _ in range(2):      # Halley steps on Phi(x) - p
            if p < 0.5:
                e = 0.5 * math.erfc(-x / math.sqrt(2.0)) - p
            else:
                e = -(0.5 * math.erfc(x / math.sqrt(2.0)) - (1 - p))
            u = e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
            x = x - u / (1 + x * u / 2)
        return x / math.sqrt(2.0) if erfinv32 else x
    return ndtri


_ndtri = _ndtri_rule(False)
_erfinv_f32 = _ndtri_rule(True)


def _erfinv(y):
    """The inverse of erf: a start from ndtri's approximation, then Newton steps on erf
    (erfc near +-1, where erf has no digits left)."""
    if y != y or y < -1 or y > 1:
        return math.nan
    if y == 1:
        return math.inf
    if y == -1:
        return -math.inf
    if y == 0:
        return y
    a = abs(y)
    # Giles' single-precision approximation as the start
    w = -math.log((1.0 - a) * (1.0 + a))
    if w < 5.0:
        w -= 2.5
        x = 2.81022636e-08
        x = 3.43273939e-07 + x * w
        x = -3.5233877e-06 + x * w
        x = -4.39150654e-06 + x * w
        x = 0.00021858087 + x * w
        x = -0.00125372503 + x * w
        x = -0.00417768164 + x * w
        x = 0.246640727 + x * w
        x = 1.50140941 + x * w
    else:
        w = math.sqrt(w) - 3.0
        x = -0.000200214257
        x = 0.000100950558 + x * w
        x = 0.00134934322 + x * w
        x = -0.00367342844 + x * w
        x = 0.00573950773 + x * w
        x = -0.0076224613 + x * w
        x = 0.00943887047 + x * w
        x = 1.00167406 + x * w
        x = 2.83297682 + x * w
    x *= a
    for _ in range(3):
        if a < 0.5:
            f = math.erf(x) - a
        else:
            f = (1.0 - a) - math.erfc(x)
        x -= f / (1.1283791670955126 * math.exp(-x * x))
    return x if y > 0 else -x


def _incomplete_gamma(upper):
    """The regularized incomplete gammas: P(a, x) (Igamma) or, `upper`, Q(a, x) = 1 - P(a, x)
    (Igammac); `upper` is a constant numba prunes on, so each rule types as if written alone.
    Below x = a + 1 the series of P, above it the continued fraction of Q (each op takes the
    other's as one minus it; Q's tail computed directly, so no cancellation there)."""
    def rule(a, x):
        if a != a or x != x or x < 0 or a < 0:
            return math.nan
        if a == 0:
            return math.nan
        if x == 0:
            return 1.0 if upper else 0.0
        if x == math.inf:
            return 0.0 if upper else 1.0
        if a == math.inf:
            return math.nan if x == math.inf else (1.0 if upper else 0.0)
        logpre = a * math.log(x) - x - math.lgamma(a)
        if x < a + 1:
            term = 1.0 / a
            total = term
            ap = a
            for _ in range(2000):
                ap += 1
                term *= x / ap
                total += term
                if abs(term) < abs(total) * 1e-17:
                    break
            if upper:
                return max(1.0 - total * math.exp(logpre), 0.0)
            return min(total * math.exp(logpre), 1.0)
        tiny = 1e-300
        b = x + 1 - a
        c = 1 / tiny
        d = 1 / b
        h = d
        for i in range(1, 2000):
            an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny:
                d = tiny
            c = b + an / c
            if abs(c) < tiny:
                c = tiny
            d = 1 / d
            delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16:
                break
        if upper:
            return math.exp(logpre) * h
        return 1.0 - math.exp(logpre) * h
    rule.__name__ = "_igammac" if upper else "_igamma"
    return rule


_igamma = _incomplete_gamma(False)
_igammac = _incomplete_gamma(True)


def _betainc(a, b, x):
    """The regularized incomplete beta I_x(a, b): Lentz's continued fraction, on the side
    of x where it converges fast (I_x(a, b) = 1 - I_{1-x}(b, a))."""
    if a != a or b != b or x != x or a <= 0 or b <= 0 or x < 0 or x > 1:
        return math.nan
    if x == 0 or x == 1:
        return x
    flip = x > (a + 1) / (a + b + 2)
    if flip:
        a, b, x = b, a, 1 - x
    logpre = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + \
        b * math.log1p(-x)
    tiny = 1e-300
    c = 1.0
    d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny:
        d = tiny
    d = 1 / d
    h = d
    for m in range(1, 3000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
        d = 1 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    r = math.exp(logpre) * h / a
    return 1 - r if flip else r


def _hurwitz(polygamma):
    """One rule for Zeta and Polygamma, which share the Hurwitz zeta sum: `polygamma` (a
    constant numba prunes on, so each rule types as if written alone) picks the op.

    Zeta(x, q) = sum_k (q + k)^-x: 9 terms summed, then Euler-Maclaurin's tail with
    Bernoulli numbers (Cephes' scheme, as Eigen); inf at x = 1, NaN for x < 1 and for
    negative q with a non-integer x.
    Polygamma(n, x) = psi^(n)(x): digamma for n = 0, else (-1)^(n+1) n! zeta(n + 1, x); NaN
    unless n is a non-negative integer.
    (One function rather than Polygamma calling Zeta: a device function cannot call a plain
    Python one.)"""
    def rule(a, b):
        if polygamma:
            n = a
            if n != n or b != b or n < 0 or n != math.floor(n):
                return math.nan
            if n == 0:
                x = b
                if x <= 0 and x == math.floor(x):
                    return math.nan
                r = 0.0
                if x < 0.5:
                    r = -math.pi / math.tan(math.pi * x)
                    x = 1.0 - x
                while x < 6.0:
                    r -= 1.0 / x
                    x += 1.0
                f = 1.0 / (x * x)
                t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (
                    -1.0 / 132 + f * (691.0 / 32760 - f / 12.0))))))
                return r + math.log(x) - 0.5 / x + t
            x = n + 1.0
        else:
            x = a
            if x != x or b != b:
                return math.nan
            if x == 1:
                return math.inf
            if x < 1:
                return math.nan
        # zeta(x, q); for Polygamma x = n + 1 >= 2 is an integer, so only the pole test of
        # q <= 0 can fire
        q = b
        if q <= 0:
            if q == math.floor(q):
                return math.inf
            if x != math.floor(x):
                return math.nan
        s = q ** -x
        a_ = q
        i = 0
        b_ = 0.0
        done = False
        while i < 9 or a_ <= 9:
            i += 1
            a_ += 1
            b_ = a_ ** -x
            s += b_
            if abs(b_ / s) < 1.1102230246251565e-16:
                done = True
                break
        if not done:
            w = a_
            s += b_ * w / (x - 1)
            s -= 0.5 * b_
            fac = 1.0
            k = 0.0
            # (2j)! / B_2j for j = 1..12
            for j in range(12):
                if j == 0:
                    c = 12.0
                elif j == 1:
                    c = -720.0
                elif j == 2:
                    c = 30240.0
                elif j == 3:
                    c = -1209600.0
                elif j == 4:
                    c = 47900160.0
                elif j == 5:
                    c = -1.8924375803183791606e9
                elif j == 6:
                    c = 7.47242496e10
                elif j == 7:
                    c = -2.950130727918164224e12
                elif j == 8:
                    c = 1.1646782814350067249e14
                elif j == 9:
                    c = -4.5979787224074726105e15
                elif j == 10:
                    c = 1.8152105401943546773e17
                else:
                    c = -7.1661652561756670113e18
                fac *= x + k
                b_ /= w
                t = fac * b_ / c
                s += t
                if abs(t / s) < 1.1102230246251565e-16:
                    break
                k += 1.0
                fac *= x + k
                b_ /= w
                k += 1.0
        if polygamma:
            sign = 1.0 if int(n) % 2 == 1 else -1.0
            return sign * math.exp(math.lgamma(n + 1.0)) * s
        return s
    rule.__name__ = "_polygamma" if polygamma else "_zeta"
    return rule


_zeta = _hurwitz(False)
_polygamma = _hurwitz(True)


def _bessel(order, scaled):
    """The scalar rule of I_order (0 or 1), times exp(-|x|) when scaled: the power series
    below |x| = 30, the asymptotic expansion (Hankel's) above."""
    def bessel(x):
        ax = abs(x)
        if x != x:
            return x
        if ax < 30.0:
            h = ax / 2
            if order == 0:
                t = 1.0
            else:
                t = h
            total = t
            for k in range(1, 500):
                t *= h * h / (k * (k + order))
                total += t
                if t < total * 1e-17:
                    break
            r = total * math.exp(-ax) if scaled else total
        else:
            if ax == math.inf:
                r = 0.0 if scaled else math.inf
            else:
                mu = 4.0 * order * order
                t = 1.0
                total = 1.0
                for k in range(1, 60):
                    t *= -(mu - (2 * k - 1) * (2 * k - 1)) / (k * 8.0 * ax)
                    if abs(t) < 1e-17 * abs(total):
                        break
                    total += t
                r = total / math.sqrt(2 * math.pi * ax)
                if not scaled:
                    r *= math.exp(ax) if ax < 700 else math.inf
        if order == 1 and x < 0:
            r = -r
        return r
    return bessel



for _t, _f in (("Xlog1py", _xlog1py), ("Igamma", _igamma), ("Igammac", _igammac),
               ("Zeta", _zeta), ("Polygamma", _polygamma)):
    register_kernel(_t)(Elementwise(_t, _f, FLOATS, 2))
register_kernel("NextAfter")(Elementwise(
    "NextAfter", _nextafter_rule(64), FLOATS, 2,
    rules={"float32": _nextafter_rule(32), "float64": _nextafter_rule(64)}))
register_kernel("Betainc")(Elementwise("Betainc", _betainc, FLOATS, 3))
register_kernel("Erfinv")(Elementwise("Erfinv", _erfinv, FLOATS, 1,
                                      rules={"float32": _erfinv_f32}))
for _t, _f in (("Ndtri", _ndtri), ("BesselI0", _bessel(0, False)),
               ("BesselI1", _bessel(1, False)), ("BesselI0e", _bessel(0, True)),
               ("BesselI1e", _bessel(1, True))):
    register_kernel(_t)(Elementwise(_t, _f, FLOATS, 1))


def _igamma_grad_a(a, x):
    """d P(a, x) / da: _igamma's series or continued fraction differentiated alongside it
    (forward mode: each recurrence carries its derivative in a)."""
    if a != a or x != x or x < 0 or a <= 0:
        return math.nan
    if x == 0 or x == math.inf:
        return 0.0
    # digamma(a), as _digamma
    z = a
    psi = 0.0
    while z < 6.0:
        psi -= 1.0 / z
        z += 1.0
    f = 1.0 / (z * z)
    psi += math.log(z) - 0.5 / z + f * (-1.0 / 12 + f * (1.0 / 120 + f * (
        -1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132 + f * (691.0 / 32760 - f / 12.0))))))
    logpre = a * math.log(x) - x - math.lgamma(a)
    dlogpre = math.log(x) - psi
    if x < a + 1:
        term = 1.0 / a
        dterm = -term / a
        total = term
        dtotal = dterm
        ap = a
        for _ in range(2000):
            ap += 1
            dterm = dterm * x / ap - term * x / (ap * ap)
            term *= x / ap
            total += term
            dtotal += dterm
            if abs(term) < abs(total) * 1e-17 and abs(dterm) <= abs(dtotal) * 1e-17:
                break
        return math.exp(logpre) * (dtotal + total * dlogpre)
    tiny = 1e-300
    b = x + 1 - a
    db = -1.0
    c = 1 / tiny
    dc = 0.0
    d = 1 / b
    dd = -db / (b * b)
    h = d
    dh = dd
    for i in range(1, 2000):
        an = -i * (i - a)
        dan = float(i)
        b += 2
        dnew = an * d + b
        ddnew = dan * d + an * dd + db
        if abs(dnew) < tiny:
            dnew = tiny
        cnew = b + an / c
        dcnew = db + dan / c - an * dc / (c * c)
        if abs(cnew) < tiny:
            cnew = tiny
        c = cnew
        dc = dcnew
        d = 1 / dnew
        dd = -ddnew / (dnew * dnew)
        delta = d * c
        ddelta = dd * c + d * dc
        dh = dh * delta + h * ddelta
        h *= delta
        if abs(delta - 1) < 1e-16 and abs(ddelta) < 1e-16 * abs(dh / h + 1e-300):
            break
    # P = 1 - exp(logpre) h
    return -math.exp(logpre) * (dh + h * dlogpre)


register_kernel("IgammaGradA")(Elementwise("IgammaGradA", _igamma_grad_a, FLOATS, 2))
