"""tfteach: TensorFlow's programming model, small enough to read.

`import tfteach as tf` is TF 2.x (eager); `import tfteach.v1 as tf` is TF 1.x (graphs and
Sessions). Both run the same op registry, kernels and gradients.
"""
__version__ = "0.1.0"

from . import compat  # noqa: F401
from . import errors  # noqa: F401


def load_ipython_extension(ip):
    """`%load_ext tfteach`: the Jupyter extension lives in tfteach.magics, imported only now."""
    from .magics import load_ipython_extension as _load
    _load(ip)


def unload_ipython_extension(ip):
    from .magics import unload_ipython_extension as _unload
    _unload(ip)
