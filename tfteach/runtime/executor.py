"""The graph executor: turns (graph, fetches, feeds) into a plan, and runs plans.

A plan is built once per (fetches, feeds) signature and cached by the Session:

1. prune   walk back from the fetched tensors and target ops (data and control edges),
           stopping at fed tensors: only what the fetches need will run;
2. order   sort the needed ops by creation order, which is always a topological order;
3. place   pick a device and that device's kernel for each op (`placement.py`);
4. compile emit the plan as straight-line Python, one line per op
           (`v7 = K7(v3, v5, transpose_a=A7_0)`), so running it costs one kernel call per op
           and nothing else. Const values are bound once; reference (variable) edges read the
           variable's current value where they are consumed. `_PlanWriter` writes it, one
           method per pass (device edges, dead values, shape memo, aliases, feeds, each op's
           call and guard, fetches).

A plan that has run `Plan.FUSE_AFTER` times is recompiled with its chains of element-wise
ops fused into single numba kernels and its constant-only chains folded (`fusion.py`).
Switch/RefSwitch/Merge (v1 `cond`) make *dead* values: an op with a dead input, or with a
control input from an op that did not run, is skipped and its outputs are dead; Merge
forwards a live one.
`run_traced` runs the same ops unfused, timing each one, for RunMetadata and steppers.

A run never memoises values between runs. If a kernel fails, the variables written so far in
this run are put back (each write swaps in a new array and logs the old one), so a failed
`Session.run` leaves every variable as it was.
"""
import os
import re
import time

import numpy as np

from .. import errors
from ..framework import registry
from . import placement, shape_memo
from .run_context import RunContext, SessionState, VariableSlot  # noqa: F401

__all__ = ["Plan", "RunContext", "VariableSlot"]



_VALUE = re.compile(r"\bv\d+_\d+\b")


def _release_after_last_use(lines, line_ops):
    """Adds `del v` after the line that uses an intermediate value for the last time.

    As TF's executor drops a tensor once its last consumer has run, a plan keeps no
    intermediate alive longer than needed: peak memory is what the graph needs, and the
    allocator hands a freed buffer straight to the next op instead of fresh pages from the
    OS (which must be faulted in: measured, a softmax over [60, 28, 3000] took 52 ms in a
    plan that held every intermediate vs 8 ms eagerly). Returns the new lines and
    line_ops renumbered to them."""
    last = {}
    for i, line in enumerate(lines):
        for name in _VALUE.findall(line):
            last[name] = i
    dies = {}
    for name, i in last.items():
        if not lines[i].lstrip().startswith("return "):
            dies.setdefault(i, []).append(name)
    out, ops = [], {}
    for i, line in enumerate(lines):
        out.append(line)
        if i + 1 in line_ops:
            ops[len(out)] = line_ops[i + 1]
        names = dies.get(i)
        if names and not line.lstrip().startswith(("if ", "def ")):
            out.append(f"    del {', '.join(sorted(names))}")
    return out, ops

def read_ref(slot, op_name):
    """The value behind a reference edge; an unset variable is TF's FailedPrecondition."""
    value = slot.value
    if value is None:
        raise errors.FailedPreconditionError(
            None, None,
            f"Attempting to use uninitialized value {slot.name}\n\t [[{{{{node {op_name}}}}}]]")
    return value


def read_ref_live(slot, op_name):
    """read_ref for a reference that may be dead (a Merge of a branch's assign): a dead
    reference stays dead, as TF's Merge sees no value on that input."""
    from ..kernels.cpu.control_flow import DEAD
    if slot is DEAD:
        return slot
    return read_ref(slot, op_name)


class _PlanError(Exception):
    """An error found while building the plan, re-raised on every run of it."""


class Plan:
    # A plan run this many times gets its element-wise chains fused (runtime/fusion.py):
    # compiling costs tens of milliseconds per op once (then numba's disk cache), which only
    # pays off for plans run in loops.
    FUSE_AFTER = 100

    def __init__(self, graph, fetch_tensors, target_ops, feed_tensors, devices=None,
                 log_device_placement=False, dead_fetches_ok=False):
        self.graph = graph
        # a tf.function's tape-recorded forward run keeps values of both cond branches for
        # the backward run, which skips what depends on the untaken (dead) one
        self.dead_fetches_ok = dead_fetches_ok
        self.fetch_tensors = list(fetch_tensors)
        self.target_ops = list(target_ops)
        self.feed_tensors = list(feed_tensors)
        self.error = None
        self.feeds_on_gpu = None
        self._independent = ()
        self.devices = devices
        self.runs = 0
        self.fused_groups = []
        self._traced = None
        self.ops = self._prune()
        # every op of a loop is placed as any other op (the frame that runs a loop as one
        # unit, below, runs each of its ops on that op's device)
        self.placement = placement.place(self.ops, devices, log_device_placement)
        if any(op._type in _ENTERS for op in self.ops):
            self.ops = self._frames(self.ops)
        self.epilogues = []
        if self.error is None:
            self.epilogues = self._find_epilogues()
            self._compile(self.epilogues)

    # --- 1+2: prune and order ------------------------------------------------------------
    def _prune(self):
        fed = set(self.feed_tensors)
        needed = set()
        loops = set()
        stack = [t.op for t in self.fetch_tensors if t not in fed] + list(self.target_ops)
        while stack:
            op = stack.pop()
            if op in needed:
                continue
            needed.add(op)
            for t in op._inputs:
                if t not in fed:
                    stack.append(t.op)
            # a control input whose every output is fed is satisfied by the feed, as in TF
            # (tf.metrics.mean's count update waits on the fed values placeholder)
            stack.extend(c for c in op._control_inputs
                         if not (c._outputs and all(t in fed for t in c._outputs)))
            # an op in a loop body (a variable update no loop value depends on) runs once
            # per iteration: the loop's condition, and what it depends on, runs too
            ctx = op._control_flow_context
            while ctx is not None:
                if ctx not in loops and getattr(ctx, "loop_cond", None) is not None:
                    loops.add(ctx)
                    stack.append(ctx.loop_cond)
                ctx = ctx.outer
        ops = sorted(needed, key=lambda o: o._id)
        for op in ops:
            if op._type in ("Placeholder",):
                msg = (f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                       f"{_TF_TYPE_NAMES.get(op.get_attr('dtype').name, op.get_attr('dtype').name)}")
                shape = op.get_attr("shape")
                if shape is not None and shape.rank is not None:
                    msg += " and shape " + _shape_brackets(shape)
                self.error = errors.InvalidArgumentError(
                    None, op, f"{msg}\n\t [[{{{{node {op.name}}}}}]]")
                self._independent = self._not_depending_on(ops, op)
                break
        return ops

    def _frames(self, ops):
        """Each outermost while loop as one _Frame (see _Frame); a fetch from inside a loop
        is TF's error."""
        grouped = _group_frames(ops, None, self.placement)
        for f in _all_frames(grouped):
            self.placement[f] = "GPU" if "GPU" in f.where.values() else "CPU"
        outside = {t for o in grouped for t in o._outputs}
        for t in self.fetch_tensors:
            if t not in outside:
                raise ValueError(
                    f"Operation {t.op.name} has been marked as not fetchable. Typically this "
                    f"happens when it is defined in another function or code block. Use "
                    f"return values, explicit Python locals or TensorFlow collections to "
                    f"access it.")
        return grouped

    def _not_depending_on(self, ops, missing):
        """Stateful ops that do not need the unfed placeholder `missing`, and their inputs.

        TF reports a missing feed when the placeholder's kernel runs; by then the ops that
        do not depend on it have run in parallel (the slide's `assign_add` in a run that
        forgot its feed_dict still counts). A run with a missing feed does the same."""
        fed = set(self.feed_tensors)
        blocked = set()
        for op in ops:
            if op._type == "Placeholder" or any(t.op in blocked for t in op._inputs
                                                if t not in fed) or \
                    any(c in blocked for c in op._control_inputs):
                blocked.add(op)
        return [op for op in ops if op not in blocked and op._opdef.stateful
                and op._type not in ("VariableV2", "Variable")]

    def _find_epilogues(self):
        """MatMul -> BiasAdd [-> Relu] chains to run as one kernel (runtime/epilogue.py)."""
        if os.environ.get("TFTEACH_FUSION", "1") == "0" or \
                any(op._type in _SWITCHES for op in self.ops) or \
                any(dev != "CPU" for dev in self.placement.values()):
            return []
        from . import epilogue
        return epilogue.find_epilogues(self.ops, self.fetch_tensors, self.feed_tensors,
                                       self.placement) + \
            epilogue.find_update_groups(self.graph, self.ops, self.fetch_tensors,
                                        self.feed_tensors, self.placement)

    # --- 4: compile ------------------------------------------------------------------------
    def _compile(self, groups=(), traced=False):
        """Generates the plan's straight-line code. `groups` are fused element-wise groups
        (runtime/fusion.py) computed by one call at their root; `traced` wraps every op
        with a clock and a call to `ctx.timings` (see `run_traced`). The passes are
        `_PlanWriter`'s methods, in the order called here."""
        w = _PlanWriter(self, groups, traced)
        w.bind_feeds()
        for op in self.ops:
            w.write_op(op)
        w.return_fetches()
        compiled = w.compile(id(self))
        if not traced:
            self._run, self._code, self.line_ops, self.source = compiled
            # feed positions read on the GPU (None: nothing runs there), so that a caller
            # with device values (tf.function) hands those over without a host round trip
            self.feeds_on_gpu = None if w.edges is None else frozenset(w.edges.feeds_on_gpu)
        return compiled

    def _fuse(self):
        """Called once a plan is hot: fuse its element-wise chains (runtime/fusion.py)."""
        if os.environ.get("TFTEACH_FUSION", "1") == "0" or \
                any(op._type in _SWITCHES for op in self.ops):
            return
        try:
            from . import fusion
            taken = {o for g in self.epilogues for o in g.ops}
            groups = fusion.find_groups([o for o in self.ops if o not in taken],
                                        self.fetch_tensors, self.feed_tensors, self.placement)
            for g in groups:
                fusion.build_group_kernel(g)
            if groups:
                self._compile(groups + self.epilogues)
                self.fused_groups = groups
        except Exception:  # noqa: BLE001 - fusion is an optimisation: keep the plain plan
            return

    # --- running -------------------------------------------------------------------------
    def run(self, feed_values, ctx):
        """Runs the plan. `feed_values` are aligned with `feed_tensors`, already validated."""
        if self.error is not None:
            if self._independent:
                Plan(self.graph, [], self._independent, self.feed_tensors,
                     devices=self.devices).run(feed_values, ctx)
            raise self.error
        self.runs += 1
        if self.runs == self.FUSE_AFTER:
            self._fuse()
        try:
            return self._run(feed_values, ctx)
        except BaseException as e:
            ctx.rollback()
            raise self._attribute(e, self._code, self.line_ops) from None

    def run_traced(self, feed_values, ctx, run_metadata=None):
        """Runs the same ops as `run`, unfused, one by one, timing each.

        Each op's time goes into `run_metadata.step_stats` as a NodeExecStats (one
        DeviceStepStats per device); if `ctx.step_callback` is set it is called as
        `step_callback(op, output_values, seconds)` after each op (Const ops included,
        with their bound value and 0 s). A failing run is rolled back like a plain one.
        """
        if self.error is not None:
            raise self.error
        if self._traced is None:
            self._traced = self._compile(traced=True)
        run, code, line_ops, _ = self._traced
        rec = _Recorder(self.placement, ctx.step_callback)
        ctx.timings = rec
        try:
            return run(feed_values, ctx)
        except BaseException as e:
            ctx.rollback()
            raise self._attribute(e, code, line_ops) from None
        finally:
            ctx.timings = None
            if run_metadata is not None:
                rec.fill(run_metadata)

    def _attribute(self, e, code, line_ops):
        """Names the op whose kernel raised, and turns foreign exceptions into TF's classes."""
        op = None
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == code.co_filename:
                op = line_ops.get(tb.tb_lineno)
            tb = tb.tb_next
        return error_for_op(op, e) if op is not None else e


class _PlanWriter:
    """Writes one plan's straight-line code (`Plan._compile`), pass by pass: the setup passes
    in __init__, then the feeds, one line (or a few) per op, the fetches, and compiling."""

    def __init__(self, plan, groups, traced):
        self.plan = plan
        self.traced = traced
        self.env = {"__name__": "tfteach.runtime.plan", "read_ref": read_ref,
                    "read_ref_live": read_ref_live}  # name: warnings' module
        self.lines = ["def run(feeds, ctx):"]
        self.names = {}                 # Tensor -> python variable name
        self.line_ops = {}              # line number in generated code -> Operation
        self.fed = set(plan.feed_tensors)
        self.fused_root = {g.root: g for g in groups}
        self.fused_inner = {o for g in groups for o in g.ops if o is not g.root}
        self._edges()
        if traced:
            self.env["_clock"] = time.perf_counter
            self.lines.append("    _rec = ctx.timings")
        self._dead_values()
        self._shape_memo()
        self._aliases()
        # op -> the expression saying it did not run, for ops that may not run: a control
        # edge from such an op carries its deadness (a cond branch's Const waits on the
        # branch's pivot, TF's with_dependencies on a branch's op)
        self.dead_op = {}

    # --- setup passes ------------------------------------------------------------------
    def _edges(self):
        """None unless some op runs on the GPU: then inputs are wrapped with host<->device
        copies exactly where producer and consumer devices differ (placement.Edges)."""
        self.edges = placement.edges_for(self.plan.placement, self.plan.feed_tensors,
                                         self.env, self.plan.devices)
        if self.edges is not None:
            self.edges.lines = self.lines

    def _dead_values(self):
        """Dead values (the untaken side of a Switch) flow only in plans with a Switch."""
        self.maybe_dead = set()
        if any(op._type in _SWITCHES for op in self.plan.ops):
            from ..kernels.cpu.control_flow import DEAD
            self.env["DEAD"] = DEAD
            self.env["_live"] = _live
            # a fed value may be dead too (a backward plan fed the forward run's values)
            self.maybe_dead.update(self.plan.feed_tensors)

    def _shape_memo(self):
        """Shape-derived ops are looked up under their root shapes' values (shape_memo.py)."""
        self.memo = {}
        if not self.traced and self.edges is None and "DEAD" not in self.env and \
                shape_memo.enabled():
            self.memo = shape_memo.analyze(self.plan.ops, self.plan.placement, self.fed)
            self.env["_mstore"] = shape_memo.store
        self.memo_keys = {}

    def _aliases(self):
        """TF's `Variable/read` (an Identity of a reference edge) hands on the variable's own
        buffer, so whoever consumes it sees the value as of when *that* consumer runs (an
        identity under control_dependencies([assign]) sees the update). Here such an
        Identity forwards the reference and each consumer reads the variable when it runs."""
        self.alias = set()
        self.can_alias = not self.traced and self.edges is None and "DEAD" not in self.env

    def is_ref(self, t):
        return (t.dtype.is_ref_dtype or t in self.alias) and t not in self.fed

    # --- feeds -------------------------------------------------------------------------
    def bind_feeds(self):
        """Feeds are the run's arguments, bound to names once."""
        for i, t in enumerate(self.plan.feed_tensors):
            self.names[t] = f"f{i}"
            self.lines.append(f"    f{i} = feeds[{i}]")

    # --- one op ------------------------------------------------------------------------
    def write_op(self, op):
        """The op's line: a bound Const, a forwarded alias, or a kernel call (guarded where
        an input may be dead, memoised where it depends on shapes only)."""
        k = op._id
        dead_op = self.dead_op
        ctl_dead = [dead_op[c] for c in op._control_inputs if c in dead_op] \
            if dead_op else ()
        if op._type == "Const":
            self._const(op, k, ctl_dead)
            return
        if op in self.fused_inner:
            return
        group = self.fused_root.get(op)
        if group is not None and group.kernel is None:      # folded constant group
            self.env[f"C{k}"] = group.value
            self.names[op._outputs[0]] = f"C{k}"
            return
        if self.can_alias and group is None and op._type == "Identity" and \
                self.is_ref(op._inputs[0]):
            self.names[op._outputs[0]] = self.names[op._inputs[0]]
            self.alias.add(op._outputs[0])
            return
        dev = self.plan.placement[op]
        if group is not None:
            call, dead_srcs = self._fused_call(op, k, group, dev), []
        else:
            call, dead_srcs = self._kernel_call(op, k, dev)
        if self.edges is not None:
            call = self.edges.call(call, op, dev)
        outs = [f"v{k}_{j}" for j in range(len(op._outputs))]
        for t, n in zip(op._outputs, outs):
            if t not in self.names:
                self.names[t] = n
        if self.traced:
            self.env[f"O{k}"] = op
            self.lines.append("    _t0 = _clock()")
        guard = self._dead_guard(op, k, group, outs, dead_srcs, ctl_dead)
        if op in self.memo and group is None and outs and guard is None:
            self._memo_call(op, k, call, outs)
            return
        self._call_line(op, k, call, outs, guard)

    def _const(self, op, k, ctl_dead):
        """A Const's value is bound once; one that waits on a dead op is dead too."""
        env, names, lines = self.env, self.names, self.lines
        env[f"C{k}"] = op.get_attr("value")
        if ctl_dead:
            names[op._outputs[0]] = f"v{k}_0"
            lines.append(f"    d{k} = {' or '.join(dict.fromkeys(ctl_dead))}")
            lines.append(f"    v{k}_0 = DEAD if d{k} else C{k}")
            self.line_ops[len(lines)] = op
            self.dead_op[op] = f"d{k}"
            self.maybe_dead.add(op._outputs[0])
            if self.traced:
                env[f"O{k}"] = op
                lines.append(f"    if not d{k}: _rec(O{k}, (v{k}_0,), _clock())")
            return
        names[op._outputs[0]] = f"C{k}"
        if self.traced:
            env[f"O{k}"] = op
            lines.append(f"    _rec(O{k}, (C{k},), _clock())")

    def _fused_call(self, op, k, group, dev):
        """A fused element-wise group is one call at its root, on the group's inputs."""
        names, edges = self.names, self.edges
        self.env[f"K{k}"] = _direct_ufunc(group.kernel, group.inputs)
        self.env[f"N{k}"] = op.name
        args = [f"read_ref({names[t]}, N{k})" if t in self.alias else
                names[t] if edges is None else edges.value_for(names[t], t, dev)
                for t in group.inputs]
        if getattr(group, "needs_ctx", False):      # a group that writes variables
            args.append("ctx=ctx")
        return f"K{k}({', '.join(args)})"

    def _kernel_call(self, op, k, dev):
        """The kernel call: the device's kernel (specialised for this op where it can be),
        its inputs (reference edges read when consumed, device copies at the edges) and
        its attrs as keywords. Returns the call and the inputs that may be dead."""
        env = self.env
        opdef = op._opdef
        if dev == "GPU" and placement.int32_on_host(op):
            dev = "CPU"     # TF's int32 GPU kernel: host memory in and out (Edges agrees)
        kernel = opdef.kernel_for(dev)
        if kernel is None:
            self.plan.error = errors.NotFoundError(
                None, op, f"No registered '{op._type}' OpKernel for '{dev}' devices "
                          f"compatible with node {{{{node {op.name}}}}}")
            kernel = _missing_kernel
        if hasattr(kernel, "for_op"):       # kernels specialised on static dtypes
            kernel = kernel.for_op(op)
        if dev == "CPU":
            kernel = _direct_ufunc(kernel, op._inputs)
            if isinstance(kernel, np.ufunc) and op._inputs and not _small_static(op):
                # operands that may be big run in blocks on all threads
                from ..kernels.cpu import threads
                kernel = threads.elementwise_callable(
                    op._type, kernel, op._inputs[0].dtype.base_dtype.np_dtype)
        if len(op._outputs) == 1:
            kernel = registry.single_output(opdef, kernel)
        if dev == "GPU":
            index = getattr(self.plan.placement, "gpu_index", {}).get(op)
            if index:
                kernel = placement.on_gpu_kernel(kernel, index)
        env[f"K{k}"] = kernel
        args = []
        dead_srcs = []
        for j, t in enumerate(op._inputs):
            src = self.names.get(t)
            if src is None:      # produced by an op that is pruned away: cannot happen
                raise AssertionError(f"{t.name} has no producer in the plan")
            if t in self.maybe_dead:
                dead_srcs.append(src)
            spec = opdef.inputs[min(j, len(opdef.inputs) - 1)][1]
            wants_ref = isinstance(spec, str) and spec.startswith("ref:")
            if self.is_ref(t) and not wants_ref:
                env[f"N{k}"] = op.name
                reader = "read_ref_live" if t in self.maybe_dead else "read_ref"
                src = f"{reader}({src}, N{k})"
            if self.edges is not None:
                src = self.edges.input(src, t, op, j, dev)
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
        return f"K{k}({', '.join(args + kwargs)})", dead_srcs

    def _dead_guard(self, op, k, group, outs, dead_srcs, ctl_dead):
        """An op with a dead input (or a control input from an op that did not run) does not
        run and its outputs are dead; a Merge is dead only when all its inputs are; a
        Switch's outputs may be dead. Returns the guard's name, or None."""
        maybe_dead, dead_op = self.maybe_dead, self.dead_op
        guard = None
        if group is None and maybe_dead:
            if op._type in _MERGES:
                if all(t in maybe_dead for t in op._inputs):
                    maybe_dead.update(op._outputs)
                    dead_op[op] = f"{outs[0]} is DEAD"
            elif dead_srcs or ctl_dead:
                # an op with a dead input does not run; its outputs are dead
                guard = " or ".join(dict.fromkeys(
                    [f"{x} is DEAD" for x in dead_srcs] + list(ctl_dead)))
                maybe_dead.update(op._outputs)
            if op._type in _SWITCHES:
                maybe_dead.update(op._outputs)
        elif op._type in _SWITCHES:
            maybe_dead.update(op._outputs)
        if guard is not None:
            self.lines.append(f"    d{k} = {guard}")
            guard = f"d{k}"
            dead_op[op] = guard
        return guard

    def _memo_call(self, op, k, call, outs):
        """A shape-derived op runs once per value of its root shapes (shape_memo.py)."""
        lines, names = self.lines, self.names
        roots = self.memo[op]
        kv = self.memo_keys.get(roots) if roots else "()"
        if kv is None:
            kv = self.memo_keys[roots] = f"_k{k}"
            parts = [f"{names[t]}.tobytes()" for r in roots for t in r._outputs]
            lines.append(f"    {kv} = ({', '.join(parts)},)")
        self.env[f"M{k}"] = {}
        lines.append(f"    _c = M{k}.get({kv})")
        lines.append("    if _c is None:")
        lines.append(f"        _c = _mstore(M{k}, {kv}, {call})")
        self.line_ops[len(lines)] = op
        lines.append(f"    {', '.join(outs)} = _c" if len(outs) > 1 else
                     f"    {outs[0]} = _c")

    def _call_line(self, op, k, call, outs, guard):
        """`v7_0 = K7(...)`, skipped (its outputs DEAD) when the guard says the op is dead;
        traced plans record each op that ran."""
        if guard is not None:
            dead = "(" + "DEAD, " * len(outs) + ")"
            if not outs:
                line = f"    if not ({guard}): {call}"
            elif len(outs) == 1:
                line = f"    {outs[0]} = DEAD if ({guard}) else {call}"
            else:
                line = f"    {', '.join(outs)} = {dead} if ({guard}) else {call}"
        elif not outs:
            line = f"    {call}"
        elif len(outs) == 1:
            line = f"    {outs[0]} = {call}"
        else:
            line = f"    {', '.join(outs)} = {call}"
        self.lines.append(line)
        self.line_ops[len(self.lines)] = op
        if self.traced:
            rec = f"_rec(O{k}, ({''.join(o + ', ' for o in outs)}), _t0)"
            # an op on a dead path did not run: steppers and step stats leave it out
            self.lines.append(f"    if not ({self.dead_op[op]}): {rec}" if op in self.dead_op
                              else f"    {rec}")

    # --- fetches and compiling ---------------------------------------------------------
    def return_fetches(self):
        """The run returns the fetched values: references read now, copied to the host,
        a dead fetch an error (unless the plan allows it)."""
        fetch_exprs = []
        for t in self.plan.fetch_tensors:
            src = self.names[t]
            if self.is_ref(t):
                self.env[f"NF{len(fetch_exprs)}"] = t.op.name
                src = f"read_ref({src}, NF{len(fetch_exprs)})"
            if self.edges is not None:
                src = self.edges.fetch(src)
            if t in self.maybe_dead and not self.plan.dead_fetches_ok:
                src = f"_live({src}, {len(fetch_exprs)})"
            fetch_exprs.append(src)
        self.lines.append(f"    return ({', '.join(fetch_exprs)}{',' if fetch_exprs else ''})")

    def compile(self, plan_id):
        """Values are released after their last use; the source becomes the run function.
        Returns (run, code, line_ops, source)."""
        lines, line_ops = _release_after_last_use(self.lines, self.line_ops)
        source = "\n".join(lines)
        kind = "traced plan" if self.traced else "plan"
        code = compile(source, f"<tfteach {kind} {plan_id:x}>", "exec")
        exec(code, self.env)
        return self.env["run"], code, line_ops, source


def error_for_op(op, e):
    """`e`, raised by op's kernel, as TF reports it: an OpError naming op (unless it names
    one already); a foreign exception becomes InvalidArgumentError naming op."""
    if isinstance(e, errors.OpError):
        if e.op is None:
            msg = e.message
            if "{{node" not in msg:
                msg = f"{msg}\n\t [[{{{{node {op.name}}}}}]]"
            return type(e)(op.node_def, op, msg)
        return e
    if isinstance(e, (KeyboardInterrupt, SystemExit)):
        return e
    oom = errors.allocation_error(e)
    if oom is not None:
        return type(oom)(op.node_def, op, f"{oom.message}\n\t [[{{{{node {op.name}}}}}]]")
    return errors.InvalidArgumentError(
        op.node_def, op, f"{op.type} op '{op.name}' failed: {type(e).__name__}: {e}"
                         f"\n\t [[{{{{node {op.name}}}}}]]")


class _Recorder:
    """Collects per-op timings of a traced run and forwards them to a step callback."""

    def __init__(self, placement_map, callback):
        self.placement = placement_map
        self.callback = callback
        self.stats = []
        self.start = time.perf_counter()
        self.wall0 = time.time()

    def __call__(self, op, outputs, t0):
        t1 = time.perf_counter()
        values = [o.value if isinstance(o, VariableSlot) else o for o in outputs]
        self.stats.append((op, t0, t1 - t0, values))
        if self.callback is not None:
            self.callback(op, values, t1 - t0)

    def fill(self, run_metadata):
        from .step_stats import NodeExecStats, NodeOutput, _DeviceStepStats, describe
        from .placement import canonical_name
        by_dev = {}
        for op, t0, dt, values in self.stats:
            dev = self.placement.device_name(op) if hasattr(self.placement, "device_name") \
                else canonical_name(self.placement.get(op, "CPU"))
            shapes = [tuple(np.shape(v)) if v is not None else None for v in values]
            outputs = [NodeOutput(i, describe(v)) for i, v in enumerate(values)
                       if v is not None]
            by_dev.setdefault(dev, []).append(NodeExecStats(
                op.name, op.type, int((self.wall0 + (t0 - self.start)) * 1e6),
                max(int(dt * 1e6), 0), dev, shapes, _input_names(op), outputs))
        for dev, stats in by_dev.items():
            ds = _DeviceStepStats(dev)
            ds.node_stats = stats
            run_metadata.step_stats.dev_stats.append(ds)


def _input_names(op):
    """A NodeDef's inputs as TF writes them: `name` for output 0, `name:i`, `^name`."""
    names = [t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"
             for t in op.inputs]
    return names + ["^" + c.name for c in op.control_inputs]


def _missing_kernel(*args, **kwargs):
    raise AssertionError("unreachable: plans with a missing kernel raise before running")


_SWITCHES = ("Switch", "RefSwitch", "WhileFrame")
_MERGES = ("Merge", "RefMerge")


def _live(value, index):
    """A fetched value; a dead one (from the untaken side of a Switch) is TF's error."""
    from ..kernels.cpu.control_flow import DEAD
    if value is DEAD:
        raise errors.InvalidArgumentError(None, None, f"Retval[{index}] does not have value")
    return value


def _direct_ufunc(kernel, inputs):
    """numba's DUFunc wraps a NumPy ufunc in a Python-level __call__ (about 3x the cost of
    the ufunc itself). A plan knows its dtypes statically, so when the ufunc already has
    the loop for exactly these input dtypes it calls the ufunc directly."""
    u = getattr(kernel, "ufunc", None)
    if not isinstance(u, np.ufunc) or u.nin != len(inputs):
        return kernel
    try:
        chars = "".join(t.dtype.base_dtype.np_dtype.char for t in inputs)
    except (AttributeError, TypeError):
        return kernel
    for sig in u.types:
        if sig.split("->")[0] == chars:
            return u
    return kernel


def _small_static(op):
    """True when every input's shape is known and below the size worth splitting."""
    from ..kernels.cpu import SPLIT_MIN
    for t in op._inputs:
        shape = t.shape
        if not shape.is_fully_defined():
            return False
        n = 1
        for d in shape.as_tuple():
            n *= d
        if n >= SPLIT_MIN:
            return False
    return True


# TF's DataTypeString spelling in kernel messages ("with dtype float")
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _shape_brackets(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"


# --- while loops ------------------------------------------------------------------------------
# A tf.while_loop's frame (ops/control_flow_v1.py) is a cycle: Merge <- NextIteration <- body
# <- Switch <- Merge. Straight-line plans cannot hold a cycle, so a plan holds each outermost
# frame as one pseudo-op (`_Frame`) at the place of the frame's last op: it takes the values
# entering the frame and returns its Exit values, iterating the frame's ops in a Python loop.
# Plans without Enter ops never meet any of this.

_ENTERS = ("Enter", "RefEnter")


def _frame_of(op, level):
    """The while context directly below `level` that `op` belongs to, or None."""
    from ..ops.control_flow_v1 import WhileContext
    found = None
    ctx = op._control_flow_context
    while ctx is not None and ctx is not level:
        if isinstance(ctx, WhileContext):
            found = ctx
        ctx = ctx.outer
    return found


def _all_frames(items):
    for it in items:
        if isinstance(it, _Frame):
            yield it
            yield from _all_frames(it.items)


def _group_frames(ops, level=None, where=None):
    """`ops` (in creation order) with the ops of each loop at `level` replaced by one _Frame,
    put where the loop's last op was. `where` is the plan's placement of each op."""
    members = {}
    for op in ops:
        w = _frame_of(op, level)
        if w is not None:
            members.setdefault(w, []).append(op)
    if not members:
        return list(ops)
    last = {m[-1]: _Frame(w, m, where or {}) for w, m in members.items()}
    out = []
    for op in ops:
        if op in last:
            out.append(last[op])
        elif _frame_of(op, level) is None:
            out.append(op)
    return _toposort(out, {op: f for f in last.values() for op in f.members})


_NEXT_ITERATIONS = ("NextIteration", "RefNextIteration")


def _toposort(items, owner):
    """`items` in an order that runs every producer first, creation order where free.

    Creation order is topological for straight-line graphs, but a loop's gradient adds ops
    to a frame after ops that use the frame's results (a push in the forward loop after
    the backward loop's start), so a frame placed at its last op would come too late.
    `owner` maps an op inside a frame to that frame's item. A loop's back edges (a Merge's
    input from NextIteration) are not dependencies."""
    import heapq
    producer = {}
    for it in items:
        for t in it._outputs:
            producer[t] = it
    pos = {it: i for i, it in enumerate(items)}
    need = {}
    users = {it: [] for it in items}
    for it in items:
        deps = set()
        merge = it._type in _MERGES
        for t in it._inputs:
            p = producer.get(t)
            if p is None:
                p = owner.get(t.op)
            if p is not None and p is not it and \
                    not (merge and t.op._type in _NEXT_ITERATIONS):
                deps.add(p)
        for c in it._control_inputs:
            p = c if c in pos else owner.get(c)
            if p is not None and p is not it:
                deps.add(p)
        deps &= pos.keys()
        need[it] = len(deps)
        for p in deps:
            users[p].append(it)
    ready = [(pos[it], it._id, it) for it in items if need[it] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, _, it = heapq.heappop(ready)
        out.append(it)
        for u in users[it]:
            need[u] -= 1
            if need[u] == 0:
                heapq.heappush(ready, (pos[u], u._id, u))
    if len(out) != len(items):      # a cycle outside any frame: keep creation order
        return items
    return out


class _FrameDef:
    """The slice of an OpDef a plan reads for a _Frame."""
    stateful = True
    inputs = [("*inputs", "ref:T")]     # references arrive as they are (RefEnter)
    differentiable = False

    def __init__(self, frame):
        self._frame = frame

    def kernel_for(self, device):
        return self._frame.run

    def kernel_attr_names(self, device):
        return ("ctx",)


class _Frame:
    """One while loop, run as a unit (see above)."""
    _type = "WhileFrame"
    type = "WhileFrame"
    device = ""
    _device = ""
    _attrs = {}
    _control_flow_context = None
    node_def = None     # a loop run as a unit is no node: an error it raises names the loop

    def __init__(self, wctx, ops, where):
        self.ctx = wctx
        self.members = set(ops)
        # an int32 op of TF's host-memory int32 kernels (a loop counter's Enter, Merge,
        # Less, AddV2, NextIteration, Exit) computes on the host, as the plan's edges expect
        self.where = {op: "CPU" if where.get(op) == "GPU" and placement.int32_on_host(op)
                      else where.get(op, "CPU") for op in ops}
        # a GPU in the plan: values are moved to where each op needs them (host or device)
        self._moves = "GPU" in self.where.values()
        self._on_device = {}     # a Const inside the loop, copied to the device once
        produced = {t for op in ops for t in op._outputs}
        self._inputs = list(dict.fromkeys(t for op in ops for t in op._inputs
                                          if t not in produced))
        self._control_inputs = list(dict.fromkeys(c for op in ops for c in op._control_inputs
                                                  if c not in self.members))
        exits = [(k, e) for k, e in enumerate(wctx.exits) if e in self.members]
        self._outputs = [e._outputs[0] for _, e in exits]
        self._id = ops[-1]._id
        self.name = wctx.name.rstrip("/")
        self._opdef = _FrameDef(self)
        # the loop variables this plan runs (a gradient adds a counter that a plan fetching
        # only the loop's results leaves out), fixed now: the graph may grow afterwards
        keep = [k for k, m in enumerate(wctx.merges) if m in self.members]
        self._merges = [wctx.merges[k] for k in keep]
        self._nexts = [wctx.nexts[k] for k in keep]
        self._loop_cond = wctx.loop_cond
        loop_enters = {m._inputs[0].op for m in self._merges}
        skip = set(self._merges) | loop_enters | set(wctx.exits)
        items = _group_frames(ops, wctx, where)
        self.items = [o for o in items if isinstance(o, _Frame)]
        self._const_enters = [o for o in items if not isinstance(o, _Frame) and
                              o._type in _ENTERS and o not in skip]
        rest = [o for o in items if o not in skip and o not in self._const_enters]
        cut = self._loop_cond._id
        self._pre = [self._step(o) for o in rest if o._id <= cut]
        self._body = [self._step(o) for o in rest if o._id > cut]
        self._enter_ins = [m._inputs[0].op._inputs[0] for m in self._merges]
        self._out_pos = [keep.index(k) for k, _ in exits]
        # where each value must be as it enters the frame, each iteration, and as it leaves
        # (what the plan's edges expect of the Exit's device); None: no moves at all
        self.input_devices = [self._need_of(t) for t in self._inputs]
        if self._moves:
            dev = self.where.get
            self._const_enter_to = [dev(e) for e in self._const_enters]
            self._loop_enter_to = [dev(m._inputs[0].op) for m in self._merges]
            self._exit_to = [dev(wctx.exits[k]) for k, _ in exits]

    def _need_of(self, t):
        """Where the frame's input t is needed: the device of the Enter ops taking it when
        they agree (the plan's edges then copy it once per run, a constant once per plan),
        else None (moved inside the frame)."""
        if t.dtype.is_ref_dtype:
            return None
        if not self._moves:
            return "CPU"        # a loop wholly on the CPU in a plan that uses the GPU

        devs = {self.where[op] if op._type == "Enter" else None
                for op in self.members if any(x is t for x in op._inputs)}
        return devs.pop() if len(devs) == 1 else None

    def _step(self, op):
        """(op, how to run it) for the frame interpreter, with the moves its inputs need."""
        if op._type == "Const" or not self._moves:
            return _step(op) + (None,)
        if isinstance(op, _Frame):      # a nested loop: its inputs go where its Enters are
            return _step(op) + (tuple(
                None if need is None else self._const_mover(t) if need == "GPU" and
                t.op._type == "Const" else _to_device if need == "GPU" else _to_host
                for t, need in zip(op._inputs, op.input_devices)),)
        dev = self.where[op]
        step = _step(op, dev)
        opdef = op._opdef
        host_in = opdef.host_memory(len(op._inputs), len(op._outputs), dev)[0]
        moves = []
        for j, t in enumerate(op._inputs):
            spec = opdef.inputs[min(j, len(opdef.inputs) - 1)][1]
            if isinstance(spec, str) and spec.startswith("ref:"):
                moves.append(None)          # the variable's slot, not a value
            elif dev == "GPU" and j not in host_in:
                moves.append(self._const_mover(t) if t.op._type == "Const" else _to_device)
            else:
                moves.append(_to_host)
        return step + (tuple(moves),)

    def _const_mover(self, t):
        """A loop's constant used on the GPU is copied there once, not each iteration."""
        def move(value):
            d = self._on_device.get(t)
            if d is None:
                d = _to_device(value)
                if not isinstance(value, (np.ndarray, np.generic)):
                    return d            # dead (the Const waits on an untaken branch)
                self._on_device[t] = d
            return d
        return move

    def get_attr(self, name):
        raise ValueError(f"No attr named '{name}' in a while frame")

    def run(self, *args, ctx):
        from ..kernels.cpu.control_flow import DEAD
        w = self.ctx
        env = dict(zip(self._inputs, args))
        moves = self._moves
        for i, e in enumerate(self._const_enters):
            v = env[e._inputs[0]]
            env[e._outputs[0]] = _move(v, self._const_enter_to[i]) if moves else v
        values = [env[t] for t in self._enter_ins]
        if moves:
            values = [_move(v, d) for v, d in zip(values, self._loop_enter_to)]
        merges = [m._outputs for m in self._merges]
        pred = self._loop_cond._outputs[0]
        index = 0
        while True:
            for (out, idx), v in zip(merges, values):
                env[out] = v
                env[idx] = index
            dead = set()
            _run_steps(self._pre, env, dead, ctx, DEAD)
            p = env[pred]
            if p is DEAD or not bool(p):
                break
            _run_steps(self._body, env, dead, ctx, DEAD)
            values = [env[n] for n in self._nexts]
            index = 1
        values = [values[k] for k in self._out_pos]
        if moves:
            values = [_move(v, d) for v, d in zip(values, self._exit_to)]
        return values[0] if len(values) == 1 else tuple(values)


def _to_device(x):
    return placement.to_device_tolerant(x)


def _to_host(x):
    return placement.to_host_tolerant(x)


def _move(x, dev):
    return _to_device(x) if dev == "GPU" else _to_host(x)


def _step(op, dev="CPU"):
    """(op, how to run it) for the frame interpreter, with `dev`'s kernel."""
    if isinstance(op, _Frame):
        return (op, op.run, op._inputs, (False,) * len(op._inputs), {}, 2,
                op._control_inputs)
    if op._type == "Const":
        return (op, None, (), (), {}, 0, op._control_inputs)
    ctl = op._control_inputs if op._type != "ControlTrigger" else ()  # never dead
    opdef = op._opdef
    kernel = opdef.kernel_for(dev)
    if kernel is None:
        raise errors.NotFoundError(
            None, op, f"No registered '{op._type}' OpKernel for '{dev}' devices compatible "
                      f"with node {{{{node {op.name}}}}}")
    if hasattr(kernel, "for_op"):
        kernel = kernel.for_op(op)
    kw = {}
    for a in opdef.kernel_attr_names(dev):
        if a == "op":
            kw["op"] = op
        elif a in op._attrs:
            kw[a] = op._attrs[a]
    # a reference edge is read where it is consumed, unless the op takes the reference
    reads = []
    for j, t in enumerate(op._inputs):
        spec = opdef.inputs[min(j, len(opdef.inputs) - 1)][1]
        reads.append(t.dtype.is_ref_dtype and
                     not (isinstance(spec, str) and spec.startswith("ref:")))
    kind = 3 if op._type in _MERGES else 1
    if "ctx" in opdef.kernel_attr_names(dev):
        kind = 4
    return (op, kernel, op._inputs, tuple(reads), kw, kind, ctl)


def _run_steps(steps, env, dead, ctx, DEAD):
    for op, kernel, ins, reads, kw, kind, ctl, moves in steps:
        outs = op._outputs
        args = [env[t] for t in ins]
        if any(c in dead for c in ctl) or (kind != 3 and any(a is DEAD for a in args)):
            dead.add(op)
            for t in outs:
                env[t] = DEAD
            continue
        try:
            if kind == 0:
                env[outs[0]] = op.get_attr("value")
                continue
            if kind == 2:
                if moves is not None:
                    args = [a if m is None else m(a) for a, m in zip(args, moves)]
                res = kernel(*args, ctx=ctx)
            else:
                args = [read_ref_live(a, op.name) if r else a for a, r in zip(args, reads)]
                if moves is not None:
                    args = [a if m is None else m(a) for a, m in zip(args, moves)]
                if kind == 4:
                    res = kernel(*args, ctx=ctx, **kw)
                else:
                    res = kernel(*args, **kw)
        except Exception as e:      # noqa: BLE001 - named after the op, as plans do
            raise error_for_op(op, e) from None
        if kind == 3 and res[0] is DEAD:
            dead.add(op)
        if len(outs) == 1:
            env[outs[0]] = res
        elif outs:
            for t, v in zip(outs, res):
                env[t] = v
