"""Keras 3 file formats: `.keras` zips and `.weights.h5`, checked against files that real
Keras 3.15 (TF 2.21) wrote (tests/data/keras3_*), and tfteach's own files read back.
That Keras reads tfteach's files was checked in the reference environment (identical
predictions to 6e-8); the layout these tests pin is what made that work."""
import json
import os
import zipfile

import numpy as np
import pytest

import tfteach as tf

pytestmark = pytest.mark.mode("v2")

h5py = pytest.importorskip("h5py")
keras = tf.keras
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
E = np.load(os.path.join(DATA, "keras3_expected.npz"))


def _h5_tree(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(
            n, (dict(o.attrs), getattr(o, "shape", None))))
    return out


def test_load_keras3_mlp_compiled_with_optimizer_state():
    m = keras.models.load_model(os.path.join(DATA, "keras3_mlp.keras"))
    np.testing.assert_allclose(m.predict(E["mlp_x"], verbose=0), E["mlp_p"], atol=1e-6)
    loss, acc = m.evaluate(E["mlp_x"], E["mlp_y"], verbose=0)
    # Keras's evaluate on the same file (the loss includes the l2 kernel penalty)
    np.testing.assert_allclose([loss, acc], E["mlp_eval"], rtol=1e-5)
    assert type(m.optimizer).__name__ == "Adam"
    assert int(m.optimizer.iterations.numpy()) == 4          # 2 epochs x 2 batches
    with zipfile.ZipFile(os.path.join(DATA, "keras3_mlp.keras")) as z, \
            z.open("model.weights.h5") as fh, h5py.File(fh, "r") as f:
        saved = [np.asarray(f["optimizer/vars"][str(i)])
                 for i in range(len(f["optimizer/vars"]))]
    assert len(saved) == len(m.optimizer.variables) == 2 + 2 * 4
    for v, s in zip(m.optimizer.variables, saved):
        np.testing.assert_allclose(np.asarray(v.numpy()), s)
    assert isinstance(m.layers[0].kernel_regularizer, keras.regularizers.L2)


def test_load_keras3_weights_h5_into_model():
    m = keras.models.load_model(os.path.join(DATA, "keras3_mlp.keras"), compile=False)
    assert not m.compiled
    m.load_weights(os.path.join(DATA, "keras3_mlp_after_step.weights.h5"))
    np.testing.assert_allclose(m.predict(E["mlp_x"], verbose=0), E["mlp_p_after_step"],
                               atol=1e-6)


def test_load_keras3_cnn_and_functional():
    c = keras.models.load_model(os.path.join(DATA, "keras3_cnn.keras"))
    np.testing.assert_allclose(c.predict(E["cnn_x"], verbose=0), E["cnn_p"], atol=1e-6)
    f = keras.models.load_model(os.path.join(DATA, "keras3_functional.keras"))
    p0, p1 = f.predict([E["cnn_x"], E["func_t"]], verbose=0)
    np.testing.assert_allclose(p0, E["func_p0"], atol=1e-6)
    np.testing.assert_allclose(p1, E["func_p1"], atol=1e-6)
    assert [type(x).__name__ for x in f.layers][:3] == ["InputLayer", "Conv2D", "MaxPooling2D"]


def _functional():
    img = keras.Input((6, 6, 1), name="img")
    a = keras.layers.Conv2D(2, 3, activation="relu")(img)
    a = keras.layers.Flatten()(keras.layers.MaxPool2D()(a))
    a = keras.layers.Dropout(0.3)(a)
    tok = keras.Input((4,), dtype="int32", name="tok")
    h = keras.layers.LSTM(2)(keras.layers.Embedding(7, 3)(tok))
    return keras.Model([img, tok], [keras.layers.Dense(2, activation="softmax")(a),
                                    keras.layers.Dense(1)(h)])


def test_functional_roundtrip_and_keras_layout(tmp_path):
    f = _functional()
    path = str(tmp_path / "f.keras")
    f.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        cfg = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
        z.extract("model.weights.h5", str(tmp_path))
    assert meta["keras_version"] == "3.15.1"
    assert cfg["class_name"] == "Functional" and cfg["registered_name"] == "Functional"
    assert cfg["config"]["input_layers"] == [["img", 0, 0], ["tok", 0, 0]]
    tree = _h5_tree(str(tmp_path / "model.weights.h5"))
    # Keras keys layers by snake-cased class name + counter, nested layers by attribute
    assert tree["layers/lstm/cell/vars/0"][1] == (3, 8)
    assert tree["layers/embedding/vars/0"][1] == (7, 3)
    assert tree["layers/dense_1/vars/1"][1] == (1,)
    assert tree["layers/input_layer_1/vars"][0] == {"name": "tok"}
    g = keras.models.load_model(path)
    x = np.random.RandomState(0).rand(3, 6, 6, 1).astype("float32")
    t = np.random.RandomState(1).randint(0, 7, (3, 4)).astype("int32")
    for a, b in zip(f.predict([x, t], verbose=0), g.predict([x, t], verbose=0)):
        np.testing.assert_array_equal(a, b)


def test_sequential_compiled_roundtrip_keeps_optimizer(tmp_path):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(2)])
    m.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    x = np.random.RandomState(0).rand(8, 5).astype("float32")
    y = np.random.RandomState(1).rand(8, 2).astype("float32")
    m.fit(x, y, epochs=2, batch_size=4, verbose=0)
    path = str(tmp_path / "m.keras")
    keras.models.save_model(m, path)
    n = keras.models.load_model(path)
    assert n.loss == "mse" and n.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    for a, b in zip(m.optimizer.variables, n.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    m.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    n.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(m.predict(x, verbose=0), n.predict(x, verbose=0), atol=1e-6)


def test_save_weights_names_and_errors(tmp_path):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        m.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        m.save(str(tmp_path / "m.tf"))
    m.save_weights(str(tmp_path / "w.weights.h5"))
    assert _h5_tree(str(tmp_path / "w.weights.h5"))["layers/dense/vars"][0]["name"] == \
        m.layers[0].name
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    other.load_weights(str(tmp_path / "w.weights.h5"))
    np.testing.assert_array_equal(other.get_weights()[0], m.get_weights()[0])
    wrong = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="shape"):
        wrong.load_weights(str(tmp_path / "w.weights.h5"))


def test_subclassed_model_as_keras(tmp_path):
    class Net(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.d = keras.layers.Dense(units)

        def call(self, x):
            return self.d(x)

    m = Net()
    m(np.ones((1, 4), np.float32))
    path = str(tmp_path / "s.keras")
    m.save(path)                 # Keras 3 writes it (constructor args captured) ...
    with zipfile.ZipFile(path) as z:
        cfg = json.loads(z.read("config.json"))
    assert cfg["module"] is None and cfg["registered_name"] == "Net"
    assert cfg["config"]["units"] == 3
    with pytest.raises(TypeError, match="Could not locate class 'Net'"):
        keras.models.load_model(path)      # ... and cannot read it back unregistered
    n = keras.models.load_model(path, custom_objects={"Net": Net})
    np.testing.assert_array_equal(n.d.kernel.numpy(), m.d.kernel.numpy())

    class Opaque(keras.Model):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer

        def call(self, x):
            return self.layer(x)

    o = Opaque(keras.layers.Dense(1))
    o(np.ones((1, 2), np.float32))
    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        o.save(str(tmp_path / "o.keras"))
    o.save_weights(str(tmp_path / "o.weights.h5"))
    assert "layer/vars/0" in _h5_tree(str(tmp_path / "o.weights.h5"))


def test_missing_h5py_names_the_extra(monkeypatch, tmp_path):
    import builtins
    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "h5py":
            raise ImportError("no h5py")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ImportError, match=r"tfteach\[keras\]"):
        m.save(str(tmp_path / "m.keras"))
