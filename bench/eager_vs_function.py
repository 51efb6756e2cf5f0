"""Seed 3's eager-vs-tf.function experiment, tfteach beside TF 2.21.

ModelShallow (Dense 10-20-30) and ModelDeep (Dense 1000-2000-3000) on
tf.random.uniform([60, 28, 28]), called eagerly and through tf.function (traced before
timing). Reports calls/s (best repeat) per model and mode, and the traced/eager speed-up.

The bars (issue 4): shallow model at least TF's calls/s in both modes (TF: ~360 eager,
~2200-3000 traced), traced at least 2x eager; deep model traced at least 0.8x TF's.

    python3 bench/eager_vs_function.py                  # both, side by side, with ratios
    python3 bench/eager_vs_function.py --impl tfteach   # one implementation, one JSON line
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def load(impl):
    if impl == "tensorflow":
        import tensorflow as tf
        return tf
    sys.path.insert(0, ROOT)
    import tfteach as tf
    return tf


def build(tf):
    class ModelShallow(tf.keras.Model):
        def __init__(self):
            super(ModelShallow, self).__init__()
            self.dense1 = tf.keras.layers.Dense(10, activation=tf.nn.relu)
            self.dense2 = tf.keras.layers.Dense(20, activation=tf.nn.relu)
            self.dense3 = tf.keras.layers.Dense(30, activation=tf.nn.softmax)
            self.dropout = tf.keras.layers.Dropout(0.5)

        def call(self, inputs, training=False):
            x = self.dense1(inputs)
            if training:
                x = self.dropout(x, training=training)
            x = self.dense2(x)
            return self.dense3(x)

    class ModelDeep(tf.keras.Model):
        def __init__(self):
            super(ModelDeep, self).__init__()
            self.dense1 = tf.keras.layers.Dense(1000, activation=tf.nn.relu)
            self.dense2 = tf.keras.layers.Dense(2000, activation=tf.nn.relu)
            self.dense3 = tf.keras.layers.Dense(3000, activation=tf.nn.softmax)
            self.dropout = tf.keras.layers.Dropout(0.5)

        def call(self, inputs, training=False):
            x = self.dense1(inputs)
            if training:
                x = self.dropout(x, training=training)
            x = self.dense2(x)
            return self.dense3(x)

    return ModelShallow, ModelDeep


def best_per_call(fn, number, repeats):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def run(impl, quick):
    tf = load(impl)
    shallow, deep = build(tf)
    x = tf.random.uniform([60, 28, 28])
    out = {"impl": impl}
    for name, cls, n in [("shallow", shallow, 50 if quick else 200),
                         ("deep", deep, 1 if quick else 3)]:
        eager = cls()
        graph = tf.function(cls())
        eager(x)
        graph(x)
        te = best_per_call(lambda: eager(x), n, 3)
        tg = best_per_call(lambda: graph(x), n, 3)
        out[name] = {"eager_calls_per_s": round(1 / te, 1), "graph_calls_per_s": round(1 / tg, 1),
                     "graph_speedup": round(te / tg, 2), "calls_per_repeat": n}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["tfteach", "tensorflow"])
    ap.add_argument("--tf-python", default=os.environ.get("TF_PYTHON", "/work/tfenv/bin/python"))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.impl:
        print(json.dumps(run(args.impl, args.quick)))
        return
    mine = run("tfteach", args.quick)
    theirs = None
    if os.path.exists(args.tf_python):
        cmd = [args.tf_python, os.path.abspath(__file__), "--impl", "tensorflow"]
        p = subprocess.run(cmd + (["--quick"] if args.quick else []), capture_output=True,
                           text=True)
        if p.returncode == 0:
            theirs = json.loads(p.stdout.strip().splitlines()[-1])
        else:
            print(p.stderr[-2000:], file=sys.stderr)
    out = {"tfteach": mine, "tensorflow": theirs}
    if theirs:
        for m in ("shallow", "deep"):
            for mode in ("eager_calls_per_s", "graph_calls_per_s"):
                out[f"ratio_{m}_{mode}"] = round(mine[m][mode] / theirs[m][mode], 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
