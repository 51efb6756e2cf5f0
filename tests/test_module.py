"""tf.Module: names, name scopes and TF's attribute-ordered collections."""
import pytest

pytestmark = pytest.mark.mode("v2")


def test_sample_layer_and_model(tf2):
    tf = tf2

    class SampleLayer(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.x = tf.Variable([[1.0, 3.0]], name="x_trainable")
            self.y = tf.Variable(2.0, trainable=False, name="y_non_trainable")

        def __call__(self, inp):
            return self.x * inp + self.y

    class Model(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.layer_1 = SampleLayer("layer_1")
            self.layer_2 = SampleLayer("layer_2")

        def __call__(self, x):
            return self.layer_2(self.layer_1(x))

    layer = SampleLayer(name="my_layer")
    assert str(layer(tf.constant(1.0))) == "tf.Tensor([[3. 5.]], shape=(1, 2), dtype=float32)"
    assert layer.name == "my_layer" and layer.name_scope.name == "my_layer/"
    assert isinstance(layer.trainable_variables, tuple)
    assert [v.name for v in layer.variables] == ["x_trainable:0", "y_non_trainable:0"]
    model = Model(name="model_name")
    assert str(model(tf.constant(1.0))) == "tf.Tensor([[ 5. 17.]], shape=(1, 2), dtype=float32)"
    assert [m.name for m in model.submodules] == ["layer_1", "layer_2"]
    assert len(model.variables) == 4 and len(model.trainable_variables) == 2


def test_ordering_by_attribute_name_and_scopes(tf2):
    tf = tf2

    class M(tf.Module):
        def __init__(self):
            super().__init__()
            with self.name_scope:
                self.zeta = tf.Variable(1.0, name="zeta")
                self.alpha = tf.Variable(2.0, name="alpha")
            self.items = [tf.Variable(3.0, name="in_list")]
            self.child = Child()

        @tf.Module.with_name_scope
        def make(self):
            return tf.Variable(0.0, name="made")

    class Child(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(4.0, name="w")

    m = M()
    assert m.name == "m" and Child().name == "child"
    assert [v.name for v in m.trainable_variables] == ["m/alpha:0", "in_list:0", "m/zeta:0",
                                                         "w:0"]
    assert m.make().name == "m/made:0"
    assert [s.name for s in m.submodules] == ["child"]
    with pytest.raises(ValueError, match="valid Python 3 identifiers"):
        tf.Module(name="not valid")
