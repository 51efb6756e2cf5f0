"""Keras's PIL image helpers: `load_img`, `img_to_array`, `array_to_img`, `save_img`
(`tf.keras.utils.*`). As in Keras they work on Pillow images, so they need Pillow (the
`images` extra); the arithmetic (scaling to 0..255, channel layouts) is Keras 3's.
"""
import io
import pathlib

import numpy as np

_RESAMPLE = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image. tfteach's image helpers need Pillow: "
                          "pip install 'tfteach[images]'") from None
    return Image


def _fmt(data_format):
    fmt = (data_format or "channels_last").lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return fmt


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A Pillow image from a rank-3 array; `scale` stretches its values to 0..255."""
    Image = _pil()
    x = np.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array "
                         f"with shape: {x.shape}")
    if _fmt(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    c = x.shape[2]
    if c in (3, 4):
        return Image.fromarray(x.astype("uint8"), "RGBA" if c == 4 else "RGB")
    if c == 1:
        if np.max(x) > 255:     # wider than 8 bits: Pillow's 32-bit integer mode
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {c}")


def img_to_array(img, data_format=None, dtype=None):
    """The pixels of a Pillow image as [h, w, c] (or [c, h, w]) float32."""
    fmt = _fmt(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[None] if fmt == "channels_first" else x[..., None]
    elif x.ndim == 3:
        if fmt == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        import warnings
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """A Pillow image read from `path` in `color_mode`, resized by Pillow to `target_size`
    ((height, width)); `keep_aspect_ratio` centre-crops to the target's aspect first."""
    Image = _pil()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(str(pathlib.Path(path).resolve()) if isinstance(path, pathlib.Path)
                  else path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    want = {"grayscale": ("L", ("L", "I;16", "I")), "rgba": ("RGBA", ("RGBA",)),
            "rgb": ("RGB", ("RGB",))}.get(color_mode)
    if want is None:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if img.mode not in want[1]:
        img = img.convert(want[0])
    if target_size is None:
        return img
    wh = (target_size[1], target_size[0])
    if img.size == wh:
        return img
    if interpolation not in _RESAMPLE:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. "
                         f"Supported methods are {', '.join(_RESAMPLE)}")
    resample = getattr(Image.Resampling, interpolation.upper())
    if not keep_aspect_ratio:
        return img.resize(wh, resample)
    w, h = img.size
    ch, cw = min(h, (w * wh[1]) // wh[0]), min(w, (h * wh[0]) // wh[1])
    top, left = (h - ch) // 2, (w - cw) // 2
    return img.resize(wh, resample, box=[left, top, left + cw, top + ch])
