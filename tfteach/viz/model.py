"""A uniform, drawable view of a graph: live Graphs, parts of them, and stored GraphDefs.

The drawing code reads only these records, so a graph built in this process, a
`tf.function`'s traced graph and a GraphDef read back from a `FileWriter` event file are
drawn the same way.
"""
import re

__all__ = ["NodeView", "nodes_of", "is_gradient_name"]

_GRAD_PART = re.compile(r"^gradients(_\d+)?$")
VARIABLE_TYPES = frozenset({"VariableV2", "Variable", "VarHandleOp", "TemporaryVariable"})


def is_gradient_name(name):
    """Ops that `tf.gradients` adds live under a `gradients/` (or `gradients_N/`) scope."""
    return any(_GRAD_PART.match(p) for p in name.split("/")[:-1])


class NodeView:
    """One op as the drawing sees it. `inputs` are (src_name, output_index, dtype, shape)
    with dtype/shape as display strings (or None), `control` the names of control inputs."""
    __slots__ = ("name", "type", "inputs", "control", "attrs", "device", "op")

    def __init__(self, name, type, inputs, control, attrs=None, device="", op=None):
        self.name, self.type, self.inputs, self.control = name, type, inputs, control
        self.attrs, self.device, self.op = attrs or {}, device, op

    @property
    def is_gradient(self):
        return is_gradient_name(self.name)

    def __repr__(self):
        return f"<NodeView {self.name} ({self.type})>"


def _dtype_str(dt):
    return getattr(dt, "name", str(dt))


def _op_view(op):
    inputs = [(t.op.name, t.value_index, _dtype_str(t.dtype), str(t.shape))
              for t in op.inputs]
    return NodeView(op.name, op.type, inputs, [c.name for c in op.control_inputs],
                    getattr(op, "_attrs", {}), op.device, op)


def _ancestors(ops):
    seen, stack = set(), list(ops)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


def _as_graph(obj):
    """A framework Graph behind `obj` (Graph, Session, tf.function, ConcreteFunction,
    FileWriter-free GraphDef), or None."""
    from ..framework import ops as _ops
    if isinstance(obj, _ops.Graph):
        return obj
    if isinstance(obj, _ops.GraphDef) and getattr(obj, "_graph", None) is not None:
        return obj._graph
    g = getattr(obj, "graph", None)
    if isinstance(g, _ops.Graph) and not isinstance(obj, (_ops.Tensor, _ops.Operation)) \
            and not hasattr(obj, "_as_graph_element"):
        return g
    if hasattr(obj, "get_concrete_function") and callable(obj.get_concrete_function):
        return _function_graph(obj)
    return None


def _function_graph(fn):
    """A `tf.function`'s graph: its signature's trace, else the latest trace it made."""
    if getattr(fn, "input_signature", None) is not None:
        return fn.get_concrete_function().graph
    traces = list(getattr(fn, "_cache", {}).values())
    if traces:
        return traces[-1].graph
    try:
        return fn.get_concrete_function().graph
    except TypeError:
        name = getattr(fn, "__name__", "this function")
        raise TypeError(f"{name} has not been traced yet: call it once, or draw "
                        f"{name}.get_concrete_function(example_args).graph") \
            from None


def _ops_of(obj):
    """The operations `obj` stands for: a Tensor/Operation/variable is its ancestors (what
    would run to compute it); a list is the union."""
    from ..framework import ops as _ops
    if hasattr(obj, "_as_graph_element") and not isinstance(obj, (_ops.Tensor, _ops.Operation)):
        el = obj._as_graph_element()
        extra = [obj.initializer] if getattr(obj, "initializer", None) is not None else []
        if callable(getattr(obj, "value", None)):        # a variable's read op
            v = obj.value()
            if isinstance(v, _ops.Tensor) and not getattr(v, "_is_eager", False):
                extra.append(v.op)
        return _ancestors([el.op if isinstance(el, _ops.Tensor) else el] + extra)
    if isinstance(obj, _ops.Tensor):
        return _ancestors([obj.op])
    if isinstance(obj, _ops.Operation):
        return _ancestors([obj])
    if isinstance(obj, (list, tuple, set)):
        out = set()
        for o in obj:
            out |= _ops_of(o)
        return out
    raise TypeError(f"Cannot draw a {type(obj).__name__}: pass a Graph, Tensor, Operation, "
                    f"variable, Session, tf.function, or a FileWriter logdir.")


def nodes_of(obj):
    """Returns [NodeView] in creation order for anything drawable (see `_as_graph`,
    `_ops_of`); a string is a logdir/event file whose stored GraphDef is drawn."""
    import os
    if isinstance(obj, (str, os.PathLike)):
        return _graphdef_views(str(obj))
    if hasattr(obj, "get_logdir") and callable(obj.get_logdir):   # a FileWriter
        if hasattr(obj, "flush"):
            obj.flush()
        return _graphdef_views(obj.get_logdir())
    g = _as_graph(obj)
    if g is not None:
        return [_op_view(op) for op in g.get_operations()]
    if isinstance(obj, list) and obj and all(isinstance(n, NodeView) for n in obj):
        return obj
    ops = _ops_of(obj)
    return [_op_view(op) for op in sorted(ops, key=lambda o: o._id)]


def _graphdef_views(path):
    from ..framework import dtypes as _dt
    from . import events
    raw = events.read_graph_nodes(path)
    by_name = {n["name"]: n for n in raw}

    def out_info(src, idx):
        node = by_name.get(src)
        if node is None:
            return None, None
        attr = node["attr"]
        dtype = None
        for key in ("T", "dtype", "DstT", "out_type"):
            if key in attr and attr[key][0] == "type":
                enum = attr[key][1]
                try:
                    d = _dt.as_dtype(enum)
                    dtype = d._as_ref.name if node["op"] in VARIABLE_TYPES else d.name
                except (TypeError, ValueError, KeyError):
                    dtype = str(enum)
                break
        shape = None
        shapes = attr.get("_output_shapes")
        if shapes and shapes[0] == "list" and idx < len(shapes[1]["shape"]):
            dims = shapes[1]["shape"][idx]
            shape = "<unknown>" if dims is None else \
                "(" + ", ".join("None" if d is None else str(d) for d in dims) + \
                ("," if len(dims) == 1 else "") + ")"
        return dtype, shape

    views = []
    for n in raw:
        inputs, control = [], []
        for inp in n["input"]:
            if inp.startswith("^"):
                control.append(inp[1:])
                continue
            src, _, idx = inp.partition(":")
            idx = int(idx) if idx else 0
            inputs.append((src, idx) + out_info(src, idx))
        attrs = {k: v[1] for k, v in n["attr"].items() if not k.startswith("_")}
        views.append(NodeView(n["name"], n["op"], inputs, control, attrs, n["device"]))
    return views
