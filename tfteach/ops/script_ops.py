"""`tf.py_function`, `tf.numpy_function` and TF1's `tf.py_func`: Python inside a graph.

As in TF, the Python function is kept in a table under a token ("pyfunc_N") that the op
carries as its `token` attr; the kernel (kernels/cpu/script.py) looks it up and calls it
when the op runs. `EagerPyFunc` (py_function) passes EagerTensors and converts the results to
the declared `Tout`; `PyFunc`/`PyFuncStateless` (numpy_function, py_func) pass NumPy arrays
and check the results' dtypes. Eagerly py_function calls the function directly, so an outer
GradientTape sees its ops. In a graph, EagerPyFunc is differentiated as TF does it: once a
gradient has been asked for, each run of the op records its call on a GradientTape
(`TAPES[token]`), and the gradient op, itself an EagerPyFunc, takes that tape's gradient with
the incoming output gradients. PyFunc and PyFuncStateless (NumPy in, NumPy out) have none.
"""
import itertools

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape

_counter = itertools.count()


def _outputs(attrs):
    return [("output", dt) for dt in attrs["Tout"]]


for _type, _stateful in (("EagerPyFunc", True), ("PyFunc", True), ("PyFuncStateless", False)):
    registry.register_op(_type, inputs=(("*input", "list:Tin"),), outputs=_outputs,
                         shape=lambda op: [TensorShape(None) for _ in op.get_attr("Tout")],
                         stateful=_stateful, doc="Calls a Python function by its token.")
registry.NotDifferentiable("PyFunc")
registry.NotDifferentiable("PyFuncStateless")



def _register(func):
    # the kernels find the function by token in their table (kernels/cpu/script.py)
    from ..kernels.cpu import script
    token = f"pyfunc_{next(_counter)}"
    script.FUNCS[token] = func
    return token


def _call(op_type, func, inp, Tout, name, eager_direct):
    single = not isinstance(Tout, (list, tuple))
    touts = [_dt.as_dtype(t) for t in ([Tout] if single else Tout)]
    inp = list(inp) if isinstance(inp, (list, tuple)) else [inp]
    if _ops.executing_eagerly() and not any(_ops.is_symbolic(x) for x in inp):
        if eager_direct:
            EagerTensor = _ops.EAGER_TENSOR
            from ..kernels.cpu import script
            token = _register(func)
            vals = script.result_list(token, func(*[_ops.convert_to_tensor(x) for x in inp]),
                                      len(touts))
            # tensors of the right dtype are kept, so an outer GradientTape sees func's ops
            out = [v if getattr(v, "_is_eager", False) and v.dtype.base_dtype == dt
                   else EagerTensor(script.to_dtype(v, dt), dt) for v, dt in zip(vals, touts)]
            return out[0] if single else out
    token = _register(func)
    xs = [_ops.convert_to_tensor(x) for x in inp]
    out = apply_op(op_type, [xs], {"token": token, "Tout": touts}, name=name or op_type)
    out = list(out)
    if not touts:
        return [] if not single else None
    return out[0] if single else out


@registry.api("EagerPyFunc")
def py_function(func=None, inp=None, Tout=None, name=None):
    """Runs `func` on EagerTensors; its results are converted to `Tout`."""
    return _call("EagerPyFunc", func, inp, Tout, name, eager_direct=True)


@registry.api("PyFunc")
@registry.api("PyFuncStateless")
def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):
    """Runs `func` on NumPy arrays; it must return arrays of the `Tout` dtypes."""
    return _call("PyFunc" if stateful else "PyFuncStateless", func, inp, Tout, name,
                 eager_direct=False)


def py_func(func, inp, Tout, stateful=True, name=None):
    """TF1's `tf.py_func`: numpy_function's op."""
    return numpy_function(func, inp, Tout, stateful=stateful, name=name)
