"""`tf.data.Dataset`: an input pipeline as a chain of Python iterators.

TF builds a graph of dataset ops run by a C++ runtime on its own threads. tfteach keeps the
programming model and drops the machinery: each dataset is a Python object that knows its
`element_spec`, its `cardinality`, and how to make a fresh iterator over NumPy values. The
elements become tensors only where the user sees them (`for x in ds`, `iter`, `reduce`).

User functions (`map`, `filter`, `reduce`) are traced once, as TF traces them: the function
is called with symbolic tensors shaped like `element_spec` to build a graph (so tf ops work
and Python side effects happen once, at `ds.map(...)`), and that graph runs per element.
`num_parallel_calls` is accepted and the results come in input order, which is TF's default
(`deterministic=None`); tfteach maps one element at a time.
"""
import itertools
import os

import numpy as np

from .. import errors
from ..framework import nest
from ..framework import dtypes as _dt
from ..framework.tensor_shape import TensorShape

__all__ = ["Dataset", "DatasetV1", "Iterator", "AUTOTUNE", "INFINITE_CARDINALITY",
           "UNKNOWN_CARDINALITY", "NumpyIterator"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_INT64_MAX = 2 ** 63 - 1


def _TensorSpec():
    from ..eager.function import TensorSpec
    return TensorSpec


# --- structures ------------------------------------------------------------------------
# An element is a nest of (NumPy value) leaves; its spec the same nest of TensorSpecs.
# Tuples, namedtuples and dicts are structure; a list given by the user is one tensor (TF).

def _normalize_input(x):
    """User input to a nest of (ndarray, DType) leaves."""
    if isinstance(x, dict):
        return type(x)((k, _normalize_input(v)) for k, v in x.items())
    if isinstance(x, tuple):
        vals = [_normalize_input(v) for v in x]
        return type(x)(*vals) if hasattr(x, "_fields") else tuple(vals)
    return _leaf(x)


def _leaf(x):
    from ..eager.execute import convert_to_eager
    from ..framework import ops as _ops
    if isinstance(x, _ops.Tensor) and not getattr(x, "_is_eager", False):
        raise TypeError(f"tfteach's tf.data needs concrete values, got the symbolic tensor "
                        f"{x!r}: build the dataset from NumPy arrays or eager tensors.")
    if isinstance(x, np.ndarray):
        return np.asarray(x), _dt.as_dtype(x.dtype)
    t = convert_to_eager(x)
    return np.asarray(t._value), t.dtype.base_dtype


def _flat(structure):
    return nest.flatten(structure)


def _pack(structure, flat):
    return nest.pack_sequence_as(structure, list(flat))


def _spec_of_value(arr, dtype):
    return _TensorSpec()(TensorShape(arr.shape), dtype)


def _to_tensors(spec, flat_values):
    from ..eager.tensor import EagerTensor
    out = []
    for s, v in zip(_flat(spec), flat_values):
        v = np.asarray(v, dtype=s.dtype._np) if not isinstance(v, np.ndarray) else v
        out.append(EagerTensor(v[()] if v.ndim == 0 else v, s.dtype))
    return _pack(spec, out)


def _to_numpy(flat_values):
    return [v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v for v in flat_values]


# --- tracing user functions ------------------------------------------------------------

class _Traced:
    """A user function traced once against an element spec; runs on flat NumPy values."""

    def __init__(self, func, in_spec, what):
        from ..eager.function import Function
        self.in_spec = in_spec
        unpack = isinstance(in_spec, tuple)

        def call(*args):
            # TF passes a tuple element's components as separate arguments; the function
            # is converted by AutoGraph, as TF converts dataset functions
            from ..eager.autograph import converted_call
            out = converted_call(func, args if unpack else (args[0],), None)
            return _lists_to_tuples(out)

        args = tuple(in_spec) if unpack else (in_spec,)
        self.fn = Function(call, name=getattr(func, "__name__", what))
        self.cf = self.fn._trace_with_specs(args)
        outs = self.cf.structured_outputs
        self.out_spec = nest.map_structure(
            lambda t: _TensorSpec()(t.shape, t.dtype.base_dtype), outs)

    def __call__(self, flat_values):
        from ..eager.tensor import EagerTensor
        tensors = [EagerTensor(v, s.dtype) for v, s in zip(flat_values, _flat(self.in_spec))]
        out = self.cf._call_flat(tensors)
        return [np.asarray(t._value) for t in _flat(out)]


def _lists_to_tuples(x):
    if isinstance(x, list):
        return tuple(_lists_to_tuples(v) for v in x)
    if isinstance(x, dict):
        return type(x)((k, _lists_to_tuples(v)) for k, v in x.items())
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple(_lists_to_tuples(v) for v in x)
    return x


def _unsupported(method, **kwargs):
    for name, value in kwargs.items():
        if value is not None:
            raise NotImplementedError(f"tfteach's Dataset.{method} does not support the "
                                      f"argument `{name}` (got {value!r}).")


def _check_int(value, what):
    if hasattr(value, "numpy"):
        value = value.numpy()
    return int(value)


# --- Dataset -------------------------------------------------------------------------

class Dataset:
    """TF2's `tf.data.Dataset` (DatasetV2). Subclasses implement `_iter` (a generator of
    flat lists of NumPy values), `_spec` and `_card`."""

    _repr_name = "Dataset"
    _inputs = ()

    # --- what every dataset has
    @property
    def element_spec(self):
        return self._spec

    def __repr__(self):
        return f"<{self._repr_name} element_spec={self._spec!r}>"

    def cardinality(self):
        from ..eager.tensor import EagerTensor
        return EagerTensor(np.int64(self._card), _dt.int64)

    def __len__(self):
        from ..framework import ops as _ops
        if not _ops.executing_eagerly():
            raise TypeError("`tf.data.Dataset` only supports `len` in eager mode. Use "
                            "`tf.data.Dataset.cardinality()` instead.")
        if self._card == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._card == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self._card

    def __bool__(self):
        return True     # TF: a dataset is truthy even when empty (no __len__ lookup)

    def __iter__(self):
        from ..framework import ops as _ops
        if not _ops.executing_eagerly():
            if _ops.inside_function():
                raise RuntimeError(
                    "Iterating over a `tf.data.Dataset` inside a `tf.function` needs "
                    "AutoGraph (a function made with autograph=False, or called from code "
                    "AutoGraph does not convert, cannot loop over a dataset). Iterate in "
                    "eager code and pass each batch to the function: "
                    "`for batch in ds: step(batch)`.")
            raise RuntimeError("`tf.data.Dataset` only supports Python-style iteration in "
                               "eager mode or within tf.function.")
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        from ..framework import ops as _ops
        if not _ops.executing_eagerly():
            raise RuntimeError("`tf.data.Dataset.as_numpy_iterator()` is only supported in "
                               "eager mode.")
        return NumpyIterator(self)

    # --- sources
    @classmethod
    def from_tensor_slices(cls, tensors, name=None):
        return cls._adapt(_TensorSliceDataset(tensors))

    @classmethod
    def from_tensors(cls, tensors, name=None):
        return cls._adapt(_TensorDataset(tensors))

    @classmethod
    def range(cls, *args, output_type=_dt.int64, name=None):
        return cls._adapt(_RangeDataset(args, output_type))

    @classmethod
    def zip(cls, *args, datasets=None, name=None):
        if datasets is not None and args:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if datasets is None:
            datasets = args[0] if len(args) == 1 else tuple(args)
        return cls._adapt(_ZipDataset(datasets))

    @classmethod
    def _adapt(cls, ds):
        return ds

    def _wrap(self, ds):
        return type(self)._adapt(ds)

    # --- transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
            use_unbounded_threadpool=False, name=None):
        _unsupported("map", synchronous=synchronous)
        return self._wrap(_MapDataset(self, map_func, num_parallel_calls))

    def filter(self, predicate, name=None):
        return self._wrap(_FilterDataset(self, predicate))

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        return self._wrap(_BatchDataset(self, batch_size, drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        _unsupported("padded_batch", padded_shapes=padded_shapes,
                     padding_values=padding_values)
        return self._wrap(_PaddedBatchDataset(self, batch_size, drop_remainder))

    def unbatch(self, name=None):
        return self._wrap(_UnbatchDataset(self))

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        return self._wrap(_ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration))

    def repeat(self, count=None, name=None):
        return self._wrap(_RepeatDataset(self, count))

    def take(self, count, name=None):
        return self._wrap(_TakeDataset(self, count))

    def skip(self, count, name=None):
        return self._wrap(_SkipDataset(self, count))

    def prefetch(self, buffer_size, name=None):
        return self._wrap(_PrefetchDataset(self, buffer_size))

    def cache(self, filename="", name=None):
        if filename:
            raise NotImplementedError("tfteach's Dataset.cache keeps elements in memory "
                                      f"only; a file cache (filename={filename!r}) is not "
                                      "supported.")
        return self._wrap(_CacheDataset(self))

    def enumerate(self, start=0, name=None):
        return self._wrap(_ZipDataset((_RangeDataset((start, _INT64_MAX), _dt.int64), self)))

    def concatenate(self, dataset, name=None):
        return self._wrap(_ConcatenateDataset(self, dataset))

    def apply(self, transformation_func):
        ds = transformation_func(self)
        if not isinstance(ds, Dataset):
            raise TypeError(f"`transformation_func` must return a `tf.data.Dataset` object. "
                            f"Got {type(ds)}.")
        return ds

    def reduce(self, initial_state, reduce_func, name=None):
        state = _normalize_input(initial_state)
        state_spec = _spec_nest(state, lambda leaf: _spec_of_value(*leaf))
        flat_state = [a for a, _ in _flat_leaves(state)]
        elem_spec = self._spec
        n_state = len(_flat(state_spec))

        def step(*args):
            s = _pack(state_spec, args[:n_state])
            e = _pack(elem_spec, args[n_state:])
            from ..eager.autograph import converted_call
            return converted_call(reduce_func, (s, e), None)

        flat_in = tuple(_flat(state_spec)) + tuple(_flat(elem_spec))
        traced = _Traced(step, flat_in, "reduce_func")
        out_flat = _flat(traced.out_spec)
        if len(out_flat) != n_state or any(
                a.dtype != b.dtype for a, b in zip(out_flat, _flat(state_spec))):
            raise TypeError(f"The element types for the new state must match the initial "
                            f"state. Expected {state_spec}; got {traced.out_spec}.")
        for elem in self._iter():
            flat_state = traced(list(flat_state) + list(elem))
        return _to_tensors(state_spec, flat_state)


def _flat_leaves(normalized):
    """The (array, dtype) leaves of a normalized nest, in nest (sorted-key) order."""
    if isinstance(normalized, dict):
        return [leaf for k in sorted(normalized) for leaf in _flat_leaves(normalized[k])]
    if isinstance(normalized, tuple) and not (len(normalized) == 2 and
                                              isinstance(normalized[1], _dt.DType)):
        return [leaf for v in normalized for leaf in _flat_leaves(v)]
    return [normalized]


def _spec_nest(normalized, fn):
    """The nest of specs of a normalized nest, fn((array, dtype)) -> TensorSpec."""
    if isinstance(normalized, dict):
        return type(normalized)((k, _spec_nest(v, fn)) for k, v in normalized.items())
    if isinstance(normalized, tuple) and not (len(normalized) == 2 and
                                              isinstance(normalized[1], _dt.DType)):
        vals = [_spec_nest(v, fn) for v in normalized]
        return type(normalized)(*vals) if hasattr(normalized, "_fields") else tuple(vals)
    return fn(normalized)


class DatasetV1(Dataset):
    """`tf.compat.v1.data.Dataset`: DatasetV2 plus the TF1 iterators."""

    @classmethod
    def _adapt(cls, ds):
        return ds if isinstance(ds, DatasetV1) else DatasetV1Adapter(ds)

    def make_one_shot_iterator(self):
        from . import iterator_ops
        return iterator_ops.make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        raise NotImplementedError("tfteach does not implement make_initializable_iterator "
                                  "yet; use make_one_shot_iterator.")


class DatasetV1Adapter(DatasetV1):
    """Wraps a DatasetV2 so TF1 code gets the DatasetV1 methods; shows the wrapped repr."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._spec = dataset._spec
        self._card = dataset._card
        self._repr_name = dataset._repr_name

    def _iter(self):
        return self._dataset._iter()


# --- sources ---------------------------------------------------------------------------

class _TensorSliceDataset(Dataset):
    _repr_name = "_TensorSliceDataset"

    def __init__(self, tensors):
        norm = _normalize_input(tensors)
        leaves = _flat_leaves(norm)
        for arr, _ in leaves:
            if arr.ndim == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, "
                                 f"got a tensor of shape {tuple(arr.shape)}.")
        n = leaves[0][0].shape[0]
        for arr, _ in leaves[1:]:
            if arr.shape[0] != n:
                raise ValueError(f"Dimensions {n} and {arr.shape[0]} are not compatible")
        self._arrays = [arr for arr, _ in leaves]
        self._spec = _spec_nest(norm, lambda leaf: _TensorSpec()(
            TensorShape(leaf[0].shape[1:]), leaf[1]))
        self._card = int(n)

    def _iter(self):
        arrays = self._arrays
        for i in range(self._card):
            yield [a[i] for a in arrays]


class _TensorDataset(Dataset):
    _repr_name = "_TensorDataset"

    def __init__(self, tensors):
        norm = _normalize_input(tensors)
        self._values = [arr for arr, _ in _flat_leaves(norm)]
        self._spec = _spec_nest(norm, lambda leaf: _spec_of_value(*leaf))
        self._card = 1

    def _iter(self):
        yield list(self._values)


class _RangeDataset(Dataset):
    _repr_name = "_RangeDataset"

    def __init__(self, args, output_type):
        args = [_check_int(a, "range") for a in args]
        if len(args) == 1:
            start, stop, step = 0, args[0], 1
        elif len(args) == 2:
            (start, stop), step = args, 1
        elif len(args) == 3:
            start, stop, step = args
        else:
            raise ValueError(f"Invalid arguments to RangeDataset: {args}")
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
        self._range = range(start, stop, step)
        self._dtype = _dt.as_dtype(output_type)
        self._spec = _TensorSpec()(TensorShape([]), self._dtype)
        self._card = len(self._range)

    def _iter(self):
        t = self._dtype._np.type
        for i in self._range:
            yield [t(i)]


class _ZipDataset(Dataset):
    _repr_name = "_ZipDataset"

    def __init__(self, datasets):
        leaves = nest.flatten(datasets)
        for d in leaves:
            if not isinstance(d, Dataset):
                raise TypeError(f"Invalid input to `zip`. Inputs are expected to be (nested) "
                                f"structures of `tf.data.Dataset` objects but encountered "
                                f"object of type {type(d)}.")
        self._structure = datasets
        self._datasets = leaves
        self._spec = nest.pack_sequence_as(datasets, [d._spec for d in leaves])
        cards = [d._card for d in leaves]
        finite = [c for c in cards if c >= 0]
        if finite:
            self._card = min(finite)
        elif UNKNOWN_CARDINALITY in cards:
            self._card = UNKNOWN_CARDINALITY
        else:
            self._card = INFINITE_CARDINALITY
        if finite and UNKNOWN_CARDINALITY in cards:
            self._card = UNKNOWN_CARDINALITY

    def _iter(self):
        its = [d._iter() for d in self._datasets]
        for parts in zip(*its):
            yield [v for p in parts for v in p]


# --- transformations -------------------------------------------------------------------

class _MapDataset(Dataset):
    _repr_name = "_MapDataset"

    def __init__(self, input_dataset, map_func, num_parallel_calls):
        if num_parallel_calls is not None:
            self._repr_name = "_ParallelMapDataset"
        self._input = input_dataset
        self._fn = _Traced(map_func, input_dataset._spec, "map_func")
        self._spec = self._fn.out_spec
        self._card = input_dataset._card

    def _iter(self):
        fn = self._fn
        for elem in self._input._iter():
            yield fn(elem)


class _FilterDataset(Dataset):
    _repr_name = "_FilterDataset"

    def __init__(self, input_dataset, predicate):
        self._input = input_dataset
        self._fn = _Traced(predicate, input_dataset._spec, "predicate")
        out = self._fn.out_spec
        if not (isinstance(out, _TensorSpec()) and out.dtype == _dt.bool_ and
                out.shape.rank == 0):
            raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` "
                             f"scalar tensor, but its return type is {out}.")
        self._spec = input_dataset._spec
        self._card = UNKNOWN_CARDINALITY if input_dataset._card != INFINITE_CARDINALITY \
            else INFINITE_CARDINALITY

    def _iter(self):
        fn = self._fn
        for elem in self._input._iter():
            if fn(elem)[0]:
                yield elem


def _batch_card(card, n, drop):
    if card < 0:
        return card
    return card // n if drop else -(-card // n)


def _positive(value, what, op):
    value = _check_int(value, what)
    if value <= 0:
        raise errors.InvalidArgumentError(None, None, f"{what} must be greater than zero. "
                                                      f"[Op:{op}]")
    return value


class _BatchDataset(Dataset):
    _repr_name = "_BatchDataset"

    def __init__(self, input_dataset, batch_size, drop_remainder):
        self._input = input_dataset
        self._n = _positive(batch_size, "Batch size", "BatchDatasetV2")
        self._drop = bool(drop_remainder)
        first = self._n if self._drop else None
        self._spec = nest.map_structure(
            lambda s: _TensorSpec()(TensorShape([first] + list(s.shape.as_list()
                                                            if s.shape.rank is not None
                                                            else [])), s.dtype),
            input_dataset._spec)
        self._card = _batch_card(input_dataset._card, self._n, self._drop)

    def _stack(self, rows):
        return [np.stack(col) for col in zip(*rows)]

    def _iter(self):
        rows = []
        for elem in self._input._iter():
            rows.append(elem)
            if len(rows) == self._n:
                yield self._stack(rows)
                rows = []
        if rows and not self._drop:
            yield self._stack(rows)


class _PaddedBatchDataset(_BatchDataset):
    """Pads each component to the largest shape in its batch, with zeros (TF's defaults
    for `padded_shapes=None`, `padding_values=None`)."""
    _repr_name = "_PaddedBatchDataset"

    def __init__(self, input_dataset, batch_size, drop_remainder):
        super().__init__(input_dataset, batch_size, drop_remainder)
        first = self._n if self._drop else None
        self._spec = nest.map_structure(
            lambda s: _TensorSpec()(TensorShape([first] + [None] * s.shape.rank), s.dtype),
            input_dataset._spec)

    def _stack(self, rows):
        out = []
        for col in zip(*rows):
            col = [np.asarray(v) for v in col]
            shape = np.max([v.shape for v in col], axis=0) if col[0].ndim else ()
            batch = np.zeros((len(col),) + tuple(int(d) for d in shape), dtype=col[0].dtype)
            for i, v in enumerate(col):
                batch[(i,) + tuple(slice(0, d) for d in v.shape)] = v
            out.append(batch)
        return out


class _UnbatchDataset(Dataset):
    _repr_name = "_UnbatchDataset"

    def __init__(self, input_dataset):
        self._input = input_dataset
        specs = _flat(input_dataset._spec)
        for s in specs:
            if s.shape.rank == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        self._spec = nest.map_structure(
            lambda s: _TensorSpec()(TensorShape(s.shape.as_list()[1:]), s.dtype),
            input_dataset._spec)
        self._card = input_dataset._card if input_dataset._card == INFINITE_CARDINALITY \
            else UNKNOWN_CARDINALITY

    def _iter(self):
        for elem in self._input._iter():
            n = len(elem[0])
            for i in range(n):
                yield [v[i] for v in elem]


class _ShuffleDataset(Dataset):
    """TF's shuffle buffer: fill the buffer with `buffer_size` elements, then repeatedly
    output a random one of them and put the next input element in its place. Small buffers
    therefore only move elements a short way; `buffer_size >= cardinality` is a uniform
    shuffle. The random order comes from NumPy, so it differs from TF's for the same seed,
    but the seeds work as TF's: `seed` or `tf.random.set_seed` make it reproducible."""
    _repr_name = "_ShuffleDataset"

    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        from ..ops import random_ops
        self._input = input_dataset
        self._buffer = _check_int(buffer_size, "buffer_size")
        if self._buffer <= 0 and self._buffer != UNKNOWN_CARDINALITY:
            raise errors.InvalidArgumentError(
                None, None, "buffer_size must be greater than zero or UNKNOWN_CARDINALITY "
                            "[Op:ShuffleDatasetV3]")
        seed, seed2 = random_ops.get_seed(seed)
        self._seeds = None if seed is None else (seed, seed2)
        self._reshuffle = bool(reshuffle_each_iteration)
        self._epoch = itertools.count()
        self._entropy = int.from_bytes(os.urandom(8), "little")
        self._spec = input_dataset._spec
        self._card = input_dataset._card

    def _rng(self):
        base = list(self._seeds) if self._seeds is not None else [self._entropy]
        epoch = next(self._epoch) if self._reshuffle else 0
        return np.random.default_rng(base + [epoch])

    def _iter(self):
        rng = self._rng()
        size = self._buffer
        if size == UNKNOWN_CARDINALITY:
            size = _INT64_MAX
        buf = []
        src = self._input._iter()
        for elem in src:
            buf.append(elem)
            if len(buf) >= size:
                break
        for elem in src:
            i = int(rng.integers(len(buf)))
            out, buf[i] = buf[i], elem
            yield out
        while buf:
            i = int(rng.integers(len(buf)))
            buf[i], buf[-1] = buf[-1], buf[i]
            yield buf.pop()


class _RepeatDataset(Dataset):
    _repr_name = "_RepeatDataset"

    def __init__(self, input_dataset, count):
        self._input = input_dataset
        self._count = -1 if count is None else _check_int(count, "count")
        c = input_dataset._card
        if self._count == 0:
            self._card = 0
        elif c == 0:
            self._card = 0
        elif self._count < 0:
            self._card = INFINITE_CARDINALITY if c != UNKNOWN_CARDINALITY \
                else UNKNOWN_CARDINALITY
        else:
            self._card = c * self._count if c >= 0 else c
        self._spec = input_dataset._spec

    def _iter(self):
        n = 0
        while self._count < 0 or n < self._count:
            empty = True
            for elem in self._input._iter():
                empty = False
                yield elem
            if empty:
                return     # TF: repeating an empty dataset ends instead of spinning
            n += 1


class _TakeDataset(Dataset):
    _repr_name = "_TakeDataset"

    def __init__(self, input_dataset, count):
        self._input = input_dataset
        self._count = _check_int(count, "count")
        c = input_dataset._card
        if self._count < 0:
            self._card = c
        elif c == INFINITE_CARDINALITY:
            self._card = self._count
        elif c == UNKNOWN_CARDINALITY:
            self._card = UNKNOWN_CARDINALITY
        else:
            self._card = min(c, self._count)
        self._spec = input_dataset._spec

    def _iter(self):
        if self._count < 0:
            yield from self._input._iter()
            return
        if self._count == 0:
            return
        for i, elem in enumerate(self._input._iter()):
            yield elem
            if i + 1 >= self._count:
                return


class _SkipDataset(Dataset):
    _repr_name = "_SkipDataset"

    def __init__(self, input_dataset, count):
        self._input = input_dataset
        self._count = _check_int(count, "count")
        c = input_dataset._card
        if c < 0:
            self._card = c
        elif self._count < 0:
            self._card = 0
        else:
            self._card = max(0, c - self._count)
        self._spec = input_dataset._spec

    def _iter(self):
        it = self._input._iter()
        if self._count < 0:
            for _ in it:
                pass
            return
        yield from itertools.islice(it, self._count, None)


class _PrefetchDataset(Dataset):
    """Prefetching overlaps producing with consuming on TF's threads; tfteach produces on
    demand, which gives the same elements in the same order."""
    _repr_name = "_PrefetchDataset"

    def __init__(self, input_dataset, buffer_size):
        self._input = input_dataset
        n = _check_int(buffer_size, "buffer_size")
        if n < 0 and n != AUTOTUNE:
            raise errors.InvalidArgumentError(
                None, None, "buffer_size must be >= 0 or set buffer_size to be "
                            f"{AUTOTUNE} for auto-tuning [Op:PrefetchDataset]")
        self._spec = input_dataset._spec
        self._card = input_dataset._card

    def _iter(self):
        return self._input._iter()


class _CacheDataset(Dataset):
    """The first complete pass fills the cache; later passes read it. A pass abandoned
    half-way caches nothing (as TF's in-memory cache)."""
    _repr_name = "CacheDataset"

    def __init__(self, input_dataset):
        self._input = input_dataset
        self._cache = None
        self._spec = input_dataset._spec
        self._card = input_dataset._card

    def _iter(self):
        if self._cache is not None:
            yield from self._cache
            return
        seen = []
        for elem in self._input._iter():
            seen.append(elem)
            yield elem
        self._cache = seen


class _ConcatenateDataset(Dataset):
    _repr_name = "_ConcatenateDataset"

    def __init__(self, input_dataset, dataset_to_concatenate):
        a, b = input_dataset, dataset_to_concatenate
        sa, sb = _flat(a._spec), _flat(b._spec)
        try:
            nest.assert_same_structure(a._spec, b._spec)
        except (ValueError, TypeError):
            raise TypeError(f"Incompatible dataset elements:\n  {a._spec} vs. \n"
                            f"  {b._spec}") from None
        if any(x.dtype != y.dtype for x, y in zip(sa, sb)):
            raise TypeError(f"Incompatible dataset elements:\n  {a._spec} vs. \n"
                            f"  {b._spec}")
        self._a, self._b = a, b
        self._spec = nest.pack_sequence_as(a._spec, [
            _TensorSpec()(x.shape.most_specific_compatible_shape(y.shape)
                          if hasattr(x.shape, "most_specific_compatible_shape")
                          else (x.shape if x.shape == y.shape else TensorShape(None)),
                          x.dtype) for x, y in zip(sa, sb)])
        ca, cb = a._card, b._card
        if ca == INFINITE_CARDINALITY or cb == INFINITE_CARDINALITY:
            self._card = INFINITE_CARDINALITY
        elif ca == UNKNOWN_CARDINALITY or cb == UNKNOWN_CARDINALITY:
            self._card = UNKNOWN_CARDINALITY
        else:
            self._card = ca + cb

    def _iter(self):
        yield from self._a._iter()
        yield from self._b._iter()


# --- iterators -------------------------------------------------------------------------

class Iterator:
    """`tf.data.Iterator`: the base of the iterators a dataset gives."""

    @property
    def element_spec(self):
        return self._spec


class OwnedIterator(Iterator):
    """What `iter(ds)` gives in eager mode: `next` returns the next element as tensors and
    raises StopIteration at the end."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._spec = dataset._spec
        self._it = dataset._iter()

    def __iter__(self):
        return self

    def __next__(self):
        return _to_tensors(self._spec, next(self._it))

    def get_next(self):
        try:
            return next(self)
        except StopIteration:
            raise errors.OutOfRangeError(None, None, "End of sequence") from None


class NumpyIterator:
    """`ds.as_numpy_iterator()`: elements as NumPy values (scalars as NumPy scalars)."""

    def __init__(self, dataset):
        self._spec = dataset._spec
        self._it = dataset._iter()
        self._iterator = self._it

    def __iter__(self):
        return self

    def __next__(self):
        return _pack(self._spec, _to_numpy(next(self._it)))

    def next(self):
        return self.__next__()

    def __repr__(self):
        return f"NumpyIterator(iterator={self._iterator!r})"
