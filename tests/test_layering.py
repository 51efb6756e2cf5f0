"""The core imports only downward (docs/architecture.md, "Layers and import rules").

Every module's imports are read with `ast`: module-level ones and those inside functions,
relative ones resolved, and `importlib.import_module("...")` / `__import__("...")` with a
literal name. The rules are the data below, the same text as the block in
docs/architecture.md (a test checks that the two agree):

- a module belongs to the first layer with a pattern matching its path under tfteach/
  (`keras/` a folder, `nn.py` a file);
- a module may import its own layer and the layers below it, never one above;
- the kernels are leaves: within tfteach they import only `KERNELS_MAY_IMPORT`;
- below the faces, no import cycle holds more than `MAX_CYCLE` modules (strongly connected
  components of the import graph, function-level imports included).

Where a lower layer must call up (Tensor.eval, the eager context, constant conversion,
EagerPyFunc's eager call), the upper layer installs a hook when imported; the last test
checks that `import tfteach` installs all of them.
"""
import ast
import functools
import os
import subprocess
import sys
import pytest

pytestmark = pytest.mark.mode("none")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "tfteach")

# top to bottom; paths under tfteach/ ("x/" is a folder, anything else a file)
LAYERS = (
    ("faces", ("__init__.py", "v1.py", "cli.py", "classroom.py", "compat/", "eager/api.py",
               "eager/_tf2_names.py")),
    ("libraries", ("keras/", "train/", "summary/", "data/", "magics/", "viz/", "nn.py",
                   "module.py", "config.py", "datasets.py", "exercises.py")),
    ("eager", ("eager/",)),
    ("client", ("client/",)),
    ("distribute", ("distribute/",)),
    ("runtime", ("runtime/",)),
    ("ops", ("ops/",)),
    ("kernels", ("kernels/",)),
    ("framework", ("framework/", "errors.py")),
)
KERNELS_MAY_IMPORT = ("kernels/", "framework/registry.py", "framework/dtypes.py", "errors.py")
MAX_CYCLE = 3


# --- reading the imports -------------------------------------------------------------------

def _modules():
    """{dotted name: path under tfteach/} for every module of the package."""
    out = {}
    for d, dirs, files in os.walk(PKG):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(d, f), PKG).replace(os.sep, "/")
                name = "tfteach." + rel[:-3].replace("/", ".")
                if name.endswith(".__init__"):
                    name = name[:-len(".__init__")]
                out[name] = rel
    return out


def _existing(name, modules):
    """The module an import of `name` loads last (`a.b.attr` -> `a.b`)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in modules else None


def imports_of(name, rel, source, modules):
    """[(line, imported tfteach module)] for the module `name` (file `rel`) with `source`."""
    is_pkg = rel.endswith("__init__.py")
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                pre = ".".join(base + ([node.module] if node.module else []))
            else:
                pre = node.module or ""
            # `from pkg import mod` imports the module pkg.mod; `from mod import attr` mod
            targets = [f"{pre}.{a.name}" if f"{pre}.{a.name}" in modules else pre
                       for a in node.names]
        elif isinstance(node, ast.Call):
            fn = node.func
            fname = getattr(fn, "attr", None) or getattr(fn, "id", None)
            if fname in ("import_module", "__import__") and node.args and \
                    isinstance(node.args[0], ast.Constant) and \
                    isinstance(node.args[0].value, str):
                targets = [node.args[0].value]
        for t in targets:
            if t == "tfteach" or t.startswith("tfteach."):
                m = _existing(t, modules)
                if m is not None and m != name:
                    found.append((node.lineno, m))
    return found


def layer_of(rel):
    for i, (layer, patterns) in enumerate(LAYERS):
        for p in patterns:
            if rel == p or (p.endswith("/") and rel.startswith(p)):
                return i, layer
    raise AssertionError(f"tfteach/{rel} is in no layer: add it to LAYERS and "
                         f"docs/architecture.md")


def violations(name, rel, found, modules):
    """Texts naming each import of module `name` that breaks a rule."""
    out = []
    rank, layer = layer_of(rel)
    for line, target in found:
        trel = modules[target]
        trank, tlayer = layer_of(trel)
        if trank < rank:
            out.append(f"tfteach/{rel}:{line} ({layer}) imports {target} ({tlayer}, above it)")
        elif layer == "kernels" and not any(
                trel == p or (p.endswith("/") and trel.startswith(p))
                for p in KERNELS_MAY_IMPORT):
            out.append(f"tfteach/{rel}:{line} (kernels) imports {target}: kernels import only "
                       f"{', '.join(KERNELS_MAY_IMPORT)}")
    return out


@functools.lru_cache(maxsize=None)
def _graph():
    modules = _modules()
    edges = {}
    for name, rel in modules.items():
        with open(os.path.join(PKG, rel), encoding="utf-8") as f:
            edges[name] = imports_of(name, rel, f.read(), modules)
    return modules, edges


def strongly_connected(nodes, succ):
    """Tarjan's components, iteratively (the import graph is deep)."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return comps


# --- the rules ---------------------------------------------------------------------------------

def test_every_import_points_down():
    modules, edges = _graph()
    bad = [v for name, found in sorted(edges.items())
           for v in violations(name, modules[name], found, modules)]
    assert not bad, "imports against the layering (docs/architecture.md):\n" + "\n".join(bad)


def test_no_import_cycle_below_the_faces_is_larger_than_3():
    modules, edges = _graph()
    core = [m for m in sorted(modules) if layer_of(modules[m])[1] != "faces"]
    succ = {m: sorted({t for _, t in edges[m] if t in set(core)}) for m in core}
    comps = [c for c in strongly_connected(core, succ) if len(c) > MAX_CYCLE]
    assert not comps, f"import cycles of more than {MAX_CYCLE} modules: {comps}"


def test_rules_catch_what_they_forbid():
    # the checks above would pass on an empty graph: show they see each kind of import
    modules = _modules()

    def check(name, source):
        rel = modules[name]
        return violations(name, rel, imports_of(name, rel, source, modules), modules)

    assert check("tfteach.framework.ops", "def eval():\n    from ..client import session\n")
    assert check("tfteach.ops.variables", "from ..client.session import Session\n")
    assert check("tfteach.ops.variable_scope", "def f():\n    import tfteach\n")
    assert check("tfteach.kernels.cpu.math", "def k():\n    from ...ops import math_ops\n")
    assert check("tfteach.kernels.cpu.math", "from ...framework import ops\n")
    assert check("tfteach.runtime.executor",
                 "import importlib\nimportlib.import_module('tfteach.client.config')\n")
    assert not check("tfteach.kernels.cpu.math",
                     "from ...framework.registry import register_kernel\nfrom .. import shapes\n")
    assert not check("tfteach.eager.execute", "from ..runtime import executor\n")
    succ = {"a": ["b"], "b": ["c"], "c": ["d"], "d": ["a"], "e": ["a"]}
    assert sorted(map(len, strongly_connected(list(succ), succ))) == [1, 4]


def test_docs_state_the_same_layers():
    """docs/architecture.md's rule block is this file's LAYERS and KERNELS_MAY_IMPORT."""
    with open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("```layers\n") + len("```layers\n")
    block = text[start:text.index("```", start)]
    rows = [line.split() for line in block.splitlines() if line.strip()]
    want = [[layer, *patterns] for layer, patterns in LAYERS]
    want.append(["kernels-import", *KERNELS_MAY_IMPORT])
    assert rows == want


def test_import_tfteach_installs_every_hook():
    code = """import json
import tfteach.framework.ops as o
from tfteach.framework import op_def_library, registry
names = [n for n in dir(o) if n.isupper() and n.startswith(("EAGER_", "CONSTANT"))]
names = {n: getattr(o, n) is not None for n in names}
names["op_def_library.EAGER_EXECUTE"] = op_def_library.EAGER_EXECUTE is not None
names["registry.EAGER_PY_CALL"] = registry.EAGER_PY_CALL is not None
print(json.dumps(names))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    import json
    hooks = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(hooks) >= 8, hooks
    assert all(hooks.values()), {k: v for k, v in hooks.items() if not v}
