#!/usr/bin/env python3
"""Record Keras 3 (TF 2.21's tf.keras) behaviour of the layers tfteach added to fill
`tf.keras.layers` gaps into tests/data/keras_layers_gaps_tf.json, read by
tests/test_keras_layers_gaps.py.

Runs in a separate Python that has TensorFlow (the project never imports it):

    /work/tfenv/bin/python tools/record_keras_layers_gaps.py

Each case is the code of a layer over `keras`, and its input(s) drawn from a fixed NumPy seed.
Keras's random initializers draw differently from tfteach's, so after building the layer its
weights are set to fixed NumPy values (recorded too). Recorded per case: weight names, shapes
and trainable flags, `get_config()` (JSON-safe), `compute_output_shape`, the inference output,
and where `grad` is set the gradients of sum(output * R) (R fixed) with respect to the weights
and the input. Errors: the exception class and message for bad arguments or inputs.
"""
import json
import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
OUT = os.path.join(DATA, "keras_layers_gaps_tf.json")
# A functional model of the new layers, written by Keras 3, for tfteach's load_model
MODEL = os.path.join(DATA, "keras3_layers_gaps.keras")

# (name, layer code, input shapes (a list of shapes for merge layers), grad?, int input?)
CASES = [
    ("conv3d_valid", "keras.layers.Conv3D(4, (2, 3, 2), activation='relu')",
     [2, 4, 5, 4, 3], True),
    ("conv3d_same_strided", "keras.layers.Conv3D(3, 3, strides=(2, 1, 2), padding='same')",
     [2, 5, 4, 5, 2], True),
    ("conv3d_dilated", "keras.layers.Conv3D(2, 2, dilation_rate=(2, 1, 1), use_bias=False)",
     [1, 5, 3, 3, 2], False),
    ("conv1d_transpose", "keras.layers.Conv1DTranspose(3, 3, strides=2)", [2, 5, 2], True),
    ("conv3d_transpose", "keras.layers.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 2))",
     [2, 3, 2, 3, 2], True),
    ("conv3d_transpose_same", "keras.layers.Conv3DTranspose(3, 3, strides=2, padding='same', "
                              "activation='relu')", [1, 2, 3, 2, 2], True),
    ("conv3d_transpose_small_kernel", "keras.layers.Conv3DTranspose(2, (1, 2, 3), "
                                      "strides=(3, 3, 2))", [1, 2, 2, 3, 1], False),
    ("conv3d_transpose_same_small", "keras.layers.Conv3DTranspose(2, (2, 1, 3), strides=3, "
                                    "padding='same')", [1, 2, 3, 2, 2], False),
    ("conv1d_transpose_same", "keras.layers.Conv1DTranspose(2, 4, strides=3, padding='same')",
     [2, 4, 3], False),
    ("depthwise_conv2d", "keras.layers.DepthwiseConv2D((3, 2), depth_multiplier=2)",
     [2, 5, 4, 3], True),
    ("depthwise_conv2d_same_strided",
     "keras.layers.DepthwiseConv2D(3, strides=2, padding='same', activation='tanh')",
     [2, 7, 6, 2], False),
    ("depthwise_conv2d_dilated", "keras.layers.DepthwiseConv2D(2, dilation_rate=2)",
     [1, 6, 5, 2], False),
    ("depthwise_conv1d", "keras.layers.DepthwiseConv1D(3, depth_multiplier=2, padding='same')",
     [2, 6, 3], True),
    ("separable_conv2d", "keras.layers.SeparableConv2D(4, (3, 3), depth_multiplier=2)",
     [2, 6, 5, 3], True),
    ("separable_conv2d_same", "keras.layers.SeparableConv2D(3, 2, strides=2, padding='same')",
     [2, 5, 5, 2], False),
    ("separable_conv1d", "keras.layers.SeparableConv1D(4, 3, activation='relu')",
     [2, 7, 3], True),
    ("max_pool1d", "keras.layers.MaxPooling1D(3, strides=2)", [2, 9, 3], True),
    ("max_pool1d_same", "keras.layers.MaxPool1D(2, padding='same')", [2, 7, 2], False),
    ("avg_pool1d", "keras.layers.AveragePooling1D(2)", [2, 8, 3], False),
    ("avg_pool1d_same", "keras.layers.AvgPool1D(3, strides=2, padding='same')", [2, 8, 2], True),
    ("avg_pool1d_channels_first", "keras.layers.AveragePooling1D(2, data_format='channels_first')",
     [2, 3, 6], False),
    ("max_pool3d", "keras.layers.MaxPooling3D((2, 2, 2))", [2, 4, 5, 4, 2], True),
    ("max_pool3d_same", "keras.layers.MaxPool3D(3, strides=2, padding='same')",
     [1, 5, 4, 5, 2], False),
    ("avg_pool3d", "keras.layers.AveragePooling3D((2, 1, 2), strides=(1, 1, 2))",
     [2, 3, 4, 5, 2], False),
    ("avg_pool3d_same", "keras.layers.AvgPool3D(3, strides=2, padding='same')",
     [1, 5, 4, 5, 2], True),
    ("global_avg_pool1d", "keras.layers.GlobalAveragePooling1D()", [2, 5, 3], False),
    ("adaptive_avg1d", "keras.layers.AdaptiveAveragePooling1D(3)", [2, 7, 2], True),
    ("adaptive_max1d_up", "keras.layers.AdaptiveMaxPooling1D(5)", [2, 3, 2], False),
    ("adaptive_avg2d", "keras.layers.AdaptiveAveragePooling2D((2, 3))", [2, 5, 7, 2], True),
    ("adaptive_max2d", "keras.layers.AdaptiveMaxPooling2D(4)", [1, 10, 6, 3], True),
    ("adaptive_avg2d_channels_first", "keras.layers.AdaptiveAveragePooling2D((3, 2), "
                                      "data_format='channels_first')", [1, 2, 7, 5], False),
    ("adaptive_avg3d", "keras.layers.AdaptiveAveragePooling3D((2, 2, 3))", [1, 4, 5, 7, 2],
     False),
    ("adaptive_max3d", "keras.layers.AdaptiveMaxPooling3D(2)", [1, 5, 4, 3, 2], False),
    ("global_avg_pool1d_keepdims", "keras.layers.GlobalAvgPool1D(keepdims=True)", [2, 5, 3],
     False),
    ("global_max_pool1d", "keras.layers.GlobalMaxPooling1D()", [2, 5, 3], False),
    ("global_avg_pool3d", "keras.layers.GlobalAveragePooling3D()", [2, 3, 4, 2, 3], False),
    ("global_max_pool3d", "keras.layers.GlobalMaxPool3D(data_format='channels_first')",
     [2, 3, 4, 2, 3], False),
    ("zero_padding1d", "keras.layers.ZeroPadding1D((1, 2))", [2, 3, 2], False),
    ("zero_padding3d", "keras.layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)))", [1, 2, 3, 2, 2],
     False),
    ("cropping1d", "keras.layers.Cropping1D((2, 1))", [2, 6, 2], False),
    ("cropping3d", "keras.layers.Cropping3D(((1, 0), (0, 1), (1, 1)))", [1, 3, 4, 4, 2], False),
    ("upsampling1d", "keras.layers.UpSampling1D(3)", [2, 3, 2], True),
    ("upsampling3d", "keras.layers.UpSampling3D((2, 1, 3))", [1, 2, 3, 2, 2], False),
    ("spatial_dropout1d", "keras.layers.SpatialDropout1D(0.5)", [2, 4, 3], False),
    ("spatial_dropout3d", "keras.layers.SpatialDropout3D(0.3)", [1, 2, 3, 2, 2], False),
    ("gaussian_noise", "keras.layers.GaussianNoise(0.2)", [2, 4], False),
    ("gaussian_dropout", "keras.layers.GaussianDropout(0.3)", [2, 4], False),
    ("alpha_dropout", "keras.layers.AlphaDropout(0.2)", [2, 4], False),
    ("activity_regularization", "keras.layers.ActivityRegularization(l1=0.1, l2=0.01)",
     [2, 4], False),
    ("masking", "keras.layers.Masking(mask_value=0.0)", "masking", False),
    ("group_norm", "keras.layers.GroupNormalization(groups=2)", [2, 3, 2, 4], True),
    ("group_norm_instance", "keras.layers.GroupNormalization(groups=-1, epsilon=1e-5)",
     [2, 5, 3], False),
    ("group_norm_axis1", "keras.layers.GroupNormalization(groups=3, axis=1, center=False)",
     [2, 6, 4], False),
    ("unit_norm", "keras.layers.UnitNormalization()", [2, 3, 4], True),
    ("unit_norm_axes", "keras.layers.UnitNormalization(axis=[1, 2])", [2, 3, 4], False),
    ("prelu", "keras.layers.PReLU()", [2, 3, 4], True),
    ("prelu_shared", "keras.layers.PReLU(alpha_initializer='ones', shared_axes=[1, 2])",
     [2, 3, 2, 4], True),
    ("elu", "keras.layers.ELU(alpha=0.5)", [2, 5], False),
    ("reversible_embedding", "keras.layers.ReversibleEmbedding(7, 3)", "tokens2", False),
    ("reversible_embedding_untied", "keras.layers.ReversibleEmbedding(7, 3, tie_weights=False, "
                                    "mask_zero=True)", "tokens2", False),
    ("rms_norm", "keras.layers.RMSNormalization()", [2, 3, 4], True),
    ("rms_norm_eps", "keras.layers.RMSNormalization(epsilon=0.5)", [3, 5], False),
    ("thresholded_relu", "keras.layers.ThresholdedReLU(theta=0.3)", [2, 5], False),
    ("dot_2d", "keras.layers.Dot(axes=1)", [[2, 4], [2, 4]], True),
    ("dot_3d", "keras.layers.Dot(axes=(2, 2))", [[2, 3, 4], [2, 5, 4]], True),
    ("dot_3d_mixed", "keras.layers.Dot(axes=(1, 2), normalize=True)", [[2, 3, 4], [2, 5, 3]],
     True),
    ("dot_negative", "keras.layers.Dot(axes=-1)", [[2, 3, 4], [2, 4]], False),
    ("attention_dot", "keras.layers.Attention()", [[2, 3, 4], [2, 5, 4]], True),
    ("attention_scaled_key", "keras.layers.Attention(use_scale=True)", [[2, 3, 4], [2, 5, 4],
                                                                        [2, 5, 4]], True),
    ("attention_concat", "keras.layers.Attention(score_mode='concat', use_scale=True)",
     [[2, 3, 4], [2, 5, 4]], True),
    ("additive_attention", "keras.layers.AdditiveAttention()", [[2, 3, 4], [2, 5, 4]], True),
    ("additive_attention_noscale", "keras.layers.AdditiveAttention(use_scale=False)",
     [[2, 3, 4], [2, 5, 4], [2, 5, 4]], False),
    ("category_one_hot", "keras.layers.CategoryEncoding(5, output_mode='one_hot')", "tokens1",
     False),
    ("category_multi_hot", "keras.layers.CategoryEncoding(5)", "tokens2", False),
    ("category_count", "keras.layers.CategoryEncoding(5, output_mode='count')", "tokens2",
     False),
    ("category_one_hot_col", "keras.layers.CategoryEncoding(4, output_mode='one_hot')",
     "tokens_col", False),
    ("normalization_given", "keras.layers.Normalization(mean=[1.0, 2.0, 3.0], "
                            "variance=[4.0, 1.0, 0.25])", [2, 4, 3], False),
    ("normalization_invert", "keras.layers.Normalization(mean=2.0, variance=9.0, invert=True, "
                             "axis=None)", [2, 3], False),
    ("resizing_bilinear", "keras.layers.Resizing(5, 3)", [2, 4, 6, 2], False),
    ("resizing_nearest", "keras.layers.Resizing(2, 7, interpolation='nearest')",
     [2, 4, 6, 2], False),
    ("center_crop", "keras.layers.CenterCrop(3, 4)", [2, 6, 7, 2], False),
    ("auto_contrast", "keras.layers.AutoContrast()", [2, 4, 5, 3], False),
    ("discretization_int", "keras.layers.Discretization(bin_boundaries=[-1.0, 0.0, 0.5])",
     [3, 4], False),
    ("discretization_one_hot", "keras.layers.Discretization([0.0, 1.0], output_mode='one_hot')",
     [5], False),
    ("discretization_count", "keras.layers.Discretization([-0.5, 0.5], output_mode='count')",
     [3, 4], False),
    ("auto_contrast_unit", "keras.layers.AutoContrast(value_range=(1, 0))", [2, 3, 4, 2],
     False),
    ("pipeline", "keras.layers.Pipeline([keras.layers.AutoContrast(value_range=(0, 1)), "
                 "keras.layers.CenterCrop(2, 3), keras.layers.Rescaling(0.5)])",
     [2, 4, 5, 1], False),
    ("random_flip", "keras.layers.RandomFlip('horizontal')", [2, 4, 4, 1], False),
    ("convolution2d_alias", "keras.layers.Convolution2D(2, 2)", [1, 3, 3, 1], False),
    ("einsum_dense_matrix", "keras.layers.EinsumDense('ab,bc->ac', output_shape=4, "
                            "bias_axes='c')", [3, 5], True),
    ("einsum_dense_ellipsis", "keras.layers.EinsumDense('...b,bc->...c', output_shape=3, "
                              "activation='relu')", [2, 4, 5], False),
    ("einsum_dense_heads", "keras.layers.EinsumDense('abc,cde->abde', output_shape=(None, 2, 3), "
                           "bias_axes='de')", [2, 4, 5], True),
]

# MultiHeadAttention: (name, layer code, query/value/key shapes, call kwargs code)
MHA_CASES = [
    ("self", "keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)", [2, 4, 6], None, None,
     "{}"),
    ("cross_key_value_dim", "keras.layers.MultiHeadAttention(3, 2, value_dim=4, output_shape=5)",
     [2, 3, 6], [2, 5, 4], [2, 5, 3], "{}"),
    ("causal_scores", "keras.layers.MultiHeadAttention(2, 4)", [2, 5, 3], [2, 5, 3], None,
     "{'use_causal_mask': True, 'return_attention_scores': True}"),
    ("attention_mask", "keras.layers.MultiHeadAttention(2, 2, use_bias=False)", [2, 3, 4],
     [2, 4, 4], None, "{'attention_mask': np.array([[[1, 1, 0, 0]] * 3, [[1, 0, 1, 1]] * 3], "
                      "bool), 'return_attention_scores': True}"),
    ("value_mask", "keras.layers.MultiHeadAttention(1, 3)", [2, 3, 4], [2, 4, 4], None,
     "{'value_mask': np.array([[1, 1, 1, 0], [1, 0, 0, 0]], bool), "
     "'query_mask': np.array([[1, 1, 0], [1, 1, 1]], bool)}"),
    ("gqa_self", "keras.layers.GroupQueryAttention(head_dim=3, num_query_heads=4, "
                 "num_key_value_heads=2)", [2, 4, 5], None, None, "{}"),
    ("gqa_cross_causal", "keras.layers.GroupQueryAttention(2, 3, 1)", [2, 4, 3], [2, 4, 5],
     None, "{'use_causal_mask': True, 'return_attention_scores': True}"),
    ("gqa_masks", "keras.layers.GroupQueryAttention(2, 2, 2, use_bias=False)", [2, 3, 4],
     [2, 4, 4], None, "{'value_mask': np.array([[1, 1, 1, 0], [1, 0, 0, 0]], bool), "
                      "'query_mask': np.array([[1, 1, 0], [1, 1, 1]], bool)}"),
]

ERRORS = [
    ("conv3d_rank", "keras.layers.Conv3D(2, 2)", [2, 4, 4, 3]),
    ("conv3d_filters", "keras.layers.Conv3D(0, 2)", None),
    ("depthwise_rank", "keras.layers.DepthwiseConv2D(2)", [2, 4, 3]),
    ("depthwise_strides_dilation", "keras.layers.DepthwiseConv2D(2, strides=2, dilation_rate=2)",
     None),
    ("separable_filters", "keras.layers.SeparableConv2D(0, 2)", None),
    ("pool1d_rank", "keras.layers.MaxPooling1D(2)", [2, 4, 4, 3]),
    ("pool3d_padding", "keras.layers.MaxPooling3D(2, padding='full')", None),
    ("global_pool1d_rank", "keras.layers.GlobalAveragePooling1D()", [2, 4]),
    ("cropping1d_too_big", "keras.layers.Cropping1D((2, 2))", [2, 4, 3]),
    ("upsampling1d_size", "keras.layers.UpSampling1D((2,))", None),
    ("gaussian_noise_stddev", "keras.layers.GaussianNoise(1.5)", None),
    ("gaussian_dropout_rate", "keras.layers.GaussianDropout(-0.1)", None),
    ("alpha_dropout_rate", "keras.layers.AlphaDropout(2.0)", None),
    ("spatial_dropout1d_rate", "keras.layers.SpatialDropout1D(1.5)", None),
    ("group_norm_groups", "keras.layers.GroupNormalization(groups=0)", None),
    ("group_norm_too_many", "keras.layers.GroupNormalization(groups=8)", [2, 3, 4]),
    ("group_norm_not_multiple", "keras.layers.GroupNormalization(groups=3)", [2, 3, 4]),
    ("unit_norm_axis", "keras.layers.UnitNormalization(axis='x')", None),
    ("dot_axes_type", "keras.layers.Dot(axes='x')", None),
    ("dot_axes_len", "keras.layers.Dot(axes=(1, 2, 3))", None),
    ("dot_incompatible", "keras.layers.Dot(axes=1)", [[2, 3], [2, 4]]),
    ("category_mode", "keras.layers.CategoryEncoding(4, output_mode='tfidf')", None),
    ("category_num_tokens", "keras.layers.CategoryEncoding()", None),
    ("category_num_tokens_zero", "keras.layers.CategoryEncoding(0)", None),
    ("normalization_mean_only", "keras.layers.Normalization(mean=1.0)", None),
    ("random_flip_mode", "keras.layers.RandomFlip('diagonal')", None),
    ("thresholded_relu_theta", "keras.layers.ThresholdedReLU(theta=-1.0)", None),
    ("wrapper_not_layer", "keras.layers.Wrapper('dense')", None),
    ("attention_score_mode", "keras.layers.Attention(score_mode='add')", None),
    ("attention_not_list", "keras.layers.Attention()", [2, 3, 4]),
    ("rotation_factor", "keras.layers.RandomRotation(1.5)", None),
    ("rotation_fill_mode", "keras.layers.RandomRotation(0.1, fill_mode='mirror')", None),
    ("zoom_factor", "keras.layers.RandomZoom(-1.0)", None),
    ("zoom_factor_len", "keras.layers.RandomZoom((0.1, 0.2, 0.3))", None),
    ("translation_factor", "keras.layers.RandomTranslation(0.1, 1.5)", None),
    ("brightness_factor", "keras.layers.RandomBrightness(1.5)", None),
    ("contrast_factor", "keras.layers.RandomContrast((1.5, 2.0))", None),
    ("contrast_value_range", "keras.layers.RandomContrast(0.2, value_range=3)", None),
    ("adaptive_output_size", "keras.layers.AdaptiveAveragePooling2D((1, 2, 3))", None),
    ("auto_contrast_range", "keras.layers.AutoContrast(value_range=5)", None),
    ("discretization_none", "keras.layers.Discretization()", None),
    ("discretization_both", "keras.layers.Discretization([0.0], num_bins=3)", None),
    ("discretization_mode", "keras.layers.Discretization([0.0], output_mode='bins')", None),
]


def _inputs(spec, rs):
    import numpy as np
    if spec == "masking":
        x = rs.randn(2, 4, 3).astype(np.float32)
        x[0, 1] = 0.0
        x[1, 3] = 0.0
        x[1, 0, 0] = 0.0       # one zero feature only: not masked
        return x
    if spec == "tokens1":
        return np.array([0, 3, 4, 1], np.int32)
    if spec == "tokens2":
        return np.array([[0, 3, 3], [4, 1, 0]], np.int32)
    if spec == "tokens_col":
        return np.array([[2], [0], [3]], np.int32)
    if isinstance(spec[0], list):
        return [rs.randn(*s).astype(np.float32) for s in spec]
    return rs.randn(*spec).astype(np.float32)


def _output_shape(layer, shape, many):
    try:
        return _safe(layer.compute_output_shape([tuple(s) for s in shape] if many
                                                else tuple(shape)))
    except NotImplementedError:     # Pipeline has none
        return None


def _safe(v):
    import numpy as np
    if isinstance(v, dict):
        return {k: _safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_safe(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return repr(v)


def _record_mha(keras, np, tf):
    out = {}
    for i, (name, code, qs, vs, ks, kw) in enumerate(MHA_CASES):
        rs = np.random.RandomState(300 + i)
        layer = eval(code, {"keras": keras})
        q = rs.randn(*qs).astype(np.float32)
        v = q if vs is None else rs.randn(*vs).astype(np.float32)
        k = None if ks is None else rs.randn(*ks).astype(np.float32)
        kwargs = eval(kw, {"np": np})
        args = (q, v) if k is None else (q, v, k)
        layer(*args, **kwargs)
        weights = [rs.uniform(-1, 1, tuple(w.shape)).astype(np.float32) for w in layer.weights]
        layer.set_weights(weights)
        res = layer(*args, **kwargs)
        y, scores = (res if kwargs.get("return_attention_scores") else (res, None))
        r = np.random.RandomState(7).randn(*y.shape).astype(np.float32)
        with tf.GradientTape() as tape:
            res2 = layer(*args, **kwargs)
            loss = tf.reduce_sum((res2[0] if scores is not None else res2) * r)
        grads = tape.gradient(loss, layer.trainable_weights)
        out[name] = {"code": code, "kwargs": kw, "q": q.tolist(), "v": None if vs is None
                     else v.tolist(), "k": None if k is None else k.tolist(),
                     "weights": [w.tolist() for w in weights],
                     "weight_paths": [w.path for w in layer.weights],
                     "weight_shapes": [list(w.shape) for w in layer.weights],
                     "config": _safe(layer.get_config()),
                     "output": np.asarray(y).tolist(),
                     "scores": None if scores is None else np.asarray(scores).tolist(),
                     "grads": [np.asarray(g).tolist() for g in grads]}
    return out


# Keras masks: Sequential models whose first layer makes a mask that later layers use
MASK_MODELS = [
    ("embedding_lstm", "tokens", ["keras.layers.Embedding(6, 3, mask_zero=True)",
                                  "keras.layers.LSTM(4)"]),
    ("embedding_dense_gap", "tokens", ["keras.layers.Embedding(6, 3, mask_zero=True)",
                                       "keras.layers.Dense(2, activation='tanh')",
                                       "keras.layers.GlobalAveragePooling1D()"]),
    ("masking_simple_rnn_seq", "masked", ["keras.layers.Masking()",
                                          "keras.layers.SimpleRNN(3, return_sequences=True)",
                                          "keras.layers.GRU(2)"]),
    ("masking_bidirectional", "masked", ["keras.layers.Masking()",
                                         "keras.layers.Bidirectional(keras.layers.GRU(2, "
                                         "return_sequences=True))",
                                         "keras.layers.GlobalAveragePooling1D()"]),
    ("masking_backwards", "masked", ["keras.layers.Masking()",
                                     "keras.layers.LSTM(3, go_backwards=True)"]),
    ("embedding_batchnorm", "tokens", ["keras.layers.Embedding(6, 3, mask_zero=True)",
                                       "keras.layers.BatchNormalization(momentum=0.5)",
                                       "keras.layers.GlobalAveragePooling1D()"]),
]


def _record_masks(keras, np):
    out = {}
    for name, data, codes in MASK_MODELS:
        rs = np.random.RandomState(41)
        if data == "tokens":
            x = np.array([[1, 2, 0, 0, 3], [4, 5, 1, 0, 0], [0, 2, 3, 4, 5]], np.int32)
        else:
            x = rs.randn(3, 5, 2).astype(np.float32)
            x[0, 3:] = 0.0
            x[1, 0] = 0.0
            x[2, 2] = 0.0
        layers = [eval(c, {"keras": keras}) for c in codes]
        model = keras.Sequential([keras.Input(x.shape[1:], dtype=x.dtype.name)] + layers)
        weights = [rs.uniform(-1, 1, tuple(w.shape)).astype(np.float32) for w in model.weights]
        model.set_weights(weights)
        out[name] = {"codes": codes, "x": x.tolist(), "dtype": x.dtype.name,
                     "weights": [w.tolist() for w in weights],
                     "output": np.asarray(model(x)).tolist(),
                     # a training pass (masked batch statistics), then the weights after it
                     "train_output": np.asarray(model(x, training=True)).tolist(),
                     "weights_after": [np.asarray(w).tolist() for w in model.weights]}
    return out


def _record_attention_masks(keras, np):
    """Attention/AdditiveAttention with a [query_mask, value_mask], causal masks, scores."""
    out = {}
    rs = np.random.RandomState(77)
    q = rs.randn(2, 3, 4).astype(np.float32)
    v = rs.randn(2, 4, 4).astype(np.float32)
    qm = np.array([[True, True, False], [True, True, True]])
    vm = np.array([[True, True, True, False], [True, False, True, True]])
    for code in ("keras.layers.Attention()", "keras.layers.AdditiveAttention()"):
        layer = eval(code, {"keras": keras})
        layer([q, v])
        weights = [rs.uniform(-1, 1, tuple(w.shape)).astype(np.float32) for w in layer.weights]
        layer.set_weights(weights)
        o, sc = layer([q, v], mask=[qm, vm], return_attention_scores=True)
        oc, scc = layer([q, v], use_causal_mask=True, return_attention_scores=True)
        out[code] = {"q": q.tolist(), "v": v.tolist(), "qm": qm.tolist(), "vm": vm.tolist(),
                     "weights": [w.tolist() for w in weights],
                     "masked": np.asarray(o).tolist(), "masked_scores": np.asarray(sc).tolist(),
                     "causal": np.asarray(oc).tolist(), "causal_scores": np.asarray(scc).tolist()}
    return out


# Random affine layers with a one-point factor range: deterministic, so Keras's output
# (through ImageProjectiveTransformV3) can be compared value by value
AUGMENT = [
    ("rotation_reflect", "keras.layers.RandomRotation((0.1, 0.1))", [2, 7, 6, 2]),
    ("rotation_constant", "keras.layers.RandomRotation((-0.3, -0.3), fill_mode='constant', "
                          "fill_value=2.0)", [1, 6, 8, 1]),
    ("rotation_nearest", "keras.layers.RandomRotation((0.45, 0.45), fill_mode='nearest', "
                         "interpolation='nearest')", [2, 5, 5, 3]),
    ("rotation_unbatched", "keras.layers.RandomRotation((0.2, 0.2))", [6, 5, 1]),
    ("rotation_channels_first", "keras.layers.RandomRotation((0.15, 0.15), "
                                "data_format='channels_first')", [1, 2, 5, 6]),
    ("zoom_out_reflect", "keras.layers.RandomZoom((0.3, 0.3))", [2, 7, 6, 1]),
    ("zoom_in_width", "keras.layers.RandomZoom((-0.4, -0.4), (0.2, 0.2), fill_mode='nearest', "
                      "interpolation='nearest')", [1, 6, 7, 2]),
    ("zoom_constant", "keras.layers.RandomZoom((0.5, 0.5), fill_mode='constant')",
     [1, 5, 6, 1]),
    ("rotation_wrap", "keras.layers.RandomRotation((0.2, 0.2), fill_mode='wrap')",
     [2, 6, 7, 1]),
    ("zoom_wrap_nearest", "keras.layers.RandomZoom((0.6, 0.6), fill_mode='wrap', "
                          "interpolation='nearest')", [1, 5, 6, 2]),
    ("translation_reflect", "keras.layers.RandomTranslation((0.3, 0.3), (-0.2, -0.2))",
     [2, 6, 7, 1]),
    ("translation_constant", "keras.layers.RandomTranslation((-0.25, -0.25), (0.4, 0.4), "
                             "fill_mode='constant', fill_value=-1.0)", [1, 5, 6, 2]),
    ("translation_wrap", "keras.layers.RandomTranslation((0.5, 0.5), (0.5, 0.5), "
                         "fill_mode='wrap')", [1, 4, 6, 1]),
    ("brightness_up", "keras.layers.RandomBrightness((0.1, 0.1))", [2, 4, 5, 3]),
    ("brightness_down_unit", "keras.layers.RandomBrightness((-0.3, -0.3), value_range=(0, 10))",
     [1, 3, 4, 2]),
    ("contrast_up", "keras.layers.RandomContrast((-0.5, 0.5))", [2, 4, 5, 3]),
    ("contrast_unbatched", "keras.layers.RandomContrast((-0.2, 0.2), value_range=(2, 8))",
     [4, 3, 2]),
]


def _record_augment(keras, np):
    out = {}
    for i, (name, code, shape) in enumerate(AUGMENT):
        x = np.random.RandomState(500 + i).rand(*shape).astype(np.float32) * 10
        layer = eval(code, {"keras": keras})
        out[name] = {"code": code, "x": x.tolist(), "output": np.asarray(layer(x)).tolist(),
                     "inference": np.asarray(layer(x, training=False)).tolist(),
                     "config": _safe(layer.get_config())}
    return out


def _saved_model(keras, np):
    """Keras writes a .keras file holding the new layers (an adapted Normalization, a merge
    by Dot, dropout-like layers with their seed generators); recorded: its predictions."""
    L = keras.layers
    rs = np.random.RandomState(11)
    x1 = rs.rand(3, 6, 6, 3).astype(np.float32)
    x2 = rs.rand(3, 8, 2).astype(np.float32)
    keras.utils.set_random_seed(0)
    i1, i2 = keras.Input((6, 6, 3)), keras.Input((8, 2))
    norm = L.Normalization()
    norm.adapt(x1)
    h = norm(i1)
    h = L.SeparableConv2D(4, 3, padding="same", activation="relu")(h)
    h = L.DepthwiseConv2D(2, depth_multiplier=2)(h)
    h = L.GroupNormalization(4)(h)
    h = L.PReLU(shared_axes=[1, 2])(h)
    h = L.SpatialDropout2D(0.2)(h)
    a = L.GlobalAveragePooling2D()(h)
    g = L.Conv1D(8, 3, padding="same")(i2)
    g = L.ZeroPadding1D(1)(g)
    g = L.MaxPooling1D(2)(g)
    g = L.UpSampling1D(2)(g)
    g = L.Cropping1D((1, 1))(g)
    g = L.GaussianNoise(0.1)(g)
    g = L.GaussianDropout(0.1)(g)
    g = L.MultiHeadAttention(2, 4)(g, g, use_causal_mask=True)
    g = L.EinsumDense("...b,bc->...c", output_shape=8, bias_axes="c")(g)
    b = L.GlobalMaxPooling1D()(g)
    d = L.Dot(axes=1, normalize=True)([a, b])
    c = L.Concatenate()([d, L.UnitNormalization()(a), L.ELU()(b)])
    model = keras.Model([i1, i2], L.Dense(2)(c))
    for w in model.weights:
        if w.trainable:
            w.assign(rs.uniform(-0.5, 0.5, tuple(w.shape)).astype(np.float32))
    model.save(MODEL)
    return {"inputs": [x1.tolist(), x2.tolist()],
            "output": np.asarray(model.predict([x1, x2], verbose=0)).tolist(),
            "layers": [type(layer).__name__ for layer in model.layers]}


def record():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import numpy as np
    import tensorflow as tf
    keras = tf.keras
    out = {"versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
           "cases": {}, "errors": {}}
    for i, (name, code, spec, grad) in enumerate(CASES):
        rs = np.random.RandomState(100 + i)
        layer = eval(code, {"keras": keras})
        x = _inputs(spec, rs)
        xs = x if isinstance(x, list) else [x]
        shape = [list(a.shape) for a in xs] if isinstance(x, list) else list(x.shape)
        layer.build([tuple(s) for s in shape] if isinstance(x, list) else tuple(shape))
        weights = [rs.uniform(-1, 1, tuple(w.shape)).astype(np.float32)
                   if w.dtype.startswith("float") else np.asarray(w.numpy())
                   for w in layer.weights]
        layer.set_weights(weights)
        xt = [tf.constant(a) for a in xs]
        arg = xt if isinstance(x, list) else xt[0]
        y = layer(arg)
        case = {"code": code, "inputs": [a.tolist() for a in xs], "list_input": isinstance(x, list),
                "input_dtype": str(xs[0].dtype),
                "weights": [w.tolist() for w in weights],
                "weight_names": [w.name for w in layer.weights],
                "weight_shapes": [list(w.shape) for w in layer.weights],
                "weight_dtypes": [str(w.dtype) for w in layer.weights],
                "weight_trainable": [bool(w.trainable) for w in layer.weights],
                "n_variables": len(layer.variables),
                "config": _safe(layer.get_config()),
                "output": np.asarray(y).tolist(), "output_dtype": y.dtype.name,
                "output_shape": list(y.shape),
                "compute_output_shape": _output_shape(layer, shape, isinstance(x, list))}
        if name.startswith("reversible_embedding"):
            h = np.random.RandomState(3).randn(2, 4, 3).astype(np.float32)
            case["reverse_input"] = h.tolist()
            case["reverse_output"] = np.asarray(layer(h, reverse=True)).tolist()
            capped = eval(code.replace("(7, 3", "(7, 3, logit_soft_cap=2.0"), {"keras": keras})
            capped.build(tuple(shape))
            capped.set_weights(weights)
            case["capped_output"] = np.asarray(capped(h, reverse=True)).tolist()
        if name == "masking":
            case["mask"] = np.asarray(layer.compute_mask(arg)).tolist()
        if name == "activity_regularization":
            case["losses"] = [float(v) for v in layer.losses]
        if name in ("random_flip",):
            case["default_call_differs"] = None
            case["inference_output"] = np.asarray(layer(arg, training=False)).tolist()
        if grad:
            r = np.random.RandomState(7).randn(*y.shape).astype(np.float32)
            with tf.GradientTape() as tape:
                for a in xt:
                    tape.watch(a)
                loss = tf.reduce_sum(layer(arg) * r)
            gs = tape.gradient(loss, list(layer.trainable_weights) + xt)
            case["grad_r_seed"] = 7
            case["grads"] = [np.asarray(g).tolist() for g in gs]
        out["cases"][name] = case
    # Normalization.adapt: an array, then a batched dataset (merged batch by batch)
    rs = np.random.RandomState(5)
    data = (rs.randn(20, 3) * [1.0, 2.0, 3.0] + [0.0, 1.0, -2.0]).astype(np.float32)
    ad = {}
    for key, src in (("array", data), ("dataset", tf.data.Dataset.from_tensor_slices(data)
                                                   .batch(6)), ("list", [data[:7], data[7:]])):
        norm = keras.layers.Normalization()
        norm.adapt(src)
        ad[key] = {"weights": [np.asarray(w.numpy()).tolist() for w in norm.weights],
                   "output": np.asarray(norm(data[:4])).tolist()}
    norm2 = keras.layers.Normalization(axis=None)
    norm2.adapt(data)
    ad["axis_none"] = {"weights": [np.asarray(w.numpy()).tolist() for w in norm2.weights],
                       "output": np.asarray(norm2(data[:4])).tolist(),
                       "weight_names": [w.name for w in norm2.weights],
                       "weight_shapes": [list(w.shape) for w in norm2.weights],
                       "config": _safe(norm2.get_config())}
    ad["data"] = data.tolist()
    out["adapt"] = ad
    # Discretization.adapt: quantile boundaries of an array, and of batches merged
    disc = {}
    big = np.random.RandomState(9).randn(500).astype(np.float32)
    for key, src, bins in (("small", data, 4), ("big", big, 5),
                           ("batches", [big[:180], big[180:]], 3)):
        layer = keras.layers.Discretization(num_bins=bins)
        layer.adapt(src)
        disc[key] = {"bins": bins, "boundaries": [float(b) for b in layer.bin_boundaries],
                     "output": np.asarray(layer(big[:6])).tolist(),
                     "config": _safe(layer.get_config())}
    disc["big"]["data"] = big.tolist()
    out["discretization_adapt"] = disc
    # default `training` of a direct call: RandomFlip flips (True), Dropout does not
    flip = keras.layers.RandomFlip("horizontal", seed=3)
    img = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4, 1)
    outs = [np.asarray(flip(img)) for _ in range(8)]
    out["random_flip_direct_call_flips"] = bool(any(
        not np.array_equal(o, img) for o in outs))
    out["mha"] = _record_mha(keras, np, tf)
    out["masks"] = _record_masks(keras, np)
    out["attention_masked"] = _record_attention_masks(keras, np)
    out["augment"] = _record_augment(keras, np)
    # keras.layers.serialize / deserialize of built layers
    ser = {}
    for code, shape in (("keras.layers.Conv3D(2, 3, padding='same')", (1, 4, 4, 4, 2)),
                        ("keras.layers.GroupNormalization(2)", (1, 3, 4)),
                        ("keras.layers.Dot(axes=1)", [(1, 3), (1, 3)])):
        layer = eval(code, {"keras": keras})
        layer.build(shape)
        ser[code] = _safe(keras.layers.serialize(layer))
    out["serialize"] = ser
    out["saved_model"] = _saved_model(keras, np)
    for name, code, spec in ERRORS:
        try:
            layer = eval(code, {"keras": keras})
            if spec is not None:
                if isinstance(spec[0], list):
                    layer([tf.zeros(s) for s in spec])
                else:
                    layer(tf.zeros(spec))
            out["errors"][name] = None
        except Exception as e:  # noqa: BLE001 - the recorded answer
            out["errors"][name] = {"code": code, "input": spec, "type": type(e).__name__,
                                   "message": str(e)}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(out['cases'])} cases, {len(out['errors'])} errors")


if __name__ == "__main__":
    record()
