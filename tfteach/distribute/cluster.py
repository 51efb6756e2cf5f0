"""TF1's cluster API: `tf.train.ClusterSpec`, `tf.distribute.Server`, and
`tf.train.replica_device_setter`, with TF 2.21's behaviour (tests/data/distributed_tf.json).

A Server here is one task of an in-process teaching cluster (backend.py starts a Dask
worker named after the task); its `target` is `grpc://<its address>` as in TF, and a
`Session(server.target)` finds the cluster through it.
"""
import socket

__all__ = ["ClusterSpec", "ClusterDef", "Server", "ServerDef", "replica_device_setter"]


class ClusterDef:
    """TF's ClusterDef message: `job` entries with `name` and `tasks` {index: address}."""

    class Job:
        def __init__(self, name, tasks):
            self.name = name
            self.tasks = dict(tasks)

    def __init__(self, jobs=()):
        self.job = [ClusterDef.Job(n, t) for n, t in jobs]

    def __str__(self):
        out = []
        for j in self.job:
            out.append("job {\n")
            out.append(f'  name: "{j.name}"\n')
            for k in sorted(j.tasks):
                out.append(f'  tasks {{\n    key: {k}\n    value: "{j.tasks[k]}"\n  }}\n')
            out.append("}\n")
        return "".join(out)

    __repr__ = __str__

    def __eq__(self, other):
        return isinstance(other, ClusterDef) and str(self) == str(other)


class ClusterSpec:
    """A set of jobs, each a list of task addresses (or a dict {task index: address})."""

    def __init__(self, cluster):
        if isinstance(cluster, dict):
            self._cluster_spec = {}
            for job, tasks in cluster.items():
                if isinstance(tasks, (list, tuple)):
                    self._cluster_spec[job] = {i: t for i, t in enumerate(tasks)}
                elif isinstance(tasks, dict):
                    self._cluster_spec[job] = {int(i): t for i, t in tasks.items()}
                else:
                    raise TypeError(f"The tasks for job '{job}' must be a list or a "
                                    f"dictionary from integers to strings.")
        elif isinstance(cluster, ClusterSpec):
            self._cluster_spec = {j: dict(t) for j, t in cluster._cluster_spec.items()}
        elif isinstance(cluster, ClusterDef):
            self._cluster_spec = {j.name: dict(j.tasks) for j in cluster.job}
        else:
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to "
                            "lists of network addresses, or a `ClusterDef` protocol buffer")

    def __bool__(self):
        return bool(self._cluster_spec)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self._cluster_spec == other._cluster_spec

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        return f"ClusterSpec({self.as_dict()!r})"

    def as_dict(self):
        """{job: [addresses]} where a job's indices are 0..n-1, else {job: {index: address}}."""
        out = {}
        for job in self.jobs:
            tasks = self._cluster_spec[job]
            idx = sorted(tasks)
            if idx == list(range(len(idx))):
                out[job] = [tasks[i] for i in idx]
            else:
                out[job] = {i: tasks[i] for i in idx}
        return out

    def as_cluster_def(self):
        return ClusterDef([(j, self._cluster_spec[j]) for j in self.jobs])

    @property
    def jobs(self):
        return sorted(self._cluster_spec)

    def _job(self, job_name):
        try:
            return self._cluster_spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name):
        return len(self._job(job_name))

    def task_indices(self, job_name):
        return sorted(self._job(job_name))

    def task_address(self, job_name, task_index):
        tasks = self._job(job_name)
        try:
            return tasks[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index} in job '{job_name}'") from None

    def job_tasks(self, job_name):
        """Addresses by index, None where an index has no task."""
        tasks = self._job(job_name)
        out = [None] * (max(tasks) + 1 if tasks else 0)
        for i, a in tasks.items():
            out[i] = a
        return out

    def device_names(self):
        """Every task's CPU device, fully named (TF lists one CPU per task)."""
        return sorted(f"/job:{j}/replica:0/task:{i}/device:CPU:0"
                      for j in self.jobs for i in self._cluster_spec[j])


class ServerDef:
    """TF's ServerDef message: the cluster, this task's job and index, the protocol."""

    def __init__(self, cluster, job_name, task_index, protocol="grpc", default_session_config=None):
        self.cluster = cluster
        self.job_name = job_name
        self.task_index = task_index
        self.protocol = protocol
        self.default_session_config = default_session_config

    def __str__(self):
        inner = str(self.cluster).replace("\n", "\n  ").rstrip(" ")
        out = "cluster {\n  " + inner + "}\n" + f'job_name: "{self.job_name}"\n'
        if self.task_index:
            out += f"task_index: {self.task_index}\n"
        if self.default_session_config is not None and str(self.default_session_config):
            cfg = str(self.default_session_config).replace("\n", "\n  ").rstrip(" ")
            out += "default_session_config {\n  " + cfg + "}\n"
        return out + f'protocol: "{self.protocol}"\n'

    __repr__ = __str__


def _free_port():
    s = socket.socket()
    s.bind(("localhost", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One task of a cluster: `Server(cluster, job_name=None, task_index=None,
    protocol=None, config=None, start=True)`.

    tfteach runs the task as a Dask worker named `/job:J/task:i` of an in-process cluster
    shared by every Server of the same ClusterSpec (backend.py); `target` is
    `grpc://<address>` as in TF, which `Session(target)` accepts."""

    def __init__(self, server_or_cluster_def, job_name=None, task_index=None, protocol=None,
                 config=None, start=True):
        if isinstance(server_or_cluster_def, ServerDef):
            sd = server_or_cluster_def
            spec, job_name, task_index = ClusterSpec(sd.cluster), sd.job_name, sd.task_index
            protocol = sd.protocol
        else:
            spec = ClusterSpec(server_or_cluster_def)
            if job_name is None:
                if len(spec.jobs) == 1 and spec.num_tasks(spec.jobs[0]) == 1:
                    job_name = spec.jobs[0]
                else:
                    raise ValueError("Must specify an explicit `job_name`.")
            spec._job(job_name)
            if task_index is None:
                if spec.num_tasks(job_name) == 1:
                    task_index = spec.task_indices(job_name)[0]
                else:
                    raise ValueError("Must specify an explicit `task_index`.")
        self._address = spec.task_address(job_name, task_index)
        self._spec = spec
        self._server_def = ServerDef(spec.as_cluster_def(), job_name, task_index,
                                     protocol or "grpc", config)
        self._config = config
        self._started = False
        if start:
            self.start()

    @property
    def server_def(self):
        return self._server_def

    @property
    def target(self):
        address = self._address
        if address.endswith(":0"):       # create_local_server: a port picked when started
            address = self._bound
        return f"grpc://{address}"

    def start(self):
        """Starts this task's worker (idempotent)."""
        if self._started:
            return
        if self._address.endswith(":0"):
            self._bound = f"{self._address.rsplit(':', 1)[0]}:{_free_port()}"
        from . import backend
        backend.start_task(self._spec, self._server_def.job_name,
                           self._server_def.task_index,
                           getattr(self, "_bound", self._address))
        self._started = True

    def join(self):
        """Blocks until the task's worker stops (for a script that only serves a task)."""
        from . import backend
        backend.join_task(self._spec, self._server_def.job_name, self._server_def.task_index)

    def stop(self):
        """Stops this task's worker: later runs that need it fail with UnavailableError."""
        from . import backend
        backend.stop_task(self._spec, self._server_def.job_name, self._server_def.task_index)
        self._started = False

    def _repr_html_(self):
        # a notebook view beside TF's plain repr: the task, its target, and Dask's dashboard
        import html
        sd = self._server_def
        rows = [("task", f"/job:{sd.job_name}/task:{sd.task_index}"),
                ("target", self.target if self._started else "(not started)"),
                ("cluster", ", ".join(f"{j}: {self._spec.num_tasks(j)}"
                                      for j in self._spec.jobs))]
        body = "".join(f"<tr><td>{k}</td><td><code>{html.escape(v)}</code></td></tr>"
                       for k, v in rows)
        dash = ""
        if self._started:
            from .backend import dashboard
            try:
                dash = dashboard(self.target)._repr_html_()
            except Exception:  # noqa: BLE001 - a repr never fails for the dashboard's sake
                dash = ""
        return f'<table class="tfteach-server">{body}</table>{dash}'

    @staticmethod
    def create_local_server(config=None, start=True):
        """A one-task cluster `{"localhost": ["localhost:0"]}` on a port picked when started."""
        return Server({"localhost": ["localhost:0"]}, protocol="grpc", config=config,
                      start=start)


# --- replica_device_setter ----------------------------------------------------------------
# TF's list: ops that hold state a PS keeps
STANDARD_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable",
                   "MutableHashTableV2", "MutableHashTableOfTensors",
                   "MutableHashTableOfTensorsV2", "MutableDenseHashTable",
                   "MutableDenseHashTableV2", "VarHandleOp", "BoostedTreesEnsembleResourceHandleOp",
                   "BoostedTreesQuantileStreamResourceHandleOp",
                   "ResourceConditionalAccumulator", "DecisionTreeResource")


class _RoundRobinStrategy:
    def __init__(self, num_tasks):
        self._num_tasks = num_tasks
        self._next_task = 0

    def __call__(self, unused_op):
        task = self._next_task
        self._next_task = (self._next_task + 1) % self._num_tasks
        return task


def _parse(spec):
    from ..framework.ops import _parse_device_spec
    return _parse_device_spec(spec or "")


def _string(fields):
    from ..framework.ops import _device_spec_string
    return _device_spec_string(fields)


class _ReplicaDeviceChooser:
    def __init__(self, ps_tasks, ps_device, worker_device, merge_devices, ps_ops,
                 ps_strategy):
        self._ps_tasks = ps_tasks
        self._ps_device = ps_device
        self._worker_device = worker_device
        self._merge_devices = merge_devices
        self._ps_ops = ps_ops
        self._ps_strategy = ps_strategy

    def device_function(self, op):
        """The device of `op`: a PS task (round robin) for the ops in ps_ops, the worker
        device for the rest; fields the op names already win."""
        if not self._merge_devices and op.device:
            return op.device
        current = _parse(op.device)
        if self._ps_tasks and self._ps_device and op.type in self._ps_ops:
            ps = _parse(self._ps_device)
            if "job" in ps and ("job" not in current or current["job"] == ps["job"]):
                ps["task"] = str(self._ps_strategy(op))
            ps.update(current)
            return _string(ps)
        worker = _parse(self._worker_device)
        worker.update(current)
        return _string(worker)


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker",
                          merge_devices=True, cluster=None, ps_ops=None, ps_strategy=None):
    """A device function for `tf.device`: variables round-robin over the PS tasks, every
    other op on the worker (between-graph replication's placement)."""
    if cluster is not None:
        if isinstance(cluster, ClusterSpec):
            cluster_spec = cluster.as_dict()
        else:
            cluster_spec = ClusterSpec(cluster).as_dict()
        ps_job = _parse(ps_device).get("job", "ps")
        if ps_job not in cluster_spec or cluster_spec[ps_job] is None:
            return None
        ps_tasks = len(cluster_spec[ps_job])
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(STANDARD_PS_OPS)
    if not merge_devices:
        import warnings
        warnings.warn("DEPRECATION: It is recommended to set merge_devices=true in "
                      "replica_device_setter")
    if ps_strategy is None:
        ps_strategy = _RoundRobinStrategy(ps_tasks)
    if not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    chooser = _ReplicaDeviceChooser(ps_tasks, ps_device, worker_device, merge_devices,
                                    ps_ops, ps_strategy)
    return chooser.device_function
