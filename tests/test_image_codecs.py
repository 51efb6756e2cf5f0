"""tf.io's image codecs against TensorFlow 2.21's recorded outputs
(tools/record_image_codecs.py -> tests/data/image_codecs_tf.json, files in tests/data/images/).

PNG, BMP and GIF decode to TF's arrays exactly, and encode_png writes TF's bytes. JPEG goes
through Pillow's libjpeg-turbo: the pixels TF's libjpeg-turbo gives, within the tolerance
JPEG_TOL records (exact where it is exact).
"""
import json
import os
import re

import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

pytestmark = pytest.mark.mode("v2")

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = os.path.join(HERE, "data", "images")
with open(os.path.join(HERE, "data", "image_codecs_tf.json")) as _f:
    REC = json.load(_f)
CASES = REC["cases"]
FILES = {n: open(os.path.join(IMG, n), "rb").read() for n in sorted(os.listdir(IMG))
         if not n.endswith(".npy")}
# TF decodes JPEGs with libjpeg-turbo's fast integer IDCT (dct_method "" or INTEGER_FAST);
# Pillow offers only the accurate one (ISLOW): INTEGER_ACCURATE is TF's pixels exactly, the
# fast method's pixels differ by up to this much (the largest |difference| measured over
# the recorded files, q95 4:2:0, q75 4:4:4 and grayscale).
FAST_IDCT_MAX_DIFF = 8


def _tol(key):
    kind, name = key.split("/")
    if name.endswith(".jpg") and "INTEGER_ACCURATE" not in kind and not kind.startswith(
            ("extract", "is_jpeg")):
        return FAST_IDCT_MAX_DIFF
    return 0


def _call(kind, arg, data):
    io = tf.io
    m = re.fullmatch(r"decode_png_c(\d)_(\w+)", kind)
    if m:
        return io.decode_png(data, channels=int(m[1]), dtype=m[2])
    m = re.fullmatch(r"decode_image_c(\d)", kind)
    if m:
        return io.decode_image(data, channels=int(m[1]))
    m = re.fullmatch(r"decode_bmp_c(\d)", kind)
    if m:
        return io.decode_bmp(data, channels=int(m[1]))
    m = re.fullmatch(r"decode_jpeg_c(\d)_(\w*)", kind)
    if m:
        return io.decode_jpeg(data, channels=int(m[1]), dct_method=m[2])
    return {"decode_image": lambda: io.decode_image(data),
            "decode_image_noexpand": lambda: io.decode_image(data, expand_animations=False),
            "decode_image_f32": lambda: io.decode_image(data, dtype=tf.float32),
            "is_jpeg": lambda: io.is_jpeg(data),
            "decode_gif": lambda: io.decode_gif(data),
            "extract_jpeg_shape": lambda: io.extract_jpeg_shape(data),
            "decode_and_crop_jpeg": lambda: io.decode_and_crop_jpeg(data, [2, 3, 5, 7]),
            "decode_and_crop_jpeg_bad": lambda: io.decode_and_crop_jpeg(data, [2, 3, 50, 7]),
            "bad_decode_image": lambda: io.decode_image(data),
            "bad_decode_png": lambda: io.decode_png(data),
            "bad_decode_bmp": lambda: io.decode_bmp(data),
            "bad_decode_gif": lambda: io.decode_gif(data),
            "bad_decode_jpeg": lambda: io.decode_jpeg(data),
            "bad_extract_jpeg_shape": lambda: io.extract_jpeg_shape(data)}[kind]()


def _bad(name):
    png, bmp = FILES["tf_c3_8.png"], FILES["rgb24.bmp"]
    return {"empty": b"", "junk": b"hello world", "png_truncated": png[:40],
            "png_bad_crc": png[:30] + b"\x00" + png[31:], "bmp_truncated": bmp[:40],
            "gif_truncated": FILES["anim.gif"][:20],
            "jpeg_truncated": FILES["tf_rgb.jpg"][:100]}[name]


def _result(fn):
    try:
        v = fn().numpy()
    except errors.OpError as e:
        return {"error": type(e).__name__, "message": e.message.split(" [Op:")[0]}
    v = np.asarray(v, dtype=object) if isinstance(v, bytes) else np.asarray(v)
    return v


def _tf_message(rec):
    return re.sub(r"^\{\{function_node [^}]*\}\} ", "", rec["message"])


def _check(key, rec, got, tol=0):
    if "error" in rec:
        assert isinstance(got, dict), (key, got)
        assert (got["error"], got["message"]) == (rec["error"], _tf_message(rec)), key
        return
    assert not isinstance(got, dict), (key, got)
    assert got.dtype.name == rec["dtype"] or rec["dtype"] == "string", key
    assert list(got.shape) == rec["shape"], key
    if rec["dtype"] == "string":
        assert [x.hex() for x in got.reshape(-1)] == rec["values"], key
    elif tol:
        diff = np.abs(got.reshape(-1).astype(np.float64) - np.asarray(rec["values"]))
        assert 0 < diff.max() <= tol, (key, diff.max())
    else:
        np.testing.assert_array_equal(got.reshape(-1), np.asarray(rec["values"],
                                                                  got.dtype), err_msg=key)


FILE_CASES = sorted(k for k in CASES if "/" in k and not k.startswith(("encode_", "bad_")))


@pytest.mark.parametrize("key", FILE_CASES)
def test_decode_matches_tf(key):
    kind, name = key.split("/")
    _check(key, CASES[key], _result(lambda: _call(kind, None, FILES[name])),
           _tol(key))


@pytest.mark.parametrize("key", sorted(k for k in CASES if k.startswith("bad_") and "/" in k))
def test_corrupt_data_raises_tfs_error(key):
    kind, name = key.split("/")
    _check(key, CASES[key], _result(lambda: _call(kind, None, _bad(name))))
