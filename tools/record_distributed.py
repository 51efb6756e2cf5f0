"""Records what TensorFlow 2.21 does with in-process clusters, for tests/test_distribute.py.

Run with the TF oracle (never imported by tfteach):
    TF_ENABLE_ONEDNN_OPTS=0 /path/to/tf/python tools/record_distributed.py tests/data/distributed_tf.json

TF 2.21 still runs TF1 clusters in one process: one `tf.distribute.Server` per task on
localhost ports. Grappler is switched off and variables are TF1's reference variables
(VariableV2), so the partition graphs show the master's own work (placement, partitioning,
Send/Recv) on the graphs tfteach builds.
"""
import contextlib
import json
import os
import socket
import sys
import tempfile

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import rewriter_config_pb2  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()
v1.disable_resource_variables()


def free_port():
    s = socket.socket()
    s.bind(("localhost", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def config(**kw):
    rw = rewriter_config_pb2.RewriterConfig(disable_meta_optimizer=True)
    # opt_level L0: no constant folding or CSE by the graph optimizer (tfteach's master does
    # neither); TF's ReplicateConstantsPass still runs (small constants copied per device)
    opt = v1.OptimizerOptions(opt_level=v1.OptimizerOptions.L0, do_constant_folding=False,
                              do_common_subexpression_elimination=False)
    return v1.ConfigProto(graph_options=v1.GraphOptions(rewrite_options=rw,
                                                        optimizer_options=opt), **kw)


def attr_value(v):
    kind = v.WhichOneof("value")
    if kind == "s":
        return v.s.decode()
    if kind in ("i", "b", "f"):
        return getattr(v, kind)
    if kind == "type":
        return tf.dtypes.as_dtype(v.type).name
    if kind == "shape":
        return None if v.shape.unknown_rank else [d.size for d in v.shape.dim]
    if kind == "tensor":
        return "<tensor>"
    if kind == "list":
        return [x.decode() if isinstance(x, bytes) else x for x in v.list.s] or \
            [tf.dtypes.as_dtype(t).name for t in v.list.type] or list(v.list.i)
    return None


def graph_json(gd):
    return [{"name": n.name, "op": n.op, "input": list(n.input), "device": n.device,
             "attr": {k: attr_value(a) for k, a in sorted(n.attr.items())}} for n in gd.node]


def cluster(jobs):
    spec = tf.train.ClusterSpec({j: ["localhost:%d" % free_port() for _ in range(n)]
                                 for j, n in jobs.items()})
    servers = {(j, i): tf.distribute.Server(spec, job_name=j, task_index=i, config=config())
               for j, n in jobs.items() for i in range(n)}
    return spec, servers


@contextlib.contextmanager
def captured_stdout():
    """TF's placer log goes to the process's stdout from C++: read it at the fd level."""
    import ctypes
    libc = ctypes.CDLL(None)
    sys.stdout.flush()
    libc.fflush(None)
    saved = os.dup(1)
    with tempfile.TemporaryFile(mode="w+b") as f:
        os.dup2(f.fileno(), 1)
        out = []
        try:
            yield out
        finally:
            sys.stdout.flush()
            libc.fflush(None)
            os.dup2(saved, 1)
            os.close(saved)
            f.seek(0)
            out.extend(f.read().decode().splitlines())


def partitions(target, build, fetch, feeds, init=True, log=False):
    g = v1.Graph()
    with g.as_default():
        names = build()
        inits = v1.global_variables_initializer() if init else None
    cfg = config(log_device_placement=log)
    with captured_stdout() as lines, v1.Session(target, graph=g, config=cfg) as sess:
        if inits is not None:
            sess.run(inits)
        md = v1.RunMetadata()
        opts = v1.RunOptions(output_partition_graphs=True)
        feed = {g.get_tensor_by_name(k): v for k, v in feeds.items()}
        fetches = [g.as_graph_element(f) for f in fetch]
        values = sess.run(fetches, feed, options=opts, run_metadata=md)
        return {"fetch": fetch, "feeds": feeds,
                "values": [v.tolist() if hasattr(v, "tolist") else v for v in values],
                "partitions": [graph_json(pg) for pg in md.partition_graphs],
                "placement_log": lines if log else None}


def model_parallel(x_task):
    def build():
        with v1.device("/job:ps/task:0"):
            w = v1.Variable([[1.0], [2.0]], name="w")
            b = v1.Variable([0.5], name="b")
        with v1.device("/job:worker/task:%d" % x_task):
            x = v1.placeholder(tf.float32, [None, 2], name="x")
        with v1.device("/job:worker/task:0"):
            y = tf.add(tf.matmul(x, w), b, name="y")
        with v1.device("/job:worker/task:1"):
            tf.reduce_sum(y * 2.0, name="z")
    return build


def ps_worker_train():
    with v1.device(v1.train.replica_device_setter(ps_tasks=2, worker_device="/job:worker/task:0")):
        x = v1.placeholder(tf.float32, [None, 1], name="x")
        y = v1.placeholder(tf.float32, [None, 1], name="y")
        w = v1.Variable([[0.5]], name="lr_w")
        b = v1.Variable([0.25], name="lr_b")
        pred = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.square(pred - y), name="loss")
        v1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")


def control_edge():
    with v1.device("/job:ps/task:0"):
        v = v1.Variable(1.0, name="v")
        bump = v1.assign_add(v, 1.0, name="bump")
    with v1.device("/job:worker/task:1"):
        with v1.control_dependencies([bump]):
            tf.add(tf.constant(3.0, name="c"), 1.0, name="after")


def shared_state(target):
    """A PS variable outlives the session that set it: a second session with a fresh graph
    naming the same variable reads it without initialising it."""
    def build():
        with v1.device("/job:ps/task:1"):
            return v1.Variable(10.0, name="shared")
    g1 = v1.Graph()
    with g1.as_default():
        v = build()
        bump = v1.assign_add(v, 5.0)
    with v1.Session(target, graph=g1, config=config()) as s1:
        s1.run(v.initializer)
        s1.run(bump)
    g2 = v1.Graph()
    with g2.as_default():
        v = build()
    with v1.Session(target, graph=g2, config=config()) as s2:
        return float(s2.run(v))


def setter_devices():
    out = {}
    g = v1.Graph()
    with g.as_default():
        spec = tf.train.ClusterSpec({"ps": ["a:1", "b:1", "c:1"], "worker": ["w:1"]})
        with v1.device(v1.train.replica_device_setter(cluster=spec)):
            vs = [v1.Variable(float(i), name="v%d" % i) for i in range(5)]
            s = tf.add(vs[0], vs[1], name="s")
            with v1.device("/cpu:0"):
                c = tf.multiply(s, 2.0, name="c")
        with v1.device(v1.train.replica_device_setter(ps_tasks=2, ps_device="/job:param",
                                                      worker_device="/job:worker/task:3")):
            u = [v1.Variable(1.0, name="u%d" % i) for i in range(3)]
            t = tf.add(u[0], 1.0, name="t")
        with v1.device(v1.train.replica_device_setter(ps_tasks=2,
                                                      ps_ops=["VariableV2", "Identity"])):
            q = v1.Variable(2.0, name="q")
        with v1.device(v1.train.replica_device_setter(0)):
            n = tf.constant(1.0, name="nosetter")
        for op in g.get_operations():
            out[op.name] = op.device
    return out


def merged_devices():
    cases = [["/job:ps", "/task:1"], ["/job:worker/task:0", "/cpu:0"],
             ["/job:ps/task:0/device:CPU:0", "/job:worker"], ["/job:worker/replica:2", "/task:3"],
             ["/job:ps/task:0", "/device:GPU:1"], ["/job:ps/task:0", ""]]
    out = []
    for case in cases:
        g = v1.Graph()
        with g.as_default():
            with contextlib.ExitStack() as st:
                for d in case:
                    st.enter_context(v1.device(d))
                c = tf.constant(1.0)
        out.append([case, c.op.device])
    return out


def errors(target):
    out = {}
    for name, dev in [("unknown_job", "/job:foo/task:0"), ("unknown_task", "/job:worker/task:7")]:
        g = v1.Graph()
        with g.as_default():
            with v1.device(dev):
                c = tf.add(tf.constant(1.0, name="a"), 2.0, name="bad")
        with v1.Session(target, graph=g, config=config()) as sess:
            try:
                sess.run(c)
                out[name] = None
            except tf.errors.OpError as e:
                # the message's first lines name this script's path: keep TF's own words
                out[name] = [type(e).__name__, e.message[e.message.index("Cannot assign"):]]
    return out


DOWN_TASK = r"""
import os, socket, sys
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
def free_port():
    s = socket.socket(); s.bind(("localhost", 0)); p = s.getsockname()[1]; s.close(); return p
spec = tf.train.ClusterSpec({"worker": ["localhost:%d" % free_port()],
                             "ps": ["localhost:%d" % free_port()]})
server = tf.distribute.Server(spec, job_name="worker", task_index=0)
g = v1.Graph()
with g.as_default():
    with v1.device("/job:ps/task:0"):
        c = tf.add(tf.constant(1.0, name="a"), 2.0, name="on_ps")
with v1.Session(server.target, graph=g,
                config=v1.ConfigProto(operation_timeout_in_ms=2000)) as sess:
    try:
        sess.run(c)
        print("RESULT ran")
    except tf.errors.OpError as e:
        print("RESULT", type(e).__name__, e.message)
"""


def down_task(wait=25):
    """A cluster whose ps task never started. TF 2.21's master waits for it (logging every
    10 s) whatever operation_timeout_in_ms says: run in a child process, given `wait` s."""
    import subprocess
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0")
    try:
        p = subprocess.run([sys.executable, "-c", DOWN_TASK], capture_output=True, text=True,
                           timeout=wait, env=env)
        out, err, hung = p.stdout, p.stderr, False
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        hung = True
    result = [ln[len("RESULT "):] for ln in out.splitlines() if ln.startswith("RESULT ")]
    waiting = sorted({ln.split("] ", 1)[1] for ln in err.splitlines()
                      if "still waiting for response" in ln})
    return {"hung_after_s": wait if hung else None, "result": result, "log": waiting}


def cluster_spec():
    cs = tf.train.ClusterSpec({"ps": ["localhost:2222"],
                               "worker": ["localhost:2223", "localhost:2224"]})
    sparse = tf.train.ClusterSpec({"worker": {1: "a:1", 3: "b:2"}})
    out = {"jobs": cs.jobs, "as_dict": cs.as_dict(), "num_tasks_worker": cs.num_tasks("worker"),
           "task_indices_ps": cs.task_indices("ps"), "task_address": cs.task_address("worker", 1),
           "cluster_def": str(cs.as_cluster_def()), "repr": repr(cs),
           "sparse_as_dict": {k: {str(i): a for i, a in v.items()}
                              for k, v in sparse.as_dict().items()},
           "sparse_indices": sparse.task_indices("worker"),
           "sparse_num_tasks": sparse.num_tasks("worker"),
           "job_tasks_sparse": sparse.job_tasks("worker"),
           "bool_empty": bool(tf.train.ClusterSpec({})),
           "eq": cs == tf.train.ClusterSpec(cs.as_cluster_def()),
           "from_spec_dict": tf.train.ClusterSpec(cs).as_dict() == cs.as_dict()}
    bad = {"no_job": lambda: cs.task_address("foo", 0),
           "no_task": lambda: cs.task_address("worker", 5),
           "num_tasks_no_job": lambda: cs.num_tasks("x"),
           "task_indices_no_job": lambda: cs.task_indices("x"),
           "bad_type": lambda: tf.train.ClusterSpec([1]),
           "bad_tasks": lambda: tf.train.ClusterSpec({"a": 3}),
           "bad_index": lambda: tf.train.ClusterSpec({"a": {"x": "h:1"}})}
    for k, f in bad.items():
        try:
            out[k] = ["ok", str(f())]
        except Exception as e:  # noqa: BLE001
            out[k] = [type(e).__name__, str(e)]
    local = tf.distribute.Server.create_local_server(config=config())
    out["local_target_prefix"] = local.target.split(":")[0] + ":" + local.target.split(":")[1]
    out["local_server_def"] = str(local.server_def)
    spec2 = tf.train.ClusterSpec({"worker": ["localhost:%d" % free_port()]})
    s2 = tf.distribute.Server(spec2, job_name="worker", task_index=0, start=False)
    out["server_def"] = str(s2.server_def).replace(spec2.task_address("worker", 0),
                                                   "localhost:PORT")
    for name, f in {"bad_job": lambda: tf.distribute.Server(spec2, job_name="nope"),
                    "no_job_name": lambda: tf.distribute.Server(
                        tf.train.ClusterSpec({"a": ["x:1"], "b": ["y:1"]}))}.items():
        try:
            f()
            out[name] = None
        except Exception as e:  # noqa: BLE001
            out[name] = [type(e).__name__, str(e)]
    return out


def main(path):
    spec, servers = cluster({"ps": 2, "worker": 2})
    target = servers[("worker", 0)].target
    rec = {"cluster_spec": cluster_spec(), "setter_devices": setter_devices(),
           "merged_devices": merged_devices()}
    import numpy as np
    print("recording", "model_parallel", file=sys.stderr, flush=True)
    rec["model_parallel"] = partitions(target, model_parallel(0), ["z:0"], {"x:0": [[1.0, 1.0]]},
                                       log=True)
    print("recording", "feed_off_client", file=sys.stderr, flush=True)
    rec["feed_off_client"] = partitions(target, model_parallel(1), ["y:0"],
                                        {"x:0": [[1.0, 1.0], [2.0, 0.5]]})
    print("recording", "ps_worker_train", file=sys.stderr, flush=True)
    rec["ps_worker_train"] = partitions(target, ps_worker_train, ["loss:0", "train"],
                                        {"x:0": [[1.0], [2.0]], "y:0": [[2.0], [4.0]]})
    print("recording", "control_edge", file=sys.stderr, flush=True)
    rec["control_edge"] = partitions(target, control_edge, ["after:0"], {})
    g = v1.Graph()
    with v1.Session(target, graph=g, config=config()) as sess:
        rec["list_devices"] = [[d.name, d.device_type] for d in sess.list_devices()]
    print("recording", "shared_state", file=sys.stderr, flush=True)
    rec["shared_state"] = shared_state(target)
    print("recording", "errors", file=sys.stderr, flush=True)
    rec["errors"] = errors(target)
    print("recording", "down_task", file=sys.stderr, flush=True)
    rec["down_task"] = down_task()
    with open(path, "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
