"""tf.data against TensorFlow 2.21: values, order, element_spec, reprs, cardinality and
errors measured with TF 2.21 and written in here (TF itself is never imported)."""
import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

D = tf.data.Dataset


@pytest.fixture(autouse=True)
def _eager(tf2):
    """Every test here is TF2 (eager) unless it asks for tf1."""
    yield
I64 = "TensorSpec(shape=(), dtype=tf.int64, name=None)"


def vals(ds):
    return list(ds.as_numpy_iterator())


@pytest.mark.parametrize("make, rep, card, values", [
    (lambda: D.from_tensor_slices([1, 2, 3]),
     "<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)>",
     3, [1, 2, 3]),
    (lambda: D.range(5), f"<_RangeDataset element_spec={I64}>", 5, [0, 1, 2, 3, 4]),
    (lambda: D.range(2, 10, 3), f"<_RangeDataset element_spec={I64}>", 3, [2, 5, 8]),
    (lambda: D.range(3).map(lambda x: x * 2), f"<_MapDataset element_spec={I64}>", 3,
     [0, 2, 4]),
    (lambda: D.range(3).map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE),
     f"<_ParallelMapDataset element_spec={I64}>", 3, [0, 2, 4]),
    (lambda: D.range(10).filter(lambda x: x % 2 == 0), f"<_FilterDataset element_spec={I64}>",
     -2, [0, 2, 4, 6, 8]),
    (lambda: D.range(10).batch(3).unbatch(), f"<_UnbatchDataset element_spec={I64}>", -2,
     list(range(10))),
    (lambda: D.range(3).repeat(2), f"<_RepeatDataset element_spec={I64}>", 6,
     [0, 1, 2, 0, 1, 2]),
    (lambda: D.range(10).take(3), f"<_TakeDataset element_spec={I64}>", 3, [0, 1, 2]),
    (lambda: D.range(10).skip(3), f"<_SkipDataset element_spec={I64}>", 7,
     [3, 4, 5, 6, 7, 8, 9]),
    (lambda: D.range(3).prefetch(1), f"<_PrefetchDataset element_spec={I64}>", 3, [0, 1, 2]),
    (lambda: D.range(3).cache(), f"<CacheDataset element_spec={I64}>", 3, [0, 1, 2]),
    (lambda: D.range(3).concatenate(D.range(2)), f"<_ConcatenateDataset element_spec={I64}>",
     5, [0, 1, 2, 0, 1]),
    (lambda: D.range(10).filter(lambda x: x > 2).take(2),
     f"<_TakeDataset element_spec={I64}>", -2, [3, 4]),
    (lambda: D.range(3).shuffle(3), f"<_ShuffleDataset element_spec={I64}>", 3, None),
    (lambda: D.range(3).apply(lambda d: d.map(lambda x: x + 1)),
     f"<_MapDataset element_spec={I64}>", 3, [1, 2, 3]),
])
def test_scalar_datasets(make, rep, card, values):
    ds = make()
    assert repr(ds) == rep
    assert int(ds.cardinality()) == card
    if values is not None:
        got = vals(ds)
        assert got == values
        assert all(isinstance(v, np.generic) for v in got)
    else:
        assert sorted(vals(ds)) == [0, 1, 2]


def test_structures_and_specs():
    ds = D.from_tensor_slices(np.arange(6.).reshape(3, 2))
    assert repr(ds.element_spec) == "TensorSpec(shape=(2,), dtype=tf.float64, name=None)"
    np.testing.assert_array_equal(vals(ds)[2], [4., 5.])
    ds = D.from_tensor_slices((np.arange(3), np.array([1., 2., 3.], np.float32)))
    assert repr(ds.element_spec) == (
        "(TensorSpec(shape=(), dtype=tf.int64, name=None), "
        "TensorSpec(shape=(), dtype=tf.float32, name=None))")
    assert vals(ds)[1] == (1, 2.0)
    ds = D.from_tensor_slices({"b": [1, 2], "a": [[1.], [2.]]})
    assert repr(ds) == (
        "<_TensorSliceDataset element_spec={'b': TensorSpec(shape=(), dtype=tf.int32, "
        "name=None), 'a': TensorSpec(shape=(1,), dtype=tf.float32, name=None)}>")
    first = vals(ds)[0]
    assert list(first) == ["b", "a"] and first["b"] == 1
    ds = D.from_tensors([1, 2, 3])
    assert repr(ds) == ("<_TensorDataset element_spec=TensorSpec(shape=(3,), dtype=tf.int32, "
                        "name=None)>")
    assert int(ds.cardinality()) == 1
    z = D.zip(D.range(3), D.range(5))
    assert repr(z) == f"<_ZipDataset element_spec=({I64}, {I64})>"
    assert vals(z) == [(0, 0), (1, 1), (2, 2)] and int(z.cardinality()) == 3
    assert vals(D.zip((D.range(3), D.range(5)))) == vals(z)
    e = D.range(3).enumerate()
    assert repr(e) == f"<_ZipDataset element_spec=({I64}, {I64})>"
    assert vals(e) == [(0, 0), (1, 1), (2, 2)]
    m = D.range(3).map(lambda x: (x, tf.cast(x, tf.float32)))
    assert repr(m.element_spec) == (f"({I64}, TensorSpec(shape=(), dtype=tf.float32, "
                                    f"name=None))")
    assert vals(m)[2] == (2, 2.0)


def test_batching():
    b = D.range(10).batch(3)
    assert repr(b) == ("<_BatchDataset element_spec=TensorSpec(shape=(None,), dtype=tf.int64, "
                       "name=None)>")
    assert int(b.cardinality()) == 4
    assert [v.tolist() for v in vals(b)] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    b = D.range(10).batch(3, drop_remainder=True)
    assert repr(b.element_spec) == "TensorSpec(shape=(3,), dtype=tf.int64, name=None)"
    assert int(b.cardinality()) == 3 and len(vals(b)) == 3
    p = D.range(4).map(lambda x: tf.fill([x], x)).padded_batch(2)
    assert repr(p) == ("<_PaddedBatchDataset element_spec=TensorSpec(shape=(None, None), "
                       "dtype=tf.int64, name=None)>")
    assert [v.tolist() for v in vals(p)] == [[[0], [1]], [[2, 2, 0], [3, 3, 3]]]
    with pytest.raises(errors.InvalidArgumentError, match="Batch size must be greater than "
                                                          "zero"):
        D.range(3).batch(0)


def test_cardinality_and_len():
    assert tf.data.AUTOTUNE == -1
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2
    assert repr(D.range(3).cardinality()) == "<tf.Tensor: shape=(), dtype=int64, numpy=3>"
    assert int(tf.data.experimental.cardinality(D.range(3))) == 3
    assert int(D.range(3).repeat().cardinality()) == -1
    assert int(D.range(3).repeat().take(5).cardinality()) == 5
    assert int(D.range(3).repeat().skip(5).cardinality()) == -1
    assert len(D.range(3)) == 3
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(D.range(3).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(D.range(3).filter(lambda x: True))


def test_iteration_and_reduce():
    it = iter(D.range(2))
    assert repr(next(it)) == "<tf.Tensor: shape=(), dtype=int64, numpy=0>"
    next(it)
    with pytest.raises(StopIteration):
        next(it)
    rows = [x for x in D.from_tensor_slices((np.arange(2), [3, 4]))]
    assert repr(rows[1]) == ("(<tf.Tensor: shape=(), dtype=int64, numpy=1>, "
                             "<tf.Tensor: shape=(), dtype=int32, numpy=4>)")
    r = D.range(4).reduce(np.int64(0), lambda s, x: s + x)
    assert repr(r) == "<tf.Tensor: shape=(), dtype=int64, numpy=6>"
    # int32 state + int64 element: TF's TypeError; tfteach's graph building says ValueError
    with pytest.raises((TypeError, ValueError)):
        D.range(4).reduce(0, lambda s, x: s + x)


def test_map_is_traced_once():
    calls = []
    ds = D.range(3).map(lambda x: (calls.append(1), x)[1])
    assert vals(ds) == [0, 1, 2] and vals(ds) == [0, 1, 2]
    assert len(calls) == 1


def test_errors():
    with pytest.raises(ValueError, match=r"Invalid `predicate`. `predicate` must return a "
                                         r"`tf.bool` scalar tensor, but its return type is "
                                         r"TensorSpec\(shape=\(\), dtype=tf.int64"):
        D.range(3).filter(lambda x: x)
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        D.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(TypeError, match="Invalid input to `zip`. Inputs are expected to be "
                                        r"\(nested\) structures of `tf.data.Dataset` objects "
                                        "but encountered object of type <class 'int'>."):
        D.zip(D.range(3), 5)
    with pytest.raises(errors.InvalidArgumentError, match="buffer_size must be greater than "
                                                          "zero or UNKNOWN_CARDINALITY"):
        D.range(3).shuffle(0)
    with pytest.raises(NotImplementedError, match="filename"):
        D.range(3).cache("/tmp/x")


def test_iterating_inside_tf_function():
    # AutoGraph makes the loop a graph loop (tests/test_autograph.py); without it, a
    # clear error
    def f(ds):
        s = tf.constant(0, tf.int64)
        for x in ds:
            s += x
        return s

    assert int(tf.function(f)(D.range(4))) == 6
    with pytest.raises(RuntimeError, match="AutoGraph"):
        tf.function(f, autograph=False)(D.range(4))


def test_shuffle():
    # buffer 1 is no shuffle at all; a small buffer only moves elements a short way
    assert vals(D.range(10).shuffle(1)) == list(range(10))
    out = vals(D.range(100).shuffle(2, seed=7))
    assert sorted(out) == list(range(100))
    assert all(out[i] <= i + 1 for i in range(100))     # never ahead by more than the buffer
    # seeds make it reproducible, reshuffle_each_iteration gives each pass a new order
    a = D.range(20).shuffle(20, seed=4, reshuffle_each_iteration=False)
    assert vals(a) == vals(a)
    b = D.range(20).shuffle(20, seed=4)
    first, second = vals(b), vals(b)
    assert first != second
    assert vals(D.range(20).shuffle(20, seed=4)) == first
    tf.random.set_seed(3)
    c1 = vals(D.range(20).shuffle(20))
    tf.random.set_seed(3)
    assert vals(D.range(20).shuffle(20)) == c1


def test_keras_fit_with_datasets():
    keras = tf.keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([1., -2., .5], "float32"))[:, None]
    ds = D.from_tensor_slices((x, y)).batch(16)
    m = keras.Sequential([keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = m.fit(ds, epochs=3, validation_data=ds, verbose=0)
    assert sorted(h.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert h.history["loss"][-1] < h.history["loss"][0]
    loss, mae = m.evaluate(ds, verbose=0)
    np.testing.assert_allclose(loss, m.evaluate(x, y, batch_size=16, verbose=0)[0],
                               rtol=1e-5)
    assert m.predict(ds, verbose=0).shape == (64, 1)
    np.testing.assert_allclose(m.predict(ds.map(lambda a, b: a), verbose=0),
                               m.predict(x, verbose=0), rtol=1e-6)
    h = m.fit(ds.repeat(), epochs=2, steps_per_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 2
    with pytest.raises(ValueError, match="steps_per_epoch"):
        m.fit(ds.repeat(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`y` should not be passed"):
        m.fit(ds, y, verbose=0)


def test_v1_one_shot_iterator(tf1):
    v1 = tf1
    g = v1.get_default_graph()
    if True:
        ds = v1.data.Dataset.range(3)
        assert repr(ds) == f"<_RangeDataset element_spec={I64}>"
        it = ds.map(lambda x: x * 2).make_one_shot_iterator()
        nx = it.get_next()
        assert repr(nx) == "<tf.Tensor 'IteratorGetNext:0' shape=() dtype=int64>"
        n2 = v1.data.make_one_shot_iterator(
            v1.data.Dataset.from_tensor_slices(([1, 2], [3., 4.]))).get_next()
        assert [t.name for t in n2] == ["IteratorGetNext_1:0", "IteratorGetNext_1:1"]
        assert [op.type for op in g.get_operations()] == [
            "OneShotIterator", "IteratorGetNext", "OneShotIterator", "IteratorGetNext"]
        with v1.Session() as s:
            assert [s.run(nx) for _ in range(3)] == [0, 2, 4]
            with pytest.raises(errors.OutOfRangeError, match="End of sequence"):
                s.run(nx)
            assert s.run(n2) == (1, 3.0)
        with v1.Session() as s:     # each session starts the dataset afresh
            assert s.run(nx) == 0
    assert not hasattr(D, "make_one_shot_iterator")
