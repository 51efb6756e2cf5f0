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
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["QueueBase", "FIFOQueue", "PaddingFIFOQueue", "RandomShuffleQueue",
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
    if batch is False:
        return shapes
    return [TensorShape([batch]).concatenate(s) for s in shapes]


def _many_shapes(op):
    from . import constant_op  # noqa: F401 - constant_value lives with tensor_util
    from ..framework.tensor_util import constant_value
    n = constant_value(op.inputs[1])
    return _component_shapes(op, None if n is None else int(n))


_QUEUE_TYPES = ("FIFOQueueV2", "PaddingFIFOQueueV2", "RandomShuffleQueueV2")
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
    """Adds an op with no outputs and returns the Operation (apply_op returns outputs)."""
    g = _ops.get_default_graph()
    for x in inputs:
        if isinstance(x, _ops.Tensor):
            g = x.graph
            break
    with g.as_default():
        apply_op(op_type, inputs, attrs, name=name)
        return g.get_operations()[-1]


def _as_dtypes(dtypes):
    if not isinstance(dtypes, (list, tuple)):
        dtypes = [dtypes]
    return [_dt.as_dtype(d) for d in dtypes]


class QueueBase:
    """A queue's handle and the ops that use it (TF's QueueBase)."""

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = list(dtypes)
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [as_shape(s) for s in shapes]
        else:
            self._shapes = [unknown_shape() for _ in dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
            self._names = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        # the ops a queue makes are named after its last name component, in the caller's
        # scope (batch/fifo_queue's enqueue is batch/fifo_queue_enqueue)
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
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
                                 f"Queue.  Dictionary: {sorted(vals.keys())}, Queue: "
                                 f"{sorted(self._names)}")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Queue has {len(self._dtypes)} components, got {len(vals)} "
                             f"values to enqueue")
        return [_ops.convert_to_tensor(v, dtype=d, name=f"component_{i}")
                for i, (v, d) in enumerate(zip(vals, self._dtypes))]

    def _dequeued(self, outs, batch=False, up_to=False):
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        if self._names:
            return dict(zip(self._names, outs))
        return outs[0] if len(outs) == 1 else outs

    @registry.api("QueueEnqueueV2")
    def enqueue(self, vals, name=None):
        g = self._queue_ref.graph
        with g.as_default(), g.name_scope(name or f"{self._name}_enqueue") as scope:
            tensors = self._check_enqueue_dtypes(vals)
            for t, s in zip(tensors, self._shapes):
                t.shape.assert_is_compatible_with(s)
            return _no_output_op("QueueEnqueueV2", [self._queue_ref, tensors], name=scope)

    @registry.api("QueueEnqueueManyV2")
    def enqueue_many(self, vals, name=None):
        g = self._queue_ref.graph
        with g.as_default(), g.name_scope(name or f"{self._name}_EnqueueMany") as scope:
            tensors = self._check_enqueue_dtypes(vals)
            batch = tensors[0].shape.with_rank_at_least(1)[0]
            for t, s in zip(tensors, self._shapes):
                tb = t.shape.with_rank_at_least(1)[0]
                batch = batch.merge_with(tb)
                t.shape[1:].assert_is_compatible_with(s)
            return _no_output_op("QueueEnqueueManyV2", [self._queue_ref, tensors], name=scope)

    def _dequeue_op(self, op_type, n, name, suffix):
        inputs = [self._queue_ref] if n is None else [self._queue_ref, n]
        outs = apply_op(op_type, inputs, attrs={"component_types": self._dtypes},
                        name=name or f"{self._name}_{suffix}")
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        for t, s in zip(outs, self._shapes):
            if n is None:
                t.set_shape(s)
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


def _queue_attrs(dtypes, shapes, capacity, shared_name):
    return {"component_types": dtypes,
            "shapes": [as_shape(s) for s in shapes] if shapes is not None else [],
            "capacity": int(capacity), "container": "", "shared_name": shared_name or ""}


def _check_shapes(shapes, dtypes):
    if shapes is None:
        return None
    # one shape given alone (ints and Nones, `()` for scalars) is the shape of the one
    # component, as TF reads it
    if isinstance(shapes, TensorShape) or not isinstance(shapes, (list, tuple)) or \
            all(d is None or isinstance(d, int) for d in shapes):
        shapes = [shapes]
    return [as_shape(s) for s in shapes]


class FIFOQueue(QueueBase):
    """tf.queue.FIFOQueue: tuples come out in the order they went in."""

    @registry.api("FIFOQueueV2")
    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        dtypes = _as_dtypes(dtypes)
        shapes = _check_shapes(shapes, dtypes)
        ref = apply_op("FIFOQueueV2", [], attrs=_queue_attrs(dtypes, shapes, capacity,
                                                             shared_name), name=name)[0]
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """tf.queue.PaddingFIFOQueue: a FIFO queue whose components may have unknown dimensions;
    dequeue_many pads them with zeros to the largest in the batch."""

    @registry.api("PaddingFIFOQueueV2")
    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        dtypes = _as_dtypes(dtypes)
        shapes = _check_shapes(shapes, dtypes)
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
        shapes = _check_shapes(shapes, dtypes)
        seed1, seed2 = get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        attrs = _queue_attrs(dtypes, shapes, capacity, shared_name)
        attrs.update(min_after_dequeue=int(min_after_dequeue), seed=int(seed1),
                     seed2=int(seed2))
        ref = apply_op("RandomShuffleQueueV2", [], attrs=attrs, name=name)[0]
        super().__init__(dtypes, shapes, names, ref)


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
