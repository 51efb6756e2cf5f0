"""The division family beside TF 2.21's values: truncating integer `Div`/`TruncateDiv`/
`TruncateMod`, and the ops that define x/0 or 0*log(0)."""
import numpy as np
import pytest

from tfteach.framework.op_def_library import apply_op

pytestmark = pytest.mark.mode("v2")


def _run(tf, op_type, x, y):
    return apply_op(op_type, [tf.constant(x), tf.constant(y)])[0].numpy()


def test_truncating_division(tf2):
    tf = tf2
    np.testing.assert_array_equal(_run(tf, "Div", [-7, 7], [2, -2]), [-3, -3])
    np.testing.assert_allclose(_run(tf, "Div", [-7., 7.], [2., -2.]), [-3.5, -3.5])
    np.testing.assert_array_equal(_run(tf, "TruncateDiv", [-7, 7], [2, -2]), [-3, -3])
    np.testing.assert_allclose(_run(tf, "TruncateDiv", [-7.5], [2.]), [-3.])
    np.testing.assert_array_equal(_run(tf, "TruncateMod", [-7, 7], [2, -2]), [-1, 1])
    np.testing.assert_allclose(_run(tf, "TruncateMod", [-7.5], [2.]), [-1.5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        _run(tf, "Div", [1], [0])


def test_no_nan_and_xlogy_family(tf2):
    tf = tf2
    np.testing.assert_allclose(
        tf.math.divide_no_nan(tf.constant([1., 0., -1.]), tf.constant([0., 0., 2.])),
        [0., 0., -0.5])
    np.testing.assert_allclose(
        tf.math.multiply_no_nan(tf.constant([np.inf, 2.]), tf.constant([0., 3.])), [0., 6.])
    np.testing.assert_allclose(tf.math.xdivy(tf.constant([0., 1.]), tf.constant([0., 2.])),
                               [0., 0.5])
    np.testing.assert_allclose(tf.math.xlogy(tf.constant([0., 2.]), tf.constant([0., 3.])),
                               [0., 2 * np.log(3.)], rtol=1e-6)
    np.testing.assert_allclose(tf.math.atan2(tf.constant([1.]), tf.constant([-1.])),
                               [np.arctan2(1., -1.)], rtol=1e-6)
