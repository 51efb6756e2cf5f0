"""Basic tf.image against TF 2.21 (see tests/tfcases.py): adjustments, grayscale, resizes
(TF2's half-pixel centres, TF1's corner alignment), flips, rot90, central_crop,
per_image_standardization; op names and gradients."""
import numpy as np

MODE = "v2"

IMG = (np.arange(4 * 5 * 3).reshape(4, 5, 3) % 11 / 10.0).astype(np.float32)
U8 = (np.arange(2 * 3 * 3).reshape(2, 3, 3) * 14).astype(np.uint8)


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        return type(e).__name__
    return None


def _op_types(tf, fn, *args):
    specs = [tf.TensorSpec(np.shape(a), tf.as_dtype(np.asarray(a).dtype)) for a in args]
    g = tf.function(fn).get_concrete_function(*specs).graph
    return sorted({op.type for op in g.get_operations()} - {"Placeholder", "Identity",
                                                              "NoOp", "Const"})


def _grad(tf, fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(x)
    return t.gradient(y, x)


def case_adjustments(tf, tmp):
    i = tf.image
    return [i.adjust_brightness(IMG, 0.25), i.adjust_brightness(U8, 0.1),
            i.adjust_contrast(IMG, 1.7), i.adjust_contrast(U8, 0.5),
            i.adjust_saturation(IMG, 0.3), i.adjust_saturation(IMG, 2.5),
            i.adjust_saturation(U8, 1.5),
            _op_types(tf, lambda x: i.adjust_brightness(x, 0.25), IMG),
            _op_types(tf, lambda x: i.adjust_contrast(x, 1.7), IMG),
            _op_types(tf, lambda x: i.adjust_saturation(x, 0.3), IMG),
            _grad(tf, lambda x: tf.reduce_sum(i.adjust_brightness(x, 0.5) ** 2), IMG)]


def case_grayscale(tf, tmp):
    g = tf.image.rgb_to_grayscale(IMG)
    g8 = tf.image.rgb_to_grayscale(U8)
    batch = tf.image.rgb_to_grayscale(np.stack([IMG, IMG[::-1]]))
    return [g, g8, batch.shape, tf.image.grayscale_to_rgb(g).shape,
            _grad(tf, lambda x: tf.reduce_sum(tf.image.rgb_to_grayscale(x)), IMG[:2, :2])]


def case_resize_bilinear(tf, tmp):
    small = IMG[:3, :4, :2]
    up = tf.image.resize(small, [5, 7])
    down = tf.image.resize(IMG, [2, 3], method="bilinear")
    batch = tf.image.resize(np.stack([small, small * 2]), (6, 3))
    ints = tf.image.resize(U8, [4, 4])
    g = _grad(tf, lambda x: tf.reduce_sum(tf.image.resize(x, [5, 7]) *
                                          np.arange(35.).reshape(5, 7, 1)), small[..., :1])
    return [up, down, batch, ints, ints.dtype, g,
            _op_types(tf, lambda x: tf.image.resize(x, [5, 7]), small),
            _err(lambda: tf.image.resize(IMG, [0, 3])),
            _err(lambda: tf.image.resize(IMG[0, 0], [2, 2]))]


def case_resize_nearest(tf, tmp):
    small = IMG[:3, :4, :2]
    up = tf.image.resize(small, [5, 7], method="nearest")
    down = tf.image.resize(IMG, [2, 3], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    ints = tf.image.resize(U8, [3, 5], method="nearest")
    g = _grad(tf, lambda x: tf.reduce_sum(tf.image.resize(x, [5, 7], method="nearest") *
                                          np.arange(35.).reshape(5, 7, 1)), small[..., :1])
    return [up, down, ints, ints.dtype, g,
            _op_types(tf, lambda x: tf.image.resize(x, [5, 7], method="nearest"), small)]


def case_resize_v1(tf, tmp):
    v1 = tf.compat.v1.image
    small = IMG[:3, :4, :2]
    return [v1.resize_bilinear(small[None], [5, 7]),
            v1.resize_bilinear(small[None], [5, 7], align_corners=True),
            v1.resize_nearest_neighbor(small[None], [5, 7]),
            v1.resize_nearest_neighbor(small[None], [5, 7], align_corners=True),
            v1.resize_images(small, [5, 7]),
            v1.resize_bilinear(small[None], [5, 7], half_pixel_centers=True)]


def case_flips_and_rotations(tf, tmp):
    i = tf.image
    b = np.stack([IMG, IMG * 2])
    return [i.flip_left_right(IMG), i.flip_up_down(IMG), i.flip_left_right(b),
            i.flip_up_down(b), i.rot90(IMG), i.rot90(IMG, k=2), i.rot90(IMG, k=3),
            i.rot90(b, k=1), i.rot90(IMG, k=4), i.transpose(IMG),
            _op_types(tf, i.flip_left_right, IMG), _op_types(tf, i.flip_up_down, IMG),
            _err(lambda: i.flip_left_right(IMG[0, 0]))]


def case_crop_and_standardize(tf, tmp):
    i = tf.image
    return [i.central_crop(IMG, 0.5), i.central_crop(IMG, 1.0),
            i.central_crop(np.stack([IMG, IMG]), 0.6), i.per_image_standardization(IMG),
            i.per_image_standardization(U8), i.per_image_standardization(np.ones((2, 2, 1))),
            _err(lambda: i.central_crop(IMG, 0.0)),
            _grad(tf, lambda x: tf.reduce_sum(i.per_image_standardization(x) *
                                              np.arange(12.).reshape(2, 2, 3)),
                  IMG[:2, :2].astype(np.float64)),
            i.convert_image_dtype(U8, tf.float32), i.convert_image_dtype(IMG, tf.uint8)]
