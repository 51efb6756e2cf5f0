"""CPU kernels of the neural-network ops (activations, softmax, conv2d, pooling, losses).

Convolution is im2col + GEMM, fused and cache-blocked: each task unrolls the receptive
fields of a block of output rows of one image into a small matrix that fits in L2 and
multiplies it at once (`_gemm`: tfteach's own float32 GEMM from gemm.py where the CPU has
AVX-512, else BLAS through numba's `np.dot`), so the unrolled matrix of the whole batch never
travels through memory. With enough input channels the padding is skipped rather than
multiplied ("padding-free tiling" below). Stride-1 3x3 and 5x5 float32 convolutions with
16+ channels take Winograd's minimal filtering instead (winograd.py, `_winograd`). Tasks
run in parallel (numba `prange`) and each task's product runs on its own thread;
threads.py launches every parallel kernel (one at a time, BLAS held to one thread inside).
"""
import math

import numba
import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from ... import errors
from ...framework.registry import register_kernel
from ..shapes import conv_padding
from ._build import FLOATS, NUMERIC, Elementwise
from . import direct_conv, gemm, threads, vecmath, winograd
from .threads import blas_single_thread, parallel

_ROWS_PER_TASK = 512       # output pixels per im2col block: ~K*512*4 bytes, L2-sized


# --- activations: element-wise, each a scalar function made into a ufunc ----------------------

def _softplus(x):
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def _softsign(x): return x / (1.0 + abs(x))


# TF's Relu is Eigen's max(x, 0), which keeps x unless x < 0: NaN and -0.0 pass through and
# -inf becomes 0 (x * 0 would give NaN there, and -0.0 for negative x).
def _relu(x): return 0 if x < 0 else x
def _relu6(x): return 0 if x < 0 else (6 if x > 6 else x)
def _elu(x): return x if x > 0 else math.expm1(x)


def _selu(x):
    a, s = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return s * x if x > 0 else s * a * math.expm1(x)


# float32 Softplus: vecmath's rule, which LLVM vectorises (libm's log1p and exp would not)
register_kernel("Softplus")(Elementwise("Softplus", _softplus, FLOATS, 1,
                                        rules={"float32": vecmath.softplus_rule}))
for _t, _f, _types in (("Softsign", _softsign, FLOATS),
                       ("Relu", _relu, NUMERIC), ("Relu6", _relu6, NUMERIC),
                       ("Elu", _elu, FLOATS), ("Selu", _selu, FLOATS)):
    register_kernel(_t)(Elementwise(_t, _f, _types, 1))


# --- element-wise activation gradients ---------------------------------------------------------

def _relu_grad(g, x): return g if x > 0 else g * 0
def _relu6_grad(g, x): return g if 0 < x < 6 else g * 0
def _elu_grad(g, y): return g if y > 0 else g * (y + 1)


def _selu_grad(g, y):
    a, s = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return g * s if y > 0 else g * (y + s * a)


def _softplus_grad(g, x):
    return g / (1.0 + math.exp(-x)) if x >= 0 else g * math.exp(x) / (1.0 + math.exp(x))


def _softsign_grad(g, x): return g / ((1.0 + abs(x)) * (1.0 + abs(x)))


register_kernel("ReluGrad")(Elementwise("ReluGrad", _relu_grad, NUMERIC, 2))
register_kernel("Relu6Grad")(Elementwise("Relu6Grad", _relu6_grad, NUMERIC, 2))
register_kernel("EluGrad")(Elementwise("EluGrad", _elu_grad, FLOATS, 2))
register_kernel("SeluGrad")(Elementwise("SeluGrad", _selu_grad, FLOATS, 2))
register_kernel("SoftplusGrad")(Elementwise("SoftplusGrad", _softplus_grad, FLOATS, 2))
register_kernel("SoftsignGrad")(Elementwise("SoftsignGrad", _softsign_grad, FLOATS, 2))


@register_kernel("LeakyRelu")
def leaky_relu(x, *, alpha=0.2):
    x = np.asarray(x)
    return np.where(x > 0, x, x * x.dtype.type(alpha))


@register_kernel("LeakyReluGrad")
def leaky_relu_grad(g, x, *, alpha=0.2):
    g = np.asarray(g)
    return np.where(np.asarray(x) > 0, g, g * g.dtype.type(alpha))


# --- softmax and losses ------------------------------------------------------------------------

_SOFTMAX_FAST = (np.dtype(np.float32), np.dtype(np.float64))

# float32 exp(v) for v <= 0 (softmax's shifted logits), written as plain arithmetic so that
# LLVM vectorises it (numba has no SIMD exp; NumPy's ufunc could not be fused into the row
# loop). Cody-Waite reduction v = k*ln2 + r, |r| <= ln2/2, a degree-7 minimax polynomial for
# exp(r), and 2**-k as a float32 built from its exponent bits (a bit cast vectorises, see
# vecmath.py; selects over k's seven bits took twice as long). Measured < 1 ulp from the
# correctly rounded value over [-87.3, 0]; below that, where the result would be subnormal,
# it is 0 (exp(-inf) = 0), like Eigen's. Every constant is float32 so nothing widens to
# double.
_F = np.float32
_LOG2E, _LN2_HI, _LN2_LO = _F(1.4426950408889634), _F(0.693359375), _F(-2.12194440e-4)
_E0, _E1, _E2, _E3, _E4, _E5 = (_F(1.9875691500e-4), _F(1.3981999507e-3),
                                _F(8.3334519073e-3), _F(4.1665795894e-2),
                                _F(1.6666665459e-1), _F(5.0000001201e-1))
_EXP_LO, _HALF, _ONE, _ZERO = _F(-87.33654), _F(0.5), _F(1.0), _F(0.0)


@njit(inline="always")
def _exp_nonpos(v):
    kf = np.floor(v * _LOG2E + _HALF)
    r = v - kf * _LN2_HI - kf * _LN2_LO
    p = ((((_E0 * r + _E1) * r + _E2) * r + _E3) * r + _E4) * r + _E5
    y = p * r * r + r + _ONE
    k = np.int32(-kf) if v >= _EXP_LO else np.int32(0)     # NaN keeps k = 0, y = NaN
    # times 2**-k (k in 0..126) built from its bits: exact, and one rounding where the
    # result is subnormal, as a chain of products by 2**-1, 2**-2, ... would give
    y = y * vecmath._bits_f32(np.int32((127 - k) << 23))
    return _ZERO if v < _EXP_LO else y


@njit(cache=True, fastmath={"reassoc", "contract"})
def _row_sum(r):
    """Sum of a float32 row in float64; reassociation lets LLVM vectorise the reduction."""
    s = 0.0
    for j in range(r.shape[0]):
        s += r[j]
    return s


@njit(cache=True)
def _row_max(x):
    """Row maxima of short rows (NumPy's reduction along a short last axis costs 4x the
    softmax itself); a NaN is skipped here but still turns its row to NaN through the sum."""
    m = np.empty(x.shape[0], x.dtype)
    for i in range(x.shape[0]):
        mi = x[i, 0]
        for j in range(1, x.shape[1]):
            if x[i, j] > mi:
                mi = x[i, j]
        m[i] = mi
    return m


@njit(cache=True, nogil=True)
def _softmax_f32(x, m, e):
    """e = exp(x - m) / sum, row by row, each row read once from memory and finished while
    it is in L1; scaled by the sum's float32 inverse, as TF's kernel does."""
    for i in range(x.shape[0]):
        xr, er, mi = x[i], e[i], m[i]
        for j in range(x.shape[1]):
            er[j] = _exp_nonpos(xr[j] - mi)
        inv = _F(1.0 / _row_sum(er))
        for j in range(x.shape[1]):
            er[j] = er[j] * inv


def _softmax_f32_block(x, e):
    m = x.max(axis=1) if x.shape[1] > 256 else _row_max(x)
    _softmax_f32(x, m, e)


@njit(cache=True)
def _sub_row_max(x, out):
    for i in range(x.shape[0]):
        m = x[i, 0]
        for j in range(1, x.shape[1]):
            if x[i, j] > m:
                m = x[i, j]
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] - m


@njit(cache=True)
def _div_row_sum(e):
    for i in range(e.shape[0]):
        s = 0.0
        for j in range(e.shape[1]):
            s += e[i, j]
        for j in range(e.shape[1]):
            e[i, j] = e[i, j] / s


def _logits_rank(x):
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got []")


@register_kernel("Softmax")
def softmax(x):
    x = np.asarray(x)
    _logits_rank(x)
    if x.ndim and x.size == 0:
        return np.empty_like(x)     # np.max has no identity for an empty row
    if x.dtype in _SOFTMAX_FAST and x.ndim and x.flags.c_contiguous:
        x2 = x.reshape(-1, x.shape[-1])
        e = np.empty_like(x2)
        if x.dtype == np.float32:
            if x2.size >= _SOFTMAX_SPLIT and x2.shape[0] > 1:
                # memory-bound: row blocks on threads, one per core (the kernel and
                # NumPy's max release the GIL)
                nblk = min(x2.shape[0], max(threads.intra_op_threads(), x2.size >> 16))
                b = np.linspace(0, x2.shape[0], nblk + 1).astype(int)
                threads.map_blocks(lambda i: _softmax_f32_block(x2[b[i]:b[i + 1]],
                                                                e[b[i]:b[i + 1]]), len(b) - 1)
            else:
                _softmax_f32_block(x2, e)
        elif x.shape[-1] <= 256:
            _sub_row_max(x2, e)
            np.exp(e, out=e)
            _div_row_sum(e)
        else:
            _softmax_into(x2, e)
        return e.reshape(x.shape)
    return _softmax_into(x, np.empty_like(x))


_SOFTMAX_SPLIT = 1 << 20


def _softmax_into(x, e):
    """Softmax of x along its last axis into e, every step in place (one buffer: a big
    softmax is memory-bound, and each temporary costs a pass over memory)."""
    np.subtract(x, x.max(axis=-1, keepdims=True), out=e)
    np.exp(e, out=e)
    e /= e.sum(axis=-1, keepdims=True)
    return e


@register_kernel("LogSoftmax")
def log_softmax(x):
    x = np.asarray(x)
    _logits_rank(x)
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


@register_kernel("SparseSoftmaxCrossEntropyWithLogits")
def sparse_xent(features, labels):
    features = np.asarray(features)
    labels = np.asarray(labels)
    n, c = features.shape
    if labels.shape != (n,):
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must have the same first dimension, got logits "
                        f"shape [{n},{c}] and labels shape [{labels.shape[0]}]")
    bad = (labels < 0) | (labels >= c)
    if bad.any():
        first = int(labels[np.argmax(bad)])
        raise errors.InvalidArgumentError(
            None, None, f"Received a label value of {first} which is outside the valid range "
                        f"of [0, {c}).  Label values: {' '.join(str(int(v)) for v in labels)}")
    z = features - features.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = np.log(s[:, 0]) - z[rows, labels]
    back = e / s
    back[rows, labels] -= 1
    return loss.astype(features.dtype, copy=False), back


@register_kernel("SoftmaxCrossEntropyWithLogits")
def xent(features, labels):
    features = np.asarray(features)
    labels = np.asarray(labels)
    features, labels = np.broadcast_arrays(features, labels)
    z = features - features.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=-1, keepdims=True))
    logp = z - lse
    loss = -(labels * logp).sum(axis=-1)
    back = np.exp(logp) - labels
    return loss.astype(features.dtype, copy=False), back


@register_kernel("L2Loss")
def l2_loss(t):
    t = np.asarray(t)
    return np.asarray(np.vdot(t, t) / 2 if t.dtype.kind == "f" else (t * t).sum() // 2,
                      dtype=t.dtype)


@register_kernel("InTopKV2")
def in_top_k(predictions, targets, k):
    p = np.asarray(predictions)
    t = np.asarray(targets)
    k = int(k)
    n = p.shape[0]
    if t.shape != (n,):
        raise errors.InvalidArgumentError(None, None, "targets must have same elements as "
                                                      "predictions")
    out = np.zeros(n, dtype=bool)
    ok = (t >= 0) & (t < p.shape[1])
    tv = p[np.arange(n)[ok], t[ok]]
    finite = np.isfinite(p).all(axis=1)
    better = (p[ok] > tv[:, None]).sum(axis=1)
    out[ok] = (better < k) & np.isfinite(tv) & finite[ok]
    return out


# --- bias ---------------------------------------------------------------------------------------

@register_kernel("BiasAdd")
def bias_add(value, bias, *, data_format="NHWC"):
    value = np.asarray(value)
    bias = np.asarray(bias)
    if value.ndim < 2:
        raise errors.InvalidArgumentError(
            None, None, f"Input tensor must be at least 2D: {list(value.shape)}")
    if data_format.startswith("NC") and value.ndim > 2:
        bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
    if value.shape[1 if data_format.startswith("NC") else -1] != bias.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Must provide as many biases as the last dimension of the input "
                        f"tensor: {list(bias.shape)} vs. {list(value.shape)}")
    if (value.size >= _BIAS_PAR_MIN and value.ndim >= 2 and value.flags.c_contiguous
            and bias.ndim == 1 and value.dtype in (np.float32, np.float64)
            and bias.dtype == value.dtype):
        # a big layer's bias is a memory-bound pass: both cores share it
        out = np.empty_like(value)
        _bias_rows(value.reshape(-1, bias.shape[0]), bias, False,
                   out.reshape(-1, bias.shape[0]))
        return out
    return value + bias


_BIAS_PAR_MIN = 1 << 20
_FILTER_PARTS = 8    # partial sums of a filter gradient: fixed, several per thread


_relu_njit = njit(_relu, inline="always")   # Relu's scalar rule, for the fused epilogue
_relu_grad_njit = njit(_relu_grad, inline="always")     # ReluGrad's, for MaxPoolGrad's


@njit(cache=True, nogil=True)
def _bias_rows_range(x, b, relu, out, lo, hi):
    for i in range(lo, hi):
        for j in range(x.shape[1]):
            v = x[i, j] + b[j]
            out[i, j] = _relu_njit(v) if relu else v


def _bias_rows(x, b, relu, out):
    """out = x + b row by row, then Relu's own scalar rule if asked; out may be x. Rows in
    ranges claimed by the intra-op threads (element-wise: the ranges change no value)."""
    rows = x.shape[0]
    nt = threads.intra_op_threads() if x.size >= threads._PAR_MIN_WORK else 1
    per = max(1, (1 << 17) // max(1, x.shape[1]))
    threads.map_blocks(lambda i: _bias_rows_range(x, b, relu, out, i * per,
                                                  min(rows, (i + 1) * per)),
                       -(-rows // per), nt)


def bias_add_into(value, bias, *, data_format="NHWC", relu=False):
    """BiasAdd, then Relu if asked, of a buffer the caller owns (the output of a MatMul
    fused with them, runtime/epilogue.py): one pass over memory, in place."""
    value = np.asarray(value)
    bias = np.asarray(bias)
    if (value.ndim >= 2 and value.flags.c_contiguous and value.flags.writeable
            and not data_format.startswith("NC") and bias.ndim == 1
            and bias.shape[0] == value.shape[-1] and value.dtype == bias.dtype):
        v2 = value.reshape(-1, bias.shape[0])
        _bias_rows(v2, bias, relu, v2)
        return value
    out = bias_add(value, bias, data_format=data_format)     # its checks and errors
    if relu:
        out = np.where(out < 0, out.dtype.type(0), out)
    return out


@njit(cache=True, nogil=True)
def _column_sums(x):
    """x.sum(axis=0) of a C-contiguous (rows, C) array, row after row in order: the same
    additions in the same order as NumPy's reduction over the leading axis (so the same
    bits), 4x faster on the seed CNN's first-layer gradient (0.64 -> 0.15 ms)."""
    acc = np.zeros(x.shape[1], x.dtype)
    for i in range(x.shape[0]):
        r = x[i]
        for j in range(x.shape[1]):
            acc[j] += r[j]
    return acc


@register_kernel("BiasAddGrad")
def bias_add_grad(g, *, data_format="NHWC"):
    g = np.asarray(g)
    if data_format.startswith("NC") and g.ndim > 2:
        axes = (0,) + tuple(range(2, g.ndim))
    else:
        axes = tuple(range(g.ndim - 1))
        if (g.ndim >= 2 and g.dtype in (np.float32, np.float64) and g.flags.c_contiguous
                and g.size):
            return _column_sums(g.reshape(-1, g.shape[-1]))
    return g.sum(axis=axes, dtype=g.dtype)


# --- convolution --------------------------------------------------------------------------------

@njit(cache=True, inline="always")
def _fill_cols_narrow(x, n, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow, col):
    """`_fill_cols` for a window row of few floats (kw*c < 16, e.g. a 5x5 filter on one
    channel): one im2col column at a time, along an output row, so the loop is over the
    row's pixels instead of a 5-float copy per pixel and kernel row, whose per-copy slicing
    cost more than the copy (seed 3's first conv: the fill 3.1 -> 0.5 ms on one core).
    Each tap's pixels inside the image form one range of j; those outside get zeros."""
    _, h, w, c = x.shape
    xf = x[n].reshape(-1)
    colf = col.reshape(-1)
    k = kh * kw * c
    for i in range(i0, i1):
        r0 = (i - i0) * ow * k
        for a in range(kh):
            y = i * sh - pt + a * dh
            for b in range(kw):
                off = b * dw - pl                  # input column of pixel j: j*sw + off
                lo = min(ow, max(0, (-off + sw - 1) // sw))
                hi = max(lo, min(ow, (w - off + sw - 1) // sw))
                if y < 0 or y >= h:
                    lo = hi = ow
                for ch in range(c):
                    t = r0 + (a * kw + b) * c + ch
                    for j in range(lo):
                        colf[t + j * k] = 0
                    src = (y * w + off) * c + ch
                    for j in range(lo, hi):
                        colf[t + j * k] = xf[src + j * sw * c]
                    for j in range(hi, ow):
                        colf[t + j * k] = 0


@njit(cache=True, inline="always")
def _fill_cols(x, n, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow, col):
    """Rows of the im2col matrix for output rows i0..i1 of image n (x C-contiguous).

    Copies go through slices: indexing col[row, k + q] costs numba's negative-index check
    per element and keeps LLVM from vectorising the copy (conv2 of seed 3: 4.0 -> 2.8 ms;
    even a 5-float window row of one channel: conv1's fill 2.1 -> 1.3 ms). A window row
    inside the image is its kw*c contiguous floats, one copy instead of kw taps; one cut
    by the left or right edge is zeros around one copy."""
    _, h, w, c = x.shape
    if kw * c < 16:
        _fill_cols_narrow(x, n, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow, col)
        return
    xf = x.reshape((x.shape[0], h, w * c))
    span = kw * c
    row = 0
    for i in range(i0, i1):
        for j in range(ow):
            x0 = j * sw - pl
            whole = dw == 1 and x0 >= 0 and x0 + kw <= w
            k = 0
            for a in range(kh):
                y = i * sh - pt + a * dh
                if not 0 <= y < h:
                    dst = col[row, k:k + span]
                    for q in range(span):
                        dst[q] = 0
                elif whole:
                    dst = col[row, k:k + span]
                    src = xf[n, y, x0 * c:x0 * c + span]
                    for q in range(span):
                        dst[q] = src[q]
                else:
                    for b in range(kw):
                        xx = x0 + b * dw
                        inside = 0 <= xx < w
                        if c < 8:
                            for ch in range(c):
                                col[row, k + b * c + ch] = x[n, y, xx, ch] if inside else 0
                            continue
                        dst = col[row, k + b * c:k + (b + 1) * c]
                        if inside:
                            src = x[n, y, xx]
                            for ch in range(c):
                                dst[ch] = src[ch]
                        else:
                            for ch in range(c):
                                dst[ch] = 0
                k += span
            row += 1


def _gemm(a, b, bp, c, accumulate, own, scratch):
    """c (+)= a @ b on this thread: tfteach's own GEMM (`gemm.py`, b pre-packed into bp
    or read in place when bp is empty; `scratch` from gemm.serial_scratch()) where it is
    faster than BLAS, else BLAS."""


@njit(cache=True, inline="always")
def _blas_gemm(a, b, c, accumulate):
    if accumulate:
        c += np.dot(a, b)
    else:
        np.dot(a, b, c)


@overload(_gemm)
def _gemm_impl(a, b, bp, c, accumulate, own, scratch):
    if a.dtype == types.float32:       # the own GEMM is float32 only: compiled only there
        def own_or_blas(a, b, bp, c, accumulate, own, scratch):
            if own:
                gemm.gemm_serial(a, b, bp, c, accumulate, scratch)
            else:
                _blas_gemm(a, b, c, accumulate)
        return own_or_blas
    return lambda a, b, bp, c, accumulate, own, scratch: _blas_gemm(a, b, c, accumulate)


# The kernels below split their tasks (blocks of rb output rows of one image) into n_part
# partitions and allocate each partition's buffers once: a buffer of a few hundred KiB per
# task would be fresh pages from the OS every time (measured: page faults made conv1's
# filter gradient 3.6 ms instead of 0.6). A partition is a nogil numba function; the
# intra-op threads claim partitions as they come free (threads.map_blocks), so on a loaded
# machine a thread the scheduler keeps waiting does fewer partitions instead of holding up
# the call (a numba parallel region ends only when its slowest thread does). There are
# more partitions than threads for that; the output of the forward and input-gradient
# kernels does not depend on the partitioning, the filter gradient's fixed count of partial
# sums (_FILTER_PARTS) keeps its value independent of the threads.


def _conv_plan(work, tasks):
    """(threads, partitions) for a conv kernel: one thread for small work (waking threads
    costs more than it saves), else the policy's count with 4 partitions per thread."""
    nt = threads.intra_op_threads() if work >= threads._PAR_MIN_WORK else 1
    return nt, max(1, min(tasks, 4 * nt))


def _partitions(kernel, args, n_part, nt):
    """kernel(*args, p) for every partition p, claimed by `nt` threads as they come free;
    SciPy's BLAS (the float64 path's np.dot) held to one thread meanwhile."""
    with threads.blas_held():
        threads.map_blocks(lambda p: kernel(*args, p), n_part, nt)

@njit(cache=True, nogil=True)
def _conv_fwd_part(x, wm, wp, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, rb, out, own, bias, relu,
                   n_part, group, p):
    """out[n*oh*ow + r, :] = im2col(x)[r] @ w, block by block of rb output rows (a
    non-empty `bias` added, and Relu applied if `relu`, to each block while in cache).

    With group > 1 (see `_pixel_group`), wm is kron(I_group, w) and each GEMM row holds
    `group` consecutive pixels: the same memory as the im2col block and the output block,
    reshaped."""
    n_img = x.shape[0]
    k = wm.shape[0] // group
    nb = (oh + rb - 1) // rb
    total = n_img * nb
    col = np.empty((rb * ow, k), x.dtype)
    scratch = gemm.serial_scratch()
    for t in range(p, total, n_part):
        n = t // nb
        i0 = (t - n * nb) * rb
        i1 = min(oh, i0 + rb)
        m = (i1 - i0) * ow
        cb = col[:m]
        _fill_cols(x, n, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow, cb)
        r0 = (n * oh + i0) * ow
        if group == 1:
            _gemm(cb, wm, wp, out[r0:r0 + m], False, own, scratch)
        else:
            _gemm(cb.reshape((m // group, group * k)), wm, wp,
                  out[r0:r0 + m].reshape((m // group, group * wm.shape[1] // group)),
                  False, own, scratch)
        if bias.size > 0:
            gemm.epilogue(out, r0, r0 + m, 0, out.shape[1], bias, relu)





@njit(cache=True, nogil=True)
def _conv_filter_part(x, dy, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, rb, n_part, part, own, p):
    """part[p] = sum over the tasks of partition p of im2col(x)[block].T @ dy[block]."""
    n_img = x.shape[0]
    k = part.shape[1]
    o = part.shape[2]
    nb = (oh + rb - 1) // rb
    total = n_img * nb
    no_pack = np.empty(0, x.dtype)
    col = np.empty((rb * ow, k), x.dtype)
    scratch = gemm.serial_scratch()
    acc = part[p]
    acc[:] = 0
    for t in range(p, total, n_part):
        n = t // nb
        i0 = (t - n * nb) * rb
        i1 = min(oh, i0 + rb)
        m = (i1 - i0) * ow
        cb = col[:m]
        _fill_cols(x, n, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow, cb)
        r0 = (n * oh + i0) * ow
        _gemm(cb.T, dy[r0:r0 + m], no_pack, acc, True, own, scratch)





@njit(cache=True, nogil=True)
def _conv_input_part(dy, wt, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, rb, out, own, n_part, p):
    """out = col2im(dy @ wt), image by image (overlapping windows scatter-add)."""
    n_img = out.shape[0]
    k = wt.shape[1]
    no_pack = np.empty(0, dy.dtype)
    dcol = np.empty((rb * ow, k), dy.dtype)
    scratch = gemm.serial_scratch()
    for n in range(p, n_img, n_part):
        img = out[n]
        img[:] = 0
        for i0 in range(0, oh, rb):
            i1 = min(oh, i0 + rb)
            m = (i1 - i0) * ow
            db = dcol[:m]
            r0 = (n * oh + i0) * ow
            _gemm(dy[r0:r0 + m], wt, no_pack, db, False, own, scratch)
            _scatter_cols(db, img, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow)





@njit(cache=True, inline="always")
def _scatter_cols(db, img, i0, i1, kh, kw, sh, sw, dh, dw, pt, pl, ow):
    """Adds the im2col rows of output rows i0..i1 back into their input pixels of img
    (the transpose of `_fill_cols`, with the same slices)."""
    h, w, c = img.shape
    imgf = img.reshape((h, w * c))
    span = kw * c
    row = 0
    for i in range(i0, i1):
        for j in range(ow):
            x0 = j * sw - pl
            whole = dw == 1 and x0 >= 0 and x0 + kw <= w
            kk = 0
            for a in range(kh):
                y = i * sh - pt + a * dh
                if not 0 <= y < h:
                    pass
                elif whole and span < 16:
                    s0 = x0 * c
                    for q in range(span):
                        imgf[y, s0 + q] += db[row, kk + q]
                elif whole:
                    dst = imgf[y, x0 * c:x0 * c + span]
                    src = db[row, kk:kk + span]
                    for q in range(span):
                        dst[q] += src[q]
                else:
                    for b in range(kw):
                        xx = x0 + b * dw
                        if 0 <= xx < w:
                            if c < 8:
                                for ch in range(c):
                                    img[y, xx, ch] += db[row, kk + b * c + ch]
                            else:
                                dst = img[y, xx]
                                src = db[row, kk + b * c:kk + (b + 1) * c]
                                for ch in range(c):
                                    dst[ch] += src[ch]
                kk += span
            row += 1


@njit(cache=True, nogil=True)
def _conv_filter_direct_part(x, dy, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, n_part, part, p):
    """dW of a convolution with few input channels: per-thread partial sums over images,
    the inner loop running over the output channels (contiguous, vectorised)."""
    n_img, h, w, c = x.shape
    o = dy.shape[1]
    acc = part[p]
    acc[:] = 0
    for n in range(p, n_img, n_part):
        for i in range(oh):
            for j in range(ow):
                r = (n * oh + i) * ow + j
                for a in range(kh):
                    y = i * sh - pt + a * dh
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw - pl + b * dw
                        if xx < 0 or xx >= w:
                            continue
                        base = (a * kw + b) * c
                        for ch in range(c):
                            v = x[n, y, xx, ch]
                            for q in range(o):
                                acc[base + ch, q] += v * dy[r, q]





# --- padding-free tiling ------------------------------------------------------------------------
# With SAME padding an output pixel near the border has taps that fall on the padding: in the
# im2col + GEMM above they are zeros that the GEMM still multiplies (5x5 on 14x14: 16% of the
# arithmetic, on 28x28: 8%). Below, the output pixels are grouped into classes that share
# the same valid taps (`_tap_classes`: e.g. "first row, interior columns"); a class's pixels,
# gathered across images, form the rows of one GEMM whose reduction runs over its valid taps
# only, so the padding is never multiplied. The valid kernel rows a0..a1 of a class are one
# contiguous range of the filter's rows; its valid columns b0..b1 are one contiguous run of
# (b1-b0)*C filter rows per kernel row, so a class's product is one GEMM (all columns valid)
# or one per kernel row, accumulated. A task is a run of at most `_cls_rows` pixels of one
# class; its gathered rows go through a scratch tile and are copied to their pixels.

@njit(cache=True, inline="always")
def _cls_start(cl, s0):
    """(n, i, j) of the s0-th pixel of class cl (pixels ordered by image, row, column)."""
    nj = cl[5] - cl[4]
    per = (cl[1] - cl[0]) * nj
    n = s0 // per
    r = s0 - n * per
    i = r // nj
    return n, cl[0] + i, cl[4] + r - i * nj


@njit(cache=True, inline="always")
def _cls_next(cl, n, i, j):
    j += 1
    if j == cl[5]:
        j = cl[4]
        i += 1
        if i == cl[1]:
            i = cl[0]
            n += 1
    return n, i, j


@njit(cache=True, inline="always")
def _fill_cls(x, cl, s0, s1, kw, sh, sw, dh, dw, pt, pl, col):
    """col[r] = the valid taps of the r-th pixel of the run s0..s1 of class cl, kernel row by
    kernel row (a full class, cl[8] = 1, also holds its padded columns, as zeros)."""
    _, h, w, c = x.shape
    xf = x.reshape((x.shape[0], h, w * c))
    a0, a1, b0, b1, full = cl[2], cl[3], cl[6], cl[7], cl[8]
    seg = (b1 - b0) * c
    n, i, j = _cls_start(cl, s0)
    for r in range(s1 - s0):
        x0 = j * sw - pl + b0 * dw
        inside = x0 >= 0 and x0 + (b1 - b0 - 1) * dw < w
        k = 0
        for a in range(a0, a1):
            y = i * sh - pt + a * dh
            dst = col[r, k:k + seg]
            if inside and dw == 1:
                src = xf[n, y, x0 * c:x0 * c + seg]
                for q in range(seg):
                    dst[q] = src[q]
            else:
                for b in range(b1 - b0):
                    xx = x0 + b * dw
                    d = dst[b * c:(b + 1) * c]
                    if full == 0 or 0 <= xx < w:
                        s = x[n, y, xx]
                        for ch in range(c):
                            d[ch] = s[ch]
                    else:
                        for ch in range(c):
                            d[ch] = 0
            k += seg
        n, i, j = _cls_next(cl, n, i, j)


@njit(cache=True, inline="always")
def _cls_rows_io(cl, s0, s1, oh, ow, buf, big, to_big):
    """Copies the rows of the run s0..s1 of class cl between `buf` (gathered, first
    big.shape[1] columns) and `big` (one row per output pixel, in NHWC order)."""
    o = big.shape[1]
    n, i, j = _cls_start(cl, s0)
    r = 0
    while r < s1 - s0:
        run = min(cl[5] - j, s1 - s0 - r)    # pixels left in this output row
        p0 = (n * oh + i) * ow + j
        for q in range(run):
            src = buf[r + q, :o]
            dst = big[p0 + q]
            if to_big:
                for e in range(o):
                    dst[e] = src[e]
            else:
                for e in range(o):
                    src[e] = dst[e]
        r += run
        j += run - 1
        n, i, j = _cls_next(cl, n, i, j)


@njit(cache=True, nogil=True)
def _conv_fwd_cls_part(x, wcls, woff, cls, tasks, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, out,
                       rows, kmax, bias, relu, n_part, p):
    """The output pixels of tasks p, p + n_part, ...: per task, its class's valid taps
    gathered (`_fill_cls`) times the class's filter rows (wcls[woff[k]:], its taps x
    the output channels rounded up to whole NR-wide panels, zero-padded); a non-empty
    `bias` added (and Relu applied if `relu`) while the task's rows are in cache."""
    c = x.shape[3]
    nr = gemm.tile_shape(out.shape[1])[1]
    on = ((out.shape[1] + nr - 1) // nr) * nr
    colf = np.empty(rows * kmax, x.dtype)
    ctmp = np.empty((rows, on), x.dtype)
    scratch = gemm.serial_scratch()
    no_pack = np.empty(0, x.dtype)
    for t in range(p, tasks.shape[0], n_part):
        k = tasks[t, 0]
        cl = cls[k]
        s0, s1 = tasks[t, 1], tasks[t, 2]
        m = s1 - s0
        kc = (cl[3] - cl[2]) * (cl[7] - cl[6]) * c
        cm = ctmp[:m]
        if kc == 0:
            cm[:] = 0
        else:
            cb = colf[:m * kc].reshape((m, kc))
            _fill_cls(x, cl, s0, s1, kw, sh, sw, dh, dw, pt, pl, cb)
            gemm.gemm_serial(cb, wcls[woff[k]:woff[k] + kc * on].reshape((kc, on)), no_pack,
                             cm, False, scratch)
        if bias.size > 0:
            gemm.epilogue(cm, 0, m, 0, out.shape[1], bias, relu)
        _cls_rows_io(cl, s0, s1, oh, ow, cm, out, True)


@njit(cache=True, nogil=True)
def _conv_filter_cls_part(x, dy, cls, tasks, assign, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow,
                          rows, kmax, part, p):
    """part[p] = the sum over the tasks assigned to p (in order) of their gathered taps
    transposed times their pixels' output gradients, into the filter rows of those taps."""
    c = x.shape[3]
    o = dy.shape[1]
    colf = np.empty(rows * kmax, x.dtype)
    dyg = np.empty((rows, o), x.dtype)
    scratch = gemm.serial_scratch()
    no_pack = np.empty(0, x.dtype)
    acc = part[p]
    acc[:] = 0
    for t in range(tasks.shape[0]):
        if assign[t] != p:
            continue
        cl = cls[tasks[t, 0]]
        s0, s1 = tasks[t, 1], tasks[t, 2]
        m = s1 - s0
        seg = (cl[7] - cl[6]) * c
        kc = (cl[3] - cl[2]) * seg
        if kc == 0:
            continue
        cb = colf[:m * kc].reshape((m, kc))
        _fill_cls(x, cl, s0, s1, kw, sh, sw, dh, dw, pt, pl, cb)
        dm = dyg[:m]
        _cls_rows_io(cl, s0, s1, oh, ow, dm, dy, False)
        if cl[8] == 1 or (cl[6] == 0 and cl[7] == kw):
            r0 = cl[2] * kw * c
            gemm.gemm_serial(cb.T, dm, no_pack, acc[r0:r0 + kc], True, scratch)
        else:
            for a in range(cl[2], cl[3]):
                k0 = (a - cl[2]) * seg
                r0 = (a * kw + cl[6]) * c
                gemm.gemm_serial(cb[:, k0:k0 + seg].T, dm, no_pack, acc[r0:r0 + seg], True,
                                 scratch)


@njit(cache=True, nogil=True)
def _conv_input_cls_part(dy, wtc, woff, cls, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, rows,
                         kmax, out, chunk, n_part, p):
    """Images of chunks p, p + n_part, ... (`chunk` images each) of the input gradient: per
    class, its pixels' output gradients over the chunk times the class's filter columns
    (wtc[woff[k]:], O x its valid taps), each product row added back onto the input pixels
    it came from. A chunk holds several images so that a class of few pixels per image (a
    corner) still fills the GEMM's row tiles; the additions into a pixel come in the same
    order whatever the chunk (class by class, then output pixel by output pixel)."""
    n_img, h, w, c = out.shape
    o = dy.shape[1]
    dcolf = np.empty(rows * kmax, dy.dtype)
    dyg = np.empty((rows, o), dy.dtype)
    scratch = gemm.serial_scratch()
    no_pack = np.empty(0, dy.dtype)
    n_chunks = (n_img + chunk - 1) // chunk
    for t in range(p, n_chunks, n_part):
        c0 = t * chunk
        c1 = min(n_img, c0 + chunk)
        out[c0:c1] = 0
        for k in range(cls.shape[0]):
            cl = cls[k]
            a0, a1, b0, b1, full = cl[2], cl[3], cl[6], cl[7], cl[8]
            seg = (b1 - b0) * c
            kc = (a1 - a0) * seg
            per = (cl[1] - cl[0]) * (cl[5] - cl[4])
            if kc == 0 or per == 0:
                continue
            wc = wtc[woff[k]:woff[k] + o * kc].reshape((o, kc))
            for s0 in range(c0 * per, c1 * per, rows):
                s1 = min(c1 * per, s0 + rows)
                m = s1 - s0
                dm = dyg[:m]
                _cls_rows_io(cl, s0, s1, oh, ow, dm, dy, False)
                db = dcolf[:m * kc].reshape((m, kc))
                gemm.gemm_serial(dm, wc, no_pack, db, False, scratch)
                n, i, j = _cls_start(cl, s0)
                for r in range(m):
                    img = out[n]
                    imgf = img.reshape((h, w * c))
                    x0 = j * sw - pl + b0 * dw
                    inside = x0 >= 0 and x0 + (b1 - b0 - 1) * dw < w
                    kk = 0
                    for a in range(a0, a1):
                        y = i * sh - pt + a * dh
                        if inside and dw == 1:
                            dst = imgf[y, x0 * c:x0 * c + seg]
                            src = db[r, kk:kk + seg]
                            for q in range(seg):
                                dst[q] += src[q]
                        else:
                            for b in range(b1 - b0):
                                xx = x0 + b * dw
                                if full == 0 or 0 <= xx < w:
                                    dst = img[y, xx]
                                    src = db[r, kk + b * c:kk + (b + 1) * c]
                                    for ch in range(c):
                                        dst[ch] += src[ch]
                        kk += seg
                    n, i, j = _cls_next(cl, n, i, j)


def _tap_runs(n_out, n_in, k, s, d, pad):
    """Runs of consecutive output positions whose valid taps are the same: (lo, hi, t0, t1),
    tap t of position i reading input i*s - pad + t*d."""
    runs = []
    for i in range(n_out):
        base = i * s - pad
        t0 = 0 if base >= 0 else (-base + d - 1) // d
        t1 = 0 if base > n_in - 1 else min(k, (n_in - 1 - base) // d + 1)
        t0 = min(t0, k)
        t1 = max(t1, t0)
        if runs and runs[-1][2:] == [t0, t1]:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, t0, t1])
    return runs


_DX_CHUNK = 6           # images per task of the input gradient: a corner class fills a tile
_CLS_COLS_MIN_C = 16    # input channels from which a border column's taps are compacted too


def _tap_classes(g):
    """The classes of output pixels, rows (ilo, ihi, a0, a1, jlo, jhi, b0, b1, full) int64:
    pixels i in ilo..ihi, j in jlo..jhi whose valid filter taps are rows a0..a1, columns
    b0..b1; full = 1 when columns are not compacted (few channels: runs of (b1-b0)*C floats
    would be too short for the GEMM) and the padded ones are read as zeros."""
    rows = _tap_runs(g.oh, g.h, g.kh, g.sh, g.dh, g.pt)
    full = [[0, g.ow, 0, g.kw, 1]]
    cols = full
    if g.c >= _CLS_COLS_MIN_C:
        cols = [r + [0] for r in _tap_runs(g.ow, g.w, g.kw, g.sw, g.dw, g.pl)]
    # columns are compacted only in the longest run of rows: a class of compacted columns
    # needs its own copy of the filter taps, and a border row's few pixels per image do not
    # pay for one (measured: the copies took 0.5-0.9 ms of conv2's 5)
    big = max(range(len(rows)), key=lambda q: rows[q][1] - rows[q][0])
    return np.array([r + cc for q, r in enumerate(rows) for cc in (cols if q == big else full)],
                    np.int64)


def _cls_rows(kmax):
    """Pixels per task: the gathered taps of a task about 512 KiB (half of L2, beside the
    filter's panel), at least a few tiles (measured: conv2 of the seed CNN 10.8 ms at 1 MiB,
    9.8 at 512 KiB, one thread)."""
    r = max(4 * gemm.MR_MAX, min(1024, (1 << 17) // max(kmax, 1)))
    return r - r % gemm.MR_MAX


def _cls_tasks(cls, n_img, rows, c):
    """(class, s0, s1) for every run of at most `rows` pixels of each class, over the batch,
    the biggest products first: threads that claim tasks in this order end together."""
    t = []
    for k, cl in enumerate(cls):
        total = n_img * int((cl[1] - cl[0]) * (cl[5] - cl[4]))
        taps = int((cl[3] - cl[2]) * (cl[7] - cl[6])) * c
        t.extend((-(min(total, s + rows) - s) * taps, k, s, min(total, s + rows))
                 for s in range(0, total, rows))
    t.sort()
    return np.array([x[1:] for x in t], np.int64).reshape(-1, 3)


def _lpt_parts(tasks, cls, c, n_part):
    """Partition of each task for the filter gradient's fixed number of partial sums: the
    biggest task first into the least loaded partition, so the partitions (claimed by the
    threads as they come free) are about equal. From the shapes only, never the threads."""
    load = [0] * n_part
    part = np.empty(len(tasks), np.int64)
    for q, (k, s0, s1) in enumerate(tasks):
        cl = cls[k]
        p = min(range(n_part), key=load.__getitem__)
        part[q] = p
        load[p] += int(s1 - s0) * int((cl[3] - cl[2]) * (cl[7] - cl[6])) * c
    return part


@njit(cache=True)
def _gather_filters(f4, cls, width, transposed, off, buf):
    c, o = f4.shape[3], f4.shape[3]
    if not transposed:
        c, o = f4.shape[2], f4.shape[3]
    for q in range(cls.shape[0]):
        cl = cls[q]
        if off[q] < 0:
            continue
        kc = (cl[3] - cl[2]) * (cl[7] - cl[6]) * c
        t = 0
        for a in range(cl[2], cl[3]):
            for b in range(cl[6], cl[7]):
                if transposed:      # f4 is then (O, kh, kw, C): contiguous runs of C
                    for e in range(f4.shape[0]):
                        dst = buf[off[q] + e * kc + t:off[q] + e * kc + t + c]
                        src = f4[e, a, b]
                        for ch in range(c):
                            dst[ch] = src[ch]
                    t += c
                    continue
                for ch in range(c):
                    src = f4[a, b, ch]
                    row = buf[off[q] + t * width:off[q] + (t + 1) * width]
                    for e in range(o):
                        row[e] = src[e]
                    for e in range(o, width):
                        row[e] = 0
                    t += 1


def _class_filters(f4, cls, width, transposed):
    """Each class's filter rows (its valid taps, in `_fill_cls`'s order) in one flat buffer:
    taps x `width` (the output channels, zero-padded to `width`), or with `transposed` the
    output channels x taps; and each class's offset in it. Untransposed, a class whose
    columns are all there is a range of rows of the whole filter, which comes first in the
    buffer: only the compacted classes are copied."""
    kh, kw, c, o = f4.shape
    k = kh * kw * c
    whole = (cls[:, 8] == 1) | ((cls[:, 6] == 0) & (cls[:, 7] == kw))
    sizes = (cls[:, 3] - cls[:, 2]) * (cls[:, 7] - cls[:, 6]) * c * width
    if transposed:
        copied = sizes > 0
        base = 0
    else:
        copied = ~whole & (sizes > 0)
        base = k * width
    off = np.full(len(cls) + 1, -1, np.int64)
    off[:-1][copied] = base + np.concatenate([[0], np.cumsum(sizes[copied])[:-1]])
    total = base + int(sizes[copied].sum())
    buf = np.empty(max(1, total), f4.dtype)
    _gather_filters(np.ascontiguousarray(f4.transpose(3, 0, 1, 2)) if transposed else f4, cls,
                    width, transposed, off, buf)
    if not transposed:
        head = buf[:base].reshape(k, width)
        head[:, :o] = f4.reshape(k, o)
        head[:, o:] = 0
        off[:-1][whole] = cls[whole, 2] * kw * c * width
    off[off < 0] = 0        # classes without taps: never read
    return buf, off


_CLS_PLANS = {}


def _cls_plan(g):
    """(classes, longest gathered row, pixels per task, tasks, the filter gradient's
    partition of each task) of a geometry, kept: a
    training loop asks for the same few every step."""
    key = (g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl)
    plan = _CLS_PLANS.get(key)
    if plan is None:
        cls = _tap_classes(g)
        kmax = _cls_kmax(cls, g.c)
        rows = _cls_rows(kmax)
        tasks = _cls_tasks(cls, g.n, rows, g.c)
        n_part = max(1, min(_FILTER_PARTS, len(tasks)))
        plan = (cls, max(kmax, 1), rows, tasks, _lpt_parts(tasks, cls, g.c, n_part))
        if len(_CLS_PLANS) > 256:
            _CLS_PLANS.clear()
        _CLS_PLANS[key] = plan
    return plan


def _cls_kmax(cls, c):
    return int(max((cl[3] - cl[2]) * (cl[7] - cl[6]) * c for cl in cls))


def _use_classes(wdt, g):
    """The padding-free path: tfteach's own GEMM, enough channels that a gathered tap row
    is long, and some padding to skip or a tiling worth having."""
    return _own_gemm(wdt) and g.c >= 8


def _dx_as_forward(wdt, g):
    """The input gradient as a forward convolution of dy (`_Geometry.input_gradient`) on
    the padding-free path: its products are as long as the forward pass's (K = kh*kw*O)
    and it writes each input pixel once, where the transposed products (K = O) write
    kh*kw partial rows per output pixel for a scatter-add (conv2 of the seed CNN on one
    Zen 5: 3.7 -> 2.4 ms). Stride 1 only (a stride would need dy spread out with zeros),
    at least 32 input channels (the output of that forward convolution: one 12x32 tile)."""
    return (g.sh == g.sw == 1 and g.c >= gemm.NR_N and (g.kh - 1) * g.dh >= g.pt
            and (g.kw - 1) * g.dw >= g.pl and _use_classes(wdt, g.input_gradient()))


def _winograd(wdt, g, f, xn, out, bias, relu):
    """out = the convolution by Winograd's minimal filtering (winograd.py) when it applies:
    False if it does not, or if its outputs were not all finite (then the caller sums
    directly, keeping the infinities the direct sum gives)."""
    if not (_own_gemm(wdt) and winograd.applies(g)):
        return False
    up = winograd.filter_transform(f.reshape(g.kh, g.kw, g.c, g.o), g.kh)
    if up is None:
        return False
    nt, n_part = _conv_plan(out.size * g.kh * g.kw * g.c // 64, 1 << 30)
    return winograd.conv(xn, g.kh, up, g.pt, g.pl, g.oh, g.ow, out, bias, relu, n_part,
                         lambda kernel, args, n: _partitions(kernel, args, n, nt))


def _own_gemm(dtype):
    return dtype == np.float32 and gemm.available()


def _pixel_group(o, ow):
    """How many output pixels share one GEMM row when a conv has fewer than 32 output
    channels. The narrowest micro-kernel computes 32 columns at a time, so 16 channels
    would leave half of every tile to the slow ragged-edge path; instead two pixels'
    outputs form one 32-wide row, against a block-diagonal filter kron(I_2, w): the
    arithmetic still doubles (the zero blocks), but at the micro-kernel's full speed.
    Needs the row width to split evenly."""
    nr = gemm.NR_N
    if o >= nr or nr % o or ow % (nr // o):
        return 1
    return nr // o


# kh*kw*C up to this: the filter gradient accumulates directly (a GEMM with so short a
# reduction axis runs far below BLAS speed); the forward pass stays im2col + GEMM.
_DIRECT_MAX_K = 48


@njit(parallel=True, cache=True)
def _im2col(x, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col):
    n_img = x.shape[0]
    for n in prange(n_img):
        _fill_cols(x, n, 0, oh, kh, kw, sh, sw, dh, dw, pt, pl, ow, col[n * oh * ow:])


@njit(parallel=True, cache=True)
def _col2im(dcol, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, out):
    n_img = out.shape[0]
    for n in prange(n_img):
        img = out[n]
        img[:] = 0
        _scatter_cols(dcol[n * oh * ow:(n + 1) * oh * ow], img, 0, oh, kh, kw, sh, sw, dh, dw,
                      pt, pl, ow)


class _Geometry:
    """Everything the conv kernels need to know about one convolution."""
    __slots__ = ("n", "h", "w", "c", "kh", "kw", "o", "sh", "sw", "dh", "dw", "pt", "pl",
                 "oh", "ow", "rb")

    def __init__(self, in_shape, f_shape, strides, dilations, padding, op_type):
        self.n, self.h, self.w, self.c = (int(d) for d in in_shape)
        self.kh, self.kw, fc, self.o = (int(d) for d in f_shape)
        if fc != self.c:
            raise errors.InvalidArgumentError(
                None, None, f"{op_type}: input depth must be evenly divisible by filter "
                            f"depth: {self.c} vs {fc}" if fc == 0 or self.c % fc else
                            f"{op_type}: grouped convolutions are not supported by tfteach "
                            f"(input depth {self.c}, filter depth {fc})")
        self.sh, self.sw = int(strides[1]), int(strides[2])
        self.dh, self.dw = int(dilations[1]), int(dilations[2])
        self.oh, self.pt = conv_padding(self.h, self.kh, self.sh, self.dh, padding)
        self.ow, self.pl = conv_padding(self.w, self.kw, self.sw, self.dw, padding)
        if self.oh <= 0 or self.ow <= 0:
            raise errors.InvalidArgumentError(
                None, None, f"Computed output size would be negative: "
                            f"{min(self.oh, self.ow)} [input_size: {min(self.h, self.w)}, "
                            f"effective_filter_size: {(self.kh - 1) * self.dh + 1}, "
                            f"stride: {self.sh}]")
        self.rb = max(1, min(self.oh, _ROWS_PER_TASK // max(self.ow, 1)))

    def args(self):
        return (self.kh, self.kw, self.sh, self.sw, self.dh, self.dw, self.pt, self.pl,
                self.oh, self.ow)

    def input_gradient(self):
        """The geometry of this (stride 1) convolution's input gradient as a convolution of
        the output gradient: dx[y, x] sums dy[y - pt' + a*dh, x - pl' + b*dw] times the
        filter turned round (tap a read as kh-1-a, its C and O swapped), where
        pt' = (kh-1)*dh - pt; output gradients outside dy are its padding."""
        t = object.__new__(_Geometry)
        t.n, t.h, t.w, t.c = self.n, self.oh, self.ow, self.o
        t.kh, t.kw, t.o = self.kh, self.kw, self.c
        t.sh = t.sw = 1
        t.dh, t.dw = self.dh, self.dw
        t.pt = (self.kh - 1) * self.dh - self.pt
        t.pl = (self.kw - 1) * self.dw - self.pl
        t.oh, t.ow = self.h, self.w
        t.rb = max(1, min(t.oh, _ROWS_PER_TASK // max(t.ow, 1)))
        return t


def _nhwc(x, data_format):
    if data_format.startswith("NC"):
        return np.transpose(x, (0, 2, 3, 1))
    return x


def _from_nhwc(x, data_format):
    if data_format.startswith("NC"):
        return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))
    return x


def _strides_nhwc(v, data_format):
    v = list(v)
    return [v[0], v[2], v[3], v[1]] if data_format.startswith("NC") else v


def _work_dtype(x):
    return x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _check_conv_attrs(strides, dilations, data_format, op_type):
    s = _strides_nhwc(strides, data_format)
    d = _strides_nhwc(dilations, data_format)
    if s[0] != 1 or s[3] != 1:
        raise errors.UnimplementedError(
            None, None, "Current implementation does not yet support strides in the batch "
                        "and depth dimensions.")
    if d[0] != 1 or d[3] != 1:
        raise errors.UnimplementedError(
            None, None, "Current implementation does not yet support dilations in the batch "
                        "and depth dimensions.")
    if min(s) <= 0 or min(d) <= 0:
        raise errors.InvalidArgumentError(None, None, f"{op_type}: strides and dilations must "
                                                      f"be positive")
    return s, d


def _tap_span(n_out, n_in, s, d, pad, t):
    """(lo, hi, first): the outputs lo..hi whose tap t reads inside the input, the first of
    them reading input `first` (output i reads i*s - pad + t*d)."""
    off = t * d - pad
    lo = max(0, -(off // s))
    top = n_in - 1 - off
    hi = min(n_out, top // s + 1) if top >= 0 else 0
    return lo, hi, lo * s + off


def _tap_slices(g, a, b):
    """For filter tap (a, b): the output block whose tap reads inside the image, and the
    input pixels it reads (strided slices), or None when no output reaches the image."""
    i0, i1, y0 = _tap_span(g.oh, g.h, g.sh, g.dh, g.pt, a)
    j0, j1, x0 = _tap_span(g.ow, g.w, g.sw, g.dw, g.pl, b)
    if i0 >= i1 or j0 >= j1:
        return None
    return ((slice(None), slice(i0, i1), slice(j0, j1)),
            (slice(None), slice(y0, y0 + (i1 - i0 - 1) * g.sh + 1, g.sh),
             slice(x0, x0 + (j1 - j0 - 1) * g.sw + 1, g.sw)))


def _conv_by_taps(xn, f, g, wdt):
    """The convolution as a sum over filter taps of products over only the pixels each tap
    reads inside the image: TF's kernels never multiply the padding, so a non-finite filter
    value leaves the border outputs it does not reach finite, where a sum over a zero-padded
    window gives inf * 0 = NaN there. Used only when the filter is not all finite."""
    f4 = f.reshape(g.kh, g.kw, g.c, g.o).astype(wdt, copy=False)
    out = np.zeros((g.n, g.oh, g.ow, g.o), wdt)
    for a in range(g.kh):
        for b in range(g.kw):
            s = _tap_slices(g, a, b)
            if s is not None:
                out[s[0]] += xn[s[1]] @ f4[a, b]
    return out.reshape(-1, g.o)


def _filter_grad_by_taps(xn, dyn, g, wdt):
    """The filter gradient the same way (only when the fast paths' result is not all
    finite: an inf in dy times the zero padding gives NaN there, TF's sum has no such term)."""
    dw = np.zeros((g.kh, g.kw, g.c, g.o), wdt)
    for a in range(g.kh):
        for b in range(g.kw):
            s = _tap_slices(g, a, b)
            if s is not None:
                dw[a, b] = xn[s[1]].reshape(-1, g.c).T @ dyn[s[0]].reshape(-1, g.o)
    return dw.reshape(-1, g.o)


def _conv_forward(xn, f, g, wdt, bias=None, relu=False):
    """The convolution of NHWC xn (of dtype wdt) with filter f [kh, kw, C, O] in geometry g,
    as an (N*OH*OW, O) array: the padding-free classes when they apply, else im2col
    blocks times the filter (own GEMM or BLAS), else one im2col and one BLAS product.
    With `bias` (wdt, one per output channel) the result + bias, then Relu if `relu`: a
    Conv2D -> BiasAdd -> Relu chain fused by runtime/epilogue.py, the same two float32
    operations applied to each block of output while it is in cache."""
    epi = np.empty(0, wdt) if bias is None else bias
    wm = np.ascontiguousarray(f.reshape(g.kh * g.kw * g.c, g.o), dtype=wdt)
    if not np.isfinite(wm).all():
        out = _conv_by_taps(xn, wm, g, wdt)
        if epi.size:
            _bias_rows(out, epi, relu, out)
        return out
    out = np.empty((g.n * g.oh * g.ow, g.o), wdt)
    if out.size == 0 or wm.shape[0] == 0:
        out[:] = 0
        if epi.size:
            _bias_rows(out, epi, relu, out)
    elif _winograd(wdt, g, f, xn, out, epi, relu):
        pass
    elif direct_conv.applies(g, wdt):
        nt, n_part = _conv_plan(out.size * wm.shape[0] // 64, direct_conv.tasks(g))
        direct_conv.conv(xn, wm, g, out, epi, relu, n_part,
                         lambda kernel, args, n: _partitions(kernel, args, n, nt))
    elif _use_classes(wdt, g) and g.o >= gemm.NR_N:
        cls, kmax, rows, tasks, _ = _cls_plan(g)
        nr = gemm.panel_width(g.o)
        on = -(-g.o // nr) * nr
        wcls, woff = _class_filters(wm.reshape(g.kh, g.kw, g.c, g.o), cls, on, False)
        nt = _conv_plan(out.size * wm.shape[0] // 64, len(tasks))[0]
        n_part = len(tasks)     # one task each, claimed biggest first
        _partitions(_conv_fwd_cls_part, (xn, wcls, woff, cls, tasks, *g.args(), out, rows,
                                         kmax, epi, relu, n_part), n_part, nt)
    elif _own_gemm(wdt) or blas_single_thread():
        own = _own_gemm(wdt)
        group = _pixel_group(g.o, g.ow) if own else 1
        wg = np.kron(np.eye(group, dtype=wdt), wm) if group > 1 else wm
        wp = np.empty(gemm.packed_b_size(*wg.shape) if own else 0, wdt)
        if own:
            gemm.pack_b(wg, wp)
        nt, n_part = _conv_plan(out.size * wm.shape[0] // 64, g.n * -(-g.oh // g.rb))
        _partitions(_conv_fwd_part, (xn, wg, wp, *g.args(), g.rb, out, own, epi, relu,
                                     n_part, group), n_part, nt)
    else:
        col = np.empty((g.n * g.oh * g.ow, wm.shape[0]), wdt)
        with parallel(col.size):
            _im2col(xn, *g.args(), col)
        np.dot(col, wm, out)
        if epi.size:
            _bias_rows(out, epi, relu, out)
    return out


@register_kernel("Conv2D")
def conv2d(x, f, *, strides, padding, data_format="NHWC", dilations=(1, 1, 1, 1)):
    return _conv2d(x, f, strides, padding, data_format, dilations, None, False)


def _conv2d(x, f, strides, padding, data_format, dilations, bias, relu):
    x = np.asarray(x)
    f = np.asarray(f)
    if x.ndim != 4 or f.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                          f"{list(x.shape)}" if x.ndim != 4 else
                                          f"filter must be 4-dimensional: {list(f.shape)}")
    s, d = _check_conv_attrs(strides, dilations, data_format, "Conv2D")
    dt = x.dtype
    wdt = _work_dtype(x)
    xn = np.ascontiguousarray(_nhwc(x, data_format), dtype=wdt)
    g = _Geometry(xn.shape, f.shape, s, d, padding, "Conv2D")
    out = _conv_forward(xn, f, g, wdt, bias, relu)
    out = out.reshape(g.n, g.oh, g.ow, g.o)
    return _from_nhwc(out, data_format).astype(dt, copy=False)


def conv2d_epilogue(x, f, bias, *, strides, padding, data_format, dilations, relu):
    """Conv2D with BiasAdd (and Relu) applied to each block of output as it is finished
    (runtime/epilogue.py's fused conv layer): float32 NHWC with a matching bias only, else
    None and the caller runs the ops one after the other (with their own checks)."""
    x, f, bias = np.asarray(x), np.asarray(f), np.asarray(bias)
    if not (x.dtype == f.dtype == bias.dtype == np.float32 and data_format == "NHWC"
            and x.ndim == 4 and f.ndim == 4 and bias.shape == (f.shape[3],)):
        return None
    return _conv2d(x, f, strides, padding, data_format, dilations, np.ascontiguousarray(bias),
                   relu)


@register_kernel("Conv2DBackpropFilter")
def conv2d_backprop_filter(x, filter_sizes, dy, *, strides, padding, data_format="NHWC",
                           dilations=(1, 1, 1, 1)):
    x = np.asarray(x)
    s, d = _check_conv_attrs(strides, dilations, data_format, "Conv2DBackpropFilter")
    dt = x.dtype
    wdt = _work_dtype(x)
    xn = np.ascontiguousarray(_nhwc(x, data_format), dtype=wdt)
    fshape = [int(v) for v in np.asarray(filter_sizes)]
    g = _Geometry(xn.shape, fshape, s, d, padding, "Conv2DBackpropFilter")
    dyn = np.ascontiguousarray(_nhwc(np.asarray(dy), data_format), dtype=wdt)
    if dyn.shape != (g.n, g.oh, g.ow, g.o):
        raise errors.InvalidArgumentError(
            None, None, f"Conv2DCustomBackpropFilter: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dyn.shape)}, computed = "
                        f"{[g.n, g.oh, g.ow, g.o]}")
    dy2 = dyn.reshape(-1, g.o)
    k = g.kh * g.kw * g.c
    if dy2.shape[0] == 0 or k == 0:
        return np.zeros(fshape, dt)
    dw = None
    if _own_gemm(wdt) and winograd.applies(g):
        nt = _conv_plan(dy2.size * k // 64, _FILTER_PARTS)[0]
        dw = winograd.filter_grad(xn, dyn, g.kh, g.pt, g.pl, _FILTER_PARTS,
                                  lambda kernel, args, n: _partitions(kernel, args, n, nt))
    elif direct_conv.applies(g, wdt):
        nt = _conv_plan(dy2.size * k // 64, direct_conv._PARTS)[0]
        dw = direct_conv.filter_grad(xn, dyn, g,
                                     lambda kernel, args, n: _partitions(kernel, args, n, nt))
    if dw is not None:
        pass
    elif _use_classes(wdt, g):
        cls, kmax, rows, tasks, assign = _cls_plan(g)
        n_part = int(assign.max()) + 1
        part = np.empty((n_part, k, g.o), wdt)
        nt = _conv_plan(dy2.size * k // 64, n_part)[0]
        _partitions(_conv_filter_cls_part, (xn, dy2, cls, tasks, assign, *g.args(), rows,
                                            kmax, part), n_part, nt)
        dw = part.sum(axis=0) if n_part > 1 else part[0]
    elif k <= _DIRECT_MAX_K and not _own_gemm(wdt):
        # the filter gradient sums over images: partial sums over a fixed number of parts
        # (not one per thread), added in order, so the value does not depend on threads
        n_part = max(1, min(_FILTER_PARTS, g.n))
        part = np.empty((n_part, k, g.o), wdt)
        nt = _conv_plan(dy2.size * k // 64, n_part)[0]
        _partitions(_conv_filter_direct_part, (xn, dy2, *g.args(), n_part, part), n_part, nt)
        dw = part.sum(axis=0) if n_part > 1 else part[0]
    elif _own_gemm(wdt) or blas_single_thread():
        n_part = max(1, min(_FILTER_PARTS, g.n * -(-g.oh // g.rb)))
        part = np.empty((n_part, k, g.o), wdt)
        nt = _conv_plan(dy2.size * k // 64, n_part)[0]
        _partitions(_conv_filter_part, (xn, dy2, *g.args(), g.rb, n_part, part, _own_gemm(wdt)),
                    n_part, nt)
        dw = part.sum(axis=0) if n_part > 1 else part[0]
    else:
        col = np.empty((dy2.shape[0], k), wdt)
        with parallel(col.size):
            _im2col(xn, *g.args(), col)
        dw = np.dot(col.T, dy2)
    if not np.isfinite(dw).all():
        dw = _filter_grad_by_taps(xn, dyn, g, wdt)
    return dw.reshape(fshape).astype(dt, copy=False)


@register_kernel("Conv2DBackpropInput")
def conv2d_backprop_input(input_sizes, f, dy, *, strides, padding, data_format="NHWC",
                          dilations=(1, 1, 1, 1)):
    f = np.asarray(f)
    s, d = _check_conv_attrs(strides, dilations, data_format, "Conv2DBackpropInput")
    sizes = [int(v) for v in np.asarray(input_sizes)]
    if len(sizes) != 4:
        raise errors.InvalidArgumentError(None, None, f"Conv2DBackpropInput: input_sizes must "
                                                      f"be 4-dimensional, got: {len(sizes)}")
    in_shape = _strides_nhwc(sizes, data_format)
    dyv = np.asarray(dy)
    dt = dyv.dtype
    wdt = _work_dtype(dyv)
    g = _Geometry(in_shape, f.shape, s, d, padding, "Conv2DBackpropInput")
    dyn = np.ascontiguousarray(_nhwc(dyv, data_format), dtype=wdt)
    if dyn.shape != (g.n, g.oh, g.ow, g.o):
        raise errors.InvalidArgumentError(
            None, None, f"Conv2DCustomBackpropInput: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dyn.shape)}, computed = "
                        f"{[g.n, g.oh, g.ow, g.o]}")
    k = g.kh * g.kw * g.c
    if not (dyn.size and k):
        return _from_nhwc(np.zeros((g.n, g.h, g.w, g.c), dt), data_format)
    if _dx_as_forward(wdt, g):
        flipped = f.reshape(g.kh, g.kw, g.c, g.o)[::-1, ::-1].transpose(0, 1, 3, 2)
        out = _conv_forward(dyn, flipped, g.input_gradient(), wdt)
        return _from_nhwc(out.reshape(g.n, g.h, g.w, g.c), data_format).astype(dt, copy=False)
    out = np.empty((g.n, g.h, g.w, g.c), wdt)     # every path below zeroes what it adds into
    dy2 = dyn.reshape(-1, g.o)
    if _use_classes(wdt, g):
        cls, kmax, rows, _, _ = _cls_plan(g)
        wtc, woff = _class_filters(f.reshape(g.kh, g.kw, g.c, g.o).astype(wdt, copy=False),
                                   cls, g.o, True)
        # chunks of images (from the shapes only, never the threads), a partition each:
        # enough of them that the threads claiming them end together
        chunk = max(1, min(_DX_CHUNK, g.n // 16))
        n_part = -(-g.n // chunk)
        nt = _conv_plan(dy2.size * k // 64, n_part)[0]
        _partitions(_conv_input_cls_part, (dy2, wtc, woff, cls, *g.args(), rows,
                                           kmax, out, chunk, n_part), n_part, nt)
    elif _own_gemm(wdt) or blas_single_thread():
        wt = np.ascontiguousarray(f.reshape(k, g.o).T, dtype=wdt)
        nt, n_part = _conv_plan(dy2.size * k // 64, g.n)
        _partitions(_conv_input_part, (dy2, wt, *g.args(), g.rb, out, _own_gemm(wdt),
                                       n_part), n_part, nt)
    else:
        dcol = np.dot(dy2, np.ascontiguousarray(f.reshape(k, g.o).T, dtype=wdt))
        with parallel(dcol.size):
            _col2im(dcol, *g.args(), out)
    return _from_nhwc(out, data_format).astype(dt, copy=False)


# --- pooling ------------------------------------------------------------------------------------
# Each loop runs over independent rows (an output row, or an image for the gradients) as a
# nogil function over a range of rows; `_on_rows` hands ranges to the intra-op threads as
# they come free, as the conv kernels do.

def _on_rows(kernel, args, n_rows):
    work = args[0].size
    nt = threads.intra_op_threads() if work >= threads._PAR_MIN_WORK else 1
    nb = max(1, min(n_rows, 4 * nt))
    edges = [n_rows * i // nb for i in range(nb + 1)]
    threads.map_blocks(lambda i: kernel(*args, edges[i], edges[i + 1]), nb, nt)


@njit(cache=True, nogil=True)
def _max_pool_rows(x, kh, kw, sh, sw, pt, pl, oh, ow, out, lo, hi):
    """`out` arrives filled with the dtype's lowest value, as TF's reducer starts: a NaN never
    compares greater, so it is skipped (an all-NaN window gives the lowest value, as TF)."""
    n_img, h, w, c = x.shape
    for r in range(lo, hi):
        n = r // oh
        i = r - n * oh
        for j in range(ow):
            o = out[n, i, j]
            for a in range(kh):
                y = i * sh - pt + a
                if y < 0 or y >= h:
                    continue
                for b in range(kw):
                    xx = j * sw - pl + b
                    if xx < 0 or xx >= w:
                        continue
                    v = x[n, y, xx]
                    for ch in range(c):
                        if v[ch] > o[ch]:
                            o[ch] = v[ch]


def _max_pool(x, kh, kw, sh, sw, pt, pl, oh, ow, out):
    _on_rows(_max_pool_rows, (x, kh, kw, sh, sw, pt, pl, oh, ow, out), x.shape[0] * oh)


@njit(cache=True, nogil=True)
def _max_pool_grad_rows(x, g, kh, kw, sh, sw, pt, pl, oh, ow, relu, out, lo, hi):
    """Each window's gradient goes to the first maximum of the window (row-major order);
    with `relu`, each finished image then gets ReluGrad's rule against x (the pooled layer's
    Relu output), while it is in cache (a MaxPoolGrad -> ReluGrad pair fused by
    runtime/epilogue.py: the same values as the two ops).

    Channel-wise and branch-free, so LLVM vectorises over the channels: the window's
    argmax (as a tap number) by selects, then one pass per tap adding the gradient where
    that tap won and +0.0 elsewhere (an input gradient starts at +0.0, which adding +0.0
    leaves unchanged, so the bits are those of adding the gradient to the winner only)."""
    n_img, h, w, c = x.shape
    best = np.empty(c, x.dtype)
    arg = np.empty(c, np.int64)
    zero = g.dtype.type(0)
    for n in range(lo, hi):
        img = out[n]
        img[:] = 0
        for i in range(oh):
            for j in range(ow):
                y0 = i * sh - pt
                x0 = j * sw - pl
                first = True
                for a in range(kh):
                    y = y0 + a
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = x0 + b
                        if xx < 0 or xx >= w:
                            continue
                        v = x[n, y, xx]
                        t = a * kw + b
                        if first:
                            for ch in range(c):
                                best[ch] = v[ch]
                                arg[ch] = t
                            first = False
                        else:
                            for ch in range(c):
                                take = v[ch] > best[ch]
                                best[ch] = v[ch] if take else best[ch]
                                arg[ch] = t if take else arg[ch]
                if first:
                    continue
                gv = g[n, i, j]
                for a in range(kh):
                    y = y0 + a
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = x0 + b
                        if xx < 0 or xx >= w:
                            continue
                        t = a * kw + b
                        dst = img[y, xx]
                        for ch in range(c):
                            dst[ch] += gv[ch] if arg[ch] == t else zero
        if relu:
            flat = img.reshape(-1)
            xf = x[n].reshape(-1)
            for q in range(flat.size):
                flat[q] = _relu_grad_njit(flat[q], xf[q])


def _max_pool_grad(x, g, kh, kw, sh, sw, pt, pl, oh, ow, out, relu=False):
    _on_rows(_max_pool_grad_rows, (x, g, kh, kw, sh, sw, pt, pl, oh, ow, relu, out),
             x.shape[0])


@njit(cache=True, nogil=True)
def _avg_pool_rows(x, kh, kw, sh, sw, pt, pl, oh, ow, out, lo, hi):
    n_img, h, w, c = x.shape
    for r in range(lo, hi):
        n = r // oh
        i = r - n * oh
        for j in range(ow):
            o = out[n, i, j]
            o[:] = 0
            cnt = 0
            for a in range(kh):
                y = i * sh - pt + a
                if y < 0 or y >= h:
                    continue
                for b in range(kw):
                    xx = j * sw - pl + b
                    if xx < 0 or xx >= w:
                        continue
                    cnt += 1
                    for ch in range(c):
                        o[ch] += x[n, y, xx, ch]
            for ch in range(c):
                o[ch] /= cnt


def _avg_pool(x, kh, kw, sh, sw, pt, pl, oh, ow, out):
    _on_rows(_avg_pool_rows, (x, kh, kw, sh, sw, pt, pl, oh, ow, out), x.shape[0] * oh)


@njit(cache=True, nogil=True)
def _avg_pool_grad_rows(g, kh, kw, sh, sw, pt, pl, oh, ow, out, lo, hi):
    n_img, h, w, c = out.shape
    for n in range(lo, hi):
        img = out[n]
        img[:] = 0
        for i in range(oh):
            for j in range(ow):
                y0, y1 = max(i * sh - pt, 0), min(i * sh - pt + kh, h)
                x0, x1 = max(j * sw - pl, 0), min(j * sw - pl + kw, w)
                cnt = (y1 - y0) * (x1 - x0)
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        for ch in range(c):
                            img[y, xx, ch] += g[n, i, j, ch] / cnt


def _avg_pool_grad(g, kh, kw, sh, sw, pt, pl, oh, ow, out):
    _on_rows(_avg_pool_grad_rows, (g, kh, kw, sh, sw, pt, pl, oh, ow, out), out.shape[0])


def _pool_geometry(shape, ksize, strides, padding, data_format, op_type):
    k = _strides_nhwc(ksize, data_format)
    s = _strides_nhwc(strides, data_format)
    if k[0] != 1 or s[0] != 1 or k[3] != 1 or s[3] != 1:
        raise errors.UnimplementedError(
            None, None, f"{op_type} is not yet supported on the batch or depth dimensions.")
    if min(k) <= 0 or min(s) <= 0:
        raise errors.InvalidArgumentError(None, None, f"{op_type}: ksize and strides must be "
                                                      f"positive")
    _, h, w, _ = shape
    oh, pt = conv_padding(h, k[1], s[1], 1, padding)
    ow, pl = conv_padding(w, k[2], s[2], 1, padding)
    if oh <= 0 or ow <= 0:
        raise errors.InvalidArgumentError(None, None, f"{op_type}: computed output size would "
                                                      f"be negative")
    return (k[1], k[2], s[1], s[2], pt, pl, oh, ow)


def _pool_input(x, data_format):
    x = np.asarray(x)
    dt = x.dtype
    return np.ascontiguousarray(_nhwc(x, data_format), dtype=_work_dtype(x)), dt


def _pool_forward(loop, op_type, x, ksize, strides, padding, data_format, init=None):
    xn, dt = _pool_input(x, data_format)
    geo = _pool_geometry(xn.shape, ksize, strides, padding, data_format, op_type)
    out = np.empty((xn.shape[0], geo[6], geo[7], xn.shape[3]), xn.dtype)
    if init is not None:
        out.fill(init(xn.dtype))
    if out.size:
        loop(xn, *geo, out)
    return _from_nhwc(out, data_format).astype(dt, copy=False)


@register_kernel("MaxPool")
def max_pool(x, *, ksize, strides, padding, data_format="NHWC"):
    return _pool_forward(_max_pool, "MaxPool", x, ksize, strides, padding, data_format,
                         init=_lowest)


def _lowest(dtype):
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


@register_kernel("MaxPoolGrad")
def max_pool_grad(orig_input, orig_output, grad, *, ksize, strides, padding,
                  data_format="NHWC"):
    return _max_pool_grad_op(orig_input, grad, ksize, strides, padding, data_format, False)


def max_pool_grad_relu(orig_input, orig_output, grad, *, ksize, strides, padding,
                       data_format="NHWC"):
    """ReluGrad(MaxPoolGrad(x, y, grad), x): the gradient through a Relu layer and the max
    pool on its output, one pass over the input gradient (runtime/epilogue.py)."""
    return _max_pool_grad_op(orig_input, grad, ksize, strides, padding, data_format, True)


def _max_pool_grad_op(orig_input, grad, ksize, strides, padding, data_format, relu):
    xn, dt = _pool_input(orig_input, data_format)
    geo = _pool_geometry(xn.shape, ksize, strides, padding, data_format, "MaxPoolGrad")
    g = np.ascontiguousarray(_nhwc(np.asarray(grad), data_format), dtype=xn.dtype)
    if g.shape != (xn.shape[0], geo[6], geo[7], xn.shape[3]):
        raise errors.InvalidArgumentError(None, None, "Expected grad shape to be "
                                          f"{[xn.shape[0], geo[6], geo[7], xn.shape[3]]}, "
                                          f"but got {list(g.shape)}")
    if g.size:
        out = np.empty_like(xn)         # every image is zeroed by its task
        _max_pool_grad(xn, g, *geo, out, relu)
    else:
        out = np.zeros_like(xn)         # (ReluGrad of zeros: zeros)
    return _from_nhwc(out, data_format).astype(dt, copy=False)


@register_kernel("AvgPool")
def avg_pool(x, *, ksize, strides, padding, data_format="NHWC"):
    return _pool_forward(_avg_pool, "AvgPool", x, ksize, strides, padding, data_format)


@register_kernel("AvgPoolGrad")
def avg_pool_grad(orig_input_shape, grad, *, ksize, strides, padding, data_format="NHWC"):
    shape = _strides_nhwc([int(v) for v in np.asarray(orig_input_shape)], data_format)
    gv = np.asarray(grad)
    dt = gv.dtype
    g = np.ascontiguousarray(_nhwc(gv, data_format), dtype=_work_dtype(gv))
    geo = _pool_geometry(shape, ksize, strides, padding, data_format, "AvgPoolGrad")
    out = np.zeros(shape, g.dtype)
    if g.size:
        _avg_pool_grad(g, *geo, out)
    return _from_nhwc(out, data_format).astype(dt, copy=False)


# --- top-k ---------------------------------------------------------------------------------------

def _err(msg):
    return errors.InvalidArgumentError(None, None, msg)


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


@register_kernel("TopKV2")
def top_k(x, k, *, sorted, index_type):  # noqa: A002 - the attr's name
    x = np.asarray(x)
    k = int(k)
    if k < 0:
        raise _err(f"Need k >= 0, got {k}")
    if x.ndim < 1:
        raise _err(f"input must be >= 1-D, got shape {_dims(x.shape)}")
    n = x.shape[-1]
    if n < k:
        raise _err(f"input must have at least k columns. Had {n}, needed {k}")
    key = x
    if x.dtype.kind == "f":
        # TF's comparisons never rank NaN above a number: NaN comes last
        key = np.where(np.isnan(x), -np.inf, x)
    # a descending order that keeps equal values in index order: the stable ascending
    # order of the reversed row, read backwards
    order = np.argsort(key[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
    idx = (n - 1 - order).astype(index_type.np_dtype)
    return np.take_along_axis(x, idx.astype(np.intp), axis=-1), idx


# --- depthwise convolution ------------------------------------------------------------------
# Direct loops (no im2col: each output channel reads one input channel, so there is no long
# reduction for a GEMM to speed up). Rows of the output (forward), of the input (input
# gradient, gathered so no two rows write the same element) or filter taps (filter gradient)
# are split over threads; each sum runs in a fixed order, so values do not depend on threads.

@njit(cache=True, nogil=True)
def _dw_fwd_rows(x, f, sh, sw, dh, dw, pt, pl, out, lo, hi):
    n_img, h, w, c = x.shape
    kh, kw, _, m = f.shape
    oh, ow = out.shape[1], out.shape[2]
    for r in range(lo, hi):
        n = r // oh
        i = r - n * oh
        for j in range(ow):
            for ch in range(c):
                for q in range(m):
                    acc = x[0, 0, 0, 0] * 0
                    for a in range(kh):
                        y = i * sh - pt + a * dh
                        if y < 0 or y >= h:
                            continue
                        for b in range(kw):
                            xx = j * sw - pl + b * dw
                            if xx < 0 or xx >= w:
                                continue
                            acc += x[n, y, xx, ch] * f[a, b, ch, q]
                    out[n, i, j, ch * m + q] = acc


@njit(cache=True, nogil=True)
def _dw_input_rows(dy, f, sh, sw, dh, dw, pt, pl, dx, lo, hi):
    n_img, h, w, c = dx.shape
    kh, kw, _, m = f.shape
    oh, ow = dy.shape[1], dy.shape[2]
    for r in range(lo, hi):
        n = r // h
        y = r - n * h
        for xx in range(w):
            for ch in range(c):
                acc = dy[0, 0, 0, 0] * 0
                for a in range(kh):
                    ty = y + pt - a * dh
                    if ty < 0 or ty % sh != 0:
                        continue
                    i = ty // sh
                    if i >= oh:
                        continue
                    for b in range(kw):
                        tx = xx + pl - b * dw
                        if tx < 0 or tx % sw != 0:
                            continue
                        j = tx // sw
                        if j >= ow:
                            continue
                        for q in range(m):
                            acc += dy[n, i, j, ch * m + q] * f[a, b, ch, q]
                dx[n, y, xx, ch] = acc


@njit(cache=True, nogil=True)
def _dw_filter_taps(x, dy, sh, sw, dh, dw, pt, pl, df, lo, hi):
    n_img, h, w, c = x.shape
    kh, kw, _, m = df.shape
    oh, ow = dy.shape[1], dy.shape[2]
    for t in range(lo, hi):
        a = t // kw
        b = t - a * kw
        for ch in range(c):
            for q in range(m):
                acc = x[0, 0, 0, 0] * 0
                for n in range(n_img):
                    for i in range(oh):
                        y = i * sh - pt + a * dh
                        if y < 0 or y >= h:
                            continue
                        for j in range(ow):
                            xx = j * sw - pl + b * dw
                            if xx < 0 or xx >= w:
                                continue
                            acc += x[n, y, xx, ch] * dy[n, i, j, ch * m + q]
                df[a, b, ch, q] = acc


def dw_geometry(in_shape, f_shape, strides, dilations, padding, data_format, op_type):
    """(sh, sw, dh, dw, pt, pl, oh, ow) of a depthwise convolution, with TF's checks.
    Shared with the CUDA kernels."""
    if data_format != "NHWC":
        raise errors.UnimplementedError(None, None, f"{op_type}: only NHWC data_format is "
                                                    f"supported on CPU by tfteach")
    s, d = _check_conv_attrs(strides, dilations, data_format, op_type)
    if len(in_shape) != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{list(in_shape)}")
    if len(f_shape) != 4:
        raise errors.InvalidArgumentError(None, None, f"filter must be 4-dimensional: "
                                                      f"{list(f_shape)}")
    if in_shape[3] != f_shape[2]:
        raise errors.InvalidArgumentError(
            None, None, f"input and filter must have the same depth: {in_shape[3]} vs "
                        f"{f_shape[2]}")
    oh, pt = conv_padding(in_shape[1], f_shape[0], s[1], d[1], padding)
    ow, pl = conv_padding(in_shape[2], f_shape[1], s[2], d[2], padding)
    return s[1], s[2], d[1], d[2], pt, pl, oh, ow


def _dw_rows(kernel, args, n_rows, work):
    nt = threads.intra_op_threads() if work >= threads._PAR_MIN_WORK else 1
    nb = max(1, min(n_rows, 4 * nt))
    edges = [n_rows * i // nb for i in range(nb + 1)]
    threads.map_blocks(lambda i: kernel(*args, edges[i], edges[i + 1]), nb, nt)


def _direct(kernel, like, inputs, params, out_shape, run, n_rows, work):
    """Runs a direct-loop kernel (depthwise, 3-D convolution or pooling) over `n_rows` rows:
    `inputs` made contiguous in the work dtype of `like`, then `params`, then a zeroed output
    of `out_shape` (skipped unless `run`, i.e. when there is nothing to compute), returned in
    `like`'s dtype."""
    wdt = _work_dtype(like)
    out = np.zeros(out_shape, wdt)
    if run:
        _dw_rows(kernel, (*[np.ascontiguousarray(a, dtype=wdt) for a in inputs], *params, out),
                 n_rows, work)
    return out.astype(like.dtype, copy=False)


@register_kernel("DepthwiseConv2dNative")
def depthwise_conv2d_native(x, f, *, strides, padding, data_format="NHWC",
                            dilations=(1, 1, 1, 1)):
    x, f = np.asarray(x), np.asarray(f)
    geo = dw_geometry(x.shape, f.shape, strides, dilations, padding, data_format,
                      "DepthwiseConv2dNative")
    out_shape = (x.shape[0], geo[6], geo[7], f.shape[2] * f.shape[3])
    return _direct(_dw_fwd_rows, x, (x, f), geo[:6], out_shape,
                   math.prod(out_shape) and x.size and f.size, x.shape[0] * geo[6],
                   math.prod(out_shape) * f.shape[0] * f.shape[1])


@register_kernel("DepthwiseConv2dNativeBackpropInput")
def depthwise_conv2d_native_backprop_input(input_sizes, f, dy, *, strides, padding,
                                           data_format="NHWC", dilations=(1, 1, 1, 1)):
    f, dyv = np.asarray(f), np.asarray(dy)
    sizes = tuple(int(v) for v in np.asarray(input_sizes).ravel())
    geo = dw_geometry(sizes, f.shape, strides, dilations, padding, data_format,
                      "DepthwiseConv2dNativeBackpropInput")
    want = (sizes[0], geo[6], geo[7], f.shape[2] * f.shape[3])
    if dyv.shape != want:
        raise errors.InvalidArgumentError(
            None, None, f"DepthwiseConv2DBackpropInput: out_backprop has shape "
                        f"{list(dyv.shape)}, expected {list(want)}")
    return _direct(_dw_input_rows, dyv, (dyv, f), geo[:6], sizes,
                   math.prod(sizes) and dyv.size, sizes[0] * sizes[1],
                   math.prod(sizes) * f.shape[0] * f.shape[1] * f.shape[3])


@register_kernel("DepthwiseConv2dNativeBackpropFilter")
def depthwise_conv2d_native_backprop_filter(x, filter_sizes, dy, *, strides, padding,
                                            data_format="NHWC", dilations=(1, 1, 1, 1)):
    x, dyv = np.asarray(x), np.asarray(dy)
    fshape = tuple(int(v) for v in np.asarray(filter_sizes).ravel())
    geo = dw_geometry(x.shape, fshape, strides, dilations, padding, data_format,
                      "DepthwiseConv2dNativeBackpropFilter")
    want = (x.shape[0], geo[6], geo[7], fshape[2] * fshape[3])
    if dyv.shape != want:
        raise errors.InvalidArgumentError(
            None, None, f"DepthwiseConv2DBackpropFilter: out_backprop has shape "
                        f"{list(dyv.shape)}, expected {list(want)}")
    return _direct(_dw_filter_taps, x, (x, dyv), geo[:6], fshape,
                   math.prod(fshape) and dyv.size, fshape[0] * fshape[1],
                   dyv.size * fshape[0] * fshape[1])


# --- SpaceToDepth / DepthToSpace: pure rearrangements ----------------------------------------

def _block_check(x, block_size, data_format, op_type):
    if data_format != "NHWC":
        raise errors.InvalidArgumentError(
            None, None, f"Only NHWC data_format supported on CPU. Got {data_format}")
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"Input rank should be: 4 instead of: "
                                                      f"{x.ndim}")
    if block_size < 2:
        raise errors.InvalidArgumentError(None, None, f"Value for attr 'block_size' of "
                                                      f"{block_size} must be at least minimum 2")


@register_kernel("SpaceToDepth")
def space_to_depth(x, *, block_size, data_format="NHWC"):
    x = np.asarray(x)
    _block_check(x, block_size, data_format, "SpaceToDepth")
    n, h, w, c = x.shape
    b = block_size
    if h % b or w % b:
        raise errors.InvalidArgumentError(
            None, None, f"Image width {w} and height {h} should be divisible by block_size: "
                        f"{b}")
    y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
    return np.ascontiguousarray(y).reshape(n, h // b, w // b, b * b * c)


@register_kernel("DepthToSpace")
def depth_to_space(x, *, block_size, data_format="NHWC"):
    x = np.asarray(x)
    _block_check(x, block_size, data_format, "DepthToSpace")
    n, h, w, c = x.shape
    b = block_size
    if c % (b * b):
        raise errors.InvalidArgumentError(
            None, None, f"Input depth dimension {c} should be divisible by: {b * b}")
    y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
    return np.ascontiguousarray(y).reshape(n, h * b, w * b, c // (b * b))


# --- local response normalisation ------------------------------------------------------------
# sqr_sum[c] = sum of x[c']^2 over |c' - c| <= depth_radius; out = x / (bias + alpha *
# sqr_sum) ** beta. Computed in float64 per pixel, cast back.

@njit(cache=True, nogil=True)
def _lrn_rows(x, r, bias, alpha, beta, out, lo, hi):
    c = x.shape[1]
    for p in range(lo, hi):
        for ch in range(c):
            s = 0.0
            for k in range(max(0, ch - r), min(c, ch + r + 1)):
                v = float(x[p, k])
                s += v * v
            out[p, ch] = x[p, ch] / (bias + alpha * s) ** beta


@njit(cache=True, nogil=True)
def _lrn_grad_rows(g, x, r, bias, alpha, beta, dx, lo, hi):
    # d out[i] / d x[j] = [i == j] * N_i^-beta - 2 alpha beta x_i x_j N_i^(-beta-1)
    # for |i - j| <= r, N_i = bias + alpha * sqr_sum[i]
    c = x.shape[1]
    for p in range(lo, hi):
        for j in range(c):
            dx[p, j] = 0.0
        for i in range(c):
            lo_k, hi_k = max(0, i - r), min(c, i + r + 1)
            s = 0.0
            for k in range(lo_k, hi_k):
                v = float(x[p, k])
                s += v * v
            norm = bias + alpha * s
            gi = float(g[p, i])
            dx[p, i] += gi * norm ** -beta
            coef = -2.0 * alpha * beta * gi * float(x[p, i]) * norm ** (-beta - 1.0)
            for k in range(lo_k, hi_k):
                dx[p, k] += coef * float(x[p, k])


def _lrn_check(x, depth_radius, name):
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, "in must be 4-dimensional")
    if depth_radius < 0:
        raise errors.InvalidArgumentError(None, None, "depth_radius must be non-negative")


@register_kernel("LRN")
def lrn(x, *, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    x = np.asarray(x)
    _lrn_check(x, depth_radius, "LRN")
    x2 = np.ascontiguousarray(x.reshape(-1, x.shape[-1]) if x.size else
                              x.reshape(0, x.shape[-1]))
    out = np.empty(x2.shape, np.float64)
    if x2.size:
        _dw_rows(_lrn_rows, (x2, int(depth_radius), float(bias), float(alpha), float(beta),
                             out), x2.shape[0], x2.size * (2 * depth_radius + 1))
    return out.astype(x.dtype).reshape(x.shape)


@register_kernel("LRNGrad")
def lrn_grad(g, x, y, *, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    g, x = np.asarray(g), np.asarray(x)
    _lrn_check(x, depth_radius, "LRNGrad")
    if g.shape != x.shape or np.shape(y) != x.shape:
        raise errors.InvalidArgumentError(
            None, None, "input_grads, input_image, and out_image should have the same shape")
    c = x.shape[-1]
    g2 = np.ascontiguousarray(g.reshape(-1, c))
    x2 = np.ascontiguousarray(x.reshape(-1, c))
    dx = np.empty(x2.shape, np.float64)
    if x2.size:
        _dw_rows(_lrn_grad_rows, (g2, x2, int(depth_radius), float(bias), float(alpha),
                                  float(beta), dx), x2.shape[0], x2.size * (4 * depth_radius + 2))
    return dx.astype(x.dtype).reshape(x.shape)


# --- 3-D convolution and pooling (NDHWC): direct loops over output rows, input rows or filter
# taps, as the depthwise kernels above -------------------------------------------------------

def geometry3d(in_shape, k, strides, dilations, padding, data_format, op_type):
    """(sd, sh, sw, dd, dh, dw, pd, pt, pl, od, oh, ow); `k` the 3 window sizes.
    Shared with the CUDA kernels."""
    if data_format != "NDHWC":
        raise errors.UnimplementedError(None, None, f"{op_type}: only NDHWC data_format is "
                                                    f"supported by tfteach")
    s, d = [int(v) for v in strides], [int(v) for v in dilations]
    if len(s) != 5 or len(d) != 5:
        raise errors.InvalidArgumentError(None, None, "Sliding window strides field must "
                                                      "specify 5 dimensions")
    if s[0] != 1 or s[4] != 1:
        raise errors.InvalidArgumentError(
            None, None, "Current implementation does not yet support strides in the batch "
                        "and depth dimensions.")
    if d[0] != 1 or d[4] != 1:
        raise errors.InvalidArgumentError(
            None, None, "Current implementation does not yet support dilations in the batch "
                        "and depth dimensions.")
    if len(in_shape) != 5:
        raise errors.InvalidArgumentError(None, None, f"input must be 5-dimensional"
                                                      f"{list(in_shape)}")
    out, pads = [], []
    for i in range(3):
        o, p = conv_padding(in_shape[i + 1], k[i], s[i + 1], d[i + 1], padding)
        if o < 0:
            raise errors.InvalidArgumentError(None, None, "Computed output size would be "
                                                          "negative")
        out.append(o)
        pads.append(p)
    return (s[1], s[2], s[3], d[1], d[2], d[3], pads[0], pads[1], pads[2], out[0], out[1],
            out[2])


@njit(cache=True, nogil=True)
def _conv3d_rows(x, f, sd, sh, sw, dd, dh, dw, pd, pt, pl, out, lo, hi):
    n_img, D, H, W, c = x.shape
    kd, kh, kw, _, o = f.shape
    od, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    for r in range(lo, hi):
        n = r // (od * oh)
        z = (r // oh) % od
        i = r % oh
        for j in range(ow):
            for q in range(o):
                acc = x[0, 0, 0, 0, 0] * 0
                for a in range(kd):
                    zz = z * sd - pd + a * dd
                    if zz < 0 or zz >= D:
                        continue
                    for b in range(kh):
                        y = i * sh - pt + b * dh
                        if y < 0 or y >= H:
                            continue
                        for e in range(kw):
                            xx = j * sw - pl + e * dw
                            if xx < 0 or xx >= W:
                                continue
                            for ch in range(c):
                                acc += x[n, zz, y, xx, ch] * f[a, b, e, ch, q]
                out[n, z, i, j, q] = acc


@njit(cache=True, nogil=True)
def _conv3d_input_rows(dy, f, sd, sh, sw, dd, dh, dw, pd, pt, pl, dx, lo, hi):
    n_img, D, H, W, c = dx.shape
    kd, kh, kw, _, o = f.shape
    od, oh, ow = dy.shape[1], dy.shape[2], dy.shape[3]
    for r in range(lo, hi):
        n = r // (D * H)
        zz = (r // H) % D
        y = r % H
        for xx in range(W):
            for ch in range(c):
                acc = dy[0, 0, 0, 0, 0] * 0
                for a in range(kd):
                    tz = zz + pd - a * dd
                    if tz < 0 or tz % sd != 0 or tz // sd >= od:
                        continue
                    for b in range(kh):
                        ty = y + pt - b * dh
                        if ty < 0 or ty % sh != 0 or ty // sh >= oh:
                            continue
                        for e in range(kw):
                            tx = xx + pl - e * dw
                            if tx < 0 or tx % sw != 0 or tx // sw >= ow:
                                continue
                            for q in range(o):
                                acc += dy[n, tz // sd, ty // sh, tx // sw, q] * f[a, b, e, ch, q]
                dx[n, zz, y, xx, ch] = acc


@njit(cache=True, nogil=True)
def _conv3d_filter_taps(x, dy, sd, sh, sw, dd, dh, dw, pd, pt, pl, df, lo, hi):
    n_img, D, H, W, c = x.shape
    kd, kh, kw, _, o = df.shape
    od, oh, ow = dy.shape[1], dy.shape[2], dy.shape[3]
    for t in range(lo, hi):
        a = t // (kh * kw)
        b = (t // kw) % kh
        e = t % kw
        for ch in range(c):
            for q in range(o):
                acc = x[0, 0, 0, 0, 0] * 0
                for n in range(n_img):
                    for z in range(od):
                        zz = z * sd - pd + a * dd
                        if zz < 0 or zz >= D:
                            continue
                        for i in range(oh):
                            y = i * sh - pt + b * dh
                            if y < 0 or y >= H:
                                continue
                            for j in range(ow):
                                xx = j * sw - pl + e * dw
                                if xx < 0 or xx >= W:
                                    continue
                                acc += x[n, zz, y, xx, ch] * dy[n, z, i, j, q]
                df[a, b, e, ch, q] = acc


def _conv3d_check(x_shape, f_shape, op_type):
    if len(f_shape) != 5:
        raise errors.InvalidArgumentError(None, None, f"filter must be 5-dimensional: "
                                                      f"{list(f_shape)}")
    if x_shape[4] != f_shape[3]:
        raise errors.InvalidArgumentError(
            None, None, f"input and filter must have the same depth: {x_shape[4]} vs "
                        f"{f_shape[3]}")


@register_kernel("Conv3D")
def conv3d(x, f, *, strides, padding, data_format="NDHWC", dilations=(1, 1, 1, 1, 1)):
    x, f = np.asarray(x), np.asarray(f)
    geo = geometry3d(x.shape, f.shape[:3], strides, dilations, padding, data_format, "Conv3D")
    _conv3d_check(x.shape, f.shape, "Conv3D")
    out_shape = (x.shape[0], *geo[9:], f.shape[4])
    return _direct(_conv3d_rows, x, (x, f), geo[:9], out_shape,
                   math.prod(out_shape) and x.size and f.size, x.shape[0] * geo[9] * geo[10],
                   math.prod(out_shape) * f.size // max(1, f.shape[4]))


@register_kernel("Conv3DBackpropInputV2")
def conv3d_backprop_input_v2(input_sizes, f, dy, *, strides, padding, data_format="NDHWC",
                             dilations=(1, 1, 1, 1, 1)):
    f, dyv = np.asarray(f), np.asarray(dy)
    sizes = tuple(int(v) for v in np.asarray(input_sizes).ravel())
    geo = geometry3d(sizes, f.shape[:3], strides, dilations, padding, data_format,
                     "Conv3DBackpropInputV2")
    _conv3d_check(sizes, f.shape, "Conv3DBackpropInputV2")
    want = (sizes[0], *geo[9:], f.shape[4])
    if dyv.shape != want:
        raise errors.InvalidArgumentError(
            None, None, f"Conv3DBackpropInputOp: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dyv.shape)}, computed = {list(want)}")
    return _direct(_conv3d_input_rows, dyv, (dyv, f), geo[:9], sizes,
                   math.prod(sizes) and dyv.size, sizes[0] * sizes[1] * sizes[2],
                   math.prod(sizes) * f.size // max(1, f.shape[3]))


@register_kernel("Conv3DBackpropFilterV2")
def conv3d_backprop_filter_v2(x, filter_sizes, dy, *, strides, padding, data_format="NDHWC",
                              dilations=(1, 1, 1, 1, 1)):
    x, dyv = np.asarray(x), np.asarray(dy)
    fshape = tuple(int(v) for v in np.asarray(filter_sizes).ravel())
    geo = geometry3d(x.shape, fshape[:3], strides, dilations, padding, data_format,
                     "Conv3DBackpropFilterV2")
    _conv3d_check(x.shape, fshape, "Conv3DBackpropFilterV2")
    want = (x.shape[0], *geo[9:], fshape[4])
    if dyv.shape != want:
        raise errors.InvalidArgumentError(
            None, None, f"Conv3DBackpropFilterOp: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dyv.shape)}, computed = {list(want)}")
    return _direct(_conv3d_filter_taps, x, (x, dyv), geo[:9], fshape,
                   math.prod(fshape) and dyv.size, fshape[0] * fshape[1] * fshape[2],
                   dyv.size * fshape[0] * fshape[1] * fshape[2] * fshape[3])


@njit(inline="always")
def _window3d(x, n, z, i, j, ch, kd, kh, kw, sd, sh, sw, pd, pt, pl):
    """One 3-D pooling window of channel `ch`, clipped to the input: (sum, count, maximum,
    and where the first maximum is; bz = -1 for an empty window)."""
    n_img, D, H, W, c = x.shape
    acc = x[0, 0, 0, 0, 0] * 0
    best = x[0, 0, 0, 0, 0] * 0
    bz, by, bx = -1, -1, -1
    cnt = 0
    for a in range(kd):
        zz = z * sd - pd + a
        if zz < 0 or zz >= D:
            continue
        for b in range(kh):
            y = i * sh - pt + b
            if y < 0 or y >= H:
                continue
            for e in range(kw):
                xx = j * sw - pl + e
                if xx < 0 or xx >= W:
                    continue
                v = x[n, zz, y, xx, ch]
                if bz < 0 or v > best:
                    best = v
                    bz, by, bx = zz, y, xx
                acc += v
                cnt += 1
    return acc, cnt, best, bz, by, bx


@njit(cache=True, nogil=True)
def _pool3d_rows(x, kd, kh, kw, sd, sh, sw, pd, pt, pl, is_max, out, lo, hi):
    c = x.shape[4]
    od, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    for r in range(lo, hi):
        n = r // (od * oh)
        z = (r // oh) % od
        i = r % oh
        for j in range(ow):
            for ch in range(c):
                acc, cnt, best, _, _, _ = _window3d(x, n, z, i, j, ch, kd, kh, kw, sd, sh,
                                                    sw, pd, pt, pl)
                out[n, z, i, j, ch] = best if is_max else acc / max(cnt, 1)


@njit(cache=True, nogil=True)
def _max_pool3d_grad_imgs(x, g, kd, kh, kw, sd, sh, sw, pd, pt, pl, dx, lo, hi):
    # one task per image: the gradient of each window goes to its first maximum
    c = x.shape[4]
    od, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    for n in range(lo, hi):
        for z in range(od):
            for i in range(oh):
                for j in range(ow):
                    for ch in range(c):
                        _, _, _, bz, by, bx = _window3d(x, n, z, i, j, ch, kd, kh, kw, sd, sh,
                                                        sw, pd, pt, pl)
                        if bz >= 0:
                            dx[n, bz, by, bx, ch] += g[n, z, i, j, ch]


@njit(cache=True, nogil=True)
def _avg_pool3d_grad_imgs(g, kd, kh, kw, sd, sh, sw, pd, pt, pl, dx, lo, hi):
    n_img, D, H, W, c = dx.shape
    od, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    for n in range(lo, hi):
        for z in range(od):
            z0, z1 = max(z * sd - pd, 0), min(z * sd - pd + kd, D)
            for i in range(oh):
                y0, y1 = max(i * sh - pt, 0), min(i * sh - pt + kh, H)
                for j in range(ow):
                    x0, x1 = max(j * sw - pl, 0), min(j * sw - pl + kw, W)
                    cnt = (z1 - z0) * (y1 - y0) * (x1 - x0)
                    if cnt <= 0:
                        continue
                    for ch in range(c):
                        v = g[n, z, i, j, ch] / cnt
                        for zz in range(z0, z1):
                            for y in range(y0, y1):
                                for xx in range(x0, x1):
                                    dx[n, zz, y, xx, ch] += v


def pool3d_geometry(shape, ksize, strides, padding, data_format, op_type):
    k = [int(v) for v in ksize]
    if len(k) != 5 or k[0] != 1 or k[4] != 1:
        raise errors.UnimplementedError(
            None, None, f"{op_type} is not yet supported on the batch or depth dimensions.")
    geo = geometry3d(shape, k[1:4], strides, (1, 1, 1, 1, 1), padding, data_format, op_type)
    return tuple(k[1:4]) + geo[:3] + geo[6:]   # kd kh kw sd sh sw pd pt pl od oh ow


def _pool3d(x, ksize, strides, padding, data_format, op_type, is_max):
    x = np.asarray(x)
    geo = pool3d_geometry(x.shape, ksize, strides, padding, data_format, op_type)
    out_shape = (x.shape[0], *geo[9:], x.shape[4])
    return _direct(_pool3d_rows, x, (x,), (*geo[:9], is_max), out_shape,
                   math.prod(out_shape), x.shape[0] * geo[9] * geo[10],
                   math.prod(out_shape) * geo[0] * geo[1] * geo[2])


@register_kernel("MaxPool3D")
def max_pool3d(x, *, ksize, strides, padding, data_format="NDHWC"):
    return _pool3d(x, ksize, strides, padding, data_format, "MaxPool3D", True)


@register_kernel("AvgPool3D")
def avg_pool3d(x, *, ksize, strides, padding, data_format="NDHWC"):
    return _pool3d(x, ksize, strides, padding, data_format, "AvgPool3D", False)


@register_kernel("MaxPool3DGrad")
def max_pool3d_grad(orig_input, orig_output, grad, *, ksize, strides, padding,
                    data_format="NDHWC"):
    x, g = np.asarray(orig_input), np.asarray(grad)
    geo = pool3d_geometry(x.shape, ksize, strides, padding, data_format, "MaxPool3DGrad")
    want = (x.shape[0], *geo[9:], x.shape[4])
    if g.shape != want:
        raise errors.InvalidArgumentError(None, None, f"Expected grad shape to be "
                                                      f"{list(want)}, but got {list(g.shape)}")
    return _direct(_max_pool3d_grad_imgs, g, (x, g), geo[:9], x.shape, g.size, x.shape[0],
                   g.size * geo[0] * geo[1] * geo[2])


@register_kernel("AvgPool3DGrad")
def avg_pool3d_grad(orig_input_shape, grad, *, ksize, strides, padding, data_format="NDHWC"):
    shape = tuple(int(v) for v in np.asarray(orig_input_shape).ravel())
    g = np.asarray(grad)
    geo = pool3d_geometry(shape, ksize, strides, padding, data_format, "AvgPool3DGrad")
    return _direct(_avg_pool3d_grad_imgs, g, (g,), geo[:9], shape, g.size, shape[0],
                   g.size * geo[0] * geo[1] * geo[2])


# --- fused batch normalisation --------------------------------------------------------------
# Statistics over N, H, W per channel, accumulated in float64 (x may be float16) and given
# back as float32, as TF's U. Training: reserve_space_1/2 are the batch mean and (biased)
# variance the gradient needs; batch_variance is Bessel-corrected (n / (n - 1)).

def _channels_last(x, data_format):
    return np.moveaxis(x, 1, -1) if data_format.startswith("NC") else x


def _channels_back(x, data_format):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if data_format.startswith("NC") else x


def _fbn_check(x, scale, offset, mean, variance, is_training, exponential_avg_factor):
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{list(x.shape)}")
    for name, v in (("scale", scale), ("offset", offset)):
        if v.ndim != 1:
            raise errors.InvalidArgumentError(None, None, f"{name} must be 1-dimensional"
                                                          f"{list(v.shape)}")
    if not is_training or exponential_avg_factor != 1.0:
        for name, v in (("mean", mean), ("variance", variance)):
            if v.ndim != 1:
                raise errors.InvalidArgumentError(None, None, f"{name} must be 1-dimensional"
                                                              f"{list(v.shape)}")


def fused_bn_forward(x, scale, offset, mean, variance, epsilon, exponential_avg_factor,
                     data_format, is_training):
    """NumPy on the host: shared by the CPU kernel and checked against by the CUDA one."""
    xl = _channels_last(np.asarray(x), data_format).astype(np.float64)
    c = xl.shape[-1]
    scale, offset = np.asarray(scale, np.float64), np.asarray(offset, np.float64)
    for name, v in (("scale", scale), ("offset", offset)):
        if v.shape[0] != c:
            raise errors.InvalidArgumentError(
                None, None, f"{name} must have the same number of elements as the channels "
                            f"of x, got {v.shape[0]} and {c}")
    flat = xl.reshape(-1, c)
    if is_training:
        n = flat.shape[0]
        bm = flat.mean(axis=0) if n else np.full(c, np.nan)
        bv = ((flat - bm) ** 2).mean(axis=0) if n else np.full(c, np.nan)
        corrected = bv * n / max(n - 1, 1)
        if exponential_avg_factor != 1.0:
            f = exponential_avg_factor
            out_mean = (1 - f) * np.asarray(mean, np.float64) + f * bm
            out_var = (1 - f) * np.asarray(variance, np.float64) + f * corrected
        else:
            out_mean, out_var = bm, corrected
        use_m, use_v = bm, bv
    else:
        use_m, use_v = np.asarray(mean, np.float64), np.asarray(variance, np.float64)
        out_mean, out_var = use_m, use_v
    y = (xl - use_m) / np.sqrt(use_v + epsilon) * scale + offset
    return y, out_mean, out_var, use_m, use_v


@register_kernel("FusedBatchNormV3")
def fused_batch_norm_v3(x, scale, offset, mean, variance, *, epsilon=0.0001,
                        exponential_avg_factor=1.0, data_format="NHWC", is_training=True):
    x, scale, offset = np.asarray(x), np.asarray(scale), np.asarray(offset)
    mean, variance = np.asarray(mean), np.asarray(variance)
    _fbn_check(x, scale, offset, mean, variance, is_training, exponential_avg_factor)
    y, m, v, rm, rv = fused_bn_forward(x, scale, offset, mean, variance, epsilon,
                                       exponential_avg_factor, data_format, is_training)
    u = scale.dtype
    return (_channels_back(y, data_format).astype(x.dtype), m.astype(u), v.astype(u),
            rm.astype(u), rv.astype(u), np.zeros([0], u))


def fused_bn_backward(dy, x, scale, mean, variance, epsilon, data_format, is_training):
    xl = _channels_last(np.asarray(x), data_format).astype(np.float64)
    gl = _channels_last(np.asarray(dy), data_format).astype(np.float64)
    c = xl.shape[-1]
    g2, x2 = gl.reshape(-1, c), xl.reshape(-1, c)
    m, v = np.asarray(mean, np.float64), np.asarray(variance, np.float64)
    scale = np.asarray(scale, np.float64)
    inv = 1.0 / np.sqrt(v + epsilon)
    xhat = (x2 - m) * inv
    doffset = g2.sum(axis=0)
    dscale = (g2 * xhat).sum(axis=0)
    if is_training:
        n = max(x2.shape[0], 1)
        dx = scale * inv * (g2 - doffset / n - xhat * dscale / n)
    else:
        dx = g2 * scale * inv
    return dx.reshape(xl.shape), dscale, doffset


@register_kernel("FusedBatchNormGradV3")
def fused_batch_norm_grad_v3(dy, x, scale, rs1, rs2, rs3, *, epsilon=0.0001,
                             data_format="NHWC", is_training=True):
    x, dy = np.asarray(x), np.asarray(dy)
    if x.ndim != 4 or dy.shape != x.shape:
        raise errors.InvalidArgumentError(
            None, None, f"x and y_backprop must have same shape, but x has shape "
                        f"{list(x.shape)} and y_backprop has shape {list(dy.shape)}")
    dx, dscale, doffset = fused_bn_backward(dy, x, scale, rs1, rs2, epsilon, data_format,
                                            is_training)
    u = np.asarray(rs1).dtype
    return (_channels_back(dx, data_format).astype(x.dtype), dscale.astype(u),
            doffset.astype(u), np.zeros([0], u), np.zeros([0], u))


# --- max pooling with argmax ------------------------------------------------------------------

@njit(cache=True, nogil=True)
def _argmax_pool_rows(x, kh, kw, sh, sw, pt, pl, with_batch, out, idx, lo, hi):
    n_img, h, w, c = x.shape
    oh, ow = out.shape[1], out.shape[2]
    for r in range(lo, hi):
        n = r // oh
        i = r - n * oh
        for j in range(ow):
            for ch in range(c):
                best = x[0, 0, 0, 0]
                where = -1
                for a in range(kh):
                    y = i * sh - pt + a
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw - pl + b
                        if xx < 0 or xx >= w:
                            continue
                        v = x[n, y, xx, ch]
                        if where < 0 or v > best:
                            best = v
                            where = (y * w + xx) * c + ch
                out[n, i, j, ch] = best
                idx[n, i, j, ch] = where + (n * h * w * c if with_batch else 0)


@register_kernel("MaxPoolWithArgmax")
def max_pool_with_argmax(x, *, ksize, strides, padding, Targmax=None,
                         include_batch_in_index=False):
    x = np.asarray(x)
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, "tensor_in must be 4-dimensional")
    geo = _pool_geometry(x.shape, ksize, strides, padding, "NHWC", "MaxPoolWithArgmax")
    out = np.empty((x.shape[0], geo[6], geo[7], x.shape[3]), x.dtype)
    idx = np.zeros(out.shape, np.int64)
    if out.size:
        _dw_rows(_argmax_pool_rows, (np.ascontiguousarray(x), *geo[:6],
                                     bool(include_batch_in_index), out, idx),
                 x.shape[0] * geo[6], out.size * geo[0] * geo[1])
    itype = np.int64 if Targmax is None else np.dtype(getattr(Targmax, "np_dtype", Targmax))
    return out, idx.astype(itype)


@register_kernel("MaxPoolGradWithArgmax")
def max_pool_grad_with_argmax(x, grad, argmax, *, ksize, strides, padding,
                              include_batch_in_index=False):
    x, g, am = np.asarray(x), np.asarray(grad), np.asarray(argmax).astype(np.int64)
    if g.shape != am.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Expected grad shape to be {list(am.shape)}, but got {list(g.shape)}")
    n = x.shape[0]
    per = int(np.prod(x.shape[1:]))
    flat = am.reshape(n, -1)
    if not include_batch_in_index:
        flat = flat + (np.arange(n, dtype=np.int64) * per)[:, None]
    flat = flat.ravel()
    if flat.size and (flat.min() < 0 or flat.max() >= x.size):
        raise errors.InvalidArgumentError(None, None, "Invalid argmax index")
    dx = np.zeros(x.size, g.dtype)
    np.add.at(dx, flat, g.ravel())
    return dx.reshape(x.shape)
