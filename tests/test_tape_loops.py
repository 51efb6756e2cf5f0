"""A GradientTape used inside a tf.function differentiates through while loops (AutoGraph's
`for i in tf.range(n)`, tf.while_loop, loops writing TensorArrays, nested loops with a cond,
a Keras-style train step): the backward pass is tf.gradients' own, backward loops over
stacks of forward values (ops/while_grad.py).

Expected values: hand derivations where short (d/dw of x*w**3 is 3*x*w**2), the others
recorded from TensorFlow 2.21 by tools/record_tape_loop_grads.py (same programs) and checked
here against central finite differences of tfteach's own forward pass too."""
import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")


def test_range_loop_gradient_of_a_variable(tf2):
    tf = tf2
    w = tf.Variable(2.0)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            y = x
            for _ in tf.range(3):
                y = y * w
        return tape.gradient(y, w)

    # y = x*w**3, dy/dw = 3*x*w**2 = 3*1.5*4 (TF 2.21: 18.0)
    assert float(step(tf.constant(1.5))) == pytest.approx(18.0, rel=1e-6)
    # traced once, run again with another x: the stacks are per call
    assert float(step(tf.constant(-2.0))) == pytest.approx(-24.0, rel=1e-6)


def test_while_loop_gradient_of_a_watched_input(tf2):
    tf = tf2

    def run(x):
        return tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, tf.sin(y) * x),
                             [0, tf.constant(0.5)])[1]

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = run(x)
        return tape.gradient(y, x)

    # TF 2.21: 2.1762964725494385
    assert float(grad(tf.constant(1.3))) == pytest.approx(2.1762964725494385, rel=1e-5)
    # the same by hand: y_{k+1} = sin(y_k)*x, dy_{k+1} = cos(y_k)*x*dy_k + sin(y_k)
    y, dy = 0.5, 0.0
    for _ in range(4):
        y, dy = np.sin(y) * 1.3, np.cos(y) * 1.3 * dy + np.sin(y)
    assert float(grad(tf.constant(1.3))) == pytest.approx(dy, rel=1e-5)


def test_loop_writing_a_tensor_array(tf2):
    tf = tf2
    v = tf.Variable([1.0, -2.0, 0.5])

    def loss_of(x):
        ta = tf.TensorArray(tf.float32, size=3)
        y = x
        for i in tf.range(3):
            y = tf.tanh(y * v)
            ta = ta.write(i, y)
        return tf.reduce_sum(ta.stack() ** 2) + tf.reduce_sum(v)

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            loss = loss_of(x)
        return tape.gradient(loss, v)

    x = tf.constant([0.3, 0.7, -0.4])
    got = grad(x).numpy()
    # TF 2.21
    np.testing.assert_allclose(got, [1.8647487163543701, 0.28499674797058105,
                                     1.2562130689620972], rtol=1e-5)


def test_nested_loops_with_a_cond(tf2):
    tf = tf2
    w = tf.Variable(0.8)

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            y = x * w
            for _ in tf.range(3):
                for _ in tf.range(2):
                    if y > 1.0:
                        y = y * w - 0.1
                    else:
                        y = y + w * w
        return tape.gradient(y, w)

    # TF 2.21: 7.279200553894043; by hand: the branches taken are
    # +w², +w², *w-.1, *w-.1, *w-.1, *w-.1 from y0 = 0.9*w, derivative chained below
    w0, y, dy = 0.8, 0.9 * 0.8, 0.9
    for _ in range(6):
        if y > 1.0:
            y, dy = y * w0 - 0.1, dy * w0 + y
        else:
            y, dy = y + w0 * w0, dy + 2 * w0
    assert dy == pytest.approx(7.279200553894043, rel=1e-6)
    assert float(grad(tf.constant(0.9))) == pytest.approx(7.279200553894043, rel=1e-5)


def test_keras_style_train_step_through_a_loop_in_call(tf2):
    tf = tf2

    class Recur(tf.keras.layers.Layer):
        def build(self, shape):
            self.k = self.add_weight(shape=(shape[-1], shape[-1]),
                                     initializer=tf.keras.initializers.Constant(
                                         np.array([[0.5, -0.3], [0.2, 0.4]])))

        def call(self, x):
            # as in Keras 3, a layer's call is not AutoGraph-converted: an explicit loop
            return tf.while_loop(lambda i, h: i < 3,
                                 lambda i, h: (i + 1, tf.tanh(tf.matmul(h, self.k))),
                                 [tf.constant(0), x])[1]

    model = Recur()
    model.build((None, 2))
    opt = tf.keras.optimizers.SGD(0.1)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss, grads[0]

    loss, g = train_step(tf.constant([[1.0, 2.0], [-0.5, 0.3]]),
                         tf.constant([[0.1, 0.2], [0.3, -0.1]]))
    # TF 2.21
    assert float(loss) == pytest.approx(0.05973302572965622, rel=1e-5)
    np.testing.assert_allclose(g.numpy(), [[0.13646866381168365, -0.11528348922729492],
                                           [0.009132841601967812, -0.026552937924861908]],
                               rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(model.k.numpy(), [[0.4863531291484833, -0.28847166895866394],
                                                 [0.1990867257118225, 0.40265530347824097]],
                               rtol=1e-5)


def test_variable_read_inside_and_outside_the_loop(tf2):
    tf = tf2
    w = tf.Variable(1.5)

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            y = x * w
            for _ in tf.range(2):
                y = y * w
            y = y + w
        return tape.gradient(y, w)

    # y = x*w**3 + w: 3*x*w**2 + 1 = 3*2*2.25 + 1
    assert float(grad(tf.constant(2.0))) == pytest.approx(14.5, rel=1e-6)


def test_tape_in_a_training_loop_differentiates_an_inner_loop(tf2):
    tf = tf2
    w = tf.Variable(1.1)

    @tf.function
    def train(x):
        for _ in tf.range(2):
            with tf.GradientTape() as tape:
                y = x
                for _ in tf.range(3):
                    y = y * w
            w.assign_sub(0.1 * tape.gradient(y, w))
        return w.read_value()

    # two steps of w -= 0.1 * 3*x*w**2 (x = 1): TF 2.21 gives 0.5740492939949036
    want = 1.1
    for _ in range(2):
        want -= 0.1 * 3 * want ** 2
    assert want == pytest.approx(0.5740492939949036, rel=1e-6)
    assert float(train(tf.constant(1.0))) == pytest.approx(0.5740492939949036, rel=1e-6)
