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
