"""`tf.nest`: nested structures of lists, tuples, namedtuples and dicts (dicts in sorted key
order, as TF flattens them); everything else, None included, is a leaf."""

__all__ = ["flatten", "pack_sequence_as", "map_structure", "assert_same_structure",
           "is_nested"]


def is_nested(structure):
    return isinstance(structure, (list, tuple, dict))


def _children(s):
    if isinstance(s, dict):
        return [s[k] for k in _sorted_keys(s)]
    return list(s)


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure, expand_composites=False):
    if not is_nested(structure):
        return [structure]
    out = []
    for c in _children(structure):
        out.extend(flatten(c))
    return out


def _rebuild(template, values):
    if isinstance(template, dict):
        keys = _sorted_keys(template)
        by_key = dict(zip(keys, values))
        return type(template)((k, by_key[k]) for k in template)
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*values)
    if isinstance(template, tuple):
        return tuple(values)
    return list(values)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if len(flat_sequence) != n:
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but "
                         f"flat_sequence had {len(flat_sequence)} items.")
    return pack_flat(structure, iter(flat_sequence))


def pack_flat(structure, it):
    """`structure` with its leaves taken in order from the iterator `it`.

    The recursions here are module-level functions on purpose: a nested function calling
    itself is a reference cycle (function <-> closure cell) that keeps everything it
    captured, a step's tensors included, alive until the cyclic garbage collector runs,
    which big arrays never trigger (tests/test_memory.py)."""
    if not is_nested(structure):
        return next(it)
    return _rebuild(structure, [pack_flat(c, it) for c in _children(structure)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    _check_same(nest1, nest2, nest1, nest2, check_types)


def _check_same(a, b, nest1, nest2, check_types):
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if not is_nested(a):
        return
    if check_types and type(a) is not type(b):
        raise TypeError(f"The two structures don't have the same sequence type. Input "
                        f"structure has type {type(a)!r}, while shallow structure has "
                        f"type {type(b)!r}.")
    if isinstance(a, dict) and set(a) != set(b):
        raise ValueError(f"The two dictionaries don't have the same set of keys. First "
                         f"structure has keys {list(a)}, while second structure has keys "
                         f"{list(b)}.")
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    for x, y in zip(ca, cb):
        _check_same(x, y, nest1, nest2, check_types)


def map_structure(func, *structure, check_types=True, expand_composites=False):
    if not structure:
        raise ValueError("Must provide at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])
