"""The `tf.keras.layers` tfteach added to fill gaps (3-D and depthwise/separable
convolutions, 1-D/3-D pooling, padding/cropping/upsampling, noise layers, Masking, group and
unit normalization, PReLU/ELU/ThresholdedReLU, Dot, preprocessing layers), pinned to Keras 3
under TF 2.21: tests/data/keras_layers_gaps_tf.json, recorded by
tools/record_keras_layers_gaps.py. Keras's initializers draw other numbers than tfteach's, so
each layer gets the recorded weights through set_weights before its output is compared."""
import json
import os

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

with open(os.path.join(os.path.dirname(__file__), "data", "keras_layers_gaps_tf.json")) as f:
    RECORD = json.load(f)
CASES = RECORD["cases"]
ERRORS = {k: v for k, v in RECORD["errors"].items() if v is not None}


@pytest.fixture
def keras(tf2):
    tf2.keras.backend.clear_session()
    return tf2.keras


def _inputs(case):
    xs = [np.asarray(a, dtype=case["input_dtype"]) for a in case["inputs"]]
    return xs if case["list_input"] else xs[0]


def _built(keras, case):
    layer = eval(case["code"], {"keras": keras})
    x = _inputs(case)
    shape = [tuple(a.shape) for a in x] if case["list_input"] else tuple(x.shape)
    layer.build(shape)
    layer.set_weights([np.asarray(w, np.float32) if "float" in d else np.asarray(w, d)
                       for w, d in zip(case["weights"], case["weight_dtypes"])])
    return layer, x, shape


def _close(a, b, tol=1e-4):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol, atol=tol)


def _plain(v):
    """A config value as JSON has it: tuples as lists; initializers by class name."""
    if isinstance(v, dict):
        if "class_name" in v:
            return v["class_name"]
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


@pytest.mark.parametrize("name", sorted(CASES))
def test_weights_output_shape_and_config(keras, name):
    case = CASES[name]
    layer, x, shape = _built(keras, case)
    assert [v.name for v in layer.weights] == case["weight_names"]
    assert [list(v.shape.as_list()) for v in layer.weights] == case["weight_shapes"]
    assert [v.trainable for v in layer.weights] == case["weight_trainable"]
    assert [v.dtype.name for v in layer.weights] == case["weight_dtypes"]
    assert len(layer.variables) == case["n_variables"]
    if "inference_output" in case:     # a random layer: compare its inference pass
        y = layer(x, training=False)
        _close(y, case["inference_output"])
    else:
        y = layer(x)
        _close(y, case["output"])
    assert y.dtype.name == case["output_dtype"]
    assert y.shape.as_list() == case["output_shape"]
    if case["compute_output_shape"] is not None:
        assert _plain(layer.compute_output_shape(shape)) == case["compute_output_shape"]
    config = layer.get_config()
    assert set(config) == set(case["config"])
    for k, v in case["config"].items():
        if k not in ("name", "dtype"):
            assert _plain(config[k]) == _plain(v), k


@pytest.mark.parametrize("name", sorted(n for n in CASES if "grads" in CASES[n]))
def test_gradients(tf2, keras, name):
    case = CASES[name]
    layer, x, _ = _built(keras, case)
    xs = [tf2.constant(a) for a in (x if case["list_input"] else [x])]
    arg = xs if case["list_input"] else xs[0]
    r = np.random.RandomState(case["grad_r_seed"]).randn(*case["output_shape"])
    r = r.astype(np.float32)
    with tf2.GradientTape() as tape:
        for a in xs:
            tape.watch(a)
        loss = tf2.reduce_sum(layer(arg) * r)
    grads = tape.gradient(loss, list(layer.trainable_weights) + xs)
    assert len(grads) == len(case["grads"])
    for g, want in zip(grads, case["grads"]):
        _close(g, want)


@pytest.mark.parametrize("name", ["conv3d_same_strided", "depthwise_conv2d", "separable_conv1d",
                                  "avg_pool3d_same", "max_pool1d", "group_norm", "dot_3d",
                                  "upsampling3d", "prelu_shared", "category_count"])
def test_inside_tf_function(tf2, keras, name):
    case = CASES[name]
    layer, x, _ = _built(keras, case)
    f = tf2.function(lambda a: layer(a))
    arg = [tf2.constant(a) for a in x] if case["list_input"] else tf2.constant(x)
    _close(f(arg), case["output"])


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(tf2, keras, name):
    err = ERRORS[name]
    cls = {"ValueError": ValueError, "TypeError": TypeError,
           "NotImplementedError": NotImplementedError}[err["type"]]
    # Keras wraps errors raised in call() in "Exception encountered when calling ..."
    message = err["message"].split("\x1b[1m")[-1].split("\x1b[0m")[0]
    want = message.split(" Received: input")[0].split(" Received: inputs")[0][:90]
    with pytest.raises(cls) as info:
        layer = eval(err["code"], {"keras": keras})
        spec = err["input"]
        if spec is not None:
            if isinstance(spec[0], list):
                layer([tf2.zeros(s) for s in spec])
            else:
                layer(tf2.zeros(spec))
    got = str(info.value).replace("'None'", "'None'")
    if "layer '" in want:   # auto-generated layer names differ in their counter
        want = want.split("layer '")[0]
    assert want in got


def test_masking_mask_and_zeroed_steps(keras):
    case = CASES["masking"]
    layer = keras.layers.Masking()
    x = _inputs(case)
    _close(layer(x), case["output"])
    assert np.asarray(layer.compute_mask(x)).tolist() == case["mask"]


def test_activity_regularization_loss(keras):
    case = CASES["activity_regularization"]
    layer = keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    layer(_inputs(case))
    assert len(layer.losses) == 1
    _close(layer.losses[0], case["losses"][0], 1e-5)


@pytest.mark.parametrize("source", ["array", "dataset", "list"])
def test_normalization_adapt(tf2, keras, source):
    rec = RECORD["adapt"]
    data = np.asarray(rec["data"], np.float32)
    src = {"array": data, "dataset": tf2.data.Dataset.from_tensor_slices(data).batch(6),
           "list": [data[:7], data[7:]]}[source]
    norm = keras.layers.Normalization()
    norm.adapt(src)
    assert [v.name for v in norm.weights] == ["mean", "variance", "count"]
    assert not norm.trainable_weights
    for w, want in zip(norm.weights, rec[source]["weights"]):
        _close(w.numpy(), want, 1e-5)
    _close(norm(data[:4]), rec[source]["output"], 1e-5)


def test_normalization_axis_none_and_config(keras):
    rec = RECORD["adapt"]
    data = np.asarray(rec["data"], np.float32)
    norm = keras.layers.Normalization(axis=None)
    norm.adapt(data)
    assert [v.shape.as_list() for v in norm.weights] == rec["axis_none"]["weight_shapes"]
    _close(norm(data[:4]), rec["axis_none"]["output"], 1e-5)
    assert _plain(norm.get_config())["axis"] == rec["axis_none"]["config"]["axis"]


# --- training-only randomness -------------------------------------------------------------------

def test_noise_layers_identity_at_inference_and_random_in_training(keras):
    x = np.random.RandomState(0).randn(64, 50).astype(np.float32)
    for layer in (keras.layers.GaussianNoise(0.5), keras.layers.GaussianDropout(0.3),
                  keras.layers.AlphaDropout(0.2), keras.layers.SpatialDropout1D(0.5)):
        xin = x.reshape(64, 10, 5) if isinstance(layer, keras.layers.SpatialDropout1D) else x
        np.testing.assert_array_equal(layer(xin), xin)
        np.testing.assert_array_equal(layer(xin, training=False), xin)
        y = np.asarray(layer(xin, training=True))
        assert y.shape == xin.shape and not np.array_equal(y, xin)


def test_noise_statistics(keras):
    x = np.ones((200, 500), np.float32)
    y = np.asarray(keras.layers.GaussianNoise(0.5)(x, training=True)) - 1
    assert abs(y.mean()) < 0.01 and abs(y.std() - 0.5) < 0.01
    y = np.asarray(keras.layers.GaussianDropout(0.2)(x, training=True))
    assert abs(y.mean() - 1) < 0.01 and abs(y.std() - np.sqrt(0.2 / 0.8)) < 0.01
    # AlphaDropout keeps a standard normal input's mean 0 and variance 1
    z = np.random.RandomState(1).randn(200, 500).astype(np.float32)
    y = np.asarray(keras.layers.AlphaDropout(0.2)(z, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    kept = np.isclose(y, (y.max() + 0) * 0 + y)   # every value is a*x+b or a*alpha_p+b
    assert kept.all()


def test_spatial_dropout_drops_whole_channels(keras):
    x = np.ones((8, 6, 5), np.float32)
    y = np.asarray(keras.layers.SpatialDropout1D(0.5)(x, training=True))
    # one draw per (example, channel): each channel column is all kept or all zero
    assert np.all((y == 0).all(axis=1) | (y == 2).all(axis=1))
    x = np.ones((4, 2, 3, 2, 6), np.float32)
    y = np.asarray(keras.layers.SpatialDropout3D(0.5)(x, training=True))
    assert np.all((y == 0).all(axis=(1, 2, 3)) | (y == 2).all(axis=(1, 2, 3)))


def test_random_flip_flips_by_default_but_not_at_inference(keras):
    img = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4, 1)
    flip = keras.layers.RandomFlip("horizontal", seed=3)
    np.testing.assert_array_equal(flip(img, training=False), img)
    outs = [np.asarray(flip(img)) for _ in range(8)]
    assert any(not np.array_equal(o, img) for o in outs) == \
        RECORD["random_flip_direct_call_flips"]
    for o in outs:
        for i in range(2):   # each image is itself or its mirror image
            assert np.array_equal(o[i], img[i]) or np.array_equal(o[i], img[i, :, ::-1])
    model = keras.Sequential([keras.Input((3, 4, 1)), flip])
    np.testing.assert_array_equal(model.predict(img, verbose=0), img)


# --- models -----------------------------------------------------------------------------------

def test_sequential_fit_with_new_layers(tf2, keras):
    keras.utils.set_random_seed(0)
    rs = np.random.RandomState(0)
    x = rs.randn(32, 4, 6, 6, 2).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3, 4)) > 0).astype(np.float32)
    model = keras.Sequential([
        keras.Input((4, 6, 6, 2)),
        keras.layers.Conv3D(4, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling3D(2),
        keras.layers.GaussianNoise(0.1),
        keras.layers.GlobalAveragePooling3D(),
        keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    hist = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_sequential_1d_pipeline_fit(keras):
    keras.utils.set_random_seed(1)
    rs = np.random.RandomState(1)
    x = rs.randn(32, 10, 3).astype(np.float32)
    y = x[:, :, 0].sum(1, keepdims=True).astype(np.float32)
    model = keras.Sequential([
        keras.Input((10, 3)),
        keras.layers.ZeroPadding1D(1),
        keras.layers.SeparableConv1D(6, 3, activation="relu"),
        keras.layers.DepthwiseConv1D(3, padding="same"),
        keras.layers.AveragePooling1D(2),
        keras.layers.UpSampling1D(2),
        keras.layers.Cropping1D((1, 1)),
        keras.layers.GroupNormalization(groups=3),
        keras.layers.PReLU(),
        keras.layers.SpatialDropout1D(0.1),
        keras.layers.GlobalMaxPooling1D(),
        keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    hist = model.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert model.predict(x[:2], verbose=0).shape == (2, 1)


def test_functional_dot_and_normalization_fit(keras):
    keras.utils.set_random_seed(2)
    rs = np.random.RandomState(2)
    a = rs.randn(40, 5).astype(np.float32)
    b = rs.randn(40, 5).astype(np.float32)
    target = (a * b).sum(1, keepdims=True)
    norm = keras.layers.Normalization()
    norm.adapt(a)
    ia, ib = keras.Input((5,)), keras.Input((5,))
    ha = keras.layers.Dense(5)(norm(ia))
    hb = keras.layers.UnitNormalization()(keras.layers.Dense(5)(ib))
    out = keras.layers.Dense(1)(keras.layers.dot([ha, hb], axes=1))
    model = keras.Model([ia, ib], out)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    hist = model.fit([a, b], target, epochs=10, batch_size=10, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_conv_transpose_and_upsampling_autoencoder_fit(keras):
    keras.utils.set_random_seed(3)
    x = np.random.RandomState(3).rand(16, 8, 2).astype(np.float32)
    model = keras.Sequential([
        keras.Input((8, 2)),
        keras.layers.Conv1D(4, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv1DTranspose(2, 3, strides=2, padding="same")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    hist = model.fit(x, x, epochs=10, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_aliases(keras):
    L = keras.layers
    assert L.Convolution2D is L.Conv2D and L.Convolution3D is L.Conv3D
    assert L.Convolution1DTranspose is L.Conv1DTranspose
    assert L.SeparableConvolution2D is L.SeparableConv2D
    assert L.SeparableConvolution1D is L.SeparableConv1D
    assert L.MaxPool1D is L.MaxPooling1D and L.AvgPool3D is L.AveragePooling3D
    assert L.GlobalAvgPool1D is L.GlobalAveragePooling1D
    assert L.GlobalMaxPool3D is L.GlobalMaxPooling3D


# --- the .keras format --------------------------------------------------------------------------

def test_load_keras3_model_of_new_layers(keras):
    pytest.importorskip("h5py")
    rec = RECORD["saved_model"]
    model = keras.models.load_model(
        os.path.join(os.path.dirname(__file__), "data", "keras3_layers_gaps.keras"))
    assert [type(layer).__name__ for layer in model.layers] == rec["layers"]
    xs = [np.asarray(a, np.float32) for a in rec["inputs"]]
    _close(model.predict(xs, verbose=0), rec["output"], 1e-5)


def test_keras_roundtrip_of_new_layers_after_fit(keras, tmp_path):
    pytest.importorskip("h5py")
    keras.utils.set_random_seed(4)
    rs = np.random.RandomState(4)
    x = rs.rand(8, 4, 6, 6, 2).astype(np.float32)
    y = rs.rand(8, 3).astype(np.float32)
    norm = keras.layers.Normalization(axis=-1)
    norm.adapt(x)
    model = keras.Sequential([
        keras.Input((4, 6, 6, 2)), norm,
        keras.layers.Conv3D(3, 2, padding="same"), keras.layers.AveragePooling3D(2),
        keras.layers.ZeroPadding3D(1), keras.layers.Cropping3D(1),
        keras.layers.UpSampling3D((1, 2, 1)), keras.layers.SpatialDropout3D(0.1),
        keras.layers.GlobalAveragePooling3D(), keras.layers.AlphaDropout(0.1),
        keras.layers.GaussianDropout(0.1), keras.layers.ActivityRegularization(l2=0.01),
        keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    path = str(tmp_path / "gaps.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    _close(loaded.predict(x, verbose=0), model.predict(x, verbose=0), 1e-6)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- MultiHeadAttention -------------------------------------------------------------------------

MHA = RECORD["mha"]


def _mha(keras, case):
    layer = eval(case["code"], {"keras": keras})
    q = np.asarray(case["q"], np.float32)
    v = q if case["v"] is None else np.asarray(case["v"], np.float32)
    args = (q, v) if case["k"] is None else (q, v, np.asarray(case["k"], np.float32))
    kwargs = eval(case["kwargs"], {"np": np})
    layer(*args, **kwargs)
    layer.set_weights([np.asarray(w, np.float32) for w in case["weights"]])
    return layer, args, kwargs


@pytest.mark.parametrize("name", sorted(MHA))
def test_multi_head_attention(tf2, keras, name):
    case = MHA[name]
    layer, args, kwargs = _mha(keras, case)
    # the layer's own name carries a session counter; the sublayer/weight part is Keras's
    assert [v.path.split("/", 1)[1] for v in layer.weights] == \
        [p.split("/", 1)[1] for p in case["weight_paths"]]
    assert [v.shape.as_list() for v in layer.weights] == case["weight_shapes"]
    res = layer(*args, **kwargs)
    if case["scores"] is not None:
        res, scores = res
        _close(scores, case["scores"])
    _close(res, case["output"])
    config = layer.get_config()
    assert set(config) == set(case["config"])
    for k, v in case["config"].items():
        if k not in ("name", "dtype"):
            assert _plain(config[k]) == _plain(v), k
    r = np.random.RandomState(7).randn(*np.shape(case["output"])).astype(np.float32)
    with tf2.GradientTape() as tape:
        out = layer(*args, **kwargs)
        loss = tf2.reduce_sum((out[0] if case["scores"] is not None else out) * r)
    for g, want in zip(tape.gradient(loss, layer.trainable_weights), case["grads"]):
        _close(g, want)
    f = tf2.function(lambda *a: layer(*a, **kwargs))
    out = f(*[tf2.constant(a) for a in args])
    _close(out[0] if case["scores"] is not None else out, case["output"])


def test_multi_head_attention_errors_and_dropout(keras):
    with pytest.raises(ValueError, match="invalid value for argument `num_heads`"):
        keras.layers.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="invalid value for argument `key_dim`"):
        keras.layers.MultiHeadAttention(2, 0)
    with pytest.raises(ValueError, match="All dimensions of `value` and `key`, except the last"):
        keras.layers.MultiHeadAttention(2, 2)(np.zeros((1, 3, 4), np.float32),
                                              np.zeros((1, 5, 4), np.float32),
                                              np.zeros((1, 4, 4), np.float32))
    layer = keras.layers.MultiHeadAttention(2, 4, dropout=0.5)
    x = np.random.RandomState(0).randn(2, 6, 4).astype(np.float32)
    np.testing.assert_array_equal(layer(x, x), layer(x, x))          # inference: no dropout
    assert not np.array_equal(layer(x, x, training=True), layer(x, x, training=True))
    assert len(layer.variables) == 9      # 8 weights and the dropout's seed generator


def test_transformer_block_fit_and_keras_roundtrip(keras, tmp_path):
    pytest.importorskip("h5py")
    keras.utils.set_random_seed(5)
    rs = np.random.RandomState(5)
    x = rs.randn(16, 6, 8).astype(np.float32)
    y = x[:, ::-1].copy()
    i = keras.Input((6, 8))
    h = keras.layers.MultiHeadAttention(2, 4)(i, i)
    h = keras.layers.LayerNormalization()(keras.layers.add([i, h]))
    o = keras.layers.EinsumDense("...b,bc->...c", output_shape=8, bias_axes="c")(h)
    model = keras.Model(i, o)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    hist = model.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    path = str(tmp_path / "block.keras")
    model.save(path)
    _close(keras.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0),
           1e-6)


# --- Keras masks --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(RECORD["masks"]))
def test_mask_propagation_matches_keras(tf2, keras, name):
    case = RECORD["masks"][name]
    x = np.asarray(case["x"], case["dtype"])
    layers = [eval(c, {"keras": keras}) for c in case["codes"]]
    model = keras.Sequential([keras.Input(x.shape[1:], dtype=case["dtype"])] + layers)
    model.set_weights([np.asarray(w, np.float32) for w in case["weights"]])
    _close(model(x), case["output"])
    _close(model.predict(x, verbose=0), case["output"])    # traced (tf.function) too
    _close(model(x, training=True), case["train_output"])
    for w, want in zip(model.weights, case["weights_after"]):
        _close(w.numpy(), want)


def test_masks_ride_on_tensors(keras):
    emb = keras.layers.Embedding(5, 2, mask_zero=True)
    y = emb(np.array([[1, 0, 2]]))
    np.testing.assert_array_equal(y._keras_mask, [[True, False, True]])
    d = keras.layers.Dense(3)(y)              # Dense passes the mask on
    np.testing.assert_array_equal(d._keras_mask, [[True, False, True]])
    last = keras.layers.LSTM(2)(d)            # a last-step output has none
    assert getattr(last, "_keras_mask", None) is None
    seq = keras.layers.LSTM(2, return_sequences=True)(d)
    np.testing.assert_array_equal(seq._keras_mask, [[True, False, True]])


# --- serialize / deserialize / Wrapper ----------------------------------------------------------

@pytest.mark.parametrize("code", sorted(RECORD["serialize"]))
def test_serialize_and_deserialize(keras, code):
    want = RECORD["serialize"][code]
    layer = eval(code, {"keras": keras})
    shape = want["build_config"]["input_shape"]
    layer.build([tuple(s) for s in shape] if isinstance(shape[0], list) else tuple(shape))
    got = keras.layers.serialize(layer)
    assert set(got) == set(want)
    assert (got["module"], got["class_name"], got["registered_name"]) == \
        (want["module"], want["class_name"], want["registered_name"])
    assert _plain(got["build_config"]) == want["build_config"]
    assert set(got["config"]) == set(want["config"])
    # Keras's dict makes the same layer, built
    again = keras.layers.deserialize(want)
    assert type(again) is type(layer) and again.built
    assert set(again.get_config()) == set(want["config"])


def test_wrapper_base(keras):
    class Twice(keras.layers.Wrapper):
        def call(self, x):
            return self.layer(self.layer(x))

    w = Twice(keras.layers.Dense(2, use_bias=False, kernel_initializer="ones"))
    np.testing.assert_allclose(w(np.ones((1, 2), np.float32)), [[4.0, 4.0]])
    assert [v.name for v in w.weights] == ["kernel"]
    assert w.get_config()["layer"]["class_name"] == "Dense"


@pytest.mark.parametrize("code", sorted(RECORD["attention_masked"]))
def test_attention_masks_and_scores(keras, code):
    rec = RECORD["attention_masked"][code]
    layer = eval(code, {"keras": keras})
    q, v = np.asarray(rec["q"], np.float32), np.asarray(rec["v"], np.float32)
    layer([q, v])
    layer.set_weights([np.asarray(w, np.float32) for w in rec["weights"]])
    o, sc = layer([q, v], mask=[np.asarray(rec["qm"]), np.asarray(rec["vm"])],
                  return_attention_scores=True)
    _close(o, rec["masked"])
    _close(sc, rec["masked_scores"])
    o, sc = layer([q, v], use_causal_mask=True, return_attention_scores=True)
    _close(o, rec["causal"])
    _close(sc, rec["causal_scores"])


def test_unknown_sequence_length(keras):
    """Conv1D, UpSampling1D and 1-D pooling take (batch, None, features) inputs."""
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.Conv1D(4, 3, padding="same"),
                              keras.layers.UpSampling1D(2), keras.layers.MaxPooling1D(2),
                              keras.layers.AveragePooling1D(1),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    for steps in (5, 8):
        x = np.random.RandomState(steps).rand(2, steps, 3).astype(np.float32)
        up = keras.layers.UpSampling1D(2)(x)
        np.testing.assert_array_equal(np.asarray(up)[:, ::2], x)
        assert model.predict(x, verbose=0).shape == (2, 1)


# --- RandomRotation / RandomZoom ---------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(RECORD["augment"]))
def test_random_affine_layers_match_keras(tf2, keras, name):
    case = RECORD["augment"][name]
    layer = eval(case["code"], {"keras": keras})
    x = np.asarray(case["x"], np.float32)
    _close(layer(x), case["output"], 2e-4)        # training by default, as Keras
    _close(layer(x, training=False), case["inference"])
    config = layer.get_config()
    assert set(config) == set(case["config"])
    for k, v in case["config"].items():
        if k not in ("name", "dtype"):
            assert _plain(config[k]) == _plain(v), k
    f = tf2.function(lambda a: layer(a, training=True))
    _close(f(tf2.constant(x)), case["output"], 2e-4)


def test_random_rotation_draws_per_image_and_fits(keras):
    keras.utils.set_random_seed(6)
    x = np.random.RandomState(6).rand(8, 8, 8, 1).astype(np.float32)
    rot = keras.layers.RandomRotation(0.5, seed=1)
    y = np.asarray(rot(x))
    assert not np.allclose(y[0], y[1])
    model = keras.Sequential([keras.Input((8, 8, 1)), rot, keras.layers.RandomZoom(0.2),
                              keras.layers.RandomFlip(), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.zeros((8, 1), np.float32), epochs=1, verbose=0)
    # inference passes images through
    np.testing.assert_allclose(model.layers[0](x, training=False), x)


def test_pipeline_in_a_saved_model(keras, tmp_path):
    pytest.importorskip("h5py")
    x = np.random.RandomState(8).rand(3, 6, 6, 1).astype(np.float32) * 200
    pipe = keras.layers.Pipeline([keras.layers.AutoContrast(),
                                  keras.layers.RandomRotation(0.1, seed=2),
                                  keras.layers.RandomTranslation(0.1, 0.1)])
    model = keras.Sequential([keras.Input((6, 6, 1)), pipe, keras.layers.Flatten(),
                              keras.layers.Dense(2)])
    path = str(tmp_path / "pipe.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers[0].layers] == \
        ["AutoContrast", "RandomRotation", "RandomTranslation"]
    _close(loaded.predict(x, verbose=0), model.predict(x, verbose=0), 1e-5)


@pytest.mark.parametrize("key", ["small", "big", "batches"])
def test_discretization_adapt(keras, key):
    rec = RECORD["discretization_adapt"][key]
    big = np.asarray(RECORD["discretization_adapt"]["big"]["data"], np.float32)
    data = np.asarray(RECORD["adapt"]["data"], np.float32)
    src = {"small": data, "big": big, "batches": [big[:180], big[180:]]}[key]
    layer = keras.layers.Discretization(num_bins=rec["bins"])
    layer.adapt(src)
    _close(layer.bin_boundaries, rec["boundaries"], 1e-5)
    np.testing.assert_array_equal(layer(big[:6]), rec["output"])
    assert set(layer.get_config()) == set(rec["config"])
    again = keras.layers.Discretization.from_config(layer.get_config())
    np.testing.assert_array_equal(again(big[:6]), rec["output"])


@pytest.mark.parametrize("name", ["reversible_embedding", "reversible_embedding_untied"])
def test_reversible_embedding_reverse(keras, name):
    case = CASES[name]
    layer, x, _ = _built(keras, case)
    h = np.asarray(case["reverse_input"], np.float32)
    _close(layer(h, reverse=True), case["reverse_output"])
    capped = eval(case["code"].replace("(7, 3", "(7, 3, logit_soft_cap=2.0"),
                  {"keras": keras})
    capped.build(x.shape)
    capped.set_weights([np.asarray(w, np.float32) for w in case["weights"]])
    _close(capped(h, reverse=True), case["capped_output"])


def test_grouped_query_attention_serializes_under_keras_name(keras, tmp_path):
    pytest.importorskip("h5py")
    layer = keras.layers.GroupQueryAttention(3, 4, 2)
    assert keras.layers.serialize(layer)["class_name"] == "GroupQueryAttention"
    i = keras.Input((4, 6))
    model = keras.Model(i, layer(i, i))
    x = np.random.RandomState(1).rand(2, 4, 6).astype(np.float32)
    path = str(tmp_path / "gqa.keras")
    model.save(path)
    _close(keras.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0))
