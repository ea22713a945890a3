"""Baselines: a saved JSON or SARIF result; the scan's findings are new or unchanged against it by fingerprint, and
the baseline's findings the scan no longer has are fixed."""
from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import InputError, read_input_text
from .model import AnalysisResult, BaselineEntry

__all__ = ["Baseline", "BaselineError", "classify", "load_baseline"]

SARIF_FINGERPRINT = "leakscan/v1"


class BaselineError(InputError):
    """A baseline file that is neither a leakscan JSON result nor a leakscan SARIF log."""


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: dict[str, BaselineEntry]  # fingerprint -> what it was


def load_baseline(path: str) -> Baseline:
    text = read_input_text(path, BaselineError, "baseline file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(path, exc.lineno, f"not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise BaselineError(path, None, "not a leakscan JSON result or SARIF log")
    try:
        entries = _from_sarif(data) if "runs" in data else _from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BaselineError(path, None, f"not a leakscan JSON result or SARIF log ({exc.__class__.__name__}: "
                                        f"{exc})") from None
    return Baseline(path, entries)


def _from_json(data: dict[str, Any]) -> dict[str, BaselineEntry]:
    if "findings" not in data:
        raise KeyError("findings")
    out = {}
    root = str(data.get("root", ""))
    for f in data["findings"]:
        fp = f.get("fingerprint")
        if not fp:
            raise ValueError("a finding without a fingerprint (written by a leakscan older than schema 2?)")
        loc = f.get("loc") or {}
        out[fp] = BaselineEntry(fp, f["rule_id"], _under(str(loc.get("file", "")), root), int(loc.get("line", 0)),
                                f.get("function", ""), f.get("message", ""))
    return out


def _under(path: str, root: str) -> str:
    if root and os.path.isabs(path):
        rel = os.path.relpath(path, root)
        return path if rel.startswith("..") else rel
    return path


def _from_sarif(data: dict[str, Any]) -> dict[str, BaselineEntry]:
    out = {}
    for run in data["runs"]:
        if run.get("tool", {}).get("driver", {}).get("name") != "leakscan":
            raise ValueError("a SARIF run of another tool")
        for res in run.get("results", []):
            fp = (res.get("partialFingerprints") or {}).get(SARIF_FINGERPRINT)
            if not fp or res.get("baselineState") == "absent" or res.get("suppressions"):
                continue  # unexplained growth has no fingerprint; absent and suppressed ones are not findings
            phys = (res.get("locations") or [{}])[0].get("physicalLocation", {})
            out[fp] = BaselineEntry(fp, res["ruleId"], phys.get("artifactLocation", {}).get("uri", ""),
                                    int(phys.get("region", {}).get("startLine", 0)),
                                    res.get("properties", {}).get("function", ""),
                                    res.get("message", {}).get("text", ""))
    return out


def classify(result: AnalysisResult, baseline: Baseline, relative: Callable[[str], str]) -> AnalysisResult:
    """Findings marked new or unchanged; the baseline's findings found neither now nor among the suppressed ones
    listed as fixed."""
    findings = []
    present: set[str] = set()
    for f in result.findings:
        fp = f.fingerprint(relative(f.loc.file))
        present.add(fp)
        findings.append(dataclasses.replace(f, baseline_state="unchanged" if fp in baseline.entries else "new"))
    present |= {s.fingerprint for s in result.suppressed}
    fixed = tuple(e for fp, e in sorted(baseline.entries.items(), key=lambda kv: (kv[1].file, kv[1].line, kv[0]))
                  if fp not in present)
    workflow = dataclasses.replace(result.workflow, baseline=baseline.path, fixed=fixed)
    return dataclasses.replace(result, findings=tuple(findings), workflow=workflow)
