"""Global pooling over the spatial axes of 4-D inputs."""
from ...ops import math_ops as _m
from .base import Layer
from .checks import check_ndim

__all__ = ["GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAvgPool2D", "GlobalMaxPool2D"]


def _data_format(value):
    value = value or "channels_last"
    if value not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={value}")
    return value


class _GlobalPool2D(Layer):
    _reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_ndim(self, input_shape, ndim=4)
        self.built = True

    def call(self, inputs):
        check_ndim(self, inputs.shape.as_list(), ndim=4)
        axes = [1, 2] if self.data_format == "channels_last" else [2, 3]
        return type(self)._reduce(inputs, axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = (1, 2) if self.data_format == "channels_last" else (2, 3)
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        c = super().get_config()
        c.update(data_format=self.data_format, keepdims=self.keepdims)
        return c


class GlobalAveragePooling2D(_GlobalPool2D):
    _reduce = staticmethod(_m.reduce_mean)


class GlobalMaxPooling2D(_GlobalPool2D):
    _reduce = staticmethod(_m.reduce_max)


GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
