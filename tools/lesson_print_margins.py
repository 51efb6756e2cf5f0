"""How far is every rounded number a lesson prints from a rounding tie?

A stored output like `MSE = 2989.6` holds on every machine only if the value behind it is not
on the edge between two printed values: 2989.64990234375 printed with one decimal flips to
2989.7 when a different CPU, BLAS build or thread count moves the float32 result by one bit.
This tool runs lessons (each in its own process, an IPython shell in `lessons/`) with the
rounding and fixed-point formatting of their code instrumented:

    round(x, n)   x.round(n)   "%.2f" % x   "{:.2f}".format(x)   f"{x:.2f}"   (also e/g)

and reports, per source line, the smallest distance between a printed value and the nearest
tie of its rounding, in units of the value's own float32 spacing (ulps). A line whose margin
is a few ulps is fragile: print fewer digits (or something exact) there.

    python tools/lesson_print_margins.py              # every lesson, lines under 1000 ulps
    python tools/lesson_print_margins.py 09 14 --all  # these lessons, every instrumented line

Values that are exact (integers, k/2**n printed with enough digits) sit on no tie and are
reported with an infinite margin. The tests never run this (it executes every lesson); the
check that ships is tests/test_lessons_other_path.py, which reruns the lessons under nbval on
another kernel path.
"""
import argparse
import ast
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
SPEC = re.compile(r"%[-+ #0]*\d*\.(\d+)([fFeEgG%])|\{[^{}:]*:[^{}]*?\.(\d+)([fFeEgG%])\}")


def _ties(x, decimals):
    """Distance from `x` to the nearest value that rounds to a tie at `decimals` places."""
    scale = 10.0 ** decimals
    y = float(x) * scale
    return abs(y - (math.floor(y) + 0.5)) / scale


def _decimals(x, digits, kind):
    if kind in "fF":
        return digits
    if kind == "%":
        return digits + 2
    if x == 0 or not math.isfinite(x):
        return None
    exponent = math.floor(math.log10(abs(x)))
    if kind in "eE":
        return digits - exponent
    return max(digits, 1) - 1 - exponent          # g: significant digits


class Recorder:
    def __init__(self):
        self.where = "?"
        self.margins = {}
        self.values = {}

    def note(self, value, decimals, line, kind="f"):
        import numpy as np
        arr = np.asarray(value)
        if arr.dtype.kind not in "fc" or decimals is None:
            return
        for x in arr.real.ravel()[:10000]:
            x = float(x)
            if not math.isfinite(x):
                continue
            d = decimals if kind == "f" else _decimals(x, decimals, kind)
            if d is None:
                continue
            # float32 spacing even for float64 values: the lessons compute in float32
            ulp = abs(float(np.spacing(np.float32(x))))
            self.values.setdefault((self.where, line), []).append(x)
            scaled = x * 10.0 ** d
            # a value printed exactly (its digits end before the rounding point) is no tie risk
            if scaled == math.floor(scaled):
                margin = math.inf
            else:
                margin = _ties(x, d) / ulp if ulp else math.inf
            key = (self.where, line)
            old = self.margins.get(key)
            if old is None or margin < old[0]:
                self.margins[key] = (margin, x, d)

    # the instrumented calls
    def round(self, line, x, *nd):
        n = nd[0] if nd else 0
        self.note(x, n if n is not None else 0, line)
        return round(x, *nd)

    def method_round(self, line, obj, *args, **kw):
        n = args[0] if args else kw.get("decimals", 0)
        self.note(obj, n, line)
        return obj.round(*args, **kw)

    def percent(self, line, fmt, args):
        values = args if isinstance(args, tuple) else (args,)
        specs = re.findall(r"%[-+ #0]*\*?\d*(?:\.(\d+))?([diouxXeEfFgGcrsa%])", fmt)
        i = 0
        for digits, kind in specs:
            if kind == "%":
                continue
            if i >= len(values):
                break
            if kind in "eEfFgG":
                self.note(values[i], int(digits) if digits else 6, line, kind.lower()
                          if kind not in "fF" else "f")
            i += 1
        return fmt % args

    def spec(self, line, value, spec):
        m = re.search(r"\.(\d+)([eEfFgG%])$", spec)
        if m:
            kind = m.group(2)
            self.note(value, int(m.group(1)), line, "f" if kind in "fF" else kind.lower())
        return value

    def format(self, line, fmt, *args, **kw):
        auto = iter(range(len(args)))
        for m in re.finditer(r"\{([^{}:!]*)(?:![rsa])?(?::([^{}]*))?\}", fmt):
            name, spec = m.group(1), m.group(2) or ""
            if name == "":
                value = args[next(auto)]
            elif name.isdigit():
                value = args[int(name)]
            else:
                value = kw.get(name.split(".")[0].split("[")[0])
            self.spec(line, value, spec)
        return fmt.format(*args, **kw)


class Instrument(ast.NodeTransformer):
    """Routes rounding and float formatting through `__margins__` (the Recorder)."""

    def _call(self, name, node, args, keywords=()):
        return ast.copy_location(ast.Call(
            func=ast.Attribute(value=ast.Name("__margins__", ast.Load()), attr=name,
                               ctx=ast.Load()),
            args=[ast.Constant(node.lineno)] + list(args), keywords=list(keywords)), node)

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Name) and f.id == "round":
            return self._call("round", node, node.args)
        if isinstance(f, ast.Attribute) and f.attr == "round":
            return self._call("method_round", node, [f.value] + node.args, node.keywords)
        if (isinstance(f, ast.Attribute) and f.attr == "format"
                and isinstance(f.value, ast.Constant) and isinstance(f.value.value, str)):
            return self._call("format", node, [f.value] + node.args, node.keywords)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if (isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
                and isinstance(node.left.value, str)):
            return self._call("percent", node, [node.left, node.right])
        return node

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        spec = node.format_spec
        if (isinstance(spec, ast.JoinedStr) and len(spec.values) == 1
                and isinstance(spec.values[0], ast.Constant)):
            node.value = self._call("spec", node.value,
                                    [node.value, ast.Constant(spec.values[0].value)])
        return node


def run_one(stem):
    """In this process: run one lesson's code cells in an IPython shell, print JSON margins."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(LESSONS))
    os.chdir(LESSONS)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import _build
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.enable_gui = lambda gui=None: None    # `%matplotlib inline` outside a kernel
    rec = Recorder()
    shell.user_ns["__margins__"] = rec
    shell.ast_transformers.append(Instrument())
    errors = []
    for k, (kind, ident, text) in enumerate(_build.parse_source(LESSONS / "src" / (stem + ".py")),
                                            1):
        if kind != "code":
            continue
        rec.where = ident or "%s-%d" % (stem[:2], k)
        result = shell.run_cell(text, silent=False)
        if not result.success:
            errors.append(rec.where)
    out = [{"cell": w, "line": line, "ulps": m if math.isfinite(m) else None, "value": x,
            "decimals": d, "values": rec.values.get((w, line), [])[:200]}
           for (w, line), (m, x, d) in rec.margins.items()]
    sys.__stdout__.write("\n@@MARGINS@@" + json.dumps({"margins": out, "errors": errors}) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    ap.add_argument("--below", type=float, default=1000.0,
                    help="report lines whose margin is under this many ulps (default 1000)")
    ap.add_argument("--all", action="store_true", help="report every instrumented line")
    ap.add_argument("--save", help="write every recorded value to this JSON file")
    ap.add_argument("--compare", help="a --save file from another run (e.g. with other "
                    "threads or switches): report the largest drift per line, in ulps")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        run_one(args.one)
        return 0
    stems = sorted(p.stem for p in (LESSONS / "src").glob("[0-9][0-9]_*.py"))
    if args.lessons:
        stems = [s for s in stems if s[:2] in args.lessons or s in args.lessons]
    worst = []
    saved = {}
    for stem in stems:
        r = subprocess.run([sys.executable, __file__, "--one", stem], capture_output=True,
                           text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        payload = r.stdout.rsplit("@@MARGINS@@", 1)
        if len(payload) != 2:
            print("%s: did not run\n%s" % (stem, (r.stdout + r.stderr)[-2000:]))
            continue
        data = json.loads(payload[1])
        if data["errors"]:
            print("%s: cells that raised (expected in some lessons): %s"
                  % (stem, ", ".join(data["errors"])))
        for item in data["margins"]:
            saved["%s|%s|%s" % (stem, item["cell"], item["line"])] = item["values"]
            ulps = item["ulps"]
            if args.all or (ulps is not None and ulps < args.below):
                worst.append((ulps if ulps is not None else math.inf, stem, item))
    if args.save:
        Path(args.save).write_text(json.dumps(saved))
    if args.compare:
        import numpy as np
        other = json.loads(Path(args.compare).read_text())
        print("largest drift between the two runs, per line (float32 ulps):")
        for key, values in sorted(saved.items()):
            theirs = other.get(key)
            if not theirs or len(theirs) != len(values):
                continue
            drift = max(abs(a - b) / abs(float(np.spacing(np.float32(a))) or 1.0)
                        for a, b in zip(values, theirs))
            if drift:
                print("  %-50s %10.1f" % (key, drift))
    worst.sort(key=lambda t: t[0])
    for ulps, stem, item in worst:
        print("%-28s cell %-22s line %3d  %10s ulps  value %r to %d decimals" % (
            stem, item["cell"], item["line"], "exact" if ulps == math.inf else "%.1f" % ulps,
            item["value"], item["decimals"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
