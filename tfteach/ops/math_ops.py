"""Element-wise arithmetic, comparison and logical ops, and the Python operators on tensors.

Each op type is declared once with `register_op` (inputs, outputs, shape rule); its kernels
live in `tfteach/kernels/<device>/math.py` and its gradient in `math_grad.py`.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import logging_ops  # noqa: F401  (Timestamp)
from . import shape_rules

# --- declarations -------------------------------------------------------------------------

BINARY = ["AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Pow", "Maximum",
          "Minimum", "SquaredDifference", "TruncateDiv", "TruncateMod", "DivNoNan", "Atan2",
          "Xdivy", "Xlogy", "MulNoNan", "Xlog1py"]
# binary special functions, with TF's argument names
SPECIAL_BINARY = {"Igamma": ("a", "x", "z"), "Igammac": ("a", "x", "z"), "Zeta": ("x", "q", "z"),
                  "Polygamma": ("a", "x", "z"), "NextAfter": ("x1", "x2", "output"),
                  "IgammaGradA": ("a", "x", "z")}
COMPARE = ["Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual"]
LOGICAL = ["LogicalAnd", "LogicalOr"]
UNARY = ["Neg", "Abs", "Sqrt", "Rsqrt", "Square", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos",
         "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Sigmoid", "Sign", "Floor",
         "Ceil", "Round", "Rint", "Reciprocal", "Erf", "IsNan", "IsInf", "IsFinite", "Inv",
         "Acosh", "Asinh", "Atanh", "Erfc", "Lgamma", "Digamma", "Erfinv", "Ndtri",
         "BesselI0", "BesselI1", "BesselI0e", "BesselI1e"]

_DOC = {  # one line each: docs/ops.md and the graph explorer show it
    "AddV2": "x + y element-wise, with broadcasting.",
    "Sub": "x - y element-wise, with broadcasting.",
    "Mul": "x * y element-wise, with broadcasting.",
    "RealDiv": "x / y element-wise for real types, with broadcasting.",
    "Div": "x / y element-wise, integers truncating toward zero (tf.div builds other ops).",
    "FloorDiv": "x / y rounded toward negative infinity, element-wise.",
    "FloorMod": "The remainder of floor division, with the sign of y, element-wise.",
    "Pow": "x raised to the power y, element-wise.",
    "Maximum": "The larger of x and y, element-wise (NaN wins).",
    "Minimum": "The smaller of x and y, element-wise (NaN wins).",
    "SquaredDifference": "(x - y) squared, element-wise.",
    "TruncateDiv": "x / y rounded toward zero, element-wise.",
    "TruncateMod": "The remainder of truncating division, with the sign of x, element-wise.",
    "DivNoNan": "x / y element-wise, 0 where y is 0.",
    "Atan2": "The angle of the point (x, y) from the x axis, element-wise (arguments y, x).",
    "Xdivy": "x / y element-wise, 0 where x is 0.",
    "Xlogy": "x * log(y) element-wise, 0 where x is 0.",
    "MulNoNan": "x * y element-wise, 0 where y is 0 even if x is inf or NaN.",
    "Xlog1py": "x * log1p(y) element-wise, 0 where x is 0.",
    "NextAfter": "The next representable value after x1 toward x2, element-wise.",
    "Igamma": "The regularized lower incomplete gamma function P(a, x), element-wise.",
    "IgammaGradA": "The derivative of Igamma(a, x) in a (Igamma's gradient), element-wise.",
    "Igammac": "The regularized upper incomplete gamma function Q(a, x), element-wise.",
    "Zeta": "The Hurwitz zeta function sum over k of (q + k)^-x, element-wise.",
    "Polygamma": "The a-th derivative of digamma at x, element-wise.",
    "Erfinv": "The inverse of erf, element-wise.",
    "Ndtri": "The inverse of the standard normal CDF, element-wise.",
    "BesselI0": "The modified Bessel function of order 0, element-wise.",
    "BesselI1": "The modified Bessel function of order 1, element-wise.",
    "BesselI0e": "exp(-|x|) times the modified Bessel function of order 0, element-wise.",
    "BesselI1e": "exp(-|x|) times the modified Bessel function of order 1, element-wise.",
    "Less": "Whether x < y, element-wise.",
    "LessEqual": "Whether x <= y, element-wise.",
    "Greater": "Whether x > y, element-wise.",
    "GreaterEqual": "Whether x >= y, element-wise.",
    "Equal": "Whether x == y, element-wise.",
    "NotEqual": "Whether x != y, element-wise.",
    "LogicalAnd": "x AND y for booleans, element-wise.",
    "LogicalOr": "x OR y for booleans, element-wise.",
    "Neg": "-x element-wise.",
    "Abs": "|x| element-wise.",
    "Sqrt": "The square root of x, element-wise.",
    "Rsqrt": "1 / sqrt(x), element-wise.",
    "Square": "x * x, element-wise.",
    "Exp": "e to the power x, element-wise.",
    "Expm1": "exp(x) - 1, accurate near 0, element-wise.",
    "Log": "The natural logarithm of x, element-wise.",
    "Log1p": "log(1 + x), accurate near 0, element-wise.",
    "Sin": "Sine of x (radians), element-wise.",
    "Cos": "Cosine of x (radians), element-wise.",
    "Tan": "Tangent of x (radians), element-wise.",
    "Asin": "Arcsine of x, element-wise.",
    "Acos": "Arccosine of x, element-wise.",
    "Atan": "Arctangent of x, element-wise.",
    "Sinh": "Hyperbolic sine of x, element-wise.",
    "Cosh": "Hyperbolic cosine of x, element-wise.",
    "Tanh": "Hyperbolic tangent of x, element-wise.",
    "Sigmoid": "1 / (1 + exp(-x)), element-wise.",
    "Sign": "-1, 0 or 1 by the sign of x, element-wise.",
    "Floor": "The largest integer not greater than x, element-wise.",
    "Ceil": "The smallest integer not less than x, element-wise.",
    "Round": "x rounded to the nearest integer, halves to even, element-wise.",
    "Rint": "x rounded to the nearest integer, halves to even, element-wise.",
    "Reciprocal": "1 / x, element-wise.",
    "Erf": "The Gauss error function of x, element-wise.",
    "IsNan": "Whether x is NaN, element-wise.",
    "IsInf": "Whether x is +inf or -inf, element-wise.",
    "IsFinite": "Whether x is neither infinite nor NaN, element-wise.",
    "Inv": "1 / x, element-wise (TF's older name of Reciprocal).",
    "Acosh": "Inverse hyperbolic cosine of x, element-wise.",
    "Asinh": "Inverse hyperbolic sine of x, element-wise.",
    "Atanh": "Inverse hyperbolic tangent of x, element-wise.",
    "Erfc": "1 - erf(x), element-wise.",
    "Lgamma": "The log of the absolute value of Gamma(x), element-wise.",
    "Digamma": "The derivative of lgamma (psi) at x, element-wise.",
    "SqrtGrad": "The gradient of Sqrt from its output y and the incoming dy: dy / (2 y).",
    "RsqrtGrad": "The gradient of Rsqrt from its output y and the incoming dy: -dy y^3 / 2.",
    "TanhGrad": "The gradient of Tanh from its output y and the incoming dy: dy (1 - y^2).",
    "SigmoidGrad": "The gradient of Sigmoid from its output y and the incoming dy: dy y (1 - y).",
    "ReciprocalGrad": "The gradient of Reciprocal from its output y and the incoming dy: -dy y^2.",
    "Sum": "The sum of the input over the given axes.",
    "Mean": "The mean of the input over the given axes.",
    "Prod": "The product of the input over the given axes.",
    "Max": "The maximum of the input over the given axes.",
    "Min": "The minimum of the input over the given axes.",
    "All": "Logical AND of the input over the given axes.",
    "Any": "Logical OR of the input over the given axes.",
    "ArgMax": "The index of the largest value along an axis (the first, on ties).",
    "ArgMin": "The index of the smallest value along an axis (the first, on ties).",
    "Cumsum": "Running sums along an axis (optionally exclusive or reversed).",
    "Cumprod": "Running products along an axis (optionally exclusive or reversed).",
}

for _t in BINARY:
    registry.register_op(_t, inputs=(("x", "T"), ("y", "T")), outputs=(("z", "T"),),
                         shape=shape_rules.broadcast,
                         doc=_DOC[_t])
for _t in COMPARE:
    registry.register_op(_t, inputs=(("x", "T"), ("y", "T")), outputs=(("z", _dt.bool_),),
                         shape=shape_rules.broadcast,
                         doc=_DOC[_t])
for _t in LOGICAL:
    registry.register_op(_t, inputs=(("x", _dt.bool_), ("y", _dt.bool_)),
                         outputs=(("z", _dt.bool_),), shape=shape_rules.broadcast,
                         doc=_DOC[_t])
for _t, (_a, _b, _z) in SPECIAL_BINARY.items():
    registry.register_op(_t, inputs=((_a, "T"), (_b, "T")), outputs=((_z, "T"),),
                         shape=shape_rules.broadcast, doc=_DOC[_t])


def _betainc_shape(op):
    """a, b and x: each a scalar or all of one shape (TF's Betainc does not broadcast)."""
    shapes = [t.shape for t in op.inputs]
    known = [s for s in shapes if s.rank is None or s.rank > 0]
    out = known[0] if known else shapes[0]
    for s, n in zip(shapes, "abx"):
        if s.rank == 0 or s.rank is None:
            continue
        if not out.is_compatible_with(s):
            raise ValueError(f"Shapes must be equal rank, but are {out.rank} and {s.rank} for "
                             f"'{{{{node {op.name}}}}} = Betainc[T=DT_FLOAT]' with input shapes: "
                             + ", ".join(str(x) for x in shapes) + ".")
        out = out.merge_with(s)
    return [out]


registry.register_op("Betainc", inputs=(("a", "T"), ("b", "T"), ("x", "T")),
                     outputs=(("z", "T"),), shape=_betainc_shape,
                     doc="The regularized incomplete beta function I_x(a, b), element-wise.")
registry.register_op("LogicalNot", inputs=(("x", _dt.bool_),), outputs=(("y", _dt.bool_),),
                     shape=shape_rules.same_as_first,
                     doc="NOT x for booleans, element-wise.")
for _t in UNARY:
    out = _dt.bool_ if _t in ("IsNan", "IsInf", "IsFinite") else "T"
    registry.register_op(_t, inputs=(("x", "T"),), outputs=(("y", out),),
                         shape=shape_rules.same_as_first,
                         doc=_DOC[_t])
registry.register_op("Add", inputs=(("x", "T"), ("y", "T")), outputs=(("z", "T"),),
                     shape=shape_rules.broadcast,
                     doc="x + y, broadcast; unlike AddV2 it also concatenates strings.")
registry.register_op("AddN", inputs=(("*inputs", "T"),), outputs=(("sum", "T"),),
                     shape=shape_rules.all_same,
                     doc="The element-wise sum of a list of same-shaped tensors.")
registry.register_op("Cast", inputs=(("x", "SrcT"),), outputs=(("y", "DstT"),),
                     shape=shape_rules.same_as_first,
                     doc="x converted to the dtype DstT.")

# Helper ops that only gradients create: y' from the forward output y and the incoming
# gradient dy (TF computes these with fused kernels, and names them so in the graph).
for _t in ("SqrtGrad", "RsqrtGrad", "TanhGrad", "SigmoidGrad", "ReciprocalGrad"):
    registry.register_op(_t, inputs=(("y", "T"), ("dy", "T")), outputs=(("z", "T"),),
                         shape=lambda op: [op.inputs[0].shape],
                         doc=_DOC[_t])


# --- constructors ----------------------------------------------------------------------------

def _binary(op_type, default_name):
    def fn(x, y, name=None):
        return apply_op(op_type, [x, y], name=name or default_name)[0]
    fn.__name__ = default_name
    return registry.api(op_type, stacklevel=2)(fn)


def _unary(op_type):
    def fn(x, name=None):
        return apply_op(op_type, [x], name=name or op_type)[0]
    fn.__name__ = op_type
    return registry.api(op_type, stacklevel=2)(fn)


_add_v2 = _binary("AddV2", "Add")


@registry.api("Add")
def add(x, y, name=None):
    """x + y: AddV2, or Add when x is a string tensor (AddV2 has no string kernel)."""
    dt = getattr(x, "dtype", None)
    if not isinstance(dt, _dt.DType):
        is_string = isinstance(x, (str, bytes)) or (
            isinstance(x, (list, tuple, _np.ndarray)) and _np.asarray(x).dtype.kind in "SUO")
    else:
        is_string = dt.base_dtype == _dt.string
    if is_string:
        return apply_op("Add", [x, y], name=name or "Add")[0]
    return _add_v2(x, y, name=name)


subtract = _binary("Sub", "Sub")
multiply = _binary("Mul", "Mul")
realdiv = _binary("RealDiv", "RealDiv")
floordiv_op = _binary("FloorDiv", "FloorDiv")
floormod = _binary("FloorMod", "FloorMod")
maximum = _binary("Maximum", "Maximum")
minimum = _binary("Minimum", "Minimum")
squared_difference = _binary("SquaredDifference", "SquaredDifference")
truncatediv = _binary("TruncateDiv", "TruncateDiv")
truncatemod = _binary("TruncateMod", "TruncateMod")
div_no_nan = _binary("DivNoNan", "div_no_nan")
atan2 = _binary("Atan2", "Atan2")
xdivy = _binary("Xdivy", "Xdivy")
xlogy = _binary("Xlogy", "Xlogy")
multiply_no_nan = _binary("MulNoNan", "MulNoNan")
less = _binary("Less", "Less")
less_equal = _binary("LessEqual", "LessEqual")
greater = _binary("Greater", "Greater")
greater_equal = _binary("GreaterEqual", "GreaterEqual")
logical_and = _binary("LogicalAnd", "LogicalAnd")
logical_or = _binary("LogicalOr", "LogicalOr")
logical_not = _unary("LogicalNot")

for _t in UNARY:
    if _t != "Abs":             # tf.abs is the def at the end (Abs or ComplexAbs)
        globals()[_t.lower()] = _unary(_t)
negative = globals().pop("neg")
sigmoid = globals()["sigmoid"]
square = globals()["square"]
sqrt = globals()["sqrt"]
exp = globals()["exp"]
log = globals()["log"]
reciprocal = globals()["reciprocal"]
is_nan, is_inf, is_finite = globals()["isnan"], globals()["isinf"], globals()["isfinite"]
bessel_i0, bessel_i1 = globals().pop("besseli0"), globals().pop("besseli1")
bessel_i0e, bessel_i1e = globals().pop("besseli0e"), globals().pop("besseli1e")
xlog1py = _binary("Xlog1py", "Xlog1py")


@registry.api("IgammaGradA")
def igamma_grad_a(a, x, name=None):
    """d igamma(a, x) / da (the op Igamma's gradient builds; TF's raw op)."""
    return apply_op("IgammaGradA", [a, x], name=name or "IgammaGradA")[0]


@registry.api("Igamma")
def igamma(a, x, name=None):
    return apply_op("Igamma", [a, x], name=name or "Igamma")[0]


@registry.api("Igammac")
def igammac(a, x, name=None):
    return apply_op("Igammac", [a, x], name=name or "Igammac")[0]


@registry.api("Zeta")
def zeta(x, q, name=None):
    return apply_op("Zeta", [x, q], name=name or "Zeta")[0]


@registry.api("Polygamma")
def polygamma(a, x, name=None):
    return apply_op("Polygamma", [a, x], name=name or "Polygamma")[0]


def _default_float(v):
    """A value that is no tensor takes the op's default T, float32 (TF converts a float64
    NumPy array too, as its op definition's default type asks)."""
    if isinstance(v, _ops.Tensor) or hasattr(v, "_is_resource_variable"):
        return v
    return _np.asarray(v, dtype=_np.float32)


@registry.api("NextAfter")
def nextafter(x1, x2, name=None):
    """The next float after x1 toward x2 (float32 unless a tensor says otherwise)."""
    if not isinstance(x1, _ops.Tensor) and not isinstance(x2, _ops.Tensor):
        x1, x2 = _default_float(x1), _default_float(x2)
    return apply_op("NextAfter", [x1, x2], name=name or "NextAfter")[0]


@registry.api("Betainc")
def betainc(a, b, x, name=None):
    """I_x(a, b). a, b and x are each a scalar or all of one shape: TF's kernel checks this
    at run time (InvalidArgumentError), its shape function when the graph is built."""
    shapes = [getattr(v, "shape", None) if isinstance(v, _ops.Tensor) else _np.shape(v)
              for v in (a, b, x)]
    if not any(isinstance(v, _ops.Tensor) and _ops.is_symbolic(v) for v in (a, b, x)):
        dims = [tuple(s.as_list()) if hasattr(s, "as_list") else tuple(s) for s in shapes]
        for (n1, s1), (n2, s2) in (((0, dims[0]), (1, dims[1])), ((0, dims[0]), (2, dims[2])),
                                   ((1, dims[1]), (2, dims[2]))):
            if s1 and s2 and s1 != s2:
                from .. import errors as _errors
                fmt = lambda s: "[" + ",".join(str(d) for d in s) + "]"   # noqa: E731
                raise _errors.InvalidArgumentError(
                    None, None, f"Shapes of {'abx'[n1]} and {'abx'[n2]} are inconsistent: "
                                f"{fmt(s1)} vs. {fmt(s2)}")
    return apply_op("Betainc", [a, b, x], name=name or "Betainc")[0]


@registry.api("Pow")
def pow(x, y, name=None):  # noqa: A001 - TF's name
    with _ops.name_scope(name, "Pow", [x, y]) as name:
        return apply_op("Pow", [x, y], name=name)[0]


@registry.api("Equal")
def equal(x, y, name=None):
    return apply_op("Equal", [x, y], name=name or "Equal")[0]


@registry.api("NotEqual")
def not_equal(x, y, name=None):
    return apply_op("NotEqual", [x, y], name=name or "NotEqual")[0]


@registry.api("AddN")
def add_n(inputs, name=None):
    """Sums a list of tensors of the same shape and dtype (one AddN op)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices "
                         "with the same dtype and shape.")
    if len(inputs) == 1:
        from . import array_ops
        value = inputs[0]
        if getattr(value, "_is_indexed_slices", False):
            value = _ops.convert_to_tensor(value)
        return array_ops.identity(value, name=name)
    # each input converted on its own first, as TF does: [1.0] next to a float64 tensor is a
    # float32 tensor, and the op refuses the mix
    inputs = [x if isinstance(x, _ops.Tensor) or getattr(x, "_is_indexed_slices", False)
              else _ops.convert_to_tensor(x) for x in inputs]
    return apply_op("AddN", [inputs], name=name or "AddN")[0]


@registry.api("Cast")
def cast(x, dtype, name=None):
    """Casts to `dtype` (no op when it already has it, as TF)."""
    dtype = _dt.as_dtype(dtype).base_dtype
    if getattr(x, "_tf_elementwise_dispatch", False):
        if x.dtype.base_dtype == dtype:
            return x
        return x.with_flat_values(cast(x.flat_values, dtype, name=name))
    with _ops.name_scope(name, "Cast", [x]) as scope:
        if not isinstance(x, _ops.Tensor) and getattr(x, "_tfteach_dtype", None) is None:
            x = _ops.convert_to_tensor(x, name="x")
        elif not isinstance(x, _ops.Tensor):
            x = _ops.convert_to_tensor(x)
        if x.dtype.base_dtype == dtype:
            return x
        return apply_op("Cast", [x], {"DstT": dtype, "Truncate": False}, name=scope)[0]


def to_float(x, name="ToFloat"):
    return cast(x, _dt.float32, name=name)


def truediv(x, y, name=None):
    """x / y: integers are cast to float (int8/16 -> float32, int32/64 -> float64)."""
    with _ops.name_scope(name, "truediv", [x, y]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        y = _ops.convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, name="y")
        dt = x.dtype.base_dtype
        if dt != y.dtype.base_dtype:
            raise TypeError(f"`x` and `y` must have the same dtype, got {dt!r} != "
                            f"{y.dtype.base_dtype!r}.")
        target = {_dt.int8: _dt.float32, _dt.uint8: _dt.float32, _dt.int16: _dt.float32,
                  _dt.uint16: _dt.float32, _dt.int32: _dt.float64,
                  _dt.int64: _dt.float64}.get(dt)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op("RealDiv", [x, y], name=name)[0]


def divide(x, y, name=None):
    if name is not None:
        return truediv(x, y, name=name)
    return truediv(x, y)


def floordiv(x, y, name=None):
    with _ops.name_scope(name, "floordiv", [x, y]) as name:
        return apply_op("FloorDiv", [x, y], name=name)[0]


def div(x, y, name=None):
    """TF1's `tf.div`: Python 2 division (floor for ints, true for floats)."""
    with _ops.name_scope(name, "div", [x, y]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        y = _ops.convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
        if x.dtype.is_floating or x.dtype.is_complex:
            return apply_op("RealDiv", [x, y], name=name)[0]
        return apply_op("FloorDiv", [x, y], name=name)[0]


def mod(x, y, name=None):
    with _ops.name_scope(name, "mod", [x, y]) as name:
        return apply_op("FloorMod", [x, y], name=name)[0]


def logical_xor(x, y, name="LogicalXor"):
    with _ops.name_scope(name, "LogicalXor", [x, y]) as name:
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def scalar_mul(scalar, x, name=None):
    with _ops.name_scope(name, "scalar_mul", [x]) as name:
        return multiply(scalar, x, name=name)


# --- Python operators on tensors ---------------------------------------------------------

def _base(t):
    dt = getattr(t, "dtype", None)
    return dt.base_dtype if dt is not None else None


def _op(op_type):
    return lambda x, y, name: apply_op(op_type, [x, y], name=name)[0]


def _truediv_op(x, y, name):
    return truediv(x, y, name=name)


def _pow_op(x, y, name):
    return apply_op("Pow", [x, y], name=name)[0]


def _is_tensor_like(v):
    return isinstance(v, _ops.Tensor) or getattr(v, "_tfteach_dtype", None) is not None


def _operator(name, op_type_or_fn, reverse=False):
    fn = _op(op_type_or_fn) if isinstance(op_type_or_fn, str) else op_type_or_fn

    def wrapper(self, other):
        x, y = (other, self) if reverse else (self, other)
        with _ops.name_scope(None, name, [x, y]) as scope:
            # A tensor of another dtype is left as it is: the op then refuses it with TF's
            # TypeError ("Input 'y' of 'AddV2' Op has type float32 that does not match
            # type int32 of argument 'x'."); Python values take the tensor's dtype.
            if reverse:
                if not _is_tensor_like(x):
                    x = _ops.convert_to_tensor(x, dtype=_base(y), name="x")
            elif not _is_tensor_like(y):
                y = _ops.convert_to_tensor(y, dtype=_base(x), name="y")
            return fn(x, y, scope)
    return wrapper


def _xor_op(x, y, name):
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def _add_op(x, y, name):
    op_type = "Add" if x.dtype.base_dtype == _dt.string else "AddV2"
    return apply_op(op_type, [x, y], name=name)[0]


_OPERATORS = [("__add__", "add", _add_op), ("__sub__", "sub", "Sub"), ("__mul__", "mul", "Mul"),
              ("__truediv__", "truediv", _truediv_op), ("__floordiv__", "floordiv", "FloorDiv"),
              ("__mod__", "mod", "FloorMod"), ("__pow__", "pow", _pow_op),
              ("__and__", "and", "LogicalAnd"), ("__or__", "or", "LogicalOr"),
              ("__xor__", "xor", _xor_op)]
for _dunder, _name, _impl in _OPERATORS:
    _ops.register_overload(_dunder, _operator(_name, _impl))
    _ops.register_overload("__r" + _dunder[2:], _operator(_name, _impl, reverse=True))


def _matmul_operator(self, other):
    from . import linalg_ops
    with _ops.name_scope(None, "matmul", [self, other]) as scope:
        return linalg_ops.matmul(self, other, name=scope)


def _rmatmul_operator(self, other):
    from . import linalg_ops
    with _ops.name_scope(None, "matmul", [other, self]) as scope:
        return linalg_ops.matmul(other, self, name=scope)


_ops.register_overload("__matmul__", _matmul_operator)
_ops.register_overload("__rmatmul__", _rmatmul_operator)
_ops.register_overload("__neg__", lambda x: apply_op("Neg", [x], name="Neg")[0])
_ops.register_overload("__pos__", lambda x: x)
_ops.register_overload("__invert__", lambda x: apply_op("LogicalNot", [x], name="LogicalNot")[0])
for _dunder, _t in (("__lt__", "Less"), ("__le__", "LessEqual"), ("__gt__", "Greater"),
                    ("__ge__", "GreaterEqual")):
    _ops.register_overload(_dunder, (lambda t: lambda x, y: apply_op(t, [x, y], name=t)[0])(_t))
_ops.register_overload("__eq__", lambda x, y: _eq_operator(x, y, "Equal"))
_ops.register_overload("__ne__", lambda x, y: _eq_operator(x, y, "NotEqual"))


def _eq_operator(x, y, op_type):
    try:
        return apply_op(op_type, [x, y], name=op_type)[0]
    except (TypeError, ValueError):
        return op_type == "NotEqual"


# --- reductions ---------------------------------------------------------------------------
import builtins as _builtins  # noqa: E402

import numpy as _np  # noqa: E402

from ..framework.tensor_shape import TensorShape as _TensorShape  # noqa: E402
from ..framework.tensor_shape import unknown_shape as _unknown_shape  # noqa: E402


def _reduction_shape(op):
    x = op.inputs[0].shape
    axes = shape_rules.const_input(op, 1)
    keep = op.get_attr("keep_dims")
    if x.rank is None:
        return [_unknown_shape()]
    if axes is None:
        return [_unknown_shape(x.rank) if keep else _unknown_shape()]
    rank = x.rank
    red = set()
    for a in _np.reshape(axes, -1).tolist():
        if not -rank <= a < rank:
            raise op.shape_error(f"Invalid reduction dimension {a} for input with {rank} "
                                 f"dimensions.")
        red.add(a % rank)
    d = x.as_tuple()
    if keep:
        return [_TensorShape([1 if i in red else d[i] for i in _builtins.range(rank)])]
    return [_TensorShape([d[i] for i in _builtins.range(rank) if i not in red])]


REDUCTIONS = {"Sum": "T", "Mean": "T", "Prod": "T", "Max": "T", "Min": "T",
              "All": _dt.bool_, "Any": _dt.bool_}
for _t, _spec in REDUCTIONS.items():
    registry.register_op(_t, inputs=(("input", _spec), ("reduction_indices", "Tidx")),
                         outputs=(("output", _spec),), shape=_reduction_shape,
                         attr_defaults={"keep_dims": False},
                         doc=_DOC[_t])


def _arg_shape(op):
    x = op.inputs[0].shape
    axis = shape_rules.const_input(op, 1)
    if x.rank is None:
        return [_unknown_shape()]
    if axis is None:
        return [_unknown_shape(max(x.rank - 1, 0))]
    a = int(axis)
    if not -x.rank <= a < x.rank:
        raise op.shape_error(f"Dimension ({a}) must be in the range [{-x.rank}, {x.rank}), "
                             f"where {x.rank} is the number of dimensions in the input.")
    a %= x.rank
    d = x.as_tuple()
    return [_TensorShape(d[:a] + d[a + 1:])]


for _t in ("ArgMax", "ArgMin"):
    registry.register_op(_t, inputs=(("input", "T"), ("dimension", "Tidx")),
                         outputs=(("output", "output_type"),), shape=_arg_shape,
                         allowed={"output_type": ("int16", "uint16", "int32", "int64")},
                         doc=_DOC[_t])


def _resolve_keepdims(keepdims, keep_dims):
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'.")
    k = keepdims if keepdims is not None else keep_dims
    return bool(k) if k is not None else False


def _resolve_axis(axis, reduction_indices):
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'reduction_indices' and 'axis'.")
    return axis if axis is not None else reduction_indices


def _static_rank(x):
    """The static rank of a tensor or variable; None for Python/NumPy values (TF then builds
    Rank + Range, as its `_ReductionDims` does for anything without `.shape.rank`)."""
    if not (_ops.is_symbolic(x) or getattr(x, "_is_eager", False) or
            getattr(x, "_tfteach_dtype", None) is not None):
        return None
    d = shape_rules.static_dims(x)
    return None if d is None else len(d)


def _reduction_dims(x, axis):
    """The axes tensor of a reduction; all axes when `axis` is None (a Const made in the
    caller's scope, as TF does)."""
    if axis is not None:
        return axis
    rank = _static_rank(x)
    if rank is not None:
        from . import constant_op
        return constant_op.constant(_np.arange(rank, dtype=_np.int32))
    from . import array_ops
    return range(0, array_ops.rank(x), 1)


_ALLOWED = {"Sum": shape_rules.NUMBER_TYPES, "Mean": shape_rules.NUMBER_TYPES,
            "Prod": shape_rules.NUMBER_TYPES, "Max": shape_rules.REAL_NUMBER_TYPES,
            "Min": shape_rules.REAL_NUMBER_TYPES}


def _make_reduction(op_type, doc):
    def fn(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
           keep_dims=None):
        axis = _resolve_axis(axis, reduction_indices)
        keep = _resolve_keepdims(keepdims, keep_dims)
        if getattr(input_tensor, "_tf_elementwise_dispatch", False):   # a RaggedTensor
            return input_tensor._reduce(op_type, axis, keep, name)
        if op_type in _ALLOWED:
            shape_rules.check_dtype(op_type, "input", input_tensor, _ALLOWED[op_type])
        dims = _reduction_dims(input_tensor, axis)
        out = apply_op(op_type, [input_tensor, dims], {"keep_dims": keep},
                       name=name or op_type)[0]
        if axis is None and not keep and _ops.is_symbolic(out):
            out.set_shape([])       # all axes: a scalar even when the rank is unknown (TF)
        return out
    fn.__name__ = "reduce_" + op_type.lower()
    fn.__doc__ = doc
    return registry.api(op_type, stacklevel=2)(fn)


reduce_sum = _make_reduction("Sum", "Sum of elements across `axis` (all axes when None).")
reduce_mean = _make_reduction("Mean", "Mean across `axis`; integer inputs give a truncated "
                                      "integer mean, as in TF.")
reduce_prod = _make_reduction("Prod", "Product of elements across `axis`.")
reduce_max = _make_reduction("Max", "Maximum across `axis` (NaN propagates).")
reduce_min = _make_reduction("Min", "Minimum across `axis` (NaN propagates).")
reduce_all = _make_reduction("All", "Logical and across `axis`.")
reduce_any = _make_reduction("Any", "Logical or across `axis`.")


def _make_arg(op_type):
    def fn(input, axis=None, name=None, dimension=None, output_type=_dt.int64):  # noqa: A002
        if axis is not None and dimension is not None:
            raise ValueError("Cannot specify both 'axis' and 'dimension'")
        axis = axis if axis is not None else dimension
        if axis is None:
            axis = 0
        # TF 2.21's ArgMax/ArgMin also take bool (True > False)
        shape_rules.check_dtype(op_type, "input", input, shape_rules.NUMBER_TYPES + ("bool",))
        return apply_op(op_type, [input, axis], {"output_type": _dt.as_dtype(output_type)},
                        name=name or op_type)[0]
    fn.__name__ = op_type.lower()
    return registry.api(op_type, stacklevel=2)(fn)


argmax = _make_arg("ArgMax")
argmin = _make_arg("ArgMin")
arg_max = argmax
arg_min = argmin


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=_dt.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """Number of non-zero elements: NotEqual(x, 0) cast to `dtype` and summed (TF's graph)."""
    if input is not None:
        input_tensor = input
    axis = _resolve_axis(axis, reduction_indices)
    keep = _resolve_keepdims(keepdims, keep_dims)
    with _ops.name_scope(name, "count_nonzero", [input_tensor]):
        x = _ops.convert_to_tensor(input_tensor, name="input")
        from . import constant_op
        zero = constant_op.constant(_np.zeros((), x.dtype.base_dtype.np_dtype)
                                    if x.dtype.base_dtype != _dt.string else b"",
                                    dtype=x.dtype.base_dtype, name="zeros")
        nz = cast(not_equal(x, zero), dtype)
        return reduce_sum(nz, axis=axis, keepdims=keep)


# --- Range, LinSpace ---------------------------------------------------------------------------

def _range_shape(op):
    vals = [shape_rules.const_input(op, i) for i in _builtins.range(3)]
    for i, t in enumerate(op.inputs):
        shape_rules.require_rank(op, t.shape, 0)
    if any(v is None for v in vals):
        return [_unknown_shape(1)]
    start, limit, delta = (v.item() for v in vals)
    from ..kernels import shapes        # shared with the kernels; loaded on first use
    err = shapes.range_error(start, limit, delta)
    if err:
        raise op.shape_error(err)
    return [_TensorShape([shapes.range_size(start, limit, delta)])]


registry.register_op("Range", inputs=(("start", "Tidx"), ("limit", "Tidx"), ("delta", "Tidx")),
                     outputs=(("output", "Tidx"),), shape=_range_shape,
                     doc="The numbers start, start + delta, ... up to but not including limit.")


def _linspace_shape(op):
    n = shape_rules.const_input(op, 2)
    return [_TensorShape([None if n is None else int(n)])]


registry.register_op("LinSpace", inputs=(("start", "T"), ("stop", "T"), ("num", "Tidx")),
                     outputs=(("output", "T"),), shape=_linspace_shape,
                     doc="num evenly spaced values from start to stop, both included.")

_RANGE_HIERARCHY = [_dt.int32, _dt.int64, _dt.float16, _dt.bfloat16, _dt.float32, _dt.float64]


@registry.api("Range")
def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """tf.range: like Python's range; the dtype is the widest of the arguments' dtypes
    (int32 < int64 < float16 < float32 < float64) unless `dtype` is given."""
    if limit is None:
        start, limit = 0, start
    with _ops.name_scope(name, "Range", [start, limit, delta]) as scope:
        want = _dt.as_dtype(dtype) if dtype is not None else None
        start = _ops.convert_to_tensor(start, dtype=want, name="start")
        limit = _ops.convert_to_tensor(limit, dtype=want, name="limit")
        delta = _ops.convert_to_tensor(delta, dtype=want, name="delta")
        if want is None:
            kinds = [t.dtype.base_dtype for t in (start, limit, delta)]
            want = max(kinds, key=lambda d: _RANGE_HIERARCHY.index(d)
                       if d in _RANGE_HIERARCHY else -1)
            start, limit, delta = (t if t.dtype.base_dtype == want else cast(t, want)
                                   for t in (start, limit, delta))
        return apply_op("Range", [start, limit, delta], name=scope)[0]


@registry.api("LinSpace")
def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` inclusive.

    One `LinSpace` op named after the scope (TF 2.21 builds the same values out of ~80
    small ops under `linspace/`; the final tensor there is `linspace/Slice:0`)."""
    if axis != 0:
        raise NotImplementedError("tfteach's linspace supports axis=0 only")
    with _ops.name_scope(name, "linspace", [start, stop]) as scope:
        start = _ops.convert_to_tensor(start, name="start")
        stop = _ops.convert_to_tensor(stop, dtype=start.dtype.base_dtype, name="stop")
        num = _ops.convert_to_tensor(num, name="num")
        return apply_op("LinSpace", [start, stop, num], name=scope)[0]


lin_space = linspace


# --- scans: Cumsum, Cumprod -----------------------------------------------------------------

def _scan_shape(op):
    shape_rules.require_rank(op, op.inputs[1].shape, 0)
    return [op.inputs[0].shape]


for _t in ("Cumsum", "Cumprod"):
    registry.register_op(_t, inputs=(("x", "T"), ("axis", "Tidx")), outputs=(("out", "T"),),
                         shape=_scan_shape, attr_defaults={"exclusive": False,
                                                           "reverse": False},
                         doc=_DOC[_t])


def _make_scan(op_type):
    def fn(x, axis=0, exclusive=False, reverse=False, name=None):
        with _ops.name_scope(name, op_type, [x]) as name:
            x = _ops.convert_to_tensor(x, name="x")
            shape_rules.check_dtype(op_type, "x", x, shape_rules.NUMBER_TYPES)
            return apply_op(op_type, [x, axis], {"exclusive": bool(exclusive),
                                                  "reverse": bool(reverse)}, name=name)[0]
    fn.__name__ = op_type.lower()
    fn.__doc__ = (f"{op_type} along `axis`; `exclusive` leaves each element out of its own "
                  f"result, `reverse` scans from the end.")
    return registry.api(op_type, stacklevel=2)(fn)


cumsum = _make_scan("Cumsum")
cumprod = _make_scan("Cumprod")

registry.register_op("CumulativeLogsumexp", inputs=(("x", "T"), ("axis", "Tidx")),
                     outputs=(("out", "T"),), shape=_scan_shape,
                     attr_defaults={"exclusive": False, "reverse": False},
                     doc="Running log(sum(exp(x))) along an axis (optionally exclusive or "
                         "reversed).")


@registry.api("CumulativeLogsumexp")
def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) without overflow; `exclusive` starts from -inf (the log of 0)."""
    with _ops.name_scope(name, "CumulativeLogsumexp", [x]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        return apply_op("CumulativeLogsumexp", [x, axis], {"exclusive": bool(exclusive),
                                                            "reverse": bool(reverse)},
                        name=name)[0]


registry.register_op("EuclideanNorm", inputs=(("input", "T"), ("reduction_indices", "Tidx")),
                     outputs=(("output", "T"),), shape=_reduction_shape,
                     attr_defaults={"keep_dims": False},
                     doc="sqrt(sum(|x|^2)) over the given axes.")


@registry.api("EuclideanNorm")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """The 2-norm of the elements across `axis` (all axes when None), one EuclideanNorm op."""
    keep = bool(keepdims)
    dims = _reduction_dims(input_tensor, axis)
    out = apply_op("EuclideanNorm", [input_tensor, dims], {"keep_dims": keep},
                   name=name or "EuclideanNorm")[0]
    if axis is None and not keep and _ops.is_symbolic(out):
        out.set_shape([])
    return out


def _bincount_shape(op):
    from ..framework.tensor_shape import TensorShape
    x, w = op.inputs[0].shape, op.inputs[2].shape
    size = shape_rules.const_input(op, 1)
    n = int(size) if size is not None else None
    if x.rank is not None and x.rank > 2:
        raise op.shape_error(f"Shape must be at most rank 2 but is rank {x.rank}")
    if x.rank == 2:
        return [TensorShape([x[0], n])]
    return [TensorShape([n] if x.rank is not None else None)]


registry.register_op("DenseBincount", inputs=(("input", "Tidx"), ("size", "Tidx"),
                                              ("weights", "T")),
                     outputs=(("output", "T"),), shape=_bincount_shape,
                     attr_defaults={"binary_output": False},
                     doc="Counts (or summed weights) of each value in [0, size) of a vector, "
                         "or of each row of a matrix.")


@registry.api("DenseBincount")
def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=_dt.int32, name=None,
             axis=None, binary_output=False):
    """How often each value 0..max(arr) occurs (the weights' sum per value with `weights`;
    1 or 0 with `binary_output`), at least `minlength` and at most `maxlength` bins; axis=-1
    counts each row of a matrix. One DenseBincount, its size computed as TF computes it."""
    from . import array_ops
    with _ops.name_scope(name, "bincount", [arr, weights, minlength, maxlength]):
        arr = _ops.convert_to_tensor(arr, name="arr")
        if not arr.dtype.is_integer:
            arr = cast(arr, _dt.int32)
        if axis is None:
            axis = 0
        if axis not in (0, -1):
            raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                             f"currently supported.")
        if axis == 0:
            arr = array_ops.reshape(arr, [-1])
        nonempty = greater(array_ops.size(arr), 0)
        output_size = cast(nonempty, arr.dtype) * (reduce_max(arr) + 1)
        if minlength is not None:
            minlength = _ops.convert_to_tensor(minlength, name="minlength", dtype=arr.dtype)
            output_size = maximum(minlength, output_size)
        if maxlength is not None:
            maxlength = _ops.convert_to_tensor(maxlength, name="maxlength", dtype=arr.dtype)
            output_size = minimum(maxlength, output_size)
        if weights is not None:
            weights = _ops.convert_to_tensor(weights, name="weights")
            if axis == 0:
                weights = array_ops.reshape(weights, [-1])
        else:
            weights = _ops.convert_to_tensor(_np.zeros((0,), _dt.as_dtype(dtype).np_dtype))
        return apply_op("DenseBincount", [arr, output_size, weights],
                        {"binary_output": bool(binary_output)}, name="DenseBincount")[0]


# --- composites TF builds from the ops above ---------------------------------------------------

def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) computed as max + log(sum(exp(x - max))) so large inputs do not
    overflow; an all -inf slice gives -inf (the max is replaced by 0 where not finite)."""
    from . import array_ops
    axis = _resolve_axis(axis, reduction_indices)
    keepdims = _resolve_keepdims(keepdims if keepdims else None, keep_dims)
    with _ops.name_scope(name, "ReduceLogSumExp", [input_tensor]) as name:
        raw_max = reduce_max(input_tensor, axis, keepdims=True)
        my_max = array_ops.stop_gradient(
            array_ops.where_v2(isfinite(raw_max), raw_max, 0))
        result = log(reduce_sum(exp(subtract(input_tensor, my_max)), axis,
                                keepdims=keepdims))
        if not keepdims:
            my_max = array_ops.reshape(my_max, apply_op("Shape", [result],
                                                        {"out_type": _dt.int32},
                                                        name="Shape")[0])
        return add(result, my_max, name=name)


def log_sigmoid(x, name=None):
    """log(1 / (1 + exp(-x))) as -softplus(-x): exact for large |x|."""
    with _ops.name_scope(name, "LogSigmoid", [x]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        return apply_op("Neg", [apply_op("Softplus", [-x], name="Softplus")[0]],
                        name=name)[0]


_VECTOR_NORMS = ["euclidean", 1, 2, _np.inf]
_MATRIX_NORMS = ["euclidean", "fro", 1, 2, _np.inf]


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None,  # noqa: A002
         keep_dims=None):
    """Vector norms (ord: 'euclidean', 1, 2, inf, any p > 0) over `axis` (None: all
    elements) and matrix norms ('fro', 1, inf) over a pair of axes."""
    from . import array_ops
    keepdims = _resolve_keepdims(keepdims, keep_dims)
    is_matrix_norm = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix_norm:
        axis = tuple(axis)
        if (not isinstance(axis[0], int) or not isinstance(axis[1], int)
                or axis[0] == axis[1]):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if ord not in _MATRIX_NORMS:
            raise ValueError(f"'ord' must be a supported matrix norm in {_MATRIX_NORMS}, "
                             f"got {ord}")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if ord not in _VECTOR_NORMS and (isinstance(ord, str) or not _np.isreal(ord)
                                         or ord <= 0):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (axis,)
    with _ops.name_scope(name, "norm", [tensor]):
        tensor = _ops.convert_to_tensor(tensor)
        if ord in ["fro", "euclidean", 2, 2.0]:
            if is_matrix_norm and ord in [2, 2.0]:
                result = _spectral_norm(tensor, axis)
            else:
                result = sqrt(reduce_sum(tensor * tensor, axis, keepdims=True))
        else:
            result = abs(tensor)
            if ord == 1:
                if is_matrix_norm:
                    result = reduce_max(reduce_sum(result, axis[0], keepdims=True),
                                        axis[1], keepdims=True)
                else:
                    result = reduce_sum(result, axis, keepdims=True)
            elif ord == _np.inf:
                if is_matrix_norm:
                    result = reduce_max(reduce_sum(result, axis[1], keepdims=True),
                                        axis[0], keepdims=True)
                else:
                    result = reduce_max(result, axis, keepdims=True)
            else:
                result = pow(reduce_sum(pow(result, ord), axis, keepdims=True), 1.0 / ord)
        if not keepdims:
            result = array_ops.squeeze(result, axis)
        return result


def _spectral_norm(tensor, axis):
    """The matrix 2-norm over the two axes: the largest singular value (the two axes moved
    last for the SVD, then back, kept as size-1 dimensions)."""
    from . import array_ops
    rank = tensor.shape.rank
    if rank is None:
        raise ValueError("the matrix 2-norm needs a tensor of known rank")
    axes = [a % rank for a in axis]
    perm = [i for i in _builtins.range(rank) if i not in axes] + axes
    s = apply_op("Svd", [array_ops.transpose(tensor, perm)],
                 {"compute_uv": False, "full_matrices": False}, name="Svd")[0]
    top = reduce_max(s, -1, keepdims=True)
    top = array_ops.expand_dims(top, -1)
    inverse = [perm.index(i) for i in _builtins.range(rank)]
    return array_ops.transpose(top, inverse)


# --- saturate_cast, timestamp ------------------------------------------------------------------

def saturate_cast(value, dtype, name=None):
    """`value` cast to `dtype`, clipped first to dtype's range (TF's Maximum/Minimum then
    Cast) so out-of-range values saturate instead of wrapping."""
    from ..framework import dtypes as _dtm
    import numpy as _np
    with _ops.name_scope(name, "saturate_cast", [value]) as scope:
        value = _ops.convert_to_tensor(value, name="value")
        dtype = _dtm.as_dtype(dtype).base_dtype
        src = value.dtype.base_dtype
        if not src.is_complex and not dtype.is_bool and src != dtype:
            info = _np.iinfo if dtype.is_integer else _np.finfo
            sinfo = _np.iinfo if src.is_integer else _np.finfo
            lo, hi = info(dtype.np_dtype).min, info(dtype.np_dtype).max
            if sinfo(src.np_dtype).min < lo:
                value = maximum(value, _np.asarray(lo).astype(src.np_dtype))
            if sinfo(src.np_dtype).max > hi:
                value = minimum(value, _np.asarray(hi).astype(src.np_dtype))
        return cast(value, dtype, name=scope)


@registry.api("Timestamp")
def timestamp(name=None):
    return apply_op("Timestamp", [], name=name or "Timestamp")[0]


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Mean squared deviation from the mean (|x - mean|^2 for complex input)."""
    with _ops.name_scope(name or "reduce_variance"):
        x = _ops.convert_to_tensor(input_tensor, name="input_tensor")
        means = reduce_mean(x, axis=axis, keepdims=True)
        if not (means.dtype.is_floating or means.dtype.is_complex):
            raise TypeError(f"Input must be either real or complex. Received integer type "
                            f"{means.dtype}.")
        diff = x - means
        if diff.dtype.is_complex:
            g = globals()     # real/conj come with the complex ops, where present
            if "real" not in g or "conj" not in g:
                raise NotImplementedError("reduce_variance of complex input needs "
                                          "tf.math.real and tf.math.conj, which tfteach "
                                          "does not implement yet")
            sq = g["real"](diff * g["conj"](diff))
        else:
            sq = square(diff)
        return reduce_mean(sq, axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Square root of reduce_variance."""
    with _ops.name_scope(name or "reduce_std"):
        x = _ops.convert_to_tensor(input_tensor, name="input_tensor")
        return sqrt(reduce_variance(x, axis=axis, keepdims=keepdims))


# --- complex numbers -----------------------------------------------------------------------------
# TF's complex ops carry the real dtype as `Tout` (complex64 <-> float32, complex128 <->
# float64); `tf.abs` on a complex tensor is ComplexAbs (Abs itself has no complex kernel).

def _tout_shape(op):
    return [op.inputs[0].shape]


for _t, _doc in (("ComplexAbs", "|z| of each complex element, in the matching real dtype."),
                 ("Real", "The real part of each complex element."),
                 ("Imag", "The imaginary part of each complex element."),
                 ("Angle", "The argument atan2(imag, real) of each complex element.")):
    registry.register_op(_t, inputs=(("x" if _t == "ComplexAbs" else "input", "T"),),
                         outputs=(("y" if _t == "ComplexAbs" else "output", "Tout"),),
                         shape=_tout_shape, doc=_doc)
registry.register_op("Conj", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.same_as_first,
                     doc="The complex conjugate of each element.")
registry.register_op("Complex", inputs=(("real", "T"), ("imag", "T")),
                     outputs=(("out", "Tout"),), shape=shape_rules.broadcast,
                     doc="real + imag * 1j, broadcast, as complex64/complex128.")

_REAL_OF = {_dt.complex64: _dt.float32, _dt.complex128: _dt.float64}
_COMPLEX_OF = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}


def _complex_part(op_type, default_name, x, name):
    with _ops.name_scope(name, default_name, [x]) as scope:
        x = _ops.convert_to_tensor(x, name="input")
        dt = x.dtype.base_dtype
        if not dt.is_complex:
            return None, x, scope
        return apply_op(op_type, [x], {"Tout": _REAL_OF[dt]}, name=scope)[0], x, scope


@registry.api("Real")
def real(input, name=None):  # noqa: A002 - TF's name
    """The real part; a real tensor is returned as it is (no op, as TF)."""
    out, x, _ = _complex_part("Real", "Real", input, name)
    return x if out is None else out


@registry.api("Imag")
def imag(input, name=None):  # noqa: A002
    """The imaginary part; zeros for a real tensor."""
    out, x, scope = _complex_part("Imag", "Imag", input, name)
    if out is None:
        from . import array_ops
        return array_ops.zeros_like(x, name=scope)
    return out


@registry.api("Angle")
def angle(input, name=None):  # noqa: A002
    """atan2(imag, real); for a real tensor pi where it is negative, else 0 (as TF)."""
    out, x, scope = _complex_part("Angle", "Angle", input, name)
    if out is None:
        from . import array_ops
        pi = _np.asarray(_np.pi, dtype=x.dtype.base_dtype.np_dtype)
        return array_ops.where_v2(less(x, _np.zeros((), x.dtype.base_dtype.np_dtype)),
                                  pi * array_ops.ones_like(x), array_ops.zeros_like(x),
                                  name=scope)
    return out


@registry.api("Conj")
def conj(x, name=None):
    """The complex conjugate; real and integer tensors come back unchanged (as TF)."""
    if isinstance(getattr(x, "dtype", None), _dt.DType) and not x.dtype.base_dtype.is_complex \
            and x.dtype.base_dtype.is_numeric:
        return x
    with _ops.name_scope(name, "Conj", [x]) as scope:
        x = _ops.convert_to_tensor(x, name="x")
        dt = x.dtype.base_dtype
        if dt.is_complex or dt == _dt.variant:
            return apply_op("Conj", [x], name=scope)[0]
        if dt.is_numeric:
            return x
        raise TypeError(f"Expected numeric or variant tensor, got dtype {dt!r}")


@registry.api("Complex")
def complex(real, imag, name=None):  # noqa: A001 - TF's name
    """real + imag*1j: float32 parts give complex64, float64 parts complex128."""
    with _ops.name_scope(name, "Complex", [real, imag]) as scope:
        real = _ops.convert_to_tensor(real, name="real")
        imag = _ops.convert_to_tensor(imag, name="imag")
        a, b = real.dtype.base_dtype, imag.dtype.base_dtype
        if a != b or a not in _COMPLEX_OF:
            raise TypeError(f"The `real` and `imag` components have incorrect types: "
                            f"{a.name} {b.name}. They must be consistent, and one of "
                            f"[tf.float32, tf.float64]")
        return apply_op("Complex", [real, imag], {"Tout": _COMPLEX_OF[a]}, name=scope)[0]


@registry.api("Abs")
@registry.api("ComplexAbs")
def abs(x, name=None):  # noqa: A001 - TF's name
    """|x|; for complex x the modulus, in the matching real dtype (TF's ComplexAbs)."""
    dt = getattr(x, "dtype", None)
    if not isinstance(dt, _dt.DType):       # a NumPy array or a Python value
        dt = None
        if _np.iscomplexobj(x):
            x = _ops.convert_to_tensor(x)
            dt = x.dtype
    if dt is not None and dt.base_dtype.is_complex:
        return apply_op("ComplexAbs", [x], {"Tout": _REAL_OF[dt.base_dtype]},
                        name=name or "Abs")[0]
    return apply_op("Abs", [x], name=name or "Abs")[0]


_ops.register_overload("__abs__", lambda x: abs(x))


# --- histograms --------------------------------------------------------------------------------

def _histogram_shape(op):
    shape_rules.require_rank(op, op.inputs[1].shape, 1)
    shape_rules.require_rank(op, op.inputs[2].shape, 0)
    nbins = shape_rules.const_input(op, 2)
    return [_TensorShape([None if nbins is None else int(nbins)])]


registry.register_op(
    "HistogramFixedWidth", inputs=(("values", "T"), ("value_range", "T"),
                                   ("nbins", _dt.int32)),
    outputs=(("out", "dtype"),), shape=_histogram_shape,
    allowed={"T": ("int32", "int64", "float32", "float64"), "dtype": ("int32", "int64")},
    doc="Counts of the values in nbins equal bins over value_range (outliers in the end "
        "bins).")


@registry.api("HistogramFixedWidth")
def histogram_fixed_width(values, value_range, nbins=100, dtype=_dt.int32, name=None):
    """How many `values` fall in each of `nbins` equal-width bins spanning `value_range`;
    values below the range count in the first bin, values above it in the last."""
    with _ops.name_scope(name, "histogram_fixed_width", [values, value_range, nbins]) as name:
        return apply_op("HistogramFixedWidth", [values, value_range, nbins],
                        {"dtype": _dt.as_dtype(dtype).base_dtype}, name=name)[0]


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=_dt.int32, name=None):
    """The bin (0 .. nbins-1) of each of `values`, bins as in histogram_fixed_width, in
    `values`' shape. As in TF 2.21 the indices are int32 whatever `dtype` says."""
    from . import array_ops
    with _ops.name_scope(name, "histogram_fixed_width_bins", [values, value_range]):
        values = _ops.convert_to_tensor(values, name="values")
        shape = array_ops.shape(values)
        values = array_ops.reshape(values, [-1])
        value_range = _ops.convert_to_tensor(value_range, name="value_range")
        nbins = _ops.convert_to_tensor(nbins, dtype=_dt.int32, name="nbins")
        n = cast(nbins, values.dtype)
        # each value's place in the range as a fraction, then its bin, the outliers clipped
        # into the end bins
        lo, hi = value_range[0], value_range[1]
        fraction = truediv(values - lo, hi - lo, name="scaled_values")
        bins = floor(n * fraction, name="indices")
        with _ops.name_scope("clip_by_value"):     # (clip_ops imports this module)
            bins = maximum(minimum(bins, n - 1), 0)
        bins = cast(bins, _dt.int32)
        return array_ops.reshape(bins, shape)
