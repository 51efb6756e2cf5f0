"""numba.cuda kernels for NVIDIA GPUs, one module per op family (mirroring `../cpu/`).

The registry imports a family's module the first time placement asks for a GPU kernel of
one of its ops, which happens only when a GPU (or numba's CUDA simulator) is present, or
when `registry.get(T).where()` looks for the GPU kernel (importing needs numba.cuda, not a
GPU). Element-wise GPU kernels are generated from the family's CPU kernels
(`elementwise.register_elementwise`), and every GPU kernel is checked against its CPU twin
by tests/test_cuda_parity.py.

Toolkit modules (`__toolkit__ = True`, no kernels of their own): `_dev` (device helpers and
the `register` decorator), `elementwise` (the element-wise generator), `gemm` (tiled GEMM),
`reduction` (the reduction machinery).
"""
TOOLKIT = ("_dev", "elementwise", "gemm", "reduction")
