"""`tf.train.Saver`: write a session's variable values to disk and read them back.

Files of one checkpoint `<prefix>`, in TensorFlow's own V2 format (`kernels/tensor_bundle.py`,
written and read by the SaveV2/RestoreV2 kernels in `kernels/cpu/io.py`), so TF
reads what tfteach saves and the reverse:

* `<prefix>.index`   TF's sorted table of tensor entries (dtype, shape, offset, checksum);
* `<prefix>.data-00000-of-00001`  the tensors' bytes;
* `<prefix>.meta`    the graph, the Saver's SaverDef and the collections as TF's
                     MetaGraphDef (`meta_graph.py`), which TF's `import_meta_graph` reads;
* `checkpoint`       in the directory: TF's text format naming the latest checkpoint and
                     the ones kept (`model_checkpoint_path: "..."`).

Checkpoints of tfteach 0.1 (a JSON index) are still read. Loading never executes anything
from the files (protobuf and raw numbers only: no pickle). Every file is written to a
temporary name and renamed into place, and the `checkpoint` state file is replaced last, so
a crash mid-save leaves the previous checkpoint intact and `latest_checkpoint` never names a
half-written one. A missing file is NotFoundError, a truncated or corrupted one
DataLossError, both naming the file.
"""
import json
import os
import time

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops

from ..framework import registry
from ..framework.tensor_shape import unknown_shape
from ..ops import io_ops  # noqa: F401  (SaveV2, RestoreV2)

def _io():
    # The checkpoint files are written and read by the SaveV2/RestoreV2 kernels' module;
    # imported on first use, so `import tfteach` loads no kernel module.
    from ..kernels.cpu import io
    return io


def CheckpointReader(prefix):
    """A reader of checkpoint `prefix` (kernels/cpu/io.py's CheckpointReader)."""
    return _io().CheckpointReader(prefix)


def _write_checkpoint(prefix, named_arrays):
    _io()._write_checkpoint(prefix, named_arrays)


def _atomic_write(path, data):
    _io()._atomic_write(path, data)


def load_checkpoint(ckpt_dir_or_file):
    prefix = _resolve(ckpt_dir_or_file)
    return CheckpointReader(prefix)


NewCheckpointReader = load_checkpoint


def list_variables(ckpt_dir_or_file):
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted(reader.get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def _resolve(ckpt_dir_or_file):
    if os.path.isdir(ckpt_dir_or_file):
        latest = latest_checkpoint(ckpt_dir_or_file)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {ckpt_dir_or_file}")
        return latest
    return ckpt_dir_or_file


# --- the `checkpoint` state file -----------------------------------------------------------

class CheckpointState:
    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths,
                 all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps or [])
        self.last_preserved_timestamp = last_preserved_timestamp

    def __str__(self):
        lines = [f'model_checkpoint_path: {json.dumps(self.model_checkpoint_path)}']
        lines += [f'all_model_checkpoint_paths: {json.dumps(p)}'
                  for p in self.all_model_checkpoint_paths]
        lines += [f'all_model_checkpoint_timestamps: {t!r}'
                  for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp is not None:
            lines.append(f'last_preserved_timestamp: {self.last_preserved_timestamp!r}')
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _state_path(checkpoint_dir, latest_filename=None):
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The `checkpoint` file of a directory, or None when there is none."""
    path = _state_path(checkpoint_dir, latest_filename)
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    model, paths, stamps, last = None, [], [], None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key, _, value = line.partition(":")
        value = value.strip()
        try:
            if key == "model_checkpoint_path":
                model = json.loads(value)
            elif key == "all_model_checkpoint_paths":
                paths.append(json.loads(value))
            elif key == "all_model_checkpoint_timestamps":
                stamps.append(float(value))
            elif key == "last_preserved_timestamp":
                last = float(value)
        except ValueError:
            raise errors.DataLossError(None, None, f"Unable to parse checkpoint state file "
                                                   f"{path}: {line!r}") from None
    if model is None:
        raise errors.DataLossError(None, None, f"Invalid checkpoint state file {path}: no "
                                               f"model_checkpoint_path")

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
    return CheckpointState(absolute(model), [absolute(p) for p in paths], stamps, last)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None):
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if not os.path.isabs(save_dir):
        # As TF: a relative directory gets paths relative to it (read back joined to it).
        def rel(p):
            # a bare file name (tf.train.Checkpoint passes those) is already relative to it
            if os.path.isabs(p) or not os.path.dirname(p):
                return p
            return os.path.relpath(p, save_dir)
        model_checkpoint_path = rel(model_checkpoint_path)
        paths = [rel(p) for p in paths]
    state = CheckpointState(model_checkpoint_path, paths, all_model_checkpoint_timestamps,
                            last_preserved_timestamp)
    _atomic_write(_state_path(save_dir, latest_filename), str(state).encode("utf-8"))


def checkpoint_exists(checkpoint_prefix):
    return os.path.exists(checkpoint_prefix + ".index") or os.path.exists(checkpoint_prefix)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint named by `checkpoint_dir/checkpoint`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if os.path.exists(state.model_checkpoint_path + ".index"):
            return state.model_checkpoint_path
    return None


# --- Saver -------------------------------------------------------------------------------------

def _var_name(v):
    name = getattr(v, "name", None)
    if name is None:
        raise TypeError(f"Variable to save is not a Variable: {v!r}")
    return name[:-2] if name.endswith(":0") else name.split(":")[0]


class Saver:
    """Saves and restores variables (TF1's `tf.train.Saver`)."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        if _ops.executing_eagerly() and var_list is None:
            raise RuntimeError("When eager execution is enabled, `var_list` must specify a "
                               "list or dict of variables to save")
        self._var_list = var_list
        self._name = name
        self._filename = filename
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._allow_empty = allow_empty
        self._last_checkpoints = []      # [(prefix, time)]
        self._next_keep_time = time.time() + keep_checkpoint_every_n_hours * 3600
        self._names = None
        self._saver_def = saver_def
        if not defer_build:
            self.build()

    def build(self):
        var_list = self._var_list
        if var_list is None:
            from ..ops import variables
            saveables = _ops.get_default_graph().get_collection("saveable_objects")
            if any(type(s).__name__ == "_TableSaveable" for s in saveables):
                raise NotImplementedError(
                    "tfteach's Saver does not save lookup tables: this graph has a "
                    "MutableHashTable made with checkpoint=True. Make it with "
                    "checkpoint=False, or pass the variables to save as var_list")
            var_list = variables.global_variables() + saveables
        if isinstance(var_list, dict):
            names = {}
            for k, v in var_list.items():
                names[k] = v
        else:
            names = {}
            for v in var_list:
                if isinstance(v, (list, tuple)):
                    raise TypeError("Variables to save should be passed in a dict or a list")
                n = _var_name(v)
                if n in names:
                    raise ValueError(f"At least two variables have the same name: {n}")
                names[n] = v
        if not names and not self._allow_empty:
            raise ValueError("No variables to save")
        self._names = names
        self._graph_ops = None
        if self._saver_def is not None and not _ops.executing_eagerly():
            # the save/restore ops exist already (an imported MetaGraphDef names them)
            g = _ops.get_default_graph()
            sd = self._saver_def
            self._graph_ops = (g.as_graph_element(sd.filename_tensor_name),
                               g.as_graph_element(sd.save_tensor_name),
                               g.as_graph_element(sd.restore_op_name))
        elif names and not _ops.executing_eagerly() and all(
                getattr(v, "_is_graph_variable", False) for v in names.values()):
            self._graph_ops = self._add_graph_ops(names)

    @registry.api("RestoreV2")
    @registry.api("SaveV2")
    def _add_graph_ops(self, names):
        """TF's save/restore subgraph: `save/Const` (the path, fed), `save/SaveV2`,
        `save/control_dependency`, `save/RestoreV2`, one `save/Assign` per variable and
        `save/restore_all`."""
        from ..ops import array_ops, constant_op, control_flow_ops, state_ops
        keys = sorted(names)
        variables = [names[k] for k in keys]
        g = variables[0].graph
        with g.as_default(), _ops.name_scope(self._name, "save", []):
            filename = array_ops.placeholder_with_default(self._filename or "model", shape=(),
                                                          name="filename")
            filename = array_ops.placeholder_with_default(filename, shape=(), name="Const")
            refs = [v._ref() for v in variables]
            dtypes = [r.dtype.base_dtype for r in refs]
            with _ops.name_scope("SaveV2") as scope:
                tn = constant_op.constant(keys, name="tensor_names")
                ss = constant_op.constant([""] * len(keys), name="shape_and_slices")
                save_op = g._create_op(registry.get("SaveV2"), [filename, tn, ss] + refs,
                                       {"dtypes": dtypes}, [], [], scope)
            save_tensor = control_flow_ops.with_dependencies([save_op], filename)
            with _ops.name_scope("RestoreV2") as scope:
                tn = constant_op.constant(keys, name="tensor_names")
                ss = constant_op.constant([""] * len(keys), name="shape_and_slices")
                restore = g._create_op(registry.get("RestoreV2"), [filename, tn, ss],
                                       {"dtypes": dtypes}, dtypes,
                                       [unknown_shape()] * len(dtypes), scope)
            assigns = []
            for v, t in zip(variables, restore._outputs):
                validate = v.shape.is_fully_defined()
                assigns.append(state_ops.assign(v, t, validate_shape=validate).op)
            restore_all = control_flow_ops.group(*assigns, name="restore_all")
        return filename, save_tensor, restore_all

    @property
    def last_checkpoints(self):
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        self._last_checkpoints = [(p, None) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        self._last_checkpoints = [(p, os.path.getmtime(p + ".index"))
                                  for p in checkpoint_paths if checkpoint_exists(p)]

    # --- values in and out of a session -----------------------------------------------------
    def _read_values(self, sess):
        names = list(self._names)
        graph_vars = [self._names[n] for n in names]
        if _ops.executing_eagerly() or sess is None:
            return [(n, np.asarray(v.numpy())) for n, v in zip(names, graph_vars)]
        fetches = [v._ref() if hasattr(v, "_ref") else v for v in graph_vars]
        values = sess.run(fetches)
        return [(n, np.asarray(val)) for n, val in zip(names, values)]

    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False):
        if latest_filename is not None and os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        if not _ops.executing_eagerly() and sess is None:
            raise TypeError("'sess' must be a Session; None")
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step._ref() if hasattr(global_step, "_ref")
                                           else global_step))
            step = f"{global_step:08d}" if self._pad_step_number else str(global_step)
            prefix = f"{save_path}-{step}"
        else:
            prefix = save_path
        save_dir = os.path.dirname(prefix) or "."
        if not os.path.isdir(save_dir):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        if self._graph_ops is not None and sess is not None:
            filename, save_tensor, _ = self._graph_ops
            sess.run(save_tensor, {filename: prefix})
        else:
            _write_checkpoint(prefix, self._read_values(sess))
        if write_meta_graph and not _ops.executing_eagerly():
            self.export_meta_graph(f"{prefix}.{meta_graph_suffix}",
                                   graph=sess.graph if sess is not None else None)
        if write_state:
            self._record(prefix, save_dir, latest_filename)
        return prefix

    def _record(self, prefix, save_dir, latest_filename):
        now = time.time()
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != prefix]
        self._last_checkpoints.append((prefix, now))
        doomed = []
        if self._max_to_keep:
            while len(self._last_checkpoints) > self._max_to_keep:
                p, t = self._last_checkpoints.pop(0)
                # keep_checkpoint_every_n_hours: one checkpoint per period survives.
                if t is not None and t > self._next_keep_time:
                    self._next_keep_time += self._keep_every * 3600
                    continue
                doomed.append(p)

        def rel(p):
            return os.path.relpath(p, save_dir) if self._save_relative_paths else p
        update_checkpoint_state(save_dir, rel(prefix),
                                [rel(p) for p, _ in self._last_checkpoints],
                                latest_filename,
                                [t for _, t in self._last_checkpoints if t is not None])
        # Old files go only after the state file stopped naming them.
        for p in doomed:
            for suffix in (".index", _io()._DATA_SUFFIX, ".meta"):
                try:
                    os.remove(p + suffix)
                except FileNotFoundError:
                    pass

    def restore(self, sess, save_path):
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        if not checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        if self._graph_ops is not None and sess is not None and \
                not _ops.executing_eagerly():
            filename, _, restore_all = self._graph_ops
            try:
                sess.run(restore_all, {filename: save_path})
            except errors.NotFoundError as e:
                if "not found in checkpoint" not in e.message:
                    raise
                raise errors.NotFoundError(
                    None, None, f"Restoring from checkpoint failed. This is most likely due to "
                                f"a Variable name or other graph key that is missing from the "
                                f"checkpoint. Please ensure that you have not altered the graph "
                                f"expected based on the checkpoint. Original error:\n\n"
                                f"{e.message}") from None
            return
        reader = CheckpointReader(save_path)
        loaded = []
        for name, v in self._names.items():
            if not reader.has_tensor(name):
                raise errors.NotFoundError(
                    None, None, f"Restoring from checkpoint failed. This is most likely due to "
                                f"a Variable name or other graph key that is missing from the "
                                f"checkpoint. Please ensure that you have not altered the graph "
                                f"expected based on the checkpoint. Original error:\n\nKey "
                                f"{name} not found in checkpoint")
            value = reader._array(name)
            want = v.dtype.base_dtype
            if _dt.as_dtype(value.dtype) != want and value.dtype != object:
                raise errors.InvalidArgumentError(
                    None, None, f"tensor_name = {name}; expected dtype {want.name} does not "
                                f"equal original dtype {_dt.as_dtype(value.dtype).name}")
            shape = v.shape
            if shape.rank is not None and not shape.is_compatible_with(value.shape):
                raise errors.InvalidArgumentError(
                    None, None, f"Restoring from checkpoint failed. Assign requires shapes of "
                                f"both tensors to match. lhs shape= {shape.as_list()} rhs "
                                f"shape= {list(value.shape)} (variable {name})")
            loaded.append((v, value))
        # Everything was read and checked: only now change the variables.
        if _ops.executing_eagerly() or sess is None:
            for v, value in loaded:
                v.assign(value)
            return
        state = sess._state
        for v, value in loaded:
            ref = v._ref() if hasattr(v, "_ref") else v
            op = ref.op
            slot_name = (op.get_attr("shared_name") if "shared_name" in op._attrs else "") \
                or op.name
            from ..runtime.executor import VariableSlot
            slot = state.variables.get(slot_name)
            if slot is None:
                slot = state.variables[slot_name] = VariableSlot(slot_name)
            slot.value = np.array(value, copy=True)

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False,
                          export_scope=None, clear_devices=False, clear_extraneous_savers=False,
                          strip_default_attrs=False, save_debug_info=False, graph=None):
        """The graph with this Saver's SaverDef as TF's MetaGraphDef (`meta_graph.py`)."""
        from . import meta_graph
        return meta_graph.export_meta_graph(
            filename, saver_def=self.as_saver_def(), collection_list=collection_list,
            as_text=as_text, graph=graph, export_scope=export_scope, clear_devices=clear_devices)

    def as_saver_def(self):
        """The names of this Saver's ops as TF's SaverDef (None in eager mode, as TF has no
        save ops there)."""
        if self._graph_ops is None:
            return None
        from . import meta_graph
        filename, save_tensor, restore_all = self._graph_ops
        return meta_graph.saver_def(filename, save_tensor, restore_all, self._max_to_keep or 0,
                                    self._keep_every)


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """TF1's `tf.train.init_from_checkpoint`: the variables `assignment_map` names start from
    the checkpoint's values, by replacing their initializers with a RestoreV2 of the file (so
    `global_variables_initializer()` loads them). Keys are checkpoint names or scopes ending
    in "/" ("/" alone: the whole checkpoint); values are variable names, scopes, or Variable
    objects."""
    from ..ops import state_ops, variables
    prefix = _resolve(ckpt_dir_or_file)
    reader = CheckpointReader(prefix)
    saved = reader.get_variable_to_shape_map()
    graph_vars = {_var_name(v): v for v in variables.global_variables()}
    pairs = []
    for ckpt_name, target in assignment_map.items():
        if not isinstance(target, str):           # a Variable (or a list of partitions)
            if isinstance(target, (list, tuple)):
                raise errors.UnimplementedError(None, None, "init_from_checkpoint: partitioned "
                                                            "variables are not supported")
            if ckpt_name not in saved:
                raise ValueError(f"Tensor {ckpt_name} is not found in {prefix} checkpoint "
                                 f"{ {k: v for k, v in saved.items()} }")
            pairs.append((ckpt_name, target))
        elif ckpt_name.endswith("/") or ckpt_name == "":
            src = "" if ckpt_name in ("/", "") else ckpt_name
            dst = "" if target in ("/", "") else target
            for name in sorted(saved):
                if not name.startswith(src):
                    continue
                var = graph_vars.get(dst + name[len(src):])
                if var is not None:
                    pairs.append((name, var))
        else:
            if ckpt_name not in saved:
                raise ValueError(f"Tensor {ckpt_name} is not found in {prefix} checkpoint")
            var = graph_vars.get(target)
            if var is None:
                raise ValueError(f"Tensor {target} is not found in the graph's variables")
            pairs.append((ckpt_name, var))
    for ckpt_name, var in pairs:
        want, got = var.shape, saved[ckpt_name]
        if want.rank is not None and not want.is_compatible_with(got):
            raise ValueError(f"Shape of variable {_var_name(var)} ({want}) doesn't match with "
                             f"shape of tensor {ckpt_name} ({got}) from checkpoint reader.")
        g = var.graph
        dt = var.dtype.base_dtype
        with g.as_default(), _ops.name_scope(var.op.name + "/"):
            from ..ops import constant_op
            names = constant_op.constant([ckpt_name], name="tensor_names")
            slices = constant_op.constant([""], name="shape_and_slices")
            path = constant_op.constant(prefix, name="Const")
            with g.name_scope("checkpoint_initializer") as scope:
                restore = g._create_op(registry.get("RestoreV2"), [path, names, slices],
                                       {"dtypes": [dt]}, [dt], [unknown_shape()], scope)
            init = state_ops.assign(var, restore._outputs[0], validate_shape=False,
                                    name="Assign").op
        var._initializer_op = init
        var._initial_value = restore._outputs[0]
