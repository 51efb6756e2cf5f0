"""Kernels of EagerPyFunc, PyFunc and PyFuncStateless: call the Python function registered
under the op's token (ops/script_ops.py puts it in FUNCS) and check what it returns against
`Tout`. EagerPyFunc runs the function eagerly through the eager layer's hook
(`registry.EAGER_PY_CALL`, installed by eager/execute.py: kernels import nothing above them).
"""
import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework import registry
from ...framework.registry import register_kernel

FUNCS = {}          # token -> the Python function (ops/script_ops.py registers it)
# token -> (tape, eager inputs, eager outputs) of the latest run of an EagerPyFunc whose
# gradient is in some graph (RECORD holds those tokens); the gradient op pops the entry
RECORD = set()
TAPES = {}


def lookup(token):
    return FUNCS[token]


def _as_list(ret, n):
    if n == 1 and not isinstance(ret, (list, tuple)):
        return [ret]
    if ret is None:
        return []
    return list(ret) if isinstance(ret, (list, tuple)) else [ret]


def result_list(token, ret, n):
    vals = _as_list(ret, n)
    if len(vals) != n:
        raise errors.InvalidArgumentError(
            None, None, f"{token} returns {len(vals)} values, but expects to see "
                        f"{n} values.")
    return vals


def convert_results(func, token, ret, touts, eager):
    vals = result_list(token, ret, len(touts))
    out = []
    for i, (v, dt) in enumerate(zip(vals, touts)):
        if eager:
            out.append(to_dtype(v, dt))
        else:
            a = np.asarray(v)
            got = _dt.as_dtype(a.dtype) if a.dtype.kind not in "OSU" else _dt.string
            if got != dt:
                raise errors.InvalidArgumentError(
                    None, None, f"{i}-th value returned by {token} is "
                                f"{_np_name(a.dtype)}, but expects {dt.name}")
            out.append(a)
    return out


def to_dtype(v, dt):
    """py_function's results are converted as convert_to_tensor(v, dtype=Tout) converts:
    Python and NumPy values are cast, a tensor of another dtype is an error."""
    if hasattr(v, "numpy") and isinstance(getattr(v, "dtype", None), _dt.DType):
        if v.dtype.base_dtype != dt:
            raise errors.InvalidArgumentError(
                None, None, f"ValueError: Tensor conversion requested dtype {dt.name} for "
                            f"Tensor with dtype {v.dtype.name}: {v!r}")
        return np.asarray(v.numpy())
    return np.asarray(v, dtype=dt.as_numpy_dtype)


def _np_name(d):
    return {"float32": "float", "float64": "double"}.get(d.name, d.name)


@register_kernel("EagerPyFunc")
def eager_py_func(*inputs, token, Tout, Tin=None):
    func = lookup(token)
    # a graph holds this op's gradient: record the call for it (ops/script_grad.py)
    record = token in RECORD
    ret, taped = registry.EAGER_PY_CALL(func, inputs, record)
    if record:
        tape, args = taped
        ys = [v for v in result_list(token, ret, len(Tout))]
        TAPES[token] = (tape, args, ys)
    return _kernel_out(convert_results(func, token, ret, list(Tout), eager=True))


def _numpy_kernel(*inputs, token, Tout, Tin=None):
    func = lookup(token)
    return _kernel_out(convert_results(func, token, func(*[np.asarray(x) for x in inputs]),
                                       list(Tout), eager=False))


def _kernel_out(values):
    # a kernel of one output returns the array itself, of several a tuple
    return values[0] if len(values) == 1 else tuple(values)


register_kernel("PyFunc")(_numpy_kernel)
register_kernel("PyFuncStateless")(_numpy_kernel)
