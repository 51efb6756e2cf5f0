"""Pooling layers: global pooling of 3-D, 4-D and 5-D inputs; windowed 1-D and 3-D pooling
(MaxPooling2D and AveragePooling2D live in core.py).

1-D pooling is the registry's 2-D pooling over a height-1 image (ExpandDims, MaxPool/AvgPool,
Squeeze), as TF's `tf.nn.max_pool1d` does. The registry has no 3-D pooling op, so 3-D pooling
reduces the strided windows of the input (convolutional.windows): the maximum over them, or
their sum divided by how many real (unpadded) elements each window holds, as TF's SAME
average pooling counts.
"""
import numpy as np

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .base import Layer
from .checks import check_ndim
from .convolutional import _same_pads, windows

__all__ = ["GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAvgPool2D", "GlobalMaxPool2D",
           "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAvgPool1D",
           "GlobalMaxPool1D", "GlobalAveragePooling3D", "GlobalMaxPooling3D",
           "GlobalAvgPool3D", "GlobalMaxPool3D", "MaxPooling1D", "MaxPool1D",
           "AveragePooling1D", "AvgPool1D", "MaxPooling3D", "MaxPool3D", "AveragePooling3D",
           "AvgPool3D", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
           "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D",
           "AdaptiveMaxPooling3D"]


def _data_format(value):
    value = value or "channels_last"
    if value not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={value}")
    return value


class _GlobalPool(Layer):
    _reduce = None
    _rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.keepdims = bool(keepdims)

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self._rank))

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=self._rank + 2)
        self.built = True

    def call(self, inputs):
        check_ndim(self, inputs.shape.as_list(), ndim=self._rank + 2)
        return type(self)._reduce(inputs, self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        c = super().get_config()
        c.update(data_format=self.data_format, keepdims=self.keepdims)
        return c


class GlobalAveragePooling2D(_GlobalPool):
    _reduce = staticmethod(_m.reduce_mean)


class GlobalMaxPooling2D(_GlobalPool):
    _reduce = staticmethod(_m.reduce_max)


class GlobalAveragePooling1D(_GlobalPool):
    _reduce = staticmethod(_m.reduce_mean)
    _rank = 1

    def call(self, inputs, mask=None):
        check_ndim(self, inputs.shape.as_list(), ndim=3)
        axis = self._axes()
        if mask is None:
            return _m.reduce_mean(inputs, axis, keepdims=self.keepdims)
        # Keras averages over the unmasked steps only.
        m = _m.cast(mask, inputs.dtype)
        m = _a.expand_dims(m, 2 if self.data_format == "channels_last" else 1)
        return _m.reduce_sum(inputs * m, axis, keepdims=self.keepdims) / \
            _m.reduce_sum(m, axis, keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalPool):
    _reduce = staticmethod(_m.reduce_max)
    _rank = 1


class GlobalAveragePooling3D(_GlobalPool):
    _reduce = staticmethod(_m.reduce_mean)
    _rank = 3


class GlobalMaxPooling3D(_GlobalPool):
    _reduce = staticmethod(_m.reduce_max)
    _rank = 3


GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D


def _ints(v, n, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(i) for i in v)
    if len(v) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received {name}={v}")
    return v


class _Pool(Layer):
    """Windowed pooling of rank 1 or 3 (Keras 3's arguments and config)."""
    _rank = None
    _max = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        n = self._rank
        self.pool_size = _ints(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else _ints(strides, n, "strides")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError("The `padding` argument must be a list/tuple or one of 'valid', "
                             f"'same' (or their uppercase counterparts). Received: {padding}")
        self.padding = padding
        self.data_format = _data_format(data_format)

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=self._rank + 2)
        self.built = True

    def call(self, inputs):
        x = inputs
        n = self._rank
        if self.data_format == "channels_first":     # pool channels-last, then back
            x = _a.transpose(x, [0] + list(range(2, n + 2)) + [1])
        y = self._pool1d(x) if n == 1 else self._pool3d(x)
        if self.data_format == "channels_first":
            y = _a.transpose(y, [0, n + 1] + list(range(1, n + 1)))
        return y

    def _pool1d(self, x):
        fn = _nn.max_pool2d if self._max else _nn.avg_pool2d
        y = fn(_a.expand_dims(x, 1), ksize=(1,) + self.pool_size,
               strides=(1,) + self.strides, padding=self.padding.upper(), data_format="NHWC")
        return _a.squeeze(y, [1])

    def _pool3d(self, x):
        ones = (1, 1, 1)
        if self._max:
            slices, _ = windows(x, (1, 2, 3), self.pool_size, self.strides, ones,
                                self.padding, pad_value=float("-inf"))
            y = slices[0]
            for s in slices[1:]:
                y = _m.maximum(y, s)
            return y
        slices, outs = windows(x, (1, 2, 3), self.pool_size, self.strides, ones, self.padding)
        y = slices[0]
        for s in slices[1:]:
            y = y + s
        # how many real elements each window covers (fewer at SAME's padded border)
        counts = np.zeros(outs, np.float64)
        size = x.shape.as_list()[1:4]
        for offset in np.ndindex(*self.pool_size):
            hit = np.ones(outs, bool)
            for ax, (i, n_out, s, k, n) in enumerate(zip(offset, outs, self.strides,
                                                          self.pool_size, size)):
                before = 0
                if self.padding == "same":
                    before = _same_pads(n, k, s, 1)[0]
                pos = np.arange(n_out) * s + i - before
                ok = (pos >= 0) & (pos < n)
                shape = [1, 1, 1]
                shape[ax] = n_out
                hit &= ok.reshape(shape)
            counts += hit
        counts = counts[..., None].astype(x.dtype.as_numpy_dtype)
        return y / counts

    def compute_output_shape(self, input_shape):
        from ...ops.nn_ops import conv_output_size
        first = 1 if self.data_format == "channels_last" else 2
        out = list(input_shape)
        for i in range(self._rank):
            out[first + i] = conv_output_size(input_shape[first + i], self.pool_size[i],
                                              self.strides[i], 1, self.padding.upper())
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(pool_size=self.pool_size, padding=self.padding, strides=self.strides,
                 data_format=self.data_format)
        return c


class MaxPooling1D(_Pool):
    _rank, _max = 1, True


class AveragePooling1D(_Pool):
    _rank, _max = 1, False


class MaxPooling3D(_Pool):
    _rank, _max = 3, True


class AveragePooling3D(_Pool):
    _rank, _max = 3, False


MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D



class _AdaptivePool(Layer):
    """Pools to a fixed `output_size`: output i along an axis of length L reduces the
    input's positions floor(i L / out) .. ceil((i + 1) L / out) - 1 (bins that may overlap
    or, when out > L, repeat). One axis at a time: a box's mean or max is the same taken axis
    by axis."""
    _rank = None
    _max = None
    _what = None

    def __init__(self, output_size, data_format=None, **kwargs):
        n = self._rank
        if isinstance(output_size, int):
            output_size = (output_size,) * n
        elif isinstance(output_size, (tuple, list)) and len(output_size) == n:
            output_size = tuple(output_size)
        elif n == 1 and isinstance(output_size, (tuple, list)):
            raise ValueError("For 1D input, `output_size` tuple must have length 1. "
                             f"Received: {output_size}")
        else:
            raise TypeError(f"`output_size` must be an integer or {self._what}. "
                            f"Received: {output_size} of type {type(output_size)}")
        super().__init__(**kwargs)
        self.output_size = output_size
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(f"Invalid data_format: {self.data_format}. Expected "
                             "'channels_first' or 'channels_last'.")

    def call(self, inputs):
        first = 1 if self.data_format == "channels_last" else 2
        dims = inputs.shape.as_list()
        reduce = _m.reduce_max if self._max else _m.reduce_mean
        x = inputs
        for i, out in enumerate(self.output_size):
            ax = first + i
            size = dims[ax]
            if size is None:
                raise ValueError("Input spatial dimensions must be statically known for "
                                 "adaptive pooling")
            pieces = []
            for j in range(out):
                start = min(int(np.floor(j * size / out)), size - 1)
                end = min(int(np.ceil((j + 1) * size / out)), size)
                sl = [slice(None)] * len(dims)
                sl[ax] = slice(start, end)
                pieces.append(reduce(x[tuple(sl)], ax, keepdims=True))
            x = _a.concat(pieces, ax) if len(pieces) > 1 else pieces[0]
        return x

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self):
        c = super().get_config()
        c.update(output_size=self.output_size, data_format=self.data_format)
        return c


class AdaptiveAveragePooling1D(_AdaptivePool):
    _rank, _max, _what = 1, False, "tuple of 1 integer"


class AdaptiveAveragePooling2D(_AdaptivePool):
    _rank, _max, _what = 2, False, "(height, width) tuple"


class AdaptiveAveragePooling3D(_AdaptivePool):
    _rank, _max, _what = 3, False, "(depth, height, width) tuple"


class AdaptiveMaxPooling1D(_AdaptivePool):
    _rank, _max, _what = 1, True, "tuple of 1 integer"


class AdaptiveMaxPooling2D(_AdaptivePool):
    _rank, _max, _what = 2, True, "(height, width) tuple"


class AdaptiveMaxPooling3D(_AdaptivePool):
    _rank, _max, _what = 3, True, "(depth, height, width) tuple"
