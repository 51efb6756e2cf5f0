"""Writes tests/data/tf_saved_models/tensor_list/ and tensor_list_expected.json with real
TensorFlow 2.21 (run with a Python that has tensorflow-cpu 2.21:
`$TFTEACH_TF_PYTHON tools/record_tf_tensor_list.py`).

TF 2's tf.function records a tf.TensorArray used in a loop as TensorList ops on a `variant`
list carried through a `While`, and GradientTape through such a loop keeps the loop's
intermediates in TensorList accumulators (TensorListPushBack forward, TensorListPopBack in the
gradient loop). tests/test_list_ops.py loads the SavedModel with tfteach and compares its
results with TF's, stored here with the op types TF wrote into each function.
"""
import json
import os
import shutil

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_saved_models")


class Lists(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([2.0, -1.0, 0.5])

    # a TensorArray of `n` elements written in a loop over tf.range, then stacked
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32),
                                  tf.TensorSpec([], tf.int32)])
    def powers(self, x, n):
        ta = tf.TensorArray(tf.float32, size=n)
        acc = tf.ones_like(x)
        for i in tf.range(n):
            acc = acc * x * self.w
            ta = ta.write(i, acc)
        return ta.stack()

    # a growing TensorArray inside a GradientTape: the gradient loop is in the function
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def loss_and_grad(self, x):
        with tf.GradientTape() as tape:
            ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            for i in tf.range(tf.shape(x)[0]):
                ta = ta.write(i, tf.reduce_sum(x[i] * self.w) * tf.cast(i + 1, tf.float32))
            y = tf.reduce_sum(ta.stack() ** 2)
        return y, tape.gradient(y, self.w)

    # unstack, read backwards, gather and concat
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def reverse(self, x):
        src = tf.TensorArray(tf.float32, size=tf.shape(x)[0], element_shape=[2]).unstack(x)
        n = src.size()
        dst = tf.TensorArray(tf.float32, size=n, element_shape=[2])
        for i in tf.range(n):
            dst = dst.write(i, src.read(n - 1 - i) * tf.cast(i, tf.float32))
        return dst.stack(), dst.gather([0, n - 1]), dst.concat()

    # a TensorArray whose elements grow with the step (no fixed element shape)
    @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
    def ragged(self, n):
        ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True, infer_shape=False)
        for i in tf.range(n):
            ta = ta.write(i, tf.range(i + 1))
        return ta.concat(), ta.size()


def direct():
    """The ops called one by one (TF's internal list_ops module, the builders tf.TensorArray
    uses): values, a gradient through a chain of them, and TF's error texts."""
    from tensorflow.python.ops import gen_list_ops
    from tensorflow.python.ops import list_ops as L
    x = tf.constant([[1., 2.], [3., 4.], [5., 6.]])

    @tf.function
    def chain(x):
        with tf.GradientTape() as t:
            t.watch(x)
            lst = L.tensor_list_from_tensor(x, [2])
            a = L.tensor_list_get_item(lst, 2, tf.float32)
            lst = L.tensor_list_set_item(lst, 0, a * a)
            lst = L.tensor_list_push_back(lst, a * 3.)
            lst, b = L.tensor_list_pop_back(lst, tf.float32)
            s = L.tensor_list_stack(lst, tf.float32)
            g = L.tensor_list_gather(lst, [0, 0], tf.float32)
            y = tf.reduce_sum(s * s) + tf.reduce_sum(b) + tf.reduce_sum(g)
        return y, t.gradient(y, x)

    @tf.function
    def split_concat(x):
        with tf.GradientTape() as t:
            t.watch(x)
            lst = L.tensor_list_split(x, [-1, 2], tf.constant([1, 2], tf.int64))
            c, lengths = gen_list_ops.tensor_list_concat_v2(
                lst, element_dtype=tf.float32, element_shape=[-1, 2],
                leading_dims=tf.zeros([0], tf.int64))
            sc = L.tensor_list_scatter(x * 2.0, [3, 0, 1], [2])
            y = tf.reduce_sum(c * c) + tf.reduce_sum(
                L.tensor_list_stack(sc, tf.float32) * [[1.], [2.], [3.], [4.]])
        return c, lengths, L.tensor_list_stack(sc, tf.float32), t.gradient(y, x)

    out = {}
    y, g = chain(x)
    out["chain"] = float(y)
    out["chain_grad"] = g.numpy().tolist()
    c, lengths, sc, g = split_concat(x)
    out["split_concat"] = c.numpy().tolist()
    out["split_lengths"] = lengths.numpy().tolist()
    out["scatter_stack"] = sc.numpy().tolist()
    out["split_scatter_grad"] = g.numpy().tolist()
    lst = L.tensor_list_reserve([2], 3, tf.float32)
    out["reserve_stack"] = L.tensor_list_stack(lst, tf.float32).numpy().tolist()
    out["resize_stack"] = L.tensor_list_stack(
        L.tensor_list_resize(L.tensor_list_from_tensor(x, [2]), 4), tf.float32).numpy().tolist()
    out["element_shape"] = L.tensor_list_element_shape(
        L.tensor_list_from_tensor(x, [2]), tf.int32).numpy().tolist()
    out["element_shape_unknown"] = int(L.tensor_list_element_shape(
        L.empty_tensor_list(None, tf.float32), tf.int32))
    out["str"] = str(tf.zeros_like(L.tensor_list_from_tensor(x, [2])))
    errs = {}
    empty = L.empty_tensor_list(None, tf.float32)
    cases = {
        "get_out_of_range": lambda: L.tensor_list_get_item(lst, 5, tf.float32),
        "set_out_of_range": lambda: L.tensor_list_set_item(lst, 3, [1., 2.]),
        "set_bad_shape": lambda: L.tensor_list_set_item(lst, 1, [1., 2., 3.]),
        "stack_empty_unknown": lambda: L.tensor_list_stack(empty, tf.float32),
        "pop_empty": lambda: L.tensor_list_pop_back(empty, tf.float32),
        "stack_wrong_dtype": lambda: L.tensor_list_stack(lst, tf.int32),
        "stack_wrong_count": lambda: L.tensor_list_stack(lst, tf.float32, num_elements=2),
        "push_bad_shape": lambda: L.tensor_list_push_back(lst, [1., 2., 3.]),
    }
    for k, fn in cases.items():
        try:
            fn()
        except tf.errors.OpError as e:
            errs[k] = [type(e).__name__, e.message.split(" [Op:")[0].split("} ", 1)[-1]]
    out["errors"] = errs
    return out


def function_op_names():
    """(name, type) of the TensorArray ops a tf.function records, each method once."""
    @tf.function
    def f(x):
        ta = tf.TensorArray(tf.float32, size=2)
        ta = ta.write(0, x[0])
        ta = ta.write(1, x[1])
        r = ta.read(1)
        s, g = ta.stack(), ta.gather([1, 0])
        u = tf.TensorArray(tf.float32, size=2).unstack(x)
        sc = tf.TensorArray(tf.float32, size=2).scatter([1, 0], x)
        sp = tf.TensorArray(tf.float32, size=2, infer_shape=False).split(
            tf.reshape(x, [-1]), [1, 3])
        d = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(0, x[0])
        return r, s, g, u.stack(), sc.stack(), sp.concat(), d.stack(), d.size()
    cf = f.get_concrete_function(tf.TensorSpec([2, 2], tf.float32))
    ops = [[o.name, o.type] for o in cf.graph.get_operations()
           if o.type.startswith(("TensorList", "EmptyTensorList"))]
    values = [v.numpy().tolist() for v in f(tf.constant([[1., 2.], [3., 4.]]))]
    return {"ops": ops, "values": values,
            "set_item_resize": [bool(o.get_attr("resize_if_index_out_of_bounds"))
                                for o in cf.graph.get_operations()
                                if o.type == "TensorListSetItem"],
            "stack_num_elements": [o.get_attr("num_elements")
                                   for o in cf.graph.get_operations()
                                   if o.type == "TensorListStack"]}


def main():
    path = os.path.join(OUT, "tensor_list")
    shutil.rmtree(path, ignore_errors=True)
    m = Lists()
    tf.saved_model.save(m, path, signatures={"powers": m.powers,
                                             "loss_and_grad": m.loss_and_grad,
                                             "reverse": m.reverse, "ragged": m.ragged})
    x = np.array([1.5, -0.5, 0.25], np.float32)
    xs = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, 0.5, 2.0]], np.float32)
    xr = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    ops = {}
    for name in ("powers", "loss_and_grad", "reverse", "ragged"):
        cf = getattr(m, name).get_concrete_function()
        types = {o.type for o in cf.graph.get_operations()}
        for f in cf.graph._functions.values():
            types |= {o.type for o in f.graph.get_operations()}
        ops[name] = sorted(t for t in types if t.startswith(("TensorList", "EmptyTensorList")))
    y, g = m.loss_and_grad(xs)
    st, ga, co = m.reverse(xr)
    rc, rs = m.ragged(4)
    expected = {
        "tensor_list_ops": ops,
        "powers3": m.powers(x, 3).numpy().tolist(),
        "powers0_shape": list(m.powers(x, 0).shape),
        "loss": float(y), "grad_w": g.numpy().tolist(),
        "loss1": float(m.loss_and_grad(xs[:1])[0]),
        "grad_w1": m.loss_and_grad(xs[:1])[1].numpy().tolist(),
        "reverse_stack": st.numpy().tolist(), "reverse_gather": ga.numpy().tolist(),
        "reverse_concat": co.numpy().tolist(),
        "ragged_concat": rc.numpy().tolist(), "ragged_size": int(rs),
        "direct": direct(),
        "function": function_op_names(),
    }
    with open(os.path.join(OUT, "tensor_list_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("written to", os.path.abspath(path))


if __name__ == "__main__":
    main()
