"""Run leakscan the way a user does, through its CLI and JSON output (the stable interface), on one program."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LEAK_RULES = {"resource-leak", "leak-on-overwrite", "unused-acquire", "member-not-released"}


@dataclass(frozen=True)
class Branch:
    line: int
    message: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    function: str
    line: int  # the reported place (exit, overwrite, ...)
    acquire_line: int | None
    acquirer: str
    var: str
    kind: str
    message: str
    branches: tuple[Branch, ...]  # the path's branch events


@dataclass(frozen=True)
class ScanResult:
    findings: tuple[Finding, ...]
    diagnostics: tuple[str, ...]
    exit_code: int
    error: str  # non-empty when leakscan failed (usage error, internal error, no JSON written)


def default_command() -> list[str]:
    """This checkout's leakscan, run by the current interpreter (PYTHONPATH set in `scan`)."""
    return [sys.executable, "-c", "import sys; from analyzer.cli import main; sys.exit(main())"]


def scan(src_dir: Path, out_json: Path, command: list[str] | None = None, timeout: int = 600) -> ScanResult:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [*(command or default_command()), "scan", str(src_dir), "--format", "json", "-o", str(out_json), "-j", "1"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ScanResult((), (), -1, f"leakscan timed out after {timeout}s")
    if proc.returncode not in (0, 1, 3) or not out_json.exists():
        tail = (proc.stderr.strip().splitlines() or [""])[-1]
        return ScanResult((), (), proc.returncode, f"leakscan exit {proc.returncode}: {tail}")
    data = json.loads(out_json.read_text())
    findings = []
    for f in data["findings"]:
        acq = f.get("acquire")
        branches = tuple(Branch(e["loc"]["line"], e["message"]) for e in f.get("path", ()) if e["kind"] == "branch")
        findings.append(Finding(f["rule_id"], f["function"], f["loc"]["line"], acq["line"] if acq else None,
                                f.get("acquirer", ""), f.get("var", ""), f.get("kind", ""), f.get("message", ""),
                                branches))
    diags = tuple(f"{os.path.basename(d['file'])}:{d['line']}: {d['message']}" for d in data["diagnostics"])
    return ScanResult(tuple(findings), diags, proc.returncode, "")
