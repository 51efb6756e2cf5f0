"""Start-up cost a student waits for: what `import tfteach` and a first run load.

Structural checks, each in a fresh subprocess (the test process has long since imported
everything): importing the package imports no numba, and a first `Session.run` imports only
the kernel modules its plan needs. Timings are bench/startup.py's job.
"""
import json
import os
import subprocess
import sys
import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(code):
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _loaded(prefix):
    return (f"print(json.dumps(sorted(m for m in sys.modules "
            f"if m == {prefix!r} or m.startswith({prefix + '.'!r}))))")


def test_import_tfteach_does_not_import_numba():
    assert _run("import json, sys, tfteach\n" + _loaded("numba")) == []


def test_import_v1_does_not_import_numba_or_kernels():
    assert _run("import json, sys, tfteach.v1\n" + _loaded("numba")) == []
    assert _run("import json, sys, tfteach.v1\n" + _loaded("tfteach.kernels")) == []


_FIRST_RUN = """import json, sys
import tfteach.v1 as tf
a = tf.constant(3.14); b = tf.constant(1.414); s = a + b
x = tf.placeholder(tf.float32, [2, 2]); m = tf.matmul(x, x)
v = tf.Session().run(s)
assert abs(v - 4.554) < 1e-5, v
first = sorted(k for k in sys.modules if k.startswith("tfteach.kernels."))
tf.Session().run(m, {x: [[1., 2.], [3., 4.]]})
print(json.dumps([first, sorted(k for k in sys.modules if k.startswith("tfteach.kernels."))]))
"""


def test_first_run_loads_only_the_kernels_it_needs():
    _run(_FIRST_RUN)                    # warm numba's on-disk cache
    first, after = _run(_FIRST_RUN)
    # the math family's module (and the toolkit it builds on), nothing else
    # (`threads`, the one thread policy, is toolkit: reductions run on its blocks; so is
    # `vecmath`, the float32 exp/log/tanh/sigmoid rules of the math family)
    assert first == ["tfteach.kernels.cpu", "tfteach.kernels.cpu._build", "tfteach.kernels.cpu.math",
                     "tfteach.kernels.cpu.reduction", "tfteach.kernels.cpu.threads",
                     "tfteach.kernels.cpu.vecmath"]
    # a later plan that needs MatMul loads the linalg family, and still nothing else
    assert after == ["tfteach.kernels.cpu", "tfteach.kernels.cpu._build",
                     "tfteach.kernels.cpu.gemm", "tfteach.kernels.cpu.linalg",
                     "tfteach.kernels.cpu.math", "tfteach.kernels.cpu.reduction",
                     "tfteach.kernels.cpu.threads", "tfteach.kernels.cpu.vecmath"]
