"""tf.TensorArray: a list of tensors that graphs can write to one element at a time.

In a graph (TF1, and tfteach's tf.function) a TensorArray is TF's pair of tensors: a
resource `handle` naming the array, made by one TensorArrayV3 op per run, and a float
`flow` that every write returns and every read takes. The array itself is mutable state
the kernels share through the handle (kernels/cpu/tensor_array.py); the flow only orders
the ops (a read consumes the flow of the write before it), which is why a while loop
carries the flow, not the handle, as its loop variable.

Eagerly (TF2) a TensorArray is a Python list of eager tensors (TF's _EagerTensorArray), so
its reads and stacks are ordinary ops a GradientTape records.

Gradients use TF's TensorArrayGrad machinery: the gradient of a read writes into a
gradient TensorArray found through the forward handle (TensorArrayGradV3, keyed by the
`gradients` scope), whose writes to one index add up; the gradient of a write reads it.
"""
import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["TensorArray"]

_F = _dt.float32
_I = _dt.int32


def _s(*shapes):
    return lambda op: [TensorShape(s) if s is not None else unknown_shape() for s in shapes]


def _gather_shape(op):
    es = as_shape(op.get_attr("element_shape"))
    return [TensorShape([None]).concatenate(es)]


registry.register_op(
    "TensorArrayV3", inputs=(("size", _I),),
    outputs=(("handle", _dt.resource), ("flow", _F)), shape=_s([2], []), stateful=True,
    attr_defaults={"element_shape": unknown_shape(), "dynamic_size": False,
                   "clear_after_read": True, "identical_element_shapes": False,
                   "tensor_array_name": ""},
    doc="A new TensorArray of `size` elements: its handle and its first flow.")
registry.register_op(
    "TensorArrayWriteV3", inputs=(("handle", _dt.resource), ("index", _I), ("value", "T"),
                                  ("flow_in", _F)),
    outputs=(("flow_out", _F),), shape=_s([]), stateful=True,
    doc="Writes `value` at `index`.")
registry.register_op(
    "TensorArrayReadV3", inputs=(("handle", _dt.resource), ("index", _I), ("flow_in", _F)),
    outputs=(("value", "dtype"),), shape=_s(None), stateful=True,
    doc="The element at `index`.")
registry.register_op(
    "TensorArrayGatherV3", inputs=(("handle", _dt.resource), ("indices", _I),
                                   ("flow_in", _F)),
    outputs=(("value", "dtype"),), shape=_gather_shape, stateful=True,
    attr_defaults={"element_shape": unknown_shape()},
    doc="The elements at `indices`, stacked.")
registry.register_op(
    "TensorArrayScatterV3", inputs=(("handle", _dt.resource), ("indices", _I),
                                    ("value", "T"), ("flow_in", _F)),
    outputs=(("flow_out", _F),), shape=_s([]), stateful=True,
    doc="Writes value[i] at indices[i].")
registry.register_op(
    "TensorArrayConcatV3", inputs=(("handle", _dt.resource), ("flow_in", _F)),
    outputs=(("value", "dtype"), ("lengths", _dt.int64)), shape=_s(None, [None]),
    stateful=True, attr_defaults={"element_shape_except0": unknown_shape()},
    doc="The elements concatenated along their first axis, and their lengths.")
registry.register_op(
    "TensorArraySplitV3", inputs=(("handle", _dt.resource), ("value", "T"),
                                  ("lengths", _dt.int64), ("flow_in", _F)),
    outputs=(("flow_out", _F),), shape=_s([]), stateful=True,
    doc="Splits `value` along its first axis into elements of `lengths` rows.")
registry.register_op(
    "TensorArraySizeV3", inputs=(("handle", _dt.resource), ("flow_in", _F)),
    outputs=(("size", _I),), shape=_s([]), stateful=True,
    doc="The number of elements.")
registry.register_op(
    "TensorArrayCloseV3", inputs=(("handle", _dt.resource),), outputs=(), shape=_s(),
    stateful=True, doc="Frees the TensorArray's elements.")
registry.register_op(
    "TensorArrayGradV3", inputs=(("handle", _dt.resource), ("flow_in", _F)),
    outputs=(("grad_handle", _dt.resource), ("flow_out", _F)), shape=_s([2], []),
    stateful=True,
    # made on first use; its writes to one index add up
    doc="The gradient TensorArray of `handle` for the gradient source `source`.")
for _t in ("TensorArrayV3", "TensorArraySizeV3", "TensorArrayCloseV3", "TensorArrayGradV3"):
    registry.NotDifferentiable(_t)


def _check_dtype(value, dtype):
    if value.dtype.base_dtype != dtype:
        # TF logs this and writes anyway; its kernel then fails on the dtype attr. The
        # error is raised here, where the mistake is.
        raise TypeError(f"TensorArray dtype is {dtype.name} but Op is trying to write "
                        f"dtype {value.dtype.base_dtype.name}")


class _GraphTensorArray:
    """TF1's graph TensorArray: a handle and a flow, each method a V3 op."""

    @registry.api("TensorArrayV3")
    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if clear_after_read is None:
            clear_after_read = True
        if handle is None and size is None:
            raise ValueError("Size must be provided if handle is not provided")
        if handle is not None and size is not None:
            raise ValueError("Cannot provide both a handle and size at the same time")
        if handle is not None and element_shape is not None:
            raise ValueError("Cannot provide both a handle and element_shape at the same "
                             "time")
        if handle is not None and dynamic_size is not None:
            raise ValueError("Cannot provide both a handle and dynamic_size at the same time")
        if handle is not None and clear_after_read is not True and \
                clear_after_read is not None:
            raise ValueError("Cannot provide both a handle and clear_after_read at the same "
                             "time")
        dynamic_size = dynamic_size or False
        self._dtype = _dt.as_dtype(dtype).base_dtype
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape
        self._element_shape = [as_shape(element_shape) if element_shape is not None
                               else unknown_shape()]
        if handle is not None:
            self._handle = handle
            if flow is None:
                raise ValueError("flow must not be None if handle is not None.")
            self._flow = flow
            return
        with _ops.name_scope(name, "TensorArray", [handle, size, flow]) as scope:
            attrs = {"dtype": self._dtype, "element_shape": self._element_shape[0],
                     "dynamic_size": bool(dynamic_size),
                     "clear_after_read": bool(clear_after_read),
                     "identical_element_shapes": bool(infer_shape),
                     "tensor_array_name": tensor_array_name or ""}
            self._handle, self._flow = apply_op("TensorArrayV3", [size], attrs, name=scope)
        self._size_value = size

    # --- what TF's TensorArray exposes -----------------------------------------------------
    @property
    def flow(self):
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def handle(self):
        return self._handle

    @property
    def element_shape(self):
        return self._element_shape[0]

    @property
    def dynamic_size(self):
        return self._dynamic_size

    def _check_element_shape(self, shape):
        if not self._infer_shape:
            return
        shape = as_shape(shape)
        if not shape.is_compatible_with(self.element_shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected "
                             f"{self.element_shape} ")
        self._element_shape[0] = self.element_shape.merge_with(shape)

    def _with_flow(self, flow):
        ta = _GraphTensorArray.__new__(_GraphTensorArray)
        ta.__dict__.update(self.__dict__)
        ta._flow = flow
        return ta

    def identity(self):
        return self._with_flow(apply_op("Identity", [self._flow], name="Identity")[0])

    @registry.api("TensorArrayGradV3")
    def grad(self, source, flow=None, name=None):
        if flow is None:
            flow = self.flow
        with _ops.name_scope(name, "TensorArrayGrad", [self._handle]):
            g_handle, unused_flow = apply_op("TensorArrayGradV3", [self._handle, flow],
                                             {"source": source}, name="TensorArrayGradV3")
            with _ops.control_dependencies([g_handle]):
                flow = apply_op("Identity", [flow], name="gradient_flow")[0]
            g = _GraphTensorArray(self._dtype, handle=g_handle, flow=flow,
                                  infer_shape=self._infer_shape)
            g._element_shape = self._element_shape
            return g

    @registry.api("TensorArrayReadV3")
    def read(self, index, name=None):
        value = apply_op("TensorArrayReadV3", [self._handle, index, self._flow],
                         {"dtype": self._dtype}, name=name or "TensorArrayReadV3")[0]
        if self.element_shape.rank is not None:
            value.set_shape(self.element_shape)
        return value

    @registry.api("TensorArrayWriteV3")
    def write(self, index, value, name=None):
        with _ops.name_scope(name, "TensorArrayWrite", [self._handle, index, value]):
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            self._check_element_shape(value.shape)
            flow = apply_op("TensorArrayWriteV3", [self._handle, index, value, self._flow],
                            name="TensorArrayWriteV3")[0]
        return self._with_flow(flow)

    def stack(self, name=None):
        with _ops.name_scope(name, "TensorArrayStack", [self._handle]):
            from . import math_ops
            indices = math_ops.range(0, self.size(), name="range")
            return self.gather(indices, name=name)

    @registry.api("TensorArrayGatherV3")
    def gather(self, indices, name=None):
        es = self.element_shape
        indices = _ops.convert_to_tensor(indices, dtype=_I, name="indices")
        value = apply_op("TensorArrayGatherV3", [self._handle, indices, self._flow],
                         {"dtype": self._dtype, "element_shape": es},
                         name=name or "TensorArrayGatherV3")[0]
        if es.rank is not None:
            n = None
            if isinstance(indices, _ops.Tensor):
                n = indices.shape.as_tuple()[0] if indices.shape.rank == 1 else None
            value.set_shape(TensorShape([n]).concatenate(es))
        return value

    @registry.api("TensorArrayConcatV3")
    def concat(self, name=None):
        es = self.element_shape
        value, _ = apply_op("TensorArrayConcatV3", [self._handle, self._flow],
                            {"dtype": self._dtype,
                             "element_shape_except0": es[1:] if es.rank else unknown_shape()},
                            name=name or "TensorArrayConcatV3")
        if es.rank:
            value.set_shape(TensorShape([None]).concatenate(es[1:]))
        return value

    def unstack(self, value, name=None):
        with _ops.name_scope(name, "TensorArrayUnstack", [self._handle, value]):
            from . import array_ops, math_ops
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            n = array_ops.shape(value)[0]
            indices = math_ops.range(0, n, name="range")
            return self.scatter(indices, value, name=name)

    @registry.api("TensorArrayScatterV3")
    def scatter(self, indices, value, name=None):
        with _ops.name_scope(name, "TensorArrayScatter", [self._handle, value, indices]):
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            if value.shape.rank is not None and value.shape.rank >= 1:
                self._check_element_shape(value.shape[1:])
            flow = apply_op("TensorArrayScatterV3", [self._handle, indices, value,
                                                     self._flow],
                            name="TensorArrayScatterV3")[0]
        return self._with_flow(flow)

    @registry.api("TensorArraySplitV3")
    def split(self, value, lengths, name=None):
        with _ops.name_scope(name, "TensorArraySplit", [self._handle, value, lengths]):
            from . import math_ops
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            lengths = math_ops.cast(_ops.convert_to_tensor(lengths), _dt.int64)
            if value.shape.rank is not None and value.shape.rank >= 1:
                self._check_element_shape(TensorShape([None]).concatenate(value.shape[1:]))
            flow = apply_op("TensorArraySplitV3", [self._handle, value, lengths, self._flow],
                            name="TensorArraySplitV3")[0]
        return self._with_flow(flow)

    @registry.api("TensorArraySizeV3")
    def size(self, name=None):
        if not self._dynamic_size and getattr(self, "_size_value", None) is not None:
            return _ops.convert_to_tensor(self._size_value, dtype=_I, name=name)
        return apply_op("TensorArraySizeV3", [self._handle, self._flow],
                        name=name or "TensorArraySizeV3")[0]

    @registry.api("TensorArrayCloseV3")
    def close(self, name=None):
        # an op without outputs: apply_op hands back none, the graph's newest op is it
        apply_op("TensorArrayCloseV3", [self._handle], name=name or "TensorArrayCloseV3")
        return self._handle.graph.get_operations()[-1]

    def mark_used(self):
        pass



class _GraphTensorArrayV2(_GraphTensorArray):
    """TF 2's graph TensorArray (inside a tf.function): no handle, the flow *is* the array,
    a TensorList (list_ops.py) that every write replaces; what TF 2.21's tf.function records,
    so a traced function shows and saves TF's ops."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        from . import list_ops
        if handle is not None:
            raise ValueError("TensorArray handles are not supported inside a tf.function "
                             "(TF 2's TensorArray has none); pass flow=")
        if flow is None and size is None:
            raise ValueError("Size must be provided if handle is not provided")
        self._dtype = _dt.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._element_shape = [as_shape(element_shape) if element_shape is not None
                               else unknown_shape()]
        self._size_value = size
        self._handle = None
        if flow is not None:
            self._flow = flow
            return
        with _ops.name_scope(name, "TensorArrayV2", [size]) as scope:
            self._flow = list_ops.tensor_list_reserve(
                element_shape=self.element_shape, num_elements=size,
                element_dtype=self._dtype, name=scope)

    @property
    def handle(self):
        # TF 2's array has no handle; legacy loop code reading it gets None, as in TF
        return None

    def _with_flow(self, flow):
        ta = _GraphTensorArrayV2.__new__(_GraphTensorArrayV2)
        ta.__dict__.update(self.__dict__)
        ta._flow = flow
        return ta

    def _static_size(self):
        from ..framework.tensor_util import constant_value
        if self._dynamic_size or self._size_value is None:
            return -1
        v = constant_value(self._size_value) if isinstance(self._size_value, _ops.Tensor) \
            else self._size_value
        return -1 if v is None else int(v)

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError("TensorArray.grad is not available for TF 2's TensorArray "
                                  "(a tf.function's): differentiate through its reads and "
                                  "writes instead")

    def read(self, index, name=None):
        from . import list_ops
        with _ops.name_scope(name, "TensorArrayV2Read", [self._flow, index]):
            value = list_ops.tensor_list_get_item(self._flow, index, self._dtype,
                                                  element_shape=self.element_shape,
                                                  name="TensorListGetItem")
        if self.element_shape.rank is not None:
            value.set_shape(self.element_shape)
        return value

    def write(self, index, value, name=None):
        from . import list_ops
        with _ops.name_scope(name, "TensorArrayV2Write", [self._flow, index, value]):
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            self._check_element_shape(value.shape)
            flow = list_ops.tensor_list_set_item(
                self._flow, index, value, resize_if_index_out_of_bounds=self._dynamic_size,
                name="TensorListSetItem")
        return self._with_flow(flow)

    def stack(self, name=None):
        from . import list_ops
        with _ops.name_scope(name, "TensorArrayV2Stack", [self._flow]):
            value = list_ops.tensor_list_stack(self._flow, self._dtype,
                                               num_elements=self._static_size(),
                                               element_shape=self.element_shape,
                                               name="TensorListStack")
        return value

    def gather(self, indices, name=None):
        from . import list_ops
        return list_ops.tensor_list_gather(self._flow, indices, self._dtype,
                                           element_shape=self.element_shape,
                                           name=name or "TensorListGather")

    def concat(self, name=None):
        from . import list_ops
        es = self.element_shape
        rest = TensorShape([None]).concatenate(es[1:]) if es.rank else None
        return list_ops.tensor_list_concat(self._flow, self._dtype, element_shape=rest,
                                           name=name or "TensorListConcatV2")

    def unstack(self, value, name=None):
        from . import list_ops
        with _ops.name_scope(name, "TensorArrayUnstack", [self._flow, value]):
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            if value.shape.rank is not None and value.shape.rank >= 1:
                self._check_element_shape(value.shape[1:])
            flow = list_ops.tensor_list_from_tensor(value, element_shape=self.element_shape,
                                                    name="TensorListFromTensor")
        return self._with_flow(flow)

    def scatter(self, indices, value, name=None):
        from . import list_ops
        with _ops.name_scope(name, "TensorArrayScatter", [self._flow, value, indices]):
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            if value.shape.rank is not None and value.shape.rank >= 1:
                self._check_element_shape(value.shape[1:])
            flow = list_ops.tensor_list_scatter_into_existing_list(
                self._flow, value, indices, name="TensorListScatterIntoExistingList")
        return self._with_flow(flow)

    def split(self, value, lengths, name=None):
        from . import list_ops, math_ops
        with _ops.name_scope(name, "TensorArraySplit", [self._flow, value, lengths]):
            value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value") \
                if not isinstance(value, _ops.Tensor) else value
            _check_dtype(value, self._dtype)
            lengths = math_ops.cast(_ops.convert_to_tensor(lengths), _dt.int64)
            if value.shape.rank is not None and value.shape.rank >= 1:
                self._check_element_shape(TensorShape([None]).concatenate(value.shape[1:]))
            es = self.element_shape
            flow = list_ops.tensor_list_split(value, element_shape=es if es.rank else None,
                                              lengths=lengths, name="TensorListSplit")
        return self._with_flow(flow)

    def size(self, name=None):
        from . import list_ops
        if not self._dynamic_size and self._size_value is not None:
            return _ops.convert_to_tensor(self._size_value, dtype=_I, name=name)
        return list_ops.tensor_list_length(self._flow, name=name or "TensorListLength")

    def close(self, name=None):
        # a list frees itself: TF 2's close is a NoOp
        apply_op("NoOp", [], name=name or "NoOp")
        return _ops.get_default_graph().get_operations()[-1]


def _zeros(shape, dtype):
    from . import array_ops
    shape = as_shape(shape)
    if not shape.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a "
                         f"Tensor.")
    return array_ops.zeros(shape.as_list(), dtype=dtype)


class _EagerTensorArray:
    """TF2's eager TensorArray: the elements are held in a Python list."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager execution "
                             "is enabled.")
        if handle is not None:
            raise ValueError("TensorArray handles are not supported when eager execution "
                             "is enabled.")
        self._dtype = _dt.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else clear_after_read
        self._infer_shape = infer_shape
        self._element_shape = as_shape(element_shape) if element_shape is not None \
            else unknown_shape()
        size = int(size.numpy() if hasattr(size, "numpy") else size)
        self._tensor_array = [None] * size
        self._previously_read_indices = []

    @property
    def flow(self):
        from .constant_op import constant
        return constant(0, dtype=_I)

    @property
    def dtype(self):
        return self._dtype

    @property
    def handle(self):
        return None

    @property
    def element_shape(self):
        return self._element_shape

    @property
    def dynamic_size(self):
        return self._dynamic_size

    def identity(self):
        return self

    def mark_used(self):
        pass

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError("TensorArray.grad is not supported when executing eagerly; "
                                  "eager gradients are supported through GradientTape.")

    def _index(self, index):
        return int(index.numpy() if hasattr(index, "numpy") else index)

    def _maybe_zero(self, ix):
        val = self._tensor_array[ix]
        if val is None:
            val = self._tensor_array[ix] = _zeros(self._element_shape, self._dtype)
        return val

    def read(self, index, name=None):
        index = self._index(index)
        if index < 0:
            raise errors.OutOfRangeError(None, None, f"Reading from negative indices (index "
                                                     f"{index}) is not allowed.")
        size = len(self._tensor_array)
        if index >= size:
            raise errors.OutOfRangeError(None, None, f"Tried to read from index {index} but "
                                                     f"array size is: {size} ")
        tensor = self._tensor_array[index]
        if tensor is None:
            if index in self._previously_read_indices:
                raise errors.InvalidArgumentError(
                    None, None, f"Could not read index {index} twice because it was cleared "
                                f"after a previous read (perhaps try setting "
                                f"clear_after_read = false?)")
            tensor = self._maybe_zero(index)
        if self._clear_after_read:
            self._tensor_array[index] = None
            self._previously_read_indices.append(index)
        return tensor

    def _write(self, index, value):
        size = len(self._tensor_array)
        if index < 0:
            raise errors.OutOfRangeError(None, None, f"Writing to negative indices (index "
                                                     f"{index}) is not allowed.")
        if index >= size:
            if not self._dynamic_size:
                raise errors.OutOfRangeError(
                    None, None, f"Tried to write to index {index} but array is not "
                                f"resizeable and size is: {size} ")
            self._tensor_array.extend(None for _ in range(index - size + 1))
        if not isinstance(value, _ops.Tensor):
            value = _ops.convert_to_tensor(value, dtype=self._dtype)
        if self._dtype != value.dtype.base_dtype:
            raise errors.InvalidArgumentError(
                None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                            f"write dtype {value.dtype.base_dtype.name} ")
        if self._infer_shape:
            if not self._element_shape.is_compatible_with(value.shape):
                raise ValueError(f"Incompatible shape for value ({value.shape}), expected "
                                 f"({self._element_shape})")
            self._element_shape = self._element_shape.merge_with(value.shape)
        self._tensor_array[index] = value

    def write(self, index, value, name=None):
        self._write(self._index(index), value)
        return self

    def stack(self, name=None):
        from . import array_ops
        if self._tensor_array:
            for ix in range(len(self._tensor_array)):
                self._maybe_zero(ix)
        if not self._tensor_array and self._element_shape.is_fully_defined():
            return _zeros([0] + self._element_shape.as_list(), self._dtype)
        if not self._tensor_array:
            from .constant_op import constant
            return constant(np.zeros((0,), self._dtype.np_dtype))
        return array_ops.stack(self._tensor_array, name=name or "stack")

    def gather(self, indices, name=None):
        from . import array_ops
        idx = np.asarray(indices.numpy() if hasattr(indices, "numpy") else indices)
        if not self._tensor_array and self._element_shape.is_fully_defined():
            return _zeros([0] + self._element_shape.as_list(), self._dtype)
        return array_ops.stack([self._maybe_zero(int(i)) for i in idx.reshape(-1)],
                               name=name or "stack")

    def concat(self, name=None):
        from . import array_ops
        if not self._tensor_array and self._element_shape.rank:
            return _zeros([0] + self._element_shape.as_list()[1:], self._dtype)
        return array_ops.concat([self._maybe_zero(ix) for ix in
                                 range(len(self._tensor_array))], 0, name=name or "concat")

    def unstack(self, value, name=None):
        from . import array_ops
        value = _ops.convert_to_tensor(value, dtype=self._dtype)
        tensors = array_ops.unstack(value, name=name or "unstack")
        if len(tensors) > len(self._tensor_array) and not self._dynamic_size:
            raise ValueError(f"Cannot unstack {len(tensors)} tensors into a TensorArray of "
                             f"static size {len(self._tensor_array)} ")
        for i, t in enumerate(tensors):
            self._write(i, t)
        return self

    def scatter(self, indices, value, name=None):
        from . import array_ops
        value = _ops.convert_to_tensor(value, dtype=self._dtype)
        idx = np.asarray(indices.numpy() if hasattr(indices, "numpy") else indices)
        for i, t in zip(idx.reshape(-1), array_ops.unstack(value)):
            self._write(int(i), t)
        return self

    def split(self, value, lengths, name=None):
        from . import array_ops
        value = _ops.convert_to_tensor(value, dtype=self._dtype)
        lens = np.asarray(lengths.numpy() if hasattr(lengths, "numpy") else lengths,
                          dtype=np.int64).reshape(-1)
        n0 = value.shape.as_tuple()[0] if value.shape.rank else 0
        if int(lens.sum()) != n0:
            raise errors.InvalidArgumentError(
                None, None, f"Expected sum of lengths to be equal to values.shape[0], but "
                            f"sum of lengths is {int(lens.sum())} and value's shape is: "
                            f"[{','.join(str(d) for d in value.shape.as_tuple())}] ")
        if not self._dynamic_size and lens.size != len(self._tensor_array):
            raise errors.InvalidArgumentError(
                None, None, f"TensorArray's size is not equal to the size of lengths "
                            f"({len(self._tensor_array)} vs. {lens.size}), and the "
                            f"TensorArray is not marked as dynamically resizeable")
        # as TF's eager split: the pieces replace the elements with no shape check
        self._tensor_array = list(array_ops.split(value, [int(x) for x in lens], axis=0))
        return self

    def size(self, name=None):
        from .constant_op import constant
        return constant(len(self._tensor_array), dtype=_I)

    def close(self, name=None):
        del self._tensor_array[:]


def _in_function(handle, flow):
    """Whether a graph TensorArray is TF 2's (a TensorList): inside a tf.function, as TF
    2.21 records it, unless it wraps a TF1 handle or flow made outside."""
    if handle is not None:
        return False
    if flow is not None:
        return flow.dtype.base_dtype == _dt.variant
    return _ops.get_default_graph().building_function


class TensorArray:
    """`tf.TensorArray` (and `tf.compat.v1.TensorArray`): the eager list form when executing
    eagerly, the graph form (handle and flow) when building a graph."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        impl = _EagerTensorArray if _ops.executing_eagerly() and not (
            isinstance(size, _ops.Tensor) and not getattr(size, "_is_eager", False)) \
            else _GraphTensorArrayV2 if _in_function(handle, flow) else _GraphTensorArray
        self._implementation = impl(
            dtype, size=size, dynamic_size=dynamic_size, clear_after_read=clear_after_read,
            tensor_array_name=tensor_array_name, handle=handle, flow=flow,
            infer_shape=infer_shape, element_shape=element_shape,
            colocate_with_first_write_call=colocate_with_first_write_call, name=name)

    @classmethod
    def _wrap(cls, impl):
        ta = cls.__new__(cls)
        ta._implementation = impl
        return ta

    def _same(self, impl):
        return self if impl is self._implementation else TensorArray._wrap(impl)

    flow = property(lambda self: self._implementation.flow)
    dtype = property(lambda self: self._implementation.dtype)
    handle = property(lambda self: self._implementation.handle)
    element_shape = property(lambda self: self._implementation.element_shape)
    dynamic_size = property(lambda self: self._implementation.dynamic_size)

    def identity(self):
        return self._same(self._implementation.identity())

    def grad(self, source, flow=None, name=None):
        return TensorArray._wrap(self._implementation.grad(source, flow, name))

    def read(self, index, name=None):
        return self._implementation.read(index, name=name)

    def write(self, index, value, name=None):
        return self._same(self._implementation.write(index, value, name=name))

    def stack(self, name=None):
        return self._implementation.stack(name=name)

    def gather(self, indices, name=None):
        return self._implementation.gather(indices, name=name)

    def concat(self, name=None):
        return self._implementation.concat(name=name)

    def unstack(self, value, name=None):
        return self._same(self._implementation.unstack(value, name=name))

    def scatter(self, indices, value, name=None):
        return self._same(self._implementation.scatter(indices, value, name=name))

    def split(self, value, lengths, name=None):
        return self._same(self._implementation.split(value, lengths, name=name))

    def size(self, name=None):
        return self._implementation.size(name=name)

    def close(self, name=None):
        return self._implementation.close(name=name)

    def mark_used(self):
        pass


# --- TensorArrays as while-loop variables ---------------------------------------------------

def has_tensor_arrays(structure):
    from ..framework import nest
    return any(isinstance(v, TensorArray) for v in nest.flatten(structure))


def _to_flow(structure):
    from ..framework import nest
    return nest.map_structure(lambda v: v.flow if isinstance(v, TensorArray) else v,
                              structure)


def _from_flow(templates, structure):
    """`structure` with each flow standing where `templates` has a TensorArray made into
    that array with the new flow (TF's _make_tensor_array)."""
    from ..framework import nest
    flat_t, flat_s = nest.flatten(templates), nest.flatten(structure)
    out = [TensorArray._wrap(t._implementation._with_flow(s))
           if isinstance(t, TensorArray) and not isinstance(s, TensorArray) else s
           for t, s in zip(flat_t, flat_s)]
    return nest.pack_sequence_as(structure, out)


def while_loop_with_tensor_arrays(while_loop, cond, body, loop_vars, **kwargs):
    """TF's while_loop carries a TensorArray's flow as the loop variable and rebuilds the
    array around it in `cond`, in `body` and on the way out."""
    from ..framework import nest
    templates = loop_vars

    def call(fn, args):
        args = _from_flow(templates, list(args))
        return fn(*args) if isinstance(templates, (list, tuple)) and \
            not hasattr(templates, "_fields") else fn(args[0])

    flat_loop = isinstance(templates, (list, tuple)) and not hasattr(templates, "_fields")
    if flat_loop:
        def cond_f(*a):
            return call(cond, a)

        def body_f(*a):
            res = call(body, a)
            return _to_flow(res)
        loop_in = type(templates)(_to_flow(list(templates))) \
            if isinstance(templates, tuple) else _to_flow(list(templates))
    else:
        def cond_f(a):
            return cond(_from_flow(templates, a))

        def body_f(a):
            return _to_flow(body(_from_flow(templates, a)))
        loop_in = _to_flow(templates)
    return_same = kwargs.pop("return_same_structure", False)
    out = while_loop(cond_f, body_f, loop_in, return_same_structure=True, **kwargs)
    out = _from_flow(templates, out)
    if return_same:
        return out
    flat_out = nest.flatten(out)
    return flat_out[0] if len(flat_out) == 1 else out
