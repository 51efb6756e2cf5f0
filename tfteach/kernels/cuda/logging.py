"""GPU kernels of the logging family: Assert as a host-memory kernel. TF's GPU registration
keeps `condition` and `data` in host memory, so an Assert placed on a GPU runs its CPU code
on host values (`_dev.register_host`): the check never needs device memory.

CheckNumerics and CheckNumericsV2 check on the device, as TF's GPU kernels do: one pass sets
three flags (a NaN, a +Inf, a -Inf seen) and only those words travel to the host; the
tensor passes through."""
import numpy as np

from ..cpu.logging import check_numerics_error, check_numerics_v2_error
from . import _dev
from ._dev import cuda, register

_dev.register_host("Assert")

_KERNELS = {}


def _flags_kernel():
    k = _KERNELS.get("check")
    if k is None:
        @cuda.jit
        def flags(x, out):
            i = cuda.grid(1)
            if i < x.shape[0]:
                v = x[i]
                if v != v:
                    out[0] = 1
                elif v - v != v - v:        # an infinity: inf - inf is NaN
                    if v > 0:
                        out[1] = 1
                    else:
                        out[2] = 1
        k = _KERNELS["check"] = flags
    return k


@register("CheckNumerics", dtypes=("float16", "float32", "float64"))
def check_numerics(tensor, *, message):
    x = _dev.dev(tensor)
    n = _dev.size_of(x.shape)
    if n:
        has_nan, pos_inf, neg_inf = _flags(x, n)
        if has_nan or pos_inf or neg_inf:
            raise check_numerics_error(message, has_nan, pos_inf or neg_inf)
    return x


def _flags(x, n):
    """(NaN seen, +Inf seen, -Inf seen): three words back from the device."""
    seen = _dev.to_device(np.zeros(3, np.int32))
    _flags_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(_dev.contiguous(x)), seen)
    return tuple(bool(v) for v in seen.copy_to_host())


@register("CheckNumericsV2", dtypes=("float16", "float32", "float64"))
def check_numerics_v2(tensor, *, message):
    x = _dev.dev(tensor)
    n = _dev.size_of(x.shape)
    if n:
        has_nan, pos_inf, neg_inf = _flags(x, n)
        if has_nan or pos_inf or neg_inf:
            raise check_numerics_v2_error(message, neg_inf, pos_inf, has_nan)
    return x
