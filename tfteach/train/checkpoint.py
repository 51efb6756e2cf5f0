"""Object-based checkpoints: `tf.train.Checkpoint`, `CheckpointManager`.

A checkpoint saves every variable reachable from the objects given to `Checkpoint(...)`,
keyed by the attribute path that reaches it, as TF does
(`myModel/dense1/_kernel/.ATTRIBUTES/VARIABLE_VALUE`). Restoring walks the *current* objects
and assigns each variable whose path is in the file: a Keras layer that is not built yet has
no kernel to assign, so its values stay unrestored (TF 2.21 + Keras 3 behave so;
`assert_consumed()` then fails).

Files (same names as TF's, not TF's bytes): `<prefix>.index` is JSON (dtype, shape, offset
of each tensor, plus a token) and `<prefix>.data-00000-of-00001` the raw little-endian
tensor bytes. No pickle anywhere. Writes are atomic: each file is written to a temporary
name and renamed; the data file goes first, the index last, and both carry the same random
token, so a reader never mixes an old index with new data. The `checkpoint` state file in the
directory uses TF's text format (the one `tf.train.latest_checkpoint` and the v1 `Saver`
read).
"""
import json
import os
import secrets
import time

import numpy as np

from .. import errors

__all__ = ["Checkpoint", "CheckpointManager", "CheckpointLoadStatus",
           "InitializationOnlyStatus", "write_tensors", "read_tensors", "list_variables",
           "load_variable", "load_checkpoint", "update_checkpoint_state",
           "get_checkpoint_state_paths", "latest_checkpoint"]

_FORMAT = "tfteach-checkpoint-1"
_DATA_SUFFIX = ".data-00000-of-00001"
_ATTR = "/.ATTRIBUTES/VARIABLE_VALUE"


# --- the tensor file pair ----------------------------------------------------------------------

def _atomic_write(path, data):
    d = os.path.dirname(path) or "."
    tmp = os.path.join(d, f".{os.path.basename(path)}.tmp{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_tensors(prefix, tensors, extra=None):
    """Writes {key: ndarray} as `<prefix>.index` + `<prefix>.data-00000-of-00001`."""
    d = os.path.dirname(prefix)
    if d:
        os.makedirs(d, exist_ok=True)
    token = secrets.token_hex(8)
    entries = {}
    chunks = [token.encode("ascii")]
    offset = len(chunks[0])
    for key in sorted(tensors):
        a = np.asarray(tensors[key])
        if a.dtype.kind in "OUS":
            raise TypeError(f"checkpoint value {key!r} has unsupported dtype {a.dtype}")
        a = np.asarray(a, dtype=a.dtype.newbyteorder("<"))
        raw = a.tobytes(order="C")
        entries[key] = {"dtype": a.dtype.str, "shape": list(a.shape), "offset": offset,
                        "nbytes": len(raw)}
        chunks.append(raw)
        offset += len(raw)
    _atomic_write(prefix + _DATA_SUFFIX, b"".join(chunks))
    index = {"format": _FORMAT, "token": token, "tensors": entries}
    if extra:
        index.update(extra)
    _atomic_write(prefix + ".index", json.dumps(index, indent=1).encode("utf-8"))
    return prefix


def _read_index(prefix):
    path = prefix + ".index"
    if not os.path.exists(path) or not os.path.exists(prefix + _DATA_SUFFIX):
        raise errors.NotFoundError(
            None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                        f"matching files for {prefix}")
    with open(path, "rb") as f:
        try:
            index = json.loads(f.read().decode("utf-8"))
        except ValueError:
            index = None
    if not isinstance(index, dict) or index.get("format") != _FORMAT:
        raise errors.DataLossError(None, None, f"Unable to open table file {path}: not a "
                                               f"tfteach checkpoint index")
    return index


def read_tensors(prefix, keys=None):
    """{key: ndarray} from a checkpoint written by `write_tensors`."""
    index = _read_index(prefix)
    with open(prefix + _DATA_SUFFIX, "rb") as f:
        data = f.read()
    token = index["token"].encode("ascii")
    if not data.startswith(token):
        raise errors.DataLossError(None, None, f"Checkpoint {prefix}: the data file does not "
                                               f"belong to the index (interrupted write?)")
    out = {}
    for key, e in index["tensors"].items():
        if keys is not None and key not in keys:
            continue
        raw = data[e["offset"]:e["offset"] + e["nbytes"]]
        if len(raw) != e["nbytes"]:
            raise errors.DataLossError(None, None, f"Checkpoint {prefix}: truncated data for "
                                                   f"{key}")
        dt = np.dtype(e["dtype"])
        out[key] = np.frombuffer(raw, dtype=dt).reshape(e["shape"]).astype(
            dt.newbyteorder("="), copy=True)
    return out


def _resolve_prefix(path):
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader "
                                                   f"constructor: Failed to find any matching "
                                                   f"files for {path}")
        return latest
    return path


def list_variables(ckpt_dir_or_file):
    """[(key, shape)] sorted by key, like `tf.train.list_variables`."""
    index = _read_index(_resolve_prefix(ckpt_dir_or_file))
    return [(k, list(e["shape"])) for k, e in sorted(index["tensors"].items())]


def load_variable(ckpt_dir_or_file, name):
    prefix = _resolve_prefix(ckpt_dir_or_file)
    values = read_tensors(prefix, keys={name})
    if name not in values:
        raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
    return values[name]


class _Reader:
    def __init__(self, prefix):
        self._prefix = prefix
        self._index = _read_index(prefix)

    def get_variable_to_shape_map(self):
        return {k: list(e["shape"]) for k, e in self._index["tensors"].items()}

    def get_variable_to_dtype_map(self):
        from ..framework import dtypes
        return {k: dtypes.as_dtype(np.dtype(e["dtype"]).newbyteorder("="))
                for k, e in self._index["tensors"].items()}

    def has_tensor(self, key):
        return key in self._index["tensors"]

    def get_tensor(self, key):
        return load_variable(self._prefix, key)


def load_checkpoint(ckpt_dir_or_file):
    return _Reader(_resolve_prefix(ckpt_dir_or_file))


# --- the `checkpoint` state file ---------------------------------------------------------------

def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1]
    return s.replace('\\"', '"').replace("\\\\", "\\")


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            timestamps=None, last_preserved_timestamp=None):
    """Writes `<save_dir>/checkpoint` (TF's text format), atomically. Paths inside `save_dir`
    are stored relative to it, as TF stores them."""
    def rel(p):
        if os.path.abspath(os.path.dirname(p)) == os.path.abspath(save_dir or "."):
            return os.path.basename(p)
        return p
    paths = list(all_model_checkpoint_paths or [])
    if model_checkpoint_path not in paths:
        paths.append(model_checkpoint_path)
    lines = [f"model_checkpoint_path: {_quote(rel(model_checkpoint_path))}"]
    lines += [f"all_model_checkpoint_paths: {_quote(rel(p))}" for p in paths]
    for t in timestamps or []:
        lines.append(f"all_model_checkpoint_timestamps: {t!r}")
    if last_preserved_timestamp is not None:
        lines.append(f"last_preserved_timestamp: {last_preserved_timestamp!r}")
    os.makedirs(save_dir or ".", exist_ok=True)
    _atomic_write(os.path.join(save_dir or ".", "checkpoint"),
                  ("\n".join(lines) + "\n").encode("utf-8"))


def get_checkpoint_state_paths(checkpoint_dir):
    """(model_checkpoint_path, [all paths]) from the state file, paths joined with the
    directory when relative; None when there is no state file."""
    path = os.path.join(checkpoint_dir, "checkpoint")
    if not os.path.isfile(path):
        return None
    latest, all_paths = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model_checkpoint_path":
                latest = _unquote(value)
            elif key == "all_model_checkpoint_paths":
                all_paths.append(_unquote(value))

    def full(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
    if latest is None:
        return None
    return full(latest), [full(p) for p in all_paths]


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The newest checkpoint prefix named by `<dir>/checkpoint`, or None."""
    if latest_filename not in (None, "checkpoint"):
        path = os.path.join(checkpoint_dir, latest_filename)
        if not os.path.isfile(path):
            return None
    state = get_checkpoint_state_paths(checkpoint_dir)
    if state is None:
        return None
    prefix = state[0]
    if os.path.exists(prefix + ".index") or os.path.exists(prefix + ".meta") or \
            os.path.exists(prefix):
        return prefix
    return None


# --- walking objects -----------------------------------------------------------------------------

def _is_variable(x):
    return getattr(x, "_is_resource_variable", False) or (
        hasattr(x, "assign") and hasattr(x, "numpy") and hasattr(x, "dtype")
        and hasattr(x, "shape") and not isinstance(x, type))


def _is_trackable(x):
    if _is_variable(x) or isinstance(x, Checkpoint) or hasattr(x, "_trackable_children"):
        return True
    try:
        from ..module import Module
    except ImportError:
        return False
    return isinstance(x, Module)


def _children(obj):
    """[(name, child)] of one trackable object, in a stable order."""
    if isinstance(obj, Checkpoint):
        items = list(obj._objects.items())
    elif hasattr(obj, "_trackable_children"):
        items = list(obj._trackable_children().items())
    elif _is_variable(obj):
        return []
    else:
        items = [(k, v) for k, v in vars(obj).items()
                 if not k.startswith("_self_")]
    out = []
    for name, value in items:
        out.extend(_expand(name, value))
    return out


def _expand(name, value):
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            out.extend(_expand(f"{name}/{i}", v))
        return out
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.extend(_expand(f"{name}/{k}", v))
        return out
    if _is_trackable(value):
        return [(name, value)]
    return []


def _variables_by_key(root):
    """{checkpoint key: variable}, breadth first; a variable reachable twice keeps its
    first (shortest) path."""
    seen = {id(root)}
    found = {}
    queue = [("", root)]
    while queue:
        nxt = []
        for path, obj in queue:
            for name, child in _children(obj):
                if id(child) in seen:
                    continue
                seen.add(id(child))
                p = f"{path}/{name}" if path else name
                if _is_variable(child):
                    found[p + _ATTR] = child
                else:
                    nxt.append((p, child))
        queue = nxt
    return found


def _value_of(v):
    return np.asarray(v.numpy())


# --- load statuses -------------------------------------------------------------------------------

class CheckpointLoadStatus:
    """What `Checkpoint.restore` matched. `assert_consumed()` raises AssertionError unless
    every saved value found its variable and every variable got a value."""

    def __init__(self, checkpoint, path, unused_keys, unmatched_vars, restored):
        self._checkpoint = checkpoint
        self._path = path
        self._unused = unused_keys
        self._unmatched = unmatched_vars
        self._restored = restored

    def assert_consumed(self):
        if self._unused:
            k = sorted(self._unused)[0]
            raise AssertionError(f"Unresolved object in checkpoint {self._path}: "
                                 f"{k} (and {len(self._unused) - 1} more values) were not "
                                 f"assigned to any object. Objects created after restore() "
                                 f"(for example the kernels of a Keras layer built later) "
                                 f"are not restored.")
        if self._unmatched:
            raise AssertionError(f"Object attributes {sorted(self._unmatched)[0]} not "
                                 f"assigned a value from checkpoint.")
        return self

    def assert_existing_objects_matched(self):
        if self._unmatched:
            raise AssertionError(f"Object {sorted(self._unmatched)[0]} was not found in the "
                                 f"checkpoint.")
        return self

    def assert_nontrivial_match(self):
        if not self._restored:
            raise AssertionError(f"Nothing except the root object matched a checkpointed "
                                 f"value. Typically this means that the checkpoint does not "
                                 f"match the Python program. ({self._path})")
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


class InitializationOnlyStatus:
    """`restore(None)`: nothing to restore; the variables keep their initial values."""

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_existing_objects_matched(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_nontrivial_match(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


# --- Checkpoint -----------------------------------------------------------------------------------

class Checkpoint:
    """`tf.train.Checkpoint(model=model, optimizer=opt, step=step_var)`."""

    def __init__(self, root=None, **kwargs):
        objects = {}
        if root is not None:
            kwargs = dict(kwargs, root=root)
        for name, value in sorted(kwargs.items()):
            if not _is_trackable(value) and not (isinstance(value, (list, tuple, dict))):
                raise ValueError(f"`Checkpoint` was expecting {name} to be a trackable object "
                                 f"(an object derived from `Trackable`), got {value!r}. If "
                                 f"you believe this object should be trackable (i.e. it is "
                                 f"part of the TensorFlow Python API and manages state), "
                                 f"please open an issue.")
            objects[name] = value
        object.__setattr__(self, "_objects", objects)
        object.__setattr__(self, "_save_counter", None)

    def __getattr__(self, name):
        objects = self.__dict__.get("_objects", {})
        if name in objects:
            return objects[name]
        raise AttributeError(f"'Checkpoint' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        elif _is_trackable(value):
            self._objects[name] = value
        else:
            object.__setattr__(self, name, value)

    def _trackable_children(self):
        out = dict(self._objects)
        if self._save_counter is not None:
            out["save_counter"] = self._save_counter
        return out

    @property
    def save_counter(self):
        """An int64 variable counting `save()` calls (created on first use)."""
        self._ensure_counter()
        return self._save_counter

    def _ensure_counter(self):
        if self._save_counter is None:
            from ..eager.variables import ResourceVariable
            from ..framework import ops as _ops
            with _ops.init_scope() if hasattr(_ops, "init_scope") else _nullcontext():
                self._save_counter = ResourceVariable(np.int64(0), trainable=False,
                                                      name="save_counter")

    def _collect(self):
        objects = dict(self._objects)
        if self._save_counter is not None:
            objects["save_counter"] = self._save_counter
        tmp = _Root(objects)
        return _variables_by_key(tmp)

    def write(self, file_prefix, options=None):
        """Writes the checkpoint at exactly `file_prefix` (no counter, no state file)."""
        file_prefix = os.fspath(file_prefix)
        tensors = {k: _value_of(v) for k, v in self._collect().items()}
        write_tensors(file_prefix, tensors)
        return file_prefix

    def save(self, file_prefix, options=None):
        """Writes `<file_prefix>-<n>` (n counts saves) and records it in the directory's
        `checkpoint` file. Returns the path."""
        file_prefix = os.fspath(file_prefix)
        self._ensure_counter()
        n = int(self._save_counter.numpy()) + 1
        self._save_counter.assign(np.int64(n))
        path = f"{file_prefix}-{n}"
        try:
            self.write(path)
        except BaseException:
            self._save_counter.assign(np.int64(n - 1))
            raise
        directory = os.path.dirname(file_prefix)
        state = get_checkpoint_state_paths(directory or ".")
        paths = [] if state is None else [p for p in state[1] if p != path]
        update_checkpoint_state(directory or ".", path, paths + [path])
        return path

    def read(self, save_path, options=None):
        return self.restore(save_path)

    def restore(self, save_path, options=None):
        """Assigns saved values to the variables that exist now; returns a load status."""
        if save_path is None:
            return InitializationOnlyStatus()
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):
            raise errors.NotFoundError(
                None, None, f"Error when restoring from checkpoint or SavedModel at "
                            f"{save_path}: the path is a directory; pass a checkpoint prefix "
                            f"such as tf.train.latest_checkpoint({save_path!r}).")
        try:
            values = read_tensors(save_path)
        except errors.NotFoundError as e:
            raise errors.NotFoundError(
                None, None, f"Error when restoring from checkpoint or SavedModel at "
                            f"{save_path}: {e.message}\nPlease double-check that the path is "
                            f"correct. You may be missing the checkpoint suffix (e.g. the "
                            f"'-1' in 'path/to/ckpt-1').") from None
        if "save_counter" + _ATTR in values:
            self._ensure_counter()
        current = self._collect()
        unused = set(values) - set(current)
        unmatched = set(current) - set(values)
        restored = 0
        for key, var in current.items():
            if key in values:
                v = values[key]
                want = tuple(int(d) for d in var.shape)
                if tuple(v.shape) != want:
                    raise ValueError(f"Received incompatible tensor with shape {v.shape} when "
                                     f"attempting to restore variable with shape {want} and "
                                     f"name {key}.")
                var.assign(v.astype(var.dtype.base_dtype.np_dtype, copy=False))
                restored += 1
        return CheckpointLoadStatus(self, save_path, unused, unmatched, restored)


class _Root:
    def __init__(self, objects):
        self._objs = objects

    def _trackable_children(self):
        return self._objs


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# --- CheckpointManager ----------------------------------------------------------------------------

class CheckpointManager:
    """Numbered saves in `directory` keeping the newest `max_to_keep`."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep}.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._init_fn = init_fn
        state = get_checkpoint_state_paths(self._directory)
        self._maybe_delete = []
        self._latest = None
        if state is not None:
            self._latest = state[0]
            self._maybe_delete = [p for p in state[1]
                                  if os.path.exists(p + ".index")]
        self._last_preserved = time.time()

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def latest_checkpoint(self):
        return latest_checkpoint(self._directory)

    @property
    def checkpoints(self):
        return list(self._maybe_delete)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        if checkpoint_number is None and self._step_counter is not None:
            checkpoint_number = int(np.asarray(self._step_counter.numpy()))
        ck = self._checkpoint
        if checkpoint_number is None:
            ck._ensure_counter()
            checkpoint_number = int(ck._save_counter.numpy()) + 1
            ck._save_counter.assign(np.int64(checkpoint_number))
        else:
            ck._ensure_counter()
            ck._save_counter.assign(ck._save_counter.numpy() + 1)
        path = f"{self._prefix}-{int(checkpoint_number)}"
        ck.write(path)
        self._maybe_delete = [p for p in self._maybe_delete if p != path] + [path]
        self._sweep()
        update_checkpoint_state(self._directory, path, self._maybe_delete)
        return path

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            old = self._maybe_delete.pop(0)
            for suffix in (".index", _DATA_SUFFIX):
                try:
                    os.remove(old + suffix)
                except FileNotFoundError:
                    pass

    def restore_or_initialize(self):
        latest = self.latest_checkpoint
        if latest is not None:
            self._checkpoint.restore(latest)
            return latest
        if self._init_fn is not None:
            self._init_fn()
        return None
