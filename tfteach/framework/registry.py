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
    kernels    {device: fn}: registered by `tfteach/kernels/<device>/<family>.py`
    gradient   fn(op, *output_grads) -> [input_grad or None, ...]: registered by
               `tfteach/ops/<family>_grad.py` (TF's `RegisterGradient`)
    stateful   the op has side effects or reads state (variables, random, summaries):
               never constant-folded, never cached
    doc        one line saying what the op computes (docs/ops.md, the graph explorer)
    family     the op family, from the declaring module `tfteach/ops/<family>_ops.py`
    allowed    {type attr: dtype names} an attr may take (TF's `allowed_values`), checked
               when an op is built or run eagerly, before any kernel sees the inputs
    minimum    {attr: n}: an int attr's least value, or a list input's least length (its
               length attr, e.g. `N`), TF's `has_minimum`

Every op belongs to a *family* (TF's vocabulary: math, array, linalg, nn, ...) whose four
files mirror each other: `tfteach/ops/<family>_ops.py` declares it (`register_op`, the
family read off the module name), `tfteach/ops/<family>_grad.py` registers its gradient
(`@RegisterGradient`), `tfteach/kernels/cpu/<family>.py` and `tfteach/kernels/cuda/<family>.py`
its kernels (`@register_kernel(op, device)`). Each spelling raises on an undeclared op or a
second registration, and each checks that it is called from its family's file.

Kernels and gradients load lazily, by family: the first kernel request for an op on a
device imports `tfteach.kernels.<device>.<family>`, the first gradient lookup
`tfteach.ops.<family>_grad`, so `import tfteach` pays no numba start-up cost and a first run
only for the families it uses. `@registry.api(T)` links the Python function that builds T
(tf.matmul for MatMul), and `registry.get(T).where()` reads every location back.
"""
import importlib
import inspect
import re
import sys

from . import dtypes as _dt

# Calls up from the kernels (which import nothing above framework/registry): EagerPyFunc's
# kernel runs a Python function eagerly with this, installed by eager/execute.py:
# EAGER_PY_CALL(func, input arrays, record) -> (result, (tape, eager inputs) if record)
EAGER_PY_CALL = None

__all__ = ["OpDef", "register_op", "get", "RegisterGradient", "register_kernel",
           "get_kernel", "all_ops", "NotDifferentiable", "no_gradient", "api",
           "load_kernels", "families", "api_links"]

_OPS = {}
_FAMILY_DECL = {}        # family -> the modules declaring its ops
_DEVICE_PKG = {"CPU": "tfteach.kernels.cpu", "GPU": "tfteach.kernels.cuda"}
_LOADED_DEVICES = {}     # device -> its imported kernel package
_LOADED = set()          # (device, family) whose kernel module has been imported (or is absent)
_GRADS_LOADED = set()    # families whose `_grad` module has been imported (or is absent)
_API = {}                # op type -> (its Python function, (file, line)) from `api`

_OPS_MODULE = re.compile(r"tfteach\.ops\.(\w+)_ops$")
_GRAD_MODULE = re.compile(r"tfteach\.ops\.(\w+)_grad$")
_KERNEL_MODULE = re.compile(r"tfteach\.kernels\.(cpu|cuda)\.([a-z]\w*)$")


class OpDef:
    __slots__ = ("type", "inputs", "outputs", "shape", "kernels", "stateful", "doc",
                 "attr_defaults", "family", "_kernel_params", "_gradient",
                 "_differentiable", "_sites", "allowed", "minimum", "eager_fallback")

    def __init__(self, type, inputs, outputs, shape, stateful, doc, attr_defaults, family,
                 allowed=None, minimum=None):
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.shape = shape
        self.kernels = {}
        self._gradient = None
        self._differentiable = None  # None: unknown, False: NotDifferentiable
        self.stateful = stateful
        self.doc = doc
        self.attr_defaults = attr_defaults or {}
        self.family = family
        self._kernel_params = {}
        self._sites = {}            # "op" / "api" / "gradient" -> (file, line) of the call
        self.allowed = {k: tuple(_dt.as_dtype(t) for t in v) for k, v in (allowed or {}).items()}
        self.minimum = dict(minimum or {})
        # TF runs some ops eagerly through its slow path (list-typed attrs, as ParseExampleV2):
        # their eager errors name the op but add " name: " only when a name was given
        self.eager_fallback = False

    def __repr__(self):
        return f"<OpDef {self.type}>"

    @property
    def api(self):
        """The Python function that builds this op (linked with `registry.api`), or None."""
        link = _API.get(self.type)
        return link[0] if link else None

    @property
    def gradient(self):
        """fn(op, *output_grads) -> [input_grad or None, ...], or None."""
        if self.family not in _GRADS_LOADED:
            _load_gradients(self.family)
        return self._gradient

    @property
    def differentiable(self):
        """True: has a gradient; False: marked NotDifferentiable; None: neither."""
        if self.family not in _GRADS_LOADED:
            _load_gradients(self.family)
        return self._differentiable

    def kernel_for(self, device):
        if (device, self.family) not in _LOADED:
            _load_family(device, self.family)
        return self.kernels.get(device)

    def host_memory(self, n_inputs, n_outputs, device="GPU"):
        """TF's HostMemory registration of the device kernel: (positions of the inputs,
        positions of the outputs) that stay in host memory when the op runs on `device`,
        for an op with this many (flattened) inputs and outputs. Kernels declare it as
        `host_inputs` (positions, negative from the end, "all", or a callable of the number
        of inputs, for a list argument) and `host_outputs`
        (positions, or True for all); the CPU keeps everything on the host."""
        k = self.kernel_for(device)
        if k is None or device == "CPU":
            return frozenset(range(n_inputs)), frozenset(range(n_outputs))
        ins = getattr(k, "host_inputs", ())
        outs = getattr(k, "host_outputs", False)
        if callable(ins):           # a list argument: its positions depend on its length
            ins = ins(n_inputs)
        ins = range(n_inputs) if ins == "all" else \
            {i % n_inputs for i in ins if -n_inputs <= i < n_inputs} if n_inputs else ()
        outs = range(n_outputs) if outs is True else (outs or ())
        return frozenset(ins), frozenset(o for o in outs if o < n_outputs)

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
                # the runtime's message spells dtypes as TF's C++ DataTypeString does
                c_names = {"float32": "float", "float64": "double", "float16": "half"}
                tf_name = c_names.get(dt.name, dt.name)
                c_list = ", ".join(c_names.get(a.name, a.name) for a in allowed)
                return (TypeError(f"Value passed to parameter '{arg}' has DataType {dt.name} "
                                  f"not in list of allowed values: {names}"),
                        f"Value for attr '{attr}' of {tf_name} is not in the list of allowed "
                        f"values: {c_list}\n\t; NodeDef: {{{{node {self.type}}}}}")
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
        """Where everything about this op is written, as 'file:line' strings.

        Keys: 'op' (the register_op call), 'api' (the Python function that builds it),
        'CPU' and 'GPU' (the kernels; GPU only where one exists), 'gradient' (the gradient
        function, or the NotDifferentiable call). Finding the GPU kernel imports the
        family's CUDA module, which needs numba.cuda but no GPU."""
        out = {"op": "%s:%d" % self._sites["op"]}
        if self.type in _API:
            out["api"] = "%s:%d" % _API[self.type][1]
        for dev in ("CPU", "GPU"):
            try:
                fn = self.kernel_for(dev)
            except ImportError:
                fn = None
            if fn is not None:
                out[dev] = _source_of(fn, self._sites.get(dev))
        if self.gradient is not None:
            out["gradient"] = _source_of(self._gradient)
        elif "gradient" in self._sites:
            out["gradient"] = "%s:%d" % self._sites["gradient"]
        return out


def _source_of(fn, site=None):
    """file:line of the function a reader wants to see: numba dispatchers keep the Python
    function as `py_func`, element-wise kernel objects as `pyfunc`; a kernel with no source
    of its own (generated from a string, a dispatching object, made by a toolkit factory) is
    shown where it was registered (`site`)."""
    fn = getattr(fn, "py_func", None) or getattr(fn, "pyfunc", None) or fn
    fn = inspect.unwrap(fn)
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    if site and getattr(module, "__toolkit__", False):
        return "%s:%d" % site
    try:
        if inspect.isfunction(fn) or inspect.ismethod(fn):
            return f"{inspect.getsourcefile(fn)}:{inspect.getsourcelines(fn)[1]}"
    except (TypeError, OSError):
        pass
    return "%s:%d" % site if site else repr(fn)


def _caller(skip_toolkit=False, stacklevel=1):
    """The frame that called into the registry (toolkit modules skipped on request)."""
    f = sys._getframe(1)
    while f.f_code.co_filename == __file__ or (
            skip_toolkit and f.f_globals.get("__toolkit__")):
        f = f.f_back
    for _ in range(stacklevel - 1):
        f = f.f_back
    return f


def _site(f):
    return (f.f_code.co_filename, f.f_lineno)


def register_op(type, inputs=(), outputs=(("output", "T"),), shape=None, stateful=False,
                attr_defaults=None, doc="", family=None, allowed=None, minimum=None):
    """Declares an op type in the family of the calling `tfteach/ops/<family>_ops.py`
    (or `family=`). Returns its OpDef."""
    f = _caller()
    module = f.f_globals.get("__name__", "")
    if family is None:
        m = _OPS_MODULE.match(module)
        if m is None:
            raise ValueError(
                f"register_op({type!r}) in {module}: declare ops in "
                f"tfteach/ops/<family>_ops.py, or name the family with family=")
        family = m.group(1)
    if type in _OPS:
        raise ValueError(f"Op type {type!r} is already registered "
                         f"(at {'%s:%d' % _OPS[type]._sites['op']})")
    opdef = OpDef(type, list(inputs), outputs, shape, stateful, doc, attr_defaults, family,
                  allowed, minimum)
    opdef._sites["op"] = _site(f)
    _OPS[type] = opdef
    _FAMILY_DECL.setdefault(family, set()).add(module)
    return opdef


def get(type):
    try:
        return _OPS[type]
    except KeyError:
        raise KeyError(f"Op type not registered '{type}' in tfteach's op registry") from None


def all_ops():
    return dict(_OPS)


def families():
    """{family: sorted op types} of the ops declared so far."""
    out = {}
    for t, o in _OPS.items():
        out.setdefault(o.family, []).append(t)
    return {k: sorted(v) for k, v in sorted(out.items())}


def api(op_type, stacklevel=1):
    """Decorator linking the Python function that builds `op_type` (tf.matmul for MatMul).

    A factory that makes such functions passes `stacklevel=2`, so the location recorded is
    the line that made this one (`exp = _unary("Exp")`), not the factory's body."""
    def deco(fn):
        # the op may be declared further down the module: links are kept by name, and the
        # registry walk (tests/test_registry.py) checks that each names a declared op
        if op_type in _API:
            raise ValueError(f"Op type {op_type!r} already has its Python function "
                             f"({'%s:%d' % _API[op_type][1]})")
        f = _caller(stacklevel=stacklevel)
        _API[op_type] = (fn, _site(f) if stacklevel > 1 else _def_site(fn, f))
        return fn
    return deco


def api_links():
    """{op type: (Python function, (file, line))} as linked by `api`."""
    return dict(_API)


def _def_site(fn, f):
    code = getattr(inspect.unwrap(fn), "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else _site(f)


def _check_family(what, op_type, opdef, module, pattern):
    if not module.startswith("tfteach."):
        return      # a user's own registration (tf.RegisterGradient): any module will do
    m = pattern.match(module)
    fam = m.group(m.lastindex) if m else None
    if fam != opdef.family:
        raise ValueError(
            f"{what} for {op_type!r} in {module}: the op is in the {opdef.family!r} family, "
            f"so it belongs in the family's file ({_family_files(opdef.family)})")


def _family_files(family):
    return (f"tfteach/ops/{family}_ops.py, tfteach/ops/{family}_grad.py, "
            f"tfteach/kernels/cpu/{family}.py, tfteach/kernels/cuda/{family}.py")


class RegisterGradient:
    """Decorator registering the gradient function of an op type (TF's API)."""

    def __init__(self, op_type):
        self._op_type = op_type

    def __call__(self, fn):
        opdef = get(self._op_type)
        f = _caller()
        _check_family("RegisterGradient", self._op_type, opdef,
                      f.f_globals.get("__name__", ""), _GRAD_MODULE)
        _set_gradient(opdef, fn, True, f)
        return fn


def _set_gradient(opdef, fn, differentiable, f):
    if opdef._differentiable is not None:
        raise ValueError(f"Op type {opdef.type!r} already has a gradient registration "
                         f"({'%s:%d' % opdef._sites['gradient']})")
    opdef._gradient = fn
    opdef._differentiable = differentiable
    opdef._sites["gradient"] = _site(f)


def NotDifferentiable(op_type):
    """Marks an op type as having no gradient (its inputs get None)."""
    opdef = get(op_type)
    f = _caller()
    module = f.f_globals.get("__name__", "")
    pattern = _GRAD_MODULE if _GRAD_MODULE.match(module) else _OPS_MODULE
    _check_family("NotDifferentiable", op_type, opdef, module, pattern)
    _set_gradient(opdef, None, False, f)


no_gradient = NotDifferentiable


def register_kernel(op_type, device="CPU"):
    """Decorator: `fn(*input_values, *, attr=...)` computes `op_type` on `device`.

    Keyword-only parameters of `fn` receive the op's attrs of the same name; a kernel that
    needs the run's context (variables, seeds, ...) declares a keyword-only `ctx`. Call it
    from `tfteach/kernels/<device>/<family>.py` (a toolkit module, marked `__toolkit__ =
    True`, may call it on a family module's behalf).
    """
    if device not in _DEVICE_PKG:
        raise ValueError(f"register_kernel({op_type!r}): unknown device {device!r}")

    def deco(fn):
        f = _caller(skip_toolkit=True)
        module = f.f_globals.get("__name__", "")
        m = _KERNEL_MODULE.match(module)
        if op_type not in _OPS and m is not None:
            _import_declarations(m.group(2))
        opdef = get(op_type)
        _check_family("register_kernel", op_type, opdef, module, _KERNEL_MODULE)
        if device in opdef.kernels:
            raise ValueError(f"Op type {op_type!r} already has a {device} kernel "
                             f"({_source_of(opdef.kernels[device])})")
        opdef.kernels[device] = fn
        opdef._sites[device] = _site(f)
        return fn
    return deco


def _import_declarations(family):
    """A family's kernels may load before any of its ops were built (tools, a kernel module
    reusing another family's code): import the modules that declare them first."""
    for mod in _FAMILY_DECL.get(family) or (f"tfteach.ops.{family}_ops",):
        _import_optional(mod)


def _import_optional(modname):
    """Imports `modname`; False if no such module exists (an import error inside it raises)."""
    try:
        importlib.import_module(modname)
        return True
    except ModuleNotFoundError as e:
        if e.name != modname:
            raise
        return False


def _device_package(device):
    pkg = _LOADED_DEVICES.get(device)
    if pkg is None:
        pkg = importlib.import_module(_DEVICE_PKG[device])
        first = getattr(pkg, "before_first_kernel", None)
        if first is not None:
            first()
        _LOADED_DEVICES[device] = pkg
    return pkg


def _load_family(device, family):
    """Imports `tfteach.kernels.<device>.<family>` (absent: the family has no kernels there)."""
    pkg = _device_package(device)
    _import_declarations(family)
    _import_optional(f"{pkg.__name__}.{family}")
    _LOADED.add((device, family))


def _load_gradients(family):
    # marked loaded only once imported: a second thread asking meanwhile must wait on the
    # module's import lock, not read a gradient that is not registered yet
    _import_optional(f"tfteach.ops.{family}_grad")
    _GRADS_LOADED.add(family)


def load_kernels(device="CPU", families=None):
    """Imports the device's kernel modules of `families` (all families declared so far)."""
    for fam in (families or sorted({o.family for o in _OPS.values()})):
        if (device, fam) not in _LOADED:
            _load_family(device, fam)


def single_output(opdef, kernel):
    """`kernel` as a one-output kernel: an op whose output list is variadic (Split with
    num_split=1, Unpack of a dimension of 1) returns a 1-tuple, whose item is the output."""
    outputs = getattr(opdef, "outputs", ())     # a plan's loop frame has no declared outputs
    if not (callable(outputs) or any(isinstance(spec, str) and spec.startswith("*")
                                     for _n, spec in outputs)):
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
