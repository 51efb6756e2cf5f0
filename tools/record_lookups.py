"""Records what TensorFlow 2.21 and Keras 3 do with lookup tables, string hashing, n-grams,
feature crosses and the Keras text/categorical preprocessing layers, for
tests/test_lookups.py.

Run with the TF oracle (never imported by tfteach):
    TF_ENABLE_ONEDNN_OPTS=0 /path/to/tf/python tools/record_lookups.py tests/data

It writes tests/data/lookups_tf.json and the Keras-written model files
tests/data/keras3_text_*.keras. Each case is a snippet run with `tf` (TF 2 eagerly for the
"v2" cases; `tf.compat.v1` in graph mode for the "v1" ones), `keras`, `np`, `tmp` (a fresh
directory), `err(fn)` (an error as [class, message]), `val(x)` (tensors, ragged tensors,
lists and dicts of them as plain values), `ops(fn, *args)` (the [name, type] of the ops a
tf.function's graph computes with: its arguments and captures, placeholders and constants,
are left out, since TF and tfteach capture small constants differently) and `gops(g)` (a
graph's ops as [name, type, inputs]). It leaves its answer in `out`; the test runs the same
snippet on tfteach. Messages keep the kernel's words: without the "{{function_node ...}} "
prefix of TF's eager wrappers, the " name: ..." suffix, Keras's "Exception encountered when
calling ..." frame, and a session's Python traceback of the node.
"""
import json
import os
import re
import shutil
import sys
import tempfile

# Strings of every length up to 140 and a few long ones: FarmHash and SipHash take
# different paths at 0, 4, 8, 16, 17, 32, 33, 64 and 65 bytes.
_STRINGS = """
def texts():
    out = []
    for n in list(range(0, 141)) + [191, 192, 193, 255, 256, 257, 1000, 4097]:
        out.append(bytes((n * 131 + j * 7 + (j * j) % 13) % 256 for j in range(n)))
    return out + [b"a", b"hello", "h\\u00e9llo w\\u00f6rld".encode(), b"The quick brown fox"]
"""

V2 = {
    "hash_buckets": _STRINGS + """
s = texts()
out = {}
for nb in [2**63 - 1, 2**62, 1000003, 7]:
    out[f"fast_{nb}"] = val(tf.strings.to_hash_bucket_fast(s, nb))
    out[f"strong_{nb}"] = val(tf.strings.to_hash_bucket_strong(s, nb, [123456789, 987654321]))
    out[f"strong_neg_{nb}"] = val(tf.strings.to_hash_bucket_strong(s, nb, [-5, 2**62]))
    out[f"legacy_{nb}"] = val(tf.strings.to_hash_bucket(s, nb))
out["shape"] = val(tf.strings.to_hash_bucket_fast([["a", "b"], ["c", "d"]], 10))
out["dtype"] = tf.strings.to_hash_bucket_fast(["a"], 3).dtype.name
out["key_short"] = err(lambda: tf.strings.to_hash_bucket_strong(["a"], 10, [1]))
out["key_long"] = err(lambda: tf.strings.to_hash_bucket_strong(["a"], 10, [1, 2, 3]))
out["numbers"] = err(lambda: tf.strings.to_hash_bucket_fast(tf.constant([1]), 3))
""",
    "hash_ops_in_function": """
@tf.function
def f(x):
    return (tf.strings.to_hash_bucket_fast(x, 5), tf.strings.to_hash_bucket_strong(x, 5, [1, 2]),
            tf.strings.to_hash_bucket(x, 5))
x = tf.constant(["a", "bb"])
out = {"values": val(f(x)), "ops": ops(f, x)}
""",
    "ngrams": """
rt = tf.ragged.constant([["a", "b", "c", "d"], ["e"], []])
out = {"bigrams": val(tf.strings.ngrams(rt, 2)),
       "widths": val(tf.strings.ngrams(rt, (1, 3), separator="|")),
       "dense1": val(tf.strings.ngrams(tf.constant(["a", "b", "c"]), 2)),
       "dense2": val(tf.strings.ngrams(tf.constant([["a", "b", "c"], ["d", "e", "f"]]), 2)),
       "dense3": val(tf.strings.ngrams(tf.constant([[["a", "b", "c"], ["d", "e", "f"]]]), (2, 3))),
       "pad_pair": val(tf.strings.ngrams(rt, 3, pad_values=("<s>", "</s>"), padding_width=1)),
       "pad_default_width": val(tf.strings.ngrams(rt, 3, pad_values="P")),
       "short": val(tf.strings.ngrams(rt, 3, preserve_short_sequences=True)),
       "short_pad": val(tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"]]), 5,
                                          preserve_short_sequences=True, pad_values="P",
                                          padding_width=1)),
       "short_pad2": val(tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"]]), 2,
                                           preserve_short_sequences=True, pad_values="P",
                                           padding_width=1)),
       "ragged3": val(tf.strings.ngrams(tf.ragged.constant([[["a", "b", "c"], ["d"]],
                                                            [["e", "f"]]]), 2)),
       "int_splits": val(tf.strings.ngrams(tf.RaggedTensor.from_row_splits(
           ["a", "b", "c"], tf.constant([0, 2, 3], tf.int32)), 2)),
       "zero_width": err(lambda: tf.strings.ngrams(rt, 0)),
       "pad_number": err(lambda: tf.strings.ngrams(["a"], 2, pad_values=3)),
       "pad_pair_number": err(lambda: tf.strings.ngrams(["a"], 2, pad_values=(1, "a"))),
       "width_no_pad": err(lambda: tf.strings.ngrams(["a"], 2, padding_width=2)),
       "width_zero": err(lambda: tf.strings.ngrams(["a"], 2, pad_values="x", padding_width=0)),
       "scalar": err(lambda: tf.strings.ngrams("a", 2))}
N = tf.raw_ops.StringNGrams
kw = dict(separator=" ", ngram_widths=[2], left_pad="L", right_pad="R", pad_width=1,
          preserve_short_sequences=False)
for name, data, splits in [("empty", [], [0, 0, 0]), ("past_end", ["a", "b"], [0, 3]),
                           ("first", ["a", "b"], [1, 2]), ("order", ["a", "b"], [0, 2, 1, 2]),
                           ("last", ["a", "b"], [0, 1]), ("no_splits", ["a", "b"], []),
                           ("negative", ["a", "b"], [-1, 2]), ("matrix", [["a", "b"]], [0, 2])]:
    out["raw_" + name] = err(lambda: N(data=tf.constant(data, tf.string),
                                      data_splits=tf.constant(splits, tf.int64), **kw)) or \\
        val(N(data=tf.constant(data, tf.string), data_splits=tf.constant(splits, tf.int64), **kw))

@tf.function
def f(x):
    return tf.strings.ngrams(x, (1, 2))
x = tf.ragged.constant([["a", "b"], ["c"]])
out["function"] = val(f(x))
""",
    "sparse_cross": """
a, b = tf.constant([["a"], ["b"]]), tf.constant([[1], [2]])
out = {"hashed": val(tf.sparse.to_dense(tf.sparse.cross_hashed([a, b], 10))),
       "strings": val(tf.sparse.to_dense(tf.sparse.cross([a, b]))),
       "sep": val(tf.sparse.to_dense(tf.sparse.cross([a, b], separator="+"))),
       "unbounded": val(tf.sparse.cross_hashed([tf.constant([["a", "x"], ["b", "y"]]), b], 0)),
       "key": val(tf.sparse.cross_hashed([a, b], 1000, hash_key=7)),
       "int32": val(tf.sparse.cross_hashed([tf.constant([[1, 2]], tf.int32),
                                            tf.constant([[3]], tf.int64)], 100)),
       "three": val(tf.sparse.cross_hashed([tf.constant([[1], [2]]), tf.constant([[3], [4]]),
                                            tf.constant([["a"], ["b"]])], 100))}
sp = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], ["x", "y", "z"], [2, 2])
out["sparse_dense"] = val(tf.sparse.cross_hashed([sp, tf.constant([["a"], ["b"]])], 50))
out["sparse_dense_strings"] = val(tf.sparse.cross([tf.constant([["a"], ["b"]]), sp]))
out["batch"] = err(lambda: tf.sparse.cross_hashed([tf.constant([["a"]]),
                                                   tf.constant([["b"], ["c"]])], 5))
out["rank"] = err(lambda: tf.sparse.cross_hashed([tf.constant(["a"]), tf.constant(["b"])], 5))
out["not_list"] = err(lambda: tf.sparse.cross_hashed(tf.constant([["a"]]), 5))

@tf.function
def f(x, y):
    return tf.sparse.cross_hashed([x, y], 10)
out["ops"] = ops(f, tf.TensorSpec([None, 1], tf.string), tf.TensorSpec([None, 1], tf.int64))
""",
    "static_table": """
keys = tf.constant(["a", "b", "c"])
vals = tf.constant([1, 2, 3], tf.int64)
t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, vals), -1)
ex = t.export()
out = {"lookup": val(t.lookup(tf.constant(["a", "z", "c"]))),
       "getitem": val(t[tf.constant([["a", "b"], ["c", "d"]])]),
       "size": val(t.size()), "size_dtype": t.size().dtype.name,
       "export": sorted(zip(val(ex[0]), val(ex[1]))), "export_dtypes": [e.dtype.name for e in ex],
       "name": t.name, "key_dtype": t.key_dtype.name, "value_dtype": t.value_dtype.name,
       "default": val(t.default_value), "handle_dtype": t.resource_handle.dtype.name,
       "ragged": val(t.lookup(tf.ragged.constant([["a", "q"], ["c"]]))),
       "sparse": val(t.lookup(tf.SparseTensor([[0, 0], [1, 2]], ["b", "x"], [2, 3])).values),
       "wrong_keys": err(lambda: t.lookup(tf.constant([1, 2]))),
       "scalar": val(t.lookup(tf.constant("b")))}
i = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([3, 1, 4], [0.5, 1.5, 2.5]),
                              -1.0)
out["int_float"] = [val(i.lookup(tf.constant([4, 9, 3]))), i.key_dtype.name,
                    i.value_dtype.name]
s = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
    tf.constant([7, 8], tf.int64), ["seven", "eight"]), "?")
out["int_string"] = val(s.lookup(tf.constant([8, 9, 7], tf.int64)))
out["default_shape"] = err(lambda: tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer(["a"], [1]), [-1, -2]))
out["default_dtype"] = err(lambda: tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer(["a"], [1]), "x"))
out["dup_same"] = val(tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer(["a", "a", "b"], [1, 1, 2]), 0).size())
out["dup_diff"] = err(lambda: tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer(["a", "a"], [1, 2]), 0))
out["length"] = err(lambda: tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], [1, 2]), 0))
out["float_keys"] = err(lambda: tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer([1.5], [1]), 0))
out["half_values"] = err(lambda: tf.lookup.StaticHashTable(
    tf.lookup.KeyValueTensorInitializer(["a"], tf.constant([1], tf.float16)),
    tf.constant(0, tf.float16)))
out["anonymous"] = val(tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
    ["x"], [5]), 0, experimental_is_anonymous=True).lookup(tf.constant(["x", "y"])))
""",
    "static_table_in_function": """
t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2]), -1)

@tf.function
def f(x):
    return t.lookup(x), t.size()

out = {"values": val(f(tf.constant(["b", "q"]))),
       "ops": ops(f, tf.TensorSpec([None], tf.string))}

@tf.function
def g(x):
    inner = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["x", "y"], [7, 8]),
                                      0)
    return inner.lookup(x)

out["made_inside"] = [val(g(tf.constant(["y", "z"]))), val(g(tf.constant(["x"])))]
out["made_inside_ops"] = ops(g, tf.TensorSpec([None], tf.string))
""",
    "raw_table_ops": """
R = tf.raw_ops
h = R.HashTableV2(key_dtype=tf.string, value_dtype=tf.int64, shared_name="raw1")
d = tf.constant(-1, tf.int64)
out = {"find_uninit": err(lambda: R.LookupTableFindV2(table_handle=h, keys=tf.constant(["a"]),
                                                      default_value=d)),
       "size_uninit": val(R.LookupTableSizeV2(table_handle=h)),
       "export_uninit": err(lambda: R.LookupTableExportV2(table_handle=h, Tkeys=tf.string,
                                                          Tvalues=tf.int64)),
       "import_short": err(lambda: R.LookupTableImportV2(table_handle=h,
                                                         keys=tf.constant(["a", "b"]),
                                                         values=tf.constant([1], tf.int64))),
       "import_keys_type": err(lambda: R.LookupTableImportV2(
           table_handle=h, keys=tf.constant([1, 2]), values=tf.constant([1, 2], tf.int64))),
       "import_values_type": err(lambda: R.LookupTableImportV2(
           table_handle=h, keys=tf.constant(["a", "b"]), values=tf.constant([1, 2]))),
       "import": val(R.LookupTableImportV2(table_handle=h, keys=tf.constant(["a", "b"]),
                                           values=tf.constant([1, 2], tf.int64))),
       "import_again": val(R.LookupTableImportV2(table_handle=h, keys=tf.constant(["a", "b"]),
                                                 values=tf.constant([1, 2], tf.int64))),
       "import_more": err(lambda: R.LookupTableImportV2(table_handle=h, keys=tf.constant(["c"]),
                                                        values=tf.constant([3], tf.int64))),
       "import_other": err(lambda: R.LookupTableImportV2(table_handle=h, keys=tf.constant(["a"]),
                                                         values=tf.constant([9], tf.int64))),
       "find_matrix": val(R.LookupTableFindV2(table_handle=h, keys=tf.constant([["a", "z"],
                                                                               ["b", "q"]]),
                                              default_value=d)),
       "find_scalar": val(R.LookupTableFindV2(table_handle=h, keys=tf.constant("a"),
                                              default_value=d)),
       "find_per_key_default": val(R.LookupTableFindV2(
           table_handle=h, keys=tf.constant(["a", "z", "y"]),
           default_value=tf.constant([7, 8, 9], tf.int64))),
       "find_keys_type": err(lambda: R.LookupTableFindV2(table_handle=h, keys=tf.constant([1]),
                                                         default_value=d)),
       "find_default_type": err(lambda: R.LookupTableFindV2(
           table_handle=h, keys=tf.constant(["a"]), default_value=tf.constant(-1))),
       "find_default_shape": err(lambda: R.LookupTableFindV2(
           table_handle=h, keys=tf.constant(["a"]),
           default_value=tf.constant([-1, 2], tf.int64))),
       "insert_static": err(lambda: R.LookupTableInsertV2(table_handle=h,
                                                          keys=tf.constant(["q"]),
                                                          values=tf.constant([9], tf.int64))),
       "remove_static": err(lambda: R.LookupTableRemoveV2(table_handle=h,
                                                          keys=tf.constant(["q"]))),
       "same_shared_name": val(R.LookupTableSizeV2(table_handle=R.HashTableV2(
           key_dtype=tf.string, value_dtype=tf.int64, shared_name="raw1")))}
m = R.MutableHashTableV2(key_dtype=tf.string, value_dtype=tf.int64, shared_name="raw2")
out["m_find_empty"] = val(R.LookupTableFindV2(table_handle=m, keys=tf.constant(["a"]),
                                              default_value=d))
out["m_insert_short"] = err(lambda: R.LookupTableInsertV2(
    table_handle=m, keys=tf.constant(["a", "b"]), values=tf.constant([1], tf.int64)))
out["m_insert_rank"] = err(lambda: R.LookupTableInsertV2(
    table_handle=m, keys=tf.constant([["a", "b"]]), values=tf.constant([1, 2], tf.int64)))
out["m_insert"] = val(R.LookupTableInsertV2(table_handle=m, keys=tf.constant(["a", "b"]),
                                            values=tf.constant([1, 2], tf.int64)))
out["m_insert_type"] = err(lambda: R.LookupTableInsertV2(
    table_handle=m, keys=tf.constant(["a", "b"]), values=tf.constant([1, 2])))
out["m_remove"] = val(R.LookupTableRemoveV2(table_handle=m, keys=tf.constant(["a", "zz"])))
out["m_export"] = val(R.LookupTableExportV2(table_handle=m, Tkeys=tf.string, Tvalues=tf.int64))
out["m_import"] = val(R.LookupTableImportV2(table_handle=m, keys=tf.constant(["x", "y"]),
                                            values=tf.constant([1, 2], tf.int64)))
out["m_export_after_import"] = val(R.LookupTableExportV2(table_handle=m, Tkeys=tf.string,
                                                         Tvalues=tf.int64))
out["m_float_keys"] = err(lambda: R.MutableHashTableV2(key_dtype=tf.float32,
                                                       value_dtype=tf.int64))
mt = R.MutableHashTableOfTensorsV2(key_dtype=tf.string, value_dtype=tf.float32,
                                   value_shape=[2], shared_name="raw3")
out["mt_insert"] = val(R.LookupTableInsertV2(table_handle=mt, keys=tf.constant(["a", "b"]),
                                             values=tf.constant([[1, 2], [3, 4]], tf.float32)))
out["mt_insert_shape"] = err(lambda: R.LookupTableInsertV2(
    table_handle=mt, keys=tf.constant(["a", "b"]), values=tf.constant([1, 2], tf.float32)))
out["mt_find"] = val(R.LookupTableFindV2(table_handle=mt, keys=tf.constant(["a", "z"]),
                                         default_value=tf.constant([0, 0], tf.float32)))
out["mt_find_default"] = err(lambda: R.LookupTableFindV2(
    table_handle=mt, keys=tf.constant(["a", "z"]), default_value=tf.constant(0, tf.float32)))
out["mt_export"] = val(R.LookupTableExportV2(table_handle=mt, Tkeys=tf.string,
                                             Tvalues=tf.float32))
""",
    "vocabulary_table": """
init = tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], tf.constant([0, 1, 2], tf.int64))
v = tf.lookup.StaticVocabularyTable(init, 5)
words = tf.constant(["a", "z", "c", "hello", "world", "b", "", "fox"])
out = {"lookup": val(v.lookup(words)), "size": val(v.size()), "name": v.name,
       "key_dtype": v.key_dtype.name, "value_dtype": v.value_dtype.name,
       "ragged": val(v.lookup(tf.ragged.constant([["a", "q"], ["zz"]])))}
vi = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
    tf.constant([10, 20], tf.int64), tf.constant([0, 1], tf.int64)), 3)
out["int64"] = val(vi.lookup(tf.constant([20, 5, 10, 7, 123456789], tf.int64)))
vj = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
    tf.constant([10, 20], tf.int64), tf.constant([0, 1], tf.int64)), 3,
    lookup_key_dtype=tf.int32)
out["int32_keys"] = val(vj.lookup(tf.constant([20, 5, 10], tf.int32)))
out["no_vocab"] = val(tf.lookup.StaticVocabularyTable(None, 4).lookup(tf.constant(["a", "b"])))
out["no_vocab_size"] = val(tf.lookup.StaticVocabularyTable(None, 4).size())
out["zero_buckets"] = err(lambda: tf.lookup.StaticVocabularyTable(init, 0))
out["int32_table"] = err(lambda: tf.lookup.StaticVocabularyTable(
    tf.lookup.KeyValueTensorInitializer([1], tf.constant([0], tf.int64)), 2))
out["int32_values"] = err(lambda: tf.lookup.StaticVocabularyTable(
    tf.lookup.KeyValueTensorInitializer(["a"], [0]), 2))
out["key_kind"] = err(lambda: tf.lookup.StaticVocabularyTable(init, 2, lookup_key_dtype=tf.int64))
out["wrong_keys"] = err(lambda: v.lookup(tf.constant([1])))

@tf.function
def f(x):
    return v.lookup(x)
out["function"] = val(f(words))
out["ops"] = ops(f, tf.TensorSpec([None], tf.string))
""",
    "mutable_table": """
m = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
out = {"empty": val(m.lookup(["a"])), "size0": val(m.size()), "name": m.name}
out["insert"] = repr(m.insert(["a", "b", "c"], [1, 2, 3]))
m.insert(["a", "d"], [5, 6])
m.remove(tf.constant(["b"]))
m.insert(["b"], [9])
out["export"] = val(m.export())
out["size"] = val(m.size())
out["lookup"] = val(m.lookup(["a", "zz", "b"]))
out["dynamic"] = val(m.lookup(["a", "zz", "yy"],
                             dynamic_default_values=tf.constant([0, 7, 8], tf.int64)))
out["remove_list"] = err(lambda: m.remove(["a"]))
out["remove_type"] = err(lambda: m.remove(tf.constant([1])))
out["insert_type"] = err(lambda: m.insert([1], [2]))
t = tf.lookup.experimental.MutableHashTable(tf.int64, tf.float32, [0.0, 0.0])
t.insert(tf.constant([3, 4], tf.int64), [[1.0, 2.0], [3.0, 4.0]])
out["tensors"] = val(t.lookup(tf.constant([4, 5], tf.int64)))
out["tensors_export"] = val(t.export())
out["tensors_shape"] = err(lambda: t.insert(tf.constant([3], tf.int64), [1.0]))
w = tf.lookup.experimental.MutableHashTable(tf.int64, tf.string, "none")
w.insert(tf.constant([1, 2, 3, 4, 5], tf.int64), ["one", "two", "three", "four", "five"])
out["small_export_order"] = val(w.export())

@tf.function
def f(k, v):
    m.insert(k, v)
    return m.lookup(k), m.size()
out["function"] = val(f(tf.constant(["p"]), tf.constant([11], tf.int64)))
out["ops"] = ops(f, tf.TensorSpec([None], tf.string), tf.TensorSpec([None], tf.int64))
import os
c = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
c.insert(["k1", "k2"], [10, 20])
ck = tf.train.Checkpoint(table=c)
path = ck.write(os.path.join(tmp, "ckpt"))
out["checkpoint_keys"] = sorted(n for n, _ in tf.train.list_variables(path)
                                if not n.startswith("_CHECKPOINTABLE"))
out["checkpoint_values"] = sorted(val(tf.train.load_variable(path,
                                                            "table/.ATTRIBUTES/table-keys")))
c.insert(["k3"], [30])
c.remove(tf.constant(["k1"]))
ck.read(path)
out["restored"] = [val(c.lookup(["k1", "k2", "k3"])), val(c.size())]
""",
    "dense_table": """
def ex(t):
    k, v = t.export()
    return [val(k), val(v)]
D = tf.lookup.experimental.DenseHashTable
t = D(tf.int64, tf.int64, -1, empty_key=0, deleted_key=-1, initial_num_buckets=8)
t.insert(tf.constant([3, 11, 19, 5], tf.int64), tf.constant([30, 110, 190, 50], tf.int64))
out = {"insert": [ex(t), val(t.size())]}
t.erase(tf.constant([11], tf.int64))
out["erase"] = [ex(t), val(t.size())]
# a key met again after a deleted slot on its probe path takes that slot: TF keeps both
t.insert(tf.constant([19], tf.int64), tf.constant([999], tf.int64))
out["reinsert"] = [ex(t), val(t.size())]
out["lookup"] = val(t.lookup(tf.constant([3, 11, 19, 4], tf.int64)))
t.insert(tf.constant([21, 22, 23], tf.int64), tf.constant([1, 2, 3], tf.int64))
out["grown"] = [ex(t), val(t.size())]
out["empty_key"] = err(lambda: t.insert(tf.constant([0], tf.int64), tf.constant([1], tf.int64)))
out["deleted_key"] = err(lambda: t.lookup(tf.constant([-1], tf.int64)))
out["erase_type"] = err(lambda: t.erase(tf.constant([1])))
out["matrix_keys"] = err(lambda: t.lookup(tf.constant([[1, 2]], tf.int64)))
s = D(tf.string, tf.float32, 0.5, empty_key="", deleted_key="$", initial_num_buckets=4)
s.insert(["apple", "pear", "fig"], [1.0, 2.0, 3.0])
out["strings"] = [ex(s), val(s.lookup(["fig", "kiwi"]))]
words = ["w%d" % i for i in range(40)]
s.insert(words, [float(i) for i in range(40)])
s.remove(tf.constant(words[::3]))
out["strings_many"] = [ex(s), val(s.size()), val(s.lookup(["w1", "w3", "apple"]))]
out["same_keys"] = err(lambda: D(tf.int64, tf.int64, -1, empty_key=0, deleted_key=0,
                                 initial_num_buckets=8))
out["buckets"] = err(lambda: D(tf.int64, tf.int64, -1, empty_key=0, deleted_key=1,
                               initial_num_buckets=6))
v = D(tf.int64, tf.float32, [0.0, 0.0], empty_key=-1, deleted_key=-2, initial_num_buckets=4)
v.insert(tf.constant([7, 8], tf.int64), [[1., 2.], [3., 4.]])
out["vectors"] = [ex(v), val(v.lookup(tf.constant([8, 9], tf.int64)))]
i32 = D(tf.int32, tf.int32, 7, empty_key=-5, deleted_key=-6, initial_num_buckets=4)
i32.insert(tf.constant([-3, 4, 9], tf.int32), tf.constant([1, 2, 3], tf.int32))
out["int32"] = [ex(i32), val(i32.lookup(tf.constant([-3, 1], tf.int32)))]

@tf.function
def f(k):
    t.insert(k, k * 2)
    return t.lookup(k), t.size()
out["function"] = val(f(tf.constant([40, 41], tf.int64)))
out["ops"] = ops(f, tf.TensorSpec([None], tf.int64))
import os
ck = tf.train.Checkpoint(table=t)
path = ck.write(os.path.join(tmp, "dense"))
out["checkpoint_keys"] = sorted(n for n, _ in tf.train.list_variables(path)
                                if not n.startswith("_CHECKPOINTABLE"))
t.insert(tf.constant([77], tf.int64), tf.constant([1], tf.int64))
ck.read(path)
out["restored"] = [ex(t), val(t.size()), val(t.lookup(tf.constant([77, 40], tf.int64)))]
""",
    "text_file": """
import os
with open(os.path.join(tmp, "v.txt"), "w") as fh:
    fh.write("apple\\t3\\nbanana\\t5\\ncherry\\t7\\n")
with open(os.path.join(tmp, "w.txt"), "w") as fh:
    fh.write("apple\\nbanana\\n\\ncherry")
with open(os.path.join(tmp, "bad.txt"), "w") as fh:
    fh.write("apple\\t3\\nbanana\\n")
with open(os.path.join(tmp, "crlf.txt"), "wb") as fh:
    fh.write(b"one\\r\\ntwo\\r\\n")
with open(os.path.join(tmp, "nums.txt"), "w") as fh:
    fh.write("10 x\\n20 y\\n30 z")
I = tf.lookup.TextFileIndex
out = {"indices": [I.WHOLE_LINE, I.LINE_NUMBER]}
cases = {"cols": ("v.txt", tf.string, 0, tf.int64, 1, {}),
         "line_ids": ("v.txt", tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER, {}),
         "col_ids_offset": ("v.txt", tf.string, 0, tf.int64, I.LINE_NUMBER,
                            {"value_index_offset": 10}),
         "ids_to_words": ("v.txt", tf.int64, I.LINE_NUMBER, tf.string, 0, {}),
         "empty_line": ("w.txt", tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER, {}),
         "vocab_size": ("v.txt", tf.string, 0, tf.int64, 1, {"vocab_size": 2}),
         "vocab_size_big": ("v.txt", tf.string, 0, tf.int64, 1, {"vocab_size": 5}),
         "columns": ("bad.txt", tf.string, 0, tf.int64, 1, {}),
         "column_3": ("v.txt", tf.string, 0, tf.int64, 2, {}),
         "int_keys_col": ("v.txt", tf.int64, 1, tf.string, 0, {}),
         "not_int": ("v.txt", tf.string, 0, tf.int64, 0, {}),
         "float_values": ("v.txt", tf.string, 0, tf.float32, 1, {}),
         "double_values": ("v.txt", tf.string, 0, tf.float64, 1, {}),
         "missing": ("nothere.txt", tf.string, 0, tf.int64, 1, {}),
         "space": ("v.txt", tf.string, 0, tf.int64, 1, {"delimiter": " "}),
         "space_nums": ("nums.txt", tf.string, 1, tf.int64, 0, {"delimiter": " "}),
         "whole_both": ("v.txt", tf.string, I.WHOLE_LINE, tf.string, I.WHOLE_LINE, {}),
         "crlf": ("crlf.txt", tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER, {})}
import shutil
for name, (fn, kd, ki, vd, vi, kw) in cases.items():
    # a file of its own: tables of one file and layout share one table (its shared_name)
    path = os.path.join(tmp, name + "_" + fn)
    if os.path.exists(os.path.join(tmp, fn)):
        shutil.copy(os.path.join(tmp, fn), path)

    def make():
        init = tf.lookup.TextFileInitializer(path, kd, ki, vd, vi, **kw)
        t = tf.lookup.StaticHashTable(init, "?" if vd == tf.string else -1)
        k, v = t.export()
        return sorted(zip(val(k), val(v)))
    out[name] = err(make) or make()
errors = {"line_key_dtype": lambda: tf.lookup.TextFileInitializer("f", tf.string, I.LINE_NUMBER,
                                                                  tf.int64, 0),
          "line_value_dtype": lambda: tf.lookup.TextFileInitializer("f", tf.string, 0, tf.int32,
                                                                    I.LINE_NUMBER),
          "whole_key_dtype": lambda: tf.lookup.TextFileInitializer("f", tf.float32, I.WHOLE_LINE,
                                                                   tf.int64, 0),
          "whole_value_dtype": lambda: tf.lookup.TextFileInitializer("f", tf.string, 0,
                                                                     tf.float32, I.WHOLE_LINE),
          "key_index": lambda: tf.lookup.TextFileInitializer("f", tf.string, -3, tf.int64, 0),
          "value_index": lambda: tf.lookup.TextFileInitializer("f", tf.string, 0, tf.int64, -3),
          "vocab_size_zero": lambda: tf.lookup.TextFileInitializer("f", tf.string, 0, tf.int64, 1,
                                                                   vocab_size=0),
          "no_file": lambda: tf.lookup.TextFileInitializer("", tf.string, 0, tf.int64, 1),
          "table_dtypes": lambda: tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
              os.path.join(tmp, "v.txt"), tf.string, 0, tf.int64, 1), -1.0)}
for name, fn in errors.items():
    out["error_" + name] = err(fn)
t = tf.lookup.StaticVocabularyTable(tf.lookup.TextFileInitializer(
    os.path.join(tmp, "v.txt"), tf.string, 0, tf.int64, I.LINE_NUMBER), 2)
out["vocab_from_file"] = val(t.lookup(tf.constant(["banana", "kiwi", "apple", "fig"])))
""",
    "namespaces": """
out = {"lookup": sorted(n for n in dir(tf.lookup) if not n.startswith("_")),
       "experimental": [n for n in ["DenseHashTable", "MutableHashTable"]
                        if hasattr(tf.lookup.experimental, n)],
       "v1_lookup": sorted(n for n in dir(tf.compat.v1.lookup) if not n.startswith("_")),
       "v1_static": tf.compat.v1.lookup.StaticHashTable.__name__,
       "v1_vocab": tf.compat.v1.lookup.StaticVocabularyTable.__name__,
       "v2_static": tf.lookup.StaticHashTable.__name__,
       "v1_has_initializer": hasattr(tf.compat.v1.lookup.StaticHashTable, "initializer"),
       "v2_has_initializer": hasattr(tf.lookup.StaticHashTable, "initializer"),
       "v1_funcs": [hasattr(tf.compat.v1, n) for n in ["tables_initializer",
                                                       "initialize_all_tables",
                                                       "string_to_hash_bucket_fast",
                                                       "string_to_hash_bucket_strong",
                                                       "string_to_hash_bucket"]],
       "v1_initializers": hasattr(tf.compat.v1.initializers, "tables_initializer"),
       "strings": [hasattr(tf.strings, n) for n in ["to_hash_bucket", "to_hash_bucket_fast",
                                                    "to_hash_bucket_strong", "ngrams"]],
       "sparse": [hasattr(tf.sparse, n) for n in ["cross", "cross_hashed"]],
       "layers": [hasattr(keras.layers, n) for n in ["StringLookup", "IntegerLookup",
                                                     "TextVectorization", "Hashing",
                                                     "HashedCrossing"]]}
""",
    "string_lookup": """
vocab = ["a", "b", "c", "d"]
data = tf.constant([["a", "c", "d"], ["d", "z", "b"]])
out = {}
for mode in ["int", "one_hot", "multi_hot", "count", "tf_idf"]:
    kw = {"idf_weights": [0.25, 0.75, 0.6, 0.4]} if mode == "tf_idf" else {}
    layer = keras.layers.StringLookup(vocabulary=vocab, output_mode=mode, **kw)
    out[mode] = [val(layer(data)), val(layer(tf.constant(["a", "z"]))),
                 val(layer(tf.constant("a"))), layer(data).dtype.name, layer.vocabulary_size()]
out["one_hot_column"] = val(keras.layers.StringLookup(vocabulary=vocab, output_mode="one_hot")(
    tf.constant([["a"], ["b"]])))
l = keras.layers.StringLookup(vocabulary=vocab, mask_token="", output_mode="multi_hot")
out["mask_multi_hot"] = val(l(tf.constant([["a", ""], ["", ""]])))
l = keras.layers.StringLookup(vocabulary=vocab, mask_token="[M]")
out["mask"] = [val(l(tf.constant([["a", "[M]"], ["q", "b"]]))), l.get_vocabulary(),
               l.vocabulary_size(), l.get_vocabulary(include_special_tokens=False)]
l = keras.layers.StringLookup(vocabulary=vocab, num_oov_indices=3)
out["oov3"] = [val(l(tf.constant(["a", "x", "y", "zzz", "hello", "b"]))), l.get_vocabulary()]
l = keras.layers.StringLookup(vocabulary=vocab, num_oov_indices=3, salt=7)
out["oov3_salt"] = val(l(tf.constant(["a", "x", "y", "zzz", "hello", "b"])))
l = keras.layers.StringLookup(vocabulary=vocab, invert=True)
out["invert"] = [val(l(tf.constant([[1, 2], [0, 7]]))), l.get_vocabulary()]
l = keras.layers.StringLookup(vocabulary=vocab, invert=True, mask_token="")
out["invert_mask"] = val(l(tf.constant([[1, 2], [0, 7]])))
l = keras.layers.StringLookup(vocabulary=vocab, output_mode="count", pad_to_max_tokens=True,
                              max_tokens=10)
out["pad_to_max"] = val(l(data))
l = keras.layers.StringLookup(vocabulary=vocab, num_oov_indices=0)
out["no_oov"] = [val(l(tf.constant(["a", "d"]))), err(lambda: l(tf.constant(["a", "x"])))]
out["special_given"] = keras.layers.StringLookup(vocabulary=["[UNK]", "p", "q"]).get_vocabulary()
out["numpy_input"] = val(keras.layers.StringLookup(vocabulary=vocab)(np.array(["b", "w"])))
out["list_input"] = val(keras.layers.StringLookup(vocabulary=vocab)(["c", "w"]))
out["ragged_input"] = val(keras.layers.StringLookup(vocabulary=vocab)(
    tf.ragged.constant([["a", "b", "w"], ["d"]])))
l = keras.layers.StringLookup(vocabulary=vocab, output_mode="multi_hot")
out["multi_hot_rank3"] = val(l(tf.constant([[["a", "b"], ["c", "c"]]])))
l = keras.layers.StringLookup(vocabulary=vocab, output_mode="count")
out["count_rank3"] = val(l(tf.constant([[["a", "b"], ["c", "c"]]])))

@tf.function
def f(x):
    return keras.layers.StringLookup(vocabulary=["u", "v"])(x)
out["function"] = val(f(tf.constant(["v", "u", "w"])))
""",
    "string_lookup_adapt": """
out = {}
l = keras.layers.StringLookup()
l.adapt(["a", "b", "b", "c", "c", "c", "d", "d", "d", " "])
out["ties"] = l.get_vocabulary()
l = keras.layers.StringLookup(max_tokens=3)
l.adapt(tf.constant([["x", "y"], ["y", "z"], ["x", "w"]]))
out["max_tokens"] = [l.get_vocabulary(), l.vocabulary_size()]
c = l.get_config(); c.pop("dtype"); c.pop("name")
out["config"] = c
l = keras.layers.StringLookup(mask_token="", oov_token="?")
l.adapt(np.array([["", "a"], ["?", "b"], ["a", ""]]))
out["special_not_counted"] = l.get_vocabulary()
l = keras.layers.StringLookup(output_mode="tf_idf")
l.adapt(tf.constant([["a", "b", "a"], ["b", "c", "c"], ["d", "a", "a"]]))
out["tf_idf"] = [l.get_vocabulary(), val(l.idf_weights), val(l(tf.constant([["a", "b", "zz"]])))]
l = keras.layers.StringLookup(output_mode="tf_idf", max_tokens=8, pad_to_max_tokens=True)
l.adapt(tf.data.Dataset.from_tensor_slices([["a", "b"], ["b", "c"], ["c", "c"]]).batch(2))
out["tf_idf_batches"] = [l.get_vocabulary(), val(l.idf_weights), val(l(tf.constant([["c", "q"]])))]
l = keras.layers.StringLookup()
l.adapt(tf.data.Dataset.from_tensor_slices(["p", "q", "q", "r", "r", "r"]).batch(4))
out["dataset"] = l.get_vocabulary()
l = keras.layers.StringLookup()
l.adapt(tf.data.Dataset.from_tensor_slices(["p", "q", "q", "r", "r", "r"]).batch(2), steps=1)
out["steps"] = l.get_vocabulary()
l = keras.layers.StringLookup()
l.adapt(iter([np.array(["k", "k"]), np.array(["m"])]))
out["iterator"] = l.get_vocabulary()
l = keras.layers.StringLookup(vocabulary=["a"], name="fixed")
out["adapt_fixed"] = err(lambda: l.adapt(["a"]))
l = keras.layers.StringLookup(output_mode="multi_hot")
out["unadapted_multi_hot"] = err(lambda: l(tf.constant(["a"])))
l = keras.layers.StringLookup()
out["unadapted_int"] = err(lambda: l(tf.constant(["a"])))
out["unadapted_vocab"] = [l.get_vocabulary(), l.vocabulary_size()]
l = keras.layers.StringLookup(output_mode="multi_hot")
l.adapt(["a", "b"])
l(tf.constant(["a"]))
out["grow_after_call"] = err(lambda: l.set_vocabulary(["a", "b", "c"]))
l = keras.layers.StringLookup()
l.set_vocabulary(["e", "f"])
out["set_vocabulary"] = [l.get_vocabulary(), val(l(tf.constant(["f", "g"])))]
""",
    "lookup_vocabulary_file": """
import os
path = os.path.join(tmp, "vocab.txt")
with open(path, "w") as fh:
    fh.write("earth\\nwind\\nfire\\n")
ipath = os.path.join(tmp, "ids.txt")
with open(ipath, "w") as fh:
    fh.write("40\\n7\\n13\\n")
l = keras.layers.StringLookup(vocabulary=path)
c = l.get_config(); c.pop("dtype"); c.pop("name")
out = {"lookup": val(l(tf.constant(["fire", "water", "earth"]))), "vocab": l.get_vocabulary(),
       "config": c, "size": l.vocabulary_size()}
l = keras.layers.StringLookup(vocabulary=path, invert=True)
out["invert"] = val(l(tf.constant([0, 1, 3, 9])))
l = keras.layers.StringLookup(vocabulary=path, mask_token="", num_oov_indices=2)
out["mask_oov"] = [val(l(tf.constant(["", "wind", "zz"]))), l.get_vocabulary()]
l = keras.layers.StringLookup(vocabulary=path, output_mode="multi_hot")
out["multi_hot"] = val(l(tf.constant([["wind", "fire", "ash"]])))
l = keras.layers.IntegerLookup(vocabulary=ipath)
out["integers"] = [val(l(tf.constant([7, 8, 13], tf.int64))), l.get_vocabulary()]
out["missing"] = err(lambda: keras.layers.StringLookup(vocabulary=os.path.join(tmp, "no.txt")))
out["tf_idf"] = err(lambda: keras.layers.StringLookup(vocabulary=path, output_mode="tf_idf",
                                                      idf_weights=[1.0, 1.0, 1.0]))
tv = keras.layers.TextVectorization(vocabulary=path)
out["text_vectorization"] = [val(tv(["Fire and wind"])), tv.get_vocabulary()]
""",
    "lookup_errors": """
L = keras.layers.StringLookup
out = {"max_tokens": err(lambda: L(max_tokens=1)),
       "pad_no_max": err(lambda: L(pad_to_max_tokens=True)),
       "num_oov": err(lambda: L(num_oov_indices=-1)),
       "mode": err(lambda: L(output_mode="bad")),
       "invert_mode": err(lambda: L(invert=True, output_mode="one_hot")),
       "sparse_int": err(lambda: L(sparse=True)),
       "idf_mode": err(lambda: L(idf_weights=[1.0], vocabulary=["a"])),
       "idf_missing": err(lambda: L(output_mode="tf_idf", vocabulary=["a"])),
       "idf_length": err(lambda: L(output_mode="tf_idf", vocabulary=["a", "b"],
                                   idf_weights=[1.0])),
       "oov_method": err(lambda: L(oov_method="x")),
       "salt": err(lambda: L(salt="x")),
       "repeated": err(lambda: L(vocabulary=["a", "b", "a"])),
       "mask_inside": err(lambda: L(vocabulary=["a", "", "b"], mask_token="")),
       "oov_inside_invert": err(lambda: L(vocabulary=["a", "[UNK]"], invert=True)),
       "too_big": err(lambda: L(vocabulary=["a", "b", "c"], max_tokens=3)),
       "empty": err(lambda: L(vocabulary=[])),
       "unknown_kwarg": err(lambda: L(foo=1)),
       "int_max_tokens": err(lambda: keras.layers.IntegerLookup(max_tokens=1)),
       "int_oov": err(lambda: keras.layers.IntegerLookup(num_oov_indices=-1)),
       "int_dtype": err(lambda: keras.layers.IntegerLookup(vocabulary_dtype="int32")),
       "int_salt": err(lambda: keras.layers.IntegerLookup(salt=3))}
""",
    "integer_lookup": """
out = {}
l = keras.layers.IntegerLookup()
l.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
out["adapt"] = [l.get_vocabulary(), val(l(np.array([[12, 1000, 7]])))]
l = keras.layers.IntegerLookup(vocabulary=[12, 1138, 42], mask_token=0, num_oov_indices=2)
out["mask_floormod"] = [val(l(np.array([[12, 0, 7, 1138, 99]]))), l.get_vocabulary()]
c = l.get_config(); c.pop("dtype"); c.pop("name")
out["config"] = c
l = keras.layers.IntegerLookup(vocabulary=[12, 1138, 42], num_oov_indices=2, oov_method="farmhash")
out["farmhash"] = val(l(np.array([[12, 0, 7, 1138, 99, -5]])))
l = keras.layers.IntegerLookup(vocabulary=[12, 1138, 42], num_oov_indices=2,
                               oov_method="farmhash", salt=[1, 2])
out["farmhash_salt"] = val(l(np.array([[12, 0, 7, 1138, 99, -5]])))
l = keras.layers.IntegerLookup(vocabulary=[12, 1138, 42], invert=True)
out["invert"] = val(l(np.array([[0, 1, 2, 3, 9]])))
out["int32_input"] = val(keras.layers.IntegerLookup(vocabulary=[5, 6])(tf.constant([6, 5, 4])))
l = keras.layers.IntegerLookup(output_mode="multi_hot", num_oov_indices=0, vocabulary=[3, 1])
out["multi_hot"] = val(l(np.array([[3, 1], [1, 1]])))
l = keras.layers.IntegerLookup(output_mode="count", vocabulary=[3, 1])
out["count"] = [val(l(np.array([[3, 1, 9], [1, 1, 1]]))), l(np.array([[3]])).dtype.name]
""",
    "text_vectorization": """
texts = ["The quick brown fox, jumped!", "the LAZY dog... sleeps", "A fox & a dog: friends?", "",
         "\\u00dcber caf\\u00e9"]
out = {}
tv = keras.layers.TextVectorization()
tv.adapt(texts)
c = tv.get_config(); c.pop("dtype"); c.pop("name")
out["default"] = [tv.get_vocabulary(), val(tv(texts)), val(tv(["fox dog unknownword"])), c,
                  tv.vocabulary_size(), tv(texts).dtype.name]
tv = keras.layers.TextVectorization(max_tokens=6, output_sequence_length=4)
tv.adapt(texts)
out["seq_len"] = [tv.get_vocabulary(), val(tv(texts))]
tv = keras.layers.TextVectorization(output_sequence_length=8)
tv.adapt(np.array(texts))
out["column_input"] = val(tv(np.array([["a fox"], ["dog dog dog"]])))
tv = keras.layers.TextVectorization(ngrams=2, max_tokens=12)
tv.adapt(texts)
out["ngrams"] = [tv.get_vocabulary(), val(tv(["the fox jumped"]))]
tv = keras.layers.TextVectorization(ngrams=(2,), max_tokens=12)
tv.adapt(texts)
out["ngrams_tuple"] = [tv.get_vocabulary(), val(tv(["the fox jumped"]))]
for mode in ["multi_hot", "count", "tf_idf"]:
    tv = keras.layers.TextVectorization(output_mode=mode, max_tokens=8)
    tv.adapt(texts)
    out[mode] = [tv.get_vocabulary(), val(tv(["the fox the dog zzz"])),
                 tv(["the fox"]).dtype.name]
tv = keras.layers.TextVectorization(output_mode="multi_hot", max_tokens=8, pad_to_max_tokens=True,
                                    vocabulary=["fox", "dog"])
out["pad_to_max"] = val(tv(["the fox the dog zzz"]))
tv = keras.layers.TextVectorization(split="character", standardize="lower")
tv.adapt(["abca", "BcD"])
out["characters"] = [tv.get_vocabulary(), val(tv(["cab"]))]
tv = keras.layers.TextVectorization(standardize="strip_punctuation")
tv.adapt(["Hi! hi, HI."])
out["strip_only"] = tv.get_vocabulary()
tv = keras.layers.TextVectorization(standardize=None, split=None, vocabulary=["A B", "c"])
out["no_split"] = val(tv(["A B", "c", "x"]))
tv = keras.layers.TextVectorization(ragged=True, vocabulary=["a", "b"])
out["ragged"] = val(tv(["a b a", "b"]))
tv = keras.layers.TextVectorization(ragged=True, vocabulary=["a", "b"], output_sequence_length=2)
out["ragged_cut"] = val(tv(["a b a", "b"]))
tv = keras.layers.TextVectorization(vocabulary=["a", "b"])
out["scalar"] = val(tv("a b"))
tv = keras.layers.TextVectorization(vocabulary=["a", "b"], output_sequence_length=3)
out["scalar_len"] = val(tv("a b a b"))
tv = keras.layers.TextVectorization(standardize=lambda x: tf.strings.regex_replace(x, "o", "0"),
                                    split=lambda x: tf.strings.split(x, sep="-"))
tv.adapt(["foo-bar", "bar-baz"])
out["callables"] = [tv.get_vocabulary(), val(tv(["baz-foo"]))]
ds = tf.data.Dataset.from_tensor_slices(texts).batch(2)
tv = keras.layers.TextVectorization(max_tokens=20)
tv.adapt(ds)
out["dataset"] = [tv.get_vocabulary(), [val(b) for b in ds.map(tv)]]
tv = keras.layers.TextVectorization(max_tokens=20, output_mode="tf_idf")
tv.adapt(ds)
out["dataset_tf_idf"] = [tv.get_vocabulary(), val(tv._lookup_layer.idf_weights)]
labelled = tf.data.Dataset.from_tensor_slices((texts, [0, 1, 0, 1, 1])).batch(2)
tv = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=3)
tv.adapt(labelled.map(lambda x, y: x))
out["tutorial_map"] = [val(x) for x, y in labelled.map(lambda x, y: (tv(x), y))]
tv = keras.layers.TextVectorization(vocabulary=["x"], name="tv_fixed")
import re
e = err(lambda: tv.adapt(["x"]))
# the inner StringLookup's name holds a process-wide number
out["adapt_fixed"] = [e[0], re.sub(r"'string_lookup_\d+'", "'string_lookup_N'", e[1])]
out["rank2"] = err(lambda: tv(tf.constant([["a", "b"]])))
out["bad_standardize"] = err(lambda: keras.layers.TextVectorization(standardize="upper"))
out["bad_split"] = err(lambda: keras.layers.TextVectorization(split="comma"))
out["bad_ngrams"] = err(lambda: keras.layers.TextVectorization(ngrams=[1, 2]))
out["bad_length"] = err(lambda: keras.layers.TextVectorization(output_sequence_length=2.5))
out["length_mode"] = err(lambda: keras.layers.TextVectorization(output_mode="count",
                                                                output_sequence_length=2))
out["ragged_mode"] = err(lambda: keras.layers.TextVectorization(output_mode="count", ragged=True))
tv = keras.layers.TextVectorization(ngrams=3, output_sequence_length=5, max_tokens=50)
c = tv.get_config(); c.pop("dtype"); c.pop("name")
out["config_fresh"] = c
again = keras.layers.TextVectorization.from_config(tv.get_config())
out["from_config"] = [again._ngrams_arg, again.vocabulary_size()]
""",
    "tutorial_pipeline": """
# the text classification tutorial's preprocessing and export model, on a few reviews
import re, string
texts = ["This movie was great!<br />Loved it.", "Terrible film. Awful acting.", "great great fun",
         "boring and awful", "A masterpiece, truly great", "Worst movie ever"] * 3
raw_train_ds = tf.data.Dataset.from_tensor_slices((texts, [1, 0, 1, 0, 1, 0] * 3)).batch(4)

def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, "[%s]" % re.escape(string.punctuation), "")

vectorize_layer = keras.layers.TextVectorization(standardize=custom_standardization,
                                                 max_tokens=50, output_mode="int",
                                                 output_sequence_length=8)
vectorize_layer.adapt(raw_train_ds.map(lambda x, y: x))

def vectorize_text(text, label):
    text = tf.expand_dims(text, -1)
    return vectorize_layer(text), label

out = {"vocabulary": vectorize_layer.get_vocabulary(),
       "batches": [[val(x), val(y)] for x, y in raw_train_ds.map(vectorize_text)]}
model = keras.Sequential([keras.layers.Embedding(50, 2, embeddings_initializer="ones"),
                          keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(1, kernel_initializer="ones")])
export_model = keras.Sequential([vectorize_layer, model, keras.layers.Activation("sigmoid")])
out["predict"] = val(export_model.predict(tf.constant(["The movie was great!",
                                                       "The movie was okay.",
                                                       "The movie was terrible..."]), verbose=0))
""",
    "hashing": """
out = {}
h = keras.layers.Hashing(num_bins=3)
out["strings"] = [val(h([["A"], ["B"], ["C"], ["D"], ["E"]])), h([["A"]]).dtype.name]
five = [["A"], ["B"], ["C"], ["D"], ["E"]]
out["mask"] = val(keras.layers.Hashing(num_bins=3, mask_value="")(
    np.array([["A"], ["B"], [""], ["C"], ["D"]])))
out["salt"] = val(keras.layers.Hashing(num_bins=3, salt=133)(five))
out["salt_pair"] = val(keras.layers.Hashing(num_bins=3, salt=[133, 137])(five))
h = keras.layers.Hashing(num_bins=4, output_mode="one_hot")
out["one_hot"] = [val(h([[1], [2], [3], [4]])), h([[1]]).dtype.name]
out["multi_hot"] = val(keras.layers.Hashing(num_bins=4, output_mode="multi_hot")(
    np.array([[1, 2], [3, 4]])))
out["count_floats"] = val(keras.layers.Hashing(num_bins=4, output_mode="count")(
    np.array([[1.5, 2.7], [3.2, 3.9]])))
out["int_mask"] = val(keras.layers.Hashing(num_bins=5, mask_value=0)(np.array([[0, 1, 2, 3, 4]])))
out["int32"] = [val(keras.layers.Hashing(num_bins=7, dtype="int32")(tf.constant([5, 6]))),
                keras.layers.Hashing(num_bins=7, dtype="int32")(tf.constant([5])).dtype.name]
out["big_bins"] = val(keras.layers.Hashing(num_bins=2**40)(tf.constant(["a", "b", "c"])))
out["ragged"] = val(keras.layers.Hashing(num_bins=10)(tf.ragged.constant([["a", "b"], ["c"]])))
c = keras.layers.Hashing(num_bins=5, salt=3).get_config(); c.pop("dtype"); c.pop("name")
out["config"] = c
out["bins"] = err(lambda: keras.layers.Hashing(num_bins=0))
out["dtype"] = err(lambda: keras.layers.Hashing(num_bins=2, dtype="float32"))
out["mode"] = err(lambda: keras.layers.Hashing(num_bins=2, output_mode="tf_idf"))
out["sparse_int"] = err(lambda: keras.layers.Hashing(num_bins=2, sparse=True))
out["bad_salt"] = err(lambda: keras.layers.Hashing(num_bins=2, salt="s"))
out["gaussian_mask"] = val(keras.layers.Hashing(num_bins=1, mask_value="a")(["a", "b"]))
""",
    "hashed_crossing": """
out = {}
c = keras.layers.HashedCrossing(num_bins=5)
out["batch"] = val(c((np.array([1, 2, 3]), np.array(["A", "B", "C"]))))
out["one_hot"] = val(keras.layers.HashedCrossing(num_bins=5, output_mode="one_hot")(
    (np.array([[1], [2]]), np.array([["A"], ["B"]]))))
out["scalars"] = val(keras.layers.HashedCrossing(num_bins=100)((tf.constant(3), tf.constant("x"))))
out["three"] = val(keras.layers.HashedCrossing(num_bins=100)(
    (np.array([1, 2]), np.array([3, 4]), np.array(["a", "b"]))))
out["column"] = val(keras.layers.HashedCrossing(num_bins=9)(
    (tf.constant([[1], [2]]), tf.constant([[b"p"], [b"q"]]))))
out["config"] = keras.layers.HashedCrossing(num_bins=5, name="hc").get_config()
out["one_input"] = err(lambda: keras.layers.HashedCrossing(num_bins=5)((np.array([1]),)))
out["not_list"] = err(lambda: keras.layers.HashedCrossing(num_bins=5)(np.array([1])))
out["shapes"] = err(lambda: keras.layers.HashedCrossing(num_bins=5)(
    (np.array([1, 2]), np.array([1]))))
out["floats"] = err(lambda: keras.layers.HashedCrossing(num_bins=5)(
    (np.array([1.5]), np.array([1]))))
out["wide"] = err(lambda: keras.layers.HashedCrossing(num_bins=5)(
    (np.array([[1, 2]]), np.array([[1, 2]]))))
out["mode"] = err(lambda: keras.layers.HashedCrossing(num_bins=5, output_mode="count"))
""",
    "symbolic_models": """
out = {}
tv = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=6, name="tv")
tv.adapt(["the cat", "the dog sat"])
inp = keras.Input(shape=(1,), dtype="string")
x = tv(inp)
out["tv"] = [x.shape.as_list() if hasattr(x.shape, "as_list") else list(x.shape),
            x.dtype if isinstance(x.dtype, str) else x.dtype.name]
tv2 = keras.layers.TextVectorization(vocabulary=["a"])
y = tv2(inp)
out["tv_open"] = list(y.shape.as_list() if hasattr(y.shape, "as_list") else y.shape)
sl = keras.layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
z = sl(keras.Input(shape=(1,), dtype="string"))
out["sl_one_hot"] = list(z.shape.as_list() if hasattr(z.shape, "as_list") else z.shape)
m = keras.layers.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")(
    keras.Input(shape=(3,), dtype="string"))
out["sl_multi_hot"] = list(m.shape.as_list() if hasattr(m.shape, "as_list") else m.shape)
h = keras.layers.Hashing(num_bins=4, output_mode="one_hot")(
    keras.Input(shape=(1,), dtype="string"))
out["hashing"] = list(h.shape.as_list() if hasattr(h.shape, "as_list") else h.shape)
n = keras.layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(
    keras.Input(shape=(2,), dtype="string"))
out["no_oov"] = list(n.shape.as_list() if hasattr(n.shape, "as_list") else n.shape)
model = keras.Model(inp, keras.layers.Embedding(20, 2, embeddings_initializer="ones")(x))
out["predict"] = val(model(tf.constant([["the cat sat"], ["dog"]])))
""",
}

V1 = {
    "graph_hash_attr_minimum": """
g = tf.Graph()
with g.as_default():
    out = {"zero_buckets": err(lambda: tf.strings.to_hash_bucket_fast(["a"], 0)),
           "int_input": err(lambda: tf.strings.to_hash_bucket_fast(tf.constant([1]), 3)),
           "ok": str(tf.strings.to_hash_bucket_fast([["a"]], 3).shape)}
""",
    "graph_static_table": """
g = tf.Graph()
with g.as_default():
    t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2]), -1)
    lk = t.lookup(tf.constant(["a", "q"]))
    sz = t.size()
    ex = t.export()
    out = {"ops": gops(g), "names": [t.name, t.initializer.name, lk.name, sz.name, ex[0].name,
                                     ex[1].name],
           "shapes": [str(lk.shape), str(sz.shape), str(ex[0].shape), str(ex[1].shape)],
           "collection": [o.name for o in tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS)],
           "attrs": [t.resource_handle.op.get_attr("use_node_name_sharing"),
                     t.resource_handle.op.get_attr("shared_name")[:11],
                     t.resource_handle.op.get_attr("container")]}
    ti = tf.tables_initializer()
    out["init"] = [ti.name, ti.type, [i.name for i in ti.control_inputs]]
    with tf.Session() as s:
        out["uninit"] = err(lambda: s.run(lk))
        out["uninit_size"] = s.run(sz).tolist()
        s.run(ti)
        out["after"] = val(s.run(lk))
        out["size"] = s.run(sz).tolist()
        out["again"] = err(lambda: s.run(ti))
        out["initializer_run"] = err(lambda: s.run(t.initializer))
    with tf.Session() as s:
        out["new_session"] = [s.run(sz).tolist(), err(lambda: s.run(lk))]
    out["wrong_keys"] = err(lambda: t.lookup(tf.constant([1, 2])))
    out["no_tables"] = None
g2 = tf.Graph()
with g2.as_default():
    ni = tf.tables_initializer()
    out["no_tables"] = [ni.name, ni.type]
    ai = tf.initialize_all_tables(name="all")
    out["all_tables"] = [ai.name, ai.type]
""",
    "graph_table_errors": """
g = tf.Graph()
with g.as_default():
    d = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "a"], [1, 2]), -1)
    out = {"dup": None, "length": err(lambda: tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], [1, 2]), -1)),
           "rank2": err(lambda: tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer([["a", "b"]], [[1, 2]]), -1))}
    with tf.Session() as s:
        out["dup"] = err(lambda: s.run(d.initializer))
    f = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant([1, 2], tf.int64), [1.5, 2.5]), -1.0, name="ft")
    out["named"] = [f.name, f.resource_handle.name, f.initializer.name,
                    f.lookup(tf.constant([1, 7], tf.int64)).name, f.size().name]
    with tf.Session() as s:
        s.run(f.initializer)
        out["float_values"] = val(s.run(f.lookup(tf.constant([2, 3], tf.int64))))
""",
    "graph_vocabulary_table": """
g = tf.Graph()
with g.as_default():
    v = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
        ["a", "b"], tf.constant([0, 1], tf.int64)), 3)
    o = v.lookup(tf.constant(["a", "zz", "b", "x"]))
    sz = v.size()
    out = {"ops": gops(g), "names": [v.name, o.name, v.initializer.name, sz.name],
           "shape": str(o.shape)}
    nb = tf.lookup.StaticVocabularyTable(None, 2)
    out["no_table"] = [nb.name, nb.initializer.name, nb.initializer.type]
    with tf.Session() as s:
        s.run(tf.tables_initializer())
        out["values"] = [val(s.run(o)), s.run(sz).tolist()]
""",
    "graph_mutable_table": """
g = tf.Graph()
with g.as_default():
    m = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
    ins = m.insert(["x", "y"], tf.constant([5, 6], tf.int64))
    lk = m.lookup(["x", "z"])
    rm = m.remove(tf.constant(["x"]))
    ex = m.export()
    out = {"ops": gops(g), "names": [m.name, ins.name, ins.type, lk.name, rm.name, m.size().name,
                                     ex[0].name],
           "shapes": [str(lk.shape), str(ex[0].shape), str(ex[1].shape)],
           "attrs": [m.resource_handle.op.get_attr("use_node_name_sharing"),
                     m.resource_handle.op.get_attr("shared_name")],
           "collection": len(tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS))}
    with tf.Session() as s:
        a = val(s.run(lk))
        s.run(ins)
        b = val(s.run(lk))
        n = s.run(m.size()).tolist()
        s.run(rm)
        out["run"] = [a, b, n, val(s.run(lk))]
        out["bad_insert"] = err(lambda: s.run(m.insert(["a"], tf.constant([1, 2], tf.int64))))
    t = tf.lookup.experimental.MutableHashTable(tf.string, tf.float32, [0.0, 0.0], name="vecs")
    out["tensors"] = [t.resource_handle.op.type, str(t.lookup(["a"]).shape),
                      str(t.export()[1].shape)]
g = tf.Graph()
with g.as_default():
    n = tf.lookup.experimental.MutableHashTable(tf.int64, tf.int64, 0, checkpoint=False)
    out["no_checkpoint"] = [[o.name, o.type] for o in g.get_operations()]
""",
    "graph_text_file": """
import os
with open(os.path.join(tmp, "v.txt"), "w") as fh:
    fh.write("apple\\nbanana\\ncherry\\n")
path = os.path.join(tmp, "v.txt")
g = tf.Graph()
with g.as_default():
    init = tf.lookup.TextFileInitializer(path, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                         tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER)
    t = tf.lookup.StaticHashTable(init, -1)
    t2 = tf.lookup.StaticHashTable(init, -1)
    lk = t.lookup(tf.constant(["banana", "kiwi"]))
    out = {"ops": [o[:2] for o in gops(g)], "init": t.initializer.name,
           "shared": t.resource_handle.op.get_attr("shared_name") in
                     ("hash_table_%s_-2_-1" % path, ("hash_table_%s_-2_-1" % path).encode()),
           "assets": len(tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS)),
           "collection": [o.name for o in tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS)]}
    with tf.Session() as s:
        s.run(t.initializer)
        out["values"] = val(s.run(lk))
        out["shared_size"] = s.run(t2.size()).tolist()
""",
}

_PREFIX = re.compile(r"^\{\{function_node __wrapped__\S*\}\} ")


def clean(message):
    """The kernel's (or layer's) own words (see the module docstring)."""
    if "\x1b[1m" in message:        # Keras's frame around a layer's error
        message = message.split("\x1b[1m", 1)[1].split("\x1b[0m", 1)[0]
    message = _PREFIX.sub("", message)
    if message.startswith("Graph execution error:"):
        node = re.search(r"\nNode: '[^']*'\n", message)
        message = message[node.end():] if node else message.rsplit("\n\n", 1)[-1]
    # a table's process-wide number in its node's attrs
    message = re.sub(r'shared_name="(table_)?\d+"', r'shared_name="\1N"', message)
    return re.sub(r" name: \S*$", "", message)


def run_case(tf, keras, np, code, tmp):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return [type(e).__name__, clean(getattr(e, "message", None) or str(e))]
        return None

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

    def val_list(x):
        if isinstance(x, list):
            return [val_list(v) for v in x]
        if isinstance(x, bytes):
            return x.decode("utf-8", "backslashreplace")
        return x

    def ops(fn, *args):
        g = fn.get_concrete_function(*args).graph
        return [[o.name, o.type] for o in g.get_operations()
                if o.type not in ("Placeholder", "Const")]

    def gops(g):
        return [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()]

    env = {"tf": tf, "keras": keras, "np": np, "err": err, "val": val, "ops": ops,
           "gops": gops, "tmp": tmp}
    exec(code, env)  # noqa: S102 - the recorder's own snippets
    # the snippet's scratch directory as <tmp>: messages quote file paths
    return json.loads(json.dumps(env["out"], default=_plain).replace(tmp, "<tmp>"))


def _plain(x):
    """numpy scalars and strings, bytes attrs, in configs and vocabularies as JSON values."""
    import numpy as np
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, tuple):
        return list(x)
    if isinstance(x, bytes):        # a string attr (TF gives bytes)
        return x.decode()
    raise TypeError(f"not JSON: {x!r}")


# --- .keras files written by Keras: tfteach reads them, and writes the same layout --------------

FILE_MODELS = {
    "keras3_text_tv.keras": """
tv = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=6, name="tv")
tv.adapt(["The quick brown fox, jumped!", "the LAZY dog... sleeps", "A fox & a dog: friends?"])
inp = keras.Input(shape=(1,), dtype="string", name="text")
x = tv(inp)
x = keras.layers.Embedding(20, 3, name="emb")(x)
x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
outp = keras.layers.Dense(1, name="dense")(x)
model = keras.Model(inp, outp, name="text_model")
model.get_layer("emb").set_weights([np.arange(60, dtype=np.float32).reshape(20, 3) / 60.0])
model.get_layer("dense").set_weights([np.array([[0.5], [-1.0], [0.25]], np.float32),
                                      np.array([0.1], np.float32)])
probe = tf.constant([["the fox sleeps"], ["unknown words here"], [""]])
""",
    "keras3_text_lookups.keras": """
sl = keras.layers.StringLookup(output_mode="tf_idf", name="sl")
sl.adapt(np.array([["a", "b", "a"], ["b", "c", "c"]]))
inp = keras.Input(shape=(3,), dtype="string", name="words")
model = keras.Model(inp, sl(inp), name="lookup_model")
probe = tf.constant([["a", "zz", "c"]])
""",
    "keras3_text_seq.keras": """
model = keras.Sequential([keras.Input(shape=(1,), dtype="int64", name="ids"),
                          keras.layers.IntegerLookup(vocabulary=[5, 6], name="il"),
                          keras.layers.Hashing(3, name="hs")], name="seq")
probe = tf.constant([[5], [6], [7]], tf.int64)
""",
    "keras3_text_cross.keras": """
a = keras.Input(shape=(1,), dtype="int64", name="a")
b = keras.Input(shape=(1,), dtype="string", name="b")
model = keras.Model([a, b], keras.layers.HashedCrossing(num_bins=10, name="hc")((a, b)),
                    name="cross")
probe = [tf.constant([[5], [7]], tf.int64), tf.constant([["x"], ["y"]])]
""",
}


def file_layout(path):
    """What a .keras file holds: its members, each layer's config, and the weight groups
    with their datasets' shapes."""
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
    layers = config["config"]["layers"]
    return {"members": names, "assets": assets, "h5": h5,
            "layers": [{k: v for k, v in entry.items() if k != "inbound_nodes"}
                       for entry in layers]}


def record_files(tf, keras, np, directory):
    out = {}
    for name, code in FILE_MODELS.items():
        env = {"tf": tf, "keras": keras, "np": np}
        exec(code, env)  # noqa: S102 - the recorder's own snippets
        path = os.path.join(directory, name)
        env["model"].save(path)
        probe = env["probe"]
        want = env["model"](probe)
        again = keras.models.load_model(path)(probe)
        assert np.allclose(np.asarray(want), np.asarray(again))
        out[name] = {"code": code, "tf": {"predict": np.asarray(want).tolist(),
                                          "layout": file_layout(path)}}
    return out


def main(directory):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf
    import keras
    rec = {"v2": {}, "v1": {}}
    for name, code in V2.items():
        tmp = tempfile.mkdtemp()
        try:
            rec["v2"][name] = {"code": code, "tf": run_case(tf, keras, np, code, tmp)}
        finally:
            shutil.rmtree(tmp)
    for name, code in V1.items():
        tmp = tempfile.mkdtemp()
        try:
            rec["v1"][name] = {"code": code, "tf": run_case(tf.compat.v1, keras, np, code, tmp)}
        finally:
            shutil.rmtree(tmp)
    rec["files"] = record_files(tf, keras, np, directory)
    with open(os.path.join(directory, "lookups_tf.json"), "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
