"""GPU kernels of the math family: element-wise ops (generated from the CPU kernels by the
toolkit's `elementwise`), Cast, AddN, the reductions (on the toolkit's `reduction`), ArgMax,
ArgMin, Range; LinSpace and int32 TruncateMod as host-memory kernels (as TF registers them).
"""
import math

import numpy as np

from ... import errors
from . import _dev
from ._dev import cuda, register
from .elementwise import apply, register_elementwise
from .reduction import ALL, ANY, MAX, MEAN, MIN, PROD, SUM, _make

_KERNELS = {}     # compiled kernels: sequences, ArgMax/ArgMin


def _identity(x):
    return x


def _to_bool(x):
    return x != 0


_CAST_TYPES = ("float32", "float64", "int32", "int64", "int8", "int16", "uint8", "uint16",
               "uint32", "uint64", "boolean")


@register("Cast", dtypes=_CAST_TYPES,
          check=lambda op: _dev.dtype_name(op.get_attr("DstT").np_dtype) in _CAST_TYPES)


def cast(x, *, DstT):
    x = _dev.dev(x)
    dst = DstT.np_dtype
    if np.dtype(x.dtype) == dst:
        return x
    return apply(_to_bool if dst == np.bool_ else _identity, [x], dst, "Cast")


def _add(x, y):
    return x + y


def _addn_types(op):
    # TF's GPU AddN also adds TensorLists (variant): the gradients of a list
    return _dev.dtype_name(_dev.op_dtype(op)) in ("float32", "float64", "int32", "int64") or \
        op.inputs[0].dtype.base_dtype.name == "variant"


@register("AddN", check=_addn_types)
def add_n(*inputs):
    if not _dev.is_device(inputs[0]) and \
            type(np.asarray(inputs[0])[()]).__name__ == "TensorList":
        from .list import DEVICE
        from ..cpu.list import add_lists
        out = inputs[0]
        for x in inputs[1:]:
            out = add_lists(out, x, DEVICE)
        return out
    out = _dev.dev(inputs[0])
    if len(inputs) == 1:
        return apply(_identity, [out], out.dtype)
    for x in inputs[1:]:
        out = apply(_add, [out, x], out.dtype, "AddN")
    return out


# --- sequences ---------------------------------------------------------------------------------
def _seq_kernel():
    k = _KERNELS.get("seq")
    if k is None:
        @cuda.jit
        def seq(out, start, step, last, n_last):
            # out[i] = start + i * step, computed in float64 (or int64) as the CPU does
            i = cuda.grid(1)
            if i < out.shape[0]:
                if i == n_last:
                    out[i] = last
                else:
                    out[i] = i * step + start
        k = _KERNELS["seq"] = seq
    return k


def _sequence(n, start, step, dtype, last=None):
    out = _dev.empty((n,), dtype)
    if n:
        wide = np.float64 if np.dtype(dtype).kind == "f" else np.int64
        last_v = wide(start) if last is None else wide(last)
        _seq_kernel()[_dev.blocks_for(n), _dev.TPB](
            out, wide(start), wide(step), last_v, n - 1 if last is not None else -1)
    return out


@register("Range", dtypes=("float32", "float64", "int32", "int64"),
          host_inputs=(0, 1, 2), check=lambda op: True)


def range_(start, limit, delta):
    from ..shapes import range_error as _range_error, range_size as _range_size
    s, l_, d = (np.asarray(_dev.to_host(v)) for v in (start, limit, delta))
    err = _range_error(s.item(), l_.item(), d.item())
    if err:
        raise errors.InvalidArgumentError(None, None, err)
    return _sequence(_range_size(s.item(), l_.item(), d.item()), s.item(), d.item(),
                     s.dtype)


# TF runs LinSpace on a GPU wholly in host memory (its output too): a host-memory kernel.
_dev.register_host("LinSpace", dtypes=("float32", "float64"))


# --- reductions ---------------------------------------------------------------------------

_NUM = ("float32", "float64", "int32", "int64")
for _t, _k in (("Sum", SUM), ("Mean", MEAN), ("Prod", PROD), ("Max", MAX), ("Min", MIN)):
    _make(_t, _k, _NUM)
for _t, _k in (("All", ALL), ("Any", ANY)):
    _make(_t, _k, ("boolean",))


# --- ArgMax / ArgMin ----------------------------------------------------------------------
def _arg_kernel(want_max):
    key = ("arg", want_max)
    k = _KERNELS.get(key)
    if k is None:
        cmp = "v > best" if want_max else "v < best"
        src = f"""


def kernel(x, out, K, inner):
    m = cuda.grid(1)
    if m < out.shape[0]:
        o = m // inner
        i = m % inner
        base = o * K * inner + i
        best = x[base]
        idx = 0
        for k in range(1, K):
            v = x[base + k * inner]
            if {cmp}:
                best = v
                idx = k
        out[m] = idx
"""
        ns = {"cuda": cuda}
        exec(compile(src, "<tfteach cuda argmax>", "exec"), ns)
        k = _KERNELS[key] = cuda.jit(ns["kernel"])
    return k


def _arg(x, axis, output_type, want_max):
    x = _dev.contiguous(_dev.dev(x))
    shape = tuple(x.shape)
    a = int(_dev.host_int_list(axis)[0])
    if len(shape) == 0 or not -len(shape) <= a < len(shape):
        raise errors.InvalidArgumentError(
            None, None, f"Expected dimension in the range [{-len(shape)}, {len(shape)}), "
                        f"but got {a}")
    a %= len(shape)
    if shape[a] == 0:
        raise errors.InvalidArgumentError(
            None, None, f"Reduction axis {a} is empty in shape "
                        f"[{','.join(str(d) for d in shape)}]")
    out_shape = shape[:a] + shape[a + 1:]
    out = _dev.empty(out_shape, output_type.np_dtype)
    n = _dev.size_of(out_shape)
    if n:
        inner = _dev.size_of(shape[a + 1:])
        _arg_kernel(want_max)[_dev.blocks_for(n), _dev.TPB](_dev.flat(x), _dev.flat(out),
                                                             shape[a], inner)
    return out


@register("ArgMax", dtypes=_NUM, host_inputs=(1,))
def arg_max(x, axis, *, output_type):
    return _arg(x, axis, output_type, True)


@register("ArgMin", dtypes=_NUM, host_inputs=(1,))
def arg_min(x, axis, *, output_type):
    return _arg(x, axis, output_type, False)


# TF's only GPU TruncateMod is int32 in host memory; the float ones stay on the CPU, as in TF.
_dev.register_host("TruncateMod", dtypes=("int32",))
register_elementwise("math")


# --- scans: Cumsum, Cumprod ------------------------------------------------------------------
def _scan_kernel(prod):
    key = "cumprod" if prod else "cumsum"
    k = _KERNELS.get(key)
    if k is None:
        # one thread per line along the axis: the lines are independent, and a sequential
        # walk keeps the CPU kernel's order of additions (same rounding)
        @cuda.jit
        def scan(x, out, n_lines, length, inner, exclusive, reverse, ident):
            line = cuda.grid(1)
            if line < n_lines:
                base = (line // inner) * length * inner + line % inner
                acc = ident
                for s in range(length):
                    j = length - 1 - s if reverse else s
                    p = base + j * inner
                    v = x[p]
                    if exclusive:
                        out[p] = acc
                    if prod:
                        acc = acc * v
                    else:
                        acc = acc + v
                    if not exclusive:
                        out[p] = acc
        k = _KERNELS[key] = scan
    return k


def _scan(x, axis, exclusive, reverse, prod):
    x = _dev.contiguous(_dev.dev(x))
    shape = tuple(x.shape)
    nd = len(shape)
    ax = int(np.asarray(_dev.to_host(axis)))
    if not -nd <= ax < nd:
        raise errors.InvalidArgumentError(
            None, None, f"ScanOp: Expected scan axis in the range [{-nd}, {nd}), "
                        f"but got {ax}")
    ax %= nd
    out = _dev.empty(shape, x.dtype)
    length, inner = shape[ax], _dev.size_of(shape[ax + 1:])
    n_lines = _dev.size_of(shape[:ax]) * inner
    if n_lines and length:
        _scan_kernel(prod)[_dev.blocks_for(n_lines), _dev.TPB](
            _dev.flat(x), _dev.flat(out), n_lines, length, inner, bool(exclusive),
            bool(reverse), np.dtype(x.dtype).type(1 if prod else 0))
    return out


_SCAN_TYPES = ("float32", "float64", "int32", "int64")


@register("Cumsum", dtypes=_SCAN_TYPES, host_memory=("axis",))
def cumsum(x, axis, *, exclusive, reverse):
    return _scan(x, axis, exclusive, reverse, False)


@register("Cumprod", dtypes=_SCAN_TYPES, host_memory=("axis",))
def cumprod(x, axis, *, exclusive, reverse):
    return _scan(x, axis, exclusive, reverse, True)


# --- complex numbers: element-wise on the device (numba.cuda has complex64/complex128) -------
def _real(z):
    return z.real


def _imag(z):
    return z.imag


def _conj(z):
    return z.conjugate()


def _complex_abs(z):
    return math.hypot(z.real, z.imag)


def _angle(z):
    return math.atan2(z.imag, z.real)


def _make_complex(re, im):
    return complex(re, im)


_COMPLEX = ("complex64", "complex128")


def _to_part(fn, op_type):
    def kernel(x, *, Tout):
        return apply(fn, [_dev.dev(x)], Tout.np_dtype, op_type)
    kernel.__name__ = op_type
    return kernel


for _t, _f in (("Real", _real), ("Imag", _imag), ("ComplexAbs", _complex_abs),
               ("Angle", _angle)):
    register(_t, dtypes=_COMPLEX)(_to_part(_f, _t))


@register("Conj", dtypes=_COMPLEX)
def conj(x):
    x = _dev.dev(x)
    return apply(_conj, [x], x.dtype, "Conj")


@register("Complex", dtypes=("float32", "float64"))
def complex_(real, imag, *, Tout):
    return apply(_make_complex, [_dev.dev(real), _dev.dev(imag)], Tout.np_dtype, "Complex")


# --- histograms --------------------------------------------------------------------------------

def _histogram_kernel():
    k = _KERNELS.get("histogram")
    if k is None:
        @cuda.jit
        def histogram(values, lo, step, nbins, counts, nan_seen):
            i = cuda.grid(1)
            if i < values.shape[0]:
                v = values[i]
                if v != v:
                    nan_seen[0] = 1
                    return
                shifted = float(max(v, lo) - lo)
                b = min(int(shifted / step), nbins - 1)
                cuda.atomic.add(counts, b, 1)
        k = _KERNELS["histogram"] = histogram
    return k


@register("HistogramFixedWidth", dtypes=("float32", "float64", "int32", "int64"),
          host_inputs=(1, 2))
def histogram_fixed_width(values, value_range, nbins, *, dtype):
    """One thread per value adds one to its bin (atomically); the range and the number of
    bins are read on the host, as TF keeps them in host memory."""
    from ..cpu.math import histogram_bins
    values = _dev.contiguous(_dev.dev(values))
    rng, n = _dev.to_host(value_range), _dev.to_host(nbins)
    lo, step = histogram_bins(None, rng, n)
    n = int(np.asarray(n))
    counts = _dev.to_device(np.zeros(n, np.int64))
    nan_seen = _dev.to_device(np.zeros(1, np.int32))
    total = _dev.size_of(values.shape)
    if total:
        lo = np.asarray(lo).astype(np.dtype(values.dtype))[()]
        _histogram_kernel()[_dev.blocks_for(total), _dev.TPB](
            _dev.flat(values), lo, step, n, counts, nan_seen)
    if int(_dev.to_host(nan_seen)[0]):
        raise errors.InvalidArgumentError(None, None, "Histogram values must not contain NaN")
    return _dev.to_device(np.asarray(_dev.to_host(counts)).astype(dtype.np_dtype))
