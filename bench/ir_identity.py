"""Check that two revisions of the frontend lower every TU to byte-identical IR.

    python bench/ir_identity.py --old REV|TREE [--new REV|TREE] INPUT...
    python bench/ir_identity.py --old f081dd2 examples -p /work/debsrc/build-redis -p /work/debsrc/build-tmux
    python bench/ir_identity.py dump OUT_DIR INPUT...   (the half each revision runs: one file of IR per TU)
    python bench/ir_identity.py compare OLD_DIR NEW_DIR  (two such folders)

An INPUT is a folder or file (every source under it) or, after -p, a build folder with compile_commands.json. Each
revision lowers every TU in one process of its own (in-process parsing: every header function is lowered in every
TU, so nothing depends on the order of the TUs) and writes `ir.dumps(module)` per TU with the timing field zeroed.
The two revisions run side by side (two processes). Prints the TUs whose IR differs, with the first differing
function, and exits 1 when there is one.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_revisions import checkout


def _inputs(argv: list[str]) -> tuple[list[str], list[str]]:
    """(paths, build folders) of INPUT... with `-p BUILD` pairs."""
    paths, dbs = [], []
    it = iter(argv)
    for a in it:
        if a == "-p":
            dbs.append(next(it))
        else:
            paths.append(a)
    return paths, dbs


def dump(out_dir: str, argv: list[str]) -> None:
    """Lower every TU of the inputs with the analyzer on sys.path, one JSON file per TU in out_dir."""
    from analyzer import ir
    from analyzer.frontend.tu import parse_and_lower
    from analyzer.phase1 import collect_jobs
    paths, dbs = _inputs(argv)
    jobs = [j for db in dbs for j in collect_jobs([], os.path.join(db, "compile_commands.json"))]
    if paths:
        jobs += collect_jobs([os.path.abspath(p) for p in paths], None)
    os.makedirs(out_dir, exist_ok=True)
    started = time.perf_counter()
    for job in jobs:
        module = dataclasses.replace(parse_and_lower(job), parse_seconds=0.0)
        key = hashlib.sha1(f"{job.directory}\0{job.file}\0{' '.join(job.args)}".encode()).hexdigest()[:12]
        Path(out_dir, f"{os.path.basename(job.file)}.{key}.json").write_text(ir.dumps(module))
    print(f"{len(jobs)} TUs lowered in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _first_difference(a: str, b: str) -> str:
    old, new = json.loads(a), json.loads(b)
    for field in ("functions", "decls", "classes", "globals", "diagnostics", "addressed", "pointer_targets"):
        x, y = old.get(field), new.get(field)
        if x == y:
            continue
        if isinstance(x, list) and isinstance(y, list):
            for i, (u, v) in enumerate(zip(x, y, strict=False)):
                if u != v:
                    name = u.get("qualname", u.get("name", "")) if isinstance(u, dict) else ""
                    return f"{field}[{i}] {name}"
            return f"{field}: {len(x)} vs {len(y)} entries"
        return field
    return "order or encoding"


def compare(old_dir: Path, new_dir: Path) -> int:
    old, new = {p.name for p in old_dir.iterdir()}, {p.name for p in new_dir.iterdir()}
    bad = 0
    for name in sorted(old ^ new):
        print(f"only in {'old' if name in old else 'new'}: {name}")
        bad += 1
    for name in sorted(old & new):
        a, b = (old_dir / name).read_text(), (new_dir / name).read_text()
        if a != b:
            print(f"differs: {name}: {_first_difference(a, b)}")
            bad += 1
    print(f"{len(old & new)} TUs compared, {bad} difference(s)")
    return 1 if bad else 0


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3:])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        return compare(Path(sys.argv[2]), Path(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="revision or source tree of the baseline")
    parser.add_argument("--new", help="revision or source tree to check (default: this working tree)")
    parser.add_argument("--keep", help="write the dumps under this folder (old/, new/) and keep them")
    args, rest = parser.parse_known_args()
    rest = [a if a == "-p" else os.path.abspath(a) for a in rest]
    with checkout(args.old) as old_tree, checkout(args.new) as new_tree, tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep or tmp)
        procs = []
        for tree, side in ((old_tree, "old"), (new_tree, "new")):
            env = dict(os.environ, PYTHONPATH=str(tree))
            procs.append(subprocess.Popen([sys.executable, __file__, "dump", str(base / side), *rest], env=env,
                                          cwd=tempfile.gettempdir()))
        if any(p.wait() != 0 for p in procs):
            sys.exit("a dump failed")
        return compare(base / "old", base / "new")


if __name__ == "__main__":
    sys.exit(main())
