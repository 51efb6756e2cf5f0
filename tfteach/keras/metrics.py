"""`keras.metrics`: stateful metrics (`update_state`, `result`, `reset_state`).

State is kept in NumPy on the host: `fit` computes each batch's predictions inside the
traced step and updates the metrics outside it, so metrics never add ops to the graph.
"""
import numpy as np

__all__ = ["Metric", "Mean", "Sum", "Accuracy", "SparseCategoricalAccuracy",
           "CategoricalAccuracy", "BinaryAccuracy", "MeanSquaredError", "MeanAbsoluteError",
           "SparseCategoricalCrossentropy", "get", "sparse_categorical_accuracy",
           "categorical_accuracy", "binary_accuracy", "accuracy"]


def _np(x):
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x)


def sparse_categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    return (np.argmax(y_pred, axis=-1) == y_true.astype(np.int64)).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    return (np.argmax(_np(y_pred), -1) == np.argmax(_np(y_true), -1)).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    return ((_np(y_pred) > threshold) == (_np(y_true) > 0.5)).astype(np.float32).mean(-1)


def accuracy(y_true, y_pred):
    return (_np(y_true) == _np(y_pred)).astype(np.float32)


class Metric:
    def __init__(self, name=None, dtype=None):
        from . import backend
        self.name = name or backend.to_snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self):
        self._total = 0.0
        self._count = 0.0

    reset_states = reset_state

    def result(self):
        from ..ops import constant_op
        return constant_op.constant(np.float32(self._total / self._count if self._count
                                               else 0.0))

    def _values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        v = np.asarray(self._values(y_true, y_pred), dtype=np.float64)
        if sample_weight is not None:
            w = np.broadcast_to(_np(sample_weight).astype(np.float64), v.shape)
            self._total += float((v * w).sum())
            self._count += float(w.sum())
        else:
            self._total += float(v.sum())
            self._count += float(v.size)

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    def update_state(self, values, sample_weight=None):
        v = _np(values).astype(np.float64)
        if sample_weight is not None:
            w = np.broadcast_to(_np(sample_weight).astype(np.float64), v.shape)
            self._total += float((v * w).sum())
            self._count += float(w.sum())
        else:
            self._total += float(v.sum())
            self._count += float(v.size)


class Sum(Metric):
    def update_state(self, values, sample_weight=None):
        self._total += float(_np(values).sum())
        self._count = 1.0

    def result(self):
        from ..ops import constant_op
        return constant_op.constant(np.float32(self._total))


class Accuracy(Metric):
    def _values(self, y_true, y_pred):
        return accuracy(y_true, y_pred)


class SparseCategoricalAccuracy(Metric):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        return sparse_categorical_accuracy(y_true, y_pred)


class CategoricalAccuracy(Metric):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        return categorical_accuracy(y_true, y_pred)


class BinaryAccuracy(Metric):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        self.threshold = threshold
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        return binary_accuracy(y_true, y_pred, self.threshold)


class MeanSquaredError(Metric):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        d = _np(y_pred).astype(np.float64) - _np(y_true).astype(np.float64)
        return (d * d).mean(-1)


class MeanAbsoluteError(Metric):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        return np.abs(_np(y_pred).astype(np.float64) - _np(y_true).astype(np.float64)).mean(-1)


class SparseCategoricalCrossentropy(Metric):
    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        self.from_logits = from_logits
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        p = _np(y_pred).astype(np.float64)
        y = _np(y_true).astype(np.int64).reshape(-1)
        if self.from_logits:
            p = p - p.max(-1, keepdims=True)
            logp = p - np.log(np.exp(p).sum(-1, keepdims=True))
        else:
            logp = np.log(np.clip(p, 1e-7, 1 - 1e-7))
        return -logp[np.arange(len(y)), y]


_BY_NAME = {"sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "categorical_accuracy": CategoricalAccuracy, "binary_accuracy": BinaryAccuracy,
            "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError}


def get(identifier, loss=None, y_true=None):
    """Resolves a metric; "accuracy"/"acc" picks the variant that fits the loss and labels,
    as Keras does."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            lname = getattr(loss, "name", None) or ""
            if "sparse" in lname or (y_true is not None and _sparse_labels(y_true)):
                m = SparseCategoricalAccuracy(name=identifier)
            elif "binary" in lname:
                m = BinaryAccuracy(name=identifier)
            elif "categorical" in lname:
                m = CategoricalAccuracy(name=identifier)
            else:
                m = Accuracy(name=identifier)
            return m
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
        return cls(name=identifier)
    if callable(identifier):
        return _FnMetric(identifier)
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def _sparse_labels(y):
    y = _np(y)
    return y.ndim == 1 or (y.ndim == 2 and y.shape[-1] == 1)


class _FnMetric(Metric):
    def __init__(self, fn):
        self.fn = fn
        super().__init__(getattr(fn, "__name__", "metric"))

    def _values(self, y_true, y_pred):
        return _np(self.fn(y_true, y_pred))

import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.metrics")
