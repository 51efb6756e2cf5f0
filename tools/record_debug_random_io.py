"""Records TF 2.21's results for tf.debugging's checks, tf.random's stateless ops and the
tf.io additions into tests/data/debug_random_io_tf.json (read by tests/test_debug_random_io.py).

    /work/tfenv/bin/python tools/record_debug_random_io.py

Values are stored exactly: floats as the hex of their bits, so tests compare bit for bit.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "debug_random_io_tf.json")


def bits(a):
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return {"dtype": a.dtype.name, "shape": list(a.shape),
                "hex": a.reshape(-1).view(np.dtype(f"u{a.dtype.itemsize}")).astype(
                    np.uint64).tolist()}
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": a.reshape(-1).tolist()}


def error(fn):
    try:
        fn()
    except Exception as e:      # noqa: BLE001 - the class and text are what is recorded
        text = getattr(e, "message", None) or str(e)
        return {"class": type(e).__name__, "message": text}
    return None


rec = {"tensorflow": tf.__version__}

# --- tf.random stateless ----------------------------------------------------------------
SEEDS = [[1, 2], [0, 0], [-1, 2 ** 40], [123456789, -987654321], [7, 2 ** 63 - 1]]
stateless = []
for seed in SEEDS:
    for dt in ("float32", "float64", "float16"):
        for shape in ([5], [3, 7], [33]):
            stateless.append({"fn": "stateless_uniform", "seed": seed, "shape": shape,
                              "dtype": dt, "out": bits(tf.random.stateless_uniform(
                                  shape, seed=seed, dtype=dt))})
            stateless.append({"fn": "stateless_normal", "seed": seed, "shape": shape,
                              "dtype": dt, "out": bits(tf.random.stateless_normal(
                                  shape, seed=seed, dtype=dt))})
            stateless.append({"fn": "stateless_truncated_normal", "seed": seed,
                              "shape": shape, "dtype": dt,
                              "out": bits(tf.random.stateless_truncated_normal(
                                  shape, seed=seed, dtype=dt))})
    for dt, lo, hi in (("int32", 0, 10), ("int32", -5, 2 ** 31 - 1), ("int64", -3, 1000),
                       ("int64", -2 ** 62, 2 ** 62)):
        stateless.append({"fn": "stateless_uniform", "seed": seed, "shape": [9], "dtype": dt,
                          "minval": lo, "maxval": hi,
                          "out": bits(tf.random.stateless_uniform(
                              [9], seed=seed, minval=lo, maxval=hi, dtype=dt))})
    for dt in ("int32", "int64", "uint32", "uint64"):
        stateless.append({"fn": "stateless_uniform", "seed": seed, "shape": [7], "dtype": dt,
                          "minval": None, "maxval": None,
                          "out": bits(tf.random.stateless_uniform(
                              [7], seed=seed, minval=None, maxval=None, dtype=dt))})
# scaled: minval/maxval, mean/stddev go through Sub/Mul/AddV2 as in TF
stateless.append({"fn": "stateless_uniform", "seed": [3, 4], "shape": [6], "dtype": "float32",
                  "minval": -2.5, "maxval": 7.0,
                  "out": bits(tf.random.stateless_uniform([6], seed=[3, 4], minval=-2.5,
                                                          maxval=7.0))})
stateless.append({"fn": "stateless_normal", "seed": [3, 4], "shape": [6], "dtype": "float32",
                  "mean": 1.5, "stddev": 0.25,
                  "out": bits(tf.random.stateless_normal([6], seed=[3, 4], mean=1.5,
                                                         stddev=0.25))})
stateless.append({"fn": "stateless_truncated_normal", "seed": [3, 4], "shape": [6],
                  "dtype": "float64", "mean": -1.0, "stddev": 3.0,
                  "out": bits(tf.random.stateless_truncated_normal(
                      [6], seed=[3, 4], mean=-1.0, stddev=3.0, dtype="float64"))})
stateless.append({"fn": "stateless_uniform", "seed": [5, 6], "seed_dtype": "int32",
                  "shape": [4], "dtype": "float32",
                  "out": bits(tf.random.stateless_uniform(
                      [4], seed=tf.constant([5, 6], tf.int32)))})
rec["stateless"] = stateless
rec["key_counter"] = [{"seed": s, "key": [int(v) for v in k.numpy()],
                       "counter": [int(v) for v in c.numpy()]}
                      for s in SEEDS
                      for k, c in [tf.raw_ops.StatelessRandomGetKeyCounter(
                          seed=tf.constant(s, tf.int64))]]
rec["stateless_errors"] = {
    "seed_shape": error(lambda: tf.random.stateless_uniform([3], seed=[1, 2, 3])),
    "minval_maxval": error(lambda: tf.random.stateless_uniform(
        [3], seed=[1, 2], minval=5, maxval=3, dtype=tf.int32)),
    "one_bound": error(lambda: tf.random.stateless_uniform([3], seed=[1, 2], maxval=None,
                                                           minval=0, dtype=tf.int32)),
    "bad_dtype": error(lambda: tf.random.stateless_uniform([3], seed=[1, 2], dtype=tf.int8,
                                                           minval=0, maxval=3)),
    "float_seed": error(lambda: tf.random.stateless_uniform([3], seed=[1.0, 2.0])),
}
g = tf.Graph()
with g.as_default():
    tf.random.stateless_uniform([3], seed=[1, 2])
    tf.random.stateless_normal([3], seed=[1, 2])
    tf.random.stateless_truncated_normal([3], seed=[1, 2])
    tf.random.stateless_uniform([3], seed=[1, 2], minval=0, maxval=4, dtype=tf.int32)
rec["stateless_graph"] = [[o.name, o.type] for o in g.get_operations()
                          if o.type != "Const"]

# --- tf.debugging -----------------------------------------------------------------------
nan, inf = float("nan"), float("inf")
dbg = {
    "nan": error(lambda: tf.debugging.check_numerics(tf.constant([1.0, nan]), "hello")),
    "inf": error(lambda: tf.debugging.check_numerics(tf.constant([1.0, -inf]), "hello")),
    "both": error(lambda: tf.debugging.check_numerics(tf.constant([inf, nan]), "hello")),
    "int": error(lambda: tf.debugging.check_numerics(tf.constant([1, 2]), "hello")),
    "all_finite": error(lambda: tf.debugging.assert_all_finite(tf.constant([inf]), "msg")),
    "near": error(lambda: tf.debugging.assert_near(tf.constant([1.0, 2.0]),
                                                   tf.constant([1.0, 2.1]))),
    "near_msg": error(lambda: tf.debugging.assert_near(
        tf.constant([1.0, 2.0]), tf.constant([1.0, 2.1]), message="mm", summarize=1)),
    "near_tol": error(lambda: tf.debugging.assert_near(
        tf.constant([1.0, 2.0], tf.float64), tf.constant([1.0, 2.1], tf.float64),
        rtol=0.01, atol=0.01)),
    "rank_in": error(lambda: tf.debugging.assert_rank_in(tf.constant([1.0, 2.0]), [0, 2])),
    "rank_in_msg": error(lambda: tf.debugging.assert_rank_in(tf.constant(1.0), [1],
                                                             message="need")),
    "same_float_mismatch": error(lambda: tf.debugging.assert_same_float_dtype(
        [tf.constant([1.0, 2.0]), tf.constant([1.0], tf.float64)])),
    "same_float_int": error(lambda: tf.debugging.assert_same_float_dtype(
        [tf.constant([1, 2])])),
    "same_float_expected": error(lambda: tf.debugging.assert_same_float_dtype(
        [tf.constant([1.0, 2.0])], tf.float64)),
    "proper_str": error(lambda: tf.debugging.assert_proper_iterable("abc")),
    "proper_ndarray": error(lambda: tf.debugging.assert_proper_iterable(np.array([1.0]))),
    "proper_int": error(lambda: tf.debugging.assert_proper_iterable(3)),
}
dbg["same_float_none"] = tf.debugging.assert_same_float_dtype(None, tf.float64).name
dbg["same_float_default"] = tf.debugging.assert_same_float_dtype(
    [tf.constant([1.0], tf.float16)]).name
dbg["same_float_empty"] = tf.debugging.assert_same_float_dtype().name
x = tf.constant([1.0, 2.0])
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.debugging.check_numerics(x, "fwd")
    z = y * tf.constant([nan, 1.0])
dbg["grad_nan"] = error(lambda: tape.gradient(z, x))
with tf.GradientTape() as tape:
    tape.watch(x)
    z = tf.debugging.check_numerics(x * x, "sq") * 3.0
dbg["grad_ok"] = tape.gradient(z, x).numpy().tolist()


@tf.function
def fn(v):
    return tf.debugging.check_numerics(tf.math.log(v), "in function")


dbg["function_nan"] = error(lambda: fn(tf.constant([-1.0])))
dbg["function_ok"] = fn(tf.constant([1.0])).numpy().tolist()
g = tf.Graph()
with g.as_default():
    t = tf.compat.v1.placeholder(tf.float32, [2])
    c = tf.compat.v1.check_numerics(t, "v1 graph")
    a = tf.compat.v1.debugging.assert_all_finite(t, "v1 finite")
    grad = tf.compat.v1.gradients(tf.reduce_sum(c * 2.0), t)
    dbg["v1_graph"] = [[o.name, o.type] for o in g.get_operations()]
    with tf.compat.v1.Session(graph=g) as sess:
        dbg["v1_run_inf"] = error(lambda: sess.run(c, {t: [inf, 1.0]}))
        dbg["v1_assert_all_finite"] = error(lambda: sess.run(a, {t: [nan, 1.0]}))
        dbg["v1_grad"] = sess.run(grad, {t: [1.0, 2.0]})[0].tolist()
rec["debugging"] = dbg

# --- tf.io ----------------------------------------------------------------------------------
io = {}
texts = [b"", b"f", b"fo", b"foo", b"hello?>", bytes(range(256))]
io["encode_base64"] = [[t.hex(), tf.io.encode_base64(t).numpy().decode()] for t in texts]
io["encode_base64_pad"] = [[t.hex(), tf.io.encode_base64(t, pad=True).numpy().decode()]
                           for t in texts]
io["decode_base64_bad"] = error(lambda: tf.io.decode_base64("a"))
io["decode_base64_padded"] = tf.io.decode_base64("Zm8=").numpy().hex()
io["decode_base64_std_alphabet"] = error(lambda: tf.io.decode_base64("ab+/"))
ser = []
for v in (np.array([1.0, 2.0], np.float32), np.array(3, np.int32), np.zeros((2, 0), np.int64),
          np.array([[1.5, -2.0], [0.0, 7.25]], np.float64), np.array([True, False]),
          np.array([b"ab", b"", b"xyz"]), np.array([1, 2, 3], np.uint8),
          np.array([1, -2], np.int16), np.array([1.0, 2.0], np.float16),
          np.array(7, np.int64)):
    t = tf.constant(v)
    ser.append({"value": v.tolist() if v.dtype.kind != "S" else [b.decode() for b in v.tolist()],
                "dtype": t.dtype.name, "shape": list(v.shape),
                "bytes": tf.io.serialize_tensor(t).numpy().hex()})
io["serialize_tensor"] = ser
io["parse_tensor_wrong_type"] = error(lambda: tf.io.parse_tensor(
    tf.io.serialize_tensor(tf.constant([1.0])), tf.int32))
io["parse_tensor_garbage"] = error(lambda: tf.io.parse_tensor(b"\xff\xff", tf.float32))
rec["io"] = io

# tf.random.split / fold_in (stateless seeds)
rec["split_fold_in"] = {
    "split": tf.random.split([1, 2]).numpy().tolist(),
    "split3_int64": tf.random.split(tf.constant([1, 2], tf.int64), 3).numpy().tolist(),
    "fold_in": tf.random.fold_in([1, 2], 7).numpy().tolist(),
    "fold_in_int64": tf.random.fold_in(tf.constant([1, 2], tf.int64),
                                       tf.constant(7, tf.int64)).numpy().tolist(),
}


# tf.random.Generator: a sequence of draws from one seed, the state after each
def generator_script(tf):
    out = {"create_rng_state": [int(v) for v in np.asarray(tf.random.create_rng_state(
        5, "philox")).reshape(-1)],
        "create_rng_state_big": [int(v) for v in np.asarray(tf.random.create_rng_state(
            2 ** 70 + 3, "philox")).reshape(-1)],
        "create_rng_state_neg": [int(v) for v in np.asarray(tf.random.create_rng_state(
            -7, "philox")).reshape(-1)]}
    g = tf.random.Generator.from_seed(5)
    steps = []
    for kind, call in (
            ("normal", lambda: g.normal([5])),
            ("uniform", lambda: g.uniform([3])),
            ("uniform_f64", lambda: g.uniform([2, 3], minval=-1.0, maxval=4.0,
                                              dtype=tf.float64)),
            ("truncated_normal", lambda: g.truncated_normal([6], mean=1.0, stddev=2.0)),
            ("uniform_int", lambda: g.uniform([7], minval=-4, maxval=9, dtype=tf.int32)),
            ("uniform_full_int", lambda: g.uniform_full_int([3], dtype=tf.int64)),
            ("uniform_full_uint", lambda: g.uniform_full_int([2])),
            ("make_seeds", lambda: g.make_seeds(2)),
            ("skip", lambda: g.skip(10)),
            ("normal_f16", lambda: g.normal([3], dtype=tf.float16))):
        v = call()
        steps.append({"kind": kind, "out": bits(v.numpy()),
                      "state": [int(x) for x in g.state.numpy()]})
    out["steps"] = steps
    g2 = tf.random.Generator.from_seed(12345)
    kids = g2.split(2)
    out["split_states"] = [[int(x) for x in k.state.numpy()] for k in kids]
    out["split_normal"] = [bits(k.normal([3]).numpy()) for k in kids]
    out["split_parent_state"] = [int(x) for x in g2.state.numpy()]
    g3 = tf.random.Generator.from_key_counter(key=7, counter=[1, 2], alg="philox")
    out["key_counter_state"] = [int(x) for x in g3.state.numpy()]
    out["key_counter_uniform"] = bits(g3.uniform([5]).numpy())
    tf.random.set_global_generator(tf.random.Generator.from_seed(99))
    out["global_normal"] = bits(tf.random.get_global_generator().normal([4]).numpy())
    g4 = tf.random.Generator.from_seed(1)

    @tf.function
    def draw():
        return g4.normal([3])
    out["function_draws"] = [bits(draw().numpy()), bits(draw().numpy())]
    out["function_state"] = [int(x) for x in g4.state.numpy()]
    return out


rec["generator"] = generator_script(tf)

# tf.random.stateless_categorical: small batches (TF runs them as one shard; larger ones are
# split over its thread pool, whose size decides where each shard's stream starts)
CAT_LOGITS = [[[0.1, 0.2, 0.3, 0.4], [0.5, 0.25, 0.125, 0.125], [0.7, 0.1, 0.1, 0.1]],
              [[0.0, -np.inf, 2.0], [-1.0, 0.5, np.inf - np.inf]],
              [[1.0, 2.0, 3.0, 4.0, 5.0]]]
cats = []
for i, lg in enumerate(CAT_LOGITS):
    for seed, n, dt, fdt in (([1, 2], 7, "int64", "float32"), ([-5, 99], 13, "int32", "float64"),
                             ([2 ** 40, 3], 4, "int64", "float32")):
        arr = np.array(lg, fdt)
        v = tf.random.stateless_categorical(np.log(arr) if i == 0 else arr, n, seed=seed,
                                            dtype=dt)
        cats.append({"logits": [[repr(float(x)) for x in row] for row in arr.tolist()],
                     "log": i == 0, "seed": seed, "num_samples": n, "dtype": dt,
                     "float": fdt, "out": v.numpy().tolist()})
rec["stateless_categorical"] = cats

# tf.io.gfile and matching_files: the script of calls tests/debug_random_io_cases.py holds,
# run in a fresh directory (shown as <D> in the recorded texts)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from debug_random_io_cases import check_numerics_script, csv_script, gfile_script  # noqa: E402,E501
import tempfile  # noqa: E402
rec["gfile"] = gfile_script(tf, tempfile.mkdtemp())
rec["decode_csv"] = csv_script(tf)
rec["enable_check_numerics"] = check_numerics_script(tf, np)   # last: it installs a callback

# no path of the recording machine in the fixture: TF's graph-execution messages quote the
# creation trace ("File ..." lines), which name this script
text = json.dumps(rec, indent=1, sort_keys=True).replace(ROOT, "<repo>")
with open(OUT, "w") as f:
    f.write(text)
print("wrote", OUT)
