"""Saving survives kill -9 (issue 16). Mode: subprocesses (each child picks its own).

A child process saves in a loop, alternating two known sets of values, and is killed with
SIGKILL at a random moment; then the newest file (as `latest_checkpoint` or the fixed path
names it) must load and hold one of the two sets, never a mix, a half-written file or
nothing. Seeded, so a failure reproduces."""
import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIALS = int(os.environ.get("TFTEACH_KILL_TRIALS", "6"))

CHILD = {
    "saver": """
import tfteach.v1 as tf
v = tf.Variable([0.0, 0.0, 0.0], name="v")
w = tf.Variable(tf.zeros([64, 64]), name="w")
a = [tf.assign(v, [1.0, 1.0, 1.0]), tf.assign(w, tf.fill([64, 64], 1.0))]
b = [tf.assign(v, [2.0, 2.0, 2.0]), tf.assign(w, tf.fill([64, 64], 2.0))]
saver = tf.train.Saver(max_to_keep=2)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    s.run(a); saver.save(s, DIR + "/model")
    print("READY", flush=True)
    i = 0
    while True:
        s.run(b if i % 2 else a)
        saver.save(s, DIR + "/model", global_step=i % 3)
        i += 1
""",
    "manager": """
import tfteach as tf
v = tf.Variable([1.0, 1.0, 1.0])
w = tf.Variable(tf.ones([64, 64]))
ck = tf.train.Checkpoint(v=v, w=w)
mgr = tf.train.CheckpointManager(ck, DIR, max_to_keep=2)
mgr.save()
print("READY", flush=True)
i = 0
while True:
    x = 2.0 if i % 2 else 1.0
    v.assign([x] * 3); w.assign(tf.fill([64, 64], x))
    mgr.save()
    i += 1
""",
    "keras": """
import numpy as np, tfteach as tf
m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
def put(x):
    m.layers[0].kernel.assign(np.full((4, 3), x, np.float32))
    m.layers[0].bias.assign(np.full((3,), x, np.float32))
put(1.0); m.save_weights(DIR + "/m.weights.h5"); m.save(DIR + "/m.keras")
print("READY", flush=True)
i = 0
while True:
    put(2.0 if i % 2 else 1.0)
    m.save_weights(DIR + "/m.weights.h5")
    m.save(DIR + "/m.keras")
    i += 1
""",
    "events": """
import tfteach.v1 as tf
x = tf.placeholder(tf.float32)
s_op = tf.summary.scalar("x", x)
w = tf.summary.FileWriter(DIR, max_queue=1)
with tf.Session() as s:
    w.add_summary(s.run(s_op, {x: 0.0}), 0); w.flush()
    print("READY", flush=True)
    i = 1
    while True:
        w.add_summary(s.run(s_op, {x: float(i)}), i)
        i += 1
""",
}


def _run_and_kill(kind, tmp, rng):
    code = f"DIR = {str(tmp)!r}\n" + CHILD[kind]
    p = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert line.strip() == "READY", p.stderr.read()
        time.sleep(rng.uniform(0.05, 0.6))
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)


def _check(kind, tmp):
    if kind == "saver":
        import tfteach.v1 as tf
        latest = tf.train.latest_checkpoint(str(tmp))
        assert latest is not None
        r = tf.train.load_checkpoint(latest)
        v, w = r.get_tensor("v"), r.get_tensor("w")
    elif kind == "manager":
        import tfteach as tf
        latest = tf.train.latest_checkpoint(str(tmp))
        assert latest is not None
        v = tf.Variable([0.0, 0.0, 0.0])
        w = tf.Variable(tf.zeros([64, 64]))
        tf.train.Checkpoint(v=v, w=w).restore(latest)
        v, w = v.numpy(), w.numpy()
    elif kind == "keras":
        import tfteach as tf
        m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        m.load_weights(str(tmp / "m.weights.h5"))
        v, w = m.layers[0].bias.numpy(), m.layers[0].kernel.numpy()
        m2 = tf.keras.models.load_model(str(tmp / "m.keras"))
        b2 = m2.layers[0].bias.numpy()
        assert len(set(b2.tolist())) == 1 and b2[0] in (1.0, 2.0)
    else:
        from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
        files = sorted(f for f in os.listdir(tmp) if "tfevents" in f)
        steps = []
        for e in EventFileLoader(str(tmp / files[-1])).Load():   # a torn last record is dropped
            if e.HasField("summary"):
                steps.append(e.step)
                v = e.summary.value[0]      # TensorBoard's loader upgrades it to a tensor
                got = v.simple_value if v.HasField("simple_value") else v.tensor.float_val[0]
                assert got == float(e.step)
        assert steps[:1] == [0] and steps == list(range(len(steps)))
        return
    vals = set(np.asarray(v).ravel().tolist()) | set(np.asarray(w).ravel().tolist())
    assert vals in ({1.0}, {2.0}), f"a mix or garbage after a kill: {sorted(vals)[:5]}"


@pytest.mark.parametrize("kind", sorted(CHILD))
def test_killed_while_saving_latest_always_loads(kind, tmp_path, tf2):
    rng = random.Random(f"kill-{kind}")
    for trial in range(TRIALS):
        d = tmp_path / f"t{trial}"
        d.mkdir()
        _run_and_kill(kind, d, rng)
        _check(kind, d)
