"""conv2d and its gradients, GFLOP/s: tfteach's kernels next to TensorFlow 2.21 (oneDNN).

Shapes: the seed CNN's two convolutions (5x5 SAME, batch 50) and the anchor benchmark's
[50,28,28,32] -> 64 with 5x5 and 3x3 filters. Each timing is eager `tf.nn.conv2d` (or the tape's
two gradients) including `.numpy()`, best of 5; each gradient kernel alone too
(`tf.raw_ops.Conv2DBackpropInput` / `Conv2DBackpropFilter`: `input_grad_ms`, `filter_grad_ms` in
the JSON line and in `interleave.py`'s tables).

    python3 bench/conv_kernels.py                  # tfteach, then TF (if installed)
    python3 bench/conv_kernels.py --impl tfteach
    python3 bench/interleave.py -n 3 --keys GFLOPs bench/conv_kernels.py   # medians, vs TF
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.abspath(__file__)
DEFAULT_TF_PYTHON = (os.environ.get("TF_PYTHON")
                     or os.path.join(os.path.dirname(ROOT), "tfenv", "bin", "python"))
SHAPES = [("conv1 28x28x1->32", (50, 28, 28, 1), 32, 5),
          ("conv2 14x14x32->64", (50, 14, 14, 32), 64, 5),
          ("anchor 28x28x32->64", (50, 28, 28, 32), 64, 5),
          ("anchor3x3 28x28x32->64", (50, 28, 28, 32), 64, 3)]


def load_tf(impl):
    if impl == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        return tf
    sys.path.insert(0, ROOT)
    import tfteach as tf
    return tf


def best(fn, n=5):
    fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(impl):
    tf = load_tf(impl)
    rs = np.random.RandomState(0)
    out = {}
    for name, shape, filters, ks in SHAPES:
        x = tf.constant(rs.rand(*shape).astype(np.float32))
        w = tf.Variable(rs.rand(ks, ks, shape[3], filters).astype(np.float32) * 0.1)
        flops = 2.0 * shape[0] * shape[1] * shape[2] * ks * ks * shape[3] * filters

        def fwd():
            return tf.nn.conv2d(x, w, strides=1, padding="SAME").numpy()

        def grads():
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.nn.conv2d(x, w, strides=1, padding="SAME")
            gx, gw = tape.gradient(y, [x, w])
            return gx.numpy(), gw.numpy()

        dy = tf.constant(rs.rand(shape[0], shape[1], shape[2], filters).astype(np.float32))
        x_shape = tf.constant(list(shape), dtype=tf.int32)
        w_shape = tf.constant([ks, ks, shape[3], filters], dtype=tf.int32)

        def input_grad():
            return tf.raw_ops.Conv2DBackpropInput(input_sizes=x_shape, filter=w, out_backprop=dy,
                                                  strides=[1, 1, 1, 1], padding="SAME").numpy()

        def filter_grad():
            return tf.raw_ops.Conv2DBackpropFilter(input=x, filter_sizes=w_shape, out_backprop=dy,
                                                   strides=[1, 1, 1, 1], padding="SAME").numpy()

        t_f = best(fwd)
        t_g = best(grads)
        out[name] = {"forward_GFLOPs": round(flops / t_f / 1e9, 1),
                     "fwd+both_grads_GFLOPs": round(3 * flops / t_g / 1e9, 1),
                     "forward_ms": round(t_f * 1e3, 2), "fwd+grads_ms": round(t_g * 1e3, 2),
                     "input_grad_ms": round(best(input_grad) * 1e3, 2),
                     "filter_grad_ms": round(best(filter_grad) * 1e3, 2)}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", choices=["tfteach", "tensorflow", "both"], default="both")
    ap.add_argument("--tf-python", default=DEFAULT_TF_PYTHON)
    args = ap.parse_args()
    if args.impl != "both":
        print(json.dumps(run(args.impl)))
        return
    ours = run("tfteach")
    theirs = None
    if os.path.exists(args.tf_python):
        p = subprocess.run([args.tf_python, HERE, "--impl", "tensorflow"], capture_output=True,
                           text=True)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        theirs = json.loads(lines[-1]) if lines else None
    print(f"{'GFLOP/s':34} {'tfteach':>9} {'TF 2.21':>9} {'ratio':>7}")
    for name in ours:
        for key in ("forward_GFLOPs", "fwd+both_grads_GFLOPs"):
            a = ours[name][key]
            b = theirs[name][key] if theirs else None
            print(f"{name + ' ' + key.split('_')[0]:34} {a:>9} {b if b else '-':>9} "
                  f"{(f'{a / b:.2f}x' if b else '-'):>7}")
    print(json.dumps({"tfteach": ours, "tensorflow": theirs,
                      "loadavg": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
