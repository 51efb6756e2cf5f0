"""CPU kernels of the matrix ops.

Float/complex matmul is a numba function calling `np.dot`, which numba lowers to a BLAS gemm
(through scipy's BLAS bindings): the arithmetic is BLAS's, numba only removes the Python
dispatch. Big float32 products on a CPU with AVX-512 run on tfteach's own GEMM instead
(`gemm.py`: BLAS may be pinned to its AVX2 kernels there, and is then 1.5-2x slower). A transposed operand is passed as a transposed view (an F-ordered array), so BLAS
reads it in place without a copy. BLAS has no integer gemm, so integer matmul is a numba loop
in i-k-j order (unit-stride inner loop, vectorised by LLVM) on int64 copies of the operands;
integer products wrap as TF's do.

MatrixInverse calls `np.linalg.inv` inside numba (LAPACK getrf/getri); an exactly singular
matrix (a zero pivot, the same test TF's LU makes) is InvalidArgumentError
"Input is not invertible.".
"""
import threading

import numba
import numpy as np
from numba import njit

from ... import errors
from ...framework.registry import register_kernel
from . import gemm, threads
from .threads import parallel


@njit(cache=True)
def _dot(a, b):
    return np.dot(a, b)


def _find_thread_setter():
    """OpenBLAS's thread-count setter in the BLAS numba's np.dot calls.

    numba lowers np.dot to scipy's cython_blas, i.e. scipy's bundled OpenBLAS. Its
    `openblas_set_num_threads_local` (OpenBLAS >= 0.3.27) returns the previous count, which
    makes set-and-restore one call each way; despite the name it is process-wide in this
    pthreads build (checked), so `_blas_dot` serialises the set/restore under a lock.
    Returns None when scipy's BLAS is not an OpenBLAS with that symbol (then BLAS threads as
    it likes)."""
    import ctypes
    import glob
    import os
    try:
        import scipy
        import scipy.linalg.cython_blas  # noqa: F401  (loads the library numba will call)
    except ImportError:
        return None
    libdir = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs")
    for path in sorted(glob.glob(os.path.join(libdir, "*openblas*.so*"))):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_int]
        fn.restype = ctypes.c_int
        return fn
    return None


_UNRESOLVED = object()
_SET_THREADS = _UNRESOLVED     # looked up on the first product that needs it (import stays cheap)
_THREADS_LOCK = threading.Lock()
# OpenBLAS itself stays on one thread below m*n*k = 65536*4 (GEMM_MULTITHREAD_THRESHOLD).
# Above that, how many threads a product gets is the runtime's one policy
# (threads.blas_threads): one below 2**23 multiply-adds, where waking threads costs more
# than it saves (a 60x784 @ 784x100 product took 16 ms threaded vs 0.25 ms on one thread on
# a loaded machine), else the intra-op thread count. OpenBLAS splits a product by rows and
# columns of the result, never along the sum, so the values do not depend on the count.
_SMALL_MNK_MIN = 65536 * 4
_SMALL_MNK = 1 << 23


def _blas_dot(a, b):
    global _SET_THREADS
    mnk = a.shape[0] * a.shape[1] * b.shape[1]
    if mnk < _SMALL_MNK_MIN:
        return _dot(a, b)
    if _SET_THREADS is _UNRESOLVED:
        _SET_THREADS = _find_thread_setter()
    if _SET_THREADS is None:
        return _dot(a, b)
    n = threads.blas_threads(mnk)
    # under the lock a second Python thread cannot change the count while this product runs
    with _THREADS_LOCK:
        prev = _SET_THREADS(n)
        try:
            return _dot(a, b)
        finally:
            _SET_THREADS(prev)


def _own_sgemm(a, b, bias=None, relu=False):
    """A big float32 product on tfteach's own AVX-512 GEMM (gemm.py), all threads (with
    `bias`, its BiasAdd and Relu epilogue)."""
    m, k, n = a.shape[0], a.shape[1], b.shape[1]
    nt = threads.intra_op_threads() if m * n * k // 64 >= threads._PAR_MIN_WORK else 1
    return gemm.sgemm(a, b, nt, bias, relu)


@njit(cache=True)
def _dot_int(a, b, out):
    m, k = a.shape
    n = b.shape[1]
    for i in range(m):
        for p in range(k):
            v = a[i, p]
            for j in range(n):
                out[i, j] += v * b[p, j]


@njit(cache=True)
def _batch_dot(a, b, out):
    for i in range(a.shape[0]):
        out[i] = np.dot(a[i], b[i])


@njit(cache=True)
def _batch_dot_int(a, b, out):
    for i in range(a.shape[0]):
        _dot_int(a[i], b[i], out[i])


_BLAS = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64),
         np.dtype(np.complex128))
_INT = tuple(np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8,
                                   np.uint16, np.uint32, np.uint64))


def _operand(x):
    """C- or F-contiguous arrays go to BLAS as they are; anything else is copied once."""
    if x.flags.c_contiguous or x.flags.f_contiguous:
        return x
    return np.ascontiguousarray(x)


def _check_dtype(x, op_type):
    if x.dtype not in _BLAS and x.dtype not in _INT and x.dtype != np.float16:
        raise errors.InvalidArgumentError(
            None, None, f"No kernel for {op_type} with dtype {x.dtype}")


def matmul2d(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape[1] != b.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: [{a.shape[0]},{a.shape[1]}], "
                        f"In[1]: [{b.shape[0]},{b.shape[1]}]")
    dt = a.dtype
    if dt in _BLAS:
        if a.shape[0] == 0 or a.shape[1] == 0 or b.shape[1] == 0:
            return np.zeros((a.shape[0], b.shape[1]), dt)
        if (dt == np.float32 and a.shape[0] * a.shape[1] * b.shape[1] >= _SMALL_MNK
                and gemm.available()):
            return _own_sgemm(a, b)
        return _blas_dot(_operand(a), _operand(b))
    if dt == np.float16:
        return _dot(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    # every integer dtype runs the int64 loop (one compiled specialisation); products and
    # sums modulo 2**64 cast back to `dt` wrap exactly as TF's narrower arithmetic does
    out = np.zeros((a.shape[0], b.shape[1]), np.int64)
    _dot_int(np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(b, dtype=np.int64),
             out)
    return out.astype(dt, copy=False)


@register_kernel("MatMul")
def mat_mul(a, b, *, transpose_a, transpose_b):
    a, b = np.asarray(a), np.asarray(b)
    _check_dtype(a, "MatMul")
    if a.ndim != 2 or b.ndim != 2:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] has different ndims: [{','.join(map(str, a.shape))}]"
                        f" vs. [{','.join(map(str, b.shape))}]")
    return matmul2d(a.T if transpose_a else a, b.T if transpose_b else b)


def mat_mul_epilogue(a, b, bias, *, transpose_a, transpose_b, relu):
    """MatMul with BiasAdd (and Relu) applied in tfteach's own GEMM as each tile of the
    product is finished (runtime/epilogue.py's fused Dense layer); None when the own GEMM
    does not take this product, and the caller runs the ops one after the other."""
    a, b, bias = np.asarray(a), np.asarray(b), np.asarray(bias)
    if not (a.ndim == b.ndim == 2 and bias.ndim == 1 and
            a.dtype == b.dtype == bias.dtype == np.float32):
        return None
    a2, b2 = (a.T if transpose_a else a), (b.T if transpose_b else b)
    m, k, n = a2.shape[0], a2.shape[1], b2.shape[1]
    if b2.shape[0] != k or bias.shape[0] != n or m == 0 or n == 0 or m * k * n < _SMALL_MNK \
            or not gemm.available():
        return None
    return _own_sgemm(a2, b2, np.ascontiguousarray(bias), relu)


@register_kernel("BatchMatMulV2")
def batch_mat_mul_v2(x, y, *, adj_x, adj_y):
    x, y = np.asarray(x), np.asarray(y)
    _check_dtype(x, "BatchMatMulV2")
    if x.ndim < 2 or y.ndim < 2:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have rank >= 2: {x.ndim} vs. {y.ndim}")
    if adj_x:
        x = np.conj(np.swapaxes(x, -1, -2)) if x.dtype.kind == "c" else np.swapaxes(x, -1, -2)
    if adj_y:
        y = np.conj(np.swapaxes(y, -1, -2)) if y.dtype.kind == "c" else np.swapaxes(y, -1, -2)
    if x.shape[-1] != y.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: [{','.join(map(str, x.shape))}], "
                        f"In[1]: [{','.join(map(str, y.shape))}]")
    try:
        batch = np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have compatible batch dimensions: "
                        f"[{','.join(map(str, x.shape))}] vs. "
                        f"[{','.join(map(str, y.shape))}]") from None
    m, k, n = x.shape[-2], x.shape[-1], y.shape[-1]
    nb = int(np.prod(batch, dtype=np.int64))
    xb = np.ascontiguousarray(np.broadcast_to(x, batch + (m, k))).reshape(nb, m, k)
    yb = np.ascontiguousarray(np.broadcast_to(y, batch + (k, n))).reshape(nb, k, n)
    dt = x.dtype
    if dt == np.float16:
        xb, yb = xb.astype(np.float32), yb.astype(np.float32)
    if nb == 0 or m == 0 or n == 0 or k == 0:
        return np.zeros(batch + (m, n), dt)
    if xb.dtype in _BLAS:
        out = np.empty((nb, m, n), xb.dtype)
        _batch_dot(xb, yb, out)
    else:
        out = np.zeros((nb, m, n), np.int64)
        _batch_dot_int(xb.astype(np.int64, copy=False), yb.astype(np.int64, copy=False), out)
    return out.reshape(batch + (m, n)).astype(dt, copy=False)


@njit(cache=True)
def _inverse_batch(x, out):
    """Returns the index of the first singular matrix, or -1."""
    n = x.shape[1]
    for i in range(x.shape[0]):
        # LAPACK getrf reports an exactly zero pivot; numba turns it into an exception that
        # nopython code cannot catch, so test the pivots with our own elimination first.
        a = x[i].copy()
        for c in range(n):
            p = c
            best = abs(a[c, c])
            for r in range(c + 1, n):
                if abs(a[r, c]) > best:
                    best = abs(a[r, c])
                    p = r
            if best == 0:
                return i
            if p != c:
                for j in range(n):
                    tmp = a[c, j]
                    a[c, j] = a[p, j]
                    a[p, j] = tmp
            for r in range(c + 1, n):
                f = a[r, c] / a[c, c]
                for j in range(c, n):
                    a[r, j] -= f * a[c, j]
        out[i] = np.linalg.inv(x[i])
    return -1


@register_kernel("MatrixInverse")
def matrix_inverse(x, *, adjoint):
    x = np.asarray(x)
    if x.dtype not in _BLAS:
        raise errors.InvalidArgumentError(
            None, None, f"No kernel for MatrixInverse with dtype {x.dtype}")
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrices must be squares, got "
                        f"{x.shape[-2] if x.ndim >= 2 else 0} != {x.shape[-1]}")
    if adjoint:
        x = np.conj(np.swapaxes(x, -1, -2))
    n = x.shape[-1]
    batch = x.shape[:-2]
    xb = np.ascontiguousarray(x).reshape(-1, n, n)
    out = np.empty_like(xb)
    if n and xb.shape[0]:
        bad = _inverse_batch(xb, out)
        if bad >= 0:
            raise errors.InvalidArgumentError(None, None, "Input is not invertible.")
    out += 0    # LAPACK leaves -0.0 where TF's result has 0.0
    return out.reshape(batch + (n, n))


@njit(cache=True)
def _det_batch(x, out):
    for i in range(x.shape[0]):
        out[i] = np.linalg.det(x[i])


@register_kernel("MatrixDeterminant")
def matrix_determinant(x):
    x = np.asarray(x)
    if x.dtype not in _BLAS:
        raise errors.InvalidArgumentError(
            None, None, f"No kernel for MatrixDeterminant with dtype {x.dtype}")
    n = x.shape[-1]
    xb = np.ascontiguousarray(x).reshape(-1, n, n)
    out = np.empty(xb.shape[0], x.dtype)
    if xb.shape[0]:
        if n == 0:
            out[:] = 1
        else:
            _det_batch(xb, out)
    return out.reshape(x.shape[:-2])


# --- Einsum -----------------------------------------------------------------------------------

@register_kernel("Einsum")
def einsum(*inputs, equation):
    from ..shapes import einsum_shape
    xs = [np.asarray(x) for x in inputs]
    einsum_shape(equation, [list(x.shape) for x in xs],
                 lambda msg: errors.InvalidArgumentError(None, None, msg))
    # two operands: NumPy's tensordot path (BLAS GEMM, float32 accumulation like TF's
    # BatchMatMul reduction); one operand: a plain sum over the dropped labels
    out = np.einsum(equation, *xs, optimize="greedy" if len(xs) == 2 else False)
    out = np.asarray(out, dtype=xs[0].dtype)     # (ascontiguousarray would make a scalar 1-d)
    return out if out.flags.c_contiguous else out.copy()


# --- band and diagonal ops ---------------------------------------------------------------------
# NumPy slicing per diagonal: each diagonal is one strided view over all batch matrices, so
# there is nothing for a compiled loop to win.

def _err(msg):
    return errors.InvalidArgumentError(None, None, msg)


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


@register_kernel("MatrixBandPart")
def matrix_band_part(x, num_lower, num_upper):
    x = np.asarray(x)
    if x.ndim < 2:
        raise _err(f"input must be at least 2-dim, received shape: {_dims(x.shape)}")
    m, n = x.shape[-2:]
    lo, hi = int(num_lower), int(num_upper)
    if lo > m:
        raise _err(f"num_lower must be negative or less or equal to number of rows ({m}) "
                   f"got: {lo}")
    if hi > n:
        raise _err(f"num_upper must be negative or less or equal to number of columns ({n}) "
                   f"got: {hi}")
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    keep = ((lo < 0) | (i - j <= lo)) & ((hi < 0) | (j - i <= hi))
    return np.where(keep, x, np.zeros((), x.dtype))


def _k_range(k, op_type):
    k = np.asarray(k).reshape(-1)
    if k.size < 1 or k.size > 2:
        raise _err("diag_index must have only one or two elements, received "
                   f"{k.size} elements.")
    lo, hi = int(k[0]), int(k[-1])
    if lo > hi:
        raise _err(f"lower_diag_index must not be larger than upper_diag_index: {lo} > {hi}")
    return lo, hi


def _diag_len(m, n, d):
    return min(m + min(0, d), n - max(0, d))


def _offset(align, d, m, n, max_len):
    """Where diagonal d starts in its packed row: superdiagonals follow the first half of
    `align`, subdiagonals the second; a RIGHT-aligned short diagonal is padded in front."""
    sup, sub = align.split("_")
    side = sup if d >= 0 else sub
    return max_len - _diag_len(m, n, d) if side == "RIGHT" else 0


def _diag_coords(m, n, d):
    length = _diag_len(m, n, d)
    r = np.arange(length) + max(0, -d)
    return r, r + d


def _diag_band(x, k, op_type):
    """The diagonals k of x's inner matrices that MatrixDiagPartV3/MatrixSetDiagV3 address,
    checked as TF checks them: (lo, hi, rows, cols, the longest diagonal's length)."""
    if x.ndim < 2:
        raise _err(f"input must be at least 2-dim, received shape: {_dims(x.shape)}")
    lo, hi = _k_range(k, op_type)
    m, n = x.shape[-2:]
    for what, v in (("lower", lo), ("upper", hi)):
        if not ((m == 0 or v > -m) and (n == 0 or v < n)):
            raise _err(f"{what}_diag_index is out of bound: {v}. It must be between {-m} "
                       f"and {n}")
    return lo, hi, m, n, max(_diag_len(m, n, d) for d in range(lo, hi + 1))


@register_kernel("MatrixDiagPartV3")
def matrix_diag_part_v3(x, k, padding_value, *, align):
    x = np.asarray(x)
    lo, hi, m, n, max_len = _diag_band(x, k, "MatrixDiagPartV3")
    out = np.full(x.shape[:-2] + (hi - lo + 1, max_len), np.asarray(padding_value),
                  dtype=x.dtype)
    for row, d in enumerate(range(hi, lo - 1, -1)):
        r, c = _diag_coords(m, n, d)
        off = _offset(align, d, m, n, max_len)
        out[..., row, off:off + r.size] = x[..., r, c]
    return out[..., 0, :] if lo == hi else out


def _set_diag_into(out, diagonal, lo, hi, align):
    m, n = out.shape[-2:]
    max_len = max(_diag_len(m, n, d) for d in range(lo, hi + 1))
    diagonal = diagonal[..., None, :] if lo == hi else diagonal
    for row, d in enumerate(range(hi, lo - 1, -1)):
        r, c = _diag_coords(m, n, d)
        off = _offset(align, d, m, n, max_len)
        out[..., r, c] = diagonal[..., row, off:off + r.size]
    return out


@register_kernel("MatrixDiagV3")
def matrix_diag_v3(diagonal, k, num_rows, num_cols, padding_value, *, align):
    diagonal = np.asarray(diagonal)
    lo, hi = _k_range(k, "MatrixDiagV3")
    if diagonal.ndim < (1 if lo == hi else 2):
        raise _err(f"diagonal must be at least {1 if lo == hi else 2}-dim, received shape: "
                   f"{_dims(diagonal.shape)}")
    if lo != hi and diagonal.shape[-2] != hi - lo + 1:
        raise _err(f"The number of diagonals provided in the input does not match the lower_"
                   f"diag_index and upper_diag_index range.")
    max_len = diagonal.shape[-1]
    min_rows, min_cols = max_len - min(hi, 0), max_len + max(lo, 0)
    rows, cols = int(num_rows), int(num_cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    if rows < min_rows:
        raise _err("The number of rows is too small.")
    if cols < min_cols:
        raise _err("The number of columns is too small.")
    if rows != min_rows and cols != min_cols:
        raise _err("The number of rows or columns is not consistent with the specified "
                   "d_lower, d_upper, and diagonal.")
    batch = diagonal.shape[:-1] if lo == hi else diagonal.shape[:-2]
    out = np.full(batch + (rows, cols), np.asarray(padding_value), dtype=diagonal.dtype)
    return _set_diag_into(out, diagonal, lo, hi, align)


@register_kernel("MatrixSetDiagV3")
def matrix_set_diag_v3(x, diagonal, k, *, align):
    x, diagonal = np.asarray(x), np.asarray(diagonal)
    lo, hi, m, n, max_len = _diag_band(x, k, "MatrixSetDiagV3")
    expect = x.shape[:-2] + ((max_len,) if lo == hi else (hi - lo + 1, max_len))
    if diagonal.shape != expect:
        raise _err("Either first dimensions of diagonal don't match input.shape[:-2], or "
                   "diagonal.shape[:-1] is not equal to the longests diagonal in range "
                   f"[lower_diag_index:upper_diag_index].\nInput shape: {_dims(x.shape)}\n"
                   f"Diagonal shape: {_dims(diagonal.shape)}\nExpected diagonal shape: "
                   f"{_dims(expect)}")
    return _set_diag_into(np.array(x, copy=True), diagonal, lo, hi, align)


@register_kernel("Diag")
def diag(d):
    d = np.asarray(d)
    if d.ndim < 1:
        raise _err(f"Input must be at least rank 1, got {d.ndim}")
    out = np.zeros((d.size, d.size), dtype=d.dtype)
    out[np.arange(d.size), np.arange(d.size)] = d.reshape(-1)
    return out.reshape(d.shape + d.shape)


@register_kernel("DiagPart")
def diag_part(x):
    x = np.asarray(x)
    if x.ndim == 0 or x.ndim % 2:
        raise _err(f"The rank of the tensor should be even and positive, got shape "
                   f"{_dims(x.shape)}")
    half = x.ndim // 2
    for i in range(half):
        if x.shape[i] != x.shape[i + half]:
            raise _err(f"Invalid shape {_dims(x.shape)}: dimensions {i} and {i + half} do "
                       f"not match.")
    size = int(np.prod(x.shape[:half], dtype=np.int64))
    return x.reshape(size, size)[np.arange(size), np.arange(size)].reshape(x.shape[:half])


@register_kernel("MatrixSolve")
def matrix_solve(a, b, *, adjoint):
    # LAPACK's gesv through NumPy; TF's LU solver fails on an exactly zero pivot, which
    # NumPy reports as LinAlgError
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise _err("Input matrix must be square.")
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise _err("Input matrix and right-hand side must have the same number of rows.")
    if adjoint:
        a = np.conj(np.swapaxes(a, -1, -2))
    try:
        return np.linalg.solve(a, b).astype(b.dtype)
    except np.linalg.LinAlgError:
        raise _err("Input matrix is not invertible.") from None


# --- decompositions (LAPACK through NumPy, batched over leading dimensions) --------------------

def _require_matrix(x, op, square=False):
    x = np.asarray(x)
    if x.dtype not in _BLAS:
        raise errors.InvalidArgumentError(None, None, f"No kernel for {op} with dtype {x.dtype}")
    if x.ndim < 2:
        raise errors.InvalidArgumentError(
            None, None, f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    if square and x.shape[-1] != x.shape[-2]:
        raise errors.InvalidArgumentError(None, None, "Input matrix must be square.")
    return x


@register_kernel("Cholesky")
def cholesky(x):
    x = _require_matrix(x, "Cholesky", square=True)
    try:
        return np.linalg.cholesky(x).astype(x.dtype)
    except np.linalg.LinAlgError:
        pass
    # one matrix is not positive definite: TF fills that one's lower triangle with NaN
    n = x.shape[-1]
    flat = x.reshape(-1, n, n)
    out = np.zeros_like(flat)
    for i in range(flat.shape[0]):
        try:
            out[i] = np.linalg.cholesky(flat[i])
        except np.linalg.LinAlgError:
            out[i][np.tril_indices(n)] = np.nan
    return out.reshape(x.shape)


@register_kernel("Qr")
def qr(x, *, full_matrices):
    x = _require_matrix(x, "Qr")
    q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype), r.astype(x.dtype)


@register_kernel("Svd")
def svd(x, *, compute_uv, full_matrices):
    x = _require_matrix(x, "Svd")
    if not compute_uv:
        s = np.linalg.svd(x, compute_uv=False).astype(x.real.dtype)
        empty = np.zeros((), x.dtype)
        return s.astype(x.dtype), empty, empty
    if 0 in x.shape[-2:]:
        m, n = x.shape[-2:]
        k = min(m, n)
        batch = x.shape[:-2]
        return (np.zeros(batch + (k,), x.dtype),
                np.zeros(batch + (m, m if full_matrices else k), x.dtype),
                np.zeros(batch + (n, n if full_matrices else k), x.dtype))
    u, s, vh = np.linalg.svd(x, full_matrices=bool(full_matrices))
    v = np.conj(np.swapaxes(vh, -1, -2))
    return s.astype(x.dtype), u.astype(x.dtype), v.astype(x.dtype)


@register_kernel("SelfAdjointEigV2")
def self_adjoint_eig(x, *, compute_v):
    x = _require_matrix(x, "SelfAdjointEigV2", square=True)
    if not compute_v:
        return np.linalg.eigvalsh(x).astype(x.dtype), np.zeros((), x.dtype)
    e, v = np.linalg.eigh(x)
    return e.astype(x.dtype), v.astype(x.dtype)


@register_kernel("MatrixTriangularSolve")
def matrix_triangular_solve(a, b, *, lower, adjoint):
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise _err("Input matrix must be square.")
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise _err("Input matrix and right-hand side must have the same number of rows.")
    a = np.tril(a) if lower else np.triu(a)
    if adjoint:
        a = np.conj(np.swapaxes(a, -1, -2))
    try:
        return np.linalg.solve(a, b).astype(b.dtype)
    except np.linalg.LinAlgError:
        raise _err("Input matrix is not invertible.") from None


# --- Cross, LogMatrixDeterminant, Lu ----------------------------------------------------------

@register_kernel("Cross")
def cross(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Both inputs must be of same shape: {_dims(a.shape)} vs. "
                        f"{_dims(b.shape)}")
    if a.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "Input must be at least 1D"
                                          f"{_dims(a.shape)}")
    if a.shape[-1] != 3:
        raise errors.FailedPreconditionError(
            None, None, "Cross-products are only defined for 3-element vectors.")
    return np.ascontiguousarray(np.cross(a, b).astype(a.dtype, copy=False))


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


@njit(cache=True)
def _lu_batch(x, lu, perm, sign):
    """Partial pivoting (the largest |pivot| in the column, the first on ties), one matrix
    at a time: lu holds L below the diagonal (unit diagonal implied) and U on and above;
    x[perm] = L U; sign is the permutation's parity, 0 for a singular matrix."""
    nb, n = x.shape[0], x.shape[1]
    for b in range(nb):
        for i in range(n):
            perm[b, i] = i
            for j in range(n):
                lu[b, i, j] = x[b, i, j]
        s = 1.0
        for c in range(n):
            p = c
            for r in range(c + 1, n):
                if abs(lu[b, r, c]) > abs(lu[b, p, c]):
                    p = r
            if p != c:
                s = -s
                q = perm[b, c]
                perm[b, c] = perm[b, p]
                perm[b, p] = q
                for j in range(n):
                    v = lu[b, c, j]
                    lu[b, c, j] = lu[b, p, j]
                    lu[b, p, j] = v
            piv = lu[b, c, c]
            if piv == 0:
                s = 0.0
                continue
            for r in range(c + 1, n):
                f = lu[b, r, c] / piv
                lu[b, r, c] = f
                for j in range(c + 1, n):
                    lu[b, r, j] -= f * lu[b, c, j]
        sign[b] = s


def _square_batch(x, op_type):
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrix must be square." if x.ndim >= 2 else
            f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    if x.dtype not in _BLAS:
        raise errors.InvalidArgumentError(None, None, f"No kernel for {op_type} with dtype "
                                          f"{x.dtype}")
    n = x.shape[-1]
    return x, np.ascontiguousarray(x).reshape(-1, n, n), n


@register_kernel("Lu")
def lu(input, *, output_idx_type):  # noqa: A002 - TF's name
    x, xb, n = _square_batch(input, "Lu")
    out = np.empty_like(xb)
    perm = np.empty(xb.shape[:2], np.int64)
    sign = np.empty(xb.shape[0], np.float64)
    if xb.size:
        _lu_batch(xb, out, perm, sign)
    return (out.reshape(x.shape),
            perm.reshape(x.shape[:-1]).astype(output_idx_type.np_dtype))


@register_kernel("LogMatrixDeterminant")
def log_matrix_determinant(input):  # noqa: A002 - TF's name
    x, xb, n = _square_batch(input, "LogMatrixDeterminant")
    sign = np.ones(xb.shape[0], x.dtype)
    logdet = np.zeros(xb.shape[0], x.real.dtype if x.dtype.kind == "c" else x.dtype)
    if xb.shape[0] and n:
        s, l = np.linalg.slogdet(xb)
        sign, logdet = s.astype(x.dtype), l.astype(logdet.dtype)
    return sign.reshape(x.shape[:-2]), logdet.astype(x.dtype).reshape(x.shape[:-2])


# --- tridiagonal systems ------------------------------------------------------------------------

@njit(cache=True, error_model="numpy")
def _gtsv(sup, main, sub, b, pivot):
    """Solves one tridiagonal system in place of b (columns of b solved together); LAPACK
    gtsv's elimination, rows i and i+1 exchanged when the subdiagonal entry is the larger
    (partial pivoting). A zero pivot divides by zero: inf and NaN, no error (as TF's)."""
    n, k = b.shape
    d = main.copy()
    du = sup.copy()
    dl = np.zeros(n, d.dtype)         # the subdiagonal below row i; then the fill du2
    for i in range(n - 1):
        dl[i] = sub[i + 1]
    for i in range(n - 1):
        if not pivot or abs(d[i]) >= abs(dl[i]):
            fact = dl[i] / d[i]
            d[i + 1] -= fact * du[i]
            for c in range(k):
                b[i + 1, c] -= fact * b[i, c]
            dl[i] = 0
        else:
            fact = d[i] / dl[i]
            d[i] = dl[i]
            temp = d[i + 1]
            d[i + 1] = du[i] - fact * temp
            if i < n - 2:
                dl[i] = du[i + 1]
                du[i + 1] = -fact * dl[i]
            else:
                dl[i] = 0
            du[i] = temp
            for c in range(k):
                t = b[i, c]
                b[i, c] = b[i + 1, c]
                b[i + 1, c] = t - fact * b[i + 1, c]
    for c in range(k):
        b[n - 1, c] /= d[n - 1]
        if n > 1:
            b[n - 2, c] = (b[n - 2, c] - du[n - 2] * b[n - 1, c]) / d[n - 2]
        for i in range(n - 3, -1, -1):
            b[i, c] = (b[i, c] - du[i] * b[i + 1, c] - dl[i] * b[i + 2, c]) / d[i]


@njit(cache=True, error_model="numpy")
def _gtsv_batch(diags, rhs, pivot):
    for s in range(rhs.shape[0]):
        _gtsv(diags[s, 0], diags[s, 1], diags[s, 2], rhs[s], pivot)


@register_kernel("TridiagonalSolve")
def tridiagonal_solve(diagonals, rhs, *, partial_pivoting, perturb_singular):
    d, r = np.asarray(diagonals), np.asarray(rhs)
    if perturb_singular:
        raise errors.UnimplementedError(None, None, "tfteach's TridiagonalSolve does not "
                                        "implement perturb_singular")
    if d.ndim < 2 or d.shape[-2] != 3:
        raise errors.InvalidArgumentError(
            None, None, f"Expected diagonals to have shape [..., 3, M], got {_dims(d.shape)}")
    if r.ndim < 2 or r.shape[-2] != d.shape[-1]:
        raise errors.InvalidArgumentError(
            None, None, f"Incompatible shapes of diagonals and rhs: {_dims(d.shape)} and "
                        f"{_dims(r.shape)}")
    if d.dtype not in _BLAS or d.dtype.kind == "c":
        raise errors.InvalidArgumentError(None, None, "TridiagonalSolve: real types only")
    batch = np.broadcast_shapes(d.shape[:-2], r.shape[:-2])
    m, k = r.shape[-2], r.shape[-1]
    db = np.ascontiguousarray(np.broadcast_to(d, batch + d.shape[-2:])).reshape(-1, 3, m)
    out = np.array(np.broadcast_to(r, batch + r.shape[-2:]), copy=True).reshape(-1, m, k)
    if out.size and m:
        _gtsv_batch(db, out, bool(partial_pivoting))
    return out.reshape(batch + (m, k))


@register_kernel("TridiagonalMatMul")
def tridiagonal_mat_mul(superdiag, maindiag, subdiag, rhs):
    sup, main, sub, r = (np.asarray(a) for a in (superdiag, maindiag, subdiag, rhs))
    m = r.shape[-2]
    for name, a in (("superdiag", sup), ("maindiag", main), ("subdiag", sub)):
        if a.ndim < 2 or a.shape[-2] != 1 or a.shape[-1] != m:
            raise errors.InvalidArgumentError(
                None, None, f"Expected {name} to have shape [..., 1, {m}], got "
                            f"{_dims(a.shape)}")
    s = np.swapaxes(sup, -1, -2)       # [..., M, 1]
    d = np.swapaxes(main, -1, -2)
    b = np.swapaxes(sub, -1, -2)
    out = d * r
    if m > 1:
        out[..., :-1, :] += s[..., :-1, :] * r[..., 1:, :]
        out[..., 1:, :] += b[..., 1:, :] * r[..., :-1, :]
    return np.ascontiguousarray(out.astype(r.dtype, copy=False))


@register_kernel("Eig")
def eig(input, *, Tout, compute_v):  # noqa: A002 - TF's name
    x, xb, n = _square_batch(input, "Eig")
    out_t = Tout.np_dtype
    e = np.empty(xb.shape[:2], out_t)
    v = np.empty(xb.shape, out_t) if compute_v else np.zeros((0,), out_t)
    for i in range(xb.shape[0]):
        if compute_v:
            w, vec = np.linalg.eig(xb[i])
            e[i], v[i] = w, vec
        else:
            e[i] = np.linalg.eigvals(xb[i])
    return e.reshape(x.shape[:-1]), (v.reshape(x.shape) if compute_v else v)
