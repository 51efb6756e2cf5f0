"""TF1's `tf.train.Optimizer`: `minimize = compute_gradients + apply_gradients`.

In a graph, `compute_gradients` calls `tf.gradients(loss, variables)` and
`apply_gradients` adds one update op per variable (`<Name>/update_<var>/Apply<Name>`)
and a NoOp named after the optimizer that groups them: running it is one training step.
Optimizers with state keep it in *slot* variables next to each variable (`<var>/Adam`,
`<var>/Adam_1`) or in non-slot variables (`beta1_power`), created at the graph's root scope
like TF does.

Executing eagerly (TF2 code using `tf.compat.v1.train.GradientDescentOptimizer` with a
GradientTape) `apply_gradients` updates the variables at once with the same update
functions the graph kernels use, and keeps slot values beside the optimizer.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import nest
from ..framework import ops as _ops
from ..framework.indexed_slices import IndexedSlices
from ..framework.ops import GraphKeys
from ..ops import control_flow_ops, gradients_impl, math_ops, state_ops, variables
from ..ops import training_ops  # noqa: F401  (declares the Apply* ops)

# In the order TF1's error message lists them.
_VALID_DTYPES = (_dt.float32, _dt.float64, _dt.float16, _dt.bfloat16)


class _init_scope:
    """Ops created inside go to the graph's root: no name scope, no control dependencies
    (TF's `ops.init_scope()` for variables made on demand inside other scopes)."""

    def __init__(self, graph):
        self._g = graph

    def __enter__(self):
        self._ns = self._g.name_scope("")
        self._cd = self._g.control_dependencies(None)
        self._ns.__enter__()
        self._cd.__enter__()
        return self

    def __exit__(self, *exc):
        self._cd.__exit__(*exc)
        self._ns.__exit__(*exc)
        return False


def _constant_filled(value, shape, dtype, name):
    """TF's `zeros`/`ones` inside an initializer: a Const when small, a Fill otherwise."""
    from ..ops import constant_op
    shape = [int(d) for d in shape]
    n = int(np.prod(shape)) if shape else 1
    if n < 1000:
        return constant_op.constant(np.full(shape, value, dtype=dtype.np_dtype), name=name)
    from ..ops import math_grad
    with _ops.name_scope(name) as scope:
        dims = constant_op.constant(np.asarray(shape, dtype=np.int32),
                                    name="shape_as_tensor")
        v = constant_op.constant(dtype.np_dtype.type(value), name="Const")
        return math_grad.fill(dims, v, name=scope)


def _var_key(v):
    return id(v)


def _is_variable(v):
    return getattr(v, "_is_graph_variable", False) or \
        getattr(v, "_is_resource_variable", False)


class _EagerValue:
    """One of an eager TF1 optimizer's numbers or slot arrays seen as a variable by
    tf.train.Checkpoint (read with `numpy`, restored with `assign`)."""

    _is_resource_variable = False

    def __init__(self, opt, where, name):
        self._opt, self._where, self.name = opt, where, name

    def numpy(self):
        if self._where[0] == "slot":
            return self._opt._eager_slots[(self._where[1], self._where[2])]
        return np.asarray(self._opt._get_eager_non_slot(self._where[1]))

    @property
    def shape(self):
        return np.shape(self.numpy())

    @property
    def dtype(self):
        from ..framework import dtypes
        return dtypes.as_dtype(np.asarray(self.numpy()).dtype)

    def assign(self, value):
        if self._where[0] == "slot":
            key = (self._where[1], self._where[2])
            self._opt._eager_slots[key] = np.array(value, dtype=self._opt._eager_slots[key].dtype)
        else:
            self._opt._set_eager_non_slot(self._where[1], value)


class Optimizer:
    """Base class of the TF1 optimizers."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}             # slot name -> {var key: slot variable}
        self._non_slot_dict = {}     # (name, graph) -> variable
        self._eager_slots = {}       # (slot name, var key) -> numpy array
        self._eager_non_slot = {}
        self._eager_slot_vars = {}   # var key -> weak reference to the variable

    # --- tf.train.Checkpoint (eager): TF's slot_variables and non-slot variables --------
    def _trackable_children(self):
        """The non-slot variables (Adam's `beta1_power`, `beta2_power`) once they exist; the
        slots go in the checkpoint graph's `slot_variables`, keyed under their variable
        (`model/w/.OPTIMIZER_SLOT/optimizer/m/...`), as TF 2.21 writes a TF1 optimizer."""
        return {name: self._holder(("non_slot", name), name)
                for name in self._eager_non_slot_names()}

    def _holder(self, where, name):
        # one holder per value, so a checkpoint sees the same object on every walk
        holders = self.__dict__.setdefault("_holders", {})
        if where not in holders:
            holders[where] = _EagerValue(self, where, name)
        return holders[where]

    def _eager_non_slot_names(self):
        return []

    def _checkpoint_slots(self):
        """[(variable, slot name, value holder)] in TF's order: slot by slot, then variable
        by variable."""
        out, names = [], []
        for slot, _ in self._eager_slots:
            if slot not in names:
                names.append(slot)
        for name in names:
            for (slot, key) in list(self._eager_slots):
                ref = self._eager_slot_vars.get(key)
                var = ref() if ref is not None else None
                if slot == name and var is not None:
                    out.append((var, slot, self._holder(("slot", slot, key),
                                                        f"{var.name.split(':')[0]}/{slot}")))
        return out

    def _restore_slot(self, var, slot, value):
        import weakref
        base = np.asarray(var.numpy())
        self._eager_slots[(slot, _var_key(var))] = np.array(value, dtype=base.dtype)
        self._eager_slot_vars[_var_key(var)] = weakref.ref(var)

    def get_name(self):
        return self._name

    # --- public API ------------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                f"No gradients provided for any variable, check your graph for ops that do "
                f"not support gradients, between variables "
                f"{[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        if callable(loss):
            return self._compute_gradients_eager(loss, var_list, grad_loss)
        if _ops.executing_eagerly():
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a "
                               "function when eager execution is enabled.")
        if gate_gradients not in (self.GATE_NONE, self.GATE_OP, self.GATE_GRAPH):
            raise ValueError(f"gate_gradients must be one of: Optimizer.GATE_NONE, "
                             f"Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not "
                             f"{gate_gradients}")
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = variables.trainable_variables()
        else:
            var_list = nest.flatten(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        var_refs = [v._ref() if hasattr(v, "_ref") else v for v in var_list]
        grads = gradients_impl.gradients(
            loss, var_refs, grad_ys=grad_loss,
            gate_gradients=(gate_gradients == self.GATE_OP),
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == self.GATE_GRAPH:
            grads = control_flow_ops.tuple(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def _compute_gradients_eager(self, loss_fn, var_list, grad_loss):
        from ..eager import backprop
        with backprop.GradientTape() as tape:
            if var_list is not None:
                tape.watch(var_list)
            loss_value = loss_fn()
        if var_list is None:
            var_list = tape.watched_variables()
        var_list = nest.flatten(var_list)
        grads = tape.gradient(loss_value, var_list, grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None and not isinstance(g, IndexedSlices):
                try:
                    g = _ops.convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError(f"Gradient must be convertible to a Tensor or "
                                    f"IndexedSlices, or None: {g}") from None
            if not _is_variable(v):
                raise NotImplementedError("Trying to update a Tensor ", v)
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[str(v) for _, v in converted]}.")
        if _ops.executing_eagerly():
            return self._apply_gradients_eager(converted, global_step)
        if any(getattr(v, "_is_resource_variable", False) for v in var_list):
            return self._apply_gradients_resource_graph(converted, global_step, name)
        g = var_list[0].graph
        with _init_scope(g):
            self._create_slots(var_list)
        update_ops = []
        with _ops.name_scope(name, self._name) as scope:
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                with _ops.name_scope("update_" + var.op.name), \
                        var.op.graph.colocate_with(var.op):
                    if isinstance(grad, IndexedSlices):
                        update_ops.append(self._apply_sparse_duplicate_indices(grad, var))
                    else:
                        update_ops.append(self._apply_dense(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, scope)
            else:
                with _ops.control_dependencies([self._finish(update_ops, "update")]):
                    apply_updates = state_ops.assign_add(global_step, 1, name=scope).op
            train_op = g.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_op:
                train_op.append(apply_updates)
            return apply_updates

    # --- slots ---------------------------------------------------------------------------------
    def get_slot_names(self):
        return sorted(self._slots)

    def get_slot(self, var, name):
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(_var_key(var))

    def variables(self):
        own = [v for v in self._non_slot_dict.values()]
        for name in sorted(self._slots):
            own.extend(self._slots[name].values())
        return own

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var, value_fn, slot_name, op_name):
        named = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named:
            dtype = var.dtype.base_dtype
            shape = var.shape
            primary = var.op.name

            def init():
                return value_fn(shape, dtype)
            named[key] = variables.RefVariable(init, trainable=False,
                                               name=f"{primary}/{op_name}", dtype=dtype)
        return named[key]

    def _zeros_slot(self, var, slot_name, op_name):
        return self._get_or_make_slot(
            var, lambda s, d: _constant_filled(0, s.as_list(), d, "zeros"), slot_name, op_name)

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        g = colocate_with.graph
        key = (name, g)
        v = self._non_slot_dict.get(key)
        if v is None:
            v = variables.RefVariable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        graph = graph or _ops.get_default_graph()
        return self._non_slot_dict.get((name, graph))

    def _assert_valid_dtypes(self, tensors):
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in _VALID_DTYPES:
                raise ValueError(f"Invalid type {dtype!r} for {t.name}, expected: "
                                 f"{list(_VALID_DTYPES)}.")

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    # --- hooks overridden by each optimizer -----------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad, var):
        """Sums the rows of repeated indices first (Unique + UnsortedSegmentSum), then
        `_apply_sparse`: the SparseApply* kernels expect each row once."""
        from ..ops import array_ops
        unique_indices, positions = array_ops.unique(grad.indices)
        summed = array_ops.unsorted_segment_sum(grad.values, positions,
                                                array_ops.shape(unique_indices)[0])
        return self._apply_sparse(IndexedSlices(summed, unique_indices, grad.dense_shape), var)

    def _apply_sparse(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} has no sparse update")

    def _finish(self, update_ops, name_scope):
        return control_flow_ops.group(*update_ops, name=name_scope)

    # --- eager execution -------------------------------------------------------------------------
    def _eager_value(self, x):
        x = self._call_if_callable(x)
        if hasattr(x, "numpy"):
            return np.asarray(x.numpy())
        return np.asarray(x)

    def _eager_slot(self, var, slot_name, init_value):
        base = getattr(var, "_rows_of", var)
        key = (slot_name, _var_key(base))
        if _var_key(base) not in self._eager_slot_vars:
            import weakref
            self._eager_slot_vars[_var_key(base)] = weakref.ref(base)
        if key not in self._eager_slots:
            self._eager_slots[key] = np.full(np.shape(base.numpy()), init_value,
                                             dtype=base.dtype.base_dtype.np_dtype)
        if base is not var:
            return self._eager_slots[key][var._rows]
        return self._eager_slots[key]

    def _apply_gradients_eager(self, converted, global_step):
        pairs = [(g, v) for g, v in converted if g is not None]
        self._eager_prepare([v for _, v in pairs])
        for g, v in pairs:
            if isinstance(g, IndexedSlices):
                new = self._eager_sparse_update(np.asarray(g.values.numpy()),
                                                np.asarray(g.indices.numpy()), v)
            else:
                new = self._eager_update(np.asarray(g.numpy() if hasattr(g, "numpy") else g),
                                         v)
            v.assign(new.astype(v.dtype.base_dtype.np_dtype, copy=False))
        self._eager_finish()
        if global_step is not None:
            global_step.assign_add(1)
        return None

    def _eager_prepare(self, var_list):
        pass

    def _eager_update_rows(self, grad, view):
        """The rule a SparseApply* kernel applies to the rows (the dense rule unless the
        sparse kernel orders its arithmetic differently)."""
        return self._eager_update(grad, view)

    def _eager_sparse_update(self, values, indices, var):
        """Eager twin of `_apply_sparse_duplicate_indices`: rows of repeated indices summed
        in order, then the dense rule applied to the named rows only (slots included), as
        the SparseApply* kernels do."""
        rows, summed = _deduplicate(values, indices)
        view = _Rows(var, rows)
        new_rows = self._eager_update_rows(summed, view)
        for key in [k for k in self._eager_slots if k[1] == id(view)]:
            part = self._eager_slots.pop(key)
            full = self._eager_slots[(key[0], _var_key(var))].copy()
            full[rows] = part
            self._eager_slots[(key[0], _var_key(var))] = full
        new = np.array(var.numpy(), copy=True)
        new[rows] = new_rows
        return new

    def _eager_update(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} does not support eager execution "
                                  f"in tfteach")

    def _eager_finish(self):
        pass

    def _apply_gradients_resource_graph(self, converted, global_step, name):
        """Inside a tf.function: the update written with ordinary ops on the variables."""
        update_ops = []
        with _ops.name_scope(name, self._name) as scope:
            for grad, var in converted:
                if grad is None:
                    continue
                update_ops.append(self._resource_graph_update(grad, var))
            if global_step is not None:
                update_ops.append(global_step.assign_add(1))
            return control_flow_ops.group(*[u for u in update_ops if u is not None],
                                          name=scope)

    def _resource_graph_update(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} cannot update resource variables "
                                  f"inside a tf.function in tfteach")


class _Rows:
    """Some rows of a variable, seen as a variable by an eager update rule."""

    def __init__(self, var, rows):
        self._rows_of = var
        self._rows = rows
        self.dtype = var.dtype

    def numpy(self):
        return np.asarray(self._rows_of.numpy())[self._rows]


def _deduplicate(values, indices):
    """Each index once, in order of first appearance, with its rows summed in order
    (TF's Unique + UnsortedSegmentSum)."""
    indices = np.asarray(indices).reshape(-1)
    first = {}
    pos = np.empty(len(indices), np.int64)
    for k, i in enumerate(indices.tolist()):
        pos[k] = first.setdefault(i, len(first))
    rows = np.fromiter(first, dtype=np.int64, count=len(first))
    summed = np.zeros((len(rows),) + np.shape(values)[1:], np.asarray(values).dtype)
    np.add.at(summed, pos, values)
    return rows, summed


def _cast(x, dtype):
    # TF returns a tensor of the right dtype before opening the "Cast" name scope.
    if isinstance(x, _ops.Tensor) and x.dtype.base_dtype == dtype:
        return x
    return math_ops.cast(x, dtype)


def _kernels():
    """The update functions (imported on first eager use: kernels load lazily)."""
    from ..kernels.cpu import training
    return training
