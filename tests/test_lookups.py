"""Lookup tables, string hashing, n-grams, feature crosses and Keras's text / categorical
preprocessing layers (ops/lookup_ops.py, ops/string_ops.py, ops/sparse_ops.py,
keras/layers/index_lookup.py, text_vectorization.py, hashing.py).

The recorded cases (tests/data/lookups_tf.json, tools/record_lookups.py) run the snippet TF
2.21 + Keras 3.15 ran and compare values, dtypes, shapes, vocabularies, configs, the ops a
graph or tf.function holds, and errors (class and message, normalised as the recorder
does): "v2" snippets eagerly, "v1" ones in TF1 graph mode with sessions. The .keras files
Keras wrote (tests/data/keras3_text_*.keras) load and predict as in Keras, and tfteach
writes the same file layout (members, vocabulary assets, weight groups, layer configs).
The hashes are pinned bit for bit: FarmHash Fingerprint64, SipHash-2-4 and TF's Hash64 over
every string length that changes their code path.
"""
import json
import os
import re
import shutil
import tempfile

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")

ROOT = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(ROOT, "data", "lookups_tf.json")) as _f:
    RECORDED = json.load(_f)

_PREFIX = re.compile(r"^\{\{function_node __wrapped__\S*\}\} ")


def _clean(message):
    """As the recorder's clean()."""
    if "\x1b[1m" in message:        # Keras's frame around a layer's error
        message = message.split("\x1b[1m", 1)[1].split("\x1b[0m", 1)[0]
    message = _PREFIX.sub("", message)
    if message.startswith("Graph execution error:"):
        node = re.search(r"\nNode: '[^']*'\n", message)
        message = message[node.end():] if node else message.rsplit("\n\n", 1)[-1]
    # a table's process-wide number in its node's attrs
    message = re.sub(r'shared_name="(table_)?\d+"', r'shared_name="\1N"', message)
    return re.sub(r" name: \S*$", "", message)


def _plain(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, tuple):
        return list(x)
    if isinstance(x, bytes):
        return x.decode()
    raise TypeError(f"not JSON: {x!r}")


def _run_case(tf, code):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the answer compared with TF's
            return [type(e).__name__, _clean(getattr(e, "message", None) or str(e))]
        return None

    def val_list(x):
        if isinstance(x, list):
            return [val_list(v) for v in x]
        if isinstance(x, bytes):
            return x.decode("utf-8", "backslashreplace")
        return x

    def val(x):
        if isinstance(x, dict):
            return {k: val(v) for k, v in sorted(x.items())}
        if isinstance(x, (list, tuple)):
            return [val(v) for v in x]
        if x is None:
            return None
        if hasattr(x, "to_list"):
            return val_list(x.to_list())
        if type(x).__name__ in ("SparseTensor", "SparseTensorValue"):
            return [val(x.indices), val(x.values), val(x.dense_shape)]
        a = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
        if isinstance(a, bytes):
            return a.decode("utf-8", "backslashreplace")
        a = np.asarray(a)
        if a.dtype == object:
            return val_list(a.tolist())
        return a.tolist()

    def ops(fn, *args):
        g = fn.get_concrete_function(*args).graph
        return [[o.name, o.type] for o in g.get_operations()
                if o.type not in ("Placeholder", "Const")]

    def gops(g):
        return [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()]

    import tfteach
    tmp = tempfile.mkdtemp()
    try:
        env = {"tf": tf, "keras": tfteach.keras, "np": np, "err": err, "val": val,
               "ops": ops, "gops": gops, "tmp": tmp}
        exec(code, env)  # noqa: S102 - the recorded snippet
        return json.loads(json.dumps(env["out"], default=_plain).replace(tmp, "<tmp>"))
    finally:
        shutil.rmtree(tmp)


def _same(got, want, path="out"):
    """Equal, floats to float32 precision (TF sums a mean in its own order)."""
    if isinstance(want, float) and isinstance(got, (int, float)):
        assert got == pytest.approx(want, rel=1e-6, abs=1e-7), path
    elif isinstance(want, list) and isinstance(got, list):
        assert len(got) == len(want), f"{path}: {got} != {want}"
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"{path}[{i}]")
    elif isinstance(want, dict) and isinstance(got, dict):
        assert sorted(got) == sorted(want), path
        for k in want:
            _same(got[k], want[k], f"{path}[{k!r}]")
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


@pytest.mark.parametrize("case", sorted(RECORDED["v2"]))
def test_matches_tf(tf2, case):
    rec = RECORDED["v2"][case]
    _same(_run_case(tf2, rec["code"]), rec["tf"])


@pytest.mark.parametrize("case", sorted(RECORDED["v1"]))
def test_graph_mode_matches_tf(tf1, case):
    rec = RECORDED["v1"][case]
    _same(_run_case(tf1, rec["code"]), rec["tf"])


# --- .keras files ----------------------------------------------------------------------------

def _layout(path):
    import io
    import zipfile

    import h5py
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
        config = json.loads(z.read("config.json"))
        assets = {n: z.read(n).decode("utf-8") for n in names if n.startswith("assets/")}
        h5 = {}
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            f.visititems(lambda n, o: h5.__setitem__(
                n, list(o.shape) if isinstance(o, h5py.Dataset) else None))
    return {"members": names, "assets": assets, "h5": h5,
            "layers": [{k: v for k, v in entry.items() if k != "inbound_nodes"}
                       for entry in config["config"]["layers"]]}


def _model(tf, code):
    env = {"tf": tf, "keras": tf.keras, "np": np}
    exec(code, env)  # noqa: S102 - the recorded snippet
    return env["model"], env["probe"]


@pytest.mark.parametrize("name", sorted(RECORDED["files"]))
def test_reads_keras_written_file(tf2, name):
    rec = RECORDED["files"][name]
    _, probe = _model(tf2, rec["code"])
    model = tf2.keras.models.load_model(os.path.join(ROOT, "data", name))
    np.testing.assert_allclose(np.asarray(model(probe)), rec["tf"]["predict"], rtol=1e-6,
                               atol=1e-6)


@pytest.mark.parametrize("name", sorted(RECORDED["files"]))
def test_writes_keras_layout_and_reads_it_back(tf2, tmp_path, name):
    rec = RECORDED["files"][name]
    model, probe = _model(tf2, rec["code"])
    np.testing.assert_allclose(np.asarray(model(probe)), rec["tf"]["predict"], rtol=1e-6,
                               atol=1e-6)
    path = str(tmp_path / name)
    model.save(path)
    got, want = _layout(path), rec["tf"]["layout"]
    assert got["members"] == want["members"]
    assert got["assets"] == want["assets"]
    assert got["h5"] == want["h5"]
    # the preprocessing layers' entries whole; the others' (Embedding, Dense: not this
    # file's subject) by class and name
    ours = ("TextVectorization", "StringLookup", "IntegerLookup", "Hashing", "HashedCrossing")
    got_layers = json.loads(json.dumps(got["layers"]))
    assert [(e["class_name"], e["config"]["name"]) for e in got_layers] == \
        [(e["class_name"], e["config"]["name"]) for e in want["layers"]]
    for g, w in zip(got_layers, want["layers"]):
        if w["class_name"] in ours:
            assert g == w
    again = tf2.keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(again(probe)), rec["tf"]["predict"], rtol=1e-6,
                               atol=1e-6)


# --- properties derived by hand --------------------------------------------------------------

def test_farmhash_known_values():
    """FarmHash's published Fingerprint64 of the empty string is k2 (its constant
    0x9ae16a3b2f90404f): the zero-length path returns the constant itself."""
    from tfteach.kernels.cpu import _hash
    assert int(_hash.fingerprint64([b""])[0]) == 0x9ae16a3b2f90404f


def test_fingerprint_cat64_by_hand():
    """FingerprintCat64(0, 0) worked through by hand: 0 ^ m = m; m ^= shift_mix(0) * m = m;
    m * m; then shift_mix(x) * m; then shift_mix."""
    from tfteach.kernels.cpu import _hash
    m = 0xc6a4a7935bd1e995
    mask = (1 << 64) - 1

    def shift_mix(v):
        return v ^ (v >> 47)
    r = (m * m) & mask
    r = (shift_mix(r) * m) & mask
    assert int(_hash.fingerprint_cat64(np.uint64(0), np.uint64(0))) == shift_mix(r)


def test_session_tables_are_per_session(tf1):
    t = tf1.lookup.StaticHashTable(tf1.lookup.KeyValueTensorInitializer([1, 2], [10, 20]), 0)
    out = t.lookup(tf1.constant([2, 3]))
    with tf1.Session() as a, tf1.Session() as b:
        a.run(tf1.tables_initializer())
        assert a.run(out).tolist() == [20, 0]
        with pytest.raises(tf1.errors.FailedPreconditionError, match="Table not initialized"):
            b.run(out)


def test_mutable_table_shared_by_two_functions(tf2):
    m = tf2.lookup.experimental.MutableHashTable(tf2.string, tf2.int64, -1)

    @tf2.function
    def put(k, v):
        m.insert(k, v)

    @tf2.function
    def get(k):
        return m.lookup(k)

    put(tf2.constant(["a"]), tf2.constant([4], tf2.int64))
    m.insert(["b"], [5])
    assert get(tf2.constant(["a", "b", "c"])).numpy().tolist() == [4, 5, -1]


def test_text_vectorization_in_dataset_map_and_fit(tf2):
    """The text classification tutorial's pipeline: adapt on the text of a labelled
    dataset, map the layer over it, train an embedding model on the ids."""
    keras = tf2.keras
    texts = ["good movie", "bad movie", "great film", "awful film"] * 4
    labels = [1, 0, 1, 0] * 4
    ds = tf2.data.Dataset.from_tensor_slices((texts, labels)).batch(4)
    tv = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=3)
    tv.adapt(ds.map(lambda x, y: x))
    assert tv.get_vocabulary() == ["", "[UNK]", "movie", "film", "great", "good", "bad",
                                   "awful"]
    ids = ds.map(lambda x, y: (tv(tf2.expand_dims(x, -1)), y))
    model = keras.Sequential([keras.Input(shape=(3,), dtype="int64"),
                              keras.layers.Embedding(10, 4),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    history = model.fit(ids, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
