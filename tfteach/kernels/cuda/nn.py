"""GPU kernels of the neural-network ops (NHWC, float32/float64).

Convolution is lowered to the matmul kernels: `im2col` copies every receptive field into a
row of a (N*OH*OW, KH*KW*C) matrix, so

    Conv2D               out  = col @ W                 (W reshaped to KH*KW*C x O)
    Conv2DBackpropFilter dW   = col^T @ dy
    Conv2DBackpropInput  dcol = dy @ W^T, then col2im adds each row back into its field
                         (written as a gather: a thread per input element sums the
                         entries that came from it, so no atomics are needed)

Pooling uses a thread per output element; the pooling gradients scatter with atomic adds
(windows may overlap). Softmax and the cross-entropies use a thread per row. Geometry,
padding and argument checks are the CPU kernels' own functions, so both devices agree on
shapes and error messages.
"""
import math

import numpy as np

from ... import errors
from ...framework import registry
from ..cpu import nn as cpu_nn
from . import _dev
from ._dev import cuda, register
from .elementwise import apply, register_elementwise
from .gemm import matmul
from .reduction import SUM, reduce

_KERNELS = {}
_F = _dev.FLOATS


def _nhwc_only(op):
    try:
        fmt = op.get_attr("data_format")
    except (KeyError, ValueError, AttributeError):
        return True
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    return fmt in (None, "", "NHWC")


def _kern(name, fn):
    k = _KERNELS.get(name)
    if k is None:
        k = _KERNELS[name] = cuda.jit(fn)
    return k


# --- activations with a parameter -------------------------------------------------------------
def _leaky(x, a):
    return x if x > 0 else x * a


def _leaky_grad(g, x, a):
    return g if x > 0 else g * a


@register("LeakyRelu", dtypes=_F)
def leaky_relu(x, *, alpha=0.2):
    x = _dev.dev(x)
    return apply(_leaky, [x], x.dtype, "LeakyRelu", (np.dtype(x.dtype).type(alpha),))


@register("LeakyReluGrad", dtypes=_F)
def leaky_relu_grad(g, x, *, alpha=0.2):
    g = _dev.dev(g)
    return apply(_leaky_grad, [g, x], g.dtype, "LeakyReluGrad",
                 (np.dtype(g.dtype).type(alpha),))


# --- softmax and losses -------------------------------------------------------------------------
def _softmax_rows(x, out, rows, c, log):
    r = cuda.grid(1)
    if r < rows:
        base = r * c
        m = x[base]
        for j in range(1, c):
            if x[base + j] > m:
                m = x[base + j]
        s = x[base] * 0
        for j in range(c):
            s += math.exp(x[base + j] - m)
        if log:
            ls = math.log(s)
            for j in range(c):
                out[base + j] = x[base + j] - m - ls
        else:
            for j in range(c):
                out[base + j] = math.exp(x[base + j] - m) / s


def _softmax(x, log):
    x = _dev.contiguous(_dev.dev(x))
    shape = tuple(x.shape)
    if len(shape) < 1:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got "
                                                      "[]")
    out = _dev.empty(shape, x.dtype)
    c = shape[-1]
    rows = _dev.size_of(shape[:-1])
    if rows and c:
        _kern("softmax", _softmax_rows)[_dev.blocks_for(rows), _dev.TPB](
            _dev.flat(x), _dev.flat(out), rows, c, log)
    return out


@register("Softmax", dtypes=_F)
def softmax(x):
    return _softmax(x, False)


@register("LogSoftmax", dtypes=_F)
def log_softmax(x):
    return _softmax(x, True)


def _xent_rows(f, lab, loss, back, rows, c):
    r = cuda.grid(1)
    if r < rows:
        base = r * c
        m = f[base]
        for j in range(1, c):
            if f[base + j] > m:
                m = f[base + j]
        s = f[base] * 0
        for j in range(c):
            s += math.exp(f[base + j] - m)
        lse = math.log(s)
        acc = f[base] * 0
        for j in range(c):
            logp = f[base + j] - m - lse
            acc -= lab[base + j] * logp
            back[base + j] = math.exp(logp) - lab[base + j]
        loss[r] = acc


def _sparse_xent_rows(f, lab, loss, back, rows, c, bad):
    r = cuda.grid(1)
    if r < rows:
        base = r * c
        t = lab[r]
        if t < 0 or t >= c:
            bad[0] = 1
            return
        m = f[base]
        for j in range(1, c):
            if f[base + j] > m:
                m = f[base + j]
        s = f[base] * 0
        for j in range(c):
            s += math.exp(f[base + j] - m)
        loss[r] = math.log(s) - (f[base + t] - m)
        for j in range(c):
            back[base + j] = math.exp(f[base + j] - m) / s
        back[base + t] -= 1


@register("SoftmaxCrossEntropyWithLogits", dtypes=_F)
def xent(features, labels):
    f = _dev.contiguous(_dev.dev(features))
    lab = _dev.contiguous(_dev.dev(labels))
    if tuple(f.shape) != tuple(lab.shape):   # broadcasting labels: materialise them
        from .array import index_maps, run_map
        shape = np.broadcast_shapes(tuple(f.shape), tuple(lab.shape))
        ((m, s),) = index_maps("BroadcastTo", tuple(lab.shape),
                               (np.array(shape, np.int64),), {})
        lab = run_map(lab, m, s)
        if tuple(f.shape) != tuple(shape):
            ((m, s),) = index_maps("BroadcastTo", tuple(f.shape),
                                   (np.array(shape, np.int64),), {})
            f = run_map(f, m, s)
    shape = tuple(f.shape)
    if len(shape) != 2:
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must be either 2-dimensional, or broadcasted "
                        f"to be 2-dimensional: {list(shape)}")
    rows, c = shape
    loss = _dev.empty((rows,), f.dtype)
    back = _dev.empty(shape, f.dtype)
    if rows and c:
        _kern("xent", _xent_rows)[_dev.blocks_for(rows), _dev.TPB](
            _dev.flat(f), _dev.flat(lab), loss, _dev.flat(back), rows, c)
    return loss, back


@register("SparseSoftmaxCrossEntropyWithLogits", dtypes=_F,
          check=lambda op: op.inputs[1].dtype.base_dtype.name in ("int32", "int64"))


def sparse_xent(features, labels):
    f = _dev.contiguous(_dev.dev(features))
    lab = _dev.contiguous(_dev.dev(labels))
    if len(f.shape) != 2:
        raise errors.InvalidArgumentError(
            None, None, f"logits must be 2-D, but got shape {list(f.shape)}")
    rows, c = tuple(f.shape)
    if tuple(lab.shape) != (rows,):
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must have the same first dimension, got "
                        f"logits shape [{rows},{c}] and labels shape "
                        f"[{lab.shape[0] if lab.shape else ''}]")
    loss = _dev.empty((rows,), f.dtype)
    back = _dev.empty((rows, c), f.dtype)
    if rows:
        bad = _dev.to_device(np.zeros(1, np.int32))
        _kern("sxent", _sparse_xent_rows)[_dev.blocks_for(rows), _dev.TPB](
            _dev.flat(f), lab, loss, _dev.flat(back), rows, c, bad)
        if bad.copy_to_host()[0]:       # the CPU kernel words the error
            registry.get("SparseSoftmaxCrossEntropyWithLogits").kernel_for("CPU")(
                np.zeros((rows, c), np.dtype(f.dtype)), lab.copy_to_host())
    return loss, back


def _square(x):
    return x * x


@register("L2Loss", dtypes=_F)
def l2_loss(t):
    t = _dev.dev(t)
    sq = apply(_square, [t], t.dtype, "L2Loss")
    s = reduce(sq, list(range(len(t.shape))), SUM, False, "L2Loss")
    return apply(_half, [s], t.dtype, "L2Loss")


def _half(x):
    return x / 2


# --- bias -----------------------------------------------------------------------------------------
def _add(x, y):
    return x + y


@register("BiasAdd", dtypes=_F + ("int32", "int64"), check=_nhwc_only)
def bias_add(value, bias, *, data_format="NHWC"):
    value, bias = _dev.dev(value), _dev.dev(bias)
    if len(bias.shape) != 1 or not value.shape or tuple(value.shape)[-1] != bias.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Must provide as many biases as the last dimension of the input "
                        f"tensor: {list(bias.shape)} vs. {list(value.shape)}")
    return apply(_add, [value, bias], value.dtype, "BiasAdd")


@register("BiasAddGrad", dtypes=_F + ("int32", "int64"), check=_nhwc_only)
def bias_add_grad(g, *, data_format="NHWC"):
    g = _dev.dev(g)
    return reduce(g, list(range(len(g.shape) - 1)), SUM, False, "BiasAddGrad")


# --- convolution ----------------------------------------------------------------------------------
def _im2col(x, col, n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        kc = kh * kw * c
        r = t // kc
        q = t % kc
        ch = q % c
        b = (q // c) % kw
        a = q // (c * kw)
        j = r % ow
        i = (r // ow) % oh
        img = r // (ow * oh)
        y = i * sh - pt + a * dh
        xx = j * sw - pl + b * dw
        if 0 <= y < h and 0 <= xx < w:
            col[t] = x[((img * h + y) * w + xx) * c + ch]
        else:
            col[t] = 0


def _col2im(dcol, out, n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        xx = (t // c) % w
        y = (t // (c * w)) % h
        img = t // (c * w * h)
        acc = dcol[0] * 0
        kc = kh * kw * c
        for a in range(kh):
            yy = y + pt - a * dh
            if yy < 0 or yy % sh != 0:
                continue
            i = yy // sh
            if i >= oh:
                continue
            for b in range(kw):
                xq = xx + pl - b * dw
                if xq < 0 or xq % sw != 0:
                    continue
                j = xq // sw
                if j >= ow:
                    continue
                acc += dcol[((img * oh + i) * ow + j) * kc + (a * kw + b) * c + ch]
        out[t] = acc


def _geo_args(g):
    return (g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow)


def im2col(x, g):
    rows, kc = g.n * g.oh * g.ow, g.kh * g.kw * g.c
    col = _dev.empty((rows, kc), x.dtype)
    total = rows * kc
    if total:
        _kern("im2col", _im2col)[_dev.blocks_for(total), _dev.TPB](
            _dev.flat(x), _dev.flat(col), *_geo_args(g), total)
    return col


def _conv_check(op):
    return _nhwc_only(op)


def _attrs(strides, dilations):
    return cpu_nn._check_conv_attrs(strides, dilations, "NHWC", "Conv2D")


@register("Conv2D", dtypes=_F, check=_conv_check)
def conv2d(x, f, *, strides, padding, data_format="NHWC", dilations=(1, 1, 1, 1)):
    x = _dev.contiguous(_dev.dev(x))
    f = _dev.contiguous(_dev.dev(f))
    if len(x.shape) != 4 or len(f.shape) != 4:
        raise errors.InvalidArgumentError(
            None, None, f"input must be 4-dimensional{list(x.shape)}" if len(x.shape) != 4
            else f"filter must be 4-dimensional: {list(f.shape)}")
    s, d = cpu_nn._check_conv_attrs(strides, dilations, data_format, "Conv2D")
    g = cpu_nn._Geometry(tuple(x.shape), tuple(f.shape), s, d, padding, "Conv2D")
    kc = g.kh * g.kw * g.c
    if g.n * g.oh * g.ow * g.o == 0 or kc == 0:
        from .array import full
        return full((g.n, g.oh, g.ow, g.o), 0, x.dtype)
    col = im2col(x, g)
    out = matmul(col, f.reshape((kc, g.o)))
    return out.reshape((g.n, g.oh, g.ow, g.o))


@register("Conv2DBackpropFilter", dtypes=_F, check=_conv_check, host_inputs=(1,))
def conv2d_backprop_filter(x, filter_sizes, dy, *, strides, padding, data_format="NHWC",
                           dilations=(1, 1, 1, 1)):
    x = _dev.contiguous(_dev.dev(x))
    dy = _dev.contiguous(_dev.dev(dy))
    s, d = cpu_nn._check_conv_attrs(strides, dilations, data_format,
                                    "Conv2DBackpropFilter")
    fshape = _dev.host_int_list(filter_sizes)
    g = cpu_nn._Geometry(tuple(x.shape), fshape, s, d, padding, "Conv2DBackpropFilter")
    if tuple(dy.shape) != (g.n, g.oh, g.ow, g.o):
        raise errors.InvalidArgumentError(
            None, None, f"Conv2DCustomBackpropFilter: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dy.shape)}, computed = "
                        f"{[g.n, g.oh, g.ow, g.o]}")
    kc = g.kh * g.kw * g.c
    rows = g.n * g.oh * g.ow
    if rows == 0 or kc == 0:
        from .array import full
        return full(tuple(fshape), 0, x.dtype)
    col = im2col(x, g)
    dw = matmul(col, dy.reshape((rows, g.o)), transpose_a=True)
    return dw.reshape(tuple(fshape))


@register("Conv2DBackpropInput", dtypes=_F, check=_conv_check, host_inputs=(0,))
def conv2d_backprop_input(input_sizes, f, dy, *, strides, padding, data_format="NHWC",
                          dilations=(1, 1, 1, 1)):
    f = _dev.contiguous(_dev.dev(f))
    dy = _dev.contiguous(_dev.dev(dy))
    s, d = cpu_nn._check_conv_attrs(strides, dilations, data_format,
                                    "Conv2DBackpropInput")
    sizes = _dev.host_int_list(input_sizes)
    if len(sizes) != 4:
        raise errors.InvalidArgumentError(
            None, None, f"Conv2DBackpropInput: input_sizes must be 4-dimensional, got: "
                        f"{len(sizes)}")
    g = cpu_nn._Geometry(sizes, tuple(f.shape), s, d, padding, "Conv2DBackpropInput")
    if tuple(dy.shape) != (g.n, g.oh, g.ow, g.o):
        raise errors.InvalidArgumentError(
            None, None, f"Conv2DCustomBackpropInput: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dy.shape)}, computed = "
                        f"{[g.n, g.oh, g.ow, g.o]}")
    kc = g.kh * g.kw * g.c
    rows = g.n * g.oh * g.ow
    out = _dev.empty((g.n, g.h, g.w, g.c), dy.dtype)
    total = g.n * g.h * g.w * g.c
    if rows == 0 or kc == 0:
        from .array import full
        return full(tuple(out.shape), 0, dy.dtype)
    dcol = matmul(dy.reshape((rows, g.o)), f.reshape((kc, g.o)), transpose_b=True)
    if total:
        _kern("col2im", _col2im)[_dev.blocks_for(total), _dev.TPB](
            _dev.flat(dcol), _dev.flat(out), *_geo_args(g), total)
    return out


# --- pooling ------------------------------------------------------------------------------------
def _max_pool_k(x, out, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, lo, total):
    # starts from the dtype's lowest value `lo`, as the CPU kernel and TF: NaNs are skipped
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        j = (t // c) % ow
        i = (t // (c * ow)) % oh
        n = t // (c * ow * oh)
        best = lo
        for a in range(kh):
            y = i * sh - pt + a
            if y < 0 or y >= h:
                continue
            for b in range(kw):
                xx = j * sw - pl + b
                if xx < 0 or xx >= w:
                    continue
                v = x[((n * h + y) * w + xx) * c + ch]
                if v > best:
                    best = v
        out[t] = best


@cuda.jit(device=True)
def _window2d(x, t, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow):
    """The pooling window of output element `t` (flat NHWC), clipped to the input: (sum,
    count, maximum, flat index of the first maximum; x[0] and -1 for an empty window).
    Shared by AvgPool, MaxPoolGrad and MaxPoolWithArgmax."""
    ch = t % c
    j = (t // c) % ow
    i = (t // (c * ow)) % oh
    n = t // (c * ow * oh)
    acc = x[0] * 0
    cnt = 0
    best = x[0]
    where = -1
    for a in range(kh):
        y = i * sh - pt + a
        if y < 0 or y >= h:
            continue
        for b in range(kw):
            xx = j * sw - pl + b
            if xx < 0 or xx >= w:
                continue
            k = ((n * h + y) * w + xx) * c + ch
            v = x[k]
            if where < 0 or v > best:
                best = v
                where = k
            acc += v
            cnt += 1
    return acc, cnt, best, where


def _max_pool_grad_k(x, g, dx, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        _, _, _, where = _window2d(x, t, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow)
        if where >= 0:
            cuda.atomic.add(dx, where, g[t])


def _avg_pool_k(x, out, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        acc, cnt, _, _ = _window2d(x, t, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow)
        out[t] = acc / cnt


def _avg_pool_grad_k(g, dx, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        j = (t // c) % ow
        i = (t // (c * ow)) % oh
        n = t // (c * ow * oh)
        y0 = max(i * sh - pt, 0)
        y1 = min(i * sh - pt + kh, h)
        x0 = max(j * sw - pl, 0)
        x1 = min(j * sw - pl + kw, w)
        cnt = (y1 - y0) * (x1 - x0)
        v = g[t] / cnt
        for y in range(y0, y1):
            for xx in range(x0, x1):
                cuda.atomic.add(dx, ((n * h + y) * w + xx) * c + ch, v)


def _pool_geo(shape, ksize, strides, padding, data_format, op_type):
    return cpu_nn._pool_geometry(tuple(shape), ksize, strides, padding, data_format, op_type)


def _pool_out(x, geo):
    n, _, _, c = x.shape
    return (n, geo[6], geo[7], c)


def _launch_pool(name, fn, total, *args):
    if total:
        _kern(name, fn)[_dev.blocks_for(total), _dev.TPB](*args, total)


def _pool_forward(name, fn, op_type, x, ksize, strides, padding, data_format, *extra):
    x = _dev.contiguous(_dev.dev(x))
    geo = _pool_geo(x.shape, ksize, strides, padding, data_format, op_type)
    out_shape = _pool_out(x, geo)
    out = _dev.empty(out_shape, x.dtype)
    _launch_pool(name, fn, _dev.size_of(out_shape), _dev.flat(x), _dev.flat(out),
                 x.shape[1], x.shape[2], x.shape[3], *geo, *extra)
    return out


@register("MaxPool", dtypes=_F, check=_nhwc_only)
def max_pool(x, *, ksize, strides, padding, data_format="NHWC"):
    return _pool_forward("maxpool", _max_pool_k, "MaxPool", x, ksize, strides, padding,
                         data_format, np.finfo(x.dtype).min)


@register("MaxPoolGrad", dtypes=_F, check=_nhwc_only)
def max_pool_grad(orig_input, orig_output, grad, *, ksize, strides, padding,
                  data_format="NHWC"):
    x = _dev.contiguous(_dev.dev(orig_input))
    g = _dev.contiguous(_dev.dev(grad))
    geo = _pool_geo(x.shape, ksize, strides, padding, data_format, "MaxPoolGrad")
    want = _pool_out(x, geo)
    if tuple(g.shape) != want:
        raise errors.InvalidArgumentError(
            None, None, f"Expected grad shape to be {list(want)}, but got "
                        f"{list(g.shape)}")
    from .array import full
    dx = full(tuple(x.shape), 0, x.dtype)
    _launch_pool("maxpoolgrad", _max_pool_grad_k, _dev.size_of(want), _dev.flat(x),
                 _dev.flat(g), _dev.flat(dx), x.shape[1], x.shape[2], x.shape[3], *geo)
    return dx


@register("AvgPool", dtypes=_F, check=_nhwc_only)
def avg_pool(x, *, ksize, strides, padding, data_format="NHWC"):
    return _pool_forward("avgpool", _avg_pool_k, "AvgPool", x, ksize, strides, padding,
                         data_format)


@register("AvgPoolGrad", dtypes=_F, check=_nhwc_only, host_inputs=(0,))
def avg_pool_grad(orig_input_shape, grad, *, ksize, strides, padding,
                  data_format="NHWC"):
    shape = tuple(_dev.host_int_list(orig_input_shape))
    g = _dev.contiguous(_dev.dev(grad))
    geo = _pool_geo(shape, ksize, strides, padding, data_format, "AvgPoolGrad")
    from .array import full
    dx = full(shape, 0, g.dtype)
    _launch_pool("avgpoolgrad", _avg_pool_grad_k, _dev.size_of(g.shape), _dev.flat(g),
                 _dev.flat(dx), shape[1], shape[2], shape[3], *geo)
    return dx


# --- in_top_k -------------------------------------------------------------------------------------
def _in_top_k_rows(p, t, out, rows, c, k):
    r = cuda.grid(1)
    if r < rows:
        target = t[r]
        ok = False
        if 0 <= target < c:
            tv = p[r * c + target]
            finite = not (math.isinf(tv) or math.isnan(tv))
            better = 0
            for j in range(c):
                v = p[r * c + j]
                if math.isinf(v) or math.isnan(v):
                    finite = False
                if v > tv:
                    better += 1
            ok = finite and better < k
        out[r] = ok


@register("InTopKV2",
          check=lambda op: op.inputs[0].dtype.base_dtype.name == "float32" and
          op.inputs[1].dtype.base_dtype.name in ("int32", "int64"))


def in_top_k(predictions, targets, k):
    p = _dev.contiguous(_dev.dev(predictions))
    t = _dev.contiguous(_dev.dev(targets))
    if len(p.shape) != 2 or tuple(t.shape) != (p.shape[0],):
        raise errors.InvalidArgumentError(None, None, "targets must have same elements as "
                                                      "predictions")
    rows, c = tuple(p.shape)
    out = _dev.empty((rows,), np.bool_)
    if rows:
        _kern("intopk", _in_top_k_rows)[_dev.blocks_for(rows), _dev.TPB](
            _dev.flat(p), t, out, rows, c, int(np.asarray(_dev.to_host(k))))
    return out


register_elementwise("nn")


# --- TopKV2 --------------------------------------------------------------------------------
def _top_k_kernel():
    k = _KERNELS.get("top_k")
    if k is None:
        @cuda.jit(device=True)
        def above(a, b):
            # a ranks above b: larger, with NaN ranked as -inf (as TF's comparisons do) and
            # ties left to index order (callers insert after equals)
            if a != a:
                return False
            if b != b:
                return a > -math.inf
            return a > b

        # a thread per row keeps the row's best k in the output, by insertion: n*k steps per
        # row, fine for the small k of classification metrics and beam search
        @cuda.jit
        def top_k(x, vals, idx, rows, n, kk):
            r = cuda.grid(1)
            if r < rows:
                base, obase = r * n, r * kk
                count = 0
                for j in range(n):
                    v = x[base + j]
                    if count == kk and not above(v, vals[obase + kk - 1]):
                        continue
                    p = count if count < kk else kk - 1
                    while p > 0 and above(v, vals[obase + p - 1]):
                        vals[obase + p] = vals[obase + p - 1]
                        idx[obase + p] = idx[obase + p - 1]
                        p -= 1
                    vals[obase + p] = v
                    idx[obase + p] = j
                    if count < kk:
                        count += 1
        k = _KERNELS["top_k"] = top_k
    return k


@register("TopKV2", dtypes=("float32", "float64", "int32", "int64"), host_memory=("k",))
def top_k_v2(input, k, *, sorted, index_type):     # noqa: A002 - TF's attr name
    # sorted=False lets TF return any order; this kernel's is always the sorted one
    x = _dev.contiguous(_dev.dev(input))
    kk = int(np.asarray(_dev.to_host(k)))
    shape = tuple(x.shape)
    if kk < 0:
        raise errors.InvalidArgumentError(None, None, f"Need k >= 0, got {kk}")
    if not shape:
        raise errors.InvalidArgumentError(None, None, "input must be >= 1-D, got shape []")
    n = shape[-1]
    if n < kk:
        raise errors.InvalidArgumentError(
            None, None, f"input must have at least k columns. Had {n}, needed {kk}")
    vals = _dev.empty(shape[:-1] + (kk,), x.dtype)
    idx = _dev.empty(shape[:-1] + (kk,), index_type.np_dtype)
    rows = _dev.size_of(shape[:-1])
    if rows and kk:
        _top_k_kernel()[_dev.blocks_for(rows), _dev.TPB](
            _dev.flat(x), _dev.flat(vals), _dev.flat(idx), rows, n, kk)
    return vals, idx


# --- depthwise convolution: a thread per output (forward), input (input gradient, a gather)
# or filter element (filter gradient, a sum over the batch and the output pixels) -------------
def _dw_fwd_k(x, f, out, h, w, c, m, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        co = t % (c * m)
        j = (t // (c * m)) % ow
        i = (t // (c * m * ow)) % oh
        n = t // (c * m * ow * oh)
        ch = co // m
        q = co % m
        acc = x[0] * 0
        for a in range(kh):
            y = i * sh - pt + a * dh
            if y < 0 or y >= h:
                continue
            for b in range(kw):
                xx = j * sw - pl + b * dw
                if xx < 0 or xx >= w:
                    continue
                acc += x[((n * h + y) * w + xx) * c + ch] * f[((a * kw + b) * c + ch) * m + q]
        out[t] = acc


def _dw_input_k(dy, f, dx, h, w, c, m, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        xx = (t // c) % w
        y = (t // (c * w)) % h
        n = t // (c * w * h)
        acc = dy[0] * 0
        for a in range(kh):
            ty = y + pt - a * dh
            if ty < 0 or ty % sh != 0 or ty // sh >= oh:
                continue
            i = ty // sh
            for b in range(kw):
                tx = xx + pl - b * dw
                if tx < 0 or tx % sw != 0 or tx // sw >= ow:
                    continue
                j = tx // sw
                for q in range(m):
                    acc += dy[((n * oh + i) * ow + j) * c * m + ch * m + q] * \
                        f[((a * kw + b) * c + ch) * m + q]
        dx[t] = acc


def _dw_filter_k(x, dy, df, nb, h, w, c, m, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        q = t % m
        ch = (t // m) % c
        b = (t // (m * c)) % kw
        a = t // (m * c * kw)
        acc = x[0] * 0
        for n in range(nb):
            for i in range(oh):
                y = i * sh - pt + a * dh
                if y < 0 or y >= h:
                    continue
                for j in range(ow):
                    xx = j * sw - pl + b * dw
                    if xx < 0 or xx >= w:
                        continue
                    acc += x[((n * h + y) * w + xx) * c + ch] * \
                        dy[((n * oh + i) * ow + j) * c * m + ch * m + q]
        df[t] = acc


def _dw_launch(name, fn, total, *args):
    if total:
        _kern(name, fn)[_dev.blocks_for(total), _dev.TPB](*args, total)


@register("DepthwiseConv2dNative", dtypes=_F, check=_nhwc_only)
def depthwise_conv2d_native(x, f, *, strides, padding, data_format="NHWC",
                            dilations=(1, 1, 1, 1)):
    x = _dev.contiguous(_dev.dev(x))
    f = _dev.contiguous(_dev.dev(f))
    geo = cpu_nn.dw_geometry(tuple(x.shape), tuple(f.shape), strides, dilations, padding,
                             data_format, "DepthwiseConv2dNative")
    n, h, w, c = x.shape
    kh, kw, _, m = f.shape
    out_shape = (n, geo[6], geo[7], c * m)
    from .array import full
    out = full(out_shape, 0, x.dtype)
    if x.size and f.size:
        _dw_launch("dwconv", _dw_fwd_k, _dev.size_of(out_shape), _dev.flat(x), _dev.flat(f),
                   _dev.flat(out), h, w, c, m, kh, kw, *geo)
    return out


@register("DepthwiseConv2dNativeBackpropInput", dtypes=_F, check=_nhwc_only, host_inputs=(0,))
def depthwise_conv2d_native_backprop_input(input_sizes, f, dy, *, strides, padding,
                                           data_format="NHWC", dilations=(1, 1, 1, 1)):
    f = _dev.contiguous(_dev.dev(f))
    dy = _dev.contiguous(_dev.dev(dy))
    sizes = tuple(_dev.host_int_list(input_sizes))
    geo = cpu_nn.dw_geometry(sizes, tuple(f.shape), strides, dilations, padding, data_format,
                             "DepthwiseConv2dNativeBackpropInput")
    n, h, w, c = sizes
    kh, kw, _, m = f.shape
    want = (n, geo[6], geo[7], c * m)
    if tuple(dy.shape) != want:
        raise errors.InvalidArgumentError(
            None, None, f"DepthwiseConv2DBackpropInput: out_backprop has shape "
                        f"{list(dy.shape)}, expected {list(want)}")
    from .array import full
    dx = full(sizes, 0, dy.dtype)
    if dy.size and f.size:
        _dw_launch("dwconv_dx", _dw_input_k, _dev.size_of(sizes), _dev.flat(dy), _dev.flat(f),
                   _dev.flat(dx), h, w, c, m, kh, kw, *geo)
    return dx


@register("DepthwiseConv2dNativeBackpropFilter", dtypes=_F, check=_nhwc_only,
          host_inputs=(1,))
def depthwise_conv2d_native_backprop_filter(x, filter_sizes, dy, *, strides, padding,
                                            data_format="NHWC", dilations=(1, 1, 1, 1)):
    x = _dev.contiguous(_dev.dev(x))
    dy = _dev.contiguous(_dev.dev(dy))
    fshape = tuple(_dev.host_int_list(filter_sizes))
    geo = cpu_nn.dw_geometry(tuple(x.shape), fshape, strides, dilations, padding, data_format,
                             "DepthwiseConv2dNativeBackpropFilter")
    n, h, w, c = x.shape
    kh, kw, _, m = fshape
    want = (n, geo[6], geo[7], c * m)
    if tuple(dy.shape) != want:
        raise errors.InvalidArgumentError(
            None, None, f"DepthwiseConv2DBackpropFilter: out_backprop has shape "
                        f"{list(dy.shape)}, expected {list(want)}")
    from .array import full
    df = full(fshape, 0, x.dtype)
    if dy.size and x.size:
        _dw_launch("dwconv_df", _dw_filter_k, _dev.size_of(fshape), _dev.flat(x),
                   _dev.flat(dy), _dev.flat(df), n, h, w, c, m, kh, kw, *geo)
    return df


# --- SpaceToDepth / DepthToSpace: a thread per output element reads its source -------------
def _s2d_k(x, out, h, w, c, b, oh, ow, oc, total):
    t = cuda.grid(1)
    if t < total:
        co = t % oc
        j = (t // oc) % ow
        i = (t // (oc * ow)) % oh
        n = t // (oc * ow * oh)
        ch = co % c
        bj = (co // c) % b
        bi = co // (c * b)
        out[t] = x[((n * h + i * b + bi) * w + j * b + bj) * c + ch]


def _d2s_k(x, out, h, w, c, b, oh, ow, oc, total):
    t = cuda.grid(1)
    if t < total:
        co = t % oc
        j = (t // oc) % ow
        i = (t // (oc * ow)) % oh
        n = t // (oc * ow * oh)
        src = ((i % b) * b + j % b) * oc + co
        out[t] = x[((n * h + i // b) * w + j // b) * c + src]


def _space_depth(name, fn, x, block_size, data_format, to_depth):
    x = _dev.contiguous(_dev.dev(x))
    cpu_nn._block_check(np.empty(tuple(x.shape), np.int8), block_size, data_format, name)
    n, h, w, c = x.shape
    b = block_size
    if to_depth:
        if h % b or w % b:
            raise errors.InvalidArgumentError(
                None, None, f"Image width {w} and height {h} should be divisible by "
                            f"block_size: {b}")
        shape = (n, h // b, w // b, c * b * b)
    else:
        if c % (b * b):
            raise errors.InvalidArgumentError(
                None, None, f"Input depth dimension {c} should be divisible by: {b * b}")
        shape = (n, h * b, w * b, c // (b * b))
    out = _dev.empty(shape, x.dtype)
    _dw_launch(name, fn, _dev.size_of(shape), _dev.flat(x), _dev.flat(out), h, w, c, b,
               shape[1], shape[2], shape[3])
    return out


@register("SpaceToDepth", dtypes=("float32",), check=_nhwc_only)
def space_to_depth(x, *, block_size, data_format="NHWC"):
    return _space_depth("SpaceToDepth", _s2d_k, x, block_size, data_format, True)


@register("DepthToSpace", dtypes=("float32",), check=_nhwc_only)
def depth_to_space(x, *, block_size, data_format="NHWC"):
    return _space_depth("DepthToSpace", _d2s_k, x, block_size, data_format, False)


# --- LRN: a thread per element sums the squares of its window of channels ------------------
def _lrn_k(x, out, c, r, bias, alpha, beta, total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        base = t - ch
        s = 0.0
        for k in range(max(0, ch - r), min(c, ch + r + 1)):
            v = x[base + k]
            s += v * v
        out[t] = x[t] / (bias + alpha * s) ** beta


def _lrn_grad_k(g, x, dx, c, r, bias, alpha, beta, total):
    # dx[j] = g[j] N_j^-beta - 2 alpha beta x[j] sum_{|i-j|<=r} g[i] x[i] N_i^(-beta-1)
    t = cuda.grid(1)
    if t < total:
        j = t % c
        base = t - j
        acc = 0.0
        for i in range(max(0, j - r), min(c, j + r + 1)):
            s = 0.0
            for k in range(max(0, i - r), min(c, i + r + 1)):
                v = x[base + k]
                s += v * v
            norm = bias + alpha * s
            if i == j:
                acc += g[base + i] * norm ** -beta
            acc -= 2.0 * alpha * beta * g[base + i] * x[base + i] * x[t] * norm ** (-beta - 1.0)
        dx[t] = acc


@register("LRN", dtypes=("float32",))
def lrn(x, *, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    x = _dev.contiguous(_dev.dev(x))
    cpu_nn._lrn_check(np.empty(tuple(x.shape), np.int8), depth_radius, "LRN")
    out = _dev.empty(tuple(x.shape), x.dtype)
    _dw_launch("lrn", _lrn_k, _dev.size_of(x.shape), _dev.flat(x), _dev.flat(out),
               x.shape[3], int(depth_radius), float(bias), float(alpha), float(beta))
    return out


@register("LRNGrad", dtypes=("float32",))
def lrn_grad(g, x, y, *, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    g = _dev.contiguous(_dev.dev(g))
    x = _dev.contiguous(_dev.dev(x))
    cpu_nn._lrn_check(np.empty(tuple(x.shape), np.int8), depth_radius, "LRNGrad")
    if tuple(g.shape) != tuple(x.shape) or tuple(y.shape) != tuple(x.shape):
        raise errors.InvalidArgumentError(
            None, None, "input_grads, input_image, and out_image should have the same shape")
    dx = _dev.empty(tuple(x.shape), x.dtype)
    _dw_launch("lrngrad", _lrn_grad_k, _dev.size_of(x.shape), _dev.flat(g), _dev.flat(x),
               _dev.flat(dx), x.shape[3], int(depth_radius), float(bias), float(alpha),
               float(beta))
    return dx


# --- 3-D convolution and pooling (NDHWC): a thread per output element (forward, pooling), per
# input element (input gradient, a gather) or per filter element (filter gradient); the
# pooling gradients scatter with atomic adds (windows may overlap) -------------------------
def _ndhwc_only(op):
    try:
        fmt = op.get_attr("data_format")
    except (KeyError, ValueError, AttributeError):
        return True
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    return fmt in (None, "", "NDHWC")


def _conv3d_k(x, f, out, D, H, W, c, kd, kh, kw, o, sd, sh, sw, dd, dh, dw, pd, pt, pl,
              od, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        q = t % o
        j = (t // o) % ow
        i = (t // (o * ow)) % oh
        z = (t // (o * ow * oh)) % od
        n = t // (o * ow * oh * od)
        acc = x[0] * 0
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
                    xb = (((n * D + zz) * H + y) * W + xx) * c
                    fb = ((a * kh + b) * kw + e) * c
                    for ch in range(c):
                        acc += x[xb + ch] * f[(fb + ch) * o + q]
        out[t] = acc


def _conv3d_dx_k(dy, f, dx, D, H, W, c, kd, kh, kw, o, sd, sh, sw, dd, dh, dw, pd, pt, pl,
                 od, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        xx = (t // c) % W
        y = (t // (c * W)) % H
        zz = (t // (c * W * H)) % D
        n = t // (c * W * H * D)
        acc = dy[0] * 0
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
                    gb = (((n * od + tz // sd) * oh + ty // sh) * ow + tx // sw) * o
                    fb = ((((a * kh + b) * kw + e) * c) + ch) * o
                    for q in range(o):
                        acc += dy[gb + q] * f[fb + q]
        dx[t] = acc


def _conv3d_df_k(x, dy, df, nb, D, H, W, c, kd, kh, kw, o, sd, sh, sw, dd, dh, dw, pd, pt,
                 pl, od, oh, ow, total):
    t = cuda.grid(1)
    if t < total:
        q = t % o
        ch = (t // o) % c
        e = (t // (o * c)) % kw
        b = (t // (o * c * kw)) % kh
        a = t // (o * c * kw * kh)
        acc = x[0] * 0
        for n in range(nb):
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
                        acc += x[(((n * D + zz) * H + y) * W + xx) * c + ch] * \
                            dy[(((n * od + z) * oh + i) * ow + j) * o + q]
        df[t] = acc


def _conv3d_geo(in_shape, f_shape, strides, dilations, padding, data_format, op_type):
    geo = cpu_nn.geometry3d(tuple(in_shape), tuple(f_shape)[:3], strides, dilations, padding,
                            data_format, op_type)
    cpu_nn._conv3d_check(tuple(in_shape), tuple(f_shape), op_type)
    return geo


@register("Conv3D", dtypes=_F, check=_ndhwc_only)
def conv3d(x, f, *, strides, padding, data_format="NDHWC", dilations=(1, 1, 1, 1, 1)):
    x = _dev.contiguous(_dev.dev(x))
    f = _dev.contiguous(_dev.dev(f))
    if len(f.shape) != 5:
        raise errors.InvalidArgumentError(None, None, f"filter must be 5-dimensional: "
                                                      f"{list(f.shape)}")
    geo = _conv3d_geo(x.shape, f.shape, strides, dilations, padding, data_format, "Conv3D")
    n, D, H, W, c = x.shape
    kd, kh, kw, _, o = f.shape
    shape = (n, *geo[9:], o)
    from .array import full
    out = full(shape, 0, x.dtype)
    if x.size and f.size:
        _dw_launch("conv3d", _conv3d_k, _dev.size_of(shape), _dev.flat(x), _dev.flat(f),
                   _dev.flat(out), D, H, W, c, kd, kh, kw, o, *geo)
    return out


@register("Conv3DBackpropInputV2", dtypes=_F, check=_ndhwc_only, host_inputs=(0,))
def conv3d_backprop_input_v2(input_sizes, f, dy, *, strides, padding, data_format="NDHWC",
                             dilations=(1, 1, 1, 1, 1)):
    f = _dev.contiguous(_dev.dev(f))
    dy = _dev.contiguous(_dev.dev(dy))
    sizes = tuple(_dev.host_int_list(input_sizes))
    geo = _conv3d_geo(sizes, f.shape, strides, dilations, padding, data_format,
                      "Conv3DBackpropInputV2")
    n, D, H, W, c = sizes
    kd, kh, kw, _, o = f.shape
    want = (n, *geo[9:], o)
    if tuple(dy.shape) != want:
        raise errors.InvalidArgumentError(
            None, None, f"Conv3DBackpropInputOp: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dy.shape)}, computed = {list(want)}")
    from .array import full
    dx = full(sizes, 0, dy.dtype)
    if dy.size and f.size:
        _dw_launch("conv3d_dx", _conv3d_dx_k, _dev.size_of(sizes), _dev.flat(dy),
                   _dev.flat(f), _dev.flat(dx), D, H, W, c, kd, kh, kw, o, *geo)
    return dx


@register("Conv3DBackpropFilterV2", dtypes=_F, check=_ndhwc_only, host_inputs=(1,))
def conv3d_backprop_filter_v2(x, filter_sizes, dy, *, strides, padding, data_format="NDHWC",
                              dilations=(1, 1, 1, 1, 1)):
    x = _dev.contiguous(_dev.dev(x))
    dy = _dev.contiguous(_dev.dev(dy))
    fshape = tuple(_dev.host_int_list(filter_sizes))
    geo = _conv3d_geo(x.shape, fshape, strides, dilations, padding, data_format,
                      "Conv3DBackpropFilterV2")
    n, D, H, W, c = x.shape
    kd, kh, kw, _, o = fshape
    want = (n, *geo[9:], o)
    if tuple(dy.shape) != want:
        raise errors.InvalidArgumentError(
            None, None, f"Conv3DBackpropFilterOp: Size of out_backprop doesn't match "
                        f"computed: actual = {list(dy.shape)}, computed = {list(want)}")
    from .array import full
    df = full(fshape, 0, x.dtype)
    if dy.size and x.size:
        _dw_launch("conv3d_df", _conv3d_df_k, _dev.size_of(fshape), _dev.flat(x),
                   _dev.flat(dy), _dev.flat(df), n, D, H, W, c, kd, kh, kw, o, *geo)
    return df


@cuda.jit(device=True)
def _window3d(x, t, D, H, W, c, kd, kh, kw, sd, sh, sw, pd, pt, pl, od, oh, ow):
    """The 3-D pooling window of output element `t` (flat NDHWC), clipped to the input:
    (sum, count, maximum, flat index of the first maximum; -1 for an empty window). Shared
    by the forward kernel and MaxPool3DGrad, so the gradient goes where the maximum came
    from."""
    ch = t % c
    j = (t // c) % ow
    i = (t // (c * ow)) % oh
    z = (t // (c * ow * oh)) % od
    n = t // (c * ow * oh * od)
    acc = x[0] * 0
    best = x[0] * 0
    where = -1
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
                k = (((n * D + zz) * H + y) * W + xx) * c + ch
                v = x[k]
                if where < 0 or v > best:
                    best = v
                    where = k
                acc += v
                cnt += 1
    return acc, cnt, best, where


def _pool3d_k(x, out, D, H, W, c, kd, kh, kw, sd, sh, sw, pd, pt, pl, od, oh, ow, is_max,
              total):
    t = cuda.grid(1)
    if t < total:
        acc, cnt, best, _ = _window3d(x, t, D, H, W, c, kd, kh, kw, sd, sh, sw, pd, pt, pl,
                                      od, oh, ow)
        if is_max:
            out[t] = best
        else:
            out[t] = acc / max(cnt, 1)


def _max_pool3d_grad_k(x, g, dx, D, H, W, c, kd, kh, kw, sd, sh, sw, pd, pt, pl, od, oh, ow,
                       total):
    t = cuda.grid(1)
    if t < total:
        _, _, _, where = _window3d(x, t, D, H, W, c, kd, kh, kw, sd, sh, sw, pd, pt, pl,
                                   od, oh, ow)
        if where >= 0:
            cuda.atomic.add(dx, where, g[t])


def _avg_pool3d_grad_k(g, dx, D, H, W, c, kd, kh, kw, sd, sh, sw, pd, pt, pl, od, oh, ow,
                       total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        j = (t // c) % ow
        i = (t // (c * ow)) % oh
        z = (t // (c * ow * oh)) % od
        n = t // (c * ow * oh * od)
        z0, z1 = max(z * sd - pd, 0), min(z * sd - pd + kd, D)
        y0, y1 = max(i * sh - pt, 0), min(i * sh - pt + kh, H)
        x0, x1 = max(j * sw - pl, 0), min(j * sw - pl + kw, W)
        cnt = (z1 - z0) * (y1 - y0) * (x1 - x0)
        if cnt > 0:
            v = g[t] / cnt
            for zz in range(z0, z1):
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        cuda.atomic.add(dx, (((n * D + zz) * H + y) * W + xx) * c + ch, v)


def _pool3d_forward(name, x, ksize, strides, padding, data_format, is_max):
    x = _dev.contiguous(_dev.dev(x))
    geo = cpu_nn.pool3d_geometry(tuple(x.shape), ksize, strides, padding, data_format, name)
    shape = (x.shape[0], *geo[9:], x.shape[4])
    out = _dev.empty(shape, x.dtype)
    _dw_launch(name, _pool3d_k, _dev.size_of(shape), _dev.flat(x), _dev.flat(out),
               *x.shape[1:], *geo, is_max)
    return out


@register("MaxPool3D", dtypes=("float32",), check=_ndhwc_only)
def max_pool3d(x, *, ksize, strides, padding, data_format="NDHWC"):
    return _pool3d_forward("MaxPool3D", x, ksize, strides, padding, data_format, True)


@register("AvgPool3D", dtypes=("float32",), check=_ndhwc_only)
def avg_pool3d(x, *, ksize, strides, padding, data_format="NDHWC"):
    return _pool3d_forward("AvgPool3D", x, ksize, strides, padding, data_format, False)


@register("MaxPool3DGrad", dtypes=("float32",), check=_ndhwc_only)
def max_pool3d_grad(orig_input, orig_output, grad, *, ksize, strides, padding,
                    data_format="NDHWC"):
    x = _dev.contiguous(_dev.dev(orig_input))
    g = _dev.contiguous(_dev.dev(grad))
    geo = cpu_nn.pool3d_geometry(tuple(x.shape), ksize, strides, padding, data_format,
                                 "MaxPool3DGrad")
    want = (x.shape[0], *geo[9:], x.shape[4])
    if tuple(g.shape) != want:
        raise errors.InvalidArgumentError(None, None, f"Expected grad shape to be "
                                                      f"{list(want)}, but got {list(g.shape)}")
    from .array import full
    dx = full(tuple(x.shape), 0, g.dtype)
    _dw_launch("maxpool3dgrad", _max_pool3d_grad_k, _dev.size_of(want), _dev.flat(x),
               _dev.flat(g), _dev.flat(dx), *x.shape[1:], *geo)
    return dx


@register("AvgPool3DGrad", dtypes=("float32",), check=_ndhwc_only, host_inputs=(0,))
def avg_pool3d_grad(orig_input_shape, grad, *, ksize, strides, padding, data_format="NDHWC"):
    shape = tuple(_dev.host_int_list(orig_input_shape))
    g = _dev.contiguous(_dev.dev(grad))
    geo = cpu_nn.pool3d_geometry(shape, ksize, strides, padding, data_format, "AvgPool3DGrad")
    from .array import full
    dx = full(shape, 0, g.dtype)
    _dw_launch("avgpool3dgrad", _avg_pool3d_grad_k, _dev.size_of(g.shape), _dev.flat(g),
               _dev.flat(dx), *shape[1:], *geo)
    return dx


# --- fused batch normalisation (NHWC): a thread per channel sums its column of the
# [N*H*W, C] matrix (statistics, gradient sums), then a thread per element normalises ----------
def _fbn_stats_k(x, rows, c, mean, var):
    ch = cuda.grid(1)
    if ch < c:
        s = 0.0
        for r in range(rows):
            s += x[r * c + ch]
        m = s / rows
        q = 0.0
        for r in range(rows):
            d = x[r * c + ch] - m
            q += d * d
        mean[ch] = m
        var[ch] = q / rows


def _fbn_apply_k(x, y, mean, var, scale, offset, eps, c, total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        y[t] = (x[t] - mean[ch]) / math.sqrt(var[ch] + eps) * scale[ch] + offset[ch]


def _fbn_running_k(bm, bv, mean, var, out_m, out_v, rows, f, blend, c):
    ch = cuda.grid(1)
    if ch < c:
        corrected = bv[ch] * rows / max(rows - 1, 1)
        if blend:
            out_m[ch] = (1 - f) * mean[ch] + f * bm[ch]
            out_v[ch] = (1 - f) * var[ch] + f * corrected
        else:
            out_m[ch] = bm[ch]
            out_v[ch] = corrected


def _fbn_grad_sums_k(g, x, mean, var, eps, rows, c, dscale, doffset):
    ch = cuda.grid(1)
    if ch < c:
        inv = 1.0 / math.sqrt(var[ch] + eps)
        so = 0.0
        ss = 0.0
        for r in range(rows):
            gv = g[r * c + ch]
            so += gv
            ss += gv * (x[r * c + ch] - mean[ch]) * inv
        doffset[ch] = so
        dscale[ch] = ss


def _fbn_grad_dx_k(g, x, mean, var, scale, dscale, doffset, eps, rows, training, c, dx,
                   total):
    t = cuda.grid(1)
    if t < total:
        ch = t % c
        inv = 1.0 / math.sqrt(var[ch] + eps)
        if training:
            xhat = (x[t] - mean[ch]) * inv
            dx[t] = scale[ch] * inv * (g[t] - doffset[ch] / rows - xhat * dscale[ch] / rows)
        else:
            dx[t] = g[t] * scale[ch] * inv


def _launch_c(name, fn, c, *args):
    if c:
        _kern(name, fn)[_dev.blocks_for(c), _dev.TPB](*args)


@register("FusedBatchNormV3", dtypes=("float32",), check=_nhwc_only)
def fused_batch_norm_v3(x, scale, offset, mean, variance, *, epsilon=0.0001,
                        exponential_avg_factor=1.0, data_format="NHWC", is_training=True):
    x = _dev.contiguous(_dev.dev(x))
    scale, offset = _dev.dev(scale), _dev.dev(offset)
    mean, variance = _dev.dev(mean), _dev.dev(variance)
    cpu_nn._fbn_check(np.empty(tuple(x.shape), np.int8), np.empty(tuple(scale.shape)),
                      np.empty(tuple(offset.shape)), np.empty(tuple(mean.shape)),
                      np.empty(tuple(variance.shape)), is_training, exponential_avg_factor)
    c = x.shape[3]
    rows = _dev.size_of(x.shape) // max(c, 1)
    for name, v in (("scale", scale), ("offset", offset)):
        if v.shape[0] != c:
            raise errors.InvalidArgumentError(
                None, None, f"{name} must have the same number of elements as the channels "
                            f"of x, got {v.shape[0]} and {c}")
    u = scale.dtype
    y = _dev.empty(tuple(x.shape), x.dtype)
    out_m, out_v = _dev.empty((c,), u), _dev.empty((c,), u)
    if is_training:
        bm, bv = _dev.empty((c,), u), _dev.empty((c,), u)
        _launch_c("fbn_stats", _fbn_stats_k, c, _dev.flat(x), rows, c, bm, bv)
        _launch_c("fbn_running", _fbn_running_k, c, bm, bv, mean if mean.shape[0] else bm,
                  variance if variance.shape[0] else bv, out_m, out_v, rows,
                  float(exponential_avg_factor), exponential_avg_factor != 1.0, c)
    else:
        bm, bv = mean, variance
        out_m, out_v = mean, variance
    total = _dev.size_of(x.shape)
    if total:
        _kern("fbn_apply", _fbn_apply_k)[_dev.blocks_for(total), _dev.TPB](
            _dev.flat(x), _dev.flat(y), bm, bv, scale, offset, float(epsilon), c, total)
    from .array import full
    return y, out_m, out_v, bm, bv, full((0,), 0, u)


@register("FusedBatchNormGradV3", dtypes=("float32",), check=_nhwc_only)
def fused_batch_norm_grad_v3(dy, x, scale, rs1, rs2, rs3, *, epsilon=0.0001,
                             data_format="NHWC", is_training=True):
    dy = _dev.contiguous(_dev.dev(dy))
    x = _dev.contiguous(_dev.dev(x))
    if len(x.shape) != 4 or tuple(dy.shape) != tuple(x.shape):
        raise errors.InvalidArgumentError(
            None, None, f"x and y_backprop must have same shape, but x has shape "
                        f"{list(x.shape)} and y_backprop has shape {list(dy.shape)}")
    scale, mean, var = _dev.dev(scale), _dev.dev(rs1), _dev.dev(rs2)
    c = x.shape[3]
    rows = _dev.size_of(x.shape) // max(c, 1)
    u = mean.dtype
    dscale, doffset = _dev.empty((c,), u), _dev.empty((c,), u)
    _launch_c("fbn_grad_sums", _fbn_grad_sums_k, c, _dev.flat(dy), _dev.flat(x), mean, var,
              float(epsilon), rows, c, dscale, doffset)
    dx = _dev.empty(tuple(x.shape), x.dtype)
    total = _dev.size_of(x.shape)
    if total:
        _kern("fbn_grad_dx", _fbn_grad_dx_k)[_dev.blocks_for(total), _dev.TPB](
            _dev.flat(dy), _dev.flat(x), mean, var, scale, dscale, doffset, float(epsilon),
            max(rows, 1), bool(is_training), c, _dev.flat(dx), total)
    from .array import full
    return dx, dscale, doffset, full((0,), 0, u), full((0,), 0, u)


# --- max pooling with argmax: a thread per output element; the gradient scatters with atomic
# adds (two windows may share a maximum) ---------------------------------------------------------
def _argmax_pool_k(x, out, idx, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, with_batch, total):
    t = cuda.grid(1)
    if t < total:
        _, _, best, where = _window2d(x, t, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow)
        image = (t // (c * ow * oh)) * h * w * c      # where image n starts
        if where >= 0:
            where -= image
        out[t] = best
        idx[t] = where + (image if with_batch else 0)


def _argmax_grad_k(g, idx, dx, per_image, with_batch, c, ohwc, total):
    t = cuda.grid(1)
    if t < total:
        k = idx[t]
        if not with_batch:
            k += (t // ohwc) * per_image
        cuda.atomic.add(dx, k, g[t])


def _int64_argmax(op):
    # TF's GPU kernels take int64 indices only: int32 ones stay on the CPU
    return _dev.dtype_name(op.get_attr("Targmax").np_dtype) == "int64"


@register("MaxPoolWithArgmax", dtypes=("float32",), check=_int64_argmax)
def max_pool_with_argmax(x, *, ksize, strides, padding, Targmax=None,
                         include_batch_in_index=False):
    x = _dev.contiguous(_dev.dev(x))
    if len(x.shape) != 4:
        raise errors.InvalidArgumentError(None, None, "tensor_in must be 4-dimensional")
    geo = _pool_geo(x.shape, ksize, strides, padding, "NHWC", "MaxPoolWithArgmax")
    shape = _pool_out(x, geo)
    out = _dev.empty(shape, x.dtype)
    itype = np.int64 if Targmax is None else np.dtype(getattr(Targmax, "np_dtype", Targmax))
    idx = _dev.empty(shape, itype)
    _dw_launch("argmaxpool", _argmax_pool_k, _dev.size_of(shape), _dev.flat(x), _dev.flat(out),
               _dev.flat(idx), x.shape[1], x.shape[2], x.shape[3], *geo,
               bool(include_batch_in_index))
    return out, idx


@register("MaxPoolGradWithArgmax", dtypes=("float32",), check=_int64_argmax)
def max_pool_grad_with_argmax(x, grad, argmax, *, ksize, strides, padding,
                              include_batch_in_index=False):
    g = _dev.contiguous(_dev.dev(grad))
    am = _dev.contiguous(_dev.dev(argmax))
    if tuple(g.shape) != tuple(am.shape):
        raise errors.InvalidArgumentError(
            None, None, f"Expected grad shape to be {list(am.shape)}, but got {list(g.shape)}")
    shape = tuple(x.shape)
    from .array import full
    dx = full(shape, 0, g.dtype)
    total = _dev.size_of(g.shape)
    if total:
        _dw_launch("argmaxpoolgrad", _argmax_grad_k, total, _dev.flat(g), _dev.flat(am),
                   _dev.flat(dx), _dev.size_of(shape[1:]), bool(include_batch_in_index),
                   shape[3], _dev.size_of(g.shape[1:]))
    return dx
