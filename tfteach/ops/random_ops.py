"""Random ops and TF's seed rules.

Each random op carries two int attrs, `seed` and `seed2`, computed when the op is built from
the graph-level seed (`tf.set_random_seed`, `Graph.seed`) and the op's own `seed` argument,
exactly as TF's `get_seed` does:

    graph seed  op seed   ->  (seed, seed2)
    None        None          (0, 0): a fresh, unpredictable sequence per session
    None        s             (87654321, s)
    g           None          (g, n) where n counts the seedless random ops of this graph
    g           s             (g, s)

The kernel keeps one generator per op (and session) in `ctx.state.random`, created from
(seed, seed2) on the op's first run: running the op again continues the sequence (new numbers
every run), and the same graph with the same seeds gives the same sequence in a new Session.

The stateful ops' numbers are NumPy's Philox generator (TF also uses Philox, with another key
schedule and another mapping to floats): distribution, dtype and shape are TF's, the values
are not bit-for-bit TF's. The stateless ops (tf.random.stateless_*) are TF's bits: the
kernels run TF's Philox-4x32-10 layout (kernels/philox.py).
"""
import weakref

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape
from ..framework import tensor_util as _tu
from . import shape_rules

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1

_graph_seed_counters = weakref.WeakKeyDictionary()
_eager = {"seed": None, "counter": 0}


def _truncate_seed(seed):
    return seed % _MAXINT32


def set_random_seed(seed):
    """Sets the graph-level seed of the default graph (v1 `tf.set_random_seed`); when
    executing eagerly, the global eager seed (`tf.random.set_seed`)."""
    if _ops.executing_eagerly():
        set_eager_seed(seed)
    else:
        _ops.get_default_graph().seed = seed


def set_eager_seed(seed):
    """`tf.random.set_seed`: also restarts the sequences of seeded eager random ops."""
    _eager["seed"] = seed
    _eager["counter"] = 0
    try:
        _ops.EAGER_RUN_CONTEXT().state.random.clear()
    except (TypeError, AttributeError):
        pass


def get_seed(op_seed):
    """(seed, seed2) for an op from the graph-level seed and `op_seed` (TF's rules)."""
    if _ops.executing_eagerly():
        global_seed = _eager["seed"]
    else:
        global_seed = _ops.get_default_graph().seed
    if global_seed is not None:
        if op_seed is None:
            if _ops.executing_eagerly():
                op_seed = _eager["counter"]
                _eager["counter"] += 1
            else:
                g = _ops.get_default_graph()
                op_seed = _graph_seed_counters.get(g, 0)
                _graph_seed_counters[g] = op_seed + 1
        seeds = _truncate_seed(global_seed), _truncate_seed(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


# --- declarations -------------------------------------------------------------------------

def _shape_from_input(op):
    shape_rules.require_rank(op, op.inputs[0].shape, 1)
    v = shape_rules.const_input(op, 0)
    if v is not None and (np.asarray(v) < 0).any():
        raise op.shape_error("Dimension -1 must be >= 0")
    return [_tu.constant_value_as_shape(op.inputs[0])]


_SEEDS = {"seed": 0, "seed2": 0}
_DOC = {  # one line each: docs/ops.md and the graph explorer show it
    "RandomUniform": "Uniform random floats in [0, 1).",
    "RandomStandardNormal": "Random floats from the standard normal distribution.",
    "TruncatedNormal": "Standard normal random floats, redrawn when more than 2 from the mean.",
}

for _t in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal"):
    registry.register_op(_t, inputs=(("shape", "T"),), outputs=(("output", "dtype"),),
                         shape=_shape_from_input, stateful=True, attr_defaults=_SEEDS,
                         doc=_DOC[_t])
registry.register_op("RandomUniformInt", inputs=(("shape", "T"), ("minval", "Tout"),
                                                 ("maxval", "Tout")),
                     outputs=(("output", "Tout"),), shape=_shape_from_input, stateful=True,
                     attr_defaults=_SEEDS,
                     doc="Uniform random integers in [minval, maxval).")
registry.register_op("RandomShuffle", inputs=(("value", "T"),), outputs=(("output", "T"),),
                     shape=shape_rules.same_as_first, stateful=True, attr_defaults=_SEEDS,
                     doc="The input's rows in random order.")


def _multinomial_shape(op):
    logits = op.inputs[0].shape
    shape_rules.require_rank(op, logits, 2)
    n = shape_rules.const_input(op, 1)
    batch = logits.as_tuple()[0] if logits.rank == 2 else None
    return [TensorShape([batch, None if n is None else int(n)])]


registry.register_op("Multinomial", inputs=(("logits", "T"), ("num_samples", _dt.int32)),
                     outputs=(("output", "output_dtype"),), shape=_multinomial_shape,
                     stateful=True, attr_defaults=_SEEDS,
                     doc="Samples of class indices from each row of logits.")


# --- stateless ops (TF2's V2 ops: a seed pair becomes a Philox key and counter once) --------

def _key_counter_shape(op):
    seed = op.inputs[0].shape
    shape_rules.require_rank(op, seed, 1)
    if seed.rank == 1 and seed.as_tuple()[0] not in (None, 2):
        raise op.shape_error(f"seed must have shape [2], not [{seed.as_tuple()[0]}]")
    return [TensorShape([1]), TensorShape([2])]


def _stateless_shape(op):
    return _shape_from_input(op)


registry.register_op("StatelessRandomGetKeyCounter", inputs=(("seed", "Tseed"),),
                     outputs=(("key", _dt.uint64), ("counter", _dt.uint64)),
                     shape=_key_counter_shape, allowed={"Tseed": ("int32", "int64")},
                     doc="A seed pair scrambled into a Philox key and counter.")
_SDOC = {
    "StatelessRandomUniformV2": "Uniform floats in [0, 1), a function of (key, counter).",
    "StatelessRandomNormalV2": "Standard normal floats, a function of (key, counter).",
    "StatelessTruncatedNormalV2": "Standard normal floats within 2, a function of (key, counter).",
}
for _t in _SDOC:
    registry.register_op(_t, inputs=(("shape", "Tshape"), ("key", _dt.uint64),
                                     ("counter", _dt.uint64), ("alg", _dt.int32)),
                         outputs=(("output", "dtype"),), shape=_stateless_shape,
                         attr_defaults={"dtype": _dt.float32},
                         allowed={"dtype": ("float16", "bfloat16", "float32", "float64")},
                         doc=_SDOC[_t])
registry.register_op("StatelessRandomUniformIntV2",
                     inputs=(("shape", "Tshape"), ("key", _dt.uint64), ("counter", _dt.uint64),
                             ("alg", _dt.int32), ("minval", "dtype"), ("maxval", "dtype")),
                     outputs=(("output", "dtype"),), shape=_stateless_shape,
                     allowed={"dtype": ("int32", "int64", "uint32", "uint64")},
                     doc="Uniform integers in [minval, maxval), a function of (key, counter).")
registry.register_op("StatelessRandomUniformFullIntV2",
                     inputs=(("shape", "Tshape"), ("key", _dt.uint64), ("counter", _dt.uint64),
                             ("alg", _dt.int32)),
                     outputs=(("output", "dtype"),), shape=_stateless_shape,
                     attr_defaults={"dtype": _dt.uint64},
                     allowed={"dtype": ("int32", "int64", "uint32", "uint64")},
                     doc="Integers over the dtype's whole range, a function of (key, counter).")


registry.register_op("StatelessMultinomial",
                     inputs=(("logits", "T"), ("num_samples", _dt.int32), ("seed", "Tseed")),
                     outputs=(("output", "output_dtype"),), shape=_multinomial_shape,
                     attr_defaults={"output_dtype": _dt.int64},
                     allowed={"Tseed": ("int32", "int64")},
                     doc="Class indices drawn from each row of logits, a function of the seed.")
registry.register_op("RngReadAndSkip", inputs=(("resource", _dt.resource), ("alg", _dt.int32),
                                              ("delta", _dt.uint64)),
                     outputs=(("value", _dt.int64),), shape=lambda op: [TensorShape([3])],
                     stateful=True,
                     doc="A Generator's RNG state, read, then its counter advanced by 256 per "
                         "output.")


# --- constructors ---------------------------------------------------------------------------

def _shape_tensor(shape):
    """A shape argument as an int tensor named `shape` (int32 unless it needs int64)."""
    if isinstance(shape, _ops.Tensor) or getattr(shape, "_is_eager", False):
        return shape
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    from .array_ops import _contains_tensor, stack
    if isinstance(shape, (list, tuple)) and _contains_tensor(shape):
        return stack(shape, name="shape")
    arr = np.asarray(shape)
    dt = _dt.int64 if arr.size and arr.dtype.kind in "iu" and (
        arr.max() > _MAXINT32) else _dt.int32
    if arr.size == 0:
        arr = np.zeros((0,), np.int32)
    return _ops.convert_to_tensor(arr.astype(dt.np_dtype), name="shape")


def _seed_attrs(seed):
    s1, s2 = get_seed(seed)
    return {"seed": s1 or 0, "seed2": s2 or 0}


def _is_python_number(v, value):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == value


@registry.api("RandomUniform")
@registry.api("RandomUniformInt")
def random_uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (maxval defaults to 1 for floats and must be given
    for ints). Floats: RandomUniform, scaled by Sub/Mul/AddV2 unless the range is [0, 1);
    ints: RandomUniformInt."""
    dtype = _dt.as_dtype(dtype).base_dtype
    if dtype not in (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64, _dt.int32,
                     _dt.int64):
        raise ValueError(f"Invalid dtype {dtype!r}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    from . import math_ops
    with _ops.name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape = _shape_tensor(shape)
        min_zero = _is_python_number(minval, 0)
        max_one = _is_python_number(maxval, 1)
        if not min_zero or not max_one or dtype.is_integer:
            minval = _ops.convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = _ops.convert_to_tensor(maxval, dtype=dtype, name="max")
        attrs = _seed_attrs(seed)
        if dtype.is_integer:
            return apply_op("RandomUniformInt", [shape, minval, maxval], attrs, name=scope)[0]
        attrs["dtype"] = dtype
        if min_zero and max_one:
            return apply_op("RandomUniform", [shape], attrs, name="RandomUniform")[0]
        rnd = apply_op("RandomUniform", [shape], attrs, name="RandomUniform")[0]
        if min_zero:
            return math_ops.multiply(rnd, maxval)
        return math_ops.add(rnd * (maxval - minval), minval, name=scope)


def _normal(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    dtype = _dt.as_dtype(dtype).base_dtype
    from . import math_ops
    with _ops.name_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape = _shape_tensor(shape)
        mean = _ops.convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = _ops.convert_to_tensor(stddev, dtype=dtype, name="stddev")
        attrs = _seed_attrs(seed)
        attrs["dtype"] = dtype
        rnd = apply_op(op_type, [shape], attrs, name=op_type)[0]
        return math_ops.add(rnd * stddev, mean, name=scope)


@registry.api("RandomStandardNormal")
def random_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Normal values: RandomStandardNormal * stddev + mean."""
    return _normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed,
                   name)


@registry.api("TruncatedNormal")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    return _normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed,
                   name)


@registry.api("RandomShuffle")
def random_shuffle(value, seed=None, name=None):
    """Shuffles along the first dimension."""
    attrs = _seed_attrs(seed)
    return apply_op("RandomShuffle", [value], attrs, name=name or "RandomShuffle")[0]


@registry.api("Multinomial")
def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """Draws `num_samples` class indices per row of unnormalised log-probabilities."""
    with _ops.name_scope(name, "multinomial", [logits]):
        logits = _ops.convert_to_tensor(logits, name="logits")
        attrs = _seed_attrs(seed)
        attrs["output_dtype"] = _dt.as_dtype(output_dtype or _dt.int64)
        with _ops.name_scope(None, "Multinomial", [logits]) as scope:
            n = _ops.convert_to_tensor(num_samples, dtype=_dt.int32, name="num_samples")
            return apply_op("Multinomial", [logits, n], attrs, name=scope)[0]


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    return multinomial(logits, num_samples, seed=seed, name=name or "categorical",
                       output_dtype=dtype)


# --- stateless random numbers: the same seed gives the same numbers, on every run ----------

class Algorithm:
    """tf.random.Algorithm: the RNG algorithms' ids (tfteach's kernels implement Philox,
    which AUTO_SELECT picks, as TF does on CPUs and GPUs)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _alg_id(alg):
    if alg is None:
        return Algorithm.AUTO_SELECT
    if isinstance(alg, str):
        key = alg.lower()
        ids = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY,
               "auto_select": Algorithm.AUTO_SELECT}
        if key not in ids:
            raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values "
                             f"are {{'philox', 'threefry', 'auto_select'}}.")
        alg = ids[key]
    alg = int(getattr(alg, "value", alg))
    if alg == Algorithm.THREEFRY:
        raise NotImplementedError("tfteach's stateless kernels implement Philox (alg "
                                  "'philox' or 'auto_select'), not ThreeFry")
    return alg


def _key_counter_alg(seed, alg):
    alg = _alg_id(alg)
    key, counter = apply_op("StatelessRandomGetKeyCounter", [seed], {},
                            name="StatelessRandomGetKeyCounter")
    return key, counter, alg


_STATELESS_DTYPES = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64, _dt.int32,
                     _dt.int64, _dt.uint32, _dt.uint64)


@registry.api("StatelessRandomGetKeyCounter")
@registry.api("StatelessRandomUniformV2")
@registry.api("StatelessRandomUniformIntV2")
@registry.api("StatelessRandomUniformFullIntV2")
def stateless_random_uniform(shape, seed, minval=0, maxval=None, dtype=_dt.float32, name=None,
                             alg="auto_select"):
    """Uniform numbers in [minval, maxval): a function of `seed` (shape [2] int32/int64),
    TF's bits (Philox-4x32-10 with TF's key schedule and float mapping). Integer dtypes
    take both bounds or neither (neither: the dtype's whole range)."""
    dtype = _dt.as_dtype(dtype)
    if dtype not in _STATELESS_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype!s}. Accepted dtypes are "
                         "(tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, "
                         "tf.int64, tf.uint32, tf.uint64).")
    if dtype.is_integer and (minval is None) != (maxval is None):
        raise ValueError(f"For integer `dtype` argument {dtype!s}, argument `minval` and "
                         f"`maxval` must be both None or not None. Got `minval`={minval} and "
                         f"`maxval`={maxval}.")
    if dtype.is_integer and dtype in (_dt.uint32, _dt.uint64) and minval is not None:
        raise ValueError(f"Argument `dtype` got invalid value {dtype!s} with bounds: unsigned "
                         "ints take no minval/maxval")
    if not dtype.is_integer and maxval is None:
        maxval = 1
    from . import math_ops
    with _ops.name_scope(name, "stateless_random_uniform",
                         [shape, seed, minval, maxval]) as name:
        shape = _shape_tensor(shape)
        if dtype.is_integer and minval is None:
            key, counter, alg = _key_counter_alg(seed, alg)
            return apply_op("StatelessRandomUniformFullIntV2", [shape, key, counter, alg],
                            {"dtype": dtype}, name=name)[0]
        minval = _ops.convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = _ops.convert_to_tensor(maxval, dtype=dtype, name="max")
        key, counter, alg = _key_counter_alg(seed, alg)
        if dtype.is_integer:
            return apply_op("StatelessRandomUniformIntV2",
                            [shape, key, counter, alg, minval, maxval], {}, name=name)[0]
        rnd = apply_op("StatelessRandomUniformV2", [shape, key, counter, alg],
                       {"dtype": dtype}, name="StatelessRandomUniformV2")[0]
        return math_ops.add(rnd * (maxval - minval), minval, name=name)


def _stateless_normal(op_type, default_name, shape, seed, mean, stddev, dtype, name, alg):
    dtype = _dt.as_dtype(dtype)
    from . import math_ops
    with _ops.name_scope(name, default_name, [shape, seed, mean, stddev]) as name:
        shape = _shape_tensor(shape)
        mean = _ops.convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = _ops.convert_to_tensor(stddev, dtype=dtype, name="stddev")
        key, counter, alg = _key_counter_alg(seed, alg)
        rnd = apply_op(op_type, [shape, key, counter, alg], {"dtype": dtype},
                       name=op_type)[0]
        return math_ops.add(rnd * stddev, mean, name=name)


@registry.api("StatelessRandomNormalV2")
def stateless_random_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None,
                            alg="auto_select"):
    """Normal numbers (TF's Box-Muller on Philox words): a function of `seed`."""
    return _stateless_normal("StatelessRandomNormalV2", "stateless_random_normal", shape,
                             seed, mean, stddev, dtype, name, alg)


@registry.api("StatelessTruncatedNormalV2")
def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None,
                               alg="auto_select"):
    """Normal numbers within two standard deviations of the mean (TF's rejection of
    Box-Muller pairs, 256 Philox calls reserved per group of outputs): a function of
    `seed`."""
    return _stateless_normal("StatelessTruncatedNormalV2", "stateless_truncated_normal",
                             shape, seed, mean, stddev, dtype, name, alg)


@registry.api("StatelessMultinomial")
def stateless_categorical(logits, num_samples, seed, dtype=_dt.int64, name=None):
    """`num_samples` class indices per row of unnormalised log-probabilities, a function of
    `seed` (TF's CPU bits: one Philox stream through the rows, two words per draw)."""
    with _ops.name_scope(name, "stateless_categorical", [logits, seed]):
        return _stateless_multinomial(logits, num_samples, seed, dtype)


def stateless_multinomial(logits, num_samples, seed, output_dtype=_dt.int64, name=None):
    """TF1's spelling of stateless_categorical (`tf.compat.v1.random.stateless_multinomial`)."""
    with _ops.name_scope(name, "stateless_multinomial", [logits, seed]):
        return _stateless_multinomial(logits, num_samples, seed, output_dtype)


def _stateless_multinomial(logits, num_samples, seed, dtype):
    logits = _ops.convert_to_tensor(logits, name="logits")
    dtype = _dt.as_dtype(dtype) if dtype else _dt.int64
    if dtype not in (_dt.int32, _dt.int64):
        raise ValueError(f"Argument `dtype` got invalid value {dtype!s}. Accepted dtypes are "
                         "(<dtype: 'int32'>, <dtype: 'int64'>).")
    return apply_op("StatelessMultinomial", [logits, num_samples, seed],
                    {"output_dtype": dtype}, name="StatelessMultinomial")[0]


def stateless_split(seed, num=2, alg="auto_select"):
    """`num` new seeds from `seed` (tf.random.split): a [num, 2] tensor of seed's dtype,
    the full-range integers stateless_uniform draws from `seed`."""
    seed = _ops.convert_to_tensor(seed)
    return stateless_random_uniform(shape=[num, 2], seed=seed, dtype=seed.dtype, minval=None,
                                    maxval=None, alg=alg)


def stateless_fold_in(seed, data, alg="auto_select"):
    """A new seed from `seed` and the integer `data` (tf.random.fold_in): [a full-range
    integer drawn from seed, data]."""
    from .array_ops import stack
    data = _ops.convert_to_tensor(data)
    seed1 = stateless_random_uniform(shape=[], seed=seed, dtype=data.dtype, minval=None,
                                     maxval=None, alg=alg)
    return stack([seed1, data])


def v1_namespace():
    """`tf.compat.v1.random`."""
    import types
    ns = types.ModuleType("tfteach.compat.v1.random")
    for k, v in {"uniform": random_uniform, "normal": random_normal,
                 "truncated_normal": truncated_normal, "shuffle": random_shuffle,
                 "multinomial": multinomial, "categorical": categorical,
                 "set_random_seed": set_random_seed, "get_seed": get_seed,
                 "stateless_uniform": stateless_random_uniform,
                 "stateless_normal": stateless_random_normal,
                 "stateless_truncated_normal": stateless_truncated_normal,
                 "Algorithm": Algorithm, "split": stateless_split,
                 "fold_in": stateless_fold_in,
                 "stateless_categorical": stateless_categorical,
                 "stateless_multinomial": stateless_multinomial}.items():
        setattr(ns, k, v)
    from ..framework.api_names import install
    return install(ns, "tf.compat.v1.random")


# --- not differentiable ----------------------------------------------------------------------

for _t in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt",
           "Multinomial", "RandomShuffle", "StatelessRandomGetKeyCounter",
           "StatelessRandomUniformV2", "StatelessRandomNormalV2", "StatelessTruncatedNormalV2",
           "StatelessRandomUniformIntV2", "StatelessRandomUniformFullIntV2", "RngReadAndSkip",
           "StatelessMultinomial"):
    registry.NotDifferentiable(_t)

