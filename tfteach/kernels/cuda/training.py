"""GPU kernels of the optimizers' update ops (ApplyGradientDescent, ApplyAdam, ...).

Each is one kernel, a thread per element, computing the same update as the CPU loop in
`kernels/cpu/training.py` in the variable's dtype. Hyper-parameters arrive as 1-element
device arrays (constants are copied to the GPU once per plan; beta powers are variables
that live there), so a training step makes no host round trip. New arrays are written
(never in place) and swapped in with `ctx.write`, so a failed run is undone.
"""
import math

import numpy as np

from ... import errors
from . import _dev
from ._dev import cuda, register

_KERNELS = {}
_F = _dev.FLOATS


def _k(name, fn):
    k = _KERNELS.get(name)
    if k is None:
        k = _KERNELS[name] = cuda.jit(fn)
    return k


def _value(slot, resource=False):
    v = _dev.slot_value(slot)
    if v is None:
        raise errors.FailedPreconditionError(
            None, None, f"Could not find variable {slot.name}." if resource else
            f"Attempting to use uninitialized value {slot.name}")
    return v


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _scalar(x, what):
    x = _dev.dev(x)
    if len(x.shape) != 0 and tuple(x.shape) != ():
        raise errors.InvalidArgumentError(None, None,
                                          f"{what} is not a scalar: {_dims(x.shape)}")
    return x.reshape(1)


def _same(var, x, what="grad"):
    x = _dev.contiguous(_dev.dev(x))
    if tuple(var.shape) != tuple(x.shape):
        raise errors.InvalidArgumentError(
            None, None, f"var and {what} do not have the same shape{_dims(var.shape)} "
                        f"{_dims(x.shape)}")
    return _dev.flat(x)


def _new_like(a):
    return _dev.empty(tuple(a.shape), a.dtype)


def _launch(name, fn, n, *args):
    if n:
        _k(name, fn)[_dev.blocks_for(n), _dev.TPB](*args)


# --- kernels --------------------------------------------------------------------------------
def _sgd(var, alpha, delta, out):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = var[i] - alpha[0] * delta[i]


def _momentum(var, accum, grad, lr, mom, nesterov, nv, na):
    i = cuda.grid(1)
    if i < nv.shape[0]:
        a = accum[i] * mom[0] + grad[i]
        na[i] = a
        if nesterov:
            nv[i] = var[i] - (grad[i] * lr[0] + a * mom[0] * lr[0])
        else:
            nv[i] = var[i] - lr[0] * a


def _adam(var, m, v, grad, b1p, b2p, lr, b1, b2, eps, nesterov, nvar, nm, nvv):
    i = cuda.grid(1)
    if i < nvar.shape[0]:
        one = b1[0] * 0 + 1
        alpha = lr[0] * math.sqrt(one - b2p[0]) / (one - b1p[0])
        g = grad[i]
        mi = m[i] + (g - m[i]) * (one - b1[0])
        vi = v[i] + (g * g - v[i]) * (one - b2[0])
        nm[i] = mi
        nvv[i] = vi
        if nesterov:
            nvar[i] = var[i] - ((g * (one - b1[0]) + b1[0] * mi) * alpha) / \
                (math.sqrt(vi) + eps[0])
        else:
            nvar[i] = var[i] - (mi * alpha) / (math.sqrt(vi) + eps[0])


def _adagrad(var, accum, grad, lr, update_slots, nv, na):
    i = cuda.grid(1)
    if i < nv.shape[0]:
        g = grad[i]
        a = accum[i]
        if update_slots:
            a += g * g
        na[i] = a
        nv[i] = var[i] - g * lr[0] * (1 / math.sqrt(a))


def _rmsprop(var, ms, mom, grad, lr, rho, momentum, eps, nv, ns, nm):
    i = cuda.grid(1)
    if i < nv.shape[0]:
        g = grad[i]
        one = rho[0] * 0 + 1
        s = ms[i] + (g * g - ms[i]) * (one - rho[0])
        ns[i] = s
        mo = mom[i] * momentum[0] + lr[0] * g / math.sqrt(s + eps[0])
        nm[i] = mo
        nv[i] = var[i] - mo


def _centered(var, mg, ms, mom, grad, lr, rho, momentum, eps, nv, na, ns, nm):
    i = cuda.grid(1)
    if i < nv.shape[0]:
        g = grad[i]
        one = rho[0] * 0 + 1
        s = ms[i] + (g * g - ms[i]) * (one - rho[0])
        ns[i] = s
        a = mg[i] + (g - mg[i]) * (one - rho[0])
        na[i] = a
        mo = mom[i] * momentum[0] + lr[0] * g / math.sqrt(s - a * a + eps[0])
        nm[i] = mo
        nv[i] = var[i] - mo


def _adadelta(var, accum, accum_update, grad, lr, rho, eps, nv, na, nu):
    i = cuda.grid(1)
    if i < nv.shape[0]:
        g = grad[i]
        one = rho[0] * 0 + 1
        a = accum[i] * rho[0] + g * g * (one - rho[0])
        na[i] = a
        upd = math.sqrt(accum_update[i] + eps[0]) / math.sqrt(a + eps[0]) * g
        nu[i] = accum_update[i] * rho[0] + upd * upd * (one - rho[0])
        nv[i] = var[i] - upd * lr[0]


# --- graph kernels ----------------------------------------------------------------------------
def _scalars_match(op):
    """The GPU kernels read hyper-parameters in the variable's dtype."""
    dt = op.get_attr("T") if "T" in op._attrs else op.inputs[0].dtype.base_dtype
    dt = getattr(dt, "base_dtype", dt)
    return all(t.dtype.base_dtype == dt for t in op.inputs
               if not t.dtype.is_ref_dtype and t.dtype.base_dtype.name != "resource")


@register("ApplyGradientDescent", dtypes=_F, check=_scalars_match)
def apply_gradient_descent(var, alpha, delta, *, ctx):
    v = _value(var)
    d = _dev.dev(delta)
    if tuple(v.shape) != tuple(d.shape):
        raise errors.InvalidArgumentError(
            None, None, f"var and delta do not have the same shape{_dims(v.shape)} "
                        f"{_dims(d.shape)}")
    out = _new_like(v)
    _launch("sgd", _sgd, _dev.size_of(v.shape), _dev.flat(v), _scalar(alpha, "alpha"),
            _dev.flat(_dev.contiguous(d)), _dev.flat(out))
    ctx.write(var, out)
    return var


@register("ApplyMomentum", dtypes=_F, check=_scalars_match)
def apply_momentum(var, accum, lr, grad, momentum, *, ctx, use_nesterov=False):
    v, a = _value(var), _value(accum)
    g = _same(v, grad)
    _same(v, a, "accum")
    nv, na = _new_like(v), _new_like(a)
    _launch("momentum", _momentum, _dev.size_of(v.shape), _dev.flat(v), _dev.flat(a), g,
            _scalar(lr, "lr"), _scalar(momentum, "momentum"), bool(use_nesterov),
            _dev.flat(nv), _dev.flat(na))
    ctx.write(accum, na)
    ctx.write(var, nv)
    return var


@register("ApplyAdam", dtypes=_F, check=_scalars_match)
def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, *,
               ctx, use_nesterov=False):
    x, mm, vv = _value(var), _value(m), _value(v)
    g = _same(x, grad)
    nx, nm, nvv = _new_like(x), _new_like(mm), _new_like(vv)
    _launch("adam", _adam, _dev.size_of(x.shape), _dev.flat(x), _dev.flat(mm),
            _dev.flat(vv), g, _scalar(beta1_power, "beta1_power"),
            _scalar(beta2_power, "beta2_power"), _scalar(lr, "lr"),
            _scalar(beta1, "beta1"), _scalar(beta2, "beta2"), _scalar(epsilon, "epsilon"),
            bool(use_nesterov), _dev.flat(nx), _dev.flat(nm), _dev.flat(nvv))
    ctx.write(m, nm)
    ctx.write(v, nvv)
    ctx.write(var, nx)
    return var


@register("ApplyAdagrad", dtypes=_F, check=_scalars_match)
def apply_adagrad(var, accum, lr, grad, *, ctx, update_slots=True):
    v, a = _value(var), _value(accum)
    g = _same(v, grad)
    nv, na = _new_like(v), _new_like(a)
    _launch("adagrad", _adagrad, _dev.size_of(v.shape), _dev.flat(v), _dev.flat(a), g,
            _scalar(lr, "lr"), bool(update_slots), _dev.flat(nv), _dev.flat(na))
    ctx.write(accum, na)
    ctx.write(var, nv)
    return var


@register("ApplyRMSProp", dtypes=_F, check=_scalars_match)
def apply_rmsprop(var, ms, mom, lr, rho, momentum, epsilon, grad, *, ctx):
    v, s, m = _value(var), _value(ms), _value(mom)
    g = _same(v, grad)
    nv, ns, nm = _new_like(v), _new_like(s), _new_like(m)
    _launch("rmsprop", _rmsprop, _dev.size_of(v.shape), _dev.flat(v), _dev.flat(s),
            _dev.flat(m), g, _scalar(lr, "lr"), _scalar(rho, "rho"),
            _scalar(momentum, "momentum"), _scalar(epsilon, "epsilon"),
            _dev.flat(nv), _dev.flat(ns), _dev.flat(nm))
    ctx.write(ms, ns)
    ctx.write(mom, nm)
    ctx.write(var, nv)
    return var


@register("ApplyCenteredRMSProp", dtypes=_F, check=_scalars_match)
def apply_centered_rmsprop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, *, ctx):
    v, a, s, m = _value(var), _value(mg), _value(ms), _value(mom)
    g = _same(v, grad)
    nv, na, ns, nm = _new_like(v), _new_like(a), _new_like(s), _new_like(m)
    _launch("centered", _centered, _dev.size_of(v.shape), _dev.flat(v), _dev.flat(a),
            _dev.flat(s), _dev.flat(m), g, _scalar(lr, "lr"), _scalar(rho, "rho"),
            _scalar(momentum, "momentum"), _scalar(epsilon, "epsilon"),
            _dev.flat(nv), _dev.flat(na), _dev.flat(ns), _dev.flat(nm))
    ctx.write(mg, na)
    ctx.write(ms, ns)
    ctx.write(mom, nm)
    ctx.write(var, nv)
    return var


@register("ApplyAdadelta", dtypes=_F, check=_scalars_match)
def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, *, ctx):
    v, a, u = _value(var), _value(accum), _value(accum_update)
    g = _same(v, grad)
    nv, na, nu = _new_like(v), _new_like(a), _new_like(u)
    _launch("adadelta", _adadelta, _dev.size_of(v.shape), _dev.flat(v), _dev.flat(a),
            _dev.flat(u), g, _scalar(lr, "lr"), _scalar(rho, "rho"),
            _scalar(epsilon, "epsilon"), _dev.flat(nv), _dev.flat(na), _dev.flat(nu))
    ctx.write(accum, na)
    ctx.write(accum_update, nu)
    ctx.write(var, nv)
    return var


# --- the resource forms (Keras optimizers inside tf.function): the handle is host memory,
# the variable's value stays on the device between steps --------------------------------
def _keras_momentum(var, accum, grad, lr, mom, nesterov, nv, na):
    i = cuda.grid(1)
    if i < nv.shape[0]:
        a = accum[i] * mom[0] - grad[i] * lr[0]
        na[i] = a
        if nesterov:
            nv[i] = var[i] + (a * mom[0] - grad[i] * lr[0])
        else:
            nv[i] = var[i] + a


@register("ResourceApplyGradientDescent", dtypes=_F, check=_scalars_match,
          host_memory=("var",))
def resource_apply_gradient_descent(var, alpha, delta, *, ctx):
    v = _value(var, True)
    d = _dev.dev(delta)
    if tuple(v.shape) != tuple(d.shape):
        raise errors.InvalidArgumentError(
            None, None, f"var and delta do not have the same shape{_dims(v.shape)} "
                        f"{_dims(d.shape)}")
    out = _new_like(v)
    _launch("sgd", _sgd, _dev.size_of(v.shape), _dev.flat(v), _scalar(alpha, "alpha"),
            _dev.flat(_dev.contiguous(d)), _dev.flat(out))
    ctx.write(var, out)


@register("ResourceApplyKerasMomentum", dtypes=_F, check=_scalars_match,
          host_memory=("var", "accum"))
def resource_apply_keras_momentum(var, accum, lr, grad, momentum, *, ctx,
                                  use_nesterov=False):
    v, a = _value(var, True), _value(accum, True)
    g = _same(v, grad)
    _same(v, a, "accum")
    nv, na = _new_like(v), _new_like(a)
    _launch("keras_momentum", _keras_momentum, _dev.size_of(v.shape), _dev.flat(v),
            _dev.flat(a), g, _scalar(lr, "lr"), _scalar(momentum, "momentum"),
            bool(use_nesterov), _dev.flat(nv), _dev.flat(na))
    ctx.write(var, nv)
    ctx.write(accum, na)

del np
