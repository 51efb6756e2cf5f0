"""Records what TensorFlow 2.21 does with the programs of tests/autograph_cases.py.

Run with the TF oracle (never imported by the project):
    /work/tfenv/bin/python tools/record_autograph.py > tests/data/autograph_tf221.json
Values are kept with their dtype; an error keeps its class and the message TF gives under
its "in user code:" frame lines (the part tfteach reproduces).
"""
import contextlib
import io
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from autograph_cases import CASES  # noqa: E402


def plain(v):
    if isinstance(v, dict):
        return {"dict": {k: plain(x) for k, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return {"tuple": [plain(x) for x in v]}
    if hasattr(v, "numpy"):
        a = np.asarray(v.numpy())
        return {"value": a.tolist(), "dtype": v.dtype.name, "shape": list(a.shape)}
    return {"python": v}


def core_message(e):
    text = str(e)
    if text.startswith("Graph execution error"):
        # the run-time error's own line (the rest names this machine's files)
        return [ln for ln in text.splitlines() if ln.strip() and
                not ln.startswith(("\t", " ", "Graph", "Detected", "  File"))][-1].strip()
    name = type(e).__name__
    marker = f"    {name}: "
    if "in user code:" in text and marker in text:
        text = text[text.rindex(marker) + len(marker):]
        text = "\n".join(line[4:] if line.startswith("    ") else line
                         for line in text.splitlines())
    return text.strip()


def arg(tf, a):
    return tf.constant(a) if isinstance(a, (np.ndarray, np.generic)) else a


def main():
    out = {"tensorflow": tf.__version__, "cases": {}}
    for name, make in CASES.items():
        f, calls = make(tf)
        rec = []
        for call in calls:
            args = [arg(tf, a) for a in call]
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    r = f(*args)
                entry = {"result": plain(r)}
            except Exception as e:  # noqa: BLE001 - every error is what we record
                entry = {"error": type(e).__name__, "message": core_message(e)}
            if buf.getvalue():
                entry["stdout"] = buf.getvalue()
            rec.append(entry)
        ops = None
        try:
            cf = f.get_concrete_function(*[arg(tf, a) for a in calls[0]])
            ops = sorted({op.type for op in cf.graph.get_operations()})
        except Exception:  # noqa: BLE001 - the error is recorded above
            pass
        out["cases"][name] = {"calls": rec, "op_types": ops}

    # the gradient through a converted while loop (tests/test_autograph.py)
    @tf.function
    def power(x, n):
        y = tf.ones_like(x)
        i = 0
        while i < n:
            y = y * x
            i += 1
        return y

    x = tf.constant(1.5)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = power(x, tf.constant(5))
    out["gradient_while_power"] = {"value": float(y), "grad": float(tape.gradient(y, x))}

    @tf.function
    def clipped(x):
        if x > 1.0:
            y = x * x
        else:
            y = 3.0 * x
        return y

    g = {}
    for v in (2.0, 0.5):
        x = tf.constant(v)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = clipped(x)
        g[str(v)] = float(tape.gradient(y, x))
    out["gradient_if"] = g
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
