"""GPU kernels of the FIFO queue (ops/data_flow_ops.py), as TF 2.21 registers them: the
queue's handle (and QueueSizeV2's size) in host memory, the enqueued and dequeued
components in device memory.

The queue itself is one session resource shared by every op that names it, wherever each
runs, and TF has no GPU kernel for EnqueueMany, DequeueMany/UpTo or the padding and
shuffling queues: those stay on the CPU and read the same queue. So the queue keeps its
tuples in host memory, as the CPU kernels do: a GPU enqueue copies its components to the
host, a GPU dequeue hands the tuple out in device memory."""
from . import _dev

_dev.register_via_cpu("FIFOQueueV2", host_memory=("handle",))
_dev.register_via_cpu("QueueEnqueueV2", host_memory=("handle",))
_dev.register_via_cpu("QueueDequeueV2", host_memory=("handle",))
_dev.register_via_cpu("QueueCloseV2", host_memory=("handle",))
_dev.register_via_cpu("QueueIsClosedV2", host_memory=("handle",))
_dev.register_via_cpu("QueueSizeV2", host_memory=("handle", "size"))
