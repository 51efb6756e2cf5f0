"""The op registry walk: every op's declaration, Python function, kernels and gradient sit in
the files of its family, `where()` finds each of them, and docs/ops.md is current.

Also: registering fails loudly (an unknown op, a second kernel or gradient, a kernel in
another family's file), and kernels and gradients load by family on first use.

The walk runs in a subprocess: it imports every family's CUDA module (numba.cuda, no GPU
needed) to see which ops have a GPU kernel, which this test process should not do.
"""
import json
import os
import subprocess
import sys

import pytest

from tfteach.framework import registry

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Ops no Python function builds: TF reaches them only from graph files (tf.raw_ops).
NO_PYTHON_FUNCTION = {
    "Div": "tf.div builds RealDiv or FloorDiv; Div comes from old graphs",
    "StackCloseV2": "the while-loop gradient's stacks are dropped with the run",
}
# Ops the executor computes itself (no kernel): a Const's value is its attr, a Placeholder's
# the fed value.
NO_KERNEL = {"Const", "Placeholder"}
# As in TF 2.21 (see tests/test_gradients_registry.py): no gradient and not marked.
NO_GRADIENT = {"Bitcast", "DenseBincount", "FusedBatchNormGradV3", "GuaranteeConst",
               "HistogramFixedWidth", "IgammaGradA", "IRFFT3D", "LRNGrad", "ListDiff", "Lu",
               "MaxPool3DGrad", "MaxPoolGrad", "MaxPoolGradWithArgmax", "ResizeArea", "RFFT3D",
               "ScatterMax", "ScatterMin", "ScatterUpdate", "SoftsignGrad", "SparseReduceMax"}
# Declared outside its family's `_ops.py` with family=... (below the module that needs it).
DECLARED_ELSEWHERE = {"Const": "tfteach/ops/constant_op.py"}

_WALK = """import json, sys
sys.path.insert(0, "tools")
import gen_ops_doc
registry = gen_ops_doc.load_registry()
out = {}
for t, od in registry.all_ops().items():
    out[t] = {"family": od.family, "doc": od.doc, "where": od.where(),
              "gpu": od.kernel_for("GPU") is not None}
unknown_api = sorted(t for t in registry.api_links() if t not in out)
current = gen_ops_doc.render(registry) == open(gen_ops_doc.OUT, encoding="utf-8").read()
print(json.dumps([out, unknown_api, current]))
"""


@pytest.fixture(scope="module")
def walk():
    r = subprocess.run([sys.executable, "-c", _WALK], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def _file(loc):
    return os.path.relpath(loc.rpartition(":")[0], ROOT).replace(os.sep, "/")


def test_every_op_is_where_its_family_says(walk):
    ops, _, _ = walk
    wrong = []
    for t, o in sorted(ops.items()):
        fam, w = o["family"], o["where"]
        expect = {
            "op": {DECLARED_ELSEWHERE.get(t, f"tfteach/ops/{fam}_ops.py")},
            "CPU": {f"tfteach/kernels/cpu/{fam}.py"},
            "GPU": {f"tfteach/kernels/cuda/{fam}.py",
                    f"tfteach/kernels/cpu/{fam}.py"},    # generated from the CPU function
            "gradient": {f"tfteach/ops/{fam}_grad.py", f"tfteach/ops/{fam}_ops.py"},
        }
        for key, files in expect.items():
            if key in w and _file(w[key]) not in files:
                wrong.append((t, key, _file(w[key])))
    assert not wrong, f"locations outside the op's family files: {wrong}"


def test_where_names_every_piece_of_every_op(walk):
    ops, unknown_api, _ = walk
    missing = []
    for t, o in sorted(ops.items()):
        w = o["where"]
        need = {"op"}
        need |= set() if t in NO_PYTHON_FUNCTION else {"api"}
        need |= set() if t in NO_KERNEL else {"CPU"}
        need |= set() if t in NO_GRADIENT else {"gradient"}
        need |= {"GPU"} if o["gpu"] else set()
        for key in sorted(need - set(w)):
            missing.append((t, key))
        for key, loc in w.items():
            path, _, line = loc.rpartition(":")
            if not (os.path.isfile(path) and line.isdigit()):
                missing.append((t, key, loc))
        if "GPU" in w and not o["gpu"]:
            missing.append((t, "GPU without a kernel"))
    assert not missing, f"where() lacks: {missing}"
    assert not unknown_api, f"registry.api links to undeclared ops: {unknown_api}"
    # the exceptions stay true: an op that gains a Python function or kernel leaves the list
    assert not [t for t in NO_PYTHON_FUNCTION if "api" in ops[t]["where"]]
    assert not [t for t in NO_KERNEL if "CPU" in ops[t]["where"]]


def test_every_op_has_a_one_line_doc(walk):
    ops, _, _ = walk
    bad = sorted(t for t, o in ops.items()
                 if not o["doc"] or "\n" in o["doc"] or len(o["doc"]) > 100)
    assert not bad, f"ops without a one-line doc= (at most 100 characters): {bad}"


def test_docs_ops_md_is_current(walk):
    assert walk[2], "docs/ops.md is stale: run python tools/gen_ops_doc.py"


# --- registering fails loudly --------------------------------------------------------------

def test_unknown_op_type_raises():
    with pytest.raises(KeyError, match="NoSuchOp"):
        registry.register_kernel("NoSuchOp", "CPU")(lambda x: x)
    with pytest.raises(KeyError, match="NoSuchOp"):
        registry.RegisterGradient("NoSuchOp")(lambda op, g: [g])
    with pytest.raises(KeyError, match="NoSuchOp"):
        registry.NotDifferentiable("NoSuchOp")


def test_second_registration_raises():
    import tfteach.v1  # noqa: F401  (declares MatMul)
    od = registry.get("MatMul")
    assert od.kernel_for("CPU") is not None and od.gradient is not None
    with pytest.raises(ValueError, match="already has a CPU kernel"):
        registry.register_kernel("MatMul", "CPU")(lambda a, b: a)
    with pytest.raises(ValueError, match="already has a gradient"):
        registry.RegisterGradient("MatMul")(lambda op, g: [g, g])
    with pytest.raises(ValueError, match="already has a gradient"):
        registry.NotDifferentiable("MatMul")
    with pytest.raises(ValueError, match="already registered"):
        registry.register_op("MatMul", doc="again", family="linalg")


def test_registration_from_another_familys_file_raises():
    import tfteach.v1  # noqa: F401
    registry.get("MatMul").kernel_for("CPU")
    code = 'registry.register_kernel("MatMul", "GPU")(lambda a, b: a)'
    with pytest.raises(ValueError, match="'linalg' family"):
        exec(code, {"__name__": "tfteach.kernels.cuda.math", "registry": registry})
    code = 'registry.RegisterGradient("MatMul")(lambda op, g: [g, g])'
    with pytest.raises(ValueError, match="'linalg' family"):
        exec(code, {"__name__": "tfteach.ops.math_grad", "registry": registry})
    # an op declared outside tfteach/ops/<family>_ops.py must name its family
    with pytest.raises(ValueError, match="family="):
        exec('registry.register_op("NewOp")', {"__name__": "tfteach.train.x",
                                               "registry": registry})
    assert "NewOp" not in registry.all_ops()


# --- loading by family ------------------------------------------------------------------------

def test_gradients_and_kernels_load_by_family():
    code = """import json, sys
import tfteach.v1
from tfteach.framework import registry
before = sorted(m for m in sys.modules if m.startswith(("tfteach.ops.nn_grad",
                                                         "tfteach.kernels.cpu.nn")))
od = registry.get("Relu")
assert od.gradient is not None and od.kernel_for("CPU") is not None
after = sorted(m for m in sys.modules if m.startswith(("tfteach.ops.nn_grad",
                                                        "tfteach.kernels.cpu.nn")))
print(json.dumps([before, after]))
"""
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    before, after = json.loads(r.stdout.strip().splitlines()[-1])
    assert before == [] and after == ["tfteach.kernels.cpu.nn", "tfteach.ops.nn_grad"]


def test_a_gradient_asked_for_while_its_family_loads_in_another_thread_is_found():
    """Two threads building gradients at once in a fresh process: the one that asks while
    the other is importing the family's `_grad` module must get the gradient, not None (it
    read "No gradient defined for MatMul" when the family was marked loaded before import)."""
    code = r'''
import importlib, threading, time
import tfteach.v1 as tf
from tfteach.framework import registry
real = importlib.import_module
started = threading.Event()
module = "tfteach.ops.%s_grad" % registry.get("MatMul").family
def slow(name, *a, **k):
    if name == module:
        started.set()
        time.sleep(0.5)         # the first importer is slow; the second asks meanwhile
    return real(name, *a, **k)
registry.importlib = type("m", (), {"import_module": staticmethod(slow)})
got = {}
def ask(key):
    got[key] = registry.get("MatMul").gradient
first = threading.Thread(target=ask, args=("first",))
first.start()
started.wait(5)
ask("second")
first.join()
print(got["first"] is not None, got["second"] is not None)
'''
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "True"]
