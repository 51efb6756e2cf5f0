"""CPU kernel of RaggedTensorToTensor (`ops/ragged_ops.py`)."""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel


def _coords(splits):
    """For each flat value, its coordinates in the padded tensor, and the padded lengths."""
    nrows = len(splits[0]) - 1
    coords = np.arange(nrows, dtype=np.int64)[:, None]
    lengths = [nrows]
    for s in splits:
        s = np.asarray(s, dtype=np.int64)
        if len(s) != coords.shape[0] + 1:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid row partition: {len(s) - 1} rows described, "
                            f"{coords.shape[0]} expected")
        n = np.diff(s)
        if n.size and n.min() < 0:
            raise errors.InvalidArgumentError(None, None, "Row splits must be non-decreasing")
        rowid = np.repeat(np.arange(coords.shape[0]), n)
        col = np.arange(s[-1] - s[0] if s.size else 0, dtype=np.int64) - (s[rowid] - s[0])
        coords = np.concatenate([coords[rowid], col[:, None]], axis=1)
        lengths.append(int(n.max()) if n.size else 0)
    return coords, lengths


@register_kernel("RaggedTensorToTensor")
def ragged_tensor_to_tensor(shape, values, default_value, *splits, row_partition_types):
    if any(t != "ROW_SPLITS" for t in row_partition_types):
        raise errors.UnimplementedError(None, None, "tfteach's RaggedTensorToTensor takes "
                                                    "ROW_SPLITS partitions only")
    values = np.asarray(values)
    coords, lengths = _coords(splits)
    if coords.shape[0] != values.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Row partition size does not match values: {coords.shape[0]} vs. "
                        f"{values.shape[0]}")
    natural = lengths + list(values.shape[1:])
    want = np.asarray(shape).reshape(-1).tolist() if np.ndim(shape) else [-1] * len(natural)
    if len(want) != len(natural):
        raise errors.InvalidArgumentError(None, None, f"shape has rank {len(want)}, the "
                                                      f"ragged tensor {len(natural)}")
    target = [n if w < 0 else int(w) for n, w in zip(natural, want)]
    inner = tuple(target[len(lengths):])
    if inner != tuple(values.shape[1:]):
        raise errors.InvalidArgumentError(
            None, None, f"The inner shape {list(values.shape[1:])} of the values cannot be "
                        f"reshaped to {list(inner)}")
    out = np.empty(target, dtype=values.dtype)
    out[...] = np.asarray(default_value, dtype=values.dtype)
    keep = np.all(coords < np.asarray(target[:len(lengths)], dtype=np.int64), axis=1)
    out[tuple(coords[keep].T)] = values[keep]
    return out
