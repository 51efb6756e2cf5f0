"""docs/api-coverage.md stays true, and every TF 2.21 name tfteach lacks says so.

The names come from tfteach/framework/tf_api_names.json (tools/gen_api_names.py, run under TF 2.21);
the document from tools/gen_api_coverage.py. After a merge that adds names the first test
fails until `python tools/gen_api_coverage.py` is run again."""
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import gen_api_coverage  # noqa: E402

pytestmark = pytest.mark.mode("v2")

CLEAR = ("does not implement", "implements none of it yet")


@pytest.fixture(scope="module")
def coverage():
    return gen_api_coverage.measure()


def test_document_is_regenerated(tf2):
    with open(gen_api_coverage.DOC) as f:
        assert f.read() == gen_api_coverage.render(), (
            "docs/api-coverage.md is stale: run python tools/gen_api_coverage.py")


def test_recorded_names_are_tf_2_21():
    with open(gen_api_coverage.NAMES) as f:
        data = json.load(f)
    assert data["tensorflow"].startswith("2.21")
    assert "dropout" in data["namespaces"]["tf.nn"]
    assert "floor_div" in data["namespaces"]["tf.compat.v1"]
    assert "Session" not in data["namespaces"]["tf"]


def test_every_missing_name_says_tfteach_lacks_it(tf2, coverage):
    _, cov = coverage
    unclear = []
    for path, (_, missing) in cov.items():
        try:
            obj = gen_api_coverage.resolve(path)
        except AttributeError as e:
            assert any(c in str(e) for c in CLEAR), str(e)
            continue
        wrong = gen_api_coverage.wrong_function(path, obj, missing)
        for name in missing:
            if name in wrong:
                continue    # resolves to another function: listed as such in the doc
            with pytest.raises(AttributeError) as e:
                getattr(obj, name)
            if not any(c in str(e.value) for c in CLEAR):
                unclear.append((path, name, str(e.value)))
    assert not unclear, unclear[:10]


def test_names_tf_lacks_stay_plain_attribute_errors(tf2):
    import tfteach
    with pytest.raises(AttributeError) as e:
        tfteach.nn.no_such_op
    assert str(e.value) == "module 'tfteach.nn' has no attribute 'no_such_op'"
    with pytest.raises(AttributeError, match="TF 2.21 has `tf.keras.layers.ConvLSTM3D`"):
        tfteach.keras.layers.ConvLSTM3D
