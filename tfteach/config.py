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


def _gpu_index(device, what):
    if not isinstance(device, PhysicalDevice) or device not in _physical():
        raise ValueError(f"Unrecognized device: {device!r}")
    if device.device_type != "GPU":
        raise ValueError(f"Cannot {what} on non-GPU devices")
    return int(device.name.rsplit(":", 1)[1])


def get_visible_devices(device_type=None):
    visible = set(_devices.visible_gpus())
    return [d for d in list_physical_devices(device_type)
            if d.device_type != "GPU" or int(d.name.rsplit(":", 1)[1]) in visible]


def set_visible_devices(devices, device_type=None):
    """Which physical devices the process uses: the CPU always; the GPUs listed (none: eager
    ops and functions then run on the CPU). Only before the runtime is initialised."""
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    devices = list(devices)
    for d in devices:
        if not isinstance(d, PhysicalDevice) or d not in _physical():
            raise ValueError(f"Unrecognized device: {d!r}")
    if device_type is not None and any(d.device_type != device_type.upper()
                                       for d in devices):
        raise ValueError(f"Some devices are not of type {device_type!r}")
    if device_type is None or device_type.upper() == "CPU":
        if not any(d.device_type == "CPU" for d in devices):
            raise ValueError("CPU must be a visible device")
    if device_type is not None and device_type.upper() == "CPU":
        return
    _devices.set_visible_gpus(sorted(int(d.name.rsplit(":", 1)[1]) for d in devices
                                     if d.device_type == "GPU"))
    from .eager import execute as _execute
    _execute.reset_gpu_default()


def list_logical_devices(device_type=None):
    """The logical devices (listing them initialises the runtime, after which the logical
    device configuration is fixed, as in TF)."""
    _devices.mark_initialized()
    out = []
    if device_type is None or device_type.upper() == "CPU":
        out += [LogicalDevice(f"/device:CPU:{i}", "CPU")
                for i in range(_devices.logical_cpu_count())]
    if device_type is None or device_type.upper() == "GPU":
        out += [LogicalDevice(f"/device:GPU:{i}", "GPU")
                for i in range(len(_devices.logical_gpus()) if _devices.gpu_count() else 0)]
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
    """Splits a physical device into len(logical_devices) logical ones: CPUs share the one
    processor (as TF's virtual CPUs do); a GPU's logical devices each get a memory pool of
    their `memory_limit` (MB), '/GPU:0', '/GPU:1', ... Only before the runtime starts."""
    configs = list(logical_devices) if logical_devices is not None else []
    if device.device_type == "CPU":
        for c in configs:
            if c.memory_limit is not None:
                raise ValueError("Setting memory limit on CPU virtual devices is currently "
                                 "not supported")
        _devices.set_logical_cpus(configs)
        return
    index = _gpu_index(device, "set logical device configuration")
    _devices.set_logical_gpus(index, configs)
    from .eager import execute as _execute
    _execute.reset_gpu_default()


def get_logical_device_configuration(device):
    if device.device_type != "CPU":
        configs = _devices.logical_gpu_configs(_gpu_index(device, "get configuration"))
        return list(configs) if configs else None
    configs = _devices.logical_cpu_configs()
    return list(configs) if configs else None


_state = {"run_eagerly": False}


def run_functions_eagerly(run_eagerly):
    """With True, tf.function calls run their Python code eagerly (for debugging)."""
    _state["run_eagerly"] = bool(run_eagerly)


def functions_run_eagerly():
    return _state["run_eagerly"]


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly


def set_log_device_placement(enabled):
    """tf.debugging.set_log_device_placement: every eager op, and every op of a graph when
    its plan is placed, is logged with its device."""
    from .runtime import placement
    from .eager import execute as _execute
    placement.LOG_DEVICE_PLACEMENT[0] = bool(enabled)
    _execute.reset_gpu_default()


def get_log_device_placement():
    from .runtime import placement
    return placement.LOG_DEVICE_PLACEMENT[0]


def get_soft_device_placement():
    from .runtime import placement
    return placement.SOFT_PLACEMENT[0]


def set_soft_device_placement(enabled):
    """Off: an eager op (or a tf.function's op) explicitly placed on a device that cannot
    run it is TF's InvalidArgumentError instead of running on the CPU."""
    from .runtime import placement
    placement.SOFT_PLACEMENT[0] = bool(enabled)


class _Experimental:
    """`tf.config.experimental`: memory growth and memory statistics of the GPUs, which
    configure and read tfteach's GPU memory pools (kernels/gpu_memory.py)."""

    def set_memory_growth(self, device, enable):
        _devices.set_memory_growth(_gpu_index(device, "set memory growth"), enable)

    def get_memory_growth(self, device):
        return _devices.memory_growth(_gpu_index(device, "get memory growth"))

    def get_memory_info(self, device):
        """{'current': bytes in use, 'peak': most bytes in use} of a logical GPU."""
        return _devices.get_memory_info(device)

    def reset_memory_stats(self, device):
        _devices.reset_memory_stats(device)

    def get_device_details(self, device):
        _gpu_index(device, "get device details")
        return {"device_name": "numba CUDA simulator" if _devices.is_simulated() else
                _devices.cuda().get_current_device().name.decode()}

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
