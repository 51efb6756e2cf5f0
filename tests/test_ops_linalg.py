"""MatMul / BatchMatMulV2 / MatrixInverse / transpose helpers against NumPy and TF's names."""
import numpy as np
import pytest

from tfteach import errors
from tfteach.framework import registry

pytestmark = pytest.mark.mode("both")

A = np.arange(6, dtype=np.float32).reshape(2, 3) - 2


def _run(tf, t, feed=None):
    with tf.Session() as s:
        return s.run(t, feed)


def test_matmul_flags_dtypes_and_batch(tf1):
    a = tf1.constant(A, name="a")
    ai = tf1.constant(A.astype(np.int32), name="ai")
    b3 = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    t = {
        "ab_t": tf1.matmul(a, a, transpose_b=True),
        "at_b": tf1.matmul(a, a, transpose_a=True),
        "int": tf1.matmul(ai, ai, transpose_b=True),
        "int64": tf1.matmul(tf1.constant([[2 ** 40]], tf1.int64), tf1.constant([[3]], tf1.int64)),
        "batch": tf1.matmul(tf1.constant(np.ones((2, 2, 3))), tf1.constant(b3)),
        "bcast": tf1.matmul(tf1.constant(b3), tf1.constant(np.ones((4, 2)))),
        "adj": tf1.matmul(tf1.constant(b3), tf1.constant(b3), adjoint_b=True),
        "op": a @ tf1.transpose(a),
        "empty": tf1.matmul(tf1.zeros([2, 0]), tf1.zeros([0, 3])),
    }
    assert t["batch"].op.type == "BatchMatMulV2" and t["batch"].name == "MatMul_4:0"
    assert t["batch"].shape.as_list() == [2, 2, 4] and t["bcast"].shape.as_list() == [2, 3, 2]
    assert t["ab_t"].op.get_attr("transpose_b") and not t["ab_t"].op.get_attr("transpose_a")
    v = _run(tf1, t)
    np.testing.assert_allclose(v["ab_t"], A @ A.T)
    np.testing.assert_allclose(v["at_b"], A.T @ A)
    assert v["int"].dtype == np.int32
    np.testing.assert_array_equal(v["int"], A.astype(np.int32) @ A.astype(np.int32).T)
    assert v["int64"].tolist() == [[3 * 2 ** 40]]
    np.testing.assert_allclose(v["batch"], np.ones((2, 2, 3)) @ b3)
    np.testing.assert_allclose(v["bcast"], b3 @ np.ones((4, 2)))
    np.testing.assert_allclose(v["adj"], b3 @ np.swapaxes(b3, 1, 2))
    np.testing.assert_allclose(v["op"], A @ A.T)
    assert v["empty"].shape == (2, 3) and not v["empty"].any()


def test_matmul_large_uses_blas_and_matches(tf1):
    rng = np.random.default_rng(1)
    a = rng.random((130, 70), dtype=np.float32)
    b = rng.random((70, 90), dtype=np.float32)
    pa, pb = tf1.placeholder(tf1.float32), tf1.placeholder(tf1.float32)
    got = _run(tf1, tf1.matmul(pa, pb, transpose_a=True), {pa: a.T.copy(), pb: b})
    np.testing.assert_allclose(got, a @ b, rtol=1e-5)


def test_matmul_errors(tf1):
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2 for "
                                         "'{{node MatMul}} = MatMul\\[T=DT_FLOAT"):
        tf1.matmul(tf1.zeros([2, 3]), tf1.zeros([2, 3]))
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type int32 that does not "
                                        "match type float32 of argument 'a'"):
        tf1.matmul(tf1.zeros([2, 3]), tf1.zeros([3, 2], tf1.int32))
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf1.matmul(tf1.zeros([3]), tf1.zeros([3, 3]))
    p = tf1.placeholder(tf1.float32, [None, None])
    with pytest.raises(errors.InvalidArgumentError, match="Matrix size-incompatible"):
        _run(tf1, tf1.matmul(p, tf1.zeros([2, 3])), {p: np.zeros((2, 3), np.float32)})


def test_matrix_inverse_and_determinant(tf1):
    m = np.array([[2., 1], [1, 3]], np.float32)
    inv = tf1.matrix_inverse(tf1.constant(m))
    assert (inv.name, inv.op.type) == ("MatrixInverse:0", "MatrixInverse")
    batch = tf1.matrix_inverse(tf1.constant(np.stack([m, 2 * m])))
    det = tf1.matrix_determinant(tf1.constant(m))
    v = _run(tf1, [inv, batch, det])
    np.testing.assert_allclose(v[0], np.linalg.inv(m), rtol=1e-6)
    np.testing.assert_allclose(v[1], np.linalg.inv(np.stack([m, 2 * m])), rtol=1e-6)
    np.testing.assert_allclose(v[2], 5.0, rtol=1e-6)
    assert not np.signbit(_run(tf1, tf1.matrix_inverse(tf1.eye(2) * 2))).any()   # TF: 0.0
    with pytest.raises(errors.InvalidArgumentError, match="Input is not invertible."):
        _run(tf1, tf1.matrix_inverse(tf1.constant([[1., 2], [2, 4]])))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf1.matrix_inverse(tf1.zeros([2, 3]))


def test_transpose_helpers(tf1):
    x = tf1.constant(np.arange(24, dtype=np.int32).reshape(2, 3, 4), name="x")
    mt = tf1.matrix_transpose(x)
    assert mt.name == "matrix_transpose/transpose:0" and mt.shape.as_list() == [2, 4, 3]
    td = tf1.tensordot(tf1.constant(A), tf1.constant(A), [[1], [1]])
    assert td.name == "Tensordot/MatMul:0"
    td3 = tf1.tensordot(tf1.cast(x, tf1.float32), tf1.constant(np.ones((4, 5), np.float32)), 1)
    assert td3.shape.as_list() == [2, 3, 5]
    v = _run(tf1, [mt, td, td3])
    np.testing.assert_array_equal(v[0], np.swapaxes(np.arange(24).reshape(2, 3, 4), 1, 2))
    np.testing.assert_allclose(v[1], A @ A.T)
    np.testing.assert_allclose(v[2], np.arange(24).reshape(2, 3, 4) @ np.ones((4, 5)))


def test_eager_linalg(tf2):
    from tfteach.ops import linalg_ops as L
    np.testing.assert_allclose(L.matmul(tf2.constant(A), tf2.constant(A.T)).numpy(), A @ A.T)
    with pytest.raises(errors.InvalidArgumentError, match="not invertible"):
        L.matrix_inverse([[0., 0], [0, 0]])


def test_kernels_are_numba():
    import tfteach.v1  # noqa: F401
    from tfteach.kernels.cpu import linalg
    assert hasattr(linalg._dot, "py_func") and hasattr(linalg._dot_int, "py_func")
    assert registry.get_kernel("MatMul").__module__ == "tfteach.kernels.cpu.linalg"
