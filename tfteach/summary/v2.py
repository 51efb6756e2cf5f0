"""`tf.summary` of TF 2: writers and summaries written at once (eager execution).

    writer = tf.summary.create_file_writer("logs/run1")
    with writer.as_default(step=0):
        tf.summary.scalar("loss", loss, step=epoch)

Each call appends one event to the writer's event file in TF 2's format (the value as a
tensor, tagged with its plugin: `scalars`, `histograms`, `text`), which TensorBoard reads.
Summaries inside a `tf.function` trace are not supported by tfteach (a clear error says so).
"""
import contextlib
import threading

import numpy as np

from ..framework import ops as _ops

__all__ = ["create_file_writer", "create_noop_writer", "SummaryWriter", "scalar", "histogram",
           "text", "write", "flush", "record_if", "should_record_summaries", "experimental"]

_state = threading.local()


def _get(attr, default=None):
    return getattr(_state, attr, default)


class SummaryWriter:
    """Writes TF 2 summaries to an event file (use it with `as_default()`)."""

    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=None):
        from . import _EventWriter, _pb
        self._pb = _pb()
        self._logdir = str(logdir)
        self._writer = _EventWriter(self._logdir, max_queue or 10,
                                    (flush_millis or 120000) / 1000.0, filename_suffix or ".v2")
        self._closed = False

    @contextlib.contextmanager
    def as_default(self, step=None):
        old_writer, old_step = _get("writer"), _get("step")
        _state.writer = self
        if step is not None:
            _state.step = step
        try:
            yield self
        finally:
            self.flush()
            _state.writer = old_writer
            _state.step = old_step

    def set_as_default(self, step=None):
        _state.writer = self
        if step is not None:
            _state.step = step

    def init(self):
        return None

    def _write(self, summary, step):
        import time
        ev = self._pb.event.Event(wall_time=time.time(), step=int(step), summary=summary)
        if not self._closed:
            self._writer.add_event(ev)

    def flush(self):
        if not self._closed:
            self._writer.flush()

    def close(self):
        if not self._closed:
            self._writer.close()
            self._closed = True


class _NoopWriter(SummaryWriter):
    def __init__(self):
        self._closed = True

    def _write(self, summary, step):
        pass

    def flush(self):
        pass

    def close(self):
        pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    return SummaryWriter(logdir, max_queue, flush_millis, filename_suffix)


create_file_writer_v2 = create_file_writer


def create_noop_writer():
    return _NoopWriter()


@contextlib.contextmanager
def record_if(condition):
    old = _get("record_if", True)
    _state.record_if = condition
    try:
        yield
    finally:
        _state.record_if = old


def should_record_summaries():
    cond = _get("record_if", True)
    if callable(cond):
        cond = cond()
    return _get("writer") is not None and bool(np.asarray(
        cond.numpy() if hasattr(cond, "numpy") else cond))


def _value(x):
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    if _ops.is_symbolic(x):
        raise NotImplementedError("tf.summary inside a tf.function is not supported by "
                                  "tfteach: call it eagerly (outside the traced function)")
    return np.asarray(x)


def _step(step):
    if step is None:
        step = _get("step")
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument "
                         "or through tf.summary.experimental.set_step()")
    return int(_value(step))


def _tag(name):
    scope = _ops.get_name_scope()
    return f"{scope}/{name}" if scope else name


def _tensor_proto(pb, arr):
    tp = pb.tensor.TensorProto()
    tp.tensor_shape.SetInParent()
    for d in arr.shape:
        tp.tensor_shape.dim.add().size = int(d)
    if arr.dtype == object or arr.dtype.kind in "SU":
        tp.dtype = pb.types.DT_STRING
        tp.string_val.extend(x if isinstance(x, bytes) else str(x).encode()
                             for x in arr.reshape(-1))
    elif arr.dtype == np.float64:
        tp.dtype = pb.types.DT_DOUBLE
        tp.double_val.extend(arr.reshape(-1).tolist())
    else:
        tp.dtype = pb.types.DT_FLOAT
        tp.float_val.extend(arr.astype(np.float32).reshape(-1).tolist())
    return tp


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes `tensor` under `tag` to the default writer; False when there is none."""
    writer = _get("writer")
    if writer is None or not should_record_summaries():
        return False
    pb = writer._pb
    arr = _value(tensor)
    s = pb.summary.Summary()
    v = s.value.add(tag=tag, tensor=_tensor_proto(pb, arr))
    if metadata is not None:
        v.metadata.CopyFrom(metadata)
    writer._write(s, _step(step))
    return True


def _metadata(pb, plugin, description=None, content=b""):
    m = pb.summary.SummaryMetadata()
    m.plugin_data.plugin_name = plugin
    if content:
        m.plugin_data.content = content
    if description:
        m.summary_description = description
    return m


def scalar(name, data, step=None, description=None):
    """Writes a scalar (TensorBoard's scalars plugin). Returns whether it was written."""
    writer = _get("writer")
    if writer is None or not should_record_summaries():
        return False
    arr = _value(data)
    if arr.ndim != 0:
        raise ValueError(f"Expected scalar shape, saw shape: {arr.shape}.")
    return write(_tag(name), arr.astype(np.float32),
                 step, _metadata(writer._pb, "scalars", description))


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram as TF 2 does: a [buckets, 3] tensor of (left, right, count)."""
    writer = _get("writer")
    if writer is None or not should_record_summaries():
        return False
    x = _value(data).astype(np.float64).reshape(-1)
    k = 30 if buckets is None else int(buckets)
    if x.size == 0 or k == 0:
        out = np.zeros((k, 3))
    else:
        lo, hi = float(x.min()), float(x.max())
        if lo == hi:     # one value: a unit-wide range centred on it
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, k + 1)
        counts, _ = np.histogram(x, bins=edges)
        out = np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)
    return write(_tag(name), out, step,
                 _metadata(writer._pb, "histograms", description, b"\x08\x01"))


def text(name, data, step=None, description=None):
    writer = _get("writer")
    if writer is None or not should_record_summaries():
        return False
    return write(_tag(name), _value(data), step,
                 _metadata(writer._pb, "text", description))


def flush(writer=None, name=None):
    writer = writer or _get("writer")
    if writer is not None:
        writer.flush()


class experimental:
    """`tf.summary.experimental`: the default step."""

    @staticmethod
    def set_step(step):
        _state.step = step

    @staticmethod
    def get_step():
        return _get("step")
