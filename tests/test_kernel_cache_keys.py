"""Kernels made by closures (the direct convolution's and Winograd's, specialised per tile
shape) load from numba's on-disk cache in the next process. numba keys a closure's entries
by a pickle of its cells, and a cell holding another numba function pickles with a
per-process id: such kernels were compiled afresh in every process (3 s each time for the
first Winograd convolution) until `_build.cache_by` keyed them by their parameters."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import numpy as np
from tfteach.kernels.cpu import gemm
gemm.available = lambda: True           # the paths run wherever float32 does
from tfteach.kernels.cpu import direct_conv, nn, winograd
rs = np.random.RandomState(0)
for xs, fs in (((2, 14, 14, 32), (5, 5, 32, 64)), ((2, 12, 12, 1), (5, 5, 1, 32))):
    x = rs.rand(*xs).astype(np.float32)
    f = rs.rand(*fs).astype(np.float32)
    kw = dict(strides=[1, 1, 1, 1], padding="SAME")
    y = nn.conv2d(x, f, **kw)
    nn.conv2d_backprop_filter(x, np.array(fs), rs.rand(*y.shape).astype(np.float32), **kw)
kernels = [k for d in (direct_conv._FORWARD, direct_conv._FILTER, gemm._ROW_TILES,
                       winograd._PARTS, winograd._GRAD_PARTS) for k in d.values()]
used = [k for k in kernels if k.signatures]
print(len(used), sum(k.stats.cache_hits.total() if hasattr(k.stats.cache_hits, "total")
                     else sum(k.stats.cache_hits.values()) for k in used),
      sum(sum(k.stats.cache_misses.values()) for k in used))
"""


def _run(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), TFTEACH_WINOGRAD="1",
               TFTEACH_DIRECT_CONV="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return [int(v) for v in out.stdout.split()[-3:]]


def test_closure_kernels_load_from_the_disk_cache_in_the_next_process(tmp_path):
    used, hits, misses = _run(tmp_path)
    assert used >= 5 and misses >= used        # compiled and saved by the first process
    # the next loads every kernel it calls (the tiles inside them come with their callers)
    used2, hits2, misses2 = _run(tmp_path)
    assert used2 >= 4 and misses2 == 0 and hits2 >= used2
