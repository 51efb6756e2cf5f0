"""The TF 1.x namespace (`tf.compat.v1`). Thin: everything is re-exported from the layers."""
# ruff: noqa: F401
from ..framework import behavior as _behavior
from ..framework.dtypes import (DType, as_dtype, bfloat16, complex64, complex128, double,
                                float16, float32, float64, half, int8, int16, int32, int64,
                                qint8, qint16, qint32, quint8, quint16, resource, string,
                                uint8, uint16, uint32, uint64, variant)
from ..framework.dtypes import bool_ as bool  # noqa: A001 - TF's name
from ..framework.tensor_shape import Dimension, TensorShape
from ..framework.ops import (Graph, GraphKeys, Operation, Tensor, control_dependencies,
                             convert_to_tensor, executing_eagerly,
                             get_default_graph, get_name_scope, name_scope,
                             reset_default_graph)
from ..framework.ops import device_v1 as device
from ..framework.registry import NotDifferentiable, RegisterGradient, no_gradient
from ..client.session import InteractiveSession, Session, get_default_session
from ..client.config import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions,
                             RunMetadata, RunOptions)
from .. import errors
from ..ops.constant_op import constant
from ..ops.array_ops import (identity, no_op, placeholder, placeholder_with_default, rank,
                             shape, size, stop_gradient)
from ..ops.control_flow_ops import group, tuple, with_dependencies
from ..ops.control_flow_v1 import case, cond, while_loop
from ..ops.math_ops import (abs, add, add_n, cast, div, divide, equal, exp, floordiv,
                            floormod, greater, greater_equal, less, less_equal, log,
                            logical_and, logical_not, logical_or, logical_xor, maximum,
                            minimum, mod, multiply, negative, not_equal, pow, realdiv,
                            reciprocal, scalar_mul, sigmoid, sqrt, square,
                            squared_difference, subtract, to_float, truediv, truncatediv,
                            truncatemod, div_no_nan, is_nan, is_inf, is_finite)
from ..ops.math_ops import tanh, sign, floor, ceil, round, rsqrt, sin, cos, log1p, expm1
from ..ops.math_ops import (argmax, argmin, arg_max, arg_min, count_nonzero, lin_space,
                            linspace, range, reduce_all, reduce_any, reduce_max, reduce_mean,
                            reduce_min, reduce_prod, reduce_sum)
from ..ops.linalg_ops import (eye, matmul, matrix_determinant, matrix_inverse,
                              matrix_transpose, tensordot)
from ..ops.array_ops import (boolean_mask, broadcast_to, concat, expand_dims, fill, gather,
                             one_hot, ones, ones_like, pad, reshape, reverse, reverse_v2,
                             slice, split, squeeze, stack, strided_slice, tile, transpose,
                             unstack, where, where_v2, zeros, zeros_like)
from ..ops.random_ops import (multinomial, random_normal, random_shuffle, random_uniform,
                              set_random_seed, truncated_normal)
from ..ops.random_ops import v1_namespace as _random_ns
from ..ops.linalg_ops import namespace as _linalg_ns
random = _random_ns()
from ..eager import random_generator as _rg  # noqa: E402 - the Generator lives with variables
for _n in ("Generator", "get_global_generator", "set_global_generator", "create_rng_state"):
    setattr(random, _n, getattr(_rg, _n))
linalg = _linalg_ns()
from ..ops.state_ops import assign, assign_add, assign_sub
from ..ops.variables import (global_variables, global_variables_initializer,
                             initialize_all_variables, local_variables,
                             local_variables_initializer, model_variables,
                             trainable_variables, variables_initializer, all_variables)
from ..ops.variables import RefVariable as Variable
from ..ops.variables import (assert_variables_initialized, is_variable_initialized,
                             report_uninitialized_variables)
from ..ops.gradients_impl import AggregationMethod, UnconnectedGradients, gradients
import importlib as _importlib
import sys as _sys

# The full TF1 `tf.train`; importing the package must not leave it as the attribute
# `tfteach.train`, where TF2's filtered view (tfteach/__init__.__getattr__) belongs.
train = _importlib.import_module("tfteach.train")
distribute = _importlib.import_module("tfteach.distribute")
_sys.modules["tfteach"].__dict__.pop("train", None)
summary = _importlib.import_module("tfteach.summary")
_sys.modules["tfteach"].__dict__.pop("summary", None)
from ..ops.variable_scope import (AUTO_REUSE, VariableScope, get_local_variable,
                                 get_variable, get_variable_scope, no_regularizer,
                                 variable_scope)
from ..ops.init_ops import (constant_initializer, glorot_normal_initializer,
                            glorot_uniform_initializer, ones_initializer,
                            random_normal_initializer, random_uniform_initializer,
                            truncated_normal_initializer, variance_scaling_initializer,
                            zeros_initializer)
from ..ops import init_ops as _init_ops
import types as _types

initializers = _types.ModuleType("tfteach.compat.v1.initializers")
for _n, _v in {"zeros": zeros_initializer, "ones": ones_initializer,
               "constant": constant_initializer, "random_uniform": random_uniform_initializer,
               "random_normal": random_normal_initializer,
               "truncated_normal": truncated_normal_initializer,
               "variance_scaling": variance_scaling_initializer,
               "glorot_uniform": glorot_uniform_initializer,
               "glorot_normal": glorot_normal_initializer, "he_normal": _init_ops.he_normal,
               "he_uniform": _init_ops.he_uniform, "lecun_normal": _init_ops.lecun_normal,
               "lecun_uniform": _init_ops.lecun_uniform}.items():
    setattr(initializers, _n, _v)
initializers.global_variables = global_variables_initializer
initializers.local_variables = local_variables_initializer
initializers.variables = variables_initializer


def _initializers_getattr(name):
    # the lookup family loads only when its initializer is asked for
    if name == "tables_initializer":
        from ..ops.lookup_ops import tables_initializer
        return tables_initializer
    raise AttributeError(f"module 'tfteach.compat.v1.initializers' has no attribute '{name}'")


initializers.__getattr__ = _initializers_getattr

newaxis = None


def disable_v2_behavior():
    """Graph mode by default and TF1 shapes, as `tf.compat.v1.disable_v2_behavior()`."""
    _behavior.disable_v2_behavior()


def enable_v2_behavior():
    _behavior.enable_v2_behavior()


def disable_eager_execution():
    _behavior.EAGER_DEFAULT = False


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    _behavior.EAGER_DEFAULT = True


def executing_eagerly_outside_functions():
    return _behavior.EAGER_DEFAULT


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


from ..nn import v1_namespace as _nn_v1_namespace  # tf.compat.v1.nn (TF1 signatures)
nn = _nn_v1_namespace()

# clipping, scans and the math composites (tfteach/ops/clip_ops.py, math_ops.py)
from ..ops.clip_ops import (clip_by_average_norm, clip_by_global_norm, clip_by_norm,
                            clip_by_value, global_norm)
from ..ops.math_ops import (acosh, asinh, atanh, cumprod, cumsum, digamma, erfc, lgamma,
                            log_sigmoid, norm, reduce_logsumexp)
# N-d gather/scatter, segments and friends (tfteach/ops/array_ops.py)
from ..ops.array_ops import (dynamic_partition, dynamic_stitch, roll, scatter_nd,
                             segment_mean, segment_sum, sequence_mask, shape_n,
                             tensor_scatter_add, tensor_scatter_nd_add, tensor_scatter_nd_sub,
                             tensor_scatter_nd_update, tensor_scatter_sub,
                             tensor_scatter_update, unique, unsorted_segment_max,
                             unsorted_segment_mean, unsorted_segment_min, unsorted_segment_sum)
from ..ops.array_ops import gather_nd_v1 as gather_nd
from ..ops.array_ops import reverse_sequence_v1 as reverse_sequence
from ..ops.linalg_ops import matrix_solve
# sorting, einsum and friends (tfteach/ops/sort_ops.py, special_math_ops.py, array_ops.py)
from ..ops.sort_ops import argsort, searchsorted, sort
from ..ops.special_math_ops import einsum
from ..ops.array_ops import (broadcast_dynamic_shape, broadcast_static_shape, identity_n,
                             meshgrid, repeat)

def __getattr__(name):
    # Every other name of TF 2.21's compat.v1 that tfteach implements resolves on first use
    # (compat/_v1_lazy.py), which keeps `import tfteach.v1` light.
    if name.startswith("__"):
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    from . import _v1_lazy
    value = _v1_lazy.lookup(__name__, name)
    globals()[name] = value
    return value


def __dir__():
    from . import _v1_lazy
    return sorted(set(globals()) | _v1_lazy.resolvable(_sys.modules[__name__]))
