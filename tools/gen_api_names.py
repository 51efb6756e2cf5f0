"""Writes tfteach/framework/tf_api_names.json: the public names of TensorFlow 2.21's namespaces
that users touch (`tf`, `tf.compat.v1` and their common submodules), and
tools/tf_api_parameters.json: each function's parameter names ("!" marks a required one).
Run with the TF venv:
    /work/tfenv/bin/python tools/gen_api_names.py
tfteach reads the names to say "tfteach does not implement X yet" for a TF name it lacks;
tools/gen_api_coverage.py measures coverage against both files."""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARAMS = os.path.join(ROOT, "tools", "tf_api_parameters.json")
SUB = ["nn", "math", "linalg", "data", "train", "summary", "image", "strings", "random",
       "sparse", "ragged", "saved_model", "config", "io", "autograph", "signal"]
TF2 = ["tf"] + [f"tf.{m}" for m in SUB] + [
    f"tf.keras.{m}" for m in ("layers", "losses", "metrics", "optimizers", "callbacks",
                              "utils")]
V1 = ["tf.compat.v1"] + [f"tf.compat.v1.{m}" for m in SUB + ["losses", "metrics"]]


def resolve(path):
    obj = tf
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def public(obj):
    return sorted(n for n in dir(obj) if not n.startswith("_"))


def params(obj):
    """The parameter names of a function (None for classes, modules, constants)."""
    import inspect
    if inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        required = p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)
        out.append(prefix + p.name + ("!" if required else ""))
    return out


def main(out):
    names, sigs = {}, {}
    for path in TF2 + V1:
        mod = resolve(path)
        names[path] = public(mod)
        sigs[path] = {}
        for n in names[path]:
            try:
                ps = params(getattr(mod, n))
            except Exception:  # noqa: BLE001 - lazily loaded names that fail to load
                ps = None
            if ps is not None:
                sigs[path][n] = ps
    data = {"tensorflow": tf.__version__, "keras": tf.keras.__version__
            if hasattr(tf.keras, "__version__") else None, "namespaces": names}
    with open(out, "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
        f.write("\n")
    with open(PARAMS, "w") as f:
        json.dump({"tensorflow": tf.__version__, "parameters": sigs}, f, indent=0,
                  sort_keys=True)
        f.write("\n")
    print(f"{out}: {sum(len(v) for v in names.values())} names in {len(names)} namespaces")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(ROOT, "tfteach", "framework", "tf_api_names.json"))
