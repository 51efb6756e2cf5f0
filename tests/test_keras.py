"""tf.keras with Keras 3 semantics: names, paths, variable order, layers, optimizers' update
rules (eager and in tf.function), compile/fit/evaluate/predict, checkpoints."""
import os

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")


@pytest.fixture
def keras(tf2):
    tf2.keras.backend.clear_session()
    return tf2.keras


def _mlp(tf):
    class MLP(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense1 = tf.keras.layers.Dense(units=8, activation=tf.nn.relu)
            self.dense2 = tf.keras.layers.Dense(units=3)

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))
    return MLP


def test_names_paths_and_order(tf2, keras):
    model = _mlp(tf2)()
    assert model.name == "mlp" and not model.built
    out = model(tf2.constant(np.ones((2, 5), np.float32)))
    assert out.shape == (2, 3)
    assert [v.name for v in model.variables] == ["kernel", "bias", "kernel", "bias"]
    assert [v.path for v in model.trainable_variables] == [
        "mlp/dense/kernel", "mlp/dense/bias", "mlp/dense_1/kernel", "mlp/dense_1/bias"]
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert keras.layers.Dense(2).name == "dense_2"
    assert keras.layers.MaxPool2D().name == "max_pooling2d"
    assert keras.layers.LSTMCell(2).name == "lstm_cell"
    d = keras.layers.Dense(4)
    with pytest.raises(AttributeError, match="build the layer"):
        d.kernel
    np.testing.assert_array_equal(model.dense1.bias.numpy(), np.zeros(8, np.float32))
    k = model.dense1.kernel.numpy()
    limit = np.sqrt(6 / (5 + 8))
    assert np.abs(k).max() <= limit and k.std() > limit / 4     # glorot_uniform


def test_lstm_cell_variables_and_step(tf2, keras):
    cell = keras.layers.LSTMCell(4)
    x = tf2.constant(np.ones((2, 3), np.float32))
    state = cell.get_initial_state(batch_size=2)
    h, (h2, c) = cell(x, state)
    assert h.shape == (2, 4) and h2 is h
    assert [v.name for v in cell.variables] == ["kernel", "recurrent_kernel", "bias",
                                                "seed_generator_state"]
    assert len(cell.trainable_variables) == 3
    np.testing.assert_array_equal(cell.bias.numpy()[4:8], np.ones(4))
    # one step by hand: gates i, f, c, o
    z = x.numpy() @ cell.kernel.numpy() + cell.bias.numpy()
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = np.split(z, 4, axis=1)
    cc = sig(i) * np.tanh(g)
    np.testing.assert_allclose(h.numpy(), sig(o) * np.tanh(cc), rtol=1e-5)
    lstm = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    seq, hs, cs = lstm(tf2.constant(np.ones((2, 5, 3), np.float32)))
    assert seq.shape == (2, 5, 4) and hs.shape == (2, 4)
    assert lstm.cell.kernel.path == "lstm/lstm_cell/kernel"
    rnn = keras.layers.SimpleRNN(3)
    assert rnn(tf2.constant(np.ones((2, 5, 3), np.float32))).shape == (2, 3)


def test_conv_pool_reshape_embedding_shapes(tf2, keras):
    x = tf2.constant(np.random.rand(2, 8, 8, 1).astype(np.float32))
    c = keras.layers.Conv2D(4, 3, padding="same", activation="relu")
    y = c(x)
    assert y.shape == (2, 8, 8, 4) and c.kernel.shape == (3, 3, 1, 4)
    p = keras.layers.MaxPooling2D(2)(y)
    assert p.shape == (2, 4, 4, 4)
    assert keras.layers.Reshape((64,))(p).shape == (2, 64)
    assert keras.layers.Flatten()(p).shape == (2, 64)
    e = keras.layers.Embedding(10, 3)
    assert e(np.array([[1, 2], [3, 4]])).shape == (2, 2, 3)
    d = keras.layers.Dropout(0.5)
    ones = tf2.constant(np.ones((100, 10), np.float32))
    np.testing.assert_array_equal(d(ones).numpy(), ones.numpy())     # inference: identity
    v = d(ones, training=True).numpy()
    assert set(np.unique(v)) <= {0.0, 2.0} and 0.3 < (v == 0).mean() < 0.7


def _one_step(tf, opt, function):
    v = tf.Variable(np.array([1.0, -2.0, 3.0], np.float32))
    g = tf.constant(np.array([0.5, -1.0, 2.0], np.float32))

    def step():
        opt.apply_gradients([(g, v)])
    fn = tf.function(step) if function else step
    fn()
    fn()
    return v.numpy()


@pytest.mark.parametrize("function", [False, True])
def test_optimizer_rules(tf2, keras, function):
    x0 = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, -1.0, 2.0])
    # SGD with momentum and nesterov (Keras: m = mu*m - lr*g; x += mu*m - lr*g)
    x, m = x0.copy(), np.zeros(3)
    for _ in range(2):
        m = 0.9 * m - 0.1 * g
        x = x + 0.9 * m - 0.1 * g
    got = _one_step(tf2, keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True), function)
    np.testing.assert_allclose(got, x, rtol=1e-5)
    # Adam, epsilon 1e-7
    x, m, v = x0.copy(), np.zeros(3), np.zeros(3)
    for t in (1, 2):
        m = m + (g - m) * 0.1
        v = v + (g * g - v) * 0.001
        alpha = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        x = x - alpha * m / (np.sqrt(v) + 1e-7)
    opt = keras.optimizers.Adam(0.01)
    assert opt.epsilon == 1e-7
    np.testing.assert_allclose(_one_step(tf2, opt, function), x, rtol=1e-5)
    assert int(opt.iterations.numpy()) == 2
    assert [s.name for s in opt.variables] == ["iteration", "learning_rate",
                                               "Variable_momentum", "Variable_velocity"]
    assert opt.variables[0].path == "adam/iteration"
    # RMSprop: velocity starts at 0
    x, vel = x0.copy(), np.zeros(3)
    for _ in range(2):
        vel = 0.9 * vel + 0.1 * g * g
        x = x - 0.01 * g / np.sqrt(vel + 1e-7)
    np.testing.assert_allclose(_one_step(tf2, keras.optimizers.RMSprop(0.01), function), x,
                               rtol=1e-5)
    # Adagrad: accumulator starts at 0.1
    x, acc = x0.copy(), np.full(3, 0.1)
    for _ in range(2):
        acc = acc + g * g
        x = x - 0.01 * g / np.sqrt(acc + 1e-7)
    np.testing.assert_allclose(_one_step(tf2, keras.optimizers.Adagrad(0.01), function), x,
                               rtol=1e-5)


def test_compile_fit_evaluate_predict(tf2, keras, capsys):
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.data[:600] / 16).astype(np.float32)
    y = d.target[:600].astype(np.int32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10)])
    assert model.built and model.name == "sequential"
    assert [v.path for v in model.variables][0] == "sequential/dense/kernel"
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    hist = model.fit(x, y, epochs=3, batch_size=50, validation_split=0.2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/3" in out and "Epoch 3/3" in out
    assert "10/10" in out and "accuracy:" in out and "val_loss:" in out
    assert sorted(hist.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert hist.epoch == [0, 1, 2] and hist.params["steps"] == 10
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert hist.history["accuracy"][-1] > 0.8
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.8 and loss < 1.0
    pred = model.predict(x[:70], verbose=0)
    assert pred.shape == (70, 10) and pred.dtype == np.float32
    np.testing.assert_allclose(pred, model(x[:70]).numpy(), rtol=1e-5, atol=1e-6)
    model.fit(x[:100], y[:100], epochs=1, batch_size=50, verbose=2)
    assert "2/2 - " in capsys.readouterr().out
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "sequential"' in text and "dense (Dense)" in text
    # Keras 3 counts the built optimizer's variables (Adam: 2 slots per weight + 2)
    assert "Total params: 7,232" in text and "Trainable params: 2,410" in text
    assert "Optimizer params: 4,822" in text


def test_checkpoint_keras_model_and_build_quirk(tf2, keras, tmp_path):
    MLP = _mlp(tf2)
    x = tf2.constant(np.ones((2, 5), np.float32))
    model = MLP()
    before = model(x).numpy()
    path = tf2.train.Checkpoint(myModel=model).save(str(tmp_path / "save" / "model.ckpt"))
    names = dict(tf2.train.list_variables(path))
    assert "myModel/dense1/_kernel/.ATTRIBUTES/VARIABLE_VALUE" in names
    built = MLP()
    built(x)
    tf2.train.Checkpoint(myModel=built).restore(
        tf2.train.latest_checkpoint(str(tmp_path / "save"))).assert_consumed()
    np.testing.assert_array_equal(built(x).numpy(), before)
    unbuilt = MLP()      # Keras 3: restoring before the build leaves the kernels unrestored
    status = tf2.train.Checkpoint(myModel=unbuilt).restore(path)
    unbuilt(x)
    with pytest.raises(AssertionError):
        status.assert_consumed()
    assert not np.array_equal(unbuilt(x).numpy(), before)


def test_utils_and_removed_names(tf2, keras, tmp_path, monkeypatch):
    oh = keras.utils.to_categorical([0, 2, 1], 3)
    assert oh.dtype == np.float64 and oh.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="does not download"):
        keras.utils.get_file("mnist.npz", "https://example.invalid/mnist.npz")
    os.makedirs(tmp_path / ".keras" / "datasets")
    (tmp_path / ".keras" / "datasets" / "mnist.npz").write_bytes(b"x")
    assert keras.utils.get_file("mnist.npz", "https://example.invalid/mnist.npz").endswith(
        "mnist.npz")
    assert not hasattr(tf2.nn, "rnn_cell")
    assert keras.activations.get("relu") is keras.activations.relu
