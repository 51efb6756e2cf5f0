"""tf.variable_scope / tf.get_variable with TF 1.x semantics (names checked against TF 2.21)."""
import numpy as np
import pytest

pytestmark = pytest.mark.mode("v1")


def _ops(tf):
    return [(o.name, o.type) for o in tf.get_default_graph().get_operations()]


def test_get_variable_constant_initializer_ops(tf1):
    tf = tf1
    with tf.variable_scope("relu"):
        t = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
    assert t.name == "relu/threshold:0"
    assert repr(t) == "<tf.Variable 'relu/threshold:0' shape=() dtype=float32_ref>"
    assert _ops(tf) == [("relu/threshold/Initializer/Const", "Const"),
                        ("relu/threshold", "VariableV2"),
                        ("relu/threshold/Assign", "Assign"),
                        ("relu/threshold/read", "Identity")]
    with tf.Session() as s:
        s.run(t.initializer)
        assert s.run(t) == 0.0


def test_reuse_true_shares_and_name_scope_is_uniquified(tf1):
    tf = tf1
    with tf.variable_scope("relu"):
        t = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(1.5))
    shared = []
    for _ in range(3):
        with tf.variable_scope("relu", reuse=True):
            shared.append(tf.get_variable("threshold"))
            c = tf.constant(1.0, name="c")
    assert all(v is t for v in shared)
    assert c.name == "relu_3/c:0"
    assert [v.name for v in tf.global_variables()] == ["relu/threshold:0"]


def test_slide_nesting_quirk_relu_relu(tf1):
    """Opening variable_scope('relu', reuse=True) inside variable_scope('relu') looks for
    relu/relu/threshold (conformance s2_p39)."""
    tf = tf1
    with tf.variable_scope("relu"):
        tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
        with pytest.raises(ValueError) as e:
            with tf.variable_scope("relu", reuse=True):
                tf.get_variable("threshold", shape=())
    msg = str(e.value)
    assert msg == ("Variable relu/relu/threshold does not exist, or was not created with "
                   "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")


def test_create_twice_is_an_error_with_origin(tf1):
    tf = tf1
    with tf.variable_scope("relu"):
        tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
    with pytest.raises(ValueError) as e:
        with tf.variable_scope("relu"):
            tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
    msg = str(e.value)
    assert msg.startswith("Variable relu/threshold already exists, disallowed. Did you mean to "
                          "set reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally "
                          "defined at:\n\n  File \"")
    assert __file__.rstrip("c") in msg


def test_auto_reuse_and_reuse_inheritance(tf1):
    tf = tf1
    init = tf.constant_initializer(2.0)
    with tf.variable_scope("foo", reuse=tf.AUTO_REUSE):
        a = tf.get_variable("x", [1], initializer=init)
        b = tf.get_variable("x", [1], initializer=init)
        assert tf.get_variable_scope().reuse is tf.AUTO_REUSE
        with tf.variable_scope("inner", reuse=False):    # False inherits, cannot switch off
            assert tf.get_variable_scope().reuse is tf.AUTO_REUSE
    assert a is b and a.name == "foo/x:0"
    assert repr(tf.AUTO_REUSE) == "<_ReuseMode.AUTO_REUSE: 1>"
    assert str(tf.AUTO_REUSE) == "_ReuseMode.AUTO_REUSE"
    assert tf.get_variable_scope().name == "" and tf.get_variable_scope().reuse is False
    with tf.variable_scope("bar") as scope:
        tf.get_variable("y", [1], initializer=init)
        scope.reuse_variables()
        assert tf.get_variable("y", [1]).name == "bar/y:0"


def test_reenter_scope_object_and_default_name(tf1):
    """Names printed by TF 2.21 for the same program."""
    tf = tf1
    init = tf.constant_initializer(1.0)
    with tf.variable_scope("foo") as vs:
        assert (vs.name, vs.original_name_scope, vs.reuse) == ("foo", "foo/", False)
        with tf.variable_scope("bar"):
            x = tf.get_variable("x", [1], initializer=init)
            c = tf.constant(1)
    assert (x.name, c.name) == ("foo/bar/x:0", "foo/bar/Const:0")
    with tf.variable_scope(vs):
        c = tf.constant(1)
        y = tf.get_variable("y", [1], initializer=init)
    assert (c.name, y.name) == ("foo_1/Const:0", "foo/y:0")
    with tf.variable_scope(vs, auxiliary_name_scope=False):
        c = tf.constant(1)
        y2 = tf.get_variable("y2", [1], initializer=init)
    assert (c.name, y2.name) == ("Const:0", "foo/y2:0")
    names = []
    for _ in range(2):
        with tf.variable_scope(None, default_name="foo"):
            names.append((tf.constant(1).name, tf.get_variable("z", [1], initializer=init).name))
    assert names == [("foo_2/Const:0", "foo_1/z:0"), ("foo_3/Const:0", "foo_2/z:0")]


def test_name_scope_does_not_prefix_get_variable(tf1):
    tf = tf1
    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            v = tf.get_variable("v", [2], initializer=tf.zeros_initializer())
            t = tf.add(v, 1.0, name="t")
    assert v.name == "vs/v:0"
    assert t.name == "ns/vs/t:0"


def test_share_errors(tf1):
    tf = tf1
    init = tf.constant_initializer(1.0)
    with tf.variable_scope("foo"):
        tf.get_variable("y", [1], initializer=init)
    with pytest.raises(ValueError, match=r"^Trying to share variable foo/y, but specified "
                                         r"shape \(2,\) and found shape \(1,\)\.$"):
        with tf.variable_scope("foo", reuse=True):
            tf.get_variable("y", [2])
    with pytest.raises(ValueError, match="specified dtype int32 and found dtype float32_ref"):
        with tf.variable_scope("foo", reuse=True):
            tf.get_variable("y", [1], dtype=tf.int32)
    with pytest.raises(ValueError, match="did not get an initializer, so its `shape`"):
        tf.get_variable("s2")
    with pytest.raises(ValueError, match="An initializer for variable s3 of <dtype: "
                                         "'complex64'> is required"):
        tf.get_variable("s3", dtype=tf.complex64, shape=[1])
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("s4", shape=[2], initializer=tf.constant([1., 2.]))
    with pytest.raises(ValueError, match="The initializer passed is not valid"):
        tf.get_variable("s5", shape=[None, 2], initializer=init)
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="d", reuse=True):
            pass
    with pytest.raises(TypeError, match="If default_name is None then name_or_scope is "
                                        "required"):
        tf.variable_scope(None)


def test_initializers_values_and_default_glorot(tf1):
    tf = tf1
    b = tf.get_variable("b", shape=(2,), initializer=tf.zeros_initializer())
    c = tf.get_variable("c", shape=(2,), dtype=tf.int32)
    d = tf.get_variable("d", initializer=tf.constant([1., 2.]))
    e = tf.get_variable("e", shape=[2], initializer=tf.ones_initializer())
    j = tf.get_variable("j", initializer=[1, 2])
    a = tf.get_variable("a", shape=(20, 30))
    f = tf.get_variable("f", shape=[500], initializer=tf.random_normal_initializer(1.0, 0.5))
    h = tf.get_variable("h", shape=[500],
                        initializer=tf.truncated_normal_initializer(stddev=0.1))
    i = tf.get_variable("i", shape=[500], initializer=tf.random_uniform_initializer(-1, 1))
    names = [n for n, _ in _ops(tf)]
    assert "b/Initializer/zeros" in names and "c/Initializer/zeros" in names
    assert "e/Initializer/ones" in names and "j/initial_value" in names
    assert "a/Initializer/random_uniform/RandomUniform" in names
    assert "f/Initializer/random_normal/RandomStandardNormal" in names
    assert "h/Initializer/truncated_normal/TruncatedNormal" in names
    assert "d/initial_value" not in names       # a Tensor initializer is used as is
    assert repr(j) == "<tf.Variable 'j:0' shape=(2,) dtype=int32_ref>"
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        vb, vc, vd, ve, vj, va, vf, vh, vi = s.run([b, c, d, e, j, a, f, h, i])
    assert vb.tolist() == [0, 0] and vc.dtype == np.int32 and vc.tolist() == [0, 0]
    assert vd.tolist() == [1, 2] and ve.tolist() == [1, 1] and vj.tolist() == [1, 2]
    limit = np.sqrt(6.0 / (20 + 30))             # glorot uniform
    assert va.shape == (20, 30) and np.abs(va).max() <= limit and va.std() > limit / 3
    assert abs(vf.mean() - 1.0) < 0.15 and abs(vf.std() - 0.5) < 0.1
    assert np.abs(vh).max() <= 0.2 and vh.std() < 0.1
    assert vi.min() >= -1 and vi.max() <= 1 and vi.std() > 0.4


def test_scope_initializer_inherited_and_collections(tf1):
    tf = tf1
    with tf.variable_scope("o", initializer=tf.constant_initializer(5)) as o:
        v = tf.get_variable("v", [1])
        with tf.variable_scope("in"):
            w = tf.get_variable("w", [1])
        loc = tf.get_local_variable("l", [1], initializer=tf.zeros_initializer())
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run([v, w]) == [np.array([5.], np.float32)] * 2
    assert o.global_variables() == [v, w]
    assert o.trainable_variables() == [v, w]
    assert tf.local_variables() == [loc] and loc not in tf.trainable_variables()


def test_custom_getter_and_regularizer(tf1):
    tf = tf1
    seen = []

    def getter(getter, name, *args, **kwargs):
        seen.append(name)
        return getter(name, *args, **kwargs)

    with tf.variable_scope("g", custom_getter=getter,
                           regularizer=lambda v: tf.multiply(v, 2.0, name="l2")):
        v = tf.get_variable("v", [1], initializer=tf.constant_initializer(3.0))
    assert seen == ["g/v"] and v.name == "g/v:0"
    (loss,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert loss.name == "g/v/Regularizer/l2:0"
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(loss) == [6.0]
