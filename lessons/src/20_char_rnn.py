# %% [markdown] id=title
# # 20 · A character-level RNN that writes text
#
# **Goal:** predict the next character of a text, then let the model write by feeding its own
# predictions back in. Reading "I am a studen", you would bet on "t"; a recurrent network learns
# such bets from examples by carrying a *state* from one character to the next.
#
# **You will meet:** encoding characters as integers and one-hot vectors, an LSTM cell unrolled
# over a sequence (lesson 10's unrolling, for real), `tf.one_hot`, training on random windows,
# sampling with a *temperature*.

# %% id=import
%load_ext tfteach
import tfteach as tf
import numpy as np

RUN_SLOW = False   # True: a bigger model trained much longer (minutes), as in the original notes
tf.random.set_seed(0)
np.random.seed(0)

# %% [markdown] id=data-intro
# ## 1. The text and its encoding
#
# The original notes downloaded Nietzsche's works; we use a short text that ships with these
# lessons (`data/corpus.txt`, about 2000 characters), so the lesson works offline and quickly.
# Characters are lower-cased and numbered; a batch is a set of random windows of `seq_length`
# characters, each paired with the character that follows it.
#
# Shapes: inputs `[batch_size, seq_length]` of integers, targets `[batch_size]`.

# %% id=data-loader
class DataLoader():
    def __init__(self, path="data/corpus.txt"):
        with open(path, encoding='utf-8') as f:
            self.raw_text = f.read().lower()
        self.chars = sorted(list(set(self.raw_text)))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))
        self.text = [self.char_indices[c] for c in self.raw_text]

    def get_batch(self, seq_length, batch_size):
        seq = []
        next_char = []
        for i in range(batch_size):
            index = np.random.randint(0, len(self.text) - seq_length)
            seq.append(self.text[index:index+seq_length])
            next_char.append(self.text[index+seq_length])
        # [num_batch, seq_length], [num_batch]
        return np.array(seq), np.array(next_char)

data_loader = DataLoader()
print(len(data_loader.raw_text), "characters,", len(data_loader.chars), "distinct")
X, y = data_loader.get_batch(seq_length=12, batch_size=2)
for row, target in zip(X, y):
    print(repr("".join(data_loader.indices_char[i] for i in row)), "->",
          repr(data_loader.indices_char[target]))

# %% [markdown] id=model-intro
# ## 2. The model
#
# * `tf.one_hot` turns each integer into a vector of length `num_chars` with a single 1:
#   `[batch, seq_length]` becomes `[batch, seq_length, num_chars]`;
# * an LSTM cell reads the sequence one step at a time: at step `t` it takes the state from step
#   `t-1` and the characters `inputs[:, t, :]`, and returns an output and a new state. The Python
#   `for` loop *unrolls* the recurrence;
# * a `Dense` layer maps the last output to one score per possible next character.
#
# TF1's `tf.nn.rnn_cell.BasicLSTMCell` (used by the original notes) is gone in TF2; Keras'
# `LSTMCell` plays its part, and `get_initial_state` replaces `zero_state`.

# %% id=rnn-cell-gone
print("tf.nn.rnn_cell exists:", hasattr(tf.nn, "rnn_cell"))

# %% id=rnn-model
class RNN(tf.keras.Model):
    def __init__(self, num_chars, units=256):
        super().__init__()
        self.num_chars = num_chars
        self.cell = tf.keras.layers.LSTMCell(units)
        self.dense = tf.keras.layers.Dense(units=self.num_chars)

    def call(self, inputs):
        batch_size, seq_length = tf.shape(inputs)
        # [batch_size, seq_length, num_chars]
        inputs = tf.one_hot(inputs, depth=self.num_chars)
        state = self.cell.get_initial_state(batch_size=batch_size)
        for t in range(seq_length.numpy()):
            output, state = self.cell(inputs[:, t, :], state)
        output = self.dense(output)
        return output

    def predict(self, inputs, temperature=1.):
        batch_size, _ = tf.shape(inputs)
        logits = self(inputs)
        prob = tf.nn.softmax(logits / temperature).numpy()
        return np.array([np.random.choice(self.num_chars, p=prob[i, :]) for i in range(batch_size.numpy())])

# %% [markdown] id=train-intro
# ## 3. Training
#
# The loop of lesson 19: batch, forward pass under a tape, cross-entropy against the true next
# character, gradients, Adam step. The loss starts near `log(num_chars)` (a uniform guess) and
# falls as the model picks up frequent letters, then common pairs and words.

# %% id=rnn-train
num_batches = 2000 if RUN_SLOW else 60
seq_length = 20 if RUN_SLOW else 10
batch_size = 32 if RUN_SLOW else 16
learning_rate = 3e-3 if RUN_SLOW else 1e-2
units = 256 if RUN_SLOW else 32

data_loader = DataLoader()
model = RNN(len(data_loader.chars), units=units)
optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)

for batch_index in range(num_batches):
    X, y = data_loader.get_batch(seq_length, batch_size)
    with tf.GradientTape() as tape:
        y_logit_pred = model(X)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
            y, y_logit_pred, from_logits=True))
    if batch_index % 10 == 0:
        print("batch %d: loss %.1f" % (batch_index, loss.numpy()))
    grads = tape.gradient(loss, model.variables)
    optimizer.apply_gradients(grads_and_vars=zip(grads, model.variables))
print("uniform guessing would give %.1f" % np.log(len(data_loader.chars)))

# %% [markdown] id=sample-intro
# ## 4. Writing, with a temperature
#
# Always taking the most likely character (`argmax`) makes a model repeat itself. Instead we
# *sample* from the predicted distribution. Dividing the scores by a **temperature** before the
# softmax reshapes it: below 1 the distribution gets peakier (safer, more repetitive text),
# above 1 flatter (more varied, more mistakes). Each new character is appended to the window
# and the oldest dropped, a snowball of predictions.

# %% id=rnn-generate
# NBVAL_IGNORE_OUTPUT
X_, _ = data_loader.get_batch(seq_length, 1)
for diversity in [0.2, 0.5, 1.0, 1.2]:
    X = X_
    print("diversity %f:" % diversity)
    for t in range(400 if RUN_SLOW else 60):
        y_pred = model.predict(X, diversity)
        print(data_loader.indices_char[y_pred[0]], end='', flush=True)
        X = np.concatenate([X[:, 1:], np.expand_dims(y_pred, axis=1)], axis=-1)
    print("\n")

# %% [markdown] id=temperature-intro
# How temperature reshapes one prediction: the probability of the most likely character.

# %% id=temperature
logits = model(X_)
for temperature in [0.2, 0.5, 1.0, 1.2]:
    prob = tf.nn.softmax(logits / temperature).numpy()[0]
    print("temperature %.1f: top probability %.2f" % (temperature, prob.max()))

# %% [markdown] id=eager-only-intro
# One more lesson hides in `call`: `range(seq_length.numpy())` needs the sequence length as a
# Python number, which only exists when the model runs eagerly. Tracing the model with
# `tf.function` (lesson 17) hands `call` a symbolic tensor with no value yet, and the line fails.
# A graph-friendly version would take the length from the static shape
# (`inputs.shape[1]`) or loop with `tf.while_loop`.

# %% id=eager-only
try:
    tf.function(model)(tf.constant(X_))
except AttributeError as err:
    print("AttributeError:", err)

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** What does `tf.one_hot([2, 0], depth=3)` give? Write the expected NumPy array in
# `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(arr):
    arr = np.asarray(arr)
    expect(arr.shape == (2, 3), "one row per index, one column per class: shape (2, 3)")
    expect(np.array_equal(arr, tf.one_hot([2, 0], depth=3).numpy()),
           "each row has a single 1, at the position its index names")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** As the temperature goes to 0, sampling becomes `argmax`. For the scores
# `s = tf.constant([[1.0, 2.0, 3.0]])`, compute the softmax at temperature 0.01 and store the
# index of its largest entry in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(index):
    expect(is_number(index), "answer_2 should be an index (a number)")
    p = tf.nn.softmax(tf.constant([[1.0, 2.0, 3.0]]) / 0.01).numpy()[0]
    expect(index == int(np.argmax(p)) and p.max() > 0.999, "which score is the largest?")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = np.array([[0., 0., 1.], [1., 0., 0.]], dtype=np.float32)
print(check(1, check_1, answer_1))
answer_2 = int(np.argmax(tf.nn.softmax(tf.constant([[1.0, 2.0, 3.0]]) / 0.01).numpy()[0]))
print(check(2, check_2, answer_2))
