"""Records which of tfteach's op types TensorFlow 2.21 can place on a GPU, from TF's own
kernel registrations, into tests/data/tf_gpu_kernels.json (read by tests/test_gpu_registry.py).

tensorflow-cpu has no GPU kernels compiled in, so this needs the full `tensorflow` wheel
(it imports without a GPU or a CUDA driver):

    python3 -m venv /tmp/tfgpu && /tmp/tfgpu/bin/pip install 'tensorflow==2.21.*'
    /tmp/tfgpu/bin/python tools/record_tf_gpu_kernels.py          # --check: exit 1 on change

The op types are the rows of docs/ops.md (generated from tfteach's registry). Per op:
  gpu          TF registers a kernel for DEVICE_GPU (or DEVICE_DEFAULT, which GPUs use)
  types        {type attr: dtypes} over those kernels
  host         argument names in host memory in every GPU kernel of the op
  host_some    argument names in host memory in some of them (e.g. only for int32)
  host_int32   argument names in host memory in the kernels constrained to int32
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "tf_gpu_kernels.json")


def op_names():
    with open(os.path.join(ROOT, "docs", "ops.md")) as f:
        return sorted(set(re.findall(r"^\| `(\w+)` \|", f.read(), re.M)))


def record(names):
    import tensorflow as tf
    from tensorflow.python.framework import kernels, op_def_registry

    out = {}
    for name in names:
        if op_def_registry.get(name) is None:
            out[name] = {"tf_op": False}
            continue
        gpu = [k for k in kernels.get_registered_kernels_for_op(name).kernel
               if k.device_type in ("GPU", "DEFAULT")]
        types = {}
        host_sets = []
        host_int32 = set()
        for k in gpu:
            host = set(k.host_memory_arg)
            host_sets.append(host)
            for c in k.constraint:
                vals = [tf.dtypes.as_dtype(t).name for t in c.allowed_values.list.type]
                types.setdefault(c.name, set()).update(vals)
                if vals == ["int32"]:
                    host_int32 |= host
        out[name] = {
            "tf_op": True,
            "gpu": bool(gpu),
            "types": {a: sorted(v) for a, v in sorted(types.items())},
            "host": sorted(set.intersection(*host_sets)) if host_sets else [],
            "host_some": sorted(set.union(*host_sets)) if host_sets else [],
            "host_int32": sorted(host_int32),
        }
    return {"tensorflow": tf.__version__, "built_with_cuda": tf.test.is_built_with_cuda(),
            "ops": out}


def main():
    data = record(op_names())
    if not data["built_with_cuda"]:
        sys.exit("this TensorFlow has no GPU kernels (tensorflow-cpu): install `tensorflow`")
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        with open(OUT) as f:
            same = f.read() == text
        print("unchanged" if same else "TF's GPU kernels differ from " + OUT)
        sys.exit(0 if same else 1)
    with open(OUT, "w") as f:
        f.write(text)
    gpu = sum(v.get("gpu", False) for v in data["ops"].values())
    print(f"{len(data['ops'])} ops, {gpu} with a GPU kernel in TF {data['tensorflow']}")


if __name__ == "__main__":
    main()
