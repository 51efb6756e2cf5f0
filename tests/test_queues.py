"""TF1 queues, accumulators, queue runners and the Coordinator (ops/data_flow_ops.py,
kernels/cpu/data_flow.py, train/queue_runner.py, train/input.py, train/coordinator.py).

The recorded cases (tests/data/queues_tf.json, tools/record_queues.py) run the snippet TF
2.21 ran and compare op names and types, shapes, values and errors. The thread tests pin
the blocking semantics TF documents: a waiting dequeue is woken by an enqueue from another
thread's run, close() ends waits, a deadline or a closed session ends any wait. Every wait
here has a deadline or a join timeout, so no test can hang.
"""
import json
import os
import re
import threading
import time

import numpy as np
import pytest

import tfteach.v1 as tf

pytestmark = pytest.mark.mode("v1")

_DATA = os.path.join(os.path.dirname(__file__), "data", "queues_tf.json")
with open(_DATA) as _f:
    RECORDED = json.load(_f)


def _clean(message):
    message = message.split("\n\t [[")[0].strip()
    return re.sub(r"'_\d+_", "'_N_", message)


def _run_case(code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the answer compared with TF's
            return [type(e).__name__, _clean(getattr(e, "message", str(e)))]
        return None

    def names(x):
        if isinstance(x, dict):
            return {k: names(v) for k, v in sorted(x.items())}
        if isinstance(x, (list, tuple)):
            return [names(v) for v in x]
        if isinstance(x, tf.Operation):
            return [x.name, x.type]
        return [x.name, x.op.type, str(x.shape.as_list() if x.shape.rank is not None
                                        else None), x.dtype.name]

    g = tf.Graph()
    with g.as_default(), tf.Session(graph=g) as sess:
        env = {"tf": tf, "np": np, "sess": sess, "err": err, "names": names,
               "clean": _clean}
        exec(code, env)  # noqa: S102 - the recorded snippet
        out = env["out"]
    return json.loads(json.dumps(out, default=lambda o: o.decode()
                                 if isinstance(o, bytes) else str(o)))


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_matches_tf(case):
    rec = RECORDED[case]
    assert _run_case(rec["code"]) == rec["tf"]
