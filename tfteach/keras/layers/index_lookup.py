"""StringLookup and IntegerLookup: tokens -> indices (or back, `invert=True`), with Keras 3's
index layout: [mask token] [OOV indices] [vocabulary], and its encodings of the indices
(int, one_hot, multi_hot, count, tf_idf).

The vocabulary comes from the constructor, `set_vocabulary`, or `adapt`, which counts the
tokens of the data and keeps the most frequent (`max_tokens`), most frequent first and,
among equally frequent tokens, the greater token first (Keras's order). The vocabulary lives
in a `tf.lookup.StaticHashTable` (ops/lookup_ops.py), so the layer works eagerly, inside
tf.function and in `Dataset.map`. A token outside the vocabulary gets an OOV index: the one
OOV index, or with several, its FarmHash bucket (strings; `salt`: SipHash) or its value
modulo their number (integers).
"""
import collections

import numpy as np

from ...framework import dtypes as _dt
from ...framework import ops as _ops
from ...ops import array_ops as _a
from ...ops import lookup_ops as _lookup
from ...ops import math_ops as _m
from .base import Layer

__all__ = ["IndexLookup", "StringLookup", "IntegerLookup"]


def validate_string_arg(value, allowable_strings, caller_name, arg_name, allow_none=False,
                        allow_callables=False):
    """Keras's check of a string-valued argument, with its message."""
    if allow_none and value is None:
        return
    if allow_callables and callable(value):
        return
    if isinstance(value, str) and value in allowable_strings:
        return
    raise ValueError(f"Unknown value for `{arg_name}` argument of {caller_name}. Allowed "
                     f"values are: {allowable_strings}. Received: {arg_name}={value}")


def listify(x):
    """A vocabulary or weights as Keras writes them in a config (lists, not arrays)."""
    if hasattr(x, "numpy"):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return x


def ensure_tensor(inputs, dtype=None):
    """Keras's tf_utils.ensure_tensor: a tensor (dense, ragged or sparse) of `dtype`."""
    if not (isinstance(inputs, _ops.Tensor) or getattr(inputs, "_tf_composite", False)):
        inputs = _ops.convert_to_tensor(inputs, dtype)
    if dtype is not None and inputs.dtype.base_dtype != _dt.as_dtype(dtype):
        inputs = _m.cast(inputs, dtype)
    return inputs


def _is_ragged(x):
    return type(x).__name__ == "RaggedTensor"


def _is_sparse(x):
    return type(x).__name__ == "SparseTensor"


def encode_categorical(inputs, output_mode, depth, dtype):
    """Keras's encode_categorical_inputs (TF backend) on dense indices: one_hot (a
    trailing axis of size 1 dropped first), or one multi_hot / count row per example
    (the whole input when it is 1-D); indices outside [0, depth) count for nothing."""
    dtype = _dt.as_dtype(dtype)
    rank = inputs.shape.rank
    if rank == 0:
        inputs, rank = _a.expand_dims(inputs, -1), 1
    if output_mode == "one_hot":
        dims = inputs.shape.as_list()
        if rank > 1 and dims[-1] == 1:
            inputs = _a.squeeze(inputs, [-1])
        return _a.one_hot(_m.cast(inputs, _dt.int64), depth, dtype=dtype)
    hot = _a.one_hot(_m.cast(inputs, _dt.int64), depth, dtype=dtype)
    axis = 1 if rank > 1 else 0
    if output_mode == "multi_hot":
        return _m.reduce_max(hot, axis)
    return _m.reduce_sum(hot, axis)


class _NullInitializer(_lookup.TableInitializerBase):
    """Keras's initializer of a layer with no vocabulary yet: the table stays unfilled, so
    a lookup fails with TF's "Table not initialized."."""

    def initialize(self, table):
        return None


class IndexLookup(Layer):
    """The shared machinery of StringLookup and IntegerLookup."""

    _symbolic_shape_rule = True     # a symbolic call's output shape: compute_output_shape
    _convert_input_args = False     # inputs reach call as given (Keras's)

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        validate_string_arg(oov_method, ("floormod", "farmhash"), type(self).__name__,
                            "oov_method")
        if salt is not None:
            if _dt.as_dtype(vocabulary_dtype).is_integer and oov_method != "farmhash":
                raise ValueError("`salt` can only be used when `oov_method='farmhash'`. "
                                 f"Received: oov_method={oov_method}")
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `IndexLookup` can only be a tuple "
                                 "of 2 integers, or a single integer. "
                                 f"Received: salt={salt}.")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        validate_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"),
                            type(self).__name__, "output_mode")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, "
                             "`'multi_hot'`, `'count'` or `'tf_idf'`. Received: "
                             f"sparse={sparse} and output_mode={output_mode}")
        if sparse:
            raise NotImplementedError(f"tfteach's {type(self).__name__} has no sparse "
                                      "output (sparse=True)")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = _dt.as_dtype(vocabulary_dtype).name
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen_vocab_size
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        if invert:
            self._key_dtype, self._value_dtype = "int64", self.vocabulary_dtype
            mask_key, mask_value = 0, mask_token
            self._default_value = self.oov_token
        else:
            self._key_dtype, self._value_dtype = self.vocabulary_dtype, "int64"
            mask_key = mask_token
            # a masked token counts for nothing in the encodings (an index past any depth)
            mask_value = 0 if output_mode == "int" else np.iinfo(np.int64).max
            self._default_value = self._oov_start_index() if num_oov_indices == 1 else -1
        if mask_token is not None:
            self._mask_key = mask_key
            self._mask_value = mask_value
        if output_mode == "tf_idf":
            if self._has_input_vocabulary and idf_weights is None:
                raise ValueError("When specifying the `vocabulary` argument, in TF-IDF "
                                 "output mode, the `idf_weights` argument must also be "
                                 "provided.")
            if idf_weights is not None:
                self._set_idf(idf_weights)
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        else:
            self.lookup_table = self._uninitialized_lookup_table()

    # --- the vocabulary -----------------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The tokens in index order (mask and OOV tokens first unless left out)."""
        size = self.vocabulary_size()
        by_index = {}
        if int(self.lookup_table.size().numpy()):
            keys, values = self.lookup_table.export()
            vocab, indices = (values, keys) if self.invert else (keys, values)
            by_index = dict(zip(indices.numpy().tolist(), self._tokens_of(vocab.numpy())))
        vocab = [by_index.get(i, self.oov_token) for i in range(size)]
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def _tokens_of(self, values):
        return list(values)

    def vocabulary_size(self):
        """The number of indices the layer hands out (special ones included): an int
        eagerly, a tensor inside a function."""
        if _ops.executing_eagerly():
            return int(self.lookup_table.size().numpy()) + self._token_start_index()
        return self.lookup_table.size() + self._token_start_index()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and, for tf_idf, its IDF weights); `vocabulary` may start
        with the special tokens in their places, or leave them out."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is "
                             f"`'tf_idf'`. Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            import os
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a "
                                 "vocabulary from file.")
            self.lookup_table = self._lookup_table_from_file(vocabulary)
            self._record_vocabulary_size()
            return
        if hasattr(vocabulary, "numpy"):
            vocabulary = np.asarray(self._tokens_of(vocabulary.numpy()))
        elif isinstance(vocabulary, (list, tuple)):
            vocabulary = np.array(vocabulary)
        if hasattr(idf_weights, "numpy"):
            idf_weights = idf_weights.numpy()
        elif isinstance(idf_weights, (list, tuple)):
            idf_weights = np.array(idf_weights)
        if vocabulary.size == 0:
            raise ValueError(f"Cannot set an empty vocabulary. Received: "
                             f"vocabulary={vocabulary}")
        oov_start = self._oov_start_index()
        token_start = self._token_start_index()
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        found_special = np.array_equal(special, vocabulary[:token_start])
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = self._find_repeated_tokens(tokens)
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            mask_index = np.argwhere(vocabulary == self.mask_token)[-1]
            raise ValueError("Found reserved mask token at unexpected location in "
                             "`vocabulary`. Note that passed `vocabulary` does not need to "
                             "include the OOV and mask tokens. Either remove all mask and "
                             "OOV tokens, or include them only at the start of the "
                             f"vocabulary in precisely this order: {special}. Received: "
                             f"mask_token={self.mask_token} at vocabulary index "
                             f"{mask_index}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            oov_index = np.argwhere(vocabulary == self.oov_token)[-1]
            raise ValueError("Found reserved OOV token at unexpected location in "
                             "`vocabulary`. Note that passed `vocabulary` does not need to "
                             "include the OOV and mask tokens. Either remove all mask and "
                             "OOV tokens, or include them only at the start of the "
                             f"vocabulary in precisely this order: {special}. Received: "
                             f"oov_token={self.oov_token} at vocabulary index {oov_index}")
        new_size = token_start + len(tokens)
        if self.max_tokens is not None and new_size > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab "
                             f"size. Received vocabulary size is {new_size}; `max_tokens` "
                             f"is {self.max_tokens}.")
        self.lookup_table = self._lookup_table_from_tokens(tokens)
        self._record_vocabulary_size()
        if self.output_mode == "tf_idf" and idf_weights is not None:
            if len(vocabulary) != len(idf_weights):
                raise ValueError("`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(idf_weights)}; len(vocabulary) "
                                 f"is {len(vocabulary)}")
            idf_weights = np.asarray(idf_weights)
            if idf_weights.ndim != 1:
                raise ValueError("TF-IDF data must be a 1-index array. Received: "
                                 f"type(idf_weights)={type(idf_weights)}")
            # the special indices weigh the mean weight unless the vocabulary has them
            front, front_value = (0, 0) if found_special else \
                (token_start, np.average(idf_weights))
            back = self.max_tokens - front - len(idf_weights) \
                if self.pad_to_max_tokens and self.max_tokens is not None else 0
            self._set_idf(np.pad(idf_weights, (front, back), "constant",
                                 constant_values=(front_value, 0)))

    def _find_repeated_tokens(self, vocabulary):
        items = list(vocabulary)
        if len(items) == len(set(items)):
            return []
        return [item for item, n in collections.Counter(items).items() if n > 1]

    def _record_vocabulary_size(self):
        self._ensure_vocab_size_unchanged()
        with _lookup._init_scope():
            self._frozen_vocab_size = self.vocabulary_size()

    def _ensure_vocab_size_unchanged(self):
        if self.output_mode == "int" or self.pad_to_max_tokens:
            return
        with _lookup._init_scope():
            new = self.vocabulary_size()
        if self._frozen_vocab_size is not None and new != self._frozen_vocab_size:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               "`pad_to_max_tokens=False`, the vocabulary size cannot be "
                               "changed after the layer is called. Old vocab size is "
                               f"{self._frozen_vocab_size}, new vocab size is {new}")

    def _ensure_known_vocab_size(self):
        if self.output_mode == "int" or self.pad_to_max_tokens:
            return
        if self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               "`pad_to_max_tokens=False`, you must set the layer's "
                               "vocabulary before calling it. Either pass a `vocabulary` "
                               "argument to the layer, or call `adapt` with some sample "
                               "data.")

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    # --- tables --------------------------------------------------------------------------------
    def _uninitialized_lookup_table(self):
        with _lookup._init_scope():
            init = _NullInitializer(self._key_dtype, self._value_dtype)
            return _lookup.StaticHashTable(init, self._default_value)

    def _lookup_table_from_tokens(self, tokens):
        with _lookup._init_scope():
            start = self._token_start_index()
            tokens = np.asarray(tokens)
            if self.vocabulary_dtype == "string":
                tokens = np.array([t if isinstance(t, bytes) else str(t).encode()
                                   for t in tokens.reshape(-1)], dtype=object)
            else:
                tokens = tokens.astype(np.int64)
            indices = np.arange(start, start + len(tokens), dtype=np.int64)
            keys, values = (indices, tokens) if self.invert else (tokens, indices)
            init = _lookup.KeyValueTensorInitializer(keys, values, self._key_dtype,
                                                      self._value_dtype)
            return _lookup.StaticHashTable(init, self._default_value)

    def _lookup_table_from_file(self, filename):
        # one token a line; its index is its line number after the special indices
        index = _lookup.TextFileIndex
        key, value = (index.LINE_NUMBER, index.WHOLE_LINE) if self.invert else \
            (index.WHOLE_LINE, index.LINE_NUMBER)
        with _lookup._init_scope():
            init = _lookup.TextFileInitializer(filename=filename, key_dtype=self._key_dtype,
                                               key_index=key, value_dtype=self._value_dtype,
                                               value_index=value,
                                               value_index_offset=self._token_start_index())
            return _lookup.StaticHashTable(init, self._default_value)

    # --- adapt -----------------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learns the vocabulary (and IDF weights) from `data`: an array or tensor (each
        element a document), or a dataset or other iterable of batches."""
        adapt_batches(self, data, steps, self.vocabulary_dtype)

    def update_state(self, data):
        """Counts the tokens of one batch (adapt calls it per batch)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             "method.")
        data = ensure_tensor(data, dtype=self.vocabulary_dtype)
        if not _is_ragged(data) and not _is_sparse(data):
            if data.shape.rank == 0:
                data = _a.expand_dims(data, 0)
            if data.shape.rank == 1:
                data = _a.expand_dims(data, 0)
        self._token_counts.update(self._flat_tokens(data))
        if self.output_mode == "tf_idf":
            docs = self._documents(data)
            for doc in docs:
                self._document_counts.update(set(doc))
            self._num_documents += len(docs)

    def _flat_tokens(self, data):
        if _is_ragged(data):
            flat = data.flat_values.numpy()
        elif _is_sparse(data):
            flat = data.values.numpy()
        else:
            flat = data.numpy()
        flat = np.asarray(flat).reshape(-1)
        return flat.tolist() if flat.dtype != object else list(flat)

    def _documents(self, data):
        if _is_ragged(data):
            return data.to_list()
        if _is_sparse(data):
            raise NotImplementedError("tfteach's tf_idf adapt takes dense or ragged batches")
        arr = np.asarray(data.numpy())
        return [row.reshape(-1).tolist() if arr.dtype != object else list(row.reshape(-1))
                for row in arr]

    def finalize_state(self):
        """Turns the counts into the vocabulary: most frequent first (ties: greater token
        first), at most max_tokens indices in all."""
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        counts = dict(self._token_counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._as_key(special), None)
        ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        tokens = [k for k, _ in ordered]
        self.lookup_table = self._lookup_table_from_tokens(tokens)
        if self.output_mode == "tf_idf":
            doc_counts = np.array([self._document_counts.get(t, 0) for t in tokens],
                                  np.int64)
            idf = np.log(1 + self._num_documents / (1 + doc_counts)).astype(np.float32)
            mean = np.float32(idf.mean(dtype=np.float32)) if idf.size else np.float32(np.nan)
            idf = np.concatenate([np.full(self._token_start_index(), mean, np.float32), idf])
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self._set_idf(idf)
        self.reset_state()
        self._record_vocabulary_size()

    def reset_state(self):
        if self._has_input_vocabulary:
            return
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    def _as_key(self, token):
        if self.vocabulary_dtype == "string":
            return token if isinstance(token, bytes) else str(token).encode()
        return int(token)

    # --- calling ---------------------------------------------------------------------------------
    @property
    def compute_dtype(self):
        return self.vocabulary_dtype

    @property
    def variable_dtype(self):
        return self.vocabulary_dtype

    def build(self, input_shape=None):
        self.built = True

    def get_build_config(self):
        return {}

    def call(self, inputs):
        self._ensure_known_vocab_size()
        inputs = ensure_tensor(inputs, dtype=self._key_dtype)
        rank = None if _is_ragged(inputs) or _is_sparse(inputs) else inputs.shape.rank
        if rank == 0:
            inputs = _a.expand_dims(inputs, -1)
        if _is_sparse(inputs):
            from ...ops.sparse_ops import SparseTensor
            lookups = SparseTensor(inputs.indices, self._lookup_dense(inputs.values),
                                   inputs.dense_shape)
        elif _is_ragged(inputs):
            lookups = inputs.with_flat_values(self._lookup_dense(inputs.flat_values))
        else:
            lookups = self._lookup_dense(inputs)
        if self.output_mode == "int":
            return _a.squeeze(lookups, [-1]) if rank == 0 else lookups
        if _is_sparse(lookups) or (_is_ragged(lookups) and self.output_mode == "one_hot"):
            raise NotImplementedError(f"tfteach's {type(self).__name__} encodes dense inputs "
                                      f"(and ragged ones, but for one_hot) only "
                                      f"(output_mode={self.output_mode!r})")
        if _is_ragged(lookups):
            # each row's counts: the rows padded with an index that counts for nothing
            lookups = lookups.to_tensor(default_value=-1)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(lookups, mode, depth, self._value_dtype)
        if self.output_mode == "tf_idf":
            from ..models import functional
            weights = getattr(self, "idf_weights", None)
            if weights is not None:
                weights = weights.read_value()
            elif functional.in_symbolic_call():
                # only the output's shape and dtype matter (the weights may come later)
                return _m.cast(out, _dt.float32)
            if weights is None:
                raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be "
                                 "provided.")
            out = _m.multiply(_m.cast(out, _dt.float32), weights)
        return out

    def _lookup_dense(self, inputs):
        from ...ops import string_ops
        from ..models import functional
        if functional.in_symbolic_call():
            # Keras looks nothing up for a KerasTensor (the table may not be filled yet)
            lookups = _a.zeros_like(inputs, dtype=self._value_dtype)
        else:
            lookups = self.lookup_table.lookup(inputs)
        if self.mask_token is not None:
            mask = _m.equal(inputs, _ops.convert_to_tensor(self._mask_key,
                                                          dtype=self._key_dtype))
            lookups = _a.where_v2(mask, _ops.convert_to_tensor(self._mask_value,
                                                               dtype=self._value_dtype),
                                  lookups)
        if self.invert:
            return lookups
        checks = []
        if self.num_oov_indices == 0:
            checks.append(self._assert_in_vocabulary(inputs, lookups))
        elif self.num_oov_indices > 1:
            integer_keys = _dt.as_dtype(self._key_dtype).is_integer
            if integer_keys and self.oov_method != "farmhash":
                oov = _m.floormod(inputs, self.num_oov_indices)
            else:
                text = string_ops.as_string(inputs) if integer_keys else inputs
                if self.salt is not None:
                    oov = string_ops.to_hash_bucket_strong(text, self.num_oov_indices,
                                                           key=self.salt)
                else:
                    oov = string_ops.to_hash_bucket_fast(text, self.num_oov_indices)
            oov = oov + self._oov_start_index()
            lookups = _a.where_v2(_m.equal(lookups, self._default_value), oov, lookups)
        with _ops.control_dependencies([c for c in checks if c is not None]):
            return _a.identity(lookups)

    def _assert_in_vocabulary(self, inputs, lookups):
        from ...ops import assert_ops, string_ops
        oov_at = _a.where(_m.equal(lookups, -1))
        oov_inputs = _a.gather_nd(inputs, oov_at)
        msg = string_ops.format("When `num_oov_indices=0` all inputs should be in "
                                "vocabulary, found OOV values {}, consider setting "
                                "`num_oov_indices=1`.", (oov_inputs,))
        return assert_ops.Assert(_m.equal(_a.size(oov_at), 0), [msg])

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    # --- config and saving -------------------------------------------------------------------
    def get_config(self):
        config = {"invert": self.invert, "max_tokens": self.max_tokens,
                  "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                  "mask_token": self.mask_token, "output_mode": self.output_mode,
                  "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                  "vocabulary_dtype": self.vocabulary_dtype,
                  "idf_weights": listify(self.input_idf_weights),
                  "vocabulary": listify(self.input_vocabulary),
                  "vocabulary_size": self._frozen_vocab_size,
                  "oov_method": self.oov_method, "salt": self.salt}
        base = super().get_config()
        return {**base, **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(**config)

    def _set_idf(self, weights):
        # a plain tf.Variable as Keras keeps it: not one of the layer's weights
        from ...eager.variables import ResourceVariable
        weights = np.asarray(weights, np.float32)
        with _lookup._init_scope():
            self.idf_weights = ResourceVariable(weights, trainable=False, name="Variable")

    def save_own_variables(self, store):
        """What the weights file holds for the layer: the IDF weights (tf_idf) or nothing."""
        if self.output_mode == "tf_idf":
            store["idf_weights"] = np.asarray(self.idf_weights.numpy(), np.float32)

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf":
            self._set_idf(store["idf_weights"])

    def save_assets(self, dir_path):
        """An adapted vocabulary goes in the file beside the weights (vocabulary.txt); one
        given to the constructor is in the config already."""
        import os
        if self.input_vocabulary is not None:
            return
        vocabulary = self.get_vocabulary(include_special_tokens=True)
        with open(os.path.join(dir_path, "vocabulary.txt"), "w") as f:
            f.write("\n".join(str(w) for w in vocabulary))

    def load_assets(self, dir_path):
        import os
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt")) as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [str(v) for v in lines] if self.vocabulary_dtype == "string" else \
            [int(v) for v in lines]
        if self.output_mode == "tf_idf":
            self.set_vocabulary(values, idf_weights=self.idf_weights.numpy())
        else:
            self.set_vocabulary(values)


def _is_dataset(data):
    from ...data.dataset_ops import Dataset
    return isinstance(data, Dataset)


def adapt_batches(layer, data, steps, dtype):
    """layer.reset_state(), update_state per batch of `data` (a dataset or other iterable of
    batches, at most `steps` of them; or one array or tensor of `dtype`, a rank-1 one taken
    as a column), then finalize_state(): the adapt of the lookup and text layers."""
    layer.reset_state()
    if _is_dataset(data):
        if steps is not None:
            data = data.take(steps)
        for batch in data:
            layer.update_state(batch)
    elif hasattr(data, "__iter__") and not (
            isinstance(data, (list, tuple, np.ndarray)) or
            isinstance(data, _ops.Tensor) or getattr(data, "_tf_composite", False)):
        for i, batch in enumerate(data):
            if steps is not None and i >= steps:
                break
            layer.update_state(batch)
    else:
        data = ensure_tensor(data, dtype=dtype)
        if data.shape.rank == 1:
            data = _a.expand_dims(data, -1)
        layer.update_state(data)
    layer.finalize_state()


class StringLookup(IndexLookup):
    """Strings -> integer indices (or indices -> strings with `invert=True`)."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None,
                 salt=None, **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def _tokens_of(self, values):
        return [v.decode(self.encoding) if isinstance(v, bytes) else v
                for v in np.asarray(values, dtype=object).reshape(-1)]

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Integers -> indices (or back with `invert=True`); OOV integers share the OOV
    indices by value modulo their number (or by FarmHash of their text,
    `oov_method="farmhash"`)."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             f"than 1. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` "
                             f"must >= 0. Received: num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         vocabulary_dtype=vocabulary_dtype, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method,
                         salt=salt, name=name, **kwargs)

    def _tokens_of(self, values):
        return [int(v) for v in np.asarray(values).reshape(-1)]

    def get_config(self):
        config = super().get_config()
        if config["oov_token"] is not None:
            config["oov_token"] = int(config["oov_token"])
        if config["mask_token"] is not None:
            config["mask_token"] = int(config["mask_token"])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
