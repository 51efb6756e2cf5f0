"""CPU kernels of the image ops (ops/image_ops.py): resizes and their gradients, colour
(contrast, saturation, hue, HSV), patches and glimpses, crop_and_resize and its gradients,
non-max suppression, bounding-box sampling and drawing. NumPy vectorised over the batch and
channels, numba loops where the work is per pixel or sequential; the arithmetic is float32
in TF's order so results agree with TF to float32 rounding.

Sampling grids (TF's): scale = in / out, or (in - 1) / (out - 1) with align_corners. A
half-pixel grid samples output pixel i at (i + 0.5) * scale - 0.5 for bilinear and
(i + 0.5) * scale for nearest; the legacy grid at i * scale. Bilinear reads the two
neighbours floor(x) and ceil(x), clamped into the image, weighted by x - floor(x); nearest
reads floor (round with align_corners), clamped."""
import numpy as np
from numba import njit

from ... import errors
from ...framework.registry import register_kernel
from .. import shapes


def _scale(n_in, n_out, align_corners):
    if align_corners and n_out > 1:
        return np.float32(n_in - 1) / np.float32(n_out - 1)
    return np.float32(n_in) / np.float32(n_out)


def _check(images, size, op):
    images = np.asarray(images)
    if images.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{list(images.shape)}")
    size = np.asarray(size).reshape(-1)
    if size.size != 2:
        raise errors.InvalidArgumentError(None, None, f"shape_t must have two elements "
                                                      f"{size.tolist()}")
    h, w = int(size[0]), int(size[1])
    if h <= 0 or w <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive")
    return images, h, w


def _linear_weights(n_in, n_out, align_corners, half_pixel):
    scale = _scale(n_in, n_out, align_corners)
    i = np.arange(n_out, dtype=np.float32)
    x = (i + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else i * scale
    lo_f = np.floor(x)
    lower = np.maximum(lo_f.astype(np.int64), 0)
    upper = np.minimum(np.ceil(x).astype(np.int64), n_in - 1)
    return lower, upper, (x - lo_f).astype(np.float32)


def _nearest_index(n_in, n_out, align_corners, half_pixel):
    scale = _scale(n_in, n_out, align_corners)
    i = np.arange(n_out, dtype=np.float32)
    x = (i + np.float32(0.5)) * scale if half_pixel else i * scale
    # C's roundf rounds halves away from zero; the grid is never negative
    idx = np.floor(x + np.float32(0.5)) if align_corners else np.floor(x)
    idx = np.minimum(idx.astype(np.int64), n_in - 1)
    return np.maximum(idx, 0) if half_pixel else idx


@register_kernel("ResizeBilinear")
def resize_bilinear(images, size, *, align_corners, half_pixel_centers):
    images, h, w = _check(images, size, "ResizeBilinear")
    x = images.astype(np.float32, copy=False)
    ty, by, yl = _linear_weights(x.shape[1], h, align_corners, half_pixel_centers)
    lx, rx, xl = _linear_weights(x.shape[2], w, align_corners, half_pixel_centers)
    xl = xl[None, None, :, None]
    yl = yl[None, :, None, None]
    top, bottom = x[:, ty], x[:, by]
    tl, tr, bl, br = top[:, :, lx], top[:, :, rx], bottom[:, :, lx], bottom[:, :, rx]
    t = tl + (tr - tl) * xl
    b = bl + (br - bl) * xl
    return (t + (b - t) * yl).astype(np.float32)


@register_kernel("ResizeBilinearGrad")
def resize_bilinear_grad(grads, original_image, *, align_corners, half_pixel_centers):
    g = np.asarray(grads, dtype=np.float32)
    orig = np.asarray(original_image)
    n, h, w, c = orig.shape
    ty, by, yl = _linear_weights(h, g.shape[1], align_corners, half_pixel_centers)
    lx, rx, xl = _linear_weights(w, g.shape[2], align_corners, half_pixel_centers)
    out = np.zeros((n, h, w, c), np.float32)
    wy = [(ty, 1 - yl), (by, yl)]
    wx = [(lx, 1 - xl), (rx, xl)]
    for iy, fy in wy:
        for ix, fx in wx:
            contrib = g * fy[None, :, None, None] * fx[None, None, :, None]
            # several output pixels can share a source pixel: accumulate, not assign
            np.add.at(out, (slice(None), iy[:, None], ix[None, :]), contrib)
    return out.astype(orig.dtype)


@register_kernel("ResizeNearestNeighbor")
def resize_nearest_neighbor(images, size, *, align_corners, half_pixel_centers):
    images, h, w = _check(images, size, "ResizeNearestNeighbor")
    iy = _nearest_index(images.shape[1], h, align_corners, half_pixel_centers)
    ix = _nearest_index(images.shape[2], w, align_corners, half_pixel_centers)
    return images[:, iy][:, :, ix]


@register_kernel("ResizeNearestNeighborGrad")
def resize_nearest_neighbor_grad(grads, size, *, align_corners, half_pixel_centers):
    g = np.asarray(grads)
    h, w = (int(v) for v in np.asarray(size).reshape(-1))
    iy = _nearest_index(h, g.shape[1], align_corners, half_pixel_centers)
    ix = _nearest_index(w, g.shape[2], align_corners, half_pixel_centers)
    out = np.zeros((g.shape[0], h, w, g.shape[3]), g.dtype)
    np.add.at(out, (slice(None), iy[:, None], ix[None, :]), g)
    return out


# --- ResizeBicubic (and its gradient), ResizeArea ----------------------------------------------
# Bicubic: TF reads its cubic weights from a table of 1025 positions between two pixels (the
# fractional offset rounded to 1/1024), with a = -0.75 on the legacy grid and Keys'
# a = -0.5 on the half-pixel one; there, taps outside the image get weight 0 and the rest
# are renormalised, where the legacy grid repeats the edge pixel instead.

_TABLE = 1024
_CUBIC = {}


def _cubic_table(a):
    t = _CUBIC.get(a)
    if t is None:
        x = np.arange(_TABLE + 1, dtype=np.float64) / _TABLE
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        x1 = x + 1.0
        far = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
        t = _CUBIC[a] = (near.astype(np.float32), far.astype(np.float32))
    return t


def _cubic_weights(n_in, n_out, align_corners, half_pixel):
    """([n_out, 4] source indices, [n_out, 4] float32 weights) of one axis."""
    scale = _scale(n_in, n_out, align_corners)
    i = np.arange(n_out, dtype=np.float32)
    x = (i + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else i * scale
    base = np.floor(x)
    delta = (x - base).astype(np.float32)
    base = base.astype(np.int64)
    # lrintf: to the nearest, halves to even (np.rint), as C's default rounding mode
    off = np.rint(delta * np.float32(_TABLE)).astype(np.int64)
    near, far = _cubic_table(-0.5 if half_pixel else -0.75)
    w = np.stack([far[off], near[off], near[_TABLE - off], far[_TABLE - off]], axis=1)
    taps = base[:, None] + np.arange(-1, 3)[None, :]
    idx = np.clip(taps, 0, n_in - 1)
    if half_pixel:
        w = np.where(idx == taps, w, np.float32(0)).astype(np.float32)
        total = w.sum(axis=1, dtype=np.float32)
        ok = np.abs(total) >= np.float32(1000) * np.finfo(np.float32).tiny
        w = np.where(ok[:, None], w * (np.float32(1) / np.where(ok, total, 1))[:, None], w)
    return idx, w.astype(np.float32)


@register_kernel("ResizeBicubic")
def resize_bicubic(images, size, *, align_corners, half_pixel_centers):
    images, h, w = _check(images, size, "ResizeBicubic")
    x = images.astype(np.float32, copy=False)
    iy, wy = _cubic_weights(x.shape[1], h, align_corners, half_pixel_centers)
    ix, wx = _cubic_weights(x.shape[2], w, align_corners, half_pixel_centers)
    # along y (four source rows per output row), then along x
    rows = np.zeros((x.shape[0], h, x.shape[2], x.shape[3]), np.float32)
    for k in range(4):
        rows += x[:, iy[:, k]] * wy[None, :, k, None, None]
    out = np.zeros((x.shape[0], h, w, x.shape[3]), np.float32)
    for k in range(4):
        out += rows[:, :, ix[:, k]] * wx[None, None, :, k, None]
    return out


@register_kernel("ResizeBicubicGrad")
def resize_bicubic_grad(grads, original_image, *, align_corners, half_pixel_centers):
    g = np.asarray(grads, np.float32)
    orig = np.asarray(original_image)
    n, h, w, c = orig.shape
    iy, wy = _cubic_weights(h, g.shape[1], align_corners, half_pixel_centers)
    ix, wx = _cubic_weights(w, g.shape[2], align_corners, half_pixel_centers)
    out = np.zeros((n, h, w, c), np.float32)
    for a in range(4):
        for b in range(4):
            contrib = g * wy[None, :, a, None, None] * wx[None, None, :, b, None]
            np.add.at(out, (slice(None), iy[:, a][:, None], ix[:, b][None, :]), contrib)
    return out.astype(orig.dtype)


def _area_weights(n_in, n_out, scale):
    """[n_out, n_in] float32: how much of input cell j output cell i covers."""
    m = np.zeros((n_out, n_in), np.float32)
    for i in range(n_out):
        lo = np.float32(i) * scale
        hi = np.float32(i + 1) * scale
        for j in range(int(np.floor(lo)), int(np.ceil(hi))):
            part = min(np.float32(j + 1), hi) - max(np.float32(j), lo)
            m[i, min(j, n_in - 1)] += part
    return m


@register_kernel("ResizeArea")
def resize_area(images, size, *, align_corners):
    images, h, w = _check(images, size, "ResizeArea")
    x = images.astype(np.float32, copy=False)
    sy = _scale(x.shape[1], h, align_corners)
    sx = _scale(x.shape[2], w, align_corners)
    my = _area_weights(x.shape[1], h, sy)
    mx = _area_weights(x.shape[2], w, sx)
    out = np.einsum("yi,nijc,xj->nyxc", my, x, mx, dtype=np.float32)
    return (out * (np.float32(1) / (sy * sx))).astype(np.float32)


@register_kernel("AdjustContrastv2")
def adjust_contrast_v2(images, contrast_factor):
    x = np.asarray(images)
    if x.ndim < 3:
        raise errors.InvalidArgumentError(None, None, f"input must be at least 3-D, got "
                                                      f"shape{list(x.shape)}")
    f = np.float32(contrast_factor)
    mean = x.astype(np.float32).mean(axis=(-3, -2), keepdims=True, dtype=np.float32)
    return ((x - mean) * f + mean).astype(x.dtype)


@register_kernel("AdjustSaturation")
def adjust_saturation(images, scale):
    x = np.asarray(images)
    if x.ndim < 3 or x.shape[-1] != 3:
        raise errors.InvalidArgumentError(None, None, f"input must have 3 channels but "
                                                      f"instead has {x.shape[-1]} channels.")
    rgb = x.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v = np.max(rgb, axis=-1)
    rng = v - np.min(rgb, axis=-1)
    s = np.where(v > 0, rng / np.where(v > 0, v, 1), 0).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.float32(1) / (np.float32(6) * rng)
        h = np.where(r == v, norm * (g - b),
                     np.where(g == v, norm * (b - r) + np.float32(2 / 6),
                              norm * (r - g) + np.float32(4 / 6)))
    h = np.where(rng > 0, h, 0).astype(np.float32)
    h = np.where(h < 0, h + 1, h)
    s = np.clip(s * np.float32(scale), 0, 1)
    # back to RGB: chroma c, the sextant of the hue and the second-largest component
    c = s * v
    m = v - c
    dh = h * np.float32(6)
    sextant = dh.astype(np.int64)
    xcomp = c * (1 - np.abs(np.mod(dh, np.float32(2)) - 1))
    zero = np.zeros_like(c)
    table = [(c, xcomp, zero), (xcomp, c, zero), (zero, c, xcomp), (zero, xcomp, c),
             (xcomp, zero, c), (c, zero, xcomp)]
    out = np.zeros_like(rgb)
    for k, (rr, gg, bb) in enumerate(table):
        sel = sextant == k
        out[..., 0] = np.where(sel, rr, out[..., 0])
        out[..., 1] = np.where(sel, gg, out[..., 1])
        out[..., 2] = np.where(sel, bb, out[..., 2])
    return (out + m[..., None]).astype(x.dtype)


# --- colour: AdjustHue, RGBToHSV, HSVToRGB ------------------------------------------------------
# numba loops over pixels, float32 arithmetic as TF's kernels do it (an fp16 image is
# computed in float32 and rounded back, as TF's half kernels do).


def _three(x):
    x = np.asarray(x)
    if x.ndim < 1 or x.shape[-1] != 3:
        raise errors.FailedPreconditionError(
            None, None, f"input must have 3 channels but input only has "
                        f"{x.shape[-1] if x.ndim else 0} channels.")
    return x


@njit(cache=True)
def _hue_loop(p, delta):
    out = np.empty_like(p)
    for i in range(p.shape[0]):
        r, g, b = p[i, 0], p[i, 1], p[i, 2]
        # the hue as a position on a 6-sided wheel: the sextant (which component is
        # largest, which smallest) plus how far the middle one lies between them
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
        if vmax == vmin:
            h = np.float32(0)
        else:
            ratio = (vmid - vmin) / (vmax - vmin)
            h = np.float32(cat) + (ratio if cat % 2 == 0 else np.float32(1) - ratio)
        h = h + delta * np.float32(6)
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
            out[i, 0], out[i, 1], out[i, 2] = vmax, vmid, vmin
        elif cat == 1:
            out[i, 0], out[i, 1], out[i, 2] = vmid, vmax, vmin
        elif cat == 2:
            out[i, 0], out[i, 1], out[i, 2] = vmin, vmax, vmid
        elif cat == 3:
            out[i, 0], out[i, 1], out[i, 2] = vmin, vmid, vmax
        elif cat == 4:
            out[i, 0], out[i, 1], out[i, 2] = vmid, vmin, vmax
        else:
            out[i, 0], out[i, 1], out[i, 2] = vmax, vmin, vmid
    return out


@register_kernel("AdjustHue")
def adjust_hue(images, delta):
    x = np.asarray(images)
    if x.ndim < 3:
        raise errors.InvalidArgumentError(None, None, f"input must be at least 3-D, got "
                                                      f"shape{list(x.shape)}")
    if x.shape[-1] != 3:
        raise errors.InvalidArgumentError(None, None, f"input must have 3 channels but "
                                                      f"instead has {x.shape[-1]} channels.")
    flat = np.ascontiguousarray(x.reshape(-1, 3), dtype=np.float32)
    return _hue_loop(flat, np.float32(delta)).reshape(x.shape).astype(x.dtype)


def _rgb_to_hsv(rgb, ft):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v = np.max(rgb, axis=-1)
    rng = v - np.min(rgb, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(v > 0, rng / v, ft(0))
        norm = (ft(1) / rng) * ft(1.0 / 6.0)
        h = np.where(r == v, norm * (g - b),
                     np.where(g == v, norm * (b - r) + ft(2.0 / 6.0),
                              norm * (r - g) + ft(4.0 / 6.0)))
    h = np.where(rng > 0, h, ft(0))
    h = np.where(h < 0, h + ft(1), h)
    return np.stack([h, s, v], axis=-1).astype(ft)


def _hsv_to_rgb(hsv, ft):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    c = s * v
    m = v - c
    dh = h * ft(6)
    cat = dh.astype(np.int64)              # truncation, as C's cast
    x = c * (ft(1) - np.abs(np.fmod(dh, ft(2)) - ft(1)))
    z = np.zeros_like(c)
    table = [(c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x)]
    out = np.zeros(hsv.shape, ft)
    for k, comps in enumerate(table):
        sel = cat == k
        for ch in range(3):
            out[..., ch] = np.where(sel, comps[ch], out[..., ch])
    return (out + m[..., None]).astype(ft)


def _float_kernel(fn):
    def kernel(images):
        x = _three(images)
        ft = np.float64 if x.dtype == np.float64 else np.float32
        return fn(x.astype(ft), ft).astype(x.dtype)
    return kernel


register_kernel("RGBToHSV")(_float_kernel(_rgb_to_hsv))
register_kernel("HSVToRGB")(_float_kernel(_hsv_to_rgb))


# --- ExtractImagePatches -----------------------------------------------------------------------

@register_kernel("ExtractImagePatches")
def extract_image_patches(images, *, ksizes, strides, rates, padding):
    x = np.asarray(images)
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{list(x.shape)}")
    if ksizes[0] != 1 or ksizes[3] != 1:
        raise errors.UnimplementedError(None, None, "Only support ksizes across space.")
    if strides[0] != 1 or strides[3] != 1:
        raise errors.UnimplementedError(None, None, "Only support strides across space.")
    if rates[0] != 1 or rates[3] != 1:
        raise errors.UnimplementedError(None, None, "Only support rates across space.")
    n, h, w, c = x.shape
    idx = shapes.patch_index(h, w, ksizes, strides, rates, padding)
    oh, ow, kh, kw = idx.shape
    flat = x.reshape(n, h * w, c)
    # one zero pixel appended: index -1 reads it
    flat = np.concatenate([flat, np.zeros((n, 1, c), x.dtype)], axis=1)
    out = flat[:, idx.reshape(-1)]
    return out.reshape(n, oh, ow, kh * kw * c)


# --- CropAndResize and its gradients -----------------------------------------------------------

def _crop_checks(image, boxes, box_ind, crop_size=None):
    image, boxes, box_ind = np.asarray(image), np.asarray(boxes), np.asarray(box_ind)
    if image.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input image must be 4-D"
                                                      f"{list(image.shape)}")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(None, None, f"boxes must be 2-D"
                                                      f"{list(boxes.shape)}")
    if box_ind.ndim != 1 or box_ind.shape[0] != boxes.shape[0]:
        raise errors.InvalidArgumentError(None, None, "box_index has incompatible shape")
    if crop_size is not None:
        cs = np.asarray(crop_size).reshape(-1)
        if cs.size != 2:
            raise errors.InvalidArgumentError(None, None, f"crop_size must be a 1-D "
                                                          f"tensor of length 2, got: "
                                                          f"{cs.size}")
        if cs[0] <= 0 or cs[1] <= 0:
            raise errors.InvalidArgumentError(None, None, "crop dimensions must be positive")
    if box_ind.size and (box_ind.min() < 0 or box_ind.max() >= image.shape[0]):
        raise errors.OutOfRangeError(None, None, "box_index has values outside "
                                                      "[0, batch_size)")
    return image, boxes.astype(np.float32), box_ind.astype(np.int64)


@njit(cache=True)
def _crop_coord(lo, hi, i, n_in, n_crop):
    """The source coordinate of crop row (column) i, float32 as TF computes it."""
    if n_crop > 1:
        scale = (hi - lo) * np.float32(n_in - 1) / np.float32(n_crop - 1)
        return lo * np.float32(n_in - 1) + np.float32(i) * scale
    return np.float32(0.5) * (lo + hi) * np.float32(n_in - 1)


@njit(cache=True)
def _crop_loop(img, boxes, ind, ch, cw, nearest, extrap):
    n, h, w, c = img.shape
    out = np.empty((boxes.shape[0], ch, cw, c), np.float32)
    for b in range(boxes.shape[0]):
        y1, x1, y2, x2 = boxes[b, 0], boxes[b, 1], boxes[b, 2], boxes[b, 3]
        bi = ind[b]
        for y in range(ch):
            iy = _crop_coord(y1, y2, y, h, ch)
            if iy < 0 or iy > h - 1:
                out[b, y, :, :] = extrap
                continue
            for x in range(cw):
                ix = _crop_coord(x1, x2, x, w, cw)
                if ix < 0 or ix > w - 1:
                    out[b, y, x, :] = extrap
                    continue
                if nearest:
                    # roundf: halves away from zero; the coordinate is not negative
                    ry = int(np.floor(iy + np.float32(0.5)))
                    rx = int(np.floor(ix + np.float32(0.5)))
                    for d in range(c):
                        out[b, y, x, d] = np.float32(img[bi, ry, rx, d])
                    continue
                ty, by = int(np.floor(iy)), int(np.ceil(iy))
                lx, rx = int(np.floor(ix)), int(np.ceil(ix))
                yl, xl = iy - np.float32(ty), ix - np.float32(lx)
                for d in range(c):
                    tl = np.float32(img[bi, ty, lx, d])
                    tr = np.float32(img[bi, ty, rx, d])
                    bl = np.float32(img[bi, by, lx, d])
                    br = np.float32(img[bi, by, rx, d])
                    top = tl + (tr - tl) * xl
                    bot = bl + (br - bl) * xl
                    out[b, y, x, d] = top + (bot - top) * yl
    return out


@register_kernel("CropAndResize")
def crop_and_resize(image, boxes, box_ind, crop_size, *, method, extrapolation_value):
    if method not in ("bilinear", "nearest"):
        raise errors.InvalidArgumentError(None, None, "method must be 'bilinear' or "
                                                      "'nearest'")
    img, bx, ind = _crop_checks(image, boxes, box_ind, crop_size)
    ch, cw = (int(v) for v in np.asarray(crop_size).reshape(-1))
    if img.dtype == np.float16 or img.dtype == np.bool_:
        img = img.astype(np.float32)
    return _crop_loop(np.ascontiguousarray(img), bx, ind, ch, cw, method == "nearest",
                      np.float32(extrapolation_value))


@njit(cache=True)
def _crop_grad_image_loop(g, boxes, ind, h, w, nearest, out):
    nb, ch, cw, c = g.shape
    for b in range(nb):
        y1, x1, y2, x2 = boxes[b, 0], boxes[b, 1], boxes[b, 2], boxes[b, 3]
        bi = ind[b]
        for y in range(ch):
            iy = _crop_coord(y1, y2, y, h, ch)
            if iy < 0 or iy > h - 1:
                continue
            for x in range(cw):
                ix = _crop_coord(x1, x2, x, w, cw)
                if ix < 0 or ix > w - 1:
                    continue
                if nearest:
                    ry = int(np.floor(iy + np.float32(0.5)))
                    rx = int(np.floor(ix + np.float32(0.5)))
                    for d in range(c):
                        out[bi, ry, rx, d] += g[b, y, x, d]
                    continue
                ty, by = int(np.floor(iy)), int(np.ceil(iy))
                lx, rx = int(np.floor(ix)), int(np.ceil(ix))
                yl, xl = iy - np.float32(ty), ix - np.float32(lx)
                for d in range(c):
                    dtop = (np.float32(1) - yl) * g[b, y, x, d]
                    out[bi, ty, lx, d] += (np.float32(1) - xl) * dtop
                    out[bi, ty, rx, d] += xl * dtop
                    dbot = yl * g[b, y, x, d]
                    out[bi, by, lx, d] += (np.float32(1) - xl) * dbot
                    out[bi, by, rx, d] += xl * dbot


@register_kernel("CropAndResizeGradImage")
def crop_and_resize_grad_image(grads, boxes, box_ind, image_size, *, T, method):
    size = [int(v) for v in np.asarray(image_size).reshape(-1)]
    if len(size) != 4:
        raise errors.InvalidArgumentError(None, None, f"image_size must be 4-D, got "
                                                      f"{len(size)}")
    g = np.asarray(grads, np.float32)
    _, bx, ind = _crop_checks(np.zeros(size[:1] + [1, 1, 1]), boxes, box_ind)
    out = np.zeros(size, np.float32)
    _crop_grad_image_loop(np.ascontiguousarray(g), bx, ind, size[1], size[2],
                          method == "nearest", out)
    return out.astype(_dtype_np(T))


def _dtype_np(t):
    return getattr(t, "np_dtype", None) or np.dtype(t)


@njit(cache=True)
def _crop_grad_boxes_loop(g, img, boxes, ind, out):
    nb, ch, cw, c = g.shape
    h, w = img.shape[1], img.shape[2]
    for b in range(nb):
        y1, x1, y2, x2 = boxes[b, 0], boxes[b, 1], boxes[b, 2], boxes[b, 3]
        bi = ind[b]
        hr = np.float32(h - 1) / np.float32(ch - 1) if ch > 1 else np.float32(0)
        wr = np.float32(w - 1) / np.float32(cw - 1) if cw > 1 else np.float32(0)
        for y in range(ch):
            iy = _crop_coord(y1, y2, y, h, ch)
            if iy < 0 or iy > h - 1:
                continue
            ty, by = int(np.floor(iy)), int(np.ceil(iy))
            yl = iy - np.float32(ty)
            for x in range(cw):
                ix = _crop_coord(x1, x2, x, w, cw)
                if ix < 0 or ix > w - 1:
                    continue
                lx, rx = int(np.floor(ix)), int(np.ceil(ix))
                xl = ix - np.float32(lx)
                gy = np.float32(0)
                gx = np.float32(0)
                for d in range(c):
                    tl = np.float32(img[bi, ty, lx, d])
                    tr = np.float32(img[bi, ty, rx, d])
                    bl = np.float32(img[bi, by, lx, d])
                    br = np.float32(img[bi, by, rx, d])
                    # d crop / d source coordinate, times the incoming gradient
                    dy = (np.float32(1) - xl) * (bl - tl) + xl * (br - tr)
                    dx = (np.float32(1) - yl) * (tr - tl) + yl * (br - bl)
                    gy += g[b, y, x, d] * dy
                    gx += g[b, y, x, d] * dx
                if ch > 1:
                    out[b, 0] += gy * (np.float32(h - 1) - np.float32(y) * hr)
                    out[b, 2] += gy * (np.float32(y) * hr)
                else:
                    out[b, 0] += gy * np.float32(0.5) * np.float32(h - 1)
                    out[b, 2] += gy * np.float32(0.5) * np.float32(h - 1)
                if cw > 1:
                    out[b, 1] += gx * (np.float32(w - 1) - np.float32(x) * wr)
                    out[b, 3] += gx * (np.float32(x) * wr)
                else:
                    out[b, 1] += gx * np.float32(0.5) * np.float32(w - 1)
                    out[b, 3] += gx * np.float32(0.5) * np.float32(w - 1)


@register_kernel("CropAndResizeGradBoxes")
def crop_and_resize_grad_boxes(grads, image, boxes, box_ind, *, method):
    if method != "bilinear":
        raise errors.InvalidArgumentError(None, None, "method must be 'bilinear'")
    img, bx, ind = _crop_checks(image, boxes, box_ind)
    out = np.zeros(bx.shape, np.float32)
    _crop_grad_boxes_loop(np.ascontiguousarray(np.asarray(grads, np.float32)),
                          np.ascontiguousarray(img.astype(np.float32)), bx, ind, out)
    return out


# --- non-max suppression -----------------------------------------------------------------------

def _nms_checks(boxes, scores, max_output_size, iou_threshold):
    boxes, scores = np.asarray(boxes), np.asarray(scores)
    if boxes.ndim != 2:
        raise errors.InvalidArgumentError(None, None, f"boxes must be 2-D"
                                                      f"{list(boxes.shape)}")
    if boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(None, None, f"boxes must have 4 columns (Dimension "
                                                      f"must be 4 but is {boxes.shape[1]})")
    if scores.ndim != 1:
        raise errors.InvalidArgumentError(None, None, f"scores must be 1-D"
                                                      f"{list(scores.shape)}")
    if scores.shape[0] != boxes.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"scores has incompatible shape (Dimensions must be equal, but are "
                        f"{boxes.shape[0]} and {scores.shape[0]})")
    m = np.asarray(max_output_size)
    if m.ndim != 0:
        raise errors.InvalidArgumentError(None, None, f"max_output_size must be 0-D, got "
                                                      f"shape {list(m.shape)}")
    iou = float(np.asarray(iou_threshold))
    if not 0 <= iou <= 1:
        raise errors.InvalidArgumentError(None, None, "iou_threshold must be in [0, 1]")
    return boxes.astype(np.float32), scores.astype(np.float32), int(m), np.float32(iou)


@njit(cache=True)
def _iou(boxes, i, j):
    ymin_i = min(boxes[i, 0], boxes[i, 2])
    xmin_i = min(boxes[i, 1], boxes[i, 3])
    ymax_i = max(boxes[i, 0], boxes[i, 2])
    xmax_i = max(boxes[i, 1], boxes[i, 3])
    ymin_j = min(boxes[j, 0], boxes[j, 2])
    xmin_j = min(boxes[j, 1], boxes[j, 3])
    ymax_j = max(boxes[j, 0], boxes[j, 2])
    xmax_j = max(boxes[j, 1], boxes[j, 3])
    area_i = (ymax_i - ymin_i) * (xmax_i - xmin_i)
    area_j = (ymax_j - ymin_j) * (xmax_j - xmin_j)
    if area_i <= 0 or area_j <= 0:
        return np.float32(0)
    iy0, ix0 = max(ymin_i, ymin_j), max(xmin_i, xmin_j)
    iy1, ix1 = min(ymax_i, ymax_j), min(xmax_i, xmax_j)
    inter = max(iy1 - iy0, np.float32(0)) * max(ix1 - ix0, np.float32(0))
    return inter / (area_i + area_j - inter)


@njit(cache=True)
def _nms_loop(boxes, scores, max_out, iou_thr, score_thr, sigma, overlaps=None):
    """Greedy (Soft-)NMS as TF runs it: candidates in a max-queue by score (ties: lower
    index first); a popped candidate is compared with the boxes kept since it was last
    looked at, its score decayed (Soft-NMS) or it is dropped (overlap > threshold); a
    decayed candidate goes back in the queue while it still beats score_thr."""
    soft = sigma > 0
    scale = np.float32(-0.5) / sigma if soft else np.float32(0)
    if soft:                   # Soft-NMS decays every overlap: no box is dropped outright
        iou_thr = np.float32(1)
    n = scores.shape[0]
    cand_score = np.empty(n, np.float32)
    cand_idx = np.empty(n, np.int64)
    cand_begin = np.zeros(n, np.int64)
    live = 0
    for i in range(n):
        if scores[i] > score_thr:
            cand_score[live] = scores[i]
            cand_idx[live] = i
            live += 1
    sel = np.empty(min(max_out, n) if max_out > 0 else 0, np.int64)
    sel_scores = np.empty(sel.shape[0], np.float32)
    k = 0
    while k < sel.shape[0] and live > 0:
        best = 0
        for c in range(1, live):
            if cand_score[c] > cand_score[best] or (
                    cand_score[c] == cand_score[best] and cand_idx[c] < cand_idx[best]):
                best = c
        idx, score, begin = cand_idx[best], cand_score[best], cand_begin[best]
        original = score
        live -= 1
        cand_idx[best], cand_score[best], cand_begin[best] = \
            cand_idx[live], cand_score[live], cand_begin[live]
        hard = False
        j = k - 1
        while j >= begin:
            if overlaps is None:
                sim = _iou(boxes, idx, sel[j])
            else:             # NonMaxSuppressionWithOverlaps: the similarity is given
                sim = overlaps[idx, sel[j]]
            weight = np.float32(np.exp(scale * sim * sim)) if sim <= iou_thr else \
                np.float32(0)
            score *= weight
            if not soft and sim > iou_thr:
                hard = True
                break
            if score <= score_thr:
                break
            j -= 1
        if hard:
            continue
        if score == original:
            sel[k] = idx
            sel_scores[k] = score
            k += 1
        elif score > score_thr:
            cand_idx[live], cand_score[live], cand_begin[live] = idx, score, k
            live += 1
    return sel[:k], sel_scores[:k]


@register_kernel("NonMaxSuppressionV3")
def non_max_suppression_v3(boxes, scores, max_output_size, iou_threshold, score_threshold):
    b, s, m, iou = _nms_checks(boxes, scores, max_output_size, iou_threshold)
    sel, _ = _nms_loop(b, s, m, iou, np.float32(score_threshold), np.float32(0))
    return sel.astype(np.int32)


@register_kernel("NonMaxSuppressionV5")
def non_max_suppression_v5(boxes, scores, max_output_size, iou_threshold, score_threshold,
                           soft_nms_sigma, *, pad_to_max_output_size):
    b, s, m, iou = _nms_checks(boxes, scores, max_output_size, iou_threshold)
    sigma = np.float32(soft_nms_sigma)
    if sigma < 0:
        raise errors.InvalidArgumentError(None, None, "soft_nms_sigma_val must be >= 0")
    sel, sc = _nms_loop(b, s, m, iou, np.float32(score_threshold), sigma)
    valid = np.int32(sel.shape[0])
    if pad_to_max_output_size and sel.shape[0] < m:
        sel = np.concatenate([sel, np.zeros(m - sel.shape[0], sel.dtype)])
        sc = np.concatenate([sc, np.zeros(m - sc.shape[0], sc.dtype)])
    dt = np.asarray(scores).dtype
    return sel.astype(np.int32), sc.astype(dt), valid


@register_kernel("NonMaxSuppressionWithOverlaps")
def non_max_suppression_with_overlaps(overlaps, scores, max_output_size, overlap_threshold,
                                      score_threshold):
    ov, sc = np.asarray(overlaps), np.asarray(scores)
    if ov.ndim != 2:
        raise errors.InvalidArgumentError(None, None, f"overlaps must be 2-D"
                                                      f"{list(ov.shape)}")
    if ov.shape[0] != ov.shape[1]:
        raise errors.InvalidArgumentError(None, None, f"overlaps must be square"
                                                      f"{list(ov.shape)}")
    if sc.ndim != 1 or sc.shape[0] != ov.shape[0]:
        raise errors.InvalidArgumentError(None, None, "scores has incompatible shape")
    m = np.asarray(max_output_size)
    if m.ndim != 0:
        raise errors.InvalidArgumentError(None, None, f"max_output_size must be 0-D, got "
                                                      f"shape {list(m.shape)}")
    sel, _ = _nms_loop(np.zeros((0, 4), np.float32), sc.astype(np.float32), int(m),
                       np.float32(overlap_threshold), np.float32(score_threshold),
                       np.float32(0), np.ascontiguousarray(ov, np.float32))
    return sel.astype(np.int32)


@register_kernel("CombinedNonMaxSuppression")
def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold, score_threshold, *, pad_per_class,
                                 clip_boxes):
    """Per image: greedy NMS within each class, then the best max_total_size of all the
    classes' survivors (by score), boxes clipped to [0, 1], zero-padded."""
    bx, sc = np.asarray(boxes, np.float32), np.asarray(scores, np.float32)
    if bx.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"boxes must be 4-D"
                                                      f"{list(bx.shape)}")
    if sc.ndim != 3:
        raise errors.InvalidArgumentError(None, None, f"scores must be 3-D"
                                                      f"{list(sc.shape)}")
    batch, n, q, _ = bx.shape
    classes = sc.shape[2]
    if q != 1 and q != classes:
        raise errors.InvalidArgumentError(None, None, "third dimension of boxes must be "
                                                      "either 1 or num classes")
    if bx.shape[3] != 4:
        raise errors.InvalidArgumentError(None, None, "boxes must have 4 columns")
    per_class = int(np.asarray(max_output_size_per_class))
    total = int(np.asarray(max_total_size))
    if total <= 0:
        raise errors.InvalidArgumentError(None, None, f"max_total_size must be > 0")
    iou = np.float32(iou_threshold)
    if not 0 <= iou <= 1:
        raise errors.InvalidArgumentError(None, None, "iou_threshold must be in [0, 1]")
    size = min(total, per_class * classes) if pad_per_class else total
    out_boxes = np.zeros((batch, size, 4), np.float32)
    out_scores = np.zeros((batch, size), np.float32)
    out_classes = np.zeros((batch, size), np.float32)
    valid = np.zeros(batch, np.int32)
    for b in range(batch):
        found = []           # (score, class, box index), classes in order
        for c in range(classes):
            cb = np.ascontiguousarray(bx[b, :, c if q > 1 else 0])
            sel, ss = _nms_loop(cb, np.ascontiguousarray(sc[b, :, c]), per_class, iou,
                                np.float32(score_threshold), np.float32(0))
            found += [(float(s_), c, int(i)) for i, s_ in zip(sel, ss)]
        found.sort(key=lambda t: -t[0])      # stable: ties keep class order
        found = found[:size]
        for k, (s_, c, i) in enumerate(found):
            box = bx[b, i, c if q > 1 else 0]
            out_boxes[b, k] = np.clip(box, 0, 1) if clip_boxes else box
            out_scores[b, k] = s_
            out_classes[b, k] = c
        valid[b] = len(found)
    return out_boxes, out_scores, out_classes, valid


# --- ExtractGlimpse, ExtractGlimpseV2 ----------------------------------------------------------

def _dims(shape):
    """A shape as TF's messages print it: [2,3]."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def _glimpse(x, size, offsets, centered, normalized, uniform_noise, noise, version):
    x = np.asarray(x, np.float32)
    size, off = np.asarray(size).reshape(-1), np.asarray(offsets, np.float32)
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional"
                                                      f"{_dims(x.shape)}")
    if size.size != 2:
        raise errors.InvalidArgumentError(None, None, f"input must be a vector of size 2 "
                                                      f"(height, width){_dims(size.shape)}")
    if off.ndim != 2:
        raise errors.InvalidArgumentError(None, None, f"input must be a matrix"
                                                      f"{_dims(off.shape)}")
    if off.shape[0] != x.shape[0]:
        raise errors.InvalidArgumentError(None, None, f"first dimension should be batch"
                                                      f"{_dims(off.shape)}")
    if off.shape[1] != 2:
        raise errors.InvalidArgumentError(None, None, f"second dimension should be of size "
                                                      f"2{_dims(off.shape)}")
    if uniform_noise and noise not in ("", "uniform"):
        raise errors.InvalidArgumentError(None, None, "The uniform_noise and noise should "
                                                      "not be specified at the same time")
    kind = "uniform" if uniform_noise or noise == "" else noise
    if kind not in ("uniform", "gaussian", "zero"):
        raise errors.InvalidArgumentError(None, None, f"The noise could only be uniform, "
                                                      f"gaussian, or zero, got{noise}")
    n, h, w, c = x.shape
    gh, gw = int(size[0]), int(size[1])
    out = np.zeros((n, gh, gw, c), np.float32)
    rng = np.random.default_rng()
    for b in range(n):
        y, xx = off[b, 0], off[b, 1]
        half_h, half_w = np.float32(h) / np.float32(2), np.float32(w) / np.float32(2)
        if version == 1 or normalized:
            if normalized:
                y, xx = y * np.float32(h), xx * np.float32(w)
            if centered:     # [-1, 1] across the image: halved, measured from the centre
                y, xx = y / np.float32(2) + half_h, xx / np.float32(2) + half_w
            if version == 1 or centered:      # from the window's centre to its corner
                y = y - np.float32(gh) / np.float32(2)
                xx = xx - np.float32(gw) / np.float32(2)
        elif centered:       # V2, pixels from the centre: the window's corner lands there
            y, xx = y + half_h, xx + half_w
        top, left = int(y), int(xx)           # C's cast: towards zero
        img = x[b]
        if kind == "uniform":
            lo, hi = img.min(), img.max()
            out[b] = lo + rng.random((gh, gw, c), np.float32) * (hi - lo)
        elif kind == "gaussian":
            out[b] = img.mean() + rng.standard_normal((gh, gw, c), np.float32) * img.std()
        r0, r1 = max(top, 0), min(top + gh, h)
        c0, c1 = max(left, 0), min(left + gw, w)
        if r0 < r1 and c0 < c1:
            out[b, r0 - top:r1 - top, c0 - left:c1 - left] = img[r0:r1, c0:c1]
    return out


@register_kernel("ExtractGlimpse")
def extract_glimpse(input, size, offsets, *, centered, normalized,  # noqa: A002
                    uniform_noise, noise):
    return _glimpse(input, size, offsets, centered, normalized, uniform_noise, noise, 1)


@register_kernel("ExtractGlimpseV2")
def extract_glimpse_v2(input, size, offsets, *, centered, normalized,  # noqa: A002
                       uniform_noise, noise):
    return _glimpse(input, size, offsets, centered, normalized, uniform_noise, noise, 2)


# --- SampleDistortedBoundingBox: random crops that keep enough of an object ---------------------
# TF's sampler, draw for draw: each attempt takes an aspect ratio (a float from one 32-bit
# word), a height between the smallest and largest that fit the area range (a word modulo
# the span), then a top-left corner (a word modulo each free span); the first crop that
# covers min_object_covered of some box wins, else the whole image. The words come from
# `rand32`: TF's stateless Philox stream for the stateless op (so its crops are TF's), and
# tfteach's seeded generator for the stateful one.

def _lrintf(v):
    return int(np.rint(np.float32(v)))


def _random_crop_rect(width, height, min_rel, max_rel, ratio, rand32):
    f = np.float32
    min_area = f(min_rel) * f(width) * f(height)
    max_area = f(max_rel) * f(width) * f(height)
    h = _lrintf(np.sqrt(f(min_area / ratio)))
    max_h = _lrintf(np.sqrt(f(max_area / ratio)))
    if _lrintf(f(max_h) * ratio) > width:
        # the largest height whose rounded width still fits
        max_h = int((width + 0.5 - 0.0000001) / float(ratio))
        if _lrintf(f(max_h) * ratio) > width:
            max_h -= 1
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += rand32() % (max_h - h + 1)
    w = _lrintf(f(h) * ratio)
    area = f(w * h)
    if area < min_area:        # rounding left it too small: one row more
        h += 1
        w = _lrintf(f(h) * ratio)
        area = f(w * h)
    if area > max_area:        # or too big: one row less
        h -= 1
        w = _lrintf(f(h) * ratio)
        area = f(w * h)
    if area < min_area or area > max_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = rand32() % (height - h) if h < height else 0
    x = rand32() % (width - w) if w < width else 0
    return x, y, x + w, y + h


def _area(x0, y0, x1, y1):
    return max(x1 - x0, 0) * max(y1 - y0, 0) if x1 > x0 and y1 > y0 else 0


def _sample_distorted(image_size, bounding_boxes, min_object_covered, rand32, *,
                      aspect_ratio_range, area_range, max_attempts,
                      use_image_if_no_bounding_boxes):
    size = np.asarray(image_size)
    if size.ndim != 1:
        raise errors.InvalidArgumentError(None, None, f"image_size must be 1-dimensional"
                                                      f"{_dims(size.shape)}")
    if size.shape[0] != 3:
        raise errors.InvalidArgumentError(None, None, f"image_size must contain 3 elements"
                                                      f"{_dims(size.shape)}")
    height, width = int(size[0]), int(size[1])
    boxes = np.asarray(bounding_boxes, np.float32)
    if boxes.ndim != 3:
        raise errors.InvalidArgumentError(None, None, f"input boxes must be 3-dimensional "
                                                      f"[batch, num_boxes, coords]: "
                                                      f"{_dims(boxes.shape)}")
    if boxes.shape[-1] != 4:
        raise errors.InvalidArgumentError(None, None, f"bounding boxes must have shape [4] "
                                                      f"or [*, 4], got {_dims(boxes.shape)}")
    cover = float(np.asarray(min_object_covered))
    if cover < 0:
        raise errors.InvalidArgumentError(None, None, f"min_object_covered must be "
                                                      f"non-negative: {cover}")
    if max_attempts <= 0:
        raise errors.InvalidArgumentError(None, None, f"Max attempts must be > 0. Got "
                                                      f"{max_attempts}")
    rects = []
    for b in boxes.reshape(-1, 4):
        if np.any(b < 0) or np.any(b > 1):
            bad = b[(b < 0) | (b > 1)][0]
            raise errors.InvalidArgumentError(None, None, f"All bounding box coordinates "
                                                          f"must be in [0.0, 1.0]: {bad:g}")
        rects.append((int(b[1] * np.float32(width)), int(b[0] * np.float32(height)),
                      int(b[3] * np.float32(width)), int(b[2] * np.float32(height))))
    if not rects:
        if not use_image_if_no_bounding_boxes:
            raise errors.InvalidArgumentError(
                None, None, "No bounding boxes provided as input. One must enable "
                            "use_image_if_no_bounding_boxes if you wish to not provide "
                            "any bounding boxes.")
        rects = [(0, 0, width, height)]
    lo_ar, hi_ar = (np.float32(v) for v in aspect_ratio_range)
    crop = None
    for _ in range(max_attempts):
        word = np.array([(rand32() & 0x7FFFFF) | 0x3F800000], np.uint32).view(np.float32)[0]
        ratio = (word - np.float32(1)) * (hi_ar - lo_ar) + lo_ar
        c = _random_crop_rect(width, height, area_range[0], area_range[1], ratio, rand32)
        if c is None or _area(*c) < 1:
            continue
        if any(_area(*r) >= 1 and _area(max(c[0], r[0]), max(c[1], r[1]), min(c[2], r[2]),
                                         min(c[3], r[3])) / _area(*r) >= cover
               for r in rects):
            crop = c
            break
    if crop is None:
        crop = (0, 0, width, height)
    x0, y0, x1, y1 = crop
    dt = size.dtype
    begin = np.array([y0, x0, 0], dt)
    out_size = np.array([y1 - y0, x1 - x0, -1], dt)
    bbox = np.array([[[y0 / height, x0 / width, y1 / height, x1 / width]]], np.float32)
    return begin, out_size, bbox


@register_kernel("StatelessSampleDistortedBoundingBox")
def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, min_object_covered,
                                            seed, *, aspect_ratio_range, area_range,
                                            max_attempts, use_image_if_no_bounding_boxes):
    attrs = dict(aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                 max_attempts=max_attempts,
                 use_image_if_no_bounding_boxes=use_image_if_no_bounding_boxes)
    from .random import stateless_random_get_key_counter, philox_words
    key, counter = stateless_random_get_key_counter(seed)
    stream = {"words": philox_words(key, counter, 4096), "next": 0}

    def rand32():
        if stream["next"] == stream["words"].shape[0]:    # more than 1024 blocks: extend
            stream["words"] = philox_words(key, counter, 2 * stream["next"])
        v = int(stream["words"][stream["next"]])
        stream["next"] += 1
        return v
    return _sample_distorted(image_size, bounding_boxes, min_object_covered, rand32, **attrs)


@register_kernel("SampleDistortedBoundingBoxV2")
def sample_distorted_bounding_box_v2(image_size, bounding_boxes, min_object_covered, *,
                                     seed, seed2, aspect_ratio_range, area_range,
                                     max_attempts, use_image_if_no_bounding_boxes, ctx, op):
    from .random import _generator
    attrs = dict(aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                 max_attempts=max_attempts,
                 use_image_if_no_bounding_boxes=use_image_if_no_bounding_boxes)
    g = _generator(ctx, op, seed, seed2)
    return _sample_distorted(image_size, bounding_boxes, min_object_covered,
                             lambda: int(g.integers(0, 2 ** 32, dtype=np.uint64)), **attrs)


# --- DrawBoundingBoxesV2 -----------------------------------------------------------------------

_DEFAULT_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1],
                            [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1], [0.5, 0, 0, 1],
                            [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]], np.float32)


@register_kernel("DrawBoundingBoxesV2")
def draw_bounding_boxes_v2(images, boxes, colors):
    x = np.asarray(images)
    bx = np.asarray(boxes, np.float32)
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"The rank of the images should be 4")
    if bx.ndim != 3:
        raise errors.InvalidArgumentError(None, None, "The rank of the boxes should be 3")
    if bx.shape[0] != x.shape[0]:
        raise errors.InvalidArgumentError(None, None, "The batch sizes should be the same")
    n, h, w, depth = x.shape
    if depth not in (1, 3, 4):
        raise errors.InvalidArgumentError(None, None, "Channel depth should be either 1 "
                                                      "(GRY), 3 (RGB), or 4 (RGBA)")
    table = np.asarray(colors, np.float32)
    table = _DEFAULT_COLORS.copy() if table.size == 0 else table.reshape(
        table.shape[0], -1).copy()
    if table.shape[1] < depth:
        raise errors.InvalidArgumentError(None, None, f"Color table must have at least "
                                                      f"{depth} channels")
    if depth == 1 and np.asarray(colors).size == 0:   # grey, default colours: white boxes
        table[:, 0] = 1
    out = x.copy()
    for b in range(n):
        for k in range(bx.shape[1]):
            color = table[k % table.shape[0], :depth].astype(x.dtype)
            # C's int cast truncates towards zero
            r0 = int(bx[b, k, 0] * np.float32(h - 1))
            c0 = int(bx[b, k, 1] * np.float32(w - 1))
            r1 = int(bx[b, k, 2] * np.float32(h - 1))
            c1 = int(bx[b, k, 3] * np.float32(w - 1))
            if r0 > r1 or c0 > c1 or r0 >= h or r1 < 0 or c0 >= w or c1 < 0:
                continue               # TF logs a warning and skips the box
            r0c, r1c = max(r0, 0), min(r1, h - 1)
            c0c, c1c = max(c0, 0), min(c1, w - 1)
            if r0 >= 0:
                out[b, r0, c0c:c1c + 1] = color
            if r1 < h:
                out[b, r1, c0c:c1c + 1] = color
            if c0 >= 0:
                out[b, r0c:r1c + 1, c0] = color
            if c1 < w:
                out[b, r0c:r1c + 1, c1] = color
    return out
