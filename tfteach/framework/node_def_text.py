"""`str(op)` / `str(op.node_def)`: a NodeDef in protobuf text format, as TF prints it.

    name: "add"
    op: "AddV2"
    input: "Const"
    input: "add/y"
    attr {
      key: "T"
      value {
        type: DT_FLOAT
      }
    }

Numbers follow protobuf's C++ text printer: floats with 6 significant digits when that reads
back as the same float32, else 9 (`3.14`, `123456792`); doubles with 15, else 17. Tensors of
more than one element of a fixed-size numeric type are printed as `tensor_content` (their
raw little-endian bytes, C-escaped), other values as repeated `*_val` fields.

Attr order: TF prints attrs in the iteration order of the protobuf map that holds them, which
is a hash order; tfteach prints them in the order the op was built with.
"""
import math

import numpy as np

from . import dtypes as _dt
from .tensor_shape import TensorShape

__all__ = ["node_def_to_text", "attr_value_lines", "tensor_lines", "dtype_enum",
           "c_escape"]

_ENUM = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF", "bfloat16": "BFLOAT16",
         "bool": "BOOL", "string": "STRING", "complex64": "COMPLEX64",
         "complex128": "COMPLEX128"}
# dtypes whose tensors of several elements TF stores as raw bytes (tensor_content)
_CONTENT = {"float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64",
            "uint8", "uint16", "uint32", "uint64", "qint8", "quint8", "qint16", "quint16",
            "qint32"}
_VAL_FIELD = {"float32": "float_val", "float64": "double_val", "float16": "half_val",
              "bfloat16": "half_val", "int8": "int_val", "int16": "int_val",
              "int32": "int_val", "uint8": "int_val", "uint16": "int_val",
              "qint8": "int_val", "quint8": "int_val", "qint16": "int_val",
              "quint16": "int_val", "qint32": "int_val", "int64": "int64_val",
              "uint32": "uint32_val", "uint64": "uint64_val", "bool": "bool_val",
              "string": "string_val", "complex64": "scomplex_val",
              "complex128": "dcomplex_val"}


def dtype_enum(dtype):
    """DType -> TF's DataType enum name: float32 -> DT_FLOAT, int32_ref -> DT_INT32_REF."""
    dtype = _dt.as_dtype(dtype)
    base = dtype.base_dtype.name
    name = "DT_" + _ENUM.get(base, base.upper())
    return name + "_REF" if dtype.is_ref_dtype else name


def c_escape(data):
    """Protobuf's CEscape of bytes: printable ASCII as is, the rest as 3-digit octal."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = []
    for b in data:
        if b == 0x0A:
            out.append("\\n")
        elif b == 0x0D:
            out.append("\\r")
        elif b == 0x09:
            out.append("\\t")
        elif b == 0x22:
            out.append('\\"')
        elif b == 0x27:
            out.append("\\'")
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def _fmt_float(x, single):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    short, full = (6, 9) if single else (15, 17)
    s = f"{x:.{short}g}"
    back = float(np.float32(s)) if single else float(s)
    if back != (float(np.float32(x)) if single else x):
        s = f"{x:.{full}g}"
    return s


def _scalar_text(v, base):
    if base == "bool":
        return "true" if bool(v) else "false"
    if base == "string":
        return f'"{c_escape(v if isinstance(v, (bytes, str)) else str(v))}"'
    if base in ("float32",):
        return _fmt_float(v, True)
    if base == "float64":
        return _fmt_float(v, False)
    if base in ("float16", "bfloat16"):
        return str(int(np.asarray(v, np.float16).view(np.uint16)))
    return str(int(v))


def _shape_lines(shape, indent):
    pad = " " * indent
    if shape is None or (isinstance(shape, TensorShape) and shape.rank is None):
        return [f"{pad}  unknown_rank: true"]
    dims = shape.as_tuple() if isinstance(shape, TensorShape) else tuple(shape)
    lines = []
    for d in dims:
        lines += [f"{pad}  dim {{", f"{pad}    size: {-1 if d is None else int(d)}",
                  f"{pad}  }}"]
    return lines


def tensor_lines(arr, dtype, indent):
    """The body of a TensorProto (without the enclosing `tensor {`)."""
    pad = " " * indent
    dtype = _dt.as_dtype(dtype).base_dtype
    base = dtype.name
    arr = np.asarray(arr) if base != "string" else np.asarray(arr, dtype=object)
    lines = [f"{pad}dtype: {dtype_enum(dtype)}", f"{pad}tensor_shape {{"]
    lines += _shape_lines(TensorShape(arr.shape), indent)
    lines.append(f"{pad}}}")
    if arr.size > 1 and base in _CONTENT:
        np_dtype = dtype.np_dtype.newbyteorder("<") if hasattr(dtype, "np_dtype") else None
        raw = np.ascontiguousarray(arr, dtype=np_dtype).tobytes()
        lines.append(f'{pad}tensor_content: "{c_escape(raw)}"')
        return lines
    field = _VAL_FIELD.get(base)
    if field is None:
        return lines
    for v in arr.reshape(-1):
        if base in ("complex64", "complex128"):
            lines.append(f"{pad}{field}: {_fmt_float(v.real, base == 'complex64')}")
            lines.append(f"{pad}{field}: {_fmt_float(v.imag, base == 'complex64')}")
        else:
            lines.append(f"{pad}{field}: {_scalar_text(v, base)}")
    return lines


def _list_item_lines(items, indent):
    pad = " " * indent
    lines = []
    for x in items:
        if isinstance(x, _dt.DType):
            lines.append(f"{pad}type: {dtype_enum(x)}")
        elif isinstance(x, TensorShape):
            lines += [f"{pad}shape {{"] + _shape_lines(x, indent) + [f"{pad}}}"]
        elif isinstance(x, (bool, np.bool_)):
            lines.append(f"{pad}b: {'true' if x else 'false'}")
        elif isinstance(x, (int, np.integer)):
            lines.append(f"{pad}i: {int(x)}")
        elif isinstance(x, (float, np.floating)):
            lines.append(f"{pad}f: {_fmt_float(x, True)}")
        elif isinstance(x, (str, bytes)):
            lines.append(f'{pad}s: "{c_escape(x)}"')
    return lines


def attr_value_lines(value, indent, key=None):
    """The body of an AttrValue (inside `value {`), or None for values TF has no attr for."""
    pad = " " * indent
    if isinstance(value, _dt.DType):
        return [f"{pad}type: {dtype_enum(value)}"]
    if isinstance(value, TensorShape) or (value is None and key == "shape"):
        return [f"{pad}shape {{"] + _shape_lines(value, indent) + [f"{pad}}}"]
    if isinstance(value, np.ndarray):
        dtype = _dt.as_dtype(value.dtype) if value.dtype != object else _dt.string
        return [f"{pad}tensor {{"] + tensor_lines(value, dtype, indent + 2) + [f"{pad}}}"]
    if isinstance(value, (bool, np.bool_)):
        return [f"{pad}b: {'true' if value else 'false'}"]
    if isinstance(value, (int, np.integer)):
        return [f"{pad}i: {int(value)}"]
    if isinstance(value, (float, np.floating)):
        return [f"{pad}f: {_fmt_float(value, True)}"]
    if isinstance(value, (str, bytes)):
        return [f'{pad}s: "{c_escape(value)}"']
    if isinstance(value, (list, tuple)):
        return [f"{pad}list {{"] + _list_item_lines(value, indent + 2) + [f"{pad}}}"]
    return None


def node_def_to_text(node_def):
    lines = [f'name: "{node_def.name}"', f'op: "{node_def.op}"']
    lines += [f'input: "{i}"' for i in node_def.input]
    if node_def.device:
        lines.append(f'device: "{node_def.device}"')
    for key, value in node_def.attr.items():
        if key.startswith("_tfteach"):
            continue
        if key == "value" and node_def.op == "Const" and isinstance(value, np.ndarray):
            dtype = node_def.attr.get("dtype")
            body = (["    tensor {"] + tensor_lines(value, dtype or value.dtype, 6)
                    + ["    }"])
        else:
            body = attr_value_lines(value, 4, key)
        if body is None:
            continue
        lines += ["attr {", f'  key: "{key}"', "  value {"] + body + ["  }", "}"]
    return "\n".join(lines) + "\n"
