"""Plain gradient descent: var -= learning_rate * grad."""
import numpy as np

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

    def _apply_sparse_duplicate_indices(self, grad, var):
        # No deduplication: ScatterSub subtracts each row in turn.
        lr = _cast(self._learning_rate_tensor, var.dtype.base_dtype)
        return training_ops.scatter_sub(var, grad.indices, grad.values * lr,
                                        use_locking=self._use_locking)

    def _eager_sparse_update(self, values, indices, var):
        dt = var.dtype.base_dtype.np_dtype
        lr = np.asarray(self._eager_value(self._learning_rate)).astype(dt)
        new = np.array(var.numpy(), copy=True)
        np.subtract.at(new, np.asarray(indices).reshape(-1),
                       (np.asarray(values, dt) * lr).reshape((-1,) + new.shape[1:]))
        return new

    def _eager_update(self, grad, var):
        return _k().gradient_descent_update(var.numpy(), self._eager_value(self._learning_rate),
                                          grad)

    def _resource_graph_update(self, grad, var):
        lr = _cast(_ops.convert_to_tensor(self._call_if_callable(self._learning_rate),
                                          name="learning_rate"), var.dtype.base_dtype)
        return var.assign_sub(lr * grad, read_value=False)
