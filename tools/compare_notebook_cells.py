"""Runs a notebook's code cells in order, in one namespace, with TensorFlow or with tfteach
(only the import line changed), and compares the two runs cell by cell: same status (ok /
error class) and same printed output (addresses masked).

    /work/tfenv/bin/python tools/compare_notebook_cells.py run tf NB.ipynb > tf.json
    python tools/compare_notebook_cells.py run tfteach NB.ipynb > tt.json
    python tools/compare_notebook_cells.py compare tf.json tt.json [--autograph]

`--autograph` counts only cells that define or convert a tf.function with Python control
flow (an indented `if`/`for`/`while` line). The notebooks themselves (e.g. tensorflow/docs'
guides) are read from wherever they were fetched; nothing of them is kept here.
"""
import contextlib
import io
import json
import linecache
import re
import sys


def run(which, path):
    nb = json.load(open(path))
    ns = {"__name__": "__main__"}
    out = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        src = "\n".join(line for line in "".join(c["source"]).splitlines()
                        if not line.strip().startswith(("!", "%", "pip ")))
        if which == "tfteach":
            src = re.sub(r"^import tensorflow as tf\b", "import tfteach as tf", src,
                         flags=re.M)
            src = re.sub(r"^import tensorflow\.compat\.v1 as tf\b",
                         "import tfteach.compat.v1 as tf", src, flags=re.M)
        name = f"<cell{i}>"
        # AutoGraph reads a function's source: keep each cell's text where inspect looks
        linecache.cache[name] = (len(src), None, src.splitlines(True), name)
        buf = io.StringIO()
        status = "ok"
        try:
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(src, name, "exec"), ns)
        except BaseException as e:  # noqa: BLE001 - a cell's failure is what we record
            status = f"{type(e).__name__}: {str(e)[:200]}"
        out.append({"cell": i, "status": status, "stdout": buf.getvalue()[:3000],
                    "src": src})
    json.dump(out, sys.stdout)


def _norm(s):
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", s)


def compare(a_path, b_path, autograph_only=False):
    a, b = json.load(open(a_path)), json.load(open(b_path))
    same = total = 0
    for x, y in zip(a, b):
        src = x["src"]
        if autograph_only and not (
                ("tf.function" in src or "to_graph" in src or "to_code" in src) and
                re.search(r"^\s+(if|for|while) ", src, re.M)):
            continue
        total += 1
        status = x["status"] == y["status"] or (
            x["status"] != "ok" and y["status"] != "ok" and
            x["status"].split(":")[0] == y["status"].split(":")[0])
        # to_code's text is AutoGraph's own and need not match TF's
        printed = _norm(x["stdout"]) == _norm(y["stdout"]) or "to_code" in src
        if status and printed:
            same += 1
        else:
            print(f"cell {x['cell']}: TF {x['status'][:80]!r} / tfteach {y['status'][:80]!r}")
    print(f"same: {same}/{total}")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3])
    else:
        compare(sys.argv[2], sys.argv[3], "--autograph" in sys.argv)
