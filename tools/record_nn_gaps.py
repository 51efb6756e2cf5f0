"""Records what TensorFlow 2.21 gives for the `tf.nn` / `tf.compat.v1.nn` functions that
tests/test_nn_gaps.py pins: values, dtypes, shapes, gradients, the op types each builds in a
graph, and the error class and message of bad input.

Each case is one expression over named inputs, evaluated with `nn` bound to `tf.nn` ("v2") or
`tf.compat.v1.nn` ("v1"); the test evaluates the same text with tfteach.

Run with the TensorFlow oracle (never imported by tfteach):
    /work/tfenv/bin/python tools/record_nn_gaps.py   # writes tests/data/nn_gaps_tf.json
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

RNG = np.random.RandomState(7)


def r(*shape):
    return np.round(RNG.uniform(-2, 2, size=shape), 3).astype(np.float32)


def pos(*shape):
    return np.round(RNG.uniform(0.2, 2, size=shape), 3).astype(np.float32)


X1 = r(2, 7, 3)          # NWC
W1 = r(3, 3, 4)          # width, in, out
X2 = r(2, 6, 6, 3)       # NHWC
W2 = r(3, 3, 3, 2)
XT1 = r(2, 4, 4)         # conv1d_transpose input: width 4, 4 channels
WT1 = r(3, 3, 4)         # width, out 3, in 4
XT2 = r(1, 3, 3, 4)
WT2 = r(3, 3, 2, 4)
XA = r(1, 7, 7, 2)
WA = r(3, 3, 2, 3)
XB = r(4, 3)

# (key, namespace, expression, inputs {name: array}, names to differentiate)
CASES = [
    # convolution
    ("conv1d_same_s2", "v2", "nn.conv1d(x, w, stride=2, padding='SAME')",
     {"x": X1, "w": W1}, ["x", "w"]),
    ("conv1d_valid_dil2", "v2", "nn.conv1d(x, w, 1, 'VALID', dilations=2)",
     {"x": X1, "w": W1}, ["x", "w"]),
    ("conv1d_v1_value", "v1", "nn.conv1d(value=x, filters=w, stride=1, padding='VALID')",
     {"x": X1, "w": W1}, ["x", "w"]),
    ("conv1d_transpose", "v2",
     "nn.conv1d_transpose(x, w, output_shape=[2, 8, 3], strides=2, padding='SAME')",
     {"x": XT1, "w": WT1}, ["x", "w"]),
    ("conv1d_transpose_valid", "v1",
     "nn.conv1d_transpose(x, w, [2, 9, 3], 2, padding='VALID')",
     {"x": XT1, "w": WT1}, ["x", "w"]),
    ("conv2d_transpose_same", "v2",
     "nn.conv2d_transpose(x, w, [1, 6, 6, 2], strides=2, padding='SAME')",
     {"x": XT2, "w": WT2}, ["x", "w"]),
    ("conv2d_transpose_valid", "v2",
     "nn.conv2d_transpose(x, w, [1, 7, 7, 2], strides=[2, 2], padding='VALID')",
     {"x": XT2, "w": WT2}, ["x", "w"]),
    ("conv2d_transpose_v1", "v1",
     "nn.conv2d_transpose(x, w, [1, 6, 6, 2], strides=[1, 2, 2, 1])",
     {"x": XT2, "w": WT2}, ["x", "w"]),
    ("conv_transpose_1d", "v2", "nn.conv_transpose(x, w, [2, 8, 3], 2)",
     {"x": XT1, "w": WT1}, ["x", "w"]),
    ("conv_transpose_2d", "v1", "nn.conv_transpose(x, w, [1, 6, 6, 2], 2)",
     {"x": XT2, "w": WT2}, ["x", "w"]),
    ("convolution_1d", "v2", "nn.convolution(x, w, strides=2, padding='SAME')",
     {"x": X1, "w": W1}, ["x", "w"]),
    ("convolution_2d_dil", "v2", "nn.convolution(x, w, padding='VALID', dilations=2)",
     {"x": X2, "w": W2}, ["x", "w"]),
    ("convolution_v1", "v1", "nn.convolution(x, w, 'SAME', strides=[1, 2])",
     {"x": X2, "w": W2}, ["x", "w"]),
    ("convolution_v1_rate", "v1", "nn.convolution(x, w, 'VALID', dilation_rate=[2, 1])",
     {"x": X2, "w": W2}, ["x", "w"]),
    ("atrous_same", "v2", "nn.atrous_conv2d(x, w, 2, 'SAME')", {"x": XA, "w": WA}, ["x", "w"]),
    ("atrous_valid", "v1", "nn.atrous_conv2d(x, w, rate=2, padding='VALID')",
     {"x": XA, "w": WA}, ["x", "w"]),
    ("atrous_transpose_same", "v2", "nn.atrous_conv2d_transpose(x, w, [1, 7, 7, 2], 2, 'SAME')",
     {"x": r(1, 7, 7, 3), "w": r(3, 3, 2, 3)}, ["x", "w"]),
    ("atrous_transpose_valid", "v1",
     "nn.atrous_conv2d_transpose(x, w, [2, 8, 7, 2], 3, 'VALID')",
     {"x": r(2, 2, 1, 3), "w": r(3, 3, 2, 3)}, ["x", "w"]),
    ("conv2d_backprop_filter", "v1",
     "nn.conv2d_backprop_filter(x, [3, 3, 3, 2], dy, [1, 2, 2, 1], 'SAME')",
     {"x": X2, "dy": r(2, 3, 3, 2)}, ["x", "dy"]),
    # depthwise and separable convolution, space/depth, LRN (ops of their own)
    ("depthwise_same", "v2", "nn.depthwise_conv2d(x, w, [1, 1, 1, 1], 'SAME')",
     {"x": X2, "w": r(3, 3, 3, 2)}, ["x", "w"]),
    ("depthwise_valid_s2", "v2", "nn.depthwise_conv2d(x, w, [1, 2, 2, 1], 'VALID')",
     {"x": r(2, 7, 6, 2), "w": r(2, 3, 2, 3)}, ["x", "w"]),
    ("depthwise_same_s2", "v1", "nn.depthwise_conv2d(x, w, [1, 2, 2, 1], 'SAME')",
     {"x": r(1, 5, 6, 2), "w": r(3, 2, 2, 1)}, ["x", "w"]),
    ("depthwise_rate2", "v1", "nn.depthwise_conv2d(x, w, [1, 1, 1, 1], 'SAME', rate=[2, 2])",
     {"x": X2, "w": r(2, 2, 3, 1)}, ["x", "w"]),
    ("depthwise_native", "v1",
     "nn.depthwise_conv2d_native(x, w, [1, 1, 2, 1], 'VALID')",
     {"x": X2, "w": r(2, 2, 3, 2)}, ["x", "w"]),
    ("depthwise_backprop_input", "v2",
     "nn.depthwise_conv2d_backprop_input([2, 6, 6, 3], w, dy, [1, 2, 2, 1], 'SAME')",
     {"w": r(3, 3, 3, 2), "dy": r(2, 3, 3, 6)}, ["w", "dy"]),
    ("depthwise_backprop_filter", "v1",
     "nn.depthwise_conv2d_native_backprop_filter(x, [3, 3, 3, 2], dy, [1, 2, 2, 1], 'SAME')",
     {"x": X2, "dy": r(2, 3, 3, 6)}, ["x", "dy"]),
    ("separable", "v2", "nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], 'SAME')",
     {"x": X2, "dw": r(3, 3, 3, 2), "pw": r(1, 1, 6, 4)}, ["x", "dw", "pw"]),
    ("separable_v1", "v1", "nn.separable_conv2d(x, dw, pw, [1, 2, 2, 1], 'VALID')",
     {"x": X2, "dw": r(2, 2, 3, 1), "pw": r(1, 1, 3, 2)}, ["x", "dw", "pw"]),
    ("space_to_depth", "v2", "nn.space_to_depth(x, 2)", {"x": r(2, 4, 6, 3)}, ["x"]),
    ("depth_to_space", "v2", "nn.depth_to_space(x, 2)", {"x": r(2, 2, 3, 8)}, ["x"]),
    ("space_to_depth_v1", "v1", "nn.space_to_depth(x, 3)", {"x": r(1, 3, 6, 2)}, ["x"]),
    ("depth_to_space_v1", "v1", "nn.depth_to_space(x, block_size=2)", {"x": r(1, 2, 2, 4)},
     ["x"]),
    ("lrn_default", "v2", "nn.lrn(x)", {"x": r(2, 2, 3, 7)}, ["x"]),
    ("lrn_args", "v2",
     "nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=0.1, beta=0.75)",
     {"x": r(1, 3, 2, 6)}, ["x"]),
    ("lrn_v1", "v1", "nn.lrn(x, 1, 0.5, 0.3, 0.6)", {"x": r(2, 1, 2, 4)}, ["x"]),
    # 3-D convolution and pooling
    ("conv3d_same", "v2", "nn.conv3d(x, w, [1, 1, 2, 1, 1], 'SAME')",
     {"x": r(2, 4, 5, 3, 2), "w": r(2, 3, 2, 2, 3)}, ["x", "w"]),
    ("conv3d_valid_v1", "v1", "nn.conv3d(x, filter=w, strides=[1, 2, 1, 1, 1], padding='VALID')",
     {"x": r(1, 5, 4, 4, 2), "w": r(3, 2, 2, 2, 2)}, ["x", "w"]),
    ("conv3d_dil", "v2", "nn.conv3d(x, w, [1, 1, 1, 1, 1], 'VALID', dilations=[1, 2, 1, 2, 1])",
     {"x": r(1, 5, 3, 5, 1), "w": r(2, 2, 2, 1, 2)}, ["x", "w"]),
    ("conv3d_transpose", "v2", "nn.conv3d_transpose(x, w, [1, 4, 6, 4, 2], 2)",
     {"x": r(1, 2, 3, 2, 3), "w": r(2, 3, 2, 2, 3)}, ["x", "w"]),
    ("conv3d_transpose_v1", "v1",
     "nn.conv3d_transpose(x, w, [1, 5, 3, 3, 2], [1, 2, 1, 1, 1], padding='VALID')",
     {"x": r(1, 2, 2, 2, 3), "w": r(3, 2, 2, 2, 3)}, ["x", "w"]),
    ("conv3d_backprop_filter_v2", "v1",
     "nn.conv3d_backprop_filter_v2(x, [2, 2, 2, 2, 3], dy, [1, 1, 1, 1, 1], 'SAME')",
     {"x": r(1, 3, 3, 2, 2), "dy": r(1, 3, 3, 2, 3)}, ["x", "dy"]),
    ("conv_transpose_3d", "v2", "nn.conv_transpose(x, w, [1, 4, 6, 4, 2], 2)",
     {"x": r(1, 2, 3, 2, 3), "w": r(2, 3, 2, 2, 3)}, ["x", "w"]),
    ("convolution_3d", "v1", "nn.convolution(x, w, 'SAME', strides=[1, 2, 2], data_format='NDHWC')",
     {"x": r(1, 4, 5, 3, 2), "w": r(2, 2, 2, 2, 3)}, ["x", "w"]),
    ("max_pool3d", "v2", "nn.max_pool3d(x, 2, 2, 'VALID')",
     {"x": np.round(RNG.permutation(120).reshape(1, 4, 5, 3, 2) / 7, 3).astype(np.float32)},
     ["x"]),
    ("max_pool3d_same_v1", "v1", "nn.max_pool3d(x, [1, 2, 3, 2, 1], [1, 2, 2, 1, 1], 'SAME')",
     {"x": np.round(RNG.permutation(90).reshape(1, 3, 5, 3, 2) / 9, 3).astype(np.float32)},
     ["x"]),
    ("avg_pool3d", "v2", "nn.avg_pool3d(x, [2, 2, 3], [1, 2, 2], 'SAME')",
     {"x": r(2, 3, 4, 5, 2)}, ["x"]),
    ("avg_pool3d_v1", "v1", "nn.avg_pool3d(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], 'VALID')",
     {"x": r(1, 3, 3, 3, 1)}, ["x"]),
    ("pool_max_3d", "v2", "nn.pool(x, [2, 2, 2], 'MAX', strides=[2, 2, 2], padding='SAME')",
     {"x": np.round(RNG.permutation(120).reshape(1, 4, 5, 3, 2) / 7, 3).astype(np.float32)},
     ["x"]),
    # fused batch normalisation (TF1 only)
    ("fused_bn_train", "v1", "nn.fused_batch_norm(x, s, b)",
     {"x": r(2, 3, 2, 3), "s": r(3), "b": r(3)}, ["x", "s", "b"]),
    ("fused_bn_train_avg", "v1",
     "nn.fused_batch_norm(x, s, b, m, v, epsilon=0.01, exponential_avg_factor=0.3)",
     {"x": r(2, 2, 2, 3), "s": r(3), "b": r(3), "m": r(3), "v": pos(3)}, ["x", "s", "b"]),
    ("fused_bn_infer", "v1", "nn.fused_batch_norm(x, s, b, m, v, is_training=False)",
     {"x": r(2, 3, 2, 3), "s": r(3), "b": r(3), "m": r(3), "v": pos(3)}, ["x", "s", "b"]),
    ("fused_bn_nchw", "v1",
     "nn.fused_batch_norm(x, s, b, m, v, data_format='NCHW', is_training=False)",
     {"x": r(2, 3, 2, 2), "s": r(3), "b": r(3), "m": r(3), "v": pos(3)}, ["x", "s", "b"]),
    # pooling
    ("max_pool1d", "v2", "nn.max_pool1d(x, 2, 2, 'VALID')", {"x": X1}, ["x"]),
    ("avg_pool1d", "v2", "nn.avg_pool1d(x, ksize=3, strides=1, padding='SAME')", {"x": X1},
     ["x"]),
    ("max_pool1d_v1", "v1", "nn.max_pool1d(x, [3], [2], 'SAME')", {"x": X1}, ["x"]),
    ("avg_pool1d_v1", "v1", "nn.avg_pool1d(x, 2, 1, 'VALID')", {"x": X1}, ["x"]),
    ("pool_max_2d", "v2", "nn.pool(x, [2, 2], 'MAX', strides=[2, 2], padding='SAME')",
     {"x": X2}, ["x"]),
    ("pool_avg_1d", "v2", "nn.pool(x, [3], 'AVG', padding='VALID')", {"x": X1}, ["x"]),
    ("pool_v1", "v1", "nn.pool(x, [2, 3], 'AVG', 'VALID', strides=[1, 2])", {"x": X2}, ["x"]),
    ("pool_dilated_valid", "v2",
     "nn.pool(x, [2, 2], 'MAX', padding='VALID', dilations=[2, 2])",
     {"x": np.round(RNG.permutation(216).reshape(2, 6, 6, 3) / 5, 3).astype(np.float32)},
     ["x"]),
    ("pool_dilated_v1", "v1", "nn.pool(x, [3], 'AVG', 'VALID', dilation_rate=[2])",
     {"x": X1}, ["x"]),
    ("with_space_to_batch", "v2",
     "nn.with_space_to_batch(x, [2, 2], 'SAME', lambda i, n, p: tf.nn.conv2d(i, w, 1, p), "
     "filter_shape=[3, 3])", {"x": X2, "w": W2}, ["x", "w"]),
    ("max_pool_with_argmax", "v2", "nn.max_pool_with_argmax(x, 2, 2, 'SAME')",
     {"x": np.round(RNG.permutation(180).reshape(2, 5, 6, 3) / 7, 3).astype(np.float32)},
     ["x"]),
    ("max_pool_with_argmax_batch", "v2",
     "nn.max_pool_with_argmax(x, [3, 2], [2, 1], 'VALID', include_batch_in_index=True)",
     {"x": np.round(RNG.permutation(180).reshape(2, 5, 6, 3) / 7, 3).astype(np.float32)},
     ["x"]),
    ("max_pool_with_argmax_v1", "v1",
     "nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID', Targmax=tf.int32)",
     {"x": np.round(RNG.permutation(96).reshape(2, 4, 4, 3) / 7, 3).astype(np.float32)},
     []),   # TF's CPU gradient kernel takes int64 indices only
    ("avg_pool2d_v1", "v1", "nn.avg_pool2d(value=x, ksize=2, strides=2, padding='VALID')",
     {"x": X2}, ["x"]),
    ("avg_pool_v2", "v1", "nn.avg_pool_v2(x, 3, 2, 'SAME')", {"x": X2}, ["x"]),
    ("max_pool_v2", "v1", "nn.max_pool_v2(x, [2, 2], [1, 1], 'VALID')", {"x": X2}, ["x"]),
    # normalisation and moments
    ("batch_normalization", "v2", "nn.batch_normalization(x, m, v, b, s, 1e-3)",
     {"x": XB, "m": r(3), "v": pos(3), "b": r(3), "s": r(3)}, ["x", "m", "v", "b", "s"]),
    ("batch_normalization_none", "v1", "nn.batch_normalization(x, m, v, None, None, 0.01)",
     {"x": XB, "m": r(3), "v": pos(3)}, ["x", "m", "v"]),
    ("weighted_moments", "v2", "nn.weighted_moments(x, [0], f)",
     {"x": XB, "f": pos(4, 1)}, ["x", "f"]),
    ("weighted_moments_keep", "v2", "nn.weighted_moments(x, [0, 1], f, keepdims=True)",
     {"x": XB, "f": pos(4, 3)}, ["x", "f"]),
    ("weighted_moments_v1", "v1", "nn.weighted_moments(x, [1], f, keep_dims=True)",
     {"x": XB, "f": pos(4, 1)}, ["x", "f"]),
    ("moments_v1_keep_dims", "v1", "nn.moments(x, [0], keep_dims=True)", {"x": XB}, ["x"]),
    ("sufficient_statistics", "v2", "nn.sufficient_statistics(x, [0])", {"x": XB}, ["x"]),
    ("sufficient_statistics_shift", "v2",
     "nn.sufficient_statistics(x, [0, 1], shift=sh, keepdims=True)",
     {"x": XB, "sh": np.float32(0.5)}, ["x", "sh"]),
    ("sufficient_statistics_v1", "v1", "nn.sufficient_statistics(x, [1], keep_dims=True)",
     {"x": XB}, ["x"]),
    ("normalize_moments", "v2", "nn.normalize_moments(c, m, v, None)",
     {"c": np.float32(4), "m": r(3), "v": pos(3)}, ["m", "v"]),
    ("normalize_moments_shift", "v1", "nn.normalize_moments(c, m, v, sh)",
     {"c": np.float32(4), "m": r(3), "v": pos(3), "sh": r(3)}, ["m", "v", "sh"]),
    # activations
    ("crelu", "v2", "nn.crelu(x)", {"x": XB}, ["x"]),
    ("crelu_axis0", "v1", "nn.crelu(x, axis=0)", {"x": XB}, ["x"]),
    ("gelu", "v2", "nn.gelu(x)", {"x": XB}, ["x"]),
    ("gelu_approx", "v2", "nn.gelu(x, approximate=True)", {"x": XB}, ["x"]),
    ("relu_layer", "v1", "nn.relu_layer(x, w, b)", {"x": XB, "w": r(3, 2), "b": r(2)},
     ["x", "w", "b"]),
    ("xw_plus_b", "v1", "nn.xw_plus_b(x, w, b)", {"x": XB, "w": r(3, 2), "b": r(2)},
     ["x", "w", "b"]),
    ("bn_global", "v2",
     "nn.batch_norm_with_global_normalization(x, m, v, b, g, 0.01, True)",
     {"x": XB, "m": r(3), "v": pos(3), "b": r(3), "g": r(3)}, ["x", "m", "v", "b", "g"]),
    ("bn_global_v1", "v1",
     "nn.batch_norm_with_global_normalization(t=x, m=m, v=v, beta=b, gamma=g, "
     "variance_epsilon=0.1, scale_after_normalization=False)",
     {"x": XB, "m": r(3), "v": pos(3), "b": r(3), "g": r(3)}, ["x", "m", "v", "b"]),
    ("softmax_dim_v1", "v1", "nn.softmax(x, dim=0)", {"x": XB}, ["x"]),
    ("log_softmax_dim_v1", "v1", "nn.log_softmax(x, dim=0)", {"x": XB}, ["x"]),
    ("xent_v2_dim_v1", "v1", "nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x, dim=0)",
     {"z": pos(4, 3) / 4, "x": XB}, ["z", "x"]),
    ("collapse_repeated", "v2", "nn.collapse_repeated(l, n)",
     {"l": np.array([[1, 1, 2, 2, 3], [4, 4, 4, 1, 1], [5, 6, 6, 7, 7]], np.int32),
      "n": np.array([5, 3, 4], np.int32)}, []),
    ("collapse_repeated_v1", "v1", "nn.collapse_repeated(l, n)",
     {"l": np.array([[2, 2, 2], [1, 3, 3]], np.int64), "n": np.array([3, 2], np.int64)}, []),
    ("embedding_sparse_mean", "v2",
     "nn.embedding_lookup_sparse(p, tf.SparseTensor([[0, 0], [0, 1], [1, 0], [3, 2]], "
     "[1, 3, 1, 0], [4, 3]), None)", {"p": r(5, 2)}, ["p"]),
    ("embedding_sparse_sqrtn", "v2",
     "nn.embedding_lookup_sparse(p, tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 2]], "
     "[1, 3, 1, 0], [3, 3]), None, combiner='sqrtn')", {"p": r(5, 2)}, ["p"]),
    ("embedding_sparse_weighted", "v1",
     "nn.embedding_lookup_sparse(p, tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 2]], "
     "[1, 3, 1, 0], [3, 3]), tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 2]], w, [3, 3]), "
     "combiner='sum')", {"p": r(5, 2), "w": pos(4)}, ["p", "w"]),
    ("embedding_sparse_weighted_mean", "v2",
     "nn.embedding_lookup_sparse(p, tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 2]], "
     "[1, 3, 1, 0], [3, 3]), tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 2]], w, [3, 3]))",
     {"p": r(5, 2), "w": pos(4)}, ["p", "w"]),
    # losses
    ("weighted_xent", "v2", "nn.weighted_cross_entropy_with_logits(z, x, 2.5)",
     {"z": np.round(RNG.uniform(0, 1, (4, 3)), 3).astype(np.float32), "x": XB}, ["z", "x"]),
    ("weighted_xent_v1", "v1",
     "nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=0.5)",
     {"z": np.round(RNG.uniform(0, 1, (4, 3)), 3).astype(np.float32), "x": XB}, ["z", "x"]),
    ("log_poisson", "v2", "nn.log_poisson_loss(t, x)", {"t": pos(4, 3) * 3, "x": XB},
     ["t", "x"]),
    ("log_poisson_full", "v1", "nn.log_poisson_loss(t, x, compute_full_loss=True)",
     {"t": np.array([[0., 0.5, 1.], [2., 3., 7.]], np.float32), "x": r(2, 3)}, ["t", "x"]),
    ("compute_average_loss", "v2", "nn.compute_average_loss(l)", {"l": pos(4)}, ["l"]),
    ("compute_average_loss_w", "v2",
     "nn.compute_average_loss(l, sample_weight=sw, global_batch_size=8)",
     {"l": pos(4, 2), "sw": pos(4, 1)}, ["l", "sw"]),
    ("compute_average_loss_v1", "v1", "nn.compute_average_loss(l, global_batch_size=10)",
     {"l": pos(5)}, ["l"]),
    ("scale_regularization_loss", "v2", "nn.scale_regularization_loss(l)",
     {"l": np.float32(3.5)}, ["l"]),
    ("zero_fraction", "v2", "nn.zero_fraction(x)",
     {"x": np.array([[0., 1., 0.], [2., 0., 0.]], np.float32)}, []),
    ("zero_fraction_int", "v1", "nn.zero_fraction(x)",
     {"x": np.array([0, 3, 0, 0, 5], np.int32)}, []),
]

# (key, namespace, expression, inputs): the error TF raises
ERRORS = [
    ("conv1d_depth", "v2", "nn.conv1d(x, w, 1, 'SAME')", {"x": r(2, 7, 5), "w": W1}),
    ("conv1d_bad_padding", "v2", "nn.conv1d(x, w, 1, 'FULL')", {"x": X1, "w": W1}),
    ("conv2d_transpose_bad_shape", "v2",
     "nn.conv2d_transpose(x, w, [1, 6, 6, 3], strides=2, padding='SAME')",
     {"x": XT2, "w": WT2}),
    ("pool_bad_type", "v2", "nn.pool(x, [2, 2], 'MIN')", {"x": X2}),
    ("pool_window_rank", "v2", "nn.pool(x, [2, 2, 2, 2], 'MAX')", {"x": X2}),
    ("atrous_rate0", "v2", "nn.atrous_conv2d(x, w, 0, 'SAME')", {"x": XA, "w": WA}),
    ("weighted_xent_shape", "v2", "nn.weighted_cross_entropy_with_logits(z, x, 2.0)",
     {"z": r(4, 2), "x": XB}),
    ("log_poisson_shape", "v2", "nn.log_poisson_loss(t, x)", {"t": r(4, 2), "x": XB}),
    ("gelu_int", "v2", "nn.gelu(x)", {"x": np.array([1, 2], np.int32)}),
    ("compute_average_loss_int_batch", "v2", "nn.compute_average_loss(l, global_batch_size=0)",
     {"l": pos(4)}),
    ("depthwise_depth", "v2", "nn.depthwise_conv2d(x, w, [1, 1, 1, 1], 'SAME')",
     {"x": X2, "w": r(3, 3, 2, 2)}),
    ("space_to_depth_indivisible", "v2", "nn.space_to_depth(x, 2)", {"x": r(1, 3, 4, 1)}),
    ("depth_to_space_indivisible", "v2", "nn.depth_to_space(x, 2)", {"x": r(1, 2, 2, 6)}),
    ("space_to_depth_block1", "v2", "nn.space_to_depth(x, 1)", {"x": r(1, 2, 2, 1)}),
    ("separable_pointwise_shape", "v2", "nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], 'SAME')",
     {"x": X2, "dw": r(3, 3, 3, 2), "pw": r(2, 1, 6, 4)}),
    ("lrn_rank", "v2", "nn.lrn(x)", {"x": r(2, 3, 4)}),
    ("embedding_sparse_combiner", "v2",
     "nn.embedding_lookup_sparse(p, tf.SparseTensor([[0, 0]], [1], [1, 1]), None, "
     "combiner='max')", {"p": r(5, 2)}),
    ("embedding_sparse_dense_ids", "v2", "nn.embedding_lookup_sparse(p, [[1]], None)",
     {"p": r(5, 2)}),
    ("conv3d_depth", "v2", "nn.conv3d(x, w, [1, 1, 1, 1, 1], 'SAME')",
     {"x": r(1, 3, 3, 3, 3), "w": r(2, 2, 2, 2, 1)}),
    ("fused_bn_no_mean", "v1", "nn.fused_batch_norm(x, s, b, is_training=False)",
     {"x": r(2, 3, 2, 3), "s": r(3), "b": r(3)}),
    ("pool_dilated_same", "v2", "nn.pool(x, [2, 2], 'MAX', padding='SAME', dilations=[2, 2])",
     {"x": X2}),
    ("max_pool_with_argmax_nchw", "v2",
     "nn.max_pool_with_argmax(x, 2, 2, 'SAME', data_format='NCHW')", {"x": X2}),
    ("crelu_int_ok", "v2", "nn.crelu(x)", {"x": np.array([-1, 2], np.int32)}),
]


def flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def run_case(ns_name, expr, inputs, grads):
    ns = tf.nn if ns_name == "v2" else tf.compat.v1.nn
    env = {k: tf.constant(v) for k, v in inputs.items()}
    with tf.GradientTape(persistent=True) as tape:
        for k in grads:
            tape.watch(env[k])
        out = flat(eval(expr, {"nn": ns, "tf": tf, **env}))
        total = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in out if o is not None])
    gs = tape.gradient(total, [env[k] for k in grads])
    rec = {"outputs": [None if o is None else
                       {"value": np.asarray(o).ravel().tolist(), "shape": list(o.shape),
                        "dtype": o.dtype.name} for o in out],
           "grads": {k: (None if g is None else np.asarray(tf.convert_to_tensor(g)).ravel()
                         .tolist()) for k, g in zip(grads, gs)}}
    # the op types the function builds into a graph (placeholders for the inputs)
    g = tf.Graph()
    with g.as_default():
        genv = {k: tf.compat.v1.placeholder(tf.as_dtype(v.dtype), v.shape, name=k)
                for k, v in inputs.items()}
        eval(expr, {"nn": ns, "tf": tf, **genv})
    rec["op_types"] = sorted({op.type for op in g.get_operations()
                              if op.type not in ("Placeholder", "Const", "Identity")})
    return rec


def run_error(ns_name, expr, inputs):
    ns = tf.nn if ns_name == "v2" else tf.compat.v1.nn
    env = {k: tf.constant(v) for k, v in inputs.items()}
    try:
        out = eval(expr, {"nn": ns, "tf": tf, **env})
    except Exception as e:      # noqa: BLE001 - the class is what we record
        return {"error": type(e).__name__, "message": str(e).split("\n")[0][:300]}
    return {"error": None, "value": [np.asarray(o).ravel().tolist() for o in flat(out)]}


def main():
    out = {"tensorflow": tf.__version__, "cases": {}, "errors": {}}
    for key, ns, expr, inputs, grads in CASES:
        print(key, flush=True)
        rec = run_case(ns, expr, inputs, grads)
        rec.update(ns=ns, expr=expr, grad=grads,
                   inputs={k: {"value": np.asarray(v).ravel().tolist(), "shape": list(v.shape),
                               "dtype": np.asarray(v).dtype.name} for k, v in inputs.items()})
        out["cases"][key] = rec
    for key, ns, expr, inputs in ERRORS:
        print(key, flush=True)
        rec = run_error(ns, expr, inputs)
        rec.update(ns=ns, expr=expr,
                   inputs={k: {"value": np.asarray(v).ravel().tolist(), "shape": list(v.shape),
                               "dtype": np.asarray(v).dtype.name} for k, v in inputs.items()})
        out["errors"][key] = rec
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests",
                        "data", "nn_gaps_tf.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
