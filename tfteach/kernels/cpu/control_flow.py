"""CPU kernels of the control-flow ops (Switch, Merge, the while frame's ops, the stack
that while-loop gradients keep). A dead value is the `DEAD` sentinel; the executor skips every
other op that receives it (see ops/control_flow_v1.py)."""
from ...framework.registry import register_kernel


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


# The frame ops pass values through; the executor's loop (runtime/executor.py, _Frame)
# decides when each runs.
def _forward(data):
    return data


for _t in ("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration",
           "LoopCond"):
    register_kernel(_t)(_forward)


# --- stacks (a while loop's gradient saves forward values on them, ops/while_grad.py) ------

class _Stack:
    """A StackV2 resource: made by each run of its StackV2 op, so one Session.run's pushes
    (in the forward loop) and pops (in the backward loop) share it and nothing outlives the
    run."""
    __slots__ = ("items", "name", "max_size", "closed")

    def __init__(self, name, max_size):
        self.items, self.name, self.max_size, self.closed = [], name, max_size, False

    def __repr__(self):
        return f"<stack {self.name!r}: {len(self.items)} values>"


@register_kernel("StackV2")
def stack_v2(max_size, *, op):
    return _Stack(op.name, int(max_size))


def _check_open(stack, what):
    from ... import errors
    if not isinstance(stack, _Stack) or stack.closed:
        raise errors.InvalidArgumentError(None, None, f"{what}: the stack is closed or not a "
                                                      f"stack handle")


@register_kernel("StackPushV2")
def stack_push_v2(handle, elem, *, swap_memory=False):
    from ... import errors
    _check_open(handle, "StackPushV2")
    if 0 <= handle.max_size <= len(handle.items):
        raise errors.InvalidArgumentError(
            None, None, f"Stack[{handle.name}] overflowed its max_size ({handle.max_size})")
    handle.items.append(elem)
    return elem


@register_kernel("StackPopV2")
def stack_pop_v2(handle):
    from ... import errors
    _check_open(handle, "StackPopV2")
    if not handle.items:
        raise errors.InvalidArgumentError(
            None, None, f"Stack[{handle.name}] is empty.")
    elem = handle.items.pop()
    # pushed by a GPU kernel (a loop placed on the GPU, its gradient soft-placed here)
    if hasattr(elem, "copy_to_host"):
        from ..gpu_memory import to_host
        return to_host(elem)
    return elem


@register_kernel("StackCloseV2")
def stack_close_v2(handle):
    if isinstance(handle, _Stack):
        handle.items.clear()
        handle.closed = True
    return ()


@register_kernel("ControlTrigger")
def control_trigger():
    return ()
