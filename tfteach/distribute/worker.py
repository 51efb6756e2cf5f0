"""A task's worker service: holds the task's variables (shared by every session on the
cluster, as a TF server's resource manager), builds each registered partition into a
graph run by the local executor, and runs steps with a rendezvous for _Send/_Recv.

`TaskActor` is the Dask actor on the worker named `/job:J/task:i`; every actor created on
that worker (one per session) shares the worker's one `TaskState`. Steps run in a thread
pool so a step blocked in a _Recv never stops `deliver` (an async method, on the worker's
event loop) from handing it the tensor it waits for.
"""
import asyncio
import contextvars
import functools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .. import errors

__all__ = ["TaskState", "TaskActor", "task_state"]

_TASKS = {}
_TASKS_LOCK = threading.Lock()
_POOL = ThreadPoolExecutor(16, thread_name_prefix="tfteach-step")


def task_state(name):
    """The process's state for task `name` (created once; a restarted worker starts empty,
    as a restarted TF server does)."""
    with _TASKS_LOCK:
        st = _TASKS.get(name)
        if st is None:
            st = _TASKS[name] = TaskState(name)
        return st


def forget_task(name):
    """Drops a stopped task's state (its worker in this process is gone)."""
    with _TASKS_LOCK:
        _TASKS.pop(name, None)


def _task_of(device):
    from ..framework.ops import _parse_device_spec
    f = _parse_device_spec(device)
    return f"/job:{f['job']}/task:{f['task']}"


class _Mailbox:
    """Tensors that arrived for steps not yet (or still) running, by (step, key)."""

    def __init__(self):
        self.items = {}
        self.aborted = {}
        self.cv = threading.Condition()

    def abort(self, step, message):
        """Another task's partition of this step failed: wake whoever waits in it."""
        with self.cv:
            self.aborted[step] = message
            self.cv.notify_all()

    def put(self, step, key, value):
        with self.cv:
            self.items[(step, key)] = value
            self.cv.notify_all()

    def take(self, step, key, timeout, sender):
        deadline = time.monotonic() + timeout
        with self.cv:
            while (step, key) not in self.items:
                if step in self.aborted:
                    raise errors.CancelledError(
                        None, None, f"Step cancelled: {self.aborted.pop(step)}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise errors.UnavailableError(
                        None, None, f"Timed out after {timeout:g} s waiting for tensor "
                                    f"{key.split(';')[3]} from {sender} (is that task down? "
                                    f"operation_timeout_in_ms bounds the wait)")
                self.cv.wait(left)
            return self.items.pop((step, key))

    def drop_step(self, step):
        with self.cv:
            for k in [k for k in self.items if k[0] == step]:
                del self.items[k]


class _StepRendezvous:
    def __init__(self, task, step, feeds, peers, timeout):
        self.task, self.step, self.feeds, self.peers = task, step, feeds, peers
        self.timeout = timeout
        self.out = {}
        self.sent = []      # (task, bytes) per remote send, for the timeline
        self.pending = []
        self.moved = {}     # key -> the tensor each _Send handed over (traced steps)

    def send(self, key, value, recv_device, client_terminated):
        self.moved[key] = value
        if client_terminated:
            self.out[key] = value
            return
        dest = _task_of(recv_device)
        if dest == self.task.name:
            self.task.mailbox.put(self.step, key, value)
            return
        peer = self.peers.get(dest)
        if peer is None:
            raise errors.UnavailableError(None, None, f"Task {dest} is not in the cluster")
        # not waited for here (a round trip per tensor): the step checks every delivery
        # when its partition is done, and the receiver's wait is bounded anyway
        self.pending.append((dest, key, peer.deliver(self.step, key, value)))
        self.sent.append((dest, int(getattr(value, "nbytes", 0))))

    def settle(self):
        """Every tensor this partition sent has arrived (else UnavailableError naming the
        task it was for)."""
        for dest, key, fut in self.pending:
            try:
                fut.result(timeout=self.timeout)
            except Exception as e:  # noqa: BLE001 - comms failure: the peer is gone
                raise errors.UnavailableError(
                    None, None, f"Could not send {key.split(';')[3]} to {dest}: "
                                f"{type(e).__name__}: {e}") from None

    def recv(self, key, send_device, client_terminated):
        if client_terminated:
            return self.feeds[key]
        return self.task.mailbox.take(self.step, key, self.timeout, _task_of(send_device))


class TaskState:
    def __init__(self, name):
        from ..runtime.run_context import SessionState
        self.name = name
        self.state = SessionState()
        self.incarnation = random.getrandbits(63) - (1 << 62)
        self.partitions = {}
        self.mailbox = _Mailbox()
        self.lock = threading.Lock()

    def register(self, handle, nodes):
        """Builds the partition's graph and its plan once (TF's RegisterGraph)."""
        if handle in self.partitions:
            return handle
        from ..framework import ops as _ops
        from ..framework.graph_io import make_op
        from ..runtime import executor
        from ..ops import load_all_ops
        load_all_ops()      # a worker process may not have built any graph yet
        g = _ops.Graph()
        made = {}
        with g.as_default():
            for n in nodes:
                inputs, control = [], []
                for ref in n.input:
                    if ref.startswith("^"):
                        control.append(made[ref[1:]])
                        continue
                    src, _, idx = ref.partition(":")
                    inputs.append(made[src]._outputs[int(idx or 0)])
                attrs = {k: v for k, v in n.attr.items() if not k.startswith("_")
                         or k == "_class"}
                op = make_op(g, n.name, n.op, inputs, attrs, control)
                made[n.name] = op
        plan = executor.Plan(g, [], list(g._ops), [])
        if plan.error is not None:
            raise plan.error
        self.partitions[handle] = (g, plan)
        return handle

    def run(self, handle, step, feeds, peers, timeout, trace=False):
        from ..runtime.run_context import RunContext
        g, plan = self.partitions[handle]
        ctx = RunContext(self.state)
        # a kernel that waits (a queue's dequeue) gives up with the step, not never: the
        # client stops waiting for this step after `timeout` anyway
        ctx.deadline = time.monotonic() + timeout
        rdv = _StepRendezvous(self, step, feeds, peers, timeout)
        ctx.rendezvous = rdv
        t0 = time.time()
        stats = None
        try:
            if trace:
                # one NodeExecStats per op, named by this partition's device
                import types
                from ..runtime.step_stats import _StepStats
                md = types.SimpleNamespace(step_stats=_StepStats())
                plan.run_traced([], ctx, md)
                device = g._ops[0].device if g._ops else ""
                stats = [n for d in md.step_stats.dev_stats for n in d.node_stats]
                for n in stats:
                    n.device = device
                    if n.op_type == "_Send":
                        _record_sent(n, g, rdv.moved)
            else:
                plan.run([], ctx)
            rdv.settle()
        except errors.OpError as e:
            if not isinstance(e, errors.CancelledError):
                for name, peer in peers.items():
                    if name != self.name:
                        try:
                            peer.abort(step, f"{self.name} failed")
                        except Exception:  # noqa: BLE001 - a peer already gone
                            pass
            # sent back as (class, message): the client raises TF's class again
            return {"error": (type(e).__name__, e.message), "task": self.name}
        finally:
            self.mailbox.drop_step(step)
        return {"out": rdv.out, "start": t0, "end": time.time(), "sent": rdv.sent,
                "task": self.name, "stats": stats}


def _record_sent(stats, graph, moved):
    """What a _Send moved goes into its NodeExecStats as TF describes a tensor (`output`,
    `tensor_description.allocation_description.requested_bytes`): a _Send produces
    nothing, so TF's slot for a produced tensor is free, and the bytes are recorded on the
    task that sent them (the timeline marks each Send with them)."""
    from ..kernels.cpu.sendrecv import rendezvous_key
    from ..runtime.step_stats import NodeOutput, describe
    op = graph.get_operation_by_name(stats.node_name)
    key = rendezvous_key(op.get_attr("send_device"), op.get_attr("send_device_incarnation"),
                         op.get_attr("recv_device"), op.get_attr("tensor_name"))
    if key in moved:
        stats.output = [NodeOutput(0, describe(moved[key]))]


async def _in_pool(fn, *args):
    """Runs fn in the step pool, in this context (Dask finds its worker through it)."""
    ctx = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_POOL, functools.partial(ctx.run, fn, *args))


class TaskActor:
    """The Dask actor of one task (see the module docstring)."""

    def __init__(self, name):
        self.name = name
        self.task = task_state(name)

    def incarnation(self):
        return self.task.incarnation

    async def register(self, handle, nodes):
        return await _in_pool(self.task.register, handle, nodes)

    async def run(self, handle, step, feeds, peers, timeout, trace=False):
        # bound here, on the worker's loop: the peers' handles then call through this worker
        for p in peers.values():
            p.deliver       # noqa: B018 - binds the actor handle
        return await _in_pool(self.task.run, handle, step, feeds, peers, timeout, trace)

    async def abort(self, step, message):
        self.task.mailbox.abort(step, message)

    async def deliver(self, step, key, value):
        self.task.mailbox.put(step, key, value)

    def variables(self):
        """{name: value} of the task's variables (the lesson's variable inspector)."""
        return {k: s.value for k, s in self.task.state.variables.items()}
