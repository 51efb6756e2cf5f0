"""tf.debugging's numeric checks and assert_* additions, tf.random's stateless ops (TF's
Philox bits) and the tf.io additions, against TF 2.21's recorded results
(tools/record_debug_random_io.py -> tests/data/debug_random_io_tf.json)."""
import json
import os

import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

pytestmark = [pytest.mark.mode("v2"), pytest.mark.usefixtures("tf2")]

with open(os.path.join(os.path.dirname(__file__), "data", "debug_random_io_tf.json")) as _f:
    REC = json.load(_f)

_TF_PREFIX = "{{function_node __wrapped__"


def _core(message):
    """TF's eager message without its function-node prefix and op suffix."""
    if message.startswith(_TF_PREFIX):
        message = message.split("}} ", 1)[1]
    return message.split(" [Op:")[0]


def _raises(rec, fn):
    cls = getattr(errors, rec["class"], None) or {"ValueError": ValueError,
                                                 "TypeError": TypeError}[rec["class"]]
    with pytest.raises(cls) as info:
        fn()
    text = getattr(info.value, "message", None) or str(info.value)
    return text, _core(rec["message"])


def _decode(rec):
    dt = np.dtype(rec["dtype"])
    if "hex" in rec:
        return np.array(rec["hex"], np.uint64).astype(f"u{dt.itemsize}").view(dt).reshape(
            rec["shape"])
    return np.array(rec["values"], dt).reshape(rec["shape"])


def _bits(a):
    a = np.asarray(a)
    return a.view(f"u{a.dtype.itemsize}") if a.dtype.kind == "f" else a


# --- tf.random stateless: bit for bit -------------------------------------------------------

def _stateless_id(c):
    return f"{c['fn']}-{c['dtype']}-{c['shape']}-{c['seed']}-{c.get('minval', '')}"


@pytest.mark.parametrize("case", REC["stateless"], ids=_stateless_id)
def test_stateless_bits_match_tf(case):
    fn = getattr(tf.random, case["fn"])
    kw = {k: case[k] for k in ("minval", "maxval", "mean", "stddev") if k in case}
    seed = case["seed"]
    if case.get("seed_dtype") == "int32":
        seed = tf.constant(seed, tf.int32)
    out = fn(case["shape"], seed=seed, dtype=getattr(tf, case["dtype"]), **kw)
    want = _decode(case["out"])
    got = out.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(_bits(got), _bits(want))


@pytest.mark.parametrize("case", REC["key_counter"], ids=lambda c: str(c["seed"]))
def test_key_counter_matches_tf(case):
    from tfteach.framework.op_def_library import apply_op
    from tfteach.ops import random_ops  # noqa: F401 - declares the op
    key, counter = apply_op("StatelessRandomGetKeyCounter",
                            [tf.constant(case["seed"], tf.int64)], {})
    assert [int(v) for v in key.numpy()] == case["key"]
    assert [int(v) for v in counter.numpy()] == case["counter"]


@pytest.mark.parametrize("name", sorted(REC["stateless_errors"]))
def test_stateless_errors_match_tf(name):
    calls = {
        "seed_shape": lambda: tf.random.stateless_uniform([3], seed=[1, 2, 3]),
        "minval_maxval": lambda: tf.random.stateless_uniform(
            [3], seed=[1, 2], minval=5, maxval=3, dtype=tf.int32),
        "one_bound": lambda: tf.random.stateless_uniform([3], seed=[1, 2], maxval=None,
                                                         minval=0, dtype=tf.int32),
        "bad_dtype": lambda: tf.random.stateless_uniform([3], seed=[1, 2], dtype=tf.int8,
                                                         minval=0, maxval=3),
        "float_seed": lambda: tf.random.stateless_uniform([3], seed=[1.0, 2.0]),
    }
    got, want = _raises(REC["stateless_errors"][name], calls[name])
    want = want.split("\n\t; NodeDef")[0]
    assert want in got


def test_stateless_graph_ops_like_tf():
    g = tf.Graph()
    with g.as_default():
        tf.random.stateless_uniform([3], seed=[1, 2])
        tf.random.stateless_normal([3], seed=[1, 2])
        tf.random.stateless_truncated_normal([3], seed=[1, 2])
        tf.random.stateless_uniform([3], seed=[1, 2], minval=0, maxval=4, dtype=tf.int32)
    ops = [[o.name, o.type] for o in g.get_operations() if o.type != "Const"]
    assert ops == REC["stateless_graph"]


def test_stateless_same_in_function_and_v1_session():
    want = tf.random.stateless_normal([2, 3], seed=[9, 8]).numpy()

    @tf.function
    def draw():
        return tf.random.stateless_normal([2, 3], seed=[9, 8])
    np.testing.assert_array_equal(draw().numpy(), want)
    np.testing.assert_array_equal(draw().numpy(), want)     # stateless: same every run
    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        t = v1.random.stateless_normal([2, 3], seed=[9, 8])
        with v1.Session(graph=g) as s:
            np.testing.assert_array_equal(s.run(t), want)
            np.testing.assert_array_equal(s.run(t), want)


def test_stateless_ops_are_not_differentiable():
    from tfteach.framework import registry
    for t in ("StatelessRandomUniformV2", "StatelessRandomNormalV2",
              "StatelessTruncatedNormalV2", "StatelessRandomUniformIntV2",
              "StatelessRandomGetKeyCounter", "StatelessRandomUniformFullIntV2"):
        assert registry.get(t).gradient is None or not registry.get(t)._differentiable


# --- tf.debugging ---------------------------------------------------------------------------

D = REC["debugging"]
NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("name,call", [
    ("nan", lambda: tf.debugging.check_numerics(tf.constant([1.0, NAN]), "hello")),
    ("inf", lambda: tf.debugging.check_numerics(tf.constant([1.0, -INF]), "hello")),
    ("both", lambda: tf.debugging.check_numerics(tf.constant([INF, NAN]), "hello")),
    ("int", lambda: tf.debugging.check_numerics(tf.constant([1, 2]), "hello")),
    ("all_finite", lambda: tf.debugging.assert_all_finite(tf.constant([INF]), "msg")),
    ("near", lambda: tf.debugging.assert_near(tf.constant([1.0, 2.0]),
                                              tf.constant([1.0, 2.1]))),
    ("near_msg", lambda: tf.debugging.assert_near(
        tf.constant([1.0, 2.0]), tf.constant([1.0, 2.1]), message="mm", summarize=1)),
    ("near_tol", lambda: tf.debugging.assert_near(
        tf.constant([1.0, 2.0], tf.float64), tf.constant([1.0, 2.1], tf.float64),
        rtol=0.01, atol=0.01)),
    ("rank_in", lambda: tf.debugging.assert_rank_in(tf.constant([1.0, 2.0]), [0, 2])),
    ("rank_in_msg", lambda: tf.debugging.assert_rank_in(tf.constant(1.0), [1],
                                                        message="need")),
    ("same_float_mismatch", lambda: tf.debugging.assert_same_float_dtype(
        [tf.constant([1.0, 2.0]), tf.constant([1.0], tf.float64)])),
    ("same_float_int", lambda: tf.debugging.assert_same_float_dtype([tf.constant([1, 2])])),
    ("same_float_expected", lambda: tf.debugging.assert_same_float_dtype(
        [tf.constant([1.0, 2.0])], tf.float64)),
    ("proper_str", lambda: tf.debugging.assert_proper_iterable("abc")),
    ("proper_ndarray", lambda: tf.debugging.assert_proper_iterable(np.array([1.0]))),
    ("proper_int", lambda: tf.debugging.assert_proper_iterable(3)),
])
def test_debugging_errors_match_tf(name, call):
    got, want = _raises(D[name], call)
    if name == "int":       # TF appends its OpDef text; tfteach its own NodeDef line
        want = want.split("\n\t; NodeDef")[0]
    assert want in got


def test_debugging_values_match_tf():
    assert tf.debugging.assert_same_float_dtype(None, tf.float64).name == D["same_float_none"]
    assert tf.debugging.assert_same_float_dtype(
        [tf.constant([1.0], tf.float16)]).name == D["same_float_default"]
    assert tf.debugging.assert_same_float_dtype().name == D["same_float_empty"]
    assert tf.debugging.assert_proper_iterable([1]) is None
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(tf.debugging.check_numerics(x, "ok").numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(tf.debugging.assert_all_finite(x, "ok").numpy(), [1.0, 2.0])
    assert tf.debugging.assert_near(x, x + 1e-7) is None


def test_check_numerics_gradient_like_tf():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = tf.debugging.check_numerics(x * x, "sq") * 3.0
    assert tape.gradient(z, x).numpy().tolist() == D["grad_ok"]
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x, "fwd")
        z = y * tf.constant([NAN, 1.0])
    got, want = _raises(D["grad_nan"], lambda: tape.gradient(z, x))
    assert want in got


def test_check_numerics_in_function():
    @tf.function
    def fn(v):
        return tf.debugging.check_numerics(tf.math.log(v), "in function")
    assert fn(tf.constant([1.0])).numpy().tolist() == D["function_ok"]
    with pytest.raises(errors.InvalidArgumentError) as info:
        fn(tf.constant([-1.0]))
    assert "in function : Tensor had NaN values" in D["function_nan"]["message"]
    assert "in function : Tensor had NaN values" in info.value.message


def test_check_numerics_v1_graph_like_tf():
    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        t = v1.placeholder(tf.float32, [2])
        c = v1.check_numerics(t, "v1 graph")
        a = v1.debugging.assert_all_finite(t, "v1 finite")
        grad = v1.gradients(tf.reduce_sum(c * 2.0), t)
        ops = [[o.name, o.type] for o in g.get_operations()]
        for entry in (["CheckNumerics", "CheckNumerics"],
                      ["VerifyFinite/CheckNumerics", "CheckNumerics"],
                      ["VerifyFinite/control_dependency", "Identity"],
                      ["gradients/CheckNumerics_grad/CheckNumerics", "CheckNumerics"]):
            assert entry in D["v1_graph"] and entry in ops
        with v1.Session(graph=g) as sess:
            for key, fetch, feed in (("v1_run_inf", c, [INF, 1.0]),
                                     ("v1_assert_all_finite", a, [NAN, 1.0])):
                with pytest.raises(errors.InvalidArgumentError) as info:
                    sess.run(fetch, {t: feed})
                # TF's session message adds the creation trace; its check line and the
                # failing node are what tfteach writes too
                lines = D[key]["message"].split("\n")
                core = next(ln for ln in lines if " : Tensor had " in ln)
                node = next(ln for ln in lines if "[[{{node " in ln).strip()
                assert core in info.value.message and node in info.value.message
            assert sess.run(grad, {t: [1.0, 2.0]})[0].tolist() == D["v1_grad"]


def test_v1_debugging_spellings():
    v1 = tf.compat.v1
    assert v1.debugging.assert_all_finite.__name__ == "verify_tensor_all_finite"
    assert v1.verify_tensor_all_finite is v1.debugging.assert_all_finite
    with pytest.raises(errors.InvalidArgumentError, match="m2 : Tensor had Inf values"):
        v1.debugging.assert_all_finite(x=tf.constant([INF]), message="m2")
    with pytest.raises(ValueError, match=r"must have rank in \(2,\)"):
        v1.debugging.assert_rank_in(tf.constant([1.0]), [2])


# --- tf.io ----------------------------------------------------------------------------------

IO = REC["io"]


def test_base64_matches_tf():
    for h, want in IO["encode_base64"]:
        assert tf.io.encode_base64(bytes.fromhex(h)).numpy().decode() == want
        assert tf.io.decode_base64(want).numpy() == bytes.fromhex(h)
    for h, want in IO["encode_base64_pad"]:
        assert tf.io.encode_base64(bytes.fromhex(h), pad=True).numpy().decode() == want
        assert tf.io.decode_base64(want).numpy() == bytes.fromhex(h)
    assert tf.io.decode_base64("Zm8=").numpy().hex() == IO["decode_base64_padded"]
    both = tf.io.encode_base64([[b"a", b"bc"]])
    assert both.shape == (1, 2) and both.numpy().tolist() == [[b"YQ", b"YmM"]]
    for key, text in (("decode_base64_bad", "a"), ("decode_base64_std_alphabet", "ab+/")):
        got, want = _raises(IO[key], lambda: tf.io.decode_base64(text))
        assert want in got


def _value(case):
    if case["dtype"] == "string":
        return np.array([x.encode() for x in case["value"]], dtype=object)
    return np.array(case["value"], dtype=case["dtype"]).reshape(case["shape"])


@pytest.mark.parametrize("case", IO["serialize_tensor"],
                         ids=lambda c: f"{c['dtype']}-{c['shape']}")
def test_serialize_tensor_bytes_match_tf(case):
    dt = getattr(tf, case["dtype"])
    t = tf.constant(_value(case), dtype=dt)
    assert tf.io.serialize_tensor(t).numpy().hex() == case["bytes"]
    back = tf.io.parse_tensor(bytes.fromhex(case["bytes"]), dt)
    assert back.dtype == dt and back.shape == tuple(case["shape"])
    np.testing.assert_array_equal(back.numpy(), t.numpy())


def test_parse_tensor_errors_match_tf():
    got, want = _raises(IO["parse_tensor_wrong_type"], lambda: tf.io.parse_tensor(
        tf.io.serialize_tensor(tf.constant([1.0])), tf.int32))
    assert want in got
    got, want = _raises(IO["parse_tensor_garbage"],
                        lambda: tf.io.parse_tensor(b"\xff\xff", tf.float32))
    assert want in got


def test_serialize_round_trip_in_v1_session():
    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        s = v1.io.serialize_tensor(tf.constant([[1, 2], [3, 4]], tf.int64))
        back = v1.io.parse_tensor(s, tf.int64)
        assert back.shape.rank is None
        with v1.Session(graph=g) as sess:
            np.testing.assert_array_equal(sess.run(back), [[1, 2], [3, 4]])


def test_gfile_and_matching_files_match_tf(tmp_path):
    from debug_random_io_cases import gfile_script
    got = gfile_script(tf, str(tmp_path))
    assert got == REC["gfile"]


def test_split_and_fold_in_match_tf():
    r = REC["split_fold_in"]
    assert tf.random.split([1, 2]).numpy().tolist() == r["split"]
    assert tf.random.split(tf.constant([1, 2], tf.int64), 3).numpy().tolist() == \
        r["split3_int64"]
    assert tf.random.fold_in([1, 2], 7).numpy().tolist() == r["fold_in"]
    assert tf.random.fold_in(tf.constant([1, 2], tf.int64),
                             tf.constant(7, tf.int64)).numpy().tolist() == r["fold_in_int64"]


# --- tf.random.Generator ----------------------------------------------------------------------

GEN = REC["generator"]


def test_create_rng_state_matches_tf():
    assert tf.random.create_rng_state(5, "philox").numpy().tolist() == GEN["create_rng_state"]
    assert tf.random.create_rng_state(2 ** 70 + 3, "philox").numpy().tolist() == \
        GEN["create_rng_state_big"]
    assert tf.random.create_rng_state(-7, "philox").numpy().tolist() == \
        GEN["create_rng_state_neg"]


def test_generator_draws_and_states_match_tf():
    g = tf.random.Generator.from_seed(5)
    calls = {
        "normal": lambda: g.normal([5]),
        "uniform": lambda: g.uniform([3]),
        "uniform_f64": lambda: g.uniform([2, 3], minval=-1.0, maxval=4.0, dtype=tf.float64),
        "truncated_normal": lambda: g.truncated_normal([6], mean=1.0, stddev=2.0),
        "uniform_int": lambda: g.uniform([7], minval=-4, maxval=9, dtype=tf.int32),
        "uniform_full_int": lambda: g.uniform_full_int([3], dtype=tf.int64),
        "uniform_full_uint": lambda: g.uniform_full_int([2]),
        "make_seeds": lambda: g.make_seeds(2),
        "skip": lambda: g.skip(10),
        "normal_f16": lambda: g.normal([3], dtype=tf.float16),
    }
    for step in GEN["steps"]:
        got = calls[step["kind"]]().numpy()
        want = _decode(step["out"])
        assert got.dtype == want.dtype and got.shape == want.shape, step["kind"]
        np.testing.assert_array_equal(_bits(got), _bits(want), err_msg=step["kind"])
        assert g.state.numpy().tolist() == step["state"], step["kind"]


def test_generator_split_key_counter_and_global_match_tf():
    g2 = tf.random.Generator.from_seed(12345)
    kids = g2.split(2)
    assert [k.state.numpy().tolist() for k in kids] == GEN["split_states"]
    for k, want in zip(kids, GEN["split_normal"]):
        np.testing.assert_array_equal(_bits(k.normal([3]).numpy()), _bits(_decode(want)))
    assert g2.state.numpy().tolist() == GEN["split_parent_state"]
    g3 = tf.random.Generator.from_key_counter(key=7, counter=[1, 2], alg="philox")
    assert g3.state.numpy().tolist() == GEN["key_counter_state"]
    np.testing.assert_array_equal(_bits(g3.uniform([5]).numpy()),
                                  _bits(_decode(GEN["key_counter_uniform"])))
    tf.random.set_global_generator(tf.random.Generator.from_seed(99))
    np.testing.assert_array_equal(_bits(tf.random.get_global_generator().normal([4]).numpy()),
                                  _bits(_decode(GEN["global_normal"])))


def test_generator_in_tf_function_matches_tf():
    g4 = tf.random.Generator.from_seed(1)

    @tf.function
    def draw():
        return g4.normal([3])
    for want in GEN["function_draws"]:
        np.testing.assert_array_equal(_bits(draw().numpy()), _bits(_decode(want)))
    assert g4.state.numpy().tolist() == GEN["function_state"]


def test_generator_errors():
    with pytest.raises(ValueError, match="both `state` and `alg` must be set"):
        tf.random.Generator(state=[1, 2, 3])
    with pytest.raises(NotImplementedError, match="ThreeFry"):
        tf.random.Generator.from_seed(1, alg="threefry")


@pytest.mark.parametrize("case", REC["stateless_categorical"],
                         ids=lambda c: f"{c['seed']}-{c['num_samples']}-{c['float']}")
def test_stateless_categorical_matches_tf(case):
    arr = np.array([[float(x) for x in row] for row in case["logits"]], case["float"])
    logits = np.log(arr) if case["log"] else arr
    out = tf.random.stateless_categorical(logits, case["num_samples"], seed=case["seed"],
                                          dtype=getattr(tf, case["dtype"]))
    assert out.dtype.name == case["dtype"]
    assert out.numpy().tolist() == case["out"]
    v1 = tf.compat.v1.random.stateless_multinomial(logits, case["num_samples"],
                                                   seed=case["seed"],
                                                   output_dtype=getattr(tf, case["dtype"]))
    assert v1.numpy().tolist() == case["out"]


def test_decode_csv_matches_tf():
    from debug_random_io_cases import csv_script
    got = csv_script(tf)
    assert got.keys() == REC["decode_csv"].keys()
    for key, want in REC["decode_csv"].items():
        assert got[key] == want, key


def test_decode_csv_in_a_v1_graph():
    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        rec = v1.placeholder(tf.string, [None])
        a, b = v1.decode_csv(rec, [[0], [""]])
        assert a.op.type == "DecodeCSV" and a.shape.as_list() == [None]
        with v1.Session(graph=g) as s:
            got = s.run([a, b], {rec: ["4,x", "5,"]})
    assert got[0].tolist() == [4, 5] and got[1].tolist() == [b"x", b""]


def test_enable_check_numerics_matches_tf():
    """Eager messages are TF's text; in a tf.function TF's message goes on with the op's
    creation stack, which tfteach does not write (the banner up to the graph's name is
    TF's)."""
    from debug_random_io_cases import check_numerics_script
    got = check_numerics_script(tf, np)
    want = REC["enable_check_numerics"]
    assert got.keys() == want.keys()
    for key, w in want.items():
        g = got[key]
        if "value" in w:
            assert g == w, key
        else:
            assert g.get("class") == w["class"] and w["message"] in g["message"], key
