"""A non-finite filter value (or output gradient) meets the padding: TF's kernels never
multiply the padding, so the outputs whose window puts that tap outside the image stay
finite, where a sum over a zero-padded window would give inf * 0 = NaN. Checked on every
forward path (direct for few channels, padding-free classes, Winograd, im2col) against
values counted by hand, as TF 2.21 gives them (ones everywhere but one inf)."""
import numpy as np
import pytest

from tfteach.kernels.cpu import gemm, nn

pytestmark = pytest.mark.mode("none")


@pytest.fixture(params=["own", "blas"])
def path(request, monkeypatch):
    monkeypatch.setattr(gemm, "available", lambda: request.param == "own")
    monkeypatch.setattr(nn, "_own_gemm",
                        lambda dtype: request.param == "own" and dtype == np.float32)
    return request.param


def _valid_taps(n, k, pad):
    """valid[i, t]: tap t of output i (stride 1) reads inside an input of n."""
    return np.array([[0 <= i - pad + t < n for t in range(k)] for i in range(n)])


@pytest.mark.parametrize("c,o", [(1, 32), (3, 20), (16, 32), (32, 64)])
def test_forward_leaves_the_borders_finite(path, c, o):
    x = np.ones((2, 9, 9, c), np.float32)
    f = np.ones((3, 3, c, o), np.float32)
    f[0, 0, 0, 0] = np.inf
    y = nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME")
    v = _valid_taps(9, 3, 1)
    count = v.sum(1)[:, None] * v.sum(1)[None, :] * c
    want0 = np.where(v[:, 0][:, None] & v[:, 0][None, :], np.inf, count)
    np.testing.assert_array_equal(y[:, :, :, 0], np.broadcast_to(want0, (2, 9, 9)))
    np.testing.assert_array_equal(y[:, :, :, 1:], np.broadcast_to(count[..., None],
                                                                   (2, 9, 9, o - 1)))
    b = np.zeros(o, np.float32)
    fused = nn.conv2d_epilogue(x, f, b, strides=[1, 1, 1, 1], padding="SAME",
                               data_format="NHWC", dilations=[1, 1, 1, 1], relu=True)
    np.testing.assert_array_equal(fused, y)


@pytest.mark.parametrize("c,o", [(1, 32), (16, 32)])
def test_filter_gradient_leaves_the_far_taps_finite(path, c, o):
    x = np.ones((1, 9, 9, c), np.float32)
    dy = np.ones((1, 9, 9, o), np.float32)
    dy[0, 0, 0, 0] = np.inf
    dw = nn.conv2d_backprop_filter(x, np.array([3, 3, c, o]), dy, strides=[1, 1, 1, 1],
                                   padding="SAME")
    v = _valid_taps(9, 3, 1)
    count = v.sum(0)[:, None] * v.sum(0)[None, :]           # outputs reading inside, per tap
    # output pixel (0, 0) reads inside the image only through taps a >= 1, b >= 1
    want0 = np.where(v[0][:, None] & v[0][None, :], np.inf, count)
    np.testing.assert_array_equal(dw[:, :, :, 0], np.broadcast_to(want0[..., None], (3, 3, c)))
    np.testing.assert_array_equal(dw[:, :, :, 1:],
                                  np.broadcast_to(count[..., None, None], (3, 3, c, o - 1)))
