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


# --- row scatters into variables: ScatterAdd/Sub/Update, ResourceScatterAdd/Sub/Update -------
# A thread per element of the updates; repeated rows add up atomically (ScatterUpdate with
# repeated rows keeps one of them, unordered, as TF's GPU kernel does). An index outside
# [0, rows) is skipped: TF's GPU scatter functor ignores it, where the CPU one raises.
def _scatter_rows(out, indices, updates, n_rows, inner, total, scalar, mode):
    e = cuda.grid(1)
    if e < total:
        i = indices[e // inner]
        if 0 <= i < n_rows:
            p = i * inner + e % inner
            v = updates[0] if scalar else updates[e]
            if mode == 0:
                out[p] = v
            elif mode == 1:
                cuda.atomic.add(out, p, v)
            else:
                cuda.atomic.sub(out, p, v)


def _scatter_values(op_type, v, indices, updates, mode):
    idx = _dev.contiguous(_dev.dev(indices))
    upd = _dev.contiguous(_dev.dev(updates))
    vshape, ishape, ushape = tuple(v.shape), tuple(idx.shape), tuple(upd.shape)
    if ushape and ushape != ishape + vshape[1:]:
        raise errors.InvalidArgumentError(
            None, None, f"Must have updates.shape = indices.shape + params.shape[1:] or "
                        f"updates.shape = [], got updates.shape {_dims(ushape)}, "
                        f"indices.shape {_dims(ishape)}, params.shape {_dims(vshape)}")
    out = _new_like(v)
    if _dev.size_of(vshape):
        _dev.flat(out).copy_to_device(_dev.flat(_dev.contiguous(v)))
    inner = _dev.size_of(vshape[1:]) if vshape else 1
    total = _dev.size_of(ishape) * inner
    if total and vshape:
        _launch("scatter_rows", _scatter_rows, total, _dev.flat(out), _dev.flat(idx),
                _dev.flat(upd), vshape[0], inner, total, not ushape, mode)
    return out


def _ref_scatter(op_type, mode):
    def kernel(ref, indices, updates, *, ctx, use_locking=True):
        ctx.write(ref, _scatter_values(op_type, _value(ref), indices, updates, mode))
        return ref
    kernel.__name__ = op_type
    return kernel


def _resource_scatter(op_type, mode):
    def kernel(resource, indices, updates, *, ctx):
        ctx.write(resource, _scatter_values(op_type, _value(resource, True), indices,
                                            updates, mode))
    kernel.__name__ = op_type
    return kernel


def _var_dtype_in(types):
    return lambda op: _dev.dtype_name(op.get_attr("dtype").np_dtype) in types


for _t, _m in (("ScatterUpdate", 0), ("ScatterAdd", 1), ("ScatterSub", 2)):
    register(_t, dtypes=_F)(_ref_scatter(_t, _m))
    # TF's GPU registrations: int64 too for the resource ones (not int32, which TF keeps
    # on the host)
    register("Resource" + _t, check=_var_dtype_in(_F + ("int64",)),
             host_memory=("resource",))(_resource_scatter("Resource" + _t, _m))


# --- SparseApplyAdagrad, SparseApplyAdadelta: the dense updates on the rows indices name ------
# A thread per column of a row walks the indices in order, so a row named twice is updated
# twice, one after the other, as on the CPU (same arithmetic as the dense kernels above).
def _sparse_adagrad(idx, grad, lr, update_slots, nv, na, n_rows, inner, bad):
    j = cuda.grid(1)
    if j < inner:
        for k in range(idx.shape[0]):
            r = idx[k]
            if r < 0 or r >= n_rows:
                bad[0] = 1
                continue
            p = r * inner + j
            g = grad[k * inner + j]
            a = na[p]
            if update_slots:
                a += g * g
            na[p] = a
            nv[p] = nv[p] - g * lr[0] * (1 / math.sqrt(a))


def _sparse_adadelta(idx, grad, lr, rho, eps, nv, na, nu, n_rows, inner, bad):
    j = cuda.grid(1)
    if j < inner:
        one = rho[0] * 0 + 1
        for k in range(idx.shape[0]):
            r = idx[k]
            if r < 0 or r >= n_rows:
                bad[0] = 1
                continue
            p = r * inner + j
            g = grad[k * inner + j]
            a = na[p] * rho[0] + g * g * (one - rho[0])
            na[p] = a
            upd = math.sqrt(nu[p] + eps[0]) / math.sqrt(a + eps[0]) * g
            nu[p] = nu[p] * rho[0] + upd * upd * (one - rho[0])
            nv[p] = nv[p] - upd * lr[0]


def _sparse_scalars_match(op):
    """As _scalars_match, the indices (the last input) aside."""
    dt = op.get_attr("T")
    dt = getattr(dt, "base_dtype", dt)
    return all(t.dtype.base_dtype == dt for t in op.inputs[:-1] if not t.dtype.is_ref_dtype)


def _sparse_rows(v, slots, grad, indices):
    """TF's checks of a SparseApply* op that need no index values; the copies to update."""
    idx = _dev.contiguous(_dev.dev(indices))
    g = _dev.contiguous(_dev.dev(grad))
    vs, gs = tuple(v.shape), tuple(g.shape)
    for s in slots:
        if tuple(s.shape) != vs:
            raise errors.InvalidArgumentError(
                None, None, f"var and accum do not have the same shape{_dims(vs)} "
                            f"{_dims(s.shape)}")
    if not vs:
        raise errors.InvalidArgumentError(None, None, "var must be at least 1 dimensional")
    if len(idx.shape) != 1:
        raise errors.InvalidArgumentError(None, None, "indices must be one-dimensional")
    for d in range(1, len(vs)):
        if len(gs) != len(vs) or gs[d] != vs[d]:
            raise errors.InvalidArgumentError(
                None, None, f"var and grad must match in dimension {d}")
    if gs[0] != idx.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, "grad must be the same size as indices in the first dimension.")
    copies = []
    for a in (v,) + tuple(slots):
        c = _new_like(a)
        if _dev.size_of(a.shape):
            _dev.flat(c).copy_to_device(_dev.flat(_dev.contiguous(a)))
        copies.append(c)
    return idx, _dev.flat(g), copies, _dev.size_of(vs[1:])


def _bad_rows(bad, idx, n_rows):
    if bad.copy_to_host()[0]:
        host = idx.copy_to_host()
        k = next(k for k, i in enumerate(host.tolist()) if not 0 <= i < n_rows)
        raise errors.InvalidArgumentError(
            None, None, f"Index {int(host[k])} at offset {k} in indices is out of range")


@register("SparseApplyAdagrad", dtypes=_F, check=_sparse_scalars_match)
def sparse_apply_adagrad(var, accum, lr, grad, indices, *, ctx, update_slots=True):
    v, a = _value(var), _value(accum)
    idx, g, (nv, na), inner = _sparse_rows(v, (a,), grad, indices)
    if idx.shape[0] and inner:
        bad = _dev.to_device(np.zeros(1, np.int32))
        _launch("sparse_adagrad", _sparse_adagrad, inner, idx, g, _scalar(lr, "lr"),
                bool(update_slots), _dev.flat(nv), _dev.flat(na), int(v.shape[0]), inner,
                bad)
        _bad_rows(bad, idx, int(v.shape[0]))
    ctx.write(accum, na)
    ctx.write(var, nv)
    return var


@register("SparseApplyAdadelta", dtypes=_F, check=_sparse_scalars_match)
def sparse_apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, indices, *, ctx):
    v, a, u = _value(var), _value(accum), _value(accum_update)
    idx, g, (nv, na, nu), inner = _sparse_rows(v, (a, u), grad, indices)
    if idx.shape[0] and inner:
        bad = _dev.to_device(np.zeros(1, np.int32))
        _launch("sparse_adadelta", _sparse_adadelta, inner, idx, g, _scalar(lr, "lr"),
                _scalar(rho, "rho"), _scalar(epsilon, "epsilon"), _dev.flat(nv),
                _dev.flat(na), _dev.flat(nu), int(v.shape[0]), inner, bad)
        _bad_rows(bad, idx, int(v.shape[0]))
    ctx.write(accum, na)
    ctx.write(accum_update, nu)
    ctx.write(var, nv)
    return var
