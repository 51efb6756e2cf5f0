"""Top-k, sorting and binary search: `top_k`, `sort`, `argsort`, `searchsorted`.

TF 2.21 has no sort op: `tf.sort`/`tf.argsort` are TopKV2 with k = the axis length, after a
Neg (ascending order is the descending order of -x; -x - 1 for signed integers, so that the
most negative integer does not overflow; max - x for unsigned ones) and a Transpose when the
axis is not the last one. tfteach builds the same graph, op for op, so a lesson's drawing of
`tf.sort` is TF's, and gradients flow through TopKV2's gradient.
"""
import collections as _collections

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework import tensor_util
from ..framework.op_def_library import apply_op
from . import array_ops, constant_op, nn_ops  # noqa: F401  (TopKV2; LowerBound, UpperBound)

__all__ = ["top_k", "sort", "argsort", "searchsorted"]


TopKV2 = _collections.namedtuple("TopKV2", ["values", "indices"])


@registry.api("TopKV2")
def top_k(input, k=1, sorted=True, index_type=_dt.int32, name=None):  # noqa: A002
    """The k largest entries of the last axis and their indices; equal values come in index
    order. With sorted=False TF's CPU kernel returns them in an unspecified (heap) order;
    tfteach returns them sorted, which is one of the orders TF allows."""
    index_type = _dt.as_dtype(index_type)
    if index_type not in (_dt.int16, _dt.int32, _dt.int64):
        raise TypeError(f"Value passed to parameter 'index_type' has DataType "
                        f"{index_type.name} not in list of allowed values: int16, int32, int64")
    values, indices = apply_op("TopKV2", [input, k],
                               {"sorted": bool(sorted), "index_type": index_type},
                               name=name or "TopKV2")
    return TopKV2(values, indices)


_DIRECTIONS = ("ASCENDING", "DESCENDING")


def _sort_or_argsort(values, axis, direction, return_argsort):
    if direction not in _DIRECTIONS:
        raise ValueError(f"Argument `direction` should be one of {', '.join(_DIRECTIONS)}. "
                         f"Received: direction={direction}")
    axis = _ops.convert_to_tensor(axis, name="axis")
    axis_static = tensor_util.constant_value(axis)
    if axis.shape.rank not in (None, 0) or axis_static is None:
        raise ValueError(f"Argument `axis` must be a constant scalar. Received: "
                         f"axis={axis_static if axis_static is not None else axis}.")
    axis_static = int(axis_static)
    values = _ops.convert_to_tensor(values, name="values")
    if direction == "DESCENDING":
        return _descending_sort(values, axis_static, return_argsort)
    dtype = values.dtype.base_dtype
    if dtype.is_unsigned:
        offset = constant_op.constant(dtype.max, dtype=dtype)
        out = _descending_sort(offset - values, axis_static, return_argsort)
        return out if return_argsort else offset - out
    if dtype.is_integer:
        out = _descending_sort(-values - 1, axis_static, return_argsort)
        return out if return_argsort else -out - 1
    out = _descending_sort(-values, axis_static, return_argsort)
    return out if return_argsort else -out


def _descending_sort(values, axis, return_argsort):
    k = array_ops.shape(values)[axis]
    rank = array_ops.rank(values)
    static_rank = values.shape.rank
    if axis == -1 or (static_rank is not None and axis + 1 == static_rank):
        top_k_input, transposition = values, None
    else:
        if static_rank is None:
            raise NotImplementedError("tfteach sorts a non-last axis only when the rank of "
                                      "the values is known")
        if axis < 0:
            axis += static_rank
        # swap `axis` with the last axis (a permutation that is its own inverse)
        perm = list(range(static_rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        transposition = constant_op.constant(np.asarray(perm, dtype=np.int32),
                                             name="transposition")
        top_k_input = array_ops.transpose(values, transposition)
    del rank  # TF builds it (a Const when the rank is known); kept for the same graph
    vals, indices = top_k(top_k_input, k)
    out = indices if return_argsort else vals
    if transposition is not None:
        out = array_ops.transpose(out, transposition)
    return out


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """The values sorted along `axis` (TopKV2 underneath, as in TF)."""
    with _ops.name_scope(name, "sort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The indices that sort `values` along `axis`. TopKV2 keeps equal values in index order,
    so the result is always stable (TF ignores `stable` for the same reason)."""
    del stable
    with _ops.name_scope(name, "argsort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=True)


@registry.api("LowerBound")
@registry.api("UpperBound")
def searchsorted(sorted_sequence, values, side="left", out_type=_dt.int32, name=None):
    """Per row, where each value would be inserted to keep the row sorted: LowerBound
    (side='left') or UpperBound (side='right') on [-1, n] reshaped rows, as TF builds it."""
    sorted_sequence = _ops.convert_to_tensor(sorted_sequence)
    values = _ops.convert_to_tensor(values)
    sequence_size = array_ops.shape(sorted_sequence)[-1]
    values_size = array_ops.shape(values)[-1]
    if _ops.executing_eagerly() and not _ops.is_symbolic(values):
        # eager values are known: plain ints (a graph packs [-1, size] into the Reshape)
        sequence_size, values_size = int(sequence_size), int(values_size)
    sorted_2d = array_ops.reshape(sorted_sequence, [-1, sequence_size])
    values_2d = array_ops.reshape(values, [-1, values_size])
    attrs = {"out_type": _dt.as_dtype(out_type)}
    if side == "right":
        output = apply_op("UpperBound", [sorted_2d, values_2d], attrs, name=name or "UpperBound")[0]
    elif side == "left":
        output = apply_op("LowerBound", [sorted_2d, values_2d], attrs, name=name or "LowerBound")[0]
    else:
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: "
                         f"`side` = {side!r}.")
    return array_ops.reshape(output, array_ops.shape(values))


