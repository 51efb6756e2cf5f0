"""Random ops: TF's graph (names, seed attrs), TF's seed rules, per-session sequences, and
the distributions (values are NumPy Philox draws, not TF's bit patterns)."""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")


def test_graph_and_names_like_tf(tf1):
    u = tf1.random_uniform([2, 3])
    assert (u.name, u.op.type, u.dtype.name) == ("random_uniform/RandomUniform:0",
                                                 "RandomUniform", "float32")
    u2 = tf1.random_uniform([2, 3], -1, 1)
    assert (u2.name, u2.op.type) == ("random_uniform_1:0", "AddV2")
    ops = [(o.name, o.type) for o in tf1.get_default_graph().get_operations()]
    assert ops[-5:] == [("random_uniform_1/min", "Const"), ("random_uniform_1/max", "Const"),
                        ("random_uniform_1/RandomUniform", "RandomUniform"),
                        ("random_uniform_1/sub", "Sub"), ("random_uniform_1/mul", "Mul")] \
        or ops[-6:-1] == [("random_uniform_1/min", "Const"), ("random_uniform_1/max", "Const"),
                          ("random_uniform_1/RandomUniform", "RandomUniform"),
                          ("random_uniform_1/sub", "Sub"), ("random_uniform_1/mul", "Mul")]
    i = tf1.random_uniform([2, 3], 0, 10, dtype=tf1.int32)
    assert (i.name, i.op.type, i.dtype.name) == ("random_uniform_2:0", "RandomUniformInt",
                                                 "int32")
    n = tf1.random_normal([2, 3], seed=3)
    assert (n.name, n.op.type) == ("random_normal:0", "AddV2")
    assert [t.name for t in n.op.inputs] == ["random_normal/mul:0", "random_normal/mean:0"]
    t = tf1.truncated_normal([2, 3])
    assert t.op.inputs[0].op.inputs[0].op.type == "TruncatedNormal"
    s = tf1.random_shuffle(tf1.constant([1, 2, 3]))
    assert (s.name, s.op.type) == ("RandomShuffle:0", "RandomShuffle")
    m = tf1.multinomial(tf1.log([[0.5, 0.5]]), 3)
    assert (m.name, m.dtype.name) == ("multinomial/Multinomial:0", "int64")
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf1.random_uniform([2], dtype=tf1.int32)


def test_seed_attrs_follow_tf(tf1):
    def seeds(t):
        while t.op.type not in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal",
                                "RandomUniformInt"):
            t = t.op.inputs[0]
        return t.op.get_attr("seed"), t.op.get_attr("seed2")
    assert seeds(tf1.random_uniform([1])) == (0, 0)
    assert seeds(tf1.random_normal([1], seed=5)) == (87654321, 5)
    tf1.set_random_seed(1)
    assert tf1.get_default_graph().seed == 1
    assert seeds(tf1.random_uniform([1])) == (1, 0)
    assert seeds(tf1.random_uniform([1])) == (1, 1)
    assert seeds(tf1.random_normal([1], seed=5)) == (1, 5)
    assert seeds(tf1.truncated_normal([1])) == (1, 2)
    g = tf1.Graph()
    with g.as_default():
        tf1.set_random_seed(0)
        assert seeds(tf1.random_uniform([1], seed=0)) == (0, 2 ** 31 - 1)


def test_sequences_per_session(tf1):
    tf1.set_random_seed(42)
    a = tf1.random_uniform([4])
    b = tf1.random_normal([3], seed=7)
    with tf1.Session() as s:
        r1, r2 = s.run([a, b]), s.run([a, b])
    with tf1.Session() as s:
        r3 = s.run([a, b])
    np.testing.assert_array_equal(r1[0], r3[0])      # same graph + seeds: same sequence
    np.testing.assert_array_equal(r1[1], r3[1])
    assert not np.array_equal(r1[0], r2[0])          # each run draws new numbers
    unseeded = tf1.Graph()
    with unseeded.as_default():
        c = tf1.random_uniform([8])
        with tf1.Session() as s:
            c1 = s.run(c)
        with tf1.Session() as s:
            c2 = s.run(c)
    assert not np.array_equal(c1, c2)


def test_distributions(tf1):
    n = 20000
    t = {"u": tf1.random_uniform([n], seed=1), "u5": tf1.random_uniform([n], 2, 5, seed=2),
         "u64": tf1.random_uniform([n], dtype=tf1.float64, seed=3),
         "n": tf1.random_normal([n], 1.0, 2.0, seed=4),
         "t": tf1.truncated_normal([n], stddev=0.5, seed=5),
         "i": tf1.random_uniform([n], -3, 4, dtype=tf1.int64, seed=6),
         "h": tf1.random_normal([10], dtype=tf1.float16, seed=7),
         "sh": tf1.random_shuffle(tf1.range(100), seed=8),
         "m": tf1.multinomial(tf1.log([[0.2, 0.8], [1.0, 0.0]]), 2000, seed=9)}
    v = tf1.Session().run(t)
    assert v["u"].dtype == np.float32 and 0 <= v["u"].min() and v["u"].max() < 1
    assert abs(v["u"].mean() - 0.5) < 0.02
    assert 2 <= v["u5"].min() and v["u5"].max() < 5 and v["u64"].dtype == np.float64
    assert abs(v["n"].mean() - 1) < 0.06 and abs(v["n"].std() - 2) < 0.06
    assert np.abs(v["t"]).max() <= 1.0 and abs(v["t"].std() - 0.44) < 0.02
    assert v["i"].dtype == np.int64 and set(np.unique(v["i"])) == set(range(-3, 4))
    assert v["h"].dtype == np.float16 and v["h"].shape == (10,)
    assert sorted(v["sh"].tolist()) == list(range(100)) and v["sh"].tolist() != list(range(100))
    assert abs(v["m"][0].mean() - 0.8) < 0.04 and v["m"][1].max() == 0


def test_run_time_errors(tf1):
    p = tf1.placeholder(tf1.int32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="Need minval < maxval"):
        tf1.Session().run(tf1.random_uniform([2], 5, 1, dtype=tf1.int32))
    with pytest.raises(errors.InvalidArgumentError, match="must be >= 0"):
        tf1.Session().run(tf1.random_normal(p), {p: [2, -1]})


def test_eager_random(tf2):
    from tfteach.ops import random_ops as R
    R.set_random_seed(3)
    a1, a2 = R.random_uniform([3]).numpy(), R.random_uniform([3]).numpy()
    R.set_random_seed(3)
    b1, b2 = R.random_uniform([3]).numpy(), R.random_uniform([3]).numpy()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
    assert R.random_normal([2, 2]).shape == (2, 2)
