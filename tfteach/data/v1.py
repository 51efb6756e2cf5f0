"""`tf.compat.v1.data`: DatasetV1 (with `make_one_shot_iterator`) and the TF1 helpers."""
from . import experimental
from .dataset_ops import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, NumpyIterator
from .dataset_ops import DatasetV1 as Dataset
from .iterator_ops import Iterator, make_one_shot_iterator

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Iterator",
           "NumpyIterator", "experimental", "make_one_shot_iterator"]
