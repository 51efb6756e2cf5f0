"""tf.space_to_batch(_nd), tf.batch_to_space(_nd), tf.required_space_to_batch_paddings,
tf.bitcast and tf.guarantee_const against TF 2.21's recorded results
(tests/data/tf_raw_ops.json "space_batch", tools/record_raw_ops.py): values, dtypes, the
runtime's errors, static shapes and shape errors in graphs, and gradients."""
import json
import os

import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

pytestmark = pytest.mark.mode("v2")

with open(os.path.join(os.path.dirname(__file__), "data", "tf_raw_ops.json")) as _f:
    _DATA = json.load(_f)
TF = _DATA["space_batch"]

# the cases as tools/record_raw_ops.py builds them
_SB = {
    "s2b_pad": ("space_to_batch_nd", [np.arange(1, 25, dtype=np.float32).reshape(2, 3, 4, 1),
                                      [1, 2], [[0, 1], [0, 0]]]),
    "s2b_2x2": ("space_to_batch", [np.arange(1, 33, dtype=np.float32).reshape(2, 4, 4, 1),
                                   [2, 2], [[0, 0], [1, 1]]]),
    "s2b_1d_rest": ("space_to_batch_nd", [np.arange(24, dtype=np.int32).reshape(1, 6, 2, 2),
                                          [3], [[1, 2]]]),
    "s2b_int64_args": ("space_to_batch_nd", [np.arange(8, dtype=np.float64).reshape(1, 4, 2),
                                             np.array([2], np.int64),
                                             np.array([[0, 0]], np.int64)]),
    "s2b_not_divisible": ("space_to_batch_nd", [np.ones((2, 3, 4, 1), np.float32), [2, 2],
                                                [[0, 0], [0, 0]]]),
    "s2b_bad_block": ("space_to_batch_nd", [np.ones((2, 3, 4, 1), np.float32), [-1, 2],
                                            [[0, 1], [0, 0]]]),
    "s2b_bad_pad": ("space_to_batch_nd", [np.ones((2, 3, 4, 1), np.float32), [2, 2],
                                          [[-1, 1], [0, 0]]]),
    "b2s_crop": ("batch_to_space", [np.arange(1, 33, dtype=np.float32).reshape(8, 2, 2, 1),
                                    [2, 2], [[0, 1], [1, 0]]]),
    "b2s_nd_1d": ("batch_to_space_nd", [np.arange(36, dtype=np.int32).reshape(3, 6, 2),
                                        [3], [[2, 1]]]),
    "b2s_batch": ("batch_to_space", [np.ones((3, 2, 2, 1), np.float32), [2, 2],
                                     [[0, 0], [0, 0]]]),
    "b2s_crop_big": ("batch_to_space", [np.ones((4, 2, 2, 1), np.float32), [2, 2],
                                        [[0, 5], [0, 0]]]),
    "b2s_neg_crop": ("batch_to_space", [np.ones((4, 2, 2, 1), np.float32), [2, 2],
                                        [[-1, 0], [0, 0]]]),
    "bitcast_f32_i32": ("bitcast", [np.array([1.0, 2.0], np.float32), "int32"]),
    "bitcast_f32_i8": ("bitcast", [np.array([[1.0, -2.5]], np.float32), "int8"]),
    "bitcast_i16_i32": ("bitcast", [np.array([[1, 2], [3, 4]], np.int16), "int32"]),
    "bitcast_u8_f64": ("bitcast", [np.arange(16, dtype=np.uint8).reshape(2, 8), "float64"]),
    "bitcast_c64_f32": ("bitcast", [np.array([1 + 2j, -3j], np.complex64), "float32"]),
    "bitcast_same_size": ("bitcast", [np.array([-1, 2], np.int32), "uint32"]),
    "bitcast_bad_shape": ("bitcast", [np.array([1, 2, 3], np.int16), "int32"]),
    "bitcast_scalar": ("bitcast", [np.array(1, np.int16), "int32"]),
    "bitcast_to_bool": ("bitcast", [np.array([1.0], np.float32), "bool"]),
    "guarantee_const": ("guarantee_const", [np.array([1.5, 2.5], np.float32)]),
}


def _call(fn, args):
    if fn == "bitcast":
        return tf.bitcast(tf.constant(args[0]), tf.as_dtype(args[1]))
    if fn == "guarantee_const":
        return tf.guarantee_const(tf.constant(args[0]))
    f = getattr(tf.compat.v1, fn) if fn.endswith("_nd") else getattr(tf, fn)
    return f(tf.constant(args[0]), args[1], args[2])


def _check(got, want):
    assert got.dtype.name == want["dtype"]
    assert list(got.shape) == want["shape"]
    np.testing.assert_array_equal(got.numpy(), np.array(want["value"], dtype=got.numpy().dtype))


def test_cases_match_the_record():
    assert set(_SB) == set(TF["eager"])


@pytest.mark.parametrize("cid", sorted(_SB))
def test_eager(cid):
    want = TF["eager"][cid]
    if "error" in want:
        assert want["error"] == "InvalidArgumentError"
        # TF's text after its kernel-site prefix, before " [Op:"
        text = want["message"].split("; Op<")[0]
        if text.startswith("{{function_node"):
            text = text.split("}} ", 1)[1]
        text = text.split(" [Op:")[0]
        with pytest.raises(errors.InvalidArgumentError) as info:
            _call(*_SB[cid])
        assert text in str(info.value)
        return
    _check(_call(*_SB[cid]), want)


@pytest.mark.parametrize("cid", sorted(TF["graph"]))
def test_graph_shapes_and_errors(cid):
    want = TF["graph"][cid]
    fn, args = {
        "s2b": ("space_to_batch_nd", [(2, 4, 4, 1), [2, 2], [[0, 0], [0, 0]]]),
        "s2b_unknown": ("space_to_batch_nd", [(None, 4, None, 1), [2, 2], [[0, 0], [0, 0]]]),
        "s2b_not_divisible": ("space_to_batch_nd", [(2, 3, 4, 1), [2, 2], [[0, 0], [0, 0]]]),
        "b2s": ("batch_to_space", [(8, 2, 3, 1), [2, 2], [[0, 1], [1, 0]]]),
        "b2s_not_divisible": ("batch_to_space", [(3, 2, 2, 1), [2, 2], [[0, 0], [0, 0]]]),
        "bitcast_narrow": ("bitcast", [(None, 3), "float32", "uint8"]),
        "bitcast_wide": ("bitcast", [(5, 4), "int16", "int64"]),
        "bitcast_bad_shape": ("bitcast", [(3,), "int16", "int32"]),
    }[cid]
    g = tf.Graph()
    with g.as_default():
        def build():
            if fn == "bitcast":
                x = tf.compat.v1.placeholder(args[1], args[0])
                return tf.bitcast(x, tf.as_dtype(args[2]))
            x = tf.compat.v1.placeholder(tf.float32, args[0])
            return getattr(tf, fn)(x, args[1], args[2])
        if "error" in want:
            with pytest.raises(ValueError) as info:
                build()
            # TF appends the constant inputs it read; the rest is the same
            assert str(info.value).rstrip(".") in want["message"]
            return
        r = build()
    assert r.shape.as_list() == want["shape"]
    assert (r.op.type, r.op.name) == (want["type"], want["name"])


@pytest.mark.parametrize("cid", sorted(TF["grads"]))
def test_gradients(cid):
    want = TF["grads"][cid]
    fn = {"s2b": "space_to_batch", "b2s": "batch_to_space"}[cid]
    x = tf.Variable(np.array(want["x"]))
    with tf.GradientTape() as tape:
        y = getattr(tf, fn)(x, want["block"], want["pads"])
        w = tf.cast(tf.reshape(tf.range(tf.size(y)), tf.shape(y)), tf.float64)
        loss = tf.reduce_sum(w * y)
    _check(tape.gradient(loss, x), want["grad"])


def test_gradient_in_a_graph_is_the_inverse_op():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, (2, 3, 4, 1))
        y = tf.space_to_batch(x, [1, 2], [[0, 1], [2, 0]])
        (dx,) = tf.compat.v1.gradients(y, [x])
    assert dx.op.type == "BatchToSpaceND"
    assert dx.shape.as_list() == [2, 3, 4, 1]


@pytest.mark.parametrize("cid", sorted(TF["required"]))
def test_required_space_to_batch_paddings(cid):
    want = TF["required"][cid]
    shape, block, base = want["args"]
    p, c = tf.required_space_to_batch_paddings(shape, block, base_paddings=base)
    _check(p, want["paddings"])
    _check(c, want["crops"])


def test_raw_ops_of_the_new_ops():
    x = np.arange(1, 25, dtype=np.float32).reshape(2, 3, 4, 1)
    got = tf.raw_ops.SpaceToBatchND(input=x, block_shape=[1, 2], paddings=[[0, 1], [0, 0]])
    _check(got, TF["eager"]["s2b_pad"])
    got = tf.raw_ops.Bitcast(input=np.array([1.0, 2.0], np.float32), type=tf.int32)
    _check(got, TF["eager"]["bitcast_f32_i32"])


def test_tf1_spellings_take_a_square_block_size():
    want = TF["v1"]
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(np.arange(32, dtype=np.float32).reshape(2, 4, 4, 1))
        s = tf.compat.v1.space_to_batch(x, [[0, 0], [1, 1]], 2)
        b = tf.compat.v1.batch_to_space(s, [[0, 0], [1, 1]], block_size=2)
        n = tf.compat.v1.nn.space_to_batch(x, [[0, 0], [0, 0]], block_shape=2)
        assert [[t.op.type, t.op.name, [i.dtype.name for i in t.op.inputs]]
                for t in (s, b, n)] == want["ops"]
        with tf.compat.v1.Session() as sess:
            sv, bv, nv = sess.run([s, b, n])
        with pytest.raises(ValueError, match=want["both"]["message"]):
            tf.compat.v1.space_to_batch(x, [[0, 0], [0, 0]], 2, block_shape=2)
    assert sv.tolist() == want["space_to_batch"]
    assert bv.tolist() == want["batch_to_space"]
    assert nv.tolist() == want["nn_space_to_batch"]
