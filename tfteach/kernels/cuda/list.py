"""GPU kernels of the TensorList ops. As in TF's registrations the list (the variant) is
not host memory: its elements are device arrays, and only the shape vectors, indices,
counts and lengths TF names in HostMemory stay on the host. The list value itself is the
CPU kernels' TensorList (kernels/cpu/list.py) with `DEVICE` in place of their host side: a
set or push keeps the device array it is given, a get hands it back, a stack, gather or
concat is one device copy per element (array.py's slab copy), a from-tensor, scatter or
split keeps views of rows of the value."""
import numpy as np

from ..cpu import list as _cpu
from . import _dev
from ._dev import register
from .array import concat as _concat_slabs
from .array import full
from .elementwise import apply


def _add(x, y):
    return x + y


class _Device:
    """The device side of a list's elements (the CPU's is list.HOST)."""

    @staticmethod
    def value(v, dtype):
        if _dev.is_device(v):
            return v
        from .. import gpu_memory     # looked up at call time: copies are counted there
        return gpu_memory.to_device(np.asarray(v, dtype=dtype))

    @staticmethod
    def zeros(shape, dtype):
        return full(tuple(shape), 0, np.dtype(dtype))

    @staticmethod
    def stack(values, shape, dtype):
        if not values:
            return full(tuple(shape), 0, np.dtype(dtype))
        values = [_dev.contiguous(v) for v in values]
        return _concat_slabs([v.reshape((1,) + tuple(v.shape)) for v in values], 0)

    @staticmethod
    def concat(values, shape, dtype):
        if not values:
            return full(tuple(shape), 0, np.dtype(dtype))
        return _concat_slabs([_dev.contiguous(v) for v in values], 0)

    @staticmethod
    def concat_pair(values):
        return _concat_slabs([_dev.contiguous(v) for v in values], 0)

    @staticmethod
    def rows(value, start, stop):
        return value[start:stop]

    @staticmethod
    def add(a, b):
        return apply(_add, [a, b], a.dtype, "AddN")


DEVICE = _Device()


def _numeric(op):
    # the device side holds numbers; a list of strings stays on the CPU
    return np.dtype(op.get_attr("element_dtype").np_dtype).kind in "biufc"


def _h(x):
    return np.asarray(_dev.to_host(x)) if _dev.is_device(x) else np.asarray(x)


@register("EmptyTensorList", host_memory=("element_shape", "max_num_elements"),
          check=_numeric)
def empty_tensor_list(element_shape, max_num_elements, *, element_dtype, shape_type):
    return _cpu.empty_tensor_list(_h(element_shape), _h(max_num_elements),
                                  element_dtype=element_dtype, shape_type=shape_type)


@register("TensorListReserve", host_memory=("element_shape", "num_elements"), check=_numeric)
def tensor_list_reserve(element_shape, num_elements, *, element_dtype, shape_type):
    return _cpu.tensor_list_reserve(_h(element_shape), _h(num_elements),
                                    element_dtype=element_dtype, shape_type=shape_type)


@register("TensorListFromTensor", host_memory=("element_shape",), check=_numeric)
def tensor_list_from_tensor(tensor, element_shape, *, element_dtype, shape_type):
    return _cpu.from_tensor(tensor, _h(element_shape), element_dtype, DEVICE)


@register("TensorListScatterV2", host_memory=("element_shape", "indices", "num_elements"),
          check=_numeric)
def tensor_list_scatter(tensor, indices, element_shape, num_elements, *, element_dtype,
                        shape_type):
    empty = _cpu.TensorList([], element_dtype.np_dtype, _cpu._shape(_h(element_shape)))
    return _cpu.scatter(empty, tensor, _h(indices), int(_h(num_elements)), DEVICE)


@register("TensorListScatterIntoExistingList", host_memory=("indices",), check=_numeric)
def tensor_list_scatter_into_existing_list(input_handle, tensor, indices, *, element_dtype):
    return _cpu.scatter(_cpu._L(input_handle), tensor, _h(indices), -1, DEVICE)


@register("TensorListSplit", host_memory=("element_shape", "lengths"), check=_numeric)
def tensor_list_split(tensor, element_shape, lengths, *, element_dtype, shape_type):
    return _cpu.split(tensor, _h(element_shape), _h(lengths), element_dtype, DEVICE)


@register("TensorListLength", host_memory=("length",))
def tensor_list_length(input_handle):
    return _cpu.tensor_list_length(input_handle)


@register("TensorListElementShape", host_memory=("element_shape",))
def tensor_list_element_shape(input_handle, *, shape_type):
    return _cpu.tensor_list_element_shape(input_handle, shape_type=shape_type)


@register("TensorListGetItem", host_memory=("index", "element_shape"), check=_numeric)
def tensor_list_get_item(input_handle, index, element_shape, *, element_dtype):
    return _cpu.get_item(_cpu._L(input_handle), _h(index), _h(element_shape), element_dtype,
                         DEVICE)


@register("TensorListStack", host_memory=("element_shape",), check=_numeric)
def tensor_list_stack(input_handle, element_shape, *, element_dtype, num_elements):
    return _cpu.stack(_cpu._L(input_handle), _h(element_shape), element_dtype, num_elements,
                      DEVICE)


@register("TensorListGather", host_memory=("indices", "element_shape"), check=_numeric)
def tensor_list_gather(input_handle, indices, element_shape, *, element_dtype):
    return _cpu.gather(_cpu._L(input_handle), _h(indices), _h(element_shape), element_dtype,
                       DEVICE)


@register("TensorListConcatV2", host_memory=("element_shape", "leading_dims", "lengths"),
          check=_numeric)
def tensor_list_concat(input_handle, element_shape, leading_dims, *, element_dtype,
                       shape_type):
    return _cpu.concat(_cpu._L(input_handle), _h(element_shape), _h(leading_dims),
                       element_dtype, DEVICE)


@register("TensorListSetItem", host_memory=("index",), check=_numeric)
def tensor_list_set_item(input_handle, index, item, *, element_dtype,
                         resize_if_index_out_of_bounds):
    return _cpu.set_item(_cpu._L(input_handle), _h(index), item,
                         resize_if_index_out_of_bounds, DEVICE)


@register("TensorListPushBack", check=_numeric)
def tensor_list_push_back(input_handle, tensor, *, element_dtype):
    return _cpu.push_back(_cpu._L(input_handle), tensor, DEVICE)


@register("TensorListPopBack", host_memory=("element_shape",), check=_numeric)
def tensor_list_pop_back(input_handle, element_shape, *, element_dtype):
    return _cpu.pop_back(_cpu._L(input_handle), _h(element_shape), element_dtype, DEVICE)


@register("TensorListResize", host_memory=("size",))
def tensor_list_resize(input_handle, size):
    return _cpu.tensor_list_resize(input_handle, _h(size))


@register("TensorListConcatLists", check=_numeric)
def tensor_list_concat_lists(input_a, input_b, *, element_dtype):
    return _cpu.concat_lists(_cpu._L(input_a), _cpu._L(input_b), element_dtype,
                             DEVICE.concat_pair)
