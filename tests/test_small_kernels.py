"""Small-tensor kernel paths (issue 4): the one-BLAS-thread matmul band and the row-loop
softmax must give the same values as the general paths."""
import numpy as np
import pytest

import tfteach.ops.linalg_ops  # noqa: F401  (declares MatMul before its kernel module loads)

pytestmark = pytest.mark.mode("v2")


def _np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("m,k,n", [(1680, 28, 10), (60, 784, 100), (50, 100, 10),
                                   (784, 50, 100), (300, 300, 300)])
def test_matmul_bands_match_numpy(tf2, m, k, n):
    from tfteach.kernels.cpu import linalg
    rs = np.random.RandomState(0)
    a = rs.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rs.uniform(-1, 1, (k, n)).astype(np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(linalg.matmul2d(a, b), want, rtol=1e-4, atol=1e-4)
    # transposed operands arrive as F-ordered views
    got = tf2.linalg.matmul(a.T.copy(), b, transpose_a=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_matmul_band_restores_blas_threads(tf2):
    from tfteach.kernels.cpu import linalg
    a = np.ones((60, 784), np.float32)
    b = np.ones((784, 100), np.float32)
    linalg.matmul2d(a, b)
    setter = linalg._SET_THREADS
    if setter is None:
        pytest.skip("SciPy's BLAS is not an OpenBLAS with a thread-count setter")
    before = setter(1)
    setter(before)
    linalg.matmul2d(a, b)
    after = setter(before)
    assert after == before


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_short_rows(tf2, dtype):
    rs = np.random.RandomState(1)
    x = (rs.randn(60, 28, 30) * 5).astype(dtype)
    y = tf2.nn.softmax(x).numpy()
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_allclose(y, _np_softmax(x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y.sum(-1), 1, rtol=1e-5)
    long_rows = rs.randn(4, 3000).astype(dtype)
    np.testing.assert_allclose(tf2.nn.softmax(long_rows).numpy(), _np_softmax(long_rows),
                               rtol=1e-5, atol=1e-9)


def test_softmax_minus_inf_and_empty(tf2):
    # TF 2.21 gives [0, 0.26894143, 0.73105854] for a row with -inf
    y = tf2.nn.softmax(np.array([[-np.inf, 0, 1]], np.float32)).numpy()
    np.testing.assert_allclose(y[0], [0, 0.26894143, 0.73105854], rtol=1e-6)
    assert tf2.nn.softmax(np.zeros((3, 0), np.float32)).shape == (3, 0)
