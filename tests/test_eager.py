"""Eager tensors, eager op execution and TF2 variables (behaviour pinned against TF 2.21)."""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("v2")


def test_reprs_match_tf(tf2):
    tf = tf2
    assert repr(tf.constant(0.1)) == "<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>"
    assert str(tf.constant(0.1)) == "tf.Tensor(0.1, shape=(), dtype=float32)"
    assert str(tf.constant([1, 2, 3])) == "tf.Tensor([1 2 3], shape=(3,), dtype=int32)"
    assert str(tf.constant([[1, 2, 3], [4, 5, 6]])) == \
        "tf.Tensor(\n[[1 2 3]\n [4 5 6]], shape=(2, 3), dtype=int32)"
    assert repr(tf.constant([[6], [9]])) == ("<tf.Tensor: shape=(2, 1), dtype=int32, numpy=\n"
                                             "array([[6],\n       [9]], dtype=int32)>")
    big = tf.constant(np.arange(2000.))
    assert repr(big).endswith("1.999e+03], shape=(2000,))>")
    assert str(big) == ("tf.Tensor([0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 "
                        "1.999e+03], shape=(2000,), dtype=float64)")
    assert repr(tf.constant("ab")) == "<tf.Tensor: shape=(), dtype=string, numpy=b'ab'>"
    assert repr(tf.constant([True, False])) == \
        "<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>"
    assert "{}".format(tf.constant(0)) == "0"
    assert "{:.2f}".format(tf.constant(1.234)) == "1.23"


def test_properties_and_numpy_interop(tf2):
    tf = tf2
    t = tf.ones([2, 3, 6])
    assert isinstance(t, tf.Tensor)
    assert t.shape == tf.TensorShape([2, 3, 6]) and t.shape[1] == 3 and t.ndim == 3
    assert t.dtype == tf.float32
    # the default device: the CPU, or the GPU when one is present (the simulator's rerun)
    default = "GPU:0" if tf.config.list_physical_devices("GPU") else "CPU:0"
    assert t.device.endswith("device:" + default)
    assert np.asarray(t).dtype == np.float32
    assert type(tf.rank(t).numpy()).__name__ == "int32"
    assert float(tf.constant(0.1)) == pytest.approx(0.1)
    assert int(tf.constant(3.7)) == 3
    assert [1, 2, 3][tf.constant(1)] == 2
    assert len(tf.constant([1, 2])) == 2
    assert [int(v) for v in tf.constant([4, 5])] == [4, 5]
    with pytest.raises(TypeError, match="Scalar tensor has no"):
        len(tf.constant(1.0))
    with pytest.raises(TypeError, match="unhashable. Instead, use tensor.ref"):
        hash(t)
    assert {t.ref(): 1}[t.ref()] == 1 and t.ref().deref() is t
    # arrays go in, and are copied: later changes to the array do not reach the tensor
    a = np.array([1.0, 2.0])
    c = tf.constant(a) + 0
    a[0] = 9
    assert c.numpy().tolist() == [1.0, 2.0]
    assert (tf.constant([1, 2]) + np.array([1, 1], np.int32)).numpy().tolist() == [2, 3]


def test_dtype_rules(tf2):
    tf = tf2
    a, i = tf.constant(1.5), tf.constant(2)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"cannot compute AddV2 as input #1\(zero-based\) was expected to be "
                             r"a float tensor but is a int32 tensor \[Op:AddV2\]"):
        tf.add(a, i)
    with pytest.raises(errors.InvalidArgumentError, match="expected to be a int32 tensor but "
                                                          "is a float tensor"):
        tf.add(1, 2.5)
    with pytest.raises(errors.InvalidArgumentError):
        a + i
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        2.5 + i
    assert tf.add(a, 2).dtype == tf.float32          # later Python values take the dtype
    assert tf.add(a, np.float64(1.0)).dtype == tf.float32
    assert tf.constant(np.arange(3)).dtype == tf.int64
    assert (i / i).dtype == tf.float64
    assert tf.reduce_mean(tf.constant([1, 2])).numpy() == 1


def test_kernel_errors_name_the_op(tf2):
    tf = tf2
    with pytest.raises(errors.InvalidArgumentError, match=r"\[Op:MatMul\]"):
        tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
    with pytest.raises(errors.InvalidArgumentError, match="Integer division by zero"):
        tf.constant([1, 2]) // tf.constant([0, 1])


def test_indexing_and_equality(tf2):
    tf = tf2
    x = tf.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert x[0, -1].numpy() == 3 and type(x[0, -1].numpy()).__name__ == "int32"
    assert x[1:, 2:].numpy().tolist() == [[6], [9]]
    assert x[..., None].shape == (3, 3, 1)
    eq = tf.constant([1, 2]) == tf.constant([1, 3])
    assert eq.numpy().tolist() == [True, False]
    assert (tf.constant([1, 2]) == None) is False  # noqa: E711 - TF's behaviour
    with pytest.raises(TypeError, match="Cannot convert 'a' to EagerTensor of dtype int32"):
        tf.constant([1, 2]) == "a"


def test_variables(tf2):
    tf = tf2
    v = tf.Variable(1.0)
    assert v.name == "Variable:0" and tf.Variable(2.0).name == "Variable:0"
    assert tf.Variable(2.0, name="a").name == "a:0"
    assert repr(v) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"
    assert repr(tf.Variable([[1, 2], [3, 4]])) == (
        "<tf.Variable 'Variable:0' shape=(2, 2) dtype=int32, numpy=\narray([[1, 2],\n"
        "       [3, 4]], dtype=int32)>")
    assert (v + 1).numpy() == 2.0
    v.assign_add(1.0)
    assert v.numpy() == 2.0
    r = v.read_value()
    v.assign(5)                     # Python ints take the variable's dtype
    assert r.numpy() == 2.0 and v.numpy() == 5.0    # reads are snapshots
    v.assign_sub(tf.constant(1.0))
    assert float(v) == 4.0 and isinstance(v.value(), tf.Tensor)
    assert v.trainable and not tf.Variable(1.0, trainable=False).trainable
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0])
    with pytest.raises(TypeError, match="Cannot convert 's' to EagerTensor of dtype float"):
        v.assign("s")
    with pytest.raises(TypeError, match="Variable is unhashable"):
        hash(v)
    assert tf.Variable(1.0, dtype=tf.float64).dtype == tf.float64
    assert str(tf.Variable([1, 2], shape=tf.TensorShape(None)).shape) == "<unknown>"
    assert tf.matmul(tf.Variable([[1.0, 2.0]]), tf.constant([[1.0], [1.0]])).numpy() == 3.0
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            assert tf.Variable(0.0, name="w").name == "outer/inner/w:0"


def test_name_scope_device_config(tf2):
    tf = tf2
    with tf.name_scope("a") as s:
        assert s == "a/" and tf.get_current_name_scope() == "a"
    with tf.device("/CPU:0"):
        assert tf.add(1.0, 2.0).numpy() == 3.0
    assert tf.executing_eagerly()
    cpus = tf.config.list_physical_devices("CPU")
    assert repr(cpus[0]) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"


def test_tf2_namespace_drops_tf1_names(tf2):
    tf = tf2
    for name in ("Session", "placeholder", "ConfigProto", "contrib", "enable_eager_execution",
                 "get_variable", "global_variables_initializer", "random_uniform"):
        assert not hasattr(tf, name), name
    assert not hasattr(tf.train, "AdamOptimizer")
    assert tf.compat.v1.placeholder is not None
    assert tf.math.reduce_sum is tf.reduce_sum
    assert tf.random.uniform([2, 3]).shape == (2, 3)
    assert tf.one_hot([0, 2], 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]


def test_random_seed_repeats(tf2):
    tf = tf2
    tf.random.set_seed(3)
    a = tf.random.uniform([3]).numpy()
    tf.random.set_seed(3)
    b = tf.random.uniform([3]).numpy()
    assert a.tolist() == b.tolist()


def test_import_is_light():
    """Without a GPU (a simulated one is one: its rerun of this file drops it here)."""
    import os
    import subprocess
    import sys
    code = ("import sys, tfteach as tf; assert 'numba' not in sys.modules, 'numba imported'; "
            "tf.constant(1.0); assert 'numba' not in sys.modules")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       cwd=os.path.dirname(os.path.dirname(__file__)))
    assert r.returncode == 0, r.stderr


def test_error_texts_and_unread_variable(tf2):
    tf = tf2
    with pytest.raises(errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]"):
        tf.ones([2]) + tf.ones([3])
    with pytest.raises(errors.InvalidArgumentError,
                       match="Value for attr 'T' of int32 is not in the list of allowed"):
        tf.sqrt(tf.constant(4))
    v = tf.Variable(1.0)
    r = v.assign(2.0)
    assert repr(r) == "<tf.Variable 'UnreadVariable' shape=() dtype=float32, numpy=2.0>"
    v.assign(3.0)
    assert r.numpy() == 3.0                  # reads the variable when used
    assert tf.is_tensor(v) and not tf.is_tensor(np.ones(1))


def test_nest(tf2):
    tf = tf2
    s = {"b": [1, (2, 3)], "a": None}
    assert tf.nest.flatten(s) == [None, 1, 2, 3]
    assert tf.nest.map_structure(lambda x: x, s) == s
    assert tf.nest.pack_sequence_as(s, [0, 1, 2, 3]) == {"b": [1, (2, 3)], "a": 0}
    with pytest.raises(ValueError):
        tf.nest.assert_same_structure([1, 2], [1])


def test_every_tf2_name_resolves_or_is_an_attribute_error():
    """hasattr(tf, name) must work for every name TF 2.21 has: a name tfteach lacks raises
    AttributeError saying so, never ImportError or anything else."""
    import tfteach
    from tfteach.eager import _tf2_names as N
    missing = []
    for name in sorted(N.TOP | N.TOP_MODULES):
        try:
            getattr(tfteach, name)
        except AttributeError as e:
            assert "does not implement it yet" in str(e), (name, str(e))
            missing.append(name)
    assert "data" not in missing and "function" not in missing


def test_inputs_sharing_a_type_take_the_first_tensors_dtype(tf2):
    """TF 2.21's eager ops convert Python values to the dtype of the first tensor among the
    inputs that share a type attr (args_to_matching_eager); add_n converts each input on its
    own first, so there the mix is the op's error (values and messages recorded from TF)."""
    tf = tf2
    got = tf.concat([[1.0], tf.constant([2.0], tf.float64)], 0)
    assert got.dtype == tf.float64 and got.numpy().tolist() == [1.0, 2.0]
    got = tf.stack([1, tf.constant(2.0)])
    assert got.dtype == tf.float32 and got.numpy().tolist() == [1.0, 2.0]
    with pytest.raises(errors.InvalidArgumentError, match=r"^cannot compute AddN as input "
                       r"#1\(zero-based\) was expected to be a float tensor but is a double "
                       r"tensor \[Op:AddN\] name: $"):
        tf.add_n([[1.0], tf.constant([2.0], tf.float64)])
    assert tf.add_n([[1.0], tf.constant([2.0])]).numpy().tolist() == [3.0]
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match=r"^Tensors in list passed to 'inputs' of 'AddN' Op "
                           r"have types \[float32, float64\] that don't all match\.$"):
            tf.add_n([[1.0], tf.constant([2.0], tf.float64)])
