"""TF2's checks (`tf.debugging.assert_*`, `tf.Assert`, `tf.assert_equal`, ...).

They are TF1's checks (assert_ops.py: the same graph ops, the same eager errors) with TF2's
signatures: the binary and sign checks take no `data`, and the rank checks no
`data`/`summarize`. Eagerly a failing check raises InvalidArgumentError at once; inside a
tf.function it adds TF's guarded Assert, which fails when the function runs.
"""
from . import assert_ops as _a
from .assert_ops import (Assert, assert_integer, assert_shapes,  # noqa: F401
                         assert_type, is_numeric_tensor)


def assert_scalar(tensor, message=None, name=None):
    return _a.assert_scalar(tensor, name=name, message=message)


def _binary(v1):
    def check(x, y, message=None, summarize=None, name=None):
        return v1(x, y, summarize=summarize, message=message, name=name)
    check.__name__ = v1.__name__
    check.__doc__ = v1.__doc__
    return check


def _sign(v1):
    def check(x, message=None, summarize=None, name=None):
        return v1(x, summarize=summarize, message=message, name=name)
    check.__name__ = v1.__name__
    check.__doc__ = v1.__doc__
    return check


def _rank(v1):
    def check(x, rank, message=None, name=None):
        return v1(x, rank, message=message, name=name)
    check.__name__ = v1.__name__
    check.__doc__ = v1.__doc__
    return check


assert_equal = _binary(_a.assert_equal)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    """Asserts `x != y` element-wise (TF2 keeps `summarize` before `message` here)."""
    return _a.assert_none_equal(x, y, summarize=summarize, message=message, name=name)


assert_less = _binary(_a.assert_less)
assert_less_equal = _binary(_a.assert_less_equal)
assert_greater = _binary(_a.assert_greater)
assert_greater_equal = _binary(_a.assert_greater_equal)
assert_positive = _sign(_a.assert_positive)
assert_negative = _sign(_a.assert_negative)
assert_non_negative = _sign(_a.assert_non_negative)
assert_non_positive = _sign(_a.assert_non_positive)
assert_rank = _rank(_a.assert_rank)
assert_rank_at_least = _rank(_a.assert_rank_at_least)


# --- numeric checks and the remaining TF2 checks ---------------------------------------------

from .logging_ops import check_numerics  # noqa: E402,F401  (tf.debugging.check_numerics)


def assert_all_finite(x, message, name=None):
    """`x`, after a CheckNumerics of it has run (TF's `verify_finite`): InvalidArgumentError
    "<message> : Tensor had NaN values" when `x` holds a NaN or an Inf."""
    return _verify_finite(x, message, name, "verify_finite")


def _verify_finite(x, message, name, default_name):
    from ..framework import ops as _ops
    from . import array_ops
    with _ops.name_scope(name, default_name, [x]):
        x = _ops.convert_to_tensor(x, name="x")
        verify = check_numerics(x, message=message)
        # TF's with_dependencies: an Identity named control_dependency
        with _ops.control_dependencies([verify]):
            return array_ops.identity(x, name="control_dependency")


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """TF1's spelling of assert_all_finite (`tf.compat.v1.debugging.assert_all_finite`)."""
    t = x if t is None else t
    msg = message if msg is None else msg
    return _verify_finite(t, msg, name, "VerifyFinite")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Asserts |x - y| < atol + rtol * |y| element-wise (tolerances default to 10 eps of
    x's dtype), with TF's data: the tolerances, then x and y."""
    return assert_near_v1(x, y, rtol=rtol, atol=atol, summarize=summarize, message=message,
                           name=name)


def assert_near_v1(x, y, rtol=None, atol=None, data=None, summarize=None, message=None,
                    name=None):
    import numpy as np
    from ..framework import ops as _ops
    from . import math_ops
    message = f"{message}.  " if message else ""
    with _ops.name_scope(name, "assert_near", [x, y, rtol, atol, data]):
        x = _ops.convert_to_tensor(x, name="x")
        y = _ops.convert_to_tensor(y, name="y", dtype=x.dtype)
        dtype = x.dtype.base_dtype
        if dtype.is_complex:
            dtype = dtype.real_dtype
        eps = np.finfo(dtype.np_dtype).eps
        rtol = 10 * eps if rtol is None else rtol
        atol = 10 * eps if atol is None else atol
        rtol = _ops.convert_to_tensor(rtol, name="rtol", dtype=dtype)
        atol = _ops.convert_to_tensor(atol, name="atol", dtype=dtype)
        if data is None:
            data = [message,
                    "x and y not equal to tolerance rtol = %s, atol = %s" % (rtol, atol),
                    f"x ({_a._tensor_desc(x)}) = ", x, f"y ({_a._tensor_desc(y)}) = ", y]
        tol = atol + rtol * math_ops.abs(y)
        diff = math_ops.abs(x - y)
        condition = math_ops.reduce_all(math_ops.less(diff, tol))
        return Assert(condition, data, summarize=summarize)


def assert_rank_in(x, ranks, message=None, name=None):
    """Asserts that x's rank is one of `ranks` (ValueError when known while building)."""
    return assert_rank_in_v1(x, ranks, message=message, name=name)


def assert_rank_in_v1(x, ranks, data=None, summarize=None, message=None, name=None):
    import numpy as np
    from ..framework import ops as _ops
    from . import array_ops, math_ops
    with _ops.name_scope(name, "assert_rank_in", [x] + list(ranks) + [data or []]):
        if not isinstance(x, _SPARSE_OR_TENSOR()):
            x = _ops.convert_to_tensor(x, name="x")
        ranks = [int(np.asarray(getattr(r, "numpy", lambda: r)())) for r in ranks]
        prefix = f"{message}.  " if message else ""
        rank = x.shape.rank
        if rank is not None:
            if rank not in ranks:
                raise ValueError(f"{prefix}Tensor {_a._tensor_name_or_empty(x)} must have "
                                 f"rank in {tuple(ranks)}.  Received rank {rank}, shape "
                                 f"{x.shape}")
            return array_ops.no_op() if not _ops.executing_eagerly() else None
        if data is None:
            data = [message or "", f"Tensor {x.name} must have rank in", *ranks,
                    "Received shape: ", array_ops.shape(x)]
        condition = math_ops.reduce_any(math_ops.equal(array_ops.rank(x), ranks))
        return Assert(condition, data, summarize=summarize)


def _SPARSE_OR_TENSOR():
    from ..framework import ops as _ops
    return (_ops.Tensor,)


def _item_text(item):
    from ..framework import ops as _ops
    return item.name if isinstance(item, _ops.Tensor) and not getattr(
        item, "_is_eager", False) else str(item)


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one floating dtype of `tensors` (and `dtype`, when given), float32 for none;
    ValueError (TF's text) for a mismatch or a non-floating dtype."""
    from ..framework import dtypes as _dt
    if tensors:
        expected = dtype
        mismatch = False
        for item in tensors:
            if item is None:
                continue
            t = item.dtype.base_dtype
            if not expected:
                expected = t
            elif expected != t:
                mismatch = True
                break
        if mismatch:
            expected, first = dtype, None
            for item in tensors:
                if item is None:
                    continue
                t = item.dtype.base_dtype
                if not expected:
                    expected, first = t, _item_text(item)
                elif expected != t:
                    raise ValueError("%s, type=%s, must be of the same type (%s)%s." % (
                        _item_text(item), t, expected, (" as " + first) if first else ""))
        dtype = expected
    if not dtype:
        dtype = _dt.float32
    elif not _dt.as_dtype(dtype).is_floating:
        raise ValueError("Expected floating point type, got %s." % _dt.as_dtype(dtype))
    return dtype


def assert_proper_iterable(values):
    """TypeError unless `values` is an iterable that is not a tensor, an ndarray or a
    string (iterating those is rarely what a check over several values means)."""
    import numpy as np
    from ..framework import ops as _ops
    from .sparse_ops import SparseTensor
    if isinstance(values, (_ops.Tensor, SparseTensor, np.ndarray, bytes, str)) or \
            getattr(values, "_is_eager", False):
        raise TypeError('Expected argument "values" to be a "proper" iterable.  Found: '
                        f"{type(values)}")
    if not hasattr(values, "__iter__"):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


# --- tf.debugging.enable_check_numerics ------------------------------------------------------
# TF's op callback: after every op whose type is not in the lists below, each floating output
# goes through CheckNumericsV2 with a message naming the op, its output slot, dtype, shape,
# the counts of -Inf/+Inf/NaN (eagerly) and its inputs. Eagerly the check runs at once; in a
# graph (tf.function, v1) the checked tensor replaces the output, so the check runs with it.

_SAFE_OPS = frozenset((
    "Concat", "ConcatV2", "ExpandDims", "Fill", "Gather", "Maximum", "Minimum", "Reshape",
    "Slice", "Squeeze", "Stack", "StridedSlice", "StridedSliceGrad", "TensorListConcatV2",
    "TensorListGather", "TensorListGetItem", "TensorListPopBack", "TensorListStack",
    "Transpose", "Unpack",
    # the op callback's own skip list (control flow, identities, function calls)
    "Enter", "Exit", "Identity", "If", "LoopCond", "Merge", "NextIteration", "StatelessIf",
    "StatefulPartitionedCall", "Switch", "While", "CheckNumericsV2", "CheckNumerics",
    # graph inputs and constants are what the checked ops read, not ops that compute
    "Placeholder", "PlaceholderWithDefault", "Const", "_Arg"))
_IGNORE_OUTPUTS = frozenset((t, s) for t in ("FusedBatchNorm", "FusedBatchNormV2")
                            for s in (1, 2, 3, 4)) | frozenset(
    ("FusedBatchNormV3", s) for s in (1, 2, 3, 4, 5))
_CHECK_STATE = {"callback": None}


def _check_message(slot, n_outputs, op_type, output, inputs, graph):
    import numpy as np
    lines = ["", "", f"!!! Detected Infinity or NaN in output {slot} of "
             f"{'graph' if graph is not None else 'eagerly-executing'} op \"{op_type}\" "
             f"(# of outputs: {n_outputs}) !!!",
             f"  dtype: {output.dtype}", f"  shape: {output.shape}"]
    if graph is None:
        v = np.asarray(output.numpy(), dtype=np.float64)
        for label, count in (("-Inf", np.isneginf(v).sum()), ("+Inf", np.isposinf(v).sum()),
                             ("+NaN", np.isnan(v).sum())):
            if count:
                lines.append(f"  # of {label} elements: {int(count)}")
    lines.append("")
    flat = [x for x in inputs if x is not None]
    if len(flat) == 1:
        lines.append("  Input tensor: %s" % (flat[0],))
    elif flat:
        lines.append(f"  Input tensors ({len(flat)}):")
        lines += ["         %d: %s" % (i, x) for i, x in enumerate(flat)]
    if graph is not None:
        lines.append(f"  Graph name: \"{getattr(graph, 'name', None) or 'Graph'}\"")
    return "\n".join(lines + ["", ""])


def _check_numerics_callback(opdef, inputs, outputs):
    from ..framework import ops as _ops
    from .logging_ops import check_numerics_v2
    if opdef.type in _SAFE_OPS or not isinstance(outputs, (list, tuple)):
        return None
    flat_inputs = []
    for x in inputs:
        if isinstance(x, (list, tuple)):
            flat_inputs.extend(x)
        else:
            flat_inputs.append(x)
    flat_inputs = [_ops.convert_to_tensor(x) if not isinstance(x, _ops.Tensor) and not
                   getattr(x, "_is_eager", False) else x for x in flat_inputs]
    replaced, changed = [], False
    for slot, out in enumerate(outputs):
        dtype = getattr(out, "dtype", None)
        if dtype is None or not dtype.is_floating or (opdef.type, slot) in _IGNORE_OUTPUTS:
            replaced.append(out)
            continue
        symbolic = _ops.is_symbolic(out)
        graph = out.graph if symbolic else None
        message = _check_message(slot, len(outputs), opdef.type, out, flat_inputs, graph)
        if symbolic:
            with graph.as_default(), _ops.name_scope(out.op.name + "/"):
                replaced.append(check_numerics_v2(out, message))
            changed = True
        else:
            check_numerics_v2(out, message)
            replaced.append(out)
    return replaced if changed else None


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Every later op's floating outputs are checked for -Inf, +Inf and NaN (CheckNumericsV2):
    eagerly at once, in graphs by a check that replaces the output. The error names the op,
    the output slot, dtype and shape and shows the inputs; unlike TF's it does not show the
    op's creation stack (the two limits are accepted for TF's signature)."""
    from ..framework import op_def_library
    if _CHECK_STATE["callback"] is None:
        _CHECK_STATE["callback"] = _check_numerics_callback
        op_def_library.OP_CALLBACKS.append(_check_numerics_callback)


def disable_check_numerics():
    """Stops the checks enable_check_numerics started (graphs built meanwhile keep theirs)."""
    from ..framework import op_def_library
    cb = _CHECK_STATE["callback"]
    if cb is not None:
        op_def_library.OP_CALLBACKS.remove(cb)
        _CHECK_STATE["callback"] = None
