"""CPU kernels of TF1's dataset iterator ops (ops/dataset_ops.py)."""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel


class _IteratorResource:
    """One session's iterator: its position in a dataset (None until initialised)."""
    __slots__ = ("name", "it", "types")

    def __init__(self, name, types=None):
        self.name = name
        self.it = None
        self.types = types

    def start(self, dataset):
        self.it = dataset._iter()
        self.types = dataset._component_dtypes()

    def __repr__(self):
        return "<Iterator resource>"


def _session_resource(ctx, op):
    key = (op.type, op.name)
    res = ctx.state.resources.get(key)
    if res is None:
        res = ctx.state.resources[key] = _IteratorResource(op.name)
    return res


@register_kernel("OneShotIterator")
def one_shot_iterator(*, ctx, op, dataset_factory):
    # the session's resources outlive a run: the iterator goes on where the last run left it
    res = _session_resource(ctx, op)
    if res.it is None:
        res.start(op.graph._tfteach_datasets[dataset_factory])
    return res


@register_kernel("IteratorV2")
def iterator_v2(*, ctx, op):
    return _session_resource(ctx, op)


@register_kernel("MakeIterator")
def make_iterator(iterator, *captures, op, dataset_factory):
    dataset = op.graph._tfteach_datasets[dataset_factory]
    values = {id(t): v for t, v in zip(dataset._captures(), captures)}
    iterator.start(dataset._bind(values))
    return None


@register_kernel("IteratorToStringHandle")
def iterator_to_string_handle(resource_handle, *, ctx):
    handle = f"tfteach-iterator:{id(ctx.state):x}:{resource_handle.name}".encode()
    ctx.state.resources[("string_handle", handle)] = resource_handle
    return np.array(handle, dtype=object)


@register_kernel("IteratorFromStringHandleV2")
def iterator_from_string_handle(string_handle, *, ctx, output_types, output_shapes):
    handle = string_handle[()] if isinstance(string_handle, np.ndarray) else string_handle
    if isinstance(handle, str):
        handle = handle.encode()
    res = ctx.state.resources.get(("string_handle", handle))
    if res is None:
        raise errors.InvalidArgumentError(
            None, None, "Could not parse string_handle as a valid ResourceHandle")
    if res.types is not None:
        if len(res.types) != len(output_types):
            raise errors.InvalidArgumentError(
                None, None, f"Number of components does not match: expected "
                            f"{len(output_types)} types but got {len(res.types)}.")
        for i, (want, got) in enumerate(zip(output_types, res.types)):
            if want != got:
                raise errors.InvalidArgumentError(
                    None, None, f"Data type mismatch at component {i}: expected "
                                f"{_tf_name(want)} but got {_tf_name(got)}.")
    return res


def _tf_name(dtype):
    # TF's DataTypeString spells float32/float64 as C types
    return {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)


@register_kernel("IteratorGetNext")
def iterator_get_next(iterator, *, output_types, output_shapes):
    if iterator.it is None:
        raise errors.FailedPreconditionError(
            None, None, "GetNext() failed because the iterator has not been initialized. "
                        "Ensure that you have run the initializer operation for this "
                        "iterator before getting the next element.")
    try:
        elem = next(iterator.it)
    except StopIteration:
        raise errors.OutOfRangeError(None, None, "End of sequence") from None
    elem = _components(elem)
    return elem[0] if len(elem) == 1 else tuple(elem)


def _components(elem):
    """An element as the iterator ops' outputs: a SparseTensorValue as its three parts;
    NumPy scalars for rank 0, as a TF Session gives."""
    out = []
    for v in elem:
        if isinstance(v, tuple) and hasattr(v, "dense_shape"):
            out += [np.asarray(v.indices, np.int64), np.asarray(v.values),
                    np.asarray(v.dense_shape, np.int64)]
        else:
            out.append(v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v)
    return out


class _Optional:
    """An element or nothing (TF's Optional variant)."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "<Optional>" if self.value is not None else "<Optional: none>"


@register_kernel("AnonymousIteratorV3")
def anonymous_iterator(*, op, dataset_factory, output_types=None, output_shapes=None):
    # a new position at every run: each call of the function walks the dataset afresh
    res = _IteratorResource(op.name)
    res.start(op.graph._tfteach_datasets[dataset_factory])
    return res


@register_kernel("IteratorGetNextAsOptional")
def iterator_get_next_as_optional(iterator, *, output_types=None, output_shapes=None):
    try:
        return _Optional(tuple(next(iterator.it)))
    except StopIteration:
        return _Optional(None)


@register_kernel("OptionalHasValue")
def optional_has_value(optional):
    return np.bool_(optional.value is not None)


@register_kernel("OptionalGetValue")
def optional_get_value(optional, *, output_types, output_shapes):
    if optional.value is None:
        raise errors.InvalidArgumentError(None, None, "The optional does not have a value")
    elem = _components(optional.value)
    return elem[0] if len(elem) == 1 else tuple(elem)


@register_kernel("DatasetToTFRecord")
def dataset_to_tfrecord(filename, compression_type, *captures, op, dataset_factory):
    from ..tfrecord import write_dataset
    dataset = op.graph._tfteach_datasets[dataset_factory]
    values = {id(t): v for t, v in zip(dataset._captures(), captures)}
    write_dataset(dataset._bind(values)._iter(), np.asarray(filename)[()],
                  np.asarray(compression_type)[()])
    return None
