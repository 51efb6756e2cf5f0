"""Dense, Activation, Flatten, Reshape, Dropout, Embedding, Conv2D, pooling layers."""
import numpy as np

from ... import nn as _nn
from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops.linalg_ops import matmul as _matmul
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from .base import InputSpec, Layer

__all__ = ["Dense", "Activation", "Flatten", "Reshape", "Dropout", "Embedding", "Conv2D",
           "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D", "Identity", "Masking",
           "ReversibleEmbedding"]


def _pair(v, name):
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"The `{name}` argument must be a tuple of 2 integers. Received: {v}")
    return v


def _no_constraints(**constraints):
    for k, v in constraints.items():
        if v is not None:
            raise NotImplementedError(f"tfteach's layers do not apply weight constraints "
                                      f"({k}={v!r})")


def _last_dim(input_shape):
    if input_shape is None or input_shape[-1] is None:
        raise ValueError("The last dimension of the inputs to a Dense layer should be "
                         f"defined. Found None. Full input shape received: {input_shape}")
    return int(input_shape[-1])


class Dense(Layer):
    """`activation(inputs @ kernel + bias)` on the last axis."""

    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if lora_rank is not None:
            raise NotImplementedError("tfteach's Dense does not implement LoRA (lora_rank)")
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.units = int(units)
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        _no_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._kernel = None
        self.bias = None

    @property
    def kernel(self):
        if self._kernel is None:
            raise AttributeError("You must build the layer before accessing `kernel`.")
        return self._kernel

    def build(self, input_shape):
        d = _last_dim(input_shape)
        self._kernel = self.add_weight(shape=(d, self.units), initializer=self.kernel_initializer, name="kernel",
                                       regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: d})
        self.built = True

    def call(self, inputs):
        x = inputs
        if x.dtype.base_dtype != self._kernel.dtype:
            x = _m.cast(x, self._kernel.dtype)
        rank = x.shape.rank
        if rank == 2:
            y = _matmul(x, self._kernel)
        else:
            shape = _a.shape(x)
            flat = _a.reshape(x, [-1, int(self._kernel.shape[0])])
            y = _matmul(flat, self._kernel)
            y = _a.reshape(y, _a.concat([shape[:-1], [self.units]], 0))
        if self.use_bias:
            y = _nn.bias_add(y, self.bias)
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        c = super().get_config()
        c.update(units=self.units, activation=_act.serialize(self.activation),
                 use_bias=self.use_bias)
        return c


class Activation(Layer):
    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _act.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["activation"] = _act.serialize(self.activation)
        return c


class Identity(Layer):
    supports_masking = True

    def call(self, inputs):
        return inputs


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        rest = inputs.shape.as_list()[1:]
        if self.data_format == "channels_first" and len(rest) > 1:
            perm = [0] + list(range(2, len(rest) + 1)) + [1]
            inputs = _a.transpose(inputs, perm)
        if all(d is not None for d in rest):
            return _a.reshape(inputs, [-1, int(np.prod(rest)) if rest else 1])
        return _a.reshape(inputs, [_a.shape(inputs)[0], -1])

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], n)


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in "
                             f"target_shape. Received: target_shape={self.target_shape}")

    def call(self, inputs):
        target = list(self.target_shape)
        if -1 in target:
            rest = inputs.shape.as_list()[1:]
            if any(d is None for d in rest):
                return _a.reshape(inputs, _a.concat([_a.shape(inputs)[:1], target], 0))
            known = int(np.prod([d for d in target if d != -1]))
            target[target.index(-1)] = int(np.prod(rest)) // known
        return _a.reshape(inputs, [-1] + target)

    def compute_output_shape(self, input_shape):
        if -1 not in self.target_shape:
            return (input_shape[0],) + self.target_shape
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        total = None if any(d is None for d in input_shape[1:]) else \
            int(np.prod(input_shape[1:]))
        return (input_shape[0],) + tuple(total // known if d == -1 and total else
                                         (None if d == -1 else d) for d in self.target_shape)

    def get_config(self):
        c = super().get_config()
        c["target_shape"] = self.target_shape
        return c


class Dropout(Layer):
    """Zeroes inputs with probability `rate` while training; the identity otherwise."""

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self._seed_state = self._add_seed_state()
        self._counter = 0

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            self._counter += 1
            seed = None if self.seed is None else self.seed + self._counter
            return _nn.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=seed)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class Embedding(Layer):
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, **kwargs):
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        if lora_rank is not None:
            raise NotImplementedError("tfteach's Embedding does not implement LoRA (lora_rank)")
        _no_constraints(embeddings_constraint=embeddings_constraint)
        self.embeddings_regularizer = _reg.get(embeddings_regularizer)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = _init.get(embeddings_initializer)
        self.mask_zero = mask_zero
        self._embeddings = None         # Keras 3's attribute (a checkpoint's `_embeddings`)
        self._initial_weights = weights

    @property
    def embeddings(self):
        return self._embeddings

    def build(self, input_shape=None):
        self._embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
        self.built = True

    def call(self, inputs):
        if not inputs.dtype.is_integer:
            inputs = _m.cast(inputs, _dt.int32)
        return _a.gather(self.embeddings, inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask=None):
        """mask_zero=True: token 0 is padding, masked for the layers downstream."""
        if not self.mask_zero:
            return None
        return _m.not_equal(inputs, _m.cast(0, inputs.dtype))


class Conv2D(Layer):
    """2-D convolution over NHWC inputs (`channels_last`), then bias and activation."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be a list/tuple or one of "
                             f"'valid', 'same' (or their uppercase counterparts). Received: "
                             f"{padding}")
        self.padding = padding
        self.data_format = data_format or "channels_last"
        if self.data_format != "channels_last":
            raise NotImplementedError("tfteach's Conv2D supports data_format='channels_last'")
        if groups != 1:
            raise NotImplementedError("tfteach's Conv2D supports groups=1")
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        _no_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._kernel = None
        self.bias = None

    @property
    def kernel(self):
        if self._kernel is None:
            raise AttributeError("You must build the layer before accessing `kernel`.")
        return self._kernel

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim=4, found ndim={len(input_shape)}. Full "
                             f"shape received: {tuple(input_shape)}")
        c = _last_dim(input_shape)
        self._kernel = self.add_weight(shape=self.kernel_size + (c, self.filters),
                                       initializer=self.kernel_initializer, name="kernel",
                                       regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer)
        self.built = True

    def call(self, inputs):
        y = _nn.conv2d(inputs, self._kernel, strides=self.strides,
                       padding=self.padding.upper(), dilations=self.dilation_rate)
        if self.use_bias:
            y = _nn.bias_add(y, self.bias)
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        from ...ops.nn_ops import conv_output_size
        pad = self.padding.upper()
        h = conv_output_size(input_shape[1], self.kernel_size[0], self.strides[0],
                             self.dilation_rate[0], pad)
        w = conv_output_size(input_shape[2], self.kernel_size[1], self.strides[1],
                             self.dilation_rate[1], pad)
        return (input_shape[0], h, w, self.filters)

    def get_config(self):
        c = super().get_config()
        c.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                 padding=self.padding, data_format=self.data_format,
                 dilation_rate=self.dilation_rate, groups=1,
                 activation=_act.serialize(self.activation), use_bias=self.use_bias,
                 kernel_initializer=_init.serialize(self.kernel_initializer),
                 bias_initializer=_init.serialize(self.bias_initializer),
                 kernel_regularizer=None if self.kernel_regularizer is None else
                 _reg.serialize(self.kernel_regularizer),
                 bias_regularizer=None if self.bias_regularizer is None else
                 _reg.serialize(self.bias_regularizer),
                 activity_regularizer=None if self.activity_regularizer is None else
                 _reg.serialize(self.activity_regularizer),
                 kernel_constraint=None, bias_constraint=None)
        return c


class _Pool2D(Layer):
    _fn = None

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = _pair(strides, "strides") if strides is not None else self.pool_size
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding: {padding}")
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        return type(self)._fn(inputs, ksize=self.pool_size, strides=self.strides,
                              padding=self.padding.upper(), data_format=fmt)

    def compute_output_shape(self, input_shape):
        from ...ops.nn_ops import conv_output_size
        pad = self.padding.upper()
        h = conv_output_size(input_shape[1], self.pool_size[0], self.strides[0], 1, pad)
        w = conv_output_size(input_shape[2], self.pool_size[1], self.strides[1], 1, pad)
        return (input_shape[0], h, w, input_shape[3])


class MaxPooling2D(_Pool2D):
    _fn = staticmethod(_nn.max_pool2d)


class AveragePooling2D(_Pool2D):
    _fn = staticmethod(_nn.avg_pool2d)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D


class Masking(Layer):
    """Marks the timesteps whose features all equal `mask_value` as masked, and zeroes them.

    `compute_mask` gives the (batch, steps) boolean mask Keras propagates; tfteach's layers
    do not propagate masks on their own, so a layer downstream takes it as `mask=`."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs):
        return _m.reduce_any(_m.not_equal(inputs, _m.cast(self.mask_value, inputs.dtype)),
                             axis=-1, keepdims=True)

    def compute_mask(self, inputs, mask=None):
        return _a.squeeze(self._keep(inputs), [-1])

    def call(self, inputs):
        keep = self._keep(inputs)
        out = _a.where_v2(keep, inputs, _a.zeros_like(inputs))
        try:
            out._keras_mask = _a.squeeze(keep, [-1])   # where Keras keeps it
        except AttributeError:
            pass
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["mask_value"] = self.mask_value
        return c


class ReversibleEmbedding(Embedding):
    """An Embedding that also runs backwards: `layer(hidden, reverse=True)` scores a hidden
    vector against every token, hidden @ embeddings^T (tie_weights=True) or @ a separate
    `reverse_embeddings` (output_dim, input_dim) weight; `logit_soft_cap` bounds the scores
    to (-cap, cap) through tanh."""

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), name="reverse_embeddings",
                initializer=self.embeddings_initializer)

    def call(self, inputs, reverse=False):
        if not reverse:
            out = super().call(inputs)
            if self.mask_zero:
                out._keras_mask = super().compute_mask(inputs)
            return out
        kernel = _a.transpose(self.embeddings) if self.tie_weights else \
            self.reverse_embeddings
        x = inputs
        if self.reverse_dtype is not None:
            x = _m.cast(x, self.reverse_dtype)
            kernel = _m.cast(kernel, self.reverse_dtype)
        shape = _a.shape(x)
        logits = _matmul(_a.reshape(x, [-1, self.output_dim]), kernel)
        logits = _a.reshape(logits, _a.concat([shape[:-1], [self.input_dim]], 0))
        if self.logit_soft_cap is not None:
            logits = _m.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse:
            shape[-1] = self.input_dim
        else:
            shape.append(self.output_dim)
        return shape

    def get_config(self):
        c = super().get_config()
        c.update(input_dim=self.input_dim, output_dim=self.output_dim,
                 embeddings_initializer=_init.serialize(self.embeddings_initializer),
                 embeddings_regularizer=None if self.embeddings_regularizer is None else
                 _reg.serialize(self.embeddings_regularizer),
                 activity_regularizer=None if self.activity_regularizer is None else
                 _reg.serialize(self.activity_regularizer),
                 embeddings_constraint=None, mask_zero=self.mask_zero,
                 quantization_config=None, tie_weights=self.tie_weights,
                 reverse_dtype=self.reverse_dtype, logit_soft_cap=self.logit_soft_cap)
        return c
