"""Resolving `tf.compat.v1` names that compat/v1.py does not import by hand.

The hand-written names in compat/v1.py come first (module attributes); any other name of
TF 2.21's `tf.compat.v1` (`_v1_names.TOP`) resolves on first use from the overrides below
(TF1 spellings and TF1-only helpers), then from the op-constructor modules. A name tfteach
does not implement raises AttributeError, and names TF's compat.v1 lacks never resolve.
Submodules work the same way against `_v1_names.SUBMODULES[name]`; one with no name that
resolves is absent too, so the namespace never shows an empty stub.
"""
import importlib
import types

from ..eager import api

_ASSERTS = ("Assert", "Print", "assert_equal", "assert_none_equal", "assert_less",
            "assert_less_equal", "assert_greater", "assert_greater_equal", "assert_positive",
            "assert_negative", "assert_non_negative", "assert_non_positive", "assert_rank",
            "assert_rank_at_least", "assert_scalar", "assert_type", "assert_integer",
            "is_numeric_tensor")
_EXTRAS = ("to_int32", "to_int64", "to_double", "to_bfloat16", "to_complex64",
           "to_complex128", "dimension_value", "dimension_at_index",
           "initialize_variables",
           "initialize_local_variables",
           "moving_average_variables", "enable_v2_tensorshape", "disable_v2_tensorshape",
           "QUANTIZED_DTYPES", "floor_div")

TOP_OVERRIDES = {
    **{n: f"tfteach.ops.assert_ops:{n}" for n in _ASSERTS},
    **{n: f"tfteach.compat._v1_extras:{n}" for n in _EXTRAS},
    "convert_to_tensor_or_indexed_slices":
        "tfteach.framework.indexed_slices:convert_to_tensor_or_indexed_slices",
    "print": "tfteach.eager.printing:tf_print",
    "GradientTape": "tfteach.eager.backprop:GradientTape",
    "custom_gradient": "tfteach.eager.backprop:custom_gradient",
    "function": "tfteach.eager.function:function",
    "TensorSpec": "tfteach.eager.function:TensorSpec",
    "Module": "tfteach.module:Module",
    "VariableSynchronization": "tfteach.eager.variables:VariableSynchronization",
    "VariableAggregation": "tfteach.eager.variables:VariableAggregation",
    "init_scope": "tfteach.eager.context:init_scope",
    "is_tensor": "tfteach:is_tensor",
    "get_static_value": "tfteach:get_static_value",
    "is_symbolic_tensor": "tfteach.framework.ops:is_symbolic_tensor",
    "make_tensor_proto": "tfteach.framework.graph_io:make_tensor_proto",
    "make_ndarray": "tfteach.framework.graph_io:make_ndarray",
    "hessians": "tfteach.ops.gradients_impl:hessians",
    "grad_pass_through": "tfteach.eager.backprop:grad_pass_through",
    **{n: f"tfteach.compat.version:{n}" for n in (
        "VERSION", "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER",
        "GRAPH_DEF_VERSION_MIN_PRODUCER")},
    "register_tensor_conversion_function":
        "tfteach.framework.ops:register_tensor_conversion_function",
    "get_logger": "tfteach.compat.v1_logging:get_logger",
    "NoGradient": "tfteach.framework.registry:NotDifferentiable",
    "OpError": "tfteach.errors:OpError",
    "get_seed": "tfteach.ops.random_ops:get_seed",
    "count_up_to": "tfteach.ops.state_ops:count_up_to",
    "make_template": "tfteach.ops.template:make_template",
    "colocate_with": "tfteach.framework.ops:colocate_with",
    "setdiff1d": "tfteach.ops.array_ops:setdiff1d",
    "string_split": "tfteach.ops.string_ops:string_split_v1",
    "sparse_to_dense": "tfteach.ops.sparse_ops:sparse_to_dense",
    # TF1's writes into variable rows: Scatter* on ref variables, Resource* on resource ones
    **{n: f"tfteach.ops.state_ops:{n}" for n in (
        "scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div",
        "scatter_min", "scatter_max", "scatter_nd_update", "scatter_nd_add",
        "scatter_nd_sub", "batch_scatter_update")},
    "trace": "tfteach.ops.linalg_ops:linalg_trace",
    "switch_case": "tfteach.eager.control_flow:switch_case",
    "IndexedSlices": "tfteach.framework.indexed_slices:IndexedSlices",
    "IndexedSlicesSpec": "tfteach.framework.indexed_slices:IndexedSlicesSpec",
    "IndexedSlicesValue": "tfteach.framework.indexed_slices:IndexedSlicesValue",
    "import_graph_def": "tfteach.framework.graph_io:import_graph_def",
    # TF1's take a square `block_size`
    "space_to_batch": "tfteach.ops.array_ops:space_to_batch_v1",
    "batch_to_space": "tfteach.ops.array_ops:batch_to_space_v1",
    # TF1's put `name` before `data_format`
    "space_to_depth": "tfteach.ops.nn_ops:space_to_depth_v1",
    "depth_to_space": "tfteach.ops.nn_ops:depth_to_space_v1",
    "GraphDef": "tfteach.framework.graph_io:GraphDef",
    "assert_near": "tfteach.ops.check_ops:assert_near_v1",
    "assert_rank_in": "tfteach.ops.check_ops:assert_rank_in_v1",
    "tables_initializer": "tfteach.ops.lookup_ops:tables_initializer",
    "initialize_all_tables": "tfteach.ops.lookup_ops:initialize_all_tables",
}

# Names an op module holds under the same spelling that are not TF's object of that name.
TOP_HIDDEN = frozenset({"NodeDef"})

_MATH_V1 = {
    **api.MATH_OVERRIDES,
    "in_top_k": "tfteach.ops.nn_ops:in_top_k_v1",
    "l2_normalize": "tfteach.nn:l2_normalize",
}

SUB_OVERRIDES = {
    "math": _MATH_V1,
    "io": {"write_graph": "tfteach.framework.graph_io:write_graph",
           "gfile": "tfteach.ops.gfile:"},
    "dtypes": api.DTYPES_OVERRIDES,
    "debugging": {**{n: f"tfteach.ops.assert_ops:{n}" for n in _ASSERTS if n != "Print"},
                  "is_nan": "tfteach.ops.math_ops:is_nan",
                  "is_inf": "tfteach.ops.math_ops:is_inf",
                  "is_finite": "tfteach.ops.math_ops:is_finite",
                  "assert_all_finite": "tfteach.ops.check_ops:verify_tensor_all_finite",
                  "assert_near": "tfteach.ops.check_ops:assert_near_v1",
                  "assert_rank_in": "tfteach.ops.check_ops:assert_rank_in_v1",
                  "set_log_device_placement": "tfteach.config:set_log_device_placement",
                  "get_log_device_placement": "tfteach.config:get_log_device_placement"},
    "nest": {n: f"tfteach.framework.nest:{n}" for n in ("assert_same_structure", "flatten",
                                                    "is_nested", "map_structure",
                                                    "pack_sequence_as")},
}
# TF1's spelling takes `string_tensor` first
SUB_OVERRIDES["strings"] = {"to_hash_bucket": "tfteach.ops.string_ops:string_to_hash_bucket"}
SUB_OVERRIDES["lookup"] = {
    "StaticHashTable": "tfteach.ops.lookup_ops:StaticHashTableV1",
    "StaticVocabularyTable": "tfteach.ops.lookup_ops:StaticVocabularyTableV1"}
SUB_MODULES = {"dtypes": ("tfteach.framework.dtypes",) + api.OP_MODULES,
               "python_io": ("tfteach.ops.tf_record",),
               "lookup": ("tfteach.ops.lookup_ops",),
               **api.SUBMODULE_FIRST}

# Whole modules: (module path, whether to filter it to TF's names for that submodule).
SUB_TARGETS = {
    "compat": "tfteach.compat",
    "keras": "tfteach.keras",
    "logging": "tfteach.compat.v1_logging",
    "losses": "tfteach.ops.losses_impl",
    "metrics": "tfteach.ops.metrics_impl",
    "config": "tfteach.config",
    "data": "tfteach.data.v1",
    "autograph": "tfteach.eager.autograph",
    "version": "tfteach.compat.version",
}


class _KerasLegacyLayers(types.ModuleType):
    """`tf.compat.v1.layers`: with Keras 3 every name is gone, with TF's message."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"`{name}` is not available with Keras 3.")

    def __dir__(self):
        return []


def _has_any(mod, allowed):
    for n in allowed:
        try:
            getattr(mod, n)
            return True
        except AttributeError:
            continue
    return False


def submodule(parent, name):
    from . import _v1_names as N
    full = f"{parent}.{name}"
    if name == "layers":
        return _KerasLegacyLayers(full)
    if name in ("flags", "app"):    # absl's flags (or tfteach's subset) and app.run
        return importlib.import_module(f"tfteach.compat.{name}")
    if name == "raw_ops":           # one namespace for TF1 and TF2, as in TF
        from . import raw_ops
        return raw_ops.namespace()
    if name not in N.SUBMODULES:
        if name in N.TOP_MODULES:
            raise AttributeError(f"module '{parent}' has no attribute '{name}' (TF 2.21 has "
                                 f"`tf.compat.v1.{name}`; tfteach implements none of it yet)")
        raise AttributeError(f"module '{parent}' has no attribute '{name}'")
    allowed = N.SUBMODULES[name]
    if name == "keras":
        return importlib.import_module("tfteach.keras")
    if name == "image":
        from ..ops import image_ops
        return image_ops.namespace(v1=True)
    if name in SUB_TARGETS:
        target = SUB_TARGETS[name]
        if api._import(target) is None:
            raise AttributeError(f"module '{parent}' has no attribute '{name}'")
        mod = api.FilteredModule(full, target, allowed)
    else:
        mod = api.LazyNamespace(full, allowed, SUB_OVERRIDES.get(name),
                                SUB_MODULES.get(name, api.OP_MODULES))
    if not _has_any(mod, sorted(allowed)):
        raise AttributeError(f"module '{parent}' has no attribute '{name}' (TF 2.21 has "
                             f"`tf.compat.v1.{name}`; tfteach implements none of it yet)")
    return mod


def lookup(modname, name):
    from . import _v1_names as N
    if name in N.TOP_MODULES:
        return submodule(modname, name)
    if name in TOP_HIDDEN:
        raise AttributeError(f"module '{modname}' has no attribute '{name}' (TF 2.21 has "
                             f"`tf.compat.v1.{name}`; tfteach does not implement it yet)")
    try:
        return api._lookup(modname, name, N.TOP, TOP_OVERRIDES, api.OP_MODULES)
    except AttributeError as e:
        raise AttributeError(str(e).replace("`tf.v1.", "`tf.compat.v1.")) from None


def resolvable(module):
    """The names of TF's compat.v1 that resolve (for `dir`)."""
    from . import _v1_names as N
    out = set()
    for n in N.TOP:
        try:
            getattr(module, n)
            out.add(n)
        except AttributeError:
            pass
    return out
