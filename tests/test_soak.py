"""Long loops keep memory flat (issue 16). Mode: TF1 session and TF2 eager.

100,000 Session.run calls of a small graph and 100,000 eager ops, after a warm-up: the
resident set may not grow by more than a few MiB (a per-run leak of even 64 bytes would show
as 6 MiB). Reads RSS from /proc, so Linux only."""
import os

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")


def _rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _growth(step, n=100_000, warm=5_000):
    for _ in range(warm):
        step()
    before = _rss_mib()
    for _ in range(n):
        step()
    return _rss_mib() - before


def test_session_runs_keep_memory_flat(tf1):
    a = tf1.placeholder(tf1.float32, [4])
    v = tf1.Variable(np.zeros(4, np.float32))
    y = tf1.reduce_sum(v.assign_add(a * 2.0 + 1.0))
    feed = {a: np.ones(4, np.float32)}
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        grew = _growth(lambda: s.run(y, feed))
        assert s.run(v).tolist() == [3.0 * 105_000] * 4
    assert grew < 4.0, f"RSS grew by {grew:.1f} MiB over 100k Session.run calls"


def test_eager_ops_keep_memory_flat(tf2):
    x = tf2.constant(np.arange(4, dtype=np.float32))
    grew = _growth(lambda: tf2.add(x, x))
    assert grew < 4.0, f"RSS grew by {grew:.1f} MiB over 100k eager ops"
