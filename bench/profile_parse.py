"""Benchmark: parse a synthetic ~50 MB gperftools heap profile; print parse time and peak memory.

    .venv/bin/python bench/profile_parse.py [--mb 50] [--keep FILE] [--tracemalloc]

The file follows the real `heapprofile` grammar (aggregated records, return addresses in a
PIE mapping, MAPPED_LIBRARIES); stacks are random walks over a fixed set of call sites so
that, like real profiles, many stacks share locations.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.profiles.sniff import load_profile

BASE = 0x55D0C0A00000
MAPS = f"""
MAPPED_LIBRARIES:
{BASE:x}-{BASE + 0x1000:x} r--p 00000000 08:01 1001       /srv/app/build/app
{BASE + 0x1000:x}-{BASE + 0x400000:x} r-xp 00001000 08:01 1001       /srv/app/build/app
7f1000126000-7f100027c000 r-xp 00026000 08:01 2003       /usr/lib/x86_64-linux-gnu/libc.so.6
"""


def generate(path: Path, megabytes: int, seed: int = 1) -> int:
    """Write the profile; return the number of records."""
    rng = random.Random(seed)
    sites = [BASE + 0x1000 + rng.randrange(0, 0x3FF000) for _ in range(20000)]
    target = megabytes * 1024 * 1024
    lines = []
    size = 0
    tot = [0, 0, 0, 0]
    while size < target:
        depth = rng.randint(4, 24)
        stack = " ".join(f"0x{rng.choice(sites):x}" for _ in range(depth)) + " 0x7f1000127249"
        alloc_n = rng.randint(1, 5000)
        alloc_b = alloc_n * rng.choice((16, 32, 64, 512, 4096, 65536))
        inuse_n = rng.randint(0, alloc_n)
        inuse_b = alloc_b * inuse_n // alloc_n
        line = f"{inuse_n:6d}: {inuse_b:8d} [{alloc_n:6d}: {alloc_b:8d}] @ {stack}\n"
        for k, v in enumerate((inuse_n, inuse_b, alloc_n, alloc_b)):
            tot[k] += v
        lines.append(line)
        size += len(line)
    header = f"heap profile: {tot[0]:6d}: {tot[1]:8d} [{tot[2]:6d}: {tot[3]:8d}] @ heapprofile\n"
    path.write_text(header + "".join(lines) + MAPS)
    return len(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--keep", metavar="FILE", help="write the profile here and keep it")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also measure Python-heap peak with tracemalloc (slows parsing)")
    args = ap.parse_args()
    path = Path(args.keep) if args.keep else Path(tempfile.mkstemp(suffix=".heap")[1])
    try:
        t0 = time.perf_counter()
        records = generate(path, args.mb)
        gen_s = time.perf_counter() - t0
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        prof = load_profile(str(path))
        parse_s = time.perf_counter() - t0
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size_mb = path.stat().st_size / 1e6
        print(f"file: {size_mb:.1f} MB, {records} records (generated in {gen_s:.1f} s)")
        print(f"parse: {parse_s:.2f} s ({size_mb / parse_s:.1f} MB/s), {len(prof.samples)} samples, "
              f"{len(prof.locations)} locations")
        print(f"peak RSS: {rss1 / 1024:.0f} MiB (grew by {(rss1 - rss0) / 1024:.0f} MiB while parsing)")
        if args.tracemalloc:
            del prof
            tracemalloc.start()
            t0 = time.perf_counter()
            load_profile(str(path))
            traced_s = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"tracemalloc: peak Python heap {peak / 2**20:.0f} MiB (parse {traced_s:.2f} s traced)")
    finally:
        if not args.keep:
            os.unlink(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
