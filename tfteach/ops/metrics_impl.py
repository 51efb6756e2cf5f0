"""`tf.compat.v1.metrics`: streaming metrics as (value, update_op) pairs.

A metric keeps its running state in local variables (`<scope>/total`, `<scope>/count`,
`<scope>/true_positives`, ... in the LOCAL_VARIABLES and METRIC_VARIABLES collections), so
`tf.local_variables_initializer()` resets it; `update_op` adds a batch and returns the new
value, `value` reads the state. Scopes, variable and tensor names follow TF 2.21's (see
tests/test_v1_metrics.py, pinned to TF's recordings). Graph mode only, as in TF.

Not here yet: the `*_at_k` / `*_at_top_k` / `average_precision_at_k` family, which needs
TF's set ops (set_intersection, set_size), which tfteach does not have.
"""
import logging

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from . import array_ops, constant_op, math_ops, state_ops, variable_scope

METRIC_VARIABLES = _ops.GraphKeys.METRIC_VARIABLES


def _graph_only(fn_name, message=None):
    if _ops.executing_eagerly():
        raise RuntimeError(message or f"tf.metrics.{fn_name} is not supported when eager "
                                      f"execution is enabled.")


def metric_variable(shape, dtype, validate_shape=True, name=None):
    """A zero-initialised, non-trainable local variable that holds a metric's state."""
    from .variables import RefVariable
    return RefVariable(lambda: array_ops.zeros(shape, dtype), trainable=False,
                       collections=[_ops.GraphKeys.LOCAL_VARIABLES, METRIC_VARIABLES],
                       validate_shape=validate_shape, name=name)


def _add(collections, value):
    if collections:
        _ops.get_default_graph().add_to_collections(collections, value)


def _value_and_update(metric, values, updates, metrics_collections, updates_collections):
    """A metric computed from the confusion counts `values` (named "value") and from their
    `updates` (named "update_op"), in that order, each added to its collections."""
    value = metric(values, "value")
    _add(metrics_collections, value)
    update = metric(updates, "update_op")
    _add(updates_collections, update)
    return value, update


def _read(var, collections):
    """A metric's value that is its variable: read through an Identity (TF's default
    distribution strategy reads a replica-local variable so)."""
    value = array_ops.identity(var)
    _add(collections, value)
    return value


# --- shapes of labels, predictions and weights ---------------------------------------------

def _squeeze_pair(labels, predictions):
    """Drops a trailing dimension of size 1 (or unknown) from whichever of the two has one
    more dimension than the other (TF's remove_squeezable_dimensions)."""
    lr, pr = labels.shape.rank, predictions.shape.rank
    if lr is not None and pr is not None:
        if pr - lr == 1 and predictions.shape.as_tuple()[-1] in (1, None):
            predictions = array_ops.squeeze(predictions, [-1])
        elif lr - pr == 1 and labels.shape.as_tuple()[-1] in (1, None):
            labels = array_ops.squeeze(labels, [-1])
    return labels, predictions


def _remove_squeezable_dimensions(predictions, labels, weights):
    """predictions and labels squeezed to one shape; weights squeezed or expanded by one
    dimension where their rank is one off the predictions'."""
    predictions = _ops.convert_to_tensor(predictions)
    if labels is not None:
        labels = _ops.convert_to_tensor(labels)
        labels, predictions = _squeeze_pair(labels, predictions)
        predictions.shape.assert_is_compatible_with(labels.shape)
    if weights is None:
        return predictions, labels, None
    weights = _ops.convert_to_tensor(weights)
    wr, pr = weights.shape.rank, predictions.shape.rank
    if wr == 0:
        return predictions, labels, weights
    if wr is not None and pr is not None:
        if wr - pr == 1:
            weights = array_ops.squeeze(weights, [-1])
        elif pr - wr == 1:
            weights = array_ops.expand_dims(weights, [-1])
        return predictions, labels, weights
    return predictions, labels, _adjust_weights_at_run_time(weights, predictions)


def _adjust_weights_at_run_time(weights, predictions):
    """The rank fix-up of _remove_squeezable_dimensions when a rank is known only when the
    graph runs: conds on the rank difference, as TF builds them."""
    from . import control_flow_v1
    w_rank = array_ops.rank(weights)
    diff = w_rank - array_ops.rank(predictions)
    last = weights.shape.as_tuple()[-1] if weights.shape.rank else None

    def expand_or_keep():
        return control_flow_v1.cond(math_ops.equal(diff, -1),
                                    lambda: array_ops.expand_dims(weights, [-1]),
                                    lambda: weights)

    def squeeze():
        return weights if last not in (None, 1) else array_ops.squeeze(weights, [-1])

    return control_flow_v1.cond(
        math_ops.equal(w_rank, 0), lambda: weights,
        lambda: control_flow_v1.cond(math_ops.equal(diff, 1), squeeze, expand_or_keep))


def _broadcast_weights(weights, values):
    """weights * ones_like(values) (nothing when the shapes already match); weights that
    cannot broadcast to values fail while the graph is built, with TF's message."""
    with _ops.name_scope(None, "broadcast_weights", (weights, values)) as scope:
        values = _ops.convert_to_tensor(values, name="values")
        weights = _ops.convert_to_tensor(weights, dtype=values.dtype.base_dtype,
                                         name="weights")
        ws, vs = weights.shape, values.shape
        if ws.is_fully_defined() and vs.is_fully_defined() and ws.is_compatible_with(vs):
            return weights
        _check_broadcastable(weights, values)
        return math_ops.multiply(weights, array_ops.ones_like(values), name=scope)


def _check_broadcastable(weights, values):
    """The build-time half of TF's assert_broadcastable: weights are a scalar, or have the
    values' rank with each dimension 1 or the values' (known shapes only)."""
    ws, vs = weights.shape, values.shape
    if ws.rank is None or vs.rank is None or ws.rank == 0:
        return
    shown = f"Received weights={weights}, values={values}"
    if ws.rank != vs.rank:
        raise ValueError(f"weights can not be broadcast to values. values.rank={vs.rank}. "
                         f"weights.rank={ws.rank}. values.shape={_np_shape(vs)}. "
                         f"weights.shape={_np_shape(ws)}. {shown}")
    if ws.is_fully_defined() and vs.is_fully_defined():
        for i, (w, v) in enumerate(zip(ws.as_tuple(), vs.as_tuple())):
            if w not in (1, v):
                raise ValueError(f"weights can not be broadcast to values. Mismatch at dim "
                                 f"{i}. values.shape={_np_shape(vs)}, weights.shape="
                                 f"{_np_shape(ws)}. {shown}")


def _np_shape(shape):
    return "[" + " ".join(str(d) for d in shape.as_tuple()) + "]"


# --- means --------------------------------------------------------------------------------

def _running_mean(values, weights, metrics_collections, updates_collections, shape,
                  names=("total", "count")):
    """total and count variables; value = total / count, update_op adds the batch first."""
    values = math_ops.cast(values, _dt.float32)
    total = metric_variable(shape, _dt.float32, name=names[0])
    count = metric_variable(shape, _dt.float32, name=names[1])
    per_value = shape != []
    if weights is None:
        num = array_ops.ones_like(values) if per_value else \
            math_ops.cast(array_ops.size(values), _dt.float32)
    else:
        values, _, weights = _remove_squeezable_dimensions(values, None, weights)
        weights = _broadcast_weights(math_ops.cast(weights, _dt.float32), values)
        values = math_ops.multiply(values, weights)
        num = math_ops.multiply(array_ops.ones_like(values), weights) if per_value else \
            math_ops.reduce_sum(weights)
    update_total = state_ops.assign_add(total, values if per_value else
                                        math_ops.reduce_sum(values))
    with _ops.control_dependencies([values]):
        update_count = state_ops.assign_add(count, num)
    value = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
    _add(metrics_collections, value)
    update_op = math_ops.div_no_nan(update_total, math_ops.maximum(update_count, 0),
                                    name="update_op")
    _add(updates_collections, update_op)
    return value, update_op


def mean(values, weights=None, metrics_collections=None, updates_collections=None,
         name=None):
    """The (weighted) mean of every value seen: `<name>/total` / `<name>/count`."""
    _graph_only("mean")
    with variable_scope.variable_scope(name, "mean", (values, weights)):
        return _running_mean(values, weights, metrics_collections, updates_collections, [])


def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None,
                name=None):
    """The element-wise running mean of tensors of one shape."""
    _graph_only("mean_tensor")
    with variable_scope.variable_scope(name, "mean", (values, weights)):
        values = math_ops.cast(values, _dt.float32)
        return _running_mean(values, weights, metrics_collections, updates_collections,
                             values.shape, ("total_tensor", "count_tensor"))


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """How often predictions equal labels: the mean of `equal` as floats."""
    _graph_only("accuracy")
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels,
                                                                 weights)
    predictions.shape.assert_is_compatible_with(labels.shape)
    if labels.dtype != predictions.dtype:
        predictions = math_ops.cast(predictions, labels.dtype)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), _dt.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    _graph_only("mean_absolute_error")
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels,
                                                                 weights)
    return mean(math_ops.abs(predictions - labels), weights, metrics_collections,
                updates_collections, name or "mean_absolute_error")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    _graph_only("mean_squared_error")
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels,
                                                                 weights)
    return mean(math_ops.squared_difference(labels, predictions), weights,
                metrics_collections, updates_collections, name or "mean_squared_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """sqrt of mean_squared_error's value and update (the Sqrt ops sit outside the
    metric's scope, as in TF)."""
    _graph_only("root_mean_squared_error")
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels,
                                                                 weights)
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None,
                                         name or "root_mean_squared_error")
    rmse = math_ops.sqrt(mse)
    _add(metrics_collections, rmse)
    update = math_ops.sqrt(update_mse)
    _add(updates_collections, update)
    return rmse, update


def mean_relative_error(labels, predictions, normalizer, weights=None,
                        metrics_collections=None, updates_collections=None, name=None):
    """The mean of |labels - predictions| / normalizer (0 where the normalizer is 0)."""
    _graph_only("mean_relative_error")
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels,
                                                                 weights)
    normalizer, predictions = _squeeze_pair(_ops.convert_to_tensor(normalizer), predictions)
    predictions.shape.assert_is_compatible_with(normalizer.shape)
    relative = array_ops.where(math_ops.equal(normalizer, 0.0), array_ops.zeros_like(labels),
                               math_ops.divide(math_ops.abs(labels - predictions),
                                               normalizer))
    return mean(relative, weights, metrics_collections, updates_collections,
                name or "mean_relative_error")


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """1 - the mean of sum(labels * predictions) along `dim` (inputs unit-normalised)."""
    _graph_only("mean_cosine_distance")
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels,
                                                                 weights)
    dots = math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis=[dim],
                               keepdims=True)
    mean_dot, update_dot = mean(dots, weights, None, None, name or "mean_cosine_distance")
    distance = math_ops.subtract(1.0, mean_dot)
    update = math_ops.subtract(1.0, update_dot)
    _add(metrics_collections, distance)
    _add(updates_collections, update)
    return distance, update


def percentage_below(values, threshold, weights=None, metrics_collections=None,
                     updates_collections=None, name=None):
    _graph_only("percentage_below")
    below = math_ops.cast(math_ops.less(values, threshold), _dt.float32)
    return mean(below, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")


# --- counts of a condition: true/false positives/negatives ----------------------------------

def _count_condition(values, weights, metrics_collections, updates_collections):
    from . import assert_ops, check_ops
    assert_ops.assert_type(values, _dt.bool_)
    count = metric_variable([], _dt.float32, name="count")
    values = math_ops.cast(values, _dt.float32)
    if weights is not None:
        weights = _ops.convert_to_tensor(weights)
        if values.shape.rank is not None:
            check = check_ops.assert_rank_in(weights, (0, values.shape.rank))
        else:           # known only when the graph runs
            w_rank = array_ops.rank(weights)
            check = assert_ops.Assert(
                math_ops.logical_or(math_ops.equal(w_rank, 0),
                                    math_ops.equal(w_rank, array_ops.rank(values))),
                ["weights must be a scalar or have the rank of the values:", w_rank])
        with _ops.control_dependencies((check,) if check is not None else ()):
            weights = math_ops.cast(weights, _dt.float32)
            values = math_ops.multiply(values, weights)
    value = _read(count, metrics_collections)
    update = state_ops.assign_add(count, math_ops.reduce_sum(values))
    _add(updates_collections, update)
    return value, update


def _condition_metric(fn_name, label_is, prediction_is):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        _graph_only(fn_name)
        with variable_scope.variable_scope(name, fn_name, (predictions, labels, weights)):
            predictions, labels, weights = _remove_squeezable_dimensions(
                math_ops.cast(predictions, _dt.bool_), math_ops.cast(labels, _dt.bool_),
                weights)
            hit = math_ops.logical_and(math_ops.equal(labels, label_is),
                                       math_ops.equal(predictions, prediction_is))
            return _count_condition(hit, weights, metrics_collections, updates_collections)
    metric.__name__ = fn_name
    metric.__doc__ = (f"The (weighted) number of examples with label {label_is} and "
                      f"prediction {prediction_is}: `<name>/count`.")
    return metric


true_positives = _condition_metric("true_positives", True, True)
false_positives = _condition_metric("false_positives", False, True)
true_negatives = _condition_metric("true_negatives", False, False)
false_negatives = _condition_metric("false_negatives", True, False)


def _ratio_of_counts(fn_name, other, message=None):
    """precision (tp / (tp + fp)) and recall (tp / (tp + fn)): 0 while nothing counted."""
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        _graph_only(fn_name, message)
        with variable_scope.variable_scope(name, fn_name, (predictions, labels, weights)):
            predictions, labels, weights = _remove_squeezable_dimensions(
                math_ops.cast(predictions, _dt.bool_), math_ops.cast(labels, _dt.bool_),
                weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            o, o_update = other(labels, predictions, weights)

            def ratio(a, b, op_name):
                return array_ops.where(math_ops.greater(a + b, 0), math_ops.divide(a, a + b),
                                       0, op_name)
            value = ratio(tp, o, "value")
            _add(metrics_collections, value)
            update = ratio(tp_update, o_update, "update_op")
            _add(updates_collections, update)
            return value, update
    metric.__name__ = fn_name
    return metric


precision = _ratio_of_counts("precision", false_positives)
precision.__doc__ = "true_positives / (true_positives + false_positives), streamed."
recall = _ratio_of_counts(
    "recall", false_negatives,
    "tf.metrics.recall is not supported is not supported when eager execution is enabled.")
recall.__doc__ = "true_positives / (true_positives + false_negatives), streamed."


# --- at thresholds: the confusion counts of `predictions > threshold` per threshold ---------

def _confusion_at_thresholds(labels, predictions, thresholds, weights=None,
                             includes=("tp", "fn", "tn", "fp")):
    """Variables `true_positives`, `false_negatives`, `true_negatives`, `false_positives`
    (those in `includes`) of shape [len(thresholds)], and their update ops."""
    from . import assert_ops
    for key in includes:
        if key not in ("tp", "fn", "tn", "fp"):
            raise ValueError(f"Invalid key: {key}")
    predictions = _ops.convert_to_tensor(predictions)
    with _ops.control_dependencies([
            assert_ops.assert_greater_equal(
                predictions, math_ops.cast(0.0, dtype=predictions.dtype),
                message="predictions must be in [0, 1]"),
            assert_ops.assert_less_equal(
                predictions, math_ops.cast(1.0, dtype=predictions.dtype),
                message="predictions must be in [0, 1]")]):
        predictions, labels, weights = _remove_squeezable_dimensions(
            math_ops.cast(predictions, _dt.float32), math_ops.cast(labels, dtype=_dt.bool_),
            weights)
    n = len(thresholds)
    preds_2d = array_ops.reshape(predictions, [-1, 1])
    labels_2d = array_ops.reshape(math_ops.cast(labels, dtype=_dt.bool_), [1, -1])
    num = preds_2d.shape.as_list()[0]
    if num is None:
        num = array_ops.shape(preds_2d)[0]
    thresh = array_ops.tile(array_ops.expand_dims(constant_op.constant(thresholds), [1]),
                            array_ops.stack([1, num]))
    pred_pos = math_ops.greater(array_ops.tile(array_ops.transpose(preds_2d), [n, 1]),
                                thresh)
    pred_neg = math_ops.logical_not(pred_pos) if {"fn", "tn"} & set(includes) else None
    label_pos = array_ops.tile(labels_2d, [n, 1])
    label_neg = math_ops.logical_not(label_pos) if {"fp", "tn"} & set(includes) else None
    tiled_weights = None
    if weights is not None:
        weights = _broadcast_weights(math_ops.cast(weights, _dt.float32), predictions)
        tiled_weights = array_ops.tile(array_ops.reshape(weights, [1, -1]), [n, 1])
        thresh.shape.assert_is_compatible_with(tiled_weights.shape)
    parts = {"tp": ("true_positives", label_pos, lambda: pred_pos),
             "fn": ("false_negatives", label_pos, lambda: pred_neg),
             "tn": ("true_negatives", label_neg, lambda: pred_neg),
             "fp": ("false_positives", label_neg, lambda: pred_pos)}
    values, updates = {}, {}
    for key in ("tp", "fn", "tn", "fp"):
        if key not in includes:
            continue
        var_name, label_side, pred_side = parts[key]
        var = metric_variable([n], _dt.float32, name=var_name)
        hits = math_ops.cast(math_ops.logical_and(label_side, pred_side()), _dt.float32)
        if tiled_weights is not None:
            hits *= tiled_weights
        updates[key] = state_ops.assign_add(var, math_ops.reduce_sum(hits, 1))
        values[key] = var
    return values, updates


def _count_at_thresholds(fn_name, key):
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        _graph_only(fn_name)
        scope = fn_name[:-len("_at_thresholds")]
        with variable_scope.variable_scope(name, scope, (predictions, labels, weights)):
            values, updates = _confusion_at_thresholds(labels, predictions, thresholds,
                                                       weights=weights, includes=(key,))
            value = _read(values[key], metrics_collections)
            _add(updates_collections, updates[key])
            return value, updates[key]
    metric.__name__ = fn_name
    metric.__doc__ = (f"Per threshold t, the (weighted) count of {fn_name.split('_at')[0]} "
                      f"when `predictions > t` is the positive prediction.")
    return metric


true_positives_at_thresholds = _count_at_thresholds("true_positives_at_thresholds", "tp")
false_positives_at_thresholds = _count_at_thresholds("false_positives_at_thresholds", "fp")
true_negatives_at_thresholds = _count_at_thresholds("true_negatives_at_thresholds", "tn")
false_negatives_at_thresholds = _count_at_thresholds("false_negatives_at_thresholds", "fn")


def _rate_at_thresholds(fn_name, other, prefix):
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        _graph_only(fn_name)
        with variable_scope.variable_scope(name, fn_name, (predictions, labels, weights)):
            values, updates = _confusion_at_thresholds(labels, predictions, thresholds,
                                                       weights, includes=("tp", other))

            def rate(tp, o, which):
                return math_ops.divide(tp, 1e-7 + tp + o, name=f"{prefix}_{which}")
            value = rate(values["tp"], values[other], "value")
            _add(metrics_collections, value)
            update = rate(updates["tp"], updates[other], "update_op")
            _add(updates_collections, update)
            return value, update
    metric.__name__ = fn_name
    return metric


precision_at_thresholds = _rate_at_thresholds("precision_at_thresholds", "fp", "precision")
precision_at_thresholds.__doc__ = "Per threshold: tp / (tp + fp + 1e-7)."
recall_at_thresholds = _rate_at_thresholds("recall_at_thresholds", "fn", "recall")
recall_at_thresholds.__doc__ = "Per threshold: tp / (tp + fn + 1e-7)."


def _spread_thresholds(num_thresholds, top):
    eps = 1e-7      # floating point slack at both ends
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - eps] + inner + [top]


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
        thresholds=None):
    """The area under the ROC or PR curve, a Riemann sum over `num_thresholds` thresholds
    spread over [0, 1] (or the given `thresholds` plus the two ends)."""
    _graph_only("auc")
    with variable_scope.variable_scope(name, "auc", (labels, predictions, weights)):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"Curve must be either ROC or PR. Curve {curve} is unknown.")
        if thresholds is not None:
            num_thresholds = len(thresholds) + 2
            ts = [0.0 - 1e-7] + sorted(thresholds) + [1.0 + 1e-7]
        else:
            ts = _spread_thresholds(num_thresholds, 1.0 + 1e-7)
        values, updates = _confusion_at_thresholds(labels, predictions, ts, weights)
        n = num_thresholds
        eps = 1.0e-6

        def careful_pr(tp, fp, fn):
            # precision interpolated between thresholds (Davis & Goadrich), as TF does
            dtp = tp[:n - 1] - tp[1:]
            p = tp + fp
            slope = math_ops.div_no_nan(dtp, math_ops.maximum(p[:n - 1] - p[1:], 0),
                                        name="prec_slope")
            intercept = tp[1:] - math_ops.multiply(slope, p[1:])
            ratio = array_ops.where(
                math_ops.logical_and(p[:n - 1] > 0, p[1:] > 0),
                math_ops.div_no_nan(p[:n - 1], math_ops.maximum(p[1:], 0),
                                    name="recall_relative_ratio"),
                array_ops.ones_like(p[1:]))
            return math_ops.reduce_sum(
                math_ops.div_no_nan(slope * (dtp + intercept * math_ops.log(ratio)),
                                    math_ops.maximum(tp[1:] + fn[1:], 0),
                                    name="pr_auc_increment"),
                name="interpolate_pr_auc")

        def area(tp, fn, tn, fp, op_name):
            if curve == "PR":
                if summation_method == "trapezoidal":
                    logging.getLogger("tfteach").warning(
                        "Trapezoidal rule is known to produce incorrect PR-AUCs; please "
                        "switch to \"careful_interpolation\" instead.")
                elif summation_method == "careful_interpolation":
                    return careful_pr(tp, fp, fn)
            rec = math_ops.divide(tp + eps, tp + fn + eps)
            if curve == "ROC":
                x, y = math_ops.divide(fp, fp + tn + eps), rec
            else:
                x, y = rec, math_ops.divide(tp + eps, tp + fp + eps)
            if summation_method in ("trapezoidal", "careful_interpolation"):
                heights = (y[:n - 1] + y[1:]) / 2.
            elif summation_method == "minoring":
                heights = math_ops.minimum(y[:n - 1], y[1:])
            elif summation_method == "majoring":
                heights = math_ops.maximum(y[:n - 1], y[1:])
            else:
                raise ValueError(f"Invalid summation_method: {summation_method} "
                                 f"summation_method should be 'trapezoidal', "
                                 f"'careful_interpolation', 'minoring', or 'majoring'.")
            return math_ops.reduce_sum(math_ops.multiply(x[:n - 1] - x[1:], heights),
                                       name=op_name)

        return _value_and_update(
            lambda c, op_name: area(c["tp"], c["fn"], c["tn"], c["fp"], op_name),
            values, updates, metrics_collections, updates_collections)


def sensitivity_at_specificity(labels, predictions, specificity, weights=None,
                               num_thresholds=200, metrics_collections=None,
                               updates_collections=None, name=None):
    """The recall at the threshold whose specificity is closest to `specificity`."""
    _graph_only("sensitivity_at_specificity")
    if specificity < 0 or specificity > 1:
        raise ValueError(f"`specificity` must be in the range [0, 1]. Currently, "
                         f"`specificity` got {specificity}.")
    with variable_scope.variable_scope(name, "sensitivity_at_specificity",
                                       (predictions, labels, weights)):
        eps = 1e-7
        values, updates = _confusion_at_thresholds(
            labels, predictions, _spread_thresholds(num_thresholds, 1.0 + eps), weights)

        def at(tp, tn, fp, fn, op_name):
            specificities = math_ops.divide(tn, tn + fp + eps)
            i = math_ops.cast(math_ops.argmin(math_ops.abs(specificities - specificity), 0),
                              _dt.int32)
            return math_ops.divide(tp[i], tp[i] + fn[i] + eps, op_name)
        return _value_and_update(
            lambda c, op_name: at(c["tp"], c["tn"], c["fp"], c["fn"], op_name),
            values, updates, metrics_collections, updates_collections)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None,
                               num_thresholds=200, metrics_collections=None,
                               updates_collections=None, name=None):
    """The specificity at the last threshold whose recall is closest to `sensitivity`."""
    _graph_only("specificity_at_sensitivity")
    if sensitivity < 0 or sensitivity > 1:
        raise ValueError(f"`sensitivity` must be in the range [0, 1]. Currently, "
                         f"`sensitivity` is {sensitivity}.")
    with variable_scope.variable_scope(name, "specificity_at_sensitivity",
                                       (predictions, labels, weights)):
        eps = 1e-7
        values, updates = _confusion_at_thresholds(
            labels, predictions, _spread_thresholds(num_thresholds, 1.0 - eps), weights)

        def at(tp, tn, fp, fn, op_name):
            sensitivities = math_ops.divide(tp, tp + fn + eps)
            gap = math_ops.abs(sensitivities - sensitivity)
            closest = math_ops.equal(gap, math_ops.reduce_min(gap))
            # the last threshold at the smallest gap: argmax of the running count of them
            i = math_ops.cast(math_ops.argmax(
                math_ops.cumsum(math_ops.cast(closest, _dt.int64)), 0), _dt.int32)
            return math_ops.divide(tn[i], tn[i] + fp[i] + eps, op_name)
        return _value_and_update(
            lambda c, op_name: at(c["tp"], c["tn"], c["fp"], c["fn"], op_name),
            values, updates, metrics_collections, updates_collections)


# --- per class: mean IoU and mean per-class accuracy ---------------------------------------

def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """The mean over classes of TP / (TP + FP + FN), from a running confusion matrix
    (`<name>/total_confusion_matrix`, float64); classes never seen are left out."""
    from . import linalg_ops
    from .special_math_ops import confusion_matrix
    _graph_only("mean_iou")
    with variable_scope.variable_scope(name, "mean_iou", (predictions, labels, weights)):
        predictions = _ops.convert_to_tensor(predictions)
        labels = _ops.convert_to_tensor(labels)
        predictions.shape.assert_is_compatible_with(labels.shape)
        total = metric_variable([num_classes, num_classes], _dt.float64,
                                name="total_confusion_matrix")
        predictions = math_ops.cast(predictions, _dt.int64)
        labels = math_ops.cast(labels, _dt.int64)
        n = math_ops.cast(num_classes, _dt.int64)
        if predictions.shape.rank > 1:
            predictions = array_ops.reshape(predictions, [-1])
        if labels.shape.rank > 1:
            labels = array_ops.reshape(labels, [-1])
        if weights is not None:
            weights = _ops.convert_to_tensor(weights)
            if weights.shape.rank > 1:
                weights = array_ops.reshape(weights, [-1])
        batch = confusion_matrix(labels, predictions, n, weights=weights, dtype=_dt.float64)
        update = state_ops.assign_add(total, batch)

        rows = math_ops.cast(math_ops.reduce_sum(total, 0), _dt.float32)
        cols = math_ops.cast(math_ops.reduce_sum(total, 1), _dt.float32)
        diag = math_ops.cast(linalg_ops.diag_part(total), _dt.float32)
        denominator = rows + cols - diag
        seen = math_ops.reduce_sum(math_ops.cast(math_ops.not_equal(denominator, 0),
                                                 dtype=_dt.float32))
        denominator = array_ops.where(math_ops.greater(denominator, 0), denominator,
                                      array_ops.ones_like(denominator))
        iou = math_ops.divide(diag, denominator)
        value = array_ops.where(math_ops.greater(seen, 0),
                                math_ops.reduce_sum(iou, name="mean_iou") / seen, 0)
        _add(metrics_collections, value)
        _add(updates_collections, update)
        return value, update


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None,
                            metrics_collections=None, updates_collections=None, name=None):
    """The mean over classes of each class's accuracy (correct / seen, 0 if never seen)."""
    _graph_only("mean_per_class_accuracy")
    with variable_scope.variable_scope(name, "mean_accuracy",
                                       (predictions, labels, weights)):
        predictions = _ops.convert_to_tensor(predictions)
        labels = math_ops.cast(labels, _dt.int64)
        if labels.shape.rank > 1:
            labels = array_ops.reshape(labels, [-1])
        if predictions.shape.rank > 1:
            predictions = array_ops.reshape(predictions, [-1])
        predictions.shape.assert_is_compatible_with(labels.shape)
        total = metric_variable([num_classes], _dt.float32, name="total")
        count = metric_variable([num_classes], _dt.float32, name="count")
        ones = array_ops.ones([array_ops.size(labels)], _dt.float32)
        if labels.dtype != predictions.dtype:
            predictions = math_ops.cast(predictions, labels.dtype)
        is_correct = math_ops.cast(math_ops.equal(predictions, labels), _dt.float32)
        if weights is not None:
            weights = _ops.convert_to_tensor(weights)
            if weights.shape.rank > 1:
                weights = array_ops.reshape(weights, [-1])
            weights = math_ops.cast(weights, _dt.float32)
            is_correct *= weights
            ones *= weights
        update_total = state_ops.scatter_add(total, labels, ones)
        update_count = state_ops.scatter_add(count, labels, is_correct)
        per_class = math_ops.div_no_nan(count, math_ops.maximum(total, 0))
        value = math_ops.reduce_mean(per_class, name="mean_accuracy")
        _add(metrics_collections, value)
        update = math_ops.div_no_nan(update_count, math_ops.maximum(update_total, 0),
                                     name="update_op")
        _add(updates_collections, update)
        return value, update
