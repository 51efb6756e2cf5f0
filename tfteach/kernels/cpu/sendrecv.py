"""CPU kernels of `_Send` / `_Recv`: they only talk to the step's rendezvous, which the
task running the partition sets on the run context (tfteach/distribute/worker.py)."""
from ... import errors
from ...framework.registry import register_kernel


def rendezvous_key(send_device, incarnation, recv_device, tensor_name):
    """TF's rendezvous key: `send_device;incarnation (hex);recv_device;tensor_name;0:0`."""
    return (f"{send_device};{incarnation & 0xFFFFFFFFFFFFFFFF:016x};{recv_device};"
            f"{tensor_name};0:0")


def _rendezvous(ctx, what):
    r = getattr(ctx, "rendezvous", None)
    if r is None:
        raise errors.UnimplementedError(
            None, None, f"{what} runs only inside a distributed step (a partition the master "
                        f"built), where the task provides the rendezvous")
    return r


@register_kernel("_Send")
def send(tensor, *, ctx, tensor_name, send_device, send_device_incarnation, recv_device,
         client_terminated):
    key = rendezvous_key(send_device, send_device_incarnation, recv_device, tensor_name)
    _rendezvous(ctx, "_Send").send(key, tensor, recv_device, client_terminated)


@register_kernel("_Recv")
def recv(*, ctx, tensor_name, send_device, send_device_incarnation, recv_device,
         client_terminated):
    key = rendezvous_key(send_device, send_device_incarnation, recv_device, tensor_name)
    return _rendezvous(ctx, "_Recv").recv(key, send_device, client_terminated)
