"""`keras.Model` (subclassing and functional), `keras.Sequential`, and the training loop
(`compile`, `fit`, `evaluate`, `predict`, `summary`).

`fit` runs each batch through one traced step (`tf.function` of forward pass, loss,
`GradientTape`, optimizer update); the step returns the loss and the predictions, and the
metrics are updated on the host from those. The model and the optimizer are built eagerly
before the first trace, so tracing never creates variables.
"""
import sys
import time

import numpy as np

from .. import backend
from .. import callbacks as _callbacks
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from ..layers.base import Layer, _shape_of
from . import functional

__all__ = ["Model", "Sequential"]


def _np(x):
    if x is None:
        return None
    if hasattr(x, "numpy"):
        x = x.numpy()
    x = np.asarray(x)
    if x.dtype == np.float64:
        x = x.astype(np.float32)
    return x


def _take(x, idx):
    if isinstance(x, (list, tuple)):
        return type(x)(_take(v, idx) for v in x)
    if isinstance(x, dict):
        return {k: _take(v, idx) for k, v in x.items()}
    return x[idx]


def _length(x):
    if isinstance(x, (list, tuple)):
        return _length(x[0])
    if isinstance(x, dict):
        return _length(next(iter(x.values())))
    return len(x)


def _to_np(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_to_np(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_np(v) for k, v in x.items()}
    return _np(x)


def _is_dataset(x):
    # tfteach.data is only imported when the user has made a dataset
    mod = sys.modules.get("tfteach.data.dataset_ops")
    return mod is not None and isinstance(x, mod.Dataset)


class _ArrayBatches:
    """Batches of in-memory arrays: `steps` per epoch, reshuffled each epoch if asked."""
    exhausted = False

    def __init__(self, x, y, batch_size, steps, shuffle):
        self.x, self.y, self.batch_size, self.steps = x, y, batch_size, steps
        self.shuffle = shuffle
        self.n = _length(x)

    def epoch(self):
        n, bs = self.n, self.batch_size
        order = np.random.permutation(n) if self.shuffle else np.arange(n)
        for step in range(self.steps):
            idx = order[(step * bs) % n:(step * bs) % n + bs]
            yield _take(self.x, idx), (None if self.y is None else _take(self.y, idx))


class _DatasetBatches:
    """Batches of a `tf.data.Dataset` of `x` or `(x, y)` elements, as Keras 3 reads them:
    a whole pass per epoch, or with `steps` one iterator kept across epochs, `steps`
    batches each, training ending when it runs out."""

    def __init__(self, ds, y, steps, method):
        if y is not None:
            raise ValueError("When providing `x` as a tf.data.Dataset, `y` should not be "
                             f"passed. Instead, the targets should be included as part of "
                             f"the tf.data.Dataset. Received: y={y!r}")
        card = int(ds.cardinality().numpy())
        if steps is None and card == -1:
            raise ValueError(f"When passing an infinitely repeating dataset, you must "
                             f"specify the `{'steps_per_epoch' if method == 'fit' else 'steps'}`"
                             f" argument.")
        self.ds, self.steps_arg = ds, steps
        self.steps = steps if steps is not None else (card if card >= 0 else 0)
        self.exhausted = False
        self._it = None

    @staticmethod
    def _split(elem):
        if isinstance(elem, tuple):
            if len(elem) == 1:
                return _to_np(elem[0]), None
            if len(elem) == 3:
                raise NotImplementedError("tfteach's fit does not support sample weights "
                                          "(a third element in the dataset's tuples).")
            return _to_np(elem[0]), _to_np(elem[1])
        return _to_np(elem), None

    def peek(self):
        for elem in self.ds.take(1):
            return self._split(elem)
        raise ValueError("The dataset is empty.")

    def epoch(self):
        if self.steps_arg is None:
            for elem in self.ds:
                yield self._split(elem)
            return
        if self._it is None:
            self._it = iter(self.ds)
        for _ in range(self.steps_arg):
            try:
                elem = next(self._it)
            except StopIteration:
                self.exhausted = True
                print("UserWarning: Your input ran out of data; interrupting training. "
                      "Make sure that your dataset or generator can generate at least "
                      "`steps_per_epoch * epochs` batches. You may need to use the "
                      "`.repeat()` function when building your dataset.", file=sys.stderr)
                return
            yield self._split(elem)


class Model(Layer):
    """A layer with training: subclass it (layers as attributes, `call`), or build it from
    `keras.Input` tensors: `Model(inputs, outputs)`."""

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # Keras 3 remembers a subclass's constructor arguments when they are plain values,
        # and `get_config()` returns them, so such a model saves without a get_config().
        obj._auto_config = None
        if cls not in (Model, Sequential):
            import inspect
            try:
                bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
                bound.apply_defaults()
                values = {k: v for k, v in list(bound.arguments.items())[1:]
                          if inspect.signature(cls.__init__).parameters[k].kind
                          not in (inspect.Parameter.VAR_POSITIONAL,
                                  inspect.Parameter.VAR_KEYWORD)}
                for k, v in bound.arguments.items():
                    if inspect.signature(cls.__init__).parameters[k].kind == \
                            inspect.Parameter.VAR_KEYWORD:
                        values.update(v)
                if all(isinstance(v, (str, int, float, bool, type(None)))
                       for v in values.values()):
                    obj._auto_config = values
            except TypeError:
                pass
        return obj

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if len(args) >= 1:
            inputs = args[0]
        if len(args) >= 2:
            outputs = args[1]
        name = kwargs.pop("name", None)
        if name is None and (inputs is not None or outputs is not None) and \
                type(self) is Model:
            name = backend.unique_name("functional")
        trainable = kwargs.pop("trainable", True)
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._functional = None
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._train_fn = self._test_fn = self._predict_fn = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("A functional Model needs both `inputs` and `outputs`.")
            self._functional = (inputs, outputs)
            for layer in functional.layers_between(inputs, outputs):
                self._layers.append(layer)
            self.built = True

    @property
    def inputs(self):
        return None if self._functional is None else self._functional[0]

    @property
    def outputs(self):
        return None if self._functional is None else self._functional[1]

    @property
    def layers(self):
        out = list(self._layers)
        if self._functional is not None:
            return out
        return [layer for layer in out if not isinstance(layer, functional.InputLayer)]

    def get_layer(self, name=None, index=None):
        """A layer of the model by its name (or its position in `layers`)."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{list(layer.name for layer in layers)}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def _trackable_children(self):
        """What a tf.train.Checkpoint saves, under Keras 3's names: a functional model's
        layers as `_operations` (its input layers included, so the first Dense of
        `Model(Input, ...)` is `_operations/1`), a subclassed model's attributes, then the
        optimizer that `compile` set (TF 2.21 + Keras 3 track it as `optimizer`)."""
        out = super()._trackable_children()
        if self._functional is not None:
            out["_operations"] = list(self._layers)
        opt = self.__dict__.get("optimizer")
        if isinstance(opt, _optimizers.Optimizer):
            out.pop("optimizer", None)
            out["optimizer"] = opt
        return out

    def call(self, inputs, training=None):
        if self._functional is None:
            raise NotImplementedError(f"Model {type(self).__name__} does not have a `call()` "
                                      f"method implemented.")
        return functional.run_graph(self._functional[0], self._functional[1], inputs,
                                    training=training)

    def build(self, input_shape=None):
        if self._functional is not None or input_shape is None:
            self.built = True
            return
        shape = [1 if d is None else d for d in input_shape]
        from ...ops import constant_op
        self(constant_op.constant(np.zeros(shape, np.float32)))
        self.built = True

    def _maybe_build(self, inputs):
        # A subclassed model builds its layers in its first call (Keras 3 does not trace
        # `build` for models); only mark it built.
        if not self.built:
            self._build_input_shape = _shape_of(inputs)
            self.built = True

    # --- compile -----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = _losses.as_loss(loss)
        self._metric_specs = list(metrics or [])
        self._metrics = None
        self.run_eagerly = bool(run_eagerly)
        self.compiled = True
        self._train_fn = self._test_fn = self._predict_fn = None

    def _resolve_metrics(self, y, x=None):
        if self._metrics is None:
            # Keras picks the "accuracy" variant from the shapes of y and the model's output
            y_pred = None
            if x is not None and any(str(m).lower() in ("accuracy", "acc")
                                     for m in self._metric_specs):
                y_pred = self(_take(x, slice(0, 1)), training=False)
            self._metrics = [_metrics.get(m, self._loss_fn, y, y_pred=y_pred)
                             for m in self._metric_specs]
        return self._metrics

    @property
    def metrics_names(self):
        return ["loss"] + [m.name for m in (self._metrics or [])]

    # --- steps -------------------------------------------------------------------------------
    def _compute_loss(self, y, y_pred):
        if self._loss_fn is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        loss = self._loss_fn(y, y_pred)
        extra = self.losses
        if extra:
            # Keras 3 adds regularization penalties to the loss that fit/evaluate report.
            from ...ops import math_ops
            loss = loss + math_ops.add_n([math_ops.cast(v, loss.dtype) for v in extra])
        return loss

    def _train_step(self, x, y):
        from ...eager.backprop import GradientTape
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._compute_loss(y, y_pred)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return loss, y_pred

    def _test_step(self, x, y):
        y_pred = self(x, training=False)
        return self._compute_loss(y, y_pred), y_pred

    def _predict_step(self, x):
        return self(x, training=False)

    def _make(self, fn):
        if getattr(self, "run_eagerly", False):
            return fn
        from ...eager.function import function
        return function(fn)

    def _ensure_built(self, x):
        if not self.built or not self.variables:
            self(_take(x, slice(0, 1)), training=False)
        if self.optimizer is not None:
            self.optimizer.build(self.trainable_variables)

    # --- fit / evaluate / predict -----------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None,
            validation_steps=None, validation_batch_size=None, validation_freq=1):
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model.")
        if class_weight is not None or sample_weight is not None:
            raise NotImplementedError("tfteach's fit() does not weight samples "
                                      "(class_weight, sample_weight)")
        batch_size = batch_size or 32
        if _is_dataset(x):
            source = _DatasetBatches(x, y, steps_per_epoch, "fit")
            if validation_split:
                raise ValueError("`validation_split` is only supported for Tensors or NumPy "
                                 "arrays, found following types in the input: "
                                 f"[{type(x)}]")
            steps = source.steps
            x, y = source.peek()
        else:
            x, y = _to_np(x), _to_np(y)
            if validation_split and validation_data is None:
                n = _length(x)
                split = int(n * (1.0 - validation_split))
                validation_data = (_take(x, slice(split, None)),
                                   _take(y, slice(split, None)))
                x, y = _take(x, slice(0, split)), _take(y, slice(0, split))
            n = _length(x)
            steps = steps_per_epoch or -(-n // batch_size)
            source = _ArrayBatches(x, y, batch_size, steps, shuffle)
        verbose = 1 if verbose == "auto" else int(verbose)
        self._ensure_built(x)
        metrics = self._resolve_metrics(y, x)
        if self._train_fn is None:
            self._train_fn = self._make(self._train_step)
        history = _callbacks.History()
        # Keras appends History last, so it records what other callbacks add to the epoch
        # logs (LearningRateScheduler's `learning_rate`).
        cbs = list(callbacks or []) + [history]
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        for cb in cbs:
            cb.set_model(self)
            cb.set_params(params)
            cb.on_train_begin()
        self.stop_training = False
        logs = None
        for epoch in range(initial_epoch, epochs):
            for cb in cbs:
                cb.on_epoch_begin(epoch)
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
            for m in metrics:
                m.reset_state()
            total_loss, seen = 0.0, 0
            bar = _Progress(steps, verbose)
            for step, (xb, yb) in enumerate(source.epoch()):
                for cb in cbs:
                    cb.on_train_batch_begin(step)
                loss, y_pred = self._train_fn(xb, yb)
                k = _length(xb)
                total_loss += float(np.asarray(loss.numpy())) * k
                seen += k
                for m in metrics:
                    m.update_state(yb, y_pred)
                logs = self._logs(total_loss / seen, metrics)
                for cb in cbs:
                    cb.on_train_batch_end(step, logs)
                bar.update(step + 1, logs)
                if self.stop_training:
                    # A callback (TerminateOnNaN) can end the epoch early; Keras still
                    # validates and runs the epoch-end hooks on what was seen.
                    break
            logs = self._logs(total_loss / max(seen, 1), metrics)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                if _is_dataset(validation_data):
                    vals = self.evaluate(validation_data, steps=validation_steps, verbose=0,
                                         return_dict=True, _callbacks=cbs)
                else:
                    vx, vy = validation_data[0], validation_data[1]
                    vals = self.evaluate(vx, vy,
                                         batch_size=validation_batch_size or batch_size,
                                         verbose=0, return_dict=True, _callbacks=cbs)
                logs.update({"val_" + k: v for k, v in vals.items()})
            logs = dict(sorted(logs.items()))
            bar.finish(logs)
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training or source.exhausted:
                break
        for cb in cbs:
            cb.on_train_end(logs)    # Keras hands over the last epoch's logs
        self.history = history
        return history

    def _logs(self, loss, metrics):
        logs = {"loss": float(loss)}
        for m in metrics:
            logs[m.name] = float(np.asarray(m.result().numpy()))
        return dict(sorted(logs.items()))

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _callbacks=None, **kwargs):
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model.")
        batch_size = batch_size or 32
        if _is_dataset(x):
            source = _DatasetBatches(x, y, steps, "evaluate")
            x, y = source.peek()
            nsteps = source.steps
        else:
            x, y = _to_np(x), _to_np(y)
            n = _length(x)
            nsteps = steps or -(-n // batch_size)
            source = _ArrayBatches(x, y, batch_size, nsteps, False)
        verbose = 1 if verbose == "auto" else int(verbose)
        self._ensure_built(x)
        metrics = [type(m).__new__(type(m)) for m in self._resolve_metrics(y, x)]
        for src, m in zip(self._metrics, metrics):
            m.__dict__.update(src.__dict__)
            m.reset_state()
        if self._test_fn is None:
            self._test_fn = self._make(self._test_step)
        cbs = _callbacks
        if cbs is None:
            cbs = list(callbacks or [])
            for cb in cbs:
                cb.set_model(self)
                cb.set_params({"verbose": verbose, "epochs": 1, "steps": nsteps})
        for cb in cbs:
            cb.on_test_begin()
        total, seen = 0.0, 0
        bar = _Progress(nsteps, verbose)
        for step, (xb, yb) in enumerate(source.epoch()):
            for cb in cbs:
                cb.on_test_batch_begin(step)
            loss, y_pred = self._test_fn(xb, yb)
            k = _length(xb)
            total += float(np.asarray(loss.numpy())) * k
            seen += k
            for m in metrics:
                m.update_state(yb, y_pred)
            batch_logs = self._logs(total / seen, metrics)
            for cb in cbs:
                cb.on_test_batch_end(step, batch_logs)
            bar.update(step + 1, batch_logs)
        logs = self._logs(total / max(seen, 1), metrics)
        for cb in cbs:
            cb.on_test_end(dict(logs))
        bar.finish(logs)
        if return_dict:
            return logs
        if not metrics:
            return logs["loss"]
        return [logs["loss"]] + [logs[m.name] for m in metrics]

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        batch_size = batch_size or 32
        if _is_dataset(x):
            source = _DatasetBatches(x, None, steps, "predict")
            nsteps = source.steps
        else:
            x = _to_np(x)
            n = _length(x)
            nsteps = -(-n // batch_size)
            source = _ArrayBatches(x, None, batch_size, nsteps, False)
        verbose = 1 if verbose == "auto" else int(verbose)
        if self._predict_fn is None:
            self._predict_fn = self._make(self._predict_step)
        outs = []
        bar = _Progress(nsteps, verbose)
        for step, (xb, _) in enumerate(source.epoch()):
            outs.append(_to_np_out(self._predict_fn(xb)))
            bar.update(step + 1, {})
        bar.finish({})
        if isinstance(outs[0], (list, tuple)):
            return type(outs[0])(np.concatenate([o[i] for o in outs])
                                 for i in range(len(outs[0])))
        return np.concatenate(outs)

    def train_on_batch(self, x, y):
        x, y = _to_np(x), _to_np(y)
        self._ensure_built(x)
        if self._train_fn is None:
            self._train_fn = self._make(self._train_step)
        loss, _ = self._train_fn(x, y)
        return float(np.asarray(loss.numpy()))

    def predict_on_batch(self, x):
        return _to_np_out(self(_to_np(x), training=False))

    # --- display ------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        print_fn = print_fn or print
        rows = []
        for layer in self.layers:
            built = layer.built and (layer.weights or layer._last_output_shape is not None
                                     or not layer._own_weights)
            if layer._last_output_shape is not None:
                shape = str(tuple(layer._last_output_shape))
            elif isinstance(layer, functional.InputLayer):
                shape = str(tuple(layer.batch_shape))
            else:
                shape = "?"
            params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
            if not built:
                shape = "? (unbuilt)" if shape == "?" else shape
            rows.append((f"{layer.name} ({type(layer).__name__})", shape, params))
        w = (33, 24, 15)
        lines = [f'Model: "{self.name}"',
                 "┏" + "┳".join("━" * n for n in w) + "┓",
                 "┃ " + "Layer (type)".ljust(w[0] - 2) + " ┃ " + "Output Shape".ljust(w[1] - 2)
                 + " ┃ " + "Param #".rjust(w[2] - 2) + " ┃",
                 "┡" + "╇".join("━" * n for n in w) + "┩"]
        for i, (a, b, c) in enumerate(rows):
            lines.append("│ " + a.ljust(w[0] - 2) + " │ " + b.ljust(w[1] - 2) + " │ "
                         + c.rjust(w[2] - 2) + " │")
            if i != len(rows) - 1:
                lines.append("├" + "┼".join("─" * n for n in w) + "┤")
        lines.append("└" + "┴".join("─" * n for n in w) + "┘")
        trainable = sum(int(np.prod(v.shape.as_list())) for v in self.trainable_weights)
        non = sum(int(np.prod(v.shape.as_list())) for v in self.non_trainable_weights)
        opt = getattr(self, "optimizer", None)
        opt_vars = list(opt.variables) if opt is not None and getattr(opt, "built", False) \
            else []
        # Keras 3 counts a built optimizer's variables in the total (bytes by dtype)
        opt_n = sum(int(np.prod(v.shape.as_list())) for v in opt_vars)
        opt_b = sum(int(np.prod(v.shape.as_list())) * v.dtype.base_dtype.size
                    for v in opt_vars)
        total_b = 4 * (trainable + non) + opt_b
        lines.append(f" Total params: {trainable + non + opt_n:,} ({_size(total_b)})")
        lines.append(f" Trainable params: {trainable:,} ({_size(4 * trainable)})")
        lines.append(f" Non-trainable params: {non:,} ({_size(4 * non)})")
        if opt_vars:
            lines.append(f" Optimizer params: {opt_n:,} ({_size(opt_b)})")
        if print_fn is print:
            for line in lines:
                print(line)
        else:
            # Keras 3 hands a custom print_fn the whole table at once, newline-terminated
            print_fn("\n".join(lines) + "\n")

    def get_config(self):
        base = {"name": self.name, "trainable": self.trainable}
        if self._functional is not None or type(self) in (Model, Sequential):
            return base
        if self._auto_config is None:
            raise NotImplementedError(
                f"Model {type(self).__name__} was created by passing non-serializable "
                f"argument values in `__init__()`, and therefore the model must override "
                f"`get_config()` in order to be serializable. Please implement "
                f"`get_config()`.")
        from ..saving import _policy
        config = dict(self._auto_config)
        config.update(trainable=self.trainable, dtype=_policy(self._dtype_name))
        return config

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Keras 3's `.keras` zip (config, metadata, weights); see keras/saving.py."""
        from .. import saving
        saving.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=True, input_signature=None,
               **kwargs):
        """Keras 3's `model.export`: a SavedModel with a `serve` endpoint and the
        `serving_default` signature, which TF's `tf.saved_model.load` and TF Serving read."""
        if format != "tf_saved_model":
            raise ValueError(f"Unrecognized format={format}; tfteach exports 'tf_saved_model' "
                             f"only")
        if kwargs:
            raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
        from ...train import saved_model
        saved_model.export_keras(self, filepath, input_signature, verbose)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Keras 3's `.weights.h5` file (needs the `keras` extra: h5py)."""
        from .. import saving
        saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from .. import saving
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)


def _to_np_out(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_to_np_out(v) for v in x)
    return np.asarray(x.numpy()) if hasattr(x, "numpy") else np.asarray(x)


def _size(nbytes):
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1024 or unit == "GB":
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024.0


class _Progress:
    """Keras 3's per-epoch progress bar: `12/80 ━━━━━─────── 1s 9ms/step - loss: 0.52`."""

    def __init__(self, total, verbose):
        self.total, self.verbose = total, verbose
        self.start = time.perf_counter()
        self.last = 0.0
        self.done = 0

    def _line(self, current, logs):
        elapsed = time.perf_counter() - self.start
        per = elapsed / max(current, 1)
        if per >= 1:
            per_s = f"{per:.0f}s/step"
        elif per >= 1e-3:
            per_s = f"{per * 1e3:.0f}ms/step"
        else:
            per_s = f"{per * 1e6:.0f}us/step"
        filled = int(20 * current / max(self.total, 1))
        bar = "━" * filled + "─" * (20 - filled)
        text = f"{current}/{self.total} {bar} {elapsed:.0f}s {per_s}"
        for k, v in logs.items():
            text += f" - {k}: {v:.4f}"
        return text, elapsed, per_s

    def update(self, current, logs):
        self.done = current
        if self.verbose != 1:
            return
        now = time.perf_counter()
        if current < self.total and now - self.last < 0.1:
            return
        self.last = now
        text, _, _ = self._line(current, logs)
        sys.stdout.write("\r" + text)
        sys.stdout.flush()

    def finish(self, logs):
        if self.verbose == 1:
            text, _, _ = self._line(self.done, logs)
            sys.stdout.write("\r" + text + "\n")
            sys.stdout.flush()
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self.start
            _, _, per_s = self._line(self.done, logs)
            text = f"{self.done}/{self.total} - {elapsed:.0f}s - {per_s}"
            for k, v in logs.items():
                text += f" - {k}: {v:.4f}"
            print(text)


class _NoState:
    """The input layer Keras 3 makes when a Sequential model is built without one: a node
    of its checkpoint graph with nothing to save."""

    def _trackable_children(self):
        return {}


class Sequential(Model):
    """A stack of layers, each applied to the previous one's output."""

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name, trainable=trainable)
        self._input_tensor = None
        self._last = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer, rebuild=True):
        if isinstance(layer, functional.KerasTensor):
            layer = getattr(layer, "_input_layer", None)
            if layer is None:
                raise ValueError("Only input tensors may be passed as layers.")
        if isinstance(layer, functional.InputLayer):
            if self._input_tensor is not None or self._layers:
                raise ValueError("Sequential model may not have more than one input layer")
            self._input_tensor = layer.output
            self._last = layer.output
            self._layers.append(layer)
            return
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer} (of type {type(layer)})")
        if any(layer is x for x in self._layers):
            raise ValueError(f"The layer {layer.name} is already in the model.")
        self._layers.append(layer)
        batch_shape = getattr(layer, "_batch_input_shape", None)
        if self._last is None and batch_shape is not None and not self._layers[:-1]:
            self._input_tensor = functional.Input(batch_shape=batch_shape)
            self._last = self._input_tensor
        if self._last is not None:
            with backend.name_scope(self.name):
                self._last = layer(self._last)
            self.built = True
            from ...train import checkpoint
            checkpoint.restore_deferred(self)

    def _trackable_children(self):
        # Keras 3 keeps a built Sequential's layers in a functional model of its own, whose
        # first operation is the input layer (made by the build when none was given)
        out = Layer._trackable_children(self)
        if self.built and self.layers:
            ops = list(self._layers)
            if not isinstance(ops[0], functional.InputLayer):
                ops.insert(0, _NoState())
            out["_functional"] = {"_operations": ops}
        opt = self.__dict__.get("optimizer")
        if isinstance(opt, _optimizers.Optimizer):
            out["optimizer"] = opt
        return out

    def __call__(self, *args, **kwargs):
        out = super().__call__(*args, **kwargs)
        from ...train import checkpoint
        checkpoint.restore_deferred(self)     # Keras 3 restores a Sequential built late
        return out

    def pop(self):
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self.layers[-1]
        self._layers[:] = [x for x in self._layers if x is not layer]
        return layer

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    def build(self, input_shape=None):
        if input_shape is not None and self._input_tensor is None:
            self._input_tensor = functional.Input(batch_shape=tuple(input_shape))
            self._last = self._input_tensor
            with backend.name_scope(self.name):
                for layer in self.layers:
                    self._last = layer(self._last)
        self.built = True
        from ...train import checkpoint
        checkpoint.restore_deferred(self)

    @property
    def input_shape(self):
        return None if self._input_tensor is None else tuple(self._input_tensor.shape.as_list())

    @property
    def output_shape(self):
        return None if self._last is None else tuple(self._last.shape.as_list())
