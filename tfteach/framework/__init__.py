"""The framework layer, at the bottom: what a TensorFlow program is made of.

dtypes and shapes, `Graph` / `Operation` / `Tensor`, name scopes and the default graph,
the op registry (`registry.py`: every op type declared once, with its kernels and gradient)
and `apply_op` (`op_def_library.py`), `nest` (nested structures).

May import: itself and `tfteach.errors`, nothing else of tfteach, not even inside a
function. Where a graph object must call up (the eager context, a tensor made eagerly,
converting a Python value with `constant`), the upper layer installs a hook when it is
imported (`framework/ops.py`'s "Calls up" section, `op_def_library.EAGER_EXECUTE`,
`registry.EAGER_PY_CALL`). See docs/architecture.md; tests/test_layering.py enforces it.
"""
# Kept free of imports: importing any framework module runs this file first.
