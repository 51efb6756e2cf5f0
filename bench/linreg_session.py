"""Seed 1's linear regression in a TF1 session, tfteach beside TensorFlow (issue 3).

1000 synthetic points, batches of 100, 5000 `sess.run([train_one_step, avg_loss, m, b],
feed_dict)` steps of GradientDescent(0.0005), plus the validation run every 500 steps.
Reports the loop's total seconds (best of 3). The bar: tfteach <= 1/3 of TensorFlow's time.

    python3 bench/linreg_session.py                  # both, side by side (TF via /work/tfenv)
    python3 bench/linreg_session.py --impl tfteach   # one implementation, one JSON line

TensorFlow runs in its own interpreter (`--tf-python`: a Python with tensorflow-cpu 2.21,
default $TF_PYTHON, else /work/tfenv/bin/python) with the same script and `--impl tensorflow`;
it is only a point of comparison, never a dependency.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def load(impl):
    if impl == "tensorflow":
        import tensorflow as real_tf
        real_tf.compat.v1.disable_v2_behavior()
        return real_tf.compat.v1
    sys.path.insert(0, ROOT)
    import tfteach.v1 as tf
    return tf


def run(impl, steps, repeats):
    tf = load(impl)
    np.random.seed(0)
    temps = np.random.normal(55, 20, 1000)
    hosp_visits = 1000 - 5 * temps + np.random.normal(0, 100, 1000)
    normalized = (temps - temps.mean()) / temps.std()
    train_X, train_y = normalized[:800], hosp_visits[:800]
    valid_X, valid_y = normalized[800:900], hosp_visits[800:900]
    totals, cpu = [], []
    final = None
    for _ in range(repeats):
        g = tf.Graph()
        with g.as_default():
            X = tf.placeholder(tf.float32)
            y = tf.placeholder(tf.float32)
            m = tf.Variable(0.)
            b = tf.Variable(0.)
            avg_loss = tf.reduce_mean(tf.squared_difference(X * m + b, y))
            train_one_step = tf.train.GradientDescentOptimizer(
                learning_rate=0.0005).minimize(avg_loss)
            init = tf.global_variables_initializer()
        with tf.Session(graph=g) as sess:
            sess.run(init)
            c0, t0 = time.process_time(), time.perf_counter()
            for i in range(steps):
                k = i % 8
                feed = {X: train_X[k * 100:(k + 1) * 100], y: train_y[k * 100:(k + 1) * 100]}
                _, loss, m_v, b_v = sess.run([train_one_step, avg_loss, m, b], feed_dict=feed)
                if i % 500 == 0:
                    sess.run(avg_loss, feed_dict={X: valid_X, y: valid_y})
            totals.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            final = (float(sess.run(m)), float(sess.run(b)))
    return {"bench": "linreg_session", "impl": impl, "steps": steps,
            "total_s_best": round(min(totals), 4),
            "total_s_median": round(sorted(totals)[len(totals) // 2], 4),
            "us_per_step": round(min(totals) / steps * 1e6, 1),
            # CPU time of this process (= wall time on an idle machine; TF uses threads,
            # so compare wall times for TensorFlow)
            "cpu_s_best": round(min(cpu), 4),
            "final_m": round(final[0], 4), "final_b": round(final[1], 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["tensorflow", "tfteach", "both"], default="both")
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tf-python", default=os.environ.get("TF_PYTHON", "/work/tfenv/bin/python"))
    args = ap.parse_args()
    if args.impl != "both":
        print(json.dumps(run(args.impl, args.steps, args.repeats)), flush=True)
        return 0
    mine = run("tfteach", args.steps, args.repeats)
    theirs = None
    if os.path.exists(args.tf_python):
        out = subprocess.run([args.tf_python, os.path.abspath(__file__), "--impl", "tensorflow",
                              "--steps", str(args.steps), "--repeats", str(args.repeats)],
                             capture_output=True, text=True)
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
        if lines:
            theirs = json.loads(lines[-1])
        else:
            print(out.stderr[-2000:], file=sys.stderr)
    print(f"{'impl':<12}{'total s (best)':>16}{'median':>10}{'us/step':>10}{'m':>10}{'b':>10}")
    for r in (mine, theirs):
        if r:
            print(f"{r['impl']:<12}{r['total_s_best']:>16.4f}{r['total_s_median']:>10.4f}"
                  f"{r['us_per_step']:>10.1f}{r['final_m']:>10.3f}{r['final_b']:>10.3f}")
    if theirs:
        ratio = mine["total_s_best"] / theirs["total_s_best"]
        ok = ratio <= 1 / 3
        print(f"tfteach / TensorFlow = {ratio:.3f}  (bar: <= 0.333)  {'PASS' if ok else 'MISS'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
