"""The graph ops of TF1's dataset iterators (one-shot, initializable, reinitializable,
feedable).

In TF the dataset itself is a chain of graph ops producing a variant tensor; tfteach keeps
the dataset a Python object (tfteach/data/dataset_ops.py), registered on the graph under
the `dataset_factory` key of the op that starts an iterator on it (OneShotIterator,
MakeIterator). The graph tensors the dataset was built from are MakeIterator's `captures`
inputs (TF's MakeIterator reads them through its `dataset` variant input instead), so a
placeholder fed at initialisation chooses the data. Iterator resources live in the session:
each session starts a dataset afresh, as TF.
"""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.tensor_shape import TensorShape, as_shape

registry.register_op(
    "OneShotIterator", inputs=(), outputs=(("handle", _dt.resource),),
    shape=lambda op: [TensorShape([])], stateful=True,
    attr_defaults={"container": "", "shared_name": ""},
    # made on the first run in a session, and kept by that session
    doc="An iterator over the dataset `dataset_factory`.")
registry.register_op(
    "IteratorV2", inputs=(), outputs=(("handle", _dt.resource),),
    shape=lambda op: [TensorShape([])], stateful=True,
    attr_defaults={"container": "", "shared_name": ""},
    doc="An iterator resource of the session with no dataset until a MakeIterator runs.")
registry.register_op(
    "MakeIterator", inputs=(("iterator", _dt.resource), ("*captures", "list:Tcaptures")),
    outputs=(), shape=lambda op: [], stateful=True,
    doc="(Re)starts `iterator` on the dataset `dataset_factory` built from `captures`.")
registry.register_op(
    "IteratorToStringHandle", inputs=(("resource_handle", _dt.resource),),
    outputs=(("string_handle", _dt.string),), shape=lambda op: [TensorShape([])],
    stateful=True, doc="A string naming the iterator, for IteratorFromStringHandleV2.")
registry.register_op(
    "IteratorFromStringHandleV2", inputs=(("string_handle", _dt.string),),
    outputs=(("resource_handle", _dt.resource),), shape=lambda op: [TensorShape([])],
    stateful=True,
    doc="The iterator a string handle names (a feedable iterator), checked against output_types.")
registry.register_op(
    "IteratorGetNext", inputs=(("iterator", _dt.resource),),
    outputs=lambda attrs: [("components", dt) for dt in attrs["output_types"]],
    shape=lambda op: [as_shape(s) for s in op.get_attr("output_shapes")], stateful=True,
    doc="The next element of the iterator; OutOfRangeError at the end.")
for _t in ("OneShotIterator", "IteratorV2", "MakeIterator", "IteratorToStringHandle",
           "IteratorFromStringHandleV2", "IteratorGetNext"):
    registry.NotDifferentiable(_t)

# --- the iterator of a `for x in dataset:` loop in a tf.function (AutoGraph) ---------------
registry.register_op(
    "AnonymousIteratorV3", inputs=(), outputs=(("handle", _dt.resource),),
    shape=lambda op: [TensorShape([])], stateful=True,
    doc="A fresh iterator over the dataset `dataset_factory` each time it runs.")
registry.register_op(
    "IteratorGetNextAsOptional", inputs=(("iterator", _dt.resource),),
    outputs=(("optional", _dt.variant),), shape=lambda op: [TensorShape([])],
    stateful=True, doc="The iterator's next element as an optional (empty at the end).")
registry.register_op(
    "OptionalHasValue", inputs=(("optional", _dt.variant),),
    outputs=(("has_value", _dt.bool_),), shape=lambda op: [TensorShape([])],
    doc="Whether the optional holds an element.")
registry.register_op(
    "OptionalGetValue", inputs=(("optional", _dt.variant),),
    outputs=lambda attrs: [("components", dt) for dt in attrs["output_types"]],
    shape=lambda op: [as_shape(s) for s in op.get_attr("output_shapes")],
    doc="The element an optional holds; InvalidArgumentError when it is empty.")
for _t in ("AnonymousIteratorV3", "IteratorGetNextAsOptional", "OptionalHasValue",
           "OptionalGetValue"):
    registry.NotDifferentiable(_t)

# --- tf.data.experimental.TFRecordWriter in a graph ------------------------------------------
registry.register_op(
    "DatasetToTFRecord", inputs=(("filename", _dt.string), ("compression_type", _dt.string),
                                 ("*captures", "list:Tcaptures")),
    outputs=(), shape=lambda op: [], stateful=True,
    doc="Writes the dataset `dataset_factory` (scalar strings) as a TFRecord file.")
registry.NotDifferentiable("DatasetToTFRecord")
