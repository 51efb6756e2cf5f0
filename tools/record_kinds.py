"""Records what TensorFlow 2.21 does with complex, string, ragged and sparse tensors.

Run with the oracle's interpreter (never imported by tfteach or its tests):

    /work/tfenv/bin/python tools/record_kinds.py

It evaluates every expression of `CASES` under real TensorFlow and writes
tests/data/kinds_tf221.json: for each case its repr, its value (numbers as nested lists,
complex numbers as [real, imag], bytes as text), its dtype, or the error class and the first
line of the message. tests/test_complex.py, test_strings.py, test_ragged.py and
test_sparse.py evaluate the same expressions under tfteach and compare.
"""
import json
import os
import sys

import numpy as np

# Each case: (section, name, expression). The expressions use `tf`, `np`, the helper
# `graph_ops(fn)` (the op types fn adds to a fresh graph) and `grads(fn, *xs)` (a
# GradientTape's gradients of fn at the given constants).
CASES = [
    # --- complex ---------------------------------------------------------------------------
    ("complex", "repr_scalar64", "tf.constant(1+2j, tf.complex64)"),
    ("complex", "repr_vector128", "tf.constant([1+2j, 3-4j])"),
    ("complex", "abs", "tf.abs(tf.constant([3+4j, -1j], tf.complex64))"),
    ("complex", "abs128", "tf.abs(tf.constant(3+4j))"),
    ("complex", "complex_f32", "tf.complex(1.0, 2.0)"),
    ("complex", "complex_f64", "tf.complex(tf.constant([1.0], tf.float64), tf.constant([2.0], tf.float64))"),
    ("complex", "complex_mixed", "tf.complex(tf.constant(1.0), tf.constant(1.0, tf.float64))"),
    ("complex", "complex_ints", "tf.complex(1, 2)"),
    ("complex", "real", "tf.math.real(tf.constant([1+2j, -3j], tf.complex64))"),
    ("complex", "imag", "tf.math.imag(tf.constant([1+2j, -3j], tf.complex64))"),
    ("complex", "angle", "tf.math.angle(tf.constant([1+1j, -1+0j]))"),
    ("complex", "conj", "tf.math.conj(tf.constant([1+1j, 2-3j], tf.complex64))"),
    ("complex", "real_of_real", "tf.math.real(tf.constant(3.0))"),
    ("complex", "imag_of_real", "tf.math.imag(tf.constant([3.0, -1.0]))"),
    ("complex", "angle_of_real", "tf.math.angle(tf.constant([3.0, -1.0]))"),
    ("complex", "conj_of_real", "tf.math.conj(tf.constant([3.0]))"),
    ("complex", "mul", "tf.constant(1+2j, tf.complex64) * tf.constant(3-1j, tf.complex64)"),
    ("complex", "add_sub", "tf.constant([1+2j, 1j]) + tf.constant([1.0+0j, 2.0]) - 1j"),
    ("complex", "div", "tf.constant(1+1j, tf.complex64) / tf.constant(2-1j, tf.complex64)"),
    ("complex", "pow", "tf.pow(tf.constant(1+1j, tf.complex64), tf.constant(2-1j, tf.complex64))"),
    ("complex", "square", "tf.square(tf.constant(1+1j, tf.complex64))"),
    ("complex", "neg", "-tf.constant([1+1j, -2j], tf.complex64)"),
    ("complex", "exp", "tf.exp(tf.constant([1j, 1+1j]))"),
    ("complex", "log", "tf.math.log(tf.constant([1j, -1+0j]))"),
    ("complex", "sqrt", "tf.sqrt(tf.constant([-4+0j, 2j]))"),
    ("complex", "sin_cos_tanh", "tf.stack([tf.sin(tf.constant(1+1j)), tf.cos(tf.constant(1+1j)), tf.tanh(tf.constant(1+1j))])"),
    ("complex", "sigmoid", "tf.sigmoid(tf.constant(1+1j))"),
    ("complex", "reciprocal_sign", "tf.stack([tf.math.reciprocal(tf.constant(1+1j)), tf.sign(tf.constant(3+4j))])"),
    ("complex", "equal", "tf.equal(tf.constant([1+1j, 2j]), tf.constant([1+1j, 2.0+0j]))"),
    ("complex", "less_error", "tf.less(tf.constant(1j), tf.constant(2j))"),
    ("complex", "maximum_error", "tf.maximum(tf.constant(1j), tf.constant(2j))"),
    ("complex", "reduce_sum", "tf.reduce_sum(tf.constant([[1+1j, 2j], [3+0j, -1j]], tf.complex64), axis=0)"),
    ("complex", "reduce_mean", "tf.reduce_mean(tf.constant([1+1j, 2j], tf.complex64))"),
    ("complex", "reduce_prod", "tf.reduce_prod(tf.constant([1+1j, 2j], tf.complex64))"),
    ("complex", "matmul", "tf.matmul(tf.constant([[1+2j, 1j]], tf.complex64), tf.constant([[1j], [2+0j]], tf.complex64))"),
    ("complex", "cast_to_real", "tf.cast(tf.constant([1.5+2j]), tf.float32)"),
    ("complex", "cast_from_real", "tf.cast(tf.constant([1.5, -2.0]), tf.complex64)"),
    ("complex", "zeros_like_float", "tf.zeros_like(tf.constant([1j, 2j]), tf.float32)"),
    ("complex", "variable", "tf.Variable(tf.constant([1+1j], tf.complex64)).read_value()"),
    ("complex", "graph_ops", "graph_ops(lambda: [tf.abs(tf.constant(1+2j)), tf.math.real(tf.constant(1j)), tf.math.imag(tf.constant(1j)), tf.math.angle(tf.constant(1j)), tf.math.conj(tf.constant(1j)), tf.complex(1.0, 2.0)])"),
    ("complex", "graph_abs_dtype", "graph_tensors(lambda: [tf.abs(tf.constant(1+2j)), tf.math.real(tf.constant(1j, tf.complex64))])"),
    ("complex", "grad_square", "grads(lambda x: x * x, tf.constant(1+2j, tf.complex64))"),
    ("complex", "grad_abs", "grads(lambda x: tf.abs(x), tf.constant(1+2j, tf.complex64))"),
    ("complex", "grad_real_imag", "grads(lambda x: tf.math.real(x) + 2 * tf.math.imag(x), tf.constant(1+2j, tf.complex64))"),
    ("complex", "grad_angle", "grads(lambda x: tf.math.angle(x), tf.constant(1+2j, tf.complex64))"),
    ("complex", "grad_complex_abs", "grads(lambda x, y: tf.abs(tf.complex(x, y)), tf.constant(3.0), tf.constant(4.0))"),
    ("complex", "grad_exp_conj", "grads(lambda x: tf.math.real(tf.exp(tf.math.conj(x)) * x), tf.constant(0.5-1j))"),
    ("complex", "grad_matmul", "grads(lambda a: tf.math.real(tf.reduce_sum(tf.matmul(a, tf.constant([[1j], [2+1j]])))), tf.constant([[1+2j, 1j]]))"),
    ("complex", "dtype_flags", "(tf.complex64.is_complex, tf.complex64.real_dtype.name, tf.complex128.real_dtype.name, tf.complex64.size, tf.complex128.as_datatype_enum)"),
    # --- strings ---------------------------------------------------------------------------
    ("strings", "scalar", "tf.constant('abc')"),
    ("strings", "bytes", "tf.constant(b'abc')"),
    ("strings", "vector", "tf.constant(['a', 'bc'])"),
    ("strings", "unicode", "tf.constant('h\u00e9llo')"),
    ("strings", "str", "str(tf.constant(['a', 'b']))"),
    ("strings", "add", "tf.constant('a') + tf.constant('b')"),
    ("strings", "add_python", "tf.constant(['a', 'b']) + 'x'"),
    ("strings", "radd_python", "'x' + tf.constant(['a', 'b'])"),
    ("strings", "tf_add", "tf.add(tf.constant('a'), 'b')"),
    ("strings", "equal", "tf.equal(tf.constant(['a', 'b']), 'a')"),
    ("strings", "eq_operator", "tf.constant('a') == tf.constant('a')"),
    ("strings", "less_error", "tf.constant('a') < tf.constant('b')"),
    ("strings", "mul_error", "tf.constant('a') * 2"),
    ("strings", "cast_error", "tf.cast(tf.constant('1'), tf.int32)"),
    ("strings", "zeros", "tf.zeros([2], tf.string)"),
    ("strings", "fill", "tf.fill([2], 'x')"),
    ("strings", "gather", "tf.gather(tf.constant(['a', 'b', 'c']), [2, 0])"),
    ("strings", "index", "tf.constant(['a', 'b'])[1]"),
    ("strings", "join", "tf.strings.join(['a', 'b'], separator='-')"),
    ("strings", "join_broadcast", "tf.strings.join([tf.constant(['a', 'b']), 'c'])"),
    ("strings", "join_wrong_dtype", "tf.strings.join(['a', tf.constant([1])])"),
    ("strings", "length", "tf.strings.length(tf.constant(['abc', 'h\u00e9llo']))"),
    ("strings", "length_chars", "tf.strings.length(tf.constant(['abc', 'h\u00e9llo']), unit='UTF8_CHAR')"),
    ("strings", "upper", "tf.strings.upper(tf.constant(['abc', 'H\u00e9llo']))"),
    ("strings", "lower", "tf.strings.lower('ABC')"),
    ("strings", "strip", "tf.strings.strip(tf.constant(['  a ', 'b\\n']))"),
    ("strings", "substr", "tf.strings.substr(tf.constant(['hello', 'world']), 1, 3)"),
    ("strings", "substr_negative", "tf.strings.substr('hello', -3, 2)"),
    ("strings", "substr_chars", "tf.strings.substr('h\u00e9llo', 1, 2, unit='UTF8_CHAR')"),
    ("strings", "substr_out_of_range", "tf.strings.substr('hello', 7, 2)"),
    ("strings", "regex_replace", "tf.strings.regex_replace(tf.constant(['aaa bbb', 'abab']), 'a+', 'X')"),
    ("strings", "regex_replace_once", "tf.strings.regex_replace('aaa', 'a', 'X', replace_global=False)"),
    ("strings", "regex_replace_group", "tf.strings.regex_replace('ab12', '([a-z]+)([0-9]+)', '\\\\2\\\\1')"),
    ("strings", "to_number", "tf.strings.to_number(tf.constant(['1.5', '2']))"),
    ("strings", "to_number_int", "tf.strings.to_number('7', out_type=tf.int32)"),
    ("strings", "to_number_bad", "tf.strings.to_number('x')"),
    ("strings", "to_number_float_as_int", "tf.strings.to_number('1.5', out_type=tf.int64)"),
    ("strings", "as_string_float", "tf.strings.as_string(tf.constant([1.5, 2.0]))"),
    ("strings", "as_string_int", "tf.as_string(tf.constant([1, 22]))"),
    ("strings", "as_string_precision", "tf.as_string(tf.constant(3.14159), precision=2)"),
    ("strings", "as_string_bool", "tf.as_string(tf.constant([True, False]))"),
    ("strings", "as_string_width", "tf.as_string(tf.constant([1, 22]), width=4)"),
    ("strings", "as_string_fill", "tf.as_string(tf.constant([1, 22]), width=4, fill='0')"),
    ("strings", "as_string_big", "tf.as_string(tf.constant(1e20))"),
    ("strings", "as_string_scientific", "tf.as_string(tf.constant(1.5), scientific=True)"),
    ("strings", "as_string_shortest", "tf.as_string(tf.constant([0.1, 100.0]), shortest=True)"),
    ("strings", "as_string_complex", "tf.as_string(tf.constant(1+2j))"),
    ("strings", "format", "tf.strings.format('x={} y={}', (tf.constant(1), tf.constant([1.5, 2.0])))"),
    ("strings", "format_string", "tf.strings.format('v: {}', tf.constant(['s', 't']))"),
    ("strings", "format_summarize", "tf.strings.format('v: {}', tf.range(20))"),
    ("strings", "format_matrix", "tf.strings.format('v: {}', tf.reshape(tf.range(6), [2, 3]))"),
    ("strings", "reduce_join", "tf.strings.reduce_join(tf.constant([['a', 'b'], ['c', 'd']]))"),
    ("strings", "reduce_join_axis", "tf.strings.reduce_join(tf.constant([['a', 'b'], ['c', 'd']]), axis=1, separator=',')"),
    ("strings", "reduce_join_keepdims", "tf.strings.reduce_join(tf.constant([['a', 'b'], ['c', 'd']]), axis=0, keepdims=True)"),
    ("strings", "split_scalar", "tf.strings.split(tf.constant('a b  c'))"),
    ("strings", "split_sep", "tf.strings.split(tf.constant('a,b,,c'), sep=',')"),
    ("strings", "split_vector", "tf.strings.split(tf.constant(['a b', 'c d e']))"),
    ("strings", "split_maxsplit", "tf.strings.split(tf.constant(['a,b,c', 'd']), sep=',', maxsplit=1)"),
    ("strings", "bytes_split", "tf.strings.bytes_split(tf.constant('Duck'))"),
    ("strings", "bytes_split_vector", "tf.strings.bytes_split(tf.constant(['ab', '', 'c']))"),
    ("strings", "decode_raw", "tf.io.decode_raw(tf.constant('Duck'), tf.uint8)"),
    ("strings", "decode_raw_int16", "tf.io.decode_raw(tf.constant(['abcd', 'efgh']), tf.int16)"),
    ("strings", "unicode_split", "tf.strings.unicode_split(tf.constant('アヒル 🦆'), 'UTF-8')"),
    ("strings", "unicode_decode", "tf.strings.unicode_decode(tf.constant('アヒル 🦆'), 'UTF-8')"),
    ("strings", "unicode_decode_vector", "tf.strings.unicode_decode(tf.constant(['hé', 'x']), 'UTF-8')"),
    ("strings", "unicode_encode", "tf.strings.unicode_encode([104, 233], 'UTF-8')"),
    ("strings", "unicode_encode_ragged", "tf.strings.unicode_encode(tf.ragged.constant([[104, 233], [120]]), 'UTF-8')"),
    ("strings", "str_of_sliced_scalar", "str(tf.constant(['abc'])[0])"),
    ("strings", "graph_ops", "graph_ops(lambda: [tf.constant(['ab']) + 'x', tf.strings.join(['a', 'b']), tf.strings.length('a'), tf.strings.upper('a'), tf.strings.lower('a'), tf.strings.substr('ab', 0, 1), tf.strings.regex_replace('ab', 'b', 'c'), tf.strings.regex_replace('ab', tf.constant('b'), 'c'), tf.strings.to_number('1'), tf.as_string(1), tf.strings.format('{}', tf.constant(1)), tf.strings.strip('a'), tf.io.read_file('f')])"),
    ("strings", "graph_names", "graph_tensors(lambda: [tf.constant(['ab']) + 'x', tf.strings.reduce_join(tf.constant(['a'])), tf.strings.length(tf.constant(['a', 'b']))])"),
    ("strings", "function_ops", "function_ops(lambda s: tf.strings.join([s, tf.as_string(tf.strings.length(s))], separator=':'), tf.TensorSpec([None], tf.string))"),
    ("strings", "function_value", "tf.function(lambda s: tf.strings.join([s, tf.as_string(tf.strings.length(s))], separator=':'))(tf.constant(['ab', 'cde']))"),
    ("strings", "read_missing", "tf.io.read_file('/nonexistent-tfteach-kinds/file.txt')"),
    ("strings", "string_dtype", "(tf.string.size, tf.string.is_numeric, tf.as_dtype(np.str_).name)"),
    # --- ragged ----------------------------------------------------------------------------
    ("ragged", "repr", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])"),
    ("ragged", "str", "str(tf.ragged.constant([[1, 2, 3], [], [4, 5]]))"),
    ("ragged", "shape", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).shape"),
    ("ragged", "row_splits", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).row_splits"),
    ("ragged", "flat_values", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).flat_values"),
    ("ragged", "row_lengths", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).row_lengths()"),
    ("ragged", "nrows", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).nrows()"),
    ("ragged", "value_rowids", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).value_rowids()"),
    ("ragged", "to_tensor", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).to_tensor()"),
    ("ragged", "to_tensor_default", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).to_tensor(default_value=-1)"),
    ("ragged", "to_tensor_shape_cut", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).to_tensor(default_value=9, shape=[2, 2])"),
    ("ragged", "to_tensor_shape_pad", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).to_tensor(shape=[4, 4])"),
    ("ragged", "to_list", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]).to_list()"),
    ("ragged", "add_scalar", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]) + 1"),
    ("ragged", "radd_scalar", "1 + tf.ragged.constant([[1, 2, 3], [], [4, 5]])"),
    ("ragged", "mul_ragged", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]) * tf.ragged.constant([[1, 2, 3], [], [4, 5]])"),
    ("ragged", "neg", "-tf.ragged.constant([[1, 2, 3], [], [4, 5]])"),
    ("ragged", "greater", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]) > 2"),
    ("ragged", "square", "tf.math.square(tf.ragged.constant([[1, 2, 3], [], [4, 5]]))"),
    ("ragged", "cast_sqrt", "tf.math.sqrt(tf.cast(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), tf.float32))"),
    ("ragged", "maximum", "tf.maximum(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), 2)"),
    ("ragged", "mismatch", "tf.ragged.constant([[1, 2, 3], [], [4, 5]]) + tf.ragged.constant([[1], [2]])"),
    ("ragged", "reduce_sum_1", "tf.reduce_sum(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), axis=1)"),
    ("ragged", "reduce_sum_0", "tf.reduce_sum(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), axis=0)"),
    ("ragged", "reduce_sum_all", "tf.reduce_sum(tf.ragged.constant([[1, 2, 3], [], [4, 5]]))"),
    ("ragged", "reduce_mean_1", "tf.reduce_mean(tf.ragged.constant([[1.0, 2.0], [], [4.0]]), axis=1)"),
    ("ragged", "reduce_mean_int", "tf.reduce_mean(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), axis=1)"),
    ("ragged", "reduce_max_1", "tf.reduce_max(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), axis=-1)"),
    ("ragged", "reduce_min_0", "tf.reduce_min(tf.ragged.constant([[1, 2, 3], [], [4, 5]]), axis=0)"),
    ("ragged", "map_flat_values", "tf.ragged.map_flat_values(tf.multiply, tf.ragged.constant([[1, 2, 3], [], [4, 5]]), 10)"),
    ("ragged", "map_flat_values_ones", "tf.ragged.map_flat_values(tf.ones_like, tf.ragged.constant([[1, 2], [3]]))"),
    ("ragged", "getitem_row", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])[0]"),
    ("ragged", "getitem_empty_row", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])[1]"),
    ("ragged", "getitem_last", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])[-1]"),
    ("ragged", "getitem_slice", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])[1:]"),
    ("ragged", "getitem_pair", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])[0, 1]"),
    ("ragged", "getitem_inner", "tf.ragged.constant([[1, 2, 3], [], [4, 5]])[:, 0]"),
    ("ragged", "from_row_splits", "tf.RaggedTensor.from_row_splits([1, 2, 3, 4], [0, 1, 4])"),
    ("ragged", "from_row_lengths", "tf.RaggedTensor.from_row_lengths([1, 2, 3, 4], [1, 0, 3])"),
    ("ragged", "from_value_rowids", "tf.RaggedTensor.from_value_rowids([1, 2, 3, 4], [0, 0, 2, 2])"),
    ("ragged", "from_value_rowids_nrows", "tf.RaggedTensor.from_value_rowids([1, 2, 3, 4], [0, 0, 2, 2], nrows=4)"),
    ("ragged", "bad_splits_order", "tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 1])"),
    ("ragged", "bad_splits_zero", "tf.RaggedTensor.from_row_splits([1, 2, 3], [1, 3])"),
    ("ragged", "constant_floats", "tf.ragged.constant([[1.5], [2.0, 3.0]])"),
    ("ragged", "constant_strings", "tf.ragged.constant([['a', 'b'], ['c']])"),
    ("ragged", "constant_3d", "tf.ragged.constant([[[1, 2], [3]], [[4]]])"),
    ("ragged", "constant_3d_shape", "tf.ragged.constant([[[1, 2], [3]], [[4]]]).shape"),
    ("ragged", "constant_3d_to_tensor", "tf.ragged.constant([[[1, 2], [3]], [[4]]]).to_tensor()"),
    ("ragged", "constant_3d_splits", "tf.ragged.constant([[[1, 2], [3]], [[4]]]).nested_row_splits"),
    ("ragged", "constant_inner_shape", "tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1).shape"),
    ("ragged", "constant_dtype", "tf.ragged.constant([[1, 2], [3]], dtype=tf.float64)"),
    ("ragged", "constant_splits_int32", "tf.ragged.constant([[1, 2], [3]], row_splits_dtype=tf.int32).row_splits"),
    ("ragged", "strings_split_to_list", "tf.strings.split(['a b', 'c']).to_list()"),
    ("ragged", "grad_to_tensor", "grads(lambda v: tf.reduce_sum(tf.RaggedTensor.from_row_splits(v, [0, 2, 3]).to_tensor() * tf.constant([[1.0, 2.0], [3.0, 4.0]])), tf.constant([1.0, 2.0, 3.0]))"),
    ("ragged", "grad_reduce", "grads(lambda v: tf.reduce_sum(tf.reduce_max(tf.RaggedTensor.from_row_splits(v, [0, 2, 3]) ** 2, axis=1)), tf.constant([1.0, -2.0, 3.0]))"),
    ("ragged", "function", "tf.function(lambda a: (tf.reduce_sum(tf.RaggedTensor.from_row_lengths(a, [2, 1]), axis=1), tf.RaggedTensor.from_row_lengths(a, [2, 1]).to_tensor()))(tf.constant([1, 2, 3]))"),
    ("ragged", "graph_tensors", "graph_tensors(lambda: [tf.RaggedTensor.from_row_splits(tf.constant([1, 2, 3]), tf.constant([0, 2, 3], tf.int64)).to_tensor(), tf.reduce_sum(tf.RaggedTensor.from_row_splits(tf.constant([1, 2, 3]), tf.constant([0, 2, 3], tf.int64)), axis=1)])"),
    ("ragged", "session_fetch", "session_run(lambda: tf.RaggedTensor.from_row_splits(tf.constant([1, 2, 3]), tf.constant([0, 2, 3], tf.int64)))"),
    ("ragged", "slice_rows_head", "tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])[:, :2]"),
    ("ragged", "slice_rows_tail", "tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])[:, -2:]"),
    ("ragged", "slice_both", "tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])[1:3, 1:]"),
    ("ragged", "bounding_shape", "tf.ragged.constant([['Hi'], ['How', 'are', 'you']]).bounding_shape()"),
    ("ragged", "from_tensor_padding", "tf.RaggedTensor.from_tensor([[1, 3, -1, -1], [2, -1, -1, -1], [4, 5, 8, 9]], padding=-1)"),
    ("ragged", "from_tensor_lengths", "tf.RaggedTensor.from_tensor([[1, 3, 0], [2, 0, 0]], lengths=[1, 3])"),
    ("ragged", "to_sparse", "tf.ragged.constant([['John'], ['a', 'big', 'dog'], ['my', 'cat']]).to_sparse()"),
    ("ragged", "from_sparse", "tf.RaggedTensor.from_sparse(tf.SparseTensor([[0, 0], [2, 0], [2, 1]], [1, 2, 3], [4, 5]))"),
    ("ragged", "add_per_row", "tf.ragged.constant([[10, 87, 12], [19, 53], [12, 32]]) + [[1000], [2000], [3000]]"),
    ("ragged", "concat_rows", "tf.concat([tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2]]), [[5, 3]]], axis=0)"),
    ("ragged", "concat_within_rows", "tf.concat([tf.ragged.constant([['John'], ['a', 'big', 'dog'], ['my', 'cat']]), tf.ragged.constant([['fell', 'asleep'], ['barked'], ['is', 'fuzzy']])], axis=1)"),
    ("ragged", "repr_uniform_rows", "tf.ragged.constant([[1, 2, 3]] * 4)"),
    ("ragged", "repr_wrapped", "tf.ragged.constant([[1.5, 2.25, 3.125]] * 7 + [[]])"),
    ("ragged", "function_returns_ragged", "tf.function(lambda x: tf.RaggedTensor.from_row_lengths(x, [2, 1]) * 2)(tf.constant([1, 2, 3]))"),
    ("ragged", "function_takes_ragged", "tf.function(lambda r: tf.reduce_sum(r, axis=1) + tf.cast(r.nrows(), tf.int32))(tf.ragged.constant([[1], [3, 4, 5], []]))"),
    ("ragged", "constant_mixed_types", "tf.ragged.constant([['one', 'two'], [3, 4]])"),
    ("ragged", "constant_mixed_depths", "tf.ragged.constant(['A', ['B', 'C']])"),
    ("ragged", "mismatch_same_nrows", "str(_catch(lambda: tf.ragged.constant([[1, 2, 3], [4], [5, 6]]) + tf.ragged.constant([[10, 20], [30, 40], [50]])))"),
    ("ragged", "non_rectangular_constant", "tf.constant([[1, 2], [3]])"),
    # --- sparse ----------------------------------------------------------------------------
    ("sparse", "repr", "tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])"),
    ("sparse", "shape", "tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4]).shape"),
    ("sparse", "indices_dtype", "tf.SparseTensor([[0, 0]], [1.0], [2, 2]).indices.dtype"),
    ("sparse", "alias", "tf.sparse.SparseTensor is tf.SparseTensor"),
    ("sparse", "rank_mismatch", "tf.SparseTensor(indices=[[0, 0]], values=[1], dense_shape=[2])"),
    ("sparse", "to_dense", "tf.sparse.to_dense(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]))"),
    ("sparse", "to_dense_default", "tf.sparse.to_dense(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), default_value=-1.0)"),
    ("sparse", "to_dense_unordered", "tf.sparse.to_dense(tf.SparseTensor([[0, 1], [0, 0]], [1, 2], [2, 2]))"),
    ("sparse", "add_sparse", "tf.sparse.add(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), tf.SparseTensor([[0, 0], [2, 1]], [5.0, 6.0], [3, 4]))"),
    ("sparse", "add_unordered", "tf.sparse.add(tf.SparseTensor([[1, 2], [0, 3], [0, 0]], [3, 1, 2], [2, 4]), tf.SparseTensor([[0, 0], [1, 1]], [10, 20], [2, 4]))"),
    ("sparse", "add_threshold", "tf.sparse.add(tf.SparseTensor([[0, 0], [0, 1]], [1.0, 2.0], [1, 2]), tf.SparseTensor([[0, 0], [0, 1]], [-0.95, 1.0], [1, 2]), threshold=0.1)"),
    ("sparse", "add_dense", "tf.sparse.add(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), tf.ones([3, 4]))"),
    ("sparse", "matmul", "tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), tf.reshape(tf.range(8.0), [4, 2]))"),
    ("sparse", "matmul_adjoint_a", "tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), tf.reshape(tf.range(6.0), [3, 2]), adjoint_a=True)"),
    ("sparse", "matmul_adjoint_b", "tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), tf.reshape(tf.range(8.0), [2, 4]), adjoint_b=True)"),
    ("sparse", "reorder", "tf.sparse.reorder(tf.SparseTensor([[1, 2], [0, 3], [0, 0]], [3, 1, 2], [2, 4]))"),
    ("sparse", "reduce_sum_all", "tf.sparse.reduce_sum(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]))"),
    ("sparse", "reduce_sum_1", "tf.sparse.reduce_sum(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), axis=1)"),
    ("sparse", "reduce_sum_keepdims", "tf.sparse.reduce_sum(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), axis=0, keepdims=True)"),
    ("sparse", "reduce_sum_neg_axis", "tf.sparse.reduce_sum(tf.SparseTensor([[1, 2], [0, 3], [0, 0]], [3, 1, 2], [2, 4]), axis=-1)"),
    ("sparse", "reduce_max_all", "tf.sparse.reduce_max(tf.sparse.from_dense([-5, 0, -3]))"),
    ("sparse", "reduce_max_1", "tf.sparse.reduce_max(tf.SparseTensor([[0, 0], [1, 2], [1, 0]], [-1.0, 2.0, 3.0], [3, 3]), axis=1)"),
    ("sparse", "reduce_max_keepdims", "tf.sparse.reduce_max(tf.SparseTensor([[0, 0], [1, 2], [1, 0]], [-1.0, 2.0, 3.0], [3, 3]), axis=0, keepdims=True)"),
    ("sparse", "from_dense", "tf.sparse.from_dense(tf.constant([[0, 1], [2, 0]]))"),
    ("sparse", "from_dense_roundtrip", "tf.sparse.to_dense(tf.sparse.from_dense(tf.constant([[0.0, 1.5], [2.0, 0.0]])))"),
    ("sparse", "transpose", "tf.sparse.transpose(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]))"),
    ("sparse", "map_values", "tf.sparse.map_values(tf.multiply, tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]), 3.0)"),
    ("sparse", "function_takes_and_returns_sparse", "tf.function(lambda s: (tf.sparse.to_dense(s), tf.sparse.reorder(s * 2)))(tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2]))"),
    ("sparse", "scale", "tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4]) * 2"),
    ("sparse", "grad_matmul", "grads(lambda v, b: tf.reduce_sum(tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0], [1, 2]], v, [3, 4]), b) ** 2), tf.constant([1.0, 2.0]), tf.reshape(tf.range(1.0, 9.0), [4, 2]))"),
    ("sparse", "grad_matmul_adjoint", "grads(lambda v, b: tf.reduce_sum(tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0], [1, 2]], v, [3, 4]), b, adjoint_a=True, adjoint_b=True) ** 2), tf.constant([1.0, 2.0]), tf.reshape(tf.range(1.0, 7.0), [2, 3]))"),
    ("sparse", "grad_to_dense", "grads(lambda v: tf.reduce_sum(tf.sparse.to_dense(tf.SparseTensor([[0, 0], [1, 2]], v, [3, 4])) * 3.0), tf.constant([1.0, 2.0]))"),
    ("sparse", "grad_add", "grads(lambda v: tf.reduce_sum(tf.sparse.to_dense(tf.sparse.add(tf.SparseTensor([[0, 0], [1, 2]], v, [3, 4]), tf.SparseTensor([[0, 0], [2, 2]], v * v, [3, 4]))) * tf.reshape(tf.range(12.0), [3, 4])), tf.constant([1.0, 2.0]))"),
    ("sparse", "grad_reduce_sum", "grads(lambda v: tf.reduce_sum(tf.sparse.reduce_sum(tf.SparseTensor([[0, 0], [1, 2], [1, 0]], v, [2, 3]), axis=1) * tf.constant([2.0, 5.0])), tf.constant([1.0, 2.0, 3.0]))"),
    ("sparse", "grad_reorder", "grads(lambda v: tf.reduce_sum(tf.sparse.reorder(tf.SparseTensor([[1, 2], [0, 0]], v, [3, 4])).values * tf.constant([1.0, 10.0])), tf.constant([1.0, 2.0]))"),
    ("sparse", "graph_tensors", "graph_tensors(lambda: [tf.sparse.to_dense(tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4])), tf.sparse.reduce_sum(tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4]), 1), tf.sparse.sparse_dense_matmul(tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4]), tf.ones([4, 2]))])"),
    ("sparse", "graph_ops", "graph_ops(lambda: [tf.sparse.to_dense(tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4])), tf.sparse.add(tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4]), tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4])).values, tf.sparse.reorder(tf.SparseTensor([[0, 0]], tf.constant([1.0]), [3, 4])).values, tf.sparse.from_dense(tf.ones([2, 2])).values])"),
    ("sparse", "session_fetch", "session_run(lambda: tf.SparseTensor([[0, 0], [1, 2]], tf.constant([1.0, 2.0]), [3, 4]))"),
    ("sparse", "session_feed", "session_feed_sparse()"),
    ("sparse", "function", "tf.function(lambda v: (tf.sparse.to_dense(tf.SparseTensor([[0, 1], [1, 0]], v, [2, 2])), tf.sparse.reduce_sum(tf.SparseTensor([[0, 1], [1, 0]], v, [2, 2]))))(tf.constant([1, 2]))"),
]


def make_helpers(tf, v1):
    """The helpers the expressions use, for either library (`tf` TF2, `v1` its compat.v1)."""
    def graph_ops(fn):
        g = tf.Graph()
        with g.as_default():
            fn()
        return sorted({op.type for op in g.get_operations()} - {"Const"})

    def graph_tensors(fn):
        g = tf.Graph()
        with g.as_default():
            return [str(t) for t in fn()]

    def function_ops(fn, *specs):
        graph = tf.function(fn).get_concrete_function(*specs).graph
        return sorted({op.type for op in graph.get_operations()} - {"Const", "NoOp"})

    def grads(fn, *xs):
        with tf.GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            y = fn(*xs)
        out = tape.gradient(y, list(xs))
        return [tf.convert_to_tensor(g) for g in out]

    def session_run(fn):
        g = tf.Graph()
        with g.as_default():
            value = fn()
            with v1.Session() as sess:
                return sess.run(value)

    def session_feed_sparse():
        g = tf.Graph()
        with g.as_default():
            ph = v1.sparse_placeholder(tf.float32)
            dense = tf.sparse.to_dense(ph)
            with v1.Session() as sess:
                a = sess.run(dense, {ph: v1.SparseTensorValue([[0, 1]], [5.0], [2, 2])})
                b = sess.run(dense, {ph: ([[1, 1]], [7.0], [2, 3])})
                return [a, b]

    def _catch(fn):
        """The message of the error fn raises (the whole text, not just its first line)."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return str(e)
        return None

    return {"_catch": _catch, "graph_ops": graph_ops, "graph_tensors": graph_tensors, "grads": grads,
            "function_ops": function_ops, "session_run": session_run,
            "session_feed_sparse": session_feed_sparse}


def plain(v):
    """A JSON-able form of a value: nested lists, complex as [re, im], bytes as text."""
    if hasattr(v, "numpy") and callable(v.numpy) and not hasattr(v, "to_list"):
        v = v.numpy()
    if hasattr(v, "to_list") and callable(v.to_list):
        v = v.to_list()
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (complex, np.complexfloating)):
        return [float(v.real), float(v.imag)]
    if isinstance(v, bytes):
        return v.decode("utf-8", "backslashreplace")
    if isinstance(v, (np.generic,)):
        return v.item() if not isinstance(v, np.complexfloating) else plain(complex(v))
    if hasattr(v, "_fields"):       # SparseTensorValue
        return [plain(x) for x in v]
    if hasattr(v, "flat_values") and hasattr(v, "nested_row_splits"):
        return plain(v.to_list())
    if hasattr(v, "as_list") and callable(v.as_list):
        return plain(v.as_list())
    if hasattr(v, "dense_shape"):
        return [plain(v.indices), plain(v.values), plain(v.dense_shape)]
    if hasattr(v, "as_datatype_enum"):      # a DType
        return v.name
    return v


def dtype_of(v):
    dt = getattr(v, "dtype", None)
    return getattr(dt, "name", None) if dt is not None else None


def evaluate(expr, env):
    try:
        v = eval(expr, env)  # noqa: S307 - our own expressions
    except Exception as e:  # noqa: BLE001 - the error is the recording
        return {"error": [type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip()
                          else ""]}
    out = {"repr": repr(v), "value": plain(v), "dtype": dtype_of(v)}
    return out


def main():
    import tensorflow as tf
    env = {"tf": tf, "np": np, **make_helpers(tf, tf.compat.v1)}
    result = {"tensorflow": tf.__version__, "cases": {}}
    for section, name, expr in CASES:
        result["cases"][f"{section}/{name}"] = {"expr": expr, **evaluate(expr, env)}
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests",
                        "data", "kinds_tf221.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
