"""Fixtures that put the process in TF1 or TF2 mode for one test.

`tfteach.v1` switches v2 behaviour off when imported; tests of both namespaces share one
process, so each test picks its mode explicitly and starts from a fresh default graph.
"""
import os
import re
import subprocess
import threading
import time

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


@pytest.fixture
def run_with_progress(request):
    """Run a child pytest that takes minutes (the CUDA simulator walk, the lessons on another
    kernel path) and show its progress on the terminal while it runs (one line per 10% or
    so, with the elapsed time), so a long silent wait does not look like a hang.
    Returns (exit code, output)."""
    config = request.config
    reporter = config.pluginmanager.getplugin("terminalreporter")
    capture = config.pluginmanager.getplugin("capturemanager")

    def show(text):
        if reporter is None:
            return
        if capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.ensure_newline()
                reporter.write_line(text)
        else:
            reporter.write_line(text)

    def run(cmd, label, env=None, cwd=None, timeout=600):
        start = time.monotonic()
        show("[%s] started (a child pytest; progress below)" % label)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env, cwd=cwd)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        lines = []
        shown = -10
        try:
            for line in proc.stdout:
                lines.append(line)
                m = re.search(r"\[\s*(\d+)%\]\s*$", line)
                # with -v every test ends a line: show every tenth of the way
                if m and int(m.group(1)) >= shown + 10:
                    shown = int(m.group(1)) // 10 * 10
                    show("[%s] %s%% after %.0f s" % (label, m.group(1), time.monotonic() - start))
            code = proc.wait()
        finally:
            timer.cancel()
        out = "".join(lines)
        if code < 0:
            out += "\n(killed after %d s)" % timeout
        show("[%s] finished in %.0f s" % (label, time.monotonic() - start))
        return code, out

    return run
