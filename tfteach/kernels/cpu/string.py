"""CPU kernels of the string ops (`ops/string_ops.py`).

String tensors are NumPy object arrays of `bytes`. numba cannot compile object arrays, so
these kernels are plain Python over `np.nditer`/`np.vectorize`-free loops: the strings a
lesson handles are short and few. Text is bytes throughout, as in TF: lengths count bytes
unless the op's `unit` asks for UTF-8 characters.
"""
import re

import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework.registry import register_kernel
from ._text import format_tensor


def _obj(x):
    return np.asarray(x, dtype=object)


def _map(fn, x, out_dtype=object):
    x = _obj(x)
    out = np.empty(x.shape, dtype=out_dtype)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):
        flat_out[i] = fn(flat_in[i])
    return out


def _bytes(v):
    return v if isinstance(v, bytes) else str(v).encode()


def _invalid(msg):
    return errors.InvalidArgumentError(None, None, msg)


@register_kernel("StringJoin")
def string_join(*inputs, separator):
    arrays = [_obj(x) for x in inputs]
    try:
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        raise _invalid("Input shapes do not match: " + " vs. ".join(
            str(list(a.shape)) for a in arrays)) from None
    sep = separator.encode() if isinstance(separator, str) else separator
    out = np.empty(shape, dtype=object)
    parts = [np.broadcast_to(a, shape).reshape(-1) for a in arrays]
    flat = out.reshape(-1)
    for i in range(flat.size):
        flat[i] = sep.join(_bytes(p[i]) for p in parts)
    return out


def _utf8_len(b):
    # the number of bytes that do not continue a UTF-8 sequence: TF's character count
    return sum(1 for c in b if (c & 0xC0) != 0x80)


@register_kernel("StringLength")
def string_length(x, *, unit):
    if unit == "UTF8_CHAR":
        return _map(_utf8_len, x, np.int32)
    return _map(len, x, np.int32)


def _case(x, encoding, method):
    if encoding:
        return _map(lambda b: getattr(b.decode(encoding), method)().encode(encoding), x)
    return _map(lambda b: getattr(b, method)(), x)      # ASCII letters only, as TF


@register_kernel("StringUpper")
def string_upper(x, *, encoding):
    return _case(x, encoding, "upper")


@register_kernel("StringLower")
def string_lower(x, *, encoding):
    return _case(x, encoding, "lower")


@register_kernel("StringStrip")
def string_strip(x):
    return _map(lambda b: b.strip(), x)


@register_kernel("Substr")
def substr(x, pos, length, *, unit):
    x, pos, length = _obj(x), np.asarray(pos), np.asarray(length)
    if pos.shape != length.shape:
        raise _invalid(f"pos and len should have the same shape, got: "
                       f"{list(pos.shape)} vs. {list(length.shape)}")
    try:
        shape = np.broadcast_shapes(x.shape, pos.shape)
    except ValueError:
        raise _invalid(f"Incompatible shapes: {list(x.shape)} vs. {list(pos.shape)}") from None
    xs = np.broadcast_to(x, shape).reshape(-1)
    ps = np.broadcast_to(pos, shape).reshape(-1)
    ls = np.broadcast_to(length, shape).reshape(-1)
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        b = xs[i]
        seq = b.decode("utf-8") if unit == "UTF8_CHAR" else b
        p, n = int(ps[i]), int(ls[i])
        if p > len(seq) or p < -len(seq):
            raise _invalid(f"pos {p} out of range for string b'{b.decode('utf-8', 'replace')}' "
                           f"at index {i}")
        if p < 0:
            p += len(seq)
        piece = seq[p:p + max(n, 0)]
        flat[i] = piece.encode("utf-8") if unit == "UTF8_CHAR" else piece
    return out


def _regex_replace(x, pattern, rewrite, replace_global):
    try:
        rx = re.compile(_bytes(pattern))
    except re.error as e:
        raise _invalid(f"Invalid pattern: {pattern}, error: {e}") from None
    count = 0 if replace_global else 1
    rw = _bytes(rewrite)
    return _map(lambda b: rx.sub(rw, b, count=count), x)


@register_kernel("StaticRegexReplace")
def static_regex_replace(x, *, pattern, rewrite, replace_global):
    return _regex_replace(x, pattern, rewrite, replace_global)


@register_kernel("RegexReplace")
def regex_replace(x, pattern, rewrite, *, replace_global):
    pattern, rewrite = _obj(pattern), _obj(rewrite)
    if pattern.ndim or rewrite.ndim:
        raise _invalid("Pattern must be scalar, but received "
                       f"{list(pattern.shape) if pattern.ndim else list(rewrite.shape)}")
    return _regex_replace(x, pattern[()], rewrite[()], replace_global)


def _parse_number(b, out):
    s = b.decode("utf-8", "replace")
    try:
        if out.kind == "f":
            v = float(s)
            if out == np.float32 and np.isfinite(v) and abs(v) > np.finfo(np.float32).max:
                raise ValueError
            return v
        v = int(s.strip())
        info = np.iinfo(out)
        if not info.min <= v <= info.max:
            raise ValueError
        return v
    except ValueError:
        raise _invalid(f"StringToNumberOp could not correctly convert string: {s}") from None


@register_kernel("StringToNumber")
def string_to_number(x, *, out_type):
    npdt = out_type.np_dtype
    return _map(lambda b: _parse_number(b, npdt), x, npdt)


def _printf(precision, scientific, shortest, width, fill, kind):
    spec = "%" + (fill if fill else "") + (str(width) if width > -1 else "")
    if kind in "fc":
        if precision > -1:
            spec += f".{precision}"
        return spec + ("e" if scientific else "g" if shortest else "f")
    if kind in "iu":
        return spec + "d"
    return spec + "s"


@register_kernel("AsString")
def as_string(x, *, precision, scientific, shortest, width, fill):
    x = np.asarray(x)
    if len(fill) > 1:
        raise _invalid(f"Fill string must be one or fewer characters: {fill}")
    kind = x.dtype.kind
    fmt = _printf(precision, scientific, shortest, width, fill, kind)
    if kind == "c":
        return _map(lambda v: ("(" + fmt % v.real + "," + fmt % v.imag + ")").encode(), x)
    if kind == "b":
        return _map(lambda v: (fmt % ("true" if v else "false")).encode(), x)
    if kind == "O":
        return _map(lambda v: (fmt % _bytes(v).decode("utf-8", "replace")).encode(), x)
    if kind == "f":
        return _map(lambda v: (fmt % float(v)).encode(), x)
    return _map(lambda v: (fmt % int(v)).encode(), x)


def _dtype_of(a):
    return _dt.string if a.dtype.kind in "OSU" else _dt.as_dtype(a.dtype)


@register_kernel("StringFormat")
def string_format(*inputs, template, placeholder, summarize):
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(inputs):
        raise _invalid(f"num placeholders in template and num inputs must match: "
                       f"{len(pieces) - 1} vs. {len(inputs)}")
    out = [pieces[0]]
    for x, tail in zip(inputs, pieces[1:]):
        a = np.asarray(x)
        out.append(format_tensor(a, _dtype_of(a), summarize))
        out.append(tail)
    return np.array("".join(out).encode(), dtype=object)


@register_kernel("ReduceJoin")
def reduce_join(x, axes, *, keep_dims, separator):
    x = _obj(x)
    rank = x.ndim
    red = []
    for a in np.reshape(axes, -1).tolist():
        if not -rank <= a < rank:
            raise _invalid(f"Invalid reduction dimension {a} for input with {rank} "
                           f"dimensions.")
        if a % rank in red:
            raise _invalid(f"Duplicate reduction dimension {a}")
        red.append(a % rank)
    kept = [i for i in range(rank) if i not in red]
    red_sorted = sorted(red)
    moved = np.transpose(x, kept + red_sorted)
    k = int(np.prod([x.shape[i] for i in red_sorted])) if red_sorted else 1
    rows = moved.reshape(-1, k) if moved.size or k else moved.reshape(
        (int(np.prod([x.shape[i] for i in kept])), 0))
    sep = separator.encode() if isinstance(separator, str) else separator
    joined = np.empty(rows.shape[0], dtype=object)
    for i in range(rows.shape[0]):
        joined[i] = sep.join(_bytes(v) for v in rows[i])
    if keep_dims:
        shape = [1 if i in red else x.shape[i] for i in range(rank)]
    else:
        shape = [x.shape[i] for i in kept]
    return joined.reshape(shape)


@register_kernel("StringSplitV2")
def string_split_v2(x, sep, *, maxsplit):
    x, sep = _obj(x), _obj(sep)
    if x.ndim != 1:
        raise _invalid(f"input must be a vector, got shape: {list(x.shape)}")
    s = _bytes(sep[()]) if sep.ndim == 0 else None
    if s is None:
        raise _invalid(f"sep must be a scalar, got shape: {list(sep.shape)}")
    indices, values, width = [], [], 0
    for i, b in enumerate(x):
        parts = b.split(None if s == b"" else s, -1 if maxsplit < 0 else maxsplit)
        for j, p in enumerate(parts):
            indices.append((i, j))
            values.append(p)
        width = max(width, len(parts))
    idx = np.array(indices, dtype=np.int64).reshape(-1, 2)
    vals = np.empty(len(values), dtype=object)
    vals[:] = values
    return idx, vals, np.array([x.shape[0], width], dtype=np.int64)


@register_kernel("StringSplit")
def string_split(x, delimiter, *, skip_empty):
    x, d = _obj(x), _obj(delimiter)
    if x.ndim != 1 or d.ndim != 0:
        raise _invalid("input must be a vector and delimiter a scalar")
    delims = set(_bytes(d[()]))
    indices, values, width = [], [], 0
    for i, b in enumerate(x):
        if not delims:
            parts = [b[k:k + 1] for k in range(len(b))]
        else:
            parts, cur = [], bytearray()
            for c in b:
                if c in delims:
                    parts.append(bytes(cur))
                    cur = bytearray()
                else:
                    cur.append(c)
            parts.append(bytes(cur))
        if skip_empty:
            parts = [p for p in parts if p]
        for j, p in enumerate(parts):
            indices.append((i, j))
            values.append(p)
        width = max(width, len(parts))
    vals = np.empty(len(values), dtype=object)
    vals[:] = values
    return (np.array(indices, dtype=np.int64).reshape(-1, 2), vals,
            np.array([x.shape[0], width], dtype=np.int64))


@register_kernel("DecodeRaw")
def decode_raw(x, *, out_type, little_endian):
    x = _obj(x)
    dt = np.dtype(out_type.np_dtype).newbyteorder("<" if little_endian else ">")
    rows = [np.frombuffer(_bytes(b), dtype=dt) if len(_bytes(b)) % dt.itemsize == 0
            else None for b in x.reshape(-1)]
    if any(r is None for r in rows):
        raise _invalid(f"Input to DecodeRaw has length {len(_bytes(x.reshape(-1)[0]))} that "
                       f"is not a multiple of {dt.itemsize}, the size of "
                       f"{out_type.name}")
    n = {len(r) for r in rows}
    if len(n) > 1:
        raise _invalid("DecodeRaw requires input strings to all be the same size, but "
                       "they differ")
    k = n.pop() if n else 0
    out = np.array(rows, dtype=out_type.np_dtype).reshape(x.shape + (k,))
    return out


_CODECS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}


@register_kernel("UnicodeDecode")
def unicode_decode(x, *, input_encoding, errors, replacement_char,
                   replace_control_characters, Tsplits):
    codec = _CODECS[input_encoding]
    splits, chars = [0], []
    for b in _obj(x).reshape(-1):
        try:
            text = _bytes(b).decode(codec, "strict" if errors == "strict" else "replace")
        except UnicodeDecodeError as e:
            raise _invalid(f"Invalid formatting on input string: {e}") from None
        cps = [ord(c) for c in text]
        if errors == "ignore":
            cps = [c for c in cps if c != 0xFFFD]
        elif errors == "replace":
            cps = [replacement_char if c == 0xFFFD else c for c in cps]
        chars.extend(cps)
        splits.append(len(chars))
    return (np.array(splits, dtype=Tsplits.np_dtype), np.array(chars, dtype=np.int32))


@register_kernel("UnicodeEncode")
def unicode_encode(values, splits, *, errors, output_encoding, replacement_char):
    codec = _CODECS[output_encoding]
    values, splits = np.asarray(values), np.asarray(splits)
    out = np.empty(max(len(splits) - 1, 0), dtype=object)
    for i in range(len(out)):
        text = []
        for c in values[splits[i]:splits[i + 1]].tolist():
            if 0 <= c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF:
                text.append(chr(c))
            elif errors == "strict":
                raise _invalid(f"Invalid code point: {c}")
            elif errors == "replace":
                text.append(chr(replacement_char))
        out[i] = "".join(text).encode(codec)
    return out


# --- web-safe base64 -------------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_INDEX = {c: i for i, c in enumerate(_B64.encode())}


def _b64_encode(data, pad):
    import base64
    text = base64.urlsafe_b64encode(data)
    return text if pad else text.rstrip(b"=")


def _b64_decode(text):
    # TF: padding is optional; a length of 1 mod 4 and any character outside the web-safe
    # alphabet are errors
    body = text.rstrip(b"=") if len(text) % 4 == 0 else text
    if len(body) % 4 == 1:
        raise _invalid("Base64 string length cannot be 1 modulo 4.")
    bits, n, out = 0, 0, bytearray()
    for c in body:
        v = _B64_INDEX.get(c)
        if v is None:
            raise _invalid("Invalid character found in base64.")
        bits = (bits << 6) | v
        n += 6
        if n >= 8:
            n -= 8
            out.append((bits >> n) & 0xFF)
    return bytes(out)


@register_kernel("EncodeBase64")
def encode_base64(x, *, pad):
    return _map(lambda b: _b64_encode(_bytes(b), pad), x)


@register_kernel("DecodeBase64")
def decode_base64(x):
    return _map(lambda b: _b64_decode(_bytes(b)), x)


# --- hashing strings to buckets, n-grams -------------------------------------------------------

def _buckets(x, hashes, num_buckets):
    x = _obj(x)
    flat = [_bytes(b) for b in x.reshape(-1)]
    h = hashes(flat) if flat else np.zeros(0, np.uint64)
    return (h % np.uint64(num_buckets)).astype(np.int64).reshape(x.shape)


@register_kernel("StringToHashBucketFast")
def string_to_hash_bucket_fast(x, *, num_buckets):
    from . import _hash
    return _buckets(x, _hash.fingerprint64, num_buckets)


@register_kernel("StringToHashBucketStrong")
def string_to_hash_bucket_strong(x, *, num_buckets, key):
    from . import _hash
    if len(key) != 2:
        raise _invalid("Key must have 2 elements")
    return _buckets(x, lambda flat: _hash.siphash(flat, key), num_buckets)


@register_kernel("StringToHashBucket")
def string_to_hash_bucket(x, *, num_buckets):
    from . import _hash
    return _buckets(x, _hash.tf_hash64, num_buckets)


def _ngram_pad(width, pad_width):
    # never more padding than width - 1 on a side; a negative pad_width means exactly that
    return min(width - 1 if pad_width < 0 else pad_width, width - 1)


def _ngram_count(length, width, pad_width):
    return max(0, length + 2 * _ngram_pad(width, pad_width) - width + 1)


def _make_ngrams(row, count, width, pad, left, right, sep, out):
    for k in range(count):
        lpad = max(0, pad - k)
        rpad = max(0, pad - (count - (k + 1)))
        ntok = width - (lpad + rpad)
        start = 0 if lpad > 0 else k - pad
        parts = [left] * lpad + list(row[start:start + ntok]) + [right] * rpad
        out.append(sep.join(parts))


@register_kernel("StringNGrams")
def string_n_grams(data, splits, *, separator, ngram_widths, left_pad, right_pad, pad_width,
                   preserve_short_sequences, Tsplits):
    shape = np.shape(data)
    data, splits = _obj(data).reshape(-1), np.asarray(splits)
    size = data.shape[0]
    prev = 0
    for i, s in enumerate(splits.tolist()):
        if i == 0 and s != 0:
            raise _invalid(f"First split value must be 0, got {s}")
        if not prev <= s <= size:
            raise _invalid(f"Invalid split value {s}, must be in [{prev}, {size}]")
        prev = s
    if splits.size and prev != size:
        raise _invalid(f"Last split value must be data size. Expected {size}, got {prev}")
    if data.size == 0 or splits.size == 0:
        # TF's kernel answers no data with no n-grams at all, padding or not
        return np.full(shape, b"", dtype=object), np.zeros(splits.shape, Tsplits.np_dtype)
    sep, left, right = (_bytes(v) if not isinstance(v, str) else v.encode()
                        for v in (separator, left_pad, right_pad))
    out, out_splits = [], [0]
    for i in range(splits.size - 1):
        row = [_bytes(b) for b in data[splits[i]:splits[i + 1]]]
        before = len(out)
        for width in ngram_widths:
            count = _ngram_count(len(row), width, pad_width)
            _make_ngrams(row, count, width, _ngram_pad(width, pad_width), left, right, sep,
                         out)
        if preserve_short_sequences and len(out) == before and row:
            # the whole (padded) row as the one n-gram of a row too short for any width
            pad = max(pad_width, 0)
            width = len(row) + 2 * pad
            _make_ngrams(row, 1, width, pad, left, right, sep, out)
        out_splits.append(len(out))
    values = np.empty(len(out), dtype=object)
    values[:] = out
    return values, np.array(out_splits, dtype=Tsplits.np_dtype)
