"""Every GPU kernel against its CPU kernel, in numba's CUDA simulator, and a simulated GPU as
TF 2 uses one.

The simulator has to be chosen before numba is first imported, and this suite runs in one
process that has already imported numba for the CPU kernels; so these tests start Python
processes with NUMBA_ENABLE_CUDASIM=1:

- tests/test_cuda_sim.py (the registry walk, placement with copies only at the edges, the
  memory pool), tests/test_cuda_gpu_default.py (TF's placement rules with host memory,
  training steps wholly on '/GPU:0', eager ops on the GPU by default, tf.config) and
  tests/test_cuda_host_ops.py (iterators, queues, _Send/_Recv, py_function, the
  decompositions and SparseReorder on '/GPU:0') and tests/test_cuda_control_flow.py (conds,
  while loops and their gradients, TensorArrays on '/GPU:0', with every copy recorded);
- the eager tests (tests/test_eager.py) again, with the simulated GPU as the default device
  (tests/test_function.py and tests/test_tape.py pass there too, in 20 s each: run them by
  hand with NUMBA_ENABLE_CUDASIM=1 when changing the eager GPU path);
- lesson 21 (GPUs and device placement), its cells run with the simulated GPU present.
"""
import importlib.util
import json
import os
import re
import sys

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _sim_env():
    assert importlib.util.find_spec("numba_cuda") is not None, (
        "numba's CUDA simulator comes with numba-cuda: install the `test` extra "
        "(pip install -e '.[test]'), which includes the `cuda` extra")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("CUDA_VISIBLE_DEVICES", None)
    env.pop("TFTEACH_CUDA_REAL", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    return env


def test_every_gpu_kernel_matches_its_cpu_kernel_in_the_simulator(run_with_progress):
    code, out = run_with_progress(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-W", "ignore",
         "tests/test_cuda_sim.py", "tests/test_cuda_gpu_default.py",
         "tests/test_cuda_host_ops.py", "tests/test_cuda_control_flow.py"],
        "CUDA simulator walk",
        cwd=ROOT, env=_sim_env(), timeout=600)
    tail = out[-8000:]
    assert code == 0, tail
    passed = re.search(r"(\d+) passed", out)
    # One test per op with a GPU kernel (about 140), plus the placement and pool tests.
    assert passed and int(passed.group(1)) >= 100, tail
    assert "test_cuda_gpu_default.py::test_issue_program" in out, tail
    assert "test_cuda_host_ops.py::test_fifo_queue_enqueue_dequeue_on_the_gpu PASSED" in out, \
        tail
    assert "test_cuda_control_flow.py::test_while_loop_sums_on_the_gpu_and_only_its_predicate_" \
           "crosses PASSED" in out, tail
    assert not re.search(r"test_cuda_(gpu_default|host_ops|control_flow)\.py::\S+ SKIPPED",
                         out), tail


def test_eager_tests_pass_with_the_simulated_gpu_as_the_default_device(run_with_progress):
    code, out = run_with_progress(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-W", "ignore",
         "tests/test_eager.py"], "eager tests on a simulated GPU",
        cwd=ROOT, env=_sim_env(), timeout=600)
    tail = out[-8000:]
    assert code == 0, tail
    passed = re.search(r"(\d+) passed", out)
    assert passed and int(passed.group(1)) >= 13, tail


_LESSON = """
import json, nbformat
from nbclient import NotebookClient
nb = nbformat.read("lessons/21_gpu_devices.ipynb", as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3").execute()
out = {}
for c in nb.cells:
    if c.cell_type == "code":
        out[c.get("id")] = "".join(o.get("text", "") for o in c.get("outputs", [])
                                   if o.get("output_type") == "stream")
print(json.dumps(out))
"""


def test_gpu_lesson_runs_with_a_simulated_gpu(run_with_progress):
    """Lesson 21's cells on a machine with a GPU: the GPU is listed, eager results and
    variables are on it, and every other cell (placement log, memory options, exercises)
    still runs."""
    code, out = run_with_progress([sys.executable, "-c", _LESSON], "lesson 21 on a simulated "
                                  "GPU", cwd=ROOT, env=_sim_env(), timeout=600)
    assert code == 0, out[-6000:]
    cells = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    assert "GPUs: 1" in cells["import"], cells["import"]
    assert "variable on device:GPU:0 | result on device:GPU:0" in cells["eager-default"]
    assert "memory growth set on 1 GPU(s)" in cells["tf2-memory-growth"]
    assert cells["placement"].splitlines()[1].endswith("device:GPU:0"), cells["placement"]
    assert "Exercise 2: correct" in cells["solutions-code"] or "correct" in \
        cells["solutions-code"].lower(), cells["solutions-code"]
