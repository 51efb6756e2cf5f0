"""TensorFlow's error classes (`tf.errors`), with their codes.

Errors raised while a graph runs are OpErrors: they name the failing node (`node_def`, `op`),
as TF does, so a student can find the op in a drawing of the graph.
"""

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = range(7)
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE = range(7, 12)
UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = range(12, 17)


class OpError(Exception):
    """A failure while running an op. `node_def` and `op` point at the node that failed."""
    error_code = UNKNOWN

    def __init__(self, node_def, op, message, *args):
        super().__init__(message)
        self._node_def, self._op, self._message = node_def, op, message

    @property
    def message(self):
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    def __str__(self):
        return self._message

    def __reduce__(self):
        return type(self), (self._node_def, self._op, self._message)


def _define(name, code):
    cls = type(name, (OpError,), {"error_code": code, "__module__": __name__})

    def __init__(self, node_def=None, op=None, message="", *args):
        OpError.__init__(self, node_def, op, message)
    cls.__init__ = __init__
    return cls


CancelledError = _define("CancelledError", CANCELLED)
UnknownError = _define("UnknownError", UNKNOWN)
InvalidArgumentError = _define("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _define("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _define("NotFoundError", NOT_FOUND)
AlreadyExistsError = _define("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _define("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _define("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _define("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _define("AbortedError", ABORTED)
OutOfRangeError = _define("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _define("UnimplementedError", UNIMPLEMENTED)
InternalError = _define("InternalError", INTERNAL)
UnavailableError = _define("UnavailableError", UNAVAILABLE)
DataLossError = _define("DataLossError", DATA_LOSS)
UnauthenticatedError = _define("UnauthenticatedError", UNAUTHENTICATED)


def allocation_error(e, device="CPU"):
    """A failed allocation (NumPy's MemoryError, or its ValueError for a size past what an
    address can hold) as TF reports an out-of-memory kernel: ResourceExhaustedError with its
    words; None when `e` is not an allocation failure."""
    if isinstance(e, MemoryError):
        shape, dtype = getattr(e, "shape", None), getattr(e, "dtype", None)
    elif isinstance(e, ValueError) and "array is too big" in str(e):
        shape = dtype = None
    else:
        return None
    what = "tensor"
    if shape is not None:
        what += f" with shape[{','.join(str(d) for d in shape)}]"
    if dtype is not None:
        name = {"float32": "float", "float64": "double", "float16": "half"}.get(
            str(dtype), str(dtype))
        what += f" and type {name}"
    return ResourceExhaustedError(
        None, None, f"OOM when allocating {what} on /job:localhost/replica:0/task:0/device:"
                    f"{device}:0 by allocator cpu")
