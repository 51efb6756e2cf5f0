"""Event files read back with TensorBoard's own loader (the `tensorboard` package's
EventFileLoader and its protobufs), not with tfteach's reader: what TensorBoard shows is what
these fields say. Checked: wall_time is the writing time, steps, the scalar values, and
GraphDef shapes with -1 for an unknown dimension (TensorShapeProto's convention) and
unknown_rank for an unknown rank."""
import glob
import os
import time

import pytest

pytestmark = pytest.mark.mode("both")

loader = pytest.importorskip("tensorboard.backend.event_processing.event_file_loader")
from tensorboard.compat.proto import graph_pb2  # noqa: E402


def _events(logdir, migrated=False):
    """The events as written (LegacyEventFileLoader), or as TensorBoard's backend turns them
    into its data model (EventFileLoader: scalars become tensors, the graph a summary)."""
    files = glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))
    assert len(files) == 1, files
    cls = loader.EventFileLoader if migrated else loader.LegacyEventFileLoader
    return list(cls(files[0]).Load())


def _dims(shape_proto):
    return None if shape_proto.unknown_rank else [d.size for d in shape_proto.dim]


def test_filewriter_fields(tf1, tmp_path):
    tf = tf1
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    u = tf.placeholder(tf.float32, None, name="u")
    y = tf.reduce_sum(x * 2.0, name="y")
    s = tf.summary.scalar("loss", y)
    t0 = time.time()
    with tf.Session() as sess:
        w = tf.summary.FileWriter(str(tmp_path), sess.graph)
        for step in (3, 7):
            w.add_summary(sess.run(s, {x: [[1.0, 2.0, float(step)]]}), step)
        w.close()
    t1 = time.time()
    evs = _events(tmp_path)
    assert evs[0].file_version == "brain.Event:2"
    for ev in evs:
        assert t0 - 1.0 <= ev.wall_time <= t1 + 1.0, ev
    assert evs[1].wall_time <= evs[2].wall_time <= evs[3].wall_time
    gd = graph_pb2.GraphDef.FromString(evs[1].graph_def)
    nodes = {n.name: n for n in gd.node}
    assert _dims(nodes["x"].attr["shape"].shape) == [-1, 3]
    assert _dims(nodes["x"].attr["_output_shapes"].list.shape[0]) == [-1, 3]
    assert _dims(nodes["u"].attr["shape"].shape) is None
    assert _dims(nodes["y"].attr["_output_shapes"].list.shape[0]) == []
    assert nodes["y"].op == "Sum" and list(nodes["y"].input)[0].startswith("mul")
    scalars = [(ev.step, v.tag, v.simple_value) for ev in evs[2:] for v in ev.summary.value]
    assert scalars == [(3, "loss", 12.0), (7, "loss", 20.0)]
    shown = [(ev.step, v.tag, v.tensor.float_val[0], v.metadata.plugin_data.plugin_name)
             for ev in _events(tmp_path, migrated=True) for v in ev.summary.value
             if v.tag == "loss"]
    assert shown == [(3, "loss", 12.0, "scalars"), (7, "loss", 20.0, "scalars")]


def test_create_file_writer_fields(tf2, tmp_path):
    tf = tf2
    t0 = time.time()
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        tf.summary.scalar("acc", 0.25, step=4)
        tf.summary.scalar("acc", 0.5, step=5)
    w.close()
    t1 = time.time()
    evs = _events(tmp_path)
    assert evs[0].file_version == "brain.Event:2"
    assert all(t0 - 1.0 <= ev.wall_time <= t1 + 1.0 for ev in evs)
    got = []
    for ev in evs[1:]:
        for v in ev.summary.value:
            assert v.metadata.plugin_data.plugin_name == "scalars"
            got.append((ev.step, v.tag, float(tf.make_ndarray(v.tensor))
                        if hasattr(tf, "make_ndarray") else v.tensor.float_val[0]))
    assert got == [(4, "acc", 0.25), (5, "acc", 0.5)]


def test_filewriter_cache_clear_closes_and_flushes(tf1, tmp_path):
    tf = tf1
    summ = tf.summary.scalar("t", tf.constant(1.5, name="c"))
    w = tf.summary.FileWriterCache.get(str(tmp_path))
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is w
    with tf.Session() as sess:
        w.add_summary(sess.run(summ), 2)
    tf.summary.FileWriterCache.clear()       # closing flushes what was queued
    evs = _events(tmp_path)
    assert [(ev.step, v.tag, v.simple_value) for ev in evs for v in ev.summary.value] == \
        [(2, "t", 1.5)]
    assert graph_pb2.GraphDef.FromString(evs[1].graph_def).node[0].name == "c"
    w2 = tf.summary.FileWriterCache.get(str(tmp_path))
    assert w2 is not w
    tf.summary.FileWriterCache.clear()


def test_flush_writes_before_close_and_reopen_writes_a_new_file(tf1, tmp_path):
    tf = tf1
    summ = tf.summary.scalar("v", tf.constant(2.5))
    w = tf.summary.FileWriter(str(tmp_path), flush_secs=3600)
    with tf.Session() as sess:
        w.add_summary(sess.run(summ), 1)
        w.flush()                       # visible to TensorBoard while the writer stays open
        assert [(ev.step, v.simple_value) for ev in _events(tmp_path)
                for v in ev.summary.value] == [(1, 2.5)]
        w.close()
        w.reopen()          # TF: later events go to a new file, named by the current second
        w.add_summary(sess.run(summ), 2)
        w.close()
    newest = max(glob.glob(os.path.join(str(tmp_path), "events.out.tfevents.*")),
                 key=os.path.getmtime)
    evs = list(loader.LegacyEventFileLoader(newest).Load())
    assert evs[0].file_version == "brain.Event:2"
    assert [ev.step for ev in evs if ev.summary.value] == [2]


def test_add_session_log_keeps_its_step(tf1, tmp_path):
    from tfteach.summary import _pb          # tfteach has no tf.SessionLog yet: its protobuf
    w = tf1.summary.FileWriter(str(tmp_path))
    w.add_session_log(_pb().event.SessionLog(status=1), 5)      # START
    w.add_session_log(_pb().event.SessionLog(status=3))         # CHECKPOINT, no step
    w.close()
    logs = [(ev.step, ev.session_log.status) for ev in _events(tmp_path)
            if ev.HasField("session_log")]
    assert logs == [(5, 1), (0, 3)]
