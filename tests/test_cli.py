"""The `tfteach` command and the repository contract around it (README commands, .ci/run)."""
import os
import re
import subprocess
import sys
from pathlib import Path

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
    lines = [line for line in script.splitlines() if line.startswith("apt-get")]
    assert len(lines) == 1
    assert lines[0] == blocks[1] + " || status=$?", "CI must run the README's test command verbatim"


def test_ci_exit_status_follows_the_test_command(tmp_path):
    """The status handling of .ci/run, with the test command swapped for `exit N`."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks, _ = readme_commands()
    for code in (0, 1, 5):
        fake = tmp_path / ("run%d" % code)
        fake.write_text(script.replace(blocks[1], "(exit %d)" % code).replace(
            'cd "$(dirname "$0")/.."', "cd %s" % tmp_path))
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
    assert (dest / "01_a.ipynb.bak-1").read_text() == "my answers"


def test_dry_run_copies_and_prints_the_jupyter_command(tmp_path, capsys):
    dest = tmp_path / "lessons-here"
    assert cli.main(["lessons", "--dir", str(dest), "--no-browser", "--port", "8899",
                     "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (dest / cli.LANDING).is_file()
    assert "jupyterlab" in out and "--no-browser" in out and "8899" in out
    assert "/lab/tree/00_index.ipynb" in out
    notebooks = sorted(p.name for p in dest.glob("*.ipynb"))
    assert notebooks == sorted(p.name for p in cli.lessons_source().glob("*.ipynb"))


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
    assert (tmp_path / "tfteach" / "cli.py").is_file()
    # the installed command finds them there
    found = subprocess.run([sys.executable, "-c", "from tfteach import cli; "
                            "print(cli.lessons_source())"], cwd=tmp_path, capture_output=True,
                           text=True, env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert found.stdout.strip() == str(shipped), found.stderr
