"""TensorList ops (ops/list_ops.py): the variant list TF 2's tf.function records for a
TensorArray in a loop and for its loop gradients' accumulators.

The values are TF 2.21's, recorded by tools/record_tf_tensor_list.py into
tests/data/tf_saved_models/tensor_list_expected.json, next to the SavedModel TF wrote
(tensor_list/) whose functions use them; a few are derived by hand where noted."""
import json
import os

import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("v2")

SM = os.path.join(os.path.dirname(__file__), "data", "tf_saved_models")
with open(os.path.join(SM, "tensor_list_expected.json")) as _f:
    EXP = json.load(_f)
D = EXP["direct"]
X = np.array([[1., 2.], [3., 4.], [5., 6.]], np.float32)


@pytest.fixture(scope="module")
def loaded():
    import tfteach as tf
    return tf.saved_model.load(os.path.join(SM, "tensor_list"))


def _library_ops():
    from tfteach.train import saved_model as sm_mod
    msg = sm_mod._pb()[-1].SavedModel.FromString(
        open(os.path.join(SM, "tensor_list", "saved_model.pb"), "rb").read())
    return {n.op for f in msg.meta_graphs[0].graph_def.library.function for n in f.node_def}


def test_the_fixture_holds_tfs_tensor_list_ops():
    ops = _library_ops()
    recorded = set().union(*EXP["tensor_list_ops"].values())
    assert recorded <= ops
    assert {"TensorListReserve", "TensorListSetItem", "TensorListStack", "TensorListPushBack",
            "TensorListPopBack", "TensorListGetItem", "TensorListConcatV2",
            "TensorListGather", "TensorListFromTensor", "TensorListResize"} <= recorded
    assert "TensorArrayV3" not in ops


def test_a_tensor_array_written_in_a_loop_runs_as_tf(tf2, loaded):
    x = tf2.constant([1.5, -0.5, 0.25])
    out = loaded.powers(x, tf2.constant(3))
    # hand: x*w = [3, 0.5, 0.125], then its powers 1..3
    assert out.numpy().tolist() == EXP["powers3"] == [[3.0, 0.5, 0.125], [9.0, 0.25, 0.015625],
                                                      [27.0, 0.125, 0.001953125]]
    assert list(loaded.powers(x, tf2.constant(0)).shape) == EXP["powers0_shape"] == [0, 3]
    sig = loaded.signatures["powers"](x=x, n=tf2.constant(3))["output_0"]
    assert sig.numpy().tolist() == EXP["powers3"]


def test_the_gradient_loop_tf_saved_pops_what_the_forward_loop_pushed(tf2, loaded):
    xs = tf2.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, 0.5, 2.0]])
    y, g = loaded.loss_and_grad(xs)
    # hand: rows . w = 1.5, 6, -1.5, times 1, 2, 3: y = 2.25 + 144 + 20.25
    assert float(y) == EXP["loss"] == 166.5
    assert g.numpy().tolist() == EXP["grad_w"] == [222.0, 232.5, 243.0]
    y1, g1 = loaded.loss_and_grad(xs[:1])
    assert float(y1) == EXP["loss1"] and g1.numpy().tolist() == EXP["grad_w1"]
    loaded.w.assign([1.0, 1.0, 1.0])     # the loop reads the loaded variable
    try:
        y, g = loaded.loss_and_grad(xs[:1])
        assert float(y) == 36.0 and g.numpy().tolist() == [12.0, 24.0, 36.0]
    finally:
        loaded.w.assign([2.0, -1.0, 0.5])


def test_unstack_read_gather_and_concat_as_tf(tf2, loaded):
    st, ga, co = loaded.reverse(tf2.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert st.numpy().tolist() == EXP["reverse_stack"]
    assert ga.numpy().tolist() == EXP["reverse_gather"]
    assert co.numpy().tolist() == EXP["reverse_concat"]
    rc, rs = loaded.ragged(tf2.constant(4))
    assert rc.numpy().tolist() == EXP["ragged_concat"] == [0, 0, 1, 0, 1, 2, 0, 1, 2, 3]
    assert int(rs) == EXP["ragged_size"] == 4


def _L():
    from tfteach.ops import list_ops
    return list_ops


def test_a_chain_of_list_ops_and_its_gradient_in_a_function(tf2):
    L = _L()

    @tf2.function
    def chain(x):
        with tf2.GradientTape() as t:
            t.watch(x)
            lst = L.tensor_list_from_tensor(x, [2])
            a = L.tensor_list_get_item(lst, 2, tf2.float32)
            lst = L.tensor_list_set_item(lst, 0, a * a)
            lst = L.tensor_list_push_back(lst, a * 3.)
            lst, b = L.tensor_list_pop_back(lst, tf2.float32)
            s = L.tensor_list_stack(lst, tf2.float32)
            g = L.tensor_list_gather(lst, [0, 0], tf2.float32)
            y = tf2.reduce_sum(s * s) + tf2.reduce_sum(b) + tf2.reduce_sum(g)
        return y, t.gradient(y, x)
    y, g = chain(tf2.constant(X))
    assert float(y) == D["chain"]
    assert g.numpy().tolist() == D["chain_grad"]
    types = [o.type for o in chain.get_concrete_function(tf2.constant(X)).graph
             .get_operations()]
    assert "TensorListPopBack" in types and "TensorListScatterIntoExistingList" in types


def test_split_concat_scatter_and_their_gradients(tf2):
    L = _L()

    @tf2.function
    def f(x):
        with tf2.GradientTape() as t:
            t.watch(x)
            lst = L.tensor_list_split(x, [-1, 2], tf2.constant([1, 2], tf2.int64))
            c, lengths = L.tensor_list_concat_v2(lst, tf2.float32, element_shape=[-1, 2])
            sc = L.tensor_list_scatter(x * 2.0, [3, 0, 1], [2])
            y = tf2.reduce_sum(c * c) + tf2.reduce_sum(
                L.tensor_list_stack(sc, tf2.float32) * [[1.], [2.], [3.], [4.]])
        return c, lengths, L.tensor_list_stack(sc, tf2.float32), t.gradient(y, x)
    c, lengths, sc, g = f(tf2.constant(X))
    assert c.numpy().tolist() == D["split_concat"]
    assert lengths.numpy().tolist() == D["split_lengths"]
    assert sc.numpy().tolist() == D["scatter_stack"]
    assert g.numpy().tolist() == D["split_scatter_grad"]


def test_eager_values_and_printing(tf2):
    L = _L()
    x = tf2.constant(X)
    lst = L.tensor_list_from_tensor(x, [2])
    assert lst.dtype == tf2.variant and lst.shape == ()
    reserved = L.tensor_list_reserve([2], 3, tf2.float32)
    assert L.tensor_list_stack(reserved, tf2.float32).numpy().tolist() == D["reserve_stack"]
    assert L.tensor_list_stack(L.tensor_list_resize(lst, 4), tf2.float32).numpy().tolist() \
        == D["resize_stack"]
    assert L.tensor_list_element_shape(lst, tf2.int32).numpy().tolist() == D["element_shape"]
    empty = L.empty_tensor_list(None, tf2.float32)
    assert int(L.tensor_list_element_shape(empty, tf2.int32)) == D["element_shape_unknown"]
    assert int(L.tensor_list_length(lst)) == 3
    assert str(tf2.zeros_like(lst)) == D["str"]
    # hand: zeros_like keeps the shapes, add_n adds element by element
    assert L.tensor_list_stack(tf2.zeros_like(lst), tf2.float32).numpy().tolist() == \
        np.zeros((3, 2)).tolist()
    assert L.tensor_list_stack(tf2.math.add_n([lst, lst]), tf2.float32).numpy().tolist() == \
        (2 * X).tolist()
    # a list fed to two ops is two lists: setting an item leaves the first as it was
    changed = L.tensor_list_set_item(lst, 0, tf2.constant([9., 9.]))
    assert L.tensor_list_stack(lst, tf2.float32).numpy().tolist() == X.tolist()
    assert L.tensor_list_get_item(changed, 0, tf2.float32).numpy().tolist() == [9., 9.]


@pytest.mark.parametrize("case", sorted(D["errors"]))
def test_errors_are_tfs(tf2, case):
    L = _L()
    lst = L.tensor_list_reserve([2], 3, tf2.float32)
    empty = L.empty_tensor_list(None, tf2.float32)
    calls = {
        "get_out_of_range": lambda: L.tensor_list_get_item(lst, 5, tf2.float32),
        "set_out_of_range": lambda: L.tensor_list_set_item(lst, 3, [1., 2.]),
        "set_bad_shape": lambda: L.tensor_list_set_item(lst, 1, [1., 2., 3.]),
        "stack_empty_unknown": lambda: L.tensor_list_stack(empty, tf2.float32),
        "pop_empty": lambda: L.tensor_list_pop_back(empty, tf2.float32),
        "stack_wrong_dtype": lambda: L.tensor_list_stack(lst, tf2.int32),
        "stack_wrong_count": lambda: L.tensor_list_stack(lst, tf2.float32, num_elements=2),
        "push_bad_shape": lambda: L.tensor_list_push_back(lst, [1., 2., 3.]),
    }
    cls, msg = D["errors"][case]
    with pytest.raises(getattr(errors, cls)) as e:
        calls[case]()
    assert msg in str(e.value)


def test_a_list_carried_by_a_v1_while_loop_and_its_gradient(tf1):
    """tfteach's own TF1 while_loop carries a list like any tensor; tf.gradients runs the
    list gradients backwards through the loop frame. Hand: y = sum_i (i+1) * x_i^2."""
    L = _L()
    x = tf1.placeholder(tf1.float32, [3])
    lst0 = L.tensor_list_reserve([], 3, tf1.float32)

    def body(i, lst):
        return i + 1, L.tensor_list_set_item(lst, i, x[i] * x[i] * tf1.cast(i + 1,
                                                                              tf1.float32))
    _, lst = tf1.while_loop(lambda i, lst: i < 3, body, [tf1.constant(0), lst0])
    y = tf1.reduce_sum(L.tensor_list_stack(lst, tf1.float32))
    g, = tf1.gradients(y, [x])
    with tf1.Session() as s:
        yv, gv = s.run([y, g], {x: [1.0, 2.0, -3.0]})
    assert float(yv) == 1.0 + 8.0 + 27.0
    assert gv.tolist() == [2.0, 8.0, -18.0]


def test_tf_function_records_a_tensor_array_as_tfs_tensor_list_ops(tf2):
    """What a student sees in `get_concrete_function().graph.get_operations()`: TF 2.21's
    TensorList ops under TF's names, each TensorArray method once."""
    F = EXP["function"]

    @tf2.function
    def f(x):
        ta = tf2.TensorArray(tf2.float32, size=2)
        ta = ta.write(0, x[0])
        ta = ta.write(1, x[1])
        r = ta.read(1)
        s, g = ta.stack(), ta.gather([1, 0])
        u = tf2.TensorArray(tf2.float32, size=2).unstack(x)
        sc = tf2.TensorArray(tf2.float32, size=2).scatter([1, 0], x)
        sp = tf2.TensorArray(tf2.float32, size=2, infer_shape=False).split(
            tf2.reshape(x, [-1]), [1, 3])
        d = tf2.TensorArray(tf2.float32, size=0, dynamic_size=True).write(0, x[0])
        return r, s, g, u.stack(), sc.stack(), sp.concat(), d.stack(), d.size()
    ops = f.get_concrete_function(tf2.TensorSpec([2, 2], tf2.float32)).graph.get_operations()
    got = [[o.name, o.type] for o in ops if o.type.startswith(("TensorList", "EmptyTensor"))]
    assert sorted(got) == sorted(F["ops"])
    assert not [o for o in ops if o.type.startswith("TensorArray")]
    assert [o.get_attr("resize_if_index_out_of_bounds") for o in ops
            if o.type == "TensorListSetItem"] == F["set_item_resize"]
    assert sorted(o.get_attr("num_elements") for o in ops if o.type == "TensorListStack") == \
        sorted(F["stack_num_elements"])
    values = [v.numpy().tolist() for v in f(tf2.constant([[1., 2.], [3., 4.]]))]
    assert values == F["values"]


def test_tf1_graphs_keep_tensor_array_v3(tf1):
    """TF1 (v2 control flow off) keeps the handle-and-flow TensorArrayV3 ops."""
    ta = tf1.TensorArray(tf1.float32, size=2).write(0, 1.0)
    assert ta.handle.op.type == "TensorArrayV3" and ta.flow.op.type == "TensorArrayWriteV3"


TF_PYTHON = os.environ.get("TFTEACH_TF_PYTHON")
needs_tf = pytest.mark.skipif(not TF_PYTHON and os.environ.get("CI") != "true",
                              reason="TFTEACH_TF_PYTHON names no TensorFlow interpreter")


@needs_tf
def test_tensorflow_runs_a_tfteach_saved_tensor_array_loop(tf2, tmp_path):
    """A tfteach SavedModel whose function writes a TensorArray in a loop (TensorList ops
    in a TF1 loop frame) runs in TF 2.21; hand: rows of x scaled by
    their index plus one, stacked, and their sum of squares."""
    import subprocess

    class Rows(tf2.Module):
        def __init__(self):
            super().__init__()
            self.v = tf2.Variable(2.0)

        @tf2.function(input_signature=[tf2.TensorSpec([None, 2], tf2.float32)])
        def scaled(self, x):
            n = tf2.shape(x)[0]
            ta = tf2.TensorArray(tf2.float32, size=n)
            _, ta = tf2.while_loop(
                lambda i, ta: i < n,
                lambda i, ta: (i + 1, ta.write(i, x[i] * tf2.cast(i + 1, tf2.float32)
                                               * self.v)),
                [tf2.constant(0), ta])
            out = ta.stack()
            return {"out": out, "total": tf2.reduce_sum(out * out)}
    m = Rows()
    x = np.array([[1., 2.], [3., 4.], [-1., 0.5]], np.float32)
    want_out = (x * np.array([[1.], [2.], [3.]]) * 2.0).tolist()
    want_total = float((np.array(want_out) ** 2).sum())       # 4 * (5 + 100 + 11.25)
    got = m.scaled(tf2.constant(x))
    assert got["out"].numpy().tolist() == want_out
    assert float(got["total"]) == want_total == 465.0
    path = tmp_path / "rows"
    tf2.saved_model.save(m, str(path), signatures={"scaled": m.scaled})
    assert TF_PYTHON, "CI=true but TFTEACH_TF_PYTHON names no TensorFlow interpreter"
    code = """
import json, numpy as np, tensorflow as tf
m = tf.saved_model.load("rows")
r = m.signatures["scaled"](x=tf.constant([[1., 2.], [3., 4.], [-1., 0.5]]))
ops = {n.op for f in m.signatures["scaled"].graph.as_graph_def().library.function
       for n in f.node_def} | {n.op for n in m.signatures["scaled"].graph.as_graph_def().node}
print(json.dumps({"out": r["out"].numpy().tolist(), "total": float(r["total"]),
                  "lists": sorted(o for o in ops if o.startswith("TensorList"))}))
"""
    res = subprocess.run([TF_PYTHON, "-c", code], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), cwd=str(tmp_path))
    assert res.returncode == 0, res.stderr[-3000:]
    tf_got = json.loads(res.stdout.strip().splitlines()[-1])
    assert tf_got["out"] == want_out and tf_got["total"] == want_total
    assert {"TensorListReserve", "TensorListSetItem", "TensorListStack"} <= \
        set(tf_got["lists"])
