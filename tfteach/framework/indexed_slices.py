"""tf.IndexedSlices: a gradient that touches only some rows of a tensor.

The gradient of `gather(params, indices)` is zero everywhere except at the gathered rows,
so TF keeps it as three tensors -- `values` (one row per index), `indices` and
`dense_shape` -- instead of a dense tensor the size of `params` (an embedding matrix can
have millions of rows). Optimizers update only those rows (`ScatterSub`,
`SparseApply*`); anything else that needs a plain tensor converts it, which sums the rows
into a dense tensor with one `UnsortedSegmentSum` (duplicate indices add up).
"""
import collections
import warnings

import numpy as np

from . import ops as _ops
from .tensor_shape import TensorShape

__all__ = ["IndexedSlices", "IndexedSlicesSpec", "IndexedSlicesValue",
           "convert_to_tensor_or_indexed_slices"]

# What Session.run returns for a fetched IndexedSlices (numpy arrays).
IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue",
                                            ["values", "indices", "dense_shape"])

# TF warns when a conversion in a graph builds a dense tensor this large (static shape).
_LARGE_SPARSE_NUM_ELEMENTS = 100000000


class IndexedSlices:
    """values[i] is the slice of the dense tensor at row indices[i]."""

    _is_indexed_slices = True
    __array_priority__ = 100

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self):
        return self._values

    @property
    def indices(self):
        return self._indices

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def shape(self):
        if self._dense_shape is None:
            return TensorShape(None)
        ds = self._dense_shape
        if getattr(ds, "_is_eager", False):
            return TensorShape([int(d) for d in np.asarray(ds.numpy()).reshape(-1)])
        from . import tensor_util
        return tensor_util.constant_value_as_shape(ds)

    @property
    def name(self):
        return self._values.name

    @property
    def device(self):
        return self._values.device

    @property
    def op(self):
        return self._values.op

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    def consumers(self):
        out = []
        for t in (self._values, self._indices, self._dense_shape):
            if t is not None and hasattr(t, "consumers"):
                out.extend(c for c in t.consumers() if c not in out)
        return out

    def __str__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape!s}"
        return f"IndexedSlices(indices={self._indices!s}, values={self._values!s}{shape})"

    def __neg__(self):
        return IndexedSlices(-self._values, self._indices, self._dense_shape)

    # Eager execution reads the dense value through this hook (eager/execute.py).
    def _tfteach_eager_value(self):
        return _to_dense(self, None, None)

    @property
    def _type_spec(self):
        ds = self.shape
        return IndexedSlicesSpec(ds, self.dtype, self._indices.dtype,
                                 None if self._dense_shape is None else
                                 self._dense_shape.dtype, ds[1:])


class IndexedSlicesSpec:
    """The type of an IndexedSlices (what tf.function signatures compare)."""

    def __init__(self, shape=None, dtype=None, indices_dtype=None, dense_shape_dtype=None,
                 indices_shape=None):
        from . import dtypes as _dt
        self._shape = TensorShape(shape) if not isinstance(shape, TensorShape) else shape
        self._values_dtype = _dt.as_dtype(dtype or _dt.float32)
        self._indices_dtype = _dt.as_dtype(indices_dtype or _dt.int64)
        self._dense_shape_dtype = None if dense_shape_dtype is None else \
            _dt.as_dtype(dense_shape_dtype)
        self._indices_shape = indices_shape

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._values_dtype

    def __eq__(self, other):
        return isinstance(other, IndexedSlicesSpec) and (
            self._shape.as_list() if self._shape.rank is not None else None) == (
            other._shape.as_list() if other._shape.rank is not None else None) and \
            self._values_dtype == other._values_dtype and \
            self._indices_dtype == other._indices_dtype

    def __hash__(self):
        return hash((str(self._shape), self._values_dtype, self._indices_dtype))

    def __repr__(self):
        dims = self._shape.as_list() if self._shape.rank is not None else None
        return (f"IndexedSlicesSpec(TensorShape({dims}), {self._values_dtype!r}, "
                f"{self._indices_dtype!r}, {self._dense_shape_dtype!r}, "
                f"{self._indices_shape})")


def _to_dense(value, dtype, name, warn=True):
    """One UnsortedSegmentSum of the rows into dense_shape[0] rows (TF's conversion)."""
    from . import dtypes as _dt
    from .op_def_library import apply_op
    if dtype is not None and not _dt.as_dtype(dtype).is_compatible_with(value.dtype):
        raise ValueError(f"Incompatible tensor conversion requested to `dtype` "
                         f"{_dt.as_dtype(dtype).name} for IndexedSlices ({value}) with dtype "
                         f"{value.dtype.name}")
    if value.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices for argument "
                         f"`value` without dense_shape: {value!s}")
    if warn and not _ops.executing_eagerly():
        from . import tensor_util
        ds = value.dense_shape
        known = tensor_util.constant_value(ds) if isinstance(ds, _ops.Tensor) and \
            not getattr(ds, "_is_eager", False) else None
        if known is not None:
            n = int(np.prod(known))
            if n >= _LARGE_SPARSE_NUM_ELEMENTS:
                warnings.warn(f"Converting sparse IndexedSlices to a dense Tensor with {n} "
                              f"elements. This may consume a large amount of memory.",
                              UserWarning, stacklevel=3)
    rows = value.dense_shape[0]
    return apply_op("UnsortedSegmentSum", [value.values, value.indices, rows],
                    name=name or "UnsortedSegmentSum")[0]


def to_tensor_no_warning(value):
    """The dense tensor of an IndexedSlices without the large-conversion warning (what
    gradient functions use when they must densify); any other value passes through."""
    if not isinstance(value, IndexedSlices):
        return value
    return _to_dense(value, None, None, warn=False)


def _conversion(value, dtype=None, name=None, as_ref=False):
    return _to_dense(value, dtype, name)


_ops.register_tensor_conversion_function(IndexedSlices, _conversion)


def is_indexed_slices(x):
    return isinstance(x, IndexedSlices)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    if isinstance(value, IndexedSlices):
        if dtype is not None and not _dt_compatible(dtype, value.dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtype} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    return _ops.convert_to_tensor(value, dtype=dtype, name=name)


def _dt_compatible(dtype, other):
    from . import dtypes as _dt
    return _dt.as_dtype(dtype).is_compatible_with(other)


def as_indexed_slices(x):
    """A dense tensor as IndexedSlices over all of its rows (for aggregation with others)."""
    if isinstance(x, IndexedSlices):
        return x
    from .op_def_library import apply_op
    shape = apply_op("Shape", [x], {"out_type": _int32()}, name="Shape")[0]
    n = shape[0]
    rng = apply_op("Range", [np.int32(0), n, np.int32(1)], name="range")[0]
    return IndexedSlices(x, rng, shape)


def _int32():
    from . import dtypes as _dt
    return _dt.int32
