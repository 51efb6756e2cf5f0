"""`keras.optimizers` with Keras 3's update rules and defaults.

SGD (momentum, nesterov), Adam (epsilon 1e-7), RMSprop (velocity starts at 0), Adagrad
(accumulator starts at 0.1, `lr * g / sqrt(acc + eps)`).

Variables (`iterations`, `learning_rate`, slots named like `adam/dense_kernel_momentum`) are
Keras variables, so checkpoints and `tf.function` see them. Updates:

- eagerly, one fused numba loop per variable computes the new values from the current arrays
  (new arrays are swapped in, so earlier reads keep their values);
- inside `tf.function`, SGD adds one fused op per variable (TF's
  `ResourceApplyKerasMomentum` / `ResourceApplyGradientDescent`, whose semantics are Keras'
  rules); Adam, RMSprop and Adagrad add Keras' ordinary ops, so float32 results are Keras'
  bit for bit;
- an IndexedSlices gradient follows Keras' TF backend: slices survive scalar products and
  squares, are densified where they meet a dense tensor, and rows are written with
  scatter_add/scatter_sub.
"""
import math

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.indexed_slices import IndexedSlices
from ..framework.op_def_library import apply_op
from . import backend
from ..kernels.cpu.training import (_adagrad, _adam, _flat, _kscalar, _momentum,  # noqa: F401
                                    _rmsprop, _run, _sgd)
from ..ops import training_ops  # noqa: F401  (the ResourceApply* ops)

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam",
           "Adadelta", "Ftrl", "Lion", "Lamb", "Adafactor", "LossScaleOptimizer", "get", "serialize", "deserialize"]


def _handle(var):
    if _ops.executing_eagerly():
        # run at once (a variable on a GPU): the handle is the storage slot itself, which
        # the kernel receives in host memory
        from ..eager.tensor import EagerTensor
        return EagerTensor(var._storage, _dt.resource)
    from ..eager.function import _HandleRef
    return _HandleRef(var)


def _eager_ctx():
    from ..eager import context     # imported here: keras loads before the eager layer is needed
    return context.run_context()


# --- the optimizers ------------------------------------------------------------------------------

class Optimizer:
    """Keras 3's optimizer base: `apply_gradients`, `apply`, `iterations`, `variables`."""

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            import warnings
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if use_ema:
            raise NotImplementedError("tfteach's Keras optimizers do not implement use_ema")
        self.name = name or backend.to_snake_case(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, \
            global_clipnorm
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self._exclude_ids, self._exclude_pattern = set(), None
        self._schedule = learning_rate if callable(learning_rate) and \
            not isinstance(learning_rate, (int, float)) else None
        with backend.name_scope(self.name):
            self._iterations = backend.Variable(np.int64(0), dtype="int64", trainable=False,
                                                name="iteration")
            lr0 = self._schedule(0) if self._schedule is not None else learning_rate
            lr0 = float(np.asarray(lr0.numpy() if hasattr(lr0, "numpy") else lr0))
            self._learning_rate = backend.Variable(np.float32(lr0), dtype="float32",
                                                   trainable=False, name="learning_rate")
        self._slots = {}           # id(var) -> {slot name: Variable}
        self._slot_order = []
        self._trainable_variables = []
        self.built = False

    # --- properties ---------------------------------------------------------------------
    @property
    def iterations(self):
        return self._iterations

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value) and not isinstance(value, (int, float)):
            self._schedule = value
            return
        self._learning_rate.assign(np.float32(value))

    lr = learning_rate

    @property
    def variables(self):
        # with a LearningRateSchedule Keras 3 keeps no learning-rate variable: the slots
        # follow `iterations` directly (in checkpoints and `.keras` files too)
        lr = [] if self._schedule is not None else [self._learning_rate]
        return [self._iterations] + lr + list(self._slot_order)

    # Keras 3's attribute names for each slot's list, in its tracking order; these, with
    # `_variables` ([iterations, learning_rate, then each variable's slots]) and
    # `_trainable_variables`, are the names TF 2.21 + Keras 3 write in a tf.train.Checkpoint
    # (`optimizer/_variables/2/.ATTRIBUTES/VARIABLE_VALUE` is the first slot).
    _slot_lists = ()

    def _trackable_children(self):
        out = {"_variables": self.variables,
               "_trainable_variables": list(self._trainable_variables),
               "_trainable_variables_indices": {},
               "_iterations": self._iterations}
        if self._schedule is None:
            out["_learning_rate"] = self._learning_rate
        if self.built:
            for attr, slot in self._slot_lists:
                if attr is None:
                    continue
                out[attr] = [self._slots[id(v)][slot] for v in self._trainable_variables
                             if slot in self._slots[id(v)]]
        return out

    # --- slots --------------------------------------------------------------------------
    _slot_names = ()

    def _slot_init(self, slot, var):
        return np.zeros(tuple(var.shape.as_list()), var.dtype.np_dtype)

    def build(self, var_list):
        from ..eager import context
        with context.init_scope():
            for var in var_list:
                if id(var) in self._slots:
                    continue
                base = getattr(var, "path", None) or var.name.split(":")[0]
                base = base.replace("/", "_")
                slots = {}
                for s in self._slot_names_for():
                    with backend.name_scope(self.name):
                        v = backend.Variable(self._slot_init(s, var), dtype=var.dtype,
                                             trainable=False, name=f"{base}_{s}")
                    slots[s] = v
                    self._slot_order.append(v)
                self._slots[id(var)] = slots
                self._trainable_variables.append(var)
        self.built = True
        # a checkpoint restored before this build holds values for the new slots
        from ..train import checkpoint
        checkpoint.restore_deferred(self)

    def _slot_names_for(self):
        return self._slot_names

    # --- applying -----------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        pairs = list(grads_and_vars)
        grads = [g for g, _ in pairs]
        var_list = [v for _, v in pairs]
        return self.apply(grads, var_list)

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if trainable_variables is None:
            raise ValueError("apply() needs the variables the gradients belong to")
        variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"`grads` and `trainable_variables` must have the same length, "
                             f"got {len(grads)} and {len(variables)}")
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[v.name for v in variables]}.")
        self.build([v for _, v in pairs])
        eager = _ops.executing_eagerly() and not any(_ops.is_symbolic(g) for g, _ in pairs)
        pairs = self._clip(pairs, eager)
        if eager:
            self._apply_eager(pairs)
        else:
            self._apply_graph(pairs)
        return self._iterations

    def _clip(self, pairs, eager):
        """Keras 3's order: clipnorm (tf.clip_by_norm per gradient), else global_clipnorm
        (Keras' own global-norm scaling), else clipvalue; then decoupled weight decay."""
        grads = [g for g, _ in pairs]
        if self.clipnorm and self.clipnorm > 0:
            from ..ops import clip_ops
            grads = [clip_ops.clip_by_norm(g, self.clipnorm) for g in grads]
        elif self.global_clipnorm and self.global_clipnorm > 0:
            grads = _clip_by_global_norm(grads, self.global_clipnorm)
        elif self.clipvalue and self.clipvalue > 0:
            from ..ops import clip_ops
            v = self.clipvalue
            grads = [clip_ops.clip_by_value(_ops.convert_to_tensor(g), -v, v) for g in grads]
        self._apply_weight_decay([v for _, v in pairs])
        return [(g, v) for g, (_, v) in zip(grads, pairs)]

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or names containing one of `var_names`) that weight decay skips."""
        import re
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, var):
        if id(var) in self._exclude_ids:
            return False
        import re
        if self._exclude_pattern is not None and \
                re.search(self._exclude_pattern, var.name) is not None:
            return False
        return True

    def _apply_weight_decay(self, variables):
        # var -= var * wd * lr, with the learning rate of this step
        if self.weight_decay is None:
            return
        from ..ops import math_ops
        step = self._iterations.value()
        if self._schedule is not None:
            lr = math_ops.cast(self._schedule(step), _dt.float32)
        else:
            lr = self._learning_rate.value()
        for var in variables:
            if self._use_weight_decay(var):
                dt = var.dtype.base_dtype
                x = var.value()
                var.assign_sub(x * math_ops.cast(self.weight_decay, dt) *
                               math_ops.cast(lr, dt))

    def _current_lr(self, step):
        if self._schedule is not None:
            lr = self._schedule(step)
            return float(np.asarray(lr.numpy() if hasattr(lr, "numpy") else lr))
        return float(self._learning_rate.numpy())

    def _pre_apply(self, local_step):
        """Runs once per apply, before the variables' updates (Nadam's running product)."""

    def _apply_eager(self, pairs):
        step = int(self._iterations.numpy())
        lr = self._current_lr(step)
        ctx = _eager_ctx()
        self._pre_apply(_ops.convert_to_tensor(np.float32(step + 1)))
        for g, var in pairs:
            if isinstance(g, IndexedSlices):
                self._update_sparse(g, var, self._slots[id(var)],
                                    _ops.convert_to_tensor(np.float32(lr)),
                                    _ops.convert_to_tensor(np.float32(step + 1)))
                continue
            if getattr(var, "_gpu", None) is not None:
                # a variable on a GPU is updated there, with the graph path's ops run eagerly
                self._update_graph(_ops.convert_to_tensor(g), var, self._slots[id(var)],
                                   _ops.convert_to_tensor(np.float32(lr)),
                                   _ops.convert_to_tensor(np.float32(step + 1)))
                continue
            gv = g.numpy() if hasattr(g, "numpy") else np.asarray(g)
            self._update_eager(ctx, gv, var, self._slots[id(var)], lr, step + 1)
        self._iterations.assign(np.int64(step + 1))

    def _update_sparse(self, g, var, slots, lr, step):
        """Keras 3's rule for an IndexedSlices gradient (its TF backend keeps slices
        through scalar products and squares, densifies them when added to a dense tensor,
        and writes slices with scatter_add/scatter_sub): the same ops, eagerly or in a
        graph."""
        raise NotImplementedError(f"{type(self).__name__} has no sparse update")

    def _apply_graph(self, pairs):
        from ..ops import math_ops
        it = self._iterations.value()
        local_step = math_ops.cast(it + 1, _dt.float32)
        if self._schedule is not None:
            lr = math_ops.cast(self._schedule(it), _dt.float32)
        else:
            lr = self._learning_rate.value()
        self._pre_apply(local_step)
        for g, var in pairs:
            if isinstance(g, IndexedSlices):
                self._update_sparse(g, var, self._slots[id(var)], lr, local_step)
                continue
            self._update_graph(g, var, self._slots[id(var)], lr, local_step)
        self._iterations.assign_add(np.int64(1))

    def get_config(self):
        lr = float(self._learning_rate.numpy())
        if self._schedule is not None and hasattr(self._schedule, "get_config"):
            # Keras 3 writes a schedule as a serialized object
            lr = {"module": "keras.optimizers.schedules",
                  "class_name": type(self._schedule).__name__,
                  "config": self._schedule.get_config(), "registered_name": None}
        return {"name": self.name, "learning_rate": lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                "loss_scale_factor": None, "gradient_accumulation_steps": None}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for k in ("use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                  "gradient_accumulation_steps"):
            config.pop(k, None)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            kind = getattr(schedules, lr.get("class_name", ""), None)
            if kind is None:
                raise ValueError(f"Could not interpret learning rate schedule: "
                                 f"{lr.get('class_name')}")
            config["learning_rate"] = kind(**lr["config"])
        return cls(**config)

    def __repr__(self):
        return f"<keras.src.optimizers.{self.name}.{type(self).__name__} object at 0x{id(self):x}>"


def _clip_by_global_norm(grads, clip_norm):
    """Keras 3's clip_by_global_norm: scale = clip * min(1/norm, 1/clip), NaN when the norm
    is not finite."""
    from ..ops import array_ops
    from ..ops import math_ops as m
    dense = [None if g is None else _ops.convert_to_tensor(g) for g in grads]
    norm = m.sqrt(m.reduce_sum(array_ops.stack([m.reduce_sum(m.square(g))
                                                for g in dense if g is not None])))
    scale = clip_norm * m.minimum(1.0 / norm, 1.0 / clip_norm)
    scale = scale + (norm - norm)
    return [None if g is None else g * scale for g in dense]


def _mark_update(graph, kind, members, g, alpha):
    """Marks the ops of one variable's update for the plan to run as one kernel
    (runtime/epilogue.find_update_groups checks that nothing else sees their intermediate
    values before it fuses them; the graph itself is not changed)."""
    if not members or isinstance(g, IndexedSlices):
        return
    hints = graph.__dict__.setdefault("_update_hints", [])
    # a variable's first read in a function captures its handle: a Placeholder the
    # function is fed, not part of the computation
    hints.append({"kind": kind, "ops": [o for o in members if o.type != "Placeholder"],
                  "g": g, "alpha": alpha})


def _k(x, dtype):
    """A Python number as Keras' TF backend makes it: a constant of the variable's dtype
    (so `1 - beta` is computed in double precision, then rounded)."""
    return _ops.convert_to_tensor(np.asarray(x, dtype=dtype.np_dtype))


def _densify(values, g):
    """An IndexedSlices with these values, as a dense tensor (UnsortedSegmentSum)."""
    return _ops.convert_to_tensor(IndexedSlices(values, g.indices, g.dense_shape))


def _slices(values, g):
    return IndexedSlices(values, g.indices, g.dense_shape)


class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="SGD", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name=name.lower() if name == "SGD"
                         else name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    # Keras 3's SGD names its list without the underscore, and keeps it when momentum is 0
    _slot_lists = (("momentums", "momentum"),)

    def _slot_names_for(self):
        return ("momentum",) if self.momentum != 0 else ()

    def _update_eager(self, ctx, g, var, slots, lr, step):
        x = var._storage.value
        dt = np.asarray(x).dtype
        nvar = np.empty(np.shape(x), dt)
        if self.momentum != 0:
            acc = slots["momentum"]
            nacc = np.empty(np.shape(x), dt)
            _run(_momentum, np.size(x), _flat(x, dt), _flat(acc._storage.value, dt), _flat(g, dt),
                      _kscalar(lr, dt), _kscalar(self.momentum, dt), self.nesterov,
                      nvar.reshape(-1), nacc.reshape(-1))
            ctx.write(acc._storage, nacc)
        else:
            _run(_sgd, np.size(x), _flat(x, dt), _flat(g, dt), _kscalar(lr, dt), nvar.reshape(-1))
        ctx.write(var._storage, nvar)

    @registry.api("ResourceApplyGradientDescent")
    @registry.api("ResourceApplyKerasMomentum")
    def _update_graph(self, g, var, slots, lr, step):
        from ..ops import math_ops
        lr = math_ops.cast(lr, var.dtype)
        if self.momentum != 0:
            apply_op("ResourceApplyKerasMomentum",
                     [_handle(var), _handle(slots["momentum"]), lr, g,
                      _ops.convert_to_tensor(self.momentum, dtype=var.dtype)],
                     {"use_nesterov": self.nesterov, "use_locking": False})
        else:
            apply_op("ResourceApplyGradientDescent", [_handle(var), lr, g],
                     {"use_locking": False})

    def _update_sparse(self, g, var, slots, lr, step):
        from ..ops import math_ops as m
        dt = var.dtype.base_dtype
        lr = m.cast(lr, dt)
        scaled = g.values * lr
        if self.momentum == 0:
            var.scatter_sub(_slices(scaled, g))
            return
        acc = slots["momentum"]
        mom = _k(self.momentum, dt)
        acc.assign(acc.value() * mom - _densify(scaled, g))
        if self.nesterov:
            var.assign_add(acc.value() * mom - _densify(scaled, g))
        else:
            var.assign_add(acc.value())

    def get_config(self):
        c = super().get_config()
        c.update(momentum=self.momentum, nesterov=self.nesterov)
        return c


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    @property
    def _slot_lists(self):
        return (("_momentums", "momentum"), ("_velocities", "velocity")) + \
            ((("_velocity_hats", "velocity_hat"),) if self.amsgrad else ())

    def _slot_names_for(self):
        return ("momentum", "velocity", "velocity_hat") if self.amsgrad else \
            ("momentum", "velocity")

    def _update_eager(self, ctx, g, var, slots, lr, step):
        if self.amsgrad:
            return self._update_ops(g, var, slots, lr, step)
        x = var._storage.value
        dt = np.asarray(x).dtype
        b1p = np.float32(self.beta_1) ** np.float32(step)
        b2p = np.float32(self.beta_2) ** np.float32(step)
        alpha = _kscalar(np.float32(lr) * np.sqrt(np.float32(1) - b2p) / (np.float32(1) - b1p),
                        dt)
        m, v = slots["momentum"], slots["velocity"]
        out = [np.empty(np.shape(x), dt) for _ in range(3)]
        _run(_adam, np.size(x), _flat(x, dt), _flat(m._storage.value, dt), _flat(v._storage.value, dt),
              _flat(g, dt), alpha, _kscalar(1 - self.beta_1, dt), _kscalar(1 - self.beta_2, dt),
              _kscalar(self.epsilon, dt), out[0].reshape(-1), out[1].reshape(-1),
              out[2].reshape(-1))
        ctx.write(var._storage, out[0])
        ctx.write(m._storage, out[1])
        ctx.write(v._storage, out[2])

    def _update_ops(self, g, var, slots, lr, step):
        """Keras 3's Adam update, op by op."""
        from ..ops import math_ops as mo
        dt = var.dtype.base_dtype
        g = _ops.convert_to_tensor(g, dtype=dt)
        lr = mo.cast(lr, dt)
        step = mo.cast(step, dt)
        b1p = mo.pow(_k(self.beta_1, dt), step)
        b2p = mo.pow(_k(self.beta_2, dt), step)
        alpha = lr * mo.sqrt(1 - b2p) / (1 - b1p)
        m, v = slots["momentum"], slots["velocity"]
        graph = g.graph if _ops.is_symbolic(g) else None
        first = len(graph._ops) if graph is not None else 0
        m.assign_add((g - m.value()) * _k(1 - self.beta_1, dt))
        v.assign_add((mo.square(g) - v.value()) * _k(1 - self.beta_2, dt))
        if self.amsgrad:
            vh = slots["velocity_hat"]
            vh.assign(mo.maximum(vh.value(), v.value()))
            v = vh
        var.assign_sub((m.value() * alpha) / (mo.sqrt(v.value()) + _k(self.epsilon, dt)))
        if graph is not None and not self.amsgrad:
            _mark_update(graph, "KerasAdam", graph._ops[first:], g, alpha)

    def _update_graph(self, g, var, slots, lr, step):
        # Keras 3 writes Adam with ordinary ops (no fused kernel): the same ops, in the
        # same order, give Keras' float32 results bit for bit. The graph keeps them (what
        # is drawn and saved is Keras'); a plan runs the marked ops as one kernel with the
        # same arithmetic (_mark_update).
        return self._update_ops(g, var, slots, lr, step)

    def _update_sparse(self, g, var, slots, lr, step):
        # Keras' TF backend: (g - m) densifies g; square(g) stays slices until (.. - v)
        from ..ops import math_ops as mo
        dt = var.dtype.base_dtype
        lr = mo.cast(lr, dt)
        step = mo.cast(step, dt)
        b1p = mo.pow(_k(self.beta_1, dt), step)
        b2p = mo.pow(_k(self.beta_2, dt), step)
        alpha = lr * mo.sqrt(1 - b2p) / (1 - b1p)
        m, v = slots["momentum"], slots["velocity"]
        m.assign_add((_densify(g.values, g) - m.value()) * _k(1 - self.beta_1, dt))
        v.assign_add((_densify(mo.square(g.values), g) - v.value()) *
                     _k(1 - self.beta_2, dt))
        vv = v.value()
        if self.amsgrad:
            vh = slots["velocity_hat"]
            vh.assign(mo.maximum(vh.value(), vv))
            vv = vh.value()
        var.assign_sub((m.value() * alpha) / (mo.sqrt(vv) + _k(self.epsilon, dt)))

    def get_config(self):
        c = super().get_config()
        c.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
                 amsgrad=self.amsgrad)
        return c


class AdamW(Adam):
    """Adam with decoupled weight decay on by default (Keras 3: 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adamw", **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    _slot_lists = (("_velocities", "velocity"), ("_momentums", "momentum"),
                   ("_average_gradients", "average_gradient"))

    def _slot_names_for(self):
        names = ["velocity"]
        if self.momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        return tuple(names)

    def _update_eager(self, ctx, g, var, slots, lr, step):
        x = var._storage.value
        dt = np.asarray(x).dtype
        vel = slots["velocity"]
        mom = slots.get("momentum")
        mg = slots.get("average_gradient")
        outs = [np.empty(np.shape(x), dt) for _ in range(4)]
        dummy = _flat(vel._storage.value, dt)
        _run(_rmsprop, np.size(x), _flat(x, dt), dummy, _flat(mg._storage.value, dt) if mg else dummy,
                 _flat(mom._storage.value, dt) if mom else dummy, _flat(g, dt),
                 _kscalar(lr, dt), _kscalar(self.rho, dt), _kscalar(1 - self.rho, dt),
                 _kscalar(self.epsilon, dt), _kscalar(self.momentum, dt), bool(mg),
                 mom is not None, *[o.reshape(-1) for o in outs])
        ctx.write(var._storage, outs[0])
        ctx.write(vel._storage, outs[1])
        if mg is not None:
            ctx.write(mg._storage, outs[2])
        if mom is not None:
            ctx.write(mom._storage, outs[3])

    def _update_graph(self, g, var, slots, lr, step):
        from ..ops import math_ops as m
        lr = m.cast(lr, var.dtype)
        vel = slots["velocity"]
        rho = self.rho
        vel.assign(rho * vel.value() + (1 - rho) * m.square(g))
        if self.centered:
            mg = slots["average_gradient"]
            mg.assign(rho * mg.value() + (1 - rho) * g)
            den = vel.value() - m.square(mg.value()) + self.epsilon
        else:
            den = vel.value() + self.epsilon
        inc = m.truediv(lr * g, m.sqrt(den))
        if self.momentum > 0:
            mom = slots["momentum"]
            mom.assign(self.momentum * mom.value() + inc)
            var.assign_sub(mom.value())
        else:
            var.assign_sub(inc)

    def _update_sparse(self, g, var, slots, lr, step):
        from ..ops import array_ops
        from ..ops import math_ops as m
        dt = var.dtype.base_dtype
        lr = m.cast(lr, dt)
        rho, omr = _k(self.rho, dt), _k(1 - self.rho, dt)
        vel = slots["velocity"]
        vel.assign(rho * vel.value() + _densify(omr * m.square(g.values), g))
        if self.centered:
            avg = slots["average_gradient"]
            avg.assign(rho * avg.value() + _densify(omr * g.values, g))
            den = vel.value() - m.square(avg.value()) + _k(self.epsilon, dt)
        else:
            den = vel.value() + _k(self.epsilon, dt)
        inc = m.truediv(lr * g.values, array_ops.gather(m.sqrt(den), g.indices))
        if self.momentum > 0:
            mom = slots["momentum"]
            mom.assign(_k(self.momentum, dt) * mom.value() + _densify(inc, g))
            var.assign_sub(mom.value())
        else:
            var.scatter_sub(_slices(inc, g))

    def get_config(self):
        c = super().get_config()
        c.update(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon,
                 centered=self.centered)
        return c


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adagrad",
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    _slot_names = ("accumulator",)
    _slot_lists = (("_accumulators", "accumulator"),)

    def _slot_init(self, slot, var):
        return np.full(tuple(var.shape.as_list()), self.initial_accumulator_value,
                       var.dtype.np_dtype)

    def _update_eager(self, ctx, g, var, slots, lr, step):
        x = var._storage.value
        dt = np.asarray(x).dtype
        acc = slots["accumulator"]
        nvar, nacc = np.empty(np.shape(x), dt), np.empty(np.shape(x), dt)
        _run(_adagrad, np.size(x), _flat(x, dt), _flat(acc._storage.value, dt), _flat(g, dt), _kscalar(lr, dt),
                 _kscalar(self.epsilon, dt), nvar.reshape(-1), nacc.reshape(-1))
        ctx.write(var._storage, nvar)
        ctx.write(acc._storage, nacc)

    def _update_graph(self, g, var, slots, lr, step):
        from ..ops import math_ops as m
        lr = m.cast(lr, var.dtype)
        acc = slots["accumulator"]
        acc.assign_add(m.square(g))
        var.assign_sub(m.truediv(lr * g, m.sqrt(acc.value() + self.epsilon)))

    def _update_sparse(self, g, var, slots, lr, step):
        from ..ops import array_ops
        from ..ops import math_ops as m
        dt = var.dtype.base_dtype
        lr = m.cast(lr, dt)
        acc = slots["accumulator"]
        acc.scatter_add(_slices(m.square(g.values), g))
        den = m.sqrt(acc.value() + _k(self.epsilon, dt))
        var.scatter_sub(_slices(m.truediv(lr * g.values, array_ops.gather(den, g.indices)),
                                g))

    def get_config(self):
        c = super().get_config()
        c.update(initial_accumulator_value=self.initial_accumulator_value,
                 epsilon=self.epsilon)
        return c


# --- optimizers written with ordinary ops (eagerly and in graphs alike) -----------------------

def _opt_init(self, learning_rate, kw, name):
    """The base arguments every Keras 3 optimizer takes, passed on from `kw`."""
    Optimizer.__init__(self, learning_rate, kw.pop("weight_decay", None),
                       kw.pop("clipnorm", None), kw.pop("clipvalue", None),
                       kw.pop("global_clipnorm", None), kw.pop("use_ema", False),
                       kw.pop("ema_momentum", 0.99), kw.pop("ema_overwrite_frequency", None),
                       kw.pop("loss_scale_factor", None),
                       kw.pop("gradient_accumulation_steps", None), name=name, **kw)


class _OpsOptimizer(Optimizer):
    """An optimizer whose rule is Keras' op sequence (`_update_ops`), run eagerly op by op
    or added to a graph; a sparse gradient is densified first."""
    _config_keys = ()

    def _update_eager(self, ctx, g, var, slots, lr, step):
        self._update_ops(_ops.convert_to_tensor(np.asarray(g, var.dtype.np_dtype)), var,
                         slots, _ops.convert_to_tensor(np.float32(lr)),
                         _ops.convert_to_tensor(np.float32(step)))

    def _update_graph(self, g, var, slots, lr, step):
        self._update_ops(g, var, slots, lr, step)

    def _update_sparse(self, g, var, slots, lr, step):
        self._update_ops(_ops.convert_to_tensor(g), var, slots, lr, step)

    @staticmethod
    def _cast(g, lr, step, var):
        from ..ops import math_ops as mo
        dt = var.dtype.base_dtype
        return mo.cast(_ops.convert_to_tensor(g), dt), mo.cast(lr, dt), mo.cast(step, dt), dt

    def get_config(self):
        c = super().get_config()
        c.update({k: getattr(self, k) for k in self._config_keys})
        return c


class Adamax(_OpsOptimizer):
    """Adam with the infinity norm: u = max(beta_2 u, |g|), var -= lr m / ((1 - beta_1^t)
    (u + eps))."""
    _slot_names = ("momentum", "norm")
    _slot_lists = (("_m", "momentum"), ("_u", "norm"))
    _config_keys = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="adamax", **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        b1p = mo.pow(_k(self.beta_1, dt), step)
        m, u = slots["momentum"], slots["norm"]
        m.assign_add((g - m.value()) * _k(1 - self.beta_1, dt))
        u.assign(mo.maximum(_k(self.beta_2, dt) * u.value(), mo.abs(g)))
        var.assign_sub((lr * m.value()) / ((1 - b1p) * (u.value() + _k(self.epsilon, dt))))


class Nadam(_OpsOptimizer):
    """Adam with Nesterov momentum and Keras' momentum schedule (beta_1 (1 - 0.5 *
    0.96^t)), whose running product is one more optimizer variable."""
    _slot_names = ("momentum", "velocity")
    _slot_lists = (("_momentums", "momentum"), ("_velocities", "velocity"))
    _config_keys = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="nadam", **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = None

    def build(self, var_list):
        super().build(var_list)
        if self._u_product is None:
            from ..eager import context
            var_list = list(var_list)
            dt = var_list[0].dtype if var_list else _dt.float32
            with context.init_scope(), backend.name_scope(self.name):
                self._u_product = backend.Variable(np.asarray(1.0, dt.np_dtype),
                                                   dtype=dt.name, trainable=False,
                                                   name="variable")
            self._slot_order.append(self._u_product)

    def _pre_apply(self, local_step):
        from ..ops import math_ops as mo
        dt = self._u_product.dtype.base_dtype
        up = self._u_product
        up.assign(up.value() * _k(self.beta_1, dt) *
                  (1.0 - 0.5 * mo.pow(_k(0.96, dt), mo.cast(local_step, dt))))

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        decay = _k(0.96, dt)
        b1, b2 = _k(self.beta_1, dt), _k(self.beta_2, dt)
        u_t = b1 * (1.0 - 0.5 * mo.pow(decay, step))
        u_t_1 = b1 * (1.0 - 0.5 * mo.pow(decay, step + 1))
        up_t = mo.cast(self._u_product.value(), dt)
        up_t_1 = up_t * u_t_1
        b2p = mo.pow(b2, step)
        m, v = slots["momentum"], slots["velocity"]
        m.assign_add((g - m.value()) * (1 - b1))
        v.assign_add((mo.square(g) - v.value()) * (1 - b2))
        m_hat = (u_t_1 * m.value()) / (1 - up_t_1) + ((1 - u_t) * g) / (1 - up_t)
        v_hat = v.value() / (1 - b2p)
        var.assign_sub((m_hat * lr) / (mo.sqrt(v_hat) + _k(self.epsilon, dt)))


class Adadelta(_OpsOptimizer):
    """delta = -sqrt(E[dx^2] + eps) g / sqrt(E[g^2] + eps); var += lr delta."""
    _slot_names = ("accumulated_grad", "accumulated_delta_var")
    _slot_lists = (("_accumulated_grads", "accumulated_grad"),
                   ("_accumulated_delta_vars", "accumulated_delta_var"))
    _config_keys = ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="adadelta",
                 **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        self.rho, self.epsilon = rho, epsilon

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        rho, omr, eps = _k(self.rho, dt), _k(1 - self.rho, dt), _k(self.epsilon, dt)
        ag, adv = slots["accumulated_grad"], slots["accumulated_delta_var"]
        ag.assign(rho * ag.value() + omr * mo.square(g))
        delta = -((mo.sqrt(adv.value() + eps) * g) / mo.sqrt(ag.value() + eps))
        adv.assign(rho * adv.value() + omr * mo.square(delta))
        var.assign_add(lr * delta)


class Lion(_OpsOptimizer):
    """var -= lr sign(beta_1 m + (1 - beta_1) g); m = beta_2 m + (1 - beta_2) g."""
    _slot_names = ("momentum",)
    _slot_lists = (("_momentums", "momentum"),)
    _config_keys = ("beta_1", "beta_2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name="lion", **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        b1, b2 = _k(self.beta_1, dt), _k(self.beta_2, dt)
        m = slots["momentum"]
        var.assign_sub(lr * mo.sign(m.value() * b1 + g * (1.0 - b1)))
        m.assign(m.value() * b2 + g * (1.0 - b2))


class Ftrl(_OpsOptimizer):
    """Follow the regularized leader (McMahan et al.), with L1, L2 and L2-shrinkage
    terms and `beta` added to the L2 strength as beta / (2 lr)."""
    _slot_names = ("accumulator", "linear")
    _slot_lists = (("_accumulators", "accumulator"), ("_linears", "linear"))
    _config_keys = ("learning_rate_power", "initial_accumulator_value",
                    "l1_regularization_strength", "l2_regularization_strength",
                    "l2_shrinkage_regularization_strength", "beta")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, name="ftrl", **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. "
                             f"Received: initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for arg, val in (("l1_regularization_strength", l1_regularization_strength),
                         ("l2_regularization_strength", l2_regularization_strength)):
            if val < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: "
                                 f"{arg}={val}.")
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError("`l2_shrinkage_regularization_strength` needs to be positive or "
                             "zero. Received: l2_shrinkage_regularization_strength="
                             f"{l2_shrinkage_regularization_strength}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_init(self, slot, var):
        value = self.initial_accumulator_value if slot == "accumulator" else 0.0
        return np.full(tuple(var.shape.as_list()), value, var.dtype.np_dtype)

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        accum, linear = slots["accumulator"], slots["linear"]
        p = _k(-self.learning_rate_power, dt)
        l1 = self.l1_regularization_strength
        l2 = _k(self.l2_regularization_strength, dt) + _k(self.beta, dt) / (2.0 * lr)
        x = var.value()
        grad = g + _k(2 * self.l2_shrinkage_regularization_strength, dt) * x
        a0 = accum.value()
        new_accum = a0 + mo.square(g)
        linear.assign_add(grad - ((mo.pow(new_accum, p) - mo.pow(a0, p)) / lr) * x)
        quadratic = mo.pow(new_accum, p) / lr + 2 * l2
        lin = linear.value()
        clipped = mo.minimum(mo.maximum(lin, _k(-l1, dt)), _k(l1, dt))
        var.assign((clipped - lin) / quadratic)
        accum.assign(new_accum)


class Lamb(_OpsOptimizer):
    """Adam's step scaled per variable by ||var|| / ||update|| (layer-wise adaptation)."""
    _slot_names = ("momentum", "velocity")
    _slot_lists = (("_momentums", "momentum"), ("_velocities", "velocity"))
    _config_keys = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="lamb", **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import array_ops
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        b1p = mo.pow(_k(self.beta_1, dt), step)
        b2p = mo.pow(_k(self.beta_2, dt), step)
        m, v = slots["momentum"], slots["velocity"]
        m.assign_add((g - m.value()) * _k(1 - self.beta_1, dt))
        v.assign_add((mo.square(g) - v.value()) * _k(1 - self.beta_2, dt))
        m_hat = m.value() / (1.0 - b1p)
        v_sqrt = mo.sqrt(v.value() / (1.0 - b2p)) + _k(self.epsilon, dt)
        update = m_hat / v_sqrt
        w_norm = mo.sqrt(mo.reduce_sum(mo.square(var.value())))
        g_norm = mo.sqrt(mo.reduce_sum(mo.square(update)))
        one = _k(1.0, dt)
        ratio = array_ops.where(w_norm > 0,
                                array_ops.where(g_norm > 0, w_norm / g_norm, one), one)
        var.assign_sub(ratio * lr * update)


class Adafactor(_OpsOptimizer):
    """Adafactor (Shazeer & Stern): for variables of rank >= 2 the second moment is kept
    factored (row and column means of g^2 + epsilon_1); steps are relative to the
    variable's RMS and clipped by `clip_threshold`."""
    _slot_names = ("r", "c", "velocity")
    _slot_lists = (("_r", "r"), ("_c", "c"), ("_v", "velocity"))
    _config_keys = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold",
                    "relative_step")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True, name="adafactor",
                 **kwargs):
        _opt_init(self, learning_rate, kwargs, name)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def _slot_init(self, slot, var):
        shape = tuple(var.shape.as_list())
        if slot == "velocity":
            return np.zeros(shape, var.dtype.np_dtype)
        if len(shape) < 2:
            # Keras keeps an unused integer scalar for these
            return np.zeros((), np.int32)
        return np.zeros(shape[:-1] if slot == "r" else shape[:-2] + shape[-1:],
                        var.dtype.np_dtype)

    def build(self, var_list):
        # the unused scalars of rank-0/1 variables are int32, as Keras' are
        from ..eager import context
        with context.init_scope():
            for var in var_list:
                if id(var) in self._slots:
                    continue
                base = (getattr(var, "path", None) or var.name.split(":")[0]).replace("/", "_")
                slots = {}
                for s in self._slot_names:
                    value = self._slot_init(s, var)
                    dt = "int32" if value.dtype == np.int32 else var.dtype
                    with backend.name_scope(self.name):
                        slots[s] = backend.Variable(value, dtype=dt, trainable=False,
                                                    name=f"{base}_{s}")
                    self._slot_order.append(slots[s])
                self._slots[id(var)] = slots
                self._trainable_variables.append(var)
        self.built = True
        from ..train import checkpoint
        checkpoint.restore_deferred(self)

    def _update_ops(self, g, var, slots, lr, step):
        from ..ops import array_ops
        from ..ops import math_ops as mo
        g, lr, step, dt = self._cast(g, lr, step, var)
        one = _k(1.0, dt)
        if self._schedule is None and self.relative_step:
            lr = mo.minimum(lr, 1 / mo.sqrt(step))
        rho_t = mo.minimum(lr, 1 / mo.sqrt(step))

        def rms(x):
            return mo.sqrt(mo.reduce_mean(mo.square(x)))
        alpha_t = mo.maximum(_k(self.epsilon_2, dt), rms(var.value())) * rho_t
        sq = mo.square(g) + _k(self.epsilon_1, dt)
        beta_2_t = 1 - mo.pow(step, _k(self.beta_2_decay, dt))
        v = slots["velocity"]
        if var.shape.rank >= 2:
            r, c = slots["r"], slots["c"]
            r.assign(beta_2_t * r.value() + (1 - beta_2_t) * mo.reduce_mean(sq, axis=-1))
            c.assign(beta_2_t * c.value() + (1 - beta_2_t) * mo.reduce_mean(sq, axis=-2))
            rv = r.value()
            v.assign(array_ops.expand_dims(rv / mo.reduce_mean(rv, axis=-1, keepdims=True),
                                           -1) * array_ops.expand_dims(c.value(), -2))
        else:
            v.assign(beta_2_t * v.value() + (1 - beta_2_t) * sq)
        u = g / mo.sqrt(v.value())
        u_hat = u / mo.maximum(one, rms(u) / _k(self.clip_threshold, dt))
        var.assign_sub(alpha_t * u_hat)


class LossScaleOptimizer(Optimizer):
    """Dynamic loss scaling around `inner_optimizer`: `scale_loss` multiplies the loss by
    the scale; `apply` divides the gradients by it and applies them when all are finite
    (doubling the scale after `dynamic_growth_steps` such steps), else skips the step and
    halves the scale."""

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                             "simply set `loss_scale_factor` directly on the "
                             "`inner_optimizer`.")
        defaults = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                    "ema_overwrite_frequency": None, "loss_scale_factor": None,
                    "gradient_accumulation_steps": None}
        for arg, default in defaults.items():
            if arg not in kwargs:
                continue
            value = kwargs.pop(arg)
            if (default is None and value is not None) or value != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set "
                                 f"`{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs.keys())}`.")
        super().__init__(0.0, name=name or backend.unique_name("loss_scale_optimizer"))
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.step_counter = self.dynamic_scale = None

    def build(self, var_list):
        if self.step_counter is None:
            from ..eager import context
            with context.init_scope(), backend.name_scope(self.name):
                self.step_counter = backend.Variable(np.int64(0), dtype="int64",
                                                     trainable=False, name="step_counter")
                self.dynamic_scale = backend.Variable(np.float32(self.initial_scale),
                                                      dtype="float32", trainable=False,
                                                      name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        self.built = True

    @property
    def variables(self):
        own = [self._iterations, self._learning_rate]
        if self.step_counter is not None:
            own += [self.step_counter, self.dynamic_scale]
        return own + list(self.inner_optimizer.variables)

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        from ..ops import math_ops as m
        scale = self.dynamic_scale.value() if self.built else np.float32(self.initial_scale)
        loss = _ops.convert_to_tensor(loss)
        return loss * m.cast(scale, loss.dtype)

    def check_finite(self, grads):
        from ..ops import math_ops as m
        from ..ops import array_ops
        flags = [m.reduce_all(m.is_finite(_ops.convert_to_tensor(g))) for g in grads
                 if g is not None]
        return m.reduce_all(array_ops.stack(flags))

    def _finite_step(self, grads, variables):
        from ..ops import math_ops as m
        scale = self.dynamic_scale.value()
        unscaled = [None if g is None else _ops.convert_to_tensor(g) / m.cast(scale, g.dtype)
                    for g in grads]
        self.inner_optimizer.apply(unscaled, variables)
        if _ops.executing_eagerly() and not _ops.is_symbolic(scale):
            if int(self.step_counter.numpy()) == self.dynamic_growth_steps - 1:
                self._grow()
            else:
                self.step_counter.assign_add(np.int64(1))
            return
        from ..ops import array_ops
        # in a graph: both outcomes computed, the variables take the chosen ones
        grow = m.equal(self.step_counter.value(), np.int64(self.dynamic_growth_steps - 1))
        self.dynamic_scale.assign(array_ops.where(grow, scale * 2.0, scale))
        self.step_counter.assign(array_ops.where(grow, np.int64(0),
                                                 self.step_counter.value() + 1))

    def _grow(self):
        self.step_counter.assign(np.int64(0))
        self.dynamic_scale.assign(self.dynamic_scale.value() * 2.0)

    def _skip_step(self):
        self.step_counter.assign(np.int64(0))
        self.dynamic_scale.assign(self.dynamic_scale.value() * 0.5)

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        variables = list(trainable_variables)
        self.build(variables)
        finite = self.check_finite(grads)
        if _ops.executing_eagerly() and not _ops.is_symbolic(finite):
            if bool(finite.numpy()):
                self._finite_step(grads, variables)
            else:
                self._skip_step()
            return self.iterations
        from ..eager.control_flow import cond
        from ..ops import constant_op

        def finite_branch():
            self._finite_step(grads, variables)
            return constant_op.constant(True)

        def skip_branch():
            self._skip_step()
            return constant_op.constant(False)
        cond(finite, finite_branch, skip_branch)
        return self.iterations

    def get_config(self):
        inner = self.inner_optimizer
        return {"name": self.name,
                "inner_optimizer": {"module": "keras.optimizers",
                                    "class_name": type(inner).__name__,
                                    "config": inner.get_config(), "registered_name": None},
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adamax": Adamax, "nadam": Nadam, "adadelta": Adadelta, "ftrl": Ftrl,
            "lion": Lion, "adafactor": Adafactor}     # Keras' get() does not know Lamb


def get(identifier):
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


class schedules:  # noqa: N801 - keras.optimizers.schedules namespace
    class LearningRateSchedule:
        def __call__(self, step):
            raise NotImplementedError

    class ExponentialDecay(LearningRateSchedule):
        def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                     name="ExponentialDecay"):
            self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
            self.decay_rate, self.staircase = decay_rate, staircase
            self.name = name

        def get_config(self):
            return {"initial_learning_rate": self.initial_learning_rate,
                    "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                    "staircase": self.staircase, "name": self.name}

        def __call__(self, step):
            # lr0 * decay_rate^(step / decay_steps), in float32 as Keras computes it
            from ..ops import math_ops as m
            p = m.cast(_ops.convert_to_tensor(step), _dt.float32) / \
                np.float32(self.decay_steps)
            if self.staircase:
                p = m.floor(p)
            return np.float32(self.initial_learning_rate) * m.pow(
                _ops.convert_to_tensor(self.decay_rate, dtype=_dt.float32), p)

def _sched_step(schedule, step):
    """(initial learning rate as a float32 tensor, step cast to float32)."""
    from ..ops import math_ops as m
    lr0 = _ops.convert_to_tensor(np.float32(schedule.initial_learning_rate))
    return lr0, m.cast(_ops.convert_to_tensor(step), _dt.float32)


def _check_steps(arg, value):
    if value <= 0:
        raise ValueError(f"Argument `{arg}` must be > 0. Received: {arg}={value}")


class PiecewiseConstantDecay(schedules.LearningRateSchedule):
    """values[0] up to boundaries[0] (inclusive), values[i] in (b[i-1], b[i]], values[-1]
    after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        from ..ops import math_ops as m
        step = _ops.convert_to_tensor(step)
        values = [_ops.convert_to_tensor(v) for v in self.values]
        bounds = [m.cast(_ops.convert_to_tensor(b), step.dtype) for b in self.boundaries]
        dt = values[0].dtype
        out = m.cast(step <= bounds[0], dt) * values[0]
        out = out + m.cast(step > bounds[-1], dt) * values[-1]
        for low, high, v in zip(bounds[:-1], bounds[1:], values[1:-1]):
            out = out + m.cast(m.logical_and(step > low, step <= high), dt) * v
        return out

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(schedules.LearningRateSchedule):
    """(lr0 - end) (1 - step / decay_steps)^power + end, the step capped at decay_steps
    (or, with `cycle`, decay_steps stretched to the next multiple)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        from ..ops import array_ops as a
        from ..ops import math_ops as m
        lr0, step = _sched_step(self, step)
        end = _ops.convert_to_tensor(np.float32(self.end_learning_rate))
        steps = _ops.convert_to_tensor(np.float32(self.decay_steps))
        if self.cycle:
            mult = a.where(m.equal(step, 0.0), a.ones_like(step),
                           m.ceil(step / np.float32(self.decay_steps)))
            steps = steps * mult
        else:
            step = m.minimum(step, steps)
        p = step / steps
        return (lr0 - end) * m.pow(1 - p, np.float32(self.power)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(schedules.LearningRateSchedule):
    """lr0 / (1 + decay_rate * step / decay_steps) (the ratio floored with `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        from ..ops import math_ops as m
        lr0, step = _sched_step(self, step)
        p = step / np.float32(self.decay_steps)
        if self.staircase:
            p = m.floor(p)
        return lr0 / (1.0 + np.float32(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(schedules.LearningRateSchedule):
    """Half a cosine from the rate (or, after `warmup_steps` of linear warmup, from
    `warmup_target`) down to alpha times it over `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps
        _check_steps("decay_steps", decay_steps)

    def _decay(self, step, steps, start):
        from ..ops import math_ops as m
        cos = 0.5 * (1.0 + m.cos(np.float32(math.pi) * (step / steps)))
        return start * ((1 - self.alpha) * cos + self.alpha)

    def __call__(self, step):
        from ..ops import array_ops as a
        from ..ops import math_ops as m
        lr0, step = _sched_step(self, step)
        steps = _ops.convert_to_tensor(np.float32(self.decay_steps))
        if self.warmup_target is None:
            return self._decay(m.minimum(step, steps), steps, lr0)
        target = _ops.convert_to_tensor(np.float32(self.warmup_target))
        warm = _ops.convert_to_tensor(np.float32(self.warmup_steps))
        step = m.minimum(step, steps + warm)
        warming = (target - lr0) * (step / warm) + lr0
        return a.where(step < warm, warming, self._decay(step - warm, steps, target))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(schedules.LearningRateSchedule):
    """SGDR: cosine decays that restart, each t_mul times longer and m_mul times lower."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, \
            first_decay_steps
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name
        _check_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step):
        from ..ops import math_ops as m
        lr0, step = _sched_step(self, step)
        t_mul = _ops.convert_to_tensor(np.float32(self._t_mul))
        frac = step / np.float32(self.first_decay_steps)
        if np.float32(self._t_mul) == 1.0:
            i = m.floor(frac)
            frac = frac - i
        else:
            i = m.floor(m.log(1.0 - frac * (1.0 - t_mul)) / m.log(t_mul))
            sum_r = (1.0 - m.pow(t_mul, i)) / (1.0 - t_mul)
            frac = (frac - sum_r) / m.pow(t_mul, i)
        m_fac = m.pow(_ops.convert_to_tensor(np.float32(self._m_mul)), i)
        cos = 0.5 * m_fac * (1.0 + m.cos(np.float32(math.pi) * frac))
        return lr0 * ((1 - np.float32(self.alpha)) * cos + np.float32(self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


def _serialize_schedule(schedule):
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def _deserialize_schedule(config, custom_objects=None):
    cls = (custom_objects or {}).get(config.get("class_name")) or \
        getattr(schedules, config.get("class_name", ""), None)
    if cls is None:
        raise ValueError(f"Could not interpret learning rate schedule: "
                         f"{config.get('class_name')}")
    return cls(**config.get("config", {}))


for _c in (PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
           CosineDecayRestarts):
    setattr(schedules, _c.__name__, _c)
schedules.serialize = staticmethod(_serialize_schedule)
schedules.deserialize = staticmethod(_deserialize_schedule)
del PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay, \
    CosineDecayRestarts, _c


def deserialize(config, custom_objects=None):
    """An optimizer from keras.optimizers.serialize's dict."""
    name = config.get("class_name", "")
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name.lower()) or \
        {"LossScaleOptimizer": LossScaleOptimizer}.get(name)
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {config}")
    return cls.from_config(config.get("config", {}))



import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.optimizers")
