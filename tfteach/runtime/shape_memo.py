"""Remembering values computed only from tensor shapes, across runs of a plan.

Gradient graphs of tensors with unknown static shapes (a placeholder fed batches of any
length) compute shapes at run time: `Shape`, `Size`, `Rank` of a tensor, then `Range`,
`FloorMod`, `DynamicStitch`, `BroadcastGradientArgs`, ... of those. A training loop feeds
the same shapes step after step, so these values repeat.

`analyze` finds, in a plan, the *shape-derived* ops: stateless ops whose every input is a
Const or the output of another shape-derived op, reached from *roots* (`Shape`, `Size`,
`Rank`, `ShapeN` of a tensor that is not itself shape-derived). Each such op gets the list
of roots it depends on. The executor then computes the roots as usual (they only read a
shape), and looks the op's result up under the roots' values; it calls the kernel only for
values not seen before. The values are exactly those the kernel would compute (they are
pure functions of the roots), and are stored read-only.
"""
import os

import numpy as np

_ROOT_TYPES = frozenset(("Shape", "Size", "Rank", "ShapeN"))
MAX_ENTRIES = 8          # distinct root values remembered per op (e.g. train + eval)


def enabled():
    return os.environ.get("TFTEACH_SHAPE_MEMO", "1") != "0"


def analyze(ops, placement, fed):
    """{op: (root ops...)} for the shape-derived, non-root ops of a plan (no roots: an op
    of constants only, computed on the first run)."""
    derived = {}         # op -> frozenset of root ops ('' for const-only)
    roots = set()
    for op in ops:
        if op._type == "Const" or op._opdef.stateful or not op._inputs:
            continue
        if placement.get(op) != "CPU":
            continue
        if op._type in _ROOT_TYPES:
            src = op._inputs[0]
            if src in fed or (src.op._type != "Const" and src.op not in derived):
                roots.add(op)
                continue
        if any(t in fed for t in op._inputs):
            continue
        deps = set()
        ok = True
        for t in op._inputs:
            p = t.op
            if p._type == "Const":
                continue
            if p in roots:
                deps.add(p)
            elif p in derived:
                deps |= derived[p]
            else:
                ok = False
                break
        if ok and not any(t.dtype.is_ref_dtype for t in op._inputs):
            derived[op] = frozenset(deps)
    return {op: tuple(sorted(d, key=lambda o: o._id)) for op, d in derived.items()}


def lookup(table, key):
    return table.get(key)


def store(table, key, value):
    """Remembers `value` (an array or a tuple of arrays) read-only; returns it."""
    for v in (value if isinstance(value, tuple) else (value,)):
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    if len(table) >= MAX_ENTRIES:
        table.clear()
    table[key] = value
    return value
