"""TF1 dataset iterators in graphs and sessions (see tests/tfcases.py)."""
import os

import numpy as np

MODE = "v1"


def _ops(g):
    return [(op.name, op.type) for op in g.get_operations()
            if "Dataset" not in op.type and op.type != "Const"]


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        lines = [ln for ln in getattr(e, "message", str(e)).splitlines()
                 if ln.strip() and not ln.startswith("\t") and "{{node" not in ln]
        return type(e).__name__, lines[-1][:60]
    return None


def case_initializable_restarts(tf, tmp):
    it = tf.data.make_initializable_iterator(tf.data.Dataset.range(4))
    nx = it.get_next()
    with tf.Session() as s:
        before = _err(lambda: s.run(nx))
        s.run(it.initializer)
        a = [s.run(nx), s.run(nx)]
        s.run(it.initializer)
        b = s.run(nx)
    return [_ops(tf.get_default_graph()), it.initializer.type, before[0], a, b,
            nx.shape, nx.dtype]


def case_initializable_placeholder(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int32, [None])
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    it = ds.make_initializable_iterator()
    fx, fy = it.get_next()
    out = []
    with tf.Session() as s:
        s.run(it.initializer, {x: np.arange(6.).reshape(3, 2), y: [7, 8, 9]})
        out.append(s.run([fx, fy]))
        out.append(s.run([fx, fy]))
        out.append(_err(lambda: s.run(fx))[0])
        s.run(it.initializer, {x: np.ones((1, 2)), y: [5]})
        out.append(s.run([fx, fy]))
    return [_ops(tf.get_default_graph()), fx.shape, fy.shape, ds.output_shapes, out]


def case_one_shot_refuses_placeholder(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 2])
    return _err(lambda: tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensor_slices(x)))


def case_reinitializable(tf, tmp):
    train = tf.data.Dataset.range(3)
    val = tf.data.Dataset.range(10, 15)
    it = tf.data.Iterator.from_structure(tf.data.get_output_types(train),
                                         tf.data.get_output_shapes(train))
    ti, vi = it.make_initializer(train), it.make_initializer(val, name="val_init")
    nx = it.get_next()
    with tf.Session() as s:
        s.run(ti)
        a = s.run(nx)
        s.run(vi)
        b = [s.run(nx), s.run(nx)]
        s.run(ti)
        c = s.run(nx)
    bad = _err(lambda: it.make_initializer(tf.data.Dataset.from_tensors(1.0)))
    bad_shape = _err(lambda: it.make_initializer(tf.data.Dataset.range(3).batch(2)))
    return [_ops(tf.get_default_graph()), a, b, c, bad, bad_shape,
            it.output_types, it.output_shapes]


def case_feedable(tf, tmp):
    h = tf.placeholder(tf.string, [])
    a = tf.data.Dataset.range(3)
    b = tf.data.Dataset.range(10, 15).repeat()
    it = tf.data.Iterator.from_string_handle(h, tf.data.get_output_types(a),
                                             tf.data.get_output_shapes(a))
    nx = it.get_next()
    ita = tf.data.make_one_shot_iterator(a)
    itb = tf.data.make_initializable_iterator(b)
    ha, hb = ita.string_handle(), itb.string_handle()
    with tf.Session() as s:
        va, vb = s.run([ha, hb])
        s.run(itb.initializer)
        seq = [s.run(nx, {h: v}) for v in (va, vb, va, vb, va)]
        end = _err(lambda: s.run(nx, {h: va}))[0]
        junk = _err(lambda: s.run(nx, {h: b"junk"}))
        f = tf.data.Iterator.from_string_handle(h, tf.float32)
        mismatch = _err(lambda: s.run(f.get_next(), {h: va}))
    return [_ops(tf.get_default_graph()), ha.name, hb.name, type(va).__name__, seq, end,
            junk, mismatch]


def case_output_helpers(tf, tmp):
    ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2]}, [[1., 2.], [3., 4.]]))
    it = tf.data.make_one_shot_iterator(ds)
    return [tf.data.get_output_types(ds), tf.data.get_output_shapes(ds),
            tf.data.get_output_types(it), tf.data.get_output_shapes(it),
            ds.output_types, str(tf.data.get_output_classes(ds)).count("Tensor"),
            _err(lambda: it.initializer)]


def case_one_shot_ops(tf, tmp):
    it = tf.data.Dataset.range(3).map(lambda x: x * 2).make_one_shot_iterator()
    nx = it.get_next()
    with tf.Session() as s:
        vals = [s.run(nx) for _ in range(3)]
    return [_ops(tf.get_default_graph()), vals]


def case_text_lines_in_session(tf, tmp):
    p = os.path.join(tmp, "t.txt")
    with open(p, "w") as f:
        f.write("one\ntwo\r\nthree")
    ds = tf.data.TextLineDataset(p)
    it = ds.make_initializable_iterator()
    nx = it.get_next()
    with tf.Session() as s:
        s.run(it.initializer)
        lines = [s.run(nx) for _ in range(3)]
        end = _err(lambda: s.run(nx))[0]
    return [repr(ds).split(" ")[0], nx.dtype, nx.shape, lines, end]


def case_filenames_placeholder(tf, tmp):
    paths = []
    for i in range(2):
        p = os.path.join(tmp, f"f{i}.txt")
        with open(p, "w") as f:
            f.write(f"a{i}\nb{i}\n")
        paths.append(p)
    names = tf.placeholder(tf.string, [None])
    it = tf.data.make_initializable_iterator(tf.data.TextLineDataset(names))
    nx = it.get_next()
    with tf.Session() as s:
        s.run(it.initializer, {names: paths[1:]})
        first = [s.run(nx), s.run(nx)]
        s.run(it.initializer, {names: paths})
        second = [s.run(nx) for _ in range(4)]
    return [first, second]


def case_generator_in_session(tf, tmp):
    def gen():
        for i in range(3):
            yield i, [float(i)] * 2
    ds = tf.data.Dataset.from_generator(gen, (tf.int64, tf.float32), ((), (2,)))
    a, b = tf.data.make_one_shot_iterator(ds).get_next()
    with tf.Session() as s:
        return [a.shape, b.shape, [s.run([a, b]) for _ in range(3)]]


def case_eager_only_errors(tf, tmp):
    return [_err(lambda: len(tf.data.Dataset.range(3))),
            _err(lambda: iter(tf.data.Dataset.range(3)))]
