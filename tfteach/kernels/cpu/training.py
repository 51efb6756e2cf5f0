"""CPU kernels of the optimizer update ops (ApplyGradientDescent, ApplyAdam, ...).

Each update is a pure function from the current arrays to new arrays (`*_update` below):
the graph kernel reads the variable and slot values from their VariableSlots and swaps the
results in with `ctx.write`, so a failing run puts every variable back; eager optimizers
call the same functions on the variables' values.

The element loops are numba-compiled; scalar hyper-parameters are turned into the
variable's dtype *before* the loop, so float32 variables are updated in float32 arithmetic
exactly as TF's kernels do (a Python literal inside the loop would promote to float64).
"""
import numba
import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from ._build import atomic


# --- element loops ------------------------------------------------------------------------

@numba.njit(cache=True)
def _momentum_loop(var, accum, grad, lr, momentum, nesterov):
    for i in range(var.size):
        a = accum[i] * momentum + grad[i]
        accum[i] = a
        if nesterov:
            var[i] -= grad[i] * lr + a * momentum * lr
        else:
            var[i] -= lr * a


@numba.njit(cache=True)
def _adam_loop(var, m, v, grad, alpha, one_m_b1, one_m_b2, beta1, eps, nesterov):
    for i in range(var.size):
        g = grad[i]
        mi = m[i] + (g - m[i]) * one_m_b1
        vi = v[i] + (g * g - v[i]) * one_m_b2
        m[i] = mi
        v[i] = vi
        if nesterov:
            var[i] -= ((g * one_m_b1 + beta1 * mi) * alpha) / (np.sqrt(vi) + eps)
        else:
            var[i] -= (mi * alpha) / (np.sqrt(vi) + eps)


@numba.njit(cache=True)
def _adagrad_loop(var, accum, grad, lr, one, update_slots):
    for i in range(var.size):
        g = grad[i]
        if update_slots:
            accum[i] += g * g
        var[i] -= g * lr * (one / np.sqrt(accum[i]))


@numba.njit(cache=True)
def _rmsprop_loop(var, ms, mom, grad, lr, one_m_rho, momentum, eps):
    for i in range(var.size):
        g = grad[i]
        s = ms[i] + (g * g - ms[i]) * one_m_rho
        ms[i] = s
        mo = mom[i] * momentum + lr * g / np.sqrt(s + eps)
        mom[i] = mo
        var[i] -= mo


@numba.njit(cache=True)
def _centered_rmsprop_loop(var, mg, ms, mom, grad, lr, one_m_rho, momentum, eps):
    for i in range(var.size):
        g = grad[i]
        s = ms[i] + (g * g - ms[i]) * one_m_rho
        ms[i] = s
        a = mg[i] + (g - mg[i]) * one_m_rho
        mg[i] = a
        mo = mom[i] * momentum + lr * g / np.sqrt(s - a * a + eps)
        mom[i] = mo
        var[i] -= mo


@numba.njit(cache=True)
def _adadelta_loop(var, accum, accum_update, grad, lr, rho, one_m_rho, eps):
    for i in range(var.size):
        g = grad[i]
        a = accum[i] * rho + g * g * one_m_rho
        accum[i] = a
        upd = np.sqrt(accum_update[i] + eps) / np.sqrt(a + eps) * g
        accum_update[i] = accum_update[i] * rho + upd * upd * one_m_rho
        var[i] -= upd * lr


# --- pure updates (shared by graph kernels and eager optimizers) ---------------------------

def _scalar(x, dtype, what, op_type):
    a = np.asarray(x)
    if a.ndim != 0:
        raise errors.InvalidArgumentError(
            None, None, f"{what} is not a scalar: {_dims(a.shape)}")
    return dtype.type(a)


def _same_shape(var, grad, op_type, what="grad"):
    grad = np.asarray(grad)
    if var.shape != grad.shape:
        raise errors.InvalidArgumentError(
            None, None, f"var and {what} do not have the same shape{_dims(var.shape)} "
                        f"{_dims(grad.shape)}")
    return np.ascontiguousarray(grad, dtype=var.dtype).reshape(-1)


def _flat_copy(a):
    return np.array(a, copy=True, order="C").reshape(-1)


def gradient_descent_update(var, alpha, delta):
    # Called once per variable per training step: checks first, then one expression in the
    # variable's dtype (a Python float would be weak-typed by NumPy 2; alpha is cast anyway).
    if type(alpha) is not np.ndarray:
        alpha = np.asarray(alpha)
    if alpha.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"alpha is not a scalar: {_dims(alpha.shape)}")
    if type(delta) is not np.ndarray:
        delta = np.asarray(delta)
    if var.shape != delta.shape:
        raise errors.InvalidArgumentError(
            None, None, f"var and delta do not have the same shape{_dims(var.shape)} "
                        f"{_dims(delta.shape)}")
    dt = var.dtype
    if delta.dtype != dt:
        delta = delta.astype(dt)
    if alpha.dtype != dt:
        alpha = alpha.astype(dt)
    return np.asarray(var - alpha * delta)


def momentum_update(var, accum, lr, grad, momentum, use_nesterov=False):
    dt = var.dtype
    g = _same_shape(var, grad, "ApplyMomentum")
    _same_shape(var, accum, "ApplyMomentum", "accum")
    v, a = _flat_copy(var), _flat_copy(accum)
    _momentum_loop(v, a, g, _scalar(lr, dt, "lr", ""), _scalar(momentum, dt, "momentum", ""),
                   bool(use_nesterov))
    return v.reshape(var.shape), a.reshape(var.shape)


def adam_update(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
                use_nesterov=False):
    dt = var.dtype
    g = _same_shape(var, grad, "ApplyAdam")
    one = dt.type(1)
    b1p, b2p = _scalar(beta1_power, dt, "beta1_power", ""), _scalar(beta2_power, dt,
                                                                      "beta2_power", "")
    lr, b1 = _scalar(lr, dt, "lr", ""), _scalar(beta1, dt, "beta1", "")
    b2, eps = _scalar(beta2, dt, "beta2", ""), _scalar(epsilon, dt, "epsilon", "")
    alpha = dt.type(lr * np.sqrt(one - b2p) / (one - b1p))
    nv, nm, nvv = _flat_copy(var), _flat_copy(m), _flat_copy(v)
    _adam_loop(nv, nm, nvv, g, alpha, dt.type(one - b1), dt.type(one - b2), b1, eps,
               bool(use_nesterov))
    s = var.shape
    return nv.reshape(s), nm.reshape(s), nvv.reshape(s)


def adagrad_update(var, accum, lr, grad, update_slots=True):
    dt = var.dtype
    g = _same_shape(var, grad, "ApplyAdagrad")
    v, a = _flat_copy(var), _flat_copy(accum)
    _adagrad_loop(v, a, g, _scalar(lr, dt, "lr", ""), dt.type(1), bool(update_slots))
    return v.reshape(var.shape), a.reshape(var.shape)


def rmsprop_update(var, ms, mom, lr, rho, momentum, epsilon, grad):
    dt = var.dtype
    g = _same_shape(var, grad, "ApplyRMSProp")
    one = dt.type(1)
    v, s, m = _flat_copy(var), _flat_copy(ms), _flat_copy(mom)
    _rmsprop_loop(v, s, m, g, _scalar(lr, dt, "lr", ""),
                  dt.type(one - _scalar(rho, dt, "rho", "")),
                  _scalar(momentum, dt, "momentum", ""), _scalar(epsilon, dt, "epsilon", ""))
    sh = var.shape
    return v.reshape(sh), s.reshape(sh), m.reshape(sh)


def centered_rmsprop_update(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    dt = var.dtype
    g = _same_shape(var, grad, "ApplyCenteredRMSProp")
    one = dt.type(1)
    v, a, s, m = _flat_copy(var), _flat_copy(mg), _flat_copy(ms), _flat_copy(mom)
    _centered_rmsprop_loop(v, a, s, m, g, _scalar(lr, dt, "lr", ""),
                           dt.type(one - _scalar(rho, dt, "rho", "")),
                           _scalar(momentum, dt, "momentum", ""),
                           _scalar(epsilon, dt, "epsilon", ""))
    sh = var.shape
    return v.reshape(sh), a.reshape(sh), s.reshape(sh), m.reshape(sh)


def adadelta_update(var, accum, accum_update, lr, rho, epsilon, grad):
    dt = var.dtype
    g = _same_shape(var, grad, "ApplyAdadelta")
    one = dt.type(1)
    rho = _scalar(rho, dt, "rho", "")
    v, a, u = _flat_copy(var), _flat_copy(accum), _flat_copy(accum_update)
    _adadelta_loop(v, a, u, g, _scalar(lr, dt, "lr", ""), rho, dt.type(one - rho),
                   _scalar(epsilon, dt, "epsilon", ""))
    sh = var.shape
    return v.reshape(sh), a.reshape(sh), u.reshape(sh)


# --- graph kernels ----------------------------------------------------------------------------

def _value(slot):
    value = slot.value
    if value is None:
        raise errors.FailedPreconditionError(
            None, None, f"Attempting to use uninitialized value {slot.name}")
    return value


@register_kernel("ApplyGradientDescent")
@atomic
def apply_gradient_descent(var, alpha, delta, *, ctx):
    ctx.write(var, gradient_descent_update(_value(var), alpha, delta))
    return var


@register_kernel("ApplyMomentum")
@atomic
def apply_momentum(var, accum, lr, grad, momentum, *, ctx, use_nesterov=False):
    nv, na = momentum_update(_value(var), _value(accum), lr, grad, momentum, use_nesterov)
    ctx.write(accum, na)
    ctx.write(var, nv)
    return var


@register_kernel("ApplyAdam")
@atomic
def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, *,
               ctx, use_nesterov=False):
    nv, nm, nvv = adam_update(_value(var), _value(m), _value(v), beta1_power, beta2_power,
                              lr, beta1, beta2, epsilon, grad, use_nesterov)
    ctx.write(m, nm)
    ctx.write(v, nvv)
    ctx.write(var, nv)
    return var


@register_kernel("ApplyAdagrad")
@atomic
def apply_adagrad(var, accum, lr, grad, *, ctx, update_slots=True):
    nv, na = adagrad_update(_value(var), _value(accum), lr, grad, update_slots)
    ctx.write(accum, na)
    ctx.write(var, nv)
    return var


@register_kernel("ApplyRMSProp")
@atomic
def apply_rmsprop(var, ms, mom, lr, rho, momentum, epsilon, grad, *, ctx):
    nv, ns, nm = rmsprop_update(_value(var), _value(ms), _value(mom), lr, rho, momentum,
                                epsilon, grad)
    ctx.write(ms, ns)
    ctx.write(mom, nm)
    ctx.write(var, nv)
    return var


@register_kernel("ApplyCenteredRMSProp")
@atomic
def apply_centered_rmsprop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, *, ctx):
    nv, na, ns, nm = centered_rmsprop_update(_value(var), _value(mg), _value(ms),
                                             _value(mom), lr, rho, momentum, epsilon, grad)
    ctx.write(mg, na)
    ctx.write(ms, ns)
    ctx.write(mom, nm)
    ctx.write(var, nv)
    return var


@register_kernel("ApplyAdadelta")
@atomic
def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, *, ctx):
    nv, na, nu = adadelta_update(_value(var), _value(accum), _value(accum_update), lr, rho,
                                 epsilon, grad)
    ctx.write(accum, na)
    ctx.write(accum_update, nu)
    ctx.write(var, nv)
    return var


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"

# --- Keras 3 optimizers: fused update loops (shared by keras/optimizers.py's eager path and
# the ResourceApply* kernels) ------------------------

@numba.njit(cache=True, parallel=True)
def _adam(var, m, v, g, alpha, omb1, omb2, eps, nvar, nm, nv):
    for i in numba.prange(var.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * omb1
        vi = v[i] + (gi * gi - v[i]) * omb2
        nm[i] = mi
        nv[i] = vi
        nvar[i] = var[i] - (mi * alpha) / (np.sqrt(vi) + eps)


@numba.njit(cache=True, parallel=True)
def _momentum(var, acc, g, lr, mom, nesterov, nvar, nacc):
    for i in numba.prange(var.size):
        a = acc[i] * mom - g[i] * lr
        nacc[i] = a
        if nesterov:
            nvar[i] = var[i] + (a * mom - g[i] * lr)
        else:
            nvar[i] = var[i] + a


@numba.njit(cache=True, parallel=True)
def _sgd(var, g, lr, nvar):
    for i in numba.prange(var.size):
        nvar[i] = var[i] - g[i] * lr


@numba.njit(cache=True, parallel=True)
def _rmsprop(var, vel, mg, mom, g, lr, rho, omr, eps, momentum, centered, use_mom,
             nvar, nvel, nmg, nmom):
    for i in numba.prange(var.size):
        gi = g[i]
        ve = rho * vel[i] + omr * (gi * gi)
        nvel[i] = ve
        if centered:
            a = rho * mg[i] + omr * gi
            nmg[i] = a
            den = ve - a * a + eps
        else:
            den = ve + eps
        inc = (lr * gi) / np.sqrt(den)
        if use_mom:
            mm = momentum * mom[i] + inc
            nmom[i] = mm
            nvar[i] = var[i] - mm
        else:
            nvar[i] = var[i] - inc


@numba.njit(cache=True, parallel=True)
def _adagrad(var, acc, g, lr, eps, nvar, nacc):
    for i in numba.prange(var.size):
        gi = g[i]
        a = acc[i] + gi * gi
        nacc[i] = a
        nvar[i] = var[i] - (lr * gi) / np.sqrt(a + eps)


_PAR_CLS = [None]
_PAR_MIN = 1 << 20   # below this many elements one thread is faster (and immune to load)


def _run(fn, n, *args):
    """Runs a parallel update loop; small arrays use one thread, since waking the pool
    costs more than the loop (and on a loaded machine, far more)."""
    par = _PAR_CLS[0]
    if par is None:
        from .threads import Parallel as par
        _PAR_CLS[0] = par
    with par(n >= _PAR_MIN):
        fn(*args)


def _flat(a, dtype):
    return np.ascontiguousarray(a, dtype=dtype).reshape(-1)


def _kscalar(x, dtype):
    return np.asarray(x, dtype=dtype)[()]


def _value(slot):
    return slot.value


def _kcheck(slot, grad):
    v = slot.value
    if v is None:
        raise errors.FailedPreconditionError(None, None, f"Could not find variable "
                                                         f"{slot.name}.")
    if np.shape(v) != np.shape(grad):
        raise errors.InvalidArgumentError(None, None, f"var and grad do not have the same "
                                                      f"shape{list(np.shape(v))} "
                                                      f"{list(np.shape(grad))}")
    return v


def _adam_kernel(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, *,
                 ctx, use_nesterov=False):
    x = _kcheck(var, grad)
    dt = np.asarray(x).dtype
    one = np.float32(1)
    alpha = _kscalar(np.float32(lr) * np.sqrt(one - np.float32(beta2_power)) /
                    (one - np.float32(beta1_power)), dt)
    out = [np.empty(np.shape(x), dt) for _ in range(3)]
    _run(_adam, np.size(x), _flat(x, dt), _flat(m.value, dt), _flat(v.value, dt), _flat(grad, dt), alpha,
          _kscalar(1 - beta1, dt), _kscalar(1 - beta2, dt), _kscalar(epsilon, dt),
          out[0].reshape(-1), out[1].reshape(-1), out[2].reshape(-1))
    ctx.write(var, out[0])
    ctx.write(m, out[1])
    ctx.write(v, out[2])


def _momentum_kernel(var, accum, lr, grad, momentum, *, ctx, use_nesterov=False):
    x = _kcheck(var, grad)
    dt = np.asarray(x).dtype
    nvar, nacc = np.empty(np.shape(x), dt), np.empty(np.shape(x), dt)
    _run(_momentum, np.size(x), _flat(x, dt), _flat(accum.value, dt), _flat(grad, dt), _kscalar(lr, dt),
              _kscalar(momentum, dt), bool(use_nesterov), nvar.reshape(-1), nacc.reshape(-1))
    ctx.write(var, nvar)
    ctx.write(accum, nacc)


def _sgd_kernel(var, alpha, delta, *, ctx):
    x = _kcheck(var, delta)
    dt = np.asarray(x).dtype
    nvar = np.empty(np.shape(x), dt)
    _run(_sgd, np.size(x), _flat(x, dt), _flat(delta, dt), _kscalar(alpha, dt), nvar.reshape(-1))
    ctx.write(var, nvar)


register_kernel("ResourceApplyAdam")(atomic(_adam_kernel))
register_kernel("ResourceApplyKerasMomentum")(atomic(_momentum_kernel))
register_kernel("ResourceApplyGradientDescent")(atomic(_sgd_kernel))
