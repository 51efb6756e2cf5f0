"""GPU kernels of the sparse family: SparseToDense and SparseTensorDenseMatMul.

The indices are data on the device. Each kernel checks them there (a flag per launch) and
only on a bad index copies them to the host, where the CPU kernel raises its (TF's) error
with the message naming the offending entry.
"""
import numpy as np

from ...framework import registry
from . import _dev
from ._dev import cuda, register

_KERNELS = {}


def _cpu(op_type):
    return registry.get(op_type).kernel_for("CPU")


def _host(*xs):
    return [np.asarray(_dev.to_host(_dev.dev(x))) if x is not None else None for x in xs]


def _kernels():
    ks = _KERNELS.get("sparse")
    if ks is None:
        @cuda.jit(device=True)
        def linear(idx, i, rank, shape):
            pos = 0
            for d in range(rank):
                v = idx[i * rank + d]
                if v < 0 or v >= shape[d]:
                    return -1
                pos = pos * shape[d] + v
            return pos

        @cuda.jit
        def to_dense(idx, n, rank, shape, values, scalar, out, validate, bad):
            i = cuda.grid(1)
            if i < n:
                p = linear(idx, i, rank, shape)
                if p < 0:
                    bad[0] = 1
                    return
                if validate and i > 0:
                    q = linear(idx, i - 1, rank, shape)
                    if q >= p:                  # repeated or out of order
                        bad[0] = 1
                out[p] = values[0] if scalar else values[i]

        @cuda.jit
        def fill(out, v):
            i = cuda.grid(1)
            if i < out.shape[0]:
                out[i] = v[0]

        # a thread per (non-zero, column of B); rows of A shared by several non-zeros add up
        @cuda.jit
        def spmm(idx, vals, b, out, nnz, n_cols, rows, inner, adj_a, adj_b, bad):
            e = cuda.grid(1)
            if e < nnz * n_cols:
                k, j = e // n_cols, e % n_cols
                r, c = idx[2 * k], idx[2 * k + 1]
                if adj_a:
                    r, c = c, r
                if r < 0 or r >= rows or c < 0 or c >= inner:
                    bad[0] = 1
                    return
                bv = b[j * inner + c] if adj_b else b[c * n_cols + j]
                cuda.atomic.add(out, r * n_cols + j, vals[k] * bv)
        ks = _KERNELS["sparse"] = (to_dense, fill, spmm)
    return ks


@register("SparseToDense", dtypes=("float32", "float64", "int32", "int64"),
          host_memory=("output_shape", "default_value"))
def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value, *,
                    validate_indices):
    shape = _dev.host_int_list(output_shape)
    idx = _dev.contiguous(_dev.dev(sparse_indices))
    values = _dev.contiguous(_dev.dev(sparse_values))
    ishape = tuple(idx.shape)
    if len(ishape) == 2:
        n, rank = ishape
    elif len(ishape) == 1:
        n, rank = (ishape[0], 1) if len(shape) == 1 else (1, ishape[0])
    else:
        n, rank = 1, 1
    dv = np.asarray(_dev.to_host(default_value))
    if tuple(values.shape) not in ((), (n,)) or dv.ndim or rank != len(shape) or \
            any(d < 0 for d in shape):
        # shape errors: the CPU kernel's checks and messages (no index data involved)
        _cpu("SparseToDense")(*_host(sparse_indices, output_shape, sparse_values),
                              dv, validate_indices=validate_indices)
    out = _dev.empty(tuple(shape), values.dtype)
    total = _dev.size_of(shape)
    to_dense, fill, _ = _kernels()
    if total:
        fill[_dev.blocks_for(total), _dev.TPB](_dev.flat(out),
                                               _dev.to_device(dv.astype(values.dtype)
                                                              .reshape(1)))
    if n:
        bad = _dev.to_device(np.zeros(1, np.int32))
        to_dense[_dev.blocks_for(n), _dev.TPB](
            _dev.flat(idx), n, rank, _dev.to_device(np.array(shape or [1], np.int64)),
            _dev.flat(values), not values.shape, _dev.flat(out), bool(validate_indices), bad)
        if bad.copy_to_host()[0]:
            _cpu("SparseToDense")(*_host(sparse_indices, output_shape, sparse_values), dv,
                                  validate_indices=validate_indices)
    return out


@register("SparseTensorDenseMatMul", dtypes=("float32", "float64"), host_memory=("a_shape",))
def sparse_tensor_dense_mat_mul(a_indices, a_values, a_shape, b, *, adjoint_a, adjoint_b):
    rows, cols = _dev.host_int_list(a_shape)[:2]
    idx = _dev.contiguous(_dev.dev(a_indices))
    vals = _dev.contiguous(_dev.dev(a_values))
    bd = _dev.contiguous(_dev.dev(b))
    if adjoint_a:
        rows, cols = cols, rows
    b_rows, b_cols = (bd.shape[1], bd.shape[0]) if adjoint_b else tuple(bd.shape)
    if b_rows != cols:
        _cpu("SparseTensorDenseMatMul")(*_host(a_indices, a_values, a_shape, b),
                                        adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    dt = np.result_type(vals.dtype, bd.dtype)
    out = _dev.empty((rows, int(b_cols)), dt)
    if rows * int(b_cols):
        _kernels()[1][_dev.blocks_for(rows * int(b_cols)), _dev.TPB](
            _dev.flat(out), _dev.to_device(np.zeros(1, dt)))
    nnz = int(idx.shape[0]) if idx.shape else 0
    if nnz and b_cols:
        bad = _dev.to_device(np.zeros(1, np.int32))
        _kernels()[2][_dev.blocks_for(nnz * int(b_cols)), _dev.TPB](
            _dev.flat(idx), _dev.flat(vals), _dev.flat(bd), _dev.flat(out), nnz, int(b_cols),
            rows, cols, bool(adjoint_a), bool(adjoint_b), bad)
        if bad.copy_to_host()[0]:
            _cpu("SparseTensorDenseMatMul")(*_host(a_indices, a_values, a_shape, b),
                                            adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    return out


# --- SparseReorder: a stable merge sort of the entry numbers by their index rows ------------
# Each pass merges runs of `width` entries: an entry's place in the merged run is its place
# in its own run plus the number of entries of the other run that go before it, found by a
# binary search (ties go to the left run: stable). log2(n) launches of a thread per entry;
# the rows compare lexicographically, so indices outside the shape sort too, as in TF.
def _reorder_kernels():
    ks = _KERNELS.get("reorder")
    if ks is None:
        @cuda.jit(device=True)
        def less(idx, a, b, rank):
            for d in range(rank):
                x = idx[a * rank + d]
                y = idx[b * rank + d]
                if x != y:
                    return x < y
            return False

        @cuda.jit
        def merge(idx, src, dst, n, width, rank):
            i = cuda.grid(1)
            if i < n:
                lo_run = (i // (2 * width)) * 2 * width
                mid = min(lo_run + width, n)
                end = min(lo_run + 2 * width, n)
                key = src[i]
                if i < mid:             # left run: right entries strictly before it
                    lo, hi = mid, end
                    while lo < hi:
                        m = (lo + hi) // 2
                        if less(idx, src[m], key, rank):
                            lo = m + 1
                        else:
                            hi = m
                    dst[i + (lo - mid)] = key
                else:                   # right run: left entries not after it
                    lo, hi = lo_run, mid
                    while lo < hi:
                        m = (lo + hi) // 2
                        if not less(idx, key, src[m], rank):
                            lo = m + 1
                        else:
                            hi = m
                    dst[(i - mid) + lo] = key

        @cuda.jit
        def gather(idx, vals, order, out_idx, out_vals, n, rank):
            i = cuda.grid(1)
            if i < n:
                j = order[i]
                for d in range(rank):
                    out_idx[i * rank + d] = idx[j * rank + d]
                out_vals[i] = vals[j]
        ks = _KERNELS["reorder"] = (merge, gather)
    return ks


_REORDER_TYPES = ("boolean", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
                  "uint8", "uint16", "uint32", "uint64")


@register("SparseReorder", dtypes=_REORDER_TYPES)
def sparse_reorder(input_indices, input_values, input_shape):
    idx = _dev.contiguous(_dev.dev(input_indices))
    vals = _dev.contiguous(_dev.dev(input_values))
    ishape = tuple(idx.shape)
    if len(ishape) != 2 or tuple(vals.shape) != ishape[:1] or not ishape[0] or not ishape[1]:
        # malformed or empty: the CPU kernel's checks and results
        out = _cpu("SparseReorder")(*_host(input_indices, input_values, input_shape))
        return tuple(_dev.to_device(np.asarray(o)) for o in out)
    n, rank = ishape
    merge, gather = _reorder_kernels()
    src = _dev.to_device(np.arange(n, dtype=np.int64))
    dst = _dev.empty((n,), np.int64)
    width = 1
    while width < n:
        merge[_dev.blocks_for(n), _dev.TPB](_dev.flat(idx), src, dst, n, width, rank)
        src, dst = dst, src
        width *= 2
    out_idx = _dev.empty((n, rank), np.int64)
    out_vals = _dev.empty((n,), vals.dtype)
    gather[_dev.blocks_for(n), _dev.TPB](_dev.flat(idx), vals, src, _dev.flat(out_idx),
                                         out_vals, n, rank)
    return out_idx, out_vals
