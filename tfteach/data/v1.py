"""`tf.compat.v1.data`: DatasetV1 (with the TF1 iterators) and the TF1 helpers."""
from . import experimental
from .dataset_ops import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, NumpyIterator
from .dataset_ops import DatasetV1 as Dataset
from .dataset_ops import DatasetV1Adapter
from .dataset_ops import TextLineDataset as _TextLineDatasetV2
from .dataset_ops import TFRecordDataset as _TFRecordDatasetV2
from .iterator_ops import (Iterator, get_output_classes, get_output_shapes, get_output_types,
                           make_initializable_iterator, make_one_shot_iterator)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Iterator",
           "NumpyIterator", "TFRecordDataset", "TextLineDataset", "experimental",
           "get_output_classes", "get_output_shapes", "get_output_types",
           "make_initializable_iterator", "make_one_shot_iterator"]


class TextLineDataset(DatasetV1Adapter):
    """TF1's TextLineDataset: the TF2 one with the DatasetV1 methods."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(_TextLineDatasetV2(filenames, compression_type, buffer_size,
                                            num_parallel_reads, name))


class TFRecordDataset(DatasetV1Adapter):
    """TF1's TFRecordDataset: the TF2 one with the DatasetV1 methods."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(_TFRecordDatasetV2(filenames, compression_type, buffer_size,
                                            num_parallel_reads, name))


import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.compat.v1.data")
