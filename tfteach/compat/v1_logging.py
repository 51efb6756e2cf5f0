"""`tf.compat.v1.logging`: TF1's logging helpers over Python's `logging`.

TF logs through the Python logger named "tensorflow"; tfteach's own logger is "tfteach"
(`tf.get_logger()`), so `tf.logging.set_verbosity(tf.logging.INFO)` controls what tfteach
itself reports. TF2's `tf.get_logger()` is the same logger: one behaviour for both namespaces.
It keeps the name "tfteach" rather than TF's "tensorflow" so that a notebook that imports real
TensorFlow beside tfteach (to compare them) can set each library's level apart. Levels are Python's: DEBUG 10, INFO 20, WARN 30, ERROR 40, FATAL 50.
"""
import logging as _logging
import sys as _sys

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_logger = None


def get_logger():
    """The logger tfteach writes to; the first call gives it a stderr handler, as TF does,
    unless the application configured logging already."""
    global _logger
    if _logger is None:
        logger = _logging.getLogger("tfteach")
        if not _logging.getLogger().handlers and not logger.handlers:
            handler = _logging.StreamHandler(_sys.stderr)
            handler.setFormatter(_logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
            logger.addHandler(handler)
        if logger.level == _logging.NOTSET:
            logger.setLevel(_logging.WARN)
        _logger = logger
    return _logger


def log(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def flush():
    for h in get_logger().handlers:
        h.flush()


def get_verbosity():
    return get_logger().getEffectiveLevel()


def set_verbosity(v):
    get_logger().setLevel(v)


_counts = {}


def _count(key):
    n = _counts.get(key, 0)
    _counts[key] = n + 1
    return n


def _caller():
    f = _sys._getframe(2)
    return f.f_code.co_filename, f.f_lineno


def log_every_n(level, msg, n, *args):
    """Logs the 1st, (n+1)th, (2n+1)th... time this line runs."""
    if _count(_caller()) % max(n, 1) == 0:
        log(level, msg, *args)


def log_first_n(level, msg, n, *args):
    if _count(_caller()) < n:
        log(level, msg, *args)


def log_if(level, msg, condition, *args):
    if condition:
        log(level, msg, *args)

