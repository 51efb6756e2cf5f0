"""The image codec family (TF's decode/encode ops of `gen_image_ops`): `tf.io.decode_png`,
`decode_bmp`, `decode_gif`, `decode_image`, `decode_jpeg`, `decode_and_crop_jpeg`,
`extract_jpeg_shape`, `encode_png`, `encode_jpeg` (also under `tf.image`).

PNG, BMP and GIF are decoded in NumPy with zlib (tfteach/kernels/cpu/codec.py); JPEG needs
Pillow (`pip install 'tfteach[images]'`). TF has no GPU kernels for these: they run on the
CPU. None is differentiable.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape

_S = _dt.string


def _hw(channels, rank=3):
    c = channels if channels else None
    return TensorShape([None] * (rank - 1) + [c])


def _crop_shape(op):
    from ..framework import tensor_util
    win = tensor_util.constant_value(op.inputs[1])
    c = op.get_attr("channels") or None
    if win is not None and np.size(win) == 4:
        return [TensorShape([int(win[2]), int(win[3]), c])]
    return [TensorShape([None, None, c])]


def _decode_image_shape(op):
    if op.get_attr("expand_animations"):
        return [unknown_shape()]
    return [_hw(op.get_attr("channels"))]


_JPEG_ATTRS = {"channels": 0, "ratio": 1, "fancy_upscaling": True,
               "try_recover_truncated": False, "acceptable_fraction": 1.0, "dct_method": ""}

for _t, _ins, _shape, _defaults, _doc in (
        ("DecodePng", (("contents", _S),), lambda op: [_hw(op.get_attr("channels"))],
         {"channels": 0, "dtype": _dt.uint8}, "A PNG (or GIF, JPEG) as [h, w, c] pixels."),
        ("DecodeBmp", (("contents", _S),), lambda op: [_hw(op.get_attr("channels"))],
         {"channels": 0}, "A BMP as [h, w, c] pixels."),
        ("DecodeGif", (("contents", _S),), lambda op: [TensorShape([None, None, None, 3])],
         {}, "A GIF's frames as [frames, h, w, 3], each drawn over the one before."),
        ("DecodeImage", (("contents", _S),), _decode_image_shape,
         {"channels": 0, "dtype": _dt.uint8, "expand_animations": True},
         "Any of PNG, JPEG, GIF, BMP, sniffed from the bytes."),
        ("DecodeJpeg", (("contents", _S),), lambda op: [_hw(op.get_attr("channels"))],
         dict(_JPEG_ATTRS), "A JPEG (or PNG, GIF) as [h, w, c] pixels."),
        ("DecodeAndCropJpeg", (("contents", _S), ("crop_window", _dt.int32)), _crop_shape,
         dict(_JPEG_ATTRS), "The [y, x, h, w] window of a JPEG's pixels."),
        ("ExtractJpegShape", (("contents", _S),), lambda op: [TensorShape([3])],
         {"output_type": _dt.int32}, "A JPEG's [height, width, channels] from its header.")):
    _out = {"DecodePng": "dtype", "DecodeImage": "dtype",
            "ExtractJpegShape": "output_type"}.get(_t, _dt.uint8)
    registry.register_op(_t, inputs=_ins,
                         outputs=((("image_shape" if _t == "ExtractJpegShape" else "image"),
                                   _out),),
                         shape=_shape, attr_defaults=_defaults, doc=_doc)
    registry.NotDifferentiable(_t)

registry.register_op("EncodePng", inputs=(("image", "T"),), outputs=(("contents", _S),),
                     shape=lambda op: [TensorShape([])], attr_defaults={"compression": -1},
                     doc="[h, w, c] uint8/uint16 pixels as PNG bytes, as libpng writes them.")
registry.register_op("EncodeJpeg", inputs=(("image", _dt.uint8),),
                     outputs=(("contents", _S),), shape=lambda op: [TensorShape([])],
                     attr_defaults={"format": "", "quality": 95, "progressive": False,
                                    "optimize_size": False, "chroma_downsampling": True,
                                    "density_unit": "in", "x_density": 300,
                                    "y_density": 300, "xmp_metadata": ""},
                     doc="[h, w, c] uint8 pixels as JPEG bytes (Pillow's libjpeg).")
registry.NotDifferentiable("EncodePng")
registry.NotDifferentiable("EncodeJpeg")


def _require_pillow():
    try:
        import PIL  # noqa: F401
    except ImportError:
        from ..kernels.cpu.codec import PILLOW_MISSING
        raise ImportError(PILLOW_MISSING) from None


def _allowed(attr, dtype, allowed):
    if dtype not in allowed:
        from .. import errors
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr '{attr}' of {dtype.name} is not in the list of allowed "
                        f"values: {', '.join(d.name for d in allowed)}")


def _contents(contents):
    return _ops.convert_to_tensor(contents, dtype=_S, name="contents")


@registry.api("DecodePng")
def decode_png(contents, channels=0, dtype=_dt.uint8, name=None):
    """[h, w, channels] pixels of a PNG; `dtype` uint8 (16-bit files keep the high byte)
    or uint16 (8-bit values times 257). channels 0 keeps the file's own count."""
    _allowed("dtype", _dt.as_dtype(dtype), (_dt.uint8, _dt.uint16))
    return apply_op("DecodePng", [_contents(contents)],
                    {"channels": int(channels), "dtype": _dt.as_dtype(dtype)},
                    name=name or "DecodePng")[0]


@registry.api("DecodeBmp")
def decode_bmp(contents, channels=0, name=None):
    return apply_op("DecodeBmp", [_contents(contents)], {"channels": int(channels)},
                    name=name or "DecodeBmp")[0]


@registry.api("DecodeGif")
def decode_gif(contents, name=None):
    """[frames, h, w, 3]: each frame drawn over the previous one (transparent pixels and
    pixels outside the frame's rectangle keep the earlier colour)."""
    return apply_op("DecodeGif", [_contents(contents)], {}, name=name or "DecodeGif")[0]


@registry.api("DecodeImage")
def decode_image(contents, channels=None, dtype=_dt.uint8, name=None,
                 expand_animations=True):
    """Any PNG, JPEG, GIF or BMP (sniffed from the first bytes); GIFs give 4-D frames
    unless `expand_animations` is False (then the first frame). A float `dtype` scales
    to [0, 1]."""
    dtype = _dt.as_dtype(dtype)
    with _ops.name_scope(name, "decode_image"):
        # other dtypes: decoded at 16 bits, then converted as convert_image_dtype does
        decode_as = dtype if dtype in (_dt.uint8, _dt.uint16, _dt.float32) else _dt.uint16
        image = apply_op("DecodeImage", [_contents(contents)],
                         {"channels": int(channels or 0), "dtype": decode_as,
                          "expand_animations": bool(expand_animations)},
                         name="DecodeImage")[0]
        if decode_as != dtype:
            from .image_ops import convert_image_dtype
            image = convert_image_dtype(image, dtype)
        return image


def _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated,
                acceptable_fraction, dct_method):
    return {"channels": int(channels), "ratio": int(ratio),
            "fancy_upscaling": bool(fancy_upscaling),
            "try_recover_truncated": bool(try_recover_truncated),
            "acceptable_fraction": float(acceptable_fraction), "dct_method": dct_method}


@registry.api("DecodeJpeg")
def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                name=None):
    """[h, w, channels] pixels of a JPEG, decoded by Pillow's libjpeg-turbo (needs the
    `images` extra). Pillow has only libjpeg's accurate integer IDCT: with
    dct_method="INTEGER_ACCURATE" the pixels are TF's exactly; TF's default ("" and
    "INTEGER_FAST") uses the fast IDCT, whose pixels differ from these by a few levels (up
    to 8 on the recorded files, tests/test_image_codecs.py). Other ratio, upscaling and
    recovery settings raise UnimplementedError."""
    _require_pillow()
    return apply_op("DecodeJpeg", [_contents(contents)],
                    _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated,
                                acceptable_fraction, dct_method),
                    name=name or "DecodeJpeg")[0]


@registry.api("DecodeAndCropJpeg")
def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None):
    _require_pillow()
    win = _ops.convert_to_tensor(crop_window, dtype=_dt.int32, name="crop_window")
    return apply_op("DecodeAndCropJpeg", [_contents(contents), win],
                    _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated,
                                acceptable_fraction, dct_method),
                    name=name or "DecodeAndCropJpeg")[0]


@registry.api("ExtractJpegShape")
def extract_jpeg_shape(contents, output_type=_dt.int32, name=None):
    return apply_op("ExtractJpegShape", [_contents(contents)],
                    {"output_type": _dt.as_dtype(output_type)},
                    name=name or "ExtractJpegShape")[0]


@registry.api("EncodePng")
def encode_png(image, compression=-1, name=None):
    """PNG bytes of a [h, w, c] uint8 or uint16 image; zlib `compression` -1 (default,
    level 6) to 9. The bytes are libpng's (the same filters, window and levels)."""
    image = _ops.convert_to_tensor(image, name="image")
    _allowed("T", image.dtype.base_dtype, (_dt.uint8, _dt.uint16))
    return apply_op("EncodePng", [image], {"compression": int(compression)},
                    name=name or "EncodePng")[0]


@registry.api("EncodeJpeg")
def encode_jpeg(image, format="", quality=95, progressive=False,  # noqa: A002 - TF's name
                optimize_size=False, chroma_downsampling=True, density_unit="in",
                x_density=300, y_density=300, xmp_metadata="", name=None):
    _require_pillow()
    image = _ops.convert_to_tensor(image, dtype=_dt.uint8, name="image")
    return apply_op("EncodeJpeg", [image],
                    {"format": format, "quality": int(quality),
                     "progressive": bool(progressive), "optimize_size": bool(optimize_size),
                     "chroma_downsampling": bool(chroma_downsampling),
                     "density_unit": density_unit, "x_density": int(x_density),
                     "y_density": int(y_density), "xmp_metadata": xmp_metadata},
                    name=name or "EncodeJpeg")[0]


def is_jpeg(contents, name=None):
    from .image_ops import is_jpeg as _is_jpeg
    return _is_jpeg(contents, name)


decode_image_v1 = decode_image
