"""The graph executor: turns (graph, fetches, feeds) into a plan, and runs plans.

A plan is built once per (fetches, feeds) signature and cached by the Session:

1. prune   walk back from the fetched tensors and target ops (data and control edges),
           stopping at fed tensors: only what the fetches need will run;
2. order   sort the needed ops by creation order, which is always a topological order;
3. place   pick a device and that device's kernel for each op (`placement.py`);
4. compile emit the plan as straight-line Python, one line per op
           (`v7 = K7(v3, v5, transpose_a=A7_0)`), so running it costs one kernel call per op
           and nothing else. Const values are bound once; reference (variable) edges read the
           variable's current value where they are consumed.

A run never memoises values between runs. If a kernel fails, the variables written so far in
this run are put back (each write swaps in a new array and logs the old one), so a failed
`Session.run` leaves every variable as it was.
"""
import numpy as np

from .. import errors
from ..framework import registry
from . import placement

__all__ = ["Plan", "RunContext", "VariableSlot"]


class VariableSlot:
    """The storage of one v1 reference variable inside one session."""
    __slots__ = ("name", "value")

    def __init__(self, name):
        self.name = name
        self.value = None

    def __repr__(self):
        return f"<VariableSlot {self.name} {'set' if self.value is not None else 'unset'}>"


class RunContext:
    """What stateful kernels see: the session's state and this run's undo log."""
    __slots__ = ("state", "undo", "options", "timings", "step_callback", "device_pool")

    def __init__(self, state, options=None):
        self.state = state
        self.undo = []
        self.options = options
        self.timings = None
        self.step_callback = None
        self.device_pool = None

    def variable(self, name):
        slots = self.state.variables
        slot = slots.get(name)
        if slot is None:
            slot = slots[name] = VariableSlot(name)
        return slot

    def write(self, slot, value):
        """Replace a variable's value, remembering the old one in case the run fails."""
        self.undo.append((slot, slot.value))
        slot.value = value

    def rollback(self):
        for slot, old in reversed(self.undo):
            slot.value = old
        self.undo.clear()


class SessionState:
    """Per-session state: variable slots and per-op random generators."""

    def __init__(self):
        self.variables = {}
        self.random = {}
        self.resources = {}


def read_ref(slot, op_name):
    """The value behind a reference edge; an unset variable is TF's FailedPrecondition."""
    value = slot.value
    if value is None:
        raise errors.FailedPreconditionError(
            None, None,
            f"Attempting to use uninitialized value {slot.name}\n\t [[{{{{node {op_name}}}}}]]")
    return value


class _PlanError(Exception):
    """An error found while building the plan, re-raised on every run of it."""


class Plan:
    def __init__(self, graph, fetch_tensors, target_ops, feed_tensors, devices=None,
                 log_device_placement=False):
        self.graph = graph
        self.fetch_tensors = list(fetch_tensors)
        self.target_ops = list(target_ops)
        self.feed_tensors = list(feed_tensors)
        self.error = None
        self.ops = self._prune()
        self.placement = placement.place(self.ops, devices, log_device_placement)
        if self.error is None:
            self._compile()

    # --- 1+2: prune and order ------------------------------------------------------------
    def _prune(self):
        fed = set(self.feed_tensors)
        needed = set()
        stack = [t.op for t in self.fetch_tensors if t not in fed] + list(self.target_ops)
        while stack:
            op = stack.pop()
            if op in needed:
                continue
            needed.add(op)
            for t in op._inputs:
                if t not in fed:
                    stack.append(t.op)
            stack.extend(op._control_inputs)
        ops = sorted(needed, key=lambda o: o._id)
        for op in ops:
            if op._type in ("Placeholder",):
                msg = (f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                       f"{op.get_attr('dtype').name}")
                shape = op.get_attr("shape")
                if shape is not None and shape.rank is not None:
                    msg += " and shape " + _shape_brackets(shape)
                self.error = errors.InvalidArgumentError(
                    None, op, f"{msg}\n\t [[{{{{node {op.name}}}}}]]")
                break
        return ops

    # --- 4: compile ------------------------------------------------------------------------
    def _compile(self):
        env = {"read_ref": read_ref}
        # None unless some op runs on the GPU: then inputs are wrapped with host<->device
        # copies exactly where producer and consumer devices differ (placement.Edges).
        edges = placement.edges_for(self.placement, self.feed_tensors, env)
        lines = ["def run(feeds, ctx):"]
        names = {}                  # Tensor -> python variable name
        self.line_ops = {}          # line number in generated code -> Operation
        for i, t in enumerate(self.feed_tensors):
            names[t] = f"f{i}"
            lines.append(f"    f{i} = feeds[{i}]")
        for op in self.ops:
            k = op._id
            if op._type == "Const":
                env[f"C{k}"] = op.get_attr("value")
                names[op._outputs[0]] = f"C{k}"
                continue
            dev = self.placement[op]
            opdef = op._opdef
            kernel = opdef.kernel_for(dev)
            if kernel is None:
                self.error = errors.NotFoundError(
                    None, op, f"No registered '{op._type}' OpKernel for '{dev}' devices "
                              f"compatible with node {{{{node {op.name}}}}}")
                kernel = _missing_kernel
            if hasattr(kernel, "for_op"):       # kernels specialised on static dtypes
                kernel = kernel.for_op(op)
            env[f"K{k}"] = kernel
            args = []
            for j, t in enumerate(op._inputs):
                src = names.get(t)
                if src is None:      # produced by an op that is pruned away: cannot happen
                    raise AssertionError(f"{t.name} has no producer in the plan")
                spec = opdef.inputs[min(j, len(opdef.inputs) - 1)][1]
                wants_ref = isinstance(spec, str) and spec.startswith("ref:")
                if t.dtype.is_ref_dtype and not wants_ref and t not in self.feed_tensors:
                    env[f"N{k}"] = op.name
                    src = f"read_ref({src}, N{k})"
                if edges is not None:
                    src = edges.input(src, t, op, j, dev)
                args.append(src)
            kwargs = []
            for a in opdef.kernel_attr_names(dev):
                if a == "ctx":
                    kwargs.append("ctx=ctx")
                elif a == "op":
                    env[f"O{k}"] = op
                    kwargs.append(f"op=O{k}")
                elif a in op._attrs:
                    env[f"A{k}_{a}"] = op._attrs[a]
                    kwargs.append(f"{a}=A{k}_{a}")
            call = f"K{k}({', '.join(args + kwargs)})"
            if edges is not None:
                call = edges.call(call, op, dev)
            outs = [f"v{k}_{j}" for j in range(len(op._outputs))]
            for t, n in zip(op._outputs, outs):
                if t not in names:
                    names[t] = n
            if not outs:
                line = f"    {call}"
            elif len(outs) == 1:
                line = f"    {outs[0]} = {call}"
            else:
                line = f"    {', '.join(outs)} = {call}"
            lines.append(line)
            self.line_ops[len(lines)] = op
        fetch_exprs = []
        for t in self.fetch_tensors:
            src = names[t]
            if t.dtype.is_ref_dtype and t not in self.feed_tensors:
                env[f"NF{len(fetch_exprs)}"] = t.op.name
                src = f"read_ref({src}, NF{len(fetch_exprs)})"
            if edges is not None:
                src = edges.fetch(src)
            fetch_exprs.append(src)
        lines.append(f"    return ({', '.join(fetch_exprs)}{',' if fetch_exprs else ''})")
        self.source = "\n".join(lines)
        code = compile(self.source, f"<tfteach plan {id(self):x}>", "exec")
        exec(code, env)
        self._run = env["run"]
        self._code = code

    # --- running -------------------------------------------------------------------------
    def run(self, feed_values, ctx):
        """Runs the plan. `feed_values` are aligned with `feed_tensors`, already validated."""
        if self.error is not None:
            raise self.error
        try:
            return self._run(feed_values, ctx)
        except BaseException as e:
            ctx.rollback()
            raise self._attribute(e) from None
        finally:
            ctx.undo.clear()

    def _attribute(self, e):
        """Names the op whose kernel raised, and turns foreign exceptions into TF's classes."""
        op = None
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._code.co_filename:
                op = self.line_ops.get(tb.tb_lineno)
            tb = tb.tb_next
        if isinstance(e, errors.OpError):
            if op is not None and e.op is None:
                msg = e.message
                if "{{node" not in msg:
                    msg = f"{msg}\n\t [[{{{{node {op.name}}}}}]]"
                return type(e)(op.node_def, op, msg)
            return e
        if isinstance(e, (KeyboardInterrupt, SystemExit, MemoryError)):
            return e
        if op is None:
            return e
        return errors.InvalidArgumentError(
            op.node_def, op, f"{op.type} op '{op.name}' failed: {type(e).__name__}: {e}"
                             f"\n\t [[{{{{node {op.name}}}}}]]")


def _missing_kernel(*args, **kwargs):
    raise AssertionError("unreachable: plans with a missing kernel raise before running")


def _shape_brackets(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"
