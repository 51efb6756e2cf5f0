"""TF2 tf.data sources and transformations (see tests/tfcases.py)."""
import gzip
import os
import re

MODE = "v2"


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        msg = getattr(e, "message", str(e))
        # the message without TF's function-node prefix and op suffix
        lines = [re.sub(r"\{\{.*?\}\}\s*", "", ln).split(" [Op:")[0].strip()
                 for ln in msg.splitlines() if "TypeError: `gen" in ln or "pad" in ln]
        return type(e).__name__, lines[:1]
    return None


def _list(ds):
    return list(ds.as_numpy_iterator())


def _head(ds):
    return [repr(ds).split(" ")[0], ds.element_spec]


def case_text_line(tf, tmp):
    a, b, z = (os.path.join(tmp, n) for n in ("a.txt", "b.txt", "c.gz"))
    with open(a, "w") as f:
        f.write("hello world\nsecond\r\n\nlast")
    with open(b, "w") as f:
        f.write("b1\nb2\n")
    with gzip.open(z, "wb") as f:
        f.write(b"zipped\nlines\n")
    one = tf.data.TextLineDataset(a)
    two = tf.data.TextLineDataset([a, b])
    gz = tf.data.TextLineDataset(z, compression_type="GZIP")
    files = tf.data.TextLineDataset(tf.data.Dataset.from_tensor_slices([b, a]))
    missing = _err(lambda: _list(tf.data.TextLineDataset(os.path.join(tmp, "nope.txt"))))
    return [_head(one), _list(one), int(two.cardinality()), _list(two), _list(gz),
            _list(files), missing[0]]


def case_from_generator(tf, tmp):
    def gen():
        for i in range(3):
            yield i, [1.0] * i
    g = tf.data.Dataset.from_generator(gen, output_types=(tf.int32, tf.float32),
                                       output_shapes=((), (None,)))
    g2 = tf.data.Dataset.from_generator(
        gen, output_signature=(tf.TensorSpec((), tf.int64),
                               tf.TensorSpec((None,), tf.float32)))
    g3 = tf.data.Dataset.from_generator(lambda: iter([1, 2]), tf.int64)
    args = tf.data.Dataset.from_generator(lambda n: range(n), tf.int32, args=(3,))
    strings = tf.data.Dataset.from_generator(lambda: iter(["a", "bc"]), tf.string)
    bad_shape = _err(lambda: _list(tf.data.Dataset.from_generator(
        gen, output_types=(tf.int32, tf.float32), output_shapes=((), (2,)))))
    bad_struct = _err(lambda: _list(tf.data.Dataset.from_generator(
        lambda: iter([1]), output_types=(tf.int32, tf.int32))))[0]
    no_types = _err(lambda: tf.data.Dataset.from_generator(gen))[0]
    both = _err(lambda: tf.data.Dataset.from_generator(
        gen, tf.int32, output_signature=tf.TensorSpec((), tf.int32)))[0]
    return [_head(g), int(g.cardinality()), _list(g), _head(g2), _list(g2), g3.element_spec,
            _list(g3), _list(args), _list(strings), _list(g.skip(1).take(1).repeat(2).batch(2)),
            bad_shape, bad_struct, no_types, both]


def case_interleave(tf, tmp):
    src = tf.data.Dataset.range(1, 4)
    a = src.interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(x), cycle_length=2,
                       block_length=1)
    b = src.interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2,
                       block_length=2)
    c = src.interleave(lambda x: tf.data.Dataset.range(x * 10, x * 10 + 2), cycle_length=3,
                       num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    d = src.flat_map(lambda x: tf.data.Dataset.range(x))
    pairs = tf.data.Dataset.from_tensor_slices(([1, 2], [10., 20.])).interleave(
        lambda a, b: tf.data.Dataset.from_tensors((a, b)).repeat(2), cycle_length=2)
    return [_head(a), _list(a), _list(b), _head(c), _list(c), _head(d), _list(d),
            int(a.cardinality()), _list(pairs)]


def case_padded_batch(tf, tmp):
    src = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill([x], x))
    p1 = src.padded_batch(2)
    p2 = src.padded_batch(2, padded_shapes=[4],
                          padding_values=tf.constant(-1, tf.int64))
    p3 = tf.data.Dataset.range(1, 4).map(lambda x: (tf.fill([x], x), x)).padded_batch(
        2, padded_shapes=([None], []), drop_remainder=True)
    p4 = tf.data.Dataset.range(1, 3).map(lambda x: tf.fill([x, 2], 1.5)).padded_batch(
        2, padded_shapes=[3, None], padding_values=0.5)
    small = _err(lambda: _list(src.padded_batch(2, padded_shapes=[2])))
    return [_head(p1), _list(p1), _head(p2), _list(p2), _head(p3), _list(p3), _head(p4),
            _list(p4), small]


def case_cache(tf, tmp):
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)
    mem = tf.data.Dataset.from_generator(gen, tf.int64).cache()
    first, second = _list(mem), _list(mem)
    path = os.path.join(tmp, "cache")
    f = tf.data.Dataset.range(3).map(lambda x: x * x).cache(path)
    a = _list(f)
    files = sorted(n for n in os.listdir(tmp) if n.startswith("cache"))
    again = _list(tf.data.Dataset.range(5).cache(path))    # the files win over the input
    return [_head(mem), first, second, len(calls), _head(f), a, files, again]


def case_zip_prefetch(tf, tmp):
    z = tf.data.Dataset.zip(tf.data.Dataset.range(3), tf.data.Dataset.range(5))
    z2 = tf.data.Dataset.zip((tf.data.Dataset.range(2), (tf.data.Dataset.range(2),
                                                          tf.data.Dataset.range(5, 7))))
    zd = tf.data.Dataset.zip({"a": tf.data.Dataset.range(2),
                              "b": tf.data.Dataset.from_tensor_slices(["x", "y"])})
    p = tf.data.Dataset.range(3).prefetch(1)
    pa = tf.data.Dataset.range(3).prefetch(tf.data.AUTOTUNE)
    return [_head(z), _list(z), int(z.cardinality()), _list(z2), _list(zd), _head(p),
            _list(p), _list(pa)]


def case_iterator_checkpoint(tf, tmp):
    ds = tf.data.Dataset.range(10).map(lambda x: x + 100)
    it = iter(ds)
    head = [next(it), next(it)]
    ck = tf.train.Checkpoint(it=it)
    path = ck.save(os.path.join(tmp, "ck"))
    keys = [k for k, _ in tf.train.list_variables(path) if "ITERATOR" in k]
    ahead = [next(it), next(it)]
    ck.restore(path)
    after = [next(it), next(it)]
    it2 = iter(ds)
    tf.train.Checkpoint(it=it2).restore(path)
    return [head, keys, ahead, after, next(it2)]


def case_make_iterators_in_eager(tf, tmp):
    ds = tf.data.Dataset.range(3)
    it = tf.compat.v1.data.make_one_shot_iterator(ds)
    return [type(it).__name__, next(it),
            _err(lambda: tf.compat.v1.data.make_initializable_iterator(ds))[0],
            tf.compat.v1.data.get_output_types(ds), tf.compat.v1.data.get_output_shapes(ds)]


def case_window(tf, tmp):
    w = tf.data.Dataset.range(10).window(3, shift=2)
    dropped = tf.data.Dataset.range(10).window(3, shift=2, drop_remainder=True)
    strided = tf.data.Dataset.range(10).window(3, shift=2, stride=2)
    pairs = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4., 5., 6.])).window(2)
    batched = pairs.flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(2), b.batch(2))))
    series = tf.data.Dataset.range(7).window(4, shift=1, drop_remainder=True).flat_map(
        lambda win: win.batch(4))
    return [repr(w), int(w.cardinality()), int(dropped.cardinality()),
            [_list(x) for x in w], [_list(x) for x in strided], [_list(x) for x in dropped],
            repr(pairs.element_spec), _list(batched), _list(series),
            repr(tf.data.DatasetSpec(tf.TensorSpec([], tf.int64)))]
