"""v1 reference-variable ops: VariableV2 holds state in the session; Assign* change it."""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import as_shape
from . import shape_rules

registry.register_op("VariableV2", inputs=(), outputs=(("ref", "ref:dtype"),),
                     shape=lambda op: [as_shape(op.get_attr("shape"))], stateful=True,
                     doc="A mutable tensor kept by the session between runs.")
def _merged_shape(op):
    """TF's MergeShapes of the variable and the value (validate_shape=True): a mismatch is
    the ValueError TF raises while the graph is built."""
    a, b = op.inputs[0].shape, op.inputs[1].shape
    if a.rank is None or b.rank is None:
        return b if a.rank is None else a
    if a.rank != b.rank:
        raise op.shape_error(f"Shapes must be equal rank, but are {a.rank} and {b.rank}")
    dims = []
    for i, (da, db) in enumerate(zip(a.as_tuple(), b.as_tuple())):
        if da is not None and db is not None and da != db:
            raise op.shape_error(f"Dimension {i} in both shapes must be equal, but are {da} "
                                 f"and {db}. Shapes are {_dims(a)} and {_dims(b)}.")
        dims.append(da if da is not None else db)
    return as_shape(dims)


def _dims(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"


def _assign_shape(op):
    if op.type == "Assign":
        if op.attr("validate_shape", True):
            return [_merged_shape(op)]
        return [op.inputs[1].shape]
    return [op.inputs[0].shape]

_DOC = {  # one line each: docs/ops.md and the graph explorer show it
    "Assign": "Writes value into a variable (ref) and returns the variable's reference.",
    "AssignAdd": "Adds value to a variable (ref) in place.",
    "AssignSub": "Subtracts value from a variable (ref) in place.",
}

for _t in ("Assign", "AssignAdd", "AssignSub"):
    registry.register_op(_t, inputs=(("ref", "ref:T"), ("value", "T")),
                         outputs=(("output_ref", "ref:T"),), stateful=True,
                         shape=_assign_shape, doc=_DOC[_t])
registry.register_op("CountUpTo", inputs=(("ref", "ref:T"),), outputs=(("output", "T"),),
                     stateful=True, shape=shape_rules.scalar,
                     doc="Adds 1 to an int variable and returns its old value; OutOfRange at `limit`.")
registry.NotDifferentiable("CountUpTo")
registry.register_op("IsVariableInitialized", inputs=(("ref", "ref:dtype"),),
                     outputs=(("is_initialized", _dt.bool_),), shape=shape_rules.scalar,
                     stateful=True,
                     doc="Whether a variable has been given a value yet.")


@registry.api("VariableV2")
def variable_op_v2(shape, dtype, name="Variable", container="", shared_name=""):
    return apply_op("VariableV2", [], {"shape": as_shape(shape), "dtype": dtype,
                                       "container": container, "shared_name": shared_name},
                    name=name)[0]


def _ref_of(ref):
    return ref._ref() if hasattr(ref, "_ref") and callable(ref._ref) else ref


@registry.api("Assign")
def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """Writes `value` into the variable `ref`; the output is the variable's reference."""
    if hasattr(ref, "assign") and not getattr(ref, "_is_graph_variable", False) and \
            not isinstance(ref, _ops.Tensor):
        return ref.assign(value, name=name)
    ref_t = _ref_of(ref)
    attrs = {"validate_shape": True if validate_shape is None else bool(validate_shape),
             "use_locking": True if use_locking is None else bool(use_locking)}
    return apply_op("Assign", [ref_t, value], attrs, name=name or "Assign")[0]


@registry.api("AssignAdd")
def assign_add(ref, value, use_locking=None, name=None):
    if hasattr(ref, "assign_add") and not getattr(ref, "_is_graph_variable", False) and \
            not isinstance(ref, _ops.Tensor):
        return ref.assign_add(value, name=name)
    return apply_op("AssignAdd", [_ref_of(ref), value],
                    {"use_locking": bool(use_locking)}, name=name or "AssignAdd")[0]


@registry.api("AssignSub")
def assign_sub(ref, value, use_locking=None, name=None):
    if hasattr(ref, "assign_sub") and not getattr(ref, "_is_graph_variable", False) and \
            not isinstance(ref, _ops.Tensor):
        return ref.assign_sub(value, name=name)
    return apply_op("AssignSub", [_ref_of(ref), value],
                    {"use_locking": bool(use_locking)}, name=name or "AssignSub")[0]


@registry.api("CountUpTo")
def count_up_to(ref, limit, name=None):
    """Increments the integer variable `ref` until it reaches `limit` (then OutOfRangeError);
    returns the value before the increment."""
    return apply_op("CountUpTo", [_ref_of(ref)], {"limit": int(limit)},
                    name=name or "CountUpTo")[0]


@registry.api("IsVariableInitialized")
def is_variable_initialized(ref, name=None):
    return apply_op("IsVariableInitialized", [_ref_of(ref)], {"dtype": _ref_of(ref).dtype
                    .base_dtype}, name=name or "IsVariableInitialized")[0]


# --- not differentiable ----------------------------------------------------------------------

for _t in ("VariableV2", "Assign", "AssignAdd", "AssignSub", "IsVariableInitialized"):
    registry.NotDifferentiable(_t)
