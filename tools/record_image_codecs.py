"""Records what TensorFlow 2.21 decodes from small image files, for tests/test_image_codecs.py.

The files land in tests/data/images/: PNGs and JPEGs TF itself encodes, PNGs, BMPs and GIFs
written here byte by byte (palette, low bit depth, Adam7 interlace, transparency, top-down
rows) so that no third-party encoder decides what is tested. Each case runs one op on one
file and keeps the result (dtype, shape, values) or the exception (class, message).

    /work/tfenv/bin/python tools/record_image_codecs.py   # writes tests/data/image_codecs_tf.json
"""
import json
import os
import struct
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, "tests", "data", "images")
OUT = os.path.join(ROOT, "tests", "data", "image_codecs_tf.json")
rng = np.random.RandomState(7)


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def png(w, h, depth, ctype, rows, interlace=0, extra=()):
    """rows: the filtered scanline bytes (each row led by its filter byte), already laid
    out per Adam7 pass when interlaced."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace)
    body = chunk(b"IHDR", ihdr) + b"".join(chunk(k, d) for k, d in extra)
    return (b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def pack_bits(vals, depth):
    out, acc, n = bytearray(), 0, 0
    for v in vals:
        acc = (acc << depth) | int(v)
        n += depth
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def make_files():
    os.makedirs(DIR, exist_ok=True)
    files = {}
    # TF's own PNGs: every channel count, 8 and 16 bits
    for c in (1, 2, 3, 4):
        img8 = rng.randint(0, 256, (3, 5, c)).astype(np.uint8)
        files[f"tf_c{c}_8.png"] = tf.io.encode_png(img8).numpy()
        img16 = rng.randint(0, 65536, (4, 3, c)).astype(np.uint16)
        files[f"tf_c{c}_16.png"] = tf.io.encode_png(img16).numpy()
    # a palette image with a tRNS chunk, 4 bits per index
    idx = rng.randint(0, 5, (3, 6))
    plte = bytes(rng.randint(0, 256, 15).astype(np.uint8))
    rows = b"".join(b"\x00" + pack_bits(r, 4) for r in idx)
    files["pal4_trns.png"] = png(6, 3, 4, 3, rows, extra=((b"PLTE", plte),
                                                          (b"tRNS", b"\x00\x80")))
    files["pal8.png"] = png(6, 3, 8, 3, b"".join(b"\x00" + bytes(r.astype(np.uint8))
                                                 for r in idx), extra=((b"PLTE", plte),))
    # 1- and 2-bit grayscale, with every filter type on an 8-bit RGB image
    g1 = rng.randint(0, 2, (4, 9))
    files["gray1.png"] = png(9, 4, 1, 0, b"".join(b"\x00" + pack_bits(r, 1) for r in g1))
    g2 = rng.randint(0, 4, (3, 5))
    files["gray2.png"] = png(5, 3, 2, 0, b"".join(b"\x00" + pack_bits(r, 2) for r in g2))
    rgb = rng.randint(0, 256, (5, 4, 3)).astype(np.uint8)
    rows, prev = b"", np.zeros(12, np.int32)
    for f, r in enumerate(rgb.reshape(5, 12).astype(np.int32)):
        left = np.concatenate([[0, 0, 0], r[:-3]])
        upleft = np.concatenate([[0, 0, 0], prev[:-3]])
        if f == 0:
            enc = r
        elif f == 1:
            enc = r - left
        elif f == 2:
            enc = r - prev
        elif f == 3:
            enc = r - (left + prev) // 2
        else:
            p = left + prev - upleft
            pa, pb, pc = abs(p - left), abs(p - prev), abs(p - upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, upleft))
            enc = r - pred
        rows += bytes([f]) + bytes((enc % 256).astype(np.uint8))
        prev = r
    files["filters_rgb.png"] = png(4, 5, 8, 2, rows)
    # Adam7: 5x7 gray, passes laid out by hand
    ga = rng.randint(0, 256, (7, 5)).astype(np.uint8)
    passes = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2),
              (0, 1, 2, 2), (1, 0, 2, 1))
    rows = b""
    for y0, x0, dy, dx in passes:
        sub = ga[y0::dy, x0::dx]
        if sub.size:
            rows += b"".join(b"\x00" + bytes(r) for r in sub)
    files["adam7_gray.png"] = png(5, 7, 8, 0, rows, interlace=1)
    files["gray_trns.png"] = png(3, 2, 8, 0, b"\x00\x01\x02\x03\x00\x02\x01\x09",
                                 extra=((b"tRNS", b"\x00\x02"),))
    # BMPs: 24-bit bottom-up with row padding, 32-bit top-down, 8-bit grayscale
    for name, bpp, w, h in (("rgb24.bmp", 24, 3, 2), ("bgra32_topdown.bmp", 32, 2, -3),
                            ("gray8.bmp", 8, 5, 2)):
        nc = bpp // 8
        px = rng.randint(0, 256, (abs(h), w, nc)).astype(np.uint8)
        stride = (w * nc + 3) // 4 * 4
        body = b"".join(bytes(r.reshape(-1)) + b"\x00" * (stride - w * nc) for r in px)
        pal = b"".join(bytes([i, i, i, 0]) for i in range(256)) if bpp == 8 else b""
        off = 14 + 40 + len(pal)
        hdr = (b"BM" + struct.pack("<IHHI", off + len(body), 0, 0, off)
               + struct.pack("<IiiHHIIiiII", 40, w, h, 1, bpp, 0, len(body), 2835, 2835,
                             0, 0))
        files[name] = hdr + pal + body
    # GIF: 4x3, two frames, the second covering a 2x2 corner with a transparent index
    files["anim.gif"] = gif()
    files["still.gif"] = gif(frames=1)
    # TF's JPEGs: RGB (4:2:0 by default) and grayscale
    sm = np.linspace(0, 255, 16 * 12 * 3).reshape(12, 16, 3)
    sm = (sm + rng.randint(0, 40, sm.shape)).clip(0, 255).astype(np.uint8)
    files["tf_rgb.jpg"] = tf.io.encode_jpeg(sm).numpy()
    files["tf_rgb_q75_444.jpg"] = tf.io.encode_jpeg(sm, quality=75,
                                                    chroma_downsampling=False).numpy()
    files["tf_gray.jpg"] = tf.io.encode_jpeg(sm[..., :1]).numpy()
    np.save(os.path.join(DIR, "jpeg_source.npy"), sm)
    for n, b in files.items():
        with open(os.path.join(DIR, n), "wb") as f:
            f.write(b)
    return files


def lzw(indices, min_size):
    """GIF's LZW, with a clear code before the data and codes never past 12 bits."""
    clear, end = 1 << min_size, (1 << min_size) + 1
    size, table, nxt = min_size + 1, {}, end + 1
    out, acc, nbits = bytearray(), 0, 0

    def emit(code):
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += size
        while nbits >= 8:
            out.append(acc & 0xff)
            acc >>= 8
            nbits -= 8
    emit(clear)
    cur = (indices[0],)
    for k in indices[1:]:
        if cur + (k,) in table:
            cur = cur + (k,)
            continue
        emit(table[cur] if len(cur) > 1 else cur[0])
        table[cur + (k,)] = nxt
        nxt += 1
        if nxt > (1 << size) and size < 12:
            size += 1
        cur = (k,)
    emit(table[cur] if len(cur) > 1 else cur[0])
    emit(end)
    if nbits:
        out.append(acc & 0xff)
    data = bytes(out)
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                    for i in range(0, len(data), 255)) + b"\x00"


def gif(frames=2):
    pal = bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    out = b"GIF89a" + struct.pack("<HHBBB", 4, 3, 0xF1, 0, 0) + pal
    f0 = [1, 2, 3, 0, 2, 2, 1, 1, 3, 0, 1, 2]
    out += b"\x21\xf9\x04\x00\x00\x00\x00\x00"
    out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 4, 3, 0) + b"\x02" + lzw(f0, 2)
    if frames > 1:
        # transparent index 0: those pixels keep the previous frame's colour
        out += b"\x21\xf9\x04\x01\x00\x00\x00\x00"
        out += b"\x2c" + struct.pack("<HHHHB", 2, 1, 2, 2, 0) + b"\x02" + lzw([3, 0, 0, 1], 2)
    return out + b"\x3b"


def run(fn):
    try:
        v = fn()
        v = v.numpy() if hasattr(v, "numpy") else v
        v = np.asarray(v, dtype=object) if isinstance(v, bytes) else np.asarray(v)
        if v.dtype == object:
            return {"dtype": "string", "shape": list(v.shape),
                    "values": [x.hex() for x in v.reshape(-1)]}
        return {"dtype": v.dtype.name, "shape": list(v.shape),
                "values": v.reshape(-1).tolist()}
    except Exception as e:  # noqa: BLE001 - the class and message are the record
        return {"error": type(e).__name__, "message": str(e).split(" [Op:")[0].strip()}


def main():
    files = make_files()
    cases = {}
    for n, data in files.items():
        cases[f"decode_image/{n}"] = run(lambda: tf.io.decode_image(data))
        cases[f"decode_image_noexpand/{n}"] = run(
            lambda: tf.io.decode_image(data, expand_animations=False))
        cases[f"is_jpeg/{n}"] = run(lambda: tf.io.is_jpeg(data))
        for ch in (0, 1, 3, 4):
            cases[f"decode_image_c{ch}/{n}"] = run(lambda: tf.io.decode_image(data,
                                                                             channels=ch))
        if n.endswith(".png"):
            for ch in (0, 1, 2, 3, 4):
                for dt in ("uint8", "uint16"):
                    cases[f"decode_png_c{ch}_{dt}/{n}"] = run(
                        lambda: tf.io.decode_png(data, channels=ch, dtype=dt))
            cases[f"decode_image_f32/{n}"] = run(lambda: tf.io.decode_image(
                data, dtype=tf.float32))
        if n.endswith(".bmp"):
            for ch in (0, 1, 3, 4):
                cases[f"decode_bmp_c{ch}/{n}"] = run(lambda: tf.io.decode_bmp(data,
                                                                             channels=ch))
        if n.endswith(".gif"):
            cases[f"decode_gif/{n}"] = run(lambda: tf.io.decode_gif(data))
        if n.endswith(".jpg"):
            cases[f"extract_jpeg_shape/{n}"] = run(lambda: tf.io.extract_jpeg_shape(data))
            for ch in (0, 1, 3):
                for dct in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
                    cases[f"decode_jpeg_c{ch}_{dct}/{n}"] = run(
                        lambda: tf.io.decode_jpeg(data, channels=ch, dct_method=dct))
            cases[f"decode_and_crop_jpeg/{n}"] = run(
                lambda: tf.io.decode_and_crop_jpeg(data, [2, 3, 5, 7]))
            cases[f"decode_and_crop_jpeg_bad/{n}"] = run(
                lambda: tf.io.decode_and_crop_jpeg(data, [2, 3, 50, 7]))
    # encode_png bytes at each compression level
    img = np.asarray(json.loads(json.dumps(
        rng.randint(0, 256, (6, 7, 3)).tolist())), np.uint8)
    smooth = (np.arange(16 * 16 * 4).reshape(16, 16, 4) % 251).astype(np.uint8)
    gray16 = (np.arange(5 * 9).reshape(5, 9, 1) * 1000).astype(np.uint16)
    enc = {"img": img, "smooth": smooth, "gray16": gray16}
    for k, v in enc.items():
        cases[f"encode_png_input/{k}"] = run(lambda: v)
        for lvl in (-1, 0, 1, 6, 9):
            cases[f"encode_png_{lvl}/{k}"] = run(lambda: tf.io.encode_png(v, compression=lvl))
    sm = np.load(os.path.join(DIR, "jpeg_source.npy"))
    for q in (95, 75):
        for cd in (True, False):
            cases[f"encode_jpeg_q{q}_{cd}"] = run(lambda: tf.io.encode_jpeg(
                sm, quality=q, chroma_downsampling=cd))
    cases["encode_jpeg_gray"] = run(lambda: tf.io.encode_jpeg(sm[..., :1]))
    # errors for bad bytes
    bad = {"empty": b"", "junk": b"hello world", "png_truncated": files["tf_c3_8.png"][:40],
           "png_bad_crc": files["tf_c3_8.png"][:30] + b"\x00" + files["tf_c3_8.png"][31:],
           "bmp_truncated": files["rgb24.bmp"][:40], "gif_truncated": files["anim.gif"][:20],
           "jpeg_truncated": files["tf_rgb.jpg"][:100]}
    for k, b in bad.items():
        cases[f"bad_decode_image/{k}"] = run(lambda: tf.io.decode_image(b))
        cases[f"bad_decode_png/{k}"] = run(lambda: tf.io.decode_png(b))
        cases[f"bad_decode_bmp/{k}"] = run(lambda: tf.io.decode_bmp(b))
        cases[f"bad_decode_gif/{k}"] = run(lambda: tf.io.decode_gif(b))
        cases[f"bad_decode_jpeg/{k}"] = run(lambda: tf.io.decode_jpeg(b))
        cases[f"bad_extract_jpeg_shape/{k}"] = run(lambda: tf.io.extract_jpeg_shape(b))
    # cross-format decodes: TF's decode ops sniff the bytes
    png_idat_bad = bytearray(files["tf_c3_8.png"])
    png_idat_bad[45] ^= 0xff
    more = {"png_bad_idat": bytes(png_idat_bad), "gif_mid_frame": files["anim.gif"][:60],
            "png_no_iend": files["tf_c3_8.png"][:-12]}
    for k, b in more.items():
        cases[f"bad_decode_image/{k}"] = run(lambda: tf.io.decode_image(b))
    for n in ("tf_c3_8.png", "tf_rgb.jpg", "anim.gif", "rgb24.bmp"):
        data = files[n]
        cases[f"cross_png/{n}"] = run(lambda: tf.io.decode_png(data))
        cases[f"cross_png16/{n}"] = run(lambda: tf.io.decode_png(data, dtype=tf.uint16))
        cases[f"cross_jpeg/{n}"] = run(lambda: tf.io.decode_jpeg(
            data, dct_method="INTEGER_ACCURATE"))
        cases[f"cross_gif/{n}"] = run(lambda: tf.io.decode_gif(data))
        cases[f"cross_bmp/{n}"] = run(lambda: tf.io.decode_bmp(data))
        cases[f"cross_f32/{n}"] = run(lambda: tf.io.decode_image(data, dtype=tf.float32))
        cases[f"cross_u16/{n}"] = run(lambda: tf.io.decode_image(data, dtype=tf.uint16))
    cases["bad_channels_png"] = run(lambda: tf.io.decode_png(files["tf_c3_8.png"], channels=5))
    cases["bad_channels_image"] = run(lambda: tf.io.decode_image(files["tf_c3_8.png"],
                                                                 channels=2))
    cases["encode_png_bad_rank"] = run(lambda: tf.io.encode_png(np.zeros((2, 2), np.uint8)))
    cases["encode_png_bad_channels"] = run(lambda: tf.io.encode_png(np.zeros((2, 2, 5),
                                                                             np.uint8)))
    # graph-mode names and static shapes
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
        graph = {k: {"name": t.name, "type": t.op.type, "shape": str(t.shape),
                     "dtype": t.dtype.name} for k, t in ops.items()}
        graph["op_types"] = sorted({o.type for o in g.get_operations()})
    with open(OUT, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": cases, "graph": graph}, f,
                  indent=0, sort_keys=True)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
