"""tf.train.MonitoredSession, MonitoredTrainingSession, SingularMonitoredSession, Scaffold
and the stock hooks (train/monitored_session.py, train/basic_session_run_hooks.py).

The recorded cases (tests/data/monitored_tf.json, tools/record_monitored.py) run the
snippets TF 2.21 ran: hooks' call order, StopAtStepHook, checkpoints written and restored,
NaN handling, feeds and errors.
"""
import json
import os
import tempfile

import numpy as np
import pytest

import tfteach.v1 as tf

pytestmark = pytest.mark.mode("v1")

with open(os.path.join(os.path.dirname(__file__), "data", "monitored_tf.json")) as _f:
    RECORDED = json.load(_f)
PRELUDE = RECORDED.pop("prelude")


def _run_case(code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the answer compared with TF's
            m = getattr(e, "message", str(e))
            return [type(e).__name__, m.split("\n\t [[")[0].strip()]
        return None

    g = tf.Graph()
    with tempfile.TemporaryDirectory() as tmpdir, g.as_default():
        env = {"tf": tf, "np": np, "err": err, "tmpdir": tmpdir, "os": os}
        exec(PRELUDE, env)  # noqa: S102 - the recorded snippets
        exec(code, env)  # noqa: S102
        out = env["out"]
    return json.loads(json.dumps(out, default=str))


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_matches_tf(case):
    rec = RECORDED[case]
    assert _run_case(rec["code"]) == rec["tf"]
