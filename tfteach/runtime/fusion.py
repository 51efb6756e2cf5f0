"""Fusing chains of element-wise ops of a hot plan into one numba kernel.

Each element-wise CPU kernel is a numba ufunc made from a scalar Python function
(`kernels/cpu/_build.Elementwise`). Calling a ufunc costs about a microsecond whatever the
size of its operands, so a plan of many small element-wise ops is dominated by calls. Once
a plan has run often enough (`Plan.FUSE_AFTER` runs), the executor looks for groups of
element-wise ops whose intermediate results nobody else sees, writes one scalar function
calling the ops' own scalar functions in order, and makes it one ufunc. The arithmetic is
exactly the unfused one (the same scalar functions, same dtype at every step, no fast-math),
only the calls and the temporaries are gone.

Only floating-point groups are fused (their scalar functions cannot raise), and only
groups whose external inputs have fully known shapes (so broadcasting was checked when the
graph was built and the fused call cannot fail where the unfused ops would not).

The generated source is written to a cache folder under a name that hashes the source, so
numba's on-disk cache (`cache=True`) makes the kernel cost nothing in the next process.
"""
import hashlib
import importlib.util
import inspect
import math
import os
import stat
import sys
import tempfile

import numpy as np

__all__ = ["find_groups", "build_group_kernel", "FusedGroup"]

MIN_GROUP = 4          # fewer ops are not worth a compilation
MAX_INPUTS = 16        # arguments of one ufunc (NumPy allows 64 operands in all)
_FLOATS = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}


def _cache_dir():
    """Where generated kernel modules are written and imported from: the user's cache, or a
    per-user folder in the temp dir. Python code is imported from here, so the folder must be
    the user's own and writable by nobody else; otherwise fusion is off (PermissionError)."""
    base = os.environ.get("TFTEACH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tfteach")
    path = os.path.join(base, "fused")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        path = os.path.join(tempfile.gettempdir(), f"tfteach-fused-{uid}")
        os.makedirs(path, mode=0o700, exist_ok=True)
    _check_private(path)
    return path


def _check_private(path):
    if not hasattr(os, "getuid"):
        return
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise PermissionError(
            f"tfteach will not import generated kernels from {path}: it must be a directory "
            f"owned by this user and writable by no one else (set TFTEACH_CACHE_DIR to one)")


class FusedGroup:
    """Ops fused into one kernel: `root` is the op whose output the group computes."""

    def __init__(self, ops, root, inputs, consts):
        self.ops = ops            # in plan order, root last
        self.root = root
        self.inputs = inputs      # external input tensors, in argument order
        self.consts = consts      # tensor -> scalar constant inlined into the source
        self.kernel = None
        self.value = None         # set instead of a kernel when the group is all constant


def _scalar_kernel(op):
    """The Elementwise kernel of a fusable op, or None."""
    from ..kernels.cpu._build import Elementwise
    k = op._opdef.kernel_for("CPU")
    if not isinstance(k, Elementwise) or op._control_inputs or len(op._outputs) != 1:
        return None
    fn = k.pyfunc
    if "<" in getattr(fn, "__qualname__", "<"):    # not importable by the cached source
        return None
    out = op._outputs[0].dtype
    if out.is_ref_dtype or out.np_dtype not in _FLOATS:
        return None
    if k.out(_FLOATS[out.np_dtype]) != _FLOATS[out.np_dtype]:
        return None
    if len(op._inputs) != k.nargs:
        return None
    for t in op._inputs:
        if t.dtype != out:
            return None
    return k


def _scalar_const(t):
    op = t.op
    if op._type != "Const":
        return None
    v = op.get_attr("value")
    if getattr(v, "shape", None) != ():
        return None
    return v


def find_groups(ops, fetch_tensors, feed_tensors, placement):
    """Maximal trees of fusable ops whose inner results are used once, inside the tree."""
    in_plan = set(ops)
    fed = set(feed_tensors)
    fetched = set(fetch_tensors)
    fusable = {}
    for op in ops:
        if placement.get(op) != "CPU" or op._control_outputs:
            continue
        k = _scalar_kernel(op)
        if k is not None:
            fusable[op] = k

    def single_consumer(op):
        t = op._outputs[0]
        if t in fetched or t in fed:
            return None
        users = {c for c in t._consumers if c in in_plan}
        return next(iter(users)) if len(users) == 1 else None

    parent = {}
    for op in fusable:
        c = single_consumer(op)
        if c is not None and c in fusable:
            parent[op] = c
    groups = []
    roots = [op for op in ops if op in fusable and op not in parent]
    for root in roots:
        members = []
        stack = [root]
        while stack:
            o = stack.pop()
            members.append(o)
            for t in o._inputs:
                p = t.op
                if parent.get(p) is o and t not in fed:
                    stack.append(p)
        members.sort(key=lambda o: o._id)
        member_set = set(members)
        inputs, consts, ok = [], {}, True
        for o in members:
            for t in o._inputs:
                if t.op in member_set and t not in fed:
                    continue
                if t in inputs or t in consts:
                    continue
                c = _scalar_const(t) if t not in fed else None
                if c is not None:
                    consts[t] = c
                    continue
                if not t.shape.is_fully_defined():
                    ok = False
                inputs.append(t)
        # constant-only groups are folded whatever their size (no compilation involved)
        if inputs and len(members) < MIN_GROUP:
            continue
        if ok and len(inputs) <= MAX_INPUTS:
            groups.append(FusedGroup(members, root, inputs, consts))
    return groups


def _literal(v, tname):
    x = float(v)
    if math.isnan(x):
        body = "np.nan"
    elif math.isinf(x):
        body = "np.inf" if x > 0 else "-np.inf"
    else:
        body = repr(x)
    return f"np.{tname}({body})"


def _source(group):
    tname = _FLOATS[group.root._outputs[0].dtype.np_dtype]
    imports, fnames = [], {}
    lines = []
    for o in group.ops:
        fn = o._opdef.kernel_for("CPU").rule(tname)
        key = (fn.__module__, fn.__qualname__)
        if key not in fnames:
            alias = f"_s{len(fnames)}"
            fnames[key] = alias
            imports.append(f"from {fn.__module__} import {fn.__qualname__} as {alias}_py")
            imports.append(f"{alias} = numba.njit({alias}_py)")
            # the whole module's source: a rule's helpers (njit functions beside it) are
            # compiled into the fused kernel, and numba's cache would not see them change
            src = inspect.getsource(sys.modules[fn.__module__])
            imports.append(f"# {hashlib.sha1(src.encode()).hexdigest()}")
    names = {t: f"a{i}" for i, t in enumerate(group.inputs)}
    for t, v in group.consts.items():
        names[t] = _literal(v, tname)
    for i, o in enumerate(group.ops):
        fn = o._opdef.kernel_for("CPU").rule(tname)
        alias = fnames[(fn.__module__, fn.__qualname__)]
        args = ", ".join(names[t] for t in o._inputs)
        lines.append(f"    t{i} = {alias}({args})")
        names[o._outputs[0]] = f"t{i}"
    sig = f"{tname}({', '.join([tname] * len(group.inputs))})"
    params = ", ".join(names[t] for t in group.inputs)
    return ("import numba\nimport numpy as np\n" + "\n".join(imports) + "\n\n\n"
            f"@numba.vectorize([\"{sig}\"], nopython=True, cache=True)\n"
            f"def fused({params}):\n" + "\n".join(lines) +
            f"\n    return t{len(group.ops) - 1}\n")


def build_group_kernel(group):
    """Writes (once) and imports the group's kernel; the ufunc is compiled or loaded.

    A group fed by constants only is folded instead (as TF's Grappler folds constants):
    its value is computed once, by the ops' own kernels, and `group.value` is set."""
    if not group.inputs:
        vals = {t: t.op.get_attr("value") for t in group.consts}
        for o in group.ops:
            k = o._opdef.kernel_for("CPU").for_op(o)
            vals[o._outputs[0]] = k(*[vals[t] for t in o._inputs])
        value = np.asarray(vals[group.root._outputs[0]])
        value.flags.writeable = False       # shared by every run of the plan
        group.value = value
        return None
    src = _source(group)
    digest = hashlib.sha1(src.encode()).hexdigest()[:20]
    modname = f"tfteach_fused_{digest}"
    mod = sys.modules.get(modname)
    if mod is None:
        path = os.path.join(_cache_dir(), modname + ".py")
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w") as f:
                f.write(src)
            os.replace(tmp, path)        # atomic: concurrent processes see whole files
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        # registered first: numba's cache records (and later re-imports) the module by name
        sys.modules[modname] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            del sys.modules[modname]
            raise
    group.kernel = mod.fused
    return group.kernel
