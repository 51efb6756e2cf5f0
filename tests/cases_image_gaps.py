"""The rest of tf.image against TF 2.21 (see tests/tfcases.py): colour spaces, hue, gamma,
crops and pads, quality measures (psnr, ssim, ms-ssim), edges, patches, boxes
(non_max_suppression, crop_and_resize, draw_bounding_boxes); op names, gradients and
TF's errors. Random augmentation is checked here only where TF's values do not depend on
its generator (the bounds and error messages); tests/test_image_gaps.py checks the rest."""
import re

import numpy as np

MODE = "v2"

RNG = np.random.RandomState(7)
IMG = RNG.rand(5, 6, 3).astype(np.float32)
BATCH = RNG.rand(2, 6, 7, 3).astype(np.float32)
U8 = (RNG.rand(4, 5, 3) * 255).astype(np.uint8)
BIG = RNG.rand(2, 16, 18, 3).astype(np.float32)
# pixels with equal components and hues in every sextant
EDGE = np.array([[[0.5, 0.5, 0.5], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1],
                  [1, 0, 1], [0.2, 0.2, 0.9], [0.9, 0.2, 0.2], [0, 0, 0]]], np.float32)


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class and message
        # the message without TF's eager decorations (device prefix, [Op:...] suffix)
        msg = re.sub(r"\{\{function_node [^}]*\}\} ", "", str(e)).split(" [Op:")[0]
        return [type(e).__name__, msg.split("\n")[0][:200]]
    return None


def _op_types(tf, fn, *args):
    specs = [tf.TensorSpec(np.shape(a), tf.as_dtype(np.asarray(a).dtype)) for a in args]
    g = tf.function(fn).get_concrete_function(*specs).graph
    return sorted({op.type for op in g.get_operations()} & {
        "AdjustHue", "RGBToHSV", "HSVToRGB", "ExtractImagePatches", "CropAndResize",
        "NonMaxSuppressionV3", "NonMaxSuppressionV5", "DrawBoundingBoxesV2", "MirrorPad",
        "Pad", "Slice", "ResizeBilinear", "Pow", "Substr", "Equal"})


def _grad(tf, fn, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as t:
        for x in xs:
            t.watch(x)
        y = fn(*xs)
    return t.gradient(y, xs)


def case_hsv(tf, tmp):
    i = tf.image
    hsv = i.rgb_to_hsv(IMG)
    return [hsv, i.rgb_to_hsv(EDGE), i.hsv_to_rgb(hsv), i.hsv_to_rgb(i.rgb_to_hsv(EDGE)),
            i.rgb_to_hsv(tf.constant(IMG, tf.float64)).dtype, i.hsv_to_rgb(IMG),
            i.rgb_to_hsv(BATCH).shape,
            _op_types(tf, i.rgb_to_hsv, IMG), _op_types(tf, i.hsv_to_rgb, IMG),
            _err(lambda: i.rgb_to_hsv(IMG[..., :2])),
            _err(lambda: i.hsv_to_rgb(IMG[..., :2]))]


def case_hsv_gradient(tf, tmp):
    edge = np.array([[[0.5, 0.5, 0.5], [0.3, 0.3, 0.1], [0.3, 0.1, 0.3], [0.1, 0.3, 0.3],
                      [0.2, 0.3, 0.3], [0.3, 0.2, 0.3], [0.3, 0.3, 0.2], [0, 0, 0]]],
                    np.float32)
    return [_grad(tf, lambda x: tf.reduce_sum(tf.image.rgb_to_hsv(x) * [1., 2., 3.]), IMG),
            _grad(tf, lambda x: tf.reduce_sum(tf.image.rgb_to_hsv(x) * [1., 2., 3.]), edge),
            _grad(tf, lambda x: tf.reduce_sum(tf.image.rgb_to_hsv(x)[..., 0]), BATCH)]


def case_yiq_yuv(tf, tmp):
    i = tf.image
    return [i.rgb_to_yiq(IMG), i.yiq_to_rgb(IMG), i.rgb_to_yuv(BATCH), i.yuv_to_rgb(IMG),
            i.yuv_to_rgb(i.rgb_to_yuv(IMG)),
            i.rgb_to_yuv(IMG.astype(np.float64)).dtype]


def case_adjust_hue(tf, tmp):
    i = tf.image
    return [i.adjust_hue(IMG, 0.2), i.adjust_hue(IMG, -0.45), i.adjust_hue(EDGE, 0.3),
            i.adjust_hue(U8, 0.1), i.adjust_hue(BATCH, 1.0),
            _op_types(tf, lambda x: i.adjust_hue(x, 0.2), IMG),
            _err(lambda: i.adjust_hue(IMG[..., :2], 0.1))]


def case_adjust_gamma(tf, tmp):
    i = tf.image
    return [i.adjust_gamma(IMG, 2.0), i.adjust_gamma(IMG, 0.5, gain=1.5),
            i.adjust_gamma(U8, 0.7), i.adjust_gamma(U8, 1.5, 2).dtype,
            _err(lambda: i.adjust_gamma(IMG, -1.0)),
            _grad(tf, lambda x: tf.reduce_sum(i.adjust_gamma(x, 2.0)), IMG[:2, :2])]


def case_crop_pad(tf, tmp):
    i = tf.image
    return [i.crop_to_bounding_box(IMG, 1, 2, 3, 3), i.crop_to_bounding_box(BATCH, 0, 1, 6, 2),
            i.pad_to_bounding_box(IMG[:2, :2], 1, 2, 4, 5),
            i.pad_to_bounding_box(BATCH[:, :2, :3], 0, 1, 3, 4),
            i.pad_to_bounding_box(U8[:1, :1], 1, 1, 3, 3),
            _op_types(tf, lambda x: i.crop_to_bounding_box(x, 1, 2, 3, 3), IMG),
            _op_types(tf, lambda x: i.pad_to_bounding_box(x, 1, 2, 7, 9), IMG),
            _err(lambda: i.crop_to_bounding_box(IMG, -1, 0, 2, 2)),
            _err(lambda: i.crop_to_bounding_box(IMG, 0, -1, 2, 2)),
            _err(lambda: i.crop_to_bounding_box(IMG, 0, 0, 0, 2)),
            _err(lambda: i.crop_to_bounding_box(IMG, 0, 0, 2, 0)),
            _err(lambda: i.crop_to_bounding_box(IMG, 3, 0, 3, 2)),
            _err(lambda: i.crop_to_bounding_box(IMG, 0, 4, 2, 3)),
            _err(lambda: i.crop_to_bounding_box(IMG[0], 0, 0, 1, 1)),
            _err(lambda: i.pad_to_bounding_box(IMG, -1, 0, 9, 9)),
            _err(lambda: i.pad_to_bounding_box(IMG, 0, -1, 9, 9)),
            _err(lambda: i.pad_to_bounding_box(IMG, 0, 0, 9, 5)),
            _err(lambda: i.pad_to_bounding_box(IMG, 0, 0, 4, 9))]


def case_resize_with_crop_or_pad(tf, tmp):
    i = tf.image
    return [i.resize_with_crop_or_pad(IMG, 3, 8), i.resize_with_crop_or_pad(IMG, 8, 3),
            i.resize_with_crop_or_pad(BATCH, 4, 4), i.resize_with_crop_or_pad(U8, 5, 5),
            _err(lambda: i.resize_with_crop_or_pad(IMG, 0, 3)),
            _err(lambda: i.resize_with_crop_or_pad(IMG, 3, 0))]


def case_resize_with_pad(tf, tmp):
    i = tf.image
    return [i.resize_with_pad(IMG, 8, 8), i.resize_with_pad(IMG, 3, 9),
            i.resize_with_pad(BATCH, 5, 11, method="nearest"),
            i.resize_with_pad(U8, 7, 4),
            _err(lambda: i.resize_with_pad(IMG, 0, 3))]


def case_random_bounds(tf, tmp):
    i = tf.image
    return [_err(lambda: i.random_brightness(IMG, -0.1)),
            _err(lambda: i.random_contrast(IMG, 0.5, 0.4)),
            _err(lambda: i.random_contrast(IMG, -0.5, 0.4)),
            _err(lambda: i.random_saturation(IMG, 2.0, 1.0)),
            _err(lambda: i.random_saturation(IMG, -1.0, 1.0)),
            _err(lambda: i.random_hue(IMG, 0.6)),
            _err(lambda: i.random_hue(IMG, -0.1)),
            i.random_flip_left_right(IMG, seed=3).shape,
            i.random_flip_up_down(BATCH, seed=3).shape,
            i.random_crop(IMG, [2, 3, 3], seed=1).shape,
            i.random_brightness(U8, 0.2).dtype, i.random_hue(IMG, 0.1).dtype,
            _err(lambda: i.random_crop(IMG, [6, 3, 3]))[0]]


def case_total_variation(tf, tmp):
    i = tf.image
    c = tf.constant
    return [i.total_variation(c(IMG)), i.total_variation(c(BATCH)),
            i.total_variation(c(U8.astype(np.int32))),
            _err(lambda: i.total_variation(c(IMG[0]))),
            _grad(tf, lambda x: i.total_variation(x), IMG[:3, :3])]


def case_psnr(tf, tmp):
    i = tf.image
    return [i.psnr(IMG, IMG * 0.9, 1.0), i.psnr(BATCH, BATCH[::-1], 1.0),
            i.psnr(U8, U8 // 2, 255), i.psnr(U8, U8 // 2, 255).dtype,
            _err(lambda: i.psnr(IMG, IMG[:2], 1.0))]


def case_ssim(tf, tmp):
    i = tf.image
    noisy = np.clip(BIG + RNG.rand(*BIG.shape).astype(np.float32) * 0.2, 0, 1)
    return [i.ssim(BIG, noisy, 1.0), i.ssim(BIG[0], noisy[0], 1.0, filter_size=5,
                                             filter_sigma=1.0, k1=0.02, k2=0.05),
            i.ssim((BIG * 255).astype(np.uint8), (noisy * 255).astype(np.uint8), 255),
            i.ssim(BIG, noisy, 1.0, filter_size=3, return_index_map=True),
            _err(lambda: i.ssim(IMG, IMG, 1.0)),
            _grad(tf, lambda a: i.ssim(a, noisy[0], 1.0, filter_size=5), BIG[0])]


def case_ssim_multiscale(tf, tmp):
    i = tf.image
    a = RNG.rand(1, 40, 44, 3).astype(np.float32)
    b = np.clip(a + RNG.rand(*a.shape).astype(np.float32) * 0.3, 0, 1)
    return [i.ssim_multiscale(a, b, 1.0, filter_size=3),
            i.ssim_multiscale(a, b, 1.0, power_factors=(0.5, 0.3, 0.2), filter_size=5),
            i.ssim_multiscale(a[0], b[0], 1.0, filter_size=3)]


def case_sobel_and_gradients(tf, tmp):
    i = tf.image
    dy, dx = i.image_gradients(tf.constant(BATCH))
    return [i.sobel_edges(tf.constant(BATCH)),
            i.sobel_edges(tf.constant(BATCH.astype(np.float64))).dtype, dy, dx,
            _op_types(tf, i.sobel_edges, BATCH),
            _err(lambda: i.image_gradients(tf.constant(IMG))),
            _grad(tf, lambda x: tf.reduce_sum(i.sobel_edges(x) ** 2), BATCH[:1, :4, :4])]


def case_extract_patches(tf, tmp):
    i = tf.image
    x = np.arange(2 * 7 * 6 * 2, dtype=np.float32).reshape(2, 7, 6, 2)
    return [i.extract_patches(x, [1, 3, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
            i.extract_patches(x, [1, 3, 3, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME"),
            i.extract_patches(x, [1, 2, 2, 1], [1, 1, 1, 1], [1, 2, 3, 1], "SAME"),
            i.extract_patches(x.astype(np.int32), [1, 2, 2, 1], [1, 3, 3, 1],
                              [1, 1, 1, 1], "VALID"),
            _op_types(tf, lambda v: i.extract_patches(v, [1, 2, 2, 1], [1, 1, 1, 1],
                                                      [1, 1, 1, 1], "VALID"), x),
            _err(lambda: i.extract_patches(x, [2, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1],
                                           "VALID")),
            _err(lambda: i.extract_patches(x, [2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1],
                                           "VALID")),
            _grad(tf, lambda v: tf.reduce_sum(i.extract_patches(
                v, [1, 3, 2, 1], [1, 2, 1, 1], [1, 1, 2, 1], "SAME") ** 2), x[:1])]


BOXES = np.array([[0.1, 0.2, 0.7, 0.9], [0.0, 0.0, 1.0, 1.0], [0.5, 0.6, 0.2, 0.1],
                  [-0.2, 0.3, 0.6, 1.3], [0.3, 0.3, 0.3, 0.3]], np.float32)


def case_crop_and_resize(tf, tmp):
    i = tf.image
    ind = [0, 1, 1, 0, 1]
    return [i.crop_and_resize(BATCH, BOXES, ind, [4, 3]),
            i.crop_and_resize(BATCH, BOXES, ind, [1, 5], extrapolation_value=-1.0),
            i.crop_and_resize(BATCH, BOXES, ind, [3, 4], method="nearest"),
            i.crop_and_resize(BATCH.astype(np.float64), BOXES, ind, [2, 2]).dtype,
            i.crop_and_resize((BATCH * 100).astype(np.int32), BOXES, ind, [3, 3]),
            _op_types(tf, lambda x: i.crop_and_resize(x, BOXES, ind, [4, 3]), BATCH),
            _err(lambda: i.crop_and_resize(BATCH, BOXES, [0, 1, 2, 0, 1], [4, 3])),
            _err(lambda: i.crop_and_resize(BATCH, BOXES, ind, [0, 3])),
            _grad(tf, lambda x, b: tf.reduce_sum(i.crop_and_resize(x, b, ind, [4, 3]) *
                                                 np.arange(3.0, dtype=np.float32)),
                  BATCH, BOXES),
            _grad(tf, lambda x, b: tf.reduce_sum(i.crop_and_resize(x, b, ind, [1, 1]) ** 2),
                  BATCH, BOXES),
            _grad(tf, lambda x: tf.reduce_sum(i.crop_and_resize(
                x, BOXES, ind, [3, 2], method="nearest") * 2.0), BATCH)]


NMS_BOXES = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                      [0, 10.1, 1, 11.1], [0, 100, 1, 101], [1, 1, 0, 0], [0, 0, 0, 1]],
                     np.float32)
NMS_SCORES = np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3, 0.9, 0.8], np.float32)


def case_non_max_suppression(tf, tmp):
    i = tf.image
    return [i.non_max_suppression(NMS_BOXES, NMS_SCORES, 10),
            i.non_max_suppression(NMS_BOXES, NMS_SCORES, 3, iou_threshold=0.4),
            i.non_max_suppression(NMS_BOXES, NMS_SCORES, 10, 0.5, score_threshold=0.7),
            i.non_max_suppression(NMS_BOXES, NMS_SCORES, 10, iou_threshold=1.0),
            i.non_max_suppression(NMS_BOXES, NMS_SCORES, 0),
            i.non_max_suppression(NMS_BOXES, np.full(8, 0.5, np.float32), 10, 0.2),
            _op_types(tf, lambda b, s: i.non_max_suppression(b, s, 3), NMS_BOXES,
                      NMS_SCORES),
            _err(lambda: i.non_max_suppression(NMS_BOXES, NMS_SCORES, 3, 1.5)),
            _err(lambda: i.non_max_suppression(NMS_BOXES[:, :3], NMS_SCORES, 3)),
            _err(lambda: i.non_max_suppression(NMS_BOXES, NMS_SCORES[:3], 3))]


def case_non_max_suppression_with_scores(tf, tmp):
    i = tf.image
    return [i.non_max_suppression_with_scores(NMS_BOXES, NMS_SCORES, 10),
            i.non_max_suppression_with_scores(NMS_BOXES, NMS_SCORES, 10, 0.5, 0.1,
                                              soft_nms_sigma=0.5),
            i.non_max_suppression_with_scores(NMS_BOXES, NMS_SCORES, 4, 1.0, 0.3,
                                              soft_nms_sigma=0.1),
            _op_types(tf, lambda b, s: i.non_max_suppression_with_scores(b, s, 3),
                      NMS_BOXES, NMS_SCORES),
            _err(lambda: i.non_max_suppression_with_scores(NMS_BOXES, NMS_SCORES, 3,
                                                           soft_nms_sigma=-1.0))]


def case_draw_bounding_boxes(tf, tmp):
    i = tf.image
    img = np.zeros((2, 6, 7, 3), np.float32)
    boxes = np.array([[[0.1, 0.2, 0.8, 0.9], [-0.5, -0.5, 0.5, 0.5]],
                      [[0.5, 0.5, 1.5, 1.5], [0.6, 0.6, 0.1, 0.1]]], np.float32)
    colors = np.array([[1, 0, 0, 1], [0, 0.5, 1, 1]], np.float32)
    return [i.draw_bounding_boxes(img, boxes, colors),
            i.draw_bounding_boxes(img[..., :1], boxes, colors),
            i.draw_bounding_boxes(np.zeros((2, 6, 7, 4), np.float32), boxes,
                                  np.zeros((0, 4), np.float32)),
            i.draw_bounding_boxes(img[..., :1], boxes, np.zeros((0, 4), np.float32)),
            _op_types(tf, lambda x: i.draw_bounding_boxes(x, boxes, colors), img),
            _err(lambda: i.draw_bounding_boxes(img[..., :2], boxes, colors)),
            _err(lambda: i.draw_bounding_boxes(img, boxes[:1], colors))]


def case_v1_names(tf, tmp):
    v1 = tf.compat.v1.image
    x = np.arange(2 * 7 * 6 * 2, dtype=np.float32).reshape(2, 7, 6, 2)
    return [v1.resize_image_with_crop_or_pad(IMG, 3, 8),
            v1.resize_image_with_pad(IMG, 8, 8),
            v1.resize_image_with_pad(IMG, 3, 9, align_corners=True),
            v1.extract_image_patches(x, [1, 3, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
            v1.crop_and_resize(BATCH, BOXES, [0, 1, 1, 0, 1], [2, 3]),
            v1.draw_bounding_boxes(np.zeros((1, 4, 4, 3), np.float32),
                                   [[[0.0, 0.0, 1.0, 1.0]]]),
            v1.transpose_image(IMG)]


def case_stateless_random(tf, tmp):
    """Counter-based Philox: the values for a seed are TF's (tfteach runs the same
    generator), whatever the device."""
    i = tf.image
    batch = np.stack([IMG, IMG * 0.5, IMG[::-1], IMG[:, ::-1]])
    out = []
    for seed in ([1, 2], [7, -3], [2 ** 40, 5]):
        out += [i.stateless_random_flip_left_right(IMG, seed),
                i.stateless_random_flip_up_down(batch, seed),
                i.stateless_random_brightness(IMG, 0.3, seed),
                i.stateless_random_contrast(IMG, 0.2, 1.8, seed),
                i.stateless_random_saturation(IMG, 0.5, 1.5, seed),
                i.stateless_random_hue(IMG, 0.4, seed),
                i.stateless_random_crop(IMG, [3, 2, 3], seed),
                i.stateless_random_brightness(U8, 0.2, seed)]
    out += [i.stateless_random_crop(BATCH, [1, 4, 5, 2], np.array([3, 9], np.int32)),
            _err(lambda: i.stateless_random_hue(IMG, 0.6, [1, 2])),
            _err(lambda: i.stateless_random_contrast(IMG, 0.6, 0.2, [1, 2])),
            _err(lambda: i.stateless_random_brightness(IMG, 0.1, [1, 2, 3]))[0]]
    return out


def case_non_max_suppression_overlaps(tf, tmp):
    i = tf.image
    ov = np.array([[1.0, 0.7, 0.2, 0.0], [0.3, 1.0, 0.6, 0.1], [0.2, 0.6, 1.0, 0.9],
                   [0.0, 0.1, 0.4, 1.0]], np.float32)
    sc = np.array([0.5, 0.9, 0.8, 0.3], np.float32)
    return [i.non_max_suppression_overlaps(ov, sc, 4),
            i.non_max_suppression_overlaps(ov, sc, 4, overlap_threshold=0.65),
            i.non_max_suppression_overlaps(ov, sc, 2, 0.95, score_threshold=0.4),
            i.non_max_suppression_overlaps(ov.T, sc, 4, 0.5),
            _op_types(tf, lambda o, s: i.non_max_suppression_overlaps(o, s, 3), ov, sc)]


def case_combined_non_max_suppression(tf, tmp):
    i = tf.image
    rng = np.random.RandomState(11)
    corners = rng.rand(2, 6, 1, 2).astype(np.float32) * 1.2 - 0.1
    boxes = np.concatenate([corners, corners + rng.rand(2, 6, 1, 2).astype(np.float32) *
                            0.5], axis=-1)
    per_class = np.concatenate([boxes, boxes[..., ::-1] * 0.9], axis=2)[:, :, :2]
    scores = rng.rand(2, 6, 3).astype(np.float32)
    out = []
    for args in [dict(max_output_size_per_class=2, max_total_size=5),
                 dict(max_output_size_per_class=3, max_total_size=20, iou_threshold=0.3,
                      score_threshold=0.2, pad_per_class=True),
                 dict(max_output_size_per_class=4, max_total_size=4, clip_boxes=False)]:
        out.append(list(i.combined_non_max_suppression(boxes, scores, **args)))
    out.append(list(i.combined_non_max_suppression(per_class, scores[..., :2], 3, 6)))
    out.append(_err(lambda: i.combined_non_max_suppression(per_class, scores, 3, 6)))
    return out


def case_non_max_suppression_padded(tf, tmp):
    i = tf.image
    rng = np.random.RandomState(5)
    lo = rng.rand(2, 3, 9, 2).astype(np.float32)
    boxes = np.concatenate([lo, lo + 0.05 + rng.rand(2, 3, 9, 2).astype(np.float32) * 0.6],
                           axis=-1)
    scores = rng.rand(2, 3, 9).astype(np.float32)
    boxes, scores = tf.constant(boxes), tf.constant(scores)    # TF reads their shapes
    out = []
    for b, s_ in ((boxes[0, 0], scores[0, 0]), (boxes[1, 2], scores[1, 2])):
        out.append(list(i.non_max_suppression_padded(b, s_, 5)))
        out.append(list(i.non_max_suppression_padded(b, s_, 12, 0.3, 0.2,
                                                     pad_to_max_output_size=True)))
    out.append(list(i.non_max_suppression_padded(boxes, scores, 4, 0.4,
                                                 pad_to_max_output_size=True)))
    out.append(list(i.non_max_suppression_padded(boxes[0], scores[0], 6, 0.6, 0.5,
                                                 pad_to_max_output_size=True,
                                                 sorted_input=False, tile_size=4)))
    out.append(_err(lambda: i.non_max_suppression_padded(boxes, scores, 4)))
    return out


def case_resize_bicubic_and_area(tf, tmp):
    i = tf.image
    small = BATCH[:, :4, :5]
    v1 = tf.compat.v1.image
    c = tf.constant
    return [i.resize(small, [7, 9], method="bicubic"), i.resize(BATCH, [3, 4], "bicubic"),
            i.resize(U8, [6, 3], method="bicubic"),
            i.resize(small, [7, 9], method="area"), i.resize(BATCH, [4, 3], method="area"),
            i.resize(U8, [3, 7], method=i.ResizeMethod.AREA),
            v1.resize_bicubic(c(small), [6, 8]),
            v1.resize_bicubic(c(small), [6, 8], align_corners=True),
            v1.resize_bicubic(c(BATCH), [3, 2], half_pixel_centers=True),
            v1.resize_area(c(small), [6, 8]), v1.resize_area(c(BATCH), [4, 5],
                                                               align_corners=True),
            v1.resize_images(c(small), [5, 6], method=v1.ResizeMethod.BICUBIC),
            v1.resize_images(c(small), [5, 6], method=v1.ResizeMethod.AREA),
            _op_types(tf, lambda x: i.resize(x, [7, 9], method="bicubic"), small),
            _grad(tf, lambda x: tf.reduce_sum(i.resize(x, [7, 9], method="bicubic") *
                                              np.arange(9.0, dtype=np.float32)[:, None]), small),
            _grad(tf, lambda x: tf.reduce_sum(v1.resize_bicubic(x, [3, 8]) ** 2), small),
            _err(lambda: _grad(tf, lambda x: tf.reduce_sum(i.resize(x, [3, 3], "area")),
                               small))]


def case_extract_glimpse(tf, tmp):
    """noise="zero" (TF's uniform and gaussian noise come from its generator; the test file
    checks their ranges)."""
    i = tf.image
    x = np.arange(2 * 6 * 8 * 2, dtype=np.float32).reshape(2, 6, 8, 2) + 1
    out = []
    for off, kw in (([[0.0, 0.0], [0.1, 0.3]], {}),
                    ([[-0.5, 0.5], [0.9, -0.7]], {}),
                    ([[0.1, 0.3], [-0.2, 0.0]], dict(centered=False)),
                    ([[1.5, 2.5], [-0.9, -1.2]], dict(centered=False, normalized=False)),
                    ([[-1.0, -2.5], [4.5, 6.7]], dict(centered=False, normalized=False)),
                    ([[3.0, -2.0], [0.4, 7.9]], dict(normalized=False))):
        out.append(i.extract_glimpse(x, [3, 4], off, noise="zero", **kw))
    out.append(i.extract_glimpse(x, [7, 9], [[0.0, 0.0], [0.5, -0.5]], noise="zero"))
    v1 = tf.compat.v1.image.extract_glimpse
    # TF1's op: inside the image only (its noise is uniform whatever uniform_noise says)
    out.append(v1(x, [3, 4], [[1.5, 2.5], [2.0, 4.0]], centered=False, normalized=False))
    out.append(v1(x, [2, 2], [[0.1, 0.3], [0.0, 0.0]], uniform_noise=False))
    out.append(_err(lambda: i.extract_glimpse(x, [3, 4], [[1.5, 2.5], [0, 0]],
                                               noise="bad")))
    out.append(_err(lambda: i.extract_glimpse(x, [3, 4], [[1.5, 2.5]], noise="zero")))
    out.append(_op_types(tf, lambda v: i.extract_glimpse(v, [3, 4], [[0., 0.], [0., 0.]]),
                         x))
    return out


def case_is_jpeg(tf, tmp):
    i = tf.image
    return [i.is_jpeg(b"\xff\xd8\xff\xe0\x00\x10JFIF"), i.is_jpeg(b"\x89PNG\r\n"),
            i.is_jpeg(b"\xff\xd8"), i.is_jpeg(tf.constant([b"\xff\xd8\xff", b"GIF89a"])),
            _op_types(tf, i.is_jpeg, np.array(b"\xff\xd8\xff", dtype=object))]


def case_stateless_sample_distorted_bounding_box(tf, tmp):
    """The stateless sampler draws TF's Philox words in TF's order: TF's crops."""
    i = tf.image
    boxes = np.array([[[0.1, 0.2, 0.8, 0.9], [0.5, 0.5, 0.6, 0.7]]], np.float32)
    out = []
    for seed in ([1, 2], [3, 4], [7, -1], [100, 5], [2 ** 33, 9]):
        out.append(list(i.stateless_sample_distorted_bounding_box(
            [40, 60, 3], boxes, seed=seed)))
        out.append(list(i.stateless_sample_distorted_bounding_box(
            np.array([37, 23, 1], np.int64), boxes[:, 1:], seed=seed,
            min_object_covered=0.9, aspect_ratio_range=(0.5, 2.0),
            area_range=(0.1, 0.6), max_attempts=50)))
    out.append(list(i.stateless_sample_distorted_bounding_box(
        [40, 60, 3], np.zeros((1, 0, 4), np.float32), seed=[5, 6],
        use_image_if_no_bounding_boxes=True)))
    # nothing can cover 100% of the box with at most 5% of the image: the whole image
    out.append(list(i.stateless_sample_distorted_bounding_box(
        [40, 60, 3], boxes, seed=[5, 6], min_object_covered=1.0, area_range=(0.01, 0.05),
        max_attempts=3)))
    out.append(_err(lambda: i.stateless_sample_distorted_bounding_box(
        [40, 60, 3], np.zeros((1, 0, 4), np.float32), seed=[5, 6])))
    out.append(_err(lambda: i.stateless_sample_distorted_bounding_box(
        [40, 60, 3], boxes * 2, seed=[5, 6])))
    out.append(_err(lambda: i.stateless_sample_distorted_bounding_box(
        [40, 60], boxes, seed=[5, 6])))
    b = i.sample_distorted_bounding_box([40, 60, 3], boxes, seed=3)
    out.append([t.shape for t in b] + [t.dtype for t in b])
    return out
