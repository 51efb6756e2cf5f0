"""The `tfteach` command and the repository contract around it (README commands, .ci/run)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tfteach import cli
import pytest

pytestmark = pytest.mark.mode("none")

ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = text.split("\n## ", 1)[0]
    return re.findall(r"```\n(.*?)\n```", first_screen, re.S), first_screen


def test_readme_first_screen_has_two_setup_commands_then_an_example():
    blocks, first_screen = readme_commands()
    assert len(blocks) == 2, "exactly two copy-paste set-up commands on the first screen"
    install_and_run, install_and_test = blocks
    for cmd in blocks:
        assert "\n" not in cmd, "one line each, so it copies as one command"
        assert cmd.startswith("apt-get update && apt-get install -y ")
        assert "graphviz" in cmd
    assert "'.[lessons]'" in install_and_run and install_and_run.endswith("tfteach lessons")
    assert "'.[test" in install_and_test and "pytest" in install_and_test
    assert "lessons --nbval" in install_and_test
    example = re.search(r"```python\n(.*?)\n```", first_screen, re.S)
    assert example, "a code example follows the commands"
    assert len(example.group(1).strip().splitlines()) <= 10


def test_ci_runs_exactly_the_readme_test_command():
    blocks, _ = readme_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert script.startswith("#!/usr/bin/env bash")
    # the line whose status CI reports (other set-up lines, e.g. the TF oracle's, may precede it)
    lines = [line for line in script.splitlines() if line.endswith(" || status=$?")]
    assert len(lines) == 1
    assert lines[0] == blocks[1] + " || status=$?", "CI must run the README's test command verbatim"


def test_ci_exit_status_follows_the_test_command(tmp_path):
    """The status handling of .ci/run, with the test command swapped for `exit N`."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks, _ = readme_commands()
    for code in (0, 1, 5):
        fake = tmp_path / ("run%d" % code)
        # no real installs: apt-get fails at once, so any other set-up chain stops there
        fake.write_text(script.replace(blocks[1], "(exit %d)" % code).replace(
            'cd "$(dirname "$0")/.."', "cd %s; apt-get() { return 1; }" % tmp_path))
        result = subprocess.run(["bash", str(fake)], capture_output=True, text=True)
        assert result.returncode == code, (code, result.stdout, result.stderr)


def test_lessons_source_is_the_repository_folder():
    src = cli.lessons_source()
    assert (src / cli.LANDING).is_file()


def test_list_shows_titles(capsys):
    assert cli.main(["lessons", "--list"]) == 0
    out = capsys.readouterr().out
    assert "00_index.ipynb" in out
    assert "tfteach lessons" in out  # the landing page's title


def test_copy_never_overwrites_an_edited_lesson(tmp_path):
    src = tmp_path / "shipped"
    src.mkdir()
    (src / "00_index.ipynb").write_text("v1")
    (src / "01_a.ipynb").write_text("a1")
    (src / "data").mkdir()
    (src / "data" / "corpus.txt").write_text("text")
    dest = tmp_path / "work"
    copied, kept, backed = cli.copy_lessons(src, dest, out=lambda *a: None)
    assert sorted(copied) == ["00_index.ipynb", "01_a.ipynb", os.path.join("data", "corpus.txt")]
    (dest / "01_a.ipynb").write_text("my answers")
    (src / "01_a.ipynb").write_text("a2")
    copied, kept, backed = cli.copy_lessons(src, dest, out=lambda *a: None)
    assert kept == ["01_a.ipynb"] and copied == [] and backed == []
    assert (dest / "01_a.ipynb").read_text() == "my answers"
    copied, kept, backed = cli.copy_lessons(src, dest, update=True, out=lambda *a: None)
    assert copied == ["01_a.ipynb"]
    assert (dest / "01_a.ipynb").read_text() == "a2"
    assert (dest / "01_a.bak-1.ipynb").read_text() == "my answers"
    (dest / "01_a.ipynb").write_text("more answers")
    (src / "01_a.ipynb").write_text("a3")
    copied, kept, backed = cli.copy_lessons(src, dest, update=True, out=lambda *a: None)
    assert backed == ["01_a.bak-2.ipynb"]      # the suffix stays last: JupyterLab opens it
    assert (dest / "01_a.bak-2.ipynb").read_text() == "more answers"



def test_a_new_release_replaces_copies_the_student_never_edited(tmp_path):
    """An unedited copy from an older release is refreshed without asking (and without a
    backup); an edited one is still kept."""
    src = tmp_path / "shipped"
    src.mkdir()
    (src / "01_a.ipynb").write_text("a1")
    (src / "02_b.ipynb").write_text("b1")
    dest = tmp_path / "work"
    cli.copy_lessons(src, dest, out=lambda *a: None)
    (dest / "02_b.ipynb").write_text("my answers")
    (src / "01_a.ipynb").write_text("a2")
    (src / "02_b.ipynb").write_text("b2")
    copied, kept, backed = cli.copy_lessons(src, dest, out=lambda *a: None)
    assert copied == ["01_a.ipynb"] and kept == ["02_b.ipynb"] and backed == []
    assert (dest / "01_a.ipynb").read_text() == "a2"
    assert (dest / "02_b.ipynb").read_text() == "my answers"
    assert sorted(p.name for p in dest.glob("*.ipynb")) == ["01_a.ipynb", "02_b.ipynb"]
    # a copy the student edited back to the shipped text is unedited again
    (dest / "02_b.ipynb").write_text("b2")
    cli.copy_lessons(src, dest, out=lambda *a: None)
    (src / "02_b.ipynb").write_text("b3")
    copied, kept, backed = cli.copy_lessons(src, dest, out=lambda *a: None)
    assert copied == ["02_b.ipynb"] and kept == [] and backed == []

@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    """A student's home: their own Jupyter secret and signature database, their config home."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("JUPYTERLAB_SETTINGS_DIR", raising=False)
    return tmp_path


def test_dry_run_copies_and_prints_the_jupyter_command(user_dirs, capsys):
    dest = user_dirs / "lessons-here"
    assert cli.main(["lessons", "--dir", str(dest), "--no-browser", "--port", "8899",
                     "--ip", "0.0.0.0", "--dry-run", "--", "--ServerApp.token=class42"]) == 0
    out = capsys.readouterr().out
    assert (dest / cli.LANDING).is_file()
    assert "jupyterlab" in out and "--no-browser" in out and "--port 8899" in out
    assert "--ip 0.0.0.0" in out and out.strip().endswith("--ServerApp.token=class42")
    assert "/lab/tree/00_index.ipynb" in out
    notebooks = sorted(p.name for p in dest.glob("*.ipynb"))
    assert notebooks == sorted(p.name for p in cli.lessons_source().glob("*.ipynb"))


def test_lessons_server_has_no_news_popup(user_dirs, capsys):
    settings = user_dirs / "config" / "tfteach" / "lab-settings"
    assert cli.main(["lessons", "--dir", str(user_dirs / "w"), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert out.startswith("JUPYTERLAB_SETTINGS_DIR=%s " % settings), out
    path = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    assert json.loads(path.read_text()) == {"fetchNews": "false", "checkForUpdates": False}
    assert cli.jupyter_env({})["JUPYTERLAB_SETTINGS_DIR"] == str(settings)
    # a student's own choice there is kept, and a settings folder they set is theirs
    path.write_text('{"fetchNews": "true"}')
    cli.jupyter_env({})
    assert path.read_text() == '{"fetchNews": "true"}'
    env = cli.jupyter_env({"JUPYTERLAB_SETTINGS_DIR": "/somewhere/else"})
    assert env["JUPYTERLAB_SETTINGS_DIR"] == "/somewhere/else"


def test_copies_are_trusted_on_first_open(user_dirs):
    """The copies are signed with the student's own Jupyter secret, so JupyterLab shows their
    stored drawings and widgets; an edited copy is not signed by us."""
    nbformat = pytest.importorskip("nbformat")
    from nbformat.sign import NotebookNotary
    dest = user_dirs / "w"
    cli.copy_lessons(cli.lessons_source(), dest, out=lambda *a: None)
    notary = NotebookNotary()
    assert notary.data_dir == str(user_dirs / "jupyter-data")
    lesson = dest / "02_graphs_ops_tensors.ipynb"
    nb = nbformat.read(str(lesson), as_version=4)
    assert any(o.get("data", {}).get("image/svg+xml") for c in nb.cells
               for o in c.get("outputs", [])), "lesson 02 stores drawings"
    for path in dest.glob("*.ipynb"):
        assert notary.check_signature(nbformat.read(str(path), as_version=4)), path.name
    # another secret (another user) does not trust them: the signature is the student's
    (user_dirs / "other-user").mkdir()
    other = NotebookNotary(data_dir=str(user_dirs / "other-user"))
    assert not other.check_signature(nb)
    # an edited copy is kept and left alone
    nb.cells[0].source += "\nmy note"
    nbformat.write(nb, str(lesson))
    cli.copy_lessons(cli.lessons_source(), dest, out=lambda *a: None)
    assert not notary.check_signature(nbformat.read(str(lesson), as_version=4))


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"tfteach \d+\.\d+\.\d+\S*", out), out


def test_test_lessons_without_pytest_says_what_to_install(monkeypatch, capsys):
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("pytest", "nbval") else real(name, *a))
    monkeypatch.setattr(cli.subprocess, "call", lambda *a, **k: pytest.fail("ran pytest"))
    assert cli.main(["test-lessons"]) == 1
    err = capsys.readouterr().err
    assert "pytest and nbval" in err and "pip install 'tfteach[lessons]'" in err


def _binder_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location("binder_requirements",
                                                  ROOT / "tools" / "binder_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _names(requirements):
    return {re.match(r"[A-Za-z0-9_.\-]+", r).group(0).lower() for r in requirements}


def test_lessons_extra_can_run_test_lessons():
    """`tfteach test-lessons` works after the lessons install: the extra carries its tools,
    and the NumPy whose reprs the stored outputs show."""
    tool = _binder_tool()
    lessons = tool.requirements()
    assert {"pytest", "nbval", "numpy", "h5py", "graphviz", "jupyterlab"} <= _names(lessons)
    assert "numpy>=2.0,<2.5" in lessons


def test_binder_requirements_are_generated_and_current(monkeypatch):
    tool = _binder_tool()
    assert tool.main(["--check"]) == 0, "run python3 tools/binder_requirements.py"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    expected = tool.requirements(text)
    monkeypatch.setitem(sys.modules, "tomllib", None)    # Python 3.10: the fallback parser
    assert tool.requirements(text) == expected
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")
    post = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert "|| true" not in post and "set -euo pipefail" in post
    assert "jupyter trust" in post


def test_binder_link_is_built_from_the_remote():
    import importlib.util
    spec = importlib.util.spec_from_file_location("binder_link", ROOT / "tools" / "binder_link.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for url in ("https://github.com/ada/tfteach.git", "git@github.com:ada/tfteach.git",
                "https://github.com/ada/tfteach", "ssh://git@github.com/ada/tfteach.git\n"):
        assert tool.github_repo(url) == "ada/tfteach", url
    assert tool.github_repo("https://gitlab.com/ada/tfteach.git") is None
    assert tool.launch_url("ada/tfteach") == (
        "https://mybinder.org/v2/gh/ada/tfteach/HEAD?urlpath=lab/tree/lessons/00_index.ipynb")
    for path in ("README.md", "binder/README.md"):
        assert "OWNER" not in (ROOT / path).read_text(encoding="utf-8"), path


def test_console_script_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'tfteach = "tfteach.cli:main"' in text


def test_unknown_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "lessons" in capsys.readouterr().out


def test_build_step_puts_the_lessons_in_the_package(tmp_path):
    """setup.py's build_py copies lessons/ into tfteach/lessons_data (what a wheel ships)."""
    result = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    shipped = tmp_path / "tfteach" / "lessons_data"
    expected = {p.name for p in (ROOT / "lessons").glob("*.ipynb")}
    assert expected and expected <= {p.name for p in shipped.glob("*.ipynb")}
    assert (shipped / "data" / "corpus.txt").is_file()
    assert (shipped / "guides.yml").is_file()       # the teacher build's guides
    assert (tmp_path / "tfteach" / "cli.py").is_file()
    # the installed command finds them there
    found = subprocess.run([sys.executable, "-c", "from tfteach import cli; "
                            "print(cli.lessons_source())"], cwd=tmp_path, capture_output=True,
                           text=True, env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert found.stdout.strip() == str(shipped), found.stderr
