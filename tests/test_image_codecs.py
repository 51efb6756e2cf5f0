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
            ("extract", "is_jpeg", "cross_jpeg")):
        # 16-bit output from a JPEG is the 8-bit value shifted left by 8
        return FAST_IDCT_MAX_DIFF * (256 if "16" in kind else 1)
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
            "cross_png": lambda: io.decode_png(data),
            "cross_png16": lambda: io.decode_png(data, dtype=tf.uint16),
            "cross_jpeg": lambda: io.decode_jpeg(data, dct_method="INTEGER_ACCURATE"),
            "cross_gif": lambda: io.decode_gif(data),
            "cross_bmp": lambda: io.decode_bmp(data),
            "cross_f32": lambda: io.decode_image(data, dtype=tf.float32),
            "cross_u16": lambda: io.decode_image(data, dtype=tf.uint16),
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
            "jpeg_truncated": FILES["tf_rgb.jpg"][:100],
            "png_bad_idat": png[:45] + bytes([png[45] ^ 0xff]) + png[46:],
            "gif_mid_frame": FILES["anim.gif"][:60], "png_no_iend": png[:-12]}[name]


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


def _input(k):
    r = CASES[f"encode_png_input/{k}"]
    return np.asarray(r["values"], r["dtype"]).reshape(r["shape"])


@pytest.mark.parametrize("key", sorted(k for k in CASES if re.match(r"encode_png_-?\d/", k)))
def test_encode_png_writes_tfs_bytes(key):
    lvl, k = key[len("encode_png_"):].split("/")
    img = _input(k)
    got = tf.io.encode_png(img, compression=int(lvl))
    assert got.numpy().hex() == CASES[key]["values"][0]
    np.testing.assert_array_equal(tf.io.decode_png(got, dtype=img.dtype).numpy(), img)


@pytest.mark.parametrize("key,fn", [
    ("bad_channels_png", lambda: tf.io.decode_png(FILES["tf_c3_8.png"], channels=5)),
    ("bad_channels_image", lambda: tf.io.decode_image(FILES["tf_c3_8.png"], channels=2)),
    ("encode_png_bad_rank", lambda: tf.io.encode_png(np.zeros((2, 2), np.uint8))),
    ("encode_png_bad_channels", lambda: tf.io.encode_png(np.zeros((2, 2, 5), np.uint8)))])
def test_bad_arguments_raise_tfs_error(key, fn):
    _check(key, CASES[key], _result(fn))


@pytest.mark.parametrize("key", sorted(k for k in CASES if k.startswith("encode_jpeg")))
def test_encode_jpeg_writes_tfs_bytes(key):
    """Pillow's libjpeg-turbo with TF's settings (JFIF density, 4:2:0 unless asked, 1x1
    sampling for gray) writes TF's bytes."""
    sm = np.load(os.path.join(IMG, "jpeg_source.npy"))
    if key == "encode_jpeg_gray":
        got = tf.io.encode_jpeg(sm[..., :1])
    else:
        q, cd = re.fullmatch(r"encode_jpeg_q(\d+)_(True|False)", key).groups()
        got = tf.io.encode_jpeg(sm, quality=int(q), chroma_downsampling=cd == "True")
    assert got.numpy().hex() == CASES[key]["values"][0]


def test_graph_ops_names_and_static_shapes():
    rec = REC["graph"]
    g = tf.Graph()
    with g.as_default():
        s = tf.compat.v1.placeholder(tf.string, [])
        ops = {"decode_png": tf.io.decode_png(s), "decode_png_c3": tf.io.decode_png(s, 3),
               "decode_bmp": tf.io.decode_bmp(s), "decode_gif": tf.io.decode_gif(s),
               "decode_image": tf.io.decode_image(s),
               "decode_image_c3_noexp": tf.io.decode_image(s, 3, expand_animations=False),
               "decode_jpeg": tf.io.decode_jpeg(s, channels=1),
               "encode_png": tf.io.encode_png(tf.zeros([2, 2, 3], tf.uint8)),
               "encode_jpeg": tf.io.encode_jpeg(tf.zeros([2, 2, 3], tf.uint8)),
               "extract_jpeg_shape": tf.io.extract_jpeg_shape(s),
               "is_jpeg": tf.io.is_jpeg(s),
               "decode_and_crop_jpeg": tf.io.decode_and_crop_jpeg(s, [0, 0, 1, 1], 3)}
        for k, t in ops.items():
            got = {"name": t.name, "type": t.op.type, "shape": str(t.shape),
                   "dtype": t.dtype.name}
            assert got == rec[k], k
        with tf.compat.v1.Session() as sess:
            png = sess.run(ops["decode_png_c3"], {s: FILES["tf_c3_8.png"]})
            frames = sess.run(ops["decode_image"], {s: FILES["anim.gif"]})
    _check("s", CASES["decode_png_c3_uint8/tf_c3_8.png"], png)
    _check("g", CASES["decode_image/anim.gif"], frames)


def test_in_tf_function_and_dataset_map():
    names = ["tf_c3_8.png", "rgb24.bmp", "tf_c4_8.png"]
    paths = [os.path.join(IMG, n) for n in names]

    @tf.function
    def load(path):
        return tf.image.decode_image(tf.io.read_file(path), channels=3,
                                     expand_animations=False)

    for n, p in zip(names, paths):
        want = CASES[f"decode_image_c3/{n}"]
        _check(n, want, load(tf.constant(p)).numpy())
    ds = tf.data.Dataset.from_tensor_slices(paths).map(load)
    for n, img in zip(names, ds):
        _check(n, CASES[f"decode_image_c3/{n}"], img.numpy())


def test_png_round_trip_16_bit_and_every_channel_count():
    rng = np.random.RandomState(0)
    for c in (1, 2, 3, 4):
        for dt in (np.uint8, np.uint16):
            img = rng.randint(0, np.iinfo(dt).max + 1, (9, 11, c)).astype(dt)
            back = tf.io.decode_png(tf.io.encode_png(img), dtype=dt).numpy()
            np.testing.assert_array_equal(back, img)


def test_jpeg_needs_pillow(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"tfteach\[images\]"):
        tf.io.decode_jpeg(FILES["tf_rgb.jpg"])
    with pytest.raises(ImportError, match=r"tfteach\[images\]"):
        tf.io.encode_jpeg(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(errors.UnimplementedError, match=r"tfteach\[images\]"):
        tf.io.decode_image(FILES["tf_rgb.jpg"])
    # PNG, GIF, BMP and the JPEG header need no Pillow
    assert tf.io.extract_jpeg_shape(FILES["tf_rgb.jpg"]).numpy().tolist() == [12, 16, 3]
    assert tf.io.decode_image(FILES["anim.gif"]).shape == (2, 3, 4, 3)


def test_jpeg_settings_tfteach_cannot_reproduce_raise():
    with pytest.raises(errors.UnimplementedError, match="ratio=1"):
        tf.io.decode_jpeg(FILES["tf_rgb.jpg"], ratio=2)


def test_dtypes_tf_refuses_and_converts():
    # TF 2.21: EncodePng's T and DecodePng's dtype allow only uint8 and uint16
    with pytest.raises(errors.InvalidArgumentError, match="allowed values: uint8, uint16"):
        tf.io.encode_png(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(errors.InvalidArgumentError, match="allowed values: uint8, uint16"):
        tf.io.decode_png(FILES["tf_c3_8.png"], dtype=tf.float32)
    # decode_image to another dtype decodes at 16 bits and converts: 8-bit v -> v*257 in
    # uint16, then uint16 -> int32 is a left shift by 15
    got = tf.io.decode_image(FILES["tf_c3_8.png"], dtype=tf.int32).numpy()
    u8 = np.asarray(CASES["decode_image/tf_c3_8.png"]["values"], np.int64)
    np.testing.assert_array_equal(got.reshape(-1), (u8 * 257) << 15)


# --- tf.keras.utils.image_dataset_from_directory (tools/record_image_dataset.py) -----------

with open(os.path.join(HERE, "data", "image_dataset_tf.json")) as _f:
    DIR_REC = json.load(_f)
DIR_KW = {
    "int_noshuffle": dict(batch_size=4, image_size=(3, 4), shuffle=False),
    "categorical": dict(label_mode="categorical", batch_size=3, image_size=(2, 2),
                        shuffle=False),
    "binary_two_classes": dict(label_mode="binary", class_names=["dogs", "cats"],
                               batch_size=8, image_size=(2, 3), shuffle=False),
    "grayscale_nearest": dict(color_mode="grayscale", interpolation="nearest",
                              class_names=["dogs"], batch_size=None, image_size=(3, 3),
                              shuffle=False),
    "validation_seeded": dict(validation_split=0.34, subset="validation", seed=3,
                              batch_size=2, image_size=(2, 2)),
    "training_seeded": dict(validation_split=0.34, subset="training", seed=3,
                            batch_size=2, image_size=(2, 2)),
    "no_labels": dict(labels=None, batch_size=5, image_size=(2, 2), shuffle=False),
}


@pytest.fixture(scope="module")
def class_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    for cls, names in DIR_REC["tree"].items():
        (root / cls).mkdir()
        for n in names:
            (root / cls / n).write_bytes(FILES[n])
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    return str(root)


def _elements(batches, batched):
    """(image, label) pairs, unbatched."""
    out = []
    for b in batches:
        imgs = b[0] if batched else [b[0]]
        labs = (b[1] if batched else [b[1]]) if len(b) > 1 else [None] * len(imgs)
        out += [(np.asarray(i, np.float64), l) for i, l in zip(imgs, labs)]
    return out


@pytest.mark.parametrize("key", sorted(DIR_KW))
def test_image_dataset_from_directory_matches_keras(class_tree, key):
    rec = DIR_REC["cases"][key]
    ds = tf.keras.utils.image_dataset_from_directory(class_tree, verbose=False,
                                                     **DIR_KW[key])
    assert ds.class_names == rec["class_names"]
    assert [os.path.relpath(p, class_tree) for p in ds.file_paths] == rec["file_paths"]
    assert str(ds.element_spec) == rec["element_spec"]
    got = [[t.numpy().tolist() for t in (b if isinstance(b, tuple) else (b,))] for b in ds]
    batched = DIR_KW[key]["batch_size"] is not None
    want, have = _elements(rec["batches"], batched), _elements(got, batched)
    if key.endswith("_seeded"):
        # the same files and labels (Keras's seeded file shuffle and split); the
        # Dataset.shuffle buffer's order is tfteach's own
        def order(pairs):
            return sorted(pairs, key=lambda p: (p[1], p[0].tobytes()))
        want, have = order(want), order(have)
    assert len(want) == len(have)
    for (wi, wl), (hi, hl) in zip(want, have):
        np.testing.assert_allclose(hi, wi, rtol=0, atol=1e-4)
        assert hl == wl


@pytest.mark.parametrize("key,kw", [
    ("binary_three_classes", dict(label_mode="binary")),
    ("split_without_seed", dict(validation_split=0.2, subset="training")),
    ("bad_class_names", dict(class_names=["cats", "owls"]))])
def test_image_dataset_from_directory_errors(class_tree, key, kw):
    rec = DIR_REC["cases"][key]
    with pytest.raises(ValueError) as e:
        tf.keras.utils.image_dataset_from_directory(class_tree, verbose=False, **kw)
    assert rec["error"] == "ValueError"
    assert str(e.value) == rec["message"]


# --- load_img / img_to_array / array_to_img / save_img (Pillow, as in Keras) -----------------

def test_load_img_pixels_are_tfs_decode(tmp_path):
    """Pinned to TF's recorded decodes: Pillow reads PNG/BMP/GIF to the same pixels."""
    u = tf.keras.utils
    for n, key in (("tf_c3_8.png", "decode_png_c0_uint8/tf_c3_8.png"),
                   ("rgb24.bmp", "decode_bmp_c0/rgb24.bmp"),
                   ("tf_c4_8.png", "decode_png_c3_uint8/tf_c4_8.png"),
                   ("tf_c1_8.png", "decode_png_c0_uint8/tf_c1_8.png")):
        mode = "grayscale" if n == "tf_c1_8.png" else "rgb"
        arr = u.img_to_array(u.load_img(os.path.join(IMG, n), color_mode=mode))
        rec = CASES[key]
        assert arr.dtype == np.float32 and list(arr.shape) == rec["shape"]
        np.testing.assert_array_equal(arr.reshape(-1), rec["values"])
    chw = u.img_to_array(u.load_img(os.path.join(IMG, "tf_c3_8.png")), "channels_first")
    assert chw.shape == (3, 3, 5)
    assert u.load_img(os.path.join(IMG, "tf_c3_8.png"), target_size=(2, 4)).size == (4, 2)


def test_array_to_img_scales_to_0_255_and_save_img_round_trips(tmp_path):
    u = tf.keras.utils
    x = np.array([[[-1.0], [0.0]], [[1.0], [3.0]]], np.float32)
    # (x - min) / (max - min) * 255, truncated to uint8: -1 -> 0, 0 -> 63, 1 -> 127, 3 -> 255
    np.testing.assert_array_equal(np.asarray(u.array_to_img(x)),
                                  [[0, 63], [127, 255]])
    np.testing.assert_array_equal(np.asarray(u.array_to_img(x + 1, scale=False)),
                                  [[0, 1], [2, 4]])
    img = np.random.RandomState(0).randint(0, 256, (3, 4, 3)).astype(np.float32)
    p = str(tmp_path / "x.png")
    u.save_img(p, img, scale=False)
    back = tf.io.decode_png(tf.io.read_file(p)).numpy()
    np.testing.assert_array_equal(back, img)
    with pytest.raises(ValueError, match="rank 3"):
        u.array_to_img(np.zeros((2, 2)))
