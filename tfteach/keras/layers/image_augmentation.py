"""RandomRotation, RandomZoom and RandomTranslation: random affine maps of images, applied
while training.

Keras 3 on TensorFlow runs them through the ImageProjectiveTransformV3 op. The registry has no
such op, so `affine_transform` writes its sampling out in tensor ops, with the op's rules:
each output pixel (x, y) reads the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k),
k = c0 x + c1 y + 1; a point outside the image is first mapped back by `fill_mode`
(`reflect`: [abcd] -> [dcba|abcd|dcba], `wrap`: [abcd|abcd|abcd], `nearest`: clamped,
`constant`: left outside, where reads give `fill_value`); then `bilinear` weighs the four pixels around the point (pixels
outside read `fill_value`) or `nearest` takes the closest (halves round away from zero).
"""
import math

import numpy as np

from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import random_ops as _r
from ...ops.constant_op import constant as _constant
from .base import Layer
from .pooling import _data_format

__all__ = ["RandomRotation", "RandomZoom", "RandomTranslation", "RandomBrightness",
           "RandomContrast", "affine_transform"]

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _trunc(x):
    return _m.sign(x) * _m.floor(_m.abs(x))


def _map_coordinate(c, size, fill_mode):
    """An input coordinate mapped into [0, size - 1] as `fill_mode` says."""
    if fill_mode == "constant":
        return c
    last = float(size - 1)
    if fill_mode == "nearest" or size <= 1:
        return _m.minimum(_m.maximum(c, 0.0), last) if size > 1 else c * 0.0
    if fill_mode == "wrap":
        # the op's rule: whole periods of `size` by the count of (size - 1) steps out
        low = c + size * (_trunc(-c / last) + 1.0)
        high = c - size * _trunc(c / last)
        c = _a.where_v2(c < 0.0, low, _a.where_v2(c > last, high, c))
        return _m.minimum(_m.maximum(c, 0.0), last)
    period = float(2 * size)
    low = c + period * _trunc(-c / period)                  # into (-2 size, 0]
    low = _a.where_v2(low < -size, low + period, -low - 1.0)
    high = c - period * _trunc(c / period)                  # into [0, 2 size)
    high = _a.where_v2(high >= size, period - high - 1.0, high)
    c = _a.where_v2(c < 0.0, low, _a.where_v2(c > last, high, c))
    return _m.minimum(_m.maximum(c, 0.0), last)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Images (batch, height, width, channels) resampled through `transform`, a (batch, 8)
    tensor [a0, a1, a2, b0, b1, b2, c0, c1] mapping output to input points."""
    _, h, w, c = images.shape.as_list()
    if h is None or w is None or c is None:
        raise ValueError("tfteach's affine_transform needs known image sizes; got "
                         f"{tuple(images.shape.as_list())}")
    x = images if images.dtype.base_dtype == _dt.float32 else _m.cast(images, _dt.float32)
    t = _m.cast(transform, _dt.float32)
    ys, xs = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                         indexing="ij")
    ox, oy = _constant(xs[None]), _constant(ys[None])                    # (1, h, w)

    def coef(i):
        return _a.reshape(t[:, i], [-1, 1, 1])
    k = coef(6) * ox + coef(7) * oy + 1.0
    in_x = _map_coordinate((coef(0) * ox + coef(1) * oy + coef(2)) / k, w, fill_mode)
    in_y = _map_coordinate((coef(3) * ox + coef(4) * oy + coef(5)) / k, h, fill_mode)
    flat = _a.reshape(x, [-1, c])                                         # (b h w, c)
    base = _a.reshape(_m.cast(_m.range(_a.shape(x)[0]), _dt.float32) * float(h * w),
                      [-1, 1, 1])
    fill = _m.cast(fill_value, _dt.float32)

    def read(py, px):
        """Pixels at integer-valued (py, px); outside the image: fill_value."""
        inside = (py >= 0.0) & (py <= h - 1.0) & (px >= 0.0) & (px <= w - 1.0)
        index = base + _m.minimum(_m.maximum(py, 0.0), h - 1.0) * float(w) + \
            _m.minimum(_m.maximum(px, 0.0), w - 1.0)
        value = _a.gather(flat, _m.cast(index, _dt.int32))                # (b, h, w, c)
        return _a.where_v2(_a.expand_dims(inside, -1), value, fill)

    if interpolation == "nearest":
        def rnd(v):
            return _m.sign(v) * _m.floor(_m.abs(v) + 0.5)
        out = read(rnd(in_y), rnd(in_x))
    else:
        y0, x0 = _m.floor(in_y), _m.floor(in_x)
        wy, wx = _a.expand_dims(in_y - y0, -1), _a.expand_dims(in_x - x0, -1)
        top = (1.0 - wx) * read(y0, x0) + wx * read(y0, x0 + 1.0)
        bottom = (1.0 - wx) * read(y0 + 1.0, x0) + wx * read(y0 + 1.0, x0 + 1.0)
        out = (1.0 - wy) * top + wy * bottom
    # a point at infinity (k == 0) reads fill_value, as the op does
    return _a.where_v2(_a.expand_dims(_m.equal(k, 0.0), -1), fill, out)


class _RandomAffine(Layer):
    """What RandomRotation and RandomZoom share: arguments, the seed, the call."""

    _training_default = True     # Keras 3: `call(data, training=True)`

    def _common(self, fill_mode, interpolation, seed, fill_value, data_format):
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected "
                                      f"of one {_INTERPOLATIONS}.")
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.seed, self.fill_value = seed, fill_value
        self.data_format = _data_format(data_format)
        self._seed_state = self._add_seed_state()
        self._counter = 0

    def _uniform(self, shape, low, high):
        self._counter += 1
        seed = None if self.seed is None else self.seed + self._counter
        return _r.random_uniform(shape, minval=low, maxval=high, seed=seed)

    def call(self, inputs, training=True):
        x = inputs if inputs.dtype.base_dtype == _dt.float32 else \
            _m.cast(inputs, _dt.float32)
        if not training:
            return x
        unbatched = x.shape.rank == 3
        if unbatched:
            x = _a.expand_dims(x, 0)
        if self.data_format == "channels_first":
            x = _a.transpose(x, [0, 2, 3, 1])
        y = affine_transform(x, self._transform(x), self.interpolation, self.fill_mode,
                             self.fill_value)
        if self.data_format == "channels_first":
            y = _a.transpose(y, [0, 3, 1, 2])
        return _a.squeeze(y, [0]) if unbatched else y

    def compute_output_shape(self, input_shape):
        return input_shape


class RandomRotation(_RandomAffine):
    """Rotates each image about its centre by an angle drawn from factor * 360 degrees
    (factor: a fraction of a full turn, or a (lower, upper) pair)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(**kwargs)
        message = ("The `factor` argument should be a number (or a list of two numbers) in "
                   f"the range [-1, 1]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1 or factor[1] < -1:
                raise ValueError(message)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if not -1 <= factor <= 1:
                raise ValueError(message)
            lower, upper = max(-abs(factor), -1), abs(factor)
        else:
            raise ValueError(message)
        self.factor = (lower, upper)
        self._common(fill_mode, interpolation, seed, fill_value, data_format)

    def _transform(self, x):
        _, h, w, _ = x.shape.as_list()
        degrees = self._uniform(_a.shape(x)[:1], self.factor[0] * 360.0,
                                self.factor[1] * 360.0)
        angle = degrees * (math.pi / 180.0)
        cos, sin = _m.cos(angle), _m.sin(angle)
        cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
        # the output-to-input map of a rotation about (cx, cy)
        a2 = cx - cx * cos + cy * sin
        b2 = cy - cx * sin - cy * cos
        zero = _a.zeros_like(cos)
        return _a.stack([cos, -sin, a2, sin, cos, b2, zero, zero], axis=1)

    def get_config(self):
        c = super().get_config()
        c.update(factor=self.factor, data_format=self.data_format, fill_mode=self.fill_mode,
                 fill_value=self.fill_value, interpolation=self.interpolation,
                 seed=self.seed)
        return c


class RandomZoom(_RandomAffine):
    """Zooms each image about its centre: the input is read at (1 + f) times the distance
    from the centre, f drawn from height_factor (and width_factor, or the same f): f > 0
    zooms out, f < 0 zooms in."""

    _ERROR = ("The `height_factor` and `width_factor` arguments should be a number (or a list "
              "of two numbers) in the range (-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = self._range(height_factor, "height_factor")
        if width_factor is not None:
            self.width_lower, self.width_upper = self._range(width_factor, "width_factor")
        self._common(fill_mode, interpolation, seed, fill_value, data_format)

    def _range(self, factor, name):
        def check(v):
            if v > 1.0 or v <= -1.0:
                raise ValueError(self._ERROR + f"Received: input_number={v}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._ERROR + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            check(factor)
            return -abs(factor), abs(factor)
        raise ValueError(self._ERROR + f"Received: {name}={factor}")

    def _transform(self, x):
        _, h, w, _ = x.shape.as_list()
        shape = _a.shape(x)[:1]
        zh = self._uniform(shape, 1.0 + self.height_lower, 1.0 + self.height_upper)
        zw = zh if self.width_factor is None else \
            self._uniform(shape, 1.0 + self.width_lower, 1.0 + self.width_upper)
        zero = _a.zeros_like(zh)
        return _a.stack([zw, zero, (w - 1.0) / 2.0 * (1.0 - zw), zero, zh,
                         (h - 1.0) / 2.0 * (1.0 - zh), zero, zero], axis=1)

    def get_config(self):
        c = super().get_config()
        c.update(height_factor=self.height_factor, width_factor=self.width_factor,
                 fill_mode=self.fill_mode, interpolation=self.interpolation, seed=self.seed,
                 fill_value=self.fill_value, data_format=self.data_format)
        return c


class RandomTranslation(_RandomAffine):
    """Shifts each image by a fraction of its height and width drawn from height_factor and
    width_factor (a number f: [-f, f]; or a (lower, upper) pair), filling what comes in."""

    _ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the "
              "range [-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = self._range(height_factor, "height_factor")
        self.width_lower, self.width_upper = self._range(width_factor, "width_factor")
        self._common(fill_mode, interpolation, seed, fill_value, data_format)

    def _range(self, factor, name):
        def check(v):
            if v > 1.0 or v < -1.0:
                raise ValueError(self._ERROR + f"Received: input_number={v}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._ERROR + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            check(factor)
            return -abs(factor), abs(factor)
        raise ValueError(self._ERROR + f"Received: {name}={factor}")

    def _transform(self, x):
        _, h, w, _ = x.shape.as_list()
        shape = _a.shape(x)[:1]
        dy = self._uniform(shape, self.height_lower, self.height_upper) * float(h)
        dx = self._uniform(shape, self.width_lower, self.width_upper) * float(w)
        one, zero = _a.ones_like(dx), _a.zeros_like(dx)
        # the output pixel (x, y) reads the input at (x - dx, y - dy)
        return _a.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=1)

    def get_config(self):
        c = super().get_config()
        c.update(height_factor=self.height_factor, width_factor=self.width_factor,
                 fill_mode=self.fill_mode, interpolation=self.interpolation, seed=self.seed,
                 fill_value=self.fill_value, data_format=self.data_format)
        return c


def _factor_range(factor, bounds):
    """Keras's (lower, upper) from a number f ([max(-f, low bound), f]) or a pair."""
    message = ("The `factor` argument should be a number (or a list of two numbers) in the "
               f"range [{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        return max(-abs(factor), bounds[0]), abs(factor)
    raise ValueError(message)


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError("The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


class _RandomColor(Layer):
    """Per-image random colour changes, clipped to `value_range`, while training."""

    _training_default = True
    _bounds = (-1, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.factor = _factor_range(factor, self._bounds)
        self.value_range = _value_range(value_range)
        self.seed = seed
        self._seed_state = self._add_seed_state()
        self._counter = 0

    def _draw(self, x, low, high):
        rank = x.shape.rank
        if rank not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={tuple(x.shape.as_list())}")
        shape = [1, 1, 1] if rank == 3 else _a.concat([_a.shape(x)[:1], [1, 1, 1]], 0)
        self._counter += 1
        seed = None if self.seed is None else self.seed + self._counter
        return _r.random_uniform(shape, minval=low, maxval=high, seed=seed)

    def call(self, inputs, training=True):
        x = inputs if inputs.dtype.base_dtype == _dt.float32 else \
            _m.cast(inputs, _dt.float32)
        if not training:
            return x
        y = self._apply(x)
        return _m.minimum(_m.maximum(y, float(self.value_range[0])),
                          float(self.value_range[1]))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(factor=self.factor, value_range=self.value_range, seed=self.seed,
                 data_format=self.data_format)
        return c


class RandomBrightness(_RandomColor):
    """Adds one random delta per image: a fraction drawn from `factor` of the value range."""

    def _apply(self, x):
        span = float(self.value_range[1] - self.value_range[0])
        return x + self._draw(x, self.factor[0], self.factor[1]) * span


class RandomContrast(_RandomColor):
    """Scales each image's deviation from its per-channel mean by a factor drawn from
    [1 - lower, 1 + upper] (factor f: [1, 1 + f], as Keras 3 reads it)."""

    _bounds = (0, 1)

    def _apply(self, x):
        h, w = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        mean = _m.reduce_mean(_m.reduce_mean(x, h, keepdims=True), w, keepdims=True)
        factor = self._draw(x, 1.0 - self.factor[0], 1.0 + self.factor[1])
        return (x - mean) * factor + mean
