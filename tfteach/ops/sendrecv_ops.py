"""`_Send` / `_Recv`: the pair the distributed master puts on every edge that crosses
devices, and on the client's feeds and fetches (tfteach/distribute/master.py).

Both name the same rendezvous key (send device, its incarnation, receive device, tensor
name); the kernels hand the value to the run's rendezvous (`ctx.rendezvous`), which the task
running the partition provides. Users never build them; `send`/`recv` below are the raw ops,
as `tf.raw_ops.Send`/`Recv` are in TF.
"""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.tensor_shape import unknown_shape

_ATTRS = {"tensor_name": "", "send_device": "", "send_device_incarnation": 0,
          "recv_device": "", "client_terminated": False}

registry.register_op("_Send", inputs=(("tensor", "T"),), outputs=(), stateful=True,
                     shape=lambda op: [], attr_defaults=dict(_ATTRS),
                     doc="Hands a tensor to the step's rendezvous under its key (a cut edge).")
registry.register_op("_Recv", inputs=(), outputs=(("tensor", "tensor_type"),), stateful=True,
                     shape=lambda op: [unknown_shape()], attr_defaults=dict(_ATTRS),
                     doc="Waits for the tensor a _Send handed to the step's rendezvous.")
registry.NotDifferentiable("_Send")
registry.NotDifferentiable("_Recv")


def _attrs(tensor_name, send_device, send_device_incarnation, recv_device, client_terminated):
    return {"tensor_name": tensor_name, "send_device": send_device,
            "send_device_incarnation": int(send_device_incarnation),
            "recv_device": recv_device, "client_terminated": bool(client_terminated)}


@registry.api("_Send")
def send(tensor, tensor_name, send_device, send_device_incarnation, recv_device,
         client_terminated=False, name=None):
    """Adds a `_Send` of `tensor` (the master's partitioner builds these)."""
    from ..framework import ops as _ops
    from ..framework.op_def_library import apply_op
    tensor = _ops.convert_to_tensor(tensor)
    attrs = _attrs(tensor_name, send_device, send_device_incarnation, recv_device,
                   client_terminated)
    attrs["T"] = tensor.dtype.base_dtype
    return apply_op("_Send", [tensor], attrs, name=name or "Send")


@registry.api("_Recv")
def recv(tensor_type, tensor_name, send_device, send_device_incarnation, recv_device,
         client_terminated=False, name=None):
    """Adds a `_Recv` producing a `tensor_type` tensor."""
    from ..framework.op_def_library import apply_op
    attrs = _attrs(tensor_name, send_device, send_device_incarnation, recv_device,
                   client_terminated)
    attrs["tensor_type"] = _dt.as_dtype(tensor_type)
    return apply_op("_Recv", [], attrs, name=name or "Recv")[0]
