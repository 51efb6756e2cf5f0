"""TF1 dataflow control flow: Switch, RefSwitch, Merge (the ops `tf.cond` is made of).

`Switch(data, pred)` forwards `data` to one of its two outputs (`output_false`,
`output_true`); the other output is *dead*. An op with a dead input does not run and its
outputs are dead too, except `Merge`, which forwards its first live input (and its index).
The executor implements deadness (runtime/executor.py); the kernels are in
kernels/cpu/control_flow.py.

`RefVariable.initialized_value()` builds TF's graph with them:
IsVariableInitialized -> cond/Switch, cond/switch_t, cond/switch_f, cond/pred_id ->
cond/read (the value, through a RefSwitch) and cond/Switch_1 (the initial value) ->
cond/Merge.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op

__all__ = ["switch", "ref_switch", "merge", "cond_value"]


def _two_like_data(op):
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
    from ..framework.tensor_shape import TensorShape, unknown_shape
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


# Only initialized_value() builds these ops in tfteach (no tf.cond yet), and TF's
# control-flow gradients need the cond context that tf.cond would record: not
# differentiable here.
for _t in ("Switch", "RefSwitch", "Merge"):
    registry.NotDifferentiable(_t)


def switch(data, pred, name=None):
    return apply_op("Switch", [data, pred], name=name or "Switch")


def ref_switch(data, pred, name=None):
    return apply_op("RefSwitch", [data, pred], name=name or "RefSwitch")


def merge(inputs, name=None):
    return apply_op("Merge", [list(inputs)], name=name or "Merge")


def cond_value(pred, true_ref, false_value, read_name="read"):
    """TF's `cond(pred, lambda: identity(ref, name=read_name), lambda: false_value)` for a
    reference `true_ref` and a tensor `false_value`, with TF's op names under `cond/`."""
    with _ops.name_scope(None, "cond", [pred]):
        sw = switch(pred, pred)
        apply_op("Identity", [sw[1]], name="switch_t")
        apply_op("Identity", [sw[0]], name="switch_f")
        pred_id = apply_op("Identity", [pred], name="pred_id")[0]
        # TF names the switch of a captured reference after the op reading it
        # (`cond/read/Switch`) without taking the op's own name (`cond/read`).
        g = pred.graph
        rsw = ref_switch(true_ref, pred_id, name=g.unique_name(f"{read_name}/Switch") + "/")
        true_val = apply_op("Identity", [rsw[1]], name=read_name)[0]
        false_val = switch(false_value, pred_id)[0]
        return merge([false_val, true_val])[0]
