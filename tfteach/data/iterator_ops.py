"""TF1's graph iterators: one-shot, initializable, reinitializable and feedable.

Each iterator is an iterator-resource op (OneShotIterator, IteratorV2 or
IteratorFromStringHandleV2) read by IteratorGetNext ops; a MakeIterator op points an
IteratorV2 at a dataset, and IteratorToStringHandle names an iterator so a feedable iterator
can switch between them per `Session.run`. The dataset itself stays a Python object (see
ops/dataset_ops.py) registered on the graph under the `dataset_factory` key; the graph
tensors it was built from (placeholders, typically) are the MakeIterator op's inputs, so
feeding them chooses the data at initialisation, as in TF.
"""
import itertools

from ..framework import dtypes as _dt
from ..framework import nest
from ..framework import ops as _ops
from ..framework import registry
from ..framework.tensor_shape import TensorShape, as_shape

_keys = itertools.count()


def _declare():
    from ..ops import dataset_ops  # noqa: F401 - declares the ops


def _register(graph, dataset):
    if not hasattr(graph, "_tfteach_datasets"):
        graph._tfteach_datasets = {}
    key = f"_make_dataset_{next(_keys)}"
    graph._tfteach_datasets[key] = dataset
    return key


def _is_sparse(s):
    from ..ops.sparse_ops import SparseTensorSpec
    return isinstance(s, SparseTensorSpec)


def components(spec):
    """(dtype, shape) of the tensors an element travels as through the iterator ops: a
    SparseTensor as its indices, values and dense shape (TF packs it into one variant
    tensor; tfteach's iterators hand over the three parts and rebuild it)."""
    out = []
    for s in nest.flatten(spec):
        if _is_sparse(s):
            rank = s.shape.rank
            out += [(_dt.int64, TensorShape([None, rank])), (s.dtype, TensorShape([None])),
                    (_dt.int64, TensorShape([rank]))]
        else:
            out.append((s.dtype, s.shape))
    return out


def _structure_attrs(spec):
    comps = components(spec)
    return {"output_types": [d for d, _ in comps], "output_shapes": [s for _, s in comps]}


def _regroup(spec, outs):
    """The iterator ops' outputs, one value per leaf of `spec` (SparseTensors rebuilt)."""
    from ..ops.sparse_ops import SparseTensor
    it = iter(outs)
    return [SparseTensor(next(it), next(it), next(it)) if _is_sparse(s) else next(it)
            for s in nest.flatten(spec)]


def _spec_from(output_types, output_shapes):
    from ..eager.function import TensorSpec
    if output_shapes is None:
        output_shapes = nest.map_structure(lambda _: TensorShape(None), output_types)
    flat_t = nest.flatten(output_types)
    flat_s = _flatten_shapes(output_types, output_shapes)
    leaves = [TensorSpec(as_shape(s), _dt.as_dtype(t)) for t, s in zip(flat_t, flat_s)]
    return nest.pack_sequence_as(output_types, leaves)


def _flatten_shapes(types, shapes):
    """Shapes follow the types' structure; a shape given as a list or tuple of dims is one
    leaf (TF's flatten_up_to)."""
    if isinstance(types, dict):
        return [s for k in sorted(types) for s in _flatten_shapes(types[k], shapes[k])]
    if isinstance(types, (tuple, list)):
        return [s for t, sh in zip(types, shapes) for s in _flatten_shapes(t, sh)]
    return [shapes]


class Iterator:
    """`tf.compat.v1.data.Iterator`: an iterator resource and the ops that read it."""

    def __init__(self, iterator_resource, initializer, output_types, output_shapes,
                 output_classes=None, element_spec=None):
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._spec = element_spec if element_spec is not None else \
            _spec_from(output_types, output_shapes)
        # TF names every iterator at once (the op feedable iterators are fed from)
        self._string_handle = _handle_op(iterator_resource, None)

    @staticmethod
    @registry.api("IteratorV2")
    def from_structure(output_types, output_shapes=None, shared_name=None,
                       output_classes=None):
        """A reinitializable iterator: no dataset yet; `make_initializer(ds)` gives one."""
        from ..framework.op_def_library import apply_op
        _declare()
        spec = _spec_from(output_types, output_shapes)
        handle = apply_op("IteratorV2", [], {**_structure_attrs(spec),
                                             "shared_name": shared_name or ""},
                          name="IteratorV2")[0]
        return Iterator(handle, None, None, None, element_spec=spec)

    @staticmethod
    @registry.api("IteratorFromStringHandleV2")
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None):
        """A feedable iterator: reads whichever iterator `string_handle` names at run time."""
        from ..framework.op_def_library import apply_op
        _declare()
        spec = _spec_from(output_types, output_shapes)
        handle = apply_op("IteratorFromStringHandleV2", [string_handle],
                          _structure_attrs(spec), name="IteratorFromStringHandleV2")[0]
        return Iterator(handle, None, None, None, element_spec=spec)

    @property
    def initializer(self):
        if self._initializer is not None:
            return self._initializer
        raise ValueError("The iterator does not have an initializer. This means it was "
                         "likely created using `tf.data.Dataset.make_one_shot_iterator()`. "
                         "For an initializable iterator, use "
                         "`tf.data.Dataset.make_initializable_iterator()` instead.")

    @registry.api("MakeIterator")
    def make_initializer(self, dataset, name=None):
        """A MakeIterator op that (re)starts this iterator on `dataset`."""
        mine, theirs = nest.flatten(self._spec), nest.flatten(dataset.element_spec)
        try:
            nest.assert_same_structure(self._spec, dataset.element_spec)
        except (ValueError, TypeError):
            raise TypeError(f"Expected output types {self.output_types} but got dataset "
                            f"with output types {_types(dataset)}.") from None
        if any(a.dtype != b.dtype for a, b in zip(mine, theirs)):
            raise TypeError(f"Expected output types {_fmt(self.output_types)} but got "
                            f"dataset with output types {_fmt(_types(dataset))}.")
        if any(not a.shape.is_compatible_with(b.shape) for a, b in zip(mine, theirs)):
            raise TypeError(f"Expected output shapes compatible with "
                            f"{_fmt_shapes(self.output_shapes)} but got dataset with output "
                            f"shapes {_fmt_shapes(_shapes(dataset))}.")
        return _make_iterator_op(self._iterator_resource, dataset, name or "make_initializer")

    @registry.api("IteratorGetNext")
    def get_next(self, name=None):
        from ..framework.op_def_library import apply_op
        outs = apply_op("IteratorGetNext", [self._iterator_resource],
                        _structure_attrs(self._spec), name=name or "IteratorGetNext")
        return nest.pack_sequence_as(self._spec, _regroup(self._spec, outs))

    @registry.api("IteratorToStringHandle")
    def string_handle(self, name=None):
        """The scalar string naming this iterator, to feed a feedable iterator with."""
        if name is None:
            return self._string_handle
        return _handle_op(self._iterator_resource, name)

    @property
    def element_spec(self):
        return self._spec

    @property
    def output_types(self):
        return nest.map_structure(lambda s: s.dtype, self._spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda s: s.shape, self._spec)

    @property
    def output_classes(self):
        return get_output_classes(self)


def _types(ds):
    return nest.map_structure(lambda s: s.dtype, ds.element_spec)


def _shapes(ds):
    return nest.map_structure(lambda s: s.shape, ds.element_spec)


def _fmt(types):
    return nest.map_structure(lambda t: f"tf.{t.name}", types) if not isinstance(
        types, _dt.DType) else f"tf.{types.name}"


def _fmt_shapes(shapes):
    if isinstance(shapes, TensorShape):
        return f"TensorShape({shapes.as_list() if shapes.rank is not None else None})"
    return shapes


def _handle_op(resource, name):
    from ..framework.op_def_library import apply_op
    return apply_op("IteratorToStringHandle", [resource], {},
                    name=name or "IteratorToStringHandle")[0]


def _make_iterator_op(resource, dataset, name):
    from ..framework.op_def_library import apply_op
    key = _register(_ops.get_default_graph(), dataset)
    captures = dataset._captures()
    apply_op("MakeIterator", [resource, list(captures)], {"dataset_factory": key}, name=name)
    return resource.graph.get_operations()[-1]


@registry.api("OneShotIterator")
def make_one_shot_iterator(dataset):
    from ..framework.op_def_library import apply_op
    _declare()
    if _ops.executing_eagerly():
        return iter(dataset)    # TF 2.21 hands back the eager iterator
    for t in dataset._captures():
        raise ValueError(f"Cannot capture a placeholder (name:{t.op.name}, "
                         f"type:{t.op.type}) by value.")
    key = _register(_ops.get_default_graph(), dataset)
    handle = apply_op("OneShotIterator", [],
                      {"dataset_factory": key, **_structure_attrs(dataset.element_spec)},
                      name="OneShotIterator")[0]
    return Iterator(handle, None, None, None, element_spec=dataset.element_spec)


def make_initializable_iterator(dataset, shared_name=None):
    """An IteratorV2 with its MakeIterator initializer: running the initializer (again)
    starts the dataset from the beginning, reading the values fed to its placeholders."""
    from ..framework.op_def_library import apply_op
    _declare()
    if _ops.executing_eagerly():
        raise RuntimeError("`make_initializable_iterator()` is not supported in eager mode. "
                           "Use Python-style iteration instead.")
    spec = dataset.element_spec
    handle = apply_op("IteratorV2", [], {**_structure_attrs(spec),
                                         "shared_name": shared_name or ""},
                      name="IteratorV2")[0]
    init = _make_iterator_op(handle, dataset, "MakeIterator")
    return Iterator(handle, init, None, None, element_spec=spec)


def get_output_types(dataset_or_iterator):
    return nest.map_structure(lambda s: s.dtype, dataset_or_iterator.element_spec)


def get_output_shapes(dataset_or_iterator):
    return nest.map_structure(lambda s: s.shape, dataset_or_iterator.element_spec)


def get_output_classes(dataset_or_iterator):
    return nest.map_structure(lambda s: s.value_type if _is_sparse(s) else _ops.Tensor,
                              dataset_or_iterator.element_spec)


class _FunctionIterator:
    """The iterator of a `for x in dataset:` loop in a tf.function (AutoGraph): made each
    time the function runs, read one optional element at a time."""

    def __init__(self, handle, spec):
        self._handle = handle
        self._spec = spec

    @registry.api("IteratorGetNextAsOptional")
    def get_next_as_optional(self):
        from ..framework.op_def_library import apply_op
        return apply_op("IteratorGetNextAsOptional", [self._handle],
                        _structure_attrs(self._spec), name="IteratorGetNextAsOptional")[0]


@registry.api("AnonymousIteratorV3")
def anonymous_iterator(dataset):
    from ..framework.op_def_library import apply_op
    from ..ops import dataset_ops  # noqa: F401 - declares the ops
    graph = _ops.get_default_graph()
    if not hasattr(graph, "_tfteach_datasets"):
        graph._tfteach_datasets = {}
    key = f"_make_dataset_{next(_keys)}"
    graph._tfteach_datasets[key] = dataset
    handle = apply_op("AnonymousIteratorV3", [],
                      {"dataset_factory": key, **_structure_attrs(dataset.element_spec)},
                      name="AnonymousIteratorV3")[0]
    return _FunctionIterator(handle, dataset.element_spec)


@registry.api("OptionalHasValue")
def optional_has_value(optional):
    from ..framework.op_def_library import apply_op
    return apply_op("OptionalHasValue", [optional], {}, name="OptionalHasValue")[0]


@registry.api("OptionalGetValue")
def optional_get_value(optional, spec):
    from ..framework.op_def_library import apply_op
    return _regroup(spec, apply_op("OptionalGetValue", [optional], _structure_attrs(spec),
                                   name="OptionalGetValue"))
