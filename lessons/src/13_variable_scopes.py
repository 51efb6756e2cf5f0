# %% [markdown] id=title
# # 13 · Sharing variables and variable scopes
#
# **Goal:** let several parts of a graph use **one** variable. We try three ways: pass it around
# as an argument, hang it on a Python function, and finally let the graph keep a register of named
# variables with `tf.get_variable` and `tf.variable_scope`, where reusing is explicit and
# mistakes are errors.
#
# **You will meet:** shared parameters, `tf.get_variable`, initializers, `tf.variable_scope`
# with `reuse=True` and `reuse=tf.AUTO_REUSE`, the errors that guard against accidental sharing.

# %% id=import
%load_ext tfteach
import tempfile
import tfteach.v1 as tf

TMP = tempfile.mkdtemp()

# %% [markdown] id=param-intro
# ## 1. Pass the shared variable as an argument
#
# Our five ReLU units from lesson 11 should share one `threshold`. The simplest way: create it
# once, outside, and pass it in. That works, but with many shared parameters every call grows a
# long argument list. (A dict of parameters, or a class holding them, are variations.)

# %% id=sharing-param
tf.reset_default_graph()

n_features = 3
def relu(X, threshold):
    with tf.name_scope("relu"):
        w_shape = int(X.get_shape()[1]), 1
        w = tf.Variable(tf.random_normal(w_shape), name="weights")
        b = tf.Variable(0.0, name="bias")
        linear = tf.add(tf.matmul(X, w), b, name="linear")
        return tf.maximum(linear, threshold, name="max")

threshold = tf.Variable(0.0, name="threshold")
X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
relus = [relu(X, threshold) for i in range(5)]
output = tf.add_n(relus, name="output")

summary_writer = tf.summary.FileWriter(TMP + "/logs/relu3", tf.get_default_graph())
summary_writer.flush()
summary_writer.close()

# %% id=sharing-param-draw
%graph --group-variables

# %% [markdown] id=attr-intro
# ## 2. Keep it on the function
#
# Python functions are objects and can carry attributes: create `relu.threshold` on the first
# call and reuse it afterwards. Shorter, but the variable now lives in a surprising place, and
# every new graph still sees the old variable (from the first graph!) unless you delete the
# attribute.

# %% id=sharing-attr
tf.reset_default_graph()
n_features = 3
def relu(X):
    with tf.name_scope("relu"):
        # another option: create the shared variable as an attribute of relu() on the first call
        if not hasattr(relu, "threshold"):
            relu.threshold = tf.Variable(0.0, name="threshold")
        w_shape = int(X.get_shape()[1]), 1
        w = tf.Variable(tf.random_normal(w_shape), name="weights")
        b = tf.Variable(0.0, name="bias")
        linear = tf.add(tf.matmul(X, w), b, name="linear")
        return tf.maximum(linear, relu.threshold, name="max")

X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
relus = [relu(X) for i in range(5)]
output = tf.add_n(relus, name="output")

summary_writer = tf.summary.FileWriter(TMP + "/logs/relu4", tf.get_default_graph())
summary_writer.flush()
summary_writer.close()
print(relu.threshold.name)

# %% [markdown] id=get-variable-intro
# ## 3. `get_variable` and variable scopes
#
# `tf.get_variable(name, shape, initializer=...)` creates a variable **or** returns an existing
# one, depending on the *reuse* setting of the current `tf.variable_scope`. By default reuse is
# off, and asking for an existing name is an error, which protects you from sharing by accident.
# With `reuse=True`, asking for a name that does not exist yet is the error.
#
# The plan: create `relu/threshold` once in a `relu` variable scope, then inside `relu()` open
# the same scope with `reuse=True` and fetch it.

# %% id=sharing-variable-scope
tf.reset_default_graph()
n_features = 3

def relu(X):
    with tf.variable_scope("relu", reuse=True):
        threshold = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
        w_shape = int(X.get_shape()[1]), 1
        w = tf.Variable(tf.random_normal(w_shape), name="weights")
        b = tf.Variable(0.0, name="bias")
        linear = tf.add(tf.matmul(X, w), b, name="linear")
        return tf.maximum(linear, threshold, name="max")

X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
with tf.variable_scope("relu"):
    threshold = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
relus = [relu(X) for i in range(5)]
output = tf.add_n(relus, name="output")

summary_writer = tf.summary.FileWriter(TMP + "/logs/relu5", tf.get_default_graph())
summary_writer.flush()
summary_writer.close()
print(threshold.name)
print([v.name for v in tf.global_variables()])

# %% [markdown] id=slide-nesting-intro
# The original slide created the list of relus *inside* the outer `with tf.variable_scope("relu")`
# block. Then `relu()` opens a scope `relu` inside the scope `relu`, that is `relu/relu`, with
# reuse on, and asks for `relu/relu/threshold`, which was never created:

# %% id=slide-nesting
tf.reset_default_graph()
X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
try:
    with tf.variable_scope("relu"):
        threshold = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
        relus = [relu(X) for i in range(5)]
except ValueError as err:
    print("ValueError:", str(err).splitlines()[0])

# %% [markdown] id=twice-intro
# And creating a variable a second time without reuse is refused:

# %% id=create-twice
try:
    with tf.variable_scope("relu"):
        tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
except ValueError as err:
    print("ValueError:", str(err).splitlines()[0])

# %% [markdown] id=auto-reuse-intro
# `reuse=tf.AUTO_REUSE` creates on first use and reuses afterwards: the least ceremony, at the
# price of the protection.

# %% id=auto-reuse
tf.reset_default_graph()

def relu(X):
    with tf.variable_scope("relu", reuse=tf.AUTO_REUSE):
        threshold = tf.get_variable("threshold", shape=(), initializer=tf.constant_initializer(0.0))
    with tf.name_scope("relu"):
        w_shape = int(X.get_shape()[1]), 1
        w = tf.Variable(tf.random_normal(w_shape), name="weights")
        b = tf.Variable(0.0, name="bias")
        linear = tf.add(tf.matmul(X, w), b, name="linear")
        return tf.maximum(linear, threshold, name="max")

X = tf.placeholder(tf.float32, shape=(None, n_features), name="X")
relus = [relu(X) for i in range(5)]
output = tf.add_n(relus, name="output")
print(sorted({v.name for v in tf.global_variables() if "threshold" in v.name}))

# %% id=auto-reuse-draw
%graph --group-variables

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Write `dense(x, units)` that gets its weight matrix with
# `tf.get_variable("w", shape=(int(x.shape[1]), units), initializer=tf.zeros_initializer())`
# inside `tf.variable_scope("dense", reuse=tf.AUTO_REUSE)`, and returns `tf.matmul(x, w)`. Call
# it twice on a placeholder of shape `(None, 4)` with `units=2`, in a fresh graph. Store the list
# of global variable names in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(names):
    expect(isinstance(names, (list, tuple)), "answer_1 should be a list of variable names")
    expect(len(names) == 1, "two calls with reuse=tf.AUTO_REUSE share one variable: got %d" % len(names))
    expect(list(names) == ["dense/w:0"], "use the variables' .name, in a fresh graph")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Which exception class does `tf.get_variable("nope", shape=())` raise inside
# `tf.variable_scope("s", reuse=True)` when `s/nope` does not exist? Put the class in
# `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(cls):
    expect(isinstance(cls, type) and issubclass(cls, BaseException),
           "answer_2 should be an exception class (the class, not a string or an instance)")
    with tf.Graph().as_default():
        try:
            with tf.variable_scope("s", reuse=True):
                tf.get_variable("nope", shape=())
        except Exception as err:
            expect(type(err) is cls, "run it and read the error's class in the traceback")
            return None
    raise AssertionError("get_variable raised nothing: the check cannot verify")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
def dense(x, units):
    with tf.variable_scope("dense", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", shape=(int(x.shape[1]), units),
                            initializer=tf.zeros_initializer())
    return tf.matmul(x, w)

with tf.Graph().as_default():
    inp = tf.placeholder(tf.float32, shape=(None, 4))
    dense(inp, 2)
    dense(inp, 2)
    answer_1 = [v.name for v in tf.global_variables()]
print(check(1, check_1, answer_1))
answer_2 = ValueError
print(check(2, check_2, answer_2))
