"""The student and teacher builds of the lessons, and resetting a student's lesson.

The student build (`tfteach lessons`) must give nothing away: no solutions cell, no stored
output under an exercise or its check. The teacher build keeps the solutions and adds a guide
whose timings add up to the syllabus' minutes. `--reset NN` puts a lesson back and keeps the
student's copy."""
import os
import re
from pathlib import Path

import pytest

from tfteach import classroom, cli

pytestmark = pytest.mark.mode("none")

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def _exercise_lessons():
    return [p for p in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
            if any(c.get("id") == "solutions-code"
                   for c in nbformat.read(str(p), as_version=4).cells)]


def _read(data):
    return nbformat.reads(data.decode("utf-8"), as_version=4)


def test_every_lesson_but_the_index_has_exercises_and_solutions():
    assert len(_exercise_lessons()) == len(list(LESSONS.glob("[0-9][0-9]_*.ipynb"))) - 1


@pytest.mark.parametrize("path", _exercise_lessons(), ids=lambda p: p.stem[:2])
def test_student_build_gives_no_answer_away(path):
    shipped = nbformat.read(str(path), as_version=4)
    solution = next(c for c in shipped.cells if c.get("id") == "solutions-code")
    student = _read(classroom.render(path, "student"))
    ids = [c.get("id") for c in student.cells]
    assert "solutions" not in ids and "solutions-code" not in ids
    # every other cell is kept, in order
    assert ids == [c.get("id") for c in shipped.cells
                   if c.get("id") not in ("solutions", "solutions-code")]
    text = "\n".join(c.source for c in student.cells)
    # each line of the worked solution that sets an answer is gone from the student's copy
    for line in solution.source.splitlines():
        if re.match(r"answer_\d+ = (?!\.\.\.)", line):
            assert line not in text, line
    for cell in student.cells:
        if re.fullmatch(r"ex\d+(-check)?", cell.get("id", "")):
            assert cell.outputs == [] and cell.execution_count is None, cell.id
            meta = cell.metadata["nbgrader"]
            assert meta["grade_id"] == cell.id
            assert meta["grade"] == cell.id.endswith("-check")
            assert meta["solution"] == (not cell.id.endswith("-check"))
    assert student.metadata["tfteach"]["build"] == "student"
    nbformat.validate(student)


def test_student_build_runs_and_says_not_done_yet(monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = _read(classroom.render(LESSONS / "05_variables_state.ipynb", "student"))
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(LESSONS)}}).execute()
    shown = {c.id: "".join(o.get("text", "") for o in c.outputs) for c in nb.cells
             if c.get("id", "").endswith("-check")}
    assert shown == {"ex1-check": "Exercise 1: not done yet\n",
                     "ex2-check": "Exercise 2: not done yet\n"}


def test_every_lesson_has_a_guide_that_fits_its_minutes():
    import yaml
    syllabus = yaml.safe_load((LESSONS / "syllabus.yml").read_text(encoding="utf-8"))
    minutes = {entry["file"][:2]: entry["minutes"] for entry in syllabus["lessons"]}
    guides = classroom.load_guides(LESSONS)
    assert sorted(guides) == sorted(p.name[:2] for p in _exercise_lessons())
    for number, guide in guides.items():
        assert sum(m for _, m in guide["timing"]) == minutes[number], number
        assert len(guide["answers"]) == 2, number       # one per exercise
        assert guide["goals"] and guide["mistakes"], number
        for key in ("goals", "mistakes", "answers"):
            assert all(isinstance(t, str) for t in guide[key]), (number, key)


@pytest.mark.parametrize("path", _exercise_lessons()[:3] + _exercise_lessons()[-2:],
                         ids=lambda p: p.stem[:2])
def test_teacher_build_keeps_solutions_and_adds_the_guide(path):
    shipped = nbformat.read(str(path), as_version=4)
    teacher = _read(classroom.render(path, "teacher", classroom.load_guides(LESSONS)))
    assert teacher.cells[1].id == "teacher-guide"
    guide = teacher.cells[1].source
    for heading in ("**Goals.**", "**Timing (", "**Common mistakes.**", "**Answers.**"):
        assert heading in guide
    rest = [c for c in teacher.cells if c.id != "teacher-guide"]
    assert [(c.id, c.source, c.get("outputs")) for c in rest] == \
        [(c.id, c.source, c.get("outputs")) for c in shipped.cells]
    assert teacher.metadata["tfteach"]["build"] == "teacher"


def test_nbgrader_source_moves_each_solution_into_its_answer_cell():
    for path in _exercise_lessons():
        nb = classroom.nbgrader_source(nbformat.read(str(path), as_version=4))
        cells = {c.get("id"): c for c in nb["cells"]}
        assert "solutions-code" not in cells, path.name
        for n in (1, 2):
            answer, check = cells["ex%d" % n]["source"], cells["ex%d-check" % n]["source"]
            assert answer.index(classroom.BEGIN_SOLUTION) < answer.index(classroom.END_SOLUTION)
            hidden = check.split(classroom.BEGIN_HIDDEN, 1)[1]
            assert re.search(r"grade\(%d, check_%d, \w+\)" % (n, n), hidden), path.name


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("JUPYTERLAB_SETTINGS_DIR", raising=False)
    return tmp_path


def test_tfteach_lessons_writes_the_student_build_and_teacher_writes_the_teacher_build(home):
    student, teacher = home / "s", home / "t"
    assert cli.main(["lessons", "--dir", str(student), "--dry-run"]) == 0
    assert cli.main(["lessons", "--teacher", "--dir", str(teacher), "--dry-run"]) == 0
    lesson = "07_gradient_descent.ipynb"
    s = nbformat.read(str(student / lesson), as_version=4)
    t = nbformat.read(str(teacher / lesson), as_version=4)
    assert "solutions-code" not in [c.id for c in s.cells]
    assert "solutions-code" in [c.id for c in t.cells] and t.cells[1].id == "teacher-guide"
    # a second start finds the copies unchanged: nothing is kept aside or rewritten
    copied, kept, backed = cli.copy_lessons(cli.lessons_source(), student, out=lambda *a: None,
                                            render=cli.lesson_builder(cli.lessons_source(),
                                                                      "student"))
    assert (copied, kept, backed) == ([], [], [])
    from nbformat.sign import NotebookNotary
    assert NotebookNotary().check_signature(s) and NotebookNotary().check_signature(t)


def test_reset_restores_the_shipped_lesson_and_keeps_the_students_copy(home, capsys):
    dest = home / "w"
    assert cli.main(["lessons", "--dir", str(dest), "--dry-run"]) == 0
    lesson = dest / "05_variables_state.ipynb"
    shipped = lesson.read_bytes()
    nb = nbformat.read(str(lesson), as_version=4)
    nb.cells[0].source += "\nmy notes"
    nbformat.write(nb, str(lesson))
    mine = lesson.read_bytes()
    capsys.readouterr()
    assert cli.main(["lessons", "--dir", str(dest), "--reset", "5"]) == 0
    out = capsys.readouterr().out
    assert "05_variables_state.bak-1.ipynb" in out
    assert lesson.read_bytes() == shipped
    assert (dest / "05_variables_state.bak-1.ipynb").read_bytes() == mine
    # resetting an unchanged lesson makes no backup
    assert cli.main(["lessons", "--dir", str(dest), "--reset", "05_variables_state"]) == 0
    assert not (dest / "05_variables_state.bak-2.ipynb").exists()
    from nbformat.sign import NotebookNotary
    assert NotebookNotary().check_signature(nbformat.read(str(lesson), as_version=4))
    with pytest.raises(SystemExit):
        cli.main(["lessons", "--dir", str(dest), "--reset", "99"])
