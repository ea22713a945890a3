"""Share of findings that get a suggested fix which compiles, and whether the patched program re-scans clean.

    PYTHONPATH=. python bench/fix_share.py suites [--shape SUBSTRING]... [-j 2] [--list]
    PYTHONPATH=. python bench/fix_share.py compdb BUILD_DIR [--paths DIR...] [--list]

For each finding: fixed (its own fix compiles with the TU's compile command) or not, by ruleId. Then the combined patch
is applied to a copy of each program (suites) and the copy is scanned again: every fixed finding must be gone and no
new finding may appear.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzer.fixcheck import FixChecker
from analyzer.fixes import attach_fixes
from analyzer.phase1 import collect_jobs
from analyzer.pipeline import Options, run
from analyzer.sourcetext import read_source, split_lines
from reports.patch import apply_edits


def _key(f, root: str) -> tuple:
    return (os.path.relpath(f.loc.file, root), f.rule_id, f.function, f.var, " ".join(f.acquire_snippet.split()))


def scan_with_fixes(options: Options):
    result = run(options)
    jobs = collect_jobs(options.paths, options.compile_commands, options.extra_flags)
    return attach_fixes(result, read_source, FixChecker(jobs).compiles)


def rescan_after_patch(folder: Path, result) -> tuple[int, int]:
    """(fixed findings still reported, new findings) after applying the combined patch to a copy."""
    with tempfile.TemporaryDirectory(prefix="leakscan-fixshare-") as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy)
        by_file: dict[str, list] = collections.defaultdict(list)
        for e in result.patch:
            by_file[e.file].append(e)
        for path, edits in by_file.items():
            target = copy / os.path.relpath(path, folder)
            text = target.read_text(encoding="utf-8")
            target.write_text("".join(apply_edits(split_lines(text), edits)), encoding="utf-8")
        after = run(Options(paths=(str(copy),), jobs=1))
        before_fixed = {_key(f, str(folder)) for f in result.findings if f.fix is not None}
        before_all = {_key(f, str(folder)) for f in result.findings}
        now = {_key(f, str(copy)): f for f in after.findings}
        for k in set(now) - before_all:
            f = now[k]
            print(f"  new after patch: {folder}/{k[0]}:{f.loc.line} {f.function} [{f.rule_id}] {f.var}",
                  file=sys.stderr)
        for k in before_fixed & set(now):
            print(f"  still reported after patch: {folder}/{k[0]} {k[2]} [{k[1]}]", file=sys.stderr)
    return len(before_fixed & set(now)), len(set(now) - before_all)


def _one(path: str):
    folder = Path(path)
    result = scan_with_fixes(Options(paths=(str(folder),), jobs=1))
    remaining, new = rescan_after_patch(folder, result) if result.patch else (0, 0)
    return path, [(f.rule_id.value, f.fix is not None, f.loc.file, f.loc.line, f.function) for f in result.findings], \
        remaining, new


def suites(args) -> int:
    from tests.suites.runner import load_programs
    programs = [p for p in load_programs() if not args.shape or any(s in p.shape for s in args.shape)]
    programs = [p for p in programs if p.variant == "leak"]
    tally: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    remaining = new = 0
    rows = []
    with cf.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for _path, findings, rem, nw in pool.map(_one, [str(p.path) for p in programs]):
            remaining += rem
            new += nw
            for rule, fixed, file, line, func in findings:
                tally[rule][0] += 1
                tally[rule][1] += fixed
                rows.append((fixed, os.path.relpath(file), line, func, rule))
    return report(tally, rows, args, f"re-scan after the combined patches: {remaining} fixed finding(s) still "
                                     f"reported, {new} new finding(s)")


def compdb(args) -> int:
    start = time.perf_counter()
    options = Options(paths=tuple(args.paths), compile_commands=os.path.join(args.build_dir, "compile_commands.json"),
                      jobs=args.jobs)
    result = scan_with_fixes(options)
    tally: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    rows = []
    for f in result.findings:
        tally[f.rule_id.value][0] += 1
        tally[f.rule_id.value][1] += f.fix is not None
        rows.append((f.fix is not None, os.path.relpath(f.loc.file, result.root), f.loc.line, f.function,
                     f.rule_id.value))
    return report(tally, rows, args, f"{time.perf_counter() - start:.0f}s")


def report(tally, rows, args, tail: str) -> int:
    if args.list:
        for fixed, file, line, func, rule in sorted(rows):
            print(f"{'fixed  ' if fixed else 'no fix '} {file}:{line} {func} [{rule}]")
    total = sum(t[0] for t in tally.values())
    fixed = sum(t[1] for t in tally.values())
    for rule, (n, k) in sorted(tally.items()):
        print(f"{rule:<22} {k:>4}/{n:<4} {100 * k / n:5.1f}%")
    print(f"{'all':<22} {fixed:>4}/{total:<4} {100 * fixed / max(total, 1):5.1f}%   {tail}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("suites")
    s.add_argument("--shape", action="append", default=[])
    c = sub.add_parser("compdb")
    c.add_argument("build_dir")
    c.add_argument("--paths", nargs="*", default=[])
    for p in (s, c):
        p.add_argument("-j", "--jobs", type=int, default=2)
        p.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    return suites(args) if args.what == "suites" else compdb(args)


if __name__ == "__main__":
    sys.exit(main())
