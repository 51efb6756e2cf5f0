"""Gradients of the spectral ops, with TF 2.21's formulas and scaling:

- FFT: IFFT(grad) * N and IFFT: FFT(grad) / N, N the number of transformed elements (the
  adjoint of an unnormalised DFT is N times its inverse).
- RFFT (1D, 2D): 0.5 * (IRFFT(grad) * N + real(extra terms)): IRFFT alone halves the
  weights of the DC and Nyquist bins that the half-spectrum does not double, so the extra
  terms add them back. TF reads N and the masks from the *input's* shape, so a crop
  (fft_length shorter than the input) fails there, as it does in TF.
- IRFFT (1D, 2D): RFFT(grad) * mask / N, mask [1, 2, ..., 2, (1)] counting each
  non-DC (non-Nyquist) half-spectrum term twice.
TF registers no gradient for RFFT3D and IRFFT3D; neither does tfteach.
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import registry
from ..framework import tensor_util
from . import array_ops, linalg_ops, math_ops, signal_ops


def _size(t, rank):
    return math_ops.reduce_prod(array_ops.shape(t)[-rank:])


def _fft_grad(inverse_fn):
    def grad_fn(op, grad):
        return [inverse_fn(grad) * math_ops.cast(_size(grad, _RANK[op.type]), grad.dtype)]
    return grad_fn


def _ifft_grad(forward_fn):
    def grad_fn(op, grad):
        real = grad.dtype.real_dtype
        rsize = math_ops.cast(1. / math_ops.cast(_size(grad, _RANK[op.type]), real),
                              grad.dtype)
        return [forward_fn(grad) * rsize]
    return grad_fn


_RANK = {"FFT": 1, "IFFT": 1, "FFT2D": 2, "IFFT2D": 2, "FFT3D": 3, "IFFT3D": 3}
registry.RegisterGradient("FFT")(_fft_grad(signal_ops.ifft))
registry.RegisterGradient("IFFT")(_ifft_grad(signal_ops.fft))
registry.RegisterGradient("FFT2D")(_fft_grad(signal_ops.ifft2d))
registry.RegisterGradient("IFFT2D")(_ifft_grad(signal_ops.fft2d))
registry.RegisterGradient("FFT3D")(_fft_grad(signal_ops.ifft3d))
registry.RegisterGradient("IFFT3D")(_ifft_grad(signal_ops.fft3d))


def _alternating(length, dtype):
    """[1, -1, 1, -1, ...] of the given length."""
    return math_ops.cast(1 - 2 * (math_ops.range(length) % 2), dtype)


def _dft_matrix(length, dtype):
    """exp(-2 pi i a b / length) for a, b in range(length)."""
    a = array_ops.tile(array_ops.expand_dims(math_ops.range(length), 0), (length, 1))
    b = array_ops.transpose(a, [1, 0])
    return math_ops.exp(-2j * np.pi * math_ops.cast(a * b, dtype) /
                        math_ops.cast(length, dtype))


def _tile_like(matrix, t):
    """matrix broadcast over t's batch dimensions (all but the innermost two)."""
    expanded = array_ops.reshape(matrix, array_ops.concat(
        [array_ops.ones([array_ops.rank(t) - 2], _dt.int32), array_ops.shape(matrix)], 0))
    return array_ops.tile(expanded, array_ops.concat([array_ops.shape(t)[:-2], [1, 1]], 0))


def _rfft_grad(rank, irfft_fn):
    def grad_fn(op, grad):
        fft_length = op.inputs[1]
        cdt = grad.dtype
        rdt = cdt.real_dtype
        in_shape = array_ops.shape(op.inputs[0])
        is_even = math_ops.cast(1 - (fft_length[-1] % 2), cdt)
        y0 = grad[..., 0:1]
        ym = grad[..., -1:]
        if rank == 1:
            extra = y0 + is_even * ym * _alternating(in_shape[-1], cdt)
        else:
            mask = _tile_like(_dft_matrix(in_shape[-2], cdt), y0)
            extra = linalg_ops.matmul(mask, math_ops.conj(y0))
            ym_term = linalg_ops.matmul(mask, math_ops.conj(ym))
            inner = in_shape[-1]
            ym_term = array_ops.tile(ym_term, array_ops.concat(
                [array_ops.ones([array_ops.rank(grad) - 1], _dt.int32), [inner]], 0)) * \
                _alternating(inner, cdt)
            extra += is_even * ym_term
        n = math_ops.cast(_size(op.inputs[0], rank), rdt)
        return [0.5 * (irfft_fn(grad, fft_length) * n + math_ops.real(extra)), None]
    return grad_fn


def _irfft_grad(rank, rfft_fn):
    def grad_fn(op, grad):
        fft_length = op.inputs[1]
        static = tensor_util.constant_value(fft_length)
        if static is not None:
            fft_length = static
        rdt = grad.dtype
        cdt = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}[rdt.base_dtype]
        is_odd = math_ops.mod(fft_length[-1], 2)
        last = array_ops.shape(op.inputs[0])[-1]
        mask = array_ops.concat([array_ops.ones([1], rdt),
                                 2.0 * array_ops.ones([last - 2 + is_odd], rdt),
                                 array_ops.ones([1 - is_odd], rdt)], 0)
        rsize = math_ops.reciprocal(math_ops.cast(_size(grad, rank), rdt))
        return [rfft_fn(grad, fft_length) * math_ops.cast(rsize * mask, cdt), None]
    return grad_fn


registry.RegisterGradient("RFFT")(_rfft_grad(1, signal_ops.irfft))
registry.RegisterGradient("IRFFT")(_irfft_grad(1, signal_ops.rfft))
registry.RegisterGradient("RFFT2D")(_rfft_grad(2, signal_ops.irfft2d))
registry.RegisterGradient("IRFFT2D")(_irfft_grad(2, signal_ops.rfft2d))
