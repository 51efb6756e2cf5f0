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
