"""Kernels: the code that computes each op, one folder per device.

`cpu/` holds numba kernels for the CPU, `cuda/` numba.cuda kernels for NVIDIA GPUs. Each
module registers its kernels with `registry.register_kernel(op_type, device)`; the registry
imports a device's folder the first time a kernel for that device is needed.
"""
