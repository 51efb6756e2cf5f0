"""`tf.compat.v1.flags` (also `tf.compat.v1.app.flags`): command-line flags.

TensorFlow's flags are absl-py's (`absl.flags`), re-exported with two TF1 habits kept:
`FLAGS.name` read before anything was parsed parses `sys.argv` first (absl alone raises
UnparsedFlagAccessError), and the DEFINE_* functions still take the old keyword names
`flag_name`, `default_value`, `docstring` (with a deprecation warning). tfteach does the
same over absl when it is installed, else over its own subset (compat/_flags_lite.py).
"""
import functools
import logging
import sys

try:
    from absl import flags as _impl
    USING_ABSL = True
except ImportError:
    from . import _flags_lite as _impl
    USING_ABSL = False

# The DEFINE_* wrappers below live here: leave this module out when absl looks for the
# module that defined a flag (it is the user's script that did).
_impl.disclaim_key_flags()

_RENAMED = {"flag_name": "name", "default_value": "default", "docstring": "help"}


def _accept_old_keywords(define):
    @functools.wraps(define)
    def wrapper(*args, **kwargs):
        renamed = False
        for old, new in _RENAMED.items():
            if old in kwargs:
                kwargs[new] = kwargs.pop(old)
                renamed = True
        if renamed:
            logging.warning("Use of the keyword argument names (flag_name, default_value, "
                            "docstring) is deprecated, please use (name, default, help) "
                            "instead.")
        return define(*args, **kwargs)
    return wrapper


DEFINE_string = _accept_old_keywords(_impl.DEFINE_string)
DEFINE_boolean = _accept_old_keywords(_impl.DEFINE_boolean)
DEFINE_bool = DEFINE_boolean
DEFINE_float = _accept_old_keywords(_impl.DEFINE_float)
DEFINE_integer = _accept_old_keywords(_impl.DEFINE_integer)


class _FlagValuesWrapper:
    """The FLAGS object: absl's, except that reading a flag before any parse parses
    sys.argv (as TF 1.x scripts expect when they never call tf.app.run)."""

    def __init__(self, flag_values):
        self.__dict__["_wrapped"] = flag_values

    def __getattribute__(self, name):
        if name == "__dict__":
            return super().__getattribute__(name)
        # the wrapped object's own attributes (methods) only: a flag's name is not one, so
        # reading it falls through to __getattr__ below, which parses first
        wrapped = self.__dict__["_wrapped"]
        return type(wrapped).__getattribute__(wrapped, name)

    def __getattr__(self, name):
        wrapped = self.__dict__["_wrapped"]
        if not wrapped.is_parsed():
            wrapped(sys.argv)
        return getattr(wrapped, name)

    def __setattr__(self, name, value):
        return setattr(self.__dict__["_wrapped"], name, value)

    def __delattr__(self, name):
        return delattr(self.__dict__["_wrapped"], name)

    def __dir__(self):
        return dir(self.__dict__["_wrapped"])

    def __getitem__(self, name):
        return self.__dict__["_wrapped"][name]

    def __setitem__(self, name, flag):
        self.__dict__["_wrapped"][name] = flag

    def __contains__(self, name):
        return name in self.__dict__["_wrapped"]

    def __len__(self):
        return len(self.__dict__["_wrapped"])

    def __iter__(self):
        return iter(self.__dict__["_wrapped"])

    def __str__(self):
        return str(self.__dict__["_wrapped"])

    def __call__(self, *args, **kwargs):
        return self.__dict__["_wrapped"](*args, **kwargs)


FLAGS = _FlagValuesWrapper(_impl.FLAGS)

_OWN = {"DEFINE_string", "DEFINE_boolean", "DEFINE_bool", "DEFINE_float", "DEFINE_integer",
        "FLAGS"}


def _tf_names():
    from . import _v1_names
    # `tf_decorator` in TF's list is TF's own helper module, not a flags name
    return _v1_names.SUBMODULES["flags"] - {"tf_decorator"}


def __getattr__(name):
    if name.startswith("__") or name not in _tf_names():
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    try:
        value = getattr(_impl, name)
    except AttributeError:
        raise AttributeError(
            f"module '{__name__}' has no attribute '{name}': absl-py is not installed and "
            f"tfteach's own flags implement only the common part of absl.flags "
            f"(pip install absl-py for all of it)") from None
    globals()[name] = value
    return value


def __dir__():
    return sorted(n for n in _tf_names() if n in _OWN or hasattr(_impl, n))
