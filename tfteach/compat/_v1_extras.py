"""Small TF1-only names (deprecated aliases and helpers) built on the op modules."""
from ..framework import behavior as _behavior
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.tensor_shape import Dimension, TensorShape, dimension_value  # noqa: F401
from ..ops import math_ops as _math_ops
from ..ops import variables as _variables


def to_int32(x, name="ToInt32"):
    return _math_ops.cast(x, _dt.int32, name=name)


def to_int64(x, name="ToInt64"):
    return _math_ops.cast(x, _dt.int64, name=name)


def to_double(x, name="ToDouble"):
    return _math_ops.cast(x, _dt.float64, name=name)


def to_bfloat16(x, name="ToBFloat16"):
    return _math_ops.cast(x, _dt.bfloat16, name=name)


def to_complex64(x, name="ToComplex64"):
    return _math_ops.cast(x, _dt.complex64, name=name)


def to_complex128(x, name="ToComplex128"):
    return _math_ops.cast(x, _dt.complex128, name=name)


def dimension_at_index(shape, index):
    """`shape[index]` as a Dimension, whichever shape behaviour (v1/v2) is on."""
    shape = TensorShape(shape)
    if shape.rank is None:
        return Dimension(None)
    return Dimension(shape.as_list()[index])


def initialize_variables(var_list, name="init"):
    return _variables.variables_initializer(var_list, name=name)


def initialize_local_variables():
    return _variables.local_variables_initializer()


MOVING_AVERAGE_VARIABLES = _ops.GraphKeys.MOVING_AVERAGE_VARIABLES


def moving_average_variables(scope=None):
    return _ops.get_default_graph().get_collection(MOVING_AVERAGE_VARIABLES, scope)


def enable_v2_tensorshape():
    _behavior.V2_SHAPES = True


def disable_v2_tensorshape():
    _behavior.V2_SHAPES = False


QUANTIZED_DTYPES = frozenset([_dt.qint8, _dt.quint8, _dt.qint16, _dt.quint16, _dt.qint32])


def floor_div(x, y, name=None):
    """The raw FloorDiv op under TF1's generated name (`floordiv` is the wrapped one)."""
    from ..framework.op_def_library import apply_op
    return apply_op("FloorDiv", [x, y], name=name or "FloorDiv")[0]
