"""Placeholders, identity, shapes and other array ops (constructors and declarations)."""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape, unknown_shape
from . import shape_rules

registry.register_op("Placeholder", inputs=(), outputs=(("output", "dtype"),),
                     shape=lambda op: [op.get_attr("shape") if op.get_attr("shape") is not None
                                       else unknown_shape()],
                     doc="A value that must be fed to Session.run.")
registry.register_op("PlaceholderWithDefault", inputs=(("input", "dtype"),),
                     outputs=(("output", "dtype"),),
                     shape=lambda op: [as_shape(op.get_attr("shape"))])
registry.register_op("Identity", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.same_as_first)
registry.register_op("StopGradient", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.same_as_first)
registry.register_op("NoOp", inputs=(), outputs=(), shape=lambda op: [])


def _shape_shape(op):
    r = op.inputs[0].shape.rank
    return [TensorShape([r])]


registry.register_op("Shape", inputs=(("input", "T"),), outputs=(("output", "out_type"),),
                     shape=_shape_shape)
registry.register_op("Size", inputs=(("input", "T"),), outputs=(("output", "out_type"),),
                     shape=shape_rules.scalar)
registry.register_op("Rank", inputs=(("input", "T"),), outputs=(("output", _dt.int32),),
                     shape=shape_rules.scalar)


def placeholder(dtype, shape=None, name=None):
    """A tensor whose value is fed at run time (v1 only: eager code has no placeholders)."""
    if _ops.executing_eagerly():
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    dtype = _dt.as_dtype(dtype)
    shape = None if shape is None else as_shape(shape)
    return apply_op("Placeholder", [], {"dtype": dtype, "shape": shape},
                    name=name or "Placeholder")[0]


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's name
    with _ops.name_scope(name, "PlaceholderWithDefault", [input]) as scope:
        x = _ops.convert_to_tensor(input, name="input")
        shape = as_shape(shape)
        if not shape.is_compatible_with(x.shape):
            raise ValueError(f"Shapes {shape} and {x.shape} are incompatible")
        return apply_op("PlaceholderWithDefault", [x],
                        {"dtype": x.dtype.base_dtype, "shape": shape}, name=scope)[0]


def identity(input, name=None):  # noqa: A002
    if hasattr(input, "_as_graph_element") and not isinstance(input, _ops.Tensor) and \
            not _ops.executing_eagerly():
        input = input.value() if hasattr(input, "value") else input
    return apply_op("Identity", [input], name=name or "Identity")[0]


def stop_gradient(input, name=None):  # noqa: A002
    return apply_op("StopGradient", [input], name=name or "StopGradient")[0]


def no_op(name=None):
    if _ops.executing_eagerly():
        return None
    return _ops.get_default_graph()._create_op(
        registry.get("NoOp"), [], {}, [], [], _scoped(name or "NoOp"))


def _scoped(name):
    g = _ops.get_default_graph()
    with g.name_scope(name) as scope:
        return scope


def shape(input, name=None, out_type=None):  # noqa: A002
    """The shape as a 1-D tensor. A fully known static shape gives a Const named 'Shape'."""
    out_type = _dt.as_dtype(out_type) if out_type is not None else _dt.int32
    if _ops.executing_eagerly() and not _ops.is_symbolic(input):
        from . import constant_op
        return constant_op.constant(np.array(_eager_shape(input), dtype=out_type.np_dtype))
    with _ops.name_scope(name, "Shape", [input]) as scope:
        x = _ops.convert_to_tensor(input)
        if x.shape.is_fully_defined():
            from . import constant_op
            return constant_op.constant(np.array(x.shape.as_list(), dtype=out_type.np_dtype),
                                        name=scope)
        return apply_op("Shape", [x], {"out_type": out_type}, name=scope)[0]


def _eager_shape(x):
    if hasattr(x, "shape") and not isinstance(x, (list, tuple)):
        return list(x.shape)
    return list(np.shape(x))


def size(input, name=None, out_type=None):  # noqa: A002
    out_type = _dt.as_dtype(out_type) if out_type is not None else _dt.int32
    with _ops.name_scope(name, "Size", [input]) as scope:
        x = _ops.convert_to_tensor(input)
        if x.shape.is_fully_defined():
            from . import constant_op
            return constant_op.constant(np.array(x.shape.num_elements(),
                                                 dtype=out_type.np_dtype), name=scope)
        return apply_op("Size", [x], {"out_type": out_type}, name=scope)[0]


def rank(input, name=None):  # noqa: A002
    with _ops.name_scope(name, "Rank", [input]) as scope:
        x = _ops.convert_to_tensor(input)
        if x.shape.rank is not None:
            from . import constant_op
            return constant_op.constant(np.array(x.shape.rank, dtype=np.int32), name=scope)
        return apply_op("Rank", [x], name=scope)[0]
