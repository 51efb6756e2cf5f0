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


def _summarize(value, n):
    """A value as TF's SummarizeValue writes it (first `n` elements, '...' if cut)."""
    import numpy as np
    a = np.asarray(value)
    if a.dtype.kind == "S":
        a = np.vectorize(lambda b: b.decode("utf-8", "backslashreplace"), otypes=[object])(a)

    def one(v):
        if isinstance(v, bytes):
            return v.decode("utf-8", "backslashreplace")
        if isinstance(v, (bool, np.bool_)):
            return "1" if v else "0"
        if isinstance(v, (float, np.floating)):
            return "%g" % v
        return str(v)
    if a.ndim == 0:
        return one(a[()])
    flat = a.reshape(-1)
    k = flat.size if n < 0 else min(n, flat.size)
    return " ".join(one(v) for v in flat[:k]) + ("..." if k < flat.size else "")


@register_kernel("Assert")
def assert_(cond, *data, summarize):
    import numpy as np
    from ... import errors
    if bool(np.all(cond)):
        return ()
    raise errors.InvalidArgumentError(
        None, None, "assertion failed: " + " ".join(f"[{_summarize(d, summarize)}]"
                                                    for d in data))


# The frame ops pass values through; the executor's loop (runtime/executor.py, _Frame)
# decides when each runs.
def _forward(data):
    return data


for _t in ("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration",
           "LoopCond"):
    register_kernel(_t)(_forward)
