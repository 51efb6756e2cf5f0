"""Adam (Kingma & Ba) as TF1 implements it: bias correction folded into the step size
through the `beta1_power`/`beta2_power` variables, updated after every step."""
import numpy as np

from ..framework import ops as _ops
from .optimizer import _kernels as _k
from ..ops import training_ops
from .optimizer import Optimizer, _cast, _var_key, _init_scope


class AdamOptimizer(Optimizer):

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon
        self._eager_powers = None

    def _get_beta_accumulators(self, graph=None):
        return (self._get_non_slot_variable("beta1_power", graph),
                self._get_non_slot_variable("beta2_power", graph))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first_var)
        self._create_non_slot_variable(self._beta2, "beta2_power", first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        c = self._call_if_callable
        self._lr_t = _ops.convert_to_tensor(c(self._lr), name="learning_rate")
        self._beta1_t = _ops.convert_to_tensor(c(self._beta1), name="beta1")
        self._beta2_t = _ops.convert_to_tensor(c(self._beta2), name="beta2")
        self._epsilon_t = _ops.convert_to_tensor(c(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        b1p, b2p = self._get_beta_accumulators(var.graph)
        dt = var.dtype.base_dtype
        return training_ops.apply_adam(
            var, m, v, _cast(b1p, dt), _cast(b2p, dt), _cast(self._lr_t, dt),
            _cast(self._beta1_t, dt), _cast(self._beta2_t, dt), _cast(self._epsilon_t, dt),
            grad, use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        # TF1's sparse Adam: every row of m and v decays, the named rows get the new
        # gradient added (ScatterAdd), and the whole variable moves.
        from ..ops import math_ops, state_ops
        b1p, b2p = self._get_beta_accumulators(var.graph)
        dt = var.dtype.base_dtype
        b1p, b2p = _cast(b1p, dt), _cast(b2p, dt)
        lr_t, beta1_t = _cast(self._lr_t, dt), _cast(self._beta1_t, dt)
        beta2_t, epsilon_t = _cast(self._beta2_t, dt), _cast(self._epsilon_t, dt)
        lr = lr_t * math_ops.sqrt(1 - b2p) / (1 - b1p)
        m = self.get_slot(var, "m")
        m_scaled = grad.values * (1 - beta1_t)
        m_t = state_ops.assign(m, m * beta1_t, use_locking=self._use_locking)
        with _ops.control_dependencies([m_t]):
            m_t = training_ops.scatter_add(m, grad.indices, m_scaled,
                                           use_locking=self._use_locking)
        v = self.get_slot(var, "v")
        v_scaled = (grad.values * grad.values) * (1 - beta2_t)
        v_t = state_ops.assign(v, v * beta2_t, use_locking=self._use_locking)
        with _ops.control_dependencies([v_t]):
            v_t = training_ops.scatter_add(v, grad.indices, v_scaled,
                                           use_locking=self._use_locking)
        v_sqrt = math_ops.sqrt(v_t)
        var_update = state_ops.assign_sub(var, lr * m_t / (v_sqrt + epsilon_t),
                                          use_locking=self._use_locking)
        from ..ops import control_flow_ops
        return control_flow_ops.group(*[var_update, m_t, v_t])

    def _eager_sparse_update(self, values, indices, var):
        import numpy as np
        from .optimizer import _deduplicate
        rows, g = _deduplicate(values, indices)
        e = self._eager_value
        dt = var.dtype.base_dtype.np_dtype
        one = dt.type(1)
        b1p, b2p = (dt.type(p) for p in self._eager_powers)
        lr_t, b1, b2, eps = (dt.type(e(x)) for x in (self._lr, self._beta1, self._beta2,
                                                       self._epsilon))
        lr = dt.type(lr_t * np.sqrt(one - b2p)) / (one - b1p)
        m = self._eager_slot(var, "m", 0) * b1
        np.add.at(m, rows, g * (one - b1))
        v = self._eager_slot(var, "v", 0) * b2
        np.add.at(v, rows, (g * g) * (one - b2))
        self._eager_slots[("m", _var_key(var))] = m
        self._eager_slots[("v", _var_key(var))] = v
        return np.asarray(var.numpy()) - (lr * m) / (np.sqrt(v) + eps)

    def _finish(self, update_ops, name_scope):
        from ..ops import control_flow_ops
        with _ops.control_dependencies(update_ops):
            b1p, b2p = self._get_beta_accumulators()
            update_beta1 = b1p.assign(b1p * self._beta1_t, use_locking=self._use_locking)
            update_beta2 = b2p.assign(b2p * self._beta2_t, use_locking=self._use_locking)
        return control_flow_ops.group(*update_ops + [update_beta1, update_beta2],
                                      name=name_scope)

    # eager: the powers are plain numbers kept by the optimizer
    def _eager_prepare(self, var_list):
        if self._eager_powers is None:
            dt = var_list[0].dtype.base_dtype.np_dtype
            self._eager_powers = [dt.type(self._eager_value(self._beta1)),
                                  dt.type(self._eager_value(self._beta2))]
            from . import checkpoint         # powers restored before they existed
            checkpoint.restore_deferred(self)

    def _eager_non_slot_names(self):
        return [] if self._eager_powers is None else ["beta1_power", "beta2_power"]

    def _get_eager_non_slot(self, name):
        return self._eager_powers[("beta1_power", "beta2_power").index(name)]

    def _set_eager_non_slot(self, name, value):
        i = ("beta1_power", "beta2_power").index(name)
        p = self._eager_powers[i]
        self._eager_powers[i] = type(p)(np.asarray(value).reshape(()))

    def _eager_update(self, grad, var):
        m = self._eager_slot(var, "m", 0)
        v = self._eager_slot(var, "v", 0)
        new, m2, v2 = _k().adam_update(var.numpy(), m, v, self._eager_powers[0],
                                     self._eager_powers[1], self._eager_value(self._lr),
                                     self._eager_value(self._beta1),
                                     self._eager_value(self._beta2),
                                     self._eager_value(self._epsilon), grad)
        self._eager_slots[("m", _var_key(var))] = m2
        self._eager_slots[("v", _var_key(var))] = v2
        return new

    def _eager_finish(self):
        p = self._eager_powers
        p[0] = type(p[0])(p[0] * type(p[0])(self._eager_value(self._beta1)))
        p[1] = type(p[1])(p[1] * type(p[1])(self._eager_value(self._beta2)))
