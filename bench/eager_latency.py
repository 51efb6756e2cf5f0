"""Eager per-op latency: `tf.add(a, b)` on two scalar float32 tensors, tfteach beside TF 2.21.

The bar (issue 4): tfteach's eager `tf.add` costs at most 1/5 of TensorFlow's (~15 us).
Reports the best and median per-call microseconds over repeats of 10k calls, for
`tf.add(a, b)`, `a + b`, and `tf.add(a, b).numpy()`.

    python3 bench/eager_latency.py                  # both, side by side, with the ratio
    python3 bench/eager_latency.py --impl tfteach   # one implementation, one JSON line

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


def load(impl):
    if impl == "tensorflow":
        import tensorflow as tf
        return tf
    sys.path.insert(0, ROOT)
    import tfteach as tf
    return tf


def per_call(fn, number, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number * 1e6)
    return {"best_us": round(min(times), 3), "median_us": round(statistics.median(times), 3)}


def run(impl, number, repeats):
    tf = load(impl)
    a = tf.constant(1.5)
    b = tf.constant(2.5)
    return {"impl": impl, "add": per_call(lambda: tf.add(a, b), number, repeats),
            "operator_plus": per_call(lambda: a + b, number, repeats),
            "add_then_numpy": per_call(lambda: tf.add(a, b).numpy(), number, repeats),
            "calls_per_repeat": number, "repeats": repeats}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["tfteach", "tensorflow"])
    ap.add_argument("--tf-python", default=os.environ.get("TF_PYTHON", "/work/tfenv/bin/python"))
    ap.add_argument("--number", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    if args.impl:
        print(json.dumps(run(args.impl, args.number, args.repeats)))
        return
    mine = run("tfteach", args.number, args.repeats)
    theirs = None
    if os.path.exists(args.tf_python):
        p = subprocess.run([args.tf_python, os.path.abspath(__file__), "--impl", "tensorflow",
                            "--number", str(args.number), "--repeats", str(args.repeats)],
                           capture_output=True, text=True)
        if p.returncode == 0:
            theirs = json.loads(p.stdout.strip().splitlines()[-1])
        else:
            print(p.stderr[-2000:], file=sys.stderr)
    out = {"tfteach": mine, "tensorflow": theirs}
    if theirs:
        out["ratio_add_best"] = round(mine["add"]["best_us"] / theirs["add"]["best_us"], 3)
        out["ratio_plus_best"] = round(mine["operator_plus"]["best_us"] /
                                       theirs["operator_plus"]["best_us"], 3)
        out["meets_1_5th"] = out["ratio_add_best"] <= 0.2
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
