"""CPU kernels of the io family (SaveV2, RestoreV2, ReadFile, WriteFile) and the checkpoint
files they write.

Files of one checkpoint `<prefix>` are described in tfteach/train/saver.py, which reads
them back through `CheckpointReader` below.
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
        value = reader.get_tensor(name)
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
    entries = {}
    chunks = []
    offset = 0
    for name, arr in named_arrays:
        arr = np.asarray(arr)
        if arr.dtype == object:
            strs = [x if isinstance(x, bytes) else str(x).encode() for x in arr.reshape(-1)]
            entries[name] = {"dtype": "string", "shape": list(arr.shape),
                             "strings": [base64.b64encode(s).decode("ascii") for s in strs]}
            continue
        raw = np.ascontiguousarray(arr).tobytes()
        entries[name] = {"dtype": _dt.as_dtype(arr.dtype).name, "shape": list(arr.shape),
                         "offset": offset, "nbytes": len(raw), "crc32": zlib.crc32(raw)}
        chunks.append(raw)
        offset += len(raw)
    index = _MAGIC + json.dumps({"data_bytes": offset, "tensors": entries},
                                sort_keys=True).encode()
    # Data first, index last: an index only ever describes a complete data file.
    _atomic_write(prefix + _DATA_SUFFIX, b"".join(chunks))
    _atomic_write(prefix + ".index", index)


def _read_index(prefix):
    path = prefix + ".index"
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: "
                                               f"Failed to find any matching files for "
                                               f"{prefix} ({path} does not exist)") from None
    if not raw.startswith(_MAGIC):
        raise errors.DataLossError(None, None, f"Unable to read checkpoint index {path}: not "
                                               f"a tfteach checkpoint (bad header)")
    try:
        index = json.loads(raw[len(_MAGIC):].decode())
        tensors = index["tensors"]
        data_bytes = int(index["data_bytes"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise errors.DataLossError(None, None, f"Unable to read checkpoint index {path}: "
                                               f"truncated or corrupted") from None
    return tensors, data_bytes


class CheckpointReader:
    """Reads tensors of one checkpoint by name (`tf.train.load_checkpoint`)."""

    def __init__(self, prefix):
        self._prefix = prefix
        self._tensors, data_bytes = _read_index(prefix)
        path = prefix + _DATA_SUFFIX
        if data_bytes:
            try:
                with open(path, "rb") as f:
                    self._data = f.read()
            except FileNotFoundError:
                raise errors.NotFoundError(None, None, f"Checkpoint data file {path} does not "
                                                       f"exist") from None
        else:
            self._data = b""
            if not os.path.exists(path):
                raise errors.NotFoundError(None, None, f"Checkpoint data file {path} does not "
                                                       f"exist")
        if len(self._data) != data_bytes:
            raise errors.DataLossError(None, None, f"Checkpoint data file {path} is truncated "
                                                   f"or corrupted: expected {data_bytes} bytes, "
                                                   f"found {len(self._data)}")

    def has_tensor(self, name):
        return name in self._tensors

    def get_variable_to_shape_map(self):
        return {k: list(v["shape"]) for k, v in self._tensors.items()}

    def get_variable_to_dtype_map(self):
        return {k: _dt.as_dtype(v["dtype"]) for k, v in self._tensors.items()}

    def get_tensor(self, name):
        e = self._tensors.get(name)
        if e is None:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        shape = tuple(e["shape"])
        if e["dtype"] == "string":
            vals = [base64.b64decode(s) for s in e["strings"]]
            out = np.empty(len(vals), dtype=object)
            out[:] = vals
            return out.reshape(shape)
        dtype = _dt.as_dtype(e["dtype"]).np_dtype
        raw = self._data[e["offset"]:e["offset"] + e["nbytes"]]
        if len(raw) != e["nbytes"] or zlib.crc32(raw) != e["crc32"] or \
                len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise errors.DataLossError(None, None, f"Checksum does not match for {name} in "
                                                   f"{self._prefix + _DATA_SUFFIX}: the file is "
                                                   f"corrupted")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


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
