"""MatMul [-> Reshape] -> BiasAdd [-> Relu] and Conv2D -> BiasAdd [-> Relu] computed as one
kernel, as TF's remapper does (and a Relu layer's gradient through the max pool after it).

TF rewrites a float32 MatMul (or Conv2D) whose only consumer is a BiasAdd (and that one's
only consumer a Relu) into `_FusedMatMul` (`_FusedConv2D`), so the bias and the activation
are applied while the product's output is still in cache instead of in two more passes over
memory with two more buffers.
A plan does the same at compile time: the graph is untouched (what `%%graph` draws, the
gradients, a traced run's per-op timings all see the three ops), only the plan's code calls
one function at the group's last op.

A fused group forms only on the CPU, for float32, when the intermediate results have no
other consumer and are not fetched, and no input is a reference edge. Errors still name the
op that failed (the MatMul's shape check, the BiasAdd's).
"""
import numpy as np

from .executor import error_for_op
from .fusion import FusedGroup

__all__ = ["find_epilogues", "find_update_groups"]


def find_epilogues(ops, fetch_tensors, feed_tensors, placement):
    in_plan = set(ops)
    fetched = set(fetch_tensors)
    fed = set(feed_tensors)

    def only_consumer(op, op_type):
        t = op._outputs[0]
        if t in fetched or t in fed or op._control_outputs:
            return None
        users = [c for c in t._consumers if c in in_plan]
        if len(users) != 1 or users[0]._type != op_type or placement.get(users[0]) != "CPU":
            return None
        return users[0]

    groups = []
    for mm in ops:
        if mm._type == "MaxPoolGrad" and placement.get(mm) == "CPU":
            g = _pool_relu_group(mm, only_consumer, in_plan, fed)
            if g is not None:
                groups.append(g)
            continue
        if mm._type not in ("MatMul", "Conv2D") or placement.get(mm) != "CPU" or \
                mm.get_attr("T").base_dtype.np_dtype != np.float32:
            continue
        if mm._type == "Conv2D":
            g = _conv_group(mm, only_consumer, in_plan, fed)
            if g is not None:
                groups.append(g)
            continue
        # a Dense layer on a rank-3 input reshapes the product back before its bias
        reshape = only_consumer(mm, "Reshape")
        bias_add = only_consumer(reshape or mm, "BiasAdd")
        if bias_add is None or bias_add._inputs[0] is not (reshape or mm)._outputs[0]:
            continue
        relu = only_consumer(bias_add, "Relu")
        members = [mm] + ([reshape] if reshape is not None else []) + [bias_add] + \
            ([relu] if relu is not None else [])
        inputs = [mm._inputs[0], mm._inputs[1], bias_add._inputs[1]] + \
            ([reshape._inputs[1]] if reshape is not None else [])
        if any(t.dtype.is_ref_dtype or t.op not in in_plan and t not in fed for t in inputs) \
                or any(o._control_inputs for o in members[1:]):
            continue
        g = FusedGroup(members, members[-1], inputs, {})
        g.kernel = _fused_kernel(mm, reshape, bias_add, relu is not None)
        groups.append(g)
    return groups


def _conv_group(conv, only_consumer, in_plan, fed):
    bias_add = only_consumer(conv, "BiasAdd")
    if bias_add is None or bias_add._inputs[0] is not conv._outputs[0] or \
            _attr_str(bias_add, "data_format") != "NHWC" or \
            _attr_str(conv, "data_format") != "NHWC" or _attr_str(conv, "padding") == "EXPLICIT":
        return None
    relu = only_consumer(bias_add, "Relu")
    members = [conv, bias_add] + ([relu] if relu is not None else [])
    inputs = [conv._inputs[0], conv._inputs[1], bias_add._inputs[1]]
    if any(t.dtype.is_ref_dtype or t.op not in in_plan and t not in fed for t in inputs) \
            or any(o._control_inputs for o in members[1:]):
        return None
    g = FusedGroup(members, members[-1], inputs, {})
    g.kernel = _fused_conv_kernel(conv, bias_add, relu is not None)
    return g


def _pool_relu_group(pool_grad, only_consumer, in_plan, fed):
    """MaxPoolGrad -> ReluGrad where the Relu's output is the pool's input (a Relu layer
    followed by max pooling, as the seed CNN has it): the mask is applied to each image of
    the pool's gradient while it is in cache instead of in another pass over memory."""
    relu_grad = only_consumer(pool_grad, "ReluGrad")
    x = pool_grad._inputs[0]
    if relu_grad is None or relu_grad._inputs[0] is not pool_grad._outputs[0] or \
            relu_grad._inputs[1] is not x or \
            x.dtype.base_dtype.np_dtype not in (np.float32, np.float64) or \
            relu_grad._outputs[0].dtype != x.dtype:
        return None
    inputs = list(pool_grad._inputs)
    if any(t.dtype.is_ref_dtype or t.op not in in_plan and t not in fed for t in inputs) \
            or relu_grad._control_inputs:
        return None
    g = FusedGroup([pool_grad, relu_grad], relu_grad, inputs, {})
    g.kernel = _fused_pool_relu_kernel(pool_grad)
    return g


def _fused_pool_relu_kernel(pool_grad):
    from ..kernels.cpu import nn
    attrs = dict(ksize=list(pool_grad.get_attr("ksize")),
                 strides=list(pool_grad.get_attr("strides")),
                 padding=_attr_str(pool_grad, "padding"),
                 data_format=_attr_str(pool_grad, "data_format"))

    def fused_pool_relu(x, y, grad):
        # ReluGrad's operands are already checked equal in shape (the pool's input twice)
        return _as_op(pool_grad, nn.max_pool_grad_relu, x, y, grad, **attrs)
    return fused_pool_relu


def _attr_str(op, name):
    v = op.get_attr(name)
    return v.decode() if isinstance(v, bytes) else v


def _fused_conv_kernel(conv, bias_add, relu):
    from ..framework import registry
    from ..kernels.cpu import nn
    attrs = dict(strides=list(conv.get_attr("strides")), padding=_attr_str(conv, "padding"),
                 data_format="NHWC", dilations=list(conv.get_attr("dilations")))
    conv_kernel = registry.get("Conv2D").kernel_for("CPU")

    def fused_conv(x, f, bias):
        # the bias and the Relu are applied to each block of output as the conv finishes
        # it; a bias that does not fit (shape, dtype) leaves BiasAdd's own checks to run
        y = _as_op(conv, nn.conv2d_epilogue, x, f, bias, relu=relu, **attrs)
        if y is not None:
            return y
        y = _as_op(conv, conv_kernel, x, f, **attrs)
        return _as_op(bias_add, nn.bias_add_into, y, bias, data_format="NHWC", relu=relu)
    return fused_conv


def _fused_kernel(mm, reshape, bias_add, relu):
    from ..framework import registry
    from ..kernels.cpu import linalg, nn
    ta, tb = mm.get_attr("transpose_a"), mm.get_attr("transpose_b")
    data_format = bias_add.get_attr("data_format")
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    reshape_kernel = registry.get("Reshape").kernel_for("CPU") if reshape is not None else None

    def fused_matmul(a, b, bias, shape=None):
        # the bias is added per column of the product when a Reshape keeps the last axis
        # (a Dense layer on [batch, steps, features]); then the own GEMM adds it, and the
        # Relu, to each tile as it is finished (no second pass over the output)
        if not data_format.startswith("NC") and (
                shape is None or _last_dim(shape) == _cols(b, tb)):
            y = _as_op(mm, linalg.mat_mul_epilogue, a, b, bias, transpose_a=ta,
                       transpose_b=tb, relu=relu)
            if y is not None:
                return y if reshape is None else _as_op(reshape, reshape_kernel, y, shape)
        y = _as_op(mm, linalg.mat_mul, a, b, transpose_a=ta, transpose_b=tb)
        if reshape is not None:
            y = _as_op(reshape, reshape_kernel, y, shape)
        return _as_op(bias_add, nn.bias_add_into, y, bias, data_format=data_format, relu=relu)
    return fused_matmul


def _last_dim(shape):
    s = np.asarray(shape).reshape(-1)
    return int(s[-1]) if s.size else None


def _cols(b, transpose_b):
    b = np.shape(b)
    return b[-2 if transpose_b else -1] if len(b) == 2 else None


def _as_op(op, fn, *args, **kwargs):
    """Runs one member's kernel; its error names that member, as the unfused plan's would."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - re-raised as TF reports it
        err = error_for_op(op, e)
        if err is e:
            raise
        raise err from None


# --- an optimizer's per-variable update, marked by the optimizer ---------------------------------
# Keras 3's Adam is 13 element-wise ops and three variable writes per variable (the graph keeps
# them, as Keras builds them). keras/optimizers.py marks each variable's ops; a plan runs a
# marked group as one kernel (kernels/cpu/training.keras_adam_update, the same arithmetic in the
# same order) when the group is whole, on the CPU, and no op outside it sees an intermediate
# value. The plan runs ops in creation order and a group's ops were created together, so
# nothing runs between them that the one kernel could reorder.

_ADAM_TYPES = ("ReadVariableOp", "Sub", "Mul", "AssignAddVariableOp", "Square", "Sqrt",
               "AddV2", "RealDiv", "AssignSubVariableOp", "Const")


def find_update_groups(graph, ops, fetch_tensors, feed_tensors, placement):
    hints = getattr(graph, "_update_hints", None)
    if not hints:
        return []
    in_plan = set(ops)
    fetched, fed = set(fetch_tensors), set(feed_tensors)
    groups = []
    for h in hints:
        g = _adam_group(h, in_plan, fetched, fed, placement)
        if g is not None:
            groups.append(g)
    return groups


def _adam_group(h, in_plan, fetched, fed, placement):
    members = h["ops"]
    if h["kind"] != "KerasAdam" or any(o not in in_plan or placement.get(o) != "CPU" or
                                       o._type not in _ADAM_TYPES for o in members):
        return None
    root = members[-1]
    adds = [o for o in members if o._type == "AssignAddVariableOp"]
    consts = [o._outputs[0] for o in members if o._type == "Const"]
    if root._type != "AssignSubVariableOp" or len(adds) != 2 or len(consts) != 3:
        return None
    g, alpha = h["g"], h["alpha"]
    handles = [root._inputs[0], adds[0]._inputs[0], adds[1]._inputs[0]]
    mset = set(members)
    first = min(o._id for o in members)
    outside = set(handles) | {g, alpha}
    for o in members:
        # a function's automatic control dependencies order the update's own reads and
        # writes, which the fused kernel does in that order, make the update wait for the
        # variable's earlier reads (the forward pass's: created before the group, so run
        # before it, as a plan runs in creation order), and gate its outputs on a NoOp that
        # waits for the root too (so for the whole group); any other edge from or to
        # outside the group stops the fusion
        if any(c not in mset and c._id > first for c in o._control_inputs) or \
                any(c not in mset and not (c._type == "NoOp" and root in c._control_inputs)
                    for c in o._control_outputs):
            return None
        for t in o._inputs:
            if t.op not in mset and t not in outside:
                return None
        for t in o._outputs:
            if t in fetched or t in fed or any(c in in_plan and c not in mset
                                               for c in t._consumers):
                return None
    if any(t.dtype.is_ref_dtype or (t.op not in in_plan and t not in fed)
           for t in [g, alpha] + handles):
        return None
    if g.dtype.base_dtype.np_dtype not in (np.float32, np.float64):
        return None
    # the constants in the order the update uses them: 1 - beta_1, 1 - beta_2, epsilon
    grp = FusedGroup(members, root, handles + [g, alpha] + consts, {})
    grp.kernel = _adam_kernel(members)
    grp.needs_ctx = True
    return grp


def _adam_kernel(members):
    from ..kernels.cpu import training
    root = members[-1]

    def keras_adam(var, m, v, g, alpha, omb1, omb2, eps, *, ctx):
        return _as_op(root, training.keras_adam_update, var, m, v, g, alpha, omb1, omb2, eps,
                      ctx=ctx)
    return keras_adam
