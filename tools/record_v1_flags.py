"""Records what TensorFlow 2.21's `tf.compat.v1.flags` / `tf.compat.v1.app.run` do in small
tutorial-style scripts, for tests/test_v1_flags.py.

Each case is a script (its first line imports TF as `tf`; the test swaps in
`import tfteach.v1 as tf`) and the command lines it is run with. For each run the JSON keeps
stdout, the exit status, the lines of stderr the script itself writes (warnings, sys.exit
messages) and, when it ends in an exception, that exception's class name and message.

Run with the TensorFlow oracle (never imported by tfteach), seconds per run:
    /work/tfenv/bin/python tools/record_v1_flags.py   # writes tests/data/v1_flags_tf.json
"""
import json
import os
import subprocess
import sys
import tempfile

HEADER = "import tensorflow.compat.v1 as tf\n"

TUTORIAL = HEADER + '''\
flags = tf.app.flags
flags.DEFINE_string("s", "dflt", "a string")
flags.DEFINE_integer("i", 1, "an int", lower_bound=0)
flags.DEFINE_float("f", 0.25, "a float")
flags.DEFINE_boolean("b", False, "a bool")
flags.DEFINE_list("l", ["x"], "a list")
flags.DEFINE_enum("e", "red", ["red", "green"], "an enum")
FLAGS = flags.FLAGS


def main(argv):
    print(repr(argv[1:]), repr(FLAGS.s), FLAGS.i, FLAGS.f, FLAGS.b, FLAGS.l, FLAGS.e)


if __name__ == "__main__":
    tf.app.run()
'''

CASES = {
    "tutorial": (TUTORIAL, [
        [], ["--s=hi", "--i", "3", "--f=0.5", "--b", "--l=a,b", "--e=green", "pos1"],
        ["--unknown=1", "pos", "--s", "x"], ["--i=abc"], ["--i=-1"], ["--i=0x10"],
        ["--e=blue"], ["--nob", "--b=false"], ["--b=T"], ["-s=one", "-i=4"],
        ["--s=a", "--", "--i=9"], ["--b=maybe"], ["--s"], ["--f=x"], ["--l= a , b"],
        ["--l="], ["--nob=1"], ["--help"], ["--helpshort"], ["-", "--s=z"]]),
    # reading a flag before anything parsed: tf.flags.FLAGS parses sys.argv then
    "implicit_parse": (HEADER + '''\
tf.flags.DEFINE_string("s", "dflt", "a string")
print(tf.flags.FLAGS.is_parsed())
print(tf.flags.FLAGS.s)
print(tf.flags.FLAGS.is_parsed())
''', [[], ["--s=x", "rest"], ["--s=x", "--bogus=1"], ["--strin=1"]]),
    "undefined_name": (HEADER + '''\
tf.flags.DEFINE_string("s", "dflt", "a string")
tf.flags.FLAGS(["prog"])
print("s" in tf.flags.FLAGS, "nope" in tf.flags.FLAGS)
tf.flags.FLAGS.nope
''', [[]]),
    "set_and_call": (HEADER + '''\
F = tf.flags.FLAGS
tf.flags.DEFINE_integer("n", 2, "a number")
print(F(["prog", "--n=5", "x", "y"]))
F.n = 7
print(F.n, F["n"].value, F["n"].default, F["n"].present)
F(["prog", "--n=1", "--zzz"])
''', [[]]),
    "set_unknown": (HEADER + '''\
tf.flags.DEFINE_integer("n", 2, "a number")
tf.flags.FLAGS(["prog"])
tf.flags.FLAGS.m = 3
''', [[]]),
    "duplicate": (HEADER + '''\
tf.flags.DEFINE_string("s", "a", "first")
tf.flags.DEFINE_string("s", "b", "second")
''', [[]]),
    "old_keywords": (HEADER + '''\
tf.flags.DEFINE_string(flag_name="s", default_value="v", docstring="d")
tf.flags.DEFINE_integer(flag_name="k", default_value=4, docstring="d")
tf.flags.FLAGS(["prog"])
print(tf.flags.FLAGS.s, tf.flags.FLAGS.k)
''', [[]]),
    "explicit_argv": (HEADER + '''\
tf.app.flags.DEFINE_integer("i", 1, "an int")


def main(argv):
    print(argv, tf.app.flags.FLAGS.i)


tf.app.run(main=main, argv=["prog", "--i=5", "rest", "--other"])
''', [["--i=9"]]),
    "main_returns": (HEADER + '''\
import sys


def main(argv):
    return int(argv[1]) if argv[1].isdigit() else argv[1]


tf.app.run()
''', [["0"], ["3"], ["bye"]]),
    "required": (HEADER + '''\
tf.flags.DEFINE_string("data_dir", None, "where the data is")
tf.flags.mark_flag_as_required("data_dir")


def main(argv):
    print(tf.flags.FLAGS.data_dir)


tf.app.run(main)
''', [[], ["--data_dir=data/d"]]),
    "short_name": (HEADER + '''\
tf.flags.DEFINE_integer("batch_size", 32, "batch", short_name="b")
tf.flags.DEFINE_bool("train", True, "train?")


def main(argv):
    print(tf.flags.FLAGS.batch_size, tf.flags.FLAGS.b, tf.flags.FLAGS.train)


tf.app.run(main)
''', [["-b", "8", "--notrain"], ["--batch_size=4", "--train=0"]]),
    "bad_default": (HEADER + '''\
tf.flags.DEFINE_integer("z", "abc", "an int")
''', [[]]),
    "bounds": (HEADER + '''\
tf.flags.DEFINE_integer("a", 1, "", lower_bound=1)
tf.flags.DEFINE_integer("c", 1, "", lower_bound=0, upper_bound=3)
tf.flags.DEFINE_integer("d", 1, "", upper_bound=5)
tf.flags.DEFINE_float("r", 0.5, "", lower_bound=0.0, upper_bound=1.0)
tf.flags.DEFINE_float("q", 0.5, "", lower_bound=0)


def main(argv):
    print(tf.flags.FLAGS.a, tf.flags.FLAGS.c, tf.flags.FLAGS.r)


tf.app.run(main)
''', [["--a=0"], ["--c=4"], ["--d=6"], ["--r=1.5"], ["--q=-1"], ["--a=2", "--c=3", "--r=1"]]),
    "holders": (HEADER + '''\
H = tf.flags.DEFINE_string("s", "dflt", "a string")
print(type(H).__name__, H.name, H.default)
try:
    H.value
except Exception as e:
    print(type(e).__name__, e)
tf.flags.FLAGS(["prog", "--s=v"])
print(H.value, H.present)
''', [[]]),
}


def _exception(stderr):
    """The last traceback line, `Class: message`, reduced to the class's own name."""
    lines = stderr.rstrip("\n").splitlines()
    if "Traceback (most recent call last):" not in lines:
        return None
    last = lines[-1]
    head, _, msg = last.partition(": ")
    return [head.rsplit(".", 1)[-1], msg]


def _own_stderr(stderr):
    """stderr without TF's start-up lines and without the traceback."""
    out = []
    for line in stderr.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            break
        if any(k in line for k in ("oneDNN", "cpu_feature_guard", "absl::InitializeLog",
                                   "To enable the following instructions")):
            continue
        out.append(line)
    return out


def run_script(python, source, argv, header=HEADER, env=None):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "script.py")
        with open(path, "w") as f:
            f.write(source if header == HEADER else source.replace(HEADER, header, 1))
        p = subprocess.run([python, "script.py"] + argv, cwd=d, capture_output=True,
                           text=True, env=env, timeout=120)
    return {"stdout": p.stdout, "rc": p.returncode, "stderr": _own_stderr(p.stderr),
            "exception": _exception(p.stderr)}


def main(path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    import tensorflow as tf  # only for its version
    out = {"tensorflow": tf.__version__, "header": HEADER, "cases": {}}
    for name, (source, argvs) in CASES.items():
        runs = [{"argv": argv, **run_script(sys.executable, source, argv, env=env)}
                for argv in argvs]
        out["cases"][name] = {"source": source, "runs": runs}
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(__file__), "..", "tests", "data", "v1_flags_tf.json"))
