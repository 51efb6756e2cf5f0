"""GPU kernels of the image family: the resizes and their gradients, contrast, saturation,
hue and HSV, ExtractImagePatches, CropAndResize and its gradients, NonMaxSuppressionV3.

The sampling grid of each axis (the source rows/columns an output pixel reads, and the
bilinear weights) depends only on the sizes and the two attrs, so it is computed on the host
in float32 with the CPU kernel's arithmetic (kernels/cpu/image.py explains TF's grids),
uploaded once per (sizes, attrs), and the per-pixel work runs on the device, a thread per
output element. The gradients scatter into the input's pixels with atomic adds (a source
pixel feeds several outputs), so their float32 sums may differ from the CPU's in the last
bits.
"""
import math

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
@cuda.jit(device=True)
def _sextant_rgb(sextant, c, xc, z):
    """HSV -> RGB's last step: chroma `c`, the second-largest component `xc` and `z` (zero)
    placed by the hue's sextant 0..5 (all `z` outside it); AdjustSaturation and HSVToRGB
    share it."""
    if sextant == 0:
        return c, xc, z
    if sextant == 1:
        return xc, c, z
    if sextant == 2:
        return z, c, xc
    if sextant == 3:
        return z, xc, c
    if sextant == 4:
        return xc, z, c
    if sextant == 5:
        return c, z, xc
    return z, z, z


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
                rr, gg, bb = _sextant_rgb(sextant, c, xc, np.float32(0))
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


# --- AdjustHue, RGBToHSV, HSVToRGB: a thread per pixel ----------------------------------------
# The arithmetic is the CPU kernels' (kernels/cpu/image.py), in the input's float type.

def _pixels(images):
    x = _dev.contiguous(_dev.dev(images))
    shape = tuple(x.shape)
    if not shape or shape[-1] != 3:
        raise errors.FailedPreconditionError(
            None, None, f"input must have 3 channels but input only has "
                        f"{shape[-1] if shape else 0} channels.")
    return x, shape, _dev.size_of(shape) // 3


def _hsv_kernels():
    ks = _KERNELS.get("hsv")
    if ks is None:
        @cuda.jit
        def hue(x, delta, out):
            p = cuda.grid(1)
            if p * 3 < x.shape[0]:
                r, g, b = x[3 * p], x[3 * p + 1], x[3 * p + 2]
                # the sextant of the colour wheel and the middle component's place in it
                if r < g:
                    if b < r:
                        vmax, vmid, vmin, cat = g, r, b, 1
                    elif b > g:
                        vmax, vmid, vmin, cat = b, g, r, 3
                    else:
                        vmax, vmid, vmin, cat = g, b, r, 2
                else:
                    if b < g:
                        vmax, vmid, vmin, cat = r, g, b, 0
                    elif b > r:
                        vmax, vmid, vmin, cat = b, r, g, 4
                    else:
                        vmax, vmid, vmin, cat = r, b, g, 5
                h = np.float32(0)
                if vmax != vmin:
                    ratio = (vmid - vmin) / (vmax - vmin)
                    if cat % 2 != 0:
                        ratio = np.float32(1) - ratio
                    h = np.float32(cat) + ratio
                h = h + delta[0] * np.float32(6)
                while h < 0:
                    h += np.float32(6)
                while h >= 6:
                    h -= np.float32(6)
                cat = int(h)
                ratio = h - np.float32(cat)
                if cat % 2 != 0:
                    ratio = np.float32(1) - ratio
                vmid = vmin + ratio * (vmax - vmin)
                if cat == 0:
                    rr, gg, bb = vmax, vmid, vmin
                elif cat == 1:
                    rr, gg, bb = vmid, vmax, vmin
                elif cat == 2:
                    rr, gg, bb = vmin, vmax, vmid
                elif cat == 3:
                    rr, gg, bb = vmin, vmid, vmax
                elif cat == 4:
                    rr, gg, bb = vmid, vmin, vmax
                else:
                    rr, gg, bb = vmax, vmin, vmid
                out[3 * p], out[3 * p + 1], out[3 * p + 2] = rr, gg, bb

        @cuda.jit
        def to_hsv(x, out):
            p = cuda.grid(1)
            if p * 3 < x.shape[0]:
                r, g, b = x[3 * p], x[3 * p + 1], x[3 * p + 2]
                zero = r - r
                one = zero + 1
                v = max(r, g, b)
                rng = v - min(r, g, b)
                s = rng / v if v > 0 else zero
                h = zero
                if rng > 0:
                    norm = (one / rng) * (one / 6)
                    if r == v:
                        h = norm * (g - b)
                    elif g == v:
                        h = norm * (b - r) + one * 2 / 6
                    else:
                        h = norm * (r - g) + one * 4 / 6
                if h < 0:
                    h += one
                out[3 * p], out[3 * p + 1], out[3 * p + 2] = h, s, v

        @cuda.jit
        def to_rgb(x, out):
            p = cuda.grid(1)
            if p * 3 < x.shape[0]:
                h, s, v = x[3 * p], x[3 * p + 1], x[3 * p + 2]
                zero = h - h
                c = s * v
                m = v - c
                dh = h * 6
                cat = int(dh)
                xc = c * (1 - abs(math.fmod(dh, zero + 2) - 1))
                rr, gg, bb = _sextant_rgb(cat, c, xc, zero)
                out[3 * p], out[3 * p + 1], out[3 * p + 2] = rr + m, gg + m, bb + m
        ks = _KERNELS["hsv"] = (hue, to_hsv, to_rgb)
    return ks


@register("AdjustHue", dtypes=("float32",))
def adjust_hue(images, delta):
    x = _dev.contiguous(_dev.dev(images))
    shape = tuple(x.shape)
    if len(shape) < 3:
        raise errors.InvalidArgumentError(None, None, f"input must be at least 3-D, got "
                                                      f"shape{list(shape)}")
    if shape[-1] != 3:
        raise errors.InvalidArgumentError(None, None, f"input must have 3 channels but "
                                                      f"instead has {shape[-1]} channels.")
    out = _dev.empty(shape, x.dtype)
    pixels = _dev.size_of(shape) // 3
    if pixels:
        d = _dev.dev(np.asarray(delta, np.float32).reshape(1)
                     if not _dev.is_device(delta) else delta)
        _hsv_kernels()[0][_dev.blocks_for(pixels), _dev.TPB](_dev.flat(x), _dev.flat(d),
                                                             _dev.flat(out))
    return out


def _convert(which):
    def kernel(images):
        x, shape, pixels = _pixels(images)
        out = _dev.empty(shape, x.dtype)
        if pixels:
            _hsv_kernels()[which][_dev.blocks_for(pixels), _dev.TPB](_dev.flat(x),
                                                                     _dev.flat(out))
        return out
    return kernel


register("RGBToHSV", dtypes=_dev.FLOATS)(_convert(1))
register("HSVToRGB", dtypes=_dev.FLOATS)(_convert(2))


# --- ExtractImagePatches: the (host-computed) source pixel of every patch element -------------

@register("ExtractImagePatches", dtypes=_dev.FLOATS)
def extract_image_patches(images, *, ksizes, strides, rates, padding):
    from ..shapes import patch_index
    x = _dev.contiguous(_dev.dev(images))
    if len(x.shape) != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{list(x.shape)}")
    for what, v in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if v[0] != 1 or v[3] != 1:
            raise errors.UnimplementedError(None, None, f"Only support {what} across "
                                                        f"space.")
    n, h, w, c = (int(d) for d in x.shape)
    key = ("patches", h, w, tuple(ksizes), tuple(strides), tuple(rates), padding)
    idx = _GRIDS.get(key)
    if idx is None:
        host = patch_index(h, w, ksizes, strides, rates, padding)
        idx = _GRIDS[key] = (_dev.to_device(host.reshape(-1)), host.shape)
    idx, (oh, ow, kh, kw) = idx
    out = _dev.empty((n, oh, ow, kh * kw * c), x.dtype)
    total = _dev.size_of(out.shape)
    if total:
        k = _KERNELS.get("patches")
        if k is None:
            @cuda.jit
            def k(x, idx, out, hw, c, per_image):
                e = cuda.grid(1)
                if e < out.shape[0]:
                    ch = e % c
                    slot = (e // c) % per_image
                    img = e // (c * per_image)
                    src = idx[slot]
                    out[e] = x[(img * hw + src) * c + ch] if src >= 0 else x[0] * 0
            _KERNELS["patches"] = k
        k[_dev.blocks_for(total), _dev.TPB](_dev.flat(x), idx, _dev.flat(out), h * w, c,
                                            oh * ow * kh * kw)
    return out


# --- CropAndResize and its gradients: a thread per crop element (per box for the boxes) -------

def _crop_kernels():
    ks = _KERNELS.get("crop")
    if ks is None:
        @cuda.jit(device=True)
        def coord(lo, hi, i, n_in, n_crop):
            if n_crop > 1:
                scale = (hi - lo) * np.float32(n_in - 1) / np.float32(n_crop - 1)
                return lo * np.float32(n_in - 1) + np.float32(i) * scale
            return np.float32(0.5) * (lo + hi) * np.float32(n_in - 1)

        @cuda.jit
        def crop(x, boxes, ind, out, h, w, c, ch, cw, nearest, extrap):
            e = cuda.grid(1)
            if e < out.shape[0]:
                d = e % c
                xx = (e // c) % cw
                y = (e // (c * cw)) % ch
                b = e // (c * cw * ch)
                iy = coord(boxes[4 * b], boxes[4 * b + 2], y, h, ch)
                ix = coord(boxes[4 * b + 1], boxes[4 * b + 3], xx, w, cw)
                if iy < 0 or iy > h - 1 or ix < 0 or ix > w - 1:
                    out[e] = extrap
                    return
                base = ind[b] * h
                if nearest:
                    ry = int(math.floor(iy + np.float32(0.5)))
                    rx = int(math.floor(ix + np.float32(0.5)))
                    out[e] = np.float32(x[((base + ry) * w + rx) * c + d])
                    return
                ty = int(math.floor(iy))
                by = int(math.ceil(iy))
                lx = int(math.floor(ix))
                rx = int(math.ceil(ix))
                yl = iy - np.float32(ty)
                xl = ix - np.float32(lx)
                tl = np.float32(x[((base + ty) * w + lx) * c + d])
                tr = np.float32(x[((base + ty) * w + rx) * c + d])
                bl = np.float32(x[((base + by) * w + lx) * c + d])
                br = np.float32(x[((base + by) * w + rx) * c + d])
                top = tl + (tr - tl) * xl
                bot = bl + (br - bl) * xl
                out[e] = top + (bot - top) * yl

        @cuda.jit
        def grad_image(g, boxes, ind, out, h, w, c, ch, cw, nearest):
            e = cuda.grid(1)
            if e < g.shape[0]:
                d = e % c
                xx = (e // c) % cw
                y = (e // (c * cw)) % ch
                b = e // (c * cw * ch)
                iy = coord(boxes[4 * b], boxes[4 * b + 2], y, h, ch)
                ix = coord(boxes[4 * b + 1], boxes[4 * b + 3], xx, w, cw)
                if iy < 0 or iy > h - 1 or ix < 0 or ix > w - 1:
                    return
                base = ind[b] * h
                v = g[e]
                if nearest:
                    ry = int(math.floor(iy + np.float32(0.5)))
                    rx = int(math.floor(ix + np.float32(0.5)))
                    cuda.atomic.add(out, ((base + ry) * w + rx) * c + d, v)
                    return
                ty = int(math.floor(iy))
                by = int(math.ceil(iy))
                lx = int(math.floor(ix))
                rx = int(math.ceil(ix))
                yl = iy - np.float32(ty)
                xl = ix - np.float32(lx)
                one = np.float32(1)
                dtop = (one - yl) * v
                dbot = yl * v
                cuda.atomic.add(out, ((base + ty) * w + lx) * c + d, (one - xl) * dtop)
                cuda.atomic.add(out, ((base + ty) * w + rx) * c + d, xl * dtop)
                cuda.atomic.add(out, ((base + by) * w + lx) * c + d, (one - xl) * dbot)
                cuda.atomic.add(out, ((base + by) * w + rx) * c + d, xl * dbot)

        @cuda.jit
        def grad_boxes(g, x, boxes, ind, out, h, w, c, ch, cw):
            b = cuda.grid(1)
            if b < out.shape[0] // 4:
                one = np.float32(1)
                hr = np.float32(h - 1) / np.float32(ch - 1) if ch > 1 else np.float32(0)
                wr = np.float32(w - 1) / np.float32(cw - 1) if cw > 1 else np.float32(0)
                base = ind[b] * h
                a0 = np.float32(0)
                a1 = np.float32(0)
                a2 = np.float32(0)
                a3 = np.float32(0)
                for y in range(ch):
                    iy = coord(boxes[4 * b], boxes[4 * b + 2], y, h, ch)
                    if iy < 0 or iy > h - 1:
                        continue
                    ty = int(math.floor(iy))
                    by = int(math.ceil(iy))
                    yl = iy - np.float32(ty)
                    for xx in range(cw):
                        ix = coord(boxes[4 * b + 1], boxes[4 * b + 3], xx, w, cw)
                        if ix < 0 or ix > w - 1:
                            continue
                        lx = int(math.floor(ix))
                        rx = int(math.ceil(ix))
                        xl = ix - np.float32(lx)
                        gy = np.float32(0)
                        gx = np.float32(0)
                        for d in range(c):
                            tl = np.float32(x[((base + ty) * w + lx) * c + d])
                            tr = np.float32(x[((base + ty) * w + rx) * c + d])
                            bl = np.float32(x[((base + by) * w + lx) * c + d])
                            br = np.float32(x[((base + by) * w + rx) * c + d])
                            gv = g[((b * ch + y) * cw + xx) * c + d]
                            gy += gv * ((one - xl) * (bl - tl) + xl * (br - tr))
                            gx += gv * ((one - yl) * (tr - tl) + yl * (br - bl))
                        if ch > 1:
                            a0 += gy * (np.float32(h - 1) - np.float32(y) * hr)
                            a2 += gy * (np.float32(y) * hr)
                        else:
                            a0 += gy * np.float32(0.5) * np.float32(h - 1)
                            a2 += gy * np.float32(0.5) * np.float32(h - 1)
                        if cw > 1:
                            a1 += gx * (np.float32(w - 1) - np.float32(xx) * wr)
                            a3 += gx * (np.float32(xx) * wr)
                        else:
                            a1 += gx * np.float32(0.5) * np.float32(w - 1)
                            a3 += gx * np.float32(0.5) * np.float32(w - 1)
                out[4 * b], out[4 * b + 1], out[4 * b + 2], out[4 * b + 3] = a0, a1, a2, a3
        ks = _KERNELS["crop"] = (crop, grad_image, grad_boxes)
    return ks


def _crop_inputs(boxes, box_ind, batch):
    """Boxes and box indices on the device; the indices checked on the host (a handful of
    int32s) so that a bad one raises TF's error instead of reading out of bounds."""
    bx = _dev.contiguous(_dev.dev(boxes))
    ind_host = np.asarray(_dev.to_host(box_ind) if _dev.is_device(box_ind) else box_ind)
    if len(bx.shape) != 2 or int(bx.shape[1]) != 4:
        raise errors.InvalidArgumentError(None, None, f"boxes must be 2-D{list(bx.shape)}")
    if ind_host.ndim != 1 or ind_host.shape[0] != int(bx.shape[0]):
        raise errors.InvalidArgumentError(None, None, "box_index has incompatible shape")
    if ind_host.size and (ind_host.min() < 0 or ind_host.max() >= batch):
        raise errors.OutOfRangeError(None, None, "box_index has values outside "
                                                 "[0, batch_size)")
    return bx, _dev.to_device(ind_host.astype(np.int64))


@register("CropAndResize", dtypes=_dev.FLOATS, host_memory=("crop_size",))
def crop_and_resize(image, boxes, box_ind, crop_size, *, method, extrapolation_value):
    if method not in ("bilinear", "nearest"):
        raise errors.InvalidArgumentError(None, None, "method must be 'bilinear' or "
                                                      "'nearest'")
    x = _dev.contiguous(_dev.dev(image))
    if len(x.shape) != 4:
        raise errors.InvalidArgumentError(None, None, f"input image must be 4-D"
                                                      f"{list(x.shape)}")
    size = _dev.host_int_list(crop_size)
    if len(size) != 2:
        raise errors.InvalidArgumentError(None, None, f"crop_size must be a 1-D tensor of "
                                                      f"length 2, got: {len(size)}")
    if size[0] <= 0 or size[1] <= 0:
        raise errors.InvalidArgumentError(None, None, "crop dimensions must be positive")
    n, h, w, c = (int(d) for d in x.shape)
    bx, ind = _crop_inputs(boxes, box_ind, n)
    out = _dev.empty((int(bx.shape[0]), size[0], size[1], c), np.float32)
    total = _dev.size_of(out.shape)
    if total:
        _crop_kernels()[0][_dev.blocks_for(total), _dev.TPB](
            _dev.flat(x), _dev.flat(bx), ind, _dev.flat(out), h, w, c, size[0], size[1],
            method == "nearest", np.float32(extrapolation_value))
    return out


# float32 only: the image gradient accumulates with float32 atomics
@register("CropAndResizeGradImage", dtypes=("float32",), host_memory=("image_size",))
def crop_and_resize_grad_image(grads, boxes, box_ind, image_size, *, T, method):
    size = _dev.host_int_list(image_size)
    if len(size) != 4:
        raise errors.InvalidArgumentError(None, None, f"image_size must be 4-D, got "
                                                      f"{len(size)}")
    g = _dev.contiguous(_dev.dev(grads))
    bx, ind = _crop_inputs(boxes, box_ind, size[0])
    out = _zeros(tuple(size), np.float32)
    total = _dev.size_of(g.shape)
    if total:
        _crop_kernels()[1][_dev.blocks_for(total), _dev.TPB](
            _dev.flat(g), _dev.flat(bx), ind, _dev.flat(out), size[1], size[2], size[3],
            int(g.shape[1]), int(g.shape[2]), method == "nearest")
    return out


def _image_dtype(op):
    return _dev.dtype_name(op.inputs[1].dtype.base_dtype.np_dtype) in _dev.FLOATS


@register("CropAndResizeGradBoxes", check=_image_dtype)
def crop_and_resize_grad_boxes(grads, image, boxes, box_ind, *, method):
    if method != "bilinear":
        raise errors.InvalidArgumentError(None, None, "method must be 'bilinear'")
    g = _dev.contiguous(_dev.dev(grads))
    x = _dev.contiguous(_dev.dev(image))
    n, h, w, c = (int(d) for d in x.shape)
    bx, ind = _crop_inputs(boxes, box_ind, n)
    out = _dev.empty(tuple(bx.shape), np.float32)
    nb = int(bx.shape[0])
    if nb:
        _crop_kernels()[2][_dev.blocks_for(nb), _dev.TPB](
            _dev.flat(g), _dev.flat(x), _dev.flat(bx), ind, _dev.flat(out), h, w, c,
            int(g.shape[1]), int(g.shape[2]))
    return out


# --- NonMaxSuppressionV3: overlaps on the device, the greedy pass on the host -----------------
# Which pairs overlap by more than the threshold is n^2 independent work (a thread per pair
# writes a byte of the mask); the greedy selection that reads it is sequential, a loop over
# the candidates in score order on the host, as the CPU kernel's.

@register("NonMaxSuppressionV3", dtypes=("float32",),
          host_memory=("max_output_size", "iou_threshold", "score_threshold"))
def non_max_suppression_v3(boxes, scores, max_output_size, iou_threshold, score_threshold):
    bx = _dev.contiguous(_dev.dev(boxes))
    sc = np.asarray(_dev.to_host(scores) if _dev.is_device(scores) else scores, np.float32)
    from ..cpu.image import _nms_checks
    _, sc, m, iou = _nms_checks(np.zeros(tuple(int(d) for d in bx.shape), np.float32), sc,
                                _dev.to_host(max_output_size)
                                if _dev.is_device(max_output_size) else max_output_size,
                                _dev.to_host(iou_threshold)
                                if _dev.is_device(iou_threshold) else iou_threshold)
    st = np.float32(np.asarray(_dev.to_host(score_threshold)
                               if _dev.is_device(score_threshold) else score_threshold))
    n = sc.shape[0]
    over = np.zeros((n, n), np.uint8)
    if n:
        k = _KERNELS.get("nms")
        if k is None:
            @cuda.jit
            def k(b, n, thr, over):
                e = cuda.grid(1)
                if e < n * n:
                    i = e // n
                    j = e % n
                    yi0, yi1 = min(b[4 * i], b[4 * i + 2]), max(b[4 * i], b[4 * i + 2])
                    xi0, xi1 = min(b[4 * i + 1], b[4 * i + 3]), max(b[4 * i + 1], b[4 * i + 3])
                    yj0, yj1 = min(b[4 * j], b[4 * j + 2]), max(b[4 * j], b[4 * j + 2])
                    xj0, xj1 = min(b[4 * j + 1], b[4 * j + 3]), max(b[4 * j + 1], b[4 * j + 3])
                    ai = (yi1 - yi0) * (xi1 - xi0)
                    aj = (yj1 - yj0) * (xj1 - xj0)
                    sim = np.float32(0)
                    if ai > 0 and aj > 0:
                        ih = max(min(yi1, yj1) - max(yi0, yj0), np.float32(0))
                        iw = max(min(xi1, xj1) - max(xi0, xj0), np.float32(0))
                        inter = ih * iw
                        sim = inter / (ai + aj - inter)
                    over[e] = 1 if sim > thr[0] else 0
            _KERNELS["nms"] = k
        d_over = _dev.empty((n * n,), np.uint8)
        k[_dev.blocks_for(n * n), _dev.TPB](_dev.flat(bx), n,
                                            _dev.to_device(np.array([iou], np.float32)),
                                            d_over)
        over = np.asarray(_dev.to_host(d_over)).reshape(n, n)
    # candidates above the score threshold, best first (ties: lower index first)
    order = [i for i in sorted(range(n), key=lambda i: (-sc[i], i)) if sc[i] > st]
    keep = []
    for i in order:
        if len(keep) >= m:
            break
        if not any(over[i, j] for j in keep):
            keep.append(i)
    return _dev.to_device(np.asarray(keep, np.int32))
