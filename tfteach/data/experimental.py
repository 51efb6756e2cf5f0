"""`tf.data.experimental`: the few names tfteach has (the cardinality helpers, and
TFRecordWriter, which writes a dataset of strings as a TFRecord file)."""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from .dataset_ops import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "TFRecordWriter",
           "cardinality"]


def cardinality(dataset):
    return dataset.cardinality()


class TFRecordWriter:
    """`tf.data.experimental.TFRecordWriter(filename, compression_type)`: `write(dataset)`
    writes every element of a dataset of scalar strings as one record. Eagerly it writes at
    once; in a graph it is a DatasetToTFRecord op that writes when run."""

    def __init__(self, filename, compression_type=None):
        self._filename = filename
        self._compression_type = compression_type

    @registry.api("DatasetToTFRecord")
    def write(self, dataset):
        from ..eager.function import TensorSpec
        if not isinstance(dataset, Dataset):
            raise TypeError(f"Invalid `dataset.` Expected a `tf.data.Dataset` object but got "
                            f"{type(dataset)}.")
        spec = dataset.element_spec
        if not (isinstance(spec, TensorSpec) and spec.dtype == _dt.string and
                spec.shape.rank == 0):
            shapes = getattr(spec, "shape", None)
            types = getattr(spec, "dtype", None)
            raise TypeError(f"Invalid `dataset`. Expected a`dataset` that produces scalar "
                            f"`tf.string` elements, but got a dataset which produces elements "
                            f"with shapes {shapes} and types {types}.")
        from ..ops import dataset_ops as _declared  # noqa: F401 - the op's declaration
        from ..framework.op_def_library import apply_op
        from .iterator_ops import _register
        filename = _ops.convert_to_tensor(self._filename, dtype=_dt.string, name="filename")
        compression = _ops.convert_to_tensor(self._compression_type or "", dtype=_dt.string,
                                             name="compression_type")
        if _ops.executing_eagerly() and not dataset._captures():
            _write(dataset, filename.numpy(), compression.numpy())
            return None
        key = _register(_ops.get_default_graph(), dataset)
        apply_op("DatasetToTFRecord", [filename, compression, list(dataset._captures())],
                 {"dataset_factory": key}, name="DatasetToTFRecord")
        return _ops.get_default_graph().get_operations()[-1]


def _write(dataset, filename, compression):
    """Writes the records (also the DatasetToTFRecord kernel's work, kernels/cpu/dataset.py)."""
    from ..kernels.tfrecord import write_dataset
    write_dataset(dataset._iter(), filename, compression)
