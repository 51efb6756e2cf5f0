"""Traced steps as timelines: the step stats' TF fields (per-output TensorDescription, the
bytes a _Send moved), `tfteach.client.timeline.Timeline`'s Chrome trace against TF 2.21's
(tests/data/timeline_tf.json, recorded by tools/record_timeline.py), and the StepTimeline
widget / `tfteach.viz.timeline` / `%timeline` drawing of local and distributed steps."""
import configparser
import json
import os
import re

import pytest

import tfteach.v1 as tf
from tfteach import viz
from tfteach.client.timeline import Timeline
from tfteach.runtime.step_stats import (NodeExecStats, NodeOutput, TensorDescription,
                                        _DeviceStepStats, _StepStats)

pytestmark = pytest.mark.mode("v1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "tests", "data", "timeline_tf.json")) as _f:
    TF = json.load(_f)
FULL = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def _traced(sess, fetch, feed=None):
    md = tf.RunMetadata()
    sess.run(fetch, feed, options=FULL, run_metadata=md)
    return md


@pytest.fixture(scope="module")
def local_md():
    """The recording's local graph, one traced step."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 3], name="x")
        w = tf.constant([[1.0], [2.0], [3.0]], name="w")
        y = tf.matmul(x, w, name="y")
        z = tf.reduce_sum(tf.nn.relu(y, name="r"), name="z")
        with tf.Session(graph=g) as sess:
            return _traced(sess, z, {x: [[1, 2, 3], [4, 5, 6]]})


@pytest.fixture(scope="module")
def dist():
    """The recording's ps/worker step: `a` on the PS, `b = a * 2` on the worker; two traced
    steps (run to run, the timings differ and nothing else does)."""
    spec = tf.train.ClusterSpec({"ps": ["localhost:4731"], "worker": ["localhost:4732"]})
    servers = [tf.distribute.Server(spec, job_name=j, task_index=0) for j in ("ps", "worker")]
    g = tf.Graph()
    with g.as_default():
        with tf.device("/job:ps/task:0"):
            a = tf.constant([1.0, 2.0, 3.0, 4.0], name="a")
        with tf.device("/job:worker/task:0"):
            b = tf.multiply(a, 2.0, name="b")
    with tf.Session(servers[1].target, graph=g) as sess:
        return [_traced(sess, b) for _ in range(2)]


def _by_name(stats):
    return {n["node_name"]: n for d in stats for n in d["nodes"]}


def _ours(md):
    return {n.node_name: n for d in md.step_stats.dev_stats for n in d.node_stats}


# --- the step stats ---------------------------------------------------------------------
def test_step_stats_describe_each_output_as_tf(local_md):
    tf_nodes, ours = _by_name(TF["local"]["stats"]), _ours(local_md)
    for name in ("w", "y", "r", "z"):
        want = [{k: o[k] for k in ("slot", "dtype", "shape", "requested_bytes")}
                for o in tf_nodes[name]["outputs"]]
        got = [{"slot": o.slot, "dtype": o.tensor_description.dtype,
                "shape": [d.size for d in o.tensor_description.shape.dim],
                "requested_bytes": o.tensor_description.allocation_description.requested_bytes}
               for o in ours[name].output]
        assert got == want, name
    # labels name the inputs as a NodeDef does (y's differs in TF only by its MKL rewrite
    # and the fed placeholder's _Arg)
    for name in ("w", "r", "z"):
        assert ours[name].timeline_label == tf_nodes[name]["timeline_label"]


def test_a_send_records_the_bytes_it_moved(dist):
    """TF records the transfer where the tensor lands (a RecvTensor of 16 bytes on the
    worker); tfteach records the same bytes on the PS's _Send, and the worker's _Recv
    produces them."""
    tf_recv = next(n for d in TF["distributed"]["stats"] for n in d["nodes"]
                   if n["node_name"] == "RecvTensor")
    nbytes = tf_recv["outputs"][0]["requested_bytes"]
    assert nbytes == 16
    devs = {d.device: d.node_stats for d in dist[0].step_stats.dev_stats}
    ps, wk = (devs[f"/job:{j}/replica:0/task:0/device:CPU:0"] for j in ("ps", "worker"))
    send = next(n for n in ps if n.op_type == "_Send")
    recv = next(n for n in wk if n.op_type == "_Recv")
    for n in (send, recv):
        assert [o.tensor_description.allocation_description.requested_bytes
                for o in n.output] == [nbytes]
    # the worker's Mul is labelled as TF labels it, the received tensor by its Recv's name
    tf_b = _by_name(TF["distributed"]["stats"])["b"]["timeline_label"]
    assert _ours(dist[0])["b"].timeline_label == tf_b == "b = Mul(a_S1, b/y)"


# --- the Chrome trace -------------------------------------------------------------------
def _handmade():
    """tools/record_timeline.py's HANDMADE step stats, with tfteach's classes."""
    spec = [("/job:ps/replica:0/task:0/device:CPU:0",
             [("p", "Const", [], 100, 5, [(1, [2], 8)]),
              ("p_S0", "_Send", ["p"], 106, 20, [])]),
            ("/job:worker/replica:0/task:0/device:CPU:0",
             [("p_S1", "_Recv", [], 110, 18, [(1, [2], 8)]),
              ("q", "Const", [], 110, 0, [(1, None, 4)]),
              ("c", "Mul", ["p_S1", "q"], 130, 7, [(1, [2], 8)]),
              ("d", "Neg", ["p"], 131, 2, [(1, [2], 8)])])]
    ss = _StepStats()
    for device, nodes in spec:
        d = _DeviceStepStats(device)
        for name, op, inputs, start, dur, outs in nodes:
            d.node_stats.append(NodeExecStats(
                name, op, start, dur, device, inputs=inputs,
                outputs=[NodeOutput(i, TensorDescription(dt, shape, nb))
                         for i, (dt, shape, nb) in enumerate(outs)]))
        ss.dev_stats.append(d)
    return ss


@pytest.mark.parametrize("kind,kwargs", [("trace", {}), ("trace_memory", {"show_memory": True}),
                                         ("trace_no_flow", {"show_dataflow": False})])
def test_chrome_trace_of_known_step_stats_is_tfs_text(kind, kwargs):
    """Step stats with known timings: the whole JSON text (events, pids, lanes, flows,
    tensor snapshots, memory counters, pretty printing) as TF's Timeline writes it."""
    got = Timeline(_handmade()).generate_chrome_trace_format(**kwargs)
    assert got == TF["handmade"][kind]


def _structure(trace):
    out = []
    for e in json.loads(trace)["traceEvents"]:
        keep = {k: v for k, v in e.items() if k not in ("ts", "dur", "id")}
        keep["keys"] = sorted(e)
        out.append(keep)
    return out


def _groups(events):
    """The order of event kinds: metadata, tensors created, ops (and flows), tensors
    deleted, counters."""
    kind = {"M": 0, "N": 1, "O": 1, "X": 2, "s": 2, "t": 2, "D": 3, "C": 4}
    seq = [kind[e["ph"]] for e in events]
    return [k for i, k in enumerate(seq) if i == 0 or seq[i - 1] != k]


@pytest.mark.parametrize("case", ["local", "distributed"])
def test_chrome_trace_of_a_real_step_has_tfs_structure(case, local_md, dist):
    md = local_md if case == "local" else dist[0]
    want = TF[case]["trace"]
    got = _structure(Timeline(md.step_stats).generate_chrome_trace_format())
    # processes: Allocators first, then a Compute and a Tensors process per device
    meta = [e for e in got if e["ph"] == "M"]
    tf_meta = [e for e in want if e["ph"] == "M"]
    assert meta[0] == tf_meta[0]
    assert {e["args"]["name"] for e in meta} == {e["args"]["name"] for e in tf_meta}
    assert [e["pid"] for e in meta] == list(range(len(meta)))
    assert {e["keys"].__str__() for e in meta} == {e["keys"].__str__() for e in tf_meta}
    # ops: complete events of category Op named by type, args name/op/inputN
    ops = {e["args"]["name"]: e for e in got if e["ph"] == "X"}
    tf_ops = {e["args"]["name"]: e for e in want if e["ph"] == "X"}
    compute = {e["pid"] for e in meta if e["args"]["name"].endswith(" Compute")}
    for e in ops.values():
        assert e["keys"] == next(iter(tf_ops.values()))["keys"]
        assert e["cat"] == "Op" and e["name"] == e["args"]["op"] and e["pid"] in compute
    shared = {"local": ("w", "r", "z"), "distributed": ("a", "b")}[case]
    # the lane (tid) depends on which ops overlapped in time in this run: checked below
    for name in shared:
        assert {k: v for k, v in ops[name].items() if k not in ("pid", "tid")} == \
            {k: v for k, v in tf_ops[name].items() if k not in ("pid", "tid")}
    assert _groups(got) == _groups(want)
    # TF's lane rule: an op goes to the first lane of its device that is free when it starts,
    # so no two ops of one lane overlap
    lanes = {}
    for e in json.loads(Timeline(md.step_stats).generate_chrome_trace_format())["traceEvents"]:
        if e["ph"] == "X":
            lanes.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for spans in lanes.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans


def test_chrome_trace_with_memory_has_tfs_event_kinds(local_md):
    want = TF["local"]["trace_memory"]
    got = _structure(Timeline(local_md.step_stats).generate_chrome_trace_format(
        show_memory=True))
    assert _groups(got) == _groups(want)
    for ph in "NODC":
        keys = {tuple(e["keys"]) for e in want if e["ph"] == ph}
        assert {tuple(e["keys"]) for e in got if e["ph"] == ph} == keys, ph
    snapshot = next(e for e in got if e["ph"] == "O" and e["name"] == "w")
    assert "requested_bytes: 12" in snapshot["args"]["snapshot"]["tensor_description"]
    # a counter per allocator; all tensors freed at the end
    counters = [e for e in got if e["ph"] == "C"]
    assert counters[-1]["args"] == {counters[-1]["name"]: 0}


# --- the widget -------------------------------------------------------------------------
def test_timeline_lanes_bars_and_transfers(dist):
    t = viz.timeline(dist[0])
    step = t.step
    assert list(step.lanes) and set(step.lanes) == {
        "/job:ps/replica:0/task:0/device:CPU:0", "/job:worker/replica:0/task:0/device:CPU:0"}
    ps_ops = [b.name for b in step.lanes["/job:ps/replica:0/task:0/device:CPU:0"]]
    assert "a" in ps_ops and any(re.fullmatch(r"a_S\d+", n) for n in ps_ops)
    transfers = {(d.split("/")[1], op, direction, n) for d, _, op, direction, n in
                 step.transfers()}
    assert transfers == {("job:ps", "_Send", "sent", 16), ("job:worker", "_Recv", "received", 16),
                         ("job:worker", "_Send", "sent to the client", 16)}
    assert step.bytes_sent() == 16
    # a, a_S0 on the PS; a_S1, b/y, b, _send_b_0 on the worker
    assert t.summary() == "<StepTimeline: 2 devices, 6 ops, 1 Send moving 16 B>"
    for b in step.bars:        # bars start at the step's start and do not end before it
        assert b.start >= 0 and b.duration >= 0
    html = t.static_html()
    assert "→ 16 B" in html and "← 16 B" in html
    assert re.search(r"<title>a_S\d+ \(_Send\)\non /job:ps/replica:0/task:0/device:CPU:0", html)
    bundle = t._repr_mimebundle_()
    assert bundle["text/plain"] == t.summary()
    assert 'class="tfteach-static"' in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def _sanitize(text):
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(os.path.join(ROOT, "lessons", "nbval_sanitize.cfg"))
    for section in cfg.sections():
        text = re.sub(cfg[section]["regex"], cfg[section]["replace"], text)
    return text


def test_static_copy_compares_equal_across_runs_after_sanitizing(dist):
    """What a notebook stores (text/plain, the static text/html) is the same for two runs
    of the step once lessons/nbval_sanitize.cfg has masked the timings."""
    a, b = (viz.timeline(md) for md in dist)
    assert a.step.signature() == b.step.signature()
    assert a.summary() == b.summary()
    sa, sb = (_sanitize(t._repr_mimebundle_()["text/html"]) for t in (a, b))
    assert sa == sb and "tfteach-timeline" in sa


def test_step_selector_switches_the_drawn_step(dist, local_md):
    t = viz.timeline([dist[0], local_md], names=["distributed", "local"])
    assert t.selector.options == (("distributed", 0), ("local", 1))
    assert "16 B" in t.static_html()
    t.selector.value = 1                 # what a click does
    assert t.selected == 1 and t.step.name == "local"
    assert "16 B" not in t.static_html() and "5 ops on 1 device" in t.static_html()
    t.select(0)
    assert t.selector.value == 0
    assert t.summary() == "<StepTimeline: 2 steps, showing distributed>"
    with pytest.raises(IndexError):
        t.select(2)


def test_static_drawing_without_widgets(dist):
    from tfteach.viz.steptrace import TimelineDrawing
    d = TimelineDrawing(dist)
    bundle = d._repr_mimebundle_()
    assert bundle["text/plain"] == "<tfteach step timelines: 2 steps>"
    assert bundle["text/html"].count("<svg") == 2


def test_untraced_run_metadata_says_how_to_trace():
    with pytest.raises(ValueError, match=r"trace_level=RunOptions.FULL_TRACE"):
        viz.timeline(tf.RunMetadata())
    with pytest.raises(TypeError, match="RunMetadata"):
        viz.timeline(3)


def test_timeline_magic(local_md):
    from IPython.core.interactiveshell import InteractiveShell
    from tfteach.magics.widgets import StepTimeline
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tfteach")
    shell.user_ns["md_for_magic"] = local_md
    t = shell.run_line_magic("timeline", "md_for_magic --width 500")
    assert isinstance(t, StepTimeline) and 'width="500"' in t.static_html()
