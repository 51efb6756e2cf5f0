"""A notebook's cells run in order under nbval: the repository's pytest settings shuffle test
files (pytest-random-order), which must never reorder the cells inside one notebook. (The
same hook in tests/conftest.py covers runs that collect tests/ too; this one covers
`pytest lessons --nbval ...` alone, as tests/test_lessons_other_path.py runs it.)"""
import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.random_order(disabled=True))
