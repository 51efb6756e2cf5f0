"""tf.Module: a named container of variables and other modules.

Collections are found by walking the module's attributes in attribute-name order (not in
creation order, as TF): first the attribute values themselves (lists, tuples and dicts are
looked into), then, recursively, the submodules found. Each object is reported once.
"""
import re
import sys

from .eager import context

__all__ = ["Module"]

_IGNORED = frozenset(("_self_unconditional_checkpoint_dependencies",
                      "_self_unconditional_dependency_names"))
_VALID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _camel_to_snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def _is_variable(x):
    return getattr(x, "_is_resource_variable", False) or \
        getattr(x, "_is_graph_variable", False) or \
        (hasattr(x, "assign") and hasattr(x, "trainable") and hasattr(x, "numpy")
         and hasattr(x, "dtype"))


def _is_trainable_variable(x):
    return _is_variable(x) and getattr(x, "trainable", False)


def _is_module(x):
    return isinstance(x, Module)


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        try:
            keys = sorted(x)
        except TypeError:
            keys = list(x)
        for k in keys:
            yield from _leaves(x[k])
    else:
        yield x


def _flatten_module(module, predicate, recursive=True, seen=None, stack=None):
    if seen is None:
        seen = {id(module)}
    if stack is None:
        stack = set()
    stack.add(id(module))
    submodules = []
    attrs = vars(module)
    for key in sorted(attrs):
        if key in _IGNORED:
            continue
        for leaf in _leaves(attrs[key]):
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            if predicate(leaf):
                yield leaf
            if recursive and _is_module(leaf):
                submodules.append(leaf)
    for sub in submodules:
        if id(sub) in stack:
            continue
        yield from _flatten_module(sub, predicate, recursive, seen, stack)
    stack.discard(id(module))


class Module:
    """Base class for models and layers: `name`, `name_scope`, `variables`,
    `trainable_variables`, `submodules`."""

    _TF_MODULE_IGNORED_PROPERTIES = _IGNORED

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID.match(name):
            raise ValueError(f"'{name}' is not a valid module name. Module names must be "
                             f"valid Python 3 identifiers.")
        self._name = name
        with context.name_scope_v2(name) as scope_name:
            self._name_scope = context.name_scope_v2(scope_name)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        # a variable made after a checkpoint restore (a module that builds its variables on
        # its first call) takes the value waiting for it, as TF's tracked attributes do;
        # looked up, not imported: the checkpoint module loads only with tf.train
        ckpt = sys.modules.get("tfteach.train.checkpoint")
        if ckpt is not None and ckpt._DEFERRED:
            ckpt.restore_deferred(self)

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        """A reusable `tf.name_scope` ('my_layer/'); variables created inside are named
        'my_layer/x:0'."""
        return self._name_scope

    @property
    def variables(self):
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(predicate=_is_trainable_variable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(
            predicate=lambda x: _is_variable(x) and not getattr(x, "trainable", False)))

    @property
    def submodules(self):
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive=True, predicate=None, **_kwargs):
        predicate = predicate or (lambda _: True)
        return _flatten_module(self, predicate, recursive)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run `method` inside the module's name scope."""
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = getattr(method, "__name__", "wrapped")
        wrapped.__doc__ = getattr(method, "__doc__", None)
        return wrapped

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at 0x{id(self):x}>"
