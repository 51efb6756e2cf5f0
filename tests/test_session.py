"""Session.run fidelity: fetch structures, feeds, errors, tracing, fusion, placement log.

Expected texts are TF 2.21's (tf.compat.v1 with v2 behaviour disabled)."""
import collections

import numpy as np
import pytest

from tfteach import errors
from tfteach.client import session as session_mod
from tfteach.runtime import executor

pytestmark = pytest.mark.mode("v1")


def test_fetch_structures_and_duplicates(tf1):
    tf = tf1
    a = tf.constant(1.0, name="a")
    b = a + 1.0
    v = tf.Variable(3.0, name="v")
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as s:
        s.run(v.initializer)
        out = s.run({"a": b, "b": [b, v], "p": Pair(a, (b,)), "op": v.initializer})
        assert out["a"] == 2.0 and out["b"] == [2.0, 3.0]
        assert out["p"] == Pair(1.0, (2.0,)) and out["op"] is None
        assert isinstance(out["a"], np.float32)
        assert s.run([b, b, "a:0", "add"]) == [2.0, 2.0, 1.0, None]
        assert s.run(v) == 3.0 and s.run("v:0") == 3.0


def test_fetch_errors(tf1):
    tf = tf1
    c = tf.constant(1.0) + 2.0
    g2 = tf.Graph()
    with g2.as_default():
        z = tf.constant(1)
    with tf.Session() as s:
        with pytest.raises(TypeError, match=r'^Argument `fetch` = None has invalid type '
                                            r'"NoneType". Cannot be None$'):
            s.run(None)
        with pytest.raises(TypeError) as e:
            s.run([c, 3.5])
        assert str(e.value) == ('Argument `fetch` = 3.5 has invalid type "float" must be a '
                                'string or Tensor. (Can not convert a float into a Tensor or '
                                'Operation.)')
        with pytest.raises(ValueError) as e:
            s.run(z)
        assert str(e.value) == ('Argument `fetch` = Tensor("Const:0", shape=(), dtype=int32) '
                                'cannot be interpreted as a Tensor. (Tensor Tensor("Const:0", '
                                'shape=(), dtype=int32) is not an element of this graph.)')
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The "
                                            "name 'nonexist:0' refers to a Tensor which does "
                                            "not exist"):
            s.run(c, feed_dict={"nonexist:0": 1})
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        s.run(c)


def test_feeding_any_tensor_prunes_its_producer(tf1):
    tf = tf1
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = a + b
    p = tf.placeholder(tf.float32, [2])
    q = p * 2
    with tf.Session() as s:
        assert s.run(c, feed_dict={a: 10.0}) == 12.0
        # q fed directly: the placeholder it depends on needs no feed
        assert s.run(q, feed_dict={q: [5., 6.]}).tolist() == [5., 6.]
        with pytest.raises(ValueError) as e:
            s.run(c, feed_dict={a: [1.0, 2.0]})
        assert str(e.value) == ("Cannot feed value of shape (2,) for Tensor a:0, which has "
                                "shape ()")
        with pytest.raises(ValueError, match="could not convert string to float"):
            s.run(q, feed_dict={p: "abc"})
        with pytest.raises(errors.InvalidArgumentError) as e:
            s.run(q)
        assert ("You must feed a value for placeholder tensor 'Placeholder' with dtype float "
                "and shape [2]") in str(e.value)
        i = tf.placeholder(tf.int32)
        with pytest.raises(TypeError, match="is not compatible with Tensor type <dtype: "
                                            "'int32'>. Try explicitly setting"):
            s.run(i + 1, feed_dict={i: 2 ** 40})


def test_failed_run_rolls_back_and_missing_feed_runs_independent_ops(tf1):
    tf = tf1
    v = tf.Variable(1.0, name="v")
    step = tf.Variable(0, name="step")
    p = tf.placeholder(tf.float32, name="p")
    up = v.assign_add(1.0)
    with tf.control_dependencies([up]):
        bad = tf.identity(p * 2.0)
    inc = step.assign_add(1)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        # as in TF: the step counter does not need the feed and still runs
        with pytest.raises(errors.InvalidArgumentError):
            s.run([bad, inc])
        assert s.run(step) == 1
        # a kernel failure after a write: everything written in the run is undone
        idx = tf.placeholder(tf.int32)
        boom = tf.gather(tf.constant([1.0, 2.0]), idx)
        with tf.control_dependencies([up]):
            out = tf.identity(boom)
        before = s.run(v)
        with pytest.raises(errors.InvalidArgumentError):
            s.run(out, feed_dict={idx: 7})
        assert s.run(v) == before


def test_trace_run_callback_and_run_metadata(tf1):
    tf = tf1
    v = tf.Variable(2.0, name="v")
    x = tf.placeholder(tf.float32, name="x")
    y = tf.multiply(x, v, name="y")
    z = tf.add(y, 1.0, name="z")
    with tf.Session() as s:
        s.run(v.initializer)
        seen = []
        md = tf.RunMetadata()
        out = session_mod.trace_run(s, z, {x: 3.0},
                                    lambda op, vals, sec: seen.append((op.name, vals, sec)),
                                    md)
        assert out == 7.0
        names = [n for n, _, _ in seen]
        assert names.index("v/read") < names.index("y") < names.index("z")
        assert dict((n, vals) for n, vals, _ in seen)["y"] == [6.0]
        assert all(sec >= 0 for _, _, sec in seen)
        stats = md.step_stats.dev_stats[0]
        assert stats.device == "/job:localhost/replica:0/task:0/device:CPU:0"
        assert [n.node_name for n in stats.node_stats] == names
        # through Session.run with RunOptions, as TF's timeline users do
        md2 = tf.RunMetadata()
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        assert s.run(z, {x: 1.0}, options=opts, run_metadata=md2) == 3.0
        assert "z" in [n.node_name for n in md2.step_stats.dev_stats[0].node_stats]
        # a failing traced run is rolled back like a plain one
        up = v.assign(100.0)
        with tf.control_dependencies([up]):
            bad = tf.gather(tf.constant([1.0]), tf.constant(5))
        with pytest.raises(errors.InvalidArgumentError):
            session_mod.trace_run(s, bad)
        assert s.run(v) == 2.0


def test_fused_chain_matches_unfused(tf1, monkeypatch):
    tf = tf1
    v = tf.Variable(np.linspace(-1, 1, 7).astype(np.float32))
    y = v
    for i in range(12):
        y = (y + 0.5) if i % 3 == 0 else (y * 0.9 if i % 3 == 1 else tf.maximum(y, -0.3))
    branch = y * 2.0              # y has two consumers: the chain ends at y
    out = y - branch
    with tf.Session() as s:
        s.run(v.initializer)
        first = s.run([out, y])
        monkeypatch.setattr(executor.Plan, "FUSE_AFTER", 3)
        fs = tf.Session()
        fs.run(v.initializer)
        for _ in range(4):
            fused = fs.run([out, y])
        plan = [p for p in fs._plans.values() if p.fetch_tensors][0]
        assert plan.fused_groups and len(plan.fused_groups[0].ops) >= 4
        np.testing.assert_array_equal(fused[0], first[0])
        np.testing.assert_array_equal(fused[1], first[1])


def test_constant_chain_is_folded_once_hot(tf1, monkeypatch):
    tf = tf1
    monkeypatch.setattr(executor.Plan, "FUSE_AFTER", 2)
    x = tf.constant(1.0)
    y = x
    for i in range(10):
        y = y + 1.0 if i % 2 == 0 else y * 0.5
    with tf.Session() as s:
        vals = [s.run(y) for _ in range(3)]
        (plan,) = s._plans.values()
        assert plan.fused_groups[0].value is not None and "K" not in plan.source
    assert vals[0] == vals[1] == vals[2]
    expected = np.float32(1.0)
    for i in range(10):
        expected = expected + np.float32(1.0) if i % 2 == 0 else expected * np.float32(0.5)
    assert vals[2] == expected


def test_make_callable_and_default_sessions(tf1):
    tf = tf1
    p = tf.placeholder(tf.float32, [2])
    q = p * 2
    c = tf.constant(3.0)
    s = tf.Session()
    f = s.make_callable(q, [p])
    assert f([1, 2]).tolist() == [2.0, 4.0]
    assert s.make_callable(c)() == 3.0
    with pytest.raises(errors.InvalidArgumentError):
        f()
    assert tf.get_default_session() is None
    with pytest.raises(ValueError, match=r"^Cannot evaluate tensor using `eval\(\)`: No "
                                         r"default session is registered"):
        c.eval()
    with pytest.raises(ValueError, match=r"^Cannot execute operation using `run\(\)`: No "
                                         r"default session is registered"):
        c.op.run()
    with s.as_default():
        assert tf.get_default_session() is s and c.eval() == 3.0
    s.close()
    isess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is isess and c.eval() == 3.0
    finally:
        isess.close()
    assert tf.get_default_session() is None


def test_log_device_placement_like_tf(tf1, capsys):
    tf = tf1
    a = tf.constant(1.0, name="a")
    c = tf.add(a, 1.0, name="add")
    s = tf.Session(config=tf.ConfigProto(log_device_placement=True))
    s.run(c)
    s.run(c)                       # logged once per graph version
    out = capsys.readouterr().out.splitlines()
    cpu = "/job:localhost/replica:0/task:0/device:CPU:0"
    assert out == [f"add: (AddV2): {cpu}", f"a: (Const): {cpu}", f"add/y: (Const): {cpu}"]
    assert [d.name for d in s.list_devices()] == [cpu]


def test_graph_finalize_reset_and_graph_def(tf1):
    tf = tf1
    g = tf.Graph()
    with g.as_default():
        tf.constant(3.14, name="c")
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph"):
            tf.reset_default_graph()
    g.finalize()
    with g.as_default():
        with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
            tf.constant(1)
    assert str(g.as_graph_def()) == (
        'node {\n  name: "c"\n  op: "Const"\n  attr {\n    key: "value"\n    value {\n'
        '      tensor {\n        dtype: DT_FLOAT\n        tensor_shape {\n        }\n'
        '        float_val: 3.14\n      }\n    }\n  }\n  attr {\n    key: "dtype"\n'
        '    value {\n      type: DT_FLOAT\n    }\n  }\n}\nversions {\n  producer: 2474\n}\n')


def test_node_def_text_forms(tf1):
    tf = tf1
    m = tf.constant([[1, 2], [3, 4]], name="m")
    s = tf.constant(b'a"b\n\x00\xff', name="s")
    big = tf.constant(123456789.0, name="big")
    p = tf.placeholder(tf.float32, shape=(None, 3), name="p")
    with tf.device("/cpu:0"):
        add = tf.add(p, 1.0, name="add")
    text = str(m.op)
    assert 'tensor_content: "\\001\\000\\000\\000\\002\\000\\000\\000\\003\\000\\000\\000' \
           '\\004\\000\\000\\000"' in text
    assert 'string_val: "a\\"b\\n\\000\\377"' in str(s.op)
    assert "float_val: 123456792" in str(big.op)
    assert ("shape {\n      dim {\n        size: -1\n      }\n      dim {\n        size: 3\n"
            "      }\n    }") in str(p.op)
    assert str(add.op).startswith('name: "add"\nop: "AddV2"\ninput: "p"\ninput: "add/y"\n'
                                  'device: "/device:CPU:0"\n')
    assert 'key: "T"\n  value {\n    type: DT_FLOAT\n  }' in str(add.op.node_def)


def test_plan_drops_each_intermediate_after_its_last_use(tf1):
    # like TF's executor, a plan holds no intermediate past its last consumer: a big
    # temporary goes back to the allocator before the next op asks for memory
    tf = tf1
    x = tf.placeholder(tf.float32, [None, 4])
    h = tf.nn.relu(x * 2.0)
    y = tf.reduce_sum(h, axis=1) + tf.reduce_mean(h)
    feed = {x: np.arange(8, dtype=np.float32).reshape(2, 4) - 3}
    with tf.Session() as s:
        got = s.run([y, h], feed)
        (plan,) = s._plans.values()
        lines = plan.source.splitlines()
    hx = np.maximum((np.arange(8, dtype=np.float32).reshape(2, 4) - 3) * 2, 0)
    np.testing.assert_allclose(got[0], hx.sum(1) + hx.mean())
    np.testing.assert_allclose(got[1], hx)          # a fetched value is never dropped
    dels = [ln for ln in lines if ln.strip().startswith("del ")]
    assert dels
    for ln in dels:     # every dropped name was assigned earlier and is not used later
        i = lines.index(ln)
        for name in ln.split("del ", 1)[1].split(", "):
            assert any(l.lstrip().startswith(name) for l in lines[:i])
            assert not any(name in l for l in lines[i + 1:])


def test_error_after_a_dropped_value_still_names_its_op(tf1):
    tf = tf1
    a = tf.placeholder(tf.float32, [None, None])     # the mismatch shows only at run time
    b = tf.nn.relu(a) + 1.0
    bad = tf.matmul(b, tf.ones([4, 2]), name="bad_product")
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad_product"):
            s.run(bad, {a: np.ones((2, 3), np.float32)})
