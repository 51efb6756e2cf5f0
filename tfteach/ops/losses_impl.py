"""`tf.compat.v1.losses`: TF1's losses, each a scalar added to the LOSSES collection.

Every loss computes per-element losses inside its own name scope, weights them
(`compute_weighted_loss`) and reduces them as `reduction` says; the default divides the
weighted sum by the number of non-zero weights (`num_present`) with DivNoNan, so the result
is `<scope>/value`. Differences from TF 2.21's graphs: TF also adds static
`assert_broadcastable` checks (Const/NoOp nodes) and reduces the already-scalar sum once more
(`Sum_1` over `range`); tfteach leaves those out, so the intermediate op names differ while
the scopes, the final `value` op and every value match.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from . import array_ops, math_ops, nn_ops


class Reduction:
    """How a loss is reduced to a scalar (or not)."""
    NONE = "none"
    SUM = "weighted_sum"
    MEAN = "weighted_mean"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Key should be one of {cls.all()}.")


_LOSSES = _ops.GraphKeys.LOSSES


def add_loss(loss, loss_collection=_LOSSES):
    if loss_collection and not _ops.executing_eagerly():
        _ops.get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=_LOSSES):
    return _ops.get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return _ops.get_default_graph().get_collection(_ops.GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    from .constant_op import constant
    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices "
                         "with the same dtype and shape.")
    return math_ops.add_n(losses, name=name)


def _safe_mean(total, count):
    return math_ops.div_no_nan(total, count, name="value")


def _num_present(losses, weights):
    """How many losses have a non-zero weight (weights broadcast to the losses' shape)."""
    with _ops.name_scope(None, "num_present", (losses, weights)) as scope:
        weights = math_ops.cast(weights, _dt.float32)
        present = array_ops.where(math_ops.equal(weights, 0.0),
                                  array_ops.zeros_like(weights), array_ops.ones_like(weights))
        present = math_ops.multiply(present, array_ops.ones_like(losses),
                                    name="broadcast_weights")
        return math_ops.reduce_sum(present, name=scope)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=_LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    Reduction.validate(reduction)
    with _ops.name_scope(scope, "weighted_loss", (losses, weights)):
        losses = _ops.convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = math_ops.cast(losses, _dt.float32)
        weights = math_ops.cast(weights, _dt.float32)
        weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, math_ops.reduce_sum(
                    math_ops.multiply(array_ops.ones_like(losses), weights)))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, math_ops.cast(array_ops.size(losses), _dt.float32,
                                                      name="num_elements"))
        if loss.dtype != input_dtype:
            loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _check_args(**args):
    for k, v in args.items():
        if v is None:
            raise ValueError(f"Argument `{k}` must not be None.")


def _pair(labels, predictions):
    predictions = math_ops.cast(_ops.convert_to_tensor(predictions), _dt.float32) \
        if not isinstance(predictions, _ops.Tensor) or predictions.dtype != _dt.float32 \
        else predictions
    labels = math_ops.cast(labels, _dt.float32) \
        if not isinstance(labels, _ops.Tensor) or labels.dtype != _dt.float32 else labels
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


def _pointwise(default_name, fn, labels, predictions, weights, scope, loss_collection,
               reduction, **names):
    _check_args(labels=labels, predictions=predictions)
    with _ops.name_scope(scope, default_name, (predictions, labels, weights)) as scope:
        labels, predictions = _pair(labels, predictions)
        return compute_weighted_loss(fn(labels, predictions), weights, scope, loss_collection,
                                     reduction=reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=_LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    return _pointwise("mean_squared_error",
                      lambda l, p: math_ops.squared_difference(p, l),
                      labels, predictions, weights, scope, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=_LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    return _pointwise("absolute_difference",
                      lambda l, p: math_ops.abs(math_ops.subtract(p, l)),
                      labels, predictions, weights, scope, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=_LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    def fn(l, p):
        return math_ops.subtract(
            math_ops.negative(math_ops.multiply(l, math_ops.log(p + epsilon))),
            math_ops.multiply(1 - l, math_ops.log(1 - p + epsilon)))
    return _pointwise("log_loss", fn, labels, predictions, weights, scope, loss_collection,
                      reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=_LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    _check_args(labels=labels, logits=logits)

    def fn(l, p):
        ones = array_ops.ones_like(l)
        signs = math_ops.subtract(2 * l, ones)
        return nn_ops.relu(math_ops.subtract(ones, math_ops.multiply(signs, p)))
    return _pointwise("hinge_loss", fn, labels, logits, weights, scope, loss_collection,
                      reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=_LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    def fn(l, p):
        abs_error = math_ops.abs(math_ops.subtract(p, l))
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        return math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                            math_ops.multiply(delta, linear))
    return _pointwise("huber_loss", fn, labels, predictions, weights, scope, loss_collection,
                      reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=_LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
                    dim=None):
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("You must specify argument `axis`.")

    def fn(l, p):
        return 1 - math_ops.reduce_sum(math_ops.multiply(p, l), axis=(axis,), keepdims=True)
    return _pointwise("cosine_distance_loss", fn, labels, predictions, weights, scope,
                      loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=_LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    from . import nn_impl as nn
    _check_args(multi_class_labels=multi_class_labels, logits=logits)
    with _ops.name_scope(scope, "sigmoid_cross_entropy_loss",
                         (logits, multi_class_labels, weights)) as scope:
        logits = _ops.convert_to_tensor(logits)
        labels = math_ops.cast(multi_class_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                      name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection,
                                     reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=_LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    _check_args(onehot_labels=onehot_labels, logits=logits)
    with _ops.name_scope(scope, "softmax_cross_entropy_loss",
                         (logits, onehot_labels, weights)) as scope:
        logits = _ops.convert_to_tensor(logits)
        labels = math_ops.cast(onehot_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(labels)[-1], logits.dtype)
            labels = labels * (1 - label_smoothing) + label_smoothing / num_classes
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        losses = nn_ops.softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                          name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection,
                                     reduction=reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=_LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    _check_args(labels=labels, logits=logits)
    with _ops.name_scope(scope, "sparse_softmax_cross_entropy_loss",
                         (logits, labels, weights)) as scope:
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                 name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection,
                                     reduction=reduction)
