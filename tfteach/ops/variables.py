"""`tf.Variable` in v1 graphs: a RefVariable, four ops and two collections.

`tf.Variable(42)` adds `Variable/initial_value` (Const), `Variable` (VariableV2, whose output
is an `int32_ref`), `Variable/Assign` (its initializer) and `Variable/read` (Identity: the
value other ops read). The value itself lives in each Session, so two sessions hold two
independent values of the same variable.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.ops import GraphKeys
from . import array_ops, state_ops

__all__ = ["RefVariable", "global_variables", "trainable_variables", "local_variables",
           "global_variables_initializer", "variables_initializer", "local_variables_initializer",
           "model_variables", "report_uninitialized_variables",
           "assert_variables_initialized", "is_variable_initialized"]


class RefVariable:
    """A v1 variable (reference semantics). Used wherever a Tensor is expected, it reads as
    its `read` snapshot; ops that write (Assign) take its reference output."""

    _is_graph_variable = True
    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, collections=None,
                 validate_shape=True, caching_device=None, name=None, variable_def=None,
                 dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None):
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError("variable_def and initial_value are mutually exclusive.")
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        trainable = True if trainable is None else trainable
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        self._constraint = constraint
        init_from_fn = callable(initial_value)
        g = _ops.get_default_graph()
        with g.as_default(), _ops.name_scope(name, "Variable", []) as scope:
            if init_from_fn:
                with _ops.name_scope("Initializer"):
                    initial_value = initial_value()
                    self._initial_value = _ops.convert_to_tensor(
                        initial_value, name="initial_value", dtype=dtype)
            else:
                self._initial_value = _ops.convert_to_tensor(
                    initial_value, name="initial_value", dtype=dtype)
            init_shape = self._initial_value.shape
            if shape is not None:
                from ..framework.tensor_shape import as_shape
                var_shape = as_shape(shape)
                if validate_shape and not var_shape.is_compatible_with(init_shape):
                    raise _assign_shape_error(scope, var_shape, init_shape,
                                              self._initial_value)
            elif validate_shape:
                if not init_shape.is_fully_defined():
                    raise ValueError(f"initial_value must have a shape specified: "
                                     f"{self._initial_value}")
                var_shape = init_shape
            else:
                from ..framework.tensor_shape import unknown_shape
                var_shape = unknown_shape()
            dt = self._initial_value.dtype.base_dtype
            self._variable = state_ops.variable_op_v2(var_shape, dt, name=scope)
            self._initializer_op = state_ops.assign(
                self._variable, _guard_uninitialized_dependencies(scope, self._initial_value),
                validate_shape=validate_shape, name="Assign").op
            with g.device(caching_device) if caching_device else _null():
                self._snapshot = array_ops.identity(self._variable, name="read")
            # TF colocates the initializer and the snapshot with the variable; the
            # colocation shows in their NodeDefs as `_class: "loc:@<variable>"`.
            loc = [f"loc:@{self._variable.op.name}".encode()]
            self._initializer_op._set_attr("_class", loc)
            # colocated: on the variable's device whatever device function is active (a
            # replica_device_setter puts the variable on a PS, its read and Assign follow)
            self._initializer_op._device = self._variable.op._device
            if caching_device is None:
                self._snapshot.op._set_attr("_class", loc)
                self._snapshot.op._device = self._variable.op._device
        self._graph = g
        self._save_slice_info = None
        g.add_to_collections(collections, self)

    def _init_from_proto(self, variable_def, import_scope=None):
        """A variable over ops that already exist (an imported MetaGraphDef's VariableDef
        names them), as TF's `Variable(variable_def=...)`."""
        g = _ops.get_default_graph()

        def find(name):
            if import_scope:
                name = f"{import_scope}/{name}"
            return g.as_graph_element(name)
        self._variable = find(variable_def.variable_name)
        self._initializer_op = find(variable_def.initializer_name)
        self._snapshot = find(variable_def.snapshot_name)
        self._initial_value = find(variable_def.initial_value_name) \
            if variable_def.initial_value_name else None
        self._trainable = variable_def.trainable
        self._constraint = None
        self._graph = g
        self._save_slice_info = None

    def to_proto(self, export_scope=None):
        """This variable's VariableDef (TF's message): the names of its ops."""
        from tensorboard.compat.proto import variable_pb2

        def strip(name):
            if export_scope and name.startswith(export_scope + "/"):
                return name[len(export_scope) + 1:]
            return name
        vd = variable_pb2.VariableDef(
            variable_name=strip(self._variable.name),
            initializer_name=strip(self._initializer_op.name),
            snapshot_name=strip(self._snapshot.name), trainable=self._trainable)
        if self._initial_value is not None:
            vd.initial_value_name = strip(self._initial_value.name)
        return vd

    # --- identity -----------------------------------------------------------------------
    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._graph

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def _tfteach_dtype(self):
        return self._variable.dtype

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    @property
    def device(self):
        return self._variable.device

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    def __repr__(self):
        return (f"<tf.Variable '{self.name}' shape={self.shape} "
                f"dtype={self.dtype.name}>")

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    # --- reading ------------------------------------------------------------------------
    def value(self):
        return self._snapshot

    def read_value(self):
        return array_ops.identity(self._variable, name="read")

    def _ref(self):
        return self._variable

    def _as_graph_element(self):
        return self._variable

    def initialized_value(self):
        """The variable's value if it is initialised in the running session, else its
        initial value (nothing is assigned). TF builds this as a `cond` on
        IsVariableInitialized; so does tfteach, with TF's op names (cond/Switch ...
        cond/Merge), outside any control dependencies."""
        from . import control_flow_v1
        with self._graph.as_default(), self._graph.control_dependencies(None):
            pred = state_ops.is_variable_initialized(self._variable)
            return control_flow_v1.cond_value(pred, self._variable, self._initial_value)

    def eval(self, session=None):
        return self._variable.eval(session=session)

    def load(self, value, session=None):
        sess = session or _ops.get_default_session()
        if sess is None:
            raise ValueError("Either session argument should be provided or default session "
                             "should be established")
        sess.run(self._initializer_op, {self._initial_value: value})

    # --- writing ------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        out = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        out = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def _scatter(self, sparse_delta, fn, use_locking, name):
        from ..framework.indexed_slices import IndexedSlices
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        return getattr(state_ops, fn)(self, sparse_delta.indices, sparse_delta.values,
                                      use_locking=use_locking, name=name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        """variable[indices] += values for `sparse_delta` an IndexedSlices (ScatterAdd)."""
        return self._scatter(sparse_delta, "scatter_add", use_locking, name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_sub", use_locking, name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_update", use_locking, name)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_mul", use_locking, name)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_div", use_locking, name)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_min", use_locking, name)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_max", use_locking, name)

    def batch_scatter_update(self, sparse_delta, use_locking=True, name=None):
        """variable[i, ..., indices[i, ...]] = values[i, ...] for an IndexedSlices."""
        return self._scatter(sparse_delta, "batch_scatter_update", use_locking, name)

    def scatter_nd_update(self, indices, updates, name=None):
        """variable at the N-d `indices` = updates (ScatterNdUpdate, locking)."""
        return state_ops.scatter_nd_update(self, indices, updates, use_locking=True,
                                           name=name)

    def scatter_nd_add(self, indices, updates, name=None):
        return state_ops.scatter_nd_add(self, indices, updates, use_locking=True, name=name)

    def scatter_nd_sub(self, indices, updates, name=None):
        return state_ops.scatter_nd_sub(self, indices, updates, use_locking=True, name=name)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        out = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    def __bool__(self):
        return self._snapshot.__bool__()

    def __array__(self, dtype=None, copy=None):
        return self._snapshot.__array__(dtype)


def _guard_uninitialized_dependencies(scope, initial_value):
    """TF's rewrite of an initial value that reads other variables: every such read goes
    through the other variable's `initialized_value()` (its initial value while it is
    uninitialised), on copies of the ops in between named `<op>_<scope>` (`mul_v`), so
    initialisers can run in any order. Without such reads the value is returned as is."""
    cache = {}

    def tensor(t):
        op = t.op
        new = cache.get(op)
        if new is None:
            new = cache[op] = rewrite(op)
        return new._outputs[t.value_index]

    def rewrite(op):
        if op._type in ("IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp"):
            return op
        if op._type in ("Variable", "VariableV2"):
            for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
                for v in op._graph.get_collection(key):
                    if isinstance(v, RefVariable) and v.op is op:
                        return v.initialized_value().op
            return op
        new_inputs = [tensor(t) for t in op._inputs]
        if all(a is b for a, b in zip(new_inputs, op._inputs)):
            return op
        return _copy_op(op, new_inputs, (op.name + "_" + scope).replace(":", "_"))

    if not isinstance(initial_value, _ops.Tensor):
        return initial_value
    return tensor(initial_value)


def _copy_op(op, inputs, name):
    """`op` again with other inputs, named exactly `name` (a scope ending in '/')."""
    from ..framework import registry
    from ..framework.op_def_library import OpProto
    from ..framework.tensor_shape import TensorShape, unknown_shape
    op_type = "Switch" if op._type == "RefSwitch" else op._type
    opdef = registry.get(op_type)
    g = op._graph
    attrs = dict(op._attrs)
    types = [t.dtype.base_dtype if op_type != op._type else t.dtype for t in op._outputs]
    with g.name_scope(name) as scope:
        shapes = [unknown_shape()] * len(types)
        if opdef.shape is not None:
            shapes = opdef.shape(OpProto(op_type, scope[:-1], list(inputs), attrs, g))
            if isinstance(shapes, TensorShape):
                shapes = [shapes]
        return g._create_op(opdef, list(inputs), attrs, types, shapes, scope)


def _assign_shape_error(scope, var_shape, init_shape, init):
    """The ValueError TF's Assign shape function gives when `shape=` and the initial value
    disagree (the variable is `<scope>`, its initializer `<scope>/Assign`)."""
    from ..framework.op_def_library import _shape_list
    from ..framework.node_def_text import dtype_enum
    name = scope[:-1] if scope.endswith("/") else scope
    a, b = var_shape.as_tuple(), init_shape.as_tuple()
    if len(a) != len(b):
        why = f"Shapes must be equal rank, but are {len(a)} and {len(b)}"
    else:
        i = next(i for i, (x, y) in enumerate(zip(a, b))
                 if x is not None and y is not None and x != y)
        why = (f"Dimension {i} in both shapes must be equal, but are {a[i]} and {b[i]}. "
               f"Shapes are {_shape_list(var_shape)} and {_shape_list(init_shape)}.")
    init_name = init.op.name if init.value_index == 0 else init.name
    return ValueError(f"{why} for '{{{{node {name}/Assign}}}} = Assign[T="
                      f"{dtype_enum(init.dtype.base_dtype)}, use_locking=true, "
                      f"validate_shape=true]({name}, {init_name})' with input shapes: "
                      f"{_shape_list(var_shape)}, {_shape_list(init_shape)}.")


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


def _variable_operator(name):
    def fn(self, *args):
        return _ops._OVERLOADS[name](self._snapshot, *args)
    fn.__name__ = name
    return fn


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
              "__abs__", "__invert__", "__and__", "__rand__", "__or__", "__ror__", "__xor__",
              "__rxor__", "__lt__", "__le__", "__gt__", "__ge__", "__getitem__", "__pos__"):
    setattr(RefVariable, _name, _variable_operator(_name))


def _convert_ref_variable(v, dtype=None, name=None, as_ref=False):
    t = v._variable if as_ref else v._snapshot
    if dtype is not None and not _dt.as_dtype(dtype).is_compatible_with(t.dtype):
        raise ValueError(f"Incompatible type conversion requested to type '{_dt.as_dtype(dtype).name}' "
                         f"for variable of type '{t.dtype.name}' (Variable: {v!r})")
    return t


_ops.register_tensor_conversion_function(RefVariable, _convert_ref_variable)


# --- collections and initializers -------------------------------------------------------------

def global_variables(scope=None):
    return _ops.get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None):
    return _ops.get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return _ops.get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return _ops.get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op that runs the initializers of `var_list` (a NoOp with control inputs)."""
    from . import control_flow_ops
    if var_list and not _ops.executing_eagerly():
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def global_variables_initializer():
    if _ops.executing_eagerly():
        return None
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    if _ops.executing_eagerly():
        return None
    return variables_initializer(local_variables(), name="init")


def _all_variables_or_refs():
    var_list = global_variables() + local_variables()
    if not var_list:        # variables made from raw VariableV2 ops, as TF still allows
        var_list = [op.outputs[0] for op in _ops.get_default_graph().get_operations()
                    if op.type in ("Variable", "VariableV2")]
    return var_list


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the variables not initialised in a session."""
    from . import array_ops, constant_op, math_ops
    if var_list is None:
        var_list = _all_variables_or_refs()
    with _ops.name_scope(name):
        if not var_list:
            return constant_op.constant([], dtype=_dt.string)
        init_vars = [state_ops.is_variable_initialized(v) for v in var_list]
        mask = math_ops.logical_not(array_ops.stack(init_vars))
        names = constant_op.constant([v.op.name for v in var_list])
        return array_ops.boolean_mask(names, mask)


def assert_variables_initialized(var_list=None):
    """An op that fails with FailedPrecondition when one of the variables is uninitialised
    (it reads every variable's rank)."""
    from . import array_ops
    from ..framework.op_def_library import apply_op
    if var_list is None:
        var_list = _all_variables_or_refs()
    if not var_list:
        return None
    ranks = []
    for v in var_list:
        with _ops.name_scope(None, "Rank", [v]) as scope:
            t = _ops.convert_to_tensor(v)
            ranks.append(apply_op("Rank", [t], name=scope)[0])
    if len(ranks) == 1:
        return ranks[0]
    return array_ops.stack(ranks)


def is_variable_initialized(variable):
    """A bool scalar: has `variable` been initialised in the session running it?"""
    return state_ops.is_variable_initialized(variable)
