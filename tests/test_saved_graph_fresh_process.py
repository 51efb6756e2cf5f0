"""A graph saved by one process runs in another that never built its ops by hand: the
SavedModel and `.meta` loaders declare every op type before rebuilding the graph (a fresh
`import tfteach` declares op families only as they are first used)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.mode("none")    # the models are built and loaded in subprocesses

ROOT = Path(__file__).resolve().parent.parent

SAVE = '''
import sys
import tfteach as tf

class Affine(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([[2.0], [3.0]])
        self.b = tf.Variable(1.0)

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
    def predict(self, x):
        return {"y": tf.matmul(x, self.w) + self.b}

m = Affine()
tf.saved_model.save(m, sys.argv[1], signatures={"serving_default": m.predict})

import tfteach.v1 as v1
g = v1.Graph()
with g.as_default():
    x = v1.constant([[1.0, 2.0]], name="x")
    w = v1.Variable([[4.0], [5.0]], name="w")
    y = v1.matmul(x, w, name="y")
    saver = v1.train.Saver()
    with v1.Session() as sess:
        sess.run(w.initializer)
        saver.save(sess, sys.argv[2])
'''

LOAD = '''
import sys
import tfteach as tf
m = tf.saved_model.load(sys.argv[1])
print(float(m.signatures["serving_default"](x=tf.constant([[1.0, 1.0]]))["y"].numpy()[0, 0]))
import tfteach.v1 as v1
with v1.Graph().as_default():
    restorer = v1.train.import_meta_graph(sys.argv[2] + ".meta")
    with v1.Session() as sess:
        restorer.restore(sess, sys.argv[2])
        print(float(sess.run("y:0")[0, 0]))
'''


def _python(code, script, *args):
    script.write_text(code, encoding="utf-8")     # a file: AutoGraph reads the source
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True,
                            text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_saved_graph_runs_in_a_process_that_never_built_it(tmp_path):
    model, ckpt = str(tmp_path / "affine"), str(tmp_path / "ckpt" / "model")
    (tmp_path / "ckpt").mkdir()
    _python(SAVE, tmp_path / "save.py", model, ckpt)
    out = _python(LOAD, tmp_path / "load.py", model, ckpt).split()
    # hand-computed: [1, 1]·[2, 3]ᵀ + 1 = 6 and [1, 2]·[4, 5]ᵀ = 14
    assert [float(v) for v in out[-2:]] == [6.0, 14.0]
