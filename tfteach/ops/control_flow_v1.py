"""TF1 dataflow control flow: Switch, RefSwitch, Merge, RefMerge, and `tf.cond` built of them.

`Switch(data, pred)` forwards `data` to one of its two outputs (`output_false`,
`output_true`); the other output is *dead*. An op with a dead input (or a dead control
input) does not run and its outputs are dead too, except `Merge`, which forwards its first
live input (and its index). The executor implements deadness (runtime/executor.py); the
kernels are in kernels/cpu/control_flow.py.

`cond(pred, true_fn, false_fn)` builds TF 1.x's graph (TF 2.21 with v2 behaviour
disabled): under `cond/`, `Switch(pred, pred)` gives the two pivots `switch_t` and
`switch_f` and `pred_id = Identity(pred)`; each branch function runs inside a CondContext
that sends every tensor coming from outside through a `Switch` on `pred_id` (named after
the op consuming it, `cond/mul/Switch`, or `cond/Switch_1` for a returned outside tensor)
and ties each op without inputs to the branch's pivot with a control edge, so that the
whole untaken branch is dead; one `Merge` per returned tensor joins the branches.

Gradients follow TF's rules: the gradient of a cond's Merge is a Switch of the incoming
gradient on the cond's predicate (`Merge_grad/cond_grad`); the gradient of a branch's
Switch is a Merge of the gradients of its two outputs (`Switch_grad/cond_grad`), the
untaken output's being zeros built behind a Switch on the same predicate, so they are live
exactly when that output is dead.

`RefVariable.initialized_value()` uses the same ops (`cond_value` below):
IsVariableInitialized -> cond/Switch, cond/switch_t, cond/switch_f, cond/pred_id ->
cond/read (the value, through a RefSwitch) and cond/Switch_1 (the initial value) ->
cond/Merge.
"""
import weakref

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import control_flow_ops, logging_ops  # noqa: F401  (Switch, Merge, ..., Assert)

__all__ = ["switch", "ref_switch", "merge", "cond", "cond_value", "CondContext"]


@registry.api("Switch")
def switch(data, pred, name=None):
    return apply_op("Switch", [data, pred], name=name or "Switch")


@registry.api("RefSwitch")
def ref_switch(data, pred, name=None):
    return apply_op("RefSwitch", [data, pred], name=name or "RefSwitch")


def _switch_ref_or_tensor(data, pred, name=None):
    if data.dtype.is_ref_dtype:
        return ref_switch(data, pred, name=name or "Switch")
    return switch(data, pred, name=name)


@registry.api("Merge")
@registry.api("RefMerge")
def merge(inputs, name=None):
    inputs = list(inputs)
    if any(getattr(t, "_is_indexed_slices", False) for t in inputs):
        return _merge_indexed_slices(inputs, name)
    if all(t.dtype.is_ref_dtype for t in inputs):
        return apply_op("RefMerge", [inputs], name=name or "Merge")
    return apply_op("Merge", [inputs], name=name or "Merge")


def _merge_indexed_slices(inputs, name):
    """Merge of gradients some of which are IndexedSlices (TF's rule): every input seen as
    slices (a dense one over all its rows), then values, indices and dense shapes merged
    apart; the result stays an IndexedSlices."""
    from ..framework.indexed_slices import IndexedSlices, as_indexed_slices
    with _ops.name_scope(name, "Merge", [getattr(t, "values", t) for t in inputs]) as scope:
        from ..framework import behavior
        # TF 2's cond differentiates a functional If: the branch that did not run adds no
        # rows. TF1's Switch/Merge cond adds its zeros as rows (v1 behaviour, tfteach.v1).
        v2 = behavior.EAGER_DEFAULT
        slices = [_no_rows(t) if v2 and _UNTAKEN_ZEROS.get(id(t)) is t
                  else as_indexed_slices(t) for t in inputs]
        if len({x.indices.dtype.base_dtype for x in slices}) > 1:
            from . import math_ops
            slices = [IndexedSlices(x.values, math_ops.cast(x.indices, _dt.int64),
                                    x.dense_shape) for x in slices]
        values, chosen = merge([x.values for x in slices], name=scope)
        indices = apply_op("Merge", [[x.indices for x in slices]], name="indices")[0]
        dense_shape = None
        if all(x.dense_shape is not None for x in slices):
            dense_shape = apply_op("Merge", [[x.dense_shape for x in slices]],
                                   name="dense_shape")[0]
        return IndexedSlices(values, indices, dense_shape), chosen


# --- the context of a cond branch -----------------------------------------------------------

class CondContext:
    """What `tf.cond` records while one branch function runs (TF's CondContext).

    `pred` is the cond's `pred_id`, `pivot` the branch's `switch_t`/`switch_f`, `branch` 1 for
    the true branch and 0 for the false one. `Graph._create_op` asks the active context to
    switch an op's outside inputs (`capture_inputs`) and to tie an op without inputs to the
    pivot (`pivot_control`), then hands it the new op (`add_op`)."""

    def __init__(self, pred, pivot, branch, outer=None):
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.outer = outer
        # tensors that live inside the branch (made here or in a nested cond), and for each
        # outside tensor already brought in, the Switch output that brought it
        self._values = {pred, pivot}
        self._external = {}

    def add_value(self, t, switch_name):
        """`t` as seen inside this branch: itself if made here, else through a Switch named
        `switch_name` (made unique), switched first in the enclosing branch if any."""
        if t in self._values:
            return t
        inner = self._external.get(t)
        if inner is not None:
            return inner
        outer_t = self.outer.add_value(t, switch_name) if self.outer is not None else t
        g = t.graph
        saved = g._control_flow_context, g._name_stack
        g._control_flow_context, g._name_stack = None, ""
        try:
            with g.control_dependencies(None):
                sw = _switch_ref_or_tensor(outer_t, self.pred,
                                           name=g.unique_name(switch_name) + "/")
        finally:
            g._control_flow_context, g._name_stack = saved
        self.add_op(sw[0].op)
        inner = sw[self.branch]
        self._external[t] = inner
        return inner

    def capture_inputs(self, inputs, op_name):
        return [self.add_value(t, op_name + "/Switch") for t in inputs]

    def pivot_control(self, inputs, control):
        """An op without inputs runs only in the taken branch through a control edge from
        the pivot, unless a control input from inside the branch already orders it."""
        if inputs or any(c._control_flow_context is not None and
                         self._is_inside(c._control_flow_context) for c in control):
            return control
        return list(control) + [self.pivot.op]

    def _is_inside(self, ctx):
        while ctx is not None:
            if ctx is self:
                return True
            ctx = ctx.outer
        return False

    def add_op(self, op):
        op._control_flow_context = self
        ctx = self
        while ctx is not None:
            ctx._values.update(op._outputs)
            ctx = ctx.outer

    def result(self, value, switch_name):
        """A returned value as the input of the cond's Merge."""
        from . import control_flow_ops
        g = self.pivot.graph
        if isinstance(value, _ops.Operation):
            # TF merges the pivot, made to wait for the op
            return control_flow_ops.with_dependencies([value], self.pivot)
        value = _ops.convert_to_tensor(value)
        return self.add_value(value, switch_name) if value.graph is g else value


class _InContext:
    def __init__(self, graph, ctx):
        self.graph, self.ctx = graph, ctx

    def __enter__(self):
        self.saved = self.graph._control_flow_context
        self.graph._control_flow_context = self.ctx

    def __exit__(self, *exc):
        self.graph._control_flow_context = self.saved
        return False


def _build_branch(g, pred_id, pivot, branch, fn, fn_name, switch_name):
    from ..framework import nest
    ctx = CondContext(pred_id, pivot, branch, g._control_flow_context)
    with _InContext(g, ctx):
        original = fn()
        if original is None:
            raise ValueError(f"'{fn_name}' must have a return value.")
        flat = [ctx.result(v, switch_name) for v in nest.flatten(original)]
    return original, flat


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None):
    """TF1's `tf.cond`: `true_fn()` if `pred` else `false_fn()`, as Switch/Merge dataflow.

    Both branch functions run once, at graph building; the predicate picks one branch each
    time the graph runs, and only the ops of that branch (stateful ones included) run. The
    result has the structure the branches return; with `strict=False` a one-element list or
    tuple is unpacked, as TF does."""
    from ..framework import nest
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    if _ops.executing_eagerly():
        # as TF's: eagerly there is nothing to build, the predicate's truth picks the branch
        # (a Python bool included) and only that function runs
        result = true_fn() if pred else false_fn()
        if not strict and isinstance(result, (list, tuple)) and len(result) == 1 and \
                not hasattr(result, "_fields"):
            result = result[0]
        return result
    with _ops.name_scope(name, "cond", [pred]) as scope:
        if isinstance(pred, bool):      # checked inside the scope: TF uses up its name
            raise TypeError("'pred' must not be a Python bool.")
        g = _ops.get_default_graph()
        # TF's Switch(pred, pred) gives the two pivots; an int or float pred fails here with
        # Switch's dtype error, a non-scalar one with its shape error
        p_f, p_t = switch(pred, pred)
        pivot_t = apply_op("Identity", [p_t], name="switch_t")[0]
        pivot_f = apply_op("Identity", [p_f], name="switch_f")[0]
        pred_id = apply_op("Identity", [pred], name="pred_id")[0]
        switch_name = scope + "Switch"
        orig_t, res_t = _build_branch(g, pred_id, pivot_t, 1, true_fn, "true_fn", switch_name)
        orig_f, res_f = _build_branch(g, pred_id, pivot_f, 0, false_fn, "false_fn",
                                      switch_name)
        nest.assert_same_structure(orig_t, orig_f)
        for t, f in zip(res_t, res_f):
            if t.dtype.base_dtype != f.dtype.base_dtype:
                raise ValueError(
                    f"Outputs of 'true_fn' and 'false_fn' must have the same type(s). "
                    f"Received {t.dtype.base_dtype.name} from 'true_fn' and "
                    f"{f.dtype.base_dtype.name} from 'false_fn'.")
        merges = [merge([f, t])[0] for t, f in zip(res_t, res_f)]
        packed = nest.pack_sequence_as(orig_t, merges)
        if not strict and isinstance(packed, (list, tuple)) and len(packed) == 1 and \
                not hasattr(packed, "_fields"):
            packed = packed[0]
        return packed


# --- gradients ------------------------------------------------------------------------------

def _cond_context(op):
    return op._control_flow_context


def zeros_for_untaken(op, index):
    """Zeros for output `index` of a branch's Switch `op` whose gradient did not arrive:
    built behind a Switch on the cond's predicate, so they are live exactly when that
    output of `op` is dead (TF's ZerosLike for a Switch)."""
    from . import array_ops
    ctx = _cond_context(op)
    if op._outputs[index].dtype.base_dtype == _dt.resource:
        return None         # a variable's handle: _switch_grad merges the one gradient
    if ctx is None:
        return array_ops.zeros_like(op._outputs[index])
    val = _switch_ref_or_tensor(op._inputs[0], ctx.pred)[1 - ctx.branch]
    pivot = array_ops.identity(val)
    shape = apply_op("Shape", [val], {"out_type": _dt.int32}, name="Shape")[0]
    with _ops.control_dependencies([pivot]):
        zeros = array_ops.zeros(shape, dtype=op._outputs[index].dtype.base_dtype)
    _UNTAKEN_ZEROS[id(zeros)] = zeros
    return zeros


# Zeros standing for the gradient of a branch that did not run (see _merge_indexed_slices).
_UNTAKEN_ZEROS = weakref.WeakValueDictionary()   # id -> tensor (tensors compare by op)


def _no_rows(zeros):
    """IndexedSlices with no rows, live exactly when `zeros` is: what a branch that did not
    run contributes in TF 2's cond (a functional If), instead of TF1's rows of zeros."""
    from ..framework.indexed_slices import IndexedSlices
    from . import array_ops
    shape = apply_op("Shape", [zeros], {"out_type": _dt.int32}, name="Shape")[0]
    none = shape[0] * 0
    values = zeros[:none]
    indices = apply_op("Range", [none, none, 1], name="range")[0]
    return IndexedSlices(values, indices, shape)


def cond_value(pred, true_ref, false_value, read_name="read"):
    """TF's `cond(pred, lambda: identity(ref, name=read_name), lambda: false_value)` for a
    reference `true_ref` and a tensor `false_value`, with TF's op names under `cond/`."""
    with _ops.name_scope(None, "cond", [pred]):
        sw = switch(pred, pred)
        apply_op("Identity", [sw[1]], name="switch_t")
        apply_op("Identity", [sw[0]], name="switch_f")
        pred_id = apply_op("Identity", [pred], name="pred_id")[0]
        # TF names the switch of a captured reference after the op reading it
        # (`cond/read/Switch`) without taking the op's own name (`cond/read`).
        g = pred.graph
        rsw = ref_switch(true_ref, pred_id, name=g.unique_name(f"{read_name}/Switch") + "/")
        true_val = apply_op("Identity", [rsw[1]], name=read_name)[0]
        false_val = switch(false_value, pred_id)[0]
        # the branch contexts tf.cond would have recorded, for the Merge's gradient
        in_true = CondContext(pred_id, sw[1], 1, g._control_flow_context)
        in_false = CondContext(pred_id, sw[0], 0, g._control_flow_context)
        in_true.add_op(rsw[0].op)
        in_true.add_op(true_val.op)
        in_false.add_op(false_val.op)
        return merge([false_val, true_val])[0]


# --- tf.case ----------------------------------------------------------------------------------

# TF's Assert op (tf.Assert, the assert_* family in ops/assert_ops.py, and tf.case's checks):
# `data` is a list whose items each keep their dtype (attr T: list(type)), as in TF.
def _guarded_assert(condition, data, summarize, name="Assert"):
    """TF's graph-mode `tf.Assert` for data that is not all string/int32: the Assert op sits
    in the false branch of a cond named `AssertGuard`, so its data is only computed (and
    copied to the host, in TF) when the check fails. Returns the guard's Merge op."""
    from . import array_ops
    with _ops.name_scope(name, "Assert", [condition, data]):
        for i, x in enumerate(data):   # TF converts the data once outside the guard
            if not isinstance(x, _ops.Tensor):
                _ops.convert_to_tensor(x)

        def true_assert():
            # apply_op converts the Python data under the op's name (`Assert/data_0`)
            apply_op("Assert", [condition, list(data)], {"summarize": summarize},
                     name="Assert")
            return condition.graph._ops[-1]
        guard = cond(condition, lambda: array_ops.no_op(), true_assert, name="AssertGuard")
        return guard.op


def _assert_at_most_n_true(predicates, n, msg):
    from . import array_ops, math_ops, constant_op
    preds_c = _stack_preds(predicates)
    num = math_ops.reduce_sum(math_ops.cast(preds_c, _dt.int32), name="num_true_conds")
    ok = math_ops.less_equal(num, constant_op.constant(n, name="n_true_conds"))
    names = ", ".join(getattr(p, "name", "?") for p in predicates)
    return _guarded_assert(
        ok, [f"{msg}: more than {n} conditions ({names}) evaluated as True:", preds_c],
        summarize=len(predicates))


def _stack_preds(predicates):
    from . import array_ops, constant_op
    if not predicates:      # TF stacks an empty list as a float32 constant of shape [0]
        import numpy as np
        return constant_op.constant(np.zeros([0], np.float32), name="preds_c")
    return array_ops.stack(list(predicates), name="preds_c")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """TF1's `tf.case`: the fn of the first true predicate, as nested `tf.cond`s under
    `case/` (`case/cond`, `case/cond/cond`, ...). Without `default` the last pair's fn is the
    default, guarded by Asserts that its predicate holds and no other does; with
    `exclusive=True` an Assert fails the run when more than one predicate holds. Every fn is
    called once, at graph building."""
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError(f"'pred_fn_pairs' must be a list, tuple, or dict. Received: "
                        f"{type(pred_fn_pairs)}")
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else \
        list(pred_fn_pairs)
    for entry in pairs:
        if not isinstance(entry, tuple) or len(entry) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. "
                            f"Received {entry}.")
        pred, fn = entry
        if not isinstance(pred, _ops.Tensor):
            raise TypeError(f"pred must be a Tensor, got: {pred}")
        if pred.dtype.base_dtype != _dt.bool_:
            raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    if not pairs:
        raise ValueError("not enough values to unpack (expected 2, got 0)")
    predicates = [p for p, _ in pairs]
    actions = [f for _, f in pairs]
    with _ops.name_scope(name, "case", [predicates]):
        if default is None:
            k = len(predicates) - 1
            last_pred, last_fn = predicates[k], actions[k]
            others = predicates[:k]
            all_preds = predicates

            def default(last_fn=last_fn):
                default_msg = ["Input error: None of conditions evaluated as True:",
                               _stack_preds(all_preds)]
                deps = [_assert_at_most_n_true(
                            others, 0, f"Implementation error: selected default action #{k} "
                                       f"was called, but some of other predicates are True: "),
                        _guarded_assert(last_pred, default_msg, summarize=3)]
                with _ops.control_dependencies(deps):
                    return last_fn()
            predicates, actions = others, actions[:k]

        def chain(i):
            if i == len(predicates):
                return default
            return lambda: cond(predicates[i], actions[i], chain(i + 1), strict=strict)

        if exclusive:
            guard = _assert_at_most_n_true(predicates, 1, "Input error: exclusive=True")
            with _ops.control_dependencies([guard]):
                return chain(0)()
        return chain(0)()


# --- tf.while_loop --------------------------------------------------------------------------
#
# TF's control-flow-v1 loop: each loop variable enters the frame (`Enter`), a `Merge` joins
# the entered value with the previous iteration's (`NextIteration`), the condition's value
# goes through `LoopCond` to a `Switch` per variable: the true side feeds the body (through
# an `Identity`), the false side leaves the frame (`Exit`). Outside tensors the cond or body
# use enter once, as constants of the frame (`while/<op>/Enter`, is_constant=True). The
# executor runs a frame as one unit that iterates its ops (runtime/executor.py, _Frame).

class WhileContext:
    """What `tf.while_loop` records while its cond and body run (TF's WhileContext).

    Every tensor from outside the loop enters the frame once through an `Enter` with
    is_constant=True named after its first consumer (`while/mul/Enter`, a `RefEnter` for a
    variable's reference); an op without inputs is tied to the frame's pivot with a control
    edge (`while/Merge` while the cond is built, `while/Identity` while the body is), so it
    runs once per iteration. `outer` is the enclosing loop or cond context."""

    def __init__(self, name, frame_name, parallel_iterations, outer=None):
        self.name = name
        self.frame_name = frame_name
        self.parallel_iterations = parallel_iterations
        self.swap_memory = False
        self.outer = outer
        self.pivot = None
        self._values = set()
        self._external = {}
        self.ops = []

    def add_value(self, t, enter_name):
        if t in self._values:
            return t
        inner = self._external.get(t)
        if inner is not None:
            return inner
        if enter_name.endswith("/Switch"):      # asked by a cond nested in the body
            enter_name = enter_name[:-len("Switch")] + "Enter"
        if t.dtype.is_ref_dtype:
            enter_name = enter_name[:-len("Enter")] + "RefEnter"
        outer_t = self.outer.add_value(t, enter_name) if self.outer is not None else t
        g = t.graph
        saved = g._control_flow_context, g._name_stack
        g._control_flow_context, g._name_stack = None, ""
        try:
            with g.control_dependencies(None):
                inner = _enter(outer_t, self.frame_name, True, self.parallel_iterations,
                               name=g.unique_name(enter_name) + "/")
        finally:
            g._control_flow_context, g._name_stack = saved
        self.add_op(inner.op)
        self._external[t] = inner
        return inner

    def capture_inputs(self, inputs, op_name):
        return [self.add_value(t, op_name + "/Enter") for t in inputs]

    def pivot_control(self, inputs, control):
        if self.pivot is None:
            return control
        if inputs:
            # as TF: an op reading only loop invariants (constant Enters), with no control
            # inputs, waits on the pivot, so it runs once per iteration that runs the body
            # (and not in the final one whose condition is false)
            if control or not all(t.op._type in ("Enter", "RefEnter") and
                                  t.op._attrs.get("is_constant") for t in inputs):
                return control
        elif any(c._control_flow_context is not None and
                 _inside(c._control_flow_context, self) for c in control):
            return control
        return list(control) + [self.pivot.op]

    def add_op(self, op):
        op._control_flow_context = self
        self.ops.append(op)
        ctx = self
        while ctx is not None:
            ctx._values.update(op._outputs)
            ctx = ctx.outer


def _inside(ctx, target):
    while ctx is not None:
        if ctx is target:
            return True
        ctx = ctx.outer
    return False


@registry.api("Enter")
@registry.api("RefEnter")
def _enter(data, frame_name, is_constant, parallel_iterations, name="Enter", invariant=None):
    attrs = {"frame_name": frame_name, "is_constant": is_constant,
             "parallel_iterations": parallel_iterations}
    use_ref = data.dtype.is_ref_dtype
    out = apply_op("RefEnter" if use_ref else "Enter", [data], attrs,
                   name=name if not use_ref or name.endswith("/") else "RefEnter")[0]
    if invariant is not None:
        # TF gives a loop variable's Enter the invariant's shape; the Merge, Switch,
        # Identity and Exit after it take theirs from it
        out._shape = invariant
    return out


def _shape_text(s):
    from ..framework.tensor_shape import TensorShape
    if s.rank is None:
        return "<unknown>"
    dims = ["None" if d is None else str(d) for d in s.as_tuple()]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _less_specific_or_equal(general, specific):
    """True if every shape `specific` can have is allowed by `general` (TF's
    _ShapeLessThanOrEqual)."""
    if general.rank is None:
        return True
    if specific.rank != general.rank:
        return False
    return all(g is None or g == s for g, s in zip(general.as_tuple(), specific.as_tuple()))


@registry.api("Exit")
@registry.api("LoopCond")
@registry.api("NextIteration")
@registry.api("RefExit")
@registry.api("RefNextIteration")
def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """TF1's `tf.while_loop` (TF 2.21 with v2 behaviour off): the frame of Enter, Merge,
    LoopCond, Switch, Identity, NextIteration and Exit ops under `while/`.

    `cond` and `body` run once, at graph building; the graph repeats the body while the
    condition holds. `parallel_iterations` (recorded on the Enter ops) and `swap_memory`
    (recorded on the gradient's StackPushV2 ops: on a GPU the values a loop's gradient
    saves wait in host memory) steer how TF schedules iterations and where it keeps their
    memory, never the values; `back_prop=False` is accepted too
    (tfteach builds a loop's backward ops only when tf.gradients asks, see while_grad.py)."""
    from ..framework import nest
    from ..framework.tensor_shape import as_shape
    from . import math_ops, constant_op
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if isinstance(loop_vars, _ops.Tensor) or not nest.is_nested(loop_vars) and \
            not isinstance(loop_vars, (list, tuple, dict)):
        raise TypeError("Using a symbolic `tf.Tensor` as a Python `bool` is not allowed.")
    if not nest.flatten(loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    if _ops.executing_eagerly():
        return _eager_loop(cond, body, loop_vars, maximum_iterations, return_same_structure)
    from . import tensor_array_ops
    if tensor_array_ops.has_tensor_arrays(loop_vars):
        # a TensorArray loop variable travels as its flow (tensor_array_ops)
        return tensor_array_ops.while_loop_with_tensor_arrays(
            while_loop, cond, body, loop_vars, shape_invariants=shape_invariants,
            parallel_iterations=parallel_iterations, back_prop=back_prop,
            swap_memory=swap_memory, name=name, maximum_iterations=maximum_iterations,
            return_same_structure=return_same_structure)
    g = _ops.get_default_graph()
    with _ops.name_scope(name, "while", nest.flatten(loop_vars)) as scope:
        if maximum_iterations is not None:
            maximum_iterations = _ops.convert_to_tensor(maximum_iterations,
                                                        name="maximum_iterations")
            if maximum_iterations.shape.rank is not None and maximum_iterations.shape.rank:
                raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: "
                                 f"{_shape_text(maximum_iterations.shape)}")
            counter = constant_op.constant(0, dtype=maximum_iterations.dtype,
                                           name="iteration_counter")
            user_cond, user_body, max_it = cond, body, maximum_iterations
            # as TF: one loop variable is carried bare beside the counter
            single = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 and \
                not return_same_structure

            def cond(i, lv):
                return math_ops.logical_and(i < max_it,
                                            user_cond(lv) if single else user_cond(*lv))

            def body(i, lv):
                return i + 1, (user_body(lv) if single else user_body(*lv))
            loop_vars = (counter, loop_vars[0] if single else loop_vars)
            if shape_invariants is not None:
                shape_invariants = (as_shape([]), shape_invariants[0] if single else
                                    shape_invariants)
        packed = loop_vars if isinstance(loop_vars, (list, tuple)) and \
            not hasattr(loop_vars, "_fields") else loop_vars
        flat = [_ops.convert_to_tensor(v) for v in nest.flatten(loop_vars)]
        if shape_invariants is not None:
            invariants = [as_shape(s) for s in nest.flatten(shape_invariants)]
            nest.assert_same_structure(loop_vars, shape_invariants)
            for t, inv in zip(flat, invariants):
                if not _less_specific_or_equal(inv, t.shape):
                    raise ValueError(
                        f"The shape invariant specified for {t.name} is not compatible with "
                        f"the initial shape of the loop variable. It enters the loop with "
                        f"shape {_shape_text(t.shape)}, but the specified shape invariant is "
                        f"{_shape_text(inv)}.")
        else:
            invariants = [None] * len(flat)
        frame = scope + "while_context"
        ctx = WhileContext(scope, frame, parallel_iterations, g._control_flow_context)
        ctx.swap_memory = bool(swap_memory)     # the gradient's pushes (while_grad.py)
        # the loop variables enter before the context is active: they are its inputs
        with g.control_dependencies(None):
            enters = [_enter(t, frame, False, parallel_iterations, invariant=inv)
                      for t, inv in zip(flat, invariants)]
        for e in enters:
            ctx.add_op(e.op)
        with _InContext(g, ctx):
            # each Merge's second input is the NextIteration made after the body; the
            # Enter stands in until then
            merges = [merge([e, e])[0] for e in enters]
            ctx.pivot = merges[0]
            c = cond(*nest.pack_sequence_as(packed, merges)) if isinstance(
                packed, (list, tuple)) and not hasattr(packed, "_fields") else \
                cond(nest.pack_sequence_as(packed, merges))
            c = _ops.convert_to_tensor(c)
            pivot = apply_op("LoopCond", [c], name="LoopCond")[0]
            switches = [_switch_ref_or_tensor(m, pivot) for m in merges]
            ids = [apply_op("Identity", [s[1]], name="Identity")[0] for s in switches]
            ctx.pivot = ids[0]
            body_in = nest.pack_sequence_as(packed, ids)
            if isinstance(packed, (list, tuple)) and not hasattr(packed, "_fields"):
                result = body(*body_in)
            else:
                result = body(body_in)
            if not nest.is_nested(result) and isinstance(packed, (list, tuple)) and \
                    len(packed) == 1 and not nest.is_nested(packed[0]):
                result = [result]
            try:
                nest.assert_same_structure(list(body_in) if isinstance(body_in, tuple)
                                           else body_in, list(result)
                                           if isinstance(result, tuple) else result)
            except (ValueError, TypeError):
                raise ValueError("The two structures don't have the same nested "
                                 "structure.") from None
            flat_res = [_ops.convert_to_tensor(v) for v in nest.flatten(result)]
            for m, r, t in zip(merges, flat_res, flat):
                if r.dtype.base_dtype != m.dtype.base_dtype:
                    raise TypeError(
                        f"The body of tf.while_loop returns {r.dtype.base_dtype.name} for the "
                        f"loop variable that enters as {t.name} with dtype "
                        f"{m.dtype.base_dtype.name} (TF fails when the graph runs).")
            nexts = [apply_op("RefNextIteration" if r.dtype.is_ref_dtype else
                              "NextIteration", [r], name="NextIteration")[0]
                     for r in flat_res]
            for m, n, t, inv in zip(merges, nexts, flat, invariants):
                shape = inv if inv is not None else m.shape
                if not _less_specific_or_equal(shape, n.shape):
                    raise ValueError(
                        f"Input tensor '{t.name}' enters the loop with shape "
                        f"{_shape_text(m.shape)}, but has shape {_shape_text(n.shape)} after "
                        f"one iteration. To allow the shape to vary across iterations, use "
                        f"the `shape_invariants` argument of tf.while_loop to specify a "
                        f"less-specific shape.")
                _set_back_edge(m.op, n)
            exits = [apply_op("RefExit" if s[0].dtype.is_ref_dtype else "Exit", [s[0]],
                              name="Exit")[0] for s in switches]
        # the frame's skeleton, for the executor
        ctx.merges, ctx.loop_cond = [m.op for m in merges], pivot.op
        ctx.nexts, ctx.exits = nexts, [e.op for e in exits]
        # what the loop's gradient (while_grad.py) names its ops after and differentiates
        ctx.enter_ops, ctx.switch_ops = [e.op for e in enters], [s[0].op for s in switches]
        ctx.ids = ids
        out = nest.pack_sequence_as(result, exits)
        if maximum_iterations is not None:
            out = out[1]
        if return_same_structure:
            return out
        flat_out = nest.flatten(out)
        return flat_out[0] if len(flat_out) == 1 else out


def _eager_loop(cond, body, loop_vars, maximum_iterations, return_same_structure):
    """As TF's v1 while_loop when executing eagerly: a Python loop over the ops, which a
    GradientTape records one by one."""
    from ..framework import nest
    single = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 and \
        not return_same_structure
    # as TF: Python numbers become tensors before the first iteration
    state = nest.pack_sequence_as(loop_vars, [_ops.convert_to_tensor(v)
                                              for v in nest.flatten(loop_vars)])
    i = 0
    while maximum_iterations is None or i < int(maximum_iterations):
        if not bool(cond(*state)):
            break
        state = body(*state)
        if not isinstance(state, (list, tuple)):
            state = (state,)
        i += 1
    return state[0] if single else state


def _set_back_edge(merge_op, next_t):
    """Replaces a loop Merge's stand-in second input with its NextIteration."""
    old = merge_op._inputs[1]
    old._consumers.remove(merge_op)
    merge_op._inputs = (merge_op._inputs[0], next_t)
    next_t._consumers.append(merge_op)
