"""One policy for the threads of CPU kernels: numba's pool and SciPy's BLAS.

Every `parallel=True` kernel launches through `parallel(work)`:
- one launch at a time (`PARALLEL_LOCK`): numba's default threading layer aborts when two
  Python threads launch parallel kernels at once (tf.function graphs may run from several);
- SciPy's BLAS (behind numba's `np.dot`) single-threaded inside, since the kernel's tasks
  already use every core;
- numba's thread count from `intra_op_threads()` (TF's intra-op setting, else one per core),
  one thread for small work (waking the pool costs more than it saves).
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels

import itertools
import os
import threading

import numba

from . import SPLIT_MIN, THREADING
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


# --- how many threads: one answer for every kernel ---------------------------------------------
# TF's rule: an op may use `intra_op_parallelism_threads` threads (tf.config.threading or a
# Session's ConfigProto), 0 meaning one per core this process may run on. The answer never
# depends on other processes' load (an earlier policy fell back to one thread when the load
# average was high, so speed and even which code ran depended on the neighbours), and no
# kernel's result depends on it: element-wise work is split into independent blocks, and
# every reduction sums in a blocking fixed by the data's size, not by the thread count.

_LOCAL = threading.local()      # a Session's ConfigProto setting, for the thread running it


def cores():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def intra_op_threads():
    """Threads one op may use now."""
    n = getattr(_LOCAL, "n", 0) or THREADING["intra"]
    return n if n > 0 else cores()


class session_threads:
    """A Session's `intra_op_parallelism_threads` for the runs made from this thread."""

    def __init__(self, n):
        self.n = int(n or 0)

    def __enter__(self):
        self.prev = getattr(_LOCAL, "n", 0)
        if self.n > 0:
            _LOCAL.n = self.n
        return self

    def __exit__(self, *exc):
        _LOCAL.n = self.prev
        return False


def numba_threads():
    """numba threads for a parallel kernel: the policy's count, capped by numba's pool."""
    return max(1, min(intra_op_threads(), numba.config.NUMBA_NUM_THREADS))


def blas_threads(work=None):
    """SciPy's BLAS threads for a product outside a parallel kernel: the policy's count,
    one for work too small to share (OpenBLAS would wake its threads for products that
    take well under a millisecond on one core: waking costs more than it saves)."""
    if work is not None and work < _BLAS_PAR_MIN_MNK:
        return 1
    return intra_op_threads()


_BLAS_PAR_MIN_MNK = 1 << 23


class Parallel:
    """Context for launching a parallel kernel: one launch at a time (numba's default
    threading layer aborts on concurrent launches), SciPy's BLAS single-threaded inside
    (the kernel's tasks already use every thread), numba's thread count from the policy,
    and one thread for small work (waking the pool costs more than it saves)."""

    def __init__(self, parallel=True):
        self.n = numba_threads() if parallel else 1

    def __enter__(self):
        PARALLEL_LOCK.acquire()
        blas_single_thread()
        self.prev_blas = [lib.num_threads for lib in _BLAS["libs"]]
        for lib in _BLAS["libs"]:
            lib.set_num_threads(1)
        self.prev = numba.get_num_threads()
        numba.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        try:
            numba.set_num_threads(self.prev)
            for lib, n in zip(_BLAS["libs"], self.prev_blas):
                lib.set_num_threads(n)
        finally:
            PARALLEL_LOCK.release()
        return False


class blas_held:
    """SciPy's BLAS on one thread while Python threads each call it (nogil kernels that
    reach numba's np.dot); restored after."""

    def __enter__(self):
        blas_single_thread()
        self.prev = [lib.num_threads for lib in _BLAS["libs"]]
        for lib in _BLAS["libs"]:
            lib.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        for lib, n in zip(_BLAS["libs"], self.prev):
            lib.set_num_threads(n)
        return False


_PAR_MIN_WORK = 1 << 16      # elements (or multiply-adds / 64) below which one thread runs


def parallel(work):
    return Parallel(work >= _PAR_MIN_WORK)



# --- Python threads for NumPy work --------------------------------------------------------------

_POOL = [None]


def n_workers():
    """Threads for splitting GIL-free NumPy work: the policy's count."""
    return intra_op_threads()


def map_blocks(fn, n, threads=None):
    """Runs fn(0) .. fn(n-1) on up to `threads` threads (the policy's count by default),
    the calling thread one of them; re-raises the first error. Blocks are claimed one at a
    time by whichever thread is free (for NumPy calls and nogil numba kernels, which release
    the GIL): on a machine where another process holds a core, a thread that is not
    scheduled just claims fewer blocks, instead of the whole call waiting for its share (a
    fixed split into one part per thread ran up to 10x slower than one thread there)."""
    if threads is None:
        threads = intra_op_threads()
    threads = min(threads, n)
    if threads <= 1:
        for i in range(n):
            fn(i)
        return
    if _POOL[0] is None or _POOL[0]._max_workers < threads - 1:
        from concurrent.futures import ThreadPoolExecutor
        _POOL[0] = ThreadPoolExecutor(max_workers=max(threads - 1, cores()),
                                      thread_name_prefix="tfteach-blocks")
    claim = itertools.count()
    failed = []

    def worker():
        while not failed:
            i = next(claim)          # atomic under the GIL
            if i >= n:
                return
            try:
                fn(i)
            except BaseException as e:  # noqa: BLE001 - re-raised by the caller
                failed.append(e)
                return

    futures = [_POOL[0].submit(worker) for _ in range(threads - 1)]
    worker()
    for f in futures:
        f.result()
    if failed:
        raise failed[0]


# --- big element-wise calls on all threads --------------------------------------------------------
# An element-wise op is a ufunc (numba's, from the op's scalar rule); over a big array it is
# memory-bound and one core cannot saturate the memory bus. A call whose operands hold
# SPLIT_MIN elements or more is cut into contiguous blocks of BLOCK elements (NumPy and numba
# ufuncs release the GIL), each block written into its part of one output; the threads
# claim blocks as they come free (`map_blocks`). Every element is
# computed by the same scalar rule whatever the blocking, so results do not depend on the
# thread count.
#
# Where NumPy's own ufunc computes exactly the same IEEE operation (a correctly rounded add,
# multiply, divide, square root, a comparison, integer arithmetic that wraps), the blocks
# call NumPy's: its loops are SIMD-vectorised for this CPU, numba's ufunc loops call the
# scalar rule element by element. Functions such as exp are computed differently by the two
# libraries, so those keep numba's rule.

BLOCK = 1 << 17      # least elements per block (512 KiB of float32)
BLOCKS_PER_THREAD = 8  # blocks of a big call per thread: enough for the threads to balance
                       # when one is kept off its core; each block costs a few microseconds
                       # of Python under the GIL (1e7 elements in 128K blocks: 77 of them,
                       # 3-6% of the call's CPU time)

_TWIN_DTYPES = ("float32", "float64", "int32", "int64")


def _twins():
    import numpy as np
    return {"AddV2": np.add, "Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
            "RealDiv": np.true_divide, "Neg": np.negative, "Square": np.square,
            "Sqrt": np.sqrt, "Less": np.less, "LessEqual": np.less_equal,
            "Greater": np.greater, "GreaterEqual": np.greater_equal, "Equal": np.equal,
            "NotEqual": np.not_equal}


_TWINS = {}


def elementwise_callable(op_type, u, in_dtype):
    """What a plan or the eager executor calls for the element-wise op `op_type` whose
    ufunc for `in_dtype` is `u`: `u` itself for small operands, blocks on all threads for
    big ones (see above)."""
    import numpy as np
    if not _TWINS:
        _TWINS.update(_twins())
    twin = _TWINS.get(op_type) if str(in_dtype) in _TWIN_DTYPES else None
    if twin is not None and (op_type == "Sqrt" or op_type == "RealDiv") and \
            str(in_dtype).startswith("int"):
        twin = None
    f = twin if twin is not None else u
    nd = np.ndarray
    lo = SPLIT_MIN
    if u.nin == 2:
        def call(x, y):
            if (type(x) is nd and x.size >= lo) or (type(y) is nd and y.size >= lo):
                return _split(f, u, (x, y))
            return u(x, y)
    elif u.nin == 1:
        def call(x):
            if type(x) is nd and x.size >= lo:
                return _split(f, u, (x,))
            return u(x)
    else:
        return u
    call.inner = u
    call.__name__ = getattr(u, "__name__", op_type)
    return call


def _split(f, u, args):
    import numpy as np
    n = intra_op_threads()
    arrs = [a if type(a) is np.ndarray else np.asarray(a) for a in args]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrs))
        out_dt = u.resolve_dtypes(tuple(a.dtype for a in arrs) + (None,))[-1]
    except (ValueError, TypeError):
        return u(*args)          # the ufunc raises its own error (or handles the case)
    size = 1
    for d in shape:
        size *= d
    if n <= 1 or size < SPLIT_MIN:
        return f(*arrs)
    out = np.empty(shape, out_dt)
    blk = max(BLOCK, -(-size // (BLOCKS_PER_THREAD * n)))
    if all(a.ndim == 0 or (a.shape == shape and a.flags.c_contiguous) for a in arrs):
        ins = [a.reshape(-1) if a.ndim else a for a in arrs]
        o = out.reshape(-1)
        nb = -(-size // blk)

        def block(i):
            s = i * blk
            e = min(size, s + blk)
            f(*[a[s:e] if a.ndim else a for a in ins], out=o[s:e])
    elif shape and shape[0] >= n:
        rows = shape[0]
        per = max(1, blk // max(1, size // rows))       # rows per block
        nb = -(-rows // per)
        nd = len(shape)

        def block(i):
            s = i * per
            e = min(rows, s + per)
            f(*[a[s:e] if a.ndim == nd and a.shape[0] == rows else a for a in arrs],
              out=out[s:e])
    else:
        return f(*arrs)
    map_blocks(block, nb, n)
    return out
