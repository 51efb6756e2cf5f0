"""Functions of `tf.nn` composed from other ops (no op type of their own), as TF's nn_impl."""
from ..framework import ops as _ops
from . import math_ops as _math_ops

__all__ = ["sigmoid_cross_entropy_with_logits"]


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)), TF's numerically stable form."""
    with _ops.name_scope(name, "logistic_loss", [logits, labels]) as name:
        logits = _ops.convert_to_tensor(logits, name="logits")
        labels = _ops.convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                             f"{labels.shape})")
        zeros = _math_ops.multiply(logits, 0.0)
        relu_logits = _math_ops.maximum(logits, zeros)
        neg_abs = _math_ops.negative(_math_ops.abs(logits))
        return _math_ops.add(relu_logits - logits * labels,
                             _math_ops.log1p(_math_ops.exp(neg_abs)), name=name)


def _same_shape(a, b, a_name, b_name):
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(f"`{a_name}` and `{b_name}` must have the same shape, received "
                         f"({a.shape} vs {b.shape}).")


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with the positive term weighted by `pos_weight`:
    (1 - z) * x + (1 + (q - 1) * z) * (log(1 + exp(-|x|)) + max(-x, 0))."""
    from . import nn_ops
    with _ops.name_scope(name, "logistic_loss", [logits, labels]) as name:
        logits = _ops.convert_to_tensor(logits, name="logits")
        labels = _ops.convert_to_tensor(labels, name="labels")
        _same_shape(logits, labels, "logits", "labels")
        log_weight = 1 + (pos_weight - 1) * labels
        return _math_ops.add(
            (1 - labels) * logits,
            log_weight * (_math_ops.log1p(_math_ops.exp(-_math_ops.abs(logits))) +
                          nn_ops.relu(-logits)), name=name)


def weighted_cross_entropy_with_logits_v1(labels=None, logits=None, pos_weight=None, name=None,
                                          targets=None):
    """TF1's spelling: the labels may be passed as `targets`."""
    if targets is not None:
        if labels is not None:
            raise ValueError("Cannot specify both 'labels' and 'targets'.")
        labels = targets
    return weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=name)


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets, plus Stirling's term for log(targets!) when
    `compute_full_loss` (zero where 0 <= targets <= 1)."""
    from . import array_ops
    with _ops.name_scope(name, "log_poisson_loss", [log_input, targets]) as name:
        log_input = _ops.convert_to_tensor(log_input, name="log_input")
        targets = _ops.convert_to_tensor(targets, name="targets")
        _same_shape(log_input, targets, "log_input", "targets")
        result = _math_ops.exp(log_input) - log_input * targets
        if compute_full_loss:
            point_five = _ops.convert_to_tensor(0.5, dtype=targets.dtype)
            two_pi = _ops.convert_to_tensor(2 * 3.141592653589793, dtype=targets.dtype)
            stirling_approx = (targets * _math_ops.log(targets)) - targets + (
                point_five * _math_ops.log(two_pi * targets))
            zeros = array_ops.zeros_like(targets, dtype=targets.dtype)
            ones = array_ops.ones_like(targets, dtype=targets.dtype)
            cond = _math_ops.logical_and(targets >= zeros, targets <= ones)
            result += array_ops.where(cond, zeros, stirling_approx)
        return result


# --- moments and batch normalisation ----------------------------------------------------------

def _axes_list(axes):
    return [int(a) for a in (axes if isinstance(axes, (list, tuple)) else [axes])]


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum(x - shift), sum((x - shift)^2), shift) over `axes`."""
    from . import array_ops
    with _ops.name_scope(name, "sufficient_statistics", [x, shift]):
        x = _ops.convert_to_tensor(x, name="x")
        axes = _axes_list(axes)
        dims = x.shape.as_tuple() if x.shape.rank is not None else None
        if dims is not None and all(dims[d] is not None for d in axes):
            count = 1
            for d in axes:
                count *= dims[d]
            counts = _ops.convert_to_tensor(count, dtype=x.dtype, name="count")
        else:   # the shape is known only when the graph runs
            counts = _math_ops.cast(
                _math_ops.reduce_prod(array_ops.gather(array_ops.shape(x), axes)), x.dtype,
                name="count")
        if shift is not None:
            shift = _ops.convert_to_tensor(shift, name="shift")
            m_ss = _math_ops.subtract(x, shift)
            v_ss = _math_ops.squared_difference(x, shift)
        else:
            m_ss = x
            v_ss = _math_ops.square(x)
        m_ss = _math_ops.reduce_sum(m_ss, axes, keepdims=keepdims, name="mean_ss")
        v_ss = _math_ops.reduce_sum(v_ss, axes, keepdims=keepdims, name="var_ss")
    return counts, m_ss, v_ss, shift


def _keep_dims(keepdims, keep_dims):
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'.")
    return bool(keep_dims if keepdims is None else keepdims)


def sufficient_statistics_v1(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    return sufficient_statistics(x, axes, shift=shift, keepdims=_keep_dims(keepdims, keep_dims),
                                 name=name)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from the sufficient statistics."""
    with _ops.name_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = _math_ops.reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = _math_ops.multiply(mean_ss, divisor, name="shifted_mean")
            mean = _math_ops.add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = _math_ops.multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = _math_ops.subtract(_math_ops.multiply(variance_ss, divisor),
                                      _math_ops.square(shifted_mean), name="variance")
    return mean, variance


def moments_v1(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """TF1's moments: `keep_dims` as well as `keepdims`."""
    from .nn_ops import moments
    return moments(x, axes, shift=shift, keepdims=_keep_dims(keepdims, keep_dims), name=name)


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Mean and variance of `x` with each element counted `frequency_weights` times."""
    from . import array_ops
    from ..framework import dtypes as _dt
    with _ops.name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = _ops.convert_to_tensor(x, name="x")
        frequency_weights = _ops.convert_to_tensor(frequency_weights, name="frequency_weights")
        # float16 sums overflow: TF accumulates them in float32 and casts back
        needs_cast = x.dtype.base_dtype == _dt.float16
        if needs_cast:
            x = _math_ops.cast(x, _dt.float32)
        if frequency_weights.dtype.base_dtype != x.dtype.base_dtype:
            frequency_weights = _math_ops.cast(frequency_weights, x.dtype)
        axes = _axes_list(axes)
        weighted_input_sum = _math_ops.reduce_sum(frequency_weights * x, axes,
                                                  name="weighted_input_sum", keepdims=True)
        broadcasted_weights = frequency_weights + array_ops.zeros_like(x)
        sum_of_weights = _math_ops.reduce_sum(broadcasted_weights, axes,
                                              name="sum_of_weights", keepdims=True)
        weighted_mean = _math_ops.div_no_nan(weighted_input_sum, sum_of_weights)
        weighted_distsq = _math_ops.reduce_sum(
            frequency_weights * _math_ops.squared_difference(x, weighted_mean), axes,
            name="weighted_distsq", keepdims=True)
        weighted_variance = _math_ops.div_no_nan(weighted_distsq, sum_of_weights)
        if not keepdims:
            weighted_mean = array_ops.squeeze(weighted_mean, axis=axes)
            weighted_variance = array_ops.squeeze(weighted_variance, axis=axes)
        if needs_cast:
            weighted_mean = _math_ops.cast(weighted_mean, _dt.float16)
            weighted_variance = _math_ops.cast(weighted_variance, _dt.float16)
        return weighted_mean, weighted_variance


def weighted_moments_v1(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    return weighted_moments(x, axes, frequency_weights,
                            keepdims=_keep_dims(keepdims, keep_dims), name=name)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + epsilon) + offset, as x * inv + (offset - mean * inv)
    so that one multiply-add touches x."""
    with _ops.name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = _ops.convert_to_tensor(x, name="x")
        inv = _math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        inv = _math_ops.cast(inv, x.dtype)
        shift = offset - mean * inv if offset is not None else -mean * inv
        return x * inv + _math_ops.cast(shift, x.dtype)


# --- activations and layers -------------------------------------------------------------------

def crelu(features, axis=-1, name=None):
    """Concatenated ReLU: relu of [features, -features] along `axis`."""
    from . import array_ops, nn_ops
    with _ops.name_scope(name, "CRelu", [features]) as name:
        features = _ops.convert_to_tensor(features, name="features")
        c = array_ops.concat([features, -features], axis, name="concat")
        return nn_ops.relu(c, name=name)


def crelu_v1(features, name=None, axis=-1):
    return crelu(features, axis=axis, name=name)


def gelu(features, approximate=False, name=None):
    """x * Phi(x), Phi the standard normal CDF (erfc form), or its tanh approximation."""
    with _ops.name_scope(name, "Gelu", [features]):
        features = _ops.convert_to_tensor(features, name="features")
        if not features.dtype.is_floating:
            raise ValueError(f"`features.dtype` must be a floating point tensor.Received:"
                             f"features.dtype={features.dtype}")
        if approximate:
            coeff = _math_ops.cast(0.044715, features.dtype)
            return 0.5 * features * (1.0 + _math_ops.tanh(
                0.7978845608028654 * (features + coeff * _math_ops.pow(features, 3))))
        return 0.5 * features * _math_ops.erfc(
            -features * _math_ops.cast(0.7071067811865476, features.dtype))


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    from . import linalg_ops, nn_ops
    with _ops.name_scope(name, "xw_plus_b", [x, weights, biases]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        weights = _ops.convert_to_tensor(weights, name="weights")
        biases = _ops.convert_to_tensor(biases, name="biases")
        mm = linalg_ops.matmul(x, weights)
        return nn_ops.bias_add(mm, biases, name=name)


def relu_layer(x, weights, biases, name=None):
    """relu(matmul(x, weights) + biases)."""
    from . import linalg_ops, nn_ops
    with _ops.name_scope(name, "relu_layer", [x, weights, biases]) as name:
        x = _ops.convert_to_tensor(x, name="x")
        weights = _ops.convert_to_tensor(weights, name="weights")
        biases = _ops.convert_to_tensor(biases, name="biases")
        xw_plus_b = nn_ops.bias_add(linalg_ops.matmul(x, weights), biases)
        return nn_ops.relu(xw_plus_b, name=name)


def zero_fraction(value, name=None):
    """The fraction of zeros in `value`, as float32."""
    from . import array_ops
    from ..framework import dtypes as _dt
    with _ops.name_scope(name, "zero_fraction", [value]):
        value = _ops.convert_to_tensor(value, name="value")
        size = array_ops.size(value, out_type=_dt.int64)
        num_nonzero = _math_ops.count_nonzero(value, dtype=_dt.int64)
        with _ops.name_scope("counts_to_fraction"):
            num_zero = size - num_nonzero
            zero_fraction = (_math_ops.cast(num_zero, _dt.float32) /
                             _math_ops.cast(size, _dt.float32))
        return array_ops.identity(zero_fraction, "fraction")


# --- losses under a distribution strategy -----------------------------------------------------
# tfteach has no tf.distribute strategies: the default strategy has one replica in sync.

_NUM_REPLICAS_IN_SYNC = 1


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (the batch times the
    number of replicas when not given)."""
    from . import array_ops
    per_example_loss = _ops.convert_to_tensor(per_example_loss)
    input_dtype = per_example_loss.dtype
    with _ops.name_scope(None, "compute_average_loss"):
        if per_example_loss.shape.rank == 0:
            raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor "
                             "with at least rank 1.")
        if sample_weight is not None:
            sample_weight = _math_ops.cast(_ops.convert_to_tensor(sample_weight), input_dtype)
            per_example_loss = _math_ops.multiply(per_example_loss, sample_weight)
        per_example_loss = _math_ops.cast(per_example_loss, input_dtype)
        if global_batch_size is None:
            per_replica_batch_size = array_ops.shape(per_example_loss)[0]
            global_batch_size = per_replica_batch_size * _NUM_REPLICAS_IN_SYNC
        global_batch_size = _ops.convert_to_tensor(global_batch_size)
        if not global_batch_size.dtype.is_integer:
            raise TypeError("`global_batch_size` must be an integer tensor")
        if global_batch_size.shape.rank not in (None, 0):
            raise ValueError("`global_batch_size` must be a scalar")
        global_batch_size = _math_ops.cast(global_batch_size, input_dtype)
        return _math_ops.div_no_nan(_math_ops.reduce_sum(per_example_loss), global_batch_size)


def scale_regularization_loss(regularization_loss):
    """The regularisation loss summed and divided by the number of replicas in sync."""
    return _math_ops.truediv(_math_ops.reduce_sum(regularization_loss), _NUM_REPLICAS_IN_SYNC)


# --- TF1 spellings and older helpers ---------------------------------------------------------

def _dim_axis(axis, dim):
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    return dim if axis is None else axis


def softmax_v1(logits, axis=None, name=None, dim=None):
    """TF1's softmax: the axis may be given as `dim`."""
    from .nn_ops import softmax
    return softmax(logits, axis=_dim_axis(axis, dim), name=name)


def log_softmax_v1(logits, axis=None, name=None, dim=None):
    """TF1's log_softmax: the axis may be given as `dim`."""
    from .nn_ops import log_softmax
    return log_softmax(logits, axis=_dim_axis(axis, dim), name=name)


def softmax_cross_entropy_with_logits_v2_v1(labels, logits, axis=None, name=None, dim=None):
    """TF1's softmax_cross_entropy_with_logits_v2: gradients flow into `labels` too."""
    from .nn_ops import softmax_cross_entropy_with_logits
    axis = _dim_axis(axis, dim)
    return softmax_cross_entropy_with_logits(labels, logits, -1 if axis is None else axis,
                                             name=name)


def batch_norm_with_global_normalization(input, mean, variance, beta, gamma,  # noqa: A002
                                         variance_epsilon, scale_after_normalization,
                                         name=None):
    """TF1's batch norm: `gamma` is used only if `scale_after_normalization`."""
    with _ops.name_scope(name, "batchnorm", [input, mean, variance, gamma, beta]):
        return batch_normalization(input, mean, variance, beta,
                                   gamma if scale_after_normalization else None,
                                   variance_epsilon)


def batch_norm_with_global_normalization_v1(t=None, m=None, v=None, beta=None, gamma=None,
                                            variance_epsilon=None,
                                            scale_after_normalization=None, name=None,
                                            input=None, mean=None,  # noqa: A002
                                            variance=None):
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    return batch_norm_with_global_normalization(t, m, v, beta, gamma, variance_epsilon,
                                                scale_after_normalization, name=name)


def collapse_repeated(labels, seq_length, name=None):
    """Merges runs of a repeated label in each row of a [batch, max_len] batch: the new
    labels (left-aligned, zero-padded) and their lengths."""
    from . import array_ops
    from ..framework import dtypes as _dt
    with _ops.name_scope(name, "collapse_repeated_labels", [labels, seq_length]):
        labels = _ops.convert_to_tensor(labels, name="labels")
        seq_length = _ops.convert_to_tensor(seq_length, name="seq_length")
        # a label is kept where it differs from the one before it, inside the sequence
        label_mask = array_ops.concat([
            array_ops.ones_like(labels[:, :1], dtype=_dt.bool_),
            _math_ops.not_equal(labels[:, 1:], labels[:, :-1])], axis=1)
        dims = labels.shape.as_tuple() if labels.shape.rank is not None else (None, None)
        maxlen = dims[1] if dims[1] is not None else array_ops.shape(labels)[1]
        seq_mask = array_ops.sequence_mask(seq_length, maxlen=maxlen)
        label_mask = _math_ops.logical_and(label_mask, seq_mask)
        new_seq_len = _math_ops.reduce_sum(_math_ops.cast(label_mask, _dt.int32), axis=1)
        new_maxlen = _math_ops.reduce_max(new_seq_len)
        idx_mask = array_ops.sequence_mask(new_seq_len, maxlen=new_maxlen)
        flat_labels = array_ops.reshape(labels, [-1])
        flat_label_mask = array_ops.reshape(label_mask, [-1])
        flat_idx_mask = array_ops.reshape(idx_mask, [-1])
        idx = _math_ops.range(array_ops.shape(flat_idx_mask)[0])
        flat = array_ops.scatter_nd(
            indices=array_ops.expand_dims(array_ops.boolean_mask(idx, flat_idx_mask), axis=1),
            updates=array_ops.boolean_mask(flat_labels, flat_label_mask),
            shape=array_ops.shape(flat_idx_mask))
        batch_size = dims[0] if dims[0] is not None else array_ops.shape(labels)[0]
        return (array_ops.reshape(flat, array_ops.stack([batch_size, new_maxlen])),
                _math_ops.cast(new_seq_len, seq_length.dtype))


def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=None, max_norm=None,
                            name=None, allow_fast_lookup=False):
    """Per row of the SparseTensor `sp_ids`: the (weighted) sum, mean or sqrt(n)-scaled sum
    of the embeddings its ids pick from `params`.

    TF gathers and combines with SparseSegmentSum/Mean/SqrtN when there are no weights;
    tfteach gathers every id's row and combines with SegmentSum (the same numbers)."""
    from . import array_ops
    from .sparse_ops import SparseTensor
    from ..framework import dtypes as _dt
    if combiner is None:
        combiner = "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError("tfteach's embedding_lookup_sparse takes one params "
                                      "tensor (no partitioned params)")
        params = params[0]
    if max_norm is not None:
        raise NotImplementedError("tfteach's embedding_lookup_sparse has no max_norm")
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    ignore_weights = sp_weights is None
    if not ignore_weights and not isinstance(sp_weights, SparseTensor):
        raise TypeError(f"sp_weights must be either None or SparseTensor,got {type(sp_weights)}")
    with _ops.name_scope(name, "embedding_lookup_sparse", [params, sp_ids]) as name:
        segment_ids = _math_ops.cast(sp_ids.indices[:, 0], _dt.int32)
        ids, idx = array_ops.unique(sp_ids.values)
        embeddings = array_ops.gather(params, ids)
        embeddings = array_ops.gather(embeddings, idx)
        if not ignore_weights:
            weights = sp_weights.values
            if weights.dtype != embeddings.dtype:
                weights = _math_ops.cast(weights, embeddings.dtype)
            rank = embeddings.shape.rank
            weights = array_ops.reshape(weights, [-1] + [1] * (rank - 1))   # broadcast rows
            embeddings *= weights
            if combiner == "sum":
                return array_ops.segment_sum(embeddings, segment_ids, name=name)
            embeddings = array_ops.segment_sum(embeddings, segment_ids)
            if combiner == "mean":
                weight_sum = array_ops.segment_sum(weights, segment_ids)
            else:
                weight_sum = _math_ops.sqrt(array_ops.segment_sum(
                    _math_ops.pow(weights, 2), segment_ids))
            return _math_ops.div_no_nan(embeddings, weight_sum, name=name)
        if combiner == "sum":
            return array_ops.segment_sum(embeddings, segment_ids, name=name)
        if combiner == "mean":
            return array_ops.segment_mean(embeddings, segment_ids, name=name)
        counts = array_ops.segment_sum(array_ops.ones_like(segment_ids, dtype=embeddings.dtype),
                                       segment_ids)
        counts = array_ops.reshape(counts, [-1] + [1] * (embeddings.shape.rank - 1))
        embeddings = array_ops.segment_sum(embeddings, segment_ids)
        return _math_ops.div_no_nan(embeddings, _math_ops.sqrt(counts), name=name)


def embedding_lookup_sparse_v1(params, sp_ids, sp_weights, partition_strategy="mod",
                               name=None, combiner=None, max_norm=None,
                               allow_fast_lookup=False):
    del partition_strategy      # one params tensor: nothing to partition
    return embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=combiner,
                                   max_norm=max_norm, name=name,
                                   allow_fast_lookup=allow_fast_lookup)

