"""Shared helpers: scan C/C++ snippets through the real pipeline (real libclang) and compare findings."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.pipeline import Options, run

REPO = Path(__file__).resolve().parent.parent
# reference material shared between projects lives beside the clone, never at a machine path
SHARED = REPO.parent / "shared"


def scan_sources(tmp_path: Path, files: dict[str, str], *, infer: bool = True, rule_files=(), extra=()):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return run(Options(paths=(str(tmp_path),), jobs=1, infer=infer, rule_files=tuple(rule_files),
                       extra_flags=tuple(extra)))


def brief(result) -> set[tuple[str, int, str, str]]:
    """{(file basename, line, function, ruleId)} for exact assertions: one per place a resource is lost (a leak
    reported once for its acquisition contributes each of its exits)."""
    return {(os.path.basename(loc.file), loc.line, f.function, f.rule_id)
            for f in result.findings for loc in (f.loc, *(x.loc for x in f.exits))}


@pytest.fixture
def scan(tmp_path):
    def _scan(source: str, name: str = "snippet.c", **kw):
        return scan_sources(tmp_path, {name: source}, **kw)
    return _scan


_PROGRESS_LINE = re.compile(r"^leakscan: \d+/\d+ (translation units parsed|functions analyzed)\b.*\n?", re.MULTILINE)


def without_progress(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    """The CLI's run with the per-stage progress lines (stderr not a terminal) taken out of stderr: what is left is
    its diagnostics and errors, which tests compare line by line."""
    proc.stderr = _PROGRESS_LINE.sub("", proc.stderr)
    return proc


def leakscan_in_repo(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI run from the repository's root (without progress lines); a scan there keeps no cache inside the
    repository (`examples/dictserver/.leakscan-cache` would be left behind)."""
    if args and args[0] == "scan" and "--no-cache" not in args:
        args = ("scan", "--no-cache", *args[1:])
    return without_progress(subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=REPO, capture_output=True,
                                           text=True, check=False, timeout=timeout,
                                           env={**os.environ, "PYTHONPATH": str(REPO)}))
