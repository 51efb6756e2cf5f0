"""The `tfteach` command: open the lessons in JupyterLab.

    tfteach lessons [--dir DIR] [--no-browser] [--port N] [--update] [--dry-run]
    tfteach lessons --list
    tfteach test-lessons [--dir DIR] [pytest args...]

`tfteach lessons` copies the notebooks shipped with the package into a working folder
(default `~/tfteach-lessons`) and starts JupyterLab on the landing page. A student's edits are
precious: a notebook that already exists in the working folder and differs from the shipped one
is never overwritten unless `--update` is given, and even then the old copy is kept beside it
as `NAME.ipynb.bak-N`.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

LANDING = "00_index.ipynb"
DEFAULT_DIR = "~/tfteach-lessons"


def lessons_source():
    """Folder holding the shipped lessons.

    A wheel carries them inside the package (`tfteach/lessons_data`, copied there by
    setup.py's build step); a source checkout or editable install reads the repository's
    `lessons/` folder directly, so a teacher editing lessons sees the change at once.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "lessons_data", here.parent / "lessons"):
        if (candidate / LANDING).is_file():
            return candidate
    raise SystemExit("tfteach: no lessons found (looked in %s and %s)"
                     % (here / "lessons_data", here.parent / "lessons"))


def lesson_files(src):
    """Shipped files to copy: notebooks, plus any data folder the lessons read."""
    files = sorted(p for p in src.glob("*.ipynb"))
    data = src / "data"
    if data.is_dir():
        files += sorted(p for p in data.rglob("*") if p.is_file())
    return files


def lesson_title(path):
    """First heading of a notebook's first markdown cell."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", ""))
            for line in text.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
            return ""
    return ""


def copy_lessons(src, dest, update=False, out=print):
    """Copy lessons into `dest`; return (copied, kept, backed_up) lists of relative paths."""
    copied, kept, backed_up = [], [], []
    dest.mkdir(parents=True, exist_ok=True)
    for path in lesson_files(src):
        rel = path.relative_to(src)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            if filecmp.cmp(path, target, shallow=False):
                continue
            if not update:
                kept.append(str(rel))
                continue
            n = 1
            while target.with_name(target.name + ".bak-%d" % n).exists():
                n += 1
            backup = target.with_name(target.name + ".bak-%d" % n)
            shutil.copy2(target, backup)
            backed_up.append(str(backup.relative_to(dest)))
        shutil.copy2(path, target)
        copied.append(str(rel))
    if copied:
        out("tfteach: copied %d file(s) into %s" % (len(copied), dest))
    if kept:
        out("tfteach: kept your edited copies of %s (run with --update to refresh them; "
            "your version is then saved as NAME.bak-N)" % ", ".join(kept))
    if backed_up:
        out("tfteach: your previous versions were saved as %s" % ", ".join(backed_up))
    return copied, kept, backed_up


def jupyter_command(dest, no_browser=False, port=None):
    cmd = [sys.executable, "-m", "jupyterlab", "--notebook-dir", str(dest),
           "--LabApp.default_url=/lab/tree/" + LANDING]
    if no_browser:
        cmd.append("--no-browser")
    if port:
        cmd += ["--port", str(port)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to start as root unless told; a fresh container often is root.
        cmd.append("--allow-root")
    return cmd


def cmd_lessons(args):
    src = lessons_source()
    if args.list:
        for path in sorted(src.glob("*.ipynb")):
            print("%-40s %s" % (path.name, lesson_title(path)))
        return 0
    dest = Path(os.path.expanduser(args.dir)).resolve()
    copy_lessons(src, dest, update=args.update)
    cmd = jupyter_command(dest, no_browser=args.no_browser, port=args.port)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        print("tfteach: JupyterLab is not installed; install the lessons extra: "
              "pip install 'tfteach[lessons]'", file=sys.stderr)
        return 1
    print("tfteach: opening %s in JupyterLab (Ctrl+C to stop)" % (dest / LANDING))
    try:
        return subprocess.call(cmd, cwd=str(dest))
    except KeyboardInterrupt:
        return 0


def cmd_test_lessons(args, extra):
    """Run the shipped (or copied) lessons under nbval: what CI checks, on a student's machine."""
    src = Path(os.path.expanduser(args.dir)).resolve() if args.dir else lessons_source()
    cmd = [sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", str(src)]
    sanitize = src / "nbval_sanitize.cfg"
    if sanitize.is_file():
        cmd += ["--nbval-sanitize-with", str(sanitize)]
    return subprocess.call(cmd + list(extra))


def build_parser():
    parser = argparse.ArgumentParser(prog="tfteach", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("lessons", help="copy the lessons to a working folder and open JupyterLab")
    p.add_argument("--dir", default=DEFAULT_DIR,
                   help="working folder for your copies (default: %(default)s)")
    p.add_argument("--list", action="store_true", help="list the lessons and exit")
    p.add_argument("--no-browser", action="store_true", help="start JupyterLab without a browser")
    p.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    p.add_argument("--update", action="store_true",
                   help="replace edited copies with the shipped lessons (old copies kept as .bak-N)")
    p.add_argument("--dry-run", action="store_true",
                   help="copy the lessons and print the Jupyter command instead of running it")
    t = sub.add_parser("test-lessons", help="run the lessons top to bottom under pytest --nbval")
    t.add_argument("--dir", default=None, help="lessons folder (default: the shipped lessons)")
    return parser


def main(argv=None):
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "lessons":
        if extra:
            parser.error("unrecognized arguments: %s" % " ".join(extra))
        return cmd_lessons(args)
    if args.command == "test-lessons":
        return cmd_test_lessons(args, extra)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
