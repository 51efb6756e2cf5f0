"""Direct convolution for layers on a few input channels (float32, NHWC): an image's first
layer, on one grey or three colour channels.

im2col + GEMM does badly there: a row of the product is only K = kh*kw*C long (25 for a 5x5
filter on one channel), so each micro-kernel call spends about as long loading and storing
its tile as it does multiplying, and im2col writes kh*kw copies of the input first. Here the
micro-kernel (`gemm.row_tile`) reads a zero-padded copy of the image's rows in place, since
in NHWC a filter row's taps (kj, ch) are kw*C consecutive floats of an image row:

  forward        out[pixels ow0..ow0+mr, channels] = sum over filter rows ki, taps (kj, ch)
                 of x_padded[row oh*sh + ki*dh, (ow*sw + kj)*C + ch] * f[ki, kj, ch, :]
                 (the tile's rows are mr pixels of an output row, A's rows sw*C apart)
  filter grad    dw[ki, (kj, ch) chunk, channels] = sum over pixels (oh, ow) of
                 x_padded[row oh*sh + ki*dh, ow*sw*C + (kj, ch)] * dy[oh, ow, :]
                 (the tile's rows are the taps, its k loop runs over the image's pixels)

Used for float32 with C < 8 and no dilation along the width (the taps of a filter row must
be consecutive), on CPUs where gemm.py's micro-kernels run (`gemm.available()`); wider
layers go to Winograd or the padding-free GEMM paths in nn.py. `TFTEACH_DIRECT_CONV=0`
turns it off. The sums run over (ki, kj, ch) in the same order as the im2col product's, so
the results are those of a GEMM over the same K, not bit-equal to BLAS (which orders its sums
its own way).
"""
__toolkit__ = True   # the nn family's toolkit: registers no kernels

import os

import numpy as np
from numba import njit

from . import gemm
from ._build import cache_by

MAX_C = 8              # from 8 channels on, a gathered row of taps is long enough for GEMM
_ROWS = 4              # output rows per forward task: enough tasks to balance two threads
_PARTS = 8             # partial sums of the filter gradient: fixed, so its value does not
                       # depend on the threads (the same count as nn.py's other paths)


def applies(g, dtype):
    return (dtype == np.float32 and g.c < MAX_C and g.dw == 1 and gemm.available()
            and os.environ.get("TFTEACH_DIRECT_CONV", "1") != "0")


def _panels(wm, nr):
    """Filter [K, O] as its nr-wide panels, each K x nr and zero past O, one after another
    (gemm's panel packing over all of K: the tile runs the filter's whole K in one call)."""
    k, o = wm.shape
    npan = -(-o // nr)
    wp = np.empty(npan * k * nr, np.float32)
    for q in range(npan):
        gemm._pack_b_panel(wm, 0, k, q * nr, wp[q * k * nr:(q + 1) * k * nr])
    return wp


@njit(cache=True, nogil=True, boundscheck=False)
def _pad_rows(x, n, r0, r1, pt, pl, buf, wp):
    """Input rows r0 - pt .. r1 - pt of image n into buf (rows of wp*C floats), zero where
    they fall outside the image and past its width."""
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    width = wp * c
    lo = min(width, pl * c)
    hi = min(width, lo + w * c)
    img = x[n].reshape(-1)
    for r in range(r0, r1):
        o = (r - r0) * width
        y = r - pt
        if y < 0 or y >= h:
            for j in range(width):
                buf[o + j] = 0
            continue
        s = y * w * c - lo
        for j in range(lo):
            buf[o + j] = 0
        for j in range(lo, hi):
            buf[o + j] = img[s + j]
        for j in range(hi, width):
            buf[o + j] = 0


_FORWARD = {}


def _forward_part(mr, nv, a_row):
    """The forward pass's partition function for the mr x 16*nv tile, its pixels a_row =
    stride * C floats apart in an image row."""
    part = _FORWARD.get((mr, nv, a_row))
    if part is not None:
        return part
    tile = gemm.row_tile(mr, nv, a_row)
    nr = 16 * nv

    @njit(cache=True, nogil=True, boundscheck=False)
    def part(x, wp, kh, kw, sh, sw, dh, pt, pl, oh, ow, out, bias, relu, n_part, p):
        """Output rows of the tasks t = p, p + n_part, ... (_ROWS rows of one image each)."""
        c = x.shape[3]
        o = out.shape[1]
        k = kh * kw * c
        npan = -(-o // nr)
        span = max(ow, mr)                  # a tile never reads past the padded row
        wpad = (span - 1) * sw + kw
        rows_in = (_ROWS - 1) * sh + (kh - 1) * dh + 1
        buf = np.empty(rows_in * wpad * c, np.float32)
        edge = np.empty((mr, nr), np.float32)
        nb = -(-oh // _ROWS)
        for t in range(p, x.shape[0] * nb, n_part):
            n = t // nb
            i0 = (t - n * nb) * _ROWS
            i1 = min(oh, i0 + _ROWS)
            _pad_rows(x, n, i0 * sh, (i1 - 1) * sh + (kh - 1) * dh + 1, pt, pl, buf, wpad)
            for i in range(i0, i1):
                for s in range(0, ow, mr):
                    # the last tile of a row ends at its last pixel (recomputing a few of
                    # the previous tile's: its stores overwrite, they do not add)
                    ow0 = min(s, max(0, ow - mr))
                    a0 = (i - i0) * sh * wpad * c + ow0 * sw * c
                    r = (n * oh + i) * ow + ow0
                    rows = min(mr, ow - ow0)
                    for q in range(npan):
                        cols = min(nr, o - q * nr)
                        if rows == mr and cols == nr:
                            tile(kh, kw * c, buf, a0, 1, dh * wpad * c, wp, q * k * nr, nr,
                                 out, r, q * nr, False)
                        else:
                            tile(kh, kw * c, buf, a0, 1, dh * wpad * c, wp, q * k * nr, nr,
                                 edge, 0, 0, False)
                            out[r:r + rows, q * nr:q * nr + cols] = edge[:rows, :cols]
                        if bias.size > 0:
                            gemm.epilogue(out, r, r + rows, q * nr, q * nr + cols, bias, relu)
    _FORWARD[mr, nv, a_row] = cache_by(part, mr, nv, a_row)
    return part


def _most_rows(nv):
    """The most rows of a tile 16*nv wide: its accumulators, B's nv vectors and one
    broadcast scalar within the 32 vector registers."""
    return (31 - nv) // nv


def _tile_rows(ow, nv):
    """Rows of the forward tile (pixels of an output row): the fewest pixels computed
    (a row's last tile overlaps the one before it) counting each tile's loads and stores
    as two more (an output row of 28 pixels in two tiles of 14, not three of 12)."""
    return min(range(min(4, ow), _most_rows(nv) + 1),
               key=lambda mr: (-(-ow // mr) * (mr + 2) if ow >= mr else mr + 2, -mr))


def tasks(g):
    """How many tasks the forward pass has (_ROWS output rows of one image each)."""
    return g.n * -(-g.oh // _ROWS)


def conv(xn, wm, g, out, bias, relu, n_part, run):
    """out [N*OH*OW, O] = the convolution of xn (NHWC float32) with wm [kh*kw*C, O], + bias
    and Relu if `bias` is not empty; in n_part partitions, run by
    `run(kernel, args, n_part)` (each call kernel(*args, p))."""
    nr = gemm.panel_width(g.o)
    mr = _tile_rows(g.ow, nr // 16)
    run(_forward_part(mr, nr // 16, g.sw * g.c),
        (xn, _panels(wm, nr), g.kh, g.kw, g.sh, g.sw, g.dh, g.pt, g.pl, g.oh, g.ow, out, bias,
         relu, n_part), n_part)


_FILTER = {}


def _chunks(kc, nv):
    """The filter rows' kc taps in chunks of at most `_most_rows`: as few chunks as
    possible, of at most two sizes."""
    most = _most_rows(nv)
    n = -(-kc // most)
    big = -(-kc // n)
    sizes = [big] * (kc // big) + ([kc % big] if kc % big else [])
    return tuple(sizes)


def _filter_part(sizes, nv):
    """The filter gradient's partition function for tiles of `sizes` rows x 16*nv."""
    part = _FILTER.get((sizes, nv))
    if part is not None:
        return part
    first = gemm.row_tile(sizes[0], nv, 1)
    last = gemm.row_tile(sizes[-1], nv, 1)
    n_first = len(sizes) - 1 if sizes[-1] != sizes[0] else len(sizes)
    big = sizes[0]
    nr = 16 * nv

    @njit(cache=True, nogil=True, boundscheck=False)
    def part(x, dy, kh, kw, sh, sw, dh, pt, pl, oh, ow, acc_all, dy_pad, p):
        """acc_all[p] = sum over images n = p, p + n_part, ... of their filter gradients."""
        n_part = acc_all.shape[0]
        c = x.shape[3]
        o = dy.shape[3]
        kc = kw * c
        npan = -(-o // nr)
        wpad = (ow - 1) * sw + kw
        rows_in = (oh - 1) * sh + (kh - 1) * dh + 1
        buf = np.empty(rows_in * wpad * c, np.float32)
        acc = acc_all[p]
        acc[:] = 0
        padded = o % nr != 0
        pad = dy_pad[p]
        ldb = npan * nr if padded else o
        for n in range(p, x.shape[0], n_part):
            _pad_rows(x, n, 0, rows_in, pt, pl, buf, wpad)
            if padded:       # a ragged last panel: dy with its columns zero-padded
                pad[:, :o] = dy[n].reshape((oh * ow, o))
                b = pad.reshape(-1)
            else:
                b = dy[n].reshape(-1)
            for ki in range(kh):
                for ch in range(len(sizes)):
                    i0 = ch * big
                    for q in range(npan):
                        if ch < n_first:
                            first(oh, ow, buf, ki * dh * wpad * c + i0, sw * c, sh * wpad * c,
                                  b, q * nr, ldb, acc, ki * kc + i0, q * nr, True)
                        else:
                            last(oh, ow, buf, ki * dh * wpad * c + i0, sw * c, sh * wpad * c,
                                 b, q * nr, ldb, acc, ki * kc + i0, q * nr, True)
    _FILTER[sizes, nv] = cache_by(part, sizes, nv)
    return part


def filter_grad(xn, dyn, g, run):
    """dw [kh*kw*C, O] of the convolution of xn with dy (both NHWC float32): partial sums
    over _PARTS sets of images, added in order; `run` as for `conv`."""
    nr = gemm.panel_width(g.o)
    npan = -(-g.o // nr)
    sizes = _chunks(g.kw * g.c, nr // 16)
    acc = np.empty((_PARTS, g.kh * g.kw * g.c, npan * nr), np.float32)
    dy_pad = np.zeros((_PARTS, g.oh * g.ow, npan * nr) if g.o % nr else (_PARTS, 0, 0),
                      np.float32)
    run(_filter_part(sizes, nr // 16),
        (xn, dyn, g.kh, g.kw, g.sh, g.sw, g.dh, g.pt, g.pl, g.oh, g.ow, acc, dy_pad), _PARTS)
    return acc.sum(axis=0)[:, :g.o]
