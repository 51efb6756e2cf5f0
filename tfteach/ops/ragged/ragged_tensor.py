"""`tf.RaggedTensor`: rows of different lengths, stored as two ordinary tensors.

A RaggedTensor is `values` (all rows' items, concatenated) plus `row_splits` (int64 by
default: row i is values[row_splits[i]:row_splits[i+1]]); `values` may itself be ragged, for
more ragged dimensions. Nothing here is a new kind of tensor to the runtime: every method
builds ordinary ops on the parts (only `to_tensor` has its own op, RaggedTensorToTensor), so
ragged code runs eagerly, in `tf.function` and in TF1 graphs alike, and differentiates
through the parts' gradients.
"""
import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework import ops as _ops
from ...framework import registry
from ...framework.op_def_library import apply_op
from ...framework.tensor_shape import TensorShape
from .. import array_ops, math_ops

__all__ = ["RaggedTensor", "RaggedTensorValue"]


def _is_eager(t):
    return getattr(t, "_is_eager", False)


def _tensor(x, name=None, dtype=None):
    if isinstance(x, RaggedTensor):
        return x
    return _ops.convert_to_tensor(x, dtype=dtype, name=name)


def _splits_tensor(x, dtype, name):
    if isinstance(x, _ops.Tensor):
        if x.dtype.base_dtype not in (_dt.int32, _dt.int64):
            raise TypeError(f"{name} must be int32 or int64, got {x.dtype!r}")
        return x
    return _ops.convert_to_tensor(np.asarray(x, dtype=(dtype or _dt.int64).np_dtype),
                                  name=name)


def _bad(method, what):
    return errors.InvalidArgumentError(
        None, None, f"Arguments to {method} do not form a valid RaggedTensor:{what}")


class RaggedTensor:
    """A tensor whose dimensions after the first may have rows of different lengths."""
    _tf_composite = True
    _tf_elementwise_dispatch = True      # element-wise ops run on the flat values
    __array_priority__ = 100     # `dense + ragged` defers to RaggedTensor.__radd__

    def __init__(self, values, row_splits, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits

    # --- factories -------------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        with _ops.name_scope(name, "RaggedFromRowSplits", [values, row_splits]):
            values = _tensor(values, "values")
            splits = _splits_tensor(row_splits, None, "row_splits")
            if validate and _is_eager(splits):
                s = splits.numpy()
                if s.ndim != 1:
                    raise ValueError(f"Shape {list(s.shape)} must have rank 1")
                if s.size == 0 or s[0] != 0:
                    raise _bad("from_row_splits", "zero")
                if np.any(np.diff(s) < 0):
                    raise _bad("from_row_splits", "monotonic.  ")
                n = _nvals(values)
                if n is not None and s[-1] != n:
                    raise _bad("from_row_splits", "Last row_splits value must match the "
                                                  "number of values")
            return cls(values, splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        with _ops.name_scope(name, "RaggedFromRowLengths", [values, row_lengths]):
            lengths = _splits_tensor(row_lengths, None, "row_lengths")
            if validate and _is_eager(lengths) and np.any(lengths.numpy() < 0):
                raise _bad("from_row_lengths", "non-negative row lengths")
            zero = np.zeros([1], lengths.dtype.base_dtype.np_dtype)
            splits = array_ops.concat([zero, math_ops.cumsum(lengths)], axis=0)
            return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        with _ops.name_scope(name, "RaggedFromValueRowIds", [values, value_rowids, nrows]):
            rowids = _splits_tensor(value_rowids, None, "value_rowids")
            idt = rowids.dtype.base_dtype
            if validate and _is_eager(rowids):
                r = rowids.numpy()
                if np.any(np.diff(r) < 0) or (r.size and r[0] < 0):
                    raise _bad("from_value_rowids", "value_rowids must be sorted and "
                                                    "non-negative")
            if nrows is None:
                nrows = math_ops.reduce_max(
                    array_ops.concat([np.array([-1], idt.np_dtype), rowids], axis=0)) + 1
            else:
                nrows = math_ops.cast(_ops.convert_to_tensor(nrows), idt)
            ones = array_ops.ones_like(rowids)
            lengths = apply_op("UnsortedSegmentSum", [ones, rowids, nrows],
                               name="UnsortedSegmentSum")[0]
            return cls.from_row_lengths(values, lengths, validate=False)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None,
                               validate=True):
        result = _tensor(flat_values, "flat_values")
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, name=None):
        """Each row of a dense [nrows, ncols, ...] tensor, cut to `lengths`, or with its
        trailing `padding` values dropped (all columns when neither is given)."""
        if lengths is not None and padding is not None:
            raise ValueError("Specify lengths or padding, but not both")
        with _ops.name_scope(name, "RaggedFromTensor", [tensor, lengths]):
            t = _ops.convert_to_tensor(tensor, name="tensor")
            shape = array_ops.shape(t, out_type=_dt.int64)
            nrows, ncols = shape[0], shape[1]
            if padding is not None:
                if t.shape.rank != 2:
                    raise NotImplementedError("tfteach's from_tensor(padding=...) takes "
                                              "2-D tensors")
                kept = math_ops.cast(math_ops.not_equal(t, padding), _dt.int64)
                # a row's length: one past its last value that is not padding
                place = math_ops.range(np.int64(1), ncols + 1, np.int64(1))
                lengths = math_ops.reduce_max(kept * place, axis=1)
            if lengths is None:
                lengths = array_ops.fill(array_ops.expand_dims(nrows, 0), ncols)
            lengths = math_ops.cast(_ops.convert_to_tensor(lengths), _dt.int64)
            mask = array_ops.sequence_mask(lengths, ncols)
            values = array_ops.boolean_mask(t, mask)
            return cls.from_row_lengths(values, lengths, validate=False)

    # --- parts -----------------------------------------------------------------------------
    @property
    def values(self):
        return self._values

    @property
    def row_splits(self):
        return self._row_splits

    @property
    def flat_values(self):
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self):
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt._row_splits)
            rt = rt._values
        return tuple(out)

    @property
    def ragged_rank(self):
        return len(self.nested_row_splits)

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def row_splits_dtype(self):
        return self._row_splits.dtype

    @property
    def shape(self):
        n = self._row_splits.shape.as_tuple()[0] if self._row_splits.shape.rank else None
        inner = self._values.shape
        tail = inner.as_tuple()[1:] if inner.rank is not None else ()
        return TensorShape([None if n is None else n - 1, None] + list(tail))

    def get_shape(self):
        return self.shape

    @property
    def graph(self):
        return self._row_splits.graph

    def _is_eager(self):
        return _is_eager(self._row_splits) and _is_eager(self.flat_values)

    def row_lengths(self, axis=1, name=None):
        if axis != 1:
            return self._values.row_lengths(axis - 1, name=name)
        with _ops.name_scope(name, "RaggedRowLengths", [self]):
            return self._row_splits[1:] - self._row_splits[:-1]

    def nrows(self, out_type=None, name=None):
        with _ops.name_scope(name, "RaggedNRows", [self]):
            n = array_ops.shape(self._row_splits, out_type=self._row_splits.dtype.base_dtype)[0]
            n = n - 1
            return n if out_type is None else math_ops.cast(n, out_type)

    def value_rowids(self, name=None):
        """The row of each value: the number of row ends at or before its index."""
        with _ops.name_scope(name, "RaggedValueRowIds", [self]):
            return row_splits_to_segment_ids(self._row_splits)

    # --- conversions -----------------------------------------------------------------------
    @registry.api("RaggedTensorToTensor")
    def to_tensor(self, default_value=None, name=None, shape=None):
        with _ops.name_scope(name, "RaggedToTensor", [self, default_value, shape]):
            dt = self.dtype.base_dtype
            if default_value is None:
                default_value = b"" if dt == _dt.string else np.zeros((), dt.np_dtype)
            default = _ops.convert_to_tensor(default_value, dtype=dt, name="default_value")
            idt = self._row_splits.dtype.base_dtype
            if shape is None:
                shape_t = np.array(-1, idt.np_dtype)
            elif isinstance(shape, (list, tuple, TensorShape)):
                dims = shape.as_list() if isinstance(shape, TensorShape) else list(shape)
                shape_t = np.array([-1 if d is None else d for d in dims], idt.np_dtype)
            else:
                shape_t = math_ops.cast(shape, idt)
            splits = list(self.nested_row_splits)
            return apply_op("RaggedTensorToTensor",
                            [shape_t, self.flat_values, default, splits],
                            {"row_partition_types": ["ROW_SPLITS"] * len(splits)},
                            name="RaggedTensorToTensor")[0]

    def numpy(self):
        if not self._is_eager():
            raise ValueError("RaggedTensor.numpy() is only supported in eager mode.")
        return _nested_rows(self.flat_values.numpy(),
                            [s.numpy() for s in self.nested_row_splits], as_arrays=True)

    def to_list(self):
        if not self._is_eager():
            raise ValueError("RaggedTensor.to_list() is only supported in eager mode; in "
                             "graph mode, evaluate the RaggedTensor first and then use "
                             "RaggedTensorValue.to_list().")
        return _nested_rows(self.flat_values.numpy(),
                            [s.numpy() for s in self.nested_row_splits])

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            inner = self._values.with_flat_values(new_values)
        else:
            inner = _ops.convert_to_tensor(new_values)
        return RaggedTensor(inner, self._row_splits, internal=True)

    def with_values(self, new_values):
        return RaggedTensor(_tensor(new_values), self._row_splits, internal=True)

    # --- what tf.reduce_* and tf.concat do with RaggedTensors (ragged_ops.py) --------------
    def _reduce(self, op_type, axis, keepdims, name):
        from . import ragged_ops
        return ragged_ops.reduce(op_type, self, axis, keepdims, name)

    @staticmethod
    def _concat(values, axis, name):
        from . import ragged_ops
        return ragged_ops.concat(values, axis, name)

    # --- Session.run: fetched as its parts, rebuilt as a RaggedTensorValue -------------------
    def _composite_components(self):
        return [self.flat_values] + list(self.nested_row_splits)

    @classmethod
    def _from_components(cls, parts):
        value = parts[0]
        for splits in reversed(parts[1:]):
            value = cls(value, splits, internal=True)
        return value

    @staticmethod
    def _composite_value(parts):
        value = parts[0]
        for splits in reversed(parts[1:]):
            value = RaggedTensorValue(value, splits)
        return value

    @staticmethod
    def _composite_feed_parts(value):
        if isinstance(value, RaggedTensorValue):
            return [value.flat_values] + list(value.nested_row_splits)
        raise TypeError(f"A RaggedTensor is fed a tf.compat.v1.ragged.RaggedTensorValue, "
                        f"got {type(value).__name__}")

    # --- indexing the first dimension --------------------------------------------------------
    def __getitem__(self, key):
        if isinstance(key, tuple):
            if not key:
                return self
            first, rest = key[0], key[1:]
            if isinstance(first, slice) and rest:
                if len(rest) == 1 and isinstance(rest[0], slice) and self.ragged_rank == 1:
                    return self[first]._slice_each_row(rest[0])
                raise ValueError("Cannot index into an inner ragged dimension.")
            row = self[first]
            return row[rest if len(rest) > 1 else rest[0]] if rest else row
        with _ops.name_scope(None, "RaggedGetItem", [self]):
            if isinstance(key, slice):
                if key.step not in (None, 1):
                    raise NotImplementedError("tfteach slices ragged rows with step 1 only")
                n = self.nrows()
                start = 0 if key.start is None else key.start
                stop = n if key.stop is None else key.stop
                start = _clip_index(start, n)
                stop = _clip_index(stop, n)
                stop = math_ops.maximum(stop, start)
                splits = self._row_splits[start:stop + 1]
                begin, end = splits[0], splits[-1]
                values = _slice_rows(self._values, begin, end)
                return RaggedTensor(values, splits - begin, internal=True)
            if isinstance(key, (int, np.integer)):
                k = int(key)
                if self._is_eager():
                    n = int(self._row_splits.shape[0]) - 1
                    if not -n <= k < n:
                        raise errors.InvalidArgumentError(
                            None, None, f"slice index {k} of dimension 0 out of bounds.")
                # row k < 0 sits between splits[k - 1] and splits[k] (n + 1 splits)
                begin, end = (self._row_splits[k - 1], self._row_splits[k]) if k < 0 else \
                    (self._row_splits[k], self._row_splits[k + 1])
            else:
                begin, end = self._row_splits[key], self._row_splits[key + 1]
            return _slice_rows(self._values, begin, end)

    def _slice_each_row(self, sl):
        """rt[:, a:b]: the same slice of every row (negative bounds count from each row's
        end), kept with a mask over the values' positions in their rows."""
        if sl.step not in (None, 1):
            raise NotImplementedError("tfteach slices ragged rows with step 1 only")
        with _ops.name_scope(None, "RaggedSliceRows", [self]):
            lengths = self.row_lengths()
            dt = lengths.dtype.base_dtype

            def bound(b, default):
                if b is None:
                    return default
                b = math_ops.cast(b, dt)
                return math_ops.minimum(math_ops.maximum(
                    array_ops.where_v2(b < 0, lengths + b, array_ops.zeros_like(lengths) + b),
                    0), lengths)
            start = bound(sl.start, array_ops.zeros_like(lengths))
            stop = math_ops.maximum(bound(sl.stop, lengths), start)
            rowids = self.value_rowids()
            n = array_ops.shape(self._values, out_type=dt)[0]
            pos = math_ops.range(math_ops.cast(0, dt), n, math_ops.cast(1, dt)) - \
                array_ops.gather(self._row_splits, rowids)
            keep = math_ops.logical_and(pos >= array_ops.gather(start, rowids),
                                        pos < array_ops.gather(stop, rowids))
            values = array_ops.boolean_mask(self._values, keep)
            return RaggedTensor.from_row_lengths(values, stop - start, validate=False)

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The smallest dense shape holding every row: [nrows, longest row, ...]."""
        with _ops.name_scope(name, "RaggedBoundingBox", [self]):
            dt = self._row_splits.dtype.base_dtype if out_type is None else \
                _dt.as_dtype(out_type)
            lengths = math_ops.cast(self.row_lengths(), dt)
            longest = math_ops.reduce_max(array_ops.concat([np.zeros([1], dt.np_dtype),
                                                            lengths], 0))
            parts = [math_ops.cast(self.nrows(), dt), longest]
            if isinstance(self._values, RaggedTensor):
                inner = self._values.bounding_shape(out_type=dt)[1:]
                shape = array_ops.concat([array_ops.stack(parts), inner], 0)
            else:
                inner = array_ops.shape(self._values, out_type=dt)[1:]
                shape = array_ops.concat([array_ops.stack(parts), inner], 0)
            return shape if axis is None else shape[axis]

    def to_sparse(self, name=None):
        """A SparseTensor of the same items: (row, position in row) indices."""
        if self.ragged_rank != 1 or self._values.shape.rank != 1:
            raise NotImplementedError("tfteach converts 2-D RaggedTensors with scalar values "
                                      "to SparseTensors only")
        from ..sparse_ops import SparseTensor
        with _ops.name_scope(name, "RaggedToSparse", [self]):
            rowids = math_ops.cast(self.value_rowids(), _dt.int64)
            splits = math_ops.cast(self._row_splits, _dt.int64)
            n = array_ops.shape(self._values, out_type=_dt.int64)[0]
            pos = math_ops.range(np.int64(0), n, np.int64(1)) - \
                array_ops.gather(splits, rowids)
            indices = array_ops.stack([rowids, pos], axis=1)
            return SparseTensor(indices, self._values,
                                self.bounding_shape(out_type=_dt.int64))

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=_dt.int64):
        """The rows of a 2-D SparseTensor whose indices are in row-major order (each row's
        items are packed to its front, as TF does)."""
        with _ops.name_scope(name, "RaggedFromSparse", [st_input]):
            rows = st_input.indices[:, 0]
            nrows = st_input.dense_shape[0]
            return cls.from_value_rowids(st_input.values,
                                         math_ops.cast(rows, row_splits_dtype),
                                         nrows=math_ops.cast(nrows, row_splits_dtype),
                                         validate=False)

    # --- operators (element-wise on the values; the same row partition) ----------------------
    def __neg__(self):
        return math_ops.negative(self)

    def __abs__(self):
        return math_ops.abs(self)

    def __invert__(self):
        return math_ops.logical_not(self)

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __repr__(self):
        if self._is_eager():
            return f"<tf.RaggedTensor {_format(self.to_list_items())}>"
        return (f"tf.RaggedTensor(values={self._values}, "
                f"row_splits={self._row_splits})")

    __str__ = __repr__

    def to_list_items(self):
        return _nested_rows(self.flat_values.numpy(),
                            [s.numpy() for s in self.nested_row_splits], as_items=True)


def _binary_operator(fn_name, reverse=False):
    def op(self, other):
        fn = getattr(math_ops, fn_name)
        return fn(other, self) if reverse else fn(self, other)
    return op


for _dunder, _fn in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "truediv"), ("floordiv", "floordiv"), ("mod", "floormod"),
                     ("pow", "pow"), ("and", "logical_and"), ("or", "logical_or"),
                     ("xor", "logical_xor")):
    setattr(RaggedTensor, f"__{_dunder}__", _binary_operator(_fn))
    setattr(RaggedTensor, f"__r{_dunder}__", _binary_operator(_fn, reverse=True))
for _dunder, _fn in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                     ("ge", "greater_equal")):
    setattr(RaggedTensor, f"__{_dunder}__", _binary_operator(_fn))


def _clip_index(i, n):
    """A Python or tensor row index, negative from the end, clipped to [0, n]."""
    if isinstance(i, int):
        if i < 0:
            return math_ops.maximum(n + i, 0)
        return math_ops.minimum(math_ops.cast(i, n.dtype), n)
    i = math_ops.cast(i, n.dtype)
    return math_ops.minimum(math_ops.maximum(array_ops.where_v2(i < 0, n + i, i), 0), n)


def _slice_rows(values, begin, end):
    if isinstance(values, RaggedTensor):
        splits = values._row_splits[begin:end + 1]
        b, e = splits[0], splits[-1]
        return RaggedTensor(_slice_rows(values._values, b, e), splits - b, internal=True)
    return values[begin:end]


def _nvals(values):
    if isinstance(values, RaggedTensor):
        return int(values._row_splits.shape[0]) - 1 if values._row_splits.shape.rank and \
            values._row_splits.shape.as_tuple()[0] is not None else None
    d = values.shape.as_tuple() if values.shape.rank else None
    return d[0] if d else None


def _nested_rows(flat, splits, as_arrays=False, as_items=False):
    """Nested Python lists of the rows (NumPy scalars' Python values, or their text)."""
    def leaf(v):
        if as_items:
            return _Item(v)
        return v.tolist() if hasattr(v, "tolist") else v

    def build(level, lo, hi):
        if level == len(splits):
            rows = flat[lo:hi]
            if as_arrays:
                return rows
            return [leaf(v) for v in rows]
        s = splits[level]
        out = [build(level + 1, int(s[i]), int(s[i + 1])) for i in range(lo, hi)]
        return np.array(out + [None], dtype=object)[:-1] if as_arrays else out
    return build(0, 0, len(splits[0]) - 1)


class _Item:
    """A leaf value printed as NumPy prints the scalar (1.4142135, b'a', True)."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __repr__(self):
        if isinstance(self.v, np.ndarray):
            return np.array2string(self.v, separator=", ")
        if isinstance(self.v, bytes):
            return repr(self.v)
        return str(self.v)


def _format(items, width=75):
    """The rows as NumPy prints a list of them: ', '-separated, wrapped before a row that
    would pass `width` characters, continuation lines indented by one space."""
    words = [repr(row) for row in items]
    if not words:
        return "[]"
    if len(words) > 1 and all(isinstance(r, list) and len(r) == len(items[0]) and
                              not any(isinstance(v, list) for v in r) for r in items):
        # rows all of one length make a NumPy matrix, printed one row per line
        return "[" + ",\n ".join(words) + "]"
    lines, line = [], "["
    for k, w in enumerate(words):
        w = w + ("," if k < len(words) - 1 else "]")
        candidate = line + ("" if line == "[" else " ") + w
        if len(candidate) > width and line.strip() not in ("[", ""):
            lines.append(line)
            line = " " + w
        else:
            line = candidate
    lines.append(line)
    return "\n".join(lines)


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The row of each value (TF's `tf.ragged.row_splits_to_segment_ids`)."""
    with _ops.name_scope(name, "RaggedSplitsToSegmentIds", [splits]):
        splits = _ops.convert_to_tensor(splits, name="splits")
        dt = splits.dtype.base_dtype if out_type is None else _dt.as_dtype(out_type)
        lengths = splits[1:] - splits[:-1]
        nrows = array_ops.shape(lengths, out_type=splits.dtype.base_dtype)[0]
        rows = math_ops.range(math_ops.cast(0, splits.dtype.base_dtype), nrows,
                              math_ops.cast(1, splits.dtype.base_dtype))
        return math_ops.cast(array_ops.repeat(rows, lengths), dt)


class RaggedTensorValue:
    """A RaggedTensor's value fetched by `Session.run`: NumPy parts."""

    def __init__(self, values, row_splits):
        self._values = values
        self._row_splits = row_splits

    values = property(lambda self: self._values)
    row_splits = property(lambda self: self._row_splits)

    @property
    def flat_values(self):
        v = self._values
        while isinstance(v, RaggedTensorValue):
            v = v._values
        return v

    @property
    def nested_row_splits(self):
        out, v = [], self
        while isinstance(v, RaggedTensorValue):
            out.append(v._row_splits)
            v = v._values
        return tuple(out)

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def ragged_rank(self):
        return len(self.nested_row_splits)

    def to_list(self):
        return _nested_rows(self.flat_values, list(self.nested_row_splits))

    def __repr__(self):
        return (f"tf.RaggedTensorValue(values={self._values!r}, "
                f"row_splits={self._row_splits!r})")

    __str__ = __repr__
