"""TFRecord files, written and read byte for byte as TensorFlow 2.21 does.

A TFRecord file is a sequence of records, each

    uint64 length (little endian) | uint32 masked CRC-32C of the length bytes |
    data | uint32 masked CRC-32C of the data

optionally inside one zlib or gzip stream. TensorFlow's event files (tf.summary), its
`TFRecordWriter` and `TFRecordDataset` all use this framing; tf.summary's writer, the viewer's
event reader (viz/events.py), tf.io.TFRecordWriter / tf_record_iterator (ops/tf_record.py) and
tf.data.TFRecordDataset (data/) share this one implementation.

Compression follows TF's ZlibOutputBuffer, so that compressed files are TF's bytes too: the
bytes written go to an input buffer (256 KiB) that is deflated with the options' flush mode
(Z_NO_FLUSH unless told) when the next write does not fit, a write larger than the buffer is
deflated directly, `flush()` deflates with Z_PARTIAL_FLUSH and `close()` with Z_FINISH; zlib's
defaults are TF's (level 6, window 15 bits, +16 for gzip, memory level 9). Reading follows
TF's RecordReader: a header cut short ends the file quietly, a cut record body or a checksum
that does not match is a DataLossError naming the offset.
"""
__toolkit__ = True   # shared machinery (a file format): registers no kernels
import struct
import zlib

from .. import errors
from ._table import masked_crc32c

HEADER = 12                       # length + its checksum
FOOTER = 4                        # the data's checksum
COMPRESSIONS = ("", "ZLIB", "GZIP")
_BUFFER = 256 << 10               # TF's zlib input/output buffer and reader buffer size


def frame(record):
    """One record as it is stored (uncompressed)."""
    head = struct.pack("<Q", len(record))
    return b"".join((head, struct.pack("<I", masked_crc32c(head)), record,
                     struct.pack("<I", masked_crc32c(record))))


def open_error(path, e):
    """TF's error for a file that cannot be opened: its class and its words."""
    if isinstance(e, IsADirectoryError):
        return errors.FailedPreconditionError(None, None, f"{path}; Is a directory")
    if isinstance(e, PermissionError):
        return errors.PermissionDeniedError(None, None, f"{path}; Permission denied")
    if isinstance(e, FileNotFoundError):
        return errors.NotFoundError(None, None, f"{path}; No such file or directory")
    return errors.UnknownError(None, None, f"{path}; {e.strerror or e}")


# --- writing ---------------------------------------------------------------------------------

class ZlibOptions:
    """TF's ZlibCompressionOptions: its defaults, any of them replaced by a given value."""
    FIELDS = ("flush_mode", "input_buffer_size", "output_buffer_size", "window_bits",
              "compression_level", "compression_method", "mem_level", "compression_strategy")

    def __init__(self, compression, **given):
        self.flush_mode = zlib.Z_NO_FLUSH
        self.input_buffer_size = _BUFFER
        self.output_buffer_size = _BUFFER
        self.window_bits = zlib.MAX_WBITS + (16 if compression == "GZIP" else 0)
        self.compression_level = zlib.Z_DEFAULT_COMPRESSION
        self.compression_method = zlib.DEFLATED
        self.mem_level = 9
        self.compression_strategy = zlib.Z_DEFAULT_STRATEGY
        for k, v in given.items():
            if v is not None:
                setattr(self, k, int(v))


class _Deflater:
    """TF's ZlibOutputBuffer over a Python file."""

    def __init__(self, f, o):
        if o.output_buffer_size <= 1:
            raise errors.InvalidArgumentError(None, None, "output_buffer_bytes should be "
                                                          "greater than 1")
        try:
            self._z = zlib.compressobj(o.compression_level, o.compression_method,
                                       o.window_bits, o.mem_level, o.compression_strategy)
        except ValueError:
            # zlib's Z_STREAM_ERROR; TF stops the process here, tfteach raises
            raise errors.InvalidArgumentError(None, None,
                                              "deflateInit failed with status-2") from None
        self._f, self._o = f, o
        self._in = bytearray()
        self._out = bytearray()

    def _deflate(self, data, mode):
        out = self._z.compress(bytes(data)) if data else b""
        if mode != zlib.Z_NO_FLUSH:
            # with no new input zlib writes no second marker after the same flush, as TF's
            # single deflate(mode) call would not
            out += self._z.flush(mode)
        self._out += out
        if len(self._out) >= self._o.output_buffer_size:
            self._spill()

    def _spill(self):
        self._f.write(self._out)
        self._out.clear()

    def append(self, data):
        if len(data) <= self._o.input_buffer_size - len(self._in):
            self._in += data
            return
        self._deflate(self._in, self._o.flush_mode)
        self._in.clear()
        if len(data) <= self._o.input_buffer_size:
            self._in += data
        else:
            self._deflate(data, self._o.flush_mode)

    def flush(self):
        self._deflate(self._in, zlib.Z_PARTIAL_FLUSH)
        self._in.clear()
        self._spill()

    def close(self):
        self._f.write(self._out + self._z.compress(bytes(self._in)) + self._z.flush())
        self._in.clear()
        self._out.clear()


class RecordWriter:
    """Writes records to `path` (created or truncated) with compression "", "ZLIB" or
    "GZIP"; `zlib_options` is a ZlibOptions."""

    def __init__(self, path, compression="", zlib_options=None):
        try:
            self._f = open(path, "wb")
        except OSError as e:
            raise open_error(path, e) from None
        self._z = None
        if compression:
            try:
                self._z = _Deflater(self._f, zlib_options or ZlibOptions(compression))
            except Exception:
                self._f.close()
                raise

    @property
    def closed(self):
        return self._f is None

    def _check(self):
        if self._f is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")

    def write(self, record):
        self._check()
        data = frame(record)
        if self._z is None:
            self._f.write(data)
        else:
            # TF appends header, data and footer one after another: their sizes decide when
            # the input buffer is deflated
            n = len(record)
            self._z.append(data[:HEADER])
            self._z.append(data[HEADER:HEADER + n])
            self._z.append(data[HEADER + n:])

    def flush(self):
        self._check()
        if self._z is not None:
            self._z.flush()
        self._f.flush()

    def close(self):
        if self._f is None:
            return
        try:
            if self._z is not None:
                self._z.close()
        finally:
            self._f.close()
            self._f = None


def compression_or_none(compression):
    """A compression type as TF's record reader and writer take it: an unknown one is
    logged and means none."""
    c = compression.decode() if isinstance(compression, bytes) else str(compression)
    if c not in COMPRESSIONS:
        import logging
        logging.getLogger("tfteach").error(
            "Unsupported compression_type:%s. No compression will be used.", c)
        return ""
    return c


def write_dataset(elements, filename, compression):
    """Writes a dataset's elements (flat lists holding one scalar string) as records, as
    TF's DatasetToTFRecord does."""
    filename = filename.decode() if isinstance(filename, bytes) else str(filename)
    w = RecordWriter(filename, compression_or_none(compression))
    try:
        for elem in elements:
            v = elem[0]
            v = v[()] if hasattr(v, "ndim") else v
            w.write(v.encode() if isinstance(v, str) else bytes(v))
    finally:
        w.close()


# --- reading ---------------------------------------------------------------------------------

class _Plain:
    """An uncompressed file (its reads are buffered by the open file)."""
    end_words = "Read less bytes than requested"

    def __init__(self, f):
        self._f = f

    def read(self, n):
        return self._f.read(n)


class _Inflater:
    """TF's ZlibInputStream: the file's zlib or gzip stream inflated as it is read;
    concatenated gzip members are read one after another."""
    end_words = "EOF reached"

    def __init__(self, f, buffer_size, wbits):
        self._f, self._chunk, self._wbits = f, buffer_size or _BUFFER, wbits
        self._z = zlib.decompressobj(wbits)
        self._buf = bytearray()
        self._eof = False

    def _fill(self):
        if self._z.eof:                  # a gzip member ended: the next one starts afresh
            pending = self._z.unused_data
            self._z = zlib.decompressobj(self._wbits)
        else:
            pending = self._z.unconsumed_tail
        if not pending:
            pending = self._f.read(self._chunk)
            if not pending:
                self._eof = True
                return
        try:
            self._buf += self._z.decompress(pending, _BUFFER)
        except zlib.error as e:
            raise _inflate_error(e) from None

    def read(self, n):
        while len(self._buf) < n and not self._eof:
            self._fill()
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


def _inflate_error(e):
    """Python's zlib.error ("Error -3 while decompressing data: incorrect header check") in
    TF's words."""
    text = str(e)
    code, _, why = text.partition(" while decompressing data: ")
    code = code.replace("Error ", "")
    return errors.DataLossError(None, None, f"inflate() failed with error {code}: {why}")


class RecordIterator:
    """The records of the TFRecord file `path` as TF's RecordReader reads them. The file is
    opened at once (a missing file fails here), read as iterated."""

    def __init__(self, path, compression="", buffer_size=None):
        try:
            # the read size; Python's 1 would mean line buffering, so 2 bytes is the least
            buffering = -1 if buffer_size is None else 0 if buffer_size == 0 else \
                max(2, buffer_size)
            self._f = open(path, "rb", buffering=buffering)
        except OSError as e:
            raise open_error(path, e) from None
        self._path = path
        if compression:
            wbits = zlib.MAX_WBITS + (16 if compression == "GZIP" else 0)
            self._src = _Inflater(self._f, buffer_size, wbits)
        else:
            self._src = _Plain(self._f)
        self._offset = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self._f is None:
            raise StopIteration
        try:
            return self._next()
        except StopIteration:
            self.close()
            raise
        except OSError as e:             # a directory opens and then fails to read
            self.close()
            raise open_error(self._path, e) from None
        except Exception:
            self.close()
            raise

    def _next(self):
        src, offset = self._src, self._offset
        head = src.read(HEADER)
        if len(head) < HEADER:
            raise StopIteration
        if struct.unpack("<I", head[8:])[0] != masked_crc32c(head[:8]):
            hint = " (Is this even a TFRecord file?)" if offset == 0 else ""
            raise errors.DataLossError(None, None, f"corrupted record at {offset}{hint}")
        (n,) = struct.unpack("<Q", head[:8])
        body = src.read(n + FOOTER)
        if len(body) < n + FOOTER:
            raise errors.DataLossError(None, None, f"truncated record at {offset}' failed "
                                                   f"with {src.end_words}")
        data = body[:n]
        if struct.unpack("<I", body[n:])[0] != masked_crc32c(data):
            raise errors.DataLossError(None, None, f"corrupted record at {offset + HEADER}")
        self._offset = offset + HEADER + n + FOOTER
        return data

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None


def iter_records(path, compression="", buffer_size=None):
    """Yields the records of `path`; the file is opened when the first one is asked for
    (as a TFRecordDataset opens its files while it is iterated)."""
    it = RecordIterator(path, compression, buffer_size)
    try:
        yield from it
    finally:
        it.close()


def tail_records(path, offset=0):
    """Yields (record, end offset) of an uncompressed TFRecord file from `offset`, without
    checking checksums, and stops quietly at a record not completely written yet: a reader
    following a file another process is still appending to (an event file being written)."""
    with open(path, "rb") as f:
        f.seek(offset)
        while True:
            head = f.read(HEADER)
            if len(head) < HEADER:
                return
            (n,) = struct.unpack("<Q", head[:8])
            data = f.read(n)
            tail = f.read(FOOTER)
            if len(data) < n or len(tail) < FOOTER:
                return
            offset += HEADER + n + FOOTER
            yield data, offset

