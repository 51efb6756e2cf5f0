"""GPU kernels of the logging family: Assert as a host-memory kernel. TF's GPU registration
keeps `condition` and `data` in host memory, so an Assert placed on a GPU runs its CPU code
on host values (`_dev.register_host`): the check never needs device memory.

CheckNumerics checks on the device, as TF's GPU kernel does: one pass sets two flags (a NaN
seen, an Inf seen) and only those two words travel to the host; the tensor passes through."""
import numpy as np

from ..cpu.logging import check_numerics_error
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
                    out[1] = 1
        k = _KERNELS["check"] = flags
    return k


@register("CheckNumerics", dtypes=("float16", "float32", "float64"))
def check_numerics(tensor, *, message):
    x = _dev.dev(tensor)
    n = _dev.size_of(x.shape)
    if n:
        seen = _dev.to_device(np.zeros(2, np.int32))
        _flags_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(_dev.contiguous(x)), seen)
        has_nan, has_inf = (bool(v) for v in seen.copy_to_host())
        if has_nan or has_inf:
            raise check_numerics_error(message, has_nan, has_inf)
    return x
