"""`tf.nn`: activations, convolution, pooling, dropout and losses (TF2 spellings).

The v1 namespace (`tf.compat.v1.nn`) is built from this one by `v1_namespace()`: there
`dropout` takes `keep_prob`, `conv2d` takes `filter`, `in_top_k` takes predictions first,
and `rnn_cell` exists but its Keras-based cells are gone ("not available with Keras 3").
"""
import types as _types

from .ops import array_ops as _array_ops
from .ops import math_ops as _math_ops
from .ops import nn_ops as _nn_ops
from .ops.nn_ops import (avg_pool, avg_pool2d, bias_add, conv2d, dropout, elu,  # noqa: F401
                         in_top_k, l2_loss, leaky_relu, log_softmax, max_pool, max_pool2d,
                         moments, relu, relu6, selu, softmax, softmax_cross_entropy_with_logits,
                         softplus, softsign, sparse_softmax_cross_entropy_with_logits)
from .ops.nn_ops import conv2d_backprop_input  # noqa: F401
from .ops.array_ops import space_to_batch  # noqa: F401 - TF2's (SpaceToBatchND)
from .ops.sort_ops import top_k  # noqa: F401
from .ops.nn_impl import sigmoid_cross_entropy_with_logits  # noqa: F401


def sigmoid(x, name=None):
    return _math_ops.sigmoid(x, name=name)


def tanh(x, name=None):
    return _math_ops.tanh(x, name=name)


def silu(features, beta=1.0, name=None):
    from .framework import ops as _ops
    with _ops.name_scope(name, "swish_impl", [features]):
        features = _ops.convert_to_tensor(features, name="features")
        if beta == 1.0:
            return features * _math_ops.sigmoid(features)
        return features * _math_ops.sigmoid(beta * features)


swish = silu


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    from .framework import ops as _ops
    axis = dim if axis is None else axis
    with _ops.name_scope(name, "l2_normalize", [x]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        square_sum = _math_ops.reduce_sum(_math_ops.square(x), axis, keepdims=True)
        x_inv_norm = _math_ops.rsqrt(_math_ops.maximum(square_sum, epsilon))
        return _math_ops.multiply(x, x_inv_norm, name=name)


def embedding_lookup(params, ids, max_norm=None, name=None):
    from .ops import array_ops
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError("tfteach's embedding_lookup takes one params tensor")
        params = params[0]
    return array_ops.gather(params, ids, name=name or "embedding_lookup")


_KERAS_CELLS = ("BasicLSTMCell", "BasicRNNCell", "GRUCell", "LSTMCell", "MultiRNNCell",
                "RNNCell", "DropoutWrapper", "ResidualWrapper", "DeviceWrapper",
                "LSTMStateTuple")


class _RnnCellModule(_types.ModuleType):
    """`tf.compat.v1.nn.rnn_cell`: the module exists, its Keras-2 cells do not."""

    def __getattr__(self, name):
        if name in _KERAS_CELLS:
            raise AttributeError(f"`{name}` is not available with Keras 3.")
        raise AttributeError(f"module 'tensorflow.compat.v1.nn.rnn_cell' has no attribute "
                             f"'{name}'")


_V2_NAMES = [n for n in dir() if not n.startswith("_") and n not in ("v1_namespace",)]


def v1_namespace():
    """A fresh module for `tf.compat.v1.nn` with TF1's signatures."""
    m = _types.ModuleType("tfteach.compat.v1.nn")
    g = globals()
    for n in _V2_NAMES:
        setattr(m, n, g[n])
    m.dropout = _nn_ops.dropout_v1
    m.conv2d = _nn_ops.conv2d_v1
    m.conv2d_backprop_input = _nn_ops.conv2d_backprop_input_v1
    m.conv2d_backprop_filter = _nn_ops.conv2d_backprop_filter
    m.space_to_batch = _array_ops.space_to_batch_v1
    m.max_pool = _nn_ops.max_pool_v1
    m.avg_pool = _nn_ops.avg_pool_v1
    m.in_top_k = _nn_ops.in_top_k_v1
    m.softmax_cross_entropy_with_logits = _nn_ops.softmax_cross_entropy_with_logits_v1
    m.softmax_cross_entropy_with_logits_v2 = softmax_cross_entropy_with_logits
    m.rnn_cell = _RnnCellModule("tfteach.compat.v1.nn.rnn_cell")
    from .framework.api_names import install
    return install(m, "tf.compat.v1.nn")

import sys as _sys  # noqa: E402

from .framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.nn")
