"""Distributed execution (TF1's model) on Dask: ClusterSpec and Server (cluster.py), the
master's placement and partitioning with _Send/_Recv pairs (master.py), each task a Dask
worker running its partitions with the local executor (worker.py, backend.py), and a
session's link to the cluster (runner.py). Dask is imported only when a cluster is used.
"""
from .cluster import (ClusterDef, ClusterSpec, Server, ServerDef,  # noqa: F401
                      replica_device_setter)

__all__ = ["ClusterSpec", "ClusterDef", "Server", "ServerDef", "replica_device_setter",
           "dashboard"]


def dashboard(where):
    """Dask's dashboard of the cluster behind a Server, a Session on a cluster or a target:
    a link in a notebook, or how to get one (bokeh) when the scheduler cannot serve it."""
    from .backend import dashboard as _dashboard
    return _dashboard(where)
