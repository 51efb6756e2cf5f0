"""Placeholders, identity, shapes and other array ops (constructors and declarations)."""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape, unknown_shape
from . import shape_rules

registry.register_op("Placeholder", inputs=(), outputs=(("output", "dtype"),),
                     shape=lambda op: [op.get_attr("shape") if op.get_attr("shape") is not None
                                       else unknown_shape()],
                     doc="A value that must be fed to Session.run.")
registry.register_op("PlaceholderWithDefault", inputs=(("input", "dtype"),),
                     outputs=(("output", "dtype"),),
                     shape=lambda op: [as_shape(op.get_attr("shape"))],
                     doc="The fed value if one is fed, else the input.")
registry.register_op("Identity", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.same_as_first,
                     doc="The input, unchanged.")
registry.register_op("StopGradient", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.same_as_first,
                     doc="The input, unchanged, but gradients do not flow through it.")
registry.register_op("NoOp", inputs=(), outputs=(), shape=lambda op: [],
                     doc="Does nothing; used for its control dependencies.")


def _shape_shape(op):
    r = op.inputs[0].shape.rank
    return [TensorShape([r])]


registry.register_op("Shape", inputs=(("input", "T"),), outputs=(("output", "out_type"),),
                     shape=_shape_shape,
                     doc="The shape of the input, as a 1-D tensor.")
registry.register_op("Size", inputs=(("input", "T"),), outputs=(("output", "out_type"),),
                     shape=shape_rules.scalar,
                     doc="The number of elements of the input.")
registry.register_op("Rank", inputs=(("input", "T"),), outputs=(("output", _dt.int32),),
                     shape=shape_rules.scalar,
                     doc="The number of dimensions of the input.")


@registry.api("Placeholder")
def placeholder(dtype, shape=None, name=None):
    """A tensor whose value is fed at run time (v1 only: eager code has no placeholders)."""
    if _ops.executing_eagerly():
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    dtype = _dt.as_dtype(dtype)
    shape = None if shape is None else as_shape(shape)
    return apply_op("Placeholder", [], {"dtype": dtype, "shape": shape},
                    name=name or "Placeholder")[0]


@registry.api("PlaceholderWithDefault")
def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's name
    with _ops.name_scope(name, "PlaceholderWithDefault", [input]) as scope:
        x = _ops.convert_to_tensor(input, name="input")
        shape = as_shape(shape)
        if not shape.is_compatible_with(x.shape):
            raise ValueError(f"Shapes {shape} and {x.shape} are incompatible")
        return apply_op("PlaceholderWithDefault", [x],
                        {"dtype": x.dtype.base_dtype, "shape": shape}, name=scope)[0]


@registry.api("Identity")
def identity(input, name=None):  # noqa: A002
    if hasattr(input, "_as_graph_element") and not isinstance(input, _ops.Tensor) and \
            not _ops.executing_eagerly():
        input = input.value() if hasattr(input, "value") else input
    return apply_op("Identity", [input], name=name or "Identity")[0]


@registry.api("StopGradient")
def stop_gradient(input, name=None):  # noqa: A002
    return apply_op("StopGradient", [input], name=name or "StopGradient")[0]


@registry.api("NoOp")
def no_op(name=None):
    if _ops.executing_eagerly():
        return None
    return _ops.get_default_graph()._create_op(
        registry.get("NoOp"), [], {}, [], [], _scoped(name or "NoOp"))


def _scoped(name):
    g = _ops.get_default_graph()
    with g.name_scope(name) as scope:
        return scope


@registry.api("Shape")
def shape(input, name=None, out_type=None):  # noqa: A002
    """The shape as a 1-D tensor. A fully known static shape gives a Const named 'Shape'."""
    out_type = _dt.as_dtype(out_type) if out_type is not None else _dt.int32
    if _ops.executing_eagerly() and not _ops.is_symbolic(input):
        from . import constant_op
        return constant_op.constant(np.array(_eager_shape(input), dtype=out_type.np_dtype))
    with _ops.name_scope(name, "Shape", [input]) as scope:
        x = _ops.convert_to_tensor(input)
        if x.shape.is_fully_defined():
            from . import constant_op
            return constant_op.constant(np.array(x.shape.as_list(), dtype=out_type.np_dtype),
                                        name=scope)
        return apply_op("Shape", [x], {"out_type": out_type}, name=scope)[0]


def _eager_shape(x):
    if hasattr(x, "shape") and not isinstance(x, (list, tuple)):
        return list(x.shape)
    return list(np.shape(x))


@registry.api("Size")
def size(input, name=None, out_type=None):  # noqa: A002
    out_type = _dt.as_dtype(out_type) if out_type is not None else _dt.int32
    with _ops.name_scope(name, "Size", [input]) as scope:
        x = _ops.convert_to_tensor(input)
        if x.shape.is_fully_defined():
            from . import constant_op
            return constant_op.constant(np.array(x.shape.num_elements(),
                                                 dtype=out_type.np_dtype), name=scope)
        return apply_op("Size", [x], {"out_type": out_type}, name=scope)[0]


@registry.api("Rank")
def rank(input, name=None):  # noqa: A002
    with _ops.name_scope(name, "Rank", [input]) as scope:
        x = _ops.convert_to_tensor(input)
        if x.shape.rank is not None:
            from . import constant_op
            return constant_op.constant(np.array(x.shape.rank, dtype=np.int32), name=scope)
        return apply_op("Rank", [x], name=scope)[0]


# =============================================================================================
# Shape-manipulating and data-movement ops
# =============================================================================================
import builtins as _builtins  # noqa: E402

from ..framework import tensor_util as _tu  # noqa: E402

_const = shape_rules.const_input


def _is_tensorlike(x):
    return isinstance(x, _ops.Tensor) or getattr(x, "_tfteach_dtype", None) is not None or \
        hasattr(x, "_as_graph_element")


def _eager_or_static_shape(x):
    """Static dims (ints / None) of a tensor, an eager tensor or a Python/NumPy value; None
    when the rank is unknown."""
    return shape_rules.static_dims(x)


def _fmt(d):
    return "[" + ",".join("?" if v is None else str(v) for v in d) + "]"


# --- Reshape ---------------------------------------------------------------------------------

def _reshape_shape(op):
    x = op.inputs[0].shape
    s = op.inputs[1].shape
    shape_rules.require_rank(op, s, 1)
    vals = _const(op, 1)
    if vals is None:
        return [_tu.constant_value_as_shape(op.inputs[1])]
    vals = [int(v) for v in np.reshape(vals, -1)]
    unknown = [i for i, v in enumerate(vals) if v == -1]
    if len(unknown) > 1:     # TF leaves this to run time
        return [TensorShape([None if v == -1 else v for v in vals])]
    for v in vals:
        if v < -1:
            raise op.shape_error(f"Size {vals.index(v)} must be non-negative, not {v}")
    known = int(np.prod([v for v in vals if v != -1], dtype=np.int64))
    if not x.is_fully_defined():
        return [TensorShape([None if v == -1 else v for v in vals])]
    n = x.num_elements()
    if unknown:
        if known == 0:
            if n != 0:
                raise op.shape_error(f"Cannot reshape a tensor with {n} elements to shape "
                                     f"{_fmt(vals)} (0 elements)")
            return [TensorShape([0 if v == -1 else v for v in vals])]
        if n % known:
            raise op.shape_error(f"Dimension size must be evenly divisible by {known} but is "
                                 f"{n}")
        return [TensorShape([n // known if v == -1 else v for v in vals])]
    if n != known:
        raise op.shape_error(f"Cannot reshape a tensor with {n} elements to shape "
                             f"{_fmt(vals)} ({known} elements)")
    return [TensorShape(vals)]


registry.register_op("Reshape", inputs=(("tensor", "T"), ("shape", "Tshape")),
                     outputs=(("output", "T"),), shape=_reshape_shape,
                     doc="The input's elements in a new shape (-1 infers one dimension).")


@registry.api("Reshape")
def reshape(tensor, shape, name=None):
    """Same values, new shape; one dimension may be -1 (inferred)."""
    return apply_op("Reshape", [tensor, shape], name=name or "Reshape")[0]


# --- Transpose -------------------------------------------------------------------------------

def _transpose_shape(op):
    x = op.inputs[0].shape
    perm = _const(op, 1)
    p_shape = op.inputs[1].shape
    shape_rules.require_rank(op, p_shape, 1)
    if x.rank is not None and p_shape.rank == 1 and p_shape.as_tuple()[0] is not None and \
            p_shape.as_tuple()[0] != x.rank:
        raise op.shape_error(f"Dimension must be {x.rank} but is {p_shape.as_tuple()[0]}")
    if perm is None:
        if x.rank is None and p_shape.rank == 1:
            return [shape_rules.unknown_rank_or(p_shape.as_tuple()[0])]
        return [shape_rules.unknown_rank_or(x.rank)]
    perm = [int(p) for p in np.reshape(perm, -1)]
    if x.rank is None:
        return [unknown_shape(len(perm))]
    d = x.as_tuple()
    for p in perm:
        if not -x.rank <= p < x.rank:
            raise op.shape_error(f"perm dim {p} is out of range of input rank {x.rank}")
    return [TensorShape([d[p] for p in perm])]


registry.register_op("Transpose", inputs=(("x", "T"), ("perm", "Tperm")),
                     outputs=(("y", "T"),), shape=_transpose_shape,
                     doc="The input with its dimensions permuted.")


@registry.api("Transpose")
def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permutes the dimensions (reverses them when `perm` is None)."""
    with _ops.name_scope(name, "transpose", [a]) as scope:
        if perm is None:
            if not _is_tensorlike(a) and not getattr(a, "_is_eager", False):
                a = _ops.convert_to_tensor(a, name="a")
            dims = _eager_or_static_shape(a)
            if dims is not None:
                perm = np.arange(len(dims) - 1, -1, -1, dtype=np.int32)
            else:
                from . import math_ops
                r = rank(a)
                perm = math_ops.subtract(math_ops.subtract(r, 1),
                                         math_ops.range(0, r, 1))
        out = apply_op("Transpose", [a, perm], name=scope)[0]
        if conjugate and out.dtype.is_complex:
            raise NotImplementedError("conjugate transpose of complex tensors")
        return out


# --- ConcatV2, Pack, Unpack ------------------------------------------------------------------

def _concat_shape(op):
    values = op.inputs[:-1]
    axis = _const(op, len(op.inputs) - 1)
    shape_rules.require_rank(op, op.inputs[-1].shape, 0)
    rank = None
    for t in values:
        if t.shape.rank is not None:
            if rank is None:
                rank = t.shape.rank
            elif t.shape.rank != rank:
                raise op.shape_error(f"Shape must be rank {rank} but is rank {t.shape.rank}")
    if rank is None:
        return [unknown_shape()]
    if axis is None:
        return [unknown_shape(rank)]
    a = int(axis)
    if not -rank <= a < rank:
        raise op.shape_error(f"Shape must be at least rank {a + 1 if a >= 0 else -a} but is "
                             f"rank {rank}")
    a %= rank
    out = None
    total = 0
    for t in values:
        d = t.shape.as_tuple() if t.shape.rank is not None else (None,) * rank
        if out is None:
            out = list(d)
        else:
            for i in _builtins.range(rank):
                if i == a:
                    continue
                if out[i] is not None and d[i] is not None and out[i] != d[i]:
                    ka = [x for j, x in enumerate(out) if j != a]
                    kb = [x for j, x in enumerate(d) if j != a]
                    raise op.shape_error(
                        f"Dimension {i if i < a else i - 1} in both shapes must be equal, but "
                        f"are {out[i]} and {d[i]}. Shapes are {_fmt(ka)} and {_fmt(kb)}.")
                if out[i] is None:
                    out[i] = d[i]
        total = None if total is None or d[a] is None else total + d[a]
    out[a] = total
    return [TensorShape(out)]


registry.register_op("ConcatV2", inputs=(("*values", "T"), ("axis", "Tidx")),
                     outputs=(("output", "T"),), shape=_concat_shape, minimum={"N": 2},
                     doc="Tensors joined along an existing axis.")


@registry.api("ConcatV2")
def concat(values, axis, name="concat"):
    """Joins tensors along an existing `axis` (one input: an Identity, as TF)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    for v in values:
        if getattr(v, "_tf_elementwise_dispatch", False):       # RaggedTensors
            return type(v)._concat(values, axis, name)
    if len(values) == 1:
        with _ops.name_scope(name):
            ax = _ops.convert_to_tensor(axis, name="concat_dim", dtype=_dt.int32)
            if not getattr(ax, "_is_eager", False) and ax.shape.rank not in (None, 0):
                raise ValueError(f"Shapes {ax.shape} and () are incompatible")
            return identity(values[0], name=name)   # TF names it concat/concat
    return apply_op("ConcatV2", [list(values), axis], name=name)[0]


def _pack_shape(op):
    axis = op.get_attr("axis")
    shape = unknown_shape()
    for i, t in enumerate(op.inputs):
        if not shape.is_compatible_with(t.shape):
            a, b = shape.as_tuple(), t.shape.as_tuple()
            if len(a) != len(b):
                raise op.shape_error(f"Shapes must be equal rank, but are {len(a)} and "
                                     f"{len(b)}\n\tFrom merging shape 0 with other shapes.")
            for j, (x, y) in enumerate(zip(a, b)):
                if x is not None and y is not None and x != y:
                    raise op.shape_error(
                        f"Dimension {j} in both shapes must be equal, but are {x} and {y}. "
                        f"Shapes are {_fmt(a)} and {_fmt(b)}.\n\tFrom merging shape 0 with "
                        f"other shapes.")
        shape = shape.merge_with(t.shape)
    if shape.rank is None:
        return [unknown_shape()]
    d = list(shape.as_tuple())
    r = len(d) + 1
    if not -r <= axis < r:
        raise op.shape_error(f"Invalid axis: {axis}; must be in [{-r},{r})")
    d.insert(axis % r, len(op.inputs))
    return [TensorShape(d)]


registry.register_op("Pack", inputs=(("*values", "T"),), outputs=(("output", "T"),),
                     shape=_pack_shape, attr_defaults={"axis": 0},
                     doc="Tensors stacked along a new axis.")


def _contains_tensor(v):
    if isinstance(v, (list, tuple)):
        return _builtins.any(_contains_tensor(x) for x in v)
    return _is_tensorlike(v) or getattr(v, "_is_eager", False)


@registry.api("Pack")
def stack(values, axis=0, name="stack"):
    """Packs tensors of one shape into a tensor one rank higher (`Pack`); a list of plain
    values with axis 0 becomes a single Const, as in TF."""
    if axis == 0 and not _contains_tensor(values):
        from . import constant_op
        return constant_op.constant(values, name=name)
    values = list(values)
    first = _eager_or_static_shape(values[0]) if values else []
    if first is not None:
        r = len(first) + 1
        if not -r <= axis < r:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-r}, {r})")
    return apply_op("Pack", [values], {"axis": int(axis)}, name=name)[0]


def parallel_stack(values, name="parallel_stack"):
    return stack(values, 0, name=name)


def _unpack_shape(op):
    x = op.inputs[0].shape
    num, axis = op.get_attr("num"), op.get_attr("axis")
    if x.rank is None:
        return [unknown_shape()] * num
    if not -x.rank <= axis < x.rank:
        raise op.shape_error(f"Dimension must be in range [{-x.rank}, {x.rank}) but is {axis}")
    a = axis % x.rank
    d = list(x.as_tuple())
    if d[a] is not None and d[a] != num:
        raise op.shape_error(f"Dimension must be {num} but is {d[a]}")
    del d[a]
    return [TensorShape(d)] * num


registry.register_op("Unpack", inputs=(("value", "T"),), outputs=(("output", "*num:T"),),
                     shape=_unpack_shape, attr_defaults={"axis": 0},
                     doc="A tensor split into its slices along an axis.")


@registry.api("Unpack")
def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor into a list of `num` tensors along `axis` (one rank lower)."""
    if not _is_tensorlike(value) and not getattr(value, "_is_eager", False):
        value = _ops.convert_to_tensor(value)
    d = _eager_or_static_shape(value)
    if d is not None:
        if not -len(d) <= axis < len(d):
            raise ValueError(f"Argument `axis` = {axis} not in range [{-len(d)}, {len(d)})")
        if num is None:
            num = d[axis]
    if num is None:
        raise ValueError(f"Cannot infer argument `num` from shape "
                         f"{as_shape(d) if d is not None else unknown_shape()}")
    return list(apply_op("Unpack", [value], {"num": int(num), "axis": int(axis)},
                         name=name))


# --- GatherV2 -------------------------------------------------------------------------------

def _gather_shape(op):
    p, idx = op.inputs[0].shape, op.inputs[1].shape
    axis = _const(op, 2)
    bd = op.get_attr("batch_dims")
    if p.rank is None or idx.rank is None or axis is None:
        return [unknown_shape()]
    a = int(axis)
    if not -p.rank <= a < p.rank:
        raise op.shape_error(f"Shape must be at least rank {a + 1} but is rank {p.rank}")
    a %= p.rank
    d = p.as_tuple()
    return [TensorShape(d[:a] + idx.as_tuple()[bd:] + d[a + 1:])]


registry.register_op("GatherV2", inputs=(("params", "Tparams"), ("indices", "Tindices"),
                                          ("axis", "Taxis")),
                     outputs=(("output", "Tparams"),), shape=_gather_shape,
                     attr_defaults={"batch_dims": 0},
                     doc="Slices of params along an axis at the given indices.")


@registry.api("GatherV2")
def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """Slices of `params` at `indices` along `axis`; an index out of range fails at run time
    with InvalidArgumentError "indices[i] = j is not in [0, n)"."""
    if axis is None:
        axis = batch_dims
    return apply_op("GatherV2", [params, indices, axis], {"batch_dims": int(batch_dims)},
                    name=name or "GatherV2")[0]


# --- Slice, StridedSlice -------------------------------------------------------------------

def _slice_shape(op):
    x = op.inputs[0].shape
    begin, size = _const(op, 1), _const(op, 2)
    if x.rank is None:
        if size is not None:
            return [unknown_shape(len(np.reshape(size, -1)))]
        return [unknown_shape()]
    for i in (1, 2):
        s = op.inputs[i].shape
        shape_rules.require_rank(op, s, 1)
        if s.rank == 1 and s.as_tuple()[0] is not None and s.as_tuple()[0] != x.rank:
            raise op.shape_error(f"Shape must be rank {s.as_tuple()[0]} but is rank {x.rank}")
    if size is None:
        return [unknown_shape(x.rank)]
    size = [int(v) for v in np.reshape(size, -1)]
    begin = None if begin is None else [int(v) for v in np.reshape(begin, -1)]
    out = []
    for i, (d, s) in enumerate(zip(x.as_tuple(), size)):
        b = None if begin is None else begin[i]
        if s == -1:
            out.append(None if d is None or b is None else d - b)
            continue
        out.append(s)       # TF checks begin/size against the input only at run time
    return [TensorShape(out)]


registry.register_op("Slice", inputs=(("input", "T"), ("begin", "Index"), ("size", "Index")),
                     outputs=(("output", "T"),), shape=_slice_shape,
                     doc="A slice given by begin and size.")


@registry.api("Slice")
def slice(input_, begin, size, name=None):  # noqa: A001 - TF's name
    """The block of `input_` starting at `begin` with extent `size` (-1: to the end)."""
    return apply_op("Slice", [input_, begin, size], name=name or "Slice")[0]


_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _strided_slice_shape(op):
    x = op.inputs[0].shape
    vals = [_const(op, i) for i in (1, 2, 3)]
    masks = [op.get_attr(m) for m in _MASKS]
    if x.rank is None:
        return [unknown_shape()]
    known = not _builtins.any(v is None for v in vals)
    if known:
        b, e, s = ([int(v) for v in np.reshape(a, -1)] for a in vals)
    else:
        n = op.inputs[1].shape
        if n.rank != 1 or n.as_tuple()[0] is None:
            return [unknown_shape()]
        b = e = s = [0] * n.as_tuple()[0]
    from ..kernels import shapes        # shared with the kernels; loaded on first use
    try:
        _, out = shapes.strided_slice_plan(list(x.as_tuple()), b, e, s, *masks,
                                           values_known=known)
    except shapes.StridedSliceError as err:
        raise op.shape_error(str(err)) from None
    return [TensorShape(out)]


registry.register_op("StridedSlice", inputs=(("input", "T"), ("begin", "Index"),
                                             ("end", "Index"), ("strides", "Index")),
                     outputs=(("output", "T"),), shape=_strided_slice_shape,
                     attr_defaults={m: 0 for m in _MASKS},
                     doc="A slice given by begin, end and strides (Python's x[a:b:c] with masks).")


@registry.api("StridedSlice")
def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None,
                  name=None):
    if strides is None:
        strides = [1] * len(begin)
    attrs = {"begin_mask": int(begin_mask), "end_mask": int(end_mask),
             "ellipsis_mask": int(ellipsis_mask), "new_axis_mask": int(new_axis_mask),
             "shrink_axis_mask": int(shrink_axis_mask)}
    return apply_op("StridedSlice", [input_, begin, end, strides], attrs,
                    name=name or "strided_slice")[0]


def _is_int_index(v):
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    dt = getattr(v, "dtype", None)
    if (isinstance(v, _ops.Tensor) or getattr(v, "_is_eager", False)) and dt is not None:
        return dt.base_dtype in (_dt.int32, _dt.int64)
    return False


def _check_index(v):
    if not _is_int_index(v):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                        "and scalar tf.int32/tf.int64 tensors are valid indices, got "
                        f"{v!r}")


def _slice_helper(tensor, slice_spec, var=None):
    """`tensor[slice_spec]`: one StridedSlice, as TF's `_slice_helper` builds it; a boolean
    tensor or array as the index is `boolean_mask`, as in TF (`x[x > 2]`)."""
    if isinstance(slice_spec, bool) or (
            isinstance(slice_spec, np.ndarray) and slice_spec.dtype == np.bool_) or (
            _contains_tensor(slice_spec) and not isinstance(slice_spec, (list, tuple))
            and getattr(slice_spec, "dtype", None) is not None
            and _dt.as_dtype(slice_spec.dtype).base_dtype == _dt.bool_):
        return boolean_mask(tensor=tensor, mask=slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, _builtins.slice):
            if s.start is not None:
                _check_index(s.start)
                begin.append(s.start)
            else:
                begin.append(0)
                masks["begin_mask"] |= bit
            if s.stop is not None:
                _check_index(s.stop)
                end.append(s.stop)
            else:
                end.append(0)
                masks["end_mask"] |= bit
            if s.step is not None:
                _check_index(s.step)
                strides.append(s.step)
            else:
                strides.append(1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["ellipsis_mask"] |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["new_axis_mask"] |= bit
        else:
            _check_index(s)
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
    with _ops.name_scope(None, "strided_slice", [tensor]) as scope:
        if begin:
            pb, pe, ps = stack(begin), stack(end), stack(strides)
            if _builtins.any(_contains_tensor(v) for v in begin + end + strides):
                idx_dt = _builtins.max(
                    (getattr(v, "dtype", _dt.int32).base_dtype
                     for v in begin + end + strides if _contains_tensor(v)),
                    key=lambda d: d.size)
                from . import math_ops
                pb, pe, ps = (math_ops.cast(t, idx_dt) for t in (pb, pe, ps))
        else:
            from . import constant_op
            pb = pe = ps = constant_op.constant([], dtype=_dt.int32)
        return apply_op("StridedSlice", [tensor, pb, pe, ps], masks, name=scope)[0]


_ops.register_overload("__getitem__", _slice_helper)


# --- Tile, ExpandDims, Squeeze ---------------------------------------------------------------

def _tile_shape(op):
    x = op.inputs[0].shape
    m_shape = op.inputs[1].shape
    shape_rules.require_rank(op, m_shape, 1)
    mult = _const(op, 1)
    if x.rank is not None and m_shape.rank == 1 and m_shape.as_tuple()[0] is not None and \
            m_shape.as_tuple()[0] != x.rank:
        raise op.shape_error(f"Shape must be rank {x.rank} but is rank "
                             f"{m_shape.as_tuple()[0]}")
    if x.rank is None:
        n = m_shape.as_tuple()[0] if m_shape.rank == 1 else None
        return [shape_rules.unknown_rank_or(n)]
    if mult is None:
        return [unknown_shape(x.rank)]
    mult = [int(v) for v in np.reshape(mult, -1)]
    return [TensorShape([None if d is None else d * m for d, m in zip(x.as_tuple(), mult)])]


registry.register_op("Tile", inputs=(("input", "T"), ("multiples", "Tmultiples")),
                     outputs=(("output", "T"),), shape=_tile_shape,
                     doc="The input repeated the given number of times along each axis.")


@registry.api("Tile")
def tile(input, multiples, name=None):  # noqa: A002
    """Repeats the tensor `multiples[i]` times along each dimension i."""
    return apply_op("Tile", [input, multiples], name=name or "Tile")[0]


def _expand_dims_shape(op):
    x = op.inputs[0].shape
    dim = _const(op, 1)
    if x.rank is None:
        return [unknown_shape()]
    if dim is None:
        return [unknown_shape()]     # TF's shape function: nothing without a known axis
    dv = np.reshape(dim, -1)
    if dv.size != 1:
        raise op.shape_error("'dim' input must be a tensor with a single value")
    d = int(dv[0])
    if not -x.rank - 1 <= d <= x.rank:
        raise op.shape_error(f"dim {d} not in the interval [{-x.rank - 1}, {x.rank}].")
    out = list(x.as_tuple())
    out.insert(d % (x.rank + 1), 1)
    return [TensorShape(out)]


registry.register_op("ExpandDims", inputs=(("input", "T"), ("dim", "Tdim")),
                     outputs=(("output", "T"),), shape=_expand_dims_shape,
                     doc="The input with a size-1 dimension inserted at axis.")


@registry.api("ExpandDims")
def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """Inserts a dimension of size 1 at `axis`."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = axis if axis is not None else dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return apply_op("ExpandDims", [input, axis], name=name or "ExpandDims")[0]


def _squeeze_shape(op):
    x = op.inputs[0].shape
    sq = list(op.get_attr("squeeze_dims"))
    if x.rank is None:
        return [unknown_shape()]
    d = x.as_tuple()
    drop = set()
    for a in sq:
        if not -x.rank <= a < x.rank:
            raise op.shape_error(f"Tried to squeeze dim index {a} for tensor with {x.rank} "
                                 f"dimensions.")
        a %= x.rank
        if d[a] is not None and d[a] != 1:
            raise op.shape_error(f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                                 f"{d[a]}")
        drop.add(a)
    if not sq:
        if _builtins.any(v is None for v in d):
            return [unknown_shape()]
        return [TensorShape([v for v in d if v != 1])]
    return [TensorShape([v for i, v in enumerate(d) if i not in drop])]


registry.register_op("Squeeze", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_squeeze_shape, attr_defaults={"squeeze_dims": []},
                     doc="The input with size-1 dimensions removed.")


@registry.api("Squeeze")
def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`)."""
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'squeeze_dims' and 'axis'")
    axis = axis if axis is not None else squeeze_dims
    if axis is None:
        axis = []
    elif isinstance(axis, (int, np.integer)):
        axis = [int(axis)]
    return apply_op("Squeeze", [input], {"squeeze_dims": [int(a) for a in axis]},
                    name=name or "Squeeze")[0]


# --- Pad, MirrorPad, ReverseV2 -----------------------------------------------------------

def _pad_shape(op):
    x = op.inputs[0].shape
    p_shape = op.inputs[1].shape
    shape_rules.require_rank(op, p_shape, 2)
    if p_shape.rank == 2:
        n, two = p_shape.as_tuple()
        if two is not None and two != 2:
            raise op.shape_error(f"Dimension 1 in both shapes must be equal, but are {two} "
                                 f"and 2")
        if x.rank is not None and n is not None and n != x.rank:
            raise op.shape_error(f"Shape must be rank {n} but is rank {x.rank}")
    pads = _const(op, 1)
    if x.rank is None:
        n = p_shape.as_tuple()[0] if p_shape.rank == 2 else None
        return [shape_rules.unknown_rank_or(n)]
    if pads is None:
        return [unknown_shape(x.rank)]
    pads = np.asarray(pads).reshape(-1, 2)
    if (pads < 0).any():
        raise op.shape_error("Paddings must be non-negative")
    return [TensorShape([None if d is None else d + int(a) + int(b)
                         for d, (a, b) in zip(x.as_tuple(), pads)])]


registry.register_op("Pad", inputs=(("input", "T"), ("paddings", "Tpaddings")),
                     outputs=(("output", "T"),), shape=_pad_shape,
                     doc="The input padded with zeros.")
registry.register_op("PadV2", inputs=(("input", "T"), ("paddings", "Tpaddings"),
                                      ("constant_values", "T")),
                     outputs=(("output", "T"),), shape=_pad_shape,
                     doc="The input padded with a constant value.")
registry.register_op("MirrorPad", inputs=(("input", "T"), ("paddings", "Tpaddings")),
                     outputs=(("output", "T"),), shape=_pad_shape,
                     doc="The input padded with its own reflection.")


@registry.api("MirrorPad")
@registry.api("Pad")
@registry.api("PadV2")
def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """Pads with `constant_values` (Pad / PadV2) or by mirroring (MirrorPad: REFLECT,
    SYMMETRIC)."""
    mode = mode.upper()
    if mode == "CONSTANT":
        if not _is_tensorlike(constant_values) and not getattr(
                constant_values, "_is_eager", False) and np.all(np.asarray(constant_values) == 0):
            return apply_op("Pad", [tensor, paddings], name=name or "Pad")[0]
        return apply_op("PadV2", [tensor, paddings, constant_values], name=name or "PadV2")[0]
    if mode in ("REFLECT", "SYMMETRIC"):
        return apply_op("MirrorPad", [tensor, paddings], {"mode": mode},
                        name=name or "MirrorPad")[0]
    raise ValueError(f"Value of argument `mode` expected to be one of \"CONSTANT\", "
                     f"\"REFLECT\", or \"SYMMETRIC\". Received `mode` = {mode}")


def _reverse_shape(op):
    x = op.inputs[0].shape
    axes = _const(op, 1)
    if x.rank is not None and axes is not None:
        for a in np.reshape(axes, -1).tolist():
            if not -x.rank <= a < x.rank:
                raise op.shape_error(f"'axis'[0] = {a} is out of valid range [0, "
                                     f"{x.rank - 1}")
    return [x]


registry.register_op("ReverseV2", inputs=(("tensor", "T"), ("axis", "Tidx")),
                     outputs=(("output", "T"),), shape=_reverse_shape,
                     doc="The input reversed along the given axes.")


@registry.api("ReverseV2")
def reverse(tensor, axis, name=None):
    """Reverses the order of elements along each axis in `axis`."""
    return apply_op("ReverseV2", [tensor, axis], name=name or "ReverseV2")[0]


reverse_v2 = reverse


# --- Select, SelectV2, Where ---------------------------------------------------------------

def _select_shape(op):
    c, t, e = (x.shape for x in op.inputs)
    if not t.is_compatible_with(e):
        a, b = t.as_tuple(), e.as_tuple()
        if len(a) != len(b):
            raise op.shape_error(f"Shapes must be equal rank, but are {len(a)} and {len(b)}")
        for j, (x, y) in enumerate(zip(a, b)):
            if x is not None and y is not None and x != y:
                raise op.shape_error(f"Dimension {j} in both shapes must be equal, but are "
                                     f"{x} and {y}. Shapes are {_fmt(a)} and {_fmt(b)}.")
    out = t.merge_with(e)
    if c.rank is not None and out.rank is not None and c.rank not in (0, out.rank):
        if c.rank != 1:
            raise op.shape_error(f"Shape must be rank {out.rank} but is rank {c.rank}")
        shape_rules.merge_dim(op, c.as_tuple()[0], out.as_tuple()[0] if out.rank else None)
    elif c.rank is not None and c.rank == out.rank and not c.is_compatible_with(out):
        a, b = c.as_tuple(), out.as_tuple()
        for j, (x, y) in enumerate(zip(a, b)):
            if x is not None and y is not None and x != y:
                raise op.shape_error(f"Dimension {j} in both shapes must be equal, but are "
                                     f"{x} and {y}. Shapes are {_fmt(a)} and {_fmt(b)}.")
    return [out]


def _select_v2_shape(op):
    from ..framework.tensor_shape import broadcast_shapes
    c, t, e = (x.shape for x in op.inputs)
    out = broadcast_shapes(t, e)
    if out is not None:
        out2 = broadcast_shapes(c, out)
        if out2 is not None:
            return [out2]
    raise op.shape_error("Incompatible shapes for broadcasting")


registry.register_op("Select", inputs=(("condition", _dt.bool_), ("t", "T"), ("e", "T")),
                     outputs=(("output", "T"),), shape=_select_shape,
                     doc="Elements of t where condition is true, else of e (TF 1's where).")
registry.register_op("SelectV2", inputs=(("condition", _dt.bool_), ("t", "T"), ("e", "T")),
                     outputs=(("output", "T"),), shape=_select_v2_shape,
                     doc="Elements of t where condition is true, else of e, with broadcasting.")
registry.register_op("Where", inputs=(("input", "T"),), outputs=(("index", _dt.int64),),
                     shape=lambda op: [TensorShape([None, op.inputs[0].shape.rank])
                                       if op.inputs[0].shape.rank is not None
                                       else unknown_shape(2)],
                     doc="The coordinates of the true (non-zero) elements.")


@registry.api("Select")
@registry.api("Where")
def where(condition, x=None, y=None, name=None):
    """v1 `tf.where`: Select(condition, x, y) (condition a scalar, the same shape, or a
    vector over the first dimension), or the indices of True elements when x, y are None."""
    if x is None and y is None:
        with _ops.name_scope(name, "Where", [condition]) as scope:
            condition = _ops.convert_to_tensor(condition, dtype_hint=_dt.bool_,
                                               name="condition")
            return apply_op("Where", [condition], name=scope)[0]
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("Select", [condition, x, y], name=name or "Select")[0]


@registry.api("SelectV2")
def where_v2(condition, x=None, y=None, name=None):
    """TF2 `tf.where`: SelectV2 broadcasts condition, x and y together."""
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("SelectV2", [condition, x, y], name=name or "SelectV2")[0]


# --- OneHot ------------------------------------------------------------------------------

def _one_hot_shape(op):
    idx = op.inputs[0].shape
    depth = _const(op, 1)
    axis = op.get_attr("axis")
    if idx.rank is None:
        return [unknown_shape()]
    if not -1 <= axis <= idx.rank:
        raise op.shape_error(f"Expected axis to be -1 or between [0, {idx.rank}).  But "
                             f"received: {axis}")
    d = list(idx.as_tuple())
    dv = None if depth is None else int(depth)
    if dv is not None and dv < 0:
        raise op.shape_error(f"depth must be non-negative, got: {dv}")
    d.insert(idx.rank if axis == -1 else axis, dv)
    return [TensorShape(d)]


registry.register_op("OneHot", inputs=(("indices", "TI"), ("depth", _dt.int32),
                                       ("on_value", "T"), ("off_value", "T")),
                     outputs=(("output", "T"),), shape=_one_hot_shape,
                     attr_defaults={"axis": -1},
                     allowed={"TI": ("uint8", "int8", "int32", "int64")},
                     doc="One-hot vectors: on_value at each index, off_value elsewhere.")


@registry.api("OneHot")
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """Rows of `off_value` with `on_value` at each index; indices outside [0, depth) give
    a row of `off_value` (as TF)."""
    with _ops.name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        on_dt = getattr(on_value, "dtype", None) if on_value is not None and \
            _is_tensorlike(on_value) else None
        off_dt = getattr(off_value, "dtype", None) if off_value is not None and \
            _is_tensorlike(off_value) else None
        if dtype is not None:
            dtype = _dt.as_dtype(dtype)
        else:
            dtype = on_dt or off_dt
            if dtype is None:
                if on_value is not None:
                    dtype = _tu.infer_dtype(on_value)
                elif off_value is not None:
                    dtype = _tu.infer_dtype(off_value)
                else:
                    dtype = _dt.float32
            dtype = dtype.base_dtype
        on = _ops.convert_to_tensor(1, dtype=dtype, name="on_value") if on_value is None \
            else _ops.convert_to_tensor(on_value, dtype=dtype)
        off = _ops.convert_to_tensor(0, dtype=dtype, name="off_value") if off_value is None \
            else _ops.convert_to_tensor(off_value, dtype=dtype)
        indices = _ops.convert_to_tensor(indices, name="indices")
        depth = _ops.convert_to_tensor(depth, dtype=_dt.int32, name="depth")
        return apply_op("OneHot", [indices, depth, on, off],
                        {"axis": -1 if axis is None else int(axis)}, name=scope)[0]


# --- Split, SplitV -----------------------------------------------------------------------

def _split_shape(op):
    axis = _const(op, 0)
    x = op.inputs[1].shape
    n = op.get_attr("num_split")
    if x.rank is None:
        return [unknown_shape()] * n
    if axis is None:
        return [unknown_shape(x.rank)] * n
    a = int(axis)
    if not -x.rank <= a < x.rank:
        raise op.shape_error(f"Dimension must be in range [{-x.rank}, {x.rank}) but is {a}")
    a %= x.rank
    d = list(x.as_tuple())
    if d[a] is not None:
        if d[a] % n:
            raise op.shape_error(f"Dimension size must be evenly divisible by {n} but is "
                                 f"{d[a]}\n\tNumber of ways to split should evenly divide the "
                                 f"split dimension")
        d[a] //= n
    return [TensorShape(d)] * n


def _split_v_shape(op):
    x = op.inputs[0].shape
    sizes = _const(op, 1)
    axis = _const(op, 2)
    n = op.get_attr("num_split")
    if x.rank is None:
        return [unknown_shape()] * n
    if axis is None or sizes is None:
        return [unknown_shape(x.rank)] * n
    a = int(axis)
    if not -x.rank <= a < x.rank:
        raise op.shape_error(f"Dimension must be in range [{-x.rank}, {x.rank}) but is {a}")
    a %= x.rank
    sizes = [int(v) for v in np.reshape(sizes, -1)]
    d = x.as_tuple()
    if sizes.count(-1) > 1:
        raise op.shape_error("Only one dimensions can have a value of -1. Second one found at "
                             f"dimension {[i for i, s in enumerate(sizes) if s == -1][1]}")
    if -1 in sizes and d[a] is not None:
        rest = d[a] - _builtins.sum(s for s in sizes if s != -1)
        sizes = [rest if s == -1 else s for s in sizes]
    if d[a] is not None and -1 not in sizes and _builtins.sum(sizes) != d[a]:
        raise op.shape_error(f"can't split axis of size {d[a]} into pieces of size "
                             f"{_fmt(sizes)}")
    return [TensorShape(d[:a] + (None if s == -1 else s,) + d[a + 1:]) for s in sizes]


registry.register_op("Split", inputs=(("split_dim", _dt.int32), ("value", "T")),
                     outputs=(("output", "*num_split:T"),), shape=_split_shape,
                     minimum={"num_split": 1},
                     doc="A tensor split into num_split equal pieces along an axis.")
registry.register_op("SplitV", inputs=(("value", "T"), ("size_splits", "Tlen"),
                                       ("split_dim", _dt.int32)),
                     outputs=(("output", "*num_split:T"),), shape=_split_v_shape,
                     minimum={"num_split": 1},
                     doc="A tensor split into pieces of the given sizes along an axis.")


@registry.api("Split")
@registry.api("SplitV")
def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits into `num_or_size_splits` equal parts (Split) or parts of the given sizes
    (SplitV) along `axis`."""
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(
            num_or_size_splits, bool):
        return list(apply_op("Split", [axis, value], {"num_split": int(num_or_size_splits)},
                             name=name))
    sizes = num_or_size_splits
    if not (_is_tensorlike(sizes) or getattr(sizes, "_is_eager", False)):
        sizes = _ops.convert_to_tensor(sizes)
    if num is None:
        d = _eager_or_static_shape(sizes)
        if d is None or len(d) != 1 or d[0] is None:
            raise ValueError(f"Cannot infer argument `num` from shape {sizes.shape}")
        num = d[0]
    return list(apply_op("SplitV", [value, sizes, axis], {"num_split": int(num)}, name=name))


# --- Fill, zeros, ones ---------------------------------------------------------------------

def _fill_shape(op):
    shape_rules.require_rank(op, op.inputs[0].shape, 1)
    shape_rules.require_rank(op, op.inputs[1].shape, 0)
    out = _tu.constant_value_as_shape(op.inputs[0])
    v = _const(op, 0)
    if v is not None and (np.asarray(v) < 0).any():
        raise op.shape_error("Fill dimensions must be >= 0")
    return [out]


registry.register_op("Fill", inputs=(("dims", "index_type"), ("value", "T")),
                     outputs=(("output", "T"),), shape=_fill_shape,
                     doc="A tensor of a shape filled with one value.")
registry.register_op("ZerosLike", inputs=(("x", "T"),), outputs=(("y", "T"),),
                     shape=shape_rules.same_as_first,
                     doc="Zeros of the input's shape and dtype.")
registry.register_op("OnesLike", inputs=(("x", "T"),), outputs=(("y", "T"),),
                     shape=shape_rules.same_as_first,
                     doc="Ones of the input's shape and dtype.")
registry.register_op("BroadcastTo", inputs=(("input", "T"), ("shape", "Tidx")),
                     outputs=(("output", "T"),),
                     shape=lambda op: [_tu.constant_value_as_shape(op.inputs[1])],
                     doc="The input broadcast to a shape.")


@registry.api("Fill")
def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with the scalar `value`."""
    return apply_op("Fill", [dims, value], name=name or "Fill")[0]


@registry.api("BroadcastTo")
def broadcast_to(input, shape, name=None):  # noqa: A002
    return apply_op("BroadcastTo", [input, shape], name=name or "BroadcastTo")[0]


def _zero_of(dtype):
    if dtype == _dt.bool_:
        return False
    if dtype == _dt.string:
        return b""
    return 0


def _one_of(dtype):
    return True if dtype == _dt.bool_ else 1


def _static_shape_value(shape):
    """A Python/NumPy/TensorShape shape -> list of ints, or None for a (graph) tensor."""
    if isinstance(shape, _ops.Tensor) and not getattr(shape, "_is_eager", False):
        return None
    if getattr(shape, "_is_eager", False):
        return [int(v) for v in np.reshape(shape.numpy(), -1)]
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a "
                             f"Tensor.")
        return shape.as_list()
    if _is_tensorlike(shape) or _contains_tensor(shape):
        return None
    return [int(v) for v in np.reshape(np.asarray(shape), -1)]


def _filled(value_fn, default_name, shape, dtype, name):
    dtype = _dt.as_dtype(dtype).base_dtype
    from . import constant_op
    with _ops.name_scope(name, default_name, [shape]) as scope:
        value = value_fn(dtype)
        dims = _static_shape_value(shape)
        # eagerly, a plain NumPy fill when the shape is sane; a negative dim or a size that
        # may not fit goes through the Fill kernel for TF's errors
        if _ops.executing_eagerly() and dims is not None and min(dims, default=0) >= 0 and \
                int(np.prod(dims, dtype=np.float64)) < 2 ** 26:
            arr = np.full(dims, value, dtype=object if dtype == _dt.string else dtype.np_dtype)
            return constant_op.constant(arr, dtype=dtype)
        if dims is not None:
            if min(dims, default=0) >= 0 and int(np.prod(dims, dtype=np.float64)) < 1000:
                return constant_op.constant(value, dtype=dtype, shape=dims, name=scope)
            # int64 only where a dim does not fit int32, as TF converts shapes
            big = max((abs(d) for d in dims), default=0) >= 2 ** 31
            shape = constant_op.constant(np.array(dims, np.int64 if big else np.int32),
                                         name="shape_as_tensor")
        elif isinstance(shape, (list, tuple)):      # holds tensors: TF packs it ("packed")
            shape = _ops.convert_to_tensor(shape, dtype=_dt.int32)
        v = constant_op.constant(value, dtype=dtype)
        return fill(shape, v, name=scope)


def zeros(shape, dtype=_dt.float32, name=None, layout=None):
    """All zeros: a Const when small and static (< 1000 elements), else Fill (as TF)."""
    return _filled(_zero_of, "zeros", shape, dtype, name)


def ones(shape, dtype=_dt.float32, name=None, layout=None):
    """All ones: a Const when small and static (< 1000 elements), else Fill (as TF)."""
    return _filled(_one_of, "ones", shape, dtype, name)


@registry.api("ZerosLike")
def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros of `tensor`'s shape: like `zeros` when the shape is static, else ZerosLike."""
    with _ops.name_scope(name, "zeros_like", [tensor]) as scope:
        if not _is_tensorlike(tensor) and not getattr(tensor, "_is_eager", False):
            tensor = _ops.convert_to_tensor(tensor, name="tensor")
        dt = _dt.as_dtype(dtype).base_dtype if dtype is not None else \
            tensor.dtype.base_dtype
        dims = _eager_or_static_shape(tensor)
        if dims is not None and None not in dims and dt != _dt.variant:
            return zeros(dims, dtype=dt, name=scope)
        out = apply_op("ZerosLike", [tensor], name=scope if dtype is None or
                       dt == tensor.dtype.base_dtype else "ZerosLike")[0]
        if dt != out.dtype.base_dtype:
            from . import math_ops
            out = math_ops.cast(out, dt, name=scope)
        return out


@registry.api("OnesLike")
def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones of `tensor`'s shape: Fill(shape, 1) named `ones_like` (TF's graph)."""
    from . import constant_op
    with _ops.name_scope(name, "ones_like", [tensor]) as scope:
        if not _is_tensorlike(tensor) and not getattr(tensor, "_is_eager", False):
            tensor = _ops.convert_to_tensor(tensor, name="tensor")
        dt = _dt.as_dtype(dtype).base_dtype if dtype is not None else \
            tensor.dtype.base_dtype
        dims = _eager_or_static_shape(tensor)
        if _ops.executing_eagerly() and dims is not None:
            return constant_op.constant(np.ones(dims, dt.np_dtype), dtype=dt)
        if dims is not None and None not in dims:
            with _ops.name_scope("Shape"):
                shp = constant_op.constant(np.array(dims, np.int32), name="shape_as_tensor")
        else:
            shp = shape(tensor)
        v = constant_op.constant(_one_of(dt), dtype=dt)
        return fill(shp, v, name=scope)



def zeros_like_v2(input, dtype=None, name=None, layout=None):  # noqa: A002 - TF's name
    """TF2's `tf.zeros_like`: TF1's with TF2's parameter names (`input`; no `optimize`)."""
    if layout is not None:
        raise NotImplementedError("tf.zeros_like(layout=...) places the result on a DTensor "
                                  "mesh; tfteach has no DTensor")
    return zeros_like(input, dtype=dtype, name=name)


def ones_like_v2(input, dtype=None, name=None, layout=None):  # noqa: A002 - TF's name
    """TF2's `tf.ones_like`: TF1's with TF2's parameter names (`input`; no `optimize`)."""
    if layout is not None:
        raise NotImplementedError("tf.ones_like(layout=...) places the result on a DTensor "
                                  "mesh; tfteach has no DTensor")
    return ones_like(input, dtype=dtype, name=name)

# --- the one-line docs of the ops the loops below declare ------------------------------

_DOC = {  # one line each: docs/ops.md and the graph explorer show it
    "TensorScatterUpdate": "A copy of the tensor with updates written at N-d indices.",
    "TensorScatterAdd": "A copy of the tensor with updates added at N-d indices.",
    "TensorScatterSub": "A copy of the tensor with updates subtracted at N-d indices.",
    "UnsortedSegmentSum": "Sums of the data's rows by segment id (ids in any order).",
    "UnsortedSegmentMax": "Maxima of the data's rows by segment id (ids in any order).",
    "UnsortedSegmentMin": "Minima of the data's rows by segment id (ids in any order).",
    "SegmentSum": "Sums of the data's rows by sorted segment id.",
    "SegmentMean": "Means of the data's rows by sorted segment id.",
    "SegmentMax": "Maxima of the data's rows by sorted segment id (0 for an empty segment).",
    "SegmentMin": "Minima of the data's rows by sorted segment id (0 for an empty segment).",
    "SegmentProd": "Products of the data's rows by sorted segment id (1 for an empty one).",
    "UnsortedSegmentProd": "Products of the data's rows by segment id (ids in any order).",
    "TensorScatterMax": "A copy of the tensor, the maximum taken with updates at N-d indices.",
    "TensorScatterMin": "A copy of the tensor, the minimum taken with updates at N-d indices.",
    "LowerBound": "For each value, the first index in its sorted row where it could be inserted.",
    "UpperBound": "For each value, the last index in its sorted row where it could be inserted.",
    "StridedSliceGrad": "The gradient of StridedSlice: dy written into zeros of the input's shape.",
    "InvertPermutation": "The inverse of a permutation of 0..n-1.",
    "ConcatOffset": "Where each input of a concat starts in the output (for its gradient).",
    "MirrorPadGrad": "The gradient of MirrorPad: the padding's gradient folded back in.",
}


# --- masks: boolean_mask, sequence_mask -----------------------------------------------------------

def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The elements of `tensor` where `mask` is True: Where + GatherV2. A mask of rank k > 1
    first folds the k masked dimensions of `tensor` into one (Prod + Reshape), as TF does."""
    with _ops.name_scope(name, "boolean_mask", [tensor, mask]):
        tensor = _ops.convert_to_tensor(tensor, name="tensor")
        mask = _ops.convert_to_tensor(mask, name="mask")
        ndims_mask = mask.shape.ndims
        if ndims_mask == 0:
            raise ValueError("mask cannot be scalar.")
        if ndims_mask is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None "
                             "is not.")
        axis = 0 if axis is None else int(axis)
        masked = tensor.shape[axis:axis + ndims_mask]
        if not masked.is_compatible_with(mask.shape):
            raise ValueError(f"Shapes {masked} and {mask.shape} are incompatible")
        if ndims_mask > 1:
            from . import math_ops
            leading = math_ops.reduce_prod(shape(tensor)[axis:axis + ndims_mask], [0])
            head = shape(tensor)[:axis]
            tail = shape(tensor)[axis + ndims_mask:]
            packed = stack([leading], name="concat/values_1")   # TF's autopacked [leading]
            tensor = reshape(tensor, concat([head, packed, tail], 0))
            mask = reshape(mask, [-1])
        idx = squeeze(where(mask), axis=[1])
        return gather(tensor, idx, axis=axis)


def sequence_mask(lengths, maxlen=None, dtype=_dt.bool_, name=None):
    """mask[i, j] = j < lengths[i]: Range(maxlen) compared with the lengths (TF's graph)."""
    from . import constant_op, math_ops
    with _ops.name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = _ops.convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = apply_op("Max", [lengths, constant_op.constant(
                np.arange(lengths.shape.rank, dtype=np.int32))], {"keep_dims": False},
                name="Max")[0]
            maxlen = apply_op("Maximum", [constant_op.constant(
                0, dtype=maxlen.dtype.base_dtype), maxlen], name="Maximum")[0]
        else:
            maxlen = _ops.convert_to_tensor(maxlen)
        if maxlen.shape.rank is not None and maxlen.shape.rank != 0:
            raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, "
                             f"received `maxlen` = {maxlen} with shape '{maxlen.shape}' "
                             f"instead")
        mdt = maxlen.dtype.base_dtype
        row_vector = apply_op("Range", [constant_op.constant(0, dtype=mdt), maxlen,
                                        constant_op.constant(1, dtype=mdt)], name="Range")[0]
        matrix = apply_op("Cast", [expand_dims(lengths, -1)],
                          {"DstT": mdt, "Truncate": False}, name="Cast")[0]
        result = math_ops.less(row_vector, matrix)
        if dtype is None or _dt.as_dtype(dtype).base_dtype == _dt.bool_:
            return result
        return math_ops.cast(result, dtype)


# --- autopacking: a list holding tensors converts to a Pack op, as in TF --------------------------

def _first_tensor_dtype(v):
    if isinstance(v, (list, tuple)):
        for x in v:
            d = _first_tensor_dtype(x)
            if d is not None:
                return d
        return None
    if isinstance(v, _ops.Tensor) and not getattr(v, "_is_eager", False):
        return v.dtype.base_dtype
    if getattr(v, "_is_graph_variable", False) or (
            getattr(v, "_tfteach_dtype", None) is not None and hasattr(v, "_as_graph_element")):
        return _dt.as_dtype(v._tfteach_dtype).base_dtype
    return None


def _autopack(v, dtype, name):
    from . import constant_op
    with _ops.name_scope(name) as scope:
        elems = []
        for i, x in enumerate(v):
            if isinstance(x, (list, tuple)):
                elems.append(_autopack(x, dtype, str(i)))
            elif _is_tensorlike(x):
                elems.append(x)
            else:
                elems.append(constant_op.constant(x, dtype=dtype, name=str(i)))
        return apply_op("Pack", [elems], {"axis": 0}, name=scope)[0]


def _autopacking_conversion(v, dtype=None, name=None, as_ref=False):
    """[t, 3] with a graph tensor t -> Pack([t, Const 3]) named `name` (default "packed");
    lists without graph tensors are declined (NotImplemented) and become Consts."""
    inferred = _first_tensor_dtype(v)
    if inferred is None:
        return NotImplemented
    if dtype is not None and _dt.as_dtype(dtype).base_dtype != inferred:
        return NotImplemented
    return _autopack(v, inferred, name or "packed")


_ops.register_tensor_conversion_function((list, tuple), _autopacking_conversion, 99)


# --- gather and scatter by N-d indices: GatherNd, ScatterNd, TensorScatter* -----------------------

def _gather_nd_shape(op):
    p, idx = op.inputs[0].shape, op.inputs[1].shape
    if p.rank is None or idx.rank is None or idx.as_tuple()[-1:] in ((None,), ()):
        return [unknown_shape()]
    k = idx.as_tuple()[-1]
    if k > p.rank:
        raise op.shape_error(f"indices.shape[-1] must be <= params.rank, but saw indices "
                             f"shape: {_fmt(idx.as_tuple())} and params shape: "
                             f"{_fmt(p.as_tuple())}")
    return [TensorShape(idx.as_tuple()[:-1] + p.as_tuple()[k:])]


def _scatter_nd_shape(op):
    return [shape_rules.shape_input(op, 2)]


registry.register_op("GatherNd", inputs=(("params", "Tparams"), ("indices", "Tindices")),
                     outputs=(("output", "Tparams"),), shape=_gather_nd_shape,
                     attr_defaults={"bad_indices_policy": ""},
                     doc="Slices of params at N-d indices.")
registry.register_op("ScatterNd", inputs=(("indices", "Tindices"), ("updates", "T"),
                                          ("shape", "Tindices")),
                     outputs=(("output", "T"),), shape=_scatter_nd_shape,
                     doc="Zeros of a shape with updates added at N-d indices.")
for _t in ("TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub"):
    registry.register_op(_t, inputs=(("tensor", "T"), ("indices", "Tindices"),
                                     ("updates", "T")),
                         outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                         doc=_DOC[_t])
for _t in ("TensorScatterMax", "TensorScatterMin"):
    registry.register_op(_t, inputs=(("tensor", "T"), ("indices", "Tindices"),
                                     ("updates", "T")),
                         outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                         attr_defaults={"bad_indices_policy": ""},
                         doc=_DOC[_t])


@registry.api("GatherNd")
def gather_nd(params, indices, batch_dims=0, name=None):
    """Slices of `params` addressed by the last axis of `indices` (one GatherNd op); an
    index outside params fails at run time with TF's InvalidArgumentError."""
    if batch_dims:
        raise NotImplementedError("tfteach's gather_nd supports batch_dims=0 only")
    return apply_op("GatherNd", [params, indices], {"bad_indices_policy": ""},
                    name=name or "GatherNd")[0]


def gather_nd_v1(params, indices, name=None, batch_dims=0):
    return gather_nd(params, indices, batch_dims, name)


@registry.api("ScatterNd")
def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with `updates` added at `indices` (repeated indices add up)."""
    return apply_op("ScatterNd", [indices, updates, shape], name=name or "ScatterNd")[0]


def _tensor_scatter(op_type):
    def fn(tensor, indices, updates, name=None):
        return apply_op(op_type, [tensor, indices, updates], name=name or op_type)[0]
    fn.__name__ = "tensor_scatter_nd_" + op_type[len("TensorScatter"):].lower()
    return registry.api(op_type, stacklevel=2)(fn)


tensor_scatter_nd_update = tensor_scatter_update = _tensor_scatter("TensorScatterUpdate")
tensor_scatter_nd_add = tensor_scatter_add = _tensor_scatter("TensorScatterAdd")
tensor_scatter_nd_sub = tensor_scatter_sub = _tensor_scatter("TensorScatterSub")
tensor_scatter_nd_max = _tensor_scatter("TensorScatterMax")
tensor_scatter_nd_min = _tensor_scatter("TensorScatterMin")


# --- segments and partitions: (Unsorted)Segment*, DynamicPartition, DynamicStitch -----------------

def _segment_shape(op):
    data, ids = op.inputs[0].shape, op.inputs[1].shape
    if data.rank is None or ids.rank is None:
        return [unknown_shape()]
    return [TensorShape([None] + list(data.as_tuple()[ids.rank:]))]


def _unsorted_segment_shape(op):
    data, ids = op.inputs[0].shape, op.inputs[1].shape
    n = _const(op, 2)
    if data.rank is None or ids.rank is None:
        return [unknown_shape()]
    return [TensorShape([None if n is None else int(n)] + list(data.as_tuple()[ids.rank:]))]


def _dynamic_partition_shape(op):
    data, parts = op.inputs[0].shape, op.inputs[1].shape
    n = op.get_attr("num_partitions")
    if data.rank is None or parts.rank is None:
        return [unknown_shape()] * n
    return [TensorShape([None] + list(data.as_tuple()[parts.rank:]))] * n


def _stitch_shape(op):
    n = len(op.inputs) // 2
    idx = [_tu.constant_value(t) for t in op.inputs[:n]]
    d0, i0 = op.inputs[n], op.inputs[0]
    if d0.shape.rank is None or i0.shape.rank is None:
        return [unknown_shape()]
    inner = list(d0.shape.as_tuple()[i0.shape.rank:])
    if all(v is not None for v in idx):
        size = max((int(np.max(v)) + 1 for v in idx if np.size(v)), default=0)
        return [TensorShape([size] + inner)]
    return [TensorShape([None] + inner)]


for _t in ("UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin",
           "UnsortedSegmentProd"):
    registry.register_op(_t, inputs=(("data", "T"), ("segment_ids", "Tindices"),
                                     ("num_segments", "Tnumsegments")),
                         outputs=(("output", "T"),), shape=_unsorted_segment_shape,
                         doc=_DOC[_t])
for _t in ("SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd"):
    registry.register_op(_t, inputs=(("data", "T"), ("segment_ids", "Tindices")),
                         outputs=(("output", "T"),), shape=_segment_shape,
                         doc=_DOC[_t])
registry.register_op("DynamicPartition", inputs=(("data", "T"), ("partitions", _dt.int32)),
                     outputs=lambda attrs: [("outputs", "T")] * attrs["num_partitions"],
                     shape=_dynamic_partition_shape,
                     doc="The data's rows split into num_partitions lists by partition id.")
registry.register_op("DynamicStitch", inputs=(("*indices", _dt.int32), ("*data", "T")),
                     outputs=(("merged", "T"),), shape=_stitch_shape,
                     doc="Values interleaved into one tensor at the given indices.")


def _segment_op(op_type, unsorted):
    if unsorted:
        def fn(data, segment_ids, num_segments, name=None):
            return apply_op(op_type, [data, segment_ids, num_segments],
                            name=name or op_type)[0]
    else:
        def fn(data, segment_ids, name=None):
            return apply_op(op_type, [data, segment_ids], name=name or op_type)[0]
    fn.__name__ = "".join("_" + c.lower() if c.isupper() else c for c in op_type)[1:]
    return registry.api(op_type, stacklevel=2)(fn)


unsorted_segment_sum = _segment_op("UnsortedSegmentSum", True)
unsorted_segment_max = _segment_op("UnsortedSegmentMax", True)
unsorted_segment_min = _segment_op("UnsortedSegmentMin", True)
segment_sum = _segment_op("SegmentSum", False)
segment_mean = _segment_op("SegmentMean", False)
segment_max = _segment_op("SegmentMax", False)
segment_min = _segment_op("SegmentMin", False)
segment_prod = _segment_op("SegmentProd", False)
unsorted_segment_prod = _segment_op("UnsortedSegmentProd", True)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Per-segment sums divided by the segment sizes (at least 1, so empty segments are 0)."""
    from . import math_ops
    with _ops.name_scope(name, "UnsortedSegmentMean"):
        data = _ops.convert_to_tensor(data)
        segment_ids = _ops.convert_to_tensor(segment_ids)
        ids_rank = segment_ids.shape.rank
        ones_shape = concat([shape(segment_ids),
                             ones([data.shape.rank - ids_rank], _dt.int32)], 0)
        counts = unsorted_segment_sum(fill(ones_shape, np.ones((), data.dtype.base_dtype
                                                                .np_dtype)),
                                      segment_ids, num_segments)
        counts = math_ops.maximum(counts, np.ones((), data.dtype.base_dtype.np_dtype))
        total = unsorted_segment_sum(data, segment_ids, num_segments)
        return math_ops.truediv(total, counts)


@registry.api("DynamicPartition")
def dynamic_partition(data, partitions, num_partitions, name=None):
    """`num_partitions` tensors: outputs[i] holds the slices of data whose partition is i."""
    return list(apply_op("DynamicPartition", [data, partitions],
                         {"num_partitions": int(num_partitions)},
                         name=name or "DynamicPartition"))


@registry.api("DynamicStitch")
def dynamic_stitch(indices, data, name=None):
    """merged[indices[m][i]] = data[m][i] (later entries win where indices repeat)."""
    return apply_op("DynamicStitch", [list(indices), list(data)],
                    name=name or "DynamicStitch")[0]


# --- unique values and index arithmetic: Unique, UniqueWithCounts, UnravelIndex -------------------

import collections as _collections  # noqa: E402


def _unravel_index_shape(op):
    idx, dims = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank(op, dims, 1)
    n = dims.as_tuple()[0] if dims.rank is not None else None
    if idx.rank is None:
        return [unknown_shape()]
    if idx.rank == 0:
        return [TensorShape([n])]
    if idx.rank == 1:
        return [TensorShape([n, idx.as_tuple()[0]])]
    raise op.shape_error(f"Shape must be at most rank 1 but is rank {idx.rank}")


registry.register_op("Unique", inputs=(("x", "T"),),
                     outputs=(("y", "T"), ("idx", "out_idx")),
                     shape=lambda op: (shape_rules.require_rank(op, op.inputs[0].shape, 1)
                                       or [unknown_shape(1), op.inputs[0].shape]),
                     doc="The distinct values (first appearance first) and each element's index.")
registry.register_op("ListDiff", inputs=(("x", "T"), ("y", "T")),
                     outputs=(("out", "T"), ("idx", "out_idx")),
                     shape=lambda op: (shape_rules.require_rank(op, op.inputs[0].shape, 1)
                                       or shape_rules.require_rank(op, op.inputs[1].shape, 1)
                                       or [unknown_shape(1), unknown_shape(1)]),
                     attr_defaults={"out_idx": _dt.int32},
                     doc="The values of x not in y (in x's order, repeats kept), and where.")
registry.register_op("UniqueWithCounts", inputs=(("x", "T"),),
                     outputs=(("y", "T"), ("idx", "out_idx"), ("count", "out_idx")),
                     shape=lambda op: (shape_rules.require_rank(op, op.inputs[0].shape, 1)
                                       or [unknown_shape(1), op.inputs[0].shape,
                                           unknown_shape(1)]),
                     doc="Unique, with how often each value occurs.")
registry.register_op("UnravelIndex", inputs=(("indices", "Tidx"), ("dims", "Tidx")),
                     outputs=(("output", "Tidx"),), shape=_unravel_index_shape,
                     doc="Flat indices converted into coordinates of a shape.")
UniqueOutput = _collections.namedtuple("Unique", ["y", "idx"])


@registry.api("Unique")
def unique(x, out_idx=_dt.int32, name=None):
    """The distinct values of a vector in order of first appearance, and for each element
    the position of its value in `y`."""
    y, idx = apply_op("Unique", [x], {"out_idx": _dt.as_dtype(out_idx)},
                      name=name or "Unique")
    return UniqueOutput(y, idx)


ListDiffOutput = _collections.namedtuple("ListDiff", ["out", "idx"])


@registry.api("ListDiff")
def setdiff1d(x, y, index_dtype=_dt.int32, name=None):
    """The elements of the vector x that are not in y, in x's order (repeats kept), and
    their positions in x (TF1's `tf.setdiff1d`)."""
    out, idx = apply_op("ListDiff", [x, y], {"out_idx": _dt.as_dtype(index_dtype)},
                        name=name or "ListDiff")
    return ListDiffOutput(out, idx)


UniqueWithCountsOutput = _collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


@registry.api("UniqueWithCounts")
def unique_with_counts(x, out_idx=_dt.int32, name=None):
    """`unique` plus, for each value in `y`, how many times it occurs in `x`."""
    y, idx, count = apply_op("UniqueWithCounts", [x], {"out_idx": _dt.as_dtype(out_idx)},
                             name=name or "UniqueWithCounts")
    return UniqueWithCountsOutput(y, idx, count)


@registry.api("UnravelIndex")
def unravel_index(indices, dims, name=None):
    """Flat indices into an array of shape `dims` as coordinate columns (one UnravelIndex)."""
    with _ops.name_scope(name, "UnravelIndex", [indices, dims]) as scope:
        indices = _ops.convert_to_tensor(indices, name="indices")
        dims = _ops.convert_to_tensor(dims, dtype=indices.dtype.base_dtype, name="dims")
        return apply_op("UnravelIndex", [indices, dims], name=scope)[0]


# --- reordering: Roll, ReverseSequence ------------------------------------------------------------

registry.register_op("Roll", inputs=(("input", "T"), ("shift", "Tshift"), ("axis", "Taxis")),
                     outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                     doc="The input's elements shifted cyclically along axes.")


def _reverse_sequence_shape(op):
    x, lens = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank(op, lens, 1)
    seq, batch = op.get_attr("seq_dim"), op.get_attr("batch_dim")
    if x.rank is None:
        return [x]
    if seq == batch:
        raise op.shape_error(f"batch_dim == seq_dim == {seq}")
    if not 0 <= seq < x.rank:
        raise op.shape_error(f"seq_dim must be < input rank( {seq} vs. {x.rank})")
    if not 0 <= batch < x.rank:
        raise op.shape_error(f"batch_dim must be < input rank( {batch} vs. {x.rank})")
    dims = list(x.as_tuple())
    n = lens.as_tuple()[0] if lens.rank is not None else None
    if n is not None and dims[batch] is not None and n != dims[batch]:
        raise op.shape_error(f"Dimensions must be equal, but are {dims[batch]} and {n}")
    if dims[batch] is None:
        dims[batch] = n
    return [TensorShape(dims)]


registry.register_op("ReverseSequence", inputs=(("input", "T"), ("seq_lengths", "Tlen")),
                     outputs=(("output", "T"),), shape=_reverse_sequence_shape,
                     attr_defaults={"batch_dim": 0},
                     doc="Each row's first seq_length entries reversed along an axis.")


@registry.api("Roll")
def roll(input, shift, axis, name=None):  # noqa: A002 - TF's name
    """Elements shifted along `axis` by `shift`, wrapping around (one Roll op)."""
    return apply_op("Roll", [input, shift, axis], name=name or "Roll")[0]


@registry.api("ReverseSequence")
def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None,  # noqa: A002
                     name=None):
    """Along `seq_axis`, the first seq_lengths[i] elements of batch entry i reversed."""
    if seq_axis is None:
        raise TypeError("Expected int for argument 'seq_dim' not None.")   # TF 2.21's
    return apply_op("ReverseSequence", [input, seq_lengths],
                    {"seq_dim": int(seq_axis),
                     "batch_dim": 0 if batch_axis is None else int(batch_axis)},
                    name=name or "ReverseSequence")[0]


def reverse_sequence_v1(input, seq_lengths, seq_axis=None, batch_axis=None,  # noqa: A002
                        name=None, seq_dim=None, batch_dim=None):
    """TF1's spelling: `seq_dim`/`batch_dim` are the deprecated names of the axes."""
    if seq_dim is not None:
        if seq_axis is not None:
            raise ValueError("Cannot specify both 'seq_axis' and 'seq_dim'")
        seq_axis = seq_dim
    if batch_dim is not None:
        if batch_axis is not None:
            raise ValueError("Cannot specify both 'batch_axis' and 'batch_dim'")
        batch_axis = batch_dim
    return reverse_sequence(input, seq_lengths, seq_axis, batch_axis, name)


# --- shapes and broadcasting: ShapeN, BroadcastArgs, EnsureShape, IdentityN, meshgrid, repeat -----

registry.register_op("ShapeN", inputs=(("*input", "T"),),
                     outputs=lambda attrs: [("output", attrs["out_type"])] * attrs["N"],
                     shape=lambda op: [TensorShape([t.shape.rank]) for t in op.inputs],
                     doc="The shapes of several inputs.")
registry.register_op("IdentityN", inputs=(("*input", "list:T"),),
                     outputs=lambda attrs: [("output", dt) for dt in attrs["T"]],
                     shape=lambda op: [t.shape for t in op.inputs],
                     doc="A list of inputs, unchanged.")


def _broadcast_args_shape(op):
    a, b = (_const(op, i) for i in (0, 1))
    if a is not None and b is not None:
        return [TensorShape([len(np.broadcast_shapes(tuple(a), tuple(b)))])]
    ra, rb = (t.shape.as_tuple()[0] if t.shape.rank == 1 else None for t in op.inputs)
    return [TensorShape([None if ra is None or rb is None else max(ra, rb)])]


registry.register_op("BroadcastArgs", inputs=(("s0", "T"), ("s1", "T")),
                     outputs=(("r0", "T"),), shape=_broadcast_args_shape,
                     doc="The broadcast shape of two shapes.")
registry.NotDifferentiable("BroadcastArgs")


def _ensure_shape_shape(op):
    from ..framework.tensor_shape import as_shape as _as_shape
    have, want = op.inputs[0].shape, _as_shape(op.get_attr("shape"))
    if not have.is_compatible_with(want):
        raise ValueError(f"Shape must be rank {want.rank} but is rank {have.rank}"
                         if have.rank != want.rank else
                         f"Dimension {next(i for i, (a, b) in enumerate(zip(have.as_tuple(), want.as_tuple())) if a is not None and b is not None and a != b)} "  # noqa: E501
                         f"in both shapes must be equal, but are "
                         f"{next(a for a, b in zip(have.as_tuple(), want.as_tuple()) if a is not None and b is not None and a != b)} and "  # noqa: E501
                         f"{next(b for a, b in zip(have.as_tuple(), want.as_tuple()) if a is not None and b is not None and a != b)}.")  # noqa: E501
    return [have.merge_with(want)]


registry.register_op("EnsureShape", inputs=(("input", "T"),), shape=_ensure_shape_shape,
                     doc="Passes `input` on, failing at run time unless its shape is "
                         "compatible with the `shape` attr.")


@registry.api("ShapeN")
def shape_n(input, out_type=_dt.int32, name=None):  # noqa: A002 - TF's name
    """The shapes of several tensors from one ShapeN op."""
    return list(apply_op("ShapeN", [list(input)], {"out_type": _dt.as_dtype(out_type)},
                         name=name or "ShapeN"))


@registry.api("IdentityN")
def identity_n(input, name=None):  # noqa: A002 - TF's name
    """Several tensors, of any dtypes, passed through one IdentityN op."""
    return list(apply_op("IdentityN", [list(input)], name=name or "IdentityN"))


@registry.api("BroadcastArgs")
def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shape vectors, computed by a BroadcastArgs op."""
    return apply_op("BroadcastArgs", [shape_x, shape_y], name="BroadcastArgs")[0]


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes, at graph-build time."""
    x, y = as_shape(shape_x), as_shape(shape_y)
    if x.rank is None or y.rank is None:
        return unknown_shape()
    a, b = list(x.as_tuple()), list(y.as_tuple())
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
    out = []
    for da, db in zip(a, b):
        if da is None or db is None:
            out.append(db if da == 1 else da if db == 1 else (da if db is None else db))
        elif da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        else:
            raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are "
                             f"compatible if for each dimension pair they are either equal or "
                             f"one of them is 1. Received: {x} and {y}.")
    return TensorShape(out)


def _dims_list(items):
    """A list of dims that may hold scalar tensors: eagerly their ints (eager conversion
    does not pack tensors), in a graph the list itself (packed into a Pack op, as in TF)."""
    if _ops.executing_eagerly() and not any(_ops.is_symbolic(t) for t in items):
        return [int(t) if getattr(t, "_is_eager", False) else t for t in items]
    return items


def meshgrid(*args, **kwargs):
    """N-d coordinate grids: each input reshaped to its own axis, times ones of the grid's
    shape (TF's graph); indexing 'xy' swaps the first two axes."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        key = list(kwargs)[0]
        raise TypeError(f"'{key}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    from . import math_ops
    with _ops.name_scope(name, "meshgrid", args):
        ndim = len(args)
        s0 = (1,) * ndim
        if not ndim:
            return []
        output = [reshape(x, s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(args)]
        shapes = [size(x) for x in args]
        output_dtype = _ops.convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult_fact = ones(_dims_list(shapes), output_dtype)
        return [x * mult_fact for x in output]


def repeat(input, repeats, axis=None, name=None):  # noqa: A002 - TF's name
    """Each slice along `axis` repeated `repeats` times (a scalar, or one count per slice);
    without an axis the flattened input. Scalar repeats: ExpandDims, Tile, Reshape; counts:
    a SequenceMask selecting the tiled copies with boolean_mask (TF's construction)."""
    from . import constant_op, math_ops
    if axis is None:
        input = reshape(input, [-1])
        axis = 0
    with _ops.name_scope(name, "Repeat"):
        data = _ops.convert_to_tensor(input, name="input")
        repeats = _ops.convert_to_tensor(repeats, name="repeats")
        static_repeats = _tu.constant_value(repeats)
        # TF casts even int32 repeats (a Cast op in its graph)
        repeats = apply_op("Cast", [repeats], {"DstT": _dt.int32, "Truncate": False},
                           name="Cast")[0]
        rank = data.shape.rank
        if rank is None:
            raise NotImplementedError("tfteach's repeat needs the input's rank")
        if rank == 0:
            raise ValueError("axis=0 out of bounds: expected -1<=axis<0")
        axis = int(axis)
        if not -rank <= axis < rank:
            raise ValueError(f"axis={axis} out of bounds: expected {-rank}<=axis<{rank}")
        if axis < 0:
            axis += rank
        data_shape = shape(data)
        if repeats.shape.rank == 0 or (repeats.shape.rank == 1 and
                                       repeats.shape.as_tuple()[0] == 1):
            repeats = reshape(repeats, [])
            expanded = expand_dims(data, axis + 1)
            mults = [1] * (axis + 1) + [repeats] + [1] * (rank - axis - 1)
            tiled = tile(expanded, _dims_list(mults))
            result_shape = concat([data_shape[:axis], _dims_list([repeats * data_shape[axis]]),
                                   data_shape[axis + 1:]], axis=0)
            out = reshape(tiled, result_shape)
            rv = static_repeats
            dims = list(data.shape.as_tuple())
            if rv is not None and not _ops.executing_eagerly():
                # TF's shape inference folds the shape arithmetic: the static shape is known
                dims[axis] = None if dims[axis] is None else dims[axis] * int(np.reshape(rv, -1)[0])
                out.set_shape(dims)
            return out
        n = data.shape.as_tuple()[axis]
        r = repeats.shape.as_tuple()[0] if repeats.shape.rank == 1 else None
        if n is not None and r is not None and n != r:
            raise ValueError(f"Dimensions {n} and {r} are not compatible")
        repeats = broadcast_to(repeats, _dims_list([data_shape[axis]]))
        max_repeat = math_ops.maximum(constant_op.constant(0, _dt.int32, name="zero"),
                                      math_ops.reduce_max(repeats))
        mask = sequence_mask(repeats, max_repeat)
        expanded = expand_dims(data, axis + 1)
        mults = [1] * (axis + 1) + [max_repeat] + [1] * (rank - axis - 1)
        tiled = tile(expanded, _dims_list(mults))
        out = boolean_mask(tiled, mask, axis=axis)
        if not _ops.executing_eagerly():
            out.set_shape([None if i == axis else d
                           for i, d in enumerate(data.shape.as_tuple())])
        return out


@registry.api("EnsureShape")
def ensure_shape(x, shape, name=None):
    """`x`, checked when the graph runs to have a shape compatible with `shape` (and with
    that static shape from now on)."""
    from ..framework.tensor_shape import as_shape as _as_shape
    if not isinstance(shape, TensorShape):
        shape = _as_shape(shape)
    return apply_op("EnsureShape", [x], {"shape": shape}, name=name or "EnsureShape")[0]


# --- sorted search: LowerBound, UpperBound (tf.searchsorted is in sort_ops.py) --------------------

def _bound_shape(op):
    s, v = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank(op, s, 2)
    shape_rules.require_rank(op, v, 2)
    if s.rank is not None and v.rank is not None:
        shape_rules.merge_dim(op, s.as_tuple()[0], v.as_tuple()[0])
    return [v if v.rank is not None else unknown_shape(2)]


for _t in ("LowerBound", "UpperBound"):
    registry.register_op(_t, inputs=(("sorted_inputs", "T"), ("values", "T")),
                         outputs=(("output", "out_type"),), shape=_bound_shape,
                         doc=_DOC[_t])
registry.NotDifferentiable("LowerBound")
registry.NotDifferentiable("UpperBound")


# --- ops only gradient functions build (array_grad.py, math_grad.py) ------------------------------

def _bga_shape(op):
    return [TensorShape([None]), TensorShape([None])]


registry.register_op("BroadcastGradientArgs", inputs=(("s0", "T"), ("s1", "T")),
                     outputs=(("r0", "T"), ("r1", "T")), shape=_bga_shape,
                     doc="The axes each of two shapes was broadcast along (to sum gradients over).")


def _shape_from_input0(op):
    try:
        return [_tu.constant_value_as_shape(op.inputs[0])]
    except (TypeError, ValueError):
        return [unknown_shape()]


def _unpadded_shape(op):
    x, p = op.inputs
    pv = _tu.constant_value(p)
    if x.shape.rank is None or pv is None:
        return [unknown_shape()]
    sums = np.asarray(pv).reshape(-1, 2).sum(axis=1)
    return [TensorShape([None if d is None else d - int(s)
                         for d, s in zip(x.shape.as_tuple(), sums)])]


_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
_HELPERS = {
    "StridedSliceGrad": dict(inputs=(("shape", "Index"), ("begin", "Index"), ("end", "Index"),
                                     ("strides", "Index"), ("dy", "T")),
                             outputs=(("output", "T"),), shape=_shape_from_input0,
                             attr_defaults={m: 0 for m in _MASKS}),
    "InvertPermutation": dict(inputs=(("x", "T"),), outputs=(("y", "T"),),
                              shape=lambda op: [op.inputs[0].shape]),
    "ConcatOffset": dict(inputs=(("concat_dim", _dt.int32), ("*shape", _dt.int32)),
                         outputs=lambda attrs: [("offset", _dt.int32)] * attrs["N"],
                         shape=lambda op: [t.shape for t in op.inputs[1:]]),
    "MirrorPadGrad": dict(inputs=(("input", "T"), ("paddings", "Tpaddings")),
                          outputs=(("output", "T"),), shape=lambda op: _unpadded_shape(op)),
}
for _t, _spec in _HELPERS.items():
    registry.register_op(_t, **_spec,
                         doc=_DOC[_t])


# --- space <-> batch ---------------------------------------------------------------------------
# SpaceToBatchND pads the M spatial dims after the batch dim and moves each block_shape block
# of them into the batch dim (the block offset outermost); BatchToSpaceND undoes it and crops.

def _space_batch_shape(op, to_batch):
    x = op.inputs[0].shape
    block, pads = _const(op, 1), _const(op, 2)
    if x.rank is None or block is None:
        return [unknown_shape(None if x.rank is None else x.rank)]
    block = [int(b) for b in np.asarray(block).reshape(-1)]
    dims = list(x.as_tuple())
    m = len(block)
    if pads is None:
        out = [None] * len(dims)
        out[m + 1:] = dims[m + 1:]
        if dims[0] is not None:
            prod = int(np.prod(block))
            out[0] = dims[0] * prod if to_batch else None
        return [TensorShape(out)]
    pads = np.asarray(pads).reshape(-1, 2)
    prod = int(np.prod(block))
    out = list(dims)
    if to_batch:
        out[0] = None if dims[0] is None else dims[0] * prod
        for i, b in enumerate(block):
            d = dims[i + 1]
            if d is None:
                continue
            padded = d + int(pads[i][0]) + int(pads[i][1])
            if padded % b:
                raise op.shape_error(f"Dimension size must be evenly divisible by {b} but "
                                     f"is {padded}")
            out[i + 1] = padded // b
    else:
        if dims[0] is not None:
            batch = dims[0]
            for b in block:            # TF divides by one block size at a time
                if batch % b:
                    raise op.shape_error(f"Dimension size must be evenly divisible by {b} "
                                         f"but is {batch}")
                batch //= b
            out[0] = batch
        for i, b in enumerate(block):
            d = dims[i + 1]
            out[i + 1] = None if d is None else d * b - int(pads[i][0]) - int(pads[i][1])
    return [TensorShape(out)]


registry.register_op(
    "SpaceToBatchND", inputs=(("input", "T"), ("block_shape", "Tblock_shape"),
                              ("paddings", "Tpaddings")),
    outputs=(("output", "T"),), shape=lambda op: _space_batch_shape(op, True),
    doc="Spatial blocks moved into the batch dim, after zero padding.")
registry.register_op(
    "BatchToSpaceND", inputs=(("input", "T"), ("block_shape", "Tblock_shape"),
                              ("crops", "Tcrops")),
    outputs=(("output", "T"),), shape=lambda op: _space_batch_shape(op, False),
    doc="Blocks of the batch dim moved back into the spatial dims, then cropped.")


@registry.api("SpaceToBatchND")
def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002 - TF's name
    """Zero-pads `input`'s spatial dims (those after the batch dim, one per block_shape
    entry) by `paddings`, then moves each block into the batch dim."""
    return apply_op("SpaceToBatchND", [input, block_shape, paddings],
                    name=name or "SpaceToBatchND")[0]


def space_to_batch(input, block_shape, paddings, name=None):  # noqa: A002
    """TF2's `tf.space_to_batch` (`tf.nn.space_to_batch`): SpaceToBatchND."""
    return space_to_batch_nd(input, block_shape, paddings, name=name)


@registry.api("BatchToSpaceND")
def batch_to_space(input, block_shape, crops, name=None):  # noqa: A002 - TF's name
    """TF2's `tf.batch_to_space`: the inverse of space_to_batch, cropping by `crops`."""
    return apply_op("BatchToSpaceND", [input, block_shape, crops],
                    name=name or "BatchToSpaceND")[0]


def batch_to_space_nd(input, block_shape, crops, name=None):  # noqa: A002
    """`tf.compat.v1.batch_to_space_nd`: BatchToSpaceND."""
    return batch_to_space(input, block_shape, crops, name=name)


def _block_size(block_size, block_shape):
    if block_size is not None and block_shape is not None:
        raise ValueError("Cannot specify both 'block_size' and 'block_shape'.")
    return block_shape if block_size is None else block_size


def space_to_batch_v1(input, paddings, block_size=None, name=None,  # noqa: A002
                      block_shape=None):
    """TF1's `tf.compat.v1.space_to_batch`: square blocks of `block_size` over the two
    spatial dims (SpaceToBatchND with an int64 block_shape of two equal sizes)."""
    size = _block_size(block_size, block_shape)
    return space_to_batch_nd(input, np.array([size, size], np.int64), paddings, name=name)


def batch_to_space_v1(input, crops, block_size, name=None, block_shape=None):  # noqa: A002
    """TF1's `tf.compat.v1.batch_to_space`: the inverse of its space_to_batch."""
    size = _block_size(block_size, block_shape)
    return batch_to_space(input, np.array([size, size], np.int64), crops, name=name)


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None,
                                     name=None):
    """(paddings, crops) that make each spatial dim of `input_shape` plus `base_paddings`
    a multiple of `block_shape`: the extra padding goes at the end, and crops undo it."""
    from . import math_ops
    with _ops.name_scope(name, "required_space_to_batch_paddings",
                         [input_shape, block_shape]):
        input_shape = _ops.convert_to_tensor(input_shape, dtype=_dt.int32,
                                             name="input_shape")
        block_shape = _ops.convert_to_tensor(block_shape, dtype=_dt.int32,
                                             name="block_shape")
        num_block_dims = block_shape.shape.as_tuple()[0]
        if base_paddings is not None:
            base_paddings = _ops.convert_to_tensor(base_paddings, dtype=_dt.int32,
                                                   name="base_paddings")
        else:
            base_paddings = zeros([num_block_dims, 2], _dt.int32)
        start = base_paddings[:, 0]
        orig_end = base_paddings[:, 1]
        full = input_shape + start + orig_end
        pad_end_extra = math_ops.floormod(block_shape - math_ops.floormod(full, block_shape),
                                          block_shape)
        end = orig_end + pad_end_extra
        paddings = stack([start, end], axis=1, name="paddings")
        crops = stack([zeros_like(start), pad_end_extra], axis=1, name="crops")
        return paddings, crops


# --- reinterpreting bytes ----------------------------------------------------------------------

_BITCAST_TYPES = ("bfloat16", "float16", "float32", "float64", "int64", "int32", "uint8",
                  "uint16", "uint32", "uint64", "int8", "int16", "complex64", "complex128",
                  "qint8", "quint8", "qint16", "quint16", "qint32")


def _bitcast_shape(op):
    x = op.inputs[0].shape
    src = _dt.as_dtype(op.get_attr("T")).size
    dst = _dt.as_dtype(op.get_attr("type")).size
    if x.rank is None:
        return [unknown_shape()]
    dims = list(x.as_tuple())
    if src == dst:
        return [TensorShape(dims)]
    if src < dst:
        if not dims or (dims[-1] is not None and dims[-1] != dst // src):
            last = dims[-1] if dims else 0
            raise op.shape_error(f"Cannot bitcast from {op.get_attr('T').as_datatype_enum} "
                                 f"to {op.get_attr('type').as_datatype_enum} due to shape. "
                                 f"{last} does not match {dst // src}")
        return [TensorShape(dims[:-1])]
    return [TensorShape(dims + [src // dst])]


registry.register_op("Bitcast", inputs=(("input", "T"),), outputs=(("output", "type"),),
                     shape=_bitcast_shape,
                     allowed={"T": _BITCAST_TYPES, "type": _BITCAST_TYPES},
                     doc="The input's bytes read as another dtype (the last dim grows or "
                         "shrinks by the size ratio).")


@registry.api("Bitcast")
def bitcast(input, type, name=None):  # noqa: A002 - TF's names
    """The bytes of `input` reinterpreted as dtype `type`, without copying: a wider type
    consumes the last dim (which must equal the size ratio), a narrower one adds it."""
    return apply_op("Bitcast", [input], {"type": _dt.as_dtype(type).base_dtype},
                    name=name or "Bitcast")[0]


registry.register_op("GuaranteeConst", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=lambda op: [op.inputs[0].shape], stateful=True,
                     doc="The input, promised to the runtime to be constant (an identity).")


@registry.api("GuaranteeConst")
def guarantee_const(input, name=None):  # noqa: A002 - TF's name
    """The input unchanged, marked for TF's runtime as constant during the session; tfteach's
    executor has no use for the promise and passes the value through."""
    return apply_op("GuaranteeConst", [input], name=name or "GuaranteeConst")[0]

def invert_permutation(x, name=None):
    """y with y[x[i]] = i: the inverse of a permutation of 0..n-1 (InvertPermutation). A value
    that is no tensor takes the op's default type, int32 (a NumPy int64 array too, as TF)."""
    if not isinstance(x, _ops.Tensor) and not getattr(x, "_is_eager", False):
        x = np.asarray(x, dtype=np.int32)
    return apply_op("InvertPermutation", [x], name=name or "InvertPermutation")[0]
