"""Records what TensorFlow 2.21's `tf.queue` does eagerly and inside tf.function, for
tests/test_queues_eager.py.

Run with the TF oracle (never imported by tfteach):
    TF_ENABLE_ONEDNN_OPTS=0 /path/to/tf/python tools/record_queues_eager.py \
        tests/data/queues_tf2.json

Each case is a snippet run with `tf` (the TF 2 namespace, eager), `np`, `err(fn)` (an error
as [class, message]), `val(x)` (tensors, lists and dicts of them as plain values) and
`names(fn, *args)` (the [name, type] of the ops in a tf.function's graph); it leaves its
answer in `out`. The JSON keeps the snippet beside TF's answer; the test runs the same
snippet on tfteach. A tf.function's error keeps only the kernel's words after TF's traceback
of the node, and its function's number as N. Messages are kept without the "{{function_node __wrapped__...}} " prefix
of TF's eager kernels (an implementation detail of its op wrappers), and an eager queue's
resource name (a process-wide counter, FIFOQueue '17') as 'N'.
"""
import json
import os
import re
import sys

CASES = {
    "fifo_eager": """
q = tf.queue.FIFOQueue(3, tf.float32)
out = {"name": q.name, "dtypes": [d.name for d in q.dtypes], "shapes": [str(s) for s in q.shapes],
       "names": q.names, "ref": [q.queue_ref.dtype.name, q.queue_ref.shape.as_list()],
       "enqueue": repr(q.enqueue(1.0)), "enqueue_many": repr(q.enqueue_many([[2., 3.]])),
       "size": val(q.size()), "size_dtype": q.size().dtype.name,
       "dequeue": val(q.dequeue()), "dequeue_dtype": q.dequeue().dtype.name,
       "is_closed": val(q.is_closed()), "many_unshaped": err(lambda: q.dequeue_many(1))}
q.enqueue(4.)
out["close"] = repr(q.close())
out["closed"] = val(q.is_closed())
out["enqueue_closed"] = err(lambda: q.enqueue(5.))
out["many_closed_unshaped"] = err(lambda: q.dequeue_up_to(1))
out["dequeue_last"] = [val(q.dequeue()), val(q.dequeue())]
out["dequeue_empty_closed"] = err(q.dequeue)
""",
    "fifo_shaped": """
q = tf.queue.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
q.enqueue_many([[[1., 2.], [3., 4.], [5., 6.]], [7, 8, 9]])
q.enqueue(([0.5, 1.5], 10))
one = q.dequeue()
many = q.dequeue_many(2)
out = {"one": val(one), "one_shapes": [t.shape.as_list() for t in one], "many": val(many),
       "size": val(q.size()), "negative": err(lambda: q.dequeue_many(-1)),
       "shapes": [str(s) for s in q.shapes]}
q.close(cancel_pending_enqueues=True)
out["closed"] = val(q.is_closed())
out["many_short"] = err(lambda: q.dequeue_many(3))
out["size_after_short"] = val(q.size())
out["up_to"] = val(q.dequeue_up_to(5))
out["up_to_empty"] = err(lambda: q.dequeue_up_to(5))
out["many_empty"] = err(lambda: q.dequeue_many(1))
out["enqueue_many_closed"] = err(lambda: q.enqueue_many([[[1., 2.]], [1]]))
""",
    "validation": """
q = tf.queue.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
out = {"element_shape": err(lambda: q.enqueue([[1., 2., 3.], 1])),
       "batch_shape": err(lambda: q.enqueue_many([[[1., 2.]], [[1, 2]]])),
       "batch_dims": err(lambda: q.enqueue_many([[[1., 2.]], [1, 2]])),
       "dtype": err(lambda: q.enqueue([[1., 2.], "x"])),
       "int_for_float": val(q.enqueue([[1, 2], 3])),
       "too_few": err(lambda: q.enqueue([[1., 2.]])),
       "dict_unnamed": err(lambda: q.enqueue({"a": [1., 2.], "b": 1})),
       "scalar_many": err(lambda: q.enqueue_many([1., 2])),
       "partial_shape": err(lambda: tf.queue.FIFOQueue(3, tf.float32, shapes=[[None]])),
       "unknown_rank": err(lambda: tf.queue.FIFOQueue(3, tf.float32, shapes=[None])),
       "shape_type": err(lambda: tf.queue.FIFOQueue(3, tf.float32, shapes=5)),
       "names_len": err(lambda: tf.queue.FIFOQueue(3, tf.float32, names=["a", "b"])),
       "shapes_len": err(lambda: tf.queue.FIFOQueue(3, tf.float32, shapes=[[1], [2]])),
       "one_shape": [str(s) for s in tf.queue.FIFOQueue(3, tf.float32, shapes=[2, 3]).shapes],
       "tensorshape": [str(s) for s in tf.queue.FIFOQueue(
           3, tf.float32, shapes=tf.TensorShape([4])).shapes],
       "padding_partial": err(lambda: tf.queue.PaddingFIFOQueue(3, tf.float32, shapes=[None])),
       "padding_count": err(lambda: tf.queue.PaddingFIFOQueue(
           3, [tf.float32, tf.int32], shapes=[[None]])),
       "padding_none": err(lambda: tf.queue.PaddingFIFOQueue(3, tf.float32, shapes=None))}
""",
    "named": """
q = tf.queue.FIFOQueue(5, [tf.float32, tf.int32], shapes=[[2], []], names=["x", "y"])
out = {"names": q.names, "enqueue": repr(q.enqueue({"y": 3, "x": [1., 2.]})),
       "list": err(lambda: q.enqueue([[1., 2.], 3])),
       "keys": err(lambda: q.enqueue({"x": [1., 2.], "z": 3})),
       "bad_shape": err(lambda: q.enqueue({"x": [1., 2., 3.], "y": 3}))}
q.enqueue_many({"x": [[3., 4.], [5., 6.]], "y": [4, 5]})
d = q.dequeue()
out["dequeue"] = val(d)
out["dequeue_keys"] = sorted(d)
out["many"] = val(q.dequeue_many(2))
s = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]], names="k")
s.enqueue({"k": 7})
out["single_name"] = [s.names, val(s.dequeue())]
""",
    "padding_eager": """
p = tf.queue.PaddingFIFOQueue(10, [tf.float32, tf.int32], shapes=[[None], [None, 2]])
p.enqueue([[1., 2.], [[1, 2]]])
p.enqueue([[3.], [[3, 4], [5, 6]]])
p.enqueue([[4., 5., 6.], [[7, 8]]])
out = {"many": val(p.dequeue_many(2)), "one": val(p.dequeue()),
       "shapes": [str(s) for s in p.shapes],
       "rank": err(lambda: p.enqueue([[[1.]], [[1, 2]]])),
       "inner": err(lambda: p.enqueue([[1.], [[1, 2, 3]]]))}
p.close()
out["up_to_empty"] = err(lambda: p.dequeue_up_to(2))
""",
    "shuffle_eager": """
r = tf.queue.RandomShuffleQueue(10, 2, tf.int32, shapes=[[]], seed=7)
r.enqueue_many([list(range(8))])
got = val(r.dequeue_many(6))
r.close()
rest = val(r.dequeue_up_to(5))
out = {"all": sorted(got + rest), "counts": [len(got), len(rest)],
       "empty": err(r.dequeue), "seed_ok": r.dtypes[0].name,
       "unshaped_many": err(lambda: tf.queue.RandomShuffleQueue(5, 0, tf.int32)
                                        .dequeue_many(1))}
""",
    "priority_eager": """
p = tf.queue.PriorityQueue(20, [tf.string, tf.float32], shapes=[[], [2]])
pairs = [(3, "c"), (1, "a"), (3, "c2"), (1, "a2"), (2, "b"), (1, "a3"), (3, "c3"),
         (1, "a4"), (2, "b2"), (1, "a5"), (-4, "m"), (0, "z")]
for i, (pr, s) in enumerate(pairs):
    p.enqueue([pr, s, [float(i), -float(i)]])
out = {"dtypes": [d.name for d in p.dtypes], "shapes": [str(s) for s in p.shapes],
       "name": p.name, "size": val(p.size())}
first = p.dequeue()
out["first"] = val(first)
out["first_dtypes"] = [t.dtype.name for t in first]
out["many"] = val(p.dequeue_many(6))
p.enqueue_many([[5, 2, 2, 9], ["e", "b3", "b4", "n"], [[1., 1.], [2., 2.], [3., 3.], [4., 4.]]])
out["rest"] = val(p.dequeue_many(9))
p.enqueue([1, "x", [0., 0.]])
p.enqueue([0, "y", [0., 0.]])
p.close()
out["up_to"] = err(lambda: p.dequeue_up_to(4))      # TF's drops what it took, then fails
out["size_after_up_to"] = val(p.size())
out["empty"] = err(p.dequeue)
out["empty_up_to"] = err(lambda: p.dequeue_up_to(2))
out["closed_enqueue"] = err(lambda: p.enqueue([1, "x", [0., 0.]]))
q = tf.queue.PriorityQueue(10, tf.int32, shapes=[[]])
out["float_priority"] = err(lambda: q.enqueue([1.5, 2]))
out["string_priority"] = err(lambda: q.enqueue(["a", 2]))
out["missing_priority"] = err(lambda: q.enqueue(2))
out["priority_shape"] = err(lambda: q.enqueue([[1, 2], 2]))
q.enqueue_many([[7, 7, 7, 7, 7, 7], [0, 1, 2, 3, 4, 5]])
out["ties"] = val(q.dequeue_many(6))
q.enqueue([tf.constant(2, tf.int64), 1])
out["int64_const"] = val(q.dequeue())
out["unshaped"] = err(lambda: tf.queue.PriorityQueue(5, [tf.string]))
out["partial"] = err(lambda: tf.queue.PriorityQueue(5, [tf.string], shapes=[[None]]))
n = tf.queue.PriorityQueue(5, [tf.string], shapes=[[]], names=["p", "s"])
n.enqueue({"s": "hi", "p": 4})
out["named"] = val(n.dequeue())
c = tf.queue.PriorityQueue(5, tf.int32, shapes=[[]])
c.enqueue_many([[3, 1, 2], [30, 10, 20]])
c.close()
out["closed_up_to"] = val(c.dequeue_up_to(2))
out["closed_many"] = err(lambda: c.dequeue_many(2))
out["closed_size"] = val(c.size())
""",
    "function_graph": """
q = tf.queue.FIFOQueue(4, tf.float32, shapes=[[2]])

@tf.function
def step(x):
    q.enqueue(x)
    q.enqueue_many(tf.stack([x * 2., x * 3.]))
    return q.dequeue(), q.dequeue_many(2), q.size(), q.is_closed()

x = tf.constant([1., 2.])
out = {"values": val(step(x)), "ops": names(step, x), "size": val(q.size())}

@tf.function
def closing():
    q.close()
    return q.dequeue_up_to(3)

out["closing_ops"] = names(closing)
out["closing"] = err(closing)

@tf.function
def local():
    r = tf.queue.FIFOQueue(3, tf.int32, shapes=[[]])
    r.enqueue(5)
    r.enqueue(6)
    return r.dequeue(), r.size()

# the queue made while tracing is deleted with its Python object: calls find no resource
out["local"] = err(local)
out["local_ops"] = names(local)
p = tf.queue.PriorityQueue(5, tf.string, shapes=[[]])

@tf.function
def prio(k, s):
    p.enqueue([k, s])
    return p.size()

out["prio_size"] = [val(prio(tf.constant(3, tf.int64), "c")),
                    val(prio(tf.constant(1, tf.int64), "a"))]
out["prio_ops"] = names(prio, tf.constant(3, tf.int64), "c")
out["prio_first"] = val(p.dequeue())
""",
    "function_padding_shuffle": """
@tf.function
def f():
    pq = tf.queue.PaddingFIFOQueue(4, tf.int32, shapes=[[None]])
    pq.enqueue([[1, 2, 3]])
    pq.enqueue([[4]])
    rq = tf.queue.RandomShuffleQueue(4, 0, tf.int32, shapes=[[]], seed=1)
    rq.enqueue(3)
    return pq.dequeue_many(2), rq.dequeue()

out = {"values": val(f()), "ops": names(f)}
""",
    "cancel_pending": """
import threading, time
q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
q.enqueue(1)
box = []
t = threading.Thread(target=lambda: box.append(err(lambda: q.enqueue(2))), daemon=True)
t.start()
time.sleep(0.5)
q.close(cancel_pending_enqueues=True)
t.join(10)
out = {"waiting_enqueue": box, "size": val(q.size()), "after": err(lambda: q.enqueue(3)),
       "left": val(q.dequeue())}
""",
    "v1_names": """
v1 = tf.compat.v1
out = {"queue": sorted(n for n in dir(tf.queue) if not n.startswith("_")),
       "v1_queue": sorted(n for n in dir(v1.queue) if not n.startswith("_")),
       "v1_top": [n for n in ["QueueBase", "FIFOQueue", "PaddingFIFOQueue",
                              "RandomShuffleQueue", "PriorityQueue"] if hasattr(v1, n)],
       "v1_io": [n for n in ["QueueBase", "FIFOQueue", "PaddingFIFOQueue",
                             "RandomShuffleQueue", "PriorityQueue"] if hasattr(v1.io, n)],
       "same": [v1.PriorityQueue is tf.queue.PriorityQueue,
                v1.queue.FIFOQueue is tf.queue.FIFOQueue,
                v1.io.RandomShuffleQueue is tf.queue.RandomShuffleQueue,
                issubclass(tf.queue.PriorityQueue, tf.queue.QueueBase)],
       "top": [hasattr(tf, "FIFOQueue"), hasattr(tf, "PriorityQueue"), hasattr(tf.io, "FIFOQueue")]}
""",
}

_PREFIX = re.compile(r"^\{\{function_node __wrapped__\S*\}\} ")


def clean(message):
    """TF's eager message without the op wrapper's prefix; queue names as 'N'."""
    message = _PREFIX.sub("", message)
    if message.startswith("Graph execution error:"):
        # a tf.function's error: TF's Python traceback of the node, then the kernel's words
        message = message.rsplit("\n\n", 1)[-1]
    message = re.sub(r"(Queue|queue) '\d+'", r"\1 'N'", message)
    message = re.sub(r"localhost/\d+/", "localhost/N/", message)
    return re.sub(r"__inference_(\w+?)_\d+", r"__inference_\1_N", message)


def run_case(tf, np, code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return [type(e).__name__, clean(getattr(e, "message", None) or str(e))]
        return None

    def val(x):
        if isinstance(x, dict):
            return {k: val(v) for k, v in sorted(x.items())}
        if isinstance(x, (list, tuple)):
            return [val(v) for v in x]
        if x is None:
            return None
        a = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
        if isinstance(a, bytes):
            return a.decode()
        a = np.asarray(a)
        if a.dtype == object:
            return np.vectorize(lambda b: b.decode())(a).tolist() if a.size else a.tolist()
        return a.tolist()

    def names(fn, *args):
        g = fn.get_concrete_function(*args).graph
        return [[o.name, o.type] for o in g.get_operations()]

    env = {"tf": tf, "np": np, "err": err, "val": val, "names": names}
    exec(code, env)  # noqa: S102 - the recorder's own snippets
    return env["out"]


def main(path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf
    rec = {name: {"code": code, "tf": run_case(tf, np, code)} for name, code in CASES.items()}
    with open(path, "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
