"""CPU kernels of Switch, RefSwitch and Merge. A dead value is the `DEAD` sentinel; the
executor skips every other op that receives it (see ops/control_flow_v1.py)."""
from ...framework.registry import register_kernel
from ...ops import control_flow_v1  # noqa: F401 - the op declarations come first


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
