"""`keras.metrics`: stateful metrics (`update_state`, `result`, `reset_state`).

As in Keras 3, a metric's state is two float32 variables (`total`, `count`) updated with
ops, so a metric works eagerly and inside `tf.function` alike (the trace captures the
variables); `result()` is total / count (0 when nothing was counted).
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


def _t(x, dtype=None):
    from ..framework import ops as _ops
    return _ops.convert_to_tensor(x, dtype=dtype)


def _ops():
    from ..ops import array_ops, math_ops
    return array_ops, math_ops


def sparse_categorical_accuracy(y_true, y_pred):
    from ..framework import dtypes
    a, m = _ops()
    y_true, y_pred = _t(y_true), _t(y_pred)
    if y_true.shape.rank is not None and y_pred.shape.rank is not None and \
            y_true.shape.rank == y_pred.shape.rank and y_true.shape.as_list()[-1:] == [1]:
        y_true = a.squeeze(y_true, [-1])
    pred = m.argmax(y_pred, axis=-1)
    return m.cast(m.equal(m.cast(y_true, pred.dtype), pred), dtypes.float32)


def categorical_accuracy(y_true, y_pred):
    from ..framework import dtypes
    a, m = _ops()
    return m.cast(m.equal(m.argmax(_t(y_true), axis=-1), m.argmax(_t(y_pred), axis=-1)),
                  dtypes.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    from ..framework import dtypes
    a, m = _ops()
    y_pred = _t(y_pred)
    y_true = m.cast(_t(y_true), y_pred.dtype)
    hit = m.cast(m.equal(y_true, m.cast(y_pred > threshold, y_pred.dtype)), dtypes.float32)
    return m.reduce_mean(hit, axis=-1)


def accuracy(y_true, y_pred):
    from ..framework import dtypes
    a, m = _ops()
    y_pred = _t(y_pred)
    return m.cast(m.equal(m.cast(_t(y_true), y_pred.dtype), y_pred), dtypes.float32)


class Metric:
    def __init__(self, name=None, dtype=None):
        from . import backend
        from ..eager import context
        self.name = name or backend.to_snake_case(type(self).__name__)
        with context.init_scope(), backend.name_scope(self.name):
            self.total = backend.Variable(np.float32(0), dtype="float32", trainable=False,
                                          name="total")
            self.count = backend.Variable(np.float32(0), dtype="float32", trainable=False,
                                          name="count")

    @property
    def variables(self):
        return [self.total, self.count]

    def reset_state(self):
        self.total.assign(np.float32(0))
        self.count.assign(np.float32(0))

    reset_states = reset_state

    def result(self):
        a, m = _ops()
        return m.div_no_nan(self.total.value(), self.count.value())

    def _values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(self._values(y_true, y_pred), sample_weight)

    def _accumulate(self, values, sample_weight):
        """Keras 3's Mean: per-sample values (trailing axes averaged), weighted or not."""
        from ..framework import dtypes
        a, m = _ops()
        values = m.cast(_t(values), dtypes.float32)
        rank = values.shape.rank
        if rank and rank > 1:
            values = m.reduce_mean(values, axis=list(range(1, rank)))
        if sample_weight is not None:
            w = m.cast(_t(sample_weight), dtypes.float32)
            w = a.broadcast_to(w, a.shape(values)) if w.shape != values.shape else w
            self.total.assign_add(m.reduce_sum(values * w))
            self.count.assign_add(m.reduce_sum(w))
        else:
            self.total.assign_add(m.reduce_sum(values))
            self.count.assign_add(m.cast(a.size(values), dtypes.float32))

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    def update_state(self, values, sample_weight=None):
        self._accumulate(values, sample_weight)


class Sum(Metric):
    def update_state(self, values, sample_weight=None):
        from ..framework import dtypes
        a, m = _ops()
        v = m.cast(_t(values), dtypes.float32)
        if sample_weight is not None:
            v = v * m.cast(_t(sample_weight), dtypes.float32)
        self.total.assign_add(m.reduce_sum(v))

    def result(self):
        return self.total.value()


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
        from . import losses
        return losses.mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Metric):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        from . import losses
        return losses.mean_absolute_error(y_true, y_pred)


class SparseCategoricalCrossentropy(Metric):
    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        self.from_logits = from_logits
        super().__init__(name, dtype)

    def _values(self, y_true, y_pred):
        from . import losses
        return losses.sparse_categorical_crossentropy(y_true, y_pred,
                                                      from_logits=self.from_logits)


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
        return self.fn(y_true, y_pred)


import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.metrics")
