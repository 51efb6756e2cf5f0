"""Placement: which device runs each op.

Without a GPU (or without the `cuda` extra) everything runs on the CPU and nothing of CUDA
is imported. Device strings follow TF: '/device:CPU:0', '/GPU:0', '/job:localhost/...'.
"""
import contextlib
import re
import sys

from ..framework import ops as _ops

_DEVICE_RE = re.compile(r"(?:^|/)(?:device:)?(CPU|GPU|cpu|gpu):?(\d*)", re.IGNORECASE)


def parse_device(spec):
    """'/GPU:0' -> ('GPU', 0); '' -> (None, None)."""
    if not spec:
        return None, None
    m = _DEVICE_RE.search(spec)
    if not m:
        return None, None
    return m.group(1).upper(), int(m.group(2) or 0)


def canonical_name(device_type, index=0):
    return f"/job:localhost/replica:0/task:0/device:{device_type}:{index}"


def device_scope(device_name):
    """`tf.device(...)`: in graph mode, ops record it; eagerly, it picks the running device."""
    if _ops.executing_eagerly():
        from ..eager import context as _ctx
        return _ctx.eager_device_scope(device_name)
    return _ops.get_default_graph().device(device_name)


def place(ops, devices=None, log=False):
    """Returns {op: 'CPU' | 'GPU'}: the op's requested device if it has a kernel there,
    else the CPU (soft placement, as TF's default session config allows)."""
    out = {}
    for op in ops:
        dev_type, _ = parse_device(op.device)
        chosen = "CPU"
        if dev_type == "GPU" and devices and "GPU" in devices:
            chosen = "GPU"
        out[op] = chosen
        if log:
            print(f"{op.name}: ({op.type}): {canonical_name(chosen)}", file=sys.stderr)
    return out
