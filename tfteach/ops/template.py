"""`tf.compat.v1.make_template`: a function whose `tf.get_variable` calls create variables on
the first call and share them on every later one, under one variable scope.

The scope is `name_` made unique (`name_`, `name__1`, ...) when the template is first called
(or when it is made, with `create_scope_now_=True`); each call enters it again, with reuse
on from the second call. A later call that creates a new trainable variable (a
`tf.Variable` where `tf.get_variable` was meant) is TF's ValueError.
"""
import functools
import logging
import traceback

from ..framework import ops as _ops
from ..framework.ops import GraphKeys
from . import variable_scope as vs


def make_template(name_, func_, create_scope_now_=False, unique_name_=None,
                  custom_getter_=None, **kwargs):
    """A Template calling `func_(*args, **kwargs, **call_kwargs)` with shared variables."""
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(name_, func_, create_scope_now=create_scope_now_,
                    unique_name=unique_name_, custom_getter=custom_getter_)


class Template:
    """A function wrapped so that its variables are made once and then shared."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None,
                 custom_getter=None):
        if _ops.executing_eagerly():
            raise NotImplementedError(
                "tfteach's make_template shares variables in graphs only (TF's eager "
                "template keeps its own variable store): build the graph first, e.g. "
                "tf.compat.v1.disable_eager_execution(), or use a tf.Module")
        if name is None:
            raise ValueError("name cannot be None.")
        self._func = func
        self._stacktrace = traceback.format_stack()[:-2]
        self._name = name
        self._unique_name = unique_name
        self._custom_getter = custom_getter
        self._variable_scope = None
        if create_scope_now:
            with vs._pure_variable_scope(
                    unique_name or vs._get_unique_variable_scope(name),
                    custom_getter=custom_getter) as scope:
                self._variable_scope = scope
        self._variables_created = False
        self._first_call = True

    def _call_func(self, args, kwargs):
        g = _ops.get_default_graph()
        try:
            n_global = len(g.get_collection(GraphKeys.GLOBAL_VARIABLES))
            n_trainable = len(g.get_collection(GraphKeys.TRAINABLE_VARIABLES))
            result = self._func(*args, **kwargs)
            if self._variables_created:
                trainable = g.get_collection(GraphKeys.TRAINABLE_VARIABLES)
                if len(trainable) != n_trainable:
                    raise ValueError(
                        f"Trainable variable created when calling a template after the "
                        f"first time, perhaps you used tf.Variable when you meant "
                        f"tf.get_variable: {list(trainable[n_trainable:])}")
                if len(g.get_collection(GraphKeys.GLOBAL_VARIABLES)) != n_global:
                    logging.getLogger("tfteach").info(
                        "New variables created when calling a template after the first "
                        "time, perhaps you used tf.Variable when you meant tf.get_variable: "
                        "%s", g.get_collection(GraphKeys.GLOBAL_VARIABLES)[n_global:])
            self._variables_created = True
            self._first_call = False
            return result
        except Exception as exc:
            # where the template was made: the error surfaces far from it
            first = exc.args[0] if exc.args else ""
            exc.args = (f"{first}\n\noriginally defined at:\n{''.join(self._stacktrace)}",
                        ) + tuple(exc.args[1:])
            raise

    def __call__(self, *args, **kwargs):
        if self._variable_scope is not None:
            with vs.variable_scope(self._variable_scope, reuse=not self._first_call):
                return self._call_func(args, kwargs)
        with vs.variable_scope(self._unique_name, self._name,
                               custom_getter=self._custom_getter) as scope:
            self._variable_scope = scope
            return self._call_func(args, kwargs)

    @property
    def name(self):
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self):
        if self._variable_scope is None:
            return None
        name = self._variable_scope.name
        return name + "/" if name else name

    def _scoped(self, key):
        return _ops.get_default_graph().get_collection(key, self.variable_scope_name)

    @property
    def variables(self):
        return self.global_variables + self.local_variables

    @property
    def trainable_variables(self):
        return self._scoped(GraphKeys.TRAINABLE_VARIABLES) if self._variables_created else []

    @property
    def non_trainable_variables(self):
        trainable = set(map(id, self.trainable_variables))
        return [v for v in self.variables if id(v) not in trainable]

    @property
    def global_variables(self):
        return self._scoped(GraphKeys.GLOBAL_VARIABLES) if self._variables_created else []

    @property
    def local_variables(self):
        return self._scoped(GraphKeys.LOCAL_VARIABLES) if self._variables_created else []

    weights = trainable_variables
    non_trainable_weights = non_trainable_variables
