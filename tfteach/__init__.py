"""tfteach: TensorFlow's programming model, small enough to read.

`import tfteach as tf` is TF 2.x (eager); `import tfteach.v1 as tf` is TF 1.x (graphs and
Sessions). Both run the same op registry, kernels and gradients.
"""
__version__ = "0.1.0"

from . import compat  # noqa: F401
from . import errors  # noqa: F401
