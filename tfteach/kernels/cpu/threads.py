"""One policy for the threads of CPU kernels: numba's pool and SciPy's BLAS.

Every `parallel=True` kernel launches through `parallel(work)`:
- one launch at a time (`PARALLEL_LOCK`): numba's default threading layer aborts when two
  Python threads launch parallel kernels at once (tf.function graphs may run from several);
- SciPy's BLAS (behind numba's `np.dot`) single-threaded inside, since the kernel's tasks
  already use every core;
- one numba thread for small work (waking the pool costs more than it saves) and on an
  oversubscribed machine (`machine_busy`).
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import os
import time

import numba

from ._build import PARALLEL_LOCK

_BLAS = {"state": 0, "libs": []}     # 0 unknown, 1 usable, -1 not controllable


def blas_single_thread():
    """numba's np.dot calls SciPy's BLAS. Our parallel tasks each call it, so SciPy's
    OpenBLAS must not spawn threads of its own while they run (`Parallel` sets it to one thread
    for the duration of a kernel and restores it after; NumPy's BLAS is never touched).
    Returns False when that cannot be arranged: callers then use the unfused path."""
    if _BLAS["state"] == 0:
        try:
            import scipy.linalg.cython_blas  # noqa: F401 - loads SciPy's BLAS library
            from threadpoolctl import ThreadpoolController
            libs = [lib for lib in ThreadpoolController().lib_controllers
                    if lib.user_api == "blas" and "scipy" in lib.filepath
                    and "numpy" not in lib.filepath]
            _BLAS.update(state=1 if libs else -1, libs=libs)
        except Exception:  # noqa: BLE001 - threadpoolctl missing or unusual BLAS
            _BLAS["state"] = -1
    return _BLAS["state"] == 1


_BUSY = {"at": -1.0, "busy": False, "blas_default": None}


def machine_busy():
    """True when more threads are runnable than there are cores (1-minute load average,
    read at most once a second). A parallel region ends only when its slowest thread does;
    on an oversubscribed machine that thread waits for the scheduler: measured here, a
    parallel kernel then ran up to 10x slower than on one thread, and SciPy's threaded BLAS
    (behind every numba `np.dot`, MatMul's too) made the seed MLP's training step 10x slower
    (273 vs 2790 steps/s). So while the machine is busy SciPy's BLAS runs on one thread, and
    gets its own thread count back when the load drops (NumPy's BLAS is never touched)."""
    now = time.monotonic()
    if now - _BUSY["at"] > 1.0:
        _BUSY["at"] = now
        try:
            busy = os.getloadavg()[0] > 1.5 * (os.cpu_count() or 1)
        except OSError:
            busy = False
        if busy != _BUSY["busy"] and blas_single_thread():
            libs = _BLAS["libs"]
            if _BUSY["blas_default"] is None:
                _BUSY["blas_default"] = [lib.num_threads for lib in libs]
            for lib, n in zip(libs, _BUSY["blas_default"]):
                lib.set_num_threads(1 if busy else n)
        _BUSY["busy"] = busy
    return _BUSY["busy"]


class Parallel:
    """Context for launching a parallel kernel: one launch at a time (numba's default
    threading layer aborts on concurrent launches), SciPy's BLAS single-threaded inside
    (the kernel's tasks already use every core), and a single numba thread for small work
    (waking the pool costs more than it saves) or on an oversubscribed machine."""

    def __init__(self, parallel=True):
        busy = machine_busy()      # always: it also keeps SciPy's BLAS threads in step
        self.parallel = parallel and not busy

    def __enter__(self):
        PARALLEL_LOCK.acquire()
        self.prev_blas = [lib.num_threads for lib in _BLAS["libs"]]
        for lib in _BLAS["libs"]:
            lib.set_num_threads(1)
        self.prev = None
        if not self.parallel:
            self.prev = numba.get_num_threads()
            numba.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        try:
            if self.prev is not None:
                numba.set_num_threads(self.prev)
            for lib, n in zip(_BLAS["libs"], self.prev_blas):
                lib.set_num_threads(n)
        finally:
            PARALLEL_LOCK.release()
        return False


_PAR_MIN_WORK = 1 << 16      # elements (or multiply-adds / 64) below which one thread runs


def parallel(work):
    return Parallel(work >= _PAR_MIN_WORK)



# --- Python threads for NumPy work --------------------------------------------------------------

_POOL = [None]


def n_workers():
    """Threads for splitting GIL-free NumPy work: one per core, one on a busy machine."""
    return 1 if machine_busy() else max(1, os.cpu_count() or 1)


def map_blocks(fn, n):
    """Runs fn(0) .. fn(n-1), on a small pool of Python threads when n > 1 (for NumPy
    calls that release the GIL, such as ufuncs over big arrays); re-raises the first error."""
    if n <= 1:
        for i in range(n):
            fn(i)
        return
    if _POOL[0] is None:
        from concurrent.futures import ThreadPoolExecutor
        _POOL[0] = ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                                      thread_name_prefix="tfteach-numpy")
    futures = [_POOL[0].submit(fn, i) for i in range(1, n)]
    fn(0)
    for f in futures:
        f.result()
