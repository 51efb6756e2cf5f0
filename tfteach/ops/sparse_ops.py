"""`tf.SparseTensor` and `tf.sparse.*`: a dense shape with few stored entries.

A SparseTensor is three ordinary tensors: `indices` (int64 [N, rank], the coordinates of the
stored entries, in row-major order for most ops), `values` ([N]) and `dense_shape` (int64
[rank]). Like a RaggedTensor it is a composite: ops take and return the parts, so sparse code
runs eagerly, in `tf.function` and in TF1 sessions (fetched as a SparseTensorValue, fed from
one through `tf.compat.v1.sparse_placeholder`). Kernels in `kernels/cpu/sparse.py`,
gradients in `sparse_grad.py`.
"""
import collections

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework import tensor_util
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape
from . import array_ops, math_ops, shape_rules

_I64 = _dt.int64


# --- declarations -------------------------------------------------------------------------------

def _to_dense_shape(op):
    return [tensor_util.constant_value_as_shape(op.inputs[1])]


def _sparse_shape_of(t):
    return tensor_util.constant_value_as_shape(t)


def _add_shapes(op):
    return [TensorShape([None, op.inputs[0].shape.as_tuple()[1]
                         if op.inputs[0].shape.rank == 2 else None]), TensorShape([None]),
            op.inputs[2].shape]


def _matmul_shape(op):
    a = _sparse_shape_of(op.inputs[2])
    b = op.inputs[3].shape
    if a.rank is None or b.rank is None:
        return [unknown_shape(2)]
    a_rows, a_cols = a.as_tuple() if not op.get_attr("adjoint_a") else a.as_tuple()[::-1]
    b_rows, b_cols = b.as_tuple() if not op.get_attr("adjoint_b") else b.as_tuple()[::-1]
    shape_rules.merge_dim(op, a_cols, b_rows, "Dimensions must be equal")
    return [TensorShape([a_rows, b_cols])]


def _reduce_sum_shape(op):
    shape = _sparse_shape_of(op.inputs[2])
    axes = shape_rules.const_input(op, 3)
    if shape.rank is None or axes is None:
        return [unknown_shape()]
    red = {int(a) % shape.rank for a in np.reshape(axes, -1)}
    d = shape.as_tuple()
    if op.get_attr("keep_dims"):
        return [TensorShape([1 if i in red else d[i] for i in range(shape.rank)])]
    return [TensorShape([d[i] for i in range(shape.rank) if i not in red])]


registry.register_op(
    "SparseToDense",
    inputs=(("sparse_indices", "Tindices"), ("output_shape", "Tindices"),
            ("sparse_values", "T"), ("default_value", "T")),
    outputs=(("dense", "T"),), shape=_to_dense_shape, attr_defaults={"validate_indices": True},
    doc="A dense tensor of output_shape: the given values at their indices, default elsewhere.")
registry.register_op(
    "SparseAdd",
    inputs=(("a_indices", _I64), ("a_values", "T"), ("a_shape", _I64), ("b_indices", _I64),
            ("b_values", "T"), ("b_shape", _I64), ("thresh", "Treal")),
    outputs=(("sum_indices", _I64), ("sum_values", "T"), ("sum_shape", _I64)),
    shape=_add_shapes,
    doc="The sum of two sparse tensors (entries merged in order; sums below thresh dropped).")
registry.register_op(
    "SparseAddGrad",
    inputs=(("backprop_val_grad", "T"), ("a_indices", _I64), ("b_indices", _I64),
            ("sum_indices", _I64)),
    outputs=(("a_val_grad", "T"), ("b_val_grad", "T")),
    shape=lambda op: [TensorShape([op.inputs[1].shape.as_tuple()[0]
                                   if op.inputs[1].shape.rank else None]),
                      TensorShape([op.inputs[2].shape.as_tuple()[0]
                                   if op.inputs[2].shape.rank else None])],
    doc="SparseAdd's gradient: each operand entry's share of the sum's gradient.")
registry.register_op(
    "SparseTensorDenseAdd",
    inputs=(("a_indices", "Tindices"), ("a_values", "T"), ("a_shape", "Tindices"), ("b", "T")),
    outputs=(("output", "T"),), shape=lambda op: [op.inputs[3].shape],
    doc="A dense tensor plus a sparse one, as a dense tensor.")
registry.register_op(
    "SparseTensorDenseMatMul",
    inputs=(("a_indices", "Tindices"), ("a_values", "T"), ("a_shape", _I64), ("b", "T")),
    outputs=(("product", "T"),), shape=_matmul_shape,
    attr_defaults={"adjoint_a": False, "adjoint_b": False},
    doc="A sparse matrix times a dense one (either adjointed), as a dense matrix.")
registry.register_op(
    "SparseReorder",
    inputs=(("input_indices", _I64), ("input_values", "T"), ("input_shape", _I64)),
    outputs=(("output_indices", _I64), ("output_values", "T")),
    shape=lambda op: [op.inputs[0].shape, op.inputs[1].shape],
    doc="The same entries with their indices in row-major order.")
registry.register_op(
    "SparseReduceSum",
    inputs=(("input_indices", _I64), ("input_values", "T"), ("input_shape", _I64),
            ("reduction_axes", _dt.int32)),
    outputs=(("output", "T"),), shape=_reduce_sum_shape, attr_defaults={"keep_dims": False},
    doc="The sum of a sparse tensor over the given axes, as a dense tensor.")
registry.register_op(
    "SparseReduceMax",
    inputs=(("input_indices", _I64), ("input_values", "T"), ("input_shape", _I64),
            ("reduction_axes", _dt.int32)),
    outputs=(("output", "T"),), shape=_reduce_sum_shape, attr_defaults={"keep_dims": False},
    doc="The max of the stored values over the given axes (0 where none is stored).")


# --- the composite -------------------------------------------------------------------------------

SparseTensorValue = collections.namedtuple("SparseTensorValue",
                                           ["indices", "values", "dense_shape"])


class SparseTensor:
    """indices (int64 [N, rank]), values ([N]) and dense_shape (int64 [rank])."""
    _tf_composite = True

    def __init__(self, indices, values, dense_shape):
        with _ops.name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = _as_int64(indices, "indices")
            values = values if isinstance(values, _ops.Tensor) else \
                _ops.convert_to_tensor(values, name="values")
            dense_shape = _as_int64(dense_shape, "dense_shape")
        shape = tensor_util.constant_value_as_shape(dense_shape)
        ish, vsh, dsh = indices.shape, values.shape, dense_shape.shape
        _merge(ish.as_tuple()[0] if ish.rank else None, vsh.as_tuple()[0] if vsh.rank else None)
        _merge(ish.as_tuple()[1] if ish.rank == 2 else None,
               dsh.as_tuple()[0] if dsh.rank else None)
        self._indices, self._values, self._dense_shape = indices, values, dense_shape
        self._shape = shape

    @classmethod
    def from_value(cls, value):
        if isinstance(value, SparseTensor):
            return value
        return cls(value.indices, value.values, value.dense_shape)

    indices = property(lambda self: self._indices)
    values = property(lambda self: self._values)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    shape = property(lambda self: self._shape)

    def get_shape(self):
        return self._shape

    @property
    def op(self):
        return self._values.op

    @property
    def graph(self):
        return self._indices.graph

    def with_values(self, new_values):
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def __repr__(self):
        return (f"SparseTensor(indices={self._indices!s}, values={self._values!s}, "
                f"dense_shape={self._dense_shape!s})")

    __str__ = __repr__

    def __mul__(self, other):
        """sparse * scalar: the values scaled (a dense non-scalar operand is not taken)."""
        return self.with_values(math_ops.multiply(self._values, _scalar_operand(other)))

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self.with_values(math_ops.truediv(self._values, _scalar_operand(other)))

    def __neg__(self):
        return self.with_values(math_ops.negative(self._values))

    # Session.run fetches the parts and feeds them from a SparseTensorValue
    def _composite_components(self):
        return [self._indices, self._values, self._dense_shape]

    @classmethod
    def _from_components(cls, parts):
        return cls(*parts)

    @staticmethod
    def _composite_value(parts):
        return SparseTensorValue(*parts)

    @staticmethod
    def _composite_feed_parts(value):
        if isinstance(value, (SparseTensorValue, SparseTensor)):
            return [value.indices, value.values, value.dense_shape]
        if isinstance(value, (tuple, list)) and len(value) == 3:
            return list(value)
        raise TypeError(f"A SparseTensor is fed a SparseTensorValue or a 3-tuple "
                        f"(indices, values, dense_shape), got {value!r}")


class SparseTensorSpec:
    """`tf.SparseTensorSpec`: the type of a SparseTensor, its dense shape (dims may be
    unknown) and its values' dtype; what a dataset of SparseTensors has for element_spec."""

    def __init__(self, shape=None, dtype=_dt.float32):
        self._shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self._dtype = _dt.as_dtype(dtype)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    value_type = property(lambda self: SparseTensor)

    @classmethod
    def from_value(cls, value):
        if isinstance(value, SparseTensor):
            return cls(value.shape, value.dtype)
        v = SparseTensorValue(*value) if not isinstance(value, SparseTensorValue) else value
        return cls(TensorShape(np.asarray(v.dense_shape).tolist()),
                   _dt.as_dtype(np.asarray(v.values).dtype))

    def is_compatible_with(self, other):
        if not isinstance(other, SparseTensorSpec):
            other = SparseTensorSpec.from_value(other)
        return self._dtype == other._dtype and self._shape.is_compatible_with(other._shape)

    def __eq__(self, other):
        return isinstance(other, SparseTensorSpec) and self._dtype == other._dtype and \
            self._shape == other._shape

    def __hash__(self):
        return hash((SparseTensorSpec, self._shape, self._dtype))

    def __repr__(self):
        dims = self._shape.as_list() if self._shape.rank is not None else None
        return f"SparseTensorSpec(TensorShape({dims}), tf.{self._dtype.name})"


def _scalar_operand(x):
    rank = shape_rules.static_dims(x)
    if rank is None or len(rank) != 0:
        raise NotImplementedError("tfteach multiplies a SparseTensor by a scalar only "
                                  "(TF's SparseDenseCwiseMul is not implemented)")
    return x


def _merge(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError(f"Dimensions {a} and {b} are not compatible")


def _as_int64(x, name):
    if isinstance(x, _ops.Tensor):
        if x.dtype.base_dtype != _I64:
            raise TypeError(f"Tensor conversion requested dtype int64 for Tensor with dtype "
                            f"{x.dtype.base_dtype.name}: {x}")
        return x
    if isinstance(x, TensorShape):
        x = x.as_list()
    return _ops.convert_to_tensor(np.asarray(x, dtype=np.int64), name=name)


def _sparse(x, name="sp_input"):
    if isinstance(x, SparseTensor):
        return x
    if isinstance(x, SparseTensorValue):
        return SparseTensor.from_value(x)
    raise TypeError(f"Input must be a SparseTensor, got {type(x).__name__}")


# --- tf.sparse.* -------------------------------------------------------------------------------

@registry.api("SparseToDense")
def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor (default_value, zero by default, where nothing is stored)."""
    sp = _sparse(sp_input)
    dt = sp.dtype.base_dtype
    if default_value is None:
        default_value = b"" if dt == _dt.string else np.zeros((), dt.np_dtype)
    default = _ops.convert_to_tensor(default_value, dtype=dt)
    return apply_op("SparseToDense", [sp.indices, sp.dense_shape, sp.values, default],
                    {"validate_indices": bool(validate_indices)},
                    name=name or "SparseToDense")[0]


sparse_tensor_to_dense = to_dense


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices=True, name=None):
    """TF1's `tf.sparse_to_dense`: the SparseToDense op from its three parts (values may be
    a scalar, used at every index); the indices must be sorted and distinct unless
    validate_indices is False."""
    return apply_op("SparseToDense", [sparse_indices, output_shape, sparse_values,
                                      default_value],
                    {"validate_indices": bool(validate_indices)},
                    name=name or "SparseToDense")[0]


@registry.api("SparseAdd")
@registry.api("SparseTensorDenseAdd")
def add(a, b, threshold=0, name=None):
    """sparse + sparse (a SparseTensor), or sparse + dense (a dense Tensor)."""
    sa, sb = isinstance(a, SparseTensor), isinstance(b, SparseTensor)
    if sa and sb:
        real = a.dtype.base_dtype.real_dtype
        thresh = _ops.convert_to_tensor(threshold, dtype=real, name="threshold")
        idx, vals, shape = apply_op("SparseAdd", [a.indices, a.values, a.dense_shape,
                                                  b.indices, b.values, b.dense_shape, thresh],
                                    name=name or "SparseAdd")
        static = a.shape.merge_with(b.shape)
        # a fully known shape becomes a constant of the result, as TF builds it
        return SparseTensor(idx, vals, static.as_list() if static.is_fully_defined()
                            else shape)
    if sa or sb:
        sp, dense = (a, b) if sa else (b, a)
        dense = _ops.convert_to_tensor(dense, dtype=sp.dtype.base_dtype, name="b")
        return apply_op("SparseTensorDenseAdd", [sp.indices, sp.values, sp.dense_shape, dense],
                        name=name or "SparseTensorDenseAdd")[0]
    raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add?")


sparse_add = add


@registry.api("SparseAddGrad")
def sparse_add_grad(backprop_val_grad, a_indices, b_indices, sum_indices, name=None):
    """SparseAdd's gradient for each operand's values (what its gradient function builds)."""
    return apply_op("SparseAddGrad", [backprop_val_grad, a_indices, b_indices, sum_indices],
                    name=name or "SparseAddGrad")


@registry.api("SparseTensorDenseMatMul")
def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """sp_a @ b for a rank-2 SparseTensor and a dense matrix (either adjointed)."""
    sp = _sparse(sp_a)
    with _ops.name_scope(name, "SparseTensorDenseMatMul", [sp.indices, sp.values, b]) as scope:
        b = _ops.convert_to_tensor(b, dtype=sp.dtype.base_dtype, name="b")
        return apply_op("SparseTensorDenseMatMul", [sp.indices, sp.values, sp.dense_shape, b],
                        {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)},
                        name="SparseTensorDenseMatMul")[0]


sparse_tensor_dense_matmul = sparse_dense_matmul
matmul = sparse_dense_matmul


@registry.api("SparseReorder")
def reorder(sp_input, name=None):
    """The same entries with indices in row-major (lexicographic) order."""
    sp = _sparse(sp_input)
    idx, vals = apply_op("SparseReorder", [sp.indices, sp.values, sp.dense_shape],
                         name=name or "SparseReorder")
    return SparseTensor(idx, vals, sp.shape.as_list() if sp.shape.is_fully_defined()
                        else sp.dense_shape)


sparse_reorder = reorder


@registry.api("SparseReduceSum")
def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None,
               reduction_axes=None, keep_dims=None):
    """The sum over `axis` (all axes when None) as a dense tensor."""
    return _reduce("SparseReduceSum", sp_input, axis, keepdims, output_is_sparse, name,
                   reduction_axes, keep_dims)


@registry.api("SparseReduceMax")
def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None,
               reduction_axes=None, keep_dims=None):
    """The max of the stored values over `axis` (the implicit zeros take no part; a cell
    with no stored value is 0), as a dense tensor."""
    return _reduce("SparseReduceMax", sp_input, axis, keepdims, output_is_sparse, name,
                   reduction_axes, keep_dims)


sparse_reduce_max = reduce_max


def _reduce(op_type, sp_input, axis, keepdims, output_is_sparse, name, reduction_axes,
            keep_dims):
    if output_is_sparse:
        raise NotImplementedError("tfteach's sparse.reduce_sum returns dense tensors only "
                                  "(output_is_sparse=False)")
    sp = _sparse(sp_input)
    if axis is None:
        axis = reduction_axes
    keep = bool(keepdims if keepdims is not None else keep_dims)
    if axis is None:
        rank = sp.shape.rank
        if rank is None:
            axis = math_ops.range(0, array_ops.size(sp.dense_shape), 1)
        else:
            axis = np.arange(rank, dtype=np.int32)
    elif not _ops.is_symbolic(axis) and not getattr(axis, "_is_eager", False):
        axis = np.asarray(axis, dtype=np.int32)
    return apply_op(op_type, [sp.indices, sp.values, sp.dense_shape, axis],
                    {"keep_dims": keep}, name=name or op_type)[0]


sparse_reduce_sum = reduce_sum


def from_dense(tensor, name=None):
    """The non-zero entries of a dense tensor (NotEqual, Where, GatherNd, as TF)."""
    with _ops.name_scope(name, "dense_to_sparse", [tensor]):
        t = _ops.convert_to_tensor(tensor, name="tensor")
        dt = t.dtype.base_dtype
        zero = b"" if dt == _dt.string else np.zeros((), dt.np_dtype)
        indices = array_ops.where(math_ops.not_equal(t, zero))
        values = array_ops.gather_nd(t, indices)
        shape = array_ops.shape(t, out_type=_I64)
        return SparseTensor(indices, values, shape)


def sparse_placeholder(dtype, shape=None, name=None):
    """TF1: placeholders for a SparseTensor's three parts, fed from a SparseTensorValue."""
    if shape is None:
        rank, shape_dims = None, None
    else:
        shape_dims = list(shape.as_list() if isinstance(shape, TensorShape) else shape)
        rank = len(shape_dims)
    prefix = (name + "/") if name else ""
    dense_shape = array_ops.placeholder(_I64, [rank], name=prefix + "shape" if name else None)
    values = array_ops.placeholder(dtype, [None], name=prefix + "values" if name else None)
    indices = array_ops.placeholder(_I64, [None, rank],
                                    name=prefix + "indices" if name else None)
    st = SparseTensor(indices, values, dense_shape)
    if shape_dims is not None:
        st._shape = TensorShape(shape_dims)
    return st


placeholder = sparse_placeholder        # tf.compat.v1.sparse.placeholder


def map_values(op, *args, **kwargs):
    """`op` applied to the values of the SparseTensor arguments (which must share their
    indices); the result keeps those indices and dense shape."""
    found = []

    def swap(x):
        if isinstance(x, SparseTensor):
            found.append(x)
            return x.values
        if isinstance(x, (list, tuple)):
            return type(x)(swap(v) for v in x)
        if isinstance(x, dict):
            return {k: swap(v) for k, v in x.items()}
        return x
    args, kwargs = swap(args), swap(kwargs)
    if not found:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = found[0]
    for other in found[1:]:
        if getattr(first.indices, "_is_eager", False) and \
                getattr(other.indices, "_is_eager", False):
            a, b = first.indices.numpy(), other.indices.numpy()
            if a.shape != b.shape or np.any(a != b):
                from .. import errors
                raise errors.InvalidArgumentError(None, None, "Expected all SparseTensors "
                                                              "to have the same indices")
    return SparseTensor(first.indices, op(*args, **kwargs), first.dense_shape)


def transpose(sp_input, perm=None, name=None):
    """The entries with their coordinates permuted (reversed by default), reordered."""
    sp = _sparse(sp_input)
    with _ops.name_scope(name, "SparseTranspose", [sp_input]):
        rank = sp.shape.rank
        if perm is None:
            if rank is None:
                raise NotImplementedError("tfteach transposes SparseTensors of known rank")
            perm = list(range(rank - 1, -1, -1))
        perm = np.asarray(perm, dtype=np.int32)
        indices = array_ops.gather(sp.indices, perm, axis=1)
        shape = array_ops.gather(sp.dense_shape, perm)
        out = reorder(SparseTensor(indices, sp.values, shape))
        if sp.shape.rank is not None:
            dims = sp.shape.as_tuple()
            out._shape = TensorShape([dims[int(p)] for p in perm])
        return out


sparse_transpose = transpose


# --- feature crosses ---------------------------------------------------------------------------

def _cross_shapes(op):
    return [TensorShape([None, 2]), TensorShape([None]), TensorShape([2])]


_CROSS_INPUTS = (("*indices", _I64), ("*values", "list:sparse_types"), ("*shapes", _I64),
                 ("*dense_inputs", "list:dense_types"))
registry.register_op(
    "SparseCross", inputs=_CROSS_INPUTS,
    outputs=(("output_indices", _I64), ("output_values", "out_type"),
             ("output_shape", _I64)),
    shape=_cross_shapes, minimum={"num_buckets": 0},
    doc="Each row's cross of its inputs' features: joined by '_X_', or hashed (num_buckets).")
registry.register_op(
    "SparseCrossV2", inputs=_CROSS_INPUTS + (("sep", _dt.string),),
    outputs=(("output_indices", _I64), ("output_values", _dt.string),
             ("output_shape", _I64)),
    shape=_cross_shapes,
    doc="Each row's cross of the features of every input, joined by `sep`.")
registry.NotDifferentiable("SparseCross")
registry.NotDifferentiable("SparseCrossV2")

_DEFAULT_HASH_KEY = 0xDECAFCAFFE


def _cross_parts(inputs):
    if not isinstance(inputs, (tuple, list)):
        raise TypeError("Inputs must be a list")
    converted = []
    for x in inputs:
        if isinstance(x, (SparseTensor, SparseTensorValue)):
            converted.append(_sparse(x))
        elif isinstance(x, _ops.Tensor):
            converted.append(x)
        else:
            raise TypeError("All inputs must be SparseTensors")
    sparse = [x for x in converted if isinstance(x, SparseTensor)]
    dense = [x for x in converted if not isinstance(x, SparseTensor)]
    return sparse, dense


@registry.api("SparseCross")
def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The hashed cross of the inputs' features, row by row (a SparseTensor of int64 in
    [0, num_buckets), or any int64 when num_buckets is 0)."""
    return _sparse_cross(inputs, True, num_buckets, hash_key, name)


def _sparse_cross(inputs, hashed_output, num_buckets=0, hash_key=None, name=None):
    sparse, dense = _cross_parts(inputs)
    values = [sp.values for sp in sparse]
    internal = _dt.string
    # integer features are crossed as int64 (a string feature is its Fingerprint64)
    for i, v in enumerate(values):
        if v.dtype.base_dtype != _dt.string:
            values[i] = math_ops.cast(v, _I64)
            internal = _I64
    for i, d in enumerate(dense):
        if d.dtype.base_dtype != _dt.string:
            dense[i] = math_ops.cast(d, _I64)
            internal = _I64
    out = apply_op("SparseCross", [[sp.indices for sp in sparse], values,
                                   [sp.dense_shape for sp in sparse], dense],
                   {"hashed_output": bool(hashed_output), "num_buckets": int(num_buckets),
                    "hash_key": int(hash_key or _DEFAULT_HASH_KEY),
                    "out_type": _I64 if hashed_output else _dt.string,
                    "internal_type": internal}, name=name or "SparseCross")
    return SparseTensor(*out)


@registry.api("SparseCrossV2")
def cross(inputs, name=None, separator=None):
    """The cross of the inputs' features, row by row, as strings joined by `separator`
    ('_X_' by default)."""
    sparse, dense = _cross_parts(inputs)
    values = [sp.values for sp in sparse]
    # SparseCrossV2 takes string and int64 features as they are
    values = [v if v.dtype.base_dtype in (_dt.string, _I64) else math_ops.cast(v, _I64)
              for v in values]
    dense = [d if d.dtype.base_dtype in (_dt.string, _I64) else math_ops.cast(d, _I64)
             for d in dense]
    sep = _ops.convert_to_tensor("_X_" if separator is None else separator, _dt.string)
    out = apply_op("SparseCrossV2", [[sp.indices for sp in sparse], values,
                                     [sp.dense_shape for sp in sparse], dense, sep],
                   name=name or "SparseCrossV2")
    return SparseTensor(*out)


sparse_cross = cross
sparse_cross_hashed = cross_hashed
