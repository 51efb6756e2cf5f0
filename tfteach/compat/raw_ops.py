"""`tf.raw_ops` (also `tf.compat.v1.raw_ops`): one function per op type, taking exactly the
op's OpDef arguments as keywords.

Nothing here is written per op. Every function is made from two records: tfteach's op
registry (which ops exist and how they are built) and TensorFlow 2.21's OpDefs in
`tfteach/framework/tf_op_defs.json` (tools/record_tf_op_defs.py), which give each raw op's
Python name (`mat_mul`, used in TF's error messages), its parameters (the inputs, then the
attrs TF does not infer from them, then `name`) and the attrs' defaults. Type attrs such as `T`
and list lengths such as `N` are not parameters: `apply_op` infers them from the inputs, as
TF's op-def library does.

    tf.raw_ops.MatMul(a=x, b=y, transpose_b=True)

A raw op only creates its op: eagerly it runs at once, in a graph or a tf.function it adds
one node. Like TF's, every argument must be passed by keyword.
"""
import os
import types

from ..framework import dtypes as _dt
from ..framework import graph_io as _graph_io
from ..framework import op_def_library as _op_def_library
from ..framework import ops as _ops
from ..framework import registry as _registry
from ..framework.tensor_shape import TensorShape as _TensorShape

# Ops in tfteach's registry whose declaration is not TF's OpDef, so a raw call with TF's
# arguments could not build them faithfully: they stay out of tf.raw_ops.
_NOT_RAW = {
    # tfteach's op takes the formatted pieces as a list and formats them in its kernel; TF's
    # takes one string tensor already formatted by tf.strings.format
    "PrintV2": "tfteach's PrintV2 formats a list of inputs itself (TF's takes one string)",
    # tfteach's iterators hold the Python dataset object (an attr TF does not have)
    "MakeIterator": "tfteach's MakeIterator binds a Python dataset, not a variant tensor",
    "AnonymousIteratorV3": "tfteach's iterators hold a Python dataset",
    "OneShotIterator": "tfteach's iterators hold a Python dataset",
    # TF's token names a function registered in TF's own Python runtime
    "EagerPyFunc": "the token names a function only tf.py_function registers",
}


# Attrs TF's Python API renames ({op: {parameter: OpDef attr}}); inputs are matched by
# position, and TF 2.21 renames no other attr (tests/test_raw_ops.py checks the record).
_RENAMED_ATTRS = {"Squeeze": {"axis": "squeeze_dims"}}


def _op_modules():
    """Every module of tfteach/ops that declares ops (`*_ops.py`), so the registry is whole."""
    import importlib
    here = os.path.join(os.path.dirname(os.path.dirname(__file__)), "ops")
    for fn in sorted(os.listdir(here)):
        if fn.endswith("_ops.py"):
            importlib.import_module(f"tfteach.ops.{fn[:-3]}")


def _op_types():
    """The op types tf.raw_ops offers: in tfteach's registry and in TF 2.21's tf.raw_ops."""
    _op_modules()
    return sorted(t for t in _registry.all_ops()
                  if t not in _NOT_RAW and "raw_ops" in (_graph_io.tf_op_def(t) or {}))


# --- attr values ------------------------------------------------------------------------------

def _dtype_of_enum_name(name):
    # TF's DataType names (DT_FLOAT, DT_INT64) in the recorded defaults
    base = name[3:].lower()
    return _dt.as_dtype({"float": "float32", "double": "float64", "half": "float16"}.get(
        base, base))


def _default_value(d):
    """An attr's default as recorded (an AttrValue in protobuf's JSON form) as the value
    tfteach keeps in an op's attrs."""
    import base64
    if "list" in d:
        lst = d["list"]
        if "type" in lst:
            return [_dtype_of_enum_name(t) for t in lst["type"]]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        if "f" in lst:
            return [float(v) for v in lst["f"]]
        if "b" in lst:
            return [bool(v) for v in lst["b"]]
        if "s" in lst:
            return [base64.b64decode(v).decode() for v in lst["s"]]
        if "shape" in lst:
            return [_shape_value(s) for s in lst["shape"]]
        return []
    if "type" in d:
        return _dtype_of_enum_name(d["type"])
    if "i" in d:
        return int(d["i"])
    if "f" in d:
        return float(d["f"])
    if "b" in d:
        return bool(d["b"])
    if "s" in d:
        raw = base64.b64decode(d["s"])
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return raw
    if "shape" in d:
        return _shape_value(d["shape"])
    return [] if d == {"list": {}} else None


def _shape_value(s):
    if s.get("unknownRank"):
        return _TensorShape(None)
    return _TensorShape([None if int(x.get("size", 0)) < 0 else int(x.get("size", 0))
                         for x in s.get("dim", [])])


def _attr_value(value, kind):
    """A user's attr argument in the form tfteach keeps: dtypes as DTypes, strings as str."""
    if kind == "type":
        return _dt.as_dtype(value).base_dtype
    if kind == "list(type)":
        return [_dt.as_dtype(v).base_dtype for v in value]
    if kind == "string" and isinstance(value, bytes):
        return value.decode()
    if kind in ("list(int)", "list(float)", "list(bool)", "list(string)"):
        return [v.decode() if isinstance(v, bytes) else v for v in value]
    if kind == "shape" and not isinstance(value, _TensorShape):
        return _TensorShape(value)
    if kind == "tensor":            # a TensorProto (tf.make_tensor_proto), or an array
        import numpy as np
        return (_graph_io.tensor_value(value) if hasattr(value, "tensor_shape")
                else np.asarray(value))
    return value


# --- the functions ----------------------------------------------------------------------------

def _missing_message(pyname, missing):
    # Python's own wording, which TF's raw ops give (their functions have these parameters)
    quoted = [f"'{m}'" for m in missing]
    if len(quoted) == 1:
        listed = quoted[0]
    elif len(quoted) == 2:
        listed = f"{quoted[0]} and {quoted[1]}"
    else:
        listed = ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    plural = "argument" if len(missing) == 1 else "arguments"
    return f"{pyname}() missing {len(missing)} required positional {plural}: {listed}"


def make_raw_op(op_type):
    """The `tf.raw_ops` function of `op_type`."""
    import inspect
    opdef = _registry.get(op_type)
    tf_def = _graph_io.tf_op_def(op_type)
    pyname, params = tf_def["raw_ops"]
    input_names = [i[0] for i in tf_def["inputs"]]
    # The parameters start with the inputs in OpDef order (which is tfteach's order too),
    # a few renamed by TF's API: Sum's `reduction_indices` is `axis`, Split's `split_dim` too.
    # (tfteach's generic binary op names Atan2's inputs (x, y); they are TF's (y, x).)
    py_inputs = params[:len(input_names)]
    if len(opdef.inputs) != len(input_names):
        raise AssertionError(f"{op_type}: tfteach's inputs {opdef.inputs} are not TF's "
                             f"{input_names}")
    attr_specs = tf_def["attrs"]
    renamed = _RENAMED_ATTRS.get(op_type, {})
    attr_names = [p for p in params[len(input_names):] if p != "name"]
    defaults = {a: _default_value(attr_specs[renamed.get(a, a)]["default"])
                for a in attr_names if "default" in attr_specs[renamed.get(a, a)]}
    required = [p for p in params if p != "name" and p not in defaults]

    def raw_op(*args, **kwargs):
        if args:
            raise TypeError(f"{pyname} only takes keyword args (possible keys: {params}). "
                            f"Please pass these args as kwargs instead.")
        for k in kwargs:
            if k not in params:
                raise TypeError(f"{pyname}() got an unexpected keyword argument '{k}'")
        missing = [p for p in required if p not in kwargs]
        if missing:
            raise TypeError(_missing_message(pyname, missing))
        attrs = {}
        for a in attr_names:
            attr = renamed.get(a, a)
            if a in kwargs:
                attrs[attr] = _attr_value(kwargs[a], attr_specs[attr]["type"])
            else:       # a fresh copy of a list default: the op keeps what it is given
                d = defaults[a]
                attrs[attr] = list(d) if isinstance(d, list) else d
        if op_type == "Const":
            # a Const has no kernel: its value is its attr, held by the tensor eagerly (the
            # constant builder makes either, with the same node in a graph)
            from ..ops.constant_op import constant
            return constant(attrs["value"], dtype=attrs["dtype"],
                            name=kwargs.get("name") or "Const")
        inputs = [kwargs[p] for p in py_inputs]
        outs = _op_def_library.apply_op(op_type, inputs, attrs,
                                        name=kwargs.get("name") or op_type)
        return _result(outs, inputs, tf_def, attrs)

    raw_op.__name__ = raw_op.__qualname__ = pyname
    raw_op.__module__ = __name__
    raw_op.__doc__ = f"TF's raw op {op_type}: {opdef.doc or ''}".rstrip(": ")
    P = inspect.Parameter
    raw_op.__signature__ = inspect.Signature(
        [P(p, P.KEYWORD_ONLY, default=defaults[p] if p in defaults else P.empty)
         for p in params if p != "name"] + [P("name", P.KEYWORD_ONLY, default=None)])
    return raw_op


def _result(outs, inputs, tf_def, attrs):
    """TF's return value: the op for an op without outputs (None eagerly), the tensor for one
    output, a list for one list output, and the outputs (lists grouped) in a tuple
    otherwise."""
    specs = tf_def["outputs"]
    if not specs:
        if _ops.executing_eagerly() and not _op_def_library._any_symbolic(inputs):
            return None
        return _op_def_library._graph_for(inputs).get_operations()[-1]
    lists = [count for _n, count, _r in specs if count]
    # a list output's length is its attr (`num`, `N`, `T`); one inferred list takes the rest
    rest = len(outs) - (len(specs) - len(lists))
    grouped, k = [], 0
    for _name, count_attr, _ref in specs:
        if count_attr:
            v = attrs.get(count_attr)
            n = rest if v is None else len(v) if isinstance(v, (list, tuple)) else int(v)
            grouped.append(list(outs[k:k + n]))
            k += n
        else:
            grouped.append(outs[k])
            k += 1
    return grouped[0] if len(grouped) == 1 else tuple(grouped)


class _RawOps(types.ModuleType):
    """The namespace: each function is made on first use and kept."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        tf_def = _graph_io.tf_op_def(name)
        if tf_def is None or "raw_ops" not in tf_def:
            raise AttributeError(f"module 'tf.raw_ops' has no attribute '{name}'")
        if name in _NOT_RAW:
            raise AttributeError(f"module 'tf.raw_ops' has no attribute '{name}' (TF 2.21 has "
                                 f"`tf.raw_ops.{name}`; tfteach does not implement it yet: "
                                 f"{_NOT_RAW[name]})")
        try:
            _registry.get(name)
        except KeyError:
            _op_modules()
            try:
                _registry.get(name)
            except KeyError:
                raise AttributeError(
                    f"module 'tf.raw_ops' has no attribute '{name}' (TF 2.21 has "
                    f"`tf.raw_ops.{name}`; tfteach does not implement it yet)") from None
        fn = make_raw_op(name)
        setattr(self, name, fn)
        return fn

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(_op_types()))


def namespace():
    import sys
    name = "tfteach.raw_ops"
    mod = sys.modules.get(name)
    if mod is None:
        mod = _RawOps(name, __doc__)
        sys.modules[name] = mod
    return mod
