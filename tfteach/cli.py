"""The `tfteach` command: open the lessons in JupyterLab.

    tfteach lessons [--teacher] [--dir DIR] [--no-browser] [--ip ADDR] [--port N] [--update]
                    [--dry-run] [-- JUPYTER OPTIONS...]
    tfteach lessons [--teacher] --reset NN [NN...]
    tfteach lessons --nbgrader COURSE
    tfteach lessons --list
    tfteach test-lessons [--dir DIR] [pytest args...]
    tfteach --version

`tfteach lessons` copies the notebooks shipped with the package into a working folder
(default `~/tfteach-lessons`) and starts JupyterLab on the landing page. A student's edits are
precious: a notebook that already exists in the working folder and differs from the shipped one
is never overwritten unless `--update` is given, and even then the old copy is kept beside it
as `NAME.bak-N.ipynb` (a name JupyterLab still opens as a notebook); `--reset NN` puts one
lesson back the same way.

The copies are the *student build* (no solutions; exercise outputs cleared); `--teacher` writes
the *teacher build* (solutions, and a guide per lesson) into `~/tfteach-teacher`, and
`--nbgrader COURSE` the lessons as nbgrader assignments (see tfteach.classroom).

The copies are signed with the user's Jupyter secret (nbformat's notary), as `jupyter trust`
would: the stored drawings (SVG) and widget views of a lesson are shown when it first opens,
instead of the text JupyterLab shows for untrusted output.
"""
import argparse
import filecmp
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

LANDING = "00_index.ipynb"
DEFAULT_DIR = "~/tfteach-lessons"
TEACHER_DIR = "~/tfteach-teacher"
# JupyterLab's "news" and update-check pop-up covers a lesson on first open and asks a student a
# question they cannot answer; the lessons server starts with these settings (see lab_settings_dir).
NOTIFICATION_SETTINGS = ("@jupyterlab", "apputils-extension", "notification.jupyterlab-settings")
NOTIFICATION_DEFAULTS = {"fetchNews": "false", "checkForUpdates": False}


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


SHIPPED = ".tfteach-shipped.json"


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _read_shipped(dest):
    """{relative path: sha256} of the files tfteach last wrote into `dest`: a copy that still
    has that digest was never edited, so a newer release may replace it without asking."""
    try:
        with open(dest / SHIPPED) as f:
            got = json.load(f)
        return got if isinstance(got, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_shipped(dest, shipped):
    target = dest / SHIPPED
    if not _writable_inside(dest, target):
        return
    tmp = target.with_name(SHIPPED + ".tmp")
    tmp.write_text(json.dumps(shipped, indent=1, sort_keys=True))
    os.replace(tmp, target)


def copy_lessons(src, dest, update=False, out=print, render=None):
    """Copy lessons into `dest`; return (copied, kept, backed_up) lists of relative paths.

    `render(path)` gives the bytes to write for a shipped notebook (the student or teacher
    build, see tfteach.classroom); without it files are copied as they are."""
    copied, kept, backed_up = [], [], []
    dest.mkdir(parents=True, exist_ok=True)
    refused = []
    contents = {}
    shipped = _read_shipped(dest)
    for path in lesson_files(src):
        rel = path.relative_to(src)
        target = dest / rel
        if not _writable_inside(dest, target):
            refused.append(str(rel))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = render(path) if render and path.suffix == ".ipynb" else path.read_bytes()
        if path.suffix == ".ipynb":
            contents[path.name] = data
        if target.exists():
            old = target.read_bytes()
            if old == data:
                shipped[str(rel)] = _digest(data)
                continue
            unedited = shipped.get(str(rel)) == _digest(old)   # an older release's copy
            if not update and not unedited:
                kept.append(str(rel))
                continue
            if not unedited:
                backup = backup_name(target)
                if not _writable_inside(dest, backup):
                    refused.append(str(rel))
                    continue
                shutil.copy2(target, backup)
                backed_up.append(str(backup.relative_to(dest)))
        target.write_bytes(data)
        shutil.copystat(path, target)
        shipped[str(rel)] = _digest(data)
        copied.append(str(rel))
    _write_shipped(dest, shipped)
    if copied:
        out("tfteach: copied %d file(s) into %s" % (len(copied), dest))
    if kept:
        out("tfteach: kept your edited copies of %s (run with --update to refresh them, or "
            "--reset NN for one lesson; your version is then saved as NAME.bak-N.ipynb)"
            % ", ".join(kept))
    if backed_up:
        out("tfteach: your previous versions were saved as %s" % ", ".join(backed_up))
    if refused:
        out("tfteach: left alone %s: a symbolic link there would make tfteach write outside "
            "%s (remove the link to get the lesson)" % (", ".join(refused), dest))
    trust_lessons(src, dest, contents)
    return copied, kept, backed_up


def find_lesson(src, wanted):
    """The shipped notebook a student means by `05`, `5`, `05_variables_state` or its file
    name."""
    wanted = wanted.strip()
    if wanted.isdigit():
        wanted = "%02d" % int(wanted)
    for path in sorted(src.glob("*.ipynb")):
        if wanted in (path.name, path.stem) or path.name[:2] == wanted:
            return path
    raise SystemExit("tfteach: no lesson %r (tfteach lessons --list shows them)" % wanted)


def reset_lessons(src, dest, wanted, render, out=print):
    """Put the shipped version of each lesson in `wanted` back in `dest`. A copy that differs is
    first saved as NAME.bak-N.ipynb (never lost); returns [(lesson, backup or None)]."""
    done = []
    dest.mkdir(parents=True, exist_ok=True)
    for w in wanted:
        path = find_lesson(src, w)
        target = dest / path.name
        if not _writable_inside(dest, target):
            raise SystemExit("tfteach: %s is a symbolic link; tfteach does not write through it"
                             % target)
        data = render(path)
        backup = None
        if target.exists():
            if target.read_bytes() == data:
                out("tfteach: %s is already the shipped version" % path.name)
                done.append((path.name, None))
                continue
            backup = backup_name(target)
            shutil.copy2(target, backup)
        target.write_bytes(data)
        shipped = _read_shipped(dest)
        shipped[path.name] = _digest(data)
        _write_shipped(dest, shipped)
        out("tfteach: %s reset to the shipped version%s" % (
            path.name, "; your copy was saved as %s" % backup.name if backup else ""))
        done.append((path.name, backup.name if backup else None))
    trust_lessons(src, dest, {p: render(src / p) for p, _ in done})
    return done


def _writable_inside(dest, target):
    """False when writing `target` would follow a symbolic link (the file itself, dangling or
    not, or a folder between `dest` and it): the lessons folder may hold links a student or
    someone else made, and tfteach never writes through them."""
    base = os.path.realpath(dest)
    p = target
    while True:
        if os.path.islink(p):
            return False
        parent = p.parent
        if parent == p or os.path.realpath(parent) == base or parent == dest:
            break
        p = parent
    real = os.path.realpath(target)
    return real == base or real.startswith(base + os.sep)


def backup_name(target):
    """`NAME.bak-N.ipynb`, first free N: the suffix stays last, so JupyterLab opens a backup as
    a notebook (it would show `NAME.ipynb.bak-N` as an unknown file)."""
    n = 1
    while True:
        backup = target.with_name("%s.bak-%d%s" % (target.stem, n, target.suffix))
        if not backup.exists():
            return backup
        n += 1


def trust_lessons(src, dest, contents=None):
    """Sign every notebook in `dest` that is the shipped lesson (in `contents`, the build
    written there, when given) unchanged, with the user's
    Jupyter secret (what `jupyter trust` does). Jupyter shows HTML, SVG and widget outputs of
    an unsigned notebook as text until it is re-run; the shipped outputs are ours, and the
    student installed them, so they are trusted on first open. A student's edited copy is left
    as it is (Jupyter signs it itself whenever the student saves it). Returns the signed names."""
    try:
        import nbformat
        from nbformat.sign import NotebookNotary
    except ImportError:
        return []       # no Jupyter installed: nothing will display them anyway
    notary = NotebookNotary()
    os.makedirs(notary.data_dir, exist_ok=True)     # a fresh account has no Jupyter folder yet
    signed = []
    for path in sorted(src.glob("*.ipynb")):
        target = dest / path.name
        if not target.is_file():
            continue
        shipped = (contents or {}).get(path.name)
        if (target.read_bytes() != shipped if shipped is not None
                else not filecmp.cmp(path, target, shallow=False)):
            continue
        try:
            nb = nbformat.read(str(target), as_version=4)
        except (OSError, ValueError):
            continue        # not a notebook nbformat reads: nothing Jupyter would trust
        if not notary.check_signature(nb):
            notary.sign(nb)
        signed.append(path.name)
    return signed


def lab_settings_dir():
    """JupyterLab settings folder for the lessons server, seeded with the notification settings
    that turn the news pop-up off. Kept apart from the user's own JupyterLab settings
    (`$XDG_CONFIG_HOME/tfteach/lab-settings`); a student's later changes there are kept."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    settings = Path(base) / "tfteach" / "lab-settings"
    path = settings.joinpath(*NOTIFICATION_SETTINGS)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(NOTIFICATION_DEFAULTS, indent=2) + "\n", encoding="utf-8")
    return settings


def jupyter_env(environ=None):
    """The lessons server's environment: the user's, plus JUPYTERLAB_SETTINGS_DIR (unless the
    user set one: then theirs is used as it is)."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("JUPYTERLAB_SETTINGS_DIR"):
        env["JUPYTERLAB_SETTINGS_DIR"] = str(lab_settings_dir())
    return env


def jupyter_command(dest, no_browser=False, port=None, ip=None, jupyter_args=()):
    cmd = [sys.executable, "-m", "jupyterlab", "--notebook-dir", str(dest),
           "--LabApp.default_url=/lab/tree/" + LANDING]
    if no_browser:
        cmd.append("--no-browser")
    if ip:
        cmd += ["--ip", str(ip)]
    if port:
        cmd += ["--port", str(port)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to start as root unless told; a fresh container often is root.
        cmd.append("--allow-root")
    return cmd + list(jupyter_args)


def lesson_builder(src, build):
    """render(path) -> bytes of a shipped notebook in the student or teacher build."""
    from . import classroom
    guides = classroom.load_guides(src) if build == "teacher" else None
    return lambda path: classroom.render(path, build, guides)


def write_nbgrader_course(src, course, out=print):
    """An nbgrader course folder: `source/NN_name/NN_name.ipynb` (+ the lessons' data folder)
    for each lesson with exercises, and an nbgrader_config.py. Existing files are kept."""
    import nbformat
    from . import classroom
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(classroom.NBGRADER_CONFIG, encoding="utf-8")
    written = []
    for path in sorted(src.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        if not any(c.get("id") == "solutions-code" for c in nb.cells):
            continue
        folder = course / "source" / path.stem
        target = folder / path.name
        if target.exists():
            out("tfteach: kept %s (delete it to write it again)" % target)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.from_dict(classroom.nbgrader_source(nb)), str(target))
        if (src / "data").is_dir():
            shutil.copytree(src / "data", folder / "data", dirs_exist_ok=True)
        written.append(path.stem)
    out("tfteach: wrote %d nbgrader assignment(s) under %s; then, in that folder: "
        "nbgrader generate_assignment NN_name, release, collect, nbgrader autograde NN_name"
        % (len(written), course / "source"))
    return written


def cmd_lessons(args):
    src = lessons_source()
    if args.list:
        for path in sorted(src.glob("*.ipynb")):
            print("%-40s %s" % (path.name, lesson_title(path)))
        return 0
    if args.nbgrader:
        write_nbgrader_course(src, Path(os.path.expanduser(args.nbgrader)).resolve())
        return 0
    build = "teacher" if args.teacher else "student"
    folder = args.dir or (TEACHER_DIR if args.teacher else DEFAULT_DIR)
    dest = Path(os.path.expanduser(folder)).resolve()
    render = lesson_builder(src, build)
    if args.reset:
        reset_lessons(src, dest, args.reset, render)
        return 0
    copy_lessons(src, dest, update=args.update, render=render)
    cmd = jupyter_command(dest, no_browser=args.no_browser, port=args.port, ip=args.ip,
                          jupyter_args=args.jupyter_args)
    env = jupyter_env()
    if args.dry_run:
        print("JUPYTERLAB_SETTINGS_DIR=%s %s" % (env["JUPYTERLAB_SETTINGS_DIR"], " ".join(cmd)))
        return 0
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        print("tfteach: JupyterLab is not installed; install the lessons extra: "
              "pip install 'tfteach[lessons]'", file=sys.stderr)
        return 1
    print("tfteach: opening %s in JupyterLab (Ctrl+C to stop)" % (dest / LANDING))
    try:
        return subprocess.call(cmd, cwd=str(dest), env=env)
    except KeyboardInterrupt:
        return 0


def cmd_test_lessons(args, extra):
    """Run the shipped (or copied) lessons under nbval: what CI checks, on a student's machine."""
    src = Path(os.path.expanduser(args.dir)).resolve() if args.dir else lessons_source()
    missing = [name for name in ("pytest", "nbval") if importlib.util.find_spec(name) is None]
    if missing:
        print("tfteach: test-lessons needs %s, which %s not installed in this Python (%s): "
              "pip install 'tfteach[lessons]' (or pip install pytest nbval)"
              % (" and ".join(missing), "is" if len(missing) == 1 else "are", sys.executable),
              file=sys.stderr)
        return 1
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p",
           "no:cacheprovider", str(src)]
    sanitize = src / "nbval_sanitize.cfg"
    if sanitize.is_file():
        cmd += ["--nbval-sanitize-with", str(sanitize)]
    return subprocess.call(cmd + list(extra))


def build_parser():
    parser = argparse.ArgumentParser(prog="tfteach", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version="tfteach " + _version())
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("lessons", help="copy the lessons to a working folder and open JupyterLab")
    p.add_argument("--dir", default=None,
                   help="working folder for your copies (default: %s, or %s with --teacher)"
                        % (DEFAULT_DIR, TEACHER_DIR))
    p.add_argument("--teacher", action="store_true",
                   help="the teacher build: solutions kept, a guide per lesson (goals, timings, "
                        "common mistakes, answers)")
    p.add_argument("--reset", nargs="+", metavar="NN",
                   help="put these lessons back as shipped (your copy is kept as "
                        "NAME.bak-N.ipynb) and exit")
    p.add_argument("--nbgrader", metavar="COURSE",
                   help="write the lessons as nbgrader assignments into COURSE/source and exit")
    p.add_argument("--list", action="store_true", help="list the lessons and exit")
    p.add_argument("--no-browser", action="store_true", help="start JupyterLab without a browser")
    p.add_argument("--ip", default=None,
                   help="address JupyterLab listens on (e.g. 0.0.0.0 to serve a class from "
                        "this machine; default: localhost only)")
    p.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    p.add_argument("--update", action="store_true",
                   help="replace edited copies with the shipped lessons (old copies kept as "
                        "NAME.bak-N.ipynb)")
    p.add_argument("--dry-run", action="store_true",
                   help="copy the lessons and print the Jupyter command instead of running it")
    t = sub.add_parser("test-lessons", help="run the lessons top to bottom under pytest --nbval")
    t.add_argument("--dir", default=None, help="lessons folder (default: the shipped lessons)")
    return parser


def _version():
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("tfteach")
    except (ImportError, PackageNotFoundError):
        from . import __version__      # a source checkout that was never installed
        return __version__


def main(argv=None):
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # everything after `--` goes to JupyterLab as it is (e.g. -- --ServerApp.token=SECRET)
    jupyter_args = []
    if "--" in argv:
        cut = argv.index("--")
        argv, jupyter_args = argv[:cut], argv[cut + 1:]
    args, extra = parser.parse_known_args(argv)
    if args.command == "lessons":
        if extra:
            parser.error("unrecognized arguments: %s (options for JupyterLab go after `--`)"
                         % " ".join(extra))
        args.jupyter_args = jupyter_args
        return cmd_lessons(args)
    if jupyter_args:
        extra = extra + ["--"] + jupyter_args
    if args.command == "test-lessons":
        return cmd_test_lessons(args, extra)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
