"""`tf.image`: dtype conversion, colour (brightness, contrast, saturation, hue, gamma,
grayscale, HSV, YIQ, YUV), resizes (bilinear, nearest, bicubic, area), flips, rotations,
crops and pads, random augmentation (stateful, and stateless with TF's Philox values),
quality measures (psnr, ssim, ms-ssim, total variation), edges, patches and glimpses, and
boxes (non-max suppression, crop_and_resize, sampling and drawing).

Where TF has a dedicated op so does tfteach (ResizeBilinear/NearestNeighbor/Bicubic/Area,
AdjustContrastv2, AdjustSaturation, AdjustHue, RGBToHSV, HSVToRGB, ExtractImagePatches,
ExtractGlimpse(V2), CropAndResize, NonMaxSuppressionV3/V5/WithOverlaps,
CombinedNonMaxSuppression, (Stateless)SampleDistortedBoundingBox, DrawBoundingBoxesV2); their
kernels are in kernels/cpu/image.py (and kernels/cuda/image.py for those TF runs on a GPU).
Everything else is built from ordinary ops, as in TF. Resizes follow TF's sampling rules:
TF2's `tf.image.resize` samples at half-pixel centres, TF1's `resize_bilinear`/`resize_*`
by default at the corners of the pixel grid (`align_corners` pins the corner pixels)."""
import numbers

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape
from . import array_ops, math_ops, shape_rules

_RESIZE_ATTRS = {"align_corners": False, "half_pixel_centers": False}


def _resize_shape(op):
    x = op.inputs[0].shape
    shape_rules.require_rank(op, x, 4)
    size = shape_rules.const_input(op, 1)
    d = [None] * 4 if x.rank is None else list(x.as_tuple())
    if size is not None:
        size = np.reshape(size, -1)
        if size.size != 2:
            raise op.shape_error(f"Dimension must be 2 but is {size.size}")
        d[1], d[2] = int(size[0]), int(size[1])
    else:
        d[1] = d[2] = None
    return [TensorShape(d)]


def _grad_shape_from_input(i):
    return lambda op: [op.inputs[i].shape]


def _nn_grad_shape(op):
    g = op.inputs[0].shape
    size = shape_rules.const_input(op, 1)
    d = [None] * 4 if g.rank is None else list(g.as_tuple())
    if size is None:
        d[1] = d[2] = None
    else:
        d[1], d[2] = (int(v) for v in np.reshape(size, -1))
    return [TensorShape(d)]


registry.register_op(
    "ResizeBilinear", inputs=(("images", "T"), ("size", _dt.int32)),
    outputs=(("resized_images", _dt.float32),), shape=_resize_shape,
    attr_defaults=_RESIZE_ATTRS,
    doc="Bilinear resampling of NHWC images to `size` (float32 result).")
registry.register_op(
    "ResizeBilinearGrad", inputs=(("grads", _dt.float32), ("original_image", "T")),
    outputs=(("output", "T"),), shape=_grad_shape_from_input(1),
    attr_defaults=_RESIZE_ATTRS,
    doc="ResizeBilinear's gradient: output gradients spread on their four source pixels.")
registry.register_op(
    "ResizeNearestNeighbor", inputs=(("images", "T"), ("size", _dt.int32)),
    outputs=(("resized_images", "T"),), shape=_resize_shape, attr_defaults=_RESIZE_ATTRS,
    doc="Nearest-neighbour resampling of NHWC images to `size`.")
registry.register_op(
    "ResizeNearestNeighborGrad", inputs=(("grads", "T"), ("size", _dt.int32)),
    outputs=(("output", "T"),), shape=_nn_grad_shape, attr_defaults=_RESIZE_ATTRS,
    doc="ResizeNearestNeighbor's gradient: output gradients summed onto their source pixels.")
registry.register_op(
    "AdjustContrastv2", inputs=(("images", "T"), ("contrast_factor", _dt.float32)),
    outputs=(("output", "T"),), shape=lambda op: [op.inputs[0].shape],
    doc="(x - mean) * contrast_factor + mean, the mean per image and channel.")
registry.register_op(
    "AdjustSaturation", inputs=(("images", "T"), ("scale", _dt.float32)),
    outputs=(("output", "T"),), shape=lambda op: [op.inputs[0].shape],
    doc="RGB images with their HSV saturation scaled by `scale` (clipped to [0, 1]).")
registry.register_op(
    "ResizeBicubic", inputs=(("images", "T"), ("size", _dt.int32)),
    outputs=(("resized_images", _dt.float32),), shape=_resize_shape,
    attr_defaults=_RESIZE_ATTRS,
    doc="Bicubic resampling of NHWC images to `size` (float32 result).")
registry.register_op(
    "ResizeBicubicGrad", inputs=(("grads", _dt.float32), ("original_image", "T")),
    outputs=(("output", "T"),), shape=_grad_shape_from_input(1),
    attr_defaults=_RESIZE_ATTRS,
    doc="ResizeBicubic's gradient: output gradients spread on their 16 source pixels.")
registry.register_op(
    "ResizeArea", inputs=(("images", "T"), ("size", _dt.int32)),
    outputs=(("resized_images", _dt.float32),), shape=_resize_shape,
    attr_defaults={"align_corners": False},
    doc="Area resampling: each output pixel the mean of the input area it covers.")
for _t in ("ResizeBilinearGrad", "ResizeNearestNeighborGrad", "AdjustContrastv2",
           "AdjustSaturation", "ResizeBicubicGrad"):
    registry.NotDifferentiable(_t)


# --- dtype conversion --------------------------------------------------------------------------

def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Integers span [0, MAX]; floats span [0, 1]: values are rescaled between the two."""
    dtype = _dt.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    with _ops.name_scope(name, "convert_image", [image]) as name:
        image = _ops.convert_to_tensor(image, name="image")
        src = image.dtype.base_dtype
        if not src.is_floating and not src.is_integer:
            raise AttributeError("image dtype must be either floating point or integer")
        if src == dtype:
            return array_ops.identity(image, name=name)
        if src.is_integer and dtype.is_integer:
            if src.max > dtype.max:
                scaled = math_ops.floordiv(image, (src.max + 1) // (dtype.max + 1))
                cast = math_ops.saturate_cast if saturate else math_ops.cast
                return cast(scaled, dtype, name=name)
            cast = (math_ops.saturate_cast if saturate else math_ops.cast)(image, dtype)
            return math_ops.multiply(cast, (dtype.max + 1) // (src.max + 1), name=name)
        if src.is_floating and dtype.is_floating:
            return math_ops.cast(image, dtype, name=name)
        if src.is_integer:
            cast = math_ops.cast(image, dtype)
            return math_ops.multiply(cast, 1.0 / src.max, name=name)
        # + 0.5 keeps values just below an integer from rounding down in the cast
        scaled = math_ops.multiply(image, dtype.max + 0.5)
        return (math_ops.saturate_cast if saturate else math_ops.cast)(scaled, dtype,
                                                                       name=name)


def _float_image(image):
    image = _ops.convert_to_tensor(image, name="image")
    orig = image.dtype.base_dtype
    if orig in (_dt.float16, _dt.float32):
        return image, orig
    return convert_image_dtype(image, _dt.float32), orig


# --- adjustments -------------------------------------------------------------------------------

def adjust_brightness(image, delta):
    with _ops.name_scope(None, "adjust_brightness", [image, delta]) as name:
        flt, orig = _float_image(image)
        adjusted = math_ops.add(flt, math_ops.cast(delta, flt.dtype.base_dtype), name=name)
        return convert_image_dtype(adjusted, orig, saturate=True)


@registry.api("AdjustContrastv2")
def adjust_contrast(images, contrast_factor):
    with _ops.name_scope(None, "adjust_contrast", [images, contrast_factor]) as name:
        flt, orig = _float_image(images)
        adjusted = apply_op("AdjustContrastv2", [flt, math_ops.cast(contrast_factor,
                                                                    _dt.float32)],
                            name=name)[0]
        return convert_image_dtype(adjusted, orig, saturate=True)


@registry.api("AdjustSaturation")
def adjust_saturation(image, saturation_factor, name=None):
    with _ops.name_scope(name, "adjust_saturation", [image]) as name:
        flt, orig = _float_image(image)
        adjusted = apply_op("AdjustSaturation", [flt, math_ops.cast(saturation_factor,
                                                                    _dt.float32)],
                            name=name)[0]
        return convert_image_dtype(adjusted, orig, saturate=True)


def rgb_to_grayscale(images, name=None):
    """The luma of RGB images (ITU-R BT.601 weights), keeping a last axis of size 1."""
    from . import linalg_ops
    with _ops.name_scope(name, "rgb_to_grayscale", [images]) as name:
        images = _ops.convert_to_tensor(images, name="images")
        orig = images.dtype.base_dtype
        flt = convert_image_dtype(images, _dt.float32)
        weights = _ops.convert_to_tensor([0.2989, 0.5870, 0.1140], dtype=_dt.float32)
        gray = linalg_ops.tensordot(flt, weights, [-1, -1])
        gray = array_ops.expand_dims(gray, -1)
        return convert_image_dtype(gray, orig, name=name)


def grayscale_to_rgb(images, name=None):
    with _ops.name_scope(name, "grayscale_to_rgb", [images]) as name:
        images = _ops.convert_to_tensor(images, name="images")
        last = images.shape.as_list()[-1] if images.shape.rank else None
        if last is not None and last != 1:
            raise ValueError(f"Last dimension of a grayscale image should be size 1, got "
                             f"{images.shape}.")
        rank = images.shape.rank
        if rank is None:
            raise ValueError("grayscale_to_rgb needs an image of known rank in tfteach.")
        return array_ops.tile(images, [1] * (rank - 1) + [3], name=name)


# --- geometry ----------------------------------------------------------------------------------

def _image_rank(image, what="image", require=(3, 4)):
    rank = image.shape.rank
    if rank is None:
        raise ValueError(f"'{what}' must have either 3 or 4 dimensions (tfteach needs the "
                         f"rank statically).")
    if rank < 3:
        raise ValueError(f"'{what}' (shape {image.shape}) must be at least three-dimensional.")
    if rank not in require:
        raise ValueError(f"'{what}' must have either 3 or 4 dimensions.")
    return rank


def flip_left_right(image):
    with _ops.name_scope(None, "flip_left_right", [image]):
        image = _ops.convert_to_tensor(image, name="image")
        return array_ops.reverse(image, [_image_rank(image) - 2])


def flip_up_down(image):
    with _ops.name_scope(None, "flip_up_down", [image]):
        image = _ops.convert_to_tensor(image, name="image")
        return array_ops.reverse(image, [_image_rank(image) - 3])


def rot90(image, k=1, name=None):
    """Rotates counter-clockwise by k quarter turns (k a Python or constant integer)."""
    from ..framework import tensor_util
    with _ops.name_scope(name, "rot90", [image, k]):
        image = _ops.convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        kv = k if isinstance(k, numbers.Integral) else tensor_util.constant_value(
            _ops.convert_to_tensor(k))
        if kv is None:
            raise NotImplementedError("tfteach's rot90 needs k known when the graph is "
                                      "built (a Python int or a constant).")
        kv = int(kv) % 4
        h, w = rank - 3, rank - 2
        perm = list(range(rank))
        perm[h], perm[w] = w, h
        if kv == 0:
            return image
        if kv == 1:
            return array_ops.transpose(array_ops.reverse(image, [w]), perm)
        if kv == 2:
            return array_ops.reverse(image, [h, w])
        return array_ops.reverse(array_ops.transpose(image, perm), [w])


def transpose(image, name=None):
    with _ops.name_scope(name, "transpose", [image]):
        image = _ops.convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        return array_ops.transpose(image, [1, 0, 2] if rank == 3 else [0, 2, 1, 3],
                                   name=name)


def central_crop(image, central_fraction):
    with _ops.name_scope(None, "central_crop", [image]):
        image = _ops.convert_to_tensor(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        rank = _image_rank(image)
        dims = image.shape.as_list()
        h, w = dims[rank - 3], dims[rank - 2]
        if h is None or w is None:
            raise NotImplementedError("tfteach's central_crop needs the image height and "
                                      "width known when the graph is built.")
        top = int((h - h * central_fraction) / 2)
        left = int((w - w * central_fraction) / 2)
        begin = [top, left, 0] if rank == 3 else [0, top, left, 0]
        size = [h - 2 * top, w - 2 * left, -1] if rank == 3 else \
            [-1, h - 2 * top, w - 2 * left, -1]
        return array_ops.slice(image, begin, size)


def per_image_standardization(image):
    """(x - mean) / max(stddev, 1 / sqrt(pixels)) per image, in float32."""
    with _ops.name_scope(None, "per_image_standardization", [image]) as scope:
        image = _ops.convert_to_tensor(image, name="image")
        _image_rank(image, require=(3, 4, 5, 6, 7, 8))
        image = convert_image_dtype(image, _dt.float32)
        num_pixels = math_ops.reduce_prod(array_ops.shape(image)[-3:])
        mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        stddev = math_ops.reduce_std(image, axis=[-1, -2, -3], keepdims=True)
        min_stddev = math_ops.rsqrt(math_ops.cast(num_pixels, _dt.float32))
        adjusted = math_ops.maximum(stddev, min_stddev)
        return math_ops.divide(image - mean, adjusted, name=scope)


# --- resizing ----------------------------------------------------------------------------------

class ResizeMethod:
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


class ResizeMethodV1:
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def _resize_common(images, size, method_op, attrs, preserve_aspect_ratio, skip_if_same,
                   name):
    images = _ops.convert_to_tensor(images, name="images")
    rank = images.shape.rank
    if rank is None:
        raise ValueError("'images' contains no shape.")
    if rank not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    size = _ops.convert_to_tensor(size, dtype=_dt.int32, name="size")
    if not size.shape.is_compatible_with(TensorShape([2])):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    if rank == 3:
        images = array_ops.expand_dims(images, 0)
    from ..framework import tensor_util
    target = tensor_util.constant_value(size)
    h, w = images.shape.as_list()[1:3]
    if preserve_aspect_ratio:
        if target is None or h is None or w is None:
            raise NotImplementedError("tfteach's preserve_aspect_ratio needs the image and "
                                      "target sizes known when the graph is built.")
        scale = min(target[0] / h, target[1] / w)
        target = np.array([int(round(h * scale)), int(round(w * scale))], np.int32)
        size = _ops.convert_to_tensor(target, dtype=_dt.int32)
    if skip_if_same and target is not None and [h, w] == [int(target[0]), int(target[1])]:
        out = images
    else:
        out = apply_op(method_op, [images, size], attrs, name=method_op)[0]
    if rank == 3:
        out = array_ops.squeeze(out, axis=[0])
    return out


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """TF2's resize: half-pixel centres; bilinear gives float32, nearest keeps the dtype."""
    if antialias:
        raise NotImplementedError("tfteach's tf.image.resize does not implement "
                                  "antialias=True yet.")
    ops_by_method = {ResizeMethod.BILINEAR: "ResizeBilinear",
                     ResizeMethod.NEAREST_NEIGHBOR: "ResizeNearestNeighbor",
                     ResizeMethod.BICUBIC: "ResizeBicubic", ResizeMethod.AREA: "ResizeArea"}
    if method not in ops_by_method:
        known = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")
        if method in known:
            raise NotImplementedError(f"tfteach's tf.image.resize implements the bilinear, "
                                      f"nearest, bicubic and area methods; {method!r} is "
                                      f"not implemented yet.")
        raise ValueError(f"Resize method is not implemented: {method}")
    attrs = {"align_corners": False} if method == ResizeMethod.AREA else \
        {"align_corners": False, "half_pixel_centers": True}
    with _ops.name_scope(name, "resize", [images, size]):
        return _resize_common(images, size, ops_by_method[method], attrs,
                              preserve_aspect_ratio, False, name)


def resize_images(images, size, method=ResizeMethodV1.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """TF1's resize (`tf.compat.v1.image.resize`): corner-aligned sampling grid."""
    ops_by_method = {ResizeMethodV1.BILINEAR: "ResizeBilinear",
                     ResizeMethodV1.NEAREST_NEIGHBOR: "ResizeNearestNeighbor",
                     ResizeMethodV1.BICUBIC: "ResizeBicubic", ResizeMethodV1.AREA: "ResizeArea",
                     "bilinear": "ResizeBilinear", "nearest": "ResizeNearestNeighbor",
                     "bicubic": "ResizeBicubic", "area": "ResizeArea"}
    if method not in ops_by_method:
        raise ValueError("Resize method is not implemented: %s" % (method,))
    op = ops_by_method[method]
    attrs = {"align_corners": bool(align_corners)}
    if op != "ResizeArea":
        attrs["half_pixel_centers"] = False
    with _ops.name_scope(name, "resize", [images, size]):
        return _resize_common(images, size, op, attrs, preserve_aspect_ratio, True, name)


@registry.api("ResizeBilinear")
def resize_bilinear(images, size, align_corners=False, half_pixel_centers=False, name=None):
    return apply_op("ResizeBilinear", [images, size],
                    {"align_corners": bool(align_corners),
                     "half_pixel_centers": bool(half_pixel_centers)},
                    name=name or "ResizeBilinear")[0]


@registry.api("ResizeBicubic")
def resize_bicubic(images, size, align_corners=False, half_pixel_centers=False, name=None):
    return apply_op("ResizeBicubic", [images, size],
                    {"align_corners": bool(align_corners),
                     "half_pixel_centers": bool(half_pixel_centers)},
                    name=name or "ResizeBicubic")[0]


@registry.api("ResizeArea")
def resize_area(images, size, align_corners=False, name=None):
    return apply_op("ResizeArea", [images, size], {"align_corners": bool(align_corners)},
                    name=name or "ResizeArea")[0]


@registry.api("ResizeNearestNeighbor")
def resize_nearest_neighbor(images, size, align_corners=False, half_pixel_centers=False,
                            name=None):
    return apply_op("ResizeNearestNeighbor", [images, size],
                    {"align_corners": bool(align_corners),
                     "half_pixel_centers": bool(half_pixel_centers)},
                    name=name or "ResizeNearestNeighbor")[0]


_V2 = ("convert_image_dtype", "adjust_brightness", "adjust_contrast", "adjust_saturation",
       "rgb_to_grayscale", "grayscale_to_rgb", "flip_left_right", "flip_up_down", "rot90",
       "transpose", "central_crop", "per_image_standardization", "resize", "ResizeMethod")


# =============================================================================================
# The rest of tf.image: colour spaces, hue, gamma, crops and pads, random augmentation,
# quality measures, edges, patches, boxes (non-max suppression, crop_and_resize, drawing).
# Where TF has a dedicated op (AdjustHue, RGBToHSV, HSVToRGB, ExtractImagePatches,
# CropAndResize, NonMaxSuppressionV3/V5, DrawBoundingBoxesV2) so does tfteach; the rest is
# composed of ordinary ops, as TF composes it.
# =============================================================================================

def _same_shape(op):
    return [op.inputs[0].shape]


def _three_channels(op):
    x = op.inputs[0].shape
    if x.rank is not None:
        if x.rank < 1:
            raise op.shape_error(f"Shape must be at least rank 1 but is rank {x.rank}")
        last = x.as_list()[-1]
        if last is not None and last != 3:
            raise op.shape_error(f"Dimension must be 3 but is {last}")
    return [x]


registry.register_op(
    "AdjustHue", inputs=(("images", "T"), ("delta", _dt.float32)),
    outputs=(("output", "T"),), shape=_three_channels,
    doc="RGB images with `delta` (a fraction of the colour wheel) added to their hue.")
registry.register_op(
    "RGBToHSV", inputs=(("images", "T"),), outputs=(("output", "T"),), shape=_three_channels,
    doc="RGB to HSV, each component in [0, 1] (hue a fraction of the colour wheel).")
registry.register_op(
    "HSVToRGB", inputs=(("images", "T"),), outputs=(("output", "T"),), shape=_three_channels,
    doc="HSV to RGB, the inverse of RGBToHSV.")


def _window(n, k, stride, rate, padding):
    """(output length, padding before) of one spatial axis of a dilated sliding window."""
    from ..kernels import shapes        # shared with the kernels; loaded on first use
    return (None, None) if n is None else shapes.conv_padding(n, k, stride, rate, padding)


def _patches_shape(op):
    x = op.inputs[0].shape
    shape_rules.require_rank(op, x, 4)
    ks, st, rt = (op.get_attr(a) for a in ("ksizes", "strides", "rates"))
    for a, v in (("ksizes", ks), ("strides", st), ("rates", rt)):
        if len(v) != 4:
            raise op.shape_error(f"ExtractImagePatches requires the {a} attribute to "
                                 f"contain 4 values, but got: {len(v)}")
    if x.rank is None:
        return [TensorShape([None] * 4)]
    b, h, w, c = x.as_list()
    pad = op.get_attr("padding")
    oh = _window(h, ks[1], st[1], rt[1], pad)[0]
    ow = _window(w, ks[2], st[2], rt[2], pad)[0]
    return [TensorShape([b, oh, ow, None if c is None else ks[1] * ks[2] * c])]


registry.register_op(
    "ExtractImagePatches", inputs=(("images", "T"),), outputs=(("patches", "T"),),
    shape=_patches_shape,
    attr_defaults={"ksizes": None, "strides": None, "rates": None, "padding": None},
    doc="Each (dilated) ksize window of NHWC images flattened into the depth axis.")


def _crop_and_resize_shape(op):
    img, boxes, ind = (t.shape for t in op.inputs[:3])
    shape_rules.require_rank(op, img, 4)
    shape_rules.require_rank(op, boxes, 2)
    shape_rules.require_rank(op, ind, 1)
    size = shape_rules.const_input(op, 3)
    n = boxes.as_list()[0] if boxes.rank is not None else None
    if n is None and ind.rank is not None:
        n = ind.as_list()[0]
    c = img.as_list()[3] if img.rank is not None else None
    ch = cw = None
    if size is not None:
        size = np.reshape(size, -1)
        if size.size != 2:
            raise op.shape_error(f"Dimension must be 2 but is {size.size}")
        ch, cw = int(size[0]), int(size[1])
    return [TensorShape([n, ch, cw, c])]


registry.register_op(
    "CropAndResize", inputs=(("image", "T"), ("boxes", _dt.float32),
                             ("box_ind", _dt.int32), ("crop_size", _dt.int32)),
    outputs=(("crops", _dt.float32),), shape=_crop_and_resize_shape,
    attr_defaults={"method": "bilinear", "extrapolation_value": 0.0},
    doc="Crops of `image` (normalised boxes) resampled to `crop_size` (float32).")
registry.register_op(
    "CropAndResizeGradImage", inputs=(("grads", _dt.float32), ("boxes", _dt.float32),
                                      ("box_ind", _dt.int32), ("image_size", _dt.int32)),
    outputs=(("output", "T"),),
    shape=lambda op: [TensorShape([int(v) for v in np.reshape(
        shape_rules.const_input(op, 3), -1)]) if shape_rules.const_input(op, 3) is not None
        else TensorShape([None] * 4)],
    attr_defaults={"method": "bilinear"},
    doc="CropAndResize's gradient for the image: crop gradients spread on source pixels.")
registry.register_op(
    "CropAndResizeGradBoxes", inputs=(("grads", _dt.float32), ("image", "T"),
                                      ("boxes", _dt.float32), ("box_ind", _dt.int32)),
    outputs=(("output", _dt.float32),), shape=lambda op: [op.inputs[2].shape],
    attr_defaults={"method": "bilinear"},
    doc="CropAndResize's gradient for the box coordinates (bilinear).")


def _nms_shape(op):
    boxes, scores = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank(op, boxes, 2)
    shape_rules.require_rank(op, scores, 1)
    shape_rules.require_rank(op, op.inputs[2].shape, 0)
    if boxes.rank is not None and boxes.as_list()[1] not in (None, 4):
        raise op.shape_error(f"Dimension must be 4 but is {boxes.as_list()[1]}")
    return TensorShape([None])


registry.register_op(
    "NonMaxSuppressionV3",
    inputs=(("boxes", "T"), ("scores", "T"), ("max_output_size", _dt.int32),
            ("iou_threshold", "T_threshold"), ("score_threshold", "T_threshold")),
    outputs=(("selected_indices", _dt.int32),), shape=lambda op: [_nms_shape(op)],
    doc="Greedy non-max suppression: indices of the kept boxes, best score first.")


def _nms_v5_shape(op):
    sel = _nms_shape(op)
    if op.get_attr("pad_to_max_output_size"):
        m = shape_rules.const_input(op, 2)
        sel = TensorShape([None if m is None else int(m)])
    return [sel, sel, TensorShape([])]


registry.register_op(
    "NonMaxSuppressionV5",
    inputs=(("boxes", "T"), ("scores", "T"), ("max_output_size", _dt.int32),
            ("iou_threshold", "T"), ("score_threshold", "T"), ("soft_nms_sigma", "T")),
    outputs=(("selected_indices", _dt.int32), ("selected_scores", "T"),
             ("valid_outputs", _dt.int32)),
    shape=_nms_v5_shape, attr_defaults={"pad_to_max_output_size": False},
    doc="Non-max suppression with (Soft-NMS) rescored scores, optionally padded.")
registry.register_op(
    "NonMaxSuppressionWithOverlaps",
    inputs=(("overlaps", _dt.float32), ("scores", _dt.float32), ("max_output_size", _dt.int32),
            ("overlap_threshold", _dt.float32), ("score_threshold", _dt.float32)),
    outputs=(("selected_indices", _dt.int32),), shape=lambda op: [TensorShape([None])],
    doc="Greedy non-max suppression over a given box-to-box overlap matrix.")


def _combined_nms_shape(op):
    b, s = op.inputs[0].shape, op.inputs[1].shape
    shape_rules.require_rank(op, b, 4)
    shape_rules.require_rank(op, s, 3)
    batch = b.as_list()[0] if b.rank is not None else None
    per_class = shape_rules.const_input(op, 2)
    total = shape_rules.const_input(op, 3)
    size = None if total is None else int(total)
    if op.get_attr("pad_per_class") and size is not None:
        classes = s.as_list()[2] if s.rank is not None else None
        size = None if per_class is None or classes is None else min(
            size, int(per_class) * classes)
    return [TensorShape([batch, size, 4]), TensorShape([batch, size]),
            TensorShape([batch, size]), TensorShape([batch])]


registry.register_op(
    "CombinedNonMaxSuppression",
    inputs=(("boxes", _dt.float32), ("scores", _dt.float32),
            ("max_output_size_per_class", _dt.int32), ("max_total_size", _dt.int32),
            ("iou_threshold", _dt.float32), ("score_threshold", _dt.float32)),
    outputs=(("nmsed_boxes", _dt.float32), ("nmsed_scores", _dt.float32),
             ("nmsed_classes", _dt.float32), ("valid_detections", _dt.int32)),
    shape=_combined_nms_shape, attr_defaults={"pad_per_class": False, "clip_boxes": True},
    doc="Per-class non-max suppression of a batch, the best detections over all classes.")
def _glimpse_shape(op):
    x = op.inputs[0].shape
    shape_rules.require_rank(op, x, 4)
    size = shape_rules.const_input(op, 1)
    d = [None] * 4 if x.rank is None else list(x.as_tuple())
    if size is not None and np.size(size) == 2:
        d[1], d[2] = (int(v) for v in np.reshape(size, -1))
    else:
        d[1] = d[2] = None
    return [TensorShape(d)]


_GLIMPSE_ATTRS = {"centered": True, "normalized": True, "uniform_noise": True,
                  "noise": "uniform"}
for _t, _doc in (("ExtractGlimpse", "Glimpses (windows) of `size` at `offsets`, the "
                  "half-window subtracted from every offset (TF1's op)."),
                 ("ExtractGlimpseV2", "Glimpses (windows) of `size` at `offsets`: their "
                  "centres when centered, else their top-left corners.")):
    registry.register_op(
        _t, inputs=(("input", _dt.float32), ("size", _dt.int32), ("offsets", _dt.float32)),
        outputs=(("glimpse", _dt.float32),), shape=_glimpse_shape,
        attr_defaults=dict(_GLIMPSE_ATTRS), doc=_doc)
    registry.NotDifferentiable(_t)
_SDBB_ATTRS = {"aspect_ratio_range": [0.75, 1.33], "area_range": [0.05, 1.0],
               "max_attempts": 100, "use_image_if_no_bounding_boxes": False}
_SDBB_OUT = (("begin", "T"), ("size", "T"), ("bboxes", _dt.float32))


def _sdbb_shape(op):
    return [TensorShape([3]), TensorShape([3]), TensorShape([1, 1, 4])]


registry.register_op(
    "StatelessSampleDistortedBoundingBox",
    inputs=(("image_size", "T"), ("bounding_boxes", _dt.float32),
            ("min_object_covered", _dt.float32), ("seed", "Tseed")),
    outputs=_SDBB_OUT, shape=_sdbb_shape, attr_defaults=dict(_SDBB_ATTRS),
    doc="A random crop (begin, size, box) covering enough of some box; seeded: TF's crop.")
registry.register_op(
    "SampleDistortedBoundingBoxV2",
    inputs=(("image_size", "T"), ("bounding_boxes", _dt.float32),
            ("min_object_covered", _dt.float32)),
    outputs=_SDBB_OUT, shape=_sdbb_shape, stateful=True,
    attr_defaults=dict(_SDBB_ATTRS, seed=0, seed2=0),
    doc="A random crop (begin, size, box) covering enough of some box.")
registry.register_op(
    "DrawBoundingBoxesV2", inputs=(("images", "T"), ("boxes", _dt.float32),
                                   ("colors", _dt.float32)),
    outputs=(("output", "T"),), shape=_same_shape,
    doc="Images with one-pixel box outlines drawn in the colour table's colours.")
for _t in ("AdjustHue", "HSVToRGB", "NonMaxSuppressionV3", "NonMaxSuppressionV5",
           "NonMaxSuppressionWithOverlaps", "CombinedNonMaxSuppression",
           "StatelessSampleDistortedBoundingBox", "SampleDistortedBoundingBoxV2",
           "DrawBoundingBoxesV2", "CropAndResizeGradImage", "CropAndResizeGradBoxes"):
    registry.NotDifferentiable(_t)


def _static_int(v, what):
    """A Python int from an int or a tensor whose value is known when the graph is built."""
    from ..framework import tensor_util
    if isinstance(v, numbers.Integral):
        return int(v)
    c = tensor_util.constant_value(_ops.convert_to_tensor(v))
    if c is None:
        raise NotImplementedError(f"tfteach needs {what} known when the graph is built (a "
                                  f"Python int or a constant).")
    return int(c)


def _assert_py(cond, ex_type, msg):
    if not cond:
        raise ex_type(msg)


# --- colour spaces and hue ---------------------------------------------------------------------

@registry.api("RGBToHSV")
def rgb_to_hsv(images, name=None):
    return apply_op("RGBToHSV", [_ops.convert_to_tensor(images, name="images")],
                    name=name or "RGBToHSV")[0]


@registry.api("HSVToRGB")
def hsv_to_rgb(images, name=None):
    return apply_op("HSVToRGB", [_ops.convert_to_tensor(images, name="images")],
                    name=name or "HSVToRGB")[0]


# TF's matrices (rows: input channel, columns: output channel)
_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
               [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
               [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
               [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _color_matrix(images, matrix):
    from . import linalg_ops
    images = _ops.convert_to_tensor(images, name="images")
    kernel = _ops.convert_to_tensor(matrix, dtype=images.dtype, name="kernel")
    ndims = images.shape.rank
    return linalg_ops.tensordot(images, kernel, axes=[[ndims - 1], [0]])


def rgb_to_yiq(images):
    return _color_matrix(images, _RGB_TO_YIQ)


def yiq_to_rgb(images):
    return _color_matrix(images, _YIQ_TO_RGB)


def rgb_to_yuv(images):
    return _color_matrix(images, _RGB_TO_YUV)


def yuv_to_rgb(images):
    return _color_matrix(images, _YUV_TO_RGB)


@registry.api("AdjustHue")
def adjust_hue(image, delta, name=None):
    with _ops.name_scope(name, "adjust_hue", [image]) as name:
        flt, orig = _float_image(image)
        rgb = apply_op("AdjustHue", [flt, _ops.convert_to_tensor(delta, _dt.float32)])[0]
        return convert_image_dtype(rgb, orig)


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma on the [0, 1] float scale."""
    with _ops.name_scope(None, "adjust_gamma", [image, gamma, gain]):
        flt, orig = _float_image(image)
        if isinstance(gamma, numbers.Real):
            _assert_py(gamma >= 0, ValueError, "Gamma should be a non-negative real number.")
        else:
            from .assert_ops import Assert
            gamma = _ops.convert_to_tensor(gamma)
            check = Assert(math_ops.greater_equal(gamma, 0),
                           ["Gamma should be a non-negative real number."])
            from .control_flow_ops import with_dependencies
            gamma = with_dependencies([check], gamma)
        adjusted = gain * flt ** gamma
        return convert_image_dtype(adjusted, orig, saturate=True)


# --- crops and pads ----------------------------------------------------------------------------

def _batched(image, fn_name):
    image = _ops.convert_to_tensor(image, name="image")
    rank = image.shape.rank
    if rank is None:
        raise NotImplementedError(f"tfteach's {fn_name} needs the image rank known when "
                                  f"the graph is built.")
    if rank not in (3, 4):
        raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 "
                         f"dimensions.")
    if rank == 3:
        image = array_ops.expand_dims(image, 0)
    dims = image.shape.as_list()
    for d in dims[1:]:
        if d == 0:
            raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {image.shape}")
    return image, rank == 3, dims


def _static_hw(dims, fn_name):
    if dims[1] is None or dims[2] is None:
        raise NotImplementedError(f"tfteach's {fn_name} needs the image height and width "
                                  f"known when the graph is built.")
    return dims[1], dims[2]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    with _ops.name_scope(None, "crop_to_bounding_box", [image]):
        image, unbatch, dims = _batched(image, "crop_to_bounding_box")
        oh, ow = (_static_int(v, "the crop offsets") for v in (offset_height, offset_width))
        th, tw = (_static_int(v, "the crop size") for v in (target_height, target_width))
        height, width = _static_hw(dims, "crop_to_bounding_box")
        _assert_py(ow >= 0, ValueError, "offset_width must be >= 0.")
        _assert_py(oh >= 0, ValueError, "offset_height must be >= 0.")
        _assert_py(tw > 0, ValueError, "target_width must be > 0.")
        _assert_py(th > 0, ValueError, "target_height must be > 0.")
        _assert_py(width >= tw + ow, ValueError, "width must be >= target + offset.")
        _assert_py(height >= th + oh, ValueError, "height must be >= target + offset.")
        cropped = array_ops.slice(image, [0, oh, ow, 0], [-1, th, tw, -1])
        return array_ops.squeeze(cropped, axis=[0]) if unbatch else cropped


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    with _ops.name_scope(None, "pad_to_bounding_box", [image]):
        image, unbatch, dims = _batched(image, "pad_to_bounding_box")
        oh, ow = (_static_int(v, "the pad offsets") for v in (offset_height, offset_width))
        th, tw = (_static_int(v, "the target size") for v in (target_height, target_width))
        height, width = _static_hw(dims, "pad_to_bounding_box")
        after_w, after_h = tw - ow - width, th - oh - height
        _assert_py(oh >= 0, ValueError, "offset_height must be >= 0")
        _assert_py(ow >= 0, ValueError, "offset_width must be >= 0")
        _assert_py(after_w >= 0, ValueError, "width must be <= target - offset")
        _assert_py(after_h >= 0, ValueError, "height must be <= target - offset")
        padded = array_ops.pad(image, [[0, 0], [oh, after_h], [ow, after_w], [0, 0]])
        return array_ops.squeeze(padded, axis=[0]) if unbatch else padded


def resize_with_crop_or_pad(image, target_height, target_width):
    """Centred crop where the image is larger than the target, centred zero pad where it
    is smaller, each axis on its own."""
    with _ops.name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, unbatch, dims = _batched(image, "resize_with_crop_or_pad")
        th, tw = (_static_int(v, "the target size") for v in (target_height, target_width))
        _assert_py(tw > 0, ValueError, "target_width must be > 0.")
        _assert_py(th > 0, ValueError, "target_height must be > 0.")
        height, width = _static_hw(dims, "resize_with_crop_or_pad")
        dw, dh = tw - width, th - height
        cropped = crop_to_bounding_box(image, max(-dh // 2, 0), max(-dw // 2, 0),
                                       min(th, height), min(tw, width))
        resized = pad_to_bounding_box(cropped, max(dh // 2, 0), max(dw // 2, 0), th, tw)
        return array_ops.squeeze(resized, axis=[0]) if unbatch else resized


def _resize_with_pad(image, target_height, target_width, resize_fn):
    with _ops.name_scope(None, "resize_image_with_pad", [image]):
        image, unbatch, dims = _batched(image, "resize_with_pad")
        th, tw = (_static_int(v, "the target size") for v in (target_height, target_width))
        _assert_py(tw > 0, ValueError, "target_width must be > 0.")
        _assert_py(th > 0, ValueError, "target_height must be > 0.")
        height, width = _static_hw(dims, "resize_with_pad")
        # TF's float32 arithmetic: the scale that fits the image in, then a centred pad
        f = np.float32
        ratio = max(f(width) / f(tw), f(height) / f(th))
        rh, rw = f(height) / ratio, f(width) / ratio
        ph = max(0, int(np.floor((f(th) - rh) / f(2))))
        pw = max(0, int(np.floor((f(tw) - rw) / f(2))))
        resized = resize_fn(image, [int(np.floor(rh)), int(np.floor(rw))])
        padded = pad_to_bounding_box(resized, ph, pw, th, tw)
        return array_ops.squeeze(padded, axis=[0]) if unbatch else padded


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                    antialias=False):
    return _resize_with_pad(image, target_height, target_width,
                            lambda im, size: resize(im, size, method, antialias=antialias))


def resize_image_with_pad(image, target_height, target_width,
                          method=ResizeMethodV1.BILINEAR, align_corners=False):
    return _resize_with_pad(image, target_height, target_width,
                            lambda im, size: resize_images(im, size, method, align_corners))


# --- random augmentation (seeded: reproducible, but tfteach's generator is not TF's) -----------

def _random_uniform(shape, minval, maxval, seed, dtype=_dt.float32):
    from . import random_ops
    return random_ops.random_uniform(shape, minval, maxval, dtype=dtype, seed=seed)


def _stateless_uniform(shape, minval, maxval, seed, dtype=_dt.float32):
    """TF's counter-based Philox numbers: the same seed gives TF's values exactly."""
    from . import random_ops
    return random_ops.stateless_random_uniform(shape, seed, minval, maxval, dtype=dtype)


def _random_flip(image, axis, seed, scope_name, uniform=_random_uniform):
    with _ops.name_scope(None, scope_name, [image]) as scope:
        image = _ops.convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        if rank == 3:
            u = uniform([], 0, 1.0, seed)
            flipped = array_ops.reverse(image, [axis])
            return array_ops.where_v2(math_ops.less(u, 0.5), flipped, image, name=scope)
        # a coin per image of the batch: round(u) is 1 for the images to flip
        batch = array_ops.shape(image)[0]
        u = uniform(array_ops.reshape(batch, [1]), 0, 1.0, seed)
        flips = math_ops.cast(math_ops.round(array_ops.reshape(u, [-1, 1, 1, 1])),
                              image.dtype)
        flipped = array_ops.reverse(image, [axis + 1])
        return flips * flipped + (1 - flips) * image


def random_flip_left_right(image, seed=None):
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    return _random_flip(image, 0, seed, "random_flip_up_down")


def stateless_random_flip_left_right(image, seed):
    return _random_flip(image, 1, seed, "stateless_random_flip_left_right",
                        _stateless_uniform)


def stateless_random_flip_up_down(image, seed):
    return _random_flip(image, 0, seed, "stateless_random_flip_up_down", _stateless_uniform)


def _check_delta(max_delta):
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")


def random_brightness(image, max_delta, seed=None):
    _check_delta(max_delta)
    return adjust_brightness(image, _random_uniform([], -max_delta, max_delta, seed))


def stateless_random_brightness(image, max_delta, seed):
    _check_delta(max_delta)
    return adjust_brightness(image, _stateless_uniform([], -max_delta, max_delta, seed))


def _check_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_contrast(image, lower, upper, seed=None):
    _check_range(lower, upper)
    return adjust_contrast(image, _random_uniform([], lower, upper, seed))


def stateless_random_contrast(image, lower, upper, seed):
    _check_range(lower, upper)
    return adjust_contrast(image, _stateless_uniform([], lower, upper, seed))


def random_saturation(image, lower, upper, seed=None):
    _check_range(lower, upper)
    return adjust_saturation(image, _random_uniform([], lower, upper, seed))


def stateless_random_saturation(image, lower, upper, seed=None):
    _check_range(lower, upper)
    return adjust_saturation(image, _stateless_uniform([], lower, upper, seed))


def _check_hue_delta(max_delta):
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")


def random_hue(image, max_delta, seed=None):
    _check_hue_delta(max_delta)
    return adjust_hue(image, _random_uniform([], -max_delta, max_delta, seed))


def stateless_random_hue(image, max_delta, seed):
    _check_hue_delta(max_delta)
    return adjust_hue(image, _stateless_uniform([], -max_delta, max_delta, seed))


def _random_crop(value, size, seed, name, default_name, uniform):
    from .assert_ops import Assert
    from .control_flow_ops import with_dependencies
    with _ops.name_scope(name, default_name, [value, size]) as name:
        value = _ops.convert_to_tensor(value, name="value")
        size = _ops.convert_to_tensor(size, dtype=_dt.int32, name="size")
        shape = array_ops.shape(value)
        check = Assert(math_ops.reduce_all(math_ops.greater_equal(shape, size)),
                       ["Need value.shape >= size, got ", shape, size], summarize=1000)
        shape = with_dependencies([check], shape)
        limit = shape - size + 1
        offset = math_ops.floormod(
            uniform(array_ops.shape(shape), 0, _dt.int32.max, seed, _dt.int32), limit)
        return array_ops.slice(value, offset, size, name=name)


def random_crop(value, size, seed=None, name=None):
    """A `size` slice of `value` at a uniformly drawn offset (every axis)."""
    return _random_crop(value, size, seed, name, "random_crop", _random_uniform)


def stateless_random_crop(value, size, seed, name=None):
    return _random_crop(value, size, seed, name, "random_crop", _stateless_uniform)


# --- measures ----------------------------------------------------------------------------------

def total_variation(images, name=None):
    with _ops.name_scope(name, "total_variation"):
        images = _ops.convert_to_tensor(images, name="images")
        ndims = images.shape.rank
        if ndims == 3:
            d1 = images[1:, :, :] - images[:-1, :, :]
            d2 = images[:, 1:, :] - images[:, :-1, :]
            axis = None
        elif ndims == 4:
            d1 = images[:, 1:, :, :] - images[:, :-1, :, :]
            d2 = images[:, :, 1:, :] - images[:, :, :-1, :]
            axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return math_ops.add(math_ops.reduce_sum(math_ops.abs(d1), axis=axis),
                            math_ops.reduce_sum(math_ops.abs(d2), axis=axis), name=name)


def _check_compatible(a, b):
    sa, sb = a.shape, b.shape
    for s in (sa, sb):
        if s.rank is not None and s.rank < 3:
            raise ValueError(f"Shape must be at least rank 3 but is rank {s.rank}")
    if sa.rank is not None and sb.rank is not None:
        if not TensorShape(sa.as_list()[-3:]).is_compatible_with(
                TensorShape(sb.as_list()[-3:])):
            raise ValueError(f"Shapes {sa} and {sb} are incompatible")


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio in dB per image, in float32."""
    with _ops.name_scope(name, "PSNR", [a, b]):
        a = _ops.convert_to_tensor(a, name="a")
        b = _ops.convert_to_tensor(b, name="b")
        max_val = convert_image_dtype(math_ops.cast(max_val, a.dtype), _dt.float32)
        a = convert_image_dtype(a, _dt.float32)
        b = convert_image_dtype(b, _dt.float32)
        mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        return math_ops.subtract(20 * math_ops.log(max_val) / math_ops.log(10.0),
                                 np.float32(10 / np.log(10)) * math_ops.log(mse),
                                 name="psnr")


def _per_channel_conv(x, kernel):
    """TF's depthwise convolution with one filter bank shared by every channel
    (`kernel` [kh, kw, 1, m]): each channel convolved alone, VALID, stride 1. Returns
    [..., h', w', channels, m]."""
    from . import nn_ops
    shape = x.shape.as_list()
    lead, (h, w, c) = shape[:-3], shape[-3:]
    m = kernel.shape.as_list()[-1]
    planes = array_ops.transpose(array_ops.reshape(x, [-1, h, w, c]), [0, 3, 1, 2])
    y = nn_ops.conv2d(array_ops.reshape(planes, [-1, h, w, 1]), kernel, [1, 1, 1, 1],
                      "VALID")
    oh, ow = y.shape.as_list()[1:3]
    y = array_ops.transpose(array_ops.reshape(y, [-1, c, oh, ow, m]), [0, 2, 3, 1, 4])
    return array_ops.reshape(y, [-1 if None in lead else d for d in lead] + [oh, ow, c, m]
                             if lead else [oh, ow, c, m])


def _fspecial_gauss(size, sigma, dtype):
    from . import nn_ops
    coords = math_ops.cast(math_ops.range(size), dtype) - np.float32((size - 1) / 2.0)
    g = math_ops.square(coords) * math_ops.cast(-0.5 / (sigma * sigma), dtype)
    g = array_ops.reshape(g, [1, -1]) + array_ops.reshape(g, [-1, 1])
    g = nn_ops.softmax(array_ops.reshape(g, [1, -1]))
    return array_ops.reshape(g, [size, size, 1, 1])


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2,
                      return_index_map=False):
    h, w = img1.shape.as_list()[-3:-1]
    if h is None or w is None:
        raise NotImplementedError("tfteach's ssim needs the image height and width known "
                                  "when the graph is built.")
    if h < filter_size or w < filter_size:
        from .. import errors
        dims = ", ".join(str(d) for d in img1.shape.as_list())
        raise errors.InvalidArgumentError(
            None, None, f"Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                        f"Summarized data: {dims}\n{filter_size}")
    kernel = _fspecial_gauss(filter_size, filter_sigma, img1.dtype)

    def reducer(x):
        return array_ops.squeeze(_per_channel_conv(x, kernel), axis=[-1])

    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean0, mean1 = reducer(img1), reducer(img2)
    num0 = mean0 * mean1 * 2.0
    den0 = math_ops.square(mean0) + math_ops.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(img1 * img2) * 2.0
    den1 = reducer(math_ops.square(img1) + math_ops.square(img2))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    if return_index_map:
        return luminance * cs, cs
    return (math_ops.reduce_mean(luminance * cs, [-3, -2]),
            math_ops.reduce_mean(cs, [-3, -2]))


def _ssim_inputs(img1, img2, max_val):
    img1 = _ops.convert_to_tensor(img1, name="img1")
    img2 = _ops.convert_to_tensor(img2, name="img2")
    _check_compatible(img1, img2)
    max_val = convert_image_dtype(math_ops.cast(max_val, img1.dtype), _dt.float32)
    return (convert_image_dtype(img1, _dt.float32), convert_image_dtype(img2, _dt.float32),
            max_val)


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """Structural similarity (Gaussian-weighted windows, VALID), averaged over channels."""
    with _ops.name_scope(None, "SSIM", [img1, img2]):
        img1, img2, max_val = _ssim_inputs(img1, img2, max_val)
        per_channel, _ = _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma,
                                           k1, k2, return_index_map)
        return math_ops.reduce_mean(per_channel, [-1])


_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):
    """MS-SSIM: contrast-structure at each scale (2x2 average-pooled, SAME padding, between
    scales) and the full SSIM at the last, combined as a weighted geometric mean."""
    from . import nn_ops
    with _ops.name_scope(None, "MS-SSIM", [img1, img2]):
        img1, img2, max_val = _ssim_inputs(img1, img2, max_val)
        rank = img1.shape.rank
        lead = img1.shape.as_list()[:-3]
        imgs = [img1, img2]
        mcs = []
        for k in range(len(power_factors)):
            if k > 0:
                pooled = []
                for x in imgs:
                    flat = array_ops.reshape(x, [-1] + x.shape.as_list()[-3:])
                    # TF pads odd sides by replicating nothing: avg_pool SAME averages the
                    # valid pixels of each 2x2 window
                    y = nn_ops.avg_pool(flat, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
                    pooled.append(array_ops.reshape(y, lead + y.shape.as_list()[1:])
                                  if rank > 4 or rank == 3 else y)
                imgs = pooled
            val, cs = _ssim_per_channel(imgs[0], imgs[1], max_val, filter_size,
                                        filter_sigma, k1, k2)
            mcs.append(nn_ops.relu(cs))
        mcs.pop()
        mcs_and_ssim = array_ops.stack(mcs + [nn_ops.relu(val)], axis=-1)
        ms = math_ops.reduce_prod(math_ops.pow(mcs_and_ssim,
                                               _ops.convert_to_tensor(power_factors,
                                                                      _dt.float32)), [-1])
        return math_ops.reduce_mean(ms, [-1])


# --- edges and gradients -----------------------------------------------------------------------

def sobel_edges(image):
    """[batch, h, w, depth, 2]: the vertical (dy) then horizontal (dx) Sobel responses,
    the image mirrored (REFLECT) by one pixel at its borders."""
    image = _ops.convert_to_tensor(image, name="image")
    kernels = np.asarray([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                          [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]])
    kernels = np.expand_dims(np.transpose(kernels, (1, 2, 0)), -2)
    kernels = _ops.convert_to_tensor(kernels, dtype=image.dtype)
    padded = array_ops.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    return _per_channel_conv(padded, kernels)


def image_gradients(image):
    """(dy, dx): forward differences, zero in the last row (dy) and column (dx)."""
    image = _ops.convert_to_tensor(image, name="image")
    if image.shape.rank != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{image.shape}.")
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    dy = array_ops.concat([dy, array_ops.zeros_like(image[:, :1, :, :])], 1)
    dx = array_ops.concat([dx, array_ops.zeros_like(image[:, :, :1, :])], 2)
    return dy, dx


# --- patches -----------------------------------------------------------------------------------

@registry.api("ExtractImagePatches")
def extract_patches(images, sizes, strides, rates, padding, name=None):
    from .. import errors
    images = _ops.convert_to_tensor(images, name="images")
    for a, v in (("ksizes", sizes), ("strides", strides), ("rates", rates)):
        if len(v) < 4:
            raise errors.InvalidArgumentError(
                None, None, f"Length for attr '{a}' of {len(v)} must be at least minimum 4")
    return apply_op("ExtractImagePatches", [images],
                    {"ksizes": [int(v) for v in sizes], "strides": [int(v) for v in strides],
                     "rates": [int(v) for v in rates], "padding": padding},
                    name=name or "ExtractImagePatches")[0]


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None,
                          name=None, sizes=None):
    if ksizes is not None and sizes is not None:
        raise ValueError("Cannot specify both 'ksizes' and 'sizes'.")
    return extract_patches(images, ksizes if ksizes is not None else sizes, strides, rates,
                           padding, name)


# --- boxes -------------------------------------------------------------------------------------

@registry.api("CropAndResize")
def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear",
                    extrapolation_value=0.0, name=None):
    return apply_op("CropAndResize",
                    [_ops.convert_to_tensor(image, name="image"),
                     _ops.convert_to_tensor(boxes, _dt.float32, name="boxes"),
                     _ops.convert_to_tensor(box_indices, _dt.int32, name="box_ind"),
                     _ops.convert_to_tensor(crop_size, _dt.int32, name="crop_size")],
                    {"method": method, "extrapolation_value": float(extrapolation_value)},
                    name=name or "CropAndResize")[0]


def crop_and_resize_v1(image, boxes, box_ind=None, crop_size=None, method="bilinear",
                       extrapolation_value=0, name=None, box_indices=None):
    if box_ind is not None and box_indices is not None:
        raise ValueError("Cannot specify both 'box_ind' and 'box_indices'.")
    return crop_and_resize(image, boxes, box_ind if box_ind is not None else box_indices,
                           crop_size, method, extrapolation_value, name)


def _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold, t_thr):
    boxes = _ops.convert_to_tensor(boxes, name="boxes")
    scores = _ops.convert_to_tensor(scores, name="scores")
    mos = _ops.convert_to_tensor(max_output_size, _dt.int32, name="max_output_size")
    iou = _ops.convert_to_tensor(iou_threshold, t_thr or boxes.dtype, name="iou_threshold")
    st = _ops.convert_to_tensor(score_threshold, t_thr or boxes.dtype,
                                name="score_threshold")
    return boxes, scores, mos, iou, st


@registry.api("NonMaxSuppressionV3")
def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None):
    """Indices of at most `max_output_size` boxes, best first, none overlapping a kept box
    by more than `iou_threshold` (intersection over union)."""
    with _ops.name_scope(name, "non_max_suppression"):
        ins = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold,
                          _dt.float32)
        return apply_op("NonMaxSuppressionV3", list(ins))[0]


@registry.api("NonMaxSuppressionV5")
def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name=None):
    """(indices, scores): with soft_nms_sigma > 0, Soft-NMS: overlapping boxes have their
    scores decayed by exp(-iou^2 / (2 sigma)) instead of being dropped."""
    with _ops.name_scope(name, "non_max_suppression_with_scores"):
        ins = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold,
                          None)
        sigma = _ops.convert_to_tensor(soft_nms_sigma, ins[0].dtype, name="soft_nms_sigma")
        idx, sc, _ = apply_op("NonMaxSuppressionV5", list(ins) + [sigma],
                              {"pad_to_max_output_size": False})
        return idx, sc


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"), pad_to_max_output_size=False,
                               name=None, sorted_input=False,
                               canonicalized_coordinates=False, tile_size=512):
    """(selected indices, how many are valid), batched over leading axes of boxes
    [..., num_boxes, 4] and scores [..., num_boxes]; padded with zeros to max_output_size
    when pad_to_max_output_size (which batched input needs).

    TF runs a tiled algorithm whose result is greedy non-max suppression's; tfteach runs
    the greedy kernel (NonMaxSuppressionV5) per image. `sorted_input`,
    `canonicalized_coordinates` and `tile_size` only let TF skip work (sorting,
    min/max of the corners, tile size) and change no result for input that keeps their
    promise, so tfteach accepts and needs none of them."""
    del sorted_input, canonicalized_coordinates, tile_size
    with _ops.name_scope(name, "non_max_suppression_padded"):
        boxes = _ops.convert_to_tensor(boxes, name="boxes")
        scores = _ops.convert_to_tensor(scores, name="scores")
        rank = boxes.shape.rank
        if not pad_to_max_output_size and rank is not None and rank > 2:
            raise ValueError(f"'pad_to_max_output_size' (value {pad_to_max_output_size}) "
                             f"must be True for batched input")
        if rank is None or not boxes.shape[:-2].is_fully_defined():
            raise NotImplementedError("tfteach's non_max_suppression_padded needs the batch "
                                      "shape of the boxes known when the graph is built.")
        lead = boxes.shape.as_list()[:-2]
        n = boxes.shape.as_list()[-2]
        flat_boxes = array_ops.reshape(boxes, [-1, -1 if n is None else n, 4]) if lead \
            else array_ops.expand_dims(boxes, 0)
        flat_scores = array_ops.reshape(scores, [-1, -1 if n is None else n]) if lead \
            else array_ops.expand_dims(scores, 0)
        mos = _ops.convert_to_tensor(max_output_size, _dt.int32, name="max_output_size")
        iou = _ops.convert_to_tensor(iou_threshold, boxes.dtype, name="iou_threshold")
        st = _ops.convert_to_tensor(score_threshold, boxes.dtype, name="score_threshold")
        sigma = _ops.convert_to_tensor(0.0, boxes.dtype, name="soft_nms_sigma")
        idx, valid = [], []
        for k in range(int(np.prod(lead)) if lead else 1):
            sel, _, nv = apply_op("NonMaxSuppressionV5",
                                  [flat_boxes[k], flat_scores[k], mos, iou, st, sigma],
                                  {"pad_to_max_output_size": True})
            idx.append(sel)
            valid.append(nv)
        if not lead:
            if pad_to_max_output_size:
                return idx[0], valid[0]
            return idx[0][:valid[0]], valid[0]
        idx = array_ops.reshape(array_ops.stack(idx), lead + [-1])
        return idx, array_ops.reshape(array_ops.stack(valid), lead)


@registry.api("NonMaxSuppressionWithOverlaps")
def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """non_max_suppression with the overlap of each pair of boxes given (overlaps[i, j]:
    how much box i overlaps box j) instead of computed as IoU."""
    with _ops.name_scope(name, "non_max_suppression_overlaps"):
        return apply_op("NonMaxSuppressionWithOverlaps", [
            _ops.convert_to_tensor(overlaps, name="overlaps"),
            _ops.convert_to_tensor(scores, name="scores"),
            _ops.convert_to_tensor(max_output_size, _dt.int32, name="max_output_size"),
            _ops.convert_to_tensor(overlap_threshold, _dt.float32, name="overlap_threshold"),
            _ops.convert_to_tensor(score_threshold, _dt.float32, name="score_threshold")])[0]


@registry.api("CombinedNonMaxSuppression")
def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold=0.5, score_threshold=float("-inf"),
                                 pad_per_class=False, clip_boxes=True, name=None):
    """(nmsed_boxes, nmsed_scores, nmsed_classes, valid_detections) for a batch: boxes
    [batch, num_boxes, q, 4] (q = 1: shared by every class), scores [batch, num_boxes,
    num_classes]."""
    with _ops.name_scope(name, "combined_non_max_suppression"):
        ins = [_ops.convert_to_tensor(boxes, name="boxes"),
               _ops.convert_to_tensor(scores, name="scores"),
               _ops.convert_to_tensor(max_output_size_per_class,
                                      name="max_output_size_per_class"),
               _ops.convert_to_tensor(max_total_size, name="max_total_size"),
               _ops.convert_to_tensor(iou_threshold, _dt.float32, name="iou_threshold"),
               _ops.convert_to_tensor(score_threshold, _dt.float32,
                                      name="score_threshold")]
        return tuple(apply_op("CombinedNonMaxSuppression", ins,
                              {"pad_per_class": bool(pad_per_class),
                               "clip_boxes": bool(clip_boxes)}))


@registry.api("ExtractGlimpseV2")
def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    noise="uniform", name=None):
    """[batch, h, w, depth] windows of `input` at `offsets` ([batch, 2], (y, x)).
    normalized and centered: in [-1, 1] across the image, the window's centre; normalized
    only: fractions of the image, the window's top-left corner; pixels, centered: from the
    image centre, the window's corner; pixels only: the corner. What
    falls outside the image is filled with `noise`: "zero", or random values ("uniform" in
    each image's [min, max], "gaussian" with its mean and standard deviation) from
    tfteach's generator, which cannot repeat TF's (the op takes no seed in TF either)."""
    return apply_op("ExtractGlimpseV2", [
        _ops.convert_to_tensor(input, _dt.float32, name="input"),
        _ops.convert_to_tensor(size, _dt.int32, name="size"),
        _ops.convert_to_tensor(offsets, _dt.float32, name="offsets")],
        {"centered": bool(centered), "normalized": bool(normalized),
         "uniform_noise": False, "noise": noise}, name=name or "ExtractGlimpseV2")[0]


@registry.api("ExtractGlimpse")
def extract_glimpse_v1(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                       uniform_noise=True, name=None):
    """TF1's extract_glimpse: every offset is moved back by half the window (so a
    non-centered offset is the window's centre, truncated)."""
    return apply_op("ExtractGlimpse", [
        _ops.convert_to_tensor(input, _dt.float32, name="input"),
        _ops.convert_to_tensor(size, _dt.int32, name="size"),
        _ops.convert_to_tensor(offsets, _dt.float32, name="offsets")],
        {"centered": bool(centered), "normalized": bool(normalized),
         "uniform_noise": bool(uniform_noise), "noise": "uniform"},
        name=name or "ExtractGlimpse")[0]


def _sdbb_attrs(aspect_ratio_range, area_range, max_attempts,
                use_image_if_no_bounding_boxes):
    return {"aspect_ratio_range": [float(v) for v in (aspect_ratio_range or [0.75, 1.33])],
            "area_range": [float(v) for v in (area_range or [0.05, 1.0])],
            "max_attempts": int(max_attempts if max_attempts is not None else 100),
            "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)}


def _sdbb_inputs(image_size, bounding_boxes, min_object_covered):
    return [_ops.convert_to_tensor(image_size, name="image_size"),
            _ops.convert_to_tensor(bounding_boxes, _dt.float32, name="bounding_boxes"),
            _ops.convert_to_tensor(min_object_covered, _dt.float32,
                                   name="min_object_covered")]


@registry.api("StatelessSampleDistortedBoundingBox")
def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, seed,
                                            min_object_covered=0.1, aspect_ratio_range=None,
                                            area_range=None, max_attempts=None,
                                            use_image_if_no_bounding_boxes=None, name=None):
    """(begin, size, bboxes) of a random crop of an image of `image_size` ([h, w, c])
    that covers at least `min_object_covered` of one of `bounding_boxes`, for tf.slice:
    for a seed, TF's crop (the same Philox stream, the same sampler)."""
    seed = _ops.convert_to_tensor(seed, name="seed")
    return tuple(apply_op(
        "StatelessSampleDistortedBoundingBox",
        _sdbb_inputs(image_size, bounding_boxes, min_object_covered) + [seed],
        _sdbb_attrs(aspect_ratio_range, area_range, max_attempts,
                    use_image_if_no_bounding_boxes),
        name=name or "StatelessSampleDistortedBoundingBox"))


@registry.api("SampleDistortedBoundingBoxV2")
def sample_distorted_bounding_box(image_size, bounding_boxes, seed=0,
                                  min_object_covered=0.1, aspect_ratio_range=None,
                                  area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """TF2's: like the stateless sampler, drawing from tfteach's seeded generator (the
    crops repeat for a seed but are not TF's)."""
    from .random_ops import get_seed
    s1, s2 = get_seed(seed)
    attrs = _sdbb_attrs(aspect_ratio_range, area_range, max_attempts,
                        use_image_if_no_bounding_boxes)
    attrs.update(seed=s1 or 0, seed2=s2 or 0)
    return tuple(apply_op("SampleDistortedBoundingBoxV2",
                          _sdbb_inputs(image_size, bounding_boxes, min_object_covered),
                          attrs, name=name or "SampleDistortedBoundingBoxV2"))


def sample_distorted_bounding_box_v1(image_size, bounding_boxes, seed=None, seed2=None,
                                     min_object_covered=0.1, aspect_ratio_range=None,
                                     area_range=None, max_attempts=None,
                                     use_image_if_no_bounding_boxes=None, name=None):
    from .random_ops import get_seed
    s1, s2 = get_seed(seed)
    attrs = _sdbb_attrs(aspect_ratio_range, area_range, max_attempts,
                        use_image_if_no_bounding_boxes)
    attrs.update(seed=s1 or 0, seed2=s2 if seed2 is None else seed2)
    return tuple(apply_op("SampleDistortedBoundingBoxV2",
                          _sdbb_inputs(image_size, bounding_boxes, min_object_covered),
                          attrs, name=name or "SampleDistortedBoundingBoxV2"))


def is_jpeg(contents, name=None):
    """True where the bytes start as a JPEG does (0xFF 0xD8 0xFF: the start-of-image marker
    and the next marker's lead byte); a cheap sniff that can be fooled."""
    from . import string_ops
    with _ops.name_scope(name, "is_jpeg"):
        return math_ops.equal(string_ops.substr(contents, 0, 3), b"\xff\xd8\xff", name=name)


_DRAW_COLORS = [[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1],
                [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]]


@registry.api("DrawBoundingBoxesV2")
def draw_bounding_boxes(images, boxes, colors, name=None):
    images = _ops.convert_to_tensor(images, name="images")
    colors = np.zeros((0, 4), np.float32) if colors is None else colors
    return apply_op("DrawBoundingBoxesV2",
                    [images, _ops.convert_to_tensor(boxes, _dt.float32, name="boxes"),
                     _ops.convert_to_tensor(colors, _dt.float32, name="colors")],
                    name=name or "DrawBoundingBoxesV2")[0]


def draw_bounding_boxes_v1(images, boxes, name=None, colors=None):
    return draw_bounding_boxes(images, boxes, colors, name)


_V2 = _V2 + (
    "adjust_gamma", "adjust_hue", "rgb_to_hsv", "hsv_to_rgb", "rgb_to_yiq", "yiq_to_rgb",
    "rgb_to_yuv", "yuv_to_rgb", "crop_to_bounding_box", "pad_to_bounding_box",
    "resize_with_crop_or_pad", "resize_with_pad", "random_flip_left_right",
    "random_flip_up_down", "random_brightness", "random_contrast", "random_saturation",
    "random_hue", "random_crop", "total_variation", "psnr", "ssim", "ssim_multiscale",
    "sobel_edges", "image_gradients", "extract_patches", "crop_and_resize",
    "non_max_suppression", "non_max_suppression_with_scores", "draw_bounding_boxes",
    "stateless_random_flip_left_right", "stateless_random_flip_up_down",
    "stateless_random_brightness", "stateless_random_contrast", "stateless_random_saturation",
    "stateless_random_hue", "stateless_random_crop", "non_max_suppression_overlaps",
    "non_max_suppression_padded", "extract_glimpse", "is_jpeg",
    "stateless_sample_distorted_bounding_box", "sample_distorted_bounding_box",
    "combined_non_max_suppression")
_V1_ONLY = {"resize_image_with_crop_or_pad": resize_with_crop_or_pad,
            "resize_with_crop_or_pad": resize_with_crop_or_pad,
            "resize_image_with_pad": resize_image_with_pad,
            "extract_image_patches": extract_image_patches,
            "crop_and_resize": crop_and_resize_v1,
            "draw_bounding_boxes": draw_bounding_boxes_v1,
            "transpose_image": transpose,
            "extract_glimpse": extract_glimpse_v1,
            "sample_distorted_bounding_box": sample_distorted_bounding_box_v1}


# tf.image's codec names, from ops/codec_ops.py
_CODECS = ("decode_png", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg",
           "decode_and_crop_jpeg", "extract_jpeg_shape", "encode_png", "encode_jpeg")


def namespace(v1=False):
    """`tf.image` (or, with v1, `tf.compat.v1.image`)."""
    import types

    from ..framework.api_names import install
    from . import codec_ops
    ns = types.ModuleType("tfteach.compat.v1.image" if v1 else "tfteach.image")
    g = globals()
    for n in _V2:
        setattr(ns, n, g[n])
    for n in _CODECS:
        setattr(ns, n, getattr(codec_ops, n))
    if v1:
        for n, fn in _V1_ONLY.items():
            setattr(ns, n, fn)
        del ns.resize_with_pad        # TF1 calls it resize_image_with_pad
        for n in _V2:                 # TF1 has no stateless_random_* in tf.image
            if n.startswith("stateless_"):
                delattr(ns, n)
        ns.resize = resize_images
        ns.resize_images = resize_images
        ns.resize_bilinear = resize_bilinear
        ns.resize_nearest_neighbor = resize_nearest_neighbor
        ns.resize_bicubic = resize_bicubic
        ns.resize_area = resize_area
        ns.ResizeMethod = ResizeMethodV1
    return install(ns, "tf.compat.v1.image" if v1 else "tf.image")

