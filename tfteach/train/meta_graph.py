"""MetaGraphDefs (`.meta` files, `tf.train.export_meta_graph` / `import_meta_graph`) in
TensorFlow's format: the GraphDef, the Saver's SaverDef and the graph's collections, so a
graph built in tfteach is rebuilt and restored by TF, and the reverse.

Collections travel as TF writes them: variables as VariableDef messages, tensors and
operations by name, numbers and strings as they are. Nothing in a file is executed.
"""
import os

from .. import errors
from ..framework import graph_io
from ..framework import ops as _ops

_VARIABLE_COLLECTIONS = ("variables", "trainable_variables", "local_variables",
                         "model_variables", "moving_average_variables")


def _pb():
    try:
        from tensorboard.compat.proto import meta_graph_pb2, saver_pb2
    except ImportError:
        raise ImportError("MetaGraphDefs need tensorboard's copies of TF's messages: "
                          "pip install 'tfteach[formats]'") from None
    return meta_graph_pb2, saver_pb2


def saver_def(filename_tensor, save_tensor, restore_op, max_to_keep, keep_every_n_hours):
    _, saver_pb2 = _pb()
    return saver_pb2.SaverDef(filename_tensor_name=filename_tensor.name,
                              save_tensor_name=save_tensor.name,
                              restore_op_name=restore_op.name, max_to_keep=max_to_keep,
                              keep_checkpoint_every_n_hours=keep_every_n_hours,
                              version=saver_pb2.SaverDef.V2)


def _collection(meta, key, values, export_scope):
    col = meta.collection_def[key]
    items = list(values)
    if all(hasattr(v, "to_proto") for v in items):
        col.bytes_list.value.extend(v.to_proto(export_scope).SerializeToString()
                                    for v in items)
    elif all(isinstance(v, (_ops.Tensor, _ops.Operation)) for v in items):
        col.node_list.value.extend(v.name for v in items)
    elif all(isinstance(v, bool) for v in items) or not all(
            isinstance(v, (int, float, str, bytes)) for v in items):
        del meta.collection_def[key]          # no message form (TF skips these too)
    elif all(isinstance(v, int) for v in items):
        col.int64_list.value.extend(items)
    elif all(isinstance(v, (int, float)) for v in items):
        col.float_list.value.extend(float(v) for v in items)
    else:
        col.bytes_list.value.extend(v if isinstance(v, bytes) else str(v).encode()
                                    for v in items)


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """The graph (default: the default graph) as a MetaGraphDef; written to `filename`
    (binary, or protobuf text with `as_text`) when given."""
    meta_graph_pb2, _ = _pb()
    graph = graph or _ops.get_default_graph()
    meta = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    meta.meta_info_def.tensorflow_version = "2.21.0"
    meta.meta_info_def.tensorflow_git_version = "tfteach"
    meta.graph_def.CopyFrom(graph_def if graph_def is not None and hasattr(
        graph_def, "SerializeToString") else graph_io.graph_def_proto(graph))
    if clear_devices:
        for node in meta.graph_def.node:
            node.device = ""
    if saver_def is not None:
        meta.saver_def.CopyFrom(saver_def)
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in sorted(keys):
        values = graph.get_collection(key)
        if values:
            _collection(meta, key, values, export_scope)
    if filename:
        from google.protobuf import text_format
        data = text_format.MessageToString(meta).encode() if as_text else \
            meta.SerializeToString()
        tmp = f"{filename}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, filename)
    return meta


def read_meta_graph_file(filename):
    meta_graph_pb2, _ = _pb()
    from google.protobuf import text_format
    from google.protobuf.message import DecodeError
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise OSError(f"File {filename} does not exist.") from None
    meta = meta_graph_pb2.MetaGraphDef()
    try:
        meta.ParseFromString(data)
        return meta
    except DecodeError:
        pass
    try:
        return text_format.Parse(data.decode(), meta_graph_pb2.MetaGraphDef())
    except (text_format.ParseError, UnicodeDecodeError):
        raise errors.DataLossError(None, None, f"Unable to read meta graph {filename}: not a "
                                               f"MetaGraphDef (binary or text)") from None


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Rebuilds a MetaGraphDef's graph in the default graph, with its collections (variables
    as Variable objects over the imported ops); returns a Saver built from its SaverDef, or
    None when it has no variables to save (as TF)."""
    from ..ops import variables as _variables
    from .saver import Saver
    meta = meta_graph_or_file
    if isinstance(meta, (str, os.PathLike)):
        meta = read_meta_graph_file(os.fspath(meta))
    gd = meta.graph_def
    if clear_devices:
        gd = type(gd)()
        gd.CopyFrom(meta.graph_def)
        for node in gd.node:
            node.device = ""
    from ..ops import load_all_ops
    load_all_ops()      # the graph's op types, in a process that never built them by hand
    graph_io.import_graph_def(gd, name=import_scope or "")
    g = _ops.get_default_graph()
    made = {}
    for key in sorted(meta.collection_def):
        col = meta.collection_def[key]
        kind = col.WhichOneof("kind")
        if kind == "bytes_list" and key in _VARIABLE_COLLECTIONS:
            from tensorboard.compat.proto import variable_pb2
            for raw in col.bytes_list.value:
                vd = variable_pb2.VariableDef.FromString(raw)
                v = made.get(vd.variable_name)
                if v is None:
                    v = made[vd.variable_name] = _variables.RefVariable(
                        variable_def=vd, import_scope=import_scope)
                g.add_to_collection(key, v)
        elif kind == "node_list":
            for name in col.node_list.value:
                full = f"{import_scope}/{name}" if import_scope else name
                g.add_to_collection(key, g.as_graph_element(full))
        elif kind in ("int64_list", "float_list", "bytes_list"):
            for value in getattr(col, kind).value:
                g.add_to_collection(key, value)
    if not made:
        return None
    sd = meta.saver_def if meta.HasField("saver_def") else None
    return Saver(list(made.values()), saver_def=sd,
                 max_to_keep=sd.max_to_keep if sd is not None and sd.max_to_keep else 5)
