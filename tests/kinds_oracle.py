"""Shared by test_complex/test_strings/test_ragged/test_sparse: the cases recorded from
TensorFlow 2.21 by tools/record_kinds.py (tests/data/kinds_tf221.json), evaluated again under
tfteach and compared: the repr, or the value within a tolerance where float rounding of
transcendental functions may differ in the last digit, or the error class and message."""
import importlib.util
import json
import os
import re

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "data", "kinds_tf221.json")) as _f:
    RECORDED = json.load(_f)["cases"]

_spec = importlib.util.spec_from_file_location(
    "record_kinds", os.path.join(os.path.dirname(HERE), "tools", "record_kinds.py"))
record_kinds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record_kinds)


def names(section):
    return sorted(k.split("/", 1)[1] for k in RECORDED if k.startswith(section + "/"))


def _env():
    import tfteach as tf
    import tfteach.compat.v1 as v1
    return {"tf": tf, "np": np, **record_kinds.make_helpers(tf, v1)}


def _core(msg):
    """An error message without TF's runtime decorations (function node, [Op:...])."""
    msg = re.sub(r"^\{\{function_node [^}]*\}\}\s*", "", msg)
    msg = re.sub(r"\s*\[Op:[A-Za-z0-9]+\].*$", "", msg)
    if "allowed values" in msg:         # the order of TF's dtype list is its registry's
        msg = msg[:msg.index("allowed values")]
    return msg.strip()


def check(section, name, approx=False, rtol=1e-6):
    want = RECORDED[f"{section}/{name}"]
    got = record_kinds.evaluate(want["expr"], _env())
    if "error" in want:
        assert "error" in got, f"{name}: TF raised {want['error']}, tfteach gave {got}"
        assert got["error"][0] == want["error"][0], (name, got["error"], want["error"])
        assert _core(want["error"][1]) in _core(got["error"][1]), (name, got["error"],
                                                                   want["error"])
        return
    assert "error" not in got, f"{name}: tfteach raised {got['error']}"
    assert got["dtype"] == want["dtype"], (name, got["dtype"], want["dtype"])
    if approx:
        np.testing.assert_allclose(np.asarray(got["value"], dtype=float),
                                   np.asarray(want["value"], dtype=float), rtol=rtol,
                                   err_msg=name)
    else:
        assert got["repr"] == want["repr"], f"{name}:\n{got['repr']}\n!=\n{want['repr']}"
