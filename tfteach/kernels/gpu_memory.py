"""GPU memory: one pool per process, shaped by `GPUOptions`, that you can inspect.

TF does not ask CUDA for memory tensor by tensor: its "BFC" allocator takes big regions
from the driver and cuts tensors out of them, reusing freed pieces (best fit, merging free
neighbours). The options decide how much it may take:

    default                          reserve (almost) all free GPU memory at first use
    allow_growth=True                start small; take more regions only as tensors need them
    per_process_gpu_memory_fraction  never hold more than this fraction of the GPU's memory

`Pool` below is that allocator, written over plain integer addresses so it can be read
and tested anywhere. On a real GPU it is installed as numba's External Memory Management
plugin, so every numba device allocation (kernel outputs, `cuda.to_device`) comes from it;
under numba's CUDA simulator the addresses are virtual and each tensor keeps its own numpy
buffer, but the bookkeeping (limit, growth, peak, OOM) is the same code.

    gpu_memory.pool().stats()   {'bytes_in_use', 'peak_bytes_in_use', 'bytes_limit',
                                 'bytes_reserved', 'num_allocs', 'largest_alloc_size', ...}
    devices.get_memory_info('GPU:0')      {'current': ..., 'peak': ...}  (TF's names,
                                          runtime/devices.py)

It is part of the kernels' toolkit (the CUDA kernels allocate from it; kernels import nothing
above themselves); runtime/devices.py configures it from a session's GPUOptions and
runtime/placement.py copies tensors between host and device through it. Nothing here
imports numba before a GPU is in use.
"""
import contextlib
import logging
import os
import weakref

import numpy as np

from .. import errors

__all__ = ["Pool", "configure", "pool", "empty", "to_device", "to_host", "get_memory_info",
           "reset_memory_stats", "copy_counts", "is_device_array"]

_log = logging.getLogger("tfteach")

ALIGN = 256                    # CUDA's allocation granularity for tensors
_FIRST_GROWTH_REGION = 2 << 20  # allow_growth starts with 2 MiB regions, then doubles
_SIM_TOTAL = 1 << 30           # the simulator reports no memory size: pretend 1 GiB


def _round(n):
    return max(ALIGN, (n + ALIGN - 1) // ALIGN * ALIGN)


class Pool:
    """Best-fit allocator with coalescing over regions taken from a backend.

    `backend.alloc_region(nbytes) -> base address` (may raise MemoryError) and
    `backend.free_region(base)`. Addresses are ints; a chunk is (address, size).
    """

    def __init__(self, limit, allow_growth, backend, device_name="GPU:0"):
        self.limit = int(limit)
        self.allow_growth = bool(allow_growth)
        self.backend = backend
        self.device_name = device_name
        self.regions = []           # [(base, size)]
        self._free = {}             # address -> size, free chunks
        self._used = {}             # address -> size, chunks handed out
        self._next_region = _FIRST_GROWTH_REGION
        self.bytes_in_use = 0
        self.peak_bytes_in_use = 0
        self.num_allocs = 0
        self.largest_alloc_size = 0

    @property
    def bytes_reserved(self):
        return sum(s for _, s in self.regions)

    # --- allocation ------------------------------------------------------------------------
    def malloc(self, nbytes, shape=None, dtype=None):
        size = _round(int(nbytes))
        addr = self._best_fit(size)
        if addr is None:
            self._grow(size, shape, dtype)
            addr = self._best_fit(size)
            if addr is None:        # fragmented: a new region of exactly this size
                self._add_region(size, shape, dtype)
                addr = self._best_fit(size)
        chunk = self._free.pop(addr)
        if chunk > size:
            self._free[addr + size] = chunk - size
        self._used[addr] = size
        self.bytes_in_use += size
        self.num_allocs += 1
        self.peak_bytes_in_use = max(self.peak_bytes_in_use, self.bytes_in_use)
        self.largest_alloc_size = max(self.largest_alloc_size, size)
        return addr

    def free(self, addr):
        size = self._used.pop(addr)
        self.bytes_in_use -= size
        # Merge with the free neighbours that lie in the same region.
        region = self._region_of(addr)
        nxt = addr + size
        if nxt in self._free and self._region_of(nxt) == region:
            size += self._free.pop(nxt)
        for a, s in list(self._free.items()):
            if a + s == addr and self._region_of(a) == region:
                del self._free[a]
                addr, size = a, s + size
                break
        self._free[addr] = size

    def _best_fit(self, size):
        best = None
        for a, s in self._free.items():
            if s >= size and (best is None or s < self._free[best]):
                best = a
        return best

    def _region_of(self, addr):
        for base, s in self.regions:
            if base <= addr < base + s:
                return base
        return None

    def _grow(self, size, shape, dtype):
        if not self.allow_growth:
            if not self.regions:    # the default: take the whole limit at first use
                self._add_region(self.limit, shape, dtype, need=size)
            return
        want = max(size, self._next_region)
        want = min(want, self.limit - self.bytes_reserved)
        if want >= size:
            self._add_region(want, shape, dtype)
            self._next_region *= 2

    def _add_region(self, nbytes, shape, dtype, need=None):
        need = nbytes if need is None else need
        if self.bytes_reserved + nbytes > self.limit or need > nbytes:
            self._oom(need, shape, dtype)
        try:
            base = self.backend.alloc_region(nbytes)
        except MemoryError:
            self._oom(need, shape, dtype)
        self.regions.append((base, nbytes))
        self._free[base] = nbytes

    def _oom(self, size, shape, dtype):
        what = ("tensor with shape[" + ",".join(str(d) for d in shape) + "] and type "
                + _tf_type_name(dtype)) if shape is not None else f"{size} bytes"
        raise errors.ResourceExhaustedError(
            None, None,
            f"OOM when allocating {what} on /job:localhost/replica:0/task:0/device:"
            f"{self.device_name} by allocator {self.device_name.replace(':', '_')}_bfc "
            f"(in use {self.bytes_in_use} of limit {self.limit} bytes; "
            f"allow_growth={self.allow_growth})")

    # --- inspection -----------------------------------------------------------------------
    def stats(self):
        return {"bytes_in_use": self.bytes_in_use,
                "peak_bytes_in_use": self.peak_bytes_in_use,
                "bytes_limit": self.limit,
                "bytes_reserved": self.bytes_reserved,
                "num_allocs": self.num_allocs,
                "largest_alloc_size": self.largest_alloc_size,
                "num_regions": len(self.regions),
                "allow_growth": self.allow_growth}

    def release_free_regions(self):
        """Gives wholly free regions back to the driver."""
        for base, s in list(self.regions):
            if self._free.get(base) == s:
                del self._free[base]
                self.regions.remove((base, s))
                self.backend.free_region(base)

    def __repr__(self):
        return (f"<GPU memory pool {self.device_name}: {self.bytes_in_use} B in use, "
                f"peak {self.peak_bytes_in_use} B, reserved {self.bytes_reserved} B, "
                f"limit {self.limit} B{', growing' if self.allow_growth else ''}>")


def _tf_type_name(dtype):
    if dtype is None:
        return "unknown"
    dt = np.dtype(dtype)
    return {"float32": "float", "float64": "double", "bool": "bool"}.get(dt.name, dt.name)


# --- backends -------------------------------------------------------------------------------
class _VirtualBackend:
    """Simulator: regions are address ranges only; every tensor owns its numpy buffer."""

    def __init__(self):
        self._next = 1 << 20

    def alloc_region(self, nbytes):
        base = self._next
        self._next += _round(nbytes) + (1 << 20)
        return base

    def free_region(self, base):
        pass


class _CudaBackend:
    """A real GPU: regions come from cuMemAlloc through numba's driver wrapper."""

    def __init__(self):
        self._ptrs = {}

    def alloc_region(self, nbytes):
        from numba.cuda.cudadrv.driver import CudaAPIError, driver
        try:
            ptr = driver.cuMemAlloc(nbytes)
        except CudaAPIError as e:
            raise MemoryError(str(e)) from None
        base = int(ptr)
        self._ptrs[base] = ptr
        return base

    def free_region(self, base):
        from numba.cuda.cudadrv.driver import driver
        driver.cuMemFree(self._ptrs.pop(base))


# --- the process's pool ---------------------------------------------------------------------
_POOL = None
_CONFIG = None
_COPIES = {"h2d": 0, "d2h": 0}
_COPIES_D2D = [0]


def is_simulated():
    """numba's CUDA simulator is on (`NUMBA_ENABLE_CUDASIM`, the variable numba reads).
    runtime/devices.py asks the same before any kernel module exists, to count GPUs."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def _options_key(gpu_options, ids):
    return (float(getattr(gpu_options, "per_process_gpu_memory_fraction", 0.0) or 0.0),
            bool(getattr(gpu_options, "allow_growth", False)), tuple(ids or (0,)))


def configure(gpu_options=None, ids=None):
    """Sets the pool's policy from GPUOptions. The first GPU use fixes it for the process
    (TF likewise ignores different options once its GPU devices exist)."""
    global _CONFIG
    key = _options_key(gpu_options, ids)
    if _CONFIG is None:
        _CONFIG = key
        env_growth = os.environ.get("TF_FORCE_GPU_ALLOW_GROWTH", "").lower()
        if env_growth in ("true", "1"):
            _CONFIG = (key[0], True, key[2])
    elif key != _CONFIG and _POOL is not None:
        _log.warning("GPU options %s ignored: the GPU was already set up with "
                     "(fraction, allow_growth, ids)=%s", key, _CONFIG)


# tf.config's logical GPUs: [(physical index, memory limit in bytes or None, allow_growth)],
# each with its own pool (GPU:0's is `_POOL`); allocations go to the current one
_LOGICAL = None
_POOLS = {}
_CURRENT = [0]


def configure_logical(gpus):
    """Memory limits and growth of tf.config's logical GPUs (the first GPU use fixes them)."""
    global _LOGICAL
    if _LOGICAL is None and _POOL is None:
        _LOGICAL = [tuple(g) for g in gpus]


@contextlib.contextmanager
def on_device(index):
    """Allocations inside come from logical GPU `index`'s pool."""
    saved = _CURRENT[0]
    _CURRENT[0] = index
    try:
        yield
    finally:
        _CURRENT[0] = saved


def current_device():
    return _CURRENT[0]


def pool(index=None):
    """The GPU pool of logical device `index` (default: the current one), created on first
    use with the configured options."""
    i = _CURRENT[0] if index is None else index
    if i:
        return _logical_pool(i)
    return _pool0()


def _logical_pool(i):
    p = _POOLS.get(i)
    if p is None:
        if _LOGICAL is None or i >= len(_LOGICAL):
            raise errors.InvalidArgumentError(None, None, f"No GPU:{i}: the process has "
                                                          f"{len(_LOGICAL or [0])} GPU(s)")
        _pool0()                      # the physical device is set up by GPU:0's pool
        _phys, limit, growth = _LOGICAL[i]
        backend = _VirtualBackend() if is_simulated() else _CudaBackend()
        if limit is None:
            limit = _POOL.limit
        p = _POOLS[i] = Pool(limit // ALIGN * ALIGN, growth, backend, f"GPU:{i}")
    return p


def _pool0():
    global _POOL
    if _POOL is None:
        if _CONFIG is None:
            configure(None, None)
        fraction, growth, ids = _CONFIG
        if is_simulated():
            total, free, backend = _SIM_TOTAL, _SIM_TOTAL, _VirtualBackend()
        else:
            from numba import cuda
            _install_emm()      # before the context exists: numba fixes it then
            cuda.select_device(ids[0])
            free, total = _raw_memory_info()
            backend = _CudaBackend()
        if fraction > 0:
            limit = int(total * fraction)
        else:   # TF's default: what is free, less a little for the driver and cuBLAS
            limit = int(free * 0.95)
        if _LOGICAL:
            if _LOGICAL[0][1] is not None:    # set_logical_device_configuration's limit
                limit = _LOGICAL[0][1]
            growth = growth or _LOGICAL[0][2]   # experimental.set_memory_growth
        limit = limit // ALIGN * ALIGN
        _POOL = Pool(limit, growth, backend, "GPU:0")
        _POOLS[0] = _POOL
    return _POOL


def _raw_memory_info():
    from numba.cuda.cudadrv.driver import driver
    free, total = driver.cuMemGetInfo()
    return int(free), int(total)


def copy_counts():
    """How many host->device and device->host copies ran (tests check edges with it)."""
    return dict(_COPIES)


def is_device_array(x):
    return hasattr(x, "copy_to_host")


def empty(shape, dtype):
    """An uninitialised device array from the pool."""
    from numba import cuda
    shape = tuple(int(d) for d in shape)
    dtype = np.dtype(dtype)
    if not is_simulated():
        pool()      # installs the pool as numba's allocator before the first allocation
        return cuda.device_array(shape, dtype)
    p = pool()
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    addr = p.malloc(nbytes, shape, dtype)
    arr = cuda.device_array(shape, dtype)
    # Views and reshapes of a simulated array share this numpy buffer as their base, so the
    # chunk is free only when the last of them is gone.
    weakref.finalize(arr._ary, p.free, addr)
    return arr


def to_device(x):
    """Host array -> new device array (one host->device copy). Device arrays pass through."""
    if is_device_array(x):
        return x
    host = np.asarray(x)
    if not host.flags.c_contiguous:     # (np.ascontiguousarray would make 0-d arrays 1-d)
        host = host.copy(order="C")
    d = empty(host.shape, host.dtype)
    if host.size:
        d.copy_to_device(host)
    _COPIES["h2d"] += 1
    return d


def to_device_of(x, index):
    """x (host or device array) in logical GPU `index`'s memory pool: a host value is copied
    in; a device array of another logical GPU is copied device to device (TF's copy
    between two GPUs). Logical GPUs share one physical device, so the copy is one
    cuMemcpyDtoD into the other pool's memory."""
    with on_device(index):
        if not is_device_array(x):
            return to_device(x)
        d = empty(x.shape, x.dtype)
        if d.size:
            d.copy_to_device(x)
        _COPIES_D2D[0] += 1
        return d


def device_copy_count():
    """How many copies between logical GPUs ran."""
    return _COPIES_D2D[0]


def to_host(x):
    """Device array -> numpy array (one device->host copy). Anything else passes through."""
    if not is_device_array(x):
        return x
    _COPIES["d2h"] += 1
    return x.copy_to_host()


# --- numba EMM plugin (real GPUs only) ------------------------------------------------------
_EMM_INSTALLED = False


def _install_emm():
    global _EMM_INSTALLED
    if _EMM_INSTALLED or os.environ.get("TFTEACH_GPU_POOL", "1") == "0":
        return
    from numba import cuda
    from numba.cuda.cudadrv.driver import (AutoFreePointer, GetIpcHandleMixin,
                                           HostOnlyCUDAMemoryManager, MemoryInfo,
                                           _SizeNotSet, binding)

    class _PoolMemoryManager(GetIpcHandleMixin, HostOnlyCUDAMemoryManager):
        """numba's allocations come from tfteach's pool instead of cuMemAlloc."""

        def initialize(self):
            # numba sizes its queue of pending frees (pinned host memory) by the device.
            if self.deallocations.memory_capacity == _SizeNotSet:
                self.deallocations.memory_capacity = _raw_memory_info()[1]

        def memalloc(self, size):
            p = pool()
            addr = p.malloc(size)
            ptr = binding.CUdeviceptr(addr)
            mem = AutoFreePointer(weakref.proxy(self.context), ptr, size,
                                  finalizer=lambda: p.free(addr))
            return mem.own()

        def get_memory_info(self):
            p = _POOL
            if p is None:           # asked while the pool is being created
                free, total = _raw_memory_info()
                return MemoryInfo(free=free, total=total)
            return MemoryInfo(free=p.limit - p.bytes_in_use, total=p.limit)

        def reset(self):
            super().reset()

        @contextlib.contextmanager
        def defer_cleanup(self):
            with super().defer_cleanup():
                yield

        @property
        def interface_version(self):
            return 1

    cuda.set_memory_manager(_PoolMemoryManager)
    _EMM_INSTALLED = True
