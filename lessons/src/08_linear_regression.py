# %% [markdown] id=title
# # 08 · Linear regression end to end: hospital visits
#
# **Goal:** put placeholders, variables and an optimizer together to fit a model to data. The
# story: in a (made-up) city, colder months bring more hospital visits. We generate data, split
# it, feed it in batches, and learn the line `visits = m · temperature + b`.
#
# **You will meet:** data normalisation, train/validation/test splits, a batch generator,
# `reduce_mean(squared_difference(...))`, stochastic gradient descent with feeds.

# %% id=import
%matplotlib inline
import matplotlib.pyplot as plt
%load_ext tfteach
import tfteach.v1 as tf

config = tf.ConfigProto()
config.gpu_options.allow_growth = True

# %% [markdown] id=data-intro
# ## 1. The data
#
# 1000 monthly temperatures around 55 °F, and visits following `1000 - 5 · temperature` plus noise.
# The original tutorial drew different random numbers on every run; we fix NumPy's seed so that
# everyone in the class (and the tests) sees the same data.

# %% id=data
import numpy as np
np.random.seed(0)
temps = np.random.normal(55, 20, 1000)
random_noise = np.random.normal(0, 100, 1000)
hosp_visits = 1000 - 5 * temps + random_noise
plt.plot(temps[:200], hosp_visits[:200], "o")
plt.xlabel("temperature"); plt.ylabel("hospital visits")
plt.show()

# %% [markdown] id=normalise-intro
# Gradient descent behaves best when inputs are on a small scale around 0. *Normalising* the
# temperatures (subtract the mean, divide by the standard deviation) gives values around ±1.

# %% id=normalise
normalized_temps = (temps - np.mean(temps)) / np.std(temps)
print("mean %.3f, std %.3f" % (normalized_temps.mean(), normalized_temps.std()))

# %% [markdown] id=split-intro
# ## 2. Three sets
#
# We train on the first 800 points, watch a **validation** set while choosing settings such as
# the learning rate, and keep a **test** set untouched until the very end, for an honest final
# score.

# %% id=split
train_X, train_y = normalized_temps[:800], hosp_visits[:800]
valid_X, valid_y = normalized_temps[800:900], hosp_visits[800:900]
test_X, test_y = normalized_temps[900:], hosp_visits[900:]

# %% [markdown] id=batches-intro
# ## 3. Batches
#
# *Stochastic* gradient descent takes each step on a small batch instead of the whole training
# set: cheaper steps, and it still converges. A Python **generator** hands out consecutive
# batches forever, wrapping around at the end; `next(training_generator)` gets the next one.

# %% id=batch-generator
def batch_generator(X, y, batch_size):
    total_batches = len(X) // batch_size
    current_batch = 0
    while True:
        start = batch_size * current_batch
        end = start + batch_size
        yield (X[start:end], y[start:end])
        current_batch = (current_batch + 1) % total_batches

training_generator = batch_generator(train_X, train_y, batch_size=100)
# Later, call next(training_generator) to get a new batch of the form (X, y)

# %% [markdown] id=model-intro
# ## 4. The model as a graph
#
# * the data `X` (temperatures) and `y` (visits) are **placeholders**: every step feeds a new
#   batch (that is why they are not constants);
# * the parameters `m` and `b` are **variables**: training changes them, the session keeps them;
# * the prediction is ordinary tensor arithmetic.

# %% id=new-graph
tf.reset_default_graph()
g = tf.get_default_graph()

# %% id=model
X = tf.placeholder(tf.float32)
y = tf.placeholder(tf.float32)
m = tf.Variable(0.)
b = tf.Variable(0.)
predicted_y = X * m + b

# %% [markdown] id=loss-intro
# The loss is the mean squared error: square each prediction's miss and average. Averaging
# (rather than summing) makes the number independent of the batch size, so training and
# validation losses can be compared.

# %% id=loss
avg_loss = tf.reduce_mean(tf.squared_difference(predicted_y, y))

# %% [markdown] id=optimizer-intro
# A gradient descent optimizer with learning rate 0.0005 (found by trying values and watching
# the validation loss; try others!).

# %% id=optimizer
train_one_step = tf.train.GradientDescentOptimizer(learning_rate=0.0005).minimize(avg_loss)

# %% id=init
init_all_vars = tf.global_variables_initializer()

# %% id=draw
%graph --collapse gradients

# %% [markdown] id=train-intro
# ## 5. Training
#
# Each step feeds one batch and fetches the training op together with the loss and the
# parameters. Every 500 steps we also measure the loss on the validation set (a run without the
# training op: it changes nothing). At the end, the test set.
#
# We print four significant digits (`{:.4g}`): the last digits of float32 sums differ from one
# processor to another (a float32 near 500000 is only exact to 1/16).

# %% id=train
with tf.Session(config=config) as sess:
    sess.run(init_all_vars)
    for i in range(5000):
        X_batch, y_batch = next(training_generator)
        feed_dict = {X: X_batch, y: y_batch}
        _, loss, m_pred, b_pred = sess.run([train_one_step, avg_loss, m, b], feed_dict=feed_dict)
        if i % 500 == 0:
            validation_feed_dict = {X: valid_X, y: valid_y}
            valid_loss = sess.run(avg_loss, feed_dict=validation_feed_dict)
            print("Iter {}: training loss = {:.4g}, validation loss = {:.4g}, m={:.4g}, b={:.4g}"
                  .format(i, loss, valid_loss, m_pred, b_pred))
    test_feed_dict = {X: test_X, y: test_y}
    m_pred, b_pred, loss = sess.run([m, b, avg_loss], test_feed_dict)
    print("m: {:.4g}, b: {:.4g}, test loss: {:.4g}".format(m_pred, b_pred, loss))

# %% [markdown] id=interpret-intro
# ## 6. What did we learn?
#
# The model works on *normalised* temperatures: `m` is the change in visits per standard
# deviation of temperature. Convert back to compare with the `-5` per degree we built in:

# %% id=interpret
print("visits per degree: %.2f   (true value: -5)" % (m_pred / np.std(temps)))
plt.plot(test_X * np.std(temps) + np.mean(temps), test_y, "o", alpha=0.5)
grid = np.linspace(-2.5, 2.5, 2)
plt.plot(grid * np.std(temps) + np.mean(temps), m_pred * grid + b_pred, "r-")
plt.xlabel("temperature"); plt.ylabel("hospital visits")
plt.show()

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** How close did SGD get? Compute the exact least-squares `m` and `b` for the
# training set with NumPy (`np.polyfit(train_X, train_y, 1)` returns `[m, b]`) and store them in
# `answer_1` as a pair.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(pair):
    expect(isinstance(pair, (tuple, list, np.ndarray)) and len(pair) == 2
           and all(is_number(v) for v in pair), "answer_1 should be the pair of numbers (m, b)")
    m_ls, b_ls = (float(v) for v in pair)
    m_exact, b_exact = np.polyfit(train_X, train_y, 1)
    expect(abs(m_ls - m_exact) < 1e-6 * (1 + abs(m_exact))
           and abs(b_ls - b_exact) < 1e-6 * (1 + abs(b_exact)),
           "compute the exact line with np.polyfit(train_X, train_y, 1), not SGD's estimate")
    return "SGD landed within %.1f visits of the exact answer" % max(abs(m_ls - m_pred),
                                                                     abs(b_ls - b_pred))

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Which variable does `sess.run(avg_loss, feed_dict=validation_feed_dict)`
# change? Put the list of changed variables (possibly empty) in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(changed):
    expect(isinstance(changed, (list, tuple)), "answer_2 should be a list of variables "
                                               "(possibly empty)")
    with tf.Session() as sess:
        sess.run(init_all_vars)
        before = sess.run([m, b])
        sess.run(avg_loss, feed_dict={X: valid_X, y: valid_y})
        after = sess.run([m, b])
    actual = [v for v, p, q in zip([m, b], before, after) if p != q]
    expect(list(changed) == actual, "which ops does fetching a loss run? Does any of them assign?")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = tuple(np.polyfit(train_X, train_y, 1))
print(check(1, check_1, answer_1))
answer_2 = []
print(check(2, check_2, answer_2))
