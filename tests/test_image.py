"""tf.image basics against TF 2.21 (recorded by tools/record_cases.py from
tests/cases_image.py): values, dtypes, op names (ResizeBilinear, ResizeNearestNeighbor,
AdjustContrastv2, AdjustSaturation, ReverseV2) and gradients."""
import numpy as np
import pytest

import tfcases

pytestmark = pytest.mark.mode("both")

CASES = tfcases.load_cases("image")
REC = tfcases.recorded("image")["cases"]


def test_every_case_was_recorded():
    assert sorted(REC) == tfcases.case_names(CASES)


@pytest.mark.parametrize("name", tfcases.case_names(CASES))
def test_case(tf2, tmp_path, name):
    got = tfcases.normalize(getattr(CASES, "case_" + name)(tf2, str(tmp_path)))
    tfcases.compare(got, REC[name], rtol=1e-5, atol=2e-6)


def test_v1_resize_in_a_session(tf1):
    x = tf1.placeholder(tf1.float32, [None, 3, 4, 1])
    y = tf1.image.resize_images(x, [6, 8])
    z = tf1.image.resize_nearest_neighbor(x, [6, 8], align_corners=True)
    assert y.shape.as_list() == [None, 6, 8, 1] and y.op.type == "ResizeBilinear"
    g = tf1.gradients(tf1.reduce_sum(y * 2.0) + tf1.reduce_sum(z), x)[0]
    assert g.op.type == "AddN" or "ResizeBilinearGrad" in [
        op.type for op in tf1.get_default_graph().get_operations()]
    img = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)
    with tf1.Session() as s:
        yv, gv = s.run([y, g], {x: img})
    # legacy grid, upsampling by exactly 2: output (i, j) samples (i / 2, j / 2)
    assert yv[0, 1, 1, 0] == pytest.approx((img[0, 0, 0, 0] + img[0, 0, 1, 0] +
                                            img[0, 1, 0, 0] + img[0, 1, 1, 0]) / 4)
    # every output pixel carries weight 1 in total: the gradient sums to 2 * 48 + 48
    assert gv.sum() == pytest.approx(2 * 48 + 48)


def test_unknown_method_and_antialias_say_so(tf2):
    img = np.zeros((2, 2, 1), np.float32)
    with pytest.raises(NotImplementedError, match="lanczos3"):
        tf2.image.resize(img, [3, 3], method="lanczos3")
    with pytest.raises(NotImplementedError, match="antialias"):
        tf2.image.resize(img, [3, 3], antialias=True)
    with pytest.raises(AttributeError, match="does not implement it yet"):
        tf2.image.decode_webp
