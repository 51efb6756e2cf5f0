"""TF1 TFRecord code (see tests/tfcases.py): `tf.python_io`, `tf.io.tf_record_iterator`,
`tf.parse_single_example` / `tf.parse_example` building graphs run by a Session, and
TFRecordDataset through one-shot and initializable iterators. The op names and types a
graph gets are TF's; errors are compared by class and message (the node suffix dropped)."""
import os

import numpy as np

from cases_tfrecord import DATA, RECORDS, _clean, _err, _example, _hex, _read_until_error, \
    _records_of, _tmp, _val

MODE = "v1"


def _ops(g, start=0):
    return [[o.name, o.type] for o in g.get_operations()[start:]]


def _sess_err(sess, fetches, feed=None):
    try:
        sess.run(fetches, feed)
    except Exception as e:     # noqa: BLE001
        return [type(e).__name__, _clean(getattr(e, "message", None) or str(e))]
    return None


def case_python_io(tf, tmp):
    a, b, c = (os.path.join(tmp, n) for n in ("a", "b", "c"))
    w = tf.python_io.TFRecordWriter(a)
    for r in RECORDS:
        w.write(r)
    w.close()
    opts = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)
    with tf.python_io.TFRecordWriter(b, options=opts) as w:
        w.write(b"zipped")
    with tf.io.TFRecordWriter(c, tf.io.TFRecordCompressionType.ZLIB) as w:
        w.write(b"deflated")
    it = tf.python_io.tf_record_iterator(a)
    first = next(it)
    C = tf.python_io.TFRecordCompressionType
    return [_hex(a), _hex(b), _hex(c), first, list(it), _err(lambda: next(it)),
            list(tf.python_io.tf_record_iterator(b, opts)),
            list(tf.io.tf_record_iterator(c, tf.io.TFRecordOptions("ZLIB"))),
            list(tf.io.tf_record_iterator(os.path.join(DATA, "records.gz.tfrecord"),
                                          options="GZIP")),
            [C.NONE, C.ZLIB, C.GZIP], tf.io.TFRecordCompressionType.GZIP,
            [tf.python_io.TFRecordOptions.get_compression_type_string(x)
             for x in (C.NONE, C.ZLIB, C.GZIP)],
            tf.python_io.TFRecordOptions.compression_type_map[C.ZLIB]]


def case_record_iterator_errors(tf, tmp):
    with open(os.path.join(DATA, "shard-0.tfrecord"), "rb") as f:
        data = f.read()
    bad = os.path.join(tmp, "bad")
    with open(bad, "wb") as f:
        f.write(data[:31] + b"X" + data[32:])
    trunc = os.path.join(tmp, "trunc")
    with open(trunc, "wb") as f:
        f.write(data[:-2])
    return _tmp([_read_until_error(tf.io.tf_record_iterator(bad)),
            _read_until_error(tf.io.tf_record_iterator(trunc)),
            _err(lambda: tf.io.tf_record_iterator(os.path.join(tmp, "missing"))),
            _err(lambda: list(tf.io.tf_record_iterator(tmp))),
            _read_until_error(tf.io.tf_record_iterator(
                os.path.join(DATA, "records.tfrecord"), "GZIP")),
            _err(lambda: tf.io.tf_record_iterator(bad, "BZ2"))], tmp)


def case_parse_graph(tf, tmp):
    g = tf.get_default_graph()
    x = tf.placeholder(tf.string, [])
    single = tf.parse_single_example(x, {
        "a": tf.FixedLenFeature([], tf.int64, default_value=0),
        "v": tf.VarLenFeature(tf.string),
        "s": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
        "m": tf.io.FixedLenFeature([2], tf.float32)})
    n_single = len(g.get_operations())
    y = tf.placeholder(tf.string, [None])
    batch = tf.parse_example(y, {"a": tf.FixedLenFeature([3], tf.int64, default_value=[0, 0, 0]),
                                 "v": tf.VarLenFeature(tf.string)}, name="batch")
    n_batch = len(g.get_operations())
    z = tf.placeholder(tf.string)
    unknown = tf.io.parse_single_example(z, {"a": tf.FixedLenFeature([], tf.int64)})
    shapes = {k: (v.dense_shape.shape.as_list() if hasattr(v, "dense_shape") else
                  (None if v.shape.ndims is None else v.shape.as_list()))
              for k, v in list(single.items()) + [("batch_" + k, v) for k, v in batch.items()]}
    s1 = _example(tf, a=[7], v=[b"p", b"q"], s=[1.0, 2.0, 3.0, 4.0], m=[0.5, 0.25])
    s2 = _example(tf, m=[1.0, 2.0], a=[1, 2, 3])
    with tf.Session() as sess:
        one = sess.run(single, {x: s1})
        many = sess.run(batch, {y: [s2, _example(tf, v=[b"r"])]})
        un = sess.run(unknown, {z: _example(tf, a=[4])})
        errs = [_sess_err(sess, single, {x: _example(tf, a=[1])}),
                _sess_err(sess, batch, {y: [_example(tf, a=[1])]}),
                _sess_err(sess, unknown, {z: [s1]}),
                _sess_err(sess, single, {x: b"junk"})]
    return [_ops(g, 0)[:n_single], _ops(g, n_single)[:n_batch - n_single],
            _ops(g, n_batch), shapes, _val(one), _val(many), _val(un), errs,
            sorted(single), type(single["v"]).__name__]


def case_dataset_session(tf, tmp):
    path = os.path.join(DATA, "examples.tfrecord")
    feats = {"id": tf.FixedLenFeature([], tf.int64), "xy": tf.FixedLenFeature([2], tf.float32)}
    ds = tf.data.TFRecordDataset(path).map(lambda r: tf.parse_single_example(r, feats))
    nxt = ds.make_one_shot_iterator().get_next()
    files = tf.placeholder(tf.string, [None])
    raw = tf.data.TFRecordDataset(files, compression_type="GZIP")
    it = raw.make_initializable_iterator()
    rec = it.get_next()
    got, recs = [], []
    with tf.Session() as sess:
        while True:
            try:
                got.append(sess.run(nxt))
            except tf.errors.OutOfRangeError:
                break
        sess.run(it.initializer, {files: [os.path.join(DATA, "records.gz.tfrecord")]})
        while True:
            try:
                recs.append(sess.run(rec))
            except tf.errors.OutOfRangeError:
                break
        sess.run(it.initializer, {files: [os.path.join(tmp, "missing")]})
        missing = _sess_err(sess, rec)
    return [got, recs, _tmp(missing, tmp), repr(ds.output_types), ds.output_shapes["xy"],
            tf.data.TFRecordDataset(path).output_types]


def case_v1_names(tf, tmp):
    names = ["TFRecordWriter", "TFRecordOptions", "TFRecordCompressionType",
             "tf_record_iterator"]
    return [[hasattr(tf.python_io, n) for n in names], [hasattr(tf.io, n) for n in names],
            [hasattr(tf, n) for n in ("FixedLenFeature", "VarLenFeature",
                                      "FixedLenSequenceFeature", "parse_example",
                                      "parse_single_example", "TFRecordWriter")],
            tf.python_io.TFRecordWriter is tf.io.TFRecordWriter,
            tf.FixedLenFeature is tf.io.FixedLenFeature,
            len(_records_of(os.path.join(DATA, "examples.tfrecord"))),
            np.float32(1.5).item()]


def case_sparse_through_iterators(tf, tmp):
    path = os.path.join(DATA, "examples.tfrecord")
    ds = tf.data.TFRecordDataset(path).map(lambda r: tf.parse_single_example(
        r, {"tags": tf.VarLenFeature(tf.int64), "id": tf.FixedLenFeature([], tf.int64)}))
    nxt = ds.make_one_shot_iterator().get_next()
    batched = tf.data.TFRecordDataset(path).map(lambda r: tf.parse_single_example(
        r, {"tags": tf.VarLenFeature(tf.int64)})["tags"]).batch(3)
    bnext = tf.data.make_one_shot_iterator(batched).get_next()
    got, bgot = [], []
    with tf.Session() as sess:
        for _ in range(4):
            got.append(_val(sess.run(nxt)))
        bgot = [_val(sess.run(bnext)), _val(sess.run(bnext))]
        end = _sess_err(sess, bnext)[0]
    return [got, bgot, end, type(nxt["tags"]).__name__,
            [c.__name__ for c in tf.data.get_output_classes(ds).values()],
            repr(batched.output_shapes), repr(tf.data.get_output_types(batched))]
