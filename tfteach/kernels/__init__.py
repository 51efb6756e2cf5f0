"""Kernels: the code that computes each op, one folder per device, one module per op family.

`cpu/` holds numba kernels for the CPU, `cuda/` numba.cuda kernels for NVIDIA GPUs; in each,
`<family>.py` registers the kernels of the ops declared in `tfteach/ops/<family>_ops.py`
(`registry.register_kernel(op_type, device)`), and the modules marked `__toolkit__ = True`
are the machinery they share. The registry imports a family's module the first time one of
its kernels is needed on that device.
"""
