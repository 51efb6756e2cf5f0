"""TF1 corners against TensorFlow 2.21 (values recorded by tools/record_cases.py from
tests/cases_tf1_corners.py into tests/data/tf_tf1_corners.json)."""
import pytest

import tfcases

pytestmark = pytest.mark.mode("v1")

CASES = tfcases.load_cases("tf1_corners")
REC = tfcases.recorded("tf1_corners")["cases"]


def test_every_case_was_recorded():
    assert sorted(REC) == tfcases.case_names(CASES)


@pytest.mark.parametrize("name", tfcases.case_names(CASES))
def test_case(tf1, tmp_path, name):
    got = tfcases.normalize(getattr(CASES, "case_" + name)(tf1, str(tmp_path)))
    tfcases.compare(got, REC[name])
