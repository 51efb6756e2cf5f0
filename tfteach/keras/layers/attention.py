"""EinsumDense, MultiHeadAttention, and the single-head Attention (Luong, dot-product) and
AdditiveAttention (Bahdanau) layers.

EinsumDense is Dense with the contraction spelled as an einsum equation ("abc,cde->abde":
input, kernel, output), so a projection can produce several output axes (heads x key_dim) at
once. MultiHeadAttention projects query, key and value with three EinsumDense sublayers
(`query`, `key`, `value`), scores each head's queries against its keys
(softmax(q k^T / sqrt(key_dim)), masked), mixes the values with those weights, and projects
the heads back with a fourth (`attention_output`). Gradients come from Einsum's.
"""
import math
import re

import numpy as np

from ... import nn as _nn
from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops.linalg_ops import matmul as _matmul
from ...ops.special_math_ops import einsum as _einsum
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from .base import InputSpec, Layer, _functional
from .checks import reject

__all__ = ["EinsumDense", "MultiHeadAttention", "GroupedQueryAttention", "Attention",
           "AdditiveAttention"]


def _ser_reg(reg):
    return None if reg is None else _reg.serialize(reg)


def _einsum_shapes(equation, bias_axes, input_shape, output_shape):
    """Kernel shape, bias shape, full output shape and the kernel's input/output axes of an
    EinsumDense equation "X,Y->Z", "...X,Y->...Z" or "X...,Y->Z..." (Keras's three forms)."""
    eq = equation.replace("...", "0")
    left = False
    m = re.fullmatch(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", eq)
    if not m:
        m = re.fullmatch(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", eq)
        left = m is not None
    if not m:
        m = re.fullmatch(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", eq)
    if not m:
        raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the "
                         "form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    in_spec, w_spec, out_spec = m.groups()
    input_shape = list(input_shape)
    elided = len(input_shape) - len(in_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    # the elided axes pass through: after the batch axis (left) or at the end (right)
    if elided > 0 and left:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    elif elided > 0:
        out.extend(input_shape[len(input_shape) - elided:])
    if left:
        in_pos = {d: i + elided - len(input_shape) for i, d in enumerate(in_spec)}
        out_pos = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_pos = {d: i for i, d in enumerate(in_spec)}
        out_pos = {d: i for i, d in enumerate(out_spec)}
    for d in in_spec:
        if d in out_pos and out[out_pos[d]] is not None and \
                out[out_pos[d]] != input_shape[in_pos[d]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension "
                             f"'{d}'. Input shape is {input_shape[in_pos[d]]}, and output "
                             f"shape is {out[out_pos[d]]}.")
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{out_spec}' but "
                             f"has no corresponding dim in the input spec '{in_spec}' or "
                             f"weight spec '{out_spec}'")
    kernel, in_axes, out_axes = [], [], []
    for i, d in enumerate(w_spec):
        if d in out_pos:
            kernel.append(out[out_pos[d]])
            out_axes.append(i)
        elif d in in_pos:
            kernel.append(input_shape[in_pos[d]])
            in_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the "
                             f"input spec '{in_spec}' or the output spec '{out_spec}'. For "
                             "this layer, the weight must be fully specified.")
    bias = None
    if bias_axes is not None:
        shift = elided if left else 0
        size = {c: out[i + shift] for i, c in enumerate(out_spec)}
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of "
                                 f"the output spec '{out_spec}'")
        # the bias broadcasts from its first axis to the end of the output
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [size[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left:
            bias += [1] * elided
    return kernel, bias, out, in_axes, out_axes


class EinsumDense(Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 lora_alpha=None, gptq_config=None, **kwargs):
        reject("EinsumDense", kernel_constraint=kernel_constraint,
               bias_constraint=bias_constraint, lora_rank=lora_rank, gptq_config=gptq_config)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else \
            tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = _act.get(activation)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.lora_alpha = lora_alpha
        self._kernel = None
        self.bias = None

    @property
    def kernel(self):
        return self._kernel

    def build(self, input_shape):
        kernel, bias, full, in_axes, out_axes = _einsum_shapes(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.full_output_shape = tuple(full)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self._kernel = self.add_weight(shape=tuple(kernel), name="kernel",
                                       initializer=self._fan_aware(in_axes, out_axes, kernel),
                                       regularizer=self.kernel_regularizer)
        if bias is not None:
            self.bias = self.add_weight(shape=tuple(bias), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def _fan_aware(self, in_axes, out_axes, kernel):
        """Keras 3 scales a VarianceScaling kernel by the fans of the contracted (input) and
        produced (output) axes, not by a convolution's receptive field: draw the values as a
        (fan_in, fan_out) matrix (all entries are independent) and lay them out in the
        kernel's shape."""
        init = self.kernel_initializer
        if not isinstance(init, _init.VarianceScaling):
            return init
        fan_in = int(np.prod([kernel[i] for i in in_axes])) if in_axes else 1
        fan_out = int(np.prod([kernel[i] for i in out_axes])) if out_axes else 1
        return _FanInit(init, fan_in, fan_out)

    def call(self, inputs):
        y = _einsum(self.equation, inputs, self._kernel)
        if self.bias is not None:
            y = y + self.bias
        if self.activation is not _act.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(_einsum_shapes(self.equation, self.bias_axes, input_shape,
                                    self.partial_output_shape)[2])

    def get_config(self):
        c = super().get_config()
        c.update(output_shape=self.partial_output_shape, equation=self.equation,
                 activation=_act.serialize(self.activation), bias_axes=self.bias_axes,
                 kernel_initializer=_init.serialize(self.kernel_initializer),
                 bias_initializer=_init.serialize(self.bias_initializer),
                 kernel_regularizer=_ser_reg(self.kernel_regularizer),
                 bias_regularizer=_ser_reg(self.bias_regularizer),
                 activity_regularizer=_ser_reg(self.activity_regularizer),
                 kernel_constraint=None, bias_constraint=None, quantization_config=None)
        return c


class _FanInit(_init.Initializer):
    """A VarianceScaling initializer drawn with given fans (see EinsumDense._fan_aware)."""

    def __init__(self, init, fan_in, fan_out):
        self.init, self.fan_in, self.fan_out = init, fan_in, fan_out

    def numpy(self, shape, dtype=None):
        return np.asarray(self.init.numpy((self.fan_in, self.fan_out), dtype)).reshape(shape)


class MultiHeadAttention(Layer):
    """Scaled dot-product attention with `num_heads` heads over (batch, steps, features)
    query/value/key inputs."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        if not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError("Received an invalid value for argument `num_heads`, expected a "
                             f"positive integer. Received: num_heads={num_heads}")
        if not isinstance(key_dim, int) or key_dim <= 0:
            raise ValueError("Received an invalid value for argument `key_dim`, expected a "
                             f"positive integer. Received: key_dim={key_dim}")
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a "
                             f"positive integer or `None`. Received: value_dim={value_dim}")
        reject("MultiHeadAttention", kernel_constraint=kernel_constraint,
               bias_constraint=bias_constraint, sliding_window=sliding_window,
               flash_attention=flash_attention or None, use_gate=use_gate or None)
        if attention_axes is not None and not isinstance(attention_axes, (int, list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes}")
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else \
                tuple(output_shape)
        self._output_shape = output_shape or None
        self.attention_axes = attention_axes
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.seed = seed
        self._counter = 0
        if dropout > 0:
            self._seed_state = self._add_seed_state()

    def _dense(self, equation, output_shape, bias_axes, name):
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None, name=name,
                           kernel_initializer=self.kernel_initializer,
                           bias_initializer=self.bias_initializer,
                           kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer, dtype=self.dtype)

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:    # built from a call: a list of the inputs' shapes
            query_shape, value_shape, key_shape = (list(query_shape) + [None])[:3]
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={tuple(value_shape)} and "
                             f"key_shape={tuple(key_shape)}")
        for s in (query_shape, value_shape, key_shape):
            if len(s) != 3:
                raise NotImplementedError("tfteach's MultiHeadAttention takes (batch, steps, "
                                          f"features) inputs; got shape {tuple(s)}")
        if self.attention_axes not in (None, (1,), [1], (-2,), [-2]):
            raise NotImplementedError("tfteach's MultiHeadAttention attends over axis 1 "
                                      f"(attention_axes={self.attention_axes})")
        if self.attention_axes is None:    # Keras fills in the axes between batch and features
            self.attention_axes = (1,)
        # (batch, steps, features) x (features, heads, dim) -> (batch, steps, heads, dim)
        self._query_dense = self._dense("abc,cde->abde", (None, self.num_heads, self.key_dim),
                                        "de", "query")
        self._query_dense.build(tuple(query_shape))
        self._key_dense = self._dense("abc,cde->abde", (None, self.num_heads, self.key_dim),
                                      "de", "key")
        self._key_dense.build(tuple(key_shape))
        self._value_dense = self._dense("abc,cde->abde",
                                        (None, self.num_heads, self.value_dim), "de", "value")
        self._value_dense.build(tuple(value_shape))
        out_dim = self._output_shape or (query_shape[-1],)
        if len(out_dim) != 1:
            raise NotImplementedError("tfteach's MultiHeadAttention takes a 1-D output_shape")
        # (batch, steps, heads, value_dim) x (heads, value_dim, out) -> (batch, steps, out)
        self._output_dense = self._dense("abcd,cde->abe", (None,) + tuple(out_dim), "e",
                                         "attention_output")
        self._output_dense.build((query_shape[0], query_shape[1], self.num_heads,
                                  self.value_dim))

    def _build_shapes_dict(self):
        shapes = list(self._build_input_shape)
        out = {"query_shape": shapes[0], "value_shape": shapes[1]}
        if len(shapes) > 2:
            out["key_shape"] = shapes[2]
        return out

    @property
    def query_dense(self):
        return self._query_dense

    @property
    def key_dense(self):
        return self._key_dense

    @property
    def value_dense(self):
        return self._value_dense

    @property
    def output_dense(self):
        return self._output_dense

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None and isinstance(query, (list, tuple)):   # a loaded model's node
            query, value, key = (list(query) + [None])[:3]
        if value is None:
            raise TypeError("MultiHeadAttention.call() missing 1 required positional "
                            "argument: 'value'")
        functional = _functional()
        if functional.is_symbolic(query):
            # the node keeps (query, value[, key]) as separate arguments, as Keras's does,
            # so a saved model's config calls the layer the way Keras does
            args = (query, value) + ((key,) if key is not None else ())
            return functional.call_symbolic(self, args, kwargs)
        inputs = [query, value] + ([key] if key is not None else [])
        return super().__call__(inputs, **kwargs)

    def call(self, inputs, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=False,
             use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        # Keras 3.15 takes the query's mask from the query tensor (a Masking layer's
        # `_keras_mask`), not from the `query_mask` argument, which it overwrites
        query_mask = getattr(query, "_keras_mask", None)
        mask = self._attention_mask(query, value, query_mask, value_mask,
                                    key_mask if len(inputs) > 2 else None, attention_mask,
                                    use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        q = q * _m.cast(1.0 / math.sqrt(float(self.key_dim)), q.dtype)
        # scores[b, head, t, s] = sum_d k[b, s, head, d] * q[b, t, head, d]
        scores = _einsum("aecd,abcd->acbe", k, q)
        if mask is not None:
            keep = _a.expand_dims(mask, 1)       # one mask for every head
            scores = _a.where_v2(keep, scores, _m.cast(-1e9, scores.dtype))
        scores = _nn.softmax(scores, axis=-1)
        weights = scores
        if training and self.dropout > 0:
            self._counter += 1
            seed = None if self.seed is None else self.seed + self._counter
            weights = _nn.dropout(scores, rate=self.dropout, seed=seed)
        out = _einsum("acbe,aecd->abcd", weights, v)
        out = self._output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        """The (batch, T, S) boolean mask: the given one AND the query's rows, the value's and
        key's columns, and (use_causal_mask) the lower triangle."""
        auto = None

        def both(a, b):
            return b if a is None else _m.logical_and(a, b)
        if query_mask is not None:
            auto = _a.expand_dims(_m.cast(query_mask, _dt.bool_), -1)
        if value_mask is not None:
            auto = both(auto, _a.expand_dims(_m.cast(value_mask, _dt.bool_), -2))
        if key_mask is not None:
            auto = both(auto, _a.expand_dims(_m.cast(key_mask, _dt.bool_), -2))
        if use_causal_mask:
            t, s = query.shape.as_list()[1], value.shape.as_list()[1]
            if t is None or s is None:
                raise ValueError("tfteach's causal mask needs known query and value lengths")
            auto = both(auto, _causal(t, s))
        if attention_mask is not None:
            attention_mask = _m.cast(attention_mask, _dt.bool_)
            return attention_mask if auto is None else _m.logical_and(attention_mask, auto)
        return auto

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            query_shape = query_shape[0]
        out = self._output_shape or (query_shape[-1],)
        return tuple(query_shape[:-1]) + tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(num_heads=self.num_heads, key_dim=self.key_dim, value_dim=self.value_dim,
                 dropout=self.dropout, use_bias=self.use_bias, use_gate=False,
                 output_shape=self._output_shape, attention_axes=self.attention_axes,
                 sliding_window=None,
                 kernel_initializer=_init.serialize(self.kernel_initializer),
                 bias_initializer=_init.serialize(self.bias_initializer),
                 kernel_regularizer=_ser_reg(self.kernel_regularizer),
                 bias_regularizer=_ser_reg(self.bias_regularizer),
                 activity_regularizer=_ser_reg(self.activity_regularizer),
                 kernel_constraint=None, bias_constraint=None, seed=self.seed)
        return c


class GroupedQueryAttention(MultiHeadAttention):
    """Attention with fewer key/value heads than query heads: each of the
    `num_key_value_heads` key and value heads serves num_query_heads / num_key_value_heads
    query heads (repeated in place: kv head j serves query heads j*r .. j*r + r - 1)."""

    _serialized_name = "GroupQueryAttention"
    # Keras's class has no query_dense/... properties: its sublayers save under their
    # private names (`_query_dense`)
    query_dense = key_dense = value_dense = output_dense = None
    _keep_private_names = True

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        reject("GroupedQueryAttention", kernel_constraint=kernel_constraint,
               bias_constraint=bias_constraint, sliding_window=sliding_window,
               flash_attention=flash_attention or None, use_gate=use_gate or None)
        Layer.__init__(self, activity_regularizer=activity_regularizer, **kwargs)
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.head_dim = head_dim
        self.num_query_heads, self.num_key_value_heads = num_query_heads, num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.num_heads, self.key_dim = num_query_heads, head_dim
        self.dropout, self.use_bias = dropout, use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.seed = seed
        self._counter = 0
        if dropout > 0:
            self._seed_state = self._add_seed_state()

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            query_shape, value_shape, key_shape = (list(query_shape) + [None])[:3]
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        q, kv = self.num_query_heads, self.num_key_value_heads
        self._query_dense = self._dense("abc,cde->abde", (None, q, self.head_dim), "de",
                                        "query")
        self._query_dense.build(tuple(query_shape))
        self._key_dense = self._dense("abc,cde->abde", (None, kv, self.head_dim), "de", "key")
        self._key_dense.build(tuple(key_shape))
        self._value_dense = self._dense("abc,cde->abde", (None, kv, self.head_dim), "de",
                                        "value")
        self._value_dense.build(tuple(value_shape))
        self._output_dense = self._dense("abcd,cde->abe", (None, self.feature_dim), "e",
                                         "attention_output")
        self._output_dense.build((None, None, q, self.head_dim))

    def _repeat_heads(self, t):
        if self.num_repeats == 1:
            return t
        b, s, h, d = t.shape.as_list()
        t = _a.tile(_a.expand_dims(t, 3), [1, 1, 1, self.num_repeats, 1])
        return _a.reshape(t, [-1, s if s is not None else -1, h * self.num_repeats, d]) \
            if s is not None else _a.reshape(t, _a.concat(
                [_a.shape(t)[:2], [h * self.num_repeats, d]], 0))

    def call(self, inputs, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=False,
             use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        # the mask arguments, or else the tensors' own masks (Keras fills them in)
        query_mask = query_mask if query_mask is not None else \
            getattr(query, "_keras_mask", None)
        value_mask = value_mask if value_mask is not None else \
            getattr(value, "_keras_mask", None)
        mask = self._attention_mask(query, value, query_mask, value_mask,
                                    key_mask if len(inputs) > 2 else None, attention_mask,
                                    use_causal_mask)
        q = self._query_dense(query)
        k = self._repeat_heads(self._key_dense(key))
        v = self._repeat_heads(self._value_dense(value))
        q = q * _m.cast(1.0 / math.sqrt(float(self.head_dim)), q.dtype)
        scores = _einsum("aecd,abcd->acbe", k, q)         # (batch, heads, T, S)
        if mask is not None:
            scores = _a.where_v2(_a.expand_dims(mask, 1), scores,
                                 _m.cast(-1e9, scores.dtype))
        scores = _nn.softmax(scores, axis=-1)
        weights = scores
        if training and self.dropout > 0:
            self._counter += 1
            seed = None if self.seed is None else self.seed + self._counter
            weights = _nn.dropout(scores, rate=self.dropout, seed=seed)
        out = self._output_dense(_einsum("acbe,aecd->abcd", weights, v))
        if return_attention_scores:
            return out, scores
        return out

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            query_shape = query_shape[0]
        return tuple(query_shape)

    def get_config(self):
        c = Layer.get_config(self)
        c.update(head_dim=self.head_dim, num_query_heads=self.num_query_heads,
                 num_key_value_heads=self.num_key_value_heads, use_bias=self.use_bias,
                 use_gate=False, sliding_window=None, dropout=self.dropout,
                 kernel_initializer=_init.serialize(self.kernel_initializer),
                 bias_initializer=_init.serialize(self.bias_initializer),
                 kernel_regularizer=_ser_reg(self.kernel_regularizer),
                 bias_regularizer=_ser_reg(self.bias_regularizer),
                 activity_regularizer=_ser_reg(self.activity_regularizer),
                 kernel_constraint=None, bias_constraint=None, seed=self.seed)
        return c


def _causal(t, s):
    """Row i may attend to columns <= i (Keras's lower triangle, (1, T, S))."""
    from ...ops.constant_op import constant
    return constant(np.tril(np.ones((t, s), bool))[None])


class Attention(Layer):
    """Dot-product attention over [query, value(, key)]: softmax(query key^T [* scale]) value
    (score_mode="dot"), or scores sum(tanh(q + k)) * weight (score_mode="concat")."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self._counter = 0
        if dropout > 0:
            self._seed_state = self._add_seed_state()
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             f"'concat'}}. Received: score_mode={score_mode}")

    def _validate(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: "
                             f"inputs={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if not 2 <= len(mask) <= 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = _matmul(query, key, transpose_b=True)
            return scores if self.scale is None else scores * self.scale
        q = _a.expand_dims(query, -2)       # (batch, Tq, 1, dim) + (batch, 1, Tv, dim)
        k = _a.expand_dims(key, -3)
        x = q + k if self.scale is None else self.scale * (q + k)
        return self.concat_score_weight * _m.reduce_sum(_m.tanh(x), -1)

    def __call__(self, inputs, *args, **kwargs):
        # Keras gathers the inputs' own masks into the [query, value] mask list
        if isinstance(inputs, (list, tuple)) and kwargs.get("mask") is None:
            masks = [getattr(x, "_keras_mask", None) for x in inputs]
            if any(m is not None for m in masks):
                kwargs["mask"] = masks
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._scores(q, k)
        keep = None
        if v_mask is not None:
            keep = _a.expand_dims(_m.cast(v_mask, _dt.bool_), -2)     # (batch, 1, Tv)
        if use_causal_mask:
            tq, tv = scores.shape.as_list()[-2:]
            causal = _causal(tq, tv)
            keep = causal if keep is None else _m.logical_and(keep, causal)
        if keep is not None:
            # padded keys drop 1e9 below the rest before the softmax
            scores = _a.where_v2(keep, scores, scores - 1.0e9)
        weights = _nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            self._counter += 1
            seed = None if self.seed is None else self.seed + self._counter
            weights = _nn.dropout(weights, rate=self.dropout, seed=seed)
        out = _matmul(weights, v)
        if q_mask is not None:
            out = _a.where_v2(_a.expand_dims(_m.cast(q_mask, _dt.bool_), -1), out,
                              _a.zeros_like(out))
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs, mask=None):
        if not mask or mask[0] is None:
            return None
        return mask[0]

    def _attach_mask(self, inputs, out, mask):
        if isinstance(out, (list, tuple)):
            out = out[0]
        m = self.compute_mask(inputs, mask)
        if m is not None and hasattr(out, "shape"):
            out._keras_mask = m

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        c = super().get_config()
        c.update(use_scale=self.use_scale, score_mode=self.score_mode, dropout=self.dropout,
                 seed=self.seed)
        return c


class AdditiveAttention(Attention):
    """Bahdanau attention: scores sum(scale * tanh(query + key)) over the features, with a
    learned `scale` per feature (use_scale=True)."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(int(input_shape[0][-1]),),
                                         initializer="glorot_uniform")

    def _scores(self, query, key):
        x = _m.tanh(_a.expand_dims(query, -2) + _a.expand_dims(key, -3))
        return _m.reduce_sum(x if self.scale is None else self.scale * x, -1)

    def get_config(self):
        c = super().get_config()
        del c["score_mode"]
        return c
