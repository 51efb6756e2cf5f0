"""Graph, Operation and Tensor: the data structures a TF program builds.

A Graph is a list of Operations in creation order (which is always a valid topological
order: an op can only consume tensors that already exist). Building a graph computes
nothing; `client/session.py` and `runtime/executor.py` run it.

Names follow TF exactly: `unique_name` appends `_N` with a case-insensitive count, name
scopes are uniquified the same way, and an op's implicit constant inputs are created inside
the op's own scope (`mul/x`).
"""
import contextlib
import threading

import numpy as np

from . import behavior, registry
from . import dtypes as _dt
from .tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["Graph", "Operation", "Tensor", "get_default_graph", "reset_default_graph",
           "name_scope", "control_dependencies", "device", "convert_to_tensor", "GraphKeys",
           "executing_eagerly", "apply_op"]


class GraphKeys:
    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    GLOBAL_STEP = "global_step"
    SAVERS = "savers"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    TRAIN_OP = "train_op"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    ACTIVATIONS = "activations"
    WEIGHTS = "weights"
    BIASES = "biases"
    CONCATENATED_VARIABLES = "concatenated_variables"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES


# ---------------------------------------------------------------------------------------
# Calls up
# framework/ imports nothing above it. Where a graph object must reach an upper layer, that
# layer installs its function here when it is imported, as eager/execute.py installs
# op_def_library.EAGER_EXECUTE. tfteach/__init__.py imports eager/context.py and
# ops/constant_op.py, so these are set before any user code runs (tests/test_layering.py).
# ---------------------------------------------------------------------------------------
EAGER_NAME_SCOPE = None          # eager/context.py: eager_name_scope(name)
EAGER_CURRENT_NAME_SCOPE = None  # eager/context.py: current_name_scope()
EAGER_DEVICE_SCOPE = None        # eager/context.py: eager_device_scope(device_name)
EAGER_RUN_CONTEXT = None         # eager/context.py: run_context()
EAGER_TENSOR = None              # eager/tensor.py: the EagerTensor class
EAGER_CONSTANT = None            # eager/execute.py: tf.constant's eager tensor (on the default device)
EAGER_VARIABLE = None            # tfteach/__init__.py: makes a tf.Variable (ResourceVariable)
CONSTANT = None                  # ops/constant_op.py: constant(value, dtype, name)


# ---------------------------------------------------------------------------------------
# Tensor
# ---------------------------------------------------------------------------------------

class Tensor:
    """A symbolic handle to one output of an Operation. It holds no value."""

    # `_keras_mask`: where Keras layers leave a tensor's mask (Masking, Embedding(mask_zero)),
    # as they do on TF's tensors
    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "_keras_mask",
                 "__weakref__")
    __array_priority__ = 100  # so `np_array + tensor` calls Tensor.__radd__

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._consumers = []

    @property
    def op(self):
        return self._op

    @property
    def graph(self):
        return self._op._graph

    @property
    def name(self):
        return f"{self._op._name}:{self._value_index}"

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return self._shape

    @property
    def device(self):
        return self._op.device

    @property
    def ndim(self):
        return self._shape.rank

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        self._shape = self._shape.merge_with(as_shape(shape))

    def consumers(self):
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        return _eval_using_default_session(self, feed_dict, self.graph, session)

    def _shape_str_for_repr(self):
        return str(self._shape)

    def __repr__(self):
        return (f"<tf.Tensor '{self.name}' shape={self._shape_str_for_repr()} "
                f"dtype={self._dtype.name}>")

    def __str__(self):
        if self._shape.rank is None:
            return f'Tensor("{self.name}", dtype={self._dtype.name})'
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        if behavior.V2_SHAPES and _OVERLOADS.get("__eq__") is not None:
            return _OVERLOADS["__eq__"](self, other)
        return self is other

    def __ne__(self, other):
        if behavior.V2_SHAPES and _OVERLOADS.get("__ne__") is not None:
            return _OVERLOADS["__ne__"](self, other)
        return self is not other

    def __bool__(self):
        raise TypeError("Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. "
                        "Use `if t is not None:` instead of `if t:` to test if a tensor is "
                        "defined, and use TensorFlow ops such as tf.cond to execute subgraphs "
                        "conditioned on the value of a tensor.")

    def __iter__(self):
        shape = self._shape
        if shape.rank is None:
            raise TypeError("Cannot iterate over a tensor with unknown shape.")
        if shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        n = shape.as_tuple()[0]
        if n is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension.")
        return (self[i] for i in range(n))

    def __len__(self):
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}). Please "
                        f"call `x.shape` rather than `len(x)` for shape information.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This error "
            f"may indicate that you're trying to pass a Tensor to a NumPy call, which is not "
            f"supported.")


# Operators are attached by tfteach.ops.math_ops (as TF's `_override_operator` does), so
# that this module stays free of op definitions.
_OVERLOADS = {}


def _make_operator(name):
    def op(self, *args):
        return _OVERLOADS[name](self, *args)
    op.__name__ = name
    return op


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
              "__abs__", "__invert__", "__and__", "__rand__", "__or__", "__ror__", "__xor__",
              "__rxor__", "__lt__", "__le__", "__gt__", "__ge__", "__getitem__", "__pos__"):
    setattr(Tensor, _name, _make_operator(_name))


def register_overload(name, fn):
    _OVERLOADS[name] = fn


# ---------------------------------------------------------------------------------------
# NodeDef-like view of an op
# ---------------------------------------------------------------------------------------

class NodeDef:
    """The serialisable description of an op: name, op type, inputs by name, attrs."""
    __slots__ = ("name", "op", "input", "attr", "device")

    def __init__(self, name, op, input, attr, device):
        self.name, self.op, self.input, self.attr, self.device = name, op, input, attr, device

    def __str__(self):
        from . import node_def_text
        return node_def_text.node_def_to_text(self)

    __repr__ = __str__


# ---------------------------------------------------------------------------------------
# Operation
# ---------------------------------------------------------------------------------------

class Operation:
    """A node of the graph: an op type applied to input tensors, producing output tensors."""

    __slots__ = ("_graph", "_name", "_type", "_opdef", "_inputs", "_outputs", "_attrs",
                 "_control_inputs", "_control_outputs", "_device", "_id", "__weakref__",
                 "_colocation", "_control_flow_context")

    def __init__(self, graph, name, opdef, inputs, attrs, output_types, output_shapes,
                 control_inputs, device):
        self._graph = graph
        self._name = name
        self._opdef = opdef
        self._type = opdef.type
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._control_inputs = list(control_inputs)
        self._control_outputs = []
        self._device = device or ""
        self._colocation = None
        # the CondContext (ops/control_flow_v1.py) of a tf.cond branch the op was built in
        self._control_flow_context = None
        self._outputs = [Tensor(self, i, dt, sh)
                         for i, (dt, sh) in enumerate(zip(output_types, output_shapes))]
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    # --- TF's public properties -------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def type(self):
        return self._type

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return _InputList(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self):
        return self._device

    @property
    def op_def(self):
        return self._opdef

    @property
    def node_def(self):
        inputs = [t.name if t.value_index else t.op.name for t in self._inputs]
        inputs += ["^" + c.name for c in self._control_inputs]
        return NodeDef(self._name, self._type, inputs, dict(self._attrs), self._device)

    @property
    def traceback(self):
        return []

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None

    def _set_attr(self, name, value):
        self._attrs[name] = value

    def values(self):
        return tuple(self._outputs)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    def run(self, feed_dict=None, session=None):
        _run_using_default_session(self, feed_dict, self.graph, session)

    def _constant_input_value(self, i):
        """Input i's value when the graph fixes it (tensor_util.constant_value), else None.
        Kernels that specialise on constant inputs ask the op (they import no framework/ops)."""
        from . import tensor_util
        return tensor_util.constant_value(self._inputs[i])

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self):
        return str(self.node_def)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


class _InputList(tuple):
    """`op.inputs`: a tuple of Tensors (TF returns an immutable sequence)."""
    __slots__ = ()


# ---------------------------------------------------------------------------------------
# Graph
# ---------------------------------------------------------------------------------------

class Graph:
    """A dataflow graph: Operations in creation order, names, scopes and collections."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_stack = []     # list of _ControlDependencies frames
        self._device_stack = []
        self._collections = {}
        self._finalized = False
        self._seed = None
        self._version = 0
        self._variable_scope_stores = {}
        self._building_function = False
        # set while a v1 tf.cond branch is being built (ops/control_flow_v1.CondContext)
        self._control_flow_context = None
        self._lock = threading.RLock()
        self._attr_scope = {}

    # --- ops -------------------------------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    @property
    def version(self):
        return len(self._ops)

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not "
                            f"{type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not "
                            f"{type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Turns a Tensor, Operation, variable or name into an element of this graph."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        else:
            types_str = "Operation"
        conv = getattr(obj, "_as_graph_element", None)
        if conv is not None and callable(conv):
            obj = conv()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                try:
                    op_name, out_n = name.split(":")
                    out_n = int(out_n)
                except ValueError:
                    raise ValueError(f"The name {name!r} looks a like a Tensor name, but is "
                                     f"not a valid one. Tensor names must be of the form "
                                     f"\"<op_name>:<output_index>\".") from None
                if op_name not in self._ops_by_name:
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not "
                                   f"exist. The operation, {op_name!r}, does not exist in "
                                   f"the graph.")
                op = self._ops_by_name[op_name]
                if out_n >= len(op._outputs):
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not "
                                   f"exist. The operation, {op_name!r}, exists but only has "
                                   f"{len(op._outputs)} outputs.")
                return op._outputs[out_n]
            elif ":" in name and not allow_tensor:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a "
                                 f"{types_str}.")
            elif ":" not in name and allow_operation:
                if name not in self._ops_by_name:
                    raise KeyError(f"The name {name!r} refers to an Operation not in the "
                                   f"graph.")
                return self._ops_by_name[name]
            else:
                if name in self._ops_by_name:
                    err = (f"The name {name!r} refers to an Operation, not a {types_str}. "
                           f"Tensor names must be of the form \"<op_name>:<output_index>\".")
                else:
                    err = (f"The name {name!r} looks like an (invalid) Operation name, not a "
                           f"{types_str}. Tensor names must be of the form "
                           f"\"<op_name>:<output_index>\".")
                raise ValueError(err)
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # --- names -----------------------------------------------------------------------------
    def get_name_scope(self):
        return self._name_stack

    def unique_name(self, name, mark_as_used=True):
        """TF's algorithm: `name`, then `name_1`, `name_2`, ... counted case-insensitively."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_name_key = name_key
            while name_key in self._names_in_use:
                name_key = f"{base_name_key}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = f"{name}_{i - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Pushes a name scope. `None`/"" resets to the root; a name ending in '/' is taken
        as an absolute scope and reused as is; otherwise the name is made unique."""
        old_stack = self._name_stack
        if not name:
            new_stack = ""
            returned = ""
        elif name[-1] == "/":
            new_stack = name[:-1]
            returned = name
        else:
            new_stack = self.unique_name(name)
            returned = new_stack + "/"
        self._name_stack = new_stack
        try:
            yield returned
        finally:
            self._name_stack = old_stack

    # --- devices ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def device(self, device_name):
        self._device_stack.append(device_name)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self):
        """The merged device scopes in TF's canonical spelling ('/cpu:0' -> '/device:CPU:0';
        inner scopes override the fields they name; `tf.device(None)` clears). Device
        functions need the op: `_apply_device_functions` runs them once it exists."""
        if not self._device_stack:
            return ""
        fields = {}
        for d in self._device_stack:
            if d is None:
                fields = {}
                continue
            if not isinstance(d, str):
                if isinstance(d, _Colocation) and d.op is not None:
                    fields = _parse_device_spec(d.op._device)
                continue
            fields.update(_parse_device_spec(d))
        return _device_spec_string(fields)

    def _apply_device_functions(self, op):
        """TF's order: innermost scope first, each outer one filling only the fields the
        op's device does not name yet; a device function (`replica_device_setter`) gets the
        op and returns its whole device; `tf.device(None)` or a colocation stops the walk."""
        device = ""
        reset = False
        for d in reversed(self._device_stack):
            if d is None:
                break
            if isinstance(d, _Colocation):
                if d.op is not None:
                    # past an ignore_existing scope the colocation is gone, and so are the
                    # device scopes the colocate_with(op) around it had set aside (TF)
                    if not reset:
                        fields = _parse_device_spec(d.op._device)
                        fields.update(_parse_device_spec(device))
                        device = _device_spec_string(fields)
                    break
                reset = reset or d.reset
                continue
            if isinstance(d, str):
                fields = _parse_device_spec(d)
                fields.update(_parse_device_spec(device))
                device = _device_spec_string(fields)
            else:
                op._device = device
                out = d(op)
                device = _device_spec_string(_parse_device_spec(
                    out if isinstance(out, str) else (out.to_string() if out else "")))
        op._device = device

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Ops created inside take `op`'s device, whatever device functions are active
        (TF's colocation, as optimizers place a variable's update next to it)."""
        if op is None and not ignore_existing:
            yield
            return
        if op is not None:
            op = getattr(op, "op", op)
            op = getattr(op, "op", op)     # a Variable's op is its VariableV2
        self._device_stack.append(_Colocation(op, ignore_existing))
        try:
            yield
        finally:
            self._device_stack.pop()

    # --- control dependencies ----------------------------------------------------------------
    def control_dependencies(self, control_inputs):
        if control_inputs is None:
            return _ControlDependencies(self, None)
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element"):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                if callable(c):
                    raise TypeError(f"Control input must be an Operation or Tensor, got a "
                                    f"callable {c!r}. In TF2 eager code, control "
                                    f"dependencies are not needed.")
                raise TypeError(f"Control input must be Operation or Tensor: {c}")
            if c.graph is not self:
                raise ValueError(f"Control input {c} is not an element of this graph.")
            ops.append(c)
        return _ControlDependencies(self, ops)

    def _current_control_inputs(self, input_ops):
        ops = []
        for frame in self._control_stack:
            if frame is None:
                ops = []
                continue
            # TF: an op with a data input created inside this block already runs after
            # the block's control inputs, so it gets no redundant control edges.
            seen = getattr(frame, "seen", None)
            if seen and any(o in seen for o in input_ops):
                continue
            for c in frame:
                if c not in ops:
                    ops.append(c)
        return [c for c in ops if c not in input_ops]

    def _record_seen_by_control_frames(self, op):
        for frame in reversed(self._control_stack):
            if frame is None:
                break
            seen = getattr(frame, "seen", None)
            if seen is not None:
                seen.add(op)

    # --- collections -----------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        if isinstance(names, str):
            names = [names]
        for n in set(names):
            self.add_to_collection(n, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        import re
        regex = re.compile(scope)
        out = []
        for item in items:
            item_name = getattr(item, "name", None)
            if item_name is None:
                continue
            if regex.match(item_name):
                out.append(item)
        return out

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if isinstance(k, str)]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # --- default graph ------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        _graph_stack.append(self)
        try:
            yield self
        finally:
            if _graph_stack and _graph_stack[-1] is self:
                _graph_stack.pop()
            else:
                try:
                    _graph_stack.remove(self)
                except ValueError:
                    pass

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        yield

    # --- creating ops -------------------------------------------------------------------------
    def _create_op(self, opdef, inputs, attrs, output_types, output_shapes, name):
        """Adds an op whose `name` is already the full scoped name (from `name_scope`)."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        if name.endswith("/"):
            name = name[:-1]
        else:
            name = self.unique_name(name)
        ctx = self._control_flow_context
        if ctx is not None:
            # Inside a cond branch every tensor from outside enters through a Switch on the
            # branch's predicate, created here (before the op, so creation order stays a
            # topological order) and named after the op, as TF names it.
            inputs = ctx.capture_inputs(inputs, name)
        input_ops = {t.op for t in inputs}
        control = self._current_control_inputs(input_ops)
        if ctx is not None:
            control = ctx.pivot_control(inputs, control)
        stack = self._device_stack
        functions = stack and any(not isinstance(d, (str, _Colocation)) and d is not None
                                  for d in stack)
        colocated = stack and any(isinstance(d, _Colocation) for d in stack)
        op = Operation(self, name, opdef, inputs, attrs, output_types, output_shapes,
                       control, "" if functions or colocated else self._current_device())
        if functions or colocated:
            self._apply_device_functions(op)
        if colocated:
            groups = _colocation_class(stack)
            if groups:
                op._set_attr("_class", groups)
        self._ops.append(op)
        self._ops_by_name[name] = op
        op._id = len(self._ops)
        if ctx is not None:
            ctx.add_op(op)
        if self._control_stack:
            self._record_seen_by_control_frames(op)
        return op

    def create_op(self, op_type, inputs, dtypes=None, input_types=None, name=None,
                  attrs=None, op_def=None, compute_shapes=True, compute_device=True):
        """TF's low-level API: add an op of `op_type` with explicit output dtypes."""
        opdef = registry.get(op_type)
        attrs = dict(attrs or {})
        name = name or op_type
        with self.name_scope(name) as scope:
            pass
        shapes = [unknown_shape()] * len(dtypes or [])
        if opdef.shape is not None and compute_shapes:
            shapes = None
        op = self._create_op(opdef, list(inputs), attrs, list(dtypes or []),
                             shapes or [], scope)
        return op

    def as_graph_def(self, from_version=None, add_shapes=False):
        return GraphDef([op.node_def for op in self._ops[from_version or 0:]], self)

    @property
    def building_function(self):
        return self._building_function

    def is_fetchable(self, tensor_or_op):
        return True

    def prevent_feeding(self, tensor):
        """Marks `tensor` as one a Session.run may not feed."""
        self.__dict__.setdefault("_unfeedable", set()).add(tensor)

    def is_feedable(self, tensor):
        unfeedable = self.__dict__.get("_unfeedable")
        return not unfeedable or tensor not in unfeedable

    def __repr__(self):
        return f"<tfteach.framework.ops.Graph object at {hex(id(self))}>"


class _Colocation:
    """A `colocate_with(op)` entry on a graph's device stack (op None: only a reset of the
    colocation groups, `ignore_existing=True`)."""
    __slots__ = ("op", "reset")

    def __init__(self, op, reset=False):
        self.op = op
        self.reset = reset


def colocation_groups(op):
    """The `loc:@name` groups an op belongs to: its `_class` attr's, else its own name."""
    groups = [g for g in (op._attrs.get("_class") or ()) if bytes(g).startswith(b"loc:@")]
    return [bytes(g) for g in groups] or [f"loc:@{op.name}".encode()]


def _colocation_class(stack):
    """The `_class` attr of an op created under `stack`'s colocate_with scopes (innermost
    back to the last one that ignored existing ones), or None."""
    groups = set()
    for d in reversed(stack):
        if isinstance(d, _Colocation):
            if d.op is not None:
                groups.update(colocation_groups(d.op))
            if d.reset:
                break
    return sorted(groups) or None


def _parse_device_spec(spec):
    """'/job:ps/task:1/cpu:0' -> {'job': 'ps', 'task': '1', 'type': 'CPU', 'index': '0'}."""
    out = {}
    for part in spec.strip("/").split("/"):
        if not part:
            continue
        bits = part.split(":")
        key = bits[0].lower()
        if key in ("job", "replica", "task") and len(bits) > 1:
            out[key] = bits[1]
        elif key == "device" and len(bits) > 1:
            out["type"] = bits[1].upper() if bits[1].lower() in ("cpu", "gpu") else bits[1]
            if len(bits) > 2:
                out["index"] = bits[2]
        elif key in ("cpu", "gpu"):
            out["type"] = key.upper()
            if len(bits) > 1:
                out["index"] = bits[1]
    return out


def _device_spec_string(fields):
    parts = [f"/{k}:{fields[k]}" for k in ("job", "replica", "task") if k in fields]
    if "type" in fields:
        parts.append(f"/device:{fields['type']}:{fields.get('index', '*')}")
    return "".join(parts)


class GraphDef:
    """A list of NodeDefs, as `Graph.as_graph_def()` returns."""

    PRODUCER = 2474          # TF 2.21's GraphDef version

    def __init__(self, nodes, graph=None):
        self.node = nodes
        self._graph = graph

    def __str__(self):
        body = "".join("node {\n" + "".join("  " + ln + "\n" for ln in str(n).splitlines()) +
                       "}\n" for n in self.node)
        return body + f"versions {{\n  producer: {self.PRODUCER}\n}}\n"

    def __len__(self):
        return len(self.node)


class _ControlFrame(list):
    """The control inputs of one `control_dependencies` block and the ops created in it."""
    __slots__ = ("seen",)

    def __init__(self, ops):
        super().__init__(ops)
        self.seen = set()


class _ControlDependencies:
    def __init__(self, graph, ops):
        self._graph, self._ops = graph, ops

    def __enter__(self):
        self._graph._control_stack.append(
            None if self._ops is None else _ControlFrame(self._ops))
        return self

    def __exit__(self, *exc):
        self._graph._control_stack.pop()
        return False


# ---------------------------------------------------------------------------------------
# The default graph
# ---------------------------------------------------------------------------------------

class _GraphStack(threading.local):
    """The graphs entered with `as_default()` (and tf.function traces), one stack per thread
    as in TF: a trace in one thread must not capture the eager ops another thread runs."""

    def __init__(self):
        self.items = []

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __reversed__(self):
        return reversed(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __setitem__(self, i, value):
        self.items[i] = value

    def __delitem__(self, i):
        del self.items[i]

    def append(self, graph):
        self.items.append(graph)

    def pop(self, i=-1):
        return self.items.pop(i)

    def remove(self, graph):
        self.items.remove(graph)


_graph_stack = _GraphStack()
_global_default_graph = None


def get_default_graph():
    global _global_default_graph
    if _graph_stack:
        return _graph_stack[-1]
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph():
    global _global_default_graph
    if _graph_stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new "
                             "graph.")
    _global_default_graph = Graph()


def has_default_graph():
    return bool(_graph_stack)


def executing_eagerly():
    """True when an op called now would run at once instead of joining a graph."""
    return behavior.EAGER_DEFAULT and not _graph_stack.items


def inside_function():
    return bool(_graph_stack) and _graph_stack[-1].building_function


# ---------------------------------------------------------------------------------------
# The default session (client/session.py's Session.as_default pushes itself here, so that
# Tensor.eval and Operation.run find it without importing the client)
# ---------------------------------------------------------------------------------------

_session_stack = []


def get_default_session():
    return _session_stack[-1] if _session_stack else None


def _eval_using_default_session(tensors, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
        if session.graph is not graph:
            raise ValueError("Cannot use the default session to evaluate tensor: the tensor's "
                             "graph is different from the session's graph. Pass an explicit "
                             "session to `eval(session=sess)`.")
    elif session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                         "is different from the session's graph.")
    return session.run(tensors, feed_dict)


def _run_using_default_session(operation, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot execute operation using `run()`: No default session is "
                             "registered. Use `with sess.as_default():` or pass an explicit "
                             "session to `run(session=sess)`")
        if session.graph is not graph:
            raise ValueError("Cannot use the default session to execute operation: the "
                             "operation's graph is different from the session's graph. Pass "
                             "an explicit session to run(session=sess).")
    elif session.graph is not graph:
        raise ValueError("Cannot use the given session to execute operation: the operation's "
                         "graph is different from the session's graph.")
    session.run(operation, feed_dict)


# ---------------------------------------------------------------------------------------
# Scopes usable from user code
# ---------------------------------------------------------------------------------------

class name_scope:
    """`with tf.name_scope("loss") as scope:` (v1 form also takes default_name, values)."""

    def __init__(self, name, default_name=None, values=None):
        if not (default_name is None or isinstance(default_name, str)):
            raise TypeError(f"`default_name` type ({type(default_name)}) is not a string type. "
                            f"You likely meant to pass this into the `values` kwarg.")
        self._name = default_name if name is None else name
        self._default_name = default_name
        self._values = values
        self._ctx = None
        self._graph = None

    @property
    def name(self):
        return self._name

    def __enter__(self):
        if executing_eagerly() and not _has_symbolic(self._values):
            self._ctx = EAGER_NAME_SCOPE(self._name)
            return self._ctx.__enter__()
        g = _graph_from_values(self._values)
        if self._name is None and self._values is not None:
            raise ValueError(f"At least one of name ({self._name}) and default_name "
                             f"({self._default_name}) must be provided.")
        self._graph = g
        self._gctx = g.as_default()
        self._gctx.__enter__()
        name = self._name
        if name and not isinstance(name, str):
            raise TypeError(f"name for name_scope must be a string, got {name!r}")
        self._ctx = g.name_scope(name)
        try:
            return self._ctx.__enter__()
        except BaseException:
            self._gctx.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        r = self._ctx.__exit__(*exc)
        if self._graph is not None:
            self._gctx.__exit__(*exc)
        return r


def _has_symbolic(values):
    if not values:
        return False
    try:
        return any(isinstance(v, Tensor) and not getattr(v, "_is_eager", False)
                   for v in values)
    except TypeError:
        return False


def _graph_from_values(values):
    if values:
        try:
            for v in values:
                g = getattr(v, "graph", None)
                if isinstance(v, Tensor) and not getattr(v, "_is_eager", False):
                    return g
        except TypeError:
            pass
    return get_default_graph()


def control_dependencies(control_inputs):
    if executing_eagerly():
        return contextlib.nullcontext()
    return get_default_graph().control_dependencies(control_inputs)


def colocate_with(op, ignore_existing=False):
    """`tf.compat.v1.colocate_with(op)`: ops created inside take `op`'s device and carry
    its colocation group (`_class: loc:@op`); `ignore_existing` drops the groups of
    enclosing scopes (with op None: no colocation at all inside)."""
    return _colocate_with(op, ignore_existing)


@contextlib.contextmanager
def _colocate_with(op, ignore_existing):
    if op is None and not ignore_existing:      # raised on entering, as TF does
        raise ValueError("Trying to reset colocation (op is None) but ignore_existing is "
                         "not True")
    if executing_eagerly():
        yield
        return
    with get_default_graph().colocate_with(op, ignore_existing):
        yield


def device(device_name):
    """`tf.device(...)`: in graph mode, ops record it; eagerly, it picks the running device."""
    if executing_eagerly():
        return EAGER_DEVICE_SCOPE(device_name)
    return get_default_graph().device(device_name)


def device_v1(device_name_or_function):
    """TF1's `tf.device`: a device name, or (building a graph) a function of each new op
    that returns its device (tf.train.replica_device_setter makes one)."""
    if executing_eagerly():
        if callable(device_name_or_function):
            raise RuntimeError("tf.device does not support functions when eager execution "
                               "is enabled.")
        return EAGER_DEVICE_SCOPE(device_name_or_function)
    return get_default_graph().device(device_name_or_function)


def get_name_scope():
    if executing_eagerly():
        return EAGER_CURRENT_NAME_SCOPE()
    return get_default_graph().get_name_scope()


# ---------------------------------------------------------------------------------------
# Converting Python values to tensors and applying ops
# ---------------------------------------------------------------------------------------

_conversion_functions = []   # (type, fn(value, dtype, name, as_ref)) for Variables etc.


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    _conversion_functions.append((base_type, conversion_func))


# Set by the eager layer: fn(list, dtype) -> EagerTensor for a list holding eager tensors
# (packed, as TF does), or None for a list of plain values.
EAGER_LIST_CONVERT = None


def convert_to_tensor(value, dtype=None, name=None, as_ref=False, preferred_dtype=None,
                      dtype_hint=None):
    """Returns `value` as a Tensor: graph tensors pass through (dtype checked), variables
    give their value tensor, Python and NumPy values become constants."""
    preferred_dtype = preferred_dtype or dtype_hint
    if isinstance(value, Tensor):
        if getattr(value, "_is_eager", False) and not executing_eagerly():
            value = _eager_into_graph(value, dtype, name)
        if dtype is not None:
            dtype = _dt.as_dtype(dtype)
            if not dtype.is_compatible_with(value.dtype):
                raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                                 f"with dtype {value.dtype.name}: {value!r}")
        if not as_ref and value.dtype.is_ref_dtype and not getattr(value, "_is_eager", False):
            return value
        return value
    if type(value) in (list, tuple) and EAGER_LIST_CONVERT is not None and \
            executing_eagerly():
        ret = EAGER_LIST_CONVERT(value, dtype)
        if ret is not None:
            return ret
    for base, fn in _conversion_functions:
        if isinstance(value, base):
            ret = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if ret is not NotImplemented:     # a function may decline, as in TF
                return ret
    if preferred_dtype is not None and dtype is None:
        try:
            return CONSTANT(value, dtype=preferred_dtype, name=name or "Const")
        except (TypeError, ValueError):
            pass
    if dtype is not None and executing_eagerly():
        try:
            return CONSTANT(value, dtype=dtype, name=name or "Const")
        except TypeError as e:
            if not str(e).startswith("Expected "):
                raise
            # TF's eager tensors are made in one step, and say so when the value does not fit
            dt = _dt.as_dtype(dtype)
            tf_name = {"float32": "float", "float64": "double", "float16": "half"}.get(
                dt.name, dt.name)
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype "
                            f"{tf_name}") from None
    return CONSTANT(value, dtype=dtype, name=name or "Const")


def _eager_into_graph(value, dtype, name):
    """An eager tensor used while a graph is built: a function trace captures it (a
    placeholder fed at each call); any other graph gets a Const of its value."""
    g = get_default_graph()
    capture = getattr(g, "capture", None)
    if capture is not None:
        return capture(value, name)
    return CONSTANT(value.numpy(), dtype=value.dtype, name=name or "Const")


def is_symbolic(x):
    return isinstance(x, Tensor) and not getattr(x, "_is_eager", False)


def is_symbolic_tensor(tensor):
    """`tf.is_symbolic_tensor`: True for a graph tensor (no value until a graph runs); False
    for eager tensors, variables and everything else."""
    return is_symbolic(tensor)
