# %% [markdown] id=title
# # 14 · Saving and restoring
#
# **Goal:** keep a trained model. A variable's value lives in a session and disappears with it;
# a `Saver` writes the values of variables to a *checkpoint* on disk and reads them back into
# another session, even in another program that rebuilt the same graph.
#
# **You will meet:** `tf.train.Saver`, `save` and `restore`, checkpoint files,
# `tf.train.latest_checkpoint`, saving a subset of variables, keeping several checkpoints.
# (TF2's object-based `tf.train.Checkpoint` comes in lesson 18, with models.)

# %% id=import
%load_ext tfteach
import os
import tempfile
import numpy as np
import tfteach.v1 as tf
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

TMP = tempfile.mkdtemp()   # where this lesson's checkpoints go

# %% [markdown] id=train-save-intro
# ## 1. Train, then save
#
# The regression of lesson 09 (diabetes data standing in for California housing). A `Saver`
# created after the variables covers all of them; `saver.save(sess, path)` writes their current
# values in that session and returns the checkpoint's path prefix.

# %% id=saving
housing = load_diabetes()   # stands in for fetch_california_housing()
m, n = housing.data.shape
scaler = StandardScaler()
scaled_housing_data = scaler.fit_transform(housing.data)
scaled_housing_data_plus_bias = np.c_[np.ones((m, 1)), scaled_housing_data]

print(scaled_housing_data_plus_bias.mean(axis=0).round(3))
print(scaled_housing_data_plus_bias.mean(axis=1)[:5].round(3))
print(scaled_housing_data_plus_bias.mean().round(3))
print(scaled_housing_data_plus_bias.shape)
print("housing shape:", m, n)
tf.reset_default_graph()

n_epochs = 1000
learning_rate = 0.01

X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(mse)

init = tf.global_variables_initializer()
saver = tf.train.Saver()
print("theta:", theta)
with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        if epoch % 100 == 0:
            print("Epoch", epoch, "MSE =", round(float(mse.eval())))
        sess.run(training_op)

    best_theta = theta.eval()
    save_path = saver.save(sess, TMP + "/my_model_final.ckpt")

print("Best theta:")
print(best_theta.ravel().round(1))

# %% [markdown] id=files-intro
# A checkpoint is a few files sharing the prefix: the values (`.data-...`), an index saying where
# each variable's bytes are (`.index`), the graph (`.meta`), and a small `checkpoint` file that
# names the most recent save in the folder.

# %% id=files
print(os.path.basename(save_path))
print(sorted(os.listdir(TMP)))

# %% [markdown] id=restore-intro
# ## 2. Restore in a new session
#
# `saver.restore(sess, path)` *is* the initialisation: no initializer needs to run.

# %% id=restore
with tf.Session() as sess:
    saver.restore(sess, save_path)
    restored = theta.eval()
    print("same values:", np.array_equal(restored, best_theta))
    print("MSE after restore:", round(float(mse.eval())))

# %% [markdown] id=rebuild-intro
# ## 3. Restore in a program that rebuilt the graph
#
# A new graph with a variable of the same **name** and shape can load the checkpoint: variables
# are matched by name. `tf.train.latest_checkpoint(folder)` finds the newest checkpoint.

# %% id=rebuild
with tf.Graph().as_default():
    theta2 = tf.Variable(tf.zeros([n + 1, 1]), name="theta")
    saver2 = tf.train.Saver()
    with tf.Session() as sess:
        saver2.restore(sess, tf.train.latest_checkpoint(TMP))
        print(np.array_equal(sess.run(theta2), best_theta))

# %% [markdown] id=subset-intro
# ## 4. Choosing what to save, and how many
#
# `Saver(var_list=...)` saves only some variables (a list, or a dict mapping names in the file to
# variables: handy for renaming). `max_to_keep` bounds how many checkpoints stay on disk;
# `global_step=` numbers them. The folder must exist: a Saver does not create it.

# %% id=subset
os.makedirs(TMP + "/steps")
with tf.Graph().as_default():
    w = tf.Variable(1.0, name="w")
    b = tf.Variable(2.0, name="b")
    only_w = tf.train.Saver(var_list={"weight": w}, max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            sess.run(w.assign_add(1.0))
            last = only_w.save(sess, TMP + "/steps/model", global_step=step)
print(sorted(f for f in os.listdir(TMP + "/steps") if f.endswith(".index")))
print(os.path.basename(tf.train.latest_checkpoint(TMP + "/steps")))

# %% [markdown] id=missing-intro
# Restoring a variable that the checkpoint does not contain is an error that names it:

# %% id=missing
with tf.Graph().as_default():
    other = tf.Variable(0.0, name="not_in_the_file")
    with tf.Session() as sess:
        try:
            tf.train.Saver().restore(sess, last)
        except tf.errors.NotFoundError as err:
            print("NotFoundError:", err.message.splitlines()[0])

# %% [markdown] id=tf-format-intro
# ## 5. The files are TensorFlow's
#
# These files are not a tfteach format: they are TensorFlow's own. The `.index` is a sorted
# table of entries (name, dtype, shape, where the bytes are, a checksum), the `.data-...` file
# holds the bytes, and the `.meta` file is a `MetaGraphDef`, the whole graph with its save and
# restore operations. So TensorFlow itself can open a checkpoint you trained here
# (`tf.train.load_checkpoint`, `Saver.restore`, `tf.train.import_meta_graph`), and a
# checkpoint made with TensorFlow opens here.
#
# `tf.train.list_variables` and `tf.train.load_checkpoint` read a checkpoint without any graph:

# %% id=tf-format-inspect
print(tf.train.list_variables(save_path))
reader = tf.train.load_checkpoint(save_path)
print(reader.get_variable_to_dtype_map())
print(np.array_equal(reader.get_tensor("theta"), best_theta))

# %% [markdown] id=tf-format-meta
# The `.meta` file rebuilds the graph **without the Python code that built it**: every op comes
# back by name, together with the Saver's operations. Fetch tensors by their names
# (`"mse:0"`) and restore the values into the rebuilt variables.

# %% id=tf-format-import
with tf.Graph().as_default():
    restorer = tf.train.import_meta_graph(save_path + ".meta")
    print(tf.get_default_graph().get_tensor_by_name("mse:0"))
    with tf.Session() as sess:
        restorer.restore(sess, save_path)
        print("same theta:", np.array_equal(sess.run("theta:0"), best_theta))
        mse_here = sess.run("mse:0")

# %% [markdown] id=tf-format-elsewhere-intro
# That graph was still rebuilt inside this notebook's Python process. The real test is a
# separate program that has never seen the code above (there is no `X`, `theta` or `mse` in
# it): it opens the two files and computes the model's error from them alone, as a server
# would run a model someone else trained.

# %% id=tf-format-elsewhere
import subprocess
import sys

program = f'''
import tfteach.v1 as tf
restorer = tf.train.import_meta_graph({save_path + ".meta"!r})
with tf.Session() as sess:
    restorer.restore(sess, {save_path!r})
    print(float(sess.run("mse:0")))
'''
result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                        timeout=300)
mse_elsewhere = float(result.stdout.split()[-1]) if result.returncode == 0 else None
if mse_elsewhere is None:
    print(result.stderr[-2000:])
else:
    print("MSE computed by the other program: %.0f" % mse_elsewhere)
    print("the same as here:", bool(np.isclose(mse_elsewhere, mse_here, rtol=1e-6)))

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Create a variable `counter` (int32, starting at 0), add 5 to it in a session and
# save it to `TMP + "/ex1/counter.ckpt"` (create the folder first). Then, in a *new* session, restore it and store its value
# in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(value):
    expect(is_number(value), "answer_1 should be the restored value")
    expect(tf.train.latest_checkpoint(TMP + "/ex1") is not None,
           "save the checkpoint to TMP + '/ex1/counter.ckpt'")
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(TMP + "/ex1"))
    expect(reader.has_tensor("counter"), "name the variable `counter`")
    expect(int(reader.get_tensor("counter")) == 5, "add 5 to the counter before saving it")
    expect(value == 5, "answer_1 should be the value read back by restore")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** In section 4, which step numbers still have checkpoints on disk? Put them in a
# list `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(steps):
    expect(isinstance(steps, (list, tuple)), "answer_2 should be a list of step numbers")
    on_disk = sorted(int(f.split("-")[1].split(".")[0]) for f in os.listdir(TMP + "/steps")
                     if f.endswith(".index"))
    expect(sorted(steps) == on_disk, "max_to_keep=2 keeps the newest two")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
os.makedirs(TMP + "/ex1", exist_ok=True)
with tf.Graph().as_default():
    counter = tf.Variable(0, name="counter")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(counter.initializer)
        sess.run(counter.assign_add(5))
        path = saver.save(sess, TMP + "/ex1/counter.ckpt")
    with tf.Session() as sess:
        saver.restore(sess, path)
        answer_1 = sess.run(counter)
print(check(1, check_1, answer_1))
answer_2 = [1, 2]
print(check(2, check_2, answer_2))
