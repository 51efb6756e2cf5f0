"""Every exercise check rejects wrong answers with a hint, and never shows the expected answer.

Each lesson notebook runs in its own kernel (as a student's would) up to its solutions; then its
check functions (`check_1`, `check_2`, defined by the notebook's `ex*-check` cells) are handed
wrong answers of each kind a student types: a number, `None`, a string, a tensor with the wrong
value. Each must fail with a hint, and no hint may contain the solution's value. Then the
solutions cell runs, and its answers must pass (`None` must pass where it is the solution).
"""
import inspect
import json
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.mode("none")   # notebooks run in their own kernels

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
MARK = "@@verdicts@@"


def _notebooks():
    out = []
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(c.get("id") == "ex1-check" for c in cells):
            out.append(path)
    return out


def _revealing(answer):
    """Texts that would give `answer` away in a hint: numbers and strings (bools and objects
    are not searched: 'True' or a tensor's repr are no clue)."""
    import numbers
    if isinstance(answer, bool) or answer is None:
        return []
    if isinstance(answer, numbers.Number):
        texts = [repr(float(answer))]
        if float(answer).is_integer():
            texts.append(str(int(answer)))
        return texts
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, (list, tuple)) and answer and all(isinstance(a, (int, str))
                                                            for a in answer):
        return [repr(list(answer)), ", ".join(map(str, answer))]
    return []


PROBE_WRONG = """
import json as _json
_wrong = {"a typed-in number": -12345, "None": None, "a string": "no idea",
          "a tensor with the wrong value": tf.constant(-7.25)}
_ex = [n for n in (1, 2) if "check_%d" % n in globals()]
_failed = {}
for _n in _ex:
    for _w, _a in _wrong.items():
        _v = check(_n, globals()["check_%d" % _n], _a)
        _failed["%d|%s" % (_n, _w)] = [str(_v), bool(_v.passed)]
_notdone = str(check(1, check_1, ...))
"""

PROBE_SOLVED = """
_solved = {}
for _n in _ex:
    _name = "answer_%d" % _n
    if _name not in globals() and _n == 2:
        _name = "my_plot"
    _ans = globals()[_name]
    _v = check(_n, globals()["check_%d" % _n], _ans)
    _solved[_n] = [str(_v), bool(_v.passed), _ans is None, _revealing(_ans)]
print("@MARK@" + _json.dumps({"exercises": _ex, "failed": _failed, "solved": _solved,
                        "notdone": _notdone}))
"""


def _run(path):
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    ids = [c.get("id") for c in code]
    assert "solutions-code" in ids, "each lesson ends with its solutions cell"
    sol = ids.index("solutions-code")
    cells = [nbformat.v4.new_code_cell(c.source) for c in code[:sol]]
    cells.append(nbformat.v4.new_code_cell(PROBE_WRONG))
    cells.append(nbformat.v4.new_code_cell(code[sol].source))
    cells.append(nbformat.v4.new_code_cell(inspect.getsource(_revealing) + PROBE_SOLVED.replace("@MARK@", MARK)))
    run = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    client = nbclient.NotebookClient(run, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(LESSONS)}})
    client.execute()
    text = "".join(o.get("text", "") for o in run.cells[-1].outputs)
    line = next(ln for ln in text.splitlines() if ln.startswith(MARK))
    return json.loads(line[len(MARK):])


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_wrong_answers_fail_with_a_hint(path, monkeypatch):
    # the kernel must import this tree's tfteach
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    checks = [c for c in nbformat.read(str(path), as_version=4).cells
              if c.get("id", "").endswith("-check")]
    assert all("check(" in "".join(c.source) for c in checks) and \
        "tfteach.exercises" in "".join(checks[0].source), \
        f"{path.stem}'s check cells should print tfteach.exercises.check(n, check_n, answer_n) " \
        f"and fail through expect(condition, hint), as lessons 01-22 do"
    got = _run(path)
    assert got["exercises"], "no check functions found"
    assert got["notdone"] == "Exercise 1: not done yet"
    for n in got["exercises"]:
        verdict, passed, solution_is_none, revealing = got["solved"][str(n)]
        assert passed, f"the solution of exercise {n} fails: {verdict}"
        for key, (verdict, passed) in got["failed"].items():
            m_n, what = key.split("|", 1)
            if int(m_n) != n:
                continue
            if what == "None" and solution_is_none:
                assert passed, f"exercise {n}: None is right but rejected: {verdict}"
                continue
            assert not passed, f"exercise {n} accepts {what}: {verdict}"
            m = re.match(rf"Exercise {n}: not yet\. Hint: (.+)$", verdict, re.S)
            assert m and len(m.group(1).strip()) >= 15, f"exercise {n}, {what}: no hint: {verdict}"
            for text in revealing:
                assert not re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", m.group(1)), \
                    f"exercise {n}'s hint for {what} shows the answer {text!r}: {verdict}"
