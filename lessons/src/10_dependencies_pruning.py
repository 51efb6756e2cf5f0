# %% [markdown] id=title
# # 10 · Dataflow dependencies and pruning
#
# **Goal:** read a graph as a set of dependencies. An operation can run as soon as its inputs
# exist; operations that do not depend on each other could run in parallel; and `Session.run`
# executes only the part of the graph that the fetched values depend on.
#
# **You will meet:** direct and transitive dependencies, independent branches, why ordinary
# ops form no cycles (and how loops are *unrolled*), pruning, feeding to cut a graph, control
# dependencies.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf
from tfteach.magics import SessionStepper

# %% [markdown] id=deps-intro
# ## 1. Direct and transitive dependencies
#
# In the graph below, `c` needs `a` and `b` directly. `e` needs `c` and `d` directly, and through
# them it depends on `a` and `b` as well: a *transitive* dependency. If an input is missing (a
# placeholder nobody fed) everything downstream of it is stuck, while the rest of the graph can
# still run.

# %% id=deps-graph
%%graph --default
a = tf.placeholder(tf.float32, shape=[], name="a")
b = tf.placeholder(tf.float32, shape=[], name="b")
c = tf.multiply(a, b, name="c")
d = tf.add(a, b, name="d")
e = tf.add(c, d, name="e")
k = tf.constant(10.0, name="k")
f = tf.multiply(k, 2.0, name="f")

# %% [markdown] id=parallel-intro
# `c` and `d` do not depend on each other: an engine may compute them in either order, or at the
# same time on two cores, exactly like two independent threads in an operating system. The graph
# makes that independence visible to the engine, which is one reason graphs can be distributed
# over devices and machines.
#
# ## 2. Pruning: run only what is needed
#
# Fetch `c` and only `c` runs: `d`, `e` and `f` are pruned away, and the placeholders `a` and
# `b` are not computed at all (their values come from the feed). The stepper records what the
# executor actually ran:

# %% id=prune-c
sess = tf.Session()
stepper = SessionStepper(sess, c, feed_dict={a: 3.0, b: 4.0})
print("result:", stepper.result)
print("ran:", [step.op.name for step in stepper.steps])

# %% id=prune-f
stepper_f = SessionStepper(sess, f)
print("result:", stepper_f.result)
print("ran:", [step.op.name for step in stepper_f.steps])

# %% [markdown] id=prune-note
# Fetching `f` needs no feed at all: `a` and `b` are not on its path. Fetching `e` needs both.
# Step through it:

# %% id=prune-e
SessionStepper(sess, e, feed_dict={a: 3.0, b: 4.0})

# %% [markdown] id=missing-intro
# Asking for `e` without feeding `b` fails: `e` depends on `b`, transitively.

# %% id=missing
try:
    sess.run(e, feed_dict={a: 3.0})
except tf.errors.InvalidArgumentError as err:
    print("InvalidArgumentError:", err.message.splitlines()[0])

# %% [markdown] id=feed-cut-intro
# ## 3. Feeding cuts the graph
#
# Feeding a tensor replaces it, so nothing upstream of it needs to run. Feed `c` and `d` and
# neither placeholder is needed any more:

# %% id=feed-cut
stepper_cut = SessionStepper(sess, e, feed_dict={c: 12.0, d: 7.0})
print("result:", stepper_cut.result)
print("ran:", [step.op.name for step in stepper_cut.steps])
sess.close()

# %% [markdown] id=cycles-intro
# ## 4. No cycles from ordinary ops: unroll instead
#
# Suppose we want `x(t+1) = 0.5 · x(t) + 1`. Drawn as a graph, `x` would feed itself: a
# circular dependency. A dataflow engine cannot execute that naively (which op goes first? when
# would it stop? values would be counted again and again, and might overflow). With ordinary
# ops you cannot even write it down: an operation's inputs must exist before the operation is
# created, so `tf.add`, `tf.matmul` and friends only ever build acyclic graphs.
#
# TensorFlow has exactly one way to build a cycle: `tf.while_loop` creates a loop *frame* whose
# `NextIteration` op feeds its value back into a `Merge` op, one controlled back edge with a
# stopping condition (lesson 22 draws it). It is the right tool when the number of steps is
# known only at run time.
#
# When the number of steps is known while building, the simple fix is to **unroll** the loop:
# give the initial value explicitly and create one copy of the step per time step. Recurrent networks are built this way (lesson 20).

# %% id=unroll
%%graph --default
x0 = tf.constant(0.0, name="x0")
xs = [x0]
for t in range(4):
    xs.append(tf.add(0.5 * xs[-1], 1.0, name="x%d" % (t + 1)))

# %% id=unroll-run
with tf.Session() as sess:
    print(sess.run(xs))

# %% [markdown] id=control-intro
# ## 5. Ordering without data: control dependencies
#
# Sometimes an operation must run after another that it does not read from, for example
# updating a counter before reporting it. `tf.control_dependencies([op])` adds such an edge
# (drawn dashed): the operations created inside the block wait for `op`. The read must be a
# *new* operation created inside the block, hence `read_value()`: the variable's standing
# `counter/read` op was created earlier, outside the block, and carries no such edge.

# %% id=control
counter = tf.Variable(0, name="counter")
increment = tf.assign_add(counter, 1, name="increment")
with tf.control_dependencies([increment]):
    report = counter.read_value()
with tf.Session() as sess:
    sess.run(counter.initializer)
    print([sess.run(report) for _ in range(3)])

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** In the graph of section 1, which operations run for
# `sess.run(e, feed_dict={a: 1.0, b: 2.0})`? Put their names in the set `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(names):
    expect(isinstance(names, (set, list, tuple)), "answer_1 should be a set of operation names")
    with tf.Session() as s:
        ran = {step.op.name for step in SessionStepper(s, e, feed_dict={a: 1.0, b: 2.0}).steps}
    expect(set(names) == ran, "not quite: fed tensors are not computed, unneeded ops are pruned")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Write a `feed_dict` for `sess.run(e, feed_dict=...)` that makes `e` equal 100
# while **no** multiplication runs and no placeholder is fed. Store it in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(feeds):
    expect(isinstance(feeds, dict), "answer_2 should be a dict {tensor: value}")
    expect(not any(getattr(t, "op", None) is not None and t.op.type == "Placeholder"
                   for t in feeds), "feed no placeholder: feed a tensor further down the graph")
    with tf.Session() as s:
        run = SessionStepper(s, e, feed_dict=feeds)
    expect(all(step.op.type != "Mul" for step in run.steps), "a multiplication still ran: feed a "
                                                             "tensor after it")
    expect(run.result == 100.0, "e does not equal 100 with these feeds")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = {"c", "d", "e"}
print(check(1, check_1, answer_1))
answer_2 = {c: 60.0, d: 40.0}
print(check(2, check_2, answer_2))
