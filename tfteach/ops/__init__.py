"""The ops layer: TensorFlow's Python op API and the op declarations.

One family per name: `<family>_ops.py` holds the Python functions (`tf.matmul`, ...) and
the declarations (`register_op(..., doc=...)` with shape rules) of the family's op types,
`<family>_grad.py` their gradients (`@RegisterGradient`); `<family>_impl.py` holds
functions composed from other ops. The kernels are in `tfteach/kernels/`.

May import: `framework/`, `errors`, and `kernels/` (inside functions, for shape arithmetic
the kernels share). Never the runtime, the client session, eager, the libraries or the faces:
where an op function needs the eager layer (an EagerTensor, the eager run context) it calls
the hook that layer installs in `framework/ops.py` (docs/architecture.md,
tests/test_layering.py).
"""
# Kept free of imports: importing any ops module runs this file first, and `import tfteach`
# must stay light (tests/test_startup.py).

import threading

_loaded = []
# Held until every module is in (reentrant: an ops module may come back here), so a second
# thread never sees `_loaded` set before the declarations exist (tf.function's first calls
# from several threads).
_load_lock = threading.RLock()


def load_all_ops():
    """Imports every module of tfteach/ops once: every op is declared and every gradient
    registered (tools and walks over the whole registry; the registry itself loads a
    family's kernels and gradients on first use)."""
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        import importlib
        import pkgutil
        for info in pkgutil.iter_modules(__path__):
            try:
                importlib.import_module(f"{__name__}.{info.name}")
            except ModuleNotFoundError as e:
                if e.name != f"{__name__}.{info.name}":
                    raise
        _loaded.append(True)
