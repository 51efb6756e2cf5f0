"""TF1 `Session.run` latency, tfteach beside TensorFlow 2.21 (issue 2's speed bars).

Graphs (as in ../shared/bench-anchors/session_latency.py):
  a_plus_b      seed 1's `a + b` of two constants                   bar: <= 1/5 of TF
  feed          placeholders p, q fed through feed_dict: p * q + 1   bar: <= 1/5 of TF
  chain100_var  100 alternating add/mul ops starting from a Variable bar: <= 1/2 of TF
  chain100      the same chain from a constant (TF's Grappler folds it; so does a hot
                tfteach plan)

A plan that has run `Plan.FUSE_AFTER` (100) times gets its element-wise chains fused into
one numba kernel (runtime/fusion.py); the warm-up below runs each graph past that point,
so the figures are the steady state of a training loop. The first process compiles the
fused kernels (about a second for the 100-op chain), later ones load them from numba's
on-disk cache.

    python3 bench/session_latency.py                  # both, side by side, with ratios
    python3 bench/session_latency.py --impl tfteach   # one implementation, one JSON line

TensorFlow runs in its own interpreter (`--tf-python`: a Python with tensorflow-cpu 2.21,
default $TF_PYTHON, else /work/tfenv/bin/python) with this script and `--impl tensorflow`; it
is a point of comparison, never a dependency.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

BARS = {"a_plus_b": 1 / 5, "feed": 1 / 5, "chain100_var": 1 / 2}
# TF 2.21 on the project's 2-core reference machine (../shared/bench-anchors, best of 5):
# a loaded machine slows TF's threads far more than tfteach, so both ratios are printed.
ANCHORS_US = {"a_plus_b": 47.9, "feed": 109.3, "chain100_var": 68.6, "chain100": 46.0}


def load(impl):
    if impl == "tensorflow":
        import tensorflow as real_tf
        real_tf.compat.v1.disable_v2_behavior()
        return real_tf.compat.v1
    sys.path.insert(0, ROOT)
    import tfteach.v1 as tf
    return tf


def per_call(fn, number, repeats, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number * 1e6)
    return {"best_us": round(min(times), 3), "median_us": round(statistics.median(times), 3)}


def chain(tf, start):
    y = start
    for i in range(100):
        y = y + 1.0 if i % 2 == 0 else y * 0.999
    return y


def run(impl, number, repeats):
    tf = load(impl)
    warm = 200
    out = {"impl": impl, "calls_per_repeat": number, "repeats": repeats}

    g = tf.Graph()
    with g.as_default():
        s = tf.add(tf.constant(3.14), tf.constant(1.414))
    sess = tf.Session(graph=g)
    out["a_plus_b"] = per_call(lambda: sess.run(s), number, repeats, warm)

    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.float32)
        q = tf.placeholder(tf.float32)
        z = p * q + 1.0
    sess_f = tf.Session(graph=g)
    out["feed"] = per_call(lambda: sess_f.run(z, feed_dict={p: 3.0, q: 4.0}), number,
                           repeats, warm)

    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(1.0)
        yv = chain(tf, v)
        init = tf.global_variables_initializer()
    sess_v = tf.Session(graph=g)
    sess_v.run(init)
    out["chain100_var"] = per_call(lambda: sess_v.run(yv), number // 5, repeats, warm)

    g = tf.Graph()
    with g.as_default():
        yc = chain(tf, tf.constant(1.0))
    sess_c = tf.Session(graph=g)
    out["chain100"] = per_call(lambda: sess_c.run(yc), number // 5, repeats, warm)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["tfteach", "tensorflow"])
    ap.add_argument("--tf-python", default=os.environ.get("TF_PYTHON", "/work/tfenv/bin/python"))
    ap.add_argument("--number", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if args.impl:
        print(json.dumps(run(args.impl, args.number, args.repeats)))
        return
    mine = run("tfteach", args.number, args.repeats)
    theirs = None
    if os.path.exists(args.tf_python):
        proc = subprocess.run([args.tf_python, os.path.abspath(__file__), "--impl",
                               "tensorflow", "--number", str(args.number), "--repeats",
                               str(args.repeats)], capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        theirs = json.loads(lines[-1]) if lines else None
        if theirs is None:
            print(f"TensorFlow run failed: {proc.stderr[-500:]}", file=sys.stderr)
    print(f"{'graph':14s} {'tfteach us':>11s} {'TF us':>9s} {'ratio':>7s} "
          f"{'anchor us':>10s} {'ratio':>7s} {'bar':>6s}")
    for key in ("a_plus_b", "feed", "chain100_var", "chain100"):
        t = mine[key]["best_us"]
        tf_us = theirs[key]["best_us"] if theirs else None
        ratio = f"{t / tf_us:7.3f}" if tf_us else "      -"
        bar = f"{BARS[key]:6.2f}" if key in BARS else "     -"
        tf_s = f"{tf_us:9.2f}" if tf_us else "        -"
        anchor = ANCHORS_US[key]
        print(f"{key:14s} {t:11.2f} {tf_s} {ratio} {anchor:10.1f} {t / anchor:7.3f} {bar}")
    print(json.dumps({"tfteach": mine, "tensorflow": theirs}))


if __name__ == "__main__":
    main()
