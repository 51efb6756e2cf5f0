"""GPU kernels of the linalg family: MatMul and BatchMatMulV2, on the toolkit's GEMM
(kernels/cuda/gemm.py); Diag, DiagPart and MatrixBandPart as index maps (each output element
is an input element or zero: the array family's gather, kernels/cuda/array.py)."""
import numpy as np

from ... import errors
from ...framework import registry
from . import _dev
from ._dev import cuda, register
from .gemm import matmul, matmul_tiled

_KERNELS = {}


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


# --- MatrixDiagPartV3 / MatrixDiagV3 / MatrixSetDiagV3: index maps with a fill, two sources ----
# The CPU kernel run on element ids (its padding value 0 = "no element", so the map does
# not depend on the padding value) gives each output element's source; the padding value
# is the gather's fill. MatrixSetDiagV3 has two data inputs: the ids of `diagonal` follow
# those of `input`, and the gather reads whichever the id falls in.
_V3_TYPES = ("float32", "float64", "float16", "boolean")     # TF's GPU list has no ints


def _v3_map(op_type, data_shapes, args, attrs):
    from .array import _MAPS, _key_part, _upload_map
    key = (op_type + ":v3", tuple(data_shapes), _key_part(args), _key_part(sorted(
        attrs.items())))
    hit = _MAPS.get(key)
    if hit is None:
        ids, start = [], 1
        for s in data_shapes:
            n = _dev.size_of(s)
            ids.append(np.arange(start, start + n, dtype=np.int64).reshape(s))
            start += n
        res = np.asarray(registry.get(op_type).kernel_for("CPU")(*ids, *args, **attrs))
        hit = _MAPS[key] = (_upload_map(res - 1), tuple(res.shape))
    return hit


@register("MatrixDiagPartV3", dtypes=_V3_TYPES, host_memory=("k", "padding_value"))
def matrix_diag_part_v3(input, k, padding_value, *, align):
    from .array import run_map
    x = _dev.contiguous(_dev.dev(input))
    m, shape = _v3_map("MatrixDiagPartV3", [tuple(x.shape)],
                       (np.asarray(_dev.to_host(k)), np.int64(0)), {"align": align})
    return run_map(x, m, shape, np.asarray(_dev.to_host(padding_value)).item())


@register("MatrixDiagV3", dtypes=_V3_TYPES,
          host_memory=("k", "num_rows", "num_cols", "padding_value"))
def matrix_diag_v3(diagonal, k, num_rows, num_cols, padding_value, *, align):
    from .array import run_map
    d = _dev.contiguous(_dev.dev(diagonal))
    args = tuple(np.asarray(_dev.to_host(a)) for a in (k, num_rows, num_cols)) + (np.int64(0),)
    m, shape = _v3_map("MatrixDiagV3", [tuple(d.shape)], args, {"align": align})
    return run_map(d, m, shape, np.asarray(_dev.to_host(padding_value)).item())


def _two_source_kernel():
    k = _KERNELS.get("two")
    if k is None:
        @cuda.jit
        def gather2(a, b, idx, out):
            i = cuda.grid(1)
            if i < out.shape[0]:
                j = idx[i]
                if j < a.shape[0]:
                    out[i] = a[j]
                else:
                    out[i] = b[j - a.shape[0]]
        k = _KERNELS["two"] = gather2
    return k


@register("MatrixSetDiagV3", dtypes=_V3_TYPES, host_memory=("k",))
def matrix_set_diag_v3(input, diagonal, k, *, align):
    x = _dev.contiguous(_dev.dev(input))
    d = _dev.contiguous(_dev.dev(diagonal))
    m, shape = _v3_map("MatrixSetDiagV3", [tuple(x.shape), tuple(d.shape)],
                       (np.asarray(_dev.to_host(k)),), {"align": align})
    out = _dev.empty(shape, x.dtype)
    n = _dev.size_of(shape)
    if n:
        _two_source_kernel()[_dev.blocks_for(n), _dev.TPB](
            _dev.flat(x), _dev.flat(d) if _dev.size_of(d.shape) else _dev.flat(x),
            _dev.flat(m), _dev.flat(out))
    return out
