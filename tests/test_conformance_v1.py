"""The public v1 conformance cases (real TensorFlow 2.21 is the oracle), run in-process.

The corpus lives beside the project (`../shared/conformance`, or `$TFTEACH_CONFORMANCE_DIR`);
without it these tests are skipped. Each case runs as `run.py` runs it (seeded `random` and
NumPy, a fresh temporary working directory, a fresh default graph) and its result is compared
with TF's recorded one by the corpus's own `compare.py`.

KNOWN_FAILING lists the cases that do not pass yet, with why; a regression anywhere else fails.
"""
import importlib.util
import json
import os
import random
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.environ.get("TFTEACH_CONFORMANCE_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "conformance"))
CASES = os.path.join(CONF, "cases", "v1", "public")
EXPECTED = os.path.join(CONF, "expected", "tensorflow-public.json")

KNOWN_FAILING = {}     # case id -> reason; every public v1 case passes at the moment


def _case_ids():
    if not os.path.isdir(CASES):
        return []
    return sorted(f[:-3] for f in os.listdir(CASES)
                  if f.endswith(".py") and not f.startswith("_"))


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def corpus():
    if not os.path.exists(EXPECTED):
        pytest.skip(f"conformance corpus not found at {CONF}")
    if CONF not in sys.path:
        sys.path.insert(0, CONF)          # the cases import `caselib`
    with open(EXPECTED) as f:
        expected = json.load(f)["cases"]
    compare = _load(os.path.join(CONF, "compare.py"), "conformance_compare")
    caselib = _load(os.path.join(CONF, "caselib.py"), "caselib")
    sys.modules.setdefault("caselib", caselib)
    return expected, compare, caselib


@pytest.mark.parametrize("case_id", _case_ids() or ["<no corpus>"])
def test_v1_public_case(case_id, corpus, tf1, tmp_path, monkeypatch):
    expected, compare, caselib = corpus
    if case_id in KNOWN_FAILING:
        pytest.xfail(KNOWN_FAILING[case_id])
    mod = _load(os.path.join(CASES, case_id + ".py"), "conformance_case_" + case_id)
    random.seed(0)
    np.random.seed(0)
    monkeypatch.chdir(tmp_path)
    try:
        res = {"status": "ok", "result": caselib.rnd(mod.case(tf1))}
    except Exception as e:  # noqa: BLE001 - recorded like run.py does
        res = {"status": "error", "error": type(e).__name__, "message": str(e)[:2000]}
    diffs = compare.compare_case(expected["v1/public/" + case_id], res)
    assert not diffs, "\n".join(f"{p}: {m}" for p, m in diffs)
