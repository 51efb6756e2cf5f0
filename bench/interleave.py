"""Runs a benchmark's tfteach and TensorFlow halves alternately, several times, and prints the
median of each figure and their ratio.

On a shared machine the load changes from minute to minute; running the two sides one after
the other, in turn, and taking medians keeps such drift out of the ratio. The benchmark must
take `--impl tfteach|tensorflow` and print its figures as the last JSON line.

    python3 bench/interleave.py -n 3 bench/training_throughput.py --quick
    python3 bench/interleave.py -n 5 --lower-is-better --numpy bench/large_tensors.py
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TF_PYTHON = os.environ.get("TF_PYTHON") or os.path.join(os.path.dirname(ROOT), "tfenv", "bin",
                                                        "python")


def run_one(python, script, impl, extra):
    p = subprocess.run([python, script, "--impl", impl] + extra, capture_output=True, text=True,
                       cwd=ROOT)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        sys.stderr.write(p.stdout[-2000:] + p.stderr[-3000:])
        raise SystemExit(f"{script} --impl {impl} printed no JSON line")
    return flat(json.loads(lines[-1]))


def flat(d, prefix=""):
    """Nested figures as one level: {"deep": {"graph_calls_per_s": 3}} -> "deep.graph_..."."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3, help="runs of each side")
    ap.add_argument("--tf-python", default=TF_PYTHON)
    ap.add_argument("--lower-is-better", action="store_true",
                    help="figures are times (ratio = TF / tfteach, so > 1 means faster)")
    ap.add_argument("--numpy", action="store_true",
                    help="also run the script's --impl numpy side (ratios are to TF)")
    ap.add_argument("--keys", default="", help="only figures whose name contains this")
    ap.add_argument("script")
    ap.add_argument("extra", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    ours, theirs, npy = [], [], []
    for i in range(a.n):
        # alternate which side goes first, so a drifting load hits both alike
        order = [("tfteach", sys.executable), ("tensorflow", a.tf_python)]
        if a.numpy:
            order.append(("numpy", sys.executable))
        for impl, py in (order if i % 2 == 0 else order[::-1]):
            {"tfteach": ours, "tensorflow": theirs, "numpy": npy}[impl].append(
                run_one(py, a.script, impl, a.extra))
    keys = [k for k, v in ours[0].items() if isinstance(v, (int, float)) and k != "loadavg"
            and not isinstance(v, bool) and a.keys in k]
    load = [r.get("loadavg") for r in ours + theirs if r.get("loadavg") is not None]
    print(f"# {a.script} {' '.join(a.extra)}: median of {a.n} interleaved runs each side, "
          f"load average {min(load, default=0)}-{max(load, default=0)}")
    print(f"{'figure':34} {'tfteach':>12} {'TF 2.21':>12} {'ratio':>8}" +
          (f" {'NumPy':>10} {'ratio':>8}" if npy else ""))
    summary = {}

    def ratio_of(mo, m):
        if not m or not mo:
            return None
        return m / mo if a.lower_is_better else mo / m

    for k in keys:
        mo = statistics.median(r[k] for r in ours)
        vals = [r[k] for r in theirs if isinstance(r.get(k), (int, float))]
        mt = statistics.median(vals) if vals else None
        ratio = ratio_of(mo, mt)
        summary[k] = {"tfteach": mo, "tf": mt, "ratio": ratio}
        line = (f"{k:34} {mo:>12.4g} {mt if mt is not None else float('nan'):>12.4g} "
                f"{(f'{ratio:.2f}x' if ratio else '-'):>8}")
        if npy:
            mn = statistics.median(r[k] for r in npy)
            rn = ratio_of(mo, mn)
            summary[k].update(numpy=mn, ratio_numpy=rn)
            line += f" {mn:>10.4g} {(f'{rn:.2f}x' if rn else '-'):>8}"
        print(line)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
