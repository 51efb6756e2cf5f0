"""Fixtures that put the process in TF1 or TF2 mode for one test.

`tfteach.v1` switches v2 behaviour off when imported; tests of both namespaces share one
process, so each test picks its mode explicitly and starts from a fresh default graph.
"""
import os

import pytest

import tfteach
from tfteach.framework import behavior, ops

# Suites that only make sense in a special process are not collected elsewhere (rather than
# collected and skipped): the CUDA walk needs the simulator chosen before numba's first
# import (tests/test_cuda_parity.py starts such a process) or a real GPU; the PTX check
# needs NVIDIA's compilers from pip.
collect_ignore = []
if os.environ.get("NUMBA_ENABLE_CUDASIM") != "1" and os.environ.get("TFTEACH_CUDA_REAL") != "1":
    collect_ignore.append("test_cuda_sim.py")
if os.environ.get("TFTEACH_PTX_CHECK") != "1":
    collect_ignore.append("test_cuda_ptx.py")


def pytest_collection_modifyitems(config, items):
    """Trainings marked `slow` (minutes each) run only when asked for: `-m slow` or
    TFTEACH_SLOW=1. They are deselected, not skipped, in the default run."""
    expr = config.getoption("markexpr") or ""
    if os.environ.get("TFTEACH_SLOW") == "1" or ("slow" in expr and "not slow" not in expr):
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("slow") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def tf1():
    """`import tfteach.v1 as tf`, with a fresh default graph."""
    import tfteach.v1 as tf
    behavior.disable_v2_behavior()
    del ops._graph_stack[:]
    tf.reset_default_graph()
    yield tf
    del ops._graph_stack[:]
    tf.reset_default_graph()


@pytest.fixture
def tf2():
    """`import tfteach as tf`: eager execution, v2 shapes."""
    behavior.enable_v2_behavior()
    del ops._graph_stack[:]
    ops.reset_default_graph()
    yield tfteach
    del ops._graph_stack[:]
    behavior.enable_v2_behavior()
