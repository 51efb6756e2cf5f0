"""What stateful kernels see while they run: the variable slots and state of a session (or
of the eager context), and the run's undo log. The executor passes one to every kernel that
asks for `ctx`; eager/context.py's eager and tf.function contexts are these, with writes
that take effect at once (eager) or that keep eager values writeable (tf.function)."""
import time

import numpy as np


class VariableSlot:
    """The storage of one v1 reference variable inside one session."""
    __slots__ = ("name", "value")

    def __init__(self, name):
        self.name = name
        self.value = None

    def __repr__(self):
        return f"<VariableSlot {self.name} {'set' if self.value is not None else 'unset'}>"


def stored_value(slot):
    """A slot's value as stored: a variable kept on the GPU (eager/variables.py's storage)
    gives its device array, so an undo log holds it without a copy to the host."""
    return slot.stored if hasattr(type(slot), "stored") else slot.value


class RunContext:
    """What stateful kernels see: the session's state and this run's undo log."""
    __slots__ = ("state", "undo", "options", "timings", "step_callback", "device_pool",
                 "rendezvous", "deadline")

    def __init__(self, state, options=None):
        self.state = state
        # when kernels that wait (queues, accumulators) give up: the run's
        # RunOptions.timeout_in_ms, else the session's ConfigProto.operation_timeout_in_ms
        ms = getattr(options, "timeout_in_ms", 0) if options is not None else 0
        if not ms:
            ms = getattr(state, "operation_timeout_in_ms", 0)
        self.deadline = time.monotonic() + ms / 1000.0 if ms and ms > 0 else None
        self.undo = []
        self.options = options
        self.timings = None
        self.step_callback = None
        self.device_pool = None
        # a distributed step's tensor exchange (_Send/_Recv kernels), set by the task
        self.rendezvous = None

    def variable(self, name):
        slots = self.state.variables
        slot = slots.get(name)
        if slot is None:
            slot = slots[name] = VariableSlot(name)
        return slot

    def write(self, slot, value):
        """Replace a variable's value, remembering the old one in case the run fails.

        Stored values are frozen (read-only): kernels never write in place, so a value
        fetched earlier or still held by a reader keeps the number it had, and Session.run
        can hand out fresh kernel outputs without copying them."""
        if type(value) is np.ndarray:
            value.flags.writeable = False
        self.undo.append((slot, stored_value(slot)))
        slot.value = value

    def rollback(self):
        for slot, old in reversed(self.undo):
            slot.value = old
        self.undo.clear()


class SessionState:
    """Per-session state: variable slots and per-op random generators."""

    def __init__(self):
        self.variables = {}
        self.random = {}
        self.resources = {}
        self.operation_timeout_in_ms = 0
        # set by Session.close: kernels still waiting (a dequeue in a runner thread) stop
        self.closed = False
