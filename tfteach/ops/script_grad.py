"""Gradients of the script family (ops/script_ops.py): an EagerPyFunc's gradient is another
EagerPyFunc that replays the GradientTape its forward run recorded."""
from ..framework import ops as _ops
from ..framework import registry
from . import script_ops as _s


@registry.RegisterGradient("EagerPyFunc")
def _eager_py_func_grad(op, *grads):
    token = op.get_attr("token")
    from ..kernels.cpu import script as _k       # the token table
    _k.RECORD.add(token)
    wrt = [i for i, t in enumerate(op.inputs) if t.dtype.base_dtype.is_floating]
    if not wrt:
        return [None] * len(op.inputs)

    def grad_func(*dys):
        import numpy as np
        EagerTensor = _ops.EAGER_TENSOR
        entry = _k.TAPES.pop(token, None)
        if entry is None:
            raise RuntimeError(f"The gradient of {op.name} ({token}) runs without a run of "
                               f"the op that recorded it: fetch both in one run.")
        tape, xs, ys = entry
        out = tape.gradient(ys, [xs[i] for i in wrt], output_gradients=list(dys))
        return [EagerTensor(np.zeros(xs[i].shape, xs[i].dtype.as_numpy_dtype), xs[i].dtype)
                if g is None else g for i, g in zip(wrt, out)]

    from . import array_ops
    dys = [array_ops.zeros_like(y) if g is None else g for y, g in zip(op.outputs, grads)]
    # after the forward op, whose run records the tape, even where nothing else needs it
    with _ops.control_dependencies(op.outputs or [op]):
        got = _s.py_function(grad_func, dys, [op.inputs[i].dtype.base_dtype for i in wrt])
    got = iter(got if isinstance(got, list) else [got])
    return [next(got) if i in wrt else None for i in range(len(op.inputs))]
