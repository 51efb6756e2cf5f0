"""Gradient functions of the array ops (reshaping, slicing, joining, selecting).

Data movement is differentiated by moving the gradient back: a reshape reshapes it back,
a transpose transposes it by the inverse permutation, a slice pads it with zeros, a tile
sums the copies. Written with ordinary ops so graphs and the eager tape share them.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.indexed_slices import IndexedSlices, to_tensor_no_warning
from . import math_ops
from .array_ops import _MASKS
from .math_grad import (_const_value, _int32, _op, _op1, _shape_tuple,
                        broadcast_gradient_args, reduce_gradient_args, reduce_sum, reshape,
                        shape, where_v2)


def _attr(op, name, default):
    try:
        return op.get_attr(name)
    except (ValueError, KeyError):
        return default


@registry.RegisterGradient("Identity")
@registry.RegisterGradient("PlaceholderWithDefault")
@registry.RegisterGradient("EnsureShape")
def _identity_grad(op, grad):
    if len(op.inputs) > 1:
        return [grad] + [None] * (len(op.inputs) - 1)
    return grad


@registry.RegisterGradient("IdentityN")
def _identity_n_grad(op, *grads):
    return list(grads)


@registry.RegisterGradient("Reshape")
def _reshape_grad(op, grad):
    in_shape = op.inputs[0].shape
    if in_shape.rank is not None and not in_shape.is_fully_defined():
        dims = list(in_shape.as_tuple())
        unknown = [i for i, d in enumerate(dims) if d is None]
        if len(unknown) == 1 and 0 not in dims:
            dims[unknown[0]] = -1
            return [reshape(grad, dims), None]
    return [reshape(grad, shape(op.inputs[0])), None]


@registry.RegisterGradient("ExpandDims")
def _expand_dims_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


@registry.RegisterGradient("Squeeze")
def _squeeze_grad(op, grad):
    return reshape(grad, shape(op.inputs[0]))


@registry.api("InvertPermutation")
@registry.RegisterGradient("Transpose")
def _transpose_grad(op, grad):
    p = op.inputs[1]
    pv = _const_value(p)
    if pv is not None and not _ops.is_symbolic(grad):
        inv = _int32(np.argsort(np.asarray(pv).reshape(-1)))
    else:
        inv = _op1("InvertPermutation", [p])
    return [_op1("Transpose", [grad, inv], name="transpose"), None]


@registry.RegisterGradient("Tile")
def _tile_grad(op, grad):
    # Interleave multiples and input dims ([m0, d0, m1, d1, ...]), view the gradient so,
    # and sum over the multiples' axes.
    from . import array_ops
    x, multiples = op.inputs[0], op.inputs[1]
    input_shape = array_ops.shape(x, out_type=multiples.dtype.base_dtype)
    split_shape = array_ops.reshape(
        array_ops.transpose(array_ops.stack([multiples, input_shape])), [-1])
    axes = math_ops.range(0, array_ops.size(split_shape), 2)
    g = math_ops.reduce_sum(array_ops.reshape(grad, split_shape), axes)
    if _ops.is_symbolic(g):
        g.set_shape(x.shape)
    return [g, None]


@registry.RegisterGradient("Fill")
def _fill_grad(op, grad):
    return None, reduce_sum(grad, _int32(np.arange(grad.shape.rank))
                            if grad.shape.rank is not None else
                            _op1("Range", [np.int32(0), _op1("Rank", [grad]), np.int32(1)]))


@registry.RegisterGradient("BroadcastTo")
def _broadcast_to_grad(op, grad):
    x, target = op.inputs[0], op.inputs[1]
    x_shape = shape(x)
    _, axes = broadcast_gradient_args(target, x_shape)
    g = reduce_sum(grad, axes, keepdims=True)
    return [reshape(g, x_shape), None]


@registry.RegisterGradient("Pack")
def _pack_grad(op, grad):
    n, axis = op.get_attr("N"), op.get_attr("axis")
    return list(_op("Unpack", [grad], {"num": n, "axis": axis}, name="unstack"))


@registry.RegisterGradient("Unpack")
def _unpack_grad(op, *grads):
    grads = [g if g is not None else _zeros_for(op.outputs[i]) for i, g in enumerate(grads)]
    return _op1("Pack", [list(grads)], {"axis": op.get_attr("axis")}, name="stack")


def _zeros_for(t):
    from .math_grad import zeros_like
    return zeros_like(t)


@registry.api("ConcatOffset")
@registry.RegisterGradient("ConcatV2")
def _concat_grad(op, grad):
    """Slices of the gradient at each input's offset along the concat axis."""
    from . import array_ops
    values = list(op.inputs[:-1])
    axis_t = op.inputs[-1]
    if len(values) == 1:
        return [grad, None]
    if not _ops.is_symbolic(grad):      # eager: split by the known sizes
        axis = int(_const_value(axis_t)) % len(values[0].shape)
        sizes = [int(v.shape[axis]) for v in values]
        parts = _op("SplitV", [grad, _int32(sizes), np.int32(axis)],
                    {"num_split": len(sizes)})
        return list(parts) + [None]
    non_neg_axis = axis_t % array_ops.rank(values[0])
    sizes = [array_ops.shape(v) for v in values]
    offsets = _op("ConcatOffset", [non_neg_axis, sizes])
    return [array_ops.slice(grad, o, s) for o, s in zip(offsets, sizes)] + [None]


def _stack_pair(rank):
    """[rank, 1] as TF's `stack` builds it in a graph (autopacking: `stack/1`, `stack`)."""
    from . import array_ops
    if _ops.is_symbolic(rank):
        return _ops.convert_to_tensor([rank, 1], name="stack")
    return array_ops.stack([rank, np.int32(1)])


@registry.RegisterGradient("Slice")
def _slice_grad(op, grad):
    # Pad the gradient with the zeros the slice cut off: before = begin,
    # after = input shape - slice size - begin.
    from . import array_ops
    x, begin = op.inputs[0], op.inputs[1]
    idx = begin.dtype.base_dtype
    input_rank = array_ops.rank(x)
    slice_size = array_ops.shape(op.outputs[0], out_type=idx)
    pack_shape = _stack_pair(input_rank)
    before = array_ops.reshape(begin, pack_shape)
    after = array_ops.reshape(array_ops.shape(x, out_type=idx) - slice_size - begin, pack_shape)
    paddings = array_ops.concat([before, after], 1)
    return array_ops.pad(grad, paddings), None, None


@registry.api("StridedSliceGrad")
@registry.RegisterGradient("StridedSlice")
def _strided_slice_grad(op, grad):
    begin, end, strides = op.inputs[1], op.inputs[2], op.inputs[3]
    x = shape(op.inputs[0])
    if begin.dtype.base_dtype != _dt.int32:
        x = math_ops.cast(x, begin.dtype.base_dtype)
    vals = []
    for t in (x, begin, end, strides):
        v = _const_value(t)
        vals.append(np.asarray(v) if v is not None else t)
    attrs = {k: _attr(op, k, 0) for k in _MASKS}
    g = _op1("StridedSliceGrad", [vals[0], vals[1], vals[2], vals[3], grad], attrs)
    return g, None, None, None


@registry.RegisterGradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    # StridedSliceGrad writes dy into zeros: its gradient is the same slice of `grad` (second
    # derivatives through a slice, e.g. tf.hessians); the shape and bounds get none
    begin, end, strides = op.inputs[1], op.inputs[2], op.inputs[3]
    attrs = {k: _attr(op, k, 0) for k in _MASKS}
    return None, None, None, None, _op1("StridedSlice", [grad, begin, end, strides], attrs)


@registry.RegisterGradient("SpaceToBatchND")
def _space_to_batch_nd_grad(op, grad):
    # the blocks go back where they came from; the padding's gradient is cropped away
    return (_op1("BatchToSpaceND", [grad, op.inputs[1], op.inputs[2]]), None, None)


@registry.RegisterGradient("BatchToSpaceND")
def _batch_to_space_nd_grad(op, grad):
    return (_op1("SpaceToBatchND", [grad, op.inputs[1], op.inputs[2]]), None, None)


@registry.api("MirrorPadGrad")
@registry.RegisterGradient("MirrorPad")
def _mirror_pad_grad(op, grad):
    g = _op1("MirrorPadGrad", [grad, op.inputs[1]], {"mode": op.get_attr("mode")})
    if _ops.is_symbolic(g):
        g.set_shape(op.inputs[0].shape)
    return g, None


@registry.RegisterGradient("MirrorPadGrad")
def _mirror_pad_grad_grad(op, grad):
    return _op1("MirrorPad", [grad, op.inputs[1]], {"mode": op.get_attr("mode")}), None


@registry.RegisterGradient("Pad")
@registry.RegisterGradient("PadV2")
def _pad_grad(op, grad):
    """The gradient sliced back to the input's extent (the padding's first column)."""
    from . import array_ops
    x, a = op.inputs[0], op.inputs[1]
    pad_before = array_ops.slice(a, [0, 0], _stack_pair(array_ops.rank(x)))
    begin = array_ops.reshape(pad_before, [-1])
    sizes = array_ops.shape(x, out_type=begin.dtype.base_dtype)
    g = array_ops.slice(grad, begin, sizes)
    return (g, None, None) if len(op.inputs) == 3 else (g, None)


@registry.RegisterGradient("ReverseV2")
def _reverse_grad(op, grad):
    return _op1("ReverseV2", [grad, op.inputs[1]]), None


@registry.RegisterGradient("SelectV2")
def _select_v2_grad(op, grad):
    c, x, y, z = op.inputs[0], op.inputs[1], op.inputs[2], op.outputs[0]
    from . import constant_op
    zeros = constant_op.constant(0, dtype=grad.dtype.base_dtype, name="zeros")
    gx = where_v2(c, grad, zeros)
    gy = where_v2(c, zeros, grad)
    gx, _ = reduce_gradient_args(x, z, gx, None)
    gy, _ = reduce_gradient_args(y, z, gy, None)
    return None, gx, gy


@registry.RegisterGradient("Select")
def _select_grad(op, grad):
    c, x = op.inputs[0], op.inputs[1]
    from . import array_ops
    zeros = array_ops.zeros_like(x)
    return None, _op1("Select", [c, grad, zeros]), _op1("Select", [c, zeros, grad])


@registry.RegisterGradient("GatherV2")
def _gather_v2_grad(op, grad):
    """Gradient of gather. Along axis 0 it is an IndexedSlices: the incoming rows, the
    indices they came from and the params' shape (optimizers then touch only those rows).
    Along another axis it is dense: the slices are scatter-added back where they came from."""
    from . import array_ops
    params, indices, axis_t = op.inputs[0], op.inputs[1], op.inputs[2]
    axis = int(_const_value(axis_t))
    batch_dims = _attr(op, "batch_dims", 0)
    if batch_dims:
        raise LookupError("GatherV2 gradient with batch_dims is not implemented in tfteach")
    grad = to_tensor_no_warning(grad)
    ps = _shape_tuple(params)
    rank = len(ps) if ps is not None else params.shape.rank
    axis = axis % rank
    if axis == 0:
        params_shape = shape(params)
        size = array_ops.expand_dims(array_ops.size(indices), 0)
        values_shape = array_ops.concat([size, params_shape[1:]], 0)
        values = reshape(grad, values_shape)
        flat_indices = reshape(indices, size)
        return IndexedSlices(values, flat_indices, params_shape), None, None
    params_shape = shape(params)
    n = _op1("StridedSlice", [params_shape, _int32([axis]), _int32([axis + 1]), _int32([1])],
             {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
              "shrink_axis_mask": 1})
    flat_idx = reshape(indices, [-1])
    idx_rank = indices.shape.rank
    # Move the gathered axis to the front, sum the slices per index, move it back.
    g = grad
    if axis:
        perm = ([axis + i for i in range(idx_rank)] + list(range(axis)) +
                list(range(axis + idx_rank, rank + idx_rank - 1)))
        g = _op1("Transpose", [g, _int32(perm)])
    gs = _shape_tuple(g)
    tail = [-1] + [d if d is not None else -1 for d in (gs[idx_rank:] if gs else [])]
    if gs is None or None in gs[idx_rank:]:
        tail_t = _op1("StridedSlice", [shape(g, optimize=False), _int32([idx_rank]),
                                       _int32([0]), _int32([1])],
                      {"begin_mask": 0, "end_mask": 1, "ellipsis_mask": 0,
                       "new_axis_mask": 0, "shrink_axis_mask": 0})
        tail = _op1("ConcatV2", [[_int32([-1]), tail_t], np.int32(0)])
    g = reshape(g, tail)
    summed = _op1("UnsortedSegmentSum", [g, flat_idx, n])
    if axis:
        inv = list(range(1, axis + 1)) + [0] + list(range(axis + 1, rank))
        summed = _op1("Transpose", [summed, _int32(inv)])
    return summed, None, None


@registry.RegisterGradient("DynamicStitch")
def _dynamic_stitch_grad(op, grad):
    n = len(op.inputs) // 2
    values = [_op1("GatherV2", [grad, math_ops.cast(op.inputs[i], _dt.int32), np.int32(0)],
                   {"batch_dims": 0}) for i in range(n)]
    return [None] * n + values


@registry.RegisterGradient("Split")
def _split_grad(op, *grads):
    grads = [g if g is not None else _zeros_for(op.outputs[i]) for i, g in enumerate(grads)]
    return None, _op1("ConcatV2", [list(grads), op.inputs[0]], name="concat")


@registry.RegisterGradient("SplitV")
def _split_v_grad(op, *grads):
    grads = [g if g is not None else _zeros_for(op.outputs[i]) for i, g in enumerate(grads)]
    return _op1("ConcatV2", [list(grads), op.inputs[2]], name="concat"), None, None


# --- N-d gather/scatter, segments, Roll, DynamicPartition ---------------------------------------

def _index_shape(params, indices):
    return _op1("Shape", [params], {"out_type": indices.dtype.base_dtype})


@registry.RegisterGradient("GatherNd")
def _gather_nd_grad(op, grad):
    params, indices = op.inputs
    return [_op1("ScatterNd", [indices, grad, _index_shape(params, indices)]), None]


@registry.RegisterGradient("ScatterNd")
def _scatter_nd_grad(op, grad):
    return [None, _op1("GatherNd", [grad, op.inputs[0]]), None]


@registry.RegisterGradient("TensorScatterUpdate")
def _tensor_scatter_update_grad(op, grad):
    indices, updates = op.inputs[1], op.inputs[2]
    from . import array_ops
    # the overwritten positions got nothing from the old tensor
    tensor_grad = _op1("TensorScatterUpdate", [grad, indices, array_ops.zeros_like(updates)])
    return [tensor_grad, None, _op1("GatherNd", [grad, indices])]


@registry.RegisterGradient("TensorScatterAdd")
def _tensor_scatter_add_grad(op, grad):
    return [grad, None, _op1("GatherNd", [grad, op.inputs[1]])]


@registry.RegisterGradient("TensorScatterSub")
def _tensor_scatter_sub_grad(op, grad):
    return [grad, None, -_op1("GatherNd", [grad, op.inputs[1]])]


def _gather_drop_negatives(params, ids):
    """gather(params, ids) with zeros where ids < 0 (rows UnsortedSegment* dropped)."""
    from . import array_ops, math_ops
    safe = math_ops.maximum(ids, array_ops.zeros_like(ids))
    gathered = _op1("GatherV2", [params, safe, np.int32(0)], {"batch_dims": 0})
    keep = math_ops.greater_equal(ids, array_ops.zeros_like(ids))
    extra = gathered.shape.rank - ids.shape.rank
    keep = reshape(keep, _op1("ConcatV2", [[shape(ids), _int32([1] * extra)], np.int32(0)]))
    return where_v2(keep, gathered, array_ops.zeros_like(gathered)), keep


@registry.RegisterGradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    return [_gather_drop_negatives(grad, op.inputs[1])[0], None, None]


@registry.RegisterGradient("UnsortedSegmentMax")
@registry.RegisterGradient("UnsortedSegmentMin")
def _unsorted_segment_min_or_max_grad(op, grad):
    """The gradient goes to the elements equal to their segment's result, split equally
    among ties (as TF)."""
    from . import array_ops, math_ops
    data, ids, n = op.inputs
    gathered_outputs, keep = _gather_drop_negatives(op.outputs[0], ids)
    is_selected = math_ops.logical_and(math_ops.equal(data, gathered_outputs), keep)
    num_selected = _op1("UnsortedSegmentSum",
                        [math_ops.cast(is_selected, grad.dtype.base_dtype), ids, n])
    weighted = math_ops.divide(grad, num_selected)
    gathered_grads, _ = _gather_drop_negatives(weighted, ids)
    return [where_v2(is_selected, gathered_grads, array_ops.zeros_like(gathered_grads)),
            None, None]


@registry.RegisterGradient("SegmentSum")
def _segment_sum_grad(op, grad):
    return [_op1("GatherV2", [grad, op.inputs[1], np.int32(0)], {"batch_dims": 0}), None]


@registry.RegisterGradient("SegmentMean")
def _segment_mean_grad(op, grad):
    from . import array_ops
    data, ids = op.inputs
    rank = data.shape.rank
    ones = array_ops.fill(_op1("ConcatV2", [[shape(ids), _int32([1] * (rank - 1))],
                                            np.int32(0)]),
                          np.ones((), data.dtype.base_dtype.np_dtype))
    scaled = grad / _op1("SegmentSum", [ones, ids])
    return [_op1("GatherV2", [scaled, ids, np.int32(0)], {"batch_dims": 0}), None]


@registry.RegisterGradient("Roll")
def _roll_grad(op, grad):
    return [_op1("Roll", [grad, -op.inputs[1], op.inputs[2]]), None, None]


@registry.RegisterGradient("DynamicPartition")
def _dynamic_partition_grad(op, *grads):
    from . import array_ops, math_ops
    data, partitions = op.inputs
    n = len(op.outputs)
    original = reshape(math_ops.range(_op1("Size", [partitions], {"out_type": _dt.int32})),
                       shape(partitions))
    parts = _op("DynamicPartition", [original, partitions], {"num_partitions": n})
    grads = [g if g is not None else _zeros_for(op.outputs[i]) for i, g in enumerate(grads)]
    stitched = _op1("DynamicStitch", [list(parts), grads])
    return [reshape(stitched, shape(data)), None]


# --- TensorScatterMax/Min, ReverseSequence -------------------------------------------------------

@registry.RegisterGradient("TensorScatterMax")
@registry.RegisterGradient("TensorScatterMin")
def _tensor_scatter_min_or_max_grad(op, grad):
    """The gradient goes to whichever of the old value and the updates equal the result,
    split equally among ties (as TF)."""
    from . import array_ops
    tensor, indices, updates = op.inputs
    output = op.outputs[0]
    dt = grad.dtype.base_dtype
    x_indicators = math_ops.cast(math_ops.equal(tensor, output), dt)
    y_output = _op1("GatherNd", [output, indices])
    y_indicators = math_ops.cast(math_ops.equal(updates, y_output), dt)
    ys_indicators = _op1("ScatterNd", [indices, y_indicators,
                                       array_ops.shape(tensor, out_type=indices.dtype
                                                       .base_dtype)])
    indicators = x_indicators + ys_indicators
    x_grad = grad * x_indicators / indicators
    y_grad = _op1("GatherNd", [grad / indicators, indices]) * y_indicators
    return [x_grad, None, y_grad]


@registry.RegisterGradient("ReverseSequence")
def _reverse_sequence_grad(op, grad):
    return [_op1("ReverseSequence", [grad, op.inputs[1]],
                 {"seq_dim": op.get_attr("seq_dim"), "batch_dim": op.get_attr("batch_dim")}),
            None]


# --- not differentiable ----------------------------------------------------------------------

for _t in ("BroadcastGradientArgs", "Shape", "Size", "Rank", "ShapeN", "OnesLike", "StopGradient",
           "ZerosLike", "Const", "Placeholder", "NoOp", "InvertPermutation",
           "ConcatOffset", "Where", "OneHot", "Unique",
           "UniqueWithCounts", "UnravelIndex"):
    registry.NotDifferentiable(_t)
