"""Benchmark: render the HTML report for N synthetic findings and print how long it takes.

    .venv/bin/python bench/render_html.py [N] [--files F]

Each finding has its own function, a 5-node ownership graph, a 4-event path and (every third)
heap-growth evidence, spread over F generated C files.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import reports.html as html_mod  # noqa: E402
from analyzer.cli.output import write_html as render_html  # noqa: E402
from tests.reports.sample import synthetic_result  # noqa: E402


def size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def timed(label: str, n: int, fn) -> None:
    start = time.perf_counter()
    written = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:6.2f} s  {1000 * seconds / n:6.2f} ms/finding  "
          f"{len(written):5d} files  {size_of(written) / 2**20:7.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--files", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leakscan-bench-html-"))
    try:
        result = synthetic_result(work / "src", args.n, args.files)
        print(f"{args.n} findings in {args.files} files, graphviz: {'yes' if shutil.which('dot') else 'no'}")
        timed("folder report", args.n, lambda: render_html(result, work / "out"))
        timed("folder report (again, replacing)", args.n, lambda: render_html(result, work / "out"))
        timed("single-file report", args.n, lambda: render_html(result, work / "one.html", single_file=True))
        with mock.patch.object(html_mod.shutil, "which", lambda name: None):
            timed("folder report, no graphviz", args.n, lambda: render_html(result, work / "out2"))
        bare = synthetic_result(work / "bare", args.n, args.files, profiles=False)
        timed("folder report, no profiles", args.n, lambda: render_html(bare, work / "out3"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
