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


def _conv2d_shape(op):
    x, f = op.inputs[0].shape, op.inputs[1].shape
    if x.rank is not None and x.rank != 4:
        raise op.shape_error(f"Shape must be rank 4 but is rank {x.rank}")
    if f.rank is not None and f.rank != 4:
        raise op.shape_error(f"Shape must be rank 4 but is rank {f.rank}")
    if x.rank is None or f.rank is None:
        return [unknown_shape(4)]
    fmt = op.get_attr("data_format")
    hi, wi, ci = _spatial_axes(fmt)
    xs, fs = x.as_tuple(), f.as_tuple()
    strides, dil = op.get_attr("strides"), op.get_attr("dilations")
    if xs[ci] is not None and fs[2] is not None and xs[ci] % fs[2] != 0:
        raise op.shape_error(f"Depth of input ({xs[ci]}) is not a multiple of input depth "
                             f"of filter ({fs[2]})")
    pad = op.get_attr("padding")
    oh = None if fs[0] is None else conv_output_size(xs[hi], fs[0], strides[hi], dil[hi], pad)
    ow = None if fs[1] is None else conv_output_size(xs[wi], fs[1], strides[wi], dil[wi], pad)
    if (oh is not None and oh <= 0) or (ow is not None and ow <= 0):
        raise op.shape_error("Negative dimension size caused by subtracting filter size from "
                             "input size")
    if fmt.startswith("NC"):
        return [TensorShape([xs[0], fs[3], oh, ow])]
    return [TensorShape([xs[0], oh, ow, fs[3]])]


def _sizes_shape(index):
    """Shape rule of a backprop op whose output shape is given by a constant int input."""
    def rule(op):
        from ..framework import tensor_util
        v = tensor_util.constant_value(op.inputs[index])
        if v is not None:
            return [TensorShape([int(d) for d in np.asarray(v).ravel()])]
        return [unknown_shape(4)]
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
    if x.rank is not None and x.rank != 4:
        raise op.shape_error(f"Shape must be rank 4 but is rank {x.rank}")
    if x.rank is None:
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


