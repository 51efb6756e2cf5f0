"""tf.config.set_soft_device_placement in TF 2 eager code, against TF 2.21's recording
(tools/record_tf_soft_placement.py -> tests/data/tf_soft_placement.json, made with
tensorflow-cpu, where '/GPU:0' does not exist).

The cases run in a child process with the GPUs hidden (CUDA_VISIBLE_DEVICES=-1), so the
devices tfteach lists are those TF listed, whatever machine runs the suite; the same rules
with a (simulated) GPU present are in tests/test_cuda_gpu_default.py.
"""
import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "tests", "data", "tf_soft_placement.json")) as _f:
    TF = json.load(_f)

_CHILD = r"""
import json
import tfteach as tf
ONE = tf.constant(1.0)
WORDS = tf.constant(["ab"])
def _double(x):
    with tf.device("/GPU:0"):
        return x * 2.0
CASES = {
    "add_on_gpu0": ("/GPU:0", lambda: tf.add(ONE, ONE)),
    "string_length_on_gpu0": ("/GPU:0", lambda: tf.strings.length(WORDS)),
    "add_on_cpu1": ("/CPU:1", lambda: tf.add(ONE, ONE)),
    "constant_on_gpu0": ("/GPU:0", lambda: tf.constant(1.0)),
    "variable_on_gpu0": ("/GPU:0", lambda: tf.Variable(1.0)),
    "add_on_cpu0": ("/CPU:0", lambda: tf.add(ONE, ONE)),
    "function_on_gpu0": (None, lambda: tf.function(_double)(ONE)),
}
def run(soft):
    tf.config.set_soft_device_placement(soft)
    assert tf.config.get_soft_device_placement() is soft
    out = {}
    for name, (device, fn) in CASES.items():
        try:
            with tf.device(device):
                out[name] = ["ok", fn().device]
        except Exception as e:
            out[name] = [type(e).__name__, str(e)]
    return out
print(json.dumps({"soft_off": run(False), "soft_on": run(True)}))
"""


def test_eager_ops_with_soft_placement_off_and_on_match_tf():
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", PYTHONPATH=ROOT)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    r = subprocess.run([sys.executable, "-c", _CHILD], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    uid = re.compile(r"(__inference_\w+_)\d+\]")      # TF's per-process function number
    for soft in ("soft_off", "soft_on"):
        for case, want in TF[soft].items():
            assert [uid.sub(r"\1N]", x) for x in got[soft][case]] == \
                [uid.sub(r"\1N]", x) for x in want], (soft, case, got[soft][case])
    assert set(got["soft_off"]) == set(TF["soft_off"])
