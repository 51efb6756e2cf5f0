# %% [markdown] id=title
# # 12 · Summaries and TensorBoard logs
#
# **Goal:** watch training instead of guessing. *Summary* operations turn tensors into small
# serialized records; a `FileWriter` appends them, with a step number, to event files that
# TensorBoard plots. In the notebook a live plot reads the same records.
#
# **You will meet:** `tf.summary.scalar`, `tf.summary.merge_all`, `tf.summary.FileWriter` and
# `add_summary`, a graph organised with name scopes, the live plot widget.

# %% id=import
%load_ext tfteach
import os
import tempfile
import numpy as np
import tfteach.v1 as tf
from tfteach.magics import LivePlot

TMP = tempfile.mkdtemp()   # this lesson's log folder
print("tensorboard --logdir <this folder> would show the logs")

# %% [markdown] id=running-graph-intro
# ## 1. A graph with state and summaries
#
# This graph takes a vector, computes the product and the sum of its elements and adds them. Two
# variables keep a running total of the outputs and count the runs; three scalar summaries
# report the output, the total and the average. Everything is organised in name scopes, so the
# drawing stays readable.

# %% id=running-graph-1
# Explicitly create a Graph object
graph = tf.Graph()

with graph.as_default():

    with tf.name_scope("variables"):
        # Variable to keep track of how many times the graph has been run
        global_step = tf.Variable(0, dtype=tf.int32, name="global_step")

        # Variable that keeps track of the sum of all output values over time:
        total_output = tf.Variable(0.0, dtype=tf.float32, name="total_output")

    # Primary transformation Operations
    with tf.name_scope("transformation"):

        # Separate input layer
        with tf.name_scope("input"):
            # Create input placeholder- takes in a Vector
            a = tf.placeholder(tf.float32, shape=[None], name="input_placeholder_a")

        # Separate middle layer
        with tf.name_scope("intermediate_layer"):
            b = tf.reduce_prod(a, name="product_b")
            c = tf.reduce_sum(a, name="sum_c")

        # Separate output layer
        with tf.name_scope("output"):
            output = tf.add(b, c, name="output")

    with tf.name_scope("update"):
        # Increments the total_output Variable by the latest output
        update_total = total_output.assign_add(output)

        # Increments the above `global_step` Variable, should be run whenever the graph is run
        increment_step = global_step.assign_add(1)

# %% [markdown] id=running-graph-2-intro
# `tf.summary.scalar(tag, tensor)` is an operation whose output is a serialized record (a
# `string` tensor). `merge_all()` collects every summary of the graph into one operation.

# %% id=running-graph-2
with graph.as_default():
    # Summary Operations
    with tf.name_scope("summaries"):
        avg = tf.div(update_total, tf.cast(increment_step, tf.float32), name="average")

        # Creates summaries for output node
        tf.summary.scalar("output_summary", output)
        tf.summary.scalar("total_summary", update_total)
        tf.summary.scalar("average_summary", avg)

    # Global Variables and Operations
    with tf.name_scope("global_ops"):
        # Initialization Op
        init = tf.global_variables_initializer()
        # Merge all summaries into one Operation
        merged_summaries = tf.summary.merge_all()

# %% id=running-graph-draw
%graph graph

# %% [markdown] id=run-graph-bug-intro
# The helper from the original slides builds a `feed_dict`... and then forgets to pass it. The
# placeholder is not fed, so the run fails and says which placeholder is missing:

# %% id=running-graph-run
# Start a Session, using the explicitly created Graph
sess = tf.Session(graph=graph)

# Open a FileWriter to save summaries
writer = tf.summary.FileWriter(TMP + '/improved_graph', graph)

# Initialize Variables
sess.run(init)

def run_graph(input_tensor):
    """
    Helper function; runs the graph with given input tensor and saves summaries
    """
    feed_dict = {a: input_tensor}
    out, step, summary = sess.run([output, increment_step, merged_summaries])
    writer.add_summary(summary, global_step=step)

# Run the graph with various inputs
try:
    run_graph([2,8])
    run_graph([3,1,3,3])
    run_graph([8])
    run_graph([1,2,3])
except tf.errors.InvalidArgumentError as err:
    print("InvalidArgumentError:", err.message.splitlines()[0])

# %% [markdown] id=run-graph-fixed-intro
# Passing `feed_dict=feed_dict` fixes it. A live plot attached to the writer shows each record
# as it is written. Notice that the steps start at 2: the failed run above still ran
# `increment_step`, which needs no feed. TensorFlow runs the stateful operations of a step that
# can run even when another part of the step fails, so a failed `run` is not always harmless.

# %% id=running-graph-fixed
plot = LivePlot()
plot.attach(writer)

def run_graph(input_tensor):
    feed_dict = {a: input_tensor}
    out, step, summary = sess.run([output, increment_step, merged_summaries], feed_dict=feed_dict)
    writer.add_summary(summary, global_step=step)
    print("step", step, "output", out)

run_graph([2,8])
run_graph([3,1,3,3])
run_graph([8])
run_graph([1,2,3])
writer.flush()
writer.close()
sess.close()
plot.redraw()
plot

# %% [markdown] id=files-intro
# What landed on disk: one event file with the graph and every record.

# %% id=files
# NBVAL_IGNORE_OUTPUT
print(os.listdir(TMP + '/improved_graph'))

# %% [markdown] id=training-intro
# ## 2. Logging a training run
#
# Back to linear regression on the diabetes data (lesson 09). Every 10 mini-batches we evaluate a
# summary of the MSE on the current batch and write it with the step number.

# %% id=data
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
import numpy.random as rnd

housing = load_diabetes()   # stands in for the California housing data
m, n = housing.data.shape
scaled_housing_data_plus_bias = np.c_[np.ones((m, 1)), StandardScaler().fit_transform(housing.data)]
logdir = TMP + "/run-1"

# %% id=tensor-visualization
def fetch_batch(epoch, batch_index, batch_size):
    rnd.seed(epoch * n_batches + batch_index)
    indices = rnd.randint(m, size=batch_size)
    X_batch = scaled_housing_data_plus_bias[indices]
    y_batch = housing.target.reshape(-1, 1)[indices]
    return X_batch, y_batch

tf.reset_default_graph()
n_epochs = 1000
learning_rate = 0.01

X = tf.placeholder(tf.float32, shape=(None, n + 1), name="X")
y = tf.placeholder(tf.float32, shape=(None, 1), name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(mse)

init = tf.global_variables_initializer()

mse_summary = tf.summary.scalar('MSE', mse)
summary_writer = tf.summary.FileWriter(logdir, tf.get_default_graph())
plot = LivePlot()
plot.attach(summary_writer)

n_epochs = 10
batch_size = 100
n_batches = int(np.ceil(m / batch_size))

with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        for batch_index in range(n_batches):
            X_batch, y_batch = fetch_batch(epoch, batch_index, batch_size)
            if batch_index % 10 == 0:
                summary_str = mse_summary.eval(feed_dict={X: X_batch, y: y_batch})
                step = epoch * n_batches + batch_index
                summary_writer.add_summary(summary_str, step)
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch})

    best_theta = theta.eval()

summary_writer.flush()
summary_writer.close()
print("Best theta:")
print(best_theta.ravel().round(1))   # one decimal: float32 last bits differ by machine
plot.redraw()
plot

# %% [markdown] id=indent-bug
# Look at the indentation of `sess.run(training_op, ...)` above: it sits *inside* the `if`, so
# training happens only on every 10th batch. (It is the way the original slide was printed.) The
# summary names are worth a look too: `MSE` would clash with the op `mse` (names are unique
# regardless of case), so the summary became `MSE_1`.

# %% id=summary-name
print(mse_summary.name, mse_summary.op.type)

# %% [markdown] id=scope-loss-intro
# The corrected loop, with the loss computation grouped in a `loss` name scope:

# %% id=name-scope-loss
tf.reset_default_graph()
n_epochs = 1000
learning_rate = 0.01

X = tf.placeholder(tf.float32, shape=(None, n + 1), name="X")
y = tf.placeholder(tf.float32, shape=(None, 1), name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
with tf.name_scope('loss') as scope:
    error = y_pred - y
    mse = tf.reduce_mean(tf.square(error), name="mse")
optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(mse)

init = tf.global_variables_initializer()

mse_summary = tf.summary.scalar('MSE', mse)
summary_writer = tf.summary.FileWriter(TMP + "/run-2", tf.get_default_graph())
plot = LivePlot()
plot.attach(summary_writer)

n_epochs = 10
batch_size = 100
n_batches = int(np.ceil(m / batch_size))

with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        for batch_index in range(n_batches):
            X_batch, y_batch = fetch_batch(epoch, batch_index, batch_size)
            if batch_index % 10 == 0:
                summary_str = mse_summary.eval(feed_dict={X: X_batch, y: y_batch})
                step = epoch * n_batches + batch_index
                summary_writer.add_summary(summary_str, step)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})

    best_theta = theta.eval()

summary_writer.flush()
summary_writer.close()
print("Best theta:")
print(best_theta.ravel().round(1))   # one decimal: float32 last bits differ by machine
plot.redraw()
plot

# %% id=name-scope-loss-draw
%graph --collapse gradients

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** What is the name of the summary tensor `tf.summary.scalar('MSE', mse)` in the
# second graph, where `mse` lives in the `loss` scope? Put it in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(name):
    expect(isinstance(name, str), "answer_1 should be a string (a tensor's name)")
    expect(name.endswith(":0"), "a tensor's name ends with its output index, :0")
    expect(name == mse_summary.name, "the op `mse` is now `loss/mse`: no clash at the top level")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Feed the live plot directly: make a `LivePlot()` called `my_plot` and add the
# values `1 / (step + 1)` for steps 0 to 9 under the tag `"decay"` with
# `my_plot.add_scalar(tag, value, step)`.

# %% id=ex2
my_plot = ...

# %% id=ex2-check
def check_2(p):
    expect(isinstance(p, LivePlot), "my_plot should be a LivePlot()")
    expect("decay" in p.data, "add the values under the tag 'decay'")
    points = p.data["decay"]
    expect([s for s, _ in points] == list(range(10)), "add one value per step, steps 0 to 9")
    expect(all(abs(v - 1 / (s + 1)) < 1e-9 for s, v in points), "the value at step s is 1 / (s + 1)")

print(check(2, check_2, my_plot))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = "MSE:0"
print(check(1, check_1, answer_1))
my_plot = LivePlot()
for step in range(10):
    my_plot.add_scalar("decay", 1 / (step + 1), step)
print(check(2, check_2, my_plot))
