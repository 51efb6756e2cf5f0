"""numba kernels for the CPU. Importing this package registers all of them."""
from . import array, math, state  # noqa: F401
