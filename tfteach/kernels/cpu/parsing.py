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



# --- SequenceExamples: ParseSequenceExampleV2 --------------------------------------------------
# TF's sequence parser (FastParseSequenceExample) first finds each requested feature's bytes in
# every example, then counts values to size the outputs, then parses: its errors come in that
# order, in its words. A Feature's kind is checked by its first tag; a packed float list must
# hold whole floats.

_TAG_OF = {_STRING: 0x0A, _FLOAT: 0x12, _INT64: 0x1A}


def _seq_values(kind, feature):
    """(values, count) of a Feature read as `kind`, or None when it is not one."""
    if not feature or feature[0] != _TAG_OF[kind]:
        return None
    try:
        pos, end = _limit(feature, 1, len(feature))
        if pos == end:
            return np.zeros(0, _NP[kind]), 0
        if kind == _STRING:
            vals = []
            while pos < end:
                if feature[pos] != 0x0A:
                    raise _Bad
                start, pos = _limit(feature, pos + 1, end)
                vals.append(feature[start:pos])
            arr = np.empty(len(vals), dtype=object)
            arr[:] = vals
            return arr, len(vals)
        tag = feature[pos]
        if tag == 0x0A:
            pos, pend = _limit(feature, pos + 1, end)
            if kind == _FLOAT:
                if (pend - pos) % 4:
                    raise _Bad
                arr = np.frombuffer(feature[pos:pend], "<f4").astype(np.float32)
                return arr, len(arr)
            vals = []
            while pos < pend:
                v, pos = _varint(feature, pos, pend)
                vals.append(v)
            return _as_int64(vals), len(vals)
        want = 0x0D if kind == _FLOAT else 0x08
        if tag != want:
            raise _Bad
        vals = []
        while pos < end:
            if feature[pos] != want:
                raise _Bad
            if kind == _FLOAT:
                if pos + 5 > end:
                    raise _Bad
                vals.append(feature[pos + 1:pos + 5])
                pos += 5
            else:
                v, pos = _varint(feature, pos + 1, end)
                vals.append(v)
        if kind == _FLOAT:
            return np.frombuffer(b"".join(vals), "<f4").astype(np.float32), len(vals)
        return _as_int64(vals), len(vals)
    except _Bad:
        return None


def _seq_extract(b, context, lists):
    """{key: Feature bytes} of the context and {key: FeatureList bytes} of the feature lists
    requested, the last entry of a key winning; raises _Bad for a broken message."""
    found = ({}, {})
    pos, end = 0, len(b)
    while pos < end:
        if b[pos] == 0x0A:
            which, wanted = found[0], context
        elif b[pos] == 0x12:
            which, wanted = found[1], lists
        else:
            pos = _skip_field(b, pos, end)
            continue
        pos, lim = _limit(b, pos + 1, end)
        while pos < lim:
            if b[pos] != 0x0A:
                raise _Bad
            pos, elim = _limit(b, pos + 1, lim)
            if pos >= elim or b[pos] != 0x0A:
                raise _Bad
            kstart, pos = _limit(b, pos + 1, elim)
            key = b[kstart:pos]
            if pos >= elim or b[pos] != 0x12:
                raise _Bad
            vstart, pos = _limit(b, pos + 1, elim)
            if pos != elim:
                raise _Bad
            if key in wanted:
                which[key] = b[vstart:pos]
    return found


def _rows(feature_list, kind, key, name):
    """The rows of a FeatureList as [(values, count)], with TF's errors."""
    rows, pos, end = [], 0, len(feature_list)
    while pos < end:
        if feature_list[pos] != 0x0A:
            raise _seq_error(key, name)
        try:
            n, pos = _varint32(feature_list, pos + 1, end)
        except _Bad:
            raise _seq_error(key, name) from None
        row = feature_list[pos:pos + n]
        if n > 2:
            got = _seq_values(kind, row)
            if got is None or pos + n > end:
                raise _seq_type_error(name, key, len(rows), kind)
        elif n == 2:
            if row != bytes([_TAG_OF[kind], 0]):
                raise _seq_type_error(name, key, len(rows), kind)
            got = (np.zeros(0, _NP[kind]), 0)
        elif n == 1:
            raise _seq_error(key, name)
        else:
            got = (np.zeros(0, _NP[kind]), 0)
        rows.append(got)
        pos += n
    return rows


def _seq_error(key, name):
    return errors.InvalidArgumentError(None, None, f"Error in sequence feature {key} in "
                                                   f"example {name}")


def _seq_type_error(name, key, index, kind):
    return errors.InvalidArgumentError(
        None, None, f"Name: {name}, Feature list: {key}, Index: {index}.  Data types don't "
                    f"match. Expected type: {kind}")


def _keys(t):
    return [_text(k) for k in np.asarray(t, dtype=object).reshape(-1)]


@register_kernel("ParseSequenceExampleV2")
def parse_sequence_example_v2(serialized, debug_name, context_sparse_keys, context_dense_keys,
                              context_ragged_keys, feature_list_sparse_keys,
                              feature_list_dense_keys, feature_list_ragged_keys,
                              feature_list_dense_missing_assumed_empty,
                              *context_dense_defaults, Ncontext_sparse, context_sparse_types,
                              context_ragged_value_types, context_ragged_split_types,
                              context_dense_shapes, Nfeature_list_sparse, Nfeature_list_dense,
                              feature_list_dense_types, feature_list_sparse_types,
                              feature_list_ragged_value_types,
                              feature_list_ragged_split_types, feature_list_dense_shapes,
                              Tcontext_dense):
    serialized = np.asarray(serialized, dtype=object)
    if serialized.ndim > 1:
        raise errors.InvalidArgumentError(None, None, f"Expected serialized to be a scalar or "
                                                      f"vector, got shape: "
                                                      f"{_shape_text(serialized.shape)}")
    cs, cd, cr = (_keys(context_sparse_keys), _keys(context_dense_keys),
                  _keys(context_ragged_keys))
    fs, fd, fr = (_keys(feature_list_sparse_keys), _keys(feature_list_dense_keys),
                  _keys(feature_list_ragged_keys))
    if len(cd) != len(Tcontext_dense):
        raise errors.InvalidArgumentError(None, None, "Expected len(context_dense_keys) to "
                                                      "match len(Tcontext_dense)")
    if len(cs) != Ncontext_sparse:
        raise errors.InvalidArgumentError(None, None, "Expected len(context_sparse_keys) to "
                                                      "match Ncontext_sparse")
    missing_ok = [bool(x) for x in np.asarray(feature_list_dense_missing_assumed_empty)
                  .reshape(-1)]
    if (len(cr) != len(context_ragged_value_types) or len(fs) != Nfeature_list_sparse or
            len(fd) != Nfeature_list_dense or len(fr) != len(feature_list_ragged_value_types)
            or len(missing_ok) != len(fd)):
        raise errors.InvalidArgumentError(None, None, "The keys do not match the attrs that "
                                                      "count and type them")
    is_batch = serialized.ndim == 1
    examples = list(serialized) if is_batch else [serialized[()]]
    names = [_text(n) for n in np.asarray(debug_name, dtype=object).reshape(-1)]
    if names and len(names) != len(examples):
        raise errors.InvalidArgumentError(None, None, "example_names must be empty or have the "
                                                      "correct number of elements")
    names = names or ["<unknown>"] * len(examples)
    ctx_dense = [_Dense(k, t, s.as_list() if hasattr(s, "as_list") else list(s), v)
                 for k, t, s, v in zip(cd, Tcontext_dense, context_dense_shapes,
                                       context_dense_defaults)]
    for c in ctx_dense:
        if c.default.size and list(c.default.shape) != c.shape:
            raise errors.InvalidArgumentError(
                None, None, f"Default value for context feature {c.key} has an incorrect "
                            f"shape: saw {_shape_text(c.default.shape)} but expected "
                            f"{_shape_text(c.shape)}")
    ctx_kinds = {**{k: _TYPE_NAMES[t] for k, t in zip(cs, context_sparse_types)},
                 **{k: _TYPE_NAMES[t] for k, t in zip(cr, context_ragged_value_types)},
                 **{c.key: c.kind for c in ctx_dense}}
    fl_kinds = {**{k: _TYPE_NAMES[t] for k, t in zip(fs, feature_list_sparse_types)},
                **{k: _TYPE_NAMES[t] for k, t in zip(fr, feature_list_ragged_value_types)},
                **{k: _TYPE_NAMES[t] for k, t in zip(fd, feature_list_dense_types)}}
    ctx_want = {k.encode() for k in ctx_kinds}
    fl_want = {k.encode() for k in fl_kinds}
    found = []
    for e, b in enumerate(examples):
        try:
            found.append(_seq_extract(b, ctx_want, fl_want))
        except _Bad:
            raise errors.InvalidArgumentError(None, None, f"Invalid protocol message input, "
                                                          f"example id: {names[e]}") from None

    # context: values per example (None: absent), and the sizes TF checks
    ctx_vals = {}
    for key, kind in ctx_kinds.items():
        per = []
        for e in range(len(examples)):
            f = found[e][0].get(key.encode())
            if not f:
                per.append(None if f is None else (np.zeros(0, _NP[kind]), 0))
                continue
            got = _seq_values(kind, f)
            if got is None:
                raise errors.InvalidArgumentError(
                    None, None, f"Name: {names[e]}, Context feature: {key}.  Data types don't "
                                f"match. Expected type: {kind}")
            per.append(got)
        ctx_vals[key] = per
    fl_rows = {}
    for key, kind in fl_kinds.items():
        fl_rows[key] = [None if found[e][1].get(key.encode()) is None else
                        _rows(found[e][1][key.encode()], kind, key, names[e])
                        for e in range(len(examples))]

    out = []
    # context sparse
    c_ix, c_v, c_sh = [], [], []
    for key, t in zip(cs, context_sparse_types):
        per = [v for v in ctx_vals[key]]
        ix, vals, width = [], [], 0
        for e, v in enumerate(per):
            if v is None:
                continue
            vals.append(v[0])
            width = max(width, v[1])
            ix += [[e, i] if is_batch else [i] for i in range(v[1])]
        c_ix.append(np.array(ix, np.int64).reshape(-1, 2 if is_batch else 1))
        c_v.append(_concat(vals, _TYPE_NAMES[t]))
        c_sh.append(np.array([len(examples), width] if is_batch else [width], np.int64))
    # context dense
    c_dense = []
    for c in ctx_dense:
        length = c.default.size
        for v in ctx_vals[c.key]:
            if v is not None:
                length = max(length, v[1])
        want = int(np.prod(c.shape, dtype=np.int64))
        if length != want:
            raise errors.InvalidArgumentError(
                None, None, f"Inconsistent max number of elements for feature {c.key}: "
                            f"expected {want}, but found {length}")
        rows = []
        for e, v in enumerate(ctx_vals[c.key]):
            if v is None:
                if c.default.size == 0:
                    raise errors.InvalidArgumentError(
                        None, None, f"Feature: {c.key} (data type: {c.kind}) is required but "
                                    f"could not be found.")
                rows.append(c.default.reshape(c.shape))
            elif v[1] != length:
                raise errors.InvalidArgumentError(None, None, f"Unexpected number of elements "
                                                              f"in example {names[e]}")
            else:
                rows.append(v[0].reshape(c.shape))
        c_dense.append(_fix(np.stack(rows)) if is_batch else _fix(rows[0]))
    # context ragged
    c_rv, c_rs = [], []
    for key, t, st in zip(cr, context_ragged_value_types, context_ragged_split_types):
        per = [v if v is not None else (np.zeros(0, _NP[_TYPE_NAMES[t]]), 0)
               for v in ctx_vals[key]]
        c_rv.append(_concat([v[0] for v in per], _TYPE_NAMES[t]))
        splits = np.cumsum([0] + [v[1] for v in per]).astype(st.as_numpy_dtype)
        c_rs.append(splits if is_batch else np.zeros((), st.as_numpy_dtype))
    # feature lists, sparse
    f_ix, f_v, f_sh = [], [], []
    for key, t in zip(fs, feature_list_sparse_types):
        ix, vals, max_rows, max_cols = [], [], 0, 0
        for e, rows in enumerate(fl_rows[key]):
            if rows is None:
                continue
            max_rows = max(max_rows, len(rows))
            for r, (v, n) in enumerate(rows):
                vals.append(v)
                max_cols = max(max_cols, n)
                ix += [[e, r, i] if is_batch else [r, i] for i in range(n)]
        f_ix.append(np.array(ix, np.int64).reshape(-1, 3 if is_batch else 2))
        f_v.append(_concat(vals, _TYPE_NAMES[t]))
        f_sh.append(np.array([len(examples), max_rows, max_cols] if is_batch else
                             [max_rows, max_cols], np.int64))
    # feature lists, dense
    f_dense, f_len = [], []
    for key, t, shape, ok in zip(fd, feature_list_dense_types, feature_list_dense_shapes,
                                 missing_ok):
        kind = _TYPE_NAMES[t]
        row_shape = [int(d) for d in (shape.as_list() if hasattr(shape, "as_list")
                                      else shape)]
        per_row = int(np.prod(row_shape, dtype=np.int64))
        length = max([sum(n for _, n in rows) for rows in fl_rows[key] if rows is not None],
                     default=0)
        if per_row == 0 or length % per_row:
            raise errors.InvalidArgumentError(
                None, None, f"Feature list '{key}' has an unexpected number of values.  Total "
                            f"values size: {length} is not consistent with output shape: "
                            f"{_shape_text([None] + row_shape)}")
        max_rows = length // per_row
        out_v = np.zeros([len(examples), max_rows] + row_shape, dtype=_NP[kind])
        if kind == _STRING:
            out_v[...] = b""
        lengths = []
        for e, rows in enumerate(fl_rows[key]):
            if rows is None:
                if not ok:
                    raise errors.InvalidArgumentError(
                        None, None, f"Name: {names[e]}, Feature list '{key}' is required but "
                                    f"could not be found.  Did you mean to include it in "
                                    f"feature_list_dense_missing_assumed_empty or "
                                    f"feature_list_dense_defaults?")
                lengths.append(0)
                continue
            for r, (v, n) in enumerate(rows):
                if n != per_row:
                    raise errors.InvalidArgumentError(
                        None, None, f"Name: {names[e]}, Key: {key}, Index: {r}.  Number of "
                                    f"values != expected.  values size: {n} but output shape: "
                                    f"{_shape_text(row_shape)}")
                out_v[e, r] = v.reshape(row_shape)
            lengths.append(len(rows))
        f_dense.append(out_v if is_batch else out_v[0])
        f_len.append(np.array(lengths, np.int64) if is_batch else np.int64(lengths[0]))
    # feature lists, ragged
    f_rv, f_outer, f_inner = [], [], []
    for key, t, st in zip(fr, feature_list_ragged_value_types, feature_list_ragged_split_types):
        vals, inner, outer = [], [0], [0]
        for rows in fl_rows[key]:
            for v, n in rows or ():
                vals.append(v)
                inner.append(inner[-1] + n)
            outer.append(outer[-1] + len(rows or ()))
        f_rv.append(_concat(vals, _TYPE_NAMES[t]))
        f_inner.append(np.array(inner, st.as_numpy_dtype))
        f_outer.append(np.array(outer, st.as_numpy_dtype) if is_batch else
                       np.zeros((), st.as_numpy_dtype))
    out = (c_ix + c_v + c_sh + c_dense + c_rv + c_rs + f_ix + f_v + f_sh + f_dense + f_len +
           f_rv + f_outer + f_inner)
    return tuple(out) if len(out) != 1 else out[0]
