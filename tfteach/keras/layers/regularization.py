"""Noise and penalty layers: GaussianNoise, GaussianDropout, AlphaDropout,
ActivityRegularization.

Like Dropout they change their input only while training (`training=True`, as `fit` calls
them); at inference they return it unchanged. Each one that draws random numbers owns a seed
generator (Keras 3 creates it only when the rate/stddev is above zero).
"""
import math

from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import random_ops as _r
from .. import regularizers as _reg
from .base import Layer

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"]


def _check_unit(name, value):
    if not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float "
                         f"value between 0 and 1. Received: {name}={value}")


class _Noise(Layer):
    supports_masking = True

    def _init_seed(self, seed, active):
        self.seed = seed
        self._counter = 0
        if active:
            self._seed_state = self._add_seed_state()

    def _next_seed(self):
        # a fresh op seed per call, so two training steps draw different noise
        self._counter += 1
        return None if self.seed is None else self.seed + self._counter

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_Noise):
    """Adds N(0, stddev^2) noise while training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_unit("stddev", stddev)
        self.stddev = stddev
        self._init_seed(seed, stddev > 0)

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + _r.random_normal(_a.shape(inputs), stddev=self.stddev,
                                             dtype=inputs.dtype, seed=self._next_seed())
        return inputs

    def get_config(self):
        c = super().get_config()
        c.update(stddev=self.stddev, seed=self.seed)
        return c


class GaussianDropout(_Noise):
    """Multiplies by N(1, rate / (1 - rate)) noise while training: the same mean and variance
    as Dropout's keep-and-rescale mask."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_unit("rate", rate)
        self.rate = rate
        self._init_seed(seed, rate > 0)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * _r.random_normal(_a.shape(inputs), mean=1.0, stddev=stddev,
                                             dtype=inputs.dtype, seed=self._next_seed())
        return inputs

    def get_config(self):
        c = super().get_config()
        c.update(rate=self.rate, seed=self.seed)
        return c


class AlphaDropout(_Noise):
    """Dropout for SELU networks: dropped units go to SELU's negative saturation value and an
    affine map `a * x + b` restores the input's mean and variance.

    tf.keras.layers.AlphaDropout in TF 2.21 is Keras 3's deprecated (legacy) class: it does
    not check `rate`, always owns a seed generator, and its config has no `noise_shape`."""

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self._init_seed(seed, True)

    def _concrete_noise_shape(self, inputs):
        shape = _a.shape(inputs)
        if self.noise_shape is None:
            return shape
        # None entries take the input's size on that axis (Keras's rule)
        return _a.stack([shape[i] if d is None else d
                         for i, d in enumerate(self.noise_shape)])

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        alpha_p = -self._ALPHA * self._SCALE
        u = _r.random_uniform(self._concrete_noise_shape(inputs), dtype=inputs.dtype,
                              seed=self._next_seed())
        kept = _m.cast(_m.greater_equal(u, self.rate), inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def get_config(self):
        c = super().get_config()
        c.update(rate=self.rate, seed=self.seed)
        return c


class ActivityRegularization(Layer):
    """The identity, adding `l1 * sum|x| + l2 * sum x^2` (divided by the batch size) to the
    layer's `losses`."""

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        if "activity_regularizer" in kwargs:
            raise TypeError("ActivityRegularization sets its own activity_regularizer from "
                            "`l1` and `l2`")
        super().__init__(activity_regularizer=_reg.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(l1=self.l1, l2=self.l2)
        return c
