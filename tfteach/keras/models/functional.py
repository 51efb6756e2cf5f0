"""Symbolic Keras tensors: `keras.Input(shape)` and the functional API.

Calling a layer on a KerasTensor builds the layer and records the call; the output's shape
and dtype come from running the layer once, eagerly, on zeros with every unknown
dimension set to 1. `Model(inputs, outputs)` replays the recorded calls on real tensors.
"""
import numpy as np

from ...framework import dtypes as _dt
from ...framework.tensor_shape import TensorShape
from ..layers.base import Layer

__all__ = ["KerasTensor", "Input", "InputLayer", "is_symbolic", "call_symbolic", "run_graph",
           "layers_between"]


class KerasTensor:
    """A placeholder for a layer input or output in a functional model."""

    def __init__(self, shape, dtype="float32", name=None, node=None, index=None):
        self._shape = TensorShape(list(shape))
        self._dtype = _dt.as_dtype(dtype)
        self.name = name
        self._node = node          # (layer, args, kwargs) that produced it; None for inputs
        self._index = index        # path inside that layer's output structure

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return self._shape.rank

    def __repr__(self):
        return (f"<KerasTensor shape={tuple(self._shape.as_list())}, dtype={self._dtype.name}, "
                f"sparse=False, ragged=False, name={self.name}>")


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input: `keras.Input(shape=(784,))`."""
    from .. import backend
    if batch_shape is None:
        if shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if isinstance(shape, int):
            shape = (shape,)
        batch_shape = (batch_size,) + tuple(shape)
    layer = InputLayer(batch_shape=tuple(batch_shape), dtype=dtype or backend.floatx(),
                       name=name)
    return layer.output


class InputLayer(Layer):
    """The layer behind `keras.Input`: passes its input through."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        kwargs.pop("input_shape", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(batch_shape)
        self.output = KerasTensor(self.batch_shape, dtype or "float32", name=self.name)
        self.output._input_layer = self
        self.built = True

    def call(self, inputs):
        return inputs


def _flat(x):
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_flat(v))
        return out
    if isinstance(x, dict):
        out = []
        for v in x.values():
            out.extend(_flat(v))
        return out
    return [x]


def is_symbolic(x):
    if isinstance(x, KerasTensor):
        return True
    if not isinstance(x, (list, tuple, dict)):
        return False
    return any(isinstance(v, KerasTensor) for v in _flat(x))


def _all_keras_tensors(x):
    if isinstance(x, (list, tuple)):
        return bool(x) and all(isinstance(v, KerasTensor) for v in x)
    return isinstance(x, KerasTensor)


def _symbolic_shapes(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_symbolic_shapes(v) for v in x)
    return tuple(x.shape.as_list())


def _concrete(x):
    if isinstance(x, KerasTensor):
        shape = [1 if d is None else d for d in x.shape.as_list()]
        from ...ops import constant_op
        if x.dtype == _dt.string:
            return constant_op.constant(np.full(shape, b"", dtype=object), dtype=_dt.string)
        return constant_op.constant(np.zeros(shape, x.dtype.np_dtype))
    if isinstance(x, (list, tuple)):
        return type(x)(_concrete(v) for v in x)
    return x


def _symbolic_like(value, node, path):
    if isinstance(value, (list, tuple)):
        return type(value)(_symbolic_like(v, node, path + (i,)) for i, v in enumerate(value))
    shape = list(value.shape.as_list())
    if shape:
        shape[0] = None
    return KerasTensor(shape, value.dtype, node=node, index=path)


_SYMBOLIC_DEPTH = [0]


def in_symbolic_call():
    """True while a layer runs on the stand-in values of a symbolic call (a lookup layer
    then answers zeros, as Keras's does for KerasTensors: its table may be empty yet)."""
    return _SYMBOLIC_DEPTH[0] > 0


def call_symbolic(layer, args, kwargs):
    """Calls `layer` on KerasTensors: builds it and returns KerasTensor outputs."""
    dummy_args = _concrete(tuple(args))
    kwargs_training = dict(kwargs)
    kwargs_training.pop("training", None)
    was_built = layer.built
    _SYMBOLIC_DEPTH[0] += 1
    try:
        out = layer(*dummy_args, **kwargs_training)
    finally:
        _SYMBOLIC_DEPTH[0] -= 1
    if not was_built and layer._build_input_shape is not None and _all_keras_tensors(args[0]):
        # built for the symbolic shapes (batch unknown), as Keras's build_config says, not
        # for the stand-in values' ones
        layer._build_input_shape = _symbolic_shapes(args[0])
    # The call on zeros only finds shapes; its activity penalties are not real losses.
    for sub in layer._flatten_layers(True):
        sub._activity_losses = []
    node = (layer, tuple(args), dict(kwargs))
    result = _symbolic_like(out, node, ())
    if isinstance(result, KerasTensor) and getattr(type(layer), "_symbolic_shape_rule", False):
        # the stand-in values fix dimensions the real ones leave open (a text's length):
        # the layer's own shape rule, as Keras's compute_output_spec
        result._shape = TensorShape(list(layer.compute_output_shape(_symbolic_shapes(args[0]))))
    if isinstance(result, KerasTensor):
        layer._last_output_shape = tuple(result.shape.as_list())
        layer._symbolic_output_shape = True   # eager calls keep this (batch None) shape
    return result


def _pick(value, path):
    for i in path:
        value = value[i]
    return value


def run_graph(inputs, outputs, values, training=None):
    """Evaluates the KerasTensors `outputs` given `values` for `inputs`."""
    memo = {}
    for kt, v in zip(_flat(inputs), _flat(values)):
        memo[id(kt)] = v
    node_out = {}

    def ev(kt):
        if not isinstance(kt, KerasTensor):
            return kt
        if id(kt) in memo:
            return memo[id(kt)]
        if kt._node is None:
            raise ValueError(f"Graph disconnected: cannot obtain value for {kt}")
        layer, args, kwargs = kt._node
        key = id(kt._node)
        if key not in node_out:
            real = tuple(_map(ev, a) for a in args)
            kw = dict(kwargs)
            if training is not None and "training" not in kw:
                kw["training"] = training
            node_out[key] = layer(*real, **kw)
        v = _pick(node_out[key], kt._index)
        memo[id(kt)] = v
        return v

    return _map(ev, outputs)


def _map(fn, x):
    if isinstance(x, list):
        return [_map(fn, v) for v in x]
    if isinstance(x, tuple):
        return tuple(_map(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    return fn(x)


def layers_between(inputs, outputs):
    """The layers of a functional model, inputs first, in call order."""
    order = []
    seen = set()
    for kt in _flat(inputs):
        layer = getattr(kt, "_input_layer", None)
        if layer is not None and id(layer) not in seen:
            seen.add(id(layer))
            order.append(layer)
    visited = set()

    def visit(kt):
        if not isinstance(kt, KerasTensor) or kt._node is None or id(kt._node) in visited:
            return
        visited.add(id(kt._node))
        layer, args, _kw = kt._node
        for a in _flat(args):
            visit(a)
        if id(layer) not in seen:
            seen.add(id(layer))
            order.append(layer)

    for kt in _flat(outputs):
        visit(kt)
    return order
