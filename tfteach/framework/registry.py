"""The op registry: every op type is declared here once and read by everything else.

An OpDef holds what graph building, eager execution, the executor, autodiff and the
visualiser need to know about one op type (TF 2.21's type names: `AddV2`, `MatMul`,
`VariableV2`, ...):

    inputs     [(name, type)] where type is a type-attr name ("T"), a fixed DType, or
               "ref:T" for an input that must be a reference (Assign's `ref`);
               a name starting with "*" is a list input (AddN's `*inputs`); its type
               "list:T" makes it a list of any dtypes, T recording them (IdentityN)
    outputs    [(name, type)] likewise, or a callable(attrs) for a variable count
    shape      shape rule: fn(op) -> [TensorShape, ...], run when the op is added to a graph
    kernels    {device: fn}: registered by the modules in `tfteach/kernels/<device>/`
    gradient   fn(op, *output_grads) -> [input_grad or None, ...]: registered by the
               `*_grad.py` modules beside the op constructors (TF's `RegisterGradient`)
    stateful   the op has side effects or reads state (variables, random, summaries):
               never constant-folded, never cached
    allowed    {type attr: dtype names} an attr may take (TF's `allowed_values`), checked
               when an op is built or run eagerly, before any kernel sees the inputs
    minimum    {attr: n}: an int attr's least value, or a list input's least length (its
               length attr, e.g. `N`), TF's `has_minimum`

Kernels are looked up lazily: the first kernel request for an op type on a device imports
`tfteach.kernels.<device>` and (CPU) the one module holding that op's kernel, so
`import tfteach` pays no numba start-up cost and a first run only the kernels it needs.
"""
import importlib
import inspect

from . import dtypes as _dt

__all__ = ["OpDef", "register_op", "get", "RegisterGradient", "register_kernel",
           "get_kernel", "all_ops", "NotDifferentiable", "no_gradient"]

_OPS = {}
_LOADED_DEVICES = {}     # device -> its imported kernel package
_RESOLVED = set()        # (device, op type) whose kernel module has been imported


class OpDef:
    __slots__ = ("type", "inputs", "outputs", "shape", "kernels", "gradient", "stateful",
                 "doc", "attr_defaults", "differentiable", "_kernel_params", "allowed",
                 "minimum")

    def __init__(self, type, inputs, outputs, shape, stateful, doc, attr_defaults,
                 allowed=None, minimum=None):
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.shape = shape
        self.kernels = {}
        self.gradient = None
        self.differentiable = None  # None: unknown, False: NotDifferentiable
        self.stateful = stateful
        self.doc = doc
        self.attr_defaults = attr_defaults or {}
        self._kernel_params = {}
        self.allowed = {k: tuple(_dt.as_dtype(t) for t in v) for k, v in (allowed or {}).items()}
        self.minimum = dict(minimum or {})

    def __repr__(self):
        return f"<OpDef {self.type}>"

    def kernel_for(self, device):
        if (device, self.type) not in _RESOLVED:
            _load_kernels(device, self.type)
        return self.kernels.get(device)

    def kernel_attr_names(self, device):
        """The attrs the device kernel takes as keyword arguments (read off its signature)."""
        names = self._kernel_params.get(device)
        if names is None:
            fn = self.kernel_for(device)
            params = inspect.signature(fn).parameters
            names = tuple(p for p, v in params.items()
                          if v.kind == inspect.Parameter.KEYWORD_ONLY)
            self._kernel_params[device] = names
        return names

    def attr_violation(self, attrs):
        """TF's attr constraints (allowed dtypes, minimums) against `attrs`: None, or
        (the exception TF raises while building a graph, the message it gives eagerly, where
        the caller raises it as an InvalidArgumentError)."""
        for attr, allowed in self.allowed.items():
            dt = attrs.get(attr)
            if dt is None:
                continue
            dt = _dt.as_dtype(dt).base_dtype
            if dt not in allowed:
                names = ", ".join(a.name for a in allowed)
                arg = next((a.lstrip("*") for a, spec in self.inputs
                            if input_type_attr(spec) == attr), attr)
                tf_name = {"float32": "float", "float64": "double", "float16": "half"}.get(
                    dt.name, dt.name)
                return (TypeError(f"Value passed to parameter '{arg}' has DataType {dt.name} "
                                  f"not in list of allowed values: {names}"),
                        f"Value for attr '{attr}' of {tf_name} is not in the list of allowed "
                        f"values: {names}\n\t; NodeDef: {{{{node {self.type}}}}}")
        for attr, least in self.minimum.items():
            v = attrs.get(attr)
            if v is None or v >= least:
                continue
            lists = [a.lstrip("*") for a, spec in self.inputs if a.startswith("*")]
            if attr == "N" and lists:
                msg = (f"List argument '{lists[0]}' to '{self.type}' Op with length {v} "
                       f"shorter than minimum length {least}.")
            else:
                msg = f"Attr '{attr}' of '{self.type}' Op passed {v} less than minimum {least}."
            return ValueError(msg), msg
        return None

    def where(self):
        """Where this op's kernels and gradient are defined: {'CPU': 'file:line', ...}."""
        out = {}
        for dev in ("CPU", "GPU"):
            try:
                fn = self.kernel_for(dev)
            except ImportError:
                fn = None
            if fn is not None:
                out[dev] = _source_of(fn)
        if self.gradient is not None:
            out["gradient"] = _source_of(self.gradient)
        return out


def _source_of(fn):
    # numba dispatchers keep the Python function as `py_func`, kernel objects (Elementwise) as
    # `pyfunc`: point at the function a reader wants to see, not at the wrapper's class
    fn = getattr(fn, "py_func", None) or getattr(fn, "pyfunc", None) or fn
    fn = inspect.unwrap(fn)
    try:
        return f"{inspect.getsourcefile(fn)}:{inspect.getsourcelines(fn)[1]}"
    except (TypeError, OSError):
        return repr(fn)


def register_op(type, inputs=(), outputs=(("output", "T"),), shape=None, stateful=False,
                attr_defaults=None, doc="", allowed=None, minimum=None):
    """Declares an op type. Returns its OpDef."""
    if type in _OPS:
        raise ValueError(f"Op type {type!r} is already registered")
    opdef = OpDef(type, list(inputs), outputs, shape, stateful, doc, attr_defaults,
                  allowed, minimum)
    _OPS[type] = opdef
    return opdef


def get(type):
    try:
        return _OPS[type]
    except KeyError:
        raise KeyError(f"Op type not registered '{type}' in tfteach's op registry") from None


def all_ops():
    return dict(_OPS)


class RegisterGradient:
    """Decorator registering the gradient function of an op type (TF's API)."""

    def __init__(self, op_type):
        self._op_type = op_type

    def __call__(self, fn):
        opdef = get(self._op_type)
        opdef.gradient = fn
        opdef.differentiable = True
        return fn


def NotDifferentiable(op_type):
    """Marks an op type as having no gradient (its inputs get None)."""
    opdef = get(op_type)
    opdef.gradient = None
    opdef.differentiable = False


no_gradient = NotDifferentiable


def register_kernel(op_type, device="CPU"):
    """Decorator: `fn(*input_values, *, attr=...)` computes `op_type` on `device`.

    Keyword-only parameters of `fn` receive the op's attrs of the same name; a kernel that
    needs the run's context (variables, seeds, ...) declares a keyword-only `ctx`.
    """
    def deco(fn):
        get(op_type).kernels[device] = fn
        return fn
    return deco


def _load_kernels(device, op_type=None):
    """Imports the device's kernel package; a package with `load_for` (the CPU one) then
    imports only the module holding `op_type`'s kernel, so a first run loads what it uses."""
    pkg = _LOADED_DEVICES.get(device)
    if pkg is None:
        mod = {"CPU": "tfteach.kernels.cpu", "GPU": "tfteach.kernels.cuda"}[device]
        pkg = _LOADED_DEVICES[device] = importlib.import_module(mod)
    if op_type is not None:
        load_for = getattr(pkg, "load_for", None)
        if load_for is not None:
            load_for(op_type)
        _RESOLVED.add((device, op_type))


def single_output(opdef, kernel):
    """`kernel` as a one-output kernel: an op whose output list is variadic (Split with
    num_split=1, Unpack of a dimension of 1) returns a 1-tuple, whose item is the output."""
    if not (callable(opdef.outputs) or any(isinstance(spec, str) and spec.startswith("*")
                                           for _n, spec in opdef.outputs)):
        return kernel

    def first(*args, **kwargs):
        out = kernel(*args, **kwargs)
        return out[0] if type(out) in (tuple, list) else out
    return first


def get_kernel(op_type, device="CPU"):
    return get(op_type).kernel_for(device)


def input_type_attr(spec):
    """'T' -> 'T', 'ref:T' -> 'T', 'list:T' -> 'T', DType -> None."""
    if isinstance(spec, _dt.DType):
        return None
    return spec[5:] if spec.startswith("list:") else \
        spec[4:] if spec.startswith("ref:") else spec


def is_type_list(spec):
    """A list input whose items each keep their own dtype ('list:T')."""
    return isinstance(spec, str) and spec.startswith("list:")
