# %% [markdown] id=title
# # 23 · AutoGraph: Python control flow in `tf.function`
#
# **Goal:** see what happens to an ordinary Python `if`, `while` or `for` when `tf.function`
# turns a function into a graph. In lesson 22 we wrote `tf.cond` and `tf.while_loop` by hand.
# Since TF 2, `tf.function` writes them for you: before tracing, it *rewrites the source code*
# of your function so that each control-flow statement asks, at trace time, "is my condition
# a tensor of the graph?" If yes, the statement becomes graph control flow; if not, it stays
# plain Python.
#
# **You will meet:** the converted code (`tf.autograph.to_code`), which statements become
# `cond`/`while` frames and which stay Python, `break`/`continue`/`return` turned into flag
# variables, loops over `tf.range` and over datasets, the errors AutoGraph raises, and
# gradients through a converted loop.

# %% id=import
%load_ext tfteach
import numpy as np
import tfteach as tf

# %% [markdown] id=if-intro
# ## 1. A Python `if` on a tensor
#
# Inside a trace, `x > 0` is a symbolic tensor: it has no value yet, so plain Python could not
# decide which branch to take. With AutoGraph the function below just works, and the graph it
# traced contains the `Switch`/`Merge` pair of lesson 22:

# %% id=if-tensor
@tf.function
def absolute(x):
    if x > 0:
        y = x
    else:
        y = -x
    return y


print(absolute(tf.constant(-3.0)).numpy(), absolute(tf.constant(2.5)).numpy())
ops = absolute.get_concrete_function(tf.TensorSpec([], tf.float32)).graph.get_operations()
print(sorted({op.type for op in ops}))

# %% [markdown] id=if-python-intro
# The decision is made **per statement, at trace time**, from the value the condition has
# then. A Python value (here the flag `double`) is known while tracing: the `if` runs as
# ordinary Python, only the chosen branch is traced, and the graph has no `Switch` at all.
# Each value of the flag gets its own trace (lesson 17).

# %% id=if-python
@tf.function
def scale(x, double):
    if double:
        x = x * 2.0
    return x


for flag in (True, False):
    g = scale.get_concrete_function(tf.TensorSpec([], tf.float32), flag).graph
    print(flag, [op.type for op in g.get_operations()])

# %% [markdown] id=to-code-intro
# ## 2. What the converted code looks like
#
# `tf.autograph.to_code` shows the Python source AutoGraph generates. Each branch became a
# small local function; `get_state`/`set_state` read and write the variables the `if`
# changes (declared `nonlocal`, so they are the function's own variables); and
# `ag__.if_stmt` is the call that looks at the condition and either runs one branch (a Python
# bool) or builds a `tf.cond` over both (a graph tensor). `y` has no value before the `if`,
# so it starts as a marker, `ag__.Undefined('y')`; reading it afterwards goes through
# `ag__.ld`, which raises Python's `UnboundLocalError` if no branch gave it a real value.

# %% id=to-code
print(tf.autograph.to_code(absolute))

# %% [markdown] id=loops-intro
# ## 3. Loops: which ones become frames
#
# The same rule holds for loops. `while n > 1` on a tensor becomes a `tf.while_loop`;
# `for i in range(3)` over Python numbers is *unrolled*: its body is traced three times, as
# three copies of the ops. `for i in tf.range(n)`, or `range(n)` with a tensor `n`, is a graph
# loop, and so is a `for` over a tensor (it walks the first dimension).

# %% id=loops
@tf.function
def collatz_steps(n):
    steps = 0
    while n > 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@tf.function
def add_unrolled(x):
    for i in range(3):
        x = x + i
    return x


def loop_ops(fn, *args):
    types = [op.type for op in fn.get_concrete_function(*args).graph.get_operations()]
    return {t: types.count(t) for t in ("AddV2", "Enter", "Exit", "LoopCond")
            if t in types}


print(collatz_steps(tf.constant(27)).numpy())
print("collatz:", loop_ops(collatz_steps, tf.TensorSpec([], tf.int32)))
print("unrolled:", loop_ops(add_unrolled, tf.TensorSpec([], tf.float32)))

# %% [markdown] id=frames-intro
# `%graph` draws a `tf.function`'s traced graph. The loop is the `while` frame; the `if`
# inside its body is the `while/cond` frame inside it. Big frames are drawn folded: expand
# them with `--expand all` (or name one, `--expand while`).

# %% id=frames
%graph collatz_steps --expand all

# %% [markdown] id=jumps-intro
# ## 4. `break`, `continue` and `return`
#
# A graph loop has no jumps: its body is one function run again and again. AutoGraph first
# rewrites each jump into a **flag variable**: `break` sets `break_`, which becomes an extra
# condition of the loop; `continue` sets `continue_`, and the rest of that iteration's body
# runs under `if not continue_:`. The flags are ordinary variables of the loop, so inside a
# tensor loop they become tensors too.

# %% id=jumps
@tf.function
def odd_sum(limit):
    total = tf.constant(0)
    for i in tf.range(100):
        if i % 2 == 0:
            continue
        if i > limit:
            break
        total += i
    return total


print(odd_sum(tf.constant(9)).numpy())        # 1 + 3 + 5 + 7 + 9
code = tf.autograph.to_code(odd_sum)
print([line.strip() for line in code.splitlines() if "break_ =" in line or
       "continue_ =" in line])

# %% [markdown] id=logic-intro
# `and`, `or` and `not` are converted as well. On tensors, `a and b` stays *lazy* as in
# Python: `b` is computed only where `a` holds, so AutoGraph builds it as a `tf.cond`, not as
# `tf.logical_and`. Below, the counter moves only when `x > 0`.

# %% id=logic
counter = tf.Variable(0)


@tf.function
def positive_and_count(x):
    return x > 0 and counter.assign_add(1) > 0


for v in (-1.0, 2.0, -3.0):
    print(v, bool(positive_and_count(tf.constant(v))), int(counter.numpy()))

# %% [markdown] id=dataset-intro
# ## 5. Looping over a dataset
#
# A `for` over a `tf.data.Dataset` inside a `tf.function` becomes a graph loop over an
# iterator made at each call (TF itself builds a `ReduceDataset` op for it). The dataset is
# read when the function *runs*, so each call starts from the first element again.

# %% id=dataset
@tf.function
def sum_of_squares(ds):
    total = tf.constant(0, tf.int64)
    for x in ds:
        total += x * x
    return total


ds = tf.data.Dataset.range(5)
print(sum_of_squares(ds).numpy(), sum_of_squares(ds).numpy())

# %% [markdown] id=errors-intro
# ## 6. What AutoGraph refuses
#
# A graph `cond` must produce the same variables, of the same dtype, on both sides; a graph
# loop must keep each variable's dtype and shape from one iteration to the next. Code that
# breaks these rules is fine as Python but has no graph form, and AutoGraph says which
# variable is at fault:

# %% id=errors
@tf.function
def only_one_branch(x):
    if x > 0:
        y = x * 2.0
    return y


@tf.function
def changes_dtype(n):
    x = tf.constant(0)
    for _ in tf.range(n):
        x = tf.cast(x, tf.float32) + 0.5
    return x


for fn, arg in ((only_one_branch, tf.constant(1.0)), (changes_dtype, tf.constant(3))):
    try:
        fn(arg)
    except (ValueError, TypeError) as err:
        print(type(err).__name__ + ":", err)

# %% [markdown] id=tape-intro
# ## 7. Gradients flow through converted control flow
#
# The converted loop is the same `while` frame as in lesson 22, so `GradientTape`
# differentiates through it: here `x` multiplied by itself `n` times, whose derivative is
# `n * x ** (n - 1)` (at `x = 1.5`, `n = 4`: `4 * 1.5**3 = 13.5`).

# %% id=tape
@tf.function
def power(x, n):
    y = tf.ones_like(x)
    i = 0
    while i < n:
        y = y * x
        i += 1
    return y


x = tf.constant(1.5)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = power(x, tf.constant(4))
print(y.numpy(), tape.gradient(y, x).numpy())

# %% [markdown] id=opt-out-intro
# To see what the trace does *without* AutoGraph, use `tf.function(autograph=False)`: the
# Python `if` then meets a symbolic tensor and fails, exactly as in TF 1. A single helper can
# be left unconverted with `@tf.autograph.experimental.do_not_convert`.

# %% id=opt-out
plain = tf.function(absolute.python_function, autograph=False)
try:
    plain(tf.constant(1.0))
except TypeError as err:
    print("TypeError:", str(err).split(". ")[0])

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Write a `tf.function` `digit_sum(n)` that adds up the decimal digits of the
# int32 tensor `n` with a plain Python `while` loop (use `n % 10` and `n // 10`). Its traced
# graph must contain a loop, not an unrolled copy. Store the function in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect

def check_1(fn):
    expect(hasattr(fn, "get_concrete_function"),
           "answer_1 should be your tf.function, not a number or a tensor")
    for n, want in ((0, 0), (7, 7), (1234, 10), (99999, 45)):
        expect(int(fn(tf.constant(n))) == want,
               "the sum of the digits is wrong for some inputs: check the loop's update")
    types = {op.type for op in
             fn.get_concrete_function(tf.TensorSpec([], tf.int32)).graph.get_operations()}
    expect("LoopCond" in types, "the loop should be a graph loop: let the `while` test a tensor")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** `clip` below fails to trace: `out` is set in one branch only. Fix it (keep
# the `if`) so that it returns `x` for `x <= 1` and `1.0` otherwise, and store the fixed
# `tf.function` in `answer_2`.

# %% id=ex2
@tf.function
def clip(x):
    if x > 1.0:
        out = tf.constant(1.0)
    return out


answer_2 = ...

# %% id=ex2-check
def check_2(fn):
    expect(hasattr(fn, "get_concrete_function"),
           "answer_2 should be your fixed tf.function, not a number or a tensor")
    for v, want in ((0.5, 0.5), (1.0, 1.0), (3.0, 1.0)):
        expect(abs(float(fn(tf.constant(v))) - want) < 1e-6,
               "some inputs give a wrong result: both branches must set `out`")
    types = {op.type for op in
             fn.get_concrete_function(tf.TensorSpec([], tf.float32)).graph.get_operations()}
    expect("Merge" in types, "keep the tensor `if`: it becomes a cond")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
@tf.function
def digit_sum(n):
    total = 0
    while n > 0:
        total += n % 10
        n = n // 10
    return total


answer_1 = digit_sum
print(check(1, check_1, answer_1))


@tf.function
def clip_fixed(x):
    out = x
    if x > 1.0:
        out = tf.constant(1.0)
    return out


answer_2 = clip_fixed
print(check(2, check_2, answer_2))
