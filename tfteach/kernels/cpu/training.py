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

@numba.njit(cache=True, error_model="numpy")
def _momentum_loop(var, accum, grad, lr, momentum, nesterov):
    for i in range(var.size):
        a = accum[i] * momentum + grad[i]
        accum[i] = a
        if nesterov:
            var[i] -= grad[i] * lr + a * momentum * lr
        else:
            var[i] -= lr * a


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
def _adagrad_loop(var, accum, grad, lr, one, update_slots):
    for i in range(var.size):
        g = grad[i]
        if update_slots:
            accum[i] += g * g
        var[i] -= g * lr * (one / np.sqrt(accum[i]))


@numba.njit(cache=True, error_model="numpy")
def _rmsprop_loop(var, ms, mom, grad, lr, one_m_rho, momentum, eps):
    for i in range(var.size):
        g = grad[i]
        s = ms[i] + (g * g - ms[i]) * one_m_rho
        ms[i] = s
        mo = mom[i] * momentum + lr * g / np.sqrt(s + eps)
        mom[i] = mo
        var[i] -= mo


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
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


# --- sparse updates (IndexedSlices gradients) -----------------------------------------------

def _check_rows(op_type, x, grad, indices, slots=()):
    """TF's checks of a SparseApply* op: rows of grad pair with indices, each in range."""
    idx = np.asarray(indices)
    grad = np.asarray(grad)
    for s in slots:
        if np.shape(s) != x.shape:
            raise errors.InvalidArgumentError(
                None, None, f"var and accum do not have the same shape{_dims(x.shape)} "
                            f"{_dims(np.shape(s))}")
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "var must be at least 1 dimensional")
    if idx.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "indices must be one-dimensional")
    for d in range(1, x.ndim):
        if grad.ndim != x.ndim or grad.shape[d] != x.shape[d]:
            raise errors.InvalidArgumentError(
                None, None, f"var and grad must match in dimension {d}")
    if grad.shape[0] != idx.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, "grad must be the same size as indices in the first dimension.")
    n = x.shape[0]
    for k, i in enumerate(idx.tolist()):
        if not 0 <= i < n:
            raise errors.InvalidArgumentError(
                None, None, f"Index {i} at offset {k} in indices is out of range")
    return idx.astype(np.int64), np.asarray(grad, dtype=x.dtype)


def sparse_rows_update(op_type, x, slot_values, grad, indices, fn):
    """Applies the dense update `fn(var_rows, slot_rows, grad_rows) -> (var, *slots)` to the
    rows `indices` names, one row after another as TF's SparseApply kernels do (rows
    named once are updated together: the same arithmetic, element by element)."""
    idx, grad = _check_rows(op_type, x, grad, indices, slot_values)
    nx = np.array(x, copy=True)
    ns = [np.array(s, copy=True) for s in slot_values]
    if len(np.unique(idx)) == len(idx):
        groups = [np.arange(len(idx))]
    else:
        groups = [np.array([k]) for k in range(len(idx))]
    for k in groups:
        rows = idx[k]
        outs = fn(nx[rows], [s[rows] for s in ns], grad[k])
        nx[rows] = outs[0]
        for s, o in zip(ns, outs[1:]):
            s[rows] = o
    return nx, ns


def _sparse_kernel(op_type, n_slots, make_fn, returns_ref):
    def run(args, ctx, attrs):
        var, slots = args[0], list(args[1:1 + n_slots])
        rest = args[1 + n_slots:]
        fn, grad, indices = make_fn(rest, attrs)
        nx, ns = sparse_rows_update(op_type, _value(var), [_value(s) for s in slots], grad,
                                    indices, fn)
        for s, v in zip(slots, ns):
            ctx.write(s, v)
        ctx.write(var, nx)
        return var if returns_ref else None

    # the executor passes the attrs a kernel names as keyword-only parameters
    if "Momentum" in op_type:
        def kernel(*args, ctx, use_nesterov=False):
            return run(args, ctx, {"use_nesterov": use_nesterov})
    elif "Adagrad" in op_type:
        def kernel(*args, ctx, update_slots=True):
            return run(args, ctx, {"update_slots": update_slots})
    else:
        def kernel(*args, ctx):
            return run(args, ctx, {})
    kernel.__name__ = op_type
    return kernel


def momentum_rows(var, accum, lr, grad, momentum, nesterov):
    """SparseApplyMomentum's rows: Nesterov's step groups (lr * accum) * momentum, unlike
    the dense kernel's (accum * momentum) * lr."""
    dt = var.dtype.type
    lr, momentum = dt(lr), dt(momentum)
    a = accum * momentum + grad
    if nesterov:
        return var - (lr * grad + (lr * a) * momentum), a
    return var - lr * a, a


def _momentum_fn(rest, attrs):
    lr, grad, indices, momentum = rest
    nesterov = attrs.get("use_nesterov", False)
    return (lambda v, s, g: momentum_rows(v, s[0], lr, g, momentum, nesterov),
            grad, indices)


def _adagrad_fn(rest, attrs):
    lr, grad, indices = rest
    slots = attrs.get("update_slots", True)
    return (lambda v, s, g: adagrad_update(v, s[0], lr, g, slots)), grad, indices


def _rmsprop_rows(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    # TF's sparse RMSProp kernels order the arithmetic unlike the dense ones:
    # ms = ms*rho + g^2*(1-rho), then lr * g scaled by rsqrt(ms + eps).
    dt = var.dtype.type
    lr, rho = dt(lr), dt(rho)
    momentum, epsilon = dt(momentum), dt(epsilon)
    ms = ms * rho + np.square(grad) * (dt(1) - rho)
    if mg is not None:
        mg = mg * rho + grad * (dt(1) - rho)
        denom = (ms - np.square(mg)) + epsilon
    else:
        denom = ms + epsilon
    mom = mom * momentum + (dt(1) / np.sqrt(denom)) * lr * grad
    return var - mom, mg, ms, mom


def _rmsprop_fn(rest, attrs):
    lr, rho, momentum, epsilon, grad, indices = rest

    def fn(v, s, g):
        nv, _, ms, mom = _rmsprop_rows(v, None, s[0], s[1], lr, rho, momentum, epsilon, g)
        return nv, ms, mom
    return fn, grad, indices


def _centered_rmsprop_fn(rest, attrs):
    lr, rho, momentum, epsilon, grad, indices = rest

    def fn(v, s, g):
        return _rmsprop_rows(v, s[0], s[1], s[2], lr, rho, momentum, epsilon, g)
    return fn, grad, indices


def _adadelta_fn(rest, attrs):
    lr, rho, epsilon, grad, indices = rest
    return (lambda v, s, g: adadelta_update(v, s[0], s[1], lr, rho, epsilon, g),
            grad, indices)


for _name, _n, _fn in (("SparseApplyMomentum", 1, _momentum_fn),
                       ("SparseApplyAdagrad", 1, _adagrad_fn),
                       ("SparseApplyRMSProp", 2, _rmsprop_fn),
                       ("SparseApplyCenteredRMSProp", 3, _centered_rmsprop_fn),
                       ("SparseApplyAdadelta", 2, _adadelta_fn)):
    register_kernel(_name)(atomic(_sparse_kernel(_name, _n, _fn, True)))


def scatter_update_values(op_type, x, indices, updates, how):
    """ref[indices[i]] (+= | -= | *= | /= | = | min= | max=) updates[i], one row after
    another (duplicates apply row by row, in order)."""
    idx = np.asarray(indices)
    upd = np.asarray(updates)
    if upd.ndim and upd.shape != idx.shape + x.shape[1:]:
        raise errors.InvalidArgumentError(
            None, None, f"Must have updates.shape = indices.shape + params.shape[1:] or "
                        f"updates.shape = [], got updates.shape {_dims(upd.shape)}, "
                        f"indices.shape {_dims(idx.shape)}, params.shape {_dims(x.shape)}")
    n = x.shape[0] if x.ndim else 0
    flat = idx.reshape(-1)
    for k, i in enumerate(flat.tolist()):
        if not 0 <= i < n:
            raise errors.InvalidArgumentError(
                None, None, f"indices[{k}] = {i} is not in [0, {n})")
    out = np.array(x, copy=True)
    upd = np.broadcast_to(upd.astype(x.dtype, copy=False), idx.shape + x.shape[1:])
    upd = upd.reshape((flat.size,) + x.shape[1:])
    if how == "add":
        np.add.at(out, flat, upd)
    elif how == "sub":
        np.subtract.at(out, flat, upd)
    elif how == "mul":
        np.multiply.at(out, flat, upd)
    elif how == "min":
        np.minimum.at(out, flat, upd)
    elif how == "max":
        np.maximum.at(out, flat, upd)
    elif how == "div":
        if out.dtype.kind in "iu":      # C++ integer division: truncates toward zero
            for k, i in enumerate(flat.tolist()):
                out[i] = truncate_div(out[i], upd[k])
        else:
            np.divide.at(out, flat, upd)
    else:
        for k, i in enumerate(flat.tolist()):
            out[i] = upd[k]
    return out


def truncate_div(a, b):
    """a / b for integers as C++ divides them: the quotient rounded toward zero."""
    a, b = np.asarray(a), np.asarray(b)
    q = np.floor_divide(a, b)
    inexact = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
    return np.where(inexact, q + 1, q).astype(a.dtype)


def _scatter_kernel(op_type, how, returns_ref):
    def kernel(ref, indices, updates, *, ctx):
        ctx.write(ref, scatter_update_values(op_type, _value(ref), indices, updates, how))
        return ref if returns_ref else None
    kernel.__name__ = op_type
    return kernel


for _name, _how in (("ScatterAdd", "add"), ("ScatterSub", "sub"), ("ScatterUpdate", "update")):
    register_kernel(_name)(atomic(_scatter_kernel(_name, _how, True)))
    register_kernel("Resource" + _name)(atomic(_scatter_kernel("Resource" + _name, _how,
                                                               False)))
# --- Keras 3 optimizers: fused update loops (shared by keras/optimizers.py's eager path and
# the ResourceApply* kernels) ------------------------

@numba.njit(cache=True, nogil=True, error_model="numpy")
def _adam(var, m, v, g, alpha, omb1, omb2, eps, nvar, nm, nv):
    for i in range(var.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * omb1
        vi = v[i] + (gi * gi - v[i]) * omb2
        nm[i] = mi
        nv[i] = vi
        nvar[i] = var[i] - (mi * alpha) / (np.sqrt(vi) + eps)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _momentum(var, acc, g, lr, mom, nesterov, nvar, nacc):
    for i in range(var.size):
        a = acc[i] * mom - g[i] * lr
        nacc[i] = a
        if nesterov:
            nvar[i] = var[i] + (a * mom - g[i] * lr)
        else:
            nvar[i] = var[i] + a


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _sgd(var, g, lr, nvar):
    for i in range(var.size):
        nvar[i] = var[i] - g[i] * lr


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rmsprop(var, vel, mg, mom, g, lr, rho, omr, eps, momentum, centered, use_mom,
             nvar, nvel, nmg, nmom):
    for i in range(var.size):
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


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _adagrad(var, acc, g, lr, eps, nvar, nacc):
    for i in range(var.size):
        gi = g[i]
        a = acc[i] + gi * gi
        nacc[i] = a
        nvar[i] = var[i] - (lr * gi) / np.sqrt(a + eps)


_PAR_MIN = 1 << 20   # below this many elements one thread is faster
_BLOCK = 1 << 16     # least elements per block


def _run(fn, n, *args):
    """Runs an update loop; big arrays in blocks claimed by the intra-op threads
    (threads.map_blocks, threads.BLOCKS_PER_THREAD of them per thread; the loops are
    element-wise, so the blocking cannot change a value), small ones on the calling thread,
    since waking threads costs more."""
    if n < _PAR_MIN:
        fn(*args)
        return
    from . import threads
    blk = max(_BLOCK, -(-n // (threads.BLOCKS_PER_THREAD * threads.intra_op_threads())))
    is_arr = [isinstance(x, np.ndarray) and x.ndim == 1 and x.size == n for x in args]

    def block(i):
        s, e = i * blk, min(n, (i + 1) * blk)
        fn(*[x[s:e] if f else x for x, f in zip(args, is_arr)])
    threads.map_blocks(block, -(-n // blk))


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


register_kernel("ResourceApplyKerasMomentum")(atomic(_momentum_kernel))
register_kernel("ResourceApplyGradientDescent")(atomic(_sgd_kernel))


# --- Keras 3's Adam as one kernel in a tf.function plan -----------------------------------------
# Keras 3 writes Adam with ordinary ops; a plan runs the ops of one variable's update
# (m += (g - m) * (1 - b1); v += (g^2 - v) * (1 - b2); var -= m * alpha / (sqrt(v) + eps))
# as this one kernel (runtime/epilogue.py finds the group the optimizer marked). `_adam`
# performs the same float operations in the same order (each correctly rounded, no FMA, no
# fast-math), so the result is the ops' bit for bit, in one pass over memory instead of 13.

def _fallback_adam(var, m, v, g, alpha, omb1, omb2, eps, ctx):
    """The ops one by one in NumPy (a shape or dtype the loop does not take): the same
    element-wise operations, and the AssignAdd/AssignSub kernels' own checks and errors."""
    from .resource_variable import _read_kernel, _update_kernel
    mv = _read_kernel(m)
    _update_kernel(1)(m, (g - mv) * omb1, ctx=ctx)
    vv = _read_kernel(v)
    _update_kernel(1)(v, (np.square(g) - vv) * omb2, ctx=ctx)
    _update_kernel(-1)(var, (_read_kernel(m) * alpha) / (np.sqrt(_read_kernel(v)) + eps),
                       ctx=ctx)


@atomic
def keras_adam_update(var, m, v, g, alpha, omb1, omb2, eps, *, ctx):
    """One variable's Keras-3 Adam step: new arrays for m, v and var (earlier reads keep
    their values), written through ctx so a failing run puts them back."""
    x, mx, vx = var.value, m.value, v.value
    g = np.asarray(g)
    dt = g.dtype
    if x is None or mx is None or vx is None or not isinstance(x, np.ndarray) or \
            dt not in _ADAM_DTYPES or not (x.shape == mx.shape == vx.shape == g.shape) or \
            not (x.dtype == mx.dtype == vx.dtype == dt) or np.ndim(alpha):
        return _fallback_adam(var, m, v, g, alpha, omb1, omb2, eps, ctx)
    out = [np.empty(x.shape, dt) for _ in range(3)]
    _run(_adam, x.size, _flat(x, dt), _flat(mx, dt), _flat(vx, dt), _flat(g, dt),
         _kscalar(alpha, dt), _kscalar(omb1, dt), _kscalar(omb2, dt), _kscalar(eps, dt),
         out[0].reshape(-1), out[1].reshape(-1), out[2].reshape(-1))
    ctx.write(m, out[1])
    ctx.write(v, out[2])
    ctx.write(var, out[0])


_ADAM_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
