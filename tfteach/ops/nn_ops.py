"""Neural-network ops: activations, softmax, bias_add, conv2d, pooling, dropout, losses.

Each op type is declared once here (TF 2.21's op names and attrs); CPU kernels are in
`tfteach/kernels/cpu/nn.py`, gradients in `nn_grad.py`. The constructors are what `tf.nn`
exports (TF2 argument names; the v1 spellings such as `keep_prob` live in `nn.py`).
"""
import numbers

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry, tensor_util
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape
from . import shape_rules

__all__ = ["relu", "relu6", "elu", "selu", "leaky_relu", "softmax", "log_softmax", "bias_add",
           "conv2d", "max_pool", "max_pool2d", "avg_pool", "avg_pool2d", "dropout",
           "sparse_softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "l2_loss", "moments", "in_top_k", "conv_output_size"]


# --- output size (the padding arithmetic is shared with the kernels: kernels/shapes.py) --------

def conv_output_size(in_size, k, stride, dilation, padding):
    if in_size is None:
        return None
    from ..kernels import shapes        # shared with the kernels; loaded on first use
    return shapes.conv_padding(in_size, k, stride, dilation, padding)[0]


def _spatial_axes(data_format):
    return (2, 3, 1) if data_format.startswith("NC") else (1, 2, 3)


# --- declarations -----------------------------------------------------------------------------

_DOC = {  # one line each: docs/ops.md and the graph explorer show it
    "Relu": "max(features, 0), element-wise.",
    "Relu6": "min(max(features, 0), 6), element-wise.",
    "Elu": "features if positive, else exp(features) - 1, element-wise.",
    "Selu": "Scaled exponential linear unit, element-wise.",
    "Softplus": "log(exp(features) + 1), element-wise.",
    "Softsign": "features / (|features| + 1), element-wise.",
    "ReluGrad": "The gradient of Relu: gradients where features > 0, else 0.",
    "Relu6Grad": "The gradient of Relu6: gradients where 0 < features < 6, else 0.",
    "SoftplusGrad": "The gradient of Softplus: gradients * sigmoid(features).",
    "SoftsignGrad": "The gradient of Softsign: gradients / (1 + |features|)^2.",
    "EluGrad": "The gradient of Elu from its outputs.",
    "SeluGrad": "The gradient of Selu from its outputs.",
}

for _t in ("Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign"):
    registry.register_op(_t, inputs=(("features", "T"),), outputs=(("activations", "T"),),
                         shape=shape_rules.same_as_first,
                         doc=_DOC[_t])
registry.register_op("LeakyRelu", inputs=(("features", "T"),), outputs=(("activations", "T"),),
                     shape=shape_rules.same_as_first, attr_defaults={"alpha": 0.2},
                     doc="features if positive, else alpha * features, element-wise.")
for _t in ("ReluGrad", "Relu6Grad", "SoftplusGrad", "SoftsignGrad"):
    registry.register_op(_t, inputs=(("gradients", "T"), ("features", "T")),
                         outputs=(("backprops", "T"),), shape=shape_rules.same_as_first,
                         doc=_DOC[_t])
registry.register_op("LeakyReluGrad", inputs=(("gradients", "T"), ("features", "T")),
                     outputs=(("backprops", "T"),), shape=shape_rules.same_as_first,
                     doc="The gradient of LeakyRelu: gradients, times alpha where features <= 0.")
for _t in ("EluGrad", "SeluGrad"):
    registry.register_op(_t, inputs=(("gradients", "T"), ("outputs", "T")),
                         outputs=(("backprops", "T"),), shape=shape_rules.same_as_first,
                         doc=_DOC[_t])


def _at_least_rank1(op):
    s = op.inputs[0].shape
    if s.rank is not None and s.rank < 1:
        raise op.shape_error("Shape must be at least rank 1 but is rank 0")
    return [s]


registry.register_op("Softmax", inputs=(("logits", "T"),), outputs=(("softmax", "T"),),
                     shape=_at_least_rank1,
                     doc="exp(logits) / sum(exp(logits)) along the last axis.")
registry.register_op("LogSoftmax", inputs=(("logits", "T"),), outputs=(("logsoftmax", "T"),),
                     shape=_at_least_rank1,
                     doc="logits - log(sum(exp(logits))) along the last axis.")


def _bias_add_shape(op):
    v, b = op.inputs[0].shape, op.inputs[1].shape
    if b.rank is not None and b.rank != 1:
        raise op.shape_error(f"Shape must be rank 1 but is rank {b.rank}")
    if v.rank is not None and v.rank < 2:
        raise op.shape_error(f"Shape must be at least rank 2 but is rank {v.rank}")
    if v.rank is not None and b.rank == 1:
        axis = 1 if op.attr("data_format", "NHWC").startswith("NC") else -1
        dv, db = v.as_tuple()[axis], b.as_tuple()[0]
        if dv is not None and db is not None and dv != db:
            raise op.shape_error(f"Dimensions must be equal, but are {dv} and {db}")
        if dv is None and db is not None:
            dims = list(v.as_tuple())
            dims[axis] = db
            return [TensorShape(dims)]
    return [v]


def _bias_add_grad_shape(op):
    s = op.inputs[0].shape
    if s.rank is None:
        return [unknown_shape(1)]
    axis = 1 if op.attr("data_format", "NHWC").startswith("NC") else -1
    return [TensorShape([s.as_tuple()[axis]])]


registry.register_op("BiasAdd", inputs=(("value", "T"), ("bias", "T")),
                     outputs=(("output", "T"),),
                     shape=_bias_add_shape, attr_defaults={"data_format": "NHWC"},
                     doc="value + bias, the bias added along the channel axis.")
registry.register_op("BiasAddGrad", inputs=(("out_backprop", "T"),),
                     outputs=(("output", "T"),),
                     shape=_bias_add_grad_shape, attr_defaults={"data_format": "NHWC"},
                     doc="The gradient of BiasAdd for the bias: sums over all but the channels.")


def _known_rank(op, rank, *shapes):
    """TF's "Shape must be rank N" check of each input shape: False when a rank is unknown
    (the rule then answers an unknown shape)."""
    for s in shapes:
        if s.rank is not None and s.rank != rank:
            raise op.shape_error(f"Shape must be rank {rank} but is rank {s.rank}")
    return all(s.rank is not None for s in shapes)


def _conv_out(op, xs, fs, axes):
    """The output's spatial sizes of a convolution (Conv2D, DepthwiseConv2dNative, Conv3D) of
    input dims `xs` with filter dims `fs`, the filter's k-th spatial dim sliding over input
    axis axes[k]; None where a size is unknown."""
    s, d, pad = op.get_attr("strides"), op.get_attr("dilations"), op.get_attr("padding")
    out = [None if fs[k] is None else conv_output_size(xs[a], fs[k], s[a], d[a], pad)
           for k, a in enumerate(axes)]
    if any(o is not None and o <= 0 for o in out):
        raise op.shape_error("Negative dimension size caused by subtracting filter size from "
                             "input size")
    return out


def _conv2d_shape(op):
    x, f = op.inputs[0].shape, op.inputs[1].shape
    if not _known_rank(op, 4, x, f):
        return [unknown_shape(4)]
    fmt = op.get_attr("data_format")
    hi, wi, ci = _spatial_axes(fmt)
    xs, fs = x.as_tuple(), f.as_tuple()
    if xs[ci] is not None and fs[2] is not None and xs[ci] % fs[2] != 0:
        raise op.shape_error(f"Depth of input ({xs[ci]}) is not a multiple of input depth "
                             f"of filter ({fs[2]})")
    oh, ow = _conv_out(op, xs, fs, (hi, wi))
    if fmt.startswith("NC"):
        return [TensorShape([xs[0], fs[3], oh, ow])]
    return [TensorShape([xs[0], oh, ow, fs[3]])]


def _sizes_shape(index, rank=4):
    """Shape rule of a backprop op whose output shape is given by a constant int input."""
    def rule(op):
        v = tensor_util.constant_value(op.inputs[index])
        if v is not None:
            return [TensorShape([int(d) for d in np.asarray(v).ravel()])]
        return [unknown_shape(rank)]
    return rule


_CONV_ATTRS = {"use_cudnn_on_gpu": True, "explicit_paddings": [], "data_format": "NHWC",
               "dilations": [1, 1, 1, 1]}
registry.register_op("Conv2D", inputs=(("input", "T"), ("filter", "T")), outputs=(("output", "T"),),
                     shape=_conv2d_shape, attr_defaults=_CONV_ATTRS,
                     doc="2-D convolution of a batch of images with a filter.")
registry.register_op("Conv2DBackpropInput",
                     inputs=(("input_sizes", _dt.int32), ("filter", "T"), ("out_backprop", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(0), attr_defaults=_CONV_ATTRS,
                     doc="The gradient of Conv2D with respect to its input.")
registry.register_op("Conv2DBackpropFilter",
                     inputs=(("input", "T"), ("filter_sizes", _dt.int32), ("out_backprop", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(1), attr_defaults=_CONV_ATTRS,
                     doc="The gradient of Conv2D with respect to its filter.")


def _pool_shape(op):
    x = op.inputs[0].shape
    if not _known_rank(op, 4, x):
        return [unknown_shape(4)]
    fmt = op.get_attr("data_format")
    hi, wi, ci = _spatial_axes(fmt)
    xs = x.as_tuple()
    k, s, pad = op.get_attr("ksize"), op.get_attr("strides"), op.get_attr("padding")
    oh = conv_output_size(xs[hi], k[hi], s[hi], 1, pad)
    ow = conv_output_size(xs[wi], k[wi], s[wi], 1, pad)
    if (oh is not None and oh <= 0) or (ow is not None and ow <= 0):
        raise op.shape_error("Negative dimension size caused by subtracting "
                             f"{k[hi]} from {xs[hi]}")
    if fmt.startswith("NC"):
        return [TensorShape([xs[0], xs[ci], oh, ow])]
    return [TensorShape([xs[0], oh, ow, xs[ci]])]


registry.register_op("MaxPool", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_pool_shape,
                     attr_defaults={"data_format": "NHWC", "explicit_paddings": []},
                     doc="The maximum over each pooling window.")
registry.register_op("MaxPoolGrad",
                     inputs=(("orig_input", "T"), ("orig_output", "T"), ("grad", "T")),
                     outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                     attr_defaults={"data_format": "NHWC", "explicit_paddings": []},
                     doc="The gradient of MaxPool: each window's gradient goes to its maximum.")
registry.register_op("AvgPool", inputs=(("value", "T"),), outputs=(("output", "T"),),
                     shape=_pool_shape,
                     attr_defaults={"data_format": "NHWC"},
                     doc="The average over each pooling window.")
registry.register_op("AvgPoolGrad", inputs=(("orig_input_shape", _dt.int32), ("grad", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(0),
                     attr_defaults={"data_format": "NHWC"},
                     doc="The gradient of AvgPool: each window's gradient spread evenly over it.")


def _xent_sparse_shape(op):
    f, lab = op.inputs[0].shape, op.inputs[1].shape
    if f.rank is not None and f.rank != 2:
        raise op.shape_error(f"Shape must be rank 2 but is rank {f.rank}")
    if lab.rank is not None and lab.rank != 1:
        raise op.shape_error(f"Shape must be rank 1 but is rank {lab.rank}")
    b = None
    if f.rank is not None:
        b = f.as_tuple()[0]
    if b is None and lab.rank is not None:
        b = lab.as_tuple()[0]
    if f.rank is not None and lab.rank is not None:
        fb, lb = f.as_tuple()[0], lab.as_tuple()[0]
        if fb is not None and lb is not None and fb != lb:
            raise op.shape_error(f"Dimensions must be equal, but are {fb} and {lb}")
    return [TensorShape([b]), f if f.rank is not None else unknown_shape(2)]


def _xent_shape(op):
    f, lab = op.inputs[0].shape, op.inputs[1].shape
    merged = f
    if f.rank is not None and lab.rank is not None:
        if not f.is_compatible_with(lab):
            raise op.shape_error(f"Dimensions must be equal, but are {f.as_tuple()[-1]} and "
                                 f"{lab.as_tuple()[-1]}")
        merged = f.merge_with(lab)
    elif f.rank is None:
        merged = lab
    b = merged.as_tuple()[0] if merged.rank is not None else None
    return [TensorShape([b]), merged if merged.rank is not None else unknown_shape(2)]


registry.register_op("SparseSoftmaxCrossEntropyWithLogits", inputs=(("features", "T"),
                                                                    ("labels", "Tlabels")),
                     outputs=(("loss", "T"), ("backprop", "T")), shape=_xent_sparse_shape,
                     doc="Softmax cross-entropy per row against integer labels, and its gradient.")
registry.register_op("SoftmaxCrossEntropyWithLogits", inputs=(("features", "T"), ("labels", "T")),
                     outputs=(("loss", "T"), ("backprop", "T")), shape=_xent_shape,
                     doc="Per-row softmax cross-entropy against soft labels, and its gradient.")
registry.register_op("L2Loss", inputs=(("t", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.scalar,
                     doc="sum(t ** 2) / 2.")
registry.register_op("InTopKV2",
                     inputs=(("predictions", _dt.float32), ("targets", "T"), ("k", "T")),
                     outputs=(("precision", _dt.bool_),),
                     shape=lambda op: [TensorShape([op.inputs[0].shape.as_tuple()[0]
                                                    if op.inputs[0].shape.rank else None])],
                     doc="Whether each target is among the k largest predictions of its row.")

registry.NotDifferentiable("InTopKV2")


def _top_k_shape(op):
    x = op.inputs[0].shape
    shape_rules.require_rank_at_least(op, x, 1)
    k = tensor_util.constant_value(op.inputs[1])
    if k is not None:
        k = int(k)
        if k < 0:
            raise op.shape_error(f"Need k >= 0, got {k}")
    if x.rank is None:
        return [unknown_shape(), unknown_shape()]
    dims = list(x.as_tuple())
    if k is not None and dims[-1] is not None and dims[-1] < k:
        raise op.shape_error(f"input must have at least k columns. Had {dims[-1]}, needed {k}")
    out = TensorShape(dims[:-1] + [k])
    return [out, out]


registry.register_op("TopKV2", inputs=(("input", "T"), ("k", "Tk")),
                     outputs=(("values", "T"), ("indices", "index_type")),
                     shape=_top_k_shape, attr_defaults={"sorted": True},
                     doc="The k largest values of the last axis and their indices.")


# Depthwise convolution: each input channel convolved with its own `channel_multiplier`
# filters (filter [kh, kw, in_channels, channel_multiplier]); output channel c * M + m.
def _depthwise_shape(op):
    x, f = op.inputs[0].shape, op.inputs[1].shape
    if not _known_rank(op, 4, x, f):
        return [unknown_shape(4)]
    fmt = op.get_attr("data_format")
    hi, wi, ci = _spatial_axes(fmt)
    xs, fs = x.as_tuple(), f.as_tuple()
    if xs[ci] is not None and fs[2] is not None and xs[ci] != fs[2]:
        raise op.shape_error(f"Dimensions must be equal, but are {xs[ci]} and {fs[2]}")
    oh, ow = _conv_out(op, xs, fs, (hi, wi))
    c = fs[2] if fs[2] is not None else xs[ci]
    o = None if c is None or fs[3] is None else c * fs[3]
    if fmt.startswith("NC"):
        return [TensorShape([xs[0], o, oh, ow])]
    return [TensorShape([xs[0], oh, ow, o])]


_DW_ATTRS = {"explicit_paddings": [], "data_format": "NHWC", "dilations": [1, 1, 1, 1]}
registry.register_op("DepthwiseConv2dNative", inputs=(("input", "T"), ("filter", "T")),
                     outputs=(("output", "T"),), shape=_depthwise_shape, attr_defaults=_DW_ATTRS,
                     doc="Depthwise 2-D convolution: each channel with its own filters.")
registry.register_op("DepthwiseConv2dNativeBackpropInput",
                     inputs=(("input_sizes", _dt.int32), ("filter", "T"), ("out_backprop", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(0), attr_defaults=_DW_ATTRS,
                     doc="The gradient of DepthwiseConv2dNative with respect to its input.")
registry.register_op("DepthwiseConv2dNativeBackpropFilter",
                     inputs=(("input", "T"), ("filter_sizes", _dt.int32), ("out_backprop", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(1), attr_defaults=_DW_ATTRS,
                     doc="The gradient of DepthwiseConv2dNative with respect to its filter.")


def _block_shape(to_depth):
    def rule(op):
        x = op.inputs[0].shape
        if not _known_rank(op, 4, x):
            return [unknown_shape(4)]
        b = op.get_attr("block_size")
        hi, wi, ci = _spatial_axes(op.get_attr("data_format"))
        dims = list(x.as_tuple())
        if to_depth:
            for i in (hi, wi):
                if dims[i] is not None and dims[i] % b:
                    raise op.shape_error(f"Dimension size must be evenly divisible by {b} but "
                                         f"is {dims[i]}")
            dims[hi] = None if dims[hi] is None else dims[hi] // b
            dims[wi] = None if dims[wi] is None else dims[wi] // b
            dims[ci] = None if dims[ci] is None else dims[ci] * b * b
        else:
            if dims[ci] is not None and dims[ci] % (b * b):
                raise op.shape_error(f"Dimension size must be evenly divisible by {b * b} but "
                                     f"is {dims[ci]}")
            dims[hi] = None if dims[hi] is None else dims[hi] * b
            dims[wi] = None if dims[wi] is None else dims[wi] * b
            dims[ci] = None if dims[ci] is None else dims[ci] // (b * b)
        return [TensorShape(dims)]
    return rule


registry.register_op("SpaceToDepth", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_block_shape(True), attr_defaults={"data_format": "NHWC"},
                     doc="Moves each block_size x block_size block of pixels into the depth.")
registry.register_op("DepthToSpace", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_block_shape(False), attr_defaults={"data_format": "NHWC"},
                     doc="Moves depth into block_size x block_size blocks of pixels.")


def _lrn_shape(op):
    x = op.inputs[0].shape
    return [x if _known_rank(op, 4, x) else unknown_shape(4)]


_LRN_ATTRS = {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5}
registry.register_op("LRN", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_lrn_shape, attr_defaults=_LRN_ATTRS,
                     doc="Local response normalisation over windows of the depth.")
registry.register_op("LRNGrad",
                     inputs=(("input_grads", "T"), ("input_image", "T"), ("output_image", "T")),
                     outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                     attr_defaults=_LRN_ATTRS, doc="The gradient of LRN.")



# 3-D convolution and pooling over [batch, depth, height, width, channels] (NDHWC).
def _conv3d_shape(op):
    x, f = op.inputs[0].shape, op.inputs[1].shape
    if not _known_rank(op, 5, x, f):
        return [unknown_shape(5)]
    xs, fs = x.as_tuple(), f.as_tuple()
    if xs[4] is not None and fs[3] is not None and xs[4] % fs[3] != 0:
        raise op.shape_error(f"Depth of input ({xs[4]}) is not a multiple of input depth "
                             f"of filter ({fs[3]})")
    return [TensorShape([xs[0]] + _conv_out(op, xs, fs, (1, 2, 3)) + [fs[4]])]


def _pool3d_shape(op):
    x = op.inputs[0].shape
    if not _known_rank(op, 5, x):
        return [unknown_shape(5)]
    xs = x.as_tuple()
    k, s, pad = op.get_attr("ksize"), op.get_attr("strides"), op.get_attr("padding")
    out = [conv_output_size(xs[i], k[i], s[i], 1, pad) for i in (1, 2, 3)]
    if any(o is not None and o <= 0 for o in out):
        raise op.shape_error("Negative dimension size caused by subtracting filter size from "
                             "input size")
    return [TensorShape([xs[0]] + out + [xs[4]])]


_CONV3D_ATTRS = {"data_format": "NDHWC", "dilations": [1, 1, 1, 1, 1]}
registry.register_op("Conv3D", inputs=(("input", "T"), ("filter", "T")),
                     outputs=(("output", "T"),), shape=_conv3d_shape, attr_defaults=_CONV3D_ATTRS,
                     doc="3-D convolution of a batch of volumes with a filter.")
registry.register_op("Conv3DBackpropInputV2",
                     inputs=(("input_sizes", "Tshape"), ("filter", "T"), ("out_backprop", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(0, 5),
                     attr_defaults=_CONV3D_ATTRS,
                     doc="The gradient of Conv3D with respect to its input.")
registry.register_op("Conv3DBackpropFilterV2",
                     inputs=(("input", "T"), ("filter_sizes", _dt.int32), ("out_backprop", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(1, 5),
                     attr_defaults=_CONV3D_ATTRS,
                     doc="The gradient of Conv3D with respect to its filter.")
registry.register_op("MaxPool3D", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_pool3d_shape, attr_defaults={"data_format": "NDHWC"},
                     doc="The maximum over each 3-D pooling window.")
registry.register_op("MaxPool3DGrad",
                     inputs=(("orig_input", "TInput"), ("orig_output", "TInput"),
                             ("grad", "T")),
                     outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                     attr_defaults={"data_format": "NDHWC"},
                     doc="The gradient of MaxPool3D: each window's gradient goes to its maximum.")
registry.register_op("AvgPool3D", inputs=(("input", "T"),), outputs=(("output", "T"),),
                     shape=_pool3d_shape, attr_defaults={"data_format": "NDHWC"},
                     doc="The average over each 3-D pooling window.")
registry.register_op("AvgPool3DGrad", inputs=(("orig_input_shape", _dt.int32), ("grad", "T")),
                     outputs=(("output", "T"),), shape=_sizes_shape(0, 5),
                     attr_defaults={"data_format": "NDHWC"},
                     doc="The gradient of AvgPool3D: each window's gradient spread evenly.")


# Fused batch normalisation: one op for the batch statistics, the normalisation and the
# running averages (what tf.compat.v1.nn.fused_batch_norm and Keras's fused path build).
def _fused_bn_shape(op):
    x, scale = op.inputs[0].shape, op.inputs[1].shape
    _known_rank(op, 4, x)
    _known_rank(op, 1, scale)
    c = None
    if x.rank is not None:
        c = x.as_tuple()[1 if op.get_attr("data_format").startswith("NC") else 3]
    vec = TensorShape([c])
    return [x if x.rank is not None else unknown_shape(4), vec, vec, vec, vec,
            unknown_shape()]


def _fused_bn_grad_shape(op):
    x = op.inputs[1].shape
    c = None
    if x.rank is not None:
        c = x.as_tuple()[1 if op.get_attr("data_format").startswith("NC") else 3]
    vec = TensorShape([c])
    return [x if x.rank is not None else unknown_shape(4), vec, vec, TensorShape([0]),
            TensorShape([0])]


_FBN_ATTRS = {"epsilon": 0.0001, "data_format": "NHWC", "is_training": True}
registry.register_op("FusedBatchNormV3",
                     inputs=(("x", "T"), ("scale", "U"), ("offset", "U"), ("mean", "U"),
                             ("variance", "U")),
                     outputs=(("y", "T"), ("batch_mean", "U"), ("batch_variance", "U"),
                              ("reserve_space_1", "U"), ("reserve_space_2", "U"),
                              ("reserve_space_3", "U")),
                     shape=_fused_bn_shape,
                     attr_defaults=dict(_FBN_ATTRS, exponential_avg_factor=1.0),
                     doc="Batch normalisation in one op: batch (or given) statistics, "
                         "normalisation, running averages.")
registry.register_op("FusedBatchNormGradV3",
                     inputs=(("y_backprop", "T"), ("x", "T"), ("scale", _dt.float32),
                             ("reserve_space_1", "U"), ("reserve_space_2", "U"),
                             ("reserve_space_3", "U")),
                     outputs=(("x_backprop", "T"), ("scale_backprop", "U"),
                              ("offset_backprop", "U"), ("reserve_space_4", "U"),
                              ("reserve_space_5", "U")),
                     shape=_fused_bn_grad_shape, attr_defaults=dict(_FBN_ATTRS),
                     doc="The gradient of FusedBatchNormV3.")


# Max pooling that also says where each maximum came from (flat NHWC indices, with or without
# the batch), for unpooling; its gradient scatters by those indices.
def _argmax_pool_shape(op):
    x = op.inputs[0].shape
    if not _known_rank(op, 4, x):
        return [unknown_shape(4), unknown_shape(4)]
    xs = x.as_tuple()
    k, s, pad = op.get_attr("ksize"), op.get_attr("strides"), op.get_attr("padding")
    oh = conv_output_size(xs[1], k[1], s[1], 1, pad)
    ow = conv_output_size(xs[2], k[2], s[2], 1, pad)
    if (oh is not None and oh <= 0) or (ow is not None and ow <= 0):
        raise op.shape_error(f"Negative dimension size caused by subtracting {k[1]} from "
                             f"{xs[1]}")
    out = TensorShape([xs[0], oh, ow, xs[3]])
    return [out, out]


registry.register_op("MaxPoolWithArgmax", inputs=(("input", "T"),),
                     outputs=(("output", "T"), ("argmax", "Targmax")),
                     shape=_argmax_pool_shape,
                     attr_defaults={"Targmax": _dt.int64, "include_batch_in_index": False},
                     doc="Max pooling and the flat index of each window's maximum.")
registry.register_op("MaxPoolGradWithArgmax",
                     inputs=(("input", "T"), ("grad", "T"), ("argmax", "Targmax")),
                     outputs=(("output", "T"),), shape=shape_rules.same_as_first,
                     attr_defaults={"include_batch_in_index": False},
                     doc="The gradient of MaxPoolWithArgmax: grad scattered to the argmax.")


# --- helpers ----------------------------------------------------------------------------------

def _int_list(value, n, name, data_format="NHWC"):
    """TF's stride/ksize/dilation normalisation: an int, or a list of 1, 2 or n ints."""
    if value is None:
        return [1] * n
    if isinstance(value, numbers.Integral):
        value = [int(value)]
    value = [int(v) for v in value]
    if len(value) == n:
        return value
    if len(value) == 1:
        value = value * (n - 2)
    if len(value) != n - 2:
        raise ValueError(f"{name} should be of length 1, {n - 2} or {n} but was {len(value)}")
    if data_format.startswith("NC"):
        return [1, 1] + value
    return [1] + value + [1]


def _padding(padding):
    if isinstance(padding, (list, tuple)):
        raise NotImplementedError("explicit paddings are not supported by tfteach's conv2d")
    p = str(padding).upper()
    if p not in ("SAME", "VALID"):
        raise ValueError(f"`padding` must be one of 'SAME', 'VALID' or 'EXPLICIT' "
                         f"(case-insensitive). Received: padding={padding}")
    return p


def _float_type(x):
    return x.dtype.base_dtype


# --- activations ------------------------------------------------------------------------------

@registry.api("Relu")
def relu(features, name=None):
    return apply_op("Relu", [features], name=name or "Relu")[0]


@registry.api("Relu6")
def relu6(features, name=None):
    with _ops.name_scope(name, "Relu6", [features]) as name:
        return apply_op("Relu6", [features], name=name)[0]


@registry.api("Elu")
def elu(features, name=None):
    return apply_op("Elu", [features], name=name or "Elu")[0]


@registry.api("Selu")
def selu(features, name=None):
    return apply_op("Selu", [features], name=name or "Selu")[0]


@registry.api("Softplus")
def softplus(features, name=None):
    return apply_op("Softplus", [features], name=name or "Softplus")[0]


@registry.api("Softsign")
def softsign(features, name=None):
    return apply_op("Softsign", [features], name=name or "Softsign")[0]


@registry.api("LeakyRelu")
def leaky_relu(features, alpha=0.2, name=None):
    with _ops.name_scope(name, "LeakyRelu", [features, alpha]) as name:
        features = _ops.convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            from . import math_ops
            features = math_ops.cast(features, _dt.float32)
        return apply_op("LeakyRelu", [features], {"alpha": float(alpha)}, name=name)[0]


def _last_axis_op(op_type, logits, axis, name):
    logits = _ops.convert_to_tensor(logits, name="logits")
    rank = logits.shape.rank
    if axis is None or axis == -1 or (rank is not None and axis == rank - 1):
        return apply_op(op_type, [logits], name=name)[0]
    if rank is None:
        raise ValueError(f"{op_type} along axis {axis} needs a tensor of known rank")
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"`axis` must be in the range [{-rank}, {rank}) where {rank} is the "
                        f"number of dimensions in the input. Received: axis={axis}")
    from . import array_ops
    axis %= rank
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    t = array_ops.transpose(logits, perm)
    out = apply_op(op_type, [t])[0]
    return array_ops.transpose(out, perm, name=name)


@registry.api("Softmax")
def softmax(logits, axis=None, name=None):
    """softmax along `axis` (the last one by default)."""
    return _last_axis_op("Softmax", logits, axis, name or "Softmax")


@registry.api("LogSoftmax")
def log_softmax(logits, axis=None, name=None):
    return _last_axis_op("LogSoftmax", logits, axis, name or "LogSoftmax")


@registry.api("BiasAdd")
def bias_add(value, bias, data_format=None, name=None):
    with _ops.name_scope(name, "BiasAdd", [value, bias]) as name:
        if data_format is None:
            data_format = "NHWC"
        elif data_format.startswith("NC"):
            data_format = "NCHW"
        else:
            data_format = "NHWC"
        value = _ops.convert_to_tensor(value, name="input")
        bias = _ops.convert_to_tensor(bias, dtype=value.dtype.base_dtype, name="bias")
        return apply_op("BiasAdd", [value, bias], {"data_format": data_format}, name=name)[0]


# --- convolution and pooling -----------------------------------------------------------------

@registry.api("Conv2D")
def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """2-D convolution (TF2 signature). `strides`/`dilations`: an int or 1, 2 or 4 ints."""
    data_format = data_format or "NHWC"
    attrs = {"strides": _int_list(strides, 4, "strides", data_format),
             "padding": _padding(padding), "data_format": data_format,
             "dilations": _int_list(dilations, 4, "dilations", data_format),
             "use_cudnn_on_gpu": True, "explicit_paddings": []}
    return apply_op("Conv2D", [input, filters], attrs, name=name or "Conv2D")[0]


def conv2d_v1(input, filter=None, strides=None, padding=None,  # noqa: A002
              use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1), name=None,
              filters=None):
    if filter is None:
        filter = filters
    if filter is None:
        raise ValueError("conv2d needs `filter`")
    return conv2d(input, filter, strides, padding, data_format, dilations, name)


@registry.api("Conv2DBackpropInput")
def conv2d_backprop_input(input_sizes, filters, out_backprop, strides, padding,
                          data_format="NHWC", dilations=None, name=None):
    attrs = {"strides": _int_list(strides, 4, "strides", data_format),
             "padding": _padding(padding), "data_format": data_format,
             "dilations": _int_list(dilations, 4, "dilations", data_format),
             "use_cudnn_on_gpu": True, "explicit_paddings": []}
    return apply_op("Conv2DBackpropInput", [input_sizes, filters, out_backprop], attrs,
                    name=name or "Conv2DBackpropInput")[0]


def conv2d_backprop_input_v1(input_sizes, filter=None, out_backprop=None,  # noqa: A002
                             strides=None, padding=None, use_cudnn_on_gpu=True,
                             data_format="NHWC", dilations=(1, 1, 1, 1), name=None,
                             filters=None):
    """`tf.compat.v1.nn.conv2d_backprop_input`: TF1's spelling (`filter`, or `filters`)."""
    if filter is None:
        filter = filters  # noqa: A001
    attrs = {"strides": _int_list(strides, 4, "strides", data_format),
             "padding": _padding(padding), "data_format": data_format,
             "dilations": _int_list(dilations, 4, "dilations", data_format),
             "use_cudnn_on_gpu": bool(use_cudnn_on_gpu), "explicit_paddings": []}
    return apply_op("Conv2DBackpropInput", [input_sizes, filter, out_backprop], attrs,
                    name=name or "Conv2DBackpropInput")[0]


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    """`tf.compat.v1.nn.conv2d_backprop_filter`: the gradient of conv2d with respect to its
    filter, of shape `filter_sizes`."""
    attrs = {"strides": _int_list(strides, 4, "strides", data_format),
             "padding": _padding(padding), "data_format": data_format,
             "dilations": _int_list(dilations, 4, "dilations", data_format),
             "use_cudnn_on_gpu": bool(use_cudnn_on_gpu), "explicit_paddings": []}
    return apply_op("Conv2DBackpropFilter", [input, filter_sizes, out_backprop], attrs,
                    name=name or "Conv2DBackpropFilter")[0]


def _pool(op_type, input, ksize, strides, padding, data_format, name):  # noqa: A002
    data_format = data_format or "NHWC"
    attrs = {"ksize": _int_list(ksize, 4, "ksize", data_format),
             "strides": _int_list(strides, 4, "strides", data_format),
             "padding": _padding(padding), "data_format": data_format}
    if op_type == "MaxPool":
        attrs["explicit_paddings"] = []
    with _ops.name_scope(name, op_type, [input]) as name:
        return apply_op(op_type, [input], attrs, name=name)[0]


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return _pool("MaxPool", input, ksize, strides, padding, data_format, name)


@registry.api("MaxPool")
def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    return _pool("MaxPool", input, ksize, strides, padding, data_format, name)


def max_pool_v1(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    return _pool("MaxPool", value if input is None else input, ksize, strides, padding,
                 data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return _pool("AvgPool", input, ksize, strides, padding, data_format, name)


@registry.api("AvgPool")
def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    return _pool("AvgPool", input, ksize, strides, padding, data_format, name)


def avg_pool_v1(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    return _pool("AvgPool", value if input is None else input, ksize, strides, padding,
                 data_format, name)


# --- dropout ----------------------------------------------------------------------------------

def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate)."""
    with _ops.name_scope(name, "dropout", [x]):
        x = _ops.convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be "
                             f"scaled. Got a {x.dtype!r} tensor instead.")
        if isinstance(rate, numbers.Real):
            if not 0 <= rate < 1:
                raise ValueError(f"`rate` must be a scalar tensor or a float in the range "
                                 f"[0, 1). Received: rate={rate}")
            if rate == 0:
                from . import array_ops
                return array_ops.identity(x)
        from . import array_ops, math_ops, random_ops
        dt = x.dtype.base_dtype
        if isinstance(rate, numbers.Real):
            scale = _ops.convert_to_tensor(1 / (1 - rate), dtype=dt)
            ret = math_ops.multiply(x, scale)
        else:
            rate = _ops.convert_to_tensor(rate, dtype=dt, name="rate")
            if rate.shape.rank not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {rate.shape.rank} for "
                                 f"'rate' (received shape {rate.shape}).")
            ret = math_ops.multiply(x, math_ops.truediv(1.0, 1 - rate))
        if noise_shape is None:
            noise_shape = array_ops.shape(x)
        random_tensor = random_ops.random_uniform(noise_shape, seed=seed, dtype=dt)
        keep_mask = math_ops.greater_equal(random_tensor, rate)
        zeros = _ops.convert_to_tensor(0, dtype=dt)
        ret = array_ops.where_v2(keep_mask, ret, zeros)
        if not getattr(ret, "_is_eager", False):
            # a rate fed at run time (a keep_prob placeholder of unknown shape) broadcasts
            # to nothing new: TF pins the result to x's static shape
            ret.set_shape(x.shape)
        return ret


def dropout_v1(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """TF1's dropout: `keep_prob` (deprecated there in favour of `rate`)."""
    if keep_prob is not None and rate is not None:
        raise ValueError("You cannot specify both 'rate' and 'keep_prob'.")
    if keep_prob is not None:
        if isinstance(keep_prob, numbers.Real):
            if not 0 < keep_prob <= 1:
                raise ValueError(f"`keep_prob` must be a floating point number in (0, 1]. "
                                 f"Received: keep_prob={keep_prob}")
            rate = 1 - keep_prob
        else:
            rate = 1 - _ops.convert_to_tensor(keep_prob)
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    return dropout(x, rate, noise_shape=noise_shape, seed=seed, name=name)


# --- losses -----------------------------------------------------------------------------------

@registry.api("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None,
                                             _sentinel=None):
    """Per-example cross-entropy of integer `labels` against unnormalised `logits`."""
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with _ops.name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = _ops.convert_to_tensor(labels)
        logits = _ops.convert_to_tensor(logits)
        if labels.dtype.base_dtype not in (_dt.int32, _dt.int64):
            raise ValueError(f"labels must be of type int32 or int64 (got {labels.dtype.name})")
        # float16 logits are computed in float32 and the cost cast back, as TF does
        half = logits.dtype.base_dtype == _dt.float16
        if half:
            from . import math_ops
            logits = math_ops.cast(logits, _dt.float32)
        ls, lg = labels.shape, logits.shape
        if lg.rank == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {lg}.")
        if ls.rank is not None and lg.rank is not None and ls.rank != lg.rank - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {ls.rank}) should equal "
                             f"rank of logits minus 1 (received {lg.rank}).")
        if ls.rank is not None and lg.rank is not None and \
                not TensorShape(lg.as_tuple()[:-1]).is_compatible_with(ls):
            raise ValueError(f"Shape mismatch: The shape of labels (received {ls}) should "
                             f"equal the shape of logits except for the last dimension "
                             f"(received {lg}).")
        if lg.rank == 2:
            cost = apply_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels],
                            name="SparseSoftmaxCrossEntropyWithLogits")[0]
        else:
            from . import array_ops
            n_classes = array_ops.shape(logits)[-1] if lg.as_tuple()[-1] is None \
                else lg.as_tuple()[-1]
            flat_logits = array_ops.reshape(logits, [-1, n_classes])
            flat_labels = array_ops.reshape(labels, [-1])
            cost = apply_op("SparseSoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels],
                            name="SparseSoftmaxCrossEntropyWithLogits")[0]
            cost = array_ops.reshape(cost, array_ops.shape(labels))
        if half:
            from . import math_ops
            cost = math_ops.cast(cost, _dt.float16)
        return cost


@registry.api("SoftmaxCrossEntropyWithLogits")
def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Cross-entropy of probability `labels` against `logits` along `axis` (TF2's V2 op)."""
    with _ops.name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as name:
        logits = _ops.convert_to_tensor(logits, name="logits")
        labels = _ops.convert_to_tensor(labels, name="labels")
        if labels.dtype.base_dtype != logits.dtype.base_dtype:
            # TF casts the labels (integer one-hot rows included) to the logits' dtype
            from . import math_ops
            labels = math_ops.cast(labels, logits.dtype.base_dtype)
        rank = logits.shape.rank
        if rank is not None and not -rank <= axis < rank:
            # TF fails inside its Range op here ("Requires start <= limit"); same class, but
            # a message that says what is wrong
            msg = (f"softmax_cross_entropy_with_logits: axis {axis} is out of range for "
                   f"logits of rank {rank}; use an axis in [{-rank}, {rank})")
            if getattr(logits, "_is_eager", False):
                from .. import errors
                raise errors.InvalidArgumentError(None, None, msg)
            raise ValueError(msg)
        if rank is not None and axis not in (-1, rank - 1):
            from . import array_ops
            perm = list(range(rank))
            perm[axis], perm[-1] = perm[-1], perm[axis]
            logits = array_ops.transpose(logits, perm)
            labels = array_ops.transpose(labels, perm)
        if rank == 2:
            return apply_op("SoftmaxCrossEntropyWithLogits", [logits, labels], name=name)[0]
        from . import array_ops
        shape = array_ops.shape(logits)
        n = logits.shape.as_tuple()[-1] if rank else None
        n = -1 if n is None else n
        cost = apply_op("SoftmaxCrossEntropyWithLogits",
                        [array_ops.reshape(logits, [-1, n]), array_ops.reshape(labels, [-1, n])])[0]
        from . import array_ops as _a
        return _a.reshape(cost, shape[:-1], name=name)


def softmax_cross_entropy_with_logits_v1(_sentinel=None, labels=None, logits=None, dim=-1,
                                         name=None, axis=None):
    from . import array_ops
    labels = array_ops.stop_gradient(labels)
    return softmax_cross_entropy_with_logits(labels, logits, axis if axis is not None else dim,
                                             name)


@registry.api("L2Loss")
def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    return apply_op("L2Loss", [t], name=name or "L2Loss")[0]


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of `x` over `axes`."""
    from . import array_ops, math_ops
    with _ops.name_scope(name, "moments", [x, axes]):
        x = _ops.convert_to_tensor(x, name="x")
        y = math_ops.cast(x, _dt.float32) if x.dtype.base_dtype == _dt.float16 else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes,
            keepdims=True, name="variance")
        if not keepdims:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        return mean, variance


@registry.api("InTopKV2")
def in_top_k(targets, predictions, k, name=None):
    """TF2 argument order: whether each target is among the top `k` predictions."""
    with _ops.name_scope(name, "in_top_k"):
        targets = _ops.convert_to_tensor(targets)
        k = _ops.convert_to_tensor(k, dtype=targets.dtype.base_dtype)
        return apply_op("InTopKV2", [predictions, targets, k], name="InTopKV2")[0]


def in_top_k_v1(predictions, targets, k, name=None):
    with _ops.name_scope(name, "in_top_k"):
        targets = _ops.convert_to_tensor(targets)
        k = _ops.convert_to_tensor(k, dtype=targets.dtype.base_dtype)
        return apply_op("InTopKV2", [predictions, targets, k], name="InTopKV2")[0]




# --- convolution and pooling in 1 and N dimensions (compositions, as TF's nn_ops) ------------
# A 1-D convolution or pool is the 2-D op on an input with a unit height: TF inserts that
# axis with ExpandDims, runs Conv2D / MaxPool / AvgPool / Conv2DBackpropInput and squeezes it
# out again, so the graph shows exactly those ops.

def _get_sequence(value, n, channel_index, name):
    """TF's `_get_sequence`: an int or a list of 1, n or n + 2 ints, as n + 2 per-axis values
    with 1 for the batch and channel axes."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, numbers.Integral):
        value = [int(value)]
    value = [int(v) for v in np.asarray(value).ravel()]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2}. Received: "
                         f"{name}={value} of length {len(value)}")
    if channel_index == 1:
        return [1, 1] + value
    return [1] + value + [1]


def _attr_padding(padding):
    """The padding of a function that passes it straight to the op, as TF's generated op
    wrappers check it: InvalidArgumentError when running eagerly, ValueError in a graph."""
    p = str(padding)
    if p not in ("SAME", "VALID"):
        msg = (f"Value for attr 'padding' of \"{p}\" is not in the list of allowed values: "
               f"\"SAME\", \"VALID\", \"EXPLICIT\"")
        if _ops.executing_eagerly():
            raise errors.InvalidArgumentError(None, None, msg)
        raise ValueError(msg)
    return p


def _conv1d_format(data_format):
    """(2-D data format, the axis that becomes the unit height, channel index in 1-D)."""
    if data_format is None or data_format in ("NHWC", "NWC"):
        return "NHWC", 1, 2
    if data_format in ("NCHW", "NCW"):
        return "NCHW", 2, 1
    raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """1-D convolution: Conv2D over [batch, 1, width, channels] (TF2 signature)."""
    from . import array_ops
    with _ops.name_scope(name, "conv1d", [input, filters]) as name:
        fmt, axis, channel_index = _conv1d_format(data_format)
        strides = [1] + _get_sequence(stride, 1, channel_index, "stride")
        dilations = [1] + _get_sequence(dilations, 1, channel_index, "dilations")
        input = array_ops.expand_dims(input, axis - 4 if fmt == "NHWC" else -2)  # noqa: A001
        filters = array_ops.expand_dims(filters, 0)
        attrs = {"strides": strides, "padding": _attr_padding(padding), "data_format": fmt,
                 "dilations": dilations, "use_cudnn_on_gpu": True, "explicit_paddings": []}
        result = apply_op("Conv2D", [input, filters], attrs, name=name)[0]
        return array_ops.squeeze(result, [axis - 4 if fmt == "NHWC" else -2])


def conv1d_v1(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
              data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """TF1's conv1d: the input is `value` (or `input`)."""
    if input is not None:
        if value is not None:
            raise ValueError("Cannot specify both 'value' and 'input'.")
        value = input
    return conv1d(value, filters, stride, padding, data_format=data_format,
                  dilations=dilations, name=name)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """The transpose of conv2d: Conv2DBackpropInput with `input` as the output gradient."""
    with _ops.name_scope(name, "conv2d_transpose", [input, filters, output_shape]) as name:
        data_format = data_format or "NHWC"
        channel_index = 1 if data_format.startswith("NC") else 3
        attrs = {"strides": _get_sequence(strides, 2, channel_index, "strides"),
                 "padding": _attr_padding(padding), "data_format": data_format,
                 "dilations": _get_sequence(dilations, 2, channel_index, "dilations"),
                 "use_cudnn_on_gpu": True, "explicit_paddings": []}
        return apply_op("Conv2DBackpropInput", [output_shape, filters, input], attrs,
                        name=name)[0]


def conv2d_transpose_v1(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                        padding="SAME", data_format="NHWC", name=None, input=None,
                        filters=None, dilations=None):
    """TF1's conv2d_transpose: checks the channel counts while building, as TF1 does."""
    value = value if input is None else input
    filter = filter if filters is None else filters  # noqa: A001
    with _ops.name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as name:
        value = _ops.convert_to_tensor(value, name="value")
        filter = _ops.convert_to_tensor(filter, name="filter")  # noqa: A001
        axis = 3 if data_format == "NHWC" else 1
        vs, fs = value.shape, filter.shape
        if vs.rank is not None and fs.rank is not None and vs[axis] is not None \
                and fs[3] is not None and vs[axis] != fs[3]:
            raise ValueError(f"input channels does not match filter's input channels, "
                             f"{vs[axis]} != {fs[3]}")
        if not isinstance(output_shape, _ops.Tensor) and len(output_shape) != 4:
            raise ValueError(f"output_shape must have shape (4,), got {[len(output_shape)]}")
        return conv2d_transpose(value, filter, output_shape, strides, padding=padding,
                                data_format=data_format, dilations=dilations, name=name)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """The transpose of conv1d: Conv2DBackpropInput over a unit height."""
    from . import array_ops
    with _ops.name_scope(name, "conv1d_transpose", [input, filters, output_shape]) as name:
        fmt, axis, channel_index = _conv1d_format(data_format)
        strides = [1] + _get_sequence(strides, 1, channel_index, "stride")
        dilations = [1] + _get_sequence(dilations, 1, channel_index, "dilations")
        input = array_ops.expand_dims(input, axis)  # noqa: A001
        filters = array_ops.expand_dims(filters, 0)
        if not isinstance(output_shape, _ops.Tensor):
            output_shape = [int(d) for d in output_shape]
        output_shape = array_ops.concat([output_shape[:axis], [1], output_shape[axis:]], 0)
        attrs = {"strides": strides, "padding": _attr_padding(padding), "data_format": fmt,
                 "dilations": dilations, "use_cudnn_on_gpu": True, "explicit_paddings": []}
        result = apply_op("Conv2DBackpropInput", [output_shape, filters, input], attrs,
                          name=name)[0]
        return array_ops.squeeze(result, [axis])


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None):
    """conv1d_transpose or conv2d_transpose, chosen by the length of `output_shape`."""
    with _ops.name_scope(name, "conv_transpose", [input, filters, output_shape]) as name:
        if isinstance(output_shape, _ops.Tensor):
            n = output_shape.shape[0] - 2
        elif hasattr(output_shape, "__len__"):
            n = len(output_shape) - 2
        else:
            raise ValueError("`output_shape` must be a tensor or sized collection")
        if not 1 <= n <= 3:
            raise ValueError(f"`output_shape` must be of length 3, 4 or 5. Received: "
                             f"output_shape={output_shape} of length {n + 2}.")
        op = (conv1d_transpose, conv2d_transpose, conv3d_transpose)[n - 1]
        return op(input, filters, output_shape, strides, padding=padding,
                  data_format=data_format, dilations=dilations, name=name)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None):
    """N-D convolution (N = 1, 2 or 3), chosen by the rank of `filters` or `input`.

    A dilated one is SpaceToBatchND -> the op -> BatchToSpaceND, as TF builds it."""
    with _ops.name_scope(name, "convolution", [input, filters]) as name:
        filters = _ops.convert_to_tensor(filters, name="filters")
        input = _ops.convert_to_tensor(input, name="input")  # noqa: A001
        if filters.shape.rank is not None:
            n = filters.shape.rank - 2
        elif input.shape.rank is not None:
            n = input.shape.rank - 2
        else:
            raise ValueError("`input` and `filter` must have static rank; `tfteach` needs it")
        if not 1 <= n <= 3:
            raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: "
                             f"input.shape={input.shape} of rank {n + 2}")
        channel_index = 1 if data_format is not None and data_format.startswith("NC") else n + 1
        strides = _get_sequence(strides, n, channel_index, "strides")
        dilations = _get_sequence(dilations, n, channel_index, "dilations")
        spatial = dilations[2:] if channel_index == 1 else dilations[1:-1]
        if any(d != 1 for d in spatial):
            if any(d <= 0 for d in spatial):
                raise ValueError(f"all values of `dilation_rate` must be positive. Received: "
                                 f"dilation_rate={np.array(spatial)}")
            s = strides[2:] if channel_index == 1 else strides[1:-1]
            if any(v != 1 for v in s):
                raise ValueError(f"`strides > 1` not supported in conjunction with "
                                 f"`dilation_rate > 1`. Received: strides={s} and "
                                 f"dilation_rate={spatial}")
        def op(inp, _, pad, dil=None):
            ones = [1] * (n + 2)
            d = ones if dil is None else dil
            if n == 1:
                return conv1d(inp, filters, strides[1:-1] if channel_index != 1 else strides[2:],
                              pad, data_format=data_format,
                              dilations=d[1:-1] if channel_index != 1 else d[2:], name=name)
            if n == 3:
                return conv3d(inp, filters, strides, pad, data_format=data_format or "NDHWC",
                              dilations=d, name=name)
            return conv2d(inp, filters, strides, pad, data_format=data_format or "NHWC",
                          dilations=d, name=name)

        if all(d == 1 for d in spatial):
            return op(input, n, padding)
        # TF: SpaceToBatchND -> the op (VALID) -> BatchToSpaceND, where tfteach can build it
        # (channels last, shapes known); otherwise the op's own `dilations` attr
        if channel_index != 1 and input.shape.rank is not None and \
                None not in input.shape.as_tuple()[1:-1] and filters.shape.rank is not None \
                and None not in filters.shape.as_tuple()[:n]:
            return with_space_to_batch(input, spatial, _padding(padding), op,
                                       filter_shape=filters.shape.as_tuple())
        return op(input, n, padding, dilations)


def convolution_v1(input, filter=None, padding=None, strides=None,  # noqa: A002
                   dilation_rate=None, name=None, data_format=None, filters=None,
                   dilations=None):
    """TF1's convolution: `filter` and `dilation_rate`."""
    filter = filters if filter is None else filter  # noqa: A001
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    return convolution(input, filter, strides=strides, padding=padding,
                       data_format=data_format, dilations=dilation_rate, name=name)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with holes: `rate - 1` zeros between the filter's taps."""
    return convolution(value, filters, padding=padding, dilations=np.array([rate, rate]),
                       name=name)


def _pool1d(op_type, default_name, input, ksize, strides, padding, data_format,  # noqa: A002
            name):
    from . import array_ops
    with _ops.name_scope(name, default_name, [input]) as name:
        data_format = data_format or "NWC"
        channel_index = 1 if data_format.startswith("NC") else 2
        ksize = [1] + _get_sequence(ksize, 1, channel_index, "ksize")
        strides = [1] + _get_sequence(strides, 1, channel_index, "strides")
        axis = 1 if data_format == "NWC" else 2
        fmt = "NHWC" if data_format == "NWC" else "NCHW"
        input = array_ops.expand_dims(input, axis)  # noqa: A001
        attrs = {"ksize": ksize, "strides": strides, "padding": _attr_padding(padding),
                 "data_format": fmt}
        if op_type == "MaxPool":
            attrs["explicit_paddings"] = []
        result = apply_op(op_type, [input], attrs, name=name)[0]
        return array_ops.squeeze(result, [axis])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """The maximum over each window of a [batch, width, channels] input."""
    return _pool1d("MaxPool", "MaxPool1d", input, ksize, strides, padding, data_format, name)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """The average over each window of a [batch, width, channels] input."""
    return _pool1d("AvgPool", "AvgPool1D", input, ksize, strides, padding, data_format, name)


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",  # noqa: A002
         data_format=None, dilations=None, name=None):
    """N-D max or average pooling (N = 1, 2 or 3)."""
    from . import array_ops
    with _ops.name_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        input = _ops.convert_to_tensor(input, name="input")  # noqa: A001
        window_shape = [int(v) for v in window_shape]
        n = len(window_shape)
        if n < 1 or n > 3:
            raise ValueError(f"`len(window_shape)` must be 1, 2, or 3. Received: "
                             f"window_shape={window_shape} of length {n}")
        input.shape.with_rank(n + 2)
        strides = [1] * n if strides is None else [int(v) for v in strides]
        dilations = [1] * n if dilations is None else [int(v) for v in dilations]
        if any(v < 1 for v in window_shape):
            raise ValueError(f"all values of `window_shape` must be positive. Received: "
                             f"window_shape={window_shape}")
        if any(v < 1 for v in strides):
            raise ValueError(f"all values of `strides` must be positive. Received: "
                             f"strides={strides}")
        if any(v < 1 for v in dilations):
            raise ValueError(f"all values of `dilation_rate` must be positive. Received: "
                             f"dilation_rate={dilations}")
        if any(v != 1 for v in strides) and any(v != 1 for v in dilations):
            raise ValueError(f"`strides` > 1 not supported in conjunction with `dilation_rate` "
                             f"> 1. Received: strides={strides} and dilation_rate={dilations}")
        if pooling_type not in ("MAX", "AVG"):
            raise ValueError(f"{n}-D {pooling_type} pooling is not supported.")
        if any(v != 1 for v in dilations):
            if str(padding).upper() == "SAME":
                raise ValueError(f"pooling with 'SAME' padding is not implemented for "
                                 f"`dilation_rate` > 1. Received: padding={padding} and "
                                 f"dilation_rate={np.array(dilations)}")
            # as TF: the windows of a dilated pool are dense ones after SpaceToBatchND
            return with_space_to_batch(
                input, dilations, padding,
                lambda inp, _, pad: pool(inp, window_shape, pooling_type, padding=pad,
                                         data_format=data_format),
                filter_shape=window_shape, data_format=data_format)
        if n == 3:
            op = max_pool3d if pooling_type == "MAX" else avg_pool3d
            return op(input, window_shape, strides, padding, data_format=data_format,
                      name=scope)
        op_type = "MaxPool" if pooling_type == "MAX" else "AvgPool"
        nc = data_format is not None and data_format.startswith("NC")
        if n == 1:
            window_shape, strides = [1] + window_shape, [1] + strides
            axis = 2 if nc else 1
            input = array_ops.expand_dims(input, axis)  # noqa: A001
        fmt = "NCHW" if nc else "NHWC"
        ksize = [1, 1] + window_shape if nc else [1] + window_shape + [1]
        s = [1, 1] + strides if nc else [1] + strides + [1]
        attrs = {"ksize": ksize, "strides": s, "padding": _padding(padding), "data_format": fmt}
        if op_type == "MaxPool":
            attrs["explicit_paddings"] = []
        result = apply_op(op_type, [input], attrs, name=scope)[0]
        if n == 1:
            result = array_ops.squeeze(result, [axis])
        return result


def pool_v1(input, window_shape, pooling_type, padding, dilation_rate=None,  # noqa: A002
            strides=None, name=None, data_format=None, dilations=None):
    """TF1's pool: `padding` comes before `strides`, dilations are `dilation_rate`."""
    dilations = dilation_rate if dilations is None else dilations
    return pool(input, window_shape, pooling_type, strides=strides, padding=padding,
                data_format=data_format, dilations=dilations, name=name)


# --- depthwise and separable convolution, space/depth, local response normalisation ---------

def _dw_attrs(strides, padding, data_format, dilations):
    data_format = data_format or "NHWC"
    return {"strides": [int(v) for v in strides], "padding": _attr_padding(padding),
            "data_format": data_format, "explicit_paddings": [],
            "dilations": [int(v) for v in (dilations or [1, 1, 1, 1])]}


@registry.api("DepthwiseConv2dNative")
def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=(1, 1, 1, 1), name=None):
    """The DepthwiseConv2dNative op: `strides` and `dilations` are 4 ints."""
    return apply_op("DepthwiseConv2dNative", [input, filter],
                    _dw_attrs(strides, padding, data_format, dilations),
                    name=name or "DepthwiseConv2dNative")[0]


@registry.api("DepthwiseConv2dNativeBackpropInput")
def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                           padding, data_format="NHWC",
                                           dilations=(1, 1, 1, 1), name=None):
    return apply_op("DepthwiseConv2dNativeBackpropInput", [input_sizes, filter, out_backprop],
                    _dw_attrs(strides, padding, data_format, dilations),
                    name=name or "DepthwiseConv2dNativeBackpropInput")[0]


@registry.api("DepthwiseConv2dNativeBackpropFilter")
def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                            padding, data_format="NHWC",
                                            dilations=(1, 1, 1, 1), name=None):
    return apply_op("DepthwiseConv2dNativeBackpropFilter", [input, filter_sizes, out_backprop],
                    _dw_attrs(strides, padding, data_format, dilations),
                    name=name or "DepthwiseConv2dNativeBackpropFilter")[0]


def _dilated(op, input, filter, dil, padding, data_format):  # noqa: A002
    """`op` with the dilations `dil` (4 ints): as TF, SpaceToBatchND -> op -> BatchToSpaceND
    where the shapes are known and channels are last; else the op's `dilations` attr."""
    nc = data_format is not None and data_format.startswith("NC")
    rate = dil[2:] if nc else dil[1:3]
    if all(r == 1 for r in rate):
        return op(input, 2, padding)
    if not nc and input.shape.rank is not None and None not in input.shape.as_tuple()[1:3] \
            and filter.shape.rank is not None and None not in filter.shape.as_tuple()[:2]:
        return with_space_to_batch(input, rate, _attr_padding(padding), op,
                                   filter_shape=filter.shape.as_tuple())
    return op(input, 2, padding, dil)


def _rate_dilations(rate, strides, data_format):
    """The 4 dilations of a depthwise convolution at `rate` (1 or 2 ints)."""
    rate = [1, 1] if rate is None else [int(v) for v in np.asarray(rate).ravel()]
    if len(rate) == 1:
        rate = rate * 2
    if any(r < 1 for r in rate):
        raise ValueError(f"all values of `dilation_rate` must be positive. Received: "
                         f"dilation_rate={np.array(rate)}")
    if any(r > 1 for r in rate) and any(int(s) != 1 for s in strides):
        raise NotImplementedError("tfteach has no SpaceToBatchND op: a dilated depthwise "
                                  "convolution with strides > 1 is not implemented")
    if data_format is not None and data_format.startswith("NC"):
        return [1, 1] + rate
    return [1] + rate + [1]


def depthwise_conv2d_v1(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                        data_format=None, dilations=None):
    """Depthwise 2-D convolution (TF1 signature: `rate`)."""
    rate = dilations if rate is None else rate
    with _ops.name_scope(name, "depthwise", [input, filter]) as name:
        input = _ops.convert_to_tensor(input, name="tensor_in")  # noqa: A001
        filter = _ops.convert_to_tensor(filter, name="filter_in")  # noqa: A001
        dil = _rate_dilations(rate, strides, data_format)

        def op(inp, _, pad, d=(1, 1, 1, 1)):
            return depthwise_conv2d_native(inp, filter, strides, pad,
                                           data_format=data_format or "NHWC", dilations=d,
                                           name=name)
        return _dilated(op, input, filter, dil, padding, data_format)


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """Depthwise 2-D convolution: channel c convolved with filter[:, :, c, m] gives output
    channel c * channel_multiplier + m."""
    return depthwise_conv2d_v1(input, filter, strides, padding, rate=dilations, name=name,
                               data_format=data_format)


def separable_conv2d_v1(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                        rate=None, name=None, data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 (pointwise) Conv2D mixing the channels."""
    rate = dilations if rate is None else rate
    with _ops.name_scope(name, "separable_conv2d",
                         [input, depthwise_filter, pointwise_filter]) as name:
        input = _ops.convert_to_tensor(input, name="tensor_in")  # noqa: A001
        depthwise_filter = _ops.convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pointwise_filter = _ops.convert_to_tensor(pointwise_filter, name="pointwise_filter")
        ps = pointwise_filter.shape.with_rank(4).as_tuple()
        for d in ps[:2]:
            if d is not None and d != 1:
                raise ValueError(f"Dimensions {d} and 1 are not compatible")
        dil = _rate_dilations(rate, strides, data_format)

        def op(inp, _, pad, d=(1, 1, 1, 1)):
            return depthwise_conv2d_native(inp, depthwise_filter, strides, pad,
                                           data_format=data_format or "NHWC", dilations=d,
                                           name="depthwise")
        depthwise = _dilated(op, input, depthwise_filter, dil, padding, data_format)
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], padding="VALID",
                      data_format=data_format or "NHWC", name=name)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     data_format=None, dilations=None, name=None):
    return separable_conv2d_v1(input, depthwise_filter, pointwise_filter, strides, padding,
                               rate=dilations, name=name, data_format=data_format)


def _block_op(op_type, input, block_size, data_format, name):  # noqa: A002
    return apply_op(op_type, [input], {"block_size": int(block_size),
                                       "data_format": data_format or "NHWC"},
                    name=name or op_type)[0]


@registry.api("SpaceToDepth")
def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Each block_size x block_size block of pixels becomes one pixel of block_size^2 times
    the depth (row-major within the block, then the channel)."""
    return _block_op("SpaceToDepth", input, block_size, data_format, name)


@registry.api("DepthToSpace")
def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """The inverse of space_to_depth."""
    return _block_op("DepthToSpace", input, block_size, data_format, name)


def space_to_depth_v1(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    return _block_op("SpaceToDepth", input, block_size, data_format, name)


def depth_to_space_v1(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    return _block_op("DepthToSpace", input, block_size, data_format, name)


@registry.api("LRN")
def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,  # noqa: A002
                                 name=None):
    """input / (bias + alpha * sum of squares over the 2 * depth_radius + 1 nearest
    channels) ** beta."""
    return apply_op("LRN", [input], {"depth_radius": int(depth_radius), "bias": float(bias),
                                     "alpha": float(alpha), "beta": float(beta)},
                    name=name or "LRN")[0]


lrn = local_response_normalization


# --- 3-D convolution and pooling ---------------------------------------------------------------

def _conv3d_attrs(strides, padding, data_format, dilations):
    return {"strides": [int(v) for v in strides], "padding": _attr_padding(padding),
            "data_format": data_format or "NDHWC",
            "dilations": [int(v) for v in (dilations or [1, 1, 1, 1, 1])]}


@registry.api("Conv3D")
def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None):
    """3-D convolution: `strides` and `dilations` are 5 ints (1 for batch and channels)."""
    return apply_op("Conv3D", [input, filters],
                    _conv3d_attrs(strides, padding, data_format, dilations),
                    name=name or "Conv3D")[0]


def conv3d_v1(input, filter=None, strides=None, padding=None,  # noqa: A002
              data_format="NDHWC", dilations=(1, 1, 1, 1, 1), name=None, filters=None):
    """TF1's conv3d: `filter` (or `filters`)."""
    filter = filters if filter is None else filter  # noqa: A001
    return conv3d(input, filter, strides, padding, data_format, dilations, name)


@registry.api("Conv3DBackpropFilterV2")
def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                              data_format="NDHWC", dilations=(1, 1, 1, 1, 1), name=None):
    return apply_op("Conv3DBackpropFilterV2", [input, filter_sizes, out_backprop],
                    _conv3d_attrs(strides, padding, data_format, dilations),
                    name=name or "Conv3DBackpropFilterV2")[0]


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None):
    """The transpose of conv3d: Conv3DBackpropInputV2 with `input` as the output gradient."""
    with _ops.name_scope(name, "conv3d_transpose", [input, filters, output_shape]) as name:
        data_format = data_format or "NDHWC"
        channel_index = 1 if data_format.startswith("NC") else 4
        attrs = {"strides": _get_sequence(strides, 3, channel_index, "strides"),
                 "padding": _attr_padding(padding), "data_format": data_format,
                 "dilations": _get_sequence(dilations, 3, channel_index, "dilations")}
        return apply_op("Conv3DBackpropInputV2", [output_shape, filters, input], attrs,
                        name=name)[0]


def conv3d_transpose_v1(value, filter=None, output_shape=None, strides=None,  # noqa: A002
                        padding="SAME", data_format="NDHWC", name=None, input=None,
                        filters=None, dilations=None):
    value = value if input is None else input
    filter = filter if filters is None else filters  # noqa: A001
    return conv3d_transpose(value, filter, output_shape, strides, padding=padding,
                            data_format=data_format, dilations=dilations, name=name)


def _pool3d(op_type, input, ksize, strides, padding, data_format, name):  # noqa: A002
    with _ops.name_scope(name, op_type, [input]) as name:
        data_format = data_format or "NDHWC"
        channel_index = 1 if data_format.startswith("NC") else 4
        attrs = {"ksize": _get_sequence(ksize, 3, channel_index, "ksize"),
                 "strides": _get_sequence(strides, 3, channel_index, "strides"),
                 "padding": _attr_padding(padding), "data_format": data_format}
        return apply_op(op_type, [input], attrs, name=name)[0]


@registry.api("MaxPool3D")
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """The maximum over each window of a [batch, depth, height, width, channels] input."""
    return _pool3d("MaxPool3D", input, ksize, strides, padding, data_format, name)


@registry.api("AvgPool3D")
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """The average over each window of a [batch, depth, height, width, channels] input."""
    return _pool3d("AvgPool3D", input, ksize, strides, padding, data_format, name)


# --- fused batch normalisation ----------------------------------------------------------------

@registry.api("FusedBatchNormV3")
def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None,
                     exponential_avg_factor=1.0):
    """(y, running or batch mean, running or batch variance) from FusedBatchNormV3.

    Training: normalises with the batch's statistics and returns them (the variance with
    Bessel's correction), blended into `mean`/`variance` when exponential_avg_factor != 1.
    Inference: normalises with `mean` and `variance` and returns them."""
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or
                                                               variance is None):
        raise ValueError(f"Both `mean` and `variance` must be a 1D tensor when `is_training` is "
                         f"False or `exponential_avg_factor` != 1.0. Received: `mean` {mean!r} "
                         f"and `variance` {variance!r}")
    x = _ops.convert_to_tensor(x, name="input")
    scale = _ops.convert_to_tensor(scale, name="scale")
    offset = _ops.convert_to_tensor(offset, name="offset")
    if mean is None:
        mean = _ops.convert_to_tensor(np.zeros([0]), dtype=scale.dtype)
    if variance is None:
        variance = _ops.convert_to_tensor(np.zeros([0]), dtype=scale.dtype)
    # TF passes epsilon at least as large as cuDNN's minimum
    epsilon = max(float(epsilon), 1.001e-5)
    outs = apply_op("FusedBatchNormV3", [x, scale, offset, mean, variance],
                    {"epsilon": epsilon, "exponential_avg_factor": float(exponential_avg_factor),
                     "data_format": data_format, "is_training": bool(is_training)},
                    name=name or "FusedBatchNormV3")
    return outs[0], outs[1], outs[2]


# --- dilation as TF computes it: SpaceToBatchND -> the op -> BatchToSpaceND --------------------

def _space_to_batch_paddings(input_spatial, filter_spatial, rate, padding):
    """(paddings, crops) of TF's with_space_to_batch for known shapes: SAME pads the dilated
    filter's extent (the extra at the end), then each spatial dim is padded up to a multiple
    of its rate; the crops remove that extra padding again."""
    paddings, crops = [], []
    for size, k, r in zip(input_spatial, filter_spatial, rate):
        if padding == "SAME":
            extra = (k - 1) * r
            start, end = extra // 2, extra - extra // 2
        else:
            start = end = 0
        pad_extra = (r - (size + start + end) % r) % r
        paddings.append([start, end + pad_extra])
        crops.append([0, pad_extra])
    return np.array(paddings, np.int32), np.array(crops, np.int32)


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """Runs `op(converted_input, num_spatial_dims, padding)` on `input` rearranged so that a
    dilated filter becomes a dense one: each of the rate**N phases of the input is a batch
    entry (SpaceToBatchND), `op` runs with VALID padding, and BatchToSpaceND interleaves the
    results back. With every rate 1 it is `op(input, N, padding)`."""
    from . import array_ops
    input = _ops.convert_to_tensor(input, name="input")  # noqa: A001
    rate = [int(v) for v in np.asarray(dilation_rate).ravel()]
    n = len(rate)
    if any(r < 1 for r in rate):
        raise ValueError(f"all values of `dilation_rate` must be positive. Received: "
                         f"dilation_rate={np.array(rate)}")
    padding = str(padding).upper()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"`padding` must be either 'VALID' or 'SAME'. Received: "
                         f"padding={padding}")
    if all(r == 1 for r in rate):
        return op(input, n, padding)
    nc = data_format is not None and data_format.startswith("NC")
    if spatial_dims is None:
        spatial_dims = list(range(2, n + 2)) if nc else list(range(1, n + 1))
    spatial_dims = [int(d) for d in spatial_dims]
    if spatial_dims != list(range(spatial_dims[0], spatial_dims[0] + n)) or spatial_dims[0] != 1:
        raise NotImplementedError("tfteach's with_space_to_batch needs the spatial dims right "
                                  "after the batch dim (channels-last)")
    dims = input.shape.as_tuple() if input.shape.rank is not None else None
    input_spatial = None if dims is None else [dims[d] for d in spatial_dims]
    if padding == "SAME" and filter_shape is None:
        raise ValueError("`filter_shape` must be specified for `padding='SAME'`")
    fs = [1] * n if filter_shape is None else \
        [int(v) for v in np.asarray(tensor_util.constant_value(filter_shape)
                                    if isinstance(filter_shape, _ops.Tensor)
                                    else filter_shape).ravel()][:n]
    if input_spatial is None or None in input_spatial:
        raise NotImplementedError("tfteach's with_space_to_batch needs the input's spatial "
                                  "shape while building the graph")
    paddings, crops = _space_to_batch_paddings(input_spatial, fs, rate, padding)
    block = np.array(rate, np.int32)
    converted = array_ops.space_to_batch_nd(input, block, paddings)
    result = op(converted, n, "VALID")
    return array_ops.batch_to_space_nd(result, block, crops)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of atrous_conv2d: SpaceToBatchND (padding the input up to a multiple of
    `rate`), a dense VALID Conv2DBackpropInput over the rate**2 phases, BatchToSpaceND
    cropping both the SAME padding and that extra."""
    from . import array_ops
    with _ops.name_scope(name, "atrous_conv2d_transpose",
                         [value, filters, output_shape]) as name:
        value = _ops.convert_to_tensor(value, name="value")
        filters = _ops.convert_to_tensor(filters, name="filters")
        vc = value.shape.as_tuple()[3] if value.shape.rank == 4 else None
        fs = filters.shape.as_tuple() if filters.shape.rank is not None else (None,) * 4
        if vc is not None and fs[3] is not None and vc != fs[3]:
            raise ValueError(f"`value` channel count must be compatible with `filters` input "
                             f"channel count. Received: value.shape={value.shape} with {vc} "
                             f"channels and filters.shape={filters.shape} with {fs[3]} input "
                             f"channels.")
        if rate < 1:
            raise ValueError(f"`rate` cannot be less than one. Received: rate={rate}")
        if rate == 1:
            return conv2d_transpose(value, filters, output_shape, strides=[1, 1, 1, 1],
                                    padding=padding, data_format="NHWC")
        if isinstance(output_shape, _ops.Tensor) or None in fs[:2]:
            raise NotImplementedError("tfteach's atrous_conv2d_transpose needs output_shape "
                                      "and the filter's size while building the graph")
        output_shape = [int(d) for d in output_shape]
        if len(output_shape) != 4:
            raise ValueError(f"`output_shape` must have shape (4,). Received: "
                             f"output_shape={output_shape}")
        if fs[2] is not None and fs[2] != output_shape[3]:
            raise ValueError(f"`output_shape` channel count must be compatible with `filters` "
                             f"output channel count. Received: output_shape={output_shape} "
                             f"with {output_shape[3]} channels and filters.shape="
                             f"{filters.shape} with {fs[2]} output channels.")
        padding = str(padding).upper()
        if padding == "SAME":
            # the dilated filter spans (k - 1) * rate + 1 pixels; as conv2d, more at the end
            ph, pw = (fs[0] - 1) * rate, (fs[1] - 1) * rate
            top, left = ph // 2, pw // 2
            bottom, right = ph - top, pw - left
        elif padding == "VALID":
            top = bottom = left = right = 0
        else:
            raise ValueError(f"`padding` must be either 'VALID' or 'SAME'. Received: "
                             f"padding={padding}")
        in_h = output_shape[1] + top + bottom
        in_w = output_shape[2] + left + right
        extra_h, extra_w = (rate - in_h % rate) % rate, (rate - in_w % rate) % rate
        block = np.array([rate, rate], np.int32)
        value = array_ops.space_to_batch_nd(value, block,
                                            np.array([[0, extra_h], [0, extra_w]], np.int32))
        sizes = np.array([rate * rate * output_shape[0], (in_h + extra_h) // rate,
                          (in_w + extra_w) // rate, output_shape[3]], np.int32)
        value = apply_op("Conv2DBackpropInput", [sizes, filters, value],
                         {"strides": [1, 1, 1, 1], "padding": "VALID", "data_format": "NHWC",
                          "dilations": [1, 1, 1, 1], "use_cudnn_on_gpu": True,
                          "explicit_paddings": []}, name="Conv2DBackpropInput")[0]
        return array_ops.batch_to_space_nd(
            value, block, np.array([[top, bottom + extra_h], [left, right + extra_w]], np.int32))


@registry.api("MaxPoolWithArgmax")
def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         output_dtype=_dt.int64, include_batch_in_index=False, name=None):
    """(max pool, flat index of each maximum): ((b * H + y) * W + x) * C + c with the batch,
    (y * W + x) * C + c without."""
    if data_format != "NHWC":
        raise ValueError(f"`data_format` values other  than 'NHWC' are not supported. "
                         f"Received: data_format={data_format}")
    outs = apply_op("MaxPoolWithArgmax", [input],
                    {"ksize": _get_sequence(ksize, 2, 3, "ksize"),
                     "strides": _get_sequence(strides, 2, 3, "strides"),
                     "padding": _attr_padding(padding),
                     "Targmax": _dt.as_dtype(output_dtype),
                     "include_batch_in_index": bool(include_batch_in_index)},
                    name=name or "MaxPoolWithArgmax")
    return outs[0], outs[1]


def max_pool_with_argmax_v1(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                            Targmax=None, name=None, output_dtype=None,
                            include_batch_in_index=False):
    """TF1's spelling: the index type as `Targmax` (or `output_dtype`)."""
    if Targmax is not None and output_dtype is not None:
        raise ValueError("Cannot specify both 'Targmax' and 'output_dtype'.")
    dtype = Targmax if Targmax is not None else output_dtype
    return max_pool_with_argmax(input, ksize, strides, padding, data_format=data_format,
                                output_dtype=_dt.int64 if dtype is None else dtype,
                                include_batch_in_index=include_batch_in_index, name=name)
