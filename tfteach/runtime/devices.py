"""Which devices a session or the eager context may use.

The CPU is always there. A GPU is reported only when the `cuda` extra is installed and
numba.cuda finds a device (after CUDA_VISIBLE_DEVICES); detecting that imports numba.cuda,
so it is done lazily and once.
"""
import ctypes.util
import importlib.util
import os

_gpu_count = None


def gpu_count():
    """Number of usable NVIDIA GPUs (0 without numba-cuda or a driver)."""
    global _gpu_count
    if _gpu_count is None:
        _gpu_count = 0
        if os.environ.get("CUDA_VISIBLE_DEVICES", None) == "":
            return 0
        # Look before importing: numba.cuda costs about a second to import.
        simulated = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
        if importlib.util.find_spec("numba_cuda") is None and not simulated:
            return 0
        if not simulated and not (os.path.exists("/proc/driver/nvidia")
                                  or ctypes.util.find_library("cuda")):
            return 0
        try:
            from numba import cuda
            if cuda.is_available():
                _gpu_count = len(cuda.gpus)
        except Exception:  # noqa: BLE001 - no numba-cuda, no driver: no GPU
            _gpu_count = 0
    return _gpu_count


def session_devices(config):
    """Device types a session may place ops on."""
    devs = ["CPU"]
    count = getattr(config, "device_count", {}) or {}
    if count.get("GPU", 1) and gpu_count() > 0:
        devs.append("GPU")
    return devs


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
        for i in range(gpu_count()):
            out.append(_DeviceAttributes(f"/job:localhost/replica:0/task:0/device:GPU:{i}",
                                         "GPU"))
    return out
