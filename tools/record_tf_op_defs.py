"""Records TensorFlow 2.21's OpDefs (attr names, types and defaults; input/output arg names)
of every op TF registers, into tfteach/framework/tf_op_defs.json. GraphDef export writes exactly
these attrs, so TensorFlow accepts the NodeDefs tfteach writes, whatever op tfteach adds next.
Each op of `tf.raw_ops` also records its Python function: its name (TF's error messages name
it: `mat_mul() missing ...`) and its parameters in order (the inputs and the attrs TF does not
infer from them, then `name`), which `tf.raw_ops` (tfteach/compat/raw_ops.py) is built from.
Run with a Python that has tensorflow-cpu 2.21, from the repository root:

    $TFTEACH_TF_PYTHON tools/record_tf_op_defs.py
"""
import inspect
import json
import os

from google.protobuf import json_format
from tensorflow.python.framework import op_def_registry


def main():
    import tensorflow as tf
    names = sorted(n for n in dir(tf.raw_ops) if not n.startswith("_")) + [
        "_Send", "_Recv", "_HostSend", "_HostRecv", "_Arg", "_Retval"]
    out = {}
    for name in names:
        od = op_def_registry.get(name)
        if od is None:
            continue
        attrs = {}
        for a in od.attr:
            entry = {"type": a.type}
            if a.HasField("default_value"):
                entry["default"] = json_format.MessageToDict(a.default_value)
            if a.has_minimum:
                entry["minimum"] = a.minimum
            attrs[a.name] = entry
        out[name] = {
            "inputs": [[i.name, i.number_attr or i.type_list_attr or "", bool(i.is_ref)]
                       for i in od.input_arg],
            "outputs": [[o.name, o.number_attr or o.type_list_attr or "", bool(o.is_ref)]
                        for o in od.output_arg],
            "attrs": attrs,
            "stateful": od.is_stateful,
        }
        fn = getattr(tf.raw_ops, name, None)
        if fn is not None:
            out[name]["raw_ops"] = [fn.__name__, list(inspect.signature(fn).parameters)]
    path = os.path.join(os.path.dirname(__file__), "..", "tfteach", "framework",
                        "tf_op_defs.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=True)
    print(f"{len(out)} OpDefs recorded")


if __name__ == "__main__":
    main()
