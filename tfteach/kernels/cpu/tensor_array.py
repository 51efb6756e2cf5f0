"""CPU kernels of the TensorArray ops (ops/tensor_array_ops.py).

A handle's value is the array's `_State`: TensorArrayV3 makes a new one each time it runs
(so each Session.run starts with an empty array), and the other kernels read and change it
in place. The flow values they take and return are dummies: only the graph's edges
through them matter, ordering the kernels that share a state.
"""
import itertools

import numpy as np

from ... import errors
from ...framework.registry import register_kernel

_ids = itertools.count()
_FLOW = np.float32(0.0)


class _Host:
    """Where the CPU kernels keep and hand out elements: numpy arrays. An element a GPU
    kernel wrote (placement may split one array's ops between the devices) is copied back
    when a CPU kernel reads it; kernels/cuda/tensor_array.py has the device's twin."""

    @staticmethod
    def value(v, dtype):
        if hasattr(v, "copy_to_host"):
            from ..gpu_memory import to_host
            v = to_host(v)
        return np.asarray(v, dtype=dtype)

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def zeros(shape, dtype):
        return np.zeros(shape, dtype)

    @staticmethod
    def stack(values):
        return np.stack(values)

    @staticmethod
    def concat(values):
        return np.concatenate(values, axis=0)

    @staticmethod
    def row(value, i):
        return value[i]


HOST = _Host()


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _shape_text(shape):
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class _State:
    """One TensorArray's elements and settings while a graph runs."""
    __slots__ = ("name", "dtype", "elements", "cleared", "dynamic_size", "clear_after_read",
                 "element_shape", "identical", "aggregate", "grads", "closed")

    def __init__(self, name, dtype, size, dynamic_size, clear_after_read, element_shape,
                 identical, aggregate=False):
        self.name = name
        self.dtype = dtype
        self.elements = [None] * size
        self.cleared = set()
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.element_shape = element_shape      # tuple with None dims, or None (unknown)
        self.identical = identical
        self.aggregate = aggregate              # a gradient array: writes to one index add
        self.grads = {}
        self.closed = False

    def __repr__(self):
        return f"<TensorArray {self.name} size={len(self.elements)}>"

    def err(self, msg, cls=errors.InvalidArgumentError):
        return cls(None, None, f"TensorArray {self.name}: {msg}")

    def check_open(self):
        if self.closed:
            raise self.err("TensorArray has already been closed.")

    def _full_shape(self):
        es = self.element_shape
        return es is not None and all(d is not None for d in es)

    def write(self, index, value, side=HOST):
        self.check_open()
        value = side.value(value, self.dtype)
        n = len(self.elements)
        if index < 0:
            raise self.err(f"Tried to write to index {index} but array is not resizeable "
                           f"and size is: {n}")
        if index >= n:
            if not self.dynamic_size:
                raise self.err(f"Tried to write to index {index} but array is not "
                               f"resizeable and size is: {n}")
            self.elements.extend([None] * (index + 1 - n))
        es = self.element_shape
        if self.identical and es is not None and (
                len(es) != value.ndim or any(d is not None and d != s
                                             for d, s in zip(es, value.shape))):
            raise self.err(f"Could not write to TensorArray index {index} because the value "
                           f"shape is {_dims(value.shape)} which is incompatible with the "
                           f"TensorArray's inferred element shape: {_shape_text(es)} "
                           f"(consider setting infer_shape=False).")
        if self.identical:
            self.element_shape = tuple(value.shape)
        old = self.elements[index]
        if old is not None or index in self.cleared:
            if not self.aggregate:
                raise self.err(f"Could not write to TensorArray index {index} because it "
                               f"has already been written to.")
            if old is not None:
                if old.shape != value.shape:
                    raise self.err(f"Could not aggregate to TensorArray index {index} "
                                   f"because the existing shape is {_dims(old.shape)} but "
                                   f"the new input shape is {_dims(value.shape)}.")
                value = side.add(side.value(old, self.dtype), value)
        self.elements[index] = value

    def read(self, index, clear=True, side=HOST):
        self.check_open()
        n = len(self.elements)
        if index < 0 or index >= n:
            raise errors.InvalidArgumentError(
                None, None, f"Tried to read from index {index} but array size is: {n}")
        value = self.elements[index]
        if value is None:
            if index in self.cleared:
                raise self.err(f"Could not read index {index} twice because it was cleared "
                               f"after a previous read (perhaps try setting "
                               f"clear_after_read = false?).")
            if not self._full_shape():
                raise self.err(
                    f"Could not read from TensorArray index {index}.  Furthermore, the "
                    f"element shape is not fully defined: {_shape_text(self.element_shape)}."
                    f"  It is possible you are working with a resizeable TensorArray and "
                    f"stop_gradients is not allowing the gradients to be written.  If you "
                    f"set the full element_shape property on the forward TensorArray, the "
                    f"proper all-zeros tensor will be returned instead of incurring this "
                    f"error.")
            return side.zeros(self.element_shape, self.dtype)
        if clear and self.clear_after_read:
            self.elements[index] = None
            self.cleared.add(index)
        return side.value(value, self.dtype)


def _indices(x):
    return [int(i) for i in np.asarray(x).reshape(-1)]


def _known(shape):
    """A static TensorShape attr as a tuple (None dims kept), or None for unknown rank."""
    return shape.as_tuple() if shape is not None else None


@register_kernel("TensorArrayV3")
def tensor_array(size, *, dtype, element_shape, dynamic_size, clear_after_read,
                 identical_element_shapes, tensor_array_name, op):
    size = int(size)
    if size < 0:
        raise errors.InvalidArgumentError(None, None, f"Size should be >= 0, got: {size}")
    name = tensor_array_name or f"{op.name}_{next(_ids)}"
    state = _State(name, dtype.np_dtype, size, dynamic_size, clear_after_read,
                   _known(element_shape), identical_element_shapes)
    return state, _FLOW


@register_kernel("TensorArrayGradV3")
def tensor_array_grad(handle, flow_in, *, source):
    g = handle.grads.get(source)
    if g is None:
        g = handle.grads[source] = _State(
            f"{handle.name}@{source}", handle.dtype, len(handle.elements), False, True,
            handle.element_shape, handle.identical, aggregate=True)
    return g, _FLOW


@register_kernel("TensorArrayWriteV3")
def tensor_array_write(handle, index, value, flow_in):
    handle.write(int(index), value)
    return _FLOW


@register_kernel("TensorArrayReadV3")
def tensor_array_read(handle, index, flow_in, *, dtype):
    return handle.read(int(index))


def _stack(handle, values, element_shape, side=HOST):
    if not values:
        es = handle.element_shape if handle.element_shape is not None else \
            _known(element_shape)
        if es is None or any(d is None for d in es):
            raise errors.UnimplementedError(
                None, None, f"TensorArray has size zero, but element shape "
                            f"{_shape_text(es)} is not fully defined. Currently only static "
                            f"shapes are supported when packing zero-size TensorArrays.")
        return side.zeros((0,) + tuple(es), handle.dtype)
    first = tuple(values[0].shape)
    for i, v in enumerate(values[1:], 1):
        if tuple(v.shape) != first:
            raise errors.InvalidArgumentError(
                None, None, f"TensorArray has inconsistent shapes.  Index 0 has shape: "
                            f"{_dims(first)} but index {i} has shape: {_dims(v.shape)}")
    return side.stack(values)


@register_kernel("TensorArrayGatherV3")
def tensor_array_gather(handle, indices, flow_in, *, dtype, element_shape):
    return gather(handle, indices, element_shape, HOST)


def gather(handle, indices, element_shape, side):
    handle.check_open()
    return _stack(handle, [handle.read(i, side=side) for i in _indices(indices)],
                  element_shape, side)


@register_kernel("TensorArrayScatterV3")
def tensor_array_scatter(handle, indices, value, flow_in):
    scatter(handle, indices, value, HOST)
    return _FLOW


def scatter(handle, indices, value, side):
    handle.check_open()
    idx = _indices(indices)
    value = side.value(value, handle.dtype)
    if value.ndim == 0 or value.shape[0] != len(idx):
        raise errors.InvalidArgumentError(
            None, None, f"Expected len(indices) == values.shape[0], but saw: {len(idx)} vs. "
                        f"{value.shape[0] if value.ndim else 0}")
    if idx and not handle.dynamic_size and max(idx) >= len(handle.elements):
        raise errors.InvalidArgumentError(
            None, None, f"Max scatter index must be < array size ({max(idx)} vs. "
                        f"{len(handle.elements)})")
    for k, i in enumerate(idx):
        handle.write(i, side.row(value, k), side)


@register_kernel("TensorArrayConcatV3")
def tensor_array_concat(handle, flow_in, *, dtype, element_shape_except0):
    return concat(handle, element_shape_except0, HOST)


def concat(handle, element_shape_except0, side):
    handle.check_open()
    values = [handle.read(i, side=side) for i in range(len(handle.elements))]
    lengths = np.array([v.shape[0] if v.ndim else 0 for v in values], np.int64)
    if not values:
        rest = _known(element_shape_except0)
        if rest is None or any(d is None for d in rest):
            raise errors.UnimplementedError(
                None, None, f"TensorArray has size zero, but element_shape "
                            f"{_shape_text(rest)} is not fully defined. Currently only "
                            f"static shapes are supported when concatenating zero-size "
                            f"TensorArrays.")
        return side.zeros((0,) + tuple(rest), handle.dtype), lengths
    for i, v in enumerate(values):
        if v.ndim == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Concat saw a scalar shape at index {i} but requires at least "
                            f"vectors.  Did you mean to call TensorArray::Pack instead?")
    return side.concat(values), lengths


@register_kernel("TensorArraySplitV3")
def tensor_array_split(handle, value, lengths, flow_in):
    split(handle, value, lengths, HOST)
    return _FLOW


def split(handle, value, lengths, side):
    handle.check_open()
    value = side.value(value, handle.dtype)
    lens = np.asarray(lengths, np.int64).reshape(-1)
    n0 = value.shape[0] if value.ndim else 0
    if int(lens.sum()) != n0:
        raise errors.InvalidArgumentError(
            None, None, f"Expected sum of lengths to be equal to values.shape[0], but sum "
                        f"of lengths is {int(lens.sum())} and value's shape is: "
                        f"{_dims(value.shape)}")
    if not handle.dynamic_size and lens.size != len(handle.elements):
        raise errors.InvalidArgumentError(
            None, None, f"TensorArray's size is not equal to the size of lengths "
                        f"({len(handle.elements)} vs. {lens.size}), and the TensorArray is "
                        f"not marked as dynamically resizeable")
    start = 0
    for i, n in enumerate(lens.tolist()):
        handle.write(i, value[start:start + n], side)
        start += n
    return _FLOW


@register_kernel("TensorArraySizeV3")
def tensor_array_size(handle, flow_in):
    return np.int32(len(handle.elements))


@register_kernel("TensorArrayCloseV3")
def tensor_array_close(handle):
    handle.elements = []
    handle.closed = True
