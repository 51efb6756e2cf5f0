"""GradientTape through the binary ops when only one input is watched: the tape tells the
gradient function which inputs it may skip, and Add/Sub/Mul/Pow take a shortcut when the
skipped y is a scalar. Every path is checked against the derivatives written by hand."""
import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

X = np.array([[0.7, 1.3, 0.4], [1.1, 0.9, 1.6]])
W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])

# op -> (forward, d/dx, d/dy), element-wise, before the broadcast reduction
RULES = {
    "add": (lambda tf, x, y: x + y, lambda x, y: np.ones_like(x * y),
            lambda x, y: np.ones_like(x * y)),
    "sub": (lambda tf, x, y: x - y, lambda x, y: np.ones_like(x * y),
            lambda x, y: -np.ones_like(x * y)),
    "mul": (lambda tf, x, y: x * y, lambda x, y: y + 0 * x, lambda x, y: x + 0 * y),
    "div": (lambda tf, x, y: x / y, lambda x, y: 1 / y + 0 * x, lambda x, y: -x / y ** 2),
    "pow": (lambda tf, x, y: tf.pow(x, y), lambda x, y: y * x ** (y - 1),
            lambda x, y: x ** y * np.log(x)),
    "maximum": (lambda tf, x, y: tf.maximum(x, y), lambda x, y: (x >= y) * 1.0,
                lambda x, y: (x < y) * 1.0),
}


def _reduce_to(g, shape):
    return g.sum(axis=tuple(range(g.ndim))).reshape(shape) if shape == () else \
        g.sum(axis=0, keepdims=True).reshape(shape) if g.shape != shape else g


@pytest.mark.parametrize("op", sorted(RULES))
@pytest.mark.parametrize("y_value", [np.float64(0.8), np.array([1.2, 0.6, 0.9])],
                         ids=["scalar_y", "vector_y"])
@pytest.mark.parametrize("watched", ["x", "y", "both"])
def test_one_input_watched(tf2, op, y_value, watched):
    tf = tf2
    fwd, dfx, dfy = RULES[op]
    x, y = tf.constant(X), tf.constant(y_value)
    with tf.GradientTape() as tape:
        if watched in ("x", "both"):
            tape.watch(x)
        if watched in ("y", "both"):
            tape.watch(y)
        loss = tf.reduce_sum(tf.constant(W) * fwd(tf, x, y))
    sources = {"x": [x], "y": [y], "both": [x, y]}[watched]
    got = tape.gradient(loss, sources)
    want = {"x": W * dfx(X, y_value), "y": _reduce_to(W * dfy(X, y_value),
                                                       np.shape(y_value))}
    for name, g in zip({"x": ["x"], "y": ["y"], "both": ["x", "y"]}[watched], got):
        assert g is not None, f"{op}: no gradient for {name}"
        np.testing.assert_allclose(g.numpy(), want[name], rtol=1e-12, atol=1e-12,
                                   err_msg=f"{op}: gradient for {name}")
        assert g.shape == np.shape(want[name])
