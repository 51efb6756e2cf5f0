"""Shape rules shared by many ops (each op's rule is named in its register_op call)."""
from ..framework.tensor_shape import TensorShape, broadcast_shapes, unknown_shape


def same_as_first(op):
    return [op.inputs[0].shape]


def scalar(op):
    return [TensorShape([])]


def unknown(op):
    return [unknown_shape()]


def broadcast(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    out = broadcast_shapes(a, b)
    if out is None:
        x, y = list(a.as_tuple()), list(b.as_tuple())
        n = max(len(x), len(y))
        x = [1] * (n - len(x)) + x
        y = [1] * (n - len(y)) + y
        for da, db in zip(x, y):
            if da is not None and db is not None and da != db and da != 1 and db != 1:
                raise op.shape_error(f"Dimensions must be equal, but are {da} and {db}")
    return [out]


def all_same(op):
    """N inputs of one shape (AddN): the merged shape, ValueError when they differ."""
    shape = unknown_shape()
    for t in op.inputs:
        if not shape.is_compatible_with(t.shape):
            raise op.shape_error(f"Shapes must be equal rank, but are {shape.rank} and "
                                 f"{t.shape.rank}" if shape.rank != t.shape.rank else
                                 f"Dimension 0 in both shapes must be equal")
        shape = shape.merge_with(t.shape)
    return [shape]


# --- helpers for rules that read constant inputs ---------------------------------------------

def const_input(op, i):
    """The value of input `i` when it is known at graph-build time (a Const, a static Shape,
    ...), else None."""
    from ..framework import tensor_util
    return tensor_util.constant_value(op.inputs[i])


def shape_input(op, i):
    """Input `i` (a shape vector) as a TensorShape with unknown dims where not constant."""
    from ..framework import tensor_util
    return tensor_util.constant_value_as_shape(op.inputs[i])


def dims(shape):
    """A TensorShape as a list of ints/None, or None when the rank is unknown."""
    return None if shape.rank is None else list(shape.as_tuple())


def require_rank(op, shape, rank, what=None):
    if shape.rank is not None and shape.rank != rank:
        raise op.shape_error(f"Shape must be rank {rank} but is rank {shape.rank}")


def require_rank_at_least(op, shape, rank):
    if shape.rank is not None and shape.rank < rank:
        raise op.shape_error(f"Shape must be at least rank {rank} but is rank {shape.rank}")


def merge_dim(op, a, b, what="Dimensions must be equal"):
    """Two dims that must agree: the known one, ValueError when both are known and differ."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise op.shape_error(f"{what}, but are {a} and {b}")


def unknown_rank_or(rank):
    return unknown_shape() if rank is None else unknown_shape(rank)


def out_shape(d):
    return unknown_shape() if d is None else TensorShape(d)


def static_dims(x):
    """Dims (ints / None) of a graph tensor, an eager tensor, a variable or a Python/NumPy
    value, read without running anything; None when the rank is unknown."""
    from ..framework import ops as _ops
    from ..framework.tensor_shape import as_shape
    if isinstance(x, _ops.Tensor) or getattr(x, "_is_eager", False) or \
            getattr(x, "_tfteach_dtype", None) is not None or hasattr(x, "_as_graph_element"):
        sh = getattr(x, "shape", None)
        if sh is None:
            return None
        return dims(as_shape(sh)) if not isinstance(sh, tuple) else list(sh)
    import numpy as np
    return list(np.shape(x))


# --- TF's per-op lists of allowed dtypes ---------------------------------------------------

NUMBER_TYPES = ("float32", "float64", "int32", "uint8", "int16", "int8", "complex64", "int64",
                "qint8", "quint8", "qint32", "bfloat16", "qint16", "quint16", "uint16",
                "complex128", "float16", "uint32", "uint64")
REAL_NUMBER_TYPES = ("float32", "float64", "int32", "uint8", "int16", "int8", "int64",
                     "bfloat16", "uint16", "float16", "uint32", "uint64", "qint8", "quint8",
                     "qint32", "qint16", "quint16")
MATMUL_TYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "uint8",
                "uint16", "uint32", "uint64", "complex64", "complex128")
INVERSE_TYPES = ("float64", "float32", "float16", "complex64", "complex128")

_ENUM_NAMES = {"float16": "half", "float32": "float", "float64": "double"}


def check_dtype(op_type, param, x, allowed):
    """TF's error for a dtype outside an op's list: TypeError when building a graph,
    InvalidArgumentError when executing eagerly."""
    from ..framework import dtypes as _dtypes
    from ..framework import ops as _ops
    from ..framework import tensor_util
    if _ops.is_symbolic(x) or getattr(x, "_is_eager", False) or \
            getattr(x, "_tfteach_dtype", None) is not None:
        dt = _dtypes.as_dtype(getattr(x, "dtype", None) or x._tfteach_dtype)
    else:       # a Python/NumPy value: the dtype it will be converted to, without an op
        try:
            dt = tensor_util.infer_dtype(x)
        except (TypeError, ValueError):
            return
    name = dt.base_dtype.name
    if name in allowed:
        return
    if getattr(x, "_is_eager", False):
        from .. import errors
        names = ", ".join(_ENUM_NAMES.get(a, a) for a in allowed)
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'T' of {name} is not in the list of allowed values: "
                        f"{names}\n\t; NodeDef: {{{{node {op_type}}}}}")
    raise TypeError(f"Value passed to parameter '{param}' has DataType {name} not in list of "
                    f"allowed values: {', '.join(allowed)}")
