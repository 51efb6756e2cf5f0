"""Records TensorFlow 2.21's TFRecord files and tf.train.Example behaviour for
tests/test_tfrecord.py. Run with the TF oracle (never imported by tfteach):

    /path/to/tf/python tools/record_tfrecord.py            # rewrite the recordings
    /path/to/tf/python tools/record_tfrecord.py --check    # exit 1 when TF's answers changed

1. Writes the fixture files of tests/data/tfrecord/ with TF's own writers: records plain,
   GZIP and ZLIB, three shards, and a file of serialized Examples (written with
   `deterministic=True`: a map's default order changes from process to process).
2. Runs the case modules tests/cases_tfrecord.py (TF2, eager) and tests/cases_tfrecord_v1.py
   (TF1 graphs) under TF, as tools/record_cases.py does, into tests/data/tf_tfrecord.json and
   tests/data/tf_tfrecord_v1.json. The cases read the fixtures, so they are written first.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "tfrecord")
sys.path.insert(0, os.path.join(ROOT, "tests"))

RECORDS = [b"", b"hello", bytes(range(256)), b"x" * 1000]
SHARDS = [[b"a0", b"a1", b"a2"], [b"b0"], [b"c0", b"c1"]]
EXAMPLES = [
    dict(id=[1], xy=[0.5, 1.5], name=[b"alpha"], tags=[3, 1, 4], seq=[1.0, 2.0]),
    dict(id=[2], xy=[2.5, 3.5], tags=("int64", []), grid=[5, 6, 7, 8], score=[0.75]),
    dict(id=[3], xy=[4.5, 5.5], name=[b"gamma"], seq=[3.0]),
    dict(id=[4], xy=[6.5, 7.5], name=[b""], tags=[9], score=[2.0], seq=("float", [])),
]


def write_fixtures(tf, out):
    from cases_tfrecord import _example
    os.makedirs(out, exist_ok=True)
    example = _example(tf, label=[1], text=[b"one"])
    for name, opt in (("records", ""), ("records.gz", "GZIP"), ("records.zlib", "ZLIB")):
        with tf.io.TFRecordWriter(os.path.join(out, f"{name}.tfrecord"), opt) as w:
            for r in RECORDS + [example]:
                w.write(r)
    for i, recs in enumerate(SHARDS):
        with tf.io.TFRecordWriter(os.path.join(out, f"shard-{i}.tfrecord")) as w:
            for r in recs:
                w.write(r)
    with tf.io.TFRecordWriter(os.path.join(out, "examples.tfrecord")) as w:
        for e in EXAMPLES:
            w.write(_example(tf, **e))


def record(tf, name):
    import tfcases
    mod = tfcases.load_cases(name)
    out = {}
    for case in tfcases.case_names(mod):
        with tempfile.TemporaryDirectory() as tmp:
            if mod.MODE == "v1":
                tf.compat.v1.reset_default_graph()
            out[case] = tfcases.normalize(getattr(mod, "case_" + case)(
                tf.compat.v1 if mod.MODE == "v1" else tf, tmp))
    return json.dumps({"tensorflow": tf.__version__, "cases": out}, indent=1,
                      sort_keys=True) + "\n"


def main():
    check = "--check" in sys.argv
    if len(sys.argv) > 1 and sys.argv[1] in ("tfrecord", "tfrecord_v1"):
        # one case module in this process, in its mode
        import tensorflow as tf
        if sys.argv[1] == "tfrecord_v1":
            tf.compat.v1.disable_v2_behavior()
        text = record(tf, sys.argv[1])
        path = os.path.join(ROOT, "tests", "data", f"tf_{sys.argv[1]}.json")
        if check:
            with open(path) as f:
                sys.exit(0 if f.read() == text else 1)
        with open(path, "w") as f:
            f.write(text)
        return
    import tensorflow as tf
    changed = []
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            write_fixtures(tf, tmp)
            for n in sorted(os.listdir(tmp)):
                with open(os.path.join(tmp, n), "rb") as a, open(os.path.join(DATA, n),
                                                                  "rb") as b:
                    if a.read() != b.read():
                        changed.append(n)
    else:
        write_fixtures(tf, DATA)
    for name in ("tfrecord", "tfrecord_v1"):
        r = subprocess.run([sys.executable, __file__, name] + (["--check"] if check else []),
                           env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        if r.returncode:
            changed.append(f"tf_{name}.json")
    if check:
        print("unchanged" if not changed else "TF's answers differ: " + ", ".join(changed))
        sys.exit(1 if changed else 0)
    print(f"{DATA}: {len(os.listdir(DATA))} files; tests/data/tf_tfrecord*.json written")


if __name__ == "__main__":
    main()
