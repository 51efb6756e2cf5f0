"""The io family (TF's `io_ops`): the ops that write and read checkpoints, and whole-file
reads and writes as string tensors (`tf.io.read_file`, `tf.io.write_file`).

`tf.train.Saver` (tfteach/train/saver.py) builds SaveV2/RestoreV2; their CPU kernels and the
checkpoint file format live in tfteach/kernels/cpu/io.py, with ReadFile's and WriteFile's.
ReadFile and WriteFile touch the file system, so both are stateful: never folded into
constants, and run again at every `Session.run`.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape

# The save and restore ops a graph-mode Saver adds (`save/SaveV2`, `save/RestoreV2`): the
# session runs them, so saving reads every variable in one consistent run and a failed
# restore changes nothing (the run rolls back its Assigns).
registry.register_op("SaveV2", inputs=(("prefix", _dt.string), ("tensor_names", _dt.string),
                                       ("shape_and_slices", _dt.string), ("*tensors", "T")),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Writes named tensors to a checkpoint (index + data files).")
registry.register_op("RestoreV2", inputs=(("prefix", _dt.string),
                                          ("tensor_names", _dt.string),
                                          ("shape_and_slices", _dt.string)),
                     outputs=lambda attrs: [("tensors", d) for d in attrs["dtypes"]],
                     shape=lambda op: [unknown_shape()] * len(op.get_attr("dtypes")),
                     stateful=True, doc="Reads named tensors back from a checkpoint.")
registry.NotDifferentiable("SaveV2")
registry.NotDifferentiable("RestoreV2")


registry.register_op("ReadFile", inputs=(("filename", _dt.string),),
                     outputs=(("contents", _dt.string),), shape=lambda op: [TensorShape([])],
                     stateful=True, doc="The bytes of a whole file, as a scalar string.")
registry.register_op("WriteFile", inputs=(("filename", _dt.string), ("contents", _dt.string)),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Writes a scalar string to a file, creating missing directories.")
registry.NotDifferentiable("ReadFile")
registry.NotDifferentiable("WriteFile")


@registry.api("ReadFile")
def read_file(filename, name=None):
    filename = _ops.convert_to_tensor(filename, dtype=_dt.string, name="filename")
    return apply_op("ReadFile", [filename], name=name or "ReadFile")[0]


@registry.api("WriteFile")
def write_file(filename, contents, name=None):
    """Eagerly writes at once and returns None; in a graph returns the WriteFile op."""
    with _ops.name_scope(name, "WriteFile", [filename, contents]) as scope:
        filename = _ops.convert_to_tensor(filename, dtype=_dt.string, name="filename")
        contents = _ops.convert_to_tensor(contents, dtype=_dt.string, name="contents")
        if not (_ops.is_symbolic(filename) or _ops.is_symbolic(contents)):
            apply_op("WriteFile", [filename, contents], name=scope)
            return None
        g = filename.graph if _ops.is_symbolic(filename) else contents.graph
        # an op without outputs: created directly so that the caller gets the Operation
        return g._create_op(registry.get("WriteFile"), [filename, contents], {}, [], [],
                            scope)


# --- tensors as TensorProto bytes (tf.io.serialize_tensor / parse_tensor) --------------------

registry.register_op("SerializeTensor", inputs=(("tensor", "T"),),
                     outputs=(("serialized", _dt.string),),
                     shape=lambda op: [TensorShape([])],
                     doc="A tensor as the bytes of TF's TensorProto message.")
registry.register_op("ParseTensor", inputs=(("serialized", _dt.string),),
                     outputs=(("output", "out_type"),),
                     shape=lambda op: [unknown_shape()],
                     doc="The tensor a serialized TensorProto holds (its dtype must be out_type).")
registry.NotDifferentiable("SerializeTensor")
registry.NotDifferentiable("ParseTensor")


@registry.api("SerializeTensor")
def serialize_tensor(tensor, name=None):
    """The bytes of TF's TensorProto for `tensor` (dtype, shape, then the little-endian
    values in tensor_content, or string_val for strings): byte for byte TF's."""
    return apply_op("SerializeTensor", [tensor], {}, name=name or "SerializeTensor")[0]


@registry.api("ParseTensor")
def parse_tensor(serialized, out_type, name=None):
    """The tensor a serialized TensorProto holds; InvalidArgumentError when its dtype is not
    `out_type` or the bytes are not a TensorProto."""
    serialized = _ops.convert_to_tensor(serialized, dtype=_dt.string, name="serialized")
    return apply_op("ParseTensor", [serialized], {"out_type": _dt.as_dtype(out_type)},
                    name=name or "ParseTensor")[0]


registry.register_op("MatchingFiles", inputs=(("pattern", _dt.string),),
                     outputs=(("filenames", _dt.string),),
                     shape=lambda op: [TensorShape([None])], stateful=False,
                     doc="The file names matching glob patterns, each pattern's sorted.")
registry.NotDifferentiable("MatchingFiles")


@registry.api("MatchingFiles")
def matching_files(pattern, name=None):
    """A 1-D string tensor of the files matching `pattern` (a scalar or a vector of glob
    patterns): each pattern's matches sorted, in the patterns' order."""
    pattern = _ops.convert_to_tensor(pattern, dtype=_dt.string, name="pattern")
    return apply_op("MatchingFiles", [pattern], {}, name=name or "MatchingFiles")[0]
