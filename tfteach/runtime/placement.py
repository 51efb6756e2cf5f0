"""Placement: which device runs each op, and where data has to cross between devices.

Rules (TF's, for one CPU and the logical GPUs of one physical GPU):
- an op pinned with `tf.device('/CPU:0')` runs on the CPU;
- an op pinned to '/GPU:i' runs on logical GPU i if there is one and the op has a GPU
  kernel for its dtypes; otherwise, with soft placement (the default eagerly and in
  tf.function, off in a v1 ConfigProto) it runs on GPU:0 when the GPU i does not exist and
  the op can run there, else on the CPU; without it the run fails with TF's "Cannot assign
  a device for operation ..." InvalidArgumentError;
- an op with no device runs on the GPU when one is present and it has a GPU kernel (an
  identity on the GPU of its input);
- an int32 op of TF's host-memory int32 kernels is on the GPU, computed in host memory
  (`int32_on_host`);
- a variable and the ops that take it by reference (Assign, Apply*) form one colocation
  group: all on the variable's GPU only if every member can run there, so a variable's
  value stays on one device.

Without a GPU (or without the `cuda` extra) everything runs on the CPU and nothing of CUDA
is imported; the executor's generated code is then exactly what it is without this module.

Data crossing: a tensor lives where its producer ran (feeds and constants on the host).
`Edges` rewrites a plan's argument expressions so a copy happens only where a consumer
runs on another device: `H2D(x)` / `D2H(x)`, `TO_GPU1(x)` between logical GPUs; a constant
consumed on a GPU is copied once when the plan is built; a session's fetched values come
back to the host, a tf.function's stay where they were computed.

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
    if int32_on_host(op):
        return True         # TF's host-memory int32 kernel: the CPU's code on host values
    check = getattr(kernel, "supports", None)
    return True if check is None else bool(check(op))


_INT32_ATTR = {}


def int32_on_host(op):
    """True when op runs as TF's int32 GPU kernel of its type, which keeps every argument in
    host memory (tests/data/tf_gpu_kernels.json's `host_int32`): an int32 AddV2, Sum or
    Reshape placed on a GPU is computed by the CPU's code on host values, its outputs stay
    on the host, and no copy is made. (ZerosLike/OnesLike's input, of which TF's kernel
    reads only the shape, is read on the host too.) Only ops with a GPU kernel in tfteach:
    the control-flow ops TF also lists stay where GPU_GAPS in tests/test_gpu_registry.py
    says."""
    opdef = op._opdef
    attr = _INT32_ATTR.get(opdef, 0)
    if attr == 0:
        attr = _INT32_ATTR[opdef] = _int32_attr(opdef)
    if attr is None:
        return False
    dt = op._attrs.get(attr)
    return getattr(getattr(dt, "base_dtype", dt), "name", None) == "int32"


def _int32_attr(opdef):
    """The type attr whose int32 value selects TF's all-host-memory GPU kernel of opdef's
    type, or None: the op's element type attr, when it types one of the arguments that
    kernel (and no other) keeps on the host."""
    from ._tf_gpu_types import GPU_TYPES, HOST_INT32
    from ..framework import registry
    names = HOST_INT32.get(getattr(opdef, "type", None))     # a plan's loop frame has none
    if not names or opdef.kernel_for("GPU") is None:
        return None
    typing = set()
    outs = () if callable(opdef.outputs) else opdef.outputs
    for n, spec in list(opdef.inputs) + list(outs):
        if n.lstrip("*") in names and isinstance(spec, str):
            typing.add(registry.input_type_attr(spec.lstrip("*").split(":")[-1]))
    elem = GPU_TYPES[opdef.type][0] if opdef.type in GPU_TYPES else \
        (next(iter(typing)) if len(typing) == 1 else None)
    return elem if elem in typing else None


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


class Placement(dict):
    """{op: 'CPU' | 'GPU'}: the device type each op's kernel is chosen for; `gpu_index`
    holds the logical GPU of the ops placed on one other than GPU:0 ('/GPU:1' with
    tf.config's logical GPUs), whose memory pool their values live in."""

    def __init__(self):
        super().__init__()
        self.gpu_index = {}

    def device_name(self, op):
        dev = self.get(op, "CPU")
        return canonical_name(dev, self.gpu_index.get(op, 0) if dev == "GPU" else 0)

    def residence(self, op):
        """Where op's device-memory outputs live: 'CPU', 'GPU' (GPU:0) or 'GPU:i'."""
        dev = self.get(op, "CPU")
        if dev != "GPU":
            return dev
        i = self.gpu_index.get(op, 0)
        return "GPU" if not i else f"GPU:{i}"


def place(ops, devices=None, log=False):
    """Returns {op: 'CPU' | 'GPU'} for the plan's ops (see the module docstring)."""
    devices = devices if devices is not None else ["CPU"]
    gpu = "GPU" in devices
    soft = getattr(devices, "allow_soft_placement", True)
    out = Placement()
    for op in ops:
        kind, index = parse_device(op.device)
        chosen = "CPU"
        if kind == "GPU":
            spec = f"/device:GPU:{index}"
            if not gpu or index >= _gpu_count(devices):
                if not soft:
                    if getattr(devices, "tf2_function", False):
                        # TF 2 names no op here: the function call is the op it reports
                        raise errors.InvalidArgumentError(
                            None, None, f"Unable to find any devices for spec {spec}")
                    raise _cannot_assign(op, spec, devices)
                if gpu and gpu_kernel_supports(op):
                    chosen = "GPU"      # soft placement: GPU:0 before the CPU, as TF's
            elif gpu_kernel_supports(op):
                chosen = "GPU"
                if index:
                    out.gpu_index[op] = index
            elif not soft:
                raise _cannot_assign(
                    op, spec, devices,
                    f"Could not satisfy explicit device specification '{spec}' because no "
                    f"supported kernel for GPU devices is available.")
        elif kind is None and gpu and gpu_kernel_supports(op):
            chosen = "GPU"      # a Const's value is copied to the device once per plan
            if op._type == "Identity" and len(op._inputs) == 1:
                # TF's placer puts a device-less identity with its input (a function's
                # output of a '/GPU:1' value stays there)
                src = op._inputs[0].op
                if out.get(src) == "GPU" and src in out.gpu_index:
                    out.gpu_index[op] = out.gpu_index[src]
        out[op] = chosen
    if gpu:
        _colocate_refs(ops, out, _gpu_count(devices))
    if log or LOG_DEVICE_PLACEMENT[0]:
        for op in ops:
            print(f"{op.name}: ({op.type}): {out.device_name(op)}", file=sys.stderr)
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


def _colocate_refs(ops, out, n_gpu=1):
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
        # on the root's GPU: a variable's value lives in one logical GPU's memory
        kind, index = parse_device(root.device)
        index = index or 0 if on_gpu and kind == "GPU" and (index or 0) < n_gpu else 0
        for m in members:
            if m in out:
                out[m] = dev
                if index:
                    out.gpu_index[m] = index
                else:
                    out.gpu_index.pop(m, None)


def _input_spec(op, t):
    specs = op._opdef.inputs
    for j, x in enumerate(op._inputs):
        if x is t:
            spec = specs[min(j, len(specs) - 1)][1]
            return spec if isinstance(spec, str) else None
    return None


# --- copies at the edges --------------------------------------------------------------------
def _host_memory(op):
    if int32_on_host(op):
        return frozenset(range(len(op._inputs))), frozenset(range(len(op._outputs)))
    return op._opdef.host_memory(len(op._inputs), len(op._outputs))


class Edges:
    """Rewrites one plan's expressions so data crosses devices only where placement changes.

    Residence of a value: 'CPU' (host numpy), 'GPU' (a numba device array in GPU:0's memory
    pool) or 'GPU:i' (logical GPU i's pool); feeds and constants start on the host; a GPU
    kernel marked `host_outputs` returns host values (shapes, sizes: TF's host-memory
    outputs); a GPU kernel's `host_inputs` (axes, shapes, permutations) are read on the
    host. Between two logical GPUs a value is copied device to device into the consumer's
    pool (TF's copy between GPU:0 and GPU:1).
    """

    def __init__(self, placement, feed_tensors, env, device_values=False):
        self.placement = placement
        self.fed = set(feed_tensors)
        self.feed_index = {t: i for i, t in enumerate(feed_tensors)}
        self.env = env
        # `device_values` (tf.function's plans): a feed may arrive as a device array (of
        # GPU:0), and a value computed in device memory is returned as it is, as TF's
        # function outputs stay where they were computed; a session's fetches always come
        # back to the host
        self.device_values = device_values
        self.feeds_on_gpu = set()       # feed positions some GPU:0 kernel reads
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
        return self.placement.residence(op) if dev == "GPU" else dev

    def input(self, src, t, op, j, dev):
        frame_needs = getattr(op, "input_devices", None)
        if frame_needs is not None:     # a while loop's frame: where its Enter ops need it
            need = frame_needs[j]
            return src if need is None else self.value_for(src, t, need)
        spec = op._opdef.inputs[min(j, len(op._opdef.inputs) - 1)][1]
        if isinstance(spec, str) and spec.startswith("ref:"):
            return src                       # the variable slot itself, not a value
        need = self.placement.residence(op) if dev == "GPU" and \
            j not in _host_memory(op)[0] else "CPU"
        return self.value_for(src, t, need)

    def _copier(self, need, have="CPU"):
        """The env name of the function that puts a value into `need`'s memory: H2D for a
        host value (or GPU:0's own device array) going to GPU:0, TO_GPU<i> for logical GPU
        i (a device array of another GPU is copied device to device)."""
        if need == "GPU" and have == "CPU":
            return "H2D"
        i = 0 if need == "GPU" else int(need.split(":")[1])
        name = f"TO_GPU{i}"
        if name not in self.env:
            from ..kernels import gpu_memory
            self.env[name] = lambda x, _i=i: gpu_memory.to_device_of(x, _i) \
                if gpu_memory.is_device_array(x) or not _host_only(x) else x
        return name

    def value_for(self, src, t, need):
        """`src` (the value of tensor t) made available on device `need`."""
        have = self.residence(t)
        fed = t in self.fed
        if have == "CONST":
            if need == "CPU":
                return src
            if src != f"C{t.op._id}":
                # a constant behind a control edge from a cond branch: dead when it is
                return f"({src} if {src} is DEAD else {self._const(t, need)})"
            return self._const(t, need)
        if need == "CPU":
            if fed and self.device_values and self.lines is not None:
                return self._host_once(src, t)      # a feed may be a device array
            if have == "CPU":
                return src
            if self.lines is not None and _PLAIN.fullmatch(src):
                return self._host_once(src, t)
            return f"D2H({src})"
        if fed and self.lines is not None:
            if need == "GPU":
                self.feeds_on_gpu.add(self.feed_index[t])
            return self._fed_once(src, t, need)
        if have == need:
            return src
        return f"{self._copier(need, have)}({src})"

    def _host_once(self, src, t):
        """A device value read on the host by several consumers (a cond's predicate by each
        of its Switches, a tf.function's feed handed in as a device array) is copied once.
        The copy is made before the first of them; a dead or host value passes through D2H
        as it is."""
        name = self._on_host.get(t)
        if name is None:
            name = self._on_host[t] = f"v{2000000 + len(self._on_host)}_0"
            self.lines.append(f"    {name} = D2H({src})")
        return name

    def _fed_once(self, src, t, need):
        """A fed value used on a GPU is copied there once per run, before its first
        consumer, and shared by all of them (a feed is never dead, so the copy needs no
        guard)."""
        name = self._fed_on_device.get((t, need))
        if name is None:
            name = self._fed_on_device[(t, need)] = \
                f"v{1000000 + len(self._fed_on_device)}_0"
            # a device array handed in (device_values) is for GPU:0; another GPU copies it
            self.lines.append(f"    {name} = {self._copier(need)}({src})")
        return name

    def _const(self, t, need="GPU"):
        """A constant read on a GPU is copied into that GPU's memory once, when the plan is
        built."""
        name = self._const_on_device.get((t, need))
        if name is None:
            from ..kernels import gpu_memory
            i = 0 if need == "GPU" else int(need.split(":")[1])
            name = f"CG{t.op._id}" if not i else f"CG{t.op._id}_{i}"
            value = t.op.get_attr("value")
            self.env[name] = value if _host_only(value) else gpu_memory.to_device_of(value, i)
            self._const_on_device[(t, need)] = name
        return name

    def call(self, call, op, dev):
        if dev == "CPU" and op._type in ("VariableV2", "Variable"):
            return f"VAR_TO_HOST({call})"
        return call

    def fetch(self, src):
        return src if self.device_values else f"D2H({src})"


def on_gpu_kernel(kernel, index):
    """`kernel` running on logical GPU `index`: what it allocates comes from that GPU's
    memory pool."""
    from ..kernels import gpu_memory

    def call(*args, **kwargs):
        with gpu_memory.on_device(index):
            return kernel(*args, **kwargs)
    call.__wrapped__ = kernel
    return call


_PLAIN = re.compile(r"v\d+_\d+")     # a value's name in a plan (not a variable's read)


def to_device_tolerant(x):
    """A value a GPU kernel reads in device memory, copied there. What device memory does
    not hold stays on the host, where TF always keeps it: handles (an iterator, a queue, an
    optional, a TensorArray's or a stack's state: host objects, TF's DT_RESOURCE /
    DT_VARIANT), strings, and the dead marker of an untaken cond branch (a Merge on the GPU
    receives it)."""
    from ..kernels import gpu_memory
    if gpu_memory.is_device_array(x) or _host_only(x):
        return x
    return gpu_memory.to_device(x)


def _host_only(x):
    """A host value that never goes to a device: a handle, a string, the dead marker (see
    to_device_tolerant)."""
    return not isinstance(x, (np.ndarray, np.generic, bool, int, float, complex, list,
                              tuple)) or np.asarray(x).dtype.kind not in "biufc"


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


def edges_for(placement, feed_tensors, env, devices=None):
    """An Edges rewriter when the plan runs anything on the GPU, else None."""
    if "GPU" not in placement.values():
        return None
    return Edges(placement, feed_tensors, env,
                 device_values=getattr(devices, "device_values", False))


# --- for the eager runtime ------------------------------------------------------------------
def gpu_available():
    from . import devices
    return devices.gpu_count() > 0


def eager_devices():
    """The device set for plans run outside a Session (tf.function graphs): the GPU when
    present, with soft placement (TF2's default). Pass it as `Plan(..., devices=...)`."""
    from . import devices
    if devices.gpu_count() == 0:
        d = devices.DeviceSet(["CPU"], SOFT_PLACEMENT[0])
    else:
        d = devices.session_devices(_SoftConfig())
        d.device_values = True      # a function's values stay on the device (Edges)
    d.tf2_function = True
    return d


class _SoftConfig:
    device_count = {}
    gpu_options = None

    @property
    def allow_soft_placement(self):
        return SOFT_PLACEMENT[0]


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
# tf.config.set_soft_device_placement: TF 2's eager context and its functions fall back to
# another device (on by default); a session's ConfigProto has its own allow_soft_placement
SOFT_PLACEMENT = [True]


def eager_placement_error(op_type, kind, index, gpu_kernel):
    """TF 2's eager error for an op that cannot run on the device `tf.device` asked for
    with soft placement off: the device types with a kernel for the op, and every device
    there is (GPUs before the CPU, TF's priority order)."""
    from . import devices
    n_gpu = eager_gpu_count()
    types = (["GPU"] if gpu_kernel and n_gpu else []) + ["CPU"]
    names = [canonical_name("GPU", i) for i in range(n_gpu)] + \
        [canonical_name("CPU", i) for i in range(devices.logical_cpu_count())]
    msg = (f"Could not satisfy device specification '{canonical_name(kind, index or 0)}'. "
           f"enable_soft_placement=0. Supported device types [{', '.join(types)}]. All "
           f"available devices [{', '.join(names)}].")
    if op_type is not None:
        msg += f" [Op:{op_type}] name: "
    return errors.InvalidArgumentError(None, None, msg)


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
