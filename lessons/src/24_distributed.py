# %% [markdown] id=title
# # 24 · Distributed TensorFlow: client, master, workers, parameter servers
#
# **Goal:** see what happens when one graph runs on several machines. The *client* (your
# program) builds the graph; the *master* prunes it, places every operation on a task's device,
# cuts it into one piece per device and puts a **send/receive pair** on every edge that crosses
# devices; *workers* run their pieces and exchange tensors; *parameter servers* (PS) are the
# tasks that hold the variables.
#
# **You will meet:** `tf.train.ClusterSpec`, `tf.distribute.Server`, `tf.device("/job:ps/task:0")`,
# `log_device_placement`, `RunOptions(output_partition_graphs=True)`, `_Send`/`_Recv`,
# `tf.train.replica_device_setter`, asynchronous and synchronous replicas
# (`tf.train.SyncReplicasOptimizer`, `MonitoredTrainingSession`), and what happens when a task
# dies.
#
# Everything runs on this machine: each task is a [Dask](https://distributed.dask.org) worker of
# a small in-process cluster, the same engine you would start on real machines (section 7).

# %% id=import
%load_ext tfteach
import json
import numpy as np
import tfteach.v1 as tf
from tfteach import viz as tf_viz

# %% [markdown] id=cluster-intro
# ## 1. A cluster is a list of jobs
#
# A `ClusterSpec` names the *jobs* (`ps`, `worker`) and the network address of each of their
# *tasks*. A `Server` is one task; in TensorFlow every machine starts the one it is. Here we
# start all three in this process.

# %% id=cluster
cluster = tf.train.ClusterSpec({"ps": ["localhost:2222"],
                                "worker": ["localhost:2223", "localhost:2224"]})
servers = [tf.distribute.Server(cluster, job_name=job, task_index=i)
           for job, i in [("ps", 0), ("worker", 0), ("worker", 1)]]
print(cluster.jobs, cluster.num_tasks("worker"), cluster.task_address("worker", 1))
print(servers[1].target)

# %% [markdown] id=dashboard-intro
# The tasks are workers of a [Dask](https://distributed.dask.org) cluster, and Dask has a live
# dashboard: one row per worker (task), their memory, and a task stream that fills while steps
# run. Open it in another browser tab (it needs the `bokeh` package; without it you get the
# command to install it instead of a link).

# %% id=dashboard
# NBVAL_IGNORE_OUTPUT
from tfteach.distribute import dashboard
dashboard(servers[0])

# %% [markdown] id=placement-intro
# ## 2. Placing the slides' graph
#
# The slides' example: multiply features `x` by weights `w`, add a bias `b`, keep the result in
# a variable `s`. The variables live on the parameter server; the arithmetic on worker 0.
# A session opened on `servers[1].target` talks to worker 0's master. With
# `log_device_placement` it prints where every operation landed (TF's full device names: job,
# replica, task, device).

# %% id=placement
graph = tf.Graph()
with graph.as_default():
    with tf.device("/job:ps/task:0"):
        w = tf.Variable([[1.0], [2.0]], name="w")
        b = tf.Variable([0.5], name="b")
        s = tf.Variable([[0.0]], name="s")
    with tf.device("/job:worker/task:0"):
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.add(tf.matmul(x, w), b, name="y")
        store = tf.assign(s, y, name="store")
    init = tf.global_variables_initializer()

sess = tf.Session(servers[1].target, graph=graph,
                  config=tf.ConfigProto(log_device_placement=True))
sess.run(init)

# %% [markdown] id=partitions-intro
# ## 3. The master's pieces: Send and Recv
#
# Ask for the partition graphs and the master returns the pieces it shipped. Every edge
# from the PS to worker 0 became a `_Send` on the PS and a `_Recv` on the worker, named
# `<source>_S<n>`; the fed `x` arrives through `_recv_x_0` and the fetched `y` leaves through
# `_send_y_0` (`client_terminated`: the client is at the other end). The `assign` to `s` runs
# on the PS, next to its variable, so `y` crosses back.

# %% id=partitions
meta = tf.RunMetadata()
print(sess.run([y, store], {x: [[1.0, 1.0]]},
               options=tf.RunOptions(output_partition_graphs=True), run_metadata=meta)[0])
for part in meta.partition_graphs:
    print(part.node[0].device)
    for node in part.node:
        print("   ", node.op.ljust(10), node.name, list(node.input))

# %% [markdown] id=draw-intro
# `%%graph --partitions` runs a cell and draws the last distributed step: one box per task,
# each Send joined to its Recv by a dashed edge labelled with the tensor it carries, and the
# client's feeds and fetches.

# %% id=draw
%%graph --partitions
sess.run(store, {x: [[1.0, 1.0]]})

# %% [markdown] id=timeline-intro
# ## 4. A step's timeline
#
# Each task runs its piece once per step, all at the same time; a `_Recv` simply waits until
# its `_Send` has run on the other task. Run one step with `trace_level=FULL_TRACE` and every
# task times each of its ops into `RunMetadata.step_stats`. `%timeline` draws them: one lane
# per task, one bar per op (hover over a bar for its name, type and times), every `_Send` and
# `_Recv` marked with the bytes it moved. Timings vary from run to run; what ran where does not.

# %% id=timeline
trace = tf.RunMetadata()
sess.run(store, {x: [[1.0, 1.0]]},
         options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=trace)
%timeline trace

# %% [markdown] id=timeline-bytes-intro
# The same, as data: each transfer, where it ran and how many bytes it carried (TF's field for
# a tensor's size, `output[0].tensor_description.allocation_description.requested_bytes`).
# `x` came from the client, `y` went back to it, and the PS's variables crossed to worker 0.

# %% id=timeline-bytes
for device, name, op, direction, nbytes in sorted(tf_viz.timeline(trace).step.transfers()):
    print(f"{device.split('/replica')[0]:14s} {op:6s} {name:18s} {direction:20s} {nbytes} B")

# %% [markdown] id=chrome-trace-intro
# TensorFlow's own tool for this is `tensorflow.python.client.timeline`: it writes the step
# stats as a Chrome trace, a JSON file that `chrome://tracing` or https://ui.perfetto.dev opens
# with a "Compute" process per device. tfteach has the same class:

# %% id=chrome-trace
from tfteach.client import timeline
chrome_trace = timeline.Timeline(trace.step_stats).generate_chrome_trace_format()
events = json.loads(chrome_trace)["traceEvents"]
print([e["args"]["name"] for e in events if e["ph"] == "M"])
# with open("step.json", "w") as f: f.write(chrome_trace)    # then open it in Perfetto

# %% [markdown] id=shared-intro
# ## 5. PS variables belong to the cluster, not to a session
#
# In a local session every session has its own variables (lesson 05). On a cluster, variables
# live in the task that holds them and every session sees them: a second session, with a fresh
# graph that names the same variable, reads what the first one stored without initialising it.

# %% id=shared
sess.close()
graph2 = tf.Graph()
with graph2.as_default():
    with tf.device("/job:ps/task:0"):
        s_again = tf.Variable([[0.0]], name="s")
with tf.Session(servers[1].target, graph=graph2) as other:
    print(other.run(s_again))

# %% [markdown] id=replicas-intro
# ## 6. Many workers, one model: replicas
#
# `tf.train.replica_device_setter` is a device *function*: it puts each variable on a PS task
# (round robin) and every other operation on the worker. Each worker builds the same graph
# (*between-graph replication*) and trains on its own data; the updates meet in the PS.
# Without coordination the workers update **asynchronously**: each applies its gradient when
# it is ready, from whatever values it last read. **Synchronous** training instead averages
# the workers' gradients and applies one update per step: here the gradient of each half of a
# batch is computed on its own worker and averaged on the PS, which is exactly full-batch
# gradient descent.

# %% id=replicas
rng = np.random.RandomState(0)
X_data = np.c_[np.ones((64, 1)), rng.randn(64, 2)].astype(np.float32)
y_data = (X_data @ np.array([[0.5], [2.0], [-1.0]], np.float32)).astype(np.float32)

g = tf.Graph()
with g.as_default():
    with tf.device(tf.train.replica_device_setter(cluster=cluster)):
        theta = tf.Variable(tf.zeros([3, 1]), name="theta")
    X = tf.placeholder(tf.float32, [None, 3])
    Y = tf.placeholder(tf.float32, [None, 1])
    grads = []
    for task, rows in ((0, slice(0, 32)), (1, slice(32, 64))):
        with tf.device(f"/job:worker/task:{task}"):
            err = tf.matmul(X[rows], theta) - Y[rows]
            grads.append(tf.gradients(tf.reduce_mean(tf.square(err)), [theta])[0])
    with tf.device("/job:ps/task:0"):
        sync_step = tf.train.GradientDescentOptimizer(0.1).apply_gradients(
            [(tf.add_n(grads) / 2.0, theta)])
    mse = tf.reduce_mean(tf.square(tf.matmul(X, theta) - Y))
    print([op.device for op in g.get_operations() if op.name == "theta"])
with tf.Session(servers[1].target, graph=g) as s3:
    s3.run(theta.initializer)
    for _ in range(100):
        s3.run(sync_step, {X: X_data, Y: y_data})
    final = float(s3.run(mse, {X: X_data, Y: y_data}))
    print("synchronous replicas, mse after 100 steps below 1e-6:", final < 1e-6)

# %% [markdown] id=sync-replicas-intro
# In between-graph training each worker has its own graph and session, so no single graph can
# average their gradients. `tf.train.SyncReplicasOptimizer` does it with state on the PS: each
# worker adds its gradient to a `ConditionalAccumulator`; the chief takes the mean once
# `replicas_to_aggregate` have arrived, applies it, and puts one *token* per worker in a
# queue; a worker takes a token before its next step, so nobody runs ahead. Each worker runs
# a `MonitoredTrainingSession` with the optimizer's hook (the chief's hook starts the
# aggregation thread) and a `StopAtStepHook`. Both workers here use the whole batch, so each
# synchronous update is plain gradient descent's step.

# %% id=sync-replicas
import threading

def build_worker(task):
    gw = tf.Graph()
    with gw.as_default(), tf.device(tf.train.replica_device_setter(
            cluster=cluster, worker_device=f"/job:worker/task:{task}")):
        theta_w = tf.Variable(tf.zeros([3, 1]), name="theta_sync")
        mse_w = tf.reduce_mean(tf.square(tf.matmul(X_data, theta_w) - y_data))
        step_w = tf.train.get_or_create_global_step()
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                             replicas_to_aggregate=2, total_num_replicas=2)
        train_w = opt.minimize(mse_w, global_step=step_w)
    return gw, theta_w, mse_w, step_w, opt, train_w

workers = {task: build_worker(task) for task in (0, 1)}

def run_worker(task):
    gw, theta_w, mse_w, step_w, opt, train_w = workers[task]
    with gw.as_default(), tf.train.MonitoredTrainingSession(
            master=servers[1 + task].target, is_chief=(task == 0),
            hooks=[opt.make_session_run_hook(task == 0), tf.train.StopAtStepHook(last_step=50)],
            log_step_count_steps=None, stop_grace_period_secs=2,
            config=tf.ConfigProto(operation_timeout_in_ms=5000)) as sess:
        while not sess.should_stop():
            sess.run(train_w)

threads = [threading.Thread(target=run_worker, args=(t,)) for t in (0, 1)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
gw, theta_w, mse_w, step_w, _, _ = workers[0]
with tf.Session(servers[1].target, graph=gw) as s5:
    steps, theta_sync = s5.run([step_w, theta_w])
theta_gd = np.zeros((3, 1), np.float32)          # the same number of plain GD steps
for _ in range(steps):
    theta_gd -= 0.1 * (2.0 / len(X_data)) * X_data.T @ (X_data @ theta_gd - y_data)
print("synchronous updates:", steps >= 50)
print("theta equals plain gradient descent's:", np.allclose(theta_sync, theta_gd, atol=1e-5))

# %% [markdown] id=failure-intro
# ## 7. When a task dies, and real machines
#
# A step needs every task that holds one of its pieces. If one is down, the run fails with
# `UnavailableError` naming it, after `operation_timeout_in_ms` (TensorFlow itself would wait
# for it, logging every 10 seconds). Stop worker 1 and run a graph that needs it:

# %% id=failure
servers[2].stop()
g4 = tf.Graph()
with g4.as_default():
    with tf.device("/job:worker/task:1"):
        z = tf.constant(2.0) * 3.0
with tf.Session(servers[1].target, graph=g4,
                config=tf.ConfigProto(operation_timeout_in_ms=1000)) as s4:
    try:
        s4.run(z)
    except tf.errors.UnavailableError as e:
        print(type(e).__name__, "-", e.message.split(" is unavailable")[0], "is unavailable")

# %% [markdown] id=real-cluster
# The same code runs on real machines. Start a Dask scheduler, then one worker per task,
# named after it (on any machines that can reach the scheduler):
#
# ```
# dask scheduler                                      # prints tcp://HOST:8786
# dask worker tcp://HOST:8786 --name /job:ps/task:0 --nthreads 1
# dask worker tcp://HOST:8786 --name /job:worker/task:0 --nthreads 1
# ```
#
# and open `tf.Session("dask://HOST:8786")`: the tasks are the workers named `/job:J/task:i`.

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** In a fresh graph, create five variables under
# `tf.device(tf.train.replica_device_setter(ps_tasks=2))`. Store the device string of the
# **fifth** variable's op in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect

def check_1(answer):
    expect(isinstance(answer, str), "answer_1 should be a device string like '/job:.../task:...'")
    expect(answer.startswith("/job:ps"), "variables go to the ps job: read `v.op.device`")
    g = tf.Graph()
    with g.as_default(), tf.device(tf.train.replica_device_setter(ps_tasks=2)):
        vs = [tf.Variable(0.0) for _ in range(5)]
    expect(answer == vs[4].op.device,
           "the setter deals the variables out in turn over the PS tasks: count them")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** In a fresh graph, put a variable `v` (any float value) on `/job:ps/task:0` and
# `double = v * 2.0` on `/job:worker/task:0`. Open a session on `servers[1].target`, initialise
# `v`, run `double` once with `options=tf.RunOptions(output_partition_graphs=True)` and a
# `tf.RunMetadata()`, and store that RunMetadata in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(answer):
    expect(isinstance(answer, tf.RunMetadata),
           "answer_2 should be the tf.RunMetadata() you passed to sess.run(..., run_metadata=...)")
    nodes = {}
    for part in answer.partition_graphs:
        for node in part.node:
            nodes.setdefault(node.device.split("/")[1], []).append(node.op)
    expect(nodes, "no partition graphs were recorded: pass "
                  "options=tf.RunOptions(output_partition_graphs=True) to the same run")
    expect("job:ps" in nodes and "job:worker" in nodes,
           "the step should have a piece on the PS and one on worker 0: check both tf.device scopes")
    expect("Mul" in nodes["job:worker"], "the multiplication should run on /job:worker/task:0")
    expect("_Send" in nodes["job:ps"] and "_Recv" in nodes["job:worker"],
           "v's value should cross from the PS to the worker: build double from v itself")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
g5 = tf.Graph()
with g5.as_default(), tf.device(tf.train.replica_device_setter(ps_tasks=2)):
    five = [tf.Variable(float(i)) for i in range(5)]
answer_1 = five[4].op.device
print(check(1, check_1, answer_1))

g6 = tf.Graph()
with g6.as_default():
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(3.0, name="v")
    with tf.device("/job:worker/task:0"):
        double = v * 2.0
answer_2 = tf.RunMetadata()
with tf.Session(servers[1].target, graph=g6) as s6:
    s6.run(v.initializer)
    s6.run(double, options=tf.RunOptions(output_partition_graphs=True), run_metadata=answer_2)
print(check(2, check_2, answer_2))
