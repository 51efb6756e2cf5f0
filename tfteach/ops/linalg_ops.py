"""Matrix ops: matmul (MatMul / BatchMatMulV2), matrix_inverse, matrix_transpose, tensordot.

Declarations and constructors; the kernels are in `tfteach/kernels/<device>/linalg.py`.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape
from . import shape_rules


def _matmul_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank(op, a, 2)
    shape_rules.require_rank(op, b, 2)
    if a.rank is None or b.rank is None:
        return [unknown_shape(2)]
    (m, ka), (kb, n) = a.as_tuple(), b.as_tuple()
    if op.get_attr("transpose_a"):
        m, ka = ka, m
    if op.get_attr("transpose_b"):
        kb, n = n, kb
    shape_rules.merge_dim(op, ka, kb)
    return [TensorShape([m, n])]


def _batch_matmul_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank_at_least(op, a, 2)
    shape_rules.require_rank_at_least(op, b, 2)
    if a.rank is None or b.rank is None:
        return [unknown_shape()]
    da, db = list(a.as_tuple()), list(b.as_tuple())
    m, ka = da[-2:]
    kb, n = db[-2:]
    if op.get_attr("adj_x"):
        m, ka = ka, m
    if op.get_attr("adj_y"):
        kb, n = n, kb
    shape_rules.merge_dim(op, ka, kb)
    from ..framework.tensor_shape import broadcast_shapes
    batch = broadcast_shapes(TensorShape(da[:-2]), TensorShape(db[:-2]))
    if batch is None:
        raise op.shape_error(f"Incompatible batch dimensions: {da[:-2]} vs. {db[:-2]}")
    return [batch.concatenate(TensorShape([m, n]))]


registry.register_op("MatMul", inputs=(("a", "T"), ("b", "T")), outputs=(("product", "T"),),
                     shape=_matmul_shape,
                     attr_defaults={"transpose_a": False, "transpose_b": False,
                                    "grad_a": False, "grad_b": False},
                     doc="The matrix product of two 2-D tensors (optionally transposed).")
registry.register_op("BatchMatMulV2", inputs=(("x", "T"), ("y", "T")),
                     outputs=(("output", "T"),), shape=_batch_matmul_shape,
                     attr_defaults={"adj_x": False, "adj_y": False, "grad_x": False,
                                    "grad_y": False},
                     doc="Matrix products over the last two axes, batch axes broadcast.")


def _square_shape(op):
    x = op.inputs[0].shape
    shape_rules.require_rank_at_least(op, x, 2)
    if x.rank is None:
        return [unknown_shape()]
    d = list(x.as_tuple())
    shape_rules.merge_dim(op, d[-2], d[-1])
    k = d[-1] if d[-1] is not None else d[-2]
    return [TensorShape(d[:-2] + [k, k])]


registry.register_op("MatrixInverse", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_square_shape, attr_defaults={"adjoint": False},
                     doc="The inverse (or adjoint's inverse) of each square matrix in the batch.")
registry.register_op("MatrixDeterminant", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=lambda op: [_square_shape(op)[0][:-2]
                                       if op.inputs[0].shape.rank is not None
                                       else unknown_shape()],
                     doc="The determinant of each square matrix in the batch.")


def _rank_of(x):
    d = shape_rules.static_dims(x)
    return None if d is None else len(d)


@registry.api("BatchMatMulV2")
@registry.api("MatMul")
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False,
           grad_b=False, name=None):
    """Matrix product: `MatMul` for rank-2 operands, `BatchMatMulV2` (broadcasting batch
    dimensions) when either has rank > 2. Integer dtypes work too."""
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    with _ops.name_scope(name, "MatMul", [a, b]) as scope:
        if not _ops.is_symbolic(a) and not getattr(a, "_is_eager", False) and \
                getattr(a, "_tfteach_dtype", None) is None:
            a = _ops.convert_to_tensor(a, name="a")
        if not _ops.is_symbolic(b) and not getattr(b, "_is_eager", False) and \
                getattr(b, "_tfteach_dtype", None) is None:
            b = _ops.convert_to_tensor(b, dtype=getattr(a, "dtype", None), name="b")
        shape_rules.check_dtype("MatMul", "a", a, shape_rules.MATMUL_TYPES)
        ra, rb = _rank_of(a), _rank_of(b)
        if (ra is None or ra > 2) or (rb is None or rb > 2):
            return apply_op("BatchMatMulV2", [a, b],
                            {"adj_x": bool(transpose_a or adjoint_a),
                             "adj_y": bool(transpose_b or adjoint_b),
                             "grad_x": grad_a, "grad_y": grad_b}, name=scope)[0]
        return apply_op("MatMul", [a, b],
                        {"transpose_a": bool(transpose_a or adjoint_a),
                         "transpose_b": bool(transpose_b or adjoint_b),
                         "grad_a": grad_a, "grad_b": grad_b}, name=scope)[0]


@registry.api("MatrixInverse")
def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002 - TF's name
    """Inverse of each inner square matrix. A singular matrix fails at run time with
    InvalidArgumentError "Input is not invertible." (as TF's LU check)."""
    shape_rules.check_dtype("MatrixInverse", "input", input, shape_rules.INVERSE_TYPES)
    return apply_op("MatrixInverse", [input], {"adjoint": bool(adjoint)},
                    name=name or "MatrixInverse")[0]


inv = matrix_inverse


@registry.api("MatrixDeterminant")
def matrix_determinant(input, name=None):  # noqa: A002
    return apply_op("MatrixDeterminant", [input], name=name or "MatrixDeterminant")[0]


det = matrix_determinant


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the last two dimensions (a `Transpose` inside the `matrix_transpose` scope)."""
    from . import array_ops
    with _ops.name_scope(name, "matrix_transpose", [a]):
        a = _ops.convert_to_tensor(a, name="a")
        rank = _rank_of(a)
        if rank is None:
            raise ValueError("matrix_transpose needs a tensor of known rank here")
        if rank < 2:
            raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  "
                             f"Received `a` = {a} with shape: {a.shape}")
        perm = list(range(rank - 2)) + [rank - 1, rank - 2]
        if conjugate and a.dtype.is_complex:
            # the adjoint (TF builds one ConjugateTranspose; tfteach Conj after Transpose)
            from . import math_ops
            return math_ops.conj(array_ops.transpose(a, perm=perm))
        return array_ops.transpose(a, perm=perm)


def tensordot(a, b, axes, name=None):
    """Contraction over `axes` (an int N: last N of a with first N of b; or two lists),
    built as transpose + reshape + MatMul + reshape like TF."""
    from . import array_ops
    with _ops.name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = _ops.convert_to_tensor(a, name="a")
        b = _ops.convert_to_tensor(b, name="b")
        sa, sb = _static_dims(a), _static_dims(b)
        if sa is None or sb is None or None in sa or None in sb:
            raise ValueError("tfteach's tensordot needs fully known static shapes")
        if isinstance(axes, int):
            if axes < 0:
                raise ValueError(f"'axes' must be at least 0, got {axes}.")
            ax_a = list(range(len(sa) - axes, len(sa)))
            ax_b = list(range(axes))
        else:
            ax_a, ax_b = axes
            ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
            ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
            ax_a = [x % len(sa) for x in ax_a]
            ax_b = [x % len(sb) for x in ax_b]
        free_a = [i for i in range(len(sa)) if i not in ax_a]
        free_b = [i for i in range(len(sb)) if i not in ax_b]
        k = int(np.prod([sa[i] for i in ax_a], dtype=np.int64))
        a2 = _reshape_for_matmul(a, sa, free_a + ax_a,
                                 [int(np.prod([sa[i] for i in free_a], dtype=np.int64)), k])
        b2 = _reshape_for_matmul(b, sb, ax_b + free_b,
                                 [k, int(np.prod([sb[i] for i in free_b], dtype=np.int64))])
        out_dims = [sa[i] for i in free_a] + [sb[i] for i in free_b]
        if out_dims == [_static_dims(a2)[0], _static_dims(b2)[1]]:
            return matmul(a2, b2)
        ab = matmul(a2, b2)
        return array_ops.reshape(ab, out_dims, name=scope)


def _reshape_for_matmul(x, dims, perm, shape2):
    """Transposes/reshapes only when needed (TF skips them for operands already in form)."""
    from . import array_ops
    if perm != list(range(len(dims))):
        x = array_ops.transpose(x, perm)
        dims = [dims[p] for p in perm]
    if dims != shape2:
        x = array_ops.reshape(x, shape2)
    return x


def _static_dims(x):
    return shape_rules.static_dims(x)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dt.float32, name=None):
    """Identity matrix, as a constant (TF builds it from MatrixDiag ops)."""
    from . import constant_op
    with _ops.name_scope(name, "eye", []) as scope:
        m = np.eye(int(num_rows), int(num_columns if num_columns is not None else num_rows),
                   dtype=_dt.as_dtype(dtype).np_dtype)
        if batch_shape is not None:
            m = np.broadcast_to(m, tuple(batch_shape) + m.shape).copy()
        return constant_op.constant(m, name=scope)


def namespace():
    """`tf.linalg`."""
    import types
    ns = types.ModuleType("tfteach.linalg")
    for k, v in {"matmul": matmul, "inv": matrix_inverse, "det": matrix_determinant,
                 "matrix_transpose": matrix_transpose, "transpose": matrix_transpose,
                 "tensordot": tensordot, "eye": eye,
                 "band_part": matrix_band_part, "diag": matrix_diag,
                 "diag_part": matrix_diag_part, "set_diag": matrix_set_diag,
                 "trace": linalg_trace, "tensor_diag": tensor_diag,
                 "tensor_diag_part": tensor_diag_part, "solve": matrix_solve,
                 "cholesky": cholesky, "qr": qr, "svd": svd, "eigh": eigh,
                 "eigvalsh": eigvalsh, "triangular_solve": triangular_solve,
                 "adjoint": adjoint, "cholesky_solve": cholesky_solve, "cross": cross,
                 "l2_normalize": l2_normalize,
                 "logdet": logdet, "lstsq": lstsq, "lu": lu,
                 "lu_matrix_inverse": lu_matrix_inverse, "lu_reconstruct": lu_reconstruct,
                 "lu_solve": lu_solve, "matrix_rank": matrix_rank, "matvec": matvec,
                 "normalize": normalize, "pinv": pinv, "slogdet": slogdet,
                 "tridiagonal_matmul": tridiagonal_matmul,
                 "tridiagonal_solve": tridiagonal_solve}.items():
        setattr(ns, k, v)
    # names that live in other op modules: resolved on first use (no import cycle here)
    lazy = {"einsum": "tfteach.ops.special_math_ops:einsum",
            "expm": "tfteach.ops.special_math_ops:expm",
            "global_norm": "tfteach.ops.clip_ops:global_norm",
            "norm": "tfteach.ops.math_ops:norm"}

    def __getattr__(name):
        if name in lazy:
            import importlib
            modname, _, attr = lazy[name].partition(":")
            value = getattr(importlib.import_module(modname), attr)
            setattr(ns, name, value)
            return value
        raise AttributeError(name)
    ns.__getattr__ = __getattr__
    from ..framework.api_names import install
    return install(ns, "tf.compat.v1.linalg")


# --- band and diagonal ops -------------------------------------------------------------------

def _diag_range(op, i):
    """(lo, hi) of the `k` input when it is a constant, else None."""
    k = shape_rules.const_input(op, i)
    if k is None:
        return None
    k = np.asarray(k).reshape(-1)
    return int(k[0]), int(k[-1])


def _max_diag_len(m, n, lo, hi):
    return max(min(m + min(0, d), n - max(0, d)) for d in range(lo, hi + 1))


def _matrix_diag_shape(op):
    d = op.inputs[0].shape
    k = _diag_range(op, 1)
    rows, cols = shape_rules.const_input(op, 2), shape_rules.const_input(op, 3)
    if d.rank is None or k is None or rows is None or cols is None:
        return [unknown_shape()]
    lo, hi = k
    dims = list(d.as_tuple())
    batch, length = (dims[:-1], dims[-1]) if lo == hi else (dims[:-2], dims[-1])
    if length is None:
        return [TensorShape(batch + [None, None])]
    rows, cols = int(np.reshape(rows, -1)[0]), int(np.reshape(cols, -1)[0])
    min_rows, min_cols = length - min(hi, 0), length + max(lo, 0)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    return [TensorShape(batch + [rows, cols])]


def _matrix_diag_part_shape(op):
    x = op.inputs[0].shape
    shape_rules.require_rank_at_least(op, x, 2)
    k = _diag_range(op, 1)
    if x.rank is None or k is None:
        return [unknown_shape()]
    dims = list(x.as_tuple())
    m, n = dims[-2:]
    lo, hi = k
    if m is None or n is None:
        length = None
    else:
        if lo > hi:
            raise op.shape_error(f"lower_diag_index must not be larger than upper_diag_index:"
                                 f" {lo} > {hi}")
        for what, v in (("lower", lo), ("upper", hi)):
            if not ((m == 0 or v > -m) and (n == 0 or v < n)):
                raise op.shape_error(f"{what}_diag_index is out of bound: {v}. It must be "
                                     f"between {-m} and {n}")
        length = _max_diag_len(m, n, lo, hi)
    return [TensorShape(dims[:-2] + ([length] if lo == hi else [hi - lo + 1, length]))]


registry.register_op("MatrixBandPart", inputs=(("input", "T"), ("num_lower", "Tindex"),
                                               ("num_upper", "Tindex")),
                     outputs=(("band", "T"),), shape=shape_rules.same_as_first,
                     doc="Each matrix with everything outside a band of diagonals set to zero.")
registry.register_op("MatrixDiagV3", inputs=(("diagonal", "T"), ("k", _dt.int32),
                                             ("num_rows", _dt.int32), ("num_cols", _dt.int32),
                                             ("padding_value", "T")),
                     outputs=(("output", "T"),), shape=_matrix_diag_shape,
                     attr_defaults={"align": "RIGHT_LEFT"},
                     doc="Matrices with the given diagonals (and padding elsewhere).")
registry.register_op("MatrixDiagPartV3", inputs=(("input", "T"), ("k", _dt.int32),
                                                 ("padding_value", "T")),
                     outputs=(("diagonal", "T"),), shape=_matrix_diag_part_shape,
                     attr_defaults={"align": "RIGHT_LEFT"},
                     doc="The given diagonals of each matrix.")
registry.register_op("MatrixSetDiagV3", inputs=(("input", "T"), ("diagonal", "T"),
                                                ("k", _dt.int32)),
                     outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                     attr_defaults={"align": "RIGHT_LEFT"},
                     doc="Each matrix with its given diagonals replaced.")
registry.register_op("Diag", inputs=(("diagonal", "T"),), outputs=(("output", "T"),),
                     shape=lambda op: [op.inputs[0].shape.concatenate(op.inputs[0].shape)
                                       if op.inputs[0].shape.rank is not None
                                       else unknown_shape()],
                     doc="A tensor with the input on its diagonal (rank doubled).")
registry.register_op("DiagPart", inputs=(("input", "T"),), outputs=(("diagonal", "T"),),
                     shape=lambda op: [TensorShape(op.inputs[0].shape.as_tuple()[
                         :op.inputs[0].shape.rank // 2]) if op.inputs[0].shape.rank is not None
                         else unknown_shape()],
                     doc="The diagonal of a tensor made by Diag (rank halved).")

_ALIGNS = ("LEFT_RIGHT", "LEFT_LEFT", "RIGHT_LEFT", "RIGHT_RIGHT")


def _align(align):
    align = align.decode() if isinstance(align, bytes) else str(align)
    if align not in _ALIGNS:
        raise ValueError(f"Value for attr 'align' of \"{align}\" is not in the list of allowed "
                         f"values: \"LEFT_RIGHT\", \"RIGHT_LEFT\", \"LEFT_LEFT\", \"RIGHT_RIGHT\"")
    return align


@registry.api("MatrixBandPart")
def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002 - TF's name
    """Keeps the band of `num_lower` sub- and `num_upper` superdiagonals of each inner matrix
    (a negative count keeps the whole triangle), zeroing the rest."""
    return apply_op("MatrixBandPart", [input, num_lower, num_upper],
                    name=name or "MatrixBandPart")[0]


@registry.api("MatrixDiagV3")
def matrix_diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
                align="RIGHT_LEFT"):
    """Batched matrices with `diagonal` on diagonal k (or on the band k = (lo, hi), one row of
    `diagonal` per diagonal, top one first), `padding_value` elsewhere (one MatrixDiagV3)."""
    d = diagonal if _ops.is_symbolic(diagonal) or getattr(diagonal, "_is_eager", False) \
        else _ops.convert_to_tensor(diagonal, name="diagonal")
    dt = d.dtype.base_dtype
    return apply_op("MatrixDiagV3", [d, _k_value(k), np.int32(num_rows), np.int32(num_cols),
                                     _padding(padding_value, dt)],
                    {"align": _align(align)}, name=name)[0]


def _k_value(k):
    if isinstance(k, (_ops.Tensor,)) or getattr(k, "_is_eager", False):
        return k
    return np.asarray(k, dtype=np.int32)


def _padding(v, dt):
    if isinstance(v, _ops.Tensor) or getattr(v, "_is_eager", False):
        return v
    return np.asarray(v, dtype=dt.np_dtype)


@registry.api("MatrixDiagPartV3")
def matrix_diag_part(input, name="diag_part", k=0, padding_value=0,  # noqa: A002
                     align="RIGHT_LEFT"):
    """Diagonal k (or the band k = (lo, hi), top diagonal first, short ones padded) of each
    inner matrix (one MatrixDiagPartV3)."""
    x = input if _ops.is_symbolic(input) or getattr(input, "_is_eager", False) \
        else _ops.convert_to_tensor(input, name="input")
    return apply_op("MatrixDiagPartV3", [x, _k_value(k),
                                         _padding(padding_value, x.dtype.base_dtype)],
                    {"align": _align(align)}, name=name)[0]


@registry.api("MatrixSetDiagV3")
def matrix_set_diag(input, diagonal, name="set_diag", k=0,  # noqa: A002 - TF's name
                    align="RIGHT_LEFT"):
    """`input` with diagonal k (or the band k = (lo, hi)) replaced by `diagonal`."""
    return apply_op("MatrixSetDiagV3", [input, diagonal, _k_value(k)],
                    {"align": _align(align)}, name=name)[0]


def linalg_trace(x, name=None):
    """Sum of each inner matrix's main diagonal: diag_part + Sum over the last axis (TF's
    graph)."""
    from . import math_ops
    with _ops.name_scope(name, "Trace", [x]) as scope:
        x = _ops.convert_to_tensor(x, name="x")
        return math_ops.reduce_sum(matrix_diag_part(x), [-1], name=scope)


@registry.api("Diag")
def diag(diagonal, name=None):
    """The rank-2r tensor with `diagonal` (rank r) on its diagonal (one Diag op)."""
    return apply_op("Diag", [diagonal], name=name or "Diag")[0]


@registry.api("DiagPart")
def diag_part(input, name=None):  # noqa: A002 - TF's name
    """The diagonal of a rank-2r tensor of shape s + s (one DiagPart op)."""
    return apply_op("DiagPart", [input], name=name or "DiagPart")[0]


tensor_diag = diag
tensor_diag_part = diag_part
band_part = matrix_band_part
set_diag = matrix_set_diag


# --- solvers ---------------------------------------------------------------------------------

def _solve_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank_at_least(op, a, 2)
    shape_rules.require_rank_at_least(op, b, 2)
    if a.rank is None or b.rank is None:
        return [unknown_shape()]
    da, db = a.as_tuple(), b.as_tuple()
    shape_rules.merge_dim(op, da[-2], da[-1])
    shape_rules.merge_dim(op, da[-2], db[-2])
    return [TensorShape(list(db))]


registry.register_op("MatrixSolve", inputs=(("matrix", "T"), ("rhs", "T")),
                     outputs=(("output", "T"),), shape=_solve_shape,
                     attr_defaults={"adjoint": False},
                     doc="X with matrix @ X = rhs, for each matrix in the batch.")


@registry.api("MatrixSolve")
def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """X with matrix @ X = rhs (adjoint(matrix) @ X = rhs with `adjoint`) for each inner
    square matrix; a singular matrix fails at run time as in TF."""
    return apply_op("MatrixSolve", [matrix, rhs], {"adjoint": bool(adjoint)},
                    name=name or "MatrixSolve")[0]


solve = matrix_solve


# --- decompositions: Cholesky, Qr, Svd, SelfAdjointEigV2; MatrixTriangularSolve ---------------

def _matrix_dims(op):
    x = op.inputs[0].shape
    shape_rules.require_rank_at_least(op, x, 2)
    return None if x.rank is None else list(x.as_tuple())


def _min_dim(m, n):
    return None if m is None or n is None else min(m, n)


def _qr_shape(op):
    d = _matrix_dims(op)
    if d is None:
        return [unknown_shape(), unknown_shape()]
    *batch, m, n = d
    k = m if op.get_attr("full_matrices") else _min_dim(m, n)
    return [TensorShape(batch + [m, k]), TensorShape(batch + [k, n])]


def _svd_shape(op):
    d = _matrix_dims(op)
    if d is None:
        return [unknown_shape()] * 3
    *batch, m, n = d
    k = _min_dim(m, n)
    s = TensorShape(batch + [k])
    if not op.get_attr("compute_uv"):
        return [s, TensorShape([]), TensorShape([])]
    full = op.get_attr("full_matrices")
    return [s, TensorShape(batch + [m, m if full else k]),
            TensorShape(batch + [n, n if full else k])]


def _eig_shape(op):
    sq = _square_shape(op)[0]
    if sq.rank is None:
        return [unknown_shape(), unknown_shape()]
    e = TensorShape(list(sq.as_tuple())[:-1])
    return [e, sq if op.get_attr("compute_v") else TensorShape([])]


registry.register_op("Cholesky", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_square_shape,
                     doc="Lower-triangular L with L L^H = input (reads the lower triangle; NaN "
                         "if not PD).")
registry.register_op("Qr", inputs=(("input", "T"),), outputs=(("q", "T"), ("r", "T")),
                     shape=_qr_shape, attr_defaults={"full_matrices": False},
                     doc="Householder QR of each inner matrix: q with orthonormal columns, "
                         "r upper triangular.")
registry.register_op("Svd", inputs=(("input", "T"),), outputs=(("s", "T"), ("u", "T"),
                                                               ("v", "T")),
                     shape=_svd_shape,
                     attr_defaults={"compute_uv": True, "full_matrices": False},
                     doc="Singular values (descending) and, with compute_uv, the singular "
                         "vectors: input = u diag(s) v^H.")
registry.register_op("SelfAdjointEigV2", inputs=(("input", "T"),),
                     outputs=(("e", "T"), ("v", "T")), shape=_eig_shape,
                     attr_defaults={"compute_v": True},
                     doc="Eigenvalues (ascending) and eigenvectors of each self-adjoint "
                         "matrix, read from its lower triangle.")
registry.register_op("MatrixTriangularSolve", inputs=(("matrix", "T"), ("rhs", "T")),
                     outputs=(("output", "T"),),
                     shape=lambda op: [_broadcast_solve_shape(op)],
                     attr_defaults={"lower": True, "adjoint": False},
                     doc="X with matrix @ X = rhs, reading matrix's lower or upper triangle.")


def _broadcast_solve_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank_at_least(op, a, 2)
    shape_rules.require_rank_at_least(op, b, 2)
    if a.rank is None or b.rank is None:
        return unknown_shape()
    from ..framework.tensor_shape import broadcast_shapes
    da, db = a.as_tuple(), b.as_tuple()
    shape_rules.merge_dim(op, da[-2], da[-1])
    shape_rules.merge_dim(op, da[-2], db[-2])
    batch = broadcast_shapes(TensorShape(list(da[:-2])), TensorShape(list(db[:-2])))
    return TensorShape(list(batch.as_tuple()) + list(db[-2:]))


@registry.api("Cholesky")
def cholesky(input, name=None):  # noqa: A002 - TF's name
    return apply_op("Cholesky", [input], name=name or "Cholesky")[0]


@registry.api("Qr")
def qr(input, full_matrices=False, name=None):  # noqa: A002 - TF's name
    """(q, r) as TF's `Qr` namedtuple."""
    q, r = apply_op("Qr", [input], {"full_matrices": bool(full_matrices)}, name=name or "Qr")
    return _Qr(q, r)


@registry.api("Svd")
def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """s, or (s, u, v) with `compute_uv` (tensor = u diag(s) v^H)."""
    s, u, v = apply_op("Svd", [tensor], {"compute_uv": bool(compute_uv),
                                          "full_matrices": bool(full_matrices)},
                       name=name or "Svd")
    return (s, u, v) if compute_uv else s


@registry.api("SelfAdjointEigV2")
def eigh(tensor, name=None):
    e, v = apply_op("SelfAdjointEigV2", [tensor], {"compute_v": True},
                    name=name or "SelfAdjointEigV2")
    return e, v


def eigvalsh(tensor, name=None):
    return apply_op("SelfAdjointEigV2", [tensor], {"compute_v": False},
                    name=name or "SelfAdjointEigV2")[0]


self_adjoint_eig = eigh
self_adjoint_eigvals = eigvalsh


@registry.api("MatrixTriangularSolve")
def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    return apply_op("MatrixTriangularSolve", [matrix, rhs],
                    {"lower": bool(lower), "adjoint": bool(adjoint)},
                    name=name or "MatrixTriangularSolve")[0]


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    with _ops.name_scope(name, "triangular_solve", [matrix, rhs]):
        return matrix_triangular_solve(matrix, rhs, lower=lower, adjoint=adjoint)


def _qr_tuple():
    import collections
    return collections.namedtuple("Qr", ["q", "r"])


_Qr = _qr_tuple()


# --- Einsum (tf.einsum is in special_math_ops.py) -----------------------------------------------

def _einsum_shape_rule(op):
    from ..kernels.shapes import einsum_shape     # shared with the kernel; loaded on first use
    shapes = [shape_rules.dims(t.shape) for t in op.inputs]
    dims = einsum_shape(op.get_attr("equation"), shapes, op.shape_error)
    return [unknown_shape() if dims is None else TensorShape(dims)]


registry.register_op("Einsum", inputs=(("*inputs", "T"),), outputs=(("output", "T"),),
                     shape=_einsum_shape_rule,
                     doc="Sums of products of the operands over the labels of an equation.")


# --- tf.linalg compositions (built from other ops in Python, as TF builds them) -----------------

def _eps(dtype):
    return float(np.finfo(dtype.real_dtype.np_dtype if dtype.is_complex
                          else dtype.base_dtype.np_dtype).eps)


def adjoint(matrix, name=None):
    """The conjugate transpose of the inner matrices."""
    with _ops.name_scope(name, "adjoint", [matrix]):
        matrix = _ops.convert_to_tensor(matrix, name="matrix")
        return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """a @ b for a batch of matrices a and vectors b: MatMul of b as a column, squeezed."""
    from . import array_ops
    with _ops.name_scope(name, "MatVec", [a, b]) as scope:
        a = _ops.convert_to_tensor(a, name="a")
        b = _ops.convert_to_tensor(b, name="b")
        prod = matmul(a, array_ops.expand_dims(b, -1), transpose_a=transpose_a,
                      adjoint_a=adjoint_a, a_is_sparse=a_is_sparse, b_is_sparse=b_is_sparse)
        return array_ops.squeeze(prod, axis=-1, name=scope)


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices: twice the sum of the logs of
    the Cholesky factor's diagonal."""
    from . import math_ops
    with _ops.name_scope(name, "logdet", [matrix]):
        chol = cholesky(matrix)
        return 2.0 * math_ops.reduce_sum(
            math_ops.log(math_ops.real(matrix_diag_part(chol))), axis=[-1])


def cholesky_solve(chol, rhs, name=None):
    """x with A x = rhs, from A's lower Cholesky factor: two triangular solves."""
    with _ops.name_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, adjoint=False, lower=True)
        return matrix_triangular_solve(chol, y, adjoint=True, lower=True)


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above tol (default: max(s) * max(m, n) * eps)."""
    from . import array_ops, math_ops
    with _ops.name_scope(name or "matrix_rank"):
        a = _ops.convert_to_tensor(a, name="a")
        s = svd(a, compute_uv=False)
        if tol is None:
            dims = a.shape.as_list()[-2:]
            if None in dims:
                mn = math_ops.cast(math_ops.reduce_max(array_ops.shape(a)[-2:]), s.dtype)
            else:
                mn = float(max(dims))
            tol = math_ops.reduce_max(s, axis=-1, keepdims=True) * mn * _eps(a.dtype)
        else:
            tol = _ops.convert_to_tensor(tol, dtype=s.dtype, name="tol")
        return math_ops.reduce_sum(math_ops.cast(s > tol, _dt.int32), axis=-1)


def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse from the SVD, singular values at most
    rcond * max(s) treated as zero (rcond default: 10 * max(m, n) * eps)."""
    from . import array_ops, math_ops
    with _ops.name_scope(name or "pinv"):
        a = _ops.convert_to_tensor(a, name="a")
        if not a.dtype.is_floating:
            raise TypeError(f"Input `a` must have `float`-like `dtype` (saw {a.dtype.name}).")
        dtype = a.dtype.base_dtype
        if rcond is None:
            dims = a.shape.as_list()[-2:]
            if None in dims:
                mn = math_ops.cast(math_ops.reduce_max(array_ops.shape(a)[-2:]), dtype)
            else:
                mn = float(max(dims))
            rcond = 10.0 * mn * _eps(dtype)
        rcond = _ops.convert_to_tensor(rcond, dtype=dtype, name="rcond")
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = rcond * math_ops.reduce_max(s, axis=-1)
        inf = _ops.convert_to_tensor(np.array(np.inf, dtype.np_dtype))
        s = array_ops.where_v2(s > array_ops.expand_dims(cutoff, -1), s,
                               array_ops.fill(array_ops.shape(s), inf))
        return matmul(v / array_ops.expand_dims(s, -2), u, adjoint_b=True)


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002 - TF's name
    """(tensor / norm, norm), the norm kept with its reduced axes."""
    from . import math_ops
    with _ops.name_scope(name, "normalize", [tensor]):
        tensor = _ops.convert_to_tensor(tensor, name="tensor")
        n = math_ops.norm(tensor, ord=ord, axis=axis, keepdims=True)
        n = math_ops.cast(n, tensor.dtype)
        return tensor / n, n


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x^2), epsilon)) along axis (tf.nn.l2_normalize's graph)."""
    from . import math_ops
    axis = dim if axis is None else axis
    with _ops.name_scope(name, "l2_normalize", [x]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=name)


# --- Cross, LogMatrixDeterminant, Lu ----------------------------------------------------------

def _cross_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank_at_least(op, a, 1)
    if a.rank is not None and b.rank is not None and not a.is_compatible_with(b):
        raise op.shape_error(f"Dimension {0} in both shapes must be equal, but are "
                             f"{a[0]} and {b[0]}. Shapes are {a} and {b}.")
    out = a.merge_with(b) if a.is_compatible_with(b) else a
    if out.rank is not None and out[-1] is not None and out[-1] != 3:
        raise op.shape_error(f"Dimension must be 3 but is {out[-1]}")
    return [out]


registry.register_op("Cross", inputs=(("a", "T"), ("b", "T")), outputs=(("product", "T"),),
                     shape=_cross_shape,
                     doc="The cross product of 3-vectors along the last axis.")


def _slogdet_shape(op):
    k = _square_shape(op)[0]
    return [TensorShape(k.as_list()[:-2]) if k.rank is not None else unknown_shape()] * 2


registry.register_op("LogMatrixDeterminant", inputs=(("input", "T"),),
                     outputs=(("sign", "T"), ("log_abs_determinant", "T")),
                     shape=_slogdet_shape,
                     doc="The sign and log |det| of each inner square matrix.")


def _lu_shape(op):
    k = _square_shape(op)[0]
    return [k, TensorShape(k.as_list()[:-1]) if k.rank is not None else unknown_shape()]


registry.register_op("Lu", inputs=(("input", "T"),),
                     outputs=(("lu", "T"), ("p", "output_idx_type")), shape=_lu_shape,
                     attr_defaults={"output_idx_type": _dt.int32},
                     doc="LU with partial pivoting: L (unit lower) and U in one matrix, and p "
                         "with input[p] = L U.")


@registry.api("Cross")
def cross(a, b, name=None):
    """a x b for 3-vectors along the last axis (same shapes, no broadcasting: TF's Cross)."""
    return apply_op("Cross", [a, b], name=name or "Cross")[0]


@registry.api("LogMatrixDeterminant")
def slogdet(input, name=None):  # noqa: A002 - TF's name
    """(sign, log |det|): the determinant without its overflow or underflow."""
    sign, log_abs = apply_op("LogMatrixDeterminant", [input],
                             name=name or "LogMatrixDeterminant")
    return sign, log_abs


log_matrix_determinant = slogdet


@registry.api("Lu")
def lu(input, output_idx_type=_dt.int32, name=None):  # noqa: A002 - TF's name
    """(lu, p) as TF's `Lu` namedtuple: input[..., p, :] = L U."""
    lu_, p = apply_op("Lu", [input], {"output_idx_type": _dt.as_dtype(output_idx_type)},
                      name=name or "Lu")
    return _Lu(lu_, p)


def _lu_tuple():
    import collections
    return collections.namedtuple("Lu", ["lu", "p"])


_Lu = _lu_tuple()


def _lu_factors(lower_upper):
    """(L with a unit diagonal, U) out of the packed matrix."""
    from . import array_ops
    ones = array_ops.ones(array_ops.shape(lower_upper)[:-1], dtype=lower_upper.dtype)
    lower = matrix_set_diag(matrix_band_part(lower_upper, -1, 0), ones)
    upper = matrix_band_part(lower_upper, 0, -1)
    return lower, upper


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """The matrix that `lu` factored: L U with its rows put back by the inverse of perm."""
    from . import array_ops
    with _ops.name_scope(name or "lu_reconstruct"):
        lower_upper = _ops.convert_to_tensor(lower_upper, name="lower_upper")
        perm = _ops.convert_to_tensor(perm, name="perm")
        lower, upper = _lu_factors(lower_upper)
        x = matmul(lower, upper)
        inv = array_ops.invert_permutation(perm) if perm.shape.rank == 1 else \
            _batch_invert_permutation(perm)
        return array_ops.gather(x, inv, axis=-2, batch_dims=perm.shape.rank - 1)


def _batch_invert_permutation(perm):
    """inv[..., perm[..., i]] = i for a batch of permutations: inv[..., j] is the i with
    perm[..., i] == j, read off a one-hot comparison."""
    from . import array_ops, math_ops
    n = array_ops.shape(perm)[-1]
    idx = math_ops.range(0, n, 1, dtype=perm.dtype)
    hits = math_ops.cast(math_ops.equal(array_ops.expand_dims(perm, -1), idx), perm.dtype)
    return math_ops.reduce_sum(hits * array_ops.expand_dims(idx, -1), axis=-2)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """x with A x = rhs from A's `lu`: rhs's rows permuted, then two triangular solves."""
    from . import array_ops
    with _ops.name_scope(name or "lu_solve"):
        lower_upper = _ops.convert_to_tensor(lower_upper, name="lower_upper")
        perm = _ops.convert_to_tensor(perm, name="perm")
        rhs = _ops.convert_to_tensor(rhs, name="rhs", dtype=lower_upper.dtype)
        lower, upper = _lu_factors(lower_upper)
        batch = perm.shape.rank - 1
        if rhs.shape.rank is not None and rhs.shape.rank - 2 > batch:
            # a batch of right-hand sides against one factorisation: permute their rows
            permuted = array_ops.gather(rhs, perm, axis=-2)
        else:
            permuted = array_ops.gather(rhs, perm, axis=-2, batch_dims=batch)
        y = matrix_triangular_solve(lower, permuted, lower=True)
        return matrix_triangular_solve(upper, y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """A's inverse from its `lu`: lu_solve against the identity."""
    from . import array_ops
    with _ops.name_scope(name or "lu_matrix_inverse"):
        lower_upper = _ops.convert_to_tensor(lower_upper, name="lower_upper")
        perm = _ops.convert_to_tensor(perm, name="perm")
        shape = array_ops.shape(lower_upper)
        ident = array_ops.broadcast_to(eye(shape[-1], dtype=lower_upper.dtype), shape)
        return lu_solve(lower_upper, perm, ident, validate_args=validate_args)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares x of matrix x = rhs, by the normal equations (TF's fast path, a
    Cholesky of A^H A + l2 I, or of A A^H + l2 I for a wide A)."""
    from . import array_ops, math_ops
    if not fast:
        raise NotImplementedError("tfteach's lstsq implements fast=True only (the normal "
                                  "equations); fast=False needs a complete orthogonal "
                                  "decomposition")
    with _ops.name_scope(name, "matrix_solve_ls", [matrix, rhs]):
        matrix = _ops.convert_to_tensor(matrix, name="matrix")
        rhs = _ops.convert_to_tensor(rhs, name="rhs", dtype=matrix.dtype)
        if matrix.dtype not in (_dt.float32, _dt.float64, _dt.complex64, _dt.complex128):
            raise ValueError(f"Unsupported dtype {matrix.dtype}")
        ms, rs = matrix.shape, rhs.shape
        if ms.rank is not None and ms.rank < 2:
            raise ValueError(f"Shape must be at least rank 2 but is rank {ms.rank}")
        if rs.rank is not None and rs.rank < 2:
            raise ValueError(f"Shape must be at least rank 2 but is rank {rs.rank}")
        if ms.rank is not None and rs.rank is not None and ms[-2] is not None and \
                rs[-2] is not None and ms[-2] != rs[-2]:
            raise ValueError(f"Dimensions must be equal, but are {ms[-2]} and {rs[-2]}")
        # a Python 0 adds no regularizer to the graph (TF's graph has no AddV2 then)
        plain = isinstance(l2_regularizer, (int, float)) and l2_regularizer == 0
        l2 = None if plain else _ops.convert_to_tensor(l2_regularizer, dtype=matrix.dtype,
                                                         name="l2_regularizer")
        m, n = ms[-2], ms[-1]
        shape = array_ops.shape(matrix)

        def regularized_gramian(k):
            g = matmul(matrix, matrix, adjoint_a=(k == n), adjoint_b=(k != n))
            if l2 is None:
                return g
            ones = array_ops.ones(array_ops.reshape(shape[-1] if k == n else shape[-2], [1]),
                                  dtype=matrix.dtype)
            return g + l2 * matrix_diag(ones)

        if m is None or n is None or m >= n:       # overdetermined: (A^H A + l2 I) x = A^H b
            chol = cholesky(regularized_gramian(n))
            return cholesky_solve(chol, matmul(matrix, rhs, adjoint_a=True))
        chol = cholesky(regularized_gramian(m))     # underdetermined: x = A^H (A A^H + l2)^-1 b
        return matmul(matrix, cholesky_solve(chol, rhs), adjoint_a=True)


# --- tridiagonal systems ------------------------------------------------------------------------

def _tridiagonal_solve_shape(op):
    d, r = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank_at_least(op, d, 2)
    shape_rules.require_rank_at_least(op, r, 2)
    if d.rank is not None and d[-2] is not None and d[-2] != 3:
        raise op.shape_error(f"Dimension must be 3 but is {d[-2]}")
    if d.rank is not None and r.rank is not None and d[-1] is not None and \
            r[-2] is not None and d[-1] != r[-2]:
        raise op.shape_error(f"Dimensions must be equal, but are {d[-1]} and {r[-2]}")
    return [r]


registry.register_op("TridiagonalSolve", inputs=(("diagonals", "T"), ("rhs", "T")),
                     outputs=(("output", "T"),), shape=_tridiagonal_solve_shape,
                     attr_defaults={"partial_pivoting": True, "perturb_singular": False},
                     doc="x with A x = rhs for a tridiagonal A given as rows [superdiag; "
                         "maindiag; subdiag].")


def _tridiagonal_matmul_shape(op):
    return [op.inputs[3].shape]


registry.register_op("TridiagonalMatMul", inputs=(("superdiag", "T"), ("maindiag", "T"),
                                                  ("subdiag", "T"), ("rhs", "T")),
                     outputs=(("output", "T"),), shape=_tridiagonal_matmul_shape,
                     doc="A @ rhs for tridiagonal A given by its three diagonals ([..., 1, M] "
                         "each).")


def _diagonals_to_compact(diagonals, diagonals_format, m):
    from . import array_ops
    if diagonals_format == "compact":
        return _ops.convert_to_tensor(diagonals, name="diagonals")
    if diagonals_format == "sequence":
        if not isinstance(diagonals, (list, tuple)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        sup, main, sub = [_ops.convert_to_tensor(d) for d in diagonals]
        return array_ops.stack([sup, main, sub], axis=-2)
    if diagonals_format == "matrix":
        d = _ops.convert_to_tensor(diagonals, name="diagonals")
        parts = matrix_diag_part(d, k=(-1, 1), padding_value=0, align="LEFT_RIGHT")
        return parts
    raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")


@registry.api("TridiagonalSolve")
def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False):
    """x with A x = rhs for a tridiagonal A: `diagonals` as [..., 3, M] ('compact': the
    superdiagonal (last entry unused), the diagonal, the subdiagonal (first entry unused)),
    a (super, main, sub) 'sequence', or the [..., M, M] 'matrix'; rhs [..., M] or
    [..., M, K]."""
    from . import array_ops, math_ops
    if perturb_singular:
        raise NotImplementedError("tfteach's tridiagonal_solve does not implement "
                                  "perturb_singular=True")
    with _ops.name_scope(name, "tridiagonal_solve", [diagonals, rhs]):
        diagonals = _diagonals_to_compact(diagonals, diagonals_format, None)
        rhs = _ops.convert_to_tensor(rhs, name="rhs", dtype=diagonals.dtype)
        vector = rhs.shape.rank is not None and diagonals.shape.rank is not None and \
            rhs.shape.rank == diagonals.shape.rank - 1
        if vector:
            if transpose_rhs:
                raise ValueError("transpose_rhs=True is not allowed for vector rhs")
            rhs = array_ops.expand_dims(rhs, -1)
        if transpose_rhs:
            rhs = matrix_transpose(rhs)
        if conjugate_rhs:
            rhs = math_ops.conj(rhs)
        out = apply_op("TridiagonalSolve", [diagonals, rhs],
                       {"partial_pivoting": bool(partial_pivoting),
                        "perturb_singular": False}, name="TridiagonalSolve")[0]
        return array_ops.squeeze(out, -1) if vector else out


@registry.api("TridiagonalMatMul")
def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """A @ rhs for a tridiagonal A given as in tridiagonal_solve; one TridiagonalMatMul."""
    from . import array_ops
    with _ops.name_scope(name, "tridiagonal_matmul", [diagonals, rhs]):
        if diagonals_format == "sequence":
            if not isinstance(diagonals, (list, tuple)) or len(diagonals) != 3:
                raise ValueError("Expected diagonals to be a sequence of length 3.")
            sup, main, sub = [array_ops.expand_dims(_ops.convert_to_tensor(d), -2)
                              for d in diagonals]
        else:
            compact = _diagonals_to_compact(diagonals, diagonals_format, None)
            sup = array_ops.expand_dims(compact[..., 0, :], -2)
            main = array_ops.expand_dims(compact[..., 1, :], -2)
            sub = array_ops.expand_dims(compact[..., 2, :], -2)
        rhs = _ops.convert_to_tensor(rhs, name="rhs", dtype=sup.dtype)
        return apply_op("TridiagonalMatMul", [sup, main, sub, rhs],
                        name="TridiagonalMatMul")[0]


# --- Eig: eigenvalues and vectors of general square matrices (complex results) -----------------

def _eig_general_shape(op):
    k = _square_shape(op)[0]
    if k.rank is None:
        return [unknown_shape(), unknown_shape()]
    e = TensorShape(k.as_list()[:-1])
    return [e, k if op.get_attr("compute_v") else TensorShape([0])]


registry.register_op("Eig", inputs=(("input", "T"),), outputs=(("e", "Tout"), ("v", "Tout")),
                     shape=_eig_general_shape, attr_defaults={"compute_v": True},
                     doc="Eigenvalues and (unit-norm) eigenvectors of general square "
                         "matrices, as complex numbers.")


def _complex_of(dtype):
    dtype = _dt.as_dtype(dtype).base_dtype
    if dtype in (_dt.float64, _dt.complex128):
        return _dt.complex128
    return _dt.complex64


@registry.api("Eig")
def eig(tensor, name=None):
    """(e, v): the eigenvalues and eigenvectors (columns of v) of non-symmetric matrices,
    always complex (complex64 for float32 input, complex128 for float64)."""
    tensor = _ops.convert_to_tensor(tensor, name="tensor")
    e, v = apply_op("Eig", [tensor], {"Tout": _complex_of(tensor.dtype), "compute_v": True},
                    name=name or "Eig")
    return e, v


def eigvals(tensor, name=None):
    """The eigenvalues of non-symmetric matrices (complex)."""
    tensor = _ops.convert_to_tensor(tensor, name="tensor")
    return apply_op("Eig", [tensor], {"Tout": _complex_of(tensor.dtype), "compute_v": False},
                    name=name or "Eig")[0]


matrix_solve_ls = lstsq      # TF1's name (tf.compat.v1.matrix_solve_ls)
