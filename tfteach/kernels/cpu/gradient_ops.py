"""CPU kernels of the helper ops that only gradient functions create.

`SqrtGrad(y, dy)` and friends take the forward op's *output* y, so the derivative costs
no transcendental function at all (d sqrt(x) = dy / (2 y), d tanh(x) = dy (1 - y^2), ...).
"""
import numpy as np

from ... import errors
from ...framework import registry
from ...framework.registry import register_kernel
from ...ops import array_grad, math_grad  # noqa: F401  (declare the helper ops)
from ._build import FLOATS, Elementwise


def _sqrt_grad(y, dy): return dy * 0.5 / y
def _rsqrt_grad(y, dy): return dy * -0.5 * y * y * y
def _tanh_grad(y, dy): return dy * (1 - y * y)
def _sigmoid_grad(y, dy): return dy * y * (1 - y)
def _reciprocal_grad(y, dy): return -dy * y * y


for _t, _f in (("SqrtGrad", _sqrt_grad), ("RsqrtGrad", _rsqrt_grad), ("TanhGrad", _tanh_grad),
               ("SigmoidGrad", _sigmoid_grad), ("ReciprocalGrad", _reciprocal_grad)):
    if registry.get(_t).kernels.get("CPU") is None:
        register_kernel(_t)(Elementwise(_t, _f, FLOATS, 2))


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


if registry.get("BroadcastGradientArgs").kernels.get("CPU") is None:
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


if registry.get("DynamicStitch").kernels.get("CPU") is None:
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
    if registry.get(_t).kernels.get("CPU") is None:
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


if registry.get("MirrorPadGrad").kernels.get("CPU") is None:
    register_kernel("MirrorPadGrad")(_mirror_pad_grad)
