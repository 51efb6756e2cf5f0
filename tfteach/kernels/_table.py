"""LevelDB's sorted-table file format, as TensorFlow's checkpoint index (`<prefix>.index`) uses
it: sorted key/value entries in prefix-compressed blocks, an index block of block handles, and
a fixed 48-byte footer. Written uncompressed, as TF writes it; any uncompressed table reads.

    block    entries (varint32 shared, varint32 unshared, varint32 value length, key suffix,
             value), then fixed32 restart offsets and their count; a 5-byte trailer follows
             every block: a compression byte (0: none) and the masked CRC-32C of block + byte
    footer   varint handles (offset, size) of the metaindex and index blocks, zero-padded to
             40 bytes, then the magic number 0xdb4775248b80fb57 as fixed64
"""
__toolkit__ = True   # shared machinery (the sorted-table file format): registers no kernels
import struct

from .. import errors

MAGIC = 0xdb4775248b80fb57
FOOTER_LEN = 48
BLOCK_SIZE = 256 * 1024        # TF's table::Options default
RESTART_INTERVAL = 16


def _crc32c(data):
    try:
        import google_crc32c
    except ImportError:
        raise ImportError("TensorFlow's file formats (checkpoints, TFRecord files) need the "
                          "`google-crc32c` package: pip install 'tfteach[formats]'") from None
    return google_crc32c.value(bytes(data))


def masked_crc32c(data):
    """TF's and LevelDB's stored checksums are CRC-32C rotated and offset ("masked"), so that a
    checksum stored inside checksummed data does not checksum to a fixed value."""
    c = _crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xa282ead8) & 0xffffffff


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_varint(buf, pos, path):
    shift = result = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _corrupt(path, "a varint runs past its block")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7f) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _corrupt(path, what):
    return errors.DataLossError(None, None, f"Unable to read checkpoint index {path}: {what} "
                                            f"(truncated or corrupted file)")


# --- writing ---------------------------------------------------------------------------------

class _BlockBuilder:
    def __init__(self):
        self.buf = bytearray()
        self.restarts = [0]
        self.count = 0
        self.last = b""

    def add(self, key, value):
        shared = 0
        if self.count < RESTART_INTERVAL:
            n = min(len(key), len(self.last))
            while shared < n and key[shared] == self.last[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.count = 0
        self.buf += varint(shared) + varint(len(key) - shared) + varint(len(value))
        self.buf += key[shared:] + value
        self.last = key
        self.count += 1

    def finish(self):
        return bytes(self.buf) + b"".join(struct.pack("<I", r) for r in self.restarts) + \
            struct.pack("<I", len(self.restarts))

    def size(self):
        return len(self.buf) + 4 * len(self.restarts) + 4


def _successor(key):
    """The shortest key >= `key` (LevelDB's FindShortSuccessor): an index entry past a block's
    last key."""
    for i, b in enumerate(key):
        if b != 0xff:
            return key[:i] + bytes([b + 1])
    return key


def _separator(start, limit):
    """A short key in [start, limit) (LevelDB's FindShortestSeparator)."""
    n = 0
    while n < min(len(start), len(limit)) and start[n] == limit[n]:
        n += 1
    if n < min(len(start), len(limit)):
        b = start[n]
        if b < 0xff and b + 1 < limit[n]:
            return start[:n] + bytes([b + 1])
    return start


def build(items):
    """The bytes of a table holding `items`, (key bytes, value bytes) in sorted key order."""
    out = bytearray()
    index = _BlockBuilder()
    block = _BlockBuilder()
    pending = None                   # (last key of the finished block, its handle)

    def write_block(contents):
        offset = len(out)
        out.extend(contents)
        out.extend(b"\0" + struct.pack("<I", masked_crc32c(contents + b"\0")))
        return varint(offset) + varint(len(contents))

    prev = None
    for key, value in items:
        if prev is not None and key <= prev:
            raise ValueError(f"table keys must be added in increasing order: {key!r} after "
                             f"{prev!r}")
        if pending is not None:
            index.add(_separator(pending[0], key), pending[1])
            pending = None
        block.add(key, value)
        prev = key
        if block.size() >= BLOCK_SIZE:
            pending = (key, write_block(block.finish()))
            block = _BlockBuilder()
    if block.count or not items:
        pending = (prev or b"", write_block(block.finish()))
    if pending is not None:
        index.add(_successor(pending[0]), pending[1])
    meta_handle = write_block(_BlockBuilder().finish())
    index_handle = write_block(index.finish())
    footer = meta_handle + index_handle
    out.extend(footer + b"\0" * (40 - len(footer)) + struct.pack("<Q", MAGIC))
    return bytes(out)


# --- reading ---------------------------------------------------------------------------------

def _block(data, handle_bytes, path):
    off, pos = read_varint(handle_bytes, 0, path)
    size, _ = read_varint(handle_bytes, pos, path)
    end = off + size
    if end + 5 > len(data):
        raise _corrupt(path, "a block lies past the end of the file")
    contents = data[off:end]
    kind = data[end]
    (crc,) = struct.unpack_from("<I", data, end + 1)
    if masked_crc32c(contents + bytes([kind])) != crc:
        raise _corrupt(path, "block checksum mismatch")
    if kind != 0:
        raise errors.DataLossError(None, None, f"Unable to read checkpoint index {path}: "
                                               f"compressed blocks (type {kind}) are not "
                                               f"supported; TensorFlow writes them "
                                               f"uncompressed")
    return contents


def _entries(block, path):
    if len(block) < 4:
        raise _corrupt(path, "a block is too short")
    (n_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * n_restarts
    if end < 0:
        raise _corrupt(path, "bad restart array")
    pos, last = 0, b""
    while pos < end:
        shared, pos = read_varint(block, pos, path)
        unshared, pos = read_varint(block, pos, path)
        vlen, pos = read_varint(block, pos, path)
        if shared > len(last) or pos + unshared + vlen > end:
            raise _corrupt(path, "an entry runs past its block")
        key = last[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + vlen]
        pos += vlen
        last = key


def read(data, path):
    """[(key, value)] of a table's bytes, in order."""
    if len(data) < FOOTER_LEN:
        raise _corrupt(path, "shorter than a table footer")
    (magic,) = struct.unpack_from("<Q", data, len(data) - 8)
    if magic != MAGIC:
        raise _corrupt(path, "not an sstable (bad magic number)")
    footer = data[len(data) - FOOTER_LEN:len(data) - 8]
    _meta, pos = read_varint(footer, 0, path)
    _meta, pos = read_varint(footer, pos, path)
    index = _block(data, footer[pos:], path)
    out = []
    for _key, handle in _entries(index, path):
        out.extend(_entries(_block(data, handle, path), path))
    return out
