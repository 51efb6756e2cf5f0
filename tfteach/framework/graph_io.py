"""Graphs as TensorFlow's GraphDef protobuf, both ways (`tf.import_graph_def`,
`Graph.as_graph_def()` serialised, `tf.io.write_graph`).

A NodeDef carries exactly the attrs TF 2.21's OpDef of that op type declares
(`tf_op_defs.json`, recorded from TF by tools/record_tf_op_defs.py), encoded by their declared
types, so TensorFlow imports what tfteach writes; attrs only tfteach uses stay out, and TF's
defaults fill in what tfteach leaves unsaid. The messages are TensorBoard's copies of TF's
(the `formats` extra); nothing in a file is executed.
"""
import json
import os

import numpy as np

from . import dtypes as _dt
from . import ops as _ops
from . import registry
from .tensor_shape import TensorShape, unknown_shape

_TF_OPS = {}


def tf_op_def(op_type):
    if not _TF_OPS:
        with open(os.path.join(os.path.dirname(__file__), "tf_op_defs.json")) as f:
            _TF_OPS.update(json.load(f))
    return _TF_OPS.get(op_type)


def __getattr__(name):
    # `tf.compat.v1.GraphDef` is TF's message class (users ParseFromString into it)
    if name == "GraphDef":
        return _pb()[1].GraphDef
    raise AttributeError(name)


def _pb():
    try:
        from tensorboard.compat.proto import attr_value_pb2, graph_pb2, tensor_pb2
        from tensorboard.compat.proto import tensor_shape_pb2
    except ImportError:
        raise ImportError("GraphDefs in TensorFlow's format need tensorboard's copies of TF's "
                          "messages: pip install 'tfteach[formats]'") from None
    return attr_value_pb2, graph_pb2, tensor_pb2, tensor_shape_pb2


# --- values <-> messages ------------------------------------------------------------------------

def _shape_proto(shape, msg):
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if shape.rank is None:
        msg.unknown_rank = True
    else:
        for d in shape.as_tuple():
            msg.dim.add().size = -1 if d is None else int(d)
    return msg


def _shape_of(msg):
    if msg.unknown_rank:
        return unknown_shape()
    return TensorShape([None if d.size < 0 else int(d.size) for d in msg.dim])


def tensor_proto(value, dtype=None):
    """An ndarray as a TensorProto (bytes in `tensor_content`, strings in `string_val`)."""
    _, _, tensor_pb2, _ = _pb()
    arr = np.asarray(value)
    dt = _dt.as_dtype(dtype) if dtype is not None else (
        _dt.string if arr.dtype == object or arr.dtype.kind in "SU" else _dt.as_dtype(arr.dtype))
    t = tensor_pb2.TensorProto(dtype=dt.base_dtype.as_datatype_enum)
    _shape_proto(TensorShape(arr.shape), t.tensor_shape)
    if dt.base_dtype == _dt.string:
        t.string_val.extend(x if isinstance(x, bytes) else str(x).encode()
                            for x in arr.reshape(-1))
    else:
        t.tensor_content = np.ascontiguousarray(arr, dt.base_dtype.np_dtype).astype(
            np.dtype(dt.base_dtype.np_dtype).newbyteorder("<"), copy=False).tobytes()
    return t


# The dtypes whose many values TF packs as raw little-endian bytes (`tensor_content`); a
# single value, bools, strings and complex numbers go in the typed `*_val` fields.
_CONTENT_DTYPES = frozenset({"float16", "float32", "float64", "int32", "uint8", "int16",
                             "int8", "int64", "uint16", "uint32", "uint64", "bfloat16"})


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False,
                      allow_broadcast=False):
    """`tf.make_tensor_proto`: `values` as a TensorProto laid out as TF lays it out: many
    numbers of one size as `tensor_content`, otherwise the typed value field, with the last
    value standing for the rest when fewer values than the `shape` holds are given."""
    _, _, tensor_pb2, _ = _pb()
    if allow_broadcast:
        raise NotImplementedError("tf.make_tensor_proto(allow_broadcast=True) is not "
                                  "implemented by tfteach")
    if isinstance(values, tensor_pb2.TensorProto):
        return values
    if dtype is not None:
        dtype = _dt.as_dtype(dtype).base_dtype
        if not isinstance(values, np.ndarray):
            _check_python_values(values, dtype)
    arr = np.asarray(values)
    if dtype is None:
        if arr.dtype == object or arr.dtype.kind in "SU":
            dtype = _dt.string
        elif arr.dtype == np.float64 and not isinstance(values, np.ndarray):
            dtype = _dt.float32          # Python floats are float32, as in tf.constant
        elif arr.dtype == np.int64 and not isinstance(values, np.ndarray) and \
                (arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31)):
            dtype = _dt.int32            # Python ints are int32 when they fit
        else:
            dtype = _dt.as_dtype(arr.dtype)
    if dtype != _dt.string:
        arr = arr.astype(dtype.np_dtype)
    want = list(arr.shape) if shape is None else [int(d) for d in shape]
    n_want = int(np.prod(want, dtype=np.int64))
    if shape is not None and list(arr.shape) != want:
        if verify_shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(want)}, but got {arr.shape}.")
        if arr.size > n_want:
            raise ValueError(f"Too many elements provided. Takes at most {n_want}, but got "
                             f"{arr.size}.")
    t = tensor_pb2.TensorProto(dtype=dtype.as_datatype_enum)
    t.tensor_shape.SetInParent()         # a scalar's shape is present, with no dims
    _shape_proto(TensorShape(want), t.tensor_shape)
    flat = arr.reshape(-1)
    if dtype == _dt.string:
        t.string_val.extend(x if isinstance(x, bytes) else str(x).encode() for x in flat)
    elif dtype.name in _CONTENT_DTYPES and arr.size == n_want and n_want > 1:
        t.tensor_content = flat.astype(np.dtype(dtype.np_dtype).newbyteorder("<")).tobytes()
    elif dtype.name == "float16":
        t.half_val.extend(int(v) for v in flat.view(np.uint16))
    elif dtype.is_complex:
        getattr(t, _VAL_FIELDS[dtype.name]).extend(
            float(x) for v in flat for x in (v.real, v.imag))
    else:
        field = _VAL_FIELDS.get(dtype.name)
        if field is None:
            raise TypeError(f"tfteach cannot write {dtype.name} values to a TensorProto")
        getattr(t, field).extend(v.item() for v in flat)
    return t


def _check_python_values(values, dtype):
    """TF's TypeError for a Python value that `dtype` cannot hold exactly (1.5 as int32, 1 as
    a string); numpy arrays are cast instead."""
    items = values if isinstance(values, (list, tuple)) else [values]
    for v in items:
        if isinstance(v, (list, tuple)):
            _check_python_values(v, dtype)
            continue
        if dtype == _dt.string:
            ok = isinstance(v, (bytes, str, np.bytes_, np.str_))
        elif dtype == _dt.bool_:
            ok = isinstance(v, (bool, np.bool_))
        elif dtype.is_integer:
            ok = isinstance(v, (int, np.integer))
        elif dtype.is_complex:
            ok = isinstance(v, (int, float, complex, np.number))
        else:
            ok = isinstance(v, (int, float, np.integer, np.floating))
        if not ok:
            raise TypeError(f"Expected {dtype.name}, but got {v} of type "
                            f"'{type(v).__name__}'.")


def make_ndarray(tensor):
    """`tf.make_ndarray`: a TensorProto's value as a numpy array (strings as bytes)."""
    tensor.tensor_shape      # not a TensorProto: AttributeError, as in TF
    return tensor_value(tensor)


_VAL_FIELDS = {"float32": "float_val", "float64": "double_val", "int32": "int_val",
               "int16": "int_val", "int8": "int_val", "uint8": "int_val", "uint16": "int_val",
               "int64": "int64_val", "bool": "bool_val", "float16": "half_val",
               "uint32": "uint32_val", "uint64": "uint64_val", "complex64": "scomplex_val",
               "complex128": "dcomplex_val"}


def tensor_value(t):
    """A TensorProto's value as an ndarray (TF's `make_ndarray`)."""
    dt = _dt.as_dtype(t.dtype)
    shape = [] if t.tensor_shape.unknown_rank else [int(d.size) for d in t.tensor_shape.dim]
    n = int(np.prod(shape, dtype=np.int64))
    if dt == _dt.string:
        vals = list(t.string_val)
        out = np.empty(n, dtype=object)
        for i in range(n):
            out[i] = vals[i] if i < len(vals) else (vals[-1] if vals else b"")
        return out.reshape(shape)
    np_dt = np.dtype(dt.np_dtype)
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, np_dt.newbyteorder("<")).astype(
            np_dt).reshape(shape).copy()
    field = _VAL_FIELDS.get(dt.name)
    vals = list(getattr(t, field)) if field else []
    if dt.name == "float16":
        vals = np.array(vals, np.uint16).view(np.float16)
    elif dt.is_complex:
        vals = np.array(vals).reshape(-1, 2) @ np.array([1, 1j])
    if n == 0:
        return np.zeros(shape, np_dt)
    if len(vals) < n:                 # TF repeats the last value to fill the shape
        vals = list(vals) + [vals[-1] if len(vals) else 0] * (n - len(vals))
    return np.asarray(vals[:n], np_dt).reshape(shape)


def _attr_proto(value, kind, msg):
    if kind == "type":
        msg.type = _dt.as_dtype(value).base_dtype.as_datatype_enum
    elif kind == "shape":
        msg.shape.SetInParent()        # a scalar's shape has no field set: mark it present
        _shape_proto(value, msg.shape)
    elif kind == "int":
        msg.i = int(value)
    elif kind == "float":
        msg.f = float(value)
    elif kind == "bool":
        msg.b = bool(value)
    elif kind == "string":
        msg.s = value if isinstance(value, bytes) else str(value).encode()
    elif kind == "tensor":
        msg.tensor.CopyFrom(tensor_proto(value))
    elif kind == "list(type)":
        msg.list.type.extend(_dt.as_dtype(v).base_dtype.as_datatype_enum for v in value)
        msg.list.SetInParent()
    elif kind == "list(int)":
        msg.list.i.extend(int(v) for v in value)
        msg.list.SetInParent()
    elif kind == "list(float)":
        msg.list.f.extend(float(v) for v in value)
        msg.list.SetInParent()
    elif kind == "list(string)":
        msg.list.s.extend(v if isinstance(v, bytes) else str(v).encode() for v in value)
        msg.list.SetInParent()
    elif kind == "list(shape)":
        for v in value:
            _shape_proto(v, msg.list.shape.add())
        msg.list.SetInParent()
    elif kind == "list(bool)":
        msg.list.b.extend(bool(v) for v in value)
        msg.list.SetInParent()
    else:
        raise ValueError(f"attrs of type {kind} cannot be written to a GraphDef by tfteach")
    return msg


def _attr_value(msg):
    which = msg.WhichOneof("value")
    if which == "type":
        return _dt.as_dtype(msg.type)
    if which == "shape":
        return _shape_of(msg.shape)
    if which in ("i", "f", "b"):
        return getattr(msg, which)
    if which == "s":
        try:
            return msg.s.decode()
        except UnicodeDecodeError:
            return msg.s
    if which == "tensor":
        return tensor_value(msg.tensor)
    if which == "list":
        lst = msg.list
        if lst.type:
            return [_dt.as_dtype(t) for t in lst.type]
        if lst.shape:
            return [_shape_of(s) for s in lst.shape]
        for field in ("i", "f", "b"):
            if getattr(lst, field):
                return list(getattr(lst, field))
        if lst.s:
            return [s.decode() for s in lst.s]
        return []
    if which == "func":
        raise ValueError(f"function-valued attrs ({msg.func.name}) are not supported by tfteach")
    return None


# --- export ------------------------------------------------------------------------------------

def _attr_kinds(op_type):
    od = tf_op_def(op_type)
    if od is None:
        raise ValueError(f"Op type {op_type!r} has no TensorFlow OpDef on record; regenerate "
                         f"tfteach/framework/tf_op_defs.json (tools/record_tf_op_defs.py)")
    return od["attrs"]


def _tf_type_names():
    attr_value_pb2, *_ = _pb()
    from tensorboard.compat.proto import op_def_pb2
    return op_def_pb2


def node_proto(op, node):
    """Fills the NodeDef message `node` from a tfteach Operation."""
    nd = op.node_def
    node.name = nd.name
    node.op = nd.op
    node.input.extend(nd.input)
    if nd.device:
        node.device = nd.device
    attrs = dict(op._opdef.attr_defaults)
    attrs.update({k: v for k, v in nd.attr.items() if not k.startswith("_")})
    for name, spec in _attr_kinds(op.type).items():
        if name in attrs and attrs[name] is not None:
            _attr_proto(attrs[name], spec["type"], node.attr[name])
        elif "default" in spec:
            from google.protobuf import json_format
            json_format.ParseDict(spec["default"], node.attr[name])
        else:
            raise ValueError(f"{op.name} ({op.type}) has no value for TF's attr {name!r}")
    return node


def graph_def_proto(graph, from_version=None):
    """`graph` as TF's GraphDef message."""
    _, graph_pb2, _, _ = _pb()
    gd = graph_pb2.GraphDef()
    for op in graph.get_operations()[from_version or 0:]:
        node_proto(op, gd.node.add())
    gd.versions.producer = _ops.GraphDef.PRODUCER
    gd.versions.min_consumer = 12
    return gd


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """`tf.io.write_graph`: the GraphDef in protobuf text (`as_text`) or binary form, written
    atomically; returns the path."""
    from google.protobuf import text_format
    gd = graph_or_graph_def
    if isinstance(gd, _ops.Graph):
        gd = graph_def_proto(gd)
    elif isinstance(gd, _ops.GraphDef):
        gd = graph_def_proto(gd._graph)
    path = os.path.join(logdir, name)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    data = text_format.MessageToString(gd).encode() if as_text else gd.SerializeToString()
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def parse_graph_def(data):
    """A GraphDef message from binary or text bytes."""
    from google.protobuf import text_format
    from google.protobuf.message import DecodeError
    _, graph_pb2, _, _ = _pb()
    gd = graph_pb2.GraphDef()
    try:
        gd.ParseFromString(data)
        if gd.node or not data:
            return gd
    except DecodeError:
        pass
    try:
        return text_format.Parse(data.decode(), graph_pb2.GraphDef())
    except (text_format.ParseError, UnicodeDecodeError) as e:
        raise ValueError(f"not a GraphDef (binary or text): {e}") from None


# --- import ------------------------------------------------------------------------------------

def _to_message(graph_def):
    if isinstance(graph_def, _ops.GraphDef):
        return graph_def_proto(graph_def._graph)
    if isinstance(graph_def, (bytes, bytearray)):
        return parse_graph_def(bytes(graph_def))
    if not hasattr(graph_def, "node"):
        raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}")
    return graph_def


def _split_input(name):
    if name.startswith("^"):
        return name[1:], -1
    op, _, idx = name.partition(":")
    return op, int(idx or 0)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Adds the nodes of `graph_def` to the default graph under the scope `name` ("import"
    by default), mapping `input_map` {tensor name: tensor} onto its inputs; returns the
    `return_elements` (op or tensor names) found in it, as TF's `tf.import_graph_def`."""
    gd = _to_message(graph_def)
    g = _ops.get_default_graph()
    input_map = {(k if ":" in k or k.startswith("^") else k + ":0"): v
                 for k, v in (input_map or {}).items()}
    nodes = {n.name: n for n in gd.node}
    # creation in dependency order (a GraphDef need not be sorted; a NextIteration may close a
    # loop, which tfteach cannot import)
    order, state = [], {}

    def visit(n):
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            raise ValueError(f"GraphDef has a cycle through node {n!r} (while loops are not "
                             f"imported by tfteach)")
        state[n] = 1
        for inp in nodes[n].input:
            src, _ = _split_input(inp)
            if src not in nodes:
                raise ValueError(f"Node '{n}': Unknown input node '{inp}'")
            if f"{src}:{_split_input(inp)[1]}" not in input_map:
                visit(src)
        state[n] = 2
        order.append(n)
    for n in nodes:
        visit(n)
    prefix = "import" if name is None else name
    created = {}
    with g.as_default(), (g.name_scope(prefix) if prefix else _null()) as scope:
        scope = scope or ""
        for n in order:
            node = nodes[n]
            attrs = {k: _attr_value(v) for k, v in node.attr.items() if not k.startswith("_")}
            inputs, control = [], []
            for inp in node.input:
                src, idx = _split_input(inp)
                if idx < 0:
                    control.append(created[src])
                    continue
                key = f"{src}:{idx}"
                inputs.append(input_map[key] if key in input_map else
                              created[src]._outputs[idx])
            op = make_op(g, scope + node.name, node.op, inputs, attrs, control, node.device)
            created[node.name] = op
    if return_elements is None:
        return None
    out = []
    for r in return_elements:
        if ":" in r:
            src, idx = _split_input(r)
            out.append(created[src]._outputs[idx])
        else:
            out.append(created[r])
    return out


def make_op(g, full_name, op_type, inputs, attrs, control=(), device=""):
    """Adds one op read from a file (GraphDef, FunctionDef) to `g`, under its full name,
    with its shape rule run as graph building runs it."""
    from . import op_def_library
    try:
        opdef = registry.get(op_type)
    except KeyError:
        raise ValueError(f"Node '{full_name}': op type {op_type!r} is not implemented by "
                         f"tfteach, so this graph cannot be imported") from None
    _fill_defaults(op_type, attrs)
    _group_inputs(opdef, inputs, attrs)
    out_types = op_def_library._output_types(opdef, attrs)
    proto = op_def_library.OpProto(opdef.type, full_name, inputs, attrs, g)
    shapes = opdef.shape(proto) if opdef.shape is not None else None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    shapes = shapes or [unknown_shape()] * len(out_types)
    op = g._create_op(opdef, list(inputs), attrs, out_types, shapes, full_name + "/")
    for c in control:
        op._add_control_input(c)
    if device:
        op._device = device
    return op


def _fill_defaults(op_type, attrs):
    """TF leaves attrs at their OpDef default out of saved files (`strip_default_attrs`): put
    the defaults back."""
    od = tf_op_def(op_type)
    if od is None:
        return
    from google.protobuf import json_format
    attr_value_pb2 = _pb()[0]
    for name, spec in od["attrs"].items():
        if name not in attrs and "default" in spec:
            attrs[name] = _attr_value(json_format.ParseDict(spec["default"],
                                                            attr_value_pb2.AttrValue()))


def _group_inputs(opdef, inputs, attrs):
    """Records the list lengths (`N`) a variadic input implies, as graph building does."""
    for arg, spec in opdef.inputs:
        if arg.startswith("*") and "N" not in attrs and not registry.is_type_list(spec):
            attrs["N"] = len(inputs) - (len(opdef.inputs) - 1)
    return inputs


class _null:
    def __enter__(self):
        return ""

    def __exit__(self, *exc):
        return False
