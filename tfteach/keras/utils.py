"""`keras.utils`: to_categorical, set_random_seed, get_file (cache only: never downloads)."""
import os

import numpy as np

from .backend import set_random_seed  # noqa: F401

__all__ = ["to_categorical", "set_random_seed", "get_file", "normalize", "plot_model",
           "model_to_dot"]


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

def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for `plot_model` to "
                          "work.") from None
    return pydot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """A pydot graph of the model's layers, in order, each joined to the next."""
    pydot = _pydot()
    if expand_nested or subgraph:
        raise NotImplementedError("tfteach's model_to_dot draws the top-level layers only "
                                  "(expand_nested/subgraph are not implemented).")
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    prev = None
    for layer in model.layers:
        label = type(layer).__name__
        if show_layer_names:
            label = f"{layer.name} ({label})"
        if show_layer_activations and getattr(layer, "activation", None) is not None:
            label += f"\\nactivation: {getattr(layer.activation, '__name__', layer.activation)}"
        if show_shapes:
            label += f"\\noutput shape: {getattr(layer, 'output_shape', '?')}"
        if show_dtype:
            label += f"\\ndtype: {getattr(layer, 'dtype', '?')}"
        if show_trainable:
            label += f"\\ntrainable: {layer.trainable}"
        node = pydot.Node(str(id(layer)), label=label)
        dot.add_node(node)
        if prev is not None:
            dot.add_edge(pydot.Edge(prev, str(id(layer))))
        prev = str(id(layer))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's layers to `to_file` (format from its extension) with pydot and
    Graphviz; ImportError when pydot is missing, as in Keras."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    ext = os.path.splitext(str(to_file))[1][1:] or "png"
    dot.write(str(to_file), format=ext)
    return None


from .image_dataset import image_dataset_from_directory  # noqa: E402,F401
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402,F401

import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.utils")
