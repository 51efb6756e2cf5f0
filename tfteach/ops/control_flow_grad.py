"""Gradients of the control_flow family (ops/control_flow_ops.py): a Switch's gradient is a
Merge of its outputs' gradients and a Merge's a Switch on the same predicate; the frame ops
of a while loop get theirs from tf.gradients for the loop as a whole (while_grad.py)."""
from .. import errors
from ..framework import dtypes as _dt
from ..framework import registry
from . import constant_op, math_ops
from . import control_flow_v1 as _cf


def _switch_grad(op, grad_false, grad_true):
    ctx = _cf._cond_context(op)
    grads = [grad_false, grad_true]
    if ctx is not None:
        if grads[1 - ctx.branch] is None:
            if op._inputs[0].dtype.base_dtype == _dt.resource and \
                    grads[ctx.branch] is not None:
                # a variable's handle gets a gradient only from the branch reading it
                if LIVE_RESOURCE_GRADS:
                    return _live_resource_grad(op, ctx, grads[ctx.branch]), None
                return _cf.merge([grads[ctx.branch]] * 2, name="cond_resource_grad")[0], None
            return None, None
        return _cf.merge(grads, name="cond_grad")[0], None
    # a Switch outside any cond: each output's gradient flows when that output was live
    pred = op._inputs[1]
    gf = _cf.switch(grad_false, pred)[0] if grad_false is not None else None
    gt = _cf.switch(grad_true, pred)[1] if grad_true is not None else None
    live = [x for x in (gf, gt) if x is not None]
    return (_cf.merge(live)[0] if live else None), None


# TF1 merges a variable's one-branch gradient with itself, dead when the branch did not run;
# a tape inside a tf.function has TF2's functional cond, where that branch contributes zeros.
# The tape's backward pass through loops (eager/backprop.py) turns this on while it runs.
LIVE_RESOURCE_GRADS = False


def _live_resource_grad(op, ctx, grad):
    """`grad` merged with zeros live exactly when the branch did not run."""
    from ..framework import ops as _ops
    from . import array_ops
    grad = _ops.convert_to_tensor(grad)
    other = 1 - ctx.branch
    if grad.shape.is_fully_defined():
        pivot = array_ops.identity(_cf.switch(ctx.pred, ctx.pred)[other])
        with _ops.control_dependencies([pivot]):
            zeros = array_ops.zeros(grad.shape.as_list(), dtype=grad.dtype.base_dtype)
    else:
        handle = _cf._switch_ref_or_tensor(op._inputs[0], ctx.pred)[other]
        from ..framework.op_def_library import apply_op
        value = apply_op("ReadVariableOp", [handle], {"dtype": grad.dtype.base_dtype},
                         name="ReadVariableOp")[0]
        zeros = array_ops.zeros_like(value)
    pair = [grad, zeros] if ctx.branch == 0 else [zeros, grad]
    return _cf.merge(pair, name="cond_resource_grad")[0]


def _merge_grad(op, grad, _grad_index):
    ctx = _cf._cond_context(op._inputs[0].op)
    if ctx is not None and len(op._inputs) == 2:
        return list(_cf._switch_ref_or_tensor(grad, ctx.pred, name="cond_grad"))
    # a Merge outside any cond: the gradient goes to the input that was forwarded
    out = []
    for i in range(len(op._inputs)):
        taken = math_ops.equal(op._outputs[1], constant_op.constant(i, dtype=_dt.int32))
        out.append(_cf._switch_ref_or_tensor(grad, taken)[1])
    return out


for _t in ("Switch", "RefSwitch"):
    registry.RegisterGradient(_t)(_switch_grad)
for _t in ("Merge", "RefMerge"):
    registry.RegisterGradient(_t)(_merge_grad)


def _while_grad(op, *grads):
    # tf.gradients differentiates a loop as a whole (while_grad.LoopNode), never op by op;
    # reaching a frame op alone means a walk that does not know loops
    raise errors.UnimplementedError(
        None, op, f"The gradient of while loop op '{op.name}' ({op.type}) is built for the "
                  f"whole loop by tf.gradients; this walk reached the op on its own.")


for _t in ("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration"):
    registry.RegisterGradient(_t)(_while_grad)
