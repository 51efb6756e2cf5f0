"""Records TensorFlow 2.21's results for the tf.math / tf.linalg gap cases
(tests/cases_math_gaps.py, tests/cases_linalg_gaps.py) into tests/data/math_gaps_tf.json:

    /work/tfenv/bin/python tools/record_math_gaps.py

Each case module runs in its own process (its mode is set before anything is built), through
tools/record_cases.py's machinery; tests/test_math_gaps.py compares tfteach against the file.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "math_gaps_tf.json")
MODULES = ("math_gaps", "linalg_gaps")


def record_one(name, path):
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tfcases
    import tensorflow as tf
    mod = tfcases.load_cases(name)
    out = {}
    for case in tfcases.case_names(mod):
        with tempfile.TemporaryDirectory() as tmp:
            tf.random.set_seed(0)
            out[case] = tfcases.normalize(getattr(mod, "case_" + case)(tf, tmp))
    with open(path, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": out}, f)


def main():
    if len(sys.argv) == 3:
        record_one(sys.argv[1], sys.argv[2])
        return
    result = {"modules": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in MODULES:
            path = os.path.join(tmp, name + ".json")
            subprocess.run([sys.executable, __file__, name, path], check=True)
            with open(path) as f:
                data = json.load(f)
            result["tensorflow"] = data["tensorflow"]
            result["modules"][name] = data["cases"]
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{OUT}: " + ", ".join(f"{n} {len(c)} cases" for n, c in result["modules"].items()))


if __name__ == "__main__":
    main()
