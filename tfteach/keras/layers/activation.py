"""ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU and Softmax as layers (Keras 3 arguments and
checks)."""
import numpy as np

from ... import nn as _nn
from ...ops import math_ops as _m
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from .base import InputSpec, Layer
from .checks import reject

__all__ = ["ReLU", "LeakyReLU", "Softmax", "PReLU", "ELU", "ThresholdedReLU"]


class ReLU(Layer):
    supports_masking = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        if self.threshold == 0.0:
            return _act.relu(inputs, self.negative_slope, self.max_value)
        # Below the threshold the slope applies to (x - threshold), as in Keras.
        x = inputs
        low = (x - self.threshold) * self.negative_slope
        y = _m.maximum(x, self.threshold) if self.max_value is None else \
            _m.minimum(_m.maximum(x, self.threshold), self.max_value)
        from ...ops import array_ops as _a
        return _a.where(x >= self.threshold, y, low)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(max_value=self.max_value, negative_slope=self.negative_slope,
                 threshold=self.threshold)
        return c


class LeakyReLU(Layer):
    supports_masking = True

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:     # Keras 3 still takes the Keras 2 name, with a warning
            import warnings
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None "
                             "or negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return _nn.leaky_relu(inputs, alpha=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["negative_slope"] = self.negative_slope
        return c


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            # Keras pushes masked positions to -1e9 before the softmax.
            inputs = inputs + (1.0 - _m.cast(mask, inputs.dtype)) * -1e9
        if isinstance(self.axis, (list, tuple)):
            x = inputs - _m.reduce_max(inputs, self.axis, keepdims=True)
            e = _m.exp(x)
            return e / _m.reduce_sum(e, self.axis, keepdims=True)
        return _nn.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["axis"] = self.axis
        return c


class ELU(Layer):
    """`x` for x > 0, `alpha * (exp(x) - 1)` otherwise."""

    supports_masking = True

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return _act.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["alpha"] = self.alpha
        return c


class PReLU(Layer):
    """A leaky ReLU whose negative slope `alpha` is learned, one per input element (or one
    per group along `shared_axes`)."""

    supports_masking = True

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        reject("PReLU", alpha_constraint=alpha_constraint)
        super().__init__(**kwargs)
        self.alpha_initializer = _init.get(alpha_initializer)
        self.alpha_regularizer = _reg.get(alpha_regularizer)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)
        self.alpha = None

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for i in self.shared_axes or []:
            param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"PReLU needs known sizes on its unshared axes; got input shape "
                             f"{tuple(input_shape)} and shared_axes={self.shared_axes}")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, len(input_shape))
                    if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        return _nn.relu(inputs) - self.alpha * _nn.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(alpha_initializer=_init.serialize(self.alpha_initializer),
                 alpha_regularizer=None if self.alpha_regularizer is None else
                 _reg.serialize(self.alpha_regularizer),
                 alpha_constraint=None, shared_axes=self.shared_axes)
        return c


class ThresholdedReLU(Layer):
    """`x` where x > theta, 0 elsewhere (TF 2.21's tf.keras has Keras 3's deprecated class)."""

    supports_masking = True

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a "
                             f"float. Received: {theta}")
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             f"Received: {theta}")
        # Keras keeps theta as a float32 tensor; its config reads it back from there
        self.theta = float(np.float32(theta))

    def call(self, inputs):
        return inputs * _m.cast(_m.greater(inputs, self.theta), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["theta"] = self.theta
        return c
