"""Generate the lesson notebooks from their sources, and run them to store their outputs.

Sources live in `lessons/src/NN_name.py` in the "percent" format (the one jupytext reads):

    # %% [markdown] id=intro
    # # A heading
    # Prose, one `# ` prefix per line.

    # %% id=first-graph
    import tfteach.v1 as tf

A cell header may name the cell (`id=...`): the syllabus (`lessons/syllabus.yml`) points at
cells by these ids. Unnamed cells get `NN-k` ids, so ids are stable from build to build.

    python3 lessons/_build.py                 # report stale notebooks, refresh the README table
    python3 lessons/_build.py --execute       # rebuild the ready notebooks, run them, store outputs
    python3 lessons/_build.py --execute 05 07 # only these lessons (by number or file stem)
    python3 lessons/_build.py --all --execute # also try lessons marked pending (report only)
    python3 lessons/_build.py --check         # exit 1 if a notebook's cells differ from its source

A lesson whose run fails is not written: a notebook in `lessons/` always ran top to bottom.
The README's lesson table and the landing page's table are generated from the syllabus too.
"""
import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = HERE / "src"
SYLLABUS = HERE / "syllabus.yml"
README = ROOT / "README.md"
TABLE_START = "<!-- lessons:start -->"
TABLE_END = "<!-- lessons:end -->"
HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")
CELL_TIMEOUT = 300


def load_syllabus(path=SYLLABUS):
    import yaml
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def parse_source(path):
    """Return [(kind, id_or_None, text)] for a percent-format lesson source."""
    cells = []
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = HEADER.match(line)
        if m:
            ident = None
            for part in m.group("rest").split():
                if part.startswith("id="):
                    ident = part[3:]
            current = ["markdown" if m.group("md") else "code", ident, []]
            cells.append(current)
            continue
        if current is None:
            if line.strip():
                raise ValueError("%s: text before the first '# %%%%' cell header" % path)
            continue
        if current[0] == "markdown":
            if line.startswith("# "):
                line = line[2:]
            elif line.startswith("#"):
                line = line[1:]
            elif line.strip():
                raise ValueError("%s: markdown line without '# ': %r" % (path, line))
        current[2].append(line)
    out = []
    for kind, ident, lines in cells:
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        out.append((kind, ident, "\n".join(lines)))
    return out


def lesson_table(syllabus, ready_only=True, link=lambda f: f):
    rows = ["| # | Lesson | Topic | Minutes |", "|---|---|---|---|"]
    for lesson in syllabus["lessons"]:
        if ready_only and lesson.get("status") != "ready":
            continue
        number = lesson["file"][:2]
        rows.append("| %s | [%s](%s) | %s | %s |" % (
            number, lesson["title"], link(lesson["file"]), lesson["topic"], lesson["minutes"]))
    return "\n".join(rows)


def build_notebook(src_path, syllabus):
    stem = src_path.stem
    number = stem[:2]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    seen = set()
    for k, (kind, ident, text) in enumerate(parse_source(src_path), 1):
        text = text.replace("{{LESSON_TABLE}}", lesson_table(syllabus))
        ident = ident or "%s-%d" % (number, k)
        if ident in seen:
            raise ValueError("%s: duplicate cell id %r" % (src_path, ident))
        seen.add(ident)
        cell = (nbformat.v4.new_markdown_cell(text) if kind == "markdown"
                else nbformat.v4.new_code_cell(text))
        cell["id"] = ident
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def execute(nb, timeout=CELL_TIMEOUT):
    from nbclient import NotebookClient
    env_path = os.environ.get("PYTHONPATH", "")
    # The kernel must import this checkout's tfteach even when it is not pip-installed.
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + env_path if env_path else "")
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(HERE)}},
                                record_timing=False)
        client.execute()
    finally:
        if env_path:
            os.environ["PYTHONPATH"] = env_path
        else:
            os.environ.pop("PYTHONPATH", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    return nb


def coalesce_streams(outputs):
    """Merge consecutive stdout (or stderr) chunks into one output, as Jupyter displays them
    (and as nbval compares them): a loop printing one character at a time stores one output."""
    merged = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def sources_of(nb):
    return [(c.cell_type, c.get("id"), c.source) for c in nb.cells]


def update_readme(syllabus):
    text = README.read_text(encoding="utf-8")
    if TABLE_START not in text:
        return False
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    table = lesson_table(syllabus, link=lambda f: "lessons/" + f)
    new = head + TABLE_START + "\n" + table + "\n" + TABLE_END + tail
    if new != text:
        README.write_text(new, encoding="utf-8")
        return True
    return False


def select(syllabus, wanted, include_pending):
    by_file = {lesson["file"]: lesson for lesson in syllabus["lessons"]}
    chosen = []
    for lesson in syllabus["lessons"]:
        stem = Path(lesson["file"]).stem
        if wanted and not any(stem == w or stem.startswith(w + "_") or stem[:2] == w
                              for w in wanted):
            continue
        if lesson.get("status") != "ready" and not include_pending and not wanted:
            continue
        chosen.append(lesson)
    for lesson in chosen:
        src = SRC / (Path(lesson["file"]).stem + ".py")
        if not src.is_file():
            raise SystemExit("no source %s for %s" % (src, lesson["file"]))
    return chosen, by_file


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lessons", nargs="*", help="lesson numbers or file stems (default: all ready)")
    ap.add_argument("--execute", action="store_true", help="run the notebooks, store outputs")
    ap.add_argument("--all", action="store_true", help="include lessons marked pending")
    ap.add_argument("--check", action="store_true",
                    help="compare committed notebooks with their sources, write nothing")
    args = ap.parse_args(argv)
    syllabus = load_syllabus()
    chosen, _ = select(syllabus, args.lessons, args.all)
    failed = []
    for lesson in chosen:
        src = SRC / (Path(lesson["file"]).stem + ".py")
        target = HERE / lesson["file"]
        nb = build_notebook(src, syllabus)
        if args.check or not args.execute:
            if not target.exists():
                if lesson.get("status") == "ready":
                    failed.append(lesson["file"])
                    print("MISSING  %s" % lesson["file"])
                continue
            old = nbformat.read(str(target), as_version=4)
            if sources_of(old) != sources_of(nb):
                failed.append(lesson["file"])
                print("STALE    %s (rebuild with lessons/_build.py --execute)" % lesson["file"])
            continue
        if True:
            t0 = time.time()
            try:
                execute(nb)
            except Exception as exc:  # report and keep going: one broken lesson is not all
                failed.append(lesson["file"])
                first = str(exc).strip().splitlines()
                where = next((c.get("id") for c in nb.cells if c.cell_type == "code" and any(
                    o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
                print("FAILED   %s after %.1fs in cell %s: %s" % (
                    lesson["file"], time.time() - t0, where, first[-1] if first else exc))
                continue
            print("ran      %s in %.1fs" % (lesson["file"], time.time() - t0))
        nbformat.write(nb, str(target))
    if not args.check and update_readme(syllabus):
        print("updated README lesson table")
    return 1 if failed and (args.check or args.execute) else 0


if __name__ == "__main__":
    sys.exit(main())
