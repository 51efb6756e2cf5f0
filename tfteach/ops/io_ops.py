"""The io family: the ops that write and read checkpoints (TF's `io_ops`).

`tf.train.Saver` (tfteach/train/saver.py) builds them; their CPU kernels and the checkpoint
file format live in tfteach/kernels/cpu/io.py.
"""
from ..framework import dtypes as _dt
from ..framework import registry
from ..framework.tensor_shape import unknown_shape

# The save and restore ops a graph-mode Saver adds (`save/SaveV2`, `save/RestoreV2`): the
# session runs them, so saving reads every variable in one consistent run and a failed
# restore changes nothing (the run rolls back its Assigns).
registry.register_op("SaveV2", inputs=(("prefix", _dt.string), ("tensor_names", _dt.string),
                                       ("shape_and_slices", _dt.string), ("*tensors", "T")),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Writes named tensors to a checkpoint (index + data files).")
registry.register_op("RestoreV2", inputs=(("prefix", _dt.string),
                                          ("tensor_names", _dt.string),
                                          ("shape_and_slices", _dt.string)),
                     outputs=lambda attrs: [("tensors", d) for d in attrs["dtypes"]],
                     shape=lambda op: [unknown_shape()] * len(op.get_attr("dtypes")),
                     stateful=True, doc="Reads named tensors back from a checkpoint.")
registry.NotDifferentiable("SaveV2")
registry.NotDifferentiable("RestoreV2")
