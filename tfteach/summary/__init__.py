"""`tf.summary` (TF1): summary ops and `FileWriter`, writing TensorBoard event files.

A summary op evaluates to the *serialized* `Summary` protocol buffer (a bytes scalar):
`tf.summary.scalar('MSE', mse)` is an op `MSE` of type ScalarSummary; running it and handing
the bytes to `FileWriter.add_summary(bytes, step)` appends an event to the log directory
that TensorBoard reads. `FileWriter(logdir, graph)` also writes the graph, name scopes
included, for TensorBoard's graph tab.

The protobuf messages and the event-file writer are tensorboardX's (the `summary` extra:
`pip install tfteach[summary]`); they are imported only when a summary is computed or a
writer is made, so `import tfteach` does not need them.
"""
import os
import re
import threading
import time

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.ops import GraphKeys
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape
from ..ops import summary_ops  # noqa: F401  (ScalarSummary, ...)

__all__ = ["scalar", "histogram", "text", "merge", "merge_all", "FileWriter",
           "FileWriterCache", "tensor_summary", "get_summary_description"]


def _pb():
    """TensorBoard's protobuf modules (kernels/summary_pb.py: the summary kernels encode with
    them too)."""
    from ..kernels.summary_pb import modules
    return modules()


_INVALID_TAG = re.compile(r"[^-/\w\.]")


def _clean_tag(name):
    if name is None:
        return None
    new = _INVALID_TAG.sub("_", name).lstrip("/")
    return new


class _summary_scope:
    def __init__(self, name, family=None, values=None):
        name = _clean_tag(name)
        family = _clean_tag(family)
        self._family = family
        base = name if family is None else f"{family}/{name}"
        self._ns = _ops.name_scope(base, None, values)

    def __enter__(self):
        scope = self._ns.__enter__()
        tag = scope.rstrip("/")
        if self._family is not None:
            tag = f"{self._family}/{tag}"
        return tag, scope

    def __exit__(self, *exc):
        return self._ns.__exit__(*exc)


def _collect(val, collections, default):
    if _ops.executing_eagerly():
        return
    keys = default if collections is None else collections
    g = val.graph
    for key in keys:
        g.add_to_collection(key, val)


def _check_eager(fn):
    if _ops.executing_eagerly():
        raise RuntimeError(f"Merging tf.summary.* ops is not compatible with eager execution. "
                           f"Use tf.contrib.summary instead." if fn == "merge" else
                           f"tf.compat.v1.summary.{fn} is not compatible with eager "
                           f"execution. Use tf.summary.{fn} in TF2 code.")


@registry.api("ScalarSummary")
def scalar(name, tensor, collections=None, family=None):
    """A summary of one scalar value (the curve TensorBoard draws)."""
    _check_eager("scalar")
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply_op("ScalarSummary", [tag, tensor], name=scope)[0]
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


@registry.api("HistogramSummary")
def histogram(name, values, collections=None, family=None):
    """A summary of the distribution of `values` (TensorBoard's histograms tab)."""
    _check_eager("histogram")
    with _summary_scope(name, family, values=[values]) as (tag, scope):
        val = apply_op("HistogramSummary", [tag, values], name=scope)[0]
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


@registry.api("TensorSummaryV2")
def tensor_summary(name, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    _check_eager("tensor_summary")
    pb = _pb()
    meta = summary_metadata or pb.summary.SummaryMetadata()
    if display_name is not None:
        meta.display_name = display_name
    if summary_description is not None:
        meta.summary_description = summary_description
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply_op("TensorSummaryV2", [tag, tensor, meta.SerializeToString()],
                       name=scope)[0]
    _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name, tensor, collections=None):
    """A summary of string tensor(s) shown in TensorBoard's text tab."""
    _check_eager("text")
    t = _ops.convert_to_tensor(tensor)
    if t.dtype.base_dtype != _dt.string:
        raise ValueError(f"Expected tensor {t.name} to have dtype string, got "
                         f"{t.dtype.name}")
    pb = _pb()
    meta = pb.summary.SummaryMetadata()
    meta.plugin_data.plugin_name = "text"
    return tensor_summary(name, t, summary_metadata=meta, collections=collections)


@registry.api("MergeSummary")
def merge(inputs, collections=None, name=None):
    """One op whose value is all the `inputs` summaries in one Summary."""
    _check_eager("merge")
    with _ops.name_scope(name, "Merge", inputs):
        val = apply_op("MergeSummary", [list(inputs)], name="MergeSummary")[0]
    _collect(val, collections, [])
    return val


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """`merge` of every summary in the graph's `key` collection (None when there is none)."""
    _check_eager("merge_all")
    ops = _ops.get_default_graph().get_collection(key, scope)
    if not ops:
        return None
    return merge(ops, name=name)


def get_summary_description(node_def):
    raise NotImplementedError("get_summary_description is not implemented in tfteach")


# --- writing event files ------------------------------------------------------------------

def _attr_value(pb, v):
    a = pb.attr.AttrValue()
    if isinstance(v, _dt.DType):
        if v.base_dtype.as_datatype_enum is not None:
            a.type = v.as_datatype_enum
    elif isinstance(v, bool):
        a.b = v
    elif isinstance(v, int):
        a.i = v
    elif isinstance(v, float):
        a.f = v
    elif isinstance(v, str):
        a.s = v.encode()
    elif isinstance(v, bytes):
        a.s = v
    elif isinstance(v, TensorShape):
        if v.rank is None:
            a.shape.unknown_rank = True
        else:
            for d in v.as_tuple():
                a.shape.dim.add().size = -1 if d is None else d
    else:
        return None
    return a


def graph_def_proto(graph):
    """The graph as a GraphDef protobuf: node names carry the name scopes."""
    pb = _pb()
    gd = pb.graph.GraphDef()
    for op in graph.get_operations():
        nd = op.node_def
        node = gd.node.add()
        node.name = nd.name
        node.op = nd.op
        node.input.extend(nd.input)
        if nd.device:
            node.device = nd.device
        for k, v in nd.attr.items():
            if k.startswith("_") or k == "value":
                continue
            a = _attr_value(pb, v)
            if a is not None:
                node.attr[k].CopyFrom(a)
        shapes = pb.attr.AttrValue()
        for t in op.outputs:
            s = shapes.list.shape.add()
            if t.shape.rank is None:
                s.unknown_rank = True
            else:
                for d in t.shape.as_tuple():
                    s.dim.add().size = -1 if d is None else d
        if op.outputs:
            node.attr["_output_shapes"].CopyFrom(shapes)
    gd.versions.producer = 1766
    return gd


class FileWriter:
    """Writes Summary protobufs and the graph to an event file in `logdir`."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        if _ops.executing_eagerly():
            raise RuntimeError("tf.summary.FileWriter is not compatible with eager execution. "
                               "Use `tf.summary.create_file_writer`,or a `with v1.Graph()."
                               "as_default():` context")
        self._pb = _pb()
        self._logdir = str(logdir)
        self._writer = _EventWriter(self._logdir, max_queue, flush_secs, filename_suffix or "")
        self._closed = False
        self._seen_summary_tags = set()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self):
        return self._logdir

    def _event(self, **fields):
        ev = self._pb.event.Event(wall_time=time.time(), **fields)
        return ev

    def add_event(self, event):
        if not self._closed:
            self._writer.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Adds a Summary (the bytes a summary op returns, or a Summary protobuf)."""
        if isinstance(summary, (bytes, bytearray)):
            s = self._pb.summary.Summary()
            s.ParseFromString(bytes(summary))
            summary = s
        elif hasattr(summary, "dtype") and getattr(summary, "shape", None) == ():
            s = self._pb.summary.Summary()
            s.ParseFromString(bytes(summary[()]))
            summary = s
        ev = self._event(summary=summary)
        if global_step is not None:
            ev.step = int(global_step)
        self.add_event(ev)

    def add_graph(self, graph, global_step=None, graph_def=None):
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        if graph is not None:
            gd = graph_def_proto(graph)
        elif graph_def is not None:
            gd = graph_def if hasattr(graph_def, "SerializeToString") else \
                graph_def_proto(graph_def._graph)
        else:
            raise TypeError("graph or graph_def must be provided.")
        ev = self._event(graph_def=gd.SerializeToString())
        if global_step is not None:
            ev.step = int(global_step)
        self.add_event(ev)

    def add_session_log(self, session_log, global_step=None):
        ev = self._event(session_log=session_log)
        if global_step is not None:
            ev.step = int(global_step)
        self.add_event(ev)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        pass   # tfteach's RunMetadata has no protobuf form; TensorBoard shows none

    def flush(self):
        if not self._closed:
            self._writer.flush()

    def close(self):
        if not self._closed:
            self._writer.close()
            self._closed = True

    def reopen(self):
        if self._closed:
            self._writer.reopen()
            self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _EventWriter:
    """TF's FileWriter queueing without a background thread: events wait in memory until
    `max_queue` are pending, `flush_secs` have passed since the last write, or `flush()` /
    `close()` is called, and then all of them are written. (tensorboardX's own asynchronous
    writer leaves events still in its queue unwritten on `flush()`.) The record format is
    tensorboardX's `EventsWriter`: TF's event files."""

    def __init__(self, logdir, max_queue, flush_secs, filename_suffix):
        from tensorboardX.record_writer import directory_check
        directory_check(logdir)
        self._prefix = os.path.join(logdir, "events")
        self._suffix = filename_suffix
        self._max_queue = max(int(max_queue), 1)
        self._flush_secs = flush_secs
        self._pending = []
        self._lock = threading.Lock()
        self._file = None
        self.reopen()

    def reopen(self):
        from tensorboardX.event_file_writer import EventsWriter
        self._file = EventsWriter(self._prefix, self._suffix)
        self._last = time.monotonic()

    def add_event(self, event):
        with self._lock:
            self._pending.append(event)
            if len(self._pending) >= self._max_queue or \
                    time.monotonic() - self._last >= self._flush_secs:
                self._write()

    def _write(self):
        for ev in self._pending:
            self._file.write_event(ev)
        self._pending.clear()
        self._file.flush()
        self._last = time.monotonic()

    def flush(self):
        with self._lock:
            self._write()

    def close(self):
        with self._lock:
            self._write()
            self._file.close()


class FileWriterCache:
    _cache = {}

    @staticmethod
    def get(logdir):
        w = FileWriterCache._cache.get(logdir)
        if w is None:
            w = FileWriterCache._cache[logdir] = FileWriter(logdir,
                                                            graph=_ops.get_default_graph())
        return w

    @staticmethod
    def clear():
        for w in FileWriterCache._cache.values():
            w.close()
        FileWriterCache._cache.clear()
