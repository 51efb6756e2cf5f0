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
