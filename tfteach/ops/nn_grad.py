"""Gradient functions of the neural-network ops.

Like `math_grad.py`, each reads only `op.inputs`, `op.outputs`, `op.get_attr` and builds its
result with ordinary ops, so the same function serves `tf.gradients` (graph) and the eager
tape. Op types and names follow TF 2.21 (`gradients/Conv2D_grad/Conv2DBackpropInput`, ...).
"""
import numpy as np

from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import array_ops, math_ops, nn_ops  # noqa: F401


def _op1(op_type, inputs, attrs=None, name=None):
    return apply_op(op_type, list(inputs), attrs, name=name or op_type)[0]


def _shape(x):
    from . import array_ops
    return array_ops.shape(x)


def _expand_last(v):
    return _op1("ExpandDims", [v, np.asarray(-1, dtype=np.int32)])


def _conv_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "data_format", "dilations",
                                        "use_cudnn_on_gpu", "explicit_paddings")}


@registry.api("ReluGrad")
@registry.RegisterGradient("Relu")
def _relu_grad(op, grad):
    return [_op1("ReluGrad", [grad, op.outputs[0]])]


@registry.api("Relu6Grad")
@registry.RegisterGradient("Relu6")
def _relu6_grad(op, grad):
    return [_op1("Relu6Grad", [grad, op.outputs[0]])]


@registry.api("EluGrad")
@registry.RegisterGradient("Elu")
def _elu_grad(op, grad):
    return [_op1("EluGrad", [grad, op.outputs[0]])]


@registry.api("SeluGrad")
@registry.RegisterGradient("Selu")
def _selu_grad(op, grad):
    return [_op1("SeluGrad", [grad, op.outputs[0]])]


@registry.api("SoftplusGrad")
@registry.RegisterGradient("Softplus")
def _softplus_grad(op, grad):
    return [_op1("SoftplusGrad", [grad, op.inputs[0]])]


@registry.api("SoftsignGrad")
@registry.RegisterGradient("Softsign")
def _softsign_grad(op, grad):
    return [_op1("SoftsignGrad", [grad, op.inputs[0]])]


@registry.api("LeakyReluGrad")
@registry.RegisterGradient("LeakyRelu")
def _leaky_relu_grad(op, grad):
    return [_op1("LeakyReluGrad", [grad, op.inputs[0]], {"alpha": op.get_attr("alpha")})]


@registry.RegisterGradient("ReluGrad")
def _relu_grad_grad(op, grad):
    from . import array_ops
    return [_op1("ReluGrad", [grad, op.inputs[1]]), array_ops.zeros_like(op.inputs[1])]


@registry.RegisterGradient("Softmax")
def _softmax_grad(op, grad):
    softmax = op.outputs[0]
    s = _op1("Sum", [grad * softmax, np.asarray(-1, dtype=np.int32)], {"keep_dims": True})
    return [(grad - s) * softmax]


@registry.RegisterGradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    softmax = _op1("Exp", [op.outputs[0]])
    s = _op1("Sum", [grad, np.asarray(-1, dtype=np.int32)], {"keep_dims": True})
    return [grad - s * softmax]


@registry.api("BiasAddGrad")
@registry.RegisterGradient("BiasAdd")
def _bias_add_grad(op, grad):
    fmt = op.get_attr("data_format")
    return [grad, _op1("BiasAddGrad", [grad], {"data_format": fmt})]


@registry.RegisterGradient("BiasAddGrad")
def _bias_add_grad_grad(op, grad):
    from . import array_ops
    fmt = op.get_attr("data_format")
    g_shape = _shape(op.inputs[0])
    rank = op.inputs[0].shape.rank
    if fmt.startswith("NC"):
        target = [1, -1] + [1] * (rank - 2)
    else:
        target = [1] * (rank - 1) + [-1]
    expanded = array_ops.reshape(grad, np.asarray(target, dtype=np.int32))
    return [_op1("BroadcastTo", [expanded, g_shape])]


@registry.api("Conv2DBackpropFilter")
@registry.RegisterGradient("Conv2D")
def _conv2d_grad(op, grad):
    x, f = op.inputs[0], op.inputs[1]
    attrs = _conv_attrs(op)
    return [_op1("Conv2DBackpropInput", [_shape(x), f, grad], attrs),
            _op1("Conv2DBackpropFilter", [x, _shape(f), grad], attrs)]


@registry.RegisterGradient("Conv2DBackpropInput")
def _conv2d_backprop_input_grad(op, grad):
    attrs = _conv_attrs(op)
    f = op.inputs[1]
    return [None,
            _op1("Conv2DBackpropFilter", [grad, _shape(f), op.inputs[2]], attrs),
            _op1("Conv2D", [grad, f], attrs)]


@registry.RegisterGradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_grad(op, grad):
    attrs = _conv_attrs(op)
    x = op.inputs[0]
    return [_op1("Conv2DBackpropInput", [_shape(x), grad, op.inputs[2]], attrs),
            None,
            _op1("Conv2D", [x, grad], attrs)]


def _pool_attrs(op):
    return {k: op.get_attr(k) for k in ("ksize", "strides", "padding", "data_format")}


@registry.api("MaxPoolGrad")
@registry.RegisterGradient("MaxPool")
def _max_pool_grad(op, grad):
    return [_op1("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], _pool_attrs(op))]


@registry.api("AvgPoolGrad")
@registry.RegisterGradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [_op1("AvgPoolGrad", [_shape(op.inputs[0]), grad], _pool_attrs(op))]


@registry.RegisterGradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, grad):
    return [None, _op1("AvgPool", [grad], _pool_attrs(op))]


@registry.RegisterGradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent_grad(op, grad_loss, grad_backprop=None):
    # The second output (the backprop) is an implementation detail; its gradient is not
    # propagated (TF does the same unless it is used, which these lessons never do).
    return [_expand_last(grad_loss) * op.outputs[1], None]


@registry.RegisterGradient("SoftmaxCrossEntropyWithLogits")
def _xent_grad(op, grad_loss, grad_backprop=None):
    grad = _expand_last(grad_loss) * op.outputs[1]
    logits = op.inputs[0]
    log_softmax = apply_op("LogSoftmax", [logits])[0]
    return [grad, _expand_last(grad_loss) * -log_softmax]


@registry.RegisterGradient("L2Loss")
def _l2_loss_grad(op, grad):
    return [op.inputs[0] * grad]


@registry.RegisterGradient("TopKV2")
def _top_k_grad(op, grad, _indices_grad):
    """Scatters the values' gradient back to the positions TopKV2 picked: the indices made
    flat over the whole input (row offset + column) feed one ScatterNd, as in TF."""
    from . import array_ops, math_ops
    x, indices = op.inputs[0], op.outputs[1]
    idt = indices.dtype.base_dtype
    in_shape = math_ops.cast(array_ops.shape(x), idt)
    ind_shape = math_ops.cast(array_ops.shape(indices), idt)
    ind_lastdim = ind_shape[-1]
    ind_2d = array_ops.reshape(indices, array_ops.stack([np.asarray(-1, idt.np_dtype),
                                                         ind_lastdim]))
    in_lastdim = in_shape[-1]
    outerdim = array_ops.shape(ind_2d, out_type=idt)[0]
    offsets = math_ops.range(np.asarray(0, idt.np_dtype), outerdim * in_lastdim, in_lastdim)
    ind = array_ops.reshape(ind_2d + array_ops.expand_dims(offsets, -1),
                            np.asarray([-1], np.int32))
    flat = array_ops.scatter_nd(array_ops.expand_dims(ind, -1),
                                array_ops.reshape(grad, np.asarray([-1], np.int32)),
                                array_ops.expand_dims(math_ops.reduce_prod(in_shape), 0))
    return [array_ops.reshape(flat, in_shape), None]


# --- second derivatives of the activation-gradient ops (TF's nn_grad rules) --------------------

def _where_v1(cond, x, y):
    return _op1("Select", [cond, x, y])


@registry.RegisterGradient("EluGrad")
def _elu_grad_grad(op, grad):
    elu_x = op.inputs[1]
    return (_op1("EluGrad", [grad, elu_x]),
            _where_v1(elu_x < 0, grad * op.inputs[0], array_ops.zeros_like(elu_x)))


@registry.RegisterGradient("SeluGrad")
def _selu_grad_grad(op, grad):
    selu_x = op.inputs[1]
    return (_op1("SeluGrad", [grad, selu_x]),
            _where_v1(selu_x < 0., grad * op.inputs[0], array_ops.zeros_like(selu_x)))


@registry.RegisterGradient("Relu6Grad")
def _relu6_grad_grad(op, grad):
    x = op.inputs[1]
    return _op1("Relu6Grad", [grad, x]), array_ops.zeros_like(x)


@registry.RegisterGradient("LeakyReluGrad")
def _leaky_relu_grad_grad(op, grad):
    x = op.inputs[1]
    return (_op1("LeakyReluGrad", [grad, x], {"alpha": op.get_attr("alpha")}),
            array_ops.zeros_like(x))


@registry.RegisterGradient("SoftplusGrad")
def _softplus_grad_grad(op, grad):
    dy, x = op.inputs[0], op.inputs[1]
    with _ops.control_dependencies([grad]):
        ddy = _op1("SoftplusGrad", [grad, x])
        d2x = grad * dy / (math_ops.exp(-x) + 2.0 + math_ops.exp(x))
        return ddy, d2x


def _dw_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "explicit_paddings",
                                        "data_format", "dilations")}


@registry.RegisterGradient("DepthwiseConv2dNative")
def _depthwise_conv2d_native_grad(op, grad):
    x, f = op.inputs[0], op.inputs[1]
    attrs = _dw_attrs(op)
    return [_op1("DepthwiseConv2dNativeBackpropInput", [_shape(x), f, grad], attrs),
            _op1("DepthwiseConv2dNativeBackpropFilter", [x, _shape(f), grad], attrs)]


@registry.RegisterGradient("DepthwiseConv2dNativeBackpropInput")
def _depthwise_backprop_input_grad(op, grad):
    f = op.inputs[1]
    attrs = _dw_attrs(op)
    return [None,
            _op1("DepthwiseConv2dNativeBackpropFilter", [grad, _shape(f), op.inputs[2]], attrs),
            _op1("DepthwiseConv2dNative", [grad, f], attrs)]


@registry.RegisterGradient("DepthwiseConv2dNativeBackpropFilter")
def _depthwise_backprop_filter_grad(op, grad):
    x = op.inputs[0]
    attrs = _dw_attrs(op)
    return [_op1("DepthwiseConv2dNativeBackpropInput", [_shape(x), grad, op.inputs[2]], attrs),
            None,
            _op1("DepthwiseConv2dNative", [x, grad], attrs)]


# SpaceToDepth and DepthToSpace only move elements: each one's gradient is the other.
@registry.RegisterGradient("SpaceToDepth")
def _space_to_depth_grad(op, grad):
    return [_op1("DepthToSpace", [grad], {"block_size": op.get_attr("block_size"),
                                          "data_format": op.get_attr("data_format")})]


@registry.RegisterGradient("DepthToSpace")
def _depth_to_space_grad(op, grad):
    return [_op1("SpaceToDepth", [grad], {"block_size": op.get_attr("block_size"),
                                          "data_format": op.get_attr("data_format")})]


@registry.api("LRNGrad")
@registry.RegisterGradient("LRN")
def _lrn_grad(op, grad):
    attrs = {k: op.get_attr(k) for k in ("depth_radius", "bias", "alpha", "beta")}
    return [_op1("LRNGrad", [grad, op.inputs[0], op.outputs[0]], attrs)]


def _conv3d_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "data_format", "dilations")}


@registry.api("Conv3DBackpropInputV2")
@registry.RegisterGradient("Conv3D")
def _conv3d_grad(op, grad):
    x, f = op.inputs[0], op.inputs[1]
    attrs = _conv3d_attrs(op)
    return [_op1("Conv3DBackpropInputV2", [_shape(x), f, grad], attrs),
            _op1("Conv3DBackpropFilterV2", [x, _shape(f), grad], attrs)]


@registry.RegisterGradient("Conv3DBackpropInputV2")
def _conv3d_backprop_input_grad(op, grad):
    f = op.inputs[1]
    attrs = _conv3d_attrs(op)
    return [None,
            _op1("Conv3DBackpropFilterV2", [grad, _shape(f), op.inputs[2]], attrs),
            _op1("Conv3D", [grad, f], attrs)]


@registry.RegisterGradient("Conv3DBackpropFilterV2")
def _conv3d_backprop_filter_grad(op, grad):
    x = op.inputs[0]
    attrs = _conv3d_attrs(op)
    return [_op1("Conv3DBackpropInputV2", [_shape(x), grad, op.inputs[2]], attrs),
            None,
            _op1("Conv3D", [x, grad], attrs)]


@registry.api("MaxPool3DGrad")
@registry.RegisterGradient("MaxPool3D")
def _max_pool3d_grad(op, grad):
    return [_op1("MaxPool3DGrad", [op.inputs[0], op.outputs[0], grad], _pool_attrs(op))]


@registry.api("AvgPool3DGrad")
@registry.RegisterGradient("AvgPool3D")
def _avg_pool3d_grad(op, grad):
    return [_op1("AvgPool3DGrad", [_shape(op.inputs[0]), grad], _pool_attrs(op))]


@registry.RegisterGradient("AvgPool3DGrad")
def _avg_pool3d_grad_grad(op, grad):
    return [None, _op1("AvgPool3D", [grad], _pool_attrs(op))]


@registry.api("FusedBatchNormGradV3")
@registry.RegisterGradient("FusedBatchNormV3")
def _fused_batch_norm_grad(op, *grads):
    """Only y's gradient flows back (as TF): the statistics outputs are not differentiated.
    In inference the given mean and variance are the statistics the gradient uses."""
    x, scale = op.inputs[0], op.inputs[1]
    attrs = {"epsilon": op.get_attr("epsilon"), "data_format": op.get_attr("data_format"),
             "is_training": op.get_attr("is_training")}
    if attrs["is_training"]:
        rs1, rs2 = op.outputs[3], op.outputs[4]
    else:
        rs1, rs2 = op.inputs[3], op.inputs[4]
    dx, dscale, doffset, _, _ = apply_op(
        "FusedBatchNormGradV3", [grads[0], x, scale, rs1, rs2, op.outputs[5]], attrs,
        name="FusedBatchNormGradV3")
    return [dx, dscale, doffset, None, None]


@registry.api("MaxPoolGradWithArgmax")
@registry.RegisterGradient("MaxPoolWithArgmax")
def _max_pool_with_argmax_grad(op, grad, unused_argmax_grad=None):
    attrs = {k: op.get_attr(k) for k in ("ksize", "strides", "padding",
                                         "include_batch_in_index")}
    return [_op1("MaxPoolGradWithArgmax", [op.inputs[0], grad, op.outputs[1]], attrs)]
