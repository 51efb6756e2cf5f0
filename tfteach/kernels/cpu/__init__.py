"""numba kernels for the CPU, one module per op family (`math.py` holds the CPU kernels of
the ops declared in `tfteach/ops/math_ops.py`, and so on).

Importing this package is cheap and imports no numba: the registry imports a family's
module the first time a plan needs one of its kernels (the family is recorded when the op
is declared), so a first `Session.run` pays only for the families it uses, and calls
`before_first_kernel()` once before that.

Toolkit modules register no kernels and are shared by the family modules (each is marked
`__toolkit__ = True`): `_build` (element-wise kernel factories), `gemm` (tfteach's own
float32 GEMM), `threads` (the parallel-launch and BLAS-thread policy), `vecmath` (float32
exp, log, tanh, sigmoid, softplus that LLVM vectorises).
"""
import os

TOOLKIT = ("_build", "gemm", "threads", "vecmath")

# tf.config.threading's settings (0: one thread per core), kept here because this package
# imports no numba; `threads.py` reads them. `started` turns true when the first kernel
# runs: TF refuses changes from then on.
THREADING = {"intra": 0, "inter": 0, "started": False}
# element-wise calls over this many elements or more run in blocks on all threads
SPLIT_MIN = 1 << 17


def _memory_policy():
    """Stops NumPy from asking the kernel for transparent huge pages on big arrays.

    NumPy madvises every array of 4 MiB or more as MADV_HUGEPAGE. Where the kernel's THP
    `defrag` setting is `madvise` (the default, and this project's machines), a page fault
    in such an array may stall on synchronous memory compaction, and a graph allocates
    big outputs on every run: measured, a softmax over [60, 28, 3000] spent 25-50 ms of
    kernel time faulting in its output instead of 3 ms computing, and seed 3's deep model
    ran at 8.1 calls/s with the advice, 10.3 without. TF's allocator never gives the kernel
    that advice. Set TFTEACH_NUMPY_HUGEPAGES=1 to keep NumPy's default (the setting is
    process-wide: NumPy arrays made outside tfteach follow it too)."""
    if os.environ.get("TFTEACH_NUMPY_HUGEPAGES") == "1":
        return
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:     # NumPy < 2
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return
    _set_madvise_hugepage(False)


# glibc's mallopt parameters
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _malloc_policy():
    """Lets big arrays reuse freed memory instead of fresh pages from the kernel.

    glibc serves every block over its mmap threshold (at most 32 MiB) with a new mmap and
    unmaps it on free, so each big output (a 1e7-element float32 result is 40 MB) is fresh
    zero pages the kernel faults in one by one: measured here, np.add of two 1e7 float32
    arrays took 10-12 ms that way and 2.9 ms when the block came from the heap; TF's
    allocator keeps its memory the same way. Blocks below 256 MiB now come from the heap,
    and the heap is given back to the system once 512 MiB at its top are free. Set
    TFTEACH_MALLOC_REUSE=0 to keep glibc's defaults (the setting is process-wide)."""
    if os.environ.get("TFTEACH_MALLOC_REUSE") == "0" or not os.uname().sysname == "Linux":
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 256 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 512 << 20)
    except (OSError, AttributeError):   # not glibc (musl, ...): its defaults stay
        return


def _float_warnings_policy():
    """TF computes IEEE results without a word: log(0) is -inf, 0/0 is NaN, Relu(NaN) is NaN.
    NumPy's ufuncs (numba's element-wise kernels are ufuncs) check the FPU's flags after
    each call and warn "invalid value encountered in _relu"; this hides exactly those
    warnings, and only where the calling frame is tfteach's own code (kernels, the eager
    executor, session plans). A user's own NumPy code still warns as NumPy decides."""
    import warnings
    warnings.filterwarnings(
        "ignore", message=r"(invalid value|divide by zero|overflow) encountered in",
        category=RuntimeWarning, module=r"tfteach(\.|$)")


def before_first_kernel():
    """The process-wide policies the CPU kernels rely on, applied when the first loads."""
    THREADING["started"] = True
    _memory_policy()
    _malloc_policy()
    _float_warnings_policy()
