"""`keras.metrics`: stateful metrics (`update_state`, `result`, `reset_state`).

As in Keras 3, a metric's state is Keras variables (`add_variable`) updated with ops, so a
metric works eagerly and inside `tf.function` alike (the trace captures the variables):

- `Mean` keeps `total` and `count`; `MeanMetricWrapper` averages a function's per-sample
  values (accuracy, regression, probabilistic and hinge metrics are such wrappers);
- the confusion-matrix metrics (TruePositives ..., Precision, Recall, AUC, the
  "X at Y" metrics) count, per threshold, predictions strictly above it;
- the IoU metrics accumulate a class-by-class confusion matrix; F1/FBeta and R2 keep their
  per-class sums.
"""
import numpy as np

from . import losses as _losses

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "RootMeanSquaredError", "LogCoshError", "CosineSimilarity", "R2Score",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge",
           "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision",
           "Recall", "AUC", "PrecisionAtRecall", "RecallAtPrecision",
           "SensitivityAtSpecificity", "SpecificityAtSensitivity", "IoU", "MeanIoU",
           "BinaryIoU", "OneHotIoU", "OneHotMeanIoU", "FBetaScore", "F1Score",
           "PearsonCorrelation", "ConcordanceCorrelation",
           "get", "serialize", "deserialize", "accuracy", "binary_accuracy",
           "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "pearson_correlation",
           "concordance_correlation", "binary_crossentropy", "binary_focal_crossentropy",
           "categorical_crossentropy", "categorical_focal_crossentropy",
           "sparse_categorical_crossentropy", "categorical_hinge", "hinge", "squared_hinge",
           "huber", "kld", "kullback_leibler_divergence", "logcosh", "mae", "mape", "mse",
           "msle", "poisson", "MAE", "MAPE", "MSE", "MSLE", "KLD"]

_EPS = 1e-7
_NEG_INF = -1e10


def _np(x):
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x)


def _t(x, dtype=None):
    from ..framework import ops as _ops
    if dtype is not None and isinstance(x, _ops.Tensor):
        from ..ops import math_ops
        return x if x.dtype.base_dtype == dtype else math_ops.cast(x, dtype)
    if dtype is not None and not isinstance(x, _ops.Tensor):
        x = np.asarray(x)
        if x.dtype != dtype.np_dtype:
            x = x.astype(dtype.np_dtype)
    return _ops.convert_to_tensor(x, dtype=dtype)


def _ops():
    from ..ops import array_ops, math_ops
    return array_ops, math_ops


def _f32():
    from ..framework import dtypes
    return dtypes.float32


# --- the functions ---------------------------------------------------------------------------

def sparse_categorical_accuracy(y_true, y_pred):
    a, m = _ops()
    y_true, y_pred = _t(y_true), _t(y_pred)
    if y_true.shape.rank is not None and y_pred.shape.rank is not None and \
            y_true.shape.rank == y_pred.shape.rank and y_true.shape.as_list()[-1:] == [1]:
        y_true = a.squeeze(y_true, [-1])
    pred = m.argmax(y_pred, axis=-1)
    return m.cast(m.equal(m.cast(y_true, pred.dtype), pred), _f32())


def categorical_accuracy(y_true, y_pred):
    a, m = _ops()
    return m.cast(m.equal(m.argmax(_t(y_true), axis=-1), m.argmax(_t(y_pred), axis=-1)),
                  _f32())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    a, m = _ops()
    y_pred = _t(y_pred)
    y_true = m.cast(_t(y_true), y_pred.dtype)
    # elementwise, as Keras 3 (the metric averages)
    return m.cast(m.equal(y_true, m.cast(y_pred > threshold, y_pred.dtype)), _f32())


def accuracy(y_true, y_pred):
    a, m = _ops()
    y_pred = _t(y_pred)
    return m.cast(m.equal(m.cast(_t(y_true), y_pred.dtype), y_pred), _f32())


def _top_k_matches(y_true, y_pred, k):
    """in_top_k per sample; inputs of rank > 2 are flattened and the result reshaped."""
    from .. import nn
    from ..framework import dtypes
    a, m = _ops()
    shape = a.shape(y_true)
    reshape = y_true.shape.rank is not None and y_true.shape.rank > 1
    if y_pred.shape.rank is not None and y_pred.shape.rank > 2:
        y_pred = a.reshape(y_pred, [-1, y_pred.shape.as_list()[-1]])
    if reshape:
        y_true = a.reshape(y_true, [-1])
    hits = m.cast(nn.in_top_k(m.cast(y_true, dtypes.int32), m.cast(y_pred, _f32()), k=k),
                  _f32())
    return a.reshape(hits, shape) if reshape else hits


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    a, m = _ops()
    y_pred = _t(y_pred)
    y_true = m.argmax(m.cast(_t(y_true), y_pred.dtype), axis=-1)
    return _top_k_matches(y_true, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    from ..framework import dtypes
    a, m = _ops()
    y_pred = _t(y_pred)
    if from_sorted_ids:
        # y_pred holds class ids, best first: a hit is y_true among the first k
        y_true = m.cast(_t(y_true), y_pred.dtype)
        shape = a.shape(y_true)
        flat = a.reshape(y_true, [-1])
        pred = a.reshape(y_pred, [-1, y_pred.shape.as_list()[-1]])[:, :k]
        hits = m.cast(m.reduce_any(m.equal(a.expand_dims(flat, 1), pred), axis=1), _f32())
        return a.reshape(hits, shape)
    return _top_k_matches(m.cast(_t(y_true), dtypes.int32), y_pred, k)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's r along `axis`."""
    a, m = _ops()
    y_true, y_pred = _losses._pair(y_true, y_pred)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    t = y_true - m.reduce_mean(y_true, axis, keepdims=True)
    p = y_pred - m.reduce_mean(y_pred, axis, keepdims=True)
    t = t / m.reduce_std(t, axis, keepdims=True)
    p = p / m.reduce_std(p, axis, keepdims=True)
    return m.reduce_mean(t * p, axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis`, as Keras 3 writes it (its covariance
    term centres y_true on y_pred's mean)."""
    a, m = _ops()
    y_true, y_pred = _losses._pair(y_true, y_pred)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    tm = m.reduce_mean(y_true, axis, keepdims=True)
    pm = m.reduce_mean(y_pred, axis, keepdims=True)
    tv = m.reduce_variance(y_true - tm, axis, keepdims=True)
    pv = m.reduce_variance(y_pred - pm, axis, keepdims=True)
    covar = (y_true - pm) * (y_pred - pm)
    norm = tv + pv + m.square(tm - pm)
    return m.reduce_mean(2 * covar / (norm + _EPS), axis)


# the loss functions that tf.keras.metrics exports too
binary_crossentropy = _losses.binary_crossentropy
binary_focal_crossentropy = _losses.binary_focal_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
categorical_focal_crossentropy = _losses.categorical_focal_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
categorical_hinge = _losses.categorical_hinge
hinge = _losses.hinge
squared_hinge = _losses.squared_hinge
huber = _losses.huber
kld = KLD = kullback_leibler_divergence = _losses.kl_divergence
logcosh = _losses.log_cosh
mae = MAE = _losses.mean_absolute_error
mape = MAPE = _losses.mean_absolute_percentage_error
mse = MSE = _losses.mean_squared_error
msle = MSLE = _losses.mean_squared_logarithmic_error
poisson = _losses.poisson


# --- the base classes ------------------------------------------------------------------------

class Metric:
    """Keras 3's metric base: variables made with `add_variable`, reset to their initial
    values by `reset_state`."""

    def __init__(self, dtype=None, name=None):
        from . import backend
        from ..framework import dtypes
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self._dtype = dtypes.as_dtype(dtype or "float32")
        self._variables = []

    @property
    def dtype(self):
        return self._dtype.name

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """A non-trainable Keras variable in this metric's scope (zeros unless told)."""
        from . import backend
        from ..eager import context
        from ..framework import dtypes
        dt = dtypes.as_dtype(dtype) if dtype is not None else self._dtype
        shape = tuple(shape)
        value = np.ones(shape, dt.np_dtype) if initializer == "ones" else \
            np.zeros(shape, dt.np_dtype)
        with context.init_scope(), backend.name_scope(self.name):
            v = backend.Variable(value, dtype=dt.name, trainable=False, name=name)
        self._variables.append(v)
        return v

    @property
    def variables(self):
        return list(self._variables)

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(tuple(v.shape.as_list()), v.dtype.np_dtype))

    reset_states = reset_state

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _samplewise(values, sample_weight, reduce_fn, dtype):
    """Keras' reduce_to_samplewise_values: values reduced to one per sample (over the axes
    the weights do not cover, then the rest), the weights broadcast and reduced likewise."""
    a, m = _ops()
    values = _t(values, dtype)
    if sample_weight is not None:
        sample_weight = _t(sample_weight, dtype)
        values, sample_weight = _losses.squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.shape.rank, values.shape.rank
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=list(range(w_ndim, v_ndim)))
        sample_weight = a.broadcast_to(sample_weight, a.shape(values))
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, w_ndim)))
    if values.shape.rank > 1:
        values = reduce_fn(values, axis=list(range(1, values.shape.rank)))
    return values, sample_weight


class Mean(Metric):
    """The weighted mean of the values seen (one value per sample)."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        a, m = _ops()
        values, sample_weight = _samplewise(values, sample_weight, m.reduce_mean,
                                            self._dtype)
        self.total.assign_add(m.reduce_sum(values))
        if sample_weight is not None:
            n = m.reduce_sum(sample_weight)
        elif values.shape.rank >= 1:
            n = m.cast(a.shape(values)[0], self._dtype)
        else:
            n = _t(1.0, self._dtype)
        self.count.assign_add(n)

    def result(self):
        a, m = _ops()
        return m.div_no_nan(self.total.value(), self.count.value())


class Sum(Metric):
    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        a, m = _ops()
        values, _ = _samplewise(values, sample_weight, m.reduce_sum, self._dtype)
        self.total.assign_add(m.reduce_sum(values))

    def result(self):
        return self.total.value()


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        c = {"name": self.name, "dtype": self.dtype}
        if type(self) is MeanMetricWrapper:
            c["fn"] = getattr(self._fn, "__name__", self._fn)
        c.update(self._fn_kwargs)
        return c


def _wrapper(cls_name, fn, default, _config=None, **defaults):
    """A MeanMetricWrapper subclass of `fn`, with keyword parameters `defaults` (passed on
    to `fn`; those in `_config`, all unless told, are written in the config, as Keras
    does)."""
    def __init__(self, name=default, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{cls_name}.__init__() got an unexpected keyword argument "
                            f"'{sorted(unknown)[0]}'")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype,
                                   **{**defaults, **kwargs})
    def get_config(self):
        c = MeanMetricWrapper.get_config(self)
        for k in set(defaults) - set(defaults if _config is None else _config):
            c.pop(k, None)
        return c
    return type(cls_name, (MeanMetricWrapper,),
                {"__init__": __init__, "__module__": __name__, "get_config": get_config,
                 "__doc__": f"The mean of `{getattr(fn, '__name__', fn)}` over the samples."})


Accuracy = _wrapper("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
MeanSquaredError = _wrapper("MeanSquaredError", _losses.mean_squared_error,
                            "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _losses.mean_absolute_error,
                             "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       _losses.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       _losses.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
LogCoshError = _wrapper("LogCoshError", _losses.log_cosh, "logcosh")


def _metric_cosine_similarity(y_true, y_pred, axis=-1):
    # the metric is the similarity itself (the loss is its negation)
    return -_losses.cosine_similarity(y_true, y_pred, axis=axis)


CosineSimilarity = _wrapper("CosineSimilarity", _metric_cosine_similarity,
                            "cosine_similarity", _config=(), axis=-1)
KLDivergence = _wrapper("KLDivergence", _losses.kl_divergence, "kl_divergence")
Poisson = _wrapper("Poisson", _losses.poisson, "poisson")
Hinge = _wrapper("Hinge", _losses.hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", _losses.squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", _losses.categorical_hinge,
                            "categorical_hinge")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", _losses.binary_crossentropy,
                              "binary_crossentropy", from_logits=False, label_smoothing=0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy",
                                   _losses.categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False,
                                   label_smoothing=0, axis=-1)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy",
                                         _losses.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False,
                                         ignore_class=None, axis=-1)
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy",
                                         sparse_top_k_categorical_accuracy,
                                         "sparse_top_k_categorical_accuracy",
                                         _config=("k",), k=5, from_sorted_ids=False)
PearsonCorrelation = _wrapper("PearsonCorrelation", pearson_correlation,
                              "pearson_correlation", axis=-1)
ConcordanceCorrelation = _wrapper("ConcordanceCorrelation", concordance_correlation,
                                  "concordance_correlation", axis=-1)


class RootMeanSquaredError(Mean):
    """sqrt of the weighted mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        a, m = _ops()
        y_true, y_pred = _t(y_true, self._dtype), _t(y_pred, self._dtype)
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(m.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        a, m = _ops()
        return m.sqrt(super().result())


# --- confusion-matrix metrics -----------------------------------------------------------------

def _to_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _parse_thresholds(thresholds, default):
    if thresholds is not None:
        bad = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return _to_list(default if thresholds is None else thresholds)


def _evenly(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    return np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=_EPS)


def _update_confusion(variables, y_true, y_pred, thresholds, top_k=None, class_id=None,
                      sample_weight=None, multi_label=False, label_weights=None,
                      evenly=False):
    """Adds, per threshold, the (weighted) count of each outcome in `variables` ("tp",
    "fp", "tn", "fn"): a prediction is positive when strictly above the threshold, a label
    when nonzero. Keras counts evenly spaced thresholds by bucketing predictions clipped to
    [0, 1]; clipping here gives the same counts."""
    from ..framework import dtypes
    a, m = _ops()
    f32 = _f32()
    y_true, y_pred = _t(y_true, f32), _t(y_pred, f32)
    y_pred, y_true = _losses.squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = a.expand_dims(_t(sample_weight, f32), -1)
        _, sample_weight = _losses.squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                                  expand_rank_1=False)
    if top_k is not None:
        from .. import nn
        _, idx = nn.top_k(y_pred, top_k)
        mask = m.reduce_sum(a.one_hot(idx, y_pred.shape.as_list()[-1], dtype=f32), axis=-2)
        y_pred = y_pred * mask + _NEG_INF * (1 - mask)
    if class_id is not None:
        if y_pred.shape.rank == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with "
                             "shape (num_samples, num_classes), found shape: "
                             f"{tuple(y_pred.shape.as_list())}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    if evenly:
        y_pred = m.minimum(m.maximum(y_pred, 0.0), 1.0)
    thr = _t(np.asarray(thresholds, np.float32))
    n_thr = len(thresholds)
    weights = None
    if sample_weight is not None:
        weights = a.broadcast_to(sample_weight, a.shape(y_pred))
    if label_weights is not None and not multi_label:
        lw = a.broadcast_to(a.expand_dims(_t(label_weights, f32), 0), a.shape(y_pred))
        weights = lw if weights is None else weights * lw
    if multi_label:
        preds = a.expand_dims(y_pred, 0)                       # [1, N, L]
        labels = a.expand_dims(m.not_equal(y_true, 0.0), 0)
        thr = a.reshape(thr, [n_thr, 1, 1])
        w = None if weights is None else a.expand_dims(weights, 0)
    else:
        preds = a.reshape(y_pred, [1, -1])                     # [1, N]
        labels = a.reshape(m.not_equal(y_true, 0.0), [1, -1])
        thr = a.reshape(thr, [n_thr, 1])
        w = None if weights is None else a.reshape(weights, [1, -1])
    pred_pos = m.greater(preds, thr)
    label_pos = a.broadcast_to(labels, a.shape(pred_pos))
    pred_neg, label_neg = m.logical_not(pred_pos), m.logical_not(label_pos)
    cases = {"tp": (label_pos, pred_pos), "fp": (label_neg, pred_pos),
             "tn": (label_neg, pred_neg), "fn": (label_pos, pred_neg)}
    for key, var in variables.items():
        lab, pred = cases[key]
        hit = m.cast(m.logical_and(lab, pred), var.dtype.base_dtype)
        if w is not None:
            hit = hit * m.cast(w, var.dtype.base_dtype)
        var.assign_add(m.reduce_sum(hit, axis=1))
    del dtypes


class _ConfusionMatrixConditionCount(Metric):
    _cond = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self._evenly = _evenly(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        _update_confusion({self._cond: self.accumulator}, y_true, y_pred, self.thresholds,
                          sample_weight=sample_weight, evenly=self._evenly)

    def result(self):
        v = self.accumulator.value()
        return v[0] if len(self.thresholds) == 1 else v

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    _cond = "tp"


class FalsePositives(_ConfusionMatrixConditionCount):
    _cond = "fp"


class TrueNegatives(_ConfusionMatrixConditionCount):
    _cond = "tn"


class FalseNegatives(_ConfusionMatrixConditionCount):
    _cond = "fn"


class _PrecisionRecall(Metric):
    _second = None     # "fp" for precision, "fn" for recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else _NEG_INF)
        self._evenly = _evenly(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        second = "false_positives" if self._second == "fp" else "false_negatives"
        setattr(self, second, self.add_variable((n,), name=second))
        self._other = getattr(self, second)

    def update_state(self, y_true, y_pred, sample_weight=None):
        _update_confusion({"tp": self.true_positives, self._second: self._other}, y_true,
                          y_pred, self.thresholds, top_k=self.top_k, class_id=self.class_id,
                          sample_weight=sample_weight, evenly=self._evenly)

    def result(self):
        a, m = _ops()
        tp = self.true_positives.value()
        r = m.div_no_nan(tp, tp + self._other.value())
        return r[0] if len(self.thresholds) == 1 else r

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp) per threshold (a scalar for one threshold)."""
    _second = "fp"


class Recall(_PrecisionRecall):
    """tp / (tp + fn) per threshold (a scalar for one threshold)."""
    _second = "fn"


class _SensitivitySpecificityBase(Metric):
    _value_name = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._value_name}` must be in the range [0, 1]. "
                             f"Received: {self._value_name}={value}")
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        self.value = value
        setattr(self, self._value_name, value)
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            self.thresholds = [0.0] + [(i + 1) * 1.0 / (num_thresholds - 1)
                                       for i in range(num_thresholds - 2)] + [1.0]
            self._evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        self.false_positives = self.add_variable((n,), name="false_positives")
        self.true_negatives = self.add_variable((n,), name="true_negatives")
        self.false_negatives = self.add_variable((n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        _update_confusion({"tp": self.true_positives, "tn": self.true_negatives,
                           "fp": self.false_positives, "fn": self.false_negatives},
                          y_true, y_pred, self.thresholds, class_id=self.class_id,
                          sample_weight=sample_weight, evenly=self._evenly)

    def _rates(self):
        a, m = _ops()
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        return {"sensitivity": m.div_no_nan(tp, tp + fn),
                "specificity": m.div_no_nan(tn, tn + fp),
                "precision": m.div_no_nan(tp, tp + fp)}

    def _max_under_constraint(self, constrained, dependent):
        """The largest `dependent` over the thresholds where `constrained` >= value
        (0 when none)."""
        a, m = _ops()
        feasible = m.greater_equal(constrained, self.value)
        return m.maximum(m.reduce_max(a.where(feasible, dependent,
                                              a.zeros_like(dependent))), 0.0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_name: self.value}


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    _value_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_under_constraint(r["specificity"], r["sensitivity"])


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    _value_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_under_constraint(r["sensitivity"], r["specificity"])


class PrecisionAtRecall(_SensitivitySpecificityBase):
    _value_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_under_constraint(r["sensitivity"], r["precision"])


class RecallAtPrecision(_SensitivitySpecificityBase):
    _value_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._max_under_constraint(r["precision"], r["sensitivity"])


_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN",
           "PRGAIN": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation",
               "majoring": "majoring", "Majoring": "majoring", "minoring": "minoring",
               "Minoring": "minoring"}


class AUC(Metric):
    """Area under the ROC, PR or PR-gain curve, from confusion counts at `num_thresholds`
    thresholds (a Riemann sum; PR with "interpolation" uses Davis & Goadrich's rule)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if curve not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        if summation_method not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _evenly(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._evenly = True
        # the ends sit just outside [0, 1] so that 0 and 1 predictions are counted
        self._thresholds = np.array([0.0 - _EPS] + thresholds + [1.0 + _EPS])
        self.curve = _CURVES[curve]
        self.summation_method = _SUMMATIONS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            _t(np.asarray(label_weights, np.float32))
        self._label_weights_config = label_weights
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{tuple(shape)}")
            self._num_labels = shape[1]
            vshape = (self.num_thresholds, self._num_labels)
        else:
            vshape = (self.num_thresholds,)
        self.true_positives = self.add_variable(vshape, name="true_positives")
        self.false_positives = self.add_variable(vshape, name="false_positives")
        self.true_negatives = self.add_variable(vshape, name="true_negatives")
        self.false_negatives = self.add_variable(vshape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        a, m = _ops()
        y_pred = _t(y_pred)
        if not self._built:
            self._build(y_pred.shape.as_list())
        if self._from_logits:
            y_pred = m.sigmoid(m.cast(y_pred, _f32()))
        _update_confusion({"tp": self.true_positives, "tn": self.true_negatives,
                           "fp": self.false_positives, "fn": self.false_negatives},
                          y_true, y_pred, self._thresholds, sample_weight=sample_weight,
                          multi_label=self.multi_label,
                          label_weights=None if self.multi_label else self.label_weights,
                          evenly=self._evenly)

    def _by_label(self, terms):
        a, m = _ops()
        if not self.multi_label:
            return m.reduce_sum(terms)
        by_label = m.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return m.reduce_mean(by_label)
        return m.div_no_nan(m.reduce_sum(by_label * self.label_weights),
                            m.reduce_sum(self.label_weights))

    def interpolate_pr_auc(self):
        a, m = _ops()
        n = self.num_thresholds
        tp, fp = self.true_positives.value(), self.false_positives.value()
        fn = self.false_negatives.value()
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = m.div_no_nan(dtp, m.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        ratio = a.where(m.logical_and(p[:n - 1] > 0, p[1:] > 0),
                        m.div_no_nan(p[:n - 1], m.maximum(p[1:], 0.0)),
                        a.ones_like(p[1:]))
        inc = m.div_no_nan(slope * (dtp + intercept * m.log(ratio)),
                           m.maximum(tp[1:] + fn[1:], 0.0))
        return self._by_label(inc)

    def result(self):
        a, m = _ops()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        recall = m.div_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = m.div_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, m.div_no_nan(tp, tp + fp)
        else:
            scale = m.div_no_nan(tp + fn, tn + fp)
            rg = 1.0 - scale * m.div_no_nan(fn, tp)
            pg = 1.0 - scale * m.div_no_nan(fp, tp)
            zero = m.equal(tp, 0.0)
            rg = m.maximum(a.where(zero, a.zeros_like(rg), rg), 0.0)
            pg = a.where(zero, a.ones_like(pg), pg)
            x, y = rg, pg
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = m.minimum(y[:n - 1], y[1:])
        else:
            heights = m.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        c = {**super().get_config(), "num_thresholds": self.num_thresholds,
             "curve": self.curve, "summation_method": self.summation_method,
             "multi_label": self.multi_label, "num_labels": self.num_labels,
             "label_weights": self._label_weights_config, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            c["thresholds"] = self.thresholds[1:-1]
        return c


# --- IoU ------------------------------------------------------------------------------------

class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        # Keras keeps the confusion matrix in integers unless told ("int" is int64 under
        # the TensorFlow backend)
        super().__init__(name=name, dtype=dtype or "int64")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes),
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        a, m = _ops()
        dt = self._dtype
        if not self.sparse_y_true:
            y_true = m.argmax(_t(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = m.argmax(_t(y_pred), axis=self.axis)
        y_true = a.reshape(_t(y_true, dt), [-1])
        y_pred = a.reshape(_t(y_pred, dt), [-1])
        w = _t(1 if sample_weight is None else sample_weight, dt)
        if w.shape.rank and w.shape.rank > 1:
            w = a.reshape(w, [-1])
        w = a.broadcast_to(w, a.shape(y_true))
        n = _t(self.num_classes, dt)
        zero = a.zeros_like(y_true)
        ok = m.logical_and(m.logical_and(y_true >= zero, y_true < n),
                           m.logical_and(y_pred >= zero, y_pred < n))
        if self.ignore_class is not None:
            ok = m.logical_and(ok, m.not_equal(y_true, _t(self.ignore_class, dt)))
        y_true = a.where(ok, y_true, zero)
        y_pred = a.where(ok, y_pred, zero)
        w = a.where(ok, w, a.zeros_like(w))
        from ..framework import dtypes
        cell = m.cast(y_true, dtypes.int32) * self.num_classes + m.cast(y_pred, dtypes.int32)
        cm = a.unsorted_segment_sum(w, cell, self.num_classes * self.num_classes)
        self.total_cm.assign_add(a.reshape(cm, [self.num_classes, self.num_classes]))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """Intersection over union of the classes in `target_class_ids`, averaged over those
    that occur."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, "
                             f"which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        a, m = _ops()
        f32 = _f32()
        cm = m.cast(self.total_cm.value(), f32)
        tp = a.matrix_diag_part(cm) if hasattr(a, "matrix_diag_part") else \
            m.reduce_sum(cm * np.eye(self.num_classes, dtype=np.float32), axis=1)
        den = m.reduce_sum(cm, axis=0) + m.reduce_sum(cm, axis=1) - tp
        ids = _t(np.asarray(self.target_class_ids, np.int32))
        tp, den = a.gather(tp, ids), a.gather(den, ids)
        valid = m.greater(den, 1e-9)
        iou = a.where(valid, tp / (den + _EPS), a.zeros_like(tp))
        return m.reduce_sum(iou, axis=self.axis) / \
            (m.reduce_sum(m.cast(valid, f32)) + _EPS)

    def get_config(self):
        c = super().get_config()
        c["target_class_ids"] = self.target_class_ids
        return c


class BinaryIoU(IoU):
    """IoU of predictions thresholded at `threshold` (>=) against 0/1 labels."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        a, m = _ops()
        y_pred = _t(y_pred, _f32())
        y_pred = m.cast(y_pred >= self.threshold, self._dtype)
        return super().update_state(_t(y_true, self._dtype), y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        c = super().get_config()
        del c["target_class_ids"]
        return c


class OneHotIoU(IoU):
    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        c = super().get_config()
        del c["sparse_y_true"]
        return c


class OneHotMeanIoU(MeanIoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        c = super().get_config()
        del c["sparse_y_true"]
        return c


# --- F-scores and R2 --------------------------------------------------------------------------

class FBetaScore(Metric):
    """F-beta per class (or "micro", "macro", "weighted" averaged) of predictions taken as
    positive above `threshold` (or, without one, the highest per sample)."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, t_shape, p_shape):
        if len(p_shape) != 2 or len(t_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{tuple(p_shape)} and y_true.shape={tuple(t_shape)}.")
        shape = () if self.average == "micro" else (p_shape[-1],)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        a, m = _ops()
        dt = self._dtype
        y_true, y_pred = _t(y_true, dt), _t(y_pred, dt)
        if not self._built:
            self._build(y_true.shape.as_list(), y_pred.shape.as_list())
        if self.threshold is None:
            top = m.reduce_max(y_pred, axis=-1, keepdims=True)
            pos = m.logical_and(y_pred >= top, m.abs(y_pred) > 1e-9)
        else:
            pos = y_pred > self.threshold
        y_pred = m.cast(pos, dt)
        w = None if sample_weight is None else a.expand_dims(_t(sample_weight, dt), 1)

        def wsum(v):
            return m.reduce_sum(v if w is None else v * w, axis=self.axis)
        self.true_positives.assign_add(wsum(y_pred * y_true))
        self.false_positives.assign_add(wsum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(wsum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(wsum(y_true))

    def result(self):
        a, m = _ops()
        tp = self.true_positives.value()
        precision = tp / (tp + self.false_positives.value() + _EPS)
        recall = tp / (tp + self.false_negatives.value() + _EPS)
        b2 = self.beta ** 2
        f = precision * recall / (b2 * precision + recall + _EPS) * (1 + b2)
        if self.average == "weighted":
            iw = self.intermediate_weights.value()
            return m.reduce_sum(f * (iw / (m.reduce_sum(iw) + _EPS)))
        if self.average is not None:
            return m.reduce_mean(f)
        return f

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        c = super().get_config()
        del c["beta"]
        return c


class R2Score(Metric):
    """The coefficient of determination per output, aggregated ("uniform_average",
    "variance_weighted_average" or None), adjusted for `num_regressors`."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one "
                             f"of {valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), name="num_samples")
        self._built = False

    def _build(self, t_shape, p_shape):
        if len(p_shape) != 2 or len(t_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim)."
                             f" Received input shapes: y_pred.shape={tuple(p_shape)} and "
                             f"y_true.shape={tuple(t_shape)}.")
        n = p_shape[-1]
        self.squared_sum = self.add_variable((n,), name="squared_sum")
        self.sum = self.add_variable((n,), name="sum")
        self.total_mse = self.add_variable((n,), name="residual")
        self.count = self.add_variable((n,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        a, m = _ops()
        dt = self._dtype
        y_true, y_pred = _t(y_true, dt), _t(y_pred, dt)
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape.as_list(), y_pred.shape.as_list())
        w = _t(1.0 if sample_weight is None else sample_weight, dt)
        if w.shape.rank == 1:
            w = a.expand_dims(w, 1)
        w = a.broadcast_to(w, a.shape(y_true))
        wt = y_true * w
        self.sum.assign_add(m.reduce_sum(wt, axis=0))
        self.squared_sum.assign_add(m.reduce_sum(y_true * wt, axis=0))
        self.total_mse.assign_add(m.reduce_sum(m.square(y_true - y_pred) * w, axis=0))
        self.count.assign_add(m.reduce_sum(w, axis=0))
        self.num_samples.assign_add(m.cast(a.size(y_true), dt))

    def result(self):
        a, m = _ops()
        s, c = self.sum.value(), self.count.value()
        mean = s / c
        total = self.squared_sum.value() - s * mean
        raw = 1 - self.total_mse.value() / total
        raw = a.where(m.is_inf(raw), a.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            r2 = m.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = m.reduce_sum(total * raw) / m.reduce_sum(total)
        else:
            r2 = raw
        if self.num_regressors != 0:
            import warnings
            n = float(_np(self.num_samples.value()))
            p = float(self.num_regressors)
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            else:
                r2 = 1.0 - (1.0 - r2) * (n - 1.0) / (n - p - 1.0)
        return r2

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# --- lookup ---------------------------------------------------------------------------------

def _snake(name):
    from . import backend
    return backend.to_snake_case(name)


_CLASSES = [v for v in list(globals().values())
            if isinstance(v, type) and issubclass(v, Metric) and not v.__name__.startswith("_")]
# get() takes a class name, its snake-case form or one of Keras' short aliases, and gives an
# instance (the functions are not looked up by name)
_BY_NAME = {c.__name__: c for c in _CLASSES}
_BY_NAME.update({_snake(c.__name__): c for c in _CLASSES})
_BY_NAME.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
                 "mse": MeanSquaredError, "MSE": MeanSquaredError,
                 "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                 "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                 "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})


def get(identifier, loss=None, y_true=None, y_pred=None):
    """Resolves a metric as keras.metrics.get does. With `loss` or `y_true` (compile's use,
    Keras' get_metric): "accuracy"/"acc" picks the variant that fits the loss and labels, a
    function is wrapped in a MeanMetricWrapper, and a metric named by a string takes that
    string as its name."""
    compiling = loss is not None or y_true is not None
    if compiling:
        return _compile_metric(identifier, loss, y_true, y_pred)
    if isinstance(identifier, Metric) or identifier is None:
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
        return cls()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def _compile_metric(identifier, loss, y_true, y_pred):
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        if y_true is not None and y_pred is not None:
            t, p = _np_shape(y_true), list(y_pred.shape.as_list())
            if p[-1] == 1:
                return BinaryAccuracy(name=identifier)
            if len(t) < len(p) or (t[-1] == 1 and p[-1] > 1):
                return SparseCategoricalAccuracy(name=identifier)
            return CategoricalAccuracy(name=identifier)
        lname = getattr(loss, "name", None) or ""
        if "sparse" in lname or (y_true is not None and _sparse_labels(y_true)):
            return SparseCategoricalAccuracy(name=identifier)
        if "binary" in lname:
            return BinaryAccuracy(name=identifier)
        if "categorical" in lname:
            return CategoricalAccuracy(name=identifier)
        return Accuracy(name=identifier)
    obj = get(identifier)
    if not isinstance(obj, Metric):
        obj = MeanMetricWrapper(obj, name=getattr(obj, "__name__", None))
    if isinstance(identifier, str):
        obj.name = identifier
    return obj


def _np_shape(y):
    return list(y.shape.as_list()) if hasattr(y, "shape") and hasattr(y.shape, "as_list") \
        else list(np.shape(_np(y)))


def _sparse_labels(y):
    y = _np(y)
    return y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1)


def serialize(metric):
    """Keras 3's serialized form of a metric object: module, class name and config."""
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    return getattr(metric, "__name__", metric)


def deserialize(config, custom_objects=None):
    if custom_objects and isinstance(config, str) and config in custom_objects:
        return custom_objects[config]
    if isinstance(config, dict):
        cname = config.get("class_name")
        cls = (custom_objects or {}).get(cname) or \
            {c.__name__: c for c in _CLASSES}.get(cname)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {config}")
        return cls.from_config(config.get("config", {}))
    return get(config)


import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.metrics")
