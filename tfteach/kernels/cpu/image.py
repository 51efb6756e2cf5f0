"""CPU kernels of the image ops (ops/image_ops.py): resizes and their gradients, contrast
and saturation. NumPy, vectorised over the batch and channels; the arithmetic is float32
in TF's order so results agree with TF to float32 rounding.

Sampling grids (TF's): scale = in / out, or (in - 1) / (out - 1) with align_corners. A
half-pixel grid samples output pixel i at (i + 0.5) * scale - 0.5 for bilinear and
(i + 0.5) * scale for nearest; the legacy grid at i * scale. Bilinear reads the two
neighbours floor(x) and ceil(x), clamped into the image, weighted by x - floor(x); nearest
reads floor (round with align_corners), clamped."""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel


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
