"""`tf.config`: the devices this process sees, and a few process-wide switches."""
from .runtime import devices as _devices

__all__ = ["PhysicalDevice", "LogicalDevice", "list_physical_devices",
           "list_logical_devices", "get_visible_devices", "LogicalDeviceConfiguration",
           "set_logical_device_configuration", "get_logical_device_configuration",
           "set_visible_devices",
           "run_functions_eagerly", "functions_run_eagerly", "experimental", "threading",
           "get_soft_device_placement", "set_soft_device_placement"]


class PhysicalDevice:
    __slots__ = ("name", "device_type")

    def __init__(self, name, device_type):
        self.name = name
        self.device_type = device_type

    def __eq__(self, other):
        return isinstance(other, PhysicalDevice) and (self.name, self.device_type) == \
            (other.name, other.device_type)

    def __hash__(self):
        return hash((self.name, self.device_type))

    def __repr__(self):
        return f"PhysicalDevice(name='{self.name}', device_type='{self.device_type}')"


class LogicalDevice(PhysicalDevice):
    __slots__ = ()

    def __repr__(self):
        return f"LogicalDevice(name='{self.name}', device_type='{self.device_type}')"


_visible = {"GPU": None}    # None: all GPUs


def _physical():
    out = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    for i in range(_devices.gpu_count()):
        out.append(PhysicalDevice(f"/physical_device:GPU:{i}", "GPU"))
    return out


def list_physical_devices(device_type=None):
    devs = _physical()
    if device_type is None:
        return devs
    return [d for d in devs if d.device_type == device_type.upper()]


def get_visible_devices(device_type=None):
    devs = list_physical_devices(device_type)
    if _visible["GPU"] is not None:
        devs = [d for d in devs if d.device_type != "GPU" or d in _visible["GPU"]]
    return devs


def set_visible_devices(devices, device_type=None):
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    _visible["GPU"] = [d for d in devices if d.device_type == "GPU"]


def list_logical_devices(device_type=None):
    """The logical devices (listing them initialises the runtime, after which the logical
    device configuration is fixed, as in TF)."""
    _devices.mark_initialized()
    out = []
    counts = {}
    for d in get_visible_devices(device_type):
        n = _devices.logical_cpu_count() if d.device_type == "CPU" else 1
        for _ in range(n):
            i = counts.get(d.device_type, 0)
            counts[d.device_type] = i + 1
            out.append(LogicalDevice(f"/device:{d.device_type}:{i}", d.device_type))
    return out


class LogicalDeviceConfiguration:
    """One logical device carved out of a physical one (memory_limit in MB for GPUs)."""
    __slots__ = ("memory_limit", "experimental_priority", "experimental_device_ordinal")

    def __init__(self, memory_limit=None, experimental_priority=None,
                 experimental_device_ordinal=None):
        self.memory_limit = memory_limit
        self.experimental_priority = experimental_priority
        self.experimental_device_ordinal = experimental_device_ordinal

    def __eq__(self, other):
        return isinstance(other, LogicalDeviceConfiguration) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self):
        return (f"LogicalDeviceConfiguration(memory_limit={self.memory_limit}, "
                f"experimental_priority={self.experimental_priority}, "
                f"experimental_device_ordinal={self.experimental_device_ordinal})")


def set_logical_device_configuration(device, logical_devices):
    """Splits a physical CPU into len(logical_devices) logical CPUs. tfteach runs them all on
    the one processor (as TF's virtual CPUs share it); GPUs cannot be split in tfteach."""
    if device.device_type != "CPU":
        raise NotImplementedError("tfteach splits only the CPU into logical devices; "
                                  f"{device.name} cannot be configured.")
    configs = list(logical_devices)
    for c in configs:
        if c.memory_limit is not None:
            raise ValueError("Setting memory limit on CPU virtual devices is currently not "
                             "supported")
    _devices.set_logical_cpus(configs)


def get_logical_device_configuration(device):
    if device.device_type != "CPU":
        return None
    configs = _devices.logical_cpu_configs()
    return list(configs) if configs else None


_state = {"run_eagerly": False, "soft_placement": True}


def run_functions_eagerly(run_eagerly):
    """With True, tf.function calls run their Python code eagerly (for debugging)."""
    _state["run_eagerly"] = bool(run_eagerly)


def functions_run_eagerly():
    return _state["run_eagerly"]


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly


def get_soft_device_placement():
    return _state["soft_placement"]


def set_soft_device_placement(enabled):
    _state["soft_placement"] = bool(enabled)


class _Experimental:
    """`tf.config.experimental`: memory growth is recorded (numba allocates on demand)."""

    _growth = {}

    def set_memory_growth(self, device, enable):
        self._growth[getattr(device, "name", device)] = bool(enable)

    def get_memory_growth(self, device):
        return self._growth.get(getattr(device, "name", device), False)

    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)
    set_virtual_device_configuration = staticmethod(set_logical_device_configuration)
    get_virtual_device_configuration = staticmethod(get_logical_device_configuration)
    VirtualDeviceConfiguration = LogicalDeviceConfiguration
    get_visible_devices = staticmethod(get_visible_devices)
    set_visible_devices = staticmethod(set_visible_devices)


experimental = _Experimental()


class _Threading:
    """tf.config.threading: the settings live with the CPU kernels (kernels/cpu/threads.py
    reads them for every parallel kernel); like TF, they are fixed once ops have run."""

    @staticmethod
    def _store():
        from .kernels import cpu
        return cpu.THREADING

    def _set(self, key, n, what):
        st = self._store()
        n = int(n)
        if st["started"] and st[key] != n:
            raise RuntimeError(f"{what} parallelism cannot be modified after initialization.")
        st[key] = n

    def get_inter_op_parallelism_threads(self):
        return self._store()["inter"]

    def set_inter_op_parallelism_threads(self, num_threads):
        self._set("inter", num_threads, "Inter op")

    def get_intra_op_parallelism_threads(self):
        return self._store()["intra"]

    def set_intra_op_parallelism_threads(self, num_threads):
        self._set("intra", num_threads, "Intra op")


threading = _Threading()

import sys as _sys  # noqa: E402

from .framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.config", "tf.compat.v1.config")
