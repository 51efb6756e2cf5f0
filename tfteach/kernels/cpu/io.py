"""CPU kernels of the io family: SaveV2 and RestoreV2 with the checkpoint files they write, in
TensorFlow's own V2 format (kernels/tensor_bundle.py): tfteach/train/saver.py describes the
files and reads them back through `CheckpointReader` below; and ReadFile and WriteFile,
whole files as scalar strings (tf.io.read_file / write_file).
"""
import base64
import json
import os
import time
import zlib

import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework.registry import register_kernel
from .. import tensor_bundle


def _str(x):
    x = np.asarray(x)[()] if not isinstance(x, (bytes, str)) else x
    return x.decode() if isinstance(x, bytes) else str(x)


@register_kernel("SaveV2")
def _save_v2(prefix, tensor_names, shape_and_slices, *tensors):
    names = [_str(n) for n in np.asarray(tensor_names).reshape(-1)]
    _write_checkpoint(_str(prefix), list(zip(names, [np.asarray(t) for t in tensors])))


@register_kernel("RestoreV2")
def _restore_v2(prefix, tensor_names, shape_and_slices, *, dtypes):
    reader = CheckpointReader(_str(prefix))
    out = []
    for name, dt in zip((_str(n) for n in np.asarray(tensor_names).reshape(-1)), dtypes):
        value = reader._array(name)
        if value.dtype != object and _dt.as_dtype(value.dtype) != dt.base_dtype:
            raise errors.InvalidArgumentError(
                None, None, f"tensor_name = {name}; expected dtype {dt.base_dtype.name} does "
                            f"not equal original dtype {_dt.as_dtype(value.dtype).name}")
        out.append(value)
    return tuple(out) if len(out) != 1 else out[0]


_MAGIC = b"TFTEACH-CHECKPOINT-INDEX 1\n"
_DATA_SUFFIX = ".data-00000-of-00001"


# --- files ---------------------------------------------------------------------------------

def _atomic_write(path, data):
    tmp = f"{path}.tmp{os.getpid()}_{time.monotonic_ns()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _write_checkpoint(prefix, named_arrays):
    """TF's V2 checkpoint files for `named_arrays` [(name, ndarray)] (tensor_bundle.py)."""
    index, data = tensor_bundle.encode(named_arrays)
    # Data first, index last: an index only ever describes a complete data file. Saving
    # again to the same prefix keeps the old data file reachable (a hard link `.prev`) until
    # the new index is in place, so a crash between the two renames leaves the old index
    # with its old data, which readers find through the entries' checksums.
    data_path = prefix + _DATA_SUFFIX
    prev = data_path + _PREV
    if os.path.exists(data_path) and os.path.exists(prefix + ".index"):
        try:
            os.remove(prev)
        except FileNotFoundError:
            pass
        os.link(data_path, prev)
    _atomic_write(data_path, data)
    _atomic_write(prefix + ".index", index)
    try:
        os.remove(prev)
    except FileNotFoundError:
        pass


_PREV = ".prev"


def _read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _load(prefix):
    """{name: ndarray} of every tensor of the checkpoint `prefix`, each checksum verified."""
    path = prefix + ".index"
    raw = _read_file(path)
    if raw is None:
        raise errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: "
                                               f"Failed to find any matching files for "
                                               f"{prefix} ({path} does not exist)")
    if raw.startswith(_MAGIC):
        return _load_legacy(prefix, raw)
    entries = tensor_bundle.read_index(raw, path)
    data_path = prefix + _DATA_SUFFIX
    failure = None
    # the data file, or the one a save interrupted between its data and its index kept
    for candidate in (data_path, data_path + _PREV):
        data = _read_file(candidate)
        if data is None:
            continue
        try:
            return {k: tensor_bundle.decode(k, e, data, data_path) for k, e in entries.items()}
        except errors.DataLossError as e:
            failure = failure or e
    if failure is not None:
        raise failure
    if not entries:
        return {}
    raise errors.NotFoundError(None, None, f"Checkpoint data file {data_path} does not exist")


def _load_legacy(prefix, raw):
    """Checkpoints of tfteach 0.1 (a JSON index, raw data): still read, never written."""
    path = prefix + ".index"
    try:
        index = json.loads(raw[len(_MAGIC):].decode())
        tensors = index["tensors"]
        data_bytes = int(index["data_bytes"])
        if not isinstance(tensors, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError,
            RecursionError):
        raise errors.DataLossError(None, None, f"Unable to read checkpoint index {path}: "
                                               f"truncated or corrupted") from None
    data_path = prefix + _DATA_SUFFIX
    data = _read_file(data_path)
    if data is None:
        raise errors.NotFoundError(None, None, f"Checkpoint data file {data_path} does not "
                                               f"exist")
    if len(data) != data_bytes:
        raise errors.DataLossError(None, None, f"Checkpoint data file {data_path} is truncated "
                                               f"or corrupted")
    out = {}
    for name, e in tensors.items():
        try:
            shape = tuple(int(d) for d in e["shape"])
            if e["dtype"] == "string":
                vals = [base64.b64decode(s, validate=True) for s in e["strings"]]
                arr = np.empty(len(vals), dtype=object)
                arr[:] = vals
                out[name] = arr.reshape(shape)
                continue
            dtype = _dt.as_dtype(e["dtype"]).np_dtype
            chunk = data[e["offset"]:e["offset"] + e["nbytes"]]
            ok = len(chunk) == e["nbytes"] and zlib.crc32(chunk) == e["crc32"] and \
                len(chunk) == int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        except (KeyError, TypeError, ValueError, AttributeError, UnicodeDecodeError):
            ok = False
        if not ok:
            raise errors.DataLossError(None, None, f"Checksum does not match for {name} in "
                                                   f"{data_path}: the file is corrupted")
        out[name] = np.frombuffer(chunk, dtype=dtype).reshape(shape).copy()
    return out


class CheckpointReader:
    """Reads tensors of one checkpoint by name (`tf.train.load_checkpoint`): TF's V2 format,
    whoever wrote it."""

    def __init__(self, prefix):
        self._prefix = prefix
        self._tensors = _load(prefix)

    def has_tensor(self, name):
        return name in self._tensors

    def get_variable_to_shape_map(self):
        return {k: list(v.shape) for k, v in self._tensors.items()}

    def get_variable_to_dtype_map(self):
        return {k: _dt.string if v.dtype == object else _dt.as_dtype(v.dtype)
                for k, v in self._tensors.items()}

    def get_tensor(self, name):
        """As TF's reader: an array, or for a scalar a NumPy scalar (`bytes` for a string,
        so the object graph parses directly)."""
        v = self._array(name)
        return v[()] if v.ndim == 0 else v

    def _array(self, name):
        v = self._tensors.get(name)
        if v is None:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return v.copy()


# --- whole files as string tensors (tf.io.read_file / write_file) ---------------------------

def _path(filename, op_type):
    f = np.asarray(filename, dtype=object)
    if f.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Input filename tensor must be scalar, but had shape: "
                        f"[{','.join(str(d) for d in f.shape)}]")
    v = f[()]
    return v.decode() if isinstance(v, bytes) else str(v)


@register_kernel("ReadFile")
def read_file(filename):
    path = _path(filename, "ReadFile")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    except PermissionError:
        raise errors.PermissionDeniedError(None, None, f"{path}; Permission denied") from None
    return np.array(data, dtype=object)


@register_kernel("WriteFile")
def write_file(filename, contents):
    path = _path(filename, "WriteFile")
    c = np.asarray(contents, dtype=object)
    if c.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Contents tensor must be scalar, but had shape: "
                        f"[{','.join(str(d) for d in c.shape)}]")
    data = c[()]
    data = data if isinstance(data, bytes) else str(data).encode()
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)     # TF creates the missing directories
    with open(path, "wb") as fh:
        fh.write(data)


# --- TensorProto bytes, written and read by hand (a few protobuf wire rules) -----------------
# TensorProto fields: 1 dtype, 2 tensor_shape (TensorShapeProto: 2 dim {1 size}, 3
# unknown_rank), 4 tensor_content; the typed value fields below. TF's SerializeTensor
# writes tensor_content (little-endian) for every numeric dtype and string_val for strings.

_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_VAL_FIELDS = {5: "float32", 6: "float64", 7: "int32", 10: "int64", 11: "bool", 13: "half",
               16: "uint32", 17: "uint64"}


def _varint(n):
    n &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num, payload):
    """A length-delimited field."""
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _shape_bytes(shape):
    return b"".join(_field(2, (_varint(1 << 3) + _varint(d)) if d else b"") for d in shape)


def tensor_proto_bytes(value):
    from ...framework import dtypes as _dt
    a = np.asarray(value)
    string = a.dtype == object or a.dtype.kind in "SU"
    dt = _dt.string if string else _dt.as_dtype(a.dtype)
    out = _varint(1 << 3) + _varint(dt.as_datatype_enum) + _field(2, _shape_bytes(a.shape))
    if string:
        for v in a.reshape(-1):
            out += _field(8, v if isinstance(v, bytes) else str(v).encode())
    elif a.size:
        out += _field(4, np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes())
    return out


def _read_varint(buf, i):
    shift = n = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def _fields(buf):
    """(field number, wire type, value) of each field: ints for varints, bytes otherwise."""
    i = 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _read_varint(buf, i)
        elif wire == 2:
            n, i = _read_varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field")
            v, i = buf[i:i + n], i + n
        elif wire in (1, 5):
            k = 8 if wire == 1 else 4
            if i + k > len(buf):
                raise ValueError("truncated field")
            v, i = buf[i:i + k], i + k
        else:
            raise ValueError(f"wire type {wire}")
        if num == 0:
            raise ValueError("field 0")
        yield num, wire, v


def _signed(n):
    return n - (1 << 64) if n >= 1 << 63 else n


def parse_tensor_proto(buf):
    """(DType, ndarray) of a serialized TensorProto."""
    from ...framework import dtypes as _dt
    dtype, shape, content, strings, vals, unknown = 0, [], None, [], [], False
    for num, wire, v in _fields(buf):
        if num == 1:
            dtype = v
        elif num == 2:
            for sn, _, sv in _fields(v):
                if sn == 2:
                    size = 0
                    for dn, _, dv in _fields(sv):
                        if dn == 1:
                            size = _signed(dv)
                    shape.append(size)
                elif sn == 3:
                    unknown = bool(sv)
        elif num == 4:
            content = bytes(v)
        elif num == 8:
            strings.append(bytes(v))
        elif num in _VAL_FIELDS:
            vals.append((num, wire, v))
    dt = _dt.as_dtype(dtype)
    if unknown or any(d < 0 for d in shape):
        raise ValueError("not a fully defined shape")
    n = int(np.prod(shape, dtype=np.int64))
    if dt == _dt.string:
        if len(strings) != n:
            raise ValueError("string count")
        out = np.empty(n, object)
        out[:] = strings
        return dt, out.reshape(shape)
    np_dt = np.dtype(dt.np_dtype)
    if content is not None:
        if len(content) != n * np_dt.itemsize:
            raise ValueError("content size")
        return dt, np.frombuffer(content, np_dt.newbyteorder("<")).astype(np_dt).reshape(shape)
    flat = []
    for num, wire, v in vals:
        kind = _VAL_FIELDS[num]
        if wire == 2 and kind in ("float32", "float64"):
            flat += np.frombuffer(v, "<f4" if kind == "float32" else "<f8").tolist()
        elif wire == 2:
            j = 0
            while j < len(v):
                x, j = _read_varint(v, j)
                flat.append(x)
        elif wire in (1, 5):
            flat += np.frombuffer(v, {"float32": "<f4", "float64": "<f8"}.get(
                kind, "<u4" if wire == 5 else "<u8")).tolist()
        else:
            flat.append(v)
    if n and not flat:
        return dt, np.zeros(shape, np_dt)
    if dt.name == "float16":
        arr = np.array(flat, np.uint64).astype(np.uint16).view(np.float16)
    elif np_dt.kind in "iu":
        arr = np.array([x & ((1 << (8 * np_dt.itemsize)) - 1) for x in flat],
                       np.uint64).astype(np.dtype(f"u{np_dt.itemsize}")).view(np_dt)
    else:
        arr = np.array(flat).astype(np_dt)
    if arr.size < n:                # TF repeats the last value to fill the shape
        arr = np.concatenate([arr, np.repeat(arr[-1:], n - arr.size)])
    return dt, arr[:n].reshape(shape)


@register_kernel("SerializeTensor")
def serialize_tensor(tensor):
    return np.array(tensor_proto_bytes(tensor), dtype=object)


@register_kernel("ParseTensor")
def parse_tensor(serialized, *, out_type):
    import base64
    s = np.asarray(serialized, dtype=object)
    if s.ndim:
        raise errors.InvalidArgumentError(None, None, "Expected `serialized` to be a scalar, "
                                          f"got shape: {list(s.shape)}")
    buf = s[()] if isinstance(s[()], bytes) else str(s[()]).encode()
    try:
        dt, value = parse_tensor_proto(buf)
    except (ValueError, TypeError, KeyError):
        raise errors.InvalidArgumentError(
            None, None, "Could not parse `serialized` as TensorProto, base64: " +
            base64.b64encode(buf).decode()) from None
    if dt.base_dtype != out_type.base_dtype:
        def name(d):
            return _TF_TYPE_NAMES.get(d.name, d.name)
        raise errors.InvalidArgumentError(
            None, None, f"Type mismatch between parsed tensor ({name(dt)}) and dtype "
            f"({name(out_type)})")
    return value


@register_kernel("MatchingFiles")
def matching_files(pattern):
    import glob
    p = np.asarray(pattern, dtype=object)
    if p.ndim > 1:
        raise errors.InvalidArgumentError(None, None, "Input patterns tensor must be scalar or "
                                          f"vector, but had shape: [{','.join(map(str, p.shape))}]")
    found = []
    for pat in p.reshape(-1):
        pat = pat.decode() if isinstance(pat, bytes) else str(pat)
        found.extend(sorted(glob.glob(pat)))
    out = np.empty(len(found), object)
    out[:] = [f.encode() for f in found]
    return out


# --- DecodeCSV --------------------------------------------------------------------------------

def _csv_fields(text, delim, quotes):
    """A record's fields as TF's parser reads them (quoted fields keep delimiters; "" in
    one is a quote)."""
    fields, i, n = [], 0, len(text)
    while True:
        if quotes and i < n and text[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise errors.InvalidArgumentError(
                        None, None, "Quoted field has to end with quote followed by delim or "
                                    "end")
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(text[i])
                i += 1
            if i < n and text[i] != delim:
                raise errors.InvalidArgumentError(
                    None, None, "Quote inside a string has to be escaped by another quote")
            fields.append("".join(buf))
        else:
            j = text.find(delim, i)
            j = n if j < 0 else j
            field = text[i:j]
            if quotes and ('"' in field or "\r" in field or "\n" in field):
                raise errors.InvalidArgumentError(
                    None, None, "Unquoted fields cannot have quotes/CRLFs inside")
            fields.append(field)
            i = j
        if i >= n:
            return fields
        i += 1          # past the delimiter: a trailing one leaves an empty last field
        if i == n:
            fields.append("")
            return fields


_CSV_NAMES = {"float32": "float", "float64": "double", "int32": "int32", "int64": "int64"}


def _csv_value(text, np_dt, f, r):
    name = _CSV_NAMES[np.dtype(np_dt).name]
    bad = errors.InvalidArgumentError(None, None, f"Field {f} in record {r} is not a valid "
                                                  f"{name}: {text}")
    s = text.strip()
    if np.dtype(np_dt).kind == "i":
        try:
            v = int(s, 10)
        except ValueError:
            raise bad from None
        info = np.iinfo(np_dt)
        if not info.min <= v <= info.max:
            raise bad
        return v
    try:
        return float(s)
    except ValueError:
        raise bad from None


@register_kernel("DecodeCSV")
def decode_csv(records, *record_defaults, OUT_TYPE, field_delim, use_quote_delim, na_value,
               select_cols):
    if len(field_delim) != 1:
        raise errors.InvalidArgumentError(None, None, "field_delim should be only 1 char")
    recs = np.asarray(records, dtype=object)
    defaults = [np.asarray(d) for d in record_defaults]
    for i, d in enumerate(defaults):
        if d.ndim > 1 or d.size > 1:
            raise errors.InvalidArgumentError(
                None, None, f"record_defaults[{i}] must be a single value.")
    ncols = len(defaults)
    outs = [np.empty(recs.size, dtype=object if dt.name == "string" else dt.np_dtype)
            for dt in OUT_TYPE]
    select = list(select_cols or [])
    for r, rec in enumerate(recs.reshape(-1)):
        text = rec.decode("utf-8", "surrogateescape") if isinstance(rec, bytes) else str(rec)
        fields = _csv_fields(text, field_delim, use_quote_delim)
        if select:
            if len(fields) <= select[-1]:
                raise errors.InvalidArgumentError(
                    None, None, f"Expect {select[-1] + 1} fields but have {len(fields)} in "
                                f"record {r}")
            fields = [fields[c] for c in select]
        if len(fields) != ncols:
            raise errors.InvalidArgumentError(
                None, None, f"Expect {ncols} fields but have {len(fields)} in record {r}")
        for f, (field, d, dt) in enumerate(zip(fields, defaults, OUT_TYPE)):
            if field == "" or field == na_value:
                if d.size == 0:
                    raise errors.InvalidArgumentError(
                        None, None, f"Field {f} is required but missing in record {r}!")
                v = d.reshape(-1)[0]
            elif dt.name == "string":
                v = field.encode("utf-8", "surrogateescape")
            else:
                v = _csv_value(field, dt.np_dtype, f, r)
            outs[f][r] = v
    return tuple(o.reshape(recs.shape) for o in outs)
