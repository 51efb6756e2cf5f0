"""Keras 3's bookkeeping on tfteach: layer names, name-scope paths, the training flag, the
Keras `Variable`, and random seeds for initializers and dropout.

- Layer names count per snake-cased class name per process (`dense`, `dense_1`, ...).
- A Keras variable is a tf.Variable (tfteach's ResourceVariable, so every op, the tape and
  tf.function take it) whose `name` is the short name (`kernel`) and whose `path` is the
  chain of layer names active when it was created (`custom_model/dense/kernel`).
- `training` given to an outer call reaches inner layers that were called without it.
"""
import re
import threading

import numpy as np

from ..eager.variables import ResourceVariable
from ..framework import dtypes as _dt

__all__ = ["unique_name", "to_snake_case", "Variable", "name_scope", "current_path",
           "training_scope", "current_training", "rng", "floatx", "epsilon",
           "set_random_seed", "clear_session"]

_state = threading.local()
_NAME_COUNTS = {}
_lock = threading.Lock()


def to_snake_case(name):
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base):
    """`dense`, then `dense_1`, `dense_2`, ... (one counter per base name)."""
    with _lock:
        n = _NAME_COUNTS.get(base, 0)
        _NAME_COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def clear_session():
    """Resets the layer-name counters (`keras.backend.clear_session()`)."""
    with _lock:
        _NAME_COUNTS.clear()


def _stack():
    s = getattr(_state, "names", None)
    if s is None:
        s = _state.names = []
    return s


class name_scope:
    """Pushes a layer name for the variables created inside (Keras paths)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        _stack().append(self.name)
        return self

    def __exit__(self, *exc):
        _stack().pop()
        return False


def current_path(name):
    return "/".join(_stack() + [name])


def _train_stack():
    s = getattr(_state, "training", None)
    if s is None:
        s = _state.training = []
    return s


class training_scope:
    def __init__(self, training):
        self.training = training

    def __enter__(self):
        _train_stack().append(self.training)

    def __exit__(self, *exc):
        _train_stack().pop()
        return False


def current_training():
    s = _train_stack()
    return s[-1] if s else None


def floatx():
    return "float32"


def epsilon():
    return 1e-7


# --- seeds --------------------------------------------------------------------------------------

_seed_state = {"seed": None, "count": 0, "rng": None}


def set_random_seed(seed):
    """`keras.utils.set_random_seed`: seeds Python, NumPy, TF and Keras' own generator."""
    import random
    random.seed(seed)
    np.random.seed(seed)
    from ..ops import random_ops
    random_ops.set_eager_seed(seed)
    _seed_state.update(seed=seed, count=0, rng=None)


def rng(seed=None):
    """A NumPy generator for one initializer or layer: reproducible when a seed is given or
    a global seed was set (`tf.random.set_seed` / `keras.utils.set_random_seed`)."""
    if seed is not None:
        return np.random.default_rng(int(seed))
    from ..ops import random_ops
    g = random_ops._eager.get("seed") if hasattr(random_ops, "_eager") else None
    if g is None:
        g = _seed_state["seed"]
    if g is None:
        return np.random.default_rng()
    if _seed_state["rng"] is None or _seed_state.get("for") != g:
        _seed_state.update(count=0, rng=True)
        _seed_state["for"] = g
    _seed_state["count"] += 1
    return np.random.default_rng([int(g) & 0xFFFFFFFF, _seed_state["count"]])


# --- variables ----------------------------------------------------------------------------------

class Variable(ResourceVariable):
    """A Keras 3 variable: a tf.Variable with a short `name` and a Keras `path`."""

    # Keras 3 variables can be frozen in place (a layer's `trainable = False` does that)
    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 autocast=True, aggregation="none", path=None):
        name = name or "variable"
        if callable(initializer):
            value = initializer(shape, dtype=dtype or "float32")
        else:
            value = initializer
        if hasattr(value, "numpy"):
            value = value.numpy()
        dt = _dt.as_dtype(dtype) if dtype is not None else None
        value = np.asarray(value, dtype=dt.np_dtype if dt is not None else None)
        if dt is None and value.dtype == np.float64:
            value = value.astype(np.float32)
        from ..eager import context
        with context.init_scope():
            super().__init__(value, trainable=trainable, name=name)
        self._keras_name = name
        self._path = path or current_path(name)

    @property
    def name(self):
        return self._keras_name

    @property
    def path(self):
        return self._path

    def __repr__(self):
        v = np.asarray(self.numpy())
        shape = tuple(int(d) for d in v.shape)
        return (f"<Variable path={self._path}, shape={shape}, dtype={self.dtype.name}, "
                f"value={v}>")

    __str__ = __repr__

