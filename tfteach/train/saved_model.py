"""`tf.saved_model.save` in TensorFlow's SavedModel format, so TF's `tf.saved_model.load`
restores a tfteach model and calls its functions and signatures.

    saved_model.pb      a SavedModel message: one MetaGraphDef tagged "serve" whose function
                        library holds each traced tf.function as a FunctionDef (its variables
                        are resource arguments, bound to the variable nodes of the object
                        graph), whose SavedObjectGraph describes the objects (modules,
                        variables, functions, signatures), and whose SignatureDefs name the
                        serving signatures' tensors in its graph
    variables/          the variables, in TF's checkpoint format, keyed by object path, with
                        an object graph of the same nodes as the SavedObjectGraph (TF's loader
                        matches the two by node id)

Only what TF's messages need is written: no traced save/restore functions (TF 2's loader
restores variables from the checkpoint directly).

Loading inlines each FunctionDef into a graph of tfteach ops; TF's functional control flow
(`While`/`StatelessWhile`, `If`/`StatelessIf`, whose bodies and branches are library
functions) becomes the TF1 loop frame and Switch/Merge form that TF's own optimiser lowers
it to before running, which is how tfteach traces tf.while_loop and tf.cond.
"""
import os
import re
import types

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import graph_io
from ..framework import ops as _ops
from . import checkpoint as _ckpt

SERVE = "serve"


def _pb():
    try:
        from tensorboard.compat.proto import (function_pb2, meta_graph_pb2,
                                              saved_object_graph_pb2, struct_pb2,
                                              trackable_object_graph_pb2)
    except ImportError:
        raise ImportError("SavedModels need tensorboard's copies of TF's messages: "
                          "pip install 'tfteach[formats]'") from None
    return (function_pb2, meta_graph_pb2, saved_object_graph_pb2, struct_pb2,
            trackable_object_graph_pb2, _saved_model_message(meta_graph_pb2))


_SAVED_MODEL = []


def _saved_model_message(meta_graph_pb2):
    """TF's `SavedModel` message (schema version + MetaGraphDefs), which TensorBoard does not
    ship, declared from the shape of TF's saved_model.proto."""
    if not _SAVED_MODEL:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
        pool = descriptor_pool.Default()
        name = "tfteach/saved_model.proto"
        try:
            fd = pool.FindFileByName(name)
        except KeyError:
            f = descriptor_pb2.FileDescriptorProto(
                name=name, package="tfteach", syntax="proto3",
                dependency=[meta_graph_pb2.DESCRIPTOR.name])
            F = descriptor_pb2.FieldDescriptorProto
            m = f.message_type.add(name="SavedModel")
            m.field.add(name="saved_model_schema_version", number=1, type=F.TYPE_INT64,
                        label=F.LABEL_OPTIONAL)
            m.field.add(name="meta_graphs", number=2, type=F.TYPE_MESSAGE,
                        label=F.LABEL_REPEATED, type_name=".tensorboard.MetaGraphDef")
            pool.Add(f)
            fd = pool.FindFileByName(name)
        _SAVED_MODEL.append(types.SimpleNamespace(SavedModel=message_factory.GetMessageClass(
            fd.message_types_by_name["SavedModel"])))
    return _SAVED_MODEL[0]


def _arg_name(name):
    """TF's argument names: lower case, [a-z0-9_]."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


# --- FunctionDefs --------------------------------------------------------------------------------

def _out_arg(op, index):
    """(output arg name, index within it) of `op`'s flat output `index`, from TF's OpDef."""
    od = graph_io.tf_op_def(op.type)
    k = index
    for name, count_attr, _ref in od["outputs"]:
        if count_attr:
            v = op._attrs.get(count_attr)
            n = len(v) if isinstance(v, (list, tuple)) else int(v)
        else:
            n = 1
        if k < n:
            return name, k
        k -= n
    raise ValueError(f"{op.name} has no output {index}")


def _function_def(cf, fname, captured_vars):
    """The FunctionDef of a ConcreteFunction: its argument placeholders, then one resource
    argument per captured variable (in `captured_vars` order); captured eager tensors are
    inlined as constants."""
    function_pb2, *_ = _pb()
    g = cf.graph
    fd = function_pb2.FunctionDef()
    fd.signature.name = fname
    args = {}
    used = set()

    def add_arg(ph, dtype):
        name = _arg_name(ph.op.name)
        while name in used:
            name += "_1"
        used.add(name)
        fd.signature.input_arg.add(name=name, type=dtype.as_datatype_enum)
        args[ph] = name
    for ph in cf._arg_placeholders:
        add_arg(ph, ph.dtype.base_dtype)
    var_ph = {id(var): ph for var, ph in g._var_captures.values()}
    for var in captured_vars:
        add_arg(var_ph[id(var)], _dt.resource)
    consts = {ph: value for value, ph in g._captures.values()}
    skip = {t.op for t in args}
    stateful = False

    def ref(t):
        if t in args:
            return args[t]
        name, k = _out_arg(t.op, t.value_index)
        return f"{t.op.name}:{name}:{k}"
    for op in g.get_operations():
        if op in skip:
            continue
        node = fd.node_def.add()
        if op._outputs and op._outputs[0] in consts:      # a captured eager tensor
            value = np.asarray(consts[op._outputs[0]]._value)
            node.name, node.op = op.name, "Const"
            node.attr["dtype"].type = op._outputs[0].dtype.base_dtype.as_datatype_enum
            node.attr["value"].tensor.CopyFrom(graph_io.tensor_proto(value,
                                                                     op._outputs[0].dtype))
            continue
        graph_io.node_proto(op, node)
        del node.input[:]
        node.input.extend(ref(t) for t in op._inputs)
        node.input.extend("^" + c.name for c in op._control_inputs)
        stateful = stateful or op._opdef.stateful
    outs = cf._fetch
    for i, t in enumerate(outs):
        name = "identity" if i == 0 else f"identity_{i}"
        fd.signature.output_arg.add(name=name, type=t.dtype.base_dtype.as_datatype_enum)
        fd.ret[name] = ref(t)
    # TF prunes a function body to what its results and control outputs need: a variable
    # update no result depends on is a control output (TF's automatic control dependencies
    # make it one), or TF would drop it
    # An update inside a loop body becomes a control input of the loop's NextIterations
    # (each iteration waits on it), and the loop, through an Exit, a control output.
    by_name = {n.name: n for n in fd.node_def}
    controls = []
    last_update = {}     # a variable's handle -> the node that last updated it
    for op in g.get_operations():
        if op in skip:
            continue
        handle = _handle_root(op)
        if handle is not None and op._control_flow_context is None:
            # TF's automatic control dependencies: a variable's reads and updates wait on
            # its previous update (tfteach runs them in creation order)
            prev = last_update.get(handle)
            node = by_name.get(op.name)
            if prev is not None and node is not None and "^" + prev not in node.input:
                node.input.append("^" + prev)
        if op._type in _STATEFUL_UPDATES or op._type.startswith(("ResourceApply",
                                                                  "ResourceScatter")):
            name, ctx = op.name, op._control_flow_context
            while ctx is not None:
                if getattr(ctx, "nexts", None):
                    for nxt in ctx.nexts:
                        node = by_name.get(nxt.op.name)
                        if node is not None and "^" + name not in node.input:
                            node.input.append("^" + name)
                    name = ctx.exits[0].name
                ctx = ctx.outer
            if name not in controls:
                controls.append(name)
            if handle is not None:
                last_update[handle] = name
    for name in controls:
        fd.signature.control_output.append(name)
        fd.control_ret[name] = name
    fd.signature.is_stateful = stateful
    return fd


# --- structured values ---------------------------------------------------------------------------

def _spec_value(struct_pb2, shape, dtype, name=None):
    v = struct_pb2.StructuredValue()
    spec = v.tensor_spec_value
    if name:
        spec.name = name
    spec.shape.SetInParent()
    graph_io._shape_proto(shape, spec.shape)
    spec.dtype = _dt.as_dtype(dtype).base_dtype.as_datatype_enum
    return v


def _structure(struct_pb2, value, name=None):
    v = struct_pb2.StructuredValue()
    if isinstance(value, (_ops.Tensor, _SpecView)):
        return _spec_value(struct_pb2, value.shape, value.dtype,
                           getattr(value, "name", None) if isinstance(value, _SpecView) else name)
    if isinstance(value, dict):
        v.dict_value.SetInParent()
        for k in sorted(value):
            v.dict_value.fields[k].CopyFrom(_structure(struct_pb2, value[k], k))
        return v
    if isinstance(value, tuple):
        v.tuple_value.SetInParent()
        for x in value:
            v.tuple_value.values.add().CopyFrom(_structure(struct_pb2, x, name))
        return v
    if isinstance(value, list):
        v.list_value.SetInParent()
        for x in value:
            v.list_value.values.add().CopyFrom(_structure(struct_pb2, x, name))
        return v
    if value is None:
        v.none_value.SetInParent()
        return v
    if isinstance(value, bool):
        v.bool_value = value
    elif isinstance(value, int):
        v.int64_value = value
    elif isinstance(value, float):
        v.float64_value = value
    elif isinstance(value, str):
        v.string_value = value
    else:
        raise ValueError(f"tf.saved_model.save: a function output of type "
                         f"{type(value).__name__} has no SavedModel form")
    return v


def _fullargspec(struct_pb2, args, kwonly=()):
    v = struct_pb2.StructuredValue()
    nt = v.named_tuple_value
    nt.name = "FullArgSpec"
    for key in ("args", "varargs", "varkw", "defaults", "kwonlyargs", "kwonlydefaults",
                "annotations"):
        item = nt.values.add(key=key).value
        if key == "args":
            item.list_value.SetInParent()
            for a in args:
                item.list_value.values.add().string_value = a
        elif key == "kwonlyargs":
            item.list_value.SetInParent()
            for a in kwonly:
                item.list_value.values.add().string_value = a
        elif key == "annotations":
            item.dict_value.SetInParent()
        else:
            item.none_value.SetInParent()
    return v


# --- the object graph ----------------------------------------------------------------------------

class _Node:
    __slots__ = ("kind", "obj", "children", "path")

    def __init__(self, kind, obj, path):
        self.kind, self.obj, self.children, self.path = kind, obj, [], path


def _functions_of(obj):
    """[(attribute name, bound tf.function)] of an object's class."""
    from ..eager.function import Function
    out = []
    for name in sorted(dir(type(obj))):
        if name.startswith("__"):
            continue
        if isinstance(getattr(type(obj), name, None), Function):
            out.append((name, getattr(obj, name)))
    for name, value in sorted(vars(obj).items()) if hasattr(obj, "__dict__") else []:
        if isinstance(value, Function):
            out.append((name, value))
    return out


def _concrete_functions(fn):
    if fn._input_signature is not None and not fn._cache:
        fn.get_concrete_function()
    return list(dict.fromkeys(fn._cache.values()))


def _raw_children(obj):
    """[(name, value)] of an object's attributes that can hold trackables, containers kept
    whole (a list becomes a list node, as TF's list wrapper)."""
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        return [(str(k), v) for k, v in obj.items()]
    if isinstance(obj, _ckpt.Checkpoint):
        return list(obj._objects.items())
    if hasattr(obj, "_trackable_children"):
        return list(obj._trackable_children().items())
    if _ckpt._is_variable(obj) or not hasattr(obj, "__dict__"):
        return []
    return [(k, v) for k, v in vars(obj).items() if not k.startswith("_self_")]


def _holds_trackable(value):
    if isinstance(value, (list, tuple, dict)):
        items = value.values() if isinstance(value, dict) else value
        return any(_holds_trackable(v) for v in items)
    return _ckpt._is_trackable(value)


def _walk(root):
    from ..eager.function import Function
    nodes = [_Node("user", root, "")]
    ids = {id(root): 0}
    queue = [0]
    while queue:
        nxt = []
        for i in queue:
            node = nodes[i]
            items = [(n, v) for n, v in _raw_children(node.obj) if _holds_trackable(v)]
            if node.kind == "user":
                items = items + _functions_of(node.obj)
            for name, child in items:
                key = id(child)
                if key in ids:
                    node.children.append((name, ids[key]))
                    continue
                if isinstance(child, Function):
                    kind = "function"
                elif _ckpt._is_variable(child):
                    kind = "variable"
                elif isinstance(child, (list, tuple)):
                    kind = "list"
                elif isinstance(child, dict):
                    kind = "dict"
                else:
                    kind = "user"
                ids[key] = len(nodes)
                path = f"{node.path}/{name}" if node.path else name
                nodes.append(_Node(kind, child, path))
                node.children.append((name, ids[key]))
                if kind in ("user", "list", "dict"):
                    nxt.append(ids[key])
        queue = nxt
    return nodes


def save(obj, export_dir, signatures=None, options=None):
    """Writes `obj` (a tf.Module, a Keras model, a Checkpoint root) as a SavedModel."""
    (function_pb2, meta_graph_pb2, saved_object_graph_pb2, struct_pb2, tog,
     saved_model_pb2) = _pb()
    if _ops.executing_eagerly() is False:
        raise RuntimeError("tf.saved_model.save is for eager (TF2) programs; use "
                           "tf.compat.v1.saved_model for graphs")
    nodes = _walk(obj)
    var_node = {id(n.obj): i for i, n in enumerate(nodes) if n.kind == "variable"}
    sm = saved_model_pb2.SavedModel(saved_model_schema_version=1)
    mg = sm.meta_graphs.add()
    mg.meta_info_def.tags.append(SERVE)
    mg.meta_info_def.tensorflow_version = "2.21.0"
    mg.meta_info_def.tensorflow_git_version = "tfteach"
    mg.graph_def.versions.producer = _ops.GraphDef.PRODUCER
    og = mg.object_graph_def
    counter = [0]

    def fname(base):
        counter[0] += 1
        return f"__inference_{_arg_name(base)}_{counter[0]}"

    def add_concrete(cf, name, kw_signature=False):
        captured = [var for var, _ph in cf.graph._var_captures.values()]
        for var in captured:
            if id(var) not in var_node:
                raise ValueError(f"tf.saved_model.save: {cf.name} uses variable {var.name}, "
                                 f"which is not reachable from the saved object; attach it "
                                 f"to the object (e.g. as an attribute)")
        mg.graph_def.library.function.add().CopyFrom(_function_def(cf, name, captured))
        sc = og.concrete_functions[name]
        sc.bound_inputs.extend(var_node[id(v)] for v in captured)
        arg_names = [p.op.name for p in cf._arg_placeholders]
        specs = [_spec_value(struct_pb2, p.shape, p.dtype, n)
                 for p, n in zip(cf._arg_placeholders, arg_names)]
        sig = sc.canonicalized_input_signature.tuple_value
        positional, kwargs = sig.values.add(), sig.values.add()
        positional.tuple_value.SetInParent()
        kwargs.dict_value.SetInParent()
        for n, s in zip(arg_names, specs):
            if kw_signature:
                kwargs.dict_value.fields[n].CopyFrom(s)
            else:
                positional.tuple_value.values.add().CopyFrom(s)
        sc.output_signature.CopyFrom(_structure(struct_pb2, cf.structured_outputs))
        return arg_names

    saved_nodes = []
    for i, n in enumerate(nodes):
        sn = og.nodes.add()
        for name, child in n.children:
            sn.children.add(node_id=child, local_name=name)
        if n.kind == "variable":
            v = n.obj
            sn.variable.dtype = v.dtype.base_dtype.as_datatype_enum
            graph_io._shape_proto(v.shape, sn.variable.shape)
            sn.variable.trainable = bool(getattr(v, "trainable", True))
            sn.variable.name = getattr(v, "name", n.path).split(":")[0]
        elif n.kind == "function":
            fn = n.obj
            cfs = _concrete_functions(fn)
            params = list(fn._param_names)
            if fn._input_signature is not None:     # *args functions: TF's args_0, ... names
                params += [f"args_{i}" for i in range(len(params), len(fn._input_signature))]
            spec = sn.function.function_spec
            spec.fullargspec.CopyFrom(_fullargspec(struct_pb2, params))
            if fn._input_signature is not None:
                spec.input_signature.CopyFrom(_structure(
                    struct_pb2, tuple(_spec_tensor(s) for s in fn._input_signature)))
            else:
                spec.input_signature.none_value.SetInParent()
            for cf in cfs:
                name = fname(fn._name)
                add_concrete(cf, name)
                sn.function.concrete_functions.append(name)
        else:
            sn.user_object.identifier = {"list": "trackable_list_wrapper",
                                         "dict": "trackable_dict_wrapper"}.get(
                n.kind, "_generic_user_object")
            sn.user_object.version.producer = 1
            sn.user_object.version.min_consumer = 1
        saved_nodes.append(sn)
    # signatures: a `signatures` child of the root, each a concrete function taking keyword
    # arguments and returning a dict, as TF's signature wrappers do
    sigs = _signature_functions(signatures)
    if sigs:
        sig_map = len(og.nodes)
        node = og.nodes.add()
        node.user_object.identifier = "signature_map"
        node.user_object.version.producer = 1
        node.user_object.version.min_consumer = 1
        og.nodes[0].children.add(node_id=sig_map, local_name="signatures")
        for key, cf in sigs.items():
            name = fname(f"signature_wrapper_{cf.name}")
            arg_names = add_concrete(cf, name, kw_signature=True)
            bare_id = len(og.nodes)
            bare = og.nodes.add().bare_concrete_function
            bare.concrete_function_name = name
            bare.argument_keywords.extend(arg_names)
            bare.allowed_positional_arguments = len(arg_names)
            bare.function_spec.fullargspec.CopyFrom(_fullargspec(struct_pb2, [], arg_names))
            bare.function_spec.input_signature.none_value.SetInParent()
            og.nodes[sig_map].children.add(node_id=bare_id, local_name=key)
            _signature_def(mg, key, cf, arg_names)
    # variables/: TF's checkpoint, its object graph node for node with the SavedObjectGraph
    graph = tog.TrackableObjectGraph()
    tensors = {}
    for i, sn in enumerate(og.nodes):
        tn = graph.nodes.add()
        for c in sn.children:
            tn.children.add(node_id=c.node_id, local_name=c.local_name)
        if i < len(nodes) and nodes[i].kind == "variable":
            key = nodes[i].path + _ckpt._ATTR
            tn.attributes.add(name="VARIABLE_VALUE", full_name=sn.variable.name,
                              checkpoint_key=key)
            tensors[key] = np.asarray(nodes[i].obj.numpy())
    g = np.empty((), dtype=object)
    g[()] = graph.SerializeToString()
    tensors[_ckpt.OBJECT_GRAPH_KEY] = g
    os.makedirs(os.path.join(export_dir, "variables"), exist_ok=True)
    os.makedirs(os.path.join(export_dir, "assets"), exist_ok=True)
    _ckpt.write_tensors(os.path.join(export_dir, "variables", "variables"), tensors)
    path = os.path.join(export_dir, "saved_model.pb")
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(sm.SerializeToString())
    os.replace(tmp, path)
    return None


def _spec_tensor(spec):
    """A TensorSpec as the value `_structure` reads."""
    return _SpecView(spec)


class _SpecView:
    def __init__(self, spec):
        self.shape, self.dtype, self.name = spec.shape, spec.dtype, getattr(spec, "name", None)


def _signature_functions(signatures):
    from ..eager.function import ConcreteFunction, Function
    if signatures is None:
        return {}
    if isinstance(signatures, (Function, ConcreteFunction)):
        signatures = {"serving_default": signatures}
    out = {}
    for key, fn in signatures.items():
        if isinstance(fn, Function):
            if fn._input_signature is None:
                raise ValueError("tf.saved_model.save: a signature must be a tf.function with "
                                 "an input_signature, or a concrete function")
            fn = fn.get_concrete_function()
        out[key] = fn if isinstance(fn.structured_outputs, dict) else _named_outputs(key, fn)
    return out


def _named_outputs(key, cf):
    """TF's signature wrapper for a function that does not return a dict: a single tensor
    becomes {"output_0": t}, a list or tuple {"output_0": ..., "output_1": ...}."""
    from ..eager.function import ConcreteFunction
    from ..framework.ops import Tensor
    outs = cf.structured_outputs
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise ValueError(f"Got a non-Tensor value {o!r} for key 'output_{i}' in the output "
                             f"of the function {cf.name} used to generate the SavedModel "
                             f"signature {key!r}. Outputs for functions used as signatures must "
                             f"be a single Tensor, a sequence of Tensors, or a dictionary from "
                             f"string to Tensor.")
    return ConcreteFunction(cf.graph, cf._arg_placeholders, cf._arg_paths,
                            {f"output_{i}": o for i, o in enumerate(outs)}, list(outs), cf.name)


def _signature_def(mg, key, cf, arg_names):
    sd = mg.signature_def[key]
    sd.method_name = "tensorflow/serving/predict"
    for n, ph in zip(arg_names, cf._arg_placeholders):
        info = sd.inputs[n]
        info.name = f"{key}_{_arg_name(n)}:0"
        info.dtype = ph.dtype.base_dtype.as_datatype_enum
        graph_io._shape_proto(ph.shape, info.tensor_shape)
    outs = cf.structured_outputs
    for i, k in enumerate(sorted(outs)):
        info = sd.outputs[k]
        info.name = f"StatefulPartitionedCall:{i}"
        info.dtype = outs[k].dtype.base_dtype.as_datatype_enum
        graph_io._shape_proto(outs[k].shape, info.tensor_shape)


# --- loading -------------------------------------------------------------------------------------

class _Loaded:
    """An object rebuilt from a SavedModel (TF's `_UserObject`): its children are attributes;
    its variables are `variables` / `trainable_variables`, as on a tf.Module."""

    def __init__(self):
        self._children_names = []

    def _add(self, name, value):
        object.__setattr__(self, name, value)
        self._children_names.append(name)

    def _trackable_children(self):
        return {n: getattr(self, n) for n in self._children_names
                if not callable(getattr(self, n)) or _ckpt._is_variable(getattr(self, n))
                or isinstance(getattr(self, n), _Loaded)}

    def __getattr__(self, name):
        # a saved object may have its own `variables` child (Keras exports do); otherwise
        # these are computed, as tf.Module's are
        if name == "variables":
            return tuple(_ckpt._variables_by_key(self).values())
        if name == "trainable_variables":
            return tuple(v for v in _ckpt._variables_by_key(self).values() if v.trainable)
        raise AttributeError(f"this object loaded from a SavedModel has no attribute {name!r}")

    def __repr__(self):
        return f"<tfteach loaded SavedModel object {', '.join(self._children_names)}>"


class _RestoredFunction:
    """A tf.function read back: calls the concrete function whose input signature the
    arguments match."""

    def __init__(self, concretes, name):
        self._concretes = concretes
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        from ..eager import execute as _execute
        flat = list(args) + [kwargs[k] for k in sorted(kwargs)]
        tensors = [x if hasattr(x, "_dtype") else _execute.convert_to_eager(x) for x in flat]
        for cf in self._concretes:
            phs = cf._arg_placeholders
            if len(phs) == len(tensors) and all(
                    t._dtype == p.dtype and p.shape.is_compatible_with(t.shape)
                    for t, p in zip(tensors, phs)):
                return cf._call_flat(tensors)
        sigs = [[(p.shape, p.dtype.name) for p in cf._arg_placeholders]
                for cf in self._concretes]
        raise ValueError(f"Could not find matching concrete function to call loaded from the "
                         f"SavedModel. Got: {[(t.shape, t._dtype.name) for t in tensors]}; "
                         f"the saved signatures are {sigs}")

    @property
    def concrete_functions(self):
        return list(self._concretes)

    def get_concrete_function(self, *args, **kwargs):
        return self._concretes[0]


class _Signature:
    """A serving signature: keyword arguments in, a dict of tensors out."""

    def __init__(self, cf, keywords):
        self._cf, self._keywords = cf, list(keywords)
        self.structured_outputs = cf.structured_outputs
        self.inputs = cf.inputs

    @property
    def structured_input_signature(self):
        """As TF's loaded signatures: no positional specs, one TensorSpec per keyword."""
        from ..eager.function import TensorSpec
        specs = {k: TensorSpec(p.shape, p.dtype, name=k)
                 for k, p in zip(self._keywords, self._cf._arg_placeholders)}
        return (), dict(sorted(specs.items()))

    def __call__(self, *args, **kwargs):
        from ..eager import execute as _execute
        if args and not kwargs and len(args) == len(self._keywords):
            kwargs = dict(zip(self._keywords, args))
        missing = [k for k in self._keywords if k not in kwargs]
        if missing or len(kwargs) != len(self._keywords):
            raise TypeError(f"signature expects keyword arguments {self._keywords}, got "
                            f"{sorted(kwargs)}")
        tensors = [kwargs[k] if hasattr(kwargs[k], "_dtype") else
                   _execute.convert_to_eager(kwargs[k]) for k in self._keywords]
        return self._cf._call_flat(tensors)


def _structured(value_msg, outputs):
    """Rebuilds an output structure (StructuredValue) around the flat output tensors."""
    kind = value_msg.WhichOneof("kind")
    if kind == "tensor_spec_value":
        return next(outputs)
    if kind == "dict_value":
        return {k: _structured(value_msg.dict_value.fields[k], outputs)
                for k in sorted(value_msg.dict_value.fields)}
    if kind == "tuple_value":
        return tuple(_structured(v, outputs) for v in value_msg.tuple_value.values)
    if kind == "list_value":
        return [_structured(v, outputs) for v in value_msg.list_value.values]
    if kind == "none_value":
        return None
    return getattr(value_msg, kind)


def _arg_specs(value_msg, key=None):
    """The flat TensorSpecs (shape, dtype, keyword or spec name) of a canonicalized input
    signature."""
    out = []
    kind = value_msg.WhichOneof("kind")
    if kind == "tensor_spec_value":
        spec = value_msg.tensor_spec_value
        out.append((graph_io._shape_of(spec.shape), _dt.as_dtype(spec.dtype),
                    key or spec.name or None))
    elif kind == "dict_value":
        for k in sorted(value_msg.dict_value.fields):
            out.extend(_arg_specs(value_msg.dict_value.fields[k], k))
    elif kind in ("tuple_value", "list_value"):
        for v in getattr(value_msg, kind).values:
            out.extend(_arg_specs(v))
    return out


def _inline(g, fd, env, library, prefix):
    """Adds FunctionDef `fd`'s nodes to `g` with its arguments bound by `env` {arg: tensor};
    returns its outputs in output-arg order. Calls of other library functions are inlined."""
    nodes = {n.name: n for n in fd.node_def}
    made = {}
    # a TF1 loop frame's tensors stand for the rebuilt loop's: (node, output arg) -> tensor
    inside = {}

    def tensor(ref):
        if ref in env:
            return env[ref]
        name, out_arg, idx = (ref.split(":") + ["0", "0"])[:3]
        if (name, out_arg) in inside:
            return inside[(name, out_arg)]
        op = build(name)
        if isinstance(op, list):               # an inlined call: its outputs in order
            return op[int(idx)]
        if not out_arg:
            return op._outputs[0]
        od = graph_io.tf_op_def(op.type)
        k = 0
        for arg, count_attr, _ref in od["outputs"]:
            if arg == out_arg:
                return op._outputs[k + int(idx)]
            if count_attr:
                v = op._attrs.get(count_attr)
                k += len(v) if isinstance(v, (list, tuple)) else int(v)
            else:
                k += 1
        raise ValueError(f"{fd.signature.name}: {ref} names no output of {op.type}")

    def build(name):
        if name in made:
            if made[name] is None:
                raise ValueError(f"{fd.signature.name}: the function body has a cycle at "
                                 f"{name!r} (TF1 loop frames inside a function are not "
                                 f"imported by tfteach)")
            return made[name]
        if name not in nodes:
            raise ValueError(f"{fd.signature.name}: unknown node {name!r}")
        made[name] = None
        node = nodes[name]
        if node.op in ("Exit", "RefExit"):
            loop(name)
            return made[name]
        inputs = [tensor(r) for r in node.input if not r.startswith("^")]
        # a control edge from a frame's Merge (a constant in the loop's cond) waits on the
        # rebuilt loop's value standing for it
        control = [inside[(r[1:], "output")].op if (r[1:], "output") in inside else
                   build(r[1:]) for r in node.input if r.startswith("^")]
        control = [c for c in control if not isinstance(c, list)]
        if node.op in ("PartitionedCall", "StatefulPartitionedCall"):
            inner = library[node.attr["f"].func.name]
            sub = {a.name: t for a, t in zip(inner.signature.input_arg, inputs)}
            made[name] = _inline(g, inner, sub, library, f"{prefix}{name}/")
            return made[name]
        if node.op in ("While", "StatelessWhile"):
            made[name] = _while(g, node, inputs, library, f"{prefix}{name}/")
            return made[name]
        if node.op in ("If", "StatelessIf"):
            made[name] = _if(g, node, inputs, library, f"{prefix}{name}/")
            return made[name]
        if node.op in _FRAME_OPS:
            raise ValueError(f"{fd.signature.name}: {node.op} node {name!r} is not part of a "
                             f"while loop frame tfteach recognises")
        attrs = {k: graph_io._attr_value(v) for k, v in node.attr.items()
                 if not k.startswith("_")}
        made[name] = graph_io.make_op(g, g.unique_name(prefix + name), node.op, inputs, attrs,
                                      control)
        return made[name]
    consumers = {}
    for n in fd.node_def:
        for r in n.input:
            consumers.setdefault(r.lstrip("^").split(":")[0], []).append(n.name)

    def loop(exit_name):
        """A TF1 loop frame (what tfteach's tf.function traces for tf.while_loop and
        AutoGraph loops, and saves as it traced them) rebuilt by control_flow_v1.while_loop:
        its cond and body are the frame's nodes between the Merges and the LoopCond, and
        between the Switches' true sides and the NextIterations; the tensors from outside
        it (its constant Enters' inputs) are captured again by the new frame."""
        from ..ops import array_ops, control_flow_v1
        src = lambda r: r.lstrip("^").split(":")[0]      # noqa: E731
        sw = nodes[src(nodes[exit_name].input[0])]
        merge0 = nodes[src(sw.input[0])]
        enter0 = nodes[src(merge0.input[0])]
        frame = enter0.attr["frame_name"].s
        enters = [n for n in fd.node_def if n.op in _ENTER_OPS and
                  n.attr["frame_name"].s == frame]
        loop_enters = [n for n in enters if not n.attr["is_constant"].b]
        const_enters = [n for n in enters if n.attr["is_constant"].b]
        merges, switches, nexts, exits = [], [], [], []
        for e in loop_enters:
            m = next(nodes[c] for c in consumers[e.name] if nodes[c].op in _MERGE_OPS)
            s_ = next(nodes[c] for c in consumers[m.name] if nodes[c].op in _SWITCH_OPS
                      and src(nodes[c].input[0]) == m.name)
            merges.append(m)
            switches.append(s_)
            nexts.append(nodes[src(m.input[1])])
            exits.append([nodes[c] for c in consumers.get(s_.name, ())
                          if nodes[c].op in ("Exit", "RefExit")])
        loop_cond = nodes[src(switches[0].input[1])]
        initial = [tensor(e.input[0]) for e in loop_enters]
        for e in const_enters:
            inside[(e.name, "output")] = tensor(e.input[0])
        parallel = enter0.attr["parallel_iterations"].i or 10
        members = _frame_members(nodes, consumers, enters, frame)

        def cond_fn(*values):
            for m, v in zip(merges, values):
                inside[(m.name, "output")] = v
            return tensor(loop_cond.input[0])

        def body_fn(*values):
            for s_, v in zip(switches, values):
                inside[(s_.name, "output_true")] = v
            outs = [tensor(n.input[0]) for n in nexts]
            # the frame runs every op in it: variable updates no loop value depends on
            # run each iteration too
            for n in members:
                if nodes[n].op in _STATEFUL_UPDATES:
                    build(n)
            for n in _updating_loops(nodes, consumers, frame):
                build(n)
            # what the saved NextIterations waited on (a gradient's stack pushes) still
            # runs before the next iteration
            ctl = [build(src(r)) for n in nexts for r in n.input if r.startswith("^")]
            ctl = [c for c in ctl if not isinstance(c, list)]
            if ctl:
                with g.control_dependencies(ctl):
                    outs = [array_ops.identity(o) for o in outs]
            return outs

        base = frame.decode() if isinstance(frame, bytes) else frame
        base = base[:-len("while_context")].rstrip("/") or "while"
        results = control_flow_v1.while_loop(
            cond_fn, body_fn, initial, parallel_iterations=parallel,
            shape_invariants=[_unknown_like(t) for t in initial],
            name=g.unique_name(prefix + base.split("/")[-1]), return_same_structure=True)
        for xs, r in zip(exits, results):
            for x in xs:
                made[x.name] = [r]

    # tfteach runs every op of a trace, so a loop that only updates variables ran before
    # what the function returns read them: rebuilt first, in the file's (creation) order
    for name in _updating_loops(nodes, consumers, None):
        build(name)
    outs = []
    for arg in fd.signature.output_arg:
        outs.append(tensor(fd.ret[arg.name]))
    for name in nodes:                 # stateful nodes no output depends on still run
        if nodes[name].op in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
            build(name)
    return outs


_ENTER_OPS = ("Enter", "RefEnter")
_MERGE_OPS = ("Merge", "RefMerge")
_SWITCH_OPS = ("Switch", "RefSwitch")
_FRAME_OPS = ("Enter", "RefEnter", "NextIteration", "RefNextIteration", "LoopCond")
_STATEFUL_UPDATES = ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp")


def _unknown_like(t):
    """A loop variable's invariant: any shape. A saved frame keeps no shape invariants, and
    the body's raw Merges (a cond's) know no shapes; TF's own import of such a frame has
    none either."""
    from ..framework.tensor_shape import unknown_shape
    return unknown_shape()


def _handle_root(op):
    """The variable handle (a function argument) a resource op reads or updates, through
    the Enters and Switches of loops and conds; None for other ops."""
    if not op._inputs or op._inputs[0].dtype.base_dtype != _dt.resource:
        return None
    if not (op._type == "ReadVariableOp" or op._type in _STATEFUL_UPDATES or
            op._type.startswith(("ResourceApply", "ResourceScatter"))):
        return None
    t = op._inputs[0]
    while t.op._type in ("Enter", "RefEnter", "Switch", "RefSwitch", "Identity"):
        t = t.op._inputs[0]
    return t


def _updating_loops(nodes, consumers, parent):
    """One Exit node of each loop directly inside frame `parent` (None: outside every loop)
    that updates a variable, in itself or a loop nested in it, in the file's order."""
    frames = {}
    for n in nodes.values():
        if n.op in _ENTER_OPS:
            frames.setdefault(n.attr["frame_name"].s, []).append(n)
    members = {f: _frame_members(nodes, consumers, es, f) for f, es in frames.items()}
    owner = {n: f for f, ms in members.items() for n in ms}
    out = []
    for f, es in frames.items():
        if not any(owner.get(e.input[0].split(":")[0]) == parent for e in es):
            continue
        mine = set(members[f])
        reach, stack = set(), [e.name for e in es]
        while stack:        # the frame and the loops nested in it, up to its own Exits
            n = stack.pop()
            if n in reach:
                continue
            reach.add(n)
            if not (nodes[n].op in ("Exit", "RefExit") and n in mine):
                stack.extend(consumers.get(n, ()))
        if any(nodes[n].op in _STATEFUL_UPDATES for n in reach):
            exits = [n for n in members[f] if nodes[n].op in ("Exit", "RefExit")]
            out.extend(exits[:1])
    return out


def _frame_members(nodes, consumers, enters, frame):
    """The names of a frame's own nodes (in creation order): those reached forward from its
    Enters, up to its Exits and not into a loop nested in it."""
    seen, stack = set(), [e.name for e in enters]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        node = nodes[n]
        if node.op in _ENTER_OPS and node.attr["frame_name"].s != frame:
            continue
        seen.add(n)
        if node.op in ("Exit", "RefExit"):
            continue
        stack.extend(consumers.get(n, ()))
    return [n for n in nodes if n in seen]


def _passes_through(fd, k):
    """Whether function `fd` returns its k-th argument unchanged (through Identity ops)."""
    arg = fd.signature.input_arg[k].name
    ref = fd.ret[fd.signature.output_arg[k].name]
    nodes = {n.name: n for n in fd.node_def}
    for _ in range(len(nodes) + 1):
        if ref == arg:
            return True
        node = nodes.get(ref.split(":")[0])
        if node is None or node.op != "Identity":
            return False
        ref = node.input[0]
    return False


def _while(g, node, inputs, library, prefix):
    """TF's `While`/`StatelessWhile` op (its loop state a list of tensors, its condition and
    body functions of the library) rebuilt as the TF1 loop frame that TF's own optimiser
    lowers it to before running (control_flow_v1.while_loop), as tfteach traces
    tf.while_loop. Arguments the body hands back unchanged (the tensors and variable
    handles TF threads through the loop) stay outside it, as values the loop reads."""
    from ..ops import control_flow_v1
    cond_fd = library[node.attr["cond"].func.name]
    body_fd = library[node.attr["body"].func.name]
    n = len(inputs)
    varying = [k for k in range(n) if not _passes_through(body_fd, k)]
    shapes = [graph_io._shape_of(sp) for sp in node.attr["output_shapes"].list.shape] \
        if "output_shapes" in node.attr else []

    def full(loop_values):
        values = list(inputs)
        for k, v in zip(varying, loop_values):
            values[k] = v
        return values

    def bind(fd, values):
        return {a.name: v for a, v in zip(fd.signature.input_arg, values)}

    def cond_fn(*loop_values):
        return _inline(g, cond_fd, bind(cond_fd, full(loop_values)), library,
                       prefix + "cond/")[0]

    def body_fn(*loop_values):
        outs = _inline(g, body_fd, bind(body_fd, full(loop_values)), library,
                       prefix + "body/")
        if len(shapes) == n:
            # what TF knew of each value's shape (a value read from a variable handle
            # inside the body has none here)
            for k in varying:
                outs[k].set_shape(shapes[k])
        return [outs[k] for k in varying]

    if not varying:
        return list(inputs)
    # what TF knew of a value entering the loop can exceed what tfteach's shape rules know
    # (a value shaped by a variable read through a captured handle): the invariant then
    # covers both
    invariants = [shapes[k].most_specific_compatible_shape(inputs[k].shape)
                  for k in varying] if len(shapes) == n else None
    parallel = node.attr["parallel_iterations"].i if "parallel_iterations" in node.attr \
        else 10
    out = control_flow_v1.while_loop(cond_fn, body_fn, [inputs[k] for k in varying],
                                     shape_invariants=invariants,
                                     parallel_iterations=parallel or 10,
                                     return_same_structure=True)
    return full(out)


def _if(g, node, inputs, library, prefix):
    """TF's `If`/`StatelessIf` op (a predicate, then the arguments both branch functions
    take) rebuilt as the Switch/Merge form TF lowers it to (control_flow_v1.cond), as
    tfteach traces tf.cond; only the chosen branch's ops run."""
    from ..ops import control_flow_v1
    pred, args = inputs[0], inputs[1:]
    shapes = [graph_io._shape_of(sp) for sp in node.attr["output_shapes"].list.shape] \
        if "output_shapes" in node.attr else []

    def branch(attr):
        fd = library[node.attr[attr].func.name]

        def run():
            env = {a.name: v for a, v in zip(fd.signature.input_arg, args)}
            outs = _inline(g, fd, env, library, f"{prefix}{attr}/")
            if not outs:
                raise ValueError(f"{node.name}: an `{node.op}` whose branches return "
                                 f"nothing is not imported by tfteach")
            return list(outs)
        return run
    out = control_flow_v1.cond(pred, branch("then_branch"), branch("else_branch"),
                               strict=True)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    if len(shapes) == len(out):
        for t, shape in zip(out, shapes):
            t.set_shape(shape)
    return out


def _concrete(name, library, sc, bound_vars):
    from ..eager.function import ConcreteFunction, FuncGraph
    from ..framework.op_def_library import apply_op
    fd = library[name]
    g = FuncGraph(name)
    n_bound = len(bound_vars)
    args = list(fd.signature.input_arg)
    regular, resources = args[:len(args) - n_bound], args[len(args) - n_bound:]
    specs = _arg_specs(sc.canonicalized_input_signature)
    by_name = {spec[2]: spec for spec in specs}
    if {a.name for a in regular} <= set(by_name):
        # keyword signatures: the flat spec order is the sorted keywords, which need not be
        # the FunctionDef's argument order (tfteach wrote arguments in call order)
        specs = [by_name[a.name] for a in regular]
    env, placeholders = {}, []
    with g.as_default():
        for i, a in enumerate(regular):
            shape = specs[i][0] if i < len(specs) else unknown_shape_of()
            ph = apply_op("Placeholder", [], {"dtype": _dt.as_dtype(a.type), "shape": shape},
                          name=a.name)[0]
            env[a.name] = ph
            placeholders.append(ph)
        g.inputs = list(placeholders)
        for a, var in zip(resources, bound_vars):
            env[a.name] = g.capture_variable(var)
        outs = _inline(g, fd, env, library, "")
        final = [apply_op("Identity", [t], name="Identity")[0] for t in outs]
    g.outputs = final
    structured = _structured(sc.output_signature, iter(final)) if sc.HasField(
        "output_signature") else final
    g.structured_outputs = structured
    return ConcreteFunction(g, placeholders, None, structured, final, name)


def unknown_shape_of():
    from ..framework.tensor_shape import unknown_shape
    return unknown_shape()


def load(export_dir, tags=None, options=None):
    """`tf.saved_model.load`: the objects of a SavedModel (written by TF or by tfteach), with
    their variables restored and their functions callable; ops tfteach lacks raise a clear
    error naming them."""
    from google.protobuf.message import DecodeError
    (function_pb2, meta_graph_pb2, saved_object_graph_pb2, struct_pb2, tog,
     saved_model_pb2) = _pb()
    from ..eager.variables import ResourceVariable
    from ..ops import load_all_ops
    # a fresh process that never built the ops by hand (the point of a SavedModel) has not
    # declared them yet: declare every op before rebuilding the functions' graphs
    load_all_ops()
    path = os.path.join(export_dir, "saved_model.pb")
    try:
        with open(path, "rb") as f:
            sm = saved_model_pb2.SavedModel.FromString(f.read())
    except FileNotFoundError:
        raise OSError(f"SavedModel file does not exist at: {export_dir}/{{saved_model.pbtxt|"
                      f"saved_model.pb}}") from None
    except DecodeError:
        raise errors.DataLossError(None, None, f"{path} is not a SavedModel") from None
    want = set([tags] if isinstance(tags, str) else tags or [SERVE])
    mgs = [m for m in sm.meta_graphs if set(m.meta_info_def.tags) == want] or \
        ([sm.meta_graphs[0]] if tags is None and len(sm.meta_graphs) == 1 else [])
    if not mgs:
        raise RuntimeError(f"MetaGraphDef associated with tags {sorted(want)} could not be "
                           f"found in SavedModel")
    mg = mgs[0]
    og = mg.object_graph_def
    library = {f.signature.name: f for f in mg.graph_def.library.function}
    ckpt_prefix = os.path.join(export_dir, "variables", "variables")
    values = _ckpt.read_tensors(ckpt_prefix) if os.path.exists(ckpt_prefix + ".index") else {}
    graph = tog.TrackableObjectGraph()
    if _ckpt.OBJECT_GRAPH_KEY in values:
        graph.ParseFromString(values[_ckpt.OBJECT_GRAPH_KEY][()])
    objects = [None] * len(og.nodes)
    for i, node in enumerate(og.nodes):
        kind = node.WhichOneof("kind")
        if kind == "variable":
            key = next((a.checkpoint_key for a in graph.nodes[i].attributes
                        if a.name == "VARIABLE_VALUE"), None) if i < len(graph.nodes) else None
            if key is None or key not in values:
                raise errors.NotFoundError(None, None, f"Variable {node.variable.name} of "
                                                       f"{export_dir} has no saved value")
            objects[i] = ResourceVariable(values[key], trainable=node.variable.trainable,
                                          name=node.variable.name or None)
        elif kind in ("user_object", "asset", None):
            objects[i] = _Loaded()
    for i, node in enumerate(og.nodes):
        kind = node.WhichOneof("kind")
        if kind == "function":
            cfs = [_concrete(n, library, og.concrete_functions[n],
                             [objects[b] for b in og.concrete_functions[n].bound_inputs])
                   for n in node.function.concrete_functions]
            objects[i] = _RestoredFunction(cfs, f"function_{i}")
        elif kind == "bare_concrete_function":
            b = node.bare_concrete_function
            sc = og.concrete_functions[b.concrete_function_name]
            cf = _concrete(b.concrete_function_name, library, sc,
                           [objects[j] for j in sc.bound_inputs])
            objects[i] = _Signature(cf, b.argument_keywords)
    for i, node in enumerate(og.nodes):
        obj = objects[i]
        if isinstance(obj, _Loaded):
            for c in node.children:
                child = objects[c.node_id]
                if node.user_object.identifier == "signature_map" or c.local_name == \
                        "signatures":
                    pass
                obj._add(c.local_name, child)
    def revive(i):
        obj = objects[i]
        ident = og.nodes[i].user_object.identifier
        if isinstance(obj, _Loaded) and ident == "trackable_list_wrapper":
            return [revive_child(c) for c in og.nodes[i].children]
        if isinstance(obj, _Loaded) and ident == "trackable_dict_wrapper":
            return {c.local_name: revive_child(c) for c in og.nodes[i].children}
        return obj

    def revive_child(c):
        return revive(c.node_id)
    for i, node in enumerate(og.nodes):
        obj = objects[i]
        if isinstance(obj, _Loaded):
            for name in obj._children_names:
                child = next(c for c in node.children if c.local_name == name)
                object.__setattr__(obj, name, revive(child.node_id))
    root = objects[0]
    sig = getattr(root, "signatures", None)
    if isinstance(sig, _Loaded):
        object.__setattr__(root, "signatures", {n: getattr(sig, n) for n in sig._children_names})
    elif sig is None:
        object.__setattr__(root, "signatures", {})
    return root


def export_keras(model, filepath, input_signature=None, verbose=True):
    """A Keras model as Keras 3 exports it: an object holding the model's variables
    (`variables`, `trainable_variables`, `non_trainable_variables`), a `serve` tf.function
    on the model's input spec (batch dimension free), and `serving_default` returning
    {"output_0": ...}."""
    from ..eager.function import Function, TensorSpec
    if input_signature is None:
        ins = model.inputs if model.inputs is not None else getattr(model, "_input_tensor", None)
        if ins is not None:
            ins = ins if isinstance(ins, (list, tuple)) else [ins]
            input_signature = [TensorSpec([None] + list(t.shape)[1:], t.dtype,
                                          name="keras_tensor" if i == 0 else
                                          f"keras_tensor_{i}") for i, t in enumerate(ins)]
        elif getattr(model, "_build_input_shape", None) is not None:
            shape = list(model._build_input_shape)
            input_signature = [TensorSpec([None] + shape[1:], "float32", name="keras_tensor")]
        else:
            raise ValueError("The model provided has never been called. It must be called at "
                             "least once before export.")
    holder = _ExportArchive(model)

    def serve(*args):
        return model(args[0] if len(args) == 1 else list(args), training=False)

    def serving_default(*args):
        out = serve(*args)
        if isinstance(out, dict):
            return out
        outs = out if isinstance(out, (list, tuple)) else [out]
        return {f"output_{i}": o for i, o in enumerate(outs)}
    holder.serve = Function(serve, name="serve", input_signature=input_signature)
    sig = Function(serving_default, name="serving_default", input_signature=input_signature)
    save(holder, filepath, signatures={"serving_default": sig})
    if verbose:
        cf = holder.serve.get_concrete_function()
        args = "\n".join(f"  args_{i} (POSITIONAL_ONLY): TensorSpec(shape="
                         f"{tuple(s.shape.as_list())}, dtype=tf.{s.dtype.name}, "
                         f"name='{s.name}')" for i, s in enumerate(input_signature))
        outs = "\n".join(f"  TensorSpec(shape={tuple(t.shape.as_list())}, "
                         f"dtype=tf.{t.dtype.name}, name=None)" for t in cf.outputs)
        print(f"Saved artifact at '{filepath}'. The following endpoints are available:\n\n"
              f"* Endpoint 'serve'\n{args}\nOutput Type:\n{outs}")


class _ExportArchive:
    """What Keras 3's export saves besides its endpoints: the model's variables, as lists."""

    def __init__(self, model):
        self.variables = list(model.variables)
        self.trainable_variables = list(model.trainable_variables)
        self.non_trainable_variables = list(model.non_trainable_variables)

    def _trackable_children(self):
        return {"variables": self.variables, "trainable_variables": self.trainable_variables,
                "non_trainable_variables": self.non_trainable_variables}


def show(export_dir):
    """What `saved_model_cli show --dir DIR --all` prints of a SavedModel's signatures (tags,
    each SignatureDef's inputs and outputs), as text; TF's own files and tfteach's alike."""
    (_f, _m, _s, _st, _t, saved_model_pb2) = _pb()
    from tensorboard.compat.proto import types_pb2
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as f:
        sm = saved_model_pb2.SavedModel.FromString(f.read())
    lines = []

    def shape(info):
        if info.tensor_shape.unknown_rank:
            return "unknown_rank"
        dims = [str(d.size) for d in info.tensor_shape.dim]
        return "(" + ", ".join(dims) + ")" if len(dims) != 1 else f"({dims[0]})"

    def infos(kind, table):
        lines.append(f"  The given SavedModel SignatureDef contains the following {kind}(s):")
        for key in sorted(table):
            info = table[key]
            lines.append(f"    {kind}s['{key}'] tensor_info:")
            lines.append(f"        dtype: {types_pb2.DataType.Name(info.dtype)}")
            lines.append(f"        shape: {shape(info)}")
            lines.append(f"        name: {info.name}")
    for mg in sm.meta_graphs:
        tags = ", ".join(mg.meta_info_def.tags)
        lines.append(f"MetaGraphDef with tag-set: '{tags}' contains the following "
                     f"SignatureDefs:")
        lines.append("")
        for key in sorted(mg.signature_def):
            sd = mg.signature_def[key]
            lines.append(f"signature_def['{key}']:")
            infos("input", sd.inputs)
            infos("output", sd.outputs)
            lines.append(f"  Method name is: {sd.method_name}")
            lines.append("")
    return "\n".join(lines)
