"""`tf.version`: the TensorFlow release whose API tfteach follows (TF 2.21, the release its
recorded names and behaviour come from) and the GraphDef versions it writes. tfteach's own
release is `tfteach.__version__`.

TF's GIT_VERSION and COMPILER_VERSION describe a build of TensorFlow's C++ runtime, which
tfteach does not have, so they are absent."""
import json as _json
import os as _os

from ..framework import ops as _ops

with open(_os.path.join(_os.path.dirname(_os.path.dirname(__file__)), "framework",
                        "tf_api_names.json")) as _f:
    VERSION = _json.load(_f)["tensorflow"]     # the TF release the names were recorded from

GRAPH_DEF_VERSION = _ops.GraphDef.PRODUCER     # the `versions.producer` of written GraphDefs
# the oldest GraphDef versions TF 2.21's runtime reads, and the oldest consumer it writes for
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

del _json, _os, _f
