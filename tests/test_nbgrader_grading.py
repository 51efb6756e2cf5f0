"""A teacher grades a lesson with nbgrader: generate the assignment from `tfteach lessons
--nbgrader`'s source, hand in three copies (all right, all wrong, half right), autograde them,
and read the scores from nbgrader's gradebook.

nbgrader comes with the `grading` extra, which the `test` extra includes, so this runs in CI.
The expected scores are the hand count of right answers (1 point per exercise), not anything
tfteach computes.
"""
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.mode("none")   # notebooks run in their own kernels

import nbformat                                   # noqa: E402
from nbgrader.api import Gradebook                # noqa: E402
from nbgrader.apps import NbGraderAPI             # noqa: E402
from traitlets.config import Config               # noqa: E402

from tfteach import classroom, cli                # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LESSON = "05_variables_state"
# Wrong answers a student could type: a plain number where the pair (counter, tick) is asked
# for, and the wrong count of operations.
WRONG = {1: "answer_1 = 12", 2: "answer_2 = 3"}


def _api(course):
    config = Config()
    config.CourseDirectory.root = str(course)
    config.Exchange.root = str(course / "exchange")
    (course / "exchange").mkdir(exist_ok=True)
    # the stub and time limit tfteach's nbgrader_config.py sets for the class
    config.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
    config.ExecutePreprocessor.timeout = 300
    return NbGraderAPI(config=config)


def _hand_in(course, student, answers):
    """The released notebook with each answer cell's `# YOUR CODE HERE` replaced by `answers[n]`
    (None: left as released)."""
    released = course / "release" / LESSON / (LESSON + ".ipynb")
    nb = nbformat.read(str(released), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and answers.get(int(meta["grade_id"][2:])) is not None:
            assert "# YOUR CODE HERE" in cell.source, cell.source
            cell.source = cell.source.replace("# YOUR CODE HERE", answers[int(meta["grade_id"][2:])])
    target = course / "submitted" / student / LESSON
    target.mkdir(parents=True)
    nbformat.write(nb, str(target / (LESSON + ".ipynb")))


def test_autograde_scores_a_filled_in_copy_full_and_a_wrong_copy_zero(tmp_path, monkeypatch):
    # the kernels nbgrader starts must import this tree's tfteach
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # nbgrader runs the `alembic` command beside this Python (CI runs .venv/bin/python without
    # activating the venv, so its bin folder is not on PATH)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    course = tmp_path / "course"
    written = cli.write_nbgrader_course(cli.lessons_source(), course, out=lambda *a: None)
    assert LESSON in written and (course / "nbgrader_config.py").is_file()
    monkeypatch.chdir(course)
    api = _api(course)

    result = api.generate_assignment(LESSON)
    assert result["success"], result.get("error") or result.get("log")
    released = nbformat.read(str(course / "release" / LESSON / (LESSON + ".ipynb")), 4)
    text = "\n".join(c.source for c in released.cells)
    # nbgrader took the solutions and the hidden tests out of the student's version
    assert "after four ticks" not in text and "grade(" not in text
    assert "### BEGIN" not in text and "answer_1 = ..." in text

    solutions = classroom.split_solutions(nbformat.read(
        str(cli.lessons_source() / (LESSON + ".ipynb")), 4))
    _hand_in(course, "ada", solutions)
    _hand_in(course, "bo", WRONG)
    _hand_in(course, "cy", {1: solutions[1], 2: WRONG[2]})
    _hand_in(course, "di", {})             # handed in untouched: "not done yet" scores nothing
    for student in ("ada", "bo", "cy", "di"):
        result = api.autograde(LESSON, student)
        assert result["success"], result.get("error") or result.get("log")

    with Gradebook("sqlite:///%s" % (course / "gradebook.db")) as gb:
        scores = {s: (gb.find_submission(LESSON, s).score, gb.find_submission(LESSON, s).max_score)
                  for s in ("ada", "bo", "cy", "di")}
        per_cell = {g.name: g.score for g in gb.find_submission_notebook(
            LESSON, LESSON, "cy").grades}
    assert scores == {"ada": (2.0, 2.0), "bo": (0.0, 2.0), "cy": (1.0, 2.0), "di": (0.0, 2.0)}
    assert per_cell["ex1-check"] == 1.0 and per_cell["ex2-check"] == 0.0
    # the graded copy shows the student the verdict with its hint, not only a traceback
    graded = nbformat.read(str(course / "autograded" / "bo" / LESSON / (LESSON + ".ipynb")), 4)
    check2 = next(c for c in graded.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == "ex2-check")
    shown = "".join(o.get("text", "") for o in check2.outputs)
    assert "Exercise 2: not yet. Hint:" in shown
