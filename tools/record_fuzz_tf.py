"""Records TensorFlow 2.21's outcome for every seeded fuzz case of tests/fuzz/cases.py into
tests/data/fuzz_tf221.npz (values) + .json (classes). Run with a Python that has
tensorflow-cpu 2.21, from the repository root:

    $TFTEACH_TF_PYTHON tools/record_fuzz_tf.py [--seed 2021 --n 600]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from fuzz import cases as C  # noqa: E402

import tensorflow as tf  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--n", type=int, default=600)
    a = ap.parse_args()
    out, arrays = {}, {}
    for cid, name, args in C.cases(a.seed, a.n):
        o = C.outcome(tf, name, args)
        if o[0] == "ok":
            out[cid] = {"kind": "ok", "n": len(o[1])}
            for j, v in enumerate(o[1]):
                arrays[f"{cid}/{j}"] = v
        else:
            out[cid] = {"kind": "error", "class": o[1], "message": o[2]}
    base = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "fuzz_tf221")
    with open(base + ".json", "w") as f:
        json.dump({"seed": a.seed, "n": a.n, "tf": tf.__version__, "cases": out}, f, indent=0,
                  sort_keys=True)
    np.savez_compressed(base + ".npz", **arrays)
    print(f"recorded {len(out)} cases")


if __name__ == "__main__":
    main()
