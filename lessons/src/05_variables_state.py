# %% [markdown] id=title
# # 05 · Variables and per-session state
#
# **Goal:** understand where a model's parameters live. A variable is part of the graph, but its
# **value** lives in a session, survives from one `run` to the next, and changes only when an
# assign operation runs. Two sessions on the same graph hold two independent values.
#
# **You will meet:** `tf.Variable` and the four operations it creates, `_ref` dtypes,
# initializers, `FailedPreconditionError`, `assign`, `assign_add`, `assign_sub`,
# `global_variables_initializer`, `variables_initializer`.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf

config = tf.ConfigProto()
config.gpu_options.allow_growth = True
g = tf.get_default_graph()

# %% [markdown] id=variable-intro
# ## 1. One variable, four operations
#
# Compare the three kinds of "value" we have seen:
#
# * a **constant** is fixed when the graph is built;
# * a **placeholder** gets a new value every `run`;
# * a **variable** is changed *while the graph runs*, by assign operations, and the session
#   remembers the new value afterwards.

# %% id=variable
x = tf.Variable(42)

# %% id=variable-ops
# summarise the operations now in the graph:
[(op, "{} inputs and {} output".format(len(op.inputs), len(op.outputs)))
 for op in g.get_operations()]

# %% [markdown] id=variable-ops-explained
# Four operations for one line of code:
#
# 1. `Variable/initial_value` is an ordinary constant holding 42.
# 2. `Variable` (type `VariableV2`) is the storage itself. Its output has dtype `int32_ref`: a
#    *reference* to mutable memory, usable wherever an `int32` is, and also as the target of an
#    assignment.
# 3. `Variable/Assign` writes the initial value into the storage. Running it initialises `x`.
# 4. `Variable/read` (an `Identity`) turns the reference into a plain `int32` value for the
#    operations that read `x`.
#
# The Python object `x` is a `Variable`, not a tensor, but it can be used like one.

# %% id=variable-draw
%graph

# %% id=ref-dtype
print(g.get_operation_by_name("Variable").outputs[0].dtype, "->", x.value().dtype)

# %% [markdown] id=uninit-intro
# ## 2. Values live in a session
#
# Open two sessions on the same graph. Reading `x` before its assign operation has run in *this*
# session fails with `FailedPreconditionError`.

# %% id=two-sessions
sess = tf.Session(config=config)
sess2 = tf.Session(config=config)

# %% id=uninitialized
try:
    sess.run(x)
except tf.errors.FailedPreconditionError as err:
    print("FailedPreconditionError:", err.message.splitlines()[0])

# %% [markdown] id=run-assign-intro
# Run the assign operation (the third operation of the graph) for its effect. Fetching an
# operation returns `None`.

# %% id=run-assign
sess.run(g.get_operations()[2])

# %% id=read-after-init
sess.run(x)

# %% [markdown] id=sess2-intro
# `sess` now knows `x = 42`, but `sess2` still has nothing:

# %% id=sess2-uninit
try:
    sess2.run(x)
except tf.errors.FailedPreconditionError as err:
    print("FailedPreconditionError:", err.message.splitlines()[0])

# %% [markdown] id=initializer-intro
# Every variable knows its assign operation as `x.initializer`.

# %% id=initializer
sess2.run(x.initializer), sess2.run(x)

# %% [markdown] id=inspector-intro
# The variable inspector shows the same graph's variables in several sessions side by side.

# %% id=inspector
from tfteach.magics import VariableInspector

VariableInspector([sess, sess2])

# %% id=close-both
sess.close()
sess2.close()

# %% [markdown] id=initializers-intro
# ## 3. Initialising many variables
#
# `tf.global_variables_initializer()` is one operation that runs every variable's initializer;
# `tf.variables_initializer([...])` initialises only those listed.

# %% id=variables-1
tf.reset_default_graph()
g = tf.get_default_graph()

# Pass in a starting value of three for the variable
my_var = tf.Variable(3, name="my_variable")

add = tf.add(5, my_var)
mul = tf.multiply(8, my_var)

init = tf.global_variables_initializer()
sess = tf.Session()

print(sess.run(init))
print(sess.run([add, mul]))

var1 = tf.Variable(0, name="initialize_me")
var2 = tf.Variable(1, name="no_INITIALIZATION")
init = tf.variables_initializer([var1], name="init_var1")
sess = tf.Session()
print(sess.run(init))
print(sess.run(var1))
try:
    sess.run(var2)
except tf.errors.FailedPreconditionError as err:
    print("var2:", err.message.splitlines()[0])

# %% [markdown] id=assign-intro
# ## 4. Changing a variable
#
# `my_var.assign(value)` builds an operation that writes `value` into the variable and outputs
# the new value. Each run of it doubles the variable again: the state is carried from run to run.

# %% id=variables-2
# Create variable with starting value of 1
my_var = tf.Variable(1)
# Create an operation that multiplies the variable by 2 each time it is run
my_var_times_two = my_var.assign(my_var * 2)
# Initialization operation
init = tf.global_variables_initializer()
# Start a session
sess = tf.Session()
# Initialize variable
sess.run(init)
# Multiply variable by two and return it
print(sess.run(my_var_times_two))
## OUT: 2
# Multiply again
print(sess.run(my_var_times_two))
## OUT: 4
# Multiply again
print(sess.run(my_var_times_two))
## OUT: 8

# Increment by 1
print(sess.run(my_var.assign_add(1)))
# Decrement by 1
print(sess.run(my_var.assign_sub(1)))

# %% [markdown] id=variables-3-intro
# ## 5. Two sessions, two histories
#
# The same graph in two sessions: each session increments its own copy of `my_var`.

# %% id=variables-3
# Create Ops
my_var = tf.Variable(0)
init = tf.global_variables_initializer()
# Start Sessions
sess1 = tf.Session()
sess2 = tf.Session()
# Initialize Variable in sess1, and increment value of my_var in that Session
sess1.run(init)
print(sess1.run(my_var.assign_add(5)))
## OUT: 5
# Do the same with sess2, but use a different increment value
sess2.run(init)
print(sess2.run(my_var.assign_add(2)))
## OUT: 2
# Can increment the Variable values in each Session independently
print(sess1.run(my_var.assign_add(5)))
## OUT: 10
print(sess2.run(my_var.assign_add(2)))
## OUT: 4

# %% [markdown] id=failed-run-intro
# ## 6. A failed run changes nothing
#
# If anything in a `run` fails, every variable keeps the value it had before that `run`. Here
# the increment would run, but a missing feed stops the whole step first.

# %% id=failed-run
step = tf.placeholder(tf.int32, shape=[])
bump = my_var.assign_add(step)
try:
    sess1.run(bump)
except tf.errors.InvalidArgumentError:
    print("the run failed; my_var is still", sess1.run(my_var))
sess1.close()
sess2.close()

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Create a variable `counter` starting at 0 and an operation `tick` that adds 3 to
# it. In a new session, initialise and run `tick` four times (what do you expect to see?). Store
# the pair `(counter, tick)` in `answer_1`: the check runs your `tick` itself.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(pair):
    expect(isinstance(pair, tuple) and len(pair) == 2, "answer_1 should be the pair (counter, tick)")
    counter, tick = pair
    expect(isinstance(counter, tf.Variable), "counter should be a tf.Variable")
    expect(isinstance(tick, (tf.Tensor, tf.Operation)), "tick should be the op returned by "
                                                       "counter.assign_add(3)")
    with tf.Session(graph=counter.graph) as sess:
        sess.run(counter.initializer)
        expect(sess.run(counter) == 0, "counter should start at 0")
        for _ in range(4):
            sess.run(tick)
        expect(sess.run(counter) == 12, "each run of tick should add 3 to counter")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** How many operations does `tf.Variable(7.0)` add to an empty graph? Put the
# number in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(n):
    expect(is_number(n), "answer_2 should be a number (a count)")
    graph = tf.Graph()
    with graph.as_default():
        tf.Variable(7.0)
    expect(n == len(graph.get_operations()), "look at section 1 again: a variable brings its "
                                             "initial value, an assign and a read")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
counter = tf.Variable(0, name="counter")
tick = counter.assign_add(3)
with tf.Session() as sess:
    sess.run(counter.initializer)
    for _ in range(4):
        value = sess.run(tick)
print("after four ticks:", value)
answer_1 = (counter, tick)
print(check(1, check_1, answer_1))
answer_2 = 4
print(check(2, check_2, answer_2))
