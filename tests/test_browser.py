"""A real browser: JupyterLab in headless Chromium (driven by Playwright) runs a `%%graph` cell
and a widget cell; the SVG drawing and the widget must render. Saves a screenshot. And a
student's first open: `tfteach lessons` copies the lessons and starts JupyterLab, and a lesson
shows every stored drawing and widget view before anything is run.

Needs Debian's `chromium` (apt) and the `playwright` Python package (never `playwright
install`: the system Chromium is used). Deselect locally with `-m "not browser"`.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.mode("none"), pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "tfteach-browser-test"

CELLS = [
    "%load_ext tfteach\nimport tfteach.v1 as tf",
    "%%graph -n g\n"
    "x = tf.placeholder(tf.float32, [None, 3], name=\"x\")\n"
    "with tf.name_scope(\"layer\"):\n"
    "    W = tf.Variable([1.0, 2.0, 3.0], name=\"W\")\n"
    "    y = tf.multiply(x, W, name=\"y\")\n"
    "loss = tf.square(y, name=\"loss\")",
    "from tfteach.magics import GraphExplorer\n"
    "sess = tf.Session(graph=g)\n"
    "ex = GraphExplorer(g, sessions=[sess])\n"
    "ex.select(\"layer/y\")\n"
    "ex",
]


def _notebook(path):
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                     "metadata": {}, "outputs": [], "source": src}
                    for i, src in enumerate(CELLS)],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


@pytest.fixture
def lab(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    import jupyterlab  # noqa: F401 - a test dependency (tfteach[jupyter]): missing is a failure
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    work = tmp_path / "work"
    work.mkdir()
    _notebook(work / "viz.ipynb")
    port = _free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
           "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
           f"--ServerApp.root_dir={work}", "--ServerApp.disable_check_xsrf=True",
           "--LabApp.news_url=", "--allow-root"]
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(f"{base}/api/status?token={TOKEN}")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text())
        yield base, tmp_path
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def lessons_lab(tmp_path):
    """`tfteach lessons` as a student runs it, in a fresh home: it copies (and signs) the
    lessons with its own copy step and starts JupyterLab with its own settings."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    import jupyterlab  # noqa: F401 - a test dependency (tfteach[jupyter]): missing is a failure
    work = tmp_path / "tfteach-lessons"
    port = _free_port()
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "home" / "jupyter-data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("JUPYTERLAB_SETTINGS_DIR", None)
    env.pop("JUPYTER_CONFIG_DIR", None)
    cmd = [sys.executable, "-m", "tfteach.cli", "lessons", "--dir", str(work), "--no-browser",
           "--ip", "127.0.0.1", "--port", str(port), "--",
           f"--IdentityProvider.token={TOKEN}", "--ServerApp.disable_check_xsrf=True"]
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                _get(f"{base}/api/status?token={TOKEN}")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.25)
        else:
            pytest.fail("tfteach lessons did not start JupyterLab:\n"
                        + (tmp_path / "lab.log").read_text())
        if proc.poll() is not None:
            pytest.fail("tfteach lessons exited:\n" + (tmp_path / "lab.log").read_text())
        yield base, tmp_path, work
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _launch(p):
    return p.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--disable-dev-shm-usage"])


def _stored(path, mime):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(mime in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))


CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"     # the notebook tab on show


def _rendered_svgs(page):
    """Stored SVG outputs JupyterLab drew (an <img> with the SVG as a data URI, loaded)."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output.jp-RenderedSVG img')]
        .filter(i => i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/svg'))
        .length""")


def test_copied_lessons_show_their_drawings_on_first_open(lessons_lab):
    """Lesson 02 (7 drawings) and lesson 05 (a drawing and a widget), opened from the copies
    `tfteach lessons` made, with no cell run: every stored drawing and widget view is shown,
    not the text JupyterLab puts in place of untrusted output. A hand copy of lesson 02 (not
    signed) shows none: the count is not vacuous."""
    from playwright.sync_api import sync_playwright
    base, tmp, work = lessons_lab
    # the notary trusts content, not paths: the control copy differs by one metadata key
    nb = json.loads((work / "02_graphs_ops_tensors.ipynb").read_text(encoding="utf-8"))
    nb["metadata"]["copied_by_hand"] = True
    (work / "hand_copy_02.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    cases = [("02_graphs_ops_tensors.ipynb", 7, 0), ("05_variables_state.ipynb", 1, 1),
             ("hand_copy_02.ipynb", 0, 0)]
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        try:
            for name, svgs, widgets in cases:
                stored = _stored(work / name, "image/svg+xml")
                assert stored >= svgs
                page.goto(f"{base}/lab/tree/{name}?reset&token={TOKEN}")
                page.wait_for_selector(f"{CURRENT} .jp-Cell", timeout=60000)
                # no news pop-up: `tfteach lessons` switched it off
                deadline = time.time() + 30
                while time.time() < deadline and _rendered_svgs(page) < svgs:
                    time.sleep(0.25)
                # scroll through the notebook: JupyterLab may attach far cells lazily
                for _ in range(40):
                    page.keyboard.press("PageDown")
                page.wait_for_timeout(500)
                expected = stored if name != "hand_copy_02.ipynb" else 0
                assert _rendered_svgs(page) == expected, (name, _rendered_svgs(page), stored)
                if widgets:
                    views = page.locator(f"{CURRENT} .jp-OutputArea-output "
                                         ".tfteach-variable-inspector")
                    views.first.wait_for(timeout=30000)
                    assert views.count() == widgets
                    assert "Error displaying widget" not in page.locator(CURRENT).inner_text()
                assert page.locator(".jp-Notification-Toast").count() == 0 or \
                    "news" not in page.locator(".jp-Notification-Toast").first.inner_text()
                page.screenshot(path=str(tmp / (name + ".png")), full_page=True)
        except BaseException:
            page.screenshot(path=str(tmp / "failure.png"), full_page=True)
            print(f"failure screenshot: {tmp / 'failure.png'}")
            raise
        finally:
            browser.close()


def _wait_kernel(base, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            ks = _get(f"{base}/api/kernels?token={TOKEN}")
        except urllib.error.HTTPError as e:
            # jupyter_server answers 500 while a kernel is half started (its model reads
            # `last_activity` before the activity watcher sets it): ask again.
            if e.code < 500:
                raise
            time.sleep(0.25)
            continue
        if ks and ks[0].get("execution_state") == "idle" and ks[0].get("connections", 0) >= 1:
            return
        time.sleep(0.25)
    raise AssertionError("the kernel never became idle and connected")


def _run_cell(page, index, base):
    """Shift+Enter on cell `index` until its prompt shows it ran (the first key press can be
    lost while the kernel connects)."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputArea-prompt")
    for _attempt in range(4):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        deadline = time.time() + 30
        while time.time() < deadline:
            text = prompt.inner_text().strip()
            if text.startswith("[") and text not in ("[ ]:", "[*]:"):
                return cell
            time.sleep(0.2)
    raise AssertionError(f"cell {index} did not run; prompt {prompt.inner_text()!r}")


def test_graph_cell_and_widget_render_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright
    base, tmp = lab
    shot = tmp / "jupyterlab-tfteach.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"{base}/lab/tree/viz.ipynb?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
            _wait_kernel(base)
            for i in range(len(CELLS)):
                _run_cell(page, i, base)
                errors = page.locator(".jp-Cell").nth(i).locator(
                    "[data-mime-type='application/vnd.jupyter.stderr']")
                assert errors.count() == 0, errors.first.inner_text()
            # the %%graph drawing: JupyterLab shows SVG outputs as an <img> with a data URI;
            # the SVG it carries has the scope cluster, the nodes and the edge labels
            img = page.locator(".jp-Cell").nth(1).locator(".jp-RenderedSVG img").first
            img.wait_for(timeout=30000)
            assert img.evaluate("i => i.complete && i.naturalWidth") > 100   # it was drawn
            svg = urllib.parse.unquote(img.get_attribute("src").split(",", 1)[1])
            assert '<g id="scope:layer" class="cluster scope plain">' in svg
            assert svg.count('class="node') == 7
            for text in (">Placeholder</text>", ">VariableV2</text>", ">float32 (?, 3)</text>"):
                assert text in svg
            # the widget cell: the explorer with its op list, details and highlighted drawing
            widget = page.locator(".jp-Cell").nth(2).locator(".tfteach-graph-explorer")
            widget.wait_for(timeout=30000)
            assert widget.locator(".tfteach-op-list select option").count() == 7
            assert widget.locator(".tfteach-op-list select").input_value() == "layer/y"
            assert "Mul" in widget.inner_text() and "layer/y" in widget.inner_text()
            widget.locator("svg g.node.current").wait_for(state="attached", timeout=30000)
            assert widget.locator("svg g.node.current").get_attribute("id") == "op:layer/y"
            # clicking an op in the list updates the kernel-side state and the details
            widget.locator(".tfteach-op-list select").select_option("loss")
            page.wait_for_function(
                "() => document.querySelector('.tfteach-graph-explorer svg g.node.current')"
                "?.id === 'op:loss'", timeout=30000)
            assert "Square" in widget.inner_text()
            page.screenshot(path=str(shot), full_page=True)
        except BaseException:
            page.screenshot(path=str(tmp / "failure.png"), full_page=True)
            print(f"failure screenshot: {tmp / 'failure.png'}")
            raise
        finally:
            browser.close()
    assert shot.stat().st_size > 10000
    print(f"screenshot: {shot}")
