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


# --- blocking across threads -------------------------------------------------------------
def _in_thread(fn):
    """Runs fn in a thread; returns (thread, box) where box gets ('ok', value) or the error."""
    box = []

    def body():
        try:
            box.append(("ok", fn()))
        except Exception as e:  # noqa: BLE001 - inspected by the test
            box.append(("err", e))
    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t, box


def _long():
    # long enough never to fire in a passing test, short enough that a bug cannot hang CI
    return tf.RunOptions(timeout_in_ms=10000)


def test_waiting_dequeue_is_woken_by_an_enqueue_from_another_run():
    q = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    d, e = q.dequeue(), q.enqueue(7.0)
    with tf.Session() as sess:
        t, box = _in_thread(lambda: sess.run(d, options=_long()))
        time.sleep(0.1)
        assert t.is_alive() and not box            # waiting, not failed
        sess.run(e)                                # would deadlock under a global run lock
        t.join(5)
        assert box == [("ok", 7.0)]


def test_enqueue_into_a_full_queue_waits_for_a_dequeue():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    e1, e2, d = q.enqueue(1), q.enqueue(2), q.dequeue()
    with tf.Session() as sess:
        sess.run(e1)
        t, box = _in_thread(lambda: sess.run(e2, options=_long()))
        time.sleep(0.1)
        assert t.is_alive()
        assert sess.run(d) == 1
        t.join(5)
        assert box == [("ok", None)]
        assert sess.run(d) == 2


def test_close_ends_a_waiting_dequeue_with_out_of_range():
    q = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    d, c = q.dequeue(), q.close()
    with tf.Session() as sess:
        t, box = _in_thread(lambda: sess.run(d, options=_long()))
        time.sleep(0.1)
        sess.run(c)
        t.join(5)
        (kind, e), = box
        assert isinstance(e, tf.errors.OutOfRangeError)
        assert re.search(r"FIFOQueue '_\d+_fifo_queue' is closed and has insufficient "
                         r"elements \(requested 1, current size 0\)", e.message)


def test_cancel_pending_enqueues_fails_a_waiting_enqueue():
    q = tf.FIFOQueue(1, tf.float32, shapes=[[]])
    e1, e2 = q.enqueue(1.0), q.enqueue(2.0)
    cancel = q.close(cancel_pending_enqueues=True)
    with tf.Session() as sess:
        sess.run(e1)
        t, box = _in_thread(lambda: sess.run(e2, options=_long()))
        time.sleep(0.1)
        sess.run(cancel)
        t.join(5)
        (kind, e), = box
        assert isinstance(e, tf.errors.CancelledError)
        # TF 2.21's words (tests/data/queues_tf2.json, "cancel_pending", the same kernel)
        assert e.message.startswith("Enqueue operation was cancelled")
        assert sess.run(q.size()) == 1             # what was in stays, for dequeuers


def test_closing_the_session_cancels_a_waiting_run():
    # recorded from TF 2.21: CancelledError "Dequeue operation was cancelled"
    q = tf.FIFOQueue(1, tf.float32, shapes=[[]])
    d = q.dequeue()
    sess = tf.Session()
    t, box = _in_thread(lambda: sess.run(d, options=_long()))
    time.sleep(0.1)
    sess.close()
    t.join(5)
    (kind, e), = box
    assert isinstance(e, tf.errors.CancelledError)
    assert e.message.startswith("Dequeue operation was cancelled")


def test_session_operation_timeout_bounds_every_wait():
    q = tf.FIFOQueue(1, tf.float32, shapes=[[]])
    d = q.dequeue()
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=50)) as sess:
        t0 = time.monotonic()
        with pytest.raises(tf.errors.DeadlineExceededError,
                           match="Timed out waiting for notification"):
            sess.run(d)
        assert time.monotonic() - t0 < 5


def test_many_producers_and_a_consumer_see_every_element_once():
    q = tf.FIFOQueue(3, tf.int32, shapes=[[]])
    x = tf.placeholder(tf.int32, [None])
    e = q.enqueue_many([x])
    dm = q.dequeue_many(4)
    with tf.Session() as sess:
        threads = [_in_thread(lambda k=k: sess.run(e, {x: np.arange(10) + 10 * k},
                                                   options=_long())) for k in range(4)]
        got = np.concatenate([sess.run(dm, options=_long()) for _ in range(10)])
        for t, box in threads:
            t.join(5)
            assert box == [("ok", None)]
    assert sorted(got.tolist()) == sorted(range(40))
    for k in range(4):      # each producer's elements keep their order (FIFO)
        mine = [v for v in got.tolist() if v // 10 == k]
        assert mine == sorted(mine)


def test_take_grad_waits_for_applies_from_other_runs():
    a = tf.ConditionalAccumulator(tf.float32, shape=[2])
    g = tf.placeholder(tf.float32, [2])
    ap, tk = a.apply_grad(g, local_step=0), a.take_grad(3)
    with tf.Session() as sess:
        t, box = _in_thread(lambda: sess.run(tk, options=_long()))
        for v in ([1., 2.], [3., 4.], [5., 9.]):
            time.sleep(0.02)
            assert t.is_alive()
            sess.run(ap, {g: v})
        t.join(5)
        (kind, v), = box
        np.testing.assert_allclose(v, [3., 5.])    # the mean, by hand


def test_shuffle_queue_is_seeded_and_holds_back_min_after_dequeue():
    def order(seed):
        g = tf.Graph()
        with g.as_default():
            r = tf.RandomShuffleQueue(20, 5, tf.int32, shapes=[[]], seed=seed)
            enq, dm = r.enqueue_many([np.arange(20, dtype=np.int32)]), r.dequeue_many(15)
            with tf.Session() as sess:
                sess.run(enq)
                first = sess.run(dm).tolist()
                with pytest.raises(tf.errors.DeadlineExceededError):
                    sess.run(r.dequeue(), options=tf.RunOptions(timeout_in_ms=30))
                return first
    a, b, c = order(1), order(1), order(2)
    assert a == b and a != c
    assert a != list(range(15)) and len(set(a)) == 15


# --- Coordinator and QueueRunner ---------------------------------------------------------
def test_coordinator_join_reraises_the_reported_error():
    coord = tf.train.Coordinator()
    try:
        raise ValueError("boom")
    except ValueError as e:
        coord.request_stop(e)
    assert coord.should_stop()
    with pytest.raises(ValueError, match="boom"):
        coord.join()


def test_coordinator_out_of_range_is_a_clean_stop_cancelled_is_not():
    coord = tf.train.Coordinator()
    with coord.stop_on_exception():
        raise tf.errors.OutOfRangeError(None, None, "done")
    assert coord.should_stop()
    coord.join()
    coord = tf.train.Coordinator()
    with coord.stop_on_exception():
        raise tf.errors.CancelledError(None, None, "cancelled")
    with pytest.raises(tf.errors.CancelledError):
        coord.join()


def test_coordinator_join_names_threads_that_outlive_the_grace_period():
    coord = tf.train.Coordinator()
    stop = threading.Event()
    t = threading.Thread(target=lambda: stop.wait(5), name="slowpoke", daemon=True)
    t.start()
    coord.request_stop()
    with pytest.raises(RuntimeError,
                       match="Coordinator stopped with threads still running: slowpoke"):
        coord.join([t], stop_grace_period_secs=0.05)
    stop.set()
    t.join(5)


def test_queue_runner_error_reaches_join():
    q = tf.FIFOQueue(4, tf.float32, shapes=[[]])
    bad = tf.placeholder(tf.float32, [])      # never fed: every enqueue run fails
    qr = tf.train.QueueRunner(q, [q.enqueue(bad)])
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value"):
            coord.join(threads, stop_grace_period_secs=5)


def test_queue_runner_stops_on_request_and_frees_a_full_queue():
    q = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue(1.0)] * 2))
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert len(threads) == 3                  # two enqueuers and the canceller
        assert sess.run(q.dequeue_many(2), options=_long()).tolist() == [1.0, 1.0]
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        assert sess.run(q.is_closed())
