"""The lesson list, the notebooks, the README's lesson table and the syllabus stay in step.

`lessons/syllabus.yml` maps every concept and code example of the seed documents to the lesson
cell (by cell id) that teaches it. The notebooks themselves are run by nbval (see the README's
test command); these tests check the bookkeeping around them.
"""
import functools
import importlib.util
import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.mode("none")

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
SYLLABUS = yaml.safe_load((LESSONS / "syllabus.yml").read_text(encoding="utf-8"))


def _load_build():
    spec = importlib.util.spec_from_file_location("lessons_build", LESSONS / "_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _load_build()
READY = [lesson for lesson in SYLLABUS["lessons"] if lesson["status"] == "ready"]

# Every code cell of seed 001, code slide of seed 002 and code section of seed 003, by the ids the
# public conformance corpus uses for them: each must be taught by a lesson cell.
SEED_CODE_EXAMPLES = (
    ["s1_c%02d" % n for n in range(1, 75)]
    + ["s2_p%02d" % n for n in range(1, 40) if n != 20] + ["s2_p20_new", "s2_p20_default",
                                                           "s2_p20_mixed"]
    + ["s3_%02d" % n for n in range(1, 23)]
)


@functools.lru_cache(maxsize=None)
def notebook(name):
    return json.loads((LESSONS / name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def source_cells(name):
    """Cells of a lesson as its source defines them: {id: (kind, text)}."""
    nb = BUILD.build_notebook(LESSONS / "src" / (Path(name).stem + ".py"), SYLLABUS)
    return {c["id"]: (c["cell_type"], c["source"]) for c in nb.cells}


def test_lesson_list_matches_files():
    files = [lesson["file"] for lesson in SYLLABUS["lessons"]]
    assert files == sorted(files), "lessons are listed in order"
    assert len(set(f[:2] for f in files)) == len(files), "one lesson per number"
    for name in files:
        assert (LESSONS / "src" / (Path(name).stem + ".py")).is_file(), name
    on_disk = sorted(p.name for p in LESSONS.glob("*.ipynb"))
    assert on_disk == sorted(lesson["file"] for lesson in READY), \
        "notebooks in lessons/ are exactly the ready lessons (pending ones stay out of nbval)"
    assert len(READY) >= 1


def test_at_least_fifteen_lessons_planned():
    numbered = [lesson for lesson in SYLLABUS["lessons"] if lesson["file"][:2] != "00"]
    assert len(numbered) >= 15
    for lesson in SYLLABUS["lessons"]:
        assert 5 <= lesson["minutes"] <= 40, lesson["file"]


def test_readme_table_matches_syllabus():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BUILD.TABLE_START in readme and BUILD.TABLE_END in readme
    table = readme.split(BUILD.TABLE_START, 1)[1].split(BUILD.TABLE_END, 1)[0].strip()
    assert table == BUILD.lesson_table(SYLLABUS, link=lambda f: "lessons/" + f), \
        "run python3 lessons/_build.py to regenerate the README table"
    for lesson in READY:
        assert "lessons/" + lesson["file"] in table


@pytest.mark.parametrize("lesson", READY, ids=lambda lesson: lesson["file"])
def test_notebook_matches_its_source_and_was_run(lesson):
    nb = notebook(lesson["file"])
    built = BUILD.build_notebook(LESSONS / "src" / (Path(lesson["file"]).stem + ".py"), SYLLABUS)
    got = [(c["cell_type"], c.get("id"), "".join(c["source"])) for c in nb["cells"]]
    want = [(c.cell_type, c.get("id"), c.source) for c in built.cells]
    assert got == want, "notebook edited by hand or stale: python3 lessons/_build.py --execute"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["execution_count"] for c in code), "stored outputs come from a full run"
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error", "a committed lesson never stores a traceback"


@pytest.mark.parametrize("lesson", [lesson for lesson in SYLLABUS["lessons"]
                                    if lesson["file"][:2] != "00"],
                         ids=lambda lesson: lesson["file"])
def test_lesson_ends_with_checked_exercises(lesson):
    cells = source_cells(lesson["file"])
    ids = list(cells)
    assert "exercises" in ids, "each lesson has an Exercises section"
    tail = [cells[i][1] for i in ids[ids.index("exercises"):] if cells[i][0] == "code"]
    # checks fail with a hint: `expect(condition, hint)` from tfteach.exercises (or an assert)
    assert any(re.search(r"^\s*(assert |expect\()", text, re.M) for text in tail), \
        "checks are expect(...)s or asserts"
    assert any("check_1(" in text for text in tail)


def test_seed_code_examples_are_all_mapped():
    ids = {concept["id"] for concept in SYLLABUS["concepts"]}
    missing = [i for i in SEED_CODE_EXAMPLES if i not in ids]
    assert not missing, "seed code examples without a lesson: %s" % missing


def test_concept_ids_unique():
    ids = [concept["id"] for concept in SYLLABUS["concepts"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("concept", SYLLABUS["concepts"], ids=lambda c: c["id"])
def test_concept_maps_to_a_cell_that_teaches_it(concept):
    lessons = {lesson["file"]: lesson for lesson in SYLLABUS["lessons"]}
    assert concept["lesson"] in lessons, "unknown lesson %s" % concept["lesson"]
    assert concept.get("code") or concept.get("text"), "say what the cell must contain"
    cells = source_cells(concept["lesson"])
    if lessons[concept["lesson"]]["status"] == "ready":
        nb = notebook(concept["lesson"])
        cells = {c["id"]: (c["cell_type"], "".join(c["source"])) for c in nb["cells"]}
    assert concept["cell"] in cells, "no cell %r in %s" % (concept["cell"], concept["lesson"])
    kind, text = cells[concept["cell"]]
    for snippet in concept.get("code", []):
        assert kind == "code", "code snippets live in code cells"
        assert snippet in text, "%r not in cell %s" % (snippet, concept["cell"])
    flat = " ".join(text.split()).lower()
    for phrase in concept.get("text", []):
        assert phrase.lower() in flat, "%r not in cell %s" % (phrase, concept["cell"])
