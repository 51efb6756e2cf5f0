"""tf.random.Generator: a Philox RNG whose state lives in a variable, TF 2.21's way.

The state is an int64 variable [counter_lo, counter_hi, key]. Each draw of n numbers reads
the state and advances its 128-bit counter by 256 * n in one op (RngReadAndSkip), then hands
key and counter to the stateless V2 ops (StatelessRandomNormalV2, ...), which draw TF's
exact bits: the same seed gives TF's numbers, draw after draw.

Only Philox is implemented (TF's default); ThreeFry raises NotImplementedError.
"""
import os

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from .context import init_scope
from ..ops import random_ops as _r

_STATE_SIZE = 3
_MASK = (1 << 64) - 1


def _alg(alg):
    if alg is None:
        return _r.Algorithm.PHILOX
    a = _r._alg_id(alg)
    return _r.Algorithm.PHILOX if a == _r.Algorithm.AUTO_SELECT else a


def _to_int64(words):
    return np.array([int(w) & _MASK for w in words], np.uint64).view(np.int64)


def _state_from_seed(seed):
    """TF's _make_1d_state: a Python int is cut into 64-bit words, low first; anything else
    is flattened, truncated or zero-padded to the state's size."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        seed = int(seed)
        words = []
        for _ in range(_STATE_SIZE):
            words.append(seed & _MASK)
            seed >>= 64
        return _to_int64(words)
    if hasattr(seed, "numpy"):
        seed = seed.numpy()
    arr = np.asarray(seed).reshape(-1)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"seed must be integers, got {arr.dtype}")
    words = [int(v) for v in arr[:_STATE_SIZE]]
    words += [0] * (_STATE_SIZE - len(words))
    return _to_int64(words)


def create_rng_state(seed, alg):
    """The int64 state a Generator built from `seed` starts with (tf.random.create_rng_state)."""
    _alg(alg)
    return _ops.convert_to_tensor(_state_from_seed(seed), dtype=_dt.int64)


class Generator:
    """tf.random.Generator (Philox): draws advance the state variable; the numbers are TF's."""

    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        alg = _alg(alg)
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        words = np.frombuffer(os.urandom(8 * _STATE_SIZE), np.int64)
        return cls(state=words.copy(), alg=_alg(alg))

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        counter = np.asarray(getattr(counter, "numpy", lambda: counter)()).reshape(-1)
        key = np.asarray(getattr(key, "numpy", lambda: key)()).reshape(-1)
        if counter.shape != (2,) or key.shape != (1,):
            raise ValueError("Philox's key has one word and its counter two: got shapes "
                             f"{list(key.shape)} and {list(counter.shape)}")
        return cls(state=_to_int64(list(counter) + list(key)), alg=alg)

    def __init__(self, copy_from=None, state=None, alg=None):
        from .variables import ResourceVariable
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, neither `state` nor `alg` "
                                 "can be set.")
            state, alg = copy_from.state.read_value(), copy_from.algorithm
        elif state is None or alg is None:
            raise ValueError("When `copy_from` is None, both `state` and `alg` must be set")
        self._alg = _alg(alg)
        state = _ops.convert_to_tensor(state, dtype=_dt.int64)
        if state.shape.rank != 1 or state.shape.as_tuple()[0] != _STATE_SIZE:
            raise ValueError(f"Philox's state must have shape [{_STATE_SIZE}], got "
                             f"{state.shape}")
        with init_scope():
            self._state_var = ResourceVariable(state, dtype=_dt.int64, trainable=False,
                                               name="Variable")

    @property
    def state(self):
        return self._state_var

    @property
    def algorithm(self):
        return self._alg

    @property
    def key(self):
        return self._state_var[-1]

    def reset(self, state):
        self._state_var.assign(_ops.convert_to_tensor(state, dtype=_dt.int64))

    def reset_from_seed(self, seed):
        self.reset(_state_from_seed(seed))

    def reset_from_key_counter(self, key, counter):
        self.reset(Generator.from_key_counter(key, counter, self._alg).state.read_value())

    @registry.api("RngReadAndSkip")
    def skip(self, delta):
        """The state before the skip; afterwards the state is that after drawing `delta`
        numbers."""
        from ..ops import math_ops
        return apply_op("RngReadAndSkip", [
            self._state_var.handle,
            _ops.convert_to_tensor(self._alg, dtype=_dt.int32),
            math_ops.cast(delta, _dt.uint64)], {}, name="RngReadAndSkip")[0]

    def _key_counter(self, shape):
        from ..ops import math_ops
        delta = math_ops.reduce_prod(shape)
        counter_key = self.skip(delta)
        # the words as uint64: TF bitcasts; Cast between int64 and uint64 keeps the bits
        counter = math_ops.cast(counter_key[:2], _dt.uint64)
        key = math_ops.cast(counter_key[2:3], _dt.uint64)
        return key, counter

    def _draw(self, op_type, shape, dtype, extra=(), name=None):
        key, counter = self._key_counter(shape)
        alg = _ops.convert_to_tensor(self._alg, dtype=_dt.int32)
        attrs = {} if op_type == "StatelessRandomUniformIntV2" else {"dtype": dtype}
        return apply_op(op_type, [shape, key, counter, alg, *extra], attrs,
                        name=name or op_type)[0]

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        from ..ops import math_ops
        dtype = _dt.as_dtype(dtype)
        with _ops.name_scope(name, "stateful_normal", [shape, mean, stddev]) as name:
            shape = _r._shape_tensor(shape)
            mean = _ops.convert_to_tensor(mean, dtype=dtype, name="mean")
            stddev = _ops.convert_to_tensor(stddev, dtype=dtype, name="stddev")
            rnd = self._draw("StatelessRandomNormalV2", shape, dtype)
            return math_ops.add(rnd * stddev, mean, name=name)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        from ..ops import math_ops
        dtype = _dt.as_dtype(dtype)
        with _ops.name_scope(name, "truncated_normal", [shape, mean, stddev]) as name:
            shape = _r._shape_tensor(shape)
            mean = _ops.convert_to_tensor(mean, dtype=dtype, name="mean")
            stddev = _ops.convert_to_tensor(stddev, dtype=dtype, name="stddev")
            rnd = self._draw("StatelessTruncatedNormalV2", shape, dtype)
            return math_ops.add(rnd * stddev, mean, name=name)

    def uniform(self, shape, minval=0, maxval=None, dtype=_dt.float32, name=None):
        from ..ops import math_ops
        dtype = _dt.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(f"For integer dtype {dtype}, minval and maxval must be both "
                                 f"`None` or both non-`None`; got minval={minval} and "
                                 f"maxval={maxval}")
        elif maxval is None:
            maxval = 1
        with _ops.name_scope(name, "stateful_uniform", [shape, minval, maxval]) as name:
            shape = _r._shape_tensor(shape)
            if dtype.is_integer and minval is None:
                return self._draw("StatelessRandomUniformFullIntV2", shape, dtype, name=name)
            minval = _ops.convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = _ops.convert_to_tensor(maxval, dtype=dtype, name="max")
            if dtype.is_integer:
                return self._draw("StatelessRandomUniformIntV2", shape, dtype,
                                  extra=(minval, maxval), name=name)
            rnd = self._draw("StatelessRandomUniformV2", shape, dtype)
            return math_ops.add(rnd * (maxval - minval), minval, name=name)

    def uniform_full_int(self, shape, dtype=_dt.uint64, name=None):
        dtype = _dt.as_dtype(dtype)
        with _ops.name_scope(name, "stateful_uniform_full_int", [shape]) as name:
            shape = _r._shape_tensor(shape)
            return self._draw("StatelessRandomUniformFullIntV2", shape, dtype, name=name)

    def make_seeds(self, count=1):
        """[2, count] int64 seeds for the stateless ops: full-range keys over zeros."""
        from ..ops import array_ops
        keys = self.uniform_full_int(shape=[count], dtype=_dt.int64)
        return array_ops.stack([keys, array_ops.zeros_like(keys)])

    def split(self, count=1):
        """`count` new Generators, each keyed by a full-range int64 drawn from this one."""
        from ..ops import array_ops
        keys = self.uniform_full_int(shape=[count], dtype=_dt.int64)
        return [Generator(state=array_ops.stack([np.int64(0), np.int64(0), k]),
                          alg=self._alg) for k in array_ops.unstack(keys, num=count)]


_global = {"generator": None}


def get_global_generator():
    """The global Generator, created from a non-deterministic state on first use."""
    if _global["generator"] is None:
        with init_scope():
            _global["generator"] = Generator.from_non_deterministic_state()
    return _global["generator"]


def set_global_generator(generator):
    """Replaces the global Generator (functions traced with the old one keep it)."""
    _global["generator"] = generator
