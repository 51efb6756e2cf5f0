"""CPU kernels of the parsing family (ops/parsing_ops.py): ParseExampleV2.

The serialized Examples are read from the protobuf wire format directly, as TF's fast
parser (example_proto_fast_parsing.cc) reads them, so that what it accepts, what it refuses
and the errors it gives are TF's:

    Example   field 1 (features), repeated: several serialized Examples concatenated are
              one (their maps merge); other fields are skipped
    Features  map entries (field 1), each a key (1) and a Feature (2) in either order;
              for a key given twice the last entry wins
    Feature   its first byte says the kind: bytes_list (0x0a), float_list (0x12),
              int64_list (0x1a); an empty Feature is a missing one
    lists     floats and int64s packed or not; bytes one field per value

A vector of Examples takes the batch path (errors name the example: "Name: <unknown>, Key:
a, Index: 1."), a scalar the single-example path with its own words ("Key: a.").
"""
import logging

import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework.registry import register_kernel

_STRING, _FLOAT, _INT64 = "string", "float", "int64"
_KINDS = {0x0A: _STRING, 0x12: _FLOAT, 0x1A: _INT64}
_TYPE_NAMES = {_dt.string: _STRING, _dt.float32: _FLOAT, _dt.int64: _INT64}
_NP = {_STRING: object, _FLOAT: np.float32, _INT64: np.int64}


class _Bad(Exception):
    """The wire format is not what TF's parser accepts here."""


def _varint(b, pos, end):
    """(value, new pos) of the varint at b[pos] (at most 10 bytes, inside `end`)."""
    result = shift = 0
    for i in range(10):
        if pos >= end:
            raise _Bad
        byte = b[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise _Bad


def _varint32(b, pos, end):
    v, pos = _varint(b, pos, end)
    return v & 0xFFFFFFFF, pos


def _limit(b, pos, end):
    """A length-delimited field's (start, end) after its length varint."""
    n, pos = _varint32(b, pos, end)
    if pos + n > end:
        raise _Bad
    return pos, pos + n


def _skip_field(b, pos, end):
    """Skips one field of an unknown number (TF's SkipExtraneousTag)."""
    tag, pos = _varint32(b, pos, end)
    wire = tag & 7
    if wire == 0:
        _, pos = _varint32(b, pos, end)
    elif wire == 1:
        if pos + 8 > end:
            raise _Bad
        pos += 8
    elif wire == 2:
        n, pos = _varint32(b, pos, end)
        pos = min(pos + n, end)          # TF does not check that the skip fitted
    elif wire == 5:
        if pos + 4 > end:
            raise _Bad
        pos += 4
    else:                                 # groups, and no such wire type
        raise _Bad
    return pos


def parse_example_entries(b):
    """The (key, Feature bytes) entries of a serialized Example in file order, or None when
    TF's parser refuses it."""
    try:
        return _entries(b)
    except _Bad:
        return None


def _entries(b):
    out = []
    pos, end = 0, len(b)
    while pos < end:
        if b[pos] != 0x0A:
            pos = _skip_field(b, pos, end)
            continue
        pos, fend = _limit(b, pos + 1, end)
        while pos < fend:
            if b[pos] != 0x0A:
                raise _Bad
            pos, eend = _limit(b, pos + 1, fend)
            key, feature = b"", b""
            for _ in range(2):           # key and value, in either order, both read
                if pos >= eend:
                    raise _Bad
                tag, pos = _varint32(b, pos, eend)
                if tag not in (0x0A, 0x12):
                    raise _Bad
                start, pos = _limit(b, pos, eend)
                if tag == 0x0A:
                    key = b[start:pos]
                else:
                    feature = b[start:pos]
            if pos != eend:
                raise _Bad
            out.append((key, feature))
    return out


def _kind(feature):
    """(kind or None for an empty Feature, the bytes after the kind's tag)."""
    if not feature:
        return None, b""
    kind = _KINDS.get(feature[0])
    if kind is None:
        raise errors.InvalidArgumentError(None, None, "Unsupported datatype.")
    return kind, feature[1:]


def _list_body(rest):
    return _limit(rest, 0, len(rest))


def _bytes_values(rest, cap=None):
    """The values of a bytes_list; more than `cap` of them cannot be parsed (TF fills a
    fixed-size slot and gives up when it is full)."""
    pos, end = _list_body(rest)
    out = []
    while pos < end:
        if rest[pos] != 0x0A:
            raise _Bad
        n, pos = _varint32(rest, pos + 1, end)
        if cap is not None and len(out) >= cap:
            raise _Bad
        if pos + n > end:
            raise _Bad
        out.append(rest[pos:pos + n])
        pos += n
    return out


def _float_values(rest):
    """(values, count) of a float_list: packed, the count is the packed length / 4."""
    pos, end = _list_body(rest)
    if pos >= end:
        return np.zeros(0, np.float32), 0
    tag = rest[pos]
    if tag == 0x0A:
        pos, pend = _limit(rest, pos + 1, end)
        count = (pend - pos) // 4
        return np.frombuffer(rest[pos:pos + 4 * count], "<f4").astype(np.float32), count
    if tag != 0x0D:
        raise _Bad
    vals = []
    while pos < end:
        if rest[pos] != 0x0D or pos + 5 > end:
            raise _Bad
        vals.append(rest[pos + 1:pos + 5])
        pos += 5
    return np.frombuffer(b"".join(vals), "<f4").astype(np.float32), len(vals)


def _int64_values(rest):
    pos, end = _list_body(rest)
    out = []
    if pos >= end:
        return out
    tag = rest[pos]
    if tag == 0x0A:
        pos, pend = _limit(rest, pos + 1, end)
        while pos < pend:
            v, pos = _varint(rest, pos, pend)
            out.append(v)
    elif tag == 0x08:
        while pos < end:
            if rest[pos] != 0x08:
                raise _Bad
            v, pos = _varint(rest, pos + 1, end)
            out.append(v)
    else:
        raise _Bad
    return out


def _as_int64(vals):
    return np.array([v - (1 << 64) if v >= 1 << 63 else v for v in vals], dtype=np.int64)


def _values(kind, rest, cap=None):
    """(NumPy values, count) of a list; `cap` as for _bytes_values."""
    if kind == _STRING:
        v = _bytes_values(rest, cap)
        arr = np.empty(len(v), dtype=object)
        arr[:] = v
        return arr, len(v)
    if kind == _FLOAT:
        return _float_values(rest)
    v = _int64_values(rest)
    return _as_int64(v), len(v)


def _shape_text(dims):
    """TF's TensorShape DebugString: [2,3], [?,2], []."""
    return "[" + ",".join("?" if d is None or d < 0 else str(d) for d in dims) + "]"


def _text(x):
    x = np.asarray(x)[()] if not isinstance(x, (bytes, str)) else x
    return x.decode("utf-8", "backslashreplace") if isinstance(x, bytes) else str(x)


class _Dense:
    __slots__ = ("key", "kind", "dtype", "shape", "default", "varlen", "stride")

    def __init__(self, key, dtype, shape, default):
        self.key, self.dtype = key, dtype
        self.kind = _TYPE_NAMES[dtype]
        self.shape = [None if d is None or d < 0 else int(d) for d in shape]
        self.default = np.asarray(default)
        self.varlen = bool(self.shape) and self.shape[0] is None
        rest = self.shape[1:] if self.varlen else self.shape
        self.stride = int(np.prod(rest, dtype=np.int64)) if rest else 1


def _log_duplicate(key):
    logging.getLogger("tfteach").warning(
        "Data loss! Feature '%s' is present in multiple concatenated tf.Examples. Ignoring "
        "all but last one.", key)


def _unparsable(serialized):
    # TF's message carries the bytes as a C string: it ends at the first NUL
    msg = f"Could not parse example input, value: '{_text(serialized)}'"
    return errors.InvalidArgumentError(None, None, msg.split("\x00", 1)[0])


def _check_inputs(serialized, names, dense, defaults, n_sparse, sparse_keys, dense_keys,
                  ragged_keys, n_ragged):
    if serialized.ndim > 1:
        raise errors.InvalidArgumentError(None, None, f"Expected serialized to be a scalar or "
                                                      f"vector, got shape: "
                                                      f"{_shape_text(serialized.shape)}")
    if names.size > 0 and names.shape != serialized.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Expected names have the same shape as serialized: name.shape="
                        f"{_shape_text(names.shape)}, serialized.shape="
                        f"{_shape_text(serialized.shape)}")
    if len(dense_keys) != len(dense):
        raise errors.InvalidArgumentError(None, None, f"Expected len(dense_keys) == "
                                                      f"len(dense_types) but got: "
                                                      f"{len(dense_keys)} vs. {len(dense)}")
    if len(sparse_keys) != n_sparse:
        raise errors.InvalidArgumentError(None, None, f"Expected len(sparse_keys) == num_sparse "
                                                      f"but got: {len(sparse_keys)} vs. "
                                                      f"{n_sparse}")
    if len(ragged_keys) != n_ragged:
        raise errors.InvalidArgumentError(None, None, f"Expected len(ragged_keys) == "
                                                      f"len(ragged_value_types) but got: "
                                                      f"{len(ragged_keys)} vs. {n_ragged}")
    for d, (c, value) in enumerate(zip(dense, defaults)):
        value = np.asarray(value)
        if c.varlen:
            if value.size != 1:
                raise errors.InvalidArgumentError(
                    None, None, f"dense_shape[{d}] is a variable length shape: "
                                f"{_shape_text(c.shape)}, therefore def_value[{d}] must contain "
                                f"a single element (the padding element).  But its shape is: "
                                f"{_shape_text(value.shape)}")
        elif value.size > 0 and list(value.shape) != c.shape:
            raise errors.InvalidArgumentError(
                None, None, f"def_value[{d}].shape() == {_shape_text(value.shape)} is not "
                            f"compatible with dense_shapes_[{d}] == {_shape_text(c.shape)}")


@register_kernel("ParseExampleV2")
def parse_example_v2(serialized, names, sparse_keys, dense_keys, ragged_keys, *dense_defaults,
                     num_sparse, sparse_types, ragged_value_types, ragged_split_types,
                     dense_shapes, Tdense):
    serialized = np.asarray(serialized, dtype=object)
    names = np.asarray(names, dtype=object)
    skeys = [_text(k) for k in np.asarray(sparse_keys, dtype=object).reshape(-1)]
    dkeys = [_text(k) for k in np.asarray(dense_keys, dtype=object).reshape(-1)]
    rkeys = [_text(k) for k in np.asarray(ragged_keys, dtype=object).reshape(-1)]
    dense = [_Dense(k, t, s.as_list() if hasattr(s, "as_list") else list(s), v)
             for k, t, s, v in zip(dkeys, Tdense, dense_shapes, dense_defaults)]
    _check_inputs(serialized, names, dense, dense_defaults, num_sparse, skeys, dkeys, rkeys,
                  len(ragged_value_types))
    sparse = list(zip(skeys, (_TYPE_NAMES[t] for t in sparse_types)))
    ragged = list(zip(rkeys, (_TYPE_NAMES[t] for t in ragged_value_types), ragged_split_types))
    if serialized.ndim == 0:
        outs = _single(serialized[()], dense, sparse, ragged)
    else:
        outs = _batch(list(serialized), [_text(n) for n in names.reshape(-1)], dense, sparse,
                      ragged)
    return tuple(outs) if len(outs) != 1 else outs[0]


def _lookup(dense, sparse, ragged):
    where = {}
    for i, c in enumerate(dense):
        where[c.key.encode()] = ("dense", i)
    for i, (k, _) in enumerate(sparse):
        where[k.encode()] = ("sparse", i)
    for i, (k, _, _) in enumerate(ragged):
        where[k.encode()] = ("ragged", i)
    return where


# --- one Example (a scalar input) ----------------------------------------------------------

def _single(serialized, dense, sparse, ragged):
    where = _lookup(dense, sparse, ragged)
    entries = parse_example_entries(serialized)
    if entries is None:
        raise _unparsable(serialized)
    dense_out = [None] * len(dense)
    sparse_out = [None] * len(sparse)
    ragged_out = [None] * len(ragged)
    for key, feature in reversed(entries):
        hit = where.get(key)
        if hit is None:
            continue
        what, d = hit
        name = key.decode("utf-8", "backslashreplace")
        kind, rest = _kind(feature)
        if kind is None:
            continue
        if what == "dense" and not dense[d].varlen:
            c = dense[d]
            if dense_out[d] is not None:
                _log_duplicate(name)
                continue
            if kind != c.kind:
                raise _example_error(name, f"Data types don't match. Data type: {kind} but "
                                           f"expected type: {c.kind}")
            try:
                vals, count = _values(kind, rest, cap=c.stride)
            except _Bad:
                raise _parse_error(name, f"Parsing {kind_list(kind)} failed.") from None
            if count != c.stride:
                raise _parse_error(name, f"Some {kind_list(kind)} slice was not parsed.")
            dense_out[d] = vals.reshape(c.shape)
            continue
        if what == "dense":
            c = dense[d]
            if dense_out[d] is not None:
                _log_duplicate(name)
                continue
            if kind != c.kind:
                raise _example_error(name, f"Data types don't match. Data type: {kind} but "
                                           f"expected type: {c.kind}")
            divisor, want = c.stride, c.kind
        else:
            outs = sparse_out if what == "sparse" else ragged_out
            want = (sparse[d] if what == "sparse" else ragged[d])[1]
            if outs[d] is not None:
                _log_duplicate(name)
                continue
            if kind != want:
                raise _example_error(name, f"Data types don't match. Expected type: {want}, "
                                           f"Actual type: {kind}")
            divisor = 1
        try:
            vals, count = _values(kind, rest)
        except _Bad:
            why = "Could not get num elements in bytes_list." if kind == _STRING else \
                f"Parsing {kind_list(kind)} failed."
            raise _parse_error(name, why) from None
        if count % divisor:
            raise errors.InvalidArgumentError(
                None, None, f"Error while parsing feature with key {name}: number of elements "
                            f"should be divisible by {divisor}, found {count} instead")
        if what == "dense":
            dense_out[d] = vals.reshape([count // divisor] + dense[d].shape[1:])
        elif what == "sparse":
            sparse_out[d] = vals
        else:
            ragged_out[d] = vals
    for d, c in enumerate(dense):
        if dense_out[d] is not None:
            continue
        if not c.varlen:
            if c.default.size == 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Feature: {c.key} (data type: {c.kind}) is required but "
                                f"could not be found.")
            dense_out[d] = c.default.reshape(c.shape)
        else:
            dense_out[d] = np.zeros([0] + c.shape[1:], dtype=_NP[c.kind])
    ix, vals, shapes = [], [], []
    for d, (_, kind) in enumerate(sparse):
        v = sparse_out[d] if sparse_out[d] is not None else np.zeros(0, _NP[kind])
        ix.append(np.arange(len(v), dtype=np.int64).reshape(-1, 1))
        vals.append(v)
        shapes.append(np.array([len(v)], dtype=np.int64))
    rvals, rsplits = [], []
    for d, (_, kind, split_type) in enumerate(ragged):
        rvals.append(ragged_out[d] if ragged_out[d] is not None else np.zeros(0, _NP[kind]))
        rsplits.append(np.zeros(0, dtype=split_type.as_numpy_dtype))
    return ix + vals + shapes + [_fix(v) for v in dense_out] + rvals + rsplits


def kind_list(kind):
    return {_STRING: "bytes_list", _FLOAT: "float_list", _INT64: "int64_list"}[kind]


def _example_error(name, why):
    return errors.InvalidArgumentError(None, None, f"Key: {name}.  {why}")


def _parse_error(name, why):
    return errors.InvalidArgumentError(None, None, f"Key: {name}.  Can't parse serialized "
                                                   f"Example: {why}")


def _fix(v):
    """A parsed array as the kernel returns it (object arrays for strings)."""
    v = np.asarray(v)
    return v.astype(object) if v.dtype.kind in "SU" else v


# --- a batch of Examples (a vector input) ----------------------------------------------------

def _batch(serialized, names, dense, sparse, ragged):
    where = _lookup(dense, sparse, ragged)
    n = len(serialized)
    fixed = [None if c.varlen else np.empty([n] + c.shape, dtype=_NP[c.kind]) for c in dense]
    varlen = [[] for _ in dense]            # per example: its values (varlen dense)
    sparse_vals = [[] for _ in sparse]
    ragged_vals = [[] for _ in ragged]
    for e, s in enumerate(serialized):
        name = names[e] if names else "<unknown>"
        _one_of_batch(s, name, e, dense, sparse, ragged, where, fixed, varlen, sparse_vals,
                      ragged_vals)
    outs_ix, outs_v, outs_s = [], [], []
    for d, (_, kind) in enumerate(sparse):
        rows = sparse_vals[d]
        width = max((len(r) for r in rows), default=0)
        ix = [[e, j] for e, r in enumerate(rows) for j in range(len(r))]
        outs_ix.append(np.array(ix, dtype=np.int64).reshape(-1, 2))
        outs_v.append(_concat(rows, kind))
        outs_s.append(np.array([n, width], dtype=np.int64))
    dense_out = []
    for d, c in enumerate(dense):
        if not c.varlen:
            dense_out.append(_fix(fixed[d]))
            continue
        rows = varlen[d]
        width = max((len(r) for r in rows), default=0) // c.stride
        out = np.empty([n, width] + c.shape[1:], dtype=_NP[c.kind])
        if out.size:
            out[...] = c.default.reshape(-1)[0]
        flat = out.reshape(n, width * c.stride)
        for e, r in enumerate(rows):
            flat[e, :len(r)] = r
        dense_out.append(out)
    rvals, rsplits = [], []
    for d, (_, kind, split_type) in enumerate(ragged):
        rows = ragged_vals[d]
        rvals.append(_concat(rows, kind))
        rsplits.append(np.cumsum([0] + [len(r) for r in rows]).astype(
            split_type.as_numpy_dtype))
    return outs_ix + outs_v + outs_s + dense_out + rvals + rsplits


def _concat(rows, kind):
    if not rows or not any(len(r) for r in rows):
        return np.zeros(0, dtype=_NP[kind])
    return np.concatenate([np.asarray(r, dtype=_NP[kind]) for r in rows])


def _one_of_batch(serialized, ex_name, e, dense, sparse, ragged, where, fixed, varlen,
                  sparse_vals, ragged_vals):
    entries = parse_example_entries(serialized)
    if entries is None:
        raise _unparsable(serialized)
    dense_seen = [False] * len(dense)
    sparse_seen = [False] * len(sparse)
    ragged_seen = [False] * len(ragged)

    def example_error(key, why):
        return errors.InvalidArgumentError(None, None, f"Name: {ex_name}, Key: {key}, Index: "
                                                       f"{e}.  {why}")
    for key, feature in reversed(entries):
        hit = where.get(key)
        if hit is None:
            continue
        what, d = hit
        name = key.decode("utf-8", "backslashreplace")
        kind, rest = _kind(feature)
        if what == "dense":
            c = dense[d]
            if kind is None:
                continue
            if dense_seen[d]:
                _log_duplicate(name)
                continue
            dense_seen[d] = True
            if kind != c.kind:
                raise example_error(name, f"Data types don't match. Data type: {kind} but "
                                          f"expected type: {c.kind}")
            try:
                vals, count = _values(kind, rest, cap=None if c.varlen else c.stride)
            except _Bad:
                raise example_error(name, "Can't parse serialized Example.") from None
            if not c.varlen:
                if count != c.stride:
                    word = "bytes" if kind == _STRING else kind
                    raise example_error(name, f"Number of {word} values != expected.  Values "
                                              f"size: {count} but output shape: "
                                              f"{_shape_text(c.shape)}")
                fixed[d][e, ...] = vals.reshape(c.shape)
            else:
                if count % c.stride:
                    word = "bytes" if kind == _STRING else kind
                    raise example_error(name, f"Number of {word} values is not a multiple of "
                                              f"stride length. Saw {count} values but output "
                                              f"shape is: {_shape_text(c.shape)}")
                varlen[d].append(vals)
            continue
        seen = sparse_seen if what == "sparse" else ragged_seen
        want = (sparse[d] if what == "sparse" else ragged[d])[1]
        if seen[d]:
            _log_duplicate(name)
            continue
        seen[d] = True
        if kind is not None and kind != want:
            raise example_error(name, f"Data types don't match. Expected type: {want}, Actual "
                                      f"type: {kind}")
        vals = np.zeros(0, _NP[want])
        if kind is not None:
            try:
                vals, _ = _values(kind, rest)
            except _Bad:
                raise example_error(name, "Can't parse serialized Example.") from None
        (sparse_vals if what == "sparse" else ragged_vals)[d].append(vals)
    for d, c in enumerate(dense):
        if dense_seen[d]:
            continue
        if c.varlen:
            varlen[d].append(np.zeros(0, _NP[c.kind]))
        elif c.default.size == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Name: {ex_name}, Feature: {c.key} (data type: {c.kind}) is "
                            f"required but could not be found.")
        else:
            fixed[d][e, ...] = c.default.reshape(c.shape)
    for d in range(len(sparse)):
        if not sparse_seen[d]:
            sparse_vals[d].append(np.zeros(0, _NP[sparse[d][1]]))
    for d in range(len(ragged)):
        if not ragged_seen[d]:
            ragged_vals[d].append(np.zeros(0, _NP[ragged[d][1]]))

