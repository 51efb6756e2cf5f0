#!/usr/bin/env python3
"""Record TensorFlow 2.21's TF1 optimizer trajectories into tests/data/tf_optimizers.json
(read by tests/test_optimizers.py, compared bit for bit in float32).

Runs in a separate Python that has TensorFlow (the project never imports it):

    $TFTEACH_TF_PYTHON tools/record_tf_optimizers.py            # rewrite the JSON
    $TFTEACH_TF_PYTHON tools/record_tf_optimizers.py --check    # compare, exit 1 on a change

The program: x0 = [1.5, -2.0, 0.3] (float32 variable), loss = sum(x^3) + sum(sin(x)), five
`minimize` steps in tensorflow.compat.v1 graph mode; the value of x afterwards, per optimizer.
"""
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_optimizers.json")

OPTIMIZERS = {
    "gd": "tf.train.GradientDescentOptimizer(0.1)",
    "mom": "tf.train.MomentumOptimizer(0.1, 0.9)",
    "nest": "tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True)",
    "adam": "tf.train.AdamOptimizer(0.1)",
    "adagrad": "tf.train.AdagradOptimizer(0.1)",
    "rms": "tf.train.RMSPropOptimizer(0.1)",
    "rmsc": "tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True)",
    "adadelta": "tf.train.AdadeltaOptimizer(1.0)",
}


def record():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import numpy as np
    import tensorflow as real_tf
    tf = real_tf.compat.v1
    tf.disable_v2_behavior()
    after = {}
    for kind, code in OPTIMIZERS.items():
        g = tf.Graph()
        with g.as_default():
            x = tf.Variable(np.array([1.5, -2.0, 0.3], np.float32))
            loss = tf.reduce_sum(x * x * x) + tf.reduce_sum(tf.sin(x))
            train = eval(code, {"tf": tf}).minimize(loss)
            with tf.Session() as s:
                s.run(tf.global_variables_initializer())
                for _ in range(5):
                    s.run(train)
                after[kind] = [float(v) for v in s.run(x)]
    return {"tensorflow": real_tf.__version__, "optimizers": OPTIMIZERS, "after_5": after}


def main():
    data = record()
    if "--check" in sys.argv:
        with open(OUT) as f:
            old = json.load(f)
        same = old["after_5"] == data["after_5"]
        print("unchanged" if same else "CHANGED: rerun without --check and review the diff")
        return 0 if same else 1
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"{len(data['after_5'])} trajectories written to {os.path.normpath(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
