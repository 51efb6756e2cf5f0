"""Writes the checkpoints in tests/data/tf_checkpoints/ and the SavedModels in
tests/data/tf_saved_models/ with real TensorFlow 2.21 (run with a
Python that has tensorflow-cpu 2.21: `$TFTEACH_TF_PYTHON tools/make_tf_checkpoints.py`).
tests/test_tf_formats.py reads them with tfteach; the values are written here in the open so
the test can state them."""
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


if __name__ == "__main__":
    v1_saver()
    v2_checkpoint()
    saved_models()
    print("written to", os.path.abspath(OUT))
# tests/data/tf_saved_models/module_show.txt holds the SignatureDef part of
#   saved_model_cli show --dir tests/data/tf_saved_models/module --all
# (from the same TF 2.21), which tests/test_tf_formats.py compares with tfteach's `show`.
