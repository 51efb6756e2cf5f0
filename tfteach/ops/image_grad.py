"""Gradients of the image ops (ops/image_ops.py): each resize's gradient is its own op, as
in TF, and so are CropAndResize's (for the image and for the boxes); ExtractImagePatches'
sums the patch gradients back onto their pixels and RGBToHSV's is derived per pixel. The
adjustment ops, ResizeArea and the box selections have none in TF 2.21 and so none here."""
from ..framework import dtypes as _dt
from . import array_ops
from . import image_ops  # noqa: F401 - the op declarations come first
from ..framework import registry
from .math_grad import _op1


def _attrs(op):
    return {"align_corners": op.get_attr("align_corners"),
            "half_pixel_centers": op.get_attr("half_pixel_centers")}


@registry.RegisterGradient("ResizeBilinear")
@registry.api("ResizeBilinearGrad")
def _resize_bilinear_grad(op, grad):
    return [_op1("ResizeBilinearGrad", [grad, op.inputs[0]], _attrs(op)), None]


@registry.RegisterGradient("ResizeBicubic")
@registry.api("ResizeBicubicGrad")
def _resize_bicubic_grad(op, grad):
    grad0 = None
    if op.inputs[0].dtype.base_dtype in (_dt.float32, _dt.float64):
        grad0 = _op1("ResizeBicubicGrad", [grad, op.inputs[0]], _attrs(op))
    return [grad0, None]


@registry.RegisterGradient("ResizeNearestNeighbor")
@registry.api("ResizeNearestNeighborGrad")
def _resize_nearest_neighbor_grad(op, grad):
    image = op.inputs[0]
    dims = image.shape.as_list()[1:3] if image.shape.rank is not None else [None, None]
    if None in dims:
        size = array_ops.shape(image)[1:3]
    else:
        from .constant_op import constant
        size = constant(dims, dtype=_dt.int32)
    return [_op1("ResizeNearestNeighborGrad", [grad, size], _attrs(op)), None]


@registry.RegisterGradient("CropAndResize")
@registry.api("CropAndResizeGradImage")
@registry.api("CropAndResizeGradBoxes")
def _crop_and_resize_grad(op, grad):
    """Both the image's gradient (float images only) and the box coordinates'."""
    image = op.inputs[0]
    if image.shape.is_fully_defined():
        from .constant_op import constant
        size = constant(image.shape.as_list(), dtype=_dt.int32)
    else:
        size = array_ops.shape(image)
    g_image = None
    if image.dtype.base_dtype in (_dt.float16, _dt.float32, _dt.float64):
        g_image = _op1("CropAndResizeGradImage", [grad, op.inputs[1], op.inputs[2], size],
                       {"T": image.dtype.base_dtype, "method": op.get_attr("method")})
    # TF differentiates the boxes bilinearly whatever the method
    g_boxes = _op1("CropAndResizeGradBoxes", [grad, image, op.inputs[1], op.inputs[2]],
                   {"method": "bilinear"})
    return [g_image, g_boxes, None, None]


@registry.RegisterGradient("ExtractImagePatches")
def _extract_image_patches_grad(op, grad):
    """Each patch element came from one source pixel (or the zero padding): the gradient
    sums the patch gradients onto their pixels (UnsortedSegmentSum over a static index
    map, padding sent to an extra segment that is dropped)."""
    import numpy as np
    from ..kernels.shapes import patch_index
    from .constant_op import constant
    n, h, w, c = op.inputs[0].shape.as_list()
    if None in (h, w, c):
        raise NotImplementedError("tfteach's ExtractImagePatches gradient needs the image "
                                  "height, width and depth known when the graph is built.")
    idx = patch_index(h, w, op.get_attr("ksizes"), op.get_attr("strides"),
                      op.get_attr("rates"), op.get_attr("padding"))
    oh, ow, kh, kw = idx.shape
    seg = np.where(idx < 0, h * w, idx).reshape(-1).astype(np.int32)
    # [batch, oh, ow, kh * kw * c] -> [oh * ow * kh * kw, batch, c]
    g = array_ops.reshape(grad, [-1, oh * ow * kh * kw, c])
    g = array_ops.transpose(g, [1, 0, 2])
    summed = _op1("UnsortedSegmentSum", [g, constant(seg), constant(h * w + 1)])
    summed = array_ops.reshape(summed[:h * w], [h, w, -1, c])
    return [array_ops.transpose(summed, [2, 0, 1, 3])]


@registry.RegisterGradient("RGBToHSV")
def _rgb_to_hsv_grad(op, grad):
    """d(h, s, v) / d(r, g, b), derived per pixel from which component is the largest (v)
    and which the smallest, ties broken as TF's kernel breaks them (red, then green, is
    the largest; blue, then green, the smallest):
      v = max:            dv/dmax = 1
      s = 1 - min / max:  ds/dmax = min / max^2, ds/dmin = -1 / max   (0 where max = 0)
      h = (p - q) / (6 range) + k/3, (p, q) the two other components in wheel order:
          dh/dx = (d(p - q)/dx * range - (p - q) * d range/dx) / (6 range^2)"""
    from . import math_ops
    rgb = op.inputs[0]
    dt = rgb.dtype.base_dtype
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    f = lambda c: math_ops.cast(c, dt)  # noqa: E731
    ge, gt, le, lt = (math_ops.greater_equal, math_ops.greater, math_ops.less_equal,
                      math_ops.less)
    and_ = math_ops.logical_and
    big = [f(and_(ge(r, b), ge(r, g))), f(and_(gt(g, r), ge(g, b))),
           f(and_(gt(b, r), gt(b, g)))]
    small = [f(and_(lt(r, b), lt(r, g))), f(and_(le(g, r), lt(g, b))),
             f(and_(le(b, r), le(b, g)))]
    vmax = math_ops.maximum(math_ops.maximum(r, g), b)
    vmin = math_ops.minimum(math_ops.minimum(r, g), b)
    rng = vmax - vmin
    safe = lambda x: array_ops.where_v2(gt(x, 0), x, array_ops.ones_like(x))  # noqa: E731
    inv_max = f(gt(vmax, 0)) / safe(vmax)
    has_hue = f(gt(rng, 0))
    inv_rng2 = has_hue / (6 * safe(rng) * safe(rng))
    # p - q of the hue formula, and its derivative in r, g, b, for each largest component
    num = big[0] * (g - b) + big[1] * (b - r) + big[2] * (r - g)
    dnum = [big[1] * -1 + big[2], big[0] - big[2], big[1] - big[0]]
    gh, gs, gv = grad[..., 0], grad[..., 1], grad[..., 2]
    out = []
    for k in range(3):
        dv = big[k]
        ds = (big[k] * vmin * inv_max * inv_max - small[k] * inv_max)
        dh = (dnum[k] * rng - num * (big[k] - small[k])) * inv_rng2
        out.append(gh * dh + gs * ds + gv * dv)
    return [array_ops.stack(out, axis=-1)]
