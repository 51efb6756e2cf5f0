"""`keras.regularizers`: penalties on weights (`kernel_regularizer=...`) or on a layer's
outputs (`activity_regularizer=...`), collected in `model.losses` and added to the loss that
`fit` and `evaluate` report, as Keras 3 does."""
import numpy as np

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize"]


def _validate(value, name):
    if not isinstance(value, (int, float, np.floating, np.integer)) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative "
                         f"float.Received: {name}={value}")
    return float(value)



class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1(Regularizer):
    def __init__(self, l1=0.01):
        l1 = 0.01 if l1 is None else l1
        self.l1 = _validate(l1, "l1")

    def __call__(self, x):
        from ..ops import math_ops
        return math_ops.cast(self.l1, x.dtype) * math_ops.reduce_sum(math_ops.abs(x))

    def get_config(self):
        # Keras 3 keeps L1's factor as a float32 tensor, so its config is float32-rounded.
        return {"l1": float(np.float32(self.l1))}


class L2(Regularizer):
    def __init__(self, l2=0.01):
        l2 = 0.01 if l2 is None else l2
        self.l2 = _validate(l2, "l2")

    def __call__(self, x):
        from ..ops import math_ops
        return math_ops.cast(self.l2, x.dtype) * math_ops.reduce_sum(math_ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """Defaults are 0 (unlike `l1()`/`l2()`): `L1L2(l2=0.1)` has no l1 penalty."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        from ..ops import math_ops
        out = math_ops.cast(0.0, x.dtype)
        if self.l1 != 0.0:
            out = out + math_ops.cast(self.l1, x.dtype) * math_ops.reduce_sum(math_ops.abs(x))
        if self.l2 != 0.0:
            out = out + math_ops.cast(self.l2, x.dtype) * math_ops.reduce_sum(
                math_ops.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        cls = _BY_NAME.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
        return cls.from_config(identifier.get("config") or {})
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
        return cls()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")


def serialize(regularizer):
    if not isinstance(regularizer, Regularizer):
        raise ValueError(f"Cannot serialize the regularizer {regularizer!r}: pass a "
                         f"keras.regularizers object")
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}
