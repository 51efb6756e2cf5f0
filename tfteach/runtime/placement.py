"""Placement: which device runs each op, and where data has to cross between devices.

Rules (TF's, for one CPU and at most one GPU in use):
- an op pinned with `tf.device('/CPU:0')` runs on the CPU;
- an op pinned to '/GPU:0' runs on the GPU if the session has one and the op has a GPU
  kernel for its dtypes; otherwise, with `allow_soft_placement` (the default eagerly, off in
  a v1 ConfigProto) it runs on the CPU, and without it the run fails with TF's
  "Cannot assign a device for operation ..." InvalidArgumentError;
- an op with no device runs on the GPU when one is present and it has a GPU kernel;
- a variable and the ops that take it by reference (Assign, Apply*) form one colocation
  group: all on the GPU only if every member can run there, so a variable's value stays on
  one device.

Without a GPU (or without the `cuda` extra) everything runs on the CPU and nothing of CUDA
is imported; the executor's generated code is then exactly what it is without this module.

Data crossing: a tensor lives where its producer ran (feeds and constants on the host).
`Edges` rewrites a plan's argument expressions so a copy happens only where a consumer
runs on the other device: `H2D(x)` / `D2H(x)`; a constant consumed on the GPU is copied
once when the plan is built; every fetched value comes back to the host.

Device strings follow TF: '/device:CPU:0', '/GPU:0', '/job:localhost/replica:0/task:0/...'.
"""
import re
import sys

import numpy as np

from .. import errors
from ..framework import ops as _ops

__all__ = ["parse_device", "canonical_name", "place", "Edges", "edges_for",
           "eager_device_for", "eager_devices", "gpu_available", "to_device", "to_host", "is_device_array",
           "gpu_kernel_supports"]

_DEVICE_RE = re.compile(r"(?:^|/)(?:device:)?(CPU|GPU|cpu|gpu):?(\d*)", re.IGNORECASE)
_CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


def parse_device(spec):
    """'/GPU:0' -> ('GPU', 0); '' -> (None, None)."""
    if not spec:
        return None, None
    m = _DEVICE_RE.search(spec)
    if not m:
        return None, None
    return m.group(1).upper(), int(m.group(2) or 0)


def canonical_name(device_type, index=0):
    return f"/job:localhost/replica:0/task:0/device:{device_type}:{index}"


# --- which ops can run on the GPU -----------------------------------------------------------
# Ops the executor never calls a kernel for: constants are bound (and copied to the GPU
# once per plan), placeholders are fed.
_NO_KERNEL = frozenset(("Const", "Placeholder", "PlaceholderV2"))


def gpu_kernel_supports(op):
    """True if op's type has a GPU kernel that accepts this op's dtypes and attrs, and TF
    2.21 has one for its dtype too (TF's registrations, recorded in _tf_gpu_types.py: an
    int32 Relu, say, stays on the CPU in TF, and so it does here)."""
    if op._type in _NO_KERNEL:
        return True
    opdef = op._opdef
    kernel = opdef.kernel_for("GPU")
    if kernel is None or not tf_has_gpu_kernel(op):
        return False
    check = getattr(kernel, "supports", None)
    return True if check is None else bool(check(op))


def tf_has_gpu_kernel(op):
    """TF registers a GPU kernel for op's type at op's element type (its `T` attr, ...)."""
    from ._tf_gpu_types import GPU_TYPES
    entry = GPU_TYPES.get(op.type)
    if entry is None:
        return True
    attr, types = entry
    dt = op._attrs.get(attr)
    name = getattr(getattr(dt, "base_dtype", None), "name", None)
    return name is None or name in types


def _gpu_count(devices):
    ids = getattr(devices, "gpu_ids", None)
    if ids:
        return len(ids)
    from . import devices as _devices
    return _devices.gpu_count()


def _cannot_assign(op, spec, devices, reason=None):
    names = [_CPU0] + ([canonical_name("GPU", i) for i in range(_gpu_count(devices))]
                       if "GPU" in devices else [])
    if reason is None:
        reason = (f"{{{{node {op.name}}}}} was explicitly assigned to {spec} but available "
                  f"devices are [ {', '.join(names)} ]. Make sure the device specification "
                  f"refers to a valid device.")
        if "GPU" not in devices:
            reason += " The requested device appears to be a GPU, but CUDA is not enabled."
    return errors.InvalidArgumentError(
        None, op, f"Cannot assign a device for operation {op.name}: {reason}"
                  f"\n\t [[{{{{node {op.name}}}}}]]")


def place(ops, devices=None, log=False):
    """Returns {op: 'CPU' | 'GPU'} for the plan's ops (see the module docstring)."""
    devices = devices if devices is not None else ["CPU"]
    gpu = "GPU" in devices
    soft = getattr(devices, "allow_soft_placement", True)
    out = {}
    for op in ops:
        kind, index = parse_device(op.device)
        chosen = "CPU"
        if kind == "GPU":
            spec = f"/device:GPU:{index}"
            if not gpu or index >= _gpu_count(devices):
                if not soft:
                    raise _cannot_assign(op, spec, devices)
            elif gpu_kernel_supports(op):
                chosen = "GPU"
            elif not soft:
                raise _cannot_assign(
                    op, spec, devices,
                    f"Could not satisfy explicit device specification '{spec}' because no "
                    f"supported kernel for GPU devices is available.")
        elif kind is None and gpu and gpu_kernel_supports(op):
            chosen = "GPU"      # a Const's value is copied to the device once per plan
        out[op] = chosen
    if gpu:
        _colocate_refs(ops, out)
    if log or LOG_DEVICE_PLACEMENT[0]:
        for op in ops:
            print(f"{op.name}: ({op.type}): {canonical_name(out[op])}", file=sys.stderr)
    return out


def _ref_root(op):
    """The variable op whose reference flows into `op` (through Assign's output_ref...)."""
    seen = set()
    while op not in seen:
        seen.add(op)
        refs = [t for t in op._inputs if t.dtype.is_ref_dtype]
        if not refs:
            return op
        op = refs[0].op
    return op


def _colocate_refs(ops, out):
    """A variable and every op taking it by reference share one device, decided over the
    whole graph (not only this plan), so the variable's value stays put between runs."""
    groups = {}
    for op in ops:
        if any(t.dtype.is_ref_dtype for t in op._inputs) or \
                any(t.dtype.is_ref_dtype for t in op._outputs):
            groups.setdefault(_ref_root(op), None)
    for root in groups:
        members = {root}
        stack = [root]
        while stack:
            o = stack.pop()
            for t in o._outputs:
                if t.dtype.is_ref_dtype:
                    for c in t._consumers:
                        spec = _input_spec(c, t)
                        if spec is not None and spec.startswith("ref:") and c not in members:
                            members.add(c)
                            stack.append(c)
        on_gpu = all(parse_device(m.device)[0] != "CPU" and gpu_kernel_supports(m)
                     for m in members)
        dev = "GPU" if on_gpu else "CPU"
        for m in members:
            if m in out:
                out[m] = dev


def _input_spec(op, t):
    specs = op._opdef.inputs
    for j, x in enumerate(op._inputs):
        if x is t:
            spec = specs[min(j, len(specs) - 1)][1]
            return spec if isinstance(spec, str) else None
    return None


# --- copies at the edges --------------------------------------------------------------------
def _host_memory(op):
    return op._opdef.host_memory(len(op._inputs), len(op._outputs))


class Edges:
    """Rewrites one plan's expressions so data crosses devices only where placement changes.

    Residence of a value: 'CPU' (host numpy) or 'GPU' (numba device array); feeds and
    constants start on the host; a GPU kernel marked `host_outputs` returns host values
    (shapes, sizes: TF's host-memory outputs); a GPU kernel's `host_inputs` (axes, shapes,
    permutations) are read on the host.
    """

    def __init__(self, placement, feed_tensors, env):
        self.placement = placement
        self.fed = set(feed_tensors)
        self.env = env
        env["H2D"] = to_device_tolerant
        env["D2H"] = to_host_tolerant
        env["VAR_TO_HOST"] = _var_to_host
        self._const_on_device = {}
        self._fed_on_device = {}
        self._on_host = {}
        self.lines = None       # the plan's code lines, set by the executor

    def residence(self, t):
        if t in self.fed:
            return "CPU"
        op = t.op
        if op._type == "Const":
            return "CONST"
        dev = self.placement.get(op, "CPU")
        if dev == "GPU" and t.value_index in _host_memory(op)[1]:
            return "CPU"        # TF's HostMemory output: it never left the host
        return dev

    def input(self, src, t, op, j, dev):
        frame_needs = getattr(op, "input_devices", None)
        if frame_needs is not None:     # a while loop's frame: where its Enter ops need it
            need = frame_needs[j]
            return src if need is None else self.value_for(src, t, need)
        spec = op._opdef.inputs[min(j, len(op._opdef.inputs) - 1)][1]
        if isinstance(spec, str) and spec.startswith("ref:"):
            return src                       # the variable slot itself, not a value
        need = "GPU" if dev == "GPU" and j not in _host_memory(op)[0] else "CPU"
        return self.value_for(src, t, need)

    def value_for(self, src, t, need):
        """`src` (the value of tensor t) made available on device `need`."""
        have = self.residence(t)
        if have == "CONST" and need == "GPU" and src != f"C{t.op._id}":
            # a constant behind a control edge from a cond branch: dead when it is
            return f"({src} if {src} is DEAD else {self._const(t)})"
        if have == "CONST" or have == need:
            return src if have != "CONST" or need == "CPU" else self._const(t)
        if need == "GPU" and t in self.fed and self.lines is not None:
            return self._fed_once(src, t)
        if need == "CPU" and self.lines is not None and _PLAIN.fullmatch(src):
            return self._host_once(src, t)
        return f"H2D({src})" if need == "GPU" else f"D2H({src})"

    def _host_once(self, src, t):
        """A device value read on the host by several consumers (a cond's predicate by each
        of its Switches) is copied once. The copy is made before the first of them; a dead
        value passes through D2H as it is."""
        name = self._on_host.get(t)
        if name is None:
            name = self._on_host[t] = f"v{2000000 + len(self._on_host)}_0"
            self.lines.append(f"    {name} = D2H({src})")
        return name

    def _fed_once(self, src, t):
        """A fed value used on the GPU is copied there once per run, before its first
        consumer, and shared by all of them (a feed is never dead, so the copy needs no
        guard)."""
        name = self._fed_on_device.get(t)
        if name is None:
            name = self._fed_on_device[t] = f"v{1000000 + len(self._fed_on_device)}_0"
            self.lines.append(f"    {name} = H2D({src})")
        return name

    def _const(self, t):
        name = self._const_on_device.get(t)
        if name is None:
            from ..kernels import gpu_memory
            name = f"CG{t.op._id}"
            self.env[name] = gpu_memory.to_device(t.op.get_attr("value"))
            self._const_on_device[t] = name
        return name

    def call(self, call, op, dev):
        if dev == "CPU" and op._type in ("VariableV2", "Variable"):
            return f"VAR_TO_HOST({call})"
        return call

    def fetch(self, src):
        return f"D2H({src})"


_PLAIN = re.compile(r"v\d+_\d+")     # a value's name in a plan (not a variable's read)


def to_device_tolerant(x):
    """A value a GPU kernel reads in device memory, copied there. What device memory does
    not hold stays on the host, where TF always keeps it: handles (an iterator, a queue, an
    optional, a TensorArray's or a stack's state: host objects, TF's DT_RESOURCE /
    DT_VARIANT), strings, and the dead marker of an untaken cond branch (a Merge on the GPU
    receives it)."""
    from ..kernels import gpu_memory
    if gpu_memory.is_device_array(x):
        return x
    if not isinstance(x, (np.ndarray, np.generic, bool, int, float, complex, list, tuple)) \
            or np.asarray(x).dtype.kind not in "biufc":
        return x
    return gpu_memory.to_device(x)


def to_host_tolerant(x):
    """A device array copied to the host; anything else (already host) passes."""
    if not is_device_array(x):
        return x
    from ..kernels import gpu_memory
    return gpu_memory.to_host(x)


def _var_to_host(slot):
    """A variable used by CPU ops whose value a GPU plan left on the device comes back."""
    from ..kernels import gpu_memory
    if slot is not None and gpu_memory.is_device_array(getattr(slot, "value", None)):
        slot.value = gpu_memory.to_host(slot.value)
    return slot


def edges_for(placement, feed_tensors, env):
    """An Edges rewriter when the plan runs anything on the GPU, else None."""
    if "GPU" not in placement.values():
        return None
    return Edges(placement, feed_tensors, env)


# --- for the eager runtime ------------------------------------------------------------------
def gpu_available():
    from . import devices
    return devices.gpu_count() > 0


def eager_devices():
    """The device set for plans run outside a Session (tf.function graphs): the GPU when
    present, with soft placement (TF2's default). Pass it as `Plan(..., devices=...)`."""
    from . import devices
    if devices.gpu_count() == 0:
        return devices.DeviceSet(["CPU"], True)
    return devices.session_devices(_SoftConfig())


class _SoftConfig:
    allow_soft_placement = True
    device_count = {}
    gpu_options = None


def eager_gpu_count():
    """Logical GPUs eager ops and tf.function graphs may use (tf.config's visible devices
    and logical device configuration applied); 0 without a GPU."""
    from . import devices
    if devices.gpu_count() == 0:
        return 0
    return len(devices.logical_gpus())


def eager_gpu_default():
    """True when eager ops run on '/GPU:0' by default (a GPU is present and visible)."""
    if eager_gpu_count() == 0:
        return False
    from . import devices
    devices.mark_initialized()
    devices.configure_logical_gpus()
    return True


# tf.debugging.set_log_device_placement: each eager op and each placed graph op is logged
LOG_DEVICE_PLACEMENT = [False]


def log_eager(op_type, device, index=0):
    print(f"Executing op {op_type} in device {canonical_name(device, index)}",
          file=sys.stderr)


def eager_device_for(op_type, requested=None, supports=None):
    """Device an eager op runs on: 'CPU' or 'GPU' (soft placement, as TF2 eager does).

    `requested` is the innermost `tf.device` string (or None); `supports` an optional
    callable(kernel) -> bool for dtype checks. Never imports numba.cuda without a GPU.
    """
    kind, _ = parse_device(requested)
    if kind == "CPU" or not gpu_available():
        return "CPU"
    from ..framework import registry
    k = registry.get(op_type).kernel_for("GPU")
    if k is None or (supports is not None and not supports(k)):
        return "CPU"
    return "GPU"


def on_gpu(index):
    """Context: device memory allocated inside comes from logical GPU `index`'s pool."""
    from ..kernels import gpu_memory
    return gpu_memory.on_device(index)


def to_device(x):
    from ..kernels import gpu_memory
    return gpu_memory.to_device(x)


def to_host(x):
    from ..kernels import gpu_memory
    return gpu_memory.to_host(x)


def is_device_array(x):
    return hasattr(x, "copy_to_host")
