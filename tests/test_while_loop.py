"""TF1 `tf.while_loop`: the control-flow-v1 frame (Enter, Merge, LoopCond, Switch, Identity,
NextIteration, Exit) as TF 2.21 builds it with v2 behaviour off, and its values through
Session.run.

Names, edges, attrs, shapes, values and messages below were recorded with TF 2.21
(`tf.compat.v1`, `disable_v2_behavior()`). One difference is deliberate, as for tf.cond: a
captured outside tensor's Enter (`while/mul/Enter`) is created just before the op that
consumes it (TF: just after), so creation order stays a topological order outside the
loop's back edges; names and edges are the same.
"""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")


@pytest.fixture
def tf(tf1):
    return tf1


def _graph(tf):
    return {op.name: (op.type, [t.name for t in op.inputs],
                      [c.name for c in op.control_inputs])
            for op in tf.get_default_graph().get_operations()}


def test_while_graph_is_tf1s(tf):
    x = tf.constant(2.0, name="x")
    r = tf.while_loop(lambda i, a: i < 5, lambda i, a: (i + 1, a * x),
                      [tf.constant(0), tf.constant(1.0)])
    assert isinstance(r, tuple) and [t.name for t in r] == ["while/Exit:0", "while/Exit_1:0"]
    assert _graph(tf) == {
        "x": ("Const", [], []),
        "Const": ("Const", [], []),
        "Const_1": ("Const", [], []),
        "while/Enter": ("Enter", ["Const:0"], []),
        "while/Enter_1": ("Enter", ["Const_1:0"], []),
        "while/Merge": ("Merge", ["while/Enter:0", "while/NextIteration:0"], []),
        "while/Merge_1": ("Merge", ["while/Enter_1:0", "while/NextIteration_1:0"], []),
        "while/Less/y": ("Const", [], ["while/Merge"]),
        "while/Less": ("Less", ["while/Merge:0", "while/Less/y:0"], []),
        "while/LoopCond": ("LoopCond", ["while/Less:0"], []),
        "while/Switch": ("Switch", ["while/Merge:0", "while/LoopCond:0"], []),
        "while/Switch_1": ("Switch", ["while/Merge_1:0", "while/LoopCond:0"], []),
        "while/Identity": ("Identity", ["while/Switch:1"], []),
        "while/Identity_1": ("Identity", ["while/Switch_1:1"], []),
        "while/add/y": ("Const", [], ["while/Identity"]),
        "while/add": ("AddV2", ["while/Identity:0", "while/add/y:0"], []),
        "while/mul": ("Mul", ["while/Identity_1:0", "while/mul/Enter:0"], []),
        "while/mul/Enter": ("Enter", ["x:0"], []),
        "while/NextIteration": ("NextIteration", ["while/add:0"], []),
        "while/NextIteration_1": ("NextIteration", ["while/mul:0"], []),
        "while/Exit": ("Exit", ["while/Switch:0"], []),
        "while/Exit_1": ("Exit", ["while/Switch_1:0"], []),
    }
    g = tf.get_default_graph()
    for name, const in [("while/Enter", False), ("while/Enter_1", False),
                        ("while/mul/Enter", True)]:
        op = g.get_operation_by_name(name)
        assert op.get_attr("frame_name") == "while/while_context"
        assert op.get_attr("is_constant") is const
        assert op.get_attr("parallel_iterations") == 10
    with tf.Session() as s:
        assert s.run(r) == (5, 32.0)


def test_stateful_body_runs_once_per_iteration(tf):
    v = tf.Variable(0.0, name="v")

    def body(i):
        with tf.control_dependencies([v.assign_add(1.0)]):
            return i + 1
    r = tf.while_loop(lambda i: i < 3, body, [tf.constant(0)])
    g = _graph(tf)
    assert g["while/AssignAdd/RefEnter"] == ("RefEnter", ["v:0"], [])
    assert g["while/AssignAdd"] == ("AssignAdd", ["while/AssignAdd/RefEnter:0",
                                                  "while/AssignAdd/value:0"], [])
    assert g["while/AssignAdd/value"] == ("Const", [], ["while/Identity"])
    assert g["while/add/y"] == ("Const", [], ["while/AssignAdd"])
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(r) == 3
        assert s.run(v) == 3.0
        s.run(r)
        assert s.run(v) == 6.0


def test_nested_loop_and_cond_in_body(tf):
    def body(i, a):
        j = tf.while_loop(lambda j: j < i, lambda j: j + 1, [tf.constant(0)])
        a = tf.cond(i > 1, lambda: a + tf.cast(j, tf.float32), lambda: a)
        return i + 1, a
    r = tf.while_loop(lambda i, a: i < 4, body, [tf.constant(0), tf.constant(0.0)])
    g = _graph(tf)
    assert g["while/Const"] == ("Const", [], ["while/Identity"])
    assert g["while/while/Enter"] == ("Enter", ["while/Const:0"], [])
    assert g["while/while/Less/Enter"] == ("Enter", ["while/Identity:0"], [])
    assert g["while/cond/Cast/Switch"] == ("Switch", ["while/while/Exit:0",
                                                      "while/cond/pred_id:0"], [])
    assert g["while/NextIteration_1"] == ("NextIteration", ["while/cond/Merge:0"], [])
    op = tf.get_default_graph().get_operation_by_name("while/while/Less/Enter")
    assert op.get_attr("frame_name") == "while/while/while_context"
    assert op.get_attr("is_constant") is True
    with tf.Session() as s:
        assert s.run(r) == (4, 5.0)


def test_maximum_iterations_graph_and_value(tf):
    r = tf.while_loop(lambda i: i < 50, lambda i: i + 1, [tf.constant(0)],
                      maximum_iterations=7)
    assert r.name == "while/Exit_1:0"
    g = _graph(tf)
    assert g["while/maximum_iterations"] == ("Const", [], [])
    assert g["while/iteration_counter"] == ("Const", [], [])
    assert g["while/Enter"] == ("Enter", ["while/iteration_counter:0"], [])
    assert g["while/Less"] == ("Less", ["while/Merge:0", "while/Less/Enter:0"], [])
    assert g["while/Less/Enter"] == ("Enter", ["while/maximum_iterations:0"], [])
    assert g["while/LogicalAnd"] == ("LogicalAnd", ["while/Less:0", "while/Less_1:0"], [])
    assert g["while/LoopCond"] == ("LoopCond", ["while/LogicalAnd:0"], [])
    assert g["while/add_1"] == ("AddV2", ["while/Identity_1:0", "while/add_1/y:0"], [])
    with tf.Session() as s:
        assert s.run(r) == 7
    tf.reset_default_graph()
    r = tf.while_loop(lambda x: tf.constant([True, False])[0], lambda x: x + 1,
                      [tf.constant(1)], maximum_iterations=3)
    with tf.Session() as s:
        assert s.run(r) == 4


def test_values_with_feeds_and_structures(tf):
    n = tf.placeholder(tf.int32, [], name="n")
    r = tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc + i),
                      (tf.constant(0), tf.constant(0)))
    with tf.Session() as s:
        assert s.run(r, {n: 5}) == (5, 10)
        assert s.run(r, {n: 0}) == (0, 0)
    tf.reset_default_graph()
    # a Python number is a loop variable too; one variable comes back bare
    r = tf.while_loop(lambda x: x < 10, lambda x: x + 1, [1])
    assert r.name == "while/Exit:0"
    r2 = tf.while_loop(lambda x: x < 10, lambda x: [x + 1], [1], return_same_structure=True)
    assert [t.name for t in r2] == ["while_1/Exit:0"]
    # nested structures of loop variables
    r3 = tf.while_loop(lambda d: d["a"] < 10,
                       lambda d: [{"a": d["a"] + 3, "b": d["b"] * 2.0}],
                       [{"a": tf.constant(1), "b": tf.constant(1.0)}])
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        # TF wraps only a bare tensor in a list, not a dict
        tf.while_loop(lambda d: d["a"] < 10, lambda d: {"a": d["a"] + 3, "b": d["b"]},
                      [{"a": tf.constant(1), "b": tf.constant(1.0)}])
    with tf.Session() as s:
        assert s.run(r) == 10
        assert s.run(r2) == [10]
        assert s.run(r3) == [{"a": 10, "b": 8.0}]


def test_shape_invariants(tf):
    with pytest.raises(ValueError) as e:
        tf.while_loop(lambda x: tf.reduce_sum(x) < 10, lambda x: tf.concat([x, x], 0),
                      [tf.constant([1])])
    assert str(e.value) == (
        "Input tensor 'Const:0' enters the loop with shape (1,), but has shape (2,) after one "
        "iteration. To allow the shape to vary across iterations, use the `shape_invariants` "
        "argument of tf.while_loop to specify a less-specific shape.")
    with pytest.raises(ValueError) as e:
        tf.while_loop(lambda x: x < 5, lambda x: tf.reshape(x, [1]), [tf.constant(1)])
    assert "enters the loop with shape (), but has shape (1,) after one" in str(e.value)
    with pytest.raises(ValueError) as e:
        tf.while_loop(lambda x: tf.reduce_sum(x) < 10, lambda x: tf.concat([x, x], 0),
                      [tf.constant([1])], shape_invariants=[tf.TensorShape([3])])
    assert str(e.value).startswith(
        "The shape invariant specified for Const_")
    assert str(e.value).endswith(
        "is not compatible with the initial shape of the loop variable. It enters the loop "
        "with shape (1,), but the specified shape invariant is (3,).")
    tf.reset_default_graph()
    r = tf.while_loop(lambda x: tf.reduce_sum(x) < 10, lambda x: tf.concat([x, x], 0),
                      [tf.constant([1])], shape_invariants=[tf.TensorShape([None])])
    g = tf.get_default_graph()
    for name in ("while/Enter", "while/Merge", "while/Switch", "while/Identity",
                 "while/NextIteration", "while/Exit"):
        assert g.get_operation_by_name(name).outputs[0].shape.as_list() == [None]
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(r), [1] * 16)


@pytest.mark.parametrize("src, cls, msg", [
    ("tf.while_loop(lambda x: x < 10, lambda x: x + 1, [])", ValueError,
     "'loop_vars' must be provided."),
    ("tf.while_loop(lambda x: x < 10, 3, [1])", TypeError, "'body' must be callable."),
    ("tf.while_loop(3, lambda x: x + 1, [1])", TypeError, "'cond' must be callable."),
    ("tf.while_loop(lambda x: x, lambda x: x + 1, [tf.constant(1)])", TypeError,
     "Input 'input' of 'LoopCond' Op has type int32 that does not match expected type of "
     "bool."),
    ("tf.while_loop(lambda x: x < 10, lambda x: (x + 1, x), [tf.constant(1)])", ValueError,
     "The two structures don't have the same nested structure."),
    ("tf.while_loop(lambda x: x < 10, lambda x: x + 1, [tf.constant(1)], "
     "maximum_iterations=[3, 4])", ValueError,
     "'maximum_iterations' must be a scalar. Received shape: (2,)"),
])
def test_errors_are_tfs(tf, src, cls, msg):
    with pytest.raises(cls) as e:
        eval(src, {"tf": tf})
    assert str(e.value) == msg


def test_non_scalar_condition_is_tfs_shape_error(tf):
    with pytest.raises(ValueError) as e:
        tf.while_loop(lambda x: tf.constant([True, False]), lambda x: x + 1, [tf.constant(1)])
    assert "Shape must be rank 0 but is rank 1" in str(e.value)
    assert "while/LoopCond" in str(e.value)


def test_fetching_inside_the_loop_is_tfs_error(tf):
    tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
    with tf.Session() as s:
        with pytest.raises(ValueError) as e:
            s.run("while/Identity:0")
    assert str(e.value).startswith(
        "Operation while/Identity has been marked as not fetchable.")


# --- gradients: TF's backward loop over stacked forward values (ops/while_grad.py) ---------
# Values below were measured with TF 2.21 (compat.v1, v2 behaviour off) on the same graphs.

def test_gradient_graph_is_tf1s(tf):
    x = tf.constant(2.0, name="x")
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x),
                      [tf.constant(0), tf.constant(1.5)])
    gx, = tf.gradients(r[1], [x])
    assert gx.name == "gradients/while/mul/Enter_grad/b_acc_3:0"
    g = _graph(tf)
    expected = {
        "gradients/f_count": ("Const", [], []),
        "gradients/f_count_1": ("Enter", ["gradients/f_count:0"], []),
        "gradients/Merge": ("Merge", ["gradients/f_count_1:0", "gradients/NextIteration:0"],
                            []),
        "gradients/Switch": ("Switch", ["gradients/Merge:0", "while/LoopCond:0"], []),
        "gradients/Add/y": ("Const", [], ["while/Identity"]),
        "gradients/Add": ("AddV2", ["gradients/Switch:1", "gradients/Add/y:0"], []),
        "gradients/NextIteration": ("NextIteration", ["gradients/Add:0"],
                                    ["gradients/while/mul_grad/Mul_1/StackPushV2"]),
        "gradients/f_count_2": ("Exit", ["gradients/Switch:0"], []),
        "gradients/b_count": ("Const", [], []),
        "gradients/b_count_1": ("Enter", ["gradients/f_count_2:0"], []),
        "gradients/Merge_1": ("Merge", ["gradients/b_count_1:0",
                                        "gradients/NextIteration_1:0"], []),
        "gradients/GreaterEqual": ("GreaterEqual", ["gradients/Merge_1:0",
                                                    "gradients/GreaterEqual/Enter:0"], []),
        "gradients/GreaterEqual/Enter": ("Enter", ["gradients/b_count:0"], []),
        "gradients/b_count_2": ("LoopCond", ["gradients/GreaterEqual:0"], []),
        "gradients/Switch_1": ("Switch", ["gradients/Merge_1:0", "gradients/b_count_2:0"], []),
        "gradients/Sub": ("Sub", ["gradients/Switch_1:1", "gradients/GreaterEqual/Enter:0"],
                          []),
        "gradients/NextIteration_1": ("NextIteration", ["gradients/Sub:0"],
                                      ["gradients/while/mul_grad/Mul_1/b_sync"]),
        "gradients/b_count_3": ("Exit", ["gradients/Switch_1:0"], []),
        "gradients/while/Exit_1_grad/b_exit": ("Enter", ["gradients/grad_ys_0:0"], []),
        "gradients/while/Switch_1_grad/b_switch": (
            "Merge", ["gradients/while/Exit_1_grad/b_exit:0",
                      "gradients/while/Switch_1_grad_1/NextIteration:0"], []),
        "gradients/while/Merge_1_grad/Switch": (
            "Switch", ["gradients/while/Switch_1_grad/b_switch:0", "gradients/b_count_2:0"], []),
        "gradients/while/Enter_1_grad/Exit": ("Exit", ["gradients/while/Merge_1_grad/Switch:0"],
                                              []),
        "gradients/while/mul_grad/Mul": ("Mul", ["gradients/while/Merge_1_grad/Switch:1",
                                                 "gradients/while/mul_grad/Mul/Enter:0"], []),
        "gradients/while/mul_grad/Mul/Enter": ("Enter", ["x:0"], []),
        "gradients/while/mul_grad/Mul_1": ("Mul", [
            "gradients/while/Merge_1_grad/Switch:1",
            "gradients/while/mul_grad/Mul_1/StackPopV2:0"], []),
        "gradients/while/mul_grad/Mul_1/Const": ("Const", [], []),
        "gradients/while/mul_grad/Mul_1/f_acc": ("StackV2",
                                                 ["gradients/while/mul_grad/Mul_1/Const:0"], []),
        "gradients/while/mul_grad/Mul_1/Enter": ("Enter",
                                                 ["gradients/while/mul_grad/Mul_1/f_acc:0"], []),
        "gradients/while/mul_grad/Mul_1/StackPushV2": (
            "StackPushV2", ["gradients/while/mul_grad/Mul_1/Enter:0", "while/Identity_1:0"],
            ["gradients/Add"]),
        "gradients/while/mul_grad/Mul_1/StackPopV2": (
            "StackPopV2", ["gradients/while/mul_grad/Mul_1/StackPopV2/Enter:0"],
            ["gradients/Sub"]),
        "gradients/while/mul_grad/Mul_1/StackPopV2/Enter": (
            "Enter", ["gradients/while/mul_grad/Mul_1/f_acc:0"], []),
        "gradients/while/mul_grad/Mul_1/b_sync": (
            "ControlTrigger", [], ["gradients/while/mul_grad/Mul_1/StackPopV2"]),
        "gradients/while/mul/Enter_grad/b_acc": ("Const", [], []),
        "gradients/while/mul/Enter_grad/b_acc_1": ("Enter",
                                                   ["gradients/while/mul/Enter_grad/b_acc:0"], []),
        "gradients/while/mul/Enter_grad/b_acc_2": (
            "Merge", ["gradients/while/mul/Enter_grad/b_acc_1:0",
                      "gradients/while/mul/Enter_grad/NextIteration:0"], []),
        "gradients/while/mul/Enter_grad/Switch": (
            "Switch", ["gradients/while/mul/Enter_grad/b_acc_2:0", "gradients/b_count_2:0"], []),
        "gradients/while/mul/Enter_grad/Add": (
            "AddV2", ["gradients/while/mul/Enter_grad/Switch:1",
                      "gradients/while/mul_grad/Mul_1:0"], []),
        "gradients/while/mul/Enter_grad/NextIteration": (
            "NextIteration", ["gradients/while/mul/Enter_grad/Add:0"], []),
        "gradients/while/mul/Enter_grad/b_acc_3": ("Exit",
                                                   ["gradients/while/mul/Enter_grad/Switch:0"], []),
        "gradients/while/Switch_1_grad_1/NextIteration": (
            "NextIteration", ["gradients/while/mul_grad/Mul:0"], []),
    }
    assert {k: v for k, v in g.items() if k.startswith("gradients/") and
            k not in ("gradients/Shape", "gradients/grad_ys_0/Const", "gradients/grad_ys_0")} \
        == expected
    frames = {op.name: op.get_attr("frame_name") for op in tf.get_default_graph().get_operations()
              if op.type == "Enter"}
    assert frames["gradients/f_count_1"] == "while/while_context"
    assert frames["gradients/while/mul_grad/Mul_1/Enter"] == "while/while_context"
    assert frames["gradients/b_count_1"] == "gradients/while/while_context"
    assert frames["gradients/while/mul_grad/Mul_1/StackPopV2/Enter"] == \
        "gradients/while/while_context"
    with tf.Session() as s:
        assert s.run(gx) == 18.0
        # the forward results alone run without the counter and the pushes
        assert s.run(r) == (3, 12.0)
        assert s.run([gx, r[1]]) == [18.0, 12.0]


def _run_all(tf, fetches):
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return s.run(fetches)


def test_gradient_of_initial_value_and_zero_iterations(tf):
    x = tf.constant(2.0)
    a0 = tf.constant(1.5)
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x), [0, a0])
    z = tf.while_loop(lambda i, a: i < 0, lambda i, a: (i + 1, a * x), [0, a0])
    assert _run_all(tf, tf.gradients(r[1], [x, a0]) + tf.gradients(z[1], [x, a0])) == \
        [18.0, 8.0, 0.0, 1.0]


def test_gradient_several_loop_variables_and_unused_exit(tf):
    x = tf.constant([0.5, -0.3])

    def body(i, a, b):
        return i + 1, tf.tanh(a * b + x), a * 0.5 + b
    r = tf.while_loop(lambda i, a, b: i < 4, body,
                      [0, tf.constant([0.1, 0.2]), tf.constant([1.0, -1.0])])
    loss = tf.reduce_sum(r[1] * r[2]) + tf.reduce_sum(r[1])
    np.testing.assert_allclose(_run_all(tf, tf.gradients(loss, x)[0]), [1.289816, 0.075685],
                               rtol=1e-5)
    tf.reset_default_graph()
    # a loop variable passed through unchanged; the counter's exit gets no gradient
    x = tf.constant(3.0)
    r = tf.while_loop(lambda i, a, b: i < 2, lambda i, a, b: (i + 1, a * x, b),
                      [0, tf.constant(1.0), x])
    assert _run_all(tf, tf.gradients(r[1] + r[2], x)) == [7.0]


def test_gradient_matmul_and_reductions_in_body(tf):
    W = tf.constant(np.array([[0.5, -0.2], [0.1, 0.3]], np.float32))
    h0 = tf.constant(np.array([[1.0, 2.0]], np.float32))

    def body(i, h):
        return i + 1, tf.sigmoid(tf.matmul(h, W)) * tf.reduce_mean(h)
    r = tf.while_loop(lambda i, h: i < 5, body, [0, h0])
    gw, gh = _run_all(tf, tf.gradients(tf.reduce_sum(r[1]), [W, h0]))
    np.testing.assert_allclose(gw, [[0.116881, 0.127858], [0.142828, 0.158305]], rtol=1e-4)
    np.testing.assert_allclose(gh, [[0.081721, 0.088]], rtol=1e-4)


def test_gradient_with_cond_in_body(tf):
    x = tf.constant(2.0)
    a0 = tf.constant(1.5)

    def body(i, a):
        return i + 1, tf.cond(a < 5.0, lambda: a * x, lambda: a + 1.0)
    r = tf.while_loop(lambda i, a: i < 4, body, [0, a0])
    gx, ga = tf.gradients(r[1], [x, a0])
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"StackV2", "StackPushV2", "StackPopV2", "ControlTrigger"} <= types
    g = _graph(tf)
    # a value of a cond branch is pushed and popped behind Switches on the predicate
    assert g["gradients/while/cond/mul_grad/Mul_1/StackPushV2/Switch"] == (
        "Switch", ["gradients/while/cond/mul_grad/Mul_1/Enter:0", "while/cond/pred_id:0"], [])
    assert g["gradients/while/cond/mul_grad/Mul_1/StackPopV2"][1] == [
        "gradients/while/cond/mul_grad/Mul_1/Switch:1"]
    assert _run_all(tf, [gx, ga]) == [6.0, 4.0]
    tf.reset_default_graph()
    x = tf.constant(0.9)

    def body2(i, a):
        return i + 1, tf.cond(tf.equal(i % 2, 0),
                              lambda: tf.cond(a > 1.0, lambda: a * x, lambda: a * a),
                              lambda: a + x)
    r = tf.while_loop(lambda i, a: i < 5, body2, [0, tf.constant(1.5)])
    np.testing.assert_allclose(_run_all(tf, tf.gradients(r[1], x)), [7.874999], rtol=1e-5)


def test_gradient_variables_read_in_body_and_maximum_iterations(tf):
    v = tf.Variable(1.3)
    r = tf.while_loop(lambda a: a < 10.0, lambda a: a * v + 0.5, [tf.constant(1.0)])
    np.testing.assert_allclose(_run_all(tf, tf.gradients(r, v)), [38.146824], rtol=1e-5)
    tf.reset_default_graph()
    x = tf.constant(1.1)
    r = tf.while_loop(lambda a: a < 100.0, lambda a: a * x * 2.0, [tf.constant(1.0)],
                      maximum_iterations=3)
    np.testing.assert_allclose(_run_all(tf, tf.gradients(r, x)), [29.04], rtol=1e-5)
    tf.reset_default_graph()
    x = tf.Variable(1.5)
    r = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), [0, x])
    assert _run_all(tf, tf.gradients(r[1], x)) == [13.5]


def test_gradient_nested_loops(tf):
    x = tf.constant(1.2)

    def body(i, a):
        _, b = tf.while_loop(lambda j, b: j < 2, lambda j, b: (j + 1, b * x), [0, a])
        return i + 1, b + a
    r = tf.while_loop(lambda i, a: i < 3, body, [0, tf.constant(1.0)])
    np.testing.assert_allclose(_run_all(tf, tf.gradients(r[1], x)), [42.865925], rtol=1e-5)


def test_gradient_matches_finite_differences(tf):
    p = tf.placeholder(tf.float64, [3], name="p")
    n = tf.placeholder(tf.int32, [], name="n")

    def body(i, a, s):
        a = tf.cond(tf.reduce_sum(a) > 0.0, lambda: tf.sin(a) * p, lambda: a * a - p)
        return i + 1, a, s + tf.reduce_sum(a * a)
    r = tf.while_loop(lambda i, a, s: i < n, body,
                      [0, p * 0.5 + 0.1, tf.constant(0.0, tf.float64)])
    loss = r[2] + tf.reduce_sum(r[1])
    gp, = tf.gradients(loss, p)
    x0 = np.array([0.3, -0.7, 1.1])
    with tf.Session() as s:
        for steps in (0, 1, 4):
            got = s.run(gp, {p: x0, n: steps})
            num = np.zeros(3)
            for k in range(3):
                e = np.zeros(3)
                e[k] = 1e-6
                num[k] = (s.run(loss, {p: x0 + e, n: steps}) -
                          s.run(loss, {p: x0 - e, n: steps})) / 2e-6
            np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)


def test_minimize_through_a_loop(tf):
    v = tf.Variable(0.7)
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * v), [0, tf.constant(2.0)])
    loss = tf.square(r[1] - 1.0)
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(step)
        np.testing.assert_allclose(s.run(v), 0.884632, rtol=1e-5)      # TF's


def test_stack_ops_pair_within_one_run(tf):
    # pops beyond the pushes are TF's InvalidArgumentError; each run has its own stack
    from tfteach.framework.op_def_library import apply_op
    h = apply_op("StackV2", [tf.constant(-1)], {"elem_type": tf.float32})[0]
    push = apply_op("StackPushV2", [h, tf.constant(3.0)], {})[0]
    with tf.control_dependencies([push]):
        pop = apply_op("StackPopV2", [h], {"elem_type": tf.float32})[0]
    with tf.control_dependencies([pop]):
        pop2 = apply_op("StackPopV2", [h], {"elem_type": tf.float32})[0]
    with tf.Session() as s:
        assert s.run(pop) == 3.0
        assert s.run(pop) == 3.0
        with pytest.raises(errors.InvalidArgumentError, match="is empty"):
            s.run(pop2)


def test_loop_inside_a_cond_branch(tf):
    p = tf.placeholder(tf.bool, [], name="p")
    r = tf.cond(p, lambda: tf.while_loop(lambda i: i < 4, lambda i: i + 1, [tf.constant(0)]),
                lambda: tf.constant(-1))
    with tf.Session() as s:
        assert s.run(r, {p: True}) == 4
        assert s.run(r, {p: False}) == -1


def test_failing_kernel_in_the_body_names_the_op_and_rolls_back(tf):
    v = tf.Variable(0.0, name="v")
    m = tf.placeholder(tf.float32, [None], name="m")

    def body(i):
        with tf.control_dependencies([v.assign_add(1.0)]):
            return i + tf.reshape(m, [2, 2])[0, 0]
    r = tf.while_loop(lambda i: i < 3.0, body, [tf.constant(0.0)])
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(r, {m: [1, 2, 3, 4]}) == 3.0
        with pytest.raises(errors.InvalidArgumentError) as e:
            s.run(r, {m: [1, 2, 3]})
        assert "while/Reshape" in str(e.value)
        assert s.run(v) == 3.0


# --- TF2: tf.while_loop traced in a tf.function on a run-time condition ----------------------

def test_tf2_loop_in_function_is_lowered_to_the_frame(tf2):
    @tf2.function
    def f(n):
        return tf2.while_loop(lambda i, acc: i < n,
                              lambda i, acc: (i + 1, acc + tf2.cast(i, tf2.float32)),
                              (tf2.constant(0), tf2.constant(0.0)))
    out = f(tf2.constant(5))
    assert isinstance(out, tuple) and (int(out[0]), float(out[1])) == (5, 10.0)
    out = f(tf2.constant(3))
    assert (int(out[0]), float(out[1])) == (3, 3.0)
    types = {op.type for op in f.get_concrete_function(tf2.constant(5)).graph.get_operations()}
    assert {"Enter", "Merge", "LoopCond", "Switch", "NextIteration", "Exit"} <= types


def test_tf2_loop_reading_a_variable_and_tape(tf2):
    v = tf2.Variable(2.0)

    @tf2.function
    def g(n):
        return tf2.while_loop(lambda x: x < n, lambda x: x * v, [tf2.constant(1.0)])
    out = g(tf2.constant(10.0))
    assert isinstance(out, list) and float(out[0]) == 16.0
    with tf2.GradientTape() as t:
        y = g(tf2.constant(10.0))
    assert float(y[0]) == 16.0          # the forward value under a tape is TF's
    assert float(t.gradient(y, v)) == 32.0     # TF's


def test_tf2_tape_through_loop_with_cond_captures_and_variables(tf2):
    # values measured with TF 2.21 (which builds while_v2; the gradients are the same)
    v = tf2.Variable(2.0)
    c = tf2.constant([0.5, -1.0])

    @tf2.function
    def h(x, n):
        def body(i, a, s):
            a = tf2.cond(tf2.reduce_sum(a) > 0.0, lambda: tf2.sin(a) * x, lambda: a * c - x)
            return i + 1, a, s + tf2.reduce_sum(a * v)
        r = tf2.while_loop(lambda i, a, s: i < n, body, [0, x * 0.5, tf2.constant(0.0)])
        return r[2] + tf2.reduce_sum(r[1] * r[1])
    x = tf2.constant([0.3, 0.8])
    with tf2.GradientTape(persistent=True) as t:
        t.watch(x)
        t.watch(c)
        y = h(x, tf2.constant(3))
    gx, gc, gv = t.gradient(y, [x, c, v])
    np.testing.assert_allclose(float(y), 1.6642804145812988, rtol=1e-6)
    np.testing.assert_allclose(gx.numpy(), [0.9713600277900696, 5.500577926635742], rtol=1e-5)
    np.testing.assert_allclose(gc.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(float(gv), 0.813273, rtol=1e-5)


def test_tf2_training_through_a_loop(tf2):
    w = tf2.Variable([[0.5, -0.3], [0.2, 0.4]])
    opt = tf2.keras.optimizers.SGD(0.1)

    @tf2.function
    def loss_fn():
        r = tf2.while_loop(lambda i, h: i < 3,
                           lambda i, h: (i + 1, tf2.tanh(tf2.matmul(h, w))),
                           [0, tf2.constant([[1.0, 2.0]])])
        return tf2.reduce_sum(tf2.square(r[1] - 0.5))
    for _ in range(2):
        with tf2.GradientTape() as t:
            loss = loss_fn()
        opt.apply_gradients([(t.gradient(loss, w), w)])
    np.testing.assert_allclose(w.numpy(), [[0.5285189747810364, -0.08859699964523315],
                                           [0.17639799416065216, 0.5418180227279663]],
                               rtol=1e-5)


def test_v1_while_loop_runs_eagerly_as_tfs(tf2):
    v1 = tf2.compat.v1
    r = v1.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2.0), [0, 1.0])
    assert isinstance(r, tuple) and (int(r[0]), float(r[1])) == (3, 8.0)
    r = v1.while_loop(lambda a: a < 30, lambda a: a + 1, [0], maximum_iterations=4)
    assert int(r) == 4 and r.dtype == tf2.int32
    x = tf2.constant(1.5)
    with tf2.GradientTape() as t:
        t.watch(x)
        y = v1.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x), [0, x])[1]
    assert float(t.gradient(y, x)) == 4 * 1.5 ** 3


def test_while_loop_runs_without_fusion(tf, monkeypatch):
    """TFTEACH_FUSION=0 takes the unfused kernel path, where the loop's frame ops (Enter, Exit,
    NextIteration) have no declared output list (lesson 22 crashed there). Sum of 0..m-1 by
    hand: m (m - 1) / 2."""
    monkeypatch.setenv("TFTEACH_FUSION", "0")
    m = tf.placeholder(tf.int32, [], name="m")
    _, total = tf.while_loop(lambda i, s: i < m, lambda i, s: (i + 1, s + i),
                             [tf.constant(0), tf.constant(0)])
    with tf.Session() as s:
        for mv in (0, 1, 10, 100):
            assert s.run(total, {m: mv}) == mv * (mv - 1) // 2
