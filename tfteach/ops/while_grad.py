"""Gradients through TF1 `tf.while_loop`: TF's backward loop over stacks of forward values.

`tf.gradients` (gradients_impl.py) sees a whole forward loop as one node (`LoopNode`): its
inputs are the loop variables' initial values and the outside tensors the loop uses (its
constant `Enter`s), its outputs the `Exit`s. Its gradient is built as TF 2.21 (v2 behaviour
off) builds it, with TF's op names where they are simple:

* the forward loop gets one more loop variable, an iteration counter (`gradients/f_count`,
  `gradients/Merge`, `gradients/Switch`, `gradients/Add`, `gradients/NextIteration`, exiting
  as `gradients/f_count_2`);
* a backward loop (frame `gradients/while/while_context`) counts that many iterations down
  (`gradients/b_count`, `GreaterEqual`, `LoopCond` `b_count_2`, `Sub`);
* each float loop variable's gradient enters it (`while/Exit_1_grad/b_exit`), is merged with
  the previous backward iteration's (`while/Switch_1_grad/b_switch`) and switched on the
  backward condition (`while/Merge_1_grad/Switch`): the false side exits as the gradient of
  the initial value (`while/Enter_1_grad/Exit`), the true side is the gradient of the body's
  results, which the registry's gradient functions take through the body (a `_walk` at the
  loop's level) to the gradient of the body's inputs, handed to the next backward iteration
  (`while/Switch_1_grad_1/NextIteration`);
* a forward value a body gradient needs is pushed on a stack each forward iteration
  (`<grad op>/f_acc` StackV2, `StackPushV2` in the forward frame) and popped in the backward
  one (`StackPopV2`), so backward iteration k sees forward iteration n+1-k's value; a value
  inside a cond branch of the body is pushed only when the branch ran and popped behind a
  Switch on the (popped) predicate, so pushes and pops stay paired;
* an outside tensor used in the body gets the sum over iterations of its gradient, in an
  accumulator loop variable (`while/mul/Enter_grad/b_acc`).

The ordering edges are TF's too: pushes wait for the forward counter's increment and the
counter's NextIteration waits for the pushes (through a ControlTrigger `f_sync` for pushes in
a cond branch); pops wait for the backward counter's decrement and its NextIteration waits
for them (`b_sync`). Those edges are also what pulls the pushes into a Session.run that
fetches a gradient. The stack is a run-time resource: StackV2 runs once per Session.run,
outside both loops, so the forward frame's pushes and the backward frame's pops (each frame
run as a unit by runtime/executor.py) share it within that run.
"""
import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import control_flow_v1 as _cf

__all__ = ["LoopNode", "loop_below"]

_ENTERS = ("Enter", "RefEnter")
_EXITS = ("Exit", "RefExit")


def _unimplemented(msg):
    return errors.UnimplementedError(None, None, msg)


def loop_below(op, level):
    """The outermost while loop holding `op` inside `level` (a WhileContext or None).
    An op outside `level` is none of its loops: a walk at that level stops at its edges
    (and an enclosing loop may still be under construction: a tape used in its body)."""
    found = None
    ctx = op._control_flow_context
    while ctx is not None and ctx is not level:
        if isinstance(ctx, _cf.WhileContext):
            found = ctx
        ctx = ctx.outer
    if level is not None and ctx is None:
        return None
    return found


def _trainable(t):
    dt = t.dtype.base_dtype
    # a TensorList (variant) carries its elements' gradients as a list, as in TF
    return dt.is_floating or dt.is_complex or dt == _dt.variant


class _Outside:
    """Builds ops outside every control-flow context and control dependency."""

    def __init__(self, g):
        self.g = g

    def __enter__(self):
        self.saved = self.g._control_flow_context
        self.g._control_flow_context = None
        self.deps = self.g.control_dependencies(None)
        self.deps.__enter__()

    def __exit__(self, *exc):
        self.deps.__exit__(*exc)
        self.g._control_flow_context = self.saved
        return False


class LoopNode:
    """A forward while loop as one node of the gradient walk (see gradients_impl)."""
    _type = "WhileLoop"
    type = "WhileLoop"
    _control_flow_context = None

    def __init__(self, ctx):
        self.ctx = ctx
        self.name = ctx.name.rstrip("/")
        self._const_enters = [o for o in ctx.ops if o._type in _ENTERS and
                              o._attrs.get("is_constant") and
                              o._inputs[0].op._type != "StackV2"]
        self._inputs = tuple([m._inputs[0].op._inputs[0] for m in ctx.merges] +
                             [e._inputs[0] for e in self._const_enters])
        self._outputs = [e._outputs[0] for e in ctx.exits]
        self.index = {t: i for i, t in enumerate(self._outputs)}

    def gradient(self, out_grads):
        return _build_backward(self, out_grads)


def _forward_counter(fctx):
    """Adds the iteration counter to the forward loop; returns its Exit (TF's f_count)."""
    from . import constant_op, math_ops
    g = fctx.pivot.graph
    with _Outside(g):
        zero = constant_op.constant(0, name="f_count")
        enter = _cf._enter(zero, fctx.frame_name, False, fctx.parallel_iterations,
                           name="f_count")
    fctx.add_op(enter.op)
    with _cf._InContext(g, fctx), g.control_dependencies(None):
        merge = _cf.merge([enter, enter])[0]
        sw = _cf.switch(merge, fctx.loop_cond._outputs[0])
        add = math_ops.add(sw[1], 1)
        nxt = apply_op("NextIteration", [add], name="NextIteration")[0]
        _cf._set_back_edge(merge.op, nxt)
        ex = apply_op("Exit", [sw[0]], name="f_count")[0]
    fctx.merges.append(merge.op)
    fctx.nexts.append(nxt)
    fctx.exits.append(ex.op)
    fctx.f_add, fctx.f_next = add.op, nxt.op
    return ex


class _GradContext(_cf.WhileContext):
    """The backward loop's context: a tensor of the forward loop that a gradient op uses
    comes from a stack (pushed in the forward loop, popped here); a loop-invariant one (a
    constant Enter) enters from outside, as any outside tensor does."""

    def __init__(self, forward, name, frame, parallel_iterations, outer):
        super().__init__(name, frame, parallel_iterations, outer)
        self.forward = forward
        self.b_sync = None

    def add_value(self, t, enter_name):
        if t in self._values:
            return t
        inner = self._external.get(t)
        if inner is not None:
            return inner
        if t not in self.forward._values:
            return super().add_value(t, enter_name)
        op = t.op
        if op._type in _ENTERS and op._attrs.get("is_constant") and \
                op._control_flow_context is self.forward:
            inner = self.add_value(op._inputs[0], enter_name)
        else:
            inner = self._pop(t, enter_name.rsplit("/", 1)[0])
        self._external[t] = inner
        return inner

    @registry.api("ControlTrigger")
    @registry.api("StackPopV2")
    @registry.api("StackPushV2")
    @registry.api("StackV2")
    def _pop(self, t, base):
        from . import constant_op
        g = t.graph
        fctx = self.forward
        vctx = t.op._control_flow_context
        if t.op._type in _EXITS:
            vctx = vctx.outer
        conds = []
        c = vctx
        while c is not fctx:
            if c is None or isinstance(c, _cf.WhileContext):
                raise _unimplemented(
                    f"tfteach cannot take the gradient of '{t.name}' from inside a loop "
                    f"nested in the body of '{fctx.name.rstrip('/')}' (only that loop's exits "
                    f"can be used by the body's gradient).")
            conds.append(c)
            c = c.outer
        conds.reverse()
        dtype = t.dtype.base_dtype
        saved = g._control_flow_context, g._name_stack
        try:
            g._control_flow_context = None
            with g.control_dependencies(None), g.name_scope(base + "/"):
                size = constant_op.constant(-1, dtype=_dt.int32, name="Const")
                stack = apply_op("StackV2", [size], {"elem_type": dtype, "stack_name": ""},
                                 name="f_acc")[0]
                handle = fctx.add_value(stack, base + "/Enter")
                g._control_flow_context = vctx
                push = apply_op("StackPushV2", [handle, t],
                                {"swap_memory": fctx.swap_memory}, name="StackPushV2")[0].op
                push._add_control_input(fctx.f_add)
                if vctx is fctx:
                    fctx.f_next._add_control_input(push)
                else:
                    # a push in a cond branch is dead when the branch did not run: the
                    # counter waits on a trigger that ignores deadness
                    g._control_flow_context = fctx
                    with g.control_dependencies([push]):
                        apply_op("ControlTrigger", [], name="f_sync")
                    fctx.f_next._add_control_input(g._ops[-1])
                g._control_flow_context = self
                h = stack
                for cc in conds:
                    pred = self.add_value(cc.pred, base + "/Enter")
                    h = _cf.switch(h, pred, name="Switch")[cc.branch]
                pop = apply_op("StackPopV2", [h], {"elem_type": dtype}, name="StackPopV2")[0]
                pop._shape = t.shape
                if not conds:
                    pop.op._add_control_input(self.b_sub)
                if self.b_sync is None:
                    with g.control_dependencies([pop.op]):
                        apply_op("ControlTrigger", [], name="b_sync")
                    self.b_sync = g._ops[-1]
                    self.b_next._add_control_input(self.b_sync)
                else:
                    self.b_sync._add_control_input(pop.op)
        finally:
            g._control_flow_context, g._name_stack = saved
        return pop


def _zeros_outside(t, like_input, name):
    """Zeros shaped like gradient `t`, made outside the loops (an accumulator's start)."""
    from . import constant_op, array_ops
    if t.shape.is_fully_defined() and t.dtype.base_dtype != _dt.variant:
        return constant_op.constant(np.zeros(t.shape.as_tuple(), t.dtype.base_dtype.np_dtype),
                                    name=name)
    if like_input.dtype.base_dtype == _dt.resource:
        raise _unimplemented(
            f"tfteach cannot accumulate the gradient of the variable entering the loop as "
            f"'{like_input.name}': its gradient's shape is not fully known ({t.shape}).")
    return array_ops.zeros_like(like_input, name=name)


def _build_backward(node, out_grads):
    from . import array_ops, constant_op, math_ops
    from .gradients_impl import _walk
    fctx = node.ctx
    g = fctx.pivot.graph
    outer = g._control_flow_context
    root = g._name_stack
    n_vars = len(node._outputs)
    merges = fctx.merges[:n_vars]
    train = [i for i in range(n_vars) if _trainable(merges[i]._outputs[0])]
    f_exit = _forward_counter(fctx)
    name = (root + "/" if root else "") + fctx.name
    frame = name + "while_context"
    pi = fctx.parallel_iterations
    b = _GradContext(fctx, name, frame, pi, outer)

    def from_outer(t, name):
        # a backward loop nested in another one takes outer values through that loop's
        # context (a forward value of the outer loop: from its stack)
        return outer.add_value(t, name) if outer is not None else t

    # the backward counter: n iterations, n being the forward loop's
    f_exit = from_outer(f_exit, name + "b_count/Enter")
    with _Outside(g):
        one = constant_op.constant(1, name="b_count")
        b_enter = _cf._enter(f_exit, frame, False, pi, name="b_count")
    b.add_op(b_enter.op)
    with _cf._InContext(g, b), g.control_dependencies(None):
        b_merge = _cf.merge([b_enter, b_enter])[0]
        b.pivot = b_merge
        ge = math_ops.greater_equal(b_merge, one)
        pivot = apply_op("LoopCond", [ge], name="b_count")[0]
        b_sw = _cf.switch(b_merge, pivot)
        sub = math_ops.subtract(b_sw[1], b._external[one])
        b.pivot = sub
        b_next = apply_op("NextIteration", [sub], name="NextIteration")[0]
        _cf._set_back_edge(b_merge.op, b_next)
        b_exit = apply_op("Exit", [b_sw[0]], name="b_count")[0]
    b.b_sub, b.b_next = sub.op, b_next.op
    b_merges, b_nexts, b_exits = [b_merge.op], [b_next], [b_exit.op]

    # each float loop variable's gradient: enter, merge, switch; exit as the initial value's
    gys, grad_merges, in_grads = [], [], [None] * len(node._inputs)
    for i in train:
        gy = out_grads[i]
        if gy is None:
            gy = array_ops.zeros_like(node._outputs[i])
        gy = from_outer(gy, name + "b_exit/Enter")
        with g.name_scope(fctx.exits[i].name + "_grad"), _Outside(g):
            be = _cf._enter(gy, frame, False, pi, name="b_exit")
        b.add_op(be.op)
        with _cf._InContext(g, b), g.control_dependencies(None):
            with g.name_scope(fctx.switch_ops[i].name + "_grad"):
                bm = _cf.merge([be, be], name="b_switch")[0]
            with g.name_scope(merges[i].name + "_grad"):
                bs = _cf.switch(bm, pivot)
            with g.name_scope(fctx.enter_ops[i].name + "_grad"):
                bx = apply_op("Exit", [bs[0]], name="Exit")[0]
        gys.append(bs[1])
        grad_merges.append(bm)
        b_merges.append(bm.op)
        b_exits.append(bx.op)
        in_grads[i] = bx

    # the body's gradient, one backward iteration
    ids = [fctx.ids[i] for i in train]
    enters = node._const_enters
    with _cf._InContext(g, b), g.control_dependencies(None):
        ys = [fctx.nexts[i].op._inputs[0] for i in train]
        res = _walk(ys, gys, ids + [e._outputs[0] for e in enters], level=fctx)
        for k, (i, gx) in enumerate(zip(train, res[:len(train)])):
            if gx is None:
                like = gys[k] if ids[k].shape.is_fully_defined() else ids[k]
                gx = array_ops.zeros_like(like)
            with g.name_scope(fctx.switch_ops[i].name + "_grad"):
                nxt = apply_op("NextIteration", [gx], name="NextIteration")[0]
            _cf._set_back_edge(grad_merges[k].op, nxt)
            b_nexts.append(nxt)
        # outside tensors: their gradients summed over the iterations
        for j, (e, c) in enumerate(zip(enters, res[len(train):])):
            if c is None:
                continue
            c = _ops.convert_to_tensor(c)
            with g.name_scope(e.name + "_grad"):
                with _Outside(g):
                    zero = _zeros_outside(c, e._inputs[0], "b_acc")
                    acc_in = _cf._enter(zero, frame, False, pi, name="b_acc")
                b.add_op(acc_in.op)
                am = _cf.merge([acc_in, acc_in], name="b_acc")[0]
                asw = _cf.switch(am, pivot)
                # lists (variant) add element by element through AddN, as TF adds them
                add = math_ops.add_n([asw[1], c]) if c.dtype.base_dtype == _dt.variant \
                    else math_ops.add(asw[1], c)
                an = apply_op("NextIteration", [add], name="NextIteration")[0]
                _cf._set_back_edge(am.op, an)
                ax = apply_op("Exit", [asw[0]], name="b_acc")[0]
            b_merges.append(am.op)
            b_nexts.append(an)
            b_exits.append(ax.op)
            in_grads[n_vars + j] = ax
    b.merges, b.loop_cond, b.nexts, b.exits = b_merges, pivot.op, b_nexts, b_exits
    return in_grads
