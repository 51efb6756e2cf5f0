"""Lookup tables: `tf.lookup.StaticHashTable`, `StaticVocabularyTable`, their initializers
(`KeyValueTensorInitializer`, `TextFileInitializer`), `tf.lookup.experimental.MutableHashTable`,
and TF1's `tf.compat.v1.tables_initializer`.

A table is a resource made by its creating op (HashTableV2, MutableHashTableV2, ...); the
ops that use it take its handle. Built eagerly (TF2), a static table is filled at once; in a
TF1 graph its filling op (LookupTableImportV2 or InitializeTableFromTextFileV2) joins the
graph's TABLE_INITIALIZERS collection, and a lookup before `tf.tables_initializer()` has run
in the session fails with TF's FailedPreconditionError "Table not initialized.". A table
made while a tf.function is traced is made outside it (TF's init_scope), once. Kernels in
`kernels/cpu/lookup.py`; TF has no GPU kernels for these ops, and no gradients.
"""
import contextlib
import uuid

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from ..framework.tensor_shape import TensorShape, as_shape, unknown_shape
from . import shape_rules

__all__ = ["StaticHashTable", "StaticHashTableV1", "StaticVocabularyTable",
           "StaticVocabularyTableV1", "KeyValueTensorInitializer", "TextFileInitializer",
           "TextFileIndex", "TextFileStringTableInitializer", "TextFileIdTableInitializer",
           "MutableHashTable", "DenseHashTable", "tables_initializer",
           "initialize_all_tables"]

_H = _dt.resource
_TABLE_ATTRS = {"container": "", "shared_name": "", "use_node_name_sharing": False}


# --- declarations -------------------------------------------------------------------------------

def _scalar(op):
    return [TensorShape([])]


def _value_shape_of(handle):
    """The value shape a table handle's creating op declares (None: not known here, a
    handle fed or captured into a function)."""
    op = getattr(handle, "op", None)
    t = getattr(op, "type", None)
    if t in ("HashTableV2", "AnonymousHashTable", "MutableHashTableV2"):
        return TensorShape([])
    if t in ("MutableHashTableOfTensorsV2", "MutableDenseHashTableV2"):
        return as_shape(op.get_attr("value_shape"))
    return None


def _find_shape(op):
    value = _value_shape_of(op.inputs[0])
    keys = op.inputs[1].shape
    if value is None or keys.rank is None:
        return [unknown_shape()]
    return [keys.concatenate(value)]


def _import_shape(op):
    keys = op.inputs[1].shape
    if keys.rank is not None and keys.rank != 1:
        raise op.shape_error(f"Shape must be rank 1 but is rank {keys.rank}")
    values = op.inputs[2].shape
    if keys.rank == 1 and values.rank is not None and values.rank >= 1:
        shape_rules.merge_dim(op, keys.as_tuple()[0], values.as_tuple()[0])
    return []


def _export_shapes(op):
    return [unknown_shape(), unknown_shape()]


for _t, _doc in (("HashTableV2", "A hash table filled once (an initializer), then read only."),
                 ("MutableHashTableV2", "A hash table that lookups, inserts and removes "
                                        "share.")):
    registry.register_op(_t, outputs=(("table_handle", _H),), shape=_scalar, stateful=True,
                         attr_defaults=dict(_TABLE_ATTRS), doc=_doc)
registry.register_op("AnonymousHashTable", outputs=(("table_handle", _H),), shape=_scalar,
                     stateful=True,
                     doc="A static hash table that only its handle reaches (never shared).")
registry.register_op("MutableHashTableOfTensorsV2", outputs=(("table_handle", _H),),
                     shape=_scalar, stateful=True,
                     attr_defaults={**_TABLE_ATTRS, "value_shape": TensorShape([])},
                     doc="A mutable hash table whose values are tensors of value_shape.")
registry.register_op("MutableDenseHashTableV2",
                     inputs=(("empty_key", "key_dtype"), ("deleted_key", "key_dtype")),
                     outputs=(("table_handle", _H),), shape=_scalar, stateful=True,
                     attr_defaults={**_TABLE_ATTRS, "value_shape": TensorShape([]),
                                    "initial_num_buckets": 131072, "max_load_factor": 0.8},
                     doc="A mutable open-addressing hash table: power-of-two buckets, "
                         "quadratic probing.")
registry.register_op("LookupTableImportV2",
                     inputs=(("table_handle", _H), ("keys", "Tin"), ("values", "Tout")),
                     outputs=(), shape=_import_shape, stateful=True,
                     doc="Fills a table: a static one once (the same entries again are "
                         "allowed), a mutable one replaced whole.")
registry.register_op("LookupTableFindV2",
                     inputs=(("table_handle", _H), ("keys", "Tin"), ("default_value", "Tout")),
                     outputs=(("values", "Tout"),), shape=_find_shape, stateful=True,
                     doc="Each key's value, default_value for keys not in the table.")
registry.register_op("LookupTableSizeV2", inputs=(("table_handle", _H),),
                     outputs=(("size", _dt.int64),), shape=_scalar, stateful=True,
                     doc="The number of entries in a table (0 before it is filled).")
registry.register_op("LookupTableExportV2", inputs=(("table_handle", _H),),
                     outputs=(("keys", "Tkeys"), ("values", "Tvalues")),
                     shape=_export_shapes, stateful=True,
                     doc="All of a table's keys and values.")
registry.register_op("LookupTableInsertV2",
                     inputs=(("table_handle", _H), ("keys", "Tin"), ("values", "Tout")),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Sets the values of keys in a mutable table.")
registry.register_op("LookupTableRemoveV2", inputs=(("table_handle", _H), ("keys", "Tin")),
                     outputs=(), shape=lambda op: [], stateful=True,
                     doc="Removes keys (present or not) from a mutable table.")
registry.register_op("InitializeTableFromTextFileV2",
                     inputs=(("table_handle", _H), ("filename", _dt.string)),
                     outputs=(), shape=lambda op: [], stateful=True,
                     attr_defaults={"vocab_size": -1, "delimiter": "\t", "offset": 0},
                     minimum={"key_index": -2, "value_index": -2, "vocab_size": -1},
                     doc="Fills a table from a text file: keys and values are columns, the "
                         "whole line or the line number.")
for _t in ("HashTableV2", "MutableHashTableV2", "AnonymousHashTable", "MutableDenseHashTableV2",
           "MutableHashTableOfTensorsV2", "LookupTableImportV2", "LookupTableFindV2",
           "LookupTableSizeV2", "LookupTableExportV2", "LookupTableInsertV2",
           "LookupTableRemoveV2", "InitializeTableFromTextFileV2"):
    registry.NotDifferentiable(_t)


# --- helpers ----------------------------------------------------------------------------------

@contextlib.contextmanager
def _init_scope():
    """TF's init_scope for a table made while a tf.function is traced: it is made outside
    the function (eagerly, or in the graph around it), so every call finds the same table.
    In a TF1 graph nothing changes."""
    stack = _ops._graph_stack
    saved = list(stack)
    for i, g in enumerate(saved):
        if getattr(g, "_building_function", False):
            del stack[i:]
            break
    try:
        yield
    finally:
        stack[:] = saved


def _eager_tensor(t):
    return getattr(t, "_is_eager", False)


def _no_output_op(op_type, inputs, attrs=None, name=None):
    """Adds an op with no outputs and returns the Operation; eagerly it runs at once and,
    as TF's, gives None."""
    if _ops.executing_eagerly() and all(
            not isinstance(x, _ops.Tensor) or _eager_tensor(x) for x in inputs):
        apply_op(op_type, inputs, attrs, name=name)
        return None
    g = _ops.get_default_graph()
    before = len(g.get_operations())
    apply_op(op_type, inputs, attrs, name=name)
    ops = g.get_operations()
    return ops[-1] if len(ops) > before else None


def _add_initializer(op):
    if op is not None and not _ops.executing_eagerly():
        _ops.get_default_graph().add_to_collection(_ops.GraphKeys.TABLE_INITIALIZERS, op)


def check_table_dtypes(table, key_dtype, value_dtype):
    if key_dtype.base_dtype != table.key_dtype:
        raise TypeError(f"Invalid key dtype for table, expected {table.key_dtype} but got "
                        f"{key_dtype}.")
    if value_dtype.base_dtype != table.value_dtype:
        raise TypeError(f"Invalid value dtype for table, expected {table.value_dtype} but "
                        f"got {value_dtype}.")


def _check_keys_dtype(keys, key_dtype):
    if keys.dtype.base_dtype != key_dtype:
        raise TypeError(f"Dtype of argument `keys` must be {key_dtype}, received: "
                        f"{keys.dtype}")


def _composite_values(keys):
    """The tensor a lookup runs on: a SparseTensor's or RaggedTensor's values."""
    if getattr(keys, "_tf_composite", False):
        return keys.values
    return keys


def _composite_like(keys, values):
    from .sparse_ops import SparseTensor
    if isinstance(keys, SparseTensor):
        return SparseTensor(keys.indices, values, keys.dense_shape)
    if getattr(keys, "_tf_composite", False):
        return keys.with_values(values)
    return values


# --- tables -----------------------------------------------------------------------------------

class _KeyValueDtypes:
    """The key and value dtypes a table or a table initializer is made for."""

    def __init__(self, key_dtype, value_dtype):
        self._key_dtype = _dt.as_dtype(key_dtype)
        self._value_dtype = _dt.as_dtype(value_dtype)

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype


class LookupInterface(_KeyValueDtypes):
    """A lookup table: its key and value dtypes, `lookup` and `size`."""

    @property
    def name(self):
        # as TF's base class: it returns (does not raise) NotImplementedError
        return NotImplementedError

    @property
    def resource_handle(self):
        return self._resource_handle

    def size(self, name=None):
        raise NotImplementedError

    def lookup(self, keys, name=None):
        raise NotImplementedError

    def __getitem__(self, keys):
        return self.lookup(keys)

    def _trackable_children(self):
        return {}


class InitializableLookupTableBase(LookupInterface):
    """A table filled once by an initializer (eagerly at once; in a TF1 graph by running
    its initializer op)."""

    def __init__(self, default_value, initializer):
        super().__init__(initializer.key_dtype, initializer.value_dtype)
        self._default_value = _ops.convert_to_tensor(default_value, dtype=self._value_dtype)
        shape = self._default_value.shape
        if shape.rank is not None and shape.rank != 0:
            raise ValueError(f"Shapes {shape} and () are not compatible")
        self._initializer = initializer
        with _init_scope():
            self._resource_handle = self._create_resource()
        self._init_op = self._initialize()

    def _initialize(self):
        return self._initializer.initialize(self)

    @property
    def default_value(self):
        return self._default_value

    @registry.api("LookupTableSizeV2")
    def size(self, name=None):
        with _ops.name_scope(name, f"{self.name}_Size", [self.resource_handle]):
            return apply_op("LookupTableSizeV2", [self.resource_handle],
                            name="LookupTableSizeV2")[0]

    @registry.api("LookupTableFindV2")
    def lookup(self, keys, name=None):
        """Each key's value (the table's default for keys it lacks); a SparseTensor or
        RaggedTensor of keys gives one of values."""
        key_tensor = _composite_values(keys)
        _check_keys_dtype(keys, self._key_dtype)
        with _ops.name_scope(name, f"{self.name}_Lookup",
                             [self.resource_handle, key_tensor, self._default_value]):
            values = apply_op("LookupTableFindV2",
                              [self.resource_handle, key_tensor, self._default_value],
                              name="LookupTableFindV2")[0]
        if not _eager_tensor(values):
            values.set_shape(key_tensor.shape)
        return _composite_like(keys, values)


class StaticHashTable(InitializableLookupTableBase):
    """A hash table that its initializer fills once; read only from then on.

    `tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, values), -1)`.
    """

    @registry.api("HashTableV2")
    @registry.api("AnonymousHashTable")
    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        self._initializer = initializer
        self._default_value = default_value
        self._is_anonymous = experimental_is_anonymous
        if not self._is_anonymous:
            self._shared_name = initializer._shared_name
            if not self._shared_name:
                self._shared_name = f"hash_table_{uuid.uuid4()}"
        self._name = name or "hash_table"
        self._table_name = None
        super().__init__(default_value, initializer)
        self._value_shape = self._default_value.shape

    def _create_resource(self):
        attrs = {"key_dtype": self._initializer.key_dtype,
                 "value_dtype": self._initializer.value_dtype}
        if self._is_anonymous:
            ref = apply_op("AnonymousHashTable", [], attrs, name=self._name)[0]
        else:
            attrs.update(shared_name=self._shared_name, use_node_name_sharing=False,
                         container="")
            ref = apply_op("HashTableV2", [], attrs, name=self._name)[0]
        self._table_name = None if _eager_tensor(ref) else ref.op.name.split("/")[-1]
        return ref

    @property
    def name(self):
        return self._table_name

    @registry.api("LookupTableExportV2")
    def export(self, name=None):
        """All keys and values (in no particular order: TF's changes from run to run)."""
        with _ops.name_scope(name, f"{self.name}_Export", [self.resource_handle]):
            keys, values = apply_op("LookupTableExportV2", [self.resource_handle],
                                    {"Tkeys": self._key_dtype, "Tvalues": self._value_dtype},
                                    name="LookupTableExportV2")
        if not _eager_tensor(values):
            values.set_shape(keys.shape.concatenate(self._value_shape))
        return keys, values


class StaticHashTableV1(StaticHashTable):
    """tf.compat.v1.lookup.StaticHashTable: in a graph, run `table.initializer` (or
    `tf.compat.v1.tables_initializer()`) before looking anything up."""

    @property
    def initializer(self):
        return self._init_op


# --- initializers -----------------------------------------------------------------------------

class TableInitializerBase(_KeyValueDtypes):
    """What fills a static table: its key and value dtypes and `initialize(table)`."""

    def initialize(self, table):
        raise NotImplementedError

    @property
    def _shared_name(self):
        # eagerly a fresh name per table (TF's ops.uid), in a graph none: the table makes
        # up its own
        return str(_ops_uid()) if _ops.executing_eagerly() else ""


_uid = [0]


def _ops_uid():
    _uid[0] += 1
    return _uid[0]


class KeyValueTensorInitializer(TableInitializerBase):
    """Fills a table with the given keys and values (two equally long tensors)."""

    @registry.api("LookupTableImportV2")
    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = _ops.convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = _ops.convert_to_tensor(values, dtype=value_dtype, name="values")
        self._name = name if name is not None else "key_value_init"
        if _ops.executing_eagerly():
            self._name += str(_ops_uid())
        super().__init__(self._keys.dtype, self._values.dtype)

    def initialize(self, table):
        check_table_dtypes(table, self._keys.dtype, self._values.dtype)
        with _ops.name_scope(self._name, values=(table.resource_handle, self._keys,
                                                 self._values)):
            init_op = _no_output_op("LookupTableImportV2",
                                    [table.resource_handle, self._keys, self._values],
                                    name="LookupTableImportV2")
        _add_initializer(init_op)
        return init_op


class TextFileIndex:
    """Which part of a vocabulary file's line a key or value is: a column number, the whole
    line, or the line's number."""
    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer(TableInitializerBase):
    """Fills a table from a text file, one entry a line: key and value are each a column
    (split at `delimiter`), the whole line, or the line number (plus
    `value_index_offset` for values)."""

    @registry.api("InitializeTableFromTextFileV2")
    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None, value_index_offset=0):
        if not isinstance(filename, _ops.Tensor) and not filename:
            raise ValueError("`filename` argument required for "
                             "tf.lookup.TextFileInitializer")
        self._filename_arg = filename
        key_dtype = _dt.as_dtype(key_dtype)
        value_dtype = _dt.as_dtype(value_dtype)
        if key_index < -2:
            raise ValueError(f"`key_index` should be >= -2, received: {key_index}.")
        if key_index == TextFileIndex.LINE_NUMBER and key_dtype != _dt.int64:
            raise ValueError(f"`key_dtype` must be int64 if `key_index` is "
                             f"{TextFileIndex.LINE_NUMBER}, received: {key_dtype}")
        if key_index == TextFileIndex.WHOLE_LINE and not key_dtype.is_integer and \
                key_dtype != _dt.string:
            raise ValueError(f"`key_dtype` should be either integer or string for "
                             f"`key_index` {TextFileIndex.WHOLE_LINE}, received: "
                             f"{key_dtype}")
        if value_index < -2:
            raise ValueError(f"`value_index` should be >= -2, received: {value_index}")
        if value_index == TextFileIndex.LINE_NUMBER and value_dtype != _dt.int64:
            raise ValueError(f"`value_dtype` must be int64 for `value_index` "
                             f"{TextFileIndex.LINE_NUMBER}, received: {value_dtype}")
        if value_index == TextFileIndex.WHOLE_LINE and not value_dtype.is_integer and \
                value_dtype != _dt.string:
            raise ValueError(f"`value_dtype` should be either integer or string for "
                             f"`value_index` {TextFileIndex.WHOLE_LINE}, received: "
                             f"{value_dtype}")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"`vocab_size` should be > 0, received: {vocab_size}")
        self._key_index = key_index
        self._value_index = value_index
        self._vocab_size = vocab_size
        self._delimiter = delimiter
        self._name = name
        if isinstance(filename, _ops.Tensor) or _ops.executing_eagerly():
            self._filename = filename
        else:
            # TF's Asset: in a graph, a constant made with the initializer
            self._filename = _ops.convert_to_tensor(filename, _dt.string, name="asset_path")
        self._offset = value_index_offset
        super().__init__(key_dtype, value_dtype)

    def initialize(self, table):
        check_table_dtypes(table, self.key_dtype, self.value_dtype)
        with _ops.name_scope(self._name, "text_file_init", (table.resource_handle,)):
            filename = _ops.convert_to_tensor(self._filename, _dt.string,
                                              name="asset_filepath")
            init_op = _no_output_op(
                "InitializeTableFromTextFileV2", [table.resource_handle, filename],
                {"key_index": int(self._key_index), "value_index": int(self._value_index),
                 "vocab_size": -1 if self._vocab_size is None else int(self._vocab_size),
                 "delimiter": self._delimiter, "offset": int(self._offset)},
                name="InitializeTableFromTextFileV2")
        _add_initializer(init_op)
        if not _ops.executing_eagerly() and not _eager_tensor(filename) and \
                filename.op.type == "Const":
            _ops.get_default_graph().add_to_collection(_ops.GraphKeys.ASSET_FILEPATHS,
                                                      filename)
        return init_op

    @property
    def _shared_name(self):
        # one table per (file, layout): two tables of the same file share it in a session
        parts = [str(self._filename_arg)]
        if self._vocab_size:
            parts.append("%d" % self._vocab_size)
        parts += [str(self._key_index), str(self._value_index)]
        if self._offset:
            parts.append(str(self._offset))
        return "hash_table_" + "_".join(parts)


class TextFileStringTableInitializer(TextFileInitializer):
    """Line number (int64) -> the whole line (string), by default."""

    def __init__(self, filename, key_column_index=TextFileIndex.LINE_NUMBER,
                 value_column_index=TextFileIndex.WHOLE_LINE, vocab_size=None,
                 delimiter="\t", name="text_file_string_table_init"):
        super().__init__(filename, _dt.int64, key_column_index, _dt.string,
                         value_column_index, vocab_size=vocab_size, delimiter=delimiter,
                         name=name)


class TextFileIdTableInitializer(TextFileInitializer):
    """The whole line (string) -> its line number (int64), by default."""

    def __init__(self, filename, key_column_index=TextFileIndex.WHOLE_LINE,
                 value_column_index=TextFileIndex.LINE_NUMBER, vocab_size=None,
                 delimiter="\t", name="text_file_id_table_init", key_dtype=_dt.string):
        super().__init__(filename, key_dtype, key_column_index, _dt.int64,
                         value_column_index, vocab_size=vocab_size, delimiter=delimiter,
                         name=name)


# --- vocabulary with out-of-vocabulary buckets --------------------------------------------------

class StaticVocabularyTable(LookupInterface):
    """Keys -> int64 ids: a key in the vocabulary (the initializer's table) gets its id,
    any other key one of `num_oov_buckets` ids after the vocabulary, chosen by
    `tf.strings.to_hash_bucket_fast` (FarmHash: the same bucket on every run and machine)."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False):
        if num_oov_buckets <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        if name:
            name = name.rstrip("/")
        if initializer:
            if lookup_key_dtype is None:
                lookup_key_dtype = initializer.key_dtype
            lookup_key_dtype = _dt.as_dtype(lookup_key_dtype)
            supported = (_dt.int64, _dt.string)
            if initializer.key_dtype not in supported:
                raise TypeError(f"Invalid `key_dtype`, expected one of {supported!r}, but got "
                                f"{initializer.key_dtype}.")
            if initializer.key_dtype.is_integer != lookup_key_dtype.is_integer:
                raise TypeError(f"Invalid `key_dtype`, expected "
                                f"{'integer' if lookup_key_dtype.is_integer else 'non-integer'}"
                                f" but got {initializer.key_dtype}.")
            if initializer.value_dtype != _dt.int64:
                raise TypeError(f"Invalid `value_dtype`, expected {_dt.int64} but got "
                                f"{initializer.value_dtype}.")
            self._initializer = initializer
            self._table = StaticHashTableV1(initializer, default_value=-1,
                                            experimental_is_anonymous=experimental_is_anonymous)
            name = name or self._table.name
        else:
            lookup_key_dtype = _dt.string
            self._table = None
            name = name or "hash_bucket"
        lookup_key_dtype = _dt.as_dtype(lookup_key_dtype)
        if not lookup_key_dtype.is_integer and lookup_key_dtype != _dt.string:
            raise TypeError(f"Invalid `key_dtype`, expected integer or string, got "
                            f"{lookup_key_dtype}")
        self._num_oov_buckets = num_oov_buckets
        self._table_name = name.split("/")[-1] if name is not None else None
        super().__init__(lookup_key_dtype, _dt.int64)

    @property
    def resource_handle(self):
        return self._table.resource_handle if self._table is not None else None

    @property
    def name(self):
        return self._table_name

    def size(self, name=None):
        """The vocabulary's size plus the number of OOV buckets."""
        with _ops.name_scope(name, f"{self.name}_Size"):
            if self._table:
                tsize = self._table.size()
            else:
                tsize = _ops.convert_to_tensor(0, dtype=_dt.int64)
            return tsize + self._num_oov_buckets

    def lookup(self, keys, name=None):
        from . import array_ops, math_ops, string_ops
        _check_keys_dtype(keys, self._key_dtype)
        values = _composite_values(keys)
        if self._table and self._table.key_dtype.base_dtype == _dt.int64:
            values = math_ops.cast(values, _dt.int64)
        with _ops.name_scope(name, f"{self.name}_Lookup"):
            text = values if values.dtype.base_dtype == _dt.string else \
                string_ops.as_string(values)
            buckets = string_ops.to_hash_bucket_fast(text, num_buckets=self._num_oov_buckets,
                                                     name="hash_bucket")
            if self._table:
                ids = self._table.lookup(values)
                buckets = math_ops.add(buckets, self._table.size())
                known = math_ops.not_equal(ids, self._table.default_value)
                ids = array_ops.where_v2(known, ids, buckets)
            else:
                ids = buckets
        return _composite_like(keys, ids)

    def _initialize(self):
        return self._table._init_op if self._table is not None else None


class StaticVocabularyTableV1(StaticVocabularyTable):
    """tf.compat.v1.lookup.StaticVocabularyTable (with the `initializer` op to run)."""

    @property
    def initializer(self):
        if self._table is not None:
            return self._table._init_op
        from . import control_flow_ops
        with _ops.name_scope(None, "init"):
            return control_flow_ops.no_op()


# --- mutable tables -----------------------------------------------------------------------------

class _MutableTable(LookupInterface):
    """What the mutable tables share: size, export (MutableHashTable: every entry, the most
    recently added first, as TF lists a small table; DenseHashTable: the bucket arrays, free
    slots holding the empty or deleted key) and checkpointing through the export."""

    def size(self, name=None):
        with _ops.name_scope(name, f"{self.name}_Size", [self.resource_handle]):
            return apply_op("LookupTableSizeV2", [self.resource_handle],
                            name="LookupTableSizeV2")[0]

    def export(self, name=None):
        """The table's keys and values (in the order the class docstring gives)."""
        with _ops.name_scope(name, f"{self.name}_lookup_table_export_values",
                             [self.resource_handle]):
            return tuple(apply_op("LookupTableExportV2", [self.resource_handle],
                                  {"Tkeys": self._key_dtype, "Tvalues": self._value_dtype},
                                  name="LookupTableExportV2"))

    # tf.train.Checkpoint saves the entries under TF's (legacy) names:
    # "<path>/.ATTRIBUTES/table-keys" and "table-values"
    def _serialize_to_tensors(self):
        keys, values = self.export()
        return {"table-keys": keys.numpy(), "table-values": values.numpy()}

    def _restore_from_tensors(self, restored):
        _no_output_op("LookupTableImportV2", [
            self.resource_handle,
            _ops.convert_to_tensor(restored["table-keys"], self._key_dtype),
            _ops.convert_to_tensor(restored["table-values"], self._value_dtype)],
            name="LookupTableImportV2")


class MutableHashTable(_MutableTable):
    """A table that inserts, removes and lookups share (values scalars, or tensors of the
    default value's shape)."""

    @registry.api("MutableHashTableV2")
    @registry.api("MutableHashTableOfTensorsV2")
    def __init__(self, key_dtype, value_dtype, default_value, name="MutableHashTable",
                 checkpoint=True, experimental_is_anonymous=False):
        if experimental_is_anonymous:
            raise NotImplementedError("tfteach's MutableHashTable has no anonymous mode "
                                      "(experimental_is_anonymous=True)")
        self._default_value = _ops.convert_to_tensor(default_value, dtype=value_dtype)
        self._value_shape = self._default_value.shape
        self._checkpoint = checkpoint
        self._name = name
        self._shared_name = None
        if _ops.executing_eagerly():
            self._shared_name = "table_%d" % _ops_uid()
        super().__init__(key_dtype, value_dtype)
        self._resource_handle = self._create_resource()
        if checkpoint and not _ops.executing_eagerly():
            # TF's graph-mode saveable reads the table through an export made now
            saveable = _TableSaveable(self, name)
            _ops.get_default_graph().add_to_collection("saveable_objects", saveable)

    def _create_resource(self):
        attrs = {"shared_name": self._shared_name or "",
                 "use_node_name_sharing": self._checkpoint and self._shared_name is None,
                 "key_dtype": self._key_dtype, "value_dtype": self._value_dtype,
                 "container": ""}
        if self._default_value.shape.rank == 0:
            ref = apply_op("MutableHashTableV2", [], attrs, name=self._name)[0]
        else:
            attrs["value_shape"] = self._default_value.shape
            ref = apply_op("MutableHashTableOfTensorsV2", [], attrs, name=self._name)[0]
        self._table_name = None if _eager_tensor(ref) else ref.op.name.split("/")[-1]
        return ref

    @property
    def name(self):
        return self._table_name

    @registry.api("LookupTableRemoveV2")
    def remove(self, keys, name=None):
        """Removes the keys (those not in the table are ignored)."""
        if keys.dtype != self._key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be {self._key_dtype}, "
                            f"received: {keys.dtype}")
        with _ops.name_scope(name, f"{self.name}_lookup_table_remove",
                             (self.resource_handle, keys, self._default_value)):
            return _no_output_op("LookupTableRemoveV2", [self.resource_handle, keys],
                                 name="LookupTableRemoveV2")

    def lookup(self, keys, dynamic_default_values=None, name=None):
        """Each key's value; the default value (or, per key, `dynamic_default_values`)
        for keys not in the table."""
        with _ops.name_scope(name, f"{self.name}_lookup_table_find",
                             (self.resource_handle, keys, self._default_value)):
            keys = _ops.convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
            default = dynamic_default_values if dynamic_default_values is not None \
                else self._default_value
            return apply_op("LookupTableFindV2", [self.resource_handle, keys, default],
                            name="LookupTableFindV2")[0]

    @registry.api("LookupTableInsertV2")
    def insert(self, keys, values, name=None):
        """Sets each key's value (adding the keys not yet in the table)."""
        with _ops.name_scope(name, f"{self.name}_lookup_table_insert",
                             [self.resource_handle, keys, values]):
            keys = _ops.convert_to_tensor(keys, self._key_dtype, name="keys")
            values = _ops.convert_to_tensor(values, self._value_dtype, name="values")
            return _no_output_op("LookupTableInsertV2", [self.resource_handle, keys, values],
                                 name="LookupTableInsertV2")


class _TableSaveable:
    """A graph's MutableHashTable in the "saveable_objects" collection (TF's SaveableObject
    of the table, its export made when the table is). tfteach's Saver refuses it with a
    message rather than leaving the table out of a checkpoint."""

    def __init__(self, table, name):
        self.op = table
        self.name = name
        self.specs = table.export()


class DenseHashTable(_MutableTable):
    """A mutable hash table of open addressing (TF's MutableDenseHashTable): two keys no
    entry may use (`empty_key`, `deleted_key`) mark free and removed slots; the buckets
    double when an insert would fill more than 80% of them. Its export is the whole bucket
    array, free slots included."""

    @registry.api("MutableDenseHashTableV2")
    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name="MutableDenseHashTable", checkpoint=True,
                 experimental_is_anonymous=False):
        if experimental_is_anonymous:
            raise NotImplementedError("tfteach's DenseHashTable has no anonymous mode "
                                      "(experimental_is_anonymous=True)")
        self._default_value = _ops.convert_to_tensor(default_value, dtype=value_dtype,
                                                     name="default_value")
        self._initial_num_buckets = initial_num_buckets
        self._value_shape = self._default_value.shape
        self._checkpoint = checkpoint
        self._name = name
        self._empty_key = empty_key
        self._deleted_key = deleted_key
        self._shared_name = None
        if _ops.executing_eagerly():
            self._shared_name = "table_%d" % _ops_uid()
        super().__init__(key_dtype, value_dtype)
        self._resource_handle = self._create_resource()
        if checkpoint and not _ops.executing_eagerly():
            _ops.get_default_graph().add_to_collection("saveable_objects",
                                                       _TableSaveable(self, name))

    def _create_resource(self):
        empty_key = _ops.convert_to_tensor(self._empty_key, dtype=self._key_dtype,
                                           name="empty_key")
        deleted_key = _ops.convert_to_tensor(self._deleted_key, dtype=self._key_dtype,
                                             name="deleted_key")
        attrs = {"shared_name": self._shared_name or "",
                 "use_node_name_sharing": self._checkpoint and self._shared_name is None,
                 "value_dtype": self._value_dtype, "value_shape": self._value_shape,
                 "container": ""}
        if self._initial_num_buckets is not None:
            attrs["initial_num_buckets"] = int(self._initial_num_buckets)
        ref = apply_op("MutableDenseHashTableV2", [empty_key, deleted_key], attrs,
                       name=self._name)[0]
        self._table_name = None if _eager_tensor(ref) else ref.op.name.split("/")[-1]
        return ref

    @property
    def name(self):
        return self._table_name

    def lookup(self, keys, name=None):
        with _ops.name_scope(name, f"{self.name}_lookup_table_find",
                             [self.resource_handle, keys]):
            keys = _ops.convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
            return apply_op("LookupTableFindV2",
                            [self.resource_handle, keys, self._default_value],
                            name="LookupTableFindV2")[0]

    def insert_or_assign(self, keys, values, name=None):
        """Sets each key's value (adding the keys not yet in the table)."""
        with _ops.name_scope(name, f"{self.name}_lookup_table_insert",
                             [self.resource_handle, keys, values]):
            keys = _ops.convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
            values = _ops.convert_to_tensor(values, dtype=self._value_dtype, name="values")
            return _no_output_op("LookupTableInsertV2", [self.resource_handle, keys, values],
                                 name="LookupTableInsertV2")

    def insert(self, keys, values, name=None):
        return self.insert_or_assign(keys, values, name)

    def erase(self, keys, name=None):
        """Removes the keys (their slots become the deleted key's)."""
        if keys.dtype != self._key_dtype:
            raise TypeError(f"Signature mismatch. Keys must be dtype {self._key_dtype}, got "
                            f"{keys.dtype}.")
        with _ops.name_scope(name, f"{self.name}_lookup_table_remove",
                             (self.resource_handle, keys, self._default_value)):
            return _no_output_op("LookupTableRemoveV2", [self.resource_handle, keys],
                                 name="LookupTableRemoveV2")

    def remove(self, keys, name=None):
        return self.erase(keys, name)


# --- TF1 -------------------------------------------------------------------------------------

def tables_initializer(name="init_all_tables"):
    """The op that fills every table of the default graph (a NoOp when it has none)."""
    from . import control_flow_ops
    inits = _ops.get_default_graph().get_collection(_ops.GraphKeys.TABLE_INITIALIZERS)
    if inits:
        return control_flow_ops.group(*inits, name=name)
    return control_flow_ops.no_op(name=name)


def initialize_all_tables(name="init_all_tables"):
    return tables_initializer(name)


class _Namespace:
    """`tf.lookup.experimental`."""

    def __init__(self, **names):
        self.__dict__.update(names)

    def __repr__(self):
        return "<module 'tf.lookup.experimental'>"


experimental = _Namespace(DenseHashTable=DenseHashTable, MutableHashTable=MutableHashTable)
