"""numba kernels for the CPU, one module per op family (`math.py` holds the CPU kernels of
the ops declared in `tfteach/ops/math_ops.py`, and so on).

Importing this package is cheap and imports no numba: the registry imports a family's
module the first time a plan needs one of its kernels (the family is recorded when the op
is declared), so a first `Session.run` pays only for the families it uses, and calls
`before_first_kernel()` once before that.

Toolkit modules register no kernels and are shared by the family modules (each is marked
`__toolkit__ = True`): `_build` (element-wise kernel factories), `gemm` (tfteach's own
float32 GEMM), `threads` (the parallel-launch and BLAS-thread policy).
"""
import os

TOOLKIT = ("_build", "gemm", "threads")


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
    _memory_policy()
    _float_warnings_policy()
