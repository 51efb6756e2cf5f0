"""Running one op at once: `op_def_library.EAGER_EXECUTE`.

An eager op call converts its inputs with TF's eager rules (the first input fixes a type
attr such as `T`; later Python/NumPy values are converted to it; a tensor of another dtype is
TF's InvalidArgumentError "cannot compute AddV2 as input #1(zero-based) was expected to be a
float tensor but is a int32 tensor"), calls the op's registered kernel, wraps the results in
EagerTensors and records the op on the active GradientTapes.

Dispatch information (the kernel specialised for the input dtypes and attrs, the keyword
arguments it takes, the output dtypes) is computed once per (op, dtypes, attrs, device) and
cached, so an eager op costs a dict lookup and a kernel call. No Operation is built.
"""
import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import op_def_library, registry, tensor_util
from ..framework import ops as _ops
from ..runtime.placement import SOFT_PLACEMENT as _SOFT
from . import context
from .tensor import EagerTensor

__all__ = ["execute", "convert_to_eager", "active_tapes"]

# GradientTapes currently recording (innermost last); backprop.py pushes and pops them.
active_tapes = []

_dispatch_cache = {}
_input_specs = {}
_TYPE_LIST = object()     # marks a 'list:T' input in `_specs`
_ndarray = np.ndarray
_generic = np.generic


def _tf_type_name(dt):
    """Dtype names in TF's eager error texts: 'float' for float32, 'double' for float64."""
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dt.name, dt.name)


def _specs(opdef):
    """(is_list, type_attr or None, fixed DType or None) per input of `opdef`."""
    s = _input_specs.get(opdef)
    if s is None:
        s = []
        for arg, spec in opdef.inputs:
            is_list = arg.startswith("*")
            if registry.is_type_list(spec):
                s.append((is_list, registry.input_type_attr(spec), _TYPE_LIST))
            elif isinstance(spec, _dt.DType):
                s.append((is_list, None, spec))
            else:
                s.append((is_list, registry.input_type_attr(spec), None))
        s = tuple(s)
        _input_specs[opdef] = s
    return s


def _holds_tensor(value):
    for v in value:
        if isinstance(v, EagerTensor) or hasattr(v, "_read_eager"):
            return True
        if type(v) in (list, tuple) and _holds_tensor(v):
            return True
    return False


def _autopack(value, dtype):
    """A list mixing tensors (or variables) and numbers becomes one Pack op, as TF's
    conversion does (so gradients flow through it); numbers take the tensors' dtype."""
    if dtype is None:
        for v in value:
            d = getattr(v, "dtype", None)
            if d is not None and (isinstance(v, EagerTensor) or hasattr(v, "_read_eager")):
                dtype = d.base_dtype
                break
    elems = [_autopack(v, dtype) if type(v) in (list, tuple) and _holds_tensor(v)
             else convert_to_eager(v, dtype) for v in value]
    return execute(registry.get("Pack"), [elems], {"axis": 0}, "packed")[0]


def convert_to_eager(value, dtype=None, borrow=False):
    """Python/NumPy value (or variable) -> EagerTensor with TF's conversion rules.

    `borrow`: a NumPy array of the right dtype is wrapped without a copy. Only for an input
    that lives no longer than the op call (see `_borrows`): the tensor is never seen again,
    so a later change to the caller's array cannot change any tensor."""
    if isinstance(value, EagerTensor):
        return value
    read = getattr(value, "_read_eager", None)
    if read is not None:
        return read()
    if getattr(value, "_is_graph_variable", False) or (
            hasattr(value, "_as_graph_element") and not hasattr(value, "numpy")):
        raise TypeError(f"Cannot convert {value!r} to an eager tensor: it belongs to a graph.")
    if hasattr(value, "_tfteach_eager_value"):
        return value._tfteach_eager_value()
    tv = type(value)
    if tv is float or tv is int:
        # Python numbers are the commonest conversion (learning rates, `x * 2.0`).
        dt = dtype if dtype is not None else (_dt.float32 if tv is float else _dt.int32)
        if dt is _dt.float32 or dt is _dt.float64 or dt is _dt.float16 or (
                tv is int and dt is _dt.int32 and -2**31 <= value < 2**31) or (
                tv is int and dt is _dt.int64 and -2**63 <= value < 2**63):
            return EagerTensor(dt._np.type(value), dt)
    if type(value) in (list, tuple) and _holds_tensor(value):
        return _autopack(value, dtype)
    if not isinstance(value, (list, tuple, np.ndarray, np.generic, str, bytes, bool)):
        # types with a registered conversion (TensorShape, user types) convert eagerly too
        for base, fn in _ops._conversion_functions:
            if isinstance(value, base):
                ret = fn(value, dtype=dtype, name=None, as_ref=False)
                if ret is not NotImplemented:
                    return ret if isinstance(ret, EagerTensor) else convert_to_eager(ret)
    arr, dt = tensor_util.make_ndarray_like_tf(value, dtype)
    if arr is value and not borrow:     # never alias a caller's array: tensors are immutable
        arr = arr.copy()
    if arr.ndim == 0 and arr.dtype != object:
        arr = arr[()]
    return EagerTensor(arr, dt)


def _convert_for_attr(value, want, borrow=False):
    """Converts a non-tensor input for a type attr already fixed to `want`; a value that
    cannot take that dtype keeps its own (and then fails the dtype check, as in TF)."""
    try:
        return convert_to_eager(value, want, borrow)
    except (TypeError, ValueError):
        return convert_to_eager(value, None, borrow)


_BORROW = {}
_BORROW_TYPES = ("Elementwise", "_IntOrFloat", "_WithComplex")
_BORROW_REDUCTIONS = ("Sum", "Mean", "Max", "Min", "Prod")


def _borrows(opdef):
    """Whether `opdef`'s CPU kernel only reads its inputs and returns new arrays (the
    element-wise ufuncs and the reductions), so a NumPy input need not be copied when no
    GradientTape keeps it: TF likewise hands an aligned NumPy buffer to such a kernel
    without copying it."""
    b = _BORROW.get(opdef)
    if b is None:
        if not _ops_loaded:
            _load_ops()
        k = opdef.kernel_for("CPU")
        b = type(k).__name__ in _BORROW_TYPES or opdef.type in _BORROW_REDUCTIONS
        _BORROW[opdef] = b
    return b


def _mismatch(opdef, index, want, got):
    return errors.InvalidArgumentError(
        None, None, f"cannot compute {opdef.type} as input #{index}(zero-based) was expected "
                    f"to be a {_tf_type_name(want)} tensor but is a {_tf_type_name(got)} "
                    f"tensor [Op:{opdef.type}] name: ")


def _convert_inputs(opdef, inputs, attrs):
    """Returns (flat list of EagerTensors, attrs with type attrs and N filled in)."""
    specs = _specs(opdef)
    if len(inputs) != len(specs):
        raise TypeError(f"{opdef.type} takes {len(specs)} inputs, got {len(inputs)}")
    flat = []
    index = 0
    borrow = None
    # as TF's eager fast path (args_to_matching_eager): the inputs that share a type attr
    # take the dtype of the first tensor among them, Python values converted to it
    # (tf.concat([[1.0], float64_tensor], 0) is float64)
    for (is_list, tattr, fixed), x in zip(specs, inputs):
        if tattr is None or fixed is _TYPE_LIST or attrs.get(tattr) is not None:
            continue
        for item in (x if is_list and isinstance(x, (list, tuple)) else (x,)):
            if isinstance(item, EagerTensor):
                attrs[tattr] = item._dtype
                break
    for (is_list, tattr, fixed), x in zip(specs, inputs):
        items = x if is_list else (x,)
        if is_list:
            if not isinstance(x, (list, tuple)):
                raise TypeError(f"Expected list for '{opdef.inputs[len(flat) and 0][0]}' "
                                f"argument to '{opdef.type}' Op, not {x!r}.")
            if fixed is _TYPE_LIST:
                # each item keeps its own dtype; the attr is their tuple (hashable: the
                # dispatch cache keys on attrs)
                ts = [convert_to_eager(item) for item in x]
                attrs[tattr] = tuple(t._dtype for t in ts)
                flat.extend(ts)
                index += len(ts)
                continue
            attrs.setdefault("N", len(x))
        for item in items:
            want = fixed if tattr is None else attrs.get(tattr)
            if want is not None and not isinstance(want, _dt.DType):
                want = _dt.as_dtype(want)
                attrs[tattr] = want
            if isinstance(item, EagerTensor):
                t = item
            else:
                if borrow is None:
                    borrow = type(item) is np.ndarray and not active_tapes and \
                        not context._device_stack[-1] and _borrows(opdef)
                if want is None:
                    t = convert_to_eager(item, None, borrow)
                else:
                    t = _convert_for_attr(item, want, borrow)
            got = t._dtype
            if want is None:
                attrs[tattr] = got
            elif got is not want and got != want:
                raise _mismatch(opdef, index, want, got)
            flat.append(t)
            index += 1
    return flat, attrs


class _EagerOp:
    """What kernels (`op=` keyword, `for_op`) see of an op that runs eagerly."""
    __slots__ = ("type", "name", "inputs", "_attrs", "_opdef", "outputs")

    def __init__(self, opdef, name, inputs, attrs):
        self.type = opdef.type
        self._opdef = opdef
        self.name = name or opdef.type
        self.inputs = tuple(inputs)
        self._attrs = attrs
        self.outputs = ()

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            if name in self._opdef.attr_defaults:
                return self._opdef.attr_defaults[name]
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.") from None

    def attr(self, name, default=None):
        return self._attrs.get(name, self._opdef.attr_defaults.get(name, default))

    @property
    def device(self):
        return ""

    @property
    def op_def(self):
        return self._opdef


_ops_loaded = []


def _load_ops():
    from .. import ops as _ops_pkg
    _ops_pkg.load_all_ops()
    _ops_loaded.append(True)


class _Dispatch:
    __slots__ = ("fn", "kwargs", "out_types", "n_out", "op_proto_needed", "stateful", "attrs")


def _build_dispatch(opdef, flat, attrs, device, name):
    if not _ops_loaded:
        _load_ops()
    if opdef.allowed or opdef.minimum:
        bad = opdef.attr_violation(attrs)
        if bad is not None:
            raise errors.InvalidArgumentError(None, None, _with_op(bad[1], opdef))
    kernel = opdef.kernel_for(device)
    if kernel is None and device != "CPU":
        device = "CPU"
        kernel = opdef.kernel_for("CPU")
    if kernel is None:
        raise errors.NotFoundError(
            None, None, f"Could not find device for node: {{{{node {opdef.type}}}}} = "
                        f"{opdef.type}[]\nNo kernel registered for op {opdef.type} "
                        f"[Op:{opdef.type}] name: ")
    proto = _EagerOp(opdef, name, flat, attrs)
    fn = kernel.for_op(proto) if hasattr(kernel, "for_op") else kernel
    inner = getattr(fn, "ufunc", None)      # numba DUFunc: call the NumPy ufunc directly
    if isinstance(inner, np.ufunc):
        fn = inner
    if isinstance(fn, np.ufunc) and device == "CPU" and flat:
        # big operands run in blocks on all threads (kernels/cpu/threads.py)
        from ..kernels.cpu import threads
        fn = threads.elementwise_callable(opdef.type, fn, flat[0]._dtype.base_dtype.np_dtype)
    return _dispatch_for(opdef, fn, attrs, device)


def _dispatch_for(opdef, fn, attrs, device):
    """A cached eager call of `fn`, the op's kernel on `device`: its keyword attrs bound once."""
    d = _Dispatch()
    d.fn = fn
    kwargs = {}
    d.op_proto_needed = False
    for a in opdef.kernel_attr_names(device):
        if a == "ctx":
            kwargs["ctx"] = context.run_context()
        elif a == "op":
            d.op_proto_needed = True
        elif a in attrs:
            kwargs[a] = attrs[a]
        elif a in opdef.attr_defaults:
            kwargs[a] = opdef.attr_defaults[a]
    d.kwargs = kwargs
    d.out_types = op_def_library._output_types(opdef, attrs)
    d.n_out = len(d.out_types)
    # a variadic output list of length one (Split with num_split=1, Unpack of a dim of 1):
    # its kernel returns a 1-tuple, which the single-output path must not turn into an array
    if d.n_out == 1:
        d.fn = registry.single_output(opdef, d.fn)
    d.stateful = opdef.stateful
    d.attrs = attrs
    return d


def _attr_key(attrs):
    try:
        key = tuple(sorted(attrs.items()))
        hash(key)
        return key
    except TypeError:
        return None


def _execute_impl(opdef, inputs, attrs, name):
    """Runs `opdef` on `inputs` now; returns the list of output EagerTensors."""
    if _GPU_DEFAULT[0] is not False and _gpu_default():
        return _execute_gpu(opdef, inputs, attrs, name)
    # Fast path: no attrs, every input already an EagerTensor of a dtype combination seen
    # before (so already validated), default device.
    if not attrs and not context._device_stack[-1]:
        n = len(inputs)
        if n == 2:
            x, y = inputs
            if type(x) is EagerTensor and type(y) is EagerTensor:
                d = _fast_cache.get((opdef, x._dtype, y._dtype))
                if d is not None:
                    return _run(d, opdef, (x, y), (x._value, y._value), attrs, name)
        elif n == 1:
            x = inputs[0]
            if type(x) is EagerTensor:
                d = _fast_cache.get((opdef, x._dtype))
                if d is not None:
                    return _run(d, opdef, (x,), (x._value,), attrs, name)
    fast_key = None
    if not attrs and not context._device_stack[-1] and 1 <= len(inputs) <= 2 and \
            all(type(x) is EagerTensor for x in inputs):
        fast_key = (opdef,) + tuple(x._dtype for x in inputs)
    attrs = dict(attrs) if attrs else {}
    flat, attrs = _convert_inputs(opdef, inputs, attrs)
    if context._device_stack[-1] and not _SOFT[0]:
        _hard_placement(opdef.type, context._device_stack[-1], False)
    device = context.current_device() if context._device_stack[-1] else "CPU"
    key = None
    if not opdef.stateful:
        ak = _attr_key(attrs)
        if ak is not None:
            key = (opdef, device, ak)
    d = _dispatch_cache.get(key) if key is not None else None
    if d is None:
        try:
            d = _build_dispatch(opdef, flat, attrs, device, name)
        except errors.OpError as e:
            raise _eager_error(e, opdef, flat) from None
        if key is not None:
            _dispatch_cache[key] = d
    if fast_key is not None and key is not None and not d.op_proto_needed:
        d.attrs = attrs
        _fast_cache[fast_key] = d
    outs = _run(d, opdef, flat, [t._value for t in flat], attrs, name)
    if context._device_stack[-1]:
        logical = context.logical_cpu_name()
        if logical is not None:
            for t in outs:
                t._device = logical
    return outs


_fast_cache = {}


def _hard_placement(op_type, requested, gpu_kernel):
    """With soft placement off (tf.config.set_soft_device_placement(False)), an op whose
    requested device is not there, or cannot run it, is TF's InvalidArgumentError; checked
    where the op would otherwise fall back to the CPU. `gpu_kernel`: the op has one for
    its dtypes."""
    from ..runtime import devices, placement
    kind, index = placement.parse_device(requested)
    index = index or 0
    if kind is None or kind == "CPU" and index < devices.logical_cpu_count() or \
            kind == "GPU" and gpu_kernel and index < placement.eager_gpu_count():
        return
    raise placement.eager_placement_error(op_type, kind, index, gpu_kernel)


def _execute_fast_impl(opdef, inputs, name):
    """The common eager call, straight from apply_op: None when it does not apply."""
    if context._device_stack[-1] or _GPU_DEFAULT[0] is not False and _gpu_default():
        return None
    n = len(inputs)
    if n == 2:
        x, y = inputs
        if type(x) is EagerTensor and type(y) is EagerTensor:
            d = _fast_cache.get((opdef, x._dtype, y._dtype))
            if d is not None:
                return _run(d, opdef, (x, y), (x._value, y._value), None, name)
    elif n == 1:
        x = inputs[0]
        if type(x) is EagerTensor:
            d = _fast_cache.get((opdef, x._dtype))
            if d is not None:
                return _run(d, opdef, (x,), (x._value,), None, name)
    return None


def _run(d, opdef, flat, values, attrs, name):
    kwargs = d.kwargs
    if d.op_proto_needed:
        kwargs = dict(kwargs)
        kwargs["op"] = _EagerOp(opdef, name, flat, attrs)
    try:
        result = d.fn(*values, **kwargs) if kwargs else d.fn(*values)
    except errors.OpError as e:
        raise _eager_error(e, opdef, flat, name) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:  # noqa: BLE001 - foreign kernel errors become TF's class
        oom = errors.allocation_error(e)
        if oom is not None:
            raise type(oom)(None, None, _with_op(oom.message, opdef)) from None
        if isinstance(e, ValueError) and "broadcast" in str(e) and len(values) == 2:
            msg = (f"Incompatible shapes: {_dims(np.shape(values[0]))} vs. "
                   f"{_dims(np.shape(values[1]))}")
        else:
            msg = f"{type(e).__name__}: {e}"
        raise errors.InvalidArgumentError(None, None, _with_op(msg, opdef)) from None
    if d.n_out == 1:
        t = d.out_types[0]
        if type(result) is not _ndarray and not isinstance(result, _generic):
            result = _as_array(result, t)
        outs = [EagerTensor(result, t)]
    else:
        outs = _wrap(result, d)
    if active_tapes:
        from . import backprop
        backprop.record(opdef, attrs if attrs else d.attrs, flat, outs, name)
    return outs


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


# --- eager ops on the GPU -----------------------------------------------------------------
# With a GPU present (a real one, or numba's simulator) eager ops run there unless a
# `tf.device('/CPU:0')` says otherwise, as in TF 2: an op with a GPU kernel for its dtypes
# runs on the device and returns GpuEagerTensors; one without runs on the CPU (soft
# placement). Inputs cross between host and device only where the op needs them on the
# other side; host-memory arguments (shapes, axes: TF's HostMemory) stay on the host.
# Without a GPU this is never entered: `_GPU_DEFAULT` is decided once, on the first op.
_GPU_DEFAULT = [None]
_GPU_COUNT = [0]         # logical GPUs, counted when _GPU_DEFAULT is decided
_gpu_dispatch = {}


def _gpu_default():
    """True: eager ops take the placing path below (a GPU is present, or placement is being
    logged); False: the CPU's fast path."""
    if _GPU_DEFAULT[0] is None:
        from ..runtime import placement
        _GPU_DEFAULT[0] = placement.eager_gpu_default() or placement.LOG_DEVICE_PLACEMENT[0]
        _GPU_COUNT[0] = placement.eager_gpu_count()
    return _GPU_DEFAULT[0]


def reset_gpu_default():
    """tf.config changed which GPUs are visible, or placement logging: decide again on the
    next op."""
    _GPU_DEFAULT[0] = None
    _gpu_dispatch.clear()


def _execute_gpu(opdef, inputs, attrs, name):
    from ..runtime import placement
    attrs = dict(attrs) if attrs else {}
    flat, attrs = _convert_inputs(opdef, inputs, attrs)
    requested = context._device_stack[-1]
    kind, index = placement.parse_device(requested) if requested else (None, 0)
    index = index or 0
    if kind == "GPU" and index >= _GPU_COUNT[0] and _SOFT[0]:
        index = 0       # soft placement picks the best device there is: GPU:0
    device = "CPU"
    g = False
    if kind != "CPU" and index < _GPU_COUNT[0]:
        ak = _attr_key(attrs)
        key = (opdef, ak, tuple(t._dtype for t in flat)) if ak is not None and \
            not opdef.stateful else None
        g = _gpu_dispatch.get(key) if key is not None else None
        if g is None:
            g = _gpu_plan(opdef, flat, attrs, name)
            if key is not None:
                _gpu_dispatch[key] = g
        if g is not False:
            device = "GPU"
    if device == "CPU":
        if requested and not _SOFT[0]:
            if kind == "GPU" and index >= _GPU_COUNT[0] and _GPU_COUNT[0]:
                g = _gpu_plan(opdef, flat, attrs, name)     # for the error's device types
            _hard_placement(opdef.type, requested, g is not False)
        ak = _attr_key(attrs)
        key = (opdef, "CPU", ak) if ak is not None and not opdef.stateful else None
        d = _dispatch_cache.get(key) if key is not None else None
        if d is None:
            try:
                d = _build_dispatch(opdef, flat, attrs, "CPU", name)
            except errors.OpError as e:
                raise _eager_error(e, opdef, flat) from None
            if key is not None:
                _dispatch_cache[key] = d
        outs = _run(d, opdef, flat, [t._value for t in flat], attrs, name)
        logical = context.logical_cpu_name()
        if logical is not None:
            for t in outs:
                t._device = logical
        if placement.LOG_DEVICE_PLACEMENT[0]:
            placement.log_eager(opdef.type, "CPU")
        return outs
    d, host_in, host_out = g
    if placement.LOG_DEVICE_PLACEMENT[0]:
        placement.log_eager(opdef.type, "GPU", index)
    if index:
        with placement.on_gpu(index):
            values = [t._value if j in host_in else _device_value(t, index)
                      for j, t in enumerate(flat)]
            return _run_gpu(d, opdef, flat, values, attrs, name, index)
    values = [t._value if j in host_in else _device_value(t, 0) for j, t in enumerate(flat)]
    return _run_gpu(d, opdef, flat, values, attrs, name, 0)


def _device_value(t, index):
    """t's value on logical GPU `index`: its device array if it lives there (a constant's is
    made on first use and kept), else a copy."""
    if t._device == _gpu_name(index) and hasattr(t, "device_array"):
        return t.device_array()
    dev = getattr(t, "_dev", None)
    if dev is not None:     # on another logical GPU: copied device to device
        from ..kernels import gpu_memory
        return gpu_memory.to_device_of(dev, index)
    from ..runtime import placement
    return placement.to_device(t._value)


def eager_constant(arr, dtype):
    """tf.constant's eager tensor: on the default device (a GPU when one is present, as in
    TF 2), copied there on first use."""
    if not _SOFT[0] and context._device_stack[-1]:
        _hard_placement(None, context._device_stack[-1], dtype is not _dt.string)
    if _GPU_DEFAULT[0] is False or dtype is _dt.string or not _gpu_default():
        return EagerTensor(arr, dtype)
    requested = context._device_stack[-1]
    from ..runtime import placement
    kind, index = placement.parse_device(requested) if requested else (None, 0)
    index = index or 0
    if kind == "GPU" and index >= _GPU_COUNT[0]:
        index = 0       # soft placement (off raised above): GPU:0
    if kind == "CPU" or index >= _GPU_COUNT[0]:
        return EagerTensor(arr, dtype)
    from .tensor import GpuEagerTensor
    return GpuEagerTensor(None, dtype, _gpu_name(index), host=arr[()] if arr.ndim == 0 and
                          arr.dtype != object else arr)


_GPU_NAMES = {}


def _gpu_name(index):
    n = _GPU_NAMES.get(index)
    if n is None:
        n = _GPU_NAMES[index] = f"/job:localhost/replica:0/task:0/device:GPU:{index}"
    return n


def _gpu_plan(opdef, flat, attrs, name):
    """(dispatch, host-memory input positions, host-memory output positions) of the op's GPU
    kernel for these inputs, or False when it has none for them."""
    if not _ops_loaded:
        _load_ops()
    kernel = opdef.kernel_for("GPU")
    if kernel is None:
        return False
    proto = _EagerOp(opdef, name, flat, attrs)
    check = getattr(kernel, "supports", None)
    from ..runtime import placement
    try:
        if not placement.tf_has_gpu_kernel(proto):
            return False
        if placement.int32_on_host(proto):
            # TF's int32 GPU kernel: placed on the GPU, computed on host memory (no copies)
            d = _build_dispatch(opdef, flat, attrs, "CPU", name)
            return d, frozenset(range(len(flat))), frozenset(range(d.n_out))
        if check is not None and not check(proto):
            return False
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    if opdef.allowed or opdef.minimum:
        bad = opdef.attr_violation(attrs)
        if bad is not None:
            raise errors.InvalidArgumentError(None, None, _with_op(bad[1], opdef))
    fn = kernel.for_op(proto) if hasattr(kernel, "for_op") else kernel
    d = _dispatch_for(opdef, fn, attrs, "GPU")
    host_in, host_out = opdef.host_memory(len(flat), d.n_out)
    return d, host_in, host_out


def _run_gpu(d, opdef, flat, values, attrs, name, index):
    from .tensor import GpuEagerTensor
    kwargs = d.kwargs
    if d.op_proto_needed:
        kwargs = dict(kwargs)
        kwargs["op"] = _EagerOp(opdef, name, flat, attrs)
    try:
        result = d.fn(*values, **kwargs) if kwargs else d.fn(*values)
    except errors.OpError as e:
        raise _eager_error(e, opdef, flat) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:  # noqa: BLE001 - foreign kernel errors become TF's class
        oom = errors.allocation_error(e)
        if oom is not None:
            raise type(oom)(None, None, _with_op(oom.message, opdef)) from None
        raise errors.InvalidArgumentError(
            None, None, _with_op(f"{type(e).__name__}: {e}", opdef)) from None
    results = (result,) if d.n_out == 1 else (result or ())
    outs = []
    where = _gpu_name(index)
    for v, t in zip(results, d.out_types):
        if hasattr(v, "copy_to_host"):
            outs.append(GpuEagerTensor(v, t, where))
        else:       # a host-memory output: on the GPU device, in host memory (as TF's)
            if type(v) is not _ndarray and not isinstance(v, _generic):
                v = _as_array(v, t)
            outs.append(EagerTensor(v, t, where))
    if active_tapes:
        from . import backprop
        backprop.record(opdef, attrs if attrs else d.attrs, flat, outs, name)
    return outs


_DT_NAMES = {"DT_FLOAT": "float", "DT_DOUBLE": "double", "DT_HALF": "half",
             "DT_BFLOAT16": "bfloat16", "DT_BOOL": "bool", "DT_STRING": "string"}


def _eager_error(e, opdef, flat, name=None):
    """Kernel errors as TF reports them eagerly: a dtype without a kernel is TF's
    InvalidArgumentError about the attr's allowed values (an op with no inputs, whose types
    are attrs alone, a table's, keeps TF's NotFoundError)."""
    msg = e.message
    if isinstance(e, errors.NotFoundError) and flat and \
            msg.startswith("Could not find device for node"):
        import re
        allowed = []
        for m in re.findall(r"DT_[A-Z0-9]+", msg.split("\n", 1)[-1]):
            name = _DT_NAMES.get(m, m[3:].lower())
            if name not in allowed:
                allowed.append(name)
        got = _tf_type_name(flat[0]._dtype) if flat else "?"
        return errors.InvalidArgumentError(
            None, None, _with_op(f"Value for attr 'T' of {got} is not in the list of allowed "
                                 f"values: {', '.join(allowed)}\n\t; NodeDef: {{{{node "
                                 f"{opdef.type}}}}}", opdef))
    return type(e)(None, None, _with_op(msg, opdef, name))


def _with_op(msg, opdef, name=None):
    """TF's eager suffix: the op type and the name the caller gave the op, if any."""
    suffix = f" [Op:{opdef.type}]"
    if suffix in msg:
        return msg
    if opdef.eager_fallback and (not name or name == opdef.type):
        return f"{msg}{suffix}"
    return f"{msg}{suffix} name: {name or ''}"


def _wrap(result, d):
    n = d.n_out
    if n == 1:
        t = d.out_types[0]
        if type(result) is not _ndarray and not isinstance(result, _generic):
            result = _as_array(result, t)
        return [EagerTensor(result, t)]
    if n == 0:
        return []
    outs = []
    for v, t in zip(result, d.out_types):
        if type(v) is not _ndarray and not isinstance(v, _generic):
            v = _as_array(v, t)
        outs.append(EagerTensor(v, t))
    return outs


def _as_array(v, dtype):
    if dtype is _dt.resource or dtype is _dt.variant:
        return np.array(v, dtype=object) if not isinstance(v, np.ndarray) else v
    a = np.asarray(v, dtype=dtype.np_dtype)
    return a[()] if a.ndim == 0 and a.dtype != object else a


def equality(x, y, op_type):
    """`==` / `!=` on eager tensors: element-wise, and False/True for values that cannot be
    compared (None, another dtype), as TF 2 does."""
    from ..framework import ops as _ops
    if y is None:
        return op_type == "NotEqual"
    if _ops.is_symbolic(y) or not context.executing_eagerly():
        fn = _ops._OVERLOADS.get("__eq__" if op_type == "Equal" else "__ne__")
        if fn is not None:
            return fn(x, y)
        return (x is y) if op_type == "Equal" else (x is not y)
    try:
        yt = y if isinstance(y, EagerTensor) else convert_to_eager(y, x._dtype)
    except (TypeError, ValueError):
        raise TypeError(f"Cannot convert {y!r} to EagerTensor of dtype "
                        f"{_tf_type_name(x._dtype)}") from None
    return execute(registry.get(op_type), [x, yt], {}, op_type)[0]



# --- op callbacks (tf.debugging.enable_check_numerics): every eager op passes here ----------

def _after(opdef, inputs, outs):
    for callback in list(op_def_library.OP_CALLBACKS):
        callback(opdef, inputs, outs)
    return outs


def execute(opdef, inputs, attrs, name):
    """Runs `opdef` on `inputs` now; returns the list of output EagerTensors."""
    outs = _execute_impl(opdef, inputs, attrs, name)
    return _after(opdef, inputs, outs) if op_def_library.OP_CALLBACKS else outs


def execute_fast(opdef, inputs, name):
    outs = _execute_fast_impl(opdef, inputs, name)
    if outs is not None and op_def_library.OP_CALLBACKS:
        _after(opdef, inputs, outs)
    return outs


op_def_library.EAGER_EXECUTE = execute
_ops.EAGER_CONSTANT = eager_constant
_ops.EAGER_LIST_CONVERT = lambda value, dtype: (_autopack(value, dtype)
                                                if _holds_tensor(value) else None)
op_def_library.EAGER_FAST = execute_fast


def _call_py_function(func, inputs, record):
    """EagerPyFunc's kernel calls the user's function through this hook: on EagerTensors,
    eagerly even inside a TF1 program; with `record`, under a GradientTape the op's gradient
    (ops/script_grad.py) differentiates later."""
    args = [EagerTensor(np.asarray(x), _dt.as_dtype(np.asarray(x).dtype)) for x in inputs]
    with context.eager_mode():
        if not record:
            return func(*args), None
        from .backprop import GradientTape
        with GradientTape(persistent=False) as tape:
            for a in args:
                if a.dtype.is_floating:
                    tape.watch(a)
            ret = func(*args)
        return ret, (tape, args)


registry.EAGER_PY_CALL = _call_py_function

