"""The seed notebook's first cells: default graph, constants, add, session fetches."""
import collections

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v1")


def test_constants_and_add(tf1):
    tf = tf1
    g = tf.get_default_graph()
    assert g.get_operations() == []
    c = tf.constant(3.14)
    assert repr(c) == "<tf.Tensor 'Const:0' shape=() dtype=float32>"
    assert repr(g.get_operations()[0]) == "<tf.Operation 'Const' type=Const>"
    d = tf.constant(1.414)
    s = tf.add(c, d)
    assert repr(s) == "<tf.Tensor 'Add:0' shape=() dtype=float32>"
    assert [o.type for o in g.get_operations()] == ["Const", "Const", "AddV2"]
    with tf.Session() as sess:
        v = sess.run(s)
        assert isinstance(v, np.float32) and v == np.float32(3.14) + np.float32(1.414)


def test_fetch_structures(tf1):
    tf = tf1
    a, b = tf.constant(1.0), tf.constant(2.0)
    s = a + b
    P = collections.namedtuple("P", "x y")
    with tf.Session() as sess:
        out = sess.run({"a": a, "l": [a, b, s], "t": (s,), "p": P(a, s.op)})
    assert out["a"] == 1.0 and out["l"] == [1.0, 2.0, 3.0] and out["t"] == (3.0,)
    assert out["p"] == P(1.0, None)


def test_names_case_insensitive(tf1):
    tf = tf1
    a, b = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    tf.add(a, b)
    tf.add(a, b)
    s = a * a + b * b
    assert s.op.name == "add_2"
    tf.constant(1)
    tf.constant(1)                                   # Const, Const_1
    assert tf.constant(1, name="Const_1").op.name == "Const_1_1"
    assert tf.constant(1).op.name == "Const_2"


def test_implicit_constants_under_op_scope(tf1):
    tf = tf1
    b = tf.constant(2.0)
    assert (2 * b).op.inputs[0].op.name == "mul/x"
    assert (b + 1.0).op.inputs[1].op.name == "add/y"


def test_missing_feed_is_invalid_argument(tf1):
    tf = tf1
    a = tf.placeholder(tf.float32)
    y = a * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value"):
            sess.run(y)


def test_variables_per_session(tf1):
    tf = tf1
    x = tf.Variable(42)
    s1, s2 = tf.Session(), tf.Session()
    with pytest.raises(tf.errors.FailedPreconditionError,
                       match="Attempting to use uninitialized value Variable"):
        s1.run(x)
    s1.run(x.initializer)
    assert s1.run(x) == 42
    with pytest.raises(tf.errors.FailedPreconditionError):
        s2.run(x)


def test_failed_run_rolls_back_variables(tf1):
    tf = tf1
    v = tf.Variable(1.0)
    p = tf.placeholder(tf.int32)
    upd = tf.assign_add(v, 5.0)
    with tf.control_dependencies([upd]):
        bad = tf.floordiv(p, 0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(bad, {p: 3})
        assert sess.run(v) == 1.0


def test_closed_session(tf1):
    tf = tf1
    c = tf.constant(1)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)


def test_identity_of_a_variable_sees_updates_that_ran_before_it(tf1):
    """TF's `Variable/read` forwards the variable's buffer: a consumer that runs after an
    update (here through control_dependencies) sees the updated value."""
    tf = tf1
    v = tf.Variable(1.0)
    upd = tf.assign_add(v, 5.0)
    with tf.control_dependencies([upd]):
        ident = tf.identity(v)
        scaled = v * 1.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(ident) == 6.0
        assert sess.run(scaled) == 11.0
        assert sess.run(v.value()) == 11.0
    w = tf.Variable(2.0, name="w")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value w"):
            sess.run(tf.identity(w))
