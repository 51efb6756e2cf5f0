"""The lessons' stored outputs hold on another machine: rerun every lesson under nbval on a
different kernel path than the one that stored them.

A stored output must not depend on the last bit of a float32 result (lesson 09 once printed
`MSE = 2989.6` here and `2989.7` elsewhere: 2989.64990234375 on a rounding tie). Machines
differ in SIMD width, BLAS kernels, thread counts and fusion; this test changes all of them at
once in a child pytest, so a fragile print is caught here, before it ships:

- numba compiles for a generic CPU (`NUMBA_CPU_NAME=generic`: other vector width, no FMA,
  and BLAS instead of tfteach's own AVX-512 GEMM), on one thread;
- OpenBLAS on one thread and on another CPU's kernels (`OPENBLAS_CORETYPE`), NumPy without
  its AVX-512 loops (`NPY_DISABLE_CPU_FEATURES`);
- no fused kernels (`TFTEACH_FUSION=0`), every product on BLAS (`TFTEACH_GEMM=blas`),
  convolutions summed directly instead of by Winograd's algorithm (`TFTEACH_WINOGRAD=0`),
  layers on a few channels through im2col instead of the direct kernel
  (`TFTEACH_DIRECT_CONV=0`).

When it fails, print fewer digits in that lesson (`tools/lesson_print_margins.py` shows how far
each printed value is from a rounding tie) and rebuild it with `lessons/_build.py --execute`.
"""
import os
import re
import sys
from pathlib import Path
import pytest

pytestmark = pytest.mark.mode("none")   # notebooks run in their own kernels

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"


def _cpu_flags():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    m = re.search(r"^flags\s*:(.*)$", text, re.M)
    return set(m.group(1).split()) if m else set()


def other_path_env(environ=os.environ):
    env = dict(environ)
    env.update(NUMBA_CPU_NAME="generic", NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", TFTEACH_FUSION="0",
               TFTEACH_GEMM="blas", TFTEACH_WINOGRAD="0",
               TFTEACH_DIRECT_CONV="0")
    flags = _cpu_flags()
    if "avx512f" in flags:
        # another x86 generation's kernels: what a laptop or an older server runs
        env["OPENBLAS_CORETYPE"] = "Haswell"
        # NumPy >= 2.4 names its AVX-512 loops X86_V4/AVX512_*, older ones AVX512F/AVX512_*;
        # a name a version does not dispatch on is ignored (an ImportWarning, hidden by default)
        env["NPY_DISABLE_CPU_FEATURES"] = ("X86_V4 AVX512F AVX512CD AVX512_SKX AVX512_CLX "
                                           "AVX512_CNL AVX512_ICL AVX512_SPR")
    elif "avx2" in flags:
        env["OPENBLAS_CORETYPE"] = "Sandybridge"
    # numba keeps kernels compiled for `generic` beside the host ones (its cache index is
    # keyed by CPU); a separate folder keeps the two from evicting each other's entries
    env.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba-cache-generic"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), environ.get("PYTHONPATH")) if p)
    return env


def test_lessons_hold_on_another_kernel_path(run_with_progress):
    notebooks = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 20
    cmd = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--nbval",
           "--nbval-current-env", "--nbval-sanitize-with", str(LESSONS / "nbval_sanitize.cfg"),
           ] + [str(p) for p in notebooks]
    code, out = run_with_progress(cmd, "lessons on another kernel path", env=other_path_env(),
                                  cwd=str(ROOT), timeout=900)
    failed = re.findall(r"^FAILED (\S+)", out, re.M)
    assert code == 0, ("stored outputs that change on another kernel path (print fewer "
                       "digits there, see this file's docstring): %s\n%s"
                       % (", ".join(failed) or "?", out[-6000:]))
    passed = re.search(r"(\d+) passed", out)
    assert passed and int(passed.group(1)) >= 300, out[-3000:]


def test_margin_tool_measures_the_distance_to_a_rounding_tie():
    """tools/lesson_print_margins.py (how lessons are checked for fragile prints) on code of
    its own: lesson 09's old `round(mse, 1)` of 2989.64990234375 sat 0.4 float32 ulps from the
    2989.65 tie; a whole number sits 0.15 (614 ulps) from 2989.5."""
    import ast
    import importlib.util
    import numpy as np
    spec = importlib.util.spec_from_file_location(
        "lesson_print_margins", ROOT / "tools" / "lesson_print_margins.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    code = ("mse = np.float32(2989.64990234375)\n"
            "a = round(float(mse), 1)\n"
            "b = round(float(mse))\n"
            "c = '%.1f' % mse\n"
            "d = '{:.4g} {}'.format(mse, 3)\n"
            "e = f'{mse:.2f}'\n"
            "f = np.array([0.5, 1.5], np.float32).round(1)\n"
            "g = np.array([0.25], np.float32).round(1)\n")
    tree = tool.Instrument().visit(ast.parse(code))
    rec = tool.Recorder()
    rec.where = "cell"
    ns = {"np": np, "__margins__": rec}
    exec(compile(ast.fix_missing_locations(tree), "<lesson>", "exec"), ns)
    assert (ns["a"], ns["b"], ns["c"], ns["d"], ns["e"]) == (2989.6, 2990, "2989.6",
                                                             "2990 3", "2989.65")
    ulp = float(np.spacing(np.float32(2989.65)))
    margins = {line: m for (_, line), (m, _x, _d) in rec.margins.items()}
    assert margins[2] == margins[4] < 1.0                 # round(x, 1) and %.1f: on the tie
    assert abs(margins[3] - 0.14990234375 / ulp) < 1e-6   # a whole number: 614 ulps away
    assert abs(margins[5] - 0.14990234375 / ulp) < 1e-6   # .4g of 2989.65 is a whole number too
    assert abs(margins[6] - 0.00490234375 / ulp) < 1e-6   # two decimals: 20 ulps from .645
    assert margins[7] == float("inf")                     # 0.5 and 1.5 print exactly
    assert margins[8] == 0.0        # 0.25 to one decimal is a tie: one bit more prints 0.3
