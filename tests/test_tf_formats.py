"""Checkpoints cross between tfteach and TensorFlow 2.21 in both directions (issue 15).
Mode: both (each test picks its fixture).

Reading: tests/data/tf_checkpoints/ was written by real TF 2.21 (tools/make_tf_checkpoints.py
states every value). Writing: tfteach's files are compared byte for byte with TF's for the
same tensors, and, where a TF interpreter is named by TFTEACH_TF_PYTHON (`.ci/run` makes one),
TF itself loads them. tfteach never imports TensorFlow."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from tfteach import errors

HERE = os.path.dirname(__file__)
FIX = os.path.join(HERE, "data", "tf_checkpoints")
TF_PYTHON = os.environ.get("TFTEACH_TF_PYTHON")

V1_VALUES = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "scope/b": np.float64(0.5),
             "n": np.array([7, -8], np.int32), "empty": np.zeros((0, 2), np.float32),
             "s": np.array([b"ab", b"", b"xyz"], dtype=object)}


def test_reads_a_tf1_saver_checkpoint(tf1):
    prefix = tf1.train.latest_checkpoint(os.path.join(FIX, "v1"))
    assert prefix.endswith("model-3")
    assert dict(tf1.train.list_variables(prefix)) == {
        "empty": [0, 2], "n": [2], "s": [3], "scope/b": [], "w": [2, 3]}
    r = tf1.train.load_checkpoint(prefix)
    assert r.get_variable_to_dtype_map()["s"] == tf1.string
    for name, want in V1_VALUES.items():
        got = r.get_tensor(name)
        assert got.dtype == want.dtype and got.shape == np.shape(want)
        assert np.array_equal(got, want)


def test_saver_restores_a_tf_checkpoint(tf1, tmp_path):
    w = tf1.Variable(np.zeros((2, 3), np.float32), name="w")
    with tf1.variable_scope("scope"):
        b = tf1.Variable(np.float64(0), name="b")
    n = tf1.Variable(np.zeros(2, np.int32), name="n")
    saver = tf1.train.Saver([w, b, n])
    with tf1.Session() as s:
        saver.restore(s, os.path.join(FIX, "v1", "model-3"))
        got_w, got_b, got_n = s.run([w, b, n])
    assert got_w.tolist() == V1_VALUES["w"].tolist()
    assert got_b == 0.5 and got_n.tolist() == [7, -8]


def test_restores_a_tf2_object_checkpoint(tf2):
    v = tf2.Variable([0.0, 0.0])
    inner = tf2.Module()
    inner.k = tf2.Variable(np.zeros((2, 2), np.float32))
    step = tf2.Variable(0, dtype=tf2.int64)
    status = tf2.train.Checkpoint(v=v, inner=inner, step=step).restore(
        os.path.join(FIX, "v2", "ckpt"))
    status.assert_consumed()
    assert v.numpy().tolist() == [1.0, 2.0] and int(step.numpy()) == 5
    assert inner.k.numpy().tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_writes_tfs_bytes(tf1, tmp_path):
    """The same tensors saved by tfteach's Saver give TF's index and data files byte for
    byte (TF's Saver writes variables in name order, as tfteach does)."""
    vs = [tf1.Variable(V1_VALUES[k], name=k) for k in ("empty", "n", "s", "w")]
    with tf1.variable_scope("scope"):
        vs.append(tf1.Variable(V1_VALUES["scope/b"], name="b"))
    saver = tf1.train.Saver()
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        prefix = saver.save(s, str(tmp_path / "model"), global_step=3)
    for suffix in (".index", ".data-00000-of-00001"):
        with open(prefix + suffix, "rb") as f, open(os.path.join(FIX, "v1", "model-3" + suffix),
                                                    "rb") as g:
            assert f.read() == g.read(), suffix


def _tf(code, tmp_path):
    out = subprocess.run([TF_PYTHON, "-c", code], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


needs_tf = pytest.mark.skipif(not TF_PYTHON,
                              reason="TFTEACH_TF_PYTHON names no TensorFlow interpreter")


@needs_tf
def test_tensorflow_reads_a_tfteach_saver_checkpoint(tf1, tmp_path):
    """The seed's linear regression, trained a few steps in tfteach, then restored by TF."""
    x = tf1.placeholder(tf1.float32, [None])
    y = tf1.placeholder(tf1.float32, [None])
    W = tf1.Variable(0.3, name="weights")
    b = tf1.Variable(-0.2, name="bias")
    loss = tf1.reduce_mean(tf1.square(W * x + b - y))
    step = tf1.train.GradientDescentOptimizer(0.05).minimize(loss)
    xs = np.linspace(0, 1, 20, dtype=np.float32)
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        for _ in range(5):
            s.run(step, {x: xs, y: 2 * xs + 1})
        want = [float(v) for v in s.run([W, b])]
        (tmp_path / "lin").mkdir()       # TF's Saver, too, refuses a missing parent
        tf1.train.Saver().save(s, str(tmp_path / "lin" / "model"))
    got = _tf("""
import json, tensorflow as tf
r = tf.train.load_checkpoint("lin/model")
out = {"read": [float(r.get_tensor(k)) for k in ("weights", "bias")],
       "vars": sorted(n for n, _ in tf.train.list_variables("lin/model"))}
g = tf.Graph()
with g.as_default():
    W = tf.compat.v1.Variable(0.0, name="weights"); b = tf.compat.v1.Variable(0.0, name="bias")
    with tf.compat.v1.Session() as s:
        tf.compat.v1.train.Saver().restore(s, "lin/model")
        out["restored"] = [float(v) for v in s.run([W, b])]
print(json.dumps(out))
""", tmp_path)
    assert got == {"read": want, "vars": ["bias", "weights"], "restored": want}


@needs_tf
def test_tensorflow_restores_a_tfteach_object_checkpoint(tf2, tmp_path):
    v = tf2.Variable([1.5, -2.0])
    m = tf2.Module()
    m.k = tf2.Variable(np.arange(4, dtype=np.float32).reshape(2, 2))
    m.layers = [tf2.Variable(3.0), tf2.Variable([4.0])]
    tf2.train.Checkpoint(v=v, m=m).write(str(tmp_path / "obj" / "ckpt"))
    got = _tf("""
import json, tensorflow as tf
v = tf.Variable([0.0, 0.0]); m = tf.Module(); m.k = tf.Variable(tf.zeros([2, 2]))
m.layers = [tf.Variable(0.0), tf.Variable([0.0])]
tf.train.Checkpoint(v=v, m=m).read("obj/ckpt").assert_consumed()
print(json.dumps({"v": v.numpy().tolist(), "k": m.k.numpy().tolist(),
                  "layers": [float(m.layers[0].numpy()), m.layers[1].numpy().tolist()]}))
""", tmp_path)
    assert got == {"v": [1.5, -2.0], "k": [[0.0, 1.0], [2.0, 3.0]], "layers": [3.0, [4.0]]}
