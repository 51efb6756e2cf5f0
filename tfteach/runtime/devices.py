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
    if any(_gpu_cfg["logical"].get(i) for i in ids):
        # tf.config split a GPU into logical GPUs: each is a device ('/GPU:1', ...) with
        # its own memory pool, in graphs as eagerly
        configure_logical_gpus()
        ids = [phys for phys, _limit, _growth in logical_gpus() if phys in ids]
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
    """TF's tf.config.experimental.get_memory_info: {'current': bytes, 'peak': bytes} of a
    logical GPU's memory pool."""
    from ..kernels import gpu_memory
    p = gpu_memory.pool(_check_gpu_name(device))
    return {"current": p.bytes_in_use, "peak": p.peak_bytes_in_use}


def reset_memory_stats(device="GPU:0"):
    from ..kernels import gpu_memory
    p = gpu_memory.pool(_check_gpu_name(device))
    p.peak_bytes_in_use = p.bytes_in_use


def _check_gpu_name(device):
    """The logical GPU index `device` names (ValueError, TF's, when there is none)."""
    from . import placement
    kind, index = placement.parse_device(device)
    n = len(logical_gpus()) if gpu_count() else 0
    if kind != "GPU" or (index or 0) >= n:
        raise ValueError(f"No matching devices found for '{device}'")
    if index:
        configure_logical_gpus()
    return index or 0


# --- logical devices --------------------------------------------------------------------------
# tf.config.set_logical_device_configuration splits the CPU into several logical CPUs
# ('/device:CPU:0', '/device:CPU:1', ...): one processor, several device names, as TF's
# virtual CPUs are (used to try multi-device code on one machine).
_logical = {"CPU": None, "initialized": False}


def logical_cpu_count():
    return len(_logical["CPU"]) if _logical["CPU"] else 1


def set_logical_cpus(configs):
    if _logical["initialized"]:
        raise RuntimeError("Virtual devices cannot be modified after being initialized")
    _logical["CPU"] = list(configs) if configs else None


def logical_cpu_configs():
    return _logical["CPU"]


def mark_initialized():
    _logical["initialized"] = True


# --- TF2's GPU configuration (tf.config) ------------------------------------------------------
# Which physical GPUs the process uses (set_visible_devices), how each is split into logical
# GPUs with memory limits (set_logical_device_configuration) and whether their memory grows
# (experimental.set_memory_growth). Fixed once the runtime is initialised (the first eager GPU
# op, tf.function call on a GPU or list_logical_devices), as in TF.
_gpu_cfg = {"visible": None, "logical": {}, "growth": {}}


def _check_not_initialized(what):
    if _logical["initialized"]:
        raise RuntimeError(f"{what} cannot be modified after being initialized")


def set_visible_gpus(indices):
    """The physical GPU indices the process may use (None: all)."""
    if _logical["initialized"] and indices != _gpu_cfg["visible"]:
        raise RuntimeError("Visible devices cannot be modified after being initialized")
    _gpu_cfg["visible"] = None if indices is None else list(indices)


def visible_gpus():
    n = gpu_count()
    vis = _gpu_cfg["visible"]
    return list(range(n)) if vis is None else [i for i in vis if i < n]


def set_logical_gpus(index, configs):
    """Splits physical GPU `index` into len(configs) logical GPUs; a config's memory_limit
    (MB) caps each one's memory pool."""
    if _logical["initialized"] and _gpu_cfg["logical"].get(index) != (list(configs) if configs
                                                                       else None):
        raise RuntimeError("Virtual devices cannot be modified after being initialized")
    for c in configs or ():
        if getattr(c, "memory_limit", None) is None and len(configs) > 1:
            raise ValueError("Virtual devices must have a memory limit when there is more "
                             "than one virtual device on a GPU")
    if _gpu_cfg["growth"].get(index) and configs and any(
            getattr(c, "memory_limit", None) is not None for c in configs):
        raise ValueError("Cannot set memory growth on device when virtual devices "
                         "configured")
    _gpu_cfg["logical"][index] = list(configs) if configs else None


def logical_gpu_configs(index):
    return _gpu_cfg["logical"].get(index)


def set_memory_growth(index, enable):
    if _logical["initialized"] and bool(enable) != _gpu_cfg["growth"].get(index, False):
        raise RuntimeError("Physical devices cannot be modified after being initialized")
    cfg = _gpu_cfg["logical"].get(index)
    if cfg and any(getattr(c, "memory_limit", None) is not None for c in cfg):
        raise ValueError("Cannot set memory growth on device when virtual devices configured")
    _gpu_cfg["growth"][index] = bool(enable)


def memory_growth(index):
    return _gpu_cfg["growth"].get(index, False)


def logical_gpus():
    """[(physical index, memory limit in bytes or None, allow_growth)] per logical GPU, in
    '/GPU:0', '/GPU:1', ... order."""
    out = []
    for i in visible_gpus():
        configs = _gpu_cfg["logical"].get(i)
        growth = _gpu_cfg["growth"].get(i, False)
        if not configs:
            out.append((i, None, growth))
            continue
        for c in configs:
            mb = getattr(c, "memory_limit", None)
            out.append((i, None if mb is None else int(mb) << 20, growth))
    return out


def configure_logical_gpus():
    """Gives each logical GPU its memory pool (once; the first GPU use fixes them)."""
    from ..kernels import gpu_memory
    gpu_memory.configure_logical(logical_gpus())
