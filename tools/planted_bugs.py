#!/usr/bin/env python3
"""Plant the ten one-line bugs of issue 21, one at a time, in a copy of the checkout, run the
tests meant to catch each, and print whether they did (a table for the closing note).

    python tools/planted_bugs.py                 # all ten
    python tools/planted_bugs.py -k sub_grad     # the ones whose id contains this

The checkout itself is never changed (tools/mutation.py's copy). A bug whose tests stay green
makes the script exit 1.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutation import REPO, _copy_tree  # noqa: E402

PY = sys.executable

# id, description, file, old text, new text, tests
BUGS = [
    ("broadcast_unknown", "broadcasting an unknown dimension against a known one gives (?,)",
     "tfteach/framework/tensor_shape.py",
     "out.append(da if db is None else db)", "out.append(None)",
     ["tests/test_shape_rules.py"]),
    ("pow_grad_none", "Pow's gradient for its exponent becomes None",
     "tfteach/ops/math_grad.py",
     "        gy = grad * op.outputs[0] * log_x\n", "        gy = None\n",
     ["tests/test_gradients_registry.py", "-k", "Pow"]),
    ("names_case_sensitive", "name uniquification becomes case-sensitive",
     "tfteach/framework/ops.py",
     "        name_key = name.lower()\n", "        name_key = name\n",
     ["tests/test_graph_basics.py"]),
    ("feed_rank_check", "the rank check removed from the NumPy/float feed fast path",
     "tfteach/client/session.py",
     "if dims is not None and (len(dims) != arr.ndim or any(",
     "if dims is not None and (any(",
     ["tests/test_feeds.py"]),
    ("adam_sqrt", "Adam's bias correction loses its sqrt",
     "tfteach/kernels/cpu/training.py",
     "alpha = dt.type(lr * np.sqrt(one - b2p) / (one - b1p))",
     "alpha = dt.type(lr * (one - b2p) / (one - b1p))",
     ["tests/test_optimizers.py"]),
    ("conv2d_hw_swapped", "Conv2D.compute_output_shape swaps height and width",
     "tfteach/keras/layers/core.py",
     "                             self.dilation_rate[1], pad)\n        return (input_shape[0], h, w, "
     "self.filters)",
     "                             self.dilation_rate[1], pad)\n        return (input_shape[0], w, h, "
     "self.filters)",
     ["tests/test_keras_output_shapes.py"]),
    ("wall_time_zero", "the event writer stores wall_time = 0",
     "tfteach/summary/__init__.py",
     "ev = self._pb.event.Event(wall_time=time.time(), **fields)",
     "ev = self._pb.event.Event(wall_time=0, **fields)",
     ["tests/test_event_files.py"]),
    ("graph_tb_ignored", "%graph --tb ignored",
     "tfteach/magics/magic.py",
     '"rankdir": "TB" if args.tb else "LR"', '"rankdir": "LR"',
     ["tests/test_magics.py"]),
    ("sub_grad_sign_equal", "Sub's gradient for y has the wrong sign when shapes are equal",
     "tfteach/ops/math_grad.py",
     "        return grad, -grad\n", "        return grad, grad\n",
     ["tests/test_gradients_registry.py", "-k", "Sub"]),
    ("unknown_dim_zero", "an unknown dimension written as 0 instead of -1 in event files",
     "tfteach/summary/__init__.py",
     "s.dim.add().size = -1 if d is None else d", "s.dim.add().size = 0 if d is None else d",
     ["tests/test_event_files.py"]),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", default="")
    args = ap.parse_args()
    tree = tempfile.mkdtemp(prefix="tfteach_planted_")
    _copy_tree(REPO, tree)
    missed = 0
    print("| planted bug | tests run | caught? |\n|---|---|---|")
    try:
        for bid, desc, path, old, new, tests in BUGS:
            if args.k not in bid:
                continue
            src = os.path.join(tree, path)
            text = open(src).read()
            assert text.count(old) == 1, f"{bid}: the code to change is not in {path} once"
            open(src, "w").write(text.replace(old, new))
            try:
                r = subprocess.run([PY, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                    "-o", "addopts=", *tests], cwd=tree, capture_output=True,
                                   text=True)
            finally:
                open(src, "w").write(text)
            caught = r.returncode == 1
            if r.returncode not in (0, 1):
                sys.exit(f"{bid}: pytest could not run ({r.returncode}):\n{r.stdout[-2000:]}")
            missed += not caught
            tail = [ln for ln in r.stdout.splitlines() if ln.startswith("FAILED")][:1]
            print(f"| {desc} | `{' '.join(tests)}` | "
                  f"{'yes: ' + tail[0][7:].split(' - ')[0] if caught else 'NO'} |", flush=True)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
