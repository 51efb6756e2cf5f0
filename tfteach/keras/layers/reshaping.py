"""Lambda, Rescaling, ZeroPadding2D, Cropping2D, UpSampling2D, RepeatVector, Permute,
SpatialDropout2D."""
import inspect

from ... import nn as _nn
from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .base import Layer
from .checks import check_ndim, reject
from .pooling import _data_format

__all__ = ["Lambda", "Rescaling", "ZeroPadding2D", "Cropping2D", "UpSampling2D",
           "RepeatVector", "Permute", "SpatialDropout2D"]


def _pairs(value, name):
    """An int, a pair of ints, or a pair of pairs -> ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value}.")
    out = []
    for v in value:
        if isinstance(v, int):
            out.append((v, v))
        else:
            v = tuple(int(i) for i in v)
            if len(v) != 2:
                raise ValueError(f"`{name}` should have two elements. Received: {name}={value}.")
            out.append(v)
    return tuple(out)


class Lambda(Layer):
    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        reject("Lambda", mask=mask)
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_training = "training" in params

    def call(self, inputs, training=None):
        kw = dict(self.arguments)
        if self._fn_training:
            kw["training"] = training
        return self.function(inputs, **kw)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError("Lambda without `output_shape` infers it by calling")
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        return (input_shape[0],) + tuple(self._output_shape)

    def get_config(self):
        c = super().get_config()
        c.update(function=self.function, arguments=self.arguments)
        return c


class Rescaling(Layer):
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        dt = _dt.as_dtype(self.compute_dtype)
        x = inputs if inputs.dtype.base_dtype == dt else _m.cast(inputs, dt)
        return x * _m.cast(self.scale, dt) + _m.cast(self.offset, dt)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(scale=self.scale, offset=self.offset)
        return c


class _Spatial2D(Layer):
    def _hw_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=4)
        self.built = True


class ZeroPadding2D(_Spatial2D):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding")
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        pads = [[0, 0]] * 4
        h, w = self._hw_axes()
        pads[h], pads[w] = list(self.padding[0]), list(self.padding[1])
        return _a.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for ax, (a, b) in zip(self._hw_axes(), self.padding):
            out[ax] = None if out[ax] is None else out[ax] + a + b
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(padding=self.padding, data_format=self.data_format)
        return c


class Cropping2D(_Spatial2D):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping")
        self.data_format = _data_format(data_format)

    def build(self, input_shape):
        super().build(input_shape)
        for ax, (a, b) in zip(self._hw_axes(), self.cropping):
            if input_shape[ax] is not None and a + b >= input_shape[ax]:
                raise ValueError("Values in `cropping` argument should be smaller than the "
                                 "corresponding spatial dimension of the input. Received: "
                                 f"input_shape={tuple(input_shape)}, "
                                 f"cropping={self.cropping}")

    def call(self, inputs):
        shape = inputs.shape.as_list()
        sl = [slice(None)] * 4
        for ax, (a, b) in zip(self._hw_axes(), self.cropping):
            sl[ax] = slice(a, shape[ax] - b if shape[ax] is not None else (-b or None))
        return inputs[tuple(sl)]

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for ax, (a, b) in zip(self._hw_axes(), self.cropping):
            out[ax] = None if out[ax] is None else out[ax] - a - b
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(cropping=self.cropping, data_format=self.data_format)
        return c


class UpSampling2D(_Spatial2D):
    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = (size, size) if isinstance(size, int) else tuple(int(s) for s in size)
        self.data_format = _data_format(data_format)
        if interpolation != "nearest":
            raise NotImplementedError("tfteach's UpSampling2D implements "
                                      f"interpolation='nearest' (received {interpolation!r})")
        self.interpolation = interpolation

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = _a.transpose(x, [0, 2, 3, 1])
        _, h, w, c = x.shape.as_list()
        sh, sw = self.size
        # Nearest neighbour = each pixel repeated: a broadcast (Tile) then a Reshape, so the
        # gradient sums each block back onto its pixel.
        x = _a.reshape(x, [-1, h, 1, w, 1, c])
        x = _a.tile(x, [1, 1, sh, 1, sw, 1])
        x = _a.reshape(x, [-1, h * sh, w * sw, c])
        if self.data_format == "channels_first":
            x = _a.transpose(x, [0, 3, 1, 2])
        return x

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for ax, s in zip(self._hw_axes(), self.size):
            out[ax] = None if out[ax] is None else out[ax] * s
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(size=self.size, data_format=self.data_format,
                 interpolation=self.interpolation)
        return c


class RepeatVector(Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=2)
        self.built = True

    def call(self, inputs):
        return _a.tile(_a.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        c = super().get_config()
        c["n"] = self.n
        return c


class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return _a.transpose(inputs, [0] + list(self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        c = super().get_config()
        c["dims"] = self.dims
        return c


class SpatialDropout2D(_Spatial2D):
    """Drops whole feature maps: one draw per (example, channel)."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.data_format = _data_format(data_format)
        self.seed = seed
        self._seed_state = self._add_seed_state()
        self._counter = 0

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = _a.shape(inputs)
        ones = _a.ones_like(shape[:1])
        if self.data_format == "channels_last":
            noise = _a.concat([shape[:1], ones, ones, shape[3:]], 0)
        else:
            noise = _a.concat([shape[:2], ones, ones], 0)
        self._counter += 1
        seed = None if self.seed is None else self.seed + self._counter
        return _nn.dropout(inputs, rate=self.rate, noise_shape=noise, seed=seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(rate=self.rate, data_format=self.data_format, seed=self.seed)
        return c
