"""GPU kernels of the TensorArray ops. As in TF's registrations the handle (the array's
state, a host object), `size`, indices and `lengths` stay in host memory, and the elements
are device arrays: a write keeps the device array it is given, a read hands it back, a
gather/stack and a concat are one device copy per element (array.py's slab copy), a
scatter/unstack and a split keep views of rows of the value. The flow values only order
the kernels; a kernel hands on the device scalar it was given, so no flow value is copied
either. The bookkeeping and the errors are the CPU kernels' (kernels/cpu/tensor_array.py),
with `DEVICE` in place of their host side."""
import numpy as np

from ..cpu import tensor_array as _cpu
from . import _dev
from ._dev import register
from .array import concat as _concat_slabs
from .array import full
from .elementwise import apply


def _add(x, y):
    return x + y


class _Device:
    """The device side of a TensorArray's elements (the CPU's is tensor_array.HOST)."""

    @staticmethod
    def value(v, dtype):
        if _dev.is_device(v):
            return v
        return _dev.to_device(np.asarray(v, dtype=dtype))

    @staticmethod
    def add(a, b):
        return apply(_add, [a, b], a.dtype, "TensorArrayWriteV3")

    @staticmethod
    def zeros(shape, dtype):
        return full(tuple(shape), 0, np.dtype(dtype))

    @staticmethod
    def stack(values):
        values = [_dev.contiguous(v) for v in values]
        return _concat_slabs([v.reshape((1,) + tuple(v.shape)) for v in values], 0)

    @staticmethod
    def concat(values):
        return _concat_slabs([_dev.contiguous(v) for v in values], 0)

    @staticmethod
    def row(value, i):
        # a view of row i (numba would copy a 1-D array's element to the host)
        return value[i:i + 1].reshape(tuple(value.shape[1:]))


DEVICE = _Device()


@register("TensorArrayV3", host_memory=("size", "handle"))
def tensor_array(size, *, dtype, element_shape, dynamic_size, clear_after_read,
                 identical_element_shapes, tensor_array_name, op):
    handle, _ = _cpu.tensor_array(np.asarray(_dev.to_host(size)), dtype=dtype,
                                  element_shape=element_shape, dynamic_size=dynamic_size,
                                  clear_after_read=clear_after_read,
                                  identical_element_shapes=identical_element_shapes,
                                  tensor_array_name=tensor_array_name, op=op)
    return handle, full((), 0, np.float32)


@register("TensorArrayGradV3", host_memory=("handle", "grad_handle"))
def tensor_array_grad(handle, flow_in, *, source):
    grad, _ = _cpu.tensor_array_grad(handle, flow_in, source=source)
    return grad, flow_in


@register("TensorArrayWriteV3", host_memory=("handle", "index"))
def tensor_array_write(handle, index, value, flow_in):
    handle.write(int(np.asarray(index)), value, DEVICE)
    return flow_in


@register("TensorArrayReadV3", host_memory=("handle", "index"))
def tensor_array_read(handle, index, flow_in, *, dtype):
    return handle.read(int(np.asarray(index)), side=DEVICE)


@register("TensorArrayGatherV3", host_memory=("handle", "indices"))
def tensor_array_gather(handle, indices, flow_in, *, dtype, element_shape):
    return _cpu.gather(handle, indices, element_shape, DEVICE)


@register("TensorArrayScatterV3", host_memory=("handle", "indices"))
def tensor_array_scatter(handle, indices, value, flow_in):
    _cpu.scatter(handle, indices, value, DEVICE)
    return flow_in


@register("TensorArrayConcatV3", host_memory=("handle", "lengths"))
def tensor_array_concat(handle, flow_in, *, dtype, element_shape_except0):
    return _cpu.concat(handle, element_shape_except0, DEVICE)


@register("TensorArraySplitV3", host_memory=("handle", "lengths"))
def tensor_array_split(handle, value, lengths, flow_in):
    _cpu.split(handle, value, lengths, DEVICE)
    return flow_in


@register("TensorArraySizeV3", host_memory=("handle", "size"))
def tensor_array_size(handle, flow_in):
    return _cpu.tensor_array_size(handle, flow_in)


@register("TensorArrayCloseV3", host_memory=("handle",))
def tensor_array_close(handle):
    _cpu.tensor_array_close(handle)
