"""Where the time of small steps goes (issue 4): the traced shallow call and an MLP step.

Part 1 times the same computations op by op: v1 graphs of seed 3's shallow forward pass
(Dense 10-20-30 on [60, 28, 28], softmax) and of the 784-100-10 MLP Adam step at batch 50,
run through `tfteach.client.session.trace_run` with a RunMetadata; it prints each op type's
share of the step. Part 2 runs cProfile over the keras versions (tf.function shallow call,
MLP step eager and in tf.function) and prints the top functions by own time.

    python3 bench/small_ops_profile.py                   # both parts
    python3 bench/small_ops_profile.py --blas-threads    # let small matmuls wake BLAS threads
                                                         # (the behaviour before the fix)
"""
import argparse
import collections
import cProfile
import io
import os
import pstats
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def per_op(label, sess, fetches, feed=None, runs=50):
    from tfteach.client.config import RunMetadata
    from tfteach.client.session import trace_run
    for _ in range(3):
        sess.run(fetches, feed)
    by_type = collections.Counter()
    count = collections.Counter()
    total = 0.0
    for _ in range(runs):
        md = RunMetadata()
        trace_run(sess, fetches, feed, run_metadata=md)
        for dev in md.step_stats.dev_stats:
            for ns in dev.node_stats:
                by_type[ns.op_type] += ns.op_end_rel_micros
                count[ns.op_type] += 1
                total += ns.op_end_rel_micros
    t0 = time.perf_counter()
    for _ in range(runs):
        sess.run(fetches, feed)
    plain = (time.perf_counter() - t0) / runs * 1e6
    print(f"\n== {label}: Session.run {plain:.0f} us/step; kernels {total / runs:.0f} us/step "
          f"(traced op by op)")
    for t, us in by_type.most_common(12):
        print(f"  {t:32} {us / runs:9.1f} us  x{count[t] // runs:<3} {100 * us / total:5.1f}%")


def graphs():
    import tfteach.compat.v1 as tf1
    rs = np.random.RandomState(0)
    g = tf1.Graph()
    with g.as_default():
        x = tf1.random.uniform([60, 28, 28])
        h = tf1.reshape(x, [-1, 28])
        for i, (k, n) in enumerate([(28, 10), (10, 20), (20, 30)]):
            w = tf1.Variable(rs.uniform(-0.3, 0.3, (k, n)).astype(np.float32))
            b = tf1.Variable(np.zeros(n, np.float32))
            h = tf1.nn.bias_add(tf1.matmul(h, w), b)
            h = tf1.nn.softmax(h) if i == 2 else tf1.nn.relu(h)
        shallow = tf1.reshape(h, [60, 28, 30])
        init = tf1.global_variables_initializer()
    s1 = tf1.Session(graph=g)
    s1.run(init)
    per_op("shallow forward (Dense 10-20-30, [60,28,28])", s1, shallow)

    g = tf1.Graph()
    with g.as_default():
        X = tf1.constant(rs.uniform(0, 1, (50, 784)).astype(np.float32))
        y = tf1.constant(rs.randint(0, 10, 50).astype(np.int32))
        w1 = tf1.Variable(rs.uniform(-0.05, 0.05, (784, 100)).astype(np.float32))
        b1 = tf1.Variable(np.zeros(100, np.float32))
        w2 = tf1.Variable(rs.uniform(-0.2, 0.2, (100, 10)).astype(np.float32))
        b2 = tf1.Variable(np.zeros(10, np.float32))
        logits = tf1.nn.bias_add(tf1.matmul(tf1.nn.relu(tf1.nn.bias_add(tf1.matmul(X, w1), b1)),
                                            w2), b2)
        loss = tf1.reduce_mean(tf1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        train = tf1.train.AdamOptimizer(1e-3).minimize(loss)
        init = tf1.global_variables_initializer()
    s2 = tf1.Session(graph=g)
    s2.run(init)
    per_op("MLP 784-100-10 Adam step, batch 50", s2, train)


def profile(label, fn, n):
    fn()
    fn()
    pr = cProfile.Profile()
    t0 = time.perf_counter()
    pr.enable()
    for _ in range(n):
        fn()
    pr.disable()
    dt = (time.perf_counter() - t0) / n
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(14)
    body = buf.getvalue()
    body = body[body.find("   ncalls"):]
    print(f"\n== cProfile {label}: {dt * 1e3:.3f} ms/call under the profiler ({n} calls)")
    print(body.rstrip())


def keras_profiles():
    import tfteach as tf
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from eager_vs_function import build
    from training_throughput import models
    shallow, _ = build(tf)
    x = tf.random.uniform([60, 28, 28])
    m = tf.function(shallow())
    profile("shallow model, tf.function call", lambda: m(x), 300)

    rs = np.random.RandomState(0)
    X = tf.constant(rs.uniform(0, 1, (50, 784)).astype(np.float32))
    y = tf.constant(rs.randint(0, 10, 50).astype(np.int32))
    for mode in ("eager", "function"):
        model = models(tf)["mlp"]()
        opt = tf.keras.optimizers.Adam(learning_rate=1e-3)

        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=y, logits=model(X)))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        profile(f"MLP Adam step, {mode}", tf.function(step) if mode == "function" else step,
                100 if mode == "eager" else 300)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blas-threads", action="store_true",
                    help="disable the one-thread limit on small BLAS products")
    ap.add_argument("--part", choices=["ops", "cprofile", "both"], default="both")
    args = ap.parse_args()
    import tfteach  # noqa: F401
    import tfteach.ops.linalg_ops  # noqa: F401  (declares MatMul before its kernel module loads)
    from tfteach.kernels.cpu import linalg
    if args.blas_threads:
        linalg._SET_THREADS = None
    print(f"load average {os.getloadavg()[0]:.2f}; small-matmul BLAS thread limit: "
          f"{'off' if args.blas_threads else 'on'}")
    if args.part in ("ops", "both"):
        graphs()
    if args.part in ("cprofile", "both"):
        keras_profiles()


if __name__ == "__main__":
    main()
