"""TF1's graph iterator: `make_one_shot_iterator(ds)` and `iterator.get_next()`."""
import itertools

from ..framework import nest
from ..framework import ops as _ops
from ..framework import registry

_keys = itertools.count()


class Iterator:
    """`tf.compat.v1.data.Iterator`: a OneShotIterator op and the IteratorGetNext ops that
    read it."""

    def __init__(self, handle, element_spec):
        self._iterator_resource = handle
        self._spec = element_spec
        self._next_count = 0

    @property
    def element_spec(self):
        return self._spec

    @property
    def output_types(self):
        return nest.map_structure(lambda s: s.dtype, self._spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda s: s.shape, self._spec)

    @registry.api("IteratorGetNext")
    def get_next(self, name=None):
        from ..framework.op_def_library import apply_op
        specs = nest.flatten(self._spec)
        outs = apply_op("IteratorGetNext", [self._iterator_resource],
                        {"output_types": [s.dtype for s in specs],
                         "output_shapes": [s.shape for s in specs]},
                        name=name or "IteratorGetNext")
        return nest.pack_sequence_as(self._spec, list(outs))


@registry.api("OneShotIterator")
def make_one_shot_iterator(dataset):
    from ..framework.op_def_library import apply_op
    from ..ops import dataset_ops  # noqa: F401 - declares the ops
    if _ops.executing_eagerly():
        raise RuntimeError("`make_one_shot_iterator()` is not supported in eager mode. Use "
                           "`for element in dataset` or `iter(dataset)` instead.")
    graph = _ops.get_default_graph()
    if not hasattr(graph, "_tfteach_datasets"):
        graph._tfteach_datasets = {}
    key = f"_make_dataset_{next(_keys)}"
    graph._tfteach_datasets[key] = dataset
    specs = nest.flatten(dataset.element_spec)
    handle = apply_op("OneShotIterator", [],
                      {"dataset_factory": key, "output_types": [s.dtype for s in specs],
                       "output_shapes": [s.shape for s in specs]},
                      name="OneShotIterator")[0]
    return Iterator(handle, dataset.element_spec)


class _FunctionIterator:
    """The iterator of a `for x in dataset:` loop in a tf.function (AutoGraph): made each
    time the function runs, read one optional element at a time."""

    def __init__(self, handle, spec):
        self._handle = handle
        self._spec = spec

    @registry.api("IteratorGetNextAsOptional")
    def get_next_as_optional(self):
        from ..framework.op_def_library import apply_op
        specs = nest.flatten(self._spec)
        return apply_op("IteratorGetNextAsOptional", [self._handle],
                        {"output_types": [s.dtype for s in specs],
                         "output_shapes": [s.shape for s in specs]},
                        name="IteratorGetNextAsOptional")[0]


@registry.api("AnonymousIteratorV3")
def anonymous_iterator(dataset):
    from ..framework.op_def_library import apply_op
    from ..ops import dataset_ops  # noqa: F401 - declares the ops
    graph = _ops.get_default_graph()
    if not hasattr(graph, "_tfteach_datasets"):
        graph._tfteach_datasets = {}
    key = f"_make_dataset_{next(_keys)}"
    graph._tfteach_datasets[key] = dataset
    specs = nest.flatten(dataset.element_spec)
    handle = apply_op("AnonymousIteratorV3", [],
                      {"dataset_factory": key, "output_types": [s.dtype for s in specs],
                       "output_shapes": [s.shape for s in specs]},
                      name="AnonymousIteratorV3")[0]
    return _FunctionIterator(handle, dataset.element_spec)


@registry.api("OptionalHasValue")
def optional_has_value(optional):
    from ..framework.op_def_library import apply_op
    return apply_op("OptionalHasValue", [optional], {}, name="OptionalHasValue")[0]


@registry.api("OptionalGetValue")
def optional_get_value(optional, spec):
    from ..framework.op_def_library import apply_op
    specs = nest.flatten(spec)
    return list(apply_op("OptionalGetValue", [optional],
                         {"output_types": [s.dtype for s in specs],
                          "output_shapes": [s.shape for s in specs]},
                         name="OptionalGetValue"))
