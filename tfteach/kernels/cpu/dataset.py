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
