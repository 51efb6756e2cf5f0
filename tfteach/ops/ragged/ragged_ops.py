"""`tf.ragged.*`, and the element-wise ops and reductions on RaggedTensors.

Element-wise ops reach RaggedTensors through `apply_op`'s composite hook (installed below):
an element-wise op type applied to ragged operands runs once on their flat values, which
must share one row partition (a dense scalar operand broadcasts). Reductions over a ragged
axis are segment reductions over the values (`UnsortedSegmentSum/Max/Min`), as in TF.
"""
import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework import op_def_library
from ...framework import ops as _ops
from ...framework.op_def_library import apply_op
from .. import array_ops, math_ops
from .ragged_tensor import RaggedTensor, RaggedTensorValue, row_splits_to_segment_ids

__all__ = ["constant", "map_flat_values", "row_splits_to_segment_ids",
           "segment_ids_to_row_splits", "RaggedTensorValue", "constant_value", "placeholder"]


# --- tf.ragged.constant -----------------------------------------------------------------------

def _depth(x):
    d = 0
    while isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim):
        if len(x) == 0:
            return d + 1, True
        x = x[0]
        d += 1
    return d, False


def _max_depth(x):
    if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim):
        return 1 + max((_max_depth(v) for v in x), default=0)
    return 0


def constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None,
                   row_splits_dtype="int64"):
    """The nested row splits and flat values (NumPy) of a nested Python list."""
    depth = _max_depth(pylist)
    if depth == 0:
        raise ValueError("pylist must be a list (a scalar is not a ragged tensor)")
    _check_leaves(pylist)
    if ragged_rank is None:
        ragged_rank = depth - 1 - (len(inner_shape) if inner_shape else 0)
        ragged_rank = max(ragged_rank, 1)
    if not 0 < ragged_rank < max(depth, 2):
        raise ValueError(f"Invalid pylist={pylist!r}: incompatible with ragged_rank="
                         f"{ragged_rank}")
    sdt = _dt.as_dtype(row_splits_dtype).np_dtype
    splits = []
    level = list(pylist)
    for _ in range(ragged_rank):
        lengths = [len(row) for row in level]
        splits.append(np.concatenate([[0], np.cumsum(lengths)]).astype(sdt))
        level = [item for row in level for item in row]
    if dtype is not None:
        npdt = _dt.as_dtype(dtype).np_dtype
    else:
        npdt = None
    if level:
        flat = np.array(level, dtype=object if npdt is None and _has_text(level) else npdt)
        if flat.dtype == object:
            flat = np.array([v.encode() if isinstance(v, str) else v
                             for v in flat.reshape(-1)], dtype=object).reshape(flat.shape)
    else:
        inner = tuple(inner_shape or ())
        flat = np.zeros((0,) + inner, dtype=npdt or np.float32)
    if flat.dtype == np.float64 and dtype is None:
        flat = flat.astype(np.float32)          # Python floats are float32, as tf.constant
    if flat.dtype == np.int64 and dtype is None and level and np.all(
            np.abs(flat) < 2 ** 31):
        flat = flat.astype(np.int32)
    return flat, splits


def _check_leaves(pylist):
    """TF's two checks of a nested list: one nesting depth, one kind of scalar."""
    depths, kinds = set(), set()

    def walk(x, d):
        if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim):
            for v in x:
                walk(v, d + 1)
            return
        depths.add(d)
        kinds.add("text" if isinstance(x, (str, bytes)) else "number")
    walk(pylist, 0)
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    if len(kinds) > 1:
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")


def _has_text(level):
    for v in level:
        while isinstance(v, (list, tuple)) and v:
            v = v[0]
        if isinstance(v, (str, bytes)):
            return True
    return False


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=_dt.int64):
    """A RaggedTensor from a nested Python list (every level ragged unless `ragged_rank`
    keeps the innermost ones uniform)."""
    with _ops.name_scope(name, "RaggedConstant"):
        flat, splits = constant_value(pylist, dtype, ragged_rank, inner_shape,
                                      row_splits_dtype)
        values = _ops.convert_to_tensor(flat, dtype=dtype)
        for s in reversed(splits):
            values = RaggedTensor(values, _ops.convert_to_tensor(s), internal=True)
        return values


def placeholder(dtype, ragged_rank, value_shape=None, name=None):
    """TF1's `tf.ragged.placeholder`: placeholders for the flat values and each splits."""
    with _ops.name_scope(name, "RaggedPlaceholder"):
        values = array_ops.placeholder(dtype, [None] + list(value_shape or []), "flat_values")
        for i in reversed(range(ragged_rank)):
            splits = array_ops.placeholder(_dt.int64, [None], f"row_splits_{i}")
            values = RaggedTensor(values, splits, internal=True)
        return values


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    with _ops.name_scope(name, "SegmentIdsToRaggedSplits", [segment_ids]):
        ids = _ops.convert_to_tensor(segment_ids)
        out_type = _dt.as_dtype(out_type) if out_type is not None else ids.dtype.base_dtype
        rt = RaggedTensor.from_value_rowids(ids, math_ops.cast(ids, out_type),
                                            nrows=num_segments, validate=False)
        return rt.row_splits


def map_flat_values(op, *args, **kwargs):
    """`op` applied to the flat values of the ragged arguments (which must share their row
    partitions); the result has that partition."""
    partition = []

    def swap(x):
        if isinstance(x, RaggedTensor):
            partition.append(x)
            return x.flat_values
        if isinstance(x, (list, tuple)):
            return type(x)(swap(v) for v in x)
        if isinstance(x, dict):
            return {k: swap(v) for k, v in x.items()}
        return x
    args = swap(args)
    kwargs = swap(kwargs)
    if not partition:
        return op(*args, **kwargs)
    first = partition[0]
    for other in partition[1:]:
        _check_same_partition(first, other)
    return first.with_flat_values(op(*args, **kwargs))


def _check_same_partition(a, b):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    if len(sa) != len(sb):
        raise ValueError("Ragged elementwise ops need operands of the same ragged_rank")
    for x, y in zip(sa, sb):
        if x is y:
            continue
        if getattr(x, "_is_eager", False) and getattr(y, "_is_eager", False):
            xv, yv = x.numpy(), y.numpy()
            if xv.shape != yv.shape or np.any(xv != yv):
                raise errors.InvalidArgumentError(None, None, _assert_equal_text(xv, yv))


def _assert_equal_text(x, y):
    """TF's assert_equal message for two row partitions that differ."""
    msg = "Condition x == y did not hold."
    if x.shape != y.shape:
        return msg
    where = np.nonzero(x != y)[0]
    return (f"{msg}\nIndices of first {len(where)} different values:\n{where[:, None]}\n"
            f"Corresponding x values:\n{x[where]}\nCorresponding y values:\n{y[where]}\n"
            f"First 3 elements of x:\n{x[:3]}\nFirst 3 elements of y:\n{y[:3]}")


# --- element-wise ops on RaggedTensors (the apply_op hook) -------------------------------------

def _elementwise_types():
    from .. import math_ops as m
    return set(m.UNARY) | set(m.BINARY) | set(m.COMPARE) | set(m.LOGICAL) | {
        "LogicalNot", "Cast", "Add", "ComplexAbs", "Real", "Imag", "Angle", "Conj",
        "ZerosLike", "OnesLike", "Complex"}


_ELEMENTWISE = None


def _dispatch(opdef, inputs, attrs, name):
    global _ELEMENTWISE
    if _ELEMENTWISE is None:
        _ELEMENTWISE = _elementwise_types()
    if opdef.type not in _ELEMENTWISE:
        raise TypeError(f"{opdef.type} does not take a RaggedTensor: apply it to the "
                        f"ragged tensor's flat_values (tf.ragged.map_flat_values) or convert "
                        f"it with .to_tensor() first")
    partition = [x for x in inputs if isinstance(x, RaggedTensor)]
    first = partition[0]
    for other in partition[1:]:
        _check_same_partition(first, other)
    flat = []
    for x in inputs:
        if isinstance(x, RaggedTensor):
            flat.append(x.flat_values)
        else:
            flat.append(_broadcast_dense(x, first))
    out = apply_op(opdef.type, flat, attrs, name)
    return [first.with_flat_values(o) for o in out]


def _broadcast_dense(x, rt):
    """A dense operand against a 2-D RaggedTensor: a scalar as it is; [nrows, 1] (one value
    per row) repeated over each row's values."""
    dims = _static_dims(x)
    if dims is None or len(dims) == 0:
        return x
    if len(dims) == 2 and dims[1] == 1 and rt.ragged_rank == 1 and \
            rt.flat_values.shape.rank == 1:
        t = _ops.convert_to_tensor(x, dtype=rt.dtype.base_dtype)
        if rt._is_eager() and int(t.shape[0]) != int(rt._row_splits.shape[0]) - 1:
            raise errors.InvalidArgumentError(None, None, "Condition x == y did not hold.")
        return array_ops.gather(t[:, 0], rt.value_rowids())
    raise ValueError("tfteach broadcasts a dense operand against a RaggedTensor when it is a "
                     "scalar or has one value per row ([nrows, 1]); convert it with "
                     "tf.RaggedTensor.from_tensor")


def _static_dims(x):
    if hasattr(x, "shape") and hasattr(x.shape, "rank"):
        return None if x.shape.rank is None else list(x.shape.as_tuple())
    return list(np.shape(x))


op_def_library.COMPOSITE_DISPATCH = _dispatch


# --- reductions over ragged axes -----------------------------------------------------------

_SEGMENT = {"Sum": "UnsortedSegmentSum", "Max": "UnsortedSegmentMax",
            "Min": "UnsortedSegmentMin"}


def reduce(op_type, rt, axis, keepdims, name):
    """reduce_sum/max/min/mean(rt, axis): over all values (None), the rows (0) or each row
    (1 or -1) of a 2-D ragged tensor with scalar values."""
    if keepdims:
        raise NotImplementedError("tfteach reduces RaggedTensors with keepdims=False only")
    scope = {"Sum": "RaggedReduceSum", "Max": "RaggedReduceMax", "Min": "RaggedReduceMin",
             "Mean": "RaggedReduceMean", "Prod": "RaggedReduceProd"}.get(op_type, op_type)
    with _ops.name_scope(name, scope, [rt]):
        values = rt.flat_values
        if axis is None:
            fn = {"Sum": math_ops.reduce_sum, "Max": math_ops.reduce_max,
                  "Min": math_ops.reduce_min, "Mean": math_ops.reduce_mean,
                  "Prod": math_ops.reduce_prod, "All": math_ops.reduce_all,
                  "Any": math_ops.reduce_any}[op_type]
            return fn(values)
        axis = int(axis)
        if rt.ragged_rank != 1 or values.shape.rank != 1:
            raise NotImplementedError("tfteach reduces a RaggedTensor over one axis only when "
                                      "it is 2-D (ragged_rank 1, scalar values)")
        if axis not in (0, 1, -1, -2):
            raise ValueError(f"axis={axis} out of bounds: expected -2<=axis<2")
        splits = rt.row_splits
        rowids = row_splits_to_segment_ids(splits)
        if axis in (1, -1):
            ids, n = rowids, rt.nrows()
        else:
            n_vals = array_ops.shape(values, out_type=splits.dtype.base_dtype)[0]
            positions = math_ops.range(math_ops.cast(0, splits.dtype.base_dtype), n_vals,
                                       math_ops.cast(1, splits.dtype.base_dtype))
            ids = positions - array_ops.gather(splits, rowids)
            n = math_ops.reduce_max(array_ops.concat(
                [np.zeros([1], splits.dtype.base_dtype.np_dtype), rt.row_lengths()], 0))
        if op_type == "Mean":
            total = apply_op("UnsortedSegmentSum", [values, ids, n],
                             name="UnsortedSegmentSum")[0]
            count = apply_op("UnsortedSegmentSum", [array_ops.ones_like(values), ids, n],
                             name="UnsortedSegmentSum")[0]
            return math_ops.truediv(total, count)
        if op_type not in _SEGMENT:
            raise NotImplementedError(f"tfteach has no ragged reduce_{op_type.lower()} over "
                                      f"an axis (sum, mean, max and min are implemented)")
        out = apply_op(_SEGMENT[op_type], [values, ids, n], name=_SEGMENT[op_type])[0]
        if axis in (1, -1) and _ops.is_symbolic(out):
            out.set_shape(rt.shape[:1])
        return out


# --- tf.concat of RaggedTensors -------------------------------------------------------------

def concat(values, axis, name=None):
    """tf.concat of 2-D RaggedTensors (dense operands converted): axis 0 stacks the rows,
    axis 1 joins each row of every operand into one row."""
    with _ops.name_scope(name, "RaggedConcat", values):
        rts = [v if isinstance(v, RaggedTensor) else
               RaggedTensor.from_tensor(_ops.convert_to_tensor(v)) for v in values]
        for rt in rts:
            if rt.ragged_rank != 1 or rt.flat_values.shape.rank != 1:
                raise NotImplementedError("tfteach concatenates 2-D RaggedTensors with scalar "
                                          "values only")
        sdt = rts[0].row_splits.dtype.base_dtype
        splits = [math_ops.cast(rt.row_splits, sdt) for rt in rts]
        values = array_ops.concat([rt.flat_values for rt in rts], 0)
        axis = int(axis)
        if axis == 0:
            parts, offset = [splits[0]], splits[0][-1]
            for s in splits[1:]:
                parts.append(s[1:] + offset)
                offset = offset + s[-1]
            return RaggedTensor.from_row_splits(values, array_ops.concat(parts, 0),
                                                validate=False)
        if axis not in (1, -1):
            raise ValueError(f"axis={axis} out of bounds: expected -2<=axis<2")
        lengths = [s[1:] - s[:-1] for s in splits]
        total = lengths[0]
        for n in lengths[1:]:
            total = total + n
        out = RaggedTensor.from_row_lengths(values, total, validate=False)
        # where each operand's value lands: its row's start in the result, plus the rows of
        # the operands before it, plus its place in its own row
        positions, before = [], array_ops.zeros_like(lengths[0])
        for s, n in zip(splits, lengths):
            rowids = row_splits_to_segment_ids(s)
            k = array_ops.shape(rowids, out_type=sdt)[0]
            in_row = math_ops.range(math_ops.cast(0, sdt), k, math_ops.cast(1, sdt)) - \
                array_ops.gather(s, rowids)
            positions.append(array_ops.gather(out.row_splits[:-1] + before, rowids) + in_row)
            before = before + n
        where = array_ops.concat(positions, 0)
        order = apply_op("InvertPermutation", [where], name="InvertPermutation")[0]
        return RaggedTensor.from_row_lengths(array_ops.gather(values, order), total,
                                             validate=False)
