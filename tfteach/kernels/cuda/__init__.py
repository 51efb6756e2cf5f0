"""numba.cuda kernels for NVIDIA GPUs. Importing this package registers all of them.

The registry imports it the first time placement asks for a GPU kernel, which happens only
when a GPU (or numba's CUDA simulator) is present. The CPU kernels are imported first: the
element-wise GPU kernels are generated from them, and every GPU kernel is checked against
its CPU twin by tests/test_cuda_parity.py.
"""
from .. import cpu as _cpu
_cpu.load_all()  # the CPU kernels load lazily; the GPU ones are built from all of them
from . import elementwise  # noqa: F401
from . import array, reduce, matmul, state  # noqa: F401
from . import nn, random, training  # noqa: F401
