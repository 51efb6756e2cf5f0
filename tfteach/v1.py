"""`import tfteach.v1 as tf`: TF 1.x, with v2 behaviour disabled (graphs and Sessions).

This module is an alias: the namespace itself is `tfteach.compat.v1`, so that
`tfteach.v1 is tfteach.compat.v1`. Importing it by this name is the TF1 user's
`disable_v2_behavior()`: ops build graphs, shapes print as `(?, 3)`.
"""
import sys

from tfteach.compat import v1 as _v1

_v1.disable_v2_behavior()
sys.modules[__name__] = _v1
