"""Records TF 2.21's values for tests/test_tape_loops.py (run with TF's python; prints JSON).
A GradientTape used inside a tf.function, differentiating through while loops."""
import json

import numpy as np
import tensorflow as tf

out = {}

w = tf.Variable(2.0)


@tf.function
def range_loop(x):
    with tf.GradientTape() as tape:
        y = x
        for _ in tf.range(3):
            y = y * w
    return tape.gradient(y, w)


out["range_loop"] = float(range_loop(tf.constant(1.5)))


@tf.function
def while_direct(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, y = tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, tf.sin(y) * x),
                             [0, tf.constant(0.5)])
    return tape.gradient(y, x)


out["while_direct"] = float(while_direct(tf.constant(1.3)))

v = tf.Variable([1.0, -2.0, 0.5])


@tf.function
def tensor_array(x):
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=3)
        y = x
        for i in tf.range(3):
            y = tf.tanh(y * v)
            ta = ta.write(i, y)
        loss = tf.reduce_sum(ta.stack() ** 2) + tf.reduce_sum(v)
    return tape.gradient(loss, v)


out["tensor_array"] = tensor_array(tf.constant([0.3, 0.7, -0.4])).numpy().tolist()

w2 = tf.Variable(0.8)


@tf.function
def nested_and_cond(x):
    with tf.GradientTape() as tape:
        y = x * w2
        for i in tf.range(3):
            for j in tf.range(2):
                if y > 1.0:
                    y = y * w2 - 0.1
                else:
                    y = y + w2 * w2
    return tape.gradient(y, w2)


out["nested_and_cond"] = float(nested_and_cond(tf.constant(0.9)))

tf.keras.utils.set_random_seed(0)


class Recur(tf.keras.layers.Layer):
    def build(self, shape):
        self.k = self.add_weight(shape=(shape[-1], shape[-1]),
                                 initializer=tf.keras.initializers.Constant(
                                     np.array([[0.5, -0.3], [0.2, 0.4]])))

    def call(self, x):
        # Keras 3 does not AutoGraph a layer's call: the loop is written as tf.while_loop
        return tf.while_loop(lambda i, h: i < 3,
                             lambda i, h: (i + 1, tf.tanh(tf.matmul(h, self.k))),
                             [tf.constant(0), x])[1]


model = Recur()
model.build((None, 2))
opt = tf.keras.optimizers.SGD(0.1)
xb = tf.constant([[1.0, 2.0], [-0.5, 0.3]])
yb = tf.constant([[0.1, 0.2], [0.3, -0.1]])


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return loss, grads[0]


loss, g = train_step(xb, yb)
out["keras_step"] = {"loss": float(loss), "grad": g.numpy().tolist(),
                     "kernel_after": model.k.numpy().tolist()}
w3 = tf.Variable(1.1)


@tf.function
def train_loop(x):
    for _ in tf.range(2):
        with tf.GradientTape() as tape:
            y = x
            for _ in tf.range(3):
                y = y * w3
        w3.assign_sub(0.1 * tape.gradient(y, w3))
    return w3.read_value()


out["train_loop"] = float(train_loop(tf.constant(1.0)))
print(json.dumps(out, indent=1))
