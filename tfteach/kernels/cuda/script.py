"""GPU kernel of EagerPyFunc (tf.py_function): TF 2.21 runs it on a GPU device with its
inputs and outputs in device memory. The Python function itself runs eagerly on host
values (the eager layer's hook builds its EagerTensors from host arrays); its results are
copied to the device, so the graph's GPU ops downstream read them there.

TF's GPU kernel takes no int32, string, resource or variant inputs or outputs (its type
constraints on Tin / Tout): a py_function with one of those stays on the CPU (soft
placement) or is TF's placement error, as in TF. PyFunc and PyFuncStateless (numpy
functions) have no GPU kernel in TF."""
from . import _dev

_NOT_ON_GPU = ("int32", "string", "resource", "variant")


def _types_ok(op):
    types = list(op.get_attr("Tin") or ()) + list(op.get_attr("Tout") or ())
    return all(t.base_dtype.name not in _NOT_ON_GPU for t in types)


_dev.register_via_cpu("EagerPyFunc", check=_types_ok)
