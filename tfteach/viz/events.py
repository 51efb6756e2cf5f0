"""Reading TensorBoard event files without TensorFlow or TensorBoard.

An event file is a sequence of TFRecords (length, masked CRC, bytes, masked CRC); each record
is an `Event` protobuf. Only what the visualiser needs is decoded: the `GraphDef` a
`FileWriter(logdir, graph)` stores, and scalar summaries (`simple_value`, or a scalar
`tensor` as TF2's `tf.summary.scalar` writes). The protobuf wire format is simple enough
to read directly, which keeps `protobuf` and `tensorboard` out of the dependencies.
"""
import glob
import os
import struct

import numpy as np

__all__ = ["iter_records", "iter_events", "read_graph_nodes", "read_scalars", "event_files",
           "parse_summary_scalars", "EventTail"]


# --- protobuf wire format ----------------------------------------------------------------

def _varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """Yields (field_number, wire_type, value) of one message; length-delimited values are
    bytes, fixed ones raw bytes, varints ints."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        yield num, wt, val


def _signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _packed_or_single(wt, val, fmt, size):
    if wt == 2:
        return list(struct.unpack(f"<{len(val) // size}{fmt}", val))
    return [struct.unpack(f"<{fmt}", val)[0]]


def _packed_varints(wt, val):
    if wt == 0:
        return [_signed64(val)]
    out, pos = [], 0
    while pos < len(val):
        v, pos = _varint(val, pos)
        out.append(_signed64(v))
    return out


# --- records and events --------------------------------------------------------------------

def iter_records(path, offset=0):
    """Yields (record_bytes, end_offset) of a TFRecord file from `offset`; stops quietly at a
    record that is not completely written yet (a writer may be appending)."""
    from ..kernels.tfrecord import tail_records
    yield from tail_records(path, offset)


def _parse_event(buf):
    ev = {"wall_time": 0.0, "step": 0}
    for num, wt, val in _fields(buf):
        if num == 1 and wt == 1:
            ev["wall_time"] = struct.unpack("<d", val)[0]
        elif num == 2:
            ev["step"] = _signed64(val)
        elif num == 3:
            ev["file_version"] = val.decode("utf-8", "replace")
        elif num == 4:
            ev["graph_def"] = val
        elif num == 5:
            ev["summary"] = val
    return ev


def event_files(logdir_or_file):
    if os.path.isfile(logdir_or_file):
        return [logdir_or_file]
    return sorted(glob.glob(os.path.join(logdir_or_file, "**", "*tfevents*"), recursive=True))


def iter_events(logdir_or_file):
    for path in event_files(logdir_or_file):
        for data, _ in iter_records(path):
            yield _parse_event(data)


# --- GraphDef ---------------------------------------------------------------------------------

def _parse_shape(buf):
    dims, unknown = [], False
    for num, _wt, val in _fields(buf):
        if num == 2:
            size = -1
            for n2, _w2, v2 in _fields(val):
                if n2 == 1:
                    size = _signed64(v2)
            dims.append(None if size < 0 else size)
        elif num == 3 and val:
            unknown = True
    return None if unknown else tuple(dims)


def _parse_attr(buf):
    """AttrValue -> ('type', enum) | ('shape', dims) | ('list', {...}) | (kind, value)."""
    for num, wt, val in _fields(buf):
        if num == 6:
            return ("type", val)
        if num == 7:
            return ("shape", _parse_shape(val))
        if num == 2:
            return ("s", val)
        if num == 3:
            return ("i", _signed64(val))
        if num == 4:
            return ("f", struct.unpack("<f", val)[0])
        if num == 5:
            return ("b", bool(val))
        if num == 1:
            items = {"type": [], "shape": []}
            for n2, w2, v2 in _fields(val):
                if n2 == 6:
                    items["type"].extend(_packed_varints(w2, v2))
                elif n2 == 7:
                    items["shape"].append(_parse_shape(v2))
            return ("list", items)
        if num == 8:
            return ("tensor", None)
    return ("none", None)


def parse_graph_def(buf):
    """GraphDef bytes -> [{'name', 'op', 'input': [...], 'device', 'attr': {...}}]."""
    nodes = []
    for num, _wt, val in _fields(buf):
        if num != 1:
            continue
        node = {"name": "", "op": "", "input": [], "device": "", "attr": {}}
        for n2, _w2, v2 in _fields(val):
            if n2 == 1:
                node["name"] = v2.decode()
            elif n2 == 2:
                node["op"] = v2.decode()
            elif n2 == 3:
                node["input"].append(v2.decode())
            elif n2 == 4:
                node["device"] = v2.decode()
            elif n2 == 5:
                key, attr = "", ("none", None)
                for n3, _w3, v3 in _fields(v2):
                    if n3 == 1:
                        key = v3.decode()
                    elif n3 == 2:
                        attr = _parse_attr(v3)
                node["attr"][key] = attr
        nodes.append(node)
    return nodes


def read_graph_nodes(logdir_or_file):
    """The last GraphDef stored in the event files under `logdir_or_file`, as node dicts."""
    graph = None
    for ev in iter_events(logdir_or_file):
        if "graph_def" in ev:
            graph = ev["graph_def"]
    if graph is None:
        raise ValueError(f"No graph found in the event files under {logdir_or_file!r} "
                         f"(write one with tf.summary.FileWriter(logdir, sess.graph)).")
    return parse_graph_def(graph)


# --- scalar summaries -------------------------------------------------------------------------

_NP_BY_ENUM = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64, 19: np.float16}


def _tensor_scalar(buf):
    dtype, content, vals = 1, None, []
    for num, wt, val in _fields(buf):
        if num == 1:
            dtype = val
        elif num == 4:
            content = val
        elif num == 5:
            vals += _packed_or_single(wt, val, "f", 4)
        elif num == 6:
            vals += _packed_or_single(wt, val, "d", 8)
        elif num in (7, 10):
            vals += _packed_varints(wt, val)
    if content and dtype in _NP_BY_ENUM:
        arr = np.frombuffer(content, dtype=_NP_BY_ENUM[dtype])
        if arr.size == 1:
            return float(arr[0])
    if len(vals) == 1:
        return float(vals[0])
    return None


def parse_summary_scalars(buf):
    """Serialized `Summary` bytes -> [(tag, value)] of its scalar values."""
    out = []
    for num, _wt, val in _fields(buf):
        if num != 1:
            continue
        tag, value = "", None
        for n2, _w2, v2 in _fields(val):
            if n2 == 1:
                tag = v2.decode("utf-8", "replace")
            elif n2 == 2:
                value = struct.unpack("<f", v2)[0]
            elif n2 == 8:
                value = _tensor_scalar(v2)
        if value is not None:
            out.append((tag, float(value)))
    return out


def read_scalars(logdir_or_file):
    """{tag: [(step, value), ...]} from every event file under `logdir_or_file`."""
    out = {}
    for ev in iter_events(logdir_or_file):
        if "summary" in ev:
            for tag, value in parse_summary_scalars(ev["summary"]):
                out.setdefault(tag, []).append((ev["step"], value))
    return out


class EventTail:
    """Follows the event files of a logdir: each `poll()` returns the scalars written since
    the previous one, as [(tag, step, value)]. New files (a new FileWriter) are picked up."""

    def __init__(self, logdir):
        self.logdir = logdir
        self._offsets = {}

    def poll(self):
        out = []
        for path in event_files(self.logdir):
            off = self._offsets.get(path, 0)
            for data, end in iter_records(path, off):
                self._offsets[path] = end
                ev = _parse_event(data)
                if "summary" in ev:
                    out.extend((tag, ev["step"], v)
                               for tag, v in parse_summary_scalars(ev["summary"]))
        return out
