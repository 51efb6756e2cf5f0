"""Records what TensorFlow 2.21 / Keras 3 do for the behaviours tests/test_indexed_slices.py,
tests/test_keras_semantics.py and tests/test_tape_corners.py pin (issue 13).

Run with the TensorFlow oracle (never imported by tfteach):
    /work/tfenv/bin/python tools/record_tf2sem.py   # writes tests/data/tf2sem_tf221.json
"""
import io
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

v1 = tf.compat.v1
OUT = {}


def floats(a):
    return np.asarray(a, np.float32).ravel().tolist()


def new_ops(g, before):
    return [f"{o.name}:{o.type}" for o in g.get_operations()[before:]]


# --- IndexedSlices ---------------------------------------------------------------------------

def record_indexed_slices():
    r = {}
    base = np.arange(15, dtype=np.float32).reshape(5, 3) / 7
    v = tf.Variable(base)
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.gather(v, [0, 2, 0]) ** 2)
    g = t.gradient(y, v)
    r["tape_type"] = type(g).__name__
    r["tape_values"] = floats(g.values)
    r["tape_indices"] = g.indices.numpy().tolist()
    r["tape_dense_shape"] = g.dense_shape.numpy().tolist()
    r["tape_str"] = str(tf.IndexedSlices(tf.constant([[1., 2.]]), tf.constant([1]),
                                         tf.constant([3, 2])))
    r["dense"] = floats(tf.convert_to_tensor(g))
    r["add_n_mixed"] = floats(tf.math.add_n([g, tf.ones((5, 3))]))
    r["isinstance_tensor"] = isinstance(g, tf.Tensor)
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.nn.embedding_lookup(v, [[1, 2], [2, 4]]))
    e = t.gradient(y, v)
    r["embedding_indices"] = e.indices.numpy().tolist()
    r["embedding_values_shape"] = list(e.values.shape)

    def G(i):
        return tf.reduce_sum(tf.gather(v, [i]))
    kinds = {}
    for name, fn in [("left", lambda: (G(1) + G(2)) + G(3)),
                     ("right", lambda: G(1) + (G(2) + G(3))),
                     ("mul", lambda: G(1) * 2.0 + G(2)),
                     ("mixed", lambda: G(1) + tf.reduce_sum(v)),
                     ("axis1", lambda: tf.reduce_sum(tf.gather(v, [1, 1], axis=1))),
                     ("through_mul", lambda: tf.reduce_sum(tf.gather(v * 1.0, [1])))]:
        with tf.GradientTape() as t:
            y = fn()
        gr = t.gradient(y, v)
        kinds[name] = [type(gr).__name__,
                       gr.indices.numpy().tolist() if hasattr(gr, "indices") else None]
    r["tape_kinds"] = kinds

    g1 = tf.Graph()
    with g1.as_default():
        p = v1.placeholder(tf.float32, [5, 3], name="p")
        y = tf.reduce_sum(tf.gather(p, tf.constant([0, 2, 0], name="i")) * 2.0)
        n = len(g1.get_operations())
        gp = tf.gradients(y, p)[0]
        r["graph_ops"] = new_ops(g1, n)
        r["graph_names"] = [gp.values.name, gp.indices.name, gp.dense_shape.name]
        n = len(g1.get_operations())
        tf.convert_to_tensor(gp)
        r["graph_convert_ops"] = new_ops(g1, n)
        n = len(g1.get_operations())
        tf.gradients(tf.gather(p * 3.0, [0, 2]), p)
        r["graph_through_mul_ops"] = new_ops(g1, n)
        n = len(g1.get_operations())
        gg = tf.gradients(tf.reduce_sum(tf.gather(p, [1])) +
                          tf.reduce_sum(tf.gather(p, [2, 3])), p)[0]
        r["graph_two_gathers"] = [type(gg).__name__, gg.values.name, gg.indices.name]
        gm = tf.gradients(tf.reduce_sum(tf.gather(p, [1])) + tf.reduce_sum(p), p)[0]
        r["graph_mixed"] = [type(gm).__name__, gm.op.type, gm.name]
        big = v1.placeholder(tf.float32, [100000, 1000], name="big")
        gb = tf.gradients(tf.gather(big, [1]), big)[0]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            tf.convert_to_tensor(gb)
            unknown = v1.placeholder(tf.float32, [None, 3])
            tf.convert_to_tensor(tf.gradients(tf.gather(unknown, [1]), unknown)[0])
        r["warnings"] = [[str(x.message), x.category.__name__] for x in w]
    def cond_case():
        g2 = tf.Graph()
        with g2.as_default():
            p = v1.Variable(np.arange(8, dtype=np.float32).reshape(4, 2), use_resource=False)
            b = v1.placeholder(tf.bool, [])
            y = tf.cond(b, lambda: tf.gather(p, [1, 1]), lambda: tf.gather(p, [2]) * 3.0)
            gp = tf.gradients(tf.reduce_sum(y * y), p)[0]
            with v1.Session() as s:
                s.run(v1.global_variables_initializer())
                out = []
                for bb in (True, False):
                    val = s.run(gp, {b: bb})
                    out.append([type(gp).__name__, val.indices.tolist(),
                                floats(val.values)])
        return out
    r["cond_v2"] = cond_case()
    # TF1's Switch/Merge cond (tfteach.v1): recorded with TF's v1 control flow
    v1.disable_control_flow_v2()
    try:
        g2 = tf.Graph()
        with g2.as_default():
            p = v1.Variable(np.arange(8, dtype=np.float32).reshape(4, 2), use_resource=False)
            b = v1.placeholder(tf.bool, [])
            y = tf.cond(b, lambda: tf.gather(p, [1, 1]), lambda: tf.gather(p, [2]) * 3.0)
            gp = tf.gradients(tf.reduce_sum(y * y), p)[0]
            with v1.Session() as s:
                s.run(v1.global_variables_initializer())
                out = []
                for bb in (True, False):
                    val = s.run(gp, {b: bb})
                    out.append([type(gp).__name__, val.indices.tolist(),
                                floats(val.values)])
        r["cond_v1"] = out
    finally:
        v1.enable_control_flow_v2()
    OUT["indexed_slices"] = r


def record_v1_sparse():
    r = {}
    makers = {
        "GradientDescent": lambda: v1.train.GradientDescentOptimizer(0.1),
        "Momentum": lambda: v1.train.MomentumOptimizer(0.1, 0.9),
        "Adam": lambda: v1.train.AdamOptimizer(0.1),
        "Adagrad": lambda: v1.train.AdagradOptimizer(0.1),
        "RMSProp": lambda: v1.train.RMSPropOptimizer(0.1),
        "RMSPropCentered": lambda: v1.train.RMSPropOptimizer(0.1, momentum=0.5,
                                                             centered=True),
        "Adadelta": lambda: v1.train.AdadeltaOptimizer(0.1)}
    for k, mk in makers.items():
        g = tf.Graph()
        with g.as_default():
            v = v1.Variable(np.arange(15, dtype=np.float32).reshape(5, 3) / 7, name="v",
                            use_resource=False)
            loss = tf.reduce_sum(tf.gather(v, [0, 2, 0]) ** 2)
            n = len(g.get_operations())
            tr = mk().minimize(loss)
            types = [o.type for o in g.get_operations()[n:]]
            sparse = [t for t in types if "catter" in t or "pply" in t or
                      t in ("Unique", "UnsortedSegmentSum")]
            with v1.Session() as s:
                s.run(v1.global_variables_initializer())
                for _ in range(3):
                    s.run(tr)
                graph_vals = floats(s.run(v))
        v = tf.Variable(np.arange(15, dtype=np.float32).reshape(5, 3) / 7)
        opt = mk()
        for _ in range(3):
            with tf.GradientTape() as t:
                loss = tf.reduce_sum(tf.gather(v, [0, 2, 0]) ** 2)
            opt.apply_gradients([(t.gradient(loss, v), v)])
        r[k] = {"ops": sparse, "graph": graph_vals, "eager": floats(v)}
    OUT["v1_sparse"] = r


def _keras_opt(name, **kw):
    cls = {"SGD": keras.optimizers.SGD, "Adam": keras.optimizers.Adam,
           "RMSprop": keras.optimizers.RMSprop, "Adagrad": keras.optimizers.Adagrad,
           "AdamW": keras.optimizers.AdamW}[name]
    return cls(**kw)


KERAS_SPARSE = [("SGD", {"learning_rate": 0.1}),
                ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
                ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
                ("Adam", {"learning_rate": 0.1}),
                ("RMSprop", {"learning_rate": 0.1}),
                ("RMSprop", {"learning_rate": 0.1, "momentum": 0.5, "centered": True}),
                ("Adagrad", {"learning_rate": 0.1})]


def record_keras_sparse():
    r = []
    for name, kw in KERAS_SPARSE:
        out = {}
        for mode in ("eager", "function"):
            v = tf.Variable(np.arange(15, dtype=np.float32).reshape(5, 3) / 7)
            opt = _keras_opt(name, **kw)

            def step():
                with tf.GradientTape() as t:
                    y = tf.reduce_sum(tf.gather(v, [0, 2, 0, 3]) ** 2)
                opt.apply_gradients([(t.gradient(y, v), v)])
            if mode == "function":
                step = tf.function(step)
            for _ in range(3):
                step()
            out[mode] = floats(v)
        r.append([name, kw, out])
    OUT["keras_sparse"] = r


KERAS_OPTIONS = [("Adam", {"learning_rate": 0.05, "amsgrad": True}),
                 ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
                 ("SGD", {"learning_rate": 0.1, "clipvalue": 0.3}),
                 ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.7}),
                 ("Adam", {"learning_rate": 0.05, "global_clipnorm": 0.7}),
                 ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05}),
                 ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1}),
                 ("AdamW", {"learning_rate": 0.05}),
                 ("RMSprop", {"learning_rate": 0.05, "clipnorm": 1.0, "weight_decay": 0.01})]


def record_keras_options():
    r = []
    # an elementwise loss: the gradients involve no reduction, so only the optimizer's
    # arithmetic is compared
    a = np.array([1.5, 0.7, 2.0], np.float32)
    c = np.array([-0.4, 0.9, 0.25], np.float32)
    for name, kw in KERAS_OPTIONS:
        out = {}
        for mode in ("eager", "function"):
            w = tf.Variable(np.array([0.5, -0.3, 0.8], np.float32))
            b = tf.Variable(np.array([0.1], np.float32))
            opt = _keras_opt(name, **kw)

            def step():
                with tf.GradientTape() as t:
                    loss = tf.reduce_sum(w * w * a + w * c) + tf.reduce_sum((b - 1.0) ** 2)
                gs = t.gradient(loss, [w, b])
                opt.apply_gradients(zip(gs, [w, b]))
            if mode == "function":
                step = tf.function(step)
            for _ in range(4):
                step()
            out[mode] = [floats(w), floats(b)]
        r.append([name, kw, out])
    OUT["keras_options"] = r
    try:
        keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    except ValueError as e:
        OUT["keras_clip_conflict"] = str(e)


def _outcome(fn):
    """What a call gives: ["ok", value] or ["raises", class name, message]."""
    try:
        return ["ok", fn()]
    except Exception as e:  # noqa: BLE001 - recording what TF raises is the point
        return ["raises", type(e).__name__, str(e)]


def record_tape():
    r = {}
    x = tf.Variable(2.0, name="x")
    y = tf.Variable(3.0, name="y")
    z = tf.Variable(4.0, name="z")

    def zero():
        with tf.GradientTape() as t:
            a = x * 2.0
        return [float(g) for g in t.gradient(a, [x, y], unconnected_gradients="zero")]
    r["unconnected_zero"] = _outcome(zero)

    def none():
        with tf.GradientTape() as t:
            a = x * 2.0
        return [None if g is None else float(g) for g in t.gradient(a, [x, y])]
    r["unconnected_none"] = _outcome(none)

    def bogus():
        with tf.GradientTape() as t:
            a = x * 2.0
        return t.gradient(a, y, unconnected_gradients="bogus")
    r["unconnected_bogus"] = _outcome(bogus)

    def order():
        with tf.GradientTape() as t:
            _ = z * y + x * y + z
        return [v.name for v in t.watched_variables()]
    r["watched_order"] = _outcome(order)

    def accessed_false():
        with tf.GradientTape(watch_accessed_variables=False) as t:
            t.watch(y)
            a = x * y
        return [[v.name for v in t.watched_variables()],
                [None if g is None else float(g) for g in t.gradient(a, [x, y])]]
    r["watch_accessed_false"] = _outcome(accessed_false)
    r["never_entered"] = _outcome(lambda: tf.GradientTape().gradient(x, x))

    def twice():
        with tf.GradientTape() as t:
            a = x * x
        t.gradient(a, x)
        return t.gradient(a, x)
    r["used_twice"] = _outcome(twice)

    def persistent():
        with tf.GradientTape(persistent=True) as t:
            a = x * x
        return [float(t.gradient(a, x)), float(t.gradient(a, x))]
    r["persistent_twice"] = _outcome(persistent)

    def stop():
        with tf.GradientTape() as t:
            a = x * x
            with t.stop_recording():
                b = x * 3.0
            c = a + b
        return float(t.gradient(c, x))
    r["stop_recording"] = _outcome(stop)

    def stop_outside():
        t = tf.GradientTape()
        with t.stop_recording():
            pass
    r["stop_recording_outside"] = _outcome(stop_outside)

    def int_paths():
        out = []
        i = tf.constant(3)
        with tf.GradientTape() as t:
            t.watch(i)
            a = i * i
        out.append(t.gradient(a, i))
        with tf.GradientTape() as t:
            a = tf.cast(tf.cast(x, tf.int32), tf.float32) * 2.0
        out.append(t.gradient(a, x))
        with tf.GradientTape() as t:
            a = tf.round(x) * 2.0
        out.append(t.gradient(a, x))
        with tf.GradientTape() as t:
            a = tf.cast(tf.argmax(tf.stack([x.read_value(), y.read_value()])), tf.float32)
        out.append(t.gradient(a, x))
        return [None if g is None else float(g) for g in out]
    r["integer_paths"] = _outcome(int_paths)

    def none_target():
        with tf.GradientTape() as t:
            pass
        return t.gradient(None, x)
    r["none_target"] = _outcome(none_target)

    def reenter():
        t = tf.GradientTape()
        with t:
            a = x * x
        with t:
            b = a * x
        return float(t.gradient(b, x))
    r["reenter"] = _outcome(reenter)

    def reenter_active():
        with tf.GradientTape() as t:
            with t:
                pass
    r["reenter_active"] = _outcome(reenter_active)
    OUT["tape"] = r


def record_errors():
    r = {}
    r["eager_int_plus_float"] = _outcome(lambda: tf.constant(1) + tf.constant(1.0))
    r["eager_int_plus_py_float"] = _outcome(lambda: tf.constant(1) + 1.5)
    r["eager_py_float_plus_int"] = _outcome(lambda: 1.5 + tf.constant(1))
    r["eager_int_times_py_float"] = _outcome(lambda: tf.constant(1) * 2.5)
    r["eager_float_times_double"] = _outcome(
        lambda: tf.constant(1.0) * tf.constant(1.0, tf.float64))

    def graph_mix():
        with tf.Graph().as_default():
            return tf.constant(1) + tf.constant(1.0)
    r["graph_int_plus_float"] = _outcome(graph_mix)
    r["function_int_plus_float"] = _outcome(
        lambda: tf.function(lambda: tf.constant(1) * tf.constant(1.0))())
    r["assign_shape"] = _outcome(lambda: tf.Variable([1., 2.]).assign([1., 2., 3.]))

    def v1_assign():
        with tf.Graph().as_default():
            v = v1.Variable([1., 2.], use_resource=False)
            return v1.assign(v, [1., 2., 3.])
    r["v1_assign_shape"] = _outcome(v1_assign)

    def dense():
        d = keras.layers.Dense(3)
        d(tf.ones((2, 4)))
        return d(tf.ones((2, 5)))
    r["dense_last_axis"] = _outcome(dense)

    def dense_rank():
        d = keras.layers.Dense(3)
        d(tf.ones((2, 4)))
        return d(tf.ones((4,)))
    r["dense_rank"] = _outcome(dense_rank)
    OUT["errors"] = r


def record_keras():
    r = {}

    def metric_fn():
        m = keras.metrics.Mean()

        @tf.function
        def f(x):
            m.update_state(x)
            return m.result()
        f(tf.constant([1., 2.]))
        return [float(f(tf.constant([3.]))), float(m.result()), [v.name for v in m.variables]]
    r["mean_in_function"] = _outcome(metric_fn)

    def acc_fn():
        acc = keras.metrics.SparseCategoricalAccuracy()

        @tf.function
        def f(y, p):
            acc.update_state(y, p)
            return acc.result()
        f(tf.constant([0, 1]), tf.constant([[0.9, 0.1], [0.8, 0.2]]))
        return float(f(tf.constant([1]), tf.constant([[0.3, 0.7]])))
    r["accuracy_in_function"] = _outcome(acc_fn)

    def loss_fn():
        mse = keras.losses.MeanSquaredError()
        return float(tf.function(lambda a, b: mse(a, b))(tf.constant([1., 2.]),
                                                        tf.constant([1.5, 2.5])))
    r["loss_in_function"] = _outcome(loss_fn)
    reds = {}
    for red in ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight",
                "auto", "SUM"]:
        reds[str(red)] = _outcome(lambda: keras.losses.MeanSquaredError(reduction=red)(
            tf.constant([[1., 2.], [3., 4.]]), tf.zeros((2, 2))).numpy().tolist())
    r["reductions"] = reds

    class L(keras.layers.Layer):
        def build(self, s):
            self.w = self.add_weight(shape=(2,), initializer="ones")
            self.w2 = self.add_weight(shape=(2,), initializer="zeros", trainable=False)
            self.v = tf.Variable([1., 2.], name="plain")
            self.inner = keras.layers.Dense(1)

        def call(self, x):
            return self.inner(x * self.w * self.v + self.w2)
    keras.backend.clear_session()
    lay = L(name="l")
    lay(tf.ones((1, 2)))
    r["unnamed_weights"] = [[v.name, v.path, v.trainable] for v in lay.weights]
    r["unnamed_trainable"] = [v.name for v in lay.trainable_weights]
    lay.trainable = False
    r["frozen"] = [[v.name for v in lay.trainable_weights],
                   [v.name for v in lay.non_trainable_weights], lay.inner.trainable]
    keras.backend.clear_session()
    inner = keras.layers.Dense(2, name="d1")
    m = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1, name="d2")])
    inner.trainable = False
    a = [[v.path for v in m.trainable_weights], [v.path for v in m.non_trainable_weights]]
    m.trainable = False
    inner.trainable = True
    b = [[v.path for v in m.trainable_weights], [v.path for v in m.non_trainable_weights],
         inner.trainable]
    r["nested_trainable"] = [a, b]

    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.scale = tf.Variable(2.0)
            self.d = keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")

        def call(self, x):
            return self.d(x) * self.scale
    mm = M()
    mm.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    mm.fit(np.ones((4, 2), np.float32), np.full((4, 1), 3., np.float32), epochs=2,
           batch_size=4, verbose=0)
    r["plain_variable"] = [[v.name for v in mm.trainable_weights], float(mm.scale.numpy()),
                           floats(mm.d.kernel)]

    # Embedding trains through IndexedSlices
    keras.backend.clear_session()
    emb = keras.layers.Embedding(6, 2, embeddings_initializer="ones")
    with tf.GradientTape() as t:
        out = tf.reduce_sum(emb(tf.constant([[1, 3, 1]])))
    r["embedding_grad"] = [type(t.gradient(out, emb.trainable_weights[0])).__name__]
    model = keras.Sequential([keras.Input((3,), dtype="int32"),
                              keras.layers.Embedding(6, 2, embeddings_initializer="ones"),
                              keras.layers.Flatten(),
                              keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    xs = np.array([[1, 3, 1], [0, 2, 5]], np.int32)
    model.fit(xs, np.array([[1.0], [2.0]], np.float32), epochs=3, batch_size=2, verbose=0,
              shuffle=False)
    r["embedding_fit"] = [floats(w) for w in model.get_weights()]

    # summary() as printed to a pipe
    keras.backend.clear_session()
    buf = io.StringIO()
    mlp = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dense(1)], name="mlp")
    mlp.summary(print_fn=lambda line: buf.write(line + "\n"))
    inp = keras.Input((28, 28, 1), name="img")
    h = keras.layers.Conv2D(4, 3)(inp)
    h = keras.layers.Flatten()(h)
    cnn = keras.Model(inp, keras.layers.Dense(10)(h), name="cnn")
    cnn.summary(print_fn=lambda line: buf.write(line + "\n"))
    mlp.compile("adam", "mse")
    mlp.fit(np.ones((4, 4)), np.ones((4, 1)), verbose=0)
    mlp.summary(print_fn=lambda line: buf.write(line + "\n"))
    r["summary"] = buf.getvalue()
    OUT["keras"] = r


if __name__ == "__main__":
    sections = [a for a in sys.argv[1:]] or ["indexed_slices", "v1_sparse", "keras_sparse",
                                             "keras_options", "tape", "errors", "keras"]
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "tests", "data", "tf2sem_tf221.json")
    if os.path.exists(path):
        with open(path) as f:
            OUT.update(json.load(f))
    for s in sections:
        globals()["record_" + s]()
    with open(path, "w") as f:
        json.dump(OUT, f, indent=1, sort_keys=True)
    print("wrote", path)
