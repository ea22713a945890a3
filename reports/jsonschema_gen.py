"""JSON Schema of leakscan's JSON output, generated from the result dataclasses (the documentation)."""
from __future__ import annotations

import dataclasses
from typing import Any

from analyzer import model
from analyzer.codec import json_schema
from analyzer.model import AnalysisResult, Finding
from reports.jsonout import SCHEMA_VERSION

DOCS = {
    "AnalysisResult": "One scan: findings, diagnostics, statistics, inferred pairs, ownership graphs, "
                      "profile evidence.",
    "Finding": "A path on which a resource is lost or misused. `loc` is the reported place (exit, overwrite, "
               "second release); `acquire` where the resource was acquired; `path` the ordered events.",
    "PathEvent": "One step of a finding's path (kind: acquire | branch | release | escape | exit | overwrite | note).",
    "Evidence": "Dynamic evidence from heap profiles: status confirmed | static-only, growth behind the finding.",
    "GrowthStack": "A symbolized allocation stack, leaf first, with the bytes/objects it grew by.",
    "SuppressedFinding": "A finding silenced by an inline `leakscan-ignore[ruleId]: reason` comment or a suppression "
                         "file entry: not counted, not in the exit code, still listed.",
    "Workflow": "What the workflow did: the baseline compared against (and its findings no longer found), the git "
                "revision findings were limited to, suppressions that matched nothing.",
    "BaselineEntry": "A finding of the baseline that the scan no longer finds.",
}
COMPATIBILITY = ("schema_version 2. Fields are only ever added, with defaults: a result written by an older leakscan "
                 "of the same schema_version still loads and validates (fields with defaults are not required). "
                 "Renaming or removing a field raises schema_version; `leakscan report` still reads version 1 "
                 "(Finding.kind, renamed resource_kind in 2).")


def _required_without_defaults(defs: dict[str, Any]) -> None:
    """Only fields without a default are required: results written before a field was added stay valid."""
    for name, schema in defs.items():
        cls = getattr(model, name, None)
        if cls is None or not dataclasses.is_dataclass(cls):
            continue
        schema["required"] = sorted(f.name for f in dataclasses.fields(cls)
                                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)


def result_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = json_schema(AnalysisResult, defs, DOCS)
    finding = defs[Finding.__name__]
    _required_without_defaults(defs)
    finding["properties"].update({"message": {"type": "string"}, "level": {"type": "string"},
                                  "fingerprint": {"type": "string"}})
    finding["required"] = sorted([*finding["required"], "message", "level", "fingerprint"])
    result = dict(defs.pop("AnalysisResult"))
    result["properties"] = dict(result["properties"], schema_version={"const": SCHEMA_VERSION})
    result["required"] = sorted([*result["required"], "schema_version"])
    result["description"] = f"{result.get('description', '')} {COMPATIBILITY}".strip()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "leakscan result",
            **result, "$defs": defs, "$comment": root["$ref"]}
