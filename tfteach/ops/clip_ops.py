"""Clipping: `clip_by_value`, `clip_by_norm`, `global_norm`, `clip_by_global_norm`.

No new op types: TF builds every one of these out of element-wise ops and reductions, and
so does tfteach, op for op and name for name, so the graph a lesson draws is TF's graph and
gradients flow through the ordinary ops' gradient functions.
"""
import collections.abc as _abc

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from . import array_ops, constant_op, math_ops, nn_ops

__all__ = ["clip_by_value", "clip_by_norm", "global_norm", "clip_by_global_norm",
           "clip_by_average_norm"]


def _check_same_shape(values, result):
    # A bound that broadcasts the result to a bigger shape would silently change the
    # tensor's shape: TF refuses (merge_with's ValueError)
    if not values.shape.is_compatible_with(result.shape):
        raise ValueError(f"Shapes {values.shape} and {result.shape} are incompatible")


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, clip_value_min), clip_value_max): Minimum then Maximum, as TF builds it."""
    with _ops.name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as name:
        values = _ops.convert_to_tensor(t, name="t")
        t_min = math_ops.minimum(values, clip_value_max)
        _check_same_shape(values, t_min)
        t_max = math_ops.maximum(t_min, clip_value_min, name=name)
        _check_same_shape(values, t_max)
    return t_max


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t * clip_norm / max(l2norm(t, axes), clip_norm); an all-zero slice stays zero (the
    Select guards sqrt's gradient at 0, as TF does)."""
    with _ops.name_scope(name, "clip_by_norm", [t, clip_norm]) as name:
        values = _ops.convert_to_tensor(t, name="t")
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = array_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        if not values.shape.is_compatible_with(intermediate.shape):
            raise ValueError(f"Shapes {values.shape} and {intermediate.shape} are "
                             f"incompatible")
        return array_ops.identity(intermediate / math_ops.maximum(l2norm, clip_norm),
                                  name=name)


def _check_sequence(t_list):
    if not isinstance(t_list, _abc.Sequence) or isinstance(t_list, (str, bytes)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received "
                        f"{type(t_list)}.")


def global_norm(t_list, name=None):
    """sqrt(sum of squares of every element of every tensor): one L2Loss per tensor, summed
    and doubled (TF's graph); None entries are skipped."""
    _check_sequence(t_list)
    t_list = list(t_list)
    with _ops.name_scope(name, "global_norm", t_list) as name:
        values = [_ops.convert_to_tensor(t, name=f"t_{i}") if t is not None else None
                  for i, t in enumerate(t_list)]
        half_squared_norms = [nn_ops.l2_loss(v) for v in values if v is not None]
        half_squared_norm = math_ops.reduce_sum(array_ops.stack(half_squared_norms))
        two = constant_op.constant(2.0, dtype=half_squared_norm.dtype.base_dtype)
        return math_ops.sqrt(half_squared_norm * two, name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by clip_norm / max(global_norm, clip_norm); returns
    (clipped list, the global norm). An infinite norm makes every value NaN, as in TF."""
    _check_sequence(t_list)
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with _ops.name_scope(name, "clip_by_global_norm", t_list + [clip_norm]) as name:
        one = constant_op.constant(1.0, dtype=use_norm.dtype.base_dtype)
        scale_for_finite = clip_norm * math_ops.minimum(1.0 / use_norm, one / clip_norm)
        # use_norm - use_norm is NaN exactly when the norm is inf or NaN
        scale = scale_for_finite + (use_norm - use_norm)
        values = [_ops.convert_to_tensor(t, name=f"t_{i}") if t is not None else None
                  for i, t in enumerate(t_list)]
        clipped = [None if v is None else array_ops.identity(v * scale, name=f"{name}_{i}")
                   for i, v in enumerate(values)]
    return clipped, use_norm


def clip_by_average_norm(t, clip_norm, name=None):
    """TF1's deprecated clip by the L2 norm divided by the number of elements."""
    with _ops.name_scope(name, "clip_by_average_norm", [t, clip_norm]) as name:
        t = _ops.convert_to_tensor(t, name="t")
        n_element = math_ops.cast(array_ops.size(t), _dt.float32)
        l2norm_inv = math_ops.rsqrt(math_ops.reduce_sum(
            t * t, math_ops.range(array_ops.rank(t))))
        return array_ops.identity(
            t * clip_norm * math_ops.minimum(l2norm_inv * n_element,
                                             constant_op.constant(1.0) / clip_norm),
            name=name)
