"""tf.queue in TF2 (`import tfteach as tf`): queues run eagerly and inside tf.function,
and PriorityQueue (ops/data_flow_ops.py, kernels/cpu/data_flow.py).

The recorded cases (tests/data/queues_tf2.json, tools/record_queues_eager.py) run the
snippet TF 2.21 ran and compare values, dtypes, shapes, the names and types of the ops a
tf.function's graph holds, and errors (class and exact message, with TF's per-process
numbers normalised as the recorder does). PriorityQueue's order among equal priorities is
the order of TF's binary heap, pinned by the recorded ties. The graph-mode PriorityQueue
cases are in tests/data/queues_tf.json (tests/test_queues.py).
"""
import json
import os
import re
import threading
import time

import numpy as np
import pytest

import tfteach as tf

pytestmark = pytest.mark.mode("v2")

_DATA = os.path.join(os.path.dirname(__file__), "data", "queues_tf2.json")
with open(_DATA) as _f:
    RECORDED = json.load(_f)


def _clean(message):
    """As the recorder's clean(): the kernel's words of a tf.function's error, queue and
    function numbers as N."""
    if message.startswith("Graph execution error:"):
        message = message.rsplit("\n\n", 1)[-1]
    message = re.sub(r"(Queue|queue) '\d+'", r"\1 'N'", message)
    message = re.sub(r"localhost/\d+/", "localhost/N/", message)
    return re.sub(r"__inference_(\w+?)_\d+", r"__inference_\1_N", message)


def _run_case(code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the answer compared with TF's
            return [type(e).__name__, _clean(getattr(e, "message", None) or str(e))]
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
    exec(code, env)  # noqa: S102 - the recorded snippet
    return json.loads(json.dumps(env["out"]))


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_matches_tf(case):
    rec = RECORDED[case]
    got = _run_case(rec["code"])
    assert got == rec["tf"]


def test_priority_heap_order_by_hand():
    """Equal priorities come out in heap order, derived by hand with libstdc++'s
    pop_heap: four pushes of equal priority leave [a, b, c, d]; popping a moves the hole
    down to the right child c (the left is not strictly before it) and d into c's place:
    [c, b, d]; popping c leaves [b, d]. So a, c, b, d, not the order they went in."""
    q = tf.queue.PriorityQueue(8, tf.string, shapes=[[]])
    for s in "abcd":
        q.enqueue([5, s])
    got = [x.decode() for x in q.dequeue_many(4)[1].numpy()]
    assert got == ["a", "c", "b", "d"]


def test_queue_used_by_two_functions_and_eagerly():
    q = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])

    @tf.function
    def put(x):
        q.enqueue(x)

    @tf.function
    def take():
        return q.dequeue()

    put(tf.constant(4))
    q.enqueue(5)
    assert int(take()) == 4 and int(q.dequeue()) == 5
    assert int(q.size()) == 0


def _in_thread(fn):
    box = []

    def body():
        try:
            box.append(("ok", fn()))
        except Exception as e:  # noqa: BLE001 - inspected by the test
            box.append(("err", e))
    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t, box


def test_eager_dequeue_waits_for_an_enqueue_from_another_thread():
    """An eager dequeue of an empty queue blocks, as TF's, until another thread enqueues;
    a blocked enqueue into a full queue ends with CancelledError when the queue is closed
    with cancel_pending_enqueues, in TF's recorded words."""
    q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
    t, box = _in_thread(q.dequeue)
    time.sleep(0.2)
    assert not box                    # still waiting
    q.enqueue(9)
    t.join(10)
    assert box and box[0][0] == "ok" and int(box[0][1]) == 9
    q.enqueue(1)
    t, box = _in_thread(lambda: q.enqueue(2))
    time.sleep(0.2)
    assert not box
    q.close(cancel_pending_enqueues=True)
    t.join(10)
    kind, e = box[0]
    assert kind == "err" and isinstance(e, tf.errors.CancelledError)
    want = RECORDED["cancel_pending"]["tf"]["waiting_enqueue"][0][1]
    assert _clean(e.message) == want
    assert int(q.dequeue()) == 1
