"""GPU kernels of the control-flow ops: Switch, Merge, a while loop's frame ops, the stacks
that a while loop's gradient keeps, ControlTrigger.

None of them computes anything: they forward a value, so on the GPU the value stays where
it is (device memory) and only what TF's registrations keep in host memory is read on the
host: Switch's `pred`, Merge's `value_index`, LoopCond's input and output, and the stacks'
handles and `max_size`. The executor (runtime/executor.py) decides which of them runs, and
moves a value between host and device only where a consumer's placement differs, so a
loop's data is never copied out of the GPU between iterations; the one value that crosses
each iteration is the loop's predicate, which the executor must read on the host to decide
whether to run the body again.

A value a kernel forwards may be the dead marker, a resource handle (a TensorArray's or a
stack's state) or a string array: those are host objects and are forwarded untouched, as
TF forwards them in host memory.
"""
import numpy as np

from ... import errors
from .. import gpu_memory
from ..cpu.control_flow import DEAD, _check_open, _Stack
from . import _dev
from ._dev import register


# --- cond: Switch and Merge --------------------------------------------------------------------
@register("Switch", host_memory=("pred",))
def switch(data, pred):
    return (DEAD, data) if bool(pred) else (data, DEAD)


@register("RefSwitch", host_memory=("pred",))
def ref_switch(data, pred):
    return (DEAD, data) if bool(pred) else (data, DEAD)


@register("Merge", host_memory=("value_index",))
def merge(*inputs):
    for i, x in enumerate(inputs):
        if x is not DEAD:
            return x, np.int32(i)
    return DEAD, DEAD


@register("RefMerge", host_memory=("value_index",))
def ref_merge(*inputs):
    return merge(*inputs)


# --- while frames: the executor's frame interpreter runs them ---------------------------------
for _t in ("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration"):
    def _kernel(data):
        return data
    _kernel.__name__ = _t
    register(_t)(_kernel)


@register("LoopCond", host_memory=("input", "output"))
def loop_cond(input):  # noqa: A002 - TF's argument name
    return input


@register("ControlTrigger")
def control_trigger():
    return ()


# --- stacks: a while loop's gradient pushes forward values and pops them backwards ------------
@register("StackV2", host_memory=("max_size", "handle"))
def stack_v2(max_size, *, op):
    return _Stack(op.name, int(np.asarray(_dev.to_host(max_size))))


@register("StackPushV2", host_memory=("handle",))
def stack_push_v2(handle, elem, *, swap_memory=False):
    _check_open(handle, "StackPushV2")
    if 0 <= handle.max_size <= len(handle.items):
        raise errors.InvalidArgumentError(
            None, None, f"Stack[{handle.name}] overflowed its max_size ({handle.max_size})")
    # swap_memory: the saved value waits in host memory until the backward loop pops it,
    # which frees device memory in long loops (one copy each way, as in TF)
    handle.items.append(gpu_memory.to_host(elem) if swap_memory else elem)
    return elem


@register("StackPopV2", host_memory=("handle",))
def stack_pop_v2(handle, *, elem_type):
    _check_open(handle, "StackPopV2")
    if not handle.items:
        raise errors.InvalidArgumentError(None, None, f"Stack[{handle.name}] is empty.")
    elem = handle.items.pop()
    # pushed on the host (swap_memory, or by a CPU push under soft placement)
    if _dev.is_device(elem):
        return elem
    return gpu_memory.to_device(np.asarray(elem, elem_type.np_dtype))


@register("StackCloseV2", host_memory=("handle",))
def stack_close_v2(handle):
    if isinstance(handle, _Stack):
        handle.items.clear()
        handle.closed = True
    return ()
