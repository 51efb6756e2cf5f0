"""The control_flow family: the ops of TF 1's dataflow control flow (Switch and Merge for
tf.cond; Enter, Exit, NextIteration and LoopCond for tf.while_loop; the stack while-loop
gradients keep forward values on; ControlTrigger), and group, no_op, tuple,
with_dependencies: ordering without data.

tf.cond and tf.while_loop themselves are in control_flow_v1.py, loop gradients in
while_grad.py; the op gradients in control_flow_grad.py, kernels in
tfteach/kernels/cpu/control_flow.py.
"""
import builtins
import contextlib

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.tensor_shape import TensorShape, unknown_shape
from . import array_ops

# --- declarations: cond ------------------------------------------------------------------------

def _two_like_data(op):
    pred = op.inputs[1].shape
    if pred.rank is not None and pred.rank != 0:
        raise op.shape_error(f"Shape must be rank 0 but is rank {pred.rank}")
    return [op.inputs[0].shape, op.inputs[0].shape]


registry.register_op("Switch", inputs=(("data", "T"), ("pred", _dt.bool_)),
                     outputs=(("output_false", "T"), ("output_true", "T")),
                     shape=_two_like_data,
                     doc="Forwards data to output_true if pred, else to output_false.")
registry.register_op("RefSwitch", inputs=(("data", "ref:T"), ("pred", _dt.bool_)),
                     outputs=(("output_false", "ref:T"), ("output_true", "ref:T")),
                     shape=_two_like_data, stateful=True,
                     doc="Switch for a reference (variable) input.")


def _merge_shape(op):
    shapes = [t.shape for t in op.inputs]
    first = shapes[0]
    if first.rank is None or any(s.rank != first.rank for s in shapes):
        return [unknown_shape(), TensorShape([])]
    dims = [d if all(s.as_tuple()[i] == d for s in shapes) else None
            for i, d in enumerate(first.as_tuple())]
    return [TensorShape(dims), TensorShape([])]


registry.register_op("Merge", inputs=(("*inputs", "T"),),
                     outputs=(("output", "T"), ("value_index", _dt.int32)),
                     shape=_merge_shape,
                     doc="Forwards the first live input and its index.")
registry.register_op("RefMerge", inputs=(("*inputs", "ref:T"),),
                     outputs=(("output", "ref:T"), ("value_index", _dt.int32)),
                     shape=_merge_shape,
                     # e.g. a cond whose branches return the results of `assign`
                     doc="Merge of reference inputs (variables' references).")


# --- declarations: while loops ---------------------------------------------------------------

def _like_input(op):
    return [op.inputs[0].shape]




def _loop_cond_shape(op):
    s = op.inputs[0].shape
    if s.rank is not None and s.rank != 0:
        raise op.shape_error(f"Shape must be rank 0 but is rank {s.rank}")
    return [s]


_FRAME_ATTRS = {"frame_name": "", "is_constant": False, "parallel_iterations": 10}
registry.register_op("Enter", inputs=(("data", "T"),), shape=_like_input,
                     attr_defaults=_FRAME_ATTRS,
                     doc="Makes data available in a while loop's frame.")
registry.register_op("RefEnter", inputs=(("data", "ref:T"),), outputs=(("output", "ref:T"),),
                     shape=_like_input, attr_defaults=_FRAME_ATTRS, stateful=True,
                     doc="Enter for a reference (a variable used in a loop body).")
registry.register_op("Exit", inputs=(("data", "T"),), shape=_like_input,
                     doc="Leaves a while loop's frame with the loop variable's final value.")
registry.register_op("RefExit", inputs=(("data", "ref:T"),), outputs=(("output", "ref:T"),),
                     shape=_like_input, doc="Exit of a reference.")
registry.register_op("NextIteration", inputs=(("data", "T"),), shape=_like_input,
                     doc="Hands a loop variable's new value to the next iteration.")
registry.register_op("RefNextIteration", inputs=(("data", "ref:T"),),
                     outputs=(("output", "ref:T"),), shape=_like_input,
                     doc="NextIteration of a reference.")
registry.register_op("LoopCond", inputs=(("input", _dt.bool_),),
                     outputs=(("output", _dt.bool_),), shape=_loop_cond_shape,
                     doc="The loop condition: whether the while loop runs another iteration.")
registry.NotDifferentiable("LoopCond")
registry.register_op("StackV2", inputs=(("max_size", _dt.int32),),
                     outputs=(("handle", _dt.resource),), shape=lambda op: [TensorShape([])],
                     stateful=True, attr_defaults={"stack_name": ""},
                     doc="A new stack of `elem_type` values (a resource for one run).")
registry.register_op("StackPushV2", inputs=(("handle", _dt.resource), ("elem", "T")),
                     outputs=(("output", "T"),), shape=lambda op: [op.inputs[1].shape],
                     stateful=True, attr_defaults={"swap_memory": False},
                     doc="Pushes elem on the stack; returns elem.")
registry.register_op("StackPopV2", inputs=(("handle", _dt.resource),),
                     outputs=(("elem", "elem_type"),), shape=lambda op: [unknown_shape()],
                     stateful=True, doc="Pops the stack's top value.")
registry.register_op("StackCloseV2", inputs=(("handle", _dt.resource),), outputs=(),
                     shape=lambda op: [], stateful=True, doc="Deletes the stack.")
registry.register_op("ControlTrigger", inputs=(), outputs=(), shape=lambda op: [],
                     # so it can order ops of a cond branch without inheriting its deadness
                     doc="Does nothing; runs even when its control inputs are dead.")
for _t in ("StackV2", "StackPushV2", "StackPopV2", "StackCloseV2", "ControlTrigger"):
    registry.NotDifferentiable(_t)



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
    ops = [getattr(x, "op", x) for x in deps]
    by_device = {}
    for op in ops:
        by_device.setdefault(op.device or "", []).append(op)
    with _ops.name_scope(name, "group_deps", deps) as scope:
        g = _ops.get_default_graph()
        if len(by_device) <= 1:
            dev = next(iter(by_device), "")
            # on the one device its inputs share (TF's group)
            with _ops.control_dependencies(deps), g.device(dev) if dev else \
                    contextlib.nullcontext():
                return no_op(name=scope)
        # ops on several devices: one NoOp per device (sorted) and a root over them, as TF
        # builds it, so a distributed step crosses devices once per device, not once per op
        per_device = []
        for dev in sorted(by_device):
            with _ops.control_dependencies(by_device[dev]), g.device(dev or None) \
                    if dev else contextlib.nullcontext():
                per_device.append(no_op())
        with _ops.control_dependencies(per_device):
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
