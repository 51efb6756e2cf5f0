"""Which devices a session or the eager context may use.

The CPU is always there. A GPU is reported only when the `cuda` extra (numba-cuda) is
installed and numba.cuda finds a device. Finding out imports numba.cuda (about a second),
so nothing here imports it before it is certain a GPU can exist: without the NVIDIA driver
or without numba-cuda, `gpu_count()` is 0 and numba.cuda is never imported.

numba's CUDA simulator (`NUMBA_ENABLE_CUDASIM=1`, set before numba is first imported) counts
as one GPU: kernels then run in Python threads, slowly, which is what the parity tests use.

`CUDA_VISIBLE_DEVICES` is applied by the CUDA driver itself (numba only sees the listed
GPUs, renumbered from 0); `GPUOptions.visible_device_list` then picks among those and maps
them to '/GPU:0', '/GPU:1', ... in the order listed, as TF does.
"""
import collections
import ctypes.util
import importlib.util
import os

__all__ = ["gpu_count", "is_simulated", "physical_devices", "session_devices",
           "list_session_devices", "cuda", "PhysicalDevice", "DeviceSet", "get_memory_info",
           "reset_memory_stats"]

_gpu_count = None

# TF's tf.config.PhysicalDevice is a namedtuple with exactly this repr.
PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])


def is_simulated():
    # the kernels' toolkit asks the same (kernels/gpu_memory.py); counting GPUs must not
    # import it on a machine without one
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def _driver_present():
    return (os.path.exists("/proc/driver/nvidia") or ctypes.util.find_library("cuda")
            is not None)


def gpu_count():
    """Number of usable NVIDIA GPUs (0 without numba-cuda or a driver). Cached."""
    global _gpu_count
    if _gpu_count is None:
        _gpu_count = 0
        if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
            return 0
        simulated = is_simulated()
        if not simulated:
            # Look before importing: numba.cuda costs about a second to import.
            if importlib.util.find_spec("numba_cuda") is None or not _driver_present():
                return 0
        try:
            c = cuda()
            if c.is_available():
                _gpu_count = len(c.gpus)
        except Exception:  # noqa: BLE001 - no driver, broken install: no GPU
            _gpu_count = 0
    return _gpu_count


def cuda():
    """The numba.cuda module (imported on first call; callers check gpu_count() first)."""
    from numba import cuda as _cuda
    return _cuda


def physical_devices(device_type=None):
    """`tf.config.list_physical_devices(device_type)`: PhysicalDevice tuples.

    Every GPU the process can see is listed (after CUDA_VISIBLE_DEVICES), whatever a
    session's visible_device_list later selects, as in TF.
    """
    out = []
    if device_type is None or device_type.upper() == "CPU":
        out.append(PhysicalDevice("/physical_device:CPU:0", "CPU"))
    if device_type is None or device_type.upper() == "GPU":
        out.extend(PhysicalDevice(f"/physical_device:GPU:{i}", "GPU")
                   for i in range(gpu_count()))
    return out


class DeviceSet(list):
    """The device types a session may use, plus the placement options of its config.

    It is a list (['CPU'] or ['CPU', 'GPU']) so code that only asks `'GPU' in devices`
    keeps working; the placer also reads the soft-placement flag and the GPU ids.
    """

    def __init__(self, types, allow_soft_placement=False, gpu_ids=()):
        super().__init__(types)
        self.allow_soft_placement = allow_soft_placement
        self.gpu_ids = list(gpu_ids)      # virtual GPU index -> physical (visible) index


def _parse_visible(spec, n):
    if not spec:
        return list(range(n))
    ids = []
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            i = int(part)
        except ValueError:
            raise ValueError(f"Could not parse entry in 'visible_device_list': '{part}'. "
                             f"visible_device_list = {spec}") from None
        if not 0 <= i < n:
            raise ValueError(f"'visible_device_list' listed an invalid GPU id '{i}' but "
                             f"visible device count is {n}")
        if i in ids:
            raise ValueError(f"visible_device_list contained a duplicate entry: {spec}")
        ids.append(i)
    return ids


def session_devices(config):
    """Device types (a DeviceSet) a session with this ConfigProto may place ops on.

    When a GPU is used, the config's GPUOptions configure the GPU memory pool (the first
    configuration wins for the life of the process, as in TF).
    """
    soft = bool(getattr(config, "allow_soft_placement", False))
    count = getattr(config, "device_count", {}) or {}
    n = gpu_count() if count.get("GPU", 1) else 0
    if n == 0:
        return DeviceSet(["CPU"], soft)
    gpu_options = getattr(config, "gpu_options", None)
    ids = _parse_visible(getattr(gpu_options, "visible_device_list", ""), n)
    ids = ids[:count.get("GPU", len(ids))]
    if not ids:
        return DeviceSet(["CPU"], soft)
    from ..kernels import gpu_memory
    gpu_memory.configure(gpu_options, ids)
    return DeviceSet(["CPU", "GPU"], soft, ids)


class _DeviceAttributes:
    def __init__(self, name, device_type, memory_limit_bytes=0):
        self.name = name
        self.device_type = device_type
        self.memory_limit_bytes = memory_limit_bytes
        self.incarnation = 0

    def __repr__(self):
        return (f"_DeviceAttributes({self.name}, {self.device_type}, "
                f"{self.memory_limit_bytes}, {self.incarnation})")


def list_session_devices(devs):
    out = [_DeviceAttributes("/job:localhost/replica:0/task:0/device:CPU:0", "CPU", 268435456)]
    if "GPU" in devs:
        from ..kernels import gpu_memory
        ids = getattr(devs, "gpu_ids", None) or list(range(gpu_count()))
        for i in range(len(ids)):
            out.append(_DeviceAttributes(f"/job:localhost/replica:0/task:0/device:GPU:{i}",
                                         "GPU", gpu_memory.pool().limit))
    return out


# --- GPU memory, as tf.config.experimental reports it (the pool: kernels/gpu_memory.py) --
def get_memory_info(device="GPU:0"):
    """TF's tf.config.experimental.get_memory_info: {'current': bytes, 'peak': bytes}."""
    from ..kernels import gpu_memory
    _check_gpu_name(device)
    p = gpu_memory.pool()
    return {"current": p.bytes_in_use, "peak": p.peak_bytes_in_use}


def reset_memory_stats(device="GPU:0"):
    from ..kernels import gpu_memory
    _check_gpu_name(device)
    p = gpu_memory.pool()
    p.peak_bytes_in_use = p.bytes_in_use


def _check_gpu_name(device):
    from . import placement
    kind, index = placement.parse_device(device)
    if kind != "GPU" or index >= max(gpu_count(), 0) or gpu_count() == 0:
        raise ValueError(f"No matching devices found for '{device}'")
