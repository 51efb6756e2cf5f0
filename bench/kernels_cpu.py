"""CPU kernel throughput beside NumPy (issue 2's speed bars), in one run:

* float32 matmul 1024x1024 @ 1024x1024: GFLOP/s (2*n^3 flops), bar >= 0.85x NumPy;
* element-wise add of two 1e7-element float32 vectors: GB/s (3 * 4e7 bytes moved: two
  reads, one write, output allocated as NumPy's `a + b` does), bar >= 0.9x NumPy.

Each is timed three ways: NumPy, the registered tfteach CPU kernel called directly, and a
`Session.run` of a graph holding the inputs in Variables (so the figure includes the plan's
per-run overhead and the fetch copy, but not feeding). Best of N repeats, interleaved so that turbo/thermal drift
hits all three alike.

    python3 bench/kernels_cpu.py            # prints a table and the ratios
    python3 bench/kernels_cpu.py --json     # one JSON line
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def best(fn, repeats):
    fn()                                     # warm: compile / load the numba cache
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(repeats_mm=15, repeats_add=30):
    import tfteach.v1 as tf
    from tfteach.framework import registry

    rng = np.random.default_rng(0)
    n = 1024
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    m = 10_000_000
    x = rng.random(m, dtype=np.float32)
    y = rng.random(m, dtype=np.float32)

    tf.reset_default_graph()
    # Variables, not Consts: the executor folds Const-only subgraphs once they are hot
    va, vb, vx, vy = (tf.Variable(v) for v in (a, b, x, y))
    mm = tf.matmul(va, vb)
    add = tf.add(vx, vy)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    mm_kernel = registry.get_kernel("MatMul", "CPU")
    add_kernel = registry.get_kernel("AddV2", "CPU")
    add_kernel = add_kernel.for_op(add.op) if hasattr(add_kernel, "for_op") else add_kernel

    np.testing.assert_allclose(sess.run(mm), a @ b, rtol=1e-4)
    np.testing.assert_array_equal(sess.run(add), x + y)

    res = {"numpy": {}, "kernel": {}, "session": {}}
    fns = {
        "matmul": ({"numpy": lambda: a @ b,
                    "kernel": lambda: mm_kernel(a, b, transpose_a=False, transpose_b=False),
                    "session": lambda: sess.run(mm)}, repeats_mm, 2.0 * n ** 3 / 1e9),
        "add": ({"numpy": lambda: x + y, "kernel": lambda: add_kernel(x, y),
                 "session": lambda: sess.run(add)}, repeats_add, 3 * 4 * m / 1e9),
    }
    for name, (impls, repeats, work) in fns.items():
        times = {k: [] for k in impls}
        for _ in range(5):                      # interleave the three
            for k, fn in impls.items():
                times[k].append(best(fn, max(1, repeats // 3)))
        for k in impls:
            res[k][name] = work / min(times[k])     # GFLOP/s or GB/s
    sess.close()
    ratios = {f"{name}_{k}_vs_numpy": res[k][name] / res["numpy"][name]
              for name in ("matmul", "add") for k in ("kernel", "session")}
    return res, ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res, ratios = measure()
    if args.json:
        print(json.dumps({"throughput": res, "ratios": ratios}))
        return
    print(f"{'':24s}{'NumPy':>10s}{'kernel':>10s}{'Session':>10s}")
    print(f"{'matmul 1024^2 f32 GFLOP/s':24s}" + "".join(
        f"{res[k]['matmul']:10.1f}" for k in ("numpy", "kernel", "session")))
    print(f"{'add 1e7 f32 GB/s':24s}" + "".join(
        f"{res[k]['add']:10.2f}" for k in ("numpy", "kernel", "session")))
    for k, v in ratios.items():
        bar = 0.85 if k.startswith("matmul") else 0.9
        print(f"{k:32s} {v:5.2f}x  (bar {bar}x: {'ok' if v >= bar else 'BELOW'})")


if __name__ == "__main__":
    main()
