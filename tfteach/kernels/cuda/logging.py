"""GPU kernels of the logging family: Assert as a host-memory kernel. TF's GPU registration
keeps `condition` and `data` in host memory, so an Assert placed on a GPU runs its CPU code
on host values (`_dev.register_host`): the check never needs device memory."""
from . import _dev

_dev.register_host("Assert")
