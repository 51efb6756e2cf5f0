"""The machine's limits, to read the other figures against: peak float32 FLOP/s of the cores
this process may use, and memory bandwidth from a STREAM-like copy.

- peak: the best float32 FLOP/s of a 2048^3 matrix product (NumPy's BLAS or tfteach's own
  AVX-512 GEMM, whichever is faster), on one thread and on every core: a GEMM runs the FMA
  pipes from cache, so this is the compute limit as reached in practice; beside it the
  nominal figure from /proc/cpuinfo (MHz x cores x FLOPs per cycle for the widest vector
  unit the flags name, two FMA pipes assumed; a VM's MHz may be below the boost clock).
- bandwidth: copying a 256 MiB float32 array into another (already faulted in), on one
  thread and on every core (blocks claimed by threads); counted as STREAM counts copy:
  bytes read + bytes written.

    python3 bench/machine_limits.py            # one JSON line, and a table
"""
import json
import os
import sys
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cpuinfo():
    model, mhz, flags = "?", None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                k = k.strip()
                if k == "model name":
                    model = v.strip()
                elif k == "cpu MHz" and mhz is None:
                    mhz = float(v)
                elif k == "flags" and not flags:
                    flags = set(v.split())
    except OSError:
        pass
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    fma = "fma" in flags or "avx512f" in flags
    per_cycle = lanes * (2 if fma else 1) * 2        # two FMA (or add+mul) pipes
    return model, mhz, per_cycle


def gemm_peak(threads):
    """The best float32 FLOP/s a matrix product reaches here: NumPy's BLAS and tfteach's own
    AVX-512 GEMM, 2048^3, on `threads` threads (a GEMM keeps every FMA pipe busy from
    cache; it is how near the nominal figure this machine really gets)."""
    sys.path.insert(0, ROOT)
    from tfteach.kernels.cpu import gemm
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    rs = np.random.RandomState(0)
    n = 2048
    a = rs.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rs.uniform(-1, 1, (n, n)).astype(np.float32)
    best = 0.0
    import contextlib
    lim = threadpool_limits(threads) if threadpool_limits else contextlib.nullcontext()
    with lim:
        for _ in range(3):
            t0 = time.perf_counter()
            np.matmul(a, b)
            best = max(best, 2 * n ** 3 / (time.perf_counter() - t0))
    if gemm.available():
        import numba
        prev = numba.get_num_threads()
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            gemm.sgemm(a, b, threads)
            for _ in range(3):
                t0 = time.perf_counter()
                gemm.sgemm(a, b, threads)
                best = max(best, 2 * n ** 3 / (time.perf_counter() - t0))
        finally:
            numba.set_num_threads(prev)
    return best


def copy_bandwidth(threads, mib=256):
    n = mib * (1 << 20) // 4
    a = np.ones(n, np.float32)
    b = np.zeros(n, np.float32)       # both faulted in before timing
    block = 1 << 20
    nb = n // block
    best = 0.0
    for _ in range(5):
        nxt = iter(range(nb))
        lock = threading.Lock()

        def work():
            while True:
                with lock:
                    i = next(nxt, None)
                if i is None:
                    return
                np.copyto(b[i * block:(i + 1) * block], a[i * block:(i + 1) * block])
        ts = [threading.Thread(target=work) for _ in range(threads - 1)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        work()
        for t in ts:
            t.join()
        dt = time.perf_counter() - t0
        best = max(best, 2 * n * 4 / dt)
    return best


def main():
    model, mhz, per_cycle = cpuinfo()
    c = cores()
    out = {"cpu": model, "cores": c, "mhz": mhz,
           "nominal_peak_GFLOPs": round(c * (mhz or 0) * 1e6 * per_cycle / 1e9, 1),
           "sgemm_peak_1thread_GFLOPs": round(gemm_peak(1) / 1e9, 1),
           "sgemm_peak_all_GFLOPs": round(gemm_peak(c) / 1e9, 1),
           "copy_1thread_GBs": round(copy_bandwidth(1) / 1e9, 2),
           "copy_all_GBs": round(copy_bandwidth(c) / 1e9, 2),
           "loadavg": round(os.getloadavg()[0], 2)}
    for k, v in out.items():
        print(f"{k:28} {v}")
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
