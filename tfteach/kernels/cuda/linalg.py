"""GPU kernels of the linalg family: MatMul and BatchMatMulV2, on the toolkit's GEMM
(kernels/cuda/gemm.py); Diag, DiagPart and MatrixBandPart as index maps (each output element
is an input element or zero: the array family's gather, kernels/cuda/array.py)."""
import math

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


# --- Cholesky, MatrixTriangularSolve: a thread per matrix (per right-hand side) -------------
# Small batched matrices, the sizes these lessons use: each thread runs the textbook
# sequential algorithm on its matrix in global memory (cuSOLVER's blocked ones pay off only
# for large matrices).
def _solver_kernels():
    ks = _KERNELS.get("solvers")
    if ks is None:
        @cuda.jit
        def cholesky(a, out, n, batch):
            t = cuda.grid(1)
            if t < batch:
                base = t * n * n
                ok = True
                for j in range(n):
                    s = a[base + j * n + j]
                    for k in range(j):
                        s -= out[base + j * n + k] * out[base + j * n + k]
                    if not s > 0:               # not positive definite (or NaN)
                        ok = False
                        break
                    d = math.sqrt(s)
                    out[base + j * n + j] = d
                    for i in range(j + 1, n):
                        v = a[base + i * n + j]
                        for k in range(j):
                            v -= out[base + i * n + k] * out[base + j * n + k]
                        out[base + i * n + j] = v / d
                    for i in range(j):
                        out[base + i * n + j] = 0
                if not ok:
                    # as the CPU kernel: that matrix's lower triangle NaN, the rest zero
                    for i in range(n):
                        for j in range(n):
                            out[base + i * n + j] = math.nan if j <= i else 0

        @cuda.jit
        def tri_solve(a, b, out, a_of, b_of, n, m, lower, adjoint, bad):
            e = cuda.grid(1)
            if e < a_of.shape[0] * m:
                t, col = e // m, e % m
                ab, bb, ob = a_of[t] * n * n, b_of[t] * n * m, t * n * m
                # the triangle actually used: lower, or upper; adjoint reads its transpose
                forward = lower != adjoint
                for s in range(n):
                    i = s if forward else n - 1 - s
                    v = b[bb + i * m + col]
                    for q in range(s):
                        k = q if forward else n - 1 - q
                        aik = a[ab + k * n + i] if adjoint else a[ab + i * n + k]
                        v -= aik * out[ob + k * m + col]
                    d = a[ab + i * n + i]
                    if d == 0:
                        bad[0] = 1
                        return
                    out[ob + i * m + col] = v / d
        ks = _KERNELS["solvers"] = (cholesky, tri_solve)
    return ks


@register("Cholesky", dtypes=_dev.FLOATS)
def cholesky(input):
    x = _dev.contiguous(_dev.dev(input))
    shape = tuple(x.shape)
    if len(shape) < 2:
        raise errors.InvalidArgumentError(
            None, None, f"Input tensor 0 must have rank >= 2, got {len(shape)}")
    if shape[-1] != shape[-2]:
        raise errors.InvalidArgumentError(None, None, "Input matrix must be square.")
    out = _dev.empty(shape, x.dtype)
    n, batch = shape[-1], _dev.size_of(shape[:-2])
    if n and batch:
        _solver_kernels()[0][_dev.blocks_for(batch), _dev.TPB](_dev.flat(x), _dev.flat(out),
                                                                n, batch)
    return out


def _solve_operands(matrix, rhs):
    """The two solvers' operands on the device, with the CPU kernels' shape errors: a square
    matrix, a right-hand side with as many rows, batch dimensions that broadcast."""
    a = _dev.contiguous(_dev.dev(matrix))
    b = _dev.contiguous(_dev.dev(rhs))
    ash, bsh = tuple(a.shape), tuple(b.shape)
    if len(ash) < 2 or ash[-1] != ash[-2]:
        raise errors.InvalidArgumentError(None, None, "Input matrix must be square.")
    if len(bsh) < 2 or bsh[-2] != ash[-1]:
        raise errors.InvalidArgumentError(
            None, None, "Input matrix and right-hand side must have the same number of rows.")
    try:
        batch = tuple(np.broadcast_shapes(ash[:-2], bsh[:-2]))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Incompatible shapes: {list(ash)} vs. {list(bsh)}") from None
    n, m = ash[-1], bsh[-1]
    return a, b, ash, bsh, batch, n, m


@register("MatrixTriangularSolve", dtypes=_dev.FLOATS)
def matrix_triangular_solve(matrix, rhs, *, lower, adjoint):
    a, b, ash, bsh, batch, n, m = _solve_operands(matrix, rhs)
    out = _dev.empty(batch + (n, m), b.dtype)
    nb = _dev.size_of(batch)
    if n and m and nb:
        # which matrix of a and of b each output matrix reads (batch broadcasting)
        def of(sh):
            ids = np.arange(_dev.size_of(sh), dtype=np.int64).reshape(sh)
            return np.ascontiguousarray(np.broadcast_to(ids, batch)).reshape(-1)
        bad = _dev.to_device(np.zeros(1, np.int32))
        _solver_kernels()[1][_dev.blocks_for(nb * m), _dev.TPB](
            _dev.flat(a), _dev.flat(b), _dev.flat(out), _dev.to_device(of(ash[:-2])),
            _dev.to_device(of(bsh[:-2])), n, m, bool(lower), bool(adjoint), bad)
        if bad.copy_to_host()[0]:
            # a zero on the diagonal: the CPU kernel's error (TF's CPU solver raises it)
            raise errors.InvalidArgumentError(None, None, "Input matrix is not invertible.")
    return out


# --- MatrixDeterminant, MatrixInverse, MatrixSolve: LU with partial pivoting, a thread per
# output matrix ---------------------------------------------------------------------------
_DET, _INVERSE, _SOLVE = range(3)


def _lu_kernel():
    k = _KERNELS.get("lu")
    if k is None:
        @cuda.jit
        def lu(a, b, out, a_of, b_of, n, m, adjoint, work, perm, bad, mode):
            t = cuda.grid(1)
            if t < a_of.shape[0]:
                ab, w, pb = a_of[t] * n * n, t * n * n, t * n
                for i in range(n):
                    perm[pb + i] = i
                    for j in range(n):
                        work[w + i * n + j] = a[ab + j * n + i] if adjoint else \
                            a[ab + i * n + j]
                sign = 1.0
                singular = False
                for c in range(n):
                    p = c
                    for r in range(c + 1, n):
                        if abs(work[w + r * n + c]) > abs(work[w + p * n + c]):
                            p = r
                    if work[w + p * n + c] == 0:
                        singular = True
                        break
                    if p != c:
                        sign = -sign
                        q = perm[pb + c]
                        perm[pb + c] = perm[pb + p]
                        perm[pb + p] = q
                        for j in range(n):
                            v = work[w + c * n + j]
                            work[w + c * n + j] = work[w + p * n + j]
                            work[w + p * n + j] = v
                    piv = work[w + c * n + c]
                    for r in range(c + 1, n):
                        f = work[w + r * n + c] / piv
                        work[w + r * n + c] = f
                        for j in range(c + 1, n):
                            work[w + r * n + j] -= f * work[w + c * n + j]
                if mode == 0:
                    d = 0.0 if singular else sign
                    if not singular:
                        for i in range(n):
                            d *= work[w + i * n + i]
                    out[t] = d
                    return
                if singular:
                    bad[0] = 1
                    return
                bb, ob = b_of[t] * n * m, t * n * m
                for col in range(m):
                    # forward (unit lower, rows permuted), then back substitution
                    for i in range(n):
                        pi = perm[pb + i]
                        if mode == 1:
                            v = 1.0 if pi == col else 0.0
                        else:
                            v = b[bb + pi * m + col]
                        for k in range(i):
                            v -= work[w + i * n + k] * out[ob + k * m + col]
                        out[ob + i * m + col] = v
                    for i in range(n - 1, -1, -1):
                        v = out[ob + i * m + col]
                        for k in range(i + 1, n):
                            v -= work[w + i * n + k] * out[ob + k * m + col]
                        out[ob + i * m + col] = v / work[w + i * n + i]
        k = _KERNELS["lu"] = lu
    return k


def _run_lu(a, b, batch, a_batch, b_batch, n, m, adjoint, mode, out):
    nb = _dev.size_of(batch)

    def of(sh):
        ids = np.arange(_dev.size_of(sh), dtype=np.int64).reshape(sh)
        return np.ascontiguousarray(np.broadcast_to(ids, batch)).reshape(-1)
    work = _dev.empty((max(nb * n * n, 1),), a.dtype)
    perm = _dev.empty((max(nb * n, 1),), np.int64)
    bad = _dev.to_device(np.zeros(1, np.int32))
    _lu_kernel()[_dev.blocks_for(nb), _dev.TPB](
        _dev.flat(a), _dev.flat(b), _dev.flat(out), _dev.to_device(of(a_batch)),
        _dev.to_device(of(b_batch)), n, m, bool(adjoint), work, perm, bad, mode)
    return bool(bad.copy_to_host()[0])


@register("MatrixDeterminant", dtypes=_dev.FLOATS)
def matrix_determinant(input):
    x = _dev.contiguous(_dev.dev(input))
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrices must be square, got {list(shape)}")
    batch, n = shape[:-2], shape[-1]
    out = _dev.empty(batch, x.dtype)
    if _dev.size_of(batch):
        if n == 0:
            from .array import full
            return full(batch, 1, x.dtype)
        _run_lu(x, x, batch, batch, batch, n, 0, False, _DET, out)
    return out


@register("MatrixInverse", dtypes=_dev.FLOATS)
def matrix_inverse(input, *, adjoint):
    x = _dev.contiguous(_dev.dev(input))
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrices must be squares, got "
                        f"{shape[-2] if len(shape) >= 2 else 0} != {shape[-1]}")
    batch, n = shape[:-2], shape[-1]
    out = _dev.empty(shape, x.dtype)
    if n and _dev.size_of(batch) and _run_lu(x, x, batch, batch, batch, n, n, adjoint,
                                             _INVERSE, out):
        raise errors.InvalidArgumentError(None, None, "Input is not invertible.")
    return out


@register("MatrixSolve", dtypes=_dev.FLOATS)
def matrix_solve(matrix, rhs, *, adjoint):
    a, b, ash, bsh, batch, n, m = _solve_operands(matrix, rhs)
    out = _dev.empty(batch + (n, m), b.dtype)
    if n and m and _dev.size_of(batch) and _run_lu(a, b, batch, ash[:-2], bsh[:-2], n, m,
                                                   adjoint, _SOLVE, out):
        raise errors.InvalidArgumentError(None, None, "Input matrix is not invertible.")
    return out


# --- Einsum: a thread per output element sums over the contracted labels -------------------
# Every label (each axis of an ellipsis gets its own) has a size and, per operand, a stride:
# 0 where the operand lacks it or broadcasts it, the sum of its axes' strides where a label
# repeats within the operand (a diagonal). The output's labels are its dims; the others are
# summed over in a loop. Plain loops, not GEMM tiles: correct for any equation, fast for
# none in particular (MatMul and BatchMatMulV2 have the tiled kernels).
def _einsum_kernel():
    k = _KERNELS.get("einsum")
    if k is None:
        @cuda.jit
        def einsum(x0, x1, out, sizes, st0, st1, n_out, n_lab, n_sum, two):
            e = cuda.grid(1)
            if e < out.shape[0]:
                o0 = 0
                o1 = 0
                rest = e
                for d in range(n_out - 1, -1, -1):
                    i = rest % sizes[d]
                    rest //= sizes[d]
                    o0 += i * st0[d]
                    o1 += i * st1[d]
                acc = x0[0] * 0
                for c in range(n_sum):
                    p0 = o0
                    p1 = o1
                    rest = c
                    for d in range(n_lab - 1, n_out - 1, -1):
                        i = rest % sizes[d]
                        rest //= sizes[d]
                        p0 += i * st0[d]
                        p1 += i * st1[d]
                    if two:
                        acc += x0[p0] * x1[p1]
                    else:
                        acc += x0[p0]
                out[e] = acc
        k = _KERNELS["einsum"] = einsum
    return k


def _einsum_plan(equation, shapes):
    from ..shapes import einsum_shape, parse_equation
    einsum_shape(equation, [list(s) for s in shapes],
                 lambda msg: errors.InvalidArgumentError(None, None, msg))
    in_labels, out_labels = parse_equation(equation)
    n_ell = max((len(s) - len([x for x in labs if x != "..."])
                 for labs, s in zip(in_labels, shapes) if "..." in labs), default=0)
    ell = [("...", a) for a in range(n_ell)]
    sizes, strides = {}, []
    for labs, s in zip(in_labels, shapes):
        axes = []
        for lab in labs:
            if lab == "...":
                k = len(s) - (len(labs) - 1)
                axes.extend(ell[n_ell - k:])
            else:
                axes.append(lab)
        st = _dev.c_strides(s)
        mine = {}
        for lab, d, sd in zip(axes, s, st):
            if d != 1 or sizes.get(lab, 1) == 1:
                sizes[lab] = max(sizes.get(lab, 1), int(d))
            if d != 1:
                mine[lab] = mine.get(lab, 0) + sd
        strides.append(mine)
    out_axes = []
    for lab in out_labels:
        out_axes.extend(ell if lab == "..." else [lab])
    summed = [lab for lab in sizes if lab not in out_axes]
    order = out_axes + summed
    size_arr = np.array([sizes.get(lab, 1) for lab in order], np.int64)
    st_arr = [np.array([m.get(lab, 0) for lab in order], np.int64) for m in strides]
    out_shape = tuple(int(v) for v in size_arr[:len(out_axes)])
    n_sum = int(np.prod(size_arr[len(out_axes):], dtype=np.int64))
    return out_shape, size_arr, st_arr, len(out_axes), n_sum


@register("Einsum", dtypes=_dev.FLOATS, check=lambda op: len(op.inputs) in (1, 2))
def einsum(*inputs, equation):
    xs = [_dev.contiguous(_dev.dev(x)) for x in inputs]
    out_shape, sizes, st, n_out, n_sum = _einsum_plan(equation, [tuple(x.shape) for x in xs])
    out = _dev.empty(out_shape, xs[0].dtype)
    n = _dev.size_of(out_shape)
    if n:
        if n_sum == 0 or any(not _dev.size_of(x.shape) for x in xs):
            from .array import full
            return full(out_shape, 0, xs[0].dtype)
        two = len(xs) == 2
        _einsum_kernel()[_dev.blocks_for(n), _dev.TPB](
            _dev.flat(xs[0]), _dev.flat(xs[-1]), _dev.flat(out), _dev.to_device(sizes),
            _dev.to_device(st[0]), _dev.to_device(st[-1]), n_out, len(sizes), n_sum, two)
    return out


# --- Qr: TF 2.21's GPU Qr keeps input, q and r in host memory: the CPU's Householder QR ------
_dev.register_host("Qr", dtypes=("float32", "float64", "complex128"))


# --- SelfAdjointEigV2 and Svd: Jacobi rotations, a thread per matrix -------------------------
# Jacobi rather than a tridiagonal/bidiagonal QR (cuSOLVER's) because each rotation is a few
# lines and a thread can own a matrix: cyclic sweeps over the (p, q) pairs until no pair is
# coupled beyond the dtype's epsilon (quadratic convergence: a handful of sweeps). Signs of
# vectors are as Jacobi leaves them, which need not be LAPACK's: TF makes no promise there.
_MAX_SWEEPS = 60


def _eigh_kernel():
    k = _KERNELS.get("eigh")
    if k is None:
        @cuda.jit
        def eigh(x, e, v, a, n, want_v, eps):
            t = cuda.grid(1)
            if t < e.shape[0] // n:
                b = t * n * n
                for i in range(n):                  # the lower triangle, mirrored
                    for j in range(n):
                        a[b + i * n + j] = x[b + i * n + j] if i >= j else x[b + j * n + i]
                        if want_v:
                            v[b + i * n + j] = 1.0 if i == j else 0.0
                for sweep in range(_MAX_SWEEPS):
                    off = 0.0
                    total = 0.0
                    for i in range(n):
                        for j in range(n):
                            w = a[b + i * n + j] * 1.0
                            total += w * w
                            if i != j:
                                off += w * w
                    if off <= eps * eps * total:
                        break
                    for p in range(n - 1):
                        for q in range(p + 1, n):
                            apq = a[b + p * n + q] * 1.0
                            if apq == 0.0:
                                continue
                            theta = (a[b + q * n + q] - a[b + p * n + p]) / (2.0 * apq)
                            r = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
                            tn = -r if theta < 0 else r
                            c = 1.0 / math.sqrt(tn * tn + 1.0)
                            s = tn * c
                            for kk in range(n):         # A <- A J (columns p, q)
                                akp = a[b + kk * n + p] * 1.0
                                akq = a[b + kk * n + q] * 1.0
                                a[b + kk * n + p] = c * akp - s * akq
                                a[b + kk * n + q] = s * akp + c * akq
                            for kk in range(n):         # A <- J^T A (rows p, q)
                                apk = a[b + p * n + kk] * 1.0
                                aqk = a[b + q * n + kk] * 1.0
                                a[b + p * n + kk] = c * apk - s * aqk
                                a[b + q * n + kk] = s * apk + c * aqk
                            if want_v:
                                for kk in range(n):
                                    vkp = v[b + kk * n + p] * 1.0
                                    vkq = v[b + kk * n + q] * 1.0
                                    v[b + kk * n + p] = c * vkp - s * vkq
                                    v[b + kk * n + q] = s * vkp + c * vkq
                for i in range(n):
                    e[t * n + i] = a[b + i * n + i]
                for i in range(n):                  # ascending, vectors alongside
                    m = i
                    for j in range(i + 1, n):
                        if e[t * n + j] < e[t * n + m]:
                            m = j
                    if m != i:
                        w = e[t * n + i]
                        e[t * n + i] = e[t * n + m]
                        e[t * n + m] = w
                        if want_v:
                            for kk in range(n):
                                w = v[b + kk * n + i]
                                v[b + kk * n + i] = v[b + kk * n + m]
                                v[b + kk * n + m] = w
        k = _KERNELS["eigh"] = eigh
    return k


def _svd_kernel():
    k = _KERNELS.get("svd")
    if k is None:
        @cuda.jit
        def svd(x, s, left, right, w, rows, cols, trans, lc, want_uv, eps):
            # one-sided (Hestenes) Jacobi on the columns of a rows x cols matrix, rows >= cols
            # (the transposed input when it is wide: `trans`); w holds its columns
            t = cuda.grid(1)
            if t < s.shape[0] // cols:
                xb = t * rows * cols
                for i in range(rows):
                    for j in range(cols):
                        w[xb + j * rows + i] = x[xb + j * rows + i] if trans else \
                            x[xb + i * cols + j]
                rb = t * cols * cols
                if want_uv:
                    for i in range(cols):
                        for j in range(cols):
                            right[rb + i * cols + j] = 1.0 if i == j else 0.0
                for sweep in range(_MAX_SWEEPS):
                    rotated = False
                    for p in range(cols - 1):
                        for q in range(p + 1, cols):
                            al = 0.0
                            be = 0.0
                            ga = 0.0
                            for i in range(rows):
                                wp = w[xb + p * rows + i] * 1.0
                                wq = w[xb + q * rows + i] * 1.0
                                al += wp * wp
                                be += wq * wq
                                ga += wp * wq
                            if ga == 0.0 or abs(ga) <= eps * math.sqrt(al * be):
                                continue
                            rotated = True
                            zeta = (be - al) / (2.0 * ga)
                            r = 1.0 / (abs(zeta) + math.sqrt(1.0 + zeta * zeta))
                            tn = -r if zeta < 0 else r
                            c = 1.0 / math.sqrt(1.0 + tn * tn)
                            sn = c * tn
                            for i in range(rows):
                                wp = w[xb + p * rows + i] * 1.0
                                wq = w[xb + q * rows + i] * 1.0
                                w[xb + p * rows + i] = c * wp - sn * wq
                                w[xb + q * rows + i] = sn * wp + c * wq
                            if want_uv:
                                for i in range(cols):
                                    vp = right[rb + i * cols + p] * 1.0
                                    vq = right[rb + i * cols + q] * 1.0
                                    right[rb + i * cols + p] = c * vp - sn * vq
                                    right[rb + i * cols + q] = sn * vp + c * vq
                    if not rotated:
                        break
                sb = t * cols
                for j in range(cols):
                    acc = 0.0
                    for i in range(rows):
                        acc += w[xb + j * rows + i] * w[xb + j * rows + i]
                    s[sb + j] = math.sqrt(acc)
                for i in range(cols):                   # descending, vectors alongside
                    m = i
                    for j in range(i + 1, cols):
                        if s[sb + j] > s[sb + m]:
                            m = j
                    if m != i:
                        tmp = s[sb + i]
                        s[sb + i] = s[sb + m]
                        s[sb + m] = tmp
                        for kk in range(rows):
                            tmp = w[xb + i * rows + kk]
                            w[xb + i * rows + kk] = w[xb + m * rows + kk]
                            w[xb + m * rows + kk] = tmp
                        if want_uv:
                            for kk in range(cols):
                                tmp = right[rb + kk * cols + i]
                                right[rb + kk * cols + i] = right[rb + kk * cols + m]
                                right[rb + kk * cols + m] = tmp
                if not want_uv:
                    return
                # left vectors: the normalised columns; where a singular value is (nearly)
                # zero, and past `cols` for full_matrices, a completion of the orthonormal
                # basis (Gram-Schmidt, twice, of the unit vector least in the span so far)
                lb = t * rows * lc
                tol = eps * s[sb] * rows
                rank = 0
                for j in range(cols):
                    if s[sb + j] > tol and s[sb + j] > 0:
                        rank = j + 1
                for j in range(rank):
                    for i in range(rows):
                        left[lb + i * lc + j] = w[xb + j * rows + i] / s[sb + j]
                for j in range(rank, lc):
                    best = 0
                    best_norm = -1.0
                    for cand in range(rows):
                        res = 1.0
                        for jj in range(j):
                            d = left[lb + cand * lc + jj] * 1.0
                            res -= d * d
                        if res > best_norm:
                            best_norm = res
                            best = cand
                    for i in range(rows):
                        left[lb + i * lc + j] = 1.0 if i == best else 0.0
                    for rep in range(2):
                        for jj in range(j):
                            d = 0.0
                            for i in range(rows):
                                d += left[lb + i * lc + jj] * left[lb + i * lc + j]
                            for i in range(rows):
                                left[lb + i * lc + j] -= d * left[lb + i * lc + jj]
                        nrm = 0.0
                        for i in range(rows):
                            nrm += left[lb + i * lc + j] * left[lb + i * lc + j]
                        nrm = math.sqrt(nrm)
                        for i in range(rows):
                            left[lb + i * lc + j] /= nrm
        k = _KERNELS["svd"] = svd
    return k


def _cpu_on_host(op_type, x, **attrs):
    """The CPU kernel on a host copy (its errors, and the empty shapes), outputs back on the
    device."""
    out = registry.get(op_type).kernel_for("CPU")(_dev.to_host(x), **attrs)
    return tuple(_dev.to_device(np.asarray(o)) for o in out)


def _eps(dtype):
    return float(np.finfo(dtype).eps)


@register("SelfAdjointEigV2", dtypes=_dev.FLOATS)
def self_adjoint_eig(input, *, compute_v):
    x = _dev.contiguous(_dev.dev(input))
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2] or not _dev.size_of(shape):
        return _cpu_on_host("SelfAdjointEigV2", x, compute_v=compute_v)
    batch, n = shape[:-2], shape[-1]
    nb = _dev.size_of(batch)
    e = _dev.empty(batch + (n,), x.dtype)
    v = _dev.empty(shape if compute_v else (1,), x.dtype)
    work = _dev.empty((nb * n * n,), x.dtype)
    _eigh_kernel()[_dev.blocks_for(nb), _dev.TPB](
        _dev.flat(x), _dev.flat(e), _dev.flat(v), work, n, bool(compute_v), _eps(x.dtype))
    if not compute_v:
        v = _dev.to_device(np.zeros((), x.dtype))       # the CPU kernel's placeholder
    return e, v


@register("Svd", dtypes=_dev.FLOATS)
def svd(input, *, compute_uv, full_matrices):
    x = _dev.contiguous(_dev.dev(input))
    shape = tuple(x.shape)
    if len(shape) < 2 or not _dev.size_of(shape):
        return _cpu_on_host("Svd", x, compute_uv=compute_uv, full_matrices=full_matrices)
    batch, m, n = shape[:-2], shape[-2], shape[-1]
    nb = _dev.size_of(batch)
    trans = m < n                       # a wide matrix: the SVD of its transpose
    rows, cols = (n, m) if trans else (m, n)
    lc = rows if full_matrices else cols
    s = _dev.empty(batch + (cols,), x.dtype)
    want = bool(compute_uv)
    left = _dev.empty(batch + (rows, lc) if want else (1,), x.dtype)
    right = _dev.empty(batch + (cols, cols) if want else (1,), x.dtype)
    work = _dev.empty((nb * rows * cols,), x.dtype)
    _svd_kernel()[_dev.blocks_for(nb), _dev.TPB](
        _dev.flat(x), _dev.flat(s), _dev.flat(left), _dev.flat(right), work, rows, cols,
        trans, lc, want, _eps(x.dtype))
    if not want:
        empty = _dev.to_device(np.zeros((), x.dtype))   # the CPU kernel's placeholders
        return s, empty, empty
    return (s, right, left) if trans else (s, left, right)


# --- Cross: one thread per 3-vector ------------------------------------------------------------
def _cross_kernel():
    k = _KERNELS.get("cross")
    if k is None:
        @cuda.jit
        def cross(a, b, out, n):
            t = cuda.grid(1)
            if t < n:
                i = 3 * t
                out[i] = a[i + 1] * b[i + 2] - a[i + 2] * b[i + 1]
                out[i + 1] = a[i + 2] * b[i] - a[i] * b[i + 2]
                out[i + 2] = a[i] * b[i + 1] - a[i + 1] * b[i]
        k = _KERNELS["cross"] = cross
    return k


@register("Cross", dtypes=_dev.FLOATS + ("int32", "int64"))   # TF's: every real type
def cross(a, b):
    a = _dev.contiguous(_dev.dev(a))
    b = _dev.contiguous(_dev.dev(b))
    sa, sb = tuple(a.shape), tuple(b.shape)
    if sa != sb or not sa or sa[-1] != 3:
        return _cpu_on_host_1("Cross", a, b)
    out = _dev.empty(sa, a.dtype)
    n = _dev.size_of(sa) // 3
    if n:
        _cross_kernel()[_dev.blocks_for(n), _dev.TPB](_dev.flat(a), _dev.flat(b),
                                                      _dev.flat(out), n)
    return out


def _cpu_on_host_1(op_type, *args, **attrs):
    """The CPU kernel on host copies (for its errors), its one output back on the device."""
    out = registry.get(op_type).kernel_for("CPU")(*[_dev.to_host(a) for a in args], **attrs)
    return _dev.to_device(np.asarray(out))


# --- Lu and LogMatrixDeterminant: partial pivoting, one thread per matrix ------------------------
def _lu_factor_kernel():
    k = _KERNELS.get("lu_factor")
    if k is None:
        @cuda.jit
        def lu_factor(lu, perm, sign, logabs, nb, n):
            # lu holds the input and is factored in place, as the CPU kernel's _lu_batch
            b = cuda.grid(1)
            if b < nb:
                w, pb = b * n * n, b * n
                for i in range(n):
                    perm[pb + i] = i
                s = 1.0
                la = 0.0
                for c in range(n):
                    p = c
                    for r in range(c + 1, n):
                        if abs(lu[w + r * n + c]) > abs(lu[w + p * n + c]):
                            p = r
                    if p != c:
                        s = -s
                        q = perm[pb + c]
                        perm[pb + c] = perm[pb + p]
                        perm[pb + p] = q
                        for j in range(n):
                            v = lu[w + c * n + j]
                            lu[w + c * n + j] = lu[w + p * n + j]
                            lu[w + p * n + j] = v
                    piv = lu[w + c * n + c]
                    if piv == 0:
                        s = 0.0
                        la = -math.inf
                        continue
                    if piv < 0:
                        s = -s
                    la += math.log(abs(piv))
                    for r in range(c + 1, n):
                        f = lu[w + r * n + c] / piv
                        lu[w + r * n + c] = f
                        for j in range(c + 1, n):
                            lu[w + r * n + j] -= f * lu[w + c * n + j]
                sign[b] = s
                logabs[b] = la
        k = _KERNELS["lu_factor"] = lu_factor
    return k


def _factor(x, op_type):
    x = _dev.contiguous(_dev.dev(x))
    shape = tuple(x.shape)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        return None, shape
    n = shape[-1]
    nb = _dev.size_of(shape[:-2])
    lu = _dev.empty(shape, x.dtype)
    if _dev.size_of(shape):
        lu.copy_to_device(x)
    perm = _dev.empty((max(nb * n, 1),), np.int64)
    sign = _dev.empty((max(nb, 1),), x.dtype)
    logabs = _dev.empty((max(nb, 1),), x.dtype)
    if nb and n:
        _lu_factor_kernel()[_dev.blocks_for(nb), _dev.TPB](
            _dev.flat(lu), perm, sign, logabs, nb, n)
    return (lu, perm, sign, logabs, nb, n), shape


@register("Lu", dtypes=_dev.FLOATS)
def lu(input, *, output_idx_type):  # noqa: A002 - TF's name
    f, shape = _factor(input, "Lu")
    if f is None:
        return _cpu_on_host("Lu", input, output_idx_type=output_idx_type)
    lu_, perm, _, _, nb, n = f
    p = _dev.to_host(perm)[:nb * n].astype(output_idx_type.np_dtype).reshape(shape[:-1])
    return lu_, _dev.to_device(p)


@register("LogMatrixDeterminant", dtypes=_dev.FLOATS)
def log_matrix_determinant(input):  # noqa: A002 - TF's name
    f, shape = _factor(input, "LogMatrixDeterminant")
    if f is None:
        return _cpu_on_host("LogMatrixDeterminant", input)
    _, _, sign, logabs, nb, n = f
    batch = shape[:-2]
    if not nb or not n:
        from .array import full
        return full(batch, 1, np.dtype(sign.dtype)), full(batch, 0, np.dtype(sign.dtype))
    return (_dev.to_device(_dev.to_host(sign)[:nb].reshape(batch)),
            _dev.to_device(_dev.to_host(logabs)[:nb].reshape(batch)))


# --- tridiagonal systems: one thread per (system, column) ---------------------------------------
def _gtsv_kernel():
    k = _KERNELS.get("gtsv")
    if k is None:
        @cuda.jit
        def gtsv(diags, b, work, nsys, m, k, pivot, bad):
            # the CPU kernel's elimination (kernels/cpu/linalg.py _gtsv) on column c of system
            # s; work holds this thread's d, du and dl (3 m values); a zero pivot gives inf
            # and NaN, no error (as TF's)
            t = cuda.grid(1)
            if t < nsys * k:
                s, c = t // k, t % k
                db, bb, w = s * 3 * m, s * m * k, t * 3 * m
                for i in range(m):
                    work[w + i] = diags[db + m + i]                # d
                    work[w + m + i] = diags[db + i]                # du
                    work[w + 2 * m + i] = diags[db + 2 * m + i + 1] if i < m - 1 else 0.0
                for i in range(m - 1):
                    di = work[w + i]
                    dli = work[w + 2 * m + i]
                    if not pivot or abs(di) >= abs(dli):
                        fact = dli / di
                        work[w + i + 1] -= fact * work[w + m + i]
                        b[bb + (i + 1) * k + c] -= fact * b[bb + i * k + c]
                        work[w + 2 * m + i] = 0.0
                    else:
                        fact = di / dli
                        work[w + i] = dli
                        temp = work[w + i + 1]
                        work[w + i + 1] = work[w + m + i] - fact * temp
                        if i < m - 2:
                            work[w + 2 * m + i] = work[w + m + i + 1]
                            work[w + m + i + 1] = -fact * work[w + 2 * m + i]
                        else:
                            work[w + 2 * m + i] = 0.0
                        work[w + m + i] = temp
                        tb = b[bb + i * k + c]
                        b[bb + i * k + c] = b[bb + (i + 1) * k + c]
                        b[bb + (i + 1) * k + c] = tb - fact * b[bb + (i + 1) * k + c]
                b[bb + (m - 1) * k + c] /= work[w + m - 1]
                if m > 1:
                    b[bb + (m - 2) * k + c] = (b[bb + (m - 2) * k + c] - work[w + m + m - 2] *
                                               b[bb + (m - 1) * k + c]) / work[w + m - 2]
                for i in range(m - 3, -1, -1):
                    b[bb + i * k + c] = (b[bb + i * k + c] - work[w + m + i] *
                                         b[bb + (i + 1) * k + c] - work[w + 2 * m + i] *
                                         b[bb + (i + 2) * k + c]) / work[w + i]
        k = _KERNELS["gtsv"] = gtsv
    return k


@register("TridiagonalSolve", dtypes=_dev.FLOATS)
def tridiagonal_solve(diagonals, rhs, *, partial_pivoting, perturb_singular):
    d = _dev.contiguous(_dev.dev(diagonals))
    r = _dev.contiguous(_dev.dev(rhs))
    ds, rs = tuple(d.shape), tuple(r.shape)
    if perturb_singular or len(ds) < 2 or ds[-2] != 3 or len(rs) < 2 or rs[-2] != ds[-1] \
            or ds[:-2] != rs[:-2] or not _dev.size_of(rs):
        out = registry.get("TridiagonalSolve").kernel_for("CPU")(
            _dev.to_host(d), _dev.to_host(r), partial_pivoting=partial_pivoting,
            perturb_singular=perturb_singular)
        return _dev.to_device(np.asarray(out))
    m, k = rs[-2], rs[-1]
    nsys = _dev.size_of(rs[:-2])
    out = _dev.empty(rs, r.dtype)
    out.copy_to_device(r)
    work = _dev.empty((nsys * k * 3 * m,), r.dtype)
    bad = _dev.to_device(np.zeros(1, np.int32))
    _gtsv_kernel()[_dev.blocks_for(nsys * k), _dev.TPB](
        _dev.flat(d), _dev.flat(out), work, nsys, m, k, bool(partial_pivoting), bad)
    return out


def _tridiagonal_matmul_kernel():
    k = _KERNELS.get("tridiag_mm")
    if k is None:
        @cuda.jit
        def tmm(sup, main, sub, rhs, out, m, n, total):
            e = cuda.grid(1)
            if e < total:
                s = e // (m * n)
                i = (e // n) % m
                j = e % n
                db, rb = s * m, s * m * n
                v = main[db + i] * rhs[rb + i * n + j]
                if i + 1 < m:
                    v += sup[db + i] * rhs[rb + (i + 1) * n + j]
                if i > 0:
                    v += sub[db + i] * rhs[rb + (i - 1) * n + j]
                out[e] = v
        k = _KERNELS["tridiag_mm"] = tmm
    return k


@register("TridiagonalMatMul", dtypes=_dev.FLOATS)
def tridiagonal_mat_mul(superdiag, maindiag, subdiag, rhs):
    args = [_dev.contiguous(_dev.dev(a)) for a in (superdiag, maindiag, subdiag, rhs)]
    rs = tuple(args[3].shape)
    m = rs[-2] if len(rs) >= 2 else -1
    want = rs[:-2] + (1, m)
    if len(rs) < 2 or any(tuple(a.shape) != want for a in args[:3]):
        out = registry.get("TridiagonalMatMul").kernel_for("CPU")(
            *[_dev.to_host(a) for a in args])
        return _dev.to_device(np.asarray(out))
    out = _dev.empty(rs, args[3].dtype)
    total = _dev.size_of(rs)
    if total:
        _tridiagonal_matmul_kernel()[_dev.blocks_for(total), _dev.TPB](
            *[_dev.flat(a) for a in args], _dev.flat(out), m, rs[-1], total)
    return out
