"""GPU kernel speed beside CuPy / cuBLAS (issue 7's speed bars), in one run:

* element-wise add of two 2**26-element float32 vectors (the generated `flat` kernel):
  bandwidth = 3 * 4 * 2**26 bytes / time; bar >= 0.9x CuPy's `cp.add(a, b, out=c)`;
* float32 matmul n = 1024, 2048, 4096 with tfteach's numba.cuda kernels (register-blocked,
  tiles chosen by size) and with the 16x16 lesson kernel, vs cuBLAS through CuPy with TF32
  off (CUPY_TF32=0); TFLOP/s = 2 n^3 / time; bars: >= 0.8x cuBLAS at n >= 2048, >= 0.7x at
  n = 1024. Each result is checked against cuBLAS's;
* conv2d forward and both gradients for the seed CNN's layers at batch 256 (im2col + the
  GEMM kernel), as TFLOP/s next to the GEMM rate of the same FLOPs; bar >= 0.5x.

Times are medians of CUDA-event-timed repeats after a warm-up launch (which compiles).
Without an NVIDIA GPU (or without the `cuda` extra) it exits with a message saying so.

    python3 bench/cuda_kernels.py              # table
    python3 bench/cuda_kernels.py --json       # one JSON line per measurement
    python3 bench/cuda_kernels.py --quick      # fewer repeats, n <= 2048
    NUMBA_ENABLE_CUDASIM=1 python3 bench/cuda_kernels.py --smoke
                                               # checks the script itself in the simulator
                                               # at tiny sizes (its timings mean nothing)
"""
import argparse
import json
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("CUPY_TF32", "0")          # cuBLAS in full FP32, as the bar says


def _no_gpu(msg):
    print(f"bench/cuda_kernels.py: no GPU to measure on: {msg}", file=sys.stderr)
    sys.exit(2)


def _setup(smoke=False):
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" and not smoke:
        _no_gpu("NUMBA_ENABLE_CUDASIM=1 selects numba's CUDA simulator, which cannot be "
                "timed. Unset it and run on a machine with an NVIDIA GPU.")
    from tfteach.runtime import devices
    if devices.gpu_count() == 0:
        _no_gpu("numba.cuda found no NVIDIA GPU (driver and `pip install tfteach[cuda]` "
                "needed). The kernels are tested in the simulator by "
                "tests/test_cuda_parity.py; speed needs a real device.")
    import tfteach.v1  # noqa: F401  (registers the ops)
    import tfteach.kernels.cuda  # noqa: F401
    from numba import cuda
    try:
        import cupy as cp
    except ImportError:
        cp = None
    return cuda, cp


def _time(cuda, fn, repeats):
    """Median seconds of fn() between CUDA events, after one warm-up call."""
    fn()
    cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, stop = cuda.event(), cuda.event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        ms = start.elapsed_time(stop)
        times.append((ms if ms and ms > 0 else 1e-3) / 1e3)   # the simulator: no times
    return statistics.median(times)


def _time_cupy(cp, fn, repeats):
    fn()
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(repeats):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop) / 1e3)
    return statistics.median(times)


def bench_add(cuda, cp, repeats, n=1 << 26):
    from tfteach.kernels.cuda import _dev, elementwise
    rng = np.random.default_rng(0)
    a_h, b_h = rng.random(n, np.float32), rng.random(n, np.float32)
    a, b = cuda.to_device(a_h), cuda.to_device(b_h)
    out = _dev.empty((n,), np.float32)
    k = elementwise._flat_kernel(elementwise_add, 2)
    grid = (_dev.blocks_for(n), _dev.TPB)

    def ours():
        k[grid](out, a, b)
    t = _time(cuda, ours, repeats)
    np.testing.assert_array_equal(out.copy_to_host()[:1000], (a_h + b_h)[:1000])
    label = f"add_2^{n.bit_length() - 1}_f32"
    rows = [{"bench": label, "impl": "tfteach", "seconds": t,
             "GB/s": 3 * 4 * n / t / 1e9}]
    # Through the op's kernel (allocation from the pool included), as a Session would run it.
    from tfteach.framework import registry
    op_kernel = registry.get("AddV2").kernels["GPU"]
    t_op = _time(cuda, lambda: op_kernel(a, b), repeats)
    rows.append({"bench": label, "impl": "tfteach AddV2 kernel (with allocation)",
                 "seconds": t_op, "GB/s": 3 * 4 * n / t_op / 1e9})
    if cp is not None:
        ca, cb = cp.asarray(a_h), cp.asarray(b_h)
        cc = cp.empty_like(ca)
        tc = _time_cupy(cp, lambda: cp.add(ca, cb, out=cc), repeats)
        rows.append({"bench": label, "impl": "cupy", "seconds": tc,
                     "GB/s": 3 * 4 * n / tc / 1e9})
        rows[0]["ratio_vs_cupy"] = tc / t
    return rows


def elementwise_add(x, y):
    return x + y


def bench_matmul(cuda, cp, sizes, repeats):
    from tfteach.kernels.cuda import _dev, gemm as matmul
    rows = []
    rng = np.random.default_rng(1)
    for n in sizes:
        a_h = rng.standard_normal((n, n), np.float32)
        b_h = rng.standard_normal((n, n), np.float32)
        a, b = cuda.to_device(a_h), cuda.to_device(b_h)
        flops = 2.0 * n ** 3
        tiles = matmul.tiles_for(n, n, n)
        t_fast = _time(cuda, lambda: matmul.matmul_fast(a, b, tiles=tiles), repeats)
        c_fast = matmul.matmul_fast(a, b, tiles=tiles).copy_to_host()
        row = {"bench": f"matmul_{n}_f32", "impl": f"tfteach fast {tiles[0]}x{tiles[1]}",
               "seconds": t_fast, "TFLOP/s": flops / t_fast / 1e12}
        rows.append(row)
        if n <= 2048:
            t_lesson = _time(cuda, lambda: matmul.matmul_tiled(a, b), max(1, repeats // 3))
            rows.append({"bench": f"matmul_{n}_f32", "impl": "tfteach lesson 16x16",
                         "seconds": t_lesson, "TFLOP/s": flops / t_lesson / 1e12})
        if cp is not None:
            ca, cb = cp.asarray(a_h), cp.asarray(b_h)
            t_cb = _time_cupy(cp, lambda: ca @ cb, repeats)
            ref = cp.asnumpy(ca @ cb)
            rows.append({"bench": f"matmul_{n}_f32", "impl": "cublas (cupy, TF32 off)",
                         "seconds": t_cb, "TFLOP/s": flops / t_cb / 1e12})
            row["ratio_vs_cublas"] = t_cb / t_fast
            row["max_abs_diff_vs_cublas"] = float(np.abs(c_fast - ref).max())
        else:
            row["max_abs_diff_vs_numpy"] = float(np.abs(c_fast - a_h @ b_h).max())
        del a, b
    return rows


SEED_CNN_LAYERS = ((28, 1, 32), (14, 32, 64))     # 5x5 SAME: 28x28x1 -> 32, 14x14x32 -> 64


def bench_conv(cuda, cp, repeats, batch=256, layers=SEED_CNN_LAYERS):
    from tfteach.framework import registry
    from tfteach.kernels.cuda import gemm as matmul
    rows = []
    rng = np.random.default_rng(2)
    attrs = {"strides": [1, 1, 1, 1], "padding": "SAME", "data_format": "NHWC",
             "dilations": [1, 1, 1, 1]}
    fwd = registry.get("Conv2D").kernels["GPU"]
    dfilt = registry.get("Conv2DBackpropFilter").kernels["GPU"]
    dinp = registry.get("Conv2DBackpropInput").kernels["GPU"]
    for (h, c, o) in layers:
        x = cuda.to_device(rng.standard_normal((batch, h, h, c), np.float32))
        f = cuda.to_device(rng.standard_normal((5, 5, c, o), np.float32))
        dy = cuda.to_device(rng.standard_normal((batch, h, h, o), np.float32))
        flops = 2.0 * batch * h * h * o * 25 * c
        m, k, n = batch * h * h, 25 * c, o
        a_g = cuda.to_device(rng.standard_normal((m, k), np.float32))
        b_g = cuda.to_device(rng.standard_normal((k, n), np.float32))
        t_gemm = _time(cuda, lambda: matmul.matmul(a_g, b_g), repeats)
        gemm_rate = 2.0 * m * k * n / t_gemm / 1e12
        for name, fn in (
                ("Conv2D", lambda: fwd(x, f, **attrs)),
                ("Conv2DBackpropFilter",
                 lambda: dfilt(x, np.array([5, 5, c, o], np.int32), dy, **attrs)),
                ("Conv2DBackpropInput",
                 lambda: dinp(np.array([batch, h, h, c], np.int32), f, dy, **attrs))):
            t = _time(cuda, fn, repeats)
            rows.append({"bench": f"{name}_b{batch}_{h}x{h}x{c}->{o}_5x5", "impl": "tfteach",
                         "seconds": t, "TFLOP/s": flops / t / 1e12,
                         "gemm_TFLOP/s_same_shape": gemm_rate,
                         "ratio_vs_gemm": flops / t / 1e12 / gemm_rate})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes; allowed in the simulator")
    args = ap.parse_args()
    cuda, cp = _setup(args.smoke)
    reps = 2 if args.smoke else 5 if args.quick else 20
    sizes = (32,) if args.smoke else (1024, 2048) if args.quick else (1024, 2048, 4096)
    dev = cuda.get_current_device()
    name = getattr(dev, "name", "numba CUDA simulator")
    header = {"device": name.decode() if isinstance(name, bytes) else str(name),
              "cupy": getattr(cp, "__version__", None)}
    rows = bench_add(cuda, cp, reps, 1 << 10 if args.smoke else 1 << 26) + \
        bench_matmul(cuda, cp, sizes, reps) + \
        bench_conv(cuda, cp, 1 if args.smoke else max(3, reps // 4),
                   batch=1 if args.smoke else 256,
                   layers=((6, 1, 4),) if args.smoke else SEED_CNN_LAYERS)
    if args.json:
        for r in rows:
            print(json.dumps({**header, **r}))
        return
    print(f"device: {header['device']}   cupy: {header['cupy'] or 'not installed'}")
    for r in rows:
        extra = {k: v for k, v in r.items() if k not in ("bench", "impl", "seconds")}
        figs = "  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in extra.items())
        print(f"{r['bench']:<40} {r['impl']:<40} {r['seconds'] * 1e3:9.3f} ms  {figs}")


if __name__ == "__main__":
    main()
