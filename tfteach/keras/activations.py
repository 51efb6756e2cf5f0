"""`keras.activations`: functions of one tensor, also accepted by name (`"relu"`)."""
from .. import nn as _nn
from ..ops import math_ops as _m

__all__ = ["relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "selu",
           "softplus", "softsign", "linear", "leaky_relu", "silu", "swish", "exponential",
           "get", "serialize"]


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _nn.relu(x)
    if max_value == 6.0 and negative_slope == 0.0 and threshold == 0.0:
        return _nn.relu6(x)
    y = _nn.leaky_relu(x, negative_slope) if negative_slope else _nn.relu(x)
    if max_value is not None:
        y = _m.minimum(y, max_value)
    return y


def relu6(x):
    return _nn.relu6(x)


def sigmoid(x):
    return _m.sigmoid(x)


def tanh(x):
    return _m.tanh(x)


def softmax(x, axis=-1):
    return _nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return _nn.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    y = _nn.elu(x)
    return y if alpha == 1.0 else _m.maximum(y, y * alpha)


def selu(x):
    return _nn.selu(x)


def softplus(x):
    return _nn.softplus(x)


def softsign(x):
    return _nn.softsign(x)


def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(x, negative_slope)


def silu(x):
    return _nn.silu(x)


swish = silu


def exponential(x):
    return _m.exp(x)


def linear(x):
    return x


_BY_NAME = {f.__name__: f for f in (relu, relu6, sigmoid, tanh, softmax, log_softmax, elu,
                                     selu, softplus, softsign, linear, leaky_relu, silu,
                                     exponential)}
_BY_NAME["swish"] = silu


def get(identifier):
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError(f"Could not interpret activation function identifier: "
                             f"{identifier}")
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")


def serialize(activation):
    return getattr(activation, "__name__", str(activation))
