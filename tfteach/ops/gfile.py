"""tf.io.gfile: TF's file API (GFile, exists, glob, listdir, makedirs, ...) over the local
file system, with TF's error classes and messages (NotFoundError "<path>; No such file or
directory", AlreadyExistsError "file already exists", ...).

TF routes these through its FileSystem plugins (gs://, s3://, hdfs://, ...); tfteach has only
the local one, and a path with another scheme raises UnimplementedError naming the scheme.
"""
import glob as _glob
import os
import shutil

from .. import errors


def _path(p):
    p = os.fspath(p)
    p = p.decode() if isinstance(p, bytes) else p
    if "://" in p and not p.startswith("file://"):
        raise errors.UnimplementedError(None, None, f"File system scheme '{p.split('://')[0]}'"
                                        " not implemented (file: " + p + ")")
    return p[len("file://"):] if p.startswith("file://") else p


def _not_found(p):
    return errors.NotFoundError(None, None, f"{p}; No such file or directory")


def get_registered_schemes():
    """The URI schemes with a file system: tfteach has the local one."""
    return ["", "file"]


def exists(path):
    return os.path.exists(_path(path))


def isdir(path):
    return os.path.isdir(_path(path))


def join(path, *paths):
    return os.path.join(path, *paths)


def listdir(path):
    p = _path(path)
    if not os.path.isdir(p):
        raise errors.NotFoundError(None, None, f"Could not find directory {p}")
    return os.listdir(p)


def glob(pattern):
    pats = [pattern] if isinstance(pattern, (str, bytes, os.PathLike)) else list(pattern)
    out = []
    for pat in pats:
        out.extend(sorted(_glob.glob(_path(pat))))
    return out


def makedirs(path):
    os.makedirs(_path(path), exist_ok=True)


def mkdir(path):
    p = _path(path)
    if os.path.isdir(p):
        return      # TF: an existing directory is no error
    try:
        os.mkdir(p)
    except FileNotFoundError:
        raise _not_found(p) from None


def remove(path):
    p = _path(path)
    try:
        os.remove(p)
    except FileNotFoundError:
        raise _not_found(p) from None


def rmtree(path):
    p = _path(path)
    if not os.path.exists(p):
        raise errors.NotFoundError(None, None, f"{p} not found")
    shutil.rmtree(p)


def copy(src, dst, overwrite=False):
    s, d = _path(src), _path(dst)
    if not overwrite and os.path.exists(d):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    if not os.path.exists(s):
        raise _not_found(s)
    shutil.copyfile(s, d)


def rename(src, dst, overwrite=False):
    s, d = _path(src), _path(dst)
    if not overwrite and os.path.exists(d):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    if not os.path.exists(s):
        raise _not_found(s)
    os.replace(s, d)


class FileStatistics:
    """What gfile.stat returns: length (bytes), mtime_nsec, is_directory."""

    def __init__(self, length, mtime_nsec, is_directory):
        self.length, self.mtime_nsec, self.is_directory = length, mtime_nsec, is_directory


def stat(path):
    p = _path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise _not_found(p) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(p))


def walk(top, topdown=True, onerror=None):
    """(dirname, subdirectories, files) for each directory under `top`, as os.walk."""
    top = _path(top)
    if not os.path.isdir(top):
        return
    for entry in os.walk(top, topdown=topdown, onerror=onerror):
        yield entry


class GFile:
    """A file opened lazily (as TF's: a missing file fails at the first read): text modes
    read and write str, 'b' modes bytes."""

    _MODES = ("r", "w", "a", "r+", "w+", "a+")

    def __init__(self, name, mode="r"):
        if mode.replace("b", "") not in self._MODES:
            raise errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self.name = _path(name)
        self.mode = mode
        self._f = None

    def _file(self):
        if self._f is None:
            m = self.mode if "b" in self.mode else self.mode + "b"
            try:
                self._f = open(self.name, m)
            except FileNotFoundError:
                raise _not_found(self.name) from None
        return self._f

    def _out(self, data):
        return data if "b" in self.mode else data.decode("utf-8")

    def read(self, n=-1):
        return self._out(self._file().read(n))

    def readline(self):
        return self._out(self._file().readline())

    def readlines(self):
        return [self._out(line) for line in self._file().readlines()]

    def __iter__(self):
        return iter(self.readlines())

    def write(self, data):
        self._file().write(data.encode("utf-8") if isinstance(data, str) else bytes(data))

    def seek(self, offset=None, whence=0, position=None):
        self._file().seek(position if offset is None else offset, whence)

    def tell(self):
        return self._file().tell()

    def size(self):
        return os.stat(self.name).st_size

    def flush(self):
        if self._f is not None:
            self._f.flush()

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None

    def seekable(self):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


Open = GFile
