"""Momentum: accum = momentum * accum + grad; var -= lr * accum (or Nesterov's look-ahead)."""
from ..framework import ops as _ops
from .optimizer import _kernels as _k
from ..ops import training_ops
from .optimizer import Optimizer, _cast


class MomentumOptimizer(Optimizer):

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _ops.convert_to_tensor(
            self._call_if_callable(self._learning_rate), name="learning_rate")
        self._momentum_tensor = _ops.convert_to_tensor(
            self._call_if_callable(self._momentum), name="momentum")

    def _apply_dense(self, grad, var):
        mom = self.get_slot(var, "momentum")
        dt = var.dtype.base_dtype
        return training_ops.apply_momentum(
            var, mom, _cast(self._learning_rate_tensor, dt), grad,
            _cast(self._momentum_tensor, dt), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op

    def _eager_update(self, grad, var):
        accum = self._eager_slot(var, "momentum", 0)
        new, accum2 = _k().momentum_update(var.numpy(), accum, self._eager_value(
            self._learning_rate), grad, self._eager_value(self._momentum), self._use_nesterov)
        self._eager_slots[("momentum", id(var))] = accum2
        return new
