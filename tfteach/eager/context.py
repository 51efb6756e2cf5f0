"""The eager context: name scopes, device scopes and run state for ops that run at once.

Eagerly there is no graph to hold names, so the name scope is a plain string stack (TF 2
does not uniquify eager scopes or variable names: every unnamed variable is `Variable:0`).
The device scope picks where eager kernels run; stateful eager kernels (random ops, ...)
get a RunContext whose state lives as long as the process, as TF's eager context does.
"""
import contextlib

from ..framework import behavior
from ..framework import ops as _ops
from ..runtime.run_context import RunContext, SessionState, stored_value

__all__ = ["executing_eagerly", "eager_name_scope", "current_name_scope",
           "eager_device_scope", "current_device", "name_scope_v2", "init_scope",
           "run_context"]

_name_stack = [""]       # the current eager scope, "" or "outer/inner/"
_device_stack = [""]     # "" means the default placement

CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


def executing_eagerly():
    return behavior.EAGER_DEFAULT and not _ops._graph_stack.items


def current_name_scope():
    """The eager scope without its trailing slash ('' at the root), as get_name_scope()."""
    return _name_stack[-1][:-1]


def _scoped_prefix():
    return _name_stack[-1]


@contextlib.contextmanager
def eager_name_scope(name):
    """`with tf.name_scope(name) as scope:` eagerly: 'outer/name/' (a trailing '/' makes
    `name` absolute; None or '' goes back to the root)."""
    if not name:
        new = ""
    elif name[-1] == "/":
        new = name
    else:
        new = _name_stack[-1] + name + "/"
    _name_stack.append(new)
    try:
        yield new
    finally:
        _name_stack.pop()


class name_scope_v2:
    """TF 2's `tf.name_scope(name)`: a scope for op names (graphs) or variable names (eager).

    Reusable: `Module.name_scope` keeps one and enters it many times.
    """

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError("name for name_scope must be a string.")
        self._name = name
        self._exit_fns = []

    @property
    def name(self):
        return self._name

    def __enter__(self):
        if executing_eagerly():
            cm = eager_name_scope(self._name)
            scope = cm.__enter__()
            self._exit_fns.append(cm.__exit__)
            return scope
        g = _ops.get_default_graph()
        name = self._name
        if name and name[-1] != "/":
            # Inside a graph, an absolute name from an eager Module scope ("my_layer/") is
            # reused; a relative one is uniquified like any graph scope.
            pass
        cm = g.name_scope(name)
        scope = cm.__enter__()
        self._exit_fns.append(cm.__exit__)
        return scope

    def __exit__(self, *exc):
        return self._exit_fns.pop()(*exc)

    def __repr__(self):
        return f"<tf.name_scope {self._name!r}>"


@contextlib.contextmanager
def eager_device_scope(device_name):
    if callable(device_name):
        raise RuntimeError("tf.device does not support functions when eager execution is "
                           "enabled.")
    if device_name is None:
        device_name = ""
    if device_name and not isinstance(device_name, str):
        device_name = getattr(device_name, "name", str(device_name))
    if device_name:
        from ..runtime import placement
        dev_type, _ = placement.parse_device(device_name)
        if dev_type is None:
            from .. import errors
            raise errors.InvalidArgumentError(
                None, None, f"Could not parse device name: {device_name!r}")
    _device_stack.append(device_name or _device_stack[-1])
    try:
        yield
    finally:
        _device_stack.pop()


def logical_cpu_name():
    """The full name of the logical CPU that `tf.device` asks for ('/CPU:1' once the CPU is
    split by tf.config.set_logical_device_configuration); None for CPU:0, a GPU, or an index
    past the logical CPUs (soft placement puts those on CPU:0, as TF does)."""
    from ..runtime import devices, placement
    kind, index = placement.parse_device(_device_stack[-1])
    if kind == "CPU" and 0 < index < devices.logical_cpu_count():
        return placement.canonical_name("CPU", index)
    return None


def current_device():
    """The device type eager kernels run on: the CPU. (Eager kernels take and return NumPy
    arrays; `tf.device('/GPU:0')` is accepted and checked, and GPU placement happens for
    graphs run by the executor, including tf.function graphs.)"""
    return "CPU"


@contextlib.contextmanager
def init_scope():
    """Leaves every graph being built (tf.function traces) so that the code inside runs
    eagerly, as TF's `tf.init_scope` lifts variable initialisers out of functions."""
    saved = list(_ops._graph_stack)
    del _ops._graph_stack[:]
    try:
        yield
    finally:
        _ops._graph_stack[:] = saved


@contextlib.contextmanager
def eager_mode():
    """Runs the code inside eagerly even in a TF1 program (graph mode by default): what
    TF's py_function kernel does around the user's function."""
    saved, saved_default = list(_ops._graph_stack), behavior.EAGER_DEFAULT
    del _ops._graph_stack[:]
    behavior.EAGER_DEFAULT = True
    try:
        yield
    finally:
        _ops._graph_stack[:] = saved
        behavior.EAGER_DEFAULT = saved_default


class _EagerRunContext(RunContext):
    """The RunContext stateful kernels see when they run eagerly: process-wide state, and
    writes that take effect at once (there is no run to roll back)."""
    __slots__ = ()

    def __init__(self):
        super().__init__(SessionState())

    def write(self, slot, value):
        slot.value = value

    def rollback(self):
        self.undo.clear()


_run_context = None


def run_context():
    global _run_context
    if _run_context is None:
        _run_context = _EagerRunContext()
    return _run_context


class _FunctionRunContext(RunContext):
    """RunContext of one tf.function call: shares the eager state (seeds, resources) and
    keeps an undo log so that a failing call leaves every variable as it was."""
    __slots__ = ()

    def __init__(self):
        super().__init__(run_context().state)

    def write(self, slot, value):
        # unlike a session's run, the value stays writeable, as eager writes leave it
        self.undo.append((slot, stored_value(slot)))
        slot.value = value


# framework/ops.py calls up into this layer through these (it imports nothing above itself)
_ops.EAGER_NAME_SCOPE = eager_name_scope
_ops.EAGER_CURRENT_NAME_SCOPE = current_name_scope
_ops.EAGER_DEVICE_SCOPE = eager_device_scope
_ops.EAGER_RUN_CONTEXT = run_context
