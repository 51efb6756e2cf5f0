"""Records Keras 3's `image_dataset_from_directory` on a tiny class tree built from
tests/data/images (PNG, BMP, GIF: no JPEG, whose decode tfteach matches only within a
tolerance), for tests/test_image_codecs.py.

    /work/tfenv/bin/python tools/record_image_dataset.py   # writes tests/data/image_dataset_tf.json
"""
import json
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMG = os.path.join(ROOT, "tests", "data", "images")
OUT = os.path.join(ROOT, "tests", "data", "image_dataset_tf.json")
# class -> files; also a .txt that must be skipped and a hidden folder
TREE = {"cats": ["tf_c3_8.png", "rgb24.bmp", "anim.gif", "pal8.png"],
        "dogs": ["tf_c4_8.png", "filters_rgb.png", "gray1.png"],
        "eels": ["bgra32_topdown.bmp", "still.gif"]}


def build(root):
    for cls, names in TREE.items():
        os.makedirs(os.path.join(root, cls))
        for n in names:
            shutil.copy(os.path.join(IMG, n), os.path.join(root, cls, n))
    with open(os.path.join(root, "cats", "notes.txt"), "w") as f:
        f.write("not an image")
    os.makedirs(os.path.join(root, ".hidden"))


CASES = {
    "int_noshuffle": dict(batch_size=4, image_size=(3, 4), shuffle=False),
    "categorical": dict(label_mode="categorical", batch_size=3, image_size=(2, 2),
                        shuffle=False),
    "binary_two_classes": dict(label_mode="binary", class_names=["dogs", "cats"],
                               batch_size=8, image_size=(2, 3), shuffle=False),
    "grayscale_nearest": dict(color_mode="grayscale", interpolation="nearest",
                              class_names=["dogs"],
                              batch_size=None, image_size=(3, 3), shuffle=False),
    "validation_seeded": dict(validation_split=0.34, subset="validation", seed=3,
                              batch_size=2, image_size=(2, 2)),
    "training_seeded": dict(validation_split=0.34, subset="training", seed=3,
                            batch_size=2, image_size=(2, 2)),
    "no_labels": dict(labels=None, batch_size=5, image_size=(2, 2), shuffle=False),
}


def rel(root, paths):
    return [os.path.relpath(p, root) for p in paths]


def main():
    out = {}
    root = tempfile.mkdtemp()
    try:
        build(root)
        for k, kw in CASES.items():
            ds = tf.keras.utils.image_dataset_from_directory(root, verbose=False, **kw)
            batches = []
            for b in ds:
                if isinstance(b, tuple):
                    batches.append([b[0].numpy().tolist(), b[1].numpy().tolist()])
                else:
                    batches.append([b.numpy().tolist()])
            out[k] = {"class_names": ds.class_names, "file_paths": rel(root, ds.file_paths),
                      "element_spec": str(ds.element_spec), "batches": batches}
        for k, kw in {"binary_three_classes": dict(label_mode="binary"),
                      "split_without_seed": dict(validation_split=0.2, subset="training"),
                      "bad_class_names": dict(class_names=["cats", "owls"])}.items():
            try:
                tf.keras.utils.image_dataset_from_directory(root, verbose=False, **kw)
            except Exception as e:  # noqa: BLE001 - the class and message are the record
                out[k] = {"error": type(e).__name__,
                          "message": str(e).replace(root, "<root>")}
    finally:
        shutil.rmtree(root)
    with open(OUT, "w") as f:
        json.dump({"tensorflow": tf.__version__, "tree": TREE, "cases": out}, f)
    print(len(out), "cases")


if __name__ == "__main__":
    main()
