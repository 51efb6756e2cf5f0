"""CPU kernels of the image codec ops (`ops/codec_ops.py`): PNG, BMP and GIF in NumPy with
the standard library's zlib; JPEG through Pillow (the optional `images` extra).

The decoders copy what TF's libpng/giflib/BMP paths do to the pixels (palette expansion,
16-to-8-bit stripping, libpng's fixed-point RGB-to-gray, GIF frames drawn over the previous
frame), so the arrays equal TF's. JPEG pixels equal TF's for dct_method="INTEGER_ACCURATE";
TF's default fast IDCT is not in Pillow, so its pixels differ by a few levels. TF's decode ops all sniff the format: DecodePng,
DecodeGif and DecodeJpeg decode any of PNG, GIF and JPEG; only BMP needs DecodeBmp or
DecodeImage. The PNG encoder chooses row filters and zlib settings as libpng does, which is
what makes its bytes TF's.
"""
import struct
import zlib

import numpy as np

from ... import errors
from ...framework.registry import register_kernel


def _invalid(msg):
    return errors.InvalidArgumentError(None, None, msg)


def _bytes(x):
    x = np.asarray(x, dtype=object)
    if x.shape != ():
        raise _invalid(f"contents must be scalar, got shape {list(x.shape)}")
    v = x[()]
    return v.encode() if isinstance(v, str) else bytes(v)


def sniff(data):
    if not data:
        raise _invalid("Input is empty.")
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"GIF8":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    raise _invalid("Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP "
                   "required.")


# --- PNG ------------------------------------------------------------------------------------

_ADAM7 = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2),
          (0, 1, 2, 2), (1, 0, 2, 1))
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _unfilter(raw, rows, row_bytes, bpp):
    out = np.zeros((rows, row_bytes), np.uint8)
    prev = np.zeros(row_bytes, np.int32)
    pos = 0
    for y in range(rows):
        if pos + 1 + row_bytes > len(raw):
            raise _invalid(f"Invalid PNG data, size {len(raw)}")
        f = raw[pos]
        line = np.frombuffer(raw, np.uint8, row_bytes, pos + 1).astype(np.int32)
        pos += 1 + row_bytes
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 0xff
        elif f in (1, 3, 4):
            cur = line.copy()
            for i in range(row_bytes):
                a = cur[i - bpp] if i >= bpp else 0
                if f == 1:
                    p = a
                elif f == 3:
                    p = (a + prev[i]) >> 1
                else:
                    b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                    pp = a + b - c
                    pa, pb, pc = abs(pp - a), abs(pp - b), abs(pp - c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (cur[i] + p) & 0xff
        else:
            raise _invalid(f"Invalid PNG data, size {len(raw)}")
        out[y] = cur
        prev = cur
    return out, pos


def _samples(rows, w, depth, nch):
    """Filtered-out byte rows -> [h, w, nch] integer samples at the file's bit depth."""
    h = rows.shape[0]
    if depth == 16:
        return rows.view(">u2").reshape(h, -1)[:, :w * nch].astype(np.uint16).reshape(
            h, w, nch)
    if depth == 8:
        return rows[:, :w * nch].reshape(h, w, nch)
    bits = np.unpackbits(rows, axis=1).reshape(h, -1, depth)
    weights = 1 << np.arange(depth - 1, -1, -1)
    vals = (bits * weights).sum(-1)[:, :w * nch]
    return vals.astype(np.uint8).reshape(h, w, nch)


def _png_parse(data):
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise _invalid("Invalid PNG. Failed to initialize decoder.")
    pos, chunks = 8, []
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = data[pos + 8 + n:pos + 12 + n]
        if len(body) < n or len(crc) < 4 or struct.unpack(">I", crc)[0] != (
                zlib.crc32(kind + body) & 0xffffffff):
            if kind != b"IDAT" and not any(k == b"IDAT" for k, _ in chunks):
                # libpng reads every chunk before the first IDAT when the decoder starts
                raise _invalid("Invalid PNG. Failed to initialize decoder.")
            raise _invalid(f"Invalid PNG data, size {len(data)}")
        chunks.append((kind, body))
        pos += 12 + n
        if kind == b"IEND":
            break
    if not any(k == b"IDAT" for k, _ in chunks):
        raise _invalid("Invalid PNG. Failed to initialize decoder.")
    if chunks[-1][0] != b"IEND":
        raise _invalid(f"Invalid PNG data, size {len(data)}")
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if ctype not in _PNG_CHANNELS or w == 0 or h == 0:
        raise _invalid("Invalid PNG. Failed to initialize decoder.")
    return w, h, depth, ctype, interlace, chunks


def png_info(data):
    w, h, depth, ctype, _, chunks = _png_parse(data)
    trns = any(k == b"tRNS" for k, _ in chunks)
    nch = 4 if ctype == 3 and trns else (3 if ctype == 3 else _PNG_CHANNELS[ctype])
    return h, w, nch, depth


def decode_png_bytes(data, channels, bits16):
    w, h, depth, ctype, interlace, chunks = _png_parse(data)
    try:
        raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    except zlib.error:
        raise _invalid(f"Invalid PNG data, size {len(data)}") from None
    nch = _PNG_CHANNELS[ctype]
    bpp = max(1, nch * depth // 8)
    if interlace:
        img = np.zeros((h, w, nch), np.uint16 if depth == 16 else np.uint8)
        pos = 0
        for y0, x0, dy, dx in _ADAM7:
            pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
            if pw <= 0 or ph <= 0:
                continue
            rb = (pw * nch * depth + 7) // 8
            rows, used = _unfilter(raw[pos:], ph, rb, bpp)
            pos += used
            img[y0::dy, x0::dx] = _samples(rows, pw, depth, nch)
    else:
        rows, _ = _unfilter(raw, h, (w * nch * depth + 7) // 8, bpp)
        img = _samples(rows, w, depth, nch)
    chunkd = dict((k, b) for k, b in chunks)
    filler = None
    if ctype == 3:
        plte = np.frombuffer(chunkd.get(b"PLTE", b""), np.uint8).reshape(-1, 3)
        idx = img[..., 0].astype(np.intp)
        if idx.size and idx.max() >= len(plte):
            raise _invalid(f"Invalid PNG data, size {len(data)}")
        rgb = plte[idx]
        if b"tRNS" in chunkd:
            alpha = np.full(256, 255, np.uint8)
            t = np.frombuffer(chunkd[b"tRNS"], np.uint8)
            alpha[:len(t)] = t
            img = np.concatenate([rgb, alpha[idx][..., None]], -1)
        else:
            img = rgb
        depth = 8
    else:
        top = 0xffff if depth == 16 else 0xff
        if b"tRNS" in chunkd and ctype in (0, 2):
            # libpng turns a tRNS colour into an alpha channel when one is asked for
            key = np.frombuffer(chunkd[b"tRNS"], ">u2")[:nch]
            filler = np.where((img == key).all(-1, keepdims=True), 0, top)
        elif depth < 8:
            # libpng adds the filler before widening the samples: it keeps the low depth's max
            filler = (1 << depth) - 1
        if depth < 8:       # low-depth gray scaled up to 8 bits
            img = (img.astype(np.uint16) * (255 // ((1 << depth) - 1))).astype(np.uint8)
            depth = 8
    img = _png_channels(img, channels, depth, filler)
    if depth == 16 and not bits16:
        return (img >> 8).astype(np.uint8)      # libpng's strip_16: the high byte
    if bits16 and depth == 8:
        return img.astype(np.uint16) * np.uint16(257)
    return img


def _png_channels(img, channels, depth, filler):
    have = img.shape[-1]
    if channels in (0, have):
        return img
    color = img[..., :3] if have >= 3 else img[..., :1]
    alpha = img[..., -1:] if have in (2, 4) else None
    if channels in (1, 2) and color.shape[-1] == 3:
        color = _rgb_to_gray(color, depth)
    elif channels in (3, 4) and color.shape[-1] == 1:
        color = np.repeat(color, 3, -1)
    if channels not in (2, 4):
        return color
    if alpha is None:
        top = 0xffff if depth == 16 else 0xff
        alpha = np.broadcast_to(np.asarray(top if filler is None else filler, color.dtype),
                                color.shape[:-1] + (1,))
    return np.concatenate([color, alpha.astype(color.dtype)], -1)


def _rgb_to_gray(rgb, depth):
    # libpng's rgb_to_gray with TF's weights 0.299/0.587, in libpng's 15-bit fixed point
    rc, gc = 29900 * 32768 // 100000, 58700 * 32768 // 100000
    bc = 32768 - rc - gc
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    gray = (rc * r + gc * g + bc * b + (16384 if depth == 16 else 0)) >> 15
    gray = np.where((r == g) & (g == b), r, gray)
    return gray[..., None].astype(rgb.dtype)


def _filter_row(row, prev, bpp):
    """libpng's adaptive choice: the filter whose output has the least sum of |signed byte|."""
    r, p = row.astype(np.int32), prev.astype(np.int32)
    left = np.concatenate([np.zeros(bpp, np.int32), r[:-bpp]])
    upleft = np.concatenate([np.zeros(bpp, np.int32), p[:-bpp]])
    pp = left + p - upleft
    pa, pb, pc = np.abs(pp - left), np.abs(pp - p), np.abs(pp - upleft)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, p, upleft))
    best, best_sum = None, None
    for f, pred in ((0, 0), (1, left), (2, p), (3, (left + p) >> 1), (4, paeth)):
        out = ((r - pred) & 0xff).astype(np.uint8)
        s = int(np.where(out < 128, out, 256 - out.astype(np.int32)).sum())
        if best is None or s < best_sum:
            best, best_sum = bytes([f]) + out.tobytes(), s
    return best


def _chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))


def encode_png_bytes(img, level):
    h, w, c = img.shape
    depth = 16 if img.dtype == np.uint16 else 8
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = img.astype(">u2").reshape(h, -1).view(np.uint8) if depth == 16 else \
        img.reshape(h, -1)
    bpp = c * depth // 8
    prev = np.zeros(rows.shape[1], np.uint8)
    raw = bytearray()
    for r in rows:
        raw += _filter_row(r, prev, bpp)
        prev = r
    # libpng shrinks zlib's window to the smallest that holds the image, then rewrites
    # the stream header's window field to the smallest the data needs
    wbits, half = 15, 1 << 14
    if len(raw) <= 16384:
        while len(raw) + 262 <= half:
            half >>= 1
            wbits -= 1
    comp = zlib.compressobj(level, zlib.DEFLATED, max(wbits, 9), 8, zlib.Z_FILTERED)
    z = bytearray(comp.compress(bytes(raw)) + comp.flush())
    if len(raw) <= 16384:
        cinfo = z[0] >> 4
        hw = 1 << (cinfo + 7)
        if len(raw) <= hw:
            while True:
                hw >>= 1
                cinfo -= 1
                if not (cinfo > 0 and len(raw) <= hw):
                    break
            z[0] = (z[0] & 0x0f) | (cinfo << 4)
            flg = z[1] & 0xe0
            z[1] = flg + 0x1f - ((z[0] << 8) + flg) % 0x1f
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)
    idats = b"".join(_chunk(b"IDAT", bytes(z[i:i + 8192])) for i in range(0, len(z), 8192))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + idats + _chunk(b"IEND", b"")


# --- BMP ------------------------------------------------------------------------------------

def decode_bmp_bytes(data, channels):
    if channels not in (0, 3, 4):
        raise _invalid(f"`channels` must be 0, 3 or 4 for BMP, but got {channels}")
    if len(data) < 30:
        raise _invalid(f"Input size should match (header_size + row_size * abs_height) but "
                       f"they differ by {len(data) - 54}")
    offset = struct.unpack_from("<I", data, 10)[0]
    w, h = struct.unpack_from("<ii", data, 18)
    bpp = struct.unpack_from("<H", data, 28)[0]
    if bpp not in (8, 24, 32):
        raise _invalid(f"Number of channels inherent in the image must be 1, 3 or 4, was "
                       f"{bpp // 8}")
    nch = bpp // 8
    ah = abs(h)
    row_size = (bpp * w + 31) // 32 * 4
    diff = len(data) - (offset + row_size * ah)
    if diff < 0:
        raise _invalid(f"Input size should match (header_size + row_size * abs_height) but "
                       f"they differ by {diff}")
    px = np.frombuffer(data, np.uint8, row_size * ah, offset).reshape(ah, row_size)
    px = px[:, :w * nch].reshape(ah, w, nch)
    if h > 0:
        px = px[::-1]
    if nch >= 3:        # stored as BGR(A)
        px = np.concatenate([px[..., 2::-1], px[..., 3:]], -1)
    want = nch if channels == 0 else channels
    if want == nch:
        return np.ascontiguousarray(px)
    color = np.repeat(px, 3, -1) if nch == 1 else px[..., :3]
    if want == 4:
        return np.concatenate([color, np.full(color.shape[:-1] + (1,), 255, np.uint8)], -1)
    return np.ascontiguousarray(color)


# --- GIF ------------------------------------------------------------------------------------

def _gif_error(data, why):
    return _invalid(f"Invalid GIF data (size {len(data)}), failed to open gif file: {why}")


def _lzw_decode(data, min_size, count):
    clear, end = 1 << min_size, (1 << min_size) + 1
    out = bytearray()
    size, table = min_size + 1, [bytes([i]) for i in range(clear)] + [b"", b""]
    prev, acc, nbits = None, 0, 0
    for byte in data:
        acc |= byte << nbits
        nbits += 8
        while nbits >= size:
            code = acc & ((1 << size) - 1)
            acc >>= size
            nbits -= size
            if code == clear:
                size, table = min_size + 1, table[:end + 1]
                prev = None
                continue
            if code == end:
                return bytes(out[:count])
            if code < len(table):
                entry = table[code]
                if prev is not None:
                    table.append(prev + entry[:1])
            elif prev is not None and code == len(table):
                entry = prev + prev[:1]
                table.append(entry)
            else:
                raise ValueError("bad LZW code")
            out += entry
            prev = entry
            if len(table) == (1 << size) and size < 12:
                size += 1
    return bytes(out[:count])


def decode_gif_bytes(data):
    if len(data) < 13:
        raise _gif_error(data, "No screen descriptor detected")
    sw, sh, flags = struct.unpack_from("<HHB", data, 6)
    pos = 13
    gct = None
    if flags & 0x80:
        n = 3 << ((flags & 7) + 1)
        if pos + n > len(data):
            raise _gif_error(data, "No screen descriptor detected")
        gct = np.frombuffer(data, np.uint8, n, pos).reshape(-1, 3)
        pos += n
    frames, trans = [], None
    try:
        while True:
            b = data[pos]
            if b == 0x3B:
                break
            if b == 0x21:
                label, pos = data[pos + 1], pos + 2
                blocks = []
                while data[pos]:
                    blocks.append(data[pos + 1:pos + 1 + data[pos]])
                    pos += 1 + data[pos]
                pos += 1
                if label == 0xF9 and blocks and len(blocks[0]) >= 4:
                    trans = blocks[0][3] if blocks[0][0] & 1 else None
                continue
            if b != 0x2C:
                raise ValueError("bad block")
            x, y, w, h, fl = struct.unpack_from("<HHHHB", data, pos + 1)
            pos += 10
            ct = gct
            if fl & 0x80:
                n = 3 << ((fl & 7) + 1)
                ct = np.frombuffer(data, np.uint8, n, pos).reshape(-1, 3)
                pos += n
            min_size, pos = data[pos], pos + 1
            sub = bytearray()
            while data[pos]:
                sub += data[pos + 1:pos + 1 + data[pos]]
                pos += 1 + data[pos]
            pos += 1
            idx = np.frombuffer(_lzw_decode(sub, min_size, w * h), np.uint8)
            if idx.size < w * h:
                raise ValueError("short frame")
            if fl & 0x40:       # interlaced rows: every 8th from 0, 8th from 4, 4th from 2, ...
                order = [r for s, d in ((0, 8), (4, 8), (2, 4), (1, 2)) for r in range(s, h, d)]
                fixed = np.empty((h, w), np.uint8)
                fixed[order] = idx.reshape(h, w)
                idx = fixed.reshape(-1)
            frames.append((x, y, w, h, idx.reshape(h, w), ct, trans))
            trans = None
    except (IndexError, struct.error, ValueError):
        # TF keeps the frames read before the data broke off
        if not frames:
            raise _invalid("Failed to slurp gif file: Failed to read from given file") from None
    if not frames:
        raise _invalid("Gif file does not contain any image")
    out = np.zeros((len(frames), sh, sw, 3), np.uint8)
    for k, (x, y, w, h, idx, ct, t) in enumerate(frames):
        if ct is None:
            raise _invalid("No color map provided")
        if k:
            out[k] = out[k - 1]
        ys, xs = slice(y, min(y + h, sh)), slice(x, min(x + w, sw))
        sub = idx[:ys.stop - y, :xs.stop - x]
        colors = ct[np.minimum(sub, len(ct) - 1)]
        region = out[k, ys, xs]
        keep = (sub == t)[..., None] if t is not None else np.zeros(sub.shape + (1,), bool)
        out[k, ys, xs] = np.where(keep, region, colors)
    return out


# --- JPEG (Pillow) --------------------------------------------------------------------------

PILLOW_MISSING = ("JPEG decoding and encoding need Pillow: pip install 'tfteach[images]' "
                  "(or pip install pillow)")
_JPEG_ERR = "jpeg::Uncompress failed. Invalid JPEG data or crop window."


def _pil():
    # the API functions raise ImportError up front; this is for a JPEG met by decode_image
    # or decode_png at run time, where the executor needs one of TF's error classes
    try:
        from PIL import Image
    except ImportError:
        raise errors.UnimplementedError(None, None, PILLOW_MISSING) from None
    return Image


def jpeg_shape(data):
    """[height, width, components] from the first start-of-frame marker."""
    pos = 2
    if data[:2] != b"\xff\xd8":
        raise _invalid(f"Invalid JPEG data, size {len(data)}")
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        n = struct.unpack_from(">H", data, pos + 2)[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                      0xCE, 0xCF) and pos + 10 <= len(data):
            h, w = struct.unpack_from(">HH", data, pos + 5)
            # libjpeg fails the header read when the data ends before the scan begins
            if b"\xff\xda" in data[pos:]:
                return h, w, data[pos + 9]
            break
        pos += 2 + n
    raise _invalid(f"Invalid JPEG data, size {len(data)}")


def decode_jpeg_bytes(data, channels, dct_method, crop=None):
    if channels not in (0, 1, 3):
        raise _invalid("JPEG does not support 4 channels" if channels == 4 else
                       f"`channels` must be 0, 1, 3 or 4 but got {channels}")
    Image = _pil()
    import io
    try:
        im = Image.open(io.BytesIO(data))
        if channels == 1 and im.mode != "L":
            # libjpeg's own YCbCr->gray (it keeps Y), as TF asks libjpeg for
            im.draft("L", im.size)
        im.load()
    except Exception:  # noqa: BLE001 - Pillow's decoder errors are TF's one message
        raise _invalid(_JPEG_ERR) from None
    if im.mode not in ("L", "RGB"):
        raise _invalid(_JPEG_ERR)
    arr = np.asarray(im)
    arr = arr[..., None] if arr.ndim == 2 else arr
    if channels == 3 and arr.shape[-1] == 1:
        arr = np.repeat(arr, 3, -1)
    if crop is not None:
        y, x, h, w = (int(v) for v in crop)
        if y < 0 or x < 0 or h <= 0 or w <= 0 or y + h > arr.shape[0] or x + w > arr.shape[1]:
            raise _invalid(_JPEG_ERR)
        arr = arr[y:y + h, x:x + w]
    return np.ascontiguousarray(arr)


def encode_jpeg_bytes(img, fmt, quality, progressive, optimize_size, chroma_downsampling,
                      density_unit, x_density, y_density, xmp_metadata):
    Image = _pil()
    import io
    c = img.shape[-1]
    if fmt == "grayscale" and c != 1 or fmt == "rgb" and c != 3:
        raise _invalid(f"Format '{fmt}' does not match the image's {c} channels")
    if c not in (1, 3):
        raise _invalid(f"image must have 1 or 3 channels, got [{','.join(map(str, img.shape))}]")
    im = Image.fromarray(img[..., 0] if c == 1 else img, "L" if c == 1 else "RGB")
    buf = io.BytesIO()
    kw = dict(quality=int(quality), progressive=bool(progressive),
              optimize=bool(optimize_size),
              subsampling=2 if chroma_downsampling and c == 3 else 0)
    if xmp_metadata:
        kw["xmp"] = xmp_metadata.encode() if isinstance(xmp_metadata, str) else xmp_metadata
    im.save(buf, "JPEG", **kw)
    out = bytearray(buf.getvalue())
    # the JFIF segment's density fields, as TF writes them (Pillow writes them only with dpi)
    if out[2:4] == b"\xff\xe0" and out[6:11] == b"JFIF\x00":
        unit = {"in": 1, "cm": 2}[density_unit.decode() if isinstance(density_unit, bytes)
                                  else density_unit]
        out[13] = unit
        out[14:18] = struct.pack(">HH", int(x_density), int(y_density))
    return bytes(out)


# --- the kernels ----------------------------------------------------------------------------

def _wrong_op(fmt, op):
    uses = {"bmp": "`decode_bmp`", "gif": "`decode_gif`", "png": "`decode_png`",
            "jpeg": "`decode_jpeg`"}[fmt]
    return _invalid(f"Trying to decode {fmt.upper()} format using a wrong op. Use {uses} or "
                    f"`decode_image` instead. Op used: {op}")


def decode_any(data, op, channels=0, bits16=False, expand_animations=True, dct_method=""):
    fmt = sniff(data)
    if op == "DecodeBmp" and fmt == "png":
        _png_parse(data)        # TF starts libpng before it looks at the op
    if op == "DecodeBmp" and fmt != "bmp":
        raise _invalid(f"Trying to decode {fmt.upper()} format using DecodeBmp op. Use "
                       f"`decode_{fmt}` or `decode_image` instead.")
    if op in ("DecodePng", "DecodeJpeg", "DecodeGif") and fmt == "bmp":
        raise _wrong_op("bmp", op)
    if fmt == "gif" and channels not in (0, 3):
        raise _invalid(f"channels must be 0 or 3 for GIF, got {channels}")
    if fmt == "png":
        img = decode_png_bytes(data, channels, bits16)
        return img[None] if op == "DecodeGif" else img
    if fmt == "bmp":
        img = decode_bmp_bytes(data, channels)
    elif fmt == "gif":
        img = decode_gif_bytes(data)
        if op in ("DecodePng", "DecodeJpeg") and len(img) > 1:
            raise _invalid(f"Got {len(img)} frames, but animated gifs can only be decoded by "
                           "tf.io.decode_gif or tf.io.decode_image")
        if op in ("DecodePng", "DecodeJpeg") or op == "DecodeImage" and not expand_animations:
            img = img[0]
    else:
        img = decode_jpeg_bytes(data, channels, dct_method)
        if op == "DecodeGif":
            img = img[None]
    if bits16:      # TF widens JPEG, GIF and BMP pixels by a shift (PNG's by 257)
        img = img.astype(np.uint16) << np.uint16(8)
    return img


def _check_channels(channels, allow2=False):
    if channels not in ((0, 1, 2, 3, 4) if allow2 else (0, 1, 3, 4)):
        raise _invalid(f"`channels` must be 0, 1, 3 or 4 but got {channels}")


@register_kernel("DecodePng")
def decode_png(contents, *, channels, dtype):
    _check_channels(channels)
    return decode_any(_bytes(contents), "DecodePng", channels,
                      np.dtype(dtype.np_dtype) == np.uint16)


@register_kernel("DecodeBmp")
def decode_bmp(contents, *, channels):
    return decode_any(_bytes(contents), "DecodeBmp", channels)


@register_kernel("DecodeGif")
def decode_gif(contents):
    return decode_any(_bytes(contents), "DecodeGif")


@register_kernel("DecodeImage")
def decode_image(contents, *, channels, dtype, expand_animations):
    _check_channels(channels)
    dt = np.dtype(dtype.np_dtype)
    data = _bytes(contents)
    if dt != np.float32:
        return decode_any(data, "DecodeImage", channels, dt == np.uint16, expand_animations)
    # TF scales PNGs from their 16-bit decode, the other formats from 8 bits
    png = sniff(data) == "png"
    img = decode_any(data, "DecodeImage", channels, png, expand_animations)
    return img.astype(np.float32) * np.float32(1 / 65535 if png else 1 / 255)


@register_kernel("DecodeJpeg")
def decode_jpeg(contents, *, channels, ratio, fancy_upscaling, try_recover_truncated,
                acceptable_fraction, dct_method):
    _jpeg_args(ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method)
    _check_channels(channels)
    return decode_any(_bytes(contents), "DecodeJpeg", channels, dct_method=dct_method)


@register_kernel("DecodeAndCropJpeg")
def decode_and_crop_jpeg(contents, crop_window, *, channels, ratio, fancy_upscaling,
                         try_recover_truncated, acceptable_fraction, dct_method):
    _jpeg_args(ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method)
    data = _bytes(contents)
    if sniff(data) != "jpeg":
        raise _invalid(_JPEG_ERR)
    crop = np.asarray(crop_window).reshape(-1)
    if crop.size != 4:
        raise _invalid(f"crop_window must have 4 elements: {crop.size}")
    return decode_jpeg_bytes(data, channels, dct_method, crop)


def _jpeg_args(ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction,
               dct_method):
    # Pillow decodes at full size with fancy upsampling and stops at the first error:
    # the other settings would give pixels TF gives and tfteach cannot
    d = dct_method.decode() if isinstance(dct_method, bytes) else dct_method
    if ratio != 1 or not fancy_upscaling or try_recover_truncated or acceptable_fraction != 1:
        raise errors.UnimplementedError(
            None, None, "tfteach decodes JPEGs only with ratio=1, fancy_upscaling=True, "
                        "try_recover_truncated=False and acceptable_fraction=1")
    if d not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise errors.UnimplementedError(None, None, f"dct_method {d!r} is not supported")


@register_kernel("ExtractJpegShape")
def extract_jpeg_shape(contents, *, output_type):
    return np.asarray(jpeg_shape(_bytes(contents)), np.dtype(output_type.np_dtype))


@register_kernel("EncodePng")
def encode_png(image, *, compression):
    img = np.asarray(image)
    if img.ndim != 3:
        raise _invalid(f"images must be at least rank 3[{','.join(map(str, img.shape))}]")
    if img.shape[-1] not in (1, 2, 3, 4):
        raise _invalid(f"image must have 1, 2, 3, or 4 channels, got {img.shape[-1]}")
    if not -1 <= compression <= 9:
        raise _invalid(f"compression should be in [-1,9], got {compression}")
    return np.asarray(encode_png_bytes(img, compression), dtype=object)


@register_kernel("EncodeJpeg")
def encode_jpeg(image, *, format, quality, progressive, optimize_size,  # noqa: A002
                chroma_downsampling, density_unit, x_density, y_density, xmp_metadata):
    img = np.asarray(image)
    if img.ndim != 3:
        raise _invalid(f"image must be 3-dimensional[{','.join(map(str, img.shape))}]")
    if not 0 <= quality <= 100:
        raise _invalid(f"quality must be in [0,100], got {quality}")
    return np.asarray(encode_jpeg_bytes(img, format, quality, progressive, optimize_size,
                                        chroma_downsampling, density_unit, x_density,
                                        y_density, xmp_metadata), dtype=object)
