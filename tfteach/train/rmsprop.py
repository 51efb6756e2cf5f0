"""RMSProp as TF1 has it: the mean square `rms` slot starts at 1.0 (not 0), an optional
momentum, and the centered variant that also tracks the mean gradient `mg`."""
from ..framework import ops as _ops
from .optimizer import _kernels as _k
from ..ops import training_ops
from .optimizer import Optimizer, _cast, _constant_filled


class RMSPropOptimizer(Optimizer):

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot(v, lambda s, d: _constant_filled(1, s.as_list(), d, "ones"),
                                   "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        c = self._call_if_callable
        self._learning_rate_tensor = _ops.convert_to_tensor(c(self._learning_rate),
                                                            name="learning_rate")
        self._decay_tensor = _ops.convert_to_tensor(c(self._decay), name="decay")
        self._momentum_tensor = _ops.convert_to_tensor(c(self._momentum), name="momentum")
        self._epsilon_tensor = _ops.convert_to_tensor(c(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        dt = var.dtype.base_dtype
        args = (_cast(self._learning_rate_tensor, dt), _cast(self._decay_tensor, dt),
                _cast(self._momentum_tensor, dt), _cast(self._epsilon_tensor, dt), grad)
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_centered_rms_prop(
                var, mg, rms, mom, *args, use_locking=self._use_locking).op
        return training_ops.apply_rms_prop(var, rms, mom, *args,
                                           use_locking=self._use_locking).op

    def _eager_update(self, grad, var):
        e = self._eager_value
        rms = self._eager_slot(var, "rms", 1)
        mom = self._eager_slot(var, "momentum", 0)
        hp = (e(self._learning_rate), e(self._decay), e(self._momentum), e(self._epsilon), grad)
        if self._centered:
            mg = self._eager_slot(var, "mg", 0)
            new, mg2, rms2, mom2 = _k().centered_rmsprop_update(var.numpy(), mg, rms, mom, *hp)
            self._eager_slots[("mg", id(var))] = mg2
        else:
            new, rms2, mom2 = _k().rmsprop_update(var.numpy(), rms, mom, *hp)
        self._eager_slots[("rms", id(var))] = rms2
        self._eager_slots[("momentum", id(var))] = mom2
        return new
