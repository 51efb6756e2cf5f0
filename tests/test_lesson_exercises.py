"""Every exercise check rejects wrong answers with a hint, and never shows the expected answer.

Each lesson notebook runs in an in-process IPython shell up to its solutions; then its check
functions (`check_1`, `check_2`, taken from the notebook's `ex*-check` cells) are handed wrong
answers of each kind a student types: a number, `None`, a string, a tensor with the wrong
value. Each must fail with a hint that names something to look at, and no failure text may
contain the solution's value. Finally the solutions cell runs, and its answers must pass.
"""
import contextlib
import io
import json
import re
from pathlib import Path

import pytest

IPython = pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def _notebooks():
    out = []
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(c.get("id") == "ex1-check" for c in cells):
            out.append(path)
    return out


def _code(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    # `%matplotlib inline` asks the shell for an event loop; a terminal-less shell has none
    sh.enable_gui = lambda gui=None: None
    yield sh


def _run(shell, source):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = shell.run_cell(source, silent=False, store_history=False)
    if result.error_in_exec is not None or result.error_before_exec is not None:
        raise AssertionError(f"cell failed:\n{source}\n{out.getvalue()}") from (
            result.error_in_exec or result.error_before_exec)
    return out.getvalue()


def _revealing(answer):
    """Texts that would give `answer` away in a hint: numbers and strings (bools and objects
    are not searched: 'True' or a tensor's repr are no clue)."""
    if isinstance(answer, bool) or answer is None:
        return []
    if isinstance(answer, (int, float)):
        texts = [repr(answer)]
        if float(answer).is_integer():
            texts.append(str(int(answer)))
        return texts
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, (list, tuple)) and all(isinstance(a, (int, str)) for a in answer) \
            and answer:
        return [repr(list(answer)), ", ".join(map(str, answer))]
    return []


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_wrong_answers_fail_with_a_hint(shell, path, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    shell.reset(new_session=True)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    ids = [c.get("id") for c in code]
    assert "solutions-code" in ids, "each lesson ends with its solutions cell"
    import tfteach.v1 as tf1
    tf1.reset_default_graph()
    for cell in code[:ids.index("solutions-code")]:
        _run(shell, _code(cell))
    ns = shell.user_ns
    exercises = [n for n in (1, 2) if f"check_{n}" in ns]
    assert exercises, "no check functions found"
    check = ns["check"]
    # a wrong value of the lesson's own tensor type, made the way the lesson makes tensors
    wrong_tensor = shell.ev("tf.constant(-7.25)")
    wrong = {"a typed-in number": -12345, "None": None, "a string": "no idea",
             "a tensor with the wrong value": wrong_tensor}

    failures = {}
    for n in exercises:
        for what, answer in wrong.items():
            verdict = check(n, ns[f"check_{n}"], answer)
            failures[n, what] = verdict
    # the solutions: every answer they give must pass
    printed = _run(shell, _code(code[ids.index("solutions-code")]))
    assert "not yet" not in printed, printed
    for n in exercises:
        name = "my_plot" if n == 2 and "my_plot" in ns and "answer_2" not in ns else f"answer_{n}"
        solution = ns[name]
        verdict = check(n, ns[f"check_{n}"], solution)
        assert verdict.passed, f"the solution of exercise {n} fails: {verdict}"
        for what, answer in wrong.items():
            verdict = failures[n, what]
            if answer is None and solution is None:
                assert verdict.passed, f"exercise {n}: None is right but rejected: {verdict}"
                continue
            assert not verdict.passed, f"exercise {n} accepts {what}: {verdict}"
            m = re.match(rf"Exercise {n}: not yet\. Hint: (.+)$", verdict, re.S)
            assert m and len(m.group(1).strip()) >= 15, f"exercise {n}, {what}: no hint: {verdict}"
            for text in _revealing(solution):
                assert not re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", m.group(1)), \
                    f"exercise {n}'s hint for {what} shows the answer {text!r}: {verdict}"
    # "not done yet" is what an untouched exercise cell prints
    assert check(1, ns["check_1"], ...) == "Exercise 1: not done yet"
