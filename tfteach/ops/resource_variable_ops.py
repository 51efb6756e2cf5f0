"""The resource_variable family: the ops that read and write a resource variable through its
handle (TF's `resource_variable_ops`). tf.Variable (eager/variables.py) builds them inside
traced functions; kernels in tfteach/kernels/cpu/resource_variable.py.
"""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.tensor_shape import TensorShape

registry.register_op("ReadVariableOp", inputs=(("resource", _dt.resource),),
                     outputs=(("value", "dtype"),),
                     shape=lambda op: [op.get_attr("_shape") if op.attr("_shape") is not None
                                       else TensorShape(None)],
                     stateful=True, doc="Reads a resource variable's current value.")
_DOC = {  # one line each: docs/ops.md and the graph explorer show it
    "AssignVariableOp": "Writes a new value into a resource variable.",
    "AssignAddVariableOp": "Adds a value to a resource variable in place.",
    "AssignSubVariableOp": "Subtracts a value from a resource variable in place.",
}
for _t in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
    registry.register_op(_t, inputs=(("resource", _dt.resource), ("value", "dtype")),
                         outputs=(), shape=lambda op: [], stateful=True, doc=_DOC[_t])
for _t in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
    registry.NotDifferentiable(_t)


def _variable_shape(op):
    shape = op.inputs[0].op.get_attr("shape") if op.inputs[0].op.type == "VarHandleOp" \
        else None
    return [TensorShape([shape.rank if shape is not None else None])]


registry.register_op("VariableShape", inputs=(("input", _dt.resource),),
                     outputs=(("output", "out_type"),), shape=_variable_shape,
                     attr_defaults={"out_type": _dt.int32},
                     doc="The shape of a resource variable's value, as a vector.")
registry.NotDifferentiable("VariableShape")


@registry.api("VariableShape")
def variable_shape(handle, out_type=_dt.int32):
    """The shape of the variable behind `handle` (TF's resource_variable_ops.variable_shape),
    read when the graph runs."""
    from ..framework.op_def_library import apply_op
    return apply_op("VariableShape", [handle], {"out_type": _dt.as_dtype(out_type)})[0]
