"""Conv1D and Conv2DTranspose on the registry's Conv2D ops.

Conv1D is a Conv2D over a height-1 image, as TF's `tf.nn.conv1d` does (ExpandDims, Conv2D,
Squeeze). Conv2DTranspose is `Conv2DBackpropInput`, TF's `conv2d_transpose` op: its gradient
is Conv2D (for the input) and Conv2DBackpropFilter (for the kernel).
"""
from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops.nn_ops import conv_output_size
from .. import activations as _act
from .. import initializers as _init
from .base import Layer
from .checks import check_ndim, reject

__all__ = ["Conv1D", "Conv2DTranspose", "Convolution1D", "Convolution2DTranspose"]


def _tuple(v, n, name):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received {name}={v}")
    return v


class _Conv(Layer):
    _rank = None
    _paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        reject(type(self).__name__, kernel_constraint=kernel_constraint,
               bias_constraint=bias_constraint)
        super().__init__(**kwargs)
        n = self._rank
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.kernel_size = _tuple(kernel_size, n, "kernel_size")
        self.strides = _tuple(strides, n, "strides")
        self.dilation_rate = _tuple(dilation_rate, n, "dilation_rate")
        padding = padding.lower()
        if padding not in self._paddings:
            raise ValueError(f"The `padding` argument must be a list/tuple or one of "
                             f"{', '.join(map(repr, self._paddings))} (or their uppercase "
                             f"counterparts). Received: {padding}")
        self.padding = padding
        self.data_format = data_format or "channels_last"
        if self.data_format != "channels_last":
            raise NotImplementedError(f"tfteach's {type(self).__name__} supports "
                                      "data_format='channels_last'")
        if groups != 1:
            raise NotImplementedError(f"tfteach's {type(self).__name__} supports groups=1")
        self.groups = groups
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        object.__setattr__(self, self._kernel_attr, None)
        self.bias = None

    # the attribute Keras 3 keeps the kernel in, which a tf.train.Checkpoint key names:
    # `_kernel` for Conv1D (behind a `kernel` property), `kernel` for Conv2DTranspose
    _kernel_attr = "kernel"

    def _add_weights(self, kernel_shape):
        setattr(self, self._kernel_attr,
                self.add_weight(shape=kernel_shape, initializer=self.kernel_initializer,
                                name="kernel"))
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                        initializer=self.bias_initializer)
        self.built = True

    def _finish(self, y):
        if self.use_bias:
            y = _nn.bias_add(y, self.bias)
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def get_config(self):
        c = super().get_config()
        c.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                 padding=self.padding, data_format=self.data_format,
                 dilation_rate=self.dilation_rate, activation=_act.serialize(self.activation),
                 use_bias=self.use_bias,
                 kernel_initializer=_init.serialize(self.kernel_initializer),
                 bias_initializer=_init.serialize(self.bias_initializer))
        return c


class Conv1D(_Conv):
    _kernel_attr = "_kernel"

    @property
    def kernel(self):
        return self._kernel

    _rank = 1
    _paddings = ("valid", "same", "causal")

    def build(self, input_shape):
        check_ndim(self, input_shape, min_ndim=3)
        check_ndim(self, input_shape, ndim=3)
        self._add_weights(self.kernel_size + (int(input_shape[-1]), self.filters))

    def call(self, inputs):
        x = inputs
        padding = self.padding.upper()
        if self.padding == "causal":
            # Causal: pad only the past, so output t sees inputs <= t.
            x = _a.pad(x, [[0, 0], [self.dilation_rate[0] * (self.kernel_size[0] - 1), 0],
                           [0, 0]])
            padding = "VALID"
        y = _nn.conv2d(_a.expand_dims(x, 1), _a.expand_dims(self.kernel, 0),
                       strides=(1,) + self.strides, padding=padding,
                       dilations=(1,) + self.dilation_rate)
        return self._finish(_a.squeeze(y, [1]))

    def compute_output_shape(self, input_shape):
        pad = "VALID" if self.padding == "causal" else self.padding.upper()
        n = input_shape[1]
        if self.padding == "causal" and n is not None:
            n = n + self.dilation_rate[0] * (self.kernel_size[0] - 1)
        return (input_shape[0], conv_output_size(n, self.kernel_size[0], self.strides[0],
                                                 self.dilation_rate[0], pad), self.filters)


class Conv2DTranspose(_Conv):
    _rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), **kwargs):
        reject("Conv2DTranspose", output_padding=output_padding)
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        if self.dilation_rate != (1, 1):
            raise NotImplementedError("tfteach's Conv2DTranspose supports dilation_rate=1")
        self.output_padding = None

    def build(self, input_shape):
        check_ndim(self, input_shape, min_ndim=4)
        check_ndim(self, input_shape, ndim=4)
        # The transpose kernel maps `filters` outputs back onto the input's channels.
        self._add_weights(self.kernel_size + (self.filters, int(input_shape[-1])))

    def _out_size(self, n, i):
        if n is None:
            return None
        k, s = self.kernel_size[i], self.strides[i]
        return n * s if self.padding == "same" else n * s + max(k - s, 0)

    def call(self, inputs):
        _, h, w, _ = inputs.shape.as_list()
        batch = _a.shape(inputs)[:1]
        sizes = _a.concat([batch, [self._out_size(h, 0), self._out_size(w, 1),
                                   self.filters]], 0)
        y = _nn.conv2d_backprop_input(sizes, self.kernel, inputs, strides=self.strides,
                                      padding=self.padding.upper())
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self._out_size(input_shape[1], 0),
                self._out_size(input_shape[2], 1), self.filters)

    def get_config(self):
        c = super().get_config()
        c["output_padding"] = None
        return c


Convolution1D = Conv1D
Convolution2DTranspose = Conv2DTranspose
