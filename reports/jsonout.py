"""JSON output: AnalysisResult.to_dict() plus a schema version and each finding's message/fingerprint."""
from __future__ import annotations

import json

from analyzer.model import AnalysisResult

from .paths import relative

SCHEMA_VERSION = 2  # 2: Finding.kind was renamed resource_kind


def render_json(result: AnalysisResult) -> str:
    data = result.to_dict()
    data["schema_version"] = SCHEMA_VERSION
    for plain, f in zip(data["findings"], result.findings, strict=True):
        plain["message"] = f.message
        plain["level"] = f.level
        plain["fingerprint"] = f.fingerprint(relative(f.loc.file, result.root))
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def load_json(text: str) -> AnalysisResult:
    data = json.loads(text)
    if data.get("schema_version", 1) == 1:
        for f in data.get("findings", []):
            if "kind" in f:
                f["resource_kind"] = f.pop("kind")
            if isinstance(f.get("fix"), str):  # version 1 kept the fix as diff text: fixes are computed again
                f["fix"] = None
    return AnalysisResult.from_dict(data)
