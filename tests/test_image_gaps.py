"""The rest of tf.image against TF 2.21 (recorded by tools/record_cases.py from
tests/cases_image_gaps.py into tests/data/tf_image_gaps.json): values, dtypes, op names
(AdjustHue, RGBToHSV, HSVToRGB, ExtractImagePatches, CropAndResize, NonMaxSuppressionV3/V5,
DrawBoundingBoxesV2), gradients and TF's errors. Floats agree to rtol 1e-5 / atol 2e-5
(float32 sums in another order: the ssim windows are summed by a convolution per channel
where TF runs a depthwise one).

The random augmentations draw from tfteach's generator, not TF's, so their values cannot
be TF's: they are checked here for what TF promises (every output is one of the allowed
images, the same seed gives the same image)."""
import numpy as np
import pytest

import tfcases

pytestmark = pytest.mark.mode("both")

CASES = tfcases.load_cases("image_gaps")
REC = tfcases.recorded("image_gaps")["cases"]


def test_every_case_was_recorded():
    assert sorted(REC) == tfcases.case_names(CASES)


@pytest.mark.parametrize("name", tfcases.case_names(CASES))
def test_case(tf2, tmp_path, name):
    got = tfcases.normalize(getattr(CASES, "case_" + name)(tf2, str(tmp_path)))
    tfcases.compare(got, REC[name], rtol=1e-5, atol=2e-5)


IMG = np.random.RandomState(3).rand(4, 5, 3).astype(np.float32)


def _same_for_the_same_seed(tf, fn):
    tf.random.set_seed(5)
    a = fn().numpy()
    tf.random.set_seed(5)
    b = fn().numpy()
    np.testing.assert_array_equal(a, b)
    return a


def test_random_flips_give_the_image_or_its_mirror(tf2):
    i = tf2.image
    seen = set()
    for seed in range(12):
        out = i.random_flip_left_right(IMG, seed=seed).numpy()
        assert np.array_equal(out, IMG) or np.array_equal(out, IMG[:, ::-1])
        seen.add(np.array_equal(out, IMG))
        out = i.random_flip_up_down(IMG, seed=seed).numpy()
        assert np.array_equal(out, IMG) or np.array_equal(out, IMG[::-1])
    assert seen == {True, False}
    batch = np.stack([IMG, IMG * 2, IMG * 3])
    out = i.random_flip_left_right(batch, seed=1).numpy()
    for k in range(3):      # each image of the batch flips on its own coin
        assert np.array_equal(out[k], batch[k]) or np.array_equal(out[k], batch[k, :, ::-1])
    _same_for_the_same_seed(tf2, lambda: i.random_flip_up_down(batch))


def test_random_adjustments_stay_in_their_ranges(tf2):
    i = tf2.image
    for seed in range(5):
        out = i.random_brightness(IMG, 0.2, seed=seed).numpy()
        delta = (out - IMG).ravel()
        assert np.allclose(delta, delta[0], atol=1e-6) and abs(delta[0]) <= 0.2
        c = i.random_contrast(IMG, 0.3, 0.6, seed=seed).numpy()
        mean = IMG.mean(axis=(0, 1))
        f = (c - mean) / (IMG - mean)
        assert np.allclose(f, f.flat[0], atol=1e-3) and 0.3 <= f.flat[0] <= 0.6
        s = i.random_saturation(IMG, 0.5, 1.5, seed=seed).numpy()
        assert s.shape == IMG.shape and np.allclose(s.max(-1), IMG.max(-1), atol=1e-6)
        h = i.random_hue(IMG, 0.1, seed=seed).numpy()
        # a hue rotation keeps each pixel's largest and smallest component
        assert np.allclose(np.sort(h, -1)[..., [0, 2]], np.sort(IMG, -1)[..., [0, 2]],
                           atol=1e-6)
    _same_for_the_same_seed(tf2, lambda: i.random_hue(IMG, 0.3))
    _same_for_the_same_seed(tf2, lambda: i.random_contrast(IMG, 0.2, 1.8))


def test_random_crop_is_a_window_of_the_image(tf2):
    for seed in range(6):
        out = tf2.image.random_crop(IMG, [2, 3, 3], seed=seed).numpy()
        hits = [(r, c) for r in range(3) for c in range(3)
                if np.array_equal(IMG[r:r + 2, c:c + 3], out)]
        assert hits
    _same_for_the_same_seed(tf2, lambda: tf2.image.random_crop(IMG, [3, 2, 2]))
    with pytest.raises(tf2.errors.InvalidArgumentError, match="Need value.shape >= size"):
        tf2.image.random_crop(IMG, [6, 3, 3])


def test_v1_graphs_give_the_recorded_values(tf1):
    """The same ops built in a TF1 graph with placeholders and run in a Session (shapes
    inferred while building, gradients through tf.gradients) give TF's eager values."""
    c = CASES
    x = tf1.placeholder(tf1.float32, [None, 6, 7, 3])
    b = tf1.placeholder(tf1.float32, [None, 4])
    ind = [0, 1, 1, 0, 1]
    crops = tf1.image.crop_and_resize(x, b, ind, [4, 3])
    hue = tf1.image.adjust_hue(x, 1.0)
    patches = tf1.image.extract_image_patches(
        tf1.placeholder_with_default(np.arange(2 * 7 * 6 * 2, dtype=np.float32).reshape(
            2, 7, 6, 2), [None, 7, 6, 2]), [1, 3, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    nms = tf1.image.non_max_suppression(tf1.constant(c.NMS_BOXES), c.NMS_SCORES, 10)
    # the number of boxes comes from box_ind when the boxes leave it open, as in TF
    assert crops.shape.as_list() == [5, 4, 3, 3] and patches.shape.as_list() == [
        None, 3, 3, 12] and nms.shape.as_list() == [None]
    grads = tf1.gradients(tf1.reduce_sum(crops * np.arange(3.0, dtype=np.float32)), [x, b])
    with tf1.Session() as s:
        got = s.run([crops, hue, patches, nms] + grads, {x: c.BATCH, b: c.BOXES})
    rec = REC["crop_and_resize"], REC["adjust_hue"], REC["extract_patches"]
    want = [rec[0][0], rec[1][4], rec[2][0], REC["non_max_suppression"][0],
            rec[0][8][0], rec[0][8][1]]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.asarray(w["array"]), rtol=1e-5, atol=2e-5)


def test_glimpse_noise_fills_outside_only(tf2):
    """TF's noise comes from its own unseeded generator: the values cannot be TF's, so the
    test checks what TF documents: the window's part inside the image is the image, the
    rest uniform in the image's [min, max] (or, gaussian, spread around its mean)."""
    x = np.arange(6 * 8, dtype=np.float32).reshape(1, 6, 8, 1) + 10
    g = tf2.image.extract_glimpse(x, [4, 4], [[-2.0, -2.0]], centered=False,
                                  normalized=False).numpy()[0, ..., 0]
    np.testing.assert_array_equal(g[2:, 2:], x[0, :2, :2, 0])
    outside = np.concatenate([g[:2].ravel(), g[2:, :2].ravel()])
    assert outside.min() >= 10 and outside.max() <= 57
    g = tf2.image.extract_glimpse(x, [20, 20], [[0.0, 0.0]], noise="gaussian").numpy()
    # the 6 x 8 image sits in the middle of the 20 x 20 window (rows 7.., columns 6..)
    np.testing.assert_array_equal(g[0, 7:13, 6:14, 0], x[0, :, :, 0])
    rest = np.delete(g[0, ..., 0].ravel(), (np.arange(7, 13)[:, None] * 20 +
                                            np.arange(6, 14)[None, :]).ravel())
    assert abs(rest.mean() - x.mean()) < 5 and 8 < rest.std() < 20


def test_sample_distorted_bounding_box_is_seeded_and_covers_the_box(tf2):
    """The stateful sampler draws from tfteach's generator (not TF's): the same seeds give
    the same crop, and every crop covers min_object_covered of the box, as TF promises."""
    boxes = np.array([[[0.1, 0.2, 0.8, 0.9]]], np.float32)
    crops = []
    for _ in range(2):
        tf2.random.set_seed(4)
        crops.append([t.numpy() for t in tf2.image.sample_distorted_bounding_box(
            [40, 60, 3], boxes, seed=7, min_object_covered=0.5)])
    for a, b in zip(*crops):
        np.testing.assert_array_equal(a, b)
    for seed in range(8):
        begin, size, bbox = (t.numpy() for t in tf2.image.sample_distorted_bounding_box(
            [40, 60, 3], boxes, seed=seed, min_object_covered=0.5))
        assert size[2] == -1 and begin[2] == 0
        (y0, x0), (h, w) = begin[:2], size[:2]
        iy = max(0, min(y0 + h, 32) - max(y0, 4))
        ix = max(0, min(x0 + w, 54) - max(x0, 12))
        assert iy * ix >= 0.5 * 28 * 42
        np.testing.assert_allclose(bbox[0, 0], [y0 / 40, x0 / 60, (y0 + h) / 40,
                                                (x0 + w) / 60], rtol=1e-6)
