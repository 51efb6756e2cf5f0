"""CPU kernels of the helper ops that only gradient functions create.

`SqrtGrad(y, dy)` and friends take the forward op's *output* y, so the derivative costs
no transcendental function at all (d sqrt(x) = dy / (2 y), d tanh(x) = dy (1 - y^2), ...).
"""
import numpy as np

from ... import errors
from ...framework import registry
from ...framework.registry import register_kernel
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


def _broadcast_gradient_args(s0, s1):
    """Axes of the broadcast result that each input was stretched along (to sum over)."""
    a = [int(d) for d in np.asarray(s0).reshape(-1)]
    b = [int(d) for d in np.asarray(s1).reshape(-1)]
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
    dt = np.asarray(s0).dtype
    return np.array(r0, dtype=dt), np.array(r1, dtype=dt)


if registry.get("BroadcastGradientArgs").kernels.get("CPU") is None:
    register_kernel("BroadcastGradientArgs")(_broadcast_gradient_args)


def _dynamic_stitch(*args):
    """merged[indices[m][i]] = data[m][i]: later lists win where indices repeat (as TF)."""
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
