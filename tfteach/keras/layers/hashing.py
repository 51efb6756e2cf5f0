"""Hashing and HashedCrossing: categorical features -> bins by hashing, no vocabulary.

Hashing puts each value (a string, or an integer or float written as text) in one of
`num_bins` bins with FarmHash's Fingerprint64 (`tf.strings.to_hash_bucket_fast`), or with
SipHash under `salt` (`to_hash_bucket_strong`); `mask_value` gets bin 0 and moves the rest
up by one. HashedCrossing hashes the cross of two or more features
(`tf.sparse.cross_hashed`), the feature-cross recipe of TF's preprocessing guide. Both give
the bins TF does, bit for bit.
"""
from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import sparse_ops as _sp
from ...ops import string_ops as _s
from .base import Layer
from .index_lookup import _is_ragged, _is_sparse, encode_categorical, ensure_tensor, \
    validate_string_arg

__all__ = ["Hashing", "HashedCrossing"]


def _encode(x, output_mode, depth, dtype):
    if output_mode == "int":
        return _m.cast(x, dtype)
    return encode_categorical(x, output_mode, depth, dtype)


class Hashing(Layer):
    """Values -> bins in [0, num_bins) (bin 0 kept for `mask_value` when it is set)."""

    _symbolic_shape_rule = True
    _convert_input_args = False     # inputs reach call as given (Keras's)

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        from .. import backend
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self._dtype_name not in ("int32", "int64"):
            raise ValueError('When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'in64'. Received: dtype={kwargs['dtype']}")
        accepted = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in accepted:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{accepted}. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError('`sparse` may only be true if `output_mode` is `"one_hot"`, '
                             f'`"multi_hot"`, or `"count"`. Received: sparse={sparse} and '
                             f"output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("tfteach's Hashing has no sparse output (sparse=True)")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of "
                                 f"size 2 integers, or a single integer. Received: "
                                 f"salt={salt}.")

    def build(self, input_shape=None):
        self.built = True

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def call(self, inputs):
        inputs = ensure_tensor(inputs)
        if self.output_mode == "one_hot" and not _is_ragged(inputs) and \
                inputs.shape.rank and inputs.shape.as_list()[-1] == 1:
            inputs = _a.squeeze(inputs, axis=[-1])
        if _is_sparse(inputs):
            if self.output_mode != "int":
                raise NotImplementedError("tfteach's Hashing encodes dense inputs only")
            return _sp.SparseTensor(inputs.indices, _m.cast(
                self._hash_values_to_bins(inputs.values), self._dtype_name),
                inputs.dense_shape)
        if _is_ragged(inputs):
            if self.output_mode != "int":
                raise NotImplementedError("tfteach's Hashing encodes dense inputs only")
            return inputs.with_flat_values(_m.cast(
                self._hash_values_to_bins(inputs.flat_values), self._dtype_name))
        return _encode(self._hash_values_to_bins(inputs), self.output_mode, self.num_bins,
                       self._dtype_name)

    def _hash_values_to_bins(self, values):
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = _m.equal(values, self.mask_value)
        if values.dtype.is_floating:
            values = _m.cast(values, _dt.int64)
        if values.dtype.base_dtype != _dt.string:
            values = _s.as_string(values)
        if self.strong_hash:
            values = _s.to_hash_bucket_strong(values, bins, name="hash", key=self.salt)
        else:
            values = _s.to_hash_bucket_fast(values, bins, name="hash")
        if mask is not None:
            values = _m.add(values, _a.ones_like(values))
            values = _a.where_v2(mask, _a.zeros_like(values), values)
        return values

    def get_config(self):
        config = super().get_config()
        config.update(num_bins=self.num_bins, salt=self.salt, mask_value=self.mask_value,
                      output_mode=self.output_mode, sparse=self.sparse)
        return config


class HashedCrossing(Layer):
    """Two or more categorical features -> the bin of their cross: `int` bins, or
    `one_hot` rows."""

    _plain_dtype_config = True      # Keras writes its dtype as a name, not a policy
    _convert_input_args = False     # inputs reach call as given (Keras's)

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        validate_string_arg(output_mode, ("int", "one_hot"), "HashedCrossing", "output_mode")
        if sparse:
            raise NotImplementedError("tfteach's HashedCrossing has no sparse output "
                                      "(sparse=True)")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def build(self, input_shape=None):
        self.built = True

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2 or not isinstance(input_shape[0], tuple) or \
                not isinstance(input_shape[1], tuple):
            raise ValueError("Expected as input a list/tuple of 2 tensors. Received "
                             f"input_shape={input_shape}")
        if input_shape[0][-1] != input_shape[1][-1]:
            raise ValueError("Expected the two input tensors to have identical shapes. "
                             f"Received input_shape={input_shape}")
        if self.output_mode == "int":
            return tuple(input_shape[0])
        if input_shape[0][-1] != 1:
            return tuple(input_shape[0]) + (self.num_bins,)
        return tuple(input_shape[0])[:-1] + (self.num_bins,)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`HashedCrossing` should be called on a list or tuple of "
                             f"inputs. Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on at least two inputs. "
                             f"Received: inputs={inputs}")
        inputs = [ensure_tensor(x) for x in inputs]
        self._check_input_shape_and_type(inputs)
        first_shape = tuple(inputs[0].shape.as_list())
        rank = len(first_shape)
        if rank < 2:
            inputs = [_a.expand_dims(x, -1) for x in inputs]
        if rank < 1:
            inputs = [_a.expand_dims(x, -1) for x in inputs]
        outputs = _sp.to_dense(_sp.cross_hashed(inputs, self.num_bins))
        if rank == 2:
            outputs.set_shape(first_shape)
        elif rank == 1:
            outputs.set_shape(first_shape + (1,))
            outputs = _a.squeeze(outputs, axis=[1])
        else:
            outputs = _a.reshape(outputs, [])
        return _encode(outputs, self.output_mode, self.num_bins, self._dtype_name)

    def _check_input_shape_and_type(self, inputs):
        first_shape = tuple(inputs[0].shape.as_list())
        rank = len(first_shape)
        if rank > 2 or (rank == 2 and first_shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, "
                             "`(batch_size)` or `(batch_size, 1)`. "
                             f"Received: inputs={inputs}")
        if not all(tuple(x.shape.as_list()) == first_shape for x in inputs[1:]):
            raise ValueError("All `HashedCrossing` inputs should have equal shape. "
                             f"Received: inputs={inputs}")
        if any(_is_ragged(x) or _is_sparse(x) for x in inputs):
            raise ValueError("All `HashedCrossing` inputs should be dense tensors. "
                             f"Received: inputs={inputs}")
        if not all(x.dtype.is_integer or x.dtype.base_dtype == _dt.string for x in inputs):
            raise ValueError("All `HashedCrossing` inputs should have an integer or string "
                             f"dtype. Received: inputs={inputs}")

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self._dtype_name}
