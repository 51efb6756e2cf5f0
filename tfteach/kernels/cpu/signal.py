"""CPU kernels of the spectral ops (ops/signal_ops.py): NumPy's pocketfft (numba has no FFT),
computed in double precision and cast to the op's output dtype, as TF's outputs are
complex64/float32 for single-precision inputs."""
import numpy as np

from ... import errors
from ...framework import registry

register_kernel = registry.register_kernel


def _check_rank(x, rank, op_type):
    if x.ndim < rank:
        raise errors.InvalidArgumentError(
            None, None, f"Input must have rank of at least {rank} but got: "
                        f"[{','.join(str(d) for d in x.shape)}]")


def _complex(op_type, rank, inverse):
    fn = np.fft.ifftn if inverse else np.fft.fftn
    axes = tuple(range(-rank, 0))

    def kernel(input):  # noqa: A002 - TF's argument name
        x = np.asarray(input)
        _check_rank(x, rank, op_type)
        if x.size == 0:
            return np.zeros(x.shape, x.dtype)
        return fn(x, axes=axes).astype(x.dtype)
    kernel.__name__ = op_type
    return register_kernel(op_type)(kernel)


def _fft_lengths(fft_length, rank, op_type):
    fl = np.asarray(fft_length).reshape(-1) if np.ndim(fft_length) <= 1 else None
    if fl is None or np.ndim(fft_length) != 1 or fl.shape[0] != rank:
        raise errors.InvalidArgumentError(None, None, f"fft_length must have shape [{rank}]")
    return [int(n) for n in fl]


def _real(op_type, rank, inverse):
    axes = tuple(range(-rank, 0))

    def kernel(input, fft_length, *, Treal, Tcomplex):  # noqa: A002
        x = np.asarray(input)
        _check_rank(x, rank, op_type)
        fl = _fft_lengths(fft_length, rank, op_type)
        if inverse:
            out_shape = x.shape[:-rank] + tuple(fl)
            if 0 in out_shape or 0 in x.shape:
                return np.zeros(out_shape, Treal.np_dtype)
            # the kernel reads only the first fft_length // 2 + 1 terms of the last axis
            return np.fft.irfftn(x, s=fl, axes=axes).astype(Treal.np_dtype)
        out_shape = x.shape[:-rank] + tuple(fl[:-1]) + (fl[-1] // 2 + 1,)
        if 0 in out_shape or 0 in x.shape or 0 in fl:
            return np.zeros(out_shape, Tcomplex.np_dtype)
        return np.fft.rfftn(x, s=fl, axes=axes).astype(Tcomplex.np_dtype)
    kernel.__name__ = op_type
    return register_kernel(op_type)(kernel)


for _n, _suffix in ((1, ""), (2, "2D"), (3, "3D")):
    _complex(f"FFT{_suffix}", _n, False)
    _complex(f"IFFT{_suffix}", _n, True)
    _real(f"RFFT{_suffix}", _n, False)
    _real(f"IRFFT{_suffix}", _n, True)
