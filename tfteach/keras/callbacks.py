"""`keras.callbacks`: objects that `fit` / `evaluate` notify as training goes on.

History (returned by `fit`), LambdaCallback, EarlyStopping, ModelCheckpoint,
LearningRateScheduler, ReduceLROnPlateau, TensorBoard, CSVLogger and TerminateOnNaN, behaving
as Keras 3.15 was observed to behave (stop epochs, saved files and learning rates were measured
by running Keras on the same inputs; see tests/test_keras_callbacks.py).

The three callbacks that watch a logged value (EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau) share one `_Watch`: which value, which direction counts as better, and how
far it must move to count.
"""
import csv
import math
import os
import warnings

import numpy as np

__all__ = ["Callback", "History", "LambdaCallback", "EarlyStopping", "ModelCheckpoint",
           "LearningRateScheduler", "ReduceLROnPlateau", "TensorBoard", "CSVLogger",
           "TerminateOnNaN", "CallbackList"]

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
          "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
          "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
          "on_predict_batch_end")


class Callback:
    """Base class: every hook does nothing, so a subclass overrides only what it needs."""

    def __init__(self):
        self.params = {}
        self._model = None
        self.validation_data = None

    @property
    def model(self):
        return self._model

    def set_model(self, model):
        self._model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    # The batch hooks without a phase are Keras 2's names; Keras 3 still routes the training
    # batch hooks through them, so older subclasses keep working.
    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass


class CallbackList:
    """A group of callbacks that forwards every hook to each member, in order."""

    def __init__(self, callbacks=None, model=None, **params):
        self.callbacks = list(callbacks or [])
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_model(self, model):
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params):
        for cb in self.callbacks:
            cb.set_params(params)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)


def _forwarder(hook):
    def dispatch(self, *args, **kwargs):
        for cb in self.callbacks:
            getattr(cb, hook)(*args, **kwargs)
    dispatch.__name__ = hook
    return dispatch


for _hook in _HOOKS:
    setattr(CallbackList, _hook, _forwarder(_hook))


class History(Callback):
    """Collects each epoch's logs; `fit` returns it."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)


class LambdaCallback(Callback):
    """A callback assembled from plain functions, one per hook you care about."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        given = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for hook, fn in given.items():
            if fn is not None:
                setattr(self, hook, _with_logs(fn, hook) if hook in _HOOKS else fn)


def _with_logs(fn, hook_name):
    # The user's function is written for Keras's calls, which always pass a logs dict
    # (`lambda epoch, logs: ...`); tfteach's loops may leave logs out.
    if "epoch" in hook_name or "batch" in hook_name:
        return lambda index, logs=None: fn(index, {} if logs is None else logs)
    return lambda logs=None: fn({} if logs is None else logs)


# --- watching one logged value --------------------------------------------------------------

# Which way is better for tfteach's built-in metric classes (Keras records this per metric
# class too). A metric not listed here, e.g. a plain function, has no known direction.
_HIGHER_IS_BETTER = {"Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
                     "SparseCategoricalAccuracy", "AUC", "Precision", "Recall"}
_LOWER_IS_BETTER = {"MeanSquaredError", "MeanAbsoluteError", "SparseCategoricalCrossentropy",
                    "CategoricalCrossentropy", "BinaryCrossentropy"}


def _metric_direction(model, monitor):
    """+1 / -1 when a metric the model has already built is named `monitor` (a `val_`
    prefix allowed) and its class says which way is better; None otherwise. Before the first
    `fit` the compiled metrics do not exist yet, so nothing is found - as in Keras."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    for metric in getattr(model, "_metrics", None) or []:
        if getattr(metric, "name", None) != name:
            continue
        kind = type(metric).__name__
        if kind in _HIGHER_IS_BETTER:
            return 1
        if kind in _LOWER_IS_BETTER:
            return -1
    return None


class _Watch:
    """One monitored quantity. `sign` is +1 when larger is better and -1 when smaller is;
    with mode "auto" it is worked out on first use, when the model's metrics exist."""

    _SIGNS = {"min": -1, "max": 1}

    def __init__(self, owner, monitor, mode, min_delta):
        self.owner = owner
        self.monitor = monitor
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{owner} mode '{mode}' is unknown, fallback to auto mode.",
                          stacklevel=3)
            mode = "auto"
        self.mode = mode
        # The sign of min_delta is irrelevant: it is always a margin in the "better" direction.
        self.min_delta = abs(min_delta)
        self.sign = self._SIGNS.get(mode)

    def resolve(self, model):
        if self.sign is not None:
            return
        # Only the two loss names are taken as "lower is better" by name alone; anything
        # else, even "my_loss", must come from a metric object (Keras does the same).
        if self.monitor in ("loss", "val_loss"):
            self.sign = -1
        else:
            self.sign = _metric_direction(model, self.monitor)
        if self.sign is None:
            raise ValueError(
                f"{self.owner} callback received monitor={self.monitor}, but Keras isn't able "
                "to automatically determine whether that metric should be maximized or "
                "minimized. Pass `mode='max'` in order to monitor based on the highest metric "
                "value, or pass `mode='min'` in order to use the lowest value.")

    def better(self, value, reference):
        """Whether `value` beats `reference` by more than min_delta. Nothing to compare
        against (None) means the first value seen always counts as the best so far, even NaN.
        The margin is moved onto `value` rather than `reference` so boundary cases round the
        way Keras's do."""
        if reference is None:
            return True
        if self.sign > 0:
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def read(self, logs, missing_message):
        value = (logs or {}).get(self.monitor)
        if value is None:
            available = ",".join((logs or {}).keys())
            warnings.warn(missing_message.format(monitor=self.monitor, available=available),
                          stacklevel=3)
        return value


def _watch_property(attr):
    return property(lambda self: getattr(self._watch, attr))


class _Watching(Callback):
    """Base of the callbacks that watch a value; exposes Keras's public attribute names."""

    monitor = _watch_property("monitor")
    mode = _watch_property("mode")
    min_delta = _watch_property("min_delta")

    def __init__(self, monitor, mode, min_delta):
        super().__init__()
        self._watch = _Watch(type(self).__name__, monitor, mode, min_delta)

    @property
    def monitor_op(self):
        sign = self._watch.sign
        return None if sign is None else (np.greater if sign > 0 else np.less)

    def _is_improvement(self, value, reference):
        return self._watch.better(value, reference)


def _lr_of(model):
    return float(np.asarray(model.optimizer.learning_rate.numpy()))


def _epoch_msg(epoch, text):
    print(f"\nEpoch {epoch + 1}: {text}")


def _fmt(value):
    return "None" if value is None else f"{value:0.5f}"


# --- EarlyStopping ---------------------------------------------------------------------------

class EarlyStopping(_Watching):
    """Stops `fit` once the monitored value has gone `patience` epochs without a real
    improvement."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        self._watch.resolve(self.model)
        value = self._watch.read(
            logs, "Early stopping conditioned on metric `{monitor}` which is not available. "
                  "Available metrics are: {available}")
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Something to restore even if no later epoch ever improves on this one.
            self.best_weights = self.model.get_weights()
        # `wait` counts every epoch since the last one that both improved and cleared the
        # baseline. An epoch that improves on the best but not on the baseline still counts,
        # yet it never triggers the stop itself: stopping needs an epoch that did not improve.
        self.wait += 1
        if self._watch.better(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._watch.better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        return (logs or {}).get(self.monitor)


# --- ModelCheckpoint -------------------------------------------------------------------------

class ModelCheckpoint(_Watching):
    """Saves the model (or only its weights) every epoch or every `save_freq` batches,
    optionally only when the monitored value improves."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, 0)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.best = initial_value_threshold
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             "'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). Received: "
                    f"filepath={self.filepath}")
        elif not self.filepath.endswith((".keras", ".h5", ".hdf5")):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). "
                             f"Received: filepath={self.filepath}")
        self._epoch = 0
        # With an integer save_freq the count runs across epoch boundaries: 4 batches per
        # epoch and save_freq=3 saves after batches 3, 6 (epoch 2, batch 2), 9, ...
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        self._watch.resolve(self.model)
        logs = logs or {}
        path = self._get_file_path(epoch, batch, logs)
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None:
                # Keras 3.15 warns that it is skipping, then saves all the same.
                warnings.warn(f"Can save best model only with {self.monitor} available.",
                              stacklevel=2)
            elif self._watch.better(value, self.best):
                if self.verbose > 0:
                    _epoch_msg(epoch, f"{self.monitor} improved from {_fmt(self.best)} to "
                                      f"{_fmt(value)}, saving model to {path}")
                self.best = value
            else:
                if self.verbose > 0:
                    _epoch_msg(epoch, f"{self.monitor} did not improve from "
                                      f"{_fmt(self.best)}")
                return
        elif self.verbose > 0:
            _epoch_msg(epoch, f"saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        if self.verbose > 0:
            _epoch_msg(epoch, f"finished saving model to {path}")

    def _get_file_path(self, epoch, batch, logs):
        """The file name for this save: `{epoch}` is 1-based, `{batch}` too (only for saves
        made mid-epoch), and any log value can be named with a format spec."""
        fields = dict(logs or {})
        if batch is not None and "batch" not in fields:
            fields["batch"] = batch + 1
        fields["epoch"] = epoch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}") from e


# --- learning-rate control -------------------------------------------------------------------

class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of each epoch from
    `schedule(epoch, lr)` (or `schedule(epoch)`), and logs it as `learning_rate`."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, _lr_of(self.model))
        except TypeError:
            # A one-argument schedule: Keras retries with the epoch alone.
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.floating)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {lr}")
        optimizer.learning_rate = lr
        if self.verbose > 0:
            _epoch_msg(epoch, f"LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _lr_of(self.model)


class ReduceLROnPlateau(_Watching):
    """Multiplies the learning rate by `factor` when the monitored value stalls for
    `patience` epochs, then rests for `cooldown` epochs; never goes below `min_lr`."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        super().__init__(monitor, mode, min_delta)
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self):
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _lr_of(self.model)
        self._watch.resolve(self.model)
        value = self._watch.read(
            logs, "Learning rate reduction is conditioned on metric `{monitor}` which is not "
                  "available. Available metrics are: {available}.")
        if value is None:
            return
        if self.in_cooldown():
            # The epoch that ends the cooldown already counts towards patience again.
            self.cooldown_counter -= 1
            self.wait = 0
        if self._watch.better(value, self.best):
            self.best = value
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        self.wait = 0
        self.cooldown_counter = self.cooldown
        lr = _lr_of(self.model)
        # The learning rate lives in float32, so compare the floor in float32 too; otherwise
        # an lr already at min_lr would look larger and be "reduced" to itself.
        if lr > np.float32(self.min_lr):
            new_lr = max(lr * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_lr
            if self.verbose > 0:
                _epoch_msg(epoch, f"ReduceLROnPlateau reducing learning rate to {new_lr}.")


# --- watchdogs and loggers -------------------------------------------------------------------

class TerminateOnNaN(Callback):
    """Stops training (or raises) as soon as a batch's loss is NaN or infinite."""

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(np.asarray(loss))):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


def _csv_cell(value):
    if isinstance(value, str):
        return value
    arr = np.asarray(value)
    if arr.ndim == 0:
        return value
    return '"[' + ", ".join(str(v) for v in arr.ravel()) + ']"'


class CSVLogger(Callback):
    """Writes one CSV row per epoch: `epoch` then the logged values in name order."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self._file = None
        self._writer = None
        self._columns = None

    def on_train_begin(self, logs=None):
        # Appending to a file that already has rows must not repeat the header.
        self._needs_header = not (self.append and os.path.exists(self.filename)
                                  and os.path.getsize(self.filename) > 0)
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = None
        self._columns = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._columns is None:
            # The columns are fixed by the first epoch; later epochs fill gaps with "NA".
            self._columns = sorted(logs)
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self._columns,
                                          delimiter=self.sep)
            if self._needs_header:
                self._writer.writeheader()
        row = {"epoch": epoch}
        row.update((name, _csv_cell(logs[name]) if name in logs else "NA")
                   for name in self._columns)
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None


class TensorBoard(Callback):
    """Epoch scalars for TensorBoard: training values under `<log_dir>/train`, validation
    values under `<log_dir>/validation`, with Keras's tag names (`epoch_loss`, ...,
    `evaluation_loss_vs_iterations`). Histograms, images, profiling, embeddings and
    per-batch logging are not implemented and are refused rather than ignored."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True,
                 write_images=False, write_steps_per_second=False, update_freq="epoch",
                 profile_batch=0, embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        unsupported = {"histogram_freq": (histogram_freq, 0),
                       "write_images": (write_images, False),
                       "write_steps_per_second": (write_steps_per_second, False),
                       "update_freq": (update_freq, "epoch"),
                       "profile_batch": (profile_batch, 0),
                       "embeddings_freq": (embeddings_freq, 0),
                       "embeddings_metadata": (embeddings_metadata, None)}
        for name, (given, default) in unsupported.items():
            if given != default:
                raise NotImplementedError(
                    f"tfteach's TensorBoard callback writes epoch scalars only; "
                    f"{name}={given!r} is not supported")
        self.log_dir = os.fspath(log_dir)
        self.write_graph = write_graph   # accepted; tfteach has no graph to write here
        self._writers = {}

    def _writer(self, subdir):
        if subdir not in self._writers:
            from ..summary import v2
            self._writers[subdir] = v2.create_file_writer(os.path.join(self.log_dir, subdir))
        return self._writers[subdir]

    def _scalars(self, subdir, values, step):
        from ..summary import v2
        with self._writer(subdir).as_default():
            for tag, value in values.items():
                v2.scalar(tag, float(np.asarray(value)), step=step)

    def on_train_begin(self, logs=None):
        self._writer("train")

    def on_test_end(self, logs=None):
        step = int(np.asarray(self.model.optimizer.iterations.numpy()))
        self._scalars("validation", {f"evaluation_{k}_vs_iterations": v
                                     for k, v in (logs or {}).items()}, step)

    def on_epoch_end(self, epoch, logs=None):
        train, val = {}, {}
        for name, value in (logs or {}).items():
            if name.startswith("val_"):
                val["epoch_" + name[4:]] = value
            else:
                train["epoch_" + name] = value
        train.setdefault("epoch_learning_rate", _lr_of(self.model))
        self._scalars("train", train, epoch)
        if val:
            self._scalars("validation", val, epoch)

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.callbacks")
