"""TFRecord files and tf.train.Example: the protos, TFRecordWriter / tf_record_iterator,
TFRecordDataset, tf.data.experimental.TFRecordWriter and the parsing ops, pinned to
TensorFlow 2.21.

The recorded cases (tests/cases_tfrecord.py, tests/cases_tfrecord_v1.py, recorded by
tools/record_tfrecord.py into tests/data/tf_tfrecord*.json) run the code TF ran and compare
values, file bytes, op names and errors. The files under tests/data/tfrecord were written
by TF: reading them checks that tfteach reads TF's files; the bytes tfteach writes are
compared with the bytes TF wrote for the same records, so TF reads tfteach's files.
"""
import os
import struct
import zlib

import numpy as np
import pytest

import tfcases
from cases_tfrecord import DATA

pytestmark = pytest.mark.mode("both")

V2 = tfcases.load_cases("tfrecord")
V1 = tfcases.load_cases("tfrecord_v1")
REC_V2 = tfcases.recorded("tfrecord")["cases"]
REC_V1 = tfcases.recorded("tfrecord_v1")["cases"]


def test_every_case_was_recorded():
    assert sorted(REC_V2) == tfcases.case_names(V2)
    assert sorted(REC_V1) == tfcases.case_names(V1)


@pytest.mark.parametrize("name", tfcases.case_names(V2))
def test_v2(tf2, tmp_path, name):
    got = tfcases.normalize(getattr(V2, "case_" + name)(tf2, str(tmp_path)))
    tfcases.compare(got, REC_V2[name], rtol=0, atol=0)


@pytest.mark.parametrize("name", tfcases.case_names(V1))
def test_v1(tf1, tmp_path, name):
    got = tfcases.normalize(getattr(V1, "case_" + name)(tf1, str(tmp_path)))
    tfcases.compare(got, REC_V1[name], rtol=0, atol=0)


# --- the framing, derived by hand ------------------------------------------------------------

def _masked_crc(data):
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) computed bit by bit, masked as
    TF masks it: rotated right by 15 bits plus 0xa282ead8."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def test_a_record_is_length_crc_data_crc(tf2, tmp_path):
    path = str(tmp_path / "one")
    with tf2.io.TFRecordWriter(path) as w:
        w.write(b"abc")
    head = struct.pack("<Q", 3)
    assert open(path, "rb").read() == (head + struct.pack("<I", _masked_crc(head)) + b"abc" +
                                       struct.pack("<I", _masked_crc(b"abc")))
    # CRC-32C's check value ("123456789" -> 0xE3069283), masked
    c = 0xE3069283
    assert _masked_crc(b"123456789") == (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def test_compressed_files_are_a_zlib_stream_of_the_framing(tf2, tmp_path):
    for opt, wbits in (("GZIP", 31), ("ZLIB", 15)):
        path = str(tmp_path / opt)
        with tf2.io.TFRecordWriter(path, opt) as w:
            w.write(b"payload")
        raw = zlib.decompress(open(path, "rb").read(), wbits)
        head = struct.pack("<Q", 7)
        assert raw == head + struct.pack("<I", _masked_crc(head)) + b"payload" + \
            struct.pack("<I", _masked_crc(b"payload"))


def test_event_file_reader_shares_the_framing(tmp_path):
    """viz/events.py follows a file still being written: it stops quietly at a record cut
    short, and carries on from the offset it reached."""
    from tfteach.kernels.tfrecord import frame
    from tfteach.viz.events import iter_records
    path = tmp_path / "events"
    path.write_bytes(frame(b"one") + frame(b"two")[:-3])
    got = list(iter_records(str(path)))
    assert [r for r, _ in got] == [b"one"] and got[0][1] == 19
    path.write_bytes(frame(b"one") + frame(b"two"))
    assert [r for r, _ in iter_records(str(path), got[0][1])] == [b"two"]


# --- what the recordings cannot show -------------------------------------------------------

def test_parse_example_runs_in_a_v1_session_fed_from_a_dataset(tf1):
    feats = {"id": tf1.FixedLenFeature([], tf1.int64),
             "tags": tf1.VarLenFeature(tf1.int64)}
    ds = tf1.data.TFRecordDataset(os.path.join(DATA, "examples.tfrecord")).batch(4)
    batch = ds.make_one_shot_iterator().get_next()
    parsed = tf1.parse_example(batch, feats)
    total = tf1.reduce_sum(parsed["id"]) + tf1.sparse.reduce_sum(parsed["tags"])
    with tf1.Session() as sess:
        assert sess.run(total) == (1 + 2 + 3 + 4) + (3 + 1 + 4 + 9)


def test_tfrecord_dataset_from_a_fed_filename(tf1, tmp_path):
    path = str(tmp_path / "r")
    with tf1.python_io.TFRecordWriter(path) as w:
        for i in range(3):
            w.write(str(i))
    name = tf1.placeholder(tf1.string, [])
    it = tf1.data.TFRecordDataset(name).make_initializable_iterator()
    nxt = it.get_next()
    with tf1.Session() as sess:
        sess.run(it.initializer, {name: path})
        assert [sess.run(nxt) for _ in range(3)] == [b"0", b"1", b"2"]
        with pytest.raises(tf1.errors.OutOfRangeError):
            sess.run(nxt)


def test_data_experimental_writer_in_a_graph_writes_when_run(tf1, tmp_path):
    path = str(tmp_path / "w")
    ds = tf1.data.Dataset.from_tensor_slices([b"a", b"bc"])
    op = tf1.data.experimental.TFRecordWriter(path).write(ds)
    assert op.type == "DatasetToTFRecord" and not os.path.exists(path)
    with tf1.Session() as sess:
        sess.run(op)
    assert list(tf1.io.tf_record_iterator(path)) == [b"a", b"bc"]


def test_unknown_compression_reads_uncompressed_and_says_so(tf2, caplog):
    ds = tf2.data.TFRecordDataset(os.path.join(DATA, "shard-1.tfrecord"), "BZ2")
    with caplog.at_level("ERROR", logger="tfteach"):
        assert [r.numpy() for r in ds] == [b"b0"]
    assert "Unsupported compression_type:BZ2. No compression will be used." in caplog.text


def test_compression_settings_zlib_refuses_are_an_error_not_a_crash(tf2, tmp_path):
    """TF stops the process when deflateInit refuses its settings; tfteach raises."""
    bad = tf2.io.TFRecordOptions("GZIP", compression_level=12)
    with pytest.raises(tf2.errors.InvalidArgumentError, match="deflateInit failed"):
        tf2.io.TFRecordWriter(str(tmp_path / "x"), bad)
    with pytest.raises(tf2.errors.InvalidArgumentError, match="output_buffer_bytes"):
        tf2.io.TFRecordWriter(str(tmp_path / "y"), tf2.io.TFRecordOptions(
            "ZLIB", output_buffer_size=1))


def test_formats_extra_is_named_when_protobuf_is_missing(monkeypatch):
    import builtins
    from tfteach.train import example_pb
    real = builtins.__import__

    def no_protobuf(name, *args, **kwargs):
        if name.startswith("google.protobuf"):
            raise ImportError(name)
        return real(name, *args, **kwargs)
    monkeypatch.setattr(example_pb, "_MESSAGES", [])
    monkeypatch.setattr(builtins, "__import__", no_protobuf)
    with pytest.raises(ImportError, match=r"pip install 'tfteach\[formats\]'"):
        example_pb.messages()


def test_examples_parse_inside_a_tf_function_loop(tf2):
    feats = {"xy": tf2.io.FixedLenFeature([2], tf2.float32)}
    ds = tf2.data.TFRecordDataset(os.path.join(DATA, "examples.tfrecord"))

    @tf2.function
    def total(ds):
        s = tf2.constant(0.0)
        for r in ds:
            s += tf2.reduce_sum(tf2.io.parse_single_example(r, feats)["xy"])
        return s
    assert float(total(ds)) == pytest.approx(0.5 + 1.5 + 2.5 + 3.5 + 4.5 + 5.5 + 6.5 + 7.5)


def test_names_in_both_namespaces(tf1, tf2):
    import tfteach
    v1 = tfteach.compat.v1
    assert v1.python_io.TFRecordWriter is tfteach.io.TFRecordWriter
    assert v1.io.tf_record_iterator is v1.python_io.tf_record_iterator
    assert v1.train.Example is tfteach.train.Example
    assert tfteach.io.parse_example is not v1.io.parse_example     # argument orders differ
    assert not hasattr(tfteach.io, "TFRecordCompressionType")     # TF1 only
    assert np.asarray(v1.io.TFRecordCompressionType.GZIP) == 2
