"""v1 RefVariable behaviour (names, collections, initialisation helpers), checked against TF 2.21."""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("v1")


def test_variable_ops_and_reprs(tf1):
    tf = tf1
    v = tf.Variable([1.0, 2.0], name="v")
    assert repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>"
    assert [(o.name, o.type) for o in tf.get_default_graph().get_operations()] == [
        ("v/initial_value", "Const"), ("v", "VariableV2"), ("v/Assign", "Assign"),
        ("v/read", "Identity")]
    r = v.read_value()
    assert (r.name, r.op.type, [t.name for t in r.op.inputs]) == ("read:0", "Identity",
                                                                  ["v:0"])
    assert v.value().name == "v/read:0" and v.initial_value.name == "v/initial_value:0"
    assert v.op.type == "VariableV2" and v.get_shape() == (2,)
    fn = tf.Variable(lambda: tf.ones([2]), name="fn")
    assert fn.initial_value.name == "fn/Initializer/ones:0"
    assert repr(tf.Variable(3, dtype=tf.float32, name="dt")) == \
        "<tf.Variable 'dt:0' shape=() dtype=float32_ref>"


def test_variable_argument_errors(tf1):
    tf = tf1
    with pytest.raises(ValueError, match="^initial_value must be specified.$"):
        tf.Variable()
    with pytest.raises(ValueError, match=r"initial_value must have a shape specified: "
                                         r"Tensor\(\"Placeholder:0\", dtype=float32\)"):
        tf.Variable(tf.placeholder(tf.float32))
    with pytest.raises(ValueError) as e, tf.Graph().as_default():
        tf.Variable([1., 2.], shape=(3,))
    assert str(e.value) == (
        "Dimension 0 in both shapes must be equal, but are 3 and 2. Shapes are [3] and [2]. "
        "for '{{node Variable/Assign}} = Assign[T=DT_FLOAT, use_locking=true, "
        "validate_shape=true](Variable, Variable/initial_value)' with input shapes: [3], [2].")


def test_unknown_shapes(tf1):
    tf = tf1
    w = tf.Variable(tf.zeros([2]), validate_shape=False, name="w")
    x = tf.Variable(1.0, shape=tf.TensorShape(None), name="x")
    assert str(w.shape) == "<unknown>" and str(x.shape) == "<unknown>"
    assert repr(w) == "<tf.Variable 'w:0' shape=<unknown> dtype=float32_ref>"
    with tf.Session() as s:
        s.run([w.initializer, x.initializer])
        assert s.run(w).tolist() == [0.0, 0.0] and s.run(x) == 1.0


def test_collections_local_still_trainable(tf1):
    tf = tf1
    g = tf.Variable(1.0, name="g")
    n = tf.Variable(1.0, name="n", trainable=False)
    loc = tf.Variable(1.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="l")
    assert tf.global_variables() == [g, n]
    assert tf.trainable_variables() == [g, loc]
    assert tf.local_variables() == [loc]
    with tf.name_scope("scope"):
        inner = tf.Variable(2.0, name="inner")
    assert tf.global_variables(scope="scope") == [inner]
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, "sco") == [inner]


def test_initializers_report_and_load(tf1):
    tf = tf1
    v = tf.Variable([1.0, 2.0], name="v")
    u = tf.Variable(5, name="u")
    rep = tf.report_uninitialized_variables()
    ivi = tf.is_variable_initialized(v)
    assert ivi.name == "IsVariableInitialized:0" and ivi.dtype == tf.bool
    av = tf.assert_variables_initialized([v, u])
    with tf.Session() as s:
        assert s.run(rep).tolist() == [b"v", b"u"]
        s.run(v.initializer)
        assert s.run(rep).tolist() == [b"u"] and s.run(ivi)
        with pytest.raises(errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value u"):
            s.run(av)
        v.load([3.0, 4.0], s)
        assert s.run(v).tolist() == [3.0, 4.0]
        with s.as_default():
            assert v.eval().tolist() == [3.0, 4.0]
            v.load([5., 6.])
        assert v.eval(session=s).tolist() == [5.0, 6.0]
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor "
                                             r"v/initial_value:0, which has shape \(2,\)"):
            v.load([1.0, 2.0, 3.0], s)
    with tf.Session() as s2:        # values live in each session
        assert s2.run(rep).tolist() == [b"v", b"u"]


def test_variables_initializer_and_sessions_are_independent(tf1):
    tf = tf1
    a = tf.Variable(0, name="a")
    b = tf.Variable(1, name="b")
    init_a = tf.variables_initializer([a], name="init_a")
    assert (init_a.name, init_a.type) == ("init_a", "NoOp")
    s1, s2 = tf.Session(), tf.Session()
    s1.run(init_a)
    with pytest.raises(errors.FailedPreconditionError,
                       match="Attempting to use uninitialized value b"):
        s1.run(b)
    s2.run(tf.global_variables_initializer())
    s1.run(a.assign_add(5))
    assert s1.run(a) == 5 and s2.run(a) == 0
    assert isinstance(s2.run(b), np.int32)


def test_initialized_value_is_tfs_cond(tf1):
    tf = tf1
    w = tf.Variable(1.0, name="w")
    iv = w.initialized_value()
    assert str(iv) == 'Tensor("cond/Merge:0", shape=(), dtype=float32)'
    types = {o.name: o.type for o in tf.get_default_graph().get_operations()}
    assert types["IsVariableInitialized"] == "IsVariableInitialized"
    assert types["cond/Switch"] == "Switch" and types["cond/read/Switch"] == "RefSwitch"
    assert types["cond/Merge"] == "Merge" and types["cond/Switch_1"] == "Switch"
    assert [t.name for t in iv.op.inputs] == ["cond/Switch_1:0", "cond/read:0"]
    with tf.Session() as s:
        assert s.run(iv) == 1.0                       # the initial value; nothing assigned
        with pytest.raises(errors.FailedPreconditionError):
            s.run(w)
        s.run(w.initializer)
        s.run(w.assign(5.0))
        assert s.run(iv) == 5.0                       # the value once initialised


def test_initial_value_reading_another_variable_is_guarded(tf1):
    """TF rewrites `Variable(w * 2)` to read w through w.initialized_value() (ops named
    v/cond/..., w/read_v, mul_v), so v can be initialised before w."""
    tf = tf1
    w = tf.Variable(1.0, name="w")
    v = tf.Variable(w * 2, name="v")
    names = [(o.name, o.type) for o in tf.get_default_graph().get_operations()]
    assert ("w/read_v", "Identity") in names and ("mul_v", "Mul") in names
    assert ("v/cond/Merge", "Merge") in names
    assert [t.name for t in v.initializer.inputs] == ["v:0", "mul_v:0"]
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(v) == 2.0
        with pytest.raises(errors.FailedPreconditionError):
            s.run(w)
        s.run(w.assign(10.0))
        s.run(v.initializer)
        assert s.run(v) == 20.0
        with pytest.raises(errors.InvalidArgumentError, match="does not have value"):
            # w is initialised now: the false side of the switch is dead
            s.run(tf.get_default_graph().get_tensor_by_name("v/cond/Switch:0"))
