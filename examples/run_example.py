#!/usr/bin/env python3
"""The README's example: scan examples/dictserver with its recorded profiles, write the HTML report, print the ranking.

Run as `python3 dev.py example` (or `.venv/bin/python examples/run_example.py [-o OUT_DIR]`). Needs
only Python: the profiles and the symbols that decode them are committed in examples/dictserver/profiles
(see examples/dictserver/README.md; gen_profiles.sh remakes them from a real run).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path("examples") / "dictserver"
PROFILES = EXAMPLE / "profiles"


def heap_snapshots() -> list[str]:
    return sorted(str(p) for p in PROFILES.glob("dictserver.*.heap"))


def stale_sources() -> list[str]:
    """Sources edited since the profiles were recorded (their line numbers may no longer match)."""
    listing = PROFILES / "SOURCES.sha256"
    if not listing.exists():
        return []
    stale = []
    for line in listing.read_text().splitlines():
        digest, _, name = line.partition("  ")
        path = EXAMPLE / name
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            stale.append(name)
    return stale


def short(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def ranking_lines(result, root: str) -> list[str]:  # type: ignore[no-untyped-def]
    from analyzer.model import human_bytes

    out = []
    for f in result.findings:
        ev = f.evidence
        status = ev.status if ev else "static-only"
        growth = f"+{human_bytes(ev.growth_bytes)}" if ev and ev.status == "confirmed" else ""
        out.append(f"  {f.rank:>2}. {status:<11} {growth:>11}  {short(f.loc.file, root)}:{f.loc.line}  "
                   f"{f.function}()  [{f.rule_id}]")
    for u in result.unexplained:
        where = f"{short(u.loc.file, root)}:{u.loc.line}" if u.loc else "?"
        cands = f" (owners: {', '.join(u.candidates)})" if u.candidates else ""
        out.append(f"      unexplained {'+' + human_bytes(u.stack.bytes):>11}  {where}  {u.function}(){cands}")
    return out


def per_format(result, groups: dict[str, list[str]], sym: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The same static result correlated with each kind of profile alone: where the true leak ranks."""
    from analyzer.correlate import correlate_with_files

    static = dataclasses.replace(result, findings=tuple(dataclasses.replace(f, evidence=None, rank=0)
                                                        for f in result.findings), unexplained=())
    out = []
    for label, files in groups.items():
        if not files:
            continue
        r = correlate_with_files(static, files, binary=sym)
        statuses = "; ".join(f"{f.rank}. {f.function.rsplit('::', 1)[-1]} {f.evidence.status if f.evidence else '?'}"
                             for f in r.findings)
        out.append(f"  {label:<22} {statuses}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="out/example-report", help="report folder (default: %(default)s)")
    ap.add_argument("--timestamp", default="", help=argparse.SUPPRESS)
    ap.add_argument("--watch", action="store_true",
                    help="then watch the example running live: build dictserver-http, start it, drive its load and "
                         "run `leakscan watch` on it (examples/dictserver-http/live.py)")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from analyzer.cli.output import emit, exit_code_for, with_fixes
    from analyzer.cli.scan import correlate_profiles
    from analyzer.errors import InputError
    from analyzer.fsio import write_text_atomic
    from analyzer.pipeline import Options, run

    snapshots = heap_snapshots()
    lsan = [str(p) for p in PROFILES.glob("lsan-report*.txt")]
    valgrind = [str(p) for p in PROFILES.glob("valgrind-memcheck*.xml")]
    sym = str(PROFILES / "dictserver.sym")
    profiles = [*snapshots, *lsan, *valgrind]
    if not snapshots or not Path(sym).exists():
        print(f"run_example: no recorded profiles in {PROFILES} (run examples/dictserver/gen_profiles.sh)",
              file=sys.stderr)
        return 2
    stale = stale_sources()
    if stale:
        print(f"run_example: warning: {', '.join(stale)} changed since the profiles were recorded; "
              "rerun examples/dictserver/gen_profiles.sh", file=sys.stderr)

    cli = ["scan", str(EXAMPLE), *(x for p in profiles for x in ("--heap", p)), "--binary", sym,
           "--format", "html", "-o", args.output]
    try:
        result = run(Options(paths=(str(EXAMPLE),)))  # what `leakscan scan` runs for the command line above
        result = dataclasses.replace(result, timestamp=args.timestamp or result.timestamp)
        result = with_fixes(correlate_profiles(result, profiles, sym, []))
    except InputError as exc:
        print(f"run_example: {exc}", file=sys.stderr)
        return 2

    out = Path(args.output)
    sarif = out.parent / f"{out.name}.sarif"
    notes = []
    try:
        try:
            import reports.html  # noqa: F401
        except ImportError:
            notes.append("the HTML renderer is not available in this build: wrote text and SARIF instead")
            out.mkdir(parents=True, exist_ok=True)
            emit(result, "text", str(out / "report.txt"))
            report = out / "report.txt"
        else:
            (out / "report.sarif").unlink(missing_ok=True)  # written there by earlier versions of this script
            emit(result, "html", str(out))
            report = out / "index.html"
        write_text_atomic(str(sarif), _sarif(result))
    except InputError as exc:
        print(f"run_example: {exc}", file=sys.stderr)
        return 2

    root = result.root
    print(f"leakscan example: {EXAMPLE} (a dictionary service with planted leaks), "
          f"{result.stats.tus} translation units, {len(result.findings)} findings")
    print(f"profiles: {len(snapshots)} heap-profiler snapshots, {len(lsan)} LeakSanitizer report, "
          f"{len(valgrind)} valgrind XML report; symbols from {sym}")
    print("ranking (all profiles):")
    for line in ranking_lines(result, root):
        print(line)
    print("the same with one kind of profile at a time:")
    for line in per_format(result, {"heap snapshots (5)": snapshots, "LeakSanitizer": lsan,
                                    "valgrind memcheck XML": valgrind}, sym):
        print(line)
    for n in notes:
        print(f"note: {n}")
    print(f"report: {report} (and {sarif})")
    print("the same from the command line: leakscan " + " ".join(cli))
    rc = 0 if exit_code_for(result) in (0, 1) else int(exit_code_for(result))
    if args.watch:
        print("\nthe same service running, watched live over HTTP (examples/dictserver-http/live.py):", flush=True)
        return watch_live() or rc
    return rc


def watch_live() -> int:
    import importlib.util

    path = EXAMPLE.parent / "dictserver-http" / "live.py"
    spec = importlib.util.spec_from_file_location("dictserver_http_live", path)
    assert spec is not None and spec.loader is not None
    live = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(live)
    return int(live.main(["-o", "out/watch-report"]))


def _sarif(result) -> str:  # type: ignore[no-untyped-def]
    from reports.sarif import render_sarif

    return render_sarif(result)


if __name__ == "__main__":
    sys.exit(main())
