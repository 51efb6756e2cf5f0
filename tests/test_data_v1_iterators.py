"""tf.data against TensorFlow 2.21: TF1 iterators in sessions (initializable,
reinitializable, feedable; op names), TextLineDataset, from_generator, interleave,
padded_batch, cache, zip, prefetch and iterator checkpoints. The expected values were
recorded from TF by tools/record_cases.py (tests/cases_data*.py, tests/data/tf_data*.json)."""
import pytest

import tfcases

pytestmark = pytest.mark.mode("both")

V1 = tfcases.load_cases("data_v1")
V2 = tfcases.load_cases("data")
REC_V1 = tfcases.recorded("data_v1")["cases"]
REC_V2 = tfcases.recorded("data")["cases"]


def test_every_case_was_recorded():
    assert sorted(REC_V1) == tfcases.case_names(V1)
    assert sorted(REC_V2) == tfcases.case_names(V2)


@pytest.mark.parametrize("name", tfcases.case_names(V1))
def test_v1(tf1, tmp_path, name):
    got = tfcases.normalize(getattr(V1, "case_" + name)(tf1, str(tmp_path)))
    tfcases.compare(got, REC_V1[name])


@pytest.mark.parametrize("name", tfcases.case_names(V2))
def test_v2(tf2, tmp_path, name):
    got = tfcases.normalize(getattr(V2, "case_" + name)(tf2, str(tmp_path)))
    tfcases.compare(got, REC_V2[name])
