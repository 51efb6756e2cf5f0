"""Writes docs/api-coverage.md: for each TensorFlow 2.21 namespace in
tfteach/framework/tf_api_names.json, which of its public names tfteach has. No TensorFlow needed:
    python tools/gen_api_coverage.py          (rewrites docs/api-coverage.md)
    python tools/gen_api_coverage.py --check  (exit 1 when the file is stale)
A name counts as implemented when getattr on tfteach's namespace returns it."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "api-coverage.md")
NAMES = os.path.join(ROOT, "tfteach", "framework", "tf_api_names.json")
PARAMS = os.path.join(ROOT, "tools", "tf_api_parameters.json")


def resolve(path):
    import importlib
    obj = importlib.import_module("tfteach")
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def has(obj, name):
    try:
        getattr(obj, name)
    except (AttributeError, ImportError, NotImplementedError):
        return False
    return True


def measure():
    """{namespace: (implemented names, missing names)} and the recording's versions. A
    name that resolves to a function lacking TF's required parameters is another function
    of the same name (tf.sparse.add finding the dense add): it counts as missing, and
    `wrong_function()` lists it."""
    with open(NAMES) as f:
        data = json.load(f)
    out = {}
    for path, names in data["namespaces"].items():
        try:
            obj = resolve(path)
        except AttributeError:
            out[path] = ([], list(names))
            continue
        wrong = set(wrong_function(path, obj, names))
        done = [n for n in names if n not in wrong and has(obj, n)]
        out[path] = (done, [n for n in names if n not in set(done)])
    return data, out


_TF_PARAMS = {}


def _tf_params(path):
    if not _TF_PARAMS:
        with open(PARAMS) as f:
            _TF_PARAMS.update(json.load(f)["parameters"])
    return _TF_PARAMS.get(path, {})


def wrong_function(path, obj, names):
    """{name: TF's required parameters it lacks} for names of `obj` that resolve to a
    function without TF's required parameters."""
    import inspect
    out = {}
    for n in names:
        want = _tf_params(path).get(n)
        if not want or not has(obj, n):
            continue
        value = getattr(obj, n)
        if inspect.isclass(value):
            continue
        got = _params(value)
        if got is None or any(p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
                              for p in got.values()):
            continue
        lacking = [w.rstrip("!") for w in want if w.endswith("!") and not w.startswith("*")
                   and w.rstrip("!") not in got]
        if lacking:
            out[n] = lacking
    return out


def _params(fn):
    import inspect
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return sig.parameters


def differing(cov):
    """{namespace: [(name, why)]}: implemented functions whose parameters are not TF's
    (a TF parameter tfteach lacks, or TF's required positional parameters in another
    order): a name that resolves to a different function shows here."""
    import inspect
    out = {}
    for path, (done, _) in cov.items():
        obj = resolve(path) if done else None
        rows = []
        for n in done:
            want = _tf_params(path).get(n)
            if want is None:
                continue
            value = getattr(obj, n)
            if inspect.isclass(value):
                continue
            got = _params(value)
            if got is None:
                continue
            if any(p.kind == p.VAR_KEYWORD for p in got.values()):
                continue
            names = [w.lstrip("*").rstrip("!") for w in want if not w.startswith("*")]
            missing = [w for w in names if w not in got and w != "name"]
            req = [w.rstrip("!") for w in want if w.endswith("!")]
            positional = [k for k, p in got.items()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            order = positional[:len(req)] != req and not any(
                p.kind == p.VAR_POSITIONAL for p in got.values())
            if missing or order:
                why = (f"TF's parameters {', '.join(missing)} missing" if missing else
                       f"TF's positional parameters are ({', '.join(req)})")
                rows.append((n, why))
        if rows:
            out[path] = rows
    return out


def _names(ns):
    return ", ".join(f"`{n}`" for n in ns) if ns else "—"


def render():
    data, cov = measure()
    order = sorted(cov, key=lambda p: (p.startswith("tf.compat.v1"), p.count("."), p))
    total = sum(len(d) + len(m) for d, m in cov.values())
    done = sum(len(d) for d, _ in cov.values())
    lines = [
        "# API coverage: tfteach against TensorFlow 2.21",
        "",
        "Generated; do not edit. After any change (a merge) that adds names, regenerate with",
        "",
        "    python tools/gen_api_coverage.py",
        "",
        f"The names are the public attributes of TensorFlow {data['tensorflow']}'s namespaces "
        f"(Keras {data['keras']} under `tf.keras`), recorded by `tools/gen_api_names.py` in "
        "`tfteach/framework/tf_api_names.json`. A name is implemented when tfteach's namespace of "
        "the same path returns it; every other name raises AttributeError saying "
        "\"tfteach does not implement it yet\". `tests/test_api_coverage.py` fails while "
        "this file is stale.",
        "",
        f"Overall: {done} of {total} names ({100 * done / total:.1f}%).",
        "",
        "| namespace | implemented | names | coverage |",
        "|---|---:|---:|---:|",
    ]
    for p in order:
        d, m = cov[p]
        n = len(d) + len(m)
        lines.append(f"| `{p}` | {len(d)} | {n} | {100 * len(d) / n:.1f}% |")
    diff = differing(cov)
    wrong = {}
    for p in cov:
        try:
            obj = resolve(p)
        except AttributeError:
            continue
        w = wrong_function(p, obj, data["namespaces"][p])
        if w:
            wrong[p] = w
    n_wrong = sum(len(v) for v in wrong.values())
    lines += ["", f"Names that resolve to a function without TF's required parameter names "
              f"(another function of that name, e.g. tf.sparse.add finding the dense add, or "
              f"a parameter spelt otherwise), counted as not yet: {n_wrong}."]
    n_diff = sum(len(v) for v in diff.values())
    lines += ["", f"Implemented functions whose parameters differ from TF's: {n_diff} (listed "
              "under each namespace; a TF parameter tfteach lacks, or TF's required "
              "positional parameters in another order). Parameter names are recorded in "
              "`tools/tf_api_parameters.json`."]
    for p in order:
        d, m = cov[p]
        lines += ["", f"## `{p}`", "", f"Implemented ({len(d)}): {_names(d)}", "",
                  f"Not yet ({len(m)}): {_names(m)}"]
        if p in diff:
            lines += ["", f"Parameters differ from TF's ({len(diff[p])}): " +
                      "; ".join(f"`{n}` ({why})" for n, why in diff[p])]
        if p in wrong:
            lines += ["", f"Resolve without TF's required parameters, counted as not "
                          f"yet ({len(wrong[p])}): " +
                      "; ".join(f"`{n}` (lacks TF's {', '.join(w)})"
                                for n, w in sorted(wrong[p].items()))]
    return "\n".join(lines) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        with open(DOC) as f:
            same = f.read() == text
        print("docs/api-coverage.md is " + ("up to date" if same else
                                            "stale: run python tools/gen_api_coverage.py"))
        return 0 if same else 1
    os.makedirs(os.path.dirname(DOC), exist_ok=True)
    with open(DOC, "w") as f:
        f.write(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main(sys.argv[1:]))
