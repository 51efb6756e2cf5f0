"""tf.train.MonitoredSession, MonitoredTrainingSession, SingularMonitoredSession, Scaffold
and the stock hooks (train/monitored_session.py, train/basic_session_run_hooks.py).

The recorded cases (tests/data/monitored_tf.json, tools/record_monitored.py) run the
snippets TF 2.21 ran: hooks' call order, StopAtStepHook, checkpoints written and restored,
NaN handling, feeds and errors.
"""
import json
import os
import tempfile

import numpy as np
import pytest

import tfteach.v1 as tf

pytestmark = pytest.mark.mode("v1")

with open(os.path.join(os.path.dirname(__file__), "data", "monitored_tf.json")) as _f:
    RECORDED = json.load(_f)
PRELUDE = RECORDED.pop("prelude")


def _run_case(code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the answer compared with TF's
            m = getattr(e, "message", str(e))
            return [type(e).__name__, m.split("\n\t [[")[0].strip()]
        return None

    g = tf.Graph()
    with tempfile.TemporaryDirectory() as tmpdir, g.as_default():
        env = {"tf": tf, "np": np, "err": err, "tmpdir": tmpdir, "os": os}
        exec(PRELUDE, env)  # noqa: S102 - the recorded snippets
        exec(code, env)  # noqa: S102
        out = env["out"]
    return json.loads(json.dumps(out, default=str))


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_matches_tf(case):
    rec = RECORDED[case]
    assert _run_case(rec["code"]) == rec["tf"]


# --- beyond the recording ------------------------------------------------------------------
def test_logging_tensor_hook_logs_every_n_iter(caplog):
    import logging
    from tfteach.compat import v1_logging
    v1_logging.get_logger()         # made (level WARN) before caplog lowers it for the test
    g = tf.Graph()
    with g.as_default():
        gs = tf.train.get_or_create_global_step()
        step = tf.assign_add(gs, 1)
        hook = tf.train.LoggingTensorHook({"gs": gs}, every_n_iter=2)
        with caplog.at_level(logging.INFO, logger="tfteach"):
            with tf.train.MonitoredSession(hooks=[hook]) as sess:
                for _ in range(5):
                    sess.run(step)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("gs = ")]
    assert len(lines) == 3                 # runs 0, 2 and 4 (every second iteration)


def test_worker_session_waits_for_the_chief():
    """A non-chief MonitoredTrainingSession sharing the chief's cluster waits until the
    chief has initialised the variables, then both train one global step to the stop."""
    import threading
    spec = tf.train.ClusterSpec({"ps": ["localhost:3431"],
                                 "worker": ["localhost:3432", "localhost:3433"]})
    servers = [tf.distribute.Server(spec, job_name=j, task_index=i)
               for j, i in [("ps", 0), ("worker", 0), ("worker", 1)]]

    def build(task):
        g = tf.Graph()
        with g.as_default(), tf.device(tf.train.replica_device_setter(
                cluster=spec, worker_device=f"/job:worker/task:{task}")):
            gs = tf.train.get_or_create_global_step()
            w = tf.Variable(0.0, name="mts_w")
            train = tf.group(tf.assign_add(w, 1.0), tf.assign_add(gs, 1))
        return g, gs, w, train

    done = {}

    def run(task, is_chief, delay):
        g, gs, w, train = build(task)
        with g.as_default():
            if delay:
                import time
                time.sleep(delay)
            with tf.train.MonitoredTrainingSession(
                    master=servers[1 + task].target, is_chief=is_chief,
                    hooks=[tf.train.StopAtStepHook(last_step=20)], max_wait_secs=30,
                    log_step_count_steps=None) as sess:
                n = 0
                while not sess.should_stop():
                    sess.run(train)
                    n += 1
                done[task] = n

    # the worker starts first: it must wait for the chief's initialisation
    threads = [threading.Thread(target=run, args=(1, False, 0), daemon=True),
               threading.Thread(target=run, args=(0, True, 0.3), daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert set(done) == {0, 1}
    # the workers' runs together made (at least) the 20 steps; each stopped at step >= 20
    assert done[0] + done[1] >= 20
    g, gs, w, _ = build(0)
    with tf.Session(servers[1].target, graph=g) as sess:
        step, wv = sess.run([gs, w])
    assert step >= 20 and wv == step
