"""CPU kernels of the lookup-table ops (ops/lookup_ops.py).

A table is a resource (kernels/cpu/_resource.py): a session keeps the tables its graph's
HashTableV2 / MutableHashTableV2 ops made across runs, an eager op makes one that its handle
holds. Keys are bytes (string tables) or Python ints, so a lookup is one dict probe per key.
A static HashTable is filled once, by LookupTableImportV2 or InitializeTableFromTextFileV2
(again with the same entries is allowed, as TF's); a mutable one takes inserts and removes.

Export order: TF's HashTable iterates an absl hash map seeded per process (its order changes
from run to run), so no order is TF's; tfteach gives insertion order. TF's MutableHashTable
(libstdc++'s unordered_map) lists a small table newest first; tfteach lists every table so.
"""
import threading
import weakref

import numpy as np

from ... import errors
from ...framework import dtypes as _dt
from ...framework.registry import register_kernel
from ._resource import session_resource

# TF's DataTypeString, as its "Signature mismatch" messages spell the types
_TF_TYPE = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_type(dtype):
    name = _dt.as_dtype(dtype).name
    return _TF_TYPE.get(name, name)


def _shape_text(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _invalid(msg):
    return errors.InvalidArgumentError(None, None, msg)


class Table:
    """One table: its kind, key and value types, value shape and entries."""

    def __init__(self, kind, name, key_dtype, value_dtype, value_shape=()):
        self.kind = kind
        self.name = name
        self.key_dtype = _dt.as_dtype(key_dtype)
        self.value_dtype = _dt.as_dtype(value_dtype)
        self.value_shape = tuple(int(d) for d in value_shape)
        self.data = {}
        self.initialized = kind != "HashTable"
        self.lock = threading.Lock()

    @property
    def static(self):
        return self.kind == "HashTable"

    def __repr__(self):
        return f"<{self.kind} {self.name} size={len(self.data)}>"

    # --- conversions ---------------------------------------------------------------------
    def keys_of(self, keys):
        keys = np.asarray(keys)
        if self.key_dtype is _dt.string:
            return [k if isinstance(k, bytes) else str(k).encode() for k in keys.reshape(-1)]
        return keys.reshape(-1).tolist()

    def values_of(self, values, n):
        values = np.asarray(values, dtype=object if self.value_dtype is _dt.string
                            else self.value_dtype.np_dtype)
        values = values.reshape((n,) + self.value_shape)
        if not self.value_shape:
            return values.tolist() if self.value_dtype is not _dt.string else list(values)
        return [v.copy() for v in values]

    def check_types(self, op_name, key_dtype, value_dtype, outputs):
        if key_dtype != self.key_dtype or value_dtype != self.value_dtype:
            have = f"resource, {_tf_type(key_dtype)}, {_tf_type(value_dtype)}->"
            want = f"resource, {_tf_type(self.key_dtype)}, {_tf_type(self.value_dtype)}->"
            if outputs:
                have += _tf_type(value_dtype)
                want += _tf_type(self.value_dtype)
            raise _invalid(f"Signature mismatch, have: {have} expected: {want}")

    def check_values_shape(self, keys, values):
        want = tuple(np.shape(keys)) + self.value_shape
        if tuple(np.shape(values)) != want:
            raise _invalid(f"Expected shape {_shape_text(want)} for value, got "
                           f"{_shape_text(np.shape(values))}")

    # --- operations ----------------------------------------------------------------------
    def fill(self, keys, values):
        """A static table's one filling: the same entries again are allowed, different ones
        are TF's FailedPreconditionError."""
        new = {}
        for k, v in zip(keys, values):
            old = new.get(k, _MISSING)
            if old is not _MISSING and not _same(old, v):
                raise errors.FailedPreconditionError(
                    None, None, f"HashTable has different value for same key. Key "
                                f"{_key_text(k)} has {_value_text(old)} and trying to add "
                                f"value {_value_text(v)}")
            new[k] = v
        if self.initialized:
            if len(new) != len(self.data) or any(
                    not _same(self.data.get(k, _MISSING), v) for k, v in new.items()):
                raise errors.FailedPreconditionError(
                    None, None, "Table was already initialized with different data.")
            return
        self.data = new
        self.initialized = True

    def find(self, keys, default):
        """Each key's value; a missing key's is the default (one for all, or one per key)."""
        n = len(keys)
        dtype = object if self.value_dtype is _dt.string else self.value_dtype.np_dtype
        default = np.asarray(default, dtype=dtype)
        # a static table answers every missing key with the default's first value
        per_key = default.shape != self.value_shape and not self.static
        if self.static:
            default = default.reshape(-1)[:1].reshape(())
        defaults = default.reshape((n,) + self.value_shape) if per_key else \
            default.reshape(self.value_shape)
        if not per_key and not self.value_shape:
            defaults = defaults[()]
        out = np.empty((n,) + self.value_shape, dtype=dtype)
        get = self.data.get
        for i, k in enumerate(keys):
            v = get(k, _MISSING)
            if v is _MISSING:
                v = defaults[i] if per_key else defaults
            out[i] = v
        return out


_MISSING = object()


def _same(a, b):
    if a is _MISSING:
        return False
    return bool(np.all(np.asarray(a) == np.asarray(b)))


def _key_text(k):
    return k.decode("utf-8", "backslashreplace") if isinstance(k, bytes) else str(k)


def _value_text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "backslashreplace")
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _table(handle):
    if isinstance(handle, np.ndarray):
        handle = handle.item()
    return handle


def _kinds_message(allowed):
    lines = [f"  device='CPU'; key_dtype in [{_enum(k)}]; value_dtype in [{_enum(v)}]"
             for k, v in allowed]
    return "\n".join(lines)


def _enum(name):
    return "DT_" + {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(
        name, name.upper())


# The key/value type pairs TF 2.21 registers a CPU kernel for, per table op, in its order
# (recorded with tensorflow.python.framework.kernels; TF's message lists them so).
_STATIC = (("string", "string"), ("string", "int64"), ("string", "int32"),
           ("string", "float32"), ("string", "float64"), ("string", "bool"),
           ("int64", "string"), ("int64", "int64"), ("int64", "int32"), ("int64", "float32"),
           ("int64", "float64"), ("int32", "string"), ("int32", "int32"), ("int32", "float32"),
           ("int32", "float64"))
_OF_TENSORS = (("string", "int64"), ("string", "int32"), ("string", "float32"),
               ("string", "float64"), ("string", "bool"), ("int64", "string"),
               ("int64", "int64"), ("int64", "int32"), ("int64", "float32"),
               ("int64", "float64"), ("int32", "int32"), ("int32", "float32"),
               ("int32", "float64"))
KERNEL_TYPES = {"HashTableV2": _STATIC, "AnonymousHashTable": _STATIC,
                "MutableHashTableV2": _OF_TENSORS[:5] + (("int64", "variant"),) +
                _OF_TENSORS[5:],
                "MutableHashTableOfTensorsV2": _OF_TENSORS}


def _check_kernel(op, key_dtype, value_dtype):
    allowed = KERNEL_TYPES[op.type]
    pair = (_dt.as_dtype(key_dtype).name, _dt.as_dtype(value_dtype).name)
    if pair == ("int64", "variant"):
        raise errors.UnimplementedError(None, None, "tfteach's MutableHashTable holds no "
                                                    "variant values")
    if pair in allowed:
        return
    if op.type == "AnonymousHashTable":
        attrs = {"key_dtype": _enum(pair[0]), "value_dtype": _enum(pair[1])}
    else:
        attrs = {"container": '""', "key_dtype": _enum(pair[0]),
                 "shared_name": f'"{op.get_attr("shared_name")}"',
                 "use_node_name_sharing": "true" if op.get_attr("use_node_name_sharing")
                 else "false", "value_dtype": _enum(pair[1])}
        if op.type == "MutableHashTableOfTensorsV2":
            attrs["value_shape"] = _shape_attr(op.get_attr("value_shape"))
    text = ", ".join(f"{k}={v}" for k, v in attrs.items())
    raise errors.NotFoundError(
        None, None, f"Could not find device for node: {{{{node {op.type}}}}} = "
                    f"{op.type}[{text}]\nAll kernels registered for op {op.type}:\n"
                    f"{_kinds_message(allowed)}\n")


def _shape_attr(shape):
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    return "[" + ",".join(str(d) for d in dims) + "]"


# Eagerly, a table with a shared_name lives while a handle to it does (TF deletes it with
# its Python object), and a second table of that name is the same one; a raw op without a
# name reuses the table of its kernel, which TF caches per set of attrs.
_EAGER_SHARED = weakref.WeakValueDictionary()
_EAGER_KERNELS = {}


def _same_types(table, op, key_dtype, value_dtype, name):
    k, v = _dt.as_dtype(key_dtype), _dt.as_dtype(value_dtype)
    if (k, v) != (table.key_dtype, table.value_dtype):
        raise _invalid(f"Conflicting key/value dtypes {_tf_type(k)}->{_tf_type(v)} with "
                       f"{_tf_type(table.key_dtype)}-{_tf_type(table.value_dtype)} for table "
                       f"{name}")
    return table


def _make(ctx, op, kind, key_dtype, value_dtype, value_shape=()):
    _check_kernel(op, key_dtype, value_dtype)

    def make(name):
        return Table(kind, name, key_dtype, value_dtype, value_shape)
    if op.type == "AnonymousHashTable":
        return make("anonymous")
    shared = op.get_attr("shared_name")
    if getattr(op, "graph", None) is None:
        if not shared:
            key = (op.type, _dt.as_dtype(key_dtype), _dt.as_dtype(value_dtype),
                   tuple(value_shape))
            table = _EAGER_KERNELS.get(key)
            if table is None:
                table = _EAGER_KERNELS.setdefault(key, make(op.type))
            return table
        table = _EAGER_SHARED.get(shared)
        if table is not None:
            return _same_types(table, op, key_dtype, value_dtype, shared)
        table = make(shared)
        _EAGER_SHARED[shared] = table
        return table
    table = session_resource(ctx, op, make)
    return _same_types(table, op, key_dtype, value_dtype, shared or table.name)


@register_kernel("HashTableV2")
def hash_table(*, ctx, op, key_dtype, value_dtype):
    return _make(ctx, op, "HashTable", key_dtype, value_dtype)


@register_kernel("AnonymousHashTable")
def anonymous_hash_table(*, ctx, op, key_dtype, value_dtype):
    return _make(ctx, op, "HashTable", key_dtype, value_dtype)


@register_kernel("MutableHashTableV2")
def mutable_hash_table(*, ctx, op, key_dtype, value_dtype):
    return _make(ctx, op, "MutableHashTable", key_dtype, value_dtype)


@register_kernel("MutableHashTableOfTensorsV2")
def mutable_hash_table_of_tensors(*, ctx, op, key_dtype, value_dtype, value_shape):
    return _make(ctx, op, "MutableHashTableOfTensors", key_dtype, value_dtype,
                 value_shape.as_list() if hasattr(value_shape, "as_list") else value_shape)


@register_kernel("LookupTableImportV2")
def lookup_table_import(handle, keys, values, *, Tin, Tout):
    t = _table(handle)
    t.check_types("LookupTableImportV2", Tin, Tout, False)
    t.check_values_shape(keys, values)
    k = t.keys_of(keys)
    v = t.values_of(values, len(k))
    with t.lock:
        if isinstance(t, DenseTable):
            t.load(k, values)
        elif t.static:
            t.fill(k, v)
        else:
            t.data = dict(zip(k, v))


@register_kernel("LookupTableFindV2")
def lookup_table_find(handle, keys, default_value, *, Tin, Tout):
    t = _table(handle)
    t.check_types("LookupTableFindV2", Tin, Tout, True)
    if not t.initialized:
        raise errors.FailedPreconditionError(None, None, "Table not initialized.")
    keys = np.asarray(keys)
    full = tuple(keys.shape) + t.value_shape
    d_shape = tuple(np.shape(default_value))
    if d_shape != t.value_shape and d_shape != full:
        raise _invalid(f"Expected shape {_shape_text(t.value_shape)} or {_shape_text(full)} "
                       f"for default value, got {_shape_text(d_shape)}")
    if isinstance(t, DenseTable):
        _dense_keys(keys)
    with t.lock:
        out = t.find(t.keys_of(keys), default_value)
    return out.reshape(full)


def _dense_keys(keys):
    """A dense table's keys: a scalar or a vector (its keys are scalars)."""
    if np.ndim(keys) > 1:
        raise _invalid(f"Expected key shape [{np.shape(keys)[0]}] got "
                       f"{_shape_text(np.shape(keys))}")


@register_kernel("LookupTableSizeV2")
def lookup_table_size(handle):
    t = _table(handle)
    return np.int64(t.entries if isinstance(t, DenseTable) else len(t.data))


@register_kernel("LookupTableExportV2")
def lookup_table_export(handle, *, Tkeys, Tvalues):
    t = _table(handle)
    if not t.initialized:
        raise errors.AbortedError(None, None, "HashTable is not initialized.")
    if isinstance(t, DenseTable):
        with t.lock:
            kd = object if t.key_dtype is _dt.string else t.key_dtype.np_dtype
            keys = np.empty(t.num_buckets, dtype=kd)
            keys[:] = t.keys
            # TF's bucket arrays: one row per bucket, [num_buckets, key size], and
            # [num_buckets, value size]
            return keys.reshape(-1, 1), t.values.reshape(t.num_buckets, -1).copy()
    with t.lock:
        items = list(t.data.items())
    if not t.static:
        items.reverse()
    kd = object if t.key_dtype is _dt.string else t.key_dtype.np_dtype
    vd = object if t.value_dtype is _dt.string else t.value_dtype.np_dtype
    keys = np.empty(len(items), dtype=kd)
    values = np.empty((len(items),) + t.value_shape, dtype=vd)
    for i, (k, v) in enumerate(items):
        keys[i] = k
        values[i] = v
    return keys, values


@register_kernel("LookupTableInsertV2")
def lookup_table_insert(handle, keys, values, *, Tin, Tout):
    t = _table(handle)
    if t.static:
        raise errors.UnimplementedError(None, None, "Insert not supported by "
                                                    "InitializableLookupTable implementations")
    t.check_types("LookupTableInsertV2", Tin, Tout, False)
    if isinstance(t, DenseTable):
        _dense_keys(keys)
    t.check_values_shape(keys, values)
    k = t.keys_of(keys)
    v = t.values_of(values, len(k))
    with t.lock:
        if isinstance(t, DenseTable):
            t.grow_for(len(k))
            t.insert(k, v)
        else:
            t.data.update(zip(k, v))


@register_kernel("LookupTableRemoveV2")
def lookup_table_remove(handle, keys, *, Tin):
    t = _table(handle)
    if t.static:
        raise errors.UnimplementedError(None, None, "Remove not supported by "
                                                    "InitializableLookupTable implementations")
    if Tin != t.key_dtype:
        raise _invalid(f"Signature mismatch, have: resource, {_tf_type(Tin)}-> expected: "
                       f"resource, {_tf_type(t.key_dtype)}->")
    if isinstance(t, DenseTable):
        _dense_keys(keys)
        with t.lock:
            t.remove(t.keys_of(keys))
        return
    with t.lock:
        for k in t.keys_of(keys):
            t.data.pop(k, None)


# --- tables from text files -------------------------------------------------------------------

_WHOLE_LINE, _LINE_NUMBER = -2, -1


def _parse(field, dtype, line_no):
    """A column's text as a key or value of `dtype` (TF's safe_strto* rules)."""
    if dtype is _dt.string:
        return field
    text = field.decode("utf-8", "replace")
    try:
        if dtype.is_integer:
            if text.strip() != text or not text:
                raise ValueError
            v = int(text, 10)
            info = np.iinfo(dtype.np_dtype)
            if not info.min <= v <= info.max:
                raise ValueError
            return v
        if dtype.is_floating:
            v = float(text)
            if dtype is _dt.float32:
                v = float(np.float32(v))
            return v
        if dtype is _dt.bool_:
            return {"true": True, "false": False}[text]
    except (ValueError, KeyError):
        pass
    raise _invalid(f"Field {text} in line {line_no} is not a valid {_tf_type(dtype)}.")


def _read_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None


@register_kernel("InitializeTableFromTextFileV2")
def initialize_table_from_text_file(handle, filename, *, key_index, value_index, vocab_size,
                                    delimiter, offset):
    t = _table(handle)
    path = np.asarray(filename).item()
    path = path.decode() if isinstance(path, bytes) else str(path)
    if key_index == _LINE_NUMBER and t.key_dtype is not _dt.int64:
        raise _invalid(f"Key index for line number requires table key dtype of int64, got "
                       f"{_tf_type(t.key_dtype)}")
    if value_index == _LINE_NUMBER and t.value_dtype is not _dt.int64:
        raise _invalid(f"Value index for line number requires table value dtype of int64, "
                       f"got {_tf_type(t.value_dtype)}")
    if key_index == _WHOLE_LINE and not (t.key_dtype.is_integer or t.key_dtype is _dt.string):
        raise _invalid(f"Key index for whole line requires table key dtype of integer or "
                       f"string, got {_tf_type(t.key_dtype)}")
    if value_index == _WHOLE_LINE and not (t.value_dtype.is_integer or
                                           t.value_dtype is _dt.string):
        raise _invalid(f"Value index for whole line requires table value dtype of integer or "
                       f"string, got {_tf_type(t.value_dtype)}")
    data = _read_lines(path)
    delim = delimiter.encode() if isinstance(delimiter, str) else delimiter
    keys, values = [], []
    pos, line_no = 0, 0
    need = max(key_index, value_index) + 1
    while pos < len(data) and (vocab_size < 0 or line_no < vocab_size):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        line = data[pos:end]
        pos = end + 1
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            raise _invalid(f"Invalid content in {path}: empty line found at position "
                           f"{min(pos, len(data))}.")
        cols = line.split(delim)
        if need > len(cols):
            raise _invalid(f"Invalid number of columns in {path} line {line_no} "
                           f"({line.decode('utf-8', 'backslashreplace')}) : expected at "
                           f"least {need} got {len(cols)}")

        def pick(index, dtype):
            if index == _LINE_NUMBER:       # offset: for keys as for values, as TF's
                return line_no + offset
            return _parse(line if index == _WHOLE_LINE else cols[index], dtype, line_no)
        keys.append(pick(key_index, t.key_dtype))
        values.append(pick(value_index, t.value_dtype))
        line_no += 1
    if vocab_size >= 0 and line_no != vocab_size:
        raise _invalid(f"Invalid vocab_size in {path}: expected {vocab_size} but got "
                       f"{line_no}")
    with t.lock:
        if t.static:
            t.fill(keys, values)
        else:
            t.data.update(zip(keys, values))


# --- the open-addressing table (MutableDenseHashTableV2) --------------------------------------

class DenseTable:
    """TF's MutableDenseHashTable, bucket for bucket: a power-of-two array of keys (the
    empty key where free, the deleted key where removed) probed quadratically from the
    key's hash (the key itself for integers, TF's Hash64 for strings), doubled when an
    insert would pass max_load_factor. Its export is the bucket arrays, so the order and
    the free slots are TF's."""

    kind = "MutableDenseHashTable"
    static = False
    initialized = True

    def __init__(self, name, key_dtype, value_dtype, value_shape, empty_key, deleted_key,
                 num_buckets, max_load_factor):
        self.name = name
        self.key_dtype = _dt.as_dtype(key_dtype)
        self.value_dtype = _dt.as_dtype(value_dtype)
        self.value_shape = tuple(int(d) for d in value_shape)
        if not 0 < max_load_factor < 1:
            raise _invalid(f"max_load_factor must be between 0 and 1, got: "
                           f"{_float_text(max_load_factor)}")
        if len(self.value_shape) > 1:
            raise _invalid(f"Empty value must be a scalar or a vector, got shape "
                           f"{_shape_text(self.value_shape)}")
        if np.ndim(empty_key) != 0:
            raise errors.UnimplementedError(None, None, "tfteach's DenseHashTable takes scalar "
                                                        "keys (empty_key of shape [])")
        if np.shape(deleted_key) != ():
            raise _invalid(f"Empty and deleted keys must have same shape, got shapes: [] and "
                           f"{_shape_text(np.shape(deleted_key))}")
        self.empty = self._key(empty_key)
        self.deleted = self._key(deleted_key)
        if self.empty == self.deleted:
            raise _invalid("Empty and deleted keys cannot be equal")
        self.max_load_factor = np.float32(max_load_factor)
        self.lock = threading.Lock()
        self._allocate(num_buckets)

    def _key(self, k):
        k = np.asarray(k).item() if isinstance(k, np.ndarray) else k
        if self.key_dtype is _dt.string:
            return k if isinstance(k, bytes) else str(k).encode()
        return int(k)

    def _allocate(self, n):
        if n < 4 or n & (n - 1):
            raise _invalid(f"Number of buckets must be at least 4 and a power of 2, got: {n}")
        self.num_buckets = n
        self.entries = 0
        self.keys = [self.empty] * n
        dtype = object if self.value_dtype is _dt.string else self.value_dtype.np_dtype
        self.values = np.zeros((n,) + self.value_shape, dtype=dtype)
        if self.value_dtype is _dt.string:
            self.values[...] = b""

    @property
    def data(self):
        return [k for k in self.keys if k != self.empty and k != self.deleted]

    def _hashes(self, keys):
        from . import _hash
        if self.key_dtype is _dt.string:
            return [int(h) for h in _hash.tf_hash64(keys)] if keys else []
        return [k & 0xFFFFFFFFFFFFFFFF for k in keys]

    def _check_key(self, k):
        if k == self.empty:
            raise _invalid("Using the empty_key as a table key is not allowed")
        if k == self.deleted:
            raise _invalid("Using the deleted_key as a table key is not allowed")

    def _probe(self, h):
        mask = self.num_buckets - 1
        bucket, probes = h & mask, 0
        while True:
            yield bucket
            probes += 1
            bucket = (bucket + probes) & mask
            if probes >= self.num_buckets:
                return

    def insert(self, keys, values, skip_special=False):
        for k, h, v in zip(keys, self._hashes(keys), values):
            if skip_special and (k == self.empty or k == self.deleted):
                continue
            self._check_key(k)
            for b in self._probe(h):
                if self.keys[b] == k:
                    self.values[b] = v
                    break
                if self.keys[b] == self.empty or self.keys[b] == self.deleted:
                    # (a deleted slot is reused at once, as TF's: a key further on the
                    # probe path stays where it was)
                    self.entries += 1
                    self.keys[b] = k
                    self.values[b] = v
                    break
            else:
                raise errors.InternalError(None, None, "Internal error in "
                                                       "MutableDenseHashTable insert")

    def grow_for(self, n):
        pending = self.entries + n
        if np.float32(pending) > np.float32(self.num_buckets) * self.max_load_factor:
            size = self.num_buckets
            while True:
                size <<= 1
                if not np.float32(pending) > np.float32(size) * self.max_load_factor:
                    break
            old_keys, old_values = self.keys, self.values
            self._allocate(size)
            self.insert(old_keys, list(old_values), skip_special=True)

    def find(self, keys, default):
        dtype = object if self.value_dtype is _dt.string else self.value_dtype.np_dtype
        default = np.asarray(default, dtype=dtype).reshape(-1)[
            :max(1, int(np.prod(self.value_shape)))].reshape(self.value_shape)
        out = np.empty((len(keys),) + self.value_shape, dtype=dtype)
        for i, (k, h) in enumerate(zip(keys, self._hashes(keys))):
            self._check_key(k)
            for b in self._probe(h):
                if self.keys[b] == k:
                    out[i] = self.values[b]
                    break
                if self.keys[b] == self.empty:
                    out[i] = default
                    break
            else:
                raise errors.InternalError(None, None, "Internal error in "
                                                       "MutableDenseHashTable lookup")
        return out

    def remove(self, keys):
        for k, h in zip(keys, self._hashes(keys)):
            self._check_key(k)
            for b in self._probe(h):
                if self.keys[b] == k:
                    self.entries -= 1
                    self.keys[b] = self.deleted
                    break
                if self.keys[b] == self.empty:
                    break
            else:
                raise errors.InternalError(None, None, "Internal error in "
                                                       "MutableDenseHashTable remove")

    def load(self, keys, values):
        """Import: the bucket arrays as they are (an export of a table of this kind)."""
        self.num_buckets = len(keys)
        self.keys = list(keys)
        dtype = object if self.value_dtype is _dt.string else self.value_dtype.np_dtype
        self.values = np.array(values, dtype=dtype).reshape((len(keys),) + self.value_shape)
        self.entries = sum(1 for k in self.keys if k != self.empty and k != self.deleted)

    # shared with Table's kernels
    keys_of = Table.keys_of
    values_of = Table.values_of
    check_types = Table.check_types
    check_values_shape = Table.check_values_shape


def _float_text(f):
    return f"{f:g}"


_DENSE = (("string", "bool"), ("string", "float32"), ("string", "float64"),
          ("string", "int32"), ("string", "int64"), ("int64", "bool"), ("int64", "float32"),
          ("int64", "float64"), ("int64", "int32"), ("int64", "int64"), ("int32", "float32"),
          ("int32", "float64"), ("int32", "int32"))


@register_kernel("MutableDenseHashTableV2")
def mutable_dense_hash_table(empty_key, deleted_key, *, ctx, op, key_dtype, value_dtype,
                             value_shape, initial_num_buckets, max_load_factor):
    pair = (_dt.as_dtype(key_dtype).name, _dt.as_dtype(value_dtype).name)
    if pair not in _DENSE:
        raise errors.NotFoundError(
            None, None, f"tfteach's DenseHashTable has no {pair[0]} -> {pair[1]} table (TF "
                        f"2.21 registers {', '.join('->'.join(p) for p in _DENSE)})")
    shape = value_shape.as_list() if hasattr(value_shape, "as_list") else list(value_shape)

    def make(name):
        return DenseTable(name, key_dtype, value_dtype, shape, empty_key, deleted_key,
                          int(initial_num_buckets), float(max_load_factor))
    shared = op.get_attr("shared_name")
    if getattr(op, "graph", None) is None:
        table = _EAGER_SHARED.get(shared) if shared else None
        if table is None:
            table = make(shared or op.type)
            if shared:
                _EAGER_SHARED[shared] = table
        return table
    return session_resource(ctx, op, make)
