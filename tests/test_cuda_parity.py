"""Every GPU kernel against its CPU kernel, in numba's CUDA simulator.

The simulator has to be chosen before numba is first imported, and this suite runs in one
process that has already imported numba for the CPU kernels; so this test starts a second
Python process with NUMBA_ENABLE_CUDASIM=1 that runs tests/test_cuda_sim.py (the registry
walk, placement with copies only at the edges, the memory pool), and reports its result.
"""
import importlib.util
import os
import re
import sys

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_gpu_kernel_matches_its_cpu_kernel_in_the_simulator(run_with_progress):
    assert importlib.util.find_spec("numba_cuda") is not None, (
        "numba's CUDA simulator comes with numba-cuda: install the `test` extra "
        "(pip install -e '.[test]'), which includes the `cuda` extra")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("CUDA_VISIBLE_DEVICES", None)
    env.pop("TFTEACH_CUDA_REAL", None)
    code, out = run_with_progress(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-W", "ignore",
         "tests/test_cuda_sim.py"], "CUDA simulator walk", cwd=ROOT, env=env, timeout=600)
    tail = out[-8000:]
    assert code == 0, tail
    passed = re.search(r"(\d+) passed", out)
    # One test per op with a GPU kernel (about 140), plus the placement and pool tests.
    assert passed and int(passed.group(1)) >= 100, tail
