"""Gradient functions of the math family (element-wise ops, casts, reductions, scans), and
the small op constructors the other families' gradients share.

Each function receives the forward op and the gradient(s) flowing into its outputs and
returns one gradient (or None) per input. They only read `op.inputs`, `op.outputs`,
`op.get_attr`, `op.type` and `op.name`, and build their result with ordinary ops, so the
same code adds ops to a graph under `tf.gradients` and computes values under the eager tape.

The ops created and their names follow TF 2.21 (`gradients/mul_grad/Mul`, ...): where
static shapes of a broadcasting op are equal no reduction ops are added; otherwise
`Sum` (keep_dims) + `Reshape` undo the broadcast on the side that needs it.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import array_ops, constant_op, math_ops  # noqa: F401


def _conj(t):
    """TF's gradients of complex ops use the conjugate (conj(dy/dx) * grad); for real
    tensors this is the tensor itself and adds no op."""
    dt = getattr(t, "dtype", None)
    if dt is not None and dt.base_dtype.is_complex:
        return _op1("Conj", [t])
    return t


# --- small op constructors (TF's default op names) -------------------------------------

def _op(op_type, inputs, attrs=None, name=None):
    return apply_op(op_type, list(inputs), attrs, name=name or op_type)


def _op1(op_type, inputs, attrs=None, name=None):
    return _op(op_type, inputs, attrs, name)[0]


def shape(x, optimize=True):
    """tf.shape (a Const when the static shape is known and `optimize`)."""
    if optimize or _ops.executing_eagerly() and not _ops.is_symbolic(x):
        return array_ops.shape(x)
    return _op1("Shape", [x], {"out_type": _dt.int32})


def _int32(v):
    return np.asarray(v, dtype=np.int32)


def reshape(x, new_shape, name=None):
    if isinstance(new_shape, (list, tuple)):
        new_shape = _int32(new_shape)
    return _op1("Reshape", [x, new_shape], name=name)


def reduce_sum(x, axes, keepdims=False, name=None):
    if isinstance(axes, (list, tuple)):
        axes = _int32(axes)
    return _op1("Sum", [x, axes], {"keep_dims": bool(keepdims)}, name=name or "Sum")


def tile(x, multiples):
    if isinstance(multiples, (list, tuple)):
        multiples = _int32(multiples)
    return _op1("Tile", [x, multiples])


def fill(dims, value, name=None):
    return _op1("Fill", [dims, value], name=name)


def zeros_like(x):
    """A ZerosLike op (TF's `zeros_like(x, optimize=False)`: the zero gradient of an op's
    output nobody differentiated)."""
    x = _ops.convert_to_tensor(x)
    return _op1("ZerosLike", [x], name="zeros_like")


def ones_like(x):
    x = _ops.convert_to_tensor(x)
    return _op1("OnesLike", [x], name="ones_like")


def where_v2(cond, x, y):
    return _op1("SelectV2", [cond, x, y])


@registry.api("BroadcastGradientArgs")
def broadcast_gradient_args(sx, sy):
    return _op("BroadcastGradientArgs", [sx, sy])


def matmul(a, b, transpose_a=False, transpose_b=False, name=None):
    return _op1("MatMul", [a, b], {"transpose_a": bool(transpose_a),
                                   "transpose_b": bool(transpose_b)}, name=name)


def batch_matmul(a, b, adj_x=False, adj_y=False):
    return _op1("BatchMatMulV2", [a, b], {"adj_x": bool(adj_x), "adj_y": bool(adj_y)})


def cast(x, dtype):
    """math_ops.cast, returning a tensor of the right dtype untouched *before* opening the
    `Cast` name scope (as TF does), so no name is used up."""
    dtype = _dt.as_dtype(dtype).base_dtype
    if isinstance(x, _ops.Tensor) and x.dtype.base_dtype == dtype:
        return x
    return math_ops.cast(x, dtype)


def _shape_tuple(t):
    s = t.shape
    return None if s.rank is None else s.as_tuple()


def _is_scalar(t):
    return _shape_tuple(t) == ()


def _fully_equal(x, y, grad):
    xs, ys, gs = _shape_tuple(x), _shape_tuple(y), _shape_tuple(grad)
    return xs == ys == gs and xs is not None and None not in xs


def _skip(op):
    return getattr(op, "skip_input_indices", None) or ()


# --- broadcasting --------------------------------------------------------------------------

def _infer_reduction_axes(xs, ys):
    """Axes along which x and y were broadcast, when static shapes decide it."""
    if xs.rank is None or ys.rank is None:
        return None, None
    x, y = xs.as_tuple(), ys.as_tuple()
    n = max(len(x), len(y))
    x_axes, y_axes = [], []
    for axis in range(n):
        xd = 1 if axis < n - len(x) else x[axis - (n - len(x))]
        yd = 1 if axis < n - len(y) else y[axis - (n - len(y))]
        if xd == 1 and yd != 1:
            x_axes.append(axis)
        elif yd == 1 and xd != 1:
            y_axes.append(axis)
        elif xd is None or yd is None:
            return None, None
    return x_axes, y_axes


def smart_broadcast_gradient_args(x, y):
    """((shape_x, axes_x, must_reduce_x), (shape_y, axes_y, must_reduce_y))."""
    sx = shape(x)
    sy = shape(y)
    if _ops.is_symbolic(x) and _ops.is_symbolic(y):
        ax, ay = _infer_reduction_axes(x.shape, y.shape)
    else:
        ax, ay = None, None
    if ax is None or ay is None:
        ax, ay = broadcast_gradient_args(sx, sy)
        return (sx, ax, True), (sy, ay, True)
    rx, ry = x.shape.rank, y.shape.rank
    return (sx, ax, bool(ax) or rx < ry), (sy, ay, bool(ay) or ry < rx)


def _reduce_arg(grad, spec):
    s, axes, must = spec
    if grad is not None and must:
        grad = reduce_sum(grad, axes, keepdims=True)
        grad = reshape(grad, s)
    return grad


def reduce_gradient_args(x, y, gx, gy):
    if gx is not None or gy is not None:
        bx, by = smart_broadcast_gradient_args(x, y)
        gx = _reduce_arg(gx, bx)
        gy = _reduce_arg(gy, by)
    return gx, gy


# --- binary element-wise ops -----------------------------------------------------------------

@registry.RegisterGradient("AddV2")
@registry.RegisterGradient("Add")
def _add_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    skip = _skip(op)
    if 1 in skip and _is_scalar(y):
        return grad, None
    if isinstance(grad, _ops.Tensor) and _fully_equal(x, y, grad):
        return grad, grad
    return reduce_gradient_args(x, y, None if 0 in skip else grad,
                                None if 1 in skip else grad)


@registry.RegisterGradient("Sub")
def _sub_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    skip = _skip(op)
    if 1 in skip and _is_scalar(y):
        return grad, None
    if isinstance(grad, _ops.Tensor) and _fully_equal(x, y, grad):
        return grad, -grad
    return reduce_gradient_args(x, y, None if 0 in skip else grad,
                                None if 1 in skip else -grad)


@registry.RegisterGradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    if x.dtype.base_dtype.is_complex:
        x, y = _conj(x), _conj(y)
    skip = _skip(op)
    if 1 in skip and _is_scalar(y):
        return _op1("Mul", [grad, y]), None
    if isinstance(grad, _ops.Tensor) and _fully_equal(x, y, grad) and \
            grad.dtype.base_dtype in (_dt.int32, _dt.float32):
        return _op1("Mul", [grad, y]), _op1("Mul", [grad, x])
    gx = None if 0 in skip else _op1("Mul", [grad, y])
    gy = None if 1 in skip else _op1("Mul", [x, grad])
    return reduce_gradient_args(x, y, gx, gy)


@registry.RegisterGradient("MulNoNan")
def _mul_no_nan_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    gx = _op1("MulNoNan", [grad, y])
    gy = _op1("MulNoNan", [x, grad])
    if isinstance(grad, _ops.Tensor) and _fully_equal(x, y, grad):
        return gx, gy
    return reduce_gradient_args(x, y, gx, gy)


@registry.RegisterGradient("RealDiv")
@registry.RegisterGradient("Div")
def _real_div_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    if x.dtype.base_dtype.is_complex:
        x, y = _conj(x), _conj(y)
    gx = _op1("RealDiv", [grad, y])
    gy = grad * _op1("RealDiv", [_op1("RealDiv", [-x, y]), y])
    return reduce_gradient_args(x, y, gx, gy)


@registry.RegisterGradient("DivNoNan")
def _div_no_nan_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    gx = _op1("DivNoNan", [grad, y])
    gy = grad * _op1("DivNoNan", [_op1("DivNoNan", [-x, y]), y])
    return reduce_gradient_args(x, y, gx, gy)


@registry.RegisterGradient("FloorDiv")
@registry.RegisterGradient("TruncateDiv")
def _floor_div_grad(op, grad):
    return None, None


@registry.RegisterGradient("FloorMod")
def _floor_mod_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    floor_xy = _op1("FloorDiv", [x, y])
    gy = grad * math_ops.negative(floor_xy)
    return reduce_gradient_args(x, y, grad, gy)


@registry.RegisterGradient("Pow")
def _pow_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    skip = _skip(op)
    if 1 in skip and _is_scalar(y):
        return grad * y * math_ops.pow(x, y - 1), None
    gx = None if 0 in skip else grad * y * math_ops.pow(x, y - 1)
    gy = None
    if 1 not in skip:
        # log(x) is undefined for x <= 0: TF reports 0 there rather than NaN.
        mask = x > 0
        safe_x = _op1("Select", [mask, x, array_ops.ones_like(x)])
        log_x = _op1("Select", [mask, math_ops.log(safe_x), array_ops.zeros_like(x)])
        gy = grad * op.outputs[0] * log_x
    return reduce_gradient_args(x, y, gx, gy)


def _maximum_minimum_grad(op, grad, selector):
    x, y = op.inputs[0], op.inputs[1]
    skip = _skip(op)
    if 1 in skip and _is_scalar(y):
        zeros = array_ops.zeros_like(grad)
        return where_v2(selector(x, y), grad, zeros), None
    zeros = array_ops.zeros_like(grad)
    xmask = selector(x, y)
    gx = None if 0 in skip else where_v2(xmask, grad, zeros)
    gy = None if 1 in skip else where_v2(xmask, zeros, grad)
    return reduce_gradient_args(x, y, gx, gy)


@registry.RegisterGradient("Maximum")
def _maximum_grad(op, grad):
    # Ties (x == y) send the whole gradient to x, as TF does.
    return _maximum_minimum_grad(op, grad, math_ops.greater_equal)


@registry.RegisterGradient("Minimum")
def _minimum_grad(op, grad):
    return _maximum_minimum_grad(op, grad, math_ops.less_equal)


@registry.RegisterGradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    skip = _skip(op)
    with _ops.control_dependencies([grad]):
        two = _ops.convert_to_tensor(2.0, dtype=grad.dtype.base_dtype, name="scalar")
        x_grad = _op1("Mul", [two, grad]) * (x - y)
    if isinstance(grad, _ops.Tensor) and _fully_equal(x, y, grad):
        return x_grad, -x_grad
    return reduce_gradient_args(x, y, None if 0 in skip else x_grad,
                                None if 1 in skip else -x_grad)


@registry.RegisterGradient("Atan2")
def _atan2_grad(op, grad):
    y, x = op.inputs[0], op.inputs[1]
    with _ops.control_dependencies([grad]):
        grad_inv = grad / (math_ops.square(y) + math_ops.square(x))
        gy = x * grad_inv
        gx = -y * grad_inv
        return reduce_gradient_args(y, x, gy, gx)


def _xgrad_common(op, grad, partial_x_fn, partial_y_fn):
    x, y = op.inputs[0], op.inputs[1]
    sx, sy = shape(x), shape(y)
    rx, ry = broadcast_gradient_args(sx, sy)
    with _ops.control_dependencies([grad]):
        not_zero_x = math_ops.cast(math_ops.not_equal(x, math_ops.cast(0., x.dtype)),
                                   x.dtype)
        px = partial_x_fn(not_zero_x, x, y)
        py = partial_y_fn(x, y)
        return (reshape(reduce_sum(px * grad, rx), sx),
                reshape(reduce_sum(py * grad, ry), sy))


@registry.RegisterGradient("Xlogy")
def _xlogy_grad(op, grad):
    return _xgrad_common(op, grad, lambda nz, x, y: _op1("Xlogy", [nz, y]),
                         lambda x, y: _op1("Xdivy", [x, y]))


@registry.RegisterGradient("Xdivy")
def _xdivy_grad(op, grad):
    return _xgrad_common(op, grad, lambda nz, x, y: _op1("Xdivy", [nz, y]),
                         lambda x, y: _op1("Xdivy", [math_ops.negative(x), y ** 2]))


# --- unary element-wise ops -----------------------------------------------------------------

@registry.RegisterGradient("Neg")
def _neg_grad(op, grad):
    return -grad


@registry.RegisterGradient("Abs")
def _abs_grad(op, grad):
    return grad * math_ops.sign(op.inputs[0])


@registry.RegisterGradient("Sign")
def _sign_grad(op, grad):
    return array_ops.zeros_like(op.inputs[0])


@registry.RegisterGradient("Square")
def _square_grad(op, grad):
    x = _conj(op.inputs[0])
    with _ops.control_dependencies([grad]):
        two = constant_op.constant(2.0, dtype=x.dtype.base_dtype)
        return math_ops.multiply(grad, math_ops.multiply(x, two))


@registry.api("SqrtGrad")
@registry.RegisterGradient("Sqrt")
def _sqrt_grad(op, grad):
    return _op1("SqrtGrad", [op.outputs[0], grad])


@registry.api("RsqrtGrad")
@registry.RegisterGradient("Rsqrt")
def _rsqrt_grad(op, grad):
    return _op1("RsqrtGrad", [op.outputs[0], grad])


@registry.RegisterGradient("Exp")
def _exp_grad(op, grad):
    y = _conj(op.outputs[0])
    with _ops.control_dependencies([grad]):
        return grad * y


@registry.RegisterGradient("Expm1")
def _expm1_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * math_ops.exp(x)


@registry.RegisterGradient("Log")
def _log_grad(op, grad):
    x = _conj(op.inputs[0])
    with _ops.control_dependencies([grad]):
        return grad * math_ops.reciprocal(x)


@registry.RegisterGradient("Log1p")
def _log1p_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * math_ops.reciprocal(1 + x)


@registry.RegisterGradient("Sin")
def _sin_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * math_ops.cos(x)


@registry.RegisterGradient("Cos")
def _cos_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return -grad * math_ops.sin(x)


@registry.RegisterGradient("Tan")
def _tan_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        secx = math_ops.reciprocal(math_ops.cos(x))
        return math_ops.square(secx) * grad


def _one(grad):
    return constant_op.constant(1, dtype=grad.dtype.base_dtype)


@registry.RegisterGradient("Asin")
def _asin_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        x2 = math_ops.square(x)
        den = math_ops.sqrt(math_ops.subtract(_one(grad), x2))
        return grad * math_ops.reciprocal(den)


@registry.RegisterGradient("Acos")
def _acos_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        x2 = math_ops.square(x)
        den = math_ops.sqrt(math_ops.subtract(_one(grad), x2))
        return -grad * math_ops.reciprocal(den)


@registry.RegisterGradient("Atan")
def _atan_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        x2 = math_ops.square(x)
        return grad * math_ops.reciprocal(math_ops.add(_one(grad), x2))


@registry.RegisterGradient("Sinh")
def _sinh_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * math_ops.cosh(x)


@registry.RegisterGradient("Cosh")
def _cosh_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * math_ops.sinh(x)


@registry.api("TanhGrad")
@registry.RegisterGradient("Tanh")
def _tanh_grad(op, grad):
    y = op.outputs[0]
    with _ops.control_dependencies([grad]):
        return _op1("TanhGrad", [y, grad])


@registry.api("SigmoidGrad")
@registry.RegisterGradient("Sigmoid")
def _sigmoid_grad(op, grad):
    y = op.outputs[0]
    with _ops.control_dependencies([grad]):
        return _op1("SigmoidGrad", [y, grad])


@registry.api("ReciprocalGrad")
@registry.RegisterGradient("Reciprocal")
@registry.RegisterGradient("Inv")
def _reciprocal_grad(op, grad):
    return _op1("ReciprocalGrad", [op.outputs[0], grad])


@registry.RegisterGradient("Erf")
def _erf_grad(op, grad):
    x = op.inputs[0]
    two_over_root_pi = constant_op.constant(2 / np.sqrt(np.pi), dtype=grad.dtype.base_dtype)
    with _ops.control_dependencies([grad]):
        return grad * two_over_root_pi * math_ops.exp(-math_ops.square(x))


@registry.RegisterGradient("Erfc")
def _erfc_grad(op, grad):
    x = op.inputs[0]
    minus_two_over_root_pi = constant_op.constant(-2 / np.sqrt(np.pi),
                                                  dtype=grad.dtype.base_dtype)
    with _ops.control_dependencies([grad]):
        return grad * minus_two_over_root_pi * math_ops.exp(-math_ops.square(x))


@registry.RegisterGradient("Acosh")
def _acosh_grad(op, grad):
    y = op.outputs[0]
    with _ops.control_dependencies([grad]):
        return grad / math_ops.sinh(y)


@registry.RegisterGradient("Asinh")
def _asinh_grad(op, grad):
    y = op.outputs[0]
    with _ops.control_dependencies([grad]):
        return grad / math_ops.cosh(y)


@registry.RegisterGradient("Atanh")
def _atanh_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        x2 = math_ops.square(x)
        one = constant_op.constant(1, dtype=grad.dtype.base_dtype)
        return grad * math_ops.reciprocal(math_ops.subtract(one, x2))


@registry.RegisterGradient("Lgamma")
def _lgamma_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * math_ops.digamma(x)


@registry.RegisterGradient("Cumsum")
def _cumsum_grad(op, grad):
    return [math_ops.cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                            reverse=not op.get_attr("reverse")), None]


@registry.RegisterGradient("Cumprod")
def _cumprod_grad(op, grad):
    # d/dx_i of sum_j g_j prod_{k<=j} x_k = sum_{j>=i} g_j y_j / x_i: a reversed cumsum
    # divided by x (zero where x is zero, as TF's div_no_nan gives)
    x, axis = op.inputs[0], op.inputs[1]
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    prod = math_ops.cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = math_ops.cumsum(prod * grad, axis, exclusive=exclusive, reverse=not reverse)
    return [math_ops.div_no_nan(out, x), None]


# The *Grad helper ops of the unary functions are differentiable too (second derivatives).


@registry.RegisterGradient("SqrtGrad")
def _sqrt_grad_grad(op, grad):
    a = op.inputs[0]
    y = op.outputs[0]
    with _ops.control_dependencies([grad]):
        ga = grad / a
        return -ga * y, 0.5 * ga


@registry.RegisterGradient("RsqrtGrad")
def _rsqrt_grad_grad(op, grad):
    a, b = op.inputs[0], op.inputs[1]
    with _ops.control_dependencies([grad]):
        grad_a = -1.5 * grad * b * math_ops.square(a)
        grad_b = _op1("RsqrtGrad", [a, grad])
        return grad_a, grad_b


@registry.RegisterGradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    a, b = op.inputs[0], op.inputs[1]
    with _ops.control_dependencies([grad]):
        return grad * -2.0 * b * a, _op1("TanhGrad", [a, grad])


@registry.RegisterGradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    a, b = op.inputs[0], op.inputs[1]
    with _ops.control_dependencies([grad]):
        gb = grad * b
        return gb - 2.0 * gb * a, _op1("SigmoidGrad", [a, grad])


@registry.RegisterGradient("ReciprocalGrad")
def _reciprocal_grad_grad(op, grad):
    a, b = op.inputs[0], op.inputs[1]
    with _ops.control_dependencies([grad]):
        return -2.0 * grad * a * b, _op1("ReciprocalGrad", [a, grad])


# --- n-ary, casts ------------------------------------------------------------------------------

@registry.RegisterGradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


_FLOATS = (_dt.float16, _dt.float32, _dt.float64, _dt.bfloat16, _dt.complex64,
           _dt.complex128)


@registry.RegisterGradient("Cast")
def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    if src in _FLOATS and grad.dtype.base_dtype in _FLOATS:
        return cast(grad, src)
    return None


# --- reductions ---------------------------------------------------------------------------------

def _const_value(t):
    from ..framework import tensor_util
    if not _ops.is_symbolic(t):
        return np.asarray(t.numpy() if hasattr(t, "numpy") else t)
    return tensor_util.constant_value(t)


def _reduced_shape_static(in_shape, axes):
    rank = len(in_shape)
    axes = [int(a) % rank if rank else 0 for a in np.asarray(axes).reshape(-1)]
    return [1 if i in axes else d for i, d in enumerate(in_shape)]


def reduced_shape(input_shape, axes):
    """The shape of a reduction's output with keep_dims (TF's math_ops.reduced_shape):
    a NumPy array when shape and axes are known, else DynamicStitch(range(rank), axes)."""
    cs = _const_value(input_shape)
    if cs is not None:
        ca = _const_value(axes)
        if ca is not None:
            out = np.array(cs, dtype=np.int32)
            out[np.array(ca, dtype=np.int32)] = 1
            return out
    axes = _ops.convert_to_tensor(axes)
    input_rank = array_ops.size(input_shape, out_type=axes.dtype.base_dtype)
    axes = (axes + input_rank) % input_rank
    axes_shape = array_ops.shape(axes)
    ranges = _op1("Range", [0, input_rank, 1], name="range")
    with _ops.name_scope("ones") as scope:
        one = constant_op.constant(1, dtype=input_shape.dtype.base_dtype, name="Const")
        ones = fill(axes_shape, one, name=scope)
    return _op1("DynamicStitch", [[ranges, axes], [input_shape, ones]])


def _kept_and_scaling(graph, in_shape, axes):
    """The reduced shape with kept dims and the tile multiples, for static shapes.

    Like TF, the multiples are computed once per graph and (shape, axes) with a
    `maximum`/`floordiv` pair of ops that are then read as constants."""
    from ..framework import tensor_util
    cache = graph.__dict__.setdefault("_tfteach_reduced_shape_cache", {})
    key = (tuple(in_shape), tuple(np.asarray(axes).reshape(-1).tolist()))
    hit = cache.get(key)
    if hit is None:
        kept = _reduced_shape_static(in_shape, axes)
        scaling_t = _int32(in_shape) // math_ops.maximum(_int32(kept), 1)
        scaling = tensor_util.constant_value(scaling_t)
        if scaling is None:
            scaling = [d // max(k, 1) for d, k in zip(in_shape, kept)]
        hit = cache[key] = (list(kept), [int(v) for v in np.asarray(scaling).reshape(-1)])
    return hit


def _sum_grad_impl(op, grad):
    x = op.inputs[0]
    in_shape = _shape_tuple(x)
    if in_shape is not None:
        axes = _const_value(op.inputs[1])
        if axes is not None:
            rank = len(in_shape)
            if np.array_equal(np.asarray(axes).reshape(-1), np.arange(rank)):
                grad = reshape(grad, [1] * rank)
                if None not in in_shape:
                    input_shape = constant_op.constant(_int32(in_shape))
                else:
                    input_shape = shape(x)
                return tile(grad, input_shape)
            if None not in in_shape and _ops.is_symbolic(op.outputs[0]):
                kept, scaling = _kept_and_scaling(op.graph, in_shape, axes)
                grad = reshape(grad, kept)
                return tile(grad, scaling)
            if None not in in_shape:
                kept = _reduced_shape_static(in_shape, axes)
                scaling = [d // max(k, 1) for d, k in zip(in_shape, kept)]
                return tile(reshape(grad, kept), scaling)
    input_shape = shape(x)
    if not op.get_attr("keep_dims"):
        grad = reshape(grad, reduced_shape(input_shape, op.inputs[1]))
    return _op1("BroadcastTo", [grad, input_shape])


@registry.RegisterGradient("Sum")
def _sum_grad(op, grad):
    return _sum_grad_impl(op, grad), None


@registry.RegisterGradient("Mean")
def _mean_grad(op, grad):
    sum_grad = _sum_grad_impl(op, grad)
    in_shape = _shape_tuple(op.inputs[0])
    out_shape = _shape_tuple(op.outputs[0])
    if in_shape is not None and out_shape is not None and None not in in_shape and \
            None not in out_shape:
        factor = int(np.prod(in_shape)) // max(int(np.prod(out_shape)), 1)
        factor = constant_op.constant(factor, dtype=sum_grad.dtype.base_dtype)
    else:
        input_shape = shape(op.inputs[0])
        input_rank = array_ops.size(input_shape)
        axes = cast(op.inputs[1], input_rank.dtype.base_dtype)
        axes = (axes + input_rank) % input_rank
        factor = math_ops.reduce_prod(array_ops.gather(input_shape, axes))
    return math_ops.truediv(sum_grad, cast(factor, sum_grad.dtype)), None


def _min_or_max_grad(op, grad):
    x = op.inputs[0]
    input_shape = shape(x)
    y = op.outputs[0]
    if not op.get_attr("keep_dims"):
        in_shape = _shape_tuple(x)
        axes = _const_value(op.inputs[1])
        kept = reduced_shape(input_shape, op.inputs[1])
        y = reshape(y, kept)
        grad = reshape(grad, kept)
    else:
        kept = shape(y)
    # Tied extremes share the gradient equally, as in TF.
    indicators = cast(math_ops.equal(y, x), grad.dtype)
    num_selected = reshape(reduce_sum(indicators, op.inputs[1]), kept)
    return [math_ops.divide(indicators, num_selected) * grad, None]


@registry.RegisterGradient("Max")
def _max_grad(op, grad):
    return _min_or_max_grad(op, grad)


@registry.RegisterGradient("Min")
def _min_grad(op, grad):
    return _min_or_max_grad(op, grad)


def _reduces_all_axes(op):
    """Whether a reduction's axes are Range(0, Rank(input)), i.e. every axis."""
    axes = op.inputs[1].op
    if axes.type != "Range":
        return False
    start, limit = _const_value(axes.inputs[0]), axes.inputs[1].op
    return start is not None and int(start) == 0 and limit.type == "Rank" and \
        limit.inputs[0] is op.inputs[0] and _const_value(axes.inputs[2]) == 1


@registry.RegisterGradient("Prod")
def _prod_grad(op, grad):
    # d prod / d x_i = prod of the others: computed without dividing by x_i (zeros are
    # fine) as the product of exclusive cumulative products from both sides.
    x = op.inputs[0]
    input_shape = shape(x)
    axes_v = _const_value(op.inputs[1])
    in_shape = _shape_tuple(x)
    if axes_v is None or in_shape is None or None in in_shape:
        if _reduces_all_axes(op):
            # every axis of a tensor of unknown shape (reduce_prod(x) with no axis): the
            # product of the others, over the flattened tensor
            if not op.get_attr("keep_dims"):
                grad = reshape(grad, reduced_shape(input_shape, op.inputs[1]))
            grad = _op1("BroadcastTo", [grad, input_shape])
            flat = reshape(x, [-1, 1])
            left = _op1("Cumprod", [flat, np.int32(0)], {"exclusive": True, "reverse": False})
            right = _op1("Cumprod", [flat, np.int32(0)], {"exclusive": True, "reverse": True})
            return grad * reshape(left * right, input_shape), None
        raise NotImplementedError("Prod gradient needs static input shape and axes")
    rank = len(in_shape)
    axes = sorted({int(a) % rank for a in np.asarray(axes_v).reshape(-1)})
    if not op.get_attr("keep_dims"):
        grad = reshape(grad, _reduced_shape_static(in_shape, axes))
    grad = _op1("BroadcastTo", [grad, input_shape])
    other = [i for i in range(rank) if i not in axes]
    perm = axes + other
    reduced_num = int(np.prod([in_shape[i] for i in axes])) if axes else 1
    other_num = int(np.prod([in_shape[i] for i in other])) if other else 1
    permuted = _op1("Transpose", [x, _int32(perm)])
    permuted_shape = shape(permuted)
    reshaped = reshape(permuted, [reduced_num, other_num])
    left = _op1("Cumprod", [reshaped, np.int32(0)], {"exclusive": True, "reverse": False})
    right = _op1("Cumprod", [reshaped, np.int32(0)], {"exclusive": True, "reverse": True})
    y = reshape(left * right, permuted_shape)
    inv = _int32(np.argsort(perm))
    out = grad * _op1("Transpose", [y, inv])
    return reshape(out, input_shape), None


# --- not differentiable ----------------------------------------------------------------------

for _t in ("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd",
           "LogicalOr", "LogicalNot", "TruncateMod", "IsNan", "IsInf", "IsFinite",
           "ArgMax", "ArgMin", "Range", "Floor", "Ceil", "Round", "Rint", "All", "Any",
           "LinSpace"):
    registry.NotDifferentiable(_t)


# --- complex numbers ---------------------------------------------------------------------------

def _as_complex(re, im):
    return math_ops.complex(re, im)


@registry.RegisterGradient("ComplexAbs")
def _complex_abs_grad(op, grad):
    """d|z|: grad * z / |z| (0 at z = 0), as a complex gradient."""
    z, r = op.inputs[0], op.outputs[0]
    return math_ops.div_no_nan(_as_complex(grad, array_ops.zeros_like(grad)) * z,
                               _as_complex(r, array_ops.zeros_like(r)))


@registry.RegisterGradient("Real")
def _real_grad(op, grad):
    zero = constant_op.constant(0, dtype=grad.dtype.base_dtype)
    return _as_complex(grad, zero)


@registry.RegisterGradient("Imag")
def _imag_grad(op, grad):
    zero = constant_op.constant(0, dtype=grad.dtype.base_dtype)
    return _as_complex(zero, grad)


@registry.RegisterGradient("Angle")
def _angle_grad(op, grad):
    """d arg(z) = -grad / (imag + real * 1j), as TF writes it."""
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        z = math_ops.reciprocal(_as_complex(math_ops.imag(x), math_ops.real(x)))
        zero = constant_op.constant(0, dtype=grad.dtype.base_dtype)
        return -_as_complex(grad, zero) * z


@registry.RegisterGradient("Conj")
def _conj_grad(op, grad):
    return _op1("Conj", [grad])


@registry.RegisterGradient("Complex")
def _complex_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    return reduce_gradient_args(x, y, math_ops.real(grad), math_ops.imag(grad))


# --- special functions ----------------------------------------------------------------------

def _unbroadcast(x, y, gx, gy):
    """gx and gy summed back to x's and y's shapes, through BroadcastGradientArgs even when
    the shapes are equal (TF's gradients of these ops always build it)."""
    sx, sy = shape(x), shape(y)
    rx, ry = broadcast_gradient_args(sx, sy)
    return (None if gx is None else reshape(reduce_sum(gx, rx), sx),
            None if gy is None else reshape(reduce_sum(gy, ry), sy))


@registry.RegisterGradient("Digamma")
def _digamma_grad(op, grad):
    x = op.inputs[0]
    with _ops.control_dependencies([grad]):
        return grad * _op1("Polygamma", [math_ops.cast(1., x.dtype), x])


@registry.RegisterGradient("Xlog1py")
def _xlog1py_grad(op, grad):
    return _xgrad_common(op, grad, lambda nz, x, y: _op1("Xlog1py", [nz, y]),
                         lambda x, y: _op1("Xdivy", [x, y + math_ops.cast(1., y.dtype)]))


def _igamma_partials(op, grad, sign):
    """d/da is IgammaGradA's; d/dx of P(a, x) is x^(a-1) e^-x / Gamma(a) (Q's: its negative)."""
    a, x = op.inputs
    with _ops.control_dependencies([grad]):
        pa = _op1("IgammaGradA", [a, x])
        px = math_ops.exp(-x + (a - math_ops.cast(1., a.dtype)) * math_ops.log(x) -
                          math_ops.lgamma(a))
        if sign < 0:
            pa, px = -pa, -px
        return _unbroadcast(a, x, grad * pa, grad * px)


@registry.RegisterGradient("Igamma")
def _igamma_grad(op, grad):
    return _igamma_partials(op, grad, 1)


@registry.RegisterGradient("Igammac")
def _igammac_grad(op, grad):
    return _igamma_partials(op, grad, -1)


@registry.RegisterGradient("Betainc")
def _betainc_grad(op, grad):
    """Only x's gradient (TF's too: a and b get None): x^(a-1) (1-x)^(b-1) / B(a, b)."""
    a, b, x = op.inputs
    with _ops.control_dependencies([grad]):
        one = math_ops.cast(1., x.dtype)
        log_beta = math_ops.lgamma(a) + math_ops.lgamma(b) - math_ops.lgamma(a + b)
        partial_x = math_ops.exp((b - one) * math_ops.log1p(-x) +
                                 _op1("Xlogy", [a - one, x]) - log_beta)
        gx = grad * partial_x
        sx = shape(x)
        if x.shape.rank == 0 and grad.shape.rank != 0:
            gx = reduce_sum(gx, None)
        return [None, None, reshape(gx, sx)]


@registry.RegisterGradient("Zeta")
def _zeta_grad(op, grad):
    x, q = op.inputs
    with _ops.control_dependencies([grad]):
        partial_q = -x * _op1("Zeta", [x + math_ops.cast(1., x.dtype), q])
        return _unbroadcast(x, q, None, grad * partial_q)


@registry.RegisterGradient("Polygamma")
def _polygamma_grad(op, grad):
    n, x = op.inputs
    with _ops.control_dependencies([grad]):
        partial_x = _op1("Polygamma", [n + math_ops.cast(1., n.dtype), x])
        return _unbroadcast(n, x, None, grad * partial_x)


@registry.RegisterGradient("NextAfter")
def _nextafter_grad(op, grad):
    """TF's: the gradient passes to x1 as if the op were the identity; x2 gets zeros."""
    x1, x2 = op.inputs
    with _ops.control_dependencies([grad]):
        return _unbroadcast(x1, x2, grad * fill(shape(x1), math_ops.cast(1., x1.dtype)),
                            grad * fill(shape(x2), math_ops.cast(0., x2.dtype)))


@registry.RegisterGradient("Erfinv")
def _erfinv_grad(op, grad):
    with _ops.control_dependencies([grad]):
        y = op.outputs[0]
        return grad * math_ops.cast(np.sqrt(np.pi) / 2, y.dtype) * \
            math_ops.exp(math_ops.square(y))


@registry.RegisterGradient("Ndtri")
def _ndtri_grad(op, grad):
    with _ops.control_dependencies([grad]):
        y = op.outputs[0]
        return grad * math_ops.cast(np.sqrt(2 * np.pi), y.dtype) * \
            math_ops.exp(math_ops.square(y) / math_ops.cast(2., y.dtype))


@registry.RegisterGradient("BesselI0")
def _bessel_i0_grad(op, grad):
    with _ops.control_dependencies([grad]):
        return grad * math_ops.bessel_i1(op.inputs[0])


@registry.RegisterGradient("BesselI0e")
def _bessel_i0e_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    with _ops.control_dependencies([grad]):
        return grad * (math_ops.bessel_i1e(x) - math_ops.sign(x) * y)


def _i1_partial(x, y, i0, extra, at_zero):
    """d/dx of I1 (or I1e): I0 - I1 / x (- sign(x) I1e when scaled); at x = 0 TF's value,
    1/2 for I1e and 1 for I1 (the true derivative there is 1/2)."""
    zero = math_ops.cast(0., x.dtype)
    safe_x = where_v2(math_ops.equal(x, zero), ones_like(x), x)
    d = i0 - y * (extra + math_ops.reciprocal(safe_x))
    return where_v2(math_ops.equal(x, zero), fill(shape(x), math_ops.cast(at_zero, x.dtype)),
                    d)


@registry.RegisterGradient("BesselI1")
def _bessel_i1_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    with _ops.control_dependencies([grad]):
        return grad * _i1_partial(x, y, math_ops.bessel_i0(x), zeros_like(x), 1.0)


@registry.RegisterGradient("BesselI1e")
def _bessel_i1e_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    with _ops.control_dependencies([grad]):
        return grad * _i1_partial(x, y, math_ops.bessel_i0e(x), math_ops.sign(x), 0.5)


@registry.RegisterGradient("CumulativeLogsumexp")
def _cumulative_logsumexp_grad(op, grad):
    """d out_j / d x_i = exp(x_i - out_j) over the j whose sums include x_i: a log-sum-exp
    scan the other way, over log(grad) - out, once for the positive and once for the negative
    part of grad (the log of a negative number has no real value)."""
    x, axis = op.inputs
    out = op.outputs[0]
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    lowest = fill(shape(grad), np.array(grad.dtype.base_dtype.min,
                                        grad.dtype.base_dtype.np_dtype))
    zero = zeros_like(grad)
    log_pos = where_v2(math_ops.greater(grad, zero), math_ops.log(grad), lowest)
    log_neg = where_v2(math_ops.less(grad, zero), math_ops.log(-grad), lowest)
    attrs = {"exclusive": exclusive, "reverse": not reverse}
    pos = math_ops.exp(_op1("CumulativeLogsumexp", [log_pos - out, axis], attrs) + x)
    neg = math_ops.exp(_op1("CumulativeLogsumexp", [log_neg - out, axis], attrs) + x)
    return [pos - neg, None]


@registry.RegisterGradient("EuclideanNorm")
def _euclidean_norm_grad(op, grad):
    """grad * x / norm, the norm and grad broadcast back over the reduced axes."""
    x, axes = op.inputs
    out = op.outputs[0]
    if not op.get_attr("keep_dims"):
        kept_shape = reduced_shape(shape(x), axes)
        out = reshape(out, kept_shape)
        grad = reshape(grad, kept_shape)
    return [math_ops.truediv(x, out) * grad, None]
