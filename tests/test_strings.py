"""String tensors as TF 2.21: tf.strings.*, tf.as_string, `+` (TF's Add), reprs, errors and
op names, replayed from tools/record_kinds.py's recording; strings fed and fetched in TF1
sessions; ReadFile/WriteFile."""
import numpy as np
import pytest

import kinds_oracle

pytestmark = pytest.mark.mode("both")


@pytest.mark.parametrize("name", kinds_oracle.names("strings"))
def test_as_tf(tf2, name):
    kinds_oracle.check("strings", name)


def test_strings_through_a_session_with_a_fed_placeholder(tf1):
    names = tf1.placeholder(tf1.string, [None])
    greeting = tf1.strings.join(["hello", names], separator=", ") + "!"
    n = tf1.strings.length(names)
    assert greeting.op.type == "Add"
    with tf1.Session() as sess:
        g, k = sess.run([greeting, n], {names: ["ann", "bob"]})
    assert g.tolist() == [b"hello, ann!", b"hello, bob!"]
    assert k.tolist() == [3, 3]


def test_as_string_and_to_number_round_trip_in_a_graph(tf1):
    x = tf1.constant([1.25, -3.5], tf1.float64)
    back = tf1.strings.to_number(tf1.as_string(x, precision=3), out_type=tf1.float64)
    with tf1.Session() as sess:
        np.testing.assert_array_equal(sess.run(back), [1.25, -3.5])


def test_write_file_then_read_file(tf1, tmp_path):
    path = str(tmp_path / "sub" / "out.txt")          # WriteFile creates the directory
    contents = tf1.placeholder(tf1.string, [])
    write = tf1.io.write_file(path, contents)
    read = tf1.io.read_file(path)
    assert write.type == "WriteFile" and read.op.type == "ReadFile"
    with tf1.Session() as sess:
        sess.run(write, {contents: "first"})
        assert sess.run(read) == b"first"
        sess.run(write, {contents: "second"})
        assert sess.run(read) == b"second"          # stateful: read again at every run


def test_eager_write_file_returns_none_and_read_file_reads_bytes(tf2, tmp_path):
    path = str(tmp_path / "x.bin")
    assert tf2.io.write_file(path, b"\x00\xffab") is None
    got = tf2.io.read_file(path)
    assert got.dtype == tf2.string and got.numpy() == b"\x00\xffab"


def test_tf_print_still_formats_through_string_format(tf2, capsys):
    import sys

    @tf2.function
    def f(x):
        tf2.print("x:", x, output_stream=sys.stdout)
        return x
    f(tf2.constant([1.5, 2.0]))
    assert capsys.readouterr().out == "x: [1.5 2]\n"
