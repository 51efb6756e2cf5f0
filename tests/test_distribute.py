"""Distributed TF1 on Dask (tfteach/distribute): the cluster API, the master's partitions
and the steps they run, pinned to TF 2.21's recorded behaviour
(tests/data/distributed_tf.json, recorded by tools/record_distributed.py: in-process TF
servers, Grappler and the graph optimizer off, reference variables)."""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

import tfteach.v1 as tf
from tfteach import errors

pytestmark = pytest.mark.mode("v1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "tests", "data", "distributed_tf.json")) as _f:
    TF = json.load(_f)


@pytest.fixture(scope="module")
def cluster():
    """ps:2, worker:2 (the recording's cluster); the session connects to worker 0."""
    spec = tf.train.ClusterSpec({"ps": ["localhost:3222", "localhost:3223"],
                                 "worker": ["localhost:3224", "localhost:3225"]})
    servers = [tf.distribute.Server(spec, job_name=j, task_index=i)
               for j, i in [("ps", 0), ("ps", 1), ("worker", 0), ("worker", 1)]]
    return spec, servers, servers[2].target


# --- the API ---------------------------------------------------------------------------------
def test_cluster_spec_as_tf():
    rec = TF["cluster_spec"]
    cs = tf.train.ClusterSpec({"ps": ["localhost:2222"],
                               "worker": ["localhost:2223", "localhost:2224"]})
    assert cs.jobs == rec["jobs"]
    assert cs.as_dict() == rec["as_dict"]
    assert cs.num_tasks("worker") == rec["num_tasks_worker"]
    assert cs.task_indices("ps") == rec["task_indices_ps"]
    assert cs.task_address("worker", 1) == rec["task_address"]
    assert str(cs.as_cluster_def()) == rec["cluster_def"]
    assert repr(cs) == rec["repr"]
    assert (cs == tf.train.ClusterSpec(cs.as_cluster_def())) is rec["eq"]
    sparse = tf.train.ClusterSpec({"worker": {1: "a:1", 3: "b:2"}})
    assert {k: {str(i): a for i, a in v.items()} for k, v in sparse.as_dict().items()} == \
        rec["sparse_as_dict"]
    assert sparse.task_indices("worker") == rec["sparse_indices"]
    assert sparse.num_tasks("worker") == rec["sparse_num_tasks"]
    assert sparse.job_tasks("worker") == rec["job_tasks_sparse"]
    assert bool(tf.train.ClusterSpec({})) is rec["bool_empty"]
    bad = {"no_job": lambda: cs.task_address("foo", 0),
           "no_task": lambda: cs.task_address("worker", 5),
           "num_tasks_no_job": lambda: cs.num_tasks("x"),
           "task_indices_no_job": lambda: cs.task_indices("x"),
           "bad_type": lambda: tf.train.ClusterSpec([1]),
           "bad_tasks": lambda: tf.train.ClusterSpec({"a": 3})}
    for key, f in bad.items():
        with pytest.raises(Exception) as e:
            f()
        assert [type(e.value).__name__, str(e.value)] == rec[key], key


def test_server_def_and_targets():
    rec = TF["cluster_spec"]
    spec = tf.train.ClusterSpec({"worker": ["localhost:4311"]})
    s = tf.distribute.Server(spec, job_name="worker", task_index=0, start=False)
    assert str(s.server_def).replace("localhost:4311", "localhost:PORT") == rec["server_def"]
    assert s.target == "grpc://localhost:4311"
    local = tf.train.Server.create_local_server()
    assert re.fullmatch(r"grpc://localhost:\d+", local.target)
    assert local.target.rsplit(":", 1)[1] != "0"
    assert 'value: "localhost:0"' in str(local.server_def)
    with pytest.raises(ValueError) as e:
        tf.distribute.Server(spec, job_name="nope")
    assert [type(e.value).__name__, str(e.value)] == rec["bad_job"]
    with pytest.raises(ValueError) as e:
        tf.distribute.Server(tf.train.ClusterSpec({"a": ["x:1"], "b": ["y:1"]}))
    assert [type(e.value).__name__, str(e.value)] == rec["no_job_name"]


def test_local_server_session_runs():
    local = tf.train.Server.create_local_server()
    g = tf.Graph()
    with g.as_default():
        c = tf.constant([1.0, 2.0]) * 3.0
    with tf.Session(local.target, graph=g) as sess:
        np.testing.assert_array_equal(sess.run(c), [3.0, 6.0])
        assert [d.name for d in sess.list_devices()] == \
            ["/job:localhost/replica:0/task:0/device:CPU:0"]


def test_replica_device_setter_devices_as_tf():
    g = tf.Graph()
    with g.as_default():
        spec = tf.train.ClusterSpec({"ps": ["a:1", "b:1", "c:1"], "worker": ["w:1"]})
        with tf.device(tf.train.replica_device_setter(cluster=spec)):
            vs = [tf.Variable(float(i), name="v%d" % i) for i in range(5)]
            s = tf.add(vs[0], vs[1], name="s")
            with tf.device("/cpu:0"):
                tf.multiply(s, 2.0, name="c")
        with tf.device(tf.train.replica_device_setter(ps_tasks=2, ps_device="/job:param",
                                                      worker_device="/job:worker/task:3")):
            u = [tf.Variable(1.0, name="u%d" % i) for i in range(3)]
            tf.add(u[0], 1.0, name="t")
        with tf.device(tf.train.replica_device_setter(ps_tasks=2,
                                                      ps_ops=["VariableV2", "Identity"])):
            tf.Variable(2.0, name="q")
        with tf.device(tf.train.replica_device_setter(0)):
            tf.constant(1.0, name="nosetter")
    got = {op.name: op.device for op in g.get_operations()}
    assert {k: got.get(k) for k in TF["setter_devices"]} == TF["setter_devices"]


def test_device_scopes_merge_as_tf():
    for scopes, want in TF["merged_devices"]:
        g = tf.Graph()
        with g.as_default(), contextlib.ExitStack() as st:
            for d in scopes:
                st.enter_context(tf.device(d))
            c = tf.constant(1.0)
        assert c.op.device == want, scopes


# --- the master's partitions ---------------------------------------------------------------
def _model_parallel(x_task):
    def build():
        with tf.device("/job:ps/task:0"):
            w = tf.Variable([[1.0], [2.0]], name="w")
            b = tf.Variable([0.5], name="b")
        with tf.device("/job:worker/task:%d" % x_task):
            x = tf.placeholder(tf.float32, [None, 2], name="x")
        with tf.device("/job:worker/task:0"):
            y = tf.add(tf.matmul(x, w), b, name="y")
        with tf.device("/job:worker/task:1"):
            tf.reduce_sum(y * 2.0, name="z")
    return build


def _ps_worker_train():
    with tf.device(tf.train.replica_device_setter(ps_tasks=2,
                                                  worker_device="/job:worker/task:0")):
        x = tf.placeholder(tf.float32, [None, 1], name="x")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
        w = tf.Variable([[0.5]], name="lr_w")
        b = tf.Variable([0.25], name="lr_b")
        pred = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.square(pred - y), name="loss")
        tf.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")


def _control_edge():
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(1.0, name="v")
        bump = tf.assign_add(v, 1.0, name="bump")
    with tf.device("/job:worker/task:1"):
        with tf.control_dependencies([bump]):
            tf.add(tf.constant(3.0, name="c"), 1.0, name="after")


def _run_case(target, case, build, prefix):
    """Runs the recorded case in a fresh graph; variables are renamed with `prefix` (PS
    variables outlive sessions: each test keeps its own), so are node names compared."""
    rec = TF[case]
    g = tf.Graph()
    with g.as_default(), tf.name_scope(None):
        build()
        init = tf.global_variables_initializer()
    md = tf.RunMetadata()
    with tf.Session(target, graph=g) as sess:
        sess.run(init)
        feed = {g.get_tensor_by_name(k): v for k, v in rec["feeds"].items()}
        fetches = [g.as_graph_element(f) for f in rec["fetch"]]
        values = sess.run(fetches, feed,
                          options=tf.RunOptions(output_partition_graphs=True),
                          run_metadata=md)
    return rec, values, md


def _sr(node):
    a = node["attr"] if isinstance(node, dict) else node.attr
    out = {k: a[k] for k in ("send_device", "recv_device", "client_terminated", "_src", "_dst")
           if k in a}
    out["tensor"] = re.sub(r"^edge_\d+_", "edge_N_", a["tensor_name"])
    return out


def _by_device(parts, tf_side):
    out = {}
    for p in parts:
        nodes = p if tf_side else [{"name": n.name, "op": n.op, "input": list(n.input),
                                    "device": n.device, "attr": n.attr} for n in p.node]
        for n in nodes:
            out.setdefault(n["device"], {})[n["name"]] = n
    return out


def _compare_partitions(rec_parts, md_parts, only=None):
    want, got = _by_device(rec_parts, True), _by_device(md_parts, False)
    assert sorted(want) == sorted(got)
    for dev in want:
        names = [n for n in want[dev] if only is None or only(want[dev][n])]
        for name in names:
            w = want[dev][name]
            assert name in got[dev], (dev, name, sorted(got[dev]))
            g = got[dev][name]
            assert g["op"] == w["op"], name
            data_w = [i for i in w["input"] if not i.startswith("^")]
            data_g = [i for i in g["input"] if not i.startswith("^")]
            assert data_g == data_w, name
            assert sorted(i for i in g["input"] if i.startswith("^")) == \
                sorted(i for i in w["input"] if i.startswith("^")), name
            if w["op"] in ("_Send", "_Recv"):
                assert _sr(g) == _sr(w), name
                assert isinstance(g["attr"]["send_device_incarnation"], int)
                assert re.fullmatch(r"edge_\d+_.*|[^:]+:\d+", g["attr"]["tensor_name"])
        if only is None:
            assert sorted(got[dev]) == sorted(want[dev]), dev


def test_model_parallel_partitions_and_value_as_tf(cluster):
    rec, values, md = _run_case(cluster[2], "model_parallel", _model_parallel(0), "")
    assert [float(v) for v in values] == rec["values"]
    _compare_partitions(rec["partitions"], md.partition_graphs)


def test_feed_off_the_client_task(cluster):
    rec, values, md = _run_case(cluster[2], "feed_off_client", _model_parallel(1), "")
    np.testing.assert_array_equal(values[0], rec["values"][0])
    _compare_partitions(rec["partitions"], md.partition_graphs)


def test_control_edge_across_tasks_as_tf(cluster):
    rec, values, md = _run_case(cluster[2], "control_edge", _control_edge, "")
    assert [float(v) for v in values] == rec["values"]
    _compare_partitions(rec["partitions"], md.partition_graphs)


def test_ps_worker_training_step_partitions_as_tf(cluster):
    """The gradient ops are tfteach's own (compared elsewhere); here the cut: every Send,
    Recv, the PS partitions whole, the per-device NoOps and the replicated learning rate."""
    rec, values, md = _run_case(cluster[2], "ps_worker_train", _ps_worker_train, "")
    assert float(values[0]) == rec["values"][0]
    _compare_partitions(rec["partitions"], md.partition_graphs,
                        only=lambda n: "/job:ps/" in n["device"] or
                        n["op"] in ("_Send", "_Recv") or n["name"].startswith("train"))


def test_placement_log_and_devices_as_tf(cluster, capsys):
    g = tf.Graph()
    with g.as_default():
        _model_parallel(0)()
        init = tf.global_variables_initializer()
    with tf.Session(cluster[2], graph=g,
                    config=tf.ConfigProto(log_device_placement=True)) as sess:
        sess.run(init)
        names = sorted(d.name for d in sess.list_devices())
    out = capsys.readouterr().out.splitlines()
    assert out == TF["model_parallel"]["placement_log"]
    assert names == sorted(n for n, _ in TF["list_devices"])


def test_ps_variables_outlive_sessions_as_tf(cluster):
    def build():
        with tf.device("/job:ps/task:1"):
            return tf.Variable(10.0, name="shared")
    g1 = tf.Graph()
    with g1.as_default():
        v = build()
        bump = tf.assign_add(v, 5.0)
    with tf.Session(cluster[2], graph=g1) as s1:
        s1.run(v.initializer)
        s1.run(bump)
    g2 = tf.Graph()
    with g2.as_default():
        v = build()
    with tf.Session(cluster[2], graph=g2) as s2:
        assert float(s2.run(v)) == TF["shared_state"]


@pytest.mark.parametrize("case,device", [("unknown_job", "/job:foo/task:0"),
                                         ("unknown_task", "/job:worker/task:7")])
def test_unknown_job_or_task_as_tf(cluster, case, device):
    g = tf.Graph()
    with g.as_default():
        with tf.device(device):
            c = tf.add(tf.constant(1.0, name="a"), 2.0, name="bad")
    with tf.Session(cluster[2], graph=g) as sess:
        with pytest.raises(errors.InvalidArgumentError) as e:
            sess.run(c)
    assert [type(e.value).__name__, e.value.message] == TF["errors"][case]


def test_down_task_is_unavailable_not_a_hang():
    """TF 2.21 waits for a task that never started, whatever operation_timeout_in_ms says
    (recorded: its master logs the task every 10 s); tfteach names it and stops waiting."""
    assert TF["down_task"]["hung_after_s"] and TF["down_task"]["log"] == [
        "CreateSession still waiting for response from worker: /job:ps/replica:0/task:0"]
    spec = tf.train.ClusterSpec({"worker": ["localhost:4411"], "ps": ["localhost:4412"]})
    server = tf.distribute.Server(spec, job_name="worker", task_index=0)
    g = tf.Graph()
    with g.as_default():
        with tf.device("/job:ps/task:0"):
            c = tf.add(tf.constant(1.0, name="a"), 2.0, name="on_ps")
    t0 = time.monotonic()
    with tf.Session(server.target, graph=g,
                    config=tf.ConfigProto(operation_timeout_in_ms=500)) as sess:
        with pytest.raises(errors.UnavailableError, match=r"/job:ps/task:0"):
            sess.run(c)
    assert time.monotonic() - t0 < 5


def test_replica_setter_training_is_bit_identical_to_a_local_session(cluster):
    rng = np.random.RandomState(3)
    xs = rng.rand(32, 1).astype(np.float32)
    ys = (3.0 * xs + 0.5 + 0.01 * rng.randn(32, 1)).astype(np.float32)

    def build(setter):
        with tf.device(setter):
            x = tf.placeholder(tf.float32, [None, 1], name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
            w = tf.Variable([[0.1]], name="bit_w")
            b = tf.Variable([0.0], name="bit_b")
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
            train = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
        return x, y, w, b, loss, train, tf.global_variables_initializer()

    def train_in(target, setter):
        g = tf.Graph()
        with g.as_default():
            x, y, w, b, loss, train, init = build(setter)
        with tf.Session(target, graph=g) as sess:
            sess.run(init)
            losses = [sess.run([loss, train], {x: xs, y: ys})[0] for _ in range(15)]
            return losses, sess.run([w, b])

    setter = tf.train.replica_device_setter(cluster=cluster[0],
                                            worker_device="/job:worker/task:0")
    dist = train_in(cluster[2], setter)
    local = train_in("", None)
    np.testing.assert_array_equal(np.array(dist[0]), np.array(local[0]))
    for a, b in zip(dist[1], local[1]):
        np.testing.assert_array_equal(a, b)


def test_partitions_registered_once(cluster):
    g = tf.Graph()
    with g.as_default():
        with tf.device("/job:ps/task:0"):
            a = tf.constant(2.0)
        with tf.device("/job:worker/task:1"):
            b = a * 3.0
    with tf.Session(cluster[2], graph=g) as sess:
        for _ in range(3):
            assert float(sess.run(b)) == 6.0
        assert len(sess._cluster.plans) == 1


# --- replication -------------------------------------------------------------------------------
def _regression_data(n=4, m=64, seed=7):
    """The seed's linear regression (slides: theta over scaled features plus a bias column),
    on synthetic data."""
    rng = np.random.RandomState(seed)
    feats = rng.randn(m, n).astype(np.float32)
    X = np.c_[np.ones((m, 1), np.float32), feats]
    true = rng.randn(n + 1, 1).astype(np.float32)
    y = (X @ true + 0.05 * rng.randn(m, 1)).astype(np.float32)
    return X, y


def _theta_model(n):
    X = tf.placeholder(tf.float32, [None, n + 1], name="X")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
    mse = tf.reduce_mean(tf.square(tf.matmul(X, theta) - y), name="mse")
    return X, y, theta, mse


def test_between_graph_async_replicas_share_ps_variables(cluster):
    """Two workers, each its own client graph and session, train the same PS variables
    concurrently (asynchronous updates); both see one theta and the loss goes down."""
    import threading
    X, y = _regression_data()
    spec, target0, target1 = cluster[0], cluster[2], cluster[1][3].target
    setter_scope = "async_rep"

    def build(task):
        g = tf.Graph()
        with g.as_default(), tf.device(tf.train.replica_device_setter(
                cluster=spec, worker_device=f"/job:worker/task:{task}")):
            with tf.variable_scope(setter_scope):
                Xp, yp, theta, mse = _theta_model(4)
            train = tf.train.GradientDescentOptimizer(0.05).minimize(mse)
            init = tf.global_variables_initializer()
        return g, Xp, yp, theta, mse, train, init

    g0 = build(0)
    with tf.Session(target0, graph=g0[0]) as chief:
        chief.run(g0[6])
        start = chief.run(g0[4], {g0[1]: X, g0[2]: y})
    losses = {}

    def worker(task, target, rows):
        g, Xp, yp, theta, mse, train, _ = build(task)
        with tf.Session(target, graph=g) as sess:
            for _ in range(40):
                sess.run(train, {Xp: X[rows], yp: y[rows]})
            losses[task] = (sess.run(mse, {Xp: X, yp: y}), sess.run(theta))

    threads = [threading.Thread(target=worker, args=(0, target0, slice(0, 32))),
               threading.Thread(target=worker, args=(1, target1, slice(32, 64)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert losses[0][0] < start / 10
    # one theta on the PS: a fresh session of the chief reads what both workers wrote
    with tf.Session(target0, graph=g0[0]) as chief:
        final = chief.run(g0[3])
    assert final.shape == (5, 1)
    assert chief_reads_same(final, losses)


def chief_reads_same(final, losses):
    """The last theta either worker fetched was a state the PS went through; the PS's final
    value equals the one fetched last (both fetched after finishing)."""
    return any(np.array_equal(final, v[1]) for v in losses.values())


def test_synchronous_replicas_converge_to_the_local_loss(cluster):
    """Synchronous data parallelism (in-graph): each worker computes the gradient of its
    half of the batch, the PS averages them and applies one update per step, so training
    follows full-batch gradient descent: the same loss as a local session."""
    X, y = _regression_data()

    def train(target, distributed):
        g = tf.Graph()
        with g.as_default():
            with tf.device("/job:ps/task:0" if distributed else None):
                theta = tf.Variable(tf.random_uniform([5, 1], -1.0, 1.0, seed=42),
                                    name="sync_theta")
            Xp = tf.placeholder(tf.float32, [None, 5])
            yp = tf.placeholder(tf.float32, [None, 1])
            opt = tf.train.GradientDescentOptimizer(0.05)
            if distributed:
                grads = []
                for task, rows in ((0, slice(0, 32)), (1, slice(32, 64))):
                    with tf.device(f"/job:worker/task:{task}"):
                        mse_i = tf.reduce_mean(tf.square(tf.matmul(Xp[rows], theta) -
                                                         yp[rows]))
                        grads.append(tf.gradients(mse_i, [theta])[0])
                with tf.device("/job:ps/task:0"):
                    step = opt.apply_gradients([(tf.add_n(grads) / 2.0, theta)])
            else:
                step = opt.minimize(tf.reduce_mean(tf.square(tf.matmul(Xp, theta) - yp)))
            mse = tf.reduce_mean(tf.square(tf.matmul(Xp, theta) - yp))
            init = tf.global_variables_initializer()
        with tf.Session(target, graph=g) as sess:
            sess.run(init)
            for _ in range(60):
                sess.run(step, {Xp: X, yp: y})
            return float(sess.run(mse, {Xp: X, yp: y}))

    dist = train(cluster[2], True)
    local = train("", False)
    np.testing.assert_allclose(dist, local, rtol=1e-5)
    assert local < 0.01


# --- a real cluster: `dask scheduler` + `dask worker --name /job:J/task:i` --------------------
def test_dask_scheduler_and_worker_commands_run_a_partitioned_graph(tmp_path):
    """The documented set-up on localhost: one `dask scheduler`, a `dask worker` per task
    (named after it), and `Session("dask://host:port")`; every process is stopped after."""
    sched_file = tmp_path / "scheduler.json"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    procs = []
    try:
        procs.append(subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", ":0", "--scheduler-file", str(sched_file)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        info = None
        while info is None and time.monotonic() < deadline:
            try:       # the scheduler creates the file before it has written it: read it whole
                info = json.loads(sched_file.read_text())
            except (FileNotFoundError, ValueError):
                time.sleep(0.1)
        assert info is not None, "dask scheduler did not start"
        address = info["address"]
        for name in ("/job:ps/task:0", "/job:worker/task:0"):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--name", name, "--nthreads", "1", "--no-nanny",
                 "--host", "127.0.0.1", "--dashboard-address", ":0"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        target = "dask://" + address.split("://", 1)[1]
        g = tf.Graph()
        with g.as_default():
            with tf.device("/job:ps/task:0"):
                w = tf.Variable([[2.0], [3.0]], name="cli_w")
            with tf.device("/job:worker/task:0"):
                x = tf.placeholder(tf.float32, [None, 2])
                y = tf.matmul(x, w)
            init = tf.global_variables_initializer()
        deadline = time.monotonic() + 60
        last = None
        while True:     # both workers registered?
            try:
                with tf.Session(target, graph=g,
                                config=tf.ConfigProto(operation_timeout_in_ms=20000)) as sess:
                    if len(sess.list_devices()) == 2:
                        sess.run(init)
                        out = sess.run(y, {x: [[1.0, 1.0]]})
                        break
            except errors.UnavailableError as e:
                last = e
            assert time.monotonic() < deadline, f"dask workers did not register: {last}"
            time.sleep(0.2)
        np.testing.assert_array_equal(out, [[5.0]])
    finally:
        from tfteach.distribute import backend
        if sched_file.exists():
            backend.disconnect("dask://" + json.loads(sched_file.read_text())["address"]
                               .split("://", 1)[1])
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def test_partitions_drawn_one_box_per_task_with_dashed_send_recv(cluster):
    from tfteach.viz.partitions import partitions_dot, PartitionDrawing
    rec, values, md = _run_case(cluster[2], "model_parallel", _model_parallel(0), "")
    dot = partitions_dot(md.partition_graphs)
    assert dot.count("subgraph cluster_") == 3
    for task in ("/job:ps/task:0", "/job:worker/task:0", "/job:worker/task:1"):
        assert f'label="{task}"' in dot
    # one dashed, labelled edge per Send/Recv pair (w/read, b/read, y, z), client feed/fetch
    pairs = re.findall(r'-> "[^"]+" \[style=dashed, color="#1f5fa8", penwidth=1.6, '
                       r'label="([^"]+)"', dot)
    assert sorted(pairs) == ["b/read:0", "w/read:0", "y:0", "z:0"]
    assert 'client -> "/job:worker/replica:0/task:0/device:CPU:0|_recv_x_0"' in dot
    assert '"/job:worker/replica:0/task:0/device:CPU:0|_send_z_0" -> client' in dot
    assert PartitionDrawing(md.partition_graphs).summary() == \
        "<tfteach partition drawing: 3 tasks, 4 Send/Recv pairs>"


def test_ps_restart_restores_a_checkpoint_exactly_and_a_lost_worker_keeps_ps_state(tmp_path):
    """A restarted PS task starts empty; restoring the checkpoint gives back the very same
    values. Stopping a worker (not a PS) loses nothing the PS holds."""
    spec = tf.train.ClusterSpec({"ps": ["localhost:4511"],
                                 "worker": ["localhost:4512", "localhost:4513"]})
    ps = tf.distribute.Server(spec, job_name="ps", task_index=0)
    w0 = tf.distribute.Server(spec, job_name="worker", task_index=0)
    w1 = tf.distribute.Server(spec, job_name="worker", task_index=1)
    X, y = _regression_data()

    def build(task):
        g = tf.Graph()
        with g.as_default(), tf.device(tf.train.replica_device_setter(
                cluster=spec, worker_device=f"/job:worker/task:{task}")):
            Xp, yp, theta, mse = _theta_model(4)
            train = tf.train.GradientDescentOptimizer(0.05).minimize(mse)
            saver = tf.train.Saver()
            init = tf.global_variables_initializer()
        return g, Xp, yp, theta, train, saver, init

    g, Xp, yp, theta, train, saver, init = build(1)
    with tf.Session(w0.target, graph=g) as sess:
        sess.run(init)
        for _ in range(5):
            sess.run(train, {Xp: X, yp: y})
        trained = sess.run(theta)
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
    w1.stop()                       # a worker dies: the PS keeps theta
    g2, _, _, theta2, _, saver2, _ = build(0)
    with tf.Session(w0.target, graph=g2) as sess:
        np.testing.assert_array_equal(sess.run(theta2), trained)
    ps.stop()                       # the PS dies and comes back empty
    tf.distribute.Server(spec, job_name="ps", task_index=0)
    with tf.Session(w0.target, graph=g2) as sess:
        with pytest.raises(errors.FailedPreconditionError):
            sess.run(theta2)
        saver2.restore(sess, path)
        np.testing.assert_array_equal(sess.run(theta2), trained)


def test_traced_step_reports_each_tasks_ops_under_its_device(cluster):
    g = tf.Graph()
    with g.as_default():
        with tf.device("/job:ps/task:1"):
            a = tf.constant([1.0, 2.0], name="traced_a")
        with tf.device("/job:worker/task:1"):
            b = tf.multiply(a, 3.0, name="traced_b")
    md = tf.RunMetadata()
    with tf.Session(cluster[2], graph=g) as sess:
        out = sess.run(b, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                       run_metadata=md)
    np.testing.assert_array_equal(out, [3.0, 6.0])
    by_dev = {d.device: [n.node_name for n in d.node_stats] for d in md.step_stats.dev_stats}
    assert "traced_b" in by_dev["/job:worker/replica:0/task:1/device:CPU:0"]
    assert "traced_a" in by_dev["/job:ps/replica:0/task:1/device:CPU:0"]
    # the PS's Send of traced_a ran (and was timed) on the PS
    assert any(re.fullmatch(r"traced_a_S\d+", n)
               for n in by_dev["/job:ps/replica:0/task:1/device:CPU:0"])


def test_graph_magic_draws_the_cells_last_distributed_step(cluster):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tfteach")
    shell.user_ns.update(tf=tf, target=cluster[2])
    try:
        with capture_output() as out:
            shell.run_cell_magic("graph", "--partitions", (
                "with tf.device('/job:ps/task:1'):\n"
                "    a = tf.constant(4.0, name='magic_a')\n"
                "with tf.device('/job:worker/task:1'):\n"
                "    b = tf.sqrt(a, name='magic_b')\n"
                "with tf.Session(target) as s:\n"
                "    print(s.run(b))\n"))
        assert "2.0" in out.stdout
        shown = [o.data for o in out.outputs]
        assert any(d.get("text/plain") ==
                   "<tfteach partition drawing: 3 tasks, 2 Send/Recv pairs>" for d in shown)
        with pytest.raises(ValueError, match="no Session.run on a cluster"):
            shell.run_cell_magic("graph", "--partitions", "x = 1\n")
    finally:
        shell.run_line_magic("unload_ext", "tfteach")
