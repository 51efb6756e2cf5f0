"""`keras.losses`: loss classes and their functions, with Keras 3's semantics.

A loss class computes per-sample values with its function (`call`), weights them with
`sample_weight` (squeezed or expanded to the values' rank, as Keras does) and reduces them:
"sum_over_batch_size" and "mean" divide the sum by the number of values, "sum" sums,
"mean_with_sample_weight" divides by the sum of the weights, "none"/None keep them.
"""
import math as _math

from .. import nn as _nn
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..ops import array_ops as _a
from ..ops import math_ops as _m

__all__ = ["Loss", "Reduction", "SparseCategoricalCrossentropy", "CategoricalCrossentropy",
           "BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
           "KLDivergence", "Poisson", "CosineSimilarity", "Hinge", "SquaredHinge",
           "CategoricalHinge", "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
           "CategoricalGeneralizedCrossEntropy", "Dice", "Tversky",
           "categorical_generalized_cross_entropy",
           "sparse_categorical_crossentropy", "categorical_crossentropy",
           "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "mse", "mae",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "mape", "msle",
           "huber", "log_cosh", "logcosh", "kl_divergence", "kld", "kullback_leibler_divergence",
           "poisson", "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge",
           "binary_focal_crossentropy", "categorical_focal_crossentropy", "dice", "tversky",
           "get", "serialize", "deserialize"]

_EPS = 1e-7     # keras.backend.epsilon()


class _clip:
    @staticmethod
    def clip_by_value(x, lo, hi):
        return _m.minimum(_m.maximum(x, lo), hi)


def _tensor(x, dtype=None):
    if hasattr(x, "dtype") and isinstance(x, _ops.Tensor):
        return x
    # a float64 array stays float64 (Keras' functions keep it; a Loss object casts)
    if dtype is None and isinstance(x, (float, list, tuple)):
        dtype = _dt.float32     # Keras' convert_to_tensor makes Python floats floatx
    return _ops.convert_to_tensor(x, dtype=dtype)


def _pair(y_true, y_pred):
    """y_pred as a tensor, y_true cast to its dtype (Keras' first two lines)."""
    y_pred = _tensor(y_pred)
    return _m.cast(_tensor(y_true), y_pred.dtype), y_pred


def _rank(x):
    return x.shape.rank


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras' rule: when the ranks differ by one and the longer one ends in 1, squeeze that
    axis (or, for a rank-1 partner, expand it instead)."""
    r1, r2 = _rank(x1), _rank(x2)
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape.as_list()[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _a.expand_dims(x2, -1)
        else:
            x1 = _a.squeeze(x1, [-1])
    if r2 == r1 + 1 and x2.shape.as_list()[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _a.expand_dims(x1, -1)
        else:
            x2 = _a.squeeze(x2, [-1])
    return x1, x2


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    if y_true.shape.rank is not None and y_pred.shape.rank is not None and \
            y_true.shape.rank == y_pred.shape.rank and y_true.shape.as_list()[-1] == 1:
        y_true = _a.squeeze(y_true, [-1])
    if not y_true.dtype.is_integer:
        y_true = _m.cast(y_true, _dt.int32)
    elif y_true.dtype.base_dtype not in (_dt.int32, _dt.int64):
        y_true = _m.cast(y_true, _dt.int32)
    if not from_logits:
        y_pred = _m.log(_clip.clip_by_value(y_pred, _EPS, 1 - _EPS))
    return _nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _tensor(y_pred)
    y_true = _m.cast(_tensor(y_true), y_pred.dtype)
    if label_smoothing:
        n = _m.cast(_a.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / _m.reduce_sum(y_pred, axis, keepdims=True)
    p = _clip.clip_by_value(p, _EPS, 1 - _EPS)
    return -_m.reduce_sum(y_true * _m.log(p), axis)


def _bce(y_true, p):
    """Elementwise binary cross-entropy of probabilities (Keras' backend clips them)."""
    p = _clip.clip_by_value(p, _EPS, 1 - _EPS)
    return -(y_true * _m.log(p) + (1 - y_true) * _m.log(1 - p))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _tensor(y_pred)
    y_true = _m.cast(_tensor(y_true), y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        ce = _nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        ce = _bce(y_true, y_pred)
    return _m.reduce_mean(ce, axis)


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _m.reduce_mean(_m.square(y_pred - y_true), -1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _m.reduce_mean(_m.abs(y_pred - y_true), -1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    diff = _m.abs((y_true - y_pred) / _m.maximum(_m.abs(y_true), _EPS))
    return 100.0 * _m.reduce_mean(diff, -1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    first = _m.log(_m.maximum(y_pred, _EPS) + 1.0)
    second = _m.log(_m.maximum(y_true, _EPS) + 1.0)
    return _m.reduce_mean(_m.square(first - second), -1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for errors up to `delta`, linear beyond (mean over the last axis)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    delta = _ops.convert_to_tensor(delta, dtype=y_pred.dtype)
    error = y_pred - y_true
    abs_error = _m.abs(error)
    half = _ops.convert_to_tensor(0.5, dtype=y_pred.dtype)
    return _m.reduce_mean(_a.where(abs_error <= delta, half * _m.square(error),
                                   delta * abs_error - half * _m.square(delta)), -1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))), written x + softplus(-2x) - log 2 so that large
    errors do not overflow cosh."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    x = y_pred - y_true
    log2 = _ops.convert_to_tensor(_math.log(2.0), dtype=y_pred.dtype)
    return _m.reduce_mean(x + _nn.softplus(x * -2.0) - log2, -1)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) with both clipped to [epsilon, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _clip.clip_by_value(y_true, _EPS, 1.0)
    y_pred = _clip.clip_by_value(y_pred, _EPS, 1.0)
    return _m.reduce_sum(y_true * _m.log(y_true / y_pred), -1)


def poisson(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return _m.reduce_mean(y_pred - y_true * _m.log(y_pred + _EPS), -1)


def _l2_normalize(x, axis):
    # Keras: x * min(rsqrt(sum(x^2)), 1/epsilon)
    inv = _m.rsqrt(_m.reduce_sum(_m.square(x), axis, keepdims=True))
    return x * _m.minimum(inv, 1.0 / _EPS)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The negated cosine similarity along `axis` (-1 for equal directions)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return -_m.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis)


def _hinge_labels(y_true):
    """Labels that are all 0/1 become -1/1 (Keras decides on the whole tensor)."""
    is_binary = _m.reduce_all(_m.logical_or(_m.equal(y_true, 0.0), _m.equal(y_true, 1.0)))
    return _a.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _m.reduce_mean(_m.maximum(1.0 - y_true * y_pred, 0.0), -1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _m.reduce_mean(_m.square(_m.maximum(1.0 - y_true * y_pred, 0.0)), -1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = _m.reduce_sum(y_true * y_pred, -1)
    neg = _m.reduce_max((1.0 - y_true) * y_pred, -1)
    return _m.maximum(neg - pos + 1.0, 0.0)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by (1 - p_t)^gamma (and alpha / 1 - alpha per class when
    `apply_class_balancing`), averaged over `axis`."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = _m.sigmoid(y_pred)
    bce = _bce(y_true, y_pred)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = _m.pow(1.0 - p_t, _ops.convert_to_tensor(gamma, dtype=y_pred.dtype)) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return _m.reduce_mean(focal, axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        n = _m.cast(_a.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        y_pred = _nn.softmax(y_pred, axis=axis)
    # renormalised so each sample's probabilities sum to 1, then clipped
    out = y_pred / _m.reduce_sum(y_pred, axis, keepdims=True)
    out = _clip.clip_by_value(out, _EPS, 1.0 - _EPS)
    cce = -y_true * _m.log(out)
    weight = _m.pow(1.0 - out, _ops.convert_to_tensor(gamma, dtype=y_pred.dtype)) * alpha
    return _m.reduce_sum(weight * cce, axis)


def dice(y_true, y_pred, axis=None):
    """1 - 2|y_true . y_pred| / (sum y_true + sum y_pred + epsilon), summed over `axis`
    (all axes when None)."""
    y_true, y_pred = _pair(y_true, y_pred)
    inter = _m.reduce_sum(y_true * y_pred, axis)
    return 1 - (2.0 * inter) / (_m.reduce_sum(y_true, axis) + _m.reduce_sum(y_pred, axis) +
                                _EPS)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha FP + beta FN + epsilon) with soft counts."""
    y_true, y_pred = _pair(y_true, y_pred)
    inter = _m.reduce_sum(y_true * y_pred, axis)
    fp = _m.reduce_sum((1 - y_pred) * y_true, axis)
    fn = _m.reduce_sum(y_pred * (1 - y_true), axis)
    return 1 - inter / (inter + fp * alpha + fn * beta + _EPS)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p^q) / q with p the predicted probability of the (integer) true class: cross
    entropy as q -> 0, mean absolute error as q -> 1 (Zhang & Sabuncu, 2018)."""
    from ..framework import dtypes
    y_pred = _tensor(y_pred)
    y_true = _m.cast(_tensor(y_true), dtypes.int64)
    n = y_pred.shape.as_list()[-1]
    onehot = _a.one_hot(y_true, n, dtype=y_pred.dtype)
    p = _m.reduce_sum(y_pred * onehot, -1)
    return (1 - _m.pow(p, _ops.convert_to_tensor(q, dtype=y_pred.dtype))) / q


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
logcosh = log_cosh
kld = KLD = kullback_leibler_divergence = kl_divergence

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", None, "mean_with_sample_weight")


class Loss:
    """A callable loss: per-sample values, weighted, reduced with `reduction` (Keras 3's
    default "sum_over_batch_size", the mean over all values)."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            # Keras prints its set of allowed values (in hash order; this is one such order)
            raise ValueError("Invalid value for argument `reduction`. Expected one of "
                             "{'sum', 'sum_over_batch_size', 'mean_with_sample_weight', "
                             f"'none', 'mean', None}}. Received: reduction={reduction}")
        from . import backend
        self.name = name or backend.to_snake_case(type(self).__name__)
        self.reduction = reduction
        self._dtype = _dt.as_dtype(dtype or "float32")

    @property
    def dtype(self):
        return self._dtype.name

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def _convert(self, x):
        x = _tensor(x)
        return x if x.dtype.base_dtype == self._dtype else _m.cast(x, self._dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        # Keras converts both to the loss's dtype first (integer labels too)
        values = self.call(self._convert(y_true), self._convert(y_pred))
        return _reduce_weighted(values, sample_weight, self.reduction)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _reduce_weighted(values, sample_weight, reduction):
    values = _tensor(values)
    if sample_weight is not None:
        w = _m.cast(_tensor(sample_weight), values.dtype)
        values, w = squeeze_or_expand_to_same_rank(values, w)
        values = values * w
    if reduction in ("none", None) or values.shape.as_list() in ([], [0]):
        return values
    total = _m.reduce_sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = _m.reduce_sum(w)
    else:
        divisor = _m.cast(_a.size(values), values.dtype)
    return _m.div_no_nan(total, divisor)


class Reduction:
    """keras.losses.Reduction (Keras' legacy names for the reductions)."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


class _Wrapper(Loss):
    """A Loss that calls its function with fixed keyword arguments; `_config` names the ones
    Keras writes in get_config."""
    _fn = None
    _default = None
    _config = ()

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name or self._default, reduction, dtype)
        self._kwargs = kwargs

    def call(self, y_true, y_pred):
        # Keras's LossFunctionWrapper: labels (batch,) against predictions (batch, 1) are
        # lined up first (the text classification tutorial's Dense(1) and 0/1 labels)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return type(self)._fn(y_true, y_pred, **self._kwargs)

    def get_config(self):
        c = super().get_config()
        c.update({k: self._kwargs[k] for k in self._config})
        return c


class SparseCategoricalCrossentropy(_Wrapper):
    _fn = staticmethod(sparse_categorical_crossentropy)
    _default = "sparse_categorical_crossentropy"
    _config = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        if ignore_class is not None:
            raise NotImplementedError("tfteach's SparseCategoricalCrossentropy does not "
                                      "implement ignore_class")
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)


class CategoricalCrossentropy(_Wrapper):
    _fn = staticmethod(categorical_crossentropy)
    _default = "categorical_crossentropy"
    _config = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class BinaryCrossentropy(_Wrapper):
    _fn = staticmethod(binary_crossentropy)
    _default = "binary_crossentropy"
    _config = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


def _simple(cls_name, fn, default):
    """A loss class whose only arguments are reduction, name and dtype."""
    def __init__(self, reduction="sum_over_batch_size", name=default, dtype=None):
        _Wrapper.__init__(self, reduction, name, dtype)
    return type(cls_name, (_Wrapper,), {"_fn": staticmethod(fn), "_default": default,
                                        "__init__": __init__, "__module__": __name__,
                                        "__doc__": f"The class form of `{fn.__name__}`."})


MeanSquaredError = _simple("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _simple("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _simple("MeanAbsolutePercentageError",
                                      mean_absolute_percentage_error,
                                      "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _simple("MeanSquaredLogarithmicError",
                                      mean_squared_logarithmic_error,
                                      "mean_squared_logarithmic_error")
LogCosh = _simple("LogCosh", log_cosh, "log_cosh")
KLDivergence = _simple("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _simple("Poisson", poisson, "poisson")
Hinge = _simple("Hinge", hinge, "hinge")
SquaredHinge = _simple("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _simple("CategoricalHinge", categorical_hinge, "categorical_hinge")


class Huber(_Wrapper):
    _fn = staticmethod(huber)
    _default = "huber_loss"
    _config = ()        # Keras 3 leaves `delta` out of the config

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(reduction, name, dtype, delta=delta)


class CosineSimilarity(_Wrapper):
    _fn = staticmethod(cosine_similarity)
    _default = "cosine_similarity"
    _config = ()        # Keras 3 leaves `axis` out of the config

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(reduction, name, dtype, axis=axis)


class BinaryFocalCrossentropy(_Wrapper):
    _fn = staticmethod(binary_focal_crossentropy)
    _default = "binary_focal_crossentropy"
    _config = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha",
               "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_Wrapper):
    _fn = staticmethod(categorical_focal_crossentropy)
    _default = "categorical_focal_crossentropy"
    _config = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size",
                 name="categorical_focal_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalGeneralizedCrossEntropy(_Wrapper):
    _fn = staticmethod(categorical_generalized_cross_entropy)
    _default = "categorical_generalized_cross_entropy"
    _config = ("q",)

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(reduction, name, dtype, q=q)


class Dice(_Wrapper):
    _fn = staticmethod(dice)
    _default = "dice"
    _config = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(reduction, name, dtype, axis=axis)


class Tversky(_Wrapper):
    _fn = staticmethod(tversky)
    _default = "tversky"
    _config = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)


_CLASSES = (SparseCategoricalCrossentropy, CategoricalCrossentropy, BinaryCrossentropy,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, Huber, LogCosh, KLDivergence, Poisson,
            CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryFocalCrossentropy,
            CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, Dice, Tversky)

_FUNCTIONS = {f.__name__: f for f in (
    sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, kl_divergence, poisson,
    cosine_similarity, hinge, squared_hinge, categorical_hinge, binary_focal_crossentropy,
    categorical_focal_crossentropy, categorical_generalized_cross_entropy, dice, tversky)}
# the strings get() (and so compile()) accepts, as Keras 3: a class name gives an instance,
# a function name or one of Keras' short aliases gives the function
_BY_NAME = {c.__name__: c for c in _CLASSES}
_BY_NAME.update(_FUNCTIONS)
_BY_NAME.update({"bce": binary_crossentropy, "BCE": binary_crossentropy,
                 "kld": kl_divergence, "KLD": kl_divergence,
                 "mae": mean_absolute_error, "MAE": mean_absolute_error,
                 "mse": mean_squared_error, "MSE": mean_squared_error,
                 "mape": mean_absolute_percentage_error,
                 "MAPE": mean_absolute_percentage_error,
                 "msle": mean_squared_logarithmic_error,
                 "MSLE": mean_squared_logarithmic_error})


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = _BY_NAME.get(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier}")
        return obj() if isinstance(obj, type) else obj
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def as_loss(identifier):
    """What compile() calls: a Loss object (a function is wrapped, reducing its values as
    Keras' LossFunctionWrapper does)."""
    obj = get(identifier)
    if obj is None or isinstance(obj, Loss):
        return obj
    return _FnLoss(obj)


def serialize(loss):
    """Keras 3's serialized form of a loss object: module, class name and config."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return getattr(loss, "__name__", loss)


def deserialize(name, custom_objects=None):
    if custom_objects and isinstance(name, str) and name in custom_objects:
        return custom_objects[name]
    if isinstance(name, dict):
        cname = name.get("class_name")
        cls = (custom_objects or {}).get(cname) or \
            {c.__name__: c for c in _CLASSES}.get(cname)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {name}")
        return cls.from_config(name.get("config", {}))
    return get(name)


class _FnLoss(Loss):
    def __init__(self, fn):
        super().__init__(getattr(fn, "__name__", "loss"))
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)

import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.losses")
