# %% [markdown] id=title
# # 11 · Name scopes and visualising graphs
#
# **Goal:** keep big graphs readable. Name scopes prefix operation names (`loss/mse`) the way
# folders prefix file names, and drawings can show each scope as one box, opened on request. A
# drawing is also the quickest way to spot a wiring mistake.
#
# **You will meet:** `tf.name_scope` (nested and re-entered), graphs written for TensorBoard with
# `tf.summary.FileWriter`, the `%%graph` and `%graph` drawings, building blocks as Python
# functions.

# %% id=import
%load_ext tfteach
import os
import tempfile
import tfteach.v1 as tf

TMP = tempfile.mkdtemp()   # where this lesson writes its TensorBoard logs

# %% [markdown] id=filewriter-intro
# ## 1. Writing a graph for TensorBoard
#
# `tf.summary.FileWriter(logdir, graph)` writes the graph into an *event file* that TensorBoard
# (`tensorboard --logdir ...`) displays. In a notebook, `%graph` can draw straight from such a
# folder, no TensorBoard server needed.

# %% id=filewriter
a = tf.constant(5, name="input_a")
b = tf.constant(3, name="input_b")
c = tf.multiply(a, b, name="mul_c")
d = tf.add(a, b, name="add_d")
e = tf.add(c, d, name="add_e")

# Open up a Session
sess = tf.Session()

# Execute our output node, using our Session
result = sess.run(e)
print("result:", result, " result", tf.shape(result))

# Open a FileWriter to write our graph to disk
writer = tf.summary.FileWriter(TMP + '/my_graph', sess.graph)

# Close our FileWriter and Session objects
writer.close()
sess.close()

# %% [markdown] id=filewriter-note
# Careful: `tf.shape(result)` did not print 23's shape. `result` is a NumPy value, so
# `tf.shape` turned it into a constant and added **new operations** to the graph; printing
# shows that new tensor. Mixing "graph building" and "looking at results" is a classic TF1 trap.

# %% id=filewriter-draw
%graph TMP + '/my_graph'

# %% id=tensor-graph
tf.reset_default_graph()
a = tf.constant([[5, 3], [2, 1]], name="input_a")
b = tf.reduce_prod(a, name="prod_b")
c = tf.reduce_sum(a, name="sum_c")
d = tf.add(b, c, name="add_d")

sess = tf.Session()
result = sess.run(d)
print("result:", result)
writer = tf.summary.FileWriter(TMP + '/tensor_graph', sess.graph)
writer.close()
sess.close()

# %% [markdown] id=scopes-intro
# ## 2. Name scopes
#
# Operations created inside `with tf.name_scope("Scope_A"):` get names starting with
# `Scope_A/`. The drawing groups them in one box.

# %% id=name-scope-reset
tf.reset_default_graph()

# %% id=name-scope-1
%%graph --default --expand all
with tf.name_scope("Scope_A"):
    a = tf.add(1, 2, name="A_add")
    b = tf.multiply(a, 3, name="A_mul")

with tf.name_scope("Scope_B"):
    c = tf.add(4, 5, name="B_add")
    d = tf.multiply(c, 6, name="B_mul")

e = tf.add(b, d, name="output")
print("example1:", e)
writer = tf.summary.FileWriter(TMP + '/name_scope_1', graph=tf.get_default_graph())
writer.close()

# %% [markdown] id=nested-intro
# Scopes nest. Below, four blocks live inside `Transformation`; drawn collapsed, the graph reads
# as "two inputs → Transformation → maximum". (`tf.div` is a TF1 name, kept in TF2 as
# `tf.compat.v1.div`. It is *not* the same as TF2's `tf.math.divide`: on floats both divide
# normally, but on integers `tf.div` rounds down, `tf.div(7, 2)` is `3` and `tf.div(-7, 2)` is
# `-4`, while `tf.math.divide(7, 2)` is the float `3.5`. The inputs here are floats.)

# %% id=name-scope-2
graph = tf.Graph()
with graph.as_default():
    in_1 = tf.placeholder(tf.float32, shape=[], name="input_a")
    in_2 = tf.placeholder(tf.float32, shape=[], name="input_b")
    const = tf.constant(3, dtype=tf.float32, name="static_value")

    with tf.name_scope("Transformation"):

        with tf.name_scope("A"):
            A_mul = tf.multiply(in_1, const)
            A_out = tf.subtract(A_mul, in_1)

        with tf.name_scope("B"):
            B_mul = tf.multiply(in_2, const)
            B_out = tf.subtract(B_mul, in_2)

        with tf.name_scope("C"):
            C_div = tf.div(A_out, B_out)
            C_out = tf.add(C_div, const)

        with tf.name_scope("D"):
            D_div = tf.div(B_out, A_out)
            D_out = tf.add(D_div, const)

    out = tf.maximum(C_out, D_out)

print("example2:", out)
writer = tf.summary.FileWriter(TMP + '/name_scope_2', graph=graph)
writer.close()

# %% id=name-scope-2-collapsed
%graph graph --collapse Transformation

# %% id=name-scope-2-expanded
%graph graph --expand all

# %% [markdown] id=reenter-intro
# Opening a scope with a name that is already used gives a *new* scope (`Scope_A_1`); to add to
# an existing scope, re-enter it with its full name ending in `/`, or keep the scope object.

# %% id=reenter
with tf.name_scope("Scope_A"):
    z = tf.constant(0, name="z")
with tf.name_scope("Scope_A/"):
    w = tf.constant(0, name="w")
print(z.name, w.name)

# %% [markdown] id=modularity-intro
# ## 3. Building blocks as functions, and a bug a picture catches
#
# Five copies of a small "rectified linear unit" (a linear map followed by `max(·, 0)`) written
# by copy and paste contain a mistake. Can you spot it before looking at the drawing? (Past 30
# ops a drawing leaves out the *setup*, the ops that only compute and assign the variables'
# initial values; each variable's box says how many it stands for, so the wiring is in view.
# `%%graph --setup show` draws every op.)

# %% id=modularity-bug
%%graph
n_features = 3
X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")

w1 = tf.Variable(tf.random_normal((n_features, 1)), name="weights1")
w2 = tf.Variable(tf.random_normal((n_features, 1)), name="weights2")
b1 = tf.Variable(0.0, name="bias1")
b2 = tf.Variable(0.0, name="bias2")

linear1 = tf.add(tf.matmul(X, w1), b1, name="linear1")
linear2 = tf.add(tf.matmul(X, w2), b2, name="linear2")

relu1 = tf.maximum(linear1, 0, name="relu1")
relu2 = tf.maximum(linear1, 0, name="relu2")  # Oops, cut&paste error! Did you spot it?

output = tf.add_n([relu1, relu2], name="output")
print("output:", output)

# %% [markdown] id=modularity-bug-explained
# In the drawing, `linear2` leads nowhere: `relu2` reads `linear1`. A function removes the
# temptation to copy and paste:

# %% id=modularity
tf.reset_default_graph()

def relu(X):
    w_shape = int(X.get_shape()[1]), 1
    w = tf.Variable(tf.random_normal(w_shape), name="weights")
    b = tf.Variable(0.0, name="bias")
    linear = tf.add(tf.matmul(X, w), b, name="linear")
    return tf.maximum(linear, 0, name="relu")

n_features = 3
X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
relus = [relu(X) for i in range(5)]
output = tf.add_n(relus, name="output")
summary_writer = tf.summary.FileWriter(TMP + "/logs/relu1", tf.get_default_graph())
summary_writer.flush()
summary_writer.close()
print([r.name for r in relus])

# %% id=modularity-draw
%graph

# %% [markdown] id=modularity-scope-intro
# Correct now, but the drawing is a tangle of `weights_3`, `linear_4`, ... Put each call in a
# name scope and every unit becomes one box (`relu`, `relu_1`, ...). `--collapse-over 8` folds
# every scope of more than 8 ops; add `--expand relu` to open one unit and see its inside:

# %% id=modularity-scope
tf.reset_default_graph()

def relu(X):
    with tf.name_scope("relu"):
        w_shape = int(X.get_shape()[1]), 1
        w = tf.Variable(tf.random_normal(w_shape), name="weights")
        b = tf.Variable(0.0, name="bias")
        linear = tf.add(tf.matmul(X, w), b, name="linear")
        return tf.maximum(linear, 0, name="max")

n_features = 3
X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
relus = [relu(X) for i in range(5)]
output = tf.add_n(relus, name="output")

summary_writer = tf.summary.FileWriter(TMP + "/logs/relu2", tf.get_default_graph())
summary_writer.flush()
summary_writer.close()
print([r.name for r in relus])

# %% id=modularity-scope-draw
%graph TMP + "/logs/relu2" --collapse-over 8

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** In a fresh graph, build `total = tf.add(x, y, name="total")` where `x` is a
# constant created in scope `inputs` (name `x`) and `y` a constant in scope `inputs/more` (name
# `y`). Put the names of `x`, `y` and `total` (the tensors' `.name`) in a list `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(names):
    expect(isinstance(names, (list, tuple)) and len(names) == 3,
           "answer_1 should be a list of three tensor names")
    expect(all(isinstance(n, str) for n in names), "use the tensors' .name strings")
    expect(all(n.endswith(":0") for n in names), "a tensor's name ends with its output index, :0")
    x_name, y_name, total_name = names
    expect(x_name.startswith("inputs/") and x_name.count("/") == 1,
           "create x directly inside tf.name_scope('inputs')")
    expect(y_name.startswith("inputs/more/"), "open scope 'more' inside scope 'inputs' for y")
    expect("/" not in total_name, "create total outside both scopes")
    expect(list(names) == ["inputs/x:0", "inputs/more/y:0", "total:0"],
           "were the graph and the names fresh? Build in a new tf.Graph()")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** What name does the third `relu` scope get when `relu(X)` is called three times?
# Put it (without a trailing `/`) in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(name):
    expect(isinstance(name, str), "answer_2 should be a string (a scope name)")
    expect(not name.endswith("/"), "leave out the trailing /")
    g = tf.Graph()
    with g.as_default():
        Xp = tf.placeholder(tf.float32, shape=(None, 3))
        outs = [relu(Xp) for _ in range(3)]
    expect(outs[2].op.name.rsplit("/", 1)[0] == name, "scopes are numbered like op names: the "
                                                      "first has no number")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
with tf.Graph().as_default():
    with tf.name_scope("inputs"):
        x = tf.constant(1, name="x")
        with tf.name_scope("more"):
            y = tf.constant(2, name="y")
    total = tf.add(x, y, name="total")
    answer_1 = [x.name, y.name, total.name]
print(check(1, check_1, answer_1))
answer_2 = "relu_2"
print(check(2, check_2, answer_2))
