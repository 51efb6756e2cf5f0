"""TFRecord files from Python (TF's `lib/io/tf_record.py`): `tf.io.TFRecordWriter`,
`tf.io.TFRecordOptions`, and TF1's `tf.io.TFRecordCompressionType` and
`tf.io.tf_record_iterator` (also under `tf.compat.v1.python_io`).

The file format, compression included, is kernels/tfrecord.py, shared with
tf.data.TFRecordDataset and the event files: what these write TensorFlow reads, and the
other way round. These are plain Python objects, not ops (TF's are C++ objects wrapped for
Python, outside any graph).
"""

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter",
           "tf_record_iterator"]


class TFRecordCompressionType:
    """The compression of a TFRecord file, as TF1 numbers it."""
    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """How a TFRecord file is compressed: `compression_type` "GZIP", "ZLIB" or "" (None:
    none), and zlib's settings, each left to TF's default when None (flush mode Z_NO_FLUSH,
    256 KiB buffers, 15 window bits (+16 for gzip), level 6, memory level 9, the default
    strategy). The settings apply to writing; a reader takes only the compression type."""
    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.get_compression_type_string(compression_type)
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """"ZLIB", "GZIP" or "" for a TFRecordOptions, a TFRecordCompressionType value or
        one of those strings; ValueError for anything else."""
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if options in cls.compression_type_map:
            return cls.compression_type_map[options]
        if options in cls.compression_type_map.values():
            return options
        raise ValueError(f'Not a valid compression_type: "{options}"')

    def _zlib_options(self):
        from ..kernels import tfrecord as _format
        compression = self.get_compression_type_string(self.compression_type)
        return _format.ZlibOptions(compression, **{k: getattr(self, k)
                                                   for k in _format.ZlibOptions.FIELDS})


def _path(path, what):
    if isinstance(path, bytes):
        return path.decode()
    if isinstance(path, str):
        return path
    raise what(path)


def _writer_path_error(path):
    return TypeError(f"Expected binary or unicode string, got {path!r}")


class TFRecordWriter:
    """Writes records to a TFRecord file: `write(record)` (bytes, or str written as UTF-8),
    `flush()`, `close()`, and `with` closes it. `options` is a TFRecordOptions, a
    TFRecordCompressionType value or a compression string."""

    def __init__(self, path, options=None):
        if not isinstance(options, TFRecordOptions):
            options = TFRecordOptions(compression_type=options)
        path = _path(path, _writer_path_error)
        compression = options.get_compression_type_string(options.compression_type)
        from ..kernels import tfrecord as _format
        self._w = _format.RecordWriter(path, compression,
                                       options._zlib_options() if compression else None)

    def write(self, record):
        """Writes one record."""
        if isinstance(record, str):
            record = record.encode()
        elif not isinstance(record, bytes):
            # the words of TF's C++ binding, which takes a string
            raise TypeError(
                "write(): incompatible function arguments. The following argument types are "
                "supported:\n    1. (self: tensorflow.python.lib.io._pywrap_record_io."
                f"RecordWriter, record: str) -> None\n\nInvoked with: {self!r}, {record!r}")
        self._w.write(record)

    def flush(self):
        """Writes what is buffered to the file (a compressed stream is flushed with
        Z_PARTIAL_FLUSH, so that a reader can inflate everything written so far)."""
        self._w.flush()

    def close(self):
        """Finishes the file; closing twice is harmless, writing after it is not."""
        self._w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        w = getattr(self, "_w", None)
        if w is not None and not w.closed:
            try:
                w.close()
            except Exception:        # noqa: BLE001 - a finalizer must not raise
                pass


class _RecordIterator:
    """What `tf_record_iterator` returns: the records, as bytes, read as iterated."""

    def __init__(self, path, compression):
        from ..kernels import tfrecord as _format
        self._it = _format.RecordIterator(path, compression)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)


def _iterator_path_error(path):
    return TypeError("__init__(): incompatible constructor arguments. The following argument "
                     "types are supported:\n    1. tensorflow.python.lib.io._pywrap_record_io."
                     f"RecordIterator(arg0: str, arg1: str)\n\nInvoked with: {path!r}, ''")


def tf_record_iterator(path, options=None):
    """An iterator over the records of the TFRecord file `path` (TF1's way to read one;
    TF2 uses tf.data.TFRecordDataset). A missing file raises NotFoundError here; a corrupted
    record raises DataLossError when it is reached."""
    compression = TFRecordOptions.get_compression_type_string(options)
    return _RecordIterator(_path(path, _iterator_path_error), compression)

