"""tf.cond and tf.while_loop for TF 2 code.

Eagerly (and for a predicate whose value is known when a function is traced) the predicate
has a value, so exactly one branch runs, as in TF.

A `tf.cond` traced inside a `tf.function` on a predicate known only at run time is where TF
2.21 records an `If`/`StatelessIf` op whose branches are functions, which its graph
optimiser then lowers, before running, into Switch/Merge dataflow. tfteach builds that
lowered form directly (control_flow_v1.cond: `cond/Switch`, `cond/pred_id`, branch ops
under `cond/`, `cond/Merge`), so the traced graph shows TF1's ops rather than an `If` op;
values and gradients (GradientTape through the traced function differentiates the
Switch/Merge ops with TF's rules) are TF's. A `tf.while_loop` on such a condition (TF's
`While` op, lowered the same way) is built as TF1's loop frame (control_flow_v1.while_loop:
`while/Enter`, `while/Merge`, `while/LoopCond`, ..., `while/Exit`); its values are TF's, and
a gradient through it raises NotImplementedError (TF differentiates it).
"""
from ..framework import ops as _ops
from ..framework import tensor_util

__all__ = ["cond", "while_loop"]


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
    if _ops.executing_eagerly() is False and maximum_iterations is not None and \
            _static_value(maximum_iterations) is None:
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
