#!/usr/bin/env python3
"""Timings of `leakscan watch` on the live example service (examples/dictserver-http): the static scan once, then
per snapshot the fetch, symbolization (remote: POST /pprof/symbol; auto: the local binary), correlation and the
report written; and where the planted missing free ranks. Needs g++, libgoogle-perftools-dev, libcpp-httplib-dev.

    PYTHONPATH=. .venv/bin/python bench/watch_live.py [--snapshots 5] [--queries 4000]
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snapshots", type=int, default=5)
    ap.add_argument("--queries", type=int, default=4000, help="load between snapshots")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("live", ROOT / "examples" / "dictserver-http" / "live.py")
    assert spec and spec.loader
    live = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(live)
    if live.missing_tools():
        print(f"needs {', '.join(live.missing_tools())}", file=sys.stderr)
        return 2
    from analyzer.cli.output import with_fixes
    from analyzer.cli.watch import write_report
    from analyzer.pipeline import Options, run
    from analyzer.profiles.remote import PprofClient
    from analyzer.watch import Watch, WatchOptions

    t = time.perf_counter()
    static = with_fixes(run(Options(paths=(str(ROOT / "examples" / "dictserver"),))))
    print(f"static scan: {time.perf_counter() - t:.2f}s, {len(static.findings)} findings")
    with tempfile.TemporaryDirectory() as tmp:
        binary = live.build(Path(tmp) / "build")
        for symbols in ("remote", "auto"):
            with live.running(binary) as service:
                w = Watch(static, PprofClient(service.url), WatchOptions(symbols=symbols))
                for k in range(1, args.snapshots + 1):
                    service.replay(args.queries)
                    t0 = time.perf_counter()
                    u = w.take()
                    t1 = time.perf_counter()
                    write_report(u.result, Path(tmp) / "report")
                    t2 = time.perf_counter()
                    top = next(f for f in u.result.findings if f.function.endswith("TermDictionary::search"))
                    ev = top.evidence
                    print(f"{symbols:<6} snapshot {k}: {u.total_bytes / 2**20:5.1f} MiB in use; take {t1 - t0:5.2f}s "
                          f"(fetch+symbols+correlate), report {t2 - t1:5.2f}s; TermDictionary::search rank "
                          f"{top.rank} {ev.status if ev else '?'} {ev.verdict if ev else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
