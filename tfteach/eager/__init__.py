"""TF 2's eager layer: EagerTensor, eager execution, variables, GradientTape, tf.function."""
