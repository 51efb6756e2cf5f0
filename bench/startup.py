"""Start-up cost a student waits for, tfteach beside TensorFlow.

    python3 bench/startup.py [--repeat 5] [--tf /work/tfenv/bin/python] [--no-pyc]

Each figure comes from fresh processes (median of --repeat):
  import      wall time of `import tfteach` / `import tfteach.v1` (TF: `import tensorflow` /
              `import tensorflow.compat.v1`), and the process's peak RSS after it
              (resource.getrusage, so it counts the interpreter too);
  first run   the first `Session.run(a + b)` of a new process, numba's on-disk cache already
              warm (one untimed run first), and the process's peak RSS at the end;
              "import + first run" is the wait from `import` to the first value.
Python's bytecode is cached (under a temporary PYTHONPYCACHEPREFIX, so the tree stays clean)
as in an installed package; --no-pyc recompiles every module in every process instead
(what PYTHONDONTWRITEBYTECODE=1 does), which mostly measures the compiler.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_IMPORT = """import resource, sys, time, json
t = time.perf_counter()
import {mod}
dt = time.perf_counter() - t
print(json.dumps([dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "numba" in sys.modules]))
"""

_FIRST_RUN = """import resource, sys, time, json
t0 = time.perf_counter()
import {mod} as tf
{setup}
a = tf.constant(3.14); b = tf.constant(1.414); s = a + b
t = time.perf_counter()
v = tf.Session().run(s)
dt = time.perf_counter() - t
assert abs(v - 4.554) < 1e-5, v
print(json.dumps([dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  sorted(m for m in sys.modules if m.startswith("tfteach.kernels.")),
                  time.perf_counter() - t0]))
"""


def _child(python, code, env):
    out = subprocess.run([python, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(python, code, env, repeat):
    _child(python, code, env)                     # warm bytecode and numba caches
    runs = [_child(python, code, env) for _ in range(repeat)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            runs[-1][2], statistics.median(r[-1] for r in runs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--tf", default=os.environ.get("TF_PYTHON", "/work/tfenv/bin/python"),
                    help="a Python with TensorFlow installed (skipped if missing)")
    ap.add_argument("--no-pyc", action="store_true")
    args = ap.parse_args()

    env = dict(os.environ)
    if args.no_pyc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "tfteach_bench_pyc")
    have_tf = os.path.exists(args.tf)

    rows = []
    for label, ours, theirs in (
            ("import (TF2 namespace)", ("tfteach", ""), ("tensorflow", "")),
            ("import (v1 namespace)", ("tfteach.v1", ""), ("tensorflow.compat.v1", ""))):
        t, rss, numba, _ = _measure(sys.executable, _IMPORT.format(mod=ours[0]), env,
                                    args.repeat)
        tf_t = tf_rss = None
        if have_tf:
            tf_t, tf_rss, _, _ = _measure(args.tf, _IMPORT.format(mod=theirs[0]), env,
                                       args.repeat)
        rows.append((label, t, rss, tf_t, tf_rss, f"numba imported: {'yes' if numba else 'no'}"))

    t, rss, kernels, total = _measure(
        sys.executable, _FIRST_RUN.format(mod="tfteach.v1", setup=""), env, args.repeat)
    tf_t = tf_rss = tf_total = None
    if have_tf:
        tf_t, tf_rss, _, tf_total = _measure(
            args.tf, _FIRST_RUN.format(mod="tensorflow.compat.v1",
                                       setup="tf.disable_v2_behavior()"), env, args.repeat)
    rows.append(("first Session.run(a + b)", t, rss, tf_t, tf_rss,
                 "kernel modules loaded: " + ", ".join(k.rsplit(".", 1)[1] for k in kernels
                                                        if k.count(".") == 3)))
    rows.append(("import + first run", total, rss, tf_total, tf_rss,
                 "what a student waits for the first value"))

    print(f"{'':26} {'tfteach':>9} {'peak RSS':>9} {'TF':>9} {'peak RSS':>9} "
          f"{'time':>7} {'RSS':>7}")
    for label, t, rss, tf_t, tf_rss, note in rows:
        tf_part = (f"{tf_t:8.3f}s {tf_rss:6.0f}MiB {t / tf_t:6.2f}x {rss / tf_rss:6.2f}x"
                   if tf_t is not None else f"{'-':>9} {'-':>9} {'-':>7} {'-':>7}")
        print(f"{label:26} {t:8.3f}s {rss:6.0f}MiB {tf_part}   {note}")
    print(f"(median of {args.repeat} fresh processes each; "
          f"{'no bytecode cache' if args.no_pyc else 'bytecode cached'}; "
          f"ratios are tfteach / TF: lower is better)")


if __name__ == "__main__":
    main()
