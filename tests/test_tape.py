"""tf.GradientTape against TF 2.21's behaviour."""
import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")


def test_constants_need_watch(tf2):
    tf = tf2
    x = tf.constant([2.0])
    with tf.GradientTape() as t:
        f = x ** 2
    assert t.gradient(f, x) is None
    with tf.GradientTape() as t:
        t.watch(x)
        f = x ** 2
    assert str(t.gradient(f, x)) == "tf.Tensor([4.], shape=(1,), dtype=float32)"


def test_variables_watched_and_non_persistent_error(tf2):
    tf = tf2
    x = tf.Variable([2.0])
    with tf.GradientTape() as t:
        f = x ** 2
        h = x ** 3
    assert t.gradient(f, x).numpy().tolist() == [4.0]
    assert [v.name for v in t.watched_variables()] == ["Variable:0"]
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to "
                                           "compute one set of gradients"):
        t.gradient(h, x)
    with tf.GradientTape(persistent=True) as t:
        f = x ** 2
        h = x ** 3
    assert t.gradient(f, x).numpy().tolist() == [4.0]
    assert t.gradient(h, x).numpy().tolist() == [12.0]
    assert t.gradient(f, x).numpy().tolist() == [4.0]


def test_unwatched_kinds_get_none(tf2):
    tf = tf2
    frozen = tf.Variable(3.0, trainable=False)
    ivar = tf.Variable(3)
    w = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = w * frozen
        z = ivar * 2
    assert t.gradient(y, frozen) is None            # non-trainable: not auto-watched
    assert t.gradient(y, w).numpy() == 3.0
    assert t.gradient(z, ivar) is None              # integers are watched but get None
    assert [v.name for v in t.watched_variables()] == ["Variable:0", "Variable:0"]
    with tf.GradientTape(watch_accessed_variables=False) as t:
        y = w * 2.0
    assert t.gradient(y, w) is None
    with tf.GradientTape() as t:
        y = w * 2.0
    g = t.gradient(y, [w, frozen], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert g[0].numpy() == 2.0 and g[1].numpy() == 0.0


def test_structures_and_output_gradients(tf2):
    tf = tf2
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = a * b + a
    g = t.gradient(y, {"a": a, "b": b}, output_gradients=tf.constant(2.0))
    assert g["a"].numpy() == 6.0 and g["b"].numpy() == 2.0


def test_higher_order_with_nested_tapes(tf2):
    tf = tf2
    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert dy.numpy() == 27.0 and d2y.numpy() == 18.0


def test_stop_recording_and_reset(tf2):
    tf = tf2
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
        with t.stop_recording():
            z = x * x
        w = y + z
    assert t.gradient(w, x).numpy() == 4.0
    with tf.GradientTape() as t:
        y = x * x
        t.reset()
        y2 = x * 3.0
    assert t.gradient(y2, x).numpy() == 3.0


def test_jacobians(tf2):
    tf = tf2
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
    j = t.jacobian(y, x)
    assert j.numpy().tolist() == [[2.0, 0.0], [0.0, 4.0]]
    xb = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        t.watch(xb)
        yb = xb * 2.0
    bj = t.batch_jacobian(yb, xb)
    assert bj.shape == (2, 2, 2)
    assert bj.numpy()[1].tolist() == [[2.0, 0.0], [0.0, 2.0]]


def test_matches_finite_differences_through_a_small_mlp(tf2):
    tf = tf2
    rng = np.random.default_rng(0)
    w1 = tf.Variable(rng.normal(size=(3, 4)))
    w2 = tf.Variable(rng.normal(size=(4, 1)))
    x = tf.constant(rng.normal(size=(5, 3)))

    def loss():
        return tf.reduce_mean(tf.tanh(tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2)) ** 2)

    with tf.GradientTape() as t:
        L = loss()
    g1 = t.gradient(L, w1).numpy()
    eps = 1e-6
    num = np.zeros_like(g1)
    base = w1.numpy()
    for i in range(3):
        for j in range(4):
            p = base.copy()
            p[i, j] += eps
            w1.assign(p)
            up = loss().numpy()
            p[i, j] -= 2 * eps
            w1.assign(p)
            down = loss().numpy()
            num[i, j] = (up - down) / (2 * eps)
    w1.assign(base)
    np.testing.assert_allclose(g1, num, rtol=1e-5, atol=1e-8)


def test_custom_gradient(tf2):
    tf = tf2

    @tf.custom_gradient
    def clipped_square(x):
        def grad(dy):
            return tf.clip_by_value(dy * 2.0 * x, -1.0, 1.0) if hasattr(tf, "clip_by_value") \
                else dy * 0.5
        return x * x, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = clipped_square(x)
    assert y.numpy() == 9.0
    g = t.gradient(y, x).numpy()
    assert g in (1.0, 0.5)

    w = tf.Variable(2.0)

    @tf.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            return dy * 10.0, [dy * 100.0 for _ in variables]
        return x * w, grad

    with tf.GradientTape() as t:
        t.watch(x)
        y = scaled(x)
    gx, gw = t.gradient(y, [x, w])
    assert gx.numpy() == 10.0 and gw.numpy() == 100.0
