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
    assert first == ["tfteach.kernels.cpu", "tfteach.kernels.cpu._build", "tfteach.kernels.cpu.math"]
    # a later plan that needs MatMul loads linalg, and still nothing else
    assert after == ["tfteach.kernels.cpu", "tfteach.kernels.cpu._build",
                     "tfteach.kernels.cpu.gemm", "tfteach.kernels.cpu.linalg",
                     "tfteach.kernels.cpu.math", "tfteach.kernels.cpu.threads"]


_OWNERS = """import importlib, json
import tfteach.v1
from tfteach.framework import registry
from tfteach.kernels import cpu
owner = {}
for mod in cpu.MODULES:                 # the order load_all uses
    before = {t: o.kernels.get("CPU") for t, o in registry.all_ops().items()}
    importlib.import_module("tfteach.kernels.cpu." + mod)
    for t, o in registry.all_ops().items():
        if o.kernels.get("CPU") is not before.get(t):
            owner[t] = mod
print(json.dumps([owner, cpu.KERNEL_MODULES]))
"""

def test_kernel_index_names_the_module_that_defines_each_kernel():
    owner, index = _run(_OWNERS)
    wrong = {t: (m, owner.get(t)) for t, m in index.items() if owner.get(t) != m}
    assert not wrong, f"KERNEL_MODULES entries not matching the defining module: {wrong}"
    # an op type missing from the index still runs (its lookup imports every module), but
    # then a first run pays for all kernels: every kernel must be indexed
    missing = sorted(t for t, m in owner.items() if t not in index)
    assert not missing, f"add these op types to tfteach/kernels/cpu/__init__.py: {missing}"


def test_unindexed_op_type_falls_back_to_every_module():
    code = """import json, sys
import tfteach.v1
from tfteach.kernels import cpu
cpu.load_for("NoSuchIndexedOp")
print(json.dumps(sorted(k[len("tfteach.kernels.cpu."):] for k in sys.modules
                        if k.startswith("tfteach.kernels.cpu.")
                        and k[len("tfteach.kernels.cpu."):] not in cpu.HELPERS)))
"""
    from tfteach.kernels import cpu
    assert _run(code) == sorted(cpu.MODULES)
