"""The parsing family: `tf.io.parse_example` and `tf.io.parse_single_example` (and TF1's
`tf.parse_example` / `tf.parse_single_example`), with their feature configurations
`FixedLenFeature`, `VarLenFeature`, `FixedLenSequenceFeature` and `RaggedFeature`.

As in TF both build one ParseExampleV2 op: serialized `tf.train.Example` protos (a vector, or
a scalar for parse_single_example) in, one output per requested feature out: a dense tensor
for a fixed-length feature (its default, or InvalidArgumentError when it has none and the
feature is missing), a SparseTensor for a VarLenFeature, a RaggedTensor for a RaggedFeature.
Keys are handled in sorted order, and the defaults are built in the graph (`key_<name>`,
`Reshape`) as TF builds them, so graphs get TF's op names. The kernel
(kernels/cpu/parsing.py) reads the wire format as TF's fast parser does, with TF's errors.
"""
import collections
import re

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["FixedLenFeature", "FixedLenSequenceFeature", "VarLenFeature", "RaggedFeature",
           "parse_example", "parse_example_v2", "parse_single_example",
           "parse_single_example_v2", "parse_sequence_example",
           "parse_single_sequence_example"]

_S, _I64 = _dt.string, _dt.int64
_PARSE_TYPES = (_dt.float32, _dt.int64, _dt.string)


# --- the op ---------------------------------------------------------------------------------

def _parse_outputs(attrs):
    n = attrs["num_sparse"]
    return ([("sparse_indices", _I64)] * n +
            [("sparse_values", t) for t in attrs["sparse_types"]] +
            [("sparse_shapes", _I64)] * n +
            [("dense_values", t) for t in attrs["Tdense"]] +
            [("ragged_values", t) for t in attrs["ragged_value_types"]] +
            [("ragged_row_splits", t) for t in attrs["ragged_split_types"]])


def _parse_shapes(op):
    serialized = op.inputs[0].shape
    n = op.get_attr("num_sparse")
    rank = serialized.rank
    if rank is not None and rank > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {rank} for "
                         f"'{{{{node {op.name}}}}} = ParseExampleV2[...]'")
    batch = None if rank is None else serialized.as_list()
    idx_cols = None if rank is None else rank + 1
    out = [TensorShape([None, idx_cols])] * n
    out += [TensorShape([None])] * n
    out += [TensorShape([idx_cols])] * n
    for shape in op.get_attr("dense_shapes"):
        shape = as_shape(shape)
        out.append(unknown_shape() if batch is None else TensorShape(batch + shape.as_list()))
    n_ragged = len(op.get_attr("ragged_value_types"))
    out += [TensorShape([None])] * n_ragged
    splits = TensorShape([None]) if batch is None else \
        TensorShape([0] if rank == 0 else [None if batch[0] is None else batch[0] + 1])
    out += [splits] * n_ragged
    return out


_PARSE = registry.register_op(
    "ParseExampleV2",
    inputs=(("serialized", _S), ("names", _S), ("sparse_keys", _S), ("dense_keys", _S),
            ("ragged_keys", _S), ("*dense_defaults", "list:Tdense")),
    outputs=_parse_outputs, shape=_parse_shapes,
    doc="Serialized tf.train.Examples (a scalar or a vector) parsed into the keys' features.")
_PARSE.eager_fallback = True
registry.NotDifferentiable("ParseExampleV2")


def _sequence_outputs(attrs):
    nc, nf = attrs["Ncontext_sparse"], attrs["Nfeature_list_sparse"]
    return ([("context_sparse_indices", _I64)] * nc +
            [("context_sparse_values", t) for t in attrs["context_sparse_types"]] +
            [("context_sparse_shapes", _I64)] * nc +
            [("context_dense_values", t) for t in attrs["Tcontext_dense"]] +
            [("context_ragged_values", t) for t in attrs["context_ragged_value_types"]] +
            [("context_ragged_row_splits", t) for t in attrs["context_ragged_split_types"]] +
            [("feature_list_sparse_indices", _I64)] * nf +
            [("feature_list_sparse_values", t) for t in attrs["feature_list_sparse_types"]] +
            [("feature_list_sparse_shapes", _I64)] * nf +
            [("feature_list_dense_values", t) for t in attrs["feature_list_dense_types"]] +
            [("feature_list_dense_lengths", _I64)] * attrs["Nfeature_list_dense"] +
            [("feature_list_ragged_values", t)
             for t in attrs["feature_list_ragged_value_types"]] +
            [("feature_list_ragged_outer_splits", t)
             for t in attrs["feature_list_ragged_split_types"]] +
            [("feature_list_ragged_inner_splits", t)
             for t in attrs["feature_list_ragged_split_types"]])


def _sequence_shapes(op):
    rank = op.inputs[0].shape.rank
    batch = None if rank is None else op.inputs[0].shape.as_list()
    nb = None if batch is None else len(batch)
    get = op.get_attr

    def with_batch(dims):
        return unknown_shape() if batch is None else TensorShape(batch + dims)
    nc, nf = get("Ncontext_sparse"), get("Nfeature_list_sparse")
    out = [TensorShape([None, None if nb is None else nb + 1])] * nc
    out += [TensorShape([None])] * nc
    out += [TensorShape([None if nb is None else nb + 1])] * nc
    out += [with_batch(as_shape(sh).as_list()) for sh in get("context_dense_shapes")]
    n = len(get("context_ragged_value_types"))
    out += [TensorShape([None])] * n
    out += [TensorShape([None] if nb else [])] * n
    out += [TensorShape([None, None if nb is None else nb + 2])] * nf
    out += [TensorShape([None])] * nf
    out += [TensorShape([None if nb is None else nb + 2])] * nf
    out += [with_batch([None] + as_shape(sh).as_list()) for sh in get("feature_list_dense_shapes")]
    out += [with_batch([])] * get("Nfeature_list_dense")
    n = len(get("feature_list_ragged_value_types"))
    out += [TensorShape([None])] * n
    out += [TensorShape([None] if nb else [])] * n
    out += [TensorShape([None])] * n
    return out


_SEQUENCE = registry.register_op(
    "ParseSequenceExampleV2",
    inputs=(("serialized", _S), ("debug_name", _S), ("context_sparse_keys", _S),
            ("context_dense_keys", _S), ("context_ragged_keys", _S),
            ("feature_list_sparse_keys", _S), ("feature_list_dense_keys", _S),
            ("feature_list_ragged_keys", _S),
            ("feature_list_dense_missing_assumed_empty", _dt.bool_),
            ("*context_dense_defaults", "list:Tcontext_dense")),
    outputs=_sequence_outputs, shape=_sequence_shapes,
    doc="Serialized tf.train.SequenceExamples parsed into context and feature-list features.")
_SEQUENCE.eager_fallback = True
registry.NotDifferentiable("ParseSequenceExampleV2")


# --- the feature configurations -----------------------------------------------------------

class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values per example: parsed into a SparseTensor."""


class FixedLenFeature(collections.namedtuple(
        "FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature with exactly `shape`'s number of values per example (row-major); missing,
    it takes `default_value`, or is an error when that is None."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A feature holding any number of blocks of `shape`: parsed into a dense tensor with one
    more leading dimension, shorter examples of a batch padded with `default_value` (zero or
    empty by default). `allow_missing` must be True for Examples."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class RaggedFeature(collections.namedtuple(
        "RaggedFeature", ["dtype", "value_key", "partitions", "row_splits_dtype",
                          "validate"])):
    """A feature parsed into a RaggedTensor (a 1-D tensor for a single Example). tfteach
    takes no `partitions`."""

    def __new__(cls, dtype, value_key=None, partitions=(), row_splits_dtype=_dt.int32,
                validate=False):
        if value_key is not None:
            if not isinstance(value_key, str):
                raise ValueError(f"Argument `value_key` must be a string; got {value_key}")
            if not value_key:
                raise ValueError("Argument `value_key` must not be empty")
        dtype = _dt.as_dtype(dtype)
        if dtype not in _PARSE_TYPES:
            raise ValueError(f"Argument `dtype` must be int64, float32, or bytes; got "
                             f"{dtype!r}")
        row_splits_dtype = _dt.as_dtype(row_splits_dtype)
        if row_splits_dtype not in (_dt.int32, _dt.int64):
            raise ValueError(f"Argument `row_splits_dtype` must be int32 or int64; got"
                             f"{row_splits_dtype!r}")
        if not isinstance(partitions, (list, tuple)):
            raise TypeError(f"Argument `partitions` must be a list or tuple. Received"
                            f"partitions={partitions} of type "
                            f"{type(partitions).__name__}.")
        if partitions:
            raise NotImplementedError("tfteach's RaggedFeature takes no `partitions`: parse "
                                      "the partition keys as RaggedFeatures of their own and "
                                      "build the RaggedTensor from them")
        if not isinstance(validate, bool):
            raise TypeError(f"Argument `validate` must be a bool; got {validate!r}")
        return super().__new__(cls, dtype, value_key, tuple(partitions), row_splits_dtype,
                               validate)


class _Params:
    """What ParseExampleV2 needs from a features dict (TF's _ParseOpParams): keys sorted,
    each kind with its dtypes, shapes and defaults."""

    def __init__(self):
        self.sparse_keys, self.sparse_types = [], []
        self.dense_keys, self.dense_types, self.dense_shapes = [], [], []
        self.dense_defaults = collections.OrderedDict()
        self.ragged_keys, self.ragged_value_types, self.ragged_split_types = [], [], []

    @classmethod
    def from_features(cls, features, types):
        params = cls()
        if features:
            for key in sorted(features.keys()):
                feature = features[key]
                if not isinstance(feature, tuple(types)):
                    raise ValueError(f"Unsupported {type(feature).__name__} {feature} for key "
                                     f"'{key}'")
                params._add(key, feature)
        params._validate()
        return params

    @property
    def num_features(self):
        return len(self.dense_keys) + len(self.sparse_keys) + len(self.ragged_keys)

    def _add(self, key, feature):
        if isinstance(feature, VarLenFeature):
            if not feature.dtype:
                raise ValueError(f"Missing type for feature {key}. Received feature={feature}")
            self._add_sparse_key(key, _dt.as_dtype(feature.dtype))
        elif isinstance(feature, FixedLenFeature):
            self._add_fixed(key, feature)
        elif isinstance(feature, FixedLenSequenceFeature):
            self._add_sequence(key, feature)
        elif isinstance(feature, RaggedFeature):
            value_key = key if feature.value_key is None else feature.value_key
            self._add_ragged_key(value_key, feature.dtype, feature.row_splits_dtype)
        else:
            raise ValueError(f"Invalid feature {key}:{feature}.")

    def _add_sparse_key(self, key, dtype):
        if key in self.sparse_keys:
            original = self.sparse_types[self.sparse_keys.index(key)]
            if original != dtype:
                raise ValueError(f"Conflicting type {original} vs {dtype} for feature {key}.")
        else:
            self.sparse_keys.append(key)
            self.sparse_types.append(dtype)

    def _add_ragged_key(self, key, value_type, split_type):
        if key in self.ragged_keys:
            i = self.ragged_keys.index(key)
            if self.ragged_value_types[i] != value_type:
                raise ValueError(f"Conflicting type {self.ragged_value_types[i]} vs "
                                 f"{value_type} for feature {key}.")
            if self.ragged_split_types[i] != split_type:
                raise ValueError(f"Conflicting partition type {self.ragged_split_types[i]} "
                                 f"vs {split_type} for feature {key}.")
        else:
            self.ragged_keys.append(key)
            self.ragged_value_types.append(value_type)
            self.ragged_split_types.append(split_type)

    def _add_fixed(self, key, feature):
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
        if feature.shape is None:
            raise ValueError(f"Missing shape for feature {key}. Received feature={feature}.")
        shape = as_shape(feature.shape)
        if feature.shape and shape.rank and shape.as_list()[0] is None:
            raise ValueError(f"First dimension of shape for feature {key} unknown. Consider "
                             f"using FixedLenSequenceFeature. Received feature={feature}.")
        if not shape.is_fully_defined():
            raise ValueError(f"All dimensions of shape for feature {key} need to be known but "
                             f"received {feature.shape!s}.")
        self.dense_keys.append(key)
        self.dense_shapes.append(shape)
        self.dense_types.append(_dt.as_dtype(feature.dtype))
        if feature.default_value is not None:
            self.dense_defaults[key] = feature.default_value

    def _add_sequence(self, key, feature):
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
        if feature.shape is None:
            raise ValueError(f"Missing shape for feature {key}. Received feature={feature}.")
        self.dense_keys.append(key)
        self.dense_shapes.append(as_shape(feature.shape))
        self.dense_types.append(_dt.as_dtype(feature.dtype))
        if feature.allow_missing:
            self.dense_defaults[key] = None
        if feature.default_value is not None:
            self.dense_defaults[key] = feature.default_value

    def _validate(self):
        dense, sparse, ragged = set(self.dense_keys), set(self.sparse_keys), \
            set(self.ragged_keys)
        if not dense.isdisjoint(sparse):
            raise ValueError(f"Dense and sparse keys must not intersect; dense_keys: "
                             f"{self.dense_keys}, sparse_keys: {self.sparse_keys}, "
                             f"intersection: {dense & sparse}")
        if not dense.isdisjoint(ragged):
            raise ValueError("Dense and ragged keys must not intersect; dense_keys: ",
                             f"{self.dense_keys}, ragged_keys: {self.ragged_keys}, "
                             f"intersection: {dense & ragged}")
        if not ragged.isdisjoint(sparse):
            raise ValueError(f"Ragged and sparse keys must not intersect; ragged_keys: "
                             f"{self.ragged_keys}, sparse_keys: {self.sparse_keys}, "
                             f"intersection: {ragged & sparse}")

    def dense_defaults_vec(self):
        return [self._dense_default(k, s, t)
                for k, s, t in zip(self.dense_keys, self.dense_shapes, self.dense_types)]

    def _dense_default(self, key, shape, dtype):
        from .constant_op import constant
        default = self.dense_defaults.get(key)
        if shape.rank is not None and shape.rank > 0 and shape.as_list()[0] is None:
            # a variable number of blocks: the default is the scalar that pads short ones
            if default is None:
                return _ops.convert_to_tensor("" if dtype == _dt.string else 0, dtype=dtype)
            default = _ops.convert_to_tensor(default, dtype=dtype,
                                             name="padding_" + _safe(key))
            return _reshape(default, [])
        if default is None:
            return constant([], dtype=dtype)
        if not isinstance(default, _ops.Tensor):
            default = _ops.convert_to_tensor(default, dtype=dtype, name="key_" + _safe(key))
            default = _reshape(default, shape)
        return default


def _reshape(value, shape):
    from .. import errors
    from . import array_ops
    try:
        return array_ops.reshape(value, shape)
    except errors.InvalidArgumentError as e:
        # TF hands reshape a TensorShape here, which its eager fast path does not take: the
        # slow path's error has no " name: " after the op
        raise type(e)(None, None, e.message.replace(" [Op:Reshape] name: Reshape",
                                                    " [Op:Reshape]")) from None


def _safe(key):
    return re.sub("[^A-Za-z0-9_.\\-/]", "_", key)


def _prepend_none_dimension(features):
    """A FixedLenSequenceFeature's blocks are counted by a leading unknown dimension."""
    if not features:
        return features
    out = {}
    for key, feature in features.items():
        if isinstance(feature, FixedLenSequenceFeature):
            if not feature.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires "
                                 "allow_missing to be True.")
            feature = FixedLenSequenceFeature([None] + list(feature.shape), feature.dtype,
                                              feature.allow_missing, feature.default_value)
        out[key] = feature
    return out


# --- the API ---------------------------------------------------------------------------------

_ALLOWED = ("Value for attr '{attr}' of {dt} is not in the list of allowed values: float, "
            "int64, string\n\t; NodeDef: {{{{node ParseExampleV2}}}}; Op<name=ParseExampleV2; "
            "signature=serialized:string, names:string, sparse_keys:string, "
            "dense_keys:string, ragged_keys:string, dense_defaults: -> "
            "sparse_indices:num_sparse*int64, sparse_values:, sparse_shapes:num_sparse*int64, "
            "dense_values:, ragged_values:, ragged_row_splits:; attr=Tdense:list(type),min=0,"
            "allowed=[DT_FLOAT, DT_INT64, DT_STRING]; attr=num_sparse:int,min=0; "
            "attr=sparse_types:list(type),min=0,allowed=[DT_FLOAT, DT_INT64, DT_STRING]; "
            "attr=ragged_value_types:list(type),min=0,allowed=[DT_FLOAT, DT_INT64, "
            "DT_STRING]; attr=ragged_split_types:list(type),min=0,allowed=[DT_INT32, "
            "DT_INT64]; attr=dense_shapes:list(shape),min=0> [Op:ParseExampleV2]")
_C_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _check_types(params):
    from .. import errors
    for attr, types in (("Tdense", params.dense_types), ("sparse_types", params.sparse_types)):
        for t in types:
            if t not in _PARSE_TYPES:
                msg = _ALLOWED.format(attr=attr, dt=_C_NAMES.get(t.name, t.name))
                if _ops.executing_eagerly():
                    raise errors.InvalidArgumentError(None, None, msg)
                raise TypeError(f"Value passed to parameter 'dense_defaults' has DataType "
                                f"{t.name} not in list of allowed values: float32, int64, "
                                f"string" if attr == "Tdense" else
                                f"Attr '{attr}' of 'ParseExampleV2' Op has DataType "
                                f"{t.name} not in list of allowed values: float32, int64, "
                                f"string")


def _parse_example_raw(serialized, names, params, name):
    if params.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    with _ops.name_scope(name, "ParseExample", [serialized, names]):
        names = [] if names is None else names
        serialized = _ops.convert_to_tensor(serialized, name="serialized")
        if serialized.dtype.base_dtype != _S:
            # the op's wrapper converts its input to a string tensor, which fails
            _ops.convert_to_tensor(serialized, dtype=_S)
        if params.ragged_keys and serialized.shape.rank is None:
            raise ValueError("serialized must have statically-known rank to parse ragged "
                             "features.")
        _check_types(params)
        defaults = params.dense_defaults_vec()
        outs = apply_op("ParseExampleV2", [serialized, names, params.sparse_keys,
                                           params.dense_keys, params.ragged_keys, defaults],
                        {"num_sparse": len(params.sparse_keys),
                         "sparse_types": list(params.sparse_types),
                         "ragged_value_types": list(params.ragged_value_types),
                         "ragged_split_types": list(params.ragged_split_types),
                         "dense_shapes": list(params.dense_shapes)}, name=name)
    outs = list(outs)
    ns, nd, nr = len(params.sparse_keys), len(params.dense_keys), len(params.ragged_keys)
    ix, vals, shapes = outs[:ns], outs[ns:2 * ns], outs[2 * ns:3 * ns]
    dense = outs[3 * ns:3 * ns + nd]
    rvals, rsplits = outs[3 * ns + nd:3 * ns + nd + nr], outs[3 * ns + nd + nr:]
    from .sparse_ops import SparseTensor
    sparse = [SparseTensor(i, v, s) for i, v, s in zip(ix, vals, shapes)]
    ragged = _ragged(serialized, rvals, rsplits)
    return dict(zip(params.sparse_keys + params.dense_keys + params.ragged_keys,
                    sparse + dense + ragged))


def _ragged(serialized, values, splits, inner=None):
    """RaggedTensors of the parsed values: one row per example of a batch, and for a feature
    list one row per Feature within it (`inner` splits)."""
    if not values:
        return []
    from .ragged.ragged_tensor import RaggedTensor
    if inner is not None:
        values = [RaggedTensor.from_row_splits(v, s, validate=False)
                  for v, s in zip(values, inner)]
    if serialized.shape.rank == 0:
        return list(values)
    return [RaggedTensor.from_row_splits(v, s, validate=False) for v, s in zip(values, splits)]


def _composite(features, tensors):
    """RaggedFeatures parsed under their value key come back under the feature's own key."""
    out = dict(tensors)
    for key, feature in features.items():
        if isinstance(feature, RaggedFeature):
            value_key = key if feature.value_key is None else feature.value_key
            out[key] = tensors[value_key]
    for key in list(out):
        if key not in features:
            del out[key]
    return out


@registry.api("ParseExampleV2")
def parse_example_v2(serialized, features, example_names=None, name=None):
    """Parses a batch of serialized Examples (a vector of strings) into a dict with one
    entry per feature key: dense tensors [batch, *shape], SparseTensors indexed
    [example, value], RaggedTensors with one row per example. A scalar `serialized` parses
    one Example, without the batch dimension."""
    if not features:
        raise ValueError(f"Argument `features` cannot be None or falsy. Got {features}")
    features = _prepend_none_dimension(features)
    params = _Params.from_features(features, [VarLenFeature, FixedLenFeature,
                                              FixedLenSequenceFeature, RaggedFeature])
    return _composite(features, _parse_example_raw(serialized, example_names, params, name))


def parse_example(serialized, features, name=None, example_names=None):
    """TF1's argument order of parse_example_v2."""
    return parse_example_v2(serialized, features, example_names, name)


def parse_single_example_v2(serialized, features, example_names=None, name=None):
    """Parses one serialized Example (a scalar string): dense features have the feature's
    shape, a VarLenFeature is a 1-D SparseTensor."""
    if features is None:
        raise ValueError("Invalid argument: features cannot be None.")
    if not features:
        raise ValueError("Invalid argument: features cannot be empty.")
    with _ops.name_scope(name, "ParseSingleExample", [serialized, example_names]):
        serialized = _ops.convert_to_tensor(serialized, name="serialized")
        serialized = _assert_scalar(serialized, "serialized")
        return parse_example_v2(serialized, features, example_names, name)


def parse_single_example(serialized, features, name=None, example_names=None):
    """TF1's argument order of parse_single_example_v2."""
    return parse_single_example_v2(serialized, features, example_names, name)


def _assert_scalar(value, name):
    rank = value.shape.rank
    if rank is None:
        from . import array_ops, math_ops
        from .control_flow_ops import with_dependencies
        from .assert_ops import Assert
        check = Assert(math_ops.equal(array_ops.rank(value), 0),
                       [f"Input {name} must be a scalar"],
                       name=f"{name.capitalize()}IsScalar")
        result = with_dependencies([check], value, name=f"{name}Dependencies")
        result.set_shape([])
        return result
    if rank == 0:
        return value
    raise ValueError(f"Input {name} must be a scalar")


# --- SequenceExamples ----------------------------------------------------------------------

def _check_sequence_types(params, dense_attr, sparse_attr):
    from .. import errors
    for attr, types in ((dense_attr, params.dense_types), (sparse_attr, params.sparse_types)):
        for t in types:
            if t not in _PARSE_TYPES:
                raise errors.InvalidArgumentError(
                    None, None, f"Value for attr '{attr}' of {_C_NAMES.get(t.name, t.name)} is "
                                f"not in the list of allowed values: float, int64, string\n\t; "
                                f"NodeDef: {{{{node ParseSequenceExampleV2}}}}")


def _parse_sequence_example_raw(serialized, debug_name, context, feature_list, name=None):
    if context.num_features + feature_list.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    with _ops.name_scope(name, "ParseSequenceExample", [serialized]):
        debug_name = [] if debug_name is None else debug_name
        missing_assumed_empty = []
        for k, v in feature_list.dense_defaults.items():
            if v is not None:
                raise ValueError("Value feature_list.dense_defaults[%s] must be None" % k)
            missing_assumed_empty.append(k)
        has_ragged = context.ragged_keys or feature_list.ragged_keys
        serialized = _ops.convert_to_tensor(serialized, name="serialized")
        if serialized.dtype.base_dtype != _S:
            _ops.convert_to_tensor(serialized, dtype=_S)
        if has_ragged and serialized.shape.rank is None:
            raise ValueError("serialized must have statically-known rank to parse ragged "
                             "features.")
        _check_sequence_types(context, "Tcontext_dense", "context_sparse_types")
        _check_sequence_types(feature_list, "feature_list_dense_types",
                              "feature_list_sparse_types")
        defaults = context.dense_defaults_vec()
        outs = list(apply_op(
            "ParseSequenceExampleV2",
            [serialized, debug_name, context.sparse_keys, context.dense_keys,
             context.ragged_keys, feature_list.sparse_keys, feature_list.dense_keys,
             feature_list.ragged_keys,
             [k in missing_assumed_empty for k in feature_list.dense_keys], defaults],
            {"Ncontext_sparse": len(context.sparse_keys),
             "context_sparse_types": list(context.sparse_types),
             "context_ragged_value_types": list(context.ragged_value_types),
             "context_ragged_split_types": list(context.ragged_split_types),
             "context_dense_shapes": list(context.dense_shapes),
             "Nfeature_list_sparse": len(feature_list.sparse_keys),
             "Nfeature_list_dense": len(feature_list.dense_keys),
             "feature_list_dense_types": list(feature_list.dense_types),
             "feature_list_sparse_types": list(feature_list.sparse_types),
             "feature_list_ragged_value_types": list(feature_list.ragged_value_types),
             "feature_list_ragged_split_types": list(feature_list.ragged_split_types),
             "feature_list_dense_shapes": list(feature_list.dense_shapes)}, name=name))

        def take(n):
            got = outs[:n]
            del outs[:n]
            return got
        from .sparse_ops import SparseTensor
        nc, nd, nr = (len(context.sparse_keys), len(context.dense_keys),
                      len(context.ragged_keys))
        c_ix, c_vals, c_shapes, c_dense = take(nc), take(nc), take(nc), take(nd)
        c_rvals, c_rsplits = take(nr), take(nr)
        nf, nfd, nfr = (len(feature_list.sparse_keys), len(feature_list.dense_keys),
                        len(feature_list.ragged_keys))
        f_ix, f_vals, f_shapes, f_dense, f_lengths = take(nf), take(nf), take(nf), \
            take(nfd), take(nfd)
        f_rvals, f_outer, f_inner = take(nfr), take(nfr), take(nfr)
        context_out = dict(zip(
            context.sparse_keys + context.dense_keys + context.ragged_keys,
            [SparseTensor(*p) for p in zip(c_ix, c_vals, c_shapes)] + c_dense +
            _ragged(serialized, c_rvals, c_rsplits)))
        feature_list_out = dict(zip(
            feature_list.sparse_keys + feature_list.dense_keys + feature_list.ragged_keys,
            [SparseTensor(*p) for p in zip(f_ix, f_vals, f_shapes)] + f_dense +
            _ragged(serialized, f_rvals, f_outer, f_inner)))
        lengths = dict(zip(feature_list.dense_keys, f_lengths))
    return context_out, feature_list_out, lengths


@registry.api("ParseSequenceExampleV2")
def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name=None):
    """Parses a batch of serialized SequenceExamples into (context features, feature-list
    features, the lengths of the dense feature lists): a FixedLenSequenceFeature becomes
    [batch, frames, *shape], padded with zeros; a VarLenFeature a SparseTensor indexed
    [example, frame, value]."""
    if not (context_features or sequence_features):
        raise ValueError("Both `context_features` and `sequence_features` argument are "
                         "None, but at least one should have values.")
    context = _Params.from_features(context_features, [VarLenFeature, FixedLenFeature,
                                                       RaggedFeature])
    feature_list = _Params.from_features(sequence_features, [
        VarLenFeature, FixedLenSequenceFeature, RaggedFeature])
    with _ops.name_scope(name, "ParseSequenceExample", [serialized, example_names]):
        ctx, seq, lengths = _parse_sequence_example_raw(serialized, example_names, context,
                                                        feature_list, name)
    return _composite(context_features or {}, ctx), \
        _composite(sequence_features or {}, seq), lengths


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Parses one serialized SequenceExample into (context features, feature-list
    features): a FixedLenSequenceFeature becomes [frames, *shape], a VarLenFeature a
    SparseTensor indexed [frame, value]."""
    if not (context_features or sequence_features):
        raise ValueError("Both context_features and sequence_features are None, but at "
                         "least one should have values.")
    context = _Params.from_features(context_features, [VarLenFeature, FixedLenFeature,
                                                       RaggedFeature])
    feature_list = _Params.from_features(sequence_features, [
        VarLenFeature, FixedLenSequenceFeature, RaggedFeature])
    with _ops.name_scope(name, "ParseSingleSequenceExample", [serialized, example_name]):
        with _ops.name_scope(name, "ParseSingleExample", [serialized, example_name]):
            serialized = _ops.convert_to_tensor(serialized, name="serialized")
            serialized = _assert_scalar(serialized, "serialized")
        ctx, seq, _ = _parse_sequence_example_raw(serialized, example_name, context,
                                                  feature_list, name)
    return _composite(context_features or {}, ctx), _composite(sequence_features or {}, seq)
