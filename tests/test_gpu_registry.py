"""The placement walk: every op type with a CPU kernel can be placed on a GPU wherever
TensorFlow 2.21 can place it, with the same arguments kept in host memory.

TF's truth is its own kernel registrations (`kernels.get_registered_kernels_for_op`, from the
full `tensorflow` wheel, which has the GPU kernels that tensorflow-cpu lacks), recorded by
tools/record_tf_gpu_kernels.py into tests/data/tf_gpu_kernels.json. For each op:

- tfteach has a GPU kernel (on the device, or a host-memory kernel)  -> TF has one too, and
  tfteach keeps in host memory every argument TF always keeps there, and none that TF never
  keeps there;
- or TF has no GPU kernel (CPU_ONLY below is read from the recording, not written by hand);
- or the op is in GPU_GAPS: TF places it on a GPU and tfteach cannot yet (soft placement
  puts it on the CPU). The list must shrink, never hide: an op that gains a kernel must
  leave it, and nothing else may be missing.

The kernels are looked up in a subprocess: it imports every family's CUDA module
(numba.cuda, no GPU needed), which this test process should not do.
"""
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "tests", "data", "tf_gpu_kernels.json")) as _f:
    TF = json.load(_f)["ops"]
with open(os.path.join(ROOT, "tfteach", "framework", "tf_op_defs.json")) as _f:
    TF_OUTPUTS = {t: [o[0] for o in d["outputs"]] for t, d in json.load(_f).items()}

# TF 2.21 has GPU kernels for these; tfteach has none yet. Grouped by what they need.
GPU_GAPS = set()     # every gap is closed; an op TF places on a GPU must get a kernel

_WALK = """import json, sys
sys.path.insert(0, "tools")
import gen_ops_doc
registry = gen_ops_doc.load_registry()


def names(specs):
    return [n.lstrip("*") for n, _ in specs]


out = {}
for t, od in registry.all_ops().items():
    cpu, gpu = od.kernel_for("CPU"), od.kernel_for("GPU")
    entry = {"cpu": cpu is not None, "gpu": gpu is not None, "host": []}
    if gpu is not None:
        ins = names(od.inputs)
        outs = [] if callable(od.outputs) else names(od.outputs)
        hi, ho = getattr(gpu, "host_inputs", ()), getattr(gpu, "host_outputs", False)
        host = set(ins) if hi == "all" else set()
        if callable(hi):        # a list argument's positions: the kernel names it
            host, hi = set(gpu.host_memory), ()
        lists = [i for i, (n, _) in enumerate(od.inputs) if n.startswith("*")]
        for i in (() if hi == "all" else hi):
            if i < 0:
                i += len(ins)
            elif lists and i > lists[0]:
                raise SystemExit(f"{t}: host input {i} after a list input: name it")
            host.add(ins[i])
        if ho is True:
            host |= set(outs) if outs else {"*outputs"}
        else:
            host |= {outs[i] for i in ho or ()}
        entry["host"] = sorted(host)
        types = getattr(gpu, "types", None) or getattr(gpu, "dtypes", None)
        if types is None and hasattr(gpu, "i"):
            types = tuple(gpu.i.types) + tuple(gpu.f.types)
        entry["types"] = sorted(set(types)) if types is not None else None
    out[t] = entry
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def walk():
    env = dict(os.environ)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    r = subprocess.run([sys.executable, "-c", _WALK], cwd=ROOT, capture_output=True,
                       text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


NO_KERNEL = {"Const", "Placeholder"}      # the executor binds or feeds them: no kernel


def _host(t, e):
    """tfteach's host-memory argument names of t's GPU kernel, in TF's names."""
    ours = set(e["host"])
    if "*outputs" in ours:       # a variadic output list: TF names it
        ours = (ours - {"*outputs"}) | set(TF_OUTPUTS[t])
    return ours


def test_every_op_is_recorded(walk):
    missing = sorted(t for t in walk if t not in TF)
    assert not missing, (f"no TF record for {missing}: rerun tools/record_tf_gpu_kernels.py "
                         f"with the full tensorflow wheel")
    assert all(TF[t]["tf_op"] for t in walk), [t for t in walk if not TF[t]["tf_op"]]


def test_no_gpu_kernel_where_tf_has_none(walk):
    extra = sorted(t for t, e in walk.items() if e["gpu"] and not TF[t]["gpu"])
    assert not extra, f"tfteach places on a GPU what TF 2.21 cannot: {extra}"


def test_every_op_tf_places_on_a_gpu_has_a_gpu_kernel_or_is_a_listed_gap(walk):
    cpu_ops = {t for t, e in walk.items() if e["cpu"]}
    missing = sorted(t for t in cpu_ops - NO_KERNEL
                     if TF[t]["gpu"] and not walk[t]["gpu"] and t not in GPU_GAPS)
    assert not missing, f"ops TF places on a GPU without a tfteach GPU kernel: {missing}"
    closed = sorted(t for t in GPU_GAPS if walk.get(t, {}).get("gpu"))
    assert not closed, f"these have GPU kernels now: take them off GPU_GAPS: {closed}"
    unknown = sorted(t for t in GPU_GAPS if t not in walk or not TF[t]["gpu"])
    assert not unknown, f"GPU_GAPS lists ops TF has no GPU kernel for: {unknown}"


def test_host_memory_matches_tf(walk):
    """What tfteach keeps on the host is what TF keeps there: every argument TF's GPU
    kernels always keep in host memory, and nothing TF's never do (some of TF's are host
    memory only for int32: placement's int32_on_host, checked below, keeps those there)."""
    bad = {}
    for t, e in walk.items():
        if not e["gpu"]:
            continue
        ours = _host(t, e)
        always, some = set(TF[t]["host"]), set(TF[t]["host_some"])
        if not always <= ours or not ours <= some:
            bad[t] = {"tfteach": sorted(ours), "tf_always": sorted(always),
                      "tf_some": sorted(some)}
    assert not bad, bad


def test_counts(walk):
    """Every op with a CPU kernel is in exactly one class; `pytest -s` prints the figures."""
    cpu = {t for t, e in walk.items() if e["cpu"]}
    gpu = {t for t in cpu if walk[t]["gpu"]}
    cpu_only = {t for t in cpu if not TF[t]["gpu"]}
    gaps = GPU_GAPS & cpu
    assert not gpu & cpu_only and not gpu & gaps and not cpu_only & gaps
    assert cpu == gpu | cpu_only | gaps
    host = {t for t in gpu if _host(t, walk[t])}
    all_host = {t for t in host if TF_OUTPUTS.get(t) is not None and _host(t, walk[t]) >= set(
        TF_OUTPUTS[t])}
    assert {"InvertPermutation", "BroadcastGradientArgs", "ConcatOffset", "ShapeN", "Shape",
            "LinSpace"} <= all_host
    assert {"ReadVariableOp", "Transpose", "Sum", "Reshape", "Fill", "Range"} <= host
    print(f"\n{len(cpu)} ops with a CPU kernel: {len(gpu)} with a GPU kernel ({len(host)} "
          f"keep some arguments in host memory, {len(all_host)} keep their outputs there), "
          f"{len(cpu_only)} CPU-only in TF 2.21, {len(gaps)} gaps")


def test_placement_uses_tfs_gpu_dtypes():
    """tfteach/runtime/_tf_gpu_types.py (what the placer reads: an op whose dtype TF has no
    GPU kernel for stays on the CPU) is the recording's, regenerated with it."""
    from tfteach.runtime._tf_gpu_types import GPU_TYPES
    for t, (attr, types) in GPU_TYPES.items():
        assert TF[t]["gpu"] and set(TF[t]["types"][attr]) == set(types), t
    assert GPU_TYPES["Relu"][0] == "T" and "int32" not in GPU_TYPES["Relu"][1]
    assert "int32" in GPU_TYPES["AddV2"][1] and "float32" in GPU_TYPES["MatMul"][1]
    missing = [t for t, v in TF.items() if v.get("gpu") and any(
        a in v["types"] for a in ("T", "Tparams", "dtype", "SrcT")) and t not in GPU_TYPES]
    assert not missing, missing


def test_int32_host_memory_is_the_recordings():
    """HOST_INT32 (what placement.int32_on_host reads: TF's int32 GPU kernels of AddV2,
    Sum, Reshape, ... keep their arguments in host memory) is the recording's `host_int32`
    less what every GPU kernel of the op keeps there."""
    from tfteach.runtime._tf_gpu_types import HOST_INT32
    want = {t: set(v["host_int32"]) - set(v["host"]) for t, v in TF.items()
            if v.get("gpu") and set(v.get("host_int32", ())) - set(v["host"])}
    assert {t: set(n) for t, n in HOST_INT32.items()} == want
    assert HOST_INT32["AddV2"] == {"x", "y", "z"} and "Transpose" not in HOST_INT32
