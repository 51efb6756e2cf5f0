"""Conv1D, Conv3D, the transposed, depthwise and separable convolutions.

Conv1D is a Conv2D over a height-1 image, as TF's `tf.nn.conv1d` does (ExpandDims, Conv2D,
Squeeze). Conv2DTranspose is `Conv2DBackpropInput`, TF's `conv2d_transpose` op: its gradient
is Conv2D (for the input) and Conv2DBackpropFilter (for the kernel); Conv1DTranspose is the
same op over a height-1 image.

The registry has no Conv3D or DepthwiseConv2dNative op, so Conv3D and the depthwise layers are
written out from their definition: each kernel offset picks a strided slice of the (padded)
input (`windows`). Conv3D concatenates those slices into patches and multiplies them by the
kernel reshaped to a matrix (im2col); a depthwise convolution multiplies each slice by its
offset's per-channel weights and sums. The gradients come from StridedSlice, ConcatV2, MatMul
and Mul, so no new gradient is needed.
"""
import numpy as np

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops.nn_ops import conv_output_size
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from ...ops.linalg_ops import matmul as _matmul
from .base import Layer
from .checks import check_ndim, reject

__all__ = ["Conv1D", "Conv2DTranspose", "Convolution1D", "Convolution2DTranspose", "Conv3D",
           "Convolution3D", "Conv1DTranspose", "Convolution1DTranspose", "DepthwiseConv1D",
           "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
           "SeparableConvolution2D", "Conv3DTranspose", "Convolution3DTranspose", "windows"]


def _tuple(v, n, name):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received {name}={v}")
    return v


def _ser_reg(reg):
    return None if reg is None else _reg.serialize(reg)


def _same_pads(n, k, s, d):
    """TF's SAME padding of one axis: the output has ceil(n / s) positions; the extra rows
    go after (pad_before = total // 2)."""
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def windows(x, axes, kernel_size, strides, dilation_rate, padding, pad_value=0.0):
    """The strided slices of `x` that each kernel offset sees, offsets in row-major order
    (the order of a kernel's leading axes), and the padded sizes. Spatial sizes must be
    known: the slices are static."""
    shape = x.shape.as_list()
    for ax in axes:
        if shape[ax] is None:
            raise ValueError(f"tfteach's windowed layers need known spatial sizes; input "
                             f"shape {tuple(shape)} has None on axis {ax}")
    if padding == "same":
        pads = [[0, 0] for _ in shape]
        for ax, k, s, d in zip(axes, kernel_size, strides, dilation_rate):
            pads[ax] = list(_same_pads(shape[ax], k, s, d))
        if any(p != [0, 0] for p in pads):
            x = _a.pad(x, pads, constant_values=pad_value)
        shape = x.shape.as_list()
    outs = [conv_output_size(shape[ax], k, s, d, "VALID")
            for ax, k, s, d in zip(axes, kernel_size, strides, dilation_rate)]
    slices = []
    for offset in np.ndindex(*kernel_size):
        sl = [slice(None)] * len(shape)
        for ax, i, n, s, d in zip(axes, offset, outs, strides, dilation_rate):
            sl[ax] = slice(i * d, i * d + (n - 1) * s + 1, s)
        slices.append(x[tuple(sl)])
    return slices, outs


class _Conv(Layer):
    _rank = None
    _paddings = ("valid", "same")
    _has_groups = True      # Keras's transposed convolutions have no `groups` argument

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        reject(type(self).__name__, kernel_constraint=kernel_constraint,
               bias_constraint=bias_constraint)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
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
                                name="kernel", regularizer=self.kernel_regularizer))
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)
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
                 bias_initializer=_init.serialize(self.bias_initializer),
                 kernel_regularizer=_ser_reg(self.kernel_regularizer),
                 bias_regularizer=_ser_reg(self.bias_regularizer),
                 activity_regularizer=_ser_reg(self.activity_regularizer),
                 kernel_constraint=None, bias_constraint=None)
        if self._has_groups:
            c["groups"] = self.groups
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
    _has_groups = False

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
        if h is not None and w is not None:   # sizes went in as a tensor: static shape back
            y = _a.reshape(y, [-1, self._out_size(h, 0), self._out_size(w, 1), self.filters])
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self._out_size(input_shape[1], 0),
                self._out_size(input_shape[2], 1), self.filters)

    def get_config(self):
        c = super().get_config()
        c["output_padding"] = None
        return c





class Conv3D(_Conv):
    """3-D convolution over NDHWC inputs: im2col on the kernel's windows, then one MatMul."""
    _rank = 3

    def build(self, input_shape):
        check_ndim(self, input_shape, min_ndim=5)
        check_ndim(self, input_shape, ndim=5)
        self._add_weights(self.kernel_size + (int(input_shape[-1]), self.filters))

    def call(self, inputs):
        slices, outs = windows(inputs, (1, 2, 3), self.kernel_size, self.strides,
                               self.dilation_rate, self.padding)
        # patches[..., offset * C + c]: the same order as kernel.reshape(-1, filters)
        patches = _a.concat(slices, axis=-1) if len(slices) > 1 else slices[0]
        flat = _a.reshape(patches, [-1, int(np.prod(self.kernel.shape.as_list()[:-1]))])
        y = _matmul(flat, _a.reshape(self.kernel, [-1, self.filters]))
        y = _a.reshape(y, [-1] + outs + [self.filters])
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        pad = self.padding.upper()
        return (input_shape[0],) + tuple(
            conv_output_size(input_shape[1 + i], self.kernel_size[i], self.strides[i],
                             self.dilation_rate[i], pad) for i in range(3)) + (self.filters,)


class Conv1DTranspose(Conv2DTranspose):
    """Conv2DTranspose over a height-1 image (ExpandDims, Conv2DBackpropInput, Squeeze)."""
    _rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        reject("Conv1DTranspose", output_padding=output_padding)
        _Conv.__init__(self, filters, kernel_size, strides=strides, padding=padding,
                       data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        if self.dilation_rate != (1,):
            raise NotImplementedError("tfteach's Conv1DTranspose supports dilation_rate=1")
        self.output_padding = None

    def build(self, input_shape):
        check_ndim(self, input_shape, min_ndim=3)
        check_ndim(self, input_shape, ndim=3)
        self._add_weights(self.kernel_size + (self.filters, int(input_shape[-1])))

    def call(self, inputs):
        n = inputs.shape.as_list()[1]
        sizes = _a.concat([_a.shape(inputs)[:1], [1, self._out_size(n, 0), self.filters]], 0)
        y = _nn.conv2d_backprop_input(sizes, _a.expand_dims(self.kernel, 0),
                                      _a.expand_dims(inputs, 1), strides=(1,) + self.strides,
                                      padding=self.padding.upper())
        y = _a.squeeze(y, [1])
        if n is not None:     # the sizes went in as a tensor: give the static shape back
            y = _a.reshape(y, [-1, self._out_size(n, 0), self.filters])
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self._out_size(input_shape[1], 0), self.filters)


class _DepthwiseBase(Layer):
    """What DepthwiseConv and SeparableConv share: arguments, and the depthwise step."""
    _rank = None

    def __init__(self, kernel_size, strides, padding, data_format, dilation_rate,
                 depth_multiplier, activation, use_bias, bias_initializer, bias_regularizer,
                 activity_regularizer, bias_constraint, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self._rank
        reject(type(self).__name__, bias_constraint=bias_constraint)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a "
                             "strictly positive value. Received "
                             f"depth_multiplier={depth_multiplier}.")
        self.kernel_size = _tuple(kernel_size, n, "kernel_size")
        self.strides = _tuple(strides, n, "strides")
        self.dilation_rate = _tuple(dilation_rate, n, "dilation_rate")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be a list/tuple or one of 'valid', "
                             f"'same' (or their uppercase counterparts). Received: {padding}")
        self.padding = padding
        self.data_format = data_format or "channels_last"
        if self.data_format != "channels_last":
            raise NotImplementedError(f"tfteach's {type(self).__name__} supports "
                                      "data_format='channels_last'")
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = _init.get(bias_initializer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.bias = None

    def _check(self, input_shape):
        check_ndim(self, input_shape, min_ndim=self._rank + 2)
        check_ndim(self, input_shape, ndim=self._rank + 2)
        if input_shape[-1] is None:
            raise ValueError("The channel dimension of the inputs should be defined. "
                             f"Found None. Full input shape received: {tuple(input_shape)}")
        return int(input_shape[-1])

    def _depthwise(self, inputs, kernel):
        """out[..., c * M + m] = sum over offsets of x_offset[..., c] * kernel[offset, c, m]."""
        axes = tuple(range(1, self._rank + 1))
        slices, outs = windows(inputs, axes, self.kernel_size, self.strides,
                               self.dilation_rate, self.padding)
        c = int(inputs.shape[-1])
        k = _a.reshape(kernel, [-1, c, self.depth_multiplier])
        y = None
        for i, sl in enumerate(slices):
            term = _a.expand_dims(sl, -1) * k[i]
            y = term if y is None else y + term
        return _a.reshape(y, [-1] + outs + [c * self.depth_multiplier])

    def _finish(self, y):
        if self.use_bias:
            y = _nn.bias_add(y, self.bias)
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def _spatial_out(self, input_shape):
        pad = self.padding.upper()
        return tuple(conv_output_size(input_shape[1 + i], self.kernel_size[i], self.strides[i],
                                      self.dilation_rate[i], pad) for i in range(self._rank))

    def get_config(self):
        c = super().get_config()
        c.update(depth_multiplier=self.depth_multiplier, kernel_size=self.kernel_size,
                 strides=self.strides, padding=self.padding, data_format=self.data_format,
                 dilation_rate=self.dilation_rate, activation=_act.serialize(self.activation),
                 use_bias=self.use_bias,
                 bias_initializer=_init.serialize(self.bias_initializer),
                 bias_regularizer=_ser_reg(self.bias_regularizer),
                 activity_regularizer=_ser_reg(self.activity_regularizer),
                 bias_constraint=None)
        return c


class _DepthwiseConv(_DepthwiseBase):
    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        reject(type(self).__name__, depthwise_constraint=depthwise_constraint)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, bias_initializer,
                         bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        self.depthwise_initializer = _init.get(depthwise_initializer)
        self.depthwise_regularizer = _reg.get(depthwise_regularizer)
        self.kernel = None

    def build(self, input_shape):
        c = self._check(input_shape)
        # Keras 3 names the depthwise kernel `kernel`: (*kernel_size, channels, multiplier)
        self.kernel = self.add_weight(shape=self.kernel_size + (c, self.depth_multiplier),
                                      name="kernel", initializer=self.depthwise_initializer,
                                      regularizer=self.depthwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight(shape=(c * self.depth_multiplier,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def call(self, inputs):
        return self._finish(self._depthwise(inputs, self.kernel))

    def compute_output_shape(self, input_shape):
        c = input_shape[-1]
        return (input_shape[0],) + self._spatial_out(input_shape) + (
            None if c is None else c * self.depth_multiplier,)

    def get_config(self):
        c = super().get_config()
        c.update(depthwise_initializer=_init.serialize(self.depthwise_initializer),
                 depthwise_regularizer=_ser_reg(self.depthwise_regularizer),
                 depthwise_constraint=None)
        return c


class DepthwiseConv1D(_DepthwiseConv):
    _rank = 1


class DepthwiseConv2D(_DepthwiseConv):
    _rank = 2


class _SeparableConv(_DepthwiseBase):
    """A depthwise convolution, then a 1x1 convolution mixing its channels into `filters`."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        reject(type(self).__name__, depthwise_constraint=depthwise_constraint,
               pointwise_constraint=pointwise_constraint)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, bias_initializer,
                         bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.depthwise_initializer = _init.get(depthwise_initializer)
        self.pointwise_initializer = _init.get(pointwise_initializer)
        self.depthwise_regularizer = _reg.get(depthwise_regularizer)
        self.pointwise_regularizer = _reg.get(pointwise_regularizer)
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape):
        c = self._check(input_shape)
        m = self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (c, m), name="depthwise_kernel",
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self._rank + (c * m, self.filters), name="pointwise_kernel",
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def call(self, inputs):
        y = self._depthwise(inputs, self.depthwise_kernel)
        cm = int(y.shape[-1])
        spatial = y.shape.as_list()[1:-1]
        flat = _matmul(_a.reshape(y, [-1, cm]),
                       _a.reshape(self.pointwise_kernel, [cm, self.filters]))
        y = _a.reshape(flat, [-1] + spatial + [self.filters])
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._spatial_out(input_shape) + (self.filters,)

    def get_config(self):
        c = super().get_config()
        c.update(filters=self.filters,
                 depthwise_initializer=_init.serialize(self.depthwise_initializer),
                 pointwise_initializer=_init.serialize(self.pointwise_initializer),
                 depthwise_regularizer=_ser_reg(self.depthwise_regularizer),
                 pointwise_regularizer=_ser_reg(self.pointwise_regularizer),
                 depthwise_constraint=None, pointwise_constraint=None)
        return c


class SeparableConv1D(_SeparableConv):
    _rank = 1


class SeparableConv2D(_SeparableConv):
    _rank = 2


class Conv3DTranspose(_Conv):
    """The transpose of Conv3D (the map its gradient applies to the input): each input
    voxel spreads kernel-weighted copies over a stride-spaced output. Written as a plain
    convolution: zeros inserted between the input's voxels (stride - 1 per gap), a border of
    kernel_size - 1, the kernel flipped and its channel axes swapped; then the border that
    `padding` does not keep is cut (or zeros added where the stride outruns the kernel)."""
    _rank = 3
    _has_groups = False

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1), **kwargs):
        reject("Conv3DTranspose", output_padding=output_padding)
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        if self.dilation_rate != (1, 1, 1):
            raise NotImplementedError("tfteach's Conv3DTranspose supports dilation_rate=1")
        self.output_padding = None

    def build(self, input_shape):
        check_ndim(self, input_shape, min_ndim=5)
        check_ndim(self, input_shape, ndim=5)
        self._add_weights(self.kernel_size + (self.filters, int(input_shape[-1])))

    def _out_size(self, n, i):
        if n is None:
            return None
        k, s = self.kernel_size[i], self.strides[i]
        return n * s if self.padding == "same" else n * s + max(k - s, 0)

    def call(self, inputs):
        x = inputs
        dims = x.shape.as_list()
        if any(d is None for d in dims[1:]):
            raise ValueError(f"tfteach's Conv3DTranspose needs known spatial sizes; got "
                             f"{tuple(dims)}")
        for i, (n, s) in enumerate(zip(dims[1:4], self.strides)):
            if s > 1:     # n voxels -> (n - 1) * s + 1, zeros between
                ax = i + 1
                shape = x.shape.as_list()
                x = _a.expand_dims(x, ax + 1)
                pads = [[0, 0]] * (len(shape) + 1)
                pads[ax + 1] = [0, s - 1]
                x = _a.pad(x, pads)
                shape[ax] = n * s
                x = _a.reshape(x, [-1] + shape[1:])
                sl = [slice(None)] * len(shape)
                sl[ax] = slice(0, (n - 1) * s + 1)
                x = x[tuple(sl)]
        border = [[0, 0]] + [[k - 1, k - 1] for k in self.kernel_size] + [[0, 0]]
        x = _a.pad(x, border)
        kernel = _a.transpose(_a.reverse(self.kernel, [0, 1, 2]), [0, 1, 2, 4, 3])
        slices, outs = windows(x, (1, 2, 3), self.kernel_size, (1, 1, 1), (1, 1, 1),
                               "valid")
        patches = _a.concat(slices, axis=-1) if len(slices) > 1 else slices[0]
        flat = _a.reshape(patches, [-1, int(np.prod(self.kernel_size)) * dims[-1]])
        y = _a.reshape(_matmul(flat, _a.reshape(kernel, [-1, self.filters])),
                       [-1] + outs + [self.filters])
        # `full` has (n - 1) * s + k positions; keep Keras's, from `before` on
        pads, crop = [[0, 0]], [slice(None)]
        for i, (n, k, s) in enumerate(zip(dims[1:4], self.kernel_size, self.strides)):
            want = self._out_size(n, i)
            before = max(k - s, 0) // 2 if self.padding == "same" else 0
            have = outs[i] - before
            pads.append([0, max(want - have, 0)])
            crop.append(slice(before, before + min(want, have)))
        y = y[tuple(crop + [slice(None)])]
        if any(p[1] for p in pads):
            y = _a.pad(y, pads + [[0, 0]])
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(self._out_size(input_shape[1 + i], i)
                                         for i in range(3)) + (self.filters,)

    def get_config(self):
        c = super().get_config()
        c["output_padding"] = None
        return c


Convolution1D = Conv1D
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
