"""Records what TensorFlow 2.21 does with the TF1 state ops that write rows of a variable
(`tf.compat.v1.scatter_*`, `scatter_nd_*`, `batch_scatter_update` and the Variable methods
of the same names), for tests/test_v1_scatter.py.

Each case is a piece of code run with `tf` bound to `tf.compat.v1` (v1 cases, in a fresh
graph with `sess` a Session on it and `V(...)` making an initialised variable) or to `tf`
(v2 cases: eager, and `tf.function`); it leaves its answer in `out`. The JSON keeps the code
beside TF's answer or its exception (class name, message); the test runs the same code on
tfteach.

Run with the TensorFlow oracle (never imported by tfteach):
    /work/tfenv/bin/python tools/record_v1_scatter.py   # writes tests/data/v1_scatter_tf.json
"""
import json
import re
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

ROWS = "[[1., 2.], [3., 4.], [5., 6.]]"
OPS = ("update", "add", "sub", "mul", "div", "min", "max")

V1 = {}
for _k in OPS:
    V1[f"scatter_{_k}"] = f"""
v = V({ROWS})
t = tf.scatter_{_k}(v, [2, 0, 2], [[10., 20.], [30., 40.], [50., 60.]])
out["op"] = [t.op.type, t.op.name, t.dtype.name, str(t.shape), t.op.get_attr("use_locking")]
out["first"] = sess.run(t)
out["second"] = sess.run(t)
out["var"] = sess.run(v)
"""
    V1[f"scatter_{_k}_scalar_updates"] = f"""
v = V({ROWS})
t = tf.scatter_{_k}(v, [1], 2.0, use_locking=True, name="sc")
out["op"] = [t.op.type, t.op.name, t.op.get_attr("use_locking")]
out["value"] = sess.run(t)
"""
    V1[f"scatter_{_k}_int"] = f"""
v = V([7, -7, 9, 2])
t = tf.scatter_{_k}(v, [0, 1, 2], [2, 2, -4])
out["value"] = sess.run(t)
"""
    V1[f"scatter_{_k}_out_of_range"] = f"""
v = V({ROWS})
t = tf.scatter_{_k}(v, [0, 3], [[2., 2.], [3., 3.]])
try:
    sess.run(t)
finally:
    out["var_after_error"] = sess.run(v)
"""
    V1[f"scatter_{_k}_negative_index"] = f"""
v = V({ROWS})
sess.run(tf.scatter_{_k}(v, [-1], [[2., 2.]]))
"""
    V1[f"scatter_{_k}_bad_updates_shape"] = f"""
v = V({ROWS})
tf.scatter_{_k}(v, [0, 1], [1., 2.])
"""
    V1[f"method_scatter_{_k}"] = f"""
v = V({ROWS})
t = v.scatter_{_k}(tf.IndexedSlices(tf.constant([[3., 3.], [4., 4.]]), tf.constant([1, 0])))
out["op"] = [t.op.type, t.op.name, t.dtype.name, t.op.get_attr("use_locking")]
out["value"] = sess.run(t)
"""
    V1[f"method_scatter_{_k}_not_indexed_slices"] = f"""
v = V({ROWS})
v.scatter_{_k}([[1., 1.]])
"""

for _k in ("update", "add", "sub"):
    V1[f"scatter_nd_{_k}_rows"] = f"""
v = V({ROWS})
t = tf.scatter_nd_{_k}(v, [[2], [0]], [[10., 20.], [30., 40.]])
out["op"] = [t.op.type, t.op.name, t.dtype.name, str(t.shape), t.op.get_attr("use_locking")]
out["value"] = sess.run(t)
"""
    V1[f"scatter_nd_{_k}_elements"] = f"""
v = V({ROWS})
t = tf.scatter_nd_{_k}(v, [[0, 1], [2, 0], [0, 1]], [7., 8., 9.], use_locking=True)
out["value"] = sess.run(t)
out["locking"] = t.op.get_attr("use_locking")
"""
    V1[f"scatter_nd_{_k}_out_of_range"] = f"""
v = V({ROWS})
t = tf.scatter_nd_{_k}(v, [[0, 1], [3, 0]], [7., 8.])
try:
    sess.run(t)
finally:
    out["var_after_error"] = sess.run(v)
"""
    V1[f"scatter_nd_{_k}_negative_index"] = f"""
v = V({ROWS})
sess.run(tf.scatter_nd_{_k}(v, [[-1]], [[1., 1.]]))
"""
    V1[f"scatter_nd_{_k}_bad_updates_shape"] = f"""
v = V({ROWS})
tf.scatter_nd_{_k}(v, [[0], [1]], [1., 2.])
"""
    V1[f"scatter_nd_{_k}_index_too_deep"] = f"""
v = V({ROWS})
sess.run(tf.scatter_nd_{_k}(v, [[0, 1, 0]], [1.]))
"""
    V1[f"method_scatter_nd_{_k}"] = f"""
v = V({ROWS})
t = v.scatter_nd_{_k}([[1, 1], [0, 0]], [5., 6.])
out["op"] = [t.op.type, t.op.name, t.op.get_attr("use_locking")]
out["value"] = sess.run(t)
"""

for _k in OPS + ("nd_update", "nd_add", "nd_sub"):
    _idx = "[[0]]" if _k.startswith("nd") else "[0]"
    V1[f"gradients_through_scatter_{_k}"] = f"""
v = V([1., 2., 3.])
u = tf.constant([5.])
t = tf.scatter_{_k}(v, {_idx}, u)
g = tf.gradients(tf.reduce_sum(t * 2.), [u])
out["grads"] = [None if x is None else sess.run(x) for x in g]
"""

V1.update({
    "batch_scatter_update": """
v = V([[1., 2., 3.], [4., 5., 6.]])
t = tf.batch_scatter_update(v, [[0, 2], [1, 0]], [[10., 20.], [30., 40.]])
out["op"] = [t.op.type, t.op.name]
out["value"] = sess.run(t)
out["var"] = sess.run(v)
""",
    "batch_scatter_update_3d": """
v = V(np.arange(24.).reshape(2, 3, 4).tolist())
t = tf.batch_scatter_update(v, [[2], [0]], [[[-1., -2., -3., -4.]], [[-5., -6., -7., -8.]]],
                            name="bsu")
out["op"] = [t.op.type, t.op.name]
out["value"] = sess.run(t)
""",
    "batch_scatter_update_rank_error": """
v = V([[1., 2., 3.], [4., 5., 6.]])
tf.batch_scatter_update(v, [0, 1], [1., 2.])
""",
    "method_batch_scatter_update": """
v = V([[1., 2., 3.], [4., 5., 6.]])
t = v.batch_scatter_update(tf.IndexedSlices(tf.constant([[7.], [8.]]), tf.constant([[1], [2]])))
out["value"] = sess.run(t)
""",
    "scatter_update_with_placeholders": """
v = V([[1., 2.], [3., 4.], [5., 6.]])
i = tf.placeholder(tf.int64, [None])
u = tf.placeholder(tf.float32, [None, 2])
t = tf.scatter_update(v, i, u)
out["shape"] = str(t.shape)
out["value"] = sess.run(t, {i: [1], u: [[0., 0.]]})
""",
    "scatter_add_dtype_mismatch": """
v = V([[1., 2.], [3., 4.], [5., 6.]])
tf.scatter_add(v, [0], [[1, 1]])
""",
    "scatter_update_on_tensor": """
tf.scatter_update(tf.constant([1., 2.]), [0], [5.])
""",
    "scatter_sub_read_after": """
v = V([1., 2., 3.])
t = tf.scatter_sub(v, [0, 0], [1., 1.])
with tf.control_dependencies([t]):
    r = tf.identity(v.read_value())
out["r"] = sess.run(r)
out["again"] = sess.run(v)
""",
})

V2 = {}
for _k in OPS:
    V2[f"eager_scatter_{_k}"] = f"""
v = tf.Variable({ROWS})
r = tf.compat.v1.scatter_{_k}(v, [2, 0, 2], [[10., 20.], [30., 40.], [50., 60.]])
out["type"] = type(r).__name__
out["value"] = r.numpy()
out["var"] = v.numpy()
"""
    V2[f"eager_scatter_{_k}_out_of_range"] = f"""
v = tf.Variable({ROWS})
try:
    tf.compat.v1.scatter_{_k}(v, [0, 3], [[1., 1.], [2., 2.]])
finally:
    out["var_after_error"] = v.numpy()
"""
    V2[f"function_scatter_{_k}"] = f"""
v = tf.Variable({ROWS})
@tf.function
def f(u):
    return tf.compat.v1.scatter_{_k}(v, [1, 0], u)
r = f(tf.constant([[2., 2.], [3., 3.]]))
g = f.get_concrete_function(tf.TensorSpec([2, 2], tf.float32)).graph
out["ops"] = sorted({{op.type for op in g.get_operations()}} & {{
    "ResourceScatter{_k.capitalize()}", "ReadVariableOp", "ScatterUpdate"}})
out["value"] = r.numpy()
"""
    V2[f"method_eager_scatter_{_k}"] = f"""
v = tf.Variable({ROWS})
r = v.scatter_{_k}(tf.IndexedSlices(tf.constant([[3., 3.], [4., 4.]]), tf.constant([1, 0])))
out["value"] = r.numpy()
"""
for _k in ("update", "add", "sub"):
    V2[f"eager_scatter_nd_{_k}"] = f"""
v = tf.Variable({ROWS})
r = tf.compat.v1.scatter_nd_{_k}(v, [[0, 1], [2, 0], [0, 1]], [7., 8., 9.])
out["type"] = type(r).__name__
out["value"] = r.numpy()
"""
    V2[f"eager_scatter_nd_{_k}_out_of_range"] = f"""
v = tf.Variable({ROWS})
tf.compat.v1.scatter_nd_{_k}(v, [[3, 0]], [7.])
"""
    V2[f"function_scatter_nd_{_k}"] = f"""
v = tf.Variable({ROWS})
@tf.function
def f():
    return tf.compat.v1.scatter_nd_{_k}(v, [[1], [0]], [[2., 2.], [3., 3.]])
r = f()
g = f.get_concrete_function().graph
out["ops"] = sorted({{op.type for op in g.get_operations()}} & {{
    "ResourceScatterNd{_k.capitalize()}", "ReadVariableOp"}})
out["value"] = r.numpy()
"""
    V2[f"method_eager_scatter_nd_{_k}"] = f"""
v = tf.Variable({ROWS})
r = v.scatter_nd_{_k}([[1, 1], [0, 0]], [5., 6.])
out["value"] = r.numpy()
"""
V2.update({
    "eager_batch_scatter_update": """
v = tf.Variable([[1., 2., 3.], [4., 5., 6.]])
r = tf.compat.v1.batch_scatter_update(v, [[0, 2], [1, 0]], [[10., 20.], [30., 40.]])
out["value"] = r.numpy()
out["var"] = v.numpy()
""",
    "method_eager_batch_scatter_update": """
v = tf.Variable([[1., 2., 3.], [4., 5., 6.]])
r = v.batch_scatter_update(tf.IndexedSlices(tf.constant([[7.], [8.]]), tf.constant([[1], [2]])))
out["value"] = r.numpy()
""",
    "eager_scatter_update_scalar": """
v = tf.Variable([1., 2., 3.])
out["value"] = tf.compat.v1.scatter_update(v, [0, 2], 9.).numpy()
""",
    "eager_scatter_div_int": """
v = tf.Variable([7, -7, 9, 2])
out["value"] = tf.compat.v1.scatter_div(v, [0, 1, 2], [2, 2, -4]).numpy()
""",
    "eager_method_not_indexed_slices": """
v = tf.Variable([1., 2., 3.])
v.scatter_max([1.])
""",
})


def _core(message):
    """TF's message without the Session's traceback (it names files on this machine): the
    kernel's own text and its `[[{{node X}}]]` line."""
    m = re.search(r"Node: '[^']*'\n(.*?)\n\nOriginal stack trace", message, re.S)
    return m.group(1) if m else message


def plain(x):
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        return {"array": np.asarray(x).tolist(), "dtype": str(np.asarray(x).dtype)}
    if isinstance(x, (list, tuple)):
        return [plain(y) for y in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, bytes):
        return x.decode()
    return x


def run_v1(tf, code):
    out = {}
    with tf.Graph().as_default():
        with tf.Session() as sess:
            def V(value):
                v = tf.Variable(value)
                sess.run(v.initializer)
                return v
            try:
                exec(code, {"tf": tf, "np": np, "sess": sess, "V": V, "out": out})
                return {"out": plain(out), "error": None}
            except Exception as e:  # noqa: BLE001 - recording what TF raises
                return {"out": plain(out), "error": [type(e).__name__, _core(str(e))]}


def run_v2(tf, code):
    out = {}
    try:
        exec(code, {"tf": tf, "np": np, "out": out})
        return {"out": plain(out), "error": None}
    except Exception as e:  # noqa: BLE001
        return {"out": plain(out), "error": [type(e).__name__, _core(str(e))]}


def main(path):
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as p:
        v2 = p.apply(_v2_all)
    import tensorflow as tf
    tf.compat.v1.disable_v2_behavior()
    v1 = {k: {"code": c, **run_v1(tf.compat.v1, c)} for k, c in V1.items()}
    data = {"tensorflow": tf.__version__, "v1": v1, "v2": v2}
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def _v2_all():
    import tensorflow as tf
    return {k: {"code": c, **run_v2(tf, c)} for k, c in V2.items()}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(__file__), "..", "tests", "data", "v1_scatter_tf.json"))
