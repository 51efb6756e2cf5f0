"""Records what TensorFlow 2.21 does with a few more TF1 names, for tests/test_v1_misc.py:
`make_template`, `colocate_with`, `setdiff1d`, `string_split`, `sparse_to_dense` and
`tf.compat.v1.device` given a function.

Each case is code run with `tf` bound to `tf.compat.v1` in a fresh graph with `sess` a
Session on it (v1 cases) or to `tf` eagerly (v2 cases); it leaves its answer in `out`, or
the recorder keeps the exception (class, message). The test runs the same code on tfteach.

Run with the TensorFlow oracle (never imported by tfteach):
    /work/tfenv/bin/python tools/record_v1_misc.py   # writes tests/data/v1_misc_tf.json
"""
import json
import re
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

V1 = {
    # --- make_template ----------------------------------------------------------------------
    "template_shares_variables": """
def lin(x):
    w = tf.get_variable("w", [], initializer=tf.constant_initializer(3.))
    b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
    return x * w + b
t = tf.make_template("lin", lin)
a = t(tf.constant(2.))
b = t(tf.constant(5.))
out["names"] = [a.name, b.name, t.name, t.variable_scope_name, t.variable_scope.name]
out["globals"] = [v.name for v in tf.global_variables()]
out["template_vars"] = [v.name for v in t.variables]
out["trainable"] = [v.name for v in t.trainable_variables]
sess.run(tf.global_variables_initializer())
out["values"] = sess.run([a, b])
""",
    "template_scope_made_when_first_called": """
t1 = tf.make_template("net", lambda x: x * tf.get_variable("w", [], initializer=tf.ones_initializer()))
t2 = tf.make_template("net", lambda x: x * tf.get_variable("w", [], initializer=tf.ones_initializer()))
y2 = t2(tf.constant(1.))
y1 = t1(tf.constant(1.))
y1b = t1(tf.constant(2.))
out["names"] = [y1.name, y1b.name, y2.name, t1.variable_scope_name, t2.variable_scope_name]
out["globals"] = [v.name for v in tf.global_variables()]
""",
    "template_create_scope_now": """
t1 = tf.make_template("net", lambda x: x * tf.get_variable("w", [], initializer=tf.ones_initializer()), create_scope_now_=True)
t2 = tf.make_template("net", lambda x: x * tf.get_variable("w", [], initializer=tf.ones_initializer()), create_scope_now_=True)
y2 = t2(tf.constant(1.))
y1 = t1(tf.constant(1.))
out["names"] = [y1.name, y2.name, t1.variable_scope_name, t2.variable_scope_name]
out["globals"] = [v.name for v in tf.global_variables()]
""",
    "template_unique_name_and_kwargs": """
def scale(x, factor):
    return x * factor * tf.get_variable("s", [], initializer=tf.ones_initializer())
t = tf.make_template("scale", scale, unique_name_="custom", factor=4.)
y = t(tf.constant(2.))
with tf.variable_scope("outer"):
    z = t(tf.constant(3.))
out["names"] = [y.name, z.name, t.variable_scope_name]
out["globals"] = [v.name for v in tf.global_variables()]
sess.run(tf.global_variables_initializer())
out["values"] = sess.run([y, z])
""",
    "template_inside_outer_scope": """
t = tf.make_template("lin", lambda x: x * tf.get_variable("w", [], initializer=tf.ones_initializer()))
with tf.variable_scope("outer"):
    y = t(tf.constant(2.))
z = t(tf.constant(3.))
out["names"] = [y.name, z.name, t.variable_scope_name]
out["globals"] = [v.name for v in tf.global_variables()]
""",
    "template_new_trainable_variable": """
t = tf.make_template("bad", lambda x: x * tf.Variable(1.0))
t(tf.constant(1.))
out["first"] = [v.name for v in tf.global_variables()]
t(tf.constant(2.))
""",
    "template_name_none": """
tf.make_template(None, lambda: 1)
""",
    "template_error_says_where_it_was_made": """
t = tf.make_template("err", lambda x: tf.get_variable("w", [2]) + x)
t(tf.constant([1., 2., 3.]))
""",
    # --- colocate_with ----------------------------------------------------------------------
    "colocate_with_variable": """
with tf.device("/cpu:0"):
    v = tf.Variable(1.0, name="v")
with tf.device("/job:ps/task:0"):
    with tf.colocate_with(v):
        a = tf.identity(v, name="a")
        with tf.colocate_with(tf.constant(2., name="k")):
            b = tf.add(a, 1., name="b")
        with tf.colocate_with(a.op, ignore_existing=True):
            c = tf.add(a, 2., name="c")
        with tf.colocate_with(None, ignore_existing=True):
            d = tf.add(a, 3., name="d")
e = tf.identity(a, name="e")
def cls(op):
    try:
        return [x.decode() for x in op.get_attr("_class")]
    except ValueError:
        return None
out["class"] = {t.op.name: cls(t.op) for t in (a, b, c, d, e)}
out["device"] = {t.op.name: t.op.device for t in (a, b, c, d, e)}
""",
    "colocate_with_none": """
with tf.colocate_with(None):
    pass
""",
    # --- setdiff1d --------------------------------------------------------------------------
    "setdiff1d_ints": """
r = tf.setdiff1d([1, 2, 3, 4, 2, 6, 1], [1, 4, 5])
out["names"] = [type(r).__name__, r.out.name, r.idx.name, r.out.op.type, str(r.out.shape)]
out["values"] = sess.run(list(r))
""",
    "setdiff1d_strings_int64": """
r = tf.setdiff1d(tf.constant(["a", "b", "c"]), tf.constant(["b"]), index_dtype=tf.int64, name="sd")
out["names"] = [r.out.name, r.idx.dtype.name]
out["values"] = sess.run(list(r))
""",
    "setdiff1d_everything_removed": """
r = tf.setdiff1d([1., 2.], [2., 1., 3.])
out["values"] = sess.run(list(r))
""",
    "setdiff1d_matrix": """
tf.setdiff1d([[1, 2]], [1])
""",
    "setdiff1d_gradient": """
x = tf.constant([1., 2., 3.])
r = tf.setdiff1d(x, [2.])
out["grads"] = [g is None for g in tf.gradients(r.out, x)]
""",
    # --- string_split -----------------------------------------------------------------------
    "string_split_whitespace": """
sp = tf.string_split(["hello  world", "a b c", ""])
out["names"] = [type(sp).__name__, sp.indices.name, sp.values.name, str(sp.indices.shape)]
out["value"] = list(sess.run(sp))
""",
    "string_split_delimiter_chars": """
sp = tf.string_split(["a,b;;c", ";x"], sep=",;", skip_empty=False)
out["value"] = list(sess.run(sp))
""",
    "string_split_delimiter_keyword": """
sp = tf.string_split(tf.constant(["a-b", "c"]), delimiter="-", name="parts")
out["names"] = [sp.values.name]
out["value"] = list(sess.run(sp))
""",
    "string_split_bytes": """
sp = tf.string_split(["abc", "de"], sep="")
out["value"] = list(sess.run(sp))
""",
    "string_split_ragged": """
rt = tf.string_split(["a b", "c", ""], result_type="RaggedTensor")
out["names"] = [type(rt).__name__]
v = sess.run(rt)
out["value"] = [v.values, v.row_splits]
""",
    "string_split_both_separators": """
tf.string_split(["a"], sep=" ", delimiter=",")
""",
    "string_split_bad_result_type": """
tf.string_split(["a"], result_type="Dense")
""",
    # --- sparse_to_dense --------------------------------------------------------------------
    "sparse_to_dense_vector": """
d = tf.sparse_to_dense([0, 3], [5], [7., 8.], default_value=-1.)
out["names"] = [d.name, d.op.type, str(d.shape)]
out["value"] = sess.run(d)
""",
    "sparse_to_dense_scalar_value": """
d = tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], 1, name="mask")
out["names"] = [d.name, str(d.shape)]
out["value"] = sess.run(d)
""",
    "sparse_to_dense_placeholder_shape": """
s = tf.placeholder(tf.int32, [2])
d = tf.sparse_to_dense([[0, 0], [1, 1]], s, [1., 2.])
out["shape"] = str(d.shape)
out["value"] = sess.run(d, {s: [2, 3]})
""",
    "sparse_to_dense_unsorted": """
sess.run(tf.sparse_to_dense([2, 0], [5], [7., 8.]))
""",
    "sparse_to_dense_repeated": """
sess.run(tf.sparse_to_dense([1, 1], [5], [7., 8.]))
""",
    "sparse_to_dense_out_of_bounds": """
sess.run(tf.sparse_to_dense([1, 6], [5], [7., 8.]))
""",
    "sparse_to_dense_unvalidated": """
out["value"] = sess.run(tf.sparse_to_dense([3, 0], [5], [7., 8.], validate_indices=False))
""",
    "sparse_to_dense_gradients_matrix_indices": """
vals = tf.constant([7., 8.])
dflt = tf.constant(0.5)
d = tf.sparse_to_dense([[0], [3]], [5], vals, dflt)
g = tf.gradients(tf.reduce_sum(d * tf.constant([1., 2., 3., 4., 5.])), [vals, dflt])
out["grads"] = sess.run(g)
""",
    "sparse_to_dense_gradients": """
vals = tf.constant([7., 8.])
dflt = tf.constant(0.5)
d = tf.sparse_to_dense([0, 3], [5], vals, dflt)
g = tf.gradients(tf.reduce_sum(d * tf.constant([1., 2., 3., 4., 5.])), [vals, dflt])
out["grads"] = sess.run(g)
""",
}

V2 = {
    "device_function_eagerly": """
tf.compat.v1.device(lambda op: "/cpu:0")
""",
    "device_name_eagerly": """
with tf.compat.v1.device("/cpu:0"):
    out["device"] = tf.constant(1.).device
""",
}


def _core(message):
    """TF's message without the Session's traceback (it names files on this machine): the
    kernel's own text and its `[[{{node X}}]]` line."""
    m = re.search(r"Node: '[^']*'\n(.*?)\n\nOriginal stack trace", message, re.S)
    message = m.group(1) if m else message
    origin = "\n\noriginally defined at:\n"      # then the stack where a template was made
    return message.split(origin)[0] + origin + "<stack>" if origin in message else message


def plain(x):
    if isinstance(x, (np.ndarray, np.generic)):
        x = np.asarray(x)
        if x.dtype == object:
            return {"array": [v.decode() if isinstance(v, bytes) else v for v in x.tolist()],
                    "dtype": "object"}
        return {"array": x.tolist(), "dtype": str(x.dtype)}
    if isinstance(x, (list, tuple)):
        return [plain(y) for y in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, bytes):
        return x.decode()
    return x


def run(code, env):
    out = {}
    try:
        exec(code, {**env, "np": np, "out": out})
        return {"out": plain(out), "error": None}
    except Exception as e:  # noqa: BLE001 - recording what TF raises
        return {"out": plain(out), "error": [type(e).__name__, _core(str(e))]}


def main(path):
    import tensorflow as tf2
    v2 = {k: {"code": c, **run(c, {"tf": tf2})} for k, c in V2.items()}
    tf2.compat.v1.disable_v2_behavior()
    tf = tf2.compat.v1
    v1 = {}
    for k, c in V1.items():
        with tf.Graph().as_default(), tf.Session() as sess:
            v1[k] = {"code": c, **run(c, {"tf": tf, "sess": sess})}
    with open(path, "w") as f:
        json.dump({"tensorflow": tf2.__version__, "v1": v1, "v2": v2}, f, indent=1,
                  sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(__file__), "..", "tests", "data", "v1_misc_tf.json"))
