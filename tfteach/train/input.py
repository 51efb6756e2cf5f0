"""TF1's queue-based input pipelines: producers that fill a queue from a tensor (for ever
or for `num_epochs`) and batchers that group what another queue-fed tensor yields. Each
adds a QueueRunner to the graph (start them with tf.train.start_queue_runners) and a
"fraction full" summary of its queue, as TF's."""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.tensor_shape import as_shape
from ..ops import array_ops, data_flow_ops, math_ops, state_ops
from ..ops import variables
from .queue_runner import QueueRunner, add_queue_runner

__all__ = ["limit_epochs", "input_producer", "string_input_producer", "batch",
           "shuffle_batch"]


def limit_epochs(tensor, num_epochs=None, name=None):
    """`tensor`, which fails with OutOfRangeError once read `num_epochs` times (None: never).
    The count is a local variable: run local_variables_initializer first."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    g = _ops.get_default_graph()
    with g.name_scope(name or "limit_epochs") as scope:
        from ..ops.constant_op import constant
        epochs = variables.RefVariable(
            constant(0, dtype=_dt.int64), name="epochs", trainable=False,
            collections=[_ops.GraphKeys.LOCAL_VARIABLES])
        counter = state_ops.count_up_to(epochs, num_epochs)
        with g.control_dependencies([counter]):
            return array_ops.identity(tensor, name=scope[:-1] if scope.endswith("/")
                                      else scope)


def _fraction_summary(queue, capacity, tag, keep=0):
    import importlib
    # the v1 summary op (the package's TF2 view of `summary` is the writer API)
    summary = importlib.import_module("tfteach.summary")
    size = queue.size()
    if keep:
        size = math_ops.maximum(0, size - keep)
        denom = capacity - keep
    else:
        denom = capacity
    frac = math_ops.cast(size, _dt.float32) * (1.0 / denom)
    summary.scalar(tag, frac)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True,
                   seed=None, capacity=32, shared_name=None, summary_name=None, name=None,
                   cancel_op=None):
    """A queue fed with the rows of `input_tensor` (shuffled each epoch if `shuffle`), for
    `num_epochs` epochs or for ever, by a QueueRunner added to the graph."""
    if _ops.executing_eagerly():
        raise RuntimeError("Input pipelines based on Queues are not supported when eager "
                           "execution is enabled. Please use tf.data to ingest data into "
                           "your model instead.")
    g = _ops.get_default_graph()
    with g.name_scope(name or "input_producer"):
        input_tensor = _ops.convert_to_tensor(input_tensor, name="input_tensor")
        element_shape = input_tensor.shape[1:].merge_with(
            as_shape(element_shape) if element_shape is not None else input_tensor.shape[1:])
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or "
                             "`element_shape` must be specified")
        if shuffle:
            from ..ops.random_ops import random_shuffle
            input_tensor = random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        q = data_flow_ops.FIFOQueue(capacity, [input_tensor.dtype.base_dtype],
                                    shapes=[element_shape], shared_name=shared_name,
                                    name=name or "fifo_queue")
        enq = q.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(q, [enq], cancel_op=cancel_op))
        if summary_name is not None:
            _fraction_summary(q, capacity, f"{summary_name}")
        return q


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None,
                          capacity=32, shared_name=None, name=None, cancel_op=None):
    """input_producer for a 1-D string tensor (file names, usually)."""
    g = _ops.get_default_graph()
    with g.name_scope(name or "input_producer") as scope:
        string_tensor = _ops.convert_to_tensor(string_tensor, dtype=_dt.string)
        if string_tensor.shape.rank is not None and string_tensor.shape.rank != 1:
            raise ValueError(f"Shape must be rank 1 but is rank {string_tensor.shape.rank}")
        if string_tensor.shape[0] == 0:
            raise ValueError("string_input_producer requires a non-empty tensor")
        return input_producer(string_tensor, [], num_epochs=num_epochs, shuffle=shuffle,
                              seed=seed, capacity=capacity, shared_name=shared_name,
                              name=scope, summary_name=f"fraction_of_{capacity}_full",
                              cancel_op=cancel_op)


def _flatten(tensors):
    if isinstance(tensors, dict):
        keys = sorted(tensors)
        return [tensors[k] for k in keys], lambda out: dict(zip(keys, out))
    if isinstance(tensors, (list, tuple)):
        return list(tensors), lambda out: list(out) if len(out) > 1 else out[0]
    return [tensors], lambda out: out[0]


def _shapes(tensors, shapes, enqueue_many, dynamic_pad=False):
    if shapes is not None:
        return [as_shape(s) for s in shapes]
    out = []
    for t in tensors:
        s = t.shape[1:] if enqueue_many else t.shape
        if not s.is_fully_defined() and not (dynamic_pad and s.rank is not None):
            raise ValueError(f"All shapes must be fully defined: {[t.shape for t in tensors]}")
        out.append(s)
    return out


def _batch(queue_fn, tensors, batch_size, num_threads, capacity, enqueue_many, shapes,
           allow_smaller_final_batch, name, default_name, summary, dynamic_pad=False):
    if _ops.executing_eagerly():
        raise ValueError("Input pipelines based on Queues are not supported when eager "
                         "execution is enabled. Please use tf.data to ingest data into your "
                         "model instead.")
    flat, rebuild = _flatten(tensors)
    g = _ops.get_default_graph()
    with g.name_scope(name or default_name) as scope:
        flat = [_ops.convert_to_tensor(t) for t in flat]
        shapes = _shapes(flat, shapes, enqueue_many, dynamic_pad)
        queue = queue_fn([t.dtype.base_dtype for t in flat], shapes)
        enq = queue.enqueue_many(flat) if enqueue_many else queue.enqueue(flat)
        add_queue_runner(QueueRunner(queue, [enq] * num_threads))
        summary(queue)
        if allow_smaller_final_batch:
            out = queue.dequeue_up_to(batch_size, name=scope)
        else:
            out = queue.dequeue_many(batch_size, name=scope)
    out = [out] if not isinstance(out, (list, tuple)) else out
    return rebuild(out)


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
          dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches of `batch_size` of `tensors` (each run of a batcher thread enqueues one
    element, or a batch of them if `enqueue_many`), in order; `dynamic_pad` pads unknown
    dimensions with zeros as PaddingFIFOQueue."""
    def make(dtypes, shps):
        if dynamic_pad:
            return data_flow_ops.PaddingFIFOQueue(capacity, dtypes, shps,
                                                  shared_name=shared_name)
        return data_flow_ops.FIFOQueue(capacity, dtypes, shapes=shps,
                                       shared_name=shared_name)

    return _batch(make, tensors, batch_size, num_threads, capacity, enqueue_many, shapes,
                  allow_smaller_final_batch, name, "batch",
                  lambda q: _fraction_summary(q, capacity, f"fraction_of_{capacity}_full"),
                  dynamic_pad)


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
                  enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                  shared_name=None, name=None):
    """Batches drawn at random from a RandomShuffleQueue that keeps `min_after_dequeue`
    elements to mix from."""
    def make(dtypes, shps):
        return data_flow_ops.RandomShuffleQueue(capacity, min_after_dequeue, dtypes,
                                                shapes=shps, seed=seed,
                                                shared_name=shared_name)

    keep = min_after_dequeue
    return _batch(make, tensors, batch_size, num_threads, capacity, enqueue_many, shapes,
                  allow_smaller_final_batch, name, "shuffle_batch",
                  lambda q: _fraction_summary(
                      q, capacity, f"fraction_over_{keep}_of_{capacity - keep}_full", keep))
