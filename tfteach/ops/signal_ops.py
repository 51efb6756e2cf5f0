"""The spectral ops of tf.signal: FFT/IFFT over the innermost 1, 2 or 3 dimensions of a
complex tensor, and RFFT/IRFFT (real <-> Hermitian half-spectrum) with an `fft_length`.

TF's Python wrappers do more than call the op: RFFT/IRFFT infer `fft_length` from the
static shape when it is not given and zero-pad the input up to it (a `Pad` op under the
op's name scope); the kernel crops. The composite functions (stft, frames, windows, mel
matrices, DCT) are in ops/signal_impl.py.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework import tensor_util
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, unknown_shape

_COMPLEX = (_dt.complex64, _dt.complex128)
_REAL = (_dt.float32, _dt.float64)
_COMPLEX_OF = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}
_REAL_OF = {_dt.complex64: _dt.float32, _dt.complex128: _dt.float64}


def _check_rank(op, rank):
    s = op.inputs[0].shape
    if s.rank is not None and s.rank < rank:
        raise op.shape_error(f"Shape must be at least rank {rank} but is rank {s.rank}")
    return s


def _complex_shape(rank):
    def shape(op):
        return [_check_rank(op, rank)]
    return shape


def _fft_length_of(op, rank):
    fl = op.inputs[1]
    if fl.shape.rank is not None and fl.shape.as_list() not in ([rank], [None]):
        raise op.shape_error(f"Shape must be rank 1 but is rank {fl.shape.rank}"
                             if fl.shape.rank != 1 else
                             f"Dimension 0 in both shapes must be equal, but are "
                             f"{fl.shape.as_list()[0]} and {rank}")
    v = tensor_util.constant_value(fl)
    return None if v is None else [int(n) for n in np.asarray(v).reshape(-1)]


def _real_fft_shape(rank, inverse):
    def shape(op):
        s = _check_rank(op, rank)
        fl = _fft_length_of(op, rank)
        if s.rank is None:
            return [unknown_shape()]
        dims = s.as_list()
        inner = [None] * rank if fl is None else list(fl)
        if fl is not None and not inverse:
            inner[-1] = fl[-1] // 2 + 1
        return [TensorShape(dims[:-rank] + inner)]
    return shape


_FFT_DOC = "The {inv}discrete Fourier transform over the innermost {n} dimension{s}."
for _n, _suffix in ((1, ""), (2, "2D"), (3, "3D")):
    for _inv in ("", "I"):
        registry.register_op(f"{_inv}FFT{_suffix}", inputs=(("input", "Tcomplex"),),
                             outputs=(("output", "Tcomplex"),), shape=_complex_shape(_n),
                             allowed={"Tcomplex": _COMPLEX},
                             doc=_FFT_DOC.format(inv="inverse " if _inv else "", n=_n,
                                                 s="s" if _n > 1 else ""))
    registry.register_op(f"RFFT{_suffix}", inputs=(("input", "Treal"),
                                                    ("fft_length", _dt.int32)),
                         outputs=(("output", "Tcomplex"),), shape=_real_fft_shape(_n, False),
                         allowed={"Treal": _REAL, "Tcomplex": _COMPLEX},
                         doc=f"FFT of a real signal over {_n} inner dimension(s), to "
                             f"fft_length; keeps fft_length[-1] // 2 + 1 terms.")
    registry.register_op(f"IRFFT{_suffix}", inputs=(("input", "Tcomplex"),
                                                    ("fft_length", _dt.int32)),
                         outputs=(("output", "Treal"),), shape=_real_fft_shape(_n, True),
                         allowed={"Treal": _REAL, "Tcomplex": _COMPLEX},
                         doc=f"The inverse of RFFT{_suffix}: a real signal of shape "
                             f"fft_length from the Hermitian half-spectrum.")


def _complex_fft(op_type, default):
    def fn(input, name=None):  # noqa: A002 - TF's name
        with _ops.name_scope(name, default, [input]) as scope:
            # a non-tensor input becomes complex64 where it can (TF's default Tcomplex)
            x = _ops.convert_to_tensor(input, name="input", preferred_dtype=_dt.complex64)
            return apply_op(op_type, [x], name=scope)[0]
    fn.__name__ = fn.__qualname__ = default.lower()
    fn.__doc__ = f"tf.signal.{default.lower()}: the {op_type} op."
    return fn


fft = registry.api("FFT")(_complex_fft("FFT", "FFT"))
ifft = registry.api("IFFT")(_complex_fft("IFFT", "IFFT"))
fft2d = registry.api("FFT2D")(_complex_fft("FFT2D", "FFT2D"))
ifft2d = registry.api("IFFT2D")(_complex_fft("IFFT2D", "IFFT2D"))
fft3d = registry.api("FFT3D")(_complex_fft("FFT3D", "FFT3D"))
ifft3d = registry.api("IFFT3D")(_complex_fft("IFFT3D", "IFFT3D"))


def _static_fft_length(x, rank, inverse):
    """fft_length TF infers from x's static inner dimensions (None if any is unknown)."""
    s = x.shape
    if s.rank is None:
        return None
    dims = s.as_list()[-rank:]
    if any(d is None for d in dims):
        return None
    if inverse:
        dims[-1] = max(0, 2 * (dims[-1] - 1))
    return dims


def _pad_to(x, fft_length, rank, inverse):
    """TF's wrappers zero-pad the input's inner dimensions up to fft_length (the last one
    to fft_length // 2 + 1 for the inverse); crops are left to the kernel."""
    from . import array_ops, math_ops
    fl_static = fft_length if isinstance(fft_length, (list, tuple, np.ndarray)) else None
    s = x.shape
    if fl_static is not None and s.rank is not None and \
            all(d is not None for d in s.as_list()[-rank:]):
        want = [int(n) for n in np.asarray(fl_static).reshape(-1)]
        if inverse:
            want[-1] = want[-1] // 2 + 1
        have = s.as_list()[-rank:]
        pads = [max(0, w - h) for w, h in zip(want, have)]
        if not any(pads):
            return x
        paddings = [[0, 0]] * (s.rank - rank) + [[0, p] for p in pads]
        return array_ops.pad(x, paddings)
    want = _ops.convert_to_tensor(fft_length, _dt.int32)
    if inverse:
        want = array_ops.concat([fft_length[:-1], fft_length[-1:] // 2 + 1], 0)
    pads = math_ops.maximum(0, want - array_ops.shape(x)[-rank:])
    outer = array_ops.zeros([array_ops.rank(x) - rank, 2], _dt.int32)
    inner = array_ops.stack([array_ops.zeros_like(pads), pads], axis=1)
    return array_ops.pad(x, array_ops.concat([outer, inner], 0))


def _real_fft(op_type, default, rank, inverse):
    def fn(input_tensor, fft_length=None, name=None):
        with _ops.name_scope(name, default, [input_tensor, fft_length]) as scope:
            # TF's wrapper prefers single precision for a non-tensor input
            x = _ops.convert_to_tensor(input_tensor, name="input_tensor",
                                       preferred_dtype=_dt.complex64 if inverse
                                       else _dt.float32)
            dt = x.dtype.base_dtype
            if (dt not in _COMPLEX) if inverse else (dt not in _REAL):
                kinds = "tf.complex64 or tf.complex128" if inverse else \
                    "tf.float32 or tf.float64"
                raise ValueError(f"{op_type[:-2] if op_type.endswith('D') else op_type} "
                                 f"requires {kinds} inputs, got: {x}")
            x.shape.with_rank_at_least(rank)
            if fft_length is None:
                static = _static_fft_length(x, rank, inverse)
                if static is None:
                    from . import array_ops
                    fl = array_ops.shape(x)[-rank:]
                    if inverse:
                        fl = array_ops.concat([fl[:-1], 2 * (fl[-1:] - 1)], 0)
                    fft_length = fl
            else:
                # TF converts the argument first (a list of tensors is packed), pads, and
                # then gives the op a fresh `fft_length` constant when the value is static
                fft_length = _ops.convert_to_tensor(fft_length, _dt.int32)
                static = tensor_util.constant_value(fft_length)
            x = _pad_to(x, fft_length if static is None else static, rank, inverse)
            if static is not None:
                fft_length = _ops.convert_to_tensor(np.asarray(static, np.int32),
                                                    name="fft_length")
            if inverse:
                attrs = {"Treal": _REAL_OF[dt], "Tcomplex": dt}
            else:
                attrs = {"Treal": dt, "Tcomplex": _COMPLEX_OF[dt]}
            return apply_op(op_type, [x, fft_length], attrs, name=scope)[0]
    fn.__name__ = fn.__qualname__ = default.lower()
    fn.__doc__ = f"tf.signal.{default.lower()}: the {op_type} op (fft_length inferred from " \
                 f"the static shape when None; shorter inputs are zero-padded)."
    return fn


rfft = registry.api("RFFT")(_real_fft("RFFT", "rfft", 1, False))
irfft = registry.api("IRFFT")(_real_fft("IRFFT", "irfft", 1, True))
rfft2d = registry.api("RFFT2D")(_real_fft("RFFT2D", "rfft2d", 2, False))
irfft2d = registry.api("IRFFT2D")(_real_fft("IRFFT2D", "irfft2d", 2, True))
rfft3d = registry.api("RFFT3D")(_real_fft("RFFT3D", "rfft3d", 3, False))
irfft3d = registry.api("IRFFT3D")(_real_fft("IRFFT3D", "irfft3d", 3, True))
