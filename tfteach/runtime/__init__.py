"""The runtime layer: running a graph's ops.

`executor.py` prunes, orders and compiles a plan to straight-line Python (`Plan._compile`'s
passes) and runs it; `placement.py` picks each op's device and the copies between devices;
`devices.py` says which devices exist; `fusion.py` and `epilogue.py` fuse element-wise
chains; `shape_memo.py` memoises shape-derived ops; `step_stats.py` records traced runs.

May import: `ops/`, `kernels/` (their toolkit and their kernels, found through the
registry), `framework/` and `errors`; never the client, eager, the libraries or the faces
(docs/architecture.md, tests/test_layering.py).
"""
# Kept free of imports: importing any runtime module runs this file first.
