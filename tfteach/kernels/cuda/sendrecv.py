"""GPU kernels of `_Send` / `_Recv` (TF 2.21 has both for GPU devices, with the tensor in
device memory). The step's rendezvous (tfteach/distribute/worker.py) carries values between
tasks through Dask, which moves host bytes: a `_Send` on a GPU stages its device tensor to
the host (the copy TF's rendezvous makes for a transfer that leaves the device), and a
`_Recv` on a GPU lands what arrives in device memory, so the receiving partition's GPU ops
read it there. A value in the rendezvous is therefore always a host value, whichever
device sent it or receives it."""
from . import _dev

_dev.register_via_cpu("_Send")
_dev.register_via_cpu("_Recv")
