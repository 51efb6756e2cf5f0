"""Object-based checkpoints: `tf.train.Checkpoint`, `CheckpointManager`.

A checkpoint saves every variable reachable from the objects given to `Checkpoint(...)`, with
TF's object graph (`_CHECKPOINTABLE_OBJECT_GRAPH`): TF's breadth-first walk names each object
by its first path of attribute names, lists and dicts being objects of their own, so a key
reads `myModel/dense1/_kernel/.ATTRIBUTES/VARIABLE_VALUE`, and a variable reachable twice is
saved once, under its shorter path (beside its optimizer, a Keras model's kernel is
`optimizer/_trainable_variables/0`, as TF 2.21 + Keras 3 write it).

Restoring matches the saved graph to the live objects edge by edge, as TF does, so the keys
need not agree: a model alone restores from a model-and-optimizer file. Values whose object
does not exist yet wait for it (TF's deferred restoration): a Keras optimizer's slots get
theirs when its first step builds them, a Sequential model its layers' when it is built. A
subclassed Keras model's layers built after the restore stay unrestored, as in TF 2.21 +
Keras 3, and `assert_consumed()` says so with TF's text. A TF1 optimizer (eager) saves its
slots as TF does, in the graph's `slot_variables` under `<variable>/.OPTIMIZER_SLOT/...`.
Values no object took are logged when the restore is collected, unless `expect_partial()`.

Files: TF's V2 checkpoint format (`tensor_bundle.py`, written atomically by `saver.py`, no
pickle) and TF's `checkpoint` state file (with the manager's timestamps), so TensorFlow
restores what tfteach writes and the reverse, and `tf.train.latest_checkpoint`,
`list_variables` and `load_checkpoint` read both kinds.
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
    return {k: reader._array(k) for k in reader.get_variable_to_shape_map()}


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


class _Container:
    """A list, tuple or dict attribute: TF tracks it as an object of its own (its list and
    dict wrappers), whose children are named by index or key."""

    def __init__(self, value):
        self.value = value

    def items(self):
        if isinstance(self.value, dict):
            return [(str(k), v) for k, v in self.value.items()]
        return [(str(i), v) for i, v in enumerate(self.value)]


def _holds_trackable(value):
    if isinstance(value, (list, tuple, dict)):
        items = value.values() if isinstance(value, dict) else value
        return any(_holds_trackable(v) for v in items)
    return _is_trackable(value)


def _children(obj):
    """[(local name, child)] of one object, in its tracking order; a container child is a
    `_Container`. Empty containers that an object names itself stay (Keras' optimizer keeps
    its empty slot lists), as in TF's graph; they hold no values."""
    own = True
    if isinstance(obj, _Container):
        items = obj.items()
    elif isinstance(obj, Checkpoint):
        items = list(obj._trackable_children().items())
    elif hasattr(obj, "_trackable_children"):
        items = list(obj._trackable_children().items())
    elif _is_variable(obj):
        return []
    else:
        own = False
        items = [(k, v) for k, v in vars(obj).items() if not k.startswith("_self_")]
    out = []
    for name, value in items:
        if isinstance(value, _Container):
            out.append((str(name), value))
        elif isinstance(value, (list, tuple, dict)):
            if _holds_trackable(value) or (own and not value):
                out.append((str(name), _Container(value)))
        elif _is_trackable(value):
            out.append((str(name), value))
    return out


def _escape(name):
    # TF's escaping of a local name inside a checkpoint key
    return name.replace(".", "..").replace("/", ".S")


def _walk(root):
    """TF's breadth-first view of the objects reachable from `root`: (objects in node order,
    each one's path of local names, each one's [(local name, node id)]). An object reachable
    twice is one node, named by the first (shortest) path."""
    order, paths, edges = [root], [()], []
    index = {id(root): 0}
    i = 0
    while i < len(order):
        kids = []
        for name, child in _children(order[i]):
            if id(child) not in index:
                index[id(child)] = len(order)
                order.append(child)
                paths.append(paths[i] + (name,))
            kids.append((name, index[id(child)]))
        edges.append(kids)
        i += 1
    return order, paths, edges


def _attributes(obj, path):
    """[(attribute name, checkpoint key, value holder)] an object saves."""
    prefix = "/".join(_escape(p) for p in path)
    if _is_variable(obj):
        return [("VARIABLE_VALUE", prefix + _ATTR, obj)]
    if isinstance(obj, _Container) or not hasattr(obj, "_serialize_to_tensors"):
        return []
    return [(attr, f"{prefix}/.ATTRIBUTES/{attr}", _SavedState(obj, attr))
            for attr in obj._serialize_to_tensors()]


def _variables_by_key(root):
    """{checkpoint key: variable (or saved state)} of everything reachable from `root`."""
    order, paths, _ = _walk(root)
    found = {}
    for obj, path in zip(order[1:], paths[1:]):
        for _, key, holder in _attributes(obj, path):
            found[key] = holder
    return found


class _SavedState:
    """A non-variable object's saved tensor (an iterator's position), read and written
    through its `_serialize_to_tensors` / `_restore_from_tensors`, as TF's saveables."""

    def __init__(self, obj, attr):
        self._obj, self._attr = obj, attr

    def numpy(self):
        return self._obj._serialize_to_tensors()[self._attr]

    @property
    def shape(self):
        return np.shape(self.numpy())

    @property
    def dtype(self):
        from ..framework import dtypes
        return dtypes.as_dtype(np.asarray(self.numpy()).dtype)

    def assign(self, value):
        self._obj._restore_from_tensors({self._attr: value})


def _value_of(v):
    return np.asarray(v.numpy())


OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _tog():
    from tensorboard.compat.proto import trackable_object_graph_pb2 as tog
    return tog


def _object_graph(root):
    """(TF's TrackableObjectGraph of the objects reachable from `root`, {key: value holder}).
    Node 0 is the root, each edge a child's local name, each variable a VARIABLE_VALUE
    attribute whose checkpoint key is its path; a list or dict attribute is a node of its
    own, as TF's list and dict wrappers are. TF's Checkpoint.restore matches objects through
    it, so a variable reachable twice (a model's weight is also in its optimizer's
    `_trainable_variables`) is restored whichever path the reader holds."""
    order, paths, edges = _walk(root)
    graph = _tog().TrackableObjectGraph()
    tensors = {}
    for obj, path, kids in zip(order, paths, edges):
        node = graph.nodes.add()
        for name, child in kids:
            node.children.add(node_id=child, local_name=name)
        if obj is root:
            continue
        for attr, key, holder in _attributes(obj, path):
            full = getattr(obj, "path", None) or getattr(obj, "name", None) or key
            full = full.split(":")[0] if attr == "VARIABLE_VALUE" else key
            node.attributes.add(name=attr, full_name=full, checkpoint_key=key)
            tensors[key] = holder
    # a TF1 optimizer's slots: nodes of their own after the walk's, named in the
    # optimizer's `slot_variables` and keyed under the variable they belong to
    index = {id(o): i for i, o in enumerate(order)}
    for i, obj in enumerate(list(order)):
        if not hasattr(obj, "_checkpoint_slots"):
            continue
        for var, slot, holder in obj._checkpoint_slots():
            j = index.get(id(var))
            if j is None:
                continue
            key = (f"{'/'.join(_escape(p) for p in paths[j])}/.OPTIMIZER_SLOT/"
                   f"{'/'.join(_escape(p) for p in paths[i])}/{_escape(slot)}" + _ATTR)
            node_id = len(graph.nodes)
            graph.nodes.add().attributes.add(name="VARIABLE_VALUE", full_name=holder.name,
                                             checkpoint_key=key)
            graph.nodes[i].slot_variables.add(original_variable_node_id=j, slot_name=slot,
                                              slot_variable_node_id=node_id)
            edges.append([])
            tensors[key] = holder
    has = [bool(n.attributes) for n in graph.nodes]
    changed = True
    while changed:                         # a node holds values when a descendant does
        changed = False
        for i, kids in enumerate(edges):
            if not has[i] and any(has[c] for _, c in kids):
                has[i] = changed = True
    for node, h in zip(graph.nodes, has):
        node.has_checkpoint_values.value = h
    return graph, tensors


# --- restoring through the object graph ------------------------------------------------

_DEFERRED = {}      # id(object) -> (weakref to it, [(restore, local-name path, node id)])


def restore_deferred(obj):
    """Called by objects that create their variables late (a Keras optimizer's slots when it
    is built, a Sequential model's layers when it gets its input): values that a restore
    found no object for are assigned now, as TF's deferred restoration does."""
    entry = _DEFERRED.get(id(obj))
    if entry is None:
        return
    ref, waiting = entry
    if ref() is not obj:
        del _DEFERRED[id(obj)]
        return
    del _DEFERRED[id(obj)]
    for restore, rel, node_id in waiting:
        restore._resume(obj, rel, node_id)


def _follow(obj, rel):
    for name in rel:
        obj = dict(_children(obj)).get(name)
        if obj is None:
            return None
    return obj


class _Restore:
    """One restore: the saved graph, the values, and which node each live object is."""

    def __init__(self, path, values, graph):
        self.path = path
        self.values = values
        self.graph = graph
        # node id -> id of the live object it matched (ids, not the objects: a restore
        # waiting in _DEFERRED must not keep its owner alive)
        self.by_node = {}
        self.assigned = set()              # node ids whose values were assigned
        self.deferred = []                 # (weakref to owner, rel path, node id)
        self.expect_partial = False
        self.variables = {}                # node id -> weak reference to its live variable
        self.slots = []                    # (weakref to optimizer, slot_variables entry)
        self._has = self._has_values()

    def __del__(self):
        # TF's warning when a restore ends with values no object took, unless the status
        # said `expect_partial()` (TF logs it when its restore coordinator is collected)
        try:
            if self.expect_partial:
                return
            lost = [i for i, n in enumerate(self.graph.nodes)
                    if n.attributes and i not in self.by_node]
            if not lost:
                return
            import logging
            log = logging.getLogger("tfteach")
            log.warning("Detecting that an object or model or tf.train.Checkpoint is being "
                        "deleted with unrestored values. See the following logs for the "
                        "specific values in question. To silence these warnings, use "
                        "`status.expect_partial()`. See https://www.tensorflow.org/api_docs/"
                        "python/tf/train/Checkpoint#restorefor details about the status "
                        "object returned by the restore function.")
            for i in lost:
                log.warning("Value in checkpoint could not be found in the restored object: "
                            "%s", self.pretty(i))
        except Exception:        # interpreter shutdown: nothing left to warn with
            pass

    def _has_values(self):
        nodes = self.graph.nodes
        has = [bool(n.attributes) for n in nodes]
        changed = True
        while changed:
            changed = False
            for i, n in enumerate(nodes):
                if not has[i] and any(has[c.node_id] for c in n.children):
                    has[i] = changed = True
        return has

    def bind(self, node_id, obj, owner, rel):
        stack = [(node_id, obj, owner, rel)]
        while stack:
            node_id, obj, owner, rel = stack.pop()
            if node_id in self.by_node:
                continue
            self.by_node[node_id] = id(obj)
            node = self.graph.nodes[node_id]
            if node.attributes:
                self._assign(node_id, node, obj)
                if _is_variable(obj):
                    self._remember(node_id, obj)
            if node.slot_variables and hasattr(obj, "_restore_slot"):
                import weakref
                self.slots.extend((weakref.ref(obj), sv) for sv in node.slot_variables)
            if not node.children:
                continue
            live = dict(_children(obj))
            for ref in reversed(node.children):
                child = live.get(ref.local_name)
                if isinstance(obj, _Container):
                    c_owner, c_rel = owner, rel + (ref.local_name,)
                else:
                    c_owner, c_rel = obj, (ref.local_name,)
                if child is None:
                    if self._has[ref.node_id]:
                        self._defer(c_owner, c_rel, ref.node_id)
                elif isinstance(child, _Container):
                    stack.append((ref.node_id, child, c_owner, c_rel))
                else:
                    stack.append((ref.node_id, child, child, ()))

    def _remember(self, node_id, var):
        import weakref
        try:
            self.variables[node_id] = weakref.ref(var)
        except TypeError:
            pass

    def restore_slots(self):
        """A TF1 optimizer's slots whose variable is matched: TF makes the slot with the
        saved value at once (the optimizer would make it, zero, on its first step)."""
        waiting = []
        for opt_ref, sv in self.slots:
            opt = opt_ref()
            ref = self.variables.get(sv.original_variable_node_id)
            var = ref() if ref is not None else None
            if opt is None or sv.slot_variable_node_id in self.by_node:
                continue
            if var is None:
                waiting.append((opt_ref, sv))
                continue
            node = self.graph.nodes[sv.slot_variable_node_id]
            key = next((a.checkpoint_key for a in node.attributes
                        if a.name == "VARIABLE_VALUE"), None)
            if key in self.values:
                opt._restore_slot(var, sv.slot_name, self.values[key])
                self.by_node[sv.slot_variable_node_id] = id(node)
                self.assigned.add(sv.slot_variable_node_id)
        self.slots = waiting

    def _defer(self, owner, rel, node_id):
        import weakref
        key = id(owner)
        entry = _DEFERRED.get(key)
        if entry is None or entry[0]() is not owner:
            try:       # the entry (and the values it holds) goes when its owner does
                ref = weakref.ref(owner, lambda _, key=key: _DEFERRED.pop(key, None))
            except TypeError:
                return
            entry = _DEFERRED[key] = (ref, [])
        ref = entry[0]
        entry[1].append((self, rel, node_id))
        self.deferred.append((ref, rel, node_id))

    def _resume(self, owner, rel, node_id):
        if node_id in self.by_node:
            return
        child = _follow(owner, rel)
        if child is None:
            self._defer(owner, rel, node_id)
        elif isinstance(child, _Container):
            self.bind(node_id, child, owner, rel)
        else:
            self.bind(node_id, child, child, ())
        self.restore_slots()

    def _assign(self, node_id, node, obj):
        if _is_variable(obj):
            for attr in node.attributes:
                if attr.name != "VARIABLE_VALUE" or attr.checkpoint_key not in self.values:
                    continue
                v = self.values[attr.checkpoint_key]
                want = tuple(int(d) for d in obj.shape)
                if tuple(v.shape) != want:
                    name = getattr(obj, "name", attr.full_name)
                    raise ValueError(f"Received incompatible tensor with shape {v.shape} "
                                     f"when attempting to restore variable with shape {want} "
                                     f"and name {name}.")
                obj.assign(v.astype(obj.dtype.base_dtype.np_dtype, copy=False))
                self.assigned.add(node_id)
        elif hasattr(obj, "_restore_from_tensors") and not isinstance(obj, _Container):
            got = {a.name: self.values[a.checkpoint_key] for a in node.attributes
                   if a.checkpoint_key in self.values}
            if got:
                obj._restore_from_tensors(got)
                self.assigned.add(node_id)

    def pretty(self, node_id):
        """TF's name of a saved node: its first breadth-first path, `(root).a.b`."""
        names = {0: "(root)"}
        queue = [0]
        while queue and node_id not in names:
            nxt = []
            for i in queue:
                for ref in self.graph.nodes[i].children:
                    if ref.node_id not in names:
                        names[ref.node_id] = f"{names[i]}.{ref.local_name}"
                        nxt.append(ref.node_id)
            queue = nxt
        if node_id not in names:
            for i, n in enumerate(self.graph.nodes):
                for sv in n.slot_variables:
                    if sv.slot_variable_node_id == node_id:
                        return (f"{self.pretty(sv.original_variable_node_id)}'s state "
                                f"'{sv.slot_name}' for {self.pretty(i)}")
        return names.get(node_id, f"(node {node_id})")


# --- load statuses -------------------------------------------------------------------------------

def _node_text(node):
    from google.protobuf import text_format
    return text_format.MessageToString(node)


class CheckpointLoadStatus:
    """What `Checkpoint.restore` matched, with TF's checks: `assert_consumed()` fails unless
    every saved value found its object and every object found its value. Values whose objects
    appear later (a Keras optimizer's slots, made by its first `apply_gradients`) are assigned
    then, and the checks count them from that moment, as TF's deferred restoration."""

    def __init__(self, checkpoint, path, restore):
        self._checkpoint = checkpoint
        self._path = path
        self._restore = restore

    def _unmatched_python(self):
        bound = set(self._restore.by_node.values())
        order, paths, _ = _walk(self._checkpoint)
        return [o for o, p in zip(order[1:], paths[1:])
                if _attributes(o, p) and id(o) not in bound]

    def assert_existing_objects_matched(self):
        r = self._restore
        for node_id in sorted(r.by_node):
            node = r.graph.nodes[node_id]
            if node.attributes and node_id not in r.assigned:
                raise AssertionError(f"Object {_node_text(node)} not assigned a value from "
                                     f"checkpoint.")
        for ref, rel, node_id in sorted(r.deferred, key=lambda e: e[2]):
            node = r.graph.nodes[node_id]
            owner = ref()
            # TF matches a Keras layer's weight made after the restore but leaves it
            # unassigned (Keras 3 builds layers outside TF's deferred restoration)
            if node_id not in r.by_node and node.attributes and owner is not None and \
                    _follow(owner, rel) is not None:
                raise AssertionError(f"Object {_node_text(node)} not assigned a value from "
                                     f"checkpoint.")
        unused = self._unmatched_python()
        if unused:
            n, shown = len(unused), min(10, len(unused))
            raise AssertionError(
                f"Found {n} Python objects that were not bound to checkpointed values, likely "
                f"due to changes in the Python program. Showing {shown} of {n} unmatched "
                f"objects: [{', '.join(repr(o) for o in unused[:shown])}]")
        return self

    def assert_consumed(self):
        self.assert_existing_objects_matched()
        r = self._restore
        for node_id, node in enumerate(r.graph.nodes):
            if node.attributes and node_id not in r.by_node:
                raise AssertionError(f"Unresolved object in checkpoint {r.pretty(node_id)}: "
                                     f"{_node_text(node)}")
        return self

    def assert_nontrivial_match(self):
        if len(self._restore.by_node) <= 1:
            unused = self._unmatched_python()
            raise AssertionError(
                f"Nothing except the root object matched a checkpointed value. Typically this "
                f"means that the checkpoint does not match the Python program. The following "
                f"objects have no matching checkpointed value: "
                f"[{', '.join(repr(o) for o in unused)}]")
        return self

    def expect_partial(self):
        """Silences the warning about values no object took (see `_Restore.__del__`)."""
        self._restore.expect_partial = True
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
        if root is not None and not _is_trackable(root):
            raise ValueError(f"`Checkpoint` was expecting root to be a trackable object (an "
                             f"object derived from `Trackable`), got {root!r}. If you believe "
                             f"this object should be trackable (i.e. it is part of the "
                             f"TensorFlow Python API and manages state), please open an "
                             f"issue.")
        # `root` is not a child: as in TF, its own children sit at the top of the graph
        object.__setattr__(self, "_root", root)
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
        root = self.__dict__.get("_root")
        if root is not None and name == "root":
            return root
        raise AttributeError(f"'Checkpoint' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        elif _is_trackable(value):
            self._objects[name] = value
        else:
            object.__setattr__(self, name, value)

    def _trackable_children(self):
        out = {}
        if self._root is not None:
            out.update(_children(self._root))
        out.update(self._objects)
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
        return _variables_by_key(self)

    def write(self, file_prefix, options=None):
        """Writes the checkpoint at exactly `file_prefix` (no counter, no state file)."""
        file_prefix = os.fspath(file_prefix)
        graph, holders = _object_graph(self)
        tensors = {k: _value_of(v) for k, v in holders.items()}
        blob = np.empty((), dtype=object)
        blob[()] = graph.SerializeToString()
        tensors[OBJECT_GRAPH_KEY] = blob
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
        blob = values.pop(OBJECT_GRAPH_KEY, None)
        if blob is not None:
            graph = _tog().TrackableObjectGraph()
            raw = np.asarray(blob, dtype=object).reshape(())[()]
            try:
                graph.ParseFromString(raw if isinstance(raw, bytes) else bytes(raw))
            except Exception:
                raise errors.DataLossError(
                    None, None, f"Unable to parse the object graph of checkpoint "
                                f"{save_path}: the file is damaged.") from None
        else:
            # a name-based checkpoint (a TF1 Saver's): the keys are the live objects' paths
            graph, _ = _object_graph(self)
        root = graph.nodes[0] if graph.nodes else None
        if root is not None and any(c.local_name == "save_counter" for c in root.children):
            self._ensure_counter()
        restore = _Restore(save_path, values, graph)
        if root is not None:
            restore.bind(0, self, self, ())
            restore.restore_slots()
        return CheckpointLoadStatus(self, save_path, restore)


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
        # TF's bookkeeping, so either library's manager takes over the other's directory:
        # each kept checkpoint with its time, and the time of the last one kept for good
        # (keep_checkpoint_every_n_hours); a recorded checkpoint without a time counts as
        # kept for good, as in TF.
        state = _saver.get_checkpoint_state(self._directory)
        now = time.time()
        self._maybe_delete = {}
        if state is None:
            self._last_preserved = now - 1.0
        else:
            self._last_preserved = min(state.last_preserved_timestamp or 0.0, now)
            stamps = list(state.all_model_checkpoint_timestamps) or \
                [self._last_preserved] * len(state.all_model_checkpoint_paths)
            for p, t in zip(state.all_model_checkpoint_paths, stamps):
                t = min(float(t), now)
                if t > self._last_preserved:
                    self._maybe_delete[p] = t

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
        now = time.time()
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = now
        doomed = []
        if self._max_to_keep is not None:
            while len(self._maybe_delete) > self._max_to_keep:
                old, stamp = next(iter(self._maybe_delete.items()))
                del self._maybe_delete[old]
                if self._keep_hours is not None and \
                        stamp - self._keep_hours * 3600.0 >= self._last_preserved:
                    self._last_preserved = stamp          # kept for good, no longer listed
                    continue
                doomed.append(old)
        # The state file first (as TF): a crash after it leaves stray old files, never a
        # state that names nothing while the new checkpoint sits complete on disk.
        _saver.update_checkpoint_state(
            self._directory or ".", _rel(path, self._directory),
            [_rel(p, self._directory) for p in self._maybe_delete],
            all_model_checkpoint_timestamps=list(self._maybe_delete.values()),
            last_preserved_timestamp=self._last_preserved)
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
