"""More `tf.keras.layers`: normalization, pooling, activations, merging, reshaping,
Conv1D/Conv2DTranspose, GRU, Bidirectional, TimeDistributed. Expected values were measured
with TensorFlow 2.21 + Keras 3 given the same weights and inputs."""
import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")


@pytest.fixture
def keras(tf2):
    tf2.keras.backend.clear_session()
    return tf2.keras


def _x():
    return np.random.RandomState(0).randn(4, 3, 3, 2).astype(np.float32)


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b, np.float32), rtol=tol, atol=tol)


# --- group 1: normalization, global pooling, activation layers ----------------------------------

def test_batch_normalization_values_updates_and_grads(tf2, keras):
    x = _x()
    bn = keras.layers.BatchNormalization(momentum=0.5)
    bn(x)
    bn.set_weights([np.array([1.5, 0.5]), np.array([0.1, -0.2]), np.array([0.2, 0.3]),
                    np.array([2.0, 0.5])])
    assert [(v.name, tuple(v.shape), v.trainable) for v in bn.weights] == [
        ("gamma", (2,), True), ("beta", (2,), True), ("moving_mean", (2,), False),
        ("moving_variance", (2,), False)]
    assert [v.name for v in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert bn.count_params() == 8
    _close(bn(x)[0, 0], [[1.758514, -0.129249], [0.92577, 1.171048], [1.86827, -1.10227]])
    _close(bn(x, training=True)[0, 0],
           [[2.51883, 0.005693], [1.454008, 0.975743], [2.659174, -0.720203]])
    _close(bn.moving_mean.numpy(), [0.090073, 0.154921])
    _close(bn.moving_variance.numpy(), [1.611408, 0.699595])
    f = tf2.function(lambda v: bn(v, training=True))
    f(x)
    _close(bn.moving_mean.numpy(), [0.035109, 0.082381])
    _close(bn.moving_variance.numpy(), [1.417112, 0.799392])
    w = tf2.constant(np.arange(2, dtype=np.float32) + 1)
    with tf2.GradientTape() as t:
        xx = tf2.constant(x)
        t.watch(xx)
        y = bn(xx, training=True)
        loss = tf2.reduce_sum(y * y * w)
    g = t.gradient(loss, [xx] + bn.trainable_weights)
    _close(g[0][0, 0], [[0.00536, 0.000482], [0.003, 0.002754], [0.00567, -0.001218]], 1e-4)
    _close(g[1], [107.91174, 71.92], 1e-4)
    _close(g[2], [7.2, -28.8], 1e-4)
    assert set(bn.get_config()) >= {"axis", "momentum", "epsilon", "center", "scale",
                                    "beta_initializer", "gamma_initializer",
                                    "moving_mean_initializer", "moving_variance_initializer"}
    nb = keras.layers.BatchNormalization(center=False, scale=False)
    nb(x)
    assert [v.name for v in nb.weights] == ["moving_mean", "moving_variance"]
    with pytest.raises(NotImplementedError, match="gamma_regularizer"):
        keras.layers.BatchNormalization(gamma_regularizer="l2")


def test_batch_normalization_in_fit_and_frozen(tf2, keras):
    rs = np.random.RandomState(1)
    x = (rs.randn(64, 4) * 3 + 5).astype(np.float32)
    y = (x.sum(1) > 20).astype(np.int32)
    model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(momentum=0.5),
                              keras.layers.Dense(2)])
    model.compile(keras.optimizers.Adam(0.05),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    bn = model.layers[0]
    h = model.fit(x, y, epochs=20, batch_size=16, verbose=0, shuffle=False)
    assert h.history["loss"][-1] < h.history["loss"][0] * 0.6
    assert model.evaluate(x, y, verbose=0) < h.history["loss"][0] * 0.6
    assert np.all(np.abs(bn.moving_mean.numpy() - 5) < 1)   # moved to the batch means
    before = bn.moving_mean.numpy().copy()
    model.predict(x, verbose=0)
    _close(bn.moving_mean.numpy(), before)               # inference leaves them alone
    bn.trainable = False                                 # Keras 3: frozen BN runs in inference
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    _close(bn.moving_mean.numpy(), before)
    assert len(model.trainable_weights) == 2


def test_layer_normalization_and_global_pooling(tf2, keras):
    x = _x()
    rs = np.random.RandomState(0)
    rs.randn(4, 3, 3, 2)
    ln = keras.layers.LayerNormalization(axis=[1, 2])
    ln(x)
    ln.set_weights([rs.randn(3, 3).astype(np.float32) for _ in range(2)])
    assert [(v.name, tuple(v.shape)) for v in ln.weights] == [("gamma", (3, 3)),
                                                              ("beta", (3, 3))]
    _close(ln(x)[1, 1], [[0.387852, 2.272615], [1.967943, 1.812857], [0.572739, 0.184717]])
    with tf2.GradientTape() as t:
        xx = tf2.constant(x)
        t.watch(xx)
        y = ln(xx)
        loss = tf2.reduce_sum(y * y * tf2.constant(np.arange(2, dtype=np.float32) + 1))
    _close(t.gradient(loss, xx)[0, 0],
           [[5.558708, 5.949628], [-0.54571, 4.075051], [-4.31659, 4.057183]], 1e-4)
    _close(keras.layers.GlobalAveragePooling2D()(x)[0], [0.922249, 0.403053])
    assert keras.layers.GlobalMaxPooling2D(keepdims=True)(x).shape == (4, 1, 1, 2)
    _close(keras.layers.GlobalAveragePooling2D(data_format="channels_first")(x)[0],
           [1.045687, 0.450738, 0.491529])
    _close(keras.layers.GlobalMaxPooling2D()(x)[0], x[0].max(axis=(0, 1)))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=2"):
        keras.layers.GlobalAveragePooling2D()(np.zeros((2, 3), np.float32))


def test_activation_layers(tf2, keras):
    x = _x()
    _close(keras.layers.LeakyReLU()(x)[0, 0, 0], [1.764052, 0.400157])
    _close(keras.layers.LeakyReLU(0.1)(x)[0, 1, 0], [0.950088, -0.015136])
    _close(keras.layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)(x)[0, :, 0, 0],
           [1.0, 0.950088, 0.761038])
    _close(keras.layers.Softmax(axis=1)(x)[0, :, 0, 0], [0.552526, 0.244823, 0.202651])
    _close(keras.layers.Activation("relu")(x), np.maximum(x, 0))
    assert keras.layers.LeakyReLU().get_config()["negative_slope"] == 0.3
    assert keras.layers.ReLU().name == "re_lu_1"      # the second ReLU made here
    with pytest.raises(ValueError, match="negative_slope value of a Leaky ReLU"):
        keras.layers.LeakyReLU(-1)
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        keras.layers.ReLU(max_value=-1)


# --- group 2: merging and reshaping layers ------------------------------------------------------

def _xyz():
    rs = np.random.RandomState(0)
    return (rs.randn(2, 3, 3, 2).astype(np.float32), rs.randn(2, 3, 3, 2).astype(np.float32),
            rs.randn(2, 3, 3, 1).astype(np.float32))


def test_merge_layers_values_and_errors(tf2, keras):
    x, y, z = _xyz()
    L = keras.layers
    expect = {L.Add: [-1.79508, -1.92885], L.Subtract: [0.01951, -2.03274],
              L.Multiply: [0.80549, -0.10289], L.Average: [-0.89754, -0.96443],
              L.Maximum: [-0.88779, 0.05195], L.Minimum: [-0.9073, -1.9808]}
    for cls, want in expect.items():
        _close(cls()([x, y])[1, 2, 1], want)
    _close(L.average([x, y, x])[0, 0, 0], [1.58613, 0.66756])
    _close(L.add([x, z])[0, 0, 0], [2.90345, 1.53956])          # broadcasts like Keras
    assert L.Concatenate()([x, z]).shape == (2, 3, 3, 3)
    assert L.concatenate([x, y], axis=1).shape == (2, 6, 3, 2)
    _close(L.Concatenate(axis=1)([x, y])[0, :, 0, 0],
           [1.76405, 0.95009, 0.76104, 1.23029, -1.70627, -1.6139])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        L.Add()(x)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([x, x, x])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([np.zeros((2, 2, 2), np.float32), np.zeros((2, 3, 2), np.float32)])
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        L.Add()([np.zeros((2, 2), np.float32), np.zeros((2, 3), np.float32)])
    assert L.Concatenate(axis=2).get_config()["axis"] == 2


def test_reshaping_layers(tf2, keras):
    x, _, _ = _xyz()
    L = keras.layers
    _close(L.Rescaling(1 / 255., offset=-1)(np.array([[0, 255, 128]], np.uint8)),
           [[-1.0, 0.0, -0.49804]])
    assert L.ZeroPadding2D(((1, 0), (2, 1)))(x).shape == (2, 4, 6, 2)
    assert L.ZeroPadding2D(1, data_format="channels_first")(x).shape == (2, 3, 5, 4)
    _close(L.Cropping2D(((1, 0), (0, 1)))(x)[0, :, :, 0], [[0.95009, -0.10322],
                                                          [0.76104, 0.44386]])
    up = L.UpSampling2D((2, 3))(x)
    assert up.shape == (2, 6, 9, 2)
    _close(up[0, :3, :4, 0], [[1.76405] * 3 + [0.97874], [1.76405] * 3 + [0.97874],
                              [0.95009] * 3 + [-0.10322]])
    _close(L.RepeatVector(3)(x[:, 0, 0, :])[1], [[0.31307, -0.8541]] * 3)
    assert L.Permute((3, 1, 2))(x).shape == (2, 2, 3, 3)
    _close(L.Lambda(lambda v, k: v * k, arguments={"k": 3.0})(x)[0, 0, 0], [5.29216, 1.20047])
    sd = L.SpatialDropout2D(0.5)
    ones = np.ones((50, 2, 2, 8), np.float32)
    o = sd(ones, training=True).numpy()
    assert set(np.unique(o)) <= {0.0, 2.0} and (o == o[:, :1, :1, :]).all()
    _close(sd(ones), ones)
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        L.Permute((1, 3))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        L.RepeatVector(2)(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(NotImplementedError, match="interpolation"):
        L.UpSampling2D(interpolation="bilinear")
    with pytest.raises(NotImplementedError, match="mask"):
        L.Lambda(lambda v: v, mask=lambda i, m: m)


def _functional_merge_model(tf2, keras):
    L = keras.layers
    inp = keras.Input((3, 3, 2))
    a, b = L.Conv2D(2, 1)(inp), L.Conv2D(2, 1)(inp)
    m = L.Concatenate()([L.Add()([a, b]),
                         L.UpSampling2D(1)(L.ZeroPadding2D(0)(L.Multiply()([a, b])))])
    model = keras.Model(inp, L.Dense(1)(L.Flatten()(m)))
    model.set_weights([np.random.RandomState(i).randn(*w.shape).astype(np.float32) * 0.3
                       for i, w in enumerate(model.weights)])
    return model


def test_functional_merge_model_values_grads_and_fit(tf2, keras):
    x, _, _ = _xyz()
    model = _functional_merge_model(tf2, keras)
    assert model.count_params() == 49
    _close(model(x).numpy().ravel(), [1.27599, 1.8947])
    with tf2.GradientTape() as t:
        loss = tf2.reduce_sum(model(x) ** 2)
    want = [[1.36317, -0.08777, -1.14705], [2.13964, -8.89885], [-5.67106, 0.82062, -6.72417],
            [3.93404, -10.37146], [9.56121, -2.32596, 1.82633], [6.34137]]
    for g, w in zip(t.gradient(loss, model.trainable_weights), want):
        _close(g.numpy().ravel()[:len(w)], w, 1e-4)
    f = tf2.function(lambda v: model(v))
    _close(f(x).numpy().ravel(), [1.27599, 1.8947])
    model.compile(keras.optimizers.SGD(0.01), "mse")
    h = model.fit(x, np.zeros((2, 1), np.float32), epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_sequential_with_group1_and_2_layers_fits(tf2, keras):
    L = keras.layers
    keras.utils.set_random_seed(0)
    rs = np.random.RandomState(0)
    x = rs.rand(32, 4, 4, 1).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int32)
    model = keras.Sequential([
        keras.Input((4, 4, 1)), L.Rescaling(2.0, offset=-1.0), L.ZeroPadding2D(1),
        L.Conv2D(4, 3), L.BatchNormalization(), L.LeakyReLU(0.1), L.SpatialDropout2D(0.1),
        L.UpSampling2D(), L.Cropping2D(1), L.AveragePooling2D(), L.LayerNormalization(),
        L.GlobalMaxPooling2D(), L.RepeatVector(2), L.Permute((2, 1)), L.Flatten(),
        L.Activation("tanh"), L.Dense(2), L.Softmax()])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    h = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert np.isfinite(h.history["loss"]).all()
    assert h.history["loss"][-1] < h.history["loss"][0]


# --- group 3: Conv1D, Conv2DTranspose, GRU, Bidirectional, TimeDistributed ----------------------

# Measured in TF 2.21 / Keras 3: output shape, weight paths, count_params, the first six
# outputs and the first four entries of d(sum(y**2))/d(input, each trainable weight), after
# setting weight i to RandomState(i + 7).randn(shape) * 0.4.
GOLDEN = {'bi': {'grads': [[0.08129999786615372, -0.056699998676776886, -0.13189999759197235,
                   0.11779999732971191],
                  [-0.3806999921798706, -0.016899999231100082, -0.20360000431537628,
                   0.23270000517368317],
                  [0.005799999926239252, -0.0003000000142492354, 0.07609999924898148,
                   -0.017500000074505806],
                  [-0.22540000081062317, -0.016699999570846558, -0.25429999828338623,
                   0.2020999938249588],
                  [-0.7106000185012817, -0.7233999967575073, -0.037300001829862595,
                   -0.19769999384880066],
                  [-0.01979999989271164, 0.04230000078678131, 0.0005000000237487257,
                   -0.014999999664723873],
                  [-0.6323000192642212, -0.5759999752044678, -0.048900000751018524,
                   -0.19259999692440033]],
        'n': 84,
        'out': [-0.1429000049829483, 0.07419999688863754, 0.21889999508857727,
                -0.46389999985694885, -0.37459999322891235, 0.10369999706745148],
        'paths': ['bidirectional/forward_gru_2/gru_cell/kernel',
                  'bidirectional/forward_gru_2/gru_cell/recurrent_kernel',
                  'bidirectional/forward_gru_2/gru_cell/bias',
                  'bidirectional/backward_gru_2/gru_cell/kernel',
                  'bidirectional/backward_gru_2/gru_cell/recurrent_kernel',
                  'bidirectional/backward_gru_2/gru_cell/bias'],
        'shape': (2, 5, 4)},
 'bisum': {'grads': [[0.05169999971985817, -0.011300000362098217, 0.06769999861717224,
                      0.026200000196695328],
                     [-0.020999999716877937, 0.019500000402331352, -0.0005000000237487257,
                      0.025100000202655792],
                     [-0.00419999985024333, -0.004999999888241291, 0.004999999888241291,
                      -0.0027000000700354576],
                     [0.012600000016391277, 0.039400000125169754, -0.019099999219179153,
                      0.03929999843239784],
                     [0.005200000014156103, 0.21809999644756317, 0.04749999940395355,
                      0.1143999993801117],
                     [0.003599999938160181, 0.03229999914765358, 0.026100000366568565,
                      0.011900000274181366],
                     [0.01549999974668026, 0.13580000400543213, 0.08340000361204147,
                      0.07129999995231628]],
           'n': 96,
           'out': [0.07249999791383743, -0.4602000117301941, 0.2890999913215637,
                   -0.1290999948978424],
           'paths': ['bidirectional_1/forward_lstm/lstm_cell/kernel',
                     'bidirectional_1/forward_lstm/lstm_cell/recurrent_kernel',
                     'bidirectional_1/forward_lstm/lstm_cell/bias',
                     'bidirectional_1/backward_lstm/lstm_cell/kernel',
                     'bidirectional_1/backward_lstm/lstm_cell/recurrent_kernel',
                     'bidirectional_1/backward_lstm/lstm_cell/bias'],
           'shape': (2, 2)},
 'c1': {'grads': [[3.1937999725341797, -0.2379000037908554, -1.3353999853134155,
                   4.451099872589111],
                  [20.77910041809082, -8.31089973449707, 8.126999855041504, -8.02400016784668],
                  [15.936699867248535, -6.913899898529053]],
        'n': 20,
        'out': [2.1135001182556152, -0.8999000191688538, 2.2402000427246094,
                -0.42820000648498535, 0.6446999907493591, -0.24699999392032623],
        'paths': ['conv1d/kernel', 'conv1d/bias'],
        'shape': (2, 3, 2)},
 'c1c': {'grads': [[3.0952999591827393, -0.6394000053405762, -0.4147000014781952,
                    1.1786999702453613],
                   [4.6697998046875, -2.5499000549316406, 3.9614999294281006,
                    -1.659600019454956],
                   [10.864100456237793, -4.59689998626709]],
         'n': 20,
         'out': [0.5713000297546387, 0.06800000369548798, 0.09130000323057175,
                 -0.9318000078201294, 0.13770000636577606, -0.7892000079154968],
         'paths': ['conv1d_2/kernel', 'conv1d_2/bias'],
         'shape': (2, 5, 2)},
 'c1s': {'grads': [[2.6096999645233154, 0.050700001418590546, -1.217900037765503,
                    -0.00139999995008111],
                   [8.78600025177002, 0.4544000029563904, 3.634000062942505,
                    3.3910000324249268],
                   [7.007199764251709, 2.810699939727783]],
         'n': 14,
         'out': [1.9296000003814697, 0.0, 0.4041999876499176, 0.0, 0.41260001063346863,
                 0.3149000108242035],
         'paths': ['conv1d_1/kernel', 'conv1d_1/bias'],
         'shape': (2, 3, 2)},
 'ct': {'grads': [[5.47599983215332, 2.741300106048584, -1.6584999561309814,
                   -22.730199813842773],
                  [12.012299537658691, -3.3203999996185303, -5.320799827575684,
                   7.631499767303467],
                  [2.8875999450683594, 34.113800048828125, -77.85530090332031]],
        'n': 57,
        'out': [0.07079999893903732, 0.5001999735832214, -0.8274000287055969,
                -0.4602000117301941, 0.25589999556541443, -0.5649999976158142],
        'paths': ['conv2d_transpose/kernel', 'conv2d_transpose/bias'],
        'shape': (2, 5, 5, 3)},
 'cts': {'grads': [[-5.627600193023682, 1.281499981880188, -4.537300109863281,
                    -15.463399887084961],
                   [17.065000534057617, -3.9746999740600586, -13.786399841308594,
                    -2.8645999431610107],
                   [-18.594600677490234, 87.25160217285156]],
         'n': 38,
         'out': [0.07079999893903732, 0.5001999735832214, -0.01209999993443489,
                 0.17100000381469727, -0.040800001472234726, 0.037300001829862595],
         'paths': ['conv2d_transpose_1/kernel', 'conv2d_transpose_1/bias'],
         'shape': (2, 6, 6, 2)},
 'ctv': {'grads': [[0.0575999990105629, -0.30329999327659607, -1.8092999458312988,
                    -4.9120001792907715],
                   [16.577800750732422, -2.4302000999450684, -7.054699897766113,
                    3.34660005569458],
                   [-6.674900054931641, 154.56790161132812]],
         'n': 18,
         'out': [0.07079999893903732, 0.5001999735832214, -0.01209999993443489,
                 0.17100000381469727, 0.0364999994635582, 0.43650001287460327],
         'paths': ['conv2d_transpose_2/kernel', 'conv2d_transpose_2/bias'],
         'shape': (2, 9, 9, 2)},
 'gru': {'grads': [[0.219200000166893, 0.2303999960422516, 0.41499999165534973,
                    0.5971999764442444],
                   [-1.3422000408172607, -1.8835999965667725, -0.7613000273704529,
                    0.11779999732971191],
                   [0.1881999969482422, 0.2410999983549118, -0.000699999975040555,
                    -0.057500001043081284],
                   [-1.5664000511169434, -1.1664999723434448, -0.2085999995470047,
                    0.12790000438690186]],
         'n': 72,
         'out': [-0.15399999916553497, -0.6625000238418579, 0.057500001043081284,
                 -0.310699999332428, -0.6302000284194946, 0.5317999720573425],
         'paths': ['gru/gru_cell/kernel', 'gru/gru_cell/recurrent_kernel',
                   'gru/gru_cell/bias'],
         'shape': (2, 5, 3)},
 'grub': {'grads': [[0.06840000301599503, 0.03350000083446503, -0.039799999445676804,
                     -0.02810000069439411],
                    [-0.11860000342130661, -0.003700000001117587, -0.07320000231266022,
                     0.05050000175833702],
                    [0.003700000001117587, -0.0006000000284984708, 0.029200000688433647,
                     -0.00559999980032444],
                    [-0.05350000038743019, -0.002400000113993883, -0.08500000089406967,
                     0.039000000804662704]],
          'n': 42,
          'out': [-0.3646000027656555, 0.04820000007748604, -0.34860000014305115,
                  -0.011300000362098217],
          'paths': ['gru_1/gru_cell/kernel', 'gru_1/gru_cell/recurrent_kernel',
                    'gru_1/gru_cell/bias'],
          'shape': (2, 2)},
 'td': {'grads': [[0.4000000059604645, 0.06340000033378601, -0.21549999713897705,
                   0.008899999782443047],
                  [4.426700115203857, 2.7032999992370605, -0.05290000140666962,
                   4.430300235748291],
                  [3.534600019454956, 4.770899772644043]],
        'n': 8,
        'out': [0.728600025177002, 0.1720000058412552, 0.9549000263214111, 0.3118000030517578,
                0.6104000210762024, 0.2304999977350235],
        'paths': ['time_distributed/dense/kernel', 'time_distributed/dense/bias'],
        'shape': (2, 5, 2)},
 'tdc': {'grads': [[-0.07100000232458115, 0.7610999941825867, -1.6061999797821045,
                    -2.892699956893921],
                   [25.146299362182617, -19.874300003051758, 13.357999801635742,
                    3.635499954223633],
                   [-11.3233003616333, 46.03329849243164]],
         'n': 18,
         'out': [0.5781999826431274, 2.288100004196167, -0.6362000107765198,
                 1.0318000316619873, -0.23649999499320984, 0.37929999828338623],
         'paths': ['time_distributed_1/conv2d/kernel', 'time_distributed_1/conv2d/bias'],
         'shape': (2, 2, 2, 2, 2)}}


def _group3_cases(keras, s, im):
    L = keras.layers
    return [("c1", L.Conv1D(2, 3), s),
            ("c1s", L.Conv1D(2, 2, strides=2, padding="same", activation="relu"), s),
            ("c1c", L.Conv1D(2, 3, padding="causal", dilation_rate=2), s),
            ("ct", L.Conv2DTranspose(3, 3), im),
            ("cts", L.Conv2DTranspose(2, 3, strides=2, padding="same"), im),
            ("ctv", L.Conv2DTranspose(2, 2, strides=3), im),
            ("gru", L.GRU(3, return_sequences=True), s), ("grub", L.GRU(2, go_backwards=True), s),
            ("bi", L.Bidirectional(L.GRU(2, return_sequences=True)), s),
            ("bisum", L.Bidirectional(L.LSTM(2), merge_mode="sum"), s),
            ("td", L.TimeDistributed(L.Dense(2, activation="tanh")), s),
            ("tdc", L.TimeDistributed(L.Conv2D(2, 2)), np.stack([im, im * 2], 1))]


@pytest.mark.parametrize("in_function", [False, True])
def test_group3_values_paths_and_grads(tf2, keras, in_function):
    rs = np.random.RandomState(0)
    s = rs.randn(2, 5, 3).astype(np.float32)
    im = rs.randn(2, 3, 3, 2).astype(np.float32)
    for name, layer, x in _group3_cases(keras, s, im):
        want = GOLDEN[name]
        layer(x)
        layer.set_weights([np.random.RandomState(i + 7).randn(*w.shape).astype(np.float32) * 0.4
                           for i, w in enumerate(layer.weights)])
        assert [w.path for w in layer.weights] == want["paths"], name
        assert layer.count_params() == want["n"], name

        def run(v):
            with tf2.GradientTape() as t:
                t.watch(v)
                y = layer(v)
                loss = tf2.reduce_sum(y * y)
            return y, t.gradient(loss, [v] + layer.trainable_weights)
        fn = tf2.function(run) if in_function else run
        y, grads = fn(tf2.constant(x))
        assert tuple(y.shape) == want["shape"], name
        _close(y.numpy().ravel()[:6], want["out"], 1e-4)
        for g, w in zip(grads, want["grads"]):
            _close(g.numpy().ravel()[:4], w, 2e-4)


def test_group3_structure_and_errors(tf2, keras):
    L = keras.layers
    s = np.zeros((2, 5, 3), np.float32)
    r = L.Bidirectional(L.LSTM(2, return_state=True))(s)
    assert [tuple(v.shape) for v in r] == [(2, 4), (2, 2), (2, 2), (2, 2), (2, 2)]
    r = L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode=None)(s)
    assert [tuple(v.shape) for v in r] == [(2, 5, 2), (2, 5, 2)]
    b = L.Bidirectional(L.GRU(2))
    assert (b.forward_layer.name, b.backward_layer.name) == ("forward_" + b.layer.name,
                                                             "backward_" + b.layer.name)
    assert b.backward_layer.go_backwards
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="foo")
    with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
        L.Conv1D(2, 3)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        L.Conv2DTranspose(2, 3)(np.zeros((2, 3, 3), np.float32))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.GRU(2)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        L.TimeDistributed(L.Dense(2))(np.zeros((2, 3), np.float32))
    with pytest.raises(NotImplementedError, match="output_padding"):
        L.Conv2DTranspose(2, 3, output_padding=1)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        L.Conv1D(2, 3, bogus=1)
    keras.backend.clear_session()
    g = L.GRU(3)
    g(s)
    assert [v.path for v in g.variables][:3] == ["gru/gru_cell/kernel",
                                                 "gru/gru_cell/recurrent_kernel",
                                                 "gru/gru_cell/bias"]
    assert tuple(g.cell.bias.shape) == (2, 9)


def test_group3_models_fit(tf2, keras):
    L = keras.layers
    keras.utils.set_random_seed(0)
    rs = np.random.RandomState(0)
    x = rs.randn(32, 6, 3).astype(np.float32)
    y = (x[:, :, 0].sum(1) > 0).astype(np.int32)
    seq = keras.Sequential([keras.Input((6, 3)), L.Conv1D(4, 3, padding="causal"),
                            L.Bidirectional(L.GRU(3, return_sequences=True)),
                            L.TimeDistributed(L.Dense(2)), L.GRU(3), L.Dense(2)])
    seq.compile(keras.optimizers.Adam(0.02),
                keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = seq.fit(x, y, epochs=6, batch_size=8, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    inp = keras.Input((4, 4, 2))
    up = L.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu")(inp)
    out = L.Dense(1)(L.GlobalAveragePooling2D()(L.Concatenate()([up, L.UpSampling2D()(inp)])))
    model = keras.Model(inp, out)
    xi = rs.randn(16, 4, 4, 2).astype(np.float32)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    h = model.fit(xi, xi.mean(axis=(1, 2, 3))[:, None], epochs=5, batch_size=8, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
