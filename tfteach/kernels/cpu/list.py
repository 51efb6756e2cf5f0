"""CPU kernels of the TensorList ops (ops/list_ops.py).

A list is a `TensorList` value (the variant's payload): its elements (None where never
set), their dtype and the element shape it knows. Kernels never change the list they are
given: each returns a new TensorList sharing the untouched element arrays, which is what
TF's copy-on-write lists look like from outside (a list fed to two ops is two lists).
"""
import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework.registry import register_kernel


class _Host:
    """Where the CPU kernels keep elements: numpy arrays (kernels/cuda/list.py has the
    device's twin)."""

    @staticmethod
    def value(v, dtype):
        if hasattr(v, "copy_to_host"):
            from ..gpu_memory import to_host
            v = to_host(v)
        return np.asarray(v, dtype=dtype)

    @staticmethod
    def zeros(shape, dtype):
        return np.zeros(shape, dtype)

    @staticmethod
    def stack(values, shape, dtype):
        if not values:
            return np.zeros(shape, dtype)
        return np.stack(values)

    @staticmethod
    def concat(values, shape, dtype):
        if not values:
            return np.zeros(shape, dtype)
        return np.concatenate(values, axis=0)

    @staticmethod
    def rows(value, start, stop):
        return value[start:stop]

    @staticmethod
    def add(a, b):
        return a + b


HOST = _Host()


def _text(shape):
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _err(msg):
    return errors.InvalidArgumentError(None, None, msg)


def _shape(v):
    """A shape-vector argument as a tuple with None dims, or None for an unknown rank."""
    v = np.asarray(v)
    if v.ndim == 0:
        if int(v) != -1:
            raise _err("The only valid scalar shape tensor is the fully unknown shape "
                       "specified as -1.")
        return None
    return tuple(None if int(d) < 0 else int(d) for d in v.reshape(-1))


def _merge(a, b):
    """The two shapes merged (TF's PartialTensorShape::MergeWith); None is unknown rank."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise _err(f"PartialTensorShape: Incompatible ranks during merge: {len(a)} vs. "
                   f"{len(b)}")
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            raise _err(f"PartialTensorShape: Incompatible shapes during merge: {_text(a)} "
                       f"vs. {_text(b)}")
        out.append(x if x is not None else y)
    return tuple(out)


def _compatible(shape, es):
    return es is None or (len(shape) == len(es) and
                          all(d is None or d == s for d, s in zip(es, shape)))


def _L(x):
    """The TensorList a variant input carries (eager tensors hold it in a 0-d array)."""
    if isinstance(x, np.ndarray):
        return x[()]
    return x


def _full(shape):
    return shape is not None and all(d is not None for d in shape)


class TensorList:
    """One list value. `elements` is never changed once the list is handed on."""
    __slots__ = ("elements", "dtype", "element_shape", "max_num_elements")

    def __init__(self, elements, dtype, element_shape, max_num_elements=-1):
        self.elements = elements
        self.dtype = np.dtype(dtype)
        self.element_shape = element_shape
        self.max_num_elements = max_num_elements

    def __repr__(self):
        return "<TensorList>"

    def with_elements(self, elements):
        return TensorList(elements, self.dtype, self.element_shape, self.max_num_elements)

    def check_dtype(self, dtype, what="op"):
        if np.dtype(dtype) != self.dtype:
            raise _err(f"Invalid data types; {what} elements {_name(dtype)} but list "
                       f"elements {_name(self.dtype)}")

    def zeros_shape(self, element_shape, what):
        """The shape an unset element reads as: the list's, the op's, or a set element's."""
        shape = _merge(self.element_shape, element_shape)
        if not _full(shape):
            for e in self.elements:
                if e is not None:
                    shape = _merge(shape, tuple(e.shape))
                    break
        if not _full(shape):
            raise _err(what.format(_text(shape)))
        return shape


def _name(dtype):
    name = _dt.as_dtype(np.dtype(dtype)).name
    return {"float32": "float", "float64": "double"}.get(name, name)


def _check_item(lst, value, msg):
    if not _compatible(value.shape, lst.element_shape):
        raise _err(f"{msg}. Item element shape: {list(value.shape)} list shape: "
                   f"{_text(lst.element_shape)}".replace(", ", ","))


# --- making lists ---------------------------------------------------------------------------

@register_kernel("EmptyTensorList")
def empty_tensor_list(element_shape, max_num_elements, *, element_dtype, shape_type):
    return TensorList([], element_dtype.np_dtype, _shape(element_shape),
                      int(np.asarray(max_num_elements)))


@register_kernel("TensorListReserve")
def tensor_list_reserve(element_shape, num_elements, *, element_dtype, shape_type):
    n = int(np.asarray(num_elements))
    if n < 0:
        raise _err(f"The num_elements to reserve must be a non negative number, but got {n}")
    return TensorList([None] * n, element_dtype.np_dtype, _shape(element_shape))


@register_kernel("TensorListFromTensor")
def tensor_list_from_tensor(tensor, element_shape, *, element_dtype, shape_type):
    return from_tensor(tensor, element_shape, element_dtype, HOST)


def from_tensor(tensor, element_shape, element_dtype, side):
    tensor = side.value(tensor, element_dtype.np_dtype)
    if tensor.ndim == 0:
        raise _err("Tensor must be at least a vector, but saw shape: []")
    es = _shape(element_shape)
    if not _compatible(tuple(tensor.shape[1:]), es):
        raise _err(f"Specified a list with shape {_text(es)} from a tensor with shape "
                   f"{list(tensor.shape)}".replace(", ", ","))
    return TensorList([side.rows(tensor, i, i + 1).reshape(tensor.shape[1:])
                       for i in range(tensor.shape[0])], tensor.dtype, es)


@register_kernel("TensorListScatterV2")
def tensor_list_scatter(tensor, indices, element_shape, num_elements, *, element_dtype,
                        shape_type):
    return scatter(TensorList([], element_dtype.np_dtype, _shape(element_shape)), tensor,
                   indices, int(np.asarray(num_elements)), HOST)


@register_kernel("TensorListScatterIntoExistingList")
def tensor_list_scatter_into_existing_list(input_handle, tensor, indices, *, element_dtype):
    return scatter(_L(input_handle), tensor, indices, -1, HOST)


def scatter(lst, tensor, indices, num_elements, side):
    lst.check_dtype(tensor.dtype if hasattr(tensor, "dtype") else np.asarray(tensor).dtype)
    tensor = side.value(tensor, lst.dtype)
    idx = [int(i) for i in np.asarray(indices).reshape(-1)]
    if tensor.ndim == 0 or tensor.shape[0] != len(idx):
        raise _err(f"Invalid number of rows in input tensor. Expected: {len(idx)} Actual: "
                   f"{tensor.shape[0] if tensor.ndim else 0}")
    if not _compatible(tuple(tensor.shape[1:]), lst.element_shape):
        raise _err(f"Tried to scatter a tensor with shape {list(tensor.shape)} into a list "
                   f"with element shape {_text(lst.element_shape)}".replace(", ", ","))
    size = max([len(lst.elements), num_elements] + [i + 1 for i in idx])
    elements = list(lst.elements) + [None] * (size - len(lst.elements))
    for k, i in enumerate(idx):
        if i < 0:
            raise _err("Indices in TensorListScatter must all be non-negative.")
        elements[i] = side.rows(tensor, k, k + 1).reshape(tensor.shape[1:])
    return lst.with_elements(elements)


@register_kernel("TensorListSplit")
def tensor_list_split(tensor, element_shape, lengths, *, element_dtype, shape_type):
    return split(tensor, element_shape, lengths, element_dtype, HOST)


def split(tensor, element_shape, lengths, element_dtype, side):
    tensor = side.value(tensor, element_dtype.np_dtype)
    if tensor.ndim == 0:
        raise _err("Tensor must be at least a vector, but saw shape: []")
    lens = [int(n) for n in np.asarray(lengths).reshape(-1)]
    if sum(lens) != tensor.shape[0]:
        raise _err(f"Unused values in tensor. Length of tensor: {tensor.shape[0]} Values "
                   f"used: {sum(lens)}")
    es = _shape(element_shape)
    elements, start = [], 0
    for n in lens:
        elements.append(side.rows(tensor, start, start + n))
        start += n
    return TensorList(elements, tensor.dtype, es)


# --- reading --------------------------------------------------------------------------------

@register_kernel("TensorListLength")
def tensor_list_length(input_handle):
    return np.int32(len(_L(input_handle).elements))


@register_kernel("TensorListElementShape")
def tensor_list_element_shape(input_handle, *, shape_type):
    es = _L(input_handle).element_shape
    if es is None:
        return np.asarray(-1, shape_type.np_dtype)
    return np.array([-1 if d is None else d for d in es], shape_type.np_dtype)


@register_kernel("TensorListGetItem")
def tensor_list_get_item(input_handle, index, element_shape, *, element_dtype):
    return get_item(_L(input_handle), index, element_shape, element_dtype, HOST)


def get_item(lst, index, element_shape, element_dtype, side):
    lst.check_dtype(element_dtype.np_dtype, "op requested")
    i = int(np.asarray(index))
    n = len(lst.elements)
    if not 0 <= i < n:
        raise _err(f"Trying to access element {i} in a list with {n} elements.")
    if lst.elements[i] is not None:
        return lst.elements[i]
    shape = lst.zeros_shape(_shape(element_shape),
                            "Trying to read an uninitialized tensor but element_shape is not "
                            "fully defined: {} and no list element is set.")
    return side.zeros(shape, lst.dtype)


@register_kernel("TensorListStack")
def tensor_list_stack(input_handle, element_shape, *, element_dtype, num_elements):
    return stack(_L(input_handle), element_shape, element_dtype, num_elements, HOST)


def _elements_or_zeros(lst, indices, element_shape, side, empty_msg, unset_msg):
    """The elements at `indices`, unset ones as zeros; and the element shape."""
    shape = _merge(lst.element_shape, element_shape)
    got = [lst.elements[i] for i in indices]
    for e in got:
        if e is not None:
            shape = _merge(shape, tuple(e.shape))
    if not _full(shape):
        if not lst.elements or not indices:
            raise _err(empty_msg.format(_text(shape)))
        if all(e is None for e in got):
            raise _err(unset_msg.format(_text(shape)))
    return [e if e is not None else side.zeros(shape, lst.dtype) for e in got], shape


def stack(lst, element_shape, element_dtype, num_elements, side):
    lst.check_dtype(element_dtype.np_dtype, "op")
    n = len(lst.elements)
    if num_elements != -1 and num_elements != n:
        raise _err(f"Operation expected a list with {num_elements} elements but got a list "
                   f"with {n} elements.")
    values, shape = _elements_or_zeros(
        lst, range(n), _shape(element_shape), side,
        "Tried to stack elements of an empty list with non-fully-defined element_shape: {}",
        "Tried to stack list which only contains uninitialized tensors and has a "
        "non-fully-defined element_shape: {}")
    return side.stack(values, (0,) + tuple(shape or ()), lst.dtype)


@register_kernel("TensorListGather")
def tensor_list_gather(input_handle, indices, element_shape, *, element_dtype):
    return gather(_L(input_handle), indices, element_shape, element_dtype, HOST)


def gather(lst, indices, element_shape, element_dtype, side):
    lst.check_dtype(element_dtype.np_dtype, "op")
    idx = [int(i) for i in np.asarray(indices).reshape(-1)]
    n = len(lst.elements)
    for i in idx:
        if not 0 <= i < n:
            raise _err(f"Trying to gather element {i} in a list with {n} elements.")
    values, shape = _elements_or_zeros(
        lst, idx, _shape(element_shape), side,
        "Tried to gather 0 elements from an empty list with non-fully-defined "
        "element_shape: {}",
        "Tried to gather uninitialized tensors from a list with non-fully-defined "
        "element_shape: {}")
    return side.stack(values, (0,) + tuple(shape or ()), lst.dtype)


@register_kernel("TensorListConcatV2")
def tensor_list_concat(input_handle, element_shape, leading_dims, *, element_dtype,
                       shape_type):
    return concat(_L(input_handle), element_shape, leading_dims, element_dtype, HOST)


def concat(lst, element_shape, leading_dims, element_dtype, side):
    lst.check_dtype(element_dtype.np_dtype, "op")
    es = _merge(lst.element_shape, _shape(element_shape))
    if es is not None and len(es) == 0:
        raise _err("Concat requires elements to be at least vectors, found scalars "
                   "instead.")
    lead = [int(d) for d in np.asarray(leading_dims).reshape(-1)]
    values = []
    for i, e in enumerate(lst.elements):
        if e is None:
            if es is None or not _full(es[1:]) or i >= len(lead):
                raise _err("All except the first dimension must be fully defined when "
                           "concating an empty tensor list. element_shape: " + _text(es))
            e = side.zeros((lead[i],) + tuple(es[1:]), lst.dtype)
        elif e.ndim == 0:
            raise _err("Concat saw a scalar shape at index " + str(i) +
                       " but requires at least vectors.")
        values.append(e)
    lengths = np.array([v.shape[0] for v in values], np.int64)
    if not values and (es is None or not _full(es[1:])):
        raise _err("All except the first dimension must be fully defined when concating an "
                   "empty tensor list. element_shape: " + _text(es))
    rest = tuple(values[0].shape[1:]) if values else tuple(es[1:])
    return side.concat(values, (0,) + rest, lst.dtype), lengths


# --- changing (a new list each time) --------------------------------------------------------

@register_kernel("TensorListSetItem")
def tensor_list_set_item(input_handle, index, item, *, element_dtype,
                         resize_if_index_out_of_bounds):
    return set_item(_L(input_handle), index, item, resize_if_index_out_of_bounds, HOST)


def set_item(lst, index, item, resize, side):
    lst.check_dtype(item.dtype if hasattr(item, "dtype") else np.asarray(item).dtype)
    item = side.value(item, lst.dtype)
    i = int(np.asarray(index))
    n = len(lst.elements)
    elements = list(lst.elements)
    if not 0 <= i < n:
        if not resize or i < 0:
            raise _err(f"Trying to modify element {i} in a list with {n} elements.")
        elements.extend([None] * (i + 1 - n))
    _check_item(lst, item, "Tried to set a tensor with incompatible shape at a list index")
    elements[i] = item
    return lst.with_elements(elements)


@register_kernel("TensorListPushBack")
def tensor_list_push_back(input_handle, tensor, *, element_dtype):
    return push_back(_L(input_handle), tensor, HOST)


def push_back(lst, tensor, side):
    lst.check_dtype(tensor.dtype if hasattr(tensor, "dtype") else np.asarray(tensor).dtype)
    tensor = side.value(tensor, lst.dtype)
    if not _compatible(tensor.shape, lst.element_shape):
        raise _err(f"Tried to append a tensor with incompatible shape to a list. Op element "
                   f"shape: {list(tensor.shape)} list shape: "
                   f"{_text(lst.element_shape)}".replace(", ", ","))
    if 0 <= lst.max_num_elements <= len(lst.elements):
        raise _err(f"Tried to push item into a full list list size: {len(lst.elements)} max "
                   f"elements: {lst.max_num_elements}")
    return lst.with_elements(list(lst.elements) + [tensor])


@register_kernel("TensorListPopBack")
def tensor_list_pop_back(input_handle, element_shape, *, element_dtype):
    return pop_back(_L(input_handle), element_shape, element_dtype, HOST)


def pop_back(lst, element_shape, element_dtype, side):
    lst.check_dtype(element_dtype.np_dtype, "op")
    if not lst.elements:
        raise _err("Trying to pop from an empty list.")
    last = lst.elements[-1]
    if last is None:
        shape = lst.zeros_shape(_shape(element_shape),
                                "Trying to read an uninitialized tensor but element_shape is "
                                "not fully defined.{}")
        last = side.zeros(shape, lst.dtype)
    return lst.with_elements(list(lst.elements[:-1])), last


@register_kernel("TensorListResize")
def tensor_list_resize(input_handle, size):
    n = int(np.asarray(size))
    if n < 0:
        raise _err(f"TensorListSlice expects size to be non-negative. Got: {n}")
    els = _L(input_handle).elements
    return _L(input_handle).with_elements(list(els[:n]) + [None] * (n - len(els)))


@register_kernel("TensorListConcatLists")
def tensor_list_concat_lists(input_a, input_b, *, element_dtype):
    return concat_lists(_L(input_a), _L(input_b), element_dtype, np.concatenate)


def concat_lists(a, b, element_dtype, join):
    a.check_dtype(element_dtype.np_dtype, "op")
    b.check_dtype(element_dtype.np_dtype, "op")
    if len(a.elements) != len(b.elements):
        raise _err(f"Expected input_a and input_b to have the same number of elements, but "
                   f"saw {len(a.elements)} vs. {len(b.elements)}")
    out = []
    for x, y in zip(a.elements, b.elements):
        if x is None or y is None:
            raise _err("Both lists must have every element set to concatenate them")
        out.append(join([x, y]))
    es = _merge(a.element_shape, b.element_shape)
    if es:       # the joined elements' first dims add up: that one is no longer the list's
        es = (None,) + tuple(es[1:])
    return TensorList(out, a.dtype, es, a.max_num_elements)


# --- what ZerosLike and AddN do to a list (TF's variant zeros/add functions) ----------------

def zeros_like_list(lst, side=HOST):
    lst = _L(lst)
    return lst.with_elements([None if e is None else side.zeros(e.shape, lst.dtype)
                              for e in lst.elements])


def add_lists(a, b, side=HOST):
    a, b = _L(a), _L(b)
    if a.dtype != b.dtype:
        raise _err(f"Invalid data types; a elements {_name(a.dtype)} but b elements "
                   f"{_name(b.dtype)}")
    if len(a.elements) != len(b.elements):
        raise _err(f"Trying to add two lists of tensors with different lengths. One is "
                   f"{len(a.elements)} and the other is {len(b.elements)}")
    out = []
    for x, y in zip(a.elements, b.elements):
        out.append(y if x is None else x if y is None else side.add(x, y))
    return TensorList(out, a.dtype, _merge(a.element_shape, b.element_shape),
                      a.max_num_elements)
