"""Scans a suite program through the real pipeline and reads what the program expects.

`scan_program` is the only place that touches analyzer internals: re-point it when the analyzer's modules move.
Everything else (tests, bench/suites.py) goes through it.
"""
from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs"
SOURCES = (".c", ".cpp", ".h")
MARK = re.compile(r"//\s*expect:\s*(?P<rule>[a-z-]+)\s+in\s+(?P<func>\S+)")  # as tests/e2e/test_core_helpers.py
INCOMPLETE = "scan-incomplete"  # pseudo-rule: a TU failed or was degraded (the CLI's exit code 3)

Finding = tuple[str, int, str, str]  # (file relative to the program folder, line, function, ruleId)
PairKey = tuple[str, str, int]  # (acquirer, releaser, 1-based released argument)


@dataclass(frozen=True)
class ScanResult:
    findings: frozenset[Finding]
    pairs: frozenset[PairKey]  # the pairs the scan used (what `leakscan pairs --write-rules` is to export)


def scan_program(folder: Path) -> ScanResult:
    """The adapter: one scan of `folder` (a plain folder, no compile database, default flags), single process.

    A degraded or failed TU is reported as (file, 0, "", "scan-incomplete"): the programs all compile with
    gcc's defaults, so an incomplete scan is the analyzer's to fix.
    """
    from analyzer.pipeline import Options, run

    result = run(Options(paths=(str(folder),), jobs=1))
    root = os.path.realpath(folder)

    def rel(path: str) -> str:
        return os.path.relpath(os.path.realpath(path), root)

    found = {(rel(loc.file), loc.line, f.function, f.rule_id)
             for f in result.findings for loc in (f.loc, *(x.loc for x in f.exits))}
    found |= {(rel(d.file), 0, "", INCOMPLETE) for d in result.diagnostics}
    pairs = {(p.acquirer, p.releaser, p.release_arg + 1) for p in result.pairs}
    return ScanResult(frozenset(found), frozenset(pairs))


@dataclass(frozen=True)
class Program:
    id: str  # '<shape>-<kind>-<variant>'
    dir: str  # relative to PROGRAMS
    shape: str
    issue: int
    summary: str
    kind: str
    lang: str
    variant: str  # 'leak' (has expected findings) or 'clean' (must yield none)
    heap: bool  # LeakSanitizer can see the kind's resource
    runtime_leak: bool  # the leaking variant's main() really loses it
    links: bool  # all bodies are in the program: it builds into an executable
    gnu: bool

    @property
    def path(self) -> Path:
        return PROGRAMS / self.dir

    def sources(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir() if p.suffix in SOURCES)

    def expected(self) -> frozenset[Finding]:
        out = set()
        for src in self.sources():
            for n, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
                out |= {(src.name, n, m["func"], m["rule"]) for m in MARK.finditer(line)}
        return frozenset(out)

    def expected_pairs(self) -> tuple[frozenset[PairKey], frozenset[str]]:
        """(pairs that must be found, functions that must appear in no pair); empty without a pairs.toml."""
        path = self.path / "pairs.toml"
        if not path.exists():
            return frozenset(), frozenset()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        pairs = {(p["acquirer"], p["releaser"], int(p.get("argument", 1))) for p in data.get("pair", [])}
        return frozenset(pairs), frozenset(data.get("not_paired", {}).get("functions", []))


def load_programs(root: Path = PROGRAMS) -> list[Program]:
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    return [Program(**entry) for entry in index]
