"""Winograd's minimal filtering for stride-1 3x3 and 5x5 float32 convolutions
(tfteach/kernels/cpu/winograd.py): the transform matrices against the correlation they
stand for, conv2d and both gradients against float64 loops written from the definition
(every kind of tile: borders, tiles past the output's edge, VALID, one image, ragged channel
counts, NCHW), the fused bias and Relu, non-finite values (the direct sum's infinities, not
Winograd's NaNs), the same bits for every thread count, and the switch that turns it off."""
import numpy as np
import pytest

from tfteach.kernels.cpu import nn, winograd

from test_conv_classes import (_geometry, _reference,
                               assert_fused_bias_relu_gives_the_ops_bits,
                               assert_same_bits_on_1_2_3_threads)

pytestmark = pytest.mark.mode("none")


@pytest.fixture(autouse=True)
def _own_gemm_everywhere(monkeypatch):
    """The path runs wherever float32 does, also on a CPU without AVX-512 (where tfteach
    picks BLAS for speed): the kernels are plain numba either way."""
    monkeypatch.setattr(nn, "_own_gemm", lambda dtype: dtype == np.float32)
    monkeypatch.delenv("TFTEACH_WINOGRAD", raising=False)


@pytest.mark.parametrize("r,table", [(r, t) for t in ("MATRICES", "GRAD_MATRICES")
                                     for r in (3, 5)])
def test_matrices_compute_the_correlation(r, table):
    """y = A^T ((G g) * (B^T d)) is y[i] = sum_j g[j] d[i + j], in 1-D and (applied on both
    axes) in 2-D, to float64 rounding: the forward pass's F(4, r) and the filter
    gradient's F(r, 4), whose B^T is the forward pass's."""
    at, g_mat, bt = getattr(winograd, table)[r]
    if table == "GRAD_MATRICES":
        np.testing.assert_array_equal(bt, winograd.MATRICES[r][2])
        r = 4                                     # the "filter" is a 4x4 tile of dy
    m, a = at.shape
    rs = np.random.RandomState(r)
    for _ in range(5):
        g = rs.randn(r)
        d = rs.randn(a)
        want = [sum(g[j] * d[i + j] for j in range(r)) for i in range(m)]
        got = at.astype(np.float64) @ ((g_mat @ g) * (bt.astype(np.float64) @ d))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        g2, d2 = rs.randn(r, r), rs.randn(a, a)
        want2 = [[np.sum(g2 * d2[i:i + r, j:j + r]) for j in range(m)] for i in range(m)]
        u = g_mat @ g2 @ g_mat.T
        v = bt.astype(np.float64) @ d2 @ bt.astype(np.float64).T
        np.testing.assert_allclose(at @ (u * v) @ at.T, want2, rtol=0, atol=1e-11)
    assert a == m + r - 1 and bt.shape == (a, a) and g_mat.shape == (a, r)


def _run(x, f, dy, pad):
    st = [1, 1, 1, 1]
    y = nn.conv2d(x, f, strides=st, padding=pad)
    dw = nn.conv2d_backprop_filter(x, np.array(f.shape), dy, strides=st, padding=pad)
    dx = nn.conv2d_backprop_input(np.array(x.shape), f, dy, strides=st, padding=pad)
    return y, dw, dx


def _close(got, want, k):
    """Winograd's float32 error measured on these shapes is 2-20x the direct sum's, whose
    bound the class tests use (2e-6 * sqrt(k) of the output's scale): 1e-5 here."""
    assert got.dtype == np.float32 and got.shape == want.shape
    tol = 1e-5 * max(1, k) ** 0.5 * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)


CASES = [
    # x shape, filter shape, padding
    ((2, 14, 14, 32), (5, 5, 32, 64), "SAME"),       # the seed CNN's conv2 (+ its dx: O=32)
    ((2, 28, 28, 32), (3, 3, 32, 64), "SAME"),       # the anchor's 3x3: whole 4x4 tiles
    ((1, 13, 11, 20), (3, 3, 20, 40), "SAME"),       # tiles past the edge, ragged C and O
    ((2, 13, 14, 16), (5, 5, 16, 33), "VALID"),      # VALID, O just past a panel
    ((3, 8, 8, 17), (5, 5, 17, 100), "SAME"),        # two panels, the second ragged
    ((1, 12, 11, 48), (3, 3, 48, 16), "VALID"),      # the narrow tile for O = 16
    ((2, 10, 10, 64), (5, 5, 64, 64), "SAME"),       # dx with 64 channels each way
]


@pytest.mark.parametrize("xs,fs,pad", CASES)
def test_matches_float64_definition(xs, fs, pad):
    rs = np.random.RandomState(sum(xs) + sum(fs))
    x = rs.uniform(-1, 1, xs).astype(np.float32)
    f = rs.uniform(-1, 1, fs).astype(np.float32)
    oh, ow, _, _ = _geometry(xs, fs, (1, 1), (1, 1), pad)
    dy = rs.uniform(-1, 1, (xs[0], oh, ow, fs[3])).astype(np.float32)
    g = nn._Geometry(xs, fs, [1, 1, 1, 1], [1, 1, 1, 1], pad, "t")
    assert winograd.applies(g)
    y, dw, dx = _run(x, f, dy, pad)
    ry, rdw, rdx = _reference(x, f, dy, (1, 1), (1, 1), pad)
    _close(y, ry, fs[0] * fs[1] * fs[2])
    _close(dw, rdw, xs[0] * oh * ow)
    _close(dx, rdx, fs[0] * fs[1] * fs[3])


def test_it_is_the_path_taken(monkeypatch):
    """The switch gives the direct sums, whose rounding differs: Winograd really ran, for
    the forward pass and both gradients."""
    rs = np.random.RandomState(3)
    x = rs.uniform(-1, 1, (2, 14, 14, 32)).astype(np.float32)
    f = rs.uniform(-1, 1, (5, 5, 32, 64)).astype(np.float32)
    dy = rs.uniform(-1, 1, (2, 14, 14, 64)).astype(np.float32)
    wino = _run(x, f, dy, "SAME")
    monkeypatch.setenv("TFTEACH_WINOGRAD", "0")
    direct = _run(x, f, dy, "SAME")
    for a, b in zip(wino, direct):
        assert not np.array_equal(a, b)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-3 * np.abs(b).max())


@pytest.mark.parametrize("shape,s,d", [((5, 5, 32, 64), (2, 2), (1, 1)),
                                       ((5, 5, 32, 64), (1, 1), (2, 2)),
                                       ((3, 5, 32, 64), (1, 1), (1, 1)),
                                       ((7, 7, 32, 64), (1, 1), (1, 1)),
                                       ((3, 3, 8, 64), (1, 1), (1, 1)),
                                       ((3, 3, 32, 8), (1, 1), (1, 1)),
                                       ((3, 3, 768, 512), (1, 1), (1, 1))])
def test_other_convolutions_sum_directly(shape, s, d):
    g = nn._Geometry((2, 14, 14, shape[2]), shape, [1, *s, 1], [1, *d, 1], "SAME", "t")
    assert not winograd.applies(g)


def test_fused_bias_and_relu_are_the_ops_bits():
    rs = np.random.RandomState(4)
    x = rs.uniform(-1, 1, (2, 14, 14, 32)).astype(np.float32)
    f = rs.uniform(-1, 1, (5, 5, 32, 64)).astype(np.float32)
    b = rs.uniform(-1, 1, 64).astype(np.float32)
    b[3] = -np.inf
    assert_fused_bias_relu_gives_the_ops_bits(x, f, b)


@pytest.mark.parametrize("where", ["input", "filter"])
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_non_finite_values_get_the_direct_sums_result(monkeypatch, where, value):
    """Winograd's transforms would spread one inf over its whole tile as NaN (inf - inf);
    the direct sum gives +-inf where the window holds it, NaN only where it meets a zero."""
    rs = np.random.RandomState(5)
    x = rs.uniform(-1, 1, (2, 14, 14, 32)).astype(np.float32)
    f = rs.uniform(-1, 1, (5, 5, 32, 64)).astype(np.float32)
    if where == "input":
        x[1, 6, 7, 3] = value
    else:
        f[2, 1, 5, 9] = value
    dy = rs.uniform(-1, 1, (2, 14, 14, 64)).astype(np.float32)
    if where == "filter":
        dy[0, 3, 4, 7] = value                      # the filter gradient's other input
    got = _run(x, f, dy, "SAME")
    monkeypatch.setenv("TFTEACH_WINOGRAD", "0")
    want = _run(x, f, dy, "SAME")
    touched = (0, 1) if where == "input" else (0, 1, 2)     # dx does not read x
    for i in touched:
        np.testing.assert_array_equal(got[i], want[i])
    if value == np.inf and where == "input":
        assert np.isfinite(got[0][0]).all() and np.isinf(got[0][1]).any()


def test_overflow_in_the_transform_gets_the_direct_sum(monkeypatch):
    """Values near float32's limit overflow inside B^T d B where the direct sum does not."""
    rs = np.random.RandomState(6)
    x = rs.uniform(-1, 1, (1, 8, 8, 16)).astype(np.float32) * np.float32(1e38)
    f = np.zeros((3, 3, 16, 16), np.float32)
    f[1, 1] = np.eye(16, dtype=np.float32)           # the identity: y = x exactly
    got = nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME")
    np.testing.assert_array_equal(got, x)


def test_same_bits_for_any_thread_count():
    rs = np.random.RandomState(7)
    x = rs.uniform(-1, 1, (9, 14, 14, 32)).astype(np.float32)
    f = rs.uniform(-1, 1, (5, 5, 32, 64)).astype(np.float32)
    dy = rs.uniform(-1, 1, (9, 14, 14, 64)).astype(np.float32)
    assert_same_bits_on_1_2_3_threads(lambda: _run(x, f, dy, "SAME"))


def test_nchw():
    rs = np.random.RandomState(8)
    x = rs.uniform(-1, 1, (2, 32, 12, 10)).astype(np.float32)       # N, C, H, W
    f = rs.uniform(-1, 1, (3, 3, 32, 48)).astype(np.float32)
    y = nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME", data_format="NCHW")
    dy = np.zeros((2, 12, 10, 48), np.float32)
    ry, _, _ = _reference(x.transpose(0, 2, 3, 1), f, dy, (1, 1), (1, 1), "SAME")
    _close(y, ry.transpose(0, 3, 1, 2), 288)
