"""tf.cond and tf.while_loop for TF 2 code.

Eagerly (and for a predicate whose value is known when a function is traced) the predicate
has a value, so exactly one branch runs, as in TF.

A `tf.cond` traced inside a `tf.function` on a predicate known only at run time is where TF
2.21 records an `If`/`StatelessIf` op whose branches are functions, which its graph
optimiser then lowers, before running, into Switch/Merge dataflow. tfteach builds that
lowered form directly (control_flow_v1.cond: `cond/Switch`, `cond/pred_id`, branch ops
under `cond/`, `cond/Merge`), so the traced graph shows TF1's ops rather than an `If` op;
values and gradients (GradientTape through the traced function differentiates the
Switch/Merge ops with TF's rules) are TF's. A `tf.while_loop` in a traced function (TF's
`While` op, lowered the same way), whatever its condition, is built as TF1's loop frame
(control_flow_v1.while_loop: `while/Enter`, `while/Merge`, `while/LoopCond`, ...,
`while/Exit`); its values and tape gradients (ops/while_grad.py) are TF's.
"""
from ..framework import ops as _ops
from ..framework import tensor_util

__all__ = ["cond", "while_loop", "case", "switch_case"]


def _static_value(pred):
    if isinstance(pred, (bool, int)) and not isinstance(pred, _ops.Tensor):
        return bool(pred)
    if getattr(pred, "_is_eager", False):
        return bool(pred.numpy())
    if _ops.is_symbolic(pred):
        v = tensor_util.constant_value(pred)
        return None if v is None else bool(v)
    return bool(pred)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Runs `true_fn()` if `pred` else `false_fn()`."""
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    value = _static_value(pred)
    if value is None:
        from ..ops import control_flow_v1
        # TF2's cond keeps a one-element list as a list (it calls the v1 cond strictly)
        return control_flow_v1.cond(pred, true_fn, false_fn, strict=True, name=name)
    return true_fn() if value else false_fn()


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`."""
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    single = not isinstance(loop_vars, (list, tuple))
    state = [loop_vars] if single else list(loop_vars)
    i = 0
    if not _ops.executing_eagerly():
        # as TF 2.21: in a traced function the loop is a graph loop even when its
        # condition could be worked out while tracing (an unrolled Python loop would stop
        # working the moment the condition depends on a value the body computes)
        return _graph_loop(cond, body, loop_vars, shape_invariants, parallel_iterations,
                           maximum_iterations, name, single)
    while maximum_iterations is None or i < int(maximum_iterations):
        value = _static_value(cond(*state))
        if value is None:
            if i == 0:
                # the probe's ops are left unused in the graph (the plan prunes them)
                return _graph_loop(cond, body, loop_vars, shape_invariants,
                                   parallel_iterations, maximum_iterations, name, single)
            raise NotImplementedError(
                "tf.while_loop whose condition becomes known only when the graph runs "
                "after some iterations is not implemented in tfteach.")
        if not value:
            break
        out = body(*state)
        state = [out] if single else (list(out) if isinstance(out, (list, tuple)) else [out])
        i += 1
    if single:
        return state[0]
    return type(loop_vars)(state) if isinstance(loop_vars, tuple) and \
        not hasattr(loop_vars, "_fields") else state


def _graph_loop(cond, body, loop_vars, shape_invariants, parallel_iterations,
                maximum_iterations, name, single):
    """A loop on a run-time condition in a traced function: where TF 2.21 records a `While`
    op that its optimiser lowers to TF1's frame before running, tfteach builds that frame
    (control_flow_v1.while_loop) directly. TF2's loop returns loop_vars' structure."""
    from ..ops import control_flow_v1
    out = control_flow_v1.while_loop(cond, body, [loop_vars] if single else loop_vars,
                                     shape_invariants=None if shape_invariants is None else
                                     ([shape_invariants] if single else shape_invariants),
                                     parallel_iterations=parallel_iterations,
                                     name=name, maximum_iterations=maximum_iterations,
                                     return_same_structure=True)
    if single:
        return out[0]
    return type(loop_vars)(out) if isinstance(loop_vars, tuple) and \
        not hasattr(loop_vars, "_fields") else list(out)


def _known(t):
    """The value of a tensor known now (eager, or constant-folded while tracing), else None."""
    if getattr(t, "_is_eager", False):
        return t.numpy()
    return tensor_util.constant_value(t) if _ops.is_symbolic(t) else None


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The fn of the first true predicate. With every predicate known (eagerly) the chosen fn
    alone runs; a run-time predicate in a traced function builds TF1's nested conds
    (control_flow_v1.case: the lowered form of TF's nested `If` ops)."""
    from ..ops import control_flow_v1
    pairs = list(pred_fn_pairs) if isinstance(pred_fn_pairs, (list, tuple)) else None
    if pairs is None or not pairs or not all(
            isinstance(e, tuple) and len(e) == 2 and isinstance(e[0], _ops.Tensor)
            and callable(e[1]) for e in pairs):
        # bad input: TF1's case raises TF's errors for it
        return control_flow_v1.case(pred_fn_pairs, default, exclusive, strict, name)
    values = [_known(p) for p, _ in pairs]
    if any(v is None for v in values):
        return control_flow_v1.case(pairs, default, exclusive, strict, name)
    for v, (_, fn) in zip(values, pairs):
        if bool(v):
            return fn()
    if default is not None:
        return default()
    # as TF: without a default the last fn is guarded by an Assert that some predicate held
    import numpy as np
    from ..ops import assert_ops
    from ..ops.constant_op import constant
    assert_ops.Assert(constant(False), ["Input error: None of conditions evaluated as True:",
                                        constant(np.array([bool(v) for v in values]))])
    return pairs[-1][1]()


def _branch_list(branch_fns):
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    else:
        items = list(enumerate(branch_fns)) if all(callable(f) for f in branch_fns) else \
            list(branch_fns)
    if not items:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    for entry in items:
        if not isinstance(entry, tuple) or len(entry) != 2:
            raise TypeError(f"Each entry in 'branch_fns' must be a 2-tuple. Received {entry}.")
        key, fn = entry
        if not isinstance(key, int):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        if not callable(fn):
            raise TypeError(f"fn for key {key} must be callable.")
    keys = [k for k, _ in items]
    if keys != list(range(len(items))):
        found = ",".join(str(k) for k in sorted(set(keys)))
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(items)}) but found {{{found}}}")
    return [fn for _, fn in items]


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """`branch_fns[branch_index]()`, or `default()` (the last branch when none is given) for
    an index out of range. A run-time index in a traced function is lowered to nested
    Switch/Merge conds on `index == i` (TF records one `Case` op, which its runtime runs
    directly)."""
    if not isinstance(branch_index, _ops.Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if not branch_index.dtype.is_integer:
        raise TypeError(f"'branch_index' must be an integer Tensor, got "
                        f"<dtype: '{branch_index.dtype.name}'>")
    fns = _branch_list(branch_fns)
    if default is None:
        default = fns[-1]
    value = _known(branch_index)
    if value is not None:
        i = int(value)
        return fns[i]() if 0 <= i < len(fns) else default()
    from ..ops import control_flow_v1, math_ops
    with _ops.name_scope(name, "switch_case", [branch_index]):
        def chain(i):
            if i == len(fns):
                return default
            return lambda: control_flow_v1.cond(math_ops.equal(branch_index, i), fns[i],
                                                chain(i + 1), strict=True)
        return chain(0)()
