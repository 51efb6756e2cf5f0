"""Eager ops on large tensors (1e7 float32): tfteach, TensorFlow 2.21 and NumPy, in ms per call.

Each figure is the median of `--repeats` timed calls after two warm-up calls; the call's result
is dropped before the next one (a training loop reuses memory the same way).

    python3 bench/large_tensors.py --impl tfteach|tensorflow|numpy    # one JSON line
    python3 bench/interleave.py -n 5 --lower-is-better bench/large_tensors.py   # vs TF
    python3 bench/large_tensors.py --impl both --tf-python /work/tfenv/bin/python

Figures: add_tt (tf.add of two tensors already made), add_np (tf.add of two NumPy arrays,
conversion included), mul_scalar (t * 2.0), add_row ([1000, 10000] + [10000]), exp, sqrt,
greater (t > u), reduce_sum, reduce_mean (all elements), log, tanh, sigmoid (NumPy's:
1 / (1 + exp(-t)), it has no sigmoid of its own), softplus (NumPy's: logaddexp(0, t)).
`--only exp log` times just those.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = 10_000_000


def load(impl):
    if impl == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        return tf
    sys.path.insert(0, ROOT)
    import tfteach as tf
    return tf


def median_ms(fn, repeats):
    fn()
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = fn()
        ts.append(time.perf_counter() - t0)
        del r
    return round(statistics.median(ts) * 1e3, 3)


def run(impl, repeats, only=None):
    rs = np.random.RandomState(0)
    a = rs.uniform(0.5, 2.0, N).astype(np.float32)
    b = rs.uniform(0.5, 2.0, N).astype(np.float32)
    m = a.reshape(1000, 10000)
    row = b[:10000].copy()
    out = {}
    if impl == "numpy":
        ops = {"add_tt": lambda: np.add(a, b), "add_np": lambda: np.add(a, b),
               "mul_scalar": lambda: a * np.float32(2.0), "add_row": lambda: m + row,
               "exp": lambda: np.exp(a), "sqrt": lambda: np.sqrt(a),
               "greater": lambda: a > b, "reduce_sum": lambda: a.sum(),
               "reduce_mean": lambda: a.mean(), "log": lambda: np.log(a),
               "tanh": lambda: np.tanh(a),
               "sigmoid": lambda: 1 / (1 + np.exp(-a)),
               "softplus": lambda: np.logaddexp(np.float32(0), a)}
    else:
        tf = load(impl)
        x, y = tf.constant(a), tf.constant(b)
        xm, r = tf.constant(m), tf.constant(row)
        ops = {"add_tt": lambda: tf.add(x, y), "add_np": lambda: tf.add(a, b),
               "mul_scalar": lambda: x * 2.0, "add_row": lambda: xm + r,
               "exp": lambda: tf.exp(x), "sqrt": lambda: tf.sqrt(x),
               "greater": lambda: x > y, "reduce_sum": lambda: tf.reduce_sum(x),
               "reduce_mean": lambda: tf.reduce_mean(x), "log": lambda: tf.math.log(x),
               "tanh": lambda: tf.tanh(x), "sigmoid": lambda: tf.sigmoid(x),
               "softplus": lambda: tf.nn.softplus(x)}
    for k, fn in ops.items():
        if only and k not in only:
            continue
        out[k] = median_ms(fn, repeats)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", choices=["tfteach", "tensorflow", "numpy", "both"],
                    default="both")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--only", nargs="*", help="figures to time (all by default)")
    ap.add_argument("--tf-python", default=os.environ.get("TF_PYTHON", os.path.join(
        os.path.dirname(ROOT), "tfenv", "bin", "python")))
    a = ap.parse_args()
    if a.impl != "both":
        res = run(a.impl, a.repeats, a.only)
        res.update(impl=a.impl, loadavg=round(os.getloadavg()[0], 2))
        print(json.dumps(res))
        return
    ours = run("tfteach", a.repeats, a.only)
    npy = run("numpy", a.repeats, a.only)
    p = subprocess.run([a.tf_python, os.path.abspath(__file__), "--impl", "tensorflow",
                        "--repeats", str(a.repeats)] + (["--only", *a.only] if a.only else []),
                       capture_output=True, text=True)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    tf = json.loads(lines[-1]) if lines else {}
    print(f"{'ms per call, 1e7 float32':24} {'tfteach':>9} {'TF':>9} {'NumPy':>9} "
          f"{'TF/ours':>8} {'NumPy/ours':>10}")
    for k in ours:
        t = tf.get(k)
        print(f"{k:24} {ours[k]:>9} {t if t else '-':>9} {npy[k]:>9} "
              f"{(f'{t / ours[k]:.2f}x' if t else '-'):>8} {npy[k] / ours[k]:>9.2f}x")
    print(json.dumps({"tfteach": ours, "tensorflow": tf, "numpy": npy}))


if __name__ == "__main__":
    main()
