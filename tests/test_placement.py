"""Placement and GPU memory options on a machine without a GPU (the CPU path), and the
GPU memory pool's policy (pure Python, no GPU needed). The GPU side of placement runs in
the CUDA simulator: tests/test_cuda_sim.py, started by tests/test_cuda_parity.py."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tfteach import errors
from tfteach.kernels import gpu_memory
from tfteach.runtime import devices, placement

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NO_GPU = devices.gpu_count() == 0
needs_no_gpu = pytest.mark.skipif(not NO_GPU, reason="checks the behaviour without a GPU")


@needs_no_gpu
def test_no_gpu_means_no_cuda_import():
    code = ("import sys, numpy as np\n"
            "import tfteach.v1 as tf\n"
            "with tf.device('/GPU:0'):\n"
            "    y = tf.constant([1.0, 2.0]) * 2.0\n"
            "with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as s:\n"
            "    assert list(s.run(y)) == [2.0, 4.0]\n"
            "print(sorted(m for m in sys.modules if m.startswith(('numba.cuda', "
            "'numba_cuda.numba'))))\n")
    env = dict(os.environ)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@needs_no_gpu
def test_pinned_to_gpu_without_gpu_errors_like_tf(tf1):
    with tf1.device("/GPU:0"):
        a = tf1.constant([1.0, 2.0], name="a")
        b = tf1.add(a, a, name="b")
    with tf1.Session() as s:
        with pytest.raises(tf1.errors.InvalidArgumentError) as e:
            s.run(b)
    msg = str(e.value)
    assert "Cannot assign a device for operation a: {{node a}} was explicitly assigned to " \
           "/device:GPU:0 but available devices are [ /job:localhost/replica:0/task:0/" \
           "device:CPU:0 ]" in msg or "Cannot assign a device for operation b" in msg
    assert "The requested device appears to be a GPU, but CUDA is not enabled." in msg


@needs_no_gpu
def test_soft_placement_without_gpu_runs_on_cpu_and_logs_it(tf1, capfd):
    with tf1.device("/GPU:0"):
        a = tf1.constant([1.0, 2.0], name="a")
        b = tf1.add(a, a, name="b")
    cfg = tf1.ConfigProto(allow_soft_placement=True, log_device_placement=True)
    with tf1.Session(config=cfg) as s:
        np.testing.assert_array_equal(s.run(b), [2.0, 4.0])
        plan = [p for f in s._fetch_cache.values() for p in f.plans.values()][0]
    assert "H2D" not in plan.source and "D2H" not in plan.source
    cap = capfd.readouterr()
    assert "b: (AddV2): /job:localhost/replica:0/task:0/device:CPU:0" in cap.out + cap.err


@needs_no_gpu
def test_no_gpu_devices_listed(tf1):
    assert devices.physical_devices("GPU") == []
    assert devices.physical_devices("CPU") == [
        devices.PhysicalDevice("/physical_device:CPU:0", "CPU")]
    assert repr(devices.physical_devices("CPU")[0]) == \
        "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    with tf1.Session() as s:
        assert [d.device_type for d in s.list_devices()] == ["CPU"]
    assert placement.eager_device_for("MatMul", "/GPU:0") == "CPU"
    assert placement.eager_device_for("MatMul") == "CPU"
    with pytest.raises(ValueError, match="No matching devices found for 'GPU:0'"):
        devices.get_memory_info("GPU:0")


def test_parse_device_names():
    assert placement.parse_device("/GPU:0") == ("GPU", 0)
    assert placement.parse_device("/device:gpu:1") == ("GPU", 1)
    assert placement.parse_device("/job:localhost/replica:0/task:0/device:CPU:0") == ("CPU", 0)
    assert placement.parse_device("") == (None, None)


def test_visible_device_list_is_checked():
    assert devices._parse_visible("", 2) == [0, 1]
    assert devices._parse_visible("1,0", 2) == [1, 0]
    with pytest.raises(ValueError, match="invalid GPU id '3'"):
        devices._parse_visible("3", 2)
    with pytest.raises(ValueError, match="Could not parse entry"):
        devices._parse_visible("a", 2)


# --- the pool's policy, over virtual addresses -------------------------------------------------
MiB = 1 << 20


def _pool(limit, growth):
    return gpu_memory.Pool(limit, growth, gpu_memory._VirtualBackend())


def test_default_reserves_the_whole_limit_at_first_use():
    p = _pool(64 * MiB, growth=False)
    assert p.bytes_reserved == 0
    a = p.malloc(1000)
    assert p.bytes_reserved == 64 * MiB and p.bytes_in_use == 1024
    p.free(a)
    assert p.bytes_in_use == 0 and p.peak_bytes_in_use == 1024


def test_allow_growth_takes_regions_as_needed():
    p = _pool(64 * MiB, growth=True)
    p.malloc(1000)
    assert p.stats()["num_regions"] == 1 and p.bytes_reserved == 2 * MiB
    p.malloc(3 * MiB)
    assert p.bytes_reserved == 6 * MiB          # a second region, twice the first
    assert p.stats()["bytes_in_use"] == 1024 + 3 * MiB


def test_limit_is_enforced_with_tfs_oom_error():
    p = _pool(8 * MiB, growth=True)
    p.malloc(2 * MiB)
    with pytest.raises(errors.ResourceExhaustedError,
                       match=r"OOM when allocating tensor with shape\[1024,2048\] and type "
                             r"float on /job:localhost/replica:0/task:0/device:GPU:0 by "
                             r"allocator GPU_0_bfc"):
        p.malloc(8 * MiB, (1024, 2048), np.float32)
    assert p.bytes_in_use == 2 * MiB


def test_freed_neighbours_merge_and_are_reused():
    p = _pool(1 * MiB, growth=False)
    a, b, c = p.malloc(1024), p.malloc(1024), p.malloc(1024)
    p.free(a)
    p.free(b)
    d = p.malloc(2048)              # fits only in a+b merged
    assert d == a
    p.free(c)
    p.free(d)
    assert p.bytes_in_use == 0 and list(p._free.values()) == [1 * MiB]


def test_fraction_sets_the_limit(monkeypatch):
    class Opts:
        per_process_gpu_memory_fraction = 0.25
        allow_growth = True
    monkeypatch.setattr(gpu_memory, "_POOL", None)
    monkeypatch.setattr(gpu_memory, "_CONFIG", None)
    monkeypatch.setenv("NUMBA_ENABLE_CUDASIM", "1")   # virtual 1 GiB device, no numba.cuda
    gpu_memory.configure(Opts(), [0])
    p = gpu_memory.pool()
    assert p.limit == (1 << 30) // 4 and p.allow_growth
    gpu_memory.configure(None, [0])                 # later options are ignored, as in TF
    assert gpu_memory._CONFIG == (0.25, True, (0,))


@pytest.mark.skipif(__import__("importlib").util.find_spec("numba_cuda") is None,
                    reason="needs the `cuda` extra for the simulator")
def test_cuda_visible_devices_empty_hides_the_gpu():
    code = ("import tfteach.v1\nfrom tfteach.runtime import devices, placement\n"
            "print(devices.physical_devices('GPU'), placement.eager_device_for('MatMul'))\n")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[] CPU"
    env.pop("CUDA_VISIBLE_DEVICES")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.stdout.strip() == \
        "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')] GPU", r.stderr
