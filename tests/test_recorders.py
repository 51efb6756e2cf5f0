"""TensorFlow's recorded answers still hold: each recorder in tools/ reruns in the TensorFlow
interpreter named by TFTEACH_TF_PYTHON (`.ci/run` makes one) and compares with the JSON the
tests read. Locally these run where such an interpreter is named; under CI=true one must be."""
import os
import pathlib
import subprocess

import pytest

pytestmark = pytest.mark.mode("none")

ROOT = pathlib.Path(__file__).resolve().parents[1]
TF_PYTHON = os.environ.get("TFTEACH_TF_PYTHON")
RECORDERS = ["record_tf_shape_rules.py", "record_keras_output_shapes.py",
             "record_tf_optimizers.py", "record_tfrecord.py"]


@pytest.mark.skipif(not TF_PYTHON and os.environ.get("CI") != "true",
                    reason="TFTEACH_TF_PYTHON names no TensorFlow interpreter")
@pytest.mark.parametrize("script", RECORDERS)
def test_recorded_values_match_tensorflow(script):
    assert TF_PYTHON, "CI=true but TFTEACH_TF_PYTHON names no TensorFlow interpreter"
    r = subprocess.run([TF_PYTHON, str(ROOT / "tools" / script), "--check"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES=""))
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1] == "unchanged", \
        r.stdout[-2000:] + r.stderr[-2000:]


def test_recorders_have_a_check_mode():
    for script in RECORDERS:
        assert '"--check"' in (ROOT / "tools" / script).read_text()
