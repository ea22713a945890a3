"""`--format codeclimate`: a GitLab code quality report (the Code Climate issue format GitLab reads: description,
check_name, fingerprint, severity, location.path, location.lines.begin)."""
from __future__ import annotations

import json

from analyzer.model import AnalysisResult

from .paths import relative

SEVERITY = {"error": "critical", "warning": "major", "note": "info"}  # GitLab: info minor major critical blocker


def render_codeclimate(result: AnalysisResult) -> str:
    issues = []
    for f in result.findings:
        rel = relative(f.loc.file, result.root)
        issue: dict[str, object] = {
            "type": "issue",
            "engine_name": "leakscan",
            "check_name": str(f.rule_id),
            "description": f"{f.message} in {f.function}()",
            "categories": ["Bug Risk"],
            "severity": SEVERITY.get(f.level, "major"),
            "fingerprint": f.fingerprint(rel),
            "location": {"path": rel, "lines": {"begin": max(f.loc.line, 1)}},
        }
        if f.exits:
            issue["other_locations"] = [{"path": relative(x.loc.file, result.root), "lines": {"begin": x.loc.line}}
                                        for x in f.exits]
        issues.append(issue)
    return json.dumps(issues, indent=1) + "\n"
