"""TensorFlow's checkpoint files ("tensor bundle", V2 format), written and read byte for byte
as TF 2.21 does, so checkpoints cross between tfteach and TensorFlow in both directions.

    <prefix>.index                 a sorted table (`_table.py`): key "" holds a
                                   BundleHeaderProto, every other key a tensor's name and its
                                   BundleEntryProto (dtype, shape, shard, offset, size, masked
                                   CRC-32C of its bytes)
    <prefix>.data-00000-of-00001   the tensors' bytes back to back, in key order; a string
                                   tensor is its lengths as varints, their CRC-32C, then
                                   the bytes

TF ships the index messages only in its own wheel, so they are declared here from the shape of
TF's published `tensor_bundle.proto` on top of TensorBoard's copies of TF's TensorShapeProto,
DataType and VersionDef. Loading never executes anything from a file.
"""
__toolkit__ = True   # shared machinery (the checkpoint file format): registers no kernels
import struct

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from . import _table

DATA_SUFFIX = ".data-00000-of-00001"
VERSION = 1                      # TF's kTensorBundleVersion

_PROTOS = {}


def _protos():
    """(BundleHeaderProto, BundleEntryProto, TensorShapeProto, types module)."""
    if not _PROTOS:
        try:
            from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
            from tensorboard.compat.proto import tensor_shape_pb2, types_pb2, versions_pb2
        except ImportError:
            raise ImportError("TensorFlow's checkpoint format needs protobuf and tensorboard's "
                              "copies of TF's messages: pip install 'tfteach[formats]'") from None
        pool = descriptor_pool.Default()
        name = "tfteach/tensor_bundle.proto"
        try:
            fd = pool.FindFileByName(name)
        except KeyError:
            f = descriptor_pb2.FileDescriptorProto(
                name=name, package="tfteach", syntax="proto3",
                dependency=[tensor_shape_pb2.DESCRIPTOR.name, types_pb2.DESCRIPTOR.name,
                            versions_pb2.DESCRIPTOR.name])
            F = descriptor_pb2.FieldDescriptorProto
            h = f.message_type.add(name="BundleHeaderProto")
            h.field.add(name="num_shards", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
            h.field.add(name="endianness", number=2, type=F.TYPE_ENUM, label=F.LABEL_OPTIONAL,
                        type_name=".tfteach.BundleHeaderProto.Endianness")
            h.field.add(name="version", number=3, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                        type_name=".tensorboard.VersionDef")
            e = h.enum_type.add(name="Endianness")
            e.value.add(name="LITTLE", number=0)
            e.value.add(name="BIG", number=1)
            b = f.message_type.add(name="BundleEntryProto")
            b.field.add(name="dtype", number=1, type=F.TYPE_ENUM, label=F.LABEL_OPTIONAL,
                        type_name=".tensorboard.DataType")
            b.field.add(name="shape", number=2, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                        type_name=".tensorboard.TensorShapeProto")
            b.field.add(name="shard_id", number=3, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
            b.field.add(name="offset", number=4, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
            b.field.add(name="size", number=5, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
            b.field.add(name="crc32c", number=6, type=F.TYPE_FIXED32, label=F.LABEL_OPTIONAL)
            # `slices` (7, TensorSliceProto) belongs to partitioned variables, which tfteach
            # refuses; kept as raw bytes so such an entry is recognised
            b.field.add(name="slices", number=7, type=F.TYPE_BYTES, label=F.LABEL_REPEATED)
            fd = pool.Add(f) if hasattr(pool, "Add") else pool.AddSerializedFile(
                f.SerializeToString())
            fd = pool.FindFileByName(name)
        _PROTOS["header"] = message_factory.GetMessageClass(
            fd.message_types_by_name["BundleHeaderProto"])
        _PROTOS["entry"] = message_factory.GetMessageClass(
            fd.message_types_by_name["BundleEntryProto"])
        _PROTOS["shape"] = tensor_shape_pb2.TensorShapeProto
        _PROTOS["types"] = types_pb2
    return _PROTOS


# TF's DataType enum numbers (types.proto; TensorBoard's copy lives in package `tensorboard`)
_DT_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
            "string": 7, "complex64": 8, "int64": 9, "bool": 10, "uint16": 17,
            "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
_ENUM_DT = {v: k for k, v in _DT_ENUM.items()}


def _string_bytes(arr):
    """(bytes, entry checksum) of a string tensor as TF stores it: the lengths as varints, a
    masked CRC-32C of the lengths taken as uint32s, then the bytes. TF's entry checksum also
    reads the lengths as uint32s, not as the varints the file holds."""
    items = [x if isinstance(x, bytes) else str(x).encode() for x in arr.reshape(-1)]
    if any(len(x) >= 2 ** 32 for x in items):
        raise errors.InvalidArgumentError(None, None, "A string of 4 GiB or more cannot be "
                                                      "saved in TensorFlow's checkpoint format")
    lengths = b"".join(_table.varint(len(x)) for x in items)
    as_u32 = b"".join(struct.pack("<I", len(x)) for x in items)
    check = struct.pack("<I", _table.masked_crc32c(as_u32))
    body = b"".join(items)
    return lengths + check + body, _table.masked_crc32c(as_u32 + check + body)


def encode(named_arrays):
    """(index bytes, data bytes) of a checkpoint holding `named_arrays` [(name, ndarray)]: the
    data in the order given (as TF's writer appends), the index sorted by name."""
    P = _protos()
    items, chunks, offset = [], [], 0
    for name, arr in named_arrays:
        arr = np.asarray(arr)
        if arr.dtype == object or arr.dtype.kind in "SU":
            dt = "string"
            raw, crc = _string_bytes(arr.astype(object))
        else:
            dt = _dt.as_dtype(arr.dtype).name
            if dt not in _DT_ENUM:
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot save tensor {name!r}: dtype {dt} has no TensorFlow "
                                f"checkpoint encoding")
            raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"),
                                                   copy=False).tobytes()
            crc = _table.masked_crc32c(raw)
        shape = P["shape"](dim=[P["shape"].Dim(size=int(d)) for d in arr.shape])
        entry = P["entry"](dtype=_DT_ENUM[dt], shape=shape, shard_id=0, offset=offset,
                           size=len(raw), crc32c=crc)
        items.append((name.encode(), entry.SerializeToString()))
        chunks.append(raw)
        offset += len(raw)
    header = P["header"](num_shards=1, endianness=0)
    header.version.producer = VERSION
    items.sort()
    for (a, _), (b, _) in zip(items, items[1:]):
        if a == b:
            raise ValueError(f"Tensor name {a.decode()!r} is saved twice")
    index = _table.build([(b"", header.SerializeToString())] + items)
    return index, b"".join(chunks)


def read_index(raw, path):
    """{name: entry} of an index file's bytes (the header checked)."""
    P = _protos()
    from google.protobuf.message import DecodeError
    items = _table.read(raw, path)
    if not items or items[0][0] != b"":
        raise _table._corrupt(path, "no bundle header")
    try:
        header = P["header"].FromString(items[0][1])
        entries = {}
        for key, value in items[1:]:
            entries[key.decode()] = P["entry"].FromString(value)
    except (DecodeError, UnicodeDecodeError, RecursionError):
        raise _table._corrupt(path, "an entry does not decode") from None
    if header.endianness != 0:
        raise errors.UnimplementedError(None, None, f"{path}: big-endian checkpoints are not "
                                                    f"supported")
    if header.num_shards != 1:
        raise errors.UnimplementedError(
            None, None, f"{path}: checkpoints in {header.num_shards} shards (sharded Savers) are "
                        f"not supported by tfteach; save with sharded=False")
    if header.version.min_consumer > VERSION:
        raise errors.InvalidArgumentError(None, None, f"{path}: written by a newer TensorFlow "
                                                      f"(needs bundle version "
                                                      f"{header.version.min_consumer})")
    return entries


def entry_dtype(entry):
    return _dt.as_dtype(_ENUM_DT.get(entry.dtype, "invalid") if entry.dtype in _ENUM_DT else
                        "string") if entry.dtype in _ENUM_DT else None


def entry_shape(entry):
    return [int(d.size) for d in entry.shape.dim]


def _checksum_error(name, entry, data_path):
    return errors.DataLossError(None, None, f"Checksum does not match: stored {entry.crc32c} "
                                            f"vs. calculated on the restored bytes for {name} "
                                            f"in {data_path}")


def decode(name, entry, data, data_path):
    """The ndarray of one entry, its checksum verified."""
    if entry.slices:
        raise errors.UnimplementedError(
            None, None, f"Tensor {name} in {data_path} is a slice of a partitioned variable; "
                        f"tfteach reads whole tensors only")
    if entry.dtype not in _ENUM_DT:
        raise errors.DataLossError(None, None, f"Tensor {name} in {data_path} has an unknown "
                                               f"dtype ({entry.dtype})")
    dt = _ENUM_DT[entry.dtype]
    shape = entry_shape(entry)
    raw = data[entry.offset:entry.offset + entry.size]
    n = int(np.prod(shape, dtype=np.int64))
    if len(raw) != entry.size:
        raise _checksum_error(name, entry, data_path)
    if dt == "string":
        lengths, pos = [], 0
        for _ in range(n):
            ln, pos = _table.read_varint(raw, pos, data_path)
            lengths.append(ln)
        check, pos = raw[pos:pos + 4], pos + 4
        out = np.empty(n, dtype=object)
        for i, ln in enumerate(lengths):
            out[i] = bytes(raw[pos:pos + ln])
            pos += ln
        as_u32 = b"".join(struct.pack("<I", ln & 0xffffffff) for ln in lengths)
        if pos != len(raw) or _table.masked_crc32c(as_u32 + bytes(check) + b"".join(
                out.tolist())) != entry.crc32c:
            raise _checksum_error(name, entry, data_path)
        return out.reshape(shape)
    if _table.masked_crc32c(raw) != entry.crc32c:
        raise _checksum_error(name, entry, data_path)
    np_dt = _dt.as_dtype(dt).np_dtype
    if len(raw) != n * np_dt.itemsize:
        raise errors.DataLossError(None, None, f"Tensor {name} in {data_path}: {len(raw)} bytes "
                                               f"do not hold shape {shape} of {dt}")
    return np.frombuffer(raw, dtype=np.dtype(np_dt).newbyteorder("<")).astype(
        np_dt).reshape(shape)
