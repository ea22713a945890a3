"""Scan the same inputs with two revisions of leakscan and diff their JSON results.

    python bench/compare_revisions.py --old REV [--new REV|WORKTREE] INPUT...
    python bench/compare_revisions.py --old c239c3c examples/dictserver ../shared/fixtures/dictsvc \
        -p /work/debsrc/build-leveldb -p /work/debsrc/build-redis

An INPUT is a folder or file scanned as given; `-p BUILD_DIR` scans a compile database. Each revision is checked out
into a temporary git worktree (the current working tree when --new is omitted) and run with the same Python, so only
the code differs. Findings are compared by (ruleId, file, line, function, fingerprint, message, path); pairs and
diagnostics by their content. Timings and timestamps are ignored. Prints every difference and exits 1 when there is
one, 0 when the results are identical.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def checkout(rev: str | None) -> Iterator[Path]:
    """A source tree of `rev`: the working tree for None, an existing folder as is, else a temporary worktree."""
    if rev is None:
        yield REPO
        return
    if os.path.isdir(rev):
        yield Path(rev).resolve()
        return
    tmp = Path(tempfile.mkdtemp(prefix="leakscan-rev-"))
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tmp), rev], check=True,
                   capture_output=True)
    try:
        yield tmp
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp)], capture_output=True)


def scan(tree: Path, target: tuple[str, str], out: Path, jobs: int) -> dict:
    kind, value = target
    args = ["scan", "--compile-commands", os.path.join(value, "compile_commands.json")] if kind == "db" else \
        ["scan", os.path.abspath(value)]
    code = "import sys; from analyzer.cli import main; sys.exit(main())"
    env = dict(os.environ, PYTHONPATH=str(tree))
    patch = out.with_suffix(".patch")
    # --no-cache: both revisions parse for themselves, and nothing is written into the scanned trees
    proc = subprocess.run([sys.executable, "-c", code, *args, "-j", str(jobs), "--no-cache", "--format", "json",
                           "-o", str(out), "--fix-diff", str(patch), "--timestamp", "2000-01-01T00:00:00Z"], env=env,
                          cwd=tempfile.gettempdir(), capture_output=True, text=True)
    if proc.returncode not in (0, 1, 3) or not out.exists():
        sys.exit(f"{tree}: scan of {value} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    data = json.loads(out.read_text())
    data["_patch"] = patch.read_text() if patch.exists() else ""
    return data


def finding_key(f: dict) -> tuple:
    loc = f["loc"]
    return (f["rule_id"], loc["file"], loc["line"], loc["col"], f["function"], f.get("var", ""))


def finding_view(f: dict) -> dict:
    return {"message": f.get("message"), "fingerprint": f.get("fingerprint"),
            "kind": f.get("resource_kind", f.get("kind")),  # renamed in JSON schema 2
            "acquirer": f.get("acquirer"), "acquire": f.get("acquire"), "confidence": f.get("confidence"),
            "path": [(e["loc"]["line"], e["message"]) for e in f.get("path", [])]}


def diff_results(name: str, old: dict, new: dict) -> list[str]:
    out: list[str] = []
    of = {finding_key(f): f for f in old.get("findings", [])}
    nf = {finding_key(f): f for f in new.get("findings", [])}
    for key in sorted(of.keys() - nf.keys()):
        out.append(f"{name}: lost    {key} {of[key].get('message')}")
    for key in sorted(nf.keys() - of.keys()):
        out.append(f"{name}: new     {key} {nf[key].get('message')}")
    for key in sorted(of.keys() & nf.keys()):
        a, b = finding_view(of[key]), finding_view(nf[key])
        for field in a:
            if a[field] != b[field]:
                out.append(f"{name}: changed {key} {field}: {a[field]!r} -> {b[field]!r}")
    op = sorted(json.dumps(p, sort_keys=True) for p in old.get("pairs", []))
    np_ = sorted(json.dumps(p, sort_keys=True) for p in new.get("pairs", []))
    for p in sorted(set(op) - set(np_)):
        out.append(f"{name}: pair lost {p}")
    for p in sorted(set(np_) - set(op)):
        out.append(f"{name}: pair new  {p}")
    od = sorted(json.dumps(d, sort_keys=True) for d in old.get("diagnostics", []))
    nd = sorted(json.dumps(d, sort_keys=True) for d in new.get("diagnostics", []))
    if od != nd:
        out.append(f"{name}: diagnostics differ: {len(od)} -> {len(nd)}")
    if old.get("_patch") != new.get("_patch"):
        out.append(f"{name}: the --fix-diff patches differ")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="git revision or source folder of the old code")
    ap.add_argument("--new", help="git revision or source folder of the new code (default: this working tree)")
    ap.add_argument("-p", "--build-dir", action="append", default=[], help="compile database folder (repeatable)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--keep", help="folder to keep both JSON results in")
    ap.add_argument("inputs", nargs="*")
    args = ap.parse_args()
    targets = [("path", p) for p in args.inputs] + [("db", d) for d in args.build_dir]
    keep = Path(args.keep or tempfile.mkdtemp(prefix="leakscan-compare-"))
    keep.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with checkout(args.old) as old_tree, checkout(args.new) as new_tree:
        for target in targets:
            name = Path(target[1]).name
            old = scan(old_tree, target, keep / f"{name}.old.json", args.jobs)
            new = scan(new_tree, target, keep / f"{name}.new.json", args.jobs)
            diffs = diff_results(name, old, new)
            print(f"{name}: {len(old.get('findings', []))} -> {len(new.get('findings', []))} findings, "
                  f"{len(old.get('pairs', []))} -> {len(new.get('pairs', []))} pairs, "
                  f"{'identical' if not diffs else f'{len(diffs)} difference(s)'}")
            problems += diffs
    for line in problems:
        print(line)
    print(f"results kept in {keep}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
