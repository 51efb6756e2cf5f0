"""A training step must not leave reference cycles behind.

Python frees an object at once when its last reference goes, except objects in a reference
cycle, which wait for the cyclic garbage collector. The collector runs after enough object
*allocations*, and a few big arrays are few objects: a cycle that holds a step's outputs keeps
megabytes per step alive (measured before the fix: seed 3's deep model grew by 20 MB per
`tf.function` call, up to gigabytes). So each path a training loop takes is run here with the
collector off, and must leave nothing for it to collect.
"""
import collections
import gc

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")


def _cycles_left_by(step):
    for _ in range(3):          # warm up: traces, plans and caches are built once
        step()
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        step()
        return gc.collect()
    finally:
        if was_enabled:
            gc.enable()


def _steps(tf):
    x = tf.random.uniform([8, 5])
    w = tf.Variable(tf.random.uniform([5, 3]))
    opt = tf.keras.optimizers.Adam(0.01)
    Pair = collections.namedtuple("Pair", "a b")

    def tape_step():
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
        opt.apply_gradients(zip(t.gradient(loss, [w]), [w]))

    traced = tf.function(lambda a: {"p": tf.nn.softmax(tf.matmul(a, w)),
                                    "q": [Pair(a * 2.0, a + 1.0)]})

    @tf.function
    def traced_step(a):
        with tf.GradientTape() as t:
            loss = tf.reduce_mean(tf.square(tf.matmul(a, w)))
        opt.apply_gradients(zip(t.gradient(loss, [w]), [w]))
        return loss

    cond = tf.function(lambda a, p: tf.cond(p, lambda: a * 2.0, lambda: a - 1.0))
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(2)])
    model.compile(optimizer="adam", metrics=["accuracy"],
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    xs = np.random.RandomState(0).rand(64, 5).astype(np.float32)
    ys = np.random.RandomState(1).randint(0, 2, 64)
    return {
        "eager ops": lambda: tf.nn.relu(tf.matmul(x, w) + 1.0),
        "eager tape step": tape_step,
        "tf.function with nested outputs": lambda: traced(x),
        "traced train step": lambda: traced_step(x),
        "tf.function with a run-time cond": lambda: cond(x, tf.constant(True)),
        "keras fit": lambda: model.fit(xs, ys, epochs=1, batch_size=32, verbose=0),
        "keras predict": lambda: model.predict(xs, verbose=0),
    }


STEPS = ["eager ops", "eager tape step", "tf.function with nested outputs",
         "traced train step", "tf.function with a run-time cond", "keras fit",
         "keras predict"]


@pytest.mark.parametrize("name", STEPS)
def test_tf2_step_leaves_no_reference_cycles(tf2, name):
    assert _cycles_left_by(_steps(tf2)[name]) == 0


def test_session_train_step_leaves_no_reference_cycles(tf1):
    tf = tf1
    p = tf.placeholder(tf.float32, [None, 5])
    w = tf.Variable(np.ones((5, 3), np.float32))
    loss = tf.reduce_sum(tf.matmul(p, w))
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    xv = np.random.RandomState(0).rand(8, 5).astype(np.float32)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert _cycles_left_by(lambda: s.run([train, loss], {p: xv})) == 0


def test_nest_pack_sequence_as_leaves_no_cycle(tf2):
    structure = {"b": [1, (2, 3)], "a": 4}
    assert tf2.nest.pack_sequence_as(structure, [10, 20, 30, 40]) == \
        {"b": [20, (30, 40)], "a": 10}
    assert _cycles_left_by(lambda: tf2.nest.pack_sequence_as(structure, [1, 2, 3, 4])) == 0
