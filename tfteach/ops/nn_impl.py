"""Functions of `tf.nn` composed from other ops (no op type of their own), as TF's nn_impl."""
from ..framework import ops as _ops
from . import math_ops as _math_ops

__all__ = ["sigmoid_cross_entropy_with_logits"]


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)), TF's numerically stable form."""
    with _ops.name_scope(name, "logistic_loss", [logits, labels]) as name:
        logits = _ops.convert_to_tensor(logits, name="logits")
        labels = _ops.convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                             f"{labels.shape})")
        zeros = _math_ops.multiply(logits, 0.0)
        relu_logits = _math_ops.maximum(logits, zeros)
        neg_abs = _math_ops.negative(_math_ops.abs(logits))
        return _math_ops.add(relu_logits - logits * labels,
                             _math_ops.log1p(_math_ops.exp(neg_abs)), name=name)
