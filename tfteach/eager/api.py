"""Building TF2's namespaces lazily from the layers.

`import tfteach` must stay light, so the TF2 namespace and its submodules (`tf.math`,
`tf.linalg`, `tf.random`, ...) resolve names on first access: a name is looked up in the
overrides (TF2 spellings that differ from TF1's), then in the op-constructor modules. Only
names that TF 2.21 has are exposed (`_tf2_names`), so names TF2 removed stay absent.
"""
import importlib
import sys
import threading
import types


# Where op constructors live, in lookup order.
OP_MODULES = ("tfteach.ops.math_ops", "tfteach.ops.array_ops", "tfteach.ops.linalg_ops",
              "tfteach.ops.constant_op", "tfteach.ops.control_flow_ops",
              "tfteach.ops.random_ops", "tfteach.ops.nn_ops", "tfteach.ops.init_ops",
              "tfteach.ops.clip_ops", "tfteach.ops.functional_ops", "tfteach.ops.string_ops",
              "tfteach.ops.tensor_array_ops", "tfteach.ops.data_flow_ops",
              "tfteach.ops.check_ops", "tfteach.ops.sort_ops", "tfteach.ops.special_math_ops",
              "tfteach.ops.script_ops", "tfteach.ops.io_ops", "tfteach.ops.sparse_ops",
              "tfteach.ops.ragged.ragged_tensor", "tfteach.ops.parsing_ops",
              "tfteach.ops.signal_ops")

# Submodules whose names are looked up only in their own op modules: `tf.strings.split`,
# `tf.sparse.add`, `tf.sparse.concat` are not the dense ops of the same name, so a name the
# module lacks is "not implemented yet", never the dense op.
SUBMODULE_FIRST = {"strings": ("tfteach.ops.string_ops",),
                   "sparse": ("tfteach.ops.sparse_ops",),
                   "io": ("tfteach.ops.io_ops", "tfteach.ops.string_ops",
                          "tfteach.ops.data_flow_ops", "tfteach.ops.parsing_ops",
                          "tfteach.ops.tf_record", "tfteach.ops.codec_ops"),
                   "ragged": ("tfteach.ops.ragged.ragged_ops",),
                   "signal": ("tfteach.ops.signal_ops", "tfteach.ops.signal_impl"),
                   "spectral": ("tfteach.ops.signal_ops", "tfteach.ops.signal_impl")}


from ..ops import load_all_ops  # noqa: E402,F401 - the ops layer's; kept here for callers


def _import(modname):
    try:
        return importlib.import_module(modname)
    except ModuleNotFoundError as e:
        if e.name != modname:
            raise
        return None


def find_in(modules, name):
    for modname in modules:
        m = _import(modname)
        if m is not None and name in vars(m):
            return vars(m)[name]
    raise AttributeError(name)


def resolve(spec):
    """'module:attr' -> the object."""
    modname, _, attr = spec.partition(":")
    m = importlib.import_module(modname)
    obj = m
    for part in attr.split("."):
        if part:
            obj = getattr(obj, part)
    return obj


class LazyNamespace(types.ModuleType):
    """A module whose names resolve on first access (then are cached as attributes)."""

    def __init__(self, name, allowed, overrides=None, modules=OP_MODULES, doc=None):
        super().__init__(name, doc)
        self._allowed = allowed
        self._overrides = overrides or {}
        self._modules = modules

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = _lookup(self.__name__, name, self._allowed, self._overrides, self._modules)
        setattr(self, name, value)
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._allowed) | set(self._overrides))


def _lookup(modname, name, allowed, overrides, modules):
    spec = overrides.get(name)
    if spec is not None:
        if callable(spec) and not isinstance(spec, str):
            return spec()
        return resolve(spec)
    if name in allowed:
        try:
            return find_in(modules, name)
        except AttributeError:
            pass
        short = modname.rsplit(".", 1)[-1]
        raise AttributeError(f"module '{modname}' has no attribute '{name}' (TF 2.21 has "
                             f"`tf.{short + '.' if short != 'tfteach' else ''}{name}`; "
                             f"tfteach does not implement it yet)")
    raise AttributeError(f"module '{modname}' has no attribute '{name}'")


def namespace(name, allowed, overrides=None, modules=OP_MODULES, doc=None):
    mod = sys.modules.get(name)
    if mod is None:
        mod = LazyNamespace(name, allowed, overrides, modules, doc)
        sys.modules[name] = mod
    return mod


class FilteredModule(types.ModuleType):
    """A view of an existing module showing only TF2's names (e.g. `tf.train` without the
    TF1 optimizers)."""

    def __init__(self, name, target, allowed, overrides=None):
        super().__init__(name)
        self._target = target
        self._allowed = allowed
        self._overrides = overrides or {}

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        spec = self._overrides.get(name)
        if spec is not None:
            value = resolve(spec) if isinstance(spec, str) else spec()
        elif name in self._allowed:
            target = importlib.import_module(self._target)
            try:
                value = getattr(target, name)
            except AttributeError:
                raise AttributeError(f"module '{self.__name__}' has no attribute '{name}' "
                                     f"(tfteach does not implement it yet)") from None
        else:
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        setattr(self, name, value)
        return value

    def __dir__(self):
        return sorted(set(self._allowed) | set(self._overrides))


MATH_OVERRIDES = {
    "divide_no_nan": "tfteach.ops.math_ops:div_no_nan",
    "softmax": "tfteach.ops.nn_ops:softmax",
    "log_softmax": "tfteach.ops.nn_ops:log_softmax",
    "softplus": "tfteach.ops.nn_ops:softplus",
    "softsign": "tfteach.ops.nn_ops:softsign",
    "is_nan": "tfteach.ops.math_ops:is_nan",
    "is_inf": "tfteach.ops.math_ops:is_inf",
    "is_finite": "tfteach.ops.math_ops:is_finite",
}

LINALG_OVERRIDES = {
    "inv": "tfteach.ops.linalg_ops:matrix_inverse",
    "det": "tfteach.ops.linalg_ops:matrix_determinant",
    "diag": "tfteach.ops.linalg_ops:matrix_diag",
    "diag_part": "tfteach.ops.linalg_ops:matrix_diag_part",
    # not a plain `trace` in the op modules: tf.autograph.trace is another function
    "trace": "tfteach.ops.linalg_ops:linalg_trace",
}

RANDOM_OVERRIDES = {
    "uniform": "tfteach.ops.random_ops:random_uniform",
    "normal": "tfteach.ops.random_ops:random_normal",
    "truncated_normal": "tfteach.ops.random_ops:truncated_normal",
    "shuffle": "tfteach.ops.random_ops:random_shuffle",
    "categorical": "tfteach.ops.random_ops:categorical",
    "set_seed": "tfteach.ops.random_ops:set_eager_seed",
    "stateless_uniform": "tfteach.ops.random_ops:stateless_random_uniform",
    "stateless_normal": "tfteach.ops.random_ops:stateless_random_normal",
    "stateless_truncated_normal": "tfteach.ops.random_ops:stateless_truncated_normal",
    "Algorithm": "tfteach.ops.random_ops:Algorithm",
    "split": "tfteach.ops.random_ops:stateless_split",
    "fold_in": "tfteach.ops.random_ops:stateless_fold_in",
    "stateless_categorical": "tfteach.ops.random_ops:stateless_categorical",
    "Generator": "tfteach.eager.random_generator:Generator",
    "get_global_generator": "tfteach.eager.random_generator:get_global_generator",
    "set_global_generator": "tfteach.eager.random_generator:set_global_generator",
    "create_rng_state": "tfteach.eager.random_generator:create_rng_state",
}

DTYPES_OVERRIDES = {
    "bool": "tfteach.framework.dtypes:bool_",
    "cast": "tfteach.ops.math_ops:cast",
    "saturate_cast": "tfteach.ops.math_ops:saturate_cast",
}

ERRORS_OVERRIDES = {}
