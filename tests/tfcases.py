"""Behaviour cases run twice: under TensorFlow 2.21 to record (tools/record_cases.py writes
tests/data/tf_<module>.json) and under tfteach to compare (the test_*.py that loads them).

A case module (tests/cases_*.py) sets MODE = "v1" (TF1 graphs: the case gets
`tf.compat.v1` with v2 behaviour off) or "v2" (eager TF2: `tf`), and defines functions
`case_<name>(tf, tmp)` returning plain data made of tensors, arrays, dtypes, shapes,
strings and numbers. `normalize` turns that into JSON; `compare` checks tfteach's result
against TF's, floats to a tolerance. A case that expects an error catches it itself and
returns what matters (class name, a fragment of the message).
"""
import importlib.util
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases(name):
    path = os.path.join(HERE, f"cases_{name}.py")
    spec = importlib.util.spec_from_file_location(f"cases_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def case_names(mod):
    return sorted(n[5:] for n in dir(mod) if n.startswith("case_"))


def recorded(name):
    with open(os.path.join(HERE, "data", f"tf_{name}.json")) as f:
        return json.load(f)


def _dtype_name(d):
    return "tf." + d.name


def normalize(x):
    """Plain JSON data for a case result (tensors become {"array", "dtype"})."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    if isinstance(x, bytes):
        return {"bytes": x.decode("latin-1")}
    tname = type(x).__name__
    if tname == "DType":
        return {"dtype_obj": _dtype_name(x)}
    if tname in ("TensorShape",):
        return {"shape": None if x.rank is None else list(x.as_list())}
    if tname == "Dimension":
        return x.value
    if tname == "TensorSpec":
        return {"spec": normalize(x.shape), "spec_dtype": _dtype_name(x.dtype)}
    if isinstance(x, dict):
        return {str(k): normalize(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, (list, tuple)):
        return [normalize(v) for v in x]
    if hasattr(x, "numpy") and callable(x.numpy):
        x = x.numpy()
        if isinstance(x, bytes):            # a scalar string tensor
            return {"array": x.decode("latin-1"), "dtype": "string"}
    if isinstance(x, (np.ndarray, np.generic)):
        arr = np.asarray(x)
        if arr.dtype.kind == "S":           # NumPy fixed-width bytes
            arr = arr.astype(object)
        if arr.dtype == object:
            flat = [v.decode("latin-1") if isinstance(v, bytes) else v
                    for v in arr.reshape(-1)]
            return {"array": np.array(flat, dtype=object).reshape(arr.shape).tolist(),
                    "dtype": "string"}
        if arr.dtype.kind == "c":
            return {"array": arr.real.tolist(), "imag": arr.imag.tolist(),
                    "dtype": str(arr.dtype)}
        return {"array": arr.tolist(), "dtype": str(arr.dtype)}
    raise TypeError(f"case result of type {type(x)} cannot be recorded")


def compare(got, want, path="result", rtol=1e-5, atol=1e-6):
    """AssertionError naming the first place where `got` (normalized) differs."""
    if isinstance(want, float) and isinstance(got, (int, float)):
        assert math.isclose(got, want, rel_tol=rtol, abs_tol=atol) or (
            math.isnan(got) and math.isnan(want)), f"{path}: {got} != {want}"
        return
    if isinstance(want, dict) and "array" in want:
        assert isinstance(got, dict) and "array" in got, f"{path}: {got} is not an array"
        assert got["dtype"] == want["dtype"], f"{path}: dtype {got['dtype']} != {want['dtype']}"
        if want["dtype"] == "string":
            assert got["array"] == want["array"], f"{path}: {got['array']} != {want['array']}"
            return
        g = np.asarray(got["array"], dtype=float)
        w = np.asarray(want["array"], dtype=float)
        assert g.shape == w.shape, f"{path}: shape {g.shape} != {w.shape}"
        assert np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True), \
            f"{path}: {got['array']} != {want['array']}"
        if "imag" in want or "imag" in got:      # complex: the imaginary parts too
            assert "imag" in want and "imag" in got, f"{path}: one side is not complex"
            gi = np.asarray(got["imag"], dtype=float)
            wi = np.asarray(want["imag"], dtype=float)
            assert np.allclose(gi, wi, rtol=rtol, atol=atol, equal_nan=True), \
                f"{path} (imaginary part): {got['imag']} != {want['imag']}"
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), f"{path}: {got} != {want}"
        for k in want:
            compare(got[k], want[k], f"{path}.{k}", rtol, atol)
        return
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got} != {want}"
        for i, (a, b) in enumerate(zip(got, want)):
            compare(a, b, f"{path}[{i}]", rtol, atol)
        return
    assert got == want, f"{path}: {got!r} != {want!r}"
