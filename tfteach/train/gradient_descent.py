"""Plain gradient descent: var -= learning_rate * grad."""
from ..framework import ops as _ops
from .optimizer import _kernels as _k
from ..ops import training_ops
from .optimizer import Optimizer, _cast


class GradientDescentOptimizer(Optimizer):

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self):
        lr = self._call_if_callable(self._learning_rate)
        self._learning_rate_tensor = _ops.convert_to_tensor(lr, name="learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var, _cast(self._learning_rate_tensor, var.dtype.base_dtype), grad,
            use_locking=self._use_locking).op

    def _eager_update(self, grad, var):
        return _k().gradient_descent_update(var.numpy(), self._eager_value(self._learning_rate),
                                          grad)

    def _resource_graph_update(self, grad, var):
        lr = _cast(_ops.convert_to_tensor(self._call_if_callable(self._learning_rate),
                                          name="learning_rate"), var.dtype.base_dtype)
        return var.assign_sub(lr * grad, read_value=False)
