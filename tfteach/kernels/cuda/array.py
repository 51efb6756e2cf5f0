"""GPU kernels of the data-movement ops.

* Views: Identity, StopGradient, Reshape, ExpandDims, Squeeze return the same device
  memory with a new shape (no kernel at all, as in TF).
* Index maps: Transpose, Slice, StridedSlice, Tile, ReverseV2, BroadcastTo, Pad, PadV2,
  MirrorPad, Split, SplitV, Unpack, Roll, ReverseSequence (and linalg's Diag, DiagPart,
  MatrixBandPart) move elements without computing anything, so each is
  "output[i] = input[map[i]]". The map is found by running the op's *CPU kernel* once on an
  array holding each element's own index (0, 1, 2, ...): whatever that kernel does to the
  values it does to the indices. The map is then uploaded once and cached per (shape,
  arguments), so later runs are one gather kernel; the CPU kernel also validates the
  arguments, so the errors are the same on both devices. Pads map to index -1 (the fill).
* Kernels of their own: ConcatV2/Pack (one strided slab copy per input), GatherV2
  (indices are data on the device), Fill/ZerosLike/OnesLike, Select/SelectV2 and Cast
  (element-wise), OneHot, AddN.
* Host outputs: Shape, ShapeN, Size, Rank read the device array's shape and return host
  values (TF's HostMemory("output")).
* Host-memory kernels: InvertPermutation, BroadcastGradientArgs, BroadcastArgs, ConcatOffset
  have every argument in host memory, as TF registers them for GPUs: the op is on the GPU
  device, its CPU code runs on the host values (`_dev.register_host`).
"""
import collections

import numpy as np

from ... import errors
from ...framework import registry
from . import _dev
from ._dev import cuda, register
from .elementwise import apply, broadcast_shape

_KERNELS = {}
_ALL_TYPES = ("float32", "float64", "int32", "int64", "int8", "int16", "uint8", "uint16",
              "uint32", "uint64", "boolean", "float16", "complex64", "complex128")


def _cpu(op_type):
    return registry.get(op_type).kernel_for("CPU")   # loads the CPU family on first use


# --- no data movement -----------------------------------------------------------------------
@register("Identity", dtypes=_ALL_TYPES)
def identity(x):
    return _dev.dev(x)


@register("StopGradient", dtypes=_ALL_TYPES)
def stop_gradient(x):
    return _dev.dev(x)


@register("PlaceholderWithDefault", dtypes=_ALL_TYPES)
def placeholder_with_default(x):
    return _dev.dev(x)


@register("NoOp")
def no_op():
    return None


@register("Shape", dtypes=_ALL_TYPES, host_outputs=True)
def shape(x, *, out_type):
    return np.array(tuple(x.shape), dtype=out_type.np_dtype)


@register("Size", dtypes=_ALL_TYPES, host_outputs=True)
def size(x, *, out_type):
    return np.array(_dev.size_of(x.shape), dtype=out_type.np_dtype)


@register("Rank", dtypes=_ALL_TYPES, host_outputs=True)
def rank(x):
    return np.array(len(x.shape), dtype=np.int32)


@register("ShapeN", dtypes=_ALL_TYPES, host_memory=("output",))
def shape_n(*xs, out_type):
    return tuple(np.array(tuple(x.shape), dtype=out_type.np_dtype) for x in xs)


# --- host-memory kernels: int32/int64 bookkeeping that TF's GPU registrations keep wholly
# in host memory (placed on the GPU device, computed by the CPU code, nothing copied) ------
for _t in ("InvertPermutation", "BroadcastGradientArgs", "BroadcastArgs", "ConcatOffset"):
    _dev.register_host(_t, dtypes=("int32", "int64"))


def _shape_only(x):
    """A host stand-in with x's shape, to ask a CPU kernel what shape it would produce."""
    return np.broadcast_to(np.zeros((), np.int8), tuple(x.shape))


@register("Reshape", dtypes=_ALL_TYPES, host_inputs=(1,))
def reshape(x, shape):
    x = _dev.contiguous(_dev.dev(x))
    new_shape = np.shape(_cpu("Reshape")(_shape_only(x), _dev.to_host(shape)))
    return x.reshape(tuple(int(d) for d in new_shape))


@register("ExpandDims", dtypes=_ALL_TYPES, host_inputs=(1,))
def expand_dims(x, dim):
    x = _dev.contiguous(_dev.dev(x))
    new_shape = np.shape(_cpu("ExpandDims")(_shape_only(x), _dev.to_host(dim)))
    return x.reshape(tuple(int(d) for d in new_shape))


@register("IdentityN")
def identity_n(*xs):
    return tuple(_dev.dev(x) for x in xs)


@register("EnsureShape", dtypes=_ALL_TYPES)
def ensure_shape(x, *, shape, op=None):
    x = _dev.dev(x)
    _cpu("EnsureShape")(_shape_only(x), shape=shape, op=op)     # TF's check and message
    return x


@register("Squeeze", dtypes=_ALL_TYPES)
def squeeze(x, *, squeeze_dims):
    x = _dev.contiguous(_dev.dev(x))
    new_shape = np.shape(_cpu("Squeeze")(_shape_only(x), squeeze_dims=squeeze_dims))
    return x.reshape(tuple(int(d) for d in new_shape))


# --- index maps -----------------------------------------------------------------------------
_MAPS = collections.OrderedDict()
_MAX_MAPS = 256


def _key_part(v):
    if isinstance(v, np.ndarray) or np.isscalar(v):
        a = np.asarray(v)
        return (a.dtype.str, a.shape, a.tobytes())
    if isinstance(v, (list, tuple)):
        return tuple(_key_part(x) for x in v)
    return repr(v)


def _upload_map(idx):
    """Index maps are metadata, not tensor traffic: not counted as edge copies."""
    idx = np.asarray(idx, dtype=np.int64).copy(order="C")
    d = _dev.empty(idx.shape, np.int64)
    if idx.size:
        d.copy_to_device(idx)
    return d


def index_maps(op_type, in_shape, args, attrs):
    """Device index maps (one per output) for a data-movement op, cached."""
    key = (op_type, tuple(in_shape), _key_part(args), _key_part(sorted(attrs.items())))
    maps = _MAPS.get(key)
    if maps is not None:
        _MAPS.move_to_end(key)
        return maps
    # +1 so that 0 can stand for "padding" (Pad fills with zeros).
    ids = np.arange(1, _dev.size_of(in_shape) + 1, dtype=np.int64).reshape(in_shape)
    res = _cpu(op_type)(ids, *args, **attrs)
    outs = res if isinstance(res, (tuple, list)) else (res,)
    maps = tuple((_upload_map(np.asarray(o) - 1), tuple(np.shape(o))) for o in outs)
    _MAPS[key] = maps
    if len(_MAPS) > _MAX_MAPS:
        _MAPS.popitem(last=False)
    return maps


def _gather_map_kernel():
    k = _KERNELS.get("map")
    if k is None:
        @cuda.jit
        def gather_map(x, idx, out, fill):
            i = cuda.grid(1)
            if i < out.shape[0]:
                j = idx[i]
                if j >= 0:
                    out[i] = x[j]
                else:
                    out[i] = fill
        k = _KERNELS["map"] = gather_map
    return k


def run_map(x, dmap, shape, fill=0):
    out = _dev.empty(shape, x.dtype)
    n = _dev.size_of(shape)
    if n:
        fill = np.array(fill).astype(np.dtype(x.dtype))[()]
        _gather_map_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(x), _dev.flat(dmap),
                                                            _dev.flat(out), fill)
    return out


_MAP_OPS = {  # op type -> positions of its host-memory inputs (the data is input 0)
    "Transpose": (1,), "Slice": (1, 2), "StridedSlice": (1, 2, 3), "Tile": (1,),
    "ReverseV2": (1,), "BroadcastTo": (1,), "Pad": (1,), "MirrorPad": (1,),
    "Unpack": (), "SplitV": (1, 2), "Roll": (1, 2), "ReverseSequence": (),
}
_MAP_TYPES = tuple(t for t in _ALL_TYPES if t not in ("complex64", "complex128"))


def _map_op(op_type, host):
    import inspect
    # The executor passes an op's attrs to the keyword-only parameters a kernel declares,
    # so the GPU kernel declares exactly the CPU kernel's.
    params = inspect.signature(_cpu(op_type)).parameters.values()
    kw = [p.name for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY]
    n_args = sum(1 for p in params if p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD) - 1
    args = ", ".join(f"a{i}" for i in range(n_args))
    src = (f"def {op_type.lower()}_gpu(x{', ' if args else ''}{args}"
           f"{', *, ' if kw else ''}{', '.join(kw)}):\n"
           f"    return _run(x, ({args}{',' if args else ''}), "
           f"{{{', '.join(repr(k) + ': ' + k for k in kw)}}})\n")

    def _run(x, args, attrs):
        x = _dev.contiguous(_dev.dev(x))
        args = tuple(_dev.to_host(a) for a in args)
        outs = [run_map(x, m, s) for m, s in index_maps(op_type, x.shape, args, attrs)]
        return outs[0] if op_type not in ("Unpack", "SplitV") else tuple(outs)
    ns = {"_run": _run}
    exec(compile(src, f"<tfteach cuda {op_type}>", "exec"), ns)
    return register(op_type, dtypes=_MAP_TYPES, host_inputs=host)(ns[f"{op_type.lower()}_gpu"])


for _t, _h in _MAP_OPS.items():
    _map_op(_t, _h)


@register("PadV2", dtypes=_MAP_TYPES, host_inputs=(1, 2))
def pad_v2(x, paddings, constant_values):
    x = _dev.contiguous(_dev.dev(x))
    p = _dev.to_host(paddings)
    ((m, s),) = index_maps("Pad", x.shape, (p,), {})
    return run_map(x, m, s, np.asarray(_dev.to_host(constant_values)).item())


@register("Split", dtypes=_MAP_TYPES, host_inputs=(0,))
def split(axis, x, *, num_split):
    x = _dev.contiguous(_dev.dev(x))
    a = _dev.to_host(axis)
    ids = index_maps_split(x.shape, a, num_split)
    return tuple(run_map(x, m, s) for m, s in ids)


def index_maps_split(in_shape, axis, num_split):
    key = ("Split", tuple(in_shape), _key_part(axis), num_split)
    maps = _MAPS.get(key)
    if maps is None:
        ids = np.arange(_dev.size_of(in_shape), dtype=np.int64).reshape(in_shape)
        outs = _cpu("Split")(axis, ids, num_split=num_split)
        maps = tuple((_upload_map(o), tuple(o.shape)) for o in outs)
        _MAPS[key] = maps
    return maps


# --- concatenation ---------------------------------------------------------------------------
def _slab_kernel():
    k = _KERNELS.get("slab")
    if k is None:
        @cuda.jit
        def copy_slab(src, dst, rows, src_row, dst_row, dst_off):
            i = cuda.grid(1)
            if i < rows * src_row:
                r = i // src_row
                dst[r * dst_row + dst_off + i % src_row] = src[i]
        k = _KERNELS["slab"] = copy_slab
    return k


def concat(values, axis):
    """values: contiguous device arrays agreeing except on `axis` (already checked)."""
    shape0 = tuple(values[0].shape)
    total = sum(int(v.shape[axis]) for v in values)
    out_shape = shape0[:axis] + (total,) + shape0[axis + 1:]
    out = _dev.empty(out_shape, values[0].dtype)
    rows = _dev.size_of(shape0[:axis])
    inner = _dev.size_of(shape0[axis + 1:])
    off = 0
    for v in values:
        src_row = int(v.shape[axis]) * inner
        if rows * src_row:
            _slab_kernel()[_dev.blocks_for(rows * src_row), _dev.TPB](
                _dev.flat(v), _dev.flat(out), rows, src_row, total * inner, off)
        off += src_row
    return out


def _checked_shapes(op_type, values, *args, **attrs):
    """Runs the CPU kernel on shape-only stand-ins: same validation, same result shape."""
    return np.shape(_cpu(op_type)(*[_shape_only(v) for v in values], *args, **attrs))


@register("ConcatV2", dtypes=_MAP_TYPES, host_inputs=(-1,))
def concat_v2(*args):
    values = [_dev.contiguous(_dev.dev(v)) for v in args[:-1]]
    axis = int(np.asarray(_dev.to_host(args[-1])))
    _checked_shapes("ConcatV2", values, axis)
    return concat(values, axis % len(values[0].shape))


def _stitch(*args):
    # merged[indices[m][i]] = data[m][i], as an index map: the CPU kernel stitches each data
    # element's position in the data inputs laid end to end (+1: 0 is "never written")
    n = len(args) // 2
    indices = [np.asarray(_dev.to_host(i)) for i in args[:n]]
    data = [_dev.contiguous(_dev.dev(d)) for d in args[n:]]
    ids, start = [], 1
    for d in data:
        size = _dev.size_of(d.shape)
        ids.append(np.arange(start, start + size, dtype=np.int64).reshape(tuple(d.shape)))
        start += size
    merged = np.asarray(_cpu("DynamicStitch")(*indices, *ids))
    flat = concat([_dev.flat(d) for d in data], 0) if len(data) > 1 else _dev.flat(data[0])
    return run_map(flat, _upload_map(merged - 1), merged.shape)


_stitch.__name__ = "dynamic_stitch"
register("DynamicStitch", dtypes=_MAP_TYPES, host_inputs=lambda n: range(n // 2))(_stitch)
_stitch.host_memory = ("indices",)


@register("Pack", dtypes=_MAP_TYPES)
def pack(*values, axis):
    values = [_dev.contiguous(_dev.dev(v)) for v in values]
    out_shape = _checked_shapes("Pack", values, axis=axis)
    a = axis % len(out_shape)
    expanded = [v.reshape(tuple(v.shape[:a]) + (1,) + tuple(v.shape[a:])) for v in values]
    return concat(expanded, a)


# --- gather ----------------------------------------------------------------------------------
def _gather_kernel():
    k = _KERNELS.get("gather")
    if k is None:
        @cuda.jit
        def gather(params, idx, out, axis_len, inner, n_idx, bad):
            # out is (outer, n_idx, inner): out[o, j, i] = params[o, idx[j], i]
            t = cuda.grid(1)
            if t < out.shape[0]:
                i = t % inner
                j = (t // inner) % n_idx
                o = t // (inner * n_idx)
                k = idx[j]
                if k < 0 or k >= axis_len:
                    bad[0] = 1
                    out[t] = 0
                else:
                    out[t] = params[(o * axis_len + k) * inner + i]
        k = _KERNELS["gather"] = gather
    return k


def _bad_index_message(indices_host, axis_len):
    flat = np.asarray(indices_host).reshape(-1)
    for pos, v in enumerate(flat):
        if not 0 <= v < axis_len:
            loc = np.unravel_index(pos, np.shape(indices_host))
            return (f"indices[{','.join(str(int(i)) for i in loc)}] = {int(v)} is not in "
                    f"[0, {axis_len})")
    return "index out of range"


@register("GatherV2", dtypes=_MAP_TYPES, host_inputs=(2,),
          check=lambda op: op.get_attr("batch_dims") in (0, None))


def gather_v2(params, indices, axis, *, batch_dims):
    params = _dev.contiguous(_dev.dev(params))
    indices = _dev.contiguous(_dev.dev(indices))
    pshape, ishape = tuple(params.shape), tuple(indices.shape)
    a = int(np.asarray(_dev.to_host(axis)))
    if not -len(pshape) <= a < len(pshape):
        raise errors.InvalidArgumentError(
            None, None, f"Expected axis in the range [{-len(pshape)}, {len(pshape)}), "
                        f"but got {a}")
    a %= len(pshape)
    out_shape = pshape[:a] + ishape + pshape[a + 1:]
    out = _dev.empty(out_shape, params.dtype)
    n = _dev.size_of(out_shape)
    if n:
        bad = _dev.to_device(np.zeros(1, np.int32))
        _gather_kernel()[_dev.blocks_for(n), _dev.TPB](
            _dev.flat(params), _dev.flat(indices), _dev.flat(out), pshape[a],
            _dev.size_of(pshape[a + 1:]), _dev.size_of(ishape), bad)
        if bad.copy_to_host()[0]:       # TF's GPU gather zero-fills; the CPU raises
            raise errors.InvalidArgumentError(
                None, None, _bad_index_message(indices.copy_to_host(), pshape[a]))
    return out


# --- fills and element-wise helpers ------------------------------------------------------------
def _fill_kernel():
    k = _KERNELS.get("fill")
    if k is None:
        @cuda.jit
        def fill(out, v):
            i = cuda.grid(1)
            if i < out.shape[0]:
                out[i] = v
        k = _KERNELS["fill"] = fill
    return k


def full(shape, value, dtype):
    out = _dev.empty(shape, dtype)
    n = _dev.size_of(shape)
    if n:
        v = np.array(value).astype(np.dtype(dtype))[()]
        _fill_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(out), v)
    return out


@register("Fill", dtypes=None, host_inputs=(0, 1))
def fill(dims, value):
    shape = np.shape(_cpu("Fill")(np.asarray(_dev.to_host(dims)),
                                  np.zeros((), np.int8) if np.ndim(value) == 0 else
                                  np.asarray(_dev.to_host(value))))
    v = np.asarray(_dev.to_host(value))
    return full(shape, v.item(), v.dtype)


@register("ZerosLike", dtypes=_MAP_TYPES)
def zeros_like(x):
    return full(tuple(x.shape), 0, x.dtype)


@register("OnesLike", dtypes=_MAP_TYPES)
def ones_like(x):
    return full(tuple(x.shape), 1, x.dtype)


def _select(c, t, e):
    return t if c else e


@register("SelectV2", dtypes=None, check=lambda op: op.inputs[1].dtype.base_dtype.name
          in ("float32", "float64", "int32", "int64", "bool"))


def select_v2(c, t, e):
    c, t, e = _dev.dev(c), _dev.dev(t), _dev.dev(e)
    broadcast_shape([tuple(c.shape), tuple(t.shape), tuple(e.shape)])
    return apply(_select, [c, t, e], t.dtype, "SelectV2")


@register("Select", dtypes=None, check=lambda op: op.inputs[1].dtype.base_dtype.name
          in ("float32", "float64", "int32", "int64", "bool"))


def select(c, t, e):
    c, t, e = _dev.dev(c), _dev.dev(t), _dev.dev(e)
    _checked_shapes("Select", [c, t, e])
    if len(c.shape) == 1 and len(t.shape) > 1:
        c = c.reshape((c.shape[0],) + (1,) * (len(t.shape) - 1))
    return apply(_select, [c, t, e], t.dtype, "Select")


def _one_hot_kernel():
    k = _KERNELS.get("onehot")
    if k is None:
        @cuda.jit
        def one_hot(idx, out, depth, inner, on, off):
            # out viewed as (outer, depth, inner), idx as (outer, inner)
            t = cuda.grid(1)
            if t < out.shape[0]:
                i = t % inner
                d = (t // inner) % depth
                o = t // (inner * depth)
                out[t] = on if idx[o * inner + i] == d else off
        k = _KERNELS["onehot"] = one_hot
    return k


@register("OneHot", host_memory=("depth",),
          check=lambda op: op.inputs[0].dtype.base_dtype.name in ("int32", "int64",
                                                                  "uint8"))


def one_hot(indices, depth, on_value, off_value, *, axis):
    indices = _dev.contiguous(_dev.dev(indices))
    ishape = tuple(indices.shape)
    on, off = np.asarray(_dev.to_host(on_value)), np.asarray(_dev.to_host(off_value))
    out_shape = np.shape(_cpu("OneHot")(np.zeros(ishape, np.int64),
                                        _dev.to_host(depth), on, off, axis=axis))
    d = int(np.asarray(_dev.to_host(depth)))
    a = len(ishape) if axis == -1 else axis
    out = _dev.empty(out_shape, on.dtype)
    n = _dev.size_of(out_shape)
    if n:
        _one_hot_kernel()[_dev.blocks_for(n), _dev.TPB](
            _dev.flat(indices), _dev.flat(out), d, _dev.size_of(ishape[a:]),
            on.astype(on.dtype)[()], off.astype(on.dtype)[()])
    return out




# --- gradients of slicing and gathering ----------------------------------------------------------
@register("StridedSliceGrad", dtypes=_MAP_TYPES, host_inputs=(0, 1, 2, 3))
def strided_slice_grad(shape, begin, end, strides, dy, *, begin_mask, end_mask,
                       ellipsis_mask, new_axis_mask, shrink_axis_mask):
    # Zeros with dy written where the slice read: an index map over dy (0 = zero).
    dy = _dev.contiguous(_dev.dev(dy))
    host = tuple(np.asarray(_dev.to_host(a)) for a in (shape, begin, end, strides))
    attrs = dict(begin_mask=begin_mask, end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                 new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)
    key = ("StridedSliceGrad", tuple(dy.shape), _key_part(host),
           _key_part(sorted(attrs.items())))
    maps = _MAPS.get(key)
    if maps is None:
        ids = np.arange(1, _dev.size_of(dy.shape) + 1, dtype=np.int64).reshape(dy.shape)
        m = np.asarray(_cpu("StridedSliceGrad")(*host, ids, **attrs))
        maps = _MAPS[key] = ((_upload_map(m - 1), tuple(m.shape)),)
    ((m, s),) = maps
    return run_map(dy, m, s)


def _segment_sum_kernel():
    k = _KERNELS.get("segsum")
    if k is None:
        @cuda.jit
        def segment_sum(data, ids, out, inner, n_seg):
            e = cuda.grid(1)
            if e < data.shape[0]:
                seg = ids[e // inner]
                if 0 <= seg < n_seg:
                    cuda.atomic.add(out, seg * inner + e % inner, data[e])
        k = _KERNELS["segsum"] = segment_sum
    return k


@register("UnsortedSegmentSum", dtypes=("float32", "float64", "int32", "int64"),
          host_inputs=(2,))


def unsorted_segment_sum(data, segment_ids, num_segments):
    data = _dev.contiguous(_dev.dev(data))
    ids = _dev.contiguous(_dev.dev(segment_ids))
    dshape, ishape = tuple(data.shape), tuple(ids.shape)
    n = int(np.asarray(_dev.to_host(num_segments)))
    if dshape[:len(ishape)] != ishape:
        raise errors.InvalidArgumentError(
            None, None, f"data.shape = {list(dshape)} does not start with "
                        f"segment_ids.shape = {list(ishape)}")
    inner_shape = dshape[len(ishape):]
    out = full((n,) + inner_shape, 0, data.dtype)
    total = _dev.size_of(dshape)
    if total:
        _segment_sum_kernel()[_dev.blocks_for(total), _dev.TPB](
            _dev.flat(data), _dev.flat(ids), _dev.flat(out),
            max(_dev.size_of(inner_shape), 1), n)
    return out
