"""tf.GradientTape: reverse-mode autodiff of the ops that ran eagerly.

While a tape is active, every eager op whose inputs the tape tracks (watched tensors,
watched variables, or outputs of ops it already recorded) is appended to the tape with its
inputs, outputs and attrs. `gradient()` walks those records backwards and calls each op
type's registered gradient function -- the same functions `tf.gradients` uses in graphs --
on an op-like record (`.inputs`, `.outputs`, `.type`, `.name`, `.get_attr`).

The gradient computation is itself made of eager ops, so a tape that is still recording
outside records it: nesting tapes gives higher-order gradients. The tape that computes does
not record its own backward pass.
"""
import collections
import enum

import numpy as np

from ..framework import dtypes as _dt
from ..framework import nest, registry
from ..framework.indexed_slices import IndexedSlices
from . import execute as _execute
from .tensor import EagerTensor

__all__ = ["GradientTape", "UnconnectedGradients", "record", "record_variable_read",
           "custom_gradient"]


class UnconnectedGradients(enum.Enum):
    NONE = "none"
    ZERO = "zero"


_READ = "ReadVariableOp"


class _Entry:
    """One recorded op."""
    __slots__ = ("opdef", "type", "attrs", "inputs", "outputs", "name", "grad_fn")

    def __init__(self, opdef, type_, attrs, inputs, outputs, name, grad_fn=None):
        self.opdef = opdef
        self.type = type_
        self.attrs = attrs
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.grad_fn = grad_fn


class _TapeOp:
    """What a registered gradient function sees as `op` when called from a tape."""
    __slots__ = ("type", "name", "inputs", "outputs", "_attrs", "_opdef",
                 "skip_input_indices")

    def __init__(self, entry):
        self.type = entry.type
        self.name = entry.name or entry.type
        self.inputs = tuple(entry.inputs)
        self.outputs = list(entry.outputs)
        self._attrs = entry.attrs
        self._opdef = entry.opdef
        self.skip_input_indices = None

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            defaults = self._opdef.attr_defaults if self._opdef is not None else {}
            if name in defaults:
                return defaults[name]
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.") from None

    def attr(self, name, default=None):
        return self._attrs.get(name, default)

    @property
    def op_def(self):
        return self._opdef

    @property
    def device(self):
        return ""

    @property
    def graph(self):
        raise AttributeError("An eager op recorded on a GradientTape has no graph.")

    def values(self):
        return tuple(self.outputs)

    def __repr__(self):
        return f"<tape op '{self.name}' type={self.type}>"


def record(opdef, attrs, inputs, outputs, name):
    """Called by eager execution for every op while some tape is active."""
    for tape in _execute.active_tapes:
        if not tape._recording:
            continue
        tracked = tape._tracked
        for t in inputs:
            if id(t) in tracked:
                break
        else:
            continue
        tape._add(_Entry(opdef, opdef.type, attrs, list(inputs), list(outputs), name))


def record_variable_read(var, value):
    """A variable was read eagerly: auto-watch it (trainable, watch_accessed_variables) and
    record the read so that gradients reach the variable."""
    for tape in _execute.active_tapes:
        if not tape._recording:
            continue
        if tape._watch_accessed and var._trainable and id(var) not in tape._tracked:
            tape._watch_variable(var)
        if id(var) in tape._tracked:
            tape._add(_Entry(None, _READ, {"dtype": var._dtype}, [var], [value], _READ))


def record_function_call(inputs, outputs, grad_fn, name):
    """A tf.function call as one recorded op; `grad_fn(out_grads) -> input grads`."""
    for tape in _execute.active_tapes:
        if not tape._recording:
            continue
        tracked = tape._tracked
        watched_any = False
        for x in inputs:
            if getattr(x, "_is_resource_variable", False) and tape._watch_accessed and \
                    x._trainable and id(x) not in tracked:
                tape._watch_variable(x)
            if id(x) in tracked:
                watched_any = True
        if watched_any:
            tape._add(_Entry(None, "PartitionedCall", {}, list(inputs), list(outputs), name,
                             grad_fn))


_LOGGED = {}


def _log_first_n(key, n, msg, *args):
    """TF's logging.log_first_n(WARN, ...) on the library's logger."""
    count = _LOGGED.get(key, 0)
    if count < n:
        _LOGGED[key] = count + 1
        import logging
        logging.getLogger("tfteach").warning(msg, *args)


def _is_trainable_dtype(dt):
    from ..framework import dtypes as _dt
    dt = dt.base_dtype
    return dt.is_floating or dt.is_complex or dt in (_dt.resource, _dt.variant)


def _is_differentiable_dtype(dt):
    dt = dt.base_dtype
    return dt.is_floating or dt.is_complex


class GradientTape:
    """Records eager operations for automatic differentiation (TF 2's API)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recording = False
        self._active = False
        self._used = False
        self._entered = False       # TF's tape exists only once the context was entered
        self._reset_state()

    def _reset_state(self):
        self._entries = []
        self._tracked = {}          # id -> the object (kept alive so ids stay unique)
        self._watched_vars = []
        self._graph_reads = {}      # id(variable) -> its reads in a trace being built
        self._graph_watched = []    # graph tensors watched inside a trace

    def _release(self):
        """A used non-persistent tape frees what it recorded (its watched variables stay
        listed, as in TF)."""
        self._entries = []
        self._tracked = {}
        self._graph_reads = {}

    # --- context --------------------------------------------------------------------------
    def __enter__(self):
        if self._active:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        _execute.active_tapes.append(self)
        self._active = True
        self._recording = True
        self._entered = True
        return self

    def __exit__(self, *exc):
        if self._active:
            _execute.active_tapes.remove(self)
        self._active = False
        self._recording = False
        return False

    class _StopRecording:
        def __init__(self, tape):
            self._tape = tape

        def __enter__(self):
            if not self._tape._recording:
                raise RuntimeError("Trying to stop recording a tape which is not "
                                   "recording.")
            self._tape._recording = False

        def __exit__(self, *exc):
            self._tape._recording = True
            return False

    def stop_recording(self):
        """`with tape.stop_recording():` runs ops without recording them on this tape."""
        return GradientTape._StopRecording(self)

    def reset(self):
        """Clears everything recorded so far (the tape keeps recording)."""
        self._reset_state()

    # --- watching ---------------------------------------------------------------------------
    def watch(self, tensor):
        for t in nest.flatten(tensor):
            dt = getattr(t, "dtype", None)
            if dt is not None and not _is_trainable_dtype(dt):
                _log_first_n("watch", 5, "The dtype of the watched tensor must be floating "
                             "(e.g. tf.float32), got %r", dt)
            if getattr(t, "_is_resource_variable", False):
                self._watch_variable(t)
            elif isinstance(t, EagerTensor):
                self._tracked[id(t)] = t
            elif hasattr(t, "_read_eager"):
                self._watch_variable(t)
            else:
                from ..framework import ops as _ops
                if isinstance(t, _ops.Tensor):
                    self._graph_watched.append(t)
                    continue
                raise ValueError(f"Passed in object {t!r} of type '{type(t).__name__}', not "
                                 f"tf.Tensor or tf.Variable or ExtensionType.")

    def _watch_variable(self, var):
        if id(var) not in self._tracked:
            self._tracked[id(var)] = var
            self._watched_vars.append(var)

    def watched_variables(self):
        """The watched variables in order of construction (as TF)."""
        return tuple(sorted(self._watched_vars,
                            key=lambda v: getattr(v, "_creation_order", 0)))

    def _add(self, entry):
        self._entries.append(entry)
        tracked = self._tracked
        for t in entry.outputs:
            tracked[id(t)] = t

    # --- gradients ---------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        if (not self._persistent and self._used) or not self._entered:
            # TF: a tape never entered has no tape to differentiate, and says so this way
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        try:
            unconnected_gradients = UnconnectedGradients(
                unconnected_gradients.value if isinstance(unconnected_gradients,
                                                          UnconnectedGradients)
                else unconnected_gradients)
        except ValueError:
            raise ValueError(f"Unknown value for unconnected_gradients: "
                             f"{unconnected_gradients!r}") from None
        if target is None:
            raise TypeError("Argument `target` should be a list or nested structure of "
                            "Tensors, Variables or CompositeTensors to be differentiated, "
                            "but received None.")
        flat_targets = nest.flatten(target)
        if any(_is_symbolic(t) for t in flat_targets):
            result = self._graph_gradient(flat_targets, nest.flatten(sources), output_gradients,
                                          unconnected_gradients)
            if not self._persistent:
                self._used = True
            return _pack_like(sources, result)
        # A variable as target stands for its handle, as in TF: it reaches the same
        # variable among the sources directly (d v / d v = 1), not through its reads.
        flat_targets = [t if getattr(t, "_is_resource_variable", False) else _as_target(t)
                        for t in flat_targets]
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if s is None:
                raise TypeError("Cannot convert the argument `type_value`: None to a "
                                "TensorFlow DType.")
            if not (isinstance(s, EagerTensor) or
                                 getattr(s, "_is_resource_variable", False)):
                if s is not None and hasattr(s, "dtype") and hasattr(s, "op"):
                    continue
                raise ValueError(f"Argument `sources` must be a Tensor or Variable, got "
                                 f"{s!r}")
        if output_gradients is not None:
            out_grads = [None if g is None else _execute.convert_to_eager(g)
                         for g in nest.flatten(output_gradients)]
            if len(out_grads) != len(flat_targets):
                raise ValueError("The number of output_gradients must match the number of "
                                 "targets.")
        else:
            out_grads = [None] * len(flat_targets)
        was_recording = self._recording
        self._recording = False
        try:
            result = self._backprop(flat_targets, flat_sources, out_grads,
                                    unconnected_gradients)
        finally:
            self._recording = was_recording
        if not self._persistent:
            self._used = True
            self._release()
        return _pack_like(sources, result)

    def _graph_gradient(self, targets, sources, output_gradients, unconnected):
        """The tape used inside a trace: symbolic gradients in the function's graph."""
        from ..framework import ops as _ops
        targets = [t._graph_read() if getattr(t, "_is_resource_variable", False) else t
                   for t in targets]
        xs, spans = [], []
        for s in sources:
            if getattr(s, "_is_resource_variable", False):
                reads = self._graph_reads.get(id(s), [])
                spans.append((len(xs), len(reads), s))
                xs.extend(reads)
            else:
                watched = any(s is w for w in self._graph_watched)
                spans.append((len(xs), 1 if watched else 0, s))
                if watched:
                    xs.append(s)
        grad_ys = None
        if output_gradients is not None:
            grad_ys = [_ops.convert_to_tensor(g) for g in nest.flatten(output_gradients)]
        was = self._recording
        self._recording = False
        try:
            arrivals = []
            level = _loop_level()
            if xs and _through_loops(targets, level):
                xs = _loop_sources(xs, spans, self._graph_reads, level)
                arrivals = _loop_gradients(targets, xs, grad_ys, level)
            elif xs:
                graph_gradients(targets, xs, grad_ys, arrivals=arrivals)
            out = []
            for start, n, s in spans:
                parts = [(xs[i], g) for i, g in arrivals if start <= i < start + n]
                if getattr(s, "_is_resource_variable", False):
                    parts = [_live_outside_conds(g, x, s) for x, g in parts]
                else:
                    parts = [g for _, g in parts]
                dt = s.dtype.base_dtype
                if not parts or not _is_differentiable_dtype(dt):
                    if parts == [] and unconnected == UnconnectedGradients.ZERO and \
                            _is_differentiable_dtype(dt):
                        like = s._graph_read() if getattr(s, "_is_resource_variable",
                                                          False) else s
                        out.append(_graph_fill_like(like, False))
                    else:
                        out.append(None)
                else:
                    out.append(graph_sum(parts))
        finally:
            self._recording = was
        return out

    def _backprop(self, targets, sources, out_grads, unconnected):
        from .. import ops as _ops_pkg
        _ops_pkg.load_all_ops()
        grads = {}
        for t, g in zip(targets, out_grads):
            if t is None:
                continue
            if g is None and getattr(t, "_is_resource_variable", False):
                v = t._storage.value
                g = EagerTensor(np.ones_like(v)[()] if np.ndim(v) == 0 else np.ones_like(v),
                                t.dtype.base_dtype)
            elif g is None:
                v = t._value
                g = EagerTensor(np.ones_like(v)[()] if np.ndim(v) == 0 else np.ones_like(v),
                                t._dtype)
            grads.setdefault(id(t), []).append(g)
        source_ids = {id(s) for s in sources}
        # Only ops on a path from a source matter: walk forward to find them.
        reach = set(source_ids)
        relevant = []
        for e in self._entries:
            for x in e.inputs:
                if id(x) in reach:
                    relevant.append(e)
                    for o in e.outputs:
                        reach.add(id(o))
                    break
        # TF's order: an op is differentiated once every live op that uses its outputs has
        # sent its gradients, in first-ready-first-served order from the targets. The
        # order in which gradients reach a tensor is the order AddN sums them in, and the
        # order of the rows when IndexedSlices are concatenated.
        producer = {}
        for e in relevant:
            ins = {id(x) for x in e.inputs}
            for o in e.outputs:
                if id(o) not in ins:
                    producer.setdefault(id(o), e)
        live = set()
        stack = [producer[id(t)] for t in targets if t is not None and id(t) in producer]
        while stack:
            e = stack.pop()
            if id(e) in live:
                continue
            live.add(id(e))
            for x in e.inputs:
                p = producer.get(id(x))
                if p is not None and id(p) not in live:
                    stack.append(p)
        pending = {}
        for e in relevant:
            if id(e) in live:
                for x in e.inputs:
                    p = producer.get(id(x))
                    if p is not None and id(p) in live:
                        pending[id(p)] = pending.get(id(p), 0) + 1
        queue = collections.deque()
        queued = set()
        for t in targets:
            p = producer.get(id(t)) if t is not None else None
            if p is not None and id(p) in live and not pending.get(id(p)) and \
                    id(p) not in queued:
                queued.add(id(p))
                queue.append(p)
        while queue:
            e = queue.popleft()
            for x in e.inputs:
                p = producer.get(id(x))
                if p is not None and id(p) in live:
                    pending[id(p)] -= 1
                    if pending[id(p)] == 0:
                        queue.append(p)
            outs = e.outputs
            have = False
            gs = []
            for o in outs:
                lst = grads.get(id(o))
                if lst:
                    have = True
                    gs.append(_aggregate(lst, id(o) in source_ids, grads, id(o)))
                else:
                    gs.append(None)
            if not have:
                continue
            if e.type == _READ:
                in_grads = [gs[0]]
            elif e.grad_fn is not None:
                in_grads = e.grad_fn([_dense(_zeros_if_none(g, o)) for g, o in zip(gs, outs)])
            else:
                opdef = e.opdef
                fn = opdef.gradient
                if fn is None:
                    if opdef.differentiable is False:
                        continue
                    raise LookupError(f"gradient registry has no entry for: {opdef.type}")
                if len(outs) > 1:
                    gs = [_zeros_if_none(g, o) for g, o in zip(gs, outs)]
                in_grads = fn(_TapeOp(e), *gs)
                if not isinstance(in_grads, (list, tuple)):
                    in_grads = [in_grads]
            for x, g in zip(e.inputs, in_grads):
                if g is None:
                    continue
                if not isinstance(g, (EagerTensor, IndexedSlices)):
                    g = _execute.convert_to_eager(g)
                grads.setdefault(id(x), []).append(g)
        result = []
        for s in sources:
            dt = getattr(s, "dtype", None)
            lst = grads.get(id(s))
            if dt is not None and not _is_differentiable_dtype(dt):
                result.append(None)
            elif lst:
                result.append(_aggregate(lst, True, grads, id(s)))
            elif unconnected is UnconnectedGradients.ZERO:
                v = s._value if isinstance(s, EagerTensor) else s._storage.value
                result.append(EagerTensor(_zeros(v), dt.base_dtype))
            else:
                result.append(None)
        return result

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...], shaped target.shape + source.shape."""
        if not self._persistent and self._used:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        target = _as_target(target)
        flat_sources = nest.flatten(sources)
        tval = np.asarray(target._value)
        rows = [[] for _ in flat_sources]
        was_recording = self._recording
        self._recording = False
        try:
            for i in range(tval.size):
                seed = np.zeros(tval.size, dtype=tval.dtype)
                seed[i] = 1
                seed = EagerTensor(seed.reshape(tval.shape), target._dtype)
                gs = self._backprop([target], flat_sources, [seed],
                                    UnconnectedGradients(unconnected_gradients
                                                         if isinstance(unconnected_gradients,
                                                                       str)
                                                         else unconnected_gradients.value))
                for r, g in zip(rows, gs):
                    r.append(g)
        finally:
            self._recording = was_recording
        out = []
        for s, r in zip(flat_sources, rows):
            svals = np.asarray(s._value if isinstance(s, EagerTensor) else s._storage.value)
            if all(g is None for g in r) or not r and tval.size:
                out.append(None)
                continue
            parts = [np.zeros(svals.shape, svals.dtype) if g is None
                     else np.asarray(_dense(g)._value) for g in r]
            arr = np.stack(parts) if parts else np.zeros((0,) + svals.shape, svals.dtype)
            out.append(EagerTensor(arr.reshape(tval.shape + svals.shape), s.dtype.base_dtype))
        if not self._persistent:
            self._used = True
            self._release()
        return _pack_like(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobians: result[b] = d target[b] / d source[b]."""
        target = _as_target(target)
        tshape = np.shape(target._value)
        sshape = np.shape(source._value if isinstance(source, EagerTensor)
                          else source._storage.value)
        if not tshape or not sshape or tshape[0] != sshape[0]:
            raise ValueError("Need first dimension of `target` shape and `source` shape to "
                             "match.")
        full = self.jacobian(target, source, unconnected_gradients)
        if full is None:
            return None
        j = np.asarray(full._value)
        b = tshape[0]
        tr, sr = tshape[1:], sshape[1:]
        j = j.reshape((b, int(np.prod(tr, dtype=int)), b, int(np.prod(sr, dtype=int))))
        diag = np.stack([j[i, :, i, :] for i in range(b)])
        return EagerTensor(diag.reshape((b,) + tuple(tr) + tuple(sr)), full._dtype)


def _aggregate(lst, keep, grads, key):
    """Sums the gradients that reached one tensor (one AddN op, recorded on outer tapes)."""
    if len(lst) == 1:
        return lst[0]
    if any(isinstance(g, IndexedSlices) for g in lst):
        from ..ops.gradients_impl import aggregate_indexed_slices
        total = aggregate_indexed_slices(lst)
        lst[:] = [total]
        return total
    total = _add_n(lst)
    lst[:] = [total]
    return total


def _add_n(lst):
    try:
        opdef = registry.get("AddN")
        if opdef.kernel_for("CPU") is not None:
            return _execute.execute(opdef, [list(lst)], {}, "AddN")[0]
    except KeyError:
        pass
    add = registry.get("AddV2")
    total = lst[0]
    for g in lst[1:]:
        total = _execute.execute(add, [total, g], {}, "AddV2")[0]
    return total


def _dense(g):
    if isinstance(g, IndexedSlices):
        return _execute.convert_to_eager(g)
    return g


def _zeros(v):
    z = np.zeros_like(v)
    return z[()] if z.ndim == 0 else z


def _zeros_if_none(g, like):
    if g is not None:
        return g
    if like._dtype.base_dtype == _dt.variant:
        # a TensorList's zeros are a list as long, of zeros (ZerosLike's variant kernel),
        # as the graph walk makes them
        from ..ops import math_grad
        return math_grad.zeros_like(like)
    return EagerTensor(_zeros(like._value), like._dtype)


def _as_target(t):
    if getattr(t, "_is_resource_variable", False):
        return t._read_eager()
    if t is None or isinstance(t, EagerTensor):
        return t
    return _execute.convert_to_eager(t)


def _is_symbolic(t):
    from ..framework import ops as _ops
    return isinstance(t, _ops.Tensor) and not isinstance(t, EagerTensor)


def _pack_like(structure, flat):
    return nest.pack_flat(structure, iter(flat))


# --- symbolic gradients (tf.function backward passes, tapes used inside a trace) ----------

def record_graph_variable_read(var, tensor):
    """A variable was read inside a trace while tapes are active (the graph twin of
    `record_variable_read`)."""
    for tape in _execute.active_tapes:
        if not tape._recording:
            continue
        if tape._watch_accessed and var._trainable and id(var) not in tape._tracked:
            tape._watch_variable(var)
        if id(var) in tape._tracked:
            tape._graph_reads.setdefault(id(var), []).append(tensor)


def _graph_fill_like(t, one):
    from ..framework.op_def_library import apply_op
    from ..ops import constant_op
    if t.shape.is_fully_defined():
        return constant_op.constant(np.full(t.shape.as_tuple(), 1 if one else 0,
                                            dtype=t.dtype.base_dtype.np_dtype))
    op_type = "OnesLike" if one else "ZerosLike"
    try:
        registry.get(op_type)
        return apply_op(op_type, [t], name=op_type)[0]
    except KeyError:
        zero = apply_op("Mul", [t, constant_op.constant(0, dtype=t.dtype.base_dtype)],
                        name="mul")[0]
        if not one:
            return zero
        return apply_op("AddV2", [zero, constant_op.constant(1, dtype=t.dtype.base_dtype)],
                        name="add")[0]


def graph_sum(parts):
    if len(parts) == 1:
        return parts[0]
    if any(isinstance(g, IndexedSlices) for g in parts):
        from ..ops.gradients_impl import aggregate_indexed_slices
        return aggregate_indexed_slices(parts)
    from ..framework.op_def_library import apply_op
    return apply_op("AddN", [list(parts)], name="AddN")[0]


def _live_outside_conds(grad, read, var):
    """The gradient reaching a variable's read made inside tf.cond branches is dead when a
    branch is not taken; merged with zeros gated the other way, it is live either way."""
    ctx = read.op._control_flow_context
    if ctx is None:
        return grad
    if isinstance(grad, IndexedSlices):
        from ..framework import ops as _ops
        grad = _ops.convert_to_tensor(grad)
    from ..framework import ops as _ops
    from ..ops import array_ops, control_flow_v1
    # only the conds the gradient is taken outside of gate it: a tape used inside a branch
    # or a loop body (AutoGraph's training loops) takes it in the read's own frame
    here = _ops.get_default_graph()._control_flow_context
    while ctx is not None and ctx is not here and hasattr(ctx, "pred"):
        other = control_flow_v1.switch(ctx.pred, ctx.pred)[1 - ctx.branch]
        with _ops.control_dependencies([array_ops.identity(other)]):
            if read.shape.is_fully_defined():
                zeros = array_ops.zeros(read.shape.as_list(), dtype=read.dtype.base_dtype)
            else:
                zeros = array_ops.zeros_like(var._graph_read())
        pair = [zeros, grad] if ctx.branch else [grad, zeros]
        grad = control_flow_v1.merge(pair)[0]
        ctx = ctx.outer
    return grad


def _loop_level():
    """The while loop the tape's gradient is taken in (None: outside every loop)."""
    from ..framework import ops as _ops
    from ..ops import control_flow_v1
    ctx = _ops.get_default_graph()._control_flow_context
    while ctx is not None and not isinstance(ctx, control_flow_v1.WhileContext):
        ctx = ctx.outer
    return ctx


def _through_loops(targets, level):
    """Whether the targets depend on a while loop below `level` (then the backward pass is
    tf.gradients' own, which builds backward loops over stacks: ops/while_grad.py)."""
    from ..ops import while_grad
    seen = set()
    stack = [t.op for t in targets]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op._control_flow_context is not None and \
                while_grad.loop_below(op, level) is not None:
            return True
        stack.extend(t.op for t in op._inputs)
    return False


_HANDLE_PASSES = ("Enter", "RefEnter", "Switch", "RefSwitch", "Identity")


def _loop_sources(xs, spans, reads_by_var, level):
    """A variable read inside a loop has no single value to differentiate by (it is read
    once per iteration): its gradient is taken at the handle the loop's Enter takes in,
    where the backward loop accumulates it over iterations, as TF1 does for a resource
    variable used in a while body. Every read of that variable then reaches the handle
    through ReadVariableOp's gradient, so the handle replaces all of its reads."""
    from ..ops import while_grad
    new_xs = []
    for k, (start, n, s) in enumerate(spans):
        mine = xs[start:start + n]
        if getattr(s, "_is_resource_variable", False) and any(
                r.op._control_flow_context is not None and
                while_grad.loop_below(r.op, level) is not None for r in mine):
            roots = []
            for r in mine:
                h = r.op._inputs[0]
                # the handle reaches the read through the loops' Enters and, in a cond
                # branch, its Switch
                while h.op._type in _HANDLE_PASSES and h.op._control_flow_context is not \
                        None and while_grad.loop_below(h.op, level) is not None:
                    h = h.op._inputs[0]
                if not any(h is o for o in roots):
                    roots.append(h)
            mine = roots
        spans[k] = (len(new_xs), len(mine), s)
        new_xs.extend(mine)
    return new_xs


def _loop_gradients(targets, xs, grad_ys, level):
    """tf.gradients' walk (loops as whole nodes) for a tape used inside a trace; returns
    the (x index, gradient) arrivals `_graph_gradient` sums."""
    from ..framework import ops as _ops
    from ..ops import gradients_impl
    g = targets[0].graph
    with g.as_default(), g.name_scope("gradients"):
        if grad_ys is None:
            grad_ys = [_graph_fill_like(y, True) for y in targets]
        from ..ops import control_flow_grad
        was = control_flow_grad.LIVE_RESOURCE_GRADS
        control_flow_grad.LIVE_RESOURCE_GRADS = True
        try:
            res = gradients_impl._walk(list(targets), list(grad_ys), list(xs), level=level)
        finally:
            control_flow_grad.LIVE_RESOURCE_GRADS = was
    out = []
    for i, gx in enumerate(res):
        if gx is not None:
            out.append((i, gx if isinstance(gx, (_ops.Tensor, IndexedSlices))
                        else _ops.convert_to_tensor(gx)))
    return out


def graph_gradients(ys, xs, grad_ys=None, scope="gradients", arrivals=None):
    """d(sum ys)/d xs in the graph of `ys`, built from the registry's gradient functions.
    Returns one tensor or None per x (None: not connected, or not differentiable).
    `arrivals`, a list, receives (x index, gradient) for every gradient reaching an x in the
    order they arrived (a variable read several times sums them in that order, as TF)."""
    from ..framework import ops as _ops
    g = ys[0].graph
    back = set()
    stack = [t.op for t in ys]
    while stack:
        op = stack.pop()
        if op in back:
            continue
        back.add(op)
        stack.extend(t.op for t in op._inputs)
    reach = set(xs)
    relevant = []
    for op in sorted(back, key=lambda o: o._id):
        for t in op._inputs:
            if t in reach:
                relevant.append(op)
                reach.update(op._outputs)
                break
    grads = {}
    with g.as_default(), g.name_scope(scope):
        if grad_ys is None:
            grad_ys = [_graph_fill_like(y, True) for y in ys]
        for y, gy in zip(ys, grad_ys):
            if gy is not None:
                grads.setdefault(y, []).append(gy)
        x_index = {}
        for i, x in enumerate(xs):
            x_index.setdefault(x, []).append(i)
        # First ready, first served from the ys, as TF (see GradientTape._backprop).
        rel = set(relevant)
        live = set()
        stack = [t.op for t in ys if t.op in rel]
        while stack:
            op = stack.pop()
            if op in live:
                continue
            live.add(op)
            stack.extend(t.op for t in op._inputs if t.op in rel and t.op not in live)
        pending = {}
        for op in live:
            for t in op._inputs:
                if t.op in live:
                    pending[t.op] = pending.get(t.op, 0) + 1
        queue = collections.deque()
        for y in ys:
            if y.op in live and not pending.get(y.op) and y.op not in queue:
                queue.append(y.op)
        order = []
        while queue:
            op = queue.popleft()
            order.append(op)
            for t in op._inputs:
                if t.op in live:
                    pending[t.op] -= 1
                    if pending[t.op] == 0:
                        queue.append(t.op)
        for op in order:
            gs = []
            have = False
            for o in op._outputs:
                lst = grads.get(o)
                if lst:
                    have = True
                    if len(lst) > 1:
                        lst[:] = [graph_sum(lst)]
                    gs.append(lst[0])
                else:
                    gs.append(None)
            if not have:
                continue
            fn = op._opdef.gradient
            if fn is None:
                if op._opdef.differentiable is False:
                    continue
                raise LookupError(f"No gradient defined for operation '{op.name}' (op type: "
                                  f"{op.type}). In general every operation must have an "
                                  f"associated `@tf.RegisterGradient` for correct autodiff.")
            if len(gs) > 1:
                if op._type in ("Switch", "RefSwitch") and \
                        op._control_flow_context is not None:
                    from ..ops import control_flow_v1
                    gs = [x if x is not None else control_flow_v1.zeros_for_untaken(op, i)
                          for i, x in enumerate(gs)]
                else:
                    gs = [x if x is not None else _graph_fill_like(o, False)
                          for x, o in zip(gs, op._outputs)]
            with g.name_scope(op.name + "_grad"):
                in_grads = fn(op, *gs)
            if not isinstance(in_grads, (list, tuple)):
                in_grads = [in_grads]
            for t, gi in zip(op._inputs, in_grads):
                if gi is None:
                    continue
                if not isinstance(gi, (_ops.Tensor, IndexedSlices)):
                    gi = _ops.convert_to_tensor(gi)
                grads.setdefault(t, []).append(gi)
                if arrivals is not None and t in x_index:
                    arrivals.extend((i, gi) for i in x_index[t])
        if arrivals is not None:
            return None
        out = []
        for x in xs:
            lst = grads.get(x)
            if not lst:
                out.append(None)
            else:
                out.append(graph_sum(lst) if len(lst) > 1 else lst[0])
    return out


# --- tf.custom_gradient ---------------------------------------------------------------------

def grad_pass_through(f):
    """`tf.grad_pass_through(f)`: calls `f` forward, but differentiates as the identity (the
    gradient reaching f's output passes to its input unchanged; variables f reads get none).
    Useful for an `f` without a gradient, such as rounding or a variable's assign."""
    import functools

    @functools.wraps(f)
    def passing(*args, **kwargs):
        def grad(*dys, variables=None):
            if variables is not None:
                return dys, [None] * len(variables)
            return dys
        return f(*args, **kwargs), grad
    wrapped = custom_gradient(passing)

    @functools.wraps(f)
    def call(*args, **kwargs):
        from . import context
        if not context.executing_eagerly():
            # tfteach's custom gradients apply to eager tapes only: in a graph the gradient
            # would be f's own (often none), not the identity, so say so rather than differ
            raise NotImplementedError("tf.grad_pass_through inside a tf.function or a graph "
                                      "is not implemented by tfteach (its custom gradients "
                                      "apply eagerly only)")
        return wrapped(*args, **kwargs)
    return call


def custom_gradient(f=None):
    """`@tf.custom_gradient`: `f(*x)` returns `(y, grad_fn)`; tapes differentiate the call
    with `grad_fn(*dy)` (or `grad_fn(*dy, variables=...)`, returning (dx, dvars)) instead of
    looking inside `f`. Inside a function being traced, `f`'s own ops are differentiated.
    """
    if f is None:
        return custom_gradient
    import functools
    import inspect

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        from . import context
        if not context.executing_eagerly():
            return f(*args, **kwargs)[0]
        xs = [_execute.convert_to_eager(a) if not isinstance(a, EagerTensor) else a
              for a in args]
        tapes = list(_execute.active_tapes)
        saved = [t._recording for t in tapes]
        for t in tapes:
            t._recording = False
        try:
            # A private tape notes the trainable variables `f` reads (grad_fn's variables=).
            with GradientTape(watch_accessed_variables=True) as spy:
                result, grad_fn = f(*xs, **kwargs)
            accessed = list(spy.watched_variables())
        finally:
            for t, r in zip(tapes, saved):
                t._recording = r
        flat_y = nest.flatten(result)
        ys = [y if isinstance(y, EagerTensor) else _execute.convert_to_eager(y)
              for y in flat_y]
        # Fresh identities for the outputs, so the tapes see them as produced by this call.
        ys = [EagerTensor(y._value, y._dtype) for y in ys]
        takes_vars = "variables" in inspect.signature(grad_fn).parameters

        def grad(out_grads):
            if takes_vars:
                dx, dv = grad_fn(*out_grads, variables=accessed)
            else:
                dx, dv = grad_fn(*out_grads), []
            dx = list(dx) if isinstance(dx, (list, tuple)) else [dx]
            return dx + list(dv)

        inputs = xs + accessed
        for tape in _execute.active_tapes:
            if not tape._recording:
                continue
            for v in accessed:
                if tape._watch_accessed and v._trainable:
                    tape._watch_variable(v)
            if any(id(x) in tape._tracked for x in inputs):
                tape._add(_Entry(None, "CustomGradient", {}, inputs, ys, "CustomGradient",
                                 grad))
        return _pack_like(result, ys)
    return wrapped
