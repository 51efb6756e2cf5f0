"""group, no_op, tuple, with_dependencies: ordering without data."""
import builtins

from ..framework import ops as _ops
from . import array_ops

no_op = array_ops.no_op


def group(*inputs, **kwargs):
    """One NoOp that depends on every input (runs them all when it runs)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unknown keyword arguments: {list(kwargs)}")
    if _ops.executing_eagerly():
        return None
    deps = []
    for x in inputs:
        if isinstance(x, (list, builtins.tuple)):
            deps.extend(x)
        elif x is not None:
            deps.append(x)
    with _ops.name_scope(name, "group_deps", deps) as scope:
        with _ops.control_dependencies(deps):
            return no_op(name=scope)


def with_dependencies(dependencies, output_tensor, name=None):
    slices = getattr(output_tensor, "_is_indexed_slices", False)
    values = output_tensor.values if slices else output_tensor
    with _ops.name_scope(name, "control_dependency", list(dependencies) + [values]) \
            as scope:
        with _ops.control_dependencies(dependencies):
            out = array_ops.identity(values, name=scope)
    if slices:   # the rows wait; indices and shape need not
        return type(output_tensor)(out, output_tensor.indices, output_tensor.dense_shape)
    return out


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF's name
    with _ops.name_scope(name, "tuple", [getattr(t, "values", t) for t in tensors]) as scope:
        deps = [t.values if getattr(t, "_is_indexed_slices", False) else t
                for t in tensors if t is not None] + list(control_inputs or [])
        gate = group(*deps)
        return [with_dependencies([gate], t) if t is not None else None for t in tensors]
