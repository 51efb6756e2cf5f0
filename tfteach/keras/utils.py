"""`keras.utils`: to_categorical, set_random_seed, get_file (cache only: never downloads)."""
import os

import numpy as np

from .backend import set_random_seed  # noqa: F401

__all__ = ["to_categorical", "set_random_seed", "get_file", "normalize"]


def to_categorical(x, num_classes=None):
    """One-hot rows (float64, as Keras 3 returns them)."""
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = np.zeros((x.shape[0], num_classes))
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    x = np.asarray(x)
    n = np.atleast_1d(np.linalg.norm(x, order, axis))
    n[n == 0] = 1
    return x / np.expand_dims(n, axis)


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Returns the cached copy of `fname` (Keras' cache, `~/.keras/<cache_subdir>`).

    tfteach runs offline: it never downloads. A file missing from the cache raises an error
    that says where to put it.
    """
    if fname is None:
        if origin is None:
            raise ValueError('Please specify the "origin" argument (URL of the file to '
                             'download).')
        fname = os.path.basename(origin.split("?")[0])
    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".keras")
    path = os.path.join(cache_dir, cache_subdir, fname)
    if os.path.exists(path) and not force_download:
        return path
    raise FileNotFoundError(
        f"{fname} is not in the cache ({path}) and tfteach does not download files. Copy it "
        f"there from {origin or 'its origin'} on a machine that is online, or use the data "
        f"sets that ship offline (tfteach.datasets.mnist_subset(), digits(), text()).")

import sys as _sys  # noqa: E402

from .._missing import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.utils")
