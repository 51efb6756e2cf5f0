"""Preprocessing layers: CategoryEncoding, Normalization (with `adapt`), Resizing,
CenterCrop, RandomFlip, AutoContrast, Discretization (bucketing, with `adapt`), and
Pipeline (layers applied in turn).

They hold no trainable weights; Normalization keeps the statistics `adapt` measured as
non-trainable weights (`mean`, `variance`, `count`), so they are saved with the model.
RandomFlip is the one random layer: as in Keras 3 it flips when called directly (its
`training` defaults to True) and passes images through at inference (`predict`,
`training=False`).
"""
import numpy as np

from ...framework import dtypes as _dt
from ...ops.constant_op import constant as _constant
from ...ops import array_ops as _a
from ...ops import image_ops as _img
from ...ops import math_ops as _m
from ...ops import random_ops as _r
from .base import Layer
from .checks import reject
from .pooling import _data_format

__all__ = ["CategoryEncoding", "Normalization", "Resizing", "CenterCrop", "RandomFlip",
           "AutoContrast", "Pipeline", "Discretization"]

_EPSILON = 1e-7     # keras.backend.epsilon()


class CategoryEncoding(Layer):
    """Integer tokens -> one-hot rows, or one multi-hot / count row per example."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("tfteach's CategoryEncoding has no sparse output")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        x = inputs if inputs.dtype.is_integer else _m.cast(inputs, _dt.int64)
        rank = x.shape.rank
        dtype = _dt.as_dtype(self.compute_dtype)
        if rank == 0:
            x, rank = _a.expand_dims(x, -1), 1
        if self.output_mode == "one_hot":
            if x.shape.as_list()[-1] == 1 and rank > 1:
                x = _a.squeeze(x, [-1])
            if x.shape.rank > 1:
                self._too_deep(inputs, x.shape.rank + 1)
            return _a.one_hot(x, self.num_tokens, dtype=dtype)
        if rank > 2:
            self._too_deep(inputs, rank)
        # one row per example (the whole input when it is 1-D): a one-hot per token, summed
        # (count) or OR-ed (multi_hot) over the example's tokens
        hot = _a.one_hot(x, self.num_tokens, dtype=dtype)
        if count_weights is not None:
            w = count_weights if hasattr(count_weights, "dtype") else \
                _constant(np.asarray(count_weights, np.float32))
            hot = _m.cast(hot, w.dtype) * _a.expand_dims(w, -1)
        axis = rank - 1
        if self.output_mode == "multi_hot":
            return _m.reduce_max(hot, axis)
        return _m.reduce_sum(hot, axis)

    def _too_deep(self, inputs, rank):
        raise ValueError("When output_mode is not `'int'`, maximum supported output rank is "
                         f"2. Received output_mode {self.output_mode} and input shape "
                         f"{inputs.shape}, which would result in output rank {rank}.")

    def compute_output_shape(self, input_shape):
        if input_shape is not None and len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return tuple(input_shape) + (self.num_tokens,)
        return tuple(input_shape[:-1]) + (self.num_tokens,)

    def get_config(self):
        c = super().get_config()
        c.update(num_tokens=self.num_tokens, output_mode=self.output_mode)
        return c


class Normalization(Layer):
    """(x - mean) / max(sqrt(variance), 1e-7), per position along `axis` (the last by
    default; axis=None: one mean and variance for everything). The statistics come from the
    constructor or from `adapt(data)`; `invert=True` maps normalised values back."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must "
                             f"be set. Received: mean={mean} and variance={variance}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = invert
        self.mean = self.variance = None

    def build(self, input_shape):
        if input_shape is None:
            return
        ndim = len(input_shape)
        self._build_input_shape = tuple(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(d % ndim for d in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError("All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={tuple(input_shape)},"
                                 f" with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1
                                 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        dtype = self.compute_dtype
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance",
                                                  shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            mean = np.asarray(self.input_mean, np.float64)
            variance = np.asarray(self.input_variance, np.float64)
            if mean.ndim:
                # the given statistics line up with the last kept axes
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            bshape = [1 if d is None else d for d in self._broadcast_shape]
            np_dt = _dt.as_dtype(dtype).as_numpy_dtype
            # NumPy here, a constant at call time (in whichever graph calls the layer)
            self.mean = np.broadcast_to(mean, bshape).astype(np_dt)
            self.variance = np.broadcast_to(variance, bshape).astype(np_dt)

    def adapt(self, data):
        """Measures the mean and variance of `data` (an array or tensor, or a dataset or other
        iterable of batches, merged batch by batch)."""
        if isinstance(data, np.ndarray) or hasattr(data, "numpy"):
            batches = None
            input_shape = tuple(data.shape.as_list() if hasattr(data.shape, "as_list")
                                else data.shape)
        elif hasattr(data, "__iter__"):
            batches = [np.asarray(b[0] if isinstance(b, tuple) else b, np.float64)
                       for b in data]
            if not batches:
                raise ValueError("adapt() received an empty iterable (no batches). Expected "
                                 "at least one batch. Pass a non-empty iterable of arrays or "
                                 "tensors, e.g. layer.adapt([x]) or "
                                 "layer.adapt(list_of_batches).")
            if hasattr(data, "element_spec") and batches[0].ndim == 1:
                batches = [np.concatenate(batches)]     # Keras batches a flat dataset
            input_shape = batches[0].shape
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports "
                            "`np.ndarray`, backend tensors, `tf.data.Dataset`, "
                            "`keras.utils.PyDataset`, and iterables of batches (e.g. list, "
                            "generator).")
        if not self.built:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"The layer was built with input_shape="
                                     f"{self._build_input_shape}, but adapt() is being called "
                                     f"with data with an incompatible shape, "
                                     f"data.shape={input_shape}")
        if batches is None:
            arr = np.asarray(data.numpy() if hasattr(data, "numpy") else data, np.float64)
            total_mean = arr.mean(axis=self._reduce_axis)
            total_var = arr.var(axis=self._reduce_axis)
        else:
            # Chan et al.'s merge of per-batch moments, Keras's order of operations
            total_mean = np.zeros(self._mean_and_var_shape)
            total_var = np.zeros(self._mean_and_var_shape)
            total_count = 0
            for b in batches:
                b_mean, b_var = b.mean(axis=self._reduce_axis), b.var(axis=self._reduce_axis)
                b_count = int(np.prod([b.shape[d] for d in self._reduce_axis]))
                total_count += b_count
                w = float(b_count) / total_count
                new_mean = total_mean * (1.0 - w) + b_mean * w
                total_var = (total_var + (total_mean - new_mean) ** 2) * (1.0 - w) + \
                    (b_var + (b_mean - new_mean) ** 2) * w
                total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean, np.float32))
        self.adapt_variance.assign(np.asarray(total_var, np.float32))
        self.finalize_state()

    def finalize_state(self):
        if self.input_mean is not None or not self.built:
            return
        # read at call time, so a restored or re-adapted layer uses its current statistics
        self.mean = self.variance = None

    def _stats(self):
        if self.input_mean is not None:
            return _constant(self.mean), _constant(self.variance)
        return (_a.reshape(self.adapt_mean, self._broadcast_shape),
                _a.reshape(self.adapt_variance, self._broadcast_shape))

    def call(self, inputs):
        dt = _dt.as_dtype(self.compute_dtype)
        x = inputs if inputs.dtype.base_dtype == dt else _m.cast(inputs, dt)
        mean, variance = self._stats()
        scale = _m.maximum(_m.sqrt(variance), _EPSILON)
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(axis=self.axis, invert=self.invert,
                 mean=np.array(self.input_mean).tolist(),
                 variance=np.array(self.input_variance).tolist())
        return c


class _ImageLayer(Layer):
    def _hw(self):
        return (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def _to_last(self, x):
        if self.data_format == "channels_first":
            r = x.shape.rank
            return _a.transpose(x, list(range(r - 3)) + [r - 2, r - 1, r - 3])
        return x

    def _from_last(self, x):
        if self.data_format == "channels_first":
            r = x.shape.rank
            return _a.transpose(x, list(range(r - 3)) + [r - 1, r - 3, r - 2])
        return x

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        h, w = self._hw()
        out[h], out[w] = self.height, self.width
        return tuple(out)


class Resizing(_ImageLayer):
    """Resizes images (batched or not) to (height, width) with tf.image.resize."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        reject("Resizing", crop_to_aspect_ratio=crop_to_aspect_ratio or None,
               pad_to_aspect_ratio=pad_to_aspect_ratio or None, antialias=antialias or None)
        if interpolation not in ("bilinear", "nearest"):
            raise NotImplementedError("tfteach's Resizing implements interpolation "
                                      f"'bilinear' and 'nearest' (received {interpolation!r})")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = antialias
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        method = {"bilinear": "bilinear", "nearest": "nearest"}[self.interpolation]
        x = self._to_last(inputs)
        if not x.dtype.is_floating:
            x = _m.cast(x, _dt.float32)
        y = _img.resize(x, [self.height, self.width], method=method)
        y = _m.cast(y, _dt.as_dtype(self.compute_dtype)) \
            if y.dtype.base_dtype != _dt.as_dtype(self.compute_dtype) else y
        return self._from_last(y)

    def get_config(self):
        c = super().get_config()
        c.update(height=self.height, width=self.width, interpolation=self.interpolation,
                 crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                 pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
                 fill_value=self.fill_value, antialias=self.antialias,
                 data_format=self.data_format)
        return c


class CenterCrop(_ImageLayer):
    """The central (height, width) window of each image."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = height, width
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        dims = inputs.shape.as_list()
        h_ax, w_ax = self._hw()
        h, w = dims[h_ax], dims[w_ax]
        if h is None or w is None or h < self.height or w < self.width:
            raise NotImplementedError(
                "tfteach's CenterCrop crops images at least (height, width) large; Keras "
                f"resizes smaller ones first (input shape {tuple(dims)})")
        top, left = (h - self.height) // 2, (w - self.width) // 2
        sl = [slice(None)] * len(dims)
        sl[h_ax] = slice(top, top + self.height)
        sl[w_ax] = slice(left, left + self.width)
        y = inputs[tuple(sl)]
        dt = _dt.as_dtype(self.compute_dtype)
        return y if y.dtype.base_dtype == dt else _m.cast(y, dt)

    def get_config(self):
        c = super().get_config()
        c.update(height=self.height, width=self.width, data_format=self.data_format)
        return c


class RandomFlip(_ImageLayer):
    """Flips each image left-right and/or up-down with probability 1/2 while training."""

    _training_default = True     # Keras 3: `call(data, training=True)`

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode "
                             f"argument {mode}")
        self.mode = mode
        self.seed = seed
        self.data_format = _data_format(data_format)
        self._seed_state = self._add_seed_state()
        self._counter = 0

    def _flip(self, x, axis):
        # one coin per image: a (batch, 1, 1, 1) draw broadcast over the image
        rank = x.shape.rank
        shape = _a.shape(x)[:1] if rank == 4 else []
        coin_shape = _a.concat([shape, [1, 1, 1]], 0) if rank == 4 else [1, 1, 1]
        self._counter += 1
        seed = None if self.seed is None else self.seed + self._counter
        flip = _m.cast(_m.less(_r.random_uniform(coin_shape, seed=seed), 0.5), x.dtype)
        return flip * _a.reverse(x, [axis]) + (1 - flip) * x

    def call(self, inputs, training=True):
        if not training:
            return inputs
        h, w = self._hw()
        r = inputs.shape.rank
        x = inputs
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            x = self._flip(x, r + w)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            x = self._flip(x, r + h)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(mode=self.mode, seed=self.seed, data_format=self.data_format)
        return c


def _rescale(x, source, target):
    """Values mapped linearly from the `source` range onto the `target` one."""
    if tuple(source) == tuple(target):
        return x
    return (x - source[0]) / (source[1] - source[0]) * (target[1] - target[0]) + target[0]


class AutoContrast(Layer):
    """Stretches each image channel's values to fill `value_range` (its minimum to the low
    end, its maximum to the high end), in training and at inference alike."""

    def __init__(self, value_range=(0, 255), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        if self.data_format != "channels_last":
            # Keras reduces over axes 1 and 2 whatever the format: not a channels-first image
            raise NotImplementedError("tfteach's AutoContrast takes channels_last images")
        error = "The `value_range` argument should be a list of two numbers. "
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(error + f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)

    def call(self, inputs, training=True):
        dt = _dt.as_dtype(self.compute_dtype)
        x = inputs if inputs.dtype.base_dtype == dt else _m.cast(inputs, dt)
        images = _rescale(x, self.value_range, (0.0, 255.0))
        # Keras reduces over axes 1 and 2: height and width of a batch of channels-last images
        low = _m.reduce_min(images, [1, 2], keepdims=True)
        high = _m.reduce_max(images, [1, 2], keepdims=True)
        scale = 255.0 / (high - low)
        out = _m.minimum(_m.maximum(images * scale - low * scale, 0.0), 255.0)
        out = _rescale(out, (0.0, 255.0), self.value_range)
        # a flat channel (high == low) divides by zero: Keras keeps the input there
        return _a.where_v2(_m.is_nan(out), x, out)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        c = super().get_config()
        c.update(value_range=self.value_range, data_format=self.data_format)
        return c


class Pipeline(Layer):
    """Layers applied one after the other, like a Sequential model but a plain layer: the
    `training` flag and each output's mask go down the line."""

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        return list(self._pipeline_layers)

    def call(self, inputs, training=True, mask=None):
        x = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if getattr(layer, "_call_has_mask", False):
                kwargs["mask"] = mask
            if layer._call_has_training and training is not None:
                kwargs["training"] = training
            x = layer(x, **kwargs)
            mask = getattr(x, "_keras_mask", None)
        return x

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self):
        from .base import SERIALIZATION
        return {"layers": [SERIALIZATION["serialize"](layer, with_build=False)
                           for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .base import SERIALIZATION
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list "
                             f"of serialized layers. Received config with layers={layers}.")
        return cls([SERIALIZATION["deserialize"](d, custom_objects) for d in layers],
                   name=config.get("name"))


def _summary(values, epsilon):
    """Keras's quantile summary of a batch: about 1 / epsilon of its sorted values, evenly
    spaced, each standing for the `step` values up to it (its weight)."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full(picked.shape, float(step), picked.dtype)])


def _compress(summary, epsilon):
    """A summary cut down to the values at cumulative-weight fractions epsilon, 2 epsilon,
    ..., 1 (linear interpolation), with the weight each new point now stands for."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = np.arange(0.0, 1.0, epsilon) + epsilon
    cumulative = np.cumsum(summary[1])
    position = cumulative / cumulative[-1]
    points = np.interp(fractions, position, summary[0])
    reached = np.interp(fractions, position, cumulative)
    weights = np.diff(np.concatenate([[0.0], reached]))
    return np.stack([points, weights]).astype(np.float32)


class Discretization(Layer):
    """Buckets numbers by `bin_boundaries` (bucket i: boundaries[i-1] <= x < boundaries[i]),
    or by `num_bins` boundaries that `adapt` places at the data's quantiles (Keras's
    approximate summary, precision `epsilon`); the bucket index, or its one-hot /
    multi-hot / count encoding."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is "
                             "`'one_hot'`, `'multi_hot'`, or `'count'`. Received: "
                             f"sparse={sparse} and output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("tfteach's Discretization has no sparse output")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError("Unknown value for `output_mode` argument of Discretization. "
                             "Allowed values are: ('int', 'one_hot', 'multi_hot', 'count'). "
                             f"Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. "
                             f"Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self._summary = None if bin_boundaries else np.zeros((2, 0), np.float32)

    def adapt(self, data, steps=None):
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self._summary = np.zeros((2, 0), np.float32)
        if hasattr(data, "numpy") or isinstance(data, np.ndarray):
            batches = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            values = np.asarray(batch.numpy() if hasattr(batch, "numpy") else batch,
                                np.float32)
            merged = np.concatenate([_summary(values, self.epsilon), self._summary], axis=1)
            merged = merged[:, np.argsort(merged[0], kind="stable")]
            self._summary = _compress(merged, self.epsilon)
        self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can "
                             "start using the `Discretization` layer.")
        x = inputs if inputs.dtype.is_floating else _m.cast(inputs, _dt.float32)
        # the bucket: how many boundaries lie at or below x (TF's Bucketize)
        index = None
        for b in self.bin_boundaries:
            step = _m.cast(_m.greater_equal(x, _m.cast(float(b), x.dtype)), _dt.int32)
            index = step if index is None else index + step
        if index is None:
            index = _m.cast(_a.zeros_like(x), _dt.int32)
        if self.output_mode == "int":
            return index
        encode = CategoryEncoding(len(self.bin_boundaries) + 1, output_mode=self.output_mode)
        return encode.call(index)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else \
            self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self._dtype_name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"]["config"]["name"]
        boundaries = None
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")     # an adapted layer's
        layer = cls(**config)
        if boundaries is not None:
            layer.bin_boundaries = boundaries
        return layer
