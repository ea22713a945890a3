"""Time `clang -fsyntax-only` over a compile database with N parallel jobs (the yardstick for a scan's wall time).

    python clang_time.py BUILD_DIR [-j N] [--clang clang]

Prints one line: `clang_seconds=S files=N clang_errors=E`. Reuses bench/scan_speed.py's timing, so the files and
flags are the ones leakscan itself reads from the database.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scan_speed import time_clang


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--clang", default=shutil.which("clang") or "clang")
    args = ap.parse_args()
    compdb = os.path.join(args.build_dir, "compile_commands.json")
    if not os.path.isfile(compdb):
        print(f"{compdb}: no compile database", file=sys.stderr)
        return 1
    seconds, files, errors = time_clang(compdb, args.jobs, args.clang)
    print(f"clang_seconds={seconds:.2f} files={files} clang_errors={errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
