"""`keras.losses`: loss classes (mean over the batch by default) and their functions."""
from .. import nn as _nn
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..ops import array_ops as _a
from ..ops import math_ops as _m

__all__ = ["Loss", "SparseCategoricalCrossentropy", "CategoricalCrossentropy",
           "BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
           "sparse_categorical_crossentropy", "categorical_crossentropy",
           "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "mse", "mae",
           "get"]

_EPS = 1e-7


class _clip:
    @staticmethod
    def clip_by_value(x, lo, hi):
        return _m.minimum(_m.maximum(x, lo), hi)


def _tensor(x, dtype=None):
    if hasattr(x, "dtype") and isinstance(x, _ops.Tensor):
        return x
    import numpy as np
    if dtype is None and isinstance(x, np.ndarray) and x.dtype == np.float64:
        dtype = _dt.float32
    return _ops.convert_to_tensor(x, dtype=dtype)


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


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _tensor(y_pred)
    y_true = _m.cast(_tensor(y_true), y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        ce = _nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = _clip.clip_by_value(y_pred, _EPS, 1 - _EPS)
        ce = -(y_true * _m.log(p) + (1 - y_true) * _m.log(1 - p))
    return _m.reduce_mean(ce, axis)


def mean_squared_error(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _m.cast(_tensor(y_true), y_pred.dtype)
    return _m.reduce_mean(_m.square(y_pred - y_true), -1)


def mean_absolute_error(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _m.cast(_tensor(y_true), y_pred.dtype)
    return _m.reduce_mean(_m.abs(y_pred - y_true), -1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class Loss:
    """A callable loss: per-sample values reduced with `reduction` (Keras 3 default
    "sum_over_batch_size", i.e. the mean)."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in ("sum_over_batch_size", "sum", "none", "mean", None,
                             "mean_with_sample_weight"):
            # Keras prints its set of allowed values (in hash order; this is one such order)
            raise ValueError("Invalid value for argument `reduction`. Expected one of "
                             "{'sum', 'sum_over_batch_size', 'mean_with_sample_weight', "
                             f"'none', 'mean', None}}. Received: reduction={reduction}")
        self.name = name
        self.reduction = reduction

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            values = values * _m.cast(_tensor(sample_weight), values.dtype)
        if self.reduction in ("none", None):
            return values
        if self.reduction == "sum":
            return _m.reduce_sum(values)
        return _m.reduce_mean(values)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class _Wrapper(Loss):
    _fn = None
    _default = None

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name or self._default, reduction, dtype)
        self._kwargs = kwargs

    def call(self, y_true, y_pred):
        return type(self)._fn(y_true, y_pred, **self._kwargs)

    def get_config(self):
        c = super().get_config()
        c.update(self._kwargs)
        return c


class SparseCategoricalCrossentropy(_Wrapper):
    _fn = staticmethod(sparse_categorical_crossentropy)
    _default = "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits)


class CategoricalCrossentropy(_Wrapper):
    _fn = staticmethod(categorical_crossentropy)
    _default = "categorical_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class BinaryCrossentropy(_Wrapper):
    _fn = staticmethod(binary_crossentropy)
    _default = "binary_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class MeanSquaredError(_Wrapper):
    _fn = staticmethod(mean_squared_error)
    _default = "mean_squared_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanAbsoluteError(_Wrapper):
    _fn = staticmethod(mean_absolute_error)
    _default = "mean_absolute_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error",
                 dtype=None):
        super().__init__(reduction, name, dtype)


_BY_NAME = {"sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy,
            "binary_crossentropy": BinaryCrossentropy,
            "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
            "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier}")
        return cls()
    if callable(identifier):
        return _FnLoss(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


class _FnLoss(Loss):
    def __init__(self, fn):
        super().__init__(getattr(fn, "__name__", "loss"))
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)

import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.losses")
