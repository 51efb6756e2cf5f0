"""`tf.image` basics: dtype conversion, brightness/contrast/saturation, grayscale, resizes,
flips, rotations, central_crop, per_image_standardization.

The kernels of the image ops (ResizeBilinear, ResizeNearestNeighbor and their gradients,
AdjustContrastv2, AdjustSaturation) are in kernels/cpu/image.py; everything else is built
from ordinary ops, as in TF. Resizes follow TF's sampling rules: TF2's `tf.image.resize`
samples at half-pixel centres, TF1's `resize_bilinear`/`resize_nearest_neighbor` by default
at the corners of the pixel grid (`align_corners` pins the corner pixels)."""
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
for _t in ("ResizeBilinearGrad", "ResizeNearestNeighborGrad", "AdjustContrastv2",
           "AdjustSaturation"):
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
                     ResizeMethod.NEAREST_NEIGHBOR: "ResizeNearestNeighbor"}
    if method not in ops_by_method:
        known = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                 "gaussian", "mitchellcubic")
        if method in known:
            raise NotImplementedError(f"tfteach's tf.image.resize implements the bilinear "
                                      f"and nearest methods; {method!r} is not implemented "
                                      f"yet.")
        raise ValueError(f"Resize method is not implemented: {method}")
    with _ops.name_scope(name, "resize", [images, size]):
        return _resize_common(images, size, ops_by_method[method],
                              {"align_corners": False, "half_pixel_centers": True},
                              preserve_aspect_ratio, False, name)


def resize_images(images, size, method=ResizeMethodV1.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """TF1's resize (`tf.compat.v1.image.resize`): corner-aligned sampling grid."""
    ops_by_method = {ResizeMethodV1.BILINEAR: "ResizeBilinear",
                     ResizeMethodV1.NEAREST_NEIGHBOR: "ResizeNearestNeighbor",
                     "bilinear": "ResizeBilinear", "nearest": "ResizeNearestNeighbor"}
    if method not in ops_by_method:
        raise NotImplementedError(f"tfteach's resize_images implements BILINEAR and "
                                  f"NEAREST_NEIGHBOR; method {method!r} is not implemented "
                                  f"yet.")
    with _ops.name_scope(name, "resize", [images, size]):
        return _resize_common(images, size, ops_by_method[method],
                              {"align_corners": bool(align_corners),
                               "half_pixel_centers": False},
                              preserve_aspect_ratio, True, name)


@registry.api("ResizeBilinear")
def resize_bilinear(images, size, align_corners=False, half_pixel_centers=False, name=None):
    return apply_op("ResizeBilinear", [images, size],
                    {"align_corners": bool(align_corners),
                     "half_pixel_centers": bool(half_pixel_centers)},
                    name=name or "ResizeBilinear")[0]


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


def namespace(v1=False):
    """`tf.image` (or, with v1, `tf.compat.v1.image`)."""
    import types

    from ..framework.api_names import install
    ns = types.ModuleType("tfteach.compat.v1.image" if v1 else "tfteach.image")
    g = globals()
    for n in _V2:
        setattr(ns, n, g[n])
    if v1:
        ns.resize = resize_images
        ns.resize_images = resize_images
        ns.resize_bilinear = resize_bilinear
        ns.resize_nearest_neighbor = resize_nearest_neighbor
        ns.ResizeMethod = ResizeMethodV1
    return install(ns, "tf.compat.v1.image" if v1 else "tf.image")

