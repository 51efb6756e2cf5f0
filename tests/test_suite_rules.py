"""Rules the test suite keeps about itself: every test file states the tfteach mode its tests
run in (tests/conftest.py puts each test in that mode and back in TF2 mode afterwards, so the
files pass in any order), and no test is skipped for waiting on a feature."""
import ast
import pathlib
import re

import pytest

pytestmark = pytest.mark.mode("none")

TESTS = pathlib.Path(__file__).parent
MODES = ("v1", "v2", "both", "none")


def _mode_of(path):
    for node in ast.parse(path.read_text()).body:
        if not (isinstance(node, ast.Assign) and
                any(getattr(t, "id", None) == "pytestmark" for t in node.targets)):
            continue
        marks = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else \
            [node.value]
        for m in marks:
            if isinstance(m, ast.Call) and ast.unparse(m.func) == "pytest.mark.mode":
                return [ast.literal_eval(a) for a in m.args]
    return None


def test_every_test_file_states_its_mode():
    files = sorted(TESTS.glob("test_*.py"))
    assert len(files) > 40
    bad = {p.name: _mode_of(p) for p in files}
    bad = {k: v for k, v in bad.items() if v is None or len(v) != 1 or v[0] not in MODES}
    assert not bad, f"test files without `pytestmark = pytest.mark.mode(M)`, M in {MODES}: {bad}"


def test_a_file_without_a_mode_fails(pytester):
    pytester.makeconftest((TESTS / "conftest.py").read_text())
    pytester.makepyfile(test_nomode="def test_x():\n    pass\n")
    res = pytester.runpytest("-p", "no:cacheprovider", "-o", "addopts=")
    res.assert_outcomes(errors=1)
    res.stdout.fnmatch_lines(["*states no mode*"])


def test_no_test_waits_for_a_feature():
    """A skip "until it is in this build" hides a feature that is there (or missing)."""
    pat = re.compile(r"(skip|xfail)\w*\([^)]*(not in this build|yet\b)", re.S)
    hits = [p.name for p in sorted(TESTS.glob("test_*.py")) if pat.search(p.read_text())]
    assert not hits, f"skips waiting for a feature: {hits}"


def test_no_fixture_names_a_path_on_the_machine_that_recorded_it():
    """Recorded fixtures travel with the clone: an absolute path inside one (a TF `checkpoint`
    state file written without save_relative_paths) reads on the recording machine only."""
    roots = ("/work/", "/tmp/", "/home/", "/root/")
    bad = []
    for path in (TESTS / "data").rglob("*"):
        if path.is_file() and path.stat().st_size < 1_000_000:
            data = path.read_bytes()
            bad += [f"{path.relative_to(TESTS)}: {r}" for r in roots if r.encode() in data]
    assert not bad, bad
