# %% [markdown] id=title
# # 21 · GPUs and device placement
#
# **Goal:** know where each operation runs. Every operation of a graph is *placed* on a device
# (`/device:CPU:0`, `/device:GPU:0`, ...) before it runs; data is copied only where an edge
# crosses from one device to another. You can let the library choose, or pin operations with
# `tf.device`, and you can control how much GPU memory a program takes.
#
# **You will meet:** `tf.config.list_physical_devices`, `tf.device`, `log_device_placement`,
# soft placement, `CUDA_VISIBLE_DEVICES`, `nvidia-smi`, `allow_growth` and
# `per_process_gpu_memory_fraction`.
#
# This lesson runs on any machine. Without an NVIDIA GPU, everything is placed on the CPU, and
# the cells say so.

# %% id=import
%load_ext tfteach
import os
import tfteach as tf

gpus = tf.config.list_physical_devices('GPU')
print("CPUs:", len(tf.config.list_physical_devices('CPU')), " GPUs:", len(gpus))

# %% [markdown] id=shared-gpus-intro
# ## 1. Sharing a machine's GPUs
#
# On a shared machine with several GPUs, look before you take one: `nvidia-smi` lists the GPUs,
# their memory use and the processes on them. The environment variable `CUDA_VISIBLE_DEVICES`
# decides which GPUs a program may see, and renumbers them from 0. Either in the shell:
#
# ```
# export CUDA_VISIBLE_DEVICES=2,3
# ```
#
# or in Python, **before** the library first touches CUDA:

# %% id=cuda-visible
# NBVAL_IGNORE_OUTPUT
os.environ.get('CUDA_VISIBLE_DEVICES', '(not set: every GPU is visible)')

# %% id=cuda-visible-set
# Only GPUs 2 and 3 would be visible (as GPU:0 and GPU:1) to a program started after this line.
# We restore the previous setting straight away, since this notebook has already started.
previous = os.environ.get('CUDA_VISIBLE_DEVICES')
os.environ['CUDA_VISIBLE_DEVICES'] = "2,3"
if previous is None:
    del os.environ['CUDA_VISIBLE_DEVICES']
else:
    os.environ['CUDA_VISIBLE_DEVICES'] = previous

# %% [markdown] id=memory-intro
# ## 2. GPU memory options
#
# By default TensorFlow reserves nearly all of a GPU's memory up front, to avoid fragmenting it.
# Two options change that: `allow_growth` takes memory only as needed, and
# `per_process_gpu_memory_fraction` caps the share (0.4 = 40%). In TF1 they live in a
# `ConfigProto`, passed to `tf.Session(config=...)` or, in TF1's eager mode, to
# `tf.enable_eager_execution(config=...)`. TF2 has neither at the top level (eager execution is
# on by default; `tf.compat.v1.disable_eager_execution()` switches a whole program back to TF1
# graphs), so the TF1 forms are reached through `tf.compat.v1`, and TF2 has its own switches.

# %% id=tf2-has-no-configproto
print("tf.ConfigProto:", hasattr(tf, "ConfigProto"),
      "  tf.enable_eager_execution:", hasattr(tf, "enable_eager_execution"))

# %% id=allow-growth
config = tf.compat.v1.ConfigProto()
config.gpu_options.allow_growth = True
print(config.gpu_options.allow_growth)

# %% id=memory-fraction
config = tf.compat.v1.ConfigProto()
config.gpu_options.per_process_gpu_memory_fraction = 0.4
print(config.gpu_options.per_process_gpu_memory_fraction)

# %% [markdown] id=tf1-eager-config-intro
# In a TF1 program (not this notebook, which is already running eagerly) the same settings were
# applied like this:
#
# ```python
# import tfteach.v1 as tf
# config = tf.ConfigProto()
# config.gpu_options.allow_growth = True
# tf.enable_eager_execution(config=config)
# ```
#
# The TF2 equivalent of `allow_growth` is set per GPU, before any GPU is used:

# %% id=tf2-memory-growth
for gpu in gpus:
    tf.config.experimental.set_memory_growth(gpu, True)
print("memory growth set on", len(gpus), "GPU(s)")

# %% [markdown] id=tf2-memory-limit
# The TF2 equivalent of a memory cap is a *logical device* with a fixed size, also set before the
# GPU is first used. It takes megabytes, not a fraction:
#
# ```python
# tf.config.set_logical_device_configuration(
#     gpus[0], [tf.config.LogicalDeviceConfiguration(memory_limit=2048)])   # at most 2 GiB
# ```
#
# Several `LogicalDeviceConfiguration`s in that list split one physical GPU into several logical
# ones (`/GPU:0`, `/GPU:1`, ...), a way to try multi-GPU code on a single card; each gets its own
# memory pool of that size. (The cell is text here because the memory-growth cell above has
# already configured this notebook's GPUs, and a GPU takes one configuration or the other.)

# %% [markdown] id=placement-intro
# ## 3. Placing operations
#
# `with tf.device(name):` pins the operations created inside the block. Asking for a GPU on a
# machine without one is fine in TF2: *soft placement* falls back to a device that exists. The
# result tensor says where it was computed.

# %% id=placement
a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
with tf.device('/CPU:0'):
    on_cpu = tf.matmul(a, a)
with tf.device('/GPU:0'):
    wanted_gpu = tf.matmul(a, a)
print(on_cpu.device)
print(wanted_gpu.device if gpus else "no GPU here: " + wanted_gpu.device)
print(on_cpu.numpy())

# %% [markdown] id=eager-default-intro
# With a GPU present, TF 2 runs every eager operation on it by default, and keeps its result in
# GPU memory: the value crosses to the host only when something there reads it, such as
# `.numpy()` or an operation pinned to the CPU. Variables live on the default device too.

# %% id=eager-default
v = tf.Variable([1.0, 2.0])
y = v * 2.0
print("variable on", v.device.split("/")[-1], "| result on", y.device.split("/")[-1])
print(y.numpy())

# %% [markdown] id=log-placement-intro
# In a TF1 session, `log_device_placement=True` prints each operation with the device it was
# placed on when the plan is built:

# %% id=log-placement
# NBVAL_IGNORE_OUTPUT
g = tf.Graph()
with g.as_default():
    x = tf.compat.v1.placeholder(tf.float32, shape=[2, 2], name="x")
    with tf.device('/CPU:0'):
        y = tf.matmul(x, x, name="y")
config = tf.compat.v1.ConfigProto(log_device_placement=True)
with tf.compat.v1.Session(graph=g, config=config) as sess:
    print(sess.run(y, feed_dict={x: [[1.0, 0.0], [0.0, 1.0]]}))

# %% [markdown] id=placement-draw-intro
# A `tf.device` block records the request on the operation itself: in the drawing, hover over
# `y` to see it. Operations without a request (`x`) are placed when the session builds its
# plan, as the log above showed.

# %% id=placement-draw
%graph g

# %% [markdown] id=architecture
# ## 4. The bigger picture: one graph, many machines
#
# Devices are also how TensorFlow spreads work over a cluster. Picture a client that built a
# small graph: multiply features `x` by weights `w`, add a bias `b`, store the result in a
# variable `s`. When it calls `run`:
#
# 1. the **client** (your Python program) sends the graph and the fetches to a **master**;
# 2. the master **prunes** the graph to what the fetches need (lesson 10) and **partitions** it:
#    one piece per device, with send/receive pairs inserted wherever an edge crosses devices;
# 3. it ships the pieces to **worker** processes, each driving its CPUs and GPUs;
#    **parameter servers** are workers whose job is to hold variables such as `w` and `b`;
# 4. workers exchange tensors over the network (gRPC, or RDMA/InfiniBand where the hardware
#    allows) and run their pieces; the fetched values flow back to the client.
#
# The picture, drawn with graphviz from the cell below (`x · w + b` on worker 0, the variables on
# the parameter server, a send/receive pair on each edge that crosses machines):

# %% id=architecture-draw
from IPython.display import HTML
from tfteach.viz import render_svg

cluster = '''digraph cluster {
  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=11, nodesep=0.3, size="9,4"];
  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];
  edge [fontname="Helvetica", fontsize=8, color="#555555"];
  client [label="client\\n(your Python program)\\nbuilds the graph, calls run", fillcolor="#fff2cc"];
  master [label="master\\nprunes, partitions,\\nadds send/recv pairs", fillcolor="#cfe2f3"];
  subgraph cluster_worker0 { label="worker 0 (/job:worker/task:0)"; style="rounded";
    x [label="x"]; matmul [label="MatMul"]; add [label="Add"]; s [label="s", shape=cylinder, fillcolor="#d9ead3"];
    recv_w [label="Recv w"]; recv_b [label="Recv b"]; }
  subgraph cluster_ps { label="parameter server (/job:ps/task:0)"; style="rounded";
    w [label="w", shape=cylinder, fillcolor="#d9ead3"]; b [label="b", shape=cylinder, fillcolor="#d9ead3"];
    send_w [label="Send w"]; send_b [label="Send b"]; }
  client -> master [label="graph + fetches"];
  master -> x [lhead=cluster_worker0, label="piece 1"];
  master -> w [lhead=cluster_ps, label="piece 2"];
  w -> send_w; b -> send_b;
  send_w -> recv_w [label="gRPC / RDMA", style=dashed];
  send_b -> recv_b [label="gRPC / RDMA", style=dashed];
  x -> matmul; recv_w -> matmul; matmul -> add; recv_b -> add; add -> s;
  s -> client [label="fetched values", style=dotted, constraint=false];
}'''
HTML(render_svg(cluster))

# %% [markdown] id=architecture-local
# tfteach keeps all of this in one process: the `Session` plays client and master (pruning,
# placement, cached plans), the executor plays the worker, and a tensor is copied only where an
# edge crosses from one device to another.

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Make a `ConfigProto` named `my_config` that lets a session's GPU memory grow
# on demand **and** never take more than a quarter of the GPU. Store it in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(cfg):
    expect(isinstance(cfg, tf.compat.v1.ConfigProto), "answer_1 should be a tf.compat.v1.ConfigProto")
    expect(cfg.gpu_options.allow_growth is True, "set gpu_options.allow_growth")
    expect(abs(cfg.gpu_options.per_process_gpu_memory_fraction - 0.25) < 1e-9,
           "cap the share with gpu_options.per_process_gpu_memory_fraction (a quarter)")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Write a function `sum_on_cpu()` that returns `tf.reduce_sum(tf.ones([1000]))`
# with the operation pinned to the CPU, and store the *function* in `answer_2`. (The check traces
# it: on a machine without a GPU, a result computed under `tf.device('/GPU:0')` still lands on
# the CPU, so only the request recorded in the graph tells the two apart.)

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(fn):
    expect(callable(fn), "answer_2 should be a function (def sum_on_cpu(): ...), not a tensor")
    # soft placement runs a GPU request on the CPU when there is no GPU, so the result's device
    # cannot tell a CPU pin from a GPU pin here: the traced graph records what was requested
    graph = tf.function(fn).get_concrete_function().graph
    sums = [op for op in graph.get_operations() if op.type == "Sum"]
    expect(sums, "compute the sum with tf.reduce_sum inside the function")
    expect(all("CPU" in op.device.upper() for op in sums),
           "create the sum inside a `with tf.device('/CPU:0'):` block")
    t = fn()
    expect(isinstance(t, tf.Tensor) and float(t) == 1000.0, "return tf.reduce_sum(tf.ones([1000]))")
    expect(t.device.endswith("CPU:0"), "the result was not computed on the CPU")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
my_config = tf.compat.v1.ConfigProto()
my_config.gpu_options.allow_growth = True
my_config.gpu_options.per_process_gpu_memory_fraction = 0.25
answer_1 = my_config
print(check(1, check_1, answer_1))
def sum_on_cpu():
    with tf.device('/CPU:0'):
        return tf.reduce_sum(tf.ones([1000]))
answer_2 = sum_on_cpu
print(check(2, check_2, answer_2))
