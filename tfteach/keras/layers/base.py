"""`keras.Layer`: weights created on first call (`build`), tracked sublayers, `training`.

A Layer is a `tf.Module`, so `tf.function`, `tf.train.Checkpoint` and the tape see its
variables. Keras orders variables differently from `tf.Module`: a layer's own weights in
creation order, then each tracked sublayer's in the order they were assigned.
"""
import functools
import inspect

import numpy as np

from ...framework import ops as _ops
from ...framework.tensor_shape import TensorShape
from ...module import Module
from .. import backend
from .. import initializers as _init

__all__ = ["Layer", "InputSpec"]

_INTERNAL = frozenset(("_name", "_name_scope", "_layers", "_own_weights", "_seed_vars",
                       "_call_has_training", "_last_output_shape", "_symbolic_output_shape",
                       "built",
                       "_build_input_shape", "_trainable", "_dtype_name", "_call_sig",
                       "_inbound", "_keras_history", "_activity_losses", "_auto_config",
                       "activity_regularizer", "input_spec"))


class InputSpec:
    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None):
        self.dtype, self.shape, self.ndim = dtype, shape, ndim
        self.min_ndim, self.max_ndim, self.axes = min_ndim, max_ndim, axes or {}
        self.name = name


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    s = getattr(x, "shape", None)
    if s is None:
        s = np.shape(x)
    if isinstance(s, TensorShape):
        return tuple(s.as_list()) if s.rank is not None else None
    return tuple(None if d is None else int(d) for d in s)


def _to_tensor(x):
    """Layers take NumPy arrays and Python lists too (Keras converts them)."""
    if isinstance(x, np.ndarray):
        if x.dtype == np.float64:
            x = x.astype(np.float32)
        return _ops.convert_to_tensor(x)
    return x


class Layer(Module):
    """Base class of every Keras layer and model."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # as Keras 3: a layer's own build, called directly, leaves it built, so the first
        # call does not build (and create its weights) a second time
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_marks_built", False):
            @functools.wraps(build)
            def build_wrapper(self, *args, **kw):
                # Keras records the shape a layer was built for (its build_config), however
                # build was reached
                if args and isinstance(args[0], (list, tuple)) and \
                        getattr(self, "_build_input_shape", None) is None:
                    self._build_input_shape = args[0]
                out = build(self, *args, **kw)
                self.built = True
                return out
            build_wrapper._marks_built = True
            cls.build = build_wrapper

    def __init__(self, trainable=True, name=None, dtype=None, autocast=True,
                 input_dim=None, input_shape=None, **kwargs):
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        for k in kwargs:
            if k not in ("batch_input_shape", "batch_size"):
                raise ValueError(f"Unrecognized keyword arguments passed to "
                                 f"{type(self).__name__}: {{'{k}': {kwargs[k]!r}}}")
        if name is None:
            name = backend.unique_name(backend.to_snake_case(type(self).__name__))
        elif not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string. Received: name={name}")
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_own_weights", [])
        object.__setattr__(self, "_seed_vars", [])
        from .. import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._activity_losses = []
        self._name = name
        self._name_scope = None
        self.built = False
        self._trainable = bool(trainable)
        self._dtype_name = dtype if isinstance(dtype, str) else \
            (getattr(dtype, "name", None) or "float32")
        self._last_output_shape = None
        self._build_input_shape = None
        try:
            params = inspect.signature(self.call).parameters
            self._call_has_training = "training" in params or any(
                p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())
            self._call_has_mask = "mask" in params
        except (TypeError, ValueError):
            self._call_has_training = False
            self._call_has_mask = False
        if input_shape is not None:
            self._batch_input_shape = (None,) + tuple(input_shape)
        elif input_dim is not None:
            self._batch_input_shape = (None, input_dim)

    # --- tracking ---------------------------------------------------------------------------
    def __setattr__(self, name, value):
        if name not in _INTERNAL and "_layers" in self.__dict__:
            for leaf in _leaves(value):
                if isinstance(leaf, Layer) and leaf is not self and \
                        all(leaf is not x for x in self._layers):
                    self._layers.append(leaf)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        value = self.__dict__.get(name)
        for leaf in _leaves(value):
            if isinstance(leaf, Layer):
                self._layers[:] = [x for x in self._layers if x is not leaf]
        object.__delattr__(self, name)

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        from ...eager import context
        if self._name_scope is None:
            with context.name_scope_v2(self._name) as scope_name:
                self._name_scope = context.name_scope_v2(scope_name)
        return self._name_scope

    @property
    def dtype(self):
        return self._dtype_name

    @property
    def compute_dtype(self):
        return self._dtype_name

    @property
    def variable_dtype(self):
        return self._dtype_name

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        # Keras 3: the flag goes down to every weight created trainable and to every
        # sublayer (setting an inner layer back to True leaves the outer one frozen)
        value = bool(value)
        self._trainable = value
        for v in self._own_weights:
            if getattr(v, "_created_trainable", True):
                v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def layers(self):
        return list(self._layers)

    def _flatten_layers(self, include_self=True):
        out = [self] if include_self else []
        for layer in self._layers:
            out.extend(layer._flatten_layers(True))
        return out

    # --- weights ---------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   name=None):
        shape = () if shape is None else tuple(int(d) for d in shape)
        if name is None:
            # Keras 3 names an unnamed weight `variable`, `variable_1`, ... (one counter
            # for the whole session, like layer names)
            name = backend.unique_name("variable")
        dtype = dtype or self._dtype_name
        if initializer is None:
            from ...framework import dtypes
            initializer = "glorot_uniform" if dtypes.as_dtype(dtype).is_floating else "zeros"
        init = _init.get(initializer)
        value = init.numpy(shape, dtype) if hasattr(init, "numpy") else init(shape, dtype)
        path = backend.current_path(name) if backend._stack()[-1:] == [self._name] else \
            backend.current_path(f"{self._name}/{name}")
        v = backend.Variable(value, shape=shape, dtype=dtype,
                             trainable=trainable and self._trainable, name=name, path=path)
        if constraint is not None:
            raise NotImplementedError(f"tfteach's layers do not apply weight constraints "
                                      f"(constraint={constraint!r} on {name})")
        from .. import regularizers
        v.regularizer = regularizers.get(regularizer)
        v._created_trainable = bool(trainable)
        self._own_weights.append(v)
        return v

    def _add_seed_state(self):
        """Keras 3 layers that draw random numbers own a seed generator, whose int64 state is a
        non-trainable variable listed in `variables` (not in `weights`)."""
        name = backend.unique_name("seed_generator")
        seed = backend.rng().integers(0, 2 ** 31 - 1)
        with backend.name_scope(name):
            v = backend.Variable(np.array([seed, 0], np.int64), dtype="int64",
                                 trainable=False, name="seed_generator_state",
                                 path=f"{name}/seed_generator_state")
        self._seed_vars.append(v)
        return v

    def _own_variables(self):
        return list(self._own_weights)

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    @property
    def weights(self):
        """Own weights (those created trainable first), then each sublayer's, once each:
        Keras 3's order."""
        own = [v for v in self._own_weights if getattr(v, "_created_trainable", True)] + \
            [v for v in self._own_weights if not getattr(v, "_created_trainable", True)]
        out, seen = [], set()
        for v in own + [w for layer in self._layers for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def variables(self):
        out = list(self._own_weights) + list(self._seed_vars)
        for layer in self._layers:
            for v in layer.variables:
                if all(v is not w for w in out):
                    out.append(v)
        return out

    @property
    def trainable_variables(self):
        if not self._trainable:
            return []
        return [v for v in self.variables if v.trainable]

    @property
    def non_trainable_variables(self):
        return [v for v in self.variables if not v.trainable or not self._trainable]

    def get_weights(self):
        return [np.asarray(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(params)} weights.")
        for v, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(v.shape.as_list()) != w.shape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(v.shape.as_list())} "
                                 f"is not compatible with provided weight shape {w.shape}.")
            v.assign(w.astype(v.dtype.np_dtype))

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             f"the layer isn't built. You can build it manually via: "
                             f"`layer.build(input_shape)`.")
        return int(sum(int(np.prod(v.shape.as_list())) for v in self.weights))

    def _trackable_children(self):
        """What `tf.train.Checkpoint` saves: weights and sublayers held directly by an
        attribute, under its name (Keras keeps `Dense.kernel` as `_kernel`). As TF 2.21 +
        Keras 3: layers or weights held in a list or dict attribute are NOT saved (Keras
        tracks those containers itself, out of TF's sight; `.weights.h5` has them), and
        neither is a seed generator's state."""
        out = {}
        for key, value in vars(self).items():
            if key in _INTERNAL or key.startswith("_seed"):
                continue
            if isinstance(value, (Layer, backend.Variable)) or \
                    getattr(value, "_is_resource_variable", False):
                out[key] = value
        return out

    # --- losses ------------------------------------------------------------------------------
    def _activity_loss(self, output):
        from ...ops import array_ops, math_ops
        loss = self.activity_regularizer(output)
        if output.shape.rank:
            # Keras 3 divides by the batch size so the penalty does not grow with it.
            batch = math_ops.cast(array_ops.shape(output)[0], loss.dtype)
            loss = math_ops.div_no_nan(loss, batch)
        return loss

    @property
    def losses(self):
        """Activity penalties from the last call (this layer's, then nested layers'), then
        each trainable weight's regularizer on its current value (Keras 3's order)."""
        out = []
        for layer in self._flatten_layers(True):
            out.extend(layer._activity_losses)
        for v in self.trainable_weights:
            reg = getattr(v, "regularizer", None)
            if reg is not None:
                out.append(reg(v))
        return out

    # --- building and calling ------------------------------------------------------------------
    def build(self, input_shape=None):
        self.built = True

    def _maybe_build(self, inputs):
        if self.built:
            return
        shape = _shape_of(inputs)
        self._build_input_shape = shape
        with backend.name_scope(self._name):
            sig = inspect.signature(self.build)
            if len(sig.parameters) == 0:
                self.build()
            else:
                self.build(shape)
        self.built = True

    def __call__(self, *args, **kwargs):
        if not args:
            key = next(iter(kwargs), None)
            if key is None:
                raise ValueError("A layer must be called on at least one input.")
            args = (kwargs.pop(key),)
        inputs = args[0]
        functional = _functional()
        if functional.is_symbolic(inputs):
            self._check_input_spec(inputs)
            return functional.call_symbolic(self, args, kwargs)
        if getattr(self, "_convert_input_args", True):
            # (Keras's preprocessing layers take their inputs as given: strings, integers)
            inputs = _map(_to_tensor, inputs)
        args = (inputs,) + tuple(args[1:])
        training = kwargs.pop("training", None)
        if training is None:
            training = backend.current_training()
        if self._call_has_training:
            # with no flag from the caller or an outer fit/predict, the layer's own default
            # (False; True for Keras 3's random preprocessing layers)
            kwargs["training"] = bool(training) if training is not None else \
                getattr(self, "_training_default", False)
        # Keras masks ride on tensors (`_keras_mask`, set by Masking or Embedding(mask_zero)):
        # a layer whose call takes `mask` gets its input's mask unless one is given
        in_mask = getattr(inputs, "_keras_mask", None)
        if in_mask is not None and getattr(self, "_call_has_mask", False) and \
                kwargs.get("mask") is None:
            kwargs["mask"] = in_mask
        self._maybe_build(inputs)
        self._check_input_spec(inputs)
        with backend.name_scope(self._name), backend.training_scope(training):
            out = self.call(*args, **kwargs)
        self._attach_mask(inputs, out, kwargs.get("mask", in_mask))
        if self.activity_regularizer is not None:
            self._activity_losses = [self._activity_loss(o) for o in _leaves(out)
                                     if hasattr(o, "dtype") and hasattr(o, "shape")]
        if not getattr(self, "_symbolic_output_shape", False):
            try:
                self._last_output_shape = _shape_of(out)
            except Exception:  # noqa: BLE001 - summary() only; odd outputs keep no shape
                self._last_output_shape = None
        return out

    def call(self, inputs, *args, **kwargs):
        return inputs

    # --- masks -----------------------------------------------------------------------------------
    supports_masking = False

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output: the input's, passed through, by a layer that
        supports masking (Dense, Dropout, ...); none otherwise (Keras 3's default)."""
        return mask if self.supports_masking else None

    def _attach_mask(self, inputs, out, mask):
        if not hasattr(out, "shape") or isinstance(out, (list, tuple)) or \
                getattr(out, "_keras_mask", None) is not None:
            return
        m = self.compute_mask(inputs, mask)
        if m is not None:
            try:
                out._keras_mask = m
            except AttributeError:     # a tensor type that takes no attributes
                pass

    def _check_input_spec(self, inputs):
        """Keras 3's InputSpec check of a built layer (Dense: rank >= 2, last axis = the
        kernel's rows), with Keras' words."""
        spec = getattr(self, "input_spec", None)
        if not isinstance(spec, InputSpec) or not hasattr(inputs, "shape"):
            return
        shape = inputs.shape
        dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
        if dims is None:
            return
        shown = tuple(dims)
        name = getattr(inputs, "_keras_name", None)
        if spec.min_ndim is not None and len(dims) < spec.min_ndim:
            raise ValueError(f"Input 0 with name '{name}' of layer '{self.name}' is "
                             f"incompatible with the layer: expected "
                             f"min_ndim={spec.min_ndim}, found ndim={len(dims)}. "
                             f"Full shape received: {shown}")
        for axis, value in spec.axes.items():
            got = dims[axis] if -len(dims) <= axis < len(dims) else None
            if got is not None and value is not None and got != value:
                raise ValueError(f"Input 0 with name '{name}' of layer '{self.name}' is "
                                 f"incompatible with the layer: expected axis {axis} of input "
                                 f"shape to have value {value}, but received input with shape "
                                 f"{shown}")

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(f"Layer {type(self).__name__} has no compute_output_shape")

    # --- config and display ---------------------------------------------------------------
    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_FUNCTIONAL = []

# keras/saving.py, when imported (as `import tfteach` does), puts its layer (de)serializers
# here for keras.layers.serialize/deserialize and Wrapper's config: the layers import nothing
# from above them.
SERIALIZATION = {}


def _functional():
    if not _FUNCTIONAL:
        from ..models import functional
        _FUNCTIONAL.append(functional)
    return _FUNCTIONAL[0]


def _leaves(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    else:
        yield value


def _map(fn, x):
    if isinstance(x, list):
        return [_map(fn, v) for v in x]
    if isinstance(x, tuple):
        return tuple(_map(fn, v) for v in x)
    return fn(x)
