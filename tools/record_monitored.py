"""Records what TensorFlow 2.21's tf.compat.v1.train.MonitoredSession family does (hooks'
call order, StopAtStepHook, CheckpointSaverHook files and restore, NanTensorHook, errors),
for tests/test_monitored_session.py.

Run with the TF oracle (never imported by tfteach):
    TF_ENABLE_ONEDNN_OPTS=0 /path/to/tf/python tools/record_monitored.py tests/data/monitored_tf.json

Each case is a snippet run in a fresh graph with `tf` (compat.v1), `np`, `tmpdir` (an empty
directory), `err(fn)` (an error as [class, message]); it leaves its answer in `out`. The
test runs the same snippet on tfteach.
"""
import json
import os
import sys
import tempfile

PRELUDE = """
class Trace(tf.train.SessionRunHook):
    def __init__(self, log, name, fetch=None, stop_at=None):
        self.log, self.name, self.fetch, self.stop_at, self.n = log, name, fetch, stop_at, 0
    def begin(self):
        self.log.append(self.name + ".begin")
    def after_create_session(self, session, coord):
        self.log.append(self.name + ".after_create_session")
    def before_run(self, run_context):
        self.log.append(self.name + ".before_run")
        if self.fetch is not None:
            return tf.train.SessionRunArgs(self.fetch)
    def after_run(self, run_context, run_values):
        self.n += 1
        self.log.append(self.name + ".after_run " + repr(
            None if run_values.results is None else int(run_values.results)))
        if self.stop_at is not None and self.n >= self.stop_at:
            run_context.request_stop()
    def end(self, session):
        self.log.append(self.name + ".end")

def model():
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(0.0, name="w")
    train = tf.group(tf.assign_add(w, 1.0), tf.assign_add(gs, 1))
    return gs, w, train
"""

CASES = {
    "hook_order": """
log = []
gs, w, train = model()
hooks = [Trace(log, "a", fetch=gs), Trace(log, "b"), tf.train.StopAtStepHook(last_step=3)]
runs = 0
with tf.train.MonitoredSession(hooks=hooks) as sess:
    while not sess.should_stop():
        out_w = sess.run([train, w])[1]
        runs += 1
out = {"log": log, "runs": runs, "last_w": float(out_w)}
""",
    "request_stop_in_after_run": """
log = []
gs, w, train = model()
with tf.train.MonitoredSession(hooks=[Trace(log, "a", stop_at=2)]) as sess:
    n = 0
    while not sess.should_stop():
        sess.run(train)
        n += 1
    out = {"runs": n, "should_stop": sess.should_stop()}
""",
    "stop_at_step_num_steps": """
gs, w, train = model()
out = {}
with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=4)]) as sess:
    n = 0
    while not sess.should_stop():
        sess.run(train); n += 1
    out["runs"] = n
    out["after_stop"] = err(lambda: sess.run(gs))
    out["gs"] = int(sess.raw_session().run(gs)) if hasattr(sess, "raw_session") else None
""",
    "stop_at_step_errors": """
out = {"both": err(lambda: tf.train.StopAtStepHook(num_steps=1, last_step=2)),
       "neither": err(lambda: tf.train.StopAtStepHook())}
h = tf.train.StopAtStepHook(num_steps=2)
out["no_global_step"] = err(lambda: tf.train.MonitoredSession(hooks=[h]))
""",
    "checkpoints": """
gs, w, train = model()
with tf.train.MonitoredTrainingSession(checkpoint_dir=tmpdir, save_checkpoint_steps=2,
                                       save_summaries_steps=None, save_summaries_secs=None,
                                       log_step_count_steps=None,
                                       hooks=[tf.train.StopAtStepHook(last_step=5)]) as sess:
    while not sess.should_stop():
        sess.run(train)
files = sorted(f for f in os.listdir(tmpdir) if not f.startswith("events."))
out = {"files": files, "latest": os.path.basename(tf.train.latest_checkpoint(tmpdir))}
with tf.train.MonitoredTrainingSession(checkpoint_dir=tmpdir, save_checkpoint_secs=None,
                                       save_summaries_steps=None, save_summaries_secs=None,
                                       log_step_count_steps=None) as sess:
    out["restored"] = [int(sess.run(gs)), float(sess.run(w))]
""",
    "checkpoint_saver_errors": """
gs, w, train = model()
out = {"neither": err(lambda: tf.train.CheckpointSaverHook(tmpdir)),
       "both": err(lambda: tf.train.CheckpointSaverHook(tmpdir, save_secs=1, save_steps=1))}
""",
    "nan": """
gs, w, train = model()
loss = tf.constant(float("nan"))
def run(fail):
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=fail)]) as sess:
        sess.run(train)
        return sess.should_stop()
out = {"fail": err(lambda: run(True)), "stop": run(False)}
""",
    "out_of_range_ends_the_loop": """
q = tf.FIFOQueue(5, tf.int32, shapes=[[]])
init = q.enqueue_many([[1, 2, 3]])
with tf.control_dependencies([init]):
    close = q.close()
d = q.dequeue()
got = []
scaffold = tf.train.Scaffold(local_init_op=close)
with tf.train.MonitoredSession(session_creator=tf.train.ChiefSessionCreator(scaffold=scaffold)) as sess:
    while not sess.should_stop():
        got.append(int(sess.run(d)))
out = {"got": got}
""",
    "run_structure_and_feeds": """
x = tf.placeholder(tf.float32, [])
gs, w, train = model()
class Feeder(tf.train.SessionRunHook):
    def before_run(self, run_context):
        return tf.train.SessionRunArgs({"w": w}, feed_dict={x: 2.0})
    def after_run(self, run_context, run_values):
        self.seen = float(run_values.results["w"])
f = Feeder()
y3, y1 = x * 3.0, x * 1.0
with tf.train.MonitoredSession(hooks=[f]) as sess:
    r = sess.run({"y": y3, "t": [train]})
    clash = err(lambda: sess.run(y1, feed_dict={x: 1.0}))
out = {"r": [float(r["y"]), r["t"]], "seen": f.seen, "clash": clash}
""",
    "singular": """
gs, w, train = model()
with tf.train.SingularMonitoredSession() as sess:
    sess.run(train)
    raw = type(sess.raw_session()).__name__
    val = float(sess.run(w))
out = {"raw": raw, "w": val, "closed_run": None}
""",
    "scaffold_finalizes": """
gs, w, train = model()
sc = tf.train.Scaffold()
sc.finalize()
out = {"finalized": tf.get_default_graph().finalized,
       "init": sc.init_op.type, "ready": sc.ready_op.op.type if hasattr(sc.ready_op, "op") else sc.ready_op.type,
       "local_init": sc.local_init_op.type, "saver": type(sc.saver).__name__,
       "add": err(lambda: tf.constant(1.0))}
""",
}


def run_case(tf, np, code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            m = getattr(e, "message", str(e))
            if "Node:" in m:
                m = m.split("Node:")[1].split("\n", 1)[1]
            elif m.startswith("Graph execution error:"):
                m = m.split("\n\n", 1)[1]
            return [type(e).__name__, m.split("\n\t [[")[0].split("\n\nOriginal stack")[0].strip()]
        return None

    g = tf.Graph()
    with tempfile.TemporaryDirectory() as tmpdir, g.as_default():
        env = {"tf": tf, "np": np, "err": err, "tmpdir": tmpdir, "os": os}
        exec(PRELUDE, env)  # noqa: S102 - the recorder's own snippets
        exec(code, env)  # noqa: S102
        return env["out"]


def main(path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf_mod
    tf = tf_mod.compat.v1
    tf.disable_eager_execution()
    tf.disable_resource_variables()
    tf.disable_v2_tensorshape()
    rec = {"prelude": PRELUDE}
    rec.update({name: {"code": code, "tf": run_case(tf, np, code)}
                for name, code in CASES.items()})
    with open(path, "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
