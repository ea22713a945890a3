"""JSON Schema of leakscan's JSON output, generated from the result dataclasses (the documentation)."""
from __future__ import annotations

from typing import Any

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
}


def result_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = json_schema(AnalysisResult, defs, DOCS)
    finding = defs[Finding.__name__]
    finding["properties"].update({"message": {"type": "string"}, "level": {"type": "string"},
                                  "fingerprint": {"type": "string"}})
    result = dict(defs.pop("AnalysisResult"))
    result["properties"] = dict(result["properties"], schema_version={"const": SCHEMA_VERSION})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "leakscan result",
            **result, "$defs": defs, "$comment": root["$ref"]}
