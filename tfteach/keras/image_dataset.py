"""`tf.keras.utils.image_dataset_from_directory`: a directory of class subfolders as a
tf.data pipeline of (images, labels) batches, as Keras 3 builds it.

The file list, its seeded shuffle (NumPy's RandomState, as Keras) and the
training/validation split are Keras's exactly, so a split holds the same files as in TF.
With shuffle=True the dataset also passes through `Dataset.shuffle(batch_size * 8, seed)`,
whose order is tfteach's, not TF's (see tfteach/data/dataset_ops.py).
"""
import os

import numpy as np

_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic")


def _files(directory, follow_links):
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, names in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(names):
            if fname.lower().endswith(_FORMATS):
                yield os.path.join(root, fname)


def index_directory(directory, labels, class_names, shuffle, seed, follow_links, verbose):
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories "
                    f"of the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                             "be specified." if labels is None else
                             "When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
        subdirs = [""]
    paths, found = [], []
    for i, sub in enumerate(subdirs):
        for p in _files(os.path.join(directory, sub), follow_links):
            paths.append(p)
            found.append(i)
    if labels == "inferred":
        class_names, labels = subdirs, np.asarray(found, np.int32)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(paths)} files "
                f"in directory {directory}.")
        class_names = [str(v) for v in sorted(set(labels))]
    if verbose:
        print(f"Found {len(paths)} files." if labels is None else
              f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def _split(paths, labels, validation_split, subset, verbose=True):
    if not validation_split:
        return paths, labels
    n = int(validation_split * len(paths))
    if subset == "training":
        if verbose:
            print(f"Using {len(paths) - n} files for training.")
        return paths[:-n], (labels[:-n] if labels is not None else None)
    if subset == "validation":
        if verbose:
            print(f"Using {n} files for validation.")
        return paths[-n:], (labels[-n:] if labels is not None else None)
    raise ValueError(f'`subset` must be either "training" or "validation", received: '
                     f'{subset}')


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    from ..data.dataset_ops import Dataset
    from ..ops import array_ops, image_ops, io_ops, math_ops
    from ..ops import codec_ops
    from ..framework import dtypes

    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError(
            "`labels` argument should be a list/tuple of integer labels, of the same size as "
            "the number of image files in the target directory. If you wish to infer the "
            "labels from the subdirectory names in the target directory, pass "
            f'`labels="inferred"`. If you wish to get a dataset that only contains images '
            f"(no labels), pass `labels=None`. Received: labels={labels}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode}')
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio:
        raise NotImplementedError("crop_to_aspect_ratio=True (Keras's smart_resize) is not "
                                  "implemented in tfteach: resize, or pad_to_aspect_ratio")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be "
                         "set to `True`.")
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Invalid data_format: {data_format}")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError("`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset.")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, class_names, shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    channels = _CHANNELS[color_mode]
    size = tuple(int(v) for v in image_size)
    buffer = batch_size * 8 if batch_size is not None else 1024

    def load(path):
        img = codec_ops.decode_image(io_ops.read_file(path), channels=channels,
                                     expand_animations=False)
        if pad_to_aspect_ratio:
            img = image_ops.resize_with_pad(img, size[0], size[1], method=interpolation)
        else:
            img = image_ops.resize(img, size, method=interpolation)
        if data_format == "channels_first":
            img = array_ops.transpose(img, (2, 0, 1))
            img.set_shape((channels,) + size)
        else:
            img.set_shape(size + (channels,))
        return img

    def build(p, lab, shuffle_it):
        if not p:
            raise ValueError(f"No images found in directory {directory}. Allowed formats: "
                             f"{_FORMATS}")
        ds = Dataset.from_tensor_slices(p)
        if label_mode:
            lds = Dataset.from_tensor_slices(np.asarray(lab, np.int32))
            if label_mode == "binary":
                lds = lds.map(lambda x: array_ops.expand_dims(
                    math_ops.cast(x, dtypes.float32), -1))
            elif label_mode == "categorical":
                lds = lds.map(lambda x: array_ops.one_hot(x, len(class_names)))
            ds = Dataset.zip((ds, lds))
        if shuffle_it:
            ds = ds.shuffle(buffer_size=buffer, seed=seed)
        ds = ds.map((lambda x, y: (load(x), y)) if label_mode else load)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds.class_names = class_names
        ds.file_paths = list(p)
        return ds

    if subset == "both":
        tp, tl = _split(paths, labels, validation_split, "training", verbose)
        vp, vl = _split(paths, labels, validation_split, "validation", verbose)
        return build(tp, tl, shuffle), build(vp, vl, False)
    paths, labels = _split(paths, labels, validation_split, subset, verbose)
    return build(paths, labels, shuffle)
