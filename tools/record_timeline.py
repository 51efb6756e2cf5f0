"""Records the structure (not the timings) of TF 2.21's step stats and Chrome trace for a
traced step, local and across two in-process tasks, into tests/data/timeline_tf.json.

    /work/tfenv/bin/python tools/record_timeline.py

What is kept: per device the node names, op types, timeline labels and per-output
allocation fields (requested bytes, allocator); per trace event its phase, category, name,
pid/tid, the keys it carries and its args with timings removed. tests/test_timeline.py
pins tfteach's Timeline and step stats to these.
"""
import json
import os
import sys

import tensorflow as tf
from tensorflow.python.client import timeline

v1 = tf.compat.v1
v1.disable_eager_execution()
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "timeline_tf.json")


def stats_of(md):
    devs = []
    for d in md.step_stats.dev_stats:
        nodes = []
        for n in d.node_stats:
            outs = []
            for o in n.output:
                a = o.tensor_description.allocation_description
                outs.append({"slot": o.slot, "dtype": int(o.tensor_description.dtype),
                             "shape": [int(x.size) for x in o.tensor_description.shape.dim],
                             "requested_bytes": int(a.requested_bytes),
                             "allocator_name": a.allocator_name})
            nodes.append({"node_name": n.node_name, "timeline_label": n.timeline_label,
                          "outputs": outs,
                          "memory": [m.allocator_name for m in n.memory],
                          "has_op_end": n.op_end_rel_micros >= 0,
                          "fields": sorted(f.name for f, _ in n.ListFields())})
        devs.append({"device": d.device, "nodes": nodes})
    return devs


def events_of(trace):
    out = []
    for e in json.loads(trace)["traceEvents"]:
        keep = {k: v for k, v in e.items() if k not in ("ts", "dur", "id")}
        keep["keys"] = sorted(e)
        out.append(keep)
    return out


def traced(sess, fetches, feed=None):
    md = v1.RunMetadata()
    sess.run(fetches, feed_dict=feed,
             options=v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE), run_metadata=md)
    return md


def local_case():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [2, 3], name="x")
        w = tf.constant([[1.0], [2.0], [3.0]], name="w")
        y = tf.matmul(x, w, name="y")
        z = tf.reduce_sum(tf.nn.relu(y, name="r"), name="z")
        with v1.Session(graph=g) as sess:
            md = traced(sess, z, {x: [[1, 2, 3], [4, 5, 6]]})
    tl = timeline.Timeline(md.step_stats)
    return {"stats": stats_of(md),
            "trace": events_of(tl.generate_chrome_trace_format()),
            "trace_memory": events_of(timeline.Timeline(md.step_stats)
                                  .generate_chrome_trace_format(show_memory=True)),
            "pretty_prefix": tl.generate_chrome_trace_format()[:40]}




def distributed_case():
    import socket

    def port():
        s = socket.socket()
        s.bind(("localhost", 0))
        p = s.getsockname()[1]
        s.close()
        return p
    spec = v1.train.ClusterSpec({"ps": [f"localhost:{port()}"],
                                 "worker": [f"localhost:{port()}"]})
    ps = v1.train.Server(spec, job_name="ps", task_index=0)
    wk = v1.train.Server(spec, job_name="worker", task_index=0)
    g = tf.Graph()
    with g.as_default():
        with tf.device("/job:ps/task:0"):
            a = tf.constant([1.0, 2.0, 3.0, 4.0], name="a")
        with tf.device("/job:worker/task:0"):
            b = tf.multiply(a, 2.0, name="b")
        with v1.Session(wk.target, graph=g) as sess:
            md = traced(sess, b)
    del ps
    return {"stats": stats_of(md),
            "trace": events_of(timeline.Timeline(md.step_stats).generate_chrome_trace_format())}


# a step stats written by hand (HANDMADE is shared with tests/test_timeline.py, which
# builds the same with tfteach's classes): every value is known, so the whole trace,
# timings and ids included, is compared
HANDMADE = [
    ("/job:ps/replica:0/task:0/device:CPU:0",
     [("p", "p = Const()", 100, 5, [(1, [2], 8)]),
      ("p_S0", "p_S0 = _Send(p)", 106, 20, [])]),
    ("/job:worker/replica:0/task:0/device:CPU:0",
     [("p_S1", "p_S1 = _Recv()", 110, 18, [(1, [2], 8)]),
      ("q", "q = Const()", 110, 0, [(1, [], 4)]),
      ("c", "c = Mul(p_S1, q)", 130, 7, [(1, [2], 8)]),
      ("d", "d = Neg(p)", 131, 2, [(1, [2], 8)])]),
]


def handmade_case():
    from tensorflow.core.framework import step_stats_pb2
    ss = step_stats_pb2.StepStats()
    for device, nodes in HANDMADE:
        d = ss.dev_stats.add(device=device)
        for name, label, start, dur, outs in nodes:
            n = d.node_stats.add(node_name=name, timeline_label=label, all_start_micros=start,
                                 all_end_rel_micros=dur, op_end_rel_micros=dur)
            for slot, (dtype, shape, nbytes) in enumerate(outs):
                o = n.output.add(slot=slot)
                o.tensor_description.dtype = dtype
                for size in shape:
                    o.tensor_description.shape.dim.add(size=size)
                a = o.tensor_description.allocation_description
                a.requested_bytes = nbytes
                a.allocated_bytes = nbytes
                a.allocator_name = "cpu"
    return {"trace": timeline.Timeline(ss).generate_chrome_trace_format(),
            "trace_memory": timeline.Timeline(ss).generate_chrome_trace_format(
                show_memory=True),
            "trace_no_flow": timeline.Timeline(ss).generate_chrome_trace_format(
                show_dataflow=False)}


if __name__ == "__main__":
    rec = {"tf_version": tf.__version__, "local": local_case(), "distributed": distributed_case(),
           "handmade": handmade_case()}
    with open(OUT, "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(OUT), file=sys.stderr)
