"""tfteach: TensorFlow's programming model, small enough to read.

`import tfteach as tf` is TF 2.x (eager); `import tfteach.v1 as tf` is TF 1.x (graphs and
Sessions). Both run the same op registry, kernels and gradients.

This module is the TF2 namespace. The core names are imported here; everything else
(`tf.math`, `tf.nn`, `tf.keras`, most op constructors) resolves on first use, so that
`import tfteach` stays light and never imports numba. Only names TF 2.21 has are exposed:
TF1 names that TF2 removed (`tf.Session`, `tf.placeholder`, ...) are absent.
"""
__version__ = "0.1.0"

# ruff: noqa: E402, F401
from . import compat
from . import errors
from .framework.dtypes import (DType, as_dtype, bfloat16, complex64, complex128, double,
                               float16, float32, float64, half, int8, int16, int32, int64,
                               qint8, qint16, qint32, quint8, quint16, resource, string,
                               uint8, uint16, uint32, uint64, variant)
from .framework.dtypes import bool_ as bool  # noqa: A001 - TF's name
from .framework.tensor_shape import TensorShape
from .framework.ops import (Graph, Operation, Tensor, control_dependencies,
                            convert_to_tensor, device, executing_eagerly, inside_function,
                            register_tensor_conversion_function)
from .framework.registry import RegisterGradient, no_gradient
from .ops.constant_op import constant
from .ops import math_ops as _math_ops      # the operators on tensors
from .eager.tensor import EagerTensor as _EagerTensor
from .eager.context import init_scope
from .eager.context import name_scope_v2 as name_scope
# Variable, GradientTape, function, TensorSpec, Module, tf.math, ... load on first use.

newaxis = None


def _eager_variable(*args, **kwargs):
    # tf.compat.v1.get_variable, called eagerly, makes a tf.Variable; the eager variables load
    # on first use, so the face installs this hook rather than eager/ (tests/test_layering.py)
    from .eager.variables import ResourceVariable
    return ResourceVariable(*args, **kwargs)


from .framework import ops as _framework_ops
_framework_ops.EAGER_VARIABLE = _eager_variable
del _framework_ops


def load_ipython_extension(ip):
    """`%load_ext tfteach`: the Jupyter extension lives in tfteach.magics, imported only now."""
    from .magics import load_ipython_extension as _load
    _load(ip)


def unload_ipython_extension(ip):
    from .magics import unload_ipython_extension as _unload
    _unload(ip)


def get_current_name_scope():
    from .framework import ops as _ops
    return _ops.get_name_scope()


def is_tensor(x):
    return isinstance(x, Tensor) or getattr(x, "_is_resource_variable", False)


def get_static_value(tensor, partial=False):
    if isinstance(tensor, _EagerTensor):
        return tensor.numpy()
    from .framework import tensor_util
    return tensor_util.constant_value(tensor)


def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """TF2's `tf.gradients`: graph mode only (inside tf.function or a Graph)."""
    if executing_eagerly():
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    from .ops import gradients_impl
    return gradients_impl.gradients(ys, xs, grad_ys=grad_ys, name=name,
                                    gate_gradients=gate_gradients,
                                    aggregation_method=aggregation_method,
                                    stop_gradients=stop_gradients,
                                    unconnected_gradients=unconnected_gradients)


def _submodule(name):
    import importlib
    from .eager import _tf2_names as N
    from .eager import api
    full = f"{__name__}.{name}"
    if name == "image":
        from .ops import image_ops
        return image_ops.namespace()
    if name in ("math", "linalg", "random", "dtypes", "debugging", "bitwise", "strings",
                "signal", "sparse", "io", "experimental", "test", "saved_model",
                "nest", "autodiff", "ragged", "queue", "lookup"):
        allowed = getattr(N, name.upper(), frozenset())
        overrides = {"math": api.MATH_OVERRIDES, "linalg": api.LINALG_OVERRIDES,
                     "random": api.RANDOM_OVERRIDES, "dtypes": api.DTYPES_OVERRIDES,
                     "autodiff": {"GradientTape": "tfteach.eager.backprop:GradientTape"},
                     "io": {"write_graph": "tfteach.framework.graph_io:write_graph",
                            "gfile": "tfteach.ops.gfile:",
                            "parse_example": "tfteach.ops.parsing_ops:parse_example_v2",
                            "parse_single_example":
                                "tfteach.ops.parsing_ops:parse_single_example_v2"},
                     "saved_model": {"save": "tfteach.train.saved_model:save",
                                     "load": "tfteach.train.saved_model:load"},
                     "nest": {n: f"tfteach.framework.nest:{n}" for n in N.NEST},
                     "debugging": {n: f"tfteach.config:{n}" for n in (
                         "set_log_device_placement", "get_log_device_placement")},
                     }.get(name, {})
        modules = api.SUBMODULE_FIRST.get(name) or api.OP_MODULES
        if name == "queue":
            modules = ("tfteach.ops.data_flow_ops",)
        if name == "lookup":
            modules = ("tfteach.ops.lookup_ops",)
        if name == "dtypes":
            modules = ("tfteach.framework.dtypes",) + modules
        return api.namespace(full, allowed, overrides, modules)
    if name == "config":
        return importlib.import_module("tfteach.config")
    if name == "raw_ops":
        from .compat import raw_ops
        return raw_ops.namespace()
    if name == "version":
        return importlib.import_module("tfteach.compat.version")
    if name == "errors":
        return errors
    if name == "compat":
        return compat
    if name in ("nn", "keras", "distribute"):
        return importlib.import_module(f"tfteach.{name}")
    if name == "train":
        return api.FilteredModule(full, "tfteach.train", N.TRAIN)
    if name == "data":
        return api.FilteredModule(full, "tfteach.data", N.DATA)
    if name == "autograph":
        return api.FilteredModule(full, "tfteach.eager.autograph", N.AUTOGRAPH)
    if name == "summary":
        return api.FilteredModule(full, "tfteach.summary.v2", N.SUMMARY)
    if name in ("losses", "optimizers", "metrics", "initializers"):
        return api.FilteredModule(full, f"tfteach.keras.{name}", getattr(N, name.upper()))
    raise AttributeError(f"module 'tfteach' has no attribute '{name}' (TF 2.21 has "
                         f"`tf.{name}`; tfteach does not implement it yet)")


_OVERRIDES = {
    "cond": "tfteach.eager.control_flow:cond",
    "while_loop": "tfteach.eager.control_flow:while_loop",
    "case": "tfteach.eager.control_flow:case",
    "switch_case": "tfteach.eager.control_flow:switch_case",
    # one logger for both namespaces (see compat/v1_logging.py)
    "get_logger": "tfteach.compat.v1_logging:get_logger",
    "print": "tfteach.eager.printing:tf_print",
    "Variable": "tfteach.eager.variables:ResourceVariable",
    "GradientTape": "tfteach.eager.backprop:GradientTape",
    "function": "tfteach.eager.function:function",
    "TensorSpec": "tfteach.eager.function:TensorSpec",
    "Module": "tfteach.module:Module",
    "custom_gradient": "tfteach.eager.backprop:custom_gradient",
    "VariableSynchronization": "tfteach.eager.variables:VariableSynchronization",
    "VariableAggregation": "tfteach.eager.variables:VariableAggregation",
    "is_symbolic_tensor": "tfteach.framework.ops:is_symbolic_tensor",
    "zeros_like": "tfteach.ops.array_ops:zeros_like_v2",
    "ones_like": "tfteach.ops.array_ops:ones_like_v2",
    "make_tensor_proto": "tfteach.framework.graph_io:make_tensor_proto",
    "make_ndarray": "tfteach.framework.graph_io:make_ndarray",
    "hessians": "tfteach.ops.gradients_impl:hessians_v2",
    "grad_pass_through": "tfteach.eager.backprop:grad_pass_through",
    "AggregationMethod": "tfteach.ops.gradients_impl:AggregationMethod",
    "UnconnectedGradients": "tfteach.ops.gradients_impl:UnconnectedGradients",
    "IndexedSlices": "tfteach.framework.indexed_slices:IndexedSlices",
    "IndexedSlicesSpec": "tfteach.framework.indexed_slices:IndexedSlicesSpec",
    "import_graph_def": "tfteach.framework.graph_io:import_graph_def",
}


def __getattr__(name):
    from .eager import _tf2_names as N
    if name in N.TOP_MODULES:
        mod = _submodule(name)
        globals()[name] = mod
        return mod
    from .eager import api
    value = api._lookup(__name__, name, N.TOP, _OVERRIDES, api.OP_MODULES)
    globals()[name] = value
    return value


def __dir__():
    from .eager import _tf2_names as N
    return sorted(set(globals()) | N.TOP | N.TOP_MODULES)


class _TF2Namespace(type(compat)):
    """`tf.train` and `tf.summary` are TF2 views of the packages `tfteach.train` and
    `tfteach.summary` (which also hold the TF1 API): importing those packages must not
    replace the views, so these two names are properties."""

    def _view(self, name):
        cache = self.__dict__.setdefault("_views", {})
        if name not in cache:
            cache[name] = _submodule(name)
        return cache[name]

    train = property(lambda self: self._view("train"), lambda self, value: None)
    summary = property(lambda self: self._view("summary"), lambda self, value: None)


import sys as _sys

_sys.modules[__name__].__class__ = _TF2Namespace
del _sys
