"""`tf.data` (TF2): see dataset_ops.py. `tf.compat.v1.data` is tfteach/data/v1.py."""
from . import experimental
from .dataset_ops import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset,
                          DatasetSpec, Iterator, NumpyIterator, TextLineDataset,
                          TFRecordDataset)
from . import iterator_ops as _iterator_ops
from ..eager.autograph import operators as _autograph_operators

# AutoGraph (in the eager layer, below tf.data) learns here what a dataset is and how a
# converted `for x in dataset` loop iterates one
_autograph_operators.install_datasets(Dataset, _iterator_ops)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "DatasetSpec",
           "Iterator", "NumpyIterator", "TFRecordDataset", "TextLineDataset", "experimental"]

import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.data")
