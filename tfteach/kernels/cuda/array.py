"""GPU kernels of the data-movement ops.

* Views: Identity, StopGradient, Reshape, ExpandDims, Squeeze return the same device
  memory with a new shape (no kernel at all, as in TF); Bitcast with a new dtype too.
* Index maps: Transpose, Slice, StridedSlice, Tile, ReverseV2, BroadcastTo, Pad, PadV2,
  MirrorPad, Split, SplitV, Unpack, Roll, ReverseSequence, SpaceToBatchND, BatchToSpaceND
  (and linalg's Diag, DiagPart,
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
def _data_or_list(op):
    # TF's GPU Identity also forwards a TensorList (variant), a host object here
    return _dev.dtype_name(_dev.op_dtype(op)) in _ALL_TYPES or \
        op.inputs[0].dtype.base_dtype.name == "variant"


@register("Identity", check=_data_or_list)
def identity(x):
    if op_is_list(x) or _is_host_object(x):
        return x
    return _dev.dev(x)


def _is_host_object(x):
    # a variant that is not a buffer (a dataset's Optional, an iterator handle) is a host
    # object that Identity forwards, as TF's GPU Identity forwards any variant
    return not _dev.is_device(x) and np.asarray(x).dtype.kind not in "biufc"


def op_is_list(x):
    """Whether `x` is a TensorList (kernels/cpu/list.py), bare or in a 0-d object array."""
    if _dev.is_device(x):
        return False
    return type(np.asarray(x)[()]).__name__ == "TensorList"


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


@register("Bitcast", dtypes=tuple(t for t in _ALL_TYPES if t != "boolean"))
def bitcast(x, *, T, type):  # noqa: A002 - TF's attr names
    """A view of the same device memory as another dtype (TF's GPU Bitcast copies nothing
    either). The CPU kernel, run on one row, checks the shapes and gives the new last dim."""
    x = _dev.contiguous(_dev.dev(x))
    row = np.zeros(tuple(x.shape[-1:]), np.dtype(x.dtype))
    last = np.shape(_cpu("Bitcast")(row, T=T, type=type))
    from ...framework import dtypes as _dt
    viewed = _dev.flat(x).view(np.dtype(_dt.as_dtype(type).np_dtype))
    return viewed.reshape(tuple(x.shape[:-1]) + tuple(last))


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
    "SpaceToBatchND": (1, 2), "BatchToSpaceND": (1, 2),
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
            where = f"[{','.join(str(int(i)) for i in loc)}]" if loc else ""
            return (f"indices{where} = {int(v)} is not in "
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


def _map_or_list(op):
    # TF's GPU ZerosLike also takes a TensorList (variant): zeros of its elements' shapes
    return _dev.dtype_name(_dev.op_dtype(op)) in _MAP_TYPES or \
        op.inputs[0].dtype.base_dtype.name == "variant"


@register("ZerosLike", check=_map_or_list)
def zeros_like(x):
    if not _dev.is_device(x) and type(np.asarray(x)[()]).__name__ == "TensorList":
        from .list import DEVICE
        from ..cpu.list import zeros_like_list
        return zeros_like_list(x, DEVICE)
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


# --- N-d gathers and scatters ----------------------------------------------------------------
# TF's GPU kernels do not fail on an index outside the tensor (the CPU ones do): GatherNd
# writes zeros for it, ScatterNd and the TensorScatter ops skip its update (TF's documented
# GPU behaviour of tf.gather_nd / tf.scatter_nd / tf.tensor_scatter_nd_*), so these do the same.
_ND_TYPES = ("float32", "float64", "int32", "int64")
_UPDATE, _ADD, _SUB, _MAX, _MIN = range(5)


def _nd_kernels():
    ks = _KERNELS.get("nd")
    if ks is None:
        @cuda.jit(device=True)
        def row_of(indices, r, k, lead):
            pos = 0
            for j in range(k):
                v = indices[r * k + j]
                if v < 0 or v >= lead[j]:
                    return -1
                pos = pos * lead[j] + v
            return pos

        @cuda.jit
        def gather_nd(params, indices, out, k, lead, inner):
            e = cuda.grid(1)
            if e < out.shape[0]:
                pos = row_of(indices, e // inner, k, lead)
                if pos < 0:
                    out[e] = 0
                else:
                    out[e] = params[pos * inner + e % inner]

        @cuda.jit
        def scatter_nd(out, indices, updates, k, lead, inner, mode):
            e = cuda.grid(1)
            if e < updates.shape[0]:
                pos = row_of(indices, e // inner, k, lead)
                if pos >= 0:
                    p = pos * inner + e % inner
                    v = updates[e]
                    if mode == 0:
                        out[p] = v          # repeated indices: one of them wins, as in TF
                    elif mode == 1:
                        cuda.atomic.add(out, p, v)
                    elif mode == 2:
                        cuda.atomic.sub(out, p, v)
                    elif mode == 3:
                        cuda.atomic.max(out, p, v)
                    else:
                        cuda.atomic.min(out, p, v)
        ks = _KERNELS["nd"] = (gather_nd, scatter_nd)
    return ks


def _lead(shape, k):
    return _dev.to_device(np.array([int(d) for d in shape[:k]] or [1], np.int64))


@register("GatherNd", dtypes=_ND_TYPES)
def gather_nd(params, indices):
    params = _dev.contiguous(_dev.dev(params))
    indices = _dev.contiguous(_dev.dev(indices))
    pshape, ishape = tuple(params.shape), tuple(indices.shape)
    if not ishape:
        raise errors.InvalidArgumentError(None, None, "indices must be at least a vector")
    k = ishape[-1]
    if k > len(pshape):
        raise errors.InvalidArgumentError(
            None, None, f"index innermost dimension length must be <= params rank; saw: "
                        f"{k} vs. {len(pshape)}")
    out_shape = ishape[:-1] + pshape[k:]
    out = _dev.empty(out_shape, params.dtype)
    n = _dev.size_of(out_shape)
    if n:
        inner = _dev.size_of(pshape[k:])
        if _dev.size_of(pshape[:k]) == 0:      # nothing to gather from: every index is out
            return full(out_shape, 0, params.dtype)
        _nd_kernels()[0][_dev.blocks_for(n), _dev.TPB](
            _dev.flat(params), _dev.flat(indices), _dev.flat(out), k, _lead(pshape, k),
            max(inner, 1))
    return out


def _check_updates(ishape, oshape, ushape):
    k = ishape[-1] if ishape else 0
    if ushape != ishape[:-1] + oshape[k:]:
        dims = lambda s: "[" + ",".join(str(int(d)) for d in s) + "]"   # noqa: E731
        raise errors.InvalidArgumentError(
            None, None, f"Dimensions [0,{len(ishape) - 1}) of indices[shape={dims(ishape)}] = "
                        f"{dims(ishape[:-1])} must match dimensions [0,{len(ishape) - 1}) of "
                        f"updates[shape={dims(ushape)}]")
    return k


def _scatter_nd_into(out, indices, updates, mode):
    """Applies `updates` at `indices` to the device array `out` in place."""
    indices = _dev.contiguous(_dev.dev(indices))
    updates = _dev.contiguous(_dev.dev(updates))
    oshape, ishape = tuple(out.shape), tuple(indices.shape)
    k = _check_updates(ishape, oshape, tuple(updates.shape))
    n = _dev.size_of(updates.shape)
    if n and _dev.size_of(oshape):
        _nd_kernels()[1][_dev.blocks_for(n), _dev.TPB](
            _dev.flat(out), _dev.flat(indices), _dev.flat(updates), k, _lead(oshape, k),
            max(_dev.size_of(oshape[k:]), 1), mode)
    return out


@register("ScatterNd", dtypes=_ND_TYPES, host_memory=("shape",))
def scatter_nd(indices, updates, shape):
    dims = _dev.host_int_list(shape)
    if any(d < 0 for d in dims):
        raise errors.InvalidArgumentError(None, None, f"Dimension {min(dims)} must be >= 0")
    out = full(tuple(dims), 0, _dev.dev(updates).dtype)
    return _scatter_nd_into(out, indices, updates, _ADD)


def _copy(x):
    x = _dev.contiguous(_dev.dev(x))
    out = _dev.empty(tuple(x.shape), x.dtype)
    if _dev.size_of(x.shape):
        _dev.flat(out).copy_to_device(_dev.flat(x))
    return out


def _tensor_scatter(mode):
    def kernel(tensor, indices, updates):
        return _scatter_nd_into(_copy(tensor), indices, updates, mode)
    return kernel


def _tensor_scatter_extreme(op_type, mode):
    def kernel(tensor, indices, updates, *, bad_indices_policy=""):
        if bad_indices_policy not in ("", "DEFAULT", "IGNORE"):
            # ERROR asks for the check the GPU kernel otherwise skips: the CPU code's,
            # on host copies (it also names an unknown policy)
            _cpu(op_type)(*[_dev.to_host(_dev.dev(a)) for a in (tensor, indices, updates)],
                          bad_indices_policy=bad_indices_policy)
        return _scatter_nd_into(_copy(tensor), indices, updates, mode)
    return kernel


for _t, _m in (("TensorScatterUpdate", _UPDATE), ("TensorScatterAdd", _ADD),
               ("TensorScatterSub", _SUB)):
    register(_t, dtypes=_ND_TYPES)(_tensor_scatter(_m))
for _t, _m in (("TensorScatterMax", _MAX), ("TensorScatterMin", _MIN)):
    register(_t, dtypes=_ND_TYPES)(_tensor_scatter_extreme(_t, _m))


# --- segment reductions -------------------------------------------------------------------
def _segment_kernels():
    ks = _KERNELS.get("segments")
    if ks is None:
        @cuda.jit
        def seg_extreme(data, ids, out, inner, n_seg, is_max):
            e = cuda.grid(1)
            if e < data.shape[0]:
                seg = ids[e // inner]
                if 0 <= seg < n_seg:
                    if is_max:
                        cuda.atomic.max(out, seg * inner + e % inner, data[e])
                    else:
                        cuda.atomic.min(out, seg * inner + e % inner, data[e])

        @cuda.jit
        def seg_count(ids, counts, n_seg):
            i = cuda.grid(1)
            if i < ids.shape[0]:
                seg = ids[i]
                if 0 <= seg < n_seg:
                    cuda.atomic.add(counts, seg, 1)

        @cuda.jit
        def seg_divide(out, counts, inner):
            e = cuda.grid(1)
            if e < out.shape[0]:
                c = counts[e // inner]
                if c > 1:
                    out[e] = out[e] / c
        ks = _KERNELS["segments"] = (seg_extreme, seg_count, seg_divide)
    return ks


def _segment_shapes(data, ids):
    dshape, ishape = tuple(data.shape), tuple(ids.shape)
    if dshape[:len(ishape)] != ishape:
        dims = lambda s: "[" + ",".join(str(int(d)) for d in s) + "]"   # noqa: E731
        raise errors.InvalidArgumentError(
            None, None, f"data.shape = {dims(dshape)} does not start with segment_ids.shape "
                        f"= {dims(ishape)}")
    return dshape[len(ishape):]


def _unsorted_extreme(is_max):
    def kernel(data, segment_ids, num_segments):
        data = _dev.contiguous(_dev.dev(data))
        ids = _dev.contiguous(_dev.dev(segment_ids))
        inner_shape = _segment_shapes(data, ids)
        n = int(np.asarray(_dev.to_host(num_segments)))
        dt = np.dtype(data.dtype)
        info = np.finfo(dt) if dt.kind == "f" else np.iinfo(dt)
        # the empty segments keep the identity, as on the CPU: the type's lowest for max
        out = full((n,) + inner_shape, info.min if is_max else info.max, dt)
        total = _dev.size_of(data.shape)
        if total and n:
            # an id outside [0, num_segments) drops its row: TF's GPU kernel skips it
            _segment_kernels()[0][_dev.blocks_for(total), _dev.TPB](
                _dev.flat(data), _dev.flat(ids), _dev.flat(out),
                max(_dev.size_of(inner_shape), 1), n, is_max)
        return out
    return kernel


register("UnsortedSegmentMax", dtypes=("float32", "float64", "int32"),
         host_memory=("num_segments",))(_unsorted_extreme(True))
register("UnsortedSegmentMin", dtypes=("float32", "float64", "int32"),
         host_memory=("num_segments",))(_unsorted_extreme(False))


def _sorted_segment(mean):
    def kernel(data, segment_ids):
        data = _dev.contiguous(_dev.dev(data))
        ids = _dev.contiguous(_dev.dev(segment_ids))
        if len(ids.shape) != 1:
            raise errors.InvalidArgumentError(None, None, "segment_ids should be a vector.")
        if not data.shape or ids.shape[0] != data.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, "segment_ids should be the same size as dimension 0 of input.")
        m = int(ids.shape[0])
        # TF's GPU kernel sizes the output from the last id (one element copied to the host)
        # and, unlike the CPU one, does not check that the ids are sorted (its documented
        # GPU behaviour); ids outside [0, last] are dropped here
        n = int(ids[m - 1:].copy_to_host()[0]) + 1 if m else 0
        n = max(n, 0)
        inner_shape = tuple(data.shape[1:])
        inner = max(_dev.size_of(inner_shape), 1)
        out = full((n,) + inner_shape, 0, data.dtype)
        total = _dev.size_of(data.shape)
        if total and n:
            _segment_sum_kernel()[_dev.blocks_for(total), _dev.TPB](
                _dev.flat(data), ids, _dev.flat(out), inner, n)
            if mean:
                counts = full((n,), 0, np.int32)
                _segment_kernels()[1][_dev.blocks_for(m), _dev.TPB](ids, counts, n)
                _segment_kernels()[2][_dev.blocks_for(_dev.size_of(out.shape)), _dev.TPB](
                    _dev.flat(out), counts, inner)
        return out
    return kernel


register("SegmentSum", dtypes=("float32", "float64"))(_sorted_segment(False))
register("SegmentMean", dtypes=("float32", "float64"))(_sorted_segment(True))


# --- Where: coordinates of the non-zero elements -------------------------------------------------
def _where_kernels():
    ks = _KERNELS.get("where")
    if ks is None:
        # the input is cut into contiguous chunks, one per thread: a first pass counts each
        # chunk's non-zeros, the host turns the (few) counts into offsets and sizes the
        # output (TF copies the count to the host as well), a second pass writes each chunk's
        # coordinates from its offset, so the rows come out in row-major order
        @cuda.jit
        def count(x, counts, chunk):
            t = cuda.grid(1)
            if t < counts.shape[0]:
                c = 0
                for i in range(t * chunk, min(x.shape[0], (t + 1) * chunk)):
                    if x[i] != 0:
                        c += 1
                counts[t] = c

        @cuda.jit
        def write(x, starts, chunk, shape, out, rank):
            t = cuda.grid(1)
            if t < starts.shape[0]:
                row = starts[t]
                for i in range(t * chunk, min(x.shape[0], (t + 1) * chunk)):
                    if x[i] != 0:
                        rest = i
                        for d in range(rank - 1, -1, -1):
                            out[row * rank + d] = rest % shape[d]
                            rest //= shape[d]
                        row += 1
        ks = _KERNELS["where"] = (count, write)
    return ks


@register("Where", dtypes=("float32", "float64", "int32", "int64", "int8", "uint8", "boolean"))
def where(x):
    x = _dev.contiguous(_dev.dev(x))
    shape = tuple(x.shape)
    rank, n = len(shape), _dev.size_of(shape)
    if not n:
        return _dev.empty((0, rank), np.int64)
    chunk = max(1, -(-n // (_dev.TPB * 32)))
    n_chunks = -(-n // chunk)
    counts = _dev.empty((n_chunks,), np.int64)
    count, write = _where_kernels()
    xf = _dev.flat(x)
    count[_dev.blocks_for(n_chunks), _dev.TPB](xf, counts, chunk)
    c = counts.copy_to_host()
    starts = np.concatenate([[0], np.cumsum(c)[:-1]]).astype(np.int64)
    total = int(c.sum())
    out = _dev.empty((total, rank), np.int64)
    if total and rank:
        write[_dev.blocks_for(n_chunks), _dev.TPB](
            xf, _dev.to_device(starts), chunk,
            _dev.to_device(np.array(shape, np.int64)), _dev.flat(out), rank)
    return out


# --- MirrorPadGrad: MirrorPad's index map run backwards --------------------------------------
def _scatter_add_map_kernel():
    k = _KERNELS.get("scatter_map")
    if k is None:
        @cuda.jit
        def scatter_add_map(g, idx, out):
            i = cuda.grid(1)
            if i < g.shape[0]:
                cuda.atomic.add(out, idx[i], g[i])
        k = _KERNELS["scatter_map"] = scatter_add_map
    return k


@register("MirrorPadGrad", dtypes=("float32", "float64"), host_memory=("paddings",))
def mirror_pad_grad(input, paddings, *, mode):
    # each element of the padded gradient goes back to the element MirrorPad copied it from
    # (the same map as the forward op's, which also checks the paddings); atomic adds, so a
    # float32 sum may differ from the CPU's axis-by-axis folding in the last bits
    g = _dev.contiguous(_dev.dev(input))
    pads = np.asarray(_dev.to_host(paddings)).reshape(-1, 2)
    gshape = tuple(g.shape)
    if pads.shape[0] != len(gshape):
        raise errors.InvalidArgumentError(
            None, None, f"The first dimension of paddings must be the rank of inputs"
                        f"{list(pads.shape)} {list(gshape)}")
    shape = tuple(int(d) - int(a) - int(b) for d, (a, b) in zip(gshape, pads.tolist()))
    if any(d < 0 for d in shape):
        raise errors.InvalidArgumentError(
            None, None, f"paddings {pads.tolist()} are larger than the gradient's shape "
                        f"{list(gshape)}")
    ((m, mshape),) = index_maps("MirrorPad", shape, (pads,),
                                {"mode": mode.decode() if isinstance(mode, bytes) else mode})
    out = full(shape, 0, g.dtype)
    n = _dev.size_of(gshape)
    if n and _dev.size_of(shape):
        _scatter_add_map_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(g), _dev.flat(m),
                                                                 _dev.flat(out))
    return out


# --- DynamicPartition -----------------------------------------------------------------------
def _partition_kernels():
    ks = _KERNELS.get("partition")
    if ks is None:
        # as in Where: the rows are cut into contiguous chunks, a thread counts its chunk's
        # rows per partition, the host turns the counts into each (chunk, partition)'s
        # offset and sizes the outputs, and a second pass copies the rows in order
        @cuda.jit
        def count(parts, counts, chunk, n_parts, bad):
            t = cuda.grid(1)
            n_chunks = counts.shape[0] // n_parts
            if t < n_chunks:
                for i in range(t * chunk, min(parts.shape[0], (t + 1) * chunk)):
                    p = parts[i]
                    if 0 <= p < n_parts:
                        counts[t * n_parts + p] += 1
                    else:
                        bad[0] = 1

        @cuda.jit
        def write(data, parts, offsets, chunk, n_parts, inner, out, n_chunks):
            t = cuda.grid(1)
            if t < n_chunks:
                for i in range(t * chunk, min(parts.shape[0], (t + 1) * chunk)):
                    p = parts[i]
                    row = offsets[t * n_parts + p]
                    offsets[t * n_parts + p] = row + 1
                    for q in range(inner):
                        out[row * inner + q] = data[i * inner + q]
        ks = _KERNELS["partition"] = (count, write)
    return ks


@register("DynamicPartition", dtypes=("float32", "float64", "int32", "int64"))
def dynamic_partition(data, partitions, *, num_partitions):
    data = _dev.contiguous(_dev.dev(data))
    parts = _dev.contiguous(_dev.dev(partitions))
    dshape, pshape = tuple(data.shape), tuple(parts.shape)
    if dshape[:len(pshape)] != pshape:
        dims = lambda s: "[" + ",".join(str(int(d)) for d in s) + "]"   # noqa: E731
        raise errors.InvalidArgumentError(
            None, None, f"data.shape must start with partitions.shape, got data.shape = "
                        f"{dims(dshape)}, partitions.shape = {dims(pshape)}")
    inner_shape = dshape[len(pshape):]
    n, P = _dev.size_of(pshape), int(num_partitions)
    if not n:
        return tuple(_dev.empty((0,) + inner_shape, data.dtype) for _ in range(P))
    chunk = max(1, -(-n // (_dev.TPB * 32)))
    n_chunks = -(-n // chunk)
    count, write = _partition_kernels()
    counts = full((n_chunks * P,), 0, np.int64)
    bad = full((1,), 0, np.int32)
    pf = _dev.flat(parts)
    count[_dev.blocks_for(n_chunks), _dev.TPB](pf, counts, chunk, P, bad)
    if bad.copy_to_host()[0]:
        # TF checks the partitions (on the host, after a copy) on both devices: its message
        _cpu("DynamicPartition")(np.zeros(pshape, np.int8), pf.copy_to_host().reshape(pshape),
                                 num_partitions=P)
    c = counts.copy_to_host().reshape(n_chunks, P)
    sizes = c.sum(axis=0)
    # offset of (chunk t, partition p) inside partition p's output, then one flat buffer
    # holding the P outputs back to back
    within = np.cumsum(c, axis=0) - c
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    inner = _dev.size_of(inner_shape)
    buf = _dev.empty((int(sizes.sum()) * inner,), data.dtype)
    if inner:
        write[_dev.blocks_for(n_chunks), _dev.TPB](
            _dev.flat(data), pf, _dev.to_device((within + starts).astype(np.int64).reshape(-1)),
            chunk, P, inner, buf, n_chunks)
    return tuple(buf[int(s) * inner:(int(s) + int(z)) * inner].reshape((int(z),) + inner_shape)
                 for s, z in zip(starts, sizes))


# --- Unique: a hash table on the device -------------------------------------------------------
def _unique_kernels():
    ks = _KERNELS.get("unique")
    if ks is None:
        @cuda.jit(device=True)
        def same(a, b):
            return a == b or (a != a and b != b)      # NaNs are one value, as on the CPU

        # open addressing: a slot holds the index of one element of its value (claimed by
        # compare-and-swap), and `first` the smallest index of that value (atomic min)
        @cuda.jit
        def insert(x, bits, table, first, slot_of):
            i = cuda.grid(1)
            if i < x.shape[0]:
                v = x[i]
                mask = table.shape[0] - 1
                if v != v or v == 0:
                    h = 0                           # every NaN, and -0.0 with 0.0, hash alike
                else:
                    b = bits[i]
                    b = b ^ (b >> 16)
                    b = b ^ (b >> 7)
                    h = b & mask
                while True:
                    cur = table[h]
                    if cur == -1:
                        old = cuda.atomic.cas(table, h, -1, i)
                        if old == -1:
                            break
                        cur = old
                    if same(x[cur], v):
                        break
                    h = (h + 1) & mask
                slot_of[i] = h
                cuda.atomic.min(first, h, i)

        @cuda.jit
        def count(first, slot_of, counts, chunk):
            t = cuda.grid(1)
            if t < counts.shape[0]:
                c = 0
                for i in range(t * chunk, min(slot_of.shape[0], (t + 1) * chunk)):
                    if first[slot_of[i]] == i:
                        c += 1
                counts[t] = c

        @cuda.jit
        def place(x, first, slot_of, starts, chunk, rank, y):
            t = cuda.grid(1)
            if t < starts.shape[0]:
                row = starts[t]
                for i in range(t * chunk, min(slot_of.shape[0], (t + 1) * chunk)):
                    if first[slot_of[i]] == i:
                        rank[i] = row
                        y[row] = x[i]
                        row += 1

        @cuda.jit
        def index(first, slot_of, rank, idx):
            i = cuda.grid(1)
            if i < idx.shape[0]:
                idx[i] = rank[first[slot_of[i]]]
        ks = _KERNELS["unique"] = (insert, count, place, index)
    return ks


_BITS = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


@register("Unique", dtypes=("float32", "float64", "int32", "int64"))
def unique(x, *, out_idx):
    x = _dev.contiguous(_dev.dev(x))
    if len(x.shape) != 1:
        raise errors.InvalidArgumentError(None, None, "unique expects a 1D vector.")
    n = int(x.shape[0])
    idx = _dev.empty((n,), out_idx.np_dtype)
    if not n:
        return _dev.empty((0,), x.dtype), idx
    dt = np.dtype(x.dtype)
    bits = x.view(_BITS[dt]) if dt in _BITS else x
    size = 1 << max(1, (2 * n - 1).bit_length())      # a power of two >= 2n: short probes
    table = full((size,), -1, np.int64)
    first = full((size,), n, np.int64)
    slot_of = _dev.empty((n,), np.int64)
    insert, count, place, index = _unique_kernels()
    insert[_dev.blocks_for(n), _dev.TPB](x, bits, table, first, slot_of)
    # the first appearances in index order (TF's order of y), as Where orders its rows
    chunk = max(1, -(-n // (_dev.TPB * 32)))
    n_chunks = -(-n // chunk)
    counts = _dev.empty((n_chunks,), np.int64)
    count[_dev.blocks_for(n_chunks), _dev.TPB](first, slot_of, counts, chunk)
    c = counts.copy_to_host()
    starts = np.concatenate([[0], np.cumsum(c)[:-1]]).astype(np.int64)
    y = _dev.empty((int(c.sum()),), x.dtype)
    rank = _dev.empty((n,), np.int64)
    place[_dev.blocks_for(n_chunks), _dev.TPB](x, first, slot_of, _dev.to_device(starts),
                                               chunk, rank, y)
    index[_dev.blocks_for(n), _dev.TPB](first, slot_of, rank, idx)
    return y, idx


# --- LowerBound / UpperBound: a binary search per value ----------------------------------------
def _bound_kernel():
    k = _KERNELS.get("bound")
    if k is None:
        @cuda.jit
        def bound(s, v, out, m, per_row, upper):
            e = cuda.grid(1)
            if e < out.shape[0]:
                base = (e // per_row) * m
                x = v[e]
                lo, hi = 0, m
                while lo < hi:
                    mid = (lo + hi) // 2
                    if (x < s[base + mid]) if upper else not (s[base + mid] < x):
                        hi = mid
                    else:
                        lo = mid + 1
                out[e] = lo
        k = _KERNELS["bound"] = bound
    return k


def _bound(upper):
    def kernel(sorted_inputs, values, *, out_type):
        s = _dev.contiguous(_dev.dev(sorted_inputs))
        v = _dev.contiguous(_dev.dev(values))
        if s.shape[0] != v.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, "Leading dim_size of both tensors must match.")
        out = _dev.empty(tuple(v.shape), out_type.np_dtype)
        n = _dev.size_of(v.shape)
        if n:
            per_row = max(_dev.size_of(v.shape[1:]), 1)
            _bound_kernel()[_dev.blocks_for(n), _dev.TPB](
                _dev.flat(s), _dev.flat(v), _dev.flat(out),
                _dev.size_of(s.shape[1:]), per_row, upper)
        return out
    return kernel


_BOUND_TYPES = ("float32", "float64", "int32", "int64")
register("LowerBound", dtypes=_BOUND_TYPES)(_bound(False))
register("UpperBound", dtypes=_BOUND_TYPES)(_bound(True))


# --- UniqueWithCounts: Unique, then the counts by an atomic add per element ---------------------
def _count_kernel():
    k = _KERNELS.get("count_idx")
    if k is None:
        @cuda.jit
        def count_idx(idx, counts):
            i = cuda.grid(1)
            if i < idx.shape[0]:
                cuda.atomic.add(counts, idx[i], 1)
        k = _KERNELS["count_idx"] = count_idx
    return k


@register("UniqueWithCounts", dtypes=("float32", "float64", "int32", "int64"))
def unique_with_counts(x, *, out_idx):
    y, idx = unique(x, out_idx=out_idx)
    counts = full((int(y.shape[0]),), 0, out_idx.np_dtype)
    if idx.shape[0]:
        _count_kernel()[_dev.blocks_for(int(idx.shape[0])), _dev.TPB](idx, counts)
    return y, idx, counts
