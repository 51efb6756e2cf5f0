"""Writes the checkpoints in tests/data/tf_checkpoints/ and the SavedModels in
tests/data/tf_saved_models/ with real TensorFlow 2.21 (run with a
Python that has tensorflow-cpu 2.21: `$TFTEACH_TF_PYTHON tools/make_tf_checkpoints.py`).
tests/test_tf_formats.py reads them with tfteach; the values are written here in the open so
the test can state them.

    tf_checkpoints/v1, v2           a TF1 Saver's and a tf.train.Checkpoint's tensors
    tf_checkpoints/keras            Keras optimizer state (Sequential + Adam; the TF2 notes'
                                    tf.Module + SGD via CheckpointManager), the seeds' MLP and
                                    CNN, and expected.json: TF's next-step values and texts
    tf_checkpoints/linreg           the seed's linear regression (TF1 graph, Saver)
    tf_checkpoints/status_messages.json   TF's load-status texts
    tf_saved_models/module, keras   a tf.Module with a signature; a Keras export
    tf_saved_models/loop            functions with While/StatelessWhile and If/StatelessIf
"""
import os
import shutil

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "tf_checkpoints")


def v1_saver():
    d = os.path.join(OUT, "v1")
    shutil.rmtree(d, ignore_errors=True)
    g = tf.Graph()
    tf.compat.v1.disable_resource_variables()      # TF1's reference variables (VariableV2)
    with g.as_default():
        w = tf.compat.v1.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
        b = tf.compat.v1.Variable(np.float64(0.5), name="scope/b")
        n = tf.compat.v1.Variable(np.array([7, -8], np.int32), name="n")
        s = tf.compat.v1.Variable(np.array([b"ab", b"", b"xyz"]), name="s")
        e = tf.compat.v1.Variable(np.zeros((0, 2), np.float32), name="empty")
        # relative paths in the `checkpoint` file: the fixture must read from any clone
        saver = tf.compat.v1.train.Saver(save_relative_paths=True)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(sess, os.path.join(d, "model"), global_step=3)
    tf.compat.v1.enable_resource_variables()


def v2_checkpoint():
    d = os.path.join(OUT, "v2")
    shutil.rmtree(d, ignore_errors=True)
    v = tf.Variable([1.0, 2.0], name="v")
    inner = tf.Module()
    inner.k = tf.Variable(np.eye(2, dtype=np.float32))
    ck = tf.train.Checkpoint(v=v, inner=inner, step=tf.Variable(5, dtype=tf.int64))
    ck.write(os.path.join(d, "ckpt"))


def saved_models():
    """A tf.Module with a signature, and a Keras model exported for serving; their outputs on
    fixed inputs go to expected.json beside them."""
    import json
    d = os.path.join(OUT, "..", "tf_saved_models")
    shutil.rmtree(d, ignore_errors=True)

    class Scaler(tf.Module):
        def __init__(self):
            self.v = tf.Variable([1.0, 2.0])

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def f(self, x):
            return {"y": tf.reduce_sum(x * self.v, axis=1)}
    m = Scaler()
    tf.saved_model.save(m, os.path.join(d, "module"), signatures=m.f)
    x = np.array([[1.0, 1.0], [2.0, 3.0]], np.float32)
    expected = {"module": m.f(x)["y"].numpy().tolist()}
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((3,)),
                                 tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(2, activation="softmax")])
    model.export(os.path.join(d, "keras"))
    xk = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], np.float32)
    expected["keras"] = model(xk).numpy().tolist()
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f)


# --- Keras optimizer state and the seeds' models (issue 15) ----------------------------------
# Each model's weights are set from np.linspace, not drawn, so tfteach's tests can rebuild the
# same starting point; every array below is a few dozen floats, keeping the fixtures in KBs.

def _fill(variables):
    for v in variables:
        n = int(np.prod(v.shape))
        v.assign(np.linspace(-0.5, 0.5, n, dtype=np.float32).reshape(v.shape) if n > 1
                 else np.full(v.shape, 0.25, np.float32))


KX = (np.arange(12, dtype=np.float32).reshape(4, 3) / 7).astype(np.float32)
KY = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], np.float32)


def _mse_step(model, opt, variables, x, y):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    opt.apply_gradients(zip(t.gradient(loss, variables), variables))


class SampleLayer(tf.Module):       # the TF2 notes' tf.Module layer, as the notes write it
    def __init__(self, name=None):
        super().__init__(name=name)
        self.x = tf.Variable([[1.0, 3.0]], name="x_trainable")
        self.y = tf.Variable(2.0, trainable=False, name="y_non_trainable")

    def __call__(self, inputs):
        return self.x * inputs + self.y


class NotesModel(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.layer_1 = SampleLayer("layer_1")
        self.layer_2 = SampleLayer("layer_2")

    def __call__(self, x):
        return self.layer_2(self.layer_1(x))


class MLP(tf.keras.Model):          # the TF2 notes' MLP and CNN, made small
    def __init__(self):
        super().__init__()
        self.dense1 = tf.keras.layers.Dense(units=5, activation=tf.nn.relu)
        self.dense2 = tf.keras.layers.Dense(units=3)

    def call(self, inputs):
        return self.dense2(self.dense1(inputs))


class CNN(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.conv1 = tf.keras.layers.Conv2D(filters=2, kernel_size=[3, 3], padding="same",
                                            activation=tf.nn.relu)
        self.pool1 = tf.keras.layers.MaxPool2D(pool_size=[2, 2], strides=2)
        self.conv2 = tf.keras.layers.Conv2D(filters=3, kernel_size=[3, 3], padding="same",
                                            activation=tf.nn.relu)
        self.pool2 = tf.keras.layers.MaxPool2D(pool_size=[2, 2], strides=2)
        self.flatten = tf.keras.layers.Reshape(target_shape=(2 * 2 * 3,))
        self.dense1 = tf.keras.layers.Dense(units=4, activation=tf.nn.relu)
        self.dense2 = tf.keras.layers.Dense(units=3)

    def call(self, inputs):
        x = tf.reshape(inputs, [-1, 8, 8, 1])
        x = self.pool1(self.conv1(x))
        x = self.pool2(self.conv2(x))
        return self.dense2(self.dense1(self.flatten(x)))


def _sparse_ce_step(model, opt, x, labels):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
            labels, model(x), from_logits=True))
    g = t.gradient(loss, model.variables)
    opt.apply_gradients(zip(g, model.variables))


def _vals(variables):
    return [v.numpy().tolist() for v in variables]


def keras_checkpoints():
    """Optimizer state in tf.train.Checkpoint, and the seeds' models; expected.json holds
    what TF computes after restoring and one more step, and TF's assert_consumed text."""
    import json
    d = os.path.join(OUT, "keras")
    shutil.rmtree(d, ignore_errors=True)
    exp = {}

    # a Sequential model and Adam: three steps, write, then the fourth step's state
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    _fill(model.trainable_variables)
    opt = tf.keras.optimizers.Adam(0.01)
    for _ in range(3):
        _mse_step(model, opt, model.trainable_variables, KX, KY)
    ck = tf.train.Checkpoint(model=model, optimizer=opt)
    ck.write(os.path.join(d, "seq_adam", "ckpt"))
    _mse_step(model, opt, model.trainable_variables, KX, KY)
    exp["seq_adam"] = {"weights": _vals(model.trainable_variables),
                       "optimizer": _vals(opt.variables)}
    fresh = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    st = tf.train.Checkpoint(model=fresh).read(os.path.join(d, "seq_adam", "ckpt"))
    try:
        st.assert_consumed()
    except AssertionError as e:
        exp["seq_adam"]["model_only_assert_consumed"] = str(e)
    st.expect_partial()

    # the TF2 notes' tf.Module model and SGD with momentum, saved by a CheckpointManager
    m = NotesModel(name="model_name")
    opt = tf.keras.optimizers.SGD(0.05, momentum=0.9)
    mgr = tf.train.CheckpointManager(tf.train.Checkpoint(model=m, optimizer=opt),
                                     os.path.join(d, "module_sgd"), max_to_keep=2)
    xs, target = tf.constant([[0.5], [1.0]]), tf.constant([[1.0, 2.0], [3.0, 4.0]])
    for _ in range(3):
        _mse_step(m, opt, m.trainable_variables, xs, target)
        mgr.save()
    _mse_step(m, opt, m.trainable_variables, xs, target)
    exp["module_sgd"] = {"weights": _vals(m.trainable_variables),
                         "optimizer": _vals(opt.variables)}

    # the seeds' MLP and CNN, trained two Adam steps, saved as the notes do
    rng = np.random.RandomState(0)
    for name, cls, x in (("mlp", MLP, rng.uniform(-1, 1, (4, 6)).astype(np.float32)),
                         ("cnn", CNN, rng.uniform(0, 1, (2, 64)).astype(np.float32))):
        net = cls()
        net(x)
        _fill(net.variables)
        labels = np.arange(len(x)) % 3
        opt = tf.keras.optimizers.Adam(0.01)
        for _ in range(2):
            _sparse_ce_step(net, opt, x, labels)
        tf.train.Checkpoint(myModel=net).save(os.path.join(d, name, "model.ckpt"))
        exp[name] = {"x": x.tolist(), "variables": _vals(net.variables),
                     "logits": net(x).numpy().tolist()}

    # a compiled model tracks its optimizer as `optimizer` (keys only, no file kept)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(KX, KY, verbose=0)
    path = tf.train.Checkpoint(model=model).write(os.path.join(d, "scratch", "ckpt"))
    exp["compiled_keys"] = dict(tf.train.list_variables(path))
    # with a LearningRateSchedule there is no learning-rate variable: slots start at 1
    w = tf.Variable(np.ones(2, np.float32))
    opt = tf.keras.optimizers.Adam(tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))
    opt.build([w])
    path = tf.train.Checkpoint(optimizer=opt).write(os.path.join(d, "scratch", "sched"))
    exp["schedule_keys"] = dict(tf.train.list_variables(path))
    # the MLP restored before its first call: Keras 3 builds the kernels outside TF's
    # deferred restoration, so they keep their initial values and the check says so
    x = np.ones((1, 6), np.float32)
    net = MLP()
    status = tf.train.Checkpoint(myModel=net).restore(os.path.join(d, "mlp", "model.ckpt-1"))
    net(x)
    try:
        status.assert_consumed()
    except AssertionError as e:
        exp["mlp"]["restored_before_build"] = str(e)
    # TF1 optimizers (eager, on a tf.Module's variables): slots in the graph's
    # slot_variables, keyed under their variable; Adam's beta powers as its children
    for kind in ("v1_adam", "v1_momentum"):
        m = tf.Module()
        m.w = tf.Variable(np.array([1.0, -2.0], np.float32), name="w")
        m.b = tf.Variable(0.5, name="b")
        opt = tf.compat.v1.train.AdamOptimizer(0.1) if kind == "v1_adam" else \
            tf.compat.v1.train.MomentumOptimizer(0.1, 0.9)
        for _ in range(4):
            if _ == 3:
                tf.train.Checkpoint(model=m, optimizer=opt).write(os.path.join(d, kind, "ckpt"))
            _v1_step(m, opt)
        exp[kind] = {"weights": _vals([m.w, m.b]),
                     "keys": sorted(dict(tf.train.list_variables(os.path.join(d, kind,
                                                                              "ckpt"))))}
    exp["layer_keys"] = {}
    for name, model in _key_models().items():
        path = tf.train.Checkpoint(model=model).write(os.path.join(d, "scratch", name))
        exp["layer_keys"][name] = sorted(dict(tf.train.list_variables(path)))
    shutil.rmtree(os.path.join(d, "scratch"))
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(exp, f)


def _v1_step(m, opt):
    with tf.GradientTape() as t:
        loss = tf.reduce_sum(m.w * m.w * 0.3) + m.b * m.b
    opt.apply_gradients(zip(t.gradient(loss, [m.w, m.b]), [m.w, m.b]))


class Blocks(tf.keras.Model):
    """Layers held in a list and a dict: Keras 3 keeps them out of tf.train.Checkpoint."""

    def __init__(self):
        super().__init__()
        self.blocks = [tf.keras.layers.Dense(2), tf.keras.layers.Dense(3)]
        self.head = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        self.table = {"a": tf.keras.layers.Dense(2)}

    def call(self, x):
        for b in self.blocks:
            x = b(x)
        return self.head(x) + self.table["a"](x)[:, :1]


def _key_models():
    """Models whose checkpoint keys show Keras 3's attribute names (tests rebuild them)."""
    L = tf.keras.layers
    blocks = Blocks()
    blocks(np.ones((2, 4), np.float32))
    inp = tf.keras.Input((4,))
    inner = tf.keras.Sequential([tf.keras.Input((4,)), L.Dense(3), L.BatchNormalization()])
    return {
        "blocks": blocks,
        "nested": tf.keras.Model(inp, L.Dense(1)(inner(inp))),
        "rnn": tf.keras.Sequential([tf.keras.Input((5, 3)),
                                    L.Bidirectional(L.GRU(2, return_sequences=True)),
                                    L.LSTM(2, return_sequences=True), L.SimpleRNN(2),
                                    L.Dense(1)]),
        "embedding": tf.keras.Sequential([tf.keras.Input((3,), dtype="int32"),
                                          L.Embedding(5, 2), L.Flatten(), L.Dropout(0.5),
                                          L.Dense(1)]),
        "conv": tf.keras.Sequential([tf.keras.Input((6, 6, 2)), L.Conv2D(2, 3),
                                     L.BatchNormalization(), L.Conv2DTranspose(2, 3),
                                     L.SpatialDropout2D(0.2), L.GlobalAveragePooling2D(),
                                     L.Dense(1)]),
        "conv1d_td": tf.keras.Sequential([tf.keras.Input((6, 2)), L.Conv1D(2, 3),
                                          L.TimeDistributed(L.Dense(2)),
                                          L.LayerNormalization(), L.Flatten(), L.Dense(1)]),
    }


def linear_regression():
    """The seed's linear regression (TF1 graph, GradientDescent, Saver): five steps saved,
    the sixth step's values recorded."""
    import json
    d = os.path.join(OUT, "linreg")
    shutil.rmtree(d, ignore_errors=True)
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        y = tf.compat.v1.placeholder(tf.float32, [None])
        W = tf.compat.v1.Variable(0.3, name="weights")
        b = tf.compat.v1.Variable(-0.2, name="bias")
        loss = tf.reduce_mean(tf.square(W * x + b - y))
        step = tf.compat.v1.train.GradientDescentOptimizer(0.05).minimize(loss)
        xs = np.linspace(0, 1, 20, dtype=np.float32)
        feed = {x: xs, y: 2 * xs + 1}
        saver = tf.compat.v1.train.Saver(save_relative_paths=True)
        with tf.compat.v1.Session() as s:
            s.run(tf.compat.v1.global_variables_initializer())
            for _ in range(5):
                s.run(step, feed)
            saved = [float(v) for v in s.run([W, b])]
            saver.save(s, os.path.join(d, "model"))
            s.run(step, feed)
            after = [float(v) for v in s.run([W, b])]
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"saved": saved, "after_one_step": after}, f)


def saved_model_while():
    """A SavedModel whose functions hold loops: TF writes `While` (the body reads a
    variable) and `StatelessWhile` (autograph's loop over tf.range), each with cond and body
    functions in the library."""
    import json
    d = os.path.join(OUT, "..", "tf_saved_models")
    shutil.rmtree(os.path.join(d, "loop"), ignore_errors=True)

    class Loop(tf.Module):
        def __init__(self):
            self.v = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32),
                                      tf.TensorSpec([None], tf.float32)])
        def power(self, n, x):
            _, acc = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * x * self.v),
                                   [tf.constant(0), tf.ones_like(x)])
            return acc

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def cumsum(self, x):
            s = tf.constant(0.0)
            for t in tf.range(tf.shape(x)[0]):
                s = s + x[t] * tf.cast(t + 1, tf.float32)
            return s

        # branches: `If` (a branch reads the variable) and autograph's `StatelessIf`
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def branch(self, x):
            y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * self.v, lambda: x - 1.0)
            if tf.reduce_max(y) > 2.0:
                y = y / 2.0
            else:
                y = y + 10.0
            return y
    m = Loop()
    tf.saved_model.save(m, os.path.join(d, "loop"),
                        signatures={"power": m.power, "cumsum": m.cumsum,
                                    "branch": m.branch})
    x = np.array([1.5, -0.5, 0.25], np.float32)
    expected = {"power3": m.power(3, x).numpy().tolist(),
                "power0": m.power(0, x).numpy().tolist(),
                "cumsum": float(m.cumsum(x).numpy()),
                "branch": m.branch(x).numpy().tolist(),
                "branch_neg": m.branch(-x).numpy().tolist()}
    with open(os.path.join(d, "loop_expected.json"), "w") as f:
        json.dump(expected, f)


def status_messages():
    """TF's texts of the load-status checks, restoring the v2 fixture into other objects."""
    import json
    path = os.path.join(OUT, "v2", "ckpt")
    out = {}

    def grab(key, check):
        try:
            check()
        except AssertionError as e:
            out[key] = str(e)
    inner = tf.Module()
    inner.k = tf.Variable(np.zeros((2, 2), np.float32))
    st = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0]), inner=inner,
                             step=tf.Variable(0, dtype=tf.int64),
                             extra=tf.Variable(2.0)).read(path)
    grab("extra_consumed", st.assert_consumed)
    grab("extra_existing", st.assert_existing_objects_matched)
    st = tf.train.Checkpoint(other=tf.Variable(1.0)).read(path)
    grab("nontrivial", st.assert_nontrivial_match)
    st = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).read(path)
    grab("missing_consumed", st.assert_consumed)
    try:
        tf.train.Checkpoint(v=tf.Variable(1.0)).read(path)
    except ValueError as e:
        out["shape"] = str(e)
    with open(os.path.join(OUT, "status_messages.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    v1_saver()
    v2_checkpoint()
    saved_models()
    keras_checkpoints()
    linear_regression()
    saved_model_while()
    status_messages()
    print("written to", os.path.abspath(OUT))
# tests/data/tf_saved_models/module_show.txt holds the SignatureDef part of
#   saved_model_cli show --dir tests/data/tf_saved_models/module --all
# (from the same TF 2.21), which tests/test_tf_formats.py compares with tfteach's `show`.
