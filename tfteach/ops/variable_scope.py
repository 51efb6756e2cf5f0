"""`tf.variable_scope` and `tf.get_variable`: TF1's way of sharing variables by name.

Two stores live in each graph (as collections, so `reset_default_graph` forgets them):

* the variable store: full variable name -> variable, for `get_variable` to find again;
* the variable-scope store: the current `VariableScope` and, per scope name, how many
  times it has been opened (what makes `variable_scope(None, default_name="foo")` unique).

A variable scope is not a name scope. `variable_scope("relu")` opens a name scope too
(uniquified like any name scope: `relu_1/` the second time) but the variables it creates
are named after the variable scope (`relu/threshold`), because `get_variable` builds the
variable at the root name scope with its full name. Re-entering a `VariableScope` object
opens a fresh name scope named after its last component, which is why ops land in
`relu_1/` while its variables stay in `relu/`.
"""
import enum
import functools
import inspect
import os
import traceback

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.ops import GraphKeys
from ..framework.tensor_shape import as_shape
from . import init_ops

__all__ = ["VariableScope", "variable_scope", "get_variable", "get_local_variable",
           "get_variable_scope", "AUTO_REUSE", "no_regularizer"]


class _ReuseMode(enum.Enum):
    """`tf.AUTO_REUSE`: create the variable if missing, return it otherwise."""
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE

_VARSTORE_KEY = ("__variable_store",)
_VARSCOPESTORE_KEY = ("__varscope",)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def no_regularizer(_):
    """Use as `regularizer=` to switch off the scope's regularizer for one variable."""
    return None


# ---------------------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------------------

class _VariableStore:
    """Variables created by `get_variable` in one graph, by full name."""

    def __init__(self):
        self._vars = {}
        self._origins = {}       # name -> user stack lines, for "Originally defined at"

    def get_variable(self, name, shape=None, dtype=_dt.float32, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
        if partitioner is not None:
            raise ValueError("Partitioned variables are not supported by tfteach "
                             f"(variable {name}).")
        if dtype is not None:
            try:
                dtype = _dt.as_dtype(dtype).base_dtype
            except TypeError:
                raise TypeError(f"Invalid dtype for variable {name}: {dtype!r}") from None

        def true_getter(name, shape=None, dtype=_dt.float32, initializer=None,
                        regularizer=None, reuse=None, trainable=None, collections=None,
                        caching_device=None, partitioner=None, validate_shape=True,
                        use_resource=None, constraint=None, synchronization=None,
                        aggregation=None):
            return self._get_single_variable(
                name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                validate_shape=validate_shape, constraint=constraint)

        kwargs = dict(name=name, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, reuse=reuse, trainable=trainable,
                      collections=collections, caching_device=caching_device,
                      partitioner=partitioner, validate_shape=validate_shape,
                      use_resource=use_resource, synchronization=synchronization,
                      aggregation=aggregation)
        if custom_getter is None:
            return true_getter(constraint=constraint, **kwargs)
        if _accepts(custom_getter, "constraint"):
            kwargs["constraint"] = constraint
        return custom_getter(getter=true_getter, **kwargs)

    def _get_single_variable(self, name, shape=None, dtype=_dt.float32, initializer=None,
                             regularizer=None, reuse=None, trainable=None, collections=None,
                             caching_device=None, validate_shape=True, constraint=None):
        from_value = initializer is not None and not callable(initializer)
        if shape is not None and from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = _dt.as_dtype(dtype)
        if shape is not None:
            shape = as_shape(shape)

        if name in self._vars:
            found = self._vars[name]
            if reuse is False:
                msg = (f"Variable {name} already exists, disallowed. Did you mean to set "
                       f"reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
                raise ValueError(f"{msg} Originally defined at:\n\n"
                                 f"{self._origins.get(name, '')}")
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(f"Trying to share variable {name}, but specified shape "
                                 f"{shape} and found shape {found.get_shape()}.")
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(f"Trying to share variable {name}, but specified dtype "
                                 f"{dtype.name} and found dtype {found.dtype.name}.")
            return found

        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with "
                             f"tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE "
                             f"in VarScope?")

        if initializer is None:
            if shape is None:
                raise ValueError(f"Variable {name} did not get an initializer, so its "
                                 f"`shape` argument must be specified.")
            initializer, from_value = _default_initializer(name, dtype)
        if from_value:
            init_val, var_dtype = initializer, None
        else:
            if inspect.isclass(initializer):
                initializer = initializer()
            if shape is not None and shape.is_fully_defined():
                if _accepts(initializer, "partition_info"):
                    init_val = functools.partial(initializer, shape.as_list(), dtype=dtype,
                                                 partition_info=None)
                else:
                    init_val = functools.partial(initializer, shape.as_list(), dtype=dtype)
                var_dtype = dtype.base_dtype
            elif _needs_no_arguments(initializer):
                init_val, var_dtype = initializer, None
            else:
                raise ValueError("The initializer passed is not valid. It should be a "
                                 "callable with no arguments and the shape should not be "
                                 "provided or an instance of `tf.keras.initializers.*' and "
                                 "`shape` should be fully defined.")

        if _ops.executing_eagerly():
            v = _eager_variable(init_val, name, trainable, var_dtype, shape)
            return v
        from .variables import RefVariable
        v = RefVariable(initial_value=init_val, name=name, trainable=trainable,
                        collections=collections, caching_device=caching_device,
                        dtype=var_dtype, validate_shape=validate_shape,
                        constraint=constraint, shape=shape)
        self._vars[name] = v
        self._origins[name] = _user_stack()
        if regularizer:
            with _ops.name_scope(name + "/Regularizer/"):
                loss = regularizer(v)
            if loss is not None:
                _ops.get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES,
                                                           loss)
        return v


def _default_initializer(name, dtype):
    """glorot_uniform for floats, zeros for ints, bools and strings, else an error."""
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer(), False
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == _dt.string:
        return init_ops.zeros_initializer(), False
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")


def _accepts(fn, arg):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return arg in params or any(p.kind == inspect.Parameter.VAR_KEYWORD
                                for p in params.values())


def _needs_no_arguments(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return all(p.default is not inspect.Parameter.empty or
               p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
               for p in params.values())


def _user_stack():
    """The caller's frames outside tfteach, innermost first, as TF formats them."""
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)][::-1][:5]
    return "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in frames)


def _eager_variable(init_val, name, trainable, dtype, shape):
    # a tf.Variable, through the hook tfteach/__init__.py installs (ops/ imports no eager)
    return _ops.EAGER_VARIABLE(init_val, name=name,
                               trainable=True if trainable is None else trainable,
                               dtype=dtype, shape=shape)


class _VariableScopeStore:
    """The current VariableScope of a graph and how often each scope name was opened."""

    def __init__(self):
        self.current_scope = VariableScope(False)
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = \
            self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        prefix = None if scope_name is None else scope_name + "/"
        for k in self.variable_scopes_count:
            if prefix is None or k.startswith(prefix):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name):
        return self.variable_scopes_count.get(scope_name, 0)


def _graph_singleton(key, factory):
    g = _ops.get_default_graph()
    coll = g.get_collection_ref(key)
    if not coll:
        coll.append(factory())
    return coll[0]


def _get_default_variable_store():
    return _graph_singleton(_VARSTORE_KEY, _VariableStore)


def get_variable_scope_store():
    return _graph_singleton(_VARSCOPESTORE_KEY, _VariableScopeStore)


def get_variable_scope():
    """The VariableScope `get_variable` uses now."""
    return get_variable_scope_store().current_scope


# ---------------------------------------------------------------------------------------
# VariableScope
# ---------------------------------------------------------------------------------------

class VariableScope:
    """Defaults (reuse, initializer, regularizer, dtype, ...) for `get_variable` calls."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, name_scope="",
                 dtype=_dt.float32, use_resource=None, constraint=None):
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    regularizer = property(lambda self: self._regularizer)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self):
        """From now on, `get_variable` in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_dtype(self, dtype):
        self._dtype = dtype

    def set_use_resource(self, use_resource):
        self._use_resource = use_resource

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_partitioner(self, partitioner):
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def get_collection(self, name):
        scope = self._name + "/" if self._name else ""
        return _ops.get_default_graph().get_collection(name, scope)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if _ops.executing_eagerly():
            reuse = False
        elif reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self._name + "/" + name if self._name else name
        # Variables are named by their variable scope alone: leave the name scope.
        with _ops.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = _ops.convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != _dt.as_dtype(dtype):
                    raise ValueError(f"Initializer type '{init_dtype}' and explicit dtype "
                                     f"'{_dt.as_dtype(dtype)}' don't match.")
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(
                full_name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                partitioner=partitioner, validate_shape=validate_shape,
                use_resource=use_resource, custom_getter=custom_getter,
                constraint=constraint, synchronization=synchronization,
                aggregation=aggregation)


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """Gets the variable `<scope>/name`, or creates it (per the scope's `reuse`)."""
    return get_variable_scope().get_variable(
        _get_default_variable_store(), name, shape=shape, dtype=dtype,
        initializer=initializer, regularizer=regularizer, trainable=trainable,
        collections=collections, caching_device=caching_device, partitioner=partitioner,
        validate_shape=validate_shape, use_resource=use_resource,
        custom_getter=custom_getter, constraint=constraint,
        synchronization=synchronization, aggregation=aggregation)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, caching_device=None,
                       partitioner=None, validate_shape=True, use_resource=None,
                       custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=trainable,
                        collections=collections, caching_device=caching_device,
                        partitioner=partitioner, validate_shape=validate_shape,
                        use_resource=use_resource, custom_getter=custom_getter,
                        constraint=constraint)


def _wrap_custom_getter(custom_getter, old_getter):
    """Nested scopes' custom getters compose: the inner one receives the outer as getter."""
    if old_getter is None:
        return custom_getter

    def wrapped(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)
    return wrapped


# ---------------------------------------------------------------------------------------
# Entering scopes
# ---------------------------------------------------------------------------------------

class _pure_variable_scope:
    """Switches the current VariableScope without touching name scopes."""

    def __init__(self, name_or_scope, reuse=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None,
                 old_name_scope=None, dtype=_dt.float32, use_resource=None,
                 constraint=None):
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._store = get_variable_scope_store()
        self._old = None
        if isinstance(name_or_scope, VariableScope):
            scope = name_or_scope
            self._new_name = scope.name
            obj = VariableScope(scope.reuse if not reuse else reuse, name=self._new_name,
                                initializer=scope.initializer, regularizer=scope.regularizer,
                                caching_device=scope.caching_device,
                                partitioner=scope.partitioner, dtype=scope.dtype,
                                custom_getter=scope.custom_getter,
                                name_scope=scope.original_name_scope,
                                use_resource=scope.use_resource,
                                constraint=scope.constraint)
            self._apply_overrides(obj, scope.custom_getter)
            self._cached = obj

    def _apply_overrides(self, obj, old_getter):
        if self._initializer is not None:
            obj.set_initializer(self._initializer)
        if self._regularizer is not None:
            obj.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            obj.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            obj.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            obj.set_custom_getter(_wrap_custom_getter(self._custom_getter, old_getter))
        if self._dtype is not None:
            obj.set_dtype(self._dtype)
        if self._use_resource is not None:
            obj.set_use_resource(self._use_resource)
        if self._constraint is not None:
            obj._constraint = self._constraint

    def __enter__(self):
        store = self._store
        self._old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            store.open_variable_scope(self._new_name)
            self._old_subscopes = dict(store.variable_scopes_count)
            obj = self._cached
        else:
            old = self._old
            self._new_name = (old.name + "/" + self._name_or_scope if old.name
                              else self._name_or_scope)
            # reuse is inherited: a sub-scope of a reusing scope reuses too
            self._reuse = self._reuse or old.reuse
            name_scope = (self._name_or_scope if self._old_name_scope is None
                          else self._old_name_scope)
            obj = VariableScope(self._reuse, name=self._new_name,
                                initializer=old.initializer, regularizer=old.regularizer,
                                caching_device=old.caching_device,
                                partitioner=old.partitioner, dtype=old.dtype,
                                use_resource=old.use_resource,
                                custom_getter=old.custom_getter, name_scope=name_scope,
                                constraint=old.constraint)
            self._apply_overrides(obj, old.custom_getter)
            store.open_variable_scope(self._new_name)
        store.current_scope = obj
        return obj

    def __exit__(self, *exc):
        store = self._store
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old
        return False


def _get_unique_variable_scope(prefix):
    store = get_variable_scope_store()
    current = get_variable_scope()
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(f"{name}_{idx}") > 0:
        idx += 1
    return f"{prefix}_{idx}"


class variable_scope:
    """`with tf.variable_scope("layer1", reuse=...) as scope:`; also opens a name scope."""

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None,
                 regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                 reuse=None, dtype=None, use_resource=None, constraint=None,
                 auxiliary_name_scope=True):
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        if self._default_name is None and self._name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if self._reuse is False:
            # False means "inherit", like None: a scope cannot switch reuse off
            self._reuse = None
        if not (self._reuse is True or self._reuse is None or self._reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if self._values is None:
            self._values = []
        self._in_graph_mode = not _ops.executing_eagerly()
        if self._in_graph_mode:
            self._graph = _graph_from_values(self._values)
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(f"The auxiliary_name_scope must be `True` or `False`, while get "
                            f"{auxiliary_name_scope}")
        self._auxiliary_name_scope = auxiliary_name_scope
        self._current_name_scope = None
        self._pure = None
        self._graph_ctx = None

    def __enter__(self):
        if self._in_graph_mode:
            self._graph_ctx = self._graph.as_default()
            self._graph_ctx.__enter__()
        try:
            return self._enter()
        except BaseException:
            if self._current_name_scope is not None:
                self._current_name_scope.__exit__(None, None, None)
                self._current_name_scope = None
            if self._graph_ctx is not None:
                self._graph_ctx.__exit__(None, None, None)
            raise

    def _pure_scope(self, name_or_scope, reuse, old_name_scope):
        return _pure_variable_scope(
            name_or_scope, reuse=reuse, initializer=self._initializer,
            regularizer=self._regularizer, caching_device=self._caching_device,
            partitioner=self._partitioner, custom_getter=self._custom_getter,
            old_name_scope=old_name_scope, dtype=self._dtype,
            use_resource=self._use_resource, constraint=self._constraint)

    def _enter(self):
        if self._auxiliary_name_scope:
            current_name_scope = None
        else:
            # stay in the name scope we are in (re-entered as an absolute scope)
            ns = _ops.get_name_scope()
            current_name_scope = _ops.name_scope(ns + "/" if ns else ns)
        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or "
                                "VariableScope.")
            if isinstance(self._name_or_scope, str):
                name_scope = self._name_or_scope
            else:
                name_scope = self._name_or_scope.name.split("/")[-1]
            if name_scope or current_name_scope:
                current_name_scope = current_name_scope or _ops.name_scope(name_scope)
                entered = current_name_scope.__enter__()
                self._current_name_scope = current_name_scope
                if isinstance(self._name_or_scope, str):
                    old_name_scope = entered
                else:
                    old_name_scope = self._name_or_scope.original_name_scope
                self._pure = self._pure_scope(self._name_or_scope, self._reuse,
                                              old_name_scope)
            else:
                self._current_name_scope = None
                self._pure = self._pure_scope(self._name_or_scope, self._reuse, None)
            return self._pure.__enter__()
        if self._reuse:
            raise ValueError("reuse=True cannot be used without a name_or_scope")
        current_name_scope = current_name_scope or _ops.name_scope(self._default_name)
        entered = current_name_scope.__enter__()
        self._current_name_scope = current_name_scope
        unique = _get_unique_variable_scope(self._default_name)
        self._pure = self._pure_scope(unique, None, entered)
        return self._pure.__enter__()

    def __exit__(self, *exc):
        try:
            if self._pure is not None:
                self._pure.__exit__(*exc)
        finally:
            try:
                if self._current_name_scope is not None:
                    self._current_name_scope.__exit__(*exc)
            finally:
                self._current_name_scope = None
                self._pure = None
                if self._graph_ctx is not None:
                    self._graph_ctx.__exit__(*exc)
                    self._graph_ctx = None
        return False


def _graph_from_values(values):
    graph = None
    for v in values:
        if isinstance(v, _ops.Tensor) and not getattr(v, "_is_eager", False):
            g = v.graph
        elif getattr(v, "_is_graph_variable", False):
            g = v.graph
        else:
            continue
        if graph is None:
            graph = g
        elif g is not graph:
            raise ValueError(f"{v} must be from the same graph as the other values.")
    return graph if graph is not None else _ops.get_default_graph()
