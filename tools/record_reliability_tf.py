"""Prints what TensorFlow 2.21 gives for the inputs tests/test_reliability.py pins (run it with
a Python that has tensorflow-cpu 2.21: `$TFTEACH_TF_PYTHON tools/record_reliability_tf.py`).
The test file holds these outcomes as literals; rerun this to audit them."""
import numpy as np
import tensorflow as tf


def show(name, fn):
    try:
        r = fn()
        r = r.numpy() if hasattr(r, "numpy") else r
        print(name, "->", np.asarray(r).tolist(), getattr(r, "dtype", ""))
    except Exception as e:  # noqa: BLE001 - the class is the recorded outcome
        print(name, "->", type(e).__name__, str(e).splitlines()[0][:160])


x = tf.constant([np.inf, -np.inf, np.nan, 2.5, -2.5, 1.7, -0.0, -0.4, 3e20], tf.float32)
show("round", lambda: tf.round(x))
show("floor", lambda: tf.floor(x))
show("ceil", lambda: tf.math.ceil(x))
show("floordiv", lambda: tf.math.floordiv([1., -1., 0., 7., -0.5], [0., 0., 0., 2., 1.]))
n = np.nan
for w in ([n, n, n, n], [1, n, n, n], [n, 5, n, n], [n, n, n, 7], [n, 1, 3, 2]):
    show(f"max_pool{w}", lambda: tf.nn.max_pool2d(
        tf.constant(np.array(w, np.float32).reshape(1, 2, 2, 1)), 2, 1, "VALID"))
show("transpose_scalar_shape", lambda: tf.transpose(tf.constant(3.), []).shape)
show("split_axis-1", lambda: [t.shape.as_list() for t in tf.split(tf.range(6), 3, axis=-1)])
show("sparse_xent_f16", lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=[0, 1], logits=tf.constant([[1., 2.], [3., 4.]], tf.float16)).dtype)
show("bias_add_rank1", lambda: tf.nn.bias_add([1., 2.], [1., 2.]))
show("one_hot_float", lambda: tf.one_hot(tf.constant([0., 1.]), 3))
show("concat_empty", lambda: tf.concat([], 0))
show("split_0", lambda: tf.split(tf.range(6), 0))
show("zeros_huge", lambda: tf.zeros([10 ** 12]))
show("zeros_neg", lambda: tf.zeros([-1, 2]))
g = tf.Graph()
with g.as_default():
    show("g_softmax_scalar", lambda: tf.nn.softmax(tf.constant(1.)))
    show("g_bias_add_rank1", lambda: tf.nn.bias_add(tf.constant([1., 2.]), tf.constant([1., 2.])))
    show("g_one_hot_float", lambda: tf.one_hot(tf.constant([0., 1.]), 3))
    show("g_concat_empty", lambda: tf.concat([], 0))
    show("g_split_0", lambda: tf.split(tf.zeros([6]), 0))
