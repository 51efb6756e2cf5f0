"""CPU kernels of the reductions (Sum, Mean, Prod, Max, Min, All, Any, ArgMax, ArgMin).

The input is viewed as (outer, reduced, inner) without copying whenever the reduced axes are
adjacent (the usual case: one axis, or all of them); otherwise the reduced axes are moved to
the end with one copy. Two numba loops cover every case:

* `_reduce_rows` (inner == 1): one accumulator per row, a unit-stride inner loop that LLVM
  vectorises (`fastmath={"reassoc"}` lets it reorder the additions, and leaves NaN/Inf rules
  alone);
* `_reduce_mid`: a row of `inner` accumulators updated by each reduced slice (unit stride too).

float16/float32 sums and products accumulate in float64 (TF accumulates float32 in float32
with a tree; the float64 accumulator is at least as accurate). Integer sums wrap as TF's do.

Big inputs (>= 2**18 elements) are reduced on Python threads (threads.map_blocks) by a nogil
copy of the row loop: one row per task, or, for a few long rows, 64 fixed blocks per row
reduced in parallel and then added in order. The blocking depends on the shape only, so the
value does not depend on the thread count.
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import math

import numpy as np
from numba import njit

from ... import errors
from . import threads

SUM, PROD, MAX, MIN, ALL, ANY = 0, 1, 2, 3, 4, 5
_PARALLEL_MIN = 1 << 18
_KIND = {"Sum": SUM, "Mean": SUM, "Prod": PROD, "Max": MAX, "Min": MIN, "All": ALL,
         "Any": ANY}


@njit(cache=True, fastmath={"reassoc"})
def _row(x, kind, lo, hi, acc):
    """Reduces x[lo:hi] (1-D, unit stride) into the starting value `acc`."""
    if kind == SUM:
        for k in range(lo, hi):
            acc += x[k]
    elif kind == PROD:
        for k in range(lo, hi):
            acc *= x[k]
    elif kind == MAX:
        for k in range(lo, hi):
            v = x[k]
            if v > acc or v != v:
                acc = v
    elif kind == MIN:
        for k in range(lo, hi):
            v = x[k]
            if v < acc or v != v:
                acc = v
    return acc


@njit(cache=True)
def _count_nan(x, lo, hi):
    """NaNs in x[lo:hi] (a vectorised pass; always 0 for integers)."""
    c = 0
    for k in range(lo, hi):
        c += x[k] != x[k]
    return c


@njit(cache=True, fastmath={"nnan", "nsz"})
def _row_max_nonan(x, lo, hi, acc):
    # nnan lets LLVM turn this into a vector max reduction; callers rule NaNs out first.
    for k in range(lo, hi):
        v = x[k]
        acc = v if v > acc else acc
    return acc


@njit(cache=True, fastmath={"nnan", "nsz"})
def _row_min_nonan(x, lo, hi, acc):
    for k in range(lo, hi):
        v = x[k]
        acc = v if v < acc else acc
    return acc


@njit(cache=True)
def _row_maxmin(x, kind, lo, hi, acc):
    """Max/Min of x[lo:hi] and acc, NaN propagating (TF's reduce_max/min)."""
    if _count_nan(x, lo, hi) > 0:
        for k in range(lo, hi):
            if x[k] != x[k]:
                return x[k]
    if acc != acc:
        return acc
    if kind == MAX:
        return _row_max_nonan(x, lo, hi, acc)
    return _row_min_nonan(x, lo, hi, acc)


@njit(cache=True)
def _row_bool(x, kind, lo, hi, acc):
    """All/Any of x[lo:hi] and `acc`, stopping at the first deciding element."""
    if kind == ALL:
        if not acc:
            return False
        for k in range(lo, hi):
            if not x[k]:
                return False
        return True
    if acc:
        return True
    for k in range(lo, hi):
        if x[k]:
            return True
    return False


@njit(cache=True)
def _reduce_rows(x, kind, out):
    """x: (M, K) C-contiguous; out: (M,) holding each row's starting value."""
    m, k = x.shape
    if kind == MAX or kind == MIN:
        for i in range(m):
            out[i] = _row_maxmin(x[i], kind, 0, k, out[i])
        return
    for i in range(m):
        out[i] = _row(x[i], kind, 0, k, out[i])


@njit(cache=True)
def _reduce_rows_bool(x, kind, out):
    m, k = x.shape
    for i in range(m):
        out[i] = _row_bool(x[i], kind, 0, k, out[i])


@njit(cache=True, nogil=True)
def _reduce_rows_nogil(x, kind, out):
    """`_reduce_rows` without the GIL, for a block of rows on a Python thread."""
    m, k = x.shape
    for i in range(m):
        if kind == MAX or kind == MIN:
            out[i] = _row_maxmin(x[i], kind, 0, k, out[i])
        else:
            out[i] = _row(x[i], kind, 0, k, out[i])


@njit(cache=True, fastmath={"reassoc"})
def _reduce_mid(x, kind, out):
    """x: (O, K, I) C-contiguous; out: (O, I) holding the starting values."""
    o_n, k_n, i_n = x.shape
    for o in range(o_n):
        for k in range(k_n):
            if kind == SUM:
                for i in range(i_n):
                    out[o, i] += x[o, k, i]
            elif kind == PROD:
                for i in range(i_n):
                    out[o, i] *= x[o, k, i]
            elif kind == MAX:
                for i in range(i_n):
                    v = x[o, k, i]
                    if v > out[o, i] or v != v:
                        out[o, i] = v
            elif kind == MIN:
                for i in range(i_n):
                    v = x[o, k, i]
                    if v < out[o, i] or v != v:
                        out[o, i] = v


@njit(cache=True)
def _reduce_mid_bool(x, kind, out):
    o_n, k_n, i_n = x.shape
    for o in range(o_n):
        for k in range(k_n):
            if kind == ALL:
                for i in range(i_n):
                    out[o, i] = out[o, i] and x[o, k, i]
            else:
                for i in range(i_n):
                    out[o, i] = out[o, i] or x[o, k, i]


def _canonical(dt):
    """The dtype the numba loops see: float32, float64, int64, uint64 or bool, so that only a
    handful of specialisations are ever compiled (narrower ints are widened, which cannot
    change a max/min and wraps sums the same way once cast back; numba has no float16)."""
    if dt == np.float16:
        return np.dtype(np.float32)
    if dt.kind == "i":
        return np.dtype(np.int64)
    if dt.kind == "u":
        return np.dtype(np.uint64) if dt.itemsize == 8 else np.dtype(np.int64)
    return dt


def _acc_dtype(kind, dt):
    if kind in (MAX, MIN, ALL, ANY):
        return dt
    if dt.kind == "f":
        return np.dtype(np.float64)
    if dt.kind == "c":
        return np.dtype(np.complex128)
    if dt.kind == "u":
        return np.dtype(np.uint64) if dt.itemsize == 8 else np.dtype(np.int64)
    if dt.kind == "i":
        return np.dtype(np.int64)
    return dt


def _identity(kind, dt):
    if kind == SUM:
        return 0
    if kind == PROD:
        return 1
    if kind == ALL:
        return True
    if kind == ANY:
        return False
    if dt.kind == "f":
        return -np.inf if kind == MAX else np.inf
    info = np.iinfo(dt)
    return info.min if kind == MAX else info.max


def _canonical_axes(axes, rank, op_type):
    axes = np.asarray(axes).reshape(-1).tolist()
    out = set()
    for a in axes:
        if not -rank <= a < rank:      # a scalar has no axis to reduce (TF refuses 0 too)
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {rank} "
                            f"dimension(s)")
        out.add(a % rank)
    return sorted(out)


_PLANS = {}


def _plan(shape, dt, axes, kind, keep_dims, op_type):
    """Everything about a reduction that depends only on shapes, dtypes and axes; cached, so
    that a reduction run again on same-shaped inputs costs one dict lookup in Python."""
    if dt.kind not in "biuf" or (dt.kind == "b" and kind not in (ALL, ANY)):
        raise errors.InvalidArgumentError(
            None, None, f"No kernel for {op_type} with dtype {dt}")
    rank = len(shape)
    red = _canonical_axes(axes, rank, op_type)
    keep_shape = tuple(1 if i in red else d for i, d in enumerate(shape))
    out_shape = keep_shape if keep_dims else tuple(d for i, d in enumerate(shape)
                                                   if i not in red)
    acc_dt = _acc_dtype(kind, dt)
    work_dt = _canonical(dt)
    if kind in (MAX, MIN):
        acc_dt = work_dt
    ident = _identity(kind, dt if dt.kind in "iu" else np.dtype(acc_dt))
    perm = None
    if red and red != list(range(red[0], red[-1] + 1)):   # not adjacent: move them last
        kept = [i for i in range(rank) if i not in red]
        perm = kept + red
        shape = tuple(shape[i] for i in perm)
        red = list(range(len(kept), rank))
    if red:
        outer = math.prod(shape[:red[0]])
        k = math.prod(shape[red[0]:red[-1] + 1])
        inner = math.prod(shape[red[-1] + 1:])
    else:
        outer = k = inner = 0
    return (bool(red), work_dt, perm, outer, k, inner, out_shape, acc_dt, ident)


def reduce(x, axes, kind, keep_dims, op_type="Sum"):
    """The reduction of `x` over `axes` as a NumPy array of the accumulator dtype."""
    x = np.asarray(x)
    axes = np.asarray(axes)
    key = (x.shape, x.dtype, axes.tobytes(), axes.dtype, kind, keep_dims)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _plan(x.shape, x.dtype, axes, kind, keep_dims, op_type)
        if len(_PLANS) > 1024:
            _PLANS.clear()
        _PLANS[key] = plan
    any_red, work_dt, perm, outer, k, inner, out_shape, acc_dt, ident = plan
    if work_dt != x.dtype:
        x = x.astype(work_dt)
    if not any_red:
        return x.astype(acc_dt).reshape(out_shape)
    if perm is not None:
        x = np.transpose(x, perm)
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    if inner == 1:
        x2 = x.reshape(outer, k)
        out = np.full(outer, ident, dtype=acc_dt)
        if kind >= ALL:
            _reduce_rows_bool(x2, kind, out)
        elif outer * k >= _PARALLEL_MIN:
            if outer >= 16:
                _rows_on_threads(x2, kind, out)
            else:               # few long rows: reduce fixed blocks in parallel, then in order
                out = _blocked(x2, kind, out, acc_dt, ident)
        else:
            _reduce_rows(x2, kind, out)
    else:
        out = np.full((outer, inner), ident, dtype=acc_dt)
        (_reduce_mid_bool if kind >= ALL else _reduce_mid)(
            x.reshape(outer, k, inner), kind, out)
    return out.reshape(out_shape)


def _rows_on_threads(x2, kind, out):
    """Each row reduced by one thread (rows in blocks claimed by free threads): blocks of
    at least 64K elements, and no more than four per thread (each block is a numba call
    from Python, a few microseconds: 64 blocks of a 1e7-element sum cost a tenth of it)."""
    outer, k = x2.shape
    per = max(1, (1 << 16) // max(1, k), outer // (4 * threads.intra_op_threads()))
    nb = -(-outer // per)
    threads.map_blocks(lambda i: _reduce_rows_nogil(x2[i * per:(i + 1) * per], kind,
                                                    out[i * per:(i + 1) * per]), nb)


def _blocked(x2, kind, out, acc_dt, ident):
    outer, k = x2.shape
    nb = 64
    step = k // nb
    head = np.ascontiguousarray(x2[:, :nb * step]).reshape(outer * nb, step)
    part = np.full(outer * nb, ident, dtype=acc_dt)
    _rows_on_threads(head, kind, part)
    part = part.reshape(outer, nb)
    _reduce_rows(part, kind, out)
    if nb * step < k:
        tail = np.ascontiguousarray(x2[:, nb * step:])
        if kind in (MAX, MIN):
            _reduce_rows(tail, kind, out)
        else:
            t = np.full(outer, ident, dtype=acc_dt)
            _reduce_rows(tail, kind, t)
            out = out + t if kind == SUM else out * t
    return out


def _complex_reduce(x, axes, op_type, keep_dims):
    """Sum/Prod/Mean of complex64/128 (numba's row loops are written for real dtypes):
    NumPy's, accumulated in complex128 and returned in the input's dtype."""
    red = tuple(_canonical_axes(np.asarray(axes), x.ndim, op_type))
    fn = {"Sum": np.sum, "Prod": np.prod, "Mean": np.mean}[op_type]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = fn(x, axis=red, keepdims=bool(keep_dims), dtype=np.complex128)
    return np.asarray(r, dtype=x.dtype)


def _make(op_type):
    kind = _KIND[op_type]

    def kernel(x, axes, *, keep_dims):
        x = np.asarray(x)
        if x.dtype.kind == "c" and op_type in ("Sum", "Prod", "Mean"):
            return _complex_reduce(x, axes, op_type, keep_dims)
        r = reduce(x, axes, kind, keep_dims, op_type)
        if op_type == "Mean":
            n = x.size // max(r.size, 1) if r.size else 0
            if x.dtype.kind == "f":
                with np.errstate(invalid="ignore", divide="ignore"):
                    return (r / n).astype(x.dtype) if n else np.full(r.shape, np.nan, x.dtype)
            s = r.astype(x.dtype).astype(np.int64)       # wrap like TF's T accumulator
            if n == 0:
                return np.zeros(r.shape, x.dtype)
            q = np.abs(s) // n
            return np.where(s < 0, -q, q).astype(x.dtype)   # C division truncates
        return np.asarray(r.astype(x.dtype, copy=False))
    kernel.__name__ = op_type.lower()
    kernel.__qualname__ = op_type.lower()
    return kernel


