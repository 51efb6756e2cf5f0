"""`tf.Variable` in TF 2: a ResourceVariable.

The value lives in one storage slot (the executor's `VariableSlot`: `.name`, `.value`) owned
by the variable, not by a session. Eagerly, reading wraps the current array in an
EagerTensor and writing swaps in a new array (never in place, so earlier reads keep their
values).

Inside a `tf.function` trace the variable is *captured*: its storage slot becomes a
placeholder of dtype `resource` fed at every call, and reads and writes become the graph ops
`ReadVariableOp` / `AssignVariableOp` / `AssignAddVariableOp` / `AssignSubVariableOp`, whose
kernels read and write the slot when the function runs. The function runs every stateful op
it traced, in trace order, so reads after a write see the written value.
"""
import enum
import itertools

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.tensor_shape import TensorShape, as_shape
from ..kernels.cpu._build import VARIABLE_LOCK
from ..runtime.executor import VariableSlot
from . import context
from .tensor import EagerTensor, GpuEagerTensor, Reference, _numpy_text
from . import execute as _execute
from ..kernels.cpu.resource_variable import _dims, _own
from ..ops import resource_variable_ops  # noqa: F401  (ReadVariableOp, AssignVariableOp, ...)

__all__ = ["ResourceVariable", "Variable", "VariableSynchronization", "VariableAggregation"]


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3

# --- the resource-variable ops (used by traced functions) -------------------------------------

class _Storage(VariableSlot):
    """A resource variable's value slot (what its `resource` handle points to)."""
    __slots__ = ("fixed_shape",)


_HOST_VALUE = VariableSlot.value      # the slot's own attribute, under the property below


class _GpuStorage(_Storage):
    """The storage when a GPU is present: the value is kept where it was last written, a
    device array by GPU kernels (`device_value`, `stored`) or a host array by everything
    else (`value`), and copied to the other side only when read there, once per write."""
    __slots__ = ("_dev",)

    def __init__(self, name):
        super().__init__(name)
        self._dev = None

    @property
    def value(self):
        h = _HOST_VALUE.__get__(self)
        if h is None and self._dev is not None:
            from ..runtime import placement
            h = placement.to_host(self._dev)
            _HOST_VALUE.__set__(self, h)
        return h

    @value.setter
    def value(self, v):
        if v is not None and hasattr(v, "copy_to_host"):
            self._dev = v
            _HOST_VALUE.__set__(self, None)
        else:
            self._dev = None
            _HOST_VALUE.__set__(self, v)

    @property
    def stored(self):
        return self._dev if self._dev is not None else _HOST_VALUE.__get__(self)

    def device_value(self):
        if self._dev is None:
            h = _HOST_VALUE.__get__(self)
            if h is None:
                return None
            from ..runtime import placement
            self._dev = placement.to_device(h)
        return self._dev


def _new_storage(name):
    """(storage, logical GPU index or None): a variable made while a GPU is the eager
    default (and no tf.device('/CPU:0') says otherwise) lives on it, as in TF 2."""
    from ..runtime import placement
    requested = context._device_stack[-1]
    if requested and not placement.SOFT_PLACEMENT[0] and context.executing_eagerly():
        # TF 2: a variable asking for a device that is not there, soft placement off
        _execute._hard_placement(None, requested, True)
    if not placement.gpu_available():
        return _Storage(name), None
    index = None
    if _execute._gpu_default():
        kind, i = placement.parse_device(context._device_stack[-1])
        i = i or 0
        if kind != "CPU" and i < placement.eager_gpu_count():
            index = i
        elif kind == "GPU":
            index = 0       # soft placement (off raised above): the first GPU
    return _GpuStorage(name), index


# --- the variable -----------------------------------------------------------------------------

_CREATION_ORDER = itertools.count()


class ResourceVariable:
    """A mutable tensor for TF 2 code (eager or inside tf.function)."""

    __array_priority__ = 100
    _is_graph_variable = False
    _is_resource_variable = True
    _gpu = None             # the logical GPU it lives on (None: the host)

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, distribute_strategy=None,
                 synchronization=None, aggregation=None, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (`None`) must be specified as a "
                             "`Tensor` or a Python function returning a `Tensor`.")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Got: "
                             f"{constraint}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        self._trainable = True if trainable is None else bool(trainable)
        self._creation_order = next(_CREATION_ORDER)   # tape.watched_variables() sorts by it
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        base = name if name else "Variable"
        if base.endswith(":0"):
            base = base[:-2]
        self._shared_name = context._scoped_prefix() + base
        value = _initial_value_now(initial_value, dtype)
        self._dtype = value._dtype
        if shape is not None:
            shape = as_shape(shape)
            if not shape.is_compatible_with(value.shape):
                raise ValueError(f"The initial value's shape ({value.shape}) is not compatible "
                                 f"with the explicitly supplied `shape` argument ({shape}).")
            self._shape = shape
        elif validate_shape:
            self._shape = value.shape
        else:
            self._shape = TensorShape(None)
        self._storage, self._gpu = _new_storage(self._shared_name)
        self._storage.value = _own(value._value)
        self._storage.fixed_shape = self._shape.is_fully_defined()
        self._initial_value = value
        self._handle = None
        from . import function as _function
        _function._note_variable_created(self)

    # --- identity -----------------------------------------------------------------------
    @property
    def name(self):
        return self._shared_name + ":0"

    @property
    def dtype(self):
        return self._dtype

    @property
    def _tfteach_dtype(self):
        return self._dtype

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    @property
    def ndim(self):
        return self._shape.rank

    @property
    def device(self):
        gpu = getattr(self, "_gpu", None)
        return context.CPU0 if gpu is None else _execute._gpu_name(gpu)

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def handle(self):
        """The resource handle: an eager tensor of dtype `resource` holding the storage."""
        if self._handle is None:
            self._handle = EagerTensor(np.array(self._storage, dtype=object), _dt.resource)
        return self._handle

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    @property
    def initializer(self):
        return None

    def ref(self):
        return Reference(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError(f"Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self!r})")

    def __repr__(self):
        if context.executing_eagerly():
            v = self._current()
            t = EagerTensor(v, self._dtype)
            return (f"<tf.Variable '{self.name}' shape={self._shape} "
                    f"dtype={self._dtype.name}, numpy={_numpy_text(t, is_repr=True)}>")
        return f"<tf.Variable '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    __str__ = __repr__

    # --- reading ------------------------------------------------------------------------
    def _current(self):
        return self._storage.value

    def _read_eager(self):
        """The current value as an EagerTensor; recorded on the tapes (a watched read)."""
        if self._gpu is not None and self._storage.stored is not None:
            t = GpuEagerTensor(self._storage.device_value(), self._dtype,
                               _execute._gpu_name(self._gpu))
        else:
            t = EagerTensor(self._storage.value, self._dtype)
        if _execute.active_tapes:
            from . import backprop
            backprop.record_variable_read(self, t)
        return t

    def value(self):
        if context.executing_eagerly():
            return self._read_eager()
        return self._graph_read()

    def read_value(self):
        g = _ops.get_default_graph()
        if context.executing_eagerly() or getattr(g, "capture_variable", None) is None:
            return self.value()
        # in a trace, TF's read_value is a read scoped "Read" and an Identity of it
        from ..ops import array_ops
        with g.name_scope("Read"):
            value = self._graph_read()
        return array_ops.identity(value)

    @registry.api("ReadVariableOp")
    def _graph_read(self, name=None):
        g = _ops.get_default_graph()
        capture = getattr(g, "capture_variable", None)
        if capture is None:
            # A graph that is not a function trace sees the variable's current value.
            from ..ops import constant_op
            v = self._storage.value
            return constant_op.constant(np.asarray(v), dtype=self._dtype, name="Variable")
        from ..framework.op_def_library import apply_op
        from .function import _HandleRef
        out = apply_op("ReadVariableOp", [_HandleRef(self)],
                       {"dtype": self._dtype, "_shape": self._shape},
                       name=name or "ReadVariableOp")[0]
        if _execute.active_tapes:
            from . import backprop
            backprop.record_graph_variable_read(self, out)
        return out

    def numpy(self):
        v = self._storage.value
        return v.copy() if isinstance(v, np.ndarray) else v

    def __array__(self, dtype=None, copy=None):
        a = np.array(self._storage.value)
        return a.astype(dtype, copy=False) if dtype is not None else a

    def __float__(self):
        return float(self._storage.value)

    def __int__(self):
        return int(self._storage.value)

    def __index__(self):
        return self.value().__index__()

    def __bool__(self):
        return bool(self._storage.value)

    def __len__(self):
        return len(self.value())

    def __iter__(self):
        return iter(self.value())

    def __format__(self, spec):
        return self._storage.value.__format__(spec)

    def __getitem__(self, key):
        return self.value()[key]

    def eval(self, session=None):
        raise NotImplementedError("eval is not supported when eager execution is enabled, "
                                  "is .numpy() what you're looking for?")

    def get_value(self):
        return self.numpy()

    # --- writing ------------------------------------------------------------------------
    def _convert_value(self, value, op_name):
        if isinstance(value, ResourceVariable):
            value = value._read_eager()
        if isinstance(value, EagerTensor):
            if value._dtype != self._dtype:
                raise errors.InvalidArgumentError(
                    None, None, f"cannot compute {op_name} as input #1(zero-based) was "
                                f"expected to be a {_execute._tf_type_name(self._dtype)} "
                                f"tensor but is a {_execute._tf_type_name(value._dtype)} "
                                f"tensor [Op:{op_name}]")
            return value
        try:
            return _execute.convert_to_eager(value, self._dtype)
        except (TypeError, ValueError):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype "
                            f"{_execute._tf_type_name(self._dtype)}") from None

    @registry.api("AssignVariableOp")
    def assign(self, value, use_locking=None, name=None, read_value=True):
        if not context.executing_eagerly() or _ops.is_symbolic(value):
            return self._graph_write("AssignVariableOp", value, name, read_value)
        t = self._convert_value(value, "AssignVariableOp")
        if self._shape.rank is not None and not self._shape.is_compatible_with(t.shape):
            raise ValueError(f"Cannot assign value to variable ' {self.name}': Shape "
                             f"mismatch.The variable shape {self._shape}, and the assigned "
                             f"value shape {t.shape} are incompatible.")
        if self._gpu is not None and isinstance(t, GpuEagerTensor):
            self._storage.value = t.device_array()     # never written in place: shared
        else:
            self._storage.value = _own(t._value) if isinstance(value, np.ndarray) else \
                t._value
        return _UnreadVariable(self) if read_value else None

    def _update(self, delta, sign, op_name, name, read_value):
        if not context.executing_eagerly() or _ops.is_symbolic(delta):
            return self._graph_write(op_name, delta, name, read_value)
        t = self._convert_value(delta, op_name)
        if self._gpu is not None:
            return self._update_on_gpu(t, sign, op_name, read_value)
        with VARIABLE_LOCK:     # read, add and store as one step (threads lose no update)
            old = self._storage.value
            if np.shape(old) != t._value.shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot update variable with shape {_dims(np.shape(old))} "
                                f"using a Tensor with shape {_dims(t._value.shape)}, shapes "
                                f"must be equal. [Op:{op_name}]")
            self._storage.value = np.add(old, t._value) if sign > 0 else \
                np.subtract(old, t._value)
        return _UnreadVariable(self) if read_value else None

    def _update_on_gpu(self, t, sign, op_name, read_value):
        """assign_add / assign_sub of a variable on a GPU: computed there, stored there."""
        with VARIABLE_LOCK:
            old = self._storage.stored
            if old is None:
                raise errors.FailedPreconditionError(
                    None, None, f"Could not find variable {self._shared_name}. [Op:{op_name}]")
            if tuple(np.shape(old)) != tuple(t.shape.as_list()):
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot update variable with shape {_dims(np.shape(old))} "
                                f"using a Tensor with shape {_dims(t.shape.as_list())}, "
                                f"shapes must be equal. [Op:{op_name}]")
            cur = GpuEagerTensor(self._storage.device_value(), self._dtype,
                                 _execute._gpu_name(self._gpu))
            tapes = _execute.active_tapes[:]
            del _execute.active_tapes[:]        # an update is not differentiated
            try:
                with context.eager_device_scope(_execute._gpu_name(self._gpu)):
                    new = _execute.execute(registry.get("AddV2" if sign > 0 else "Sub"),
                                           [cur, t], {}, op_name)[0]
            finally:
                _execute.active_tapes[:] = tapes
            self._storage.value = new.device_array() if isinstance(new, GpuEagerTensor) \
                else new._value
        return _UnreadVariable(self) if read_value else None

    @registry.api("AssignAddVariableOp")
    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(delta, 1, "AssignAddVariableOp", name, read_value)

    @registry.api("AssignSubVariableOp")
    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(delta, -1, "AssignSubVariableOp", name, read_value)

    def _scatter(self, sparse_delta, op_name, name):
        from ..framework.indexed_slices import IndexedSlices
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"Argument `sparse_delta` must be a `tf.IndexedSlices`. "
                            f"Received arg: {sparse_delta}")
        return self._resource_scatter(op_name, sparse_delta.indices, sparse_delta.values,
                                      name)

    def _resource_scatter(self, op_name, indices, updates, name=None):
        """One ResourceScatter*/ResourceScatterNd* write: into the traced graph when one is
        being built, else now. Returns the variable as read after the write."""
        from ..ops import state_ops, training_ops  # noqa: F401 (declare the ops)
        if not context.executing_eagerly() or _ops.is_symbolic(indices) or \
                _ops.is_symbolic(updates):
            g = _ops.get_default_graph()
            if getattr(g, "capture_variable", None) is None:
                raise RuntimeError(f"Cannot write the TF 2 variable {self.name} from a v1 "
                                   f"graph; use it inside tf.function or eagerly.")
            from ..framework.op_def_library import apply_op
            from .function import _HandleRef
            values = _ops.convert_to_tensor(updates, dtype=self._dtype)
            attrs = {"T": self._dtype, "use_locking": True, "bad_indices_policy": ""} \
                if "Nd" in op_name else {"dtype": self._dtype}
            apply_op(op_name, [_HandleRef(self), indices, values], attrs,
                     name=name or op_name)
            return self
        from ..kernels.cpu.state import scatter_values
        values = self._convert_value(updates, op_name)
        indices = _execute.convert_to_eager(indices)
        with VARIABLE_LOCK:
            try:
                self._storage.value = scatter_values(op_name, self._storage.value,
                                                     indices._value, values._value)
            except errors.OpError as e:
                raise type(e)(None, None, f"{e.message} [Op:{op_name}]") from None
        return _UnreadVariable(self)

    @registry.api("ResourceScatterAdd")
    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        """variable[indices[i]] += values[i], row after row."""
        return self._scatter(sparse_delta, "ResourceScatterAdd", name)

    @registry.api("ResourceScatterSub")
    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        """variable[indices[i]] -= values[i], row after row."""
        return self._scatter(sparse_delta, "ResourceScatterSub", name)

    @registry.api("ResourceScatterUpdate")
    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """variable[indices[i]] = values[i]."""
        return self._scatter(sparse_delta, "ResourceScatterUpdate", name)

    @registry.api("ResourceScatterMul")
    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "ResourceScatterMul", name)

    @registry.api("ResourceScatterDiv")
    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "ResourceScatterDiv", name)

    @registry.api("ResourceScatterMin")
    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "ResourceScatterMin", name)

    @registry.api("ResourceScatterMax")
    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "ResourceScatterMax", name)

    @registry.api("ResourceScatterNdUpdate")
    def scatter_nd_update(self, indices, updates, name=None):
        """variable at the N-d `indices` = updates."""
        return self._resource_scatter("ResourceScatterNdUpdate", indices, updates, name)

    @registry.api("ResourceScatterNdAdd")
    def scatter_nd_add(self, indices, updates, name=None):
        return self._resource_scatter("ResourceScatterNdAdd", indices, updates, name)

    @registry.api("ResourceScatterNdSub")
    def scatter_nd_sub(self, indices, updates, name=None):
        return self._resource_scatter("ResourceScatterNdSub", indices, updates, name)

    def batch_scatter_update(self, sparse_delta, use_locking=True, name=None):
        """variable[i, ..., indices[i, ...]] = values[i, ...] (one ResourceScatterNdUpdate)."""
        from ..framework.indexed_slices import IndexedSlices
        from ..ops import state_ops
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"Argument `sparse_delta` must be a `tf.IndexedSlices`. "
                            f"Received arg: {sparse_delta}")
        return state_ops.batch_scatter_update(self, sparse_delta.indices,
                                              sparse_delta.values, use_locking, name)

    def _graph_write(self, op_type, value, name, read_value):
        g = _ops.get_default_graph()
        capture = getattr(g, "capture_variable", None)
        if capture is None:
            raise RuntimeError(f"Cannot write the TF 2 variable {self.name} from a v1 graph; "
                               f"use it inside tf.function or eagerly.")
        from ..framework.op_def_library import apply_op
        from .function import _HandleRef
        handle = _HandleRef(self)
        value = _ops.convert_to_tensor(value, dtype=self._dtype, name="value")
        if op_type == "AssignVariableOp" and self._shape.rank is not None and \
                not self._shape.is_compatible_with(value.shape):
            raise ValueError(f"Cannot assign value to variable ' {self.name}': Shape "
                             f"mismatch.The variable shape {self._shape}, and the assigned "
                             f"value shape {value.shape} are incompatible.")
        apply_op(op_type, [handle, value], {"dtype": self._dtype}, name=name or op_type)
        return self if read_value else None


Variable = ResourceVariable


class _UnreadVariable(ResourceVariable):
    """What `assign*` returns eagerly (TF's 'UnreadVariable'): the same variable storage,
    read whenever it is used."""

    def __init__(self, var):  # noqa: D107 - shares the variable's state, creates nothing
        self.__dict__.update(var.__dict__)
        self._parent = var

    @property
    def name(self):
        return "UnreadVariable"

    def __repr__(self):
        t = EagerTensor(self._storage.value, self._dtype)
        return (f"<tf.Variable 'UnreadVariable' shape={self._shape} "
                f"dtype={self._dtype.name}, numpy={_numpy_text(t, is_repr=True)}>")

    __str__ = __repr__


def _initial_value_now(initial_value, dtype):
    """The initial value as an EagerTensor, computed outside any function being traced (TF
    lifts variable initialisers out of tf.function the same way)."""
    with context.init_scope():
        if callable(initial_value) and not hasattr(initial_value, "_read_eager"):
            initial_value = initial_value()
    if isinstance(initial_value, ResourceVariable):
        initial_value = initial_value._read_eager()
    if _ops.is_symbolic(initial_value):
        initial_value = _evaluate_symbolic(initial_value)
    if isinstance(initial_value, EagerTensor):
        if dtype is not None and _dt.as_dtype(dtype).base_dtype != initial_value._dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} "
                             f"for Tensor with dtype {initial_value._dtype.name}: "
                             f"{initial_value!r}")
        return initial_value
    if isinstance(initial_value, np.ndarray):
        initial_value = initial_value.copy()
    return _execute.convert_to_eager(initial_value,
                                     None if dtype is None else _dt.as_dtype(dtype).base_dtype)


def _evaluate_symbolic(t):
    """A graph tensor used as an initial value inside a trace: computed now (it must not
    depend on the function's arguments)."""
    from ..runtime.executor import Plan
    g = t.graph
    feeds, values = [], []
    for ph, val in getattr(g, "_eager_feeds", lambda: ([], []))():
        feeds.append(ph)
        values.append(val)
    plan = Plan(g, [t], [], feeds)
    if plan.error is not None:
        raise ValueError(f"A tf.Variable created inside a tf.function must not depend on "
                         f"the function's arguments ({plan.error.message.splitlines()[0]}).")
    out = plan.run(values, context._FunctionRunContext())[0]
    return EagerTensor(out, t.dtype.base_dtype)


# Operators: the variable behaves as its current value.
def _variable_operator(name):
    def fn(self, *args):
        return getattr(self.value(), name)(*args)
    fn.__name__ = name
    return fn


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
              "__abs__", "__invert__", "__and__", "__rand__", "__or__", "__ror__", "__xor__",
              "__rxor__", "__lt__", "__le__", "__gt__", "__ge__", "__pos__", "__eq__",
              "__ne__"):
    setattr(ResourceVariable, _name, _variable_operator(_name))


def _convert_resource_variable(v, dtype=None, name=None, as_ref=False):
    if dtype is not None and _dt.as_dtype(dtype).base_dtype != v._dtype:
        raise ValueError(f"Incompatible type conversion requested to type "
                         f"'{_dt.as_dtype(dtype).name}' for variable of type "
                         f"'{v._dtype.name}' (Variable: {v!r})")
    if context.executing_eagerly():
        return v._read_eager()
    return v._graph_read()


_ops.register_tensor_conversion_function(ResourceVariable, _convert_resource_variable)
