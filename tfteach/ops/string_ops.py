"""String tensors: `tf.strings.*`, `tf.as_string`, and `+` on strings (TF's `Add`).

A string tensor holds bytes (a NumPy object array of `bytes`); Python `str` values are
encoded as UTF-8 when converted, as TF does. The kernels are in `kernels/cpu/string.py`
(plain Python/NumPy: numba cannot compile object arrays). No string op is differentiable.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, broadcast_shapes, unknown_shape
from . import shape_rules

_S = _dt.string


def _join_shape(op):
    out = TensorShape([])
    for t in op.inputs:
        out = broadcast_shapes(out, t.shape)
        if out is None:
            raise op.shape_error("Input shapes do not match")
    return [out]


def _reduce_join_shape(op):
    x = op.inputs[0].shape
    axes = shape_rules.const_input(op, 1)
    if x.rank is None or axes is None:
        return [unknown_shape()]
    red = {int(a) % max(x.rank, 1) for a in np.reshape(axes, -1)}
    d = x.as_tuple()
    if op.get_attr("keep_dims"):
        return [TensorShape([1 if i in red else d[i] for i in range(x.rank)])]
    return [TensorShape([d[i] for i in range(x.rank) if i not in red])]


def _split_shapes(op):
    return [TensorShape([None, 2]), TensorShape([None]), TensorShape([2])]


_same = shape_rules.same_as_first
registry.register_op("StringJoin", inputs=(("*inputs", _S),), outputs=(("output", _S),),
                     shape=_join_shape, attr_defaults={"separator": ""},
                     doc="Joins strings element-wise (scalars broadcast) with a separator.")
registry.register_op("StringLength", inputs=(("input", _S),), outputs=(("output", _dt.int32),),
                     shape=_same, attr_defaults={"unit": "BYTE"},
                     doc="The length of each string in bytes or UTF-8 characters.")
for _t, _what in (("StringUpper", "upper"), ("StringLower", "lower")):
    registry.register_op(_t, inputs=(("input", _S),), outputs=(("output", _S),), shape=_same,
                         attr_defaults={"encoding": ""},
                         doc=f"Each string in {_what} case (ASCII, or UTF-8 with encoding).")
registry.register_op("StringStrip", inputs=(("input", _S),), outputs=(("output", _S),),
                     shape=_same, doc="Each string without leading and trailing whitespace.")
registry.register_op("Substr", inputs=(("input", _S), ("pos", "T"), ("len", "T")),
                     outputs=(("output", _S),), shape=lambda op: [op.inputs[0].shape],
                     attr_defaults={"unit": "BYTE"},
                     doc="The substring of `len` units starting at `pos` (negative: from the end).")
registry.register_op("StaticRegexReplace", inputs=(("input", _S),), outputs=(("output", _S),),
                     shape=_same, attr_defaults={"replace_global": True},
                     doc="Replaces matches of a pattern fixed when the graph is built.")
registry.register_op("RegexReplace", inputs=(("input", _S), ("pattern", _S), ("rewrite", _S)),
                     outputs=(("output", _S),), shape=lambda op: [op.inputs[0].shape],
                     attr_defaults={"replace_global": True},
                     doc="Replaces matches of a pattern given as a tensor.")
registry.register_op("StringToNumber", inputs=(("string_tensor", _S),),
                     outputs=(("output", "out_type"),), shape=_same,
                     doc="Parses each string as a number of `out_type`.")
registry.register_op("AsString", inputs=(("input", "T"),), outputs=(("output", _S),),
                     shape=_same,
                     attr_defaults={"precision": -1, "scientific": False, "shortest": False,
                                    "width": -1, "fill": ""},
                     doc="Formats each number or bool as a string (printf-style).")
registry.register_op("StringFormat", inputs=(("*inputs", "list:T"),), outputs=(("output", _S),),
                     shape=lambda op: [TensorShape([])],
                     attr_defaults={"template": "%s", "placeholder": "%s", "summarize": 3},
                     doc="Formats tensors into a template, each as tf.print shows it.")
registry.register_op("ReduceJoin", inputs=(("inputs", _S), ("reduction_indices", _dt.int32)),
                     outputs=(("output", _S),), shape=_reduce_join_shape,
                     attr_defaults={"keep_dims": False, "separator": ""},
                     doc="Joins the strings along the given axes.")
registry.register_op("StringSplitV2", inputs=(("input", _S), ("sep", _S)),
                     outputs=(("indices", _dt.int64), ("values", _S), ("shape", _dt.int64)),
                     shape=_split_shapes, attr_defaults={"maxsplit": -1},
                     doc="Splits each string of a vector; a SparseTensor's three parts.")
registry.register_op("StringSplit", inputs=(("input", _S), ("delimiter", _S)),
                     outputs=(("indices", _dt.int64), ("values", _S), ("shape", _dt.int64)),
                     shape=_split_shapes, attr_defaults={"skip_empty": True},
                     doc="Splits each string at any of the delimiter's characters (bytes "
                         "when empty).")
registry.register_op("DecodeRaw", inputs=(("bytes", _S),), outputs=(("output", "out_type"),),
                     shape=lambda op: [TensorShape(list(op.inputs[0].shape.as_tuple()) + [None])
                                       if op.inputs[0].shape.rank is not None
                                       else unknown_shape()],
                     attr_defaults={"little_endian": True},
                     doc="Reinterprets each string's bytes as numbers of out_type.")
registry.register_op("UnicodeDecode", inputs=(("input", _S),),
                     outputs=(("row_splits", "Tsplits"), ("char_values", _dt.int32)),
                     shape=lambda op: [TensorShape([None]), TensorShape([None])],
                     attr_defaults={"errors": "replace", "replacement_char": 65533,
                                    "replace_control_characters": False},
                     doc="The code points of each string: a ragged (row_splits, values) pair.")
registry.register_op("UnicodeEncode", inputs=(("input_values", _dt.int32),
                                              ("input_splits", "Tsplits")),
                     outputs=(("output", _S),), shape=lambda op: [TensorShape([None])],
                     attr_defaults={"errors": "replace", "replacement_char": 65533},
                     doc="Encodes each row of code points as one string.")
for _t in ("StringJoin", "StringLength", "StringUpper", "StringLower", "StringStrip", "Substr",
           "StaticRegexReplace", "RegexReplace", "StringToNumber", "AsString", "StringFormat",
           "ReduceJoin", "StringSplitV2", "StringSplit", "DecodeRaw", "UnicodeDecode",
           "UnicodeEncode"):
    registry.NotDifferentiable(_t)


def _strings(x, name="input"):
    t = _ops.convert_to_tensor(x, dtype=_S, name=name)
    return t


# --- constructors -------------------------------------------------------------------------

@registry.api("StringJoin")
def join(inputs, separator="", name=None):
    """Element-wise concatenation of string tensors (scalars broadcast)."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a list of string tensors")
    return apply_op("StringJoin", [[_strings(x, f"inputs_{i}") for i, x in enumerate(inputs)]],
                    {"separator": separator}, name=name or "StringJoin")[0]


string_join = join


@registry.api("StringLength")
def length(input, unit="BYTE", name=None):  # noqa: A002 - TF's name
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"Value for attr 'unit' of \"{unit}\" is not in the list of allowed "
                         f"values: \"BYTE\", \"UTF8_CHAR\"")
    return apply_op("StringLength", [_strings(input)], {"unit": unit},
                    name=name or "StringLength")[0]


@registry.api("StringUpper")
def upper(input, encoding="", name=None):  # noqa: A002
    return apply_op("StringUpper", [_strings(input)], {"encoding": encoding},
                    name=name or "StringUpper")[0]


@registry.api("StringLower")
def lower(input, encoding="", name=None):  # noqa: A002
    return apply_op("StringLower", [_strings(input)], {"encoding": encoding},
                    name=name or "StringLower")[0]


@registry.api("StringStrip")
def strip(input, name=None):  # noqa: A002
    return apply_op("StringStrip", [_strings(input)], name=name or "StringStrip")[0]


string_strip = strip


@registry.api("Substr")
def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """`len` bytes (or UTF-8 characters) from `pos`; a negative `pos` counts from the end."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"Value for attr 'unit' of \"{unit}\" is not in the list of allowed "
                         f"values: \"BYTE\", \"UTF8_CHAR\"")
    return apply_op("Substr", [_strings(input), pos, len], {"unit": unit},
                    name=name or "Substr")[0]


@registry.api("StaticRegexReplace")
@registry.api("RegexReplace")
def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Python-string pattern and rewrite: StaticRegexReplace (compiled once, as TF);
    tensors: RegexReplace."""
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        dec = (lambda v: v.decode() if isinstance(v, bytes) else v)
        return apply_op("StaticRegexReplace", [_strings(input)],
                        {"pattern": dec(pattern), "rewrite": dec(rewrite),
                         "replace_global": bool(replace_global)},
                        name=name or "StaticRegexReplace")[0]
    return apply_op("RegexReplace", [_strings(input), _strings(pattern, "pattern"),
                                     _strings(rewrite, "rewrite")],
                    {"replace_global": bool(replace_global)}, name=name or "RegexReplace")[0]


@registry.api("StringToNumber")
def to_number(input, out_type=_dt.float32, name=None):  # noqa: A002
    out_type = _dt.as_dtype(out_type)
    if out_type not in (_dt.float32, _dt.float64, _dt.int32, _dt.int64):
        raise TypeError(f"Value passed to parameter 'out_type' has DataType "
                        f"{out_type.name} not in list of allowed values: float32, float64, "
                        f"int32, int64")
    return apply_op("StringToNumber", [_strings(input, "string_tensor")],
                    {"out_type": out_type}, name=name or "StringToNumber")[0]


string_to_number = to_number

_AS_STRING_TYPES = ("float32", "float64", "int32", "uint8", "int16", "int8", "int64",
                    "bfloat16", "uint16", "float16", "uint32", "uint64", "complex64",
                    "complex128", "bool", "string")


@registry.api("AsString")
def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """Numbers and bools as strings: floats '%.6f' unless `precision`, `scientific` or
    `shortest` say otherwise; `width` pads with spaces or with `fill`."""
    x = _ops.convert_to_tensor(input, name="input")
    shape_rules.check_dtype("AsString", "input", x, _AS_STRING_TYPES)
    if scientific and shortest:
        from .. import errors
        raise errors.InvalidArgumentError(None, None,
                                          "Cannot select both scientific and shortest "
                                          "notation [Op:AsString]")
    return apply_op("AsString", [x], {"precision": int(precision),
                                      "scientific": bool(scientific),
                                      "shortest": bool(shortest), "width": int(width),
                                      "fill": fill}, name=name or "AsString")[0]


@registry.api("StringFormat")
def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """The template with each placeholder replaced by one tensor, as tf.print prints it."""
    if isinstance(inputs, (list, tuple)):
        items = list(inputs)
    else:
        items = [inputs]
    n = template.count(placeholder)
    if n != len(items):
        raise ValueError(f"The template expects {n} tensors, but the inputs only has "
                         f"{len(items)}. Please ensure the number of placeholders in "
                         f"template matches inputs length.")
    tensors = [_ops.convert_to_tensor(x) for x in items]
    return apply_op("StringFormat", [tensors], {"template": template,
                                                "placeholder": placeholder,
                                                "summarize": int(summarize)},
                    name=name or "StringFormat")[0]


@registry.api("ReduceJoin")
def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins the strings over `axis` (all axes when None)."""
    with _ops.name_scope(name, "ReduceJoin", [inputs, axis]) as scope:
        x = _strings(inputs, "inputs")
        if axis is None:
            rank = shape_rules.static_dims(x)
            if rank is None:
                from . import array_ops, math_ops
                axis = math_ops.range(0, array_ops.rank(x), 1)
            else:
                axis = np.arange(len(rank), dtype=np.int32)
        else:
            axis = np.asarray(axis, np.int32) if not _ops.is_symbolic(axis) and \
                not getattr(axis, "_is_eager", False) else axis
        return apply_op("ReduceJoin", [x, axis], {"keep_dims": bool(keepdims),
                                                  "separator": separator},
                        name="ReduceJoin")[0]


@registry.api("StringSplitV2")
def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits on `sep` (None: runs of whitespace). A scalar gives a vector; a vector of N
    strings a RaggedTensor of N rows."""
    with _ops.name_scope(name, "StringSplit", [input]) as scope:
        x = _strings(input)
        rank = x.shape.rank if hasattr(x.shape, "rank") else len(x.shape)
        if rank == 0:
            from . import array_ops
            x1 = array_ops.stack([x])
        elif rank == 1:
            x1 = x
        else:
            raise ValueError(f"input must have rank 0 or 1, got rank {rank}; tfteach splits "
                             f"scalars and vectors only")
        indices, values, shape = apply_op(
            "StringSplitV2", [x1, _strings(b"" if sep is None else sep, "sep")],
            {"maxsplit": int(maxsplit)}, name="StringSplit")
        from .ragged import ragged_tensor
        from . import array_ops
        rows = array_ops.strided_slice(indices, [0, 0], [0, 1], [1, 1], end_mask=1,
                                       shrink_axis_mask=2)
        rt = ragged_tensor.RaggedTensor.from_value_rowids(values, rows, nrows=shape[0],
                                                          validate=False)
        if rank == 0:
            return rt[0]
        return rt



def _ragged_from_split(indices, values, shape, scalar):
    from .ragged import ragged_tensor
    from . import array_ops
    rows = array_ops.strided_slice(indices, [0, 0], [0, 1], [1, 1], end_mask=1,
                                   shrink_axis_mask=2)
    rt = ragged_tensor.RaggedTensor.from_value_rowids(values, rows, nrows=shape[0],
                                                      validate=False)
    return rt[0] if scalar else rt


@registry.api("StringSplit")
def bytes_split(input, name=None):  # noqa: A002
    """Each string's bytes as one-byte strings (a vector for a scalar, ragged rows for a
    vector), with TF's StringSplit and an empty delimiter."""
    with _ops.name_scope(name, "BytesSplit", [input]):
        x = _strings(input)
        rank = x.shape.rank
        if rank not in (0, 1):
            raise ValueError("tfteach's bytes_split takes a scalar or a vector")
        from . import array_ops
        x1 = array_ops.stack([x]) if rank == 0 else x
        indices, values, shape = apply_op("StringSplit", [x1, b""], {"skip_empty": False},
                                          name="StringSplit")
        return _ragged_from_split(indices, values, shape, rank == 0)


@registry.api("DecodeRaw")
def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    if fixed_length is not None:
        raise NotImplementedError("tfteach's decode_raw has no fixed_length")
    return apply_op("DecodeRaw", [_strings(input_bytes, "bytes")],
                    {"out_type": _dt.as_dtype(out_type), "little_endian": bool(little_endian)},
                    name=name or "DecodeRaw")[0]


_ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")


def _decode(input, input_encoding, errors, replacement_char):  # noqa: A002
    if input_encoding not in _ENCODINGS:
        raise ValueError(f"tfteach decodes {', '.join(_ENCODINGS)}, not {input_encoding}")
    x = _strings(input)
    rank = x.shape.rank
    if rank not in (0, 1):
        raise ValueError("tfteach's unicode ops take a scalar or a vector")
    from . import array_ops
    x1 = array_ops.reshape(x, [-1])
    splits, chars = apply_op("UnicodeDecode", [x1],
                             {"input_encoding": input_encoding, "errors": errors,
                              "replacement_char": int(replacement_char),
                              "replace_control_characters": False, "Tsplits": _dt.int64},
                             name="UnicodeDecode")
    return splits, chars, rank == 0


@registry.api("UnicodeDecode")
def unicode_decode(input, input_encoding, errors="replace",  # noqa: A002
                   replacement_char=65533, replace_control_characters=False, name=None):
    """The code points of a string (a vector), or of each string of a vector (ragged)."""
    with _ops.name_scope(name, "UnicodeDecode", [input]):
        splits, chars, scalar = _decode(input, input_encoding, errors, replacement_char)
        if scalar:
            return chars
        from .ragged import ragged_tensor
        return ragged_tensor.RaggedTensor.from_row_splits(chars, splits, validate=False)


@registry.api("UnicodeEncode")
def unicode_encode(input, output_encoding, errors="replace",  # noqa: A002
                   replacement_char=65533, name=None):
    """Code points back to strings: a vector to one string, ragged rows to a vector."""
    with _ops.name_scope(name, "UnicodeEncode", [input]):
        from .ragged import ragged_tensor
        from . import math_ops
        if isinstance(input, ragged_tensor.RaggedTensor):
            values, splits, scalar = input.flat_values, input.row_splits, False
        else:
            values = _ops.convert_to_tensor(input, dtype=_dt.int32)
            n = math_ops.cast(array_ops_shape(values)[0], _dt.int64)
            from . import array_ops
            splits = array_ops.stack([np.int64(0), n])
            scalar = True
        out = apply_op("UnicodeEncode", [values, splits],
                       {"output_encoding": output_encoding, "errors": errors,
                        "replacement_char": int(replacement_char)}, name="UnicodeEncode")[0]
        return out[0] if scalar else out


def array_ops_shape(t):
    from . import array_ops
    return array_ops.shape(t, out_type=_dt.int64)


def unicode_split(input, input_encoding, errors="replace",  # noqa: A002
                  replacement_char=65533, name=None):
    """Each character of a string as its own (encoded) string."""
    with _ops.name_scope(name, "UnicodeSplit", [input]):
        splits, chars, scalar = _decode(input, input_encoding, errors, replacement_char)
        from . import math_ops
        n = array_ops_shape(chars)[0]
        each = math_ops.range(np.int64(0), n + 1, np.int64(1))
        pieces = apply_op("UnicodeEncode", [chars, each],
                          {"output_encoding": input_encoding, "errors": errors,
                           "replacement_char": int(replacement_char)},
                          name="UnicodeEncode")[0]
        if scalar:
            return pieces
        from .ragged import ragged_tensor
        return ragged_tensor.RaggedTensor.from_row_splits(pieces, splits, validate=False)


# --- web-safe base64 (tf.io.encode_base64 / decode_base64) -----------------------------------

registry.register_op("EncodeBase64", inputs=(("input", _S),), outputs=(("output", _S),),
                     shape=shape_rules.same_as_first, attr_defaults={"pad": False},
                     doc="Each string in web-safe base64 ('-' and '_'), '=' padding optional.")
registry.register_op("DecodeBase64", inputs=(("input", _S),), outputs=(("output", _S),),
                     shape=shape_rules.same_as_first,
                     doc="Each web-safe base64 string decoded (with or without padding).")
registry.NotDifferentiable("EncodeBase64")
registry.NotDifferentiable("DecodeBase64")


@registry.api("EncodeBase64")
def encode_base64(input, pad=False, name=None):  # noqa: A002 - TF's parameter name
    """Web-safe base64 of each string (RFC 4648 section 5); `pad` adds '=' padding."""
    input = _ops.convert_to_tensor(input, dtype=_S, name="input")
    return apply_op("EncodeBase64", [input], {"pad": bool(pad)},
                    name=name or "EncodeBase64")[0]


@registry.api("DecodeBase64")
def decode_base64(input, name=None):  # noqa: A002 - TF's parameter name
    """Each web-safe base64 string decoded; InvalidArgumentError for bad input."""
    input = _ops.convert_to_tensor(input, dtype=_S, name="input")
    return apply_op("DecodeBase64", [input], {}, name=name or "DecodeBase64")[0]


# --- hashing strings to buckets, n-grams -----------------------------------------------------

for _t, _what in (("StringToHashBucketFast", "FarmHash Fingerprint64"),
                  ("StringToHashBucketStrong", "SipHash-2-4 under `key`"),
                  ("StringToHashBucket", "TF's legacy seeded Hash64")):
    registry.register_op(_t, inputs=((("string_tensor" if _t == "StringToHashBucket"
                                       else "input"), _S),),
                         outputs=(("output", _dt.int64),), shape=shape_rules.same_as_first,
                         minimum={"num_buckets": 1},
                         doc=f"Each string's bucket: its {_what} modulo num_buckets.")
    registry.NotDifferentiable(_t)


def _ngrams_shapes(op):
    splits = op.inputs[1].shape
    return [TensorShape([None]), splits if splits.rank == 1 else TensorShape([None])]


registry.register_op("StringNGrams", inputs=(("data", _S), ("data_splits", "Tsplits")),
                     outputs=(("ngrams", _S), ("ngrams_splits", "Tsplits")),
                     shape=_ngrams_shapes,
                     doc="The n-grams of each row of a ragged (values, splits) pair of "
                         "strings, widths in the order given.")
registry.NotDifferentiable("StringNGrams")


def _hash_input(input, name="input"):  # noqa: A002
    # a tensor goes to the op as it is: a non-string one is the op's own dtype error
    if isinstance(input, _ops.Tensor):
        return input
    return _ops.convert_to_tensor(input, dtype=_S, name=name)


@registry.api("StringToHashBucketFast")
def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002 - TF's names
    """Each string's bucket in [0, num_buckets): FarmHash's Fingerprint64 modulo
    num_buckets, the same number on every machine and in every TF version."""
    return apply_op("StringToHashBucketFast", [_hash_input(input)],
                    {"num_buckets": int(num_buckets)},
                    name=name or "StringToHashBucketFast")[0]


string_to_hash_bucket_fast = to_hash_bucket_fast


@registry.api("StringToHashBucketStrong")
def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Each string's bucket from SipHash-2-4 keyed by `key` (two ints): slower than
    to_hash_bucket_fast, and hard to steer without the key."""
    if not isinstance(key, (list, tuple)) or len(key) != 2:
        from .. import errors
        raise errors.InvalidArgumentError(None, None, "Key must have 2 elements "
                                          "[Op:StringToHashBucketStrong]")
    return apply_op("StringToHashBucketStrong", [_hash_input(input)],
                    {"num_buckets": int(num_buckets), "key": [int(k) for k in key]},
                    name=name or "StringToHashBucketStrong")[0]


string_to_hash_bucket_strong = to_hash_bucket_strong


@registry.api("StringToHashBucket")
def to_hash_bucket(input, num_buckets, name=None):  # noqa: A002
    """TF's legacy hashing (its own Hash64): kept for old graphs; prefer _fast."""
    return apply_op("StringToHashBucket", [_hash_input(input, "string_tensor")],
                    {"num_buckets": int(num_buckets)},
                    name=name or "StringToHashBucket")[0]


def string_to_hash_bucket(string_tensor=None, num_buckets=None, name=None,
                          input=None):  # noqa: A002
    """tf.compat.v1.string_to_hash_bucket (its first argument was `string_tensor`; `input`
    is its newer name)."""
    if input is not None:
        if string_tensor is not None:
            raise ValueError("Cannot specify both 'string_tensor' and 'input'.")
        string_tensor = input
    return to_hash_bucket(string_tensor, num_buckets, name=name)


def _is_text(v):
    return isinstance(v, (str, bytes))


@registry.api("StringNGrams")
def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """The n-grams of the innermost dimension of `data` (a dense or ragged tensor of
    strings), each the items joined by `separator`; a tuple of widths gives all of each
    row's n-grams of the first width, then of the second, .... `pad_values` (one string, or
    a (left, right) pair) pads each row by `padding_width` items (default: width - 1)."""
    if pad_values is None:
        left_pad = right_pad = ""
    elif isinstance(pad_values, (list, tuple)):
        if not (_is_text(pad_values[0]) and _is_text(pad_values[1])):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left_pad, right_pad = pad_values
    else:
        if not _is_text(pad_values):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left_pad = right_pad = pad_values
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
    with _ops.name_scope(name, "StringNGrams", [data]):
        from .ragged import ragged_tensor
        from . import array_ops
        RT = ragged_tensor.RaggedTensor
        if not isinstance(data, RT):
            data = _strings(data, "data")
            rank = data.shape.rank
            if rank is None:
                raise ValueError("Rank of data must be known.")
            if rank == 0:
                raise ValueError("Data must have rank>0")
        for w in widths:
            if w < 1:
                raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
        pad = 0 if pad_values is None else (-1 if padding_width is None else int(padding_width))
        attrs = {"separator": separator, "ngram_widths": [int(w) for w in widths],
                 "left_pad": left_pad, "right_pad": right_pad, "pad_width": pad,
                 "preserve_short_sequences": bool(preserve_short_sequences)}

        def run(values, splits):
            return apply_op("StringNGrams", [values, splits], attrs, name="StringNGrams")

        if isinstance(data, RT):
            return _ragged_ngrams(data, run)
        # a dense tensor: each row of its last axis is one sequence, and the result keeps
        # the leading dimensions
        from . import math_ops
        shape = array_ops.shape(data, out_type=_dt.int64)
        flat = array_ops.reshape(data, [-1])
        rows = math_ops.reduce_prod(shape[:-1])
        splits = math_ops.range(np.int64(0), rows + 1, np.int64(1)) * shape[-1]
        out, _ = run(flat, splits)
        dense_shape = array_ops.concat([shape[:-1], np.array([-1], np.int64)], 0)
        return array_ops.reshape(out, dense_shape)


def _ragged_ngrams(rt, run):
    from .ragged import ragged_tensor
    if isinstance(rt.values, ragged_tensor.RaggedTensor):
        return rt.with_values(_ragged_ngrams(rt.values, run))
    out, splits = run(rt.values, rt.row_splits)
    return ragged_tensor.RaggedTensor.from_row_splits(out, splits, validate=False)


def string_split_v1(source, sep=None, skip_empty=True, delimiter=None,
                    result_type="SparseTensor", name=None):
    """TF1's `tf.string_split`: each string of the vector `source` split at every
    character of `sep` (a space by default; "" splits into bytes), as a SparseTensor (or a
    RaggedTensor) of shape [len(source), most tokens]."""
    from .sparse_ops import SparseTensor
    if sep is not None and delimiter is not None:
        raise ValueError("Cannot specify both 'delimiter' and 'sep'.")
    sep = delimiter if sep is None else sep
    with _ops.name_scope(name, "StringSplit", [source]):
        d = _ops.convert_to_tensor(" " if sep is None else sep, dtype=_dt.string)
        src = _ops.convert_to_tensor(source, dtype=_dt.string)
        indices, values, shape = apply_op("StringSplit", [src, d],
                                          {"skip_empty": bool(skip_empty)},
                                          name="StringSplit")
        indices.set_shape([None, 2])
        values.set_shape([None])
        shape.set_shape([2])
        sp = SparseTensor(indices, values, shape)
        if result_type == "SparseTensor":
            return sp
        if result_type == "RaggedTensor":
            from .ragged import ragged_tensor
            return ragged_tensor.RaggedTensor.from_sparse(sp)
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")
