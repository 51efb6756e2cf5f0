"""`tf.compat.v1.flags` and `tf.compat.v1.app.run` against TF 2.21 (tools/record_v1_flags.py
-> tests/data/v1_flags_tf.json): the same tutorial-style scripts, run in fresh processes
with `import tfteach.v1 as tf`, print the same values, exit with the same status and fail
with the same exception class and message. Each script runs twice: over absl-py when it
is installed (as TF does), and over tfteach's own subset with absl made unimportable."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mode("none")     # flags are process-wide: scripts in subprocesses

ROOT = pathlib.Path(__file__).resolve().parents[1]
with open(ROOT / "tests" / "data" / "v1_flags_tf.json") as _f:
    TF = json.load(_f)

HEADERS = {"lite": "import sys; sys.modules['absl'] = None\nimport tfteach.v1 as tf\n"}
if importlib.util.find_spec("absl") is not None:
    HEADERS["absl"] = "import tfteach.v1 as tf\n"

RUNS = [(case, i) for case, c in TF["cases"].items() for i in range(len(c["runs"]))]


def _exception(stderr):
    lines = stderr.rstrip("\n").splitlines()
    if "Traceback (most recent call last):" not in lines:
        return None
    head, _, msg = lines[-1].partition(": ")
    return [head.rsplit(".", 1)[-1], msg]


def _own_stderr(stderr):
    out = []
    for line in stderr.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            break
        out.append(line)
    return out


def _run(source, argv, header, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(source.replace(TF["header"], header, 1))
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "script.py", *argv], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    return p


@pytest.mark.parametrize("impl", sorted(HEADERS))
@pytest.mark.parametrize("case,i", RUNS, ids=[f"{c}-{i}" for c, i in RUNS])
def test_script_runs_like_tf(case, i, impl, tmp_path):
    source = TF["cases"][case]["source"]
    want = TF["cases"][case]["runs"][i]
    p = _run(source, want["argv"], HEADERS[impl], tmp_path)
    got = {"stdout": p.stdout, "rc": p.returncode, "exception": _exception(p.stderr),
           "stderr": _own_stderr(p.stderr)}
    assert got == {k: want[k] for k in got}, p.stderr


def test_lite_is_used_without_absl(tmp_path):
    p = _run(TF["header"] + "print(tf.flags.USING_ABSL, tf.app.flags is tf.flags)\n", [],
             HEADERS["lite"], tmp_path)
    assert p.stdout == "False True\n", p.stderr


def test_lite_names_outside_the_subset_say_how_to_get_them(tmp_path):
    p = _run(TF["header"] + "tf.flags.DEFINE_enum_class\n", [], HEADERS["lite"], tmp_path)
    assert _exception(p.stderr) == [
        "AttributeError", "module 'tfteach.compat.flags' has no attribute "
        "'DEFINE_enum_class': absl-py is not installed and tfteach's own flags implement "
        "only the common part of absl.flags (pip install absl-py for all of it)"]


def test_lite_flag_values_in_process():
    """The subset's FlagValues on its own registry (not the process-wide FLAGS)."""
    from tfteach.compat import _flags_lite as fl
    fv = fl.FlagValues()
    fl.DEFINE_string("name", "a", "help", flag_values=fv)
    fl.DEFINE_multi_integer("k", [1], "several", flag_values=fv)
    fl.DEFINE_spaceseplist("words", "x y", "words", flag_values=fv)
    h = fl.DEFINE_float("rate", 0.5, "a rate", lower_bound=0.0, flag_values=fv)
    with pytest.raises(fl.UnparsedFlagAccessError,
                       match=r"^Trying to access flag --rate before flags were parsed\.$"):
        h.value
    assert fv(["p", "--k=2", "--k", "3", "--words=a b", "--nam=z", "rest"], known_only=True) \
        == ["p", "--nam=z", "rest"]
    assert (fv.name, fv.k, fv.words, h.value) == ("a", [2, 3], ["a", "b"], 0.5)
    with pytest.raises(fl.UnrecognizedFlagError,
                       match=r"^Unknown command line flag 'nam'\. Did you mean: name \?$"):
        fv(["p", "--nam=z"])
    with pytest.raises(fl.IllegalFlagValueError,
                       match=r"^flag --rate=-1: -1 is not a non-negative number$"):
        fv.rate = -1
    fv.unparse_flags()
    assert not fv.is_parsed() and fv["k"].value == [1]


def test_same_modules_in_the_tf2_namespace():
    """`tf.compat.v1.flags` / `.app` of `import tfteach as tf` are the TF1 namespace's (TF 2
    itself has no top-level tf.flags or tf.app). Nothing here reads a flag: that would
    parse pytest's own command line."""
    import tfteach
    import tfteach.compat.v1 as v1
    assert tfteach.compat.v1.flags is v1.flags and tfteach.compat.v1.app is v1.app
    assert callable(v1.app.run) and v1.app.flags is v1.flags
    for absent in ("flags", "app"):
        with pytest.raises(AttributeError):
            getattr(tfteach, absent)
