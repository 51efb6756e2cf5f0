"""MaxPoolGrad's channel-wise kernel (tfteach/kernels/cpu/nn.py) against a float64 loop
written from the rule: each window's gradient goes to its first maximum in row-major order
(a NaN after the first tap never wins; a NaN first tap keeps the window), overlapping
windows add up. Ties, NaN, -inf, SAME padding and overlapping strides; several threads."""
import numpy as np
import pytest

from tfteach.kernels.cpu import nn, threads
from tfteach.kernels.shapes import conv_padding

pytestmark = pytest.mark.mode("none")


def _reference(x, g, k, s, pad):
    n, h, w, c = x.shape
    oh, pt = conv_padding(h, k, s, 1, pad)
    ow, pl = conv_padding(w, k, s, 1, pad)
    out = np.zeros(x.shape)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best = None
                    for a in range(k):
                        for q in range(k):
                            y, xx = i * s - pt + a, j * s - pl + q
                            if 0 <= y < h and 0 <= xx < w:
                                v = x[b, y, xx, ch]
                                if best is None or v > best[0]:
                                    best = (v, y, xx)
                    if best is not None:
                        out[b, best[1], best[2], ch] += g[b, i, j, ch]
    return out


@pytest.mark.parametrize("shape,k,s,pad", [((2, 8, 8, 19), 2, 2, "VALID"),
                                           ((2, 7, 7, 5), 3, 1, "SAME"),
                                           ((1, 9, 6, 33), 3, 2, "SAME")])
def test_max_pool_grad_first_maximum(shape, k, s, pad):
    rs = np.random.RandomState(k + s)
    x = rs.randint(-3, 3, shape).astype(np.float32)      # many ties
    x[0, 0, 0, :3] = np.nan
    x[0, 1, 1, 3:6] = np.nan
    x[-1, 2, 2, :] = -np.inf
    st = [1, s, s, 1]
    y = nn.max_pool(x, ksize=[1, k, k, 1], strides=st, padding=pad)
    g = rs.uniform(-1, 1, y.shape).astype(np.float32)
    want = _reference(x, g.astype(np.float64), k, s, pad)
    old = threads._PAR_MIN_WORK
    threads._PAR_MIN_WORK = 1
    try:
        for n in (1, 2):
            with threads.session_threads(n):
                got = nn.max_pool_grad(x, y, g, ksize=[1, k, k, 1], strides=st, padding=pad)
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    finally:
        threads._PAR_MIN_WORK = old


@pytest.mark.parametrize("shape", [(50, 28, 28, 32), (3, 5), (2, 3, 4, 1), (1, 7)])
def test_bias_add_grad_sums_rows_in_order(shape):
    # the same additions, in the same order, as summing row after row in float32
    rs = np.random.RandomState(len(shape))
    g = rs.uniform(-1, 1, shape).astype(np.float32)
    g.reshape(-1)[::7] = 1e7                         # order-sensitive magnitudes
    want = np.zeros(shape[-1], np.float32)
    for row in g.reshape(-1, shape[-1]):
        want = want + row
    got = nn.bias_add_grad(g)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    rows = g.reshape(-1, shape[-1]).astype(np.float64)
    bound = rows.shape[0] * 2.0 ** -24 * np.abs(rows).sum(0)    # sequential summation's
    assert (np.abs(got - rows.sum(0)) <= bound).all()            # worst-case rounding
