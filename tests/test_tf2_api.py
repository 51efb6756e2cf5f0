"""TF2 names a TF2 course uses: checks, get_logger, case/switch_case, py_function,
map_fn/scan/fold. Expected values and messages were measured with TensorFlow 2.21."""
import re

import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

pytestmark = [pytest.mark.mode("v2"), pytest.mark.usefixtures("tf2")]


def _msg(exc_class, fn):
    """The error's message; of a failing tf.function call, the kernel's words, after TF's
    'Graph execution error:' and the frames that defined the node (checked here)."""
    with pytest.raises(exc_class) as info:
        fn()
    m = str(info.value) if exc_class is not errors.InvalidArgumentError \
        else info.value.message
    if m.startswith("Graph execution error:\n\nDetected at node "):
        assert re.search(r" \[Op:__inference_\w+_\d+\]$", m), m
        m = m.rsplit("\n\n", 1)[-1]
    return m


# ---- 1. checks -------------------------------------------------------------------------

def test_eager_assert_equal_shows_indices_and_first_elements():
    m = _msg(errors.InvalidArgumentError, lambda: tf.debugging.assert_equal(
        tf.constant([[1, 2], [3, 4]]), tf.constant([[1, 0], [0, 4]])))
    assert m == ("Condition x == y did not hold.\nIndices of first 2 different values:\n"
                 "[[0 1]\n [1 0]]\nCorresponding x values:\n[2 3]\nCorresponding y values:\n"
                 "[0 0]\nFirst 3 elements of x:\n[1 2 3]\nFirst 3 elements of y:\n[1 0 0]")
    m = _msg(errors.InvalidArgumentError, lambda: tf.debugging.assert_equal(
        tf.constant([1, 2, 3, 4, 5]), tf.constant([0, 0, 0, 0, 0]), summarize=2))
    assert m == ("Condition x == y did not hold.\nIndices of first 2 different values:\n"
                 "[[0]\n [1]]\nCorresponding x values:\n[1 2]\nCorresponding y values:\n"
                 "[0 0]\nFirst 2 elements of x:\n[1 2]\nFirst 2 elements of y:\n[0 0]")


def test_eager_binary_checks_messages():
    d = tf.debugging
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_equal(
        tf.constant([1, 2, 3, 4, 5]), 0)) == (
        "Condition x == y did not hold.\nFirst 3 elements of x:\n[1 2 3]\n"
        "First 1 elements of y:\n[0]")
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_greater(tf.constant(1.), 2.)) \
        == "Condition x > y did not hold.\nFirst 1 elements of x:\n[1.]\nFirst 1 elements " \
           "of y:\n[2.]"
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_greater_equal(
        tf.constant([1, 2]), tf.constant([3, 4]), message="m")).startswith(
        "m\nCondition x >= y did not hold.\nIndices of first 2 different values:\n")
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_none_equal(
        tf.constant([1, 2]), tf.constant([1, 3]))) == (
        "Condition x != y did not hold.\nIndices of first 1 different values:\n[[0]]\n"
        "Corresponding x values:\n[1]\nCorresponding y values:\n[1]\n"
        "First 2 elements of x:\n[1 2]\nFirst 2 elements of y:\n[1 3]")
    assert _msg(errors.InvalidArgumentError, lambda: tf.assert_less(
        tf.constant([1., 2]), 1.5)) == ("Condition x < y did not hold.\nFirst 2 elements of "
                                        "x:\n[1. 2.]\nFirst 1 elements of y:\n[1.5]")
    assert _msg(errors.InvalidArgumentError, lambda: tf.assert_equal(1, 2)) == (
        "Condition x == y did not hold.\nFirst 1 elements of x:\n[1]\nFirst 1 elements of "
        "y:\n[2]")
    assert d.assert_equal(tf.constant([1, 2]), tf.constant([1, 2])) is None
    assert d.assert_less_equal(tf.constant([1, 2]), 2) is None


def test_eager_sign_checks_messages():
    d = tf.debugging
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_positive(
        tf.constant([1., -2]), message="pos")) == (
        "pos.  \nCondition x > 0 did not hold element-wise:\n"
        "x (shape=(2,) dtype=float32) = \n['1.0', '-2.0']")
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_negative(tf.constant([1, -2]))) \
        == "\nCondition x < 0 did not hold element-wise:\nx (shape=(2,) dtype=int32) = \n" \
           "['1', '-2']"
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_non_negative(
        tf.constant([1, -2, 3, 4, 5, 6, 7]))) == (
        "\nCondition x >= 0 did not hold element-wise:\nx (shape=(7,) dtype=int32) = \n"
        "['1', '-2', '3', '...']")
    # TF joins two of assert_non_positive's lines (a missing comma in its source)
    assert _msg(errors.InvalidArgumentError, lambda: d.assert_non_positive(
        tf.constant([1, -2]))) == ("\nCondition x <= 0 did not hold element-wise:x (shape=(2,)"
                                   " dtype=int32) = \n['1', '-2']")
    assert d.assert_positive(tf.constant([1., 2])) is None


def test_eager_static_checks():
    d = tf.debugging
    assert _msg(ValueError, lambda: d.assert_rank(tf.constant([1., 2]), 2, message="mm")) == \
        "mm.  Tensor  must have rank 2.  Received rank 1, shape (2,)"
    assert _msg(ValueError, lambda: tf.assert_rank(tf.constant([1., 2]), 2)) == \
        "Tensor  must have rank 2.  Received rank 1, shape (2,)"
    assert _msg(ValueError, lambda: d.assert_rank_at_least(tf.constant([1., 2]), 2)) == \
        "Tensor  must have rank at least 2.  Received rank 1, shape (2,)"
    assert _msg(TypeError, lambda: d.assert_type(tf.constant(1.), tf.int32, message="mm")) == \
        "mm.  tensor must be of type tf.int32; got tf.float32"
    assert d.assert_rank(tf.constant([1., 2]), 1) is None


def test_eager_assert_shapes():
    d = tf.debugging
    assert d.assert_shapes([(tf.ones([2, 3]), ("N", "D")), (tf.ones([3]), ("D",))]) is None
    assert _msg(ValueError, lambda: d.assert_shapes(
        [(tf.ones([2, 3]), ("N", "D")), (tf.ones([2]), ("D",))])) == (
        "Specified by tensor shape=(2, 3) dtype=float32 dimension 1.  Tensor shape=(2,) "
        "dtype=float32 dimension 0 must have size 3.  Received size 2, shape (2,)")
    assert _msg(ValueError, lambda: d.assert_shapes([(tf.ones([2, 3]), (2, 4))])) == (
        "Specified explicitly.  Tensor shape=(2, 3) dtype=float32 dimension 1 must have size "
        "4.  Received size 3, shape (2, 3)")
    assert _msg(ValueError, lambda: d.assert_shapes(
        [(tf.ones([2, 3]), ("N", "D")), (tf.ones([2]), ("N", "D"))])) == \
        "Tensor  must have rank 2.  Received rank 1, shape (2,)"


def test_eager_Assert():
    assert _msg(errors.InvalidArgumentError, lambda: tf.Assert(
        False, ["hi", 3, tf.constant([1.5, 2, 3, 4, 5])])) == (
        "Expected 'False' to be true. Summarized data: b'hi'\n3\n1.5, 2.0, 3.0, ...")
    assert _msg(errors.InvalidArgumentError, lambda: tf.Assert(
        tf.constant(False), ["hi", tf.constant([1, 2])])) == (
        "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
        "b'hi'\n1, 2")
    assert tf.Assert(tf.constant(True), ["hi"]) is None
    with pytest.raises(ValueError, match="truth value of an array"):
        tf.Assert(tf.constant([True, False]), ["hi"])


def test_checks_in_function_fail_at_call_time():
    @tf.function
    def f(x, y):
        tf.debugging.assert_equal(x, y)
        return x + 1

    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32), tf.TensorSpec([2], tf.float32))
    names = [o.name for o in cf.graph.get_operations()]
    # TF's names; its guard is one `If` op where tfteach shows the lowered Switch/Merge
    assert names[:6] == ["x", "y", "assert_equal_1/Equal", "assert_equal_1/Const",
                         "assert_equal_1/All", "assert_equal_1/Assert/Const"]
    assert "assert_equal_1/Assert/AssertGuard/Assert" in names
    np.testing.assert_allclose(f(tf.constant([1., 2]), tf.constant([1., 2])).numpy(), [2, 3])
    m = _msg(errors.InvalidArgumentError, lambda: f(tf.constant([1., 2]), tf.constant([1., 3])))
    assert m.startswith("assertion failed: [Condition x == y did not hold element-wise:] "
                        "[x (x:0) = ] [1 2] [y (y:0) = ] [1 3]")


def test_sign_and_rank_checks_in_function_graph():
    @tf.function
    def g(x):
        tf.debugging.assert_positive(x, message="pos")
        tf.debugging.assert_rank(x, 1)
        return x + 1

    cf = g.get_concrete_function(tf.TensorSpec([2], tf.float32))
    names = [o.name for o in cf.graph.get_operations()]
    for n in ["assert_positive/Const", "assert_positive/assert_less/Less",
              "assert_positive/assert_less/All", "assert_rank/rank", "assert_rank/Shape",
              "assert_rank/assert_type/statically_determined_correct_type",
              "assert_rank/static_checks_determined_all_ok"]:
        assert n in names
    m = _msg(errors.InvalidArgumentError, lambda: g(tf.constant([1., -2])))
    assert m.startswith("assertion failed: [pos.  ] [Condition x > 0 did not hold "
                        "element-wise:] [x (x:0) = ] [1 -2]")


def test_Assert_in_function():
    @tf.function
    def h(x):
        tf.Assert(x[0] > 0, [x])
        return x + 1

    m = _msg(errors.InvalidArgumentError, lambda: h(tf.constant([-1., -2])))
    assert m.startswith("assertion failed: [-1 -2]")
    np.testing.assert_allclose(h(tf.constant([1., 2])).numpy(), [2, 3])


def test_tf2_check_signatures():
    import inspect
    sig = lambda f: list(inspect.signature(f).parameters)  # noqa: E731
    assert sig(tf.assert_equal) == ["x", "y", "message", "summarize", "name"]
    assert sig(tf.debugging.assert_none_equal) == ["x", "y", "summarize", "message", "name"]
    assert sig(tf.debugging.assert_positive) == ["x", "message", "summarize", "name"]
    assert sig(tf.assert_rank) == ["x", "rank", "message", "name"]
    assert sig(tf.Assert) == ["condition", "data", "summarize", "name"]


# ---- 2. get_logger, case, switch_case --------------------------------------------------

def test_get_logger_is_v1s_logger():
    # tfteach keeps its own logger name ("tfteach"; TF's is "tensorflow") in both namespaces
    assert tf.get_logger() is tf.compat.v1.get_logger()
    assert tf.get_logger().name == "tfteach"


def _c(v):
    return lambda: tf.constant(v)


def test_case_eager():
    x = tf.constant(3)
    assert tf.case([(x > 5, _c(1)), (x > 2, _c(2))], default=_c(0)).numpy() == 2
    assert tf.case([(x > 5, _c(1))], default=_c(0)).numpy() == 0
    assert tf.case([(x > 1, _c(1)), (x > 2, _c(2))], exclusive=True).numpy() == 1
    assert _msg(errors.InvalidArgumentError, lambda: tf.case([(x > 5, _c(1)), (x > 6, _c(2))])) \
        == ("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            "b'Input error: None of conditions evaluated as True:'\nFalse, False")
    assert _msg(ValueError, lambda: tf.case([])) == \
        "not enough values to unpack (expected 2, got 0)"
    assert _msg(TypeError, lambda: tf.case([(1, _c(1))])) == "pred must be a Tensor, got: 1"


def test_case_in_function_on_run_time_predicates():
    @tf.function
    def g(x):
        return tf.case([(x > 5, _c(1)), (x > 2, _c(2))], default=_c(0))

    assert [g(tf.constant(v)).numpy() for v in (9, 3, 0)] == [1, 2, 0]
    names = [o.name for o in g.get_concrete_function(tf.TensorSpec([], tf.int32))
             .graph.get_operations()]
    # TF's names up to its `case/cond` (an If op, here lowered to Switch/Merge)
    assert names[:5] == ["x", "Greater/y", "Greater", "Greater_1/y", "Greater_1"]
    assert "case/cond/Merge" in names


def test_switch_case():
    fns = [_c(10), _c(20)]
    assert tf.switch_case(tf.constant(1), fns).numpy() == 20
    assert tf.switch_case(tf.constant(5), fns).numpy() == 20
    assert tf.switch_case(tf.constant(-1), fns, default=_c(7)).numpy() == 7
    assert tf.switch_case(tf.constant(1), {0: _c(10), 1: _c(20)}).numpy() == 20
    assert _msg(TypeError, lambda: tf.switch_case(tf.constant(1.0), fns)) == \
        "'branch_index' must be an integer Tensor, got <dtype: 'float32'>"
    assert _msg(TypeError, lambda: tf.switch_case(1, fns)) == \
        "'branch_index' must be a Tensor, got <class 'int'>"
    assert _msg(ValueError, lambda: tf.switch_case(tf.constant(0), [])) == \
        "Must provide at least one item in 'branch_fns'"
    assert _msg(TypeError, lambda: tf.switch_case(tf.constant(0), [1])) == \
        "Each entry in 'branch_fns' must be a 2-tuple. Received 1."
    assert _msg(ValueError, lambda: tf.switch_case(tf.constant(0), {1: _c(1), 3: _c(2)})) == \
        "branch indices (keys) must form contiguous range of [0 to 2) but found {1,3}"

    @tf.function
    def f(i):
        return tf.switch_case(i, fns)

    assert [f(tf.constant(v)).numpy() for v in (0, 1, 9)] == [10, 20, 20]


# ---- 3. py_function, numpy_function, compat.v1.py_func ----------------------------------

def test_py_function_eager_and_traced():
    x = tf.constant([1., 2])
    np.testing.assert_allclose(tf.py_function(lambda a: a * 2, [x], Tout=tf.float32), [2, 4])
    assert tf.py_function(lambda a: np.float64(1.0), [x], Tout=tf.float32).numpy() == 1.0
    m = _msg(errors.InvalidArgumentError,
             lambda: tf.py_function(lambda a: a * 2, [x], Tout=tf.int32))
    assert m.startswith("ValueError: Tensor conversion requested dtype int32 for Tensor with "
                        "dtype float32: ")
    assert _msg(errors.InvalidArgumentError, lambda: tf.py_function(
        lambda a: 1, [x], Tout=[tf.float32, tf.float32])).endswith(
        " returns 1 values, but expects to see 2 values.")
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.py_function(lambda a: a * a, [x], Tout=tf.float32)
    np.testing.assert_allclose(t.gradient(y, x), [2, 4])

    @tf.function
    def g(a):
        return tf.py_function(lambda v: v * 2, [a], Tout=tf.float32)

    cf = g.get_concrete_function(tf.TensorSpec([2], tf.float32))
    assert [(o.name, o.type) for o in cf.graph.get_operations()][:2] == \
        [("x", "Placeholder"), ("EagerPyFunc", "EagerPyFunc")] or \
        [o.type for o in cf.graph.get_operations()][1] == "EagerPyFunc"
    np.testing.assert_allclose(g(x), [2, 4])


def test_numpy_function():
    x = tf.constant([1., 2])
    np.testing.assert_allclose(tf.numpy_function(lambda a: a * 2, [x], Tout=tf.float32),
                               [2, 4])
    a, b = tf.numpy_function(lambda v: (v, v), [x], Tout=[tf.float32, tf.float32])
    np.testing.assert_allclose(b, [1, 2])

    @tf.function
    def f(v):
        return tf.numpy_function(lambda a: a * 2, [v], Tout=tf.int32, name="np")

    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    op = cf.graph.get_operations()[1]
    assert (op.name, op.type, op.outputs[0].shape.rank) == ("np", "PyFunc", None)
    m = _msg(errors.InvalidArgumentError, lambda: f(x))
    assert "-th value returned by pyfunc_" in m and m.split("\n")[0].endswith(
        " is float, but expects int32")


def test_v1_py_func_in_session(tf1):
    p = tf1.placeholder(tf1.float32, [2])
    r = tf1.py_func(lambda a: a + 1, [p], tf1.float32)
    assert r.op.type == "PyFunc"
    with tf1.Session() as s:
        np.testing.assert_allclose(s.run(r, {p: [1, 2]}), [2, 3])


def test_py_function_gradient_in_a_graph_as_tf(tf2):
    """EagerPyFunc's gradient re-uses the forward run's tape (TF 2.21's values)."""
    x = tf2.Variable(0.5)

    @tf2.function
    def h():
        with tf2.GradientTape() as t:
            z = tf2.py_function(lambda a: a * a * 3.0, [x], tf2.float32)
        return t.gradient(z, x)
    assert h().numpy() == pytest.approx(3.0) and h().numpy() == pytest.approx(3.0)

    @tf2.function
    def g(a, b):
        with tf2.GradientTape() as t:
            t.watch(a)
            z = tf2.py_function(lambda u, v: tf2.sin(u) * v, [a, b], tf2.float32)
        return t.gradient(z, a)
    assert g(tf2.constant(0.5), tf2.constant(2.0)).numpy() == pytest.approx(2 * np.cos(0.5))


def test_v1_py_function_runs_eagerly_and_differentiates(tf1):
    a = tf1.placeholder(tf1.float32, [3])
    b = tf1.py_function(lambda u: u ** 3, [a], tf1.float32)   # u is an EagerTensor in TF1 too
    (ga,) = tf1.gradients(b * 2.0, [a])
    assert tf1.gradients(tf1.py_func(lambda u: u * 2, [a], tf1.float32), [a]) == [None]
    with tf1.Session() as s:
        out, grad = s.run([b, ga], {a: [1., 2., 3.]})
        np.testing.assert_allclose(out, [1, 8, 27])
        np.testing.assert_allclose(grad, [6, 24, 54])
        np.testing.assert_allclose(s.run(ga, {a: [1., 2., 3.]}), [6, 24, 54])
