"""The training family: the optimizer update ops. Each reads a variable (and its slots) by
reference (`Apply*`, tf.compat.v1 optimizers) or by resource handle (`ResourceApply*`, Keras 3
optimizers) and writes the updated values back in place, in one op, as TF's do; the
`SparseApply*`/`Scatter*` ops update only the rows an IndexedSlices gradient names."""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.op_def_library import apply_op
from .state_ops import scatter_rows_shape


def _declare(op_type, refs, scalars_and_grad, doc):
    inputs = [(n, "ref:T") for n in refs] + [(n, "T") for n in scalars_and_grad]
    registry.register_op(op_type, inputs=inputs, outputs=(("out", "ref:T"),),
                         shape=lambda op: [op.inputs[0].shape], stateful=True, doc=doc)


_declare("ApplyGradientDescent", ["var"], ["alpha", "delta"],
         doc="var -= alpha * delta, in place.")
_declare("ApplyMomentum", ["var", "accum"], ["lr", "grad", "momentum"],
         doc="Momentum update of var and its accumulator, in place (optionally Nesterov).")
_declare("ApplyAdam", ["var", "m", "v"], ["beta1_power", "beta2_power", "lr", "beta1",
                                          "beta2", "epsilon", "grad"],
         doc="Adam update of var and its first and second moments, in place.")
_declare("ApplyAdagrad", ["var", "accum"], ["lr", "grad"],
         doc="Adagrad update of var and its squared-gradient accumulator, in place.")
_declare("ApplyRMSProp", ["var", "ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"],
         doc="RMSProp update of var, its mean square and its momentum, in place.")
_declare("ApplyCenteredRMSProp", ["var", "mg", "ms", "mom"],
         ["lr", "rho", "momentum", "epsilon", "grad"],
         doc="Centered RMSProp update (also tracking the mean gradient), in place.")
_declare("ApplyAdadelta", ["var", "accum", "accum_update"], ["lr", "rho", "epsilon", "grad"],
         doc="Adadelta update of var and its two accumulators, in place.")
for _t in ("ApplyGradientDescent", "ApplyMomentum", "ApplyAdam", "ApplyAdagrad",
           "ApplyRMSProp", "ApplyCenteredRMSProp", "ApplyAdadelta"):
    registry.NotDifferentiable(_t)


# --- the resource updates of Keras 3 optimizers (keras/optimizers.py) ----------------------

def _declare_resource(op_type, handles, values, attrs=None, doc=""):
    inputs = [(n, _dt.resource) for n in handles] + [(n, "T") for n in values]
    registry.register_op(op_type, inputs=inputs, outputs=(), shape=lambda op: [],
                         stateful=True, attr_defaults=attrs or {}, doc=doc)
    registry.NotDifferentiable(op_type)


_declare_resource("ResourceApplyKerasMomentum", ["var", "accum"], ["lr", "grad", "momentum"],
                  {"use_locking": False, "use_nesterov": False},
                  doc="Keras-style momentum update of a resource variable (Keras 3 SGD).")
_declare_resource("ResourceApplyGradientDescent", ["var"], ["alpha", "delta"],
                  {"use_locking": False},
                  doc="var -= alpha * delta on a resource variable (Keras 3 SGD).")


def _ref(v):
    return v._ref() if hasattr(v, "_ref") and callable(v._ref) else v


@registry.api("ApplyGradientDescent")
def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    return apply_op("ApplyGradientDescent", [_ref(var), alpha, delta],
                    {"use_locking": bool(use_locking)}, name=name or "ApplyGradientDescent")[0]


@registry.api("ApplyMomentum")
def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False,
                   name=None):
    return apply_op("ApplyMomentum", [_ref(var), _ref(accum), lr, grad, momentum],
                    {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)},
                    name=name or "ApplyMomentum")[0]


@registry.api("ApplyAdam")
def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
               use_locking=False, use_nesterov=False, name=None):
    return apply_op("ApplyAdam", [_ref(var), _ref(m), _ref(v), beta1_power, beta2_power, lr,
                                  beta1, beta2, epsilon, grad],
                    {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)},
                    name=name or "ApplyAdam")[0]


@registry.api("ApplyAdagrad")
def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    return apply_op("ApplyAdagrad", [_ref(var), _ref(accum), lr, grad],
                    {"use_locking": bool(use_locking), "update_slots": bool(update_slots)},
                    name=name or "ApplyAdagrad")[0]


@registry.api("ApplyRMSProp")
def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False,
                   name=None):
    return apply_op("ApplyRMSProp", [_ref(var), _ref(ms), _ref(mom), lr, rho, momentum,
                                     epsilon, grad],
                    {"use_locking": bool(use_locking)}, name=name or "ApplyRMSProp")[0]


@registry.api("ApplyCenteredRMSProp")
def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad,
                            use_locking=False, name=None):
    return apply_op("ApplyCenteredRMSProp", [_ref(var), _ref(mg), _ref(ms), _ref(mom), lr,
                                             rho, momentum, epsilon, grad],
                    {"use_locking": bool(use_locking)},
                    name=name or "ApplyCenteredRMSProp")[0]


@registry.api("ApplyAdadelta")
def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False,
                   name=None):
    return apply_op("ApplyAdadelta", [_ref(var), _ref(accum), _ref(accum_update), lr, rho,
                                      epsilon, grad],
                    {"use_locking": bool(use_locking)}, name=name or "ApplyAdadelta")[0]


# --- sparse updates: only the rows an IndexedSlices gradient names ----------------------------
# (the v1 optimizers' `_apply_sparse`, Keras 3's `assign_sub` of IndexedSlices)

def _declare_sparse(op_type, refs, before, after=(), resource=False, doc="", attrs=None):
    kind = _dt.resource if resource else "ref:T"
    inputs = ([(n, kind) for n in refs] + [(n, "T") for n in before] +
              [("indices", "Tindices")] + [(n, "T") for n in after])
    outputs = () if resource else (("out", "ref:T"),)
    registry.register_op(op_type, inputs=inputs, outputs=outputs,
                         shape=(lambda op: []) if resource else
                         (lambda op: [op.inputs[0].shape]),
                         stateful=True, attr_defaults={"use_locking": False, **(attrs or {})},
                         doc=doc)
    registry.NotDifferentiable(op_type)


for _res in (False,):   # the ref ops tf.compat.v1 optimizers build in graphs
    _p = "Resource" if _res else ""
    _declare_sparse(f"{_p}SparseApplyMomentum", ["var", "accum"], ["lr", "grad"], ["momentum"],
                    _res, doc="accum[i] = momentum * accum[i] + grad; var[i] -= lr * accum[i] "
                              "for each row i of indices", attrs={"use_nesterov": False})
    _declare_sparse(f"{_p}SparseApplyAdagrad", ["var", "accum"], ["lr", "grad"], (), _res,
                    doc="accum[i] += grad^2; var[i] -= lr * grad / sqrt(accum[i]) per row",
                    attrs={"update_slots": True})
    _declare_sparse(f"{_p}SparseApplyRMSProp", ["var", "ms", "mom"],
                    ["lr", "rho", "momentum", "epsilon", "grad"], (), _res,
                    doc="RMSProp's update of the rows named by indices")
    _declare_sparse(f"{_p}SparseApplyCenteredRMSProp", ["var", "mg", "ms", "mom"],
                    ["lr", "rho", "momentum", "epsilon", "grad"], (), _res,
                    doc="centered RMSProp's update of the rows named by indices")
    _declare_sparse(f"{_p}SparseApplyAdadelta", ["var", "accum", "accum_update"],
                    ["lr", "rho", "epsilon", "grad"], (), _res,
                    doc="Adadelta's update of the rows named by indices")


for _t, _what in (("ScatterAdd", "+="), ("ScatterSub", "-="), ("ScatterUpdate", "=")):
    registry.register_op(_t, inputs=(("ref", "ref:T"), ("indices", "Tindices"),
                                     ("updates", "T")),
                         outputs=(("output_ref", "ref:T"),), shape=scatter_rows_shape,
                         stateful=True, attr_defaults={"use_locking": _t != "ScatterUpdate"},
                         doc=f"ref[indices[i]] {_what} updates[i], one row after another")
    if _t != "ScatterUpdate":       # as in TF 2.21, which registers nothing for it
        registry.NotDifferentiable(_t)
    registry.register_op(f"Resource{_t}",
                         inputs=(("resource", _dt.resource), ("indices", "Tindices"),
                                 ("updates", "dtype")),
                         outputs=(), shape=lambda op: [], stateful=True,
                         doc=f"variable[indices[i]] {_what} updates[i], one row after another")
    registry.NotDifferentiable(f"Resource{_t}")


def _sparse_apply(op_type, refs, before, indices, after, use_locking, name):
    return apply_op(op_type, [_ref(r) for r in refs] + list(before) + [indices] + list(after),
                    {"use_locking": bool(use_locking)}, name=name or op_type)


@registry.api("SparseApplyMomentum")
def sparse_apply_momentum(var, accum, lr, grad, indices, momentum, use_locking=False,
                          use_nesterov=False, name=None):
    return apply_op("SparseApplyMomentum", [_ref(var), _ref(accum), lr, grad, indices, momentum],
                    {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)},
                    name=name or "SparseApplyMomentum")[0]


@registry.api("SparseApplyAdagrad")
def sparse_apply_adagrad(var, accum, lr, grad, indices, use_locking=False, update_slots=True,
                         name=None):
    return apply_op("SparseApplyAdagrad", [_ref(var), _ref(accum), lr, grad, indices],
                    {"use_locking": bool(use_locking), "update_slots": bool(update_slots)},
                    name=name or "SparseApplyAdagrad")[0]


@registry.api("SparseApplyRMSProp")
def sparse_apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, indices,
                          use_locking=False, name=None):
    return _sparse_apply("SparseApplyRMSProp", [var, ms, mom],
                         [lr, rho, momentum, epsilon, grad], indices, (), use_locking, name)[0]


@registry.api("SparseApplyCenteredRMSProp")
def sparse_apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad,
                                   indices, use_locking=False, name=None):
    return _sparse_apply("SparseApplyCenteredRMSProp", [var, mg, ms, mom],
                         [lr, rho, momentum, epsilon, grad], indices, (), use_locking, name)[0]


@registry.api("SparseApplyAdadelta")
def sparse_apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, indices,
                          use_locking=False, name=None):
    return _sparse_apply("SparseApplyAdadelta", [var, accum, accum_update],
                         [lr, rho, epsilon, grad], indices, (), use_locking, name)[0]


@registry.api("ScatterAdd")
def scatter_add(ref, indices, updates, use_locking=False, name=None):
    return apply_op("ScatterAdd", [_ref(ref), indices, updates],
                    {"use_locking": bool(use_locking)}, name=name or "ScatterAdd")[0]


@registry.api("ScatterSub")
def scatter_sub(ref, indices, updates, use_locking=False, name=None):
    return apply_op("ScatterSub", [_ref(ref), indices, updates],
                    {"use_locking": bool(use_locking)}, name=name or "ScatterSub")[0]


@registry.api("ScatterUpdate")
def scatter_update(ref, indices, updates, use_locking=True, name=None):
    return apply_op("ScatterUpdate", [_ref(ref), indices, updates],
                    {"use_locking": bool(use_locking)}, name=name or "ScatterUpdate")[0]
