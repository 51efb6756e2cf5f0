"""conv2d's padding-free path (tfteach/kernels/cpu/nn.py, "padding-free tiling"): output
pixels grouped by the filter taps that fall inside the image, each group one GEMM over its
valid taps only. Values and both gradients against float64 loops written from the
definition, on shapes that make every kind of group (border rows and columns, corners,
strides that skip padding, dilation, VALID with no padding at all, one image, ragged
channel counts), NCHW, and the same bits for every thread count."""
import numpy as np
import pytest

from tfteach.kernels.cpu import nn, threads
from tfteach.kernels.shapes import conv_padding

pytestmark = pytest.mark.mode("none")


@pytest.fixture(autouse=True)
def _classes_everywhere(monkeypatch):
    """The path runs wherever float32 has 8+ input channels, also on a CPU without AVX-512
    (where tfteach picks BLAS for speed): the kernels are plain numba either way."""
    monkeypatch.setattr(nn, "_use_classes",
                        lambda wdt, g: wdt == np.float32 and g.c >= 8)
    monkeypatch.setenv("TFTEACH_WINOGRAD", "0")    # tests/test_winograd.py has those


def _geometry(xs, fs, s, d, pad):
    n, h, w, c = xs
    kh, kw, _, o = fs
    oh, pt = conv_padding(h, kh, s[0], d[0], pad)
    ow, pl = conv_padding(w, kw, s[1], d[1], pad)
    return oh, ow, pt, pl


def _taps(xs, fs, s, d, pad):
    """(a, b, i, j, y, x) for every filter tap of every output pixel inside the image."""
    n, h, w, c = xs
    kh, kw, _, o = fs
    oh, ow, pt, pl = _geometry(xs, fs, s, d, pad)
    for a in range(kh):
        for b in range(kw):
            for i in range(oh):
                y = i * s[0] - pt + a * d[0]
                if not 0 <= y < h:
                    continue
                for j in range(ow):
                    xx = j * s[1] - pl + b * d[1]
                    if 0 <= xx < w:
                        yield a, b, i, j, y, xx


def _reference(x, f, dy, s, d, pad):
    """y = conv(x, f); dW = d<dy, y>/df; dX = d<dy, y>/dx, all in float64."""
    x, f, dy = x.astype(np.float64), f.astype(np.float64), dy.astype(np.float64)
    oh, ow, _, _ = _geometry(x.shape, f.shape, s, d, pad)
    y = np.zeros((x.shape[0], oh, ow, f.shape[3]))
    dw = np.zeros(f.shape)
    dx = np.zeros(x.shape)
    for a, b, i, j, yy, xx in _taps(x.shape, f.shape, s, d, pad):
        y[:, i, j] += x[:, yy, xx] @ f[a, b]
        dw[a, b] += x[:, yy, xx].T @ dy[:, i, j]
        dx[:, yy, xx] += dy[:, i, j] @ f[a, b].T
    return y, dw, dx


def _run(x, f, dy, s, d, pad):
    st, dl = [1, s[0], s[1], 1], [1, d[0], d[1], 1]
    y = nn.conv2d(x, f, strides=st, padding=pad, dilations=dl)
    dw = nn.conv2d_backprop_filter(x, np.array(f.shape), dy, strides=st, padding=pad,
                                   dilations=dl)
    dx = nn.conv2d_backprop_input(np.array(x.shape), f, dy, strides=st, padding=pad,
                                  dilations=dl)
    return y, dw, dx


def _close(got, want, k):
    assert got.dtype == np.float32 and got.shape == want.shape
    tol = 2e-6 * max(1, k) ** 0.5 * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)


CASES = [
    # x shape, filter shape, strides, dilations, padding
    ((2, 14, 14, 32), (5, 5, 32, 64), (1, 1), (1, 1), "SAME"),     # the seed CNN's conv2
    ((1, 5, 5, 32), (5, 5, 32, 64), (1, 1), (1, 1), "SAME"),       # N=1, every pixel a border
    ((3, 9, 11, 16), (3, 3, 16, 70), (2, 2), (1, 1), "SAME"),      # stride 2, ragged O
    ((2, 10, 9, 8), (3, 5, 8, 64), (1, 1), (2, 2), "SAME"),        # dilation, uncompacted cols
    ((2, 7, 8, 20), (3, 3, 20, 128), (1, 2), (1, 1), "VALID"),     # one class, two panels
    ((2, 6, 7, 24), (4, 4, 24, 64), (3, 2), (1, 1), "SAME"),       # even filter: uneven pads
    ((1, 13, 3, 17), (5, 3, 17, 33), (1, 1), (1, 1), "SAME"),      # O < 64: forward's old path
    ((2, 4, 4, 16), (3, 3, 16, 64), (1, 1), (3, 3), "SAME"),       # dilation past the image
    ((7, 3, 5, 9), (1, 1, 9, 65), (1, 1), (1, 1), "SAME"),         # 1x1, K = C
    # narrow window rows (kw*C < 16): im2col filled a column at a time (_fill_cols_narrow)
    ((3, 28, 28, 1), (5, 5, 1, 32), (1, 1), (1, 1), "SAME"),       # the seed CNN's conv1
    ((2, 11, 13, 3), (3, 3, 3, 16), (2, 2), (1, 1), "SAME"),       # RGB, stride 2
    ((2, 12, 10, 2), (5, 5, 2, 8), (1, 1), (2, 2), "VALID"),       # dilation, no padding
    ((2, 9, 17, 1), (7, 1, 1, 5), (2, 3), (1, 1), "SAME"),         # tall filter, uneven strides
    ((1, 6, 9, 3), (2, 5, 3, 64), (1, 1), (1, 2), "SAME"),         # dilated columns past edges
    # stride 1, 32+ input channels: the input gradient as a forward conv of dy (turned-round
    # filter, pads (k-1)*d - p) on the padding-free path (_dx_as_forward)
    ((2, 8, 9, 40), (3, 3, 40, 24), (1, 1), (1, 1), "SAME"),       # C = 40: padded 64 tile
    ((2, 9, 8, 32), (4, 2, 32, 16), (1, 1), (1, 1), "SAME"),       # even filter: uneven pads
    ((2, 9, 10, 32), (3, 3, 32, 8), (1, 1), (2, 3), "SAME"),       # dilation, O = 8
    ((3, 7, 9, 64), (3, 2, 64, 12), (1, 1), (1, 1), "VALID"),      # VALID: dy fully padded
    ((1, 10, 5, 33), (5, 5, 33, 10), (1, 1), (2, 1), "VALID"),     # one output column
]


@pytest.mark.parametrize("xs,fs,s,d,pad", CASES)
def test_classes_match_float64_definition(xs, fs, s, d, pad):
    rs = np.random.RandomState(sum(xs) + sum(fs))
    x = rs.uniform(-1, 1, xs).astype(np.float32)
    f = rs.uniform(-1, 1, fs).astype(np.float32)
    oh, ow, _, _ = _geometry(xs, fs, s, d, pad)
    dy = rs.uniform(-1, 1, (xs[0], oh, ow, fs[3])).astype(np.float32)
    y, dw, dx = _run(x, f, dy, s, d, pad)
    ry, rdw, rdx = _reference(x, f, dy, s, d, pad)
    _close(y, ry, fs[0] * fs[1] * fs[2])
    _close(dw, rdw, xs[0] * oh * ow)
    _close(dx, rdx, fs[0] * fs[1] * fs[3])


def test_input_gradient_path_is_taken_where_documented():
    g = nn._Geometry((2, 14, 14, 32), (5, 5, 32, 64), [1, 1, 1, 1], [1, 1, 1, 1], "SAME", "t")
    t = g.input_gradient()
    assert (t.h, t.w, t.c, t.o, t.oh, t.ow, t.pt, t.pl) == (14, 14, 64, 32, 14, 14, 2, 2)
    assert nn._dx_as_forward(np.dtype(np.float32), g)
    s2 = nn._Geometry((2, 14, 14, 32), (5, 5, 32, 64), [1, 2, 2, 1], [1, 1, 1, 1], "SAME", "t")
    few = nn._Geometry((2, 14, 14, 16), (5, 5, 16, 64), [1, 1, 1, 1], [1, 1, 1, 1], "SAME", "t")
    assert not nn._dx_as_forward(np.dtype(np.float32), s2)
    assert not nn._dx_as_forward(np.dtype(np.float32), few)


def test_classes_cover_every_pixel_once_with_its_valid_taps():
    g = nn._Geometry((2, 14, 14, 32), (5, 5, 32, 64), [1, 1, 1, 1], [1, 1, 1, 1], "SAME", "t")
    cls = nn._tap_classes(g)
    seen = np.zeros((14, 14), int)
    for ilo, ihi, a0, a1, jlo, jhi, b0, b1, full in cls:
        seen[ilo:ihi, jlo:jhi] += 1
        for i in range(ilo, ihi):
            assert (a0, a1) == (max(0, 2 - i), min(5, 16 - i))
            for j in range(jlo, jhi):
                if not full:
                    assert (b0, b1) == (max(0, 2 - j), min(5, 16 - j))
    assert (seen == 1).all()
    # the interior rows compact their border columns; border rows keep whole windows
    assert {tuple(c[[0, 1, 8]]) for c in cls} >= {(2, 12, 0), (0, 1, 1), (13, 14, 1)}
    assert nn._use_classes(np.dtype(np.float32), g)


@pytest.mark.parametrize("xs,fs,s,pad", [((9, 14, 14, 32), (5, 5, 32, 64), (1, 1), "SAME"),
                                         ((13, 6, 7, 16), (3, 3, 16, 96), (2, 1), "SAME")])
def test_same_bits_for_any_thread_count(xs, fs, s, pad):
    rs = np.random.RandomState(5)
    x = rs.uniform(-1, 1, xs).astype(np.float32)
    f = rs.uniform(-1, 1, fs).astype(np.float32)
    oh, ow, _, _ = _geometry(xs, fs, s, (1, 1), pad)
    dy = rs.uniform(-1, 1, (xs[0], oh, ow, fs[3])).astype(np.float32)
    assert_same_bits_on_1_2_3_threads(lambda: _run(x, f, dy, s, (1, 1), pad))


def assert_fused_bias_relu_gives_the_ops_bits(x, f, b):
    """conv2d_epilogue (Conv2D -> BiasAdd -> Relu fused) equals the three ops run one by one,
    bit for bit (b may hold -inf: Relu's rule then gives 0)."""
    kw = dict(strides=[1, 1, 1, 1], padding="SAME", data_format="NHWC",
              dilations=[1, 1, 1, 1])
    fused = nn.conv2d_epilogue(x, f, b, relu=True, **kw)
    plain = nn.bias_add(nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME"), b)
    np.testing.assert_array_equal(fused, np.where(plain < 0, 0, plain))
    return fused


def assert_same_bits_on_1_2_3_threads(run):
    """run() (a tuple of arrays) on 1, 2 and 3 intra-op threads gives the same bits; small
    enough shapes still go to the threads."""
    old = threads._PAR_MIN_WORK
    threads._PAR_MIN_WORK = 1
    try:
        runs = []
        for n in (1, 2, 3):
            with threads.session_threads(n):
                runs.append(run())
    finally:
        threads._PAR_MIN_WORK = old
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)


def test_nchw_takes_the_same_path():
    rs = np.random.RandomState(7)
    x = rs.uniform(-1, 1, (2, 16, 9, 10)).astype(np.float32)       # N, C, H, W
    f = rs.uniform(-1, 1, (3, 3, 16, 64)).astype(np.float32)
    dy = rs.uniform(-1, 1, (2, 64, 5, 5)).astype(np.float32)
    kw = dict(strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW")
    y = nn.conv2d(x, f, **kw)
    dw = nn.conv2d_backprop_filter(x, np.array(f.shape), dy, **kw)
    dx = nn.conv2d_backprop_input(np.array(x.shape), f, dy, **kw)
    xn, dyn = x.transpose(0, 2, 3, 1), dy.transpose(0, 2, 3, 1)
    ry, rdw, rdx = _reference(xn, f, dyn, (2, 2), (1, 1), "SAME")
    _close(y, ry.transpose(0, 3, 1, 2), 144)
    _close(dw, rdw, 50)
    _close(dx, rdx.transpose(0, 3, 1, 2), 576)


@pytest.mark.parametrize("xs,fs,s,d,pad", [c for c in CASES if c[1][1] * c[1][2] < 16])
def test_narrow_windows_in_float64(xs, fs, s, d, pad):
    """float64 takes im2col + BLAS (not the own GEMM) through the same column fill."""
    rs = np.random.RandomState(sum(xs))
    x, f = rs.uniform(-1, 1, xs), rs.uniform(-1, 1, fs)
    oh, ow, _, _ = _geometry(xs, fs, s, d, pad)
    dy = rs.uniform(-1, 1, (xs[0], oh, ow, fs[3]))
    for got, want in zip(_run(x, f, dy, s, d, pad), _reference(x, f, dy, s, d, pad)):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs,fs", [((0, 5, 5, 3), (3, 3, 3, 4)), ((2, 5, 5, 0), (3, 3, 0, 4))])
def test_input_gradient_of_nothing_is_zeros(xs, fs):
    """No batch, or no input channels: the gradient is zeros of the input's shape (the
    kernels that zero their own output never run)."""
    for data_format in ("NHWC", "NCHW"):
        sizes = xs if data_format == "NHWC" else (xs[0], xs[3], xs[1], xs[2])
        dy = np.ones((xs[0], 5, 5, 4) if data_format == "NHWC" else (xs[0], 4, 5, 5),
                     np.float32)
        dx = nn.conv2d_backprop_input(np.array(sizes), np.ones(fs, np.float32), dy,
                                      strides=[1, 1, 1, 1], padding="SAME",
                                      data_format=data_format)
        assert dx.shape == sizes and dx.dtype == np.float32 and not dx.any()
