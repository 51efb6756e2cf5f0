"""GPU kernels of the linalg family: MatMul and BatchMatMulV2, on the toolkit's GEMM
(kernels/cuda/gemm.py); Diag, DiagPart and MatrixBandPart as index maps (each output element
is an input element or zero: the array family's gather, kernels/cuda/array.py)."""
import numpy as np

from ... import errors
from . import _dev
from ._dev import register
from .gemm import matmul, matmul_tiled


def _check_2d(a, b, ta, tb):
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] has different ndims: {list(a.shape)} vs. "
                        f"{list(b.shape)}" if len(a.shape) != len(b.shape) else
            f"In[0] is not a matrix. Instead it has shape {list(a.shape)}")
    k_a = a.shape[0] if ta else a.shape[1]
    k_b = b.shape[1] if tb else b.shape[0]
    if k_a != k_b:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: "
                        f"{list(b.shape)}")


@register("MatMul", dtypes=_dev.FLOATS)
def mat_mul(a, b, *, transpose_a, transpose_b):
    a, b = _dev.dev(a), _dev.dev(b)
    _check_2d(a, b, transpose_a, transpose_b)
    return matmul(a, b, transpose_a, transpose_b)


@register("BatchMatMulV2", dtypes=_dev.FLOATS)
def batch_mat_mul_v2(x, y, *, adj_x, adj_y):
    x = _dev.contiguous(_dev.dev(x))
    y = _dev.contiguous(_dev.dev(y))
    xs, ys = tuple(x.shape), tuple(y.shape)
    if len(xs) < 2 or len(ys) < 2:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] ndims must be >= 2: {len(xs)} vs. {len(ys)}")
    kx = xs[-2] if adj_x else xs[-1]
    ky = ys[-1] if adj_y else ys[-2]
    if kx != ky:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: {list(xs)}, In[1]: {list(ys)}")
    try:
        bshape = tuple(np.broadcast_shapes(xs[:-2], ys[:-2]))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have compatible batch dimensions: "
                        f"{list(xs)} vs. {list(ys)}") from None
    if not bshape and not adj_x and not adj_y and len(xs) == 2 and len(ys) == 2:
        return matmul(x, y)

    def batch_strides(shape):
        full = (1,) * (len(bshape) - len(shape[:-2])) + tuple(shape[:-2])
        st = _dev.c_strides(full + tuple(shape[-2:]))[:len(bshape)]
        return tuple(0 if full[d] == 1 else st[d] for d in range(len(bshape))) or (0,)
    return matmul_tiled(x, y, adj_x, adj_y, bshape, batch_strides(xs), batch_strides(ys))


def _map_kernel(op_type):
    from .array import index_maps, run_map

    def kernel(x, *args):
        x = _dev.contiguous(_dev.dev(x))
        args = tuple(_dev.to_host(a) for a in args)
        ((m, shape),) = index_maps(op_type, x.shape, args, {})
        return run_map(x, m, shape)
    kernel.__name__ = op_type.lower()
    return kernel


_MAP_TYPES = ("float32", "float64", "int32", "int64", "float16", "boolean")
register("Diag", dtypes=_MAP_TYPES)(_map_kernel("Diag"))
register("DiagPart", dtypes=_MAP_TYPES)(_map_kernel("DiagPart"))
register("MatrixBandPart", dtypes=_MAP_TYPES, host_memory=("num_lower", "num_upper"))(
    _map_kernel("MatrixBandPart"))
