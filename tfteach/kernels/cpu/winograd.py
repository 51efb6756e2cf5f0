"""Winograd's minimal filtering for stride-1 3x3 and 5x5 convolutions (float32, NHWC).

An m x m block of output pixels of an r x r filter needs r*r*m*m multiply-adds per input and
output channel pair when computed directly; Winograd's F(m x m, r x r) computes it from an
a x a block of input (a = m + r - 1) with a*a of them: the input block and the filter are
each taken to a transformed space (B^T d B and G g G^T, sums of a few terms), multiplied
there element by element, and the product brought back (A^T M A). Across channels the
element-wise products are a*a matrix products, [tiles x C] @ [C x O], run by gemm.py's
micro-kernel. tfteach uses F(4x4, 3x3) (36 products for 16 outputs instead of 144) and
F(4x4, 5x5) (64 instead of 400: the seed CNN's conv2 and its input gradient), from the
Toom-Cook points 0, +-1, +-2 (and +-1/2 for 5x5) and infinity; their float32 error is
within 20x of the direct sum's, a few parts in a million of the output's scale
(tests/test_winograd.py measures it against float64). cuDNN picks Winograd for such
convolutions too; oneDNN (TF's CPU kernels) sums directly. `TFTEACH_WINOGRAD=0` turns it
off. A task whose outputs are not all finite (an inf or NaN in the input, or a transform
that overflowed) has the whole convolution recomputed directly, so those keep the direct
sum's infinities where Winograd's cancellations would give NaN.

Each task transforms a block of input tiles into a buffer that stays in L2 (in groups of
a few tiles, so each transform is a handful of long vector loops), runs the a*a products,
brings the block's tiles back the same way and writes their pixels that fall inside the
output, with the conv layer's fused bias and Relu.
"""
import os

import numpy as np
from numba import njit

from . import gemm
from ._build import cache_by

_POINTS = (0.0, 1.0, -1.0, 2.0, -2.0)


def _toom_cook(m, r, points):
    """(A^T [m, a], G [a, r] in float64, B^T [a, a]) of F(m, r) on `points` (a - 1 of them)
    and infinity: y = A^T ((G g) * (B^T d)) is the correlation of g with d. The
    interpolation's denominators go into G, so B^T holds multiples of 1/64 (exact in
    float32) and A^T powers of the points."""
    a = m + r - 1
    vander = np.zeros((a, a))
    for k, p in enumerate(points):
        vander[k] = [p ** i for i in range(a)]
    vander[a - 1, a - 1] = 1.0                      # infinity: the leading coefficient
    norm = np.ones(a)
    for k, p in enumerate(points):
        norm[k] = np.prod([p - q for q in points if q != p])
    bt = np.diag(norm) @ np.linalg.inv(vander).T
    assert np.allclose(bt * 64, np.round(bt * 64))
    eg = np.zeros((a, r))
    at = np.zeros((m, a))
    for k, p in enumerate(points):
        eg[k] = [p ** j for j in range(r)]
        at[:, k] = [p ** i for i in range(m)]
    eg[a - 1, r - 1] = 1.0
    at[m - 1, a - 1] = 1.0
    return (at.astype(np.float32), np.diag(1.0 / norm) @ eg,
            (np.round(bt * 64) / 64).astype(np.float32))


MATRICES = {3: _toom_cook(4, 3, (0.0, 1.0, -1.0, 2.0, -2.0)),
            5: _toom_cook(4, 5, (0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5))}
# The filter gradient correlates each input block with a 4x4 tile of dy, the r x r
# result summed over every tile: F(r x r, 4x4) on the same points, so the same a and the
# same B^T (the interpolation depends on the points only); the sum over tiles (and over
# the images) is taken between the transforms, as [C x tiles] @ [tiles x O] products.
GRAD_MATRICES = {3: _toom_cook(3, 4, (0.0, 1.0, -1.0, 2.0, -2.0)),
                 5: _toom_cook(5, 4, (0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5))}
_BLOCK_BYTES = 1 << 20     # a task's transformed input and products (256 KiB-1 MiB: within 5%)
_GROUP = 8                  # tiles transformed together: vector loops 8*C long


_MAX_CHANNEL_PAIRS = 256 * 256  # C*O: the filter's transform (a*a*C*O doubles) under 32 MiB
_GRAD_PARTS_BYTES = 32 << 20    # the filter gradient's partial sums, all of them


def applies(g):
    """Whether geometry g (nn._Geometry, float32 on the own GEMM) is computed here: stride
    and dilation 1, a square 3x3 or 5x5 filter, channels enough for long products (and
    not so many that the transformed filter would be hundreds of MiB), an output at least
    two tiles across."""
    return (g.sh == g.sw == 1 and g.dh == g.dw == 1 and g.kh == g.kw and g.kh in MATRICES
            and 16 <= g.c <= gemm.KC and g.o >= 16 and g.c * g.o <= _MAX_CHANNEL_PAIRS
            and g.oh >= 8 and g.ow >= 8 and os.environ.get("TFTEACH_WINOGRAD", "1") != "0")


def filter_transform(f, r):
    """G g G^T for every (input, output) channel pair of f [r, r, C, O] (any strides),
    summed in float64 and packed for the GEMM: [a*a, packed size] float32, or None when
    not all finite (the direct sum keeps an inf filter's infinities). In numba, not
    einsum: NumPy's would wake OpenBLAS's threads, which then spin on the cores the
    convolution's tasks need (measured: no gain from the second thread)."""
    _, g_mat, bt = MATRICES[r]
    a = bt.shape[0]
    c, o = f.shape[2], f.shape[3]
    up = np.empty((a * a, gemm.packed_b_size(c, o)), np.float32)
    ok = _transform_filter(np.ascontiguousarray(f, np.float32).reshape(r, r, c * o), g_mat,
                           np.empty((a * a, c, o), np.float32), up)
    return up if ok else None


@njit(cache=True, nogil=True, boundscheck=False)
def _two_sided(left, src):
    """out[a, b] = sum over i, j of left[a, i] src[i, j] left[b, j], every column of the
    last axis at once, in float64: the filter's transform (G g G^T) and the filter
    gradient's way back (A^T M A), each made once per call, where a rounding is cheap to
    avoid."""
    a_n, r = left.shape
    n = src.shape[2]
    half = np.zeros((a_n, r, n))            # half[a, j] = sum_i left[a, i] src[i, j]
    for a in range(a_n):
        for i in range(r):
            coef = left[a, i]
            if coef != 0.0:
                for j in range(r):
                    for q in range(n):
                        half[a, j, q] += coef * src[i, j, q]
    out = np.zeros((a_n, a_n, n))
    for a in range(a_n):
        for b in range(a_n):
            for j in range(r):
                coef = left[b, j]
                if coef != 0.0:
                    for q in range(n):
                        out[a, b, q] += coef * half[a, j, q]
    return out


@njit(cache=True, nogil=True, boundscheck=False)
def _transform_filter(f, g_mat, u, up):
    """u[a*A + b] = (G f G^T)[a, b], packed into up; False if a value is not finite."""
    a_n = g_mat.shape[0]
    t = _two_sided(g_mat, f)
    top = 0
    for a in range(a_n):
        for b in range(a_n):
            row = u[a * a_n + b].reshape(-1)
            for q in range(row.size):
                row[q] = t[a, b, q]
            bits = row.view(np.int32)
            for q in range(row.size):
                top = max(top, bits[q] & 0x7f800000)
            gemm.pack_b(u[a * a_n + b], up[a * a_n + b])
    return top != 0x7f800000


def conv(xn, r, up, pt, pl, oh, ow, out, bias, relu, n_part, run):
    """out [N*oh*ow, O] = the convolution of NHWC xn with the filter whose transform is
    `up`, in tasks of a block of tiles split into at most `n_part` partitions;
    `run(kernel, args, n)` runs kernel(*args, p) for every partition p < n. False (out
    undefined) when an output was not finite."""
    at, _, bt = MATRICES[r]
    a = bt.shape[0]
    m = at.shape[0]
    o = out.shape[1]
    tiles = max(12, min(96, _BLOCK_BYTES // (a * a * (xn.shape[3] + o) * 4) // 12 * 12))
    n_tasks = -(-xn.shape[0] * (-(-oh // m)) * (-(-ow // m)) // tiles)
    bad = np.zeros(max(1, min(n_part, n_tasks)), np.bool_)
    run(_PARTS[a], (xn, up, at, bt, pt, pl, oh, ow, out, bias, relu, tiles, bad), len(bad))
    return not bad.any()


def filter_grad(xn, dyn, r, pt, pl, n_part, run):
    """The filter gradient [r, r, C, O] of the stride-1 convolution of NHWC xn whose
    output gradient is dyn, summed over `n_part` partial sums (fewer for wide layers: at
    most _GRAD_PARTS_BYTES of them; fixed by the shapes, so the value does not depend on
    the threads) added in order; None when a value is not finite (the
    direct sum keeps the infinities)."""
    at, g_mat, bt = GRAD_MATRICES[r]
    a = bt.shape[0]
    c, o = xn.shape[3], dyn.shape[3]
    oh, ow = dyn.shape[1], dyn.shape[2]
    opad = -(-o // gemm.panel_width(o)) * gemm.panel_width(o)
    # tiles per task: the K of the products, long ones (blocks in L2/L3) of at most 128,
    # and when there are few, tasks of equal size (the seed CNN's conv2: 8 tasks of 100
    # tiles, not 5 of 192 of which the last thread would run one alone)
    total = xn.shape[0] * (-(-oh // 4)) * (-(-ow // 4))
    n_part = max(1, min(n_part, _GRAD_PARTS_BYTES // (a * a * c * opad * 4)))
    tiles = min(128, max(48, -(-total // n_part)))
    n_tasks = -(-total // tiles)
    parts = np.empty((max(1, min(n_part, n_tasks)), a * a, c, opad), np.float32)
    run(_GRAD_PARTS[a], (xn, dyn, g_mat.astype(np.float32), bt, pt, pl, tiles, parts),
        parts.shape[0])
    dw = _grad_output(parts, at.astype(np.float64), r, o)
    return dw if np.isfinite(dw).all() else None


@njit(cache=True, nogil=True, boundscheck=False)
def _grad_output(parts, at, r, o):
    """dW = A^T M A of M = the partial sums added in order (in float64), without the
    columns that padded O to whole panels."""
    n_part, aa, c, opad = parts.shape
    a = at.shape[1]
    m = np.empty((aa, c * opad))
    for e in range(aa):
        first = parts[0, e].reshape(-1)
        for q in range(c * opad):
            m[e, q] = first[q]
        for p in range(1, n_part):
            src = parts[p, e].reshape(-1)
            for q in range(c * opad):
                m[e, q] += src[q]
    t = _two_sided(at, m.reshape((a, a, c * opad)))
    dw = np.empty((r, r, c, o), np.float32)
    for i in range(r):
        for j in range(r):
            for ch in range(c):
                for k in range(o):
                    dw[i, j, ch, k] = t[i, j, ch * opad + k]
    return dw


# dst[fix, k, doff + q] = sum over i of b[k, i] * src[i, fix, off + q], for every row k of b
# and q < n, the terms in order of i: the one operation of both transforms. Written out with
# a name per source row, the loop over q is one vector loop (as a loop over i, LLVM
# vectorised across the rows with gathers: 10x slower); one call makes every row k, as a
# call per row cost more than its arithmetic.

@njit(cache=True, nogil=True, boundscheck=False)
def _combine4(b, src, fix, off, n, dst, doff):
    s0, s1, s2, s3 = (src[0, fix, off:off + n], src[1, fix, off:off + n],
                      src[2, fix, off:off + n], src[3, fix, off:off + n])
    for k in range(b.shape[0]):
        b0, b1, b2, b3 = b[k, 0], b[k, 1], b[k, 2], b[k, 3]
        d = dst[fix, k, doff:doff + n]
        for q in range(n):
            d[q] = b0 * s0[q] + b1 * s1[q] + b2 * s2[q] + b3 * s3[q]


@njit(cache=True, nogil=True, boundscheck=False)
def _combine6(b, src, fix, off, n, dst, doff):
    s0, s1, s2 = src[0, fix, off:off + n], src[1, fix, off:off + n], src[2, fix, off:off + n]
    s3, s4, s5 = src[3, fix, off:off + n], src[4, fix, off:off + n], src[5, fix, off:off + n]
    for k in range(b.shape[0]):
        b0, b1, b2, b3, b4, b5 = b[k, 0], b[k, 1], b[k, 2], b[k, 3], b[k, 4], b[k, 5]
        d = dst[fix, k, doff:doff + n]
        for q in range(n):
            d[q] = b0 * s0[q] + b1 * s1[q] + b2 * s2[q] + b3 * s3[q] + b4 * s4[q] + b5 * s5[q]


@njit(cache=True, nogil=True, boundscheck=False)
def _combine8(b, src, fix, off, n, dst, doff):
    s0, s1, s2, s3 = (src[0, fix, off:off + n], src[1, fix, off:off + n],
                      src[2, fix, off:off + n], src[3, fix, off:off + n])
    s4, s5, s6, s7 = (src[4, fix, off:off + n], src[5, fix, off:off + n],
                      src[6, fix, off:off + n], src[7, fix, off:off + n])
    for k in range(b.shape[0]):
        b0, b1, b2, b3 = b[k, 0], b[k, 1], b[k, 2], b[k, 3]
        b4, b5, b6, b7 = b[k, 4], b[k, 5], b[k, 6], b[k, 7]
        d = dst[fix, k, doff:doff + n]
        for q in range(n):
            d[q] = (b0 * s0[q] + b1 * s1[q] + b2 * s2[q] + b3 * s3[q] + b4 * s4[q]
                    + b5 * s5[q] + b6 * s6[q] + b7 * s7[q])


def _specialise(A):
    """The kernels for a = A, a constant of their loops (so LLVM unrolls the transforms'
    sums and vectorises over the channels)."""

    combine = _combine6 if A == 6 else _combine8

    @njit(cache=True, nogil=True, boundscheck=False)
    def transform_inputs(x, t0, ng, tx_n, per_img, m, pt, pl, bt, d, tmp, v4, ts):
        """v4[k, l, ts + g] = (B^T d B)[k, l] of tiles t0 + g, g < ng, every channel at once:
        d[i, j, g*C + ch] is the input at row i, column j of tile g (zero outside the
        image: the padding), tmp[j, k] = sum_i B^T[k, i] d[i, j]."""
        h, w, c = x.shape[1], x.shape[2], x.shape[3]
        for g in range(ng):
            n = (t0 + g) // per_img
            r = (t0 + g) - n * per_img
            ty = r // tx_n
            y0 = ty * m - pt
            x0 = (r - ty * tx_n) * m - pl
            for i in range(A):
                yy = y0 + i
                if 0 <= yy < h and 0 <= x0 and x0 + A <= w:
                    row = x[n, yy]
                    for j in range(A):
                        for ch in range(c):
                            d[i, j, g * c + ch] = row[x0 + j, ch]
                    continue
                for j in range(A):
                    xx = x0 + j
                    if 0 <= yy < h and 0 <= xx < w:
                        for ch in range(c):
                            d[i, j, g * c + ch] = x[n, yy, xx, ch]
                    else:
                        for ch in range(c):
                            d[i, j, g * c + ch] = 0.0
        n = ng * c
        for j in range(A):
            combine(bt, d, j, 0, n, tmp, 0)
        for k in range(A):
            combine(bt, tmp, k, 0, n, v4, ts * c)

    @njit(cache=True, nogil=True, boundscheck=False)
    def transform_outputs(p3, ts, ng, at, s, y, out, t0, tx_n, per_img, oh, ow, bias, relu):
        """Tiles t0 + g, g < ng, brought back (A^T M A of their products: element
        (e1, e2) of tile ts + g is p3[e1, e2, (ts + g)*O:]) and written to out with the
        fused bias and Relu. True when every value was finite."""
        m = at.shape[0]
        o = out.shape[1]
        n = ng * o
        for e2 in range(A):                 # s[e2, i] = sum_e1 A^T[i, e1] M[e1, e2]
            combine(at, p3, e2, ts * o, n, s, 0)
        for i in range(m):                  # y[i, j] = sum_e2 A^T[j, e2] s[e2, i]
            combine(at, s, i, 0, n, y, 0)
        top = 0                             # the largest exponent field: all ones if inf/NaN
        for i in range(m):
            for j in range(m):
                bits = y[i, j, :n].view(np.int32)
                for q in range(n):
                    top = max(top, bits[q] & 0x7f800000)
        for g in range(ng):
            nimg = (t0 + g) // per_img
            r = (t0 + g) - nimg * per_img
            ty = r // tx_n
            y0 = ty * m
            x0 = (r - ty * tx_n) * m
            for i in range(m):
                if y0 + i >= oh:
                    break
                for j in range(m):
                    if x0 + j >= ow:
                        break
                    src = y[i, j, g * o:(g + 1) * o]
                    dst = out[(nimg * oh + y0 + i) * ow + x0 + j]
                    if bias.size > 0:
                        for ch in range(o):
                            val = src[ch] + bias[ch]
                            dst[ch] = 0 if relu and val < 0 else val
                    else:
                        for ch in range(o):
                            dst[ch] = src[ch]
        return top != 0x7f800000

    @njit(cache=True, nogil=True, boundscheck=False)
    def part(x, up, at, bt, pt, pl, oh, ow, out, bias, relu, tiles, bad, p):
        """Partition p: tasks p, p + len(bad), ..., task t the `tiles` output tiles from
        t*tiles on (image-major, then rows, then columns), into out [N*oh*ow, O];
        bad[p] set if an output was not finite."""
        c = x.shape[3]
        o = out.shape[1]
        m = at.shape[0]
        ty_n = (oh + m - 1) // m
        tx_n = (ow + m - 1) // m
        per_img = ty_n * tx_n
        total = x.shape[0] * per_img
        mr, nr = gemm.tile_shape(o)
        npan = (o + nr - 1) // nr
        rows = (tiles + mr - 1) // mr * mr
        v = np.empty((A * A, rows, c), np.float32)
        v4 = v.reshape((A, A, rows * c))
        prod = np.empty((A * A, rows, o), np.float32)
        p3 = prod.reshape((A, A, rows * o))
        d = np.empty((A, A, _GROUP * c), np.float32)
        tmp = np.empty((A, A, _GROUP * c), np.float32)
        s = np.empty((A, m, _GROUP * o), np.float32)
        y = np.empty((m, m, _GROUP * o), np.float32)
        edge = gemm.serial_scratch()[2]
        # this thread's own copies: passing a shared array to a call bumps its reference
        # count, an atomic that the two threads' calls made the cores fight over (the
        # output transforms ran 1.5x slower on two threads than on one)
        at = at.copy()
        bt = bt.copy()
        ok = True
        for t in range(p, (total + tiles - 1) // tiles, bad.shape[0]):
            t0 = t * tiles
            nt = min(tiles, total - t0)
            for ts in range(0, nt, _GROUP):
                transform_inputs(x, t0 + ts, min(_GROUP, nt - ts), tx_n, per_img, m, pt, pl,
                                 bt, d, tmp, v4, ts)
            used = (nt + mr - 1) // mr * mr     # rows past nt: never written out, zeroed
            v[:, nt:used] = 0.0                 # so no stale NaN or denormal is multiplied
            for e in range(A * A):
                ve = v[e]
                pe = prod[e]
                for q in range(npan):
                    bv = up[e, q * c * nr:(q + 1) * c * nr]
                    for r0 in range(0, used, mr):
                        gemm.tile_update(c, ve[r0:r0 + mr].T, bv, nr, pe, r0, q * nr,
                                         False, edge, mr, nr)
            for ts in range(0, nt, _GROUP):
                ok &= transform_outputs(p3, ts, min(_GROUP, nt - ts), at, s, y, out,
                                        t0 + ts, tx_n, per_img, oh, ow, bias, relu)
        bad[p] = not ok

    @njit(cache=True, nogil=True, boundscheck=False)
    def transform_grads(dy, t0, ng, tx_n, per_img, g_mat, t, tmp, w4, ts):
        """w4[k, l, ts + g] = (G t G^T)[k, l] of dy's 4x4 tiles t0 + g, g < ng (zero past
        dy's edge): t[i, j, g*O + ch] the tile's row i, column j, tmp[j, k] =
        sum_i G[k, i] t[i, j]. Columns O.. of each tile's row of w4 stay zero."""
        oh, ow, o = dy.shape[1], dy.shape[2], dy.shape[3]
        for g in range(ng):
            n = (t0 + g) // per_img
            r = (t0 + g) - n * per_img
            ty = r // tx_n
            y0 = ty * 4
            x0 = (r - ty * tx_n) * 4
            for i in range(4):
                for j in range(4):
                    if y0 + i < oh and x0 + j < ow:
                        for ch in range(o):
                            t[i, j, g * o + ch] = dy[n, y0 + i, x0 + j, ch]
                    else:
                        for ch in range(o):
                            t[i, j, g * o + ch] = 0.0
        n = ng * o
        for j in range(4):
            _combine4(g_mat, t, j, 0, n, tmp, 0)
        for k in range(A):
            _combine4(g_mat, tmp, k, 0, n, w4, ts * o)

    @njit(cache=True, nogil=True, boundscheck=False)
    def grad_part(x, dy, g_mat, bt, pt, pl, tiles, parts, p):
        """parts[p] = sum over the tasks p, p + len(parts), ... of V_e^T @ W_e for every
        element e: V the input blocks' transforms, W dy's tiles' (with zero columns up
        to the panel width)."""
        c = x.shape[3]
        oh, ow, o = dy.shape[1], dy.shape[2], dy.shape[3]
        opad = parts.shape[3]
        ty_n = (oh + 3) // 4
        tx_n = (ow + 3) // 4
        per_img = ty_n * tx_n
        total = x.shape[0] * per_img
        mr, nr = gemm.tile_shape(opad)
        # not zeroed (a few MiB per partition, which cost as much as the products): the
        # products read rows < nt only, and w's columns past O are zeroed once here
        v = np.empty((A * A, tiles, c), np.float32)
        v4 = v.reshape((A, A, tiles * c))
        w = np.empty((A * A, tiles, opad), np.float32)
        w[:, :, o:] = 0.0
        d = np.empty((A, A, _GROUP * c), np.float32)
        tmp = np.empty((A, A, _GROUP * c), np.float32)
        t = np.empty((4, 4, _GROUP * o), np.float32)
        tmpg = np.empty((4, A, _GROUP * o), np.float32)
        wg = np.empty((A, A, _GROUP * o), np.float32)
        edge = gemm.serial_scratch()[2]
        tail = np.zeros((tiles, mr), np.float32)
        g_mat = g_mat.copy()
        bt = bt.copy()
        acc = parts[p]
        acc[:] = 0.0
        for task in range(p, (total + tiles - 1) // tiles, parts.shape[0]):
            t0 = task * tiles
            nt = min(tiles, total - t0)
            for ts in range(0, nt, _GROUP):
                ng = min(_GROUP, nt - ts)
                transform_inputs(x, t0 + ts, ng, tx_n, per_img, 4, pt, pl, bt, d, tmp, v4,
                                 ts)
                transform_grads(dy, t0 + ts, ng, tx_n, per_img, g_mat, t, tmpg, wg, 0)
                for e in range(A * A):      # rows of O into rows of opad
                    src = wg[e // A, e % A]
                    dst = w[e]
                    for g in range(ng):
                        row = dst[ts + g]
                        for ch in range(o):
                            row[ch] = src[g * o + ch]
            for e in range(A * A):
                ve = v[e, :nt]
                wf = w[e, :nt].reshape(-1)
                ce = acc[e]
                for c0 in range(0, c, mr):
                    if c0 + mr <= c:
                        at = ve[:, c0:c0 + mr]
                    else:                   # the micro-kernel reads mr columns
                        tail[:nt] = 0.0
                        tail[:nt, :c - c0] = ve[:, c0:c]
                        at = tail[:nt]
                    for q in range(opad // nr):
                        gemm.tile_update(nt, at, wf[q * nr:], opad, ce, c0, q * nr, True,
                                         edge, mr, nr)

    for kernel in (v for v in dict(locals()).values() if hasattr(v, "py_func")):
        cache_by(kernel, A)       # each closure's cells hold the others (see cache_by)
    return part, grad_part


_PARTS = {}
_GRAD_PARTS = {}
for _a in (6, 8):
    _PARTS[_a], _GRAD_PARTS[_a] = _specialise(_a)
