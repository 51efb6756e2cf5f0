"""Adagrad: accum += grad^2; var -= lr * grad / sqrt(accum) (accum starts at 0.1)."""
import numpy as np

from ..framework import ops as _ops
from .optimizer import _kernels as _k
from ..ops import training_ops
from .optimizer import Optimizer, _cast


class AdagradOptimizer(Optimizer):

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        from ..ops import constant_op
        init = self._initial_accumulator_value
        for v in var_list:
            self._get_or_make_slot(
                v, lambda s, d: constant_op.constant(
                    np.full(s.as_list(), init, dtype=d.np_dtype), name="Const"),
                "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _ops.convert_to_tensor(
            self._call_if_callable(self._learning_rate), name="learning_rate")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(
            var, acc, _cast(self._learning_rate_tensor, var.dtype.base_dtype), grad,
            use_locking=self._use_locking).op

    def _eager_update(self, grad, var):
        acc = self._eager_slot(var, "accumulator", self._initial_accumulator_value)
        new, acc2 = _k().adagrad_update(var.numpy(), acc, self._eager_value(self._learning_rate),
                                      grad)
        self._eager_slots[("accumulator", id(var))] = acc2
        return new
