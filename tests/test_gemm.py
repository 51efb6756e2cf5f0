"""tfteach's own float32 GEMM (tfteach/kernels/cpu/gemm.py) against a float64 reference.

The kernels are plain numba and run on any x86-64 CPU (without AVX-512 LLVM simply uses
narrower vectors), so correctness is checked everywhere; whether MatMul uses them is
`gemm.available()`'s call, and the register-tile check needs AVX-512.
"""
import re

import numpy as np
import pytest

from tfteach.kernels.cpu import gemm

pytestmark = pytest.mark.mode("v1")

RS = np.random.RandomState(0)


def _rand(*shape):
    return RS.uniform(-1, 1, shape).astype(np.float32)


def _close(c, a, b):
    ref = a.astype(np.float64) @ b.astype(np.float64)
    assert c.shape == ref.shape and c.dtype == np.float32
    tol = 1e-5 * max(1, a.shape[1]) ** 0.5 * max(1.0, np.abs(ref).max())
    np.testing.assert_allclose(c, ref, rtol=0, atol=tol)


# ragged in every direction: rows not a multiple of MR (6, or 12 for the narrow tile),
# columns not of NR (64, or 32 for products at most 32 wide), K not of the slice length;
# K = 1; a single row/column; more than one KC slice; narrow products whole (n = 32) and
# ragged (n = 10, 31), one and several tiles of rows
SHAPES = [(1, 1, 1), (5, 3, 7), (6, 64, 64), (7, 65, 63), (13, 1, 130), (97, 800, 64),
          (200, 1537, 129), (1, 300, 1000), (300, 2, 1), (12, 40, 32), (25, 900, 32),
          (250, 1600, 32), (37, 5, 31), (500, 70, 10), (11, 33, 33)]


@pytest.mark.parametrize("m,k,n", SHAPES)
@pytest.mark.parametrize("layout", ["CC", "TC", "CT", "TT"])
def test_sgemm_matches_float64_reference(m, k, n, layout):
    a = _rand(m, k) if layout[0] == "C" else _rand(k, m).T
    b = _rand(k, n) if layout[1] == "C" else _rand(n, k).T
    _close(gemm.sgemm(a, b, 2), a, b)


@pytest.mark.parametrize("m,k,n", SHAPES)
def test_slice_by_slice_path_matches_float64_reference(m, k, n, monkeypatch):
    # a B read in place bigger than ALL_K_B_BYTES is run one KC slice at a time, every task
    # of a slice before the next; small shapes take that path with the threshold at 0
    monkeypatch.setattr(gemm, "ALL_K_B_BYTES", 0)
    a, b = _rand(m, k), _rand(k, n)
    _close(gemm.sgemm(a, b, 2), a, b)


def test_sgemm_reads_strided_views():
    big_a, big_b = _rand(40, 90), _rand(120, 300)
    a, b = big_a[3:37:2, 5:85], big_b[10:90, 7:290:3]     # neither contiguous
    _close(gemm.sgemm(a, b, 2), a, b)


@pytest.mark.parametrize("m,n", [(100, 1024), (400, 1024)])
def test_sgemm_packs_power_of_two_wide_b(m, n):
    # a 1 KiB-multiple row stride takes the packed-B path once enough rows reuse it
    a, b = _rand(m, 300), _rand(300, n)
    _close(gemm.sgemm(a, b, 2), a, b)


def test_few_rows_times_transposed_b_takes_the_swapped_product():
    dy, w = _rand(50, 257), _rand(1000, 257)
    _close(gemm.sgemm(dy, w.T, 2), dy, w.T)
    assert gemm.sgemm(dy, w.T, 2).flags.c_contiguous


def test_serial_gemm_with_packed_b_accumulates():
    a, b = _rand(37, 900), _rand(900, 70)
    bp = np.empty(gemm.packed_b_size(*b.shape), np.float32)
    gemm.pack_b(b, bp)
    c = _rand(37, 70)
    start = c.copy()
    gemm.gemm_serial(a, b, bp, c, True, gemm.serial_scratch())
    np.testing.assert_allclose(c - start, a.astype(np.float64) @ b, atol=2e-4)
    gemm.gemm_serial(a, b, np.empty(0, np.float32), c, False, gemm.serial_scratch())
    _close(c, a, b)


def test_nan_and_inf_propagate_like_ieee():
    a, b = _rand(12, 20), _rand(20, 70)
    a[3, 4] = np.nan
    b[5, 66] = np.inf
    c = gemm.sgemm(a, b, 2)
    assert np.isnan(c[3]).all()
    assert np.isinf(c[:, 66]).sum() + np.isnan(c[:, 66]).sum() == 12
    assert np.isfinite(np.delete(np.delete(c, 3, 0), 66, 1)).all()


def test_matmul_op_uses_it_for_big_float32_products(tf1):
    # through the op: the same result as NumPy, whichever GEMM the machine runs
    a, b = _rand(300, 200), _rand(200, 150)
    with tf1.Session() as s:
        got = s.run(tf1.matmul(tf1.constant(a), tf1.constant(b), transpose_b=False))
    _close(got, a, b)


@pytest.mark.skipif(not gemm.available(), reason="needs a CPU with AVX-512")
@pytest.mark.parametrize("narrow", [False, True], ids=["6x64", "12x32"])
def test_micro_kernel_keeps_its_tile_in_24_zmm_registers(narrow):
    # 24 FMAs on zmm registers per step of k (LLVM may unroll the k loop: a multiple of
    # 24), none on narrower vectors, and no zmm register spilled to or reloaded from the
    # stack: the whole tile lives in registers
    asm = gemm.micro_kernel_asm(narrow)
    fmas = re.findall(r"vfmadd\d+ps\s[^\n]*", asm)
    assert fmas and len(fmas) % 24 == 0
    assert all("%zmm" in f and "%ymm" not in f and "%xmm" not in f for f in fmas)
    assert not re.findall(r"[^\n]*%zmm[^\n]*\(%rsp\)|[^\n]*\(%rsp\)[^\n]*%zmm", asm)
    # per step, the B row's vectors and one broadcast per row of A
    assert len(re.findall(r"vbroadcastss", asm)) == len(fmas) // 24 * (12 if narrow else 6)


def test_sgemm_value_does_not_depend_on_threads():
    """Tasks split the rows and columns of C, never the sum: any thread count gives the
    same bits (and the float64 reference to float32 rounding)."""
    rs = np.random.RandomState(5)
    a = rs.uniform(-1, 1, (300, 700)).astype(np.float32)
    b = rs.uniform(-1, 1, (700, 333)).astype(np.float32)
    one = gemm.sgemm(a, b, 1)
    _close(one, a, b)
    for nt in (2, 3, 7):
        np.testing.assert_array_equal(gemm.sgemm(a, b, nt), one)


@pytest.mark.parametrize("all_k_bytes", [0, 1 << 40])
def test_both_task_orders_give_the_same_bits(all_k_bytes, monkeypatch):
    """Whole-K tasks and slice-by-slice tasks sum each element of C over the same slices in
    the same order: the two schedules (and any thread count) agree bit for bit."""
    rs = np.random.RandomState(6)
    a = rs.uniform(-1, 1, (250, 1600)).astype(np.float32)
    b = rs.uniform(-1, 1, (1600, 200)).astype(np.float32)
    ref = gemm.sgemm(a, b, 1)
    monkeypatch.setattr(gemm, "ALL_K_B_BYTES", all_k_bytes)
    for nt in (1, 2, 3):
        np.testing.assert_array_equal(gemm.sgemm(a, b, nt), ref)



@pytest.mark.parametrize("m,k,n", [(5, 3, 7), (7, 65, 63), (200, 1537, 129), (1, 300, 1000),
                                   (30, 0, 70)])
@pytest.mark.parametrize("all_k_bytes", [0, 1 << 40])
@pytest.mark.parametrize("relu", [False, True])
def test_bias_relu_epilogue_equals_the_ops_after_the_product(m, k, n, all_k_bytes, relu,
                                                              monkeypatch):
    """sgemm(a, b, bias=, relu=) is the product, then + bias, then Relu's rule (0 if v < 0
    else v, so NaN and -0.0 pass), bit for bit, on both schedules."""
    monkeypatch.setattr(gemm, "ALL_K_B_BYTES", all_k_bytes)
    a, b, bias = _rand(m, k), _rand(k, n), _rand(n)
    bias[0] = np.nan
    bias[-1] = -0.0
    want = gemm.sgemm(a, b, 2) + bias
    if relu:
        want = np.where(want < 0, np.float32(0), want)
    got = gemm.sgemm(a, b, 2, bias, relu)
    np.testing.assert_array_equal(got, want)
    assert np.isnan(got[:, 0]).all()


def test_epilogue_on_the_swapped_product():
    # few rows times a transposed B computes (b.T @ a.T).T: the bias still goes on columns
    dy, w, bias = _rand(50, 257), _rand(1000, 257), _rand(1000)
    got = gemm.sgemm(dy, w.T, 2, bias, True)
    want = gemm.sgemm(dy, w.T, 2) + bias
    np.testing.assert_array_equal(got, np.where(want < 0, np.float32(0), want))
