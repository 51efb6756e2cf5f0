"""Process-wide TF1/TF2 switches, as `tf.compat.v1.disable_v2_behavior()` flips them in TF.

`import tfteach.v1` turns v2 behaviour off (graph mode by default, v1 shape printing);
`import tfteach` alone leaves it on (eager execution, v2 shapes).
"""
V2_SHAPES = True      # TensorShape indexing yields ints and prints None (v2) vs Dimension and ? (v1)
EAGER_DEFAULT = True  # ops outside any graph context run at once


def disable_v2_behavior():
    global V2_SHAPES, EAGER_DEFAULT
    V2_SHAPES = False
    EAGER_DEFAULT = False


def enable_v2_behavior():
    global V2_SHAPES, EAGER_DEFAULT
    V2_SHAPES = True
    EAGER_DEFAULT = True
