"""`apply_op`: the one entry point every op constructor calls.

It converts the inputs (inferring type attrs such as `T` the way TF does), then either
adds an Operation to a graph (running the op's shape rule first, so a bad shape is a
ValueError and nothing is added) or, when executing eagerly, runs the kernel at once.
"""
from . import behavior, registry
from . import dtypes as _dt
from . import ops as _ops
from .tensor_shape import TensorShape, unknown_shape

__all__ = ["apply_op", "OpProto"]

# Set by tfteach.eager.execute: fn(opdef, inputs, attrs, name) -> outputs.
EAGER_EXECUTE = None
# Set by ops/ragged: fn(opdef, inputs, attrs, name) -> outputs, for an op applied to a
# composite tensor (a RaggedTensor): element-wise ops run on its flat values.
COMPOSITE_DISPATCH = None
# Also set by the eager layer: fn(opdef, inputs, name) -> outputs, or None when the call is
# not the common case (all inputs eager tensors, no attrs, a dtype combination seen before).
EAGER_FAST = None


class OpProto:
    """What a shape rule sees of an op that is about to be created."""
    __slots__ = ("type", "name", "inputs", "_attrs", "graph")

    def __init__(self, type, name, inputs, attrs, graph):
        self.type, self.name, self.inputs, self._attrs, self.graph = (type, name, inputs,
                                                                      attrs, graph)

    def get_attr(self, name):
        return self._attrs[name]

    def attr(self, name, default=None):
        return self._attrs.get(name, default)

    def describe(self):
        """TF's '{{node X}} = Type[attrs](inputs)' form used in shape error messages."""
        attrs = ", ".join(f"{k}={_attr_str(v)}" for k, v in sorted(self._attrs.items())
                          if not k.startswith("_") and k != "value")
        ins = ", ".join(t.op.name if t.value_index == 0 else t.name for t in self.inputs)
        return f"{{{{node {self.name}}}}} = {self.type}[{attrs}]({ins})"

    def shape_error(self, msg):
        shapes = ", ".join(_shape_list(t.shape) for t in self.inputs)
        return ValueError(f"{msg} for '{self.describe()}' with input shapes: {shapes}.")


def _shape_list(shape):
    if shape.rank is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"


def _attr_str(v):
    if isinstance(v, _dt.DType):
        # TF's DataType enum names: DT_FLOAT, DT_DOUBLE, DT_HALF (not DT_FLOAT32 ...).
        base = v.base_dtype.name
        enum = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(
            base, base.upper())
        return "DT_" + enum + ("_REF" if v.is_ref_dtype else "")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, bytes):
        v = v.decode("utf-8", "backslashreplace")
    if isinstance(v, str):          # TF quotes string attrs: padding="SAME"
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def _is_eager_value(x):
    return getattr(x, "_is_eager", False)


def _any_symbolic(inputs):
    for x in inputs:
        if isinstance(x, (list, tuple)):
            if _any_symbolic(x):
                return True
        elif isinstance(x, _ops.Tensor) and not getattr(x, "_is_eager", False):
            return True
        elif getattr(x, "_is_graph_variable", False):
            return True
        elif getattr(x, "_is_indexed_slices", False):
            if _any_symbolic([x.values]):
                return True
    return False


# tf.debugging.enable_check_numerics installs its callback here (ops/check_ops.py): called
# with (opdef, inputs, outputs) after each op added to a graph (here) or run eagerly
# (eager/execute.py), it may return replacement outputs for a graph op.
OP_CALLBACKS = []


def apply_op(op_type, inputs=(), attrs=None, name=None):
    """Apply op `op_type` to `inputs` (a list in the OpDef's input order)."""
    outs = _apply_op(op_type, inputs, attrs, name)
    if OP_CALLBACKS and isinstance(outs, (list, tuple)) and outs and \
            _ops.is_symbolic(outs[0]):
        for callback in OP_CALLBACKS:
            replaced = callback(registry.get(op_type), inputs, outs)
            if replaced is not None:
                outs = replaced
    return outs


def _apply_op(op_type, inputs, attrs, name):
    opdef = registry.get(op_type)
    if not attrs and EAGER_FAST is not None and behavior.EAGER_DEFAULT and \
            not _ops._graph_stack.items:
        outs = EAGER_FAST(opdef, inputs, name)
        if outs is not None:
            return outs
    attrs = dict(attrs) if attrs else {}
    if COMPOSITE_DISPATCH is not None:
        for x in inputs:
            if getattr(x, "_tf_elementwise_dispatch", False):
                return COMPOSITE_DISPATCH(opdef, inputs, attrs, name)
    if _ops.executing_eagerly() and not _any_symbolic(inputs):
        return EAGER_EXECUTE(opdef, list(inputs), attrs, name)
    g = _graph_for(inputs)
    with g.as_default(), g.name_scope(name or op_type) as scope:
        tensors = _convert_inputs(opdef, inputs, attrs, g)
        if opdef.allowed or opdef.minimum:
            bad = opdef.attr_violation(attrs)
            if bad is not None:
                raise bad[0]
        out_types = _output_types(opdef, attrs)
        flat = []
        for t in tensors:
            if isinstance(t, list):
                flat.extend(t)
            else:
                flat.append(t)
        proto = OpProto(opdef.type, scope[:-1] if scope.endswith("/") else scope, flat,
                        attrs, g)
        if opdef.shape is not None:
            shapes = opdef.shape(proto)
            if isinstance(shapes, TensorShape):
                shapes = [shapes]
        else:
            shapes = [unknown_shape()] * len(out_types)
        op = g._create_op(opdef, flat, attrs, out_types, shapes, scope)
    outs = op._outputs
    return outs


def _graph_for(inputs):
    """The graph of the symbolic inputs; all must share it (TF's ValueError otherwise)."""
    graph, first = None, None
    for x in inputs:
        for y in (x if isinstance(x, (list, tuple)) else (x,)):
            g = _graph_of(y)
            if g is None:
                continue
            if graph is None:
                graph, first = g, y
            elif g is not graph:
                raise ValueError(f"{y} must be from the same graph as {first} (graphs are "
                                 f"{g} and {graph}).")
    return graph if graph is not None else _ops.get_default_graph()


def _graph_of(x):
    if getattr(x, "_is_indexed_slices", False):
        x = x.values
    if isinstance(x, _ops.Tensor) and not getattr(x, "_is_eager", False):
        return x.graph
    if getattr(x, "_is_graph_variable", False):
        return x.graph
    return None


def _output_types(opdef, attrs):
    outs = opdef.outputs(attrs) if callable(opdef.outputs) else opdef.outputs
    types = []
    for _name, spec in outs:
        if isinstance(spec, _dt.DType):
            types.append(spec)
        elif isinstance(spec, str) and spec.startswith("*"):   # "*N:T": N outputs of T
            n_attr, t_attr = spec[1:].split(":")
            types.extend([_resolve_type(attrs, t_attr)] * attrs[n_attr])
        elif spec.startswith("ref:"):
            types.append(_resolve_type(attrs, spec[4:])._as_ref)
        else:
            types.append(_resolve_type(attrs, spec))
    return types


def _resolve_type(attrs, spec):
    if isinstance(spec, _dt.DType):
        return spec
    return _dt.as_dtype(attrs[spec])


def _convert_inputs(opdef, inputs, attrs, g):
    """Converts inputs to graph tensors, inferring each type attr from the first input that
    already is a tensor (as TF does), and records the attr (`T`, `N`) in `attrs`."""
    specs = opdef.inputs
    if len(inputs) != len(specs):
        raise TypeError(f"{opdef.type} takes {len(specs)} inputs, got {len(inputs)}")
    # First pass: which type attrs can be read off existing tensors?
    for (arg, spec), x in zip(specs, inputs):
        tattr = registry.input_type_attr(spec)
        if tattr is None or tattr in attrs or registry.is_type_list(spec):
            continue
        items = x if arg.startswith("*") else [x]
        for item in items:
            dt = _tensor_dtype(item)
            if dt is not None:
                attrs[tattr] = dt.base_dtype
                break
    out = []
    for (arg, spec), x in zip(specs, inputs):
        argname = arg.lstrip("*")
        want_ref = isinstance(spec, str) and spec.startswith("ref:")
        tattr = registry.input_type_attr(spec)
        if arg.startswith("*"):
            if not isinstance(x, (list, tuple)):
                raise TypeError(f"Expected list for '{argname}' argument to '{opdef.type}' Op, "
                                f"not {x!r}.")
            if registry.is_type_list(spec):
                conv = [_ops.convert_to_tensor(item, name=f"{argname}_{i}")
                        for i, item in enumerate(x)]
                attrs[tattr] = [t.dtype.base_dtype for t in conv]
                out.append(conv)
                continue
            dts = [_tensor_dtype(item) for item in x]
            if x and None not in dts and len({d.base_dtype for d in dts}) > 1:
                raise TypeError(f"Tensors in list passed to '{argname}' of '{opdef.type}' Op "
                                f"have types [{', '.join(d.base_dtype.name for d in dts)}] "
                                f"that don't all match.")
            conv = []
            for i, item in enumerate(x):
                conv.append(_convert_one(opdef, argname, item, spec, tattr, attrs, want_ref,
                                         name=f"{argname}_{i}"))
            attrs.setdefault("N", len(conv))
            out.append(conv)
        else:
            out.append(_convert_one(opdef, argname, x, spec, tattr, attrs, want_ref,
                                    name=argname))
    return out


def _tensor_dtype(x):
    if isinstance(x, _ops.Tensor):
        return x.dtype
    dt = getattr(x, "_tfteach_dtype", None)   # variables
    return dt


def _convert_one(opdef, argname, x, spec, tattr, attrs, want_ref, name):
    if tattr is None:
        want = spec
    else:
        want = attrs.get(tattr)
    if want_ref:
        if hasattr(x, "_ref") and callable(x._ref):
            t = x._ref()
        else:
            t = x
        if not isinstance(t, _ops.Tensor) or not t.dtype.is_ref_dtype:
            raise TypeError(f"'{opdef.type}' Op requires that input '{argname}' be a mutable "
                            f"tensor (e.g.: a tf.Variable)")
    else:
        if isinstance(x, _ops.Tensor) or hasattr(x, "_as_graph_element") or \
                getattr(x, "_tfteach_dtype", None) is not None:
            t = _ops.convert_to_tensor(x, name=name)
        else:
            try:
                t = _ops.convert_to_tensor(x, dtype=want, name=name)
            except (TypeError, ValueError) as e:
                if want is None:
                    raise
                raise TypeError(f"Expected {_dt.as_dtype(want).name} passed to parameter "
                                f"'{argname}' of op '{opdef.type}', got {x!r} of type "
                                f"'{type(x).__name__}' instead. Error: {e}") from None
    if tattr is not None:
        if tattr not in attrs:
            attrs[tattr] = t.dtype.base_dtype
        elif t.dtype.base_dtype != _dt.as_dtype(attrs[tattr]):
            first = _first_arg_with(opdef, tattr, argname)
            if first is None:
                raise TypeError(f"Input '{argname}' of '{opdef.type}' Op has type "
                                f"{t.dtype.base_dtype.name} that does not match expected type "
                                f"of {_dt.as_dtype(attrs[tattr]).name}.")
            raise TypeError(f"Input '{argname}' of '{opdef.type}' Op has type "
                            f"{t.dtype.base_dtype.name} that does not match type "
                            f"{_dt.as_dtype(attrs[tattr]).name} of argument '{first}'.")
    elif isinstance(spec, _dt.DType) and t.dtype.base_dtype != spec:
        raise TypeError(f"Input '{argname}' of '{opdef.type}' Op has type "
                        f"{t.dtype.base_dtype.name} that does not match expected type of "
                        f"{spec.name}.")
    return t


def _first_arg_with(opdef, tattr, argname):
    for arg, spec in opdef.inputs:
        if registry.input_type_attr(spec) == tattr:
            a = arg.lstrip("*")
            return None if a == argname else a
    return None
