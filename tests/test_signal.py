"""tf.signal against TF 2.21's recorded results (tools/record_signal.py ->
tests/data/signal_tf.npz + signal_tf.json): the FFT ops' values, dtypes, static shapes,
errors and gradients (TF's scaling, and TF's own failures: its RFFT gradient breaks on a
crop, RFFT3D/IRFFT3D have none), and the composite functions (frames, overlap-add,
windows, stft/inverse_stft, mel matrix, MFCCs, DCT I-IV, fftshift), eagerly, in
tf.function and in a v1 Session. Tolerance: float32 rounding (TF's and NumPy's FFTs add in
different orders), 1e-5 relative and absolute scaled by the result's magnitude."""
import json
import os

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")

_DATA = os.path.join(os.path.dirname(__file__), "data")
D = np.load(os.path.join(_DATA, "signal_tf.npz"))
M = json.load(open(os.path.join(_DATA, "signal_tf.json")))


def close(got, key, tol=2e-6):
    want = D[key]
    got = np.asarray(got)
    assert got.dtype == want.dtype, (key, got.dtype, want.dtype)
    assert got.shape == want.shape, (key, got.shape, want.shape)
    scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=tol * scale, err_msg=key)


COMPLEX = [(n, dt) for n in ("fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d")
           for dt in ("complex64", "complex128")]


@pytest.mark.parametrize("name,dt", COMPLEX)
def test_complex_fft_values_dtypes_and_gradients(tf2, name, dt):
    k = f"{name}_{dt}"
    fn = getattr(tf2.signal, name)
    # a NumPy complex128 input becomes complex64, as TF converts it (Tcomplex's default)
    close(fn(D[k + "_x"]).numpy(), k + "_y")
    with tf2.GradientTape() as t:
        x = tf2.constant(D[k + "_x"])
        t.watch(x)
        y = fn(x)
        assert y.dtype.name == dt
        loss = tf2.reduce_sum(tf2.math.real(y * D[k + "_w"]))
    close(t.gradient(loss, x).numpy(), k + "_grad")


RCASES = [(i, c, dt) for i, c in enumerate(M["rcases"]) for dt in ("float32", "float64")]


@pytest.mark.parametrize("i,case,dt", RCASES)
def test_real_fft_values_and_gradients(tf2, i, case, dt):
    name, _rank, _shape, fl = case
    k = f"r{i}_{dt}"
    fn, ifn = getattr(tf2.signal, name), getattr(tf2.signal, "i" + name)
    close(fn(D[k + "_x"], fft_length=fl).numpy(), k + "_y")
    close(ifn(D[k + "_z"], fft_length=fl).numpy(), k + "_iy")
    for kind, inp, f, w, out in (("grad", "_x", fn, "_w", "_grad"),
                                 ("igrad", "_z", ifn, "_v", "_igrad")):
        with tf2.GradientTape() as t:
            x = tf2.constant(D[k + inp])
            t.watch(x)
            y = f(x, fft_length=fl)
            loss = tf2.reduce_sum(tf2.math.real(y * D[k + w]) if kind == "grad"
                                  else y * D[k + w])
        err = M.get(kind + "_errors", {}).get(k)
        if err is None:
            close(t.gradient(loss, x).numpy(), k + out)
        else:
            cls = LookupError if err[0] == "LookupError" else tf2.errors.InvalidArgumentError
            tail = err[1].split("}} ")[-1].split(" [Op:")[0]
            with pytest.raises(cls, match=_re(tail)):
                t.gradient(loss, x)


def _re(s):
    import re
    return re.escape(s)


def test_errors(tf2):
    e = M["errors"]
    with pytest.raises(tf2.errors.InvalidArgumentError, match=_re(e["fft_float"][1])):
        tf2.signal.fft(tf2.constant([1.0, 2.0]))
    for key, call in (("fft_scalar", lambda: tf2.signal.fft(tf2.constant(1 + 2j,
                                                                          tf2.complex64))),
                      ("fft2d_rank1", lambda: tf2.signal.fft2d(tf2.constant([1 + 2j],
                                                                            tf2.complex64))),
                      ("rfft_len_rank", lambda: tf2.signal.rfft(tf2.constant([1.0, 2.0]),
                                                                fft_length=[2, 2]))):
        msg = e[key][1].split("}} ")[1].split(" [Op:")[0]
        with pytest.raises(tf2.errors.InvalidArgumentError, match=_re(msg)):
            call()
    for key, call in (("rfft_complex", lambda: tf2.signal.rfft(
            tf2.constant([1 + 2j], tf2.complex64))),
            ("rfft_int", lambda: tf2.signal.rfft(tf2.constant([1, 2]))),
            ("irfft_real", lambda: tf2.signal.irfft(tf2.constant([1.0, 2.0])))):
        with pytest.raises(ValueError, match=_re(e[key][1].split(", got:")[0])):
            call()
    with pytest.raises(ValueError, match=_re(e["dct_type5"][1])):
        tf2.signal.dct(D["dct_x"], type=5)
    with pytest.raises(ValueError, match=_re(e["dct1_ortho"][1])):
        tf2.signal.dct(D["dct_x"], type=1, norm="ortho")
    with pytest.raises(NotImplementedError, match=_re(e["dct_axis"][1])):
        tf2.signal.dct(D["dct_x"], axis=0)
    with pytest.raises(ValueError, match=_re(e["frame_rank0"][1])):
        tf2.signal.frame(tf2.constant(1.0), 2, 1)


def test_static_shapes_and_graph_of_rfft(tf1):
    s = M["shapes"]
    p = tf1.placeholder(tf1.float32, [None, 5, 7])
    q = tf1.placeholder(tf1.complex64, [None, 5, 7])
    ln = tf1.placeholder(tf1.int32, [1])
    got = {"rfft_none": tf1.signal.rfft(p), "rfft_16": tf1.signal.rfft(p, fft_length=[16]),
           "rfft2d": tf1.signal.rfft2d(p), "irfft_none": tf1.signal.irfft(q),
           "irfft_9": tf1.signal.irfft(q, fft_length=[9]), "irfft2d": tf1.spectral.irfft2d(q),
           "fft3d": tf1.fft3d(q), "rfft_dyn": tf1.signal.rfft(p, fft_length=ln)}
    for k, t in got.items():
        assert t.shape.as_list() == s[k], k
    r = tf1.signal.rfft(p, fft_length=[16], name="myrfft")
    g = tf1.get_default_graph()
    ops = [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()
           if o.name.startswith("myrfft")]
    assert ops == M["rfft_graph"]
    assert {a: r.op.get_attr(a).name for a in ("Treal", "Tcomplex")} == M["rfft_attrs"]


def test_rfft_with_a_fed_fft_length_runs_in_a_session(tf1):
    x = np.arange(6, dtype=np.float32)
    p = tf1.placeholder(tf1.float32, [None])
    ln = tf1.placeholder(tf1.int32, [1])
    y = tf1.signal.rfft(p, fft_length=ln)
    with tf1.Session() as sess:
        for n in (4, 6, 9):
            got = sess.run(y, {p: x, ln: [n]})
            # hand derivation: the DFT of x cropped / zero-padded to n, n // 2 + 1 terms
            xs = np.zeros(n)
            xs[:min(n, 6)] = x[:n]
            k = np.arange(n // 2 + 1)[:, None]
            want = (xs[None, :] * np.exp(-2j * np.pi * k * np.arange(n)[None, :] / n)).sum(1)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_frames_windows_and_overlap_add(tf2):
    sig = D["sig"]
    s = tf2.signal
    close(s.frame(sig, 256, 128).numpy(), "frame_a")
    close(s.frame(sig, 256, 100, pad_end=True, pad_value=0.5).numpy(), "frame_pad")
    close(s.frame(sig.T, 300, 200, axis=0).numpy(), "frame_axis0")
    close(s.overlap_and_add(D["ola_x"], 6).numpy(), "ola")
    for n in (1, 2, 7, 16):
        for per in (True, False):
            close(s.hann_window(n, periodic=per).numpy(), f"hann_{n}_{per}")
            close(s.hamming_window(n, periodic=per).numpy(), f"hamming_{n}_{per}")
    close(s.hann_window(8, dtype=tf2.float64).numpy(), "hann_f64")
    for n in (1, 2, 7, 16):
        close(s.kaiser_window(n).numpy(), f"kaiser_{n}")
        close(s.kaiser_bessel_derived_window(n, beta=5.0).numpy(), f"kbd_{n}")
        close(s.vorbis_window(n).numpy(), f"vorbis_{n}")
    close(s.kaiser_window(9, beta=3.0, dtype=tf2.float64).numpy(), "kaiser_f64")


def test_hann_window_builds_tf_ops_under_its_scope(tf1):
    tf1.signal.hann_window(8)
    got = [[o.name, o.type] for o in tf1.get_default_graph().get_operations()]
    assert got == M["hann_ops"]


def test_stft_inverse_stft_and_mel(tf2):
    s, sig = tf2.signal, D["sig"]
    close(s.stft(sig, 255, 128).numpy(), "stft", 5e-6)
    close(s.stft(sig, 200, 80, fft_length=256, pad_end=True).numpy(), "stft_pad", 5e-6)
    close(s.stft(sig, 64, 32, window_fn=s.hamming_window).numpy(), "stft_hamming", 5e-6)
    st = s.stft(sig, 256, 64)
    close(s.inverse_stft(st, 256, 64, window_fn=s.inverse_stft_window_fn(64)).numpy(), "istft")
    close(s.inverse_stft(st, 256, 64).numpy(), "istft_plain")
    close(s.inverse_stft_window_fn(64)(256, tf2.float32).numpy(), "istft_window")
    close(s.linear_to_mel_weight_matrix(40, 129, 16000, 20.0, 4000.0).numpy(), "mel", 1e-5)
    close(s.linear_to_mel_weight_matrix().numpy(), "mel_default", 1e-5)
    close(s.mfccs_from_log_mel_spectrograms(D["lm"]).numpy(), "mfccs")


def test_dct_types_mdct_and_shifts(tf2):
    s, x = tf2.signal, D["dct_x"]
    for ty in (1, 2, 3, 4):
        close(s.dct(x, type=ty).numpy(), f"dct{ty}")
        close(s.idct(x, type=ty).numpy(), f"idct{ty}")
        if ty != 1:
            close(s.dct(x, type=ty, norm="ortho").numpy(), f"dct{ty}_ortho")
            close(s.idct(x, type=ty, norm="ortho").numpy(), f"idct{ty}_ortho")
            close(s.dct(x, type=ty, n=5).numpy(), f"dct{ty}_n")
            close(s.dct(x, type=ty, n=12).numpy(), f"dct{ty}_n12")
    mx, mc = D["mdct_x"], D["imdct_x"]
    close(s.mdct(mx, 16).numpy(), "mdct")
    close(s.mdct(mx, 16, window_fn=s.kaiser_bessel_derived_window, norm="ortho",
                 pad_end=True).numpy(), "mdct_ortho_kbd")
    close(s.mdct(mx, 8, window_fn=None).numpy(), "mdct_nowin")
    close(s.inverse_mdct(mc).numpy(), "imdct")
    close(s.inverse_mdct(mc, norm="ortho").numpy(), "imdct_ortho")
    close(s.inverse_mdct(mc, window_fn=None).numpy(), "imdct_nowin")
    with pytest.raises(ValueError, match=_re(M["errors"]["mdct_len"][1])):
        s.mdct(mx, 10)
    sx = D["shift_x"]
    close(s.fftshift(sx).numpy(), "fftshift")
    close(s.ifftshift(sx).numpy(), "ifftshift")
    close(s.fftshift(sx, axes=1).numpy(), "fftshift_ax")
    close(s.ifftshift(sx, axes=[0]).numpy(), "ifftshift_ax")


def test_audio_spectrogram_in_tf_function_with_gradient(tf2):
    """The audio tutorial's |stft|: traced once for a batch of unknown size, its gradient
    TF's."""
    @tf2.function(input_signature=[tf2.TensorSpec([None, 1000], tf2.float32)])
    def spec(x):
        with tf2.GradientTape() as t:
            t.watch(x)
            y = tf2.abs(tf2.signal.stft(x, frame_length=255, frame_step=128))
            loss = tf2.reduce_sum(y)
        return y, t.gradient(loss, x)
    y, g = spec(tf2.constant(D["sig"]))
    np.testing.assert_allclose(y.numpy(), np.abs(D["stft"]), rtol=1e-5, atol=1e-4)
    close(g.numpy(), "stft_abs_grad", 1e-5)
    assert spec.get_concrete_function().outputs[0].shape.as_list() == [None, 6, 129]


def test_stft_and_its_gradient_in_a_v1_session(tf1):
    p = tf1.placeholder(tf1.float32, [None, 1000])
    y = tf1.signal.stft(p, 255, 128)
    (g,) = tf1.gradients(tf1.reduce_sum(tf1.abs(y)), [p])
    ops = [[o.name, o.type] for o in tf1.get_default_graph().get_operations()]
    # the framing is built differently (a gather, not TF's reshapes); the stft's own
    # inputs, the window's scope and the rfft's ops are TF's
    tf_ops = M["stft_ops"]
    for o in tf_ops:
        if not o[0].startswith(("stft/frame/", "stft/hann_window/")):
            assert o in ops, o
    assert [o for o in ops if o[0].startswith("stft/hann_window/")] == \
        [o for o in tf_ops if o[0].startswith("stft/hann_window/")]
    with tf1.Session() as sess:
        got_y, got_g = sess.run([y, g], {p: D["sig"]})
    close(got_y, "stft", 5e-6)
    close(got_g, "stft_abs_grad", 1e-5)


def test_v1_names(tf1):
    assert tf1.spectral.rfft is tf1.signal.rfft
    assert tf1.fft is tf1.signal.fft and tf1.ifft2d is tf1.signal.ifft2d
    x = (D["fft_complex64_x"])
    with tf1.Session() as sess:
        got = sess.run(tf1.spectral.fft(tf1.constant(x)))
    close(got, "fft_complex64_y")


def test_graph_building_errors(tf1):
    e = M["graph_errors"]
    with pytest.raises(ValueError, match=_re(e["fft2d_rank1"][1])):
        tf1.signal.fft2d(tf1.placeholder(tf1.complex64, [3]))
    with pytest.raises(ValueError, match=_re(e["irfft3d_rank2"][1])):
        tf1.signal.irfft3d(tf1.placeholder(tf1.complex64, [3, 4]))
    # TF's message comes from its Pad of the wrong rank; tfteach's from RFFT's shape rule
    assert e["rfft_len_rank"][0] == "ValueError"
    with pytest.raises(ValueError, match="2 and 1 for '{{node rfft}}"):
        tf1.signal.rfft(tf1.placeholder(tf1.float32, [3]),
                        fft_length=tf1.placeholder(tf1.int32, [2]))
