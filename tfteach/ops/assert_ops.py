"""TF1's runtime checks: `tf.Assert`, the `tf.assert_*` family and the legacy `tf.Print`.

An `Assert` op does nothing when its condition holds and fails the Session.run with
InvalidArgumentError ("assertion failed: [..] [..]") when it does not; it has no outputs, so
it runs only when fetched or made a control dependency. When both operands are known while
the graph is built, a failing `assert_*` raises at once, as TF does.

As in TF, an Assert whose data are not all strings and int32s sits in the false branch of a
cond (`<scope>/Assert/AssertGuard/...`, control_flow_v1._guarded_assert), so the data are only
computed when the check fails. The op is declared in ops/logging_ops.py (tf.case uses it
too); the kernels of Assert and Print, and the text they write, are in kernels/cpu/logging.py.
"""
import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import array_ops, control_flow_v1, logging_ops, math_ops  # noqa: F401

def _eager_values(items):
    return [x.numpy() if hasattr(x, "numpy") else x for x in items]


@registry.api("Assert")
def Assert(condition, data, summarize=None, name=None):
    """Fails at run time with the values of `data` unless `condition` (a scalar bool) holds."""
    summarize = 3 if summarize is None else summarize
    if _is_eager(condition, *data):
        # TF's eager Assert truth-tests the condition as Python does (a non-scalar is an
        # error) and writes its data as a flat, comma-separated summary
        if not bool(np.asarray(_eager_values([condition])[0])):
            raise errors.InvalidArgumentError(
                None, None, f"Expected '{condition!s}' to be true. Summarized data: " +
                "\n".join(_eager_summary(v, summarize) for v in _eager_values(data)))
        return None
    if not all(_data_dtype(x) in (_dt.string, _dt.int32) for x in data):
        # TF guards the check with a cond so the data are computed only when it fails
        return control_flow_v1._guarded_assert(condition, data, summarize, name=name)
    with _ops.name_scope(name, "Assert", [condition, data]) as scope:
        condition = _ops.convert_to_tensor(condition, dtype=_dt.bool_, name="condition")
        if condition.shape.rank not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {condition.shape.rank} for "
                             f"'{{{{node {scope}Assert}}}} = Assert' with input shapes: "
                             f"{_shape_text(condition.shape)}.")
        # TF converts the data once in the scope (to read their dtypes: `Const`s), then its
        # op wrapper converts the Python values again inside the op's scope (`Assert/data_0`)
        for x in data:
            _ops.convert_to_tensor(x)
        apply_op("Assert", [condition, list(data)], {"summarize": summarize}, name="Assert")
        # An op without outputs comes back as an empty list; the op is the graph's newest.
        return condition.graph._ops[-1]


def _data_dtype(x):
    dt = getattr(x, "dtype", None)
    if isinstance(dt, _dt.DType):
        return dt.base_dtype
    from ..framework import tensor_util
    return tensor_util.infer_dtype(x)


def _shape_text(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


@registry.api("Print")
def Print(input_, data, message=None, first_n=None, summarize=None, name=None):
    """TF1's `tf.Print`: returns `input_` unchanged, and writes `message` and the values of
    `data` to stderr each time it runs (the first `first_n` times when given)."""
    attrs = {"message": message or "", "first_n": -1 if first_n is None else first_n,
             "summarize": 3 if summarize is None else summarize}
    return apply_op("Print", [input_, list(data)], attrs, name=name or "Print")[0]


def _tensor_name(t):
    return getattr(t, "name", "")


def _tensor_name_or_empty(t):
    # an eager tensor's .name raises; TF's rank messages then name it as ''
    return "" if _ops.executing_eagerly() else t.name


def _static(t):
    from ..framework import tensor_util
    if hasattr(t, "numpy"):
        return t.numpy()
    try:
        return tensor_util.constant_value(t)
    except Exception:       # an op constant folding does not know: not static
        return None


def _binary_assert(sym, opname, op_fn, np_fn, x, y, data, summarize, message, name):
    with _ops.name_scope(name, opname, [x, y, data]):
        x = _ops.convert_to_tensor(x, name="x")
        y = _ops.convert_to_tensor(y, name="y")
        if _is_eager(x, y):
            return _eager_binary(sym, op_fn, x, y, data, summarize, message)
        if data is None:
            data = [message] if message else []
            data = data + [f"Condition x {sym} y did not hold element-wise:",
                           f"x ({_tensor_name(x)}) = ", x, f"y ({_tensor_name(y)}) = ", y]
        elif message:
            data = [message] + list(data)
        xv, yv = _static(x), _static(y)
        if xv is not None and yv is not None and not np.all(np_fn(xv, yv)):
            lines = ([message] if message else []) + [
                f"Condition x {sym} y did not hold element-wise:",
                f"x ({_tensor_name(x)}) = ", _np_text(xv), f"y ({_tensor_name(y)}) = ",
                _np_text(yv)]
            raise errors.InvalidArgumentError(None, None, "\n".join(lines))
        condition = math_ops.reduce_all(op_fn(x, y))
        return Assert(condition, data, summarize=summarize)


def _np_text(v):
    return str(np.asarray(v))


def _is_eager(*xs):
    return _ops.executing_eagerly() and not any(_ops.is_symbolic(x) for x in xs)


def _eager_summary(v, summarize):
    if isinstance(v, str):      # TF converts Python strings to bytes first
        v = v.encode()
    a = np.asarray(v)
    if a.ndim == 0:
        return str(a[()])
    flat = [str(e) for e in a.reshape(-1)]
    n = len(flat) if summarize < 0 else min(summarize, len(flat))
    return ", ".join(flat[:n] + (["..."] if n < len(flat) else []))


def _tensor_desc(x):
    """How TF names a tensor in a check's message: its graph name, or eagerly (where tensors
    have none) its shape and dtype."""
    if _ops.executing_eagerly():
        return f"shape={x.shape} dtype={x.dtype.name}"
    return x.name


def _pretty(d, summarize):
    if isinstance(d, (str, bytes)):
        return d if isinstance(d, str) else d.decode()
    flat = [str(e) for e in np.asarray(_eager_values([d])[0]).reshape(-1)]
    n = len(flat) if summarize < 0 else min(summarize, len(flat))
    return str(flat[:n] + (["..."] if n < len(flat) else []))


def _eager_binary(sym, op_fn, x, y, data, summarize, message):
    """The eager form of a failing `assert_*`: TF raises at once, showing the first differing
    indices and values (when x and y have one non-scalar shape) and the first elements."""
    test = op_fn(x, y)              # the op's own errors for bad shapes/dtypes
    t = np.asarray(test.numpy())
    if t.all():
        return None
    summarize = 3 if summarize is None else summarize
    if data is not None:
        # given data (the sign checks) are written one per line instead
        raise errors.InvalidArgumentError(
            None, None, "\n".join(_pretty(d, summarize) for d in data))
    xv, yv = np.asarray(x.numpy()), np.asarray(y.numpy())
    lines = ([message] if message else []) + [f"Condition x {sym} y did not hold."]
    if xv.shape == yv.shape and xv.ndim:
        idx = np.argwhere(~t)
        n = min(summarize, len(idx))
        lines += [f"Indices of first {n} different values:", str(idx[:n]),
                  "Corresponding x values:", str(xv[~t][:n]),
                  "Corresponding y values:", str(yv[~t][:n])]
    for nm, v in (("x", xv), ("y", yv)):
        k = min(summarize, v.size)
        lines += [f"First {k} elements of {nm}:", str(v.reshape(-1)[:k])]
    raise errors.InvalidArgumentError(None, None, "\n".join(lines))


def _make_binary(sym, opname, op_fn, np_fn):
    def check(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(sym, opname, op_fn, np_fn, x, y, data, summarize, message, name)
    check.__name__ = opname
    check.__doc__ = f"Asserts `x {sym} y` element-wise (TF1's `tf.{opname}`)."
    return check


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Asserts `x == y` element-wise (TF1's `tf.assert_equal`).

    TF's opens its name scope twice: a first one for its shortcut (`x` and `y` the same
    tensor: a NoOp), then the check's own, so a check's ops land under `assert_equal_1/`."""
    if not _ops.executing_eagerly():
        with _ops.name_scope(name, "assert_equal", [x, y, data]):
            if x is y:
                return array_ops.no_op()
    return _binary_assert("==", "assert_equal", math_ops.equal, np.equal, x, y, data,
                          summarize, message, name)


assert_none_equal = _make_binary("!=", "assert_none_equal", math_ops.not_equal, np.not_equal)
assert_less = _make_binary("<", "assert_less", math_ops.less, np.less)
assert_less_equal = _make_binary("<=", "assert_less_equal", math_ops.less_equal, np.less_equal)
assert_greater = _make_binary(">", "assert_greater", math_ops.greater, np.greater)
assert_greater_equal = _make_binary(">=", "assert_greater_equal", math_ops.greater_equal,
                                    np.greater_equal)


def _make_sign(opname, sym, zero_first, strict):
    def check(x, data=None, summarize=None, message=None, name=None):
        # as TF: `x > 0` is assert_less(0, x), `x <= 0` is assert_less_equal(x, 0), ...
        with _ops.name_scope(name, opname, [x, data]):
            x = _ops.convert_to_tensor(x, name="x")
            if data is None:
                cond_text = f"Condition x {sym} 0 did not hold element-wise:"
                x_text = f"x ({_tensor_desc(x)}) = "
                data = [f"{message}.  " if message else ""] + (
                    # TF's assert_non_positive joins these two lines (a missing comma)
                    [cond_text + x_text] if sym == "<=" else [cond_text, x_text]) + [x]
            zero = _ops.convert_to_tensor(0, dtype=x.dtype.base_dtype)
            check_fn = assert_less if strict else assert_less_equal
            a, b = (zero, x) if zero_first else (x, zero)
            return check_fn(a, b, data=data, summarize=summarize)
    check.__name__ = opname
    check.__doc__ = f"Asserts that every element of `x` is `{sym} 0` (TF1's `tf.{opname}`)."
    return check


assert_positive = _make_sign("assert_positive", ">", True, True)
assert_negative = _make_sign("assert_negative", "<", False, True)
assert_non_negative = _make_sign("assert_non_negative", ">=", True, False)
assert_non_positive = _make_sign("assert_non_positive", "<=", False, False)


def _rank_error(x, desc, rank, message):
    prefix = f"{message}.  " if message else ""
    return ValueError(f"{prefix}Tensor {_tensor_name_or_empty(x)} must have rank {desc}{rank}.  Received "
                      f"rank {x.shape.rank}, shape {x.shape}")


def _rank_check(opname, ok, desc):
    def check(x, rank, data=None, summarize=None, message=None, name=None):
        with _ops.name_scope(name, opname, [x, rank]):
            x = _ops.convert_to_tensor(x, name="x")
            if x.shape.rank is None:
                raise NotImplementedError(f"tfteach's {opname} needs the rank of {x.name} "
                                          f"known while the graph is built")
            if not ok(x.shape.rank, int(rank)):
                raise _rank_error(x, desc, int(rank), message)
            if _ops.executing_eagerly():
                return None
            # TF records the rank and the static shape it checked against
            rank_t = _ops.convert_to_tensor(rank, name="rank")
            _ops.convert_to_tensor(np.asarray(x.shape.as_list(), np.int32), name="Shape")
            assert_type(rank_t, _dt.int32)
            return array_ops.no_op(name="static_checks_determined_all_ok")
    check.__name__ = opname
    return check


assert_rank = _rank_check("assert_rank", lambda r, k: r == k, "")
assert_rank_at_least = _rank_check("assert_rank_at_least", lambda r, k: r >= k, "at least ")


def assert_scalar(tensor, name=None, message=None):
    with _ops.name_scope(name, "assert_scalar", [tensor]) as scope:
        tensor = _ops.convert_to_tensor(tensor, name=scope)
        if tensor.shape.rank not in (None, 0):
            prefix = f"{message}  " if message else ""
            raise ValueError(f"{prefix}Expected scalar shape for {tensor.name}, saw shape: "
                             f"{tensor.shape}.")
        return tensor


def assert_type(tensor, tf_type, message=None, name=None):
    tf_type = _dt.as_dtype(tf_type)
    with _ops.name_scope(name, "assert_type", [tensor]):
        tensor = _ops.convert_to_tensor(tensor, name="tensor")
        if tensor.dtype.base_dtype != tf_type:
            prefix = f"{message}.  " if message else ""
            desc = "tensor" if _ops.executing_eagerly() else tensor.name
            raise TypeError(f"{prefix}{desc} must be of type {tf_type!r}; "
                            f"got {tensor.dtype.base_dtype!r}")
        return array_ops.no_op("statically_determined_correct_type")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks that each tensor's shape matches its spec: ints are sizes, strings name sizes
    that must agree across tensors. tfteach checks static shapes only (the common case in
    eager code); TF also adds run-time checks for sizes unknown while tracing."""
    prefix = f"{message}.  " if message else ""
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    with _ops.name_scope(name, "assert_shapes", [p[0] for p in pairs]):
        seen = {}
        for x, spec in pairs:
            x = _ops.convert_to_tensor(x)
            spec = [spec] if isinstance(spec, (str, int)) else list(spec)
            if any(d in ("...", "*") or d is Ellipsis for d in spec):
                raise NotImplementedError("tfteach's assert_shapes does not take '...' or '*'")
            if x.shape.rank is None or None in x.shape.as_list():
                raise NotImplementedError("tfteach's assert_shapes needs the shape of "
                                          f"{_tensor_desc(x)} known while the graph is built")
            if x.shape.rank != len(spec):
                raise ValueError(f"{prefix}Tensor {_tensor_name_or_empty(x)} must have rank "
                                 f"{len(spec)}.  Received rank {x.shape.rank}, shape "
                                 f"{x.shape}")
            for i, (want, got) in enumerate(zip(spec, x.shape.as_list())):
                if isinstance(want, str):
                    if want not in seen:
                        seen[want] = (got, f"Specified by tensor {_tensor_desc(x)} "
                                           f"dimension {i}")
                        continue
                    size, origin = seen[want]
                else:
                    size, origin = int(want), "Specified explicitly"
                if got != size:
                    raise ValueError(f"{prefix}{origin}.  Tensor {_tensor_desc(x)} dimension "
                                     f"{i} must have size {size}.  Received size {got}, "
                                     f"shape {x.shape}")
    if _ops.executing_eagerly():
        return None
    return array_ops.no_op(name="group_deps")


def assert_integer(x, message=None, name=None):
    with _ops.name_scope(name, "assert_integer", [x]):
        x = _ops.convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            prefix = f"{message} " if message else ""
            raise TypeError(f"{prefix}Expected Tensor {_tensor_name(x)} to be integer, got "
                            f"{x.dtype!r}")
        return array_ops.no_op("statically_determined_was_integer")


def is_numeric_tensor(tensor):
    return isinstance(tensor, _ops.Tensor) and tensor.dtype.base_dtype in _NUMERIC


_NUMERIC = frozenset([_dt.float16, _dt.float32, _dt.float64, _dt.bfloat16, _dt.int8,
                      _dt.int16, _dt.int32, _dt.int64, _dt.uint8, _dt.uint16, _dt.uint32,
                      _dt.uint64, _dt.complex64, _dt.complex128, _dt.qint8, _dt.qint16,
                      _dt.qint32, _dt.quint8, _dt.quint16])
