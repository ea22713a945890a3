"""How scan time grows with the length and nesting of one function (generated code): phase 1 alone, then the scan.

    python bench/long_functions.py [--sizes 2500,5000,10000,20000] [--shape seq|elif|nest|sum]

Shapes: `seq` N sequential `if (x == i) x += i;`, `elif` an N-branch `else if` chain, `nest` N nested braced `if`
blocks (clang stops at 256), `sum` one N-term expression. Prints seconds per size and the ratio to the previous size
(2.0 for a doubling means linear); run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def source(shape: str, n: int) -> str:
    if shape == "seq":
        body = "".join(f"  if (x == {i}) x += {i};\n" for i in range(n))
    elif shape == "elif":
        body = "  if (x == 0) x = 1;\n" + "".join(f"  else if (x == {i}) x += {i};\n" for i in range(1, n))
    elif shape == "nest":
        body = "".join(f"if (x > {i}) {{\n" for i in range(n)) + "x = 0;\n" + "}\n" * n
    else:
        body = "  x = " + " + ".join(f"x * {i % 10}" for i in range(n)) + ";\n"
    return "int f(int x) {\n" + body + "  return x;\n}\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2500,5000,10000,20000")
    ap.add_argument("--shape", choices=("seq", "elif", "nest", "sum"), default="seq")
    args = ap.parse_args()
    from analyzer.frontend.compdb import jobs_from_paths
    from analyzer.frontend.tu import parse_and_lower
    from analyzer.pipeline import Options, run
    previous = None
    print(f"{'N':>7} {'phase 1 s':>10} {'scan s':>8} {'ratio':>6}  diagnostics")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"{args.shape}{n}.c"
            path.write_text(source(args.shape, n))
            jobs, _ = jobs_from_paths([str(path)], [])
            start = time.perf_counter()
            parse_and_lower(jobs[0])
            lowered = time.perf_counter() - start
            start = time.perf_counter()
            result = run(Options(paths=(str(path),), jobs=1))
            scanned = time.perf_counter() - start
            ratio = f"{scanned / previous:6.2f}" if previous else " " * 6
            notes = "; ".join(d.message[:60] for d in result.diagnostics)
            print(f"{n:>7} {lowered:>10.2f} {scanned:>8.2f} {ratio}  {notes}")
            previous = scanned


if __name__ == "__main__":
    main()
