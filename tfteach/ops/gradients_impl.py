"""`tf.gradients`: symbolic differentiation that adds gradient ops to the graph.

The algorithm is TF's (so the ops it adds, their order and their names are TF's):

1. mark every op reachable *forward* from the xs through differentiable (float) tensors;
2. walk *backward* from the ys: the ops met that are also marked lie between ys and xs;
   count, for each of them, how many between-ops consume it (its pending count);
3. seed each y with `grad_ys` (default: ones shaped like y, the op `gradients/grad_ys_0`);
4. pop ops whose consumers have all sent their gradients: sum what arrived on each output
   (one `AddN` when several paths meet), call the op's registered gradient function inside
   a `<op>_grad` name scope, and hand the results to the op's inputs.

Gradient functions come from the registry (`registry.RegisterGradient`), the same ones the
eager tape uses. An op without a gradient function raises LookupError unless it was
declared `NotDifferentiable` (then its inputs get None).
"""
import collections

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.indexed_slices import IndexedSlices

# The registry loads each family's gradients (ops/<family>_grad.py) on first lookup; these
# are imported for their helpers (fill, zeros_like, cond's zeros, whole-loop gradients).
from . import control_flow_v1, math_grad, while_grad

__all__ = ["gradients", "AggregationMethod", "UnconnectedGradients"]


class AggregationMethod:
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients:
    NONE = "none"
    ZERO = "zero"


def _is_trainable(t):
    """Tensors that carry gradients: floating point and complex (TF's IsTrainable)."""
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex or dt in (_dt.resource, _dt.variant)


def _as_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


class _Nodes:
    """What the walk sees as one node: an op, or a whole while loop below `level` (a
    `_LoopNode`, see while_grad.py), so a loop's cycle never enters the walk. `level` is the
    loop whose body is being differentiated (None: the whole graph)."""

    def __init__(self, level=None):
        self.level = level
        self.loops = {}

    def of(self, op):
        if op._control_flow_context is None:
            return op
        from . import while_grad
        w = while_grad.loop_below(op, self.level)
        if w is None:
            return op
        node = self.loops.get(w)
        if node is None:
            node = self.loops[w] = while_grad.LoopNode(w)
        return node

    def src(self, t):
        """(node, output index in that node) of tensor `t`."""
        node = self.of(t.op)
        if node is t.op:
            return node, t.value_index
        return node, node.index[t]


_NEXTS = ("NextIteration", "RefNextIteration")


def _mark_reached(from_ops, nodes):
    reached = set()
    queue = collections.deque(from_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            continue
        reached.add(op)
        if op._type in _NEXTS:      # the body's end: the back edge leads to the next iteration
            continue
        for out in op._outputs:
            if _is_trainable(out):
                queue.extend(nodes.of(c) for c in out._consumers)
    return reached


def _pending_count(to_ops, from_ops, nodes):
    reached = _mark_reached(from_ops, nodes)
    reachable_to_ops = {op for op in to_ops if op in reached}
    between = set()
    between_list = []
    queue = collections.deque(to_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            between.add(op)
            between_list.append(op)
            reached.discard(op)
            queue.extend(nodes.of(t.op) for t in op._inputs)
    pending = collections.defaultdict(int)
    for op in between_list:
        for t in op._inputs:
            src = nodes.of(t.op)
            if src in between:
                pending[src] += 1
    return reachable_to_ops, pending


def _default_grad_ys(grad_ys, ys):
    from . import array_ops, constant_op
    if len(grad_ys) != len(ys):
        raise ValueError(f"Length mismatch. Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    out = []
    for i, (y, gy) in enumerate(zip(ys, grad_ys)):
        if gy is None:
            if y.dtype.is_complex:
                raise TypeError(f"Gradients of complex tensors ({y}) must set grad_ys "
                                f"(y.dtype = {y.dtype.base_dtype.name})")
            shape = array_ops.shape(y)
            with _ops.name_scope(f"grad_ys_{i}") as scope:
                one = constant_op.constant(1, dtype=y.dtype.base_dtype, name="Const")
                out.append(math_grad.fill(shape, one, name=scope))
            continue
        gy = _ops.convert_to_tensor(gy, name="grad_y")
        ydt, gdt = y.dtype.base_dtype, gy.dtype.base_dtype
        if (ydt.is_floating or ydt.is_integer) and not (gdt.is_floating or gdt.is_integer):
            raise TypeError(f"Gradient type {gdt.name} generated for real or integer-valued "
                            f"tensor {y} with type {ydt.name} must be real or integer")
        # TF names the given seed inside the gradients scope too.
        out.append(array_ops.identity(gy, name=f"grad_ys_{i}"))
    return out


def _set_grad(grads, t, grad, nodes):
    op, index = nodes.src(t)
    op_grads = grads.get(op)
    if op_grads is None:
        op_grads = grads[op] = [[] for _ in op._outputs]
    op_grads[index].append(grad)


def _aggregate(grads, op):
    """Sums the gradients that reached each output of `op` (in place in `grads`)."""
    from . import math_ops
    out = grads.get(op)
    if out is None:
        out = grads[op] = [[] for _ in op._outputs]
    for i, g in enumerate(out):
        if not g:
            out[i] = None
        elif len(g) == 1:
            out[i] = g[0]
        elif any(isinstance(x, IndexedSlices) for x in g):
            out[i] = aggregate_indexed_slices(g)
        else:
            out[i] = math_ops.add_n(g)
    return out


def aggregate_indexed_slices(grads):
    """Sums gradients some of which are IndexedSlices, by TF's rule: one dense gradient
    makes the sum dense (one AddN, which converts the slices); slices alone stay slices,
    their rows and indices concatenated (duplicate rows are summed only when densified)."""
    from . import array_ops, math_ops
    grads = [g for g in grads if g is not None]
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    if any(not isinstance(g, IndexedSlices) for g in grads):
        return math_ops.add_n(grads)
    if len({g.indices.dtype.base_dtype for g in grads}) > 1:
        grads = [g if g.indices.dtype.base_dtype == _dt.int64 else
                 IndexedSlices(g.values, math_ops.cast(g.indices, _dt.int64), g.dense_shape)
                 for g in grads]
    return IndexedSlices(array_ops.concat([g.values for g in grads], 0),
                         array_ops.concat([g.indices for g in grads], 0),
                         grads[0].dense_shape)


def _zeros_like(t):
    return math_grad.zeros_like(t)


def _zeros_like_output(op, i):
    """Zeros for an output of `op` no gradient reached. A cond branch's Switch needs
    zeros that are live only when that output is dead (control_flow_v1)."""
    if op._type in ("Switch", "RefSwitch") and op._control_flow_context is not None:
        from . import control_flow_v1
        return control_flow_v1.zeros_for_untaken(op, i)
    return _zeros_like(op._outputs[i])


def _stop_ops(from_ops, stop_gradient_ops, pending, nodes):
    stop = set()
    for op in from_ops:
        if all(pending[nodes.of(t.op)] <= 0 for t in op._inputs):
            stop.add(op)
    stop.update(stop_gradient_ops)
    return stop


def _lookup_grad_fn(op):
    opdef = op._opdef
    if opdef.gradient is not None:
        return opdef.gradient
    if opdef.differentiable is False:
        return None
    raise LookupError(
        f"No gradient defined for operation'{op.name}' (op type: {op.type}). In general "
        f"every operation must have an associated `@tf.RegisterGradient` for correct "
        f"autodiff, which this op is lacking. If you want to pretend this operation is a "
        f"constant in your program, you may insert `tf.stop_gradient`. This can be useful "
        f"to silence the error in cases where you know gradients are not needed, e.g. the "
        f"forward pass of tf.custom_gradient. Please see more details in "
        f"https://www.tensorflow.org/api_docs/python/tf/custom_gradient.")


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):
    """Symbolic derivatives of `sum(ys)` with respect to each of `xs`.

    Returns a list as long as `xs`; an x that no y depends on through differentiable
    tensors gets None (or zeros with `unconnected_gradients='zero'`).
    """
    if _ops.executing_eagerly():
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    if unconnected_gradients not in (UnconnectedGradients.NONE, UnconnectedGradients.ZERO):
        raise ValueError(f"Unknown value for unconnected_gradients: "
                         f"'{unconnected_gradients}'")
    from . import control_flow_ops
    ys = _as_list(ys)
    xs = _as_list(xs)
    stop_gradients = [] if stop_gradients is None else _as_list(stop_gradients)
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    values = [v for v in ys + xs + stop_gradients + grad_ys if v is not None]
    with _ops.name_scope(name, "gradients", values):
        g = _ops.get_default_graph()
        g.unique_name("uid")   # TF reserves this name in each gradients scope
        ys = [_ops.convert_to_tensor(y, name="y") for y in ys]
        xs = [_ops.convert_to_tensor(x, name="x", as_ref=True) for x in xs]
        stop_gradients = [_ops.convert_to_tensor(s) for s in stop_gradients]
        grad_ys = _default_grad_ys(grad_ys, ys)

        result = _walk(ys, grad_ys, xs, stop_gradients, gate_gradients)
        if unconnected_gradients == UnconnectedGradients.ZERO:
            from . import array_ops
            result = [array_ops.zeros_like(x) if gx is None else gx
                      for x, gx in zip(xs, result)]
    return result


def _walk(ys, grad_ys, xs, stop_gradients=(), gate_gradients=False, level=None):
    """The backward walk from `ys` (seeded with `grad_ys`) to `xs`: the gradients of `xs`
    (None where nothing reached). `level` is a while loop whose body is differentiated
    (while_grad.py): then the walk runs inside its backward loop and stops at the body's
    edges."""
    from . import control_flow_ops
    nodes = _Nodes(level)
    to_ops = [nodes.of(t.op) for t in ys]
    from_ops = [nodes.of(t.op) for t in xs]
    reachable_to_ops, pending = _pending_count(to_ops, from_ops, nodes)
    grads = {}
    for y, gy in zip(ys, grad_ys):
        _set_grad(grads, y, gy, nodes)
    queue = collections.deque()
    seen_to = set()
    for op in to_ops:
        if pending[op] == 0 and op not in seen_to and op in reachable_to_ops:
            seen_to.add(op)
            queue.append(op)
    stop_ops = _stop_ops(from_ops, [t.op for t in stop_gradients], pending, nodes)

    while queue:
        op = queue.popleft()
        out_grads = _aggregate(grads, op)
        has_out_grads = any(gr is not None for gr in out_grads)
        if not has_out_grads or op in stop_ops:
            in_grads = [None] * len(op._inputs)
        elif op._type == "WhileLoop":
            # a whole loop: its backward loop is built at once (while_grad.py)
            in_grads = op.gradient(out_grads)
        else:
            grad_fn = _lookup_grad_fn(op)
            if grad_fn is None:
                in_grads = [None] * len(op._inputs)
            else:
                for i, og in enumerate(out_grads):
                    if og is None and _is_trainable(op._outputs[i]):
                        out_grads[i] = _zeros_like_output(op, i)
                with _ops.name_scope(op.name + "_grad"):
                    in_grads = grad_fn(op, *out_grads)
                    in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) \
                        else [in_grads]
                    if len(in_grads) != len(op._inputs):
                        raise ValueError(
                            f"Num gradients {len(in_grads)} generated for op "
                            f"{op.node_def} do not match num inputs {len(op._inputs)}")
                    if gate_gradients and sum(x is not None for x in in_grads) > 1:
                        in_grads = control_flow_ops.tuple(in_grads)
        for i, (t_in, in_grad) in enumerate(zip(op._inputs, in_grads)):
            if in_grad is None:
                continue
            if isinstance(in_grad, _ops.Tensor) and t_in.dtype.base_dtype != _dt.resource:
                # as TF: a resource handle's gradient is its variable's value's shape
                try:
                    in_grad.set_shape(t_in.shape)
                except ValueError:
                    raise ValueError(
                        f"Incompatible shapes between op input and calculated input "
                        f"gradient. Forward operation: {op.name}. Input index: {i}. "
                        f"Original input shape: {t_in.shape}. Calculated input "
                        f"gradient shape: {in_grad.shape}") from None
            _set_grad(grads, t_in, in_grad, nodes)
        for t in op._inputs:
            src = nodes.of(t.op)
            pending[src] -= 1
            if pending[src] == 0:
                queue.append(src)

    result = []
    for x in xs:
        op, index = nodes.src(x)
        op_grads = grads.get(op)
        gx = None if not op_grads else op_grads[index]
        if isinstance(gx, list):     # x's op was never processed: nothing reached it
            gx = None
        result.append(gx)
    return result


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False,
             gate_gradients=False, aggregation_method=None):
    """`tf.compat.v1.hessians`: for each x, the second derivatives of `sum(ys)` by pairs of
    x's elements, shaped `x.shape + x.shape`.

    Each row is the gradient of one element of the first gradient; TF builds the rows in a
    while loop, tfteach unrolls it over x's (static) number of elements."""
    from . import array_ops
    xs = _as_list(xs)
    kwargs = {"colocate_gradients_with_ops": colocate_gradients_with_ops,
              "gate_gradients": gate_gradients, "aggregation_method": aggregation_method}
    first = gradients(ys, xs, **kwargs)
    out = []
    with _ops.name_scope(name, "hessians", _as_list(ys) + xs):
        for grad, x in zip(first, xs):
            if grad is None:
                raise ValueError("None values not supported.")
            n = x.shape.num_elements()
            if n is None:
                raise NotImplementedError(f"tf.hessians needs a static number of elements "
                                          f"of {x.name} in tfteach (shape {x.shape})")
            flat = array_ops.reshape(grad, [-1])
            rows = []
            for j in range(n):
                row = gradients(flat[j], x, **kwargs)[0]
                if row is None:
                    raise ValueError("None values not supported.")
                rows.append(array_ops.reshape(row, [-1]))
            shape = array_ops.shape(x)
            out.append(array_ops.reshape(array_ops.stack(rows),
                                         array_ops.concat([shape, shape], 0)))
    return out


def hessians_v2(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """TF2's `tf.hessians`: graph mode only (inside tf.function or a Graph), like
    tf.gradients."""
    return hessians(ys, xs, gate_gradients=gate_gradients,
                    aggregation_method=aggregation_method, name=name)
