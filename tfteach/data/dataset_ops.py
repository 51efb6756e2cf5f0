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

__all__ = ["Dataset", "DatasetV1", "DatasetSpec", "Iterator", "AUTOTUNE",
           "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "NumpyIterator", "TextLineDataset",
           "TFRecordDataset"]

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
        if not _ops.inside_function():
            # a TF1 graph tensor (a placeholder, typically): its value comes in when an
            # initializable iterator's MakeIterator runs (see Dataset._captures)
            return x, x.dtype.base_dtype
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


def _is_symbolic(x):
    return not isinstance(x, np.ndarray) and hasattr(x, "op")


def _shape_of(x):
    return x.shape if _is_symbolic(x) else TensorShape(x.shape)


def _spec_of_value(arr, dtype):
    return _TensorSpec()(_shape_of(arr), dtype)


def _SparseSpec():
    from ..ops.sparse_ops import SparseTensorSpec
    return SparseTensorSpec


def _sparse_tensor(v):
    """A SparseTensorValue of NumPy parts as a SparseTensor of eager tensors."""
    from ..eager.tensor import EagerTensor
    from ..ops.sparse_ops import SparseTensor
    return SparseTensor(EagerTensor(np.asarray(v.indices, np.int64), _dt.int64),
                        EagerTensor(np.asarray(v.values),
                                    _dt.as_dtype(np.asarray(v.values).dtype)
                                    if np.asarray(v.values).dtype != object else _dt.string),
                        EagerTensor(np.asarray(v.dense_shape, np.int64), _dt.int64))


def _to_tensors(spec, flat_values):
    from ..eager.tensor import EagerTensor
    out = []
    for s, v in zip(_flat(spec), flat_values):
        if isinstance(s, DatasetSpec):
            out.append(v)       # a window's component is a dataset, handed over as it is
            continue
        if isinstance(s, _SparseSpec()):
            out.append(_sparse_tensor(v))
            continue
        v = np.asarray(v, dtype=s.dtype._np) if not isinstance(v, np.ndarray) else v
        out.append(EagerTensor(v[()] if v.ndim == 0 else v, s.dtype))
    return _pack(spec, out)


def _dense_of(v):
    """TF's as_numpy_iterator gives a SparseTensor as the dense array it stands for (zeros
    elsewhere; 0 in an object array for strings)."""
    values = np.asarray(v.values)
    out = np.zeros(np.asarray(v.dense_shape, np.int64), dtype=values.dtype)
    for i, x in zip(np.asarray(v.indices), values):
        out[tuple(i)] = x
    return out


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
        self.cf = self.fn._trace_with_specs(_as_parts(args))
        self.out_spec = _out_spec(self.cf.structured_outputs)

    def __call__(self, flat_values):
        from ..eager.tensor import EagerTensor
        tensors = []
        for v, s in zip(flat_values, _flat(self.in_spec)):
            if isinstance(s, _SparseSpec()):
                # a SparseTensor argument is its three parts, as the trace took it
                tensors += [EagerTensor(np.asarray(v.indices, np.int64), _dt.int64),
                            EagerTensor(np.asarray(v.values), s.dtype),
                            EagerTensor(np.asarray(v.dense_shape, np.int64), _dt.int64)]
            else:
                tensors.append(EagerTensor(v, s.dtype))
        out = self.cf._call_flat(tensors)
        return [_leaf_value(t) for t in _flat(out)]


def _leaf_value(t):
    if hasattr(t, "dense_shape") and hasattr(t, "indices"):
        from ..ops.sparse_ops import SparseTensorValue
        return SparseTensorValue(np.asarray(t.indices._value), np.asarray(t.values._value),
                                 np.asarray(t.dense_shape._value))
    return np.asarray(t._value)


def _as_parts(x):
    """Specs for tracing: a SparseTensorSpec as the specs of its three parts, which the
    trace takes as placeholders and rebuilds into a SparseTensor."""
    from ..eager.function import _CompositeParts
    from ..ops.sparse_ops import SparseTensor
    if isinstance(x, _SparseSpec()):
        rank = x.shape.rank
        return _CompositeParts(SparseTensor,
                               _TensorSpec()(TensorShape([None, rank]), _dt.int64),
                               _TensorSpec()(TensorShape([None]), x.dtype),
                               _TensorSpec()(TensorShape([rank]), _dt.int64))
    if isinstance(x, dict):
        return type(x)((k, _as_parts(v)) for k, v in x.items())
    if isinstance(x, tuple):
        vals = [_as_parts(v) for v in x]
        return type(x)(*vals) if hasattr(x, "_fields") else tuple(vals)
    return x


def _out_spec(x):
    """The element spec of a traced function's structured outputs."""
    from ..eager.function import _CompositeParts
    from ..ops.sparse_ops import SparseTensor
    if isinstance(x, _CompositeParts):
        if x[0] is not SparseTensor:
            raise NotImplementedError(f"tfteach's tf.data carries SparseTensors, not "
                                      f"{x[0].__name__}s: return their parts or a dense "
                                      f"tensor from the function")
        from ..framework import tensor_util
        shape = tensor_util.constant_value_as_shape(x[3])
        return _SparseSpec()(shape, x[2].dtype.base_dtype)
    if isinstance(x, dict):
        return type(x)((k, _out_spec(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        vals = [_out_spec(v) for v in x]
        return type(x)(*vals) if hasattr(x, "_fields") else type(x)(vals)
    return _TensorSpec()(x.shape, x.dtype.base_dtype)


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

    # --- graph tensors a TF1 dataset was built from (placeholders): MakeIterator's inputs
    def _captures(self):
        out = []
        for value in vars(self).values():
            for t in _captures_in(value):
                if not any(t is o for o in out):
                    out.append(t)
        return out

    def _bind(self, values):
        """This dataset with its graph tensors replaced by their values ({id: value}),
        sharing every part that captured none."""
        if not self._captures():
            return self
        import copy
        bound = copy.copy(self)
        for k, v in vars(self).items():
            nv = _bind_in(v, values)
            if nv is not v:
                setattr(bound, k, nv)
        bound._rebound()
        return bound

    def _rebound(self):
        pass

    def _flat_specs(self):
        return _flat(self._spec)

    def _component_dtypes(self):
        """The dtypes of the tensors an element travels as through the iterator ops."""
        from .iterator_ops import components
        return [d for d, _ in components(self._spec)]

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
        return self._wrap(_PaddedBatchDataset(self, batch_size, drop_remainder,
                                              padded_shapes, padding_values))

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
        if hasattr(filename, "numpy"):
            filename = filename.numpy()
        if isinstance(filename, bytes):
            filename = filename.decode()
        if filename:
            return self._wrap(_FileCacheDataset(self, os.fspath(filename)))
        return self._wrap(_CacheDataset(self))

    def flat_map(self, map_func, name=None):
        return self._wrap(_InterleaveDataset(self, map_func, 1, 1, "_FlatMapDataset"))

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        if cycle_length is None or _check_int(cycle_length, "cycle_length") == AUTOTUNE:
            # TF's default: as many open elements as CPUs this process may use
            cycle_length = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
                else (os.cpu_count() or 1)
        block_length = 1 if block_length is None else block_length
        cycle_length = _positive(cycle_length, "cycle_length", "InterleaveDataset")
        block_length = _positive(block_length, "block_length", "InterleaveDataset")
        kind = "_InterleaveDataset" if num_parallel_calls is None else \
            "_ParallelInterleaveDataset"
        return self._wrap(_InterleaveDataset(self, map_func, cycle_length, block_length, kind))

    @classmethod
    def from_generator(cls, generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        return cls._adapt(_GeneratorDataset(generator, output_types, output_shapes, args,
                                            output_signature))

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        return self._wrap(_WindowDataset(self, size, shift, stride, drop_remainder))

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


def _captures_in(value):
    if isinstance(value, Dataset):
        return value._captures()
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _captures_in(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _captures_in(v)]
    if _is_symbolic(value):
        return [value]
    return []


def _bind_in(value, values):
    if isinstance(value, Dataset):
        return value._bind(values)
    if isinstance(value, (list, tuple)):
        new = [_bind_in(v, values) for v in value]
        if all(a is b for a, b in zip(new, value)):
            return value
        return type(value)(*new) if hasattr(value, "_fields") else type(value)(new)
    if isinstance(value, dict):
        new = {k: _bind_in(v, values) for k, v in value.items()}
        if all(new[k] is value[k] for k in value):
            return value
        return type(value)(new)
    if _is_symbolic(value):
        return np.asarray(values[id(value)])
    return value


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
        from . import iterator_ops
        return iterator_ops.make_initializable_iterator(self, shared_name)

    @property
    def output_types(self):
        return nest.map_structure(lambda sp: sp.dtype, self._spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda sp: sp.shape, self._spec)

    @property
    def output_classes(self):
        from .iterator_ops import get_output_classes
        return get_output_classes(self)


class DatasetV1Adapter(DatasetV1):
    """Wraps a DatasetV2 so TF1 code gets the DatasetV1 methods; shows the wrapped repr."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._spec = dataset._spec
        self._card = dataset._card
        self._repr_name = dataset._repr_name

    def _iter(self):
        return self._dataset._iter()

    def _rebound(self):
        self._card = self._dataset._card


# --- sources ---------------------------------------------------------------------------

class _TensorSliceDataset(Dataset):
    _repr_name = "_TensorSliceDataset"

    def __init__(self, tensors):
        norm = _normalize_input(tensors)
        leaves = _flat_leaves(norm)
        shapes = [_shape_of(arr) for arr, _ in leaves]
        for shape in shapes:
            if shape.rank == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1, "
                                 f"got a tensor of shape {tuple(shape.as_list())}.")
        firsts = [sh.as_list()[0] if sh.rank is not None else None for sh in shapes]
        known = [d for d in firsts if d is not None]
        for d in known[1:]:
            if d != known[0]:
                raise ValueError(f"Dimensions {known[0]} and {d} are not compatible")
        self._arrays = [arr for arr, _ in leaves]
        self._spec = _spec_nest(norm, lambda leaf: _TensorSpec()(
            TensorShape(_shape_of(leaf[0]).as_list()[1:])
            if _shape_of(leaf[0]).rank is not None else TensorShape(None), leaf[1]))
        self._card = known[0] if len(known) == len(firsts) else UNKNOWN_CARDINALITY

    def _rebound(self):
        n = len(self._arrays[0])
        for a in self._arrays[1:]:
            if len(a) != n:
                raise errors.InvalidArgumentError(
                    None, None, f"All components must have the same size in the 0th "
                                f"dimension, got {n} and {len(a)}.")
        self._card = n

    def _iter(self):
        arrays = self._arrays
        if any(_is_symbolic(a) for a in arrays):
            raise errors.FailedPreconditionError(
                None, None, "This dataset reads graph tensors: iterate it through "
                            "tf.compat.v1.data.make_initializable_iterator.")
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
            lambda s: type(s)(TensorShape([first] + list(s.shape.as_list()
                                                      if s.shape.rank is not None
                                                      else [])), s.dtype),
            input_dataset._spec)
        self._card = _batch_card(input_dataset._card, self._n, self._drop)

    def _stack(self, rows):
        return [_stack_sparse(col) if col and hasattr(col[0], "dense_shape") else
                np.stack(col) for col in zip(*rows)]

    def _iter(self):
        rows = []
        for elem in self._input._iter():
            rows.append(elem)
            if len(rows) == self._n:
                yield self._stack(rows)
                rows = []
        if rows and not self._drop:
            yield self._stack(rows)


def _stack_sparse(values):
    """A batch of SparseTensorValues as TF batches SparseTensors: each entry's index gains
    the batch position in front, the dense shape is the batch size and each dimension's
    largest."""
    from ..ops.sparse_ops import SparseTensorValue
    rank = len(np.asarray(values[0].dense_shape))
    ix = [np.concatenate([np.full((len(v.indices), 1), b, np.int64),
                          np.asarray(v.indices, np.int64).reshape(-1, rank)], axis=1)
          for b, v in enumerate(values)]
    shape = np.max(np.stack([np.asarray(v.dense_shape, np.int64) for v in values]), axis=0)
    return SparseTensorValue(np.concatenate(ix).reshape(-1, rank + 1),
                             np.concatenate([np.asarray(v.values) for v in values]),
                             np.concatenate([[len(values)], shape]).astype(np.int64))


class _PaddedBatchDataset(_BatchDataset):
    """Pads each component to `padded_shapes` (a dimension given as None or -1: the
    largest in the batch) with `padding_values` (zero or b"" by default)."""
    _repr_name = "_PaddedBatchDataset"

    def __init__(self, input_dataset, batch_size, drop_remainder, padded_shapes=None,
                 padding_values=None):
        super().__init__(input_dataset, batch_size, drop_remainder)
        first = self._n if self._drop else None
        specs = _flat(input_dataset._spec)
        if padded_shapes is None:
            for sp in specs:
                if sp.shape.rank is None:
                    raise ValueError("You must provide `padded_shapes` argument because "
                                     "component 0 has unknown rank.")
            pads = [TensorShape([None] * sp.shape.rank) for sp in specs]
        else:
            pads = [_as_padded_shape(p) for p in _flatten_up_to(input_dataset._spec,
                                                                padded_shapes)]
            for sp, pad in zip(specs, pads):
                if not sp.shape.is_compatible_with(pad) and not (
                        sp.shape.rank == pad.rank or sp.shape.rank is None):
                    raise ValueError(f"The padded shape {pad} is not compatible with the "
                                     f"shape {sp.shape} of the corresponding input "
                                     f"component.")
        self._pads = [None if p.rank is None else p.as_list() for p in pads]
        if padding_values is None:
            self._values = [b"" if sp.dtype == _dt.string else 0 for sp in specs]
        else:
            flat_values = _flatten_up_to(input_dataset._spec, padding_values)
            self._values = []
            for sp, v in zip(specs, flat_values):
                dt = getattr(v, "dtype", None)
                if dt is not None and isinstance(dt, _dt.DType) and dt.base_dtype != sp.dtype:
                    raise TypeError(f"Padding value {v} of type {dt.name} does not match "
                                    f"component of type {sp.dtype.name}.")
                self._values.append(np.asarray(v.numpy() if hasattr(v, "numpy") else v)
                                    [()])
        self._spec = _pack(input_dataset._spec, [
            _TensorSpec()(TensorShape([first] + (pad if pad is not None else
                                                 [None] * (sp.shape.rank or 0))), sp.dtype)
            for sp, pad in zip(specs, self._pads)])

    def _stack(self, rows):
        out = []
        for col, pad, value in zip(zip(*rows), self._pads, self._values):
            col = [np.asarray(v) for v in col]
            biggest = np.max([v.shape for v in col], axis=0) if col[0].ndim else ()
            shape = [int(b) if p is None or p < 0 else int(p)
                     for b, p in zip(biggest, pad or [None] * len(biggest))]
            for v in col:
                if any(d > want for d, want in zip(v.shape, shape)):
                    raise errors.DataLossError(None, None, "Attempted to pad to a smaller "
                                                           "size than the input element.")
            batch = np.full((len(col),) + tuple(shape), value, dtype=col[0].dtype)
            for i, v in enumerate(col):
                batch[(i,) + tuple(slice(0, d) for d in v.shape)] = v
            out.append(batch)
        return out


def _as_padded_shape(p):
    if hasattr(p, "numpy"):
        p = p.numpy().tolist()
    if isinstance(p, np.ndarray):
        p = p.tolist()
    shape = p if isinstance(p, TensorShape) else TensorShape(
        [None if d is None or (isinstance(d, int) and d < 0) else d for d in p])
    return shape


def _flatten_up_to(spec, value):
    """`value` flattened along the structure of `spec` (a list or TensorShape where spec
    has one component is that component's value, as TF's flatten_up_to)."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise TypeError("expected a dict")
        return [v for k in sorted(spec) for v in _flatten_up_to(spec[k], value[k])]
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise ValueError(f"The two structures don't have the same sequence length. "
                             f"Input structure has length {len(spec)}, while shallow "
                             f"structure has length "
                             f"{len(value) if isinstance(value, (tuple, list)) else 1}.")
        return [v for sp, x in zip(spec, value) for v in _flatten_up_to(sp, x)]
    return [value]


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


class _FileCacheDataset(Dataset):
    """`cache(filename)`: the first complete pass writes `<filename>.index` and
    `<filename>.data-00000-of-00001` (tfteach's checkpoint container); while those files
    exist every pass, in this process or a later one, reads them instead of the input. A
    pass abandoned half-way writes nothing."""
    _repr_name = "CacheDataset"

    def __init__(self, input_dataset, filename):
        self._input = input_dataset
        self._filename = filename
        self._spec = input_dataset._spec
        self._card = input_dataset._card

    def _iter(self):
        from ..train import saver as _saver
        if os.path.exists(self._filename + ".index"):
            reader = _saver.CheckpointReader(self._filename)
            n = int(reader.get_tensor("count"))
            k = len(self._flat_specs())
            for i in range(n):
                yield [reader._array(f"{i:010d}/{j}") for j in range(k)]
            return
        seen = []
        for elem in self._input._iter():
            seen.append(elem)
            yield elem
        tensors = {f"{i:010d}/{j}": np.asarray(v) for i, e in enumerate(seen)
                   for j, v in enumerate(e)}
        tensors["count"] = np.int64(len(seen))
        d = os.path.dirname(self._filename)
        if d and not os.path.isdir(d):
            raise errors.NotFoundError(None, None, f"{d}; No such file or directory")
        _saver._write_checkpoint(self._filename, sorted(tensors.items()))


def _call_eagerly(func, spec, flat_values):
    """Calls a user function on one element, as eager tensors, even inside a TF1 session
    run (TF traces it once; tfteach runs it per element, so its Python runs each time)."""
    from ..eager import context
    with context.eager_mode():
        args = _to_tensors(spec, flat_values)
        return func(*args) if isinstance(spec, tuple) and not hasattr(spec, "_fields") \
            else func(args)


class _InterleaveDataset(Dataset):
    """`interleave` (and `flat_map`, its one-at-a-time case): up to `cycle_length` datasets
    made by `map_func` are open at once; `block_length` consecutive elements are taken from
    each in turn, and an exhausted one is replaced by the next input element's dataset in
    its slot, in TF's order."""

    def __init__(self, input_dataset, map_func, cycle_length, block_length, kind):
        self._repr_name = kind
        self._input = input_dataset
        self._func = map_func
        self._cycle, self._block = cycle_length, block_length
        self._spec = self._result_spec()
        self._card = UNKNOWN_CARDINALITY if input_dataset._card != 0 else 0

    def _make(self, elem):
        ds = _call_eagerly(self._func, self._input._spec, elem)
        if not isinstance(ds, Dataset):
            raise TypeError(f"The `map_func` argument must return a `Dataset` object. Got "
                            f"{type(ds)!r}.")
        return ds

    def _result_spec(self):
        # the spec of the dataset map_func returns for the first element (TF reads it off
        # the traced function; tfteach, whose datasets are Python objects, makes one)
        for elem in self._input._iter():
            return self._make(elem)._spec
        raise ValueError("tfteach needs one input element to learn the element_spec of "
                         "interleave/flat_map, and the input dataset is empty.")

    def _iter(self):
        def open_one(x):
            ds = self._make(x)
            if _flat(ds._spec) and any(a.dtype != b.dtype for a, b in
                                       zip(_flat(ds._spec), _flat(self._spec))):
                raise TypeError(f"The `map_func` argument must return datasets of "
                                f"{self._spec}, got {ds._spec}.")
            return ds._iter()
        yield from _interleave(self._input._iter(), open_one, self._cycle, self._block)


def _interleave(src, open_one, cycle, block_length):
    """TF's interleave order: up to `cycle` iterators made by `open_one(x)` from the inputs
    `src` are open at once; `block_length` consecutive elements are taken from each in turn,
    and an exhausted one is replaced by the next input's iterator in its slot."""
    slots = [None] * cycle
    i = block = n_open = 0
    end_of_input = False
    while not end_of_input or n_open > 0:
        if slots[i] is not None:
            try:
                elem = next(slots[i])
            except StopIteration:
                slots[i] = None
                n_open -= 1
                i, block = (i + 1) % cycle, 0
                continue
            block += 1
            if block == block_length:
                i, block = (i + 1) % cycle, 0
            yield elem
        elif not end_of_input:
            try:
                x = next(src)
            except StopIteration:
                end_of_input = True
                continue
            slots[i] = open_one(x)
            n_open += 1
        else:
            i, block = (i + 1) % cycle, 0


class _GeneratorDataset(Dataset):
    """`Dataset.from_generator`: calls `generator(*args)` afresh for every pass and checks
    each element against the declared signature (TF's errors, raised when read)."""
    _repr_name = "_FlatMapDataset"      # TF builds it as a flat_map over the args

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None:
                raise TypeError("The `output_types` argument can not be used together with "
                                "the `output_signature` argument.")
            if output_shapes is not None:
                raise TypeError("The `output_shapes` argument can not be used together "
                                "with the `output_signature` argument.")
            spec = output_signature
        else:
            if output_types is None:
                raise TypeError("To specify the output signature you need to provide "
                                "either the `output_signature` argument or the "
                                "`output_types` argument.")
            from .iterator_ops import _spec_from
            spec = _spec_from(output_types, output_shapes)
        self._gen = generator
        self._args = [] if args is None else [
            np.asarray(_leaf(a)[0]) for a in (args if isinstance(args, (list, tuple))
                                              else [args])]
        self._spec = spec
        self._card = UNKNOWN_CARDINALITY

    def _iter(self):
        specs = _flat(self._spec)
        args = [a[()] if a.ndim == 0 else a for a in self._args]
        for value in self._gen(*args):
            value = _lists_to_tuples_shallow(value, self._spec)
            try:
                flat = _flatten_up_to(self._spec, value)
            except (ValueError, TypeError, KeyError):
                raise errors.InvalidArgumentError(
                    None, None, f"TypeError: `generator` yielded an element that did not "
                                f"match the expected structure. The expected structure was "
                                f"{nest.map_structure(lambda sp: sp.dtype, self._spec)}, "
                                f"but the yielded element was {value}.") from None
            out = []
            for v, sp in zip(flat, specs):
                try:
                    arr = np.asarray(v.numpy() if hasattr(v, "numpy") else v,
                                     dtype=sp.dtype._np)
                    if sp.dtype == _dt.string:
                        arr = np.vectorize(lambda x: x.encode() if isinstance(x, str) else x,
                                           otypes=[object])(arr) if arr.size else arr
                except (TypeError, ValueError):
                    raise errors.InvalidArgumentError(
                        None, None, f"TypeError: `generator` yielded an element that could "
                                    f"not be converted to the expected type. The expected "
                                    f"type was {sp.dtype.name}, but the yielded element was "
                                    f"{v}.") from None
                if not sp.shape.is_compatible_with(TensorShape(arr.shape)):
                    raise errors.InvalidArgumentError(
                        None, None, f"TypeError: `generator` yielded an element of shape "
                                    f"{tuple(arr.shape)} where an element of shape "
                                    f"{tuple(sp.shape.as_list())} was expected.")
                out.append(arr)
            yield out


def _lists_to_tuples_shallow(value, spec):
    # a generator often yields lists where the signature is a tuple
    if isinstance(spec, tuple) and isinstance(value, list):
        return tuple(value)
    return value


class TextLineDataset(Dataset):
    """`tf.data.TextLineDataset`: the lines of text files, one scalar tf.string each, without
    their line ending ("\n" or "\r\n"); files are read one after another."""
    _repr_name = "TextLineDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        if isinstance(filenames, Dataset):
            self._files = filenames
        else:
            arr, dt = _leaf(filenames)
            if dt != _dt.string:
                raise TypeError(f"`filenames` must be a `tf.Tensor` of `tf.string` "
                                f"elements, got {dt!r}.")
            self._files = np.atleast_1d(arr) if not _is_symbolic(arr) else arr
        if hasattr(compression_type, "numpy"):
            compression_type = compression_type.numpy()
        if isinstance(compression_type, bytes):
            compression_type = compression_type.decode()
        if compression_type not in (None, "", "GZIP", "ZLIB"):
            raise errors.InvalidArgumentError(None, None, f"Unsupported compression: "
                                                          f"{compression_type}")
        self._compression = compression_type or ""
        self._spec = _TensorSpec()(TensorShape([]), _dt.string)
        self._card = UNKNOWN_CARDINALITY

    def _names(self):
        if isinstance(self._files, Dataset):
            for elem in self._files._iter():
                yield elem[0][()] if isinstance(elem[0], np.ndarray) else elem[0]
        else:
            yield from np.asarray(self._files).reshape(-1)

    def _iter(self):
        import gzip
        import zlib
        for name in self._names():
            path = name.decode() if isinstance(name, bytes) else str(name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                raise errors.NotFoundError(None, None,
                                           f"{path}; No such file or directory") from None
            except IsADirectoryError:
                raise errors.FailedPreconditionError(None, None,
                                                     f"{path}; Is a directory") from None
            if self._compression == "GZIP":
                data = gzip.decompress(data)
            elif self._compression == "ZLIB":
                data = zlib.decompress(data)
            lines = data.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            for line in lines:
                if line.endswith(b"\r"):
                    line = line[:-1]
                yield [np.array(line, dtype=object)]


class TFRecordDataset(Dataset):
    """`tf.data.TFRecordDataset`: the records of TFRecord files, one scalar tf.string each,
    read as TF's RecordReader reads them (kernels/tfrecord.py): files one after another, or
    `num_parallel_reads` of them interleaved one record at a time in TF's deterministic
    order; `buffer_size` bytes are read from a file at a time; a damaged file raises
    DataLossError when the damage is reached, after the records before it."""
    _repr_name = "TFRecordDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        self._files = _filenames(filenames)
        if compression_type is None:
            compression_type = ""
        if isinstance(compression_type, (str, bytes)) or _is_symbolic(compression_type):
            self._compression = compression_type
        elif hasattr(compression_type, "dtype") and \
                compression_type.dtype.base_dtype == _dt.string:
            self._compression = _leaf(compression_type)[0]
        else:
            raise TypeError(f"Expected string, but got {compression_type!r} of type "
                            f"'{type(compression_type).__name__}'.")
        self._buffer = None if buffer_size is None else _check_int(buffer_size, "buffer_size")
        self._cycle = None
        if num_parallel_reads is not None:
            n = _check_int(num_parallel_reads, "num_parallel_reads")
            if n == AUTOTUNE:
                n = os.cpu_count() or 1        # TF's autotuned cycle: one file per core
            elif n <= 0:
                raise errors.InvalidArgumentError(
                    None, None, "`cycle_length` must be > 0 [Op:LegacyParallelInterleaveDatasetV2] "
                                "name: ")
            self._cycle = n
        self._spec = _TensorSpec()(TensorShape([]), _dt.string)
        self._card = UNKNOWN_CARDINALITY

    def _names(self):
        if isinstance(self._files, Dataset):
            for elem in self._files._iter():
                yield elem[0][()] if isinstance(elem[0], np.ndarray) else elem[0]
        else:
            yield from np.asarray(self._files).reshape(-1)

    def _iter(self):
        from ..kernels.tfrecord import compression_or_none, iter_records
        c = self._compression
        compression = compression_or_none(c if isinstance(c, (str, bytes)) else
                                          np.asarray(c)[()])
        if self._buffer is not None and self._buffer < 0:
            raise errors.InvalidArgumentError(None, None, "`buffer_size` must be >= 0 "
                                                          "(0 == no buffering)")

        def records(name):
            path = name.decode() if isinstance(name, bytes) else str(name)
            for r in iter_records(path, compression, self._buffer):
                yield [np.array(r, dtype=object)]
        if self._cycle is None:
            for name in self._names():
                yield from records(name)
        else:
            yield from _interleave(self._names(), records, self._cycle, 1)


def _filenames(filenames):
    """A TFRecordDataset's `filenames`: a dataset of scalar strings, or strings of any shape
    (read flattened), or a TF1 graph tensor fed later."""
    if isinstance(filenames, Dataset):
        spec = filenames._spec
        if not isinstance(spec, _TensorSpec()) or spec.dtype != _dt.string:
            got = spec.dtype if hasattr(spec, "dtype") else spec
            raise TypeError(f"The `filenames` argument must contain `tf.string` elements. Got "
                            f"a dataset of `{got!r}` elements.")
        if spec.shape.rank != 0:
            raise TypeError(f"The `filenames` argument must contain `tf.string` elements of "
                            f"shape [] (i.e. scalars). Got a dataset of element shape "
                            f"{spec.shape!r}.")
        return filenames
    if isinstance(filenames, (list, tuple)) and not filenames:
        return np.zeros([0], dtype=object)          # TF's dtype hint: an empty list of names
    arr, dt = _leaf(filenames)
    if dt != _dt.string:
        raise TypeError(f"The `filenames` argument must contain `tf.string` elements. Got "
                        f"`{dt!r}` elements.")
    return arr if _is_symbolic(arr) else np.asarray(arr).reshape(-1)


class DatasetSpec:
    """`tf.data.DatasetSpec`: the spec of an element that is itself a dataset (a window)."""

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    @property
    def shape(self):
        return self._dataset_shape

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and self.element_spec == other.element_spec \
            and self._dataset_shape == other._dataset_shape

    def __repr__(self):
        return (f"DatasetSpec({self.element_spec!r}, "
                f"TensorShape({self._dataset_shape.as_list()}))")


class _ListDataset(Dataset):
    """The elements of one window component (NumPy values, already read)."""
    _repr_name = "_VariantDataset"

    def __init__(self, values, spec):
        self._values = values
        self._spec = spec
        self._card = len(values)

    def _iter(self):
        for v in self._values:
            yield [v]


class _WindowDataset(Dataset):
    """`window`: windows of `size` elements `stride` apart, starting every `shift`
    elements; each window is a structure of datasets like the input's elements. The last
    windows may be short unless `drop_remainder`."""
    _repr_name = "_WindowDataset"

    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        self._input = input_dataset
        self._size = _positive(size, "Window size", "WindowDataset")
        self._shift = self._size if shift is None else _positive(shift, "Window shift",
                                                                 "WindowDataset")
        self._stride = _positive(stride, "Window stride", "WindowDataset")
        self._drop = bool(drop_remainder)
        self._spec = nest.map_structure(DatasetSpec, input_dataset._spec)
        n = input_dataset._card
        if n < 0:
            self._card = n
        elif self._drop:
            span = (self._size - 1) * self._stride + 1
            self._card = 0 if n < span else (n - span) // self._shift + 1
        else:
            self._card = -(-n // self._shift)

    def _iter(self):
        specs = _flat(self._input._spec)
        src = self._input._iter()
        buf, base, start, done = [], 0, 0, False
        span = (self._size - 1) * self._stride + 1
        while True:
            while not done and base + len(buf) < start + span:
                try:
                    buf.append(next(src))
                except StopIteration:
                    done = True
            picked = [buf[i - base] for i in range(start, min(start + span, base + len(buf)),
                                                   self._stride)]
            if not picked or (self._drop and len(picked) < self._size):
                return
            yield [_ListDataset([e[k] for e in picked], sp) for k, sp in enumerate(specs)]
            start += self._shift
            if start > base:
                del buf[:start - base]
                base = start


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
        self._position = 0

    def __iter__(self):
        return self

    def __next__(self):
        elem = next(self._it)
        self._position += 1
        return _to_tensors(self._spec, elem)

    # --- tf.train.Checkpoint: the position in the dataset (`it/.ATTRIBUTES/ITERATOR_STATE`)
    # TF serialises every stage's buffers; tfteach records how many elements were read and
    # restores by reading that many from a fresh pass, which lands on the same element
    # whenever the dataset's order is reproducible (no unseeded reshuffling).
    def _trackable_children(self):
        return {}

    def _serialize_to_tensors(self):
        return {"ITERATOR_STATE": np.array([self._position], dtype=np.int64)}

    def _restore_from_tensors(self, tensors):
        n = int(np.asarray(tensors["ITERATOR_STATE"]).reshape(-1)[0])
        it = self._dataset._iter()
        for _ in range(n):
            try:
                next(it)
            except StopIteration:
                break
        self._it, self._position = it, n

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
        flat = _to_numpy(next(self._it))
        flat = [_dense_of(v) if isinstance(sp, _SparseSpec()) else v
                for v, sp in zip(flat, _flat(self._spec))]
        return _pack(self._spec, flat)

    def next(self):
        return self.__next__()

    def __repr__(self):
        return f"NumpyIterator(iterator={self._iterator!r})"
