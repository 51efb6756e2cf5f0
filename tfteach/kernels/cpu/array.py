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
