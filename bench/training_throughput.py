"""Training steps/s at batch 50 with Adam, tfteach next to TensorFlow 2.21.

Models are seed 3's MLP (784-100-10) and CNN (conv5x5x32-pool-conv5x5x64-pool-dense1024-
dense10); one step is forward + GradientTape gradient + `apply_gradients`, run eagerly and
inside `tf.function`, on random data of the right shapes (the anchor benchmark's protocol,
`../shared/bench-anchors/training_throughput.py`). Best of 3 repeats.

    python3 bench/training_throughput.py                  # tfteach, then TF (if installed)
    python3 bench/training_throughput.py --impl tfteach   # one implementation, JSON line
    python3 bench/training_throughput.py --tf-python /path/to/python --quick

Targets (issue 4): MLP traced >= TF's traced rate, MLP eager >= 3x TF's eager rate, CNN
traced >= 0.8x TF's traced rate.
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


def load_tf(impl):
    if impl == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
        import tensorflow as tf
        return tf
    sys.path.insert(0, ROOT)
    import tfteach as tf
    return tf


from train_mnist import models  # noqa: E402 - the seed's MLP and CNN, defined once


def rate(step, n_steps, repeats=3):
    step()
    step()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n_steps):
            step()
        rates.append(n_steps / (time.perf_counter() - t0))
    return round(max(rates), 2)


def run(impl, quick, only=None):
    tf = load_tf(impl)
    rs = np.random.RandomState(0)
    X = tf.constant(rs.uniform(0, 1, (50, 784)).astype(np.float32))
    y = tf.constant(rs.randint(0, 10, 50).astype(np.int32))
    counts = {("mlp", "eager"): 30 if quick else 200, ("mlp", "function"): 100 if quick else 500,
              ("cnn", "eager"): 2 if quick else 10, ("cnn", "function"): 3 if quick else 20}
    out = {}
    for name, cls in models(tf).items():
        for mode in ("eager", "function"):
            if only and f"{name}_{mode}" not in only:
                continue
            model = cls()
            opt = tf.keras.optimizers.Adam(learning_rate=1e-3)

            def step():
                with tf.GradientTape() as tape:
                    logits = model(X)
                    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                        labels=y, logits=logits))
                grads = tape.gradient(loss, model.trainable_variables)
                opt.apply_gradients(zip(grads, model.trainable_variables))
                return loss

            fn = tf.function(step) if mode == "function" else step
            out[f"{name}_{mode}"] = rate(fn, counts[(name, mode)])
    return out


def load_avg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", choices=["tfteach", "tensorflow", "both"], default="both")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tf-python", default=DEFAULT_TF_PYTHON)
    ap.add_argument("--only", nargs="*", help="figures to run, e.g. cnn_function")
    args = ap.parse_args()
    if args.impl != "both":
        res = run(args.impl, args.quick, args.only)
        res.update(impl=args.impl, loadavg=load_avg())
        print(json.dumps(res))
        return
    ours = run("tfteach", args.quick)
    theirs = None
    if os.path.exists(args.tf_python):
        cmd = [args.tf_python, HERE, "--impl", "tensorflow"] + (["--quick"] if args.quick else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        theirs = json.loads(lines[-1]) if lines else None
    print(f"{'steps/s, batch 50, Adam':28} {'tfteach':>10} {'TF 2.21':>10} {'ratio':>8}")
    for key in ("mlp_eager", "mlp_function", "cnn_eager", "cnn_function"):
        t = theirs.get(key) if theirs else None
        ratio = f"{ours[key] / t:.2f}x" if t else "-"
        print(f"{key:28} {ours[key]:>10} {t if t else '-':>10} {ratio:>8}")
    print(json.dumps({"tfteach": ours, "tensorflow": theirs, "loadavg": load_avg()}))


if __name__ == "__main__":
    main()
