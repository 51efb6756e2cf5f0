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


# --- CSV records (tf.io.decode_csv) ---------------------------------------------------------

def _decode_csv_shape(op):
    return [op.inputs[0].shape] * (len(op.inputs) - 1)


registry.register_op("DecodeCSV", inputs=(("records", _dt.string),
                                          ("*record_defaults", "list:OUT_TYPE")),
                     outputs=lambda attrs: [("output", d) for d in attrs["OUT_TYPE"]],
                     shape=_decode_csv_shape,
                     attr_defaults={"field_delim": ",", "use_quote_delim": True,
                                    "na_value": "", "select_cols": []},
                     doc="Each CSV record split into its columns, one tensor per column.")
registry.NotDifferentiable("DecodeCSV")

_CSV_TYPES = (_dt.float32, _dt.float64, _dt.int32, _dt.int64, _dt.string)


@registry.api("DecodeCSV")
def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """One tensor per column of the CSV `records` (any shape): each column's dtype and
    default (an empty default makes the column required) come from `record_defaults`;
    quoted fields ("a,b", with "" for a quote) when `use_quote_delim`."""
    if select_cols is not None and any(select_cols[i] >= select_cols[i + 1]
                                       for i in range(len(select_cols) - 1)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and select_cols and select_cols[0] < 0:
        raise ValueError("select_cols contains negative values.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    with _ops.name_scope(name, "DecodeCSV", [records, record_defaults]) as scope:
        records = _ops.convert_to_tensor(records, dtype=_dt.string, name="records")
        defaults = [_ops.convert_to_tensor(d, name=f"record_defaults_{i}")
                    for i, d in enumerate(record_defaults)]
        types = [d.dtype.base_dtype for d in defaults]
        for t in types:
            if t not in _CSV_TYPES:
                from .. import errors
                raise errors.InvalidArgumentError(
                    None, None, f"Value for attr 'OUT_TYPE' of {t.name} is not in the list of "
                                "allowed values: float, double, int32, int64, string")
        attrs = {"OUT_TYPE": types, "field_delim": field_delim,
                 "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
                 "select_cols": list(select_cols or [])}
        return list(apply_op("DecodeCSV", [records, defaults], attrs, name=scope))
