"""Gradients of the tensor_array family (TF's tensor_array_grad): each forward read, gather or
concat writes its gradient into a gradient TensorArray (TensorArrayGradV3) that the backward
pass then reads, and the reverse for writes, scatters and splits."""
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import tensor_array_ops as _ta


def _grad_source(grad):
    """The `gradients` scope the gradient is built under (TF's _GetGradSource)."""
    parts = grad.op.name.split("/")
    for i, p in enumerate(parts):
        if p.startswith("gradients"):
            return "/".join(parts[:i + 1])
    raise ValueError(f"Expected op/tensor name to start with gradients (excluding scope), "
                     f"got: {grad.op.name}")


def _ta_of(op, dtype, flow):
    return _ta._GraphTensorArray(dtype, handle=op.inputs[0], flow=flow)


def _grad_after_write(op, flow):
    """The gradient array of a write-like op (write, scatter, split) and the flow that
    orders it: backward reads wait for the forward op's flow (TF's flow_out/write_barrier)."""
    source = _grad_source(flow)
    flow_out = apply_op("Identity", [op.outputs[0]], name="flow_out")[0]
    with _ops.control_dependencies([flow_out]):
        flow = apply_op("Identity", [flow], name="write_barrier")[0]
    return _ta_of(op, op.get_attr("T"), flow).grad(source=source, flow=flow), flow


@registry.RegisterGradient("TensorArrayReadV3")
def _read_grad(op, grad):
    flow = op.inputs[2]
    g = _ta_of(op, op.get_attr("dtype"), flow).grad(source=_grad_source(grad), flow=flow)
    return [None, None, g.write(op.inputs[1], grad).flow]


@registry.RegisterGradient("TensorArrayWriteV3")
def _write_grad(op, flow):
    g, flow = _grad_after_write(op, flow)
    return [None, None, g.read(op.inputs[1]), flow]


@registry.RegisterGradient("TensorArrayGatherV3")
def _gather_grad(op, grad):
    flow = op.inputs[2]
    g = _ta_of(op, op.get_attr("dtype"), flow).grad(source=_grad_source(grad), flow=flow)
    return [None, None, g.scatter(op.inputs[1], grad).flow]


@registry.RegisterGradient("TensorArrayScatterV3")
def _scatter_grad(op, flow):
    g, flow = _grad_after_write(op, flow)
    return [None, None, g.gather(op.inputs[1]), flow]


@registry.RegisterGradient("TensorArrayConcatV3")
def _concat_grad(op, grad, unused_lengths_grad):
    flow = op.inputs[1]
    g = _ta_of(op, op.get_attr("dtype"), flow).grad(source=_grad_source(grad), flow=flow)
    return [None, g.split(grad, op.outputs[1]).flow]


@registry.RegisterGradient("TensorArraySplitV3")
def _split_grad(op, flow):
    g, flow = _grad_after_write(op, flow)
    return [None, g.concat(), None, flow]
