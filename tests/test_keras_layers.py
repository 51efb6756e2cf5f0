"""More `tf.keras.layers`: normalization, pooling, activations, merging, reshaping,
Conv1D/Conv2DTranspose, GRU, Bidirectional, TimeDistributed. Expected values were measured
with TensorFlow 2.21 + Keras 3 given the same weights and inputs."""
import numpy as np
import pytest


@pytest.fixture
def keras(tf2):
    tf2.keras.backend.clear_session()
    return tf2.keras


def _x():
    return np.random.RandomState(0).randn(4, 3, 3, 2).astype(np.float32)


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b, np.float32), rtol=tol, atol=tol)


# --- group 1: normalization, global pooling, activation layers ----------------------------------

def test_batch_normalization_values_updates_and_grads(tf2, keras):
    x = _x()
    bn = keras.layers.BatchNormalization(momentum=0.5)
    bn(x)
    bn.set_weights([np.array([1.5, 0.5]), np.array([0.1, -0.2]), np.array([0.2, 0.3]),
                    np.array([2.0, 0.5])])
    assert [(v.name, tuple(v.shape), v.trainable) for v in bn.weights] == [
        ("gamma", (2,), True), ("beta", (2,), True), ("moving_mean", (2,), False),
        ("moving_variance", (2,), False)]
    assert [v.name for v in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert bn.count_params() == 8
    _close(bn(x)[0, 0], [[1.758514, -0.129249], [0.92577, 1.171048], [1.86827, -1.10227]])
    _close(bn(x, training=True)[0, 0],
           [[2.51883, 0.005693], [1.454008, 0.975743], [2.659174, -0.720203]])
    _close(bn.moving_mean.numpy(), [0.090073, 0.154921])
    _close(bn.moving_variance.numpy(), [1.611408, 0.699595])
    f = tf2.function(lambda v: bn(v, training=True))
    f(x)
    _close(bn.moving_mean.numpy(), [0.035109, 0.082381])
    _close(bn.moving_variance.numpy(), [1.417112, 0.799392])
    w = tf2.constant(np.arange(2, dtype=np.float32) + 1)
    with tf2.GradientTape() as t:
        xx = tf2.constant(x)
        t.watch(xx)
        y = bn(xx, training=True)
        loss = tf2.reduce_sum(y * y * w)
    g = t.gradient(loss, [xx] + bn.trainable_weights)
    _close(g[0][0, 0], [[0.00536, 0.000482], [0.003, 0.002754], [0.00567, -0.001218]], 1e-4)
    _close(g[1], [107.91174, 71.92], 1e-4)
    _close(g[2], [7.2, -28.8], 1e-4)
    assert set(bn.get_config()) >= {"axis", "momentum", "epsilon", "center", "scale",
                                    "beta_initializer", "gamma_initializer",
                                    "moving_mean_initializer", "moving_variance_initializer"}
    nb = keras.layers.BatchNormalization(center=False, scale=False)
    nb(x)
    assert [v.name for v in nb.weights] == ["moving_mean", "moving_variance"]
    with pytest.raises(NotImplementedError, match="gamma_regularizer"):
        keras.layers.BatchNormalization(gamma_regularizer="l2")


def test_batch_normalization_in_fit_and_frozen(tf2, keras):
    rs = np.random.RandomState(1)
    x = (rs.randn(64, 4) * 3 + 5).astype(np.float32)
    y = (x.sum(1) > 20).astype(np.int32)
    model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(momentum=0.5),
                              keras.layers.Dense(2)])
    model.compile(keras.optimizers.Adam(0.05),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    bn = model.layers[0]
    h = model.fit(x, y, epochs=20, batch_size=16, verbose=0, shuffle=False)
    assert h.history["loss"][-1] < h.history["loss"][0] * 0.6
    assert model.evaluate(x, y, verbose=0) < h.history["loss"][0] * 0.6
    assert np.all(np.abs(bn.moving_mean.numpy() - 5) < 1)   # moved to the batch means
    before = bn.moving_mean.numpy().copy()
    model.predict(x, verbose=0)
    _close(bn.moving_mean.numpy(), before)               # inference leaves them alone
    bn.trainable = False                                 # Keras 3: frozen BN runs in inference
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    _close(bn.moving_mean.numpy(), before)
    assert len(model.trainable_weights) == 2


def test_layer_normalization_and_global_pooling(tf2, keras):
    x = _x()
    rs = np.random.RandomState(0)
    rs.randn(4, 3, 3, 2)
    ln = keras.layers.LayerNormalization(axis=[1, 2])
    ln(x)
    ln.set_weights([rs.randn(3, 3).astype(np.float32) for _ in range(2)])
    assert [(v.name, tuple(v.shape)) for v in ln.weights] == [("gamma", (3, 3)),
                                                              ("beta", (3, 3))]
    _close(ln(x)[1, 1], [[0.387852, 2.272615], [1.967943, 1.812857], [0.572739, 0.184717]])
    with tf2.GradientTape() as t:
        xx = tf2.constant(x)
        t.watch(xx)
        y = ln(xx)
        loss = tf2.reduce_sum(y * y * tf2.constant(np.arange(2, dtype=np.float32) + 1))
    _close(t.gradient(loss, xx)[0, 0],
           [[5.558708, 5.949628], [-0.54571, 4.075051], [-4.31659, 4.057183]], 1e-4)
    _close(keras.layers.GlobalAveragePooling2D()(x)[0], [0.922249, 0.403053])
    assert keras.layers.GlobalMaxPooling2D(keepdims=True)(x).shape == (4, 1, 1, 2)
    _close(keras.layers.GlobalAveragePooling2D(data_format="channels_first")(x)[0],
           [1.045687, 0.450738, 0.491529])
    _close(keras.layers.GlobalMaxPooling2D()(x)[0], x[0].max(axis=(0, 1)))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=2"):
        keras.layers.GlobalAveragePooling2D()(np.zeros((2, 3), np.float32))


def test_activation_layers(tf2, keras):
    x = _x()
    _close(keras.layers.LeakyReLU()(x)[0, 0, 0], [1.764052, 0.400157])
    _close(keras.layers.LeakyReLU(0.1)(x)[0, 1, 0], [0.950088, -0.015136])
    _close(keras.layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)(x)[0, :, 0, 0],
           [1.0, 0.950088, 0.761038])
    _close(keras.layers.Softmax(axis=1)(x)[0, :, 0, 0], [0.552526, 0.244823, 0.202651])
    _close(keras.layers.Activation("relu")(x), np.maximum(x, 0))
    assert keras.layers.LeakyReLU().get_config()["negative_slope"] == 0.3
    assert keras.layers.ReLU().name == "re_lu_1"      # the second ReLU made here
    with pytest.raises(ValueError, match="negative_slope value of a Leaky ReLU"):
        keras.layers.LeakyReLU(-1)
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        keras.layers.ReLU(max_value=-1)


# --- group 2: merging and reshaping layers ------------------------------------------------------

def _xyz():
    rs = np.random.RandomState(0)
    return (rs.randn(2, 3, 3, 2).astype(np.float32), rs.randn(2, 3, 3, 2).astype(np.float32),
            rs.randn(2, 3, 3, 1).astype(np.float32))


def test_merge_layers_values_and_errors(tf2, keras):
    x, y, z = _xyz()
    L = keras.layers
    expect = {L.Add: [-1.79508, -1.92885], L.Subtract: [0.01951, -2.03274],
              L.Multiply: [0.80549, -0.10289], L.Average: [-0.89754, -0.96443],
              L.Maximum: [-0.88779, 0.05195], L.Minimum: [-0.9073, -1.9808]}
    for cls, want in expect.items():
        _close(cls()([x, y])[1, 2, 1], want)
    _close(L.average([x, y, x])[0, 0, 0], [1.58613, 0.66756])
    _close(L.add([x, z])[0, 0, 0], [2.90345, 1.53956])          # broadcasts like Keras
    assert L.Concatenate()([x, z]).shape == (2, 3, 3, 3)
    assert L.concatenate([x, y], axis=1).shape == (2, 6, 3, 2)
    _close(L.Concatenate(axis=1)([x, y])[0, :, 0, 0],
           [1.76405, 0.95009, 0.76104, 1.23029, -1.70627, -1.6139])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        L.Add()(x)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([x, x, x])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([np.zeros((2, 2, 2), np.float32), np.zeros((2, 3, 2), np.float32)])
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        L.Add()([np.zeros((2, 2), np.float32), np.zeros((2, 3), np.float32)])
    assert L.Concatenate(axis=2).get_config()["axis"] == 2


def test_reshaping_layers(tf2, keras):
    x, _, _ = _xyz()
    L = keras.layers
    _close(L.Rescaling(1 / 255., offset=-1)(np.array([[0, 255, 128]], np.uint8)),
           [[-1.0, 0.0, -0.49804]])
    assert L.ZeroPadding2D(((1, 0), (2, 1)))(x).shape == (2, 4, 6, 2)
    assert L.ZeroPadding2D(1, data_format="channels_first")(x).shape == (2, 3, 5, 4)
    _close(L.Cropping2D(((1, 0), (0, 1)))(x)[0, :, :, 0], [[0.95009, -0.10322],
                                                          [0.76104, 0.44386]])
    up = L.UpSampling2D((2, 3))(x)
    assert up.shape == (2, 6, 9, 2)
    _close(up[0, :3, :4, 0], [[1.76405] * 3 + [0.97874], [1.76405] * 3 + [0.97874],
                              [0.95009] * 3 + [-0.10322]])
    _close(L.RepeatVector(3)(x[:, 0, 0, :])[1], [[0.31307, -0.8541]] * 3)
    assert L.Permute((3, 1, 2))(x).shape == (2, 2, 3, 3)
    _close(L.Lambda(lambda v, k: v * k, arguments={"k": 3.0})(x)[0, 0, 0], [5.29216, 1.20047])
    sd = L.SpatialDropout2D(0.5)
    ones = np.ones((50, 2, 2, 8), np.float32)
    o = sd(ones, training=True).numpy()
    assert set(np.unique(o)) <= {0.0, 2.0} and (o == o[:, :1, :1, :]).all()
    _close(sd(ones), ones)
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        L.Permute((1, 3))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        L.RepeatVector(2)(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(NotImplementedError, match="interpolation"):
        L.UpSampling2D(interpolation="bilinear")
    with pytest.raises(NotImplementedError, match="mask"):
        L.Lambda(lambda v: v, mask=lambda i, m: m)


def _functional_merge_model(tf2, keras):
    L = keras.layers
    inp = keras.Input((3, 3, 2))
    a, b = L.Conv2D(2, 1)(inp), L.Conv2D(2, 1)(inp)
    m = L.Concatenate()([L.Add()([a, b]),
                         L.UpSampling2D(1)(L.ZeroPadding2D(0)(L.Multiply()([a, b])))])
    model = keras.Model(inp, L.Dense(1)(L.Flatten()(m)))
    model.set_weights([np.random.RandomState(i).randn(*w.shape).astype(np.float32) * 0.3
                       for i, w in enumerate(model.weights)])
    return model


def test_functional_merge_model_values_grads_and_fit(tf2, keras):
    x, _, _ = _xyz()
    model = _functional_merge_model(tf2, keras)
    assert model.count_params() == 49
    _close(model(x).numpy().ravel(), [1.27599, 1.8947])
    with tf2.GradientTape() as t:
        loss = tf2.reduce_sum(model(x) ** 2)
    want = [[1.36317, -0.08777, -1.14705], [2.13964, -8.89885], [-5.67106, 0.82062, -6.72417],
            [3.93404, -10.37146], [9.56121, -2.32596, 1.82633], [6.34137]]
    for g, w in zip(t.gradient(loss, model.trainable_weights), want):
        _close(g.numpy().ravel()[:len(w)], w, 1e-4)
    f = tf2.function(lambda v: model(v))
    _close(f(x).numpy().ravel(), [1.27599, 1.8947])
    model.compile(keras.optimizers.SGD(0.01), "mse")
    h = model.fit(x, np.zeros((2, 1), np.float32), epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_sequential_with_group1_and_2_layers_fits(tf2, keras):
    L = keras.layers
    keras.utils.set_random_seed(0)
    rs = np.random.RandomState(0)
    x = rs.rand(32, 4, 4, 1).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int32)
    model = keras.Sequential([
        keras.Input((4, 4, 1)), L.Rescaling(2.0, offset=-1.0), L.ZeroPadding2D(1),
        L.Conv2D(4, 3), L.BatchNormalization(), L.LeakyReLU(0.1), L.SpatialDropout2D(0.1),
        L.UpSampling2D(), L.Cropping2D(1), L.AveragePooling2D(), L.LayerNormalization(),
        L.GlobalMaxPooling2D(), L.RepeatVector(2), L.Permute((2, 1)), L.Flatten(),
        L.Activation("tanh"), L.Dense(2), L.Softmax()])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    h = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert np.isfinite(h.history["loss"]).all()
    assert h.history["loss"][-1] < h.history["loss"][0]
