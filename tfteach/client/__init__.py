"""The client layer: `Session` (`session.py`) and TF's config messages (`config.py`).

A Session turns `run(fetches, feed_dict)` into a cached plan of the runtime and holds the
state (variable values) of its runs.

May import: `runtime/`, `ops/`, `kernels/`, `framework/` and `errors`; never eager, the
libraries or the faces (docs/architecture.md, tests/test_layering.py). Lower layers reach
the default session through `framework/ops.py`, where `Session.as_default` pushes it.
"""
# Kept free of imports: importing any client module runs this file first.
