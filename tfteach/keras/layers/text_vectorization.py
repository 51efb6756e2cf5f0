"""TextVectorization: strings -> token indices (or multi_hot / count / tf_idf rows), Keras
3's layer of the text classification tutorial.

Each string is standardized (lower case, ASCII punctuation removed, by default), split (at
whitespace, or into characters), optionally turned into n-grams, and looked up in a
vocabulary that `adapt` learns (a StringLookup inside, with "" as its mask token and one OOV
index: index 0 pads, 1 is [UNK]). In "int" mode the rows are padded with 0 to the longest
row, or cut / padded to `output_sequence_length`.
"""

from ...ops import array_ops as _a
from ...ops import string_ops as _s
from .base import Layer
from .index_lookup import (StringLookup, _is_ragged, adapt_batches, ensure_tensor, listify,
                           validate_string_arg)

__all__ = ["TextVectorization"]

# Keras's DEFAULT_STRIP_REGEX: ASCII punctuation
_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


class TextVectorization(Layer):
    """Strings -> sequences of token indices (or one encoded row per string)."""

    _keep_private_names = True      # Keras saves the inner StringLookup as `_lookup_layer`
    _symbolic_shape_rule = True     # (None, output_sequence_length) for a symbolic call
    _convert_input_args = False     # inputs reach call as given (Keras's)

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        validate_string_arg(standardize, ("lower_and_strip_punctuation", "lower",
                                          "strip_punctuation"),
                            "TextVectorization", "standardize", allow_none=True,
                            allow_callables=True)
        validate_string_arg(split, ("whitespace", "character"), "TextVectorization", "split",
                            allow_none=True, allow_callables=True)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        validate_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"),
                            "TextVectorization", "output_mode")
        if not (ngrams is None or isinstance(ngrams, int) or
                (isinstance(ngrams, tuple) and all(isinstance(i, int) for i in ngrams))):
            raise ValueError("`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (isinstance(output_sequence_length, int) or
                                         output_sequence_length is None):
            raise ValueError("`output_sequence_length` must be either None or an integer "
                             "when `output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is "
                             "not 'int'. Received output_sequence_length="
                             f"{output_sequence_length}.")
        if ragged and output_mode != "int":
            raise ValueError("`ragged` must not be true if `output_mode` is `'int'`. "
                             f"Received: ragged={ragged} and output_mode={output_mode}")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary",
                                                vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=self._has_input_vocabulary,
            encoding=encoding, vocabulary_size=vocabulary_size)

    @property
    def compute_dtype(self):
        return "string"

    @property
    def variable_dtype(self):
        return "string"

    def build(self, input_shape=None):
        self.built = True

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = tuple(input_shape) + (1,)
        else:
            input_shape = tuple(input_shape) + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    # --- the vocabulary -----------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary from `data`: strings (an array or tensor, one document
        each), or a dataset or other iterable of batches of strings."""
        if batch_size is not None:
            raise NotImplementedError("tfteach's TextVectorization.adapt takes no "
                                      "batch_size (Keras 3 ignores it too): batch the "
                                      "dataset instead")
        adapt_batches(self, data, steps, "string")

    def update_state(self, data):
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # --- calling ---------------------------------------------------------------------------------
    def _preprocess(self, inputs):
        inputs = ensure_tensor(inputs, dtype="string")
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            inputs = _s.lower(inputs)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            inputs = _s.regex_replace(inputs, _PUNCTUATION, "")
        if callable(self._standardize):
            inputs = self._standardize(inputs)
        if self._split is not None:
            if inputs.shape.rank > 1:
                if inputs.shape.as_list()[-1] != 1:
                    raise ValueError("When using `TextVectorization` to tokenize strings, "
                                     "the input rank must be 1 or the last shape dimension "
                                     f"must be 1. Received: inputs.shape={inputs.shape} "
                                     f"with rank={inputs.shape.rank}")
                inputs = _a.squeeze(inputs, axis=[-1])
            if self._split == "whitespace":
                inputs = _s.split(inputs)
            elif self._split == "character":
                inputs = _s.unicode_split(inputs, "UTF-8")
            else:
                inputs = self._split(inputs)
        if self._ngrams is not None:
            inputs = _s.ngrams(inputs, ngram_width=self._ngrams, separator=" ")
        return inputs

    def call(self, inputs):
        inputs = self._preprocess(inputs)
        lookup_data = self._lookup_layer.call(inputs)
        if self._output_mode != "int":
            return lookup_data
        length = self._output_sequence_length
        if _is_ragged(lookup_data) and not self._ragged:
            shape = lookup_data.shape.as_list()
            shape[-1] = length
            return lookup_data.to_tensor(default_value=0, shape=shape)
        if length is not None:
            if _is_ragged(lookup_data):
                if lookup_data.ragged_rank != 1:
                    raise NotImplementedError("tfteach cuts ragged outputs of rank 2 only")
                return lookup_data[:, :length]
            out = lookup_data[..., :length]
            # pad the last axis up to the length (Keras: required_space_to_batch_paddings)
            rank = out.shape.rank
            short = length - _a.shape(out)[-1]
            paddings = _a.concat([_a.zeros([rank - 1, 2], dtype="int32"),
                                  _a.reshape(_a.stack([0, short]), [1, 2])], 0)
            out = _a.pad(out, paddings)
            static = lookup_data.shape.as_list()
            static[-1] = length
            out.set_shape(static)
            return out
        return lookup_data

    # --- config and saving -------------------------------------------------------------------
    def get_config(self):
        config = {"max_tokens": self._lookup_layer.max_tokens,
                  "standardize": self._standardize, "split": self._split,
                  "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                  "output_sequence_length": self._output_sequence_length,
                  "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens,
                  "sparse": self._lookup_layer.sparse, "ragged": self._ragged,
                  "vocabulary": listify(self._lookup_layer.input_vocabulary),
                  "idf_weights": listify(self._lookup_layer.input_idf_weights),
                  "encoding": self._encoding, "vocabulary_size": self.vocabulary_size()}
        base = super().get_config()
        return {**base, **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("standardize", "split"):
            if not isinstance(config.get(key), str) and config.get(key) is not None and \
                    not callable(config[key]):
                raise NotImplementedError(f"tfteach cannot rebuild a custom `{key}` from a "
                                          f"config: pass the function itself "
                                          f"(received {config[key]!r})")
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        if isinstance(config.get("dtype"), dict):
            config.pop("dtype")
        return cls(**config)

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)
