#!/usr/bin/env python3
"""Mutation testing of tfteach's core with cosmic-ray: a seeded sample of mutants per target.

Each target is one core module (optionally narrowed to some functions/classes) and the test
files that are meant to pin it. For every target the script

1. copies the checkout (tracked and untracked files, no .git) into `--out/tree`, so the
   checkout itself is never mutated;
2. runs the target's tests once unmutated (they must pass; their time sets the timeout);
3. lists every mutant cosmic-ray can make there (`cosmic-ray init`), draws a sample of
   `--per-target` of them with `random.Random(f"{seed}:{target}")` from the list sorted by
   position (job ids are random, positions are not), marks the rest skipped;
4. runs the sample (`cosmic-ray exec`), each mutant against the target's tests;
5. writes `--out/report.json` and prints the kill rate per target and overall, and the
   surviving mutants as diffs, to be triaged in tools/mutation_triage.md (a test that kills
   it, or the reason it is equivalent).

Usage (needs the `mutation` extra: `pip install -e '.[mutation]'`):

    python tools/mutation.py                          # all targets, 13 mutants each, seed 0
    python tools/mutation.py --per-target 20 --seed 3 --targets tensor_shape,session_feed
    python tools/mutation.py --list                   # targets, their tests and mutant counts
    python tools/mutation.py --root /tmp/other-checkout --out /tmp/mut   # mutate another tree

A full run (`--per-target 0` = every mutant) takes hours on two cores; the seeded sample is
the habit: run it after changing a core module or its tests, and triage what survives.
Operators that insert or swap variable names are left out: they mostly make programs that
fail to import or are equivalent, which says little about the tests.
"""
import argparse
import ast
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PY = sys.executable

# name -> module (path in the tree), definitions to mutate (None: the whole module), tests.
TARGETS = {
    "tensor_shape": dict(
        module="tfteach/framework/tensor_shape.py", defs=None,
        tests=["tests/test_shape_rules.py", "tests/test_graph_basics.py",
               "tests/test_session.py", "tests/test_variables.py"]),
    "shape_rules": dict(
        module="tfteach/ops/shape_rules.py", defs=None,
        tests=["tests/test_shape_rules.py", "tests/test_graph_basics.py",
               "tests/test_ops_array.py"]),
    "math_grad": dict(
        module="tfteach/ops/math_grad.py",
        defs=["_add_grad", "_sub_grad", "_mul_grad", "_real_div_grad", "_pow_grad",
              "_maximum_minimum_grad", "_squared_difference_grad", "_shape_tuple",
              "_is_scalar", "_fully_equal", "_infer_reduction_axes",
              "smart_broadcast_gradient_args", "_reduce_arg", "reduce_gradient_args"],
        tests=["tests/test_gradients_registry.py", "tests/test_gradients.py"],
        k="test_gradients.py or AddV2 or Sub or Mul or RealDiv or Pow or Maximum or "
          "Minimum or SquaredDifference"),
    "session_feed": dict(
        module="tfteach/client/session.py", defs=["_prepare_feeds", "_frozen_view", "_fits"],
        tests=["tests/test_session.py", "tests/test_feeds.py"]),
    "summary_writer": dict(
        module="tfteach/summary/__init__.py", defs=None,
        tests=["tests/test_summary.py", "tests/test_event_files.py"]),
    "keras_core_shapes": dict(
        module="tfteach/keras/layers/core.py", defs=["compute_output_shape"],
        tests=["tests/test_keras_output_shapes.py", "tests/test_keras.py"]),
    "keras_conv_shapes": dict(
        module="tfteach/keras/layers/convolutional.py", defs=["compute_output_shape"],
        tests=["tests/test_keras_output_shapes.py", "tests/test_keras.py"]),
}

LEFT_OUT_OPERATORS = ("core/VariableInserter", "core/VariableReplacer")


def _copy_tree(root, dest):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root,
                           check=True, capture_output=True, text=True).stdout.split("\n")
    for rel in filter(None, files):
        src = os.path.join(root, rel)
        if not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))


def _def_ranges(path, names):
    """Line ranges of the functions/classes called `names` (any nesting level)."""
    tree = ast.parse(open(path).read())
    ranges = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            ranges.append((node.lineno, node.end_lineno))
    return ranges


def _pytest_cmd(target, tests):
    present = [t for t in target["tests"] if os.path.exists(os.path.join(tests, t.split("::")[0]))]
    cmd = [PY, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
           "-o", "addopts=", *present]
    if target.get("k"):
        cmd += ["-k", target["k"]]
    return cmd


def _sample(db_path, target, tree, seed, name, n):
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult
    ranges = _def_ranges(os.path.join(tree, target["module"]), target["defs"]) \
        if target["defs"] else None
    with use_db(db_path, WorkDB.Mode.open) as db:
        items = list(db.work_items)

        def eligible(it):
            m = it.mutations[0]
            if m.operator_name in LEFT_OUT_OPERATORS:
                return False
            return ranges is None or any(a <= m.start_pos[0] <= b for a, b in ranges)

        pool = sorted((it for it in items if eligible(it)), key=lambda it: (
            tuple(it.mutations[0].start_pos), it.mutations[0].operator_name,
            it.mutations[0].occurrence, json.dumps(it.mutations[0].operator_args,
                                                   sort_keys=True)))
        chosen = pool if n <= 0 or n >= len(pool) else \
            random.Random(f"{seed}:{name}").sample(pool, n)
        keep = {it.job_id for it in chosen}
        db.set_multiple_results(
            [it.job_id for it in items if it.job_id not in keep],
            WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not in the sample"))
    return len(pool), len(chosen)


def _results(db_path):
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome
    out = []
    with use_db(db_path, WorkDB.Mode.open) as db:
        for item, res in db.completed_work_items:
            if res.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            m = item.mutations[0]
            if res.worker_outcome == WorkerOutcome.ABNORMAL:
                status = "timeout"        # a mutant that hangs the tests counts as caught
            elif res.test_outcome == TestOutcome.SURVIVED:
                status = "survived"
            elif res.test_outcome == TestOutcome.INCOMPETENT:
                status = "incompetent"
            else:
                status = "killed"
            out.append(dict(line=m.start_pos[0], operator=m.operator_name,
                            occurrence=m.occurrence, definition=m.definition_name,
                            status=status, diff=res.diff or ""))
    return sorted(out, key=lambda r: (r["line"], r["operator"], r["occurrence"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=REPO, help="checkout to mutate (copied first)")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "mutation"))
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--per-target", type=int, default=13, help="mutants per target (0: all)")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    names = [t for t in args.targets.split(",") if t]
    unknown = [t for t in names if t not in TARGETS]
    if unknown:
        ap.error(f"unknown targets {unknown}; known: {sorted(TARGETS)}")

    shutil.rmtree(args.out, ignore_errors=True)
    tree = os.path.join(args.out, "tree")
    _copy_tree(os.path.abspath(args.root), tree)
    report = {"seed": args.seed, "per_target": args.per_target, "root": args.root,
              "targets": {}}
    for name in names:
        target = TARGETS[name]
        cmd = _pytest_cmd(target, tree)
        if args.list:
            print(f"{name}: {target['module']} defs={target['defs']}\n  {' '.join(cmd[3:])}")
        t0 = time.time()
        base = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
        took = time.time() - t0
        if base.returncode != 0:
            sys.exit(f"{name}: the unmutated tests fail, nothing to measure:\n"
                     f"{base.stdout[-3000:]}")
        cfg = os.path.join(args.out, f"{name}.toml")
        db_path = os.path.join(args.out, f"{name}.sqlite")
        with open(cfg, "w") as f:
            f.write("[cosmic-ray]\n"
                    f"module-path = {json.dumps(target['module'])}\n"
                    f"timeout = {max(30.0, 4 * took):.0f}\n"
                    "excluded-modules = []\n"
                    f"test-command = {json.dumps(shlex.join(cmd))}\n"
                    "[cosmic-ray.distributor]\nname = \"local\"\n")
        subprocess.run([PY, "-m", "cosmic_ray.cli", "init", cfg, db_path], cwd=tree,
                       check=True, capture_output=True)
        pool, n = _sample(db_path, target, tree, args.seed, name, args.per_target)
        if args.list:
            print(f"  {pool} mutants eligible, baseline {took:.1f} s")
            continue
        print(f"{name}: {n} of {pool} mutants, tests take {took:.1f} s", flush=True)
        subprocess.run([PY, "-m", "cosmic_ray.cli", "exec", cfg, db_path], cwd=tree,
                       check=True, capture_output=True)
        rows = _results(db_path)
        caught = sum(r["status"] in ("killed", "timeout") for r in rows)
        judged = sum(r["status"] != "incompetent" for r in rows)
        report["targets"][name] = dict(module=target["module"], eligible=pool,
                                       sampled=n, caught=caught, judged=judged, mutants=rows)
        print(f"  caught {caught}/{judged} ({100 * caught / max(1, judged):.0f}%), "
              f"{len(rows) - judged} incompetent (did not import/run)", flush=True)
        for r in rows:
            if r["status"] == "survived":
                print(f"  SURVIVED {target['module']}:{r['line']} {r['operator']} "
                      f"in {r['definition']}\n" + "\n".join(
                          "    " + ln for ln in r["diff"].splitlines()
                          if ln.startswith(("+", "-")) and not ln.startswith(("+++", "---"))))
    if args.list:
        return 0
    caught = sum(t["caught"] for t in report["targets"].values())
    judged = sum(t["judged"] for t in report["targets"].values())
    report["caught"], report["judged"] = caught, judged
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(f"kill rate: {caught}/{judged} = {100 * caught / max(1, judged):.1f}% "
          f"(seed {args.seed}, {args.per_target} per target); report: "
          f"{os.path.join(args.out, 'report.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
