"""Keras 3 semantics beyond the basics (issue 13): optimizer options, metrics and losses in
tf.function, weights tracking and trainability, loss reductions, model.summary(). Every
expected value and text is Keras 3.15's (with TF 2.21), recorded by tools/record_tf2sem.py
into tests/data/tf2sem_tf221.json."""
import json
import os

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

with open(os.path.join(os.path.dirname(__file__), "data", "tf2sem_tf221.json")) as _f:
    TF = json.load(_f)


def _f32(x):
    return np.asarray(x, np.float32).ravel().tolist()


@pytest.mark.parametrize("i", range(len(TF["keras_options"])))
@pytest.mark.parametrize("mode", ["eager", "function"])
def test_optimizer_options_trajectory(tf2, i, mode):
    """amsgrad, clipnorm, clipvalue, global_clipnorm, weight_decay (and AdamW): four steps
    bit for bit as Keras 3 takes them."""
    name, kw, want = TF["keras_options"][i]
    # an elementwise loss: the gradients involve no reduction, so only the optimizer's
    # arithmetic is compared
    a = np.array([1.5, 0.7, 2.0], np.float32)
    c = np.array([-0.4, 0.9, 0.25], np.float32)
    w = tf2.Variable(np.array([0.5, -0.3, 0.8], np.float32))
    b = tf2.Variable(np.array([0.1], np.float32))
    opt = getattr(tf2.keras.optimizers, name)(**kw)

    def step():
        with tf2.GradientTape() as t:
            loss = tf2.reduce_sum(w * w * a + w * c) + tf2.reduce_sum((b - 1.0) ** 2)
        gs = t.gradient(loss, [w, b])
        opt.apply_gradients(zip(gs, [w, b]))
    if mode == "function":
        step = tf2.function(step)
    for _ in range(4):
        step()
    # TF's graph optimizer (grappler) reassociates some float arithmetic of a traced
    # function, so TF's own tf.function run can differ from its eager run by an ulp;
    # tfteach runs the ops as written: both modes equal TF's eager trajectory bit for bit.
    assert [_f32(w), _f32(b)] == want["eager"]
    np.testing.assert_allclose(_f32(w) + _f32(b), want[mode][0] + want[mode][1], rtol=1e-5)


def test_only_one_clipping_option(tf2):
    with pytest.raises(ValueError) as e:
        tf2.keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    assert str(e.value) == TF["keras_clip_conflict"]


K = TF["keras"]


def _outcome(fn):
    try:
        return ["ok", fn()]
    except Exception as e:  # noqa: BLE001 - the class and words are what is compared
        return ["raises", type(e).__name__, str(e)]


def test_metric_updated_inside_function(tf2):
    keras = tf2.keras
    m = keras.metrics.Mean()

    @tf2.function
    def f(x):
        m.update_state(x)
        return m.result()
    f(tf2.constant([1., 2.]))
    got = [float(f(tf2.constant([3.]))), float(m.result()), [v.name for v in m.variables]]
    assert ["ok", got] == K["mean_in_function"]
    m.reset_state()
    assert float(m.result()) == 0.0


def test_accuracy_inside_function(tf2):
    acc = tf2.keras.metrics.SparseCategoricalAccuracy()

    @tf2.function
    def f(y, p):
        acc.update_state(y, p)
        return acc.result()
    f(tf2.constant([0, 1]), tf2.constant([[0.9, 0.1], [0.8, 0.2]]))
    assert ["ok", float(f(tf2.constant([1]), tf2.constant([[0.3, 0.7]])))] == \
        K["accuracy_in_function"]


def test_loss_inside_function(tf2):
    mse = tf2.keras.losses.MeanSquaredError()
    got = float(tf2.function(lambda a, b: mse(a, b))(tf2.constant([1., 2.]),
                                                      tf2.constant([1.5, 2.5])))
    assert ["ok", got] == K["loss_in_function"]


@pytest.mark.parametrize("red", sorted(K["reductions"]))
def test_reduction_spellings(tf2, red):
    value = None if red == "None" else red
    got = _outcome(lambda: tf2.keras.losses.MeanSquaredError(reduction=value)(
        tf2.constant([[1., 2.], [3., 4.]]), tf2.zeros((2, 2))).numpy().tolist())
    want = K["reductions"][red]
    if want[0] == "ok":
        assert got == want
    else:
        # Keras prints the allowed values as a Python set: compare the set, not its order
        import re

        def split(msg):
            m = re.match(r"(.*\{)(.*)(\}.*)", msg)
            return m.group(1), sorted(m.group(2).split(", ")), m.group(3)
        assert got[:2] == want[:2] and split(got[2]) == split(want[2])


def test_unnamed_weights_and_freezing(tf2):
    keras = tf2.keras

    class L(keras.layers.Layer):
        def build(self, s):
            self.w = self.add_weight(shape=(2,), initializer="ones")
            self.w2 = self.add_weight(shape=(2,), initializer="zeros", trainable=False)
            self.v = tf2.Variable([1., 2.], name="plain")   # not tracked by Keras 3
            self.inner = keras.layers.Dense(1)

        def call(self, x):
            return self.inner(x * self.w * self.v + self.w2)
    keras.backend.clear_session()
    lay = L(name="l")
    lay(tf2.ones((1, 2)))
    assert [[v.name, v.path, v.trainable] for v in lay.weights] == K["unnamed_weights"]
    assert [v.name for v in lay.trainable_weights] == K["unnamed_trainable"]
    lay.trainable = False
    assert [[v.name for v in lay.trainable_weights],
            [v.name for v in lay.non_trainable_weights], lay.inner.trainable] == K["frozen"]


def test_trainable_false_propagates(tf2):
    keras = tf2.keras
    keras.backend.clear_session()
    inner = keras.layers.Dense(2, name="d1")
    m = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1, name="d2")])
    inner.trainable = False
    a = [[v.path for v in m.trainable_weights], [v.path for v in m.non_trainable_weights]]
    m.trainable = False
    inner.trainable = True
    b = [[v.path for v in m.trainable_weights], [v.path for v in m.non_trainable_weights],
         inner.trainable]
    assert [a, b] == K["nested_trainable"]


def test_plain_variable_attribute_is_not_trained(tf2):
    keras = tf2.keras

    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.scale = tf2.Variable(2.0)
            self.d = keras.layers.Dense(1, kernel_initializer="ones",
                                        bias_initializer="zeros")

        def call(self, x):
            return self.d(x) * self.scale
    mm = M()
    mm.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    mm.fit(np.ones((4, 2), np.float32), np.full((4, 1), 3., np.float32), epochs=2,
           batch_size=4, verbose=0)
    got = [[v.name for v in mm.trainable_weights], float(mm.scale.numpy()), _f32(mm.d.kernel)]
    assert got == K["plain_variable"]


def test_embedding_trains_through_indexed_slices(tf2):
    keras = tf2.keras
    keras.backend.clear_session()
    emb = keras.layers.Embedding(6, 2, embeddings_initializer="ones")
    with tf2.GradientTape() as t:
        out = tf2.reduce_sum(emb(tf2.constant([[1, 3, 1]])))
    assert [type(t.gradient(out, emb.trainable_weights[0])).__name__] == K["embedding_grad"]
    model = keras.Sequential([keras.Input((3,), dtype="int32"),
                              keras.layers.Embedding(6, 2, embeddings_initializer="ones"),
                              keras.layers.Flatten(),
                              keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    xs = np.array([[1, 3, 1], [0, 2, 5]], np.int32)
    model.fit(xs, np.array([[1.0], [2.0]], np.float32), epochs=3, batch_size=2, verbose=0,
              shuffle=False)
    for got, want in zip(model.get_weights(), K["embedding_fit"]):
        np.testing.assert_allclose(_f32(got), want, rtol=2e-6, atol=1e-7)


def test_summary_text_matches_keras(tf2):
    keras = tf2.keras
    keras.backend.clear_session()
    lines = []
    mlp = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dense(1)], name="mlp")
    mlp.summary(print_fn=lines.append)
    inp = keras.Input((28, 28, 1), name="img")
    h = keras.layers.Conv2D(4, 3)(inp)
    h = keras.layers.Flatten()(h)
    cnn = keras.Model(inp, keras.layers.Dense(10)(h), name="cnn")
    cnn.summary(print_fn=lines.append)
    mlp.compile("adam", "mse")
    mlp.fit(np.ones((4, 4)), np.ones((4, 1)), verbose=0)
    mlp.summary(print_fn=lines.append)
    # one call per summary, the whole table newline-terminated (the recorder added "\n")
    assert len(lines) == 3
    assert "".join(line + "\n" for line in lines) == K["summary"]


def test_calling_build_directly_leaves_the_layer_built(tf2):
    """Keras 3 wraps a layer's own build: called directly it marks the layer built, so the
    first call does not build (and make the weights) again. TF 2.21 / Keras 3: built is
    False, then True after build((None, 2)), and the layer keeps one weight after a call."""
    keras = tf2.keras

    class L(keras.layers.Layer):
        def build(self, shape):
            self.k = self.add_weight(shape=(shape[-1], 1), initializer="ones")

        def call(self, x):
            return tf2.matmul(x, self.k)

    lay = L()
    assert lay.built is False
    lay.build((None, 2))
    assert lay.built is True
    k = lay.k
    assert lay(tf2.ones((1, 2))).numpy().tolist() == [[2.0]]
    assert len(lay.weights) == 1 and lay.k is k
