"""Records TensorFlow 2.21's results for a case module: run with the TF venv,
    /work/tfenv/bin/python tools/record_cases.py NAME [NAME ...]
which runs tests/cases_NAME.py under TF and writes tests/data/tf_NAME.json (see
tests/tfcases.py). Each module runs in its own process, in the mode it declares."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))


def record(name):
    import tfcases
    import tensorflow as tf
    mod = tfcases.load_cases(name)
    if mod.MODE == "v1":
        tf.compat.v1.disable_v2_behavior()
        api = tf.compat.v1
    else:
        api = tf
    out = {}
    for case in tfcases.case_names(mod):
        with tempfile.TemporaryDirectory() as tmp:
            if mod.MODE == "v1":
                tf.compat.v1.reset_default_graph()
            tf.random.set_seed(0) if mod.MODE == "v2" else None
            out[case] = tfcases.normalize(getattr(mod, "case_" + case)(api, tmp))
    path = os.path.join(ROOT, "tests", "data", f"tf_{name}.json")
    with open(path, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": out}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{path}: {len(out)} cases")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        for n in sys.argv[1:]:
            subprocess.run([sys.executable, __file__, n], check=True)
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        record(sys.argv[1])
