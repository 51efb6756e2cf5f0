"""Fixtures that put the process in TF1 or TF2 mode for one test.

`tfteach.v1` switches v2 behaviour off when imported; tests of both namespaces share one
process, so each test picks its mode explicitly and starts from a fresh default graph.
"""
import pytest

import tfteach
from tfteach.framework import behavior, ops


@pytest.fixture
def tf1():
    """`import tfteach.v1 as tf`, with a fresh default graph."""
    import tfteach.v1 as tf
    behavior.disable_v2_behavior()
    del ops._graph_stack[:]
    tf.reset_default_graph()
    yield tf
    del ops._graph_stack[:]
    tf.reset_default_graph()


@pytest.fixture
def tf2():
    """`import tfteach as tf`: eager execution, v2 shapes."""
    behavior.enable_v2_behavior()
    del ops._graph_stack[:]
    ops.reset_default_graph()
    yield tfteach
    del ops._graph_stack[:]
    behavior.enable_v2_behavior()
