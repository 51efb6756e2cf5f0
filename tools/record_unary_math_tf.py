"""Records TensorFlow 2.21's CPU outputs of the transcendental element-wise ops whose float32
kernels are vectorised (Exp, Log, Tanh, Sigmoid, Softplus) on a dense float32 grid with
the edge cases (zeros of both signs, subnormals, the overflow and underflow thresholds,
infinities, NaN) into tests/data/unary_math_tf221.npz. tests/test_unary_math_accuracy.py
pins tfteach's edge values to this record, and tools/unary_math_accuracy.py measures how far
tfteach's kernels are from it. Run with a Python that has tensorflow-cpu 2.21, from the
repository root:

    $TFTEACH_TF_PYTHON tools/record_unary_math_tf.py
"""
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

OPS = ("Exp", "Log", "Tanh", "Sigmoid", "Softplus")


def edges(dt):
    """Values where an implementation's special cases live, both signs."""
    fi = np.finfo(dt)
    tiny_sub = np.array(1, {np.float32: np.uint32, np.float64: np.uint64}[dt]).view(dt)
    mags = [0.0, float(tiny_sub), float(tiny_sub) * 3, float(fi.tiny) / 2, float(fi.tiny),
            1e-30, 1e-20, 1e-10, 1e-8, 3e-8, 1e-7, 1e-6, 1e-4, 1e-3, 0.01, 0.1, 0.25, 0.34657,
            0.5, 0.6931472, 1.0, 2.0, 4.0, 8.0, 8.3177, 9.0, 9.01, 10.0, 15.0, 16.7, 17.0, 20.0,
            30.0, 40.0, 50.0, 80.0, 85.0, 87.0, 87.33654, 87.34, 88.0, 88.7, 88.72283,
            88.722839, 88.7229, 89.0, 100.0, 103.0, 103.9, 103.97, 103.98, 104.0, 105.0, 150.0,
            700.0, 708.39, 709.78, 709.79, 710.0, 744.4, 745.13, 745.2, 746.0, 1e4, 1e10,
            1e20, 1e30, float(fi.max), float("inf")]
    v = np.array(mags, np.float64)
    with np.errstate(over="ignore"):
        v = v.astype(dt)
    # the float32 neighbours of the thresholds, where rounding decides inf / 0 / finite
    near = np.concatenate([np.nextafter(v, dt(np.inf)), np.nextafter(v, dt(-np.inf))])
    out = np.concatenate([v, -v, near, -near, np.array([np.nan, -np.nan], dt)])
    return out[np.isfinite(out) | np.isinf(out) | np.isnan(out)].astype(dt)


def grid(dt, seed):
    rs = np.random.RandomState(seed)
    lin = np.linspace(-110.0, 100.0, 8001)
    pos = np.geomspace(1e-38, 1e38, 4001)
    bits = {np.float32: np.uint32, np.float64: np.uint64}[dt]
    # random bit patterns: every exponent equally likely (NaNs of every payload included)
    info = np.iinfo(bits)
    hi = rs.randint(0, 2 ** 32, size=3000, dtype=np.uint64)
    if dt is np.float64:
        hi = (hi << np.uint64(32)) | rs.randint(0, 2 ** 32, size=3000, dtype=np.uint64)
    raw = hi.astype(bits).view(dt)
    assert info.bits == 8 * np.dtype(dt).itemsize
    with np.errstate(over="ignore"):
        return np.concatenate([edges(dt), lin.astype(dt), pos.astype(dt), -pos.astype(dt),
                               rs.uniform(-20, 20, 3000).astype(dt), raw])


def tf_op(name, x):
    f = {"Exp": tf.math.exp, "Log": tf.math.log, "Tanh": tf.math.tanh,
         "Sigmoid": tf.math.sigmoid, "Softplus": tf.math.softplus, "Elu": tf.nn.elu,
         "Selu": tf.nn.selu, "Expm1": tf.math.expm1, "Log1p": tf.math.log1p}[name]
    with tf.device("/CPU:0"):
        return f(tf.constant(x)).numpy()


def main():
    arrays = {}
    for dt, seed in ((np.float32, 19),):
        x = grid(dt, seed)
        key = np.dtype(dt).name
        arrays[f"{key}/x"] = x
        for op in OPS:
            y = tf_op(op, x)
            assert y.dtype == x.dtype and y.shape == x.shape
            arrays[f"{key}/{op}"] = y
    arrays["tf_version"] = np.array(tf.__version__)
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                        "unary_math_tf221.npz")
    np.savez_compressed(path, **arrays)
    print(f"recorded {len(OPS)} ops on {len(arrays['float32/x'])} float32 inputs with TF "
          f"{tf.__version__}")


if __name__ == "__main__":
    main()
