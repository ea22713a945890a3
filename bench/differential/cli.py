"""`python -m bench.differential` (or `python bench/differential`): judge leakscan on N generated programs."""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shlex
import sys
import time
from pathlib import Path

from .harness import Settings, process
from .report import render_text, summarize, tags_by_site
from .sanitizer import toolchain_problem


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.differential", description=__doc__)
    ap.add_argument("-n", "--programs", type=int, default=500, help="how many programs (default 500)")
    ap.add_argument("--seed", default="1", help="generator stream (default 1)")
    ap.add_argument("--start", type=int, default=0, help="first program index (default 0)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="programs in parallel (default 2)")
    ap.add_argument("-o", "--out", default="out/differential", help="report and work folder")
    ap.add_argument("--cache", default=None, help="binaries and run results (default: $XDG_CACHE_HOME/"
                    "leakscan-differential)")
    ap.add_argument("--cc", default="gcc", help="C compiler with -fsanitize=address (default gcc)")
    ap.add_argument("--leakscan", default=None, help="leakscan command prefix (default: this checkout's analyzer "
                    "run by the current python)")
    ap.add_argument("--minimize", type=int, default=6, help="minimize an example for the N largest miss and FP "
                    "shapes (default 6; 0: none)")
    ap.add_argument("--minimize-budget", type=float, default=240.0, help="seconds per minimized example")
    return ap.parse_args(argv)


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "leakscan-differential"


def run(args: argparse.Namespace) -> int:
    problem = toolchain_problem(args.cc)
    if problem:
        print(f"differential: cannot judge on this machine: {problem}", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    (out / "scan").mkdir(parents=True, exist_ok=True)
    settings = Settings(seed=str(args.seed), work=out, cache=Path(args.cache or default_cache()).resolve(),
                        cc=args.cc, leakscan=tuple(shlex.split(args.leakscan)) if args.leakscan else None)
    indices = range(args.start, args.start + args.programs)
    start = time.monotonic()
    records: list[dict] = []
    with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(process, i, settings): i for i in indices}
        for n, fut in enumerate(cf.as_completed(futures), 1):
            records.append(fut.result())
            if n % 25 == 0 or n == len(futures):
                print(f"  {n}/{len(futures)} programs, {time.monotonic() - start:.0f}s", file=sys.stderr, flush=True)
    records.sort(key=lambda r: r.get("index", 0))
    sidecars = {}
    for r in records:
        if r.get("source"):
            sidecars[r["source"]] = _sidecar_of(Path(r["source"]))
    summary = summarize(records, tags_by_site(sidecars))
    examples: dict[str, str] = {}
    if args.minimize:
        from .minimize import minimize_groups
        examples = minimize_groups(summary, records, settings, args.minimize, args.minimize_budget, out / "examples",
                                   jobs=args.jobs)
    text = render_text(summary, examples)
    elapsed = time.monotonic() - start
    text += f"\n\n{len(records)} programs in {elapsed:.0f}s with -j {args.jobs}; seed {args.seed}, start {args.start}"
    print(text)
    (out / "report.txt").write_text(text + "\n")
    report = {"seed": str(args.seed), "start": args.start, "programs": args.programs, "summary": summary.to_dict(),
              "examples": examples, "records": records}
    (out / "report.json").write_text(json.dumps(report, indent=1))
    return 0


def _sidecar_of(src: Path) -> dict:
    return json.loads((src.parent.parent / f"{src.stem}.json").read_text())


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(argv))
