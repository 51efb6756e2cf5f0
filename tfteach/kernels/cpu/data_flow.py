"""CPU kernels of the queue and accumulator ops (ops/data_flow_ops.py).

A queue or accumulator is a resource of the session (`ctx.state.resources`), made by the
first run of its creating op and kept across runs, so runs in several threads share it.
Each has its own condition variable: a kernel that must wait (a dequeue from an empty
queue, an enqueue into a full one, take_grad before enough gradients) waits on it alone,
holding no lock another run needs, and wakes when another run changes the resource. A
waiting kernel also gives up when its run's deadline passes (DeadlineExceededError, with
TF's words) or its session is closed (CancelledError), so no run can wait for ever on a
session that nobody feeds any more.
"""
import itertools
import threading
import time

import numpy as np

from ... import errors
from ...framework.registry import register_kernel

# TF names a resource with no shared_name "_<n>_<node name>", n counting every resource
# made in the process; the queue's errors quote that name.
_resource_ids = itertools.count()
_POLL = 0.05       # seconds between checks of the session being closed while waiting


def _wait(res, ctx, ready, what="Dequeue"):
    """Waits, with `res.cond` held, until `ready()`; DeadlineExceededError past the run's
    deadline, CancelledError once the session is closed (TF's words for a cancelled
    `what` operation)."""
    deadline = ctx.deadline
    state = ctx.state
    while not ready():
        if getattr(state, "closed", False):
            raise errors.CancelledError(None, None, f"{what} operation was cancelled")
        wait = _POLL
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.DeadlineExceededError(
                    None, None, "Timed out waiting for notification")
            wait = min(wait, left)
        res.cond.wait(wait)


def _resource(ctx, op, make):
    """The session's resource of creating op `op` (or of its shared_name)."""
    shared = op.get_attr("shared_name") if "shared_name" in op._attrs else ""
    key = ("shared", shared) if shared else (op.type, op.name)
    resources = ctx.state.resources
    res = resources.get(key)
    if res is None:
        res = resources.setdefault(key, make(shared or f"_{next(_resource_ids)}_{op.name}"))
    return res


# --- queues ------------------------------------------------------------------------------
_KIND = {"FIFOQueueV2": "FIFOQueue", "PaddingFIFOQueueV2": "PaddingFIFOQueue",
         "RandomShuffleQueueV2": "RandomShuffleQueue"}


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _partial(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class _Queue:
    __slots__ = ("kind", "name", "dtypes", "shapes", "capacity", "items", "closed",
                 "cancelled", "cond", "min_after", "rng", "pending")

    def __init__(self, kind, name, dtypes, shapes, capacity, min_after=0, seed=(0, 0)):
        self.kind = kind
        self.name = name
        self.dtypes = [np.dtype(d.as_numpy_dtype) for d in dtypes]
        self.shapes = [tuple(s.as_list()) if s.rank is not None else None
                       for s in shapes] if shapes else None
        self.capacity = capacity if capacity >= 0 else None
        self.items = []
        self.closed = False
        self.cancelled = False
        self.cond = threading.Condition()
        self.min_after = min_after
        self.rng = np.random.default_rng(list(seed)) if any(seed) else \
            np.random.default_rng()
        self.pending = 0

    def __repr__(self):
        return f"<{self.kind} {self.name} size={len(self.items)}>"

    def _label(self):
        return f"{self.kind} '{self.name}'"

    # checks ---------------------------------------------------------------------------
    def check_element(self, comps, batched):
        if len(comps) != len(self.dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"Expected {len(self.dtypes)} components, got {len(comps)}")
        out = []
        for i, (c, dt) in enumerate(zip(comps, self.dtypes)):
            c = np.asarray(c)
            if c.dtype != dt and not (dt == object and c.dtype.kind in "OSU"):
                raise errors.InvalidArgumentError(
                    None, None, f"Type mismatch in tuple component {i}. Expected "
                                f"{dt}, got {c.dtype}")
            shape = c.shape[1:] if batched else c.shape
            want = self.shapes[i] if self.shapes else None
            if want is not None and (len(want) != len(shape) or any(
                    w is not None and w != s for w, s in zip(want, shape))):
                what = "batch of tuple component" if batched else "tuple component"
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch in {what} {i}. Expected "
                                f"{_partial(want)}, got {_dims(shape)}")
            out.append(c)
        return out

    def room(self):
        return self.capacity is None or len(self.items) < self.capacity

    def available(self, n):
        """Whether `n` tuples can be taken now (a shuffling queue keeps min_after
        tuples back until it is closed)."""
        keep = 0 if self.closed else self.min_after
        return len(self.items) >= n + keep

    def take(self, n):
        if self.kind == "RandomShuffleQueue":
            out = []
            for _ in range(n):
                j = int(self.rng.integers(len(self.items)))
                self.items[j], self.items[-1] = self.items[-1], self.items[j]
                out.append(self.items.pop())
        else:
            out, self.items[:n] = self.items[:n], []
        self.cond.notify_all()
        return out

    def insufficient(self, n):
        return errors.OutOfRangeError(
            None, None, f"{self._label()} is closed and has insufficient elements "
                        f"(requested {n}, current size {len(self.items)})")

    def closed_error(self):
        return errors.CancelledError(None, None, f"{self._label()} is closed.")

    def need_shapes(self):
        if self.kind == "PaddingFIFOQueue":
            return
        if not self.shapes or any(s is None or None in s for s in self.shapes):
            raise errors.InvalidArgumentError(
                None, None, f"{self.kind}'s DequeueMany and DequeueUpTo require the "
                            f"components to have specified shapes.")

    def stack(self, tuples):
        out = []
        for i, dt in enumerate(self.dtypes):
            parts = [t[i] for t in tuples]
            if self.kind == "PaddingFIFOQueue":
                out.append(_pad_stack(parts, dt, self.shapes[i]))
            elif parts:
                out.append(np.stack(parts).astype(dt, copy=False))
            else:
                out.append(np.zeros((0,) + tuple(self.shapes[i]), dt))
        return tuple(out)


def _pad_stack(parts, dt, shape):
    if not parts:
        return np.zeros((0,) + tuple(0 if d is None else d for d in shape), dt)
    full = tuple(max(p.shape[k] for p in parts) for k in range(parts[0].ndim))
    out = np.full((len(parts),) + full, "" if dt == object else 0, dtype=dt)
    for j, p in enumerate(parts):
        out[(j,) + tuple(slice(0, d) for d in p.shape)] = p
    return out


def _make_queue(op, component_types, shapes, capacity, min_after=0, seed=(0, 0)):
    kind = _KIND[op.type]
    return lambda name: _Queue(kind, name, component_types, shapes, capacity, min_after, seed)


@register_kernel("FIFOQueueV2")
def fifo_queue(*, ctx, op, component_types, shapes, capacity):
    return _resource(ctx, op, _make_queue(op, component_types, shapes, capacity))


@register_kernel("PaddingFIFOQueueV2")
def padding_fifo_queue(*, ctx, op, component_types, shapes, capacity):
    return _resource(ctx, op, _make_queue(op, component_types, shapes, capacity))


@register_kernel("RandomShuffleQueueV2")
def random_shuffle_queue(*, ctx, op, component_types, shapes, capacity, min_after_dequeue,
                         seed, seed2):
    return _resource(ctx, op, _make_queue(op, component_types, shapes, capacity,
                                          min_after_dequeue, (seed, seed2)))


@register_kernel("QueueEnqueueV2")
def queue_enqueue(q, *components, ctx):
    comps = q.check_element(components, batched=False)
    with q.cond:
        if q.closed:
            raise q.closed_error()
        _wait_room(q, ctx)
        q.items.append(tuple(np.array(c, dtype=dt) for c, dt in zip(comps, q.dtypes)))
        q.cond.notify_all()


def _wait_room(q, ctx):
    q.pending += 1
    try:
        _wait(q, ctx, lambda: q.cancelled or q.room(), "Enqueue")
    finally:
        q.pending -= 1
    if q.cancelled:
        raise q.closed_error()


@register_kernel("QueueEnqueueManyV2")
def queue_enqueue_many(q, *components, ctx):
    comps = q.check_element(components, batched=True)
    n = comps[0].shape[0]
    for i, c in enumerate(comps):
        if c.shape[0] != n:
            raise errors.InvalidArgumentError(
                None, None, f"Shape mismatch in tuple component {i}. Expected first "
                            f"dimension {n}, got {c.shape[0]}")
    with q.cond:
        if q.closed:
            raise q.closed_error()
        # a batch larger than the room left goes in tuple by tuple, as dequeues make room
        for j in range(n):
            _wait_room(q, ctx)
            q.items.append(tuple(np.array(c[j], dtype=dt) for c, dt in zip(comps, q.dtypes)))
            q.cond.notify_all()


@register_kernel("QueueDequeueV2")
def queue_dequeue(q, *, ctx):
    with q.cond:
        _wait(q, ctx, lambda: q.available(1) or (q.closed and len(q.items) < 1))
        if not q.available(1):
            raise q.insufficient(1)
        return q.take(1)[0]


def _many(q, n, ctx, up_to):
    """TF's DequeueMany: takes tuples as they arrive (so `n` may exceed the capacity); a
    closed queue puts back what it took and fails, unless `up_to` hands out what is left.
    A run that times out or is cancelled loses what it took, as TF's (recorded: a timed-out
    dequeue_many(2) of a queue holding 1 leaves it empty)."""
    n = int(n)
    if n < 0:
        raise errors.InvalidArgumentError(
            None, None, f"Dequeue{'UpTo' if up_to else 'Many'} requested {n} < 0 elements")
    q.need_shapes()
    got = []
    with q.cond:
        while len(got) < n:
            _wait(q, ctx, lambda: q.available(1) or q.closed)
            if q.available(1):
                keep = 0 if q.closed else q.min_after
                got.extend(q.take(min(n - len(got), len(q.items) - keep)))
                continue
            if up_to and (got or q.items):
                got.extend(q.take(len(q.items)))
                break
            q.items[:0] = got
            raise q.insufficient(n)
        return q.stack(got)


@register_kernel("QueueDequeueManyV2")
def queue_dequeue_many(q, n, *, ctx):
    return _many(q, n, ctx, up_to=False)


@register_kernel("QueueDequeueUpToV2")
def queue_dequeue_up_to(q, n, *, ctx):
    return _many(q, n, ctx, up_to=True)


@register_kernel("QueueCloseV2")
def queue_close(q, *, cancel_pending_enqueues):
    with q.cond:
        q.closed = True
        if cancel_pending_enqueues:
            q.cancelled = True
        q.cond.notify_all()


@register_kernel("QueueSizeV2")
def queue_size(q):
    with q.cond:
        return np.int32(len(q.items))


@register_kernel("QueueIsClosedV2")
def queue_is_closed(q):
    return np.bool_(q.closed)


# --- conditional accumulators -------------------------------------------------------------
class _Accumulator:
    __slots__ = ("name", "dtype", "shape", "reduction", "sum", "count", "global_step", "cond")

    def __init__(self, name, dtype, shape, reduction):
        self.name = name
        self.dtype = np.dtype(dtype.as_numpy_dtype)
        self.shape = tuple(shape.as_list()) if shape.rank is not None else None
        self.reduction = reduction
        self.sum = None
        self.count = 0
        self.global_step = 0
        self.cond = threading.Condition()

    def __repr__(self):
        return f"<ConditionalAccumulator {self.name} count={self.count}>"


@register_kernel("ResourceConditionalAccumulator")
def conditional_accumulator(*, ctx, op, dtype, shape, reduction_type):
    return _resource(ctx, op, lambda name: _Accumulator(name, dtype, shape, reduction_type))


@register_kernel("ResourceAccumulatorApplyGradient")
def accumulator_apply_gradient(acc, local_step, gradient):
    g = np.asarray(gradient, dtype=acc.dtype)
    with acc.cond:
        want = acc.shape if acc.sum is None else acc.sum.shape
        if want is not None and (len(want) != g.ndim or any(
                w is not None and w != s for w, s in zip(want, g.shape))):
            raise errors.InvalidArgumentError(
                None, None, f"Shape mismatch: expected shape {_partial(want)}, got "
                            f"{_dims(g.shape)}")
        if int(local_step) < acc.global_step:
            return      # a stale gradient (computed before the last take) is dropped
        acc.sum = g.copy() if acc.sum is None else acc.sum + g
        acc.count += 1
        acc.cond.notify_all()


@register_kernel("ResourceAccumulatorTakeGradient")
def accumulator_take_gradient(acc, num_required, *, ctx):
    n = int(num_required)
    if n <= 0:
        raise errors.InvalidArgumentError(
            None, None, f"Argument num_required must be positive, but was {n}")
    with acc.cond:
        _wait(acc, ctx, lambda: acc.count >= n, "TakeGrad")
        total = acc.sum
        out = total / acc.dtype.type(acc.count) if acc.reduction == "MEAN" else total
        acc.sum = None
        acc.count = 0
        acc.global_step += 1
        acc.cond.notify_all()
        return np.asarray(out, dtype=acc.dtype)


@register_kernel("ResourceAccumulatorNumAccumulated")
def accumulator_num_accumulated(acc):
    with acc.cond:
        return np.int32(acc.count)


@register_kernel("ResourceAccumulatorSetGlobalStep")
def accumulator_set_global_step(acc, new_global_step):
    with acc.cond:
        step = int(new_global_step)
        if step < acc.global_step:
            # TF keeps its step from going backwards; it only logs the attempt
            return
        acc.global_step = step
        acc.cond.notify_all()
