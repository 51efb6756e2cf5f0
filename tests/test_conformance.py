"""The public conformance cases, TF1 (v1) and TF2 (v2), against real TensorFlow 2.21's
recorded results, run in-process.

The corpus lives beside the project (`../shared/conformance`, or `$TFTEACH_CONFORMANCE_DIR`).
Without it these tests are skipped on a developer's machine and fail in CI (`CI=true`), where
the corpus is always laid beside the clone: a CI run that silently drops the oracle is red.
Each case runs as `run.py` runs it (seeded `random` and NumPy, a fresh temporary working
directory, a fresh default graph; v1 cases get `tfteach.v1`, v2 cases `tfteach` with Keras'
layer-name counters reset, as in run.py's fresh process) and its result is compared with TF's
recorded one by the corpus's own `compare.py`.
"""
import importlib.util
import json
import os
import random
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.environ.get("TFTEACH_CONFORMANCE_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "conformance"))
EXPECTED = os.path.join(CONF, "expected", "tensorflow-public.json")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _cases(mode):
    d = os.path.join(CONF, "cases", mode, "public")
    if not os.path.isdir(d):
        return []
    return sorted(f[:-3] for f in os.listdir(d) if f.endswith(".py") and not f.startswith("_"))


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def corpus():
    if not os.path.exists(EXPECTED):
        missing = f"conformance corpus not found at {CONF} (set TFTEACH_CONFORMANCE_DIR)"
        if IN_CI:
            pytest.fail(missing + ": CI must run every oracle", pytrace=False)
        pytest.skip(missing)
    if CONF not in sys.path:
        sys.path.insert(0, CONF)          # the cases import `caselib`
    with open(EXPECTED) as f:
        expected = json.load(f)["cases"]
    compare = _load(os.path.join(CONF, "compare.py"), "conformance_compare")
    caselib = _load(os.path.join(CONF, "caselib.py"), "caselib")
    sys.modules.setdefault("caselib", caselib)
    return expected, compare, caselib


def _run_case(mode, case_id, tf, corpus, tmp_path, monkeypatch):
    expected, compare, caselib = corpus
    mod = _load(os.path.join(CONF, "cases", mode, "public", case_id + ".py"),
                f"conformance_{mode}_{case_id}")
    random.seed(0)
    np.random.seed(0)
    monkeypatch.chdir(tmp_path)
    try:
        res = {"status": "ok", "result": caselib.rnd(mod.case(tf))}
    except Exception as e:  # noqa: BLE001 - recorded like run.py does
        res = {"status": "error", "error": type(e).__name__, "message": str(e)[:2000]}
    diffs = compare.compare_case(expected[f"{mode}/public/{case_id}"], res)
    assert not diffs, "\n".join(f"{p}: {m}" for p, m in diffs)


def test_both_tiers_are_there(corpus):
    """The README's counts: 63 v1 cases and 22 v2 cases, each with TF's recorded result."""
    expected = corpus[0]
    assert len(_cases("v1")) == 63 and len(_cases("v2")) == 22
    for mode in ("v1", "v2"):
        assert all(f"{mode}/public/{c}" in expected for c in _cases(mode))


@pytest.mark.parametrize("case_id", _cases("v1") or ["<no corpus>"])
def test_v1_public_case(case_id, corpus, tf1, tmp_path, monkeypatch):
    _run_case("v1", case_id, tf1, corpus, tmp_path, monkeypatch)


@pytest.mark.parametrize("case_id", _cases("v2") or ["<no corpus>"])
def test_v2_public_case(case_id, corpus, tf2, tmp_path, monkeypatch):
    tf2.keras.backend.clear_session()
    _run_case("v2", case_id, tf2, corpus, tmp_path, monkeypatch)
