"""Figures of the tests/suites programs (issues 9 and 10) through the analyzer, per shape and overall.

    PYTHONPATH=. python bench/suites.py [--json] [-j 2] [--shape SUBSTRING]...

recall        expected findings found with the exact (file, line, function, ruleId)
clean flagged share of leak-free variants with any finding at all
extra         share of programs (both variants) with a finding that is not expected
pairs         (issue 10) expected pairs the scan used, and pairs that use a decoy function
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.suites.runner import Program, ScanResult, load_programs, scan_program


@dataclass
class Tally:
    programs: int = 0
    expected: int = 0
    found: int = 0
    clean: int = 0
    clean_flagged: int = 0
    with_extra: int = 0
    pairs_expected: int = 0
    pairs_found: int = 0
    decoys_paired: int = 0
    kinds: list[str] = field(default_factory=list)

    def add(self, program: Program, scan: ScanResult) -> None:
        want = program.expected()
        self.programs += 1
        self.expected += len(want)
        self.found += len(want & scan.findings)
        if program.variant == "clean":
            self.clean += 1
            self.clean_flagged += bool(scan.findings)
        self.with_extra += bool(scan.findings - want)
        if program.variant == "leak":
            pairs, never = program.expected_pairs()
            self.pairs_expected += len(pairs)
            self.pairs_found += len(pairs & scan.pairs)
            self.decoys_paired += sum(1 for p in scan.pairs if p[0] in never or p[1] in never)
        if program.kind not in self.kinds:
            self.kinds.append(program.kind)

    def figures(self) -> dict:
        def share(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None
        return {**asdict(self), "recall": share(self.found, self.expected),
                "clean_flagged_share": share(self.clean_flagged, self.clean),
                "extra_share": share(self.with_extra, self.programs),
                "pairs_recall": share(self.pairs_found, self.pairs_expected)}


def _scan(program: Program) -> tuple[Program, ScanResult]:
    return program, scan_program(program.path)


def scan_all(programs: list[Program], jobs: int) -> list[tuple[Program, ScanResult]]:
    if jobs <= 1:
        return [_scan(p) for p in programs]
    with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_scan, programs, chunksize=4))


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def render(shapes: dict[str, Tally], totals: dict[str, Tally], summaries: dict[str, str]) -> str:
    head = f"{'shape':<26} {'kinds':>5} {'progs':>5} {'recall':>14} {'clean flagged':>15} {'extra':>13}  summary"
    lines = [head, "-" * len(head)]
    for name, t in shapes.items():
        f = t.figures()
        lines.append(f"{name:<26} {len(t.kinds):>5} {t.programs:>5} {_pct(f['recall'])} {t.found:>3}/{t.expected:<3} "
                     f"{_pct(f['clean_flagged_share'])} {t.clean_flagged:>3}/{t.clean:<3} "
                     f"{_pct(f['extra_share'])} {t.with_extra:>3}/{t.programs:<3}  {summaries[name]}")
    lines.append("-" * len(head))
    for name, t in totals.items():
        f = t.figures()
        line = (f"{name:<26} {len(t.kinds):>5} {t.programs:>5} {_pct(f['recall'])} {t.found:>3}/{t.expected:<3} "
                f"{_pct(f['clean_flagged_share'])} {t.clean_flagged:>3}/{t.clean:<3} "
                f"{_pct(f['extra_share'])} {t.with_extra:>3}/{t.programs:<3}")
        if t.pairs_expected:
            line += f"  pairs {t.pairs_found}/{t.pairs_expected} ({_pct(f['pairs_recall']).strip()}), " \
                    f"{t.decoys_paired} with a decoy"
        lines.append(line)
    return "\n".join(lines)


def _set_literal(name: str, ids: list[str]) -> str:
    lines, line = [], "   "
    for item in sorted(ids):
        word = f' "{item}",'
        if len(line) + len(word) > 118:
            lines.append(line)
            line = "   "
        line += word
    if line.strip():
        lines.append(line)
    return f"{name}: set[str] = {{\n" + "\n".join(lines) + "\n}" if ids else f"{name}: set[str] = set()"


def write_gaps(results: list[tuple[Program, ScanResult]], whole: bool) -> None:
    """The strict-xfail lists of the suite tests, made to match what the analysis does now."""
    if not whole:
        sys.exit("--write-gaps needs the whole suite (no --shape)")
    for issue in (9, 10):
        path = Path(__file__).resolve().parent.parent / "tests" / "suites" / f"test_issue{issue}.py"
        text = path.read_text()
        wrong = [p.id for p, scan in results if p.issue == issue and scan.findings != p.expected()]
        literal = _set_literal("KNOWN_GAPS", wrong)
        text = re.sub(r"KNOWN_GAPS: set\[str\] = (set\(\)|\{.*?\n\})", lambda _, new=literal: new, text, count=1,
                      flags=re.S)
        if issue == 10:
            pair_wrong = []
            for p, scan in results:
                if p.issue == 10 and p.variant == "leak" and (p.path / "pairs.toml").exists():
                    want, never = p.expected_pairs()
                    if want - scan.pairs or any(x[0] in never or x[1] in never for x in scan.pairs):
                        pair_wrong.append(p.id)
            literal = _set_literal("KNOWN_PAIR_GAPS", pair_wrong)
            text = re.sub(r"KNOWN_PAIR_GAPS: set\[str\] = (set\(\)|\{.*?\n\})", lambda _, new=literal: new,
                          text, count=1, flags=re.S)
        path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="machine-readable figures")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--shape", action="append", default=[], help="only shapes containing this substring")
    ap.add_argument("--write-gaps", action="store_true",
                    help="rewrite KNOWN_GAPS / KNOWN_PAIR_GAPS in tests/suites/test_issue*.py from this run")
    args = ap.parse_args(argv)
    programs = [p for p in load_programs() if not args.shape or any(s in p.shape for s in args.shape)]
    start = time.perf_counter()
    results = scan_all(programs, args.jobs)
    shapes: dict[str, Tally] = {}
    totals = {"issue 9": Tally(), "issue 10": Tally(), "all": Tally()}
    summaries = {}
    for program, scan in results:
        shapes.setdefault(program.shape, Tally()).add(program, scan)
        totals[f"issue {program.issue}"].add(program, scan)
        totals["all"].add(program, scan)
        summaries[program.shape] = program.summary
    totals = {k: t for k, t in totals.items() if t.programs}
    if args.write_gaps:
        write_gaps(results, whole=not args.shape)
    seconds = round(time.perf_counter() - start, 1)
    if args.json:
        json.dump({"shapes": {k: t.figures() for k, t in shapes.items()},
                   "totals": {k: t.figures() for k, t in totals.items()}, "seconds": seconds}, sys.stdout, indent=1)
        print()
    else:
        print(render(shapes, totals, summaries))
        print(f"{len(programs)} programs in {seconds}s (-j {args.jobs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
