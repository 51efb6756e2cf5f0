"""TF2 TFRecord files and tf.train.Example (see tests/tfcases.py): the protos, TFRecordWriter,
TFRecordDataset, tf.data.experimental.TFRecordWriter and the parsing ops, eagerly, in
tf.function and in Dataset.map. The files under tests/data/tfrecord were written by
TensorFlow (tools/record_tfrecord.py); files the cases write are returned as hex so that
tfteach's bytes are compared with TF's.

A map with several keys serializes in an order that changes from process to process in
protobuf's upb runtime (TF's too), so such messages are compared through
`SerializeToString(deterministic=True)` or their parsed values, never their default bytes.
"""
import hashlib
import os
import re

import numpy as np

MODE = "v2"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tfrecord")


def _clean(msg):
    """TF's message without its eager wrapper prefix; tfteach's datasets are Python iterators,
    so an error while reading one carries no IteratorGetNext op suffix: TF's is dropped."""
    msg = re.sub(r"^\{\{function_node [^}]*\}\} ", "", msg)
    msg = msg.replace(" [Op:IteratorGetNext] name: ", "")
    if msg.startswith("Graph execution error:"):
        msg = msg.rsplit("\n\n", 1)[-1]
    if "\nNode: '" in msg:             # a Session.run error: the kernel's words after TF's trace
        msg = msg.split("\nNode: '", 1)[1].split("\n", 1)[1]
    msg = msg.split("\n\t [[")[0]
    # TF names the map function's dataset by a per-process counter and its iterator's path;
    # tfteach's datasets are Python objects: only the function's own error is compared
    msg = re.sub(r"^Error in user-defined function passed to \w+:\d+ transformation with "
                 r"iterator: [\w:]+: ", "", msg)
    # TF's messages live in proto package `tensorflow`, tfteach's in `tfteach` (a second
    # `tensorflow.Example` would clash with TF's own if both were ever imported together)
    msg = re.sub(r"\b(tensorflow|tfteach)\.(Example|Features|Feature|BytesList|FloatList|"
                 r"Int64List|FeatureLists|FeatureList|SequenceExample)\b", r"PKG.\2", msg)
    msg = re.sub(r"<class '[\w.]+\.(\w+)'>", r"<class 'PKG.\1'>", msg)
    msg = re.sub(r"<[\w.]+\.TFRecordWriter object", "<TFRecordWriter object", msg)
    return re.sub(r" at 0x[0-9a-f]+>", " at 0xN>", msg)


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports class and message
        return [type(e).__name__, _clean(getattr(e, "message", None) or str(e))]
    return None


def _try(fn):
    """fn()'s value, or its error as [class, message]."""
    try:
        return fn()
    except Exception as e:     # noqa: BLE001
        return [type(e).__name__, _clean(getattr(e, "message", None) or str(e))]


def _tmp(x, tmp):
    """`x` with the case's temporary directory written as TMP (TF ran in another one)."""
    if isinstance(x, str):
        return x.replace(tmp, "TMP")
    if isinstance(x, list):
        return [_tmp(v, tmp) for v in x]
    return x


def _hex(path):
    with open(path, "rb") as f:
        return f.read().hex()


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _val(x):
    """Tensors as arrays with their shapes (an empty array's shape is otherwise lost),
    SparseTensors as their three parts, dicts and lists through."""
    if isinstance(x, dict):
        return {k: _val(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_val(v) for v in x]
    if hasattr(x, "dense_shape") and hasattr(x, "indices"):
        return {"sparse": [_val(x.indices), _val(x.values), _val(x.dense_shape)]}
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return {"value": x, "shape": list(x.shape)}
    return x


def _records(ds):
    return [r.numpy() for r in ds]


def _read_until_error(it):
    """The records an iterator gives before it stops, then its error (or None)."""
    out = []
    try:
        for r in it:
            out.append(r.numpy() if hasattr(r, "numpy") else r)
    except Exception as e:     # noqa: BLE001
        return [out, [type(e).__name__, _clean(getattr(e, "message", None) or str(e))]]
    return [out, None]


def _helpers(tf):
    """The shortcut functions of TF's "TFRecord and tf.train.Example" guide."""
    def _bytes_feature(value):
        if isinstance(value, type(tf.constant(0))):
            value = value.numpy()
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))

    def _float_feature(value):
        return tf.train.Feature(float_list=tf.train.FloatList(value=[value]))

    def _int64_feature(value):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))
    return _bytes_feature, _float_feature, _int64_feature


def _example(tf, **features):
    """An Example from keyword lists: ints -> int64_list, floats -> float_list, bytes ->
    bytes_list; ("kind", values) names the kind; None is a Feature with no kind set."""
    feats = {}
    for k, v in features.items():
        if v is None:
            feats[k] = tf.train.Feature()
            continue
        kind, vals = v if isinstance(v, tuple) else (
            "int64" if isinstance(v[0], (int, np.integer)) else
            "float" if isinstance(v[0], float) else "bytes", v)
        if kind == "int64":
            feats[k] = tf.train.Feature(int64_list=tf.train.Int64List(value=vals))
        elif kind == "float":
            feats[k] = tf.train.Feature(float_list=tf.train.FloatList(value=vals))
        else:
            feats[k] = tf.train.Feature(bytes_list=tf.train.BytesList(value=vals))
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString(
        deterministic=True)


# --- the messages -------------------------------------------------------------------------

def case_feature_helpers(tf, tmp):
    _bytes_feature, _float_feature, _int64_feature = _helpers(tf)
    return [str(_bytes_feature(b"test_string")), str(_bytes_feature("test_bytes".encode())),
            str(_float_feature(np.exp(1))), _try(lambda: str(_int64_feature(True))),
            str(_int64_feature(1)),
            _float_feature(np.exp(1)).SerializeToString().hex(),
            str(_bytes_feature(tf.constant("test_string"))),
            str(_int64_feature(np.int64(-7))), _try(lambda: str(_int64_feature(np.bool_(True)))),
            repr(_int64_feature(3)), _bytes_feature(b"\x00\xff").SerializeToString().hex(),
            _int64_feature(-1).SerializeToString().hex(),
            tf.train.Feature().SerializeToString().hex()]


def case_serialize_example(tf, tmp):
    _bytes_feature, _float_feature, _int64_feature = _helpers(tf)

    def serialize_example(feature0, feature1, feature2, feature3):
        feature = {"feature0": _int64_feature(feature0), "feature1": _int64_feature(feature1),
                   "feature2": _bytes_feature(feature2), "feature3": _float_feature(feature3)}
        example_proto = tf.train.Example(features=tf.train.Features(feature=feature))
        return example_proto.SerializeToString()

    s = serialize_example(0, 4, b"goat", 0.9876)
    e = tf.train.Example.FromString(s)
    result = {}
    for key, feature in e.features.feature.items():
        kind = feature.WhichOneof("kind")
        result[key] = [kind, np.array(getattr(feature, kind).value)]
    e2 = tf.train.Example()
    e2.ParseFromString(s)
    one = tf.train.Example(features=tf.train.Features(
        feature={"x": _float_feature(1.5)})).SerializeToString()
    return [e.SerializeToString(deterministic=True).hex(), str(e), repr(e), result,
            e.ByteSize(), e == e2, one.hex(), sorted(e.features.feature.keys()),
            e.features.feature["feature1"].int64_list.value[0],
            e.features.feature["feature3"].HasField("float_list"),
            [f.name for f, _ in e.features.feature["feature2"].ListFields()]]


def case_sequence_example_proto(tf, tmp):
    ctx = tf.train.Features(feature={
        "length": tf.train.Feature(int64_list=tf.train.Int64List(value=[3]))})
    frames = tf.train.FeatureList(feature=[
        tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, 1.5])),
        tf.train.Feature(float_list=tf.train.FloatList(value=[2.5, 3.5])),
        tf.train.Feature(float_list=tf.train.FloatList(value=[4.5, 5.5]))])
    words = tf.train.FeatureList(feature=[
        tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"a", b"b"])),
        tf.train.Feature(bytes_list=tf.train.BytesList(value=[])),
        tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"c"]))])
    seq = tf.train.SequenceExample(
        context=ctx, feature_lists=tf.train.FeatureLists(
            feature_list={"frames": frames, "words": words}))
    s = seq.SerializeToString(deterministic=True)
    back = tf.train.SequenceExample.FromString(s)
    only = tf.train.SequenceExample(feature_lists=tf.train.FeatureLists(
        feature_list={"f": frames})).SerializeToString()
    return [s.hex(), str(back), back == seq, only.hex(),
            len(back.feature_lists.feature_list["frames"].feature)]


def case_proto_api(tf, tmp):
    from google.protobuf import text_format
    a = tf.train.Example()
    a.features.feature["x"].int64_list.value.extend([1, 2])
    b = tf.train.Example()
    b.features.feature["y"].float_list.value.append(0.25)
    b.features.feature["x"].int64_list.value.append(3)
    m = tf.train.Example()
    m.CopyFrom(a)
    m.MergeFrom(b)
    parsed = text_format.Parse('features { feature { key: "k" value { bytes_list '
                               '{ value: "v" } } } }', tf.train.Example())
    f = tf.train.Feature(int64_list=tf.train.Int64List(value=[5]))
    f.float_list.value.append(2.0)             # setting another member of the oneof
    return [m.SerializeToString(deterministic=True).hex(), str(m), parsed.SerializeToString().hex(),
            f.WhichOneof("kind"), str(f), tf.train.Example.DESCRIPTOR.name,
            [fd.name for fd in tf.train.Feature.DESCRIPTOR.fields],
            [fd.name for fd in tf.train.SequenceExample.DESCRIPTOR.fields],
            _err(lambda: tf.train.BytesList(value=["str"])),
            _err(lambda: tf.train.FloatList(value=["x"])),
            _err(lambda: tf.train.Int64List(value=[1.5])),
            _err(lambda: tf.train.Int64List(value=[2 ** 64])),
            _err(lambda: tf.train.Example(feature={})),
            _try(lambda: str(tf.train.FloatList(value=[np.float64(1.1), 1, True]))),
            _try(lambda: str(tf.train.Int64List(value=[np.int32(4), np.uint8(250)]))),
            _err(lambda: tf.train.Feature(int64_list=tf.train.FloatList(value=[1.0]))),
            _err(lambda: tf.train.Example.FromString(b"\xff"))]


# --- TFRecordWriter -----------------------------------------------------------------------

RECORDS = [b"", b"hello", bytes(range(256)), b"x" * 1000]


def case_writer_plain(tf, tmp):
    a, b, c = (os.path.join(tmp, n) for n in ("a", "b", "c"))
    with tf.io.TFRecordWriter(a) as w:
        entered = type(w).__name__
        for r in RECORDS:
            w.write(r)
    w = tf.io.TFRecordWriter(b)
    w.write("héllo")
    w.flush()
    mid = _hex(b)
    w.write(b"second")
    w.close()
    w.close()
    with tf.io.TFRecordWriter(c, options="") as w:
        pass
    return [entered, _hex(a), mid, _hex(b), _hex(c)]


def case_writer_compressed(tf, tmp):
    big = bytes(range(256)) * 1200          # over the 256 KiB zlib input buffer

    def write(name, options, records=RECORDS, flush=False):
        path = os.path.join(tmp, name)
        with tf.io.TFRecordWriter(path, options) as w:
            for r in records:
                w.write(r)
                if flush:
                    w.flush()
        return _hex(path) if os.path.getsize(path) < 4000 else _sha(path)

    Opt = tf.io.TFRecordOptions
    return [write("g", "GZIP"), write("z", "ZLIB"), write("o", Opt("GZIP")),
            write("gf", "GZIP", flush=True), write("zf", Opt(compression_type="ZLIB"),
                                                  flush=True),
            write("big", "GZIP", [b"a", big, b"b", big]),
            write("bigz", "ZLIB", [big, big], flush=True),
            write("lvl", Opt("GZIP", compression_level=9)),
            write("lvl0", Opt("ZLIB", compression_level=0)),
            write("mem", Opt("GZIP", mem_level=2)),
            write("wb", Opt("ZLIB", window_bits=10)),
            write("huff", Opt("GZIP", compression_strategy=2)),
            write("sync", Opt("ZLIB", flush_mode=2, input_buffer_size=16),
                  [b"0123456789" * 3, b"abc", b"z" * 40]),
            write("full", Opt("GZIP", flush_mode=3, input_buffer_size=64,
                              output_buffer_size=32), [b"0123456789" * 30, b"q"]),
            write("small", Opt("ZLIB", input_buffer_size=100, output_buffer_size=7),
                  [big, b"tail"], flush=True),
            write("none", Opt(None)), write("empty", Opt(""))]


def case_writer_errors(tf, tmp):
    import pathlib
    w = tf.io.TFRecordWriter(os.path.join(tmp, "w"))
    bad_type = _err(lambda: w.write(5))
    w.close()
    o = tf.io.TFRecordOptions("GZIP", compression_level=4)
    return _tmp([bad_type, _err(lambda: w.write(b"x")), _err(w.flush), _err(w.close),
            _err(lambda: tf.io.TFRecordWriter(os.path.join(tmp, "nodir", "x"))),
            _err(lambda: tf.io.TFRecordWriter(pathlib.Path(os.path.join(tmp, "p")))),
            _err(lambda: tf.io.TFRecordOptions("BZ")),
            _err(lambda: tf.io.TFRecordOptions(5)),
            _err(lambda: tf.io.TFRecordWriter(os.path.join(tmp, "o"), "gzip")),
            sorted(vars(o).items()),
            [tf.io.TFRecordOptions.get_compression_type_string(x)
             for x in (None, "", "ZLIB", "GZIP", o, tf.io.TFRecordOptions())],
            _err(lambda: tf.io.TFRecordOptions.get_compression_type_string("none")),
            type(tf.io.TFRecordOptions(o).compression_type).__name__], tmp)


# --- TFRecordDataset ----------------------------------------------------------------------

def _head(ds):
    return [repr(ds), ds.element_spec, int(ds.cardinality())]


def case_dataset_read(tf, tmp):
    plain = os.path.join(DATA, "records.tfrecord")
    shards = [os.path.join(DATA, f"shard-{i}.tfrecord") for i in range(3)]
    ds = tf.data.TFRecordDataset(plain)
    gz = tf.data.TFRecordDataset([os.path.join(DATA, "records.gz.tfrecord")], "GZIP")
    zl = tf.data.TFRecordDataset(os.path.join(DATA, "records.zlib.tfrecord"),
                                 compression_type=tf.constant("ZLIB"))
    files = tf.data.TFRecordDataset(tf.data.Dataset.from_tensor_slices(shards))
    par2 = tf.data.TFRecordDataset(shards, num_parallel_reads=2)
    par3 = tf.data.TFRecordDataset(shards, num_parallel_reads=3, buffer_size=1)
    par_auto = tf.data.TFRecordDataset(shards, num_parallel_reads=tf.data.AUTOTUNE)
    grid = tf.data.TFRecordDataset([[shards[1], shards[0]]], buffer_size=0)
    return [_head(ds), _records(ds), _records(gz), _records(zl), _head(files),
            _records(files), _head(par2), _records(par2), _records(par3), _head(par_auto),
            sorted(_records(par_auto)), _records(grid), _records(ds.take(2).repeat(2)),
            _records(tf.data.TFRecordDataset(tf.constant([], tf.string))),
            _records(tf.data.TFRecordDataset(plain, compression_type="")),
            list(tf.data.TFRecordDataset(plain).as_numpy_iterator())[:2]]


def case_dataset_errors(tf, tmp):
    with open(os.path.join(DATA, "shard-0.tfrecord"), "rb") as f:
        data = f.read()

    def variant(name, b):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(b)
        return path
    n0 = 12 + 2 + 4                         # first record: "a0"
    bad_data = variant("bad_data", data[:n0 + 13] + b"X" + data[n0 + 14:])
    bad_len = variant("bad_len", data[:8] + b"\0\0\0\0" + data[12:])
    bad_footer = variant("bad_footer", data[:n0 - 1] + b"\x01" + data[n0:])
    bad_head2 = variant("bad_head2", data[:n0 + 9] + b"\x00" + data[n0 + 10:])
    trunc_data = variant("trunc_data", data[:len(data) - 3])
    trunc_head = variant("trunc_head", data[:n0 + 5])
    trunc_len = variant("trunc_len", data[:n0 + 10])
    out = [_read_until_error(tf.data.TFRecordDataset(p))
           for p in (bad_data, bad_len, bad_footer, bad_head2, trunc_data, trunc_head,
                     trunc_len)]
    gz = os.path.join(DATA, "records.gz.tfrecord")
    plain = os.path.join(DATA, "records.tfrecord")
    out += [_read_until_error(tf.data.TFRecordDataset(os.path.join(tmp, "missing"))),
            _read_until_error(tf.data.TFRecordDataset(tmp)),
            _read_until_error(tf.data.TFRecordDataset(plain, "GZIP")),
            _read_until_error(tf.data.TFRecordDataset(plain, "ZLIB")),
            _read_until_error(tf.data.TFRecordDataset(gz, "ZLIB")),
            _read_until_error(tf.data.TFRecordDataset(gz)),
            _read_until_error(tf.data.TFRecordDataset(variant("gz_trunc", _raw(gz)[:-9]),
                                                      "GZIP")),
            _read_until_error(tf.data.TFRecordDataset([plain, os.path.join(tmp, "nope")])),
            _err(lambda: tf.data.TFRecordDataset(3)),
            _err(lambda: tf.data.TFRecordDataset(tf.data.Dataset.range(3))),
            _err(lambda: tf.data.TFRecordDataset(tf.data.Dataset.from_tensors([plain]))),
            _err(lambda: tf.data.TFRecordDataset(plain, compression_type=5)),
            _read_until_error(tf.data.TFRecordDataset(plain, buffer_size=-5))[1][0],
            _err(lambda: tf.data.TFRecordDataset(plain, num_parallel_reads=0))[0]]
    return _tmp(out, tmp)


def _raw(path):
    with open(path, "rb") as f:
        return f.read()


def case_data_experimental_writer(tf, tmp):
    a, b, c = (os.path.join(tmp, n) for n in ("a", "b", "c"))
    ds = tf.data.Dataset.from_tensor_slices([b"one", b"", b"three"])
    tf.data.experimental.TFRecordWriter(a).write(ds)
    tf.data.experimental.TFRecordWriter(b, "GZIP").write(ds.map(lambda x: x + b"!"))
    w = tf.data.experimental.TFRecordWriter(c, compression_type="ZLIB")
    w.write(tf.data.TFRecordDataset(os.path.join(DATA, "records.tfrecord")))
    return [_hex(a), _hex(b), _records(tf.data.TFRecordDataset(c, "ZLIB")),
            _err(lambda: tf.data.experimental.TFRecordWriter(a).write(tf.data.Dataset.range(3))),
            _err(lambda: tf.data.experimental.TFRecordWriter(a).write(
                tf.data.Dataset.from_tensors(["x", "y"]))),
            _err(lambda: tf.data.experimental.TFRecordWriter(a).write([b"a"]))]


# --- parsing --------------------------------------------------------------------------------

FEATURES = """{
    "id": tf.io.FixedLenFeature([], tf.int64),
    "xy": tf.io.FixedLenFeature([2], tf.float32),
    "name": tf.io.FixedLenFeature([], tf.string, default_value="?"),
    "tags": tf.io.VarLenFeature(tf.int64),
    "grid": tf.io.FixedLenFeature([2, 2], tf.int64, default_value=[[1, 2], [3, 4]]),
    "score": tf.io.FixedLenFeature((), tf.float32, default_value=-1.0),
    "seq": tf.io.FixedLenSequenceFeature([], tf.float32, allow_missing=True),
}"""


def _features(tf):
    return eval(FEATURES, {"tf": tf})       # noqa: S307 - the module's own literal


def _examples():
    return _records_of(os.path.join(DATA, "examples.tfrecord"))


def _records_of(path):
    """The records of a TFRecord file, read without tfteach or TF (framing only)."""
    import struct
    out, pos, data = [], 0, _raw(path)
    while pos < len(data):
        (n,) = struct.unpack("<Q", data[pos:pos + 8])
        out.append(data[pos + 12:pos + 12 + n])
        pos += 16 + n
    return out


def case_parse_single(tf, tmp):
    feats = _features(tf)
    out = [_val(tf.io.parse_single_example(s, feats)) for s in _examples()]
    t = tf.constant(_examples()[0])
    one = tf.io.parse_single_example(t, {"xy": tf.io.FixedLenFeature([2, 1], tf.float32)},
                                     example_names="first")
    return out + [_val(one), _val(tf.io.parse_single_example(
        _examples()[1], {"tags": tf.io.VarLenFeature(tf.int64),
                         "id": tf.io.FixedLenFeature([1], tf.int64)}))]


def case_parse_values(tf, tmp):
    s = _example(tf, b=[b"\xff\x00", b""], f=[float("nan"), float("inf"), -0.0, 1e-45, 3.5, 7.0],
                 i=[-1, 2 ** 62, 0])
    P = tf.io.parse_single_example
    return [_val(P(s, {"b": tf.io.FixedLenFeature([2], tf.string),
                       "f": tf.io.FixedLenFeature([3, 2], tf.float32),
                       "i": tf.io.FixedLenFeature([3], tf.int64)})),
            _val(P(s, {"b": tf.io.VarLenFeature(tf.string), "f": tf.io.VarLenFeature(tf.float32),
                       "i": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True),
                       "none": tf.io.VarLenFeature(tf.float32),
                       "nseq": tf.io.FixedLenSequenceFeature([2], tf.string,
                                                             allow_missing=True)})),
            _val(P(s, {"f": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
                       "q": tf.io.FixedLenFeature([2], tf.string, default_value=["a", b"b"]),
                       "r": tf.io.FixedLenFeature([], tf.float32, default_value=1),
                       "t": tf.io.FixedLenFeature((), "int64", default_value=True),
                       "u": tf.io.FixedLenFeature([1, 2], tf.int64, default_value=[3, 4])})),
            # two Examples concatenated are one merged message; the later key wins
            _val(P(_example(tf, a=[5], z=[1.0]) + _example(tf, a=[6, 7]),
                   {"a": tf.io.VarLenFeature(tf.int64), "z": tf.io.VarLenFeature(tf.float32)})),
            # a Feature with no list set is a missing feature
            _val(P(_example(tf, a=None), {"a": tf.io.FixedLenFeature([], tf.int64,
                                                                     default_value=9)})),
            _val(P(_example(tf, a=None), {"a": tf.io.VarLenFeature(tf.int64)})),
            _val(P(b"", {"a": tf.io.FixedLenFeature([], tf.int64, default_value=-1)})),
            # int64 values written unpacked, then an unknown field
            _val(P(_wire_example(b"a", b"\x1a" + _len(b"\x08\x05\x08\x06")) + b"\x10\x01",
                   {"a": tf.io.VarLenFeature(tf.int64)}))]


def _len(b):
    return bytes([len(b)]) + b


def _wire_example(key, feature):
    """An Example with one map entry, written by hand (short fields only)."""
    entry = b"\x0a" + _len(key) + b"\x12" + _len(feature)
    return b"\x0a" + _len(b"\x0a" + _len(entry))


def case_parse_single_errors(tf, tmp):
    s = _example(tf, a=[1], b=[1.5, 2.5], c=[b"x"], d=[b"p", b"q", b"r"])
    P = tf.io.parse_single_example
    F = tf.io.FixedLenFeature
    return [_err(lambda: P(s, {"z": F([], tf.int64)})),
            _err(lambda: P(s, {"a": F([], tf.float32)})),
            _err(lambda: P(s, {"b": F([], tf.float32)})),
            _err(lambda: P(s, {"b": F([3], tf.float32)})),
            _err(lambda: P(s, {"a": F([2], tf.int64, default_value=[0, 0])})),
            _err(lambda: P(s, {"d": F([2], tf.string)})),
            _err(lambda: P(s, {"c": F([2], tf.string)})),
            _err(lambda: P(s, {"c": F([], tf.int64)})),
            _err(lambda: P(s, {"a": tf.io.VarLenFeature(tf.float32)})),
            _err(lambda: P(s, {"b": tf.io.FixedLenSequenceFeature([3], tf.float32,
                                                                  allow_missing=True)})),
            _err(lambda: P(s, {"c": tf.io.FixedLenSequenceFeature([], tf.float32,
                                                                  allow_missing=True)})),
            _err(lambda: P(b"garbage", {"a": F([], tf.int64)})),
            _err(lambda: P(s[:-1], {"a": F([], tf.int64)})),
            _err(lambda: P(b"\x0a\x05\x0a\x03\x0a\x01a", {"a": F([], tf.int64)})),
            _err(lambda: P(_wire_example(b"a", b"\x2a\x00"), {"a": F([], tf.int64)})),
            _err(lambda: P([s], {"a": F([], tf.int64)})),
            _err(lambda: P(s, {"a": F([], tf.int32)})),
            _err(lambda: P(s, {"a": tf.io.VarLenFeature(tf.float64)})),
            _err(lambda: P(s, {})), _err(lambda: P(s, None)),
            _err(lambda: P(s, {"a": F([None], tf.int64)})),
            _err(lambda: P(s, {"a": F(None, tf.int64)})),
            _err(lambda: P(s, {"a": F([2, None], tf.int64)})),
            _err(lambda: P(s, {"a": tf.io.VarLenFeature(None)})),
            _err(lambda: P(s, {"a": "x"})),
            _err(lambda: P(s, {"a": F([2], tf.int64, default_value=[1, 2, 3])})),
            _err(lambda: P(s, {"a": F([], tf.int64, default_value=1.5)})),
            _err(lambda: P(s, {"a": tf.io.FixedLenSequenceFeature([], tf.int64)})),
            _err(lambda: P(s, {"a": F([], tf.int64)}, example_names=["nm"])),
            _err(lambda: P(1, {"a": F([], tf.int64)}))]


def case_parse_batch(tf, tmp):
    exs = _examples()
    feats = _features(tf)
    out = [_val(tf.io.parse_example(exs, feats)),
           _val(tf.io.parse_example(tf.constant(exs[:2]), {"tags": tf.io.VarLenFeature(
               tf.int64)}, example_names=["first", "second"])),
           _try(lambda: tf.io.parse_example([], {"a": tf.io.VarLenFeature(tf.int64)})),
           _val(tf.io.parse_example(tf.constant([], tf.string), {
               "a": tf.io.VarLenFeature(tf.int64),
               "b": tf.io.FixedLenFeature([2], tf.float32, default_value=[1, 2]),
               "c": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)})),
           _val(tf.io.parse_example(exs[0], {"tags": tf.io.VarLenFeature(tf.int64),
                                             "id": tf.io.FixedLenFeature([], tf.int64)}))]
    seqs = [_example(tf, a=[1, 2, 3]), _example(tf, a=[4]), _example(tf, b=[0])]
    out.append(_val(tf.io.parse_example(seqs, {"a": tf.io.FixedLenSequenceFeature(
        [], tf.int64, allow_missing=True, default_value=-1)})))
    pairs = [_example(tf, a=[1, 2, 3, 4]), _example(tf, a=[5, 6]), _example(tf, a=None)]
    out.append(_val(tf.io.parse_example(pairs, {"a": tf.io.FixedLenSequenceFeature(
        [2], tf.int64, allow_missing=True)})))
    out.append(_val(tf.io.parse_example(pairs, {"a": tf.io.VarLenFeature(tf.int64)})))
    out.append(_val(tf.io.parse_example(tf.zeros([0], tf.string), {
        "b": tf.io.VarLenFeature(tf.string),
        "f": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)})))
    out.append(_val(tf.io.parse_example(
        [_example(tf, f=[1.0, 2.0, 3.0, 4.0]), _example(tf, g=[1.0])],
        {"f": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True,
                                            default_value=9.0)})))
    return out


def case_parse_batch_errors(tf, tmp):
    s = _example(tf, a=[1])
    PE = tf.io.parse_example
    F = tf.io.FixedLenFeature
    return [_err(lambda: PE([s, _example(tf, a=[1, 2])], {"a": F([], tf.int64)})),
            _err(lambda: PE([s, _example(tf, a=[1, 2])], {"a": F([], tf.int64)},
                            example_names=["n0", "n1"])),
            _err(lambda: PE([s, _example(tf, q=[1])], {"a": F([], tf.int64)})),
            _err(lambda: PE([s, _example(tf, a=None)], {"a": F([], tf.int64)})),
            _err(lambda: PE([s, _example(tf, a=("float", []))],
                            {"a": tf.io.VarLenFeature(tf.int64)})),
            _err(lambda: PE([s, _example(tf, a=("float", []))],
                            {"a": F([], tf.int64, default_value=7)})),
            _err(lambda: PE([s, _example(tf, a=("int64", []))],
                            {"a": F([], tf.int64, default_value=7)})),
            _err(lambda: PE([s, _example(tf, a=[b"x", b"y"])],
                            {"a": F([], tf.string, default_value="")})),
            _err(lambda: PE([s, _example(tf, a=[0.5, 1.5])],
                            {"a": F([], tf.float32, default_value=0)})),
            _err(lambda: PE([_example(tf, a=[1, 2, 3]), s],
                            {"a": tf.io.FixedLenSequenceFeature([2], tf.int64,
                                                                allow_missing=True)})),
            _err(lambda: PE([_example(tf, a=[b"a"]), s],
                            {"a": tf.io.FixedLenSequenceFeature([2], tf.string,
                                                                allow_missing=True)})),
            _err(lambda: PE([s, b"garbage"], {"a": F([], tf.int64)})),
            _err(lambda: PE([[s]], {"a": tf.io.VarLenFeature(tf.int64)})),
            _err(lambda: PE([s, s], {"a": tf.io.VarLenFeature(tf.int64)}, example_names=["x"])),
            _err(lambda: PE([s], {})),
            _err(lambda: PE([s], {"a": tf.io.FixedLenSequenceFeature([2], tf.int64)}))]


def case_parse_in_function(tf, tmp):
    feats = _features(tf)

    @tf.function
    def single(x):
        return tf.io.parse_single_example(x, feats)

    @tf.function
    def batch(x):
        return tf.io.parse_example(x, {"tags": tf.io.VarLenFeature(tf.int64),
                                       "xy": tf.io.FixedLenFeature([2], tf.float32)})
    exs = _examples()
    cf = single.get_concrete_function(tf.TensorSpec([], tf.string))
    cb = batch.get_concrete_function(tf.TensorSpec([None], tf.string))
    ops = [[o.name, o.type] for o in cf.graph.get_operations()]
    bops = [[o.name, o.type] for o in cb.graph.get_operations()]
    parse = [o for o in cf.graph.get_operations() if o.type == "ParseExampleV2"][0]
    shapes = [None if o.shape.rank is None else o.shape.as_list() for o in parse.outputs]
    return [_val(single(tf.constant(exs[0]))), _val(batch(tf.constant(exs))), ops, bops, shapes,
            [t.dtype for t in parse.outputs], parse.get_attr("num_sparse"),
            parse.get_attr("Tdense"),
            [tf.TensorShape(s) for s in parse.get_attr("dense_shapes")],
            _err(lambda: single(tf.constant(b"junk")))]


def case_parse_in_dataset(tf, tmp):
    path = os.path.join(DATA, "examples.tfrecord")
    dense = {"id": tf.io.FixedLenFeature([], tf.int64),
             "xy": tf.io.FixedLenFeature([2], tf.float32),
             "name": tf.io.FixedLenFeature([], tf.string, default_value="?")}
    raw = tf.data.TFRecordDataset([path])
    parsed = raw.map(lambda r: tf.io.parse_single_example(r, dense))
    pairs = raw.map(lambda r: tf.io.parse_single_example(r, dense)).map(
        lambda d: (d["xy"] * 2.0, d["id"]))
    batched = raw.batch(3).map(lambda b: tf.io.parse_example(b, dense))
    sparse = raw.map(lambda r: tf.io.parse_single_example(
        r, {"tags": tf.io.VarLenFeature(tf.int64)})["tags"])
    dense_tags = raw.map(lambda r: tf.sparse.to_dense(tf.io.parse_single_example(
        r, {"tags": tf.io.VarLenFeature(tf.int64)})["tags"]))
    return [parsed.element_spec, list(parsed.as_numpy_iterator()), _records(pairs.map(
        lambda a, b: tf.strings.as_string(a[0]))), list(batched.as_numpy_iterator()),
        repr(sparse.element_spec), [_val(x) for x in sparse],
        [list(x) for x in sparse.as_numpy_iterator()], list(dense_tags.as_numpy_iterator()),
        _read_until_error(raw.map(lambda r: tf.io.parse_single_example(
            r, {"missing": tf.io.FixedLenFeature([], tf.int64)})))[1]]


def case_guide(tf, tmp):
    """TF's "TFRecord and tf.train.Example" guide, ten observations, seeded. The guide's
    boolean feature0 is drawn as 0/1 here: with protobuf 7 an Int64List refuses booleans,
    in TF 2.21 as in tfteach (case_feature_helpers pins that error)."""
    _bytes_feature, _float_feature, _int64_feature = _helpers(tf)
    rng = np.random.RandomState(0)
    n_observations = 10
    feature0 = rng.choice([0, 1], n_observations)
    feature1 = rng.randint(0, 5, n_observations)
    strings = np.array([b"cat", b"dog", b"chicken", b"horse", b"goat"])
    feature2 = strings[feature1]
    feature3 = rng.randn(n_observations)

    def serialize_example(feature0, feature1, feature2, feature3):
        feature = {"feature0": _int64_feature(feature0), "feature1": _int64_feature(feature1),
                   "feature2": _bytes_feature(feature2), "feature3": _float_feature(feature3)}
        example_proto = tf.train.Example(features=tf.train.Features(feature=feature))
        return example_proto.SerializeToString()

    features_dataset = tf.data.Dataset.from_tensor_slices(
        (feature0, feature1, feature2, feature3))

    def tf_serialize_example(f0, f1, f2, f3):
        tf_string = tf.py_function(serialize_example, (f0, f1, f2, f3), tf.string)
        return tf.reshape(tf_string, ())

    serialized_features_dataset = features_dataset.map(tf_serialize_example)

    def generator():
        for features in features_dataset:
            yield serialize_example(*features)

    from_gen = tf.data.Dataset.from_generator(generator, output_types=tf.string,
                                              output_shapes=())
    filename = os.path.join(tmp, "test.tfrecord")
    writer = tf.data.experimental.TFRecordWriter(filename)
    writer.write(from_gen)
    raw_dataset = tf.data.TFRecordDataset([filename])
    feature_description = {
        "feature0": tf.io.FixedLenFeature([], tf.int64, default_value=0),
        "feature1": tf.io.FixedLenFeature([], tf.int64, default_value=0),
        "feature2": tf.io.FixedLenFeature([], tf.string, default_value=""),
        "feature3": tf.io.FixedLenFeature([], tf.float32, default_value=0.0),
    }

    def _parse_function(example_proto):
        return tf.io.parse_single_example(example_proto, feature_description)

    parsed_dataset = raw_dataset.map(_parse_function)
    first = [dict(p) for p in parsed_dataset.take(3)]
    with tf.io.TFRecordWriter(filename) as writer:
        for i in range(n_observations):
            example = serialize_example(feature0[i], feature1[i], feature2[i], feature3[i])
            writer.write(example)
    for raw_record in tf.data.TFRecordDataset([filename]).take(1):
        example = tf.train.Example()
        example.ParseFromString(raw_record.numpy())
    result = {}
    for key, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        result[key] = np.array(getattr(feature, kind).value)
    via_map = [tf.train.Example.FromString(r.numpy()).SerializeToString(deterministic=True)
               for r in serialized_features_dataset.take(2)]
    return [first, str(example), result, [s.hex() for s in via_map],
            len(_records(raw_dataset)), serialized_features_dataset.element_spec,
            repr(tf_serialize_example(*next(iter(features_dataset))).shape)]


def case_raw_bytes_and_tensors(tf, tmp):
    img = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    mat = np.array([[1.5, -2.0], [0.25, 8.0]], np.float32)
    ex = tf.train.Example(features=tf.train.Features(feature={
        "raw": tf.train.Feature(bytes_list=tf.train.BytesList(value=[img.tobytes()])),
        "shape": tf.train.Feature(int64_list=tf.train.Int64List(value=list(img.shape))),
        "mat": tf.train.Feature(bytes_list=tf.train.BytesList(
            value=[tf.io.serialize_tensor(mat).numpy()]))})).SerializeToString()
    p = tf.io.parse_single_example(ex, {"raw": tf.io.FixedLenFeature([], tf.string),
                                        "shape": tf.io.FixedLenFeature([3], tf.int64),
                                        "mat": tf.io.FixedLenFeature([], tf.string)})
    image = tf.reshape(tf.io.decode_raw(p["raw"], tf.uint8), p["shape"])
    return [image, tf.io.parse_tensor(p["mat"], tf.float32), p["mat"].numpy().hex()]


def case_raw_ops(tf, tmp):
    s = _example(tf, a=[1])
    kw = dict(sparse_keys=[], dense_keys=["a"], ragged_keys=[],
              dense_defaults=[tf.constant([], tf.int64)], num_sparse=0, sparse_types=[],
              ragged_value_types=[], ragged_split_types=[], dense_shapes=[[]])
    return [_val(tf.raw_ops.ParseExampleV2(serialized=[s, s], names=[], **kw)),
            _err(lambda: tf.raw_ops.ParseExampleV2(serialized=[s], names=["x", "y"], **kw)),
            _err(lambda: tf.raw_ops.ParseExampleV2(serialized=s, names=["x"], **kw)),
            _err(lambda: tf.raw_ops.ParseExampleV2(serialized=[[s]], names=[], **kw))]


def case_sparse_elements(tf, tmp):
    path = os.path.join(DATA, "examples.tfrecord")
    tags = tf.data.TFRecordDataset(path).map(lambda r: tf.io.parse_single_example(
        r, {"tags": tf.io.VarLenFeature(tf.int64)})["tags"])
    batched = tags.batch(3)
    dense = tags.map(lambda t: tf.sparse.to_dense(t) * 2)
    summed = tags.map(lambda t: tf.sparse.reduce_sum(t))
    pairs = tf.data.TFRecordDataset(path).map(lambda r: tf.io.parse_single_example(
        r, {"tags": tf.io.VarLenFeature(tf.int64), "id": tf.io.FixedLenFeature([], tf.int64)}))

    @tf.function
    def total(ds):
        s = tf.constant(0, tf.int64)
        for t in ds:
            s += tf.sparse.reduce_sum(t)
        return s
    return [repr(batched.element_spec), [_val(b) for b in batched],
            list(batched.as_numpy_iterator()), list(dense.as_numpy_iterator()),
            list(summed.as_numpy_iterator()), repr(pairs.element_spec["tags"]),
            [_val(p) for p in pairs.take(2)], total(tags),
            repr(tags.shuffle(4, seed=1).repeat(2).element_spec), len(list(tags.repeat(2))),
            int(tags.cardinality())]


def case_ragged_feature(tf, tmp):
    exs = _examples()
    feats = {"tags": tf.io.RaggedFeature(tf.int64),
             "again": tf.io.RaggedFeature(tf.int64, value_key="tags"),
             "name": tf.io.RaggedFeature(tf.string, row_splits_dtype=tf.int64)}
    batch = tf.io.parse_example(exs, feats)
    one = tf.io.parse_single_example(exs[0], feats)
    return [[batch[k].to_list() for k in sorted(batch)], sorted(batch),
            [batch["name"].row_splits, batch["tags"].row_splits],
            _err(lambda: tf.io.parse_example(exs, {
                "tags": tf.io.RaggedFeature(tf.int64),
                "t64": tf.io.RaggedFeature(tf.int64, value_key="tags",
                                           row_splits_dtype=tf.int64)})),
            {k: v for k, v in one.items()}, repr(feats["tags"]),
            _err(lambda: tf.io.RaggedFeature(tf.float64)),
            _err(lambda: tf.io.RaggedFeature(tf.int64, value_key="")),
            _err(lambda: tf.io.RaggedFeature(tf.int64, row_splits_dtype=tf.int16)),
            _err(lambda: tf.io.parse_example(exs[:1], {"a": tf.io.RaggedFeature(tf.int64),
                                                       "b": tf.io.RaggedFeature(
                                                           tf.float32, value_key="a")}))]


def _sequence(tf, context, lists):
    """A serialized SequenceExample: context {key: values}, lists {key: [row values]}."""
    def feature(v):
        if isinstance(v, tuple):
            kind, v = v
        else:
            kind = "int64" if v and isinstance(v[0], int) else \
                "float" if v and isinstance(v[0], float) else "bytes"
        if kind == "int64":
            return tf.train.Feature(int64_list=tf.train.Int64List(value=v))
        if kind == "float":
            return tf.train.Feature(float_list=tf.train.FloatList(value=v))
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=v))
    return tf.train.SequenceExample(
        context=tf.train.Features(feature={k: feature(v) for k, v in context.items()}),
        feature_lists=tf.train.FeatureLists(feature_list={
            k: tf.train.FeatureList(feature=[feature(r) for r in rows])
            for k, rows in lists.items()})).SerializeToString(deterministic=True)


def _sequences(tf):
    return [
        _sequence(tf, {"length": [3], "name": [b"first"]},
                  {"frames": [[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]],
                   "words": [[b"a", b"b"], ("bytes", []), [b"c"]],
                   "ids": [[1], [2, 3], ("int64", [])]}),
        _sequence(tf, {"length": [1]},
                  {"frames": [[9.0, 8.0]], "words": [[b"z"]], "ids": [[7, 7, 7]]}),
    ]


def _seq_features(tf):
    context = {"length": tf.io.FixedLenFeature([], tf.int64),
               "name": tf.io.FixedLenFeature([], tf.string, default_value="none"),
               "extra": tf.io.VarLenFeature(tf.float32)}
    sequence = {"frames": tf.io.FixedLenSequenceFeature([2], tf.float32),
                "words": tf.io.VarLenFeature(tf.string),
                "ids": tf.io.RaggedFeature(tf.int64),
                "absent": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True)}
    return context, sequence


def case_parse_sequence_single(tf, tmp):
    context, sequence = _seq_features(tf)
    s1, s2 = _sequences(tf)
    ctx, seq = tf.io.parse_single_sequence_example(s1, context, sequence)
    ctx2, seq2 = tf.io.parse_single_sequence_example(
        s2, context_features={"length": tf.io.FixedLenFeature([1], tf.int64)},
        sequence_features={"frames": tf.io.FixedLenSequenceFeature([1, 2], tf.float32)},
        example_name="second")
    P = tf.io.parse_single_sequence_example
    F, FS = tf.io.FixedLenFeature, tf.io.FixedLenSequenceFeature
    return [_val(ctx), _val({k: v for k, v in seq.items() if k != "ids"}),
            seq["ids"].to_list(), _val(ctx2), _val(seq2),
            _val(P(s1, sequence_features={"frames": FS([2], tf.float32)})),
            _err(lambda: P(s1, {"missing": F([], tf.int64)})),
            _err(lambda: P(s1, sequence_features={"nope": FS([], tf.int64)})),
            _err(lambda: P(s1, {"length": F([], tf.float32)})),
            _err(lambda: P(s1, sequence_features={"frames": FS([3], tf.float32)})),
            _err(lambda: P(s1, sequence_features={"frames": FS([2], tf.int64)})),
            _err(lambda: P(s1, sequence_features={"words": FS([], tf.string)})),
            _err(lambda: P(s1, sequence_features={"f": FS([], tf.int64, default_value=0)})),
            _err(lambda: P(s1)), _err(lambda: P(b"garbage\x07", {"a": F([], tf.int64)})),
            _err(lambda: P(s1, {"length": F([2], tf.int64)})),
            _err(lambda: P(s1, {"frames": F([], tf.int64)})),
            _err(lambda: P(s1, sequence_features={"frames": F([2], tf.float32)}))]


def case_parse_sequence_batch(tf, tmp):
    context, sequence = _seq_features(tf)
    s1, s2 = _sequences(tf)
    ctx, seq, lengths = tf.io.parse_sequence_example([s1, s2], context, sequence,
                                                     example_names=["one", "two"])
    return [_val(ctx), _val({k: v for k, v in seq.items() if k != "ids"}),
            seq["ids"].to_list(), _val(lengths),
            _err(lambda: tf.io.parse_sequence_example(
                [s1, s2], sequence_features={"frames": tf.io.FixedLenSequenceFeature(
                    [3], tf.float32)}, example_names=["one", "two"])),
            _err(lambda: tf.io.parse_sequence_example(
                [s1, s2], {"name": tf.io.FixedLenFeature([], tf.string)})),
            _err(lambda: tf.io.parse_sequence_example([s1], {"length": tf.io.FixedLenFeature(
                [], tf.int64)}, example_names=["a", "b"])),
            _err(lambda: tf.io.parse_sequence_example(None, None, None))]


def case_parse_sequence_graph(tf, tmp):
    context, sequence = _seq_features(tf)
    sequence = {k: v for k, v in sequence.items() if k != "ids"}

    @tf.function
    def single(x):
        return tf.io.parse_single_sequence_example(x, context, sequence)

    @tf.function
    def batch(x):
        return tf.io.parse_sequence_example(x, context, sequence)
    cs = single.get_concrete_function(tf.TensorSpec([], tf.string))
    cb = batch.get_concrete_function(tf.TensorSpec([None], tf.string))
    op = [o for o in cb.graph.get_operations() if o.type == "ParseSequenceExampleV2"][0]
    return [[[o.name, o.type] for o in cs.graph.get_operations()],
            [[o.name, o.type] for o in cb.graph.get_operations()],
            [None if t.shape.rank is None else t.shape.as_list() for t in op.outputs],
            _val(single(tf.constant(_sequences(tf)[0])))]
