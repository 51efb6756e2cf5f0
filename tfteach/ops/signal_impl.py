"""tf.signal's composite functions, built from ordinary ops under TF's name scopes so they
run eagerly, in tf.function and in v1 graphs, and differentiate through the ops they use:
framing and overlap-add, raised-cosine windows, the short-time Fourier transform and its
inverse, mel filterbanks, MFCCs, the DCT (types I-IV) and fftshift."""
import math

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import tensor_util
from . import array_ops, math_ops
from .signal_ops import irfft, rfft, fft


def _static_int(t):
    """A Python int for a constant (or Python) scalar, else None."""
    if isinstance(t, (int, np.integer)):
        return int(t)
    v = tensor_util.constant_value(t) if isinstance(t, _ops.Tensor) else np.asarray(t)
    return None if v is None else int(np.asarray(v).reshape(()))


# --- fftshift ------------------------------------------------------------------------------
def _shift(x, axes, name, default, inverse):
    with _ops.name_scope(name, default, [x]):
        x = _ops.convert_to_tensor(x)
        rank = x.shape.rank
        if axes is None:
            axes = list(range(rank)) if rank is not None else None
        elif isinstance(axes, (int, np.integer)):
            axes = [int(axes)]
        if axes is None:
            axes = math_ops.range(array_ops.rank(x))
        dims = x.shape.as_list() if rank is not None else None
        if dims is not None and not isinstance(axes, _ops.Tensor) and \
                all(dims[a] is not None for a in axes):
            shift = [dims[a] // 2 for a in axes]
        else:
            shift = array_ops.gather(array_ops.shape(x), axes) // 2
        if inverse:
            shift = [-s for s in shift] if isinstance(shift, list) else -shift
        return array_ops.roll(x, shift, axes)


def fftshift(x, axes=None, name=None):
    """Moves the zero-frequency term to the middle of each of `axes` (all by default)."""
    return _shift(x, axes, name, "fftshift", False)


def ifftshift(x, axes=None, name=None):
    """The inverse of fftshift (they differ for odd lengths)."""
    return _shift(x, axes, name, "ifftshift", True)


# --- frames --------------------------------------------------------------------------------
def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Frames of `frame_length` samples every `frame_step` samples along `axis`: that axis
    becomes [frames, frame_length]. With pad_end the end is padded with pad_value so that
    every sample is in a frame: ceil(length / frame_step) frames."""
    with _ops.name_scope(name, "frame", [signal, frame_length, frame_step, pad_value]):
        signal = _ops.convert_to_tensor(signal, name="signal")
        if signal.shape.rank is not None and signal.shape.rank < 1:
            raise ValueError(f"Shape {signal.shape} must have rank at least 1")
        fl, fs = _static_int(frame_length), _static_int(frame_step)
        if fl is None or fs is None:
            raise NotImplementedError("tfteach's tf.signal.frame needs frame_length and "
                                      "frame_step known when the graph is built (Python "
                                      "ints or constants)")
        rank = signal.shape.rank
        ax = _static_int(axis)
        if rank is None or ax is None:
            raise NotImplementedError("tfteach's tf.signal.frame needs the signal's rank and "
                                      "the axis known when the graph is built")
        ax = ax % rank
        length = signal.shape.as_list()[ax]
        if length is None:
            length = array_ops.shape(signal)[ax]
        if pad_end:
            n_frames = -(-length // fs) if isinstance(length, int) else \
                -math_ops.floordiv(-length, fs)
            pad = (n_frames - 1) * fs + fl - length
            pad = max(0, pad) if isinstance(pad, int) else math_ops.maximum(0, pad)
            paddings = [[0, 0]] * rank
            paddings[ax] = [0, pad]
            if isinstance(pad, int):
                paddings = np.asarray(paddings, np.int32)
            else:
                paddings = array_ops.stack([array_ops.stack(p) for p in paddings])
            signal = array_ops.pad(signal, paddings,
                                   constant_values=math_ops.cast(pad_value, signal.dtype))
        else:
            n_frames = max(0, 1 + (length - fl) // fs) if isinstance(length, int) else \
                math_ops.maximum(0, 1 + math_ops.floordiv(length - fl, fs))
        if isinstance(n_frames, int):
            idx = (np.arange(n_frames)[:, None] * fs + np.arange(fl)[None, :]).astype(np.int32)
        else:
            idx = array_ops.expand_dims(math_ops.range(n_frames) * fs, 1) + \
                array_ops.expand_dims(math_ops.range(fl), 0)
        return array_ops.gather(signal, idx, axis=ax)


def overlap_and_add(signal, frame_step, name=None):
    """Sums frames [..., frames, frame_length] placed every frame_step samples: a signal of
    (frames - 1) * frame_step + frame_length samples."""
    with _ops.name_scope(name, "overlap_and_add", [signal, frame_step]):
        signal = _ops.convert_to_tensor(signal, name="signal")
        signal.shape.with_rank_at_least(2)
        fs = _static_int(frame_step)
        fl = signal.shape.as_list()[-1]
        if fs is None or fl is None:
            raise NotImplementedError("tfteach's tf.signal.overlap_and_add needs frame_step "
                                      "and the frame length known when the graph is built")
        if fs > fl:     # every frame is padded to the step: no overlap
            pad = [[0, 0]] * (signal.shape.rank - 1) + [[0, fs - fl]]
            signal = array_ops.pad(signal, np.asarray(pad, np.int32))
        k = -(-max(fl, fs) // fs)             # sub-frames of frame_step samples per frame
        padded = k * fs
        width = signal.shape.as_list()[-1]
        if padded > width:
            pad = [[0, 0]] * (signal.shape.rank - 1) + [[0, padded - width]]
            signal = array_ops.pad(signal, np.asarray(pad, np.int32))
        shape = array_ops.shape(signal)
        outer = shape[:-2]
        n_frames = shape[-2]
        sub = array_ops.reshape(signal, array_ops.concat([outer, [n_frames, k, fs]], 0))
        lead = [[0, 0]] * (signal.shape.rank - 2)
        total = None
        for s in range(k):       # sub-frame s of frame i lands in output segment i + s
            part = sub[..., s, :]
            part = array_ops.pad(part, np.asarray(lead + [[s, k - 1 - s], [0, 0]], np.int32))
            total = part if total is None else total + part
        flat = array_ops.reshape(total, array_ops.concat([outer, [-1]], 0))
        out_len = (n_frames - 1) * fs + fl
        return flat[..., :out_len]


# --- windows -------------------------------------------------------------------------------
def _raised_cosine(name, default, window_length, periodic, dtype, a, b):
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    with _ops.name_scope(name, default, [window_length, periodic]):
        window_length = _ops.convert_to_tensor(window_length, _dt.int32,
                                               name="window_length")
        window_length.shape.assert_has_rank(0)
        periodic = math_ops.cast(_ops.convert_to_tensor(periodic, _dt.bool_, name="periodic"),
                                 _dt.int32)
        if _static_int(window_length) == 1:
            return array_ops.ones([1], dtype=dtype)
        even = 1 - math_ops.mod(window_length, 2)
        n = math_ops.cast(window_length + periodic * even - 1, dtype=dtype)
        count = math_ops.cast(math_ops.range(window_length), dtype)
        cos_arg = _ops.convert_to_tensor(2 * np.pi, dtype=dtype) * count / n
        return a - b * math_ops.cos(cos_arg)


def hann_window(window_length, periodic=True, dtype=_dt.float32, name=None):
    """0.5 - 0.5 cos(2 pi n / N): N = length (periodic) or length - 1 (symmetric)."""
    return _raised_cosine(name, "hann_window", window_length, periodic,
                          _dt.as_dtype(dtype), 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=_dt.float32, name=None):
    """0.54 - 0.46 cos(2 pi n / N), N as for hann_window."""
    return _raised_cosine(name, "hamming_window", window_length, periodic,
                          _dt.as_dtype(dtype), 0.54, 0.46)


def _window_length(window_length, dtype):
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    window_length = _ops.convert_to_tensor(window_length, dtype=_dt.int32)
    window_length.shape.assert_has_rank(0)
    return window_length


def kaiser_window(window_length, beta=12., dtype=_dt.float32, name=None):
    """I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta), from the scaled I0 (i0e) so that
    large beta does not overflow."""
    dtype = _dt.as_dtype(dtype)
    with _ops.name_scope(name, "kaiser_window"):
        window_length = _window_length(window_length, dtype)
        if _static_int(window_length) == 1:
            return array_ops.ones([1], dtype=dtype)
        # the positions are made in float32 (Range has no float16) and cast after
        half = (math_ops.cast(window_length, _dt.float32) - 1.0) / 2.0
        arg = math_ops.cast(math_ops.range(-half, half + 0.1, dtype=_dt.float32), dtype)
        beta = math_ops.cast(beta, dtype)
        one = math_ops.cast(1.0, dtype)
        half = math_ops.cast(half, dtype)
        from . import nn_ops
        num = beta * math_ops.sqrt(nn_ops.relu(one - math_ops.square(arg / half)))
        return math_ops.exp(num - beta) * (math_ops.bessel_i0e(num) /
                                           math_ops.bessel_i0e(beta))


def kaiser_bessel_derived_window(window_length, beta=12., dtype=_dt.float32, name=None):
    """sqrt of the normalised running sum of a Kaiser window of half the length, mirrored."""
    dtype = _dt.as_dtype(dtype)
    with _ops.name_scope(name, "kaiser_bessel_derived_window"):
        window_length = _window_length(window_length, dtype)
        halflen = window_length // 2
        kw = kaiser_window(halflen + 1, beta, dtype=dtype)
        csum = math_ops.cumsum(kw)
        halfw = math_ops.sqrt(csum[:-1] / csum[-1])
        return array_ops.concat((halfw, halfw[::-1]), axis=0)


def vorbis_window(window_length, dtype=_dt.float32, name=None):
    """sin(pi / 2 sin^2(pi (n + 0.5) / N)): power complementary, for MDCTs."""
    dtype = _dt.as_dtype(dtype)
    with _ops.name_scope(name, "vorbis_window"):
        window_length = _window_length(window_length, dtype)
        arg = math_ops.cast(math_ops.range(window_length), dtype=dtype)
        inner = math_ops.sin(np.pi / math_ops.cast(window_length, dtype=dtype) * (arg + 0.5))
        return math_ops.sin(np.pi / 2.0 * math_ops.pow(inner, 2.0))


# --- short-time Fourier transform ----------------------------------------------------------
def _enclosing_power_of_two(n):
    return int(2 ** math.ceil(math.log2(n)))


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """RFFT of windowed frames: [..., frames, fft_length // 2 + 1] complex."""
    with _ops.name_scope(name, "stft", [signals, frame_length, frame_step]):
        signals = _ops.convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length = _ops.convert_to_tensor(frame_length, name="frame_length")
        frame_step = _ops.convert_to_tensor(frame_step, name="frame_step")
        fl = _static_int(frame_length)
        if fft_length is None:
            if fl is None:
                raise NotImplementedError("tfteach's tf.signal.stft needs frame_length "
                                          "known when fft_length is None")
            fft_length = _enclosing_power_of_two(fl)
        fft_length = _ops.convert_to_tensor(fft_length)
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed = framed * window_fn(frame_length, dtype=framed.dtype)
        return rfft(framed, [fft_length])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window_fn for inverse_stft that undoes forward_window_fn's overlap weighting."""
    def window_fn(frame_length, dtype):
        with _ops.name_scope(name, "inverse_stft_window_fn", [forward_window_fn]):
            fs = _static_int(frame_step)
            fl = _static_int(frame_length)
            if fs is None or fl is None:
                raise NotImplementedError("tfteach's inverse_stft_window_fn needs "
                                          "frame_step and frame_length known")
            window = forward_window_fn(frame_length, dtype=dtype)
            denom = math_ops.square(window)
            overlaps = -(-fl // fs)
            denom = array_ops.pad(denom, np.asarray([[0, overlaps * fs - fl]], np.int32))
            denom = array_ops.reshape(denom, [overlaps, fs])
            denom = math_ops.reduce_sum(denom, 0, keepdims=True)
            denom = array_ops.tile(denom, [overlaps, 1])
            denom = array_ops.reshape(denom, [overlaps * fs])
            return window / denom[:fl]
    return window_fn


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """IRFFT of each frame, windowed, then overlap-added."""
    with _ops.name_scope(name, "inverse_stft", [stfts]):
        stfts = _ops.convert_to_tensor(stfts, name="stfts")
        stfts.shape.with_rank_at_least(2)
        fl = _static_int(frame_length)
        if fl is None:
            raise NotImplementedError("tfteach's inverse_stft needs frame_length known")
        if fft_length is None:
            fft_length = _enclosing_power_of_two(fl)
        fft_n = _static_int(fft_length)
        real_frames = irfft(stfts, [fft_length])
        real_frames = real_frames[..., :fl]
        if fft_n is not None and fft_n < fl:
            pad = [[0, 0]] * (real_frames.shape.rank - 1) + [[0, fl - fft_n]]
            real_frames = array_ops.pad(real_frames, np.asarray(pad, np.int32))
        if window_fn is not None:
            real_frames = real_frames * window_fn(frame_length, dtype=stfts.dtype.real_dtype)
        return overlap_and_add(real_frames, frame_step)


# --- modified DCT ----------------------------------------------------------------------------
def _flip(t):
    return array_ops.reverse(t, [-1])


def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """The MDCT of frames of frame_length samples every frame_length / 2 (a multiple of 4):
    each windowed frame [a, b, c, d] (quarters) becomes the type-IV DCT of
    [-rev(c) - d, a - rev(b)]; frame_length / 2 coefficients per frame. window_fn defaults
    to vorbis_window; None scales by 1/sqrt(2) instead."""
    with _ops.name_scope(name, "mdct", [signals, frame_length]):
        signals = _ops.convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length = _ops.convert_to_tensor(frame_length, name="frame_length")
        frame_length.shape.assert_has_rank(0)
        fl = _static_int(frame_length)
        if fl is None:
            raise NotImplementedError("tfteach's tf.signal.mdct needs frame_length known "
                                      "when the graph is built")
        if fl % 4 != 0:
            raise ValueError("The frame length must be a multiple of 4.")
        framed = frame(signals, frame_length, fl // 2, pad_end=pad_end)
        if window_fn is not None:
            framed = framed * window_fn(frame_length, dtype=framed.dtype)
        else:
            framed = framed * (1.0 / np.sqrt(2))
        a, b, c, d = array_ops.split(framed, 4, axis=-1)
        rearranged = array_ops.concat((-_flip(c) - d, a - _flip(b)), axis=-1)
        return dct(rearranged, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """The inverse of mdct: a type-IV DCT (scaled by 0.5 / N without norm), unfolded to
    2N samples, windowed (vorbis_window by default) and overlap-added every N samples."""
    with _ops.name_scope(name, "inverse_mdct", [mdcts]):
        mdcts = _ops.convert_to_tensor(mdcts, name="mdcts")
        mdcts.shape.with_rank_at_least(2)
        half = mdcts.shape.as_list()[-1]
        if half is None:
            raise NotImplementedError("tfteach's inverse_mdct needs the last dimension "
                                      "known when the graph is built")
        if norm is None:
            y = (0.5 / math_ops.cast(half, mdcts.dtype)) * dct(mdcts, type=4)
        elif norm == "ortho":
            y = dct(mdcts, type=4, norm="ortho")
        else:
            raise ValueError("Unknown normalization. Expected None or 'ortho', got: %s"
                             % norm)
        first, second = array_ops.split(y, 2, axis=-1)
        frames = array_ops.concat((second, -_flip(second), -_flip(first), -first), axis=-1)
        if window_fn is not None:
            frames = frames * window_fn(2 * half, dtype=mdcts.dtype)
        else:
            frames = frames * (1.0 / np.sqrt(2))
        return overlap_and_add(frames, half)


# --- mel filterbank and MFCCs --------------------------------------------------------------
_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _hz_to_mel(hz):
    return _MEL_HIGH_Q * math_ops.log(1.0 + hz / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=_dt.float32, name=None):
    """[num_spectrogram_bins, num_mel_bins] triangular filters, evenly spaced on the mel
    scale between the edges; the DC bin's row is zero."""
    dtype = _dt.as_dtype(dtype)
    with _ops.name_scope(name, "linear_to_mel_weight_matrix") as scope:
        _check_mel(num_mel_bins, num_spectrogram_bins, sample_rate, lower_edge_hertz,
                   upper_edge_hertz, dtype)
        sample_rate = math_ops.cast(sample_rate, dtype, name="sample_rate")
        lower = _ops.convert_to_tensor(lower_edge_hertz, dtype, name="lower_edge_hertz")
        upper = _ops.convert_to_tensor(upper_edge_hertz, dtype, name="upper_edge_hertz")
        zero = _ops.convert_to_tensor(0.0, dtype)
        nyquist = sample_rate / 2.0
        linear = math_ops.linspace(zero, nyquist, num_spectrogram_bins)[1:]
        spec_mel = array_ops.expand_dims(_hz_to_mel(linear), 1)
        edges = frame(math_ops.linspace(_hz_to_mel(lower), _hz_to_mel(upper),
                                        num_mel_bins + 2), frame_length=3, frame_step=1)
        lo, center, hi = tuple(array_ops.reshape(t, [1, num_mel_bins])
                               for t in array_ops.split(edges, 3, axis=1))
        lower_slopes = (spec_mel - lo) / (center - lo)
        upper_slopes = (hi - spec_mel) / (hi - center)
        weights = math_ops.maximum(zero, math_ops.minimum(lower_slopes, upper_slopes))
        return array_ops.pad(weights, np.asarray([[1, 0], [0, 0]], np.int32), name=scope)


def _check_mel(num_mel_bins, num_spectrogram_bins, sample_rate, lower, upper, dtype):
    if num_mel_bins <= 0:
        raise ValueError("num_mel_bins must be positive. Got: %s" % num_mel_bins)
    if lower < 0.0:
        raise ValueError("lower_edge_hertz must be non-negative. Got: %s" % lower)
    if lower >= upper:
        raise ValueError("lower_edge_hertz %.1f >= upper_edge_hertz %.1f" % (lower, upper))
    if not isinstance(sample_rate, _ops.Tensor):
        if sample_rate <= 0.0:
            raise ValueError("sample_rate must be positive. Got: %s" % sample_rate)
        if upper > sample_rate / 2:
            raise ValueError("upper_edge_hertz must not be larger than the Nyquist "
                             "frequency (sample_rate / 2). Got %s for sample_rate: %s"
                             % (upper, sample_rate))
    if not dtype.is_floating:
        raise ValueError("dtype must be a floating point type. Got: %s" % dtype)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """The orthonormal type-II DCT of log-mel spectrograms (HTK's scaling)."""
    with _ops.name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        x = _ops.convert_to_tensor(log_mel_spectrograms)
        n = x.shape.as_list()[-1] if x.shape.rank is not None else None
        if n is None:
            n = array_ops.shape(x)[-1]
        coeffs = dct(x, type=2)
        return coeffs * math_ops.rsqrt(math_ops.cast(n, x.dtype) * 2.0)


# --- DCT -------------------------------------------------------------------------------------
def _validate_dct(input_shape, dct_type, n, axis, norm):
    if axis != -1:
        raise NotImplementedError("axis must be -1. Got: %s" % axis)
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        if input_shape[-1] is not None and input_shape[-1] < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError("Unknown normalization. Expected None or 'ortho', got: %s" % norm)


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002 - TF's names
    """The DCT of types I-IV over the last axis (SciPy's definitions), optionally truncated
    or zero-padded to n; norm='ortho' for types II-IV."""
    with _ops.name_scope(name, "dct", [input]):
        x = _ops.convert_to_tensor(input)
        _validate_dct(x.shape.as_list() if x.shape.rank is not None else [None], type, n,
                      axis, norm)
        if n is not None:
            length = x.shape.as_list()[-1]
            if length is None:
                raise NotImplementedError("tfteach's dct with n needs the last dimension "
                                          "known")
            if n <= length:
                x = x[..., :n]
            else:
                pad = [[0, 0]] * (x.shape.rank - 1) + [[0, n - length]]
                x = array_ops.pad(x, np.asarray(pad, np.int32))
        N = x.shape.as_list()[-1]
        if N is None:
            raise NotImplementedError("tfteach's dct needs the last dimension known")
        rdt = x.dtype.base_dtype
        cdt = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}[rdt]
        k = np.arange(N)
        if type == 1:
            mirrored = array_ops.concat([x, x[..., -2:0:-1]], axis=-1)
            return math_ops.real(rfft(mirrored))
        if type == 2:
            scale = (2.0 * np.exp(-1j * np.pi * k / (2.0 * N))).astype(cdt.np_dtype)
            if norm == "ortho":
                w = np.full(N, 1.0 / np.sqrt(2.0 * N))
                w[0] = 1.0 / np.sqrt(4.0 * N)
                scale = (scale * w).astype(cdt.np_dtype)
            return math_ops.real(rfft(x, fft_length=[2 * N])[..., :N] * scale)
        if type == 3:
            if norm == "ortho":
                w = np.full(N, 1.0 / np.sqrt(2.0 * N))
                w[0] = 1.0 / np.sqrt(N)
                x = x * w.astype(rdt.np_dtype)
            twiddle = np.exp(-1j * np.pi * k / (2.0 * N)).astype(cdt.np_dtype)
            w_ = math_ops.cast(x, cdt) * twiddle
            w_ = array_ops.pad(w_, np.asarray([[0, 0]] * (x.shape.rank - 1) + [[0, N]],
                                              np.int32))
            y = 2.0 * math_ops.real(fft(w_)[..., :N])
            return y - x[..., :1]
        # type 4
        pre = np.exp(-1j * np.pi * k / (2.0 * N)).astype(cdt.np_dtype)
        post = np.exp(-1j * np.pi * (2 * k + 1) / (4.0 * N))
        post = (post * (1.0 / np.sqrt(2.0 * N) if norm == "ortho" else 1.0) * 2.0)
        w_ = math_ops.cast(x, cdt) * pre
        w_ = array_ops.pad(w_, np.asarray([[0, 0]] * (x.shape.rank - 1) + [[0, N]], np.int32))
        return math_ops.real(fft(w_)[..., :N] * post.astype(cdt.np_dtype))


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """The inverse DCT: dct of the inverse type (II <-> III; I and IV are their own), with
    the same (un)normalisation, so without norm it is a scaled inverse, as TF's."""
    _validate_dct([None], type, n, axis, norm)
    inverse = {1: 1, 2: 3, 3: 2, 4: 4}[type]
    return dct(input, type=inverse, n=n, axis=axis, norm=norm, name=name or "idct")
