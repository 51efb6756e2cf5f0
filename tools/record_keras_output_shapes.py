#!/usr/bin/env python3
"""Record Keras 3 (TF 2.21's tf.keras) output shapes of layers on non-square inputs (height !=
width, unequal kernels, strides and paddings) into tests/data/keras_output_shapes.json, read by
tests/test_keras_output_shapes.py.

Runs in a separate Python that has TensorFlow (the project never imports it):

    $TFTEACH_TF_PYTHON tools/record_keras_output_shapes.py            # rewrite the JSON
    $TFTEACH_TF_PYTHON tools/record_keras_output_shapes.py --check    # compare, exit 1 on a change

Each case is the code of a layer over `keras` and an input shape with None for the batch
dimension (and for an unknown spatial size). Recorded: `compute_output_shape(input_shape)` and
the shape of the layer's output on zeros of that shape with a batch of 2 (an unknown size: 7).
"""
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "keras_output_shapes.json")

CASES = [
    ("conv2d_valid", "keras.layers.Conv2D(4, (3, 2))", [None, 9, 6, 3]),
    ("conv2d_same_strided", "keras.layers.Conv2D(5, (3, 3), strides=(2, 3), padding='same')",
     [None, 9, 7, 2]),
    ("conv2d_valid_strided", "keras.layers.Conv2D(2, (4, 2), strides=(1, 2))", [None, 10, 5, 1]),
    ("conv2d_dilated", "keras.layers.Conv2D(3, (3, 2), dilation_rate=(2, 1))", [None, 11, 6, 2]),
    ("conv2d_unknown_spatial", "keras.layers.Conv2D(3, (3, 2), strides=2)",
     [None, None, 8, 1]),
    ("conv1d", "keras.layers.Conv1D(4, 3, strides=2)", [None, 11, 3]),
    ("conv1d_same", "keras.layers.Conv1D(4, 3, strides=2, padding='same')", [None, 11, 3]),
    ("conv1d_causal", "keras.layers.Conv1D(2, 3, padding='causal', dilation_rate=2)",
     [None, 9, 3]),
    ("conv2d_transpose", "keras.layers.Conv2DTranspose(3, (3, 2), strides=(2, 3))",
     [None, 4, 5, 2]),
    ("conv2d_transpose_same", "keras.layers.Conv2DTranspose(2, (3, 3), strides=(2, 1), "
                              "padding='same')", [None, 5, 3, 1]),
    ("max_pool_valid", "keras.layers.MaxPooling2D((3, 2))", [None, 9, 5, 2]),
    ("max_pool_same", "keras.layers.MaxPooling2D((2, 3), strides=(1, 2), padding='same')",
     [None, 7, 5, 3]),
    ("avg_pool_strided", "keras.layers.AveragePooling2D((2, 2), strides=(3, 1))",
     [None, 10, 6, 1]),
    ("global_avg_pool", "keras.layers.GlobalAveragePooling2D()", [None, 5, 3, 4]),
    ("global_max_pool_keepdims", "keras.layers.GlobalMaxPooling2D(keepdims=True)",
     [None, 5, 3, 4]),
    ("zero_padding", "keras.layers.ZeroPadding2D(((1, 2), (0, 3)))", [None, 4, 6, 2]),
    ("cropping", "keras.layers.Cropping2D(((1, 0), (2, 1)))", [None, 5, 7, 2]),
    ("upsampling", "keras.layers.UpSampling2D((2, 3))", [None, 3, 4, 1]),
    ("flatten", "keras.layers.Flatten()", [None, 3, 4, 2]),
    ("reshape", "keras.layers.Reshape((4, -1))", [None, 3, 4, 2]),
    ("permute", "keras.layers.Permute((2, 1, 3))", [None, 3, 5, 2]),
    ("dense_3d", "keras.layers.Dense(7)", [None, 3, 5]),
    ("repeat_vector", "keras.layers.RepeatVector(4)", [None, 3]),
    ("embedding", "keras.layers.Embedding(10, 6)", [None, 5]),
]


def record():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import numpy as np
    import tensorflow as tf
    keras = tf.keras
    out = []
    for cid, code, shape in CASES:
        layer = eval(code, {"keras": keras})
        computed = list(layer.compute_output_shape(tuple(shape)))
        concrete = [2] + [7 if d is None else d for d in shape[1:]]
        x = np.zeros(concrete, dtype=np.int32 if "Embedding" in code else np.float32)
        called = list(layer(x).shape)
        out.append({"id": cid, "layer": code, "input_shape": shape,
                    "compute_output_shape": computed, "called_on": concrete,
                    "output_shape": called})
    return {"tensorflow": tf.__version__, "keras": keras.__version__, "cases": out}


def main():
    data = record()
    if "--check" in sys.argv:
        with open(OUT) as f:
            old = json.load(f)
        same = old["cases"] == data["cases"]
        print("unchanged" if same else "CHANGED: rerun without --check and review the diff")
        return 0 if same else 1
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"{len(data['cases'])} cases written to {os.path.normpath(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
