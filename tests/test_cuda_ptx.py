"""Every GPU kernel launch of the parity walk compiles to PTX for a real GPU (sm_90).

The simulator checks no types, so tests/cuda_ptx_check.py replays the walk in real-CUDA
mode without a device and compiles each launch with its exact argument types. It needs NVVM
and NVRTC (pip: nvidia-nvvm nvidia-cuda-nvrtc), so it runs only when asked:

    TFTEACH_PTX_CHECK=1 LD_LIBRARY_PATH=<.../nvidia/cu13/lib> python -m pytest tests/test_cuda_ptx.py
"""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_kernel_compiles_to_ptx():
    env = dict(os.environ)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    r = subprocess.run([sys.executable, "-W", "ignore", "tests/cuda_ptx_check.py"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=3000)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    assert " 0 failed" in r.stdout, r.stdout[-6000:]
