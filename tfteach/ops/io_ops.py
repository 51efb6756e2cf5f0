"""Whole-file reads and writes as string tensors: `tf.io.read_file`, `tf.io.write_file`.

Kernels in `kernels/cpu/io.py`. Both ops touch the file system, so both are stateful: never
folded into constants, and run again at every `Session.run`.
"""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape

registry.register_op("ReadFile", inputs=(("filename", _dt.string),),
                     outputs=(("contents", _dt.string),), shape=lambda op: [TensorShape([])],
                     stateful=True, doc="The bytes of a whole file, as a scalar string.")
registry.register_op("WriteFile", inputs=(("filename", _dt.string), ("contents", _dt.string)),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Writes a scalar string to a file, creating missing directories.")
registry.NotDifferentiable("ReadFile")
registry.NotDifferentiable("WriteFile")


def read_file(filename, name=None):
    filename = _ops.convert_to_tensor(filename, dtype=_dt.string, name="filename")
    return apply_op("ReadFile", [filename], name=name or "ReadFile")[0]


def write_file(filename, contents, name=None):
    """Eagerly writes at once and returns None; in a graph returns the WriteFile op."""
    with _ops.name_scope(name, "WriteFile", [filename, contents]) as scope:
        filename = _ops.convert_to_tensor(filename, dtype=_dt.string, name="filename")
        contents = _ops.convert_to_tensor(contents, dtype=_dt.string, name="contents")
        if not (_ops.is_symbolic(filename) or _ops.is_symbolic(contents)):
            apply_op("WriteFile", [filename, contents], name=scope)
            return None
        g = filename.graph if _ops.is_symbolic(filename) else contents.graph
        # an op without outputs: created directly so that the caller gets the Operation
        return g._create_op(registry.get("WriteFile"), [filename, contents], {}, [], [],
                            scope)
