"""GPU kernels of the dataset iterator ops (ops/dataset_ops.py). TF 2.21 registers its
iterator kernels for GPU devices too: the input pipeline itself is host code, the iterator
is a host object (a resource handle), and what the GPU kernel adds is that the elements it
hands out (IteratorGetNext's and OptionalGetValue's components) are in device memory, so a
model placed on the GPU consumes them with no copy in between. OneShotIterator has no GPU
kernel in TF (and none here): pinned to a GPU without soft placement it is TF's error.

TF keeps in host memory: MakeIterator's `dataset` (tfteach passes the graph tensors the
dataset was built from, its `captures`, in that place), the string handle of
IteratorToStringHandle / IteratorFromStringHandleV2, and OptionalHasValue's `has_value`
(a loop's condition reads it)."""
from . import _dev

_dev.register_via_cpu("IteratorV2")
_dev.register_via_cpu("AnonymousIteratorV3")
_dev.register_via_cpu("IteratorGetNext")
_dev.register_via_cpu("IteratorGetNextAsOptional")
_dev.register_via_cpu("OptionalGetValue")
_dev.register_via_cpu("OptionalHasValue", host_memory=("has_value",))
_dev.register_via_cpu("IteratorToStringHandle", host_memory=("string_handle",))
_dev.register_via_cpu("IteratorFromStringHandleV2", host_memory=("string_handle",))

# TF's MakeIterator reads its dataset (a host-memory variant) from input 0; tfteach's
# declaration has the iterator first and the dataset's graph inputs after it, the list TF
# would read through that variant: all of them stay on the host, under TF's name.
_make = _dev.register_via_cpu("MakeIterator")
_make.host_inputs = lambda n: tuple(range(1, n))
_make.host_memory = ("dataset",)
