"""Like interleave.py, with a third side: a checkout of an earlier tree (e.g. the commit
before a kernel change), so before, after and TensorFlow share one sitting of the load.

    git archive <commit> | tar -x -C /tmp/base
    python3 bench/interleave_base.py --base /tmp/base -n 5 bench/conv_kernels.py
    python3 bench/interleave_base.py --base /tmp/base -n 3 bench/training_throughput.py \\
        --only cnn_function
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from interleave import ROOT, TF_PYTHON, flat   # bench/ is the script's directory


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="root of the earlier tree")
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("script")
    args, extra = ap.parse_known_args()
    sides = {"before": (sys.executable, os.path.abspath(args.base), "tfteach"),
             "after": (sys.executable, ROOT, "tfteach"),
             "tf": (TF_PYTHON, ROOT, "tensorflow")}
    res = {k: [] for k in sides}
    loads = []
    for _ in range(args.n):
        for name, (py, root, impl) in sides.items():
            loads.append(os.getloadavg()[0])
            p = subprocess.run([py, os.path.join(root, args.script), "--impl", impl] + extra,
                               cwd=root, capture_output=True, text=True,
                               env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
            lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
            if not lines:
                raise SystemExit(f"{name}: no JSON line\n{p.stderr[-2000:]}")
            res[name].append(flat(json.loads(lines[-1])))
    print(f"# {args.script}: median of {args.n} interleaved runs per side, 1-min load average "
          f"{min(loads):.2f}-{max(loads):.2f} (median {statistics.median(loads):.2f})")
    print(f"{'figure':46} {'before':>8} {'after':>8} {'TF':>8} {'before/TF':>9} {'after/TF':>9}")
    for k, v in res["after"][0].items():
        if k == "loadavg" or not isinstance(v, (int, float)) or k not in res["tf"][0]:
            continue
        m = {s: statistics.median(r[k] for r in res[s]) for s in res}
        print(f"{k:46} {m['before']:8.2f} {m['after']:8.2f} {m['tf']:8.2f} "
              f"{m['before'] / m['tf']:8.2f}x {m['after'] / m['tf']:8.2f}x")


if __name__ == "__main__":
    main()
