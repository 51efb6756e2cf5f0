"""tf.function: trace Python once per input signature into a Graph, then run the graph.

Calling a `Function` computes a key from its arguments (tensor dtypes and shapes, Python
values, object identities). The first call with a new key *traces*: it runs the Python
function once inside a fresh `FuncGraph`, where tensor arguments are placeholders and every
op joins the graph instead of running. The resulting `ConcreteFunction` is run by the same
executor that runs Sessions (`runtime/executor.Plan`, compiled once and cached).

- Eager tensors used inside the trace are captured as placeholders fed at each call.
- Variables are captured as `resource` placeholders fed with their storage slots; reads and
  writes are the ops ReadVariableOp / Assign*VariableOp. Every stateful op of the trace runs
  at each call, in trace order (TF's automatic control dependencies), even if no output
  needs it. A failing call leaves every variable as it was.
- Variables may be created only on the first trace. As in TF, a first trace that creates
  variables is traced a second time; creating them again is TF's "singleton" ValueError.
- Under a GradientTape the call is recorded as one op. Its gradient is a backward graph built
  once per trace on a copy of it (the registry's gradient functions), fed with intermediate
  values the taped call kept; when an outer tape records the gradient computation, the
  backward graph is called as a function of its own, so higher orders work too.
"""
import functools
import itertools
import inspect
import logging
import os
import sys
import threading
import weakref

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import nest
from ..framework import ops as _ops
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape
from ..runtime.executor import Plan
from . import context
from . import execute as _execute
from .tensor import EagerTensor, GpuEagerTensor

_GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
_CALL_IDS = itertools.count(1)

__all__ = ["function", "Function", "ConcreteFunction", "FuncGraph", "TensorSpec"]


# Callables told of every concrete function call (tf.summary.trace_on records the graphs).
CALL_OBSERVERS = []


# --- TensorSpec ---------------------------------------------------------------------------


class TensorSpec:
    """Describes a tensor argument: shape (None dims accept any size), dtype, name."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=_dt.float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = _dt.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    def is_compatible_with(self, other):
        if isinstance(other, TensorSpec):
            return self._dtype == other._dtype and self._shape.is_compatible_with(other._shape)
        dt = getattr(other, "dtype", None)
        if dt is None:
            return False
        return dt.base_dtype == self._dtype and self._shape.is_compatible_with(other.shape)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self._dtype == other._dtype and
                self._shape == other._shape and self._name == other._name)

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return (f"TensorSpec(shape={self._shape}, dtype=tf.{self._dtype.name}, "
                f"name={self._name!r})")


# --- FuncGraph ---------------------------------------------------------------------------

class _HandleRef:
    """Stands for a variable's resource handle when an op takes it as an input: converted,
    it becomes the function's capture placeholder (named in the consuming op's scope, as
    TF names it: `ReadVariableOp/resource`)."""
    __slots__ = ("var",)
    _tfteach_dtype = _dt.resource

    def __init__(self, var):
        self.var = var


def _convert_handle_ref(h, dtype=None, name=None, as_ref=False):
    g = _ops.get_default_graph()
    return g.capture_variable(h.var)


_ops.register_tensor_conversion_function(_HandleRef, _convert_handle_ref)


class FuncGraph(_ops.Graph):
    """The graph of one trace: its inputs, outputs, captures and created variables."""

    def __init__(self, name):
        super().__init__()
        self._building_function = True
        self.name = name
        from ..ops import random_ops
        self._seed = random_ops._eager["seed"]
        self.inputs = []                # argument placeholders, then capture placeholders
        self.outputs = []
        self.structured_outputs = None
        self.structured_input_signature = None
        self._captures = {}             # id(eager tensor) -> (eager tensor, placeholder)
        self._var_captures = {}         # id(variable) -> (variable, placeholder)
        self._created_variables = []
        self._graph_reads = {}          # id(variable) -> [ReadVariableOp outputs]
        self._op_frames = {}            # op name -> the user's frames that created it

    def _create_op(self, *args, **kwargs):
        op = super()._create_op(*args, **kwargs)
        # remembered at trace time, so a failing call can say where its node was defined
        self._op_frames[op._name] = _user_frames()
        return op

    # captures ---------------------------------------------------------------------------
    def capture(self, value, name=None):
        """An eager tensor used inside the trace becomes a placeholder fed at each call."""
        hit = self._captures.get(id(value))
        if hit is not None:
            return hit[1]
        ph = self._placeholder(value._dtype, value.shape, name or "Const")
        self._captures[id(value)] = (value, ph)
        self.inputs.append(ph)
        return ph

    def capture_variable(self, var):
        hit = self._var_captures.get(id(var))
        if hit is not None:
            return hit[1]
        ph = self._placeholder(_dt.resource, TensorShape([]), "resource")
        self._var_captures[id(var)] = (var, ph)
        self.inputs.append(ph)
        return ph

    def _placeholder(self, dtype, shape, name):
        # a capture is an input of the whole function, made outside any cond branch or
        # loop being traced; the op using it brings it in (Switch, Enter)
        saved = self._control_stack, self._control_flow_context
        self._control_stack, self._control_flow_context = [], None
        try:
            with self.as_default():
                return apply_op("Placeholder", [], {"dtype": dtype, "shape": shape},
                                name=name)[0]
        finally:
            self._control_stack, self._control_flow_context = saved

    def _eager_feeds(self):
        out = [(ph, v._value) for v, ph in self._captures.values()]
        out += [(ph, var._storage) for var, ph in self._var_captures.values()]
        return out

    def _eager_feed_sources(self):
        """What `_eager_feeds` feeds, before reading: captured eager tensors (a GPU one
        then feeds its device array where the plan reads it on the GPU) and variables'
        storage slots."""
        return [v for v, _ph in self._captures.values()] + \
            [var._storage for var, _ in self._var_captures.values()]

    @property
    def variables(self):
        return tuple(v for v, _ in self._var_captures.values())

    @property
    def trainable_variables(self):
        return tuple(v for v in self.variables if v.trainable)

    @property
    def captures(self):
        return ([(v, ph) for v, ph in self._captures.values()] +
                [(var.handle, ph) for var, ph in self._var_captures.values()])

    def __repr__(self):
        return f"<FuncGraph {self.name!r} ({len(self._ops)} ops)>"


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_frames():
    """(file, line, function) of the calling frames outside tfteach, outermost first: the
    'defined at' part of a failing function call's error."""
    out = []
    f = sys._getframe(2)
    while f is not None:
        code = f.f_code
        if not code.co_filename.startswith(_PACKAGE_DIR):
            name = code.co_name
            # autograph's converted function keeps the file and lines, not the name
            out.append((code.co_filename, f.f_lineno,
                        name[4:] if name.startswith("tf__") else name))
        f = f.f_back
    out.reverse()
    return tuple(out)


def _function_error(e, cf):
    """`e`, an op's error while `cf` ran, as TF 2 reports a failing function call: 'Graph
    execution error:', the node and where the user's code defined it, the kernel's message,
    and the call of the function's graph as the failing op."""
    op = e.op
    head = "Graph execution error:\n\n"
    if op is not None:
        frames = getattr(op._graph, "_op_frames", {}).get(op._name) or \
            cf.graph._op_frames.get(op._name, ())
        head += f"Detected at node {op._name} defined at (most recent call last):\n"
        head += "".join(f'  File "{fn}", line {ln}, in {name}\n\n'
                        for fn, ln, name in frames)
    msg = f"{head}{e.message} [Op:__inference_{cf.name}_{cf._uid()}]"
    return type(e)(e.node_def, op, msg)


_RESOURCE_READS = frozenset(("ReadVariableOp", "ResourceGather", "ResourceGatherNd",
                             "VariableShape", "VarIsInitializedOp"))


def _automatic_control_dependencies(graph, outputs):
    """TF's automatic control dependencies, as a traced graph shows them: a read of a
    variable waits for its last write, a write for the reads and the write before it,
    stateful ops without a resource (print, assert) run in program order; and when the
    function returns tensors, a NoOp after all those ops gates every output Identity, so
    no output is seen before the side effects ran. Ops inside a cond branch stay out: a
    control edge from a branch not taken would leave what follows dead."""
    must_run = [op for op in graph._ops if op._opdef.stateful and
                op._type != "Placeholder" and op._control_flow_context is None]
    if not must_run:
        return
    last_write, reads, last_plain = {}, {}, None
    for op in must_run:
        handles = [t for t in op._inputs if t.dtype == _dt.resource]
        if not handles:
            if last_plain is not None:
                op._add_control_input(last_plain)
            last_plain = op
            continue
        before = []
        for h in handles:
            if op._type in _RESOURCE_READS:
                before.append(last_write.get(h))
                reads.setdefault(h, []).append(op)
            else:
                before += reads.pop(h, None) or [last_write.get(h)]
                last_write[h] = op
        fed_by = {t.op for t in op._inputs}
        for prev in before:
            if prev is not None and prev is not op and prev not in fed_by:
                op._add_control_input(prev)
    if not outputs:
        return
    saved = graph._control_stack
    graph._control_stack = []
    try:
        with graph.as_default():
            apply_op("NoOp", [], {}, name="NoOp")
    finally:
        graph._control_stack = saved
    noop = graph._ops[-1]
    noop._add_control_inputs(must_run)
    for t in outputs:
        t.op._add_control_input(noop)


def _note_variable_created(var):
    """Called by every new ResourceVariable: the trace being built remembers it."""
    for g in reversed(_ops._graph_stack):
        if isinstance(g, FuncGraph):
            g._created_variables.append(var)
            return


# --- ConcreteFunction -------------------------------------------------------------------

class ConcreteFunction:
    """One trace: a FuncGraph plus what is needed to call it."""

    def __init__(self, graph, arg_placeholders, arg_paths, structured_outputs, flat_outputs,
                 name):
        self.graph = graph
        self._arg_placeholders = arg_placeholders
        self._arg_paths = arg_paths
        self.structured_outputs = structured_outputs
        self._flat_outputs = flat_outputs       # graph tensors, or python values
        # a RaggedTensor/SparseTensor output travels as its parts and is rebuilt per call
        self._composite_out = any(isinstance(t, type) and getattr(t, "_tf_composite", False)
                                  for t in flat_outputs)
        self._fetch = [t for t in flat_outputs if isinstance(t, _ops.Tensor)]
        self._out_dtypes = [t.dtype.base_dtype for t in self._fetch]
        self._stateful = [op for op in graph._ops
                          if op._opdef.stateful and op._type != "Placeholder"]
        self._plan = None
        self._cap_values = None
        self._backward = None
        self._loop_backward = None
        self._call_uid = None
        self.name = name

    def _uid(self):
        """The number TF's runtime gives the graph's function (`__inference_f_N`): one per
        concrete function, counted per process."""
        if self._call_uid is None:
            self._call_uid = next(_CALL_IDS)
        return self._call_uid

    @property
    def inputs(self):
        return list(self.graph.inputs)

    @property
    def outputs(self):
        return list(self._fetch)

    @property
    def variables(self):
        return self.graph.variables

    @property
    def trainable_variables(self):
        return self.graph.trainable_variables

    @property
    def function_type(self):
        return self.graph.structured_input_signature

    def _feeds(self):
        caps = self.graph._eager_feeds()
        return self._arg_placeholders + [ph for ph, _ in caps], [v for _, v in caps]

    def _get_plan(self):
        if self._plan is None:
            feeds, _ = self._feeds()
            self._plan = (self._new_plan(self.graph, self._fetch, self._stateful, feeds),
                          len(feeds))
        return self._plan

    def _new_plan(self, graph, fetch, targets, feeds, **kwargs):
        """A plan of this function's graphs, placed as TF 2 places functions."""
        try:
            return Plan(graph, fetch, targets, feeds, devices=_devices(), **kwargs)
        except errors.InvalidArgumentError as e:
            if not e.message.startswith("Unable to find any devices"):
                raise
            # TF reports the call of the function's graph as the failing op
            raise errors.InvalidArgumentError(
                None, None, f"{e.message} [Op:__inference_{self.name}_{self._uid()}]"
            ) from None

    def _call_flat(self, arg_tensors):
        """Runs the graph on the flat argument tensors; returns the structured outputs."""
        try:
            return self._call_flat_unwrapped(arg_tensors)
        except errors.OpError as e:
            if e.message.startswith("Graph execution error:") or \
                    " [Op:__inference_" in e.message:
                raise       # already a function call's error (a nested call's)
            raise _function_error(e, self) from None

    def _call_flat_unwrapped(self, arg_tensors):
        if CALL_OBSERVERS:
            for observe in CALL_OBSERVERS:
                observe(self)
        ctx = context._FunctionRunContext()
        taped = _execute.active_tapes and any(t._recording for t in _execute.active_tapes)
        if taped and self._has_loops():
            # a while loop's gradient pops forward values from stacks its forward loop
            # pushes within the same run: the call runs plainly and its gradient runs the
            # backward graph whole, forward loop included (_build_loop_backward)
            plan = self._get_plan()[0]
            values = self._feed_values(plan, arg_tensors)
            results = plan.run(values, ctx)
            outs = self._eager_outs(results)
            self._record_loop(arg_tensors, outs, values)
            it = iter(outs)
            flat = [next(it) if isinstance(t, _ops.Tensor) else t for t in self._flat_outputs]
            out = _pack(self.structured_outputs, flat)
            return _recompose(out) if self._composite_out else out
        if taped:
            # Under a tape the call also returns the intermediate values its gradient needs,
            # so the backward pass never recomputes the forward (nor re-reads variables that
            # the call itself has changed since).
            if self._backward is None:
                self._build_backward()
            plan = self._backward["forward_plan"]
        else:
            plan = self._get_plan()[0]
        results = plan.run(self._feed_values(plan, arg_tensors), ctx)
        n_out = len(self._out_dtypes)
        outs = _outputs(plan, results, self._out_dtypes)
        if taped:
            self._record(arg_tensors, [v for v, _ in self.graph._captures.values()] +
                         [var for var, _ in self.graph._var_captures.values()], outs,
                         list(results[n_out:]))
        it = iter(outs)
        flat = [next(it) if isinstance(t, _ops.Tensor) else t for t in self._flat_outputs]
        out = _pack(self.structured_outputs, flat)
        return _recompose(out) if self._composite_out else out

    def __call__(self, *args, **kwargs):
        flat = []
        _flatten_args((args, kwargs), flat)
        tensors = [x if isinstance(x, EagerTensor) else _execute.convert_to_eager(x)
                   for x in flat if _is_tensor_like(x)]
        if len(tensors) != len(self._arg_placeholders):
            raise TypeError(f"ConcreteFunction {self.name} expects {len(self._arg_placeholders)} "
                            f"tensor arguments, got {len(tensors)}")
        for t, ph in zip(tensors, self._arg_placeholders):
            if t._dtype != ph.dtype:
                raise TypeError(f"Binding inputs to tf.function failed: expected "
                                f"{_spec_of(ph)!r}, got {t!r}.")
        return self._call_flat(tensors)

    def _feed_values(self, plan, arg_tensors):
        """The plan's feeds for this call: the arguments, then the captures (the same at
        every call: captured eager tensors are immutable and a variable's storage slot
        never changes). A GPU tensor read by the plan's GPU kernels is handed over as its
        device array, so it crosses to the host only if something there reads it."""
        caps = self._cap_values.get(plan) if self._cap_values is not None else None
        if caps is None:
            if self._cap_values is None:
                self._cap_values = {}
            n = len(self._arg_placeholders)
            caps = self._cap_values[plan] = [
                _feed_value(v, plan, n + k) if isinstance(v, EagerTensor) else v
                for k, v in enumerate(self.graph._eager_feed_sources())]
        on_gpu = plan.feeds_on_gpu
        if not on_gpu:
            return [t._value for t in arg_tensors] + caps
        return [_feed_value(t, plan, j) for j, t in enumerate(arg_tensors)] + caps

    def _eager_outs(self, results):  # noqa: D102
        return _outputs(self._get_plan()[0], results, self._out_dtypes)

    def _has_loops(self):
        return any(op._type in ("Enter", "RefEnter") for op in self.graph._ops)

    def _record_loop(self, arg_tensors, outs, values):
        from . import backprop
        inputs = list(arg_tensors) + [v for v, _ in self.graph._captures.values()] + \
            [var for var, _ in self.graph._var_captures.values()]
        backprop.record_function_call(inputs, outs,
                                      lambda out_grads: self._loop_gradient(values, out_grads),
                                      self.name)

    def _build_loop_backward(self):
        """For a function with a while loop: the backward graph as tf.gradients builds it
        (ops/while_grad.py: the forward loop pushes what the backward loop pops), with the
        gradient of every input: arguments, captured tensors, captured variables' handles.
        It is run whole at gradient time, on the call's inputs and the output gradients, so
        the forward part runs again there (variables are read as they are then)."""
        from ..ops import gradients_impl
        g = self.graph
        bg = FuncGraph(self.name + "_backward")
        tmap, _ = _copy_graph(g, bg)
        outputs = [tmap[t] for t in self._fetch]
        with bg.as_default(), bg.name_scope("gradients"):
            grad_ys = [apply_op("Placeholder", [], {"dtype": t.dtype.base_dtype,
                                                    "shape": t.shape}, name="grad_ys")[0]
                       for t in outputs]
            feeds, _ = self._feeds()
            xs = [tmap[ph] for ph in feeds]
            per_input = gradients_impl._walk(outputs, grad_ys, xs)
        fetch = [x for x in per_input if x is not None]
        self._loop_backward = {
            "plan": self._new_plan(bg, fetch, [], xs + grad_ys),
            "per_input": per_input, "graph": bg,
        }

    def _loop_gradient(self, values, out_grads):
        if getattr(self, "_loop_backward", None) is None:
            self._build_loop_backward()
        b = self._loop_backward
        plan = b["plan"]
        n = len(values)
        feed = _raw_feeds(plan, values) + [_feed_value(g, plan, n + j)
                                           for j, g in enumerate(out_grads)]
        return _per_input(plan, plan.run(feed, context._FunctionRunContext()),
                          b["per_input"])

    # gradients -----------------------------------------------------------------------------
    def _record(self, arg_tensors, captured, outs, saved):
        from . import backprop
        inputs = list(arg_tensors) + captured
        args = list(arg_tensors)
        backprop.record_function_call(
            inputs, outs, lambda out_grads: self._gradient(saved, out_grads, args), self.name)

    def _build_backward(self):
        """The backward graph, built once: a copy of the forward graph (the trace stays as
        traced), the registry's gradient functions on it for every input (arguments,
        captured tensors, each captured variable through its reads), and the list of forward
        values those gradient ops consume, which tape-recorded calls fetch and keep."""
        from . import backprop
        g = self.graph
        bg = FuncGraph(self.name + "_backward")
        tmap, _ = _copy_graph(g, bg)
        n_forward = len(bg._ops)
        outputs = [tmap[t] for t in self._fetch]
        grad_ys = []
        with bg.as_default(), bg.name_scope("gradients"):
            for t in outputs:
                grad_ys.append(apply_op("Placeholder", [], {"dtype": t.dtype.base_dtype,
                                                            "shape": t.shape},
                                        name="grad_ys")[0])
        arg_xs = [tmap[t] for t in self._arg_placeholders]
        cap_xs = [tmap[ph] for _, ph in g._captures.values()]
        var_reads = []
        for var, ph in g._var_captures.values():
            var_reads.append([tmap[op._outputs[0]] for op in _reads_of(ph)])
        flat_xs = arg_xs + cap_xs + [r for reads in var_reads for r in reads]
        with bg.as_default():
            grads = backprop.graph_gradients(outputs, flat_xs, grad_ys, scope="gradients")
            per_input = grads[:len(arg_xs) + len(cap_xs)]
            pos = len(arg_xs) + len(cap_xs)
            for (var, _), reads in zip(g._var_captures.values(), var_reads):
                parts = [backprop._live_outside_conds(x, r, var)
                         for x, r in zip(grads[pos:pos + len(reads)], reads) if x is not None]
                pos += len(reads)
                per_input.append(backprop.graph_sum(parts) if parts else None)
        # Forward values the gradient ops read (and gradients that are forward tensors).
        saved = []
        seen = set()
        for op in bg._ops[n_forward:]:
            for t in op._inputs:
                if t.op._id <= n_forward and t not in seen and t.dtype != _dt.resource:
                    seen.add(t)
                    saved.append(t)
        for x in per_input:
            if x is not None and x.op._id <= n_forward and x not in seen:
                seen.add(x)
                saved.append(x)
        inverse = {nt: t for t, nt in tmap.items()}
        fetch = [x for x in per_input if x is not None]
        feeds, _ = self._feeds()
        # The same backward graph as a function of (arguments, output gradients): called
        # when an outer tape records the gradient computation (higher-order gradients).
        bg._captures = {k: (v, tmap[ph]) for k, (v, ph) in g._captures.items()}
        bg._var_captures = {k: (v, tmap[ph]) for k, (v, ph) in g._var_captures.items()}
        arg_ids = {id(ph) for ph in self._arg_placeholders}
        bg.inputs = arg_xs + grad_ys + [tmap[ph] for ph in g.inputs if id(ph) not in arg_ids]
        grad_fn = ConcreteFunction(bg, arg_xs + grad_ys, None, list(per_input),
                                   list(per_input), self.name + "_grad")
        grad_fn._stateful = []      # replaying the forward must not write variables again
        self._backward = {
            "function": grad_fn,
            "graph": bg,
            "forward_plan": self._new_plan(g, self._fetch + [inverse[t] for t in saved],
                                           self._stateful, feeds, dead_fetches_ok=True),
            "plan": self._new_plan(bg, fetch, [], saved + grad_ys),
            "per_input": per_input,
        }

    def _gradient(self, saved_values, out_grads, args):
        b = self._backward
        if _execute.active_tapes and any(t._recording for t in _execute.active_tapes):
            # Recorded as a call of the gradient function, itself differentiable.
            return b["function"]._call_flat(list(args) + list(out_grads))
        plan = b["plan"]
        n = len(saved_values)
        values = _raw_feeds(plan, saved_values) + [_feed_value(g, plan, n + j)
                                                   for j, g in enumerate(out_grads)]
        return _per_input(plan, plan.run(values, context._FunctionRunContext()),
                          b["per_input"])

    def __repr__(self):
        return f"<ConcreteFunction {self.name} at 0x{id(self):X}>"

    def pretty_printed_signature(self, verbose=True):
        args = ", ".join(f"{ph.op.name}: {_spec_of(ph)!r}" for ph in self._arg_placeholders)
        return f"{self.name}({args})"


def _devices():
    """Where function graphs may run: the GPU when one is present (soft placement, as TF 2
    places tf.function ops), else the CPU."""
    from ..runtime import placement
    return placement.eager_devices()


def _spec_of(t):
    return TensorSpec(t.shape, t.dtype.base_dtype)


# --- Function ----------------------------------------------------------------------------

class _RetraceWatch:
    """TF's warning about a function traced again and again: 5 or more traces among its last
    10 calls (counted per Python function, so re-wrapping it in a loop is caught too), said at
    most twice per function."""
    THRESHOLD, HISTORY, MAX_WARNINGS = 5, 10, 2

    def __init__(self):
        self.calls = []          # per trace since the window's start: calls it served
        self.warnings = 0

    def traced(self, fn_repr):
        self.calls.append(1)
        while sum(self.calls) - self.calls[0] >= self.HISTORY:
            self.calls.pop(0)
        if self.warnings < self.MAX_WARNINGS and len(self.calls) >= self.THRESHOLD:
            self.warnings += 1
            logging.getLogger("tfteach").warning(
                f"{len(self.calls)} out of the last {sum(self.calls)} calls to {fn_repr} "
                f"triggered tf.function retracing. Tracing is expensive and the excessive "
                f"number of tracings could be due to (1) creating @tf.function repeatedly in "
                f"a loop, (2) passing tensors with different shapes, (3) passing Python "
                f"objects instead of tensors. For (1), please define your @tf.function "
                f"outside of the loop. For (2), @tf.function has reduce_retracing=True option "
                f"that can avoid unnecessary retracing. For (3), please refer to "
                f"https://www.tensorflow.org/guide/function#controlling_retracing and "
                f"https://www.tensorflow.org/api_docs/python/tf/function for  more details.")

    def hit(self):
        if self.calls:
            self.calls[-1] += 1


_RETRACE_WATCHES = weakref.WeakKeyDictionary()


def _retrace_watch(python_function):
    try:
        w = _RETRACE_WATCHES.get(python_function)
        if w is None:
            w = _RETRACE_WATCHES[python_function] = _RetraceWatch()
        return w
    except TypeError:           # not weakly referenceable: one watch per Function
        return _RetraceWatch()


_SINGLETON_MSG = ("tf.function only supports singleton tf.Variables created on the first "
                  "call. Make sure the tf.Variable is only created once or created outside "
                  "tf.function. See https://www.tensorflow.org/guide/function#creating_tfvariables"
                  " for more information.")


class Function:
    """The callable `tf.function` returns: a cache of ConcreteFunctions by input signature."""

    def __init__(self, python_function, name=None, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, experimental_relax_shapes=None,
                 experimental_implements=None, experimental_autograph_options=None,
                 experimental_attributes=None, experimental_follow_type_hints=None,
                 experimental_compile=None):
        if not callable(python_function):
            raise TypeError(f"{python_function!r} is not a callable object.")
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", None) or \
            type(python_function).__name__
        self._input_signature = None if input_signature is None else \
            _normalize_signature(input_signature)
        self._relax = bool(reduce_retracing or experimental_relax_shapes)
        self._autograph = autograph
        self._autograph_options = experimental_autograph_options
        self._jit_compile = jit_compile
        self._cache = {}
        self._relaxed = {}
        self._seen_rkeys = set()
        self._tracing_count = 0
        self._created_variables = False
        self._bound = {}
        self._retrace = _retrace_watch(python_function)
        self._trace_lock = threading.RLock()
        try:
            self._param_names = [p.name for p in
                                 inspect.signature(python_function).parameters.values()
                                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            self._param_names = []
        functools.update_wrapper(self, python_function, updated=())

    _sig_key = ("input_signature",)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    @property
    def function_spec(self):
        return self._input_signature

    def experimental_get_tracing_count(self):
        return self._tracing_count

    # methods: `@tf.function` on a method gives each instance its own bound Function
    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        key = id(instance)
        hit = self._bound.get(key)
        if hit is not None:
            ref, bound = hit
            if ref() is instance:
                return bound
        method = self._python_function
        try:
            # The bound Function must not keep its instance alive (a model per test, per
            # notebook cell...): it reaches the instance through a weak reference.
            ref = weakref.ref(instance, lambda _r, k=key, b=self._bound: b.pop(k, None))

            def bound_call(*args, **kwargs):
                return method(ref(), *args, **kwargs)
            bound_call.__ag_bound_method__ = (method, ref)
        except TypeError:
            ref = (lambda inst=instance: inst)
            bound_call = functools.partial(method, instance)
        functools.update_wrapper(bound_call, method)
        bound = Function(bound_call, name=self._name, input_signature=self._input_signature,
                         reduce_retracing=self._relax, autograph=self._autograph,
                         experimental_autograph_options=self._autograph_options)
        bound._param_names = self._param_names[1:]
        self._bound[key] = (ref, bound)
        return bound

    def __call__(self, *args, **kwargs):
        if not context.executing_eagerly() or _run_eagerly():
            # Called while another function is traced: inline the Python code.
            if _run_eagerly():
                return self._python_function(*args, **kwargs)
            return self._traced_function()(*args, **kwargs)
        if _has_composite(args) or _has_composite(kwargs):
            args, kwargs = _decompose(args), _decompose(kwargs)
        if self._input_signature is not None:
            args, kwargs = self._bind_signature(args, kwargs)
            flat = []
            _flatten_args((args, kwargs), flat)
            cf = self._cache.get(self._sig_key)
            if cf is None:
                cf = self._trace_with_specs(self._input_signature)
            return cf._call_flat(flat)
        flat = []
        key = _make_key((args, kwargs), flat)
        cf = self._cache.get(key)
        if cf is None and self._relax:
            cf = self._relaxed.get(_make_key((args, kwargs), [], relaxed=True))
        if cf is None:
            cf = self._trace_new(args, kwargs, key)
            self._retrace.traced(self._fn_repr())
        else:
            self._retrace.hit()
        return cf._call_flat(flat)

    def _fn_repr(self):
        f = self._python_function
        return f"<function {getattr(f, '__qualname__', self._name)} at 0x{id(f):x}>"

    def _trace_new(self, args, kwargs, key):
        # one trace at a time per function, as TF: threads making the same first call wait
        # for the first one's trace instead of each tracing (and each running its body)
        with self._trace_lock:
            cf = self._cache.get(key)
            if cf is None and self._relax:
                cf = self._relaxed.get(_make_key((args, kwargs), [], relaxed=True))
            if cf is not None:
                return cf
            return self._trace_new_locked(args, kwargs, key)

    def _trace_new_locked(self, args, kwargs, key):
        relaxed = False
        rkey = None
        if self._relax:
            rkey = _make_key((args, kwargs), [], relaxed=True)
            relaxed = rkey in self._seen_rkeys
            self._seen_rkeys.add(rkey)
        first = self._tracing_count == 0
        cf = self._trace(args, kwargs, relaxed)
        if cf.graph._created_variables:
            if not first or self._created_variables:
                raise ValueError(_SINGLETON_MSG if first else
                                 "tf.function-decorated function tried to create variables "
                                 "on non-first call.")
            self._created_variables = True
            # TF traces a function that created variables a second time; the variables must
            # not be created again.
            cf = self._trace(args, kwargs, relaxed)
            if cf.graph._created_variables:
                raise ValueError(_SINGLETON_MSG)
        if relaxed:
            self._relaxed[rkey] = cf
        else:
            self._cache[key] = cf
        return cf

    def _trace(self, args, kwargs, relaxed=False, specs=None):
        from .. import ops as _ops_pkg
        _ops_pkg.load_all_ops()
        self._tracing_count += 1
        graph = FuncGraph(self._name)
        placeholders = []
        with graph.as_default():
            counter = [0]

            def make_ph(x, path):
                if specs is not None:
                    spec = specs[counter[0]]
                    dtype, shape = spec.dtype, spec.shape
                    pname = spec.name or path
                else:
                    dtype = x.dtype.base_dtype
                    shape = TensorShape([None] * x.shape.rank) if relaxed else x.shape
                    pname = path
                counter[0] += 1
                ph = apply_op("Placeholder", [], {"dtype": dtype, "shape": shape},
                              name=_valid_name(pname))[0]
                placeholders.append(ph)
                return ph

            g_args = [_replace_tensors(a, make_ph, self._arg_name(i))
                      for i, a in enumerate(args)]
            g_kwargs = {k: _replace_tensors(v, make_ph, k) for k, v in kwargs.items()}
            graph.inputs = list(placeholders)
            outputs = self._traced_function()(*_recompose(g_args), **_recompose(g_kwargs))
            if _has_composite(outputs):
                outputs = _decompose(outputs)
            flat_out = []
            _flatten_args(outputs, flat_out, keep_variables=True)
            final = []
            for o in flat_out:
                if getattr(o, "_is_resource_variable", False):
                    o = o._graph_read()
                elif isinstance(o, EagerTensor):
                    o = graph.capture(o)
                elif isinstance(o, (bool, int, float, complex, np.generic, np.ndarray)):
                    # Python and NumPy values returned by the function become tensors.
                    o = _ops.convert_to_tensor(o)
                if isinstance(o, _ops.Tensor):
                    o = apply_op("Identity", [o], name="Identity")[0]
                final.append(o)
            _automatic_control_dependencies(
                graph, [t for t in final if isinstance(t, _ops.Tensor)])
        graph.outputs = [t for t in final if isinstance(t, _ops.Tensor)]
        structured = _pack(outputs, final)
        graph.structured_outputs = structured
        graph.structured_input_signature = (
            tuple(_spec_of(p) for p in placeholders), {})
        graph.inputs = placeholders + [ph for ph in graph.inputs[len(placeholders):]]
        return ConcreteFunction(graph, placeholders, None, structured, final, self._name)

    def _traced_function(self):
        """What a trace runs: with autograph (the default) the function converted by
        tfteach/eager/autograph, so that Python control flow on tensors becomes graph
        control flow; with autograph=False the function as written."""
        if not self._autograph:
            return self._python_function
        from . import autograph
        return autograph.convert_entry(self._python_function, self._autograph_options)

    def _arg_name(self, i):
        if i < len(self._param_names):
            return self._param_names[i]
        return f"args_{i}"

    def _bind_signature(self, args, kwargs):
        sig = self._input_signature
        if kwargs:
            names = self._param_names
            args = list(args)
            for n in names[len(args):]:
                if n in kwargs:
                    args.append(kwargs.pop(n))
            if kwargs:
                raise TypeError(f"Binding inputs to tf.function failed due to `got an "
                                f"unexpected keyword argument '{next(iter(kwargs))}'`.")
        if len(args) > len(sig):
            raise TypeError(f"Binding inputs to tf.function failed due to `too many "
                            f"positional arguments`. Received args: {tuple(args)!r} and "
                            f"kwargs: {{}} for signature: {self._signature_text()}.")
        if len(args) < len(sig):
            raise TypeError(f"Binding inputs to tf.function failed due to `missing a "
                            f"required argument: '{self._arg_name(len(args))}'`.")
        out = []
        for a, spec in zip(args, sig):
            out.append(_bind_one(a, spec, args, self))
        return tuple(out), {}

    def _signature_text(self):
        return "(" + ", ".join(f"{self._arg_name(i)}: {s!r}" for i, s in
                               enumerate(_flat_specs(self._input_signature))) + ")"

    def get_concrete_function(self, *args, **kwargs):
        """The trace for these arguments (tensors or TensorSpecs); traces if needed."""
        if self._input_signature is not None:
            cf = self._cache.get(self._sig_key)
            if cf is None:
                cf = self._trace_with_specs(self._input_signature)
            return cf
        if any(isinstance(x, TensorSpec) for x in _flat_all((args, kwargs))):
            return self._trace_with_specs(args, kwargs)
        flat = []
        key = _make_key((args, kwargs), flat)
        cf = self._cache.get(key)
        if cf is None:
            cf = self._trace_new(args, kwargs, key)
        return cf

    def _trace_with_specs(self, args, kwargs=None):
        kwargs = kwargs or {}
        specs = [x for x in _flat_all((args, kwargs)) if isinstance(x, TensorSpec) or
                 _is_tensor_like(x)]
        specs = [s if isinstance(s, TensorSpec) else TensorSpec(s.shape, s.dtype)
                 for s in specs]
        dummy = _replace_specs(args)
        dkw = _replace_specs(kwargs)
        first = self._tracing_count == 0
        cf = self._trace(dummy, dkw, specs=specs)
        if cf.graph._created_variables:
            if not first or self._created_variables:
                raise ValueError(_SINGLETON_MSG)
            self._created_variables = True
            cf = self._trace(dummy, dkw, specs=specs)
            if cf.graph._created_variables:
                raise ValueError(_SINGLETON_MSG)
        if self._input_signature is not None:
            self._cache[self._sig_key] = cf
        return cf

    def __repr__(self):
        return f"<tfteach.eager.function.Function object at 0x{id(self):x}>"


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """`@tf.function`, `@tf.function(input_signature=...)` or `tf.function(callable)`."""
    kw = dict(input_signature=input_signature, autograph=autograph, jit_compile=jit_compile,
              reduce_retracing=reduce_retracing,
              experimental_autograph_options=experimental_autograph_options,
              experimental_relax_shapes=experimental_relax_shapes)
    if func is None:
        return lambda f: Function(f, **kw)
    return Function(func, **kw)


def _run_eagerly():
    cfg = __import__("sys").modules.get("tfteach.config")
    return cfg is not None and cfg._state["run_eagerly"]


# --- argument handling ------------------------------------------------------------------

class _CompositeParts(tuple):
    """A RaggedTensor or SparseTensor crossing a tf.function boundary: its class, then its
    component tensors, which are keyed, traced as placeholders, fed and returned like any
    other tensors (TF's composite tensors do the same through their TypeSpec)."""
    _fields = ()

    def __new__(cls, *items):
        return tuple.__new__(cls, items)


def _has_composite(x):
    if getattr(x, "_tf_composite", False):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_composite(v) for v in x)
    if isinstance(x, dict):
        return any(_has_composite(v) for v in x.values())
    return False


def _decompose(x):
    if getattr(x, "_tf_composite", False):
        return _CompositeParts(type(x), *x._composite_components())
    if isinstance(x, _CompositeParts):
        return x
    if isinstance(x, (list, tuple)):
        vals = [_decompose(v) for v in x]
        return type(x)(*vals) if hasattr(x, "_fields") else type(x)(vals)
    if isinstance(x, dict):
        return {k: _decompose(v) for k, v in x.items()}
    return x


def _recompose(x):
    if isinstance(x, _CompositeParts):
        return x[0]._from_components(list(x[1:]))
    if isinstance(x, (list, tuple)):
        if not any(isinstance(v, (list, tuple, dict)) for v in x):
            return x
        vals = [_recompose(v) for v in x]
        return type(x)(*vals) if hasattr(x, "_fields") else type(x)(vals)
    if isinstance(x, dict):
        return {k: _recompose(v) for k, v in x.items()}
    return x


def _is_tensor_like(x):
    return isinstance(x, (EagerTensor, np.ndarray))


def _valid_name(path):
    out = "".join(c if (c.isalnum() or c in "_.-/") else "_" for c in str(path))
    if not out or not (out[0].isalnum() or out[0] == "."):
        out = "arg" + out
    return out


def _make_key(x, flat, relaxed=False):
    """Hashable key of the arguments; collects the tensors (in order) into `flat`."""
    if isinstance(x, EagerTensor):
        flat.append(x)
        # a GPU tensor's shape is its device array's: reading it copies nothing to the host
        shape = x._dev.shape if type(x) is GpuEagerTensor and x._dev is not None else \
            x._value.shape
        return ("T", x._dtype, len(shape) if relaxed else shape)
    if isinstance(x, np.ndarray):
        t = _execute.convert_to_eager(x)
        flat.append(t)
        return ("T", t._dtype, x.ndim if relaxed else x.shape)
    if isinstance(x, (list, tuple)):
        return (type(x).__name__,) + tuple(_make_key(v, flat, relaxed) for v in x)
    if isinstance(x, dict):
        return ("dict",) + tuple((k, _make_key(x[k], flat, relaxed)) for k in sorted(x))
    if getattr(x, "_is_resource_variable", False):
        return ("V", id(x))
    if x is None or isinstance(x, (bool, int, float, str, bytes, complex)):
        # By value, as TF: 1, 1.0 and True share one trace.
        return ("P", x)
    try:
        hash(x)
        return ("H", x)
    except TypeError:
        return ("O", id(x))


def _flatten_args(x, out, keep_variables=False):
    if isinstance(x, (list, tuple)):
        for v in x:
            _flatten_args(v, out, keep_variables)
    elif isinstance(x, dict):
        for k in sorted(x):
            _flatten_args(x[k], out, keep_variables)
    elif keep_variables:
        out.append(x)
    elif _is_tensor_like(x):
        out.append(x)


def _flat_all(x):
    return nest.flatten(x)


def _replace_tensors(x, make_ph, path):
    if isinstance(x, (EagerTensor, np.ndarray)):
        if isinstance(x, np.ndarray):
            x = _execute.convert_to_eager(x)
        return make_ph(x, path)
    if isinstance(x, (list, tuple)):
        vals = [_replace_tensors(v, make_ph, f"{path}_{i}") for i, v in enumerate(x)]
        if isinstance(x, tuple) and hasattr(x, "_fields"):
            return type(x)(*vals)
        return type(x)(vals) if isinstance(x, tuple) else vals
    if isinstance(x, dict):
        return {k: _replace_tensors(x[k], make_ph, f"{path}_{k}") for k in sorted(x)}
    return x


def _replace_specs(x):
    if isinstance(x, TensorSpec):
        return EagerTensor(np.zeros([d or 0 for d in x.shape.as_list()]
                                    if x.shape.rank is not None else [],
                                    dtype=x.dtype.np_dtype if x.dtype.np_dtype is not None
                                    else object), x.dtype)
    if isinstance(x, (list, tuple)):
        return type(x)(_replace_specs(v) for v in x) if not hasattr(x, "_fields") else \
            type(x)(*[_replace_specs(v) for v in x])
    if isinstance(x, dict):
        return {k: _replace_specs(v) for k, v in x.items()}
    return x


def _pack(structure, flat):
    return nest.pack_flat(structure, iter(flat))


def _normalize_signature(sig):
    if not isinstance(sig, (list, tuple)):
        raise TypeError(f"input_signature must be either a tuple or a list, got "
                        f"{type(sig)}.")
    for s in _flat_all(sig):
        if not isinstance(s, TensorSpec):
            raise TypeError(f"input_signature must be a possibly nested sequence of "
                            f"TensorSpec objects, got invalid args {s!r} with type "
                            f"{type(s)}.")
    return tuple(sig)


def _flat_specs(sig):
    return _flat_all(sig)


def _bind_one(a, spec, args, fn):
    if isinstance(spec, (list, tuple)):
        if not isinstance(a, (list, tuple)) or len(a) != len(spec):
            raise TypeError(f"Binding inputs to tf.function failed: {a!r} does not match "
                            f"{spec!r}.")
        return type(spec)(_bind_one(x, s, args, fn) for x, s in zip(a, spec))
    if isinstance(spec, dict):
        return {k: _bind_one(a[k], spec[k], args, fn) for k in spec}
    if isinstance(a, EagerTensor):
        t = a
    elif getattr(a, "_is_resource_variable", False):
        t = a._read_eager()
    else:
        try:
            t = _execute.convert_to_eager(a, spec.dtype)
        except (TypeError, ValueError):
            t = None
    if t is None or t._dtype != spec.dtype or not spec.shape.is_compatible_with(t.shape):
        got = TensorSpec(t.shape, t._dtype) if t is not None else a
        raise TypeError(f"Binding inputs to tf.function failed due to `Can not cast {got!r} "
                        f"to {spec!r}`. Received args: {tuple(args)!r} and kwargs: {{}} for "
                        f"signature: {fn._signature_text()}.")
    return t


def _copy_graph(g, bg):
    """Copies the ops of `g` into `bg` (names, attrs, control edges, devices, and the
    contexts of cond branches and while loops). Returns (tensor map, op map)."""
    from ..ops.control_flow_v1 import _set_back_edge
    tmap, opmap, contexts, back = {}, {}, {}, []
    for op in g._ops:
        ins = []
        for t in op._inputs:
            nt = tmap.get(t)
            if nt is None:      # a loop Merge's back edge: its NextIteration comes later
                nt = tmap[op._inputs[0]]
                back.append(op)
            ins.append(nt)
        name = bg.unique_name(op._name)
        new = bg._create_op(op._opdef, ins, dict(op._attrs), [t.dtype for t in op._outputs],
                            [t.shape for t in op._outputs], name + "/")
        new._device = op._device
        for c in op._control_inputs:
            if c in opmap:
                new._add_control_input(opmap[c])
        opmap[op] = new
        for t, nt in zip(op._outputs, new._outputs):
            tmap[t] = nt
    for op in back:
        _set_back_edge(opmap[op], tmap[op._inputs[1]])
    for op in g._ops:
        for c in op._control_inputs:       # a control edge to an op made later
            opmap[op]._add_control_input(opmap[c])
        if op._control_flow_context is not None:
            opmap[op]._control_flow_context = _copied_context(op._control_flow_context,
                                                              tmap, contexts, opmap)
    return tmap, opmap


def _copied_context(ctx, tmap, contexts, opmap):
    """A cond branch's or while loop's context (ops/control_flow_v1) for the copy of a
    forward graph: the same branch on the copied predicate, the same loop on the copied
    frame, so the copied ops keep their gradient rules."""
    new = contexts.get(ctx)
    if new is None:
        from ..ops.control_flow_v1 import CondContext, WhileContext
        outer = _copied_context(ctx.outer, tmap, contexts, opmap) \
            if ctx.outer is not None else None
        if isinstance(ctx, WhileContext):
            new = WhileContext(ctx.name, ctx.frame_name, ctx.parallel_iterations, outer)
            new.pivot = tmap[ctx.pivot]
            new.ops = [opmap[o] for o in ctx.ops]
            new.merges = [opmap[o] for o in ctx.merges]
            new.loop_cond = opmap[ctx.loop_cond]
            new.nexts = [tmap[t] for t in ctx.nexts]
            new.exits = [opmap[o] for o in ctx.exits]
            new.enter_ops = [opmap[o] for o in ctx.enter_ops]
            new.switch_ops = [opmap[o] for o in ctx.switch_ops]
            new.ids = [tmap[t] for t in ctx.ids]
        else:
            new = CondContext(tmap[ctx.pred], tmap[ctx.pivot], ctx.branch, outer)
        new._values = {tmap[t] for t in ctx._values if t in tmap}
        new._external = {tmap[k]: tmap[v] for k, v in ctx._external.items()
                         if k in tmap and v in tmap}
        contexts[ctx] = new
    return new


def _reads_of(handle):
    """The ReadVariableOps of a captured variable handle, including those inside tf.cond
    branches, which read it through the branch's Switch."""
    out = []
    for op in handle._consumers:
        if op._type == "ReadVariableOp":
            out.append(op)
        elif op._type == "Switch":
            for t in op._outputs:
                out.extend(_reads_of(t))
    return out


def _feed_value(t, plan, j):
    """Eager tensor t as the plan's feed j: its device array where a GPU kernel of the plan
    reads it (and it has one on GPU:0), else its host value."""
    on_gpu = plan.feeds_on_gpu
    if on_gpu and j in on_gpu and type(t) is GpuEagerTensor and t._device == _GPU0:
        return t.device_array()
    return t._value


def _raw_feeds(plan, values):
    """Values one plan fetched (a taped call's saved intermediates, which may be device
    arrays) as feeds of another: where that plan runs nothing on the GPU, on the host."""
    if plan.feeds_on_gpu is not None:
        return list(values)
    from ..runtime import placement
    return [placement.to_host(v) if placement.is_device_array(v) else v for v in values]


def _outputs(plan, results, dtypes):
    """A function call's output tensors: a value computed in device memory stays there (a
    GpuEagerTensor, as TF's function outputs stay where the function put them, read back
    only when something on the host reads them); one that a GPU op left in host memory is
    a tensor of the GPU device whose value is on the host (TF's HostMemory outputs)."""
    on_gpu = _gpu_fetches(plan)
    outs = []
    for j, (v, dt) in enumerate(zip(results, dtypes)):
        where = None if on_gpu is None else on_gpu[j]
        if hasattr(v, "copy_to_host"):
            outs.append(GpuEagerTensor(v, dt, where or _GPU0))
            continue
        if type(v) is not np.ndarray and not isinstance(v, np.generic):
            v = _execute._as_array(v, dt)
        outs.append(EagerTensor(v, dt) if where is None else
                    GpuEagerTensor(None, dt, where, host=v))
    return outs


def _per_input(plan, results, per_input):
    """The gradient plan's results, one per input (None where the input has none)."""
    grads = [g for g in per_input if g is not None]
    it = iter(_outputs(plan, results, [g.dtype.base_dtype for g in grads]))
    return [None if g is None else next(it) for g in per_input]


def _gpu_fetches(plan):
    """Per fetched tensor of a function's plan: the GPU that computed it, or None (None for
    all when no op of the plan runs on a GPU). Such an output is a tensor of that GPU, as
    in TF 2."""
    got = getattr(plan, "_gpu_fetches", 0)
    if got == 0:
        placed = plan.placement
        got = None
        if "GPU" in placed.values():
            got = [placed.device_name(t.op) if placed.get(t.op) == "GPU" else None
                   for t in plan.fetch_tensors]
        plan._gpu_fetches = got
    return got
