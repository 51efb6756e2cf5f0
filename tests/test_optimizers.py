"""TF1 optimizers: trajectories equal TensorFlow 2.21's (float32, bit for bit), op and slot
names, global step, learning-rate decay, rollback, eager use."""
import json
import os

import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

# x0 = [1.5, -2.0, 0.3], loss = sum(x^3) + sum(sin(x)), 5 minimize steps: the optimizers (as
# code) and x afterwards, recorded from TensorFlow 2.21 by tools/record_tf_optimizers.py.
with open(os.path.join(os.path.dirname(__file__), "data", "tf_optimizers.json")) as f:
    _RECORD = json.load(f)
TF_AFTER_5 = _RECORD["after_5"]


def _make(tf, kind):
    return eval(_RECORD["optimizers"][kind], {"tf": tf})


@pytest.mark.parametrize("kind", sorted(TF_AFTER_5))
def test_trajectory_equals_tensorflow(tf1, kind):
    x = tf1.Variable(np.array([1.5, -2.0, 0.3], np.float32))
    loss = tf1.reduce_sum(x * x * x) + tf1.reduce_sum(tf1.sin(x))
    train = _make(tf1, kind).minimize(loss)
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        for _ in range(5):
            assert s.run(train) is None
        got = s.run(x)
    np.testing.assert_array_equal(got, np.array(TF_AFTER_5[kind], np.float32))


def test_adam_names_slots_and_collections(tf1):
    x = tf1.Variable(5.0)
    opt = tf1.train.AdamOptimizer(0.1)
    train = opt.minimize(x * x)
    names = [op.name for op in tf1.get_default_graph().get_operations()]
    for n in ("beta1_power", "beta2_power", "Variable/Adam", "Variable/Adam_1",
              "Variable/Adam/Initializer/zeros", "Adam/learning_rate", "Adam/beta1",
              "Adam/update_Variable/ApplyAdam", "Adam/mul", "Adam/Assign", "Adam/mul_1",
              "Adam/Assign_1"):
        assert n in names
    assert train.name == "Adam" and train.type == "NoOp"
    assert [v.name for v in tf1.global_variables()] == [
        "Variable:0", "beta1_power:0", "beta2_power:0", "Variable/Adam:0", "Variable/Adam_1:0"]
    assert [v.name for v in tf1.trainable_variables()] == ["Variable:0"]
    assert opt.get_slot(x, "m").name == "Variable/Adam:0"
    assert opt.get_slot_names() == ["m", "v"]
    assert train in tf1.get_collection(tf1.GraphKeys.TRAIN_OP)


def test_rmsprop_rms_slot_starts_at_one(tf1):
    x = tf1.Variable([1.0, 2.0])
    opt = tf1.train.RMSPropOptimizer(0.1)
    opt.minimize(tf1.reduce_sum(x * x))
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        np.testing.assert_array_equal(s.run(opt.get_slot(x, "rms")), [1.0, 1.0])
        np.testing.assert_array_equal(s.run(opt.get_slot(x, "momentum")), [0.0, 0.0])


def test_global_step_and_exponential_decay(tf1):
    step = tf1.train.get_or_create_global_step()
    assert step.name == "global_step:0" and step.dtype.base_dtype == tf1.int64
    assert tf1.train.get_or_create_global_step() is step
    lr = tf1.train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
    x = tf1.Variable(1.0)
    train = tf1.train.GradientDescentOptimizer(lr).minimize(x * x, global_step=step)
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        for _ in range(12):
            s.run(train)
        assert s.run(step) == 12
        assert tf1.train.global_step(s, step) == 12
        np.testing.assert_allclose(s.run(lr), 0.05, rtol=1e-6)


def test_piecewise_constant(tf1):
    step = tf1.placeholder(tf1.int32, [])
    lr = tf1.train.piecewise_constant(step, [5, 10], [1.0, 0.5, 0.1])
    with tf1.Session() as s:
        assert [float(s.run(lr, {step: v})) for v in (0, 5, 6, 10, 11)] == \
            [1.0, 1.0, 0.5, 0.5, pytest.approx(0.1)]


def test_compute_and_apply_gradients(tf1):
    a = tf1.Variable(2.0)
    b = tf1.Variable(3.0)
    c = tf1.Variable(1.0)     # not in the loss: gradient None, skipped by apply
    loss = a * b
    opt = tf1.train.GradientDescentOptimizer(0.5)
    gv = opt.compute_gradients(loss)
    assert [v for _, v in gv] == [a, b, c] and gv[2][0] is None
    train = opt.apply_gradients(gv)
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        s.run(train)
        assert s.run([a, b, c]) == [0.5, 2.0, 1.0]


def test_no_gradients_is_an_error(tf1):
    tf1.Variable(1.0)
    with pytest.raises(ValueError, match="No gradients provided"):
        tf1.train.GradientDescentOptimizer(0.1).minimize(tf1.constant(3.0) * 2.0)


def test_failed_step_rolls_back_every_variable(tf1):
    x = tf1.Variable([1.0, 2.0])
    opt = tf1.train.MomentumOptimizer(0.1, 0.9)
    g = tf1.placeholder(tf1.float32)
    train = opt.apply_gradients([(g, x)])
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        s.run(train, {g: [1.0, 1.0]})
        before = s.run([x, opt.get_slot(x, "momentum")])
        with pytest.raises(errors.InvalidArgumentError, match="same shape"):
            s.run(train, {g: [1.0, 1.0, 1.0]})
        after = s.run([x, opt.get_slot(x, "momentum")])
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])


def test_eager_apply_gradients_updates_variables(tf2):
    opt = tf2.compat.v1.train.GradientDescentOptimizer(0.1)
    w = tf2.Variable([1.0, 2.0])
    with tf2.GradientTape() as tape:
        loss = tf2.reduce_sum(w * w)
    grads = tape.gradient(loss, [w])
    opt.apply_gradients(zip(grads, [w]))
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)


def test_eager_adam_matches_graph_adam(tf2):
    opt = tf2.compat.v1.train.AdamOptimizer(0.1)
    w = tf2.Variable(np.array([1.5, -2.0, 0.3], np.float32))
    for _ in range(5):
        with tf2.GradientTape() as tape:
            loss = tf2.reduce_sum(w * w * w) + tf2.reduce_sum(tf2.sin(w))
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
    np.testing.assert_allclose(w.numpy(), TF_AFTER_5["adam"], rtol=1e-6)


# A zero denominator in an update rule is IEEE arithmetic in TF's kernels (0/0 = NaN), never
# an error. tfteach's update loops once compiled with numba's Python error model, which raised
# ZeroDivisionError there (and, checking every division, kept the loops from vectorising:
# Adam over the seed CNN's 3.2M weights took 6.6 ms instead of 2.0). TF 2.21's results, one
# step with a zero gradient and epsilon = 0 (recorded with the oracle: /tmp runs of
# tf.compat.v1.train.*Optimizer and tf.keras.optimizers.*; v1 RMSProp's slot starts at 1).
@pytest.mark.parametrize("name,expected", [("Adam", "nan"), ("Adadelta", "nan"),
                                           ("RMSProp", [1.0, 2.0])])
def test_v1_update_with_zero_denominator_is_nan_not_an_error(tf1, name, expected):
    w = tf1.Variable([1.0, 2.0])
    opt = getattr(tf1.train, name + "Optimizer")(0.1, epsilon=0.0)
    train = opt.minimize(tf1.reduce_sum(w * 0.0))
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        s.run(train)
        got = s.run(w)
    if expected == "nan":
        assert np.isnan(got).all()
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("traced", [False, True])
@pytest.mark.parametrize("make", [
    lambda tf: tf.keras.optimizers.Adam(0.1, epsilon=0.0),
    lambda tf: tf.keras.optimizers.RMSprop(0.1, epsilon=0.0),
    lambda tf: tf.keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.0, epsilon=0.0)])
def test_keras_update_with_zero_denominator_is_nan_not_an_error(tf2, make, traced):
    w = tf2.Variable([1.0, 2.0])
    opt = make(tf2)

    def step():
        opt.apply_gradients([(tf2.zeros([2]), w)])
    (tf2.function(step) if traced else step)()
    assert np.isnan(w.numpy()).all()      # TF 2.21: [nan, nan] in all six cases
