"""TF2's checks (`tf.debugging.assert_*`, `tf.Assert`, `tf.assert_equal`, ...).

They are TF1's checks (assert_ops.py: the same graph ops, the same eager errors) with TF2's
signatures: the binary and sign checks take no `data`, and the rank checks no
`data`/`summarize`. Eagerly a failing check raises InvalidArgumentError at once; inside a
tf.function it adds TF's guarded Assert, which fails when the function runs.
"""
from . import assert_ops as _a
from .assert_ops import (Assert, assert_integer, assert_shapes,  # noqa: F401
                         assert_type, is_numeric_tensor)


def assert_scalar(tensor, message=None, name=None):
    return _a.assert_scalar(tensor, name=name, message=message)


def _binary(v1):
    def check(x, y, message=None, summarize=None, name=None):
        return v1(x, y, summarize=summarize, message=message, name=name)
    check.__name__ = v1.__name__
    check.__doc__ = v1.__doc__
    return check


def _sign(v1):
    def check(x, message=None, summarize=None, name=None):
        return v1(x, summarize=summarize, message=message, name=name)
    check.__name__ = v1.__name__
    check.__doc__ = v1.__doc__
    return check


def _rank(v1):
    def check(x, rank, message=None, name=None):
        return v1(x, rank, message=message, name=name)
    check.__name__ = v1.__name__
    check.__doc__ = v1.__doc__
    return check


assert_equal = _binary(_a.assert_equal)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    """Asserts `x != y` element-wise (TF2 keeps `summarize` before `message` here)."""
    return _a.assert_none_equal(x, y, summarize=summarize, message=message, name=name)


assert_less = _binary(_a.assert_less)
assert_less_equal = _binary(_a.assert_less_equal)
assert_greater = _binary(_a.assert_greater)
assert_greater_equal = _binary(_a.assert_greater_equal)
assert_positive = _sign(_a.assert_positive)
assert_negative = _sign(_a.assert_negative)
assert_non_negative = _sign(_a.assert_non_negative)
assert_non_positive = _sign(_a.assert_non_positive)
assert_rank = _rank(_a.assert_rank)
assert_rank_at_least = _rank(_a.assert_rank_at_least)
