"""Dask's dashboard of a tfteach cluster (`tfteach.distribute.dashboard`, the Server's
notebook view): a link when the scheduler can serve it, else how to get it."""
import re
import types
import urllib.request

import pytest

import tfteach.v1 as tf
from tfteach.distribute import backend, dashboard

pytestmark = pytest.mark.mode("v1")


@pytest.fixture(scope="module")
def server():
    return tf.distribute.Server(tf.train.ClusterSpec({"worker": ["localhost:4741"]}),
                                job_name="worker", task_index=0)


def _status_page(url):
    port = re.search(r":(\d+)/", url).group(1)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=10) as r:
        return r.read().decode()


def test_the_link_or_the_hint_matches_what_the_scheduler_serves(server):
    """Dask serves its dashboard port even without bokeh, with a page that only says bokeh
    is missing: tfteach gives the link only where the real dashboard is there."""
    d = dashboard(server)
    emb, _ = backend._TARGETS[server.target]
    page = _status_page(emb.client.dashboard_link)
    if backend.has_bokeh():
        assert d.available and d.url == emb.client.dashboard_link
        assert "bokeh>=" not in page
    else:
        assert "Dask needs bokeh" in page          # what a link would have led to
        assert not d.available and d.url is None
        assert "pip install 'bokeh>=3.1'" in str(d) and "href" not in d._repr_html_()


def test_link_when_bokeh_is_there(server, monkeypatch):
    monkeypatch.setattr(backend, "has_bokeh", lambda: True)
    emb, _ = backend._TARGETS[server.target]
    port = emb.client.scheduler_info()["services"]["dashboard"]
    for where in (server, server.target, tf.Session(server.target)):
        d = dashboard(where)
        assert re.fullmatch(rf"http://[^/:]+:{port}/status", d.url)
        assert str(d) == f"Dask dashboard: {d.url}"
        assert f'<a href="{d.url}"' in d._repr_html_()


def test_bokeh_version_check(monkeypatch):
    import importlib.util
    from importlib import metadata
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: types.SimpleNamespace())
    for version, ok in [("2.4.3", False), ("3.0.9", False), ("3.1.0", True), ("3.6.2", True)]:
        monkeypatch.setattr(metadata, "version", lambda name, v=version: v)
        assert backend.has_bokeh() is ok, version
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert backend.has_bokeh() is False


def test_server_notebook_view_names_the_task_and_the_dashboard(server, monkeypatch):
    monkeypatch.setattr(backend, "has_bokeh", lambda: False)
    view = server._repr_html_()
    assert "<code>/job:worker/task:0</code>" in view
    assert "<code>grpc://localhost:4741</code>" in view
    assert "Dask dashboard: not available" in view and "bokeh" in view
    # TF's plain repr is left alone
    assert repr(server).startswith("<tfteach.distribute.cluster.Server object at 0x")


def test_no_dashboard_without_a_cluster():
    with pytest.raises(ValueError, match="local Session"):
        dashboard(tf.Session())
    with pytest.raises(TypeError, match="a Server, a Session on a cluster or a target"):
        dashboard(3)
