"""Records what TensorFlow 2.21's TF1 queues and accumulators do, for tests/test_queues.py.

Run with the TF oracle (never imported by tfteach):
    TF_ENABLE_ONEDNN_OPTS=0 /path/to/tf/python tools/record_queues.py tests/data/queues_tf.json

Each case is a snippet run in a fresh graph with `tf` (compat.v1), `np`, a session `sess`,
`err(fn)` (an error as [class, message]) and `names(x)` (tensors/ops as [name, type,
shape]); it leaves its answer in `out`. The JSON keeps the snippet beside TF's answer; the
test runs the same snippet on tfteach. A message is kept without TF's "Graph execution
error" wrapper and node suffix, and the per-process resource number in a queue's name
('_3_fifo_queue') as '_N_'.
"""
import json
import os
import re
import sys

CASES = {
    "fifo_graph": """
q = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
e = q.enqueue([[1., 2.], 5])
em = q.enqueue_many([[[1., 2.], [3., 4.]], [6, 7]])
d = q.dequeue(); dm = q.dequeue_many(2); du = q.dequeue_up_to(2)
out = {"queue": names(q.queue_ref), "name": q.name, "enqueue": names(e),
       "enqueue_inputs": [t.name for t in e.inputs], "enqueue_many": names(em),
       "enqueue_many_inputs": [t.name for t in em.inputs],
       "dequeue": names(d), "dequeue_many": names(dm), "dequeue_up_to": names(du),
       "size": names(q.size()), "close": names(q.close()),
       "close_cancel": q.close(cancel_pending_enqueues=True).get_attr("cancel_pending_enqueues"),
       "is_closed": names(q.is_closed()),
       "attrs": [q.queue_ref.op.get_attr("capacity"),
                 [d.name for d in q.queue_ref.op.get_attr("component_types")]]}
""",
    "fifo_values": """
q = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
sess.run(q.enqueue_many([[[1., 2.], [3., 4.]], [6, 7]]))
sess.run(q.enqueue([[5., 6.], 8]))
size = sess.run(q.size())
one = sess.run(q.dequeue())
two = sess.run(q.dequeue_many(2))
sess.run(q.enqueue([[9., 9.], 1]))
sess.run(q.close())
out = {"size": int(size), "one": [one[0].tolist(), int(one[1])],
       "two": [two[0].tolist(), two[1].tolist()],
       "closed": bool(sess.run(q.is_closed())),
       "enqueue_closed": err(lambda: sess.run(q.enqueue([[0., 0.], 0]))),
       "up_to_rest": [a.tolist() for a in sess.run(q.dequeue_up_to(5))],
       "dequeue_closed": err(lambda: sess.run(q.dequeue())),
       "many_closed": err(lambda: sess.run(q.dequeue_many(2))),
       "up_to_closed": err(lambda: sess.run(q.dequeue_up_to(3)))}
""",
    "closed_keeps_elements": """
q = tf.FIFOQueue(5, tf.int32, shapes=[[]])
sess.run(q.enqueue_many([[1, 2, 3]]))
sess.run(q.close())
out = {"many": sess.run(q.dequeue_many(2)).tolist(),
       "too_many": err(lambda: sess.run(q.dequeue_many(2))),
       "last": int(sess.run(q.dequeue())),
       "size": int(sess.run(q.size()))}
""",
    "timeouts": """
q = tf.FIFOQueue(1, tf.float32, shapes=[[]])
opts = tf.RunOptions(timeout_in_ms=50)
out = {"dequeue_empty": err(lambda: sess.run(q.dequeue(), options=opts))}
sess.run(q.enqueue(1.))
out["enqueue_full"] = err(lambda: sess.run(q.enqueue(2.), options=opts))
out["many_short"] = err(lambda: sess.run(q.dequeue_many(2), options=opts))
out["size_after"] = int(sess.run(q.size()))
""",
    "unshaped": """
q = tf.FIFOQueue(10, tf.float32)
sess.run(q.enqueue([[1., 2.]]))
sess.run(q.enqueue([3.]))
d = q.dequeue()
out = {"shapes": [str(s) for s in q.shapes], "dequeue": names(d),
       "many": err(lambda: sess.run(q.dequeue_many(2))),
       "values": [sess.run(d).tolist(), sess.run(d).tolist()]}
""",
    "static_checks": """
q = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
out = {"batch_dims": err(lambda: q.enqueue_many([[[1., 2.]], [1, 2]])),
       "element_shape": err(lambda: q.enqueue([[1., 2., 3.], 1]))}
""",
    "padding": """
p = tf.PaddingFIFOQueue(10, [tf.float32, tf.int32], shapes=[[None], [None, 2]])
sess.run(p.enqueue([[1., 2.], [[1, 2]]]))
sess.run(p.enqueue([[3.], [[3, 4], [5, 6]]]))
dm = p.dequeue_many(2)
out = {"queue": names(p.queue_ref), "many": names(dm),
       "values": [a.tolist() for a in sess.run(dm)],
       "rank_mismatch": err(lambda: p.enqueue([[[1.]], [[1, 2]]]))}
""",
    "shuffle_graph": """
tf.set_random_seed(5)
r = tf.RandomShuffleQueue(10, 2, tf.float32, shapes=[[]], seed=3)
r2 = tf.RandomShuffleQueue(10, 0, tf.float32, shapes=[[]])
op = r.queue_ref.op
out = {"queue": names(r.queue_ref), "attrs": [op.get_attr("min_after_dequeue"),
       op.get_attr("seed"), op.get_attr("seed2"), op.get_attr("capacity")],
       "seeds2": [r2.queue_ref.op.get_attr("seed"), r2.queue_ref.op.get_attr("seed2")]}
""",
    "shuffle_values": """
r = tf.RandomShuffleQueue(10, 2, tf.float32, shapes=[[]], seed=3)
sess.run(r.enqueue_many([np.arange(6, dtype=np.float32)]))
got = sorted(sess.run(r.dequeue_many(4)).tolist())
held = err(lambda: sess.run(r.dequeue(), options=tf.RunOptions(timeout_in_ms=50)))
sess.run(r.close())
rest = sorted(sess.run(r.dequeue_many(2)).tolist())
out = {"got_plus_rest": sorted(got + rest), "held": held,
       "closed_empty": err(lambda: sess.run(r.dequeue()))}
""",
    "priority_graph": """
p = tf.PriorityQueue(10, [tf.string, tf.float32], shapes=[[], [2]])
e = p.enqueue([tf.constant(2, tf.int64), "b", [1., 2.]])
em = p.enqueue_many([[5, 1, 1, 3], ["e", "a", "a2", "c"], [[5., 5.], [1., 1.], [2., 2.], [3., 3.]]])
d = p.dequeue(); dm = p.dequeue_many(2); du = p.dequeue_up_to(3)
out = {"queue": names(p.queue_ref), "name": p.name, "enqueue": names(e),
       "enqueue_inputs": [t.name for t in e.inputs], "enqueue_many": names(em),
       "dequeue": names(d), "dequeue_many": names(dm), "dequeue_up_to": names(du),
       "dtypes": [t.name for t in p.dtypes], "shapes": [str(s) for s in p.shapes],
       "attrs": [p.queue_ref.op.get_attr("capacity"),
                 [t.name for t in p.queue_ref.op.get_attr("component_types")],
                 len(p.queue_ref.op.get_attr("shapes"))]}
sess.run(e); sess.run(em)
one = sess.run(d)
two = sess.run(dm)
out["one"] = [int(one[0]), one[1].decode(), one[2].tolist()]
out["two"] = [two[0].tolist(), [s.decode() for s in two[1]], two[2].tolist()]
sess.run(p.close())
out["up_to_short"] = err(lambda: sess.run(du))
out["size_after"] = int(sess.run(p.size()))
out["bad_priority"] = err(lambda: p.enqueue([1.5, "x", [0., 0.]]))
out["closed_enqueue"] = err(lambda: sess.run(p.enqueue([1, "x", [0., 0.]])))
""",
    "priority_unshaped": """
out = {"make": err(lambda: tf.PriorityQueue(10, [tf.string])),
       "partial": err(lambda: tf.PriorityQueue(10, [tf.string], shapes=[[None]]))}
""",
    "priority_ties": """
p = tf.PriorityQueue(20, tf.int32, shapes=[[]])
sess.run(p.enqueue_many([[4, 1, 4, 1, 2, 1, 4, 1, 2, 1, 0, 4], list(range(12))]))
out = {"order": [a.tolist() for a in sess.run(p.dequeue_many(12))],
       "missing": err(lambda: sess.run(p.enqueue(3)))}
""",
    "accumulator": """
a = tf.ConditionalAccumulator(tf.float32, shape=[2], shared_name="acc1")
ap = a.apply_grad([1., 2.], local_step=0)
ap2 = a.apply_grad([3., 4.], local_step=1)
ap3 = a.apply_grad([3., 4.], local_step=5)
tk = a.take_grad(2)
n = a.num_accumulated()
sg = a.set_global_step(3)
out = {"ref": names(a.accumulator_ref), "name": a.name, "apply": names(ap),
       "apply_inputs": [t.name for t in ap.inputs], "take": names(tk), "num": names(n),
       "set": names(sg), "attrs": [a.accumulator_ref.op.get_attr("reduction_type"),
                                   a.accumulator_ref.op.get_attr("shared_name")]}
sess.run(ap); sess.run(ap2)
out["n2"] = int(sess.run(n))
out["take"] = sess.run(tk).tolist()
out["n_after"] = int(sess.run(n))
sess.run(sg); sess.run(ap2)
out["n_stale"] = int(sess.run(n))
sess.run(ap3)
out["n_fresh"] = int(sess.run(n))
out["take_short"] = err(lambda: sess.run(a.take_grad(2), options=tf.RunOptions(timeout_in_ms=50)))
out["take_zero"] = err(lambda: sess.run(a.take_grad(0)))
out["bad_shape"] = err(lambda: a.apply_grad([1., 2., 3.], local_step=9))
s = tf.ConditionalAccumulator(tf.float32, shape=[2], reduction_type="SUM")
sess.run(s.apply_grad([1., 2.])); sess.run(s.apply_grad([3., 5.]))
out["sum"] = sess.run(s.take_grad(1)).tolist()
""",
    "count_up_to": """
v = tf.Variable(0, dtype=tf.int64, name="c")
c = tf.count_up_to(v, 2)
sess.run(v.initializer)
out = {"values": [int(sess.run(c)), int(sess.run(c))], "limit": err(lambda: sess.run(c)),
       "var": int(sess.run(v))}
""",
    "input_pipeline_graph": """
tf.set_random_seed(1)
x = tf.constant([1., 2., 3., 4., 5.])
sp = tf.train.string_input_producer(["a", "b", "c"], shuffle=False)
b = tf.train.batch([x[0], tf.constant("s")], batch_size=3)
sb = tf.train.shuffle_batch([x[1]], batch_size=2, capacity=10, min_after_dequeue=3, seed=1)
qrs = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
out = {"producer": [sp.name, sp.queue_ref.op.type, sp.queue_ref.op.get_attr("capacity")],
       "batch": names(b), "shuffle_batch": names(sb),
       "runners": [[qr.name, [o.name for o in qr.enqueue_ops], qr.close_op.name,
                    qr.cancel_op.name] for qr in qrs],
       "summaries": [t.op.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)]}
""",
    "input_pipeline_run": """
x = tf.constant([1., 2., 3., 4., 5.])
sp = tf.train.string_input_producer(["a", "b", "c"], shuffle=False)
b = tf.train.batch([x[0], tf.constant("s")], batch_size=3)
ep = tf.train.string_input_producer(["a", "b"], num_epochs=2, shuffle=False, name="ep")
sess.run(tf.local_variables_initializer())
coord = tf.train.Coordinator()
threads = tf.train.start_queue_runners(sess, coord)
out = {"threads": len(threads), "names": [s.decode() for s in sess.run(sp.dequeue_many(5))],
       "batch": [a.tolist() if a.dtype != object else [s.decode() for s in a]
                 for a in sess.run(b)],
       "locals": [v.name for v in tf.local_variables()]}
got = []
try:
    while True:
        got.append(sess.run(ep.dequeue()).decode())
except tf.errors.OutOfRangeError as e:
    out["end"] = clean(e.message)
out["epochs"] = got
coord.request_stop()
coord.join(threads)
""",
}


def clean(message):
    """TF's message without the wrapper of a Session.run error and the node suffix."""
    if "Node:" in message:
        message = message.split("Node:")[1].split("\n", 1)[1]
    elif message.startswith("Graph execution error:"):
        message = message.split("\n\n", 1)[1]
    message = message.split("\n\t [[")[0].split("\n\nOriginal stack")[0].strip()
    return re.sub(r"'_\d+_", "'_N_", message)


def run_case(tf, np, code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return [type(e).__name__, clean(getattr(e, "message", str(e)))]
        return None

    def names(x):
        if isinstance(x, dict):
            return {k: names(v) for k, v in sorted(x.items())}
        if isinstance(x, (list, tuple)):
            return [names(v) for v in x]
        if hasattr(x, "outputs") and hasattr(x, "type"):      # an Operation
            return [x.name, x.type]
        return [x.name, x.op.type, str(x.shape.as_list() if x.shape.rank is not None
                                        else None), x.dtype.name]

    g = tf.Graph()
    with g.as_default(), tf.Session(graph=g) as sess:
        env = {"tf": tf, "np": np, "sess": sess, "err": err, "names": names,
               "clean": clean}
        exec(code, env)  # noqa: S102 - the recorder's own snippets
        return env["out"]


def plain(o):
    """Attr strings are bytes in TF: JSON keeps them as text."""
    return o.decode() if isinstance(o, bytes) else str(o)


def main(path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf_mod
    tf = tf_mod.compat.v1
    tf.disable_eager_execution()
    tf.disable_resource_variables()
    tf.disable_v2_tensorshape()     # as `import tfteach.v1` (v2 behaviour off): '?' dims
    rec = {name: {"code": code, "tf": run_case(tf, np, code)} for name, code in CASES.items()}
    with open(path, "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True, default=plain)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
