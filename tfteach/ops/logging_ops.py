"""The logging family: ops that report while a graph runs (TF's `logging_ops`): the check
Assert (tf.debugging.Assert), the printers Print (TF 1's tf.Print) and PrintV2 (tf.print,
with StringFormat of the string family turning each tensor into text), and Timestamp.

Their Python functions stay with their users (ops/control_flow_v1.py, ops/assert_ops.py,
eager/printing.py, ops/math_ops.py); kernels in tfteach/kernels/cpu/logging.py.
"""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.tensor_shape import TensorShape

registry.register_op("Assert", inputs=(("condition", _dt.bool_), ("*data", "list:T")),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Fails the run with the data's values when the condition is false.")
registry.NotDifferentiable("Assert")
registry.register_op("Print", inputs=(("input", "T"), ("*data", "list:U")),
                     shape=lambda op: [op.inputs[0].shape], stateful=True,
                     doc="Identity that also writes the data's values to stderr (TF1's tf.Print).")
registry.register_op("PrintV2", inputs=(("*inputs", _dt.string),), outputs=(),
                     shape=lambda op: [], stateful=True,
                     doc="Writes a line (tf.print) every time it runs.")
registry.NotDifferentiable("PrintV2")
registry.register_op("Timestamp", outputs=(("ts", _dt.float64),),
                     shape=lambda op: [TensorShape([])], stateful=True,
                     doc="Seconds since the epoch, as a float64, when the op runs.")
registry.NotDifferentiable("Timestamp")
registry.register_op("CheckNumerics", inputs=(("tensor", "T"),), outputs=(("output", "T"),),
                     shape=lambda op: [op.inputs[0].shape], stateful=True,
                     attr_defaults={"message": ""},
                     allowed={"T": ("bfloat16", "float16", "float32", "float64")},
                     doc="Identity that fails the run when the tensor holds a NaN or an Inf.")


@registry.api("CheckNumerics")
def check_numerics(tensor, message, name=None):
    """tf.debugging.check_numerics: `tensor` unchanged, or InvalidArgumentError
    "<message> : Tensor had NaN values" (or "Inf values", "Inf and NaN values") when it runs.
    Its gradient checks the incoming gradient the same way."""
    from ..framework.op_def_library import apply_op
    if isinstance(message, bytes):
        message = message.decode("utf-8")
    return apply_op("CheckNumerics", [tensor], {"message": message},
                    name=name or "CheckNumerics")[0]
registry.register_op("CheckNumericsV2", inputs=(("tensor", "T"),), outputs=(("output", "T"),),
                     shape=lambda op: [op.inputs[0].shape], stateful=True,
                     attr_defaults={"message": ""},
                     allowed={"T": ("bfloat16", "float16", "float32", "float64")},
                     doc="CheckNumerics telling -Inf from +Inf (tf.debugging."
                         "enable_check_numerics).")


@registry.api("CheckNumericsV2")
def check_numerics_v2(tensor, message, name=None):
    """CheckNumericsV2: as check_numerics, its message naming -Inf and +Inf apart."""
    from ..framework.op_def_library import apply_op
    if isinstance(message, bytes):
        message = message.decode("utf-8")
    return apply_op("CheckNumericsV2", [tensor], {"message": message},
                    name=name or "CheckNumericsV2")[0]
