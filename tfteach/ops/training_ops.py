"""The training family: the optimizer update ops. Each reads a variable (and its slots) by
reference (`Apply*`, tf.compat.v1 optimizers) or by resource handle (`ResourceApply*`, Keras 3
optimizers) and writes the updated values back in place, in one op, as TF's do."""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.op_def_library import apply_op


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


_declare_resource("ResourceApplyAdam", ["var", "m", "v"],
                  ["beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"],
                  {"use_locking": False, "use_nesterov": False},
                  doc="Adam update of a resource variable and its moments (Keras 3 Adam).")
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
