"""The three builds of a lesson notebook made from the one shipped copy.

The repository's notebooks (`lessons/`, what CI runs under nbval) hold everything: exercises,
their checks and, at the end, the worked solutions with their outputs. A class needs other cuts:

- **student** (`tfteach lessons`): the solutions cells are removed and the exercise and check
  cells carry no stored output, so nothing gives an answer away before the student runs it;
- **teacher** (`tfteach lessons --teacher`): solutions kept, and a short guide for the lesson
  (goals, timings, common mistakes, answers, from `lessons/guides.yml`) after the title;
- **nbgrader source** (`tfteach lessons --nbgrader COURSE`): each lesson as an nbgrader
  assignment. The solution of exercise N moves into its answer cell between nbgrader's
  `### BEGIN SOLUTION` / `### END SOLUTION` marks, and its check cell becomes an autograded
  test cell whose hidden test (`grade(N, check_N, answer_N)`) raises when the check does not
  pass, so `nbgrader generate_assignment` / `autograde` work as nbgrader documents.

Student and teacher builds carry the same nbgrader cell metadata (grade ids `ex1`,
`ex1-check`, ...) as the nbgrader release, so a notebook collected from either lines up with the
assignment's cells.

The cells are found by the ids every lesson source uses (`ex1`, `ex1-check`, `ex2`,
`ex2-check`, `solutions`, `solutions-code`); `tests/test_lesson_builds.py` keeps them in step.
"""
import copy
import re
from pathlib import Path

__all__ = ["student_notebook", "teacher_notebook", "nbgrader_source", "render",
           "split_solutions", "guide_markdown", "load_guides", "BUILDS", "POINTS"]

BUILDS = ("student", "teacher")
SOLUTION_CELLS = ("solutions", "solutions-code")
POINTS = 1           # per exercise: every check is all-or-nothing
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_CHECK_LINE = re.compile(r"^print\(check\((\d+), (check_\d+), (\w+)\)\)\s*$")


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _exercise_numbers(nb):
    ids = {c.get("id") for c in nb["cells"]}
    return [n for n in (1, 2, 3, 4, 5) if "ex%d" % n in ids and "ex%d-check" % n in ids]


def _nbgrader_meta(grade_id, solution, grade, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _mark_exercises(nb):
    """nbgrader metadata on the answer cells (solution cells) and the check cells (autograded
    tests, locked, POINTS each)."""
    for cell in nb["cells"]:
        ident = cell.get("id", "")
        m = re.fullmatch(r"ex(\d+)(-check)?", ident)
        if not m:
            continue
        if m.group(2):
            cell["metadata"]["nbgrader"] = _nbgrader_meta(ident, False, True, POINTS)
        else:
            cell["metadata"]["nbgrader"] = _nbgrader_meta(ident, True, False)


def _clear(cell):
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None


def _tag(nb, build):
    nb["metadata"].setdefault("tfteach", {})["build"] = build


def student_notebook(nb):
    """The student's copy: no solutions, exercise and check cells without stored outputs."""
    nb = copy.deepcopy(nb)
    nb["cells"] = [c for c in nb["cells"] if c.get("id") not in SOLUTION_CELLS]
    for cell in nb["cells"]:
        if re.fullmatch(r"ex\d+(-check)?", cell.get("id", "")):
            _clear(cell)
    _mark_exercises(nb)
    _tag(nb, "student")
    return nb


def load_guides(folder):
    """{lesson number: guide} from `guides.yml` beside the lessons ({} when there is none)."""
    path = Path(folder) / "guides.yml"
    if not path.is_file():
        return {}
    import yaml
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"%02d" % int(k): v for k, v in data.items()}


def guide_markdown(guide, minutes_run=None):
    """The teacher's guide of one lesson as a markdown cell's text."""
    total = sum(m for _, m in guide["timing"])
    lines = ["## Teacher's guide (this cell is only in the teacher build)", "",
             "**Goals.** By the end, students can:"]
    lines += ["- " + g for g in guide["goals"]]
    lines += ["", "**Timing (%d min).** " % total + "; ".join(
        "%s: %d min" % (part, m) for part, m in guide["timing"]) + "."]
    lines += ["", "**Common mistakes.**"]
    lines += ["- " + m for m in guide["mistakes"]]
    lines += ["", "**Answers.**"]
    lines += ["%d. %s" % (k, a) for k, a in enumerate(guide["answers"], 1)]
    if guide.get("note"):
        lines += ["", guide["note"]]
    return "\n".join(lines)


def teacher_notebook(nb, guide=None):
    """The teacher's copy: everything, plus the lesson's guide after its title cell."""
    nb = copy.deepcopy(nb)
    if guide:
        cell = {"cell_type": "markdown", "id": "teacher-guide", "metadata": {},
                "source": guide_markdown(guide)}
        nb["cells"].insert(1, cell)
    _mark_exercises(nb)
    _tag(nb, "teacher")
    return nb


def split_solutions(nb):
    """{N: source of exercise N's solution}, cut from the `solutions-code` cell at its
    `print(check(N, check_N, answer))` lines (code after the last one goes with the last)."""
    cell = next((c for c in nb["cells"] if c.get("id") == "solutions-code"), None)
    if cell is None:
        return {}
    parts, current = {}, []
    last = None
    for line in _source(cell).splitlines():
        m = _CHECK_LINE.match(line)
        if m:
            last = int(m.group(1))
            parts[last] = current
            current = []
        else:
            current.append(line)
    if last is not None and any(ln.strip() for ln in current):
        parts[last] = parts[last] + current
    return {n: "\n".join(lines).strip("\n") for n, lines in parts.items()}


def _check_call(cell):
    """(N, check function name, answer name) of a check cell's `print(check(...))` line."""
    for line in _source(cell).splitlines():
        m = _CHECK_LINE.match(line)
        if m:
            return int(m.group(1)), m.group(2), m.group(3)
    raise ValueError("check cell %s has no `print(check(N, check_N, answer))` line"
                     % cell.get("id"))


def nbgrader_source(nb):
    """The lesson as nbgrader's *source* notebook (what `nbgrader generate_assignment` reads)."""
    nb = copy.deepcopy(nb)
    solutions = split_solutions(nb)
    numbers = _exercise_numbers(nb)
    missing = [n for n in numbers if n not in solutions]
    if missing:
        raise ValueError("no solution found for exercise(s) %s in solutions-code" % missing)
    nb["cells"] = [c for c in nb["cells"] if c.get("id") not in SOLUTION_CELLS]
    for cell in nb["cells"]:
        m = re.fullmatch(r"ex(\d+)(-check)?", cell.get("id", ""))
        if not m:
            continue
        _clear(cell)
        n = int(m.group(1))
        if m.group(2):
            number, check_fn, answer = _check_call(cell)
            cell["source"] = (_source(cell).rstrip("\n") + "\n" + BEGIN_HIDDEN + "\n"
                              + "from tfteach.exercises import grade\n"
                              + "grade(%d, %s, %s)\n" % (number, check_fn, answer) + END_HIDDEN)
        else:
            cell["source"] = (_source(cell).rstrip("\n") + "\n" + BEGIN_SOLUTION + "\n"
                              + solutions[n] + "\n" + END_SOLUTION)
    _mark_exercises(nb)
    _tag(nb, "nbgrader-source")
    return nb


def render(path, build, guides=None):
    """The bytes of `path` (a shipped notebook) in `build` ("student" or "teacher"), written as
    nbformat writes notebooks."""
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    if build == "student":
        nb = student_notebook(nb)
    elif build == "teacher":
        nb = teacher_notebook(nb, (guides or {}).get(Path(path).name[:2]))
    else:
        raise ValueError("unknown build %r (one of %s)" % (build, ", ".join(BUILDS)))
    return (nbformat.writes(nbformat.from_dict(nb)) + "\n").encode("utf-8")


# The code stub nbgrader puts where a solution was: the answer line above it stays, so a
# student's notebook runs top to bottom and the check says "not done yet" until they answer.
NBGRADER_CONFIG = '''\
# nbgrader settings for the tfteach lessons (written by `tfteach lessons --nbgrader`).
c = get_config()  # noqa: F821
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
# the lessons run a few seconds each; a slow machine gets room
c.ExecutePreprocessor.timeout = 300
'''
