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


# --- writing rows of a variable: Scatter{Mul,Div,Min,Max}, ScatterNd{Update,Add,Sub} on ref
# variables and their Resource* forms on resource variables. (ScatterUpdate/Add/Sub and
# their resource forms are declared with the training family, whose sparse updates use
# them; the TF1 functions below dispatch to all of them.) ------------------------------------

def merge_shapes(op, a, b):
    """TF's shape Merge of a and b: the ValueError its shape functions raise when they
    disagree."""
    why = _merge_message(a, b)
    if why:
        raise op.shape_error(why)


def scatter_rows_shape(op):
    """Scatter*: updates are a scalar or have shape indices.shape + ref.shape[1:]."""
    var, idx, upd = (t.shape for t in op.inputs)
    if upd.rank != 0 and var.rank is not None and idx.rank is not None:
        if var.rank == 0:
            raise op.shape_error("Shape must be at least rank 1 but is rank 0")
        merge_shapes(op, upd, as_shape(idx.as_tuple() + var.as_tuple()[1:]))
    return [var]


def _merge_message(a, b):
    if a.rank is None or b.rank is None:
        return None
    if a.rank != b.rank:
        return f"Shapes must be equal rank, but are {a.rank} and {b.rank}"
    for i, (da, db) in enumerate(zip(a.as_tuple(), b.as_tuple())):
        if da is not None and db is not None and da != db:
            return (f"Dimension {i} in both shapes must be equal, but are {da} and {db}. "
                    f"Shapes are {_dims(a)} and {_dims(b)}.")
    return None


def scatter_nd_shape(op):
    """ScatterNd*: updates.shape == indices.shape[:-1] + ref.shape[indices.shape[-1]:]."""
    var, idx, upd = (t.shape for t in op.inputs)
    if idx.rank is not None and upd.rank is not None and idx.rank > 0 and \
            idx.as_tuple()[-1] is not None:
        outer, k = idx.rank - 1, idx.as_tuple()[-1]
        a, b = as_shape(upd.as_tuple()[:outer]), as_shape(idx.as_tuple()[:outer])
        why = _merge_message(b, a)
        if why:
            raise op.shape_error(
                f"Dimensions [0,{outer}) of indices[shape={_dims(idx)}] = {_dims(b)} must "
                f"match dimensions [0,{outer}) of updates[shape={_dims(upd)}] = "
                f"{_dims(a)}: {why}")
        if var.rank is not None:
            a, b = as_shape(var.as_tuple()[k:]), as_shape(upd.as_tuple()[outer:])
            why = _merge_message(a, b)
            if why:
                raise op.shape_error(
                    f"Dimensions [{k},{var.rank}) of input[shape={_dims(var)}] = "
                    f"{_dims(a)} must match dimensions [{outer},{upd.rank}) of "
                    f"updates[shape={_dims(upd)}] = {_dims(b)}: {why}")
    return [var]


_SCATTER_DOC = {
    "Mul": "ref[indices[i]] *= updates[i], one row after another",
    "Div": "ref[indices[i]] /= updates[i], one row after another",
    "Min": "ref[indices[i]] = min(ref[indices[i]], updates[i]), row after row",
    "Max": "ref[indices[i]] = max(ref[indices[i]], updates[i]), row after row",
    "NdUpdate": "ref[indices[i]] = updates[i] at N-d indices, in order",
    "NdAdd": "ref[indices[i]] += updates[i] at N-d indices",
    "NdSub": "ref[indices[i]] -= updates[i] at N-d indices",
}
for _k, _doc in _SCATTER_DOC.items():
    _nd = _k.startswith("Nd")
    registry.register_op(
        f"Scatter{_k}", inputs=(("ref", "ref:T"), ("indices", "Tindices"), ("updates", "T")),
        outputs=(("output_ref", "ref:T"),), stateful=True,
        shape=scatter_nd_shape if _nd else scatter_rows_shape,
        attr_defaults={"use_locking": _k == "NdUpdate",
                       **({"bad_indices_policy": ""} if _nd else {})},
        doc=_doc)
    if _nd:
        registry.register_op(
            f"ResourceScatter{_k}", inputs=(("ref", _dt.resource), ("indices", "Tindices"),
                                            ("updates", "T")),
            outputs=(), shape=lambda op: [], stateful=True,
            attr_defaults={"use_locking": True, "bad_indices_policy": ""},
            doc=_doc.replace("ref[", "variable["))
    else:
        registry.register_op(
            f"ResourceScatter{_k}", inputs=(("resource", _dt.resource),
                                            ("indices", "Tindices"), ("updates", "dtype")),
            outputs=(), shape=lambda op: [], stateful=True,
            doc=_doc.replace("ref[", "variable["))
    registry.NotDifferentiable(f"ResourceScatter{_k}")
# As in TF 2.21: Mul, Div and the Nd writes pass no gradient (None); Min and Max have none
# registered, so tf.gradients through them raises LookupError.
for _t in ("ScatterMul", "ScatterDiv", "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub"):
    registry.NotDifferentiable(_t)


def _is_ref(ref):
    t = _ref_of(ref)
    return isinstance(t, _ops.Tensor) and t.dtype.is_ref_dtype


def _write_rows(op_type, ref, indices, updates, use_locking, name):
    """One Scatter* op on a ref variable, or its Resource* form on a resource variable
    (whose result then reads the variable after the write)."""
    if _is_ref(ref):
        attrs = {"use_locking": bool(use_locking)}
        if op_type.startswith("ScatterNd"):
            attrs["bad_indices_policy"] = ""
        return apply_op(op_type, [_ref_of(ref), indices, updates], attrs,
                        name=name or op_type)[0]
    if hasattr(ref, "_resource_scatter"):
        return ref._resource_scatter("Resource" + op_type, indices, updates, name)
    # TF reaches for the resource variable's `_lazy_read` and fails the same way
    raise AttributeError(f"'{type(ref).__name__}' object has no attribute '_lazy_read'")


def scatter_update(ref, indices, updates, use_locking=True, name=None):
    """ref[indices] = updates (rows; duplicates: the last one in order wins on the CPU).
    Returns the variable after the write."""
    from . import training_ops  # noqa: F401 - declares ScatterUpdate
    return _write_rows("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(ref, indices, updates, use_locking=False, name=None):
    from . import training_ops  # noqa: F401
    return _write_rows("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None):
    from . import training_ops  # noqa: F401
    return _write_rows("ScatterSub", ref, indices, updates, use_locking, name)


@registry.api("ScatterMul")
def scatter_mul(ref, indices, updates, use_locking=False, name=None):
    return _write_rows("ScatterMul", ref, indices, updates, use_locking, name)


@registry.api("ScatterDiv")
def scatter_div(ref, indices, updates, use_locking=False, name=None):
    return _write_rows("ScatterDiv", ref, indices, updates, use_locking, name)


@registry.api("ScatterMin")
def scatter_min(ref, indices, updates, use_locking=False, name=None):
    return _write_rows("ScatterMin", ref, indices, updates, use_locking, name)


@registry.api("ScatterMax")
def scatter_max(ref, indices, updates, use_locking=False, name=None):
    return _write_rows("ScatterMax", ref, indices, updates, use_locking, name)


@registry.api("ScatterNdUpdate")
def scatter_nd_update(ref, indices, updates, use_locking=True, name=None):
    """ref at the N-d `indices` (last axis: a position in ref's leading dims) = updates."""
    return _write_rows("ScatterNdUpdate", ref, indices, updates, use_locking, name)


@registry.api("ScatterNdAdd")
def scatter_nd_add(ref, indices, updates, use_locking=False, name=None):
    return _write_rows("ScatterNdAdd", ref, indices, updates, use_locking, name)


@registry.api("ScatterNdSub")
def scatter_nd_sub(ref, indices, updates, use_locking=False, name=None):
    return _write_rows("ScatterNdSub", ref, indices, updates, use_locking, name)


def batch_scatter_update(ref, indices, updates, use_locking=True, name=None):
    """ref[i, ..., indices[i, ...]] = updates[i, ...]: a scatter_nd_update whose index
    tuples are the leading positions followed by `indices` (built as TF builds them)."""
    from . import array_ops, math_ops
    with _ops.name_scope(name):
        indices = _ops.convert_to_tensor(indices, name="indices")
        rank = indices.shape.rank
        if rank is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        shape = array_ops.shape(indices)
        last = array_ops.expand_dims(indices, axis=-1)
        parts = []
        for d in range(rank - 1):
            size = shape[d]
            along = [1] * (rank + 1)
            along[d] = size
            pos = array_ops.reshape(math_ops.range(0, size, 1), along)
            if pos.dtype.base_dtype != last.dtype.base_dtype:
                pos = math_ops.cast(pos, last.dtype)
            parts.append(pos * array_ops.ones_like(last))
        parts.append(last)
        nd = array_ops.concat(parts, axis=-1)
        return scatter_nd_update(ref, nd, updates, use_locking=use_locking)
