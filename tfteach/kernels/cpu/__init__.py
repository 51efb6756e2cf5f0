"""numba kernels for the CPU. Importing this package registers all of them."""
from . import array, math, state  # noqa: F401
from . import linalg, random, reduce  # noqa: F401
from . import gradient_ops, summary, training  # noqa: F401
from . import nn  # noqa: F401
from . import control_flow  # noqa: F401
