"""CPU kernels of data-movement ops (placeholders, identity, shapes)."""
import numpy as np

from ...framework.registry import register_kernel


@register_kernel("Identity")
def identity(x):
    return x


@register_kernel("StopGradient")
def stop_gradient(x):
    return x


@register_kernel("PlaceholderWithDefault")
def placeholder_with_default(x):
    return x


@register_kernel("NoOp")
def no_op():
    return None


@register_kernel("Shape")
def shape(x, *, out_type):
    return np.array(np.shape(x), dtype=out_type.np_dtype)


@register_kernel("Size")
def size(x, *, out_type):
    return np.array(np.size(x), dtype=out_type.np_dtype)


@register_kernel("Rank")
def rank(x):
    return np.array(np.ndim(x), dtype=np.int32)


# =============================================================================================
# Data movement. These kernels are NumPy calls: reshaping, transposing, concatenating and
# slicing are memory copies (or views) that NumPy already does at memory speed, so a numba
# loop would add compile time and nothing else. The part that is ours is the checking: every
# index and size is validated first, so a mistake is InvalidArgumentError with TF's message,
# never an IndexError or garbage. Gather/OneHot index checks run in numba (one pass).
# =============================================================================================
from numba import njit  # noqa: E402

from ... import errors  # noqa: E402


def _err(msg):
    return errors.InvalidArgumentError(None, None, msg)


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _ints(v):
    return [int(x) for x in np.reshape(np.asarray(v), -1)]


def reshape(x, shape):     # registered below, behind _ConstInputs
    x = np.asarray(x)
    # Fast path (every training step reshapes gradients): a fully specified shape with the
    # right element count; everything else goes through the checks below.
    if type(shape) is np.ndarray and shape.ndim == 1 and shape.dtype.kind in "iu":
        dims = shape.tolist()
        if -1 not in dims and min(dims, default=0) >= 0:
            n = 1
            for d in dims:
                n *= d
            if n == x.size:
                return x.reshape(dims)
    want = _ints(shape)
    unknown = [i for i, v in enumerate(want) if v == -1]
    if len(unknown) > 1:
        raise _err(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}")
    for i, v in enumerate(want):
        if v < -1:
            raise _err(f"Size {i} must be non-negative, not {v}")
    known = int(np.prod([v for v in want if v != -1], dtype=np.int64))
    n = x.size
    if unknown:
        if known == 0 or n % known:
            if known == 0 and n == 0:
                want[unknown[0]] = 0
                return x.reshape(want)
            raise _err(f"Input to reshape is a tensor with {n} values, but the requested "
                       f"shape requires a multiple of {known}")
        want[unknown[0]] = n // known
    elif known != n:
        raise _err(f"Input to reshape is a tensor with {n} values, but the requested shape "
                   f"has {known}")
    return x.reshape(want)


@register_kernel("Transpose")
def transpose(x, perm):
    x = np.asarray(x)
    p = _ints(perm)
    if len(p) != x.ndim:
        raise _err(f"transpose expects a vector of size {x.ndim}. But input(1) is a vector of "
                   f"size {len(p)}")
    seen = set()
    for v in p:
        if not 0 <= v < x.ndim:
            raise _err(f"{v} is out of range [0 .. {x.ndim})")
        if v in seen:
            raise _err(f"{v} is duplicated in perm.")
        seen.add(v)
    out = np.transpose(x, p)
    # not np.ascontiguousarray: it turns a 0-d array into shape (1,)
    return out if out.flags.c_contiguous else out.copy()


@register_kernel("ConcatV2")
def concat_v2(*args):
    values, axis = [np.asarray(v) for v in args[:-1]], int(args[-1])
    r = values[0].ndim
    if not -r <= axis < r:
        raise _err(f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), "
                   f"but got {axis}")
    a = axis % r
    for i, v in enumerate(values[1:], 1):
        if v.ndim != r:
            raise _err(f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                       f"{_dims(values[0].shape)} vs. shape[{i}] = {_dims(v.shape)}")
        for j in range(r):
            if j != a and v.shape[j] != values[0].shape[j]:
                raise _err(f"ConcatOp : Dimension {j} in both shapes must be equal: shape[0] "
                           f"= {_dims(values[0].shape)} vs. shape[{i}] = {_dims(v.shape)}")
    return np.concatenate(values, axis=a)


@register_kernel("Pack")
def pack(*values, axis):
    values = [np.asarray(v) for v in values]
    for i, v in enumerate(values[1:], 1):
        if v.shape != values[0].shape:
            raise _err(f"Shapes of all inputs must match: values[0].shape = "
                       f"{_dims(values[0].shape)} != values[{i}].shape = {_dims(v.shape)}")
    r = values[0].ndim + 1
    if not -r <= axis < r:
        raise _err(f"axis = {axis} not in [{-r}, {r})")
    return np.stack(values, axis=axis)


@register_kernel("Unpack")
def unpack(x, *, num, axis):
    x = np.asarray(x)
    if not -x.ndim <= axis < x.ndim:
        raise _err(f"axis = {axis} not in [{-x.ndim}, {x.ndim})")
    if x.shape[axis] != num:
        raise _err(f"Input shape axis {axis % x.ndim} must equal {num}, got shape "
                   f"{_dims(x.shape)}")
    return tuple(np.take(x, i, axis=axis) for i in range(num))


@njit(cache=True)
def _first_bad_index(idx, n):
    """Position of the first index outside [0, n), or -1 (one pass over the indices)."""
    for i in range(idx.size):
        v = idx[i]
        if v < 0 or v >= n:
            return i
    return -1


def _check_indices(idx, n, what="indices"):
    flat = np.ascontiguousarray(idx).reshape(-1)
    if flat.dtype not in (np.int32, np.int64):
        flat = flat.astype(np.int64)
    bad = _first_bad_index(flat, n)
    if bad >= 0:
        # a scalar index has no position: TF writes "indices = 7", not "indices[] = 7"
        where = (f"[{','.join(str(int(p)) for p in np.unravel_index(bad, idx.shape))}]"
                 if idx.ndim else "")
        raise _err(f"{what}{where} = {int(flat[bad])} is not in [0, {n})")


@register_kernel("GatherV2")
def gather_v2(params, indices, axis, *, batch_dims):
    params, idx = np.asarray(params), np.asarray(indices)
    a = int(axis)
    if not -params.ndim <= a < params.ndim:
        raise _err(f"Expected axis in the range [{-params.ndim}, {params.ndim}), but got {a}")
    a %= params.ndim
    _check_indices(idx, params.shape[a])
    if batch_dims == 0:
        return np.take(params, idx, axis=a)
    bd = batch_dims % idx.ndim if batch_dims < 0 else batch_dims
    if params.shape[:bd] != idx.shape[:bd]:
        raise _err(f"params.shape[:{bd}] should equal indices.shape[:{bd}]")
    out = [np.take(p, i, axis=a - bd) for p, i in zip(params.reshape((-1,) + params.shape[bd:]),
                                                     idx.reshape((-1,) + idx.shape[bd:]))]
    res = np.stack(out) if out else np.zeros((0,), params.dtype)
    return res.reshape(params.shape[:bd] + res.shape[1:])


@register_kernel("Slice")
def slice_(x, begin, size):
    x = np.asarray(x)
    b, s = _ints(begin), _ints(size)
    if len(b) != x.ndim or len(s) != x.ndim:
        raise _err(f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but "
                   f"got shapes [{len(b)}] and [{len(s)}] instead.")
    idx = []
    for i, (bb, ss, d) in enumerate(zip(b, s, x.shape)):
        if ss == -1:
            ss = d - bb
        if not 0 <= bb <= d:
            raise _err(f"Expected begin[{i}] in [0, {d}], but got {bb}")
        if not 0 <= ss <= d - bb:
            raise _err(f"Expected size[{i}] in [0, {d - bb}], but got {ss}")
        idx.append(slice(bb, bb + ss))
    return x[tuple(idx)]


def strided_slice(x, begin, end, strides, *, begin_mask, end_mask, ellipsis_mask,
                  new_axis_mask, shrink_axis_mask):
    from ..shapes import StridedSliceError as _StridedSliceError, strided_slice_plan
    x = np.asarray(x)
    b, e, s = _ints(begin), _ints(end), _ints(strides)
    if not len(b) == len(e) == len(s):
        raise _err(f"Expected begin, end, and strides to be 1D equal size tensors, but got "
                   f"shapes [{len(b)}], [{len(e)}], and [{len(s)}] instead.")
    try:
        index, _ = strided_slice_plan(list(x.shape), b, e, s, begin_mask, end_mask,
                                      ellipsis_mask, new_axis_mask, shrink_axis_mask)
    except _StridedSliceError as err:
        raise _err(str(err)) from None
    return np.asarray(x[index])


@register_kernel("Tile")
def tile(x, multiples):
    x = np.asarray(x)
    m = _ints(multiples)
    if len(m) != x.ndim:
        raise _err(f"Expected multiples argument to be a vector of length {x.ndim} but got "
                   f"length {len(m)}")
    for i, v in enumerate(m):
        if v < 0:
            raise _err(f"Expected multiples[{i}] >= 0, but got {v}")
    return np.tile(x, m) if x.ndim else x.copy()


@register_kernel("ExpandDims")
def expand_dims(x, dim):
    x = np.asarray(x)
    d = _ints(dim)
    if len(d) != 1:
        raise _err(f"'dim' must be a tensor with a single value, but got {len(d)} values")
    if not -x.ndim - 1 <= d[0] <= x.ndim:
        raise _err(f"Tried to expand dim index {d[0]} for tensor with {x.ndim} dimensions.")
    return np.expand_dims(x, d[0] % (x.ndim + 1))


@register_kernel("Squeeze")
def squeeze(x, *, squeeze_dims):
    x = np.asarray(x)
    if not squeeze_dims:
        return np.squeeze(x)
    axes = []
    for a in squeeze_dims:
        if not -x.ndim <= a < x.ndim:
            raise _err(f"Tried to squeeze dim index {a} for tensor with {x.ndim} dimensions.")
        if x.shape[a] != 1:
            raise _err(f"Can not squeeze dim[{a % x.ndim}], expected a dimension of 1, got "
                       f"{x.shape[a]}")
        axes.append(a % x.ndim)
    return np.squeeze(x, axis=tuple(axes))


def _paddings(x, paddings):
    p = np.asarray(paddings)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != x.ndim:
        raise _err(f"The first dimension of paddings must be the rank of inputs{_dims(p.shape)}"
                   f", input shape: {_dims(x.shape)}")
    if (p < 0).any():
        raise _err("Paddings must be non-negative")
    return [(int(a), int(b)) for a, b in p]


@register_kernel("Pad")
def pad(x, paddings):
    x = np.asarray(x)
    return np.pad(x, _paddings(x, paddings), mode="constant")


@register_kernel("PadV2")
def pad_v2(x, paddings, constant_values):
    x = np.asarray(x)
    return np.pad(x, _paddings(x, paddings), mode="constant",
                  constant_values=np.asarray(constant_values).item())


@register_kernel("MirrorPad")
def mirror_pad(x, paddings, *, mode):
    x = np.asarray(x)
    p = _paddings(x, paddings)
    off = 0 if mode == "SYMMETRIC" else 1
    for i, (a, b) in enumerate(p):
        if a > x.shape[i] - off or b > x.shape[i] - off:
            raise _err(f"paddings must be no greater than the dimension size: {a}, {b} greater "
                       f"than {x.shape[i] - off}")
    return np.pad(x, p, mode="symmetric" if mode == "SYMMETRIC" else "reflect")


@register_kernel("ReverseV2")
def reverse_v2(x, axis):
    x = np.asarray(x)
    axes = _ints(axis)
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise _err(f"'axis'[0] = {a} is out of valid range [0, {x.ndim - 1}")
    if len({a % x.ndim for a in axes}) != len(axes):
        raise _err("axis has duplicate entries")
    return np.flip(x, axis=tuple(a % x.ndim for a in axes)) if axes else x


@register_kernel("Select")
def select(c, t, e):
    c, t, e = np.asarray(c), np.asarray(t), np.asarray(e)
    if t.shape != e.shape:
        raise _err(f"'then' and 'else' must have the same size.  but received: "
                   f"{_dims(t.shape)} vs. {_dims(e.shape)}")
    if c.ndim == 1 and t.ndim > 1:
        if c.shape[0] != t.shape[0]:
            raise _err(f"Number of batches of 'then' must match size of 'cond', but saw: "
                       f"{t.shape[0]} vs. {c.shape[0]}")
        c = c.reshape((-1,) + (1,) * (t.ndim - 1))
    elif c.ndim and c.shape != t.shape:
        raise _err(f"'condition' and 'then' must have the same size.  but received: "
                   f"{_dims(c.shape)} vs. {_dims(t.shape)}")
    return np.where(c, t, e)


@register_kernel("SelectV2")
def select_v2(c, t, e):
    try:
        return np.where(c, t, e)
    except ValueError:
        raise _err(f"condition {_dims(np.shape(c))}, then {_dims(np.shape(t))}, and else "
                   f"{_dims(np.shape(e))} must be broadcastable") from None


@register_kernel("Where")
def where(x):
    return np.argwhere(np.asarray(x)).astype(np.int64)


@register_kernel("OneHot")
def one_hot(indices, depth, on_value, off_value, *, axis):
    idx = np.asarray(indices)
    d = int(depth)
    if d < 0:
        raise _err(f"indices must be non-negative, got: {d}")
    if not -1 <= axis <= idx.ndim:
        raise _err(f"Expected axis to be -1 or between [0, {idx.ndim}).  But received: {axis}")
    on, off = np.asarray(on_value), np.asarray(off_value)
    hot = idx[..., None] == np.arange(d, dtype=idx.dtype)
    out = np.where(hot, on, off).astype(on.dtype)
    if axis != -1 and axis != idx.ndim:
        out = np.moveaxis(out, -1, axis)
    return np.ascontiguousarray(out)


@register_kernel("Split")
def split(axis, x, *, num_split):
    x = np.asarray(x)
    a = int(axis)
    if not -x.ndim <= a < x.ndim:
        raise _err(f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {a}")
    a %= x.ndim
    if x.shape[a] % num_split:
        raise _err(f"Number of ways to split should evenly divide the split dimension, but got "
                   f"split_dim {a} (size = {x.shape[a]}) and num_split {num_split}")
    return tuple(np.split(x, num_split, axis=a))


@register_kernel("SplitV")
def split_v(x, size_splits, axis, *, num_split):
    x = np.asarray(x)
    a = int(axis)
    if not -x.ndim <= a < x.ndim:
        raise _err(f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {a}")
    a %= x.ndim
    sizes = _ints(size_splits)
    if len(sizes) != num_split:
        raise _err(f"Number of split sizes {len(sizes)} does not match num_split {num_split}")
    if sizes.count(-1) > 1:
        raise _err("There can only be one -1 in the input.")
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[a] - (sum(sizes) + 1)
    if sum(sizes) != x.shape[a] or min(sizes, default=0) < 0:
        raise _err(f"Determined shape must either match input shape along split_dim exactly "
                   f"if fully specified, or be less than the size of the input along split_dim "
                   f"if not fully specified.  Got: {sum(sizes)}")
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=a))


@register_kernel("Fill")
def fill(dims, value):
    d = _ints(dims)
    for v in d:
        if v < 0:
            raise _err(f"Dimension {v} must be >= 0")
    v = np.asarray(value)
    if v.ndim:
        raise _err(f"value must be a scalar, got shape {_dims(v.shape)}")
    return np.full(d, v, dtype=v.dtype)


def _is_list(x):
    """Whether `x` is a TensorList variant (kernels/cpu/list.py), bare or as a 0-d array."""
    x = _payload(x)
    return type(x).__name__ == "TensorList"


def _payload(x):
    if isinstance(x, np.ndarray) and x.dtype == object and x.ndim == 0:
        return x[()]
    return x


@register_kernel("ZerosLike")
def zeros_like(x):
    if _is_list(x):
        from .list import zeros_like_list
        return zeros_like_list(_payload(x))
    x = np.asarray(x)
    return np.zeros(x.shape, x.dtype) if x.dtype != object else np.full(x.shape, b"", object)


@register_kernel("OnesLike")
def ones_like(x):
    x = np.asarray(x)
    return np.ones(x.shape, x.dtype)


@register_kernel("BroadcastTo")
def broadcast_to(x, shape):
    try:
        return np.broadcast_to(np.asarray(x), _ints(shape)).copy()
    except ValueError:
        raise _err(f"Unable to broadcast tensor of shape {_dims(np.shape(x))} to tensor of "
                   f"shape {_dims(_ints(shape))}") from None


# --- plan-time specialisation for index inputs that are Consts --------------------------------
# Reshape's shape and StridedSlice's begin/end/strides are nearly always Const ops: the plan
# reads them once (`for_op`) so a run only checks the input's shape against them.
import inspect  # noqa: E402


class _ConstInputs:
    def __init__(self, fn, specialise):
        self._fn = fn
        self._specialise = specialise
        self.__signature__ = inspect.signature(fn)
        self.__wrapped__ = fn
        self.__name__ = fn.__name__

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def for_op(self, op):
        value_of = getattr(op, "_constant_input_value", None)
        if value_of is None:
            # eager dispatch is cached per dtypes/attrs, not per input values
            return self._fn
        consts = [value_of(i) for i in range(1, len(op.inputs))]
        if any(c is None for c in consts):
            return self._fn
        fast = self._specialise(op, [np.asarray(c) for c in consts])
        return fast or self._fn


def _reshape_fast(op, consts):
    want = _ints(consts[0])
    if any(v < -1 for v in want) or want.count(-1) > 1:
        return None                       # the generic kernel raises TF's error
    unknown = want.index(-1) if -1 in want else None
    known = int(np.prod([v for v in want if v != -1], dtype=np.int64))
    if unknown is not None and known == 0:
        return None
    generic = reshape
    shape_t = tuple(want)

    def reshape_const(x, shape):
        x = np.asarray(x)
        n = x.size
        if unknown is None:
            if n == known:
                return x.reshape(shape_t)
        elif n % known == 0:
            w = list(shape_t)
            w[unknown] = n // known
            return x.reshape(w)
        return generic(x, shape)
    return reshape_const


def _strided_slice_fast(op, consts):
    from ..shapes import StridedSliceError as _StridedSliceError, strided_slice_plan
    b, e, s = (_ints(c) for c in consts)
    if not len(b) == len(e) == len(s):
        return None
    masks = tuple(op.get_attr(m) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                           "new_axis_mask", "shrink_axis_mask"))
    plans = {}

    def strided_slice_const(x, begin, end, strides, **_attrs):
        x = np.asarray(x)
        index = plans.get(x.shape)
        if index is None:
            try:
                index, _ = strided_slice_plan(list(x.shape), b, e, s, *masks)
            except _StridedSliceError as err:
                raise _err(str(err)) from None
            if len(plans) < 64:
                plans[x.shape] = index
        return np.asarray(x[index])
    return strided_slice_const


register_kernel("Reshape")(_ConstInputs(reshape, _reshape_fast))
register_kernel("StridedSlice")(_ConstInputs(strided_slice, _strided_slice_fast))


# --- N-d gather/scatter, segments, Roll, Unique, ShapeN, DynamicPartition ------------------------

def _nd_positions(idx, shape, what):
    """Flat row positions of the index tuples in `idx` (last axis) into `shape`'s leading
    dims, or TF's error naming the first tuple that does not fit."""
    k = idx.shape[-1]
    # (-1, k) is ambiguous for k == 0 (index tuples of length 0 select the whole tensor)
    tuples = idx.reshape(int(np.prod(idx.shape[:-1], dtype=np.int64)), k).astype(np.int64)
    lead = np.asarray(shape[:k], dtype=np.int64)
    bad = np.nonzero(((tuples < 0) | (tuples >= lead)).any(axis=1))[0]
    if bad.size:
        i = int(bad[0])
        pos = np.unravel_index(i, idx.shape[:-1]) if idx.ndim > 1 else ()
        raise _err(f"indices[{','.join(str(int(p)) for p in pos)}] = "
                   f"[{', '.join(str(int(v)) for v in tuples[i])}] does not index into "
                   f"{what} {_dims(shape)}")
    flat = np.zeros(tuples.shape[0], dtype=np.int64)
    for j in range(k):
        flat = flat * lead[j] + tuples[:, j]
    return flat


@register_kernel("GatherNd")
def gather_nd(params, indices):
    params, idx = np.asarray(params), np.asarray(indices)
    if idx.ndim == 0:
        raise _err("indices must be at least a vector")
    k = idx.shape[-1]
    if k > params.ndim:
        raise _err(f"index innermost dimension length must be <= params rank; saw: {k} vs. "
                   f"{params.ndim}")
    flat = _nd_positions(idx, params.shape, "param shape")
    rows = params.reshape((-1,) + params.shape[k:])
    return rows[flat].reshape(idx.shape[:-1] + params.shape[k:])


def _scatter_into(out, idx, updates, mode):
    k = idx.shape[-1] if idx.ndim else 0
    expect = idx.shape[:-1] + out.shape[k:]
    if np.shape(updates) != expect:
        raise _err(f"Dimensions [0,{idx.ndim - 1}) of indices[shape={_dims(idx.shape)}] = "
                   f"{_dims(idx.shape[:-1])} must match dimensions [0,{idx.ndim - 1}) of "
                   f"updates[shape={_dims(np.shape(updates))}]")
    flat = _nd_positions(idx, out.shape, "shape")
    rows = out.reshape((-1,) + out.shape[k:])
    upd = np.asarray(updates, dtype=out.dtype).reshape((flat.size,) + out.shape[k:])
    if mode == "update":
        rows[flat] = upd
    elif mode == "add":
        np.add.at(rows, flat, upd)
    else:
        np.subtract.at(rows, flat, upd)
    return rows.reshape(out.shape)


@register_kernel("ScatterNd")
def scatter_nd(indices, updates, shape):
    updates = np.asarray(updates)
    out = np.zeros([int(d) for d in np.asarray(shape).reshape(-1)], dtype=updates.dtype)
    return _scatter_into(out, np.asarray(indices), updates, "add")


def _tensor_scatter(mode):
    def kernel(tensor, indices, updates):
        out = np.array(tensor, copy=True)
        return _scatter_into(out, np.asarray(indices), updates, mode)
    return kernel


register_kernel("TensorScatterUpdate")(_tensor_scatter("update"))
register_kernel("TensorScatterAdd")(_tensor_scatter("add"))
register_kernel("TensorScatterSub")(_tensor_scatter("sub"))


def _segment_rows(data, ids):
    if data.shape[:ids.ndim] != ids.shape:
        raise _err(f"data.shape = {_dims(data.shape)} does not start with segment_ids.shape "
                   f"= {_dims(ids.shape)}")
    return data.reshape((ids.size,) + data.shape[ids.ndim:]), ids.reshape(-1)


def _unsorted_segment(ufunc, fill):
    def kernel(data, segment_ids, num_segments):
        data, ids = np.asarray(data), np.asarray(segment_ids)
        n = int(num_segments)
        rows, flat = _segment_rows(data, ids)
        too_big = np.nonzero(flat >= n)[0]
        if too_big.size:
            i = int(too_big[0])
            raise _err(f"segment_ids[{i}] = {int(flat[i])} is out of range [0, {n})")
        out = np.full((n,) + rows.shape[1:], fill(data.dtype), dtype=data.dtype)
        keep = flat >= 0       # negative ids are dropped, as in TF
        ufunc.at(out, flat[keep], rows[keep])
        return out
    return kernel


def _lowest(dt):
    return np.finfo(dt).min if dt.kind == "f" else np.iinfo(dt).min


def _highest(dt):
    return np.finfo(dt).max if dt.kind == "f" else np.iinfo(dt).max


register_kernel("UnsortedSegmentSum")(_unsorted_segment(np.add, lambda dt: 0))
register_kernel("UnsortedSegmentMax")(_unsorted_segment(np.maximum, _lowest))
register_kernel("UnsortedSegmentMin")(_unsorted_segment(np.minimum, _highest))
register_kernel("UnsortedSegmentProd")(_unsorted_segment(np.multiply, lambda dt: 1))


def _sorted_segment(mean, ufunc=np.add, fill=0):
    """SegmentSum/Mean (ufunc add), SegmentMax/Min/Prod: a segment id with no rows gets
    `fill` (TF's 0 for sum, mean, max and min, 1 for prod)."""
    def kernel(data, segment_ids):
        data, ids = np.asarray(data), np.asarray(segment_ids)
        if ids.ndim != 1:
            raise _err("segment_ids should be a vector.")
        if data.ndim == 0 or ids.size != data.shape[0]:
            raise _err("segment_ids should be the same size as dimension 0 of input.")
        if ids.size and (np.any(np.diff(ids) < 0)):
            raise _err("segment ids are not increasing")
        if ids.size and ids[0] < 0:
            raise _err(f"segment ids must be >= 0")
        n = int(ids[-1]) + 1 if ids.size else 0
        if ufunc is np.add:
            out = np.zeros((n,) + data.shape[1:], dtype=data.dtype)
        else:
            start = {np.maximum: _lowest, np.minimum: _highest}.get(ufunc)
            out = np.full((n,) + data.shape[1:], start(data.dtype) if start else fill,
                          dtype=data.dtype)
        ufunc.at(out, ids, data)
        if ufunc is not np.add and ufunc is not np.multiply:
            empty = np.bincount(ids, minlength=n) == 0
            out[empty] = fill
        if mean:
            counts = np.bincount(ids, minlength=n).reshape((n,) + (1,) * (data.ndim - 1))
            out = (out / np.maximum(counts, 1)).astype(data.dtype)
        return out
    return kernel


register_kernel("SegmentSum")(_sorted_segment(False))
register_kernel("SegmentMean")(_sorted_segment(True))
register_kernel("SegmentMax")(_sorted_segment(False, np.maximum, 0))
register_kernel("SegmentMin")(_sorted_segment(False, np.minimum, 0))
register_kernel("SegmentProd")(_sorted_segment(False, np.multiply, 1))


@register_kernel("Roll")
def roll(x, shift, axis):
    x = np.asarray(x)
    shift, axis = np.asarray(shift).reshape(-1), np.asarray(axis).reshape(-1)
    if shift.size != axis.size:
        raise _err("shift and axis must have the same size")
    for a in axis.tolist():
        if not -x.ndim <= a < x.ndim:
            raise _err(f"axis {a} is out of range")
    return np.roll(x, shift.tolist(), axis.tolist())


@register_kernel("Unique")
def unique(x, *, out_idx):
    x = np.asarray(x)
    if x.ndim != 1:
        raise _err("unique expects a 1D vector.")
    _, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    # np.unique sorts; TF keeps the order of first appearance
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return x[np.sort(first)], rank[inverse.reshape(-1)].astype(out_idx.np_dtype)


@register_kernel("ListDiff")
def list_diff(x, y, *, out_idx):
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1:
        raise _err("x should be a 1D vector.")
    if y.ndim != 1:
        raise _err("y should be a 1D vector.")
    if x.dtype == object:           # strings
        drop = set(y.tolist())
        keep = np.array([v not in drop for v in x.tolist()], dtype=bool)
    else:
        keep = ~np.isin(x, y)
    return x[keep], np.nonzero(keep)[0].astype(out_idx.np_dtype)


@register_kernel("ShapeN")
def shape_n(*xs, out_type):
    return tuple(np.array(np.shape(x), dtype=out_type.np_dtype) for x in xs)


@register_kernel("DynamicPartition")
def dynamic_partition(data, partitions, *, num_partitions):
    data, parts = np.asarray(data), np.asarray(partitions)
    if data.shape[:parts.ndim] != parts.shape:
        raise _err(f"data.shape must start with partitions.shape, got data.shape = "
                   f"{_dims(data.shape)}, partitions.shape = {_dims(parts.shape)}")
    flat = parts.reshape(-1)
    bad = np.nonzero((flat < 0) | (flat >= num_partitions))[0]
    if bad.size:
        i = int(bad[0])
        pos = np.unravel_index(i, parts.shape) if parts.ndim else ()
        raise _err(f"partitions[{','.join(str(int(p)) for p in pos)}] = {int(flat[i])} is "
                   f"not in [0, {num_partitions})")
    rows = data.reshape((flat.size,) + data.shape[parts.ndim:])
    return tuple(np.ascontiguousarray(rows[flat == p]) for p in range(num_partitions))


# --- top-k and binary search ----------------------------------------------------------------------

def _bound(side):
    def kernel(sorted_inputs, values, *, out_type):
        s, v = np.asarray(sorted_inputs), np.asarray(values)
        if s.shape[0] != v.shape[0]:
            raise _err("Leading dim_size of both tensors must match.")
        out = np.empty(v.shape, dtype=out_type.np_dtype)
        for i in range(v.shape[0]):
            out[i] = np.searchsorted(s[i], v[i], side=side)
        return out
    return kernel


register_kernel("LowerBound")(_bound("left"))
register_kernel("UpperBound")(_bound("right"))


@register_kernel("IdentityN")
def identity_n(*xs):
    return tuple(xs)


@register_kernel("BroadcastArgs")
def broadcast_args(s0, s1):
    a, b = np.asarray(s0), np.asarray(s1)
    try:
        out = np.broadcast_shapes(tuple(int(d) for d in a), tuple(int(d) for d in b))
    except ValueError:
        raise _err(f"Incompatible shapes: {_dims(a)} vs. {_dims(b)}") from None
    return np.asarray(out, dtype=a.dtype)


@register_kernel("EnsureShape")
def ensure_shape(x, *, shape, op=None):
    x = np.asarray(x)
    want = shape.as_tuple()
    if want is not None and (len(want) != x.ndim or any(
            w is not None and w != d for w, d in zip(want, x.shape))):
        try:        # a graph names the input's op; eagerly TF says "input"
            name = op.inputs[0].op.name
        except (AttributeError, IndexError):
            name = "input"
        raise _err(f"Shape of tensor {name} {_dims(x.shape)} is not compatible with "
                   f"expected shape [{','.join('?' if w is None else str(w) for w in want)}].")
    return x


# --- UniqueWithCounts, UnravelIndex, TensorScatterMax/Min, ReverseSequence ----------------------

@register_kernel("UniqueWithCounts")
def unique_with_counts(x, *, out_idx):
    y, idx = unique(x, out_idx=out_idx)
    count = np.bincount(idx, minlength=y.shape[0]) if idx.size else np.zeros(0, np.int64)
    return y, idx, count.astype(out_idx.np_dtype)


@register_kernel("UnravelIndex")
def unravel_index(indices, dims):
    indices, dims = np.asarray(indices), np.asarray(dims)
    if np.any(dims <= 0):
        raise _err("All dimensions must be positive, but got " + _dims(dims))
    total = int(np.prod(dims.astype(np.int64)))
    if np.any((indices < 0) | (indices >= total)):
        raise _err("index is out of bound as with dims")
    out = np.stack(np.unravel_index(indices.reshape(-1), tuple(int(d) for d in dims)))
    return out.reshape((dims.size,) + indices.shape).astype(indices.dtype)


def _tensor_scatter_extreme(ufunc):
    def kernel(tensor, indices, updates, *, bad_indices_policy=""):
        out = np.array(tensor, copy=True)
        idx = np.asarray(indices)
        k = idx.shape[-1] if idx.ndim else 0
        expect = idx.shape[:-1] + out.shape[k:]
        if np.shape(updates) != expect:
            raise _err(f"Dimensions [0,{idx.ndim - 1}) of indices[shape={_dims(idx.shape)}] = "
                       f"{_dims(idx.shape[:-1])} must match dimensions [0,{idx.ndim - 1}) of "
                       f"updates[shape={_dims(np.shape(updates))}]")
        upd = np.asarray(updates, dtype=out.dtype)
        if bad_indices_policy not in ("", "DEFAULT", "ERROR", "IGNORE"):
            raise _err(f"Unknown bad indices handling attribute: {bad_indices_policy}")
        if bad_indices_policy == "IGNORE" and k:
            # TF drops the updates whose index is out of range instead of failing
            rows_idx = idx.reshape(-1, k)
            ok = np.all((rows_idx >= 0) & (rows_idx < np.asarray(out.shape[:k])), axis=1)
            idx = rows_idx[ok]
            upd = upd.reshape((-1,) + out.shape[k:])[ok]
        flat = _nd_positions(idx, out.shape, "shape")
        rows = out.reshape((-1,) + out.shape[k:])
        ufunc.at(rows, flat, upd.reshape((flat.size,) + out.shape[k:]))
        return rows.reshape(out.shape)
    return kernel


register_kernel("TensorScatterMax")(_tensor_scatter_extreme(np.maximum))
register_kernel("TensorScatterMin")(_tensor_scatter_extreme(np.minimum))


@register_kernel("ReverseSequence")
def reverse_sequence(x, seq_lengths, *, seq_dim, batch_dim):
    x, lens = np.asarray(x), np.asarray(seq_lengths)
    if seq_dim == batch_dim:
        raise _err(f"batch_dim == seq_dim == {seq_dim}")
    if not 0 <= seq_dim < x.ndim:
        raise _err(f"seq_dim must be < input rank( {seq_dim} vs. {x.ndim})")
    if not 0 <= batch_dim < x.ndim:
        raise _err(f"batch_dim must be < input rank( {batch_dim} vs. {x.ndim})")
    if lens.ndim != 1:
        raise _err(f"seq_lengths must be 1-dim, not {lens.ndim}")
    if lens.shape[0] != x.shape[batch_dim]:
        raise _err(f"Length of seq_lengths != input.dims({batch_dim}), "
                   f"({lens.shape[0]} vs. {x.shape[batch_dim]})")
    for i, n in enumerate(lens.tolist()):
        if n < 0:
            raise _err(f"seq_lens({i}) < 0")
        if n > x.shape[seq_dim]:
            raise _err(f"seq_lens({i}) > input.dims({seq_dim})")
    out = np.array(x, copy=True)
    # batch entry i, moved to the front, with its first lens[i] steps along seq_dim flipped
    src = np.moveaxis(x, (batch_dim, seq_dim), (0, 1))
    dst = np.moveaxis(out, (batch_dim, seq_dim), (0, 1))
    for i, n in enumerate(lens.tolist()):
        dst[i, :n] = src[i, :n][::-1]
    return out


# --- ops that gradient functions build (BroadcastGradientArgs, DynamicStitch, ...) ------------

_BGA_CACHE = {}


def _broadcast_gradient_args(s0, s1):
    """Axes of the broadcast result that each input was stretched along (to sum over).

    Runs on every training step of a graph with unknown shapes, on the same few shapes:
    the answers are remembered per (shape, shape) pair."""
    s0, s1 = np.asarray(s0), np.asarray(s1)
    key = (s0.dtype.char, s0.tobytes(), s1.tobytes())
    hit = _BGA_CACHE.get(key)
    if hit is not None:
        return hit
    a = s0.reshape(-1).tolist()
    b = s1.reshape(-1).tolist()
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    r0, r1 = [], []
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            if x == 1:      # both 1: TF reports the axis for both
                r0.append(i)
                r1.append(i)
            continue
        if x == 1:
            r0.append(i)
        elif y == 1:
            r1.append(i)
        else:
            raise errors.InvalidArgumentError(
                None, None, f"Incompatible shapes: [{','.join(map(str, a))}] vs. "
                            f"[{','.join(map(str, b))}]")
    out = (np.array(r0, dtype=s0.dtype), np.array(r1, dtype=s0.dtype))
    for arr in out:
        arr.flags.writeable = False
    if len(_BGA_CACHE) > 4096:
        _BGA_CACHE.clear()
    _BGA_CACHE[key] = out
    return out


register_kernel("BroadcastGradientArgs")(_broadcast_gradient_args)


_STITCH_CACHE = {}


def _dynamic_stitch(*args):
    """merged[indices[m][i]] = data[m][i]: later lists win where indices repeat (as TF).

    Gradients of reductions over unknown shapes stitch the same small shape vectors on
    every step: those results are remembered (keyed by the inputs' bytes)."""
    small = all(isinstance(a, np.ndarray) and a.size <= 16 and a.dtype.kind in "iu"
                for a in args)
    if small:
        key = tuple((a.dtype.char, a.shape, a.tobytes()) for a in args)
        hit = _STITCH_CACHE.get(key)
        if hit is not None:
            return hit
        out = _dynamic_stitch_impl(*args)
        out.flags.writeable = False
        if len(_STITCH_CACHE) > 4096:
            _STITCH_CACHE.clear()
        _STITCH_CACHE[key] = out
        return out
    return _dynamic_stitch_impl(*args)


def _dynamic_stitch_impl(*args):
    n = len(args) // 2
    indices, data = args[:n], args[n:]
    idx = [np.asarray(i) for i in indices]
    dat = [np.asarray(d) for d in data]
    size = max((int(i.max()) + 1 for i in idx if i.size), default=0)
    first = next((d for i, d in zip(idx, dat) if i.size), dat[0])
    i0 = next((i for i in idx if i.size), idx[0])
    inner = first.shape[i0.ndim:]
    out = np.zeros((size,) + tuple(inner), dtype=first.dtype)
    seen = np.zeros(size, dtype=bool)
    for i, d in zip(idx, dat):
        if d.shape[:i.ndim] != i.shape:
            raise errors.InvalidArgumentError(
                None, None, f"data[m].shape = {list(d.shape)} does not start with "
                            f"indices[m].shape = {list(i.shape)}")
        flat_i = i.reshape(-1)
        out[flat_i] = d.reshape((flat_i.size,) + tuple(inner))
        seen[flat_i] = True
    return out


register_kernel("DynamicStitch")(_dynamic_stitch)


def _strided_slice_grad(shape, begin, end, strides, dy, *, begin_mask, end_mask,
                        ellipsis_mask, new_axis_mask, shrink_axis_mask):
    """Zeros of the forward input's shape with `dy` written where the slice read from."""
    from ..shapes import strided_slice_plan
    dims = [int(d) for d in np.asarray(shape).reshape(-1)]
    ints = [[int(v) for v in np.asarray(a).reshape(-1)] for a in (begin, end, strides)]
    index, _ = strided_slice_plan(dims, *ints, begin_mask, end_mask, ellipsis_mask,
                                  new_axis_mask, shrink_axis_mask)
    dy = np.asarray(dy)
    out = np.zeros(dims, dtype=dy.dtype)
    out[index] = dy
    return out


def _invert_permutation(x):
    x = np.asarray(x)
    flat = x.reshape(-1)
    if sorted(flat.tolist()) != list(range(flat.size)):
        raise errors.InvalidArgumentError(None, None, f"{flat.tolist()} is not a permutation")
    out = np.empty_like(flat)
    out[flat] = np.arange(flat.size, dtype=x.dtype)
    return out


def _concat_offset(concat_dim, *shapes):
    shapes = [np.asarray(s) for s in shapes]
    axis = int(concat_dim) % max(len(shapes[0]), 1)
    out, off = [], 0
    for s in shapes:
        o = np.zeros(len(s), dtype=np.int32)
        o[axis] = off
        off += int(s[axis])
        out.append(o)
    return tuple(out) if len(out) > 1 else out[0]


for _t, _fn in (("StridedSliceGrad", _strided_slice_grad),
                ("InvertPermutation", _invert_permutation),
                ("ConcatOffset", _concat_offset)):
    register_kernel(_t)(_fn)


def _mirror_pad_grad(grad, paddings, *, mode):
    """Folds the mirrored borders back onto the values they copied."""
    if isinstance(mode, bytes):
        mode = mode.decode()
    g = np.asarray(grad)
    pads = np.asarray(paddings).reshape(-1, 2)
    for ax, (a, b) in enumerate(pads.tolist()):
        n = g.shape[ax] - a - b
        core = np.take(g, np.arange(a, a + n), axis=ax).copy()
        if mode == "SYMMETRIC":
            left_src, right_src = a - 1 - np.arange(a), n - 1 - np.arange(b)
        else:
            left_src, right_src = a - np.arange(a), n - 2 - np.arange(b)
        core = np.moveaxis(core, ax, 0)
        left = np.moveaxis(np.take(g, np.arange(0, a), axis=ax), ax, 0)
        right = np.moveaxis(np.take(g, np.arange(a + n, a + n + b), axis=ax), ax, 0)
        np.add.at(core, left_src, left)
        np.add.at(core, right_src, right)
        g = np.moveaxis(core, 0, ax)
    return np.ascontiguousarray(g)


register_kernel("MirrorPadGrad")(_mirror_pad_grad)


# --- space <-> batch ---------------------------------------------------------------------------

def _block_args(x, block_shape, pads, what):
    block = [int(b) for b in np.asarray(block_shape).reshape(-1)]
    pads = np.asarray(pads).reshape(-1, 2).astype(np.int64)
    for i, b in enumerate(block):
        if b < 1:
            raise _err(f"All values in block_shape must be positive, got value, {b} at "
                       f"index {i}.")
    if (pads < 0).any():
        raise _err(f"{what} must be non-negative")
    if x.ndim < 1 + len(block):
        raise _err(f"input rank should be >= {1 + len(block)} instead of {x.ndim}")
    return block, pads


@register_kernel("SpaceToBatchND")
def space_to_batch_nd(x, block_shape, paddings):
    x = np.asarray(x)
    block, pads = _block_args(x, block_shape, paddings, "Paddings")
    m = len(block)
    padded = np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)] * (x.ndim - 1 - m))
    for i, b in enumerate(block):
        if padded.shape[i + 1] % b:
            raise _err(f"padded_shape[{i}]={padded.shape[i + 1]} is not divisible by "
                       f"block_shape[{i}]={b}")
    batch, rest = padded.shape[0], padded.shape[1 + m:]
    # [batch, s1/b1, b1, ..., sM/bM, bM, rest] -> [b1, ..., bM, batch, s1/b1, ..., rest]
    split = [batch]
    for i, b in enumerate(block):
        split += [padded.shape[i + 1] // b, b]
    y = padded.reshape(split + list(rest))
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, y.ndim))
    y = y.transpose(perm)
    return np.ascontiguousarray(y).reshape(
        [batch * int(np.prod(block))] + [padded.shape[i + 1] // b for i, b in enumerate(block)]
        + list(rest))


@register_kernel("BatchToSpaceND")
def batch_to_space_nd(x, block_shape, crops):
    x = np.asarray(x)
    block, crops = _block_args(x, block_shape, crops, "Crops")
    m = len(block)
    prod = int(np.prod(block))
    if x.shape[0] % prod:
        raise _err(f"Input batch dimension ({x.shape[0]}) is not divisible by product of "
                   f"block sizes ({prod})")
    batch, spatial, rest = x.shape[0] // prod, list(x.shape[1:1 + m]), list(x.shape[1 + m:])
    for i, b in enumerate(block):
        cropped = spatial[i] * b - crops[i][0] - crops[i][1]
        if cropped < 0:
            raise _err(f"cropped_shape[{i}]={cropped} must be non-negative")
    # [b1, ..., bM, batch, s1, ..., sM, rest] -> [batch, s1, b1, ..., sM, bM, rest]
    y = x.reshape(block + [batch] + spatial + rest)
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, y.ndim))
    y = np.ascontiguousarray(y.transpose(perm)).reshape(
        [batch] + [s * b for s, b in zip(spatial, block)] + rest)
    index = (slice(None),) + tuple(slice(int(c[0]), y.shape[i + 1] - int(c[1]))
                                   for i, c in enumerate(crops))
    return np.ascontiguousarray(y[index])


# --- reinterpreting bytes ----------------------------------------------------------------------

@register_kernel("Bitcast")
def bitcast(x, *, T, type):  # noqa: A002 - TF's attr names
    from ...framework import dtypes as _dt
    dst = _dt.as_dtype(type)
    if _dt.bfloat16 in (dst.base_dtype, _dt.as_dtype(T).base_dtype):
        raise NotImplementedError("tfteach stores bfloat16 as float32, so it cannot bitcast "
                                  "to or from bfloat16")
    x = np.ascontiguousarray(x)
    src_size, dst_size = x.dtype.itemsize, np.dtype(dst.np_dtype).itemsize
    if src_size < dst_size:
        ratio = dst_size // src_size
        if x.ndim == 0 or x.shape[-1] != ratio:
            raise _err(f"Cannot bitcast from {_dt.as_dtype(T).as_datatype_enum} to "
                       f"{dst.as_datatype_enum}")
        return x.view(dst.np_dtype).reshape(x.shape[:-1])
    if src_size > dst_size:
        return x.view(dst.np_dtype).reshape(x.shape + (src_size // dst_size,))
    return x.view(dst.np_dtype)


@register_kernel("GuaranteeConst")
def guarantee_const(x):
    return x
