"""Time `leakscan scan` against `clang -fsyntax-only` over the same compile database, and the many-ifs bound.

    python bench/scan_speed.py -p BUILD_DIR [-j N] [--clang clang]
    python bench/scan_speed.py --many-ifs 30

Both sides get the same files, flags and number of parallel workers; figures go to stdout: wall time, and the CPU
time of the child processes (what the machine's other load does not inflate).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (and the children they waited for)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def leakscan_cmd() -> list[str]:
    exe = REPO / ".venv" / "bin" / "leakscan"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "analyzer"]


def time_leakscan(compdb: str, jobs: int, keep: str | None = None) -> tuple[float, float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or os.path.join(tmp, "result.json")
        cpu = children_cpu()
        start = time.perf_counter()
        proc = subprocess.run([*leakscan_cmd(), "scan", "--compile-commands", compdb, "-j", str(jobs),
                               "--format", "json", "-o", out], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        cpu = children_cpu() - cpu
        if proc.returncode not in (0, 1, 3):
            sys.exit(f"leakscan failed ({proc.returncode}): {proc.stderr.strip()}")
        data = json.loads(Path(out).read_text())
    return elapsed, cpu, data


def time_clang(compdb: str, jobs: int, clang: str) -> tuple[float, float, int, int]:
    from analyzer.frontend.compdb import load_compile_commands
    compile_jobs = load_compile_commands(compdb)

    def one(job) -> int:
        cxx = clang + "++" if job.is_cxx and not clang.endswith("++") else clang
        return subprocess.run([cxx, "-fsyntax-only", *job.args, job.file], cwd=job.directory,
                              capture_output=True).returncode

    cpu = children_cpu()
    start = time.perf_counter()
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        codes = list(pool.map(one, compile_jobs))
    return (time.perf_counter() - start, children_cpu() - cpu, len(compile_jobs),
            sum(1 for c in codes if c != 0))


def many_ifs(n: int) -> None:
    """Lower and analyze one function with n sequential ifs around two live allocations."""
    from analyzer.analysis.dataflow import analyze_function
    from analyzer.analysis.summaries import Resolver
    from analyzer.pipeline import Options, run
    from analyzer.rules import load_rules
    lines = ["#include <stdlib.h>", "int many(int *v) {", "    char *p = malloc(64);", "    char *q = malloc(64);",
             "    if (!p || !q) { free(p); free(q); return -1; }"]
    lines += [f"    if (v[{i}] > {i}) v[{i}] = {i};" for i in range(n)]
    lines += ["    if (v[0] == 7) return 3;", "    free(p);", "    free(q);", "    return 0;", "}"]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "many.c")
        src.write_text("\n".join(lines) + "\n")
        start = time.perf_counter()
        result = run(Options(paths=(str(src),), jobs=1))
        whole = time.perf_counter() - start
        from analyzer.frontend.compdb import jobs_from_paths
        from analyzer.frontend.tu import parse_and_lower
        (job,), _ = jobs_from_paths([str(src)], [])
        (fn,) = parse_and_lower(job).functions
    resolver = Resolver(load_rules())
    start = time.perf_counter()
    res = analyze_function(fn, resolver)
    dataflow = time.perf_counter() - start
    print(f"many-ifs n={n}: dataflow {dataflow * 1000:.1f} ms, whole scan {whole * 1000:.0f} ms, "
          f"{len(fn.blocks)} blocks, truncated={res.truncated}, findings={len(result.findings)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-p", "--build-dir")
    ap.add_argument("--compile-commands")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--clang", default=shutil.which("clang") or "clang")
    ap.add_argument("--many-ifs", type=int, metavar="N")
    ap.add_argument("--keep", metavar="FILE", help="keep leakscan's JSON result here")
    args = ap.parse_args()
    if args.many_ifs:
        many_ifs(args.many_ifs)
        return 0
    compdb = args.compile_commands or (os.path.join(args.build_dir, "compile_commands.json") if args.build_dir
                                       else None)
    if not compdb or not os.path.isfile(compdb):
        ap.error("give -p BUILD_DIR or --compile-commands FILE")
    clang_s, clang_cpu, files, clang_errors = time_clang(compdb, args.jobs, args.clang)
    scan_s, scan_cpu, data = time_leakscan(compdb, args.jobs, args.keep)
    s = data["stats"]
    print(f"TUs: {files} (clang errors: {clang_errors}); workers: {args.jobs}")
    print(f"clang -fsyntax-only: {clang_s:.2f} s wall, {clang_cpu:.2f} s CPU")
    print(f"leakscan scan:       {scan_s:.2f} s wall ({scan_s / clang_s:.1f}x), {scan_cpu:.2f} s CPU "
          f"({scan_cpu / max(clang_cpu, 1e-9):.1f}x)  "
          f"tus={s['tus']} degraded={s['degraded_tus']} failed={s['failed_tus']} functions={s['functions']} "
          f"findings={len(data['findings'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
