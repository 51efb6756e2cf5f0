"""TF1's queues and gradient accumulators: stateful resources that live in a session and
that ops running in different `Session.run` calls (often in different threads) share.

A queue is a resource made by its creating op (FIFOQueueV2, PaddingFIFOQueueV2,
RandomShuffleQueueV2); the enqueue and dequeue ops take its handle and block while the
queue is full or has too few elements, as TF's, until another run changes it, the queue
is closed, the run's deadline (`RunOptions(timeout_in_ms=...)` or the session's
`operation_timeout_in_ms`) passes, or the session is closed (kernels/cpu/data_flow.py).
Input pipelines (tf.train.QueueRunner, tf.train.batch) and SyncReplicasOptimizer's token
queue are built from these.

A ConditionalAccumulator (ResourceConditionalAccumulator) averages (or sums) the gradients
applied to it whose `local_step` is not older than its global step; `take_grad` waits for
`num_required` of them, returns their mean and starts a new step.
"""
import contextlib
import itertools
import weakref

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import (Dimension, TensorShape, as_shape, dimension_value,
                                      unknown_shape)

__all__ = ["QueueBase", "FIFOQueue", "PaddingFIFOQueue", "RandomShuffleQueue", "PriorityQueue",
           "ConditionalAccumulator", "ConditionalAccumulatorBase"]

_H = _dt.resource
_I = _dt.int32
_QUEUE_ATTRS = {"shapes": [], "capacity": -1, "container": "", "shared_name": ""}


def _scalar(op):
    return [TensorShape([])]


def _component_shapes(op, batch=None):
    shapes = op.inputs[0].op.get_attr("shapes") if op.inputs[0].op.type in _QUEUE_TYPES \
        else []
    types = op.get_attr("component_types")
    if not shapes:
        return [unknown_shape() for _ in types]
    shapes = [as_shape(s) for s in shapes]
    if op.inputs[0].op.type == "PriorityQueueV2":
        shapes = [TensorShape([])] + shapes
    if batch is False:
        return shapes
    return [TensorShape([batch]).concatenate(s) for s in shapes]


def _many_shapes(op):
    from . import constant_op  # noqa: F401 - constant_value lives with tensor_util
    from ..framework.tensor_util import constant_value
    n = constant_value(op.inputs[1])
    return _component_shapes(op, None if n is None else int(n))


_QUEUE_TYPES = ("FIFOQueueV2", "PaddingFIFOQueueV2", "RandomShuffleQueueV2", "PriorityQueueV2")
registry.register_op(
    "FIFOQueueV2", outputs=(("handle", _H),), shape=_scalar, stateful=True,
    attr_defaults=dict(_QUEUE_ATTRS),
    doc="A first-in first-out queue of tuples of `component_types`, holding up to `capacity`.")
registry.register_op(
    "PaddingFIFOQueueV2", outputs=(("handle", _H),), shape=_scalar, stateful=True,
    attr_defaults=dict(_QUEUE_ATTRS),
    doc="A FIFO queue whose DequeueMany pads each component to the batch's largest shape.")
registry.register_op(
    "RandomShuffleQueueV2", outputs=(("handle", _H),), shape=_scalar, stateful=True,
    attr_defaults={**_QUEUE_ATTRS, "min_after_dequeue": 0, "seed": 0, "seed2": 0},
    doc="A queue that dequeues a random element, keeping `min_after_dequeue` until closed.")
registry.register_op(
    "PriorityQueueV2", outputs=(("handle", _H),), shape=_scalar, stateful=True,
    attr_defaults={**_QUEUE_ATTRS, "component_types": []},
    doc="A queue of tuples led by an int64 priority; the least priority is dequeued first.")
registry.register_op(
    "QueueEnqueueV2", inputs=(("handle", _H), ("*components", "list:Tcomponents")),
    outputs=(), shape=lambda op: [], stateful=True, attr_defaults={"timeout_ms": -1},
    doc="Puts one tuple in the queue, waiting while it is full.")
registry.register_op(
    "QueueEnqueueManyV2", inputs=(("handle", _H), ("*components", "list:Tcomponents")),
    outputs=(), shape=lambda op: [], stateful=True, attr_defaults={"timeout_ms": -1},
    doc="Puts the tuples sliced along dimension 0 of the components in the queue.")
registry.register_op(
    "QueueDequeueV2", inputs=(("handle", _H),),
    outputs=lambda attrs: [("components", dt) for dt in attrs["component_types"]],
    shape=lambda op: _component_shapes(op, False), stateful=True,
    attr_defaults={"timeout_ms": -1},
    doc="Takes one tuple from the queue, waiting while it is empty.")
registry.register_op(
    "QueueDequeueManyV2", inputs=(("handle", _H), ("n", _I)),
    outputs=lambda attrs: [("components", dt) for dt in attrs["component_types"]],
    shape=_many_shapes, stateful=True, attr_defaults={"timeout_ms": -1},
    doc="Takes `n` tuples, stacked, waiting until there are `n`.")
registry.register_op(
    "QueueDequeueUpToV2", inputs=(("handle", _H), ("n", _I)),
    outputs=lambda attrs: [("components", dt) for dt in attrs["component_types"]],
    shape=lambda op: _component_shapes(op, None), stateful=True,
    attr_defaults={"timeout_ms": -1},
    doc="As QueueDequeueManyV2, but a closed queue hands out the fewer tuples it has left.")
registry.register_op(
    "QueueCloseV2", inputs=(("handle", _H),), outputs=(), shape=lambda op: [],
    stateful=True, attr_defaults={"cancel_pending_enqueues": False},
    doc="Closes the queue: enqueues fail, dequeues fail once too few tuples are left.")
registry.register_op(
    "QueueSizeV2", inputs=(("handle", _H),), outputs=(("size", _I),), shape=_scalar,
    stateful=True, doc="The number of tuples in the queue.")
registry.register_op(
    "QueueIsClosedV2", inputs=(("handle", _H),), outputs=(("is_closed", _dt.bool_),),
    shape=_scalar, stateful=True, doc="Whether the queue is closed.")

registry.register_op(
    "ResourceConditionalAccumulator", outputs=(("handle", _H),),
    shape=lambda op: [as_shape(op.get_attr("shape"))], stateful=True,
    attr_defaults={"shape": unknown_shape(), "container": "", "shared_name": "",
                   "reduction_type": "MEAN"},
    doc="An accumulator of gradients that are not older than its global step.")
registry.register_op(
    "ResourceAccumulatorApplyGradient",
    inputs=(("handle", _H), ("local_step", _dt.int64), ("gradient", "dtype")),
    outputs=(), shape=lambda op: [], stateful=True,
    doc="Adds `gradient` unless `local_step` is older than the accumulator's global step.")
registry.register_op(
    "ResourceAccumulatorTakeGradient", inputs=(("handle", _H), ("num_required", _I)),
    outputs=(("average", "dtype"),),
    shape=lambda op: [op.inputs[0].shape], stateful=True,
    doc="Waits for `num_required` gradients, returns their mean (or sum), starts a new step.")
registry.register_op(
    "ResourceAccumulatorNumAccumulated", inputs=(("handle", _H),),
    outputs=(("num_accumulated", _I),), shape=_scalar, stateful=True,
    doc="The number of gradients accumulated in this step.")
registry.register_op(
    "ResourceAccumulatorSetGlobalStep", inputs=(("handle", _H), ("new_global_step", _dt.int64)),
    outputs=(), shape=lambda op: [], stateful=True,
    doc="Sets the accumulator's global step: older gradients are dropped from then on.")

for _t in _QUEUE_TYPES + ("QueueEnqueueV2", "QueueEnqueueManyV2", "QueueDequeueV2",
                          "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2",
                          "QueueSizeV2", "QueueIsClosedV2", "ResourceConditionalAccumulator",
                          "ResourceAccumulatorApplyGradient", "ResourceAccumulatorTakeGradient",
                          "ResourceAccumulatorNumAccumulated",
                          "ResourceAccumulatorSetGlobalStep"):
    registry.NotDifferentiable(_t)


def _no_output_op(op_type, inputs, attrs=None, name=None):
    """Adds an op with no outputs and returns the Operation (apply_op returns outputs);
    run eagerly, the op runs at once and, as TF's, the call returns None."""
    if _eager(inputs):
        apply_op(op_type, inputs, attrs, name=name)
        return None
    g = _ops.get_default_graph()
    for x in inputs:
        if isinstance(x, _ops.Tensor) and not getattr(x, "_is_eager", False):
            g = x.graph
            break
    with g.as_default():
        apply_op(op_type, inputs, attrs, name=name)
        return g.get_operations()[-1]


def _eager(inputs):
    return _ops.executing_eagerly() and all(
        not isinstance(x, _ops.Tensor) or getattr(x, "_is_eager", False) for x in inputs)


@contextlib.contextmanager
def _lifted():
    """TF's init_scope for a FIFOQueue made while a tf.function is traced: the queue is
    made outside the function (eagerly, or in the graph around it), once, so every call
    uses the same queue."""
    stack = _ops._graph_stack
    saved = list(stack)
    for i, g in enumerate(saved):
        if getattr(g, "_building_function", False):
            del stack[i:]
            break
    try:
        yield
    finally:
        stack[:] = saved


_eager_ids = itertools.count()


def _shared_name(shared_name):
    """An eager queue is never shared: TF names each one with a fresh number."""
    if _ops.executing_eagerly():
        return str(next(_eager_ids))
    return shared_name


def _as_dtypes(dtypes):
    if not isinstance(dtypes, (list, tuple)):
        dtypes = [dtypes]
    return [_dt.as_dtype(d) for d in dtypes]


def _as_shape_list(shapes, partial=False):
    """The component shapes a queue is made with, checked as TF checks them: a queue
    without padding needs fully defined shapes, a padding queue a list of shapes of known
    rank; one shape written as ints (or TensorShape) is the shape of the one component."""
    if partial and (not isinstance(shapes, (list, tuple)) or not shapes or any(
            s is None or isinstance(s, int) for s in shapes)):
        raise ValueError("When providing partial shapes, a list of shapes must be provided.")
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (list, tuple)):
        raise TypeError(f"Shapes must be a TensorShape or a list or tuple of TensorShapes, "
                        f"got {type(shapes)} instead.")
    if all(s is None or isinstance(s, int) for s in shapes):
        shapes = [shapes]
    shapes = [as_shape(s) for s in shapes]
    if not partial and any(not s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    if any(s.rank is None for s in shapes):
        raise ValueError(f"All shapes must have a defined rank: {shapes}")
    return shapes


def _as_name_list(names, dtypes):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError(f"List of names must have the same length as the list of dtypes, "
                         f"received len(names)={len(names)},len(dtypes)={len(dtypes)}")
    return list(names)


def _delete_eager_queue(queue):
    queue.deleted = True


class QueueBase:
    """A queue's handle and the ops that use it (TF's QueueBase).

    Made eagerly, the queue is a resource owned by this object: when the object goes, the
    resource goes with it (a tf.function that still holds its handle then fails with
    NotFoundError, as TF's), and the ops it makes are named after the name scope it was
    made in, or 'Empty' outside any."""

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = list(dtypes)
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError(f"Queue shapes must have the same length as dtypes, "
                                 f"received len(shapes)={len(shapes)}, "
                                 f"len(dtypes)={len(dtypes)}")
            self._shapes = [as_shape(s) for s in shapes]
        else:
            self._shapes = [unknown_shape() for _ in dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError(f"Queue names must have the same length as dtypes,"
                                 f"received len(names)={len(names)},len {len(dtypes)}")
            self._names = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        if getattr(queue_ref, "_is_eager", False):
            scope = _ops.get_name_scope()
            self._name = scope.rstrip("/") if scope else "Empty"
            queue = queue_ref._value
            if getattr(queue, "dtype", None) is not None:     # a 0-d object array
                queue = queue.item()
            if hasattr(queue, "deleted"):
                weakref.finalize(self, _delete_eager_queue, queue)
        else:
            # the ops a queue makes are named after its last name component, in the
            # caller's scope (batch/fifo_queue's enqueue is batch/fifo_queue_enqueue)
            self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
        if getattr(self._queue_ref, "_is_eager", False) and _ops.executing_eagerly():
            return self._name
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _check_enqueue_dtypes(self, vals):
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of "
                                 f"Queue.  Dictionary: {sorted(vals.keys())},Queue: "
                                 f"{sorted(self._names)}")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        # as TF's: too few values are not caught here but by the enqueue kernel's
        # signature check (too many are dropped by the zip)
        return [_ops.convert_to_tensor(v, dtype=d, name=f"component_{i}")
                for i, (v, d) in enumerate(zip(vals, self._dtypes))]

    def _graph(self):
        ref = self._queue_ref
        if getattr(ref, "_is_eager", False):
            return None
        return ref.graph

    def _scope(self, name, default):
        """The name scope an enqueue runs in: the queue's graph's (a handle captured by a
        tf.function: the function's); none eagerly, where TF's ops get no name."""
        g = self._graph()
        if g is None:
            if _ops.executing_eagerly():
                return contextlib.nullcontext(None)
            g = _ops.get_default_graph()
        return _graph_scope(g, name or default)

    @registry.api("QueueEnqueueV2")
    def enqueue(self, vals, name=None):
        with self._scope(name, f"{self._name}_enqueue") as scope:
            tensors = self._check_enqueue_dtypes(vals)
            for t, s in zip(tensors, self._shapes):
                t.shape.assert_is_compatible_with(s)
            return _no_output_op("QueueEnqueueV2", [self._queue_ref, tensors], name=scope)

    @registry.api("QueueEnqueueManyV2")
    def enqueue_many(self, vals, name=None):
        with self._scope(name, f"{self._name}_EnqueueMany") as scope:
            tensors = self._check_enqueue_dtypes(vals)
            batch = Dimension(dimension_value(tensors[0].shape.with_rank_at_least(1)[0]))
            for t, s in zip(tensors, self._shapes):
                tb = Dimension(dimension_value(t.shape.with_rank_at_least(1)[0]))
                batch = batch.merge_with(tb)
                t.shape[1:].assert_is_compatible_with(s)
            return _no_output_op("QueueEnqueueManyV2", [self._queue_ref, tensors],
                                 name=scope)

    def _dequeued(self, outs):
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        if self._names:
            return dict(zip(self._names, outs))
        return outs[0] if len(outs) == 1 else outs

    def _dequeue_op(self, op_type, n, name, suffix):
        inputs = [self._queue_ref] if n is None else [self._queue_ref, n]
        outs = apply_op(op_type, inputs, attrs={"component_types": self._dtypes},
                        name=name or f"{self._name}_{suffix}")
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        if not getattr(outs[0], "_is_eager", False):
            # the handle may be a tf.function's capture, whose shape rule sees no queue
            if n is None:
                batch = []
            elif op_type == "QueueDequeueManyV2":
                from ..framework.tensor_util import constant_value
                k = constant_value(outs[0].op.inputs[1])
                batch = [None if k is None else int(k)]
            else:
                batch = [None]
            for t, s in zip(outs, self._shapes):
                t.set_shape(TensorShape(batch).concatenate(s))
        return self._dequeued(outs)

    @registry.api("QueueDequeueV2")
    def dequeue(self, name=None):
        return self._dequeue_op("QueueDequeueV2", None, name, "Dequeue")

    @registry.api("QueueDequeueManyV2")
    def dequeue_many(self, n, name=None):
        return self._dequeue_op("QueueDequeueManyV2", n, name, "DequeueMany")

    @registry.api("QueueDequeueUpToV2")
    def dequeue_up_to(self, n, name=None):
        return self._dequeue_op("QueueDequeueUpToV2", n, name, "DequeueUpTo")

    @registry.api("QueueCloseV2")
    def close(self, cancel_pending_enqueues=False, name=None):
        return _no_output_op("QueueCloseV2", [self._queue_ref],
                             attrs={"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
                             name=name or f"{self._name}_Close")

    @registry.api("QueueIsClosedV2")
    def is_closed(self, name=None):
        return apply_op("QueueIsClosedV2", [self._queue_ref],
                        name=name or f"{self._name}_Is_Closed")[0]

    @registry.api("QueueSizeV2")
    def size(self, name=None):
        return apply_op("QueueSizeV2", [self._queue_ref], name=name or f"{self._name}_Size")[0]


@contextlib.contextmanager
def _graph_scope(g, name):
    with g.as_default(), g.name_scope(name) as scope:
        yield scope


def _queue_attrs(dtypes, shapes, capacity, shared_name):
    return {"component_types": dtypes,
            "shapes": [as_shape(s) for s in shapes] if shapes is not None else [],
            "capacity": int(capacity), "container": "",
            "shared_name": _shared_name(shared_name) or ""}


class FIFOQueue(QueueBase):
    """tf.queue.FIFOQueue: tuples come out in the order they went in."""

    @registry.api("FIFOQueueV2")
    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        dtypes = _as_dtypes(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        with _lifted():
            ref = apply_op("FIFOQueueV2", [], attrs=_queue_attrs(
                dtypes, shapes, capacity, shared_name), name=name)[0]
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """tf.queue.PaddingFIFOQueue: a FIFO queue whose components may have unknown dimensions;
    dequeue_many pads them with zeros to the largest in the batch."""

    @registry.api("PaddingFIFOQueueV2")
    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        dtypes = _as_dtypes(dtypes)
        shapes = _as_shape_list(shapes, partial=True)
        names = _as_name_list(names, dtypes)
        if len(shapes) != len(dtypes):
            raise ValueError(f"Shapes must be provided for all components, but received "
                             f"{len(dtypes)} dtypes and {len(shapes)} shapes.")
        ref = apply_op("PaddingFIFOQueueV2", [], attrs=_queue_attrs(
            dtypes, shapes, capacity, shared_name), name=name)[0]
        super().__init__(dtypes, shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """tf.queue.RandomShuffleQueue: dequeues a uniformly random tuple, and keeps at least
    `min_after_dequeue` tuples in the queue until it is closed (so the shuffle mixes)."""

    @registry.api("RandomShuffleQueueV2")
    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name="random_shuffle_queue"):
        from .random_ops import get_seed
        dtypes = _as_dtypes(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        seed1, seed2 = get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        attrs = _queue_attrs(dtypes, shapes, capacity, shared_name)
        attrs.update(min_after_dequeue=int(min_after_dequeue), seed=int(seed1),
                     seed2=int(seed2))
        ref = apply_op("RandomShuffleQueueV2", [], attrs=attrs, name=name)[0]
        super().__init__(dtypes, shapes, names, ref)


class PriorityQueue(QueueBase):
    """tf.queue.PriorityQueue: each tuple starts with an int64 scalar priority; the tuple
    of least priority comes out first (ties in the order of TF's binary heap, not the
    order they went in). `types` and `shapes` name the other components; `dtypes` and
    `shapes` of the queue include the priority."""

    @registry.api("PriorityQueueV2")
    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name="priority_queue"):
        types = _as_dtypes(types)
        shapes = _as_shape_list(shapes)
        if shapes is None and not _ops.executing_eagerly():
            # TF's generated wrapper needs a list (eagerly, its kernel refuses the queue)
            raise TypeError("Expected list for 'shapes' argument to 'priority_queue_v2' "
                            "Op, not None.")
        ref = apply_op("PriorityQueueV2", [], attrs=_queue_attrs(
            types, shapes or [], capacity, shared_name), name=name)[0]
        super().__init__([_dt.int64] + types, [TensorShape([])] + shapes if shapes else shapes,
                         names, ref)


class ConditionalAccumulatorBase:
    def __init__(self, dtype, shape, accumulator_ref):
        self._dtype = _dt.as_dtype(dtype)
        self._shape = as_shape(shape) if shape is not None else unknown_shape()
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name

    @property
    def accumulator_ref(self):
        return self._accumulator_ref

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @registry.api("ResourceAccumulatorNumAccumulated")
    def num_accumulated(self, name=None):
        return apply_op("ResourceAccumulatorNumAccumulated", [self._accumulator_ref],
                        name=name or f"{self._name}_NumAccumulated")[0]

    @registry.api("ResourceAccumulatorSetGlobalStep")
    def set_global_step(self, new_global_step, name=None):
        step = _ops.convert_to_tensor(new_global_step)
        if step.dtype != _dt.int64:
            from .math_ops import cast
            step = cast(step, _dt.int64)
        return _no_output_op("ResourceAccumulatorSetGlobalStep", [self._accumulator_ref, step],
                        name=name or "ResourceAccumulatorSetGlobalStep")


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """tf.ConditionalAccumulator: averages the dense gradients applied in one step."""

    @registry.api("ResourceConditionalAccumulator")
    def __init__(self, dtype, shape=None, shared_name=None, name="conditional_accumulator",
                 reduction_type="MEAN"):
        if reduction_type not in ("MEAN", "SUM"):
            raise ValueError(f"reduction_type must be 'MEAN' or 'SUM', got {reduction_type!r}")
        shape = as_shape(shape) if shape is not None else unknown_shape()
        ref = apply_op("ResourceConditionalAccumulator", [], attrs={
            "dtype": _dt.as_dtype(dtype), "shape": shape, "container": "",
            "shared_name": shared_name or "", "reduction_type": reduction_type}, name=name)[0]
        super().__init__(dtype, shape, ref)

    @registry.api("ResourceAccumulatorApplyGradient")
    def apply_grad(self, grad, local_step=0, name=None):
        from .math_ops import cast
        grad = _ops.convert_to_tensor(grad, dtype=self._dtype)
        grad.shape.assert_is_compatible_with(self._shape)
        local_step = cast(_ops.convert_to_tensor(local_step), _dt.int64)
        return _no_output_op("ResourceAccumulatorApplyGradient",
                        [self._accumulator_ref, local_step, grad],
                        name=name or "ResourceAccumulatorApplyGradient")

    @registry.api("ResourceAccumulatorTakeGradient")
    def take_grad(self, num_required, name=None):
        out = apply_op("ResourceAccumulatorTakeGradient",
                       [self._accumulator_ref, num_required], attrs={"dtype": self._dtype},
                       name=name or "ResourceAccumulatorTakeGradient")[0]
        out.set_shape(self._shape)
        return out
