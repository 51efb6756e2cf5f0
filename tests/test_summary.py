"""tf.summary (v1) ops and FileWriter: bytes equal to TF's, event files read back."""
import os
import struct

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")

pytest.importorskip("tensorboardX")
from tensorboardX.proto import event_pb2, graph_pb2, summary_pb2  # noqa: E402


def _events(logdir):
    (name,) = [n for n in os.listdir(logdir) if n.startswith("events.out.tfevents.")]
    data = open(os.path.join(logdir, name), "rb").read()
    out, i = [], 0
    while i < len(data):
        n = struct.unpack("<Q", data[i:i + 8])[0]
        ev = event_pb2.Event()
        ev.ParseFromString(data[i + 12:i + 12 + n])
        out.append(ev)
        i += 12 + n + 4
    return out


def test_scalar_summary_bytes_equal_tensorflow(tf1):
    mse = tf1.identity(tf1.constant(3.5), name="mse")
    s = tf1.summary.scalar("MSE", mse)
    assert repr(s) == "<tf.Tensor 'MSE_1:0' shape=() dtype=string>"
    assert s.op.type == "ScalarSummary"
    with tf1.Session() as sess:
        b = sess.run(s)
    assert type(b) is bytes and b == b"\n\x0c\n\x05MSE_1\x15\x00\x00`@"


def test_histogram_and_text_bytes_equal_tensorflow(tf1):
    h = tf1.summary.histogram("H", tf1.constant([1., 2., 3., 3.]))
    t = tf1.summary.text("T", tf1.constant("hello"))
    with tf1.Session() as sess:
        hb, tb = sess.run([h, t])
    # recorded from TensorFlow 2.21
    assert hb.startswith(b"\n\xa7\x01\n\x01H*\xa1\x01\t\x00\x00\x00\x00\x00\x00\xf0?")
    assert len(hb) == 170
    assert tb == b"\n\x1a\n\x01TB\x0b\x08\x07\x12\x00B\x05helloJ\x08\n\x06\n\x04text"


def test_histogram_nan_is_an_error(tf1):
    from tfteach import errors
    h = tf1.summary.histogram("bad", tf1.constant([1.0, np.nan]))
    with tf1.Session() as sess, pytest.raises(errors.InvalidArgumentError, match="Nan"):
        sess.run(h)


def test_merge_all_and_file_writer(tf1, tmp_path):
    with tf1.name_scope("loss"):
        x = tf1.placeholder(tf1.float32, [], name="x")
        tf1.summary.scalar("value", x * 2.0)
    tf1.summary.histogram("w", tf1.constant([0.5, -1.0]))
    merged = tf1.summary.merge_all()
    assert merged.op.type == "MergeSummary" and merged.op.name == "Merge/MergeSummary"
    writer = tf1.summary.FileWriter(str(tmp_path), tf1.get_default_graph())
    with tf1.Session() as sess:
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: float(step)}), step)
    writer.flush()
    writer.close()
    events = _events(str(tmp_path))
    assert events[0].file_version.startswith("brain.Event")
    gd = graph_pb2.GraphDef()
    gd.ParseFromString(events[1].graph_def)
    assert "loss/mul" in [n.name for n in gd.node]
    summaries = [e for e in events if e.HasField("summary")]
    assert [e.step for e in summaries] == [0, 1, 2]
    assert [v.tag for v in summaries[2].summary.value] == ["loss/value", "w"]
    assert summaries[2].summary.value[0].simple_value == 4.0


def test_merge_all_without_summaries_is_none(tf1):
    assert tf1.summary.merge_all() is None


def test_summary_parse_roundtrip(tf1):
    s = tf1.summary.scalar("a", tf1.constant(1.25))
    with tf1.Session() as sess:
        pb = summary_pb2.Summary()
        pb.ParseFromString(sess.run(s))
    assert pb.value[0].tag == "a" and pb.value[0].simple_value == 1.25


def test_tf2_summaries_write_events(tf2, tmp_path):
    writer = tf2.summary.create_file_writer(str(tmp_path))
    assert tf2.summary.scalar("ignored", 1.0, step=0) is False     # no default writer
    with writer.as_default():
        for step in range(3):
            assert tf2.summary.scalar("loss", tf2.constant(0.5 * step), step=step)
        tf2.summary.histogram("w", tf2.constant([1.0, 2.0, 2.0]), step=2)
        tf2.summary.text("note", "hello", step=2)
        with pytest.raises(ValueError, match="No step set"):
            tf2.summary.scalar("x", 1.0)
    writer.close()
    from tensorboardX.proto import tensor_pb2  # noqa: F401
    events = [e for e in _events(str(tmp_path)) if e.HasField("summary")]
    vals = [(e.step, v.tag, v.metadata.plugin_data.plugin_name) for e in events
            for v in e.summary.value]
    assert vals[:3] == [(0, "loss", "scalars"), (1, "loss", "scalars"), (2, "loss", "scalars")]
    assert events[2].summary.value[0].tensor.float_val == [1.0]
    assert (2, "w", "histograms") in vals and (2, "note", "text") in vals
