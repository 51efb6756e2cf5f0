"""tf.train.SyncReplicasOptimizer: synchronous data-parallel training with parameter servers.

Each worker computes gradients on its batch and applies them to a ConditionalAccumulator
per variable (on that variable's PS), stamped with its `local_step`. The chief's queue
runner takes `replicas_to_aggregate` gradients from every accumulator (take_grad waits for
them), applies their mean with the wrapped optimizer, bumps the global step, and puts one
token per replica (the new global step) in the shared `sync_token_q`. A worker's train op
ends by taking a token and copying it into its local step, so it cannot run ahead of the
update; a gradient computed before the last update (local_step < global step) is dropped by
the accumulator as stale.

Workers need the hook of `make_session_run_hook(is_chief)` in their MonitoredSession: it
initialises the local step (and, on the chief, the accumulators' global step and the first
tokens) and starts the chief's queue runner.
"""
from ..framework import ops as _ops
from ..ops import array_ops, control_flow_ops, data_flow_ops, state_ops, variables
from .optimizer import Optimizer
from .queue_runner import QueueRunner
from .session_run_hook import SessionRunHook

__all__ = ["SyncReplicasOptimizer"]


class SyncReplicasOptimizer(Optimizer):
    def __init__(self, opt, replicas_to_aggregate, total_num_replicas=None,
                 variable_averages=None, variables_to_average=None, use_locking=False,
                 name="sync_replicas"):
        if variable_averages is not None or variables_to_average is not None:
            raise NotImplementedError(
                "SyncReplicasOptimizer(variable_averages=...) needs "
                "tf.train.ExponentialMovingAverage, which tfteach does not implement yet")
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        super().__init__(use_locking, name)
        self._opt = opt
        self._replicas_to_aggregate = replicas_to_aggregate
        self._total_num_replicas = total_num_replicas
        self._tokens_per_step = max(total_num_replicas, replicas_to_aggregate)
        self._gradients_applied = False
        self._global_step = None
        self._sync_token_queue = None
        self._chief_queue_runner = None
        self._accumulator_list = []

    def compute_gradients(self, *args, **kwargs):
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        grads_and_vars = list(grads_and_vars)
        self._global_step = global_step
        g = _ops.get_default_graph()
        gs_dtype = global_step.dtype.base_dtype
        # the local step stays on this worker (next to an op the device scope puts here),
        # not on a PS where replica_device_setter sends variables
        local_anchor = control_flow_ops.no_op()
        with g.colocate_with(local_anchor):
            from ..ops.constant_op import constant
            self._local_step = variables.RefVariable(
                constant(0, dtype=gs_dtype), trainable=False,
                collections=[_ops.GraphKeys.LOCAL_VARIABLES], name="sync_rep_local_step")
        self.local_step_init_op = state_ops.assign(self._local_step, global_step)
        chief_init_ops = [self.local_step_init_op]
        self.ready_for_local_init_op = variables.report_uninitialized_variables(
            variables.global_variables())

        train_ops, aggregated, var_list = [], [], []
        with g.name_scope(self._name):
            for grad, var in grads_and_vars:
                var_list.append(var)
                with g.device(var.device):
                    if grad is None:
                        aggregated.append(None)
                        continue
                    if not isinstance(grad, _ops.Tensor):
                        raise ValueError(f"Unknown grad type {type(grad)} (tfteach's "
                                         f"SyncReplicasOptimizer takes dense gradients)")
                    accum = data_flow_ops.ConditionalAccumulator(
                        grad.dtype, shape=var.shape, shared_name=var.name + "/grad_accum")
                    train_ops.append(accum.apply_grad(grad, local_step=self._local_step))
                    aggregated.append(accum.take_grad(self._replicas_to_aggregate))
                    self._accumulator_list.append((accum, var.device))
            with g.device(global_step.device), g.name_scope(""):
                update_op = self._opt.apply_gradients(zip(aggregated, var_list), global_step)
                self._sync_token_queue = data_flow_ops.FIFOQueue(
                    -1, gs_dtype, shapes=(), name="sync_token_q", shared_name="sync_token_q")
                with g.control_dependencies(train_ops):
                    token = self._sync_token_queue.dequeue()
                train_op = state_ops.assign(self._local_step, token)
                with g.control_dependencies([update_op]):
                    tokens = array_ops.fill([self._tokens_per_step], global_step)
                    sync_op = self._sync_token_queue.enqueue_many((tokens,))
                self._chief_queue_runner = QueueRunner(self._sync_token_queue, [sync_op])
            for accum, dev in self._accumulator_list:
                with g.device(dev):
                    chief_init_ops.append(accum.set_global_step(global_step,
                                                                name="SetGlobalStep"))
            self.chief_init_op = control_flow_ops.group(*chief_init_ops)
        self._gradients_applied = True
        return train_op

    def get_chief_queue_runner(self):
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_init_tokens_op(self, num_tokens=-1):
        """The op the chief runs once to let the workers start (num_tokens=-1: one per
        aggregated replica)."""
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError(f"Too few tokens to finish the first step: {num_tokens} (given) "
                             f"vs {tokens_needed} (needed)")
        if num_tokens <= 0:
            return control_flow_ops.no_op(name="no_init_tokens")
        g = _ops.get_default_graph()
        with g.device(self._global_step.device), g.name_scope(""):
            tokens = array_ops.fill([num_tokens], self._global_step)
            return self._sync_token_queue.enqueue_many((tokens,))

    def make_session_run_hook(self, is_chief, num_tokens=-1):
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)

    def get_slot(self, *args, **kwargs):
        return self._opt.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._opt.get_slot_names(*args, **kwargs)

    def variables(self):
        return self._opt.variables()


class _SyncReplicasOptimizerHook(SessionRunHook):
    def __init__(self, sync_optimizer, is_chief, num_tokens):
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self):
        opt = self._sync_optimizer
        if not opt._gradients_applied:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before "
                             "using the hook.")
        self._ready_for_local_init_op = opt.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = opt.chief_init_op
            self._q_runner = opt.get_chief_queue_runner()
            self._init_tokens_op = opt.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = opt.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None

    def after_create_session(self, session, coord):
        missing = session.run(self._ready_for_local_init_op)
        if getattr(missing, "size", 0):
            raise RuntimeError(
                "Init operations did not make model ready for SyncReplicasOptimizer local_init."
                f" Init op: {self._local_init_op.name}, error: Variables not initialized: "
                + ", ".join(m.decode() if isinstance(m, bytes) else str(m)
                            for m in missing.ravel()))
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
