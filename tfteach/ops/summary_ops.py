"""The summary family: the graph ops that serialize values into Summary protocol buffers
(TF 1's `tf.summary.scalar` and friends in tfteach/summary/, kernels in
tfteach/kernels/cpu/summary.py)."""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.tensor_shape import TensorShape


def _scalar_shape(op):
    return [TensorShape([])]


registry.register_op("ScalarSummary", inputs=(("tags", _dt.string), ("values", "T")),
                     outputs=(("summary", _dt.string),), shape=_scalar_shape,
                     doc="Serializes scalar values into a Summary protocol buffer with their tags.")
registry.register_op("HistogramSummary", inputs=(("tag", _dt.string), ("values", "T")),
                     outputs=(("summary", _dt.string),), shape=_scalar_shape,
                     doc="Serializes a histogram of the values into a Summary protocol buffer.")
registry.register_op("TensorSummaryV2", inputs=(("tag", _dt.string), ("tensor", "T"),
                                                ("serialized_summary_metadata", _dt.string)),
                     outputs=(("summary", _dt.string),), shape=_scalar_shape,
                     doc="Serializes a whole tensor and its metadata into a Summary buffer.")
registry.register_op("MergeSummary", inputs=(("*inputs", _dt.string),),
                     outputs=(("summary", _dt.string),), shape=_scalar_shape,
                     doc="Concatenates serialized Summary protocol buffers into one.")
for _t in ("ScalarSummary", "HistogramSummary", "TensorSummaryV2", "MergeSummary"):
    registry.NotDifferentiable(_t)
