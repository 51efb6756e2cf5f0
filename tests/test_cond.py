"""TF1 `tf.cond` (Switch/Merge dataflow) and TF2 `tf.cond` on a traced predicate.

Op names, types, edges, values and gradients below were recorded with TF 2.21
(`tf.compat.v1` with `disable_v2_behavior()`, or TF2 `tf.function`). One difference is
deliberate: tfteach creates a captured input's Switch (`cond/mul/Switch`) just before the
op consuming it, where TF creates it just after, so that creation order stays a
topological order for the executor; names and edges are the same.
"""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")


@pytest.fixture
def tf(tf1):
    # conftest's tf1: graph mode and a fresh default graph, whatever ran before
    return tf1


def _graph(tf):
    return {op.name: (op.type, [t.name for t in op.inputs],
                      [c.name for c in op.control_inputs])
            for op in tf.get_default_graph().get_operations()}


def test_cond_graph_is_tf1s(tf):
    x = tf.placeholder(tf.float32, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: x * 2.0, lambda: tf.square(x) + 1.0)
    assert y.name == "cond/Merge:0"
    assert _graph(tf) == {
        "x": ("Placeholder", [], []),
        "p": ("Placeholder", [], []),
        "cond/Switch": ("Switch", ["p:0", "p:0"], []),
        "cond/switch_t": ("Identity", ["cond/Switch:1"], []),
        "cond/switch_f": ("Identity", ["cond/Switch:0"], []),
        "cond/pred_id": ("Identity", ["p:0"], []),
        "cond/mul/y": ("Const", [], ["cond/switch_t"]),
        "cond/mul": ("Mul", ["cond/mul/Switch:1", "cond/mul/y:0"], []),
        "cond/mul/Switch": ("Switch", ["x:0", "cond/pred_id:0"], []),
        "cond/Square": ("Square", ["cond/Square/Switch:0"], []),
        "cond/Square/Switch": ("Switch", ["x:0", "cond/pred_id:0"], []),
        "cond/add/y": ("Const", [], ["cond/switch_f"]),
        "cond/add": ("AddV2", ["cond/Square:0", "cond/add/y:0"], []),
        "cond/Merge": ("Merge", ["cond/add:0", "cond/mul:0"], []),
    }
    g, = tf.gradients(y, x)
    assert g.name == "gradients/AddN:0"
    grads = {k: v for k, v in _graph(tf).items() if k.startswith("gradients/")}
    assert grads["gradients/cond/Merge_grad/cond_grad"] == (
        "Switch", ["gradients/grad_ys_0:0", "cond/pred_id:0"], [])
    assert grads["gradients/cond/mul/Switch_grad/cond_grad"] == (
        "Merge", ["gradients/zeros:0", "gradients/cond/mul_grad/Mul:0"], [])
    assert grads["gradients/cond/Square/Switch_grad/cond_grad"] == (
        "Merge", ["gradients/cond/Square_grad/Mul_1:0", "gradients/zeros_1:0"], [])
    # the untaken side's zeros sit behind a Switch on the predicate
    assert grads["gradients/Switch"] == ("Switch", ["x:0", "cond/pred_id:0"], [])
    assert grads["gradients/Identity"] == ("Identity", ["gradients/Switch:0"], [])
    assert grads["gradients/zeros/Const"] == ("Const", [], ["gradients/Identity"])
    assert grads["gradients/Identity_1"] == ("Identity", ["gradients/Switch_1:1"], [])
    with tf.Session() as s:
        assert s.run([y, g], {x: 3.0, p: True}) == [6.0, 2.0]
        assert s.run([y, g], {x: 3.0, p: False}) == [10.0, 6.0]


def test_outside_tensors_and_constants(tf):
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: x, lambda: tf.constant([1., 2.]))
    g = _graph(tf)
    assert g["cond/Switch_1"] == ("Switch", ["x:0", "cond/pred_id:0"], [])
    assert g["cond/Const"] == ("Const", [], ["cond/switch_f"])
    assert g["cond/Merge"] == ("Merge", ["cond/Const:0", "cond/Switch_1:1"], [])
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(y, {x: [5, 6], p: True}), [5, 6])
        np.testing.assert_array_equal(s.run(y, {x: [5, 6], p: False}), [1, 2])


def test_nested_structures_share_captures(tf):
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    a, d = tf.cond(p, lambda: (x, {"a": x + 1}), lambda: (x * 2, {"a": x}))
    assert (a.name, d["a"].name) == ("cond/Merge:0", "cond/Merge_1:0")
    g = _graph(tf)
    # a branch that uses an outside tensor twice switches it once
    assert g["cond/Merge"][1] == ["cond/mul:0", "cond/add/Switch:1"]
    assert g["cond/Merge_1"][1] == ["cond/mul/Switch:0", "cond/add:0"]
    with tf.Session() as s:
        out = s.run((a, d), {x: [1.5, 2], p: False})
        np.testing.assert_array_equal(out[0], [3, 4])
        np.testing.assert_array_equal(out[1]["a"], [1.5, 2])


def test_strict_and_name(tf):
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    loose = tf.cond(p, lambda: [x], lambda: [x + 1], name="mycond")
    strict = tf.cond(p, lambda: [x], lambda: [x + 1], strict=True)
    assert loose.name == "mycond/Merge:0"
    assert isinstance(strict, list) and strict[0].name == "cond/Merge:0"


def test_nested_cond(tf):
    x = tf.placeholder(tf.float32, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    q = tf.placeholder(tf.bool, [], name="q")
    y = tf.cond(p, lambda: tf.cond(q, lambda: x * x * 2, lambda: x * 3),
                lambda: tf.sin(x) - 1)
    g = _graph(tf)
    assert g["cond/cond/Switch"][1] == ["cond/cond/Switch/Switch:1"] * 2
    assert g["cond/cond/Switch/Switch"][1] == ["q:0", "cond/pred_id:0"]
    assert g["cond/cond/pred_id"][1] == ["cond/cond/Switch/Switch:1"]
    assert g["cond/cond/mul/Switch"][1] == ["x:0", "cond/pred_id:0"]
    assert g["cond/cond/mul/Switch_1"][1] == ["cond/cond/mul/Switch:1",
                                              "cond/cond/pred_id:0"]
    assert g["cond/cond/mul_2/Switch"][1] == ["cond/cond/mul/Switch:1",
                                              "cond/cond/pred_id:0"]
    assert g["cond/Merge"][1] == ["cond/sub:0", "cond/cond/Merge:0"]
    dx, = tf.gradients(y, x)
    with tf.Session() as s:
        for pv, qv, val, grad in [(True, True, 4.5, 6.0), (True, False, 4.5, 3.0),
                                  (False, True, -0.0025050044, 0.0707372)]:
            got = s.run([y, dx], {x: 1.5, p: pv, q: qv})
            np.testing.assert_allclose(got, [val, grad], rtol=1e-5)


def test_assign_runs_only_in_the_taken_branch(tf):
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.Variable(0.0, name="v")
    a = tf.cond(p, lambda: tf.assign(v, 1.0), lambda: tf.assign_add(v, 10.0))
    g = _graph(tf)
    assert g["cond/Assign/Switch"] == ("RefSwitch", ["v:0", "cond/pred_id:0"], [])
    assert g["cond/Assign/value"] == ("Const", [], ["cond/switch_t"])
    assert g["cond/Merge"] == ("RefMerge", ["cond/AssignAdd:0", "cond/Assign:0"], [])
    assert a.dtype == tf.float32_ref if hasattr(tf, "float32_ref") else a.dtype.is_ref_dtype
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(a, {p: True}) == 1.0
        assert s.run(a, {p: False}) == 11.0
        assert s.run(v) == 11.0


def test_branch_returning_an_operation(tf):
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.Variable(0.0, name="v")
    o = tf.cond(p, lambda: tf.assign_add(v, 100.0).op, lambda: tf.no_op())
    assert o.name == "cond/Merge:0" and o.dtype == tf.bool
    g = _graph(tf)
    assert g["cond/control_dependency"] == ("Identity", ["cond/switch_t:0"],
                                            ["cond/AssignAdd"])
    assert g["cond/NoOp"] == ("NoOp", [], ["cond/switch_f"])
    assert g["cond/control_dependency_1"] == ("Identity", ["cond/switch_f:0"], ["cond/NoOp"])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(o, {p: True}) is np.True_ or s.run(v) == 100.0
        assert s.run(v) == 100.0
        assert not s.run(o, {p: False})
        assert s.run(v) == 100.0


def test_constant_predicate_still_builds_a_cond(tf):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.cond(tf.constant(True), lambda: x + 1, lambda: x - 1)
    assert y.name == "cond/Merge:0"
    assert _graph(tf)["cond/Switch"][1] == ["Const:0", "Const:0"]
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(y, {x: [1, 2]}), [2, 3])


def test_errors(tf):
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    with pytest.raises(TypeError, match=r"^'pred' must not be a Python bool\.$"):
        tf.cond(True, lambda: x + 1, lambda: x - 1)
    with pytest.raises(TypeError, match=r"^'true_fn' must be callable\.$"):
        tf.cond(p, x, lambda: x)
    with pytest.raises(TypeError, match=r"^'false_fn' must be callable\.$"):
        tf.cond(p, lambda: x, x)
    with pytest.raises(TypeError, match=r"^Input 'pred' of 'Switch' Op has type float32 "
                                        r"that does not match expected type of bool\.$"):
        tf.cond(tf.placeholder(tf.float32, []), lambda: x, lambda: x)
    with pytest.raises(ValueError, match=re_escape(
            "Shape must be rank 0 but is rank 1 for '{{node cond_2/Switch}} = "
            "Switch[T=DT_BOOL](Placeholder_1, Placeholder_1)' with input shapes: [2], [2].")):
        tf.cond(tf.placeholder(tf.bool, [2]), lambda: x, lambda: x)
    with pytest.raises(ValueError, match=r"^The two structures don't have the same nested "
                                         r"structure\."):
        tf.cond(p, lambda: x, lambda: (x, x))
    with pytest.raises(ValueError, match=re_escape(
            "Outputs of 'true_fn' and 'false_fn' must have the same type(s). Received "
            "float32 from 'true_fn' and int32 from 'false_fn'.")):
        tf.cond(p, lambda: x, lambda: tf.constant([1, 2]))
    with pytest.raises(ValueError, match=r"^'true_fn' must have a return value\.$"):
        tf.cond(p, lambda: None, lambda: None)
    # shapes may differ: the Merge's shape is what they share
    assert tf.cond(p, lambda: tf.constant([1.]),
                   lambda: tf.constant([1., 2.])).shape.as_list() == [None]


def re_escape(s):
    import re
    return "^" + re.escape(s) + "$"


def test_fetching_a_dead_branch_value_fails(tf):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [], name="x")
    captured = []

    def true_fn():
        y = x * 2.0
        captured.append(y)
        return y
    tf.cond(p, true_fn, lambda: x)
    with tf.Session() as s:
        assert s.run(captured[0], {x: 1.0, p: True}) == 2.0
        with pytest.raises(errors.InvalidArgumentError, match="does not have value"):
            s.run(captured[0], {x: 1.0, p: False})


def test_gradients_and_minimize_through_cond(tf):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.Variable(2.0, name="w")
    loss = tf.cond(p, lambda: tf.square(w - 5.0), lambda: 3.0 * w)
    gw, = tf.gradients(loss, w)
    # an input only one branch uses gets zeros from the other
    gu, = tf.gradients(tf.cond(p, lambda: x * 5.0, lambda: tf.constant(7.0)), x)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run([loss, gw], {p: True}) == [9.0, -6.0]
        assert s.run([loss, gw], {p: False}) == [6.0, 3.0]
        assert s.run(gu, {x: 1.5, p: True}) == 5.0
        assert s.run(gu, {x: 1.5, p: False}) == 0.0
        got = []
        for i in range(3):
            s.run(train, {p: i % 2 == 0})
            got.append(s.run(w))
        np.testing.assert_allclose(got, [2.6, 2.3, 2.84], rtol=1e-6)


def test_gradient_matches_finite_differences(tf):
    x = tf.placeholder(tf.float64, [3], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.reduce_sum(tf.cond(p, lambda: tf.sin(x) * x, lambda: tf.exp(x) - x * x))
    g, = tf.gradients(y, x)
    xv = np.array([0.3, -0.7, 1.1])
    with tf.Session() as s:
        for pv in (True, False):
            got = s.run(g, {x: xv, p: pv})
            num = [(s.run(y, {x: xv + e, p: pv}) - s.run(y, {x: xv - e, p: pv})) / 2e-6
                   for e in np.eye(3) * 1e-6]
            np.testing.assert_allclose(got, num, rtol=1e-6)


# --- TF2: tf.cond traced in a tf.function on a run-time predicate --------------------------

def test_tf2_cond_in_function_values_and_tape_gradients(tf2):
    @tf2.function
    def f(x, p):
        return tf2.cond(p, lambda: x * x * 3.0, lambda: tf2.sin(x) + x)

    for pv, val, grad in [(True, 6.75, 9.0), (False, 2.49749493598938, 1.0707372426986694)]:
        x = tf2.constant(1.5)
        with tf2.GradientTape() as t:
            t.watch(x)
            y = f(x, tf2.constant(pv))
        np.testing.assert_allclose([float(y), float(t.gradient(y, x))], [val, grad],
                                   rtol=1e-6)
    # lowered to TF1's dataflow (TF records an If op and lowers it the same way)
    types = {op.type for op in f.get_concrete_function(
        tf2.constant(1.5), tf2.constant(True)).graph.get_operations()}
    assert {"Switch", "Merge"} <= types

    @tf2.function
    def k(x, p):
        return tf2.cond(p, lambda: [x * 2.0], lambda: [x])
    out = k(tf2.constant(1.0), tf2.constant(True))
    assert isinstance(out, list) and float(out[0]) == 2.0     # TF2's cond is strict


def test_tf2_variable_read_in_branches(tf2):
    v = tf2.Variable([2.0, 1.0])

    @tf2.function
    def loss_fn(p):
        return tf2.cond(p, lambda: tf2.reduce_sum(tf2.square(v - 5.0)),
                        lambda: tf2.reduce_sum(3.0 * v))
    for pv, val, grad in [(True, 25.0, [-6, -8]), (False, 9.0, [3, 3])]:
        with tf2.GradientTape() as t:
            loss = loss_fn(tf2.constant(pv))
        assert float(loss) == val
        np.testing.assert_array_equal(t.gradient(loss, v).numpy(), grad)

    w = tf2.Variable(2.0)

    @tf2.function
    def step(p):
        with tf2.GradientTape() as t:
            loss = tf2.cond(p, lambda: tf2.square(w - 5.0), lambda: 3.0 * w)
        w.assign_sub(0.1 * t.gradient(loss, w))
        return loss
    got = [(float(step(tf2.constant(i % 2 == 0))), float(w.numpy())) for i in range(3)]
    np.testing.assert_allclose(got, [(9.0, 2.6), (7.8, 2.3), (7.29, 2.84)], rtol=1e-6)


def test_v1_cond_runs_eagerly_like_tf(tf2):
    # TF 2.21's tf.compat.v1.cond under eager execution: only the picked branch runs; any
    # truthy predicate (a Python bool too) is accepted; singletons unpack unless strict
    import tfteach.v1 as v1
    calls = []
    out = v1.cond(tf2.constant(True), lambda: calls.append("t") or tf2.constant(1.0),
                  lambda: calls.append("f") or tf2.constant(2.0))
    assert float(out) == 1.0 and calls == ["t"]
    assert float(v1.cond(tf2.constant(False), lambda: [tf2.constant(1.0)],
                         lambda: [tf2.constant(2.0)])) == 2.0
    assert v1.cond(True, lambda: 1, lambda: 2) == 1
    assert v1.cond(tf2.constant(True), lambda: [3], lambda: [4], strict=True) == [3]


# --- tf.case ----------------------------------------------------------------------------------

def test_case_graph_and_values_are_tf1s(tf):
    x = tf.placeholder(tf.int32, [], name="x")
    r = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))],
                default=lambda: tf.constant(100))
    assert r.name == "case/cond/Merge:0"
    g = _graph(tf)
    assert g["case/cond/Switch"] == ("Switch", ["Less:0", "Less:0"], [])
    assert g["case/cond/Const"] == ("Const", [], ["case/cond/switch_t"])
    assert g["case/cond/cond/Switch/Switch"] == ("Switch", ["Less_1:0", "case/cond/pred_id:0"],
                                                 [])
    assert g["case/cond/cond/Switch"] == (
        "Switch", ["case/cond/cond/Switch/Switch:0", "case/cond/cond/Switch/Switch:0"], [])
    assert g["case/cond/cond/Merge"] == (
        "Merge", ["case/cond/cond/Const_1:0", "case/cond/cond/Const:0"], [])
    assert g["case/cond/Merge"] == ("Merge", ["case/cond/cond/Merge:0", "case/cond/Const:0"],
                                    [])
    with tf.Session() as s:
        assert [s.run(r, {x: v}) for v in (-5, 5, 50)] == [-1, 1, 100]


def test_case_exclusive_asserts_at_most_one_true(tf):
    x = tf.placeholder(tf.int32, [], name="x")
    r = tf.case({x < 0: lambda: tf.constant(-1), x < 10: lambda: tf.constant(1)},
                default=lambda: tf.constant(100), exclusive=True)
    g = _graph(tf)
    assert g["case/preds_c"] == ("Pack", ["Less:0", "Less_1:0"], [])
    assert g["case/num_true_conds"] == ("Sum", ["case/Cast:0", "case/Const:0"], [])
    assert g["case/LessEqual"] == ("LessEqual", ["case/num_true_conds:0",
                                                 "case/n_true_conds:0"], [])
    assert g["case/Assert/AssertGuard/Assert"] == (
        "Assert", ["case/Assert/AssertGuard/Assert/Switch:0",
                   "case/Assert/AssertGuard/Assert/data_0:0",
                   "case/Assert/AssertGuard/Assert/Switch_1:0"], [])
    assert g["case/cond/Switch"] == ("Switch", ["Less:0", "Less:0"],
                                     ["case/Assert/AssertGuard/Merge"])
    assert g["case/cond/Const"][2] == ["case/Assert/AssertGuard/Merge", "case/cond/switch_t"]
    with tf.Session() as s:
        assert [s.run(r, {x: v}) for v in (5, 50)] == [1, 100]
        with pytest.raises(errors.InvalidArgumentError) as e:
            s.run(r, {x: -5})
        assert "assertion failed: [Input error: exclusive=True: more than 1 conditions " \
               "(Less:0, Less_1:0) evaluated as True:] [1 1]" in str(e.value)
        assert "case/Assert/AssertGuard/Assert" in str(e.value)


def test_case_without_default_uses_the_last_fn_behind_asserts(tf):
    x = tf.placeholder(tf.int32, [], name="x")
    r = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))])
    assert r.name == "case/cond/Merge:0"
    g = _graph(tf)
    assert g["case/cond/preds_c"] == ("Pack", ["case/cond/preds_c/Switch:0",
                                               "case/cond/preds_c/Switch_1:0"], [])
    assert g["case/cond/preds_c_1"] == ("Pack", ["case/cond/preds_c/Switch:0"], [])
    assert g["case/cond/Const_2"] == ("Const", [], ["case/cond/Assert/AssertGuard/Merge",
                                                    "case/cond/Assert_1/AssertGuard/Merge"])
    assert g["case/cond/Merge"] == ("Merge", ["case/cond/Const_2:0", "case/cond/Const:0"], [])
    with tf.Session() as s:
        assert [s.run(r, {x: v}) for v in (-5, 5)] == [-1, 1]
        with pytest.raises(errors.InvalidArgumentError) as e:
            s.run(r, {x: 50})
        assert "assertion failed: [Input error: None of conditions evaluated as True:] " \
               "[0 0]" in str(e.value)
        assert "case/cond/Assert_1/AssertGuard/Assert" in str(e.value)


def test_case_one_pair_and_strict(tf):
    x = tf.placeholder(tf.int32, [], name="x")
    r = tf.case([(x < 0, lambda: [tf.constant(-1)])], name="mycase")
    # no cond is left: the one fn is the default, returned as it is
    assert [t.name for t in r] == ["mycase/Const_1:0"]
    assert _graph(tf)["mycase/preds_c_1"] == ("Const", [], [])
    r2 = tf.case([(x < 0, lambda: [tf.constant(-1)])], default=lambda: [tf.constant(1)],
                 strict=True)
    assert [t.name for t in r2] == ["case/cond/Merge:0"]
    with tf.Session() as s:
        assert s.run(r2, {x: 3}) == [1]
        assert s.run(r, {x: -3}) == [-1]


@pytest.mark.parametrize("args, cls, msg", [
    ("[(x < 0, 3)]", TypeError, "fn for pred Less:0 must be callable."),
    ("[(1, lambda: 1)]", TypeError, "pred must be a Tensor, got: 1"),
    ("[(True, lambda: 1)]", TypeError, "pred must be a Tensor, got: True"),
    ("[(x, lambda: tf.constant(1))]", TypeError, "pred must be Tensor of type bool: x:0"),
    ("[x < 0]", TypeError, "Each entry in 'pred_fn_pairs' must be a 2-tuple. "
                           "Received Tensor(\"Less:0\", shape=(), dtype=bool)."),
    ("3", TypeError, "'pred_fn_pairs' must be a list, tuple, or dict. Received: <class 'int'>"),
    ("[(x < 0, lambda: tf.constant(1))], default=3", TypeError, "'false_fn' must be callable."),
    ("[(x < 0, lambda: tf.constant(1)), (x < 1, lambda: tf.constant(1.0))]", ValueError,
     "Outputs of 'true_fn' and 'false_fn' must have the same type(s). Received int32 from "
     "'true_fn' and float32 from 'false_fn'."),
])
def test_case_errors_are_tfs(tf, args, cls, msg):
    x = tf.placeholder(tf.int32, [], name="x")  # noqa: F841 - used by eval
    with pytest.raises(cls) as e:
        eval("tf.case(" + args + ")", {"tf": tf, "x": x})
    assert str(e.value) == msg


def test_cond_merging_an_assign_with_a_read(tf):
    # one branch returns the assign's reference, the other a plain tensor: the Merge reads
    # the live one only (TF 2.21: [1, 1, 2, 3, 3], counter 3)
    flag = tf.placeholder(tf.bool, shape=[], name="flag")
    counter = tf.Variable(0, name="counter")
    step = tf.cond(flag, lambda: tf.assign_add(counter, 1), lambda: tf.identity(counter))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        out = [int(s.run(step, {flag: f})) for f in [True, False, True, True, False]]
        assert out == [1, 1, 2, 3, 3] and s.run(counter) == 3


def test_traced_runs_leave_out_the_dead_branch(tf):
    # steppers and RunMetadata list what ran: the untaken branch's ops did not
    from tfteach.client.session import trace_run
    x = tf.placeholder(tf.float32, shape=[], name="x")
    y = tf.cond(x > 0, lambda: x * 1.0, lambda: -x, name="abs")
    with tf.Session() as s:
        ran = []
        assert trace_run(s, y, {x: 3.0}, lambda op, *_: ran.append(op.name)) == 3.0
        assert "abs/mul" in ran and "abs/Neg" not in ran and "abs/Neg/Switch" in ran
        ran.clear()
        trace_run(s, y, {x: -2.0}, lambda op, *_: ran.append(op.name))
        assert "abs/Neg" in ran and "abs/mul" not in ran and "abs/mul/y" not in ran
