"""Learning-rate schedules of TF1 (`tf.train.exponential_decay`, ...): in a graph they
return a tensor computed from the global step; executing eagerly, a callable."""
import functools

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..ops import math_ops


def _exponential(learning_rate, global_step, decay_steps, decay_rate, staircase, name):
    with _ops.name_scope(name, "ExponentialDecay", []) as scope:
        lr = _ops.convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = lr.dtype.base_dtype
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        step = math_ops.cast(global_step, dtype)
        p = step / decay_steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(lr, math_ops.pow(decay_rate, p), name=scope)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ** (global_step / decay_steps) (floored if staircase)."""
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    fn = functools.partial(_exponential, learning_rate, global_step, decay_steps, decay_rate,
                           staircase, name)
    if _ops.executing_eagerly():
        return fn
    return fn()


def _piecewise(x, boundaries, values, name):
    from ..ops import constant_op
    with _ops.name_scope(name, "PiecewiseConstant", []) as scope:
        values = [_ops.convert_to_tensor(v) for v in values]
        x = _ops.convert_to_tensor(x)
        dtype = x.dtype.base_dtype
        bounds = [_ops.convert_to_tensor(b, dtype=dtype) if not isinstance(b, _ops.Tensor)
                  else math_ops.cast(b, dtype) for b in boundaries]
        result = values[-1]
        for b, v in reversed(list(zip(bounds, values[:-1]))):
            result = _select(math_ops.less_equal(x, b), v, result)
        from ..ops import array_ops
        return array_ops.identity(result, name=scope)


def _select(cond, a, b):
    from ..framework.op_def_library import apply_op
    return apply_op("SelectV2", [cond, a, b], name="SelectV2")[0]


def piecewise_constant(x, boundaries, values, name=None):
    """values[i] for boundaries[i-1] < x <= boundaries[i] (values[0] below the first)."""
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of "
                         "values")
    fn = functools.partial(_piecewise, x, boundaries, values, name)
    if _ops.executing_eagerly():
        return fn
    return fn()


piecewise_constant_decay = piecewise_constant


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    def fn():
        with _ops.name_scope(name, "InverseTimeDecay", []) as scope:
            lr = _ops.convert_to_tensor(learning_rate, name="initial_learning_rate")
            dtype = lr.dtype.base_dtype
            p = math_ops.cast(global_step, dtype) / math_ops.cast(decay_steps, dtype)
            if staircase:
                p = math_ops.floor(p)
            denom = 1 + math_ops.multiply(math_ops.cast(decay_rate, dtype), p)
            return math_ops.truediv(lr, denom, name=scope)
    return fn if _ops.executing_eagerly() else fn()


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    def fn():
        with _ops.name_scope(name, "NaturalExpDecay", []) as scope:
            lr = _ops.convert_to_tensor(learning_rate, name="initial_learning_rate")
            dtype = lr.dtype.base_dtype
            p = math_ops.cast(global_step, dtype) / math_ops.cast(decay_steps, dtype)
            if staircase:
                p = math_ops.floor(p)
            return math_ops.multiply(lr, math_ops.exp(-math_ops.cast(decay_rate, dtype) * p),
                                     name=scope)
    return fn if _ops.executing_eagerly() else fn()
