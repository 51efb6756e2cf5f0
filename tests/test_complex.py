"""complex64/complex128 as TF 2.21: values, reprs, errors, graph op types and the conjugate
gradient rules, replayed from tools/record_kinds.py's recording; the TF1 Mandelbrot
iteration (complex variables updated in a session) against NumPy."""
import numpy as np
import pytest

import kinds_oracle

pytestmark = pytest.mark.mode("both")

# cmath in complex64 and Eigen's own formulas may differ in the last float32 digit
APPROX = {"pow", "sigmoid", "sin_cos_tanh", "exp", "log", "sqrt", "reciprocal_sign"}


@pytest.mark.parametrize("name", kinds_oracle.names("complex"))
def test_as_tf(tf2, name):
    kinds_oracle.check("complex", name, approx=name in APPROX)


def test_mandelbrot_iteration_counts_in_a_session(tf1):
    """z <- z*z + c with complex64 variables, counting the steps |z| stays below 4."""
    y, x = np.mgrid[-1.3:1.3:0.1, -2:1:0.1]
    c = (x + 1j * y).astype(np.complex64)
    xs = tf1.constant(c)
    zs = tf1.Variable(xs)
    ns = tf1.Variable(tf1.zeros_like(xs, tf1.float32))
    zs_ = zs * zs + xs
    not_diverged = tf1.abs(zs_) < 4
    step = tf1.group(zs.assign(zs_), ns.assign_add(tf1.cast(not_diverged, tf1.float32)))
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        for _ in range(30):
            sess.run(step)
        got = sess.run(ns)
    z = c.copy()
    want = np.zeros(c.shape, np.float32)
    with np.errstate(over="ignore", invalid="ignore"):     # diverged points overflow
        for _ in range(30):
            z = (z * z + c).astype(np.complex64)
            want += (np.abs(z) < 4).astype(np.float32)
    np.testing.assert_array_equal(got, want)
    assert zs_.dtype == tf1.complex64 and not_diverged.dtype == tf1.bool
    assert tf1.abs(zs_).op.type == "ComplexAbs"


def test_complex_in_tf_function(tf2):
    @tf2.function
    def f(z):
        return tf2.abs(z) + tf2.math.real(z) * tf2.math.imag(z)
    got = f(tf2.constant([3 + 4j, 1 - 1j], tf2.complex64))
    np.testing.assert_allclose(got.numpy(), [5 + 12, np.sqrt(2) - 1], rtol=1e-6)
    ops = {op.type for op in f.get_concrete_function(
        tf2.TensorSpec([2], tf2.complex64)).graph.get_operations()}
    assert {"ComplexAbs", "Real", "Imag"} <= ops



def test_complex_helpers_take_numpy_arrays(tf2):
    # a NumPy array's dtype is not a tf.DType (found by the fuzz suite: tf.abs(ndarray) raised
    # AttributeError); TF converts it like any other value
    x = np.array([1.5, -2.0])
    assert tf2.abs(x).numpy().tolist() == [1.5, 2.0]
    assert tf2.math.conj(x).numpy().tolist() == [1.5, -2.0]
    assert tf2.math.conj(np.array([1 + 2j])).numpy().tolist() == [1 - 2j]
