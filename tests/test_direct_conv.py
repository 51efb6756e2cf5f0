"""The direct convolution for layers on a few input channels
(tfteach/kernels/cpu/direct_conv.py, its micro-kernel gemm.row_tile): conv2d and its filter
gradient against float64 loops written from the definition on every kind of geometry
(one to seven channels, strides, dilation along the height, VALID, outputs narrower than a
tile, ragged output channels, the wide tile), the fused bias and Relu, the same bits for
every thread count, and which convolutions take it."""
import numpy as np
import pytest

from tfteach.kernels.cpu import direct_conv, gemm, nn

from test_conv_classes import (_geometry, _reference,
                               assert_fused_bias_relu_gives_the_ops_bits,
                               assert_same_bits_on_1_2_3_threads)

pytestmark = pytest.mark.mode("none")


@pytest.fixture(autouse=True)
def _direct_everywhere(monkeypatch):
    """The path runs wherever float32 does, also on a CPU without AVX-512 (where tfteach
    keeps im2col and BLAS for speed): LLVM splits the 512-bit vectors there, correctly."""
    monkeypatch.setattr(gemm, "available", lambda: True)
    monkeypatch.delenv("TFTEACH_DIRECT_CONV", raising=False)


CASES = [
    # x shape, filter shape, strides, dilations, padding
    ((3, 28, 28, 1), (5, 5, 1, 32), (1, 1), (1, 1), "SAME"),    # the seed CNN's conv1
    ((2, 13, 17, 3), (3, 3, 3, 20), (1, 1), (1, 1), "SAME"),    # colour, ragged O < 32
    ((2, 9, 30, 2), (5, 3, 2, 70), (2, 2), (1, 1), "SAME"),     # strides, two wide panels
    ((2, 10, 7, 1), (3, 5, 1, 64), (1, 2), (1, 1), "VALID"),    # one wide panel, VALID
    ((1, 5, 5, 3), (5, 5, 3, 33), (1, 1), (1, 1), "VALID"),     # one output pixel
    ((2, 31, 29, 4), (7, 7, 4, 16), (2, 1), (1, 1), "SAME"),    # taps in two chunks
    ((2, 12, 11, 7), (3, 3, 7, 100), (1, 1), (2, 1), "SAME"),   # dilated rows, 7 channels
    ((1, 40, 3, 1), (3, 3, 1, 32), (1, 1), (1, 1), "SAME"),     # rows narrower than a tile
    ((2, 6, 100, 2), (1, 1, 2, 48), (3, 3), (1, 1), "VALID"),   # 1x1, stride past the taps
]


def _data(xs, fs, s, d, pad, seed):
    rs = np.random.RandomState(seed)
    x = rs.uniform(-1, 1, xs).astype(np.float32)
    f = rs.uniform(-1, 1, fs).astype(np.float32)
    oh, ow, _, _ = _geometry(xs, fs, s, d, pad)
    dy = rs.uniform(-1, 1, (xs[0], oh, ow, fs[3])).astype(np.float32)
    return x, f, dy


def _run(x, f, dy, s, d, pad):
    kw = dict(strides=[1, *s, 1], padding=pad, dilations=[1, *d, 1])
    return (nn.conv2d(x, f, **kw),
            nn.conv2d_backprop_filter(x, np.array(f.shape), dy, **kw))


def _close(got, want, k):
    """The bound the class tests use for a float32 sum of k terms."""
    assert got.dtype == np.float32 and got.shape == want.shape
    tol = 2e-6 * max(1, k) ** 0.5 * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)


@pytest.mark.parametrize("xs,fs,s,d,pad", CASES)
def test_matches_float64_definition(xs, fs, s, d, pad):
    g = nn._Geometry(xs, fs, [1, *s, 1], [1, *d, 1], pad, "t")
    assert direct_conv.applies(g, np.float32)
    x, f, dy = _data(xs, fs, s, d, pad, sum(xs) + sum(fs))
    y, dw = _run(x, f, dy, s, d, pad)
    ry, rdw, _ = _reference(x, f, dy, s, d, pad)
    oh, ow, _, _ = _geometry(xs, fs, s, d, pad)
    _close(y, ry, fs[0] * fs[1] * fs[2])
    _close(dw, rdw, xs[0] * oh * ow)


def test_it_is_the_path_taken(monkeypatch):
    """Both kernels come from direct_conv (a spy on its partition functions)."""
    made = []
    for name in ("_forward_part", "_filter_part"):
        real = getattr(direct_conv, name)
        monkeypatch.setattr(direct_conv, name,
                            lambda *a, real=real, name=name: made.append(name) or real(*a))
    x, f, dy = _data((2, 28, 28, 1), (5, 5, 1, 32), (1, 1), (1, 1), "SAME", 1)
    _run(x, f, dy, (1, 1), (1, 1), "SAME")
    assert made == ["_forward_part", "_filter_part"]


def test_fused_bias_and_relu_are_the_ops_bits():
    x, f, _ = _data((2, 28, 28, 3), (5, 5, 3, 40), (1, 1), (1, 1), "SAME", 2)
    b = np.random.RandomState(3).uniform(-1, 1, 40).astype(np.float32)
    b[3] = -np.inf
    fused = assert_fused_bias_relu_gives_the_ops_bits(x, f, b)
    assert (fused[..., 3] == 0).all()


@pytest.mark.parametrize("case", [0, 2, 5])
def test_same_bits_on_1_2_3_threads(case):
    xs, fs, s, d, pad = CASES[case]
    x, f, dy = _data(xs, fs, s, d, pad, 4)
    assert_same_bits_on_1_2_3_threads(lambda: _run(x, f, dy, s, d, pad))


def test_non_finite_inputs_give_the_direct_sums_infinities():
    """An inf pixel reaches exactly the outputs whose window holds it; a NaN likewise."""
    x, f, dy = _data((1, 12, 12, 1), (3, 3, 1, 32), (1, 1), (1, 1), "SAME", 5)
    f = np.abs(f) + 0.1
    x[0, 5, 6, 0] = np.inf
    x[0, 1, 1, 0] = np.nan
    y, dw = _run(x, f, dy, (1, 1), (1, 1), "SAME")
    inf_window = np.zeros((12, 12), bool)
    inf_window[4:7, 5:8] = True
    nan_window = np.zeros((12, 12), bool)
    nan_window[0:3, 0:3] = True
    assert (np.isnan(y[0]) == nan_window[..., None]).all()
    assert (np.isposinf(y[0]) == (inf_window & ~nan_window)[..., None]).all()
    assert np.isnan(dw).all()          # every tap meets the NaN pixel


@pytest.mark.parametrize("xs,fs,s,d,dtype", [
    ((2, 14, 14, 8), (3, 3, 8, 32), (1, 1), (1, 1), np.float32),   # 8 channels: GEMM
    ((2, 14, 14, 3), (3, 3, 3, 32), (1, 1), (1, 2), np.float32),   # dilated columns
    ((2, 14, 14, 3), (3, 3, 3, 32), (1, 1), (1, 1), np.float64),   # float64
])
def test_other_convolutions_go_elsewhere(xs, fs, s, d, dtype):
    g = nn._Geometry(xs, fs, [1, *s, 1], [1, *d, 1], "SAME", "t")
    assert not direct_conv.applies(g, dtype)


def test_the_switch_turns_it_off(monkeypatch):
    g = nn._Geometry((2, 28, 28, 1), (5, 5, 1, 32), [1, 1, 1, 1], [1, 1, 1, 1], "SAME", "t")
    monkeypatch.setenv("TFTEACH_DIRECT_CONV", "0")
    assert not direct_conv.applies(g, np.float32)


def test_tiles_fit_the_output_rows_and_the_registers():
    """A row of 28 pixels in two tiles of 14 (nothing recomputed), of 14 in one; every
    tile's accumulators, B's vectors and a broadcast within 32 registers; the filter
    gradient's taps in as few chunks as the registers allow."""
    assert direct_conv._tile_rows(28, 2) == 14 and direct_conv._tile_rows(14, 2) == 14
    for nv in (2, 4):
        for ow in range(1, 80):
            mr = direct_conv._tile_rows(ow, nv)
            assert mr * nv + nv + 1 <= 32
    assert direct_conv._chunks(5, 2) == (5,)
    assert direct_conv._chunks(15, 2) == (8, 7)
    assert direct_conv._chunks(21, 4) == (6, 6, 6, 3)
