"""TensorList: TF 2's list of tensors as one value of dtype `variant`.

TF 2's tf.function (while_v2) records a TensorArray inside a loop, and the accumulators its
loop gradients keep, as TensorList ops: the list is an ordinary scalar tensor of dtype
`variant` that flows along graph edges (a loop variable of `While`, an argument of `If`),
and every op that "changes" it returns a new list. Nothing is shared state, unlike the
TensorArrayV3 handle of tensor_array_ops.py, so these ops are not stateful and a list can be
captured, fed back and differentiated like any tensor.

`element_shape` arguments are shape vectors (-1 for an unknown dimension, the scalar -1
for an unknown rank); an element's shape must be compatible with the list's.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape
from ..framework.tensor_util import constant_value, constant_value_as_shape

__all__ = []

_V = _dt.variant
_I = _dt.int32


def _scalar(op):
    return [TensorShape([])]


def _es(t):
    """The element shape a shape-vector input states (unknown where it is -1)."""
    v = constant_value(t)
    if v is not None and np.ndim(v) == 0:
        return unknown_shape()
    try:
        return constant_value_as_shape(t)
    except Exception:           # noqa: BLE001 - a shape input that is not a vector
        return unknown_shape()


def _list_shape(handle, depth=0):
    """The element shape graph building knows for the list `handle` (what TF keeps as the
    list tensor's handle data): from the op that made it and the items put in since."""
    op = handle.op
    if depth > 50:
        return unknown_shape()
    t = op.type
    if t in ("EmptyTensorList", "TensorListReserve"):
        return _es(op.inputs[0])
    if t in ("TensorListScatterV2", "TensorListSplit"):
        es = _es(op.inputs[2] if t == "TensorListScatterV2" else op.inputs[1])
        if t == "TensorListScatterV2" and op.inputs[0].shape.rank:
            es = _merged(es, op.inputs[0].shape[1:])
        return es
    if t == "TensorListFromTensor":
        shape = op.inputs[0].shape
        es = _es(op.inputs[1])
        return _merged(es, shape[1:]) if shape.rank else es
    if t in ("TensorListSetItem", "TensorListPushBack"):
        item = op.inputs[2] if t == "TensorListSetItem" else op.inputs[1]
        return _merged(_list_shape(op.inputs[0], depth + 1), item.shape)
    if t in ("TensorListResize", "TensorListPopBack", "TensorListScatterIntoExistingList",
             "Identity", "Enter", "Switch", "Merge", "RefEnter", "Exit"):
        return _list_shape(op.inputs[0], depth + 1) if op.inputs else unknown_shape()
    return unknown_shape()


def _merged(a, b):
    return a.merge_with(b) if a.is_compatible_with(b) else a


def _item_shape(op, k):
    return _merged(_es(op.inputs[k]), _list_shape(op.inputs[0]))


def _element(k):
    return lambda op: [_item_shape(op, k)]


def _stack_shape(op):
    n = op.get_attr("num_elements")
    return [TensorShape([None if n is None or n < 0 else n]).concatenate(_item_shape(op, 1))]


def _gather_shape(op):
    idx = op.inputs[1].shape
    n = idx[0] if idx.rank == 1 else None
    return [TensorShape([n]).concatenate(_item_shape(op, 2))]


def _shape_vector(op):
    return [TensorShape([None])]


registry.register_op(
    "EmptyTensorList", inputs=(("element_shape", "shape_type"), ("max_num_elements", _I)),
    outputs=(("handle", _V),), shape=_scalar,
    doc="A new empty list of `element_dtype` tensors of shape `element_shape`.")
registry.register_op(
    "TensorListReserve", inputs=(("element_shape", "shape_type"), ("num_elements", _I)),
    outputs=(("handle", _V),), shape=_scalar,
    doc="A list of `num_elements` elements not yet set (read back as zeros).")
registry.register_op(
    "TensorListFromTensor", inputs=(("tensor", "element_dtype"),
                                    ("element_shape", "shape_type")),
    outputs=(("output_handle", _V),), shape=_scalar,
    doc="A list of the rows of `tensor` (TensorArray.unstack).")
registry.register_op(
    "TensorListStack", inputs=(("input_handle", _V), ("element_shape", _I)),
    outputs=(("tensor", "element_dtype"),), shape=_stack_shape,
    attr_defaults={"num_elements": -1},
    doc="The elements stacked along a new first axis (TensorArray.stack).")
registry.register_op(
    "TensorListGetItem", inputs=(("input_handle", _V), ("index", _I), ("element_shape", _I)),
    outputs=(("item", "element_dtype"),), shape=_element(2),
    doc="The element at `index` (zeros of the element shape if it was never set).")
registry.register_op(
    "TensorListSetItem", inputs=(("input_handle", _V), ("index", _I),
                                 ("item", "element_dtype")),
    outputs=(("output_handle", _V),), shape=_scalar,
    attr_defaults={"resize_if_index_out_of_bounds": False},
    doc="The list with `item` at `index`.")
registry.register_op(
    "TensorListLength", inputs=(("input_handle", _V),), outputs=(("length", _I),),
    shape=_scalar, doc="The number of elements of the list.")
registry.register_op(
    "TensorListElementShape", inputs=(("input_handle", _V),),
    outputs=(("element_shape", "shape_type"),), shape=_shape_vector,
    doc="The list's element shape as a vector (-1 for unknown dims, -1 for unknown rank).")
registry.register_op(
    "TensorListPushBack", inputs=(("input_handle", _V), ("tensor", "element_dtype")),
    outputs=(("output_handle", _V),), shape=_scalar,
    doc="The list with `tensor` appended.")
registry.register_op(
    "TensorListPopBack", inputs=(("input_handle", _V), ("element_shape", _I)),
    outputs=(("output_handle", _V), ("tensor", "element_dtype")),
    shape=lambda op: [TensorShape([]), _item_shape(op, 1)],
    doc="The list without its last element, and that element.")
registry.register_op(
    "TensorListGather", inputs=(("input_handle", _V), ("indices", _I), ("element_shape", _I)),
    outputs=(("values", "element_dtype"),), shape=_gather_shape,
    doc="The elements at `indices`, stacked (TensorArray.gather).")
registry.register_op(
    "TensorListScatterIntoExistingList",
    inputs=(("input_handle", _V), ("tensor", "element_dtype"), ("indices", _I)),
    outputs=(("output_handle", _V),), shape=_scalar,
    doc="The list with tensor[i] at indices[i], grown to fit the largest index.")
registry.register_op(
    "TensorListScatterV2",
    inputs=(("tensor", "element_dtype"), ("indices", _I), ("element_shape", "shape_type"),
            ("num_elements", _I)),
    outputs=(("output_handle", _V),), shape=_scalar,
    doc="A new list with tensor[i] at indices[i] (TensorArray.scatter).")
registry.register_op(
    "TensorListConcatV2",
    inputs=(("input_handle", _V), ("element_shape", "shape_type"),
            ("leading_dims", _dt.int64)),
    outputs=(("tensor", "element_dtype"), ("lengths", _dt.int64)),
    shape=lambda op: [TensorShape([None]).concatenate(_es(op.inputs[1])[1:])
                      if _es(op.inputs[1]).rank else unknown_shape(), TensorShape([None])],
    doc="The elements concatenated along their first axis, and their lengths.")
registry.register_op(
    "TensorListSplit", inputs=(("tensor", "element_dtype"), ("element_shape", "shape_type"),
                               ("lengths", _dt.int64)),
    outputs=(("output_handle", _V),), shape=_scalar,
    doc="A list of consecutive pieces of `tensor` along its first axis, `lengths` rows each.")
registry.register_op(
    "TensorListResize", inputs=(("input_handle", _V), ("size", _I)),
    outputs=(("output_handle", _V),), shape=_scalar,
    doc="The list cut or padded with unset elements to `size` elements.")
registry.register_op(
    "TensorListConcatLists", inputs=(("input_a", _V), ("input_b", _V)),
    outputs=(("output", _V),), shape=_scalar,
    doc="Two lists of equal length joined element by element (each pair concatenated).")
for _t in ("EmptyTensorList", "TensorListReserve", "TensorListLength",
           "TensorListElementShape", "TensorListConcatLists"):
    registry.NotDifferentiable(_t)


# --- TF's list_ops module: the Python builders tf.TensorArray's graph form uses ------------

def _shape_arg(shape):
    """A shape (TensorShape, list, None, or a shape tensor) as TF's shape-vector argument."""
    if isinstance(shape, _ops.Tensor):
        return shape
    if shape is None:
        return np.int32(-1)
    if isinstance(shape, (list, tuple)):
        shape = [None if d is not None and not hasattr(d, "value") and d == -1 else d
                 for d in shape]
    shape = TensorShape(shape) if not isinstance(shape, TensorShape) else shape
    if shape.rank is None:
        return np.int32(-1)
    return np.array([-1 if d is None else d for d in shape.as_list()], np.int32)


@registry.api("EmptyTensorList")
def empty_tensor_list(element_shape, element_dtype, max_num_elements=None, name=None):
    if max_num_elements is None:
        max_num_elements = -1
    return apply_op("EmptyTensorList", [_shape_arg(element_shape), np.int32(max_num_elements)],
                    {"element_dtype": _dt.as_dtype(element_dtype), "shape_type": _I},
                    name=name)[0]


@registry.api("TensorListReserve")
def tensor_list_reserve(element_shape, num_elements, element_dtype, name=None):
    return apply_op("TensorListReserve", [_shape_arg(element_shape), num_elements],
                    {"element_dtype": _dt.as_dtype(element_dtype), "shape_type": _I},
                    name=name)[0]


@registry.api("TensorListFromTensor")
def tensor_list_from_tensor(tensor, element_shape, name=None):
    return apply_op("TensorListFromTensor", [tensor, _shape_arg(element_shape)],
                    {"shape_type": _I}, name=name)[0]


@registry.api("TensorListStack")
def tensor_list_stack(input_handle, element_dtype, num_elements=-1, element_shape=None,
                      name=None):
    return apply_op("TensorListStack", [input_handle, _shape_arg(element_shape)],
                    {"element_dtype": _dt.as_dtype(element_dtype),
                     "num_elements": int(num_elements)}, name=name)[0]


@registry.api("TensorListGetItem")
def tensor_list_get_item(input_handle, index, element_dtype, element_shape=None, name=None):
    return apply_op("TensorListGetItem", [input_handle, index, _shape_arg(element_shape)],
                    {"element_dtype": _dt.as_dtype(element_dtype)}, name=name)[0]


@registry.api("TensorListSetItem")
def tensor_list_set_item(input_handle, index, item, resize_if_index_out_of_bounds=False,
                         name=None):
    return apply_op("TensorListSetItem", [input_handle, index, item],
                    {"resize_if_index_out_of_bounds": bool(resize_if_index_out_of_bounds)},
                    name=name)[0]


@registry.api("TensorListLength")
def tensor_list_length(input_handle, name=None):
    return apply_op("TensorListLength", [input_handle], name=name)[0]


@registry.api("TensorListElementShape")
def tensor_list_element_shape(input_handle, shape_type, name=None):
    return apply_op("TensorListElementShape", [input_handle],
                    {"shape_type": _dt.as_dtype(shape_type)}, name=name)[0]


@registry.api("TensorListPushBack")
def tensor_list_push_back(input_handle, tensor, name=None):
    return apply_op("TensorListPushBack", [input_handle, tensor], name=name)[0]


@registry.api("TensorListPopBack")
def tensor_list_pop_back(input_handle, element_dtype, name=None, *, element_shape=None):
    """(the list without its last element, that element); `element_shape` (a keyword TF's
    gradient passes to the op) gives the shape of an unset last element."""
    return tuple(apply_op("TensorListPopBack", [input_handle, _shape_arg(element_shape)],
                          {"element_dtype": _dt.as_dtype(element_dtype)}, name=name))


@registry.api("TensorListGather")
def tensor_list_gather(input_handle, indices, element_dtype, element_shape=None, name=None):
    return apply_op("TensorListGather", [input_handle, indices, _shape_arg(element_shape)],
                    {"element_dtype": _dt.as_dtype(element_dtype)}, name=name)[0]


@registry.api("TensorListScatterIntoExistingList")
def tensor_list_scatter_into_existing_list(input_handle, tensor, indices, name=None):
    return apply_op("TensorListScatterIntoExistingList", [input_handle, tensor, indices],
                    name=name)[0]


@registry.api("TensorListScatterV2")
def tensor_list_scatter(tensor, indices, element_shape=None, input_handle=None, name=None):
    if input_handle is not None:
        return tensor_list_scatter_into_existing_list(input_handle, tensor, indices,
                                                      name=name)
    return apply_op("TensorListScatterV2", [tensor, indices, _shape_arg(element_shape),
                                            np.int32(-1)],
                    {"shape_type": _I}, name=name)[0]


@registry.api("TensorListConcatV2")
def tensor_list_concat(input_handle, element_dtype, element_shape=None, name=None):
    return tensor_list_concat_v2(input_handle, element_dtype, element_shape, name=name)[0]


def tensor_list_concat_v2(input_handle, element_dtype, element_shape=None, leading_dims=None,
                          name=None):
    """The op's two outputs: the concatenated tensor and each element's length."""
    if leading_dims is None:
        leading_dims = np.zeros([0], np.int64)
    return tuple(apply_op("TensorListConcatV2",
                          [input_handle, _shape_arg(element_shape), leading_dims],
                          {"element_dtype": _dt.as_dtype(element_dtype), "shape_type": _I},
                          name=name))


@registry.api("TensorListSplit")
def tensor_list_split(tensor, element_shape, lengths, name=None):
    return apply_op("TensorListSplit", [tensor, _shape_arg(element_shape), lengths],
                    {"shape_type": _I}, name=name)[0]


@registry.api("TensorListResize")
def tensor_list_resize(input_handle, size, name=None):
    return apply_op("TensorListResize", [input_handle, size], name=name)[0]


@registry.api("TensorListConcatLists")
def tensor_list_concat_lists(input_a, input_b, element_dtype, name=None):
    return apply_op("TensorListConcatLists", [input_a, input_b],
                    {"element_dtype": _dt.as_dtype(element_dtype)}, name=name)[0]
