"""Dask under the cluster: where tasks run and how a session reaches them.

- Embedded (the default): every `tf.distribute.Server` of one ClusterSpec joins one
  in-process Dask cluster (a `SpecCluster` of in-process `Worker`s, as `LocalCluster(
  processes=False)` builds, started on first use in ~0.1 s); each task is a worker named
  `/job:J/task:i`; `Session("grpc://<task address>")` finds it by the address.
- A real cluster: start `dask scheduler`, then one `dask worker <scheduler> --name
  /job:ps/task:0 --nthreads 1` per task (any machines), and open
  `Session("dask://<scheduler host>:<port>")`. The tasks are the workers whose names are
  `/job:J/task:i`; the client device is /job:worker/task:0 when there is one.

Dask is imported here only, when a cluster is first used (`pip install tfteach[distributed]`).
"""
import logging
import threading
import time

from .. import errors

__all__ = ["start_task", "stop_task", "join_task", "connect", "ClusterHandle", "dashboard",
           "Dashboard", "DASHBOARD_HINT"]

_LOCK = threading.RLock()
_EMBEDDED = {}          # spec key -> _Embedded
_TARGETS = {}           # "grpc://host:port" -> (_Embedded, task name)
_REMOTE = {}            # "dask://host:port" -> Client


def _dask():
    try:
        import distributed
    except ImportError:
        raise ImportError("tfteach's clusters run on Dask: pip install 'tfteach[distributed]'"
                          ) from None
    return distributed


def _task_name(job, index):
    return f"/job:{job}/task:{index}"


def _spec_key(spec):
    return tuple((j, i, spec.task_address(j, i)) for j in spec.jobs for i in spec.task_indices(j))


class _Embedded:
    """One in-process Dask cluster for one ClusterSpec."""

    def __init__(self, spec):
        distributed = _dask()
        # a teaching cluster in a notebook: Dask's INFO chatter (workers joining, closing)
        # would fill the cells' outputs
        for name in ("distributed", "distributed.scheduler", "distributed.core",
                     "distributed.worker", "distributed.nanny"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.spec = spec
        t0 = time.perf_counter()
        self.cluster = distributed.SpecCluster(
            workers={}, scheduler={"cls": distributed.Scheduler,
                                   "options": {"dashboard_address": ":0",
                                               "protocol": "inproc://"}},
            asynchronous=False, silence_logs=logging.ERROR, name="tfteach")
        self.client = distributed.Client(self.cluster, set_as_default=False,
                                         direct_to_workers=True)
        self.started_s = time.perf_counter() - t0

    def add(self, name):
        distributed = _dask()
        # in-process comms (no sockets): what LocalCluster(processes=False) uses
        self.cluster.worker_spec[name] = {"cls": distributed.Worker,
                                          "options": {"nthreads": 1, "name": name,
                                                      "protocol": "inproc://"}}
        self.cluster.sync(self.cluster._correct_state)

    def remove(self, name):
        if self.cluster.worker_spec.pop(name, None) is not None:
            self.cluster.sync(self.cluster._correct_state)


def shutdown():
    """Closes every embedded cluster and remote client (at interpreter exit)."""
    with _LOCK:
        # every client before any cluster: a client whose scheduler went first would try
        # to reconnect while the interpreter exits
        embedded = list(_EMBEDDED.values())
        for c in [e.client for e in embedded] + [e.cluster for e in embedded]:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        _EMBEDDED.clear()
        _TARGETS.clear()
        for c in list(_REMOTE.values()):
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass
        _REMOTE.clear()


def start_task(spec, job, index, address):
    with _LOCK:
        key = _spec_key(spec)
        emb = _EMBEDDED.get(key)
        if emb is None:
            if not _EMBEDDED and not _REMOTE:
                import atexit
                atexit.register(shutdown)
            emb = _EMBEDDED[key] = _Embedded(spec)
        name = _task_name(job, index)
        if name not in emb.cluster.worker_spec:
            emb.add(name)
        _TARGETS[f"grpc://{address}"] = (emb, name)


def stop_task(spec, job, index):
    """Stops the task's worker; its variables go with it (a restarted task starts empty, as
    a restarted TF server does: restore them from a checkpoint)."""
    with _LOCK:
        emb = _EMBEDDED.get(_spec_key(spec))
        if emb is not None:
            name = _task_name(job, index)
            emb.remove(name)
            from . import worker
            worker.forget_task(name)


def disconnect(target):
    """Closes this process's client of the Dask cluster at `target` ('dask://host:port'),
    before that cluster goes away."""
    with _LOCK:
        client = _REMOTE.pop(target, None)
    if client is not None:
        client.close()


def join_task(spec, job, index):
    emb = _EMBEDDED.get(_spec_key(spec))
    name = _task_name(job, index)
    while emb is not None and name in emb.cluster.worker_spec:
        time.sleep(0.5)


class ClusterHandle:
    """What a session's master needs: the Dask client, the cluster's devices, the task the
    session talks to (its client device), and whether each task is up."""

    def __init__(self, client, devices, client_device, dashboard=None):
        self.client = client
        self.devices = devices
        self.client_device = client_device
        self.dashboard = dashboard

    def live_tasks(self):
        info = self.client.scheduler_info(n_workers=-1) \
            if "n_workers" in _scheduler_info_args(self.client) else \
            self.client.scheduler_info()
        return {w.get("name") for w in info["workers"].values()}

    def wait_for(self, tasks, timeout):
        """Waits until every task in `tasks` has its worker; else UnavailableError."""
        deadline = time.monotonic() + timeout
        while True:
            missing = sorted(set(tasks) - self.live_tasks())
            if not missing:
                return
            if time.monotonic() >= deadline:
                raise errors.UnavailableError(
                    None, None, f"Task {missing[0]} is unavailable: no worker named "
                                f"{missing[0]} answered within {timeout * 1000:.0f} ms "
                                f"(operation_timeout_in_ms). Start it (a tf.distribute.Server "
                                f"for that task, or `dask worker ... --name {missing[0]}`).")
            time.sleep(0.02)


def _scheduler_info_args(client):
    import inspect
    try:
        return inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):
        return {}


def _devices(tasks):
    from ..framework.ops import _parse_device_spec
    out = []
    for t in tasks:
        f = _parse_device_spec(t)
        out.append(f"/job:{f['job']}/replica:0/task:{f['task']}/device:CPU:0")
    return sorted(out)


def connect(target, timeout):
    """A ClusterHandle for `target` ('grpc://host:port' of an embedded task, or
    'dask://host:port' of a Dask scheduler)."""
    if target.startswith("dask://"):
        distributed = _dask()
        with _LOCK:
            client = _REMOTE.get(target)
            if client is None or client.status != "running":
                try:
                    client = distributed.Client(target[len("dask://"):], timeout=timeout,
                                                set_as_default=False, direct_to_workers=True)
                except OSError as e:
                    raise errors.UnavailableError(
                        None, None, f"Cannot reach the Dask scheduler at {target}: {e}"
                    ) from None
                if not _EMBEDDED and not _REMOTE:
                    import atexit
                    atexit.register(shutdown)
                _REMOTE[target] = client
        handle = ClusterHandle(client, [], None, client.dashboard_link)
        names = sorted(n for n in handle.live_tasks()
                       if isinstance(n, str) and n.startswith("/job:") and "/task:" in n)
        if not names:
            raise errors.UnavailableError(
                None, None, f"No worker of the Dask cluster at {target} is named after a task "
                            f"(start them with `dask worker ... --name /job:worker/task:0`)")
        handle.devices = _devices(names)
        first = "/job:worker/task:0" if "/job:worker/task:0" in names else names[0]
        handle.client_device = _devices([first])[0]
        return handle
    with _LOCK:
        found = _TARGETS.get(target)
    if found is None:
        raise errors.UnavailableError(
            None, None, f"No server at {target}: create a tf.distribute.Server (or "
                        f"tf.distribute.Server.create_local_server()) first, or connect to a "
                        f"Dask cluster with Session('dask://host:port')")
    emb, task = found
    spec = emb.spec
    names = [_task_name(j, i) for j in spec.jobs for i in spec.task_indices(j)]
    return ClusterHandle(emb.client, _devices(names), _devices([task])[0],
                         emb.client.dashboard_link)


# --- Dask's dashboard -----------------------------------------------------------------------
# Without bokeh a Dask scheduler still serves HTTP on its dashboard port, but /status is only
# a page saying bokeh is missing: a link there would look broken, so say how to get it instead
BOKEH_MIN = (3, 1)
DASHBOARD_HINT = ("Dask's dashboard needs bokeh on the scheduler: pip install 'bokeh>=3.1' "
                  "(then restart the kernel and start the cluster again)")


def has_bokeh():
    """Whether this process can serve Dask's dashboard (bokeh, a version Dask accepts)."""
    import importlib.util
    from importlib import metadata
    import re
    if importlib.util.find_spec("bokeh") is None:
        return False
    try:
        version = metadata.version("bokeh")
    except metadata.PackageNotFoundError:
        return False
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]]
    return tuple(parts) >= BOKEH_MIN


class Dashboard:
    """Where Dask's dashboard of a cluster is (`url`), or why there is none (`hint`). Shown
    as a link in a notebook; `str()` is one line."""

    def __init__(self, url, hint=None):
        self.url = url
        self.hint = hint

    @property
    def available(self):
        return self.url is not None

    def __str__(self):
        if self.url:
            return f"Dask dashboard: {self.url}"
        return f"Dask dashboard: not available. {self.hint}"

    __repr__ = __str__

    def _repr_html_(self):
        import html
        if self.url:
            u = html.escape(self.url, quote=True)
            return (f'<p class="tfteach-dashboard">Dask dashboard: <a href="{u}" '
                    f'target="_blank">{html.escape(self.url)}</a> (the task stream, each '
                    f'worker\'s memory and CPU)</p>')
        return (f'<p class="tfteach-dashboard">Dask dashboard: not available. '
                f"{html.escape(self.hint or '')}</p>")


def _scheduler_has_bokeh(dask_scheduler=None):
    return has_bokeh()


def dashboard(where):
    """The Dask dashboard of the cluster behind `where`: a `tf.distribute.Server`, a
    `Session` on a cluster, or a target ('grpc://host:port', 'dask://host:port')."""
    if isinstance(where, str):
        target = where
    elif hasattr(where, "sess_str"):        # a Session: the target it was opened on
        target = where.sess_str
    else:
        target = getattr(where, "target", None)
    if target == "":
        raise ValueError("a local Session (target '') runs on no cluster: there is no Dask "
                         "dashboard to show")
    if not isinstance(target, str) or "://" not in target:
        raise TypeError(f"dashboard() takes a Server, a Session on a cluster or a target "
                        f"string, not {type(where).__name__}")
    if target.startswith("dask://"):
        with _LOCK:
            client = _REMOTE.get(target)
        if client is None:
            client = connect(target, 5.0).client
        try:
            ok = client.run_on_scheduler(_scheduler_has_bokeh)
        except Exception:  # noqa: BLE001 - a scheduler that cannot run it: no claim made
            ok = False
        services = client.scheduler_info().get("services", {})
    else:
        with _LOCK:
            found = _TARGETS.get(target)
        if found is None:
            raise errors.UnavailableError(
                None, None, f"No server at {target}: a dashboard needs a running cluster")
        client = found[0].client
        ok = has_bokeh()          # the embedded scheduler runs in this process
        services = client.scheduler_info().get("services", {})
    if not ok:
        return Dashboard(None, DASHBOARD_HINT)
    if "dashboard" not in services:
        return Dashboard(None, "the scheduler was started without a dashboard "
                               "(dask scheduler --dashboard-address :8787 starts one)")
    return Dashboard(client.dashboard_link)
