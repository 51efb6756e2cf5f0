"""CPU kernels of the TF1 dataset iterator ops (ops/dataset_ops.py)."""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel


class _IteratorResource:
    """One session's position in a dataset."""
    __slots__ = ("it",)

    def __init__(self, dataset):
        self.it = dataset._iter()

    def __repr__(self):
        return "<Iterator resource>"


@register_kernel("OneShotIterator")
def one_shot_iterator(*, ctx, op, dataset_factory):
    # the session's resources outlive a run: the iterator goes on where the last run left it
    key = ("OneShotIterator", op.name)
    res = ctx.state.resources.get(key)
    if res is None:
        dataset = op.graph._tfteach_datasets[dataset_factory]
        res = ctx.state.resources[key] = _IteratorResource(dataset)
    return res


@register_kernel("IteratorGetNext")
def iterator_get_next(iterator, *, output_types, output_shapes):
    try:
        elem = next(iterator.it)
    except StopIteration:
        raise errors.OutOfRangeError(None, None, "End of sequence") from None
    # Session.run gives NumPy scalars for rank 0, as TF does
    elem = [v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v for v in elem]
    return elem[0] if len(elem) == 1 else tuple(elem)


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
    return _IteratorResource(op.graph._tfteach_datasets[dataset_factory])


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
    elem = [v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v
            for v in optional.value]
    return elem[0] if len(elem) == 1 else tuple(elem)
