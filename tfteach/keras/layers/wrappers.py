"""Wrapper (the base of layers that wrap another), Bidirectional and TimeDistributed."""
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .base import SERIALIZATION, Layer

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]

_MODES = ("sum", "mul", "ave", "concat", None)


class Wrapper(Layer):
    """Keras's abstract base of a layer that wraps one other layer (`self.layer`): building
    builds the wrapped layer; the config holds it serialized. Subclasses write `call`."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer "
                             "type. Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True

    def get_config(self):
        c = super().get_config()
        c["layer"] = SERIALIZATION["serialize"](self.layer, with_build=False)
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = SERIALIZATION["deserialize"](config["layer"], custom_objects)
        return cls(**config)


class Bidirectional(Layer):
    """Runs a copy of an RNN forwards and another backwards and merges their outputs.

    Like Keras 3, the wrapped layer itself is not run: two fresh layers are made from its
    arguments, named `forward_<name>` and `backward_<name>`."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if merge_mode not in _MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             'be one of {"sum", "mul", "ave", "concat", None}')
        if weights is not None:
            raise NotImplementedError("tfteach's Bidirectional does not take `weights`")
        ctor = getattr(layer, "_ctor", None)
        if ctor is None:
            raise NotImplementedError("tfteach's Bidirectional wraps SimpleRNN, LSTM and GRU "
                                      f"layers; received {type(layer).__name__}")
        super().__init__(**kwargs)
        self.layer = layer
        self._layers.remove(layer)       # only the two copies own weights
        cls = type(layer)
        self.forward_layer = cls(**{**ctor, "name": "forward_" + layer.name})
        if backward_layer is None:
            backward_layer = cls(**{**ctor, "name": "backward_" + layer.name,
                                    "go_backwards": not layer.go_backwards})
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def call(self, inputs, training=False, mask=None):
        fwd = self.forward_layer(inputs, training=training, mask=mask)
        bwd = self.backward_layer(inputs, training=training, mask=mask)
        if self.return_state:
            fwd, f_states = fwd[0], list(fwd[1:])
            bwd, b_states = bwd[0], list(bwd[1:])
        if self.return_sequences:
            bwd = _a.reverse(bwd, [1])     # line the backward steps up with the forward ones
        if self.merge_mode == "concat":
            out = _a.concat([fwd, bwd], axis=-1)
        elif self.merge_mode == "sum":
            out = fwd + bwd
        elif self.merge_mode == "ave":
            out = (fwd + bwd) * 0.5
        elif self.merge_mode == "mul":
            out = _m.multiply(fwd, bwd)
        else:
            out = [fwd, bwd]
        if self.return_state:
            out = (out if isinstance(out, list) else [out]) + f_states + b_states
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        c = super().get_config()
        c.update(merge_mode=self.merge_mode, layer=self.layer.get_config(),
                 backward_layer=self.backward_layer.get_config())
        return c


class TimeDistributed(Layer):
    """Applies `layer` to every time step: folds time into the batch, calls, unfolds."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `keras.layers."
                             f"Layer` instance. Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        if not isinstance(input_shape, tuple) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {input_shape}")
        self.built = True

    def call(self, inputs, training=False):
        shape = inputs.shape.as_list()
        if len(shape) < 3:
            self.build(tuple(shape))
        steps = shape[1]
        x = _a.reshape(inputs, [-1] + shape[2:])
        kw = {"training": training} if self.layer._call_has_training else {}
        y = self.layer(x, **kw)
        rest = y.shape.as_list()[1:]
        if shape[0] is not None:
            return _a.reshape(y, [shape[0], steps] + rest)
        return _a.reshape(y, _a.concat([_a.shape(inputs)[:2], rest], 0))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        c = super().get_config()
        c["layer"] = self.layer.get_config()
        return c
