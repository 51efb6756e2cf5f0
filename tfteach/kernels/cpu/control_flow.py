"""CPU kernels of the control-flow ops (Switch, Merge, the while frame's ops) and of the
checks Assert and Print. A dead value is the `DEAD` sentinel; the executor skips every
other op that receives it (see ops/control_flow_v1.py)."""
from ...framework.registry import register_kernel
from ...ops import assert_ops, control_flow_v1  # noqa: F401 - the op declarations come first


class _Dead:
    """The value of a dead tensor: produced by the untaken side of a Switch."""
    __slots__ = ()

    def __repr__(self):
        return "<dead>"


DEAD = _Dead()


@register_kernel("Switch")
def switch(data, pred):
    return (DEAD, data) if bool(pred) else (data, DEAD)


@register_kernel("RefSwitch")
def ref_switch(data, pred):
    return (DEAD, data) if bool(pred) else (data, DEAD)


@register_kernel("Merge")
def merge(*inputs):
    for i, x in enumerate(inputs):
        if x is not DEAD:
            return x, i
    return DEAD, DEAD


@register_kernel("RefMerge")
def ref_merge(*inputs):
    return merge(*inputs)


@register_kernel("Assert")
def assert_(cond, *data, summarize):
    import numpy as np
    if bool(np.all(cond)):
        return ()
    raise assert_ops.assertion_failed(data, summarize)


_print_counts = {}      # runs of each Print op so far, for first_n


@register_kernel("Print")
def print_(x, *data, message, first_n, summarize, op):
    import sys
    count = _print_counts.get(op, 0)
    if first_n < 0 or count < first_n:
        _print_counts[op] = count + 1
        sys.stderr.write(assert_ops.print_line(message, data, summarize))
    return x


# The frame ops pass values through; the executor's loop (runtime/executor.py, _Frame)
# decides when each runs.
def _forward(data):
    return data


for _t in ("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration",
           "LoopCond"):
    register_kernel(_t)(_forward)
