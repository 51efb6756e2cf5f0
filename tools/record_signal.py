"""Records TensorFlow 2.21's tf.signal behaviour (FFT ops: values, dtypes, shapes, errors,
gradients; the composite spectral functions: values and the op types their graphs hold) into
tests/data/signal_tf.npz + signal_tf.json, read by tests/test_signal.py.

    /work/tfenv/bin/python tools/record_signal.py
"""
import json
import os

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rs = np.random.RandomState(0)
arrays, meta = {}, {}


def put(key, value):
    v = np.asarray(value)
    arrays[key] = v
    meta.setdefault("dtypes", {})[key] = v.dtype.name


def cplx(shape, dt=np.complex64):
    return (rs.randn(*shape) + 1j * rs.randn(*shape)).astype(dt)


# --- complex FFT ops ----------------------------------------------------------------------
for name, fn, shape in (("fft", tf.signal.fft, (3, 8)), ("ifft", tf.signal.ifft, (3, 8)),
                        ("fft2d", tf.signal.fft2d, (2, 4, 6)),
                        ("ifft2d", tf.signal.ifft2d, (2, 4, 6)),
                        ("fft3d", tf.signal.fft3d, (2, 3, 4, 5)),
                        ("ifft3d", tf.signal.ifft3d, (2, 3, 4, 5))):
    for dt in (np.complex64, np.complex128):
        x = cplx(shape, dt)
        key = f"{name}_{np.dtype(dt).name}"
        put(key + "_x", x)
        put(key + "_y", fn(x).numpy())
        with tf.GradientTape() as t:
            xv = tf.constant(x)
            t.watch(xv)
            y = fn(xv)
            w = cplx(shape, dt)
            loss = tf.reduce_sum(tf.math.real(y * w))
        put(key + "_w", w)
        put(key + "_grad", t.gradient(loss, xv).numpy())

# --- real FFT ops -------------------------------------------------------------------------
RCASES = [("rfft", 1, (3, 8), None), ("rfft", 1, (3, 8), [6]), ("rfft", 1, (3, 7), [10]),
          ("rfft", 1, (3, 7), None),
          ("rfft2d", 2, (2, 4, 6), None), ("rfft2d", 2, (2, 4, 6), [3, 8]),
          ("rfft3d", 3, (2, 3, 4, 5), None), ("rfft3d", 3, (2, 3, 4, 5), [4, 2, 6])]
meta["rcases"] = []
for i, (name, rank, shape, fl) in enumerate(RCASES):
    for dt in (np.float32, np.float64):
        x = rs.randn(*shape).astype(dt)
        key = f"r{i}_{np.dtype(dt).name}"
        fn = getattr(tf.signal, name)
        ifn = getattr(tf.signal, "i" + name)
        put(key + "_x", x)
        y = fn(x, fft_length=fl)
        put(key + "_y", y.numpy())
        w = cplx(y.shape, y.dtype.as_numpy_dtype)
        put(key + "_w", w)
        with tf.GradientTape() as t:
            xv = tf.constant(x)
            t.watch(xv)
            loss = tf.reduce_sum(tf.math.real(fn(xv, fft_length=fl) * w))
        try:
            put(key + "_grad", t.gradient(loss, xv).numpy())
        except Exception as e:  # noqa: BLE001 - TF's own gradient fails on some crops
            meta.setdefault("grad_errors", {})[key] = [type(e).__name__,
                                                       str(e).split("\n")[0]]
        # the inverse, of a random complex input of the forward's output shape
        z = cplx(y.shape, y.dtype.as_numpy_dtype)
        put(key + "_z", z)
        iy = ifn(z, fft_length=fl)
        put(key + "_iy", iy.numpy())
        v = rs.randn(*iy.shape).astype(dt)
        put(key + "_v", v)
        with tf.GradientTape() as t:
            zv = tf.constant(z)
            t.watch(zv)
            loss = tf.reduce_sum(ifn(zv, fft_length=fl) * v)
        try:
            put(key + "_igrad", t.gradient(loss, zv).numpy())
        except Exception as e:  # noqa: BLE001
            meta.setdefault("igrad_errors", {})[key] = [type(e).__name__,
                                                        str(e).split("\n")[0]]
    meta["rcases"].append([name, rank, list(shape), fl])


# --- errors and static shapes ---------------------------------------------------------------
def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - recording whatever TF raises
        return [type(e).__name__, str(e).split("\n")[0]]
    return None


meta["errors"] = {
    "fft_float": err(lambda: tf.signal.fft(tf.constant([1.0, 2.0]))),
    "fft_scalar": err(lambda: tf.signal.fft(tf.constant(1 + 2j, tf.complex64))),
    "fft2d_rank1": err(lambda: tf.signal.fft2d(tf.constant([1 + 2j], tf.complex64))),
    "rfft_complex": err(lambda: tf.signal.rfft(tf.constant([1 + 2j], tf.complex64))),
    "rfft_len_rank": err(lambda: tf.signal.rfft(tf.constant([1.0, 2.0]), fft_length=[2, 2])),
    "rfft_int": err(lambda: tf.signal.rfft(tf.constant([1, 2]))),
    "irfft_real": err(lambda: tf.signal.irfft(tf.constant([1.0, 2.0]))),
}


@tf.function
def _unused():
    pass


shapes = {}
g = tf.Graph()
with g.as_default():
    p = tf.compat.v1.placeholder(tf.float32, [None, 5, 7])
    shapes["rfft_none"] = g.get_tensor_by_name(tf.signal.rfft(p).name).shape.as_list()
    shapes["rfft_16"] = tf.signal.rfft(p, fft_length=[16]).shape.as_list()
    shapes["rfft2d"] = tf.signal.rfft2d(p).shape.as_list()
    q = tf.compat.v1.placeholder(tf.complex64, [None, 5, 7])
    shapes["irfft_none"] = tf.signal.irfft(q).shape.as_list()
    shapes["irfft_9"] = tf.signal.irfft(q, fft_length=[9]).shape.as_list()
    shapes["irfft2d"] = tf.signal.irfft2d(q).shape.as_list()
    shapes["fft3d"] = tf.signal.fft3d(q).shape.as_list()
    ln = tf.compat.v1.placeholder(tf.int32, [1])
    shapes["rfft_dyn"] = tf.signal.rfft(p, fft_length=ln).shape.as_list()
    r = tf.signal.rfft(p, fft_length=[16], name="myrfft")
    meta["rfft_graph"] = [[o.name, o.type, [i.name for i in o.inputs]]
                          for o in g.get_operations()
                          if o.name.startswith("myrfft")]
    meta["rfft_attrs"] = {"Treal": r.op.get_attr("Treal").name,
                          "Tcomplex": r.op.get_attr("Tcomplex").name}
meta["shapes"] = shapes

# --- composite functions --------------------------------------------------------------------
sig = rs.randn(2, 1000).astype(np.float32)
put("sig", sig)
put("frame_a", tf.signal.frame(sig, 256, 128).numpy())
put("frame_pad", tf.signal.frame(sig, 256, 100, pad_end=True, pad_value=0.5).numpy())
put("frame_axis0", tf.signal.frame(sig.T, 300, 200, axis=0).numpy())
fr = rs.randn(3, 5, 16).astype(np.float32)
put("ola_x", fr)
put("ola", tf.signal.overlap_and_add(fr, 6).numpy())
for n in (1, 2, 7, 16):
    for per in (True, False):
        put(f"hann_{n}_{per}", tf.signal.hann_window(n, periodic=per).numpy())
        put(f"hamming_{n}_{per}", tf.signal.hamming_window(n, periodic=per).numpy())
for n in (1, 2, 7, 16):
    put(f"kaiser_{n}", tf.signal.kaiser_window(n).numpy())
    put(f"kbd_{n}", tf.signal.kaiser_bessel_derived_window(n, beta=5.0).numpy())
    put(f"vorbis_{n}", tf.signal.vorbis_window(n).numpy())
put("kaiser_f64", tf.signal.kaiser_window(9, beta=3.0, dtype=tf.float64).numpy())
put("hann_f64", tf.signal.hann_window(8, dtype=tf.float64).numpy())
put("stft", tf.signal.stft(sig, 255, 128).numpy())
put("stft_pad", tf.signal.stft(sig, 200, 80, fft_length=256, pad_end=True).numpy())
put("stft_hamming", tf.signal.stft(sig, 64, 32, window_fn=tf.signal.hamming_window).numpy())
st = tf.signal.stft(sig, 256, 64)
put("istft", tf.signal.inverse_stft(
    st, 256, 64, window_fn=tf.signal.inverse_stft_window_fn(64)).numpy())
put("istft_plain", tf.signal.inverse_stft(st, 256, 64).numpy())
put("istft_window", tf.signal.inverse_stft_window_fn(64)(256, tf.float32).numpy())
put("mel", tf.signal.linear_to_mel_weight_matrix(40, 129, 16000, 20.0, 4000.0).numpy())
put("mel_default", tf.signal.linear_to_mel_weight_matrix().numpy())
lm = rs.randn(2, 7, 40).astype(np.float32)
put("lm", lm)
put("mfccs", tf.signal.mfccs_from_log_mel_spectrograms(lm).numpy())
dx = rs.randn(3, 8).astype(np.float32)
put("dct_x", dx)
for ty in (1, 2, 3, 4):
    put(f"dct{ty}", tf.signal.dct(dx, type=ty).numpy())
    put(f"idct{ty}", tf.signal.idct(dx, type=ty).numpy())
    if ty != 1:
        put(f"dct{ty}_ortho", tf.signal.dct(dx, type=ty, norm="ortho").numpy())
        put(f"idct{ty}_ortho", tf.signal.idct(dx, type=ty, norm="ortho").numpy())
        put(f"dct{ty}_n", tf.signal.dct(dx, type=ty, n=5).numpy())
        put(f"dct{ty}_n12", tf.signal.dct(dx, type=ty, n=12).numpy())
meta["errors"]["dct_type5"] = err(lambda: tf.signal.dct(dx, type=5))
meta["errors"]["dct1_ortho"] = err(lambda: tf.signal.dct(dx, type=1, norm="ortho"))
meta["errors"]["dct_axis"] = err(lambda: tf.signal.dct(dx, axis=0))
meta["errors"]["frame_rank0"] = err(lambda: tf.signal.frame(tf.constant(1.0), 2, 1))
mx = rs.randn(2, 64).astype(np.float32)
put("mdct_x", mx)
put("mdct", tf.signal.mdct(mx, 16).numpy())
put("mdct_ortho_kbd", tf.signal.mdct(
    mx, 16, window_fn=tf.signal.kaiser_bessel_derived_window, norm="ortho",
    pad_end=True).numpy())
put("mdct_nowin", tf.signal.mdct(mx, 8, window_fn=None).numpy())
mc = rs.randn(2, 7, 8).astype(np.float32)
put("imdct_x", mc)
put("imdct", tf.signal.inverse_mdct(mc).numpy())
put("imdct_ortho", tf.signal.inverse_mdct(mc, norm="ortho").numpy())
put("imdct_nowin", tf.signal.inverse_mdct(mc, window_fn=None).numpy())
meta["errors"]["mdct_len"] = err(lambda: tf.signal.mdct(mx, 10))
sx = rs.randn(4, 5).astype(np.float32)
put("shift_x", sx)
put("fftshift", tf.signal.fftshift(sx).numpy())
put("ifftshift", tf.signal.ifftshift(sx).numpy())
put("fftshift_ax", tf.signal.fftshift(sx, axes=1).numpy())
put("ifftshift_ax", tf.signal.ifftshift(sx, axes=[0]).numpy())

# stft gradient and graph ops (the audio tutorial: |stft| of a waveform)
with tf.GradientTape() as t:
    sv = tf.constant(sig)
    t.watch(sv)
    loss = tf.reduce_sum(tf.abs(tf.signal.stft(sv, 255, 128)))
put("stft_abs_grad", t.gradient(loss, sv).numpy())
g = tf.Graph()
with g.as_default():
    tf.signal.stft(tf.compat.v1.placeholder(tf.float32, [None, 1000]), 255, 128)
    meta["stft_ops"] = [[o.name, o.type] for o in g.get_operations()]
    h = tf.signal.hann_window(8)
    meta["hann_ops"] = [[o.name, o.type] for o in g.get_operations()
                        if o.name.startswith("hann_window")]

# graph-building errors (shape inference)
graph_errors = {}
for key, build in (
        ("fft2d_rank1", lambda: tf.signal.fft2d(
            tf.compat.v1.placeholder(tf.complex64, [3]))),
        ("rfft_len_rank", lambda: tf.signal.rfft(
            tf.compat.v1.placeholder(tf.float32, [3]),
            fft_length=tf.compat.v1.placeholder(tf.int32, [2]))),
        ("irfft3d_rank2", lambda: tf.signal.irfft3d(
            tf.compat.v1.placeholder(tf.complex64, [3, 4])))):
    with tf.Graph().as_default():
        graph_errors[key] = err(build)
meta["graph_errors"] = graph_errors

np.savez(os.path.join(ROOT, "tests", "data", "signal_tf.npz"), **arrays)
meta["tensorflow"] = tf.__version__
with open(os.path.join(ROOT, "tests", "data", "signal_tf.json"), "w") as f:
    json.dump(meta, f, indent=1, sort_keys=True)
print("ok", len(arrays))
