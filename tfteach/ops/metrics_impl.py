"""`tf.compat.v1.metrics`: streaming metrics as (value, update_op) pairs.

A metric keeps its running state in local variables (`<scope>/total`, `<scope>/count`, in
the LOCAL_VARIABLES and METRIC_VARIABLES collections), so `tf.local_variables_initializer()`
resets it; `update_op` adds a batch and returns the new value, `value` reads it.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from . import array_ops, math_ops, state_ops, variable_scope

METRIC_VARIABLES = _ops.GraphKeys.METRIC_VARIABLES


def metric_variable(shape, dtype, validate_shape=True, name=None):
    from ..ops.init_ops import zeros_initializer
    return variable_scope.get_variable(
        name, shape=shape, dtype=dtype, initializer=zeros_initializer(), trainable=False,
        collections=[_ops.GraphKeys.LOCAL_VARIABLES, METRIC_VARIABLES],
        validate_shape=validate_shape)


def _add(collections, value):
    for c in collections or ():
        _ops.get_default_graph().add_to_collection(c, value)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    if _ops.executing_eagerly():
        raise RuntimeError("tf.metrics.mean is not supported when eager execution is enabled.")
    with variable_scope.variable_scope(name, "mean", (values, weights)):
        values = math_ops.cast(values, _dt.float32)
        total = metric_variable([], _dt.float32, name="total")
        count = metric_variable([], _dt.float32, name="count")
        if weights is None:
            num_values = math_ops.cast(array_ops.size(values), _dt.float32)
        else:
            weights = math_ops.cast(weights, _dt.float32)
            values = math_ops.multiply(values, weights)
            num_values = math_ops.reduce_sum(
                math_ops.multiply(weights, array_ops.ones_like(values)))
        update_total = state_ops.assign_add(total, math_ops.reduce_sum(values))
        with _ops.control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
        update_op = math_ops.div_no_nan(update_total, math_ops.maximum(update_count, 0),
                                        name="update_op")
        _add(metrics_collections, value)
        _add(updates_collections, update_op)
        return value, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    if _ops.executing_eagerly():
        raise RuntimeError("tf.metrics.accuracy is not supported when eager execution is "
                           "enabled.")
    predictions = _ops.convert_to_tensor(predictions)
    labels = _ops.convert_to_tensor(labels)
    if labels.dtype != predictions.dtype:
        predictions = math_ops.cast(predictions, labels.dtype)
    predictions.shape.assert_is_compatible_with(labels.shape)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), _dt.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")
