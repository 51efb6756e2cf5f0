"""What a student sees of a tf.function, compared with TF 2.21's recording
(tests/data/function_fidelity_tf.json, tools/record_function_fidelity.py):

- a failing call's error: its class, 'Graph execution error:', the node with the frames of
  the user's code that defined it, the kernel's message and `[Op:__inference_<name>_N]`;
- a concrete function's graph: op names, types and control inputs (the output Identity
  ops, the NoOp after the stateful ops, the read/write order of a variable's ops).

The snippets run as the recorder ran them (compiled as "case.py"; frames of other files and
TF's per-process function number normalised by the recorder's own clean()).
"""
import json
import os
import re
import sys

import pytest

import tfteach as tf

pytestmark = pytest.mark.mode("v2")

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(_ROOT, "tools"))
import record_function_fidelity as recorder  # noqa: E402 - the recorder's own snippets runner

with open(os.path.join(_ROOT, "tests", "data", "function_fidelity_tf.json")) as _f:
    RECORDED = json.load(_f)["cases"]


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_matches_tf(case):
    rec = RECORDED[case]
    assert recorder.run_case(tf, rec["code"]) == rec["tf"]


def test_recorded_cases_are_the_recorders():
    assert {k: v["code"] for k, v in RECORDED.items()} == recorder.CASES


def test_function_number_is_one_per_concrete_function():
    """TF numbers a function's graph once: every failing call of it says the same N, and
    another function says another."""
    @tf.function
    def pick(x, i):
        return tf.gather(x, i)

    def message(i):
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            pick(tf.ones([3]), tf.constant(i))
        return str(e.value)

    first, second = message(5), message(9)
    n = re.search(r"\[Op:__inference_pick_(\d+)\]$", first).group(1)
    assert second.endswith(f"[Op:__inference_pick_{n}]")
    assert "indices = 9 is not in [0, 3)" in second
    pick2 = tf.function(lambda x: tf.gather(x, 4))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        pick2(tf.ones([3]))
    assert not str(e.value).endswith(f"_{n}]")


def test_error_keeps_the_node():
    @tf.function
    def f(x):
        return tf.gather(x, 7, name="far")

    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        f(tf.ones([2]))
    assert e.value.op.name == "far" and e.value.op.type == "GatherV2"
    assert str(e.value).startswith("Graph execution error:\n\nDetected at node far defined at")
