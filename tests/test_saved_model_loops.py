"""tfteach reloads its own SavedModel when a saved tf.function holds while loops (AutoGraph
loops, tf.while_loop, nested loops, a cond in the body, a TensorArray written in the loop,
a tape's gradient through a loop), and TensorFlow 2.21 loads the same file to the same values.

tfteach traces loops as TF1 frames (Enter/Merge/Switch/NextIteration/Exit) and saves them so;
the loader rebuilds each frame with tf.while_loop. Expected values are derived by hand or by
plain Python/numpy arithmetic in the test; TF's run is the independent check of the file."""
import json
import os
import subprocess

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

TF_PYTHON = os.environ.get("TFTEACH_TF_PYTHON")
# CI (CI=true) must name a TF interpreter: a missing oracle there is a failure, not a skip
needs_tf = pytest.mark.skipif(not TF_PYTHON and os.environ.get("CI") != "true",
                              reason="TFTEACH_TF_PYTHON names no TensorFlow interpreter")

W, V = 1.5, [0.5, -1.0]


def _module(tf):
    class Loops(tf.Module):
        def __init__(self):
            self.w = tf.Variable(W)
            self.v = tf.Variable(V)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def branchy(self, x):
            y = x
            for _ in tf.range(3):
                if y > 2.0:
                    y = y - self.w
                else:
                    y = y * self.w + 1.0
            return y

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def nested(self, x):
            y = x
            for _ in tf.range(3):
                for _ in tf.range(2):
                    y = y * self.w - 0.25
            return y

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
        def written(self, x):
            ta = tf.TensorArray(tf.float32, size=3)
            h = x
            for i in tf.range(3):
                h = tf.tanh(h * self.v + 0.1)
                ta = ta.write(i, h)
            return ta.stack()

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def grad(self, x):
            with tf.GradientTape() as tape:
                y = x
                for _ in tf.range(3):
                    y = y * self.w
            return tape.gradient(y, self.w)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def counted(self, x):
            return tf.while_loop(lambda i, s: i < 5,
                                 lambda i, s: (i + 1, s + tf.cast(i, tf.float32) * x),
                                 [0, tf.constant(0.0)])

    return Loops()


def _branchy(x):
    for _ in range(3):
        x = x - W if x > 2.0 else x * W + 1.0
    return x


def _nested(x):
    for _ in range(6):
        x = x * W - 0.25
    return x


def _written(x):
    h, rows = np.asarray(x, np.float64), []
    for _ in range(3):
        h = np.tanh(h * np.asarray(V) + 0.1)
        rows.append(h)
    return np.stack(rows)


CASES = [("branchy", 1.0, _branchy(1.0)),       # 1 -> 2.5 -> 1.0 -> 2.5
         ("branchy", 3.0, _branchy(3.0)),       # 3 -> 1.5 -> 3.25 -> 1.75
         ("nested", 1.0, _nested(1.0)),
         ("written", [0.3, 0.7], _written([0.3, 0.7]).tolist()),
         ("grad", 2.0, 3 * 2.0 * W ** 2),       # d/dw of x*w**3
         ("counted", 0.5, [5, 0.5 * (0 + 1 + 2 + 3 + 4)])]


def _check(got, want):
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=1e-6, atol=1e-6)


def test_hand_values():
    assert _branchy(1.0) == 2.5 and _branchy(3.0) == 1.75


def test_reloads_its_own_loops(tf2, tmp_path):
    tf = tf2
    m = _module(tf)
    tf.saved_model.save(m, str(tmp_path / "m"))
    r = tf.saved_model.load(str(tmp_path / "m"))
    for name, x, want in CASES:
        before = getattr(m, name)(tf.constant(x))
        after = getattr(r, name)(tf.constant(x))
        if name == "counted":
            before, after = [t.numpy() for t in before], [t.numpy() for t in after]
            assert after[0].dtype == np.int32
        else:
            before, after = before.numpy(), after.numpy()
        _check(before, want)
        _check(after, want)


def test_reloaded_loop_sees_the_restored_variable(tf2, tmp_path):
    tf = tf2
    m = _module(tf)
    m.w.assign(2.0)
    tf.saved_model.save(m, str(tmp_path / "m"))
    r = tf.saved_model.load(str(tmp_path / "m"))
    # y*2 - 0.25 six times from 1: 1.75, 3.25, 6.25, 12.25, 24.25, 48.25
    assert float(r.nested(tf.constant(1.0))) == 48.25
    r.w.assign(1.0)
    assert float(r.nested(tf.constant(1.0))) == pytest.approx(1.0 - 6 * 0.25)


@needs_tf
def test_tensorflow_loads_tfteachs_loops(tf2, tmp_path):
    assert TF_PYTHON, "CI=true but TFTEACH_TF_PYTHON names no TensorFlow interpreter"
    tf = tf2
    tf.saved_model.save(_module(tf), str(tmp_path / "m"))
    code = f"""
import json
import tensorflow as tf
r = tf.saved_model.load("m")
out = {{}}
for name, x in {[(n, x) for n, x, _ in CASES]!r}:
    got = getattr(r, name)(tf.constant(x))
    got = [float(t) for t in got] if isinstance(got, (list, tuple)) else got.numpy().tolist()
    out.setdefault(name, []).append(got)
print(json.dumps(out))
"""
    proc = subprocess.run([TF_PYTHON, "-c", code], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
                          cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    seen = {}
    for name, _, want in CASES:
        k = seen[name] = seen.get(name, -1) + 1
        _check(got[name][k], want)


def _updater(tf):
    class Updater(tf.Module):
        def __init__(self):
            self.w = tf.Variable(1.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            # no loop value depends on the update: it runs because it is in the body
            for _ in tf.range(3):
                self.w.assign_add(x)
            return self.w.read_value()

    return Updater()


def test_loop_that_only_updates_a_variable(tf2, tmp_path):
    tf = tf2
    m = _updater(tf)
    tf.saved_model.save(m, str(tmp_path / "m"))
    # 1 + 3*0.5, as TF 2.21 runs it in a tf.function
    assert float(m.f(tf.constant(0.5))) == 2.5 and float(m.w.numpy()) == 2.5
    r = tf.saved_model.load(str(tmp_path / "m"))
    assert float(r.w.numpy()) == 1.0
    assert float(r.f(tf.constant(0.5))) == 2.5 and float(r.w.numpy()) == 2.5


@needs_tf
def test_tensorflow_runs_saved_variable_updates(tf2, tmp_path):
    """TF prunes a function body to its results and control outputs: tfteach's file names
    the updates no result depends on (at top level and in a loop body) as control outputs,
    and a loop's update waits on the pivot, so it runs once per iteration, not once more
    in the iteration whose condition is false."""
    assert TF_PYTHON, "CI=true but TFTEACH_TF_PYTHON names no TensorFlow interpreter"
    tf = tf2

    class Bump(tf.Module):
        def __init__(self):
            self.w = tf.Variable(1.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            self.w.assign_add(x)
            return x * 2.0

    tf.saved_model.save(_updater(tf), str(tmp_path / "loop"))
    tf.saved_model.save(Bump(), str(tmp_path / "flat"))
    code = """
import json
import tensorflow as tf
a, b = tf.saved_model.load("loop"), tf.saved_model.load("flat")
out = [float(a.f(tf.constant(0.5))), float(a.w.numpy()),
       float(b.f(tf.constant(0.5))), float(b.w.numpy())]
print(json.dumps(out))
"""
    proc = subprocess.run([TF_PYTHON, "-c", code], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
                          cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    # loop: 1 + 3*0.5 read after the loop; flat: x*2, and w = 1 + 0.5
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [2.5, 2.5, 1.0, 1.5]
