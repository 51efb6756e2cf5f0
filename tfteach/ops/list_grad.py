"""Gradients of the TensorList ops (TF's list_ops gradients).

The gradient of a list is a list: each op's gradient is the op that undoes it on the
gradient list (a push back's is a pop back, a stack's is a list made from the tensor, a
read at `index` writes its gradient at `index` of a list of zeros). A list with no incoming
gradient is an empty list or a list of unset elements, which reads back as zeros.
"""
import numpy as np

from ..framework import registry
from ..framework.op_def_library import apply_op
from . import list_ops as _l


def _ed(op):
    return op.get_attr("element_dtype")


def _shape_of(t):
    return apply_op("Shape", [t], {"out_type": _l._I})[0]


def _zeros_like(t):
    return apply_op("ZerosLike", [t])[0]


@registry.RegisterGradient("TensorListPushBack")
def _push_back_grad(op, dlist):
    if dlist is None:
        dlist = _l.empty_tensor_list(element_dtype=_ed(op), element_shape=_element_shape(
            op.outputs[0]))
    dlist, delement = _l.tensor_list_pop_back(dlist, element_dtype=_ed(op),
                                              element_shape=_shape_of(op.inputs[1]))
    return [dlist, delement]


@registry.RegisterGradient("TensorListPopBack")
def _pop_back_grad(op, dlist, delement):
    if dlist is None:
        dlist = _l.empty_tensor_list(element_dtype=_ed(op),
                                     element_shape=_element_shape(op.outputs[0]))
    if delement is None:
        delement = _zeros_like(op.outputs[1])
    return [_l.tensor_list_push_back(dlist, delement), None]


def _element_shape(handle):
    return _l.tensor_list_element_shape(handle, shape_type=_l._I)


@registry.RegisterGradient("TensorListStack")
def _stack_grad(op, dtensor):
    return [_l.tensor_list_from_tensor(dtensor, element_shape=_shape_of(dtensor)[1:]),
            None]


@registry.RegisterGradient("TensorListConcatV2")
def _concat_grad(op, dtensor, unused_dlengths):
    dlist = _l.tensor_list_split(dtensor, element_shape=_element_shape(op.inputs[0]),
                                 lengths=op.outputs[1])
    return [dlist, None, None]


@registry.RegisterGradient("TensorListSplit")
def _split_grad(op, dlist):
    tensor, _, lengths = op.inputs
    rest = _shape_of(tensor)[1:]
    element_shape = apply_op("ConcatV2", [[np.array([-1], np.int32), rest], np.int32(0)])[0]
    dtensor, _ = _l.tensor_list_concat_v2(dlist, element_dtype=_ed(op),
                                       element_shape=element_shape, leading_dims=lengths)
    return [dtensor, None, None]


@registry.RegisterGradient("TensorListFromTensor")
def _from_tensor_grad(op, dlist):
    if dlist is None:
        return [None, None]
    t = op.inputs[0]
    n = t.shape[0] if t.shape.rank else None
    shape = _shape_of(t)
    dtensor = _l.tensor_list_stack(dlist, element_dtype=t.dtype,
                                   num_elements=-1 if n is None else n,
                                   element_shape=shape[1:])
    return [dtensor, None]


@registry.RegisterGradient("TensorListGetItem")
def _get_item_grad(op, ditem):
    lst = op.inputs[0]
    zeros = _l.tensor_list_reserve(element_shape=_element_shape(lst),
                                   num_elements=_l.tensor_list_length(lst),
                                   element_dtype=ditem.dtype)
    return [_l.tensor_list_set_item(zeros, op.inputs[1], ditem), None, None]


@registry.RegisterGradient("TensorListSetItem")
def _set_item_grad(op, dlist):
    lst, index, item = op.inputs
    if op.get_attr("resize_if_index_out_of_bounds"):
        # the forward list may have grown: the input's gradient is cut back to its length
        dlist_in = _l.tensor_list_resize(dlist, _l.tensor_list_length(lst))
    else:
        dlist_in = dlist
    dlist_in = _l.tensor_list_set_item(dlist_in, index, _zeros_like(item),
                                       resize_if_index_out_of_bounds=op.get_attr(
                                           "resize_if_index_out_of_bounds"))
    if op.get_attr("resize_if_index_out_of_bounds"):
        dlist_in = _l.tensor_list_resize(dlist_in, _l.tensor_list_length(lst))
    ditem = _l.tensor_list_get_item(dlist, index, element_dtype=item.dtype,
                                    element_shape=_shape_of(item))
    return [dlist_in, None, ditem]


@registry.RegisterGradient("TensorListResize")
def _resize_grad(op, dlist):
    return [_l.tensor_list_resize(dlist, _l.tensor_list_length(op.inputs[0])), None]


@registry.RegisterGradient("TensorListGather")
def _gather_grad(op, dtensor):
    lst, indices, _ = op.inputs
    zeros = _l.tensor_list_reserve(element_shape=_element_shape(lst),
                                   num_elements=_l.tensor_list_length(lst),
                                   element_dtype=dtensor.dtype)
    return [_l.tensor_list_scatter_into_existing_list(zeros, dtensor, indices), None, None]


@registry.RegisterGradient("TensorListScatterIntoExistingList")
def _scatter_existing_grad(op, dlist):
    lst, tensor, indices = op.inputs
    dtensor = _l.tensor_list_gather(dlist, indices, element_dtype=tensor.dtype,
                                    element_shape=_shape_of(tensor)[1:])
    zeros = _zeros_like(tensor)
    return [_l.tensor_list_scatter_into_existing_list(dlist, zeros, indices), dtensor, None]


@registry.RegisterGradient("TensorListScatterV2")
def _scatter_grad(op, dlist):
    tensor, indices = op.inputs[0], op.inputs[1]
    dtensor = _l.tensor_list_gather(dlist, indices, element_dtype=tensor.dtype,
                                    element_shape=_shape_of(tensor)[1:])
    return [dtensor, None, None, None]

