"""BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization and
RMSNormalization, built
from primitive registry ops.

Keras 3 on TensorFlow does not call `FusedBatchNormV3`: it takes `moments` (Mean,
SquaredDifference) and normalises with `rsqrt`/Mul/Add, and updates the moving statistics
with `assign`. tfteach does the same, so the graph a student draws shows those ops and the
gradient comes from theirs.
"""
from ... import nn as _nn
from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .. import initializers as _init
from .base import Layer
from .checks import check_ndim, reject

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization",
           "UnitNormalization", "RMSNormalization"]


def _axes(axis, ndim, name):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"Invalid axis {a} for {name}: the input has rank {ndim}.")
        out.append(a % ndim)
    return sorted(out)


def _broadcast_shape(ndim, axes, input_shape):
    return [int(input_shape[i]) if i in axes else 1 for i in range(ndim)]


class BatchNormalization(Layer):
    """Normalises with the batch's statistics while training (and moves the moving
    statistics towards them), with the moving statistics at inference."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, **kwargs):
        reject(type(self).__name__, beta_regularizer=beta_regularizer,
               gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
               gamma_constraint=gamma_constraint, renorm=renorm or None)
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise TypeError(f"Expected an int for argument `axis`. Received: axis={axis}")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.synchronized = bool(synchronized)   # one replica: synchronized changes nothing
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.moving_mean_initializer = _init.get(moving_mean_initializer)
        self.moving_variance_initializer = _init.get(moving_variance_initializer)
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = _axes(self.axis, ndim, self.name)
        a = self._axes[0]
        if input_shape[a] is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             f"dimension but the layer received an input with shape "
                             f"{tuple(input_shape)}.")
        shape = (int(input_shape[a]),)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", trainable=False,
                                           initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               trainable=False,
                                               initializer=self.moving_variance_initializer)
        self._ndim = ndim
        self.built = True

    supports_masking = True

    def call(self, inputs, training=False, mask=None):
        if mask is not None and mask.shape.rank != inputs.shape.rank - 1:
            raise ValueError("The mask provided should be one dimension less than the "
                             f"inputs. Received: mask.shape={mask.shape}, "
                             f"inputs.shape={inputs.shape}")
        ndim = inputs.shape.rank
        if ndim != self._ndim:
            check_ndim(self, inputs.shape.as_list(), ndim=self._ndim)
        reduce = [i for i in range(ndim) if i != self._axes[0]]
        bshape = [1] * ndim
        bshape[self._axes[0]] = int(self.moving_mean.shape[0])
        x = inputs
        if x.dtype.base_dtype != _dt.float32:
            x = _m.cast(x, _dt.float32)
        # Keras 3: a frozen BatchNormalization (trainable=False) runs in inference mode even
        # when the model is trained.
        if training and self.trainable:
            if mask is None:
                mean, variance = _nn.moments(x, reduce, keepdims=False)
            else:
                mean, variance = self._masked_moments(x, mask, reduce)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        inv = _m.rsqrt(_a.reshape(variance, bshape) + self.epsilon)
        if self.gamma is not None:
            inv = inv * _a.reshape(self.gamma, bshape)
        shift = -_a.reshape(mean, bshape) * inv
        if self.beta is not None:
            shift = shift + _a.reshape(self.beta, bshape)
        out = x * inv + shift
        if out.dtype.base_dtype != inputs.dtype.base_dtype:
            out = _m.cast(out, inputs.dtype.base_dtype)
        return out

    @staticmethod
    def _masked_moments(x, mask, reduce):
        """Mean and variance over the unmasked positions only (Keras's weighted moments,
        with its epsilon 1e-7 in the denominators)."""
        keep = _a.expand_dims(_m.cast(mask, _dt.bool_), -1) & _a.ones_like(x, dtype=_dt.bool_)
        zero = _a.zeros_like(x)
        count = _m.reduce_sum(_m.cast(keep, x.dtype), reduce, keepdims=True) + 1e-7
        mean = _m.reduce_sum(_a.where_v2(keep, x, zero), reduce, keepdims=True) / count
        sq = _m.square(_a.where_v2(keep, x - mean, zero))
        variance = _m.reduce_sum(sq, reduce, keepdims=True) / count
        return _a.reshape(mean, [-1]), _a.reshape(variance, [-1])

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon,
                 center=self.center, scale=self.scale,
                 beta_initializer=_init.serialize(self.beta_initializer),
                 gamma_initializer=_init.serialize(self.gamma_initializer),
                 moving_mean_initializer=_init.serialize(self.moving_mean_initializer),
                 moving_variance_initializer=_init.serialize(
                     self.moving_variance_initializer),
                 synchronized=self.synchronized)
        return c


class LayerNormalization(Layer):
    """Normalises each example over `axis` (the last by default)."""

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        reject(type(self).__name__, beta_regularizer=beta_regularizer,
               gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
               gamma_constraint=gamma_constraint, rms_scaling=rms_scaling or None)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument "
                            f"'axis', but received: {axis}")
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = _axes(self.axis, ndim, self.name)
        shape = tuple(int(input_shape[a]) for a in self._axes)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer)
        self._bshape = _broadcast_shape(ndim, self._axes, input_shape)
        self.built = True

    def call(self, inputs):
        x = inputs
        if x.dtype.base_dtype != _dt.float32:
            x = _m.cast(x, _dt.float32)
        mean, variance = _nn.moments(x, self._axes, keepdims=True)
        inv = _m.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * _a.reshape(self.gamma, self._bshape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + _a.reshape(self.beta, self._bshape)
        out = x * inv + shift
        if out.dtype.base_dtype != inputs.dtype.base_dtype:
            out = _m.cast(out, inputs.dtype.base_dtype)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                 rms_scaling=False, beta_initializer=_init.serialize(self.beta_initializer),
                 gamma_initializer=_init.serialize(self.gamma_initializer))
        return c


class GroupNormalization(Layer):
    """Splits the channels (`axis`) into `groups` and normalises each example's groups over
    their channels and all other non-batch axes. groups=-1: one channel per group (instance
    normalization); groups=1: LayerNormalization over all non-batch axes."""

    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a "
                             "positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups}")
        reject(type(self).__name__, beta_constraint=beta_constraint,
               gamma_constraint=gamma_constraint)
        super().__init__(**kwargs)
        from .. import regularizers as _reg
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self.gamma = self.beta = None

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             "dimension but the layer received an input with shape "
                             f"{tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the "
                             f"number of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({dim}).")
        if self.scale:
            self.gamma = self.add_weight(shape=(dim,), name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight(shape=(dim,), name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer)
        self._ndim = len(input_shape)

    def call(self, inputs):
        ndim = self._ndim
        axis = self.axis % ndim
        dims = inputs.shape.as_list()
        shape = _a.shape(inputs)
        per_group = dims[axis] // self.groups
        # (..., C, ...) -> (..., groups, C / groups, ...): statistics per (example, group)
        grouped = _a.concat([shape[:axis], [self.groups, per_group], shape[axis + 1:]], 0)
        x = inputs if inputs.dtype.base_dtype == _dt.float32 else \
            _m.cast(inputs, _dt.float32)
        x = _a.reshape(x, grouped)
        reduce = [i for i in range(1, ndim + 1) if i != axis]
        mean, variance = _nn.moments(x, reduce, keepdims=True)
        bshape = [1] * (ndim + 1)
        bshape[axis], bshape[axis + 1] = self.groups, per_group
        inv = _m.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * _a.reshape(self.gamma, bshape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + _a.reshape(self.beta, bshape)
        out = _a.reshape(x * inv + shift, shape)
        if out.dtype.base_dtype != inputs.dtype.base_dtype:
            out = _m.cast(out, inputs.dtype.base_dtype)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        from .. import regularizers as _reg
        c = super().get_config()
        c.update(groups=self.groups, axis=self.axis, epsilon=self.epsilon, center=self.center,
                 scale=self.scale, beta_initializer=_init.serialize(self.beta_initializer),
                 gamma_initializer=_init.serialize(self.gamma_initializer),
                 beta_regularizer=None if self.beta_regularizer is None else
                 _reg.serialize(self.beta_regularizer),
                 gamma_regularizer=None if self.gamma_regularizer is None else
                 _reg.serialize(self.gamma_regularizer),
                 beta_constraint=None, gamma_constraint=None)
        return c


class UnitNormalization(Layer):
    """Scales each example to unit L2 norm over `axis`:
    x / sqrt(max(sum(x^2), 1e-12))."""

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a "
                            f"list/tuple of ints. Received: axis={axis}")

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else _m.cast(inputs, _dt.float32)
        square_sum = _m.reduce_sum(_m.square(x), self.axis, keepdims=True)
        return x * _m.rsqrt(_m.maximum(square_sum, 1e-12))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c["axis"] = self.axis
        return c


class RMSNormalization(Layer):
    """x * rsqrt(mean(x^2 over `axis`) + epsilon) * scale: LayerNormalization without the
    centring (no mean subtracted, no beta)."""

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        # Keras keeps the axes as a (sorted) list once built
        self.axis = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        ndim = len(input_shape)
        self._axes = _axes(self.axis, ndim, self.name)
        self.scale = self.add_weight(name="scale", initializer="ones",
                                     shape=tuple(int(input_shape[a]) for a in self._axes))
        self._bshape = _broadcast_shape(ndim, self._axes, input_shape)

    def call(self, inputs):
        x = inputs if inputs.dtype.base_dtype == _dt.float32 else _m.cast(inputs, _dt.float32)
        ms = _m.reduce_mean(_m.square(x), self._axes, keepdims=True)
        out = x * _m.rsqrt(ms + self.epsilon) * _a.reshape(self.scale, self._bshape)
        if out.dtype.base_dtype != inputs.dtype.base_dtype:
            out = _m.cast(out, inputs.dtype.base_dtype)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(axis=self.axis, epsilon=self.epsilon)
        return c
