"""Compiles every CUDA kernel launch of the parity walk to PTX, with the exact argument
types it gets, without a GPU.

numba's CUDA simulator runs kernels as Python and checks no types, so a kernel can pass the
parity tests and still fail to compile for a real device. This script runs the same walk
(tests/test_cuda_sim.py's cases, on '/GPU:0') in real-CUDA mode with no device: device
arrays are descriptors without memory, copies do nothing, and each kernel launch is turned
into `cuda.compile_ptx(kernel, argument types, cc=(9, 0))` instead. It needs NVVM and NVRTC
(pip: nvidia-nvvm, nvidia-cuda-nvrtc; LD_LIBRARY_PATH to their lib folder), and optionally
ptxas (nvidia-cuda-nvcc) to report registers and spills of the SGEMM kernels:

    LD_LIBRARY_PATH=.../nvidia/cu13/lib python3 tests/cuda_ptx_check.py [--ptxas PATH]

Exit status 1 if any kernel fails to compile.
"""
import argparse
import ctypes
import os
import subprocess
import sys
import traceback

os.environ.pop("NUMBA_ENABLE_CUDASIM", None)
os.environ["TFTEACH_CUDA_REAL"] = "1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import numpy as np  # noqa: E402
from numba import cuda  # noqa: E402
from numba.cuda import dispatcher as _dispatcher  # noqa: E402
from numba.cuda.cudadrv import devicearray  # noqa: E402

from tfteach.kernels import gpu_memory  # noqa: E402
from tfteach.runtime import devices  # noqa: E402

COMPILED = {}     # (kernel name, code, argument types) -> None | error text
_LAUNCHES = [0]
PTX = {}


class _NoMemory:
    """Stands in for device memory: kernels are compiled, never run."""

    def __init__(self, size):
        self.size = size
        self.device_ctypes_pointer = ctypes.c_void_p(0)
        self.owner = self

    def view(self, start, stop=None):
        return self


def _fake_empty(shape, dtype):
    shape = tuple(int(d) for d in shape)
    dtype = np.dtype(dtype)
    strides = []
    acc = dtype.itemsize
    for d in reversed(shape):
        strides.append(acc)
        acc *= max(d, 1)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return devicearray.DeviceNDArray(shape, tuple(reversed(strides)), dtype,
                                     gpu_data=_NoMemory(nbytes))


class _FakeDevice:
    compute_capability = (9, 0)


def _patch():
    # Device functions ask the current device for its compute capability.
    _dispatcher.get_current_device = lambda: _FakeDevice()
    devices._gpu_count = 1
    devices.is_simulated = lambda: False
    gpu_memory.empty = _fake_empty
    pool = gpu_memory.Pool(1 << 40, True, gpu_memory._VirtualBackend())
    gpu_memory.pool = lambda: pool
    devicearray.DeviceNDArray.copy_to_device = lambda self, ary, stream=0: None
    devicearray.DeviceNDArray.copy_to_host = \
        lambda self, ary=None, stream=0: np.zeros(self.shape, self.dtype)
    devicearray.DeviceNDArray.is_c_contiguous = lambda self: True

    def call(self, args, launch_config):
        _LAUNCHES[0] += 1
        types = tuple(self.typeof_pyval(a) for a in args)
        key = (self.py_func.__qualname__, id(self), types)
        if key in COMPILED:
            return
        bounds = self.targetoptions.get("launch_bounds")
        try:
            ptx, _ = cuda.compile_ptx(self.py_func, types, cc=(9, 0), launch_bounds=bounds)
            COMPILED[key] = None
            PTX[key] = ptx
        except Exception as e:  # noqa: BLE001 - reported below
            COMPILED[key] = f"{type(e).__name__}: {str(e)[:800]}"
    _dispatcher.CUDADispatcher.call = call


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ptxas", default=None)
    args = ap.parse_args()
    _patch()
    import tfteach.v1  # noqa: F401  (declares the ops)
    from tfteach.kernels.cuda import _dev
    _dev.empty = _fake_empty
    import test_cuda_sim as T
    from tfteach.framework import registry
    from tfteach.kernels.cuda.elementwise import GpuElementwise, GpuIntOrFloat
    from tfteach.kernels.cuda import gemm as matmul, reduction as red

    driver_errors = []
    silent = []
    for op_type in T.GPU_OPS:
        k = registry.get(op_type).kernels["GPU"]
        before = len(COMPILED) + _LAUNCHES[0]
        try:
            if op_type in T.STATEFUL:
                T._run_stateful(op_type, "/GPU:0")
                continue
            if isinstance(k, (GpuElementwise, GpuIntOrFloat)):
                cases = T._elementwise_cases(k)
            else:
                make = T.CASES.get(op_type)
                cases = [make()] if make else []
            for case in cases:
                T._run(op_type, case, "/GPU:0")
        except Exception:  # noqa: BLE001 - host-side failure of the dry run, not a compile
            driver_errors.append((op_type, traceback.format_exc(limit=-2)))
        if len(COMPILED) + _LAUNCHES[0] == before:
            silent.append(op_type)
    # Paths the walk does not reach at its sizes.
    for tiles in ((64, 64, 16), (128, 128, 16)):
        matmul.matmul_fast(_fake_empty((256, 256), np.float32),
                           _fake_empty((256, 256), np.float32), tiles=tiles)
    red.reduce(_fake_empty((3, 70000), np.float32), [1], red.SUM, False, "Sum")

    bad = {k: v for k, v in COMPILED.items() if v}
    print(f"kernel launches compiled to PTX (sm_90): {len(COMPILED) - len(bad)} ok, "
          f"{len(bad)} failed")
    print(f"{_LAUNCHES[0]} launches; ops that launched no kernel (views, host outputs, "
          f"variables): {silent}")
    for (name, _, types), err in bad.items():
        print(f"FAILED {name}{types}\n    {err}")
    for op_type, tb in driver_errors:
        print(f"host-side error in dry run of {op_type}:\n{tb}")
    if args.ptxas:
        for (name, _, types), ptx in PTX.items():
            if ".maxntid" not in ptx:       # the SGEMM kernels (compiled with launch bounds)
                continue
            path = "/tmp/tfteach_check.ptx"
            with open(path, "w") as f:
                f.write(ptx)
            r = subprocess.run([args.ptxas, "-arch=sm_90", "-v", path, "-o", "/dev/null"],
                               capture_output=True, text=True)
            info = [ln.strip() for ln in r.stderr.splitlines() if "registers" in ln or
                    "spill" in ln]
            print(f"ptxas {name}: {' | '.join(info)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
