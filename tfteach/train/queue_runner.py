"""tf.train.QueueRunner: threads that keep a queue filled by running its enqueue ops.

Each enqueue op gets a thread calling `sess.run(enqueue_op)` until the coordinator asks it
to stop or the run fails with a "queue is done" error (OutOfRangeError: the input ran out;
CancelledError: the queue or session was closed). When the last of a runner's threads ends
the queue is closed, so the consumer drains what is left and then gets OutOfRangeError.
Another error is reported to the coordinator (its join re-raises it). With a coordinator, one
more thread waits for the stop request and cancels the queue, freeing enqueues that wait on
a full queue.
"""
import threading

from .. import errors
from ..framework import ops as _ops

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]


class QueueRunner:
    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, name=None):
        if queue_runner_def is not None:
            raise NotImplementedError(
                "QueueRunner(queue_runner_def=...) (restoring a runner from a "
                "MetaGraphDef) is not implemented in tfteach; pass queue and enqueue_ops")
        if queue is None or not enqueue_ops:
            raise ValueError("Queue and enqueue_ops must be provided")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else \
            queue.close(cancel_pending_enqueues=True)
        self._queue_closed_exception_types = tuple(queue_closed_exception_types or (
            errors.OutOfRangeError, errors.CancelledError))
        self._name = name or queue.name
        self._lock = threading.Lock()
        self._runs_per_session = {}
        self._exceptions_raised = []

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self):
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        return self._queue_closed_exception_types

    @property
    def name(self):
        return self._name

    @property
    def exceptions_raised(self):
        """Errors the enqueue threads met (when no coordinator took them)."""
        return self._exceptions_raised

    def _done(self, sess):
        """One enqueue thread ended: the last one closes the queue."""
        with self._lock:
            self._runs_per_session[sess] -= 1
            last = self._runs_per_session[sess] == 0
        if last:
            try:
                sess.run(self._close_op)
            except Exception:  # noqa: BLE001 - the session may be closed already
                pass

    def _run(self, sess, enqueue_op, coord):
        try:
            while not (coord is not None and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except self._queue_closed_exception_types:
                    break
                except RuntimeError as e:
                    if "closed Session" in str(e):     # the session went away: stop quietly
                        break
                    raise
        except Exception as e:  # noqa: BLE001 - handed to the coordinator, as TF
            if coord is not None:
                if coord.joined:
                    return      # the loop ended and was joined: nobody waits for this error
                coord.request_stop(e)
            else:
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            self._done(sess)

    def _close_on_stop(self, sess, coord):
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception:  # noqa: BLE001 - the session may be closed already
            pass

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """The threads (one per enqueue op, plus a canceller when `coord` is given),
        registered with `coord`; started if `start`."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []       # already running in this session
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon,
                                    name=f"QueueRunnerThread-{self._name}-{op.name}")
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            daemon=daemon,
                                            name=f"QueueRunnerThread-{self._name}-close_on_stop"))
        for t in threads:
            if coord is not None:
                coord.register_thread(t)
            if start:
                t.start()
        return threads


def add_queue_runner(qr, collection=_ops.GraphKeys.QUEUE_RUNNERS):
    """Adds `qr` to the graph's queue runners (started by start_queue_runners)."""
    _ops.get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=_ops.GraphKeys.QUEUE_RUNNERS):
    """Starts the threads of every queue runner in the graph's `collection`; returns them."""
    if _ops.executing_eagerly():
        raise RuntimeError("Queues are not compatible with eager execution.")
    if sess is None:
        from ..client.session import get_default_session
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    from ..client.session import BaseSession
    if not isinstance(sess, BaseSession) and not hasattr(sess, "run"):
        raise TypeError(f"sess must be a `tf.Session` object. Given class: {type(sess)}")
    graph = sess.graph
    threads = []
    for qr in graph.get_collection(collection):
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
