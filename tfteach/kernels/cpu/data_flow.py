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
import threading
import time

import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from ._resource import session_resource as _resource

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

# --- queues ------------------------------------------------------------------------------
_KIND = {"FIFOQueueV2": "FIFOQueue", "PaddingFIFOQueueV2": "PaddingFIFOQueue",
         "RandomShuffleQueueV2": "RandomShuffleQueue", "PriorityQueueV2": "PriorityQueue"}
# TF's names of dtypes in its kernels' messages
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half", "object": "string"}


def _tf_name(dt):
    dt = np.dtype(dt)
    return _TF_NAMES.get(dt.name, dt.name)


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _partial(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class _Queue:
    __slots__ = ("kind", "name", "dtypes", "shapes", "capacity", "items", "closed",
                 "cancelled", "cond", "min_after", "rng", "pending", "deleted")

    def __init__(self, kind, name, dtypes, shapes, capacity, min_after=0, seed=(0, 0)):
        self.kind = kind
        self.name = name
        self.dtypes = [np.dtype(d.as_numpy_dtype) for d in dtypes]
        if shapes and len(shapes) != len(dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"Different number of component types.  Types: "
                            f"{', '.join(_tf_name(d) for d in self.dtypes)}, Shapes: ["
                            f"{', '.join(_partial(s.as_list()) for s in shapes)}]")
        self.shapes = [tuple(s.as_list()) if s.rank is not None else None
                       for s in shapes] if shapes else None
        if kind == "PriorityQueue":
            if not shapes:
                # TF's priority queue kernel refuses a queue made without shapes
                raise errors.InvalidArgumentError(
                    None, None, f"Shared queue '{name}' has component shapes [] but "
                                f"requested component shapes were [[]]")
            self.dtypes.insert(0, np.dtype(np.int64))
            self.shapes.insert(0, ())
        self.deleted = False
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
        comps = [np.asarray(c) for c in comps]
        if len(comps) != len(self.dtypes) or any(
                c.dtype != dt and not (dt == object and c.dtype.kind in "OSU")
                for c, dt in zip(comps, self.dtypes)):
            # the enqueue kernel's check of its inputs' types against the queue's
            have = ", ".join(["resource"] + [_tf_name(c.dtype if c.dtype.kind not in "SU"
                                                      else object) for c in comps])
            want = ", ".join(["resource"] + [_tf_name(d) for d in self.dtypes])
            raise errors.InvalidArgumentError(
                None, None, f"Signature mismatch, have: {have}-> expected: {want}->")
        out = []
        for i, (c, dt) in enumerate(zip(comps, self.dtypes)):
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

    def put(self, element):
        if self.kind == "PriorityQueue":
            _heap_push(self.items, element)
        else:
            self.items.append(element)

    def take(self, n):
        if self.kind == "PriorityQueue":
            out = [_heap_pop(self.items) for _ in range(n)]
        elif self.kind == "RandomShuffleQueue":
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


# TF's priority queue is a C++ std::priority_queue (a binary heap ordered by priority,
# least first): tuples of equal priority come out in the order its heap operations leave
# them, not in the order they went in. These are libstdc++'s push_heap and pop_heap, step
# for step, so that ties come out as TF's do.
def _heap_before(a, b):
    return int(a[0]) > int(b[0])


def _heap_push(h, v):
    h.append(v)
    _sift_up(h, len(h) - 1, v)


def _sift_up(h, hole, v):
    parent = (hole - 1) // 2
    while hole > 0 and _heap_before(h[parent], v):
        h[hole] = h[parent]
        hole = parent
        parent = (hole - 1) // 2
    h[hole] = v


def _heap_pop(h):
    top, last = h[0], h.pop()
    n = len(h)
    if n == 0:
        return top
    # the hole left at the top goes down along the preferred child to a leaf, then the
    # last element goes up from there
    hole = child = 0
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if _heap_before(h[child], h[child - 1]):
            child -= 1
        h[hole] = h[child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        h[hole] = h[child - 1]
        hole = child - 1
    _sift_up(h, hole, last)
    return top


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


@register_kernel("PriorityQueueV2")
def priority_queue(*, ctx, op, component_types, shapes, capacity):
    return _resource(ctx, op, _make_queue(op, component_types, shapes, capacity))


def _live(q):
    """An eager queue whose Python object is gone is gone (a function may still hold its
    handle): TF's words for a missing resource. Eager handles come as 0-d object arrays."""
    if isinstance(q, np.ndarray):
        q = q.item()
    if q.deleted:
        raise errors.NotFoundError(
            None, None, f"Resource localhost/{q.name}/N10tensorflow14QueueInterfaceE does "
                        f"not exist.")
    return q


@register_kernel("QueueEnqueueV2")
def queue_enqueue(q, *components, ctx):
    q = _live(q)
    comps = q.check_element(components, batched=False)
    with q.cond:
        if q.closed:
            raise q.closed_error()
        _wait_room(q, ctx)
        q.put(tuple(np.array(c, dtype=dt) for c, dt in zip(comps, q.dtypes)))
        q.cond.notify_all()


def _wait_room(q, ctx):
    q.pending += 1
    try:
        _wait(q, ctx, lambda: q.cancelled or q.room(), "Enqueue")
    finally:
        q.pending -= 1
    if q.cancelled:
        # TF's words for an enqueue that close(cancel_pending_enqueues=True) cancelled
        # while it waited (recorded); one that starts after the close finds it closed
        raise errors.CancelledError(None, None, "Enqueue operation was cancelled")


@register_kernel("QueueEnqueueManyV2")
def queue_enqueue_many(q, *components, ctx):
    q = _live(q)
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
            q.put(tuple(np.array(c[j], dtype=dt) for c, dt in zip(comps, q.dtypes)))
            q.cond.notify_all()


@register_kernel("QueueDequeueV2")
def queue_dequeue(q, *, ctx):
    q = _live(q)
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
            None, None, f"Dequeue{'UpTo' if up_to else 'Many'}Op requested {n} < 0 elements")
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
                if q.kind == "PriorityQueue":
                    # TF's priority queue does not hand out a short batch: it drops what
                    # it took and fails for the rest (recorded)
                    raise q.insufficient(n - len(got))
                break
            if q.kind == "PriorityQueue":
                for element in got:
                    _heap_push(q.items, element)
            else:
                q.items[:0] = got
            raise q.insufficient(n)
        return q.stack(got)


@register_kernel("QueueDequeueManyV2")
def queue_dequeue_many(q, n, *, ctx):
    q = _live(q)
    return _many(q, n, ctx, up_to=False)


@register_kernel("QueueDequeueUpToV2")
def queue_dequeue_up_to(q, n, *, ctx):
    q = _live(q)
    return _many(q, n, ctx, up_to=True)


@register_kernel("QueueCloseV2")
def queue_close(q, *, cancel_pending_enqueues):
    q = _live(q)
    with q.cond:
        q.closed = True
        if cancel_pending_enqueues:
            q.cancelled = True
        q.cond.notify_all()


@register_kernel("QueueSizeV2")
def queue_size(q):
    q = _live(q)
    with q.cond:
        return np.int32(len(q.items))


@register_kernel("QueueIsClosedV2")
def queue_is_closed(q):
    q = _live(q)
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
