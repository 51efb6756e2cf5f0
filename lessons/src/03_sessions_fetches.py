# %% [markdown] id=title
# # 03 · Sessions and fetches
#
# **Goal:** run a graph. A `Session` owns the machinery that executes a graph (and, from lesson
# 05 on, the values of its variables). `sess.run(fetches)` computes exactly what you fetch and
# hands back NumPy values in the same structure you asked with.
#
# **You will meet:** `tf.Session`, `ConfigProto`, `sess.run` with single tensors, lists and
# dicts, `with` blocks, `Tensor.eval()` and `Operation.run()`, closing sessions.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf

g = tf.get_default_graph()
const_tensor = tf.constant(3.14)
another_const_tensor = tf.constant(1.414)
sum_tensor = tf.add(const_tensor, another_const_tensor)

# %% [markdown] id=session-intro
# ## 1. Creating a session
#
# `tf.Session()` runs the default graph unless you pass `graph=`. A `ConfigProto` carries
# options; the classic one below asks a GPU to grow its memory on demand instead of grabbing all
# of it at start (lesson 21). On a machine without a GPU it is simply accepted.

# %% id=session-config
config = tf.ConfigProto()
config.gpu_options.allow_growth = True
sess = tf.Session(config=config)

# %% id=session-graph
sess.graph == g

# %% [markdown] id=run-intro
# ## 2. Fetching values
#
# Give `run` a tensor and it works out which operations that tensor depends on, runs only those,
# and returns the value. Nothing is remembered between calls: each `run` computes from scratch.

# %% id=run-singles
sess.run(sum_tensor), sess.run(const_tensor), sess.run(another_const_tensor)

# %% [markdown] id=run-list-intro
# Three calls start the engine three times. Fetch several values in **one** call by passing a
# list; the shared work is then done once.

# %% id=run-list
sess.run([sum_tensor, const_tensor, another_const_tensor])

# %% [markdown] id=run-dict-intro
# Fetches can be any nesting of lists, tuples, dicts and named tuples. The result has the same
# structure, with every tensor replaced by its value.

# %% id=run-dict
sess.run({'a': const_tensor, 'b': another_const_tensor,
          '[a,b,a+b]': [const_tensor, another_const_tensor, sum_tensor]})

# %% id=run-namedtuple
import collections

Pair = collections.namedtuple("Pair", ["total", "parts"])
sess.run(Pair(total=sum_tensor, parts=(const_tensor, another_const_tensor)))

# %% [markdown] id=close-intro
# ## 3. Closing
#
# A session holds resources (memory, and later the values of variables). Close it when done;
# a closed session refuses to run.

# %% id=close
sess.close()
try:
    sess.run(sum_tensor)
except RuntimeError as err:
    print("RuntimeError:", err)

# %% [markdown] id=simple-example-intro
# ## 4. A complete small program
#
# A classic first program: two variables and a formula. Printing `f` shows a tensor, not a
# number: the graph is evaluated lazily, when a session runs it. The variables must be
# initialised inside the session first (lesson 05 explains why).

# %% id=simple-example
tf.reset_default_graph()

x = tf.Variable(3, name="x")
y = tf.Variable(4, name="y")
f = x*x*y + y + 2
print("f:", f)

sess = tf.Session()
sess.run(x.initializer)
sess.run(y.initializer)
print(sess.run(f))
sess.close()

# %% [markdown] id=with-session-intro
# `with tf.Session() as sess:` closes the session for you, and inside the block that session is
# the **default session**: `tensor.eval()` and `operation.run()` use it without naming it.

# %% id=with-session
with tf.Session() as sess:
    x.initializer.run()
    y.initializer.run()
    result = f.eval()

print(result)

# %% [markdown] id=global-init-intro
# With many variables, one operation initialises them all:
# `tf.global_variables_initializer()`.

# %% id=global-init
init = tf.global_variables_initializer()  # prepare an init node

with tf.Session():
    init.run()   # actually initialise the variables
    result = f.eval()

print(result)

# %% [markdown] id=fetched-intro
# ## 5. What `run` returns
#
# * fetch a tensor: its value (a NumPy array or NumPy scalar);
# * fetch a list: a list of values;
# * fetch an **operation**: `None`, after running it for its effect.
#
# `tf.initialize_all_variables()` is the old name of `tf.global_variables_initializer()`; it
# still works. TensorFlow 2.21 logs a deprecation warning for it (to the log on stderr, once,
# `WARNING:tensorflow: ... initialize_all_variables ... is deprecated`); tfteach keeps the old
# name as a quiet alias, so you will not see that warning below. Prefer the new name.

# %% id=fetched
tf.reset_default_graph()

a = tf.add(2, 5)
b = tf.multiply(a, 3)
sess = tf.Session()
sess = tf.Session(graph=tf.get_default_graph())   # the same thing, said explicitly

print("sess.run(b):", sess.run(b))
print("sess.run([a,b]):", sess.run([a, b]))
print(sess.run(tf.initialize_all_variables()))

# %% [markdown] id=lifecycle-intro
# ## 6. Nothing is cached between runs
#
# Every `run` recomputes what it needs (only variables keep their values, lesson 05). Below,
# evaluating `y` and then `z` computes `w` and `x` twice; fetching both in one `run` computes
# them once.

# %% id=lifecycle
w = tf.constant(3)
x = w + 2
y = x + 5
z = x * 3

with tf.Session() as sess:
    print(y.eval())  # 10
    print(z.eval())  # 15

with tf.Session() as sess:
    y_val, z_val = sess.run([y, z])
    print(y_val)  # 10
    print(z_val)  # 15

# %% [markdown] id=stepper-intro
# The session stepper replays one `run` operation by operation, in the order the engine executed
# them. Step through `sess.run([y, z])`: `w` and `x` appear once.

# %% id=stepper
from tfteach.magics import SessionStepper

sess = tf.Session()
SessionStepper(sess, [y, z])

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Using `a` and `b` from section 5, fetch in **one** call a dict with keys
# `"a"`, `"b"` and `"both"`, where `"both"` maps to the tuple `(a, b)`. Store the result of
# `sess.run` in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(result):
    expect(isinstance(result, dict), "run returns the structure you pass: pass a dict")
    expect(set(result) == {"a", "b", "both"}, "use exactly the keys 'a', 'b' and 'both'")
    with tf.Session() as s:
        want_a, want_b = s.run([a, b])
    expect(result["a"] == want_a and result["b"] == want_b, "fetch the tensors a and b themselves")
    expect(isinstance(result["both"], tuple), "fetch a tuple for 'both': it comes back as a tuple")
    expect(tuple(result["both"]) == (want_a, want_b), "'both' should hold a and b, in that order")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** What does `sess.run(tf.no_op())` return? Put your prediction in `answer_2`
# (`None` is a possible answer).

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(prediction):
    with tf.Graph().as_default(), tf.Session() as s:
        actual = s.run(tf.no_op())
    expect(prediction is actual or (actual is not None and prediction == actual),
           "fetching an operation runs it for its effect: what value is there to return?")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
with tf.Session() as s:
    answer_1 = s.run({"a": a, "b": b, "both": (a, b)})
print(check(1, check_1, answer_1))
answer_2 = None
print(check(2, check_2, answer_2))
sess.close()
