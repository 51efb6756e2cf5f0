"""Lambda, Rescaling, ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D,
RepeatVector, Permute, SpatialDropout1D/2D/3D."""
import inspect

from ... import nn as _nn
from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .base import Layer
from .checks import check_ndim, reject
from .pooling import _data_format

__all__ = ["Lambda", "Rescaling", "ZeroPadding2D", "Cropping2D", "UpSampling2D",
           "RepeatVector", "Permute", "SpatialDropout2D", "ZeroPadding1D", "ZeroPadding3D",
           "Cropping1D", "Cropping3D", "UpSampling1D", "UpSampling3D", "SpatialDropout1D",
           "SpatialDropout3D"]


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


def _pairs_n(value, n, name, what):
    """An int, n ints, or n pairs -> n (before, after) pairs (Keras 3's standardisation)."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"`{name}` should have {n} elements. Received: {value}.")
    out = []
    for v in value:
        v = (int(v), int(v)) if isinstance(v, int) else tuple(int(i) for i in v)
        if len(v) != 2 or min(v) < 0:
            raise ValueError(f"`{name}` should be either an int, a tuple of {n} ints "
                             f"or a tuple of {n} tuples of 2 ints ({what}). Received: "
                             f"{name}={value}.")
        out.append(v)
    return tuple(out)


class _SpatialN(Layer):
    """Layers over the spatial axes of (batch, *spatial, channels) inputs (or channels
    first) of a fixed rank."""
    _rank = None

    def _axes(self):
        first = 1 if getattr(self, "data_format", "channels_last") == "channels_last" else 2
        return tuple(range(first, first + self._rank))

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=self._rank + 2)
        self.built = True


class ZeroPadding1D(_SpatialN):
    _rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        if isinstance(padding, int):
            padding = (padding, padding)
        self.padding = tuple(int(p) for p in padding)
        if len(self.padding) != 2 or min(self.padding) < 0:
            raise ValueError("The `padding` argument must be a tuple of 2 integers. Received "
                             f"padding={padding}")

    def _pads(self):
        return (self.padding,)

    def call(self, inputs):
        pads = [[0, 0]] * (self._rank + 2)
        for ax, p in zip(self._axes(), self._pads()):
            pads[ax] = list(p)
        return _a.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for ax, (a, b) in zip(self._axes(), self._pads()):
            out[ax] = None if out[ax] is None else out[ax] + a + b
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(padding=self.padding, data_format=self.data_format)
        return c


class ZeroPadding2D(ZeroPadding1D):
    _rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        _SpatialN.__init__(self, **kwargs)
        self.padding = _pairs(padding, "padding")
        self.data_format = _data_format(data_format)

    def _pads(self):
        return self.padding


class ZeroPadding3D(ZeroPadding1D):
    _rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        _SpatialN.__init__(self, **kwargs)
        self.data_format = _data_format(data_format)
        self.padding = _pairs_n(padding, 3, "padding",
                                "(left_dim1_pad, right_dim1_pad), ...")

    def _pads(self):
        return self.padding


class Cropping1D(_SpatialN):
    _rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        if isinstance(cropping, int):
            cropping = (cropping, cropping)
        self.cropping = tuple(int(c) for c in cropping)
        if len(self.cropping) != 2 or min(self.cropping) < 0:
            raise ValueError("The `cropping` argument must be a tuple of 2 integers. "
                             f"Received cropping={cropping}")

    def _crops(self):
        return (self.cropping,)

    def build(self, input_shape):
        super().build(input_shape)
        for ax, (a, b) in zip(self._axes(), self._crops()):
            if input_shape[ax] is not None and a + b >= input_shape[ax]:
                self._too_big(input_shape)

    def _too_big(self, input_shape):
        raise ValueError("`cropping` parameter of `Cropping1D` layer must be smaller than "
                         f"the input length. Received: input_shape={tuple(input_shape)}, "
                         f"cropping={self.cropping}")

    def call(self, inputs):
        shape = inputs.shape.as_list()
        sl = [slice(None)] * len(shape)
        for ax, (a, b) in zip(self._axes(), self._crops()):
            sl[ax] = slice(a, shape[ax] - b if shape[ax] is not None else (-b or None))
        return inputs[tuple(sl)]

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for ax, (a, b) in zip(self._axes(), self._crops()):
            out[ax] = None if out[ax] is None else out[ax] - a - b
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c["cropping"] = self.cropping
        return c


class _CroppingHW(Cropping1D):
    """Cropping2D and Cropping3D: a (before, after) pair per spatial axis, and a
    data_format."""

    def _crops(self):
        return self.cropping

    def _too_big(self, input_shape):
        raise ValueError("Values in `cropping` argument should be smaller than the "
                         f"corresponding spatial dimension of the input. Received: "
                         f"input_shape={tuple(input_shape)}, cropping={self.cropping}")

    def get_config(self):
        c = super().get_config()
        c["data_format"] = self.data_format
        return c


class Cropping2D(_CroppingHW):
    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        _SpatialN.__init__(self, **kwargs)
        self.cropping = _pairs(cropping, "cropping")
        self.data_format = _data_format(data_format)


class Cropping3D(_CroppingHW):
    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        _SpatialN.__init__(self, **kwargs)
        self.data_format = _data_format(data_format)
        self.cropping = _pairs_n(cropping, 3, "cropping",
                                 "(left_dim1_crop, right_dim1_crop), ...")


class UpSampling1D(_SpatialN):
    """Each step repeated `size` times (Keras's `ops.repeat`)."""
    _rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        self.size = size

    def call(self, inputs):
        return _repeat(inputs, 1, self.size)

    def compute_output_shape(self, input_shape):
        n = input_shape[1]
        return (input_shape[0], None if n is None else n * self.size, input_shape[2])

    def get_config(self):
        c = super().get_config()
        c["size"] = self.size
        return c


def _repeat(x, axis, times):
    """Every element along `axis` repeated `times` times: a new axis after it, tiled, then
    merged back in (the gradient sums each block back onto its element)."""
    shape = x.shape.as_list()
    y = _a.expand_dims(x, axis + 1)
    mult = [1] * (len(shape) + 1)
    mult[axis + 1] = times
    y = _a.tile(y, mult)
    if all(d is not None for d in shape[1:]):     # a static shape keeps later layers' shapes
        return _a.reshape(y, [-1] + [d * times if i == axis else d
                                     for i, d in enumerate(shape) if i > 0])
    dyn = _a.shape(x)
    new = _a.concat([dyn[:axis], dyn[axis:axis + 1] * times, dyn[axis + 1:]], 0)
    return _a.reshape(y, new)


class _UpSamplingHW(_SpatialN):
    """UpSampling2D and UpSampling3D: each spatial axis scaled by its entry of `size`."""

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for ax, s in zip(self._axes(), self.size):
            out[ax] = None if out[ax] is None else out[ax] * s
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(size=self.size, data_format=self.data_format)
        return c


class UpSampling3D(_UpSamplingHW):
    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.size = (size,) * 3 if isinstance(size, int) else tuple(int(s) for s in size)
        if len(self.size) != 3:
            raise ValueError(f"The `size` argument must be a tuple of 3 integers. "
                             f"Received size={size}")

    def call(self, inputs):
        x = inputs
        for ax, s in zip(self._axes(), self.size):
            x = _repeat(x, ax, s)
        return x


class UpSampling2D(_UpSamplingHW):
    _rank = 2

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

    def get_config(self):
        c = super().get_config()
        c["interpolation"] = self.interpolation
        return c


class SpatialDropout1D(_SpatialN):
    """Drops whole channels of a sequence: one draw per (example, channel)."""
    _rank = 1

    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.seed = seed
        self._seed_state = self._add_seed_state()
        self._counter = 0

    def _noise_shape(self, shape):
        return _a.concat([shape[:1], _a.ones_like(shape[:1]), shape[2:]], 0)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        self._counter += 1
        seed = None if self.seed is None else self.seed + self._counter
        return _nn.dropout(inputs, rate=self.rate, noise_shape=self._noise_shape(
            _a.shape(inputs)), seed=seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        # Keras 3's SpatialDropout config has no `trainable`
        c = super().get_config()
        c.pop("trainable", None)
        c.update(rate=self.rate, seed=self.seed)
        return c


class SpatialDropout2D(_SpatialN):
    """Drops whole feature maps: one draw per (example, channel)."""
    _rank = 2

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
        c.pop("trainable", None)     # Keras 3's SpatialDropout config has none
        c.update(rate=self.rate, data_format=self.data_format, seed=self.seed)
        return c


class SpatialDropout3D(SpatialDropout1D):
    _rank = 3

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = _data_format(data_format)

    def _noise_shape(self, shape):
        ones = _a.ones_like(shape[:1])
        if self.data_format == "channels_last":
            return _a.concat([shape[:1], ones, ones, ones, shape[4:]], 0)
        return _a.concat([shape[:2], ones, ones, ones], 0)

    def get_config(self):
        c = super().get_config()
        c["data_format"] = self.data_format
        return c
