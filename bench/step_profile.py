"""Where a traced training step's time goes, op type by op type (tfteach only).

Wraps every registered CPU kernel with a timer, builds seed 3's CNN (or MLP) training step in
`tf.function` afresh (so its plan calls the wrapped kernels), and prints each op type's
milliseconds per step. Ops a plan fuses (a Dense or conv layer's BiasAdd and Relu, the Keras
Adam update, MaxPoolGrad -> ReluGrad) run as one kernel at the group's first op or outside the
registry, so they show under that op or only in the step's total.

    python3 bench/step_profile.py             # the CNN, batch 50, Adam
    python3 bench/step_profile.py mlp --steps 200
"""
import argparse
import collections
import functools
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default="cnn", choices=["cnn", "mlp"])
    ap.add_argument("--steps", type=int, default=30)
    args = ap.parse_args()
    import tfteach as tf
    from tfteach.framework import registry
    from train_mnist import models

    rs = np.random.RandomState(0)
    x = tf.constant(rs.uniform(0, 1, (50, 784)).astype(np.float32))
    y = tf.constant(rs.randint(0, 10, 50).astype(np.int32))

    def build():
        model = models(tf)[args.model]()
        opt = tf.keras.optimizers.Adam(learning_rate=1e-3)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=y, logits=model(x)))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        return step

    warm = build()      # loads the kernel modules the step needs
    warm()
    spent, calls = collections.defaultdict(float), collections.Counter()

    def timed(name, fn):
        @functools.wraps(fn)      # keeps the signature the registry reads attrs from
        def run(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t0
                calls[name] += 1
        return run

    for name, opdef in registry._OPS.items():
        if "CPU" in opdef.kernels:
            opdef.kernels["CPU"] = timed(name, opdef.kernels["CPU"])
    step = build()
    for _ in range(5):
        step()
    spent.clear()
    calls.clear()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    total = (time.perf_counter() - t0) / args.steps * 1e3
    print(f"{args.model} step: {total:.2f} ms (load {os.getloadavg()[0]:.2f})")
    for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:38} {s / args.steps * 1e3:7.3f} ms  x{calls[name] // args.steps}")
    print(f"  {'(outside the registry kernels)':38} "
          f"{total - sum(spent.values()) / args.steps * 1e3:7.3f} ms")


if __name__ == "__main__":
    main()
