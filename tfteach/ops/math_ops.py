"""Element-wise arithmetic, comparison and logical ops, and the Python operators on tensors.

Each op type is declared once with `register_op` (inputs, outputs, shape rule); its kernels
live in `tfteach/kernels/<device>/math.py` and its gradient in `math_grad.py`.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import shape_rules

# --- declarations -------------------------------------------------------------------------

BINARY = ["AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Pow", "Maximum",
          "Minimum", "SquaredDifference", "TruncateDiv", "TruncateMod", "DivNoNan", "Atan2",
          "Xdivy", "Xlogy", "MulNoNan"]
COMPARE = ["Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual"]
LOGICAL = ["LogicalAnd", "LogicalOr"]
UNARY = ["Neg", "Abs", "Sqrt", "Rsqrt", "Square", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos",
         "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Sigmoid", "Sign", "Floor",
         "Ceil", "Round", "Rint", "Reciprocal", "Erf", "Softplus", "Softsign", "Relu", "Relu6",
         "Elu", "Selu", "IsNan", "IsInf", "IsFinite", "Inv"]

for _t in BINARY:
    registry.register_op(_t, inputs=(("x", "T"), ("y", "T")), outputs=(("z", "T"),),
                         shape=shape_rules.broadcast)
for _t in COMPARE:
    registry.register_op(_t, inputs=(("x", "T"), ("y", "T")), outputs=(("z", _dt.bool_),),
                         shape=shape_rules.broadcast)
for _t in LOGICAL:
    registry.register_op(_t, inputs=(("x", _dt.bool_), ("y", _dt.bool_)),
                         outputs=(("z", _dt.bool_),), shape=shape_rules.broadcast)
registry.register_op("LogicalNot", inputs=(("x", _dt.bool_),), outputs=(("y", _dt.bool_),),
                     shape=shape_rules.same_as_first)
for _t in UNARY:
    out = _dt.bool_ if _t in ("IsNan", "IsInf", "IsFinite") else "T"
    arg = "features" if _t in ("Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign") else "x"
    registry.register_op(_t, inputs=((arg, "T"),), outputs=(("y", out),),
                         shape=shape_rules.same_as_first)
registry.register_op("AddN", inputs=(("*inputs", "T"),), outputs=(("sum", "T"),),
                     shape=shape_rules.all_same)
registry.register_op("Cast", inputs=(("x", "SrcT"),), outputs=(("y", "DstT"),),
                     shape=shape_rules.same_as_first)


# --- constructors ----------------------------------------------------------------------------

def _binary(op_type, default_name):
    def fn(x, y, name=None):
        return apply_op(op_type, [x, y], name=name or default_name)[0]
    fn.__name__ = default_name
    return fn


def _unary(op_type):
    def fn(x, name=None):
        return apply_op(op_type, [x], name=name or op_type)[0]
    fn.__name__ = op_type
    return fn


add = _binary("AddV2", "Add")
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
    globals()[_t.lower()] = _unary(_t)
negative = globals().pop("neg")
sigmoid = globals()["sigmoid"]
square = globals()["square"]
sqrt = globals()["sqrt"]
exp = globals()["exp"]
log = globals()["log"]
reciprocal = globals()["reciprocal"]
is_nan, is_inf, is_finite = globals()["isnan"], globals()["isinf"], globals()["isfinite"]


def abs(x, name=None):  # noqa: A001 - TF's name
    return apply_op("Abs", [x], name=name or "Abs")[0]


def pow(x, y, name=None):  # noqa: A001 - TF's name
    with _ops.name_scope(name, "Pow", [x, y]) as name:
        return apply_op("Pow", [x, y], name=name)[0]


def equal(x, y, name=None):
    return apply_op("Equal", [x, y], name=name or "Equal")[0]


def not_equal(x, y, name=None):
    return apply_op("NotEqual", [x, y], name=name or "NotEqual")[0]


def add_n(inputs, name=None):
    """Sums a list of tensors of the same shape and dtype (one AddN op)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be an iterable of at least one Tensor/IndexedSlices "
                         "with the same dtype and shape")
    if len(inputs) == 1:
        from . import array_ops
        return array_ops.identity(inputs[0], name=name)
    return apply_op("AddN", [list(inputs)], name=name or "AddN")[0]


def cast(x, dtype, name=None):
    """Casts to `dtype` (no op when it already has it, as TF)."""
    dtype = _dt.as_dtype(dtype).base_dtype
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


def _operator(name, op_type_or_fn, reverse=False):
    fn = _op(op_type_or_fn) if isinstance(op_type_or_fn, str) else op_type_or_fn

    def wrapper(self, other):
        x, y = (other, self) if reverse else (self, other)
        with _ops.name_scope(None, name, [x, y]) as scope:
            if reverse:
                x = _ops.convert_to_tensor(x, dtype=_base(y), name="x")
            else:
                y = _ops.convert_to_tensor(y, dtype=_base(x), name="y")
            return fn(x, y, scope)
    return wrapper


def _xor_op(x, y, name):
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


_OPERATORS = [("__add__", "add", "AddV2"), ("__sub__", "sub", "Sub"), ("__mul__", "mul", "Mul"),
              ("__truediv__", "truediv", _truediv_op), ("__floordiv__", "floordiv", "FloorDiv"),
              ("__mod__", "mod", "FloorMod"), ("__pow__", "pow", _pow_op),
              ("__and__", "and", "LogicalAnd"), ("__or__", "or", "LogicalOr"),
              ("__xor__", "xor", _xor_op)]
for _dunder, _name, _impl in _OPERATORS:
    _ops.register_overload(_dunder, _operator(_name, _impl))
    _ops.register_overload("__r" + _dunder[2:], _operator(_name, _impl, reverse=True))


def _matmul_operator(self, other):
    from . import linalg_ops
    return linalg_ops.matmul(self, other)


def _rmatmul_operator(self, other):
    from . import linalg_ops
    return linalg_ops.matmul(other, self)


_ops.register_overload("__matmul__", _matmul_operator)
_ops.register_overload("__rmatmul__", _rmatmul_operator)
_ops.register_overload("__neg__", lambda x: apply_op("Neg", [x], name="Neg")[0])
_ops.register_overload("__pos__", lambda x: x)
_ops.register_overload("__abs__", lambda x: apply_op("Abs", [x], name="Abs")[0])
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
