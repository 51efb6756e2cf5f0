"""Fixtures that put the process in TF1 or TF2 mode for one test.

`tfteach.v1` switches v2 behaviour off when imported; tests of both namespaces share one
process, so each test picks its mode explicitly and starts from a fresh default graph.

Every test module states its mode with `pytestmark = pytest.mark.mode(M)`:

* ``"v1"``: the tests run in TF1 graph mode (`import tfteach.v1 as tf`);
* ``"v2"``: the tests run in TF2 mode (eager, v2 shapes);
* ``"both"``: each test picks its mode with the `tf1` or `tf2` fixture (TF2 otherwise);
* ``"none"``: the tests do not touch tfteach's mode (subprocesses, files, the CLI).

An autouse fixture puts each test in its module's mode and, whatever the test did, puts the
process back in TF2 mode with a fresh default graph afterwards, so the outcome of a file does
not depend on which file ran before it (the suite runs in a seeded random file order).
A module without a mode fails every one of its tests.
"""
import os
import re
import subprocess
import threading
import time

import pytest

import tfteach
from tfteach.framework import behavior, ops

pytest_plugins = ["pytester"]     # tests/test_suite_rules.py runs a conftest in a sandbox

# Suites that only make sense in a special process are not collected elsewhere (rather than
# collected and skipped): the CUDA walk needs the simulator chosen before numba's first
# import (tests/test_cuda_parity.py starts such a process) or a real GPU; the PTX check
# needs NVIDIA's compilers from pip.
collect_ignore = []
if os.environ.get("NUMBA_ENABLE_CUDASIM") != "1" and os.environ.get("TFTEACH_CUDA_REAL") != "1":
    # every simulator suite, so that a new one cannot be collected and skipped into green
    collect_ignore += sorted(f for f in os.listdir(os.path.dirname(__file__))
                             if f.startswith("test_cuda_") and f.endswith(".py")
                             and f not in ("test_cuda_parity.py", "test_cuda_ptx.py"))
if os.environ.get("TFTEACH_PTX_CHECK") != "1":
    collect_ignore.append("test_cuda_ptx.py")


MODES = ("v1", "v2", "both", "none")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "mode(name): the tfteach mode of a test module: v1, v2, both or none "
                   "(tests/conftest.py)")


def _fresh_graph():
    del ops._graph_stack[:]
    ops.reset_default_graph()


@pytest.fixture(autouse=True)
def _mode_isolation(request):
    marker = request.node.get_closest_marker("mode")
    if marker is None or len(marker.args) != 1 or marker.args[0] not in MODES:
        pytest.fail(f"{request.node.path.name} states no mode: add "
                    f"`pytestmark = pytest.mark.mode(M)` with M in {MODES} (tests/conftest.py)",
                    pytrace=False)
    if marker.args[0] == "v1":
        behavior.disable_v2_behavior()
    else:
        behavior.enable_v2_behavior()
    _fresh_graph()
    yield
    behavior.enable_v2_behavior()
    _fresh_graph()


@pytest.fixture(scope="module", autouse=True)
def _no_cluster_outlives_its_file():
    """An in-process Dask cluster runs an event loop thread that keeps making garbage of its
    own (tests/test_memory.py counts the reference cycles a step leaves): whatever file started
    one shuts it down before the next file runs."""
    yield
    import sys
    backend = sys.modules.get("tfteach.distribute.backend")
    if backend is not None:
        backend.shutdown()
        import gc
        gc.collect()        # the closed cluster's own garbage, not the next file's


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Files (and notebooks) run in a seeded random order, each one's tests in file order:
    pytest-random-order shuffles modules, this marker keeps it from shuffling inside them.

    Trainings marked `slow` (minutes each) run only when asked for: `-m slow` or
    TFTEACH_SLOW=1. They are deselected, not skipped, in the default run."""
    for item in items:
        item.add_marker(pytest.mark.random_order(disabled=True))
    expr = config.getoption("markexpr") or ""
    if os.environ.get("TFTEACH_SLOW") == "1" or ("slow" in expr and "not slow" not in expr):
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("slow") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter, config):
    if not config.pluginmanager.hasplugin("random_order"):
        return
    from random_order.config import Config
    order = Config(config)
    if order.bucket_type != "none":
        terminalreporter.write_line(f"test files in random order, seed {order.seed} "
                                    f"(repeat with --random-order-seed={order.seed})")


def pytest_sessionfinish(session, exitstatus):
    # In CI nothing may be skipped into green: a skip there means a missing dependency or a
    # suite collected in the wrong process, and either hides tests; only a CPU feature the
    # machine lacks may skip. (The simulator's own
    # child process may skip ops with no data to compare; it reports them itself.)
    if os.environ.get("CI") != "true" or os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [r for r in (reporter.stats.get("skipped", []) if reporter else [])
               if "needs a CPU with" not in str(r.longrepr)]    # hardware the machine lacks
    if skipped and session.exitstatus == 0:
        where = sorted({r.nodeid.split("::")[0] or str(r.location[0]) for r in skipped})
        reporter.ensure_newline()
        reporter.write_line(f"CI: {len(skipped)} tests skipped ({', '.join(where)}): a skip "
                            "is a failure here; install what they need or fix collection",
                            red=True)
        session.exitstatus = 1


@pytest.fixture
def tf1():
    """`import tfteach.v1 as tf`, with a fresh default graph."""
    import tfteach.v1 as tf
    behavior.disable_v2_behavior()
    del ops._graph_stack[:]
    tf.reset_default_graph()
    yield tf
    behavior.enable_v2_behavior()
    _fresh_graph()


@pytest.fixture
def tf2():
    """`import tfteach as tf`: eager execution, v2 shapes."""
    behavior.enable_v2_behavior()
    del ops._graph_stack[:]
    ops.reset_default_graph()
    yield tfteach
    behavior.enable_v2_behavior()
    _fresh_graph()


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
