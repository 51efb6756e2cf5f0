"""CPU kernels of the sparse ops (`ops/sparse_ops.py`): NumPy over the entry lists.

Entries are (index row, value) pairs; "in order" means row-major (lexicographic) order of
the index rows, which SparseToDense checks and SparseAdd's merge assumes, as TF's kernels do.
"""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel


def _invalid(msg):
    return errors.InvalidArgumentError(None, None, msg)


def _idx_text(row):
    return "[" + ",".join(str(int(v)) for v in row) + "]"


def _linear(indices, shape):
    """Row-major positions of the index rows (for ordering and lookups)."""
    if indices.shape[0] == 0:
        return np.zeros(0, np.int64)
    return np.ravel_multi_index(tuple(indices.T), tuple(int(d) for d in shape))


@register_kernel("SparseToDense")
def sparse_to_dense(indices, output_shape, values, default_value, *, validate_indices):
    shape = [int(d) for d in np.reshape(output_shape, -1)]
    idx = np.asarray(indices).astype(np.int64)
    if idx.ndim == 1:
        idx = idx[:, None] if len(shape) == 1 else idx[None, :]
    if idx.ndim == 0:
        idx = idx.reshape(1, 1)
    values = np.asarray(values)
    n = idx.shape[0]
    if values.ndim and values.shape[0] != n:
        raise _invalid(f"sparse_values has incorrect shape {list(values.shape)}, should be "
                       f"[] or [{n}]")
    if np.ndim(default_value):
        raise _invalid("default_value should be a scalar.")
    for i in range(n):
        row = idx[i]
        if np.any(row < 0) or np.any(row >= shape):
            raise _invalid(f"indices[{i}] = {_idx_text(row)} is out of bounds: need 0 <= "
                           f"index < {_idx_text(shape)}")
    if validate_indices and n > 1:
        lin = _linear(idx, shape)
        bad = np.nonzero(np.diff(lin) <= 0)[0]
        if bad.size:
            i = int(bad[0]) + 1
            if lin[i] == lin[i - 1]:
                raise _invalid(f"indices[{i}] = {_idx_text(idx[i])} is repeated")
            raise _invalid(f"indices[{i}] = {_idx_text(idx[i])} is out of order. Many sparse "
                           f"ops require sorted indices.\n    Use `tf.sparse.reorder` to "
                           f"create a correctly ordered copy.\n\n")
    out = np.full(shape, default_value, dtype=values.dtype)
    if n:
        out[tuple(idx.T)] = values
    return out


def _lex_less(a, b):
    for x, y in zip(a, b):
        if x != y:
            return x < y
    return False


@register_kernel("SparseAdd")
def sparse_add(a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh):
    a_shape, b_shape = np.asarray(a_shape), np.asarray(b_shape)
    if a_shape.shape != b_shape.shape or np.any(a_shape != b_shape):
        raise _invalid(f"Operands do not have the same ranks; got shapes: "
                       f"{_idx_text(a_shape)} and {_idx_text(b_shape)}")
    ai, bi = np.asarray(a_indices), np.asarray(b_indices)
    av, bv = np.asarray(a_values), np.asarray(b_values)
    # TF's merge: both lists are walked once, assuming each is in row-major order
    out_idx, out_val = [], []
    i = j = 0
    while i < len(ai) and j < len(bi):
        ra, rb = tuple(ai[i]), tuple(bi[j])
        if _lex_less(ra, rb):
            out_idx.append(ai[i]); out_val.append(av[i]); i += 1
        elif _lex_less(rb, ra):
            out_idx.append(bi[j]); out_val.append(bv[j]); j += 1
        else:
            s = av[i] + bv[j]
            if np.abs(s) >= thresh:
                out_idx.append(ai[i]); out_val.append(s)
            i += 1; j += 1
    for k in range(i, len(ai)):
        out_idx.append(ai[k]); out_val.append(av[k])
    for k in range(j, len(bi)):
        out_idx.append(bi[k]); out_val.append(bv[k])
    rank = a_shape.shape[0]
    idx = np.array(out_idx, dtype=np.int64).reshape(-1, rank)
    vals = np.array(out_val, dtype=av.dtype).reshape(-1)
    return idx, vals, a_shape.astype(np.int64)


@register_kernel("SparseAddGrad")
def sparse_add_grad(grad, a_indices, b_indices, sum_indices):
    grad = np.asarray(grad)
    where = {tuple(r): k for k, r in enumerate(np.asarray(sum_indices).tolist())}

    def share(indices):
        out = np.zeros(len(indices), dtype=grad.dtype)
        for k, r in enumerate(np.asarray(indices).tolist()):
            pos = where.get(tuple(r))
            if pos is not None:
                out[k] = grad[pos]
        return out
    return share(a_indices), share(b_indices)


@register_kernel("SparseTensorDenseAdd")
def sparse_tensor_dense_add(a_indices, a_values, a_shape, b):
    b = np.asarray(b)
    shape = np.asarray(a_shape).reshape(-1)
    if tuple(int(d) for d in shape) != b.shape:
        raise _invalid(f"Dimension mismatch: sparse shape {_idx_text(shape)} vs. dense "
                       f"{list(b.shape)}")
    out = np.array(b, copy=True)
    idx = np.asarray(a_indices).astype(np.int64)
    if idx.shape[0]:
        np.add.at(out, tuple(idx.T), np.asarray(a_values))
    return out


@register_kernel("SparseTensorDenseMatMul")
def sparse_tensor_dense_matmul(a_indices, a_values, a_shape, b, *, adjoint_a, adjoint_b):
    idx = np.asarray(a_indices).astype(np.int64)
    vals = np.asarray(a_values)
    rows, cols = (int(a_shape[0]), int(a_shape[1]))
    b = np.asarray(b)
    if adjoint_b:
        b = np.conj(b.T)
    r, c = idx[:, 0], idx[:, 1]
    if adjoint_a:
        vals = np.conj(vals)
        r, c = c, r
        rows, cols = cols, rows
    if b.shape[0] != cols:
        raise _invalid(f"Cannot multiply A and B because inner dimension does not match: "
                       f"{cols} vs. {b.shape[0]}.  Did you forget a transpose?  Dimensions "
                       f"of A: [{rows}, {cols}).  Dimensions of B: {list(b.shape)}")
    bad = np.nonzero((r < 0) | (r >= rows) | (c < 0) | (c >= cols))[0]
    if bad.size:
        k = int(bad[0])
        raise _invalid(f"k ({int(c[k])}) from index[{k},{0 if adjoint_a else 1}] out of "
                       f"bounds (>={cols})")
    out = np.zeros((rows, b.shape[1]), dtype=np.result_type(vals.dtype, b.dtype))
    np.add.at(out, r, vals[:, None] * b[c])
    return out


@register_kernel("SparseReorder")
def sparse_reorder(indices, values, shape):
    idx = np.asarray(indices).astype(np.int64)
    # lexicographic on the index rows, stable: TF orders indices outside `shape` too
    order = np.lexsort(idx.T[::-1]) if idx.ndim == 2 and idx.shape[1] else \
        np.arange(idx.shape[0] if idx.ndim else 0)
    return idx[order], np.asarray(values)[order]


@register_kernel("SparseReduceMax")
def sparse_reduce_max(indices, values, shape, axes, *, keep_dims):
    shape = [int(d) for d in np.reshape(shape, -1)]
    rank = len(shape)
    red = _reduction_axes(axes, rank)
    values = np.asarray(values)
    kept = [i for i in range(rank) if i not in red]
    idx = np.asarray(indices).astype(np.int64)
    where = tuple(idx[:, kept].T) if kept else ()
    lowest = -np.inf if values.dtype.kind == "f" else np.iinfo(values.dtype).min
    out = np.full([shape[i] for i in kept], lowest, dtype=values.dtype)
    stored = np.zeros(out.shape, dtype=np.int64)
    if idx.shape[0] and kept:
        np.maximum.at(out, where, values)
        np.add.at(stored, where, 1)
    elif idx.shape[0]:              # every axis reduced: one cell
        out, stored = np.asarray(values.max()), np.asarray(1)
    out = np.where(stored == 0, np.zeros_like(out), out)            # TF: a cell with no stored value reduces to 0
    if keep_dims:
        out = out.reshape([1 if i in red else shape[i] for i in range(rank)])
    return out


def _reduction_axes(axes, rank):
    red = set()
    for a in np.reshape(axes, -1).tolist():
        if not -rank <= a < rank:
            raise _invalid(f"Invalid reduction dimension {a}, for input with {rank} "
                           f"dimensions.")
        red.add(a % rank)
    return red


@register_kernel("SparseReduceSum")
def sparse_reduce_sum(indices, values, shape, axes, *, keep_dims):
    shape = [int(d) for d in np.reshape(shape, -1)]
    rank = len(shape)
    red = set()
    for a in np.reshape(axes, -1).tolist():
        if not -rank <= a < rank:
            raise _invalid(f"Invalid reduction dimension {a}, for input with {rank} "
                           f"dimensions.")
        red.add(a % rank)
    values = np.asarray(values)
    kept = [i for i in range(rank) if i not in red]
    # each entry adds into the output cell of its kept coordinates (no dense copy of the
    # input: a sparse tensor's dense shape may be huge)
    out = np.zeros([shape[i] for i in kept], dtype=values.dtype)
    idx = np.asarray(indices).astype(np.int64)
    if not kept:
        out = np.asarray(values.sum(dtype=values.dtype))
    elif idx.shape[0]:
        np.add.at(out, tuple(idx[:, kept].T), values)
    if keep_dims:
        out = out.reshape([1 if i in red else shape[i] for i in range(rank)])
    return out


# --- feature crosses ---------------------------------------------------------------------------

def _cross_columns(args, n_sparse, n_dense):
    """Each input's features per batch row: sparse inputs first, then dense ones (TF's
    column order), with the batch size they agree on."""
    indices = args[:n_sparse]
    values = args[n_sparse:2 * n_sparse]
    shapes = args[2 * n_sparse:3 * n_sparse]
    dense = args[3 * n_sparse:3 * n_sparse + n_dense]
    columns, batch = [], None
    for i, (idx, val, shp) in enumerate(zip(indices, values, shapes)):
        idx, shp = np.asarray(idx), np.asarray(shp)
        if idx.ndim != 2:
            raise _invalid(f"Input indices should be a matrix but received shape "
                           f"{list(idx.shape)} at position {i}")
        if shp.ndim != 1:
            raise _invalid(f"Input shapes should be a vector but received shape "
                           f"{list(shp.shape)} at position {i}")
        if shp.shape[0] != 2:
            raise _invalid(f"shape should imply a 2D tensor, but got {list(shp.shape)} at "
                           f"position {i}")
        rows = int(shp[0])
        val = np.asarray(val, dtype=object if np.asarray(val).dtype.kind in "OSU" else None)
        per_row = [[] for _ in range(rows)]
        for r, v in zip(idx[:, 0].tolist(), val.tolist()):
            per_row[r].append(v)
        columns.append(per_row)
        if batch is not None and rows != batch:
            raise _invalid(f"Expected batch size {batch} got {rows} at position {i}")
        batch = rows
    for i, d in enumerate(dense):
        d = np.asarray(d)
        if d.ndim != 2:
            raise _invalid(f"Dense inputs should be a matrix but received shape "
                           f"{list(d.shape)} at position {i}")
        if batch is not None and d.shape[0] != batch:
            raise _invalid(f"Expected batch size {batch} got {d.shape[0]} at dense tensor {i}")
        batch = d.shape[0]
        columns.append([list(row) for row in d.tolist()])
    return columns, batch or 0


def _crosses(columns, b):
    """Row b's feature combinations, the last input's feature changing fastest."""
    import itertools
    return itertools.product(*[col[b] for col in columns])


def _cross_output(columns, batch, make, out_dtype):
    indices, values, width = [], [], 0
    for b in range(batch):
        j = 0
        for combo in _crosses(columns, b):
            indices.append((b, j))
            values.append(make(combo))
            j += 1
        width = max(width, j)
    out = np.empty(len(values), dtype=out_dtype)
    out[:] = values
    return (np.array(indices, np.int64).reshape(-1, 2), out,
            np.array([batch, width], np.int64))


def _feature_text(v):
    return v if isinstance(v, bytes) else str(int(v)).encode()


@register_kernel("SparseCross")
def sparse_cross(*args, N, sparse_types, dense_types, hashed_output, num_buckets, hash_key,
                 out_type, internal_type):
    from . import _hash
    columns, batch = _cross_columns(args, N, len(dense_types))
    if not hashed_output:
        return _cross_output(columns, batch, lambda c: b"_X_".join(_feature_text(v)
                                                                   for v in c), object)
    # a string feature is its Fingerprint64, an integer one its own 64 bits
    fp = {}
    for col in columns:
        for row in col:
            for v in row:
                if isinstance(v, bytes) and v not in fp:
                    fp[v] = None
    keys = list(fp)
    for k, h in zip(keys, _hash.fingerprint64(keys) if keys else []):
        fp[k] = h
    seed = np.uint64(hash_key & 0xFFFFFFFFFFFFFFFF)
    modulus = np.uint64(num_buckets if num_buckets > 0 else 0x7FFFFFFFFFFFFFFF)

    def make(combo):
        h = seed
        for v in combo:
            # numba hands a uint64 back as a Python int: keep it a uint64 for the next call
            h = np.uint64(_hash.fingerprint_cat64(
                h, fp[v] if isinstance(v, bytes) else np.uint64(int(v) & 0xFFFFFFFFFFFFFFFF)))
        return int(h % modulus)
    return _cross_output(columns, batch, make, np.int64)


@register_kernel("SparseCrossV2")
def sparse_cross_v2(*args, N, sparse_types, dense_types):
    sep = args[-1]
    sep = sep.item() if isinstance(sep, np.ndarray) else sep
    sep = sep if isinstance(sep, bytes) else str(sep).encode()
    columns, batch = _cross_columns(args[:-1], N, len(dense_types))
    return _cross_output(columns, batch, lambda c: sep.join(_feature_text(v) for v in c),
                         object)
