"""GPU kernels of the image family: the resizes and their gradients.

The sampling grid of each axis (the source rows/columns an output pixel reads, and the
bilinear weights) depends only on the sizes and the two attrs, so it is computed on the host
in float32 with the CPU kernel's arithmetic (kernels/cpu/image.py explains TF's grids),
uploaded once per (sizes, attrs), and the per-pixel work runs on the device, a thread per
output element. The gradients scatter into the input's pixels with atomic adds (a source
pixel feeds several outputs), so their float32 sums may differ from the CPU's in the last
bits.
"""
import numpy as np

from ... import errors
from . import _dev
from ._dev import cuda, register

_KERNELS = {}
_GRIDS = {}


def _scale(n_in, n_out, align_corners):
    if align_corners and n_out > 1:
        return np.float32(n_in - 1) / np.float32(n_out - 1)
    return np.float32(n_in) / np.float32(n_out)


def _linear(n_in, n_out, align_corners, half_pixel):
    scale = _scale(n_in, n_out, align_corners)
    i = np.arange(n_out, dtype=np.float32)
    x = (i + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else i * scale
    lo_f = np.floor(x)
    lower = np.maximum(lo_f.astype(np.int64), 0)
    upper = np.minimum(np.ceil(x).astype(np.int64), n_in - 1)
    return lower, upper, (x - lo_f).astype(np.float32)


def _nearest(n_in, n_out, align_corners, half_pixel):
    scale = _scale(n_in, n_out, align_corners)
    i = np.arange(n_out, dtype=np.float32)
    x = (i + np.float32(0.5)) * scale if half_pixel else i * scale
    idx = np.floor(x + np.float32(0.5)) if align_corners else np.floor(x)
    idx = np.minimum(idx.astype(np.int64), n_in - 1)
    return np.maximum(idx, 0) if half_pixel else idx


def _grid(kind, n_in, n_out, align_corners, half_pixel):
    key = (kind, n_in, n_out, bool(align_corners), bool(half_pixel))
    g = _GRIDS.get(key)
    if g is None:
        if kind == "linear":
            g = tuple(_dev.to_device(a) for a in _linear(n_in, n_out, align_corners,
                                                         half_pixel))
        else:
            g = _dev.to_device(_nearest(n_in, n_out, align_corners, half_pixel))
        _GRIDS[key] = g
    return g


def _size(images, size):
    if len(images.shape) != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{list(images.shape)}")
    s = _dev.host_int_list(size)
    if len(s) != 2:
        raise errors.InvalidArgumentError(None, None, f"shape_t must have two elements {s}")
    if s[0] <= 0 or s[1] <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive")
    return s[0], s[1]


def _kernels():
    ks = _KERNELS.get("resize")
    if ks is None:
        @cuda.jit
        def bilinear(x, ty, by, yl, lx, rx, xl, out, h, w, oh, ow, c):
            e = cuda.grid(1)
            if e < out.shape[0]:
                ch = e % c
                j = (e // c) % ow
                i = (e // (c * ow)) % oh
                n = e // (c * ow * oh)
                top = (n * h + ty[i]) * w
                bot = (n * h + by[i]) * w
                tl = x[(top + lx[j]) * c + ch]
                tr = x[(top + rx[j]) * c + ch]
                bl = x[(bot + lx[j]) * c + ch]
                br = x[(bot + rx[j]) * c + ch]
                t = tl + (tr - tl) * xl[j]
                b = bl + (br - bl) * xl[j]
                out[e] = t + (b - t) * yl[i]

        @cuda.jit
        def bilinear_grad(g, ty, by, yl, lx, rx, xl, out, h, w, gh, gw, c):
            e = cuda.grid(1)
            if e < g.shape[0]:
                ch = e % c
                j = (e // c) % gw
                i = (e // (c * gw)) % gh
                n = e // (c * gw * gh)
                v = g[e]
                fy1 = yl[i]
                fx1 = xl[j]
                fy0 = 1 - fy1
                fx0 = 1 - fx1
                top = (n * h + ty[i]) * w
                bot = (n * h + by[i]) * w
                cuda.atomic.add(out, (top + lx[j]) * c + ch, v * fy0 * fx0)
                cuda.atomic.add(out, (top + rx[j]) * c + ch, v * fy0 * fx1)
                cuda.atomic.add(out, (bot + lx[j]) * c + ch, v * fy1 * fx0)
                cuda.atomic.add(out, (bot + rx[j]) * c + ch, v * fy1 * fx1)

        @cuda.jit
        def nearest(x, iy, ix, out, h, w, oh, ow, c):
            e = cuda.grid(1)
            if e < out.shape[0]:
                ch = e % c
                j = (e // c) % ow
                i = (e // (c * ow)) % oh
                n = e // (c * ow * oh)
                out[e] = x[((n * h + iy[i]) * w + ix[j]) * c + ch]

        @cuda.jit
        def nearest_grad(g, iy, ix, out, h, w, gh, gw, c):
            e = cuda.grid(1)
            if e < g.shape[0]:
                ch = e % c
                j = (e // c) % gw
                i = (e // (c * gw)) % gh
                n = e // (c * gw * gh)
                cuda.atomic.add(out, ((n * h + iy[i]) * w + ix[j]) * c + ch, g[e])
        ks = _KERNELS["resize"] = (bilinear, bilinear_grad, nearest, nearest_grad)
    return ks


def _zeros(shape, dtype):
    out = _dev.empty(shape, dtype)
    n = _dev.size_of(shape)
    if n:
        k = _KERNELS.get("zero")
        if k is None:
            @cuda.jit
            def zero(a):
                i = cuda.grid(1)
                if i < a.shape[0]:
                    a[i] = 0
            k = _KERNELS["zero"] = zero
        k[_dev.blocks_for(n), _dev.TPB](_dev.flat(out))
    return out


# float32 only where the CPU kernel computes in float32 whatever the input (float64 inputs
# are placed on the CPU); nearest neighbour copies values, so both float types
@register("ResizeBilinear", dtypes=("float32",), host_memory=("size",))
def resize_bilinear(images, size, *, align_corners, half_pixel_centers):
    x = _dev.contiguous(_dev.dev(images))
    oh, ow = _size(x, size)
    n, h, w, c = (int(d) for d in x.shape)
    out = _dev.empty((n, oh, ow, c), np.float32)
    total = n * oh * ow * c
    if total and h and w:
        ty, by, yl = _grid("linear", h, oh, align_corners, half_pixel_centers)
        lx, rx, xl = _grid("linear", w, ow, align_corners, half_pixel_centers)
        _kernels()[0][_dev.blocks_for(total), _dev.TPB](
            _dev.flat(x), ty, by, yl, lx, rx, xl, _dev.flat(out), h, w, oh, ow, c)
    return out


@register("ResizeBilinearGrad", dtypes=("float32",))
def resize_bilinear_grad(grads, original_image, *, align_corners, half_pixel_centers):
    g = _dev.contiguous(_dev.dev(grads))
    orig = _dev.dev(original_image)
    n, h, w, c = (int(d) for d in orig.shape)
    gh, gw = int(g.shape[1]), int(g.shape[2])
    out = _zeros((n, h, w, c), np.float32)
    total = _dev.size_of(g.shape)
    if total and h and w:
        ty, by, yl = _grid("linear", h, gh, align_corners, half_pixel_centers)
        lx, rx, xl = _grid("linear", w, gw, align_corners, half_pixel_centers)
        _kernels()[1][_dev.blocks_for(total), _dev.TPB](
            _dev.flat(g), ty, by, yl, lx, rx, xl, _dev.flat(out), h, w, gh, gw, c)
    return out


@register("ResizeNearestNeighbor", dtypes=("float32", "float64"), host_memory=("size",))
def resize_nearest_neighbor(images, size, *, align_corners, half_pixel_centers):
    x = _dev.contiguous(_dev.dev(images))
    oh, ow = _size(x, size)
    n, h, w, c = (int(d) for d in x.shape)
    out = _dev.empty((n, oh, ow, c), x.dtype)
    total = n * oh * ow * c
    if total and h and w:
        iy = _grid("nearest", h, oh, align_corners, half_pixel_centers)
        ix = _grid("nearest", w, ow, align_corners, half_pixel_centers)
        _kernels()[2][_dev.blocks_for(total), _dev.TPB](
            _dev.flat(x), iy, ix, _dev.flat(out), h, w, oh, ow, c)
    return out


@register("ResizeNearestNeighborGrad", dtypes=("float32", "float64"), host_memory=("size",))
def resize_nearest_neighbor_grad(grads, size, *, align_corners, half_pixel_centers):
    g = _dev.contiguous(_dev.dev(grads))
    h, w = _dev.host_int_list(size)
    out = _zeros((int(g.shape[0]), h, w, int(g.shape[3])), g.dtype)
    total = _dev.size_of(g.shape)
    if total and h and w:
        iy = _grid("nearest", h, int(g.shape[1]), align_corners, half_pixel_centers)
        ix = _grid("nearest", w, int(g.shape[2]), align_corners, half_pixel_centers)
        _kernels()[3][_dev.blocks_for(total), _dev.TPB](
            _dev.flat(g), iy, ix, _dev.flat(out), h, w, int(g.shape[1]), int(g.shape[2]),
            int(g.shape[3]))
    return out


# --- AdjustContrastv2, AdjustSaturation: float32 as on the CPU ---------------------------------
def _color_kernels():
    ks = _KERNELS.get("color")
    if ks is None:
        # a thread per (image, channel) sums its plane, then a thread per element moves it
        # away from (or towards) the mean
        @cuda.jit
        def plane_mean(x, mean, hw, c):
            t = cuda.grid(1)
            if t < mean.shape[0]:
                base = (t // c) * hw * c + t % c
                acc = np.float32(0)
                for p in range(hw):
                    acc += x[base + p * c]
                mean[t] = acc / np.float32(hw)

        @cuda.jit
        def contrast(x, mean, f, out, hw, c):
            e = cuda.grid(1)
            if e < out.shape[0]:
                m = mean[(e // (hw * c)) * c + e % c]
                out[e] = (x[e] - m) * f[0] + m

        # a thread per pixel: RGB -> HSV, saturation scaled and clipped, HSV -> RGB
        @cuda.jit
        def saturation(x, scale, out):
            p = cuda.grid(1)
            if p * 3 < x.shape[0]:
                r, g, b = x[3 * p], x[3 * p + 1], x[3 * p + 2]
                v = max(r, g, b)
                rng = v - min(r, g, b)
                s = rng / v if v > 0 else np.float32(0)
                h = np.float32(0)
                if rng > 0:
                    norm = np.float32(1) / (np.float32(6) * rng)
                    if r == v:
                        h = norm * (g - b)
                    elif g == v:
                        h = norm * (b - r) + np.float32(2 / 6)
                    else:
                        h = norm * (r - g) + np.float32(4 / 6)
                if h < 0:
                    h += np.float32(1)
                s = min(max(s * scale[0], np.float32(0)), np.float32(1))
                c = s * v
                m = v - c
                dh = h * np.float32(6)
                sextant = int(dh)
                xc = c * (np.float32(1) - abs(dh % np.float32(2) - np.float32(1)))
                z = np.float32(0)
                if sextant == 0:
                    rr, gg, bb = c, xc, z
                elif sextant == 1:
                    rr, gg, bb = xc, c, z
                elif sextant == 2:
                    rr, gg, bb = z, c, xc
                elif sextant == 3:
                    rr, gg, bb = z, xc, c
                elif sextant == 4:
                    rr, gg, bb = xc, z, c
                elif sextant == 5:
                    rr, gg, bb = c, z, xc
                else:
                    rr, gg, bb = z, z, z
                out[3 * p] = rr + m
                out[3 * p + 1] = gg + m
                out[3 * p + 2] = bb + m
        ks = _KERNELS["color"] = (plane_mean, contrast, saturation)
    return ks


@register("AdjustContrastv2", dtypes=("float32",))
def adjust_contrast_v2(images, contrast_factor):
    x = _dev.contiguous(_dev.dev(images))
    shape = tuple(x.shape)
    if len(shape) < 3:
        raise errors.InvalidArgumentError(None, None, f"input must be at least 3-D, got "
                                                      f"shape{list(shape)}")
    hw, c = shape[-3] * shape[-2], shape[-1]
    planes = _dev.size_of(shape[:-3]) * c
    out = _dev.empty(shape, x.dtype)
    n = _dev.size_of(shape)
    if n:
        f = _dev.dev(np.asarray(contrast_factor, np.float32).reshape(1)
                      if not _dev.is_device(contrast_factor) else contrast_factor)
        mean = _dev.empty((planes,), np.float32)
        plane_mean, contrast, _ = _color_kernels()
        plane_mean[_dev.blocks_for(planes), _dev.TPB](_dev.flat(x), mean, hw, c)
        contrast[_dev.blocks_for(n), _dev.TPB](_dev.flat(x), mean, _dev.flat(f),
                                               _dev.flat(out), hw, c)
    return out


@register("AdjustSaturation", dtypes=("float32",))
def adjust_saturation(images, scale):
    x = _dev.contiguous(_dev.dev(images))
    shape = tuple(x.shape)
    if len(shape) < 3 or shape[-1] != 3:
        raise errors.InvalidArgumentError(
            None, None, f"input must have 3 channels but instead has "
                        f"{shape[-1] if shape else 0} channels.")
    out = _dev.empty(shape, x.dtype)
    pixels = _dev.size_of(shape) // 3
    if pixels:
        s = _dev.dev(np.asarray(scale, np.float32).reshape(1)
                     if not _dev.is_device(scale) else scale)
        _color_kernels()[2][_dev.blocks_for(pixels), _dev.TPB](
            _dev.flat(x), _dev.flat(s), _dev.flat(out))
    return out
