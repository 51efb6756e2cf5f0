"""Records TensorFlow 2.21's OpDef attrs (name, type, default, allowed values) and input/output
arg names for every op type tfteach declares, into tfteach/framework/tf_op_defs.json. GraphDef
export writes exactly these attrs, so TensorFlow accepts the NodeDefs tfteach writes. Run with
a Python that has tensorflow-cpu 2.21, from the repository root:

    python -c "import tfteach, json; from tfteach.eager import api; api.load_all_ops(); \\
      from tfteach.framework import registry; print(json.dumps(sorted(registry.all_ops())))" \\
      > /tmp/ops.json
    $TFTEACH_TF_PYTHON tools/record_tf_op_defs.py /tmp/ops.json
"""
import json
import os
import sys

from google.protobuf import json_format
from tensorflow.python.framework import op_def_registry


def main():
    names = json.load(open(sys.argv[1]))
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
    path = os.path.join(os.path.dirname(__file__), "..", "tfteach", "framework",
                        "tf_op_defs.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print(f"{len(out)} of {len(names)} op types have a TensorFlow OpDef")
    print("not in TF:", sorted(set(names) - set(out)))


if __name__ == "__main__":
    main()
