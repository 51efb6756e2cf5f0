"""TF2 odds and ends the guides use, against TF 2.21's recorded behaviour: graph traces in
event files (tf.summary.trace_on/trace_export), logical CPUs (tf.config), keras.utils."""
import os
import struct

import numpy as np
import pytest

from tfteach.runtime import devices as _devices

pytestmark = pytest.mark.mode("v2")


def _events(logdir):
    from tensorboardX.proto import event_pb2
    out = []
    for name in sorted(os.listdir(logdir)):
        data = open(os.path.join(logdir, name), "rb").read()
        i = 0
        while i < len(data):
            n = struct.unpack("<Q", data[i:i + 8])[0]
            ev = event_pb2.Event()
            ev.ParseFromString(data[i + 12:i + 12 + n])
            out.append(ev)
            i += 12 + n + 4
    return out


def _fields(buf):
    """(field number, payload) of the length-delimited fields of a protobuf message."""
    out, i = [], 0
    while i < len(buf):
        key, i = _varint(buf, i)
        assert key & 7 == 2, "only length-delimited fields expected"
        n, i = _varint(buf, i)
        out.append((key >> 3, buf[i:i + n]))
        i += n
    return out


def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def test_trace_export_writes_the_function_graph(tf2, tmp_path):
    pytest.importorskip("tensorboardX")
    from tensorboardX.proto import graph_pb2
    tf = tf2
    writer = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def f(a):
        return tf.nn.relu(tf.matmul(a, a))

    with pytest.raises(ValueError, match="Must enable trace before export through "
                                         "tf.summary.trace_on."):
        tf.summary.trace_export("early")
    tf.summary.trace_on(graph=True, profiler=False)
    f(tf.ones((2, 2)))
    f(tf.ones((2, 2)))      # the same graph again: recorded once
    with writer.as_default():
        assert tf.summary.trace_export(name="my_trace", step=0) is None
    writer.flush()
    writer.close()
    summaries = [e for e in _events(str(tmp_path)) if e.HasField("summary")]
    # TF 2.21: one summary, tag "my_trace", plugin graph_run_metadata_graph, content b"1"
    (ev,) = summaries
    (v,) = ev.summary.value
    assert (ev.step, v.tag, v.metadata.plugin_data.plugin_name,
            v.metadata.plugin_data.content) == (0, "my_trace", "graph_run_metadata_graph", b"1")
    (run_metadata,) = v.tensor.string_val
    (fg,) = _fields(run_metadata)
    assert fg[0] == 4      # RunMetadata.function_graphs
    (pre,) = _fields(fg[1])
    assert pre[0] == 2     # FunctionGraphs.pre_optimization_graph
    gd = graph_pb2.GraphDef()
    gd.ParseFromString(pre[1])
    assert {"MatMul", "Relu"} <= {n.op for n in gd.node}
    # tracing stopped with the export
    with pytest.raises(ValueError):
        tf.summary.trace_export("again")
    with pytest.raises(NotImplementedError, match="profiler"):
        tf.summary.trace_on(profiler=True)


@pytest.fixture
def fresh_logical_devices():
    saved = dict(_devices._logical)
    _devices._logical.update(CPU=None, initialized=False)
    yield
    _devices._logical.clear()
    _devices._logical.update(saved)


def test_logical_cpus(tf2, fresh_logical_devices):
    tf = tf2
    (cpu,) = tf.config.list_physical_devices("CPU")
    _devices._logical["initialized"] = False
    assert tf.config.get_logical_device_configuration(cpu) is None
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    assert repr(tf.config.list_logical_devices("CPU")) == (
        "[LogicalDevice(name='/device:CPU:0', device_type='CPU'), "
        "LogicalDevice(name='/device:CPU:1', device_type='CPU')]")
    assert repr(tf.config.get_logical_device_configuration(cpu)) == (
        "[LogicalDeviceConfiguration(memory_limit=None, experimental_priority=None, "
        "experimental_device_ordinal=None), LogicalDeviceConfiguration(memory_limit=None, "
        "experimental_priority=None, experimental_device_ordinal=None)]")
    with tf.device("/CPU:1"):
        x = tf.constant(1.0) + 1
    assert x.device == "/job:localhost/replica:0/task:0/device:CPU:1"
    with tf.device("/CPU:5"):      # past the logical CPUs: soft placement on CPU:0 (TF)
        y = tf.constant(1.0) + 1
    assert y.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    with pytest.raises(RuntimeError, match="Virtual devices cannot be modified after being "
                                           "initialized"):
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()])
    assert tf.config.experimental.set_virtual_device_configuration is not None
    assert tf.config.experimental.VirtualDeviceConfiguration is \
        tf.config.LogicalDeviceConfiguration


def test_logical_cpus_experimental_spelling(tf2, fresh_logical_devices):
    tf = tf2
    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.experimental.set_virtual_device_configuration(
        cpu, [tf.config.experimental.VirtualDeviceConfiguration()] * 3)
    assert [d.name for d in tf.config.list_logical_devices()] == [
        "/device:CPU:0", "/device:CPU:1", "/device:CPU:2"]


def test_keras_utils(tf2, tmp_path):
    u = tf2.keras.utils
    np.testing.assert_array_equal(u.to_categorical([0, 2, 1]),
                                  [[1., 0, 0], [0, 0, 1], [0, 1, 0]])
    assert u.to_categorical([[1], [0]], 3).dtype == np.float64
    np.testing.assert_allclose(u.normalize(np.array([[3., 4.], [0., 0.]])),
                               [[0.6, 0.8], [0., 0.]])
    np.testing.assert_allclose(u.normalize(np.array([[3., 4.]]), order=1),
                               [[0.42857143, 0.57142857]])
    model = tf2.keras.Sequential([tf2.keras.Input((2,)), tf2.keras.layers.Dense(1)])
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"You must install pydot \(`pip install "
                                              r"pydot`\) for `plot_model` to work."):
            u.plot_model(model, to_file=str(tmp_path / "m.png"))
    else:
        dot = u.model_to_dot(model)
        assert len(dot.get_nodes()) == 1
