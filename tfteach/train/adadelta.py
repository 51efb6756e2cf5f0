"""Adadelta (Zeiler 2012): step sizes from running averages of squared gradients and
squared updates."""
from ..framework import ops as _ops
from .optimizer import _kernels as _k
from ..ops import training_ops
from .optimizer import Optimizer, _cast


class AdadeltaOptimizer(Optimizer):

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        c = self._call_if_callable
        self._lr_t = _ops.convert_to_tensor(c(self._lr), name="lr")
        self._rho_t = _ops.convert_to_tensor(c(self._rho), name="rho")
        self._epsilon_t = _ops.convert_to_tensor(c(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        dt = var.dtype.base_dtype
        return training_ops.apply_adadelta(
            var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
            _cast(self._lr_t, dt), _cast(self._rho_t, dt), _cast(self._epsilon_t, dt), grad,
            use_locking=self._use_locking).op

    def _eager_update(self, grad, var):
        e = self._eager_value
        a = self._eager_slot(var, "accum", 0)
        u = self._eager_slot(var, "accum_update", 0)
        new, a2, u2 = _k().adadelta_update(var.numpy(), a, u, e(self._lr), e(self._rho),
                                         e(self._epsilon), grad)
        self._eager_slots[("accum", id(var))] = a2
        self._eager_slots[("accum_update", id(var))] = u2
        return new
