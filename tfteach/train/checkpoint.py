"""Object-based checkpoints: `tf.train.Checkpoint`, `CheckpointManager`.

A checkpoint saves every variable reachable from the objects given to `Checkpoint(...)`,
keyed by the attribute path that reaches it, as TF does
(`myModel/dense1/_kernel/.ATTRIBUTES/VARIABLE_VALUE`). Restoring walks the *current* objects
and assigns each variable whose path is in the file: a Keras layer that is not built yet has
no kernel to assign, so its values stay unrestored (TF 2.21 + Keras 3 behave so;
`assert_consumed()` then fails).

Files: TF's V2 checkpoint format (`tensor_bundle.py`, written atomically by `saver.py`, no
pickle) with TF's object graph under `_CHECKPOINTABLE_OBJECT_GRAPH`, and TF's `checkpoint`
state file, so TensorFlow restores what tfteach writes and the reverse, and
`tf.train.latest_checkpoint`, `list_variables` and `load_checkpoint` read both kinds.
"""
import os
import time

import numpy as np

from .. import errors
from . import saver as _saver
from .saver import latest_checkpoint, list_variables, load_checkpoint, load_variable  # noqa: F401

__all__ = ["Checkpoint", "CheckpointManager", "CheckpointLoadStatus",
           "InitializationOnlyStatus", "write_tensors", "read_tensors"]

_DATA_SUFFIX = ".data-00000-of-00001"
_ATTR = "/.ATTRIBUTES/VARIABLE_VALUE"


# --- files: the v1 Saver's format, so that one reader serves both -----------------------------

def write_tensors(prefix, tensors):
    """Writes {key: ndarray} as `<prefix>.index` + `<prefix>.data-00000-of-00001`."""
    d = os.path.dirname(prefix)
    if d:
        os.makedirs(d, exist_ok=True)
    _saver._write_checkpoint(prefix, sorted(tensors.items()))
    return prefix


def read_tensors(prefix):
    """{key: ndarray} of every tensor of a checkpoint."""
    reader = _saver.CheckpointReader(prefix)
    return {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()}


def _rel(path, save_dir):
    """TF records checkpoints inside the state file's directory by their base name."""
    if os.path.abspath(os.path.dirname(path)) == os.path.abspath(save_dir or "."):
        return os.path.basename(path)
    return path


def _update_state(save_dir, latest, all_paths):
    _saver.update_checkpoint_state(save_dir or ".", _rel(latest, save_dir),
                                   [_rel(p, save_dir) for p in all_paths])


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


OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _object_graph(root):
    """TF's TrackableObjectGraph of the objects reachable from `root`, serialized: node 0 is
    the root, each edge a child's local name, each variable a VARIABLE_VALUE attribute whose
    checkpoint key is its path (the keys `_variables_by_key` gives). TF's Checkpoint.restore
    matches objects through it; a list or dict attribute becomes a node of its own, as TF's
    list and dict wrappers do."""
    from tensorboard.compat.proto import trackable_object_graph_pb2 as tog
    graph = tog.TrackableObjectGraph()
    graph.nodes.add()
    ids = {id(root): 0}
    inner = {}                         # (parent node, "a/b" prefix) -> node of a container
    queue = [("", root, 0)]
    while queue:
        nxt = []
        for path, obj, node_id in queue:
            for name, child in _children(obj):
                parent = node_id
                parts = name.split("/")
                for i, part in enumerate(parts[:-1]):
                    key = (node_id, "/".join(parts[:i + 1]))
                    if key not in inner:
                        inner[key] = len(graph.nodes)
                        graph.nodes.add()
                        graph.nodes[parent].children.add(node_id=inner[key], local_name=part)
                    parent = inner[key]
                p = f"{path}/{name}" if path else name
                if id(child) in ids:       # reachable twice: one node, two edges
                    graph.nodes[parent].children.add(node_id=ids[id(child)],
                                                      local_name=parts[-1])
                    continue
                ids[id(child)] = child_id = len(graph.nodes)
                graph.nodes.add()
                graph.nodes[parent].children.add(node_id=child_id, local_name=parts[-1])
                if _is_variable(child):
                    full = getattr(child, "name", p).split(":")[0]
                    graph.nodes[child_id].attributes.add(
                        name="VARIABLE_VALUE", full_name=full, checkpoint_key=p + _ATTR)
                else:
                    nxt.append((p, child, child_id))
        queue = nxt
    return graph.SerializeToString()


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
        objects = dict(self._objects)
        if self._save_counter is not None:
            objects["save_counter"] = self._save_counter
        graph = np.empty((), dtype=object)
        graph[()] = _object_graph(_Root(objects))
        tensors[OBJECT_GRAPH_KEY] = graph
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
        state = _saver.get_checkpoint_state(directory or ".")
        old = [] if state is None else state.all_model_checkpoint_paths
        full = os.path.join(directory or ".", os.path.basename(path))
        old = [p for p in old if os.path.abspath(p) != os.path.abspath(full)]
        _update_state(directory, path, old + [path])
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
        values.pop(OBJECT_GRAPH_KEY, None)      # the object graph: keys already say it all
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
        state = _saver.get_checkpoint_state(self._directory)
        self._maybe_delete = []
        if state is not None:
            self._maybe_delete = [p for p in state.all_model_checkpoint_paths
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
        doomed = []
        if self._max_to_keep is not None:
            while len(self._maybe_delete) > self._max_to_keep:
                doomed.append(self._maybe_delete.pop(0))
        # The state file first (as TF): a crash after it leaves stray old files, never a
        # state that names nothing while the new checkpoint sits complete on disk.
        _update_state(self._directory, path, self._maybe_delete)
        for old in doomed:
            for suffix in (".index", _DATA_SUFFIX):
                try:
                    os.remove(old + suffix)
                except FileNotFoundError:
                    pass
        return path

    def restore_or_initialize(self):
        latest = self.latest_checkpoint
        if latest is not None:
            self._checkpoint.restore(latest)
            return latest
        if self._init_fn is not None:
            self._init_fn()
        return None
