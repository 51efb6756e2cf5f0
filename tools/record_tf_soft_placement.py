"""Records what TensorFlow 2.21 does eagerly with soft device placement off, for
tests/test_soft_placement.py and tests/test_cuda_gpu_default.py.

Run with the TF oracle (never imported by tfteach):
    TF_ENABLE_ONEDNN_OPTS=0 /path/to/tf/python tools/record_tf_soft_placement.py \
        tests/data/tf_soft_placement.json

tensorflow-cpu has no GPU, so `/GPU:0` is a device that does not exist there: the error
then names the op's device types (only CPU is available) and every device. With a GPU
present the same message lists the GPUs first (TF's device priority); tfteach's simulated-GPU
test checks that form. Each case is [class, message], or ["ok", device] when the op ran.
"""
import json
import sys

import tensorflow as tf

ONE = tf.constant(1.0)
WORDS = tf.constant(["ab"])
# name: (device of the `with tf.device` around the call, the call)
CASES = {
    "add_on_gpu0": ("/GPU:0", lambda: tf.add(ONE, ONE)),
    "string_length_on_gpu0": ("/GPU:0", lambda: tf.strings.length(WORDS)),
    "add_on_cpu1": ("/CPU:1", lambda: tf.add(ONE, ONE)),
    "constant_on_gpu0": ("/GPU:0", lambda: tf.constant(1.0)),
    "variable_on_gpu0": ("/GPU:0", lambda: tf.Variable(1.0)),
    "add_on_cpu0": ("/CPU:0", lambda: tf.add(ONE, ONE)),
    # a tf.function whose graph asks for the GPU: TF names the function's call
    # ('__inference_<python name>_<uid>'; the test reads the uid as any number)
    "function_on_gpu0": (None, lambda: tf.function(_double)(ONE)),
}


def _double(x):
    with tf.device("/GPU:0"):
        return x * 2.0


def run(soft):
    tf.config.set_soft_device_placement(soft)
    out = {}
    for name, (device, fn) in CASES.items():
        try:
            with tf.device(device):
                out[name] = ["ok", fn().device]
        except Exception as e:  # noqa: BLE001 - recording whatever TF raises
            out[name] = [type(e).__name__, str(e)]
    return out


def main(path):
    data = {"tensorflow": tf.__version__, "soft_off": run(False), "soft_on": run(True)}
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
