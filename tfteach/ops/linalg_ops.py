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
                 "adjoint": matrix_transpose, "tensordot": tensordot, "eye": eye,
                 "band_part": matrix_band_part, "diag": matrix_diag,
                 "diag_part": matrix_diag_part, "set_diag": matrix_set_diag,
                 "trace": linalg_trace, "tensor_diag": tensor_diag,
                 "tensor_diag_part": tensor_diag_part, "solve": matrix_solve}.items():
        setattr(ns, k, v)
    return ns


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


# --- Einsum (tf.einsum is in special_math_ops.py) -----------------------------------------------

def _einsum_shape_rule(op):
    from ..kernels.shapes import einsum_shape     # shared with the kernel; loaded on first use
    shapes = [shape_rules.dims(t.shape) for t in op.inputs]
    dims = einsum_shape(op.get_attr("equation"), shapes, op.shape_error)
    return [unknown_shape() if dims is None else TensorShape(dims)]


registry.register_op("Einsum", inputs=(("*inputs", "T"),), outputs=(("output", "T"),),
                     shape=_einsum_shape_rule,
                     doc="Sums of products of the operands over the labels of an equation.")
