"""Records what TF 2.21 shows of a tf.function: the errors of a failing call and the ops
of a concrete function's graph. Writes tests/data/function_fidelity_tf.json, read by
tests/test_function_fidelity.py, which runs the same snippets on tfteach.

    /work/tfenv/bin/python tools/record_function_fidelity.py

Each snippet is compiled under the file name "case.py" and sets `out`. An error is kept
as (class, message) with TF's per-process function number as N and only the frames of
"case.py" in its "defined at" list (the recorder's and the test's own frames differ).
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "function_fidelity_tf.json")

CASES = {
    # errors of a call: a kernel's, in a name scope
    "error_gather_scoped": """
@tf.function
def pick(x):
    with tf.name_scope("outer"):
        return tf.gather(x, [1, 7])

out = err(lambda: pick(tf.ones([4])))
""",
    # a failed assert inside the assert's cond
    "error_assert_positive": """
@tf.function
def positive_twice(x):
    tf.debugging.assert_positive(x, message="must be positive")
    return x * 2.0

out = err(lambda: positive_twice(tf.constant([-1.0])))
""",
    # shapes known only at run time: the kernel's shape check
    "error_matmul_signature": """
@tf.function(input_signature=[tf.TensorSpec([None, None]), tf.TensorSpec([None, None])])
def product(a, b):
    return tf.matmul(a, b)

out = err(lambda: product(tf.ones([2, 3]), tf.ones([2, 3])))
""",
    # a variable update then a failing op (whether TF's update ran before the failure is
    # up to its scheduler, so the variable's value is not recorded)
    "error_after_update": """
v = tf.Variable(1.0)

@tf.function
def step(i):
    v.assign_add(1.0)
    return tf.gather(tf.constant([1.0, 2.0]), i)

out = {"error": err(lambda: step(tf.constant(5))), "ok": float(step(tf.constant(1)))}
""",
    "graph_pure": """
@tf.function
def affine(x, y):
    return x * y + 1.0

out = names(affine, tf.constant(1.0), tf.constant(2.0))
""",
    "graph_two_outputs": """
@tf.function
def pair(x):
    return x, {"double": x * 2.0}

out = names(pair, tf.constant(1.0))
""",
    "graph_variable_update": """
v = tf.Variable(1.0)

@tf.function
def bump(x):
    v.assign_add(x)
    return v.read_value()

out = names(bump, tf.constant(1.0))
""",
    "graph_variable_read": """
v = tf.Variable(1.0)

@tf.function
def scaled(x):
    return v * x

out = names(scaled, tf.constant(1.0))
""",
    "graph_print": """
@tf.function
def shout(x):
    tf.print("x is", x)
    return x + 1.0

out = names(shout, tf.constant(1.0))
""",
    "graph_update_no_output": """
v = tf.Variable(1.0)

@tf.function
def store(x):
    v.assign(x)

out = names(store, tf.constant(2.0))
""",
}


def clean(message):
    """TF's per-process function number as N; of the 'defined at' frames, those of the
    snippet only."""
    message = re.sub(r"__inference_(\w+?)_\d+", r"__inference_\1_N", message)
    return re.sub(r'  File "(?!case\.py")[^"]*", line \d+, in [^\n]*\n\n', "", message)


def run_case(tf, code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the answer recorded
            return [type(e).__name__, clean(getattr(e, "message", None) or str(e))]
        return None

    def names(fn, *args):
        g = fn.get_concrete_function(*args).graph
        # the order of a NoOp's control inputs is a set's in TF: sorted here
        return [[o.name, o.type, sorted(c.name for c in o.control_inputs)]
                for o in g.get_operations()]

    env = {"tf": tf, "err": err, "names": names}
    exec(compile(code, "case.py", "exec"), env)  # noqa: S102 - the snippet recorded
    return json.loads(json.dumps(env["out"]))


def main():
    import tensorflow as tf
    rec = {name: {"code": code, "tf": run_case(tf, code)} for name, code in CASES.items()}
    with open(OUT, "w") as f:
        json.dump({"tf_version": tf.__version__, "cases": rec}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT} ({len(rec)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
